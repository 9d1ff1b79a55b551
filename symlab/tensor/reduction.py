"""Reductions: ``sum``, ``prod``, ``max``, ``min``, ``argmax``, ``argmin``, ``all``, ``any``,
and the composites ``mean``, ``var``, ``std``.

One op class, ``Reduce``, covers every reduction: it is parametrized by the
reduction ``kind`` (a key of ``REDUCTIONS``), a normalized ``axis`` (None for
all axes, else a sorted tuple of non-negative ints) and, for ``sum`` and
``prod``, an explicit result ``dtype``. The op itself never keeps dimensions:
``keepdims=True`` is a ``DimShuffle`` inserting broadcastable axes after it.

Result dtypes follow Theano: ``sum``/``prod`` of bool and signed ints is
int64, of unsigned ints uint64, floats and complex keep their dtype;
``max``/``min`` keep the dtype; ``argmax``/``argmin`` give int64;
``all``/``any`` give bool. ``mean`` of ints is float64, of float32 float32.
"""

import builtins  # this module defines sum, max, min, all, any: builtins.* are Python's
import math
from dataclasses import dataclass

import numpy as np

from symlab.graph.basic import Apply, Constant, Op
from symlab.tensor import math as tm
from symlab.tensor.elemwise import DimShuffle
from symlab.tensor.shape import shape
from symlab.tensor.type import TensorType, _normalize_dtype, dtype_kind
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["Reduce", "REDUCTIONS", "normalize_axis", "sum", "prod", "mean", "var", "std",
           "max", "min", "argmax", "argmin", "all", "any"]


# ---------------------------------------------------------------- result dtypes

def _dtype_accumulate(dtype):
    """sum/prod: bool and signed ints widen to int64, unsigned to uint64."""
    kind = dtype_kind(dtype)
    if kind in ("bool", "int"):
        return "int64"
    if kind == "uint":
        return "uint64"
    return dtype


def _dtype_same(dtype):
    return dtype


def _dtype_index(dtype):
    return "int64"


def _dtype_bool(dtype):
    return "bool"


def _argreduce(numpy_fn):
    """Wrap np.argmax/np.argmin so that a tuple of axes is one flattened block.

    The reduced axes move to the end and merge into one (C order), so the index
    counts over those axes in row-major order; all axes is the flattened array.
    """

    def reduce(x, axis):
        if axis is None:
            return numpy_fn(x, axis=None)
        if len(axis) == 1:
            return numpy_fn(x, axis=axis[0])
        kept = [a for a in range(x.ndim) if a not in axis]
        moved = np.transpose(x, kept + list(axis))
        merged = moved.reshape([x.shape[a] for a in kept] + [-1])
        return numpy_fn(merged, axis=-1)

    return reduce


def _plain(numpy_fn, takes_dtype=False):
    if takes_dtype:
        return lambda x, axis, dtype: numpy_fn(x, axis=axis, dtype=dtype)
    return lambda x, axis: numpy_fn(x, axis=axis)


@dataclass(frozen=True)
class Reduction:
    """One kind of reduction: its NumPy function and its result-dtype rule."""

    name: str
    numpy: object            # f(x, axis) or, when takes_dtype, f(x, axis, dtype)
    out_dtype: object        # input dtype -> default result dtype
    takes_dtype: bool = False  # the op accepts an explicit result dtype (sum, prod)


# name                           NumPy                               dtype rule
REDUCTIONS = {r.name: r for r in [
    Reduction("sum",    _plain(np.sum, takes_dtype=True),  _dtype_accumulate, takes_dtype=True),
    Reduction("prod",   _plain(np.prod, takes_dtype=True), _dtype_accumulate, takes_dtype=True),
    Reduction("max",    _plain(np.max),                    _dtype_same),
    Reduction("min",    _plain(np.min),                    _dtype_same),
    Reduction("argmax", _argreduce(np.argmax),             _dtype_index),
    Reduction("argmin", _argreduce(np.argmin),             _dtype_index),
    Reduction("all",    _plain(np.all),                    _dtype_bool),
    Reduction("any",    _plain(np.any),                    _dtype_bool),
]}


