"""``symlab.sandbox.rng_mrg.MRG_RandomStreams``: Theano's MRG streams with symlab's features.

The numbers themselves are checked against Theano in ``test_mrg_theano.py`` and the
generator against an independent implementation in ``test_mrg31k3p.py``; here: the
states (MRG31k3p substream matrices in shared variables), seeding, what a failing
call leaves, the history, pickling, Theano's errors, and the statistics of large
draws against closed forms.
"""

import math
import pickle
from fractions import Fraction

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.random import fingerprint, history, mrg31k3p
from symlab.random.mrg import MRGState, guess_n_streams
from symlab.sandbox.rng_mrg import MRG_RandomStreams


def test_dropout_as_theano_code_writes_it():
    srng = MRG_RandomStreams(seed=234)
    x = T.dmatrix("x")
    mask = srng.binomial(size=x.shape, p=0.5, dtype=theano.config.floatX)
    f = theano.function([x], x * mask)
    out = f(np.ones((50, 40)))
    assert set(np.unique(out).tolist()) == {0.0, 1.0}
    assert 0.4 < out.mean() < 0.6
    assert not np.array_equal(out, f(np.ones((50, 40))))


def test_each_variable_takes_the_next_substreams_of_rstate():
    srng = MRG_RandomStreams(12345)
    np.testing.assert_array_equal(srng.rstate, [12345] * 6)
    u = srng.uniform((4, 5))
    v = srng.uniform((3,), nstreams=2)
    first, second = (rv.rng.get_value() for rv in (u, v))
    assert isinstance(first, MRGState) and u.rstate is u.rng
    assert first.n_streams == (guess_n_streams((4, 5)),) == (3,)
    np.testing.assert_array_equal(first.rstates[0], mrg31k3p.substreams([12345] * 6, 3))
    after_one = mrg31k3p.next_stream([12345] * 6)
    np.testing.assert_array_equal(second.rstates[0], mrg31k3p.substreams(after_one, 2))
    np.testing.assert_array_equal(srng.rstate, mrg31k3p.next_stream(after_one))
    # Theano's form of the state: the int32 matrix.
    np.testing.assert_array_equal(np.asarray(second), second.rstates[0])
    assert u.rng.default_update is u.update[1] and srng.state_updates == [u.update, v.update]


def test_a_draw_advances_its_state_by_what_it_drew():
    srng = MRG_RandomStreams(5)
    u = srng.uniform((7,), nstreams=3)
    start = u.rng.get_value().rstates[0]
    f = theano.function([], u)
    first = f()
    k, after = mrg31k3p.draw(start, 7)
    np.testing.assert_array_equal(first, k * 2.0 ** -31)
    np.testing.assert_array_equal(u.rng.get_value().rstates[0], after)
    k2, _ = mrg31k3p.draw(after, 7)
    np.testing.assert_array_equal(f(), k2 * 2.0 ** -31)


def test_seed_gives_every_variable_what_a_new_stream_would():
    def make(seed):
        srng = MRG_RandomStreams(seed)
        outs = [srng.uniform((2, 3)), srng.normal((5,), 1.0, 2.0),
                srng.normal((4,), truncate=True), srng.binomial((6,), p=0.3)]
        return srng, theano.function([], outs)

    srng, f = make(7)
    f()
    srng.seed(99)
    _, fresh = make(99)
    for a, b in zip(f(), fresh()):
        np.testing.assert_array_equal(a, b)
    srng.seed()          # the stream's own seed
    for a, b in zip(f(), make(7)[1]()):
        np.testing.assert_array_equal(a, b)
    assert history(srng).draws == 2 + 1  # two calls, then a reseed and a call: 3 steps


def test_a_bad_seed_changes_nothing():
    srng = MRG_RandomStreams(7)
    u = srng.uniform((3,))
    before, rstate = fingerprint(u.rng.get_value(borrow=True)), srng.rstate.copy()
    with pytest.raises(ValueError, match="between 1 and"):
        srng.seed(2 ** 31)
    assert fingerprint(u.rng.get_value(borrow=True)) == before
    np.testing.assert_array_equal(srng.rstate, rstate)


def test_a_failing_call_changes_no_state():
    srng = MRG_RandomStreams(3)
    u = srng.uniform((4,))
    x, y = T.dvector("x"), T.dvector("y")
    f = theano.function([x, y], [u, T.dot(x, y)])
    f(np.ones(2), np.ones(2))
    before = fingerprint(u.rng.get_value(borrow=True))
    with pytest.raises(ValueError):
        f(np.ones(2), np.ones(3))
    assert fingerprint(u.rng.get_value(borrow=True)) == before
    assert history(srng).draws == 1


