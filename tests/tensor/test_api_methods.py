"""Theano's tensor-variable methods: every name on Theano 1.0.5's ``_tensor_py_operators``
exists on symlab's ``TensorVariable``, and the new ones give what their function gives
(checked against NumPy)."""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.tensor.constant_value import NotScalarConstantError

# dir(theano.tensor.var._tensor_py_operators) in Theano 1.0.5, dunder names left out.
THEANO_METHODS = [
    "T", "all", "any", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh",
    "argmax", "argmin", "argsort", "astype", "broadcastable", "ceil", "choose", "clip",
    "compress", "conj", "conjugate", "copy", "cos", "cosh", "cumprod", "cumsum", "deg2rad",
    "diagonal", "dimshuffle", "dot", "dtype", "exp", "exp2", "expm1", "fill", "flatten",
    "floor", "get_scalar_constant_value", "imag", "log", "log10", "log1p", "log2", "max",
    "mean", "min", "ndim", "nonzero", "nonzero_values", "norm", "ones_like", "prod", "ptp",
    "rad2deg", "ravel", "real", "repeat", "reshape", "round", "searchsorted", "shape", "sin",
    "sinh", "size", "sort", "sqrt", "squeeze", "std", "sum", "swapaxes", "take", "tan", "tanh",
    "trace", "transfer", "transpose", "trunc", "var", "zeros_like",
]


@pytest.mark.parametrize("name", THEANO_METHODS)
def test_theanos_method_exists(name):
    assert hasattr(T.matrix("x"), name)


UNARY = ["arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "ceil", "cos", "cosh",
         "exp", "exp2", "expm1", "floor", "log", "log10", "log1p", "log2", "sin", "sinh",
         "sqrt", "tan", "tanh", "trunc"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_elementwise_methods_are_numpys(dtype):
    x = T.vector("x", dtype=dtype)
    for name in UNARY:
        # inside each function's domain: (0, 1) for all but arccosh, which needs x > 1
        value = np.array([0.2, 0.5, 0.9], dtype=dtype) + (1 if name == "arccosh" else 0)
        got = theano.function([x], getattr(x, name)())(value)
        assert got.dtype == dtype, name
        np.testing.assert_allclose(got, getattr(np, name)(value), rtol=1e-6, err_msg=name)


def test_array_methods_are_numpys():
    x = T.matrix("x")
    value = np.array([[3.0, -1.0, 2.0], [0.0, 5.0, -4.0]])
    outs = [x.ravel(), x.diagonal(), x.trace(), x.take([2, 0], axis=1), x.norm(2),
            x.sort(axis=1), x.argsort(axis=0), x.repeat(2, axis=0), x.cumsum(axis=1),
            x.cumprod(), x.ptp(axis=1), x.swapaxes(0, 1), x.conj(), x.zeros_like(),
            x.ones_like(), x.fill(7.0), x.compress([1, 0, 1], axis=1)]
    wants = [value.ravel(), value.diagonal(), value.trace(), value.take([2, 0], axis=1),
             np.sqrt((value ** 2).sum()), np.sort(value, 1), np.argsort(value, 0),
             value.repeat(2, 0), value.cumsum(1), value.cumprod(), np.ptp(value, 1),
             value.swapaxes(0, 1), value.conj(), np.zeros_like(value), np.ones_like(value),
             np.full_like(value, 7.0), value.compress([1, 0, 1], axis=1)]
    for i, (got, want) in enumerate(zip(theano.function([x], outs)(value), wants)):
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"output {i}")
    for got, want in zip(theano.function([x], list(x.nonzero()))(value), np.nonzero(value)):
        np.testing.assert_array_equal(got, want)


def test_searchsorted_choose_real_imag_and_transfer():
    v = T.vector("v")
    np.testing.assert_array_equal(v.searchsorted([1.5, 9.0]).eval({v: np.array([1.0, 2.0])}),
                                  [1, 2])
    a = T.ivector("a")
    np.testing.assert_array_equal(
        a.choose([np.zeros(2), np.ones(2)]).eval({a: np.array([1, 0], dtype="int32")}),
        [1.0, 0.0])
    z = T.zvector("z")
    value = np.array([1 + 2j, -3j])
    np.testing.assert_array_equal(z.real.eval({z: value}), value.real)
    np.testing.assert_array_equal(z.imag.eval({z: value}), value.imag)
    np.testing.assert_array_equal(z.conjugate().eval({z: value}), value.conj())
    assert v.transfer("cpu") is v
    with pytest.raises(ValueError, match="'cpu'"):
        v.transfer("gpu")


def test_get_scalar_constant_value_follows_casts_and_static_shapes():
    assert T.constant(3).get_scalar_constant_value() == 3
    assert T.cast(T.constant(2.5), "float32").get_scalar_constant_value() == np.float32(2.5)
    static = T.tensor(shape=(None, 4), dtype="float64")
    assert static.shape[1].get_scalar_constant_value() == 4
    with pytest.raises(NotScalarConstantError):
        static.shape[0].get_scalar_constant_value()
    with pytest.raises(NotScalarConstantError):
        T.scalar("s").get_scalar_constant_value()
