"""The steppable history: steps, back/forward/replay, failing calls, memory caps, observers."""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.random import MAX_RECORDED_BYTES, RandomStreams, fingerprint, history
from symlab.sandbox.rng_mrg import MRG_RandomStreams


@pytest.fixture
def stream():
    srng = RandomStreams(99)
    u = srng.uniform((3,))
    n = srng.normal((2,))
    f = theano.function([], [u, n])
    return srng, u, n, f


def test_a_stream_step_is_one_call_and_back_3_forward_3(stream):
    srng, u, n, f = stream
    h = history(srng)
    assert h is srng.history and h.draws == 0
    calls = [f() for _ in range(6)]
    assert h.draws == 6 and h.last == 6 and h.first == 0
    after_six = h.fingerprint
    h.back(3)
    assert h.draws == 3
    again = [f() for _ in range(3)]  # the next calls draw steps 4, 5, 6 again
    for (a_u, a_n), (c_u, c_n) in zip(again, calls[3:]):
        np.testing.assert_array_equal(a_u, c_u)
        np.testing.assert_array_equal(a_n, c_n)
    assert h.draws == 6 and h.last == 6 and h.fingerprint == after_six
    h.back(3)
    h.forward(3)  # redo: the state after call 6, without drawing
    assert h.draws == 6 and h.fingerprint == after_six
    nxt = f()
    h.back(1)
    np.testing.assert_array_equal(f()[0], nxt[0])


def test_replay_gives_the_arrays_drawn_at_each_step(stream):
    srng, u, n, f = stream
    calls = [f() for _ in range(4)]
    h = history(srng)
    for k in range(1, 5):
        replayed = h.replay(k)
        assert list(replayed) == [u, n]
        np.testing.assert_array_equal(replayed[u], calls[k - 1][0])
        np.testing.assert_array_equal(replayed[n], calls[k - 1][1])
    hu = history(u)
    np.testing.assert_array_equal(hu.replay(2), calls[1][0])
    # Replayed arrays are copies: changing one changes nothing recorded.
    hu.replay(2)[:] = 0
    np.testing.assert_array_equal(hu.replay(2), calls[1][0])


def test_moving_past_either_end_raises_index_error(stream):
    srng, _, _, f = stream
    h = history(srng)
    f()
    f()
    with pytest.raises(IndexError, match="back\\(3\\)"):
        h.back(3)
    with pytest.raises(IndexError, match="forward\\(1\\)"):
        h.forward(1)
    with pytest.raises(IndexError):
        h.replay(0)
    with pytest.raises(IndexError):
        h.replay(3)
    h.back(2)
    with pytest.raises(IndexError):
        h.back(1)
    with pytest.raises(ValueError, match="non-negative"):
        h.back(-1)
    assert h.draws == 0


def test_a_new_draw_after_going_back_drops_the_steps_after_it(stream):
    srng, u, _, f = stream
    h = history(srng)
    for _ in range(5):
        f()
    h.back(2)
    g = theano.function([], u)  # another function, same variable
    g()
    assert h.draws == 4 and h.last == 4
    with pytest.raises(IndexError):
        h.forward(1)


def test_variable_and_stream_histories_count_their_own_steps(stream):
    srng, u, n, f = stream
    g = theano.function([], u)
    f()
    g()
    g()
    assert history(srng).draws == 3
    assert history(u).draws == 3
    assert history(n).draws == 1
    assert history(u) is history(u) and history(u) is history(u.rng)
    # Going back one variable is seen by the stream as a change of that state.
    history(u).back(1)
    assert history(u).draws == 2
    assert history(srng).draws == 3 and history(srng).last == 3


def test_a_call_drawing_two_variables_is_one_stream_step(stream):
    srng, u, n, f = stream
    fu = theano.function([], u)
    fn = theano.function([], n)
    f()
    fu()
    fn()
    h = history(srng)
    assert h.draws == 3
    assert set(h.replay(1)) == {u, n}
    assert set(h.replay(2)) == {u}
    assert set(h.replay(3)) == {n}
    # Back 2 restores u's state before fu() and n's state before fn().
    expected_u, expected_n = h.replay(2)[u], h.replay(3)[n]
    h.back(2)
    np.testing.assert_array_equal(fu(), expected_u)
    np.testing.assert_array_equal(fn(), expected_n)


def test_a_failing_call_records_no_step_and_advances_nothing(stream):
    srng, u, _, f = stream
    x = T.dvector("x")
    bad = theano.function([x], [u, x.reshape((2, 2))])  # fails at run time unless x has 4 entries
    f()
    h, hu = history(srng), history(u)
    before = (h.draws, h.last, h.fingerprint, hu.draws, hu.fingerprint)
    state = u.rng.get_value().get_state()[1].copy()
    with pytest.raises(ValueError):
        bad(np.ones(3))
    assert (h.draws, h.last, h.fingerprint, hu.draws, hu.fingerprint) == before
    np.testing.assert_array_equal(u.rng.get_value().get_state()[1], state)
    good_u, _ = bad(np.ones(4))
    assert h.draws == before[0] + 1
    np.testing.assert_array_equal(h.replay(h.draws)[u], good_u)


