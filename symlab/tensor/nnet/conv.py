"""Theano's ``T.nnet.conv2d``: a batch of images convolved with a bank of filters.

``conv2d(input, filters)`` takes ``input`` of shape (batch, channels, rows,
columns) and ``filters`` of shape (output channels, input channels, rows,
columns) and returns (batch, output channels, output rows, output columns),
with Theano's semantics:

- ``border_mode``: ``'valid'`` (no padding: the filter stays inside the
  image), ``'full'`` (padding of filter size - 1: every overlap), ``'half'``
  (padding of filter size // 2: 'same' size for odd filters at stride 1), an
  int ``p`` (``p`` zeros on every side) or a pair ``(p_rows, p_cols)``;
- ``subsample``: the strides (rows, columns);
- ``filter_flip=True`` is a true convolution (the filters are flipped along
  both spatial axes, like ``scipy.signal.convolve2d``); ``False`` is a
  cross-correlation (``scipy.signal.correlate2d``);
- ``filter_dilation``: the spacing between filter taps (1 = adjacent).

An output side is ``(size + 2 * pad - ((k - 1) * dilation + 1)) // stride + 1``.

Three ops, each a plain NumPy ``perform`` in the node's dtype (im2col: the
windows, taken with ``sliding_window_view``, copied once into a matrix laid
out for one matrix product with the filters): ``Conv2d``, and its two
gradients ``Conv2dGradInputs`` (the transposed convolution, scattered
back one filter tap at a time) and ``Conv2dGradWeights`` (the correlation of
the input windows with the output gradient). ``Conv2d.grad`` builds them, so
the gradient of a convolution is an ordinary graph. Second-order gradients
(the gradients of the two gradient ops) are not implemented.

Like Theano's ``AbstractConv2d``, the ops carry the shape hints ``imshp``
(of the input) and ``kshp`` (of the filters) as properties: a tuple of four
ints or None. They refine the static shape of the result and are checked
against the values at run time. Integer and boolean inputs are converted to
floats (int8/int16/uint8/uint16/bool to float32, wider ones to float64) and
get no gradient.
"""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from symlab.graph.basic import Apply, GradientNotImplemented, Op
from symlab.tensor.math import cast
from symlab.tensor.scalar_ops import upgrade_to_float
from symlab.tensor.shape import shape as shape_of
from symlab.tensor.shape import stack
from symlab.tensor.type import TensorType, dtype_kind, upcast
from symlab.tensor.variable import as_tensor_variable

__all__ = ["Conv2d", "Conv2dGradInputs", "Conv2dGradWeights", "Conv2dTranspose", "conv2d",
           "conv2d_transpose",
           "conv_output_shape"]

_UNKNOWN4 = (None, None, None, None)


def _describe(var):
    return f"{var} of type {var.type}"


def _is_int(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_))


# ------------------------------------------------------------ parameters

def _normalize_pair(value, what, minimum):
    """``value`` (an int or a pair of ints, each >= ``minimum``) as a pair of ints."""
    pair = (value, value) if _is_int(value) else value
    try:
        pair = tuple(pair)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(_is_int(v) and v >= minimum for v in pair):
        raise ValueError(f"conv2d: {what} must be a pair of ints >= {minimum} "
                         f"(rows, columns); got {value!r}")
    return (int(pair[0]), int(pair[1]))


def _normalize_border_mode(border_mode):
    """'valid', 'full', 'half' or a pair of non-negative ints (the padding)."""
    if isinstance(border_mode, str):
        if border_mode in ("valid", "full", "half"):
            return border_mode
    elif _is_int(border_mode) or isinstance(border_mode, (tuple, list)):
        try:
            return _normalize_pair(border_mode, "border_mode", 0)
        except ValueError:
            pass
    raise ValueError(f"conv2d: border_mode must be 'valid', 'full', 'half', a non-negative "
                     f"int or a pair of them (rows, columns); got {border_mode!r}")


