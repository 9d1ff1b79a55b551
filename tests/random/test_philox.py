"""``RandomStreams(seed, kind='philox')`` on the CPU, and the counter-based draws in NumPy.

References are built here by hand from NumPy's public API: the k-th
variable's state is ``Generator(Philox(SeedSequence(seed).spawn(...)[k]))``,
each counter-based draw takes the key ``integers(0, 2**64, 2, uint64)`` from
it, and ``uniform`` is NumPy's ``Generator(Philox(key)).random()`` from
counter 0 (``(word >> 11) * 2**-53``), scaled. Plus the history, the
Generator's own methods for the other draws, and the error messages.
"""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.random import KINDS, RandomStreams, fingerprint, history
from symlab.random import philox

SEED = 2024


def state_by_hand(seed=SEED, k=0):
    children = np.random.SeedSequence(seed).spawn(k + 1)
    return np.random.Generator(np.random.Philox(children[k]))


def uniform_by_hand(key, n):
    bits = np.random.Philox(key=np.asarray(key, np.uint64), counter=2 ** 256 - 1)
    return np.random.Generator(bits).random(n)


def next_key(state):
    return state.integers(0, 2 ** 64, size=2, dtype=np.uint64)


def test_the_philox_kind_is_listed_and_bad_kinds_are_refused():
    assert "philox" in KINDS
    with pytest.raises(ValueError, match=r"kind must be one of randomstate, generator, "
                                         r"philox; got 'Philox'"):
        RandomStreams(1, kind="Philox")


def test_uniform_draws_are_numpys_philox_random_keyed_from_the_state():
    srng = RandomStreams(SEED, kind="philox")
    u = srng.uniform((2, 3), 2.0, 4.0)
    f = theano.function([], u)
    state = state_by_hand()
    assert isinstance(u.rng.get_value(borrow=True).bit_generator, np.random.Philox)
    for _ in range(3):
        want = (2.0 + 2.0 * uniform_by_hand(next_key(state), 6)).reshape(2, 3)
        np.testing.assert_array_equal(f(), want)
    assert fingerprint(u.rng.get_value()) == fingerprint(state)    # one key per call


def test_normal_is_box_muller_on_the_philox_words():
    srng = RandomStreams(SEED, kind="philox")
    srng.uniform((1,))                                 # variable 0
    n = srng.normal((5,), 1.0, 2.0)                    # variable 1
    key = next_key(state_by_hand(k=1))
    words = philox.raw_words(key, 6) >> np.uint64(11)
    u1 = (words[0::2] + np.uint64(1)) * 2.0 ** -53
    u2 = words[1::2] * 2.0 ** -53
    r = np.sqrt(-2 * np.log(u1))
    z = np.ravel(np.column_stack([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)]))
    np.testing.assert_allclose(theano.function([], n)(), 1.0 + 2.0 * z[:5], rtol=1e-15)


def test_other_draws_call_the_generators_methods():
    srng = RandomStreams(SEED, kind="philox")
    b = srng.binomial((4,), 10, 0.5)
    i = srng.random_integers((3,), 1, 6)
    got_b, got_i = theano.function([], [b, i])()
    np.testing.assert_array_equal(got_b, state_by_hand(k=0).binomial(10, 0.5, (4,)))
    np.testing.assert_array_equal(got_i, state_by_hand(k=1).integers(1, 6, (3,),
                                                                     endpoint=True))


def test_seed_history_and_replay_work_as_for_the_other_kinds():
    srng = RandomStreams(SEED, kind="philox")
    u = srng.uniform((3,))
    n = srng.normal((2,))
    f = theano.function([], [u, n])
    calls = [f() for _ in range(4)]
    h = history(srng)
    assert h.draws == 4
    np.testing.assert_array_equal(h.replay(2)[u], calls[1][0])
    h.back(2)
    np.testing.assert_array_equal(f()[1], calls[2][1])
    srng.seed(SEED)
    np.testing.assert_array_equal(f()[0], calls[0][0])
    srng.seed(5)
    want = uniform_by_hand(next_key(state_by_hand(seed=5)), 3)
    np.testing.assert_array_equal(f()[0], want)
    history(u).reseed(11)
    np.testing.assert_array_equal(
        f()[0], uniform_by_hand(next_key(np.random.Generator(np.random.Philox(11))), 3))


def test_float32_draws_are_the_float64_values_cast():
    srng = RandomStreams(SEED, kind="philox")
    u = srng.uniform((8,), dtype="float32")
    got = theano.function([], u)()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, uniform_by_hand(next_key(state_by_hand()), 8)
                                  .astype(np.float32))


def test_size_none_and_broadcast_parameters():
    srng = RandomStreams(SEED, kind="philox")
    low = T.dvector("low")
    u = srng.uniform(low=low, high=low + 1.0)
    f = theano.function([low], u)
    got = f(np.array([0.0, 10.0, 20.0]))
    base = uniform_by_hand(next_key(state_by_hand()), 3)
    np.testing.assert_array_equal(got, np.array([0.0, 10.0, 20.0]) + base)


def test_bad_parameters_raise_and_a_failing_call_changes_no_state():
    srng = RandomStreams(SEED, kind="philox")
    std = T.dscalar("std")
    n = srng.normal((3,), 0.0, std)
    f = theano.function([std], n)
    first = f(1.0)
    fingerprint = history(srng).fingerprint
    with pytest.raises(ValueError, match=r"normal: std must be >= 0; got std=.*-2"):
        f(-2.0)
    assert history(srng).fingerprint == fingerprint and history(srng).draws == 1
    history(srng).back(1)
    np.testing.assert_array_equal(f(1.0), first)
    low = T.dscalar("low")
    u = srng.uniform((2,), low, 1.0)
    with pytest.raises(OverflowError, match=r"uniform: high - low must be finite; got "
                                            r"low=.*-inf"):
        theano.function([low], u)(-np.inf)


def test_the_host_reference_checks_its_arguments():
    with pytest.raises(ValueError, match=r"key: expected 2 ints in \[0, 2\*\*64\); got"):
        philox.uniform((1, 2, 3), (2,))
    with pytest.raises(ValueError, match=r"key: expected 2 ints"):
        philox.uniform((1, -1), (2,))
    with pytest.raises(ValueError, match=r"counter: expected an int in \[0, 2\*\*256\)"):
        philox.raw_words((1, 2), 4, counter=-1)
    with pytest.raises(ValueError, match=r"uniform: the parameters \(shapes \(3,\), \(\)\) do "
                                         r"not broadcast to the size \(2,\)"):
        philox.uniform((1, 2), (2,), np.zeros(3), 1.0)
    with pytest.raises(TypeError, match="draw_key: expected a numpy RandomState or Generator"):
        philox.draw_key(42)


def test_statistics_of_a_large_draw():
    srng = RandomStreams(SEED, kind="philox")
    u, n = theano.function([], [srng.uniform((400_000,)), srng.normal((400_000,))])()
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    assert abs(u.var() - 1 / 12) < 0.01 / 12
    assert abs(n.mean()) < 5 / np.sqrt(n.size)
    assert abs(n.var() - 1) < 0.01
    assert u.min() >= 0.0 and u.max() < 1.0
