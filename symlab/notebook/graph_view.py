"""``GraphView``: a graph before and after optimization, stepped one rewrite at a time.

The widget syncs the JSON graph document (``symlab.printing.to_json``,
``docs/json-graph.md``) and three small traits the view and Python share::

    graph     the document (data only: the renderer lives in extension/), sent
              and saved as one JSON string (nbformat would spread nested lists
              over one line per number)
    step      the graph shown beside ``before`` is the graph after the first
              ``step`` events: 0 is ``before``, len(events) is ``after``.
              The default is 0: the view opens on the whole trace, the
              original graph beside the optimized one.
    selected  the id of the clicked node, as a string, or ""
    expanded  ids (strings) of the fused nodes drawn opened

At step k (k > 0) the view highlights event k - 1, the one that led to the
graph shown: its ``removed`` and ``added`` node ids (``GraphView.event``).

Debugging a compiled function (``docs/debugging.md``) adds three traits,
plain data like the rest::

    failure   the last failed call of the function, ``{}`` when there is
              none: ``{"node": id, "kind": "error" | "nan" | "inf" | "big",
              "message": text, "origins": [[file, line], ...]}``. The view
              draws that node red and shows the message (as text) beside
              the graph. Read from ``f.last_failure`` when the view is made,
              then kept current by observing ``f`` (``f.observe``): set
              after a failed call, ``{}`` again after the next successful one.
    profile   ``{}``, or for a function compiled with ``profile=True`` (such
              as the copy ``%symlab_profile`` makes) once it has been called:
              ``{"calls": n, "call_time": seconds, "rows": [{"id", "node",
              "op", "time", "percent", "calls"}, ...]}`` (``f.profile.rows()``,
              slowest first). The view colours each node on a heat scale (the
              slower, the stronger), with a legend and the table.
    values    ``{"<node id>": "<value summary>"}``: each node's value at one
              call, from ``GraphView(f, values=intermediate_values(f, *args))``;
              shown on hover (an SVG ``<title>``) and in the node's details.

The view holds ``f`` only through a weak reference, and its observer holds
the view only weakly: neither keeps the other alive, and ``close()``
unsubscribes.
"""

import copy
import json
import time
import weakref

import ipywidgets as widgets
import numpy as np
import traitlets

from symlab.graph.basic import Variable
from symlab.graph.fgraph import FunctionGraph
from symlab.graph.traversal import graph_inputs
from symlab.notebook._common import (MODULE, MODULE_VERSION, CellHook, WeakObserver,
                                     as_number, running_shell)
from symlab.printing import expand, to_json
from symlab.rewrite import rewrite_graph

__all__ = ["GraphView", "graph_document", "failure_data", "profile_data", "value_texts"]

#: At most this many characters of a failure's message are synced (the rest is cut).
MESSAGE_LIMIT = 20_000
#: At most this many characters of one value summary are synced.
VALUE_TEXT_LIMIT = 400
#: The panels a view exports (``GraphView.to_svg(side)``).
PANEL_SIDES = ("before", "after")


class _RewrittenExpression:
    """A symbolic expression optimized without compiling, shaped like a compiled function
    for ``to_json``: ``graph_before``, ``graph_after``, ``trace`` (no updates)."""

    name = None
    updates = []

    def __init__(self, outputs, inputs=None, mode=None):
        outputs = list(outputs)
        if inputs is None:
            inputs = [v for v in graph_inputs(outputs) if not hasattr(v, "get_value")]
        inputs = list(inputs)
        new_outputs, self.trace = rewrite_graph(outputs, inputs, mode=mode)
        self.graph_before = FunctionGraph(inputs, outputs)
        self.graph_after = FunctionGraph(inputs, new_outputs)

    def graph_at(self, k):
        """The graph after the first ``k`` events of the trace, as ``Function.graph_at``."""
        if k == len(self.trace):
            return self.graph_after
        outputs = self.graph_before.outputs if k == 0 else self.trace[k - 1].outputs_after
        return FunctionGraph(self.graph_before.inputs, outputs)


