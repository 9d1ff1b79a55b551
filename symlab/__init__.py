"""symlab: symbolic tensor computation you can see, in the tradition of Theano.

``import symlab as theano`` and ``import symlab.tensor as T`` run Theano
tutorial code. The core imports neither IPython, ipywidgets, graphviz nor CuPy.
"""

__version__ = "0.1.0"


from symlab.config import config
from symlab import tensor
from symlab.compile import In, Mode, Out, function, shared, SharedVariable
from symlab.printing import debugprint, pp
from symlab.graph.fgraph import MissingInputError

dprint = debugprint

__all__ = ["config", "tensor", "function", "In", "Out", "shared", "SharedVariable", "Mode",
           "debugprint", "dprint", "pp", "MissingInputError", "printing", "RandomStreams", "gradient", "grad",
           "scan", "map", "reduce", "foldl", "foldr", "ifelse", "Op", "Apply", "Variable", "Constant", "gof", "as_op",
           "OpFromGraph", "dot", "scalar", "__version__"]


#: Loaded on first use (``import symlab`` stays quick): name -> (module, attribute or None).
_LAZY = {
    "gradient": ("symlab.gradient", None), "grad": ("symlab.gradient", "grad"),
    "scan": ("symlab.scan_module", "scan"), "map": ("symlab.scan_module", "map"),
    "reduce": ("symlab.scan_module", "reduce"), "foldl": ("symlab.scan_module", "foldl"),
    "scan_checkpoints": ("symlab.scan_module", "scan_checkpoints"),
    "function_dump": ("symlab.compile.function", "function_dump"),
    "foldr": ("symlab.scan_module", "foldr"), "ifelse": ("symlab.ifelse", None),
    "scan_module": ("symlab.scan_module", None),   # Theano's package name (scan_module.until)
    "printing": ("symlab.printing", None),
    "RandomStreams": ("symlab.random", "RandomStreams"),   # upward: the random layer
    # Theano's interface for writing ops (symlab/graph/user_op.py) and its helpers
    "Op": ("symlab.graph.user_op", "Op"), "Apply": ("symlab.graph.basic", "Apply"),
    "Variable": ("symlab.graph.basic", "Variable"), "Constant": ("symlab.graph.basic", "Constant"),
    "gof": ("symlab.gof", None),
    "as_op": ("symlab.compile.ops", "as_op"),
    "OpFromGraph": ("symlab.compile.builders", "OpFromGraph"),
    "dot": ("symlab.tensor.linalg", "dot"),
    "scalar": ("symlab.scalar", None),
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'symlab' has no attribute {name!r}")
    import importlib
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    if attribute is not None:   # importing a submodule already bound it here
        globals()[name] = value
    return value


def load_ipython_extension(ipython):
    """Register symlab's magics (``%load_ext symlab``); loads the notebook layer."""
    from symlab.notebook import load_ipython_extension as load  # upward: notebook layer
    load(ipython)
