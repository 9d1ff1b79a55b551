"""to_json: the graph and trace as data, checked against hand-written documents and graph_at."""

import json

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function, shared
from symlab.graph.basic import Apply, Op
from symlab.compile.mode import Mode
from symlab.printing import expand, to_json, to_json_text
from symlab.tensor.type import TensorType

MIME = "application/vnd.symlab.graph+json"
VECTOR = "TensorType(float64, (?,))"


# ---------------------------------------------------------------- helpers (independent of to_json)

def expected_graph(fgraph):
    """Node ids, edges and outputs of a FunctionGraph, computed from its objects."""
    inputs = set(fgraph.inputs)

    def key(var):
        return (var.id, 0) if var in inputs or var.owner is None else (var.owner.id, var.index)

    nodes = {n.id for n in fgraph.apply_nodes}
    nodes |= {v.id for v in fgraph.variables if v in inputs or v.owner is None}
    edges = {(key(v)[0], n.id, i, key(v)[1])
             for n in fgraph.apply_nodes for i, v in enumerate(n.inputs)}
    return nodes, edges, [key(v) for v in fgraph.outputs]


def replay(doc, k):
    """The graph after k events, rebuilt the way docs/json-graph.md tells a front end to."""
    nodes = set(doc["before"]["nodes"])
    edges = {tuple(e) for e in doc["before"]["edges"]}
    outputs = [tuple(o) for o in doc["before"]["outputs"]]
    for event in doc["events"][:k]:
        replaced = {tuple(old): tuple(new) for old, new in event["pairs"]}
        renamed = dict(event.get("rebuilt", []))
        for source, target, position, index in list(edges):
            if target in renamed:
                new_source = replaced.get((source, index), (renamed.get(source, source), index))
                edges.add((new_source[0], renamed[target], position, new_source[1]))
        gone = set(event["removed"])
        nodes -= gone
        edges = {e for e in edges if e[0] not in gone and e[1] not in gone}
        nodes |= set(event["added"])
        edges |= {tuple(e) for e in event["edges"]}
        for position, node, index in event["outputs"]:
            outputs[position] = (node, index)
    return nodes, edges, outputs


def as_graph(section):
    return (set(section["nodes"]), {tuple(e) for e in section["edges"]},
            [tuple(o) for o in section["outputs"]])


def plain_types_only(value):
    """True if ``value`` holds only dict/list/str/int/bool/None (exact types, no NumPy)."""
    if isinstance(value, dict):
        return all(type(k) is str and plain_types_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain_types_only(v) for v in value)
    return value is None or type(value) in (str, int, bool)


# ---------------------------------------------------------------- hand-written documents

def test_x_plus_one_by_hand():
    x = T.dvector("x")
    y = x + 1
    add, one = y.owner, y.owner.inputs[1]
    assert to_json(y) == {
        "version": 2,
        "name": None,
        "nodes": {
            str(add.id): {"id": add.id, "kind": "apply", "op": "add", "label": None,
                          "type": VECTOR, "dtype": "float64", "shape": [None], "value": None},
            str(x.id): {"id": x.id, "kind": "input", "op": None, "label": "x",
                        "type": VECTOR, "dtype": "float64", "shape": [None], "value": None},
            str(one.id): {"id": one.id, "kind": "constant", "op": None, "label": None,
                          "type": "TensorType(int8, ())", "dtype": "int8", "shape": [],
                          "value": "1"},
        },
        "before": {
            "inputs": [x.id],
            "nodes": [x.id, one.id, add.id],
            "edges": [[x.id, add.id, 0, 0], [one.id, add.id, 1, 0]],
            "outputs": [[add.id, 0]],
        },
        "after": None,
        "events": [],
        "updates": [],
    }


def test_op_text_and_label_as_debugprint_shows_them():
    x = T.fmatrix("x")
    z = T.cast(T.nnet.softplus(x), "float64")
    z.name = "z"
    nodes = to_json(z)["nodes"]
    cast, soft = z.owner, z.owner.inputs[0].owner
    assert (nodes[str(cast.id)]["op"], nodes[str(cast.id)]["label"]) == ("cast{float64}", "z")
    assert (nodes[str(soft.id)]["op"], nodes[str(soft.id)]["label"]) == ("softplus", None)
    assert nodes[str(soft.id)]["type"] == "TensorType(float32, (?, ?))"
    assert nodes[str(cast.id)]["shape"] == [None, None]


