"""Tests of symlab.tensor.shape: shape, reshape, flatten, the DimShuffle helpers, join, stack.

Expected values are written out by hand or built with Python lists and loops
(row-major flattening, list concatenation), never with the NumPy call the op
itself makes.
"""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import symlab.tensor as T
from symlab import function
from symlab.graph.evaluate import evaluate
from symlab.tensor.shape import (Join, MakeVector, Reshape, Shape, concatenate, expand_dims,
                                 flatten, join, reshape, shape, shape_padaxis, shape_padleft,
                                 shape_padright, squeeze, stack, transpose)
from symlab.tensor.type import TensorType

from nested_lists import flat, nested, tensor








def unflat(values, shape):
    """Nested lists of ``shape`` filled row-major from ``values``."""
    values = iter(values)

    def build(dims):
        if not dims:
            return next(values)
        return [build(dims[1:]) for _ in range(dims[0])]

    return build(list(shape))


def arr(data, dtype="float64"):
    return np.array(data, dtype=dtype)


def check_static(var, value):
    """The runtime shape agrees with every known entry of the static shape."""
    value = np.asarray(value)
    assert value.ndim == var.type.ndim
    assert value.dtype == var.type.dtype
    for want, got in zip(var.type.shape, value.shape):
        assert want is None or want == got, (var.type, value.shape)


# ------------------------------------------------------------------- shape


def test_shape_values_dtype_and_static_shape():
    x = tensor((None, 3, None))
    s = shape(x)
    assert s.type == TensorType("int64", (3,))
    assert s.owner.op.name == "shape"
    value = evaluate(s, {x: np.zeros((2, 3, 5))})
    assert value.dtype == np.int64 and value.tolist() == [2, 3, 5]
    assert evaluate(x.shape, {x: np.zeros((0, 3, 1))}).tolist() == [0, 3, 1]


def test_shape_of_scalar_is_empty_vector():
    s = T.scalar("s")
    assert shape(s).type == TensorType("int64", (0,))
    assert evaluate(shape(s), {s: 2.0}).tolist() == []


def test_shape_op_equality():
    assert Shape() == Shape() and hash(Shape()) == hash(Shape())
    assert str(Shape()) == "shape"


# ------------------------------------------------------------- make_vector


def test_stack_of_shape_entry_and_int_is_int64_vector():
    x = T.matrix("x")
    v = T.as_tensor_variable((x.shape[0], -1))
    assert v.type == TensorType("int64", (2,))
    assert v.owner.op == MakeVector("int64")
    assert v.owner.op.name == "make_vector"
    assert evaluate(v, {x: np.zeros((4, 2))}).tolist() == [4, -1]


def test_stack_scalars_upcasts():
    a, b = T.iscalar("a"), T.fscalar("b")
    v = stack([a, 2, b])
    assert v.type == TensorType("float64", (3,))  # int32 with float32: float64
    assert evaluate(v, {a: 3, b: 0.5}).tolist() == [3.0, 2.0, 0.5]
    c = T.iscalar("c")
    assert stack([a, 1, c]).type.dtype == "int32"
    assert stack(a, c).type == TensorType("int32", (2,))  # Theano's stack(a, b)


def test_as_tensor_variable_nested_list_of_scalars_makes_matrix():
    a, b = T.dscalars("a", "b")
    m = T.as_tensor_variable([[a, 1.5], [b, a]])
    assert m.type == TensorType("float64", (2, 2))
    assert evaluate(m, {a: 1.0, b: 2.0}).tolist() == [[1.0, 1.5], [2.0, 1.0]]


def test_make_vector_rejects_lossy_input_and_non_scalar():
    d = T.dscalar("d")
    with pytest.raises(TypeError, match=r"make_vector\{int64\}.*d .*float64.*losing precision"):
        MakeVector("int64")(d)
    with pytest.raises(TypeError, match="input 0 .*must be a 0-d"):
        MakeVector("float64")(T.vector("v"))
    assert MakeVector("int64")(3, T.lscalar()).type == TensorType("int64", (2,))