def test_a_failing_construction_leaves_rstate_where_it_was():
    srng = MRG_RandomStreams(3)
    rstate = srng.rstate.copy()
    with pytest.raises(ValueError):
        srng.uniform((2, 3), low=np.zeros((4, 5, 6)))   # more dimensions than the size
    np.testing.assert_array_equal(srng.rstate, rstate)
    assert srng.state_updates == []


def test_no_default_updates_draws_the_same_numbers_again():
    srng = MRG_RandomStreams(11)
    n = srng.normal((3,))
    g = theano.function([], n, no_default_updates=True)
    np.testing.assert_array_equal(g(), g())


def test_history_steps_back_and_replays_mrg_draws():
    srng = MRG_RandomStreams(21)
    u, n = srng.uniform((3,)), srng.normal((2, 2), truncate=True)
    f = theano.function([], [u, n])
    calls = [f() for _ in range(4)]
    h = history(srng)
    assert h.draws == 4
    for k in (1, 4):
        np.testing.assert_array_equal(h.replay(k)[u], calls[k - 1][0])
        np.testing.assert_array_equal(h.replay(k)[n], calls[k - 1][1])
    h.back(2)
    for again, before in zip(f(), calls[2]):
        np.testing.assert_array_equal(again, before)
    hu = history(u)
    hu.max_value_bytes = 0     # drop the recorded values: replay redraws from the state
    hu._trim()
    np.testing.assert_array_equal(hu.replay(2), calls[1][0])


def test_set_value_takes_theanos_matrix_and_copies_between_graphs():
    g1, g2 = MRG_RandomStreams(1), MRG_RandomStreams(2)
    u1, u2 = g1.uniform((5,)), g2.uniform((5,))
    f1, f2 = theano.function([], u1), theano.function([], u2)
    f1()
    u2.rng.set_value(np.asarray(u1.rng.get_value()))     # Theano's state: an int32 matrix
    np.testing.assert_array_equal(f1(), f2())
    with pytest.raises(ValueError, match="not a valid state"):
        u2.rng.set_value(np.zeros((5, 6), dtype=np.int32))


def test_a_pickled_stream_draws_on_where_it_was():
    srng = MRG_RandomStreams(5)
    u = srng.normal((3,), truncate=True)
    f = theano.function([], u)
    f()
    srng2, u2 = pickle.loads(pickle.dumps((srng, u)))
    np.testing.assert_array_equal(theano.function([], u2)(), f())
    np.testing.assert_array_equal(srng2.rstate, srng.rstate)
    assert history(srng2).draws == 1 and history(srng).draws == 2   # a fresh history


def test_float32_uniforms_stay_below_one_and_float16_is_theanos_python_code():
    k = np.array([1, 2, mrg31k3p.M1 - 1, mrg31k3p.M1], dtype=np.int64)
    as32 = mrg31k3p.to_unit(k, "float32")
    assert as32.dtype == np.float32 and (as32 > 0).all() and (as32 < 1).all()
    np.testing.assert_array_equal(mrg31k3p.to_unit(k, "float64"), k / 2.0 ** 31)
    # Theano's float16: ((k & 0x7fff) + 1) * float16(3.0458e-05), as Python computes it.
    by_hand = [np.float16(float((int(v) & 0x7FFF) + 1) * float(np.float16(3.0458e-05)))
               for v in k]
    np.testing.assert_array_equal(mrg31k3p.to_unit(k, "float16"), by_hand)
    with pytest.raises(ValueError, match="float16, float32 or float64"):
        mrg31k3p.to_unit(k, "int32")


# The dtypes of (uniform(low=v, high=4.0), normal(avg=v), truncated_normal(std=v)) for each
# floatX, recorded from Theano 1.0.5 (THEANO_FLAGS=cxx=,floatX=...: `.dtype` of each draw):
# a Python float (exact or not) or int takes floatX; NumPy scalars keep their dtype.
THEANO_PARAMETER_DTYPES = {
    "float32": {"py0.3": "float32", "py0.5": "float32", "np64": "float64", "np32": "float32",
                "int2": "float32"},
    "float64": {"py0.3": "float64", "py0.5": "float64", "np64": "float64", "np32": "float64",
                "int2": "float64"},
    "float16": {"py0.3": "float16", "py0.5": "float16", "np64": "float64", "np32": "float32",
                "int2": "float16"},
}
PARAMETERS = {"py0.3": 0.3, "py0.5": 0.5, "np64": np.float64(0.3), "np32": np.float32(0.3),
              "int2": 2}


@pytest.mark.parametrize("floatx", sorted(THEANO_PARAMETER_DTYPES))
def test_parameter_dtypes_follow_theanos_autocast(floatx, monkeypatch):
    monkeypatch.setattr(theano.config, "floatX", floatx)
    srng = MRG_RandomStreams(1)
    for name, value in PARAMETERS.items():
        want = THEANO_PARAMETER_DTYPES[floatx][name]
        draws = (srng.uniform((3,), low=value, high=4.0), srng.normal((3,), avg=value),
                 srng.truncated_normal((3,), std=value))
        assert [d.dtype for d in draws] == [want] * 3, name


