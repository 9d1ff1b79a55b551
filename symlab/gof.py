"""Theano's ``theano.gof`` names, for ``from theano.gof import Op, Apply`` style imports.

Only what Theano programs commonly import: ``Op`` (Theano's interface for
writing ops, ``symlab.graph.user_op.Op``), ``Apply``, ``Variable``,
``Constant``, ``Type``, ``FunctionGraph``, ``MissingInputError``,
``graph`` (the module holding the graph classes, ``symlab.graph.basic``) and
the test-value helpers ``get_test_value`` and ``get_debug_values``.
"""

from symlab.graph import basic as graph
from symlab.graph.basic import Apply, Constant, Type, Variable
from symlab.graph.fgraph import FunctionGraph, MissingInputError
from symlab.graph.test_value import get_debug_values, get_test_value
from symlab.graph.user_op import Op

__all__ = ["Op", "Apply", "Variable", "Constant", "Type", "FunctionGraph", "MissingInputError",
           "graph", "get_test_value", "get_debug_values"]
