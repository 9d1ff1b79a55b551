"""Constant folding: a node whose inputs are all constants becomes a constant.

The value is computed by the op's own ``perform`` (the reference semantics,
through ``Op.compute``), in the node's own dtype. Random ops, ops with side
effects (``Print``) and nodes whose op's ``do_constant_folding(node)`` is
False never fold, and neither do results larger than ``MAX_FOLDED_ELEMENTS``
(folding ``zeros((10000, 10000))`` would bake 800 MB into the function).
"""

import numpy as np

from symlab.graph.basic import Constant

__all__ = ["constant_fold", "MAX_FOLDED_ELEMENTS"]

MAX_FOLDED_ELEMENTS = 100_000


def constant_fold(fgraph, node):
    """f(constants) -> constant: compute the node now, in its own dtype."""
    if not node.inputs or not all(isinstance(v, Constant) for v in node.inputs):
        return None
    if not getattr(node.op, "deterministic", True):
        return None
    if getattr(node.op, "has_side_effects", False):
        return None      # folding would run it once, now, instead of at each call (Print)
    if not node.op.do_constant_folding(node):
        return None      # the op asked not to be folded (Theano's do_constant_folding)
    try:
        values = node.op.compute(node, [v.data for v in node.inputs])
    except Exception:
        return None      # leave a failing node for run time, where its error names it
    replacements = []
    for var, value in zip(node.outputs, values):
        value = np.asarray(value)
        if value.size > MAX_FOLDED_ELEMENTS or value.dtype != var.type.dtype:
            return None
        data = np.array(value, copy=True)
        data.setflags(write=False)
        replacements.append(var.type.constant_class(var.type.clone(shape=data.shape), data))
    return replacements
