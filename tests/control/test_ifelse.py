"""ifelse: only the chosen branch runs; values, gradients, errors; T.switch beside it."""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import Mode, function, shared
from symlab.gradient import grad, verify_grad
from symlab.graph.evaluate import evaluate
from symlab.ifelse import IfElse, ifelse
from symlab.printing import Print

rng = np.random.default_rng(7)


def ifelse_nodes(f):
    return [n for n in f.graph_after.toposort() if isinstance(n.op, IfElse)]


def test_only_the_chosen_branch_runs(capsys):
    # Theano's tutorial: ifelse is lazy, switch is not.
    a, b = T.dscalars("a", "b")
    x, y = T.dmatrices("x", "y")
    lazy = ifelse(T.lt(a, b), T.mean(Print("then")(x)), T.mean(Print("else")(y)))
    eager = T.switch(T.lt(a, b), T.mean(Print("then")(x)), T.mean(Print("else")(y)))
    f_lazy = function([a, b, x, y], lazy)
    f_eager = function([a, b, x, y], eager)
    ones, zeros = np.ones((3, 2)), np.zeros((3, 2))
    capsys.readouterr()
    assert f_lazy(1.0, 2.0, ones, zeros) == 1.0
    assert capsys.readouterr().out.splitlines()[0] == "then __str__ = [[1. 1.]"
    assert f_lazy(3.0, 2.0, ones, zeros) == 0.0
    printed = capsys.readouterr().out
    assert "else __str__" in printed and "then" not in printed
    assert f_eager(1.0, 2.0, ones, zeros) == 1.0
    printed = capsys.readouterr().out
    assert "then __str__" in printed and "else __str__" in printed


def test_a_branch_that_would_fail_is_never_computed():
    c = T.bscalar("c")
    x, A, B = T.dvector("x"), T.dmatrix("A"), T.dmatrix("B")
    out = ifelse(c, T.sum(x), T.sum(T.dot(A, B)))
    for mode in (None, "FAST_COMPILE"):
        f = function([c, x, A, B], out, mode=mode)
        # A is 2x3 and B 2x2: the else-branch's dot would raise if it ran
        assert f(1, np.arange(4.0), np.ones((2, 3)), np.ones((2, 2))) == 6.0
        with pytest.raises(ValueError, match="not aligned"):
            f(0, np.arange(4.0), np.ones((2, 3)), np.ones((2, 2)))
    assert "lazy_ifelse" in function([c, x, A, B], out).trace.rewrite_names()


def test_values_agree_with_the_reference_in_every_mode():
    c = T.iscalar("c")
    x = T.dvector("x")
    shared_part = T.exp(x)                      # used by both branches: computed once, outside
    out = ifelse(c, [shared_part * 2, T.sum(x)], [T.sin(shared_part), T.max(x)])
    xv = rng.standard_normal(5)
    for cv in (0, 3):
        expected = evaluate(out, {c: cv, x: xv})
        for mode in (None, "FAST_COMPILE", Mode(optimizer=None)):
            got = function([c, x], out, mode=mode)(cv, xv)
            for g, e in zip(got, expected):
                np.testing.assert_allclose(g, e, rtol=1e-15)
    f = function([c, x], out)
    (node,) = ifelse_nodes(f)
    then_graph, else_graph = node.op.inner_graphs()
    assert len(then_graph.inputs) == 2 and len(else_graph.inputs) == 2   # exp(x) and x


def test_nested_ifelse_is_lazy_at_both_levels(capsys):
    c1, c2 = T.bscalars("c1", "c2")
    x = T.dvector("x")
    inner = ifelse(c2, T.sum(Print("inner then")(x)), T.sum(Print("inner else")(x)))
    out = ifelse(c1, inner, T.sum(Print("outer else")(x)))
    f = function([c1, c2, x], out)
    capsys.readouterr()
    f(1, 0, np.ones(2))
    assert capsys.readouterr().out.split(" __str__")[0] == "inner else"
    f(0, 1, np.ones(2))
    assert capsys.readouterr().out.split(" __str__")[0] == "outer else"


def test_outputs_never_alias_inputs_or_shared_values():
    c = T.bscalar("c")
    x = T.dvector("x")
    s = shared(np.arange(3.0), name="s")
    f = function([c, x], ifelse(c, x, s))
    v = np.ones(3)
    assert not np.shares_memory(f(1, v), v)
    assert not np.shares_memory(f(0, v), s.get_value(borrow=True))


