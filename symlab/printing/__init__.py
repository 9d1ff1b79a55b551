"""Printing graphs: ``debugprint`` (text), ``pp`` (infix math), ``pprint`` (Theano's pretty
printer), ``to_dot`` (DOT text), ``pydotprint`` (an image file drawn by Graphviz),
``to_json`` (data), rich display; and ``Print``, the op that prints a value each time a
compiled function computes it."""

from symlab.printing.debugprint import debugprint
from symlab.printing.pp import pp

__all__ = ["debugprint", "pp", "pprint", "PPrinter", "to_dot", "pydotprint", "to_json",
           "to_json_text", "expand", "Print"]

#: Loaded on first use, so that ``import symlab`` stays quick.
_LAZY = {"to_json": "json_graph", "to_json_text": "json_graph", "expand": "json_graph",
         "Print": "print_op", "to_dot": "dot", "pydotprint": "draw", "pprint": "pretty",
         "PPrinter": "pretty"}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'symlab.printing' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f"symlab.printing.{module}"), name)
    globals()[name] = value
    return value
