"""Theano's ``T.nnet.h_softmax``: a two-level hierarchical softmax.

The outputs are split into ``n_classes`` classes of ``n_outputs_per_class``
outputs each (output ``k`` is output ``k % n_outputs_per_class`` of class
``k // n_outputs_per_class``). A first softmax gives each class's
probability, a second, one per class, the probability of each output within
its class; an output's probability is the product. Built from ``dot``,
``softmax`` and indexing, so ``T.grad`` differentiates it.
"""

from symlab.tensor import math as tm
from symlab.tensor.creation import arange
from symlab.tensor.linalg import dot, tensordot
from symlab.tensor.reduction import sum as reduce_sum
from symlab.tensor.shape import flatten, reshape
from symlab.tensor.variable import as_tensor_variable

__all__ = ["h_softmax"]


def h_softmax(x, batch_size, n_outputs, n_classes, n_outputs_per_class, W1, b1, W2, b2,
              target=None):
    """Return the two-level hierarchical softmax of ``x`` (Theano's signature).

    ``x``: (batch_size, features); ``W1``: (features, n_classes); ``b1``:
    (n_classes,); ``W2``: (n_classes, features, n_outputs_per_class); ``b2``:
    (n_classes, n_outputs_per_class). Without ``target`` the result is
    (batch_size, n_outputs): every output's probability (outputs past
    ``n_outputs`` in the last class are dropped). With ``target`` (integer
    indices, shape (batch_size,) or (batch_size, 1)) it is the vector of
    each row's target probability, computing only the target's class.
    """
    from symlab.tensor.nnet import softmax  # the package holding this module
    x, W1, b1 = (as_tensor_variable(v) for v in (x, W1, b1))
    W2, b2 = as_tensor_variable(W2), as_tensor_variable(b2)
    class_probs = softmax(tm.add(dot(x, W1), b1), axis=-1)
    if target is None:
        activations = tm.add(tensordot(x, W2, (1, 1)), b2)
        within = softmax(reshape(activations, (-1, n_outputs_per_class)), axis=-1)
        within = reshape(within, (batch_size, n_classes, -1))
        probs = tm.mul(class_probs.dimshuffle(0, 1, "x"), within)
        return reshape(probs, (batch_size, -1))[:, :n_outputs]
    target = flatten(as_tensor_variable(target))
    classes = tm.int_div(target, n_outputs_per_class)
    in_class = tm.mod(target, n_outputs_per_class)
    chosen_W = W2[classes]                       # (batch, features, per class)
    activations = tm.add(reduce_sum(tm.mul(x.dimshuffle(0, 1, "x"), chosen_W), axis=1),
                         b2[classes])
    within = softmax(activations, axis=-1)
    rows = arange(batch_size)
    return tm.mul(class_probs[rows, classes], within[rows, in_class])
