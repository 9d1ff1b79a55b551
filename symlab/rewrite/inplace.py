"""In place: an elementwise node writes its result into a buffer that is dead after it.

A buffer may be overwritten only if the graph owns it: it was made by an
elementwise or fused node (a fresh array, or an owned buffer already
written in place), nothing else reads it, and it is not an output the
caller receives. Inputs are never overwritten, unless declared
``In(x, mutable=True)`` (listed in ``fgraph.mutable_inputs``); shared
values and constants never are. The backend then computes
``np.add(a, b, out=a)``, visible in ``f.source``.

A custom op (``symlab.Op``) declaring ``destroy_map`` works on copies of the
inputs it destroys, unless this pass finds them dead after it by the same
rule: its node is then copied onto an op allowed to overwrite them.
"""

from symlab.graph.basic import Apply, Constant, inherited_origins

__all__ = ["inplace_elemwise"]


def _dead_after(fgraph, node, var):
    """True if ``node`` may overwrite ``var``: owned by the graph and read only by ``node``."""
    if isinstance(var, Constant) or hasattr(var, "get_value"):
        return False
    clients = fgraph.clients.get(var, ())
    if any(user == "output" or user is not node for user, _ in clients):
        return False
    if var.owner is None:
        return var in getattr(fgraph, "mutable_inputs", ())
    return var.owner.op.output_is_fresh(var.owner)


def _candidate(fgraph, node):
    """The input position ``node`` can write into, or None."""
    op = node.op
    if not hasattr(op, "writable_inputs") or op.writes_into(node) is not None:
        return None
    for position in op.writable_inputs(node):
        if _dead_after(fgraph, node, node.inputs[position]):
            return position
    return None


def _may_destroy(fgraph, node):
    """True if ``node``'s op is a custom op (``allowing_destruction``) declaring a
    ``destroy_map`` whose inputs are all dead after it and read once by it: it may then
    overwrite them instead of working on copies."""
    op = node.op
    if not hasattr(op, "allowing_destruction") or not op.destroy_map or op._may_destroy:
        return False
    positions = {p for listed in op.destroy_map.values() for p in listed}
    return all(node.inputs.count(node.inputs[p]) == 1
               and _dead_after(fgraph, node, node.inputs[p]) for p in positions)


def inplace_elemwise(fgraph):
    """f(a, b) -> f(a, b) written into a's buffer, where a is dead after it (one event each);
    a custom op's destroy_map inputs, when dead after it, are overwritten instead of copied."""
    done = set()
    while True:
        for node in fgraph.toposort():
            if node in done:
                continue
            if _may_destroy(fgraph, node):
                # copied as it is: the custom op's make_node (user code) is not rerun
                rebuilt = Apply(node.op.allowing_destruction(), node.inputs,
                                [o.type for o in node.outputs], origins=node.origins)
            else:
                position = _candidate(fgraph, node)
                if position is None:
                    done.add(node)
                    continue
                with inherited_origins(node.origins):
                    rebuilt = node.op.with_inplace(position).make_node(*node.inputs)
            for old, new in zip(node.outputs, rebuilt.outputs):
                new.name = old.name
            fgraph.replace_all(list(zip(node.outputs, rebuilt.outputs)),
                               reason="inplace_elemwise")
            break
        else:
            return
