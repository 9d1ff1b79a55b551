"""The graph IR: immutable nodes, traversal, cloning, FunctionGraph.replace, the evaluator."""

import numpy as np
import pytest

import symlab.tensor as T
from symlab.graph import FunctionGraph, ReplacementError, clone_replace, evaluate, toposort
from symlab.graph.traversal import ancestors, graph_inputs


def test_nodes_are_immutable():
    x = T.dscalar("x")
    y = T.exp(x)
    with pytest.raises(AttributeError, match="immutable"):
        y.owner.inputs = (x, x)
    with pytest.raises(AttributeError, match="immutable"):
        y.owner = None
    with pytest.raises(AttributeError, match="immutable"):
        y.type = x.type
    y.name = "y"                       # a name is metadata, and may be set
    assert str(y) == "y"


def test_ids_are_unique_and_increasing():
    x = T.dscalar()
    y = x + 1
    assert len({x.id, y.id, y.owner.id}) == 3
    assert y.owner.id > x.id


def test_toposort_puts_inputs_first_and_is_deterministic():
    x, y = T.dscalars("x", "y")
    a = x + y
    b = T.exp(a)
    c = a * b
    order = toposort([c])
    assert [n.op.name for n in order] == ["add", "exp", "mul"]
    assert toposort([c]) == order
    assert graph_inputs([c]) == [x, y]
    assert set(ancestors([c])) >= {x, y, a, b, c}


def test_clone_replace_shares_untouched_nodes():
    x, y, z = T.dscalars("x", "y", "z")
    a = T.exp(x)
    out = a + y
    (new,) = clone_replace([out], {y: z})
    assert new.owner.inputs[0] is a        # the exp node does not depend on y: shared
    assert new.owner.inputs[1] is z
    assert out.owner.inputs[1] is y        # the original graph is untouched
    assert evaluate(new, {x: 0.0, z: 2.0}) == 3.0


class Recorder:
    def __init__(self):
        self.events = []

    def on_replace(self, fgraph, pairs, reason, removed, added):
        self.events.append((reason, pairs, removed, added))


def test_fgraph_replace_rebuilds_downstream_and_reports_ids():
    x = T.dscalar("x")
    a = x * 1
    b = T.exp(a)
    fg = FunctionGraph([x], [b])
    rec = Recorder()
    fg.attach_listener(rec)
    old_mul, old_exp = a.owner, b.owner
    fg.replace(a, x, reason="mul_by_one")
    (new_out,) = fg.outputs
    assert new_out.owner.op == old_exp.op and new_out.owner.inputs == (x,)
    assert b.owner is old_exp and b.owner.inputs == (a,)   # nodes themselves never changed
    (reason, pairs, removed, added), = rec.events
    assert reason == "mul_by_one" and pairs == [(a, x)]
    assert sorted(removed) == sorted([old_mul.id, old_exp.id])
    assert added == [new_out.owner.id]
    assert fg.clients[x] == [(new_out.owner, 0)]
    assert a not in fg.clients


def test_fgraph_replace_needs_a_reason_and_a_fitting_type():
    x = T.dscalar("x")
    i = T.iscalar("i")
    y = T.exp(x)
    fg = FunctionGraph([x, i], [y])
    with pytest.raises(ValueError, match="name of the rewrite"):
        fg.replace(y, x, reason="")
    with pytest.raises(ReplacementError, match="float64.*int32"):
        fg.replace(x, i, reason="bad")


def test_fgraph_refuses_missing_inputs():
    x, y = T.dscalars("x", "y")
    with pytest.raises(ValueError, match="depend on y"):
        FunctionGraph([x], [x + y])


def test_reference_evaluator_uses_each_nodes_dtype():
    x = T.fscalar("x")
    y = x * 2.0 + 1
    value = evaluate(y, {x: 1.5})
    assert value.dtype == np.float32 and value == np.float32(4.0)
    a, b = T.dvectors("a", "b")
    out = evaluate([a + b, a * b], {a: [1.0, 2.0], b: [3.0, 4.0]})
    np.testing.assert_array_equal(out[0], [4.0, 6.0])
    np.testing.assert_array_equal(out[1], [3.0, 8.0])


def test_reference_evaluator_names_a_missing_input():
    x, y = T.dscalars("x", "y")
    with pytest.raises(ValueError, match="no value given for the input y"):
        evaluate(x + y, {x: 1.0})
