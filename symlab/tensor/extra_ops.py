"""Theano's ``T.extra_ops``: ops with a NumPy kernel each, and functions over them.

``CumOp`` (``cumsum``, ``cumprod``), ``Repeat`` (``repeat``), ``SearchSorted``,
``NonZero`` (``nonzero``, ``flatnonzero``), ``Choose`` (``choose``) and ``BinCount``.
Gradients follow Theano: cumulative ops and ``repeat`` by a scalar have one;
``repeat`` by a vector of counts, ``choose``, ``searchsorted``, ``nonzero`` and
``bincount`` do not. ``compress``, ``diff``, ``to_one_hot``, ``fill_diagonal`` and
``fill_diagonal_offset`` are built from indexing and elementwise ops.
"""

import numpy as np

from symlab.graph.basic import Apply, Constant, GradientNotImplemented, Op
from symlab.tensor.type import TensorType, dtype_kind, upcast
from symlab.tensor.variable import as_tensor_variable

__all__ = ["CumOp", "Repeat", "SearchSorted", "NonZero", "Choose", "BinCount", "cumsum",
           "cumprod", "repeat", "searchsorted", "nonzero", "flatnonzero", "choose", "compress",
           "diff", "bincount", "squeeze", "cpu_contiguous", "to_one_hot", "fill_diagonal",
           "fill_diagonal_offset"]

_INTS = ("int", "uint")


def _describe(var):
    return f"{var} of type {var.type}"


def _check_axis(x, axis, caller):
    if not -x.type.ndim <= axis < x.type.ndim:
        raise ValueError(f"{caller}: axis {axis} is out of range for {_describe(x)}")
    return axis % x.type.ndim


def _differentiable(var):
    return var.type.dtype.startswith(("float", "complex"))


# ------------------------------------------------------------ cumulative

_CUMULATIVE = {"add": np.cumsum, "mul": np.cumprod}


class CumOp(Op):
    """Cumulative sum (``mode='add'``) or product (``'mul'``) along ``axis``."""

    __props__ = ("mode", "axis")

    def __init__(self, mode, axis):
        if mode not in _CUMULATIVE:
            raise ValueError(f"CumOp: mode must be 'add' or 'mul'; got {mode!r}")
        self.mode = mode
        self.axis = int(axis)

    @property
    def name(self):
        return "cumsum" if self.mode == "add" else "cumprod"

    def __str__(self):
        return f"{self.name}{{axis={self.axis}}}"

    def make_node(self, x):
        x = as_tensor_variable(x)
        _check_axis(x, self.axis, self.name)
        return Apply(self, [x], [TensorType(x.type.dtype, x.type.shape)])

    def perform(self, node, inputs):
        out = _CUMULATIVE[self.mode](inputs[0], axis=self.axis)
        return [np.asarray(out, dtype=node.outputs[0].type.numpy_dtype)]

    def grad(self, node, output_grads):
        """cumsum: g summed from the end; cumprod: Theano's rule, which divides by x."""
        (g,) = output_grads
        (x,) = node.inputs
        if g is None or not _differentiable(x):
            return [None]
        backwards = [slice(None)] * x.type.ndim
        backwards[self.axis] = slice(None, None, -1)
        backwards = tuple(backwards)
        if self.mode == "add":
            return [CumOp("add", self.axis)(g[backwards])[backwards]]
        product = node.outputs[0]
        return [CumOp("add", self.axis)((product * g)[backwards])[backwards] / x]


def _cumulative(mode, x, axis):
    x = as_tensor_variable(x)
    if axis is None:
        return CumOp(mode, 0)(x.flatten())
    return CumOp(mode, axis)(x)


def cumsum(x, axis=None):
    """Return the cumulative sum of ``x`` along ``axis`` (of the flattened ``x`` for None)."""
    return _cumulative("add", x, axis)


def cumprod(x, axis=None):
    """Return the cumulative product of ``x`` along ``axis`` (flattened for None)."""
    return _cumulative("mul", x, axis)


# ---------------------------------------------------------------- repeat


