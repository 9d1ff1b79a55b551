"""Fuse elementwise: a chain of elementwise nodes becomes one fused node.

A group grows upstream from a *root* (an elementwise node whose result is
needed elsewhere than in one elementwise client) through every elementwise
input used by nothing else, so that no value computed inside a group is
needed outside it. Each group of two or more nodes becomes one
``FusedElemwise`` node: one event in the trace, one kernel in the backends.
"""

from symlab.graph.basic import inherited_origins, merged_origins
from symlab.tensor.elemwise import Elemwise
from symlab.tensor.fused import fuse_nodes

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


def fuse_elementwise(fgraph):
    """Chains of elementwise ops -> one fused node each (exp(x) * 2 + y -> fused{...}(x, y))."""
    # Groups are disjoint, and replacing a root rebuilds only nodes downstream
    # of it, so fusing the groups nearest the outputs first leaves the nodes of
    # every group still to fuse untouched.
    for group in _groups(fgraph):
        root_output = group[-1].outputs[0]
        op, outer_inputs = fuse_nodes(group, root_output)
        with inherited_origins(merged_origins(group)):   # the lines of all it fused
            fused = op.make_node(*outer_inputs).outputs[0]
        fused.name = root_output.name
        fgraph.replace_all([(root_output, fused)], reason="fuse_elementwise")