def test_make_vector_of_nothing():
    v = MakeVector("int64")()
    assert v.type == TensorType("int64", (0,))
    assert evaluate(v).tolist() == [] and evaluate(v).dtype == np.int64


# ----------------------------------------------------------------- reshape


def test_reshape_constant_shape_values_and_static_shape():
    x = T.vector("x")
    y = x.reshape((2, 3))
    assert y.type == TensorType("float64", (2, 3))
    assert y.owner.op == Reshape(2) and y.owner.op.name == "reshape"
    assert str(y.owner.op) == "reshape{2}"
    assert Reshape.view_of_input
    out = evaluate(y, {x: arr([0, 1, 2, 3, 4, 5])})
    assert out.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert evaluate(x.reshape(3, 2), {x: arr(range(6))}).tolist() == [[0, 1], [2, 3], [4, 5]]


def test_reshape_minus_one_and_symbolic_entries():
    x = T.matrix("x")
    n = T.lscalar("n")
    y = reshape(x, (n, -1))
    assert y.type.shape == (None, None)
    value = arr(nested((4, 3)))
    assert evaluate(y, {x: value, n: 2}).tolist() == unflat(flat(nested((4, 3))), (2, 6))
    z = x.reshape((-1,))
    assert evaluate(z, {x: value}).tolist() == flat(nested((4, 3)))


def test_reshape_int32_scalar_entry_is_cast():
    x = T.vector("x")
    k = T.iscalar("k")
    y = x.reshape((k, 2))
    assert y.owner.inputs[1].type == TensorType("int64", (2,))
    assert evaluate(y, {x: arr(range(6)), k: 3}).tolist() == [[0, 1], [2, 3], [4, 5]]


def test_reshape_symbolic_vector_shape():
    x = T.vector("x")
    s = T.lvector("s")
    with pytest.raises(ValueError, match="not known statically; pass ndim="):
        reshape(x, s)
    y = reshape(x, s, ndim=3)
    assert y.type.shape == (None, None, None)
    out = evaluate(y, {x: arr(range(8)), s: np.array([2, 2, 2])})
    assert out.tolist() == unflat(range(8), (2, 2, 2))


def test_reshape_to_shape_of_other_tensor_copies_its_static_shape():
    x = T.vector("x")
    z = tensor((2, None, 3), name="z")
    y = reshape(x, z.shape)
    assert y.type.shape == (2, None, 3)


def test_reshape_resolves_minus_one_with_static_size():
    x = tensor((None, 3, 4))
    assert x.reshape((x.shape[0], -1)).type.shape == (None, 12)
    assert x.reshape((-1, 4)).type.shape == (None, 4)  # x.shape[0] is not known
    assert x.reshape((2, -1, 6)).type.shape == (2, None, 6)
    w = tensor((2, 3, 4))
    assert w.reshape((-1, 6)).type.shape == (4, 6)
    assert w.reshape((w.shape[2], -1)).type.shape == (4, 6)


def test_flatten_has_known_trailing_size():
    x = tensor((None, 3, 4))
    assert flatten(x, 2).type.shape == (None, 12)
    assert flatten(x, 1).type.shape == (None,)
    assert flatten(x, 3).type.shape == (None, 3, 4)
    assert flatten(tensor((2, 3, 4)), 1).type.shape == (24,)


def test_reshape_to_0d_and_from_0d():
    x = tensor((1, 1))
    y = x.reshape(())
    assert y.type.shape == ()
    assert evaluate(y, {x: arr([[7.0]])}).tolist() == 7.0
    s = T.scalar("s")
    v = s.reshape((1, 1))
    assert v.type.shape == (1, 1)
    assert evaluate(v, {s: 2.0}).tolist() == [[2.0]]