def _normalize_shape_hint(hint, what):
    """A shape hint: None, or four entries each an int >= 0 or None."""
    if hint is None:
        return _UNKNOWN4
    try:
        entries = tuple(hint)
    except TypeError:
        entries = ()
    if len(entries) != 4 or not all(s is None or (_is_int(s) and s >= 0) for s in entries):
        raise ValueError(f"conv2d: {what} must be four ints or None (batch or output "
                         f"channels, channels, rows, columns); got {hint!r}")
    return tuple(None if s is None else int(s) for s in entries)


def _pad_1d(border_mode, axis, kernel, dilation):
    """The zero padding on each side of one input axis (0: rows, 1: columns)."""
    dilated = (kernel - 1) * dilation + 1
    if border_mode == "valid":
        return 0
    if border_mode == "full":
        return dilated - 1
    if border_mode == "half":
        return dilated // 2
    return border_mode[axis]


def _pads(border_mode, kernel_rows, kernel_cols, dilation):
    """The zero padding (rows, columns) added on each side of the input."""
    return (_pad_1d(border_mode, 0, kernel_rows, dilation[0]),
            _pad_1d(border_mode, 1, kernel_cols, dilation[1]))


def _output_side(size, kernel, border_mode, axis, stride, dilation):
    """One output side from one input side and filter side (None if either is unknown)."""
    if size is None or kernel is None:
        return None
    pad = _pad_1d(border_mode, axis, kernel, dilation)
    return (size + 2 * pad - ((kernel - 1) * dilation + 1)) // stride + 1


def conv_output_shape(image_shape, kernel_shape, border_mode="valid", subsample=(1, 1),
                      filter_dilation=(1, 1)):
    """The output shape of ``conv2d`` (Theano's ``get_conv_output_shape``).

    ``image_shape`` and ``kernel_shape`` hold four ints or None; an entry of
    the result is None where it depends on an unknown one.
    """
    image_shape = _normalize_shape_hint(image_shape, "image_shape")
    kernel_shape = _normalize_shape_hint(kernel_shape, "kernel_shape")
    border_mode = _normalize_border_mode(border_mode)
    subsample = _normalize_pair(subsample, "subsample", 1)
    dilation = _normalize_pair(filter_dilation, "filter_dilation", 1)
    rows, cols = (_output_side(image_shape[2 + axis], kernel_shape[2 + axis], border_mode, axis,
                               subsample[axis], dilation[axis]) for axis in (0, 1))
    return (image_shape[0], kernel_shape[0], rows, cols)


# ------------------------------------------------------------ NumPy kernels

def _pad(x, pads):
    if pads == (0, 0):
        return x
    return np.pad(x, ((0, 0), (0, 0), (pads[0], pads[0]), (pads[1], pads[1])))


def _columns(padded, kernel_rows, kernel_cols, stride, dilation):
    """The filter-sized windows of ``padded`` as one contiguous array laid out
    (channels, kernel rows, kernel cols, batch, out rows, out cols): reshaped to
    (channels * kernel rows * kernel cols, batch * out rows * out cols), one matrix
    product with the filters does the whole convolution."""
    dilated = ((kernel_rows - 1) * dilation[0] + 1, (kernel_cols - 1) * dilation[1] + 1)
    views = sliding_window_view(padded, dilated, axis=(2, 3))
    views = views[:, :, ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]
    return np.ascontiguousarray(views.transpose(1, 4, 5, 0, 2, 3))


def _as_matrix(columns):
    """``_columns``' array as a (channels * kernel taps, batch * output positions) matrix."""
    shape = columns.shape
    return columns.reshape(shape[0] * shape[1] * shape[2], shape[3] * shape[4] * shape[5])


def _oriented(filters, flip):
    """The filters as they are slid over the image: flipped for a true convolution."""
    return filters[:, :, ::-1, ::-1] if flip else filters


def _filter_matrix(filters, flip):
    """The oriented filters as an (output channels, channels * kernel taps) matrix."""
    n_filters, channels, kernel_rows, kernel_cols = filters.shape
    return _oriented(filters, flip).reshape(n_filters, channels * kernel_rows * kernel_cols)


def _channels_first(g):
    """``g`` (batch, channels, rows, cols) as a (channels, batch * rows * cols) matrix."""
    batch, channels, rows, cols = g.shape
    return np.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(channels, batch * rows * cols)


