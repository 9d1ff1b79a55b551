"""symlab: symbolic tensor computation you can see, in the tradition of Theano.

``import symlab as theano`` and ``import symlab.tensor as T`` run Theano
tutorial code. The core imports neither IPython, ipywidgets, graphviz nor CuPy.
"""

__version__ = "0.1.0"

from symlab.config import config
from symlab import tensor
from symlab.compile import In, Mode, Out, function, shared, SharedVariable
from symlab.printing import debugprint, pp
from symlab import gradient
from symlab.gradient import grad
from symlab.scan import foldl, foldr, map, reduce, scan
from symlab import ifelse
import sys as _sys

#: Theano's module path of scan's helpers (``theano.scan_module.until``).
scan_module = _sys.modules.setdefault("symlab.scan_module", _sys.modules["symlab.scan"])

dprint = debugprint

__all__ = ["config", "tensor", "function", "In", "Out", "shared", "SharedVariable", "Mode",
           "debugprint", "dprint", "pp", "printing", "RandomStreams", "gradient", "grad",
           "scan", "map", "reduce", "foldl", "foldr", "ifelse", "__version__"]


def __getattr__(name):
    # Lazily loaded layers that sit above the core or depend on optional packages.
    if name == "printing":
        import symlab.printing as printing
        return printing
    if name == "RandomStreams":
        from symlab.random import RandomStreams  # upward: random layer, loaded when used
        return RandomStreams
    raise AttributeError(f"module 'symlab' has no attribute {name!r}")


def load_ipython_extension(ipython):
    """Register symlab's magics (``%load_ext symlab``); loads the notebook layer."""
    from symlab.notebook import load_ipython_extension as load  # upward: notebook layer
    load(ipython)
