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
import linecache

from symlab.graph.basic import Constant, Variable
from symlab.graph.traversal import toposort
from symlab.printing.debugprint import _label as _debugprint_label

__all__ = ["to_json", "to_json_text", "expand", "compact", "id_runs", "read_ids",
           "FORMAT_VERSION", "COMPACT_VERSION", "MIME_TYPE"]

#: Bumped whenever a field changes meaning or disappears (adding a field does not bump it).
#: Version 2 added ``rebuilt``, whose nodes have no table entry and no listed edges.
FORMAT_VERSION = 2

#: The version of ``to_json(obj, compact=True)`` (``compact``): id lists written as runs,
#: output changes that the pairs and rebuilt nodes imply left out.
COMPACT_VERSION = 3

#: The versions ``expand`` reads (a version-1 document is one with no ``rebuilt`` nodes).
READABLE_VERSIONS = (1, 2, 3)

#: A group with more child groups than this gets them wrapped in runs of this many.
MAX_CHILD_GROUPS = 12

#: At most this many characters of a source line label a group.
GROUP_LABEL_CHARS = 60

#: A run of ids (``[first, step, count]``) is written for this many evenly spaced ids or more.
MIN_RUN = 3

#: The MIME type whose payload is ``to_json``'s dict.
MIME_TYPE = "application/vnd.symlab.graph+json"


def to_json(obj, compact=False):
    """Return the graph (and trace) of ``obj`` as a JSON-ready dict.

    ``obj`` is a compiled function (or any object with ``graph_before``,
    ``graph_after`` and ``trace``), a FunctionGraph, a variable, or a list or
    tuple of variables. Only compiled functions have an ``after`` graph and
    events; for the others ``after`` is None and ``events`` is empty.
    ``compact=True`` returns the version-3 document (``compact``), a tenth
    of the size or less for long traces. See ``docs/json-graph.md`` for every field.
    """
    if not compact:
        return _to_json(obj, False)
    return _compact(_to_json(obj, True))


def _to_json(obj, grouped):
    if all(hasattr(obj, a) for a in ("graph_before", "graph_after", "trace")):
        return _function_to_json(obj, grouped)
    if hasattr(obj, "apply_nodes") and hasattr(obj, "inputs") and hasattr(obj, "outputs"):
        return _Document(obj.inputs, grouped).finish(obj.outputs)
    if isinstance(obj, Variable):
        return _Document(_free_leaves([obj]), grouped).finish([obj])
    if isinstance(obj, (list, tuple)) and all(isinstance(v, Variable) for v in obj):
        return _Document(_free_leaves(obj), grouped).finish(list(obj))
    raise TypeError(f"to_json: expected a compiled function, a FunctionGraph, a variable or a "
                    f"list of variables; got {type(obj).__name__}")


def to_json_text(obj, indent=None):
    """Return ``to_json(obj)`` as JSON text (strict JSON: no NaN or Infinity literals)."""
    return json.dumps(to_json(obj), indent=indent, allow_nan=False)


# ---------------------------------------------------------------- what goes in

def _function_to_json(function, grouped=False):
    before, after = function.graph_before, function.graph_after
    known = set(before.inputs)
    doc = _Document(list(before.inputs) + [v for v in after.inputs if v not in known],
                    grouped)
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


class _EntryMaker:
    """Makes node table entries, sharing the op texts and type fields of equal ops and
    types (a graph of 2,000 nodes has a few dozen of each)."""

    def __init__(self, input_set):
        self.input_set = input_set
        self.ops = {}
        self.types = {}

    def _type_fields(self, var):
        key = id(var.type)
        found = self.types.get(key)
        if found is None or found[0] is not var.type:
            found = self.types[key] = (var.type, _type_fields(var))
        return dict(found[1])

    def entry(self, obj):
        """The table entry of an Apply node or a leaf variable."""
        if isinstance(obj, Variable):
            entry = {"id": obj.id, "kind": _kind(obj, obj in self.input_set), "op": None,
                     "label": obj.name}
            entry.update(self._type_fields(obj))
            entry["value"] = _value_summary(obj)
            return entry
        if len(obj.outputs) != 1 or getattr(obj.op, "inner_graphs", None) is not None:
            return _apply_entry(obj)
        key = id(obj.op)
        found = self.ops.get(key)
        if found is None or found[0] is not obj.op:
            found = self.ops[key] = (obj.op, _op_text(obj))
        first = obj.outputs[0]
        entry = {"id": obj.id, "kind": "apply", "op": found[1], "label": first.name}
        entry.update(self._type_fields(first))
        entry["value"] = None
        return entry