def test_a_plain_value_in_a_branch_takes_the_other_branchs_dtype():
    c = T.bscalar("c")
    x = T.fscalar("x")
    out = ifelse(c, x, 0)
    assert out.type.dtype == "float32"
    assert function([c, x], out)(0, np.float32(2)) == 0


def test_static_shapes_known_on_one_side_only_are_unknown():
    c = T.bscalar("c")
    a = T.tensor("float64", shape=(3,), name="a")
    b = T.dvector("b")
    assert ifelse(c, a, b).type.shape == (None,)
    assert ifelse(c, a, a).type.shape == (3,)


def test_gradient_flows_into_the_chosen_branch():
    c = T.bscalar("c")
    x, y = T.dvector("x"), T.dvector("y")
    cost = T.sum(ifelse(c, T.exp(x) * y, T.sin(x)))
    gx, gy = grad(cost, [x, y])
    f = function([c, x, y], [gx, gy])
    xv, yv = rng.standard_normal(4), rng.standard_normal(4)
    got = f(1, xv, yv)
    np.testing.assert_allclose(got[0], np.exp(xv) * yv, rtol=1e-15)
    np.testing.assert_allclose(got[1], np.exp(xv), rtol=1e-15)
    got = f(0, xv, yv)
    np.testing.assert_allclose(got[0], np.cos(xv), rtol=1e-15)
    np.testing.assert_array_equal(got[1], 0)
    for flag in (0.0, 1.0):
        verify_grad(lambda x, y: ifelse(T.constant(flag) > 0.5, T.exp(x) * y, T.sin(x) * y),
                    [xv, yv])


def test_gradient_of_an_ifelse_holding_nodes_in_its_branches():
    # the node as lazy_ifelse leaves it: its gradient is built from its branches
    from symlab.rewrite import rewrite_graph
    c = T.bscalar("c")
    x = T.dvector("x")
    out = ifelse(c, T.exp(x) * 2, T.sin(x))
    lazy, trace = rewrite_graph(out, mode=Mode(optimizer=None, include=["lazy_ifelse"]))
    assert trace.rewrite_names() == ["lazy_ifelse"]
    assert not lazy.owner.op.is_plain and lazy.owner.inputs[1:] == (x, x)
    (gx,) = grad(T.sum(lazy), [x])
    xv = rng.standard_normal(3)
    np.testing.assert_allclose(evaluate(gx, {c: 1, x: xv}), 2 * np.exp(xv), rtol=1e-15)
    np.testing.assert_allclose(evaluate(gx, {c: 0, x: xv}), np.cos(xv), rtol=1e-15)


def test_bad_arguments_are_refused_clearly():
    x, y = T.dvector("x"), T.fvector("y")
    with pytest.raises(TypeError, match=r"condition must be a scalar.*T\.switch"):
        ifelse(x, x, x)
    with pytest.raises(TypeError, match=r"different dtypes.*float64.*float32"):
        ifelse(T.bscalar(), x, y)
    with pytest.raises(TypeError, match="different numbers of dimensions"):
        ifelse(T.bscalar(), x, T.dmatrix())
    with pytest.raises(ValueError, match=r"then-branch has 2 value\(s\) and the else-branch 1"):
        ifelse(T.bscalar(), [x, x], [x])


def test_debugprint_and_json_show_the_branches():
    from symlab.printing import debugprint, to_json
    a = T.dscalar("a")
    out = ifelse(T.lt(a, 0), T.exp(a) * 2, T.sin(a))
    f = function([a], out)
    text = debugprint(f, file="str")
    assert "Inner graphs:" in text
    assert "ifelse [id A] (then)" in text and "ifelse [id A] (else)" in text
    assert " >sin [id" in text and "-> [id C]" in text
    doc = to_json(f)
    (entry,) = [e for e in doc["nodes"].values() if e["op"] == "ifelse" and
                e["inner"][0]["graph"]["after"] is not None]
    roles = [g["role"] for g in entry["inner"]]
    assert roles == ["then", "else"]
    then = entry["inner"][0]
    assert then["outer_inputs"] == [1] and then["outer_outputs"] == [0]
    ops = [n["op"] for n in then["graph"]["nodes"].values() if n["kind"] == "apply"]
    assert any(op.startswith("fused") for op in ops)