def test_reshape_statically_impossible_is_build_error():
    x = tensor((2, 3), name="x")
    with pytest.raises(ValueError, match=r"cannot reshape x .*\(2, 3\).* into shape \(4, 2\)"):
        x.reshape((4, 2))
    with pytest.raises(ValueError, match=r"into shape \(4, -1\).*6 given, a multiple of 4"):
        x.reshape((4, -1))
    with pytest.raises(ValueError, match="number of elements"):
        x.reshape(())
    y = tensor((None, 3), name="y")
    with pytest.raises(ValueError, match="cannot reshape y"):
        y.reshape((y.shape[0], 4))


def test_reshape_bad_entries():
    x = T.vector("x")
    with pytest.raises(ValueError, match="single -1"):
        x.reshape((-1, -1))
    with pytest.raises(ValueError, match="single -1"):
        x.reshape((2, -3))
    with pytest.raises(TypeError, match="shape entry 1 is 2.5"):
        x.reshape((2, 2.5))
    with pytest.raises(TypeError, match="shape entry 0 .*must be an integer scalar"):
        x.reshape((T.dscalar("d"),))
    with pytest.raises(TypeError, match="integer vector"):
        reshape(x, T.dvector("dv"), ndim=2)
    with pytest.raises(ValueError, match="ndim=3 but the shape"):
        reshape(x, (2, 3), ndim=3)


def test_reshape_runtime_mismatch_names_input():
    x = T.vector("x")
    n = T.lscalar("n")
    y = x.reshape((n, 2))
    with pytest.raises(ValueError,
                       match=r"reshape\{2\}: cannot reshape x \(runtime shape \(5,\)\)"):
        evaluate(y, {x: arr(range(5)), n: 2})


def test_reshape_is_a_view_when_possible():
    x = T.vector("x")
    value = arr(range(6))
    out = evaluate(x.reshape((2, 3)), {x: value})
    assert np.shares_memory(out, value)


@given(st.lists(st.integers(1, 4), min_size=0, max_size=4), st.data())
def test_reshape_property_row_major(dims, data):
    size = math.prod(dims)
    # a random factorization of the size into a new shape
    factors = []
    rest = size
    for _ in range(data.draw(st.integers(0, 3))):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        f = data.draw(st.sampled_from(divisors))
        factors.append(f)
        rest //= f
    factors.append(rest)
    target = list(factors)
    use_minus = data.draw(st.booleans())
    if use_minus:
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    known = data.draw(st.booleans())
    x = tensor(tuple(dims) if known else (None,) * len(dims))
    y = x.reshape(tuple(target))
    value = arr(nested(dims))
    out = evaluate(y, {x: value})
    assert out.tolist() == unflat(flat(nested(dims)), factors)
    check_static(y, out)
    if known or not use_minus:
        assert y.type.shape == tuple(factors)


# ----------------------------------------------------------------- flatten


@pytest.mark.parametrize("ndim, expected_shape", [(1, (24,)), (2, (2, 12)), (3, (2, 3, 4))])
def test_flatten_values(ndim, expected_shape):
    x = T.tensor3("x")
    y = flatten(x, ndim)
    assert y.type.ndim == ndim
    value = nested((2, 3, 4))
    out = evaluate(y, {x: arr(value)})
    assert out.tolist() == unflat(flat(value), expected_shape)
    assert evaluate(x.flatten(ndim), {x: arr(value)}).tolist() == out.tolist()


def test_flatten_zero_size_and_scalar():
    x = T.tensor3("x")
    assert evaluate(flatten(x, 2), {x: np.zeros((0, 3, 2))}).shape == (0, 6)
    s = T.scalar("s")
    assert flatten(s).type.shape == (1,)
    assert evaluate(flatten(s), {s: 3.0}).tolist() == [3.0]


def test_flatten_bad_ndim():
    with pytest.raises(ValueError, match="flatten: ndim must be between 1 and 2"):
        flatten(T.matrix("m"), 3)
    with pytest.raises(ValueError, match="flatten"):
        flatten(T.matrix("m"), 0)