# ---------------------------------------------------------------- the document

class _Document:
    """Builds one JSON document: the node table, the graphs, the events.

    ``inputs`` are the variables treated as leaves even if they have an
    owner (a function's inputs); they are part of every graph.
    """

    def __init__(self, inputs, grouped=False):
        self.grouped = grouped   # add groups, sources and each node's group and origin
        self.inputs = list(inputs)
        self.input_set = set(self.inputs)
        self.name = None
        self.order = []          # node ids in order of first sight (entries made at the end)
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
        self._signatures = {}    # apply id -> _signature, made once

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
            self.order.append(node_id)
            if self._is_leaf(var):
                self.objects[node_id] = var
                continue
            node = var.owner
            self.objects[node_id] = node
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
        """What a rebuilt copy must repeat of an apply node for its table entry to be the
        same but for the id: the same op object, output types and names (a rebuilt node
        is made by ``Apply.with_inputs``, which keeps all three)."""
        found = self._signatures.get(node_id)
        if found is None:
            node = self.objects[node_id]
            found = self._signatures[node_id] = (id(node.op),) + tuple(
                (id(o.type), o.name) for o in node.outputs)
        return found

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
        entries = _EntryMaker(self.input_set)
        table = {str(node_id): entries.entry(self.objects[node_id]) for node_id in self.order
                 if node_id not in self.derived}
        doc = {"version": FORMAT_VERSION, "name": self.name, "nodes": table,
               "before": self.before, "after": self.after, "events": self.events,
               "updates": self.updates}
        _add_test_values(table, self.objects)
        if not self.grouped:
            return doc
        groups, sources = _Groups(self).build()
        for entry in table.values():
            found = groups.of.get(entry["id"])
            if found is not None:
                entry["group"] = found
            origin = sources.of.get(entry["id"])
            if origin is not None:
                entry["origin"] = origin
        return dict(doc, groups=groups.table, sources=sources.table)


def _add_test_values(table, objects):
    """Give each entry a ``test_value`` (``{dtype, shape}``) when the graph has test values.

    Only graphs built with test values get them: a variable whose own tag holds
    one (set by the user, or computed under ``config.compute_test_value``) turns
    them on, and then every node with a test value (constants and shared
    variables included) is described. Reading them creates no tag.
    """
    def own(var):
        tag = var.__dict__.get("_tag")
        return tag is not None and tag.__dict__.get("test_value") is not None

    def variable_of(obj):
        if isinstance(obj, Variable):
            return obj
        return obj.outputs[0] if len(obj.outputs) == 1 else None

    variables = {key: variable_of(objects[int(key)]) for key in table}
    if not any(var is not None and own(var) for var in variables.values()):
        return
    from symlab.graph.test_value import test_value_info  # the graph layer, read lazily
    for key, var in variables.items():
        info = None if var is None else test_value_info(var)
        if info is not None:
            table[key]["test_value"] = info
        outputs = table[key].get("outputs")
        if outputs is not None:
            node = objects[int(key)]
            for entry, out in zip(outputs, node.outputs):
                out_info = test_value_info(out)
                if out_info is not None:
                    entry["test_value"] = out_info


# ---------------------------------------------------------------- groups

class _Sources:
    """The document's ``sources``: ``[file, line, text]`` of each user line where nodes
    were made (``node.origins``), and the index of each node's first one."""

    def __init__(self):
        self.table, self.index, self.of = [], {}, {}

    def add(self, node_id, origin):
        key = (str(origin[0]), int(origin[1]))
        k = self.index.get(key)
        if k is None:
            k = self.index[key] = len(self.table)
            self.table.append([key[0], key[1], linecache.getline(*key).strip()])
        self.of[node_id] = k
        return k


