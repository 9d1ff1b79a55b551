"""``to_json``: a graph and its rewrite trace as plain data, for front ends.

The result is a dict made only of dicts, lists, strings, ints, booleans and
None, so ``json.dumps`` takes it as it is; it is the payload of the MIME type
``application/vnd.symlab.graph+json``. The format is documented, with a
worked example, in ``docs/json-graph.md``; in short::

    {"version": 2,
     "name": "f" or None,
     "nodes": {"<id>": {"id", "kind", "op", "label", "type", "dtype", "shape", "value"}},
     "before": {"inputs", "nodes", "edges", "outputs"},
     "after":  same as "before", or None,
     "events": [{"index", "pass", "rewrite", "pairs", "removed", "added", "rebuilt",
                 "edges", "outputs"}],
     "updates": [[output position, shared variable's node id], ...]}

A node whose op holds graphs of its own (a scan's body, an ifelse's branches)
has an ``inner`` entry: each inner graph as a document of this format, with how
the node's inputs and outputs connect to it.

A *node* is an Apply node or a leaf variable (graph input, constant, shared
variable); its id is symlab's stable id, the one ``debugprint(..., ids='id')``
prints. A *value* is named by ``[node id, output index]``. An *edge* is
``[source id, target id, input position, source output index]``.

A rewrite rebuilds every node downstream of what it replaced. An event lists
such a node as ``rebuilt: [old id, new id]``: the new node repeats the old
one's table entry and its edges (through the event's replacements), so the
document leaves both out and a reader derives them (``expand`` does, and so
does the extension). The document then grows with the trace, not with the
trace times the graph's depth.

Like the rest of ``symlab.printing`` this module never imports the rewrite or
compile layers: a compiled function is recognised by its ``graph_before``,
``graph_after`` and ``trace`` attributes.
"""

import json

from symlab.graph.basic import Constant, Variable
from symlab.graph.traversal import toposort
from symlab.printing.debugprint import _label as _debugprint_label

__all__ = ["to_json", "to_json_text", "expand", "FORMAT_VERSION", "MIME_TYPE"]

#: Bumped whenever a field changes meaning or disappears (adding a field does not bump it).
#: Version 2 added ``rebuilt``, whose nodes have no table entry and no listed edges.
FORMAT_VERSION = 2

#: The versions ``expand`` reads (a version-1 document is one with no ``rebuilt`` nodes).
READABLE_VERSIONS = (1, 2)

#: The MIME type whose payload is ``to_json``'s dict.
MIME_TYPE = "application/vnd.symlab.graph+json"


def to_json(obj):
    """Return the graph (and trace) of ``obj`` as a JSON-ready dict.

    ``obj`` is a compiled function (or any object with ``graph_before``,
    ``graph_after`` and ``trace``), a FunctionGraph, a variable, or a list or
    tuple of variables. Only compiled functions have an ``after`` graph and
    events; for the others ``after`` is None and ``events`` is empty.
    See ``docs/json-graph.md`` for every field.
    """
    if all(hasattr(obj, a) for a in ("graph_before", "graph_after", "trace")):
        return _function_to_json(obj)
    if hasattr(obj, "apply_nodes") and hasattr(obj, "inputs") and hasattr(obj, "outputs"):
        return _Document(obj.inputs).finish(obj.outputs)
    if isinstance(obj, Variable):
        return _Document(_free_leaves([obj])).finish([obj])
    if isinstance(obj, (list, tuple)) and all(isinstance(v, Variable) for v in obj):
        return _Document(_free_leaves(obj)).finish(list(obj))
    raise TypeError(f"to_json: expected a compiled function, a FunctionGraph, a variable or a "
                    f"list of variables; got {type(obj).__name__}")


def to_json_text(obj, indent=None):
    """Return ``to_json(obj)`` as JSON text (strict JSON: no NaN or Infinity literals)."""
    return json.dumps(to_json(obj), indent=indent, allow_nan=False)


# ---------------------------------------------------------------- what goes in

def _function_to_json(function):
    before, after = function.graph_before, function.graph_after
    known = set(before.inputs)
    doc = _Document(list(before.inputs) + [v for v in after.inputs if v not in known])
    doc.name = function.name if isinstance(getattr(function, "name", None), str) else None
    doc.describe_before(before.inputs, before.outputs)
    for k, event in enumerate(function.trace):
        outputs = getattr(event, "outputs_after", None)
        if outputs is None:
            outputs = function.graph_at(k + 1).outputs
        doc.add_event(event, outputs)
    doc.after = doc.describe(after.inputs, after.outputs)
    doc.updates = _update_positions(function, doc)
    return doc.as_dict()


