"""FunctionGraph patches its index after a replacement: it must equal a rebuild from scratch.

Random graphs of elementwise nodes get random sequences of replacements (by
new nodes, by variables already in the graph, by variables downstream of
the replaced one, several pairs at once, outputs too). After each one the
patched index is compared with a ``FunctionGraph`` built from scratch on the
same inputs and outputs: the node order (exactly ``toposort``'s, not just
a valid one), the node set, every client list in order, the variables, and
the ids reported to listeners. Examples come from the suite's fixed
hypothesis profile (tests/conftest.py). Graphs this small are normally
rebuilt, not patched: the tests lower that size limit to zero.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symlab.tensor as T
from symlab.graph import FunctionGraph, toposort
from symlab.graph import fgraph as fgraph_module


@pytest.fixture(autouse=True, scope="module")
def patch_graphs_of_any_size():
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(fgraph_module, "_PATCH_MIN_NODES", 0)
        yield


UNARY = [T.sin, T.exp, T.neg, lambda v: v * 2.0, lambda v: v + 1.0]
BINARY = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b]


class Events:
    """Listener keeping (removed, added) of each replacement."""

    def __init__(self):
        self.events = []

    def on_replace(self, fgraph, pairs, reason, removed, added):
        self.events.append((removed, added))


def random_expression(draw, pool):
    if draw(st.booleans()):
        return draw(st.sampled_from(UNARY))(draw(st.sampled_from(pool)))
    return draw(st.sampled_from(BINARY))(draw(st.sampled_from(pool)), draw(st.sampled_from(pool)))


def random_graph(draw, max_nodes=40):
    x, y, z = T.dvectors("x", "y", "z")
    pool = [x, y, z]
    for _ in range(draw(st.integers(1, max_nodes))):
        pool.append(random_expression(draw, pool))
    computed = pool[3:]
    outputs = draw(st.lists(st.sampled_from(computed), min_size=1, max_size=5))
    if draw(st.booleans()):
        outputs.append(draw(st.sampled_from([x, y])))      # an input as an output
    return [x, y, z], outputs


def random_pairs(draw, fgraph):
    """One or two (old, new) pairs on variables computed in ``fgraph``."""
    computed = [v for v in fgraph.variables if v.owner is not None]
    if not computed:
        return []
    everything = [v for v in fgraph.variables if v.type == computed[0].type]
    pairs = []
    for _ in range(draw(st.integers(1, 2))):
        old = draw(st.sampled_from(computed))
        kind = draw(st.sampled_from(["new node", "in the graph", "reordered inputs"]))
        if kind == "in the graph":
            new = draw(st.sampled_from(everything))          # may depend on old itself
        elif kind == "reordered inputs" and len(old.owner.inputs) == 2:
            a, b = old.owner.inputs
            new = old.owner.op(b, a) if a.type == b.type else random_expression(draw, everything)
        else:
            new = random_expression(draw, everything)
        if new.type == old.type:
            pairs.append((old, new))
    return pairs


def check_index(fgraph, before, removed, added):
    """The patched index of ``fgraph`` equals one built from scratch."""
    fresh = FunctionGraph(fgraph.inputs, fgraph.outputs)
    assert fgraph.apply_nodes == fresh.apply_nodes
    assert fgraph.apply_nodes == toposort(fgraph.outputs, stop_at=fgraph.inputs)
    assert set(fgraph.apply_nodes) == set(fresh.apply_nodes)
    assert all(node in fgraph for node in fresh.apply_nodes)
    assert not any(node in fgraph for node in before if node not in fresh.apply_nodes)
    assert fgraph.clients == fresh.clients            # every list in order
    assert fgraph.variables == fresh.variables
    seen = set()
    for node in fgraph.apply_nodes:                   # inputs computed first
        assert all(v.owner is None or v.owner in seen or v in fgraph.inputs
                   for v in node.inputs)
        seen.add(node)
    after_ids = {n.id for n in fgraph.apply_nodes}
    before_ids = {n.id for n in before}
    assert removed == [n.id for n in before if n.id not in after_ids]
    assert added == [n.id for n in fgraph.apply_nodes if n.id not in before_ids]


@given(st.data())
def test_patched_index_equals_a_rebuild(data):
    inputs, outputs = random_graph(data.draw)
    fgraph = FunctionGraph(inputs, outputs)
    listener = Events()
    fgraph.attach_listener(listener)
    for _ in range(data.draw(st.integers(1, 8))):
        pairs = random_pairs(data.draw, fgraph)
        if not pairs:
            continue
        before = fgraph.toposort()
        count = len(listener.events)
        fgraph.replace_all(pairs, reason="test")
        removed, added = listener.events[-1] if len(listener.events) > count else ([], [])
        check_index(fgraph, before, removed, added)


def wide_graph(branches):
    """``branches`` independent short chains summed by a balanced tree of adds."""
    x = T.dvector("x")
    terms = [T.sin(x * (1.0 + k)) + x for k in range(branches)]
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i]
                 for i in range(0, len(terms), 2)]
    return x, terms[0]


def test_local_replacements_patch_instead_of_rebuilding(monkeypatch):
    x, out = wide_graph(16)
    fgraph = FunctionGraph([x], [out])
    calls = {"patched": 0, "rebuilt": 0}
    patch, rebuild = FunctionGraph._patch, FunctionGraph._rebuild_after_replace

    def counting_patch(self, *args):
        result = patch(self, *args)
        calls["patched"] += result is not None
        return result

    def counting_rebuild(self):
        calls["rebuilt"] += 1
        return rebuild(self)

    monkeypatch.setattr(FunctionGraph, "_patch", counting_patch)
    monkeypatch.setattr(FunctionGraph, "_rebuild_after_replace", counting_rebuild)
    listener = Events()
    fgraph.attach_listener(listener)
    sines = [n for n in fgraph.apply_nodes if n.op.name == "sin"]
    for node in sines:                       # sin(x * c) -> exp(x * c), branch by branch
        before = fgraph.toposort()
        fgraph.replace(node.outputs[0], T.exp(node.inputs[0]), reason="test")
        check_index(fgraph, before, *listener.events[-1])
    assert calls == {"patched": len(sines), "rebuilt": 0}


def test_large_replacements_rebuild_and_agree():
    x = T.dvector("x")
    y = x
    for _ in range(20):
        y = T.sin(y) + x
    fgraph = FunctionGraph([x], [y])
    listener = Events()
    fgraph.attach_listener(listener)
    first = fgraph.apply_nodes[0]             # the chain's first node: everything is downstream
    before = fgraph.toposort()
    fgraph.replace(first.outputs[0], T.exp(x), reason="test")
    check_index(fgraph, before, *listener.events[-1])


def test_an_input_computed_by_a_node_stops_the_walk():
    x = T.dvector("x")
    a = T.exp(x)
    b = T.sin(a) + a
    fgraph = FunctionGraph([x, a], [b, T.neg(x)])
    assert [n.op.name for n in fgraph.apply_nodes] == ["sin", "add", "neg"]
    listener = Events()
    fgraph.attach_listener(listener)
    before = fgraph.toposort()
    fgraph.replace(b.owner.inputs[0], T.cos(a), reason="test")
    check_index(fgraph, before, *listener.events[-1])


@pytest.mark.parametrize("misjudged", ["the node feeding the replacement",
                                       "a node of another branch"])
def test_a_misjudged_patch_is_caught_and_the_index_rebuilt(monkeypatch, misjudged):
    """A patch believing a node left while it is still used gives up; the index is rebuilt."""
    x, out = wide_graph(8)
    fgraph = FunctionGraph([x], [out])
    listener = Events()
    fgraph.attach_listener(listener)
    sines = [n for n in fgraph.apply_nodes if n.op.name == "sin"]
    node = sines[-1]
    wrong = node.inputs[0].owner if misjudged.startswith("the node") else sines[0]
    real = FunctionGraph._nodes_that_left
    monkeypatch.setattr(FunctionGraph, "_nodes_that_left",
                        lambda self, *args: real(self, *args) | {wrong})
    patch = FunctionGraph._patch
    results = []
    monkeypatch.setattr(FunctionGraph, "_patch",
                        lambda self, *args: results.append(patch(self, *args)) or results[-1])
    before = fgraph.toposort()
    fgraph.replace(node.outputs[0], T.exp(node.inputs[0]), reason="test")
    assert results == [None]
    check_index(fgraph, before, *listener.events[-1])
