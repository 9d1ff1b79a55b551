"""The numbers Theano's documentation prints, reproduced from the same seeds."""

import numpy as np
import pytest

import symlab as theano
from symlab.sandbox.rng_mrg import MRG_RandomStreams
from symlab.tensor.shared_randomstreams import RandomStreams


class Graph:
    """Theano's "copying random state between graphs" example."""

    def __init__(self, seed=123, streams=RandomStreams):
        self.rng = streams(seed)
        self.y = self.rng.uniform(size=(1,))


def copy_random_state(g1, g2):
    if isinstance(g1.rng, MRG_RandomStreams):
        g2.rng.rstate = g1.rng.rstate
    for (su1, su2) in zip(g1.rng.state_updates, g2.rng.state_updates):
        su2[0].set_value(su1[0].get_value())


@pytest.fixture
def float32():
    old = theano.config.floatX
    theano.config.floatX = "float32"
    yield
    theano.config.floatX = old


def test_seed_123_gives_theanos_number():
    f = theano.function([], RandomStreams(123).uniform(size=(1,)))
    out = f()
    np.testing.assert_allclose(out, [0.72803009], atol=5e-9)
    assert out.shape == (1,) and out.dtype == np.float64


def test_seed_987_gives_theanos_number():
    f = theano.function([], RandomStreams(987).uniform(size=(1,)))
    np.testing.assert_allclose(f(), [0.55056769], atol=5e-9)


def test_the_numbers_come_from_the_derived_seed():
    # RandomState(123).randint(2**30) seeds the first variable: 843828734.
    assert int(np.random.RandomState(123).randint(2 ** 30)) == 843828734
    stream = RandomStreams(123)
    f = theano.function([], stream.uniform(size=(1,)))
    assert f()[0] == np.random.RandomState(843828734).uniform(0.0, 1.0, (1,))[0]
    # Before the call the variable's state was RandomState(843828734); now it is one draw on.
    advanced = np.random.RandomState(843828734)
    advanced.uniform()
    np.testing.assert_array_equal(stream.state_updates[0][0].get_value().get_state()[1],
                                  advanced.get_state()[1])


def test_copying_random_state_between_graphs():
    g1 = Graph(seed=123)
    f1 = theano.function([], g1.y)
    g2 = Graph(seed=987)
    f2 = theano.function([], g2.y)
    # By default, the two functions are out of sync.
    np.testing.assert_allclose(f1(), [0.72803009], atol=5e-9)
    np.testing.assert_allclose(f2(), [0.55056769], atol=5e-9)
    copy_random_state(g1, g2)
    a, b = f1(), f2()
    np.testing.assert_allclose(a, [0.59044123], atol=5e-9)
    np.testing.assert_array_equal(a, b)


def test_float32_floatx_gives_the_same_numbers_rounded(float32):
    f = theano.function([], RandomStreams(123).uniform(size=(1,)))
    out = f()
    assert out.dtype == np.float32
    assert out[0] == np.float32(np.random.RandomState(843828734).uniform(0.0, 1.0))
    np.testing.assert_allclose(out, [0.72803009], atol=1e-7)


def test_copying_state_between_mrg_graphs():
    g1 = Graph(seed=123, streams=MRG_RandomStreams)
    f1 = theano.function([], g1.y)
    g2 = Graph(seed=987, streams=MRG_RandomStreams)
    f2 = theano.function([], g2.y)
    assert f1()[0] != f2()[0]
    copy_random_state(g1, g2)
    np.testing.assert_array_equal(f1(), f2())
    np.testing.assert_array_equal(g1.rng.rstate, g2.rng.rstate)
