"""Each distribution against numpy driven by hand, and its statistics on 10^5 draws.

"By hand" means Theano's own recipe written out: the k-th variable of
``RandomStreams(seed)`` draws from ``RandomState(RandomState(seed).randint(2**30))``
(k-th value), with the ``RandomState`` method and argument order Theano used,
element by element where Theano looped.
"""

import warnings

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.random import RandomStreams

SEED = 2024


def by_hand(seed=SEED, k=0):
    """The RandomState the k-th variable of RandomStreams(seed) starts from."""
    seedgen = np.random.RandomState(seed)
    seeds = [int(seedgen.randint(2 ** 30)) for _ in range(k + 1)]
    return np.random.RandomState(seeds[k])


def two_calls(rv):
    f = theano.function([], rv)
    return f(), f()


def test_uniform():
    a, b = two_calls(RandomStreams(SEED).uniform((2, 3), -1.0, 2.0))
    rs = by_hand()
    np.testing.assert_array_equal(a, rs.uniform(-1.0, 2.0, (2, 3)))
    np.testing.assert_array_equal(b, rs.uniform(-1.0, 2.0, (2, 3)))
    assert a.dtype == np.float64


def test_normal_takes_avg_and_std():
    a, b = two_calls(RandomStreams(SEED).normal((4,), avg=1.5, std=0.5))
    rs = by_hand()
    np.testing.assert_array_equal(a, rs.normal(1.5, 0.5, (4,)))
    np.testing.assert_array_equal(b, rs.normal(1.5, 0.5, (4,)))


def test_binomial():
    a, b = two_calls(RandomStreams(SEED).binomial((5,), 10, 0.3))
    rs = by_hand()
    np.testing.assert_array_equal(a, rs.binomial(10, 0.3, (5,)))
    np.testing.assert_array_equal(b, rs.binomial(10, 0.3, (5,)))
    assert a.dtype == np.int64


def test_poisson():
    a, _ = two_calls(RandomStreams(SEED).poisson((5,), 4.0))
    np.testing.assert_array_equal(a, by_hand().poisson(4.0, (5,)))


def test_random_integers_is_inclusive_and_drawn_as_theano_did_element_by_element():
    a, b = two_calls(RandomStreams(SEED).random_integers((6,), -3, 7))
    rs = by_hand()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if hasattr(rs, "random_integers"):
            one = lambda: rs.random_integers(low=-3, high=7)  # noqa: E731  (Theano's loop)
        else:
            one = lambda: rs.randint(-3, 8)  # noqa: E731
        first = [one() for _ in range(6)]
        second = [one() for _ in range(6)]
    np.testing.assert_array_equal(a, first)
    np.testing.assert_array_equal(b, second)
    assert a.dtype == np.int64


def test_choice_with_and_without_replacement_and_p():
    stream = RandomStreams(SEED)
    plain = stream.choice((5,), 10, False)
    weighted = stream.choice((4,), [10, 20, 30], True, [0.2, 0.3, 0.5])
    f = theano.function([], [plain, weighted])
    x, y = f()
    np.testing.assert_array_equal(x, by_hand(k=0).choice(10, (5,), False, None))
    np.testing.assert_array_equal(y, by_hand(k=1).choice([10, 20, 30], (4,), True,
                                                         [0.2, 0.3, 0.5]))
    assert len(set(x.tolist())) == 5


def test_permutation_one_per_entry_of_size():
    out, _ = two_calls(RandomStreams(SEED).permutation((3,), 6))
    rs = by_hand()
    assert out.shape == (3, 6)
    np.testing.assert_array_equal(out, [rs.permutation(6) for _ in range(3)])
    single = theano.function([], RandomStreams(SEED).permutation(n=4))()
    np.testing.assert_array_equal(single, by_hand().permutation(4))


def test_multinomial_one_vector_per_entry_of_size():
    out, _ = two_calls(RandomStreams(SEED).multinomial((2,), 20, [0.1, 0.2, 0.7]))
    rs = by_hand()
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out, [rs.multinomial(20, [0.1, 0.2, 0.7]) for _ in range(2)])
    default = theano.function([], RandomStreams(SEED).multinomial())()
    np.testing.assert_array_equal(default, by_hand().multinomial(1, [0.5, 0.5]))


