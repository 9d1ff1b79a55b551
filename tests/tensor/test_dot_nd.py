"""dot, matmul and tensordot of operands of any number of dimensions: values against
NumPy, result shapes recorded from Theano 1.0.5, and every gradient against central
finite differences in float64."""

import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

import symlab.tensor as T
from symlab import function
from symlab.graph.evaluate import evaluate
from symlab.gradient import verify_grad
from symlab.tensor.elemwise import BroadcastError
from symlab.tensor.type import TensorType

# (a shape, b shape, T.dot's result shape, Theano's values equal np.dot), printed by
# dev/theano_reference/dot_nd_shapes.py run on Theano 1.0.5.
THEANO_DOT_SHAPES = [
    ((2, 3, 4), (4, 5), (2, 3, 5), True),
    ((3, 4), (2, 4, 5), (3, 2, 5), True),
    ((2, 3, 4), (6, 4, 5), (2, 3, 6, 5), True),
    ((2, 3, 4), (4,), (2, 3), True),
    ((4,), (2, 4, 5), (2, 5), True),
    ((2, 3, 4, 5), (5, 2), (2, 3, 4, 2), True),
    ((2, 2, 3, 4), (4,), (2, 2, 3), True),
    ((2, 3, 4), (3, 2, 4, 5), (2, 3, 3, 2, 5), True),
]


def tensor(shape, name=None):
    return TensorType("float64", shape)(name)


def central_differences(cost, inputs, values, step=1e-6):
    """d cost / d input for each input, by central differences of the reference evaluator."""
    grads = []
    for k, point in enumerate(values):
        numeric = np.zeros(point.shape)
        for index in np.ndindex(point.shape):
            shifted = [v.copy() for v in values]
            shifted[k][index] = point[index] + step
            up = float(evaluate(cost, dict(zip(inputs, shifted))))
            shifted[k][index] = point[index] - step
            down = float(evaluate(cost, dict(zip(inputs, shifted))))
            numeric[index] = (up - down) / (2 * step)
        grads.append(numeric)
    return grads


def assert_gradient_matches(out, inputs, values, seed=0):
    """grad of sum(out * C), C random, equals central differences for every input."""
    rng = np.random.default_rng(seed)
    projection = rng.uniform(-1, 1, size=np.shape(evaluate(out, dict(zip(inputs, values)))))
    cost = T.sum(out * T.constant(projection))
    analytic = evaluate(T.grad(cost, inputs), dict(zip(inputs, values)))
    for var, got, want in zip(inputs, analytic, central_differences(cost, inputs, values)):
        assert got.shape == want.shape, var
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8, err_msg=str(var))


def dot_shapes(na, nb):
    """Operand shapes for dot of an na-d and an nb-d tensor: distinct sizes, inner size 3."""
    a = (2, 4, 5)[:max(na - 1, 0)] + ((3,) if na else ())
    if nb == 0:
        return a, ()
    b = (3,) if nb == 1 else (2, 5)[:nb - 2] + (3, 4)
    return a, b


# ------------------------------------------------------------------ dot