def test_static_shape_and_leaf_kinds():
    r = TensorType("float32", (np.int64(2), 1))("r")
    w = shared(np.zeros((2, 3)), name="w")
    out = T.dot(r, T.ones((1, 3), dtype="float32")) + w
    doc = to_json(out)
    assert doc["nodes"][str(r.id)]["shape"] == [2, 1]
    assert doc["nodes"][str(r.id)]["kind"] == "input"
    assert doc["nodes"][str(w.id)]["kind"] == "shared"
    assert doc["nodes"][str(w.id)]["shape"] == [None, None]
    # A shared variable is a leaf, not a free input of a bare expression.
    assert doc["before"]["inputs"] == [r.id]
    assert plain_types_only(doc)


def test_constant_and_shared_value_summaries():
    x = T.dvector("x")
    c = T.constant(np.array([1.5, np.nan, -np.inf]))
    big = T.constant(np.arange(100.0).reshape(10, 10))
    w = shared(np.array([1.0, 2.0]), name="w")
    f = function([x], [x * c, big.sum() + w.sum()], updates=[(w, w * 2)], mode="NO_REWRITES")
    doc = to_json(f)
    assert doc["nodes"][str(c.id)]["value"] == "[ 1.5,  nan, -inf]"
    assert doc["nodes"][str(big.id)]["value"] == "float64 10x10, min 0, max 99"
    assert doc["nodes"][str(w.id)]["value"] == "[1., 2.]"
    assert doc["nodes"][str(x.id)]["value"] is None
    # Non-finite values travel as text: strict JSON accepts the document.
    assert json.loads(to_json_text(f)) == doc
    # The summary is a snapshot of the value when to_json runs.
    f(np.ones(3))
    assert to_json(f)["nodes"][str(w.id)]["value"] == "[2., 4.]"


def test_function_outputs_and_updates():
    w = shared(np.array([1.0, 2.0]), name="w")
    x = T.dvector("x")
    f = function([x], [(w * x).sum(), x + 1], updates=[(w, w - x)], name="step")
    doc = to_json(f)
    assert doc["name"] == "step"
    assert doc["updates"] == [[2, w.id]]
    assert doc["before"]["inputs"] == [x.id, w.id]
    update_node = f.graph_after.outputs[2].owner
    assert doc["after"]["outputs"][2] == [update_node.id, 0]
    assert doc["nodes"][str(update_node.id)]["op"] == "sub"


def test_user_names_pass_through_as_data():
    name = '<b onclick="alert(1)">x</b> & \'y\' \\ {z}'
    x = T.dscalar(name)
    y = T.exp(x)
    y.name = "</script>\"quoted\""
    doc = to_json(y)
    assert doc["nodes"][str(x.id)]["label"] == name
    assert doc["nodes"][str(y.owner.id)]["label"] == "</script>\"quoted\""
    assert json.loads(json.dumps(doc)) == doc


def test_a_node_with_two_outputs():
    class SplitSign(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type, TensorType("bool", x.type.shape)])

    x = T.dvector("x")
    magnitude, negative = SplitSign()(x)
    negative.name = "neg"
    out = magnitude * T.cast(negative, "float64")
    split = magnitude.owner
    doc = to_json(out)
    entry = doc["nodes"][str(split.id)]
    assert entry["op"] == "splitsign"
    assert entry["outputs"] == [
        {"label": None, "type": VECTOR, "dtype": "float64", "shape": [None]},
        {"label": "neg", "type": "TensorType(bool, (?,))", "dtype": "bool", "shape": [None]},
    ]
    cast = out.owner.inputs[1].owner
    assert [split.id, out.owner.id, 0, 0] in doc["before"]["edges"]
    assert [split.id, cast.id, 0, 1] in doc["before"]["edges"]
    assert "outputs" not in doc["nodes"][str(cast.id)]


def test_rejects_what_has_no_graph():
    with pytest.raises(TypeError, match="to_json: expected"):
        to_json(3.0)
    with pytest.raises(TypeError, match="to_json: expected"):
        to_json([T.dscalar("a"), "b"])


# ---------------------------------------------------------------- the trace

def several_events():
    x = T.dvector("x")
    f = function([x], T.log(T.exp(x)) * 1 + 0)
    assert len(f.trace) >= 3
    return x, f


def test_every_step_is_rebuilt_from_before_and_events():
    x, f = several_events()
    doc = json.loads(to_json_text(f))
    for k in range(len(f.trace) + 1):
        assert replay(doc, k) == expected_graph(f.graph_at(k)), f"step {k}"
    assert as_graph(doc["before"]) == expected_graph(f.graph_before)
    assert as_graph(doc["after"]) == expected_graph(f.graph_after)
    assert replay(doc, len(f.trace)) == as_graph(doc["after"])


