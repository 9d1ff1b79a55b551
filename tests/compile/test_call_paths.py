"""The call's fast paths give exactly what the full input filter gives, and refuse what it
refuses; ``trust_input`` skips the checks on purpose."""

import numpy as np
import pytest

import symlab
import symlab.tensor as T


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_python_floats_become_0d_arrays_of_the_input_dtype(dtype):
    x = T.scalar("x", dtype=dtype)
    f = symlab.function([x], x * 1)
    out = f(0.1)
    assert isinstance(out, np.ndarray) and out.shape == () and out.dtype == dtype
    assert out == np.array(0.1, dtype=dtype)       # rounded to the input's precision once


def test_a_python_float_into_float32_refused_when_downcast_is_forbidden():
    x = T.fscalar("x")
    f = symlab.function([x], x * 1, allow_input_downcast=False)
    with pytest.raises(TypeError, match="cannot hold exactly"):
        f(0.1)
    assert f(np.float32(0.5)) == 0.5


@pytest.mark.parametrize("dtype, value, fits", [
    ("int8", 127, True), ("int8", 128, False), ("int8", -129, False),
    ("uint8", -1, False), ("int64", 2 ** 63 - 1, True), ("int64", 2 ** 63, False)])
def test_python_ints_fit_or_are_refused(dtype, value, fits):
    i = T.scalar("i", dtype=dtype)
    f = symlab.function([i], i + 0)
    if fits:
        out = f(value)
        assert out.dtype == dtype and int(out) == value
    else:
        with pytest.raises((TypeError, OverflowError)):
            f(value)


def test_a_python_int_into_a_float_input_takes_the_full_filter():
    # Theano's rule: ints go into float64 (an upcast); into float32 only if exact.
    x, h = T.dscalar("x"), T.fscalar("h")
    assert symlab.function([x], x + 0)(3) == 3.0
    g = symlab.function([h], h + 0)
    assert g(2 ** 24) == 2.0 ** 24
    with pytest.raises(TypeError, match="cannot hold exactly"):
        g(2 ** 24 + 1)


def test_bools_and_numpy_scalars_take_the_full_filter():
    x = T.dscalar("x")
    f = symlab.function([x], x + 0)
    assert f(True) == 1.0 and f(np.float64(2.5)) == 2.5 and f(np.int32(3)) == 3.0


def test_trust_input_skips_the_checks_but_computes_the_same():
    x, y = T.dvectors("x", "y")
    w = symlab.shared(np.array([1.0, 2.0]), name="w")
    f = symlab.function([x, y], (x + y) * w, updates=[(w, w + 1)])
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    assert f.trust_input is False
    np.testing.assert_array_equal(f(a, b), [4.0, 12.0])
    f.trust_input = True
    np.testing.assert_array_equal(f(a, b), [8.0, 18.0])
    np.testing.assert_array_equal(f(x=a, y=b), [12.0, 24.0])   # keywords are still bound
    np.testing.assert_array_equal(w.get_value(), [4.0, 5.0])