class Repeat(Op):
    """Each element of ``x`` repeated along ``axis``: a count scalar, or one count per element."""

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = int(axis)

    @property
    def name(self):
        return "repeat"

    def __str__(self):
        return f"repeat{{axis={self.axis}}}"

    def make_node(self, x, repeats):
        x = as_tensor_variable(x)
        repeats = as_tensor_variable(repeats)
        if dtype_kind(repeats.type.dtype) not in _INTS or repeats.type.ndim > 1:
            raise TypeError(f"repeat: repeats must be an int scalar or vector; got "
                            f"{_describe(repeats)}")
        _check_axis(x, self.axis, "repeat")
        shape = list(x.type.shape)
        size = shape[self.axis]
        if isinstance(repeats, Constant) and repeats.type.ndim == 0 and size is not None:
            shape[self.axis] = size * int(repeats.data)
        elif isinstance(repeats, Constant) and repeats.type.ndim == 1:
            shape[self.axis] = int(np.sum(repeats.data))
        else:
            shape[self.axis] = None
        return Apply(self, [x, repeats], [TensorType(x.type.dtype, tuple(shape))])

    def perform(self, node, inputs):
        x, repeats = inputs
        try:
            return [np.repeat(x, repeats, axis=self.axis)]
        except ValueError as exc:
            raise ValueError(f"repeat: cannot repeat {node.inputs[0]} of shape {np.shape(x)} "
                             f"by {node.inputs[1]} = {repeats!r:.60} along axis {self.axis}: "
                             f"{exc}") from None

    def connection_pattern(self, node):
        return [[True], [False]]

    def grad(self, node, output_grads):
        """For a count scalar r: g reshaped to put the r copies on an axis of their own, summed.

        A vector of counts has no gradient rule (as in Theano).
        """
        (g,) = output_grads
        x, repeats = node.inputs
        if g is None or not _differentiable(x):
            return [None, None]
        if repeats.type.ndim != 0:
            raise GradientNotImplemented("repeat: no gradient for a vector of counts "
                                         f"({repeats}), as in Theano; repeat by a scalar")
        from symlab.tensor.shape import stack
        sizes = [x.shape[a] for a in range(x.type.ndim)]
        split = sizes[:self.axis + 1] + [repeats] + sizes[self.axis + 1:]
        from symlab.tensor.math import cast
        shaped = g.reshape(stack([cast(s, "int64") for s in split]), ndim=x.type.ndim + 1)
        return [shaped.sum(axis=self.axis + 1), None]


def repeat(x, repeats, axis=None):
    """Return ``x`` with each element repeated ``repeats`` times along ``axis``.

    ``repeats`` is an int or int scalar (differentiable in ``x``) or a vector of
    counts, one per element along ``axis``; ``axis=None`` repeats the flattened ``x``.
    """
    x = as_tensor_variable(x)
    if axis is None:
        x, axis = x.flatten(), 0
    return Repeat(axis)(x, repeats)


# ---------------------------------------------------------- searchsorted


class SearchSorted(Op):
    """Indices (int64) where ``v`` would go into the sorted vector ``x`` (NumPy's rule)."""

    __props__ = ("side",)

    def __init__(self, side="left"):
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right'; got {side!r}")
        self.side = side

    @property
    def name(self):
        return "searchsorted"

    def make_node(self, x, v, sorter=None):
        x = as_tensor_variable(x)
        v = as_tensor_variable(v)
        if x.type.ndim != 1:
            raise TypeError(f"searchsorted: x must be a vector; got {_describe(x)}")
        inputs = [x, v]
        if sorter is not None:
            sorter = as_tensor_variable(sorter)
            if sorter.type.ndim != 1 or dtype_kind(sorter.type.dtype) not in _INTS:
                raise TypeError(f"searchsorted: sorter must be an int vector; got "
                                f"{_describe(sorter)}")
            inputs.append(sorter)
        return Apply(self, inputs, [TensorType("int64", v.type.shape)])

    def perform(self, node, inputs):
        x, v, *sorter = inputs
        out = np.searchsorted(x, v, side=self.side, sorter=sorter[0] if sorter else None)
        return [np.asarray(out, dtype=np.int64)]

    def connection_pattern(self, node):
        return [[False] for _ in node.inputs]

    def grad(self, node, output_grads):
        return [None] * len(node.inputs)


def searchsorted(x, v, side="left", sorter=None):
    """Return the int64 indices where the values ``v`` would be inserted in sorted ``x``."""
    return SearchSorted(side)(x, v, sorter)


# --------------------------------------------------------------- nonzero


