"""The history of calls that draw in a loop (scan): replay gives the steps' draws.

References: the loop's own outputs (whose numbers tests/control/test_scan_random_steps.py
checks against NumPy and Theano 1.0.5), NumPy's RandomState drawing step by step from
the state Theano's seeding gives, and draws replayed from recorded values against draws
redrawn from the saved state.
"""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function
from symlab.random import RandomStreams, draws, history
from symlab.random.history import _pending_states
from symlab.sandbox.rng_mrg import MRG_RandomStreams

STREAMS = {
    "randomstate": lambda seed: RandomStreams(seed),
    "generator": lambda seed: RandomStreams(seed, kind="generator"),
    "philox": lambda seed: RandomStreams(seed, kind="philox"),
    "mrg": lambda seed: MRG_RandomStreams(seed),
}


def theano_first_state(seed):
    """The RandomState of the first variable of Theano's RandomStreams(seed)."""
    return np.random.RandomState(np.random.RandomState(seed).randint(2 ** 30))


def only(replayed):
    """The values of a stream's replay in which one variable drew."""
    (values,) = replayed.values()
    return values


def loop_of_uniforms(srng, n_steps=3, size=(2,)):
    out, updates = symlab.scan(lambda: srng.uniform(size), n_steps=n_steps)
    (state,) = updates
    return function([], out, updates=updates), state


def test_replay_of_a_loop_is_its_steps_stacked_as_numpy_draws_them():
    srng = RandomStreams(123)
    f, state = loop_of_uniforms(srng)
    calls = [f() for _ in range(3)]
    by_hand = theano_first_state(123)
    want = [np.array([by_hand.uniform(size=2) for _ in range(3)]) for _ in range(3)]
    h, hv = history(srng), history(state)
    for k in (1, 2, 3):
        (replayed,) = h.replay(k).values()
        assert replayed.shape == (3, 2)
        np.testing.assert_array_equal(replayed, want[k - 1])
        np.testing.assert_array_equal(hv.replay(k), calls[k - 1])


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_replay_redraws_a_loop_from_the_saved_state_when_values_are_dropped(kind):
    srng = STREAMS[kind](8)
    f, state = loop_of_uniforms(srng, n_steps=4)
    calls = [f() for _ in range(3)]
    hv = history(state)
    recorded = [hv.replay(k) for k in (1, 2, 3)]
    hv.max_value_bytes = 0
    f()                         # a step trims the values: replay now redraws them
    assert hv._value_bytes == 0
    for k in (1, 2, 3):
        np.testing.assert_array_equal(recorded[k - 1], calls[k - 1])
        np.testing.assert_array_equal(hv.replay(k), calls[k - 1])
        np.testing.assert_array_equal(only(history(srng).replay(k)), calls[k - 1])


def test_replay_steps_lists_one_array_per_draw():
    srng = RandomStreams(123)
    f, state = loop_of_uniforms(srng)
    g = function([], srng.normal((2,)))
    loop, once = f(), g()
    (steps,) = history(srng).replay_steps(1).values()
    assert isinstance(steps, list) and len(steps) == 3
    for a, b in zip(steps, loop):
        np.testing.assert_array_equal(a, b)
    (single,) = history(srng).replay_steps(2).values()
    assert isinstance(single, list) and len(single) == 1
    np.testing.assert_array_equal(single[0], once)
    np.testing.assert_array_equal(history(state).replay_steps(1)[2], loop[2])
    with pytest.raises(IndexError, match=r"replay_steps\(3\)"):
        history(srng).replay_steps(3)


def test_a_loop_of_one_step_keeps_its_step_axis():
    srng = RandomStreams(4)
    f, state = loop_of_uniforms(srng, n_steps=1, size=(3,))
    out = f()
    assert out.shape == history(state).replay(1).shape == (1, 3)
    np.testing.assert_array_equal(history(state).replay(1), out)