def test_a_call_without_default_updates_records_no_step(stream):
    srng, u, _, _ = stream
    g = theano.function([], u, no_default_updates=True)
    g()
    g()
    assert history(srng).draws == 0 and history(u).draws == 0


def test_fingerprint_is_short_stable_and_follows_the_state(stream):
    srng, u, _, f = stream
    hu = history(u)
    fp0 = hu.fingerprint
    assert len(fp0) == 12 and int(fp0, 16) >= 0
    assert fp0 == fingerprint(u.rng.get_value(borrow=True))
    f()
    assert hu.fingerprint != fp0
    hu.back(1)
    assert hu.fingerprint == fp0
    seed = int(np.random.RandomState(99).randint(2 ** 30))
    assert fp0 == fingerprint(np.random.RandomState(seed))


def test_reseed_and_outside_changes_replace_the_current_state(stream):
    srng, u, _, f = stream
    hu, h = history(u), history(srng)
    f()
    f()
    before_reseed = hu.fingerprint
    hu.reseed(5)
    assert hu.draws == 2 and hu.fingerprint == fingerprint(np.random.RandomState(5))
    np.testing.assert_array_equal(f()[0], np.random.RandomState(5).uniform(0, 1, (3,)))
    hu.back(1)  # the reseeded state is the state of step 2 now
    assert hu.fingerprint == fingerprint(np.random.RandomState(5))
    hu.back(1)
    assert hu.draws == 1 and hu.fingerprint != before_reseed
    # The stream's reseed is srng.seed.
    h.reseed(7)
    copy = RandomStreams(7)
    f_copy = theano.function([], [copy.uniform((3,)), copy.normal((2,))])
    for a, b in zip(f(), f_copy()):
        np.testing.assert_array_equal(a, b)


def test_theanos_save_and_restore_is_seen_by_the_history(stream):
    srng, u, _, f = stream
    hu = history(u)
    state = u.rng.get_value().get_state()
    first = f()[0]
    f()
    rng = u.rng.get_value(borrow=True)
    rng.set_state(state)
    u.rng.set_value(rng, borrow=True)
    assert hu.draws == 2 and hu.last == 2
    np.testing.assert_array_equal(f()[0], first)
    # The step that the restore replaced can still be undone to the states before it.
    hu.back(2)
    assert hu.draws == 1


def test_state_changes_notify_the_shared_variables_observers(stream):
    srng, u, n, f = stream
    events = []
    u.rng.observe(lambda var, event: events.append(event))
    f()
    history(u).back(1)
    history(u).forward(1)
    history(srng).back(1)
    history(u).reseed(3)
    assert events[0] == "update"
    assert len(events) == 5 and all(e == "set_value" for e in events[1:])


def test_memory_is_bounded_by_max_steps(stream):
    srng, u, _, _ = stream
    g = theano.function([], u)
    hu, h = history(u), history(srng)
    hu.max_steps = 5
    h.max_steps = 5
    values = [g() for _ in range(20)]
    assert hu.draws == 20 and hu.first == 15 and hu.last == 20
    assert len(hu._records) == 6 and len(h._steps) == 6 and h.first == 15
    with pytest.raises(IndexError, match="older steps were dropped"):
        hu.replay(15)
    np.testing.assert_array_equal(hu.replay(16), values[15])
    h.back(5)  # the stream's oldest kept step: the state after call 15
    with pytest.raises(IndexError):
        h.back(1)
    np.testing.assert_array_equal(g(), values[15])
    assert (h.draws, h.last, hu.draws, hu.last) == (16, 16, 16, 16)
    hu.back(1)
    with pytest.raises(IndexError):
        hu.back(1)
    np.testing.assert_array_equal(g(), values[15])


def test_large_draws_are_not_recorded_but_replayed_from_the_saved_state():
    srng = RandomStreams(3)
    big = srng.normal((300, 300))  # 720 kB, over MAX_RECORDED_BYTES
    assert big.type.shape == (300, 300) and 300 * 300 * 8 > MAX_RECORDED_BYTES
    f = theano.function([], big)
    values = [f() for _ in range(3)]
    hb = history(big)
    assert all(record.draw.values is None for record in hb._records[1:])
    assert hb._value_bytes == 0
    for k in (1, 2, 3):
        np.testing.assert_array_equal(hb.replay(k), values[k - 1])
        np.testing.assert_array_equal(history(srng).replay(k)[big], values[k - 1])