def _update_positions(function, doc):
    """``[[output position, target id], ...]`` for a function's updates (after its outputs)."""
    updates = getattr(function, "updates", None)
    if not isinstance(updates, list):
        return []
    n_outputs = len(function.graph_after.outputs) - len(updates)
    return [[n_outputs + k, doc.key(target)[0]] for k, (target, _) in enumerate(updates)]


def _free_leaves(outputs):
    """The owner-less, non-constant, non-shared variables of a bare expression, in order."""
    seen, found = set(), []
    for node in toposort(outputs):
        for var in node.inputs:
            if var.owner is None and var not in seen:
                seen.add(var)
                found.append(var)
    for var in outputs:
        if var.owner is None and var not in seen:
            seen.add(var)
            found.append(var)
    return [v for v in found if not isinstance(v, Constant) and not hasattr(v, "get_value")]


# ---------------------------------------------------------------- nodes

def _kind(var, is_input):
    if isinstance(var, Constant):
        return "constant"
    if hasattr(var, "get_value"):
        return "shared"
    return "input" if is_input or var.owner is None else "apply"


def _type_fields(var):
    """``type``, ``dtype`` and ``shape`` of a variable (dtype/shape None for non-tensors)."""
    t = var.type
    shape = getattr(t, "shape", None)
    dtype = getattr(t, "dtype", None)
    return {
        "type": str(t),
        "dtype": None if dtype is None else str(dtype),
        "shape": None if shape is None else [None if s is None else int(s) for s in shape],
    }


def _value_summary(var):
    """A short text of a constant's or shared variable's value; None for other nodes."""
    if isinstance(var, Constant):
        value = var.data
    elif hasattr(var, "get_value"):
        try:
            value = var.get_value(borrow=True)
        except Exception as error:  # a value that cannot be read still gets drawn
            return f"<unreadable: {type(error).__name__}>"
    else:
        return None
    summarize = getattr(var.type, "value_summary", None)
    try:
        text = summarize(value) if summarize is not None else repr(value)
    except Exception:  # e.g. a device array NumPy cannot read
        text = f"<{type(value).__name__}>"
    return str(text)


def _op_text(node):
    """The op as ``debugprint`` names it (``add``, ``cast{float32}``)."""
    if len(node.outputs) == 1:
        return _debugprint_label(node.outputs[0], False)
    return str(node.op)  # debugprint adds ".index" per output; the node itself is the op


def _leaf_entry(var, is_input):
    entry = {"id": var.id, "kind": _kind(var, is_input), "op": None, "label": var.name}
    entry.update(_type_fields(var))
    entry["value"] = _value_summary(var)
    return entry


def _apply_entry(node):
    first = node.outputs[0] if node.outputs else None
    entry = {"id": node.id, "kind": "apply", "op": _op_text(node),
             "label": None if first is None else first.name}
    entry.update(_type_fields(first) if first is not None
                 else {"type": None, "dtype": None, "shape": None})
    entry["value"] = None
    if len(node.outputs) > 1:
        entry["outputs"] = [dict(label=out.name, **_type_fields(out)) for out in node.outputs]
    inner_graphs = getattr(node.op, "inner_graphs", None)
    if callable(inner_graphs):
        entry["inner"] = [_inner_entry(graph) for graph in inner_graphs()]
    return entry


def _inner_entry(graph):
    """A graph inside a node (a scan's step, an ifelse branch): its role, how the node's
    inputs and outputs connect to it, and the graph as a document of its own (with its
    trace when rewrites optimized it)."""
    optimized = graph.trace is not None
    return {
        "role": graph.role,
        "outer_inputs": [None if p is None else int(p) for p in graph.outer_inputs],
        "outer_outputs": [None if p is None else int(p) for p in graph.outer_outputs],
        "graph": _function_to_json(graph) if optimized else to_json(graph.graph_after),
    }


# ---------------------------------------------------------------- the document

