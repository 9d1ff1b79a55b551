"""Theano's ``T.nnet`` helpers: activations, softmax and cross-entropies.

``sigmoid`` and ``softplus`` are rows of the scalar-op table (re-exported
here); ``relu``, ``elu``, ``selu``, ``softsign``, ``hard_sigmoid`` and
``ultra_fast_sigmoid`` are built from elementwise ops (``activations``).
Theano's submodules ``bn`` (batch normalization), ``neighbours``
(``images2neibs``), ``ctc`` (the CTC loss) and ``conv3d2d`` are modules here
too; ``conv3d`` and ``h_softmax`` have modules of their own. ``Softmax`` and ``LogSoftmax``
are ops of their own, computed stably (the maximum along the axis is
subtracted first). As in Theano 1.0, ``softmax``/``log_softmax`` of a vector given
no ``axis`` is a (1, n) row, with a ``VectorSoftmaxWarning``. Convolution lives in
``symlab.tensor.nnet.conv``, which this module does not import.
"""

import warnings

import numpy as np

from symlab.graph.basic import Apply, Op
from symlab.tensor import math as tm
from symlab.tensor.math import ELEMWISE_FUNCTIONS
from symlab.tensor.reduction import sum as reduce_sum
from symlab.tensor.scalar_ops import upgrade_to_float
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

from symlab.tensor.nnet import bn, conv3d2d, ctc, neighbours
from symlab.tensor.nnet.activations import elu, hard_sigmoid, relu, selu, softsign
from symlab.tensor.nnet.activations import ultra_fast_sigmoid
from symlab.tensor.nnet.conv3d import conv3d
from symlab.tensor.nnet.h_softmax import h_softmax
from symlab.tensor.nnet.neighbours import images2neibs, neibs2images

__all__ = ["sigmoid", "softplus", "relu", "Softmax", "SoftmaxGrad", "LogSoftmax", "softmax",
           "log_softmax", "logsoftmax", "VectorSoftmaxWarning", "CrossentropyCategorical1HotGrad",
           "CrossentropyCategorical1Hot", "categorical_crossentropy", "binary_crossentropy",
           "sigmoid_binary_crossentropy", "conv2d", "conv2d_transpose", "conv3d",
           "ultra_fast_sigmoid", "hard_sigmoid", "softsign", "elu", "selu", "h_softmax",
           "images2neibs", "neibs2images", "bn", "neighbours", "ctc", "conv3d2d"]

sigmoid = ELEMWISE_FUNCTIONS["sigmoid"]
softplus = ELEMWISE_FUNCTIONS["softplus"]


