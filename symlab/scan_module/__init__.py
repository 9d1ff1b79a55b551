"""Loops: ``scan`` and the views built on it (``map``, ``reduce``, ``foldl``, ``foldr``).

``symlab.scan(fn, sequences, outputs_info, non_sequences, n_steps, ...)``
works as Theano's: it returns ``(outputs, updates)``. The loop is one
``Scan`` node whose body is a graph of its own, optimized by the same
rewrites (with its own trace), lowered once into a step function, and
differentiated by a loop running backwards (``symlab.scan_module.gradient``).
See ``docs/control-flow.md``.
"""

from symlab.scan_module.building import scan, until
from symlab.scan_module.checkpoints import scan_checkpoints
from symlab.scan_module.op import Scan
from symlab.scan_module.views import foldl, foldr, map, reduce
from symlab.scan_module import lowering  # noqa: F401  (registers the NumPy lowering of Scan)

__all__ = ["scan", "until", "map", "reduce", "foldl", "foldr", "Scan", "scan_checkpoints"]
