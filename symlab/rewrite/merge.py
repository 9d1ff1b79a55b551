"""The merge pass: equal constants and common subexpressions become one node.

Two nodes merge when their ops are equal and their inputs are the same
variables; two constants merge when their type and value are equal. Ops that
draw random numbers (``op.deterministic`` False) never merge: two draws are
two different numbers. Nor do ops with side effects (``has_side_effects``,
e.g. ``Print``): each of them must still run.
"""

from symlab.graph.basic import Constant

__all__ = ["merge_constants", "merge_equal_nodes"]


def merge_constants(fgraph):
    """Replace each constant by the first constant of equal type and value (one event)."""
    first = {}
    pairs = []
    for var in fgraph.variables:
        if isinstance(var, Constant) and hasattr(var, "signature"):
            key = var.signature()
            kept = first.setdefault(key, var)
            if kept is not var:
                pairs.append((var, kept))
    if pairs:
        fgraph.replace_all(pairs, reason="merge_constants")


def merge_equal_nodes(fgraph):
    """Replace each node by an earlier node with an equal op on the same inputs.

    One event per merged node; repeats until no two nodes are equal.
    """
    changed = True
    while changed:
        changed = False
        seen = {}
        for node in fgraph.toposort():
            if node not in fgraph:
                continue
            if not getattr(node.op, "deterministic", True):
                continue
            if getattr(node.op, "has_side_effects", False):
                continue    # each must still run: two Prints the user wrote print twice
            key = (node.op, node.inputs)
            kept = seen.get(key)
            if kept is None or kept not in fgraph:
                seen[key] = node
                continue
            fgraph.replace_all(list(zip(node.outputs, kept.outputs)),
                               reason="merge_equal_nodes")
            changed = True
