"""Random draws made inside scan's step function: a new draw at every step, the stream's
updates returned by scan, the history, and gradients through a per-step dropout mask.

References: NumPy's RandomState drawing step by step from the state Theano's seeding
gives; Theano 1.0.5's own numbers (dev/theano_reference/scan_random_steps.py); for the
other kinds of stream, the same draw made outside any loop, one call per step, from a
stream of the same seed; central differences for the gradients.
"""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import function
from symlab.sandbox.rng_mrg import MRG_RandomStreams
from symlab.tensor.shared_randomstreams import RandomStreams

# Theano 1.0.5: RandomStreams(123), scan(lambda: srng.uniform((2,)), n_steps=3), compiled
# with scan's updates and called twice (dev/theano_reference/scan_random_steps.py).
THEANO_TWO_CALLS = [
    [[0.7280300912545745, 0.5904412261514114], [0.23715077050290478, 0.6995893216388134],
     [0.8660878230375073, 0.35008631857747097]],
    [[0.37173976429434885, 0.559410602726902], [0.33626033500445207, 0.6200378878364378],
     [0.8139602870954176, 0.22291473918732596]],
]

STREAMS = {
    "randomstate": lambda seed: RandomStreams(seed),
    "generator": lambda seed: RandomStreams(seed, kind="generator"),
    "philox": lambda seed: RandomStreams(seed, kind="philox"),
    "mrg": lambda seed: MRG_RandomStreams(seed),
}


def theano_first_state(seed):
    """The RandomState of the first variable of Theano's RandomStreams(seed)."""
    return np.random.RandomState(np.random.RandomState(seed).randint(2 ** 30))


def step_by_step(kind, seed, draw, n_calls):
    """``draw(stream)`` made outside any loop, compiled once, called ``n_calls`` times."""
    f = function([], draw(STREAMS[kind](seed)))
    return np.array([f() for _ in range(n_calls)])


def test_theano_numbers_and_numpy_step_by_step():
    srng = RandomStreams(123)
    out, updates = symlab.scan(lambda: srng.uniform((2,)), n_steps=3)
    assert len(updates) == 1
    f = function([], out, updates=updates)
    first, second = f(), f()
    np.testing.assert_array_equal([first, second], THEANO_TWO_CALLS)
    state = theano_first_state(123)
    by_hand = [state.uniform(size=2) for _ in range(6)]
    np.testing.assert_array_equal(np.concatenate([first, second]), by_hand)


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_each_step_draws_anew_as_drawing_step_by_step(kind):
    srng = STREAMS[kind](11)
    out, updates = symlab.scan(lambda prev: prev + srng.uniform((3,)),
                               outputs_info=T.zeros((3,)), n_steps=4)
    f = function([], out, updates=updates)
    steps = np.concatenate([np.diff(f(), axis=0, prepend=0.0) for _ in range(2)])
    want = step_by_step(kind, 11, lambda s: s.uniform((3,)), 8)
    np.testing.assert_allclose(steps, want, rtol=1e-12, atol=1e-15)
    assert len({tuple(row) for row in steps}) == 8


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_dropout_mask_of_the_row_shape_is_drawn_per_step(kind):
    """The tutorial's trng.binomial(size=h.shape, p=0.5), h a row of the sequence."""
    srng = STREAMS[kind](5)
    # MRG's numbers depend on its number of substreams, guessed from a size known when the
    # graph is built: give it, so that the symbolic size and the literal one draw alike.
    extra = {"nstreams": 64} if kind == "mrg" else {}
    H = T.dmatrix("H")
    out, updates = symlab.scan(lambda h: h * srng.binomial(size=h.shape, p=0.5, n=1, **extra),
                               sequences=H)
    f = function([H], out, updates=updates)
    rows = np.arange(1.0, 1.0 + 6 * 16).reshape(6, 16)
    got = f(rows)
    masks = step_by_step(kind, 5, lambda s: s.binomial(size=(16,), p=0.5, n=1, **extra), 6)
    np.testing.assert_array_equal(got, rows * masks)
    assert len({tuple(m) for m in masks}) > 1


