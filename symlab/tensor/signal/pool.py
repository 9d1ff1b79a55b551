"""Theano's ``theano.tensor.signal.pool``: ``pool_2d`` over the last two dimensions.

``pool_2d(input, ws, ignore_border, stride, pad, mode)`` slides a ``ws``
window (rows, columns) over the last two dimensions of ``input`` (any
leading dimensions are kept), ``stride`` apart (default: ``ws``, windows
that do not overlap), and reduces each window:

- ``'max'``: the largest value (padding is never taken);
- ``'sum'``: the sum (padding counts as nothing);
- ``'average_inc_pad'``: the sum divided by the window's size, padding
  included (a window cut short by the border, see below, divides by the
  part inside);
- ``'average_exc_pad'``: the mean of the window's values that are not
  padding.

``ignore_border=True`` keeps only whole windows: an output side is
``(size + 2 * pad - ws) // stride + 1``. ``ignore_border=False`` adds a last
window cut short by the border wherever whole windows would leave input
values uncovered (Theano's rule), and needs ``pad == (0, 0)``. Left out
(None), ``ignore_border`` is **False**, with a warning, as in Theano: ported
code computes the same shapes; pass it explicitly (``True`` is what Theano's
LeNet tutorial and most code use). ``pad`` must be smaller than ``ws``.

Gradients, as Theano's ``MaxPoolGrad`` and ``AveragePoolGrad`` computed
them: for ``'max'``, each window's output gradient goes to every position in
the window whose value equals the window's maximum (ties all receive it;
overlapping windows add up); for ``'sum'`` and the averages it is spread
over the window (divided by the same count as the forward pass).

Dtypes: ``'max'`` and ``'sum'`` keep the input's dtype; the averages of
integers are floats (int8/int16/uint8/uint16 to float32, wider to float64;
Theano kept the integer dtype and truncated). Boolean and complex inputs are
refused. Integer inputs get no gradient; second-order gradients are not
implemented.
"""

import numbers
import warnings

import numpy as np

from symlab.graph.basic import Apply, GradientNotImplemented, Op
from symlab.tensor.scalar_ops import upgrade_to_float
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["Pool", "MaxPoolGrad", "AveragePoolGrad", "pool_2d", "pool_output_shape", "MODES"]

#: The pooling modes, as Theano named them.
MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def _describe(var):
    return f"{var} of type {var.type}"


def _pair(value, what, minimum):
    """``value`` (an int or a pair of ints, each >= ``minimum``) as a pair of ints."""
    def is_int(v):
        return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(
            v, (bool, np.bool_))
    pair = (value, value) if is_int(value) else value
    try:
        pair = tuple(pair)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(is_int(v) and v >= minimum for v in pair):
        raise ValueError(f"pool_2d: {what} must be a pair of ints >= {minimum} "
                         f"(rows, columns); got {value!r}")
    return (int(pair[0]), int(pair[1]))


