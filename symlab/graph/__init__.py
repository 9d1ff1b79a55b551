"""The graph IR: types, variables, nodes, ops, traversal, FunctionGraph, the reference evaluator."""

from symlab.graph.basic import Apply, Constant, Op, Type, Variable
from symlab.graph.evaluate import evaluate
from symlab.graph.fgraph import FunctionGraph, MissingInputError, ReplacementError
from symlab.graph.traversal import ancestors, clone_replace, graph_inputs, toposort

__all__ = ["Apply", "Constant", "Op", "Type", "Variable", "evaluate", "FunctionGraph",
           "MissingInputError", "ReplacementError", "ancestors", "clone_replace", "graph_inputs", "toposort"]
