"""Creation ops: ``alloc``, ``zeros``, ``ones``, ``fill``, ``*_like``, ``arange``, ``eye``.

``Alloc`` broadcasts a value to a shape given as scalars (symbolic or not);
``ARange`` and ``Eye`` take their sizes as symbolic scalars too. A static
size is known wherever the scalar giving it is a constant. Sizes of
``zeros``/``ones`` may be a tuple of ints and scalars or a symbolic int
vector of known length such as ``x.shape``.
"""

import math

import numpy as np

from symlab.config import config
from symlab.graph.basic import Apply, Constant, Op
from symlab.tensor.elemwise import check_runtime_broadcast
from symlab.tensor.math import cast
from symlab.tensor.type import TensorType, _normalize_dtype, dtype_kind, upcast
from symlab.tensor.variable import TensorVariable, as_tensor_variable, constant

__all__ = ["Alloc", "ARange", "Eye", "alloc", "zeros", "ones", "full", "fill", "zeros_like",
           "ones_like", "full_like", "arange", "eye"]

_INTEGER_KINDS = ("int", "uint")


def _describe(var):
    return f"{var} of type {var.type}"


def _int_scalar(x, op_name, role):
    """``x`` as a 0-d integer tensor variable, or a TypeError naming it and its ``role``."""
    var = as_tensor_variable(x)
    if var.type.ndim != 0 or dtype_kind(var.type.dtype) not in _INTEGER_KINDS:
        raise TypeError(f"{op_name}: {role} must be an integer scalar; got {_describe(var)}")
    return var


def _static_int(var):
    """The value of a constant integer scalar, else None."""
    if isinstance(var, Constant):
        return int(var.data)
    return None


def _check_size(op_name, role, var):
    size = _static_int(var)
    if size is not None and size < 0:
        raise ValueError(f"{op_name}: {role} must be non-negative; got {size}")
    return size


# ---------------------------------------------------------------- Alloc

class Alloc(Op):
    """Broadcast ``value`` to the shape given by the scalar inputs that follow it.

    The value's dimensions align with the last ones of the shape; as in
    elementwise ops, only dimensions of static size 1 may be stretched.
    The result is a fresh array of the value's dtype.
    """

    __props__ = ()

    @property
    def name(self):
        return "alloc"

    def make_node(self, value, *shape):
        value = as_tensor_variable(value)
        shape = [_int_scalar(s, "alloc", f"shape entry {i}") for i, s in enumerate(shape)]
        if value.type.ndim > len(shape):
            raise ValueError(f"alloc: the value {_describe(value)} has more dimensions than "
                             f"the {len(shape)} shape entries given")
        offset = len(shape) - value.type.ndim
        static = []
        for axis, entry in enumerate(shape):
            size = _check_size("alloc", f"shape entry {axis}", entry)
            value_size = value.type.shape[axis - offset] if axis >= offset else 1
            if value_size not in (None, 1):
                if size is not None and size != value_size:
                    raise ValueError(
                        f"alloc: cannot broadcast the value {_describe(value)} to size {size} "
                        f"in dimension {axis}: its static size there is {value_size}")
                size = value_size
            static.append(size)
        return Apply(self, [value, *shape], [TensorType(value.type.dtype, tuple(static))])

    def grad(self, node, output_grads):
        """The value gets g summed over the axes it was stretched along; shapes get none."""
        from symlab.tensor.elemwise import is_differentiable, unbroadcast
        (g,) = output_grads
        value = node.inputs[0]
        rest = [None] * (len(node.inputs) - 1)
        if g is None or not is_differentiable(value):
            return [None] + rest
        return [unbroadcast(g, value)] + rest

    def perform(self, node, inputs):
        value, *shape = inputs
        shape = tuple(int(s) for s in shape)
        if any(s < 0 for s in shape):
            raise ValueError(f"alloc: negative size in the shape {shape} "
                             f"(shape inputs {', '.join(map(str, node.inputs[1:]))})")
        out = np.empty(shape, dtype=node.outputs[0].type.numpy_dtype)
        try:
            out[...] = value
        except ValueError:
            raise ValueError(f"alloc: cannot broadcast the value {node.inputs[0]} of shape "
                             f"{np.shape(value)} to the shape {shape}") from None
        check_runtime_broadcast(node, inputs, shape)
        return [out]


_ALLOC = Alloc()


def alloc(value, *shape):
    """Return ``value`` broadcast to ``shape`` (ints or symbolic integer scalars).

    Theano's ``T.alloc(value, *shape)``: the result is a new tensor of the
    value's dtype; static sizes are known where the shape entries are constants.
    """
    return _ALLOC(value, *_shape_entries(shape, "alloc"))


