"""Stabilize, specialize and unsafe: each rewrite before and after, written by hand,
and the stabilized functions at x = +-800, checked against closed forms."""

import math

import numpy as np
import pytest

import symlab.tensor as T
from symlab import Mode, function
from symlab.graph import evaluate
from symlab.printing import pp
from symlab.rewrite import rewrite_graph

x, y = T.dvectors("x", "y")
m = T.dmatrix("m")
labels = T.ivector("labels")
f32 = T.fvector("f32")


def after(outputs, *names):
    """The graph with only the named rewrites run, and its trace."""
    return rewrite_graph(outputs, mode=Mode(optimizer=None, include=names))


@pytest.mark.parametrize("rewrite, build, expected", [
    ("log1p_from_log", lambda: T.log(1 + x), "log1p(x)"),
    ("log1p_from_log", lambda: T.log(x + y + 1), "log1p(x + y)"),
    ("expm1_from_exp", lambda: T.exp(x) - 1, "expm1(x)"),
    ("expm1_from_exp", lambda: -1 + T.exp(x), "expm1(x)"),
    ("softplus_from_log1p_exp", lambda: T.log1p(T.exp(x)), "softplus(x)"),
    ("log_sigmoid_to_softplus", lambda: T.log(T.nnet.sigmoid(x)), "-softplus(-x)"),
    ("log1m_sigmoid_to_softplus", lambda: T.log(1 - T.nnet.sigmoid(x)), "-softplus(x)"),
    ("pow_to_sqr", lambda: x ** 2, "sqr(x)"),
    ("pow_to_sqrt", lambda: x ** 0.5, "sqrt(x)"),
    ("pow_to_reciprocal", lambda: x ** -1, "reciprocal(x)"),
    ("pow_to_muls", lambda: x ** 3, "sqr(x) * x"),
    ("pow_to_muls", lambda: x ** 4, "sqr(sqr(x))"),
    ("pow_to_muls", lambda: x ** 1, "x"),
    ("div_self", lambda: x / x, "ones_like"),
])
def test_rewrite_before_and_after(rewrite, build, expected):
    before = build()
    new, trace = after(before, rewrite)
    assert trace.rewrite_names() and set(trace.rewrite_names()) == {rewrite}
    if expected == "ones_like":
        np.testing.assert_array_equal(evaluate(new, {x: [2.0, -3.0]}), [1.0, 1.0])
    else:
        assert pp(new) == expected


def test_log_of_one_plus_exp_becomes_softplus_in_two_named_steps():
    new, trace = after(T.log(1 + T.exp(x)), "log1p_from_log", "softplus_from_log1p_exp")
    assert trace.rewrite_names() == ["log1p_from_log", "softplus_from_log1p_exp"]
    assert pp(new) == "softplus(x)"


def test_patterns_are_found_through_reshapes_transposes_and_casts():
    inner = (1 + T.exp(m)).T.reshape((-1,))
    new, trace = after(T.log(inner), "log1p_from_log", "softplus_from_log1p_exp")
    assert trace.rewrite_names() == ["log1p_from_log", "softplus_from_log1p_exp"]
    assert new.owner.op.name == "reshape"
    assert new.owner.inputs[0].owner.op.name == "dimshuffle"
    assert pp(new.owner.inputs[0].owner.inputs[0]) == "softplus(m)"

    widened = T.cast(1 + T.exp(f32), "float64")
    new, trace = after(T.log(widened), "log1p_from_log", "softplus_from_log1p_exp")
    assert trace.rewrite_names() == ["log1p_from_log", "softplus_from_log1p_exp"]
    assert new.type.dtype == "float64"
    assert pp(new) == "cast{float64}(softplus(f32))"

    sig = T.log(1 - T.nnet.sigmoid(m).T)
    new, trace = after(sig, "log1m_sigmoid_to_softplus")
    assert trace.rewrite_names() == ["log1m_sigmoid_to_softplus"]
    assert new.owner.op.name == "dimshuffle" and pp(new.owner.inputs[0]) == "-softplus(m)"


