"""``FunctionGraph``: the one mutable structure, a graph being optimized.

It holds inputs, outputs and, for every variable, its clients. Nodes are
never edited: ``replace`` rebuilds the nodes downstream of a replaced
variable and swaps them in, then tells its listeners what was removed and
added, naming the rewrite that asked. That is how the trace is recorded.
"""

from symlab.graph.basic import Constant, Variable
from symlab.graph.traversal import toposort

__all__ = ["FunctionGraph", "ReplacementError"]


class ReplacementError(TypeError):
    """A replacement whose type does not fit the variable it replaces."""


class FunctionGraph:
    """A graph from ``inputs`` to ``outputs`` whose structure can be edited.

    ``inputs`` are the free variables the graph is a function of; shared
    variables and constants may also appear as leaves. Listeners are objects
    with an ``on_replace(fgraph, pairs, reason, removed, added)`` method.
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
            raise ValueError(
                f"the outputs depend on {names}, which is not among the inputs "
                f"({', '.join(map(str, self.inputs)) or 'none'}); pass it as an input, "
                "or replace it with givens")

    def _rebuild_index(self):
        self._input_set = set(self.inputs)
        self.apply_nodes = toposort(self.outputs, stop_at=self._input_set)
        self._node_set = set(self.apply_nodes)
        clients = {v: [] for v in self.inputs}
        for node in self.apply_nodes:
            for i, var in enumerate(node.inputs):
                clients.setdefault(var, []).append((node, i))
            for var in node.outputs:
                clients.setdefault(var, [])
        for i, out in enumerate(self.outputs):
            clients.setdefault(out, []).append(("output", i))
        self.clients = clients

    @property
    def variables(self):
        """Every variable in the graph."""
        return list(self.clients)

    def __contains__(self, node):
        """True if the Apply node ``node`` is in the graph now."""
        return node in self._node_set

    def toposort(self):
        """The Apply nodes in an order that computes inputs before clients."""
        return list(self.apply_nodes)

    def attach_listener(self, listener):
        """Call ``listener.on_replace`` after every replacement."""
        self._listeners.append(listener)

    def detach_listener(self, listener):
        """Stop notifying ``listener``."""
        self._listeners.remove(listener)

    def replace(self, var, new_var, reason):
        """Replace ``var`` by ``new_var`` everywhere; ``reason`` names the rewrite."""
        self.replace_all([(var, new_var)], reason)

    def replace_all(self, pairs, reason):
        """Replace each ``(var, new_var)`` of ``pairs`` at once, as one event.

        The nodes downstream of a replaced variable are rebuilt on the new
        inputs (same op, same output types). Listeners receive the pairs and
        the ids of the nodes that left and joined the graph.
        """
        if not reason:
            raise ValueError("FunctionGraph.replace needs the name of the rewrite asking for it")
        pairs = [(old, new) for old, new in pairs if old is not new]
        if not pairs:
            return
        for old, new in pairs:
            check_replacement(old, new)
        before = self.apply_nodes
        memo = dict(pairs)
        for node in before:
            new_inputs = [memo.get(v, v) for v in node.inputs]
            if any(a is not b for a, b in zip(new_inputs, node.inputs)):
                rebuilt = node.with_inputs(new_inputs)
                for old, new in zip(node.outputs, rebuilt.outputs):
                    memo.setdefault(old, new)
        self.outputs = [memo.get(o, o) for o in self.outputs]
        self._rebuild_index()
        before_ids = {n.id for n in before}
        after_ids = {n.id for n in self.apply_nodes}
        removed = [n.id for n in before if n.id not in after_ids]
        added = [n.id for n in self.apply_nodes if n.id not in before_ids]
        for listener in list(self._listeners):
            listener.on_replace(self, pairs, reason, removed, added)

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
