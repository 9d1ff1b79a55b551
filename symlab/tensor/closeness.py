"""Tolerant comparison and integer rounding: ``isclose``, ``allclose``, ``iround``.

Built from elementwise rows of the scalar-op table: ``isclose`` follows
``numpy.isclose`` (``|a - b| <= atol + rtol * |b|``; infinities are close only
to themselves; nan to nan only with ``equal_nan``), as Theano's does.
"""

from symlab.tensor.math import (abs as abs_, and_, cast, eq, invert, isinf, isnan, le, or_,
                                round)
from symlab.tensor.reduction import all as all_
from symlab.tensor.type import dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["isclose", "allclose", "iround"]


def isclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """Return a bool tensor: True where ``a`` and ``b`` are equal within the tolerances."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    close = le(abs_(a - b), atol + rtol * abs_(b))
    finite = invert(or_(or_(isnan(a), isnan(b)), or_(isinf(a), isinf(b))))
    same_inf = and_(and_(isinf(a), isinf(b)), eq(a, b))
    result = or_(and_(close, finite), same_inf)
    if equal_nan:
        result = or_(result, and_(isnan(a), isnan(b)))
    return result


def allclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """Return a bool scalar: True if ``isclose`` holds for every element."""
    return all_(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def iround(a, mode="half_to_even"):
    """Return ``a`` rounded (``mode`` as ``T.round``) and cast to int64; floats only."""
    a = as_tensor_variable(a)
    if dtype_kind(a.type.dtype) != "float":
        raise TypeError(f"iround: expected a float tensor; got {a} of type {a.type}")
    return cast(round(a, mode), "int64")
