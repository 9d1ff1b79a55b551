"""Graphs inside a node: a scan's step, an ifelse's branches.

An op that holds graphs of its own (``Scan``, ``IfElse``) describes each
with an ``InnerGraph`` through ``op.inner_graphs()``. That one protocol is
what the layers below read without importing this one:

* ``debugprint`` prints each inner graph under its node, Theano's way;
* ``to_json`` adds them to the node's entry (``inner``);
* the ``optimize_inner_graphs`` rewrite runs the rewrite passes on each
  (``op.with_optimized_inner``) and keeps the trace on the new op.

Inner graphs are closed: their leaves are their own input variables and
constants, never a shared variable or a variable of the outer graph (the
node's inputs feed the inner inputs, as ``outer_inputs`` says).
"""

from symlab.backends.numpy_backend import lower
from symlab.graph.fgraph import FunctionGraph
from symlab.rewrite import optimize

__all__ = ["InnerGraph", "lower_inner", "optimize_inner"]


class InnerGraph:
    """One graph inside an op: what printing, the JSON document and rewrites read.

    ``role``: ``"step"`` (a scan), ``"then"`` or ``"else"`` (an ifelse).
    ``inputs``, ``outputs``: the inner variables. ``outer_inputs[k]``: the
    position among the node's inputs of the value inner input ``k`` takes
    (None when it is not one input: a scan's sequences give one row per
    step, which ``outer_inputs`` still names). ``outer_outputs[k]``: the
    node output inner output ``k`` becomes (None if none directly).
    ``trace``: the rewrites that made this graph from ``before`` (the
    ``(inputs, outputs)`` as built), or None when it is as built.
    """

    def __init__(self, role, inputs, outputs, outer_inputs, outer_outputs, trace=None,
                 before=None, name=None):
        self.role = role
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.outer_inputs = tuple(outer_inputs)
        self.outer_outputs = tuple(outer_outputs)
        self.trace = trace
        self.before = before
        self.name = name

    # The attributes ``to_json`` and ``debugprint`` read on a compiled function, so that
    # an optimized inner graph turns into a document with its own trace.

    @property
    def graph_before(self):
        """The graph as built (a FunctionGraph)."""
        inputs, outputs = self.before if self.before is not None else (self.inputs,
                                                                         self.outputs)
        return FunctionGraph(inputs, outputs)

    @property
    def graph_after(self):
        """The graph as it runs (a FunctionGraph)."""
        return FunctionGraph(self.inputs, self.outputs)

    @property
    def fgraph(self):
        return self.graph_after

    def graph_at(self, k):
        """The graph after the first ``k`` events of ``trace``."""
        if k == 0:
            return self.graph_before
        return FunctionGraph(self.inputs, self.trace[k - 1].outputs_after)

    def __repr__(self):
        return (f"InnerGraph({self.role}: {len(self.inputs)} inputs -> "
                f"{len(self.outputs)} outputs{'' if self.trace is None else ', optimized'})")


def lower_inner(inputs, outputs, name, copy_outputs=()):
    """Lower the closed graph ``inputs -> outputs`` with the NumPy backend (``Lowered``).

    ``name`` starts with an underscore, so the generated code's file name
    (``<symlab generated: _scan_step>``) is never a compiled function's:
    an error inside names the outer node that called it.
    """
    return lower(FunctionGraph(list(inputs), list(outputs)), copy_outputs=copy_outputs,
                 name=name)


def optimize_inner(inputs, outputs):
    """Run the default passes on ``inputs -> outputs``; return ``(new outputs, trace)``."""
    fgraph = FunctionGraph(list(inputs), list(outputs))
    trace = optimize(fgraph, None)
    return tuple(fgraph.outputs), trace
