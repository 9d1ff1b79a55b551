"""Printing graphs: ``debugprint`` (text), ``pp`` (infix math), ``to_json`` (data), rich display."""

from symlab.printing.debugprint import debugprint
from symlab.printing.json_graph import expand, to_json, to_json_text
from symlab.printing.pp import pp

__all__ = ["debugprint", "pp", "to_json", "to_json_text", "expand"]
