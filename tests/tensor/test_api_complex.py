"""Complex parts: ``real``, ``imag``, ``angle``, ``conj``, ``complex``, ``complex_from_polar``.

Values against NumPy in both complex widths; gradients of real costs against
central differences in the real inputs (Theano's convention: a complex input's
gradient is dC/dx + i dC/dy, so going through ``complex(a, b)`` the real inputs
get ordinary real gradients).
"""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from tests.tensor.central_differences import check_gradient

rng = np.random.RandomState(3)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_parts_of_a_complex_tensor_are_numpys(dtype):
    z = T.vector("z", dtype=dtype)
    value = (rng.uniform(-2, 2, 5) + 1j * rng.uniform(-2, 2, 5)).astype(dtype)
    f = theano.function([z], [T.real(z), T.imag(z), T.angle(z), T.conj(z), z.real, z.imag,
                              z.conj()])
    re, im, arg, conj, re2, im2, conj2 = f(value)
    np.testing.assert_array_equal(re, value.real)
    np.testing.assert_array_equal(im, value.imag)
    np.testing.assert_allclose(arg, np.angle(value), rtol=1e-6)
    np.testing.assert_array_equal(conj, np.conj(value))
    assert re.dtype == value.real.dtype and arg.dtype == np.float64 and conj.dtype == dtype
    np.testing.assert_array_equal(re2, re)
    np.testing.assert_array_equal(im2, im)
    np.testing.assert_array_equal(conj2, conj)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_complex_and_polar_build_numpys_values(dtype):
    a, b = T.vector("a", dtype=dtype), T.matrix("b", dtype=dtype)
    x = rng.uniform(0.1, 2, 3).astype(dtype)
    y = rng.uniform(-3, 3, (2, 3)).astype(dtype)
    f = theano.function([a, b], [T.complex(a, b), T.complex_from_polar(a, b)])
    z, polar = f(x, y)
    assert z.dtype == {"float32": np.complex64, "float64": np.complex128}[dtype]
    np.testing.assert_array_equal(z, x + 1j * y)
    np.testing.assert_allclose(polar, x * np.exp(1j * y), rtol=1e-6)


def test_real_tensors_have_parts_as_in_theano():
    x = np.array([-1.5, 0.0, 2.0])
    np.testing.assert_array_equal(T.real(x).eval(), x)
    np.testing.assert_array_equal(T.imag(x).eval(), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(T.conj(x).eval(), x)
    np.testing.assert_allclose(T.angle(x).eval(), np.angle(x))


def test_complex_refuses_complex_inputs_naming_them():
    with pytest.raises(TypeError, match="complex\\(z of type"):
        T.complex(T.zvector("z"), T.dvector("y"))


def test_gradients_through_complex_parts_match_central_differences():
    values = [rng.uniform(0.5, 2, 4), rng.uniform(-2, 2, 4)]
    check_gradient(lambda a, b: T.real(T.complex(a, b)) * T.imag(T.complex(a, b)),
                   lambda a, b: a * b, values)
    check_gradient(lambda a, b: T.angle(T.complex(a, b)),
                   lambda a, b: np.angle(a + 1j * b), values)
    check_gradient(lambda a, b: T.real(T.complex_from_polar(a, b)) + 2 * T.imag(
        T.complex_from_polar(a, b)), lambda a, b: a * np.cos(b) + 2 * a * np.sin(b), values)
    check_gradient(lambda a, b: T.imag(T.conj(T.complex(a, b))) * a,
                   lambda a, b: -b * a, values)
    check_gradient(lambda a: T.real(a) + T.angle(a) + T.imag(a), lambda a: a + np.angle(a),
                   [rng.uniform(0.5, 2, 3)])


def test_complex_broadcasts_and_its_gradient_sums_back():
    def build(a, b):
        z = T.complex(T.addbroadcast(a, 0), b)
        return T.real(z) * T.imag(z)

    check_gradient(build, lambda a, b: a * b,
                   [rng.uniform(-1, 1, (1, 3)), rng.uniform(-1, 1, (2, 3))])


def test_complex_refuses_to_stretch_a_dimension_not_declared_broadcastable():
    a, b = T.matrices("ab")
    f = theano.function([a, b], T.complex(a, b))
    with pytest.raises(ValueError, match="broadcast"):
        f(np.ones((1, 3)), np.ones((2, 3)))
