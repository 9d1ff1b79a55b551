"""Printing graphs: ``debugprint`` (text), ``pp`` (infix math), ``to_json`` (data), rich display;
and ``Print``, the op that prints a value each time a compiled function computes it."""

from symlab.printing.debugprint import debugprint
from symlab.printing.json_graph import expand, to_json, to_json_text
from symlab.printing.pp import pp
from symlab.printing.print_op import Print

__all__ = ["debugprint", "pp", "to_json", "to_json_text", "expand", "Print"]