class _Groups:
    """The document's ``groups`` (docs/json-graph.md, "Groups").

    In ``before``: one group per user line that made nodes (``node.origins``),
    in order; inside it, one group per named variable, holding the named node
    and the unnamed nodes of the same line it alone reads; more than
    MAX_CHILD_GROUPS of those are wrapped in runs. A leaf joins the group of
    its first reader. A node a rewrite made joins the group of the node it
    replaced (or of the first node its event removed); a rebuilt node its
    original's group.
    """

    def __init__(self, document):
        self.doc = document
        self.table = []
        self.of = {}            # node id -> innermost group id

    def _new(self, label, kind, parent, origin=None):
        gid = f"g{len(self.table)}"
        self.table.append({"id": gid, "label": label, "kind": kind, "parent": parent,
                           "source": origin})
        return gid

    def build(self):
        doc, sources = self.doc, _Sources()
        if doc.before is None:
            return self, sources
        objects = doc.objects
        applies = [objects[i] for i in doc.before["nodes"]
                   if not isinstance(objects[i], Variable)]
        by_line, line_of = {}, {}
        for node in applies:
            origins = getattr(node, "origins", ()) or ()
            if not origins:
                continue
            k = sources.add(node.id, origins[0])
            line_of[node.id] = k
            by_line.setdefault(k, []).append(node)
        for k, nodes in by_line.items():
            _, line, text = sources.table[k]
            if len(text) > GROUP_LABEL_CHARS:
                text = text[:GROUP_LABEL_CHARS - 1] + "\u2026"
            gid = self._new(f"{text or '?'} (line {line})", "line", None, k)
            for node in nodes:
                self.of[node.id] = gid
            self._variables(gid, k, nodes, line_of)
        for node in applies:
            for var in node.inputs:
                if doc._is_leaf(var) and var.id not in self.of and node.id in self.of:
                    self.of[var.id] = self.of[node.id]
        self._follow_events()
        for node_id, obj in objects.items():
            origins = () if isinstance(obj, Variable) else (getattr(obj, "origins", ()) or ())
            if origins and node_id not in sources.of:
                sources.add(node_id, origins[0])
        return self, sources

    def _variables(self, line_group, line, nodes, line_of):
        """The named-variable groups inside one line's group."""
        claimed, named = set(), []
        for node in nodes:
            name = node.outputs[0].name if len(node.outputs) == 1 else None
            if name is None:
                continue
            members, stack = [node.id], [node]
            claimed.add(node.id)
            while stack:
                for var in stack.pop().inputs:
                    owner = var.owner
                    if owner is None or self.doc._is_leaf(var) or owner.id in claimed \
                            or line_of.get(owner.id) != line or owner.outputs[0].name:
                        continue
                    claimed.add(owner.id)
                    members.append(owner.id)
                    stack.append(owner)
            named.append((name, members))
        if len(named) <= 1:
            return
        parents = [line_group] * len(named)
        if len(named) > MAX_CHILD_GROUPS:
            size = -(-len(named) // MAX_CHILD_GROUPS)
            for start in range(0, len(named), size):
                run = named[start:start + size]
                label = run[0][0] if len(run) == 1 else f"{run[0][0]} \u2026 {run[-1][0]}"
                chunk = self._new(label, "run", line_group)
                parents[start:start + size] = [chunk] * len(run)
        for (name, members), parent in zip(named, parents):
            gid = self._new(name, "variable", parent)
            for node_id in members:
                self.of[node_id] = gid

    def _follow_events(self):
        """Groups for the nodes the events add (see the class docstring)."""
        for event in self.doc.events:
            for old, new in event["rebuilt"]:
                if old in self.of:
                    self.of[new] = self.of[old]
            fallback = next((self.of[i] for i in event["removed"] if i in self.of), None)
            for old, _ in event["pairs"]:
                if old[0] in self.of:
                    fallback = self.of[old[0]]
                    break
            if fallback is None:
                continue
            for node_id in event["added"]:
                self.of.setdefault(node_id, fallback)


# ---------------------------------------------------------------- version 3: compact

def id_runs(ids):
    """An id list with every run of ``MIN_RUN`` or more evenly spaced ids written as
    ``[first, step, count]`` (``read_ids`` reads it back)."""
    ids = list(ids)
    out, i, n = [], 0, len(ids)
    while i < n:
        j = i + 1
        if j < n:
            step = ids[j] - ids[i]
            while j + 1 < n and ids[j + 1] - ids[j] == step:
                j += 1
            if j - i + 1 >= MIN_RUN:
                out.append([ids[i], step, j - i + 1])
                i = j + 1
                continue
        out.append(ids[i])
        i += 1
    return out


def read_ids(items):
    """The plain id list of a list that may hold ``[first, step, count]`` runs."""
    ids = []
    for item in items:
        if isinstance(item, list):
            first, step, count = item
            ids.extend(range(first, first + step * count, step) if step else [first] * count)
        else:
            ids.append(item)
    return ids


def _implied_outputs(outputs, event):
    """The outputs after ``event`` as its pairs and rebuilt nodes imply them (each value
    replaced by its pair's partner, else its node renamed if rebuilt)."""
    replaced = {(old[0], old[1]): tuple(new) for old, new in event.get("pairs", [])}
    renamed = dict(event.get("rebuilt", []))
    return [replaced.get((node, index), (renamed.get(node, node), index))
            for node, index in outputs]


def _compact(doc):
    """The version-3 form of a version-2 document (the same graphs, written shorter)."""
    outputs = [tuple(o) for o in doc["before"]["outputs"]]
    events = []
    for event in doc["events"]:
        rebuilt = event.get("rebuilt", [])
        implied = _implied_outputs(outputs, event)
        for position, node, index in event["outputs"]:
            outputs[position] = (node, index)
        changes = [[p, n, i] for p, (n, i) in enumerate(outputs) if implied[p] != (n, i)]
        events.append(dict(
            event,
            removed=id_runs(event["removed"]),
            added=id_runs(event["added"]),
            rebuilt={"old": id_runs(o for o, _ in rebuilt), "new": id_runs(n for _, n in rebuilt)},
            outputs=changes))
    return dict(doc, version=COMPACT_VERSION, events=events)


def _read_compact_event(event, outputs):
    """A version-3 event written out as version 2 (``outputs``: the outputs before it)."""
    rebuilt_field = event.get("rebuilt") or {"old": [], "new": []}
    if not (isinstance(rebuilt_field, dict) and {"old", "new"} <= set(rebuilt_field)):
        raise ValueError(f"expand: event {event.get('index')} of a version 3 document: "
                         "rebuilt is not {\"old\": ids, \"new\": ids}")
    olds, news = read_ids(rebuilt_field["old"]), read_ids(rebuilt_field["new"])
    if len(olds) != len(news):
        raise ValueError(f"expand: event {event.get('index')} rebuilds {len(olds)} nodes "
                         f"into {len(news)}")
    rebuilt = [list(pair) for pair in zip(olds, news)]
    full = dict(event, rebuilt=rebuilt)
    implied = _implied_outputs(outputs, full)
    for position, node, index in event["outputs"]:
        implied[position] = (node, index)
    full["outputs"] = [[p, n, i] for p, (n, i) in enumerate(implied) if outputs[p] != (n, i)]
    full["removed"] = read_ids(event["removed"])
    full["added"] = read_ids(event["added"])
    return full, implied


def compact(doc):
    """The version-3 form of a version-2 document: every id list of an event with runs
    (``id_runs``), ``rebuilt`` as ``{"old": ids, "new": ids}`` and the output changes
    the event's pairs and rebuilt nodes imply left out of ``outputs``."""
    if doc.get("version") == COMPACT_VERSION:
        return doc
    return _compact(doc)


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
    if doc["version"] == COMPACT_VERSION:
        outputs, plain = [tuple(o) for o in doc["before"]["outputs"]], []
        for event in doc["events"]:
            event, outputs = _read_compact_event(event, outputs)
            plain.append(event)
        doc = dict(doc, version=FORMAT_VERSION, events=plain)
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
