"""dot, matmul, tensordot, outer: values against Python loops with math.fsum,
static shapes, dtypes and build-time errors."""

import itertools
import math

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function
from symlab.graph.evaluate import evaluate
from symlab.tensor.linalg import Dot, MatMul, TensorDot, dot, matmul, outer, tensordot
from symlab.tensor.type import TensorType

RNG = np.random.default_rng(7)


def tensor(shape, dtype="float64", name=None):
    return TensorType(dtype, shape)(name)


def py_contract(a, b, a_axes, b_axes):
    """Reference tensordot: Python loops summing products with math.fsum."""
    a, b = np.asarray(a), np.asarray(b)
    a_free = [d for d in range(a.ndim) if d not in a_axes]
    b_free = [d for d in range(b.ndim) if d not in b_axes]
    summed = [range(a.shape[d]) for d in a_axes]
    out_shape = tuple(a.shape[d] for d in a_free) + tuple(b.shape[d] for d in b_free)
    out = np.zeros(out_shape)
    for index in itertools.product(*(range(s) for s in out_shape)):
        terms = []
        for inner in itertools.product(*summed):
            ia, ib = [0] * a.ndim, [0] * b.ndim
            for d, i in zip(a_free, index[:len(a_free)]):
                ia[d] = i
            for d, i in zip(b_free, index[len(a_free):]):
                ib[d] = i
            for da, db, i in zip(a_axes, b_axes, inner):
                ia[da] = ib[db] = i
            terms.append(a[tuple(ia)].item() * b[tuple(ib)].item())
        out[index] = math.fsum(terms)
    return out


def py_dot(a, b):
    """np.dot's contraction: last axis of a with the second-to-last (or only) of b."""
    a, b = np.asarray(a), np.asarray(b)
    return py_contract(a, b, [a.ndim - 1], [0 if b.ndim == 1 else b.ndim - 2])


# ------------------------------------------------------------------ dot

@pytest.mark.parametrize("a_shape, b_shape, out_shape", [
    ((4,), (4,), ()),
    ((3, 4), (4,), (3,)),
    ((4,), (4, 2), (2,)),
    ((3, 4), (4, 2), (3, 2)),
    ((2, 3, 4), (4, 5), (2, 3, 5)),
    ((2, 3, 4), (4,), (2, 3)),
    ((2, 3), (4, 3, 5), (2, 4, 5)),
])
def test_dot_values_and_static_shapes(a_shape, b_shape, out_shape):
    a, b = tensor(a_shape, name="a"), tensor(b_shape, name="b")
    out = dot(a, b)
    assert out.type.shape == out_shape
    assert dot(tensor((None,) * len(a_shape)), tensor((None,) * len(b_shape))).type.ndim == \
        len(out_shape)
    av, bv = RNG.normal(size=a_shape), RNG.normal(size=b_shape)
    got = evaluate(out, {a: av, b: bv})
    assert isinstance(got, np.ndarray) and got.shape == out_shape
    np.testing.assert_allclose(got, py_dot(av, bv), rtol=1e-12, atol=1e-12)


def test_dot_hand_values():
    a, b = T.imatrix("a"), T.imatrix("b")
    got = evaluate(dot(a, b), {a: [[1, 2], [3, 4]], b: [[5, 6], [7, 8]]})
    assert got.tolist() == [[19, 22], [43, 50]] and got.dtype == np.int32
    v = T.dvector("v")
    assert evaluate(dot(v, v), {v: [1.0, 2.0, 3.0]}) == 14.0
    assert evaluate(v.dot(v), {v: [3.0, 4.0]}) == 25.0


def test_dot_with_scalar_multiplies():
    s, m = T.dscalar("s"), tensor((2, 3), name="m")
    out = dot(s, m)
    assert out.type.shape == (2, 3)
    assert evaluate(out, {s: 2.0, m: np.ones((2, 3))}).tolist() == [[2.0] * 3] * 2


# (a dtype, b dtype) -> result dtype, by hand.
DOT_DTYPES = [
    ("float64", "float64", "float64"),
    ("float32", "float32", "float32"),
    ("float32", "float64", "float64"),
    ("int32", "float32", "float64"),
    ("int8", "int16", "int16"),
    ("int32", "int32", "int32"),
    ("int64", "float64", "float64"),
    ("float32", "complex64", "complex64"),
]