# ---------------------------------------------------------------- axes

def normalize_axis(x, axis, caller):
    """Return ``axis`` for tensor ``x`` as None (every axis) or a sorted tuple of axes.

    ``axis`` may be None, an int (negative counts from the end) or a sequence
    of ints. An axis out of range or given twice raises ValueError naming
    ``x``, its type and the axis. A tuple covering every axis of a tensor of
    one or more dimensions becomes None.
    """
    if axis is None:
        return None
    items = axis if isinstance(axis, (list, tuple)) else (axis,)
    ndim = x.type.ndim
    result = []
    for a in items:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{caller}: axis must be None, an int or a tuple of ints; got "
                            f"{axis!r} for {x} of type {x.type}")
        if not -ndim <= a < ndim:
            valid = (f"valid axes: {-ndim} to {ndim - 1}" if ndim
                     else "a 0-d tensor has no axes; use axis=None")
            raise ValueError(f"{caller}: axis {int(a)} is out of range for {x} of type "
                             f"{x.type}, which has {ndim} dimension{'' if ndim == 1 else 's'}"
                             f" ({valid})")
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"{caller}: axis {axis!r} names the same axis of {x} of type {x.type} "
                         "twice")
    result = tuple(sorted(result))
    if ndim > 0 and len(result) == ndim:
        return None
    return result


def _reduced_axes(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis


# ---------------------------------------------------------------- the op

class Reduce(Op):
    """Reduce a tensor over ``axis`` with the reduction ``kind``.

    ``axis`` is None (every axis; argmax/argmin then index the flattened array)
    or a sorted tuple of non-negative axes. ``dtype`` (sum and prod only) is an
    explicit result dtype; None means the kind's default rule.
    """

    __props__ = ("kind", "axis", "dtype")

    def __init__(self, kind, axis=None, dtype=None):
        if kind not in REDUCTIONS:
            raise ValueError(f"Reduce: unknown kind {kind!r}; expected one of "
                             f"{', '.join(REDUCTIONS)}")
        if axis is not None:
            axis = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
            well_formed = builtins.all(
                isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))
                and a >= 0 for a in axis)
            if not well_formed or list(axis) != sorted(set(axis)):
                raise ValueError(f"Reduce: axis must be None or a sorted tuple of distinct "
                                 f"non-negative ints (use symlab.tensor.{kind}, which "
                                 f"normalizes it); got {axis!r}")
            axis = tuple(int(a) for a in axis)
        if dtype is not None:
            if not REDUCTIONS[kind].takes_dtype:
                raise TypeError(f"{kind} does not take a dtype; its result dtype is fixed")
            dtype = _normalize_dtype(dtype)
        self.kind = kind
        self.axis = axis
        self.dtype = dtype

    @property
    def name(self):
        return self.kind

    def __str__(self):
        params = []
        if self.axis is not None:
            params.append(f"axis={self.axis}")
        if self.dtype is not None:
            params.append(f"dtype={self.dtype}")
        return f"{self.kind}{{{', '.join(params)}}}" if params else self.kind

    def make_node(self, x):
        x = as_tensor_variable(x)
        ndim = x.type.ndim
        if self.axis and self.axis[-1] >= ndim:
            raise ValueError(f"{self}: axis {self.axis[-1]} is out of range for {x} of type "
                             f"{x.type}, which has {ndim} dimension{'s' if ndim != 1 else ''}")
        reduced = _reduced_axes(self.axis, ndim)
        shape = tuple(s for a, s in enumerate(x.type.shape) if a not in reduced)
        return Apply(self, [x], [TensorType(self.result_dtype(x.type.dtype), shape)])

    def output_is_fresh(self, node):
        """The result is always a new array, never a view of an input."""
        return True

    def grad(self, node, output_grads):
        """sum: spread g back; prod: g * prod / x; max/min: g where x equals the result.

        The index and boolean reductions are flat: zero gradient.
        """
        from symlab.tensor.creation import zeros_like
        from symlab.tensor.elemwise import is_differentiable
        from symlab.tensor import math as tm
        (x,) = node.inputs
        (g,) = output_grads
        if g is None or not is_differentiable(x):
            return [None]
        if self.kind in ("argmax", "argmin", "all", "any"):
            return [zeros_like(x)]
        spread = tm.add(_keep_dims(g, x, self.axis), zeros_like(x, dtype=g.type.dtype))
        if self.kind == "sum":
            result = spread
        elif self.kind == "prod":
            result = tm.mul(spread, tm.true_div(_keep_dims(node.outputs[0], x, self.axis), x))
        else:
            result = tm.mul(spread, tm.eq(x, _keep_dims(node.outputs[0], x, self.axis)))
        return [tm.cast(result, x.type.dtype)]

    def result_dtype(self, input_dtype):
        """The dtype of the result for an input of ``input_dtype``."""
        if self.dtype is not None:
            return self.dtype
        return REDUCTIONS[self.kind].out_dtype(input_dtype)

    def _compute(self, node):
        """A function of the input value computing the reduction with NumPy."""
        reduction, axis = REDUCTIONS[self.kind], self.axis
        fn = reduction.numpy
        if reduction.takes_dtype:
            dtype = node.outputs[0].type.numpy_dtype
            return lambda x: fn(x, axis, dtype)
        return lambda x: fn(x, axis)

    def perform(self, node, inputs):
        (x,) = inputs
        result = self._compute(node)(np.asarray(x))
        return [np.asarray(result, dtype=node.outputs[0].type.numpy_dtype)]

    def numpy_callable(self, node):
        """A direct NumPy call; its result has the node's dtype (0-d may be a NumPy scalar)."""
        compute = self._compute(node)
        out_dtype = node.outputs[0].type.numpy_dtype
        if self.kind in ("argmax", "argmin"):  # NumPy gives intp
            return lambda x: np.asarray(compute(x), dtype=out_dtype)
        return compute  # sum/prod pass dtype=; max/min keep it; all/any give bool