def _is_compiled(obj):
    return all(hasattr(obj, a) for a in ("graph_before", "graph_after", "trace"))


def graph_document(obj, mode=None, groups=True):
    """The JSON graph document of ``obj``, with its optimization trace, in the compact
    version 3 (``to_json(..., compact=True)``: a tenth of the size for long traces).

    A compiled function gives its own trace. A variable, a list of
    variables or a FunctionGraph is optimized here (``rewrite_graph``, with
    ``mode``, FAST_RUN by default) without being compiled or changed.
    ``groups=False`` leaves the groups out: a big graph is then drawn whole.
    """
    document = _document(obj, mode)
    if not groups:
        document.pop("groups", None)
        for entry in document["nodes"].values():
            entry.pop("group", None)
    return document


def _document(obj, mode):
    return to_json(_shown(obj, mode), compact=True)


def _shown(obj, mode):
    """What a view shows of ``obj``: a compiled function itself, else the expression
    optimized here (``_RewrittenExpression``: ``graph_before``, ``graph_after``, ``trace``)."""
    if _is_compiled(obj):
        return obj
    if isinstance(obj, Variable):
        return _RewrittenExpression([obj], mode=mode)
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(v, Variable) for v in obj):
        return _RewrittenExpression(obj, mode=mode)
    if isinstance(obj, FunctionGraph):
        return _RewrittenExpression(obj.outputs, obj.inputs, mode=mode)
    raise TypeError(f"GraphView: expected a compiled function, a symbolic variable, a list of "
                    f"variables or a FunctionGraph; got {type(obj).__name__}")


def _document_to_text(document, widget):
    """The document as one compact JSON string: saved widget state keeps it on one line
    (nbformat would indent nested lists one number a line, 2.6 times larger)."""
    return json.dumps(document, allow_nan=False, separators=(",", ":"))


def _document_from_text(text, widget):
    return json.loads(text) if isinstance(text, str) else text