def test_multinomial_rows_of_pvals_with_size_none():
    pvals = [[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]
    out = theano.function([], RandomStreams(SEED).multinomial(n=[3, 4, 5], pvals=pvals))()
    rs = by_hand()
    np.testing.assert_array_equal(out, [rs.multinomial(n, p) for n, p in zip([3, 4, 5], pvals)])


def test_size_none_takes_the_parameters_shape():
    rv = RandomStreams(SEED).uniform(low=[0.0, 1.0, 2.0], high=5.0)
    assert rv.type.shape == (3,)
    out = theano.function([], rv)()
    np.testing.assert_array_equal(out, by_hand().uniform([0.0, 1.0, 2.0], 5.0, (3,)))


def test_symbolic_size():
    n = T.iscalar("n")
    rv = RandomStreams(SEED).uniform((n, 2))
    assert rv.type.shape == (None, 2)
    out = theano.function([n], rv)(3)
    np.testing.assert_array_equal(out, by_hand().uniform(0.0, 1.0, (3, 2)))


def test_size_from_a_shape_vector_keeps_the_static_shape():
    x = T.tensor(dtype="float64", shape=(2, None), name="x")
    mask = RandomStreams(SEED).binomial(size=x.shape, p=0.5, dtype="float64")
    assert mask.type.shape == (2, None) and mask.dtype == "float64"
    out = theano.function([x], x * mask)(np.full((2, 3), 2.0))
    np.testing.assert_array_equal(out, 2.0 * by_hand().binomial(1, 0.5, (2, 3)))


def test_minus_one_in_size_takes_the_parameters_size():
    rv = RandomStreams(SEED).normal(size=(2, -1), avg=[0.0, 10.0, 20.0])
    out = theano.function([], rv)()
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out, by_hand().normal([0.0, 10.0, 20.0], 1.0, (2, 3)))


def test_dtypes_follow_theanos_rules():
    stream = RandomStreams(SEED)
    assert stream.uniform((2,)).dtype == theano.config.floatX
    assert stream.normal((2,), dtype="float32").dtype == "float32"
    assert stream.uniform((2,), low=np.float64(0.1)).dtype == "float64"
    for rv in (stream.binomial((2,)), stream.random_integers((2,)), stream.choice((2,)),
               stream.permutation((2,), 3), stream.multinomial((2,)), stream.poisson((2,))):
        assert rv.dtype == "int64", rv
    old = theano.config.floatX
    theano.config.floatX = "float32"
    try:
        assert RandomStreams(SEED).uniform((2,)).dtype == "float32"
        assert RandomStreams(SEED).normal((2,)).dtype == "float32"
    finally:
        theano.config.floatX = old


def test_positional_arguments_follow_theanos_order():
    a = theano.function([], RandomStreams(SEED).uniform((3,), 2.0, 4.0))()
    b = theano.function([], RandomStreams(SEED).uniform(size=(3,), low=2.0, high=4.0))()
    np.testing.assert_array_equal(a, b)
    assert ((a >= 2.0) & (a < 4.0)).all()


def test_bad_arguments_raise_with_context():
    stream = RandomStreams(SEED)
    with pytest.raises(ValueError, match="ndim=3 but size has 2 entries"):
        stream.uniform((2, 2), ndim=3)
    with pytest.raises(ValueError, match="no static length"):
        stream.uniform(T.lvector("s"))
    with pytest.raises(TypeError, match="size entry 0"):
        stream.uniform((2.5,))
    with pytest.raises(ValueError, match="more than the 1 of size"):
        stream.uniform((3,), low=np.zeros((2, 3)))
    with pytest.raises(TypeError, match="unexpected keyword"):
        stream.uniform((2,), mean=1.0)
    n = T.lvector("n")
    f = theano.function([n], stream.uniform(n, ndim=2))
    with pytest.raises(ValueError, match="size \\(3,\\) has 1 entries"):
        f([3])


# ------------------------------------------------------------------ the generator kind


def generator_by_hand(seed=SEED, k=0):
    children = np.random.SeedSequence(seed).spawn(k + 1)
    return np.random.Generator(np.random.PCG64(children[k]))


