"""Theano's array functions built from existing ops (so each has its gradient for free).

``tile``, ``roll``, ``identity_like``, ``ptp``, ``max_and_argmax``, ``stacklists``,
``mgrid``/``ogrid``, ``diagonal``, ``trace``, ``take``, ``swapaxes``, ``norm``,
``deg2rad``/``rad2deg``, ``batched_dot`` and ``batched_tensordot``: each is a few
lines over alloc, dimshuffle, reshape, indexing, reductions and ``matmul``.
"""

import builtins

import numpy as np

from symlab.graph.basic import Constant, Variable
from symlab.tensor.creation import alloc, arange, eye
from symlab.tensor.linalg import matmul
from symlab.tensor.math import abs as abs_, clip, lt, maximum, minimum, mod, pow, switch
from symlab.tensor.reduction import argmax, max, min, sum
from symlab.tensor.shape import concatenate, stack
from symlab.tensor.type import dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["tile", "roll", "identity_like", "ptp", "max_and_argmax", "stacklists", "mgrid",
           "ogrid", "diagonal", "trace", "take", "swapaxes", "norm", "deg2rad", "rad2deg",
           "batched_dot", "batched_tensordot"]

_INTS = ("int", "uint")


def _describe(var):
    return f"{var} of type {var.type}"


def _axis(x, axis, caller):
    if not -x.type.ndim <= axis < x.type.ndim:
        raise ValueError(f"{caller}: axis {axis} is out of range for {_describe(x)}")
    return axis % x.type.ndim


def _size(x, axis):
    """The size of ``x`` along ``axis``: an int when static, else a symbolic int64 scalar."""
    static = x.type.shape[axis]
    return static if static is not None else x.shape[axis]


def _product(sizes):
    result = 1
    for s in sizes:
        result = result * s
    return result


def _int_entry(r, caller):
    if isinstance(r, (int, np.integer)) and not isinstance(r, bool):
        return int(r)
    r = as_tensor_variable(r)
    if r.type.ndim != 0 or dtype_kind(r.type.dtype) not in _INTS:
        raise TypeError(f"{caller}: entries must be ints or int scalars; got {_describe(r)}")
    return int(r.data) if isinstance(r, Constant) else r


def tile(x, reps, ndim=None):
    """Return ``x`` repeated ``reps`` times along each axis (``numpy.tile``).

    ``reps`` is an int, a list of ints and int scalars, or an int vector (then
    ``ndim``, the result's number of dimensions, is required).
    """
    x = as_tensor_variable(x)
    if isinstance(reps, Variable) and reps.type.ndim == 1 and not isinstance(reps, Constant):
        if ndim is None:
            raise ValueError("tile: reps is a symbolic vector; give ndim= as well")
        if reps.type.shape[0] is not None and reps.type.shape[0] > ndim:
            raise ValueError(f"tile: reps {reps} has more entries than ndim={ndim}")
        if reps.type.shape[0] is not None:
            reps = [reps[i] for i in range(reps.type.shape[0])]
        else:
            # Theano's reading: reps fills the last entries, 1 before them (checked when run:
            # a reps longer than ndim fails in the reshape).
            offset = ndim - reps.shape[0]
            reps = [switch(lt(i, offset), 1, reps[maximum(i - offset, 0)])
                    for i in range(ndim)]
    elif not isinstance(reps, (list, tuple)):
        value = as_tensor_variable(reps)
        reps = [reps] if value.type.ndim == 0 else [int(r) for r in np.asarray(value.data)]
    reps = [_int_entry(r, "tile") for r in reps]
    if ndim is None:
        ndim = len(reps) if len(reps) > x.type.ndim else x.type.ndim
    if ndim < x.type.ndim or len(reps) > ndim:
        raise ValueError(f"tile: ndim={ndim} is smaller than the {x.type.ndim} dimensions of "
                         f"{x} or the {len(reps)} entries of reps")
    reps = [1] * (ndim - len(reps)) + reps
    x = x.dimshuffle(["x"] * (ndim - x.type.ndim) + list(range(x.type.ndim)))
    pattern = [p for axis in range(ndim) for p in ("x", axis)]
    sizes = [_size(x, axis) for axis in range(ndim)]
    stretched = alloc(x.dimshuffle(pattern), *[v for r, s in zip(reps, sizes) for v in (r, s)])
    return stretched.reshape([r * s for r, s in zip(reps, sizes)])


def roll(x, shift, axis=None):
    """Return ``x`` rolled by ``shift`` (an int or int scalar) along ``axis``.

    ``axis=None`` rolls the flattened tensor and restores the shape, as ``numpy.roll``.
    """
    x = as_tensor_variable(x)
    if axis is None:
        if x.type.ndim == 1:
            return roll(x, shift, 0)
        return roll(x.flatten(), shift, 0).reshape(x.shape, ndim=x.type.ndim)
    axis = _axis(x, axis, "roll")
    n = _size(x, axis)
    if isinstance(n, int) and isinstance(shift, (int, np.integer)):
        cut = n - int(shift) % n if n else 0
    else:
        cut = n - mod(shift, n)
    head = (slice(None),) * axis + (slice(cut, None),)
    tail = (slice(None),) * axis + (slice(None, cut),)
    return concatenate([x[head], x[tail]], axis=axis)