class GraphView(widgets.DOMWidget):
    """The graph of a compiled function (or of an expression) before and after optimization.

    ``GraphView(f)``; ``step_forward()``/``step_back()`` walk the trace,
    ``event`` is the event that led to the current step, ``node(id)`` a
    node's details. See the module docstring for the synced traits.
    """

    _model_name = traitlets.Unicode("GraphModel").tag(sync=True)
    _view_name = traitlets.Unicode("GraphView").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    graph = traitlets.Dict().tag(sync=True, to_json=_document_to_text,
                                 from_json=_document_from_text)
    step = traitlets.Int(0).tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    expanded = traitlets.List(traitlets.Unicode()).tag(sync=True)
    failure = traitlets.Dict().tag(sync=True)
    profile = traitlets.Dict().tag(sync=True)
    values = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)

    #: Seconds. Inside IPython, profile notifications sooner than this after the last
    #: refresh of ``profile`` wait for the next one past it, or for the end of the cell:
    #: a loop calling a profiled function does not send the front end a message per call.
    refresh_interval = 0.25

    # Until __init__ sets them: close() may run on a half-built widget.
    _function = None
    _expression = None
    _observer = None
    _cell_hook = None

    def __init__(self, f_or_expr, mode=None, values=None, groups=True, **kwargs):
        """``GraphView(f_or_expr, mode=None, values=None, groups=True)``.

        ``values``: a dict mapping variables of the graph to their values at
        one call, as ``symlab.debug.intermediate_values(f, *args)`` returns
        it; each node's summary is shown on hover and in its details.
        ``groups=False``: a big graph is drawn whole, not as collapsed groups.
        """
        shown = _shown(f_or_expr, mode)
        document = graph_document(shown, groups=groups)
        super().__init__(graph=document, **kwargs)
        # An expression's optimized graphs are kept for export (to_svg); a compiled
        # function only weakly (self._function), as the debugging traits need.
        self._expression = None if shown is f_or_expr else shown
        self._profile_dirty = False
        self._last_profile_refresh = -float("inf")
        if values is not None:
            self.values = value_texts(values, _leaves_of(f_or_expr))
        if _is_compiled(f_or_expr) and callable(getattr(f_or_expr, "observe", None)):
            self._function = weakref.ref(f_or_expr)
            self._observer = WeakObserver(self._on_function_event)
            f_or_expr.observe(self._observer)
            self.failure = failure_data(getattr(f_or_expr, "last_failure", None))
            self.profile = profile_data(getattr(f_or_expr, "profile", None))

    # ------------------------------------------------------------ debugging

    def _on_function_event(self, function, event):
        if event == "failure":
            self.failure = failure_data(function.last_failure)
        elif event == "cleared":
            self.failure = {}
        elif event == "profile":
            self._profile_notified(function)

    def _profile_notified(self, function):
        """Refresh ``profile``, at most once per ``refresh_interval`` inside IPython
        (the rest waits for the next notification past it, or for the cell's end)."""
        self._profile_dirty = True
        if self._cell_hook is None:
            shell = running_shell()
            if shell is not None:
                self._cell_hook = CellHook(self._after_cell, shell)
        if self._cell_hook is not None and \
                time.monotonic() - self._last_profile_refresh < self.refresh_interval:
            return
        self._refresh_profile(function)

    def _refresh_profile(self, function=None):
        function = function if function is not None else self.function
        self._profile_dirty = False
        self._last_profile_refresh = time.monotonic()
        if function is not None:
            self.profile = profile_data(getattr(function, "profile", None))

    def _after_cell(self):
        if self._profile_dirty:
            self._refresh_profile()

    @property
    def function(self):
        """The compiled function shown (None for an expression, or once it is gone)."""
        return None if self._function is None else self._function()

    def close(self):
        """Stop observing the function, then close the widget."""
        function = self.function
        if function is not None and self._observer is not None:
            try:
                function.unobserve(self._observer)
            except ValueError:
                pass
        self._observer = None
        if self._cell_hook is not None:
            self._cell_hook.remove()
            self._cell_hook = None
        super().close()

    # ------------------------------------------------------------ validation

    @traitlets.validate("step")
    def _valid_step(self, proposal):
        step, count = proposal["value"], len(self.graph.get("events", ()))
        if not 0 <= step <= count:
            raise traitlets.TraitError(f"GraphView.step must be from 0 to {count} (the number "
                                       f"of events); got {step}")
        return step

    @traitlets.validate("selected")
    def _valid_selected(self, proposal):
        key = proposal["value"]
        if key and key not in self._expanded["nodes"]:
            raise traitlets.TraitError(f"GraphView.selected: no node with id {key!r} in this "
                                       "graph")
        return key

    @property
    def _expanded(self):
        """The document with its rebuilt nodes written out (``expand``), made once per graph."""
        cached = getattr(self, "_expanded_cache", None)
        if cached is None or cached[0] is not self.graph:
            cached = (self.graph, expand(self.graph))
            self._expanded_cache = cached
        return cached[1]

    # ------------------------------------------------------------ stepping

    @property
    def events(self):
        """The trace's events, written out (``expand``: plain id lists, ``rebuilt`` as
        ``[old id, new id]`` pairs, every output change listed)."""
        return self._expanded["events"]

    def step_forward(self):
        """Show the graph after one more event (stays at the last); return the step."""
        if self.step < len(self.events):
            self.step += 1
        return self.step

    def step_back(self):
        """Show the graph before the current event (stays at 0); return the step."""
        if self.step > 0:
            self.step -= 1
        return self.step

    @property
    def event(self):
        """The event that led to the current step (``events[step - 1]``), or None at step 0.

        A dict with ``index``, ``pass``, ``rewrite``, ``pairs``, ``removed``,
        ``added`` (node ids) and ``rebuilt`` (``[old id, new id]`` pairs), as in
        the document.
        """
        if self.step == 0:
            return None
        event = self.events[self.step - 1]
        return {key: copy.deepcopy(event[key])
                for key in ("index", "pass", "rewrite", "pairs", "removed", "added", "rebuilt")}

    def nodes_at(self, step=None):
        """The node ids of the graph after ``step`` events (default: the current step)."""
        step = self.step if step is None else step
        if not 0 <= step <= len(self.events):
            raise IndexError(f"nodes_at: step must be from 0 to {len(self.events)}; got {step}")
        nodes = list(self._expanded["before"]["nodes"])
        for event in self.events[:step]:
            gone = set(event["removed"])
            nodes = [n for n in nodes if n not in gone]
            nodes += [n for n in event["added"] if n not in nodes]
        return nodes

    def node(self, node_id):
        """The document's entry for the node ``node_id`` (an int or its string), with
        ``inputs``: the ``[source id, output index]`` of each of its inputs, in order."""
        key = str(node_id)
        document = self._expanded
        entry = document["nodes"].get(key)
        if entry is None:
            raise KeyError(f"GraphView.node: no node with id {node_id!r} in this graph")
        details = copy.deepcopy(entry)
        edges = {}
        lists = [document["before"]["edges"]] + [e["edges"] for e in document["events"]]
        if document.get("after"):
            lists.append(document["after"]["edges"])
        for edge_list in lists:
            for source, target, position, index in edge_list:
                if target == entry["id"]:
                    edges[position] = [source, index]
        details["inputs"] = [edges[p] for p in sorted(edges)]
        return details

    # ------------------------------------------------------------ export

    def panel_graph(self, side="after"):
        """The graph a panel shows at the current step, as a FunctionGraph (or the compiled
        function itself for the after panel at the last step, so its updates are named).

        ``side``: 'before' (step 0, or the step before the current event) or 'after'
        (the last step, or the current one).
        """
        if side not in PANEL_SIDES:
            raise ValueError(f"GraphView: side must be one of {', '.join(PANEL_SIDES)}; "
                             f"got {side!r}")
        shown = self._expression if self._expression is not None else self.function
        if shown is None:
            raise RuntimeError("GraphView: the compiled function shown is gone (the view "
                               "holds it weakly), so its graph cannot be drawn again")
        count = len(shown.trace)
        if side == "before":
            return shown.graph_at(max(self.step - 1, 0))
        step = self.step if self.step > 0 else count
        if step == count and self._expression is None:
            return shown
        return shown.graph_at(step)

    def to_dot(self, side="after"):
        """The DOT text of a panel's graph at the current step (``symlab.printing.to_dot``,
        Theano's ``pydotprint`` drawing)."""
        from symlab.printing import to_dot
        return to_dot(self.panel_graph(side))

    def to_svg(self, side="after"):
        """The SVG text of a panel's graph at the current step, drawn by Graphviz's ``dot``
        (``to_dot`` then ``symlab.printing.render``; raises ``GraphvizNotFound`` without it)."""
        from symlab.printing.render import render_dot
        return render_dot(self.to_dot(side), "svg", purpose="export a graph view as SVG"
                          ).decode("utf-8")

    def save(self, path, side="after", format=None):
        """Write a panel's graph at the current step to ``path`` as an image; ``format``
        (default: the file's suffix: 'svg', 'png', 'pdf', ...) is any format ``dot -T``
        knows. Returns the path."""
        import os
        from symlab.printing.render import render_dot
        if format is None:
            format = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
            if not format:
                raise ValueError(f"GraphView.save: {os.fspath(path)!r} has no suffix; name "
                                 "the format (format='svg', 'png', 'pdf', ...)")
        data = render_dot(self.to_dot(side), format,
                          purpose=f"save a graph view as {format}")
        with open(path, "wb") as out:
            out.write(data)
        return path

    def __repr__(self):
        name = self.graph.get("name")
        named = f" {name}" if name else ""
        return (f"<GraphView{named}: {len(self._expanded['nodes'])} nodes, "
                f"step {self.step} of {len(self.graph.get('events', ()))}>")


