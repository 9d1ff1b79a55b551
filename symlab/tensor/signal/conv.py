"""Theano's ``theano.tensor.signal.conv.conv2d``: plain 2-d convolutions of images.

Unlike ``T.nnet.conv2d`` (batches of multi-channel images and filter banks),
this takes one image (rows, columns) or a stack of them (images, rows,
columns), and one filter or a stack of filters, and convolves each image
with each filter (flipping the filter, as ``scipy.signal.convolve2d``). The
result is (images, filters, rows, columns), without the images axis when
one image was given and without the filters axis when one filter was. It is
``T.nnet.conv2d`` on single-channel 4-d views, so it shares its gradient.
"""

from symlab.tensor.nnet.conv import conv2d as nnet_conv2d
from symlab.tensor.shape import reshape
from symlab.tensor.variable import as_tensor_variable

__all__ = ["conv2d"]


def _four_d(var, role, layout):
    if var.type.ndim not in (2, 3):
        raise TypeError(f"signal.conv.conv2d: {role} must be 2-d or 3-d {layout}; got {var} "
                        f"of type {var.type}")
    count = var.shape[0] if var.type.ndim == 3 else 1
    return reshape(var, (count, 1, var.shape[-2], var.shape[-1]))


def conv2d(input, filters, image_shape=None, filter_shape=None, border_mode="valid",
           subsample=(1, 1), **kwargs):
    """Return each image of ``input`` convolved with each filter of ``filters``.

    ``input``: ([images,] rows, columns); ``filters``: ([filters,] rows,
    columns); ``border_mode``: 'valid' or 'full' (as ``scipy.signal.convolve2d``);
    ``subsample``: the strides. Returns ([images,] [filters,] rows, columns).
    ``image_shape`` and ``filter_shape`` are accepted as hints; other keyword
    arguments of Theano's old ``ConvOp`` are refused.
    """
    if kwargs:
        raise TypeError(f"signal.conv.conv2d: unsupported arguments {sorted(kwargs)}")
    if border_mode not in ("valid", "full"):
        raise ValueError(f"signal.conv.conv2d: border_mode must be 'valid' or 'full'; got "
                         f"{border_mode!r}")
    input, filters = as_tensor_variable(input), as_tensor_variable(filters)
    images = _four_d(input, "input", "([images,] rows, columns)")
    kernels = _four_d(filters, "filters", "([filters,] rows, columns)")
    out = nnet_conv2d(images, kernels, border_mode=border_mode, subsample=subsample)
    rows, cols = out.shape[2], out.shape[3]
    if input.type.ndim == 2 and filters.type.ndim == 2:
        return reshape(out, (rows, cols))
    if input.type.ndim == 2:
        return reshape(out, (out.shape[1], rows, cols))
    if filters.type.ndim == 2:
        return reshape(out, (out.shape[0], rows, cols))
    return out
