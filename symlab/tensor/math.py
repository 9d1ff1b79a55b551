"""Elementwise functions: one per row of the scalar-op table, plus Theano's aliases.

``ROW_FUNCTIONS`` is built from the table, so a new row is a new function
(``T.exp``, ``T.maximum``, ...); this module defines each. ``ELEMWISE_FUNCTIONS``
holds those whose row's ``home`` is ``symlab.tensor`` (the names ``symlab.tensor``
exports); a row Theano keeps elsewhere is exported by its home module
(``T.xlogx.xlogx``). Theano's other spellings (``abs_``, ``sgn``, ``inv``,
``where``) are aliases listed below.
"""

from symlab.tensor.elemwise import Elemwise
from symlab.tensor.scalar_ops import SCALAR_OPS
from symlab.tensor.type import _normalize_dtype
from symlab.tensor.variable import as_tensor_variable

__all__ = ["ELEMWISE_FUNCTIONS", "ROW_FUNCTIONS", "cast", "round", "elemwise_op"]

_OPS = {name: Elemwise(row) for name, row in SCALAR_OPS.items()}


def elemwise_op(name):
    """The Elemwise op (shared instance) of the table row ``name``."""
    return _OPS[name]


def _make_function(row):
    op = _OPS[row.name]
    arity = "x" if row.nin == 1 else ("*xs" if row.nin == -1 else
                                      ", ".join("xyz"[:row.nin]))

    def apply(*inputs):
        return op(*inputs)

    apply.__name__ = row.name
    apply.__qualname__ = row.name
    apply.__doc__ = (f"{row.name}({arity}): elementwise {row.name} (row {row.name!r} of the "
                     f"scalar-op table); returns a tensor variable.")
    return apply


ROW_FUNCTIONS = {name: _make_function(row) for name, row in SCALAR_OPS.items()}
ELEMWISE_FUNCTIONS = {name: fn for name, fn in ROW_FUNCTIONS.items()
                      if SCALAR_OPS[name].home == "symlab.tensor"}
globals().update(ROW_FUNCTIONS)
__all__ += list(ROW_FUNCTIONS)

# Theano's other names for the same rows.
ALIASES = {
    "abs_": "abs", "sgn": "sign", "inv": "reciprocal", "where": "switch", "div": "true_div",
    "floor_div": "int_div", "bitwise_and": "and_", "bitwise_or": "or_", "bitwise_xor": "xor",
    "bitwise_not": "invert", "power": "pow", "square": "sqr",
    "true_divide": "true_div", "floor_divide": "int_div", "negative": "neg",
}
globals().update({alias: ELEMWISE_FUNCTIONS[name] for alias, name in ALIASES.items()})
__all__ += list(ALIASES)

_CASTS = {}


def cast(x, dtype):
    """Return ``x`` converted to ``dtype`` (``x`` itself if it already has it)."""
    x = as_tensor_variable(x)
    dtype = _normalize_dtype(dtype)
    if x.type.dtype == dtype:
        return x
    op = _CASTS.get(dtype)
    if op is None:
        op = _CASTS[dtype] = Elemwise(SCALAR_OPS["identity"], dtype=dtype)
    return op(x)


def round(x, mode="half_to_even"):
    """Round to integers: ``mode`` 'half_to_even' (NumPy's) or 'half_away_from_zero'."""
    if mode == "half_to_even":
        return ELEMWISE_FUNCTIONS["round_half_to_even"](x)
    if mode == "half_away_from_zero":
        return ELEMWISE_FUNCTIONS["round_half_away_from_zero"](x)
    raise ValueError(f"round: mode must be 'half_to_even' or 'half_away_from_zero'; got {mode!r}")