# ---------------------------------------------------------------- debugging data

def failure_data(failure):
    """The ``failure`` trait for ``f.last_failure``: ``{}`` for None, else plain data."""
    if failure is None:
        return {}
    message = str(getattr(failure, "message", "") or "")
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT - 1] + "\u2026"
    origins = []
    for origin in getattr(failure, "origins", None) or ():
        try:
            filename, line = origin
            origins.append([str(filename), int(line)])
        except (TypeError, ValueError):
            continue
    return {"node": int(failure.node_id), "kind": str(getattr(failure, "kind", "error")),
            "message": message, "origins": origins}


def profile_data(stats):
    """The ``profile`` trait for ``f.profile``: ``{}`` for None or before the first call."""
    if stats is None or not getattr(stats, "calls", 0):
        return {}
    rows = []
    for row in stats.rows():
        entry = {"id": int(row["id"]), "op": str(row["op"]),
                 "time": as_number(row["time"]) or 0.0,
                 "percent": as_number(row["percent"]) or 0.0,
                 "calls": int(row["calls"])}
        if "node" in row:
            entry["node"] = str(row["node"])
        rows.append(entry)
    return {"calls": int(stats.calls), "call_time": as_number(stats.call_time) or 0.0,
            "rows": rows}


def _leaves_of(obj):
    """The variables a document draws as leaves although they may have an owner: the
    inputs of the graph shown (``to_json`` names a leaf by its own id)."""
    if _is_compiled(obj):
        return set(obj.graph_after.inputs) | set(obj.graph_before.inputs)
    if isinstance(obj, FunctionGraph):
        return set(obj.inputs)
    return set()


