"""RNGStepper: draw, back, forward and reseed give the same numbers back; refresh; messages."""

import json

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab.notebook import RNGStepper
from symlab.notebook.rng_stepper import VALUES_LIMIT
from symlab.random import history
from symlab.tensor.shared_randomstreams import RandomStreams

from widget_messages import send_custom

# Theano's tutorial: RandomStreams(seed=234).uniform((2, 2)), drawn twice.
FIRST = [[0.12672381, 0.97091597], [0.13989098, 0.88754825]]
SECOND = [[0.31971415, 0.47584377], [0.24129163, 0.42046081]]



@pytest.fixture(autouse=True)
def at_once(monkeypatch):
    """Every notification refreshes at once, whether or not an IPython shell is running
    (inside one, the interval would defer some to the end of the cell)."""
    monkeypatch.setattr(RNGStepper, "refresh_interval", 0.0)

@pytest.fixture
def rv_u():
    return RandomStreams(seed=234).uniform((2, 2))


def test_draw_back_forward_give_the_same_numbers(rv_u):
    stepper = RNGStepper(rv_u)
    assert (stepper.draws, stepper.position, stepper.values) == (0, 0, [])
    assert not stepper.can_back and not stepper.can_forward
    start = stepper.fingerprint
    assert len(start) == 12
    np.testing.assert_allclose(stepper.draw(), FIRST, rtol=1e-7)
    np.testing.assert_allclose(stepper.values, FIRST, rtol=1e-7)
    np.testing.assert_allclose(stepper.draw(), SECOND, rtol=1e-7)
    assert (stepper.draws, stepper.position) == (2, 2)
    assert stepper.can_back and not stepper.can_forward
    stepper.back()
    assert (stepper.draws, stepper.position) == (2, 1)
    np.testing.assert_allclose(stepper.values, FIRST, rtol=1e-7)  # the numbers of step 1
    assert stepper.can_back and stepper.can_forward
    np.testing.assert_allclose(stepper.draw(), SECOND, rtol=1e-7)  # drawn again
    stepper.back(2)
    assert stepper.position == 0 and stepper.values == [] and stepper.fingerprint == start
    stepper.forward(2)
    assert stepper.position == 2
    np.testing.assert_allclose(stepper.values, SECOND, rtol=1e-7)
    assert stepper.error == ""


def test_moving_past_either_end_sets_error_and_raises(rv_u):
    stepper = RNGStepper(rv_u)
    stepper.draw()
    with pytest.raises(IndexError):
        stepper.forward()
    assert "forward(1)" in stepper.error and "holds steps 0 to 1" in stepper.error
    with pytest.raises(IndexError):
        stepper.back(2)
    assert stepper.position == 1
    stepper.back()
    assert stepper.error == ""


def test_reseed_gives_the_same_numbers_again(rv_u):
    stepper = RNGStepper(rv_u)
    stepper.reseed(42)
    seeded = stepper.fingerprint
    first = stepper.draw()
    stepper.draw()
    stepper.reseed(42)
    assert stepper.fingerprint == seeded
    np.testing.assert_array_equal(stepper.draw(), first)
    np.testing.assert_array_equal(first, np.random.RandomState(42).uniform(0.0, 1.0, (2, 2)))
    with pytest.raises(ValueError, match="non-negative int"):
        stepper.reseed("42")
    assert "non-negative int" in stepper.error


def test_the_users_own_calls_refresh_the_stepper(rv_u):
    stepper = RNGStepper(rv_u)
    f = symlab.function([], rv_u, name="f")
    drawn = f()
    assert stepper.position == 1
    np.testing.assert_array_equal(stepper.values, drawn)
    history(rv_u).back()  # a move made by code: its notification precedes the cursor's move
    stepper.refresh()  # what IPython's post_run_cell does after the cell (test_magics)
    assert stepper.position == 0 and stepper.can_forward
    rv_u.rng.set_value(np.random.RandomState(7))
    assert stepper.fingerprint == history(rv_u).fingerprint
    assert stepper.draws == 0  # a value set from outside drops the steps after