def test_events_by_hand():
    x, f = several_events()
    doc = to_json(f)
    before = f.graph_before.outputs[0].owner            # add(mul(log(exp(x)), 1), 0)
    mul = before.inputs[0].owner
    log = mul.inputs[0].owner
    one, zero = mul.inputs[1], before.inputs[1]
    first = doc["events"][0]
    assert (first["index"], first["pass"], first["rewrite"]) == (0, "canonicalize", "log_exp")
    assert first["pairs"] == [[[log.id, 0], [x.id, 0]]]
    assert first["removed"] == f.trace[0].removed       # no leaf left at this step
    assert first["added"] == f.trace[0].added
    last = doc["events"][-1]
    assert last["rewrite"] == "add_zero"
    assert last["outputs"] == [[0, x.id, 0]]            # the output is now x itself
    assert last["removed"] == f.trace[-1].removed + [zero.id]
    assert one.id in doc["events"][1]["removed"]        # mul_by_one drops the constant 1
    assert doc["after"] == {"inputs": [x.id], "nodes": [x.id], "edges": [],
                            "outputs": [[x.id, 0]]}


def test_a_leaf_that_joins_is_listed_as_added():
    x = T.dvector("x")
    zero = T.constant(0.0)
    f = function([x], x * T.exp(zero))
    doc = to_json(f)
    folded = [e for e in f.trace if e.rewrite == "constant_fold"]
    assert len(folded) == 1
    new_constant = folded[0].pairs[0][1]
    event = doc["events"][folded[0].index]
    assert event["added"] == folded[0].added + [new_constant.id]
    assert event["removed"] == folded[0].removed + [zero.id]
    assert doc["nodes"][str(new_constant.id)]["kind"] == "constant"
    assert doc["nodes"][str(new_constant.id)]["value"] == "1.0"
    for k in range(len(f.trace) + 1):
        assert replay(doc, k) == expected_graph(f.graph_at(k))


def test_ids_are_stable_and_all_known():
    w = shared(np.array([1.0, 2.0]), name="w")
    x = T.dvector("x")
    f = function([x], [T.log(T.exp(x)) * 1, (x * 0 + w).sum()], updates=[(w, w * 1 + x)])
    doc = to_json(f)
    assert len(doc["events"]) >= 3
    derived = {new for event in doc["events"] for _, new in event["rebuilt"]}
    assert derived, "this function's trace rebuilds nodes"
    assert not derived & {int(k) for k in doc["nodes"]}
    known = {int(k) for k in doc["nodes"]} | derived
    assert all(int(k) == v["id"] for k, v in doc["nodes"].items())
    mentioned = set(doc["before"]["nodes"]) | set(doc["after"]["nodes"])
    for event in doc["events"]:
        mentioned |= {n for pair in event["rebuilt"] for n in pair}
        mentioned |= set(event["removed"]) | set(event["added"])
        mentioned |= {n for e in event["edges"] for n in e[:2]}
        mentioned |= {n for pair in event["pairs"] for n, _ in pair}
    assert mentioned <= known
    # The same objects keep their ids in before, events and after.
    assert x.id in doc["before"]["nodes"] and x.id in doc["after"]["nodes"]
    assert doc["before"]["inputs"] == doc["after"]["inputs"] == [x.id, w.id]
    for k, event in enumerate(doc["events"]):
        present = replay(doc, k)[0]
        assert set(event["removed"]) <= present
        assert not set(event["added"]) & present
        assert {pair[0][0] for pair in event["pairs"]} <= present
    for k in range(len(f.trace) + 1):
        assert replay(doc, k) == expected_graph(f.graph_at(k))


def test_size_grows_linearly_with_the_trace():
    def sizes(n):
        xs = [T.dvector(f"x{i}") for i in range(n)]
        f = function(xs, [T.log(T.exp(x)) * 1 for x in xs])
        assert len(f.trace) >= 2 * n
        doc = to_json(f)
        return len(json.dumps(doc)), len(json.dumps(doc["events"])) / len(f.trace)

    (whole_10, per_event_10), (whole_40, per_event_40) = sizes(10), sizes(40)
    # Each event touches one output's small subgraph: its record must not grow with the
    # graph (as a copy of the graph, or of every output, per event would).
    assert per_event_40 / per_event_10 < 1.3
    assert whole_40 / whole_10 < 5


