"""Gradients: every row of the scalar-op table and every op against finite differences,
the errors, the markers, jacobian/hessian/Lop/Rop against closed forms, and a mutation
test showing verify_grad catches a wrong rule."""

import dataclasses

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.gradient import (DisconnectedInputError, GradientError, GradientNotImplemented,
                             consider_constant, disconnected_grad, grad, hessian, jacobian,
                             verify_grad, zero_grad)
from symlab.graph import evaluate
from symlab.tensor.elemwise import Elemwise
from symlab.tensor.scalar_ops import SCALAR_OPS

RNG = np.random.default_rng(20261126)


def uniform(low, high, shape=(3,)):
    return RNG.uniform(low, high, size=shape)


def away_from_integers(shape=(3,)):
    """Values k + 0.3 or k + 0.7: far from the jumps of floor, round and friends."""
    return RNG.integers(-3, 3, size=shape) + RNG.choice([0.3, 0.7], size=shape)


def signed(shape=(3,)):
    """Values of either sign, at least 0.4 away from zero."""
    return RNG.choice([-1, 1], size=shape) * RNG.uniform(0.4, 2.0, size=shape)


# Points away from each row's singularities; rows without an entry use uniform(-2, 2).
DOMAINS = {
    "true_div": lambda: [uniform(-2, 2), signed()],
    "int_div": lambda: [away_from_integers() + 10, np.full(3, 1.0)],
    "mod": lambda: [uniform(0.1, 0.9), uniform(1.5, 2.0)],
    "pow": lambda: [uniform(0.5, 2.0), uniform(-2, 2)],
    "abs": lambda: [signed()],
    "log": lambda: [uniform(0.3, 3)], "log2": lambda: [uniform(0.3, 3)],
    "log10": lambda: [uniform(0.3, 3)], "log1p": lambda: [uniform(-0.5, 3)],
    "sqrt": lambda: [uniform(0.3, 3)], "reciprocal": lambda: [signed()],
    "tan": lambda: [uniform(-1, 1)],
    "arcsin": lambda: [uniform(-0.8, 0.8)], "arccos": lambda: [uniform(-0.8, 0.8)],
    "arctanh": lambda: [uniform(-0.8, 0.8)], "arccosh": lambda: [uniform(1.3, 3)],
    "arctan2": lambda: [signed(), signed()],
    "floor": lambda: [away_from_integers()], "ceil": lambda: [away_from_integers()],
    "trunc": lambda: [away_from_integers()], "round_half_to_even": lambda: [away_from_integers()],
    "round_half_away_from_zero": lambda: [away_from_integers()],
    "sign": lambda: [signed()],
    "clip": lambda: [np.array([-1.3, -0.2, 0.3, 1.4]), np.array(-0.6), np.array(0.7)],
    "switch": lambda: [signed(), uniform(-2, 2), uniform(-2, 2)],
    "xlogx": lambda: [uniform(0.3, 3)], "xlogy0": lambda: [uniform(-2, 2), uniform(0.3, 3)],
    "erfinv": lambda: [uniform(-0.9, 0.9)], "erfcinv": lambda: [uniform(0.1, 1.9)],
    "gamma": lambda: [uniform(0.3, 4)], "gammaln": lambda: [uniform(0.3, 4)],
    "psi": lambda: [uniform(0.3, 4)], "tri_gamma": lambda: [uniform(0.3, 4)],
    "gammainc": lambda: [uniform(0.5, 4), uniform(0.3, 5)],
    "gammaincc": lambda: [uniform(0.5, 4), uniform(0.3, 5)],
    "chi2sf": lambda: [uniform(0.3, 8), uniform(1, 6)],
}

# Inputs whose gradient is not implemented (as in Theano): the shape parameters of the
# incomplete gamma functions and chi2sf, and trigamma's (polygamma(2, x) is not a row).
# The other inputs are checked with these held constant.
NOT_IMPLEMENTED = {"tri_gamma": {0}, "gammainc": {0}, "gammaincc": {0}, "chi2sf": {1}}

INTEGER_ONLY = {"and_", "or_", "xor", "invert"}     # no float inputs: nothing to differentiate


