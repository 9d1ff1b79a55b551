"""Python floats in expressions take ``config.floatX`` when it is float32 or float16 (Theano's rule).

Expectations recorded by hand from Theano 1.0.5 run with ``THEANO_FLAGS=floatX=float32``:
``(fmatrix * 0.13).dtype``, ``T.constant(0.1).dtype`` and ``T.constant(1e300).dtype`` are
float32 (1e300 is inf there); ``dvector * 0.1`` stays float64; a NumPy float64 scalar keeps its
dtype. Under the default floatX (float64) a float takes the smallest exact dtype.
"""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T


@pytest.fixture
def floatX():
    """Set ``config.floatX`` for one test, restoring it afterwards."""
    saved = theano.config.floatX

    def use(dtype):
        theano.config.floatX = dtype
    yield use
    theano.config.floatX = saved


def test_float32_programs_keep_float32_with_inexact_literals(floatX):
    floatX("float32")
    x = T.fmatrix("x")
    assert (x * 0.13).dtype == "float32"
    assert T.constant(0.1).dtype == "float32"
    assert np.isinf(T.constant(1e300).data)
    assert (T.dvector("d") * 0.1).dtype == "float64"
    assert (x * np.float64(0.13)).dtype == "float64"   # a NumPy scalar keeps its dtype
    W = theano.shared(np.ones((2, 2), dtype="float32"), name="W")
    step = theano.function([x], (x * W).sum(), updates=[(W, W - 0.13 * x)])
    step(np.full((2, 2), 2, dtype="float32"))
    want = np.float32(1) - np.float32(0.13) * np.float32(2)
    np.testing.assert_array_equal(W.get_value(), np.full((2, 2), want, dtype="float32"))
    assert W.get_value().dtype == np.float32


def test_float16_takes_float16(floatX):
    floatX("float16")
    assert T.constant(0.1).dtype == "float16"
    assert T.constant(2).dtype == "int8"


def test_float64_keeps_the_smallest_exact_dtype(floatX):
    floatX("float64")
    assert T.constant(0.1).dtype == "float64"
    assert T.constant(0.5).dtype == "float32"
    assert (T.fmatrix("x") * 0.13).dtype == "float64"
    assert (T.fmatrix("x") * 2.0).dtype == "float32"