def _shape_entries(shape, caller):
    """A list of integer scalars from ``shape``.

    ``shape`` may be an int, a sequence of ints and symbolic scalars, a
    constant vector, or a symbolic 1-d int vector whose length is known
    statically (``x.shape``), whose entries are then taken by indexing.
    """
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if isinstance(shape, np.ndarray):
        shape = tuple(shape.tolist()) if shape.ndim == 1 else shape
    if isinstance(shape, TensorVariable):
        if shape.type.ndim == 0:
            return [_int_scalar(shape, caller, "the shape")]
        if shape.type.ndim != 1 or dtype_kind(shape.type.dtype) not in _INTEGER_KINDS:
            raise TypeError(f"{caller}: the shape must be a 1-d integer vector or a tuple; "
                            f"got {_describe(shape)}")
        if isinstance(shape, Constant):
            return [constant(np.int64(s)) for s in shape.data]
        length = shape.type.shape[0]
        if length is None:
            raise ValueError(f"{caller}: the shape vector {_describe(shape)} has no static "
                             "length, so the number of dimensions is unknown; give a tuple")
        return [shape[i] for i in range(length)]
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"{caller}: the shape must be a tuple of ints or integer scalars, or "
                        f"an integer vector; got {shape!r:.60}")
    entries = []
    for i, s in enumerate(shape):
        if isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_)):
            s = constant(np.int64(s))
        entries.append(_int_scalar(s, caller, f"shape entry {i}"))
    return entries


def _value_of_dtype(value, dtype):
    """``value`` as a scalar of ``dtype``: a constant for numbers, a cast for variables."""
    if isinstance(value, TensorVariable):
        return cast(value, dtype)
    return constant(np.asarray(value, dtype=dtype))


def full(shape, fill_value, dtype=None):
    """Return a tensor of ``shape`` filled with ``fill_value``.

    ``dtype`` defaults to the value's own dtype (a Python number is autocast
    as Theano does: ``full((2,), 1.5)`` is float32).
    """
    value = as_tensor_variable(fill_value) if dtype is None else _value_of_dtype(fill_value, dtype)
    return _ALLOC(value, *_shape_entries(shape, "full"))


def zeros(shape, dtype=None):
    """Return a tensor of zeros of ``shape`` (a tuple of ints and/or integer scalars, or
    an integer vector such as ``x.shape``); ``dtype`` defaults to ``config.floatX``."""
    dtype = _normalize_dtype(dtype)
    return _ALLOC(constant(np.zeros((), dtype=dtype)), *_shape_entries(shape, "zeros"))


def ones(shape, dtype=None):
    """Return a tensor of ones of ``shape`` (as for ``zeros``); dtype defaults to floatX."""
    dtype = _normalize_dtype(dtype)
    return _ALLOC(constant(np.ones((), dtype=dtype)), *_shape_entries(shape, "ones"))


def _shape_scalars(model):
    """The shape of ``model`` as scalars: constants for static sizes, else ``model.shape[i]``."""
    sizes = model.type.shape
    if None not in sizes:
        return [constant(np.int64(s)) for s in sizes]
    shape_vector = model.shape
    return [constant(np.int64(s)) if s is not None else shape_vector[i]
            for i, s in enumerate(sizes)]


def fill(model, value):
    """Return ``value`` broadcast to the shape of ``model`` (Theano's ``T.fill``).

    The result has ``value``'s dtype (a Python number is autocast); ``value``
    may not have more dimensions than ``model``.
    """
    model, value = as_tensor_variable(model), as_tensor_variable(value)
    if value.type.ndim > model.type.ndim:
        raise ValueError(f"fill: the value {_describe(value)} has more dimensions than the "
                         f"model {_describe(model)}")
    return _ALLOC(value, *_shape_scalars(model))


def full_like(x, fill_value, dtype=None):
    """Return a tensor shaped like ``x`` filled with ``fill_value``, of ``dtype``
    (default: ``x``'s dtype)."""
    x = as_tensor_variable(x)
    dtype = x.type.dtype if dtype is None else _normalize_dtype(dtype)
    return fill(x, _value_of_dtype(fill_value, dtype))


def zeros_like(x, dtype=None):
    """Return zeros shaped like ``x``, of ``dtype`` (default: ``x``'s dtype)."""
    return full_like(x, 0, dtype)


