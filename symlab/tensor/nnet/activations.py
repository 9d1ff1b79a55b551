"""Theano's elementwise activations that are compositions of table rows.

``ultra_fast_sigmoid`` and ``hard_sigmoid`` are Theano's piecewise
approximations of the sigmoid, ``softsign``, ``elu``, ``selu`` and ``relu``
its other activations. Each is written as elementwise ops of the scalar-op
table (``switch``, ``abs``, ``expm1``, ...), so the fuser merges them into
one kernel and ``T.grad`` differentiates them with no rule of their own
(the gradient of an approximation is the derivative of its formula; Theano
defined none for ``ultra_fast_sigmoid``).
"""

import numbers

import numpy as np

from symlab.tensor import math as tm
from symlab.tensor.scalar_ops import upgrade_to_float
from symlab.tensor.type import dtype_kind
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["ultra_fast_sigmoid", "hard_sigmoid", "softsign", "elu", "selu", "relu"]

# The tanh approximation inside Theano's ultra_fast_sigmoid, for a = |x| / 2:
# 1.5 a / (1 + a) below 1.7, a line up to 3, a constant beyond.
_UFS_KNEE, _UFS_END = 1.7, 3.0
_UFS_LINE_AT_KNEE, _UFS_SLOPE = 0.935409070603099, 0.0458812946797165
_UFS_CEILING = 0.99505475368673

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float_input(caller, x):
    """``x`` as a tensor variable and the float dtype Theano computes it in."""
    x = as_tensor_variable(x)
    if dtype_kind(x.type.dtype) == "complex":
        raise TypeError(f"{caller}: expected a real tensor; got {x} of type {x.type}")
    return x, upgrade_to_float(x.type.dtype)


def _const(value, dtype):
    return constant(np.asarray(value, dtype=dtype))


def ultra_fast_sigmoid(x):
    """Return Theano's fast piecewise approximation of ``sigmoid(x)`` (within about 0.01).

    With ``a = |x| / 2``: ``t = 1.5 a / (1 + a)`` for ``a < 1.7``,
    ``0.935409070603099 + 0.0458812946797165 (a - 1.7)`` for ``a < 3``, else
    ``0.99505475368673``; the result is ``(sign(x) t + 1) / 2``, in ``x``'s
    float dtype (ints upgrade as for ``sigmoid``).
    """
    x, dtype = _float_input("ultra_fast_sigmoid", x)
    half = tm.mul(tm.cast(x, dtype), _const(0.5, dtype))
    a = tm.abs(half)
    inner = tm.true_div(tm.mul(_const(1.5, dtype), a), tm.add(_const(1.0, dtype), a))
    line = tm.add(_const(_UFS_LINE_AT_KNEE, dtype),
                  tm.mul(_const(_UFS_SLOPE, dtype), tm.sub(a, _const(_UFS_KNEE, dtype))))
    t = tm.switch(tm.lt(a, _const(_UFS_KNEE, dtype)), inner,
                  tm.switch(tm.lt(a, _const(_UFS_END, dtype)), line,
                            _const(_UFS_CEILING, dtype)))
    signed = tm.switch(tm.ge(half, _const(0.0, dtype)), t, tm.neg(t))
    return tm.mul(_const(0.5, dtype), tm.add(signed, _const(1.0, dtype)))


def hard_sigmoid(x):
    """Return Theano's hard sigmoid ``clip(0.2 x + 0.5, 0, 1)`` in ``x``'s float dtype."""
    x, dtype = _float_input("hard_sigmoid", x)
    shifted = tm.add(tm.mul(x, _const(0.2, dtype)), _const(0.5, dtype))
    return tm.clip(shifted, _const(0.0, dtype), _const(1.0, dtype))


def softsign(x):
    """Return ``x / (1 + |x|)`` elementwise, in ``x``'s float dtype."""
    x, dtype = _float_input("softsign", x)
    return tm.true_div(tm.cast(x, dtype), tm.add(_const(1.0, dtype), tm.abs(x)))


def elu(x, alpha=1):
    """Return the exponential linear unit: ``x`` where ``x > 0``, else ``alpha (e^x - 1)``.

    As in Theano, ``alpha`` is an ordinary operand: a Python float that float32
    cannot hold exactly makes the result float64.
    """
    x = as_tensor_variable(x)
    return tm.switch(tm.gt(x, 0), x, tm.mul(alpha, tm.expm1(x)))


def selu(x):
    """Return the scaled exponential linear unit ``1.0507... * elu(x, 1.6732...)``.

    As in Theano its constants are float64, so the result is float64.
    """
    return tm.mul(_SELU_SCALE, elu(x, _SELU_ALPHA))


def relu(x, alpha=0):
    """Return the rectified linear unit: ``x`` where ``x > 0``, else ``alpha * x``.

    ``alpha == 0`` gives ``maximum(x, 0)``; a numeric ``alpha`` is taken in
    ``x``'s float dtype, so a float32 input gives a float32 result (Theano gave
    float64 for an alpha float32 cannot hold, such as 0.1). A tensor ``alpha``
    (a learnable slope, say) broadcasts against ``x``.
    """
    x = as_tensor_variable(x)
    if isinstance(alpha, numbers.Number) and alpha == 0:
        return tm.maximum(x, 0)
    if isinstance(alpha, numbers.Number) and dtype_kind(x.type.dtype) == "float":
        alpha = constant(np.asarray(alpha, dtype=x.type.dtype))
    return tm.switch(tm.gt(x, 0), x, tm.mul(alpha, x))
