"""Theano's "More Examples" tutorial, step by step, with the documented values.

Each test follows the tutorial's code after ``import symlab as theano``;
the expected numbers are the tutorial's (or closed forms written here).
"""

import math

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab import In, function, shared


def logistic_by_hand(v):
    return 1.0 / (1.0 + math.exp(-v))


def test_logistic_function_first_form():
    x = T.dmatrix("x")
    s = 1 / (1 + T.exp(-x))
    logistic = theano.function([x], s)
    out = logistic([[0, 1], [-1, -2]])
    documented = [[0.5, 0.73105858], [0.26894142, 0.11920292]]
    np.testing.assert_allclose(out, documented, atol=5e-9)
    exact = [[logistic_by_hand(v) for v in row] for row in [[0, 1], [-1, -2]]]
    np.testing.assert_allclose(out, exact, rtol=1e-15)
    assert out.dtype == np.float64 and out.shape == (2, 2)


def test_logistic_function_second_form_equals_first():
    x = T.dmatrix("x")
    s2 = (1 + T.tanh(x / 2)) / 2
    logistic2 = theano.function([x], s2)
    out = logistic2([[0, 1], [-1, -2]])
    np.testing.assert_allclose(out, [[0.5, 0.73105858], [0.26894142, 0.11920292]], atol=5e-9)
    exact = [[logistic_by_hand(v) for v in row] for row in [[0, 1], [-1, -2]]]
    np.testing.assert_allclose(out, exact, rtol=1e-15)


def test_several_outputs_at_once():
    a, b = T.dmatrices("a", "b")
    diff = a - b
    abs_diff = abs(diff)
    diff_squared = diff ** 2
    f = theano.function([a, b], [diff, abs_diff, diff_squared])
    result = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    assert isinstance(result, list) and len(result) == 3
    np.testing.assert_array_equal(result[0], [[1.0, 0.0], [-1.0, -2.0]])
    np.testing.assert_array_equal(result[1], [[1.0, 0.0], [1.0, 2.0]])
    np.testing.assert_array_equal(result[2], [[1.0, 0.0], [1.0, 4.0]])


def test_default_value_for_an_argument():
    x, y = T.dscalars("x", "y")
    z = x + y
    f = function([x, In(y, value=1)], z)
    assert f(33) == 34.0
    assert f(33, 2) == 35.0


def test_defaults_and_keyword_arguments():
    x, y, w = T.dscalars("x", "y", "w")
    z = (x + y) * w
    f = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
    assert f(33) == 68.0
    assert f(33, 2) == 70.0
    assert f(33, 0, 1) == 33.0
    assert f(33, w_by_name=1) == 34.0
    assert f(33, w_by_name=1, y=0) == 33.0
    result = f(33)
    assert isinstance(result, np.ndarray) and result.shape == () and result.dtype == np.float64


def test_shared_accumulator_and_decrementor():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert state.type.dtype == "int64" and state.type.ndim == 0

    assert accumulator(1) == 0          # outputs are computed before the update
    assert state.get_value() == 1
    assert accumulator(300) == 1
    assert state.get_value() == 301

    state.set_value(-1)
    assert accumulator(3) == -1
    assert state.get_value() == 2

    decrementor = function([inc], state, updates=[(state, state - inc)])
    assert decrementor(2) == 2
    assert state.get_value() == 0


def test_givens_replace_a_shared_variable():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    accumulator(5)
    fn_of_state = state * 2 + inc
    foo = T.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert skip_shared(1, 3) == 7
    assert state.get_value() == 5       # the shared value was not used nor changed


def test_copy_with_swap_and_delete_updates():
    state = shared(0)
    inc = T.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert accumulator(10) == 0
    assert state.get_value() == 10

    new_state = shared(0)
    new_accumulator = accumulator.copy(swap={state: new_state})
    result = new_accumulator(100)
    assert isinstance(result, np.ndarray) and result == 0   # same kind of result as the original
    assert new_state.get_value() == 100
    assert state.get_value() == 10

    null_accumulator = accumulator.copy(delete_updates=True)
    assert null_accumulator(9000) == 10
    assert state.get_value() == 10


def test_eval_compiles_and_evaluates():
    x, y = T.dscalars("x", "y")
    z = x * y + 1
    assert z.eval({x: 2.0, y: 3.5}) == 8.0
    assert z.eval({x: 1.0, y: 1.0}) == 2.0      # cached function, new values
    assert len(z._eval_cache) == 1
    assert (T.constant(3) * 2).eval() == 6


@pytest.mark.parametrize("form", ["pairs", "dict"])
def test_updates_given_as_pairs_or_dict(form):
    a = shared(np.array([1.0, 2.0]), name="a")
    b = shared(np.array([10.0, 20.0]), name="b")
    updates = [(a, a + b), (b, b * 2)]
    f = function([], [], updates=updates if form == "pairs" else dict(updates))
    assert f() == []
    np.testing.assert_array_equal(a.get_value(), [11.0, 22.0])
    np.testing.assert_array_equal(b.get_value(), [20.0, 40.0])


def test_updates_read_the_old_values():
    a = shared(1.0, name="a")
    b = shared(2.0, name="b")
    swap = function([], [a, b], updates=[(a, b), (b, a)])
    assert swap() == [1.0, 2.0]
    assert (a.get_value(), b.get_value()) == (2.0, 1.0)


def test_import_aliases_match_theano():
    import symlab.tensor as tensor_module
    assert theano.tensor is tensor_module
    assert theano.function is function
    assert theano.dprint is theano.printing.debugprint