def _output_side(size, ws, stride, pad, ignore_border):
    """The number of windows along one side of ``size`` values (None if unknown)."""
    if size is None:
        return None
    if size == 0:
        return 0
    if ignore_border:
        return max((size + 2 * pad - ws) // stride + 1, 0)
    if stride >= ws:
        return (size - 1) // stride + 1
    return max(0, (size - 1 - ws + stride) // stride) + 1


def pool_output_shape(image_shape, ws, ignore_border=False, stride=None, pad=(0, 0)):
    """The shape ``pool_2d`` gives an input of shape ``image_shape`` (entries may be None)."""
    ws = _pair(ws, "ws", 1)
    stride = ws if stride is None else _pair(stride, "stride", 1)
    pad = _pair(pad, "pad", 0)
    image_shape = tuple(image_shape)
    if len(image_shape) < 2:
        raise ValueError(f"pool_output_shape: image_shape needs at least 2 entries; "
                         f"got {image_shape}")
    rows, cols = (_output_side(image_shape[-2 + axis], ws[axis], stride[axis], pad[axis],
                               ignore_border) for axis in (0, 1))
    return image_shape[:-2] + (rows, cols)


# ------------------------------------------------------------ NumPy kernels

def _lowest(dtype):
    """The fill that never wins a max: -inf for floats, the smallest value for integers."""
    if dtype.kind == "f":
        return -np.inf
    return np.iinfo(dtype).min


class _Geometry:
    """Where the windows of one pooling lie on an input of shape ``shape``.

    The input is placed at (pad rows, pad columns) inside an *extended*
    array, large enough for every window whole: its border holds the
    padding and, with ``ignore_border=False``, the part of the last window
    that lies past the input.
    """

    def __init__(self, shape, ws, stride, pad, ignore_border):
        self.shape = tuple(shape)
        self.rows, self.cols = self.shape[-2:]
        self.ws, self.stride, self.pad = ws, stride, pad
        self.out = tuple(_output_side(self.shape[-2 + axis], ws[axis], stride[axis], pad[axis],
                                      ignore_border) for axis in (0, 1))
        self.extended = tuple(max(self.shape[-2 + axis] + 2 * pad[axis],
                                  (self.out[axis] - 1) * stride[axis] + ws[axis])
                              for axis in (0, 1))
        self.empty = 0 in self.out

    def extend(self, x, fill):
        """``x`` inside the extended array (``x`` itself when nothing is added)."""
        if self.extended == (self.rows, self.cols):
            return x
        out = np.full(x.shape[:-2] + self.extended, fill, dtype=x.dtype)
        out[..., self.pad[0]:self.pad[0] + self.rows, self.pad[1]:self.pad[1] + self.cols] = x
        return out

    def crop(self, extended):
        """The input's part of an extended array, as a new contiguous array."""
        p0, p1 = self.pad
        return np.ascontiguousarray(extended[..., p0:p0 + self.rows, p1:p1 + self.cols])

    def tap(self, a, b):
        """The index of tap (a, b) of every window in the extended array."""
        (s0, s1), (o0, o1) = self.stride, self.out
        return (Ellipsis, slice(a, a + s0 * (o0 - 1) + 1, s0), slice(b, b + s1 * (o1 - 1) + 1, s1))

    def counts(self, mode):
        """Each window's divisor for an average mode: a (out rows, out cols) array."""
        sides = []
        for axis in (0, 1):
            size, ws, stride, pad = (self.shape[-2 + axis], self.ws[axis], self.stride[axis],
                                     self.pad[axis])
            starts = np.arange(self.out[axis]) * stride
            if mode == "average_inc_pad":
                ends = np.minimum(starts + ws, size + 2 * pad)
            else:
                ends = np.minimum(starts + ws, size + pad)
                starts = np.maximum(starts, pad)
            sides.append(ends - starts)
        return np.multiply.outer(sides[0], sides[1])


def pool_numpy(x, ws, stride, pad, ignore_border, mode, dtype):
    """The pooling in NumPy; the result has ``dtype``.

    One vectorized step per window tap: tap (a, b) of every window at once is
    a strided slice of the extended input.
    """
    geometry = _Geometry(x.shape, ws, stride, pad, ignore_border)
    out_shape = x.shape[:-2] + geometry.out
    if geometry.empty or 0 in x.shape[:-2]:
        return np.zeros(out_shape, dtype=dtype)
    if mode == "max":
        extended = geometry.extend(x, _lowest(x.dtype))
        combine = np.maximum
    else:
        extended = geometry.extend(x.astype(dtype, copy=False), 0)
        combine = np.add
    out = np.array(extended[geometry.tap(0, 0)], dtype=dtype)
    for a in range(ws[0]):
        for b in range(ws[1]):
            if a or b:
                combine(out, extended[geometry.tap(a, b)], out=out, casting="unsafe")
    if mode.startswith("average"):
        out /= geometry.counts(mode)
    return out


def max_pool_grad_numpy(x, maxout, gz, ws, stride, pad, ignore_border, dtype):
    """Each window's ``gz`` added at the positions whose value equals its maximum."""
    geometry = _Geometry(x.shape, ws, stride, pad, ignore_border)
    if geometry.empty:
        return np.zeros(x.shape, dtype=dtype)
    extended = geometry.extend(x, _lowest(x.dtype))
    grad = np.zeros(extended.shape, dtype=dtype)
    gz = gz.astype(dtype, copy=False)
    zero = np.zeros((), dtype=dtype)
    for a in range(ws[0]):
        for b in range(ws[1]):
            index = geometry.tap(a, b)
            grad[index] += np.where(extended[index] == maxout, gz, zero)
    return geometry.crop(grad)


def average_pool_grad_numpy(shape, gz, ws, stride, pad, ignore_border, mode, dtype):
    """Each window's ``gz`` (divided by its count for the averages) added over it."""
    geometry = _Geometry(shape, ws, stride, pad, ignore_border)
    if geometry.empty:
        return np.zeros(shape, dtype=dtype)
    gz = gz.astype(dtype, copy=False)
    if mode != "sum":
        gz = (gz / geometry.counts(mode)).astype(dtype, copy=False)
    grad = np.zeros(tuple(shape[:-2]) + geometry.extended, dtype=dtype)
    for a in range(ws[0]):
        for b in range(ws[1]):
            grad[geometry.tap(a, b)] += gz
    return geometry.crop(grad)


# ------------------------------------------------------------ the ops

class _PoolOp(Op):
    """What the pooling op and its gradients share: the window parameters."""

    __props__ = ("ws", "ignore_border", "stride", "pad", "mode")

    def __init__(self, ws, ignore_border=False, stride=None, pad=(0, 0), mode="max"):
        self.ws = _pair(ws, "ws", 1)
        self.ignore_border = bool(ignore_border)
        self.stride = self.ws if stride is None else _pair(stride, "stride", 1)
        self.pad = _pair(pad, "pad", 0)
        if mode not in MODES:
            raise ValueError(f"pool_2d: mode must be one of {', '.join(map(repr, MODES))}; "
                             f"got {mode!r}")
        self.mode = mode
        if self.pad != (0, 0) and not self.ignore_border:
            raise NotImplementedError(f"pool_2d: padding (pad={self.pad}) works only with "
                                      "ignore_border=True")
        if self.pad[0] >= self.ws[0] or self.pad[1] >= self.ws[1]:
            raise NotImplementedError(f"pool_2d: the padding {self.pad} must be smaller than "
                                      f"the window ws={self.ws} on each side")

    def _params(self):
        return (self.ws, self.stride, self.pad, self.ignore_border)

    def output_is_fresh(self, node):
        """The result is always a new array, never a view of an input."""
        return True

    def _input_checked(self, x):
        x = as_tensor_variable(x)
        if x.type.ndim < 2:
            raise TypeError(f"{self.name}: the input must have at least 2 dimensions (it is "
                            f"pooled over the last two); got {_describe(x)}")
        if dtype_kind(x.type.dtype) in ("bool", "complex"):
            raise TypeError(f"{self.name}: expected a real, non-boolean tensor; got "
                            f"{_describe(x)}")
        return x

    def _pooled_shape(self, static_shape):
        rows, cols = (_output_side(static_shape[-2 + axis], self.ws[axis], self.stride[axis],
                                   self.pad[axis], self.ignore_border) for axis in (0, 1))
        return tuple(static_shape[:-2]) + (rows, cols)

    def _check_gz(self, x, gz, role="output gradient"):
        gz = as_tensor_variable(gz)
        expected = self._pooled_shape(x.type.shape)
        if gz.type.ndim != x.type.ndim or any(
                a is not None and b is not None and a != b
                for a, b in zip(gz.type.shape, expected)):
            raise ValueError(f"{self.name}: the {role} {_describe(gz)} does not have the "
                             f"pooled shape {expected} of {_describe(x)}")
        return gz

    def _check_runtime(self, node, x, gz):
        expected = x.shape[:-2] + _Geometry(x.shape, *self._params()).out
        if np.shape(gz) != expected:
            raise ValueError(f"{self.name}: {node.inputs[-1]} has shape {np.shape(gz)}, but "
                             f"pooling {node.inputs[0]} of shape {x.shape} gives {expected}")

    def grad(self, node, output_grads):
        """The gradient ops have no gradient rule (second order is not implemented)."""
        raise GradientNotImplemented(f"{self.name}: second-order gradients of pool_2d are "
                                     f"not implemented (in {node})")


class Pool(_PoolOp):
    """``pool_2d``: each window of the last two dimensions reduced by ``mode``."""

    @property
    def name(self):
        return "pool"

    def make_node(self, x):
        x = self._input_checked(x)
        dtype = x.type.dtype if self.mode in ("max", "sum") else upgrade_to_float(x.type.dtype)
        return Apply(self, [x], [TensorType(dtype, self._pooled_shape(x.type.shape))])

    def perform(self, node, inputs):
        x = np.asarray(inputs[0])
        if x.ndim != node.inputs[0].type.ndim:
            raise ValueError(f"{self.name}: {node.inputs[0]} must be {node.inputs[0].type.ndim}"
                             f"-d; got an array of shape {x.shape}")
        return [pool_numpy(x, self.ws, self.stride, self.pad, self.ignore_border, self.mode,
                           node.outputs[0].type.numpy_dtype)]

    def grad(self, node, output_grads):
        """``max``: ``MaxPoolGrad(x, out, g)``; the others: ``AveragePoolGrad(x, g)``."""
        (gz,) = output_grads
        (x,) = node.inputs
        if gz is None or dtype_kind(x.type.dtype) != "float":
            return [None]
        if self.mode == "max":
            return [MaxPoolGrad(*self._props())(x, node.outputs[0], gz)]
        return [AveragePoolGrad(*self._props())(x, gz)]


class MaxPoolGrad(_PoolOp):
    """The gradient of max pooling: ``(x, max-pooled x, output gradient) -> x's gradient``.

    Each window's gradient goes to every position whose value equals the
    window's maximum, as Theano's ``MaxPoolGrad`` did.
    """

    def __init__(self, ws, ignore_border=False, stride=None, pad=(0, 0), mode="max"):
        super().__init__(ws, ignore_border, stride, pad, mode)
        if self.mode != "max":
            raise ValueError(f"max_pool_grad: mode must be 'max'; got {mode!r} "
                             "(use AveragePoolGrad)")

    @property
    def name(self):
        return "max_pool_grad"

    def make_node(self, x, maxout, gz):
        x = self._input_checked(x)
        maxout = self._check_gz(x, maxout, role="pooled input")
        gz = self._check_gz(x, gz)
        return Apply(self, [x, maxout, gz], [TensorType(x.type.dtype, x.type.shape)])

    def perform(self, node, inputs):
        x, maxout, gz = (np.asarray(v) for v in inputs)
        self._check_runtime(node, x, gz)
        return [max_pool_grad_numpy(x, maxout, gz, self.ws, self.stride, self.pad,
                                    self.ignore_border, node.outputs[0].type.numpy_dtype)]


class AveragePoolGrad(_PoolOp):
    """The gradient of sum and average pooling: ``(x, output gradient) -> x's gradient``
    (only the shape of ``x`` is read)."""

    def __init__(self, ws, ignore_border=False, stride=None, pad=(0, 0),
                 mode="average_inc_pad"):
        super().__init__(ws, ignore_border, stride, pad, mode)
        if self.mode == "max":
            raise ValueError("average_pool_grad: mode must be 'sum', 'average_inc_pad' or "
                             "'average_exc_pad'; got 'max' (use MaxPoolGrad)")

    @property
    def name(self):
        return "average_pool_grad"

    def make_node(self, x, gz):
        x = self._input_checked(x)
        gz = self._check_gz(x, gz)
        dtype = upgrade_to_float(x.type.dtype)
        return Apply(self, [x, gz], [TensorType(dtype, x.type.shape)])

    def perform(self, node, inputs):
        x, gz = (np.asarray(v) for v in inputs)
        self._check_runtime(node, x, gz)
        return [average_pool_grad_numpy(x.shape, gz, self.ws, self.stride, self.pad,
                                        self.ignore_border, self.mode,
                                        node.outputs[0].type.numpy_dtype)]


# ------------------------------------------------------------ the function

def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode="max",
            ds=None, st=None, padding=None):
    """Pool the last two dimensions of ``input`` (Theano's ``pool.pool_2d``).

    ``ws``: the window (rows, columns). ``ignore_border``: True keeps only
    whole windows; False (the default when left out, with a warning, as in
    Theano) adds windows cut short by the border. ``stride``: the step
    between windows (default: ``ws``). ``pad``: zero padding (rows, columns)
    on each side, smaller than ``ws``, only with ``ignore_border=True``.
    ``mode``: 'max', 'sum', 'average_inc_pad' or 'average_exc_pad'.
    ``ds``, ``st`` and ``padding`` are Theano's deprecated names of ``ws``,
    ``stride`` and ``pad``.
    """
    if ds is not None:
        if ws is not None:
            raise ValueError("pool_2d: give ws or its deprecated name ds, not both")
        warnings.warn("pool_2d: the parameter 'ds' is deprecated; use 'ws'",
                      DeprecationWarning, stacklevel=2)
        ws = ds
    elif ws is None:
        raise ValueError("pool_2d: give the window size ws (rows, columns)")
    if st is not None:
        if stride is not None:
            raise ValueError("pool_2d: give stride or its deprecated name st, not both")
        warnings.warn("pool_2d: the parameter 'st' is deprecated; use 'stride'",
                      DeprecationWarning, stacklevel=2)
        stride = st
    if padding is not None:
        if pad not in (None, (0, 0), [0, 0]):
            raise ValueError("pool_2d: give pad or its deprecated name padding, not both")
        warnings.warn("pool_2d: the parameter 'padding' is deprecated; use 'pad'",
                      DeprecationWarning, stacklevel=2)
        pad = padding
    if pad is None:
        pad = (0, 0)
    input = as_tensor_variable(input)
    if input.type.ndim < 2:
        raise TypeError(f"pool_2d: the input must have at least 2 dimensions (it is pooled "
                        f"over the last two); got {_describe(input)}")
    if ignore_border is None:
        warnings.warn("pool_2d: ignore_border was not given; it is False, as in Theano "
                      "(windows cut short by the border are kept). Pass ignore_border=True "
                      "to keep only whole windows, or False to keep this behaviour and "
                      "silence this warning.", UserWarning, stacklevel=2)
        ignore_border = False
    return Pool(ws, ignore_border=ignore_border, stride=stride, pad=pad, mode=mode)(input)