def test_draws_whose_parameters_and_sizes_come_from_each_step():
    """The Gibbs chain of Theano's scan docs (p from the state), recorded and redrawn,
    and a draw whose size is the step's index: a list of arrays of different shapes."""
    rng = np.random.RandomState(0)
    Wv, bv, bh = rng.randn(4, 3), rng.randn(4), rng.randn(3)
    W, bvis, bhid = (symlab.shared(v) for v in (Wv, bv, bh))
    trng = RandomStreams(1234)

    def one_step(vsample):
        hmean = T.nnet.sigmoid(T.dot(vsample, W) + bhid)
        hsample = trng.binomial(size=hmean.shape, n=1, p=hmean)
        vmean = T.nnet.sigmoid(T.dot(hsample, W.T) + bvis)
        return trng.binomial(size=vsample.shape, n=1, p=vmean, dtype="float64")

    sample = T.dvector("sample")
    values, updates = symlab.scan(one_step, outputs_info=sample, n_steps=6)
    got = function([sample], values, updates=updates)(np.zeros(4))
    h_state, v_state = updates
    for drop in (False, True):
        if drop:
            for state in (h_state, v_state):
                history(state)._release(history(state)._records[1])
        np.testing.assert_array_equal(history(v_state).replay(1), got)
        assert history(h_state).replay(1).shape == (6, 3)
        replayed = history(trng).replay(1)
        assert len(replayed) == 2
    seedgen = np.random.RandomState(1234)
    h_by_hand = np.random.RandomState(seedgen.randint(2 ** 30))
    hidden = [h_by_hand.binomial(1, 1 / (1 + np.exp(-(v @ Wv + bh))), size=3)
              for v in np.vstack([np.zeros(4), got[:-1]])]
    np.testing.assert_array_equal(history(h_state).replay(1), hidden)

    srng = RandomStreams(6)
    sums, updates = symlab.scan(lambda i: srng.uniform((i,)).sum(), sequences=T.arange(1, 4))
    out = function([], sums, updates=updates)()
    (state,) = updates
    with pytest.raises(ValueError, match=r"replay\(1\): the loop's steps drew different "
                                         r"shapes \(\(1,\), \(2,\), \(3,\)\).*replay_steps"):
        history(state).replay(1)
    with pytest.raises(ValueError, match="replay_steps"):
        history(srng).replay(1)
    ragged = history(state).replay_steps(1)
    assert isinstance(ragged, list) and [a.shape for a in ragged] == [(1,), (2,), (3,)]
    (also,) = history(srng).replay_steps(1).values()
    for a, b in zip(also, ragged):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose([a.sum() for a in ragged], out, rtol=1e-15)
    by_hand = theano_first_state(6)
    for n, a in zip((1, 2, 3), ragged):
        np.testing.assert_array_equal(a, by_hand.uniform(size=n))


def test_a_loop_nested_in_a_loop_replays_its_draws_in_order():
    srng = RandomStreams(123)
    out, updates = symlab.scan(lambda: symlab.scan(lambda: srng.uniform((2,)), n_steps=2),
                               n_steps=3)
    f = function([], out, updates=updates)
    first = f()
    (replayed,) = history(srng).replay(1).values()
    assert first.shape == (3, 2, 2) and replayed.shape == (6, 2)
    np.testing.assert_array_equal(replayed, first.reshape(6, 2))


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_back_and_forward_over_calls_that_ran_a_loop(kind):
    srng = STREAMS[kind](21)
    f, state = loop_of_uniforms(srng)
    g = function([], srng.normal((3,)))          # a draw outside any loop, same stream
    calls = [f(), g(), f(), f()]
    h = history(srng)
    assert h.draws == 4
    h.back(3)
    np.testing.assert_array_equal(g(), calls[1])  # a new draw: drops steps 3 and 4
    assert h.last == 2
    np.testing.assert_array_equal(f(), calls[2])
    h.back(2)
    h.forward(1)                                 # the state after the call of g
    np.testing.assert_array_equal(f(), calls[2])
    np.testing.assert_array_equal(only(h.replay(3)), calls[2])
    hv = history(state)
    hv.back(1)
    np.testing.assert_array_equal(f(), calls[2])
    np.testing.assert_array_equal(hv.replay(hv.draws), calls[2])


def test_a_call_without_updates_leaves_no_chain_behind():
    srng = RandomStreams(5)
    f, state = loop_of_uniforms(srng)
    out, _ = symlab.scan(lambda: srng.uniform((2,)), n_steps=3)
    frozen = function([], out, no_default_updates=True)
    frozen()
    first = f()
    np.testing.assert_array_equal(only(history(srng).replay(1)), first)
    before = len(_pending_states)
    for _ in range(20):
        f()
        frozen()
    assert len(_pending_states) <= before + 2


def test_a_loop_over_the_byte_budget_keeps_its_recipes_then_refuses_to_replay(monkeypatch):
    srng = RandomStreams(9)
    f, state = loop_of_uniforms(srng, n_steps=50, size=(100,))   # 800 bytes of values a step
    hv = history(state)
    first = f()
    loop = hv._records[1].draw
    assert loop.complete and loop.kept_bytes == 50 * 800
    recipe = loop.steps[0].recipe_bytes
    # Room for every recipe and three steps' values: the others' values are dropped.
    monkeypatch.setattr(draws, "MAX_LOOP_BYTES", 50 * recipe + 3 * 800)
    second = f()
    loop = hv._records[2].draw
    assert loop.complete and len(loop.steps) == 50 and loop.kept_bytes == 3 * 800
    np.testing.assert_array_equal(hv.replay(2), second)             # redrawn
    np.testing.assert_array_equal(hv.replay(1), first)              # recorded
    # Room for 10 recipes: the record is incomplete, replay says so; back still works.
    monkeypatch.setattr(draws, "MAX_LOOP_BYTES", 10 * recipe)
    third = f()
    assert not hv._records[3].draw.complete and hv._records[3].draw.kept_bytes == 0
    with pytest.raises(ValueError, match=r"replay\(3\): the loop drew 50 times and the history "
                                         r"kept the recipes of its first 10 steps"):
        hv.replay(3)
    hv.back(1)
    np.testing.assert_array_equal(f(), third)