def test_no_rewrite_when_the_constant_would_change_the_shape():
    ones = T.constant(np.ones((2, 3)))
    new, trace = after(T.log(ones + x), "log1p_from_log")
    assert trace.rewrite_names() == []
    assert new.type.shape == (2, 3)


def test_log_softmax_and_crossentropy_rewrites():
    new, trace = after(T.log(T.nnet.softmax(m)), "log_softmax_from_log")
    assert trace.rewrite_names() == ["log_softmax_from_log"]
    assert new.owner.op.name == "log_softmax"
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(m), labels)
    new, trace = after(cost, "crossentropy_softmax")
    assert trace.rewrite_names() == ["crossentropy_softmax"]
    assert new.owner.op.name == "crossentropy_log_categorical_1hot"
    assert new.owner.inputs[0].owner.op.name == "log_softmax"


def test_logsumexp_is_shifted_by_the_max():
    new, trace = after(T.log(T.sum(T.exp(m), axis=1)), "logsumexp_shift")
    assert trace.rewrite_names() == ["logsumexp_shift"]
    ops = {n.op.name for n in _nodes(new)}
    assert {"max", "exp", "sum", "log", "sub", "add"} <= ops


def _nodes(var):
    from symlab.graph.traversal import toposort
    return toposort([var])


def _softplus_exact(v):
    """log(1 + e**v) by closed forms that do not overflow."""
    return v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))


def test_stabilized_functions_are_finite_and_right_at_plus_minus_800():
    values = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    exprs = [T.log(1 + T.exp(x)), T.log(T.nnet.sigmoid(x)), T.log(1 - T.nnet.sigmoid(x))]
    exact = [[_softplus_exact(v) for v in values],
             [-_softplus_exact(-v) for v in values],
             [-_softplus_exact(v) for v in values]]
    naive = function([x], exprs, mode="NO_REWRITES")
    fast = function([x], exprs)
    with np.errstate(all="ignore"):
        unstable = naive(values)
    assert all(not np.all(np.isfinite(u)) for u in unstable)   # NumPy overflows
    for got, want in zip(fast(values), exact):
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-300)


