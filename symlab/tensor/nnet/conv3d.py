"""Theano's ``T.nnet.conv3d``: a batch of volumes convolved with a bank of 3-d filters.

``conv3d(input, filters)`` takes ``input`` (batch, channels, depth, rows,
columns) and ``filters`` (output channels, channels, depth, rows, columns)
and returns (batch, output channels, output depth, rows, columns), with the
options of ``conv2d`` on three axes: ``border_mode`` ('valid', 'full',
'half', an int or three ints of zero padding), ``subsample`` (strides),
``filter_flip`` (True: a convolution, flipping the filters along all three
axes; False: a cross-correlation) and ``filter_dilation``.

It is built from ``conv2d``: the input is zero-padded along the depth, and
each depth tap of the filters is a 2-d convolution of the input slices it
meets (batch and output depth stacked into one batch); the taps are summed.
So the gradient is the graph's, from ``conv2d``'s. The filters' depth must
be known when the graph is built (from their static shape or
``filter_shape``). ``conv2d`` lives in the convolution layer above this one
and is imported when a graph is built.
"""

import numbers

import numpy as np

from symlab.tensor import math as tm
from symlab.tensor.creation import zeros
from symlab.tensor.shape import concatenate, reshape
from symlab.tensor.variable import as_tensor_variable

__all__ = ["conv3d"]

_BORDER_MODES = ("valid", "full", "half")


def _is_int(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_))


def _triple(caller, value, what, minimum):
    """``value`` (an int or three ints, each >= ``minimum``) as three ints."""
    triple = (value,) * 3 if _is_int(value) else value
    try:
        triple = tuple(triple)
    except TypeError:
        triple = ()
    if len(triple) != 3 or not all(_is_int(v) and v >= minimum for v in triple):
        raise ValueError(f"{caller}: {what} must be three ints >= {minimum} (depth, rows, "
                         f"columns); got {value!r}")
    return tuple(int(v) for v in triple)


def _border_modes(caller, border_mode):
    """Three per-axis modes, each 'valid', 'full', 'half' or a padding int."""
    if isinstance(border_mode, str):
        if border_mode in _BORDER_MODES:
            return (border_mode,) * 3
    elif isinstance(border_mode, (tuple, list)) and len(border_mode) == 3 and all(
            (isinstance(m, str) and m in _BORDER_MODES) or (_is_int(m) and m >= 0)
            for m in border_mode):
        return tuple(m if isinstance(m, str) else int(m) for m in border_mode)
    elif _is_int(border_mode) and border_mode >= 0:
        return (int(border_mode),) * 3
    raise ValueError(f"{caller}: border_mode must be 'valid', 'full', 'half', a non-negative "
                     f"int or three of them (depth, rows, columns); got {border_mode!r}")


def _pad(mode, kernel, dilation):
    """The zero padding on each side for one axis."""
    if not isinstance(mode, str):
        return mode
    dilated = (kernel - 1) * dilation + 1
    if mode == "valid":
        return 0
    if mode == "full":
        return dilated - 1
    if mode == "half":
        return dilated // 2
    raise ValueError(f"unknown border mode {mode!r}")


def _spatial_mode(caller, modes, kernel_rows, kernel_cols, dilation):
    """The ``border_mode`` to hand ``conv2d`` for the rows and columns."""
    if modes[1] == modes[2] and isinstance(modes[1], str):
        return modes[1]
    if (isinstance(modes[1], str) and kernel_rows is None) or \
            (isinstance(modes[2], str) and kernel_cols is None):
        raise ValueError(f"{caller}: the border modes {modes} mix a named mode with padding; "
                         "the filters' rows and columns must then be known statically")
    return (_pad(modes[1], kernel_rows, dilation[1]), _pad(modes[2], kernel_cols, dilation[2]))


def _check_5d(caller, var, role, layout):
    if var.type.ndim != 5:
        raise TypeError(f"{caller}: {role} must be a 5-d tensor {layout}; got {var} of type "
                        f"{var.type}, which has {var.type.ndim} dimensions")