# ---------------------------------------------------------------- helpers

def _keep_dims(result, x, axis):
    """Reinsert the reduced axes of ``x`` into ``result`` as broadcastable dimensions."""
    reduced = _reduced_axes(axis, x.type.ndim)
    order, kept = [], 0
    for a in range(x.type.ndim):
        if a in reduced:
            order.append("x")
        else:
            order.append(kept)
            kept += 1
    if not order:
        return result
    return DimShuffle(tuple(order))(result)


def _reduce(kind, x, axis, keepdims, dtype=None):
    x = as_tensor_variable(x)
    axis = normalize_axis(x, axis, kind)
    if dtype is not None:
        dtype = _normalize_dtype(dtype)
        if dtype == REDUCTIONS[kind].out_dtype(x.type.dtype):
            dtype = None  # the default: one op, so equal graphs merge
    result = Reduce(kind, axis, dtype)(x)
    return _keep_dims(result, x, axis) if keepdims else result


def _count(x, axis, dtype):
    """The number of elements reduced over ``axis``, as a ``dtype`` scalar.

    A constant when the reduced dimensions have static sizes; otherwise
    ``prod(x.shape)`` (every axis) or the product of ``x.shape[a]`` over the
    reduced axes ``a`` of unknown size, times the known ones.
    """
    reduced = _reduced_axes(axis, x.type.ndim)
    unknown = [a for a in reduced if x.type.shape[a] is None]
    known = math.prod(x.type.shape[a] for a in reduced if x.type.shape[a] is not None)
    if not unknown:
        return constant(np.asarray(known, dtype=dtype))
    if axis is None:
        count = prod(shape(x))
    else:
        shape_vector = shape(x)
        factors = [shape_vector[a] for a in unknown]
        if known != 1:
            factors.append(constant(np.int64(known)))
        count = factors[0] if len(factors) == 1 else tm.mul(*factors)
    return tm.cast(count, dtype)


def _float_for(dtype):
    """The float dtype a mean of ``dtype`` values is computed in (complex: its real part)."""
    kind = dtype_kind(dtype)
    if kind in ("bool", "int", "uint"):
        return "float64"
    return {"complex64": "float32", "complex128": "float64"}.get(dtype, dtype)


