"""Gradient checks against central differences of a NumPy reference (float64).

``check_gradient(build, reference, values)`` builds ``build(*inputs)`` on symbolic
inputs shaped like ``values``, takes symlab's gradient of ``sum(out * w)`` (``w``
a fixed random weight array, so every output element counts differently) and
compares it with central differences of ``sum(reference(*values) * w)`` computed
by NumPy alone.
"""

import numpy as np

import symlab as theano
import symlab.tensor as T


def numeric_gradient(cost, values, which, h=1e-6):
    """Central differences of the float ``cost(*values)`` in ``values[which]``."""
    point = [np.array(v, dtype="float64") if np.asarray(v).dtype.kind == "f" else v
             for v in values]
    grad = np.zeros_like(point[which])
    flat = point[which].reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        up = cost(*point)
        flat[i] = keep - h
        down = cost(*point)
        flat[i] = keep
        grad.reshape(-1)[i] = (up - down) / (2 * h)
    return grad


def check_gradient(build, reference, values, wrt=None, rtol=1e-5, atol=1e-7, seed=0):
    """Assert symlab's gradient of ``build`` equals central differences of ``reference``.

    ``values`` are float64 arrays (or ints, passed as constants to both sides);
    ``wrt`` lists the positions to differentiate (default: every float array).
    """
    values = [np.asarray(v) for v in values]
    if wrt is None:
        wrt = [i for i, v in enumerate(values) if v.dtype.kind == "f"]
    inputs = [T.tensor(dtype=str(v.dtype), shape=(None,) * v.ndim) if i in wrt
              else T.constant(v) for i, v in enumerate(values)]
    out = build(*inputs)
    weights = np.random.RandomState(seed).uniform(0.5, 1.5, np.shape(reference(*values)))
    cost = (out * weights).sum()
    variables = [inputs[i] for i in wrt]
    # on_unused_input: a linear function's gradient can be a constant (static shapes)
    grads = theano.function(variables, T.grad(cost, variables), on_unused_input="ignore")(
        *[values[i] for i in wrt])
    for i, got in zip(wrt, grads):
        expected = numeric_gradient(lambda *vs: float(np.sum(reference(*vs) * weights)),
                                    values, i)
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol,
                                   err_msg=f"gradient in input {i}")