def __getattr__(name):
    # T.nnet.conv2d, T.nnet.conv2d_transpose and T.nnet.conv: the convolution layer sits
    # above this one (DESIGN.md), so it is imported when first used.
    if name in ("conv2d", "conv2d_transpose", "conv"):
        import importlib  # upward: the convolution layer, loaded when used
        conv = importlib.import_module("symlab.tensor.nnet.conv")
        return conv if name == "conv" else getattr(conv, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _describe(var):
    return f"{var} of type {var.type}"


def _float_dtype(op_name, x):
    """The float dtype ``op_name`` computes ``x`` in (ints upgrade), or a TypeError."""
    if dtype_kind(x.type.dtype) == "complex":
        raise TypeError(f"{op_name}: expected a real tensor; got {_describe(x)}")
    return upgrade_to_float(x.type.dtype)


# ---------------------------------------------------------------- softmax

class _AxisOp(Op):
    """An op normalizing along ``axis`` (an int, negative from the end, or None for all)."""

    __props__ = ("axis",)

    def __init__(self, axis=-1):
        if axis is not None and (isinstance(axis, (bool, np.bool_))
                                 or not isinstance(axis, (int, np.integer))):
            raise TypeError(f"{self.name}: axis must be an int or None; got {axis!r}")
        self.axis = None if axis is None else int(axis)

    def make_node(self, x):
        x = as_tensor_variable(x)
        ndim = x.type.ndim
        if self.axis is not None and not -ndim <= self.axis < ndim:
            raise ValueError(f"{self.name}: axis {self.axis} is out of range for "
                             f"{_describe(x)}, which has {ndim} dimensions"
                             + (" (use axis=None for a 0-d tensor)" if ndim == 0 else ""))
        dtype = _float_dtype(self.name, x)
        return Apply(self, [x], [TensorType(dtype, x.type.shape)])

    def output_is_fresh(self, node):
        """The result is always a new array, never a view of an input."""
        return True

    def perform(self, node, inputs):
        out_dtype = node.outputs[0].type.numpy_dtype
        x = np.asarray(inputs[0]).astype(out_dtype, copy=False)
        if x.size == 0:
            return [x.copy()]
        shifted = x - np.max(x, axis=self.axis, keepdims=True)
        with np.errstate(under="ignore"):
            result = self._from_shifted(shifted)
        return [np.asarray(result, dtype=out_dtype)]


class Softmax(_AxisOp):
    """``exp(x) / sum(exp(x), axis)``, computed as ``exp(x - max) / sum(exp(x - max))``."""

    def grad(self, node, output_grads):
        """softmax_grad(g, y) = (g - sum(g * y, axis)) * y, with y the softmax."""
        (g,) = output_grads
        if g is None:
            return [None]
        return [_cast_like(SoftmaxGrad(self.axis)(g, node.outputs[0]), node.inputs[0])]

    @property
    def name(self):
        return "softmax"

    def _from_shifted(self, shifted):
        e = np.exp(shifted)
        return e / np.sum(e, axis=self.axis, keepdims=True)


class SoftmaxGrad(Op):
    """The gradient through a softmax: ``(gz - sum(gz * y, axis)) * y`` for ``y`` = softmax.

    An op of its own so that the stabilize pass can recognize it next to the
    gradient of a crossentropy (``crossentropy_softmax_grad``).
    """

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = axis

    @property
    def name(self):
        return "softmax_grad"

    def make_node(self, gz, y):
        gz, y = as_tensor_variable(gz), as_tensor_variable(y)
        return Apply(self, [gz, y], [TensorType(y.type.dtype, y.type.shape)])

    def perform(self, node, inputs):
        gz, y = (np.asarray(v) for v in inputs)
        dtype = node.outputs[0].type.numpy_dtype
        with np.errstate(invalid="ignore"):
            result = (gz - np.sum(gz * y, axis=self.axis, keepdims=True)) * y
        return [np.asarray(result, dtype=dtype)]

    def output_is_fresh(self, node):
        """The result is always a new array."""
        return True

    def grad(self, node, output_grads):
        """Both inputs, from d out_j = (d gz_j - sum(d gz * y)) y_j + (gz_j - s) d y_j - ..."""
        (G,) = output_grads
        gz, y = node.inputs
        if G is None:
            return [None, None]
        s = reduce_sum(tm.mul(gz, y), axis=self.axis, keepdims=True)
        g_gz = SoftmaxGrad(self.axis)(G, y)
        g_y = tm.sub(tm.mul(G, tm.sub(gz, s)),
                     tm.mul(gz, reduce_sum(tm.mul(G, y), axis=self.axis, keepdims=True)))
        return [_cast_like(g_gz, gz), _cast_like(g_y, y)]


class LogSoftmax(_AxisOp):
    """``x - log(sum(exp(x), axis))``, computed as ``(x - max) - log(sum(exp(x - max)))``."""

    def grad(self, node, output_grads):
        """g - exp(y) * sum(g, axis), with y the log-softmax."""
        (g,) = output_grads
        if g is None:
            return [None]
        y = node.outputs[0]
        return [_cast_like(tm.sub(g, tm.mul(tm.exp(y), reduce_sum(g, axis=self.axis,
                                                                   keepdims=True))),
                           node.inputs[0])]

    @property
    def name(self):
        return "log_softmax"

    def _from_shifted(self, shifted):
        return shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))


def _cast_like(grad, x):
    """``grad`` in ``x``'s dtype, or None when ``x`` takes no gradient (an integer input)."""
    from symlab.tensor.elemwise import is_differentiable
    return tm.cast(grad, x.type.dtype) if is_differentiable(x) else None


def _normalized_axis(x, axis, caller):
    if axis is None or isinstance(axis, (bool, np.bool_)) \
            or not isinstance(axis, (int, np.integer)):
        return axis  # None, or a bad value the op will refuse
    ndim = x.type.ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"{caller}: axis {axis} is out of range for {_describe(x)}, which "
                         f"has {ndim} dimensions"
                         + (" (use axis=None for a 0-d tensor)" if ndim == 0 else ""))
    return int(axis) % ndim


class VectorSoftmaxWarning(FutureWarning, UserWarning):
    """``softmax``/``log_softmax`` of a vector without ``axis``: the result is a (1, n) row,
    as in Theano 1.0, which deprecated this padding (its warning was a UserWarning)."""


