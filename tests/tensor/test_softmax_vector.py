"""softmax and log_softmax of a vector, as Theano 1.0: a (1, n) row and a warning (a
UserWarning in Theano, here VectorSoftmaxWarning, which is one) when no axis is given;
a vector with an explicit axis. The stabilizing rewrites still apply to the row, and
gradients match central differences.

Theano 1.0.5 (the oracle) gives, for ``v = T.dvector()``: ``softmax(v)`` and
``logsoftmax(v)`` of broadcastable pattern (True, False) with a UserWarning
"DEPRECATION: If x is a vector, Softmax will not automatically pad x anymore ...";
``c = -log(softmax(v))[0, 2]`` at v = [1, 2, 3] is 0.40760596 with gradient
[0.09003057, 0.24472847, -0.33475904].
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import symlab as theano
import symlab.tensor as T
from symlab.graph.evaluate import evaluate
from symlab.tensor.nnet import VectorSoftmaxWarning


def py_softmax(row):
    """Softmax of a list of floats with Python's math, shifted by the maximum."""
    top = max(row)
    e = [math.exp(v - top) for v in row]
    total = math.fsum(e)
    return [v / total for v in e]


def py_log_softmax(row):
    top = max(row)
    log_total = math.log(math.fsum(math.exp(v - top) for v in row))
    return [v - top - log_total for v in row]


@pytest.mark.parametrize("fn, name, reference", [
    (T.nnet.softmax, "softmax", py_softmax),
    (T.nnet.log_softmax, "log_softmax", py_log_softmax),
    (T.nnet.logsoftmax, "log_softmax", py_log_softmax),
])
def test_vector_without_axis_gives_a_row_and_a_warning_naming_the_fix(fn, name, reference):
    v = T.dvector("v")
    with pytest.warns(VectorSoftmaxWarning) as record:
        row = fn(v)
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith(f"{name} of the vector v")
    assert "(1, n) row" in message and "Pass a matrix" in message and "axis=-1" in message
    assert record[0].filename == __file__          # points at the caller's line
    assert issubclass(VectorSoftmaxWarning, UserWarning)          # Theano's category
    assert issubclass(VectorSoftmaxWarning, FutureWarning)        # shown by default
    assert row.type.shape == (1, None)
    got = theano.function([v], row)(np.array([1.0, 2.0, 3.0]))
    assert got.shape == (1, 3)
    assert got[0].tolist() == pytest.approx(reference([1.0, 2.0, 3.0]), rel=1e-14)


@pytest.mark.parametrize("fn", [T.nnet.softmax, T.nnet.log_softmax])
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_vector_with_an_axis_stays_a_vector_without_warning(fn, axis):
    v = T.dvector("v")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(v, axis=axis)
    assert out.type.ndim == 1
    got = evaluate(out, {v: np.array([0.5, -1.0, 2.0])})
    reference = py_softmax if fn is T.nnet.softmax else py_log_softmax
    assert got.tolist() == pytest.approx(reference([0.5, -1.0, 2.0]), rel=1e-14)


def test_matrices_warn_nothing():
    m = T.dmatrix("m")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert T.nnet.softmax(m).type.ndim == 2 and T.nnet.log_softmax(m).type.ndim == 2


def test_theano_values_of_log_of_softmax_of_a_vector():
    v = T.dvector("v")
    with pytest.warns(VectorSoftmaxWarning):
        c = -T.log(T.nnet.softmax(v))[0, 2]
    f = theano.function([v], [c, T.grad(c, v)])
    value, gradient = f(np.array([1.0, 2.0, 3.0]))
    assert float(value) == pytest.approx(0.40760596, rel=1e-7)
    np.testing.assert_allclose(gradient, [0.09003057, 0.24472847, -0.33475904], rtol=1e-6)
    assert "log_softmax_from_log" in f.trace.rewrite_names()


def test_stabilization_reaches_the_row_at_large_inputs():
    """log(softmax(v)) and the crossentropy of softmax(v) stay finite at 800 apart."""
    v, y = T.dvector("v"), T.lvector("y")
    with pytest.warns(VectorSoftmaxWarning):
        log_p = T.log(T.nnet.softmax(v))
    with pytest.warns(VectorSoftmaxWarning):
        ce = T.nnet.categorical_crossentropy(T.nnet.softmax(v), y)
    f = theano.function([v, y], [log_p, ce, T.grad(ce.sum(), v)])
    x = np.array([0.0, -800.0, 800.0])
    got_log_p, got_ce, got_grad = f(x, np.array([1]))
    assert {"log_softmax_from_log", "crossentropy_softmax"} <= set(f.trace.rewrite_names())
    # Closed forms: log softmax = x - 800 - log(1 + e^-800 + e^-1600) = x - 800 (in float64).
    np.testing.assert_allclose(got_log_p, [[-800.0, -1600.0, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(got_ce, [1600.0], rtol=1e-15)
    np.testing.assert_allclose(got_grad, [0.0, -1.0, 1.0], atol=1e-300)


def central_gradient(f, x, step=1e-6):
    out = np.zeros_like(x)
    for i in range(x.size):
        up, down = x.copy(), x.copy()
        up[i] += step
        down[i] -= step
        out[i] = (f(up) - f(down)) / (2 * step)
    return out


@given(hnp.arrays("float64", st.integers(1, 6), elements=st.floats(-5, 5)),
       st.integers(0, 2**31))
def test_gradients_through_the_row_match_central_differences(x, seed):
    w = np.random.default_rng(seed).uniform(-1, 1, size=(1, x.size))
    v = T.dvector("v")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VectorSoftmaxWarning)
        costs = [T.sum(T.nnet.softmax(v) * T.constant(w)),
                 T.sum(T.nnet.log_softmax(v) * T.constant(w)),
                 T.sum(T.log(T.nnet.softmax(v)) * T.constant(w)),
                 T.nnet.categorical_crossentropy(T.nnet.softmax(v),
                                                 T.constant(np.array([seed % x.size])))[0]]
    for cost in costs:
        value = theano.function([v], cost)
        grad = theano.function([v], T.grad(cost, v))
        np.testing.assert_allclose(grad(x), central_gradient(lambda p: float(value(p)), x),
                                   rtol=1e-6, atol=1e-8)


def test_scan_stacks_per_step_rows_as_theano_does():
    """A step taking softmax of a vector returns rows: scan's output is (time, 1, n)."""
    x = T.dmatrix("x")
    with pytest.warns(VectorSoftmaxWarning):
        s, _ = theano.scan(lambda x_t: T.nnet.softmax(x_t), sequences=x)
    assert s.type.shape == (None, 1, None)          # Theano: (False, True, False)
    value = np.arange(6.0).reshape(2, 3)
    got = theano.function([x], s[:, 0, :])(value)
    np.testing.assert_allclose(got, [py_softmax([0.0, 1.0, 2.0])] * 2, rtol=1e-14)
