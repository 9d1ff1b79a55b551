"""A scan's inner graph in debugprint (Theano's layout) and in the JSON document."""

import json

import symlab
import symlab.tensor as T
from symlab import function
from symlab.printing import debugprint, expand, to_json, to_json_text

X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
hs, _ = symlab.scan(lambda x_t, h, W: T.tanh(T.dot(W, h) + x_t), sequences=X, outputs_info=h0,
                    non_sequences=W, name="rnn")


def test_debugprint_prints_the_inner_graph_under_the_scan_node():
    assert debugprint(hs, file="str") == """\
scan{rnn}.0 [id A]
 |subtensor{0} [id B]
 | |shape [id C]
 |   |X [id D]
 |X [id D]
 |h0 [id E]
 |W [id F]

Inner graphs:

scan{rnn} [id A]
 >tanh [id G]
 > |add [id H]
 >   |dot [id I]
 >   | |W [id J] -> [id F]
 >   | |h0[t-1] [id K] -> [id E]
 >   |X[t] [id L] -> [id D]
 >tanh [id G]
"""


def test_debugprint_of_a_function_shows_the_optimized_inner_graph():
    f = function([X, W, h0], hs)
    text = debugprint(f, file="str")
    inner = text.split("Inner graphs:")[1]
    assert " >fused{tanh(i0 + i1)}" in inner and "-> [id F]" in inner
    assert text.splitlines()[0].startswith("scan{rnn}.0 [id A]   ")   # its place in the order


def test_nested_inner_graphs_are_printed_too():
    def row(r):
        out, _ = symlab.scan(lambda e, acc: acc + e, sequences=r, outputs_info=T.dscalar("a0"),
                             name="inner")
        return out
    out, _ = symlab.scan(row, sequences=X, non_sequences=[], name="outer")
    text = debugprint(out, file="str")
    assert text.index("\nscan{outer} [id A]\n") < text.index("\nscan{inner} [id ")


def test_to_json_adds_the_inner_graph_to_the_scan_node():
    doc = to_json(hs)
    assert doc["version"] == 2
    (entry,) = [e for e in doc["nodes"].values() if e["op"] == "scan{rnn}"]
    (inner,) = entry["inner"]
    assert inner["role"] == "step"
    assert inner["outer_inputs"] == [1, 2, 3] and inner["outer_outputs"] == [0, 1]
    graph = inner["graph"]
    assert graph["after"] is None and graph["events"] == []
    ops = sorted(n["op"] for n in graph["nodes"].values() if n["kind"] == "apply")
    assert ops == ["add", "dot", "tanh"]
    labels = [graph["nodes"][str(i)]["label"] for i in graph["before"]["inputs"]]
    assert labels == ["X[t]", "h0[t-1]", "W"]
    json.loads(to_json_text(hs))


def test_a_compiled_functions_document_has_the_inner_trace():
    f = function([X, W, h0], hs)
    doc = to_json(f)
    optimized = [e for e in doc["nodes"].values()
                 if e["op"] == "scan{rnn}" and e["inner"][0]["graph"]["after"] is not None]
    assert optimized
    graph = optimized[0]["inner"][0]["graph"]
    rewrites = [event["rewrite"] for event in graph["events"]]
    assert "fuse_elementwise" in rewrites
    assert any(event["rewrite"] == "optimize_inner_graphs" for event in doc["events"])
    expand(doc)
    expand(graph)
    json.loads(to_json_text(f))
