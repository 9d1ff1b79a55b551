"""RNGStepper: draw, back, forward and reseed give the same numbers back; refresh; messages."""

import json

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab.notebook import RNGStepper
from symlab.notebook.labels import LABELS, LANGUAGES
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
    stepper.reseed(" 42 ")  # the seed box's text
    np.testing.assert_array_equal(stepper.draw(), first)


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
    assert stepper.error == ("RNGStepper.reseed: 'x' is not a seed: a seed must be a whole "
                             "number from 0 to 4294967295")
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


# ---------------------------------------------------------------- seeds and their errors

MT_RULE = "a seed must be a whole number from 0 to 4294967295"  # RandomState: 2**32 - 1


def _stepped(rv, draws=3):
    stepper = RNGStepper(rv)
    for _ in range(draws):
        stepper.draw()
    return stepper


def _shown(stepper):
    """Everything the widget shows, to check that a refused action changed none of it."""
    return (stepper.fingerprint, stepper.position, stepper.draws, json.dumps(stepper.values),
            stepper.can_back, stepper.can_forward, stepper.history.draws)


@pytest.mark.parametrize("seed, message", [
    ("99999999999999999999", f"the seed 99999999999999999999 is out of range: {MT_RULE}"),
    (10 ** 20, f"the seed 100000000000000000000 is out of range: {MT_RULE}"),
    (2 ** 32, f"the seed 4294967296 is out of range: {MT_RULE}"),
    ("-1", f"the seed -1 is out of range: {MT_RULE}"),
    (-1, f"the seed -1 is out of range: {MT_RULE}"),
    ("", f"the seed box is empty: {MT_RULE}"),
    ("   ", f"the seed box is empty: {MT_RULE}"),
    ("abc", f"'abc' is not a seed: {MT_RULE}"),
    ("4.5", f"'4.5' is not a seed: {MT_RULE}"),
    ("1e3", f"'1e3' is not a seed: {MT_RULE}"),
    (4.0, f"4.0 is not a seed: {MT_RULE}"),
    (True, f"True is not a seed: {MT_RULE}"),
    (None, f"None is not a seed: {MT_RULE}"),
])
def test_a_bad_seed_is_reported_and_changes_nothing(rv_u, seed, message):
    stepper = _stepped(rv_u)
    before = _shown(stepper)
    with pytest.raises(ValueError) as raised:
        stepper.reseed(seed)
    assert str(raised.value) == "RNGStepper.reseed: " + message
    assert stepper.error == str(raised.value)
    assert _shown(stepper) == before
    stepper.error = ""
    send_custom(stepper, {"action": "reseed", "seed": seed})  # the same, from the page
    assert stepper.error == "RNGStepper.reseed: " + message
    assert _shown(stepper) == before


def test_a_reseed_message_without_a_seed_is_an_empty_box(rv_u):
    stepper = RNGStepper(rv_u)
    send_custom(stepper, {"action": "reseed"})
    assert stepper.error == f"RNGStepper.reseed: the seed box is empty: {MT_RULE}"


def test_the_largest_seed_is_taken(rv_u):
    stepper = RNGStepper(rv_u)
    stepper.reseed(str(2 ** 32 - 1))
    np.testing.assert_array_equal(
        stepper.draw(), np.random.RandomState(2 ** 32 - 1).uniform(0.0, 1.0, (2, 2)))
    assert stepper.error == ""


def test_a_reseed_starts_the_count_again(rv_u):
    stepper = _stepped(rv_u)
    assert "step 3 of 3" in repr(stepper)
    stepper.back()
    send_custom(stepper, {"action": "reseed", "seed": "42"})
    assert stepper.error == ""
    assert (stepper.position, stepper.draws, stepper.values) == (0, 0, [])
    assert not stepper.can_back and not stepper.can_forward
    assert stepper.histogram == {}
    assert "step 0 of 0" in repr(stepper)
    expected = np.random.RandomState(42)
    drawn = stepper.draw()
    np.testing.assert_array_equal(drawn, expected.uniform(0.0, 1.0, (2, 2)))
    assert (stepper.position, stepper.draws) == (1, 1)
    np.testing.assert_array_equal(stepper.values, drawn)
    stepper.back()
    assert (stepper.position, stepper.values) == (0, [])
    with pytest.raises(IndexError):  # the steps before the reseed are not the stepper's
        stepper.back()
    assert stepper.error == "back(1): the stepper holds steps 0 to 1 and shows step 0"
    assert stepper.position == 0
    stepper.forward()
    np.testing.assert_array_equal(stepper.values, drawn)


def test_a_reseed_of_a_stream_starts_the_count_again():
    srng = RandomStreams(seed=234)
    u = srng.uniform((2, 2))
    stepper = _stepped(srng, 2)
    stepper.reseed(234)
    assert (stepper.position, stepper.draws, stepper.values) == (0, 0, [])
    np.testing.assert_allclose(stepper.draw()[0], FIRST, rtol=1e-7)
    assert stepper.labels == [str(u)] and stepper.position == 1