class NonZero(Op):
    """The indices of the nonzero elements of ``x``: one int64 vector per dimension."""

    __props__ = ()

    @property
    def name(self):
        return "nonzero"

    def make_node(self, x):
        x = as_tensor_variable(x)
        if x.type.ndim == 0:
            raise TypeError(f"nonzero: {x} is 0-d; give a tensor with at least one dimension")
        outputs = [TensorType("int64", (None,)) for _ in range(x.type.ndim)]
        return Apply(self, [x], outputs)

    def perform(self, node, inputs):
        return [index.astype(np.int64) for index in np.nonzero(inputs[0])]

    def connection_pattern(self, node):
        return [[False] * len(node.outputs)]

    def grad(self, node, output_grads):
        return [None]


def nonzero(a, return_matrix=False):
    """Return the indices of ``a``'s nonzero elements: a tuple of int64 vectors, one per
    dimension, or (``return_matrix=True``) one ``(ndim, count)`` int64 matrix."""
    a = as_tensor_variable(a)
    indices = NonZero()(a)
    indices = indices if isinstance(indices, list) else [indices]
    if return_matrix:
        from symlab.tensor.shape import stack
        return stack(indices)
    return tuple(indices)


def flatnonzero(a):
    """Return the int64 indices of the nonzero elements of the flattened ``a``."""
    return nonzero(as_tensor_variable(a).flatten())[0]


# ---------------------------------------------------------------- choose


class Choose(Op):
    """NumPy's ``choose``: element i of the result is ``choices[a[i]][i]`` (broadcast).

    The choices are the inputs after ``a``, one tensor each; with ``stacked=True``
    there is one input whose first axis enumerates them. No gradient (as in Theano).
    """

    __props__ = ("mode", "stacked")

    def __init__(self, mode="raise", stacked=False):
        if mode not in ("raise", "wrap", "clip"):
            raise ValueError(f"choose: mode must be 'raise', 'wrap' or 'clip'; got {mode!r}")
        self.mode = mode
        self.stacked = bool(stacked)

    @property
    def name(self):
        return "choose"

    def make_node(self, a, *choices):
        a = as_tensor_variable(a)
        choices = [as_tensor_variable(c) for c in choices]
        if dtype_kind(a.type.dtype) not in _INTS:
            raise TypeError(f"choose: the indices must be integers; got {_describe(a)}")
        if self.stacked and (len(choices) != 1 or choices[0].type.ndim == 0):
            raise TypeError("choose: stacked choices are one tensor with a first axis "
                            "enumerating them")
        if not choices:
            raise TypeError("choose: needs at least one choice")
        shapes = [a.type.shape] + ([choices[0].type.shape[1:]] if self.stacked
                                   else [c.type.shape for c in choices])
        ndim = max(len(s) for s in shapes)
        padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
        out = []
        for sizes in zip(*padded):
            known = [s for s in sizes if s not in (None, 1)]
            out.append(known[0] if known else (1 if all(s == 1 for s in sizes) else None))
        dtype = upcast(*(c.type.dtype for c in choices))
        return Apply(self, [a, *choices], [TensorType(dtype, tuple(out))])

    def perform(self, node, inputs):
        a, *choices = inputs
        if self.stacked:
            choices = choices[0]
        try:
            return [np.asarray(np.choose(a, choices, mode=self.mode),
                               dtype=node.outputs[0].type.numpy_dtype)]
        except ValueError as exc:
            raise ValueError(f"choose: {node.inputs[0]} (values {np.min(a, initial=0)}.."
                             f"{np.max(a, initial=0)}) with {len(choices)} choices: {exc}"
                             ) from None


def choose(a, choices, out=None, mode="raise"):
    """Return ``choices[a]`` elementwise (NumPy's ``choose``).

    ``choices`` is a list of tensors (broadcast together with ``a``) or one tensor
    whose first axis enumerates them.
    """
    if out is not None:
        raise ValueError("choose: out= is not supported (symbolic results are new)")
    if isinstance(choices, (list, tuple)):
        return Choose(mode)(a, *choices)
    return Choose(mode, stacked=True)(a, choices)


# ----------------------------------------------------- built from indexing


def compress(condition, x, axis=None):
    """Return the slices of ``x`` along ``axis`` where ``condition`` (a vector) is nonzero.

    ``axis=None`` works on the flattened ``x``.
    """
    x = as_tensor_variable(x)
    indices = flatnonzero(condition)
    if axis is None:
        return x.flatten()[indices]
    from symlab.tensor.arrays import take
    return take(x, indices, axis=axis)