class _Document:
    """Builds one JSON document: the node table, the graphs, the events.

    ``inputs`` are the variables treated as leaves even if they have an
    owner (a function's inputs); they are part of every graph.
    """

    def __init__(self, inputs):
        self.inputs = list(inputs)
        self.input_set = set(self.inputs)
        self.name = None
        self.nodes = {}          # str(id) -> entry, in order of first sight
        self.derived = set()     # ids of rebuilt nodes: their entries stay out of the table
        self.objects = {}        # id -> Apply node or leaf variable
        self.before = None
        self.after = None
        self.events = []
        self.updates = []
        # The graph as the events walk it: apply ids present, leaf reference counts, outputs.
        self._applies = set()
        self._leaf_refs = {}
        self._outputs = []

    # -- naming values and registering nodes

    def key(self, var):
        """``(node id, output index)`` naming ``var``'s value."""
        if self._is_leaf(var):
            return var.id, 0
        return var.owner.id, var.index

    def _is_leaf(self, var):
        return var in self.input_set or var.owner is None

    def register(self, variables):
        """Add every node ``variables`` depend on (and not yet known) to the table."""
        stack = list(reversed(list(variables)))
        while stack:
            var = stack.pop()
            node_id = self.key(var)[0]
            if node_id in self.objects:
                continue
            if self._is_leaf(var):
                self.objects[node_id] = var
                self.nodes[str(node_id)] = _leaf_entry(var, var in self.input_set)
                continue
            node = var.owner
            self.objects[node_id] = node
            self.nodes[str(node_id)] = _apply_entry(node)
            stack.extend(reversed(node.inputs))

    def _edges_into(self, node):
        edges = []
        for position, var in enumerate(node.inputs):
            source, index = self.key(var)
            edges.append([source, node.id, position, index])
        return edges

    # -- whole graphs

    def describe(self, inputs, outputs):
        """One graph: its inputs, its nodes in topological order, edges, outputs."""
        self.register(list(inputs) + list(outputs))
        order, listed, edges = [], set(), []

        def list_once(node_id):
            if node_id not in listed:
                listed.add(node_id)
                order.append(node_id)

        for var in inputs:
            list_once(var.id)
        for node in toposort(outputs, stop_at=self.input_set):
            for var in node.inputs:
                if self._is_leaf(var):
                    list_once(var.id)
            list_once(node.id)
            edges.extend(self._edges_into(node))
        for var in outputs:
            list_once(self.key(var)[0])
        return {"inputs": [v.id for v in inputs], "nodes": order, "edges": edges,
                "outputs": [list(self.key(v)) for v in outputs]}

    def describe_before(self, inputs, outputs):
        """Describe the first graph and start the walk of the trace from it."""
        self.before = self.describe(inputs, outputs)
        for node_id in self.before["nodes"]:
            obj = self.objects[node_id]
            if not isinstance(obj, Variable):
                self._join(obj)
        self._outputs = [tuple(o) for o in self.before["outputs"]]
        for node_id, _ in self._outputs:
            self._count_leaf(node_id, +1)

    # -- the trace, as differences

    def _count_leaf(self, node_id, step):
        """Add ``step`` to the number of uses of ``node_id`` if it is a leaf."""
        if isinstance(self.objects[node_id], Variable):
            self._leaf_refs[node_id] = self._leaf_refs.get(node_id, 0) + step

    def _join(self, node):
        self._applies.add(node.id)
        for var in node.inputs:
            if self._is_leaf(var):
                self._count_leaf(var.id, +1)

    def _leave(self, node):
        self._applies.discard(node.id)
        for var in node.inputs:
            if self._is_leaf(var):
                self._count_leaf(var.id, -1)

    def _leaf_present(self, node_id):
        return self.objects[node_id] in self.input_set or self._leaf_refs.get(node_id, 0) > 0

    def _signature(self, node_id):
        """A node's table entry without its id: what a rebuilt copy must repeat."""
        entry = dict(self.nodes[str(node_id)])
        del entry["id"]
        return json.dumps(entry, sort_keys=True)

    def _rebuilt(self, event):
        """``[[old id, new id], ...]``: the nodes of ``event.added`` that a reader can derive.

        A new node is derived from an old one leaving the graph at this event
        when their entries agree (but for the id) and the new node's inputs
        are the old node's inputs seen through the event: each value replaced
        by its ``pairs`` partner if it has one, else, if its node was rebuilt,
        by the same output of the rebuilt node. That is how
        ``FunctionGraph.replace_all`` rebuilds, and exactly the rule ``expand``
        and the extension apply, so checking it here keeps readers exact.
        """
        replaced = {tuple(self.key(old)): tuple(self.key(new)) for old, new in event.pairs}
        renamed = {}

        def seen_through(var):
            key = self.key(var)
            if key in replaced:
                return replaced[key]
            return renamed.get(key[0], key[0]), key[1]

        leaving = {}
        for node_id in event.removed:
            if node_id in self._applies:
                leaving.setdefault(self._signature(node_id), []).append(self.objects[node_id])
        found = []
        for node_id in event.added:
            node = self.objects.get(node_id)
            if node is None:
                continue
            inputs = [self.key(v) for v in node.inputs]
            candidates = leaving.get(self._signature(node_id), [])
            for old in candidates:
                if [seen_through(v) for v in old.inputs] == inputs:
                    candidates.remove(old)
                    renamed[old.id] = node_id
                    found.append([old.id, node_id])
                    break
        return found

    def add_event(self, event, outputs_after):
        """Record one trace event as a difference from the previous step."""
        self.register(list(outputs_after) + [v for pair in event.pairs for v in pair])
        rebuilt = self._rebuilt(event)
        derived = {new for _, new in rebuilt}
        self.derived |= derived
        touched = {}
        for node_id in event.removed:
            node = self.objects.get(node_id)
            if node is not None and node_id in self._applies:
                for var in node.inputs:
                    if self._is_leaf(var):
                        touched.setdefault(var.id, self._leaf_present(var.id))
                self._leave(node)
        edges = []
        for node_id in event.added:
            node = self.objects.get(node_id)
            if node is None:
                raise ValueError(f"to_json: trace event {event.index} adds node {node_id}, "
                                 "which its outputs do not reach")
            for var in node.inputs:
                if self._is_leaf(var):
                    touched.setdefault(var.id, self._leaf_present(var.id))
            self._join(node)
            if node_id not in derived:
                edges.extend(self._edges_into(node))
        output_changes = []
        for position, var in enumerate(outputs_after):
            old, new = self._outputs[position], self.key(var)
            if old == new:
                continue
            for node_id in (old[0], new[0]):
                if isinstance(self.objects[node_id], Variable):
                    touched.setdefault(node_id, self._leaf_present(node_id))
            self._count_leaf(old[0], -1)
            self._count_leaf(new[0], +1)
            self._outputs[position] = new
            output_changes.append([position, new[0], new[1]])
        leaves_left = [i for i, was in touched.items() if was and not self._leaf_present(i)]
        leaves_joined = [i for i, was in touched.items() if not was and self._leaf_present(i)]
        record = {
            "index": int(event.index),
            "pass": event.pass_name,
            "rewrite": event.rewrite,
            "pairs": [[list(self.key(old)), list(self.key(new))] for old, new in event.pairs],
            "removed": [int(i) for i in event.removed] + leaves_left,
            "added": [int(i) for i in event.added] + leaves_joined,
            "rebuilt": rebuilt,
            "edges": edges,
            "outputs": output_changes,
        }
        self.events.append(record)

    # -- the result

    def finish(self, outputs):
        """Describe a lone graph (no trace) and return the document."""
        self.before = self.describe(self.inputs, outputs)
        return self.as_dict()

    def as_dict(self):
        table = {key: entry for key, entry in self.nodes.items()
                 if entry["id"] not in self.derived}
        return {"version": FORMAT_VERSION, "name": self.name, "nodes": table,
                "before": self.before, "after": self.after, "events": self.events,
                "updates": self.updates}