# ---------------------------------------------------------------- public functions

def sum(x, axis=None, dtype=None, keepdims=False):
    """Return the sum of ``x`` over ``axis`` (None: every axis; an int; a tuple).

    The result dtype is int64 for bool and signed ints, uint64 for unsigned
    ints, the input dtype for floats and complex; ``dtype`` overrides it.
    ``keepdims`` keeps the reduced axes as broadcastable size-1 dimensions.
    """
    return _reduce("sum", x, axis, keepdims, dtype)


def prod(x, axis=None, dtype=None, keepdims=False):
    """Return the product of ``x`` over ``axis``; dtypes as for ``sum``."""
    return _reduce("prod", x, axis, keepdims, dtype)


def max(x, axis=None, keepdims=False):
    """Return the maximum of ``x`` over ``axis`` (same dtype as ``x``).

    An empty reduction raises when evaluated, as in NumPy.
    """
    return _reduce("max", x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    """Return the minimum of ``x`` over ``axis`` (same dtype as ``x``)."""
    return _reduce("min", x, axis, keepdims)


def argmax(x, axis=None, keepdims=False):
    """Return the int64 index of the maximum of ``x`` over ``axis``.

    ``axis=None`` indexes the flattened array; a tuple of axes indexes the
    block of those axes flattened in row-major order.
    """
    return _reduce("argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Return the int64 index of the minimum of ``x`` over ``axis`` (see ``argmax``)."""
    return _reduce("argmin", x, axis, keepdims)


def all(x, axis=None, keepdims=False):
    """Return a bool tensor: True where every element of ``x`` over ``axis`` is nonzero."""
    return _reduce("all", x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    """Return a bool tensor: True where some element of ``x`` over ``axis`` is nonzero."""
    return _reduce("any", x, axis, keepdims)


def mean(x, axis=None, dtype=None, keepdims=False):
    """Return the mean of ``x`` over ``axis``: a sum divided by the element count.

    The sum is taken in ``dtype`` if given (else as ``sum`` does); integer sums
    are then cast to float64, so the mean of an int tensor is float64 and of
    a float32 tensor float32. The count is cast to the sum's float dtype.
    """
    x = as_tensor_variable(x)
    axis = normalize_axis(x, axis, "mean")
    total = sum(x, axis=axis, dtype=dtype)
    float_dtype = _float_for(total.type.dtype)
    if dtype_kind(total.type.dtype) in ("bool", "int", "uint"):
        total = tm.cast(total, float_dtype)
    result = tm.true_div(total, _count(x, axis, float_dtype))
    return _keep_dims(result, x, axis) if keepdims else result


def var(x, axis=None, ddof=0, keepdims=False):
    """Return the variance of ``x`` over ``axis``: sum((x - mean)**2) / (count - ddof).

    Float dtypes as for ``mean`` (int input gives float64). ``ddof=1`` is the
    unbiased estimate.
    """
    x = as_tensor_variable(x)
    axis = normalize_axis(x, axis, "var")
    if isinstance(ddof, (bool, np.bool_)) or not isinstance(ddof, (int, np.integer)):
        raise TypeError(f"var: ddof must be an int; got {ddof!r}")
    centered = tm.sub(x, mean(x, axis=axis, keepdims=True))
    if dtype_kind(x.type.dtype) == "complex":
        squares = tm.sqr(tm.abs(centered))  # |x - mean|**2, real
    else:
        squares = tm.sqr(centered)
    total = sum(squares, axis=axis)
    float_dtype = _float_for(total.type.dtype)
    count = _count(x, axis, float_dtype)
    if ddof:
        if isinstance(count, Constant):
            count = constant(np.asarray(count.data - ddof, dtype=float_dtype))
        else:
            count = tm.sub(count, constant(np.asarray(ddof, dtype=float_dtype)))
    result = tm.true_div(total, count)
    return _keep_dims(result, x, axis) if keepdims else result


def std(x, axis=None, ddof=0, keepdims=False):
    """Return the standard deviation of ``x`` over ``axis``: ``sqrt(var(x, axis, ddof))``."""
    return tm.sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))
