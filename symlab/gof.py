"""Theano's ``theano.gof`` names, for ``from theano.gof import Op, Apply`` style imports.

Only what Theano programs commonly import: ``Op`` (Theano's interface for
writing ops, ``symlab.graph.user_op.Op``), ``Apply``, ``Variable``,
``Constant``, ``Type``, ``FunctionGraph``, ``MissingInputError`` and
``graph`` (the module holding the graph classes, ``symlab.graph.basic``).
"""

from symlab.graph import basic as graph
from symlab.graph.basic import Apply, Constant, Type, Variable
from symlab.graph.fgraph import FunctionGraph, MissingInputError
from symlab.graph.user_op import Op

__all__ = ["Op", "Apply", "Variable", "Constant", "Type", "FunctionGraph", "MissingInputError",
           "graph"]
