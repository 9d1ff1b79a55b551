"""Specialize: replace general operations by cheaper special cases.

Powers with a constant exponent become the dedicated rows or a few
multiplications. The results agree with ``x ** c`` for every finite ``x``
within rounding (a few ulp for the multiplication chains).
"""

import symlab.tensor.math as tm
from symlab.rewrite.canonicalize import as_replacement, constant_value, row_name
from symlab.tensor.type import dtype_kind

__all__ = ["SPECIALIZE", "pow_to_sqr", "pow_to_sqrt", "pow_to_reciprocal", "pow_to_muls"]

#: pow_to_muls handles integer exponents up to this one.
MAX_MUL_EXPONENT = 8


def _constant_exponent(node):
    """The exponent of a ``pow`` node as a Python number if it is one constant value, else None."""
    if row_name(node) != "pow":
        return None
    value = constant_value(node.inputs[1])
    if value is None or value.size != 1:
        return None
    return value.reshape(()).item()


def _base_in_result_dtype(node):
    """The base of a pow node cast to the result dtype (int32 ** 2.0 squares in float64)."""
    return tm.cast(node.inputs[0], node.outputs[0].type.dtype)


def _power_replacement(node, exponent, build):
    if _constant_exponent(node) != exponent:
        return None
    return [as_replacement(build(_base_in_result_dtype(node)), node.outputs[0])]


def pow_to_sqr(fgraph, node):
    """x ** 2 -> sqr(x)."""
    return _power_replacement(node, 2, tm.sqr)


def pow_to_sqrt(fgraph, node):
    """x ** 0.5 -> sqrt(x)."""
    return _power_replacement(node, 0.5, tm.sqrt)


def pow_to_reciprocal(fgraph, node):
    """x ** -1 -> reciprocal(x) (float results only: integer powers of -1 are refused by NumPy)."""
    if row_name(node) != "pow" or dtype_kind(node.outputs[0].type.dtype) != "float":
        return None
    return _power_replacement(node, -1, tm.reciprocal)


def _power_by_squaring(x, n):
    """x ** n for an integer n >= 1 as sqr and mul nodes (x**5 -> sqr(sqr(x)) * x)."""
    if n == 1:
        return x
    half = _power_by_squaring(x, n // 2)
    squared = tm.sqr(half)
    return tm.mul(squared, x) if n % 2 else squared


def pow_to_muls(fgraph, node):
    """x ** n -> multiplications for a small integer n (x**1 -> x, x**3 -> sqr(x) * x, ...)."""
    exponent = _constant_exponent(node)
    if exponent is None or isinstance(exponent, complex) or exponent != int(exponent):
        return None
    n = int(exponent)
    if not 1 <= n <= MAX_MUL_EXPONENT or n == 2:
        return None
    x = _base_in_result_dtype(node)
    return [as_replacement(_power_by_squaring(x, n), node.outputs[0])]


SPECIALIZE = (pow_to_sqr, pow_to_sqrt, pow_to_reciprocal, pow_to_muls)
