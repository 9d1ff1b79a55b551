"""``FunctionGraph``: the one mutable structure, a graph being optimized.

It holds inputs, outputs and, for every variable, its clients. Nodes are
never edited: ``replace`` rebuilds the nodes downstream of a replaced
variable and swaps them in, then tells its listeners what was removed and
added, naming the rewrite that asked. That is how the trace is recorded.

**The index after a replacement** (``apply_nodes``, ``clients``) is always
exactly what building it from scratch would give, but it is patched, not
rebuilt, when the replacement touched a small part of the graph:

* the nodes to rebuild are found through the clients of the replaced
  variables, not by a scan of the whole graph;
* the nodes that left are found by counting clients backwards from the
  rebuilt ones (a node leaves when no output of it is used any more);
* the new order is the same depth-first walk as ``toposort``, except that
  an unchanged node whose inputs are walked in the same state as before
  contributes the run of nodes its walk listed last time, copied whole
  (``toposort_spans`` records the length of each node's run);
* only the client lists next to a node that left or joined are edited.

A replacement that rebuilds a quarter of the graph or more (a change near
the inputs of a chain), or any replacement in a graph of fewer than 100
nodes, rebuilds the index from scratch, which is faster then.
"""

from bisect import insort
from heapq import heapify, heappop, heappush
from operator import is_not

from symlab.graph.basic import Constant, Variable
from symlab.graph.traversal import toposort_spans

__all__ = ["FunctionGraph", "MissingInputError", "ReplacementError"]

_OUTPUT = "output"

#: Rebuild the index from scratch when a replacement rebuilds more than this share of the nodes,
_PATCH_LIMIT = 0.25
#: or when the graph has fewer nodes than this.
_PATCH_MIN_NODES = 100


class MissingInputError(ValueError):
    """A graph's outputs depend on a variable that is neither an input nor shared (Theano's name)."""


class ReplacementError(TypeError):
    """A replacement whose type does not fit the variable it replaces."""