# ---------------------------------------------------------------- reading

def expand(doc):
    """Return a copy of a graph document with every rebuilt node written out.

    The copy has a table entry for every node and, in each event's
    ``edges``, the edges into every node the event adds, rebuilt ones
    included (``docs/json-graph.md``, "Rebuilt nodes"); its ``rebuilt``
    lists are kept. Replaying an expanded document needs no derivation:
    drop ``removed``, add ``added`` and ``edges``. Raises ValueError for a
    version it cannot read or a rebuilt node whose original is unknown.
    """
    if doc.get("version") not in READABLE_VERSIONS:
        raise ValueError(f"expand: graph format version {doc.get('version')!r} is not one of "
                         f"{READABLE_VERSIONS}")
    table = dict(doc["nodes"])
    into = {}                # target id -> its edges, for the nodes of the current step
    for edge in doc["before"]["edges"]:
        into.setdefault(edge[1], []).append(list(edge))
    events = []
    for event in doc["events"]:
        replaced = {(old[0], old[1]): new for old, new in event.get("pairs", [])}
        renamed = {old: new for old, new in event.get("rebuilt", [])}
        derived_edges = []
        for old, new in event.get("rebuilt", []):
            if str(old) not in table:
                raise ValueError(f"expand: event {event['index']} rebuilds node {old}, "
                                 "which has no entry")
            table[str(new)] = dict(table[str(old)], id=new)
            for source, _, position, index in into.get(old, []):
                source, index = replaced.get((source, index),
                                             (renamed.get(source, source), index))
                derived_edges.append([source, new, position, index])
        for node_id in event["removed"]:
            into.pop(node_id, None)
        edges = [list(e) for e in event["edges"]] + derived_edges
        for edge in edges:
            into.setdefault(edge[1], []).append(edge)
        events.append(dict(event, edges=edges))
    return dict(doc, nodes=table, events=events)
