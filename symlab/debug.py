"""Debugging compiled functions, in one place (``docs/debugging.md``).

``intermediate_values(f, *args)``: every value of one call; ``NanGuardMode``:
stop at the first node producing NaN, inf or a huge value; ``f.last_failure``
and ``CallFailure``: where a call failed; ``function(..., profile=True)`` and
``ProfileStats``: time per node; ``Print`` (also ``symlab.printing.Print``):
print a value when it is computed.
"""

from symlab.compile.debug import (BIG_VALUE, CallFailure, NanGuardError, NanGuardMode,
                                  intermediate_values)
from symlab.compile.profiling import ProfileStats
from symlab.printing import Print

__all__ = ["intermediate_values", "NanGuardMode", "NanGuardError", "CallFailure",
           "ProfileStats", "Print", "BIG_VALUE"]
