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
"""

import copy
import json

import ipywidgets as widgets
import traitlets

from symlab.graph.basic import Variable
from symlab.graph.fgraph import FunctionGraph
from symlab.graph.traversal import graph_inputs
from symlab.notebook._common import MODULE, MODULE_VERSION
from symlab.printing import expand, to_json
from symlab.rewrite import rewrite_graph

__all__ = ["GraphView", "graph_document"]


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


def _is_compiled(obj):
    return all(hasattr(obj, a) for a in ("graph_before", "graph_after", "trace"))


def graph_document(obj, mode=None):
    """The JSON graph document of ``obj``, with its optimization trace.

    A compiled function gives its own trace. A variable, a list of
    variables or a FunctionGraph is optimized here (``rewrite_graph``, with
    ``mode``, FAST_RUN by default) without being compiled or changed.
    """
    if _is_compiled(obj):
        return to_json(obj)
    if isinstance(obj, Variable):
        return to_json(_RewrittenExpression([obj], mode=mode))
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(v, Variable) for v in obj):
        return to_json(_RewrittenExpression(obj, mode=mode))
    if isinstance(obj, FunctionGraph):
        return to_json(_RewrittenExpression(obj.outputs, obj.inputs, mode=mode))
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

    def __init__(self, f_or_expr, mode=None, **kwargs):
        document = graph_document(f_or_expr, mode=mode)
        super().__init__(graph=document, **kwargs)

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
        """The trace's events, as in the document."""
        return self.graph["events"]

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
        nodes = list(self.graph["before"]["nodes"])
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

    def __repr__(self):
        name = self.graph.get("name")
        return (f"<GraphView {name or ''}: {len(self._expanded['nodes'])} nodes, "
                f"step {self.step} of {len(self.graph.get('events', ()))}>")
