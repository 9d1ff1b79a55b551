"""Central differences over a shared variable's elements: the reference for every compat gradient."""

import numpy as np


def central_difference(cost_at, shared, eps=1e-6):
    """d cost / d shared, element by element: ``cost_at()`` evaluated with each element moved.

    ``cost_at`` takes no arguments and returns the cost as a float for the shared
    variable's current value; the value is restored afterwards.
    """
    base = shared.get_value()
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        for sign in (1, -1):
            moved = base.copy()
            moved[index] += sign * eps
            shared.set_value(moved)
            grad[index] += sign * cost_at() / (2 * eps)
    shared.set_value(base)
    return grad
