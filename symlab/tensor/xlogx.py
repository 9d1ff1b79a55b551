"""Theano's ``theano.tensor.xlogx``: ``xlogx(x) = x * log(x)`` and ``xlogy0(x, y) = x * log(y)``,
both 0 where ``x`` is 0 (the limit, where the plain product gives nan).

Elementwise ops of their own, computed in the float dtype Theano gives (ints
become floats: ``int32`` -> float64, ``int8`` -> float32), with Theano's
gradients: ``1 + log(x)`` for ``xlogx``; ``log(y)`` and ``x / y`` for ``xlogy0``
(so at ``x = 0`` they are ``-inf`` and, where ``y`` is 0 too, nan, as in Theano).
"""

import numpy as np

from symlab.graph.basic import Apply, Op
from symlab.tensor.elemwise import (broadcast_static_shapes, check_runtime_broadcast,
                                    is_differentiable, unbroadcast)
from symlab.tensor.scalar_ops import upgrade_to_float
from symlab.tensor.type import TensorType, dtype_kind, upcast
from symlab.tensor.variable import as_tensor_variable

__all__ = ["XlogX", "XlogY0", "xlogx", "xlogy0"]


def _float_dtype(name, inputs):
    for var in inputs:
        if dtype_kind(var.type.dtype) == "complex":
            raise TypeError(f"{name}: expected real tensors; got {var} of type {var.type}")
    return upcast(*[upgrade_to_float(v.type.dtype) for v in inputs])


class _ZeroAtZero(Op):
    """An elementwise op on real tensors that is 0 wherever its first input is 0."""

    nin = None

    def make_node(self, *inputs):
        if len(inputs) != self.nin:
            raise TypeError(f"{self.name} takes {self.nin} inputs; got {len(inputs)}")
        inputs = [as_tensor_variable(x) for x in inputs]
        dtype = _float_dtype(self.name, inputs)
        shape = broadcast_static_shapes(self.name, inputs)
        return Apply(self, inputs, [TensorType(dtype, shape)])

    def perform(self, node, inputs):
        dtype = node.outputs[0].type.dtype
        values = [np.asarray(v, dtype=dtype) for v in inputs]
        out_shape = np.broadcast_shapes(*[v.shape for v in values])
        check_runtime_broadcast(node, values, out_shape)
        x = values[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            product = x * np.log(values[-1])
        return [np.asarray(np.where(x == 0, np.zeros((), dtype), product), dtype=dtype)]

    def output_is_fresh(self, node):
        return True


class XlogX(_ZeroAtZero):
    """``x * log(x)``, 0 at ``x = 0``."""

    nin = 1

    def grad(self, node, output_grads):
        """d/dx x log x = 1 + log x (``-inf`` at 0, as in Theano)."""
        from symlab.tensor import math as tm
        (g,) = output_grads
        (x,) = node.inputs
        if g is None or not is_differentiable(x):
            return [None]
        return [unbroadcast(g * (1 + tm.log(x)), x)]


class XlogY0(_ZeroAtZero):
    """``x * log(y)``, 0 at ``x = 0`` (whatever ``y``)."""

    nin = 2

    def grad(self, node, output_grads):
        """d/dx = log y, d/dy = x / y, as in Theano."""
        from symlab.tensor import math as tm
        (g,) = output_grads
        x, y = node.inputs
        if g is None:
            return [None, None]
        return [unbroadcast(g * tm.log(y), x) if is_differentiable(x) else None,
                unbroadcast(g * x / y, y) if is_differentiable(y) else None]


_XLOGX = XlogX()
_XLOGY0 = XlogY0()


def xlogx(x):
    """Return ``x * log(x)`` elementwise, 0 where ``x`` is 0 (Theano's ``T.xlogx.xlogx``)."""
    return _XLOGX(x)


def xlogy0(x, y):
    """Return ``x * log(y)`` elementwise, 0 where ``x`` is 0 (Theano's ``T.xlogx.xlogy0``)."""
    return _XLOGY0(x, y)
