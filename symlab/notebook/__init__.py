"""symlab in Jupyter: the IPython extension, its magics, and the widgets' Python side.

The only package of symlab importing IPython and ipywidgets; the core never
imports it (``symlab.load_ipython_extension`` loads it on ``%load_ext
symlab``). The widgets are ipywidgets ``DOMWidget`` models whose views live
in the ``symlab-jupyterlab`` JupyterLab extension (``extension/``), so a
saved notebook keeps their data only:

- ``GraphView(f_or_expr, values=None)``: the graph before and after
  optimization, stepped through the trace; for a compiled function also the
  node where its last call failed (live), its profile as a heat scale, and
  (``values=intermediate_values(f, *args)``) each node's value at a call;
- ``SharedInspector(f_or_namespace=None)``: shared variables, live and editable;
- ``RNGStepper(rv_or_stream)``: random states drawn, undone, redone, reseeded.

The docstrings of ``graph_view``, ``shared_inspector`` and ``rng_stepper``
list the traits and custom messages each view reads and sends: the contract
with the TypeScript views.
"""

from symlab.notebook.graph_view import GraphView, graph_document
from symlab.notebook.magics import SymlabMagics
from symlab.notebook.rng_stepper import RNGStepper
from symlab.notebook.shared_inspector import SharedInspector

__all__ = ["GraphView", "SharedInspector", "RNGStepper", "SymlabMagics", "graph_document",
           "load_ipython_extension"]


def load_ipython_extension(ipython):
    """Register symlab's magics on the IPython shell ``ipython``."""
    ipython.register_magics(SymlabMagics)
