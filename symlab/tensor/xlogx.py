"""Theano's ``theano.tensor.xlogx``: ``xlogx(x) = x * log(x)`` and ``xlogy0(x, y) = x * log(y)``,
both 0 where ``x`` is 0 (the limit, where the plain product gives nan).

Both are rows of the scalar-op table (``symlab/tensor/scalar_ops.py``), whose
``home`` is this module: this module only exposes the table's functions, so they
fuse, run as CUDA kernels, print and differentiate like every elementwise op.
Results are in the float dtype Theano gives (``int32`` -> float64, ``int8`` ->
float32); gradients are Theano's: ``1 + log(x)`` for ``xlogx``; ``log(y)`` and
``x / y`` for ``xlogy0`` (so at ``x = 0`` they are ``-inf`` and, where ``y`` is 0
too, nan, as in Theano).
"""

from symlab.tensor.math import ROW_FUNCTIONS

__all__ = ["xlogx", "xlogy0"]

xlogx = ROW_FUNCTIONS["xlogx"]      # x * log(x), 0 at x = 0
xlogy0 = ROW_FUNCTIONS["xlogy0"]    # x * log(y), 0 where x is 0
