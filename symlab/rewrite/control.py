"""Control-flow rewrites: lazy branches, optimized inner graphs, one loop for a gradient.

The ops these rewrites act on (``IfElse``, ``Scan``) live in a layer above
this one, so the rewrites read a small protocol instead of importing them:

* ``op.branch_positions(node)`` and ``op.with_absorbed(node, branch, nodes)``:
  an op with lazy branches (``lazy_ifelse``);
* ``op.with_optimized_inner()``: an op holding inner graphs returns itself
  with them optimized, or None (``optimize_inner_graphs``);
* ``op.extends``: ``(other op, output map)`` when a node of this op computes
  every output of a node of the other on the same inputs (``merge_scans``);
* ``op.with_invariants_outside(node)``: a loop returns a node computing the
  same with its loop-invariant part computed once, outside, or None
  (``scan_pushout``);
* ``op.n_nitsot``, ``op.stack_twins()`` and ``op.without_stacks(node, drop)``:
  a loop's stacked outputs, which of them have their last row as another
  output, and the loop without some of them (``scan_save_mem``).
"""

from heapq import heapify, heappop, heappush

from symlab.graph.basic import inherited_origins, merged_origins
from symlab.tensor.subtensor import Subtensor

__all__ = ["lazy_ifelse", "optimize_inner_graphs", "merge_scans", "scan_pushout",
           "scan_save_mem"]


def _used_only_by(fgraph, node, positions):
    """The nodes whose every result is used only by ``node`` at ``positions``, directly or
    through other such nodes (the nodes one branch alone needs)."""
    allowed = {(node, p) for p in positions}
    order, place = fgraph.apply_nodes, fgraph.position
    taken, decided = set(), set()
    heap = [-place(v.owner) for p in positions
            for v in (node.inputs[p],) if v.owner is not None]
    heapify(heap)
    while heap:
        candidate = order[-heappop(heap)]
        if candidate in decided:
            continue
        decided.add(candidate)
        if all(user in taken or (user, i) in allowed
               for out in candidate.outputs for user, i in fgraph.clients.get(out, ())):
            taken.add(candidate)     # (a graph output's client is "output": never allowed)
            for v in candidate.inputs:
                if v.owner is not None and v.owner not in decided:
                    heappush(heap, -place(v.owner))
    return taken


def lazy_ifelse(fgraph):
    """ifelse(c, f(x), g(y)) -> ifelse{then: f, else: g}(c, x, y): a branch computes what
    only it needs, so only the chosen branch's nodes run (one event per ifelse)."""
    done = set()
    while True:
        for node in reversed(fgraph.toposort()):
            positions_of = getattr(node.op, "branch_positions", None)
            if positions_of is None or node in done:
                continue
            done.add(node)
            taken = [_used_only_by(fgraph, node, positions) for positions in positions_of(node)]
            if not any(taken):
                continue
            new = node
            with inherited_origins(merged_origins([node] + [n for t in taken for n in t])):
                for branch, nodes in enumerate(taken):
                    if nodes:
                        new = new.op.with_absorbed(new, branch, nodes)
            for old, out in zip(node.outputs, new.outputs):
                out.name = old.name
            done.add(new)
            fgraph.replace_all(list(zip(node.outputs, new.outputs)), reason="lazy_ifelse")
            break
        else:
            return


def optimize_inner_graphs(fgraph):
    """scan/ifelse whose inner graph rewrites would change -> the same with the inner graph
    optimized by the default passes (its own trace kept on the new op; one event per node)."""
    done = set()
    while True:
        for node in fgraph.toposort():
            optimized = getattr(node.op, "with_optimized_inner", None)
            if optimized is None or node in done:
                continue
            done.add(node)
            op = optimized()
            if op is None:
                continue
            with inherited_origins(node.origins):
                new = op.make_node(*node.inputs)
            for old, out in zip(node.outputs, new.outputs):
                out.name = old.name
            done.add(new)
            fgraph.replace_all(list(zip(node.outputs, new.outputs)),
                               reason="optimize_inner_graphs")
            break
        else:
            return


def merge_scans(fgraph):
    """scan(x) and scan'(x), a loop computing all of scan's outputs and more (the forward loop
    of its gradient) -> scan' alone, so the loop runs once (one event per merged node)."""
    while True:
        extenders = {}
        for node in fgraph.toposort():
            extends = getattr(node.op, "extends", None)
            if extends is not None:
                base, mapping = extends
                extenders.setdefault((base, node.inputs), (node, mapping))
        for node in fgraph.toposort():
            found = extenders.get((node.op, node.inputs))
            if found is None or found[0] is node:
                continue
            bigger, mapping = found
            pairs = [(out, bigger.outputs[mapping[k]]) for k, out in enumerate(node.outputs)]
            fgraph.replace_all(pairs, reason="merge_scans")
            break
        else:
            return


def scan_pushout(fgraph):
    """scan(body reading f(W)) -> scan(f(W) computed once outside, fed in): a loop body's
    nodes that read only non-sequences and constants leave the loop (one event per loop)."""
    done = set()
    while True:
        for node in fgraph.toposort():
            hoist = getattr(node.op, "with_invariants_outside", None)
            if hoist is None or node in done:
                continue
            done.add(node)
            with inherited_origins(node.origins):
                new = hoist(node)
            if new is None:
                continue
            for old, out in zip(node.outputs, new.outputs):
                out.name = old.name
            done.add(new)
            fgraph.replace_all(list(zip(node.outputs, new.outputs)), reason="scan_pushout")
            break
        else:
            return


def _is_last_row(user):
    return (user != "output" and isinstance(user.op, Subtensor) and len(user.inputs) == 1
            and user.op.idx_spec == (-1,))


def scan_save_mem(fgraph):
    """scan(...)[-1] of a value fed back -> the loop's last value of it, and a stacked output
    nothing reads -> not stacked: a loop keeps only what is used (one event per loop). With
    no steps, reduce's [-1] then gives the initial value instead of an IndexError."""
    done = set()
    while True:
        for node in fgraph.toposort():
            without = getattr(node.op, "without_stacks", None)
            if without is None or node in done:
                continue
            done.add(node)
            twins = node.op.stack_twins()
            drop, rows = [], []
            for i in range(node.op.n_nitsot):
                users = {id(u): u for u, _ in fgraph.clients.get(node.outputs[i], ())}
                if not users:
                    drop.append(i)
                elif i in twins and all(_is_last_row(u) for u in users.values()):
                    drop.append(i)
                    rows += [(u.outputs[0], twins[i]) for u in users.values()]
            if not drop:
                continue
            with inherited_origins(node.origins):
                new, where = without(node, drop)
            pairs = [(out, new.outputs[where[k]]) for k, out in enumerate(node.outputs)
                     if k in where]
            pairs += [(row, new.outputs[where[twin]]) for row, twin in rows]
            for old, out in pairs:
                out.name = out.name or old.name
            done.add(new)
            fgraph.replace_all(pairs, reason="scan_save_mem")
            break
        else:
            return
