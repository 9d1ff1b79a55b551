"""Theano's older 3-d convolution, ``T.nnet.conv3d2d.conv3d``, with its own axis order.

``conv3d(signals, filters, signals_shape=None, filters_shape=None,
border_mode='valid')`` takes ``signals`` (batch, time, channels, rows,
columns) and ``filters`` (output channels, time, channels, rows, columns)
and returns (batch, output time, output channels, output rows, output
columns): a true convolution (the filters flipped along all three axes), as
Theano's. ``border_mode`` is 'valid', 'full' or 'half', or three of them
(time, rows, columns) whose last two must agree. It is ``T.nnet.conv3d`` on
the axes reordered, so it shares that function's gradient and its need to
know the filters' time extent when the graph is built (from their static
shape or ``filters_shape``).
"""

from symlab.tensor.nnet.conv3d import conv3d_channels_first
from symlab.tensor.variable import as_tensor_variable

__all__ = ["conv3d"]

_MODES = ("valid", "full", "half")


def _modes(border_mode):
    modes = (border_mode,) * 3 if isinstance(border_mode, str) else tuple(border_mode)
    if len(modes) != 3 or not all(isinstance(m, str) and m in _MODES for m in modes):
        raise ValueError(f"conv3d2d.conv3d: border_mode must be 'valid', 'full' or 'half', "
                         f"or three of them (time, rows, columns); got {border_mode!r}")
    if modes[1] != modes[2]:
        raise NotImplementedError(f"conv3d2d.conv3d: the rows' and columns' border modes must "
                                  f"match, as in Theano; got {border_mode!r}")
    return modes


def _check_5d(var, role, layout):
    if var.type.ndim != 5:
        raise TypeError(f"conv3d2d.conv3d: {role} must be a 5-d tensor {layout}; got {var} "
                        f"of type {var.type}")


def conv3d(signals, filters, signals_shape=None, filters_shape=None, border_mode="valid"):
    """Return the 3-d convolution of ``signals`` with ``filters`` in Theano's conv3d2d layout.

    ``signals``: (batch, time, channels, rows, columns); ``filters``: (output
    channels, time, channels, rows, columns); ``signals_shape`` and
    ``filters_shape``: optional shapes in the same layouts (``filters_shape``
    gives the filters' time extent if their type does not). The result is
    (batch, output time, output channels, output rows, output columns).
    """
    signals, filters = as_tensor_variable(signals), as_tensor_variable(filters)
    _check_5d(signals, "signals", "(batch, time, channels, rows, columns)")
    _check_5d(filters, "filters", "(output channels, time, channels, rows, columns)")
    hint = None
    if filters_shape is not None:
        shape = tuple(filters_shape)
        if len(shape) != 5:
            raise ValueError(f"conv3d2d.conv3d: filters_shape must have five entries; got "
                             f"{filters_shape!r}")
        hint = (shape[0], shape[2], shape[1], shape[3], shape[4])
    if signals_shape is not None and len(tuple(signals_shape)) != 5:
        raise ValueError(f"conv3d2d.conv3d: signals_shape must have five entries; got "
                         f"{signals_shape!r}")
    out = conv3d_channels_first("conv3d2d.conv3d", signals.dimshuffle(0, 2, 1, 3, 4),
                                filters.dimshuffle(0, 2, 1, 3, 4), _modes(border_mode),
                                (1, 1, 1), True, (1, 1, 1), hint)
    return out.dimshuffle(0, 2, 1, 3, 4)
