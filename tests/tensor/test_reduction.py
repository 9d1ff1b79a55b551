"""Reductions: values against Python loops (math.fsum), closed forms, dtype tables,
static shapes, printing and errors."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import symlab.tensor as T
from symlab import function
from symlab.graph.evaluate import evaluate
from symlab.tensor import reduction as R
from symlab.tensor.elemwise import DimShuffle
from symlab.tensor.type import TensorType


def tensor(dtype, shape, name="x"):
    return TensorType(dtype, shape)(name)


def py_reduce(values, axis, fn):
    """Reference: ``fn`` of the Python list of elements reduced over ``axis``.

    Python loops over every index in row-major order; returns (shape, {index: value}).
    """
    values = np.asarray(values)
    ndim = values.ndim
    if axis is None:
        axes = set(range(ndim))
    else:
        axes = {a % ndim for a in (axis if isinstance(axis, tuple) else (axis,))}
    kept = [d for d in range(ndim) if d not in axes]
    groups = {}
    for index in itertools.product(*(range(s) for s in values.shape)):
        key = tuple(index[d] for d in kept)
        groups.setdefault(key, []).append(values[index].item())
    out_shape = tuple(values.shape[d] for d in kept)
    for key in itertools.product(*(range(s) for s in out_shape)):
        groups.setdefault(key, [])
    return out_shape, {k: fn(v) for k, v in groups.items()}


def assert_matches(got, reference, rel=1e-12, abs_=0.0):
    shape, expected = reference
    assert got.shape == shape
    for key, want in expected.items():
        assert got[key] == pytest.approx(want, rel=rel, abs=abs_), key


def first_index(values, best):
    return values.index(best(values))


def py_prod(values):
    out = 1
    for v in values:
        out *= v
    return out


def py_var(values, ddof=0):
    m = math.fsum(values) / len(values)
    return math.fsum((v - m) ** 2 for v in values) / (len(values) - ddof)


RNG = np.random.default_rng(1234)
DATA = RNG.normal(size=(3, 4, 5))
AXES = [None, 0, 1, 2, -1, (0, 2), (1, 2), (0, 1, 2), ()]


# ------------------------------------------------------------------ values

@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("name, reference", [
    ("sum", math.fsum),
    ("prod", py_prod),
    ("max", max),
    ("min", min),
    ("mean", lambda v: math.fsum(v) / len(v)),
    ("var", py_var),
    ("std", lambda v: math.sqrt(py_var(v))),
])
def test_float_reductions_match_python_loops(name, reference, axis):
    x = tensor("float64", (None, None, None))
    out = getattr(R, name)(x, axis=axis)
    got = evaluate(out, {x: DATA})
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    assert_matches(got, py_reduce(DATA, axis, reference), rel=1e-10)


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("name, best", [("argmax", max), ("argmin", min)])
def test_argmax_argmin_index_row_major_block(name, best, axis):
    x = tensor("float64", (3, 4, 5))
    got = evaluate(getattr(R, name)(x, axis=axis), {x: DATA})
    assert got.dtype == np.int64
    if axis == ():
        assert got.shape == DATA.shape and not got.any()
        return
    assert_matches(got, py_reduce(DATA, axis, lambda v: first_index(v, best)))


def test_argmax_ties_give_first_index():
    x = T.dvector("x")
    assert evaluate(R.argmax(x), {x: [1.0, 3.0, 3.0, 0.0]}) == 1
    assert evaluate(R.argmin(x), {x: [2.0, 0.0, 5.0, 0.0]}) == 1


@pytest.mark.parametrize("n", [1, 2, 10, 1000])
def test_sum_of_arange_closed_form(n):
    x = T.lvector("x")
    assert evaluate(R.sum(x), {x: np.arange(n)}) == n * (n - 1) // 2


def test_prod_and_sum_hand_values():
    x = T.imatrix("x")
    value = np.array([[1, 2, 3], [4, 5, 6]], dtype="int32")
    assert evaluate(R.prod(x), {x: value}) == 720
    assert evaluate(R.prod(x, axis=0), {x: value}).tolist() == [4, 10, 18]
    assert evaluate(R.sum(x, axis=1), {x: value}).tolist() == [6, 15]
    assert evaluate(R.max(x, axis=0), {x: value}).tolist() == [4, 5, 6]
    assert evaluate(R.min(x, axis=1), {x: value}).tolist() == [1, 4]


def test_all_any_hand_values():
    x = T.imatrix("x")
    value = np.array([[1, 0, 2], [3, 4, 5]], dtype="int32")
    assert evaluate(R.all(x, axis=1), {x: value}).tolist() == [False, True]
    assert evaluate(R.any(x, axis=0), {x: value}).tolist() == [True, True, True]
    assert evaluate(R.all(x), {x: value}) == np.bool_(False)
    assert evaluate(R.any(x), {x: np.zeros((2, 3), "int32")}) == np.bool_(False)


def test_int_sum_does_not_overflow_int32():
    x = T.ivector("x")
    value = np.full(4, 2**30, dtype="int32")
    assert int(evaluate(R.sum(x), {x: value})) == 2**32


def test_mean_var_std_hand_values():
    x = T.dvector("x")
    value = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]  # the textbook example
    assert evaluate(R.mean(x), {x: value}) == 5.0
    assert evaluate(R.var(x), {x: value}) == 4.0
    assert evaluate(R.std(x), {x: value}) == 2.0
    assert evaluate(R.var(x, ddof=1), {x: value}) == pytest.approx(32.0 / 7.0, rel=1e-15)


def test_mean_of_ints_is_exact_float64():
    x = T.ivector("x")
    got = evaluate(R.mean(x), {x: np.array([1, 2], dtype="int32")})
    assert got.dtype == np.float64 and got == 1.5


def test_float32_sum_is_close_to_exact():
    x = T.fvector("x")
    value = RNG.normal(size=1000).astype("float32")
    got = evaluate(R.sum(x), {x: value})
    assert got.dtype == np.float32
    assert float(got) == pytest.approx(math.fsum(value.tolist()), rel=1e-5, abs=1e-4)


def test_max_of_empty_reduction_raises():
    x = T.dvector("x")
    with pytest.raises(ValueError):
        evaluate(R.max(x), {x: np.zeros(0)})


def test_sum_and_prod_of_empty_are_identities():
    x = T.dmatrix("x")
    assert evaluate(R.sum(x, axis=1), {x: np.zeros((2, 0))}).tolist() == [0.0, 0.0]
    assert evaluate(R.prod(x, axis=1), {x: np.zeros((2, 0))}).tolist() == [1.0, 1.0]


@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=30))
def test_sum_max_of_int_lists(values):
    x = T.lvector("x")
    assert evaluate(R.sum(x), {x: values}) == sum(values)
    assert evaluate(R.max(x), {x: values}) == max(values)
    assert evaluate(R.argmin(x), {x: values}) == values.index(min(values))


@st.composite
def arrays_and_axes(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
    size = int(np.prod(shape))
    values = draw(st.lists(st.floats(-1e3, 1e3), min_size=size, max_size=size))
    axis = draw(st.one_of(st.none(), st.sets(st.integers(0, len(shape) - 1)).map(tuple)
                          if shape else st.none()))
    return np.array(values, dtype="float64").reshape(shape), axis


@given(arrays_and_axes())
def test_sum_mean_of_random_shapes_and_axes(case):
    value, axis = case
    x = tensor("float64", (None,) * value.ndim)
    assert_matches(evaluate(R.sum(x, axis=axis), {x: value}),
                   py_reduce(value, axis, math.fsum), rel=1e-12, abs_=1e-9)
    if value.ndim:
        assert_matches(evaluate(R.mean(x, axis=axis), {x: value}),
                       py_reduce(value, axis, lambda v: math.fsum(v) / len(v)),
                       rel=1e-12, abs_=1e-9)


# ------------------------------------------------------------------ dtypes

# (function, input dtype, kwargs) -> result dtype, written out by hand from Theano's rules.
DTYPE_TABLE = [
    ("sum", "bool", {}, "int64"),
    ("sum", "int8", {}, "int64"),
    ("sum", "int32", {}, "int64"),
    ("sum", "int64", {}, "int64"),
    ("sum", "uint8", {}, "uint64"),
    ("sum", "uint32", {}, "uint64"),
    ("sum", "float32", {}, "float32"),
    ("sum", "float64", {}, "float64"),
    ("sum", "complex64", {}, "complex64"),
    ("sum", "int32", {"dtype": "float32"}, "float32"),
    ("sum", "float32", {"dtype": "float64"}, "float64"),
    ("prod", "int16", {}, "int64"),
    ("prod", "uint16", {}, "uint64"),
    ("prod", "float32", {}, "float32"),
    ("mean", "int32", {}, "float64"),
    ("mean", "int8", {}, "float64"),
    ("mean", "bool", {}, "float64"),
    ("mean", "float32", {}, "float32"),
    ("mean", "float64", {}, "float64"),
    ("mean", "float32", {"dtype": "float64"}, "float64"),
    ("var", "int32", {}, "float64"),
    ("var", "float32", {}, "float32"),
    ("std", "float32", {}, "float32"),
    ("max", "int8", {}, "int8"),
    ("max", "uint16", {}, "uint16"),
    ("min", "float32", {}, "float32"),
    ("argmax", "float32", {}, "int64"),
    ("argmin", "int8", {}, "int64"),
    ("any", "float64", {}, "bool"),
    ("all", "int32", {}, "bool"),
]


@pytest.mark.parametrize("name, in_dtype, kwargs, out_dtype", DTYPE_TABLE)
def test_result_dtypes(name, in_dtype, kwargs, out_dtype):
    x = tensor(in_dtype, (2, 3))
    out = getattr(R, name)(x, axis=1, **kwargs)
    assert out.type.dtype == out_dtype
    value = (np.arange(6).reshape(2, 3) % 2).astype(in_dtype)
    got = evaluate(out, {x: value})
    assert isinstance(got, np.ndarray) and got.dtype == np.dtype(out_dtype)


@pytest.mark.parametrize("name, in_dtype, kwargs, out_dtype", DTYPE_TABLE)
def test_result_dtypes_over_all_axes_are_ndarrays(name, in_dtype, kwargs, out_dtype):
    x = tensor(in_dtype, (None, None))
    out = getattr(R, name)(x, **kwargs)
    got = evaluate(out, {x: np.ones((2, 3), dtype=in_dtype)})
    assert isinstance(got, np.ndarray) and got.shape == () and got.dtype == np.dtype(out_dtype)


def test_numpy_callable_gives_node_dtype():
    x = T.imatrix("x")
    value = np.arange(6, dtype="int32").reshape(2, 3)
    for out in (R.sum(x, axis=0), R.argmax(x, axis=(0, 1)), R.max(x), R.any(x, axis=1),
                R.sum(x, dtype="float32")):
        node = out.owner
        got = node.op.numpy_callable(node)(value)
        assert np.asarray(got).dtype == np.dtype(out.type.dtype)
        np.testing.assert_array_equal(got, node.op.perform(node, [value])[0])


# ------------------------------------------------------------------ static shapes

@pytest.mark.parametrize("axis, shape, kept_shape", [
    (None, (), (1, 1, 1)),
    (0, (None, 5), (1, None, 5)),
    (1, (3, 5), (3, 1, 5)),
    (-1, (3, None), (3, None, 1)),
    ((0, 2), (None,), (1, None, 1)),
])
def test_static_shapes_and_keepdims(axis, shape, kept_shape):
    x = tensor("float64", (3, None, 5))
    assert R.sum(x, axis=axis).type.shape == shape
    kept = R.max(x, axis=axis, keepdims=True)
    assert kept.type.shape == kept_shape
    assert isinstance(kept.owner.op, DimShuffle)
    assert R.mean(x, axis=axis, keepdims=True).type.shape == kept_shape
    assert R.var(x, axis=axis, keepdims=True).type.shape == kept_shape
    value = RNG.normal(size=(3, 2, 5))
    got = evaluate(kept, {x: value})
    assert got.shape == tuple(2 if s is None else s for s in kept_shape)


def test_keepdims_result_broadcasts_back():
    x = T.dmatrix("x")
    centered = x - R.mean(x, axis=1, keepdims=True)
    assert centered.type.broadcastable == (False, False)
    value = np.array([[1.0, 3.0], [10.0, 20.0]])
    assert evaluate(centered, {x: value}).tolist() == [[-1.0, 1.0], [-5.0, 5.0]]


def test_mean_with_unknown_and_known_sizes():
    x = tensor("float64", (None, 4))
    value = np.arange(12.0).reshape(3, 4)
    assert evaluate(R.mean(x, axis=1), {x: value}).tolist() == [1.5, 5.5, 9.5]
    assert evaluate(R.mean(x, axis=0), {x: value}).tolist() == [4.0, 5.0, 6.0, 7.0]
    assert evaluate(R.mean(x), {x: value}) == 5.5
    assert evaluate(R.var(x, axis=0, ddof=1), {x: value}).tolist() == [16.0] * 4
    y = tensor("float64", (None, 3, None), "y")
    value = np.arange(24.0).reshape(2, 3, 4)
    # over axes 0 and 1: the 6 values k, 4 + k, ..., 20 + k average to 10 + k
    assert evaluate(R.mean(y, axis=(0, 1)), {y: value}).tolist() == [10.0, 11.0, 12.0, 13.0]
    assert evaluate(R.mean(y, axis=(0, 2)), {y: value}).tolist() == [7.5, 11.5, 15.5]


# ------------------------------------------------------------------ printing and equality

def test_names_and_str():
    x = T.dtensor3("x")
    assert str(R.sum(x, axis=1).owner.op) == "sum{axis=(1,)}"
    assert str(R.sum(x, axis=(2, 0)).owner.op) == "sum{axis=(0, 2)}"
    assert str(R.sum(x).owner.op) == "sum"
    assert str(R.sum(x, axis=(0, 1, 2)).owner.op) == "sum"
    assert str(R.sum(x, dtype="float32").owner.op) == "sum{dtype=float32}"
    for name in ("sum", "prod", "max", "min", "argmax", "argmin", "all", "any"):
        assert getattr(R, name)(x, axis=-1).owner.op.name == name
        assert str(getattr(R, name)(x, axis=-1).owner.op) == f"{name}{{axis=(2,)}}"


def test_equal_ops_for_equal_reductions():
    x = T.dmatrix("x")
    assert R.sum(x, axis=-1).owner.op == R.sum(x, axis=1).owner.op
    assert R.sum(x, axis=(1, 0)).owner.op == R.sum(x).owner.op
    assert R.sum(x, dtype="float64").owner.op == R.sum(x).owner.op
    assert R.Reduce("max", (1,)) == R.Reduce("max", [1])
    assert hash(R.Reduce("max", (1,))) == hash(R.Reduce("max", (1,)))
    assert R.Reduce("max", (1,)) != R.Reduce("min", (1,))


def test_variable_methods_use_reductions():
    x = T.dmatrix("x")
    value = np.array([[1.0, 2.0], [3.0, 5.0]])
    assert evaluate(x.sum(axis=0), {x: value}).tolist() == [4.0, 7.0]
    assert evaluate(x.max(), {x: value}) == 5.0
    assert evaluate(x.argmax(axis=1), {x: value}).tolist() == [1, 1]
    assert evaluate(x.mean(axis=1, keepdims=True), {x: value}).tolist() == [[1.5], [4.0]]


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("axis", [2, -3, (0, 5)])
def test_out_of_range_axis_names_input_type_and_axis(axis):
    x = T.dmatrix("weights")
    for fn in (R.sum, R.max, R.argmax, R.mean, R.var):
        with pytest.raises(ValueError) as info:
            fn(x, axis=axis)
        message = str(info.value)
        assert "weights" in message and "TensorType(float64, (?, ?))" in message
        bad = axis if isinstance(axis, int) else 5
        assert f"axis {bad}" in message


def test_axis_on_scalar_is_refused():
    s = T.dscalar("s")
    with pytest.raises(ValueError, match="0-d"):
        R.sum(s, axis=0)
    assert evaluate(R.sum(s), {s: 2.5}) == 2.5


def test_bad_axis_values():
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="twice"):
        R.sum(x, axis=(1, -1))
    with pytest.raises(TypeError, match="axis"):
        R.sum(x, axis=1.5)
    with pytest.raises(TypeError, match="axis"):
        R.sum(x, axis=True)
    with pytest.raises(ValueError, match="sorted"):
        R.Reduce("sum", (-1,))
    with pytest.raises(ValueError, match="unknown kind"):
        R.Reduce("median", None)
    with pytest.raises(TypeError, match="dtype"):
        R.Reduce("max", None, dtype="float32")


def test_reduce_op_checks_axis_against_input():
    with pytest.raises(ValueError, match="out of range"):
        R.Reduce("sum", (2,))(T.dmatrix("m"))


# ------------------------------------------------------------------ compiled path

def test_compiled_function_agrees():
    x = T.fmatrix("x")
    f = function([x], [R.sum(x, axis=1), R.mean(x), R.argmax(x, axis=0),
                       R.var(x, axis=1, keepdims=True)])
    value = np.array([[1.0, 2.0, 6.0], [3.0, 3.0, 0.0]], dtype="float32")
    total, average, index, variance = f(value)
    assert total.dtype == np.float32 and total.tolist() == [9.0, 6.0]
    assert average.dtype == np.float32 and float(average) == 2.5
    assert index.tolist() == [1, 1, 0]
    assert variance.shape == (2, 1)
    assert variance[0, 0] == pytest.approx(py_var([1.0, 2.0, 6.0]), rel=1e-6)
