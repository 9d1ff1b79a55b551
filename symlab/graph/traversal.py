"""Walking graphs: topological order, ancestors, inputs, cloning with replacements."""

from symlab.graph.basic import Apply, Constant, Variable

__all__ = ["toposort", "ancestors", "graph_inputs", "clone_replace", "apply_nodes"]


def toposort(outputs, stop_at=()):
    """Return the Apply nodes computing ``outputs``, each after its inputs' nodes.

    The order is deterministic: inputs are visited in order. Variables in
    ``stop_at`` are treated as leaves (their owners are not visited).
    """
    stop = set(stop_at)
    order, done = [], set()
    for out in outputs:
        if out.owner is None or out in stop or out.owner in done:
            continue
        stack = [(out.owner, 0)]
        pending = {out.owner}
        while stack:
            node, i = stack[-1]
            inputs = node.inputs
            while i < len(inputs):
                owner = inputs[i].owner
                i += 1
                if (owner is not None and owner not in done and owner not in pending
                        and inputs[i - 1] not in stop):
                    stack[-1] = (node, i)
                    stack.append((owner, 0))
                    pending.add(owner)
                    break
            else:
                stack.pop()
                pending.discard(node)
                done.add(node)
                order.append(node)
    return order


apply_nodes = toposort


def ancestors(outputs, stop_at=()):
    """Return every variable ``outputs`` depend on (themselves included), in order."""
    seen, result = set(), []
    for node in toposort(outputs, stop_at):
        for var in node.inputs:
            if var not in seen:
                seen.add(var)
                result.append(var)
        for var in node.outputs:
            if var not in seen:
                seen.add(var)
                result.append(var)
    for out in outputs:
        if out not in seen:
            seen.add(out)
            result.append(out)
    return result


def graph_inputs(outputs, stop_at=()):
    """Return the owner-less non-constant variables ``outputs`` depend on, in order."""
    stop = set(stop_at)
    return [v for v in ancestors(outputs, stop_at)
            if (v.owner is None or v in stop) and not isinstance(v, Constant)]


def clone_replace(outputs, replace):
    """Return ``outputs`` rebuilt with each key of ``replace`` swapped for its value.

    Nodes that do not depend on a replaced variable are shared, not copied
    (nodes are immutable, so sharing is safe). Each replacement must have the
    same type family as what it replaces; the rebuilt node keeps its op and
    output types.
    """
    memo = dict(replace)
    for old, new in memo.items():
        if not isinstance(old, Variable) or not isinstance(new, Variable):
            raise TypeError(f"replacements must map variables to variables; got {old!r}: {new!r}")
    for node in toposort(outputs, stop_at=memo):
        new_inputs = [memo.get(v, v) for v in node.inputs]
        if any(a is not b for a, b in zip(new_inputs, node.inputs)):
            new_node = node.with_inputs(new_inputs)
            for old, new in zip(node.outputs, new_node.outputs):
                memo[old] = new
    return [memo.get(o, o) for o in outputs]


def is_apply(obj):
    """True for an Apply node."""
    return isinstance(obj, Apply)