def conv2d_numpy(x, w, border_mode, subsample, filter_flip, filter_dilation):
    """The forward convolution in NumPy, in the dtype of ``x`` and ``w`` (already equal)."""
    n_filters, _, kernel_rows, kernel_cols = w.shape
    pads = _pads(border_mode, kernel_rows, kernel_cols, filter_dilation)
    columns = _columns(_pad(x, pads), kernel_rows, kernel_cols, subsample, filter_dilation)
    batch, out_rows, out_cols = columns.shape[3:]
    out = _filter_matrix(w, filter_flip) @ _as_matrix(columns)
    return np.ascontiguousarray(out.reshape(n_filters, batch, out_rows, out_cols)
                                .transpose(1, 0, 2, 3))


def conv2d_grad_weights_numpy(x, g, kernel_shape, border_mode, subsample, filter_flip,
                              filter_dilation):
    """The gradient of a cost with respect to the filters, given ``g`` = its gradient
    with respect to the convolution's output: output gradient times input windows."""
    kernel_rows, kernel_cols = kernel_shape[2], kernel_shape[3]
    pads = _pads(border_mode, kernel_rows, kernel_cols, filter_dilation)
    columns = _columns(_pad(x, pads), kernel_rows, kernel_cols, subsample, filter_dilation)
    gw = _channels_first(g) @ _as_matrix(columns).T
    gw = gw.reshape(g.shape[1], x.shape[1], kernel_rows, kernel_cols)
    return np.ascontiguousarray(_oriented(gw, filter_flip))


def conv2d_grad_inputs_numpy(w, g, image_shape, border_mode, subsample, filter_flip,
                             filter_dilation):
    """The gradient of a cost with respect to the input, given ``g`` = its gradient
    with respect to the convolution's output: each filter tap scatters ``g`` back."""
    batch, channels, rows, cols = image_shape
    kernel_rows, kernel_cols = w.shape[2], w.shape[3]
    pads = _pads(border_mode, kernel_rows, kernel_cols, filter_dilation)
    out_rows, out_cols = g.shape[2], g.shape[3]
    dtype = np.result_type(w, g)
    # laid out (channels, batch, padded rows, padded cols) so each tap adds a contiguous block
    grad = np.zeros((channels, batch, rows + 2 * pads[0], cols + 2 * pads[1]), dtype=dtype)
    if out_rows and out_cols and batch:
        taps = _filter_matrix(w, filter_flip).T @ _channels_first(g)
        taps = taps.reshape(channels, kernel_rows, kernel_cols, batch, out_rows, out_cols)
        (stride_r, stride_c), (dil_r, dil_c) = subsample, filter_dilation
        for a in range(kernel_rows):
            r0 = a * dil_r
            row_slice = slice(r0, r0 + stride_r * (out_rows - 1) + 1, stride_r)
            for b in range(kernel_cols):
                c0 = b * dil_c
                col_slice = slice(c0, c0 + stride_c * (out_cols - 1) + 1, stride_c)
                grad[:, :, row_slice, col_slice] += taps[:, a, b]
    grad = grad[:, :, pads[0]:pads[0] + rows, pads[1]:pads[1] + cols]
    return np.ascontiguousarray(grad.transpose(1, 0, 2, 3))


# ------------------------------------------------------------ the ops

def _float_dtype(op_name, *variables):
    for var in variables:
        if dtype_kind(var.type.dtype) == "complex":
            raise TypeError(f"{op_name}: expected a real tensor; got {_describe(var)}")
    return upcast(*[upgrade_to_float(v.type.dtype) for v in variables])


def _check_4d(op_name, var, role, layout):
    if var.type.ndim != 4:
        raise TypeError(f"{op_name}: {role} must be a 4-d tensor {layout}; "
                        f"got {_describe(var)}, which has {var.type.ndim} dimensions")


