"""T.nnet's activations: values against Python's math, dtypes, gradients by central
differences, and one fused kernel per activation."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symlab as theano
import symlab.tensor as T
from symlab.gradient import verify_grad
from symlab.graph.evaluate import evaluate
from symlab.tensor.nnet import elu, hard_sigmoid, relu, selu, softsign, ultra_fast_sigmoid

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def ufs_reference(v):
    """Theano's formula for ultra_fast_sigmoid, one Python float at a time."""
    a = abs(0.5 * v)
    if a < 1.7:
        t = 1.5 * a / (1 + a)
    elif a < 3:
        t = 0.935409070603099 + 0.0458812946797165 * (a - 1.7)
    else:
        t = 0.99505475368673
    return 0.5 * ((t if 0.5 * v >= 0 else -t) + 1)


REFERENCES = {
    "ultra_fast_sigmoid": (ultra_fast_sigmoid, ufs_reference),
    "hard_sigmoid": (hard_sigmoid, lambda v: min(1.0, max(0.0, 0.2 * v + 0.5))),
    "softsign": (softsign, lambda v: v / (1 + abs(v))),
    "elu": (elu, lambda v: v if v > 0 else math.expm1(v)),
    "selu": (selu, lambda v: SELU_SCALE * (v if v > 0 else SELU_ALPHA * math.expm1(v))),
    "relu": (relu, lambda v: max(v, 0.0)),
}

GRID = np.array([-9.0, -6.0, -3.5, -3.3, -2.0, -1.0, -0.2, 0.0, 0.3, 1.0, 2.6, 3.3, 3.5,
                 5.0, 6.5, 9.0])


@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_against_python_math(name, dtype):
    function, reference = REFERENCES[name]
    x = T.vector(dtype=dtype)
    got = theano.function([x], function(x))(GRID.astype(dtype))
    want = [reference(float(v)) for v in GRID.astype(dtype)]
    tol = 2e-7 if dtype == "float32" else 1e-15
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@given(st.lists(st.floats(-20, 20, allow_nan=False), min_size=1, max_size=20))
def test_ultra_fast_sigmoid_is_close_to_the_sigmoid(values):
    x = T.dvector("x")
    got = evaluate(ultra_fast_sigmoid(x), {x: np.array(values)})
    exact = 1 / (1 + np.exp(-np.array(values)))
    assert np.all(np.abs(got - exact) < 0.03)   # its largest error is 0.0277, near 0.6
    assert np.all((got >= 0) & (got <= 1))


@pytest.mark.parametrize("name, dtype, want", [
    ("ultra_fast_sigmoid", "int8", "float32"), ("ultra_fast_sigmoid", "int32", "float64"),
    ("hard_sigmoid", "int32", "float64"), ("hard_sigmoid", "float32", "float32"),
    ("softsign", "int16", "float32"), ("softsign", "int64", "float64"),
    ("elu", "float32", "float32"), ("elu", "int32", "float64"),
    ("selu", "float32", "float64"),      # Theano's float64 constants, as in Theano
])
def test_result_dtypes_follow_theano(name, dtype, want):
    function = REFERENCES[name][0]
    assert function(T.vector(dtype=dtype)).type.dtype == want


def test_elu_alpha():
    x = T.dvector("x")
    got = evaluate(elu(x, alpha=0.5), {x: np.array([-2.0, 3.0])})
    np.testing.assert_allclose(got, [0.5 * math.expm1(-2.0), 3.0], rtol=1e-15)


def test_relu_alpha_scalar_and_tensor():
    x = T.dvector("x")
    values = np.array([-2.0, -0.5, 0.0, 1.5])
    np.testing.assert_allclose(evaluate(relu(x, 0.1), {x: values}), [-0.2, -0.05, 0, 1.5])
    a = T.dvector("a")
    got = evaluate(relu(x, a), {x: values, a: np.array([0.5, 2.0, 1.0, 3.0])})
    np.testing.assert_allclose(got, [-1.0, -1.0, 0.0, 1.5])


def test_complex_input_is_refused_by_name():
    z = T.zvector("z")
    with pytest.raises(TypeError, match="softsign: expected a real tensor; got z"):
        softsign(z)


# Gradient points away from the kinks (0, and |x| = 3.4, 6 for ultra_fast_sigmoid;
# 2.5 for hard_sigmoid), where finite differences are not the derivative.
POINT = np.array([-7.0, -4.5, -2.9, -0.7, 0.4, 1.3, 2.2, 4.1, 8.0])


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_gradient_by_central_differences(name):
    verify_grad(REFERENCES[name][0], [POINT])


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_elu_and_relu_alpha_gradients(alpha):
    verify_grad(lambda v: elu(v, alpha), [POINT])
    verify_grad(lambda v, a: relu(v, a), [POINT, np.full(POINT.shape, alpha)])


def test_ultra_fast_sigmoid_gradient_closed_form():
    # d/dx of 0.5 * (1.5 a / (1 + a) + 1) with a = x / 2 is 0.375 / (1 + a)**2 (x in (0, 3.4))
    x = T.dscalar("x")
    g = theano.grad(ultra_fast_sigmoid(x), x)
    for v in (0.2, 1.0, 3.0):
        assert evaluate(g, {x: v}) == pytest.approx(0.375 / (1 + v / 2) ** 2, rel=1e-14)
    assert evaluate(g, {x: 4.0}) == pytest.approx(0.25 * 0.0458812946797165, rel=1e-14)
    assert evaluate(g, {x: 7.0}) == 0.0


# ultra_fast_sigmoid reuses |x / 2| in several branches; the fuser fuses trees only, so it
# compiles to a few kernels.
@pytest.mark.parametrize("name", ["hard_sigmoid", "softsign", "elu", "selu"])
def test_each_activation_compiles_to_one_fused_kernel(name):
    x = T.dvector("x")
    f = theano.function([x], REFERENCES[name][0](x))
    ops = [node.op.name for node in f.graph_after.apply_nodes]
    assert len(ops) == 1 and ops[0].startswith("fused"), ops