def _row_function(row):
    op = Elemwise(row)
    if row.name == "switch":
        return lambda c, a, b: op(T.gt(c, 0), a, b)
    return op


@pytest.mark.parametrize("name", sorted(set(SCALAR_OPS) - INTEGER_ONLY))
def test_every_row_gradient_matches_finite_differences(name):
    row = SCALAR_OPS[name]
    nin = 3 if row.nin == -1 else row.nin
    point = DOMAINS.get(name, lambda: [uniform(-2, 2) for _ in range(nin)])()
    fixed = NOT_IMPLEMENTED.get(name, set())
    if len(fixed) == nin:
        return          # nothing to differentiate: test_missing_gradients_raise_naming_them
    fn = _row_function(row)
    free = [k for k in range(nin) if k not in fixed]

    def with_constants(*values):
        args = [T.constant(point[k]) for k in range(nin)]
        for k, v in zip(free, values):
            args[k] = v
        return fn(*args)

    verify_grad(with_constants, [point[k] for k in free], rng=np.random.default_rng(1))


@pytest.mark.parametrize("name", sorted(NOT_IMPLEMENTED))
def test_missing_gradients_raise_naming_them(name):
    row = SCALAR_OPS[name]
    inputs = [T.dvector(f"in{k}") for k in range(row.nin)]
    cost = T.sum(Elemwise(row)(*inputs))
    for k in range(row.nin):
        if k in NOT_IMPLEMENTED[name]:
            message = f"{name}: input {k} .*not implemented"
            with pytest.raises(GradientNotImplemented, match=message):
                theano.grad(cost, inputs[k])
        else:
            theano.grad(cost, inputs[k])      # the other inputs differentiate


def test_a_wrong_rule_is_caught():
    wrong = dataclasses.replace(SCALAR_OPS["sin"], grad=lambda g, out, x: [g * T.sin(x)])
    with pytest.raises(GradientError, match="differs from finite differences") as info:
        verify_grad(Elemwise(wrong), [uniform(-2, 2)])
    assert "analytic" in str(info.value) and "numeric" in str(info.value)
    verify_grad(Elemwise(SCALAR_OPS["sin"]), [uniform(-2, 2)])   # the true rule passes


class _Product(theano.Op):
    """a * b for vectors, whose gradient for ``b`` goes through ``shape_b`` (a deliberate
    mistake when it changes the shape; the identity gives the true rule)."""

    itypes = [T.dvector, T.dvector]
    otypes = [T.dvector]
    __props__ = ("label",)

    def __init__(self, label, shape_b):
        self.label = label
        self.shape_b = shape_b

    def perform(self, node, inputs, output_storage):
        a, b = inputs
        output_storage[0][0] = a * b

    def grad(self, inputs, output_grads):
        (a, b), (g,) = inputs, output_grads
        return [g * b, self.shape_b(g * a)]


WRONG_SHAPES = {   # what the gradient of b becomes -> its shape for a b of 3 elements
    "doubled": (lambda gb: T.concatenate([gb, gb]), "(6,)"),
    "cut": (lambda gb: gb[:1], "(1,)"),
}
#: Wrong in rank: refused by grad itself, while the gradient graph is built.
WRONG_RANKS = {
    "summed": (lambda gb: gb.sum(), 0),
    "outer": (lambda gb: T.outer(gb, gb), 2),
}


@pytest.mark.parametrize("label", sorted(WRONG_SHAPES))
def test_a_gradient_of_the_wrong_shape_is_named_with_both_shapes(label):
    reshape, shape = WRONG_SHAPES[label]
    point = [uniform(-2, 2), uniform(-2, 2)]
    with pytest.raises(GradientError) as info:
        verify_grad(_Product(label, reshape), point)
    message = str(info.value)
    assert "input 1 ('input1')" in message, message
    assert f"has shape {shape}" in message and "have shape (3,)" in message, message
    verify_grad(_Product("true", lambda gb: gb), point)      # the true rule passes