def _hint(caller, hint, what):
    if hint is None:
        return (None,) * 5
    entries = tuple(hint)
    if len(entries) != 5 or not all(e is None or _is_int(e) for e in entries):
        raise ValueError(f"{caller}: {what} must be five ints or None; got {hint!r}")
    return tuple(None if e is None else int(e) for e in entries)


def conv3d_channels_first(caller, x, w, modes, subsample, filter_flip, dilation,
                          filter_shape=None):
    """The 3-d convolution of ``x`` (batch, channels, depth, rows, columns) with ``w``
    (output channels, channels, depth, rows, columns) as a sum of ``conv2d`` graphs."""
    from symlab.tensor.nnet.conv import conv2d  # upward: the convolution layer, when used
    hint = _hint(caller, filter_shape, "filter_shape")
    kernel = [w.type.shape[a] if w.type.shape[a] is not None else hint[a] for a in (2, 3, 4)]
    if kernel[0] is None:
        raise ValueError(f"{caller}: the filters' depth must be known when the graph is "
                         f"built; give filters {w} of type {w.type} a static shape or pass "
                         f"filter_shape")
    depth_pad = _pad(modes[0], kernel[0], dilation[0])
    if depth_pad:
        side = zeros((x.shape[0], x.shape[1], depth_pad, x.shape[3], x.shape[4]),
                     dtype=x.type.dtype)
        x = concatenate([side, x, side], axis=2)
    span = (kernel[0] - 1) * dilation[0] + 1
    out_depth = tm.add(tm.int_div(tm.sub(x.shape[2], span), subsample[0]), 1)
    batch, rows, cols = x.shape[0], x.shape[3], x.shape[4]
    spatial = _spatial_mode(caller, modes, kernel[1], kernel[2], dilation)
    total = None
    for tap in range(kernel[0]):
        start = tap * dilation[0]
        stop = tm.add(start + 1, tm.mul(subsample[0], tm.sub(out_depth, 1)))
        part = x[:, :, start:stop:subsample[0]].dimshuffle(0, 2, 1, 3, 4)
        part = reshape(part, (tm.mul(batch, out_depth), x.shape[1], rows, cols))
        taps = w[:, :, kernel[0] - 1 - tap] if filter_flip else w[:, :, tap]
        term = conv2d(part, taps, border_mode=spatial, subsample=subsample[1:],
                      filter_flip=filter_flip, filter_dilation=dilation[1:])
        total = term if total is None else tm.add(total, term)
    out = reshape(total, (batch, out_depth, total.shape[1], total.shape[2], total.shape[3]))
    return out.dimshuffle(0, 2, 1, 3, 4)


def conv3d(input, filters, input_shape=None, filter_shape=None, border_mode="valid",
           subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """Return the 3-d convolution of ``input`` with ``filters`` (Theano's ``T.nnet.conv3d``).

    ``input``: (batch, channels, depth, rows, columns); ``filters``: (output
    channels, channels, depth, rows, columns); the result is (batch, output
    channels, output depth, output rows, output columns), each output side
    ``(size + 2 * pad - ((k - 1) * dilation + 1)) // stride + 1``. See the
    module's docstring for the options; ``input_shape`` is accepted as a hint
    and ``filter_shape`` supplies the filters' depth when their type does not
    fix it. ``num_groups`` other than 1 is not implemented.
    """
    if num_groups != 1:
        raise NotImplementedError("conv3d: num_groups other than 1 is not implemented")
    x, w = as_tensor_variable(input), as_tensor_variable(filters)
    _check_5d("conv3d", x, "input", "(batch, channels, depth, rows, columns)")
    _check_5d("conv3d", w, "filters", "(output channels, channels, depth, rows, columns)")
    _hint("conv3d", input_shape, "input_shape")
    return conv3d_channels_first("conv3d", x, w, _border_modes("conv3d", border_mode),
                                 _triple("conv3d", subsample, "subsample", 1),
                                 bool(filter_flip),
                                 _triple("conv3d", filter_dilation, "filter_dilation", 1),
                                 filter_shape)
