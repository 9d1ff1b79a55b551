"""Walking graphs: topological order, ancestors, inputs, cloning with replacements."""

from symlab.graph.basic import Apply, Constant, Variable

__all__ = ["toposort", "ancestors", "graph_inputs", "clone_replace", "apply_nodes"]


def toposort(outputs, stop_at=()):
    """Return the Apply nodes computing ``outputs``, each after its inputs' nodes.

    The order is deterministic: a depth-first walk from each output in turn,
    visiting inputs in order, listing a node once all its inputs' nodes are
    listed. Variables in ``stop_at`` are treated as leaves (their owners are
    not visited).
    """
    stop = stop_at if isinstance(stop_at, (set, frozenset)) else set(stop_at)
    order, done = [], set()
    mark, emit = done.add, order.append
    for out in outputs:
        owner = out.owner
        if owner is None or out in stop or owner in done:
            continue
        # Graphs are acyclic (a node's inputs exist before it), so a node on
        # the stack is never reached again from its own inputs.
        nodes, pending_inputs = [owner], [iter(owner.inputs)]
        while nodes:
            for var in pending_inputs[-1]:
                node = var.owner
                if node is not None and node not in done and var not in stop:
                    nodes.append(node)
                    pending_inputs.append(iter(node.inputs))
                    break
            else:
                pending_inputs.pop()
                node = nodes.pop()
                mark(node)
                emit(node)
    return order


def toposort_spans(outputs, stop_at, spans):
    """``toposort``, also recording in ``spans`` how many nodes each node's visit listed.

    ``spans[node]`` counts the node itself and the nodes first listed while
    walking its inputs: ``order[k - spans[node] + 1 : k + 1]`` (``k`` the
    node's place) is the run of nodes its visit added. ``FunctionGraph``
    uses it to reuse the unchanged runs after a replacement. It repeats
    ``toposort``'s walk rather than sharing it so that the plain walk, on
    every compile's path, keeps no span bookkeeping.
    """
    stop = stop_at if isinstance(stop_at, (set, frozenset)) else set(stop_at)
    order, done = [], set()
    mark, emit = done.add, order.append
    for out in outputs:
        owner = out.owner
        if owner is None or out in stop or owner in done:
            continue
        nodes, pending_inputs, starts = [owner], [iter(owner.inputs)], [len(order)]
        while nodes:
            for var in pending_inputs[-1]:
                node = var.owner
                if node is not None and node not in done and var not in stop:
                    nodes.append(node)
                    pending_inputs.append(iter(node.inputs))
                    starts.append(len(order))
                    break
            else:
                pending_inputs.pop()
                node = nodes.pop()
                mark(node)
                emit(node)
                spans[node] = len(order) - starts.pop()
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