def test_float32_python_float_parameters_are_float32_in_the_draw(monkeypatch):
    # Under floatX=float32, low=0.3 is float32(0.3): low + u * (high - low) in float32.
    monkeypatch.setattr(theano.config, "floatX", "float32")
    srng = MRG_RandomStreams(3)
    u = srng.uniform((6,), low=0.3, high=2.5, nstreams=2)
    start = u.rng.get_value().rstates[0]
    out = theano.function([], u)()
    k, _ = mrg31k3p.draw(start, 6)
    unit = mrg31k3p.to_unit(k, "float32")
    low, width = np.float32(0.3), np.float32(2.5) - np.float32(0.3)
    assert out.dtype == np.float32
    for got, u in zip(out, unit):
        # low + u * width rounded once (Theano's fused multiply-add) to the nearest float32.
        exact = Fraction(float(u)) * Fraction(float(width)) + Fraction(float(low))
        near = np.float32(float(exact))
        candidates = (np.nextafter(near, np.float32(-1)), near, np.nextafter(near, np.float32(3)))
        assert got == min(candidates, key=lambda c: abs(Fraction(float(c)) - exact))


@pytest.mark.parametrize("method, keyword", [("normal", "avg"), ("normal", "std"),
                                             ("truncated_normal", "std"),
                                             ("uniform", "low"), ("uniform", "high")])
def test_parameter_gradients_are_undefined_as_in_theano(method, keyword):
    # Theano 1.0.5 wraps these parameters in undefined_grad: T.grad raises
    # NullTypeGradError (checked with THEANO_FLAGS=cxx=).
    mu = T.dvector("mu")
    draw = getattr(MRG_RandomStreams(2), method)((3,), **{keyword: mu})
    with pytest.raises(theano.gradient.NullTypeGradError, match="mu"):
        T.grad(draw.sum(), mu)
    # A draw that is only a factor of the cost differentiates: d(sum(mu**2 z))/dmu = 2 mu z.
    z = MRG_RandomStreams(2).normal((3,))
    f = theano.function([mu], [T.grad((mu ** 2 * z).sum(), mu), z])
    grad, drawn = f(np.array([1.0, -2.0, 0.5]))
    np.testing.assert_allclose(grad, 2 * np.array([1.0, -2.0, 0.5]) * drawn, rtol=1e-15)


def test_a_symbolic_zero_size_draws_nothing_and_keeps_the_state():
    srng = MRG_RandomStreams(8)
    x = T.dmatrix("x")
    f = theano.function([x], srng.uniform(size=x.shape))
    before = np.asarray(srng.state_updates[0][0].get_value())
    assert f(np.zeros((0, 3))).shape == (0, 3)
    np.testing.assert_array_equal(np.asarray(srng.state_updates[0][0].get_value()), before)


def test_theanos_errors():
    with pytest.raises(ValueError, match="should not be 0"):
        MRG_RandomStreams(0)
    with pytest.raises(ValueError, match="between 1 and"):
        MRG_RandomStreams(2 ** 31)
    with pytest.raises(ValueError, match="first 3"):
        MRG_RandomStreams([0, 0, 0, 1, 2, 3])
    with pytest.raises(ValueError, match="last 3"):
        MRG_RandomStreams([1, 2, 3, 0, 0, mrg31k3p.M2])
    with pytest.raises(TypeError, match="1 integer or 6 integers"):
        MRG_RandomStreams([1, 2, 3])
    srng = MRG_RandomStreams([1, 2, 3, 4, 5, 6])
    p = T.dmatrix("p")
    cases = [
        (ValueError, "value <= 0", lambda: srng.uniform((2, 0))),
        (TypeError, "symbolic vector", lambda: srng.uniform(None)),
        (TypeError, "unexpected keyword", lambda: srng.uniform((2,), scale=3)),
        (TypeError, "floats", lambda: srng.uniform((2,), dtype="int32")),
        (ValueError, "nstreams", lambda: srng.uniform((2,), nstreams=0)),
        (NotImplementedError, "n > 1", lambda: srng.binomial((2,), n=3)),
        (TypeError, "pvals", lambda: srng.multinomial()),
        (ValueError, "size argument", lambda: srng.multinomial(size=(2,), pvals=p)),
        (NotImplementedError, "pvals.ndim = 2", lambda: srng.multinomial(pvals=[0.5, 0.5])),
        (NotImplementedError, "without replacement", lambda: srng.choice(2, p=p)),
        (TypeError, "a has to be None", lambda: srng.choice(2, a=3, replace=False, p=p)),
        (TypeError, "p has to be specified", lambda: srng.choice(2, replace=False)),
        (NotImplementedError, "p.ndim = 2",
         lambda: srng.choice(2, replace=False, p=[0.5, 0.5])),
        (TypeError, "has no poisson", lambda: srng.poisson((2,))),
        (TypeError, "has no permutation", lambda: srng.permutation((2,), 5)),
    ]
    for error, match, make in cases:
        with pytest.raises(error, match=match):
            make()
    assert srng.state_updates == []
    f = theano.function([p], srng.choice(size=3, p=p, replace=False))
    with pytest.raises(ValueError, match="cannot draw 3 outcomes"):
        f(np.full((2, 2), 0.5))
    with pytest.warns(DeprecationWarning, match="choice"):
        srng.multinomial_wo_replacement(n=1, pvals=p)