def test_recorded_values_are_capped_in_bytes():
    srng = RandomStreams(4)
    u = srng.uniform((1000,))  # 8000 bytes each
    f = theano.function([], u)
    hu = history(u)
    hu.max_value_bytes = 20_000
    values = [f() for _ in range(10)]
    assert hu._value_bytes <= 20_000
    kept = [r.draw.values is not None for r in hu._records[1:]]
    assert kept == [False] * 8 + [True] * 2
    for k in range(1, 11):  # old values are redrawn, equal all the same
        np.testing.assert_array_equal(hu.replay(k), values[k - 1])


def test_history_of_a_generator_stream():
    srng = RandomStreams(11, kind="generator")
    u = srng.uniform((4,))
    f = theano.function([], u)
    values = [f() for _ in range(4)]
    h = history(srng)
    h.back(3)
    np.testing.assert_array_equal(f(), values[1])
    np.testing.assert_array_equal(h.replay(2)[u], values[1])
    h.back(1)
    h.forward(1)
    np.testing.assert_array_equal(f(), values[2])
    history(u).reseed(8)
    np.testing.assert_array_equal(
        f(), np.random.Generator(np.random.PCG64(8)).uniform(0.0, 1.0, (4,)))


def _two_draws(kind, seed):
    """A stream of ``kind`` with a uniform and a normal (MRG: 3 substreams, and a truncated
    normal, whose state holds two matrices of 2 substreams), and the function drawing both."""
    if kind == "mrg":
        srng = MRG_RandomStreams(seed)
        u, n = srng.uniform((5,), nstreams=3), srng.normal((4,), truncate=True, nstreams=2)
    else:
        srng = RandomStreams(seed, kind=kind)
        u, n = srng.uniform((5,)), srng.normal((4,))
    return u, n, theano.function([], [u, n])


FRESH_STATES = {  # the state a variable of each kind gets from reseed(seed)
    "randomstate": np.random.RandomState,
    "generator": lambda seed: np.random.Generator(np.random.PCG64(seed)),
    "philox": lambda seed: np.random.Generator(np.random.Philox(seed)),
}


def _kind_of(state):
    bits = state.bit_generator if isinstance(state, np.random.Generator) else None
    return type(state), type(bits), getattr(state, "n_streams", None)


@pytest.mark.parametrize("kind", ["randomstate", "generator", "philox", "mrg"])
def test_reseed_keeps_the_kind_of_state_and_draws_what_a_fresh_state_draws(kind):
    u, n, f = _two_draws(kind, 5)
    f()
    f()
    kinds = [_kind_of(rv.rng.get_value(borrow=True)) for rv in (u, n)]
    history(u).reseed(42)
    history(n).reseed(43)
    assert [_kind_of(rv.rng.get_value(borrow=True)) for rv in (u, n)] == kinds
    assert history(u).draws == history(n).draws == 2
    if kind == "mrg":
        # What MRG_RandomStreams(42) and (43) give their first variables of these shapes.
        fresh_u = theano.function([], MRG_RandomStreams(42).uniform((5,), nstreams=3))
        fresh_n = theano.function([], MRG_RandomStreams(43).normal((4,), truncate=True,
                                                                   nstreams=2))
        assert n.rng.get_value(borrow=True).n_streams == (2, 2)
    else:
        other_u, other_n, _ = _two_draws(kind, 0)
        other_u.rng.set_value(FRESH_STATES[kind](42))
        other_n.rng.set_value(FRESH_STATES[kind](43))
        fresh_u, fresh_n = theano.function([], other_u), theano.function([], other_n)
    for _ in range(2):
        got_u, got_n = f()
        np.testing.assert_array_equal(got_u, fresh_u())
        np.testing.assert_array_equal(got_n, fresh_n())
    if kind == "randomstate":   # NumPy by hand
        history(u).reseed(42)
        np.testing.assert_array_equal(f()[0], np.random.RandomState(42).uniform(0, 1, (5,)))


def test_a_bad_mrg_reseed_changes_nothing():
    u, _, f = _two_draws("mrg", 5)
    f()
    before, hu = fingerprint(u.rng.get_value(borrow=True)), history(u)
    with pytest.raises(ValueError):
        hu.reseed(0)        # MRG31k3p seeds are in [1, 2147462579)
    assert fingerprint(u.rng.get_value(borrow=True)) == before
    assert (hu.draws, hu.last) == (1, 1)


def test_history_of_something_else_is_a_type_error():
    with pytest.raises(TypeError, match="random variable, a shared random state"):
        history(T.dvector("x"))
    with pytest.raises(TypeError, match="not a shared variable holding"):
        history(theano.shared(np.zeros(2)))