class _LastAxis:
    """The default ``axis`` of ``softmax``/``log_softmax``: the last axis, as Theano.

    A sentinel rather than -1 so that a vector given without ``axis`` (Theano's
    only form) can be told apart from one given ``axis=-1`` (a vector result).
    """

    def __repr__(self):
        return "-1"


_LAST_AXIS = _LastAxis()


def _theano_row(x, axis, caller):
    """``(x, axis)``, with a vector given no axis made a (1, n) row and a warning given."""
    if axis is not _LAST_AXIS:
        return x, axis
    if x.type.ndim == 1:
        warnings.warn(
            f"{caller} of the vector {_describe(x)}: as in Theano 1.0, the result is a "
            f"(1, n) row, a padding Theano deprecated. Pass a matrix (e.g. "
            f"x.dimshuffle('x', 0)) to keep the row, or axis=-1 for a vector result",
            VectorSoftmaxWarning, stacklevel=3)
        return x.dimshuffle("x", 0), -1
    return x, -1


def softmax(x, axis=_LAST_AXIS):
    """Return the softmax of ``x`` along ``axis`` (default: the last; None: all elements).

    Values along the axis are positive and sum to 1. Integer inputs give
    floats (float32 for small ints, float64 for int32/int64). A vector given
    no ``axis`` gives a (1, n) row and a ``VectorSoftmaxWarning``, as in
    Theano 1.0; with ``axis`` given it gives a vector.
    """
    x, axis = _theano_row(as_tensor_variable(x), axis, "softmax")
    return Softmax(_normalized_axis(x, axis, "softmax"))(x)


def log_softmax(x, axis=_LAST_AXIS):
    """Return ``log(softmax(x, axis))``, computed stably (finite for large ``x``).

    A vector given no ``axis`` gives a (1, n) row and a ``VectorSoftmaxWarning``,
    as Theano 1.0's ``logsoftmax`` did.
    """
    x, axis = _theano_row(as_tensor_variable(x), axis, "log_softmax")
    return LogSoftmax(_normalized_axis(x, axis, "log_softmax"))(x)


logsoftmax = log_softmax    # Theano 1.0's name


# ---------------------------------------------------------------- cross-entropy

class CrossentropyCategorical1Hot(Op):
    """``-log(coding_dist[i, true_idx[i]])`` for each row ``i``: the cross-entropy of a
    matrix of predicted distributions against a vector of class indices.

    With ``log_input=True`` the matrix holds log-probabilities instead and the
    result is ``-coding_dist[i, true_idx[i]]`` (the stable form the
    ``crossentropy_softmax`` rewrite builds from ``log_softmax``).
    """

    __props__ = ("log_input",)

    def __init__(self, log_input=False):
        self.log_input = bool(log_input)

    @property
    def name(self):
        if self.log_input:
            return "crossentropy_log_categorical_1hot"
        return "crossentropy_categorical_1hot"

    def make_node(self, coding_dist, true_idx):
        coding_dist, true_idx = as_tensor_variable(coding_dist), as_tensor_variable(true_idx)
        if coding_dist.type.ndim != 2:
            raise TypeError(f"{self.name}: coding_dist must be a matrix (one distribution "
                            f"per row); got {_describe(coding_dist)}")
        if true_idx.type.ndim != 1 or dtype_kind(true_idx.type.dtype) not in ("int", "uint"):
            raise TypeError(f"{self.name}: true_idx must be an integer vector of class "
                            f"indices; got {_describe(true_idx)}")
        rows_a, rows_b = coding_dist.type.shape[0], true_idx.type.shape[0]
        if rows_a is not None and rows_b is not None and rows_a != rows_b:
            raise ValueError(f"{self.name}: {_describe(coding_dist)} has {rows_a} rows but "
                             f"{_describe(true_idx)} has {rows_b} indices")
        dtype = _float_dtype(self.name, coding_dist)
        rows = rows_a if rows_a is not None else rows_b
        return Apply(self, [coding_dist, true_idx], [TensorType(dtype, (rows,))])

    def grad(self, node, output_grads):
        """Only coding[i, idx[i]] moves the result: -g / coding there (or -g for log input)."""
        (g,) = output_grads
        coding, idx = node.inputs
        if g is None:
            return [None, None]
        dcoding = CrossentropyCategorical1HotGrad(self.log_input)(g, coding, idx)
        return [_cast_like(dcoding, coding), None]

    def perform(self, node, inputs):
        coding, idx = np.asarray(inputs[0]), np.asarray(inputs[1])
        out_dtype = node.outputs[0].type.numpy_dtype
        coding_var, idx_var = node.inputs
        if coding.shape[0] != idx.shape[0]:
            raise ValueError(f"{self.name}: {coding_var} has {coding.shape[0]} rows but "
                             f"{idx_var} has {idx.shape[0]} indices")
        bad = (idx < 0) | (idx >= coding.shape[1])
        if np.any(bad):
            raise IndexError(f"{self.name}: {idx_var} holds the class index "
                             f"{idx[bad][0]}, outside 0..{coding.shape[1] - 1} (the columns "
                             f"of {coding_var})")
        picked = coding[np.arange(coding.shape[0]), idx].astype(out_dtype, copy=False)
        if self.log_input:
            return [np.asarray(-picked, dtype=out_dtype)]
        with np.errstate(divide="ignore"):
            return [np.asarray(-np.log(picked), dtype=out_dtype)]