# ------------------------------------------------------ DimShuffle helpers


def test_transpose_default_and_axes():
    x = T.tensor3("x")
    value = nested((2, 3, 4))
    out = evaluate(transpose(x), {x: arr(value)})
    expected = [[[value[i][j][k] for i in range(2)] for j in range(3)] for k in range(4)]
    assert out.tolist() == expected
    out = evaluate(transpose(x, (1, -1, 0)), {x: arr(value)})
    expected = [[[value[i][j][k] for i in range(2)] for k in range(4)] for j in range(3)]
    assert out.tolist() == expected
    assert evaluate(x.transpose(1, 2, 0), {x: arr(value)}).tolist() == expected
    m = tensor((1, 5))
    assert m.T.type.shape == (5, 1)


def test_transpose_not_a_permutation():
    with pytest.raises(ValueError, match="not a permutation of the 2 axes of m"):
        transpose(T.matrix("m"), (0, 0))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        transpose(T.matrix("m"), (0, 2))


def test_squeeze():
    x = tensor((1, None, 1, 3), name="x")
    y = squeeze(x)
    assert y.type.shape == (None, 3)
    value = arr(nested((1, 2, 1, 3)))
    assert evaluate(y, {x: value}).tolist() == [row[0] for row in nested((1, 2, 1, 3))[0]]
    assert squeeze(x, 2).type.shape == (1, None, 3)
    assert x.squeeze(axis=(0, -2)).type.shape == (None, 3)
    m = T.matrix("m")
    assert squeeze(m) is m  # nothing has static size 1


def test_squeeze_non_static_axis_explains():
    x = T.matrix("x")
    with pytest.raises(ValueError, match=r"axis 1 of x .* has static size \?.*static size is 1"
                                         r".*T\.row, T\.col.*shape="):
        squeeze(x, 1)
    with pytest.raises(ValueError, match="static size 3"):
        squeeze(tensor((3, 1)), 0)


def test_expand_dims_and_padding():
    x = tensor((None, 3))
    assert expand_dims(x, 0).type.shape == (1, None, 3)
    assert expand_dims(x, -1).type.shape == (None, 3, 1)
    assert expand_dims(x, (0, 2)).type.shape == (1, None, 1, 3)
    assert shape_padaxis(x, 1).type.shape == (None, 1, 3)
    assert shape_padleft(x).type.shape == (1, None, 3)
    assert shape_padleft(x, 2).type.shape == (1, 1, None, 3)
    assert shape_padright(x, 2).type.shape == (None, 3, 1, 1)
    value = nested((2, 3))
    assert evaluate(expand_dims(x, 1), {x: arr(value)}).tolist() == [[row] for row in value]
    assert evaluate(shape_padright(x), {x: arr(value)}).tolist() == [[[v] for v in row]
                                                                    for row in value]
    with pytest.raises(ValueError, match="repeated axis"):
        expand_dims(x, (0, 0))
    with pytest.raises(ValueError, match="out of range"):
        expand_dims(x, 4)


# -------------------------------------------------------------------- join


def test_concatenate_axis0_and_axis1_values():
    a = T.matrix("a")
    b = T.matrix("b")
    va, vb = nested((2, 3)), nested((1, 3), start=100)
    out = evaluate(concatenate([a, b]), {a: arr(va), b: arr(vb)})
    assert out.tolist() == va + vb
    vc = nested((2, 2), start=50)
    out = evaluate(concatenate([a, b], axis=-1), {a: arr(va), b: arr(vc)})
    assert out.tolist() == [ra + rc for ra, rc in zip(va, vc)]
    j = concatenate([a, b], axis=1)
    assert j.owner.op == Join(1) and j.owner.op.name == "join"
    assert str(j.owner.op) == "join{axis=1}"