def test_code_moving_the_history_before_the_reseed_shows_its_own_steps(rv_u):
    stepper = _stepped(rv_u)
    stepper.reseed(5)
    stepper.draw()
    history(rv_u).back(2)  # code goes past the reseed, into the old seed's steps
    stepper.refresh()
    h = history(rv_u)
    assert (stepper.position, stepper.draws) == (h.draws, h.last) == (2, 4)
    assert stepper.can_back


def test_seed_ranges_follow_the_kind_of_state():
    from symlab.sandbox.rng_mrg import MRG_RandomStreams
    mrg = MRG_RandomStreams(seed=12345)
    mrg.uniform((3,))
    stepper = RNGStepper(mrg)
    assert stepper.seed_range() == (1, 2147462578)
    with pytest.raises(ValueError):
        stepper.reseed(0)
    assert stepper.error == ("RNGStepper.reseed: the seed 0 is out of range: a seed must be a "
                             "whole number from 1 to 2147462578")
    stepper.reseed(2147462578)
    assert stepper.error == ""

    generator = RandomStreams(seed=1, kind="generator")
    generator.uniform((2, 2))
    stepper = RNGStepper(generator)
    assert stepper.seed_range() == (0, None)
    stepper.reseed("99999999999999999999")  # SeedSequence takes any size
    child = np.random.SeedSequence(99999999999999999999).spawn(1)[0]
    np.testing.assert_array_equal(
        stepper.draw()[0], np.random.Generator(np.random.PCG64(child)).uniform(0, 1, (2, 2)))
    with pytest.raises(ValueError):
        stepper.reseed(-3)
    assert stepper.error.endswith("a seed must be a whole number, 0 or more")


@pytest.mark.parametrize("n", [-1, 1.5, "2", None, True])
def test_a_bad_count_of_steps_is_reported(rv_u, n):
    stepper = _stepped(rv_u, 2)
    before = _shown(stepper)
    for action in ("back", "forward"):
        with pytest.raises(ValueError):
            getattr(stepper, action)(n)
        assert stepper.error == (f"RNGStepper.{action}: n must be a non-negative int; "
                                 f"got {n!r}")
        assert _shown(stepper) == before
        stepper.error = ""
        send_custom(stepper, {"action": action, "n": n})
        assert stepper.error.startswith(f"RNGStepper.{action}: n must be")


def test_a_failing_draw_is_reported():
    rv = RandomStreams(seed=3).normal((2,), std=-1.0)  # NumPy refuses a negative scale
    stepper = RNGStepper(rv)
    before = _shown(stepper)
    with pytest.raises(ValueError):
        stepper.draw()
    assert "scale < 0" in stepper.error and "normal" in stepper.error
    assert _shown(stepper) == before
    stepper.error = ""
    send_custom(stepper, {"action": "draw"})
    assert "scale < 0" in stepper.error


def test_any_other_failure_of_a_message_is_shown(rv_u, monkeypatch):
    stepper = _stepped(rv_u, 1)

    def broken(seed):
        raise RuntimeError("the state's storage is gone")

    monkeypatch.setattr(stepper.history, "reseed", broken)  # a collaborator failing oddly
    send_custom(stepper, {"action": "reseed", "seed": "5"})
    assert stepper.error == ("RNGStepper.reseed failed: RuntimeError: the state's storage "
                             "is gone")
    assert stepper.position == 1


def test_a_good_action_clears_the_error(rv_u):
    stepper = _stepped(rv_u, 1)
    send_custom(stepper, {"action": "reseed", "seed": ""})
    assert stepper.error
    send_custom(stepper, {"action": "draw"})
    assert stepper.error == ""


# ---------------------------------------------------------------- words

def test_the_widget_and_python_say_the_step_the_same_way(rv_u):
    stepper = _stepped(rv_u)
    shown = stepper.texts["rng_step"].format(position=stepper.position, draws=stepper.draws)
    assert shown == "step 3 of 3"
    assert f": {shown}," in repr(stepper)
    assert set(stepper.texts) == {k for k in LABELS if k.startswith(("rng_", "common_"))}


@pytest.fixture
def chinese():
    """``symlab.config.language = 'zh'`` for one test."""
    symlab.config.language = "zh"
    yield
    symlab.config.language = "en"


def test_chinese_words_and_errors(rv_u, chinese):
    stepper = _stepped(rv_u, 2)
    zh = LANGUAGES.index("zh")
    assert stepper.texts["rng_draw"] == LABELS["rng_draw"][zh] == "抽取"
    assert "第 2 步，共 2 步" in repr(stepper)
    send_custom(stepper, {"action": "reseed", "seed": ""})
    assert stepper.error == "RNGStepper.reseed: 种子框是空的：种子必须是从 0 到 4294967295 的整数"
    send_custom(stepper, {"action": "forward"})
    assert stepper.error == "forward(1)：步进器保存的是第 0 到第 2 步，现在显示第 2 步"
    symlab.config.language = "en"
    assert RNGStepper(rv_u).texts["rng_draw"] == "draw"  # read when a widget is made
    assert "第 2 步" in repr(stepper)