def test_guess_n_streams_is_theanos():
    assert [guess_n_streams(s) for s in [(1,), (6,), (7,), (4, 5), (500, 784), (10 ** 6,)]] \
        == [1, 6, 1, 3, 15360, 15360]
    assert guess_n_streams((np.int64(5),)) == guess_n_streams(T.lvector().shape) == 15360


# ------------------------------------------------------------------ statistics


def _normal_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_uniform_mean_and_variance_match_the_closed_form(dtype):
    n, low, high = 400_000, -1.0, 3.0
    out = theano.function([], MRG_RandomStreams(17).uniform((n,), low, high, dtype=dtype))()
    assert out.dtype == dtype and low <= out.min() and out.max() < high
    se = (high - low) / math.sqrt(12 * n)
    assert abs(out.mean() - (low + high) / 2) < 5 * se
    variance = (high - low) ** 2 / 12
    assert abs(out.var() - variance) < 5 * variance * math.sqrt(0.8 / n)   # kurtosis 1.8


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_normal_moments_match_the_closed_form(dtype):
    n, avg, std = 200_001, 1.5, 2.0
    out = theano.function([], MRG_RandomStreams(29).normal((n,), avg, std, dtype=dtype))()
    out = out.astype(np.float64)
    assert abs(out.mean() - avg) < 5 * std / math.sqrt(n)
    assert abs(out.var() - std ** 2) < 5 * std ** 2 * math.sqrt(2 / n)
    # The fraction within one deviation: 2 Phi(1) - 1.
    inside = np.mean(np.abs(out - avg) < std)
    p = 2 * _normal_cdf(1) - 1
    assert abs(inside - p) < 5 * math.sqrt(p * (1 - p) / n)


def test_truncated_normal_stays_within_two_deviations_and_is_centred():
    n, avg, std = 100_000, -1.0, 0.5
    srng = MRG_RandomStreams(31)
    cut = theano.function([], srng.normal((n,), avg, std, truncate=True))()
    assert np.abs(cut - avg).max() <= 2 * std
    assert abs(cut.mean() - avg) < 5 * std / math.sqrt(n)
    wide = theano.function([], srng.truncated_normal((n,), 0.0, 1.0))()
    # std / 0.8796...: the bounds are 2 / 0.8796 = 2.27 and the spread close to 1.
    assert np.abs(wide).max() <= 2 / 0.87962566103423978 + 1e-12
    assert 0.9 < wide.std() < 1.1


def test_binomial_and_multinomial_frequencies_match_the_probabilities():
    srng = MRG_RandomStreams(37)
    n = 200_000
    heads = theano.function([], srng.binomial((n,), p=0.3))()
    assert abs(heads.mean() - 0.3) < 5 * math.sqrt(0.21 / n)
    pvals = np.array([[0.1, 0.2, 0.3, 0.4], [0.5, 0.25, 0.125, 0.125]])
    counts = theano.function([], srng.multinomial(pvals=pvals, n=n))()
    assert (counts.sum(axis=1) == n).all()
    assert np.all(np.abs(counts / n - pvals) < 5 * np.sqrt(pvals * (1 - pvals) / n))


def test_choice_without_replacement_matches_its_closed_form():
    rows, p = 40_000, np.array([0.1, 0.2, 0.3, 0.4])
    srng = MRG_RandomStreams(41)
    out = theano.function([], srng.choice(size=2, p=np.tile(p, (rows, 1)), replace=False))()
    assert out.shape == (rows, 2) and (out[:, 0] != out[:, 1]).all()
    first = np.bincount(out[:, 0], minlength=4) / rows
    # P(second = j) = sum over i != j of p_i p_j / (1 - p_i).
    second_p = np.array([sum(p[i] * p[j] / (1 - p[i]) for i in range(4) if i != j)
                         for j in range(4)])
    second = np.bincount(out[:, 1], minlength=4) / rows
    for freq, prob in ((first, p), (second, second_p)):
        assert np.all(np.abs(freq - prob) < 5 * np.sqrt(prob * (1 - prob) / rows))