@pytest.mark.parametrize("a_shape, b_shape, out_shape, equal", THEANO_DOT_SHAPES)
def test_dot_follows_theano_shapes_and_numpy_values(a_shape, b_shape, out_shape, equal):
    a, b = tensor(a_shape, "a"), tensor(b_shape, "b")
    out = T.dot(a, b)
    assert out.type.shape == out_shape
    loose = T.dot(tensor((None,) * len(a_shape)), tensor((None,) * len(b_shape)))
    assert loose.type.ndim == len(out_shape)
    rng = np.random.default_rng(1)
    av, bv = rng.normal(size=a_shape), rng.normal(size=b_shape)
    got = function([a, b], out)(av, bv)
    assert got.shape == out_shape and equal
    b_axis = 0 if len(b_shape) == 1 else len(b_shape) - 2
    np.testing.assert_allclose(got, np.tensordot(av, bv, ([len(a_shape) - 1], [b_axis])),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got, np.dot(av, bv), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("na, nb", list(itertools.product(range(5), range(5))))
def test_dot_gradient_of_every_rank_pair(na, nb):
    a_shape, b_shape = dot_shapes(na, nb)
    rng = np.random.default_rng(na * 5 + nb)
    verify_grad(T.dot, [rng.normal(size=a_shape), rng.normal(size=b_shape)], rng=rng)


def test_dot_of_3d_by_matrix_as_in_the_lstm_tutorial():
    """grad of sum(dot(x, W) * C) with x (steps, samples, n): dW = sum over steps, samples."""
    x, W = T.tensor3("state_below"), T.matrix("W")
    rng = np.random.default_rng(2)
    xv, Wv, C = rng.normal(size=(4, 3, 5)), rng.normal(size=(5, 6)), rng.normal(size=(4, 3, 6))
    cost = T.sum(T.dot(x, W) * T.constant(C))
    gx, gW = function([x, W], T.grad(cost, [x, W]))(xv, Wv)
    np.testing.assert_allclose(gW, np.einsum("tsi,tsj->ij", xv, C), rtol=1e-12)
    np.testing.assert_allclose(gx, np.einsum("tsj,ij->tsi", C, Wv), rtol=1e-12)


# ------------------------------------------------------------------ matmul


def matmul_shapes(na, nb):
    """Operand shapes for matmul of an na-d and an nb-d tensor (batch axes equal)."""
    batch = (2, 3)[:max(na, nb) - 2] if max(na, nb) > 2 else ()
    a = (4,) if na == 1 else batch[len(batch) - (na - 2):] + (5, 4)
    b = (4,) if nb == 1 else batch[len(batch) - (nb - 2):] + (4, 3)
    return a, b


@pytest.mark.parametrize("na, nb", list(itertools.product(range(1, 5), range(1, 5))))
def test_matmul_values_and_gradient_of_every_rank_pair(na, nb):
    a_shape, b_shape = matmul_shapes(na, nb)
    rng = np.random.default_rng(10 + na * 5 + nb)
    av, bv = rng.normal(size=a_shape), rng.normal(size=b_shape)
    a, b = tensor((None,) * na), tensor((None,) * nb)
    np.testing.assert_allclose(evaluate(T.matmul(a, b), {a: av, b: bv}), np.matmul(av, bv),
                               rtol=1e-12, atol=1e-12)
    verify_grad(T.matmul, [av, bv], rng=rng)


@pytest.mark.parametrize("a_static, b_static", [
    ((1, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (1, 4, 5)),
    ((2, 1, 3, 4), (1, 3, 4, 5)),
    ((3, 4), (2, 1, 4, 5)),
])
def test_matmul_gradient_through_static_batch_broadcasting(a_static, b_static):
    rng = np.random.default_rng(3)
    a, b = tensor(a_static, "a"), tensor(b_static, "b")
    values = [rng.normal(size=a_static), rng.normal(size=b_static)]
    out = T.matmul(a, b)
    np.testing.assert_allclose(evaluate(out, dict(zip([a, b], values))),
                               np.matmul(*values), rtol=1e-12)
    assert_gradient_matches(out, [a, b], values)


def test_matmul_refuses_a_runtime_size_one_batch_axis_its_type_does_not_broadcast():
    a, b = tensor((None, 3, 4), "a"), tensor((None, 4, 5), "b")
    f = function([a, b], T.matmul(a, b))
    av, bv = np.ones((1, 3, 4)), np.ones((2, 4, 5))
    for call in (f, lambda x, y: evaluate(T.matmul(a, b), {a: x, b: y})):
        with pytest.raises(BroadcastError,
                           match=r"input 0 'a'.*batch dimension 0.*shape=\(1, 3, 4\)"):
            call(av, bv)
    ok = tensor((1, 3, 4), "a")
    assert function([ok, b], T.matmul(ok, b))(av, bv).shape == (2, 3, 5)


# ------------------------------------------------------------------ tensordot


@st.composite
def tensordot_case(draw):
    """Two operand shapes and a pairing of some of their axes of equal sizes."""
    na, nb = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    a_shape = draw(st.lists(st.integers(1, 3), min_size=na, max_size=na))
    b_shape = draw(st.lists(st.integers(1, 3), min_size=nb, max_size=nb))
    n = draw(st.integers(0, min(na, nb)))
    a_axes = draw(st.permutations(range(na)))[:n]
    b_axes = draw(st.permutations(range(nb)))[:n]
    for i, j in zip(a_axes, b_axes):
        b_shape[j] = a_shape[i]
    return tuple(a_shape), tuple(b_shape), (list(a_axes), list(b_axes))


@given(tensordot_case(), st.integers(0, 2**31))
def test_tensordot_values_and_gradient_for_any_axes(case, seed):
    a_shape, b_shape, axes = case
    rng = np.random.default_rng(seed)
    av, bv = rng.normal(size=a_shape), rng.normal(size=b_shape)
    a, b = tensor((None,) * len(a_shape)), tensor((None,) * len(b_shape))
    np.testing.assert_allclose(evaluate(T.tensordot(a, b, axes), {a: av, b: bv}),
                               np.tensordot(av, bv, axes), rtol=1e-12, atol=1e-12)
    verify_grad(lambda x, y: T.tensordot(x, y, axes), [av, bv], n_tests=1, rng=rng)


@pytest.mark.parametrize("axes", [0, 1, 2, 3])
def test_tensordot_integer_axes_gradient(axes):
    rng = np.random.default_rng(axes)
    av, bv = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4)[3 - axes:] + (2,))
    np.testing.assert_allclose(evaluate(T.tensordot(T.constant(av), T.constant(bv), axes)),
                               np.tensordot(av, bv, axes), rtol=1e-12, atol=1e-12)
    verify_grad(lambda x, y: T.tensordot(x, y, axes), [av, bv], rng=rng)