def test_messages_from_the_front_end(rv_u):
    stepper = RNGStepper(rv_u)
    send_custom(stepper, {"action": "draw"})
    send_custom(stepper, {"action": "draw"})
    np.testing.assert_allclose(stepper.values, SECOND, rtol=1e-7)
    send_custom(stepper, {"action": "back"})
    np.testing.assert_allclose(stepper.values, FIRST, rtol=1e-7)
    send_custom(stepper, {"action": "forward"})
    assert stepper.position == 2
    send_custom(stepper, {"action": "forward"})  # past the end: error, not an exception
    assert "forward(1)" in stepper.error
    send_custom(stepper, {"action": "back", "n": 2})
    assert stepper.position == 0 and stepper.error == ""
    send_custom(stepper, {"action": "reseed", "seed": 42})
    send_custom(stepper, {"action": "draw"})
    np.testing.assert_array_equal(stepper.values,
                                  np.random.RandomState(42).uniform(0.0, 1.0, (2, 2)))
    send_custom(stepper, {"action": "reseed", "seed": "x"})
    assert "seed must be a non-negative int" in stepper.error
    send_custom(stepper, {"action": "jump"})
    assert "unknown message 'jump'" in stepper.error


def test_a_stream_steps_all_its_variables():
    srng = RandomStreams(seed=234)
    u = srng.uniform((2, 2))
    n = srng.normal((30,))
    n.name = "noise"
    stepper = RNGStepper(srng)
    assert stepper.labels == [str(u), "noise"]
    first = stepper.draw()
    np.testing.assert_allclose(first[0], FIRST, rtol=1e-7)
    assert len(stepper.values) == 2 and np.shape(stepper.values[1]) == (30,)
    histogram = stepper.histogram
    assert histogram["label"] == "noise" and sum(histogram["counts"]) == 30
    assert len(histogram["edges"]) == len(histogram["counts"]) + 1
    second = stepper.draw()
    only_u = symlab.function([], u, name="only_u")()  # a step of the stream: u drew alone
    assert stepper.position == 3 and stepper.values[1] is None
    np.testing.assert_allclose(stepper.values[0], only_u)
    stepper.back(2)
    np.testing.assert_allclose(stepper.values[1], first[1])
    np.testing.assert_allclose(stepper.draw()[1], second[1])
    stepper.reseed(234)
    np.testing.assert_allclose(stepper.draw()[0], FIRST, rtol=1e-7)


def test_large_draws_are_cut_and_get_a_histogram():
    srng = RandomStreams(seed=1)
    big = srng.uniform((50, 40))
    stepper = RNGStepper(big)
    drawn = stepper.draw()
    assert np.size(stepper.values) <= VALUES_LIMIT and np.shape(stepper.values) == (10, 10)
    np.testing.assert_array_equal(stepper.values, drawn[:10, :10])
    assert sum(stepper.histogram["counts"]) == 2000
    assert stepper.histogram["edges"][0] == drawn.min()
    json.dumps(stepper.get_state(), allow_nan=False)
    dice = srng.random_integers((100,), 1, 6)
    stepper = RNGStepper(dice)
    stepper.draw()
    assert stepper.histogram["edges"] == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]
    assert sum(stepper.histogram["counts"]) == 100
    small = RNGStepper(srng.normal((5,)))
    small.draw()
    assert small.histogram == {}


def test_a_shared_state_finds_its_random_variable(rv_u):
    stepper = RNGStepper(rv_u.rng)
    np.testing.assert_allclose(stepper.draw(), FIRST, rtol=1e-7)


def test_a_draw_that_needs_inputs_reports_it():
    x = T.dvector("x")
    rv = RandomStreams(seed=3).uniform(x.shape)
    stepper = RNGStepper(rv)
    with pytest.raises(ValueError, match="cannot draw .* without inputs"):
        stepper.draw()
    assert "without inputs" in stepper.error and "x" in stepper.error


def test_the_wrong_kind_of_object_is_refused():
    with pytest.raises(TypeError, match="expected a random variable .* got TensorVariable"):
        RNGStepper(T.dvector("x"))


def test_close_unsubscribes(rv_u):
    observers = len(rv_u.rng._observers)
    stepper = RNGStepper(rv_u)
    assert len(rv_u.rng._observers) == observers + 1
    stepper.close()
    assert len(rv_u.rng._observers) == observers


def test_mrg_streams_step_too():
    from symlab.sandbox.rng_mrg import MRG_RandomStreams
    srng = MRG_RandomStreams(seed=12345)
    rv = srng.uniform((3,))
    stepper = RNGStepper(srng)
    first = stepper.draw()[0]
    stepper.draw()
    stepper.back()
    np.testing.assert_array_equal(stepper.values[0], first)
    assert stepper.labels == [str(rv)]