def test_generator_kind_draws_from_seedsequence_children():
    stream = RandomStreams(SEED, kind="generator")
    u = stream.uniform((3,), -1.0, 1.0)
    i = stream.random_integers((4,), 1, 6)
    m = stream.multinomial((2,), 10, [0.3, 0.7])
    f = theano.function([], [u, i, m])
    a, b, c = f()
    assert isinstance(u.rng.get_value(borrow=True), np.random.Generator)
    np.testing.assert_array_equal(a, generator_by_hand(k=0).uniform(-1.0, 1.0, (3,)))
    np.testing.assert_array_equal(b, generator_by_hand(k=1).integers(1, 6, (4,), endpoint=True))
    np.testing.assert_array_equal(c, generator_by_hand(k=2).multinomial(10, [0.3, 0.7], (2,)))
    stream.seed(7)
    a7 = f()[0]
    np.testing.assert_array_equal(a7, generator_by_hand(seed=7).uniform(-1.0, 1.0, (3,)))


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of randomstate, generator"):
        RandomStreams(1, kind="mt")


# ------------------------------------------------------------------ statistics

N = 100_000


def draws(make, kind="randomstate"):
    return theano.function([], make(RandomStreams(12345, kind=kind)))()


def assert_mean_var(values, mean, var, k=5.0):
    """Sample mean within k standard errors; variance within 3%."""
    assert abs(values.mean() - mean) < k * np.sqrt(var / values.size), (values.mean(), mean)
    assert abs(values.var() - var) < 0.03 * var, (values.var(), var)


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_uniform_statistics(kind):
    v = draws(lambda s: s.uniform((N,), -2.0, 3.0), kind)
    assert v.min() >= -2.0 and v.max() < 3.0
    assert_mean_var(v, 0.5, 25.0 / 12.0)


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_normal_statistics(kind):
    v = draws(lambda s: s.normal((N,), 1.0, 2.0), kind)
    assert_mean_var(v, 1.0, 4.0)
    assert abs(np.mean(np.abs(v - 1.0) < 2.0) - 0.6827) < 0.01


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_binomial_statistics(kind):
    v = draws(lambda s: s.binomial((N,), 10, 0.3), kind)
    assert v.min() >= 0 and v.max() <= 10
    assert_mean_var(v, 3.0, 10 * 0.3 * 0.7)


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_poisson_statistics(kind):
    v = draws(lambda s: s.poisson((N,), 4.0), kind)
    assert v.min() >= 0
    assert_mean_var(v, 4.0, 4.0)


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_random_integers_statistics(kind):
    v = draws(lambda s: s.random_integers((N,), -3, 7), kind)
    assert v.min() == -3 and v.max() == 7  # both ends reached: inclusive
    assert_mean_var(v, 2.0, (11 ** 2 - 1) / 12.0)


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_choice_statistics(kind):
    v = draws(lambda s: s.choice((N,), 3, True, [0.2, 0.3, 0.5]), kind)
    assert set(np.unique(v).tolist()) == {0, 1, 2}
    freq = np.bincount(v, minlength=3) / N
    np.testing.assert_allclose(freq, [0.2, 0.3, 0.5], atol=0.01)


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_permutation_statistics(kind):
    v = draws(lambda s: s.permutation((N // 10,), 5), kind)
    assert v.shape == (N // 10, 5)
    np.testing.assert_array_equal(np.sort(v, axis=1), np.tile(np.arange(5), (N // 10, 1)))
    # Each value sits in each position a fifth of the time.
    np.testing.assert_allclose((v == 0).mean(axis=0), [0.2] * 5, atol=0.02)


@pytest.mark.parametrize("kind", ["randomstate", "generator"])
def test_multinomial_statistics(kind):
    v = draws(lambda s: s.multinomial((N // 10,), 10, [0.1, 0.3, 0.6]), kind)
    assert (v.sum(axis=1) == 10).all() and v.min() >= 0
    np.testing.assert_allclose(v.mean(axis=0), [1.0, 3.0, 6.0], atol=0.05)
    np.testing.assert_allclose(v.var(axis=0), [0.9, 2.1, 2.4], rtol=0.05)