def identity_like(x):
    """Return the identity matrix with the shape and dtype of the matrix ``x``."""
    x = as_tensor_variable(x)
    if x.type.ndim != 2:
        raise TypeError(f"identity_like: expected a matrix; got {_describe(x)}")
    return eye(_size(x, 0), _size(x, 1), dtype=x.type.dtype)


def ptp(a, axis=None):
    """Return the range (maximum minus minimum) of ``a`` along ``axis``."""
    return max(a, axis=axis) - min(a, axis=axis)


def max_and_argmax(a, axis=None, keepdims=False):
    """Return ``[max(a, axis), argmax(a, axis)]``."""
    return [max(a, axis=axis, keepdims=keepdims), argmax(a, axis=axis, keepdims=keepdims)]


def stacklists(arg):
    """Return the nested lists ``arg`` of scalars (or tensors) stacked into one tensor."""
    if isinstance(arg, (list, tuple)):
        return stack([stacklists(item) for item in arg])
    return as_tensor_variable(arg)


class _Grid:
    """``mgrid[...]`` / ``ogrid[...]``: Theano's meshes of ``arange``s, one tensor per slice."""

    def __init__(self, sparse):
        self.sparse = sparse

    def __getitem__(self, index):
        slices = index if isinstance(index, tuple) else (index,)
        name = "ogrid" if self.sparse else "mgrid"
        ranges = []
        for item in slices:
            if not isinstance(item, slice) or item.stop is None:
                raise TypeError(f"{name}: each index must be a slice start:stop[:step]; "
                                f"got {item!r}")
            if isinstance(item.step, complex):
                raise TypeError(f"{name}: a complex step (a number of points) is not "
                                "supported; use an int or float step")
            start = 0 if item.start is None else item.start
            step = 1 if item.step is None else item.step
            plain = all(isinstance(v, (int, np.integer)) for v in (start, item.stop, step))
            ranges.append(arange(start, item.stop, step, dtype="int64" if plain else None))
        ndim = len(ranges)
        shaped = [r.dimshuffle(["x"] * i + [0] + ["x"] * (ndim - i - 1))
                  for i, r in enumerate(ranges)]
        if self.sparse:
            return shaped
        sizes = [_size(r, 0) for r in ranges]
        return [alloc(s, *sizes) for s in shaped]


mgrid = _Grid(sparse=False)
ogrid = _Grid(sparse=True)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """Return the diagonal of ``a`` at ``offset`` over ``axis1``/``axis2`` (``numpy.diagonal``).

    The diagonal becomes the last axis; the result is differentiable in ``a``.
    """
    a = as_tensor_variable(a)
    if a.type.ndim < 2:
        raise ValueError(f"diagonal: {_describe(a)} needs at least two dimensions")
    axis1, axis2 = _axis(a, axis1, "diagonal"), _axis(a, axis2, "diagonal")
    if axis1 == axis2:
        raise ValueError(f"diagonal: axis1 and axis2 are both {axis1}")
    offset = int(offset)
    others = [d for d in range(a.type.ndim) if d not in (axis1, axis2)]
    moved = a.transpose([axis1, axis2] + others)
    n1, n2 = _size(a, axis1), _size(a, axis2)
    below, above = (-offset, 0) if offset < 0 else (0, offset)
    if isinstance(n1, int) and isinstance(n2, int):
        length = builtins.max(0, builtins.min(n1 - below, n2 - above))
    else:
        length = maximum(0, minimum(n1 - below, n2 - above))
    steps = arange(length, dtype="int64")
    picked = moved[steps + below, steps + above]
    return picked.transpose(list(range(1, picked.type.ndim)) + [0])


def trace(a, offset=0, axis1=0, axis2=1):
    """Return the sum of the diagonal of ``a`` (``numpy.trace``)."""
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


def take(a, indices, axis=None, mode="raise"):
    """Return the elements of ``a`` at ``indices`` along ``axis`` (flattened for None).

    ``mode`` is NumPy's: 'raise' (an out-of-range index is an error when run),
    'wrap' or 'clip'.
    """
    a = as_tensor_variable(a)
    indices = as_tensor_variable(indices)
    if dtype_kind(indices.type.dtype) not in _INTS:
        raise TypeError(f"take: indices must be integers; got {_describe(indices)}")
    if axis is None:
        a, axis = a.flatten(), 0
    axis = _axis(a, axis, "take")
    if mode != "raise":
        n = _size(a, axis)
        if mode == "wrap":
            indices = mod(indices, n)
        elif mode == "clip":
            indices = clip(indices, 0, n - 1)
        else:
            raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip'; got {mode!r}")
    return a[(slice(None),) * axis + (indices,)]


