"""Printing graphs: ``debugprint`` (text), ``pp`` (infix math), rich display."""

from symlab.printing.debugprint import debugprint
from symlab.printing.pp import pp

__all__ = ["debugprint", "pp"]
