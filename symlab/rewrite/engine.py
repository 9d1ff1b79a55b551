"""The rewrite engine: named rewrites, ordered passes, and the recorded trace.

A *rewrite* is a plain function ``rewrite(fgraph, node)`` returning None
(no change) or the list of variables replacing ``node.outputs`` (an entry
None leaves that output as it is: ``[as_replacement(...)]`` is a no-op when
the replacement would not fit). Its
function name is its one name: in the trace, in ``include=`` and in
``exclude=``. A *pass* is a named, ordered list of rewrites applied to every
node until nothing changes (or a global function of the whole graph).
Every replacement goes through ``FunctionGraph.replace_all`` and becomes one
``TraceEvent``.
"""

import gc
from dataclasses import dataclass, field

from symlab.graph.basic import inherited_origins
from symlab.graph.fgraph import FunctionGraph

__all__ = ["Pass", "TraceEvent", "Trace", "run_passes", "selector"]

#: A pass stops after this many sweeps over the graph, even if rewrites still fire.
MAX_SWEEPS = 50


@dataclass(frozen=True)
class Pass:
    """A named pass: ``rewrites`` applied node by node to a fixed point.

    ``global_rewrite``, if given, is called once as ``fn(fgraph)`` instead
    and makes its own replacements. ``then``, if given, is a global rewrite
    run once after the local rewrites reach their fixed point (part of the
    pass: excluding the pass excludes it).
    """

    name: str
    rewrites: tuple = ()
    global_rewrite: object = None
    default: bool = True       # part of FAST_RUN unless included by name
    then: object = None

    @property
    def rewrite_names(self):
        """The names of the rewrites of this pass."""
        if self.global_rewrite is not None:
            return (self.global_rewrite.__name__,)
        names = tuple(r.__name__ for r in self.rewrites)
        return names + ((self.then.__name__,) if self.then is not None else ())


@dataclass
class TraceEvent:
    """One application of one rewrite: what replaced what, which nodes left and joined."""

    index: int
    pass_name: str
    rewrite: str
    pairs: list                       # [(replaced variable, replacement variable)]
    removed: list                     # node ids that left the graph
    added: list                       # node ids that joined it
    outputs_after: list = field(repr=False, default=None)

    def __str__(self):
        from symlab.printing.pp import pp
        pairs = "; ".join(f"{_short(pp(old))} -> {_short(pp(new))}" for old, new in self.pairs)
        return (f"{self.index:>3}  {self.pass_name:<18} {self.rewrite:<28} "
                f"-{len(self.removed)} +{len(self.added)}  {pairs}")


def _short(text, limit=40):
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Trace(list):
    """The ordered list of TraceEvents of one optimization; prints as a table."""

    def __str__(self):
        header = f"{'#':>3}  {'pass':<18} {'rewrite':<28} nodes  replaced -> replacement"
        return "\n".join([header] + [str(e) for e in self]) if self else "(no rewrites fired)"

    def rewrite_names(self):
        """The names of the rewrites that fired, in order."""
        return [e.rewrite for e in self]


class _Recorder:
    """FunctionGraph listener turning each replacement into a TraceEvent."""

    def __init__(self, trace):
        self.trace = trace
        self.pass_name = None

    def on_replace(self, fgraph, pairs, reason, removed, added):
        self.trace.append(TraceEvent(len(self.trace), self.pass_name, reason, list(pairs),
                                     removed, added, list(fgraph.outputs)))


def selector(base_passes, include=(), exclude=()):
    """Return ``enabled(pass, rewrite_name)``: on if its pass is in ``base_passes``
    or it or its pass is included, and neither it nor its pass is excluded."""
    base, include, exclude = set(base_passes), set(include), set(exclude)

    def enabled(pass_, rewrite_name):
        if rewrite_name in exclude or pass_.name in exclude:
            return False
        return pass_.name in base or pass_.name in include or rewrite_name in include

    return enabled


def run_passes(fgraph, passes, enabled=None):
    """Run ``passes`` in order on ``fgraph`` (edited in place); return the Trace.

    ``enabled(pass, rewrite_name)`` says which rewrites run (default: those
    of passes that are on by default).
    """
    if enabled is None:
        enabled = selector([p.name for p in passes if p.default])
    if not isinstance(fgraph, FunctionGraph):
        raise TypeError(f"run_passes needs a FunctionGraph; got {type(fgraph).__name__}")
    trace = Trace()
    recorder = _Recorder(trace)
    fgraph.attach_listener(recorder)
    # Rewriting allocates many nodes and nearly all of them stay alive (the
    # trace keeps the graph after every event), so the cyclic garbage
    # collector, run meanwhile, finds almost no garbage but scans an ever
    # larger heap: about a third of the rewrite time of a graph of a few
    # thousand nodes. It is paused while the passes run (if it was on) and
    # collects as usual after.
    collecting = gc.isenabled()
    try:
        if collecting:
            gc.disable()
        for pass_ in passes:
            recorder.pass_name = pass_.name
            if pass_.global_rewrite is not None:
                if enabled(pass_, pass_.global_rewrite.__name__):
                    pass_.global_rewrite(fgraph)
                continue
            rewrites = [r for r in pass_.rewrites if enabled(pass_, r.__name__)]
            if rewrites:
                _local_fixpoint(fgraph, rewrites)
            if pass_.then is not None and enabled(pass_, pass_.then.__name__):
                pass_.then(fgraph)
    finally:
        if collecting:
            gc.enable()
        fgraph.detach_listener(recorder)
    return trace


def _local_fixpoint(fgraph, rewrites):
    for _ in range(MAX_SWEEPS):
        changed = False
        for node in fgraph.toposort():
            if node not in fgraph:
                continue        # replaced earlier in this sweep
            with inherited_origins(node.origins):
                changed = _rewrite_node(fgraph, node, rewrites) or changed
        if not changed:
            return


def _rewrite_node(fgraph, node, rewrites):
    """Apply the first of ``rewrites`` that changes ``node``; return True if one did."""
    for rewrite in rewrites:
        result = rewrite(fgraph, node)
        if result is None:
            continue
        result = list(result)
        if len(result) != len(node.outputs):
            raise ValueError(f"rewrite {rewrite.__name__} returned {len(result)} "
                             f"replacements for a node with {len(node.outputs)} outputs")
        pairs = [(old, new) for old, new in zip(node.outputs, result)
                 if new is not None and new is not old]
        if pairs:
            fgraph.replace_all(pairs, reason=rewrite.__name__)
            return True
    return False
