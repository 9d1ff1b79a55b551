"""Fuse elementwise: a chain of elementwise nodes becomes one fused node.

A group grows upstream from a *root* (an elementwise node whose result is
needed elsewhere than in one elementwise client) through every elementwise
input used by nothing else, so that no value computed inside a group is
needed outside it. Each group of two or more nodes becomes one
``FusedElemwise`` node: one event in the trace, one kernel in the backends.
"""

from symlab.graph.basic import Apply, Constant, inherited_origins, merged_origins
from symlab.tensor.elemwise import Elemwise
from symlab.tensor.fused import FusedElemwise

__all__ = ["fuse_elementwise"]


def _fusible(node):
    return node is not None and isinstance(node.op, Elemwise) and node.op.inplace is None


def _absorbed_by(fgraph, var):
    """The one elementwise node that alone uses ``var`` (so it can absorb var's node), or None."""
    clients = fgraph.clients.get(var, ())
    users = {id(node): node for node, _ in clients if node != "output"}
    if len(users) != 1 or any(node == "output" for node, _ in clients):
        return None
    (user,) = users.values()
    return user if _fusible(user) else None


def _groups(fgraph):
    """The groups to fuse, each a topologically ordered node list ending in its root,
    roots nearest the outputs first."""
    order = fgraph.toposort()
    position = {node: k for k, node in enumerate(order)}
    groups = []
    for root in reversed(order):
        if not _fusible(root) or len(root.outputs) != 1:
            continue
        if _absorbed_by(fgraph, root.outputs[0]) is not None:
            continue  # part of a group rooted further down
        members, stack = {root}, [root]
        while stack:
            node = stack.pop()
            for var in node.inputs:
                owner = var.owner
                if _fusible(owner) and owner not in members and \
                        _absorbed_by(fgraph, var) is node:
                    members.add(owner)
                    stack.append(owner)
        if len(members) > 1:
            groups.append(sorted(members, key=position.__getitem__))
    return groups


def _fused_op(nodes, output):
    """``(op, outer_inputs)``: the ``FusedElemwise`` computing ``output`` from ``nodes``.

    What ``symlab.tensor.fused.fuse_nodes`` returns, built faster: each inner
    node is a copy of its outer node (same op, same output types, same
    origins) on the inner variables, since the inner inputs have the outer
    inputs' types, so ``make_node`` would infer the same output types again.
    Every variable the nodes read that none of them computes (and that is
    not a constant) becomes an outer input, in order of first use.
    """
    computed = {o for n in nodes for o in n.outputs}
    outer, memo = [], {}
    for node in nodes:
        for var in node.inputs:
            if var in computed or var in memo or isinstance(var, Constant):
                continue
            memo[var] = var.type(f"i{len(outer)}")
            outer.append(var)
    inner_inputs = [memo[v] for v in outer]
    get = memo.get
    for node in nodes:
        inner = Apply(node.op, [get(v, v) for v in node.inputs],
                      [o.type for o in node.outputs], origins=node.origins)
        memo[node.outputs[0]] = inner.outputs[0]
    return FusedElemwise(inner_inputs, memo[output]), outer


def fuse_elementwise(fgraph):
    """Chains of elementwise ops -> one fused node each (exp(x) * 2 + y -> fused{...}(x, y))."""
    # Groups are disjoint, and replacing a root rebuilds only nodes downstream
    # of it, so fusing the groups nearest the outputs first leaves the nodes of
    # every group still to fuse untouched.
    for group in _groups(fgraph):
        root_output = group[-1].outputs[0]
        op, outer_inputs = _fused_op(group, root_output)
        with inherited_origins(merged_origins(group)):   # the lines of all it fused
            fused = op.make_node(*outer_inputs).outputs[0]
        fused.name = root_output.name
        fgraph.replace_all([(root_output, fused)], reason="fuse_elementwise")