def ones_like(x, dtype=None):
    """Return ones shaped like ``x``, of ``dtype`` (default: ``x``'s dtype)."""
    return full_like(x, 1, dtype)


# ---------------------------------------------------------------- ARange

def _real_scalar(x, role):
    var = as_tensor_variable(x)
    if var.type.ndim != 0 or dtype_kind(var.type.dtype) not in ("int", "uint", "float"):
        raise TypeError(f"arange: {role} must be a real (int or float) scalar; got "
                        f"{_describe(var)}")
    return var


def _arange_length(start, stop, step, integral):
    """The number of values of ``arange(start, stop, step)``, computed as NumPy does."""
    if integral:
        return max(0, -((start - stop) // step))
    return max(0, math.ceil((stop - start) / step))


class ARange(Op):
    """The values ``start, start + step, ...`` below ``stop`` (above, for a negative step),
    as a vector of ``dtype``."""

    __props__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = _normalize_dtype(dtype)

    @property
    def name(self):
        return "arange"

    def __str__(self):
        return f"arange{{dtype={self.dtype}}}"

    def make_node(self, start, stop, step):
        start, stop, step = (_real_scalar(start, "start"), _real_scalar(stop, "stop"),
                             _real_scalar(step, "step"))
        length = None
        if all(isinstance(v, Constant) for v in (start, stop, step)):
            values = [v.data.item() for v in (start, stop, step)]
            if values[2] == 0:
                raise ValueError(f"arange: the step {step} is zero")
            integral = all(dtype_kind(v.type.dtype) in _INTEGER_KINDS
                           for v in (start, stop, step))
            if all(math.isfinite(v) for v in values):
                length = _arange_length(*values, integral)
        return Apply(self, [start, stop, step], [TensorType(self.dtype, (length,))])

    def grad(self, node, output_grads):
        """The result depends only on sizes and bounds: no gradient flows."""
        return [None] * len(node.inputs)

    def perform(self, node, inputs):
        start, stop, step = (np.asarray(v).item() for v in inputs)
        if step == 0:
            raise ValueError(f"arange: the step ({node.inputs[2]}) is zero")
        return [np.arange(start, stop, step, dtype=node.outputs[0].type.numpy_dtype)]


def arange(start, stop=None, step=1, dtype=None):
    """Return the vector ``[start, start + step, ...]`` stopping before ``stop``.

    ``arange(n)`` counts from 0 to n - 1. Arguments may be numbers or
    symbolic scalars. The dtype is the upcast of the three arguments' dtypes
    (Python numbers autocast, as in Theano) unless ``dtype`` is given.
    """
    if stop is None:
        start, stop = 0, start
    start, stop, step = (_real_scalar(start, "start"), _real_scalar(stop, "stop"),
                         _real_scalar(step, "step"))
    if dtype is None:
        dtype = upcast(start.type.dtype, stop.type.dtype, step.type.dtype)
    return ARange(dtype)(start, stop, step)


# ---------------------------------------------------------------- Eye

class Eye(Op):
    """An ``n`` by ``m`` matrix of ``dtype`` with ones on diagonal ``k`` (0: the main one,
    positive: above it), zeros elsewhere."""

    __props__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = _normalize_dtype(dtype)

    @property
    def name(self):
        return "eye"

    def __str__(self):
        return f"eye{{dtype={self.dtype}}}"

    def make_node(self, n, m, k):
        n, m, k = _int_scalar(n, "eye", "n"), _int_scalar(m, "eye", "m"), _int_scalar(k, "eye", "k")
        shape = (_check_size("eye", "n", n), _check_size("eye", "m", m))
        return Apply(self, [n, m, k], [TensorType(self.dtype, shape)])

    def grad(self, node, output_grads):
        """The result depends only on sizes and bounds: no gradient flows."""
        return [None] * len(node.inputs)

    def perform(self, node, inputs):
        n, m, k = (int(v) for v in inputs)
        if n < 0 or m < 0:
            raise ValueError(f"eye: the sizes must be non-negative; got n={n}, m={m}")
        return [np.eye(n, m, k, dtype=node.outputs[0].type.numpy_dtype)]


def eye(n, m=None, k=0, dtype=None):
    """Return the ``n`` x ``m`` identity-like matrix with ones on diagonal ``k``.

    ``m`` defaults to ``n``; ``dtype`` defaults to ``config.floatX``.
    """
    n = _int_scalar(n, "eye", "n")
    m = n if m is None else m
    dtype = config.floatX if dtype is None else dtype
    return Eye(dtype)(n, m, k)