def test_logsumexp_log_softmax_and_crossentropy_at_800():
    data = np.array([[800.0, 800.0, -800.0], [-800.0, 0.0, 800.0]])
    lse = T.log(T.sum(T.exp(m), axis=1))
    log_probs = T.log(T.nnet.softmax(m))
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(m), labels)
    fast = function([m, labels], [lse, log_probs, cost])
    got_lse, got_log_probs, got_cost = fast(data, np.array([1, 0], dtype="int32"))
    # Closed forms: log(e^800 + e^800 + e^-800) = 800 + log 2; the second row is 800.
    np.testing.assert_allclose(got_lse, [800 + math.log(2), 800.0], rtol=1e-15)
    np.testing.assert_allclose(got_log_probs, [[-math.log(2), -math.log(2), -1600 - math.log(2)],
                                               [-1600.0, -800.0, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(got_cost, [math.log(2), 1600.0], rtol=1e-15)
    assert np.all(np.isfinite(got_log_probs))
    naive = function([m, labels], [lse, cost], mode="NO_REWRITES")
    with np.errstate(all="ignore"):
        naive_lse, naive_cost = naive(data, np.array([1, 0], dtype="int32"))
    assert not np.all(np.isfinite(naive_lse)) and not np.all(np.isfinite(naive_cost))


def test_binary_crossentropy_of_a_sigmoid_is_stable():
    target = T.dvector("target")
    cost = T.nnet.binary_crossentropy(T.nnet.sigmoid(x), target)
    fast = function([x, target], cost)
    got = fast(np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    np.testing.assert_allclose(got, [800.0, 800.0], rtol=1e-15)


def test_crossentropy_keeps_its_label_check_after_the_rewrite():
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(m), labels)
    fast = function([m, labels], cost)
    assert "crossentropy_softmax" in fast.trace.rewrite_names()
    with pytest.raises(IndexError, match="class index 5"):
        fast(np.zeros((1, 3)), np.array([5], dtype="int32"))


def test_specialized_powers_match_numpy_powers():
    values = np.array([-2.5, -1.0, 0.5, 3.0, 7.25])
    exprs = [x ** k for k in (2, 3, 4, 5, 6, 7, 8, -1)] + [abs(x) ** 0.5]
    fast = function([x], exprs)
    fired = set(fast.trace.rewrite_names())
    assert {"pow_to_sqr", "pow_to_muls", "pow_to_reciprocal", "pow_to_sqrt"} <= fired
    expected = [values ** k for k in (2, 3, 4, 5, 6, 7, 8, -1)] + [np.abs(values) ** 0.5]
    for got, want in zip(fast(values), expected):
        np.testing.assert_allclose(got, want, rtol=4e-16 * 8)


def test_integer_powers_stay_integers_and_wrap_like_numpy():
    i = T.lvector("i")
    fast = function([i], i ** 3)
    assert "pow_to_muls" in fast.trace.rewrite_names()
    values = np.array([-3, 2, 2 ** 40], dtype="int64")
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(fast(values), np.power(values, 3))
    assert fast(values).dtype == np.int64


def test_unsafe_rewrites_are_off_by_default_and_can_be_included():
    default = function([x], [x / x, x * 0])
    assert not {"div_self", "mul_zero"} & set(default.trace.rewrite_names())
    with np.errstate(all="ignore"):
        assert np.isnan(default(np.array([0.0]))[0][0])
    unsafe = function([x], [x / x, x * 0], mode=Mode(include=["unsafe"]))
    assert {"div_self", "mul_zero"} <= set(unsafe.trace.rewrite_names())
    ones, zeros = unsafe(np.array([0.0, np.inf]))
    np.testing.assert_array_equal(ones, [1.0, 1.0])    # x/x at 0: 1, not nan
    np.testing.assert_array_equal(zeros, [0.0, 0.0])   # inf*0: 0, not nan


def test_gradient_stabilizations_before_and_after():
    g = T.dvector("g")
    probs = T.nnet.softmax(m)
    ce_grad = T.nnet.CrossentropyCategorical1HotGrad()(g, probs, labels)
    new, trace = after(T.nnet.SoftmaxGrad(1)(ce_grad, probs), "crossentropy_softmax_grad")
    assert trace.rewrite_names() == ["crossentropy_softmax_grad"]
    difference, spread_g = new.owner.inputs          # (softmax(m) - onehot) * g[:, None]
    assert new.owner.op.name == "mul" and difference.owner.op.name == "sub"
    assert difference.owner.inputs[0] is probs and spread_g.owner.inputs[0] is g
    values = {m: np.array([[1.0, 2.0, 0.0], [0.0, 0.5, 3.0]]),
              labels: np.array([2, 0], dtype="int32"), g: np.array([1.0, -2.0])}
    probs_value = evaluate(probs, values)
    expected = (probs_value - np.eye(3)[[2, 0]]) * values[g][:, None]
    np.testing.assert_allclose(evaluate(new, values), expected, rtol=1e-15)
    G = T.dmatrix("G")
    new, trace = after(T.nnet.SoftmaxGrad(1)(G / probs, probs), "softmax_grad_of_log")
    assert trace.rewrite_names() == ["softmax_grad_of_log"]
    assert new.owner.op.name == "sub" and new.owner.inputs[0] is G   # G - sum(G) * softmax(m)
    gv = np.array([[1.0, 0.0, 2.0], [0.5, 0.5, -1.0]])
    np.testing.assert_allclose(evaluate(new, {m: values[m], G: gv}),
                               gv - gv.sum(axis=1, keepdims=True) * probs_value, rtol=1e-15)
    lse = T.log(T.sum(T.exp(m), axis=1))
    lse_grad = T.grad(None, m, known_grads={lse: T.constant(np.array([1.0, 1.0]))})
    new, trace = after(lse_grad, "exp_ratio_shift")
    assert trace.rewrite_names() == ["exp_ratio_shift"]
    data = np.array([[1.0, 2.0], [0.5, -1.0]])
    np.testing.assert_allclose(evaluate(new, {m: data}), evaluate(lse_grad, {m: data}),
                               rtol=1e-15)