def test_a_function_graph_has_no_after_and_no_events():
    x, f = several_events()
    doc = to_json(f.graph_before)
    assert doc["after"] is None and doc["events"] == [] and doc["updates"] == []
    assert as_graph(doc["before"]) == expected_graph(f.graph_before)


def test_json_round_trip_of_a_function():
    x, f = several_events()
    doc = to_json(f)
    assert plain_types_only(doc)
    assert json.loads(json.dumps(doc)) == doc
    assert json.loads(to_json_text(f, indent=2)) == doc


# ---------------------------------------------------------------- rich display

def test_mimebundle_carries_the_json_graph():
    x = T.dvector("x")
    y = T.exp(x)
    bundle = y._repr_mimebundle_()
    assert set(bundle) == {"text/plain", MIME}
    assert bundle[MIME] == to_json(y)
    assert y._repr_mimebundle_(include=[MIME]) == {MIME: to_json(y)}
    assert set(y._repr_mimebundle_(exclude=[MIME])) == {"text/plain"}
    assert y._repr_mimebundle_(exclude=[MIME, "text/plain"]) == {}


def test_mimebundle_of_a_function_has_its_trace():
    x, f = several_events()
    bundle = f._repr_mimebundle_()
    assert set(bundle) == {"text/plain", MIME}
    assert bundle[MIME] == to_json(f)
    assert len(bundle[MIME]["events"]) == len(f.trace)
    assert set(f._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}


def test_the_worked_example_of_the_docs():
    # docs/json-graph.md shows this document with ids 1, 3, 4, 6 (a fresh process).
    x = T.dvector("x")
    y = T.exp(x) * 1
    y.name = "y"
    f = function([x], y, name="f")
    mul = y.owner
    exp, one = mul.inputs[0].owner, mul.inputs[1]
    i = {1: x.id, 3: exp.id, 4: one.id, 6: mul.id}
    vector = {"type": VECTOR, "dtype": "float64", "shape": [None], "value": None}
    assert to_json(f) == {
        "version": 2,
        "name": "f",
        "nodes": {
            str(i[1]): {"id": i[1], "kind": "input", "op": None, "label": "x", **vector},
            str(i[6]): {"id": i[6], "kind": "apply", "op": "mul", "label": "y", **vector},
            str(i[3]): {"id": i[3], "kind": "apply", "op": "exp", "label": None, **vector},
            str(i[4]): {"id": i[4], "kind": "constant", "op": None, "label": None,
                        "type": "TensorType(int8, ())", "dtype": "int8", "shape": [],
                        "value": "1"},
        },
        "before": {"inputs": [i[1]], "nodes": [i[1], i[3], i[4], i[6]],
                   "edges": [[i[1], i[3], 0, 0], [i[3], i[6], 0, 0], [i[4], i[6], 1, 0]],
                   "outputs": [[i[6], 0]]},
        "after": {"inputs": [i[1]], "nodes": [i[1], i[3]], "edges": [[i[1], i[3], 0, 0]],
                  "outputs": [[i[3], 0]]},
        "events": [{"index": 0, "pass": "canonicalize", "rewrite": "mul_by_one",
                    "pairs": [[[i[6], 0], [i[3], 0]]], "removed": [i[6], i[4]], "added": [],
                    "rebuilt": [], "edges": [], "outputs": [[0, i[3], 0]]}],
        "updates": [],
    }


def test_an_unused_input_stays_in_every_graph():
    x, unused = T.dvector("x"), T.dscalar("unused")
    f = function([x, unused], T.exp(x) * 1, on_unused_input="ignore")
    doc = to_json(f)
    assert doc["before"]["inputs"] == [x.id, unused.id]
    assert doc["before"]["nodes"][:2] == [x.id, unused.id]
    assert unused.id in doc["after"]["nodes"]
    assert all(unused.id not in e["removed"] for e in doc["events"])
    for k in range(len(f.trace) + 1):
        assert replay(doc, k) == expected_graph(f.graph_at(k))


# ---------------------------------------------------------------- rebuilt nodes (version 2)