def _merge_static(op_name, var, hint, hint_name):
    """The static shape of ``var`` refined by ``hint``; a clash is a ValueError."""
    merged = []
    for axis, (known, hinted) in enumerate(zip(var.type.shape, hint)):
        if known is not None and hinted is not None and known != hinted:
            raise ValueError(f"{op_name}: {hint_name} {hint} gives dimension {axis} of "
                             f"{_describe(var)} the size {hinted}, but its type says {known}")
        merged.append(known if known is not None else hinted)
    return tuple(merged)


def _check_runtime_shape(op_name, var, value, expected, what):
    """Raise ValueError if the value's shape contradicts the known entries of ``expected``."""
    if np.ndim(value) != 4:
        raise ValueError(f"{op_name}: {what} {var} must be 4-d; got an array of shape "
                         f"{np.shape(value)}")
    for axis, (size, known) in enumerate(zip(np.shape(value), expected)):
        if known is not None and size != known:
            raise ValueError(f"{op_name}: {what} {var} has shape {np.shape(value)}, but the "
                             f"graph was built for shape {expected} (dimension {axis})")


def _check_shape_vector(op_name, var, role):
    if var.type.ndim != 1 or dtype_kind(var.type.dtype) not in ("int", "uint") \
            or var.type.shape[0] not in (None, 4):
        raise TypeError(f"{op_name}: {role} must be an integer vector of length 4 "
                        f"(the shape of a 4-d tensor); got {_describe(var)}")


def _shape_value(op_name, var, value):
    value = tuple(int(s) for s in np.asarray(value).ravel())
    if len(value) != 4 or any(s < 0 for s in value):
        raise ValueError(f"{op_name}: {var} must hold the shape of a 4-d tensor; got {value}")
    return value


class _ConvOp(Op):
    """What the three convolution ops share: their parameters and shape hints."""

    __props__ = ("border_mode", "subsample", "filter_flip", "filter_dilation", "imshp", "kshp")

    def __init__(self, border_mode="valid", subsample=(1, 1), filter_flip=True,
                 filter_dilation=(1, 1), imshp=None, kshp=None):
        self.border_mode = _normalize_border_mode(border_mode)
        self.subsample = _normalize_pair(subsample, "subsample", 1)
        self.filter_flip = bool(filter_flip)
        self.filter_dilation = _normalize_pair(filter_dilation, "filter_dilation", 1)
        self.imshp = _normalize_shape_hint(imshp, "imshp")
        self.kshp = _normalize_shape_hint(kshp, "kshp")

    def __str__(self):
        params = [f"border_mode={self.border_mode!r}", f"subsample={self.subsample}",
                  f"filter_flip={self.filter_flip}"]
        if self.filter_dilation != (1, 1):
            params.append(f"filter_dilation={self.filter_dilation}")
        return f"{self.name}{{{', '.join(params)}}}"

    def output_is_fresh(self, node):
        """The result is always a new array, never a view of an input."""
        return True

    def _params(self):
        return (self.border_mode, self.subsample, self.filter_flip, self.filter_dilation)

    def _output_shape(self, image_shape, kernel_shape):
        rows, cols = (_output_side(image_shape[2 + axis], kernel_shape[2 + axis],
                                   self.border_mode, axis, self.subsample[axis],
                                   self.filter_dilation[axis]) for axis in (0, 1))
        return (image_shape[0], kernel_shape[0], rows, cols)

    def _check_fits(self, image_shape, kernel_shape, described):
        """A ValueError if the (dilated) filter does not fit in the padded input."""
        out = self._output_shape(image_shape, kernel_shape)
        for axis, side in ((2, "rows"), (3, "columns")):
            if out[axis] is not None and out[axis] < 1:
                raise ValueError(
                    f"{self.name}: the filters ({kernel_shape[axis]} {side}, dilation "
                    f"{self.filter_dilation[axis - 2]}) do not fit in the input "
                    f"({image_shape[axis]} {side}) with border_mode={self.border_mode!r}: "
                    f"{described}")
        if None not in (image_shape[1], kernel_shape[1]) and image_shape[1] != kernel_shape[1]:
            raise ValueError(f"{self.name}: the input has {image_shape[1]} channels but the "
                             f"filters expect {kernel_shape[1]}: {described}")
        return out

    def grad(self, node, output_grads):
        """The gradient ops have no gradient rule: second-order gradients of conv2d are
        not implemented."""
        raise GradientNotImplemented(f"{self.name}: second-order gradients of conv2d are not "
                                     f"implemented (in {node})")


