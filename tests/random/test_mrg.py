"""``symlab.sandbox.rng_mrg.MRG_RandomStreams``: Theano's MRG interface (not its numbers)."""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.random import history
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


def test_states_are_randomstates_derived_from_rstate():
    srng = MRG_RandomStreams(12345)
    np.testing.assert_array_equal(srng.rstate, [12345] * 6)
    start = srng.rstate.copy()
    u = srng.uniform((3,))
    assert not np.array_equal(srng.rstate, start)  # moved on for the next variable
    np.testing.assert_array_equal(theano.function([], u)(),
                                  np.random.RandomState(start.astype(np.uint32)).uniform(0, 1, 3))


def test_seed_reseeds_every_variable_reproducibly():
    srng = MRG_RandomStreams(7)
    f = theano.function([], [srng.uniform((2,)), srng.normal((2,), 1.0, 2.0)])
    srng.seed(99)
    first = f()
    f()
    srng.seed(99)
    for a, b in zip(first, f()):
        np.testing.assert_array_equal(a, b)
    assert history(srng).draws == 3


def test_theanos_seed_checks_and_unprovided_features():
    with pytest.raises(ValueError, match="should not be 0"):
        MRG_RandomStreams(0)
    with pytest.raises(ValueError, match="between 1 and"):
        MRG_RandomStreams(2 ** 31)
    with pytest.raises(ValueError, match="first 3"):
        MRG_RandomStreams([0, 0, 0, 1, 2, 3])
    srng = MRG_RandomStreams([1, 2, 3, 4, 5, 6])
    with pytest.raises(NotImplementedError, match="truncate"):
        srng.normal((2,), truncate=True)
    with pytest.raises(NotImplementedError, match="probability matrix"):
        srng.choice(size=2, a=None, replace=False, p=[[0.5, 0.5]])
    with pytest.raises(TypeError, match="pvals"):
        srng.multinomial()
    rows = srng.multinomial(pvals=[[0.2, 0.8], [1.0, 0.0]])
    out = theano.function([], rows)()
    assert out.shape == (2, 2) and (out.sum(axis=1) == 1).all()