@pytest.mark.parametrize("da, db, expected", DOT_DTYPES)
@pytest.mark.parametrize("fn", [dot, matmul, lambda a, b: tensordot(a, b, 1)])
def test_result_dtype_is_upcast(fn, da, db, expected):
    a, b = tensor((2, 3), da, "a"), tensor((3, 2), db, "b")
    out = fn(a, b)
    assert out.type.dtype == expected
    got = evaluate(out, {a: np.ones((2, 3), da), b: np.full((3, 2), 2, db)})
    assert got.dtype == np.dtype(expected)
    assert got.tolist() == [[6, 6], [6, 6]]


def test_dot_inner_clash_at_build_names_both_inputs():
    a, b = tensor((3, 4), name="weights"), tensor((5, 2), name="inputs")
    with pytest.raises(ValueError) as info:
        dot(a, b)
    message = str(info.value)
    assert "weights" in message and "inputs" in message
    assert "(3, 4)" in message and "(5, 2)" in message
    with pytest.raises(ValueError, match="do not match"):
        dot(tensor((3,), name="u"), tensor((4,), name="w"))


def test_dot_runtime_clash_names_inputs():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    with pytest.raises(ValueError) as info:
        evaluate(dot(a, b), {a: np.ones((2, 3)), b: np.ones((4, 2))})
    assert "a has shape (2, 3)" in str(info.value) and "b has shape (4, 2)" in str(info.value)


def test_dot_names():
    out = dot(T.dmatrix(), T.dmatrix())
    assert out.owner.op.name == "dot" and str(out.owner.op) == "dot"
    assert Dot() == Dot() and hash(Dot()) == hash(Dot())


# ------------------------------------------------------------------ matmul

@pytest.mark.parametrize("a_shape, b_shape, out_shape", [
    ((3, 4), (4, 2), (3, 2)),
    ((4,), (4, 2), (2,)),
    ((3, 4), (4,), (3,)),
    ((4,), (4,), ()),
    ((2, 3, 4), (4, 5), (2, 3, 5)),
    ((2, 1, 3, 4), (5, 4, 2), (2, 5, 3, 2)),
    ((4,), (2, 4, 3), (2, 3)),
])
def test_matmul_values_and_static_shapes(a_shape, b_shape, out_shape):
    a, b = tensor(a_shape, name="a"), tensor(b_shape, name="b")
    out = matmul(a, b)
    assert out.type.shape == out_shape
    av, bv = RNG.normal(size=a_shape), RNG.normal(size=b_shape)
    got = evaluate(out, {a: av, b: bv})
    assert got.shape == out_shape
    # Reference: loop over the broadcast batch, each product by py_contract.
    a2 = av.reshape((1,) + av.shape) if av.ndim == 1 else av
    b2 = bv.reshape(bv.shape + (1,)) if bv.ndim == 1 else bv
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    for index in itertools.product(*(range(s) for s in batch)):
        ia = tuple(i if s > 1 else 0 for i, s in zip(index[len(batch) - a2.ndim + 2:],
                                                   a2.shape[:-2]))
        ib = tuple(i if s > 1 else 0 for i, s in zip(index[len(batch) - b2.ndim + 2:],
                                                   b2.shape[:-2]))
        want = py_contract(a2[ia], b2[ib], [1], [0])
        if av.ndim == 1:
            want = want[0]
        if bv.ndim == 1:
            want = want[..., 0]
        np.testing.assert_allclose(got[index], want, rtol=1e-12, atol=1e-12)


def test_matmul_static_batch_broadcasting():
    a = tensor((1, None, 3, 4), name="a")
    b = tensor((7, 1, 4, 2), name="b")
    assert matmul(a, b).type.shape == (7, None, 3, 2)
    assert matmul(tensor((None, 3, 4)), tensor((6, 4, 2))).type.shape == (6, 3, 2)
    with pytest.raises(ValueError, match="batch"):
        matmul(tensor((2, 3, 4), name="a"), tensor((5, 4, 2), name="b"))