class Conv2d(_ConvOp):
    """``conv2d(input, filters)``: (batch, channels, rows, cols) x (out channels,
    channels, rows, cols) -> (batch, out channels, out rows, out cols)."""

    @property
    def name(self):
        return "conv2d"

    def make_node(self, input, filters):
        input, filters = as_tensor_variable(input), as_tensor_variable(filters)
        _check_4d("conv2d", input, "input", "(batch, channels, rows, columns)")
        _check_4d("conv2d", filters, "filters",
                  "(output channels, input channels, rows, columns)")
        dtype = _float_dtype("conv2d", input, filters)
        image_shape = _merge_static("conv2d", input, self.imshp, "input_shape")
        kernel_shape = _merge_static("conv2d", filters, self.kshp, "filter_shape")
        out = self._check_fits(image_shape, kernel_shape,
                               f"input {_describe(input)}, filters {_describe(filters)}")
        return Apply(self, [input, filters], [TensorType(dtype, out)])

    def perform(self, node, inputs):
        x_var, w_var = node.inputs
        x, w = inputs
        _check_runtime_shape(self.name, x_var, x, self.imshp, "input")
        _check_runtime_shape(self.name, w_var, w, self.kshp, "filters")
        self._check_fits(np.shape(x), np.shape(w),
                         f"input {x_var} has shape {np.shape(x)}, "
                         f"filters {w_var} have shape {np.shape(w)}")
        dtype = node.outputs[0].type.numpy_dtype
        x = np.asarray(x).astype(dtype, copy=False)
        w = np.asarray(w).astype(dtype, copy=False)
        return [conv2d_numpy(x, w, *self._params())]

    def grad(self, node, output_grads):
        """Input gradient: ``Conv2dGradInputs(filters, g)``; filter gradient:
        ``Conv2dGradWeights(input, g)``; each cast back to its input's dtype."""
        (g,) = output_grads
        x, w = node.inputs
        if g is None:
            return [None, None]
        gx = gw = None
        if dtype_kind(x.type.dtype) == "float":
            op = Conv2dGradInputs(*self._params(), imshp=x.type.shape, kshp=self.kshp)
            gx = cast(op(w, g, shape_of(x)), x.type.dtype)
        if dtype_kind(w.type.dtype) == "float":
            op = Conv2dGradWeights(*self._params(), imshp=self.imshp, kshp=w.type.shape)
            gw = cast(op(x, g, shape_of(w)), w.type.dtype)
        return [gx, gw]


class Conv2dGradInputs(_ConvOp):
    """The gradient of ``conv2d`` with respect to its input: ``(filters, output gradient,
    input shape) -> input gradient`` (a transposed convolution). Its result has the static
    shape ``imshp``."""

    @property
    def name(self):
        return "conv2d_grad_inputs"

    def make_node(self, filters, topgrad, image_shape):
        filters, topgrad = as_tensor_variable(filters), as_tensor_variable(topgrad)
        image_shape = as_tensor_variable(image_shape)
        _check_4d(self.name, filters, "filters",
                  "(output channels, input channels, rows, columns)")
        _check_4d(self.name, topgrad, "the output gradient",
                  "(batch, output channels, rows, columns)")
        _check_shape_vector(self.name, image_shape, "the input shape")
        kernel_shape = _merge_static(self.name, filters, self.kshp, "kshp")
        for axis in (0, 1):
            known, other = (self.imshp[0], kernel_shape[0])[axis], topgrad.type.shape[axis]
            if known is not None and other is not None and known != other:
                raise ValueError(f"{self.name}: the output gradient {_describe(topgrad)} "
                                 f"does not fit filters {_describe(filters)} and input shape "
                                 f"{self.imshp} (dimension {axis})")
        dtype = _float_dtype(self.name, filters, topgrad)
        return Apply(self, [filters, topgrad, image_shape], [TensorType(dtype, self.imshp)])

    def perform(self, node, inputs):
        w_var, g_var, s_var = node.inputs
        w, g, image_shape = inputs
        image_shape = _shape_value(self.name, s_var, image_shape)
        _check_runtime_shape(self.name, w_var, w, self.kshp, "filters")
        _check_runtime_shape(self.name, g_var, g, (None,) * 4, "output gradient")
        expected = self._check_fits(image_shape, np.shape(w),
                                    f"input shape {image_shape}, filters {w_var} have shape "
                                    f"{np.shape(w)}")
        if np.shape(g) != expected:
            raise ValueError(f"{self.name}: the output gradient {g_var} has shape "
                             f"{np.shape(g)}, but an input of shape {image_shape} and filters "
                             f"of shape {np.shape(w)} give outputs of shape {expected}")
        dtype = node.outputs[0].type.numpy_dtype
        w = np.asarray(w).astype(dtype, copy=False)
        g = np.asarray(g).astype(dtype, copy=False)
        return [conv2d_grad_inputs_numpy(w, g, image_shape, *self._params())]