def test_draw_whose_parameters_come_from_the_step():
    """The Gibbs chain of Theano's scan docs: p from the state, size from the state's shape."""
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
    values, updates = symlab.scan(one_step, outputs_info=sample, n_steps=10)
    assert len(updates) == 2
    got = function([sample], values, updates=updates)(np.zeros(4))
    seedgen = np.random.RandomState(1234)
    h_state = np.random.RandomState(seedgen.randint(2 ** 30))
    v_state = np.random.RandomState(seedgen.randint(2 ** 30))
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    v, want = np.zeros(4), []
    for _ in range(10):
        h = h_state.binomial(1, sig(v @ Wv + bh), size=3)
        v = v_state.binomial(1, sig(h @ Wv.T + bv), size=4).astype("float64")
        want.append(v)
    np.testing.assert_array_equal(got, want)


def test_a_loop_inside_the_step_draws_at_every_inner_step():
    srng = RandomStreams(123)

    def outer_step():
        return symlab.scan(lambda: srng.uniform((2,)), n_steps=2)

    out, updates = symlab.scan(outer_step, n_steps=3)
    assert len(updates) == 1
    f = function([], out, updates=updates)
    state = theano_first_state(123)
    by_hand = np.array([state.uniform(size=2) for _ in range(12)]).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal([f(), f()], by_hand)


def test_updates_advance_the_stream_and_the_default_update_does_too():
    srng = RandomStreams(3)
    out, updates = symlab.scan(lambda: srng.normal((2,)), n_steps=3)
    (state, final), = updates.items()
    assert state.default_update is final
    with_updates = function([], out, updates=updates)
    without = function([], out)                        # the default update advances it
    frozen = function([], out, no_default_updates=True)
    calls = [with_updates(), without(), frozen(), frozen(), with_updates()]
    state_by_hand = theano_first_state(3)
    by_hand = [state_by_hand.normal(size=2) for _ in range(9)]
    np.testing.assert_array_equal(calls[0], by_hand[0:3])
    np.testing.assert_array_equal(calls[1], by_hand[3:6])
    np.testing.assert_array_equal(calls[2], by_hand[6:9])
    np.testing.assert_array_equal(calls[3], by_hand[6:9])   # no update: the same numbers
    np.testing.assert_array_equal(calls[4], by_hand[6:9])


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_history_back_redraws_a_whole_loop(kind):
    srng = STREAMS[kind](8)
    out, updates = symlab.scan(lambda: srng.uniform((2,)), n_steps=3)
    f = function([], out, updates=updates)
    first, second = f(), f()
    history = srng.history
    assert history.draws == 2
    history.back(1)
    np.testing.assert_array_equal(f(), second)
    history.back(2)
    np.testing.assert_array_equal(f(), first)
    with pytest.raises(IndexError):
        history.forward(5)


def test_history_replays_the_draws_of_a_loop():
    """replay(k) of a call that ran a loop gives the steps' draws stacked, as scan stacks
    them (tests/random/test_history_loops.py tests the rest)."""
    srng = RandomStreams(8)
    out, updates = symlab.scan(lambda: srng.uniform((2,)), n_steps=3)
    first = function([], out, updates=updates)()
    (replayed,) = srng.history.replay(1).values()
    assert replayed.shape == (3, 2)
    np.testing.assert_array_equal(replayed, first)


def central_gradient(f, x, step=1e-6):
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        out[index] = (f(up) - f(down)) / (2 * step)
    return out


@pytest.mark.parametrize("kind", sorted(STREAMS))
def test_gradient_through_a_dropout_mask_drawn_per_step(kind):
    """With the state held fixed (no_default_updates), the cost is a smooth function of W
    and its gradient, computed through the loop, matches central differences."""
    srng = STREAMS[kind](21)
    X, W = T.dmatrix("X"), T.dmatrix("W")

    def step(x_t, h, W):
        mask = srng.binomial(size=h.shape, p=0.5, n=1, dtype="float64")
        return T.tanh(T.dot(h * mask, W) + x_t)

    hs, _ = symlab.scan(step, sequences=X, outputs_info=T.ones((3,)), non_sequences=W)
    cost = T.sum(hs ** 2)
    cost_fn = function([X, W], cost, no_default_updates=True)
    grad_fn = function([X, W], T.grad(cost, W), no_default_updates=True)
    rng = np.random.default_rng(4)
    xv, Wv = rng.normal(size=(5, 3)), rng.normal(size=(3, 3))
    assert cost_fn(xv, Wv) == cost_fn(xv, Wv)             # the masks stay the same
    np.testing.assert_allclose(grad_fn(xv, Wv),
                               central_gradient(lambda w: float(cost_fn(xv, w)), Wv),
                               rtol=1e-6, atol=1e-8)