def diff(x, n=1, axis=-1):
    """Return the ``n``-th discrete difference of ``x`` along ``axis`` (NumPy's ``diff``)."""
    x = as_tensor_variable(x)
    axis = _check_axis(x, axis, "diff")
    for _ in range(n):
        head = [slice(None)] * x.type.ndim
        tail = [slice(None)] * x.type.ndim
        head[axis], tail[axis] = slice(1, None), slice(None, -1)
        x = x[tuple(head)] - x[tuple(tail)]
    return x


def squeeze(x):
    """Return ``x`` without its dimensions of static size 1 (``T.squeeze``)."""
    from symlab.tensor.shape import squeeze as squeeze_static
    return squeeze_static(x)


def cpu_contiguous(x):
    """Return ``x`` (symlab's NumPy backend needs no contiguity marker; Theano's op copied)."""
    return as_tensor_variable(x)


def to_one_hot(y, nb_class, dtype=None):
    """Return the one-hot matrix of the int vector ``y``: row i has a 1 in column ``y[i]``.

    ``dtype`` defaults to ``config.floatX``.
    """
    from symlab.tensor.creation import arange
    from symlab.tensor.math import cast, eq
    from symlab.tensor.type import _normalize_dtype
    y = as_tensor_variable(y)
    if y.type.ndim != 1 or dtype_kind(y.type.dtype) not in _INTS:
        raise TypeError(f"to_one_hot: y must be an int vector; got {_describe(y)}")
    return cast(eq(y.dimshuffle(0, "x"), arange(nb_class, dtype=y.type.dtype)),
                _normalize_dtype(dtype))


def _diagonal_indices(a, offset):
    from symlab.tensor.creation import arange
    from symlab.tensor.math import maximum, minimum
    rows, cols = a.shape[0], a.shape[1]
    below, above = (-offset, 0) if isinstance(offset, int) and offset < 0 else (0, offset)
    if isinstance(offset, int):
        length = maximum(0, minimum(rows - below, cols - above))
    else:
        offset = as_tensor_variable(offset)
        from symlab.tensor.math import switch
        below = switch(offset < 0, -offset, 0)
        above = switch(offset > 0, offset, 0)
        length = maximum(0, minimum(rows - below, cols - above))
    steps = arange(length, dtype="int64")
    return steps + below, steps + above


def fill_diagonal(a, val):
    """Return the matrix ``a`` with its main diagonal set to the scalar ``val``."""
    return fill_diagonal_offset(a, val, 0)


def fill_diagonal_offset(a, val, offset):
    """Return the matrix ``a`` with its diagonal at ``offset`` (an int or int scalar) set
    to the scalar ``val``."""
    from symlab.tensor.subtensor import set_subtensor
    a = as_tensor_variable(a)
    if a.type.ndim != 2:
        raise TypeError(f"fill_diagonal: expected a matrix; got {_describe(a)}")
    rows, cols = _diagonal_indices(a, offset)
    return set_subtensor(a[rows, cols], val)


class BinCount(Op):
    """NumPy's ``bincount`` of a non-negative int vector (optionally weighted); no gradient."""

    __props__ = ("minlength",)

    def __init__(self, minlength=None):
        self.minlength = None if minlength is None else int(minlength)

    @property
    def name(self):
        return "bincount"

    def make_node(self, x, weights=None):
        x = as_tensor_variable(x)
        if x.type.ndim != 1 or dtype_kind(x.type.dtype) not in _INTS:
            raise TypeError(f"bincount: x must be an int vector; got {_describe(x)}")
        inputs, dtype = [x], "int64"
        if weights is not None:
            weights = as_tensor_variable(weights)
            inputs.append(weights)
            dtype = "float64"
        return Apply(self, inputs, [TensorType(dtype, (None,))])

    def perform(self, node, inputs):
        x, *weights = inputs
        out = np.bincount(x, weights=weights[0] if weights else None,
                          minlength=self.minlength or 0)
        return [np.asarray(out, dtype=node.outputs[0].type.numpy_dtype)]

    def connection_pattern(self, node):
        return [[False] for _ in node.inputs]

    def grad(self, node, output_grads):
        return [None] * len(node.inputs)


def bincount(x, weights=None, minlength=None, assert_nonneg=False):
    """Return how often each value 0..max(x) occurs in the int vector ``x`` (NumPy's rule;
    a negative value is an error when run)."""
    return BinCount(minlength)(x, weights)