def test_matmul_refuses_scalars():
    m = T.dmatrix("m")
    with pytest.raises(ValueError, match="scalar") as info:
        matmul(T.dscalar("s"), m)
    assert "s of type TensorType(float64, ())" in str(info.value)
    with pytest.raises(ValueError, match="scalar"):
        matmul(m, 2.0)


def test_matmul_inner_clash_and_operator():
    a, b = tensor((3, 4), name="a"), tensor((3, 4), name="b")
    with pytest.raises(ValueError, match="a of type .* b of type"):
        matmul(a, b)
    x, y = T.dmatrix("x"), T.dmatrix("y")
    out = x @ y
    assert out.owner.op == MatMul() and out.owner.op.name == "matmul"
    got = evaluate(out, {x: [[1.0, 2.0]], y: [[3.0], [4.0]]})
    assert got.tolist() == [[11.0]]


# ------------------------------------------------------------------ tensordot

@pytest.mark.parametrize("a_shape, b_shape, axes, a_axes, b_axes", [
    ((3, 4, 5), (4, 5, 2), 2, [1, 2], [0, 1]),
    ((3, 4), (4, 2), 1, [1], [0]),
    ((3, 4), (2, 5), 0, [], []),
    ((3, 4, 5), (5, 3), [[0, 2], [1, 0]], [0, 2], [1, 0]),
    ((3, 4, 5), (5, 3), ([-1], [0]), [2], [0]),
    ((3, 4), (4, 3), (1, 0), [1], [0]),
])
def test_tensordot_values(a_shape, b_shape, axes, a_axes, b_axes):
    a, b = tensor(a_shape, name="a"), tensor(b_shape, name="b")
    out = tensordot(a, b, axes)
    av, bv = RNG.normal(size=a_shape), RNG.normal(size=b_shape)
    want = py_contract(av, bv, a_axes, b_axes)
    assert out.type.shape == want.shape
    np.testing.assert_allclose(evaluate(out, {a: av, b: bv}), want, rtol=1e-12, atol=1e-12)


def test_tensordot_axes_normalized_in_props():
    a, b = T.dtensor3("a"), T.dmatrix("b")
    op = tensordot(a, b, [[-1], [0]]).owner.op
    assert op.axes == ((2,), (0,))
    assert op == TensorDot(((2,), (0,))) == tensordot(a, b, 1).owner.op
    assert str(op) == "tensordot{axes=((2,), (0,))}" and op.name == "tensordot"


def test_tensordot_errors():
    a, b = tensor((3, 4), name="a"), tensor((5, 3), name="b")
    with pytest.raises(ValueError, match="a of type .* b of type"):
        tensordot(a, b, 1)
    with pytest.raises(ValueError, match="out of range"):
        tensordot(a, b, [[2], [0]])
    with pytest.raises(ValueError, match="paired"):
        tensordot(a, b, [[0, 1], [0]])
    with pytest.raises(ValueError, match="at least 3"):
        tensordot(a, b, 3)


# ------------------------------------------------------------------ outer

def test_outer_values_and_shape():
    x, y = tensor((3,), name="x"), T.fvector("y")
    out = outer(x, y)
    assert out.type.shape == (3, None) and out.type.dtype == "float64"
    got = evaluate(out, {x: [1.0, 2.0, 3.0], y: np.array([10.0, -1.0], "float32")})
    assert got.tolist() == [[10.0, -1.0], [20.0, -2.0], [30.0, -3.0]]


# ------------------------------------------------------------------ compiled path

def test_compiled_function_agrees():
    a, b = T.fmatrix("a"), T.fmatrix("b")
    f = function([a, b], [dot(a, b), matmul(a, b), tensordot(a, b, 1)])
    av = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")
    bv = np.array([[5.0, 6.0], [7.0, 8.0]], "float32")
    for got in f(av, bv):
        assert got.dtype == np.float32
        assert got.tolist() == [[19.0, 22.0], [43.0, 50.0]]
    i, d = T.ivector("i"), T.dvector("d")
    g = function([i, d], dot(i, d))
    assert g(np.array([1, 2], "int32"), [0.5, 0.25]) == 1.0
