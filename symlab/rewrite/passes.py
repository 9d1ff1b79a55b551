"""THE ordered list of rewrite passes. The order here is the order they run.

A pass or rewrite name is the one name used in traces, in ``include=`` and
in ``exclude=``. Every default pass keeps results equal for all finite
inputs where the original is finite (stabilize makes them more accurate);
``unsafe`` does not, so it runs only when included by name.

``THEANO_NAMES`` reads the names Theano code passes to ``including``/``excluding``
(``'local_elemwise_fusion'``, ``'fast_run'``...) as the symlab names they stand
for: ``resolve_names`` turns a list of names into symlab's, so traces and
modes only ever show symlab's names.
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

__all__ = ["PASSES", "FAST_COMPILE_PASSES", "THEANO_NAMES", "pass_names", "rewrite_names",
           "check_names", "resolve_names"]

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


#: Theano's names for rewrites and groups of rewrites (those its docs, tutorials and
#: users pass to ``including``/``excluding``), each read as the symlab passes or
#: rewrites it stands for. A name symlab itself uses ('merge', 'inplace',
#: 'canonicalize', 'stabilize', 'specialize', 'constant_folding', 'unsafe') keeps
#: symlab's meaning and is not listed here.
THEANO_NAMES = {
    # Theano's name                    symlab's passes or rewrites
    "fast_run":                        tuple(p.name for p in PASSES if p.default),
    "fast_compile":                    FAST_COMPILE_PASSES,
    "fusion":                          ("fuse_elementwise",),
    "elemwise_fusion":                 ("fuse_elementwise",),
    "local_elemwise_fusion":           ("fuse_elementwise",),
    "composite_elemwise_fusion":       ("fuse_elementwise",),
    "inplace_opt":                     ("inplace",),
    "inplace_elemwise_optimizer":      ("inplace",),
    "topo_constant_folding":           ("constant_folding",),
    "scan":                            ("merge_scans", "scan_pushout", "scan_save_mem"),
    "scanOp_merge":                    ("merge_scans",),
    "scanOp_pushout_nonseqs_ops":      ("scan_pushout",),
    "scanOp_save_mem":                 ("scan_save_mem",),
    "ShapeOpt":                        ("shape_of_elemwise", "shape_of_reduce"),
    "local_dimshuffle_lift":           ("dimshuffle_dimshuffle", "useless_dimshuffle"),
    "local_reshape_chain":             ("reshape_reshape",),
    "local_useless_reshape":           ("useless_reshape",),
    "local_neg_neg":                   ("neg_neg",),
    "local_mul_zero":                  ("mul_zero",),                # x * 0 -> 0 (unsafe)
    "local_log1p":                     ("log1p_from_log",),          # log(1 + x) -> log1p(x)
    "local_expm1":                     ("expm1_from_exp",),          # exp(x) - 1 -> expm1(x)
    "local_exp_over_1_plus_exp":       ("sigmoid_from_exp",),        # 1 / (1 + exp(-x))
    "logsigm_to_softplus":             ("log_sigmoid_to_softplus",),
    "log1msigm_to_softplus":           ("log1m_sigmoid_to_softplus",),
    "local_log_sum_exp":               ("logsumexp_shift",),
    "local_logsoftmax":                ("log_softmax_from_log",),
    "crossentropy_to_crossentropy_with_softmax": ("crossentropy_softmax",),
    "local_crossentropy_to_crossentropy_with_softmax_grad": ("crossentropy_softmax_grad",),
    "local_pow_specialize":            ("pow_to_sqr", "pow_to_sqrt", "pow_to_reciprocal",
                                        "pow_to_muls"),
}


def pass_names():
    """Every pass name, in order."""
    return [p.name for p in PASSES]


def rewrite_names():
    """Every rewrite name of every pass, in order, without repeats."""
    names = []
    for p in PASSES:
        names.extend(n for n in p.rewrite_names if n not in names)
    return names


def resolve_names(names, argument):
    """Return ``names`` as a tuple of symlab pass and rewrite names, in order, without repeats.

    symlab's own names stay as they are and Theano's (``THEANO_NAMES``) become
    the names they stand for; any other name raises ValueError naming it and
    listing the known ones (``argument`` says where it was given).
    """
    if isinstance(names, str):
        names = (names,)
    check_names(names, argument)
    own = set(pass_names()) | set(rewrite_names())
    resolved = []
    for name in names:
        for symlab_name in ((name,) if name in own else THEANO_NAMES[name]):
            if symlab_name not in resolved:
                resolved.append(symlab_name)
    return tuple(resolved)


def check_names(names, argument):
    """Raise ValueError naming any entry of ``names`` that is neither a pass, a rewrite nor
    one of Theano's names (``THEANO_NAMES``)."""
    known = set(pass_names()) | set(rewrite_names()) | set(THEANO_NAMES)
    unknown = [n for n in names if not isinstance(n, str) or n not in known]
    if unknown:
        raise ValueError(f"{argument}: unknown pass or rewrite {', '.join(map(repr, unknown))}; "
                         f"passes are {', '.join(pass_names())}; rewrites are "
                         f"{', '.join(rewrite_names())}; Theano's names read as symlab's are "
                         f"{', '.join(THEANO_NAMES)}")