class Conv2dGradWeights(_ConvOp):
    """The gradient of ``conv2d`` with respect to its filters: ``(input, output gradient,
    filter shape) -> filter gradient``. Its result has the static shape ``kshp``."""

    @property
    def name(self):
        return "conv2d_grad_weights"

    def make_node(self, input, topgrad, kernel_shape):
        input, topgrad = as_tensor_variable(input), as_tensor_variable(topgrad)
        kernel_shape = as_tensor_variable(kernel_shape)
        _check_4d(self.name, input, "input", "(batch, channels, rows, columns)")
        _check_4d(self.name, topgrad, "the output gradient",
                  "(batch, output channels, rows, columns)")
        _check_shape_vector(self.name, kernel_shape, "the filter shape")
        image_shape = _merge_static(self.name, input, self.imshp, "imshp")
        for axis in (0, 1):
            known, other = (image_shape[0], self.kshp[0])[axis], topgrad.type.shape[axis]
            if known is not None and other is not None and known != other:
                raise ValueError(f"{self.name}: the output gradient {_describe(topgrad)} "
                                 f"does not fit input {_describe(input)} and filter shape "
                                 f"{self.kshp} (dimension {axis})")
        dtype = _float_dtype(self.name, input, topgrad)
        return Apply(self, [input, topgrad, kernel_shape], [TensorType(dtype, self.kshp)])

    def perform(self, node, inputs):
        x_var, g_var, s_var = node.inputs
        x, g, kernel_shape = inputs
        kernel_shape = _shape_value(self.name, s_var, kernel_shape)
        _check_runtime_shape(self.name, x_var, x, self.imshp, "input")
        _check_runtime_shape(self.name, g_var, g, (None,) * 4, "output gradient")
        expected = self._check_fits(np.shape(x), kernel_shape,
                                    f"input {x_var} has shape {np.shape(x)}, filter shape "
                                    f"{kernel_shape}")
        if np.shape(g) != expected:
            raise ValueError(f"{self.name}: the output gradient {g_var} has shape "
                             f"{np.shape(g)}, but an input of shape {np.shape(x)} and filters "
                             f"of shape {kernel_shape} give outputs of shape {expected}")
        dtype = node.outputs[0].type.numpy_dtype
        x = np.asarray(x).astype(dtype, copy=False)
        g = np.asarray(g).astype(dtype, copy=False)
        return [conv2d_grad_weights_numpy(x, g, kernel_shape, *self._params())]


class Conv2dTranspose(Conv2dGradInputs):
    """``conv2d_transpose``: ``Conv2dGradInputs`` as an operation of its own, with a
    gradient (the gradient ops of ``conv2d`` have none). ``(filters, input, output shape)
    -> output``."""

    @property
    def name(self):
        return "conv2d_transpose"

    def grad(self, node, output_grads):
        """Linear in each of filters and input (the adjoint of ``conv2d`` in the image):
        for an upstream gradient ``G`` (output-shaped), the input's is ``conv2d(G,
        filters)`` and the filters' is ``Conv2dGradWeights(G, input)``."""
        (G,) = output_grads
        w, g, image_shape = node.inputs
        if G is None:
            return [None, None, None]
        gw = gg = None
        if dtype_kind(w.type.dtype) == "float":
            op = Conv2dGradWeights(*self._params(), imshp=self.imshp, kshp=w.type.shape)
            gw = cast(op(G, g, shape_of(w)), w.type.dtype)
        if dtype_kind(g.type.dtype) == "float":
            op = Conv2d(*self._params(), imshp=self.imshp, kshp=self.kshp)
            gg = cast(op(G, w), g.type.dtype)
        return [gw, gg, None]