@pytest.mark.parametrize("label", sorted(WRONG_RANKS))
def test_a_gradient_of_the_wrong_rank_is_refused_when_built(label):
    reshape, ndim = WRONG_RANKS[label]
    point = [uniform(-2, 2), uniform(-2, 2)]
    with pytest.raises(ValueError, match=rf"input 1 .*with {ndim} dimensions; a gradient has "
                                         r"its input's 1 dimensions"):
        verify_grad(_Product(label, reshape), point)


OPS = {
    "sum axis": (lambda a: T.sum(a, axis=1), [(3, 4)]),
    "sum all": (lambda a: T.sum(a) * a, [(2, 3)]),
    "prod": (lambda a: T.prod(a, axis=0), [(3, 2)]),
    "max": (lambda a: T.max(a, axis=1), [(3, 4)]),
    "min keepdims": (lambda a: T.min(a, axis=0, keepdims=True) * a, [(3, 4)]),
    "mean": (lambda a: T.mean(a, axis=0), [(3, 4)]),
    "var": (lambda a: T.var(a, axis=1), [(3, 4)]),
    "std": (lambda a: T.std(a), [(3, 4)]),
    "dot mm": (T.dot, [(3, 2), (2, 4)]),
    "dot vm": (T.dot, [(2,), (2, 4)]),
    "dot mv": (T.dot, [(3, 2), (2,)]),
    "dot vv": (T.dot, [(3,), (3,)]),
    "dot scalar": (T.dot, [(), (3,)]),
    "matmul batched": (T.matmul, [(2, 3, 2), (2, 4)]),
    "dot 3-d by vector": (T.dot, [(2, 3, 4), (4,)]),
    "dot vector by 3-d": (T.dot, [(3,), (2, 3, 4)]),
    "dot vector by 4-d": (T.dot, [(3,), (2, 2, 3, 4)]),
    "matmul 3-d by vector": (T.matmul, [(2, 3, 4), (4,)]),
    "matmul vector by 3-d": (T.matmul, [(3,), (2, 3, 4)]),
    "tensordot": (lambda a, b: T.tensordot(a, b, axes=[[0, 2], [1, 0]]), [(2, 3, 4), (4, 2, 5)]),
    "reshape": (lambda a: T.reshape(a, (3, 2)) * T.arange(6).reshape((3, 2)), [(2, 3)]),
    "flatten": (lambda a: a.flatten() ** 2, [(2, 3)]),
    "transpose": (lambda a: a.T * T.arange(6).reshape((3, 2)), [(2, 3)]),
    "dimshuffle": (lambda a: a.dimshuffle(1, "x", 0) * 2, [(2, 3)]),
    "broadcast add": (lambda a, b: a * b.dimshuffle("x", 0), [(3, 2), (2,)]),
    "concatenate": (lambda a, b: T.concatenate([a, b * 2, a], axis=1), [(2, 3), (2, 2)]),
    "stack": (lambda a, b: T.stack([a, b]) ** 2, [(), ()]),
    "basic index": (lambda a: a[1:, ::2] * 3, [(3, 4)]),
    "int index": (lambda a: a[1] * a[2, 0], [(3, 4)]),
    "advanced index": (lambda a: a[[0, 2, 0]] * 3, [(3, 4)]),
    "mask index": (lambda a: a[T.constant(np.array([True, False, True]))] ** 2, [(3, 4)]),
    "set_subtensor": (lambda a, b: T.set_subtensor(a[1:], b) ** 2, [(3, 4), (4,)]),
    "inc_subtensor": (lambda a, b: T.inc_subtensor(a[[0, 0, 2]], b) ** 2, [(3, 4), (3, 4)]),
    "alloc": (lambda a: T.alloc(a, 3, 2), [(2,)]),
    "cast": (lambda a: T.cast(a, "float64") * 2, [(3,)]),
    "softmax": (T.nnet.softmax, [(3, 4)]),
    "softmax axis 0": (lambda a: T.nnet.softmax(a, axis=0), [(3, 4)]),
    "log_softmax": (T.nnet.log_softmax, [(3, 4)]),
    "crossentropy 1hot": (lambda a: T.nnet.categorical_crossentropy(
        T.nnet.softmax(a), T.constant(np.array([1, 0, 3], dtype="int32"))), [(3, 4)]),
    "crossentropy dist": (lambda a, t: T.nnet.categorical_crossentropy(T.nnet.softmax(a), t),
                          [(3, 4), (3, 4)]),
    "binary crossentropy": (lambda a, t: T.nnet.binary_crossentropy(T.nnet.sigmoid(a), t),
                            [(4,), (4,)]),
    "relu": (lambda a: T.nnet.relu(a * 3 + 0.01), [(4,)]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_gradient_matches_finite_differences(name):
    fun, shapes = OPS[name]
    point = [uniform(0.2, 1.2, shape) for shape in shapes]
    if name == "cast":
        point = [p.astype("float32") for p in point]   # float32 -> float64 and back
    verify_grad(fun, point, rng=np.random.default_rng(2))


def test_the_tutorial_derivatives():
    x = T.dscalar("x")
    f = theano.function([x], T.grad(x ** 2, x))
    assert f(4) == 8.0 and f(94.2) == pytest.approx(188.4, rel=1e-15)
    # The tutorial reads the optimized gradient through f.maker: 2 * x, nothing else left.
    assert theano.pp(f.maker.fgraph.outputs[0]) == "2.0 * x"
    m = T.dmatrix("m")
    logistic = theano.function([m], T.grad(T.sum(1 / (1 + T.exp(-m))), m))
    value = np.array([[0.0, 1.0], [-1.0, -2.0]])
    s = 1 / (1 + np.exp(-value))
    np.testing.assert_allclose(logistic(value), s * (1 - s), rtol=1e-15)


def test_jacobian_hessian_lop_rop_against_closed_forms():
    x = T.dvector("x")
    J = theano.function([x], jacobian(x ** 2, x))
    np.testing.assert_array_equal(J([4.0, 4.0]), [[8.0, 0.0], [0.0, 8.0]])
    np.testing.assert_array_equal(J([1.0, 2.0, 3.0]), np.diag([2.0, 4.0, 6.0]))
    H = theano.function([x], hessian(T.sum(x ** 3), x))
    np.testing.assert_allclose(H([1.0, 2.0]), np.diag([6.0, 12.0]), rtol=1e-15)
    W, V = T.dmatrices("W", "V")
    y = T.dot(x, W)
    rop = theano.function([W, V, x], T.Rop(y, W, V))
    np.testing.assert_array_equal(rop(np.ones((2, 2)), 2 * np.ones((2, 2)), [0.0, 1.0]), [2.0, 2.0])
    v = T.dvector("v")
    lop = theano.function([v, x], T.Lop(y, W, v))
    np.testing.assert_array_equal(lop([2.0, 2.0], [0.0, 1.0]), [[0.0, 0.0], [2.0, 2.0]])
    static = T.TensorType("float64", (3,))("static")
    Js = evaluate(jacobian(T.exp(static), static), {static: [0.0, 1.0, 2.0]})
    np.testing.assert_allclose(Js, np.diag(np.exp([0.0, 1.0, 2.0])), rtol=1e-15)


def test_errors_name_the_variable():
    x, y = T.dvectors("x", "y")
    with pytest.raises(TypeError, match="'x'.*2|scalar"):
        grad(x * 2, x)
    with pytest.raises(DisconnectedInputError, match="'y'"):
        grad(T.sum(x), y)
    np.testing.assert_array_equal(evaluate(grad(T.sum(x), y, disconnected_inputs="ignore"),
                                           {y: [1.0, 2.0]}), [0.0, 0.0])
    with pytest.warns(UserWarning, match="'y'"):
        grad(T.sum(x), y, disconnected_inputs="warn")
    i = T.ivector("i")
    with pytest.raises(TypeError, match="not a float"):
        grad(T.sum(i), i)
    gi = grad(T.sum(i * x), i)                   # an integer wrt: zeros, as in Theano
    assert gi.type.dtype == theano.config.floatX
    np.testing.assert_array_equal(evaluate(gi, {i: [1, 2], x: [1.0, 1.0]}), [0.0, 0.0])


def test_markers_and_consider_constant():
    x = T.dvector("x")
    xv = np.array([1.0, 2.0])
    stopped = grad(T.sum(disconnected_grad(x ** 2) + x), x)
    np.testing.assert_array_equal(evaluate(stopped, {x: xv}), [1.0, 1.0])
    zeroed = grad(T.sum(zero_grad(x ** 2) * x), x)
    np.testing.assert_array_equal(evaluate(zeroed, {x: xv}), xv ** 2)
    square = x ** 2
    held = grad(T.sum(square * x), x, consider_constant=[square])
    np.testing.assert_array_equal(evaluate(held, {x: xv}), xv ** 2)
    with pytest.raises(DisconnectedInputError):
        grad(T.sum(consider_constant(x) * 2), x)
    f = theano.function([x], zero_grad(x) * 3)
    assert "zero_grad" not in theano.debugprint(f, file="str")   # removed before running
    np.testing.assert_array_equal(f(xv), 3 * xv)


def test_gradients_keep_float32():
    x = T.fvector("x")
    g = grad(T.sum(T.tanh(x) * 0.5 + T.exp(x) / 3), x)
    assert g.type.dtype == "float32"
    assert all(n.outputs[0].type.dtype != "float64" for n in _nodes(g)
               if hasattr(n.outputs[0].type, "dtype"))


def _nodes(var):
    from symlab.graph.traversal import toposort
    return toposort([var])


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_crossentropy_and_logsumexp_gradients_are_finite_at_1000():
    m, t = T.dmatrices("m", "t")
    labels = T.ivector("labels")
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, -1000.0, 1000.0], [3.0, 1.0, 2.0]])
    picked = np.array([2, 1, 0], dtype="int32")
    onehot = np.eye(3)[picked]
    # Closed forms: d mean(CE)/dz = (softmax(z) - onehot) / n; d sum(logsumexp)/dz = softmax(z).
    expected_ce = (_softmax(logits) - onehot) / 3
    by_index = T.mean(T.nnet.categorical_crossentropy(T.nnet.softmax(m), labels))
    by_dist = T.mean(T.nnet.categorical_crossentropy(T.nnet.softmax(m), t))
    lse = T.sum(T.log(T.sum(T.exp(m), axis=1)))
    f = theano.function([m, labels, t], [T.grad(by_index, m), T.grad(by_dist, m),
                                         T.grad(lse, m)])
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow is fine
        g_index, g_dist, g_lse = f(logits, picked, onehot)
    np.testing.assert_allclose(g_index, expected_ce, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(g_dist, expected_ce, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(g_lse, _softmax(logits), rtol=1e-13, atol=1e-300)
    naive = theano.function([m, labels], T.grad(by_index, m), mode="NO_REWRITES")
    with np.errstate(all="ignore"):
        assert np.all(np.isfinite(naive(logits, picked)))   # grad differentiated the stable form


def test_the_gradient_graph_itself_is_stabilized_when_grad_cannot_be():
    # With known_grads, grad differentiates the graph as written; the stabilize pass then
    # rewrites the gradient graph (softmax_grad of crossentropy_grad, exp ratios).
    m = T.dmatrix("m")
    labels = T.ivector("labels")
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, -1000.0, 1000.0]])
    picked = np.array([2, 1], dtype="int32")
    ce = T.nnet.categorical_crossentropy(T.nnet.softmax(m), labels)
    g_ce = grad(None, m, known_grads={ce: T.constant(np.array([0.5, 0.5]))})
    lse = T.log(T.sum(T.exp(m), axis=1))
    g_lse = grad(None, m, known_grads={lse: T.constant(np.array([1.0, 1.0]))})
    f = theano.function([m, labels], [g_ce, g_lse])
    assert {"crossentropy_softmax_grad", "exp_ratio_shift"} <= set(f.trace.rewrite_names())
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got_ce, got_lse = f(logits, picked)
    np.testing.assert_allclose(got_ce, (_softmax(logits) - np.eye(3)[picked]) / 2, rtol=1e-13)
    np.testing.assert_allclose(got_lse, _softmax(logits), rtol=1e-13)