def test_nodes_rebuilt_downstream_are_listed_not_written_out():
    x = T.dvector("x")
    z = T.cos(T.sin(T.exp(x * 1)))
    f = function([x], z, mode=Mode(include=["canonicalize"], exclude=["fuse_elementwise",
                                                                      "inplace"]))
    event = next(e for e in f.trace if e.rewrite == "mul_by_one")
    exp_old = z.owner.inputs[0].owner.inputs[0].owner
    sin_old, cos_old = z.owner.inputs[0].owner, z.owner
    mul = exp_old.inputs[0].owner
    cos_new = f.graph_at(event.index + 1).outputs[0].owner
    sin_new = cos_new.inputs[0].owner
    exp_new = sin_new.inputs[0].owner
    record = to_json(f)["events"][event.index]
    assert record["pairs"] == [[[mul.id, 0], [x.id, 0]]]
    assert record["rebuilt"] == [[exp_old.id, exp_new.id], [sin_old.id, sin_new.id],
                                 [cos_old.id, cos_new.id]]
    assert record["edges"] == []                         # all three edges are derived
    doc = to_json(f)
    for new in (exp_new, sin_new, cos_new):
        assert str(new.id) not in doc["nodes"]
    full = expand(doc)
    assert full["nodes"][str(sin_new.id)] == dict(doc["nodes"][str(sin_old.id)], id=sin_new.id)
    assert sorted(full["events"][event.index]["edges"]) == sorted(
        [[x.id, exp_new.id, 0, 0], [exp_new.id, sin_new.id, 0, 0], [sin_new.id, cos_new.id, 0, 0]])


def test_a_rebuilt_node_keeps_a_differing_entry_written_out():
    # A new node whose entry differs from every node that left (another op here) is added
    # in full, with its edges, even where it stands in the place of a removed node.
    x = T.dvector("x")
    f = function([x], T.log(1 + T.exp(x)))
    doc = to_json(f)
    event = next(e for e in doc["events"] if e["rewrite"] == "softplus_from_log1p_exp")
    softplus = [n for n in event["added"] if n not in dict(event["rebuilt"]).values()]
    assert [doc["nodes"][str(n)]["op"] for n in softplus] == ["softplus"]
    assert [e[1] for e in event["edges"]] == softplus


def mlp_step(sizes=(6, 5, 4, 3)):
    X, t = T.dmatrix("X"), T.ivector("t")
    params, h = [], X
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W, b = shared(np.zeros((n_in, n_out)), name=f"W{k}"), shared(np.zeros(n_out), name=f"b{k}")
        params += [W, b]
        z = T.dot(h, W) + b
        h = T.tanh(z) if k < len(sizes) - 2 else T.nnet.softmax(z)
    cost = -T.mean(T.log(h)[T.arange(t.shape[0]), t]) + 1e-4 * sum((p ** 2).sum() for p in params)
    grads = T.grad(cost, params)
    return function([X, t], cost, updates=[(p, p - 0.1 * g) for p, g in zip(params, grads)])


def test_a_training_step_replays_exactly_and_expands_to_every_edge():
    f = mlp_step()
    doc = json.loads(to_json_text(f))
    assert sum(len(e["rebuilt"]) for e in doc["events"]) > 100
    full = expand(doc)
    for k in range(len(f.trace) + 1):
        expected = expected_graph(f.graph_at(k))
        assert replay(doc, k) == expected, f"step {k}"
        assert replay(dict(full, events=[dict(e, rebuilt=[]) for e in full["events"]]),
                      k) == expected, f"expanded, step {k}"
    for key, entry in full["nodes"].items():
        assert entry["id"] == int(key)
    objects = {n.id: n for k in range(len(f.trace) + 1) for n in f.graph_at(k).apply_nodes}
    for node_id, node in objects.items():
        assert full["nodes"][str(node_id)]["op"] == to_json(node.outputs)["nodes"][
            str(node_id)]["op"]


def test_expand_refuses_what_it_cannot_read():
    x = T.dvector("x")
    doc = to_json(function([x], T.cos(T.sin(T.exp(x * 1)))))
    with pytest.raises(ValueError, match="version 99"):
        expand(dict(doc, version=99))
    event = next(e for e in doc["events"] if e["rebuilt"])
    bad = dict(event, rebuilt=[[10 ** 9, event["rebuilt"][0][1]]])
    with pytest.raises(ValueError, match=f"rebuilds node {10 ** 9}, which has no entry"):
        expand(dict(doc, events=[bad if e is event else e for e in doc["events"]]))


def test_expand_reads_a_version_1_document():
    # Version 1 wrote every node out; it is version 2 with no rebuilt lists.
    x, f = several_events()
    doc = to_json(f)
    old = dict(expand(doc), version=1)
    old["events"] = [{k: v for k, v in e.items() if k != "rebuilt"} for e in old["events"]]
    again = expand(old)
    for k in range(len(f.trace) + 1):
        assert replay(again, k) == expected_graph(f.graph_at(k))
