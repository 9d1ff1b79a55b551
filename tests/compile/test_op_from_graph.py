"""OpFromGraph: a graph used as one op; values against NumPy, gradients against finite
differences."""

import pickle

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function, shared
from symlab.compile import OpFromGraph
from symlab.gradient import Rop
from symlab.graph.evaluate import evaluate
from symlab.printing import debugprint, to_json

rng = np.random.default_rng(7)


def numeric_gradient(fn, point, step=1e-6):
    """Central differences of the scalar ``fn`` at ``point``, element by element."""
    point = np.array(point, dtype="float64")
    result = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        up, down = point.copy(), point.copy()
        up[index] += step
        down[index] -= step
        result[index] = (float(fn(up)) - float(fn(down))) / (2 * step)
    return result


def gate_op():
    x, y = T.dmatrices("x", "y")
    return OpFromGraph([x, y], [T.tanh(x) * y + x], name="gate")


def gate(x, y):
    return np.tanh(x) * y + x


def test_values_compiled_and_in_the_reference_evaluator():
    op = gate_op()
    a, b = T.dmatrices("a", "b")
    z = op(a, b) * 2 + op(b, a)
    av, bv = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    expected = gate(av, bv) * 2 + gate(bv, av)
    np.testing.assert_allclose(function([a, b], z)(av, bv), expected, rtol=1e-12)
    np.testing.assert_allclose(evaluate(z, {a: av, b: bv}), expected, rtol=1e-12)
    assert symlab.OpFromGraph is OpFromGraph


def test_gradients_match_finite_differences():
    op = gate_op()
    a, b = T.dmatrices("a", "b")
    cost = T.sum(op(a, b) ** 2) + T.sum(op(b, a))
    ga, gb = T.grad(cost, [a, b])
    f_cost, f_grad = function([a, b], cost), function([a, b], [ga, gb])
    av, bv = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    got_a, got_b = f_grad(av, bv)
    np.testing.assert_allclose(got_a, numeric_gradient(lambda p: f_cost(p, bv), av), rtol=1e-6)
    np.testing.assert_allclose(got_b, numeric_gradient(lambda p: f_cost(av, p), bv), rtol=1e-6)
    gradient_ops = {n.op.name for n in symlab.graph.toposort([ga, gb])}
    assert "gate_grad" in gradient_ops


def test_several_outputs_and_a_shared_variable_inside():
    x = T.dvector("x")
    w = shared(np.array([0.5, -2.0, 1.5]), name="w")
    op = OpFromGraph([x], [T.sum(x * w), T.exp(x)], name="two")
    v = T.dvector("v")
    total, ex = op(v)
    assert op(v)[0].owner.inputs[-1] is w            # the shared variable: an implicit input
    vv = np.array([0.1, 0.2, -0.3])
    got = function([v], [total, ex])(vv)
    np.testing.assert_allclose(got[0], np.sum(vv * w.get_value()), rtol=1e-12)
    np.testing.assert_allclose(got[1], np.exp(vv), rtol=1e-12)
    cost = total ** 2 + T.sum(ex)
    gv, gw = T.grad(cost, [v, w])
    f_grad = function([v], [gv, gw])
    f_cost = function([v], cost)
    got_v, got_w = f_grad(vv)
    np.testing.assert_allclose(got_v, numeric_gradient(f_cost, vv), rtol=1e-6)
    wv = w.get_value()

    def cost_at_w(p):
        w.set_value(p)
        return f_cost(vv)

    expected_w = numeric_gradient(cost_at_w, wv)
    w.set_value(wv)
    np.testing.assert_allclose(got_w, expected_w, rtol=1e-6)


def test_an_output_an_input_cannot_change_is_disconnected():
    x, y = T.dvectors("x", "y")
    op = OpFromGraph([x, y], [x * 2, y.shape[0] * 1.0 + y * 0 + 1], name="mixed")
    node = op(x, y)[0].owner
    assert op.connection_pattern(node) == [[True, False], [False, True]]
    a, b = T.dvectors("a", "b")
    first, _ = op(a, b)
    with pytest.raises(symlab.gradient.DisconnectedInputError):
        T.grad(T.sum(first), b)


def test_rop_matches_finite_differences():
    op = gate_op()
    a, b, va = T.dmatrix("a"), T.dmatrix("b"), T.dmatrix("va")
    out = op(a, b)
    jvp = Rop(out, a, va)
    av, bv, vv = (rng.standard_normal((2, 2)) for _ in range(3))
    got = function([a, b, va], jvp)(av, bv, vv)
    f = function([a, b], out)
    step = 1e-6
    numeric = (f(av + step * vv, bv) - f(av - step * vv, bv)) / (2 * step)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-9)
    assert "gate_rop" in {n.op.name for n in symlab.graph.toposort([jvp])}


def test_it_prints_as_one_node_with_its_inner_graph():
    op = gate_op()
    a, b = T.dmatrices("a", "b")
    text = debugprint(op(a, b), file="str")
    assert text.splitlines()[:3] == ["gate [id A]", " |a [id B]", " |b [id C]"]
    assert "Inner graphs:" in text and " > | | |x [id G] -> [id B]" in text
    entry = to_json(op(a, b))["nodes"]
    (node,) = [n for n in entry.values() if n["op"] == "gate"]
    assert node["inner"][0]["role"] == "body"
    assert node["inner"][0]["outer_inputs"] == [0, 1]


def test_inline_expands_the_graph_where_it_is_called():
    x = T.dvector("x")
    op = OpFromGraph([x], [T.exp(x) + 1], inline=True)
    v = T.dvector("v")
    y = op(v)
    assert y.owner.op.name == "add"
    np.testing.assert_allclose(function([v], y)(np.array([0.0, 1.0])), np.exp([0.0, 1.0]) + 1)


def test_a_compiled_function_using_it_pickles():
    op = gate_op()
    a, b = T.dmatrices("a", "b")
    f = function([a, b], [op(a, b), T.grad(T.sum(op(a, b)), a)])
    loaded = pickle.loads(pickle.dumps(f))
    av, bv = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    for got, want in zip(loaded(av, bv), f(av, bv)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_bad_graphs_are_refused_when_built():
    x, y = T.dvectors("x", "y")
    with pytest.raises(ValueError, match="depend on y .*not among the inputs"):
        OpFromGraph([x], [x + y])
    with pytest.raises(TypeError, match="inputs\\[0\\] must be a symbolic variable"):
        OpFromGraph([T.constant(1.0)], [x])
    op = OpFromGraph([x], [x * 2])
    with pytest.raises(TypeError, match="input 0 \\(m\\) has type"):
        op(T.dmatrix("m"))
    with pytest.raises(TypeError, match="grad_overrides must be 'default' or a function"):
        OpFromGraph([x], [x * 2], grad_overrides=3)


def test_grad_overrides_replace_the_inner_gradient():
    x = T.dvector("x")
    op = OpFromGraph([x], [x * 2], grad_overrides=lambda inputs, grads: [grads[0] * 10])
    v = T.dvector("v")
    g = T.grad(T.sum(op(v)), v)
    np.testing.assert_array_equal(function([v], g)(np.ones(2)), [10.0, 10.0])
