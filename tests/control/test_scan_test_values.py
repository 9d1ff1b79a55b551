"""Test values through ``scan``: fn's stand-ins get the first step's values, the loop's outputs
the whole loop's (computed with NumPy loops by hand here), and mistakes in fn are caught
at fn's line while the loop is built."""

import os

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab import config, function
from symlab.graph import test_value as tv

HERE = os.path.abspath(__file__)
XS = np.arange(15.0).reshape(5, 3)


@pytest.fixture(autouse=True)
def raising():
    before = config.compute_test_value
    config.compute_test_value = "raise"
    yield
    config.compute_test_value = before


def sequence():
    xs = T.matrix("xs")
    xs.tag.test_value = XS
    return xs


def test_fn_sees_the_first_rows_and_the_initial_state():
    xs = sequence()
    h0 = T.vector("h0")
    h0.tag.test_value = np.full(3, 0.5)
    seen = {}

    def step(x_t, h):
        seen["x_t"], seen["h"] = x_t.tag.test_value, h.tag.test_value
        new = T.tanh(x_t * 0.1 + h)
        seen["new"] = new.tag.test_value
        return new

    out, _ = theano.scan(step, sequences=xs, outputs_info=h0)
    np.testing.assert_array_equal(seen["x_t"], XS[0])
    np.testing.assert_array_equal(seen["h"], np.full(3, 0.5))
    np.testing.assert_allclose(seen["new"], np.tanh(XS[0] * 0.1 + 0.5), rtol=1e-15)
    h, rows = np.full(3, 0.5), []
    for row in XS:
        h = np.tanh(row * 0.1 + h)
        rows.append(h)
    np.testing.assert_allclose(out.tag.test_value, rows, rtol=1e-14)


def test_taps_give_each_stand_in_its_own_first_value():
    xs = sequence()
    y0 = T.matrix("y0")
    y0.tag.test_value = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])
    seen = []

    def step(x_prev, x_next, y_2, y_1):
        seen.extend(v.tag.test_value for v in (x_prev, x_next, y_2, y_1))
        return x_prev + x_next + y_2 - y_1

    out, _ = theano.scan(step, sequences=dict(input=xs, taps=[-1, 1]),
                         outputs_info=dict(initial=y0, taps=[-2, -1]))
    for got, want in zip(seen, [XS[0], XS[2], [1.0] * 3, [2.0] * 3]):
        np.testing.assert_array_equal(got, want)
    window, rows = [np.ones(3), np.full(3, 2.0)], []
    for t in range(1, 4):
        new = XS[t - 1] + XS[t + 1] + window[-2] - window[-1]
        window.append(new)
        rows.append(new)
    np.testing.assert_array_equal(out.tag.test_value, rows)


def test_going_backwards_the_first_step_reads_the_last_row():
    # Theano 1.0.5 gives fn the first row even going backwards (a value no step reads);
    # symlab gives the row the first step reads, so fn's values agree with the loop's.
    xs = sequence()
    seen = []

    def step(x_t):
        seen.append(x_t.tag.test_value)
        return x_t * 2

    out, _ = theano.scan(step, sequences=xs, go_backwards=True)
    np.testing.assert_array_equal(seen[0], XS[-1])
    np.testing.assert_array_equal(out.tag.test_value, XS[::-1] * 2)
    np.testing.assert_array_equal(function([xs], out)(XS), out.tag.test_value)


def test_non_sequences_shared_variables_and_n_steps():
    W = theano.shared(np.eye(3) * 2, "W")
    k = T.iscalar("k")
    k.tag.test_value = 3
    h0 = T.vector("h0")
    h0.tag.test_value = np.array([1.0, 0.0, -1.0])
    b = T.vector("b")
    b.tag.test_value = np.array([0.5, 0.5, 0.5])

    def step(h, bias):
        assert bias is b                      # non-sequences are passed as themselves
        return T.dot(h, W) + bias

    out, _ = theano.scan(step, outputs_info=h0, non_sequences=b, n_steps=k)
    h, rows = np.array([1.0, 0.0, -1.0]), []
    for _ in range(3):
        h = h @ (np.eye(3) * 2) + 0.5
        rows.append(h)
    np.testing.assert_array_equal(out.tag.test_value, rows)


def test_updates_of_a_shared_variable_read_its_value():
    count = theano.shared(np.float64(10.0), "count")
    xs = sequence()

    def step(x_t):
        total = x_t.sum() + count
        assert float(total.tag.test_value) == XS[0].sum() + 10.0
        return total, {count: count + 1}

    out, updates = theano.scan(step, sequences=xs)
    np.testing.assert_array_equal(out.tag.test_value, XS.sum(axis=1) + 10 + np.arange(5))
    assert float(updates[count].tag.test_value) == 15.0
    assert float(count.get_value()) == 10.0          # computing test values updates nothing


def test_a_mistake_in_fn_is_caught_at_fns_line():
    xs = sequence()
    h0 = T.vector("h0")
    h0.tag.test_value = np.zeros(3)

    def step(x_t, h):
        return T.dot(h, T.ones((2, 2))) + x_t

    line = step.__code__.co_firstlineno + 1
    with pytest.raises(ValueError) as info:
        theano.scan(step, sequences=xs, outputs_info=h0)
    message = str(info.value)
    assert message.startswith("dot of (3,) and (2, 2) fails on the test values")
    assert f"{HERE}:{line}: return T.dot(h, T.ones((2, 2))) + x_t" in message
    assert "input 0 (h0[t-1]): float64 (3,)" in message


def test_a_missing_initial_value_or_sequence_is_named():
    xs = sequence()
    h1 = T.vector("h1")
    with pytest.raises(ValueError, match=r"scan's outputs_info\[0\] \(h1\) has no test value"):
        theano.scan(lambda x_t, h: x_t + h, sequences=xs, outputs_info=h1)
    free = T.matrix("free")
    with pytest.raises(ValueError, match=r"scan's sequences\[0\] \(free\) has no test value"):
        theano.scan(lambda x_t: x_t * 2, sequences=free)
    config.compute_test_value = "ignore"
    out, _ = theano.scan(lambda x_t: x_t * 2, sequences=free)
    assert tv.test_value_of(out) is None


def test_a_loop_built_with_test_values_compiles_and_runs():
    xs = sequence()
    h0 = T.vector("h0")
    h0.tag.test_value = np.ones(3)
    out, _ = theano.scan(lambda x_t, h: T.exp(-x_t) * h + 1, sequences=xs, outputs_info=h0)
    cost = out[-1].sum()
    (g,) = T.grad(cost, [h0])
    f = function([xs, h0], [out, g])
    got_out, got_g = f(XS, np.ones(3))
    np.testing.assert_allclose(got_out, out.tag.test_value, rtol=1e-15)
    np.testing.assert_allclose(got_g, g.tag.test_value, rtol=1e-12)
    np.testing.assert_allclose(got_g, np.exp(-XS).prod(axis=0), rtol=1e-12)