class FunctionGraph:
    """A graph from ``inputs`` to ``outputs`` whose structure can be edited.

    ``inputs`` are the free variables the graph is a function of; shared
    variables and constants may also appear as leaves. Listeners are objects
    with an ``on_replace(fgraph, pairs, reason, removed, added)`` method.

    ``apply_nodes`` lists the nodes in ``toposort`` order. ``clients`` maps
    every variable of the graph to its uses: ``(node, i)`` for input ``i``
    of an Apply node, in the order of ``apply_nodes``, then ``("output",
    i)`` for output ``i`` of the graph. (The iteration order of ``clients``
    itself means nothing; ``variables`` lists the variables in order.)
    """

    def __init__(self, inputs, outputs):
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self._listeners = []
        self._rebuild_index()
        missing = [v for v in self.variables
                   if v.owner is None and not isinstance(v, Constant)
                   and v not in self._input_set and not hasattr(v, "get_value")]
        if missing:
            names = ", ".join(str(v) for v in missing)
            raise MissingInputError(
                f"the outputs depend on {names}, which is not among the inputs "
                f"({', '.join(map(str, self.inputs)) or 'none'}); pass it as an input, "
                "or replace it with givens")

    # ------------------------------------------------------------ the index

    def _rebuild_index(self):
        """Compute the node order, node set, positions, spans and clients from scratch."""
        self._input_set = set(self.inputs)
        # An input computed by a node stops the walk below it; the patching
        # walk does not model that, so such graphs always rebuild.
        self._can_patch = all(v.owner is None for v in self.inputs)
        self._spans = {}
        self._set_order(toposort_spans(self.outputs, self._input_set, self._spans))
        self._rebuild_clients()

    def _set_order(self, order, node_set=None):
        self.apply_nodes = order
        self._node_set = set(order) if node_set is None else node_set
        self._position = {node: k for k, node in enumerate(order)}

    def _rebuild_clients(self):
        clients = {v: [] for v in self.inputs}
        get = clients.get
        for node in self.apply_nodes:
            for i, var in enumerate(node.inputs):
                users = get(var)
                if users is None:
                    clients[var] = [(node, i)]
                else:
                    users.append((node, i))
            for var in node.outputs:
                if var not in clients:
                    clients[var] = []
        for i, out in enumerate(self.outputs):
            clients.setdefault(out, []).append((_OUTPUT, i))
        self.clients = clients
        self._clients_in_order = True

    @property
    def variables(self):
        """Every variable in the graph: the inputs, then each node's inputs and
        outputs in node order, then the outputs (each once, first place kept)."""
        if self._clients_in_order:
            return list(self.clients)           # built in that order
        order = dict.fromkeys(self.inputs)
        for node in self.apply_nodes:
            order.update(dict.fromkeys(node.inputs))
            order.update(dict.fromkeys(node.outputs))
        order.update(dict.fromkeys(self.outputs))
        return list(order)

    def __contains__(self, node):
        """True if the Apply node ``node`` is in the graph now."""
        return node in self._node_set

    def position(self, node):
        """The index of ``node`` in ``toposort()`` order (kept up to date by every replace)."""
        return self._position[node]

    def toposort(self):
        """The Apply nodes in an order that computes inputs before clients."""
        return list(self.apply_nodes)

    def attach_listener(self, listener):
        """Call ``listener.on_replace`` after every replacement."""
        self._listeners.append(listener)

    def detach_listener(self, listener):
        """Stop notifying ``listener``."""
        self._listeners.remove(listener)

    # ------------------------------------------------------------ replacing

    def replace(self, var, new_var, reason):
        """Replace ``var`` by ``new_var`` everywhere; ``reason`` names the rewrite."""
        self.replace_all([(var, new_var)], reason)

    def replace_all(self, pairs, reason, rebuilt=()):
        """Replace each ``(var, new_var)`` of ``pairs`` at once, as one event.

        The nodes downstream of a replaced variable are rebuilt on the new
        inputs (same op, same output types), in graph order. Listeners
        receive the pairs and the ids of the nodes that left the graph (in
        its order before the event) and joined it (in its order after).

        ``rebuilt``: ``(output, output of the rebuilt node)`` pairs for
        downstream nodes the caller already rebuilt on the new inputs (a
        global rewrite replacing many nodes at once); they are used as they
        are instead of being rebuilt again, and are not reported as pairs.
        """
        if not reason:
            raise ValueError("FunctionGraph.replace needs the name of the rewrite asking for it")
        pairs = [(old, new) for old, new in pairs if old is not new]
        if not pairs:
            return
        for old, new in pairs:
            check_replacement(old, new)
        memo = dict(pairs)
        for old, new in rebuilt:
            memo.setdefault(old, new)
        get = memo.get
        downstream = self._downstream(memo)
        for node in downstream:
            if node.outputs and node.outputs[0] in memo:
                continue        # replaced, or already rebuilt by the caller
            new_inputs = [get(v, v) for v in node.inputs]
            if any(map(is_not, new_inputs, node.inputs)):
                rebuilt = node.with_inputs(new_inputs)
                for old, new in zip(node.outputs, rebuilt.outputs):
                    memo.setdefault(old, new)
        old_outputs = self.outputs
        self.outputs = [memo.get(o, o) for o in old_outputs]
        patched = None
        size = len(self.apply_nodes)
        if self._can_patch and size >= _PATCH_MIN_NODES and len(downstream) <= _PATCH_LIMIT * size:
            patched = self._patch(downstream, old_outputs)
        removed_nodes, added_nodes = patched or self._rebuild_after_replace()
        removed = [n.id for n in removed_nodes]
        added = [n.id for n in added_nodes]
        for listener in list(self._listeners):
            listener.on_replace(self, pairs, reason, removed, added)

    def _downstream(self, memo):
        """The nodes of the graph that use a key of ``memo``, directly or not, in order."""
        clients = self.clients
        found = set()
        stack = list(memo)
        while stack:
            for node, _ in clients.get(stack.pop(), ()):
                if node is not _OUTPUT and node not in found:
                    found.add(node)
                    stack.extend(node.outputs)
        return sorted(found, key=self._position.__getitem__)

    def _rebuild_after_replace(self):
        """Rebuild the index for the new outputs; return (removed nodes, added nodes)."""
        before, before_set = self.apply_nodes, self._node_set
        self._rebuild_index()
        after_set = self._node_set
        return ([n for n in before if n not in after_set],
                [n for n in self.apply_nodes if n not in before_set])

    def _patch(self, downstream, old_outputs):
        """Update the index after the outputs changed and ``downstream`` was rebuilt.

        Returns (removed nodes, added nodes); or None, with the index not
        yet changed, when the patch cannot vouch for its result (the caller
        then rebuilds the index).
        """
        before, before_set, position = self.apply_nodes, self._node_set, self._position
        # The nodes that joined: those reachable from the outputs through new nodes.
        joined = set()
        stack = [o.owner for o in self.outputs
                 if o.owner is not None and o.owner not in before_set]
        while stack:
            node = stack.pop()
            if node not in joined:
                joined.add(node)
                stack.extend(v.owner for v in node.inputs
                             if v.owner is not None and v.owner not in before_set)
        gained = {}
        for node in joined:
            for i, var in enumerate(node.inputs):
                gained.setdefault(var, []).append((node, i))
        left = self._nodes_that_left(downstream, old_outputs, gained)
        walked = self._patched_order(left)
        if walked is None:
            return None
        order, listed_new, early = walked
        if len(listed_new) != len(joined) or \
                len(order) != len(before) - len(left) + len(joined):
            return None         # a node's fate was misjudged: rebuild instead
        removed_nodes = sorted(left, key=position.__getitem__)
        before_set -= left
        before_set |= joined                # the same set object, now the nodes after
        self._set_order(order, before_set)
        added_nodes = sorted(joined, key=self._position.__getitem__)
        for node in removed_nodes:
            del self._spans[node]
        self._patch_clients(left, joined, gained, old_outputs, early)
        return removed_nodes, added_nodes

    def _nodes_that_left(self, downstream, old_outputs, gained):
        """The nodes of the graph before the event that are not used any more.

        Candidates are the rebuilt nodes, the owners of outputs that changed
        and, once a node leaves, the owners of its inputs. Each is decided from
        the last place backwards, so that all its clients are decided before
        it: it stays if an output of it is an output of the graph, an input
        of a new node (``gained``) or of an old node that stays.
        """
        before, before_set, position = self.apply_nodes, self._node_set, self._position
        clients = self.clients
        out_set = set(self.outputs)
        left, decided = set(), set()
        heap = [-position[node] for node in downstream]     # a max-heap of places
        heap.extend(-position[out.owner] for out in old_outputs
                    if out not in out_set and out.owner in before_set)
        heapify(heap)
        while heap:
            node = before[-heappop(heap)]
            if node in decided:
                continue
            decided.add(node)
            if not any(out in out_set or out in gained
                       or any(c is not _OUTPUT and c not in left for c, _ in clients.get(out, ()))
                       for out in node.outputs):
                left.add(node)
                for var in node.inputs:
                    owner = var.owner
                    if owner is not None and owner not in decided:
                        heappush(heap, -position[owner])
        return left

    def _patched_order(self, left):
        """The new ``toposort`` order, reusing the runs of unchanged nodes.

        Walks like ``toposort_spans``. An unchanged node ``u`` whose run was
        ``before[s:k + 1]`` is copied whole when every unchanged node before
        ``s`` is already listed and none from ``s`` on is: its inputs are then
        walked in the same state as last time. ``frontier`` is the first place
        of ``before`` holding an unchanged node not yet listed; unchanged nodes
        listed out of turn go to ``early``. Returns (order, the new nodes
        listed, ``early``), or None on meeting a node judged to have left.
        """
        before, position, spans = self.apply_nodes, self._position, self._spans
        size = len(before)
        order = []
        emit = order.append
        frontier, early, latest_early = 0, set(), -1
        listed_new = set()
        for out in self.outputs:
            root = out.owner
            if root is None:
                continue
            nodes, pending_inputs, starts = [None], [iter((out,))], [0]
            while nodes:
                for var in pending_inputs[-1]:
                    node = var.owner
                    if node is None:
                        continue
                    k = position.get(node)
                    if k is None:                       # new
                        if node in listed_new:
                            continue
                    elif node in left:
                        return None                     # misjudged: it is still used
                    else:                               # unchanged
                        if k < frontier or node in early:
                            continue
                        while frontier < size and (before[frontier] in left
                                                   or before[frontier] in early):
                            frontier += 1
                        s = k - spans[node] + 1
                        if s == frontier and latest_early < s:
                            order.extend(before[s:k + 1])
                            frontier = k + 1
                            continue
                    nodes.append(node)
                    pending_inputs.append(iter(node.inputs))
                    starts.append(len(order))
                    break
                else:
                    pending_inputs.pop()
                    node = nodes.pop()
                    start = starts.pop()
                    if node is None:
                        continue
                    emit(node)
                    spans[node] = len(order) - start
                    k = position.get(node)
                    if k is None:
                        listed_new.add(node)
                    else:
                        early.add(node)
                        latest_early = max(latest_early, k)
        return order, listed_new, early

    def _patch_clients(self, left, joined, gained, old_outputs, early):
        """Edit the client lists next to the nodes that ``left`` and ``joined``.

        The other unchanged nodes kept their relative order, except the
        ``early`` ones (listed out of turn): the lists they appear in are
        sorted again.
        """
        clients, position = self.clients, self._position
        self._clients_in_order = False
        touched = {}
        for node in left:
            touched.update(dict.fromkeys(node.inputs))
            for var in node.outputs:
                clients.pop(var, None)
        for node in joined:
            for var in node.outputs:
                clients[var] = []
        touched.update(gained)
        outputs_changed = len(old_outputs) != len(self.outputs) or any(
            a is not b for a, b in zip(old_outputs, self.outputs))
        as_output = {}
        if outputs_changed:
            touched.update(dict.fromkeys(old_outputs))
            touched.update(dict.fromkeys(self.outputs))
            for i, out in enumerate(self.outputs):
                as_output.setdefault(out, []).append((_OUTPUT, i))

        def entry_key(entry):
            return position[entry[0]], entry[1]

        for var in touched:
            users = clients.get(var, ())
            users = [e for e in users if e[0] is not _OUTPUT and e[0] not in left]
            for entry in gained.get(var, ()):
                insort(users, entry, key=entry_key)
            owner = var.owner
            if outputs_changed:
                users.extend(as_output.get(var, ()))
            else:
                users.extend(e for e in clients.get(var, ()) if e[0] is _OUTPUT)
            if users or var in self._input_set or (owner is not None
                                                   and owner in self._node_set):
                clients[var] = users
            else:
                clients.pop(var, None)
        resort = {}
        for node in early:
            resort.update(dict.fromkeys(node.inputs))
        for var in resort:
            users = clients[var]
            if len(users) > 1 and users[1][0] is not _OUTPUT:
                nodes = sorted((e for e in users if e[0] is not _OUTPUT), key=entry_key)
                clients[var] = nodes + [e for e in users if e[0] is _OUTPUT]

    def __repr__(self):
        return (f"FunctionGraph({', '.join(map(str, self.inputs))} -> "
                f"{', '.join(map(str, self.outputs))}; {len(self.apply_nodes)} nodes)")


def check_replacement(old, new):
    """Raise ReplacementError unless ``new`` can stand where ``old`` stands."""
    if not isinstance(new, Variable):
        raise ReplacementError(f"cannot replace {old} by {new!r}: not a symlab Variable")
    fits = getattr(old.type, "accepts_replacement", None)
    ok = fits(new.type) if fits is not None else old.type == new.type
    if not ok:
        raise ReplacementError(
            f"cannot replace {old} of type {old.type} by {new} of type {new.type}")