class CrossentropyCategorical1HotGrad(Op):
    """The gradient of ``crossentropy_categorical_1hot`` with respect to ``coding_dist``:
    zeros except ``-g[i] / coding[i, idx[i]]`` (``-g[i]`` with ``log_input``) at ``[i, idx[i]]``."""

    __props__ = ("log_input",)

    def __init__(self, log_input=False):
        self.log_input = bool(log_input)

    @property
    def name(self):
        return "crossentropy_categorical_1hot_grad"

    def make_node(self, g, coding, idx):
        g, coding, idx = (as_tensor_variable(v) for v in (g, coding, idx))
        return Apply(self, [g, coding, idx], [TensorType(coding.type.dtype, coding.type.shape)])

    def perform(self, node, inputs):
        g, coding, idx = (np.asarray(v) for v in inputs)
        out = np.zeros_like(coding, dtype=node.outputs[0].type.numpy_dtype)
        rows = np.arange(coding.shape[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[rows, idx] = -g if self.log_input else -g / coding[rows, idx]
        return [out]

    def output_is_fresh(self, node):
        """The result is always a new array."""
        return True

    def grad(self, node, output_grads):
        """Second derivatives of the crossentropy are not implemented."""
        from symlab.graph.basic import GradientNotImplemented
        raise GradientNotImplemented(f"{self.name}: no second derivative of the crossentropy "
                                     "yet")


def categorical_crossentropy(coding_dist, true_dist):
    """Return the cross-entropy of each row of ``coding_dist`` (predicted distributions).

    ``true_dist`` is either an integer vector of class indices, giving
    ``-log(coding_dist[i, true_dist[i]])``, or a tensor of target
    distributions (one-hot rows, say) shaped like ``coding_dist``, giving
    ``-sum(true_dist * log(coding_dist), axis=-1)``.
    """
    coding_dist, true_dist = as_tensor_variable(coding_dist), as_tensor_variable(true_dist)
    if true_dist.type.ndim == coding_dist.type.ndim:
        return tm.neg(reduce_sum(tm.mul(true_dist, tm.log(coding_dist)), axis=-1))
    if true_dist.type.ndim == coding_dist.type.ndim - 1:
        return CrossentropyCategorical1Hot()(coding_dist, true_dist)
    raise TypeError(f"categorical_crossentropy: true_dist {_describe(true_dist)} must be "
                    f"class indices (one dimension fewer than coding_dist "
                    f"{_describe(coding_dist)}) or distributions of the same shape")


def binary_crossentropy(output, target):
    """Return ``-(target * log(output) + (1 - target) * log(1 - output))`` elementwise.

    ``output`` holds probabilities in (0, 1); see ``sigmoid_binary_crossentropy``
    for logits.
    """
    output, target = as_tensor_variable(output), as_tensor_variable(target)
    return tm.neg(tm.add(tm.mul(target, tm.log(output)),
                         tm.mul(tm.sub(1, target), tm.log(tm.sub(1, output)))))


def sigmoid_binary_crossentropy(output, target):
    """Return ``binary_crossentropy(sigmoid(output), target)`` computed stably from
    the logits ``output``: ``target * softplus(-output) + (1 - target) * softplus(output)``."""
    output, target = as_tensor_variable(output), as_tensor_variable(target)
    return tm.add(tm.mul(target, softplus(tm.neg(output))),
                  tm.mul(tm.sub(1, target), softplus(output)))
