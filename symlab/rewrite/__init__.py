"""Graph rewrites: named rewrite functions in ordered passes, and the recorded trace."""

from symlab.graph.fgraph import FunctionGraph
from symlab.graph.traversal import graph_inputs
from symlab.rewrite.engine import Pass, Trace, TraceEvent, run_passes, selector
from symlab.rewrite.passes import (FAST_COMPILE_PASSES, PASSES, THEANO_NAMES, check_names,
                                   pass_names, resolve_names, rewrite_names)

__all__ = ["Pass", "Trace", "TraceEvent", "run_passes", "PASSES", "FAST_COMPILE_PASSES",
           "pass_names", "rewrite_names", "rewrite_graph", "optimize", "THEANO_NAMES",
           "resolve_names", "check_names"]

_OPTIMIZERS = {"FAST_RUN": "fast_run", "FAST_COMPILE": "fast_compile", None: "fast_run",
               "NO_REWRITES": None}


def _settings(mode):
    """(optimizer, include, exclude) of a Mode object or a mode name."""
    if mode is None or isinstance(mode, str):
        if mode not in _OPTIMIZERS:
            raise ValueError(f"unknown mode {mode!r}; expected FAST_RUN, FAST_COMPILE or a Mode")
        return _OPTIMIZERS[mode], (), ()
    return mode.optimizer, tuple(mode.include), tuple(mode.exclude)


def optimize(fgraph, mode=None):
    """Run the passes of ``mode`` on ``fgraph`` (edited in place); return the Trace.

    FAST_COMPILE runs merge and constant folding only; FAST_RUN every
    default pass; ``include``/``exclude`` add or remove passes or rewrites
    (symlab's names, or Theano's: ``THEANO_NAMES``).
    """
    optimizer, include, exclude = _settings(mode)
    include = resolve_names(include, "include")
    exclude = resolve_names(exclude, "exclude")
    if optimizer is None:
        base = []
    elif optimizer == "fast_compile":
        base = list(FAST_COMPILE_PASSES)
    else:
        base = [p.name for p in PASSES if p.default]
    return run_passes(fgraph, PASSES, selector(base, include, exclude))


def rewrite_graph(outputs, inputs=None, mode=None):
    """Optimize ``outputs`` without compiling; return ``(new_outputs, trace)``.

    ``outputs`` is a variable or a list; the result has the same form.
    ``inputs`` defaults to the free variables the outputs depend on.
    """
    single = not isinstance(outputs, (list, tuple))
    outs = [outputs] if single else list(outputs)
    if inputs is None:
        inputs = [v for v in graph_inputs(outs) if not hasattr(v, "get_value")]
    fgraph = FunctionGraph(inputs, outs)
    trace = optimize(fgraph, mode)
    return (fgraph.outputs[0] if single else list(fgraph.outputs)), trace