def test_join_theano_signature():
    a, b, c = T.vectors("a", "b", "c")
    j = join(0, a, b, c)
    out = evaluate(j, {a: arr([1]), b: arr([2, 3]), c: arr([])})
    assert out.tolist() == [1, 2, 3]
    assert join(0, [a, b]).owner.op == Join(0)
    assert join(0, a) is a
    assert join(T.constant(0), a, b).owner.op == Join(0)
    with pytest.raises(TypeError, match="axis must be a Python int"):
        join(T.lscalar("ax"), a, b)


def test_join_static_shapes():
    a = tensor((2, None))
    b = tensor((3, 4))
    c = tensor((None, 4))
    assert concatenate([a, b]).type.shape == (5, 4)
    assert concatenate([a, b, c]).type.shape == (None, 4)
    row = tensor((1, None))
    assert concatenate([row, row], axis=1).type.shape == (1, None)


def test_join_dtype_upcast():
    i8 = tensor((None,), "int8", "i8")
    f32 = tensor((None,), "float32", "f32")
    i32 = tensor((None,), "int32", "i32")
    assert concatenate([i8, f32]).type.dtype == "float32"
    assert concatenate([i32, f32]).type.dtype == "float64"
    out = evaluate(concatenate([i8, i32]), {i8: np.array([1], "int8"),
                                           i32: np.array([70000], "int32")})
    assert out.dtype == np.int32 and out.tolist() == [1, 70000]


def test_join_errors():
    a = tensor((2, 3), name="a")
    b = tensor((2, 4), name="b")
    with pytest.raises(ValueError, match=r"dimension 1 differs: input 0 \(a\) has shape \(2, 3\), "
                                         r"input 1 \(b\) has shape \(2, 4\)"):
        concatenate([a, b])
    assert concatenate([a, b], axis=1).type.shape == (2, 7)
    with pytest.raises(ValueError, match="same number of dimensions.*input 1 is v"):
        concatenate([a, T.vector("v")])
    with pytest.raises(ValueError, match="0-d.*use stack"):
        concatenate([T.scalar("s"), T.scalar("t")])
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        concatenate([a, a], axis=2)
    with pytest.raises(ValueError, match="at least one"):
        concatenate([])


def test_join_runtime_mismatch_names_inputs():
    a, b = T.matrices("a", "b")
    with pytest.raises(ValueError, match=r"join\{axis=0\}: cannot join a \(2, 3\), b \(2, 2\)"):
        evaluate(concatenate([a, b]), {a: np.zeros((2, 3)), b: np.zeros((2, 2))})


def test_stack_vectors_along_axes():
    a, b = T.vectors("a", "b")
    va, vb = [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]
    given = {a: arr(va), b: arr(vb)}
    s0 = stack([a, b])
    assert s0.type.shape == (2, None)
    assert evaluate(s0, given).tolist() == [va, vb]
    s1 = stack([a, b], axis=1)
    assert s1.type.shape == (None, 2)
    assert evaluate(s1, given).tolist() == [[x, y] for x, y in zip(va, vb)]
    assert evaluate(stack([a, b], -1), given).tolist() == [[x, y] for x, y in zip(va, vb)]
    with pytest.raises(ValueError, match="same number of dimensions"):
        stack([a, T.matrix("m")])


def test_stack_scalars_along_axis_minus_one():
    a, b = T.dscalars("a", "b")
    assert stack([a, b], axis=-1).type.shape == (2,)
    with pytest.raises(ValueError, match="out of range"):
        stack([a, b], axis=1)


# ---------------------------------------------------------- compiled path


def test_compiled_function_agrees_with_reference():
    x = tensor((None, 3, 4))
    outs = [x.reshape((x.shape[0], -1)), flatten(x, 2), concatenate([x, x], axis=1),
            stack([x, x], axis=-1), transpose(x, (2, 0, 1)), shape(x)]
    f = function([x], outs)
    value = np.arange(24.0).reshape(2, 3, 4)
    for got, want in zip(f(value), evaluate(outs, {x: value})):
        np.testing.assert_array_equal(got, want)