# ------------------------------------------------------------ the function

def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid",
           subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), *, image_shape=None):
    """Return the 2-d convolution of ``input`` with ``filters`` (Theano's ``T.nnet.conv2d``).

    ``input``: a 4-d tensor (batch, channels, rows, columns); ``filters``: a
    4-d tensor (output channels, input channels, rows, columns). The result
    is (batch, output channels, output rows, output columns).

    ``input_shape`` / ``filter_shape``: optional shape hints (four ints or
    None each) that refine the result's static shape; they must agree with
    the variables' static shapes and are checked at run time.
    ``image_shape`` is accepted for ``input_shape`` (the name of Theano's
    older ``conv.conv2d``).
    ``border_mode``: ``'valid'``, ``'full'``, ``'half'``, an int or a pair
    of ints (zero padding on each side). ``subsample``: the strides.
    ``filter_flip``: True flips the filters (a convolution), False does not
    (a cross-correlation, as most deep-learning libraries compute).
    ``filter_dilation``: spacing between filter taps.
    """
    if image_shape is not None:
        if input_shape is not None:
            raise ValueError("conv2d: give input_shape or its old name image_shape, not both")
        input_shape = image_shape
    op = Conv2d(border_mode=border_mode, subsample=subsample, filter_flip=filter_flip,
                filter_dilation=filter_dilation,
                imshp=_normalize_shape_hint(input_shape, "input_shape"),
                kshp=_normalize_shape_hint(filter_shape, "filter_shape"))
    return op(input, filters)


def _output_shape_vector(output_shape):
    """``output_shape`` (four ints or int scalars) as the static hint and an int vector."""
    entries = list(output_shape) if isinstance(output_shape, (tuple, list)) else None
    if entries is None or len(entries) != 4:
        raise ValueError(f"conv2d_transpose: output_shape must be four ints or int scalars "
                         f"(batch, channels, rows, columns); got {output_shape!r}")
    hint = tuple(int(e) if _is_int(e) else None for e in entries)
    if all(h is not None for h in hint):
        return hint, as_tensor_variable(np.asarray(hint, dtype="int64"))
    return hint, stack([cast(as_tensor_variable(e), "int64") for e in entries])


def conv2d_transpose(input, filters, output_shape, filter_shape=None, border_mode="valid",
                     input_dilation=(1, 1), filter_flip=True, filter_dilation=(1, 1),
                     num_groups=1, unshared=False):
    """Return the transposed convolution of ``input`` (Theano's ``T.nnet.conv2d_transpose``).

    The gradient of ``conv2d`` with respect to its input: ``input`` (batch,
    channels, rows, columns) plays the convolution's output, ``filters``
    (channels of ``input``, output channels, rows, columns) its filters, and
    the result has ``output_shape`` (four ints or int scalars). ``border_mode``,
    ``filter_flip`` and ``filter_dilation`` are those of the forward
    convolution, whose padding becomes a cropping; ``input_dilation`` is its
    ``subsample``. ``num_groups`` other than 1 and ``unshared`` are not
    implemented.
    """
    if num_groups != 1 or unshared:
        raise NotImplementedError("conv2d_transpose: num_groups other than 1 and unshared "
                                  "convolutions are not implemented")
    hint, shape_vector = _output_shape_vector(output_shape)
    op = Conv2dTranspose(border_mode=border_mode, subsample=input_dilation,
                         filter_flip=filter_flip, filter_dilation=filter_dilation, imshp=hint,
                         kshp=_normalize_shape_hint(filter_shape, "filter_shape"))
    return op(filters, input, shape_vector)