def swapaxes(x, axis1, axis2):
    """Return ``x`` with the axes ``axis1`` and ``axis2`` exchanged."""
    x = as_tensor_variable(x)
    order = list(range(x.type.ndim))
    a, b = _axis(x, axis1, "swapaxes"), _axis(x, axis2, "swapaxes")
    order[a], order[b] = order[b], order[a]
    return x.transpose(order)


def norm(x, L, axis=None, keepdims=False):
    """Return the ``L``-norm of ``x`` over ``axis``: ``sum(abs(x) ** L) ** (1 / L)``.

    ``L=inf`` gives the largest absolute value; ``L=0`` is refused, as in Theano.
    """
    x = as_tensor_variable(x)
    if L == 0:
        raise NotImplementedError("norm: L=0 (the count of nonzeros) is not a norm Theano "
                                  "defines; use T.neq(x, 0).sum()")
    if np.isinf(L):
        return max(abs_(x), axis=axis, keepdims=keepdims)
    return pow(sum(pow(abs_(x), L), axis=axis, keepdims=keepdims), 1.0 / L)


def deg2rad(x):
    """Return the angles ``x`` converted from degrees to radians."""
    x = as_tensor_variable(x)
    return x * np.asarray(np.pi / 180, dtype=_float_of(x.type.dtype))


def rad2deg(x):
    """Return the angles ``x`` converted from radians to degrees."""
    x = as_tensor_variable(x)
    return x * np.asarray(180 / np.pi, dtype=_float_of(x.type.dtype))


def _float_of(dtype):
    """Theano's float for an angle conversion: a float dtype itself, a complex one's real
    dtype, else float32 for narrow integers and float64 for wide ones."""
    if dtype_kind(dtype) == "float":
        return dtype
    if dtype_kind(dtype) == "complex":
        return "float32" if dtype == "complex64" else "float64"
    return "float32" if dtype in ("bool", "int8", "uint8", "int16", "uint16") else "float64"


def batched_dot(a, b):
    """Return ``c`` with ``c[i] = dot(a[i], b[i])`` over the first (batch) axis.

    A vector input multiplies each batch entry of the other by its scalar.
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    for name, v in (("a", a), ("b", b)):
        if v.type.ndim == 0:
            raise TypeError(f"batched_dot: {name} ({_describe(v)}) needs a batch axis")
    if a.type.ndim == 1:
        return a.dimshuffle([0] + ["x"] * (b.type.ndim - 1)) * b
    if b.type.ndim == 1:
        return a * b.dimshuffle([0] + ["x"] * (a.type.ndim - 1))
    if a.type.ndim > 3 or b.type.ndim > 3:
        return batched_tensordot(a, b, [[a.type.ndim - 1], [1 if b.type.ndim < 3 else
                                                             b.type.ndim - 2]])
    left = a if a.type.ndim == 3 else a.dimshuffle(0, "x", 1)
    right = b if b.type.ndim == 3 else b.dimshuffle(0, 1, "x")
    product = matmul(left, right)
    keep = [0] + ([1] if a.type.ndim == 3 else []) + ([2] if b.type.ndim == 3 else [])
    return product.dimshuffle(keep) if len(keep) < 3 else product


def batched_tensordot(x, y, axes=2):
    """``tensordot`` of ``x[i]`` and ``y[i]`` for each entry i of the first (batch) axis.

    ``axes`` is an int n (the last n axes of ``x`` with axes 1..n of ``y``) or a
    pair of lists of axes (never 0, the batch axis).
    """
    x, y = as_tensor_variable(x), as_tensor_variable(y)
    if isinstance(axes, (int, np.integer)):
        x_sum = list(range(x.type.ndim - int(axes), x.type.ndim))
        y_sum = list(range(1, int(axes) + 1))
    else:
        x_sum, y_sum = ([_axis(v, a, "batched_tensordot") for a in np.atleast_1d(part)]
                        for v, part in zip((x, y), axes))
    if len(x_sum) != len(y_sum) or 0 in x_sum or 0 in y_sum:
        raise ValueError(f"batched_tensordot: axes {axes!r} must pair as many axes of x as "
                         "of y, none of them the batch axis 0")
    x_free = [d for d in range(1, x.type.ndim) if d not in x_sum]
    y_free = [d for d in range(1, y.type.ndim) if d not in y_sum]
    batch = _size(x, 0)
    inner = _product(_size(x, d) for d in x_sum)
    x_sizes = [_size(x, d) for d in x_free]
    y_sizes = [_size(y, d) for d in y_free]
    left = x.transpose([0] + x_free + x_sum).reshape([batch, _product(x_sizes), inner])
    right = y.transpose([0] + y_sum + y_free).reshape([batch, inner, _product(y_sizes)])
    return matmul(left, right).reshape([batch] + x_sizes + y_sizes)