def value_text(var, value):
    """A short text of ``value``, the value of ``var`` at a call: the type's
    ``value_summary`` when it has one (with NaN and infinity counts added), else a
    short repr; at most VALUE_TEXT_LIMIT characters."""
    summarize = getattr(getattr(var, "type", None), "value_summary", None)
    try:
        text = str(summarize(value)) if summarize is not None else repr(value)
    except Exception:  # e.g. a device array NumPy cannot read
        text = f"<{type(value).__name__}>"
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc" and value.size > 6:
        with np.errstate(all="ignore"):
            nan, inf = int(np.isnan(value).sum()), int(np.isinf(value).sum())
        text += (f", {nan} nan" if nan else "") + (f", {inf} inf" if inf else "")
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if len(text) > VALUE_TEXT_LIMIT:
        text = text[:VALUE_TEXT_LIMIT - 1] + "\u2026"
    return text


def value_texts(values, leaves=()):
    """The ``values`` trait: ``{"<node id>": text}`` for a dict of variables to values.

    An apply node's output is named by its node's id (``var.owner.id``), a
    node with several outputs gets one line per output (``out k: ...``); a
    leaf (an input of the graph, or a variable with no owner) by its own id:
    the ids of ``to_json``.
    """
    if not isinstance(values, dict):
        raise TypeError(f"GraphView(values=...): expected a dict of variables to values, as "
                        f"symlab.debug.intermediate_values returns; got {type(values).__name__}")
    leaves = set(leaves)
    per_node = {}
    for var, value in values.items():
        if not isinstance(var, Variable):
            raise TypeError(f"GraphView(values=...): the keys must be symbolic variables; "
                            f"got {type(var).__name__}")
        if var.owner is None or var in leaves:
            per_node.setdefault(var.id, {})[None] = value_text(var, value)
        else:
            per_node.setdefault(var.owner.id, {})[var.index] = (
                value_text(var, value), len(var.owner.outputs))
    texts = {}
    for node_id, by_index in per_node.items():
        if None in by_index:
            texts[str(node_id)] = by_index[None]
            continue
        if len(by_index) == 1 and next(iter(by_index.values()))[1] == 1:
            texts[str(node_id)] = next(iter(by_index.values()))[0]
            continue
        texts[str(node_id)] = "\n".join(f"out {k}: {by_index[k][0]}" for k in sorted(by_index))
    return texts
