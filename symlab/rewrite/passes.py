"""THE ordered list of rewrite passes. The order here is the order they run.

A pass or rewrite name is the one name used in traces, in ``include=`` and
in ``exclude=``. Every default pass keeps results equal for all finite
inputs where the original is finite (stabilize makes them more accurate);
``unsafe`` does not, so it runs only when included by name.
"""

from symlab.rewrite.canonicalize import CANONICALIZE, sort_commutative_inputs
from symlab.rewrite.constant_folding import constant_fold
from symlab.rewrite.control import (lazy_ifelse, merge_scans, optimize_inner_graphs,
                                   scan_pushout, scan_save_mem)
from symlab.rewrite.engine import Pass
from symlab.rewrite.fusion import fuse_elementwise
from symlab.rewrite.inplace import inplace_elemwise
from symlab.rewrite.merge import merge_constants, merge_equal_nodes
from symlab.rewrite.specialize import SPECIALIZE
from symlab.rewrite.stabilize import STABILIZE
from symlab.rewrite.unsafe import UNSAFE

__all__ = ["PASSES", "FAST_COMPILE_PASSES", "pass_names", "rewrite_names", "check_names"]

PASSES = (
    Pass("merge_constants", global_rewrite=merge_constants),
    Pass("merge", global_rewrite=merge_equal_nodes),
    Pass("merge_scans", global_rewrite=merge_scans),
    Pass("scan_pushout", global_rewrite=scan_pushout),
    Pass("scan_save_mem", global_rewrite=scan_save_mem),
    Pass("constant_folding", (constant_fold,)),
    Pass("canonicalize", CANONICALIZE, then=sort_commutative_inputs),
    Pass("unsafe", UNSAFE, default=False),
    Pass("stabilize", STABILIZE),
    Pass("specialize", SPECIALIZE),
    Pass("merge_again", global_rewrite=merge_equal_nodes),
    Pass("lazy_ifelse", global_rewrite=lazy_ifelse),
    Pass("inner_graphs", global_rewrite=optimize_inner_graphs),
    Pass("fuse_elementwise", global_rewrite=fuse_elementwise),
    Pass("inplace", global_rewrite=inplace_elemwise),
)

#: FAST_COMPILE runs only these passes (an ifelse stays lazy there too).
FAST_COMPILE_PASSES = ("merge_constants", "merge", "merge_scans", "constant_folding",
                       "lazy_ifelse")


def pass_names():
    """Every pass name, in order."""
    return [p.name for p in PASSES]


def rewrite_names():
    """Every rewrite name of every pass, in order, without repeats."""
    names = []
    for p in PASSES:
        names.extend(n for n in p.rewrite_names if n not in names)
    return names


def check_names(names, argument):
    """Raise ValueError naming any entry of ``names`` that is neither a pass nor a rewrite."""
    known = set(pass_names()) | set(rewrite_names())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"{argument}: unknown pass or rewrite {', '.join(map(repr, unknown))}; "
                         f"passes are {', '.join(pass_names())}; rewrites are "
                         f"{', '.join(rewrite_names())}")
