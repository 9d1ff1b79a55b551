"""Theano's "Using Random Numbers" tutorial, step by step, with its printed values.

The expected arrays are the ones Theano printed for ``RandomStreams(seed=234)``;
where the tutorial prints nothing, the expectation is a ``RandomState``
driven by hand with the seed Theano's seeding derives.
"""

import numpy as np
import pytest

from symlab import function
from symlab.tensor.shared_randomstreams import RandomStreams

F_FIRST = [[0.12672381, 0.97091597], [0.13989098, 0.88754825]]
F_SECOND = [[0.31971415, 0.47584377], [0.24129163, 0.42046081]]
G_ALWAYS = [[0.37328447, -0.65746672], [-0.36302373, -0.97484625]]


def derived_seeds(seed, count):
    """Theano's per-variable seeds: RandomState(seed).randint(2**30), in creation order."""
    seedgen = np.random.RandomState(seed)
    return [int(seedgen.randint(2 ** 30)) for _ in range(count)]


@pytest.fixture
def tutorial():
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = function([], rv_u)
    g = function([], rv_n, no_default_updates=True)  # not updating rv_n.rng
    nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)
    return srng, rv_u, rv_n, f, g, nearly_zeros


def test_f_gives_new_numbers_each_call_as_theano_printed(tutorial):
    _, _, _, f, _, _ = tutorial
    first, second = f(), f()
    np.testing.assert_allclose(first, F_FIRST, atol=5e-9)
    np.testing.assert_allclose(second, F_SECOND, atol=5e-9)
    assert first.dtype == np.float64 and first.shape == (2, 2)


def test_f_matches_a_randomstate_driven_by_hand(tutorial):
    _, _, _, f, _, _ = tutorial
    seed_u, _ = derived_seeds(234, 2)
    by_hand = np.random.RandomState(seed_u)
    for _ in range(3):
        np.testing.assert_array_equal(f(), by_hand.uniform(0.0, 1.0, (2, 2)))


def test_g_without_default_updates_repeats_its_numbers(tutorial):
    _, _, rv_n, _, g, _ = tutorial
    before = rv_n.rng.get_value().get_state()[1].copy()
    first, second = g(), g()
    np.testing.assert_allclose(first, G_ALWAYS, atol=5e-9)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(rv_n.rng.get_value().get_state()[1], before)
    _, seed_n = derived_seeds(234, 2)
    np.testing.assert_array_equal(first, np.random.RandomState(seed_n).normal(0.0, 1.0, (2, 2)))


def test_no_default_updates_as_a_list_skips_only_those(tutorial):
    _, rv_u, rv_n, _, _, _ = tutorial
    h = function([], [rv_u, rv_n], no_default_updates=[rv_n.rng])
    (u1, n1), (u2, n2) = h(), h()
    assert not np.allclose(u1, u2)
    np.testing.assert_array_equal(n1, n2)


def test_a_random_variable_is_drawn_once_per_call(tutorial):
    _, _, _, f, _, nearly_zeros = tutorial
    out = nearly_zeros()
    np.testing.assert_array_equal(out, np.zeros((2, 2)))
    # nearly_zeros consumed the first draw of the shared state: f now gets the second.
    np.testing.assert_allclose(f(), F_SECOND, atol=5e-9)


def test_seeding_one_variable_with_its_randomstate(tutorial):
    _, rv_u, rv_n, f, g, _ = tutorial
    rng_val = rv_u.rng.get_value(borrow=True)  # get the rng for rv_u
    rng_val.seed(89234)                          # seed the generator
    rv_u.rng.set_value(rng_val, borrow=True)     # assign back the seeded rng
    np.testing.assert_array_equal(f(), np.random.RandomState(89234).uniform(0, 1, (2, 2)))
    np.testing.assert_allclose(g(), G_ALWAYS, atol=5e-9)  # rv_n untouched


def test_seeding_the_whole_stream(tutorial):
    srng, _, _, f, g, _ = tutorial
    f()
    srng.seed(902340)  # seeds rv_u and rv_n with different seeds each
    seed_u, seed_n = derived_seeds(902340, 2)
    np.testing.assert_array_equal(f(), np.random.RandomState(seed_u).uniform(0, 1, (2, 2)))
    np.testing.assert_array_equal(g(), np.random.RandomState(seed_n).normal(0, 1, (2, 2)))
    srng.seed(234)  # back to the beginning: the tutorial's first numbers again
    np.testing.assert_allclose(f(), F_FIRST, atol=5e-9)


def test_sharing_streams_between_functions_save_and_restore(tutorial):
    srng, rv_u, _, f, _, nearly_zeros = tutorial
    srng.seed(902340)
    state_after_v0 = rv_u.rng.get_value().get_state()
    nearly_zeros()       # this affects rv_u's generator
    v1 = f()
    rng = rv_u.rng.get_value(borrow=True)
    rng.set_state(state_after_v0)
    rv_u.rng.set_value(rng, borrow=True)
    v2 = f()             # v2 != v1
    v3 = f()             # v3 == v1
    assert not np.allclose(v1, v2)
    np.testing.assert_array_equal(v3, v1)


def test_state_updates_and_updates_list_the_pairs(tutorial):
    srng, rv_u, rv_n, _, _, _ = tutorial
    assert srng.state_updates == [rv_u.update, rv_n.update]
    assert srng.updates() == srng.state_updates and srng.updates() is not srng.state_updates
    assert rv_u.update[0] is rv_u.rng and rv_u.rng.default_update is rv_u.update[1]
    assert srng[rv_u.rng] is rv_u.rng.get_value(borrow=True)
    # Explicit updates work where default updates are switched off.
    h = function([], rv_u, updates=srng.updates(), no_default_updates=True)
    np.testing.assert_allclose(h(), F_FIRST, atol=5e-9)
    np.testing.assert_allclose(h(), F_SECOND, atol=5e-9)


def test_get_value_copies_the_state_unless_borrowed(tutorial):
    _, rv_u, _, f, _, _ = tutorial
    copied = rv_u.rng.get_value()
    copied.seed(1)  # changes the copy only
    np.testing.assert_allclose(f(), F_FIRST, atol=5e-9)
    assert isinstance(rv_u.rng.get_value(borrow=True), np.random.RandomState)
