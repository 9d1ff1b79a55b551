"""Creation ops: alloc, zeros/ones/full, fill and *_like, arange, eye.

Values are checked against hand-written arrays and Python's ``range``;
dtypes against a hand-written table."""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function
from symlab.config import config
from symlab.graph.evaluate import evaluate
from symlab.tensor.creation import (ARange, Alloc, Eye, alloc, arange, eye, fill, full,
                                    full_like, ones, ones_like, zeros, zeros_like)
from symlab.tensor.type import TensorType


def tensor(shape, dtype="float64", name=None):
    return TensorType(dtype, shape)(name)


@pytest.fixture
def float32_config():
    old = config.floatX
    config.floatX = "float32"
    yield
    config.floatX = old


# ------------------------------------------------------------------ alloc

def test_alloc_scalar_to_constant_shape():
    out = alloc(np.float32(1.5), 2, 3)
    assert out.type == TensorType("float32", (2, 3))
    assert out.owner.op.name == "alloc" and str(out.owner.op) == "alloc"
    got = evaluate(out)
    assert got.dtype == np.float32 and got.tolist() == [[1.5] * 3] * 2


def test_alloc_symbolic_sizes_and_vector_value():
    n = T.iscalar("n")
    v = tensor((3,), "int32", "v")
    out = alloc(v, n, 3)
    assert out.type.shape == (None, 3)
    got = evaluate(out, {n: 2, v: np.array([1, 2, 3], "int32")})
    assert got.dtype == np.int32 and got.tolist() == [[1, 2, 3], [1, 2, 3]]
    # A value of static size 3 fixes that dimension even with a symbolic entry.
    assert alloc(v, n, n).type.shape == (None, 3)


def test_alloc_result_is_a_fresh_writable_array():
    v = T.dvector("v")
    value = np.array([1.0, 2.0])
    got = evaluate(alloc(v, 2, 2), {v: value})
    got[0, 0] = 99.0
    assert value.tolist() == [1.0, 2.0]


def test_alloc_build_errors_name_the_input():
    v = tensor((3,), name="v")
    with pytest.raises(ValueError, match="v of type TensorType\\(float64, \\(3,\\)\\)"):
        alloc(v, 2, 4)
    with pytest.raises(ValueError, match="more dimensions"):
        alloc(T.dmatrix("m"), 3)
    with pytest.raises(TypeError, match="integer scalar.*f of type"):
        alloc(0.0, T.fscalar("f"))
    with pytest.raises(ValueError, match="non-negative"):
        alloc(0.0, -1)


def test_alloc_runtime_errors():
    v = T.dvector("v")
    with pytest.raises(ValueError, match="broadcast"):
        evaluate(alloc(v, 2, 3), {v: np.ones(2)})
    # Size 1 in a dimension not declared broadcastable is not stretched.
    with pytest.raises(ValueError, match="broadcastable"):
        evaluate(alloc(v, 2, 3), {v: np.ones(1)})
    n = T.lscalar("n")
    with pytest.raises(ValueError, match="negative"):
        evaluate(alloc(0.0, n), {n: -2})


# ------------------------------------------------------------------ zeros, ones, full

def test_zeros_ones_default_floatx():
    z, o = zeros((2, 3)), ones((4,))
    assert z.type == TensorType("float64", (2, 3)) and o.type == TensorType("float64", (4,))
    assert evaluate(z).tolist() == [[0.0] * 3] * 2
    assert evaluate(o).tolist() == [1.0] * 4


def test_zeros_follows_config_floatx(float32_config):
    assert zeros((2,)).type.dtype == "float32"
    assert ones(3).type.dtype == "float32"
    assert eye(2).type.dtype == "float32"


def test_zeros_dtype_and_symbolic_shapes():
    n = T.lscalar("n")
    out = ones((n, 2), dtype="int32")
    assert out.type == TensorType("int32", (None, 2))
    assert evaluate(out, {n: 3}).tolist() == [[1, 1]] * 3
    assert zeros(()).type.shape == ()
    assert evaluate(zeros(np.array([2, 1]))).shape == (2, 1)
    assert zeros(T.constant(np.array([2, 1]))).type.shape == (2, 1)


def test_zeros_of_symbolic_shape_vector():
    x = T.dtensor3("x")
    out = zeros(x.shape, dtype="int8")
    assert out.type.ndim == 3 and out.type.dtype == "int8"
    got = evaluate(out, {x: np.ones((2, 3, 4))})
    assert got.shape == (2, 3, 4) and got.dtype == np.int8 and not got.any()


def test_zeros_of_vector_without_static_length_is_refused():
    with pytest.raises(ValueError, match="s of type TensorType\\(int64, \\(\\?,\\)\\)"):
        zeros(T.lvector("s"))
    with pytest.raises(TypeError, match="integer"):
        zeros(T.dvector("d"))


def test_full():
    out = full((2,), 1.5)
    assert out.type == TensorType("float32", (2,))
    assert evaluate(out).tolist() == [1.5, 1.5]
    assert evaluate(full((1, 2), 7, dtype="int64")).dtype == np.int64


# ------------------------------------------------------------------ fill and *_like

def test_like_functions_keep_dtype_and_shape():
    x = tensor((2, 3), "int16", "x")
    for fn, value in ((zeros_like, 0), (ones_like, 1)):
        out = fn(x)
        assert out.type == TensorType("int16", (2, 3))
        got = evaluate(out)  # the static shape is enough: x's value is not needed
        assert got.dtype == np.int16 and got.tolist() == [[value] * 3] * 2
    out = full_like(x, 2.5, dtype="float32")
    assert out.type == TensorType("float32", (2, 3))
    assert evaluate(out).tolist() == [[2.5] * 3] * 2


def test_like_functions_with_unknown_sizes():
    x = T.fmatrix("x")
    out = ones_like(x)
    assert out.type == TensorType("float32", (None, None))
    got = evaluate(out, {x: np.zeros((3, 2), "float32")})
    assert got.dtype == np.float32 and got.tolist() == [[1.0, 1.0]] * 3
    assert evaluate(zeros_like(x, dtype="bool"), {x: np.ones((1, 2), "float32")}).tolist() == \
        [[False, False]]


def test_fill_broadcasts_value_to_model():
    x = tensor((None, 3), name="x")
    row = tensor((3,), "int32", "row")
    out = fill(x, row)
    assert out.type == TensorType("int32", (None, 3))
    got = evaluate(out, {x: np.zeros((2, 3)), row: np.array([1, 2, 3], "int32")})
    assert got.tolist() == [[1, 2, 3], [1, 2, 3]]
    assert evaluate(fill(x, 5.0), {x: np.zeros((1, 3))}).tolist() == [[5.0, 5.0, 5.0]]
    with pytest.raises(ValueError, match="more dimensions"):
        fill(T.dvector("v"), T.dmatrix("m"))


# ------------------------------------------------------------------ arange

@pytest.mark.parametrize("args", [(5,), (0,), (2, 9), (2, 9, 3), (10, 0, -3), (5, 5), (5, 1),
                                  (-4, 4, 2), (0, 100, 7)])
def test_arange_matches_python_range(args):
    out = arange(*args)
    expected = list(range(*args))
    assert out.type.shape == (len(expected),)
    assert evaluate(out).tolist() == expected


def test_arange_symbolic_matches_python_range():
    a, b, c = T.lscalar("a"), T.lscalar("b"), T.lscalar("c")
    out = arange(a, b, c)
    assert out.type == TensorType("int64", (None,))
    for args in [(0, 10, 1), (3, -7, -2), (5, 5, 1), (1, 20, 6)]:
        assert evaluate(out, dict(zip((a, b, c), args))).tolist() == list(range(*args))
    with pytest.raises(ValueError, match="zero"):
        evaluate(out, {a: 0, b: 3, c: 0})


def test_arange_float_steps():
    out = arange(0.0, 1.0, 0.25)
    assert out.type == TensorType("float32", (4,))
    assert evaluate(out).tolist() == [0.0, 0.25, 0.5, 0.75]
    out = arange(0, 1, 0.1)  # 0.1 is not exact in float32: float64
    assert out.type == TensorType("float64", (10,))
    got = evaluate(out)
    assert got.shape == (10,) and got[3] == pytest.approx(0.3, rel=1e-15)


# (arguments, dtype=) -> result dtype, by hand (Python ints autocast to the smallest int).
ARANGE_DTYPES = [
    (lambda: (5,), None, "int8"),
    (lambda: (300,), None, "int16"),
    (lambda: (T.iscalar(),), None, "int32"),
    (lambda: (T.lscalar(),), None, "int64"),
    (lambda: (T.iscalar(), T.lscalar()), None, "int64"),
    (lambda: (T.bscalar(), T.wscalar()), None, "int16"),
    (lambda: (T.iscalar(), T.iscalar(), T.fscalar()), None, "float64"),
    (lambda: (T.fscalar(),), None, "float32"),
    (lambda: (T.dscalar(),), None, "float64"),
    (lambda: (T.iscalar(),), "float32", "float32"),
    (lambda: (5,), "int64", "int64"),
]


@pytest.mark.parametrize("make_args, dtype, expected", ARANGE_DTYPES)
def test_arange_dtypes(make_args, dtype, expected):
    out = arange(*make_args(), dtype=dtype)
    assert out.type.dtype == expected
    assert out.owner.op == ARange(expected)


def test_arange_errors_and_names():
    with pytest.raises(ValueError, match="zero"):
        arange(0, 5, 0)
    with pytest.raises(TypeError, match="stop.*v of type"):
        arange(T.dvector("v"))
    with pytest.raises(TypeError, match="real"):
        arange(T.cscalar("c"))
    out = arange(3)
    assert out.owner.op.name == "arange" and str(out.owner.op) == "arange{dtype=int8}"


# ------------------------------------------------------------------ eye

def test_eye_values():
    assert evaluate(eye(3)).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert evaluate(eye(2, 3, 1)).tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert evaluate(eye(3, 2, -1, dtype="int32")).tolist() == [[0, 0], [1, 0], [0, 1]]
    assert evaluate(eye(2, k=5)).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_eye_types_and_symbolic_sizes():
    assert eye(3).type == TensorType("float64", (3, 3))
    n = T.iscalar("n")
    out = eye(n, dtype="int8")
    assert out.type == TensorType("int8", (None, None))
    got = evaluate(out, {n: 2})
    assert got.dtype == np.int8 and got.tolist() == [[1, 0], [0, 1]]
    out = eye(n, 4, T.iscalar("k"))
    assert out.type.shape == (None, 4)
    assert out.owner.op == Eye("float64") and out.owner.op.name == "eye"
    assert str(out.owner.op) == "eye{dtype=float64}"


def test_eye_errors():
    with pytest.raises(TypeError, match="n must be an integer scalar.*f of type"):
        eye(T.fscalar("f"))
    with pytest.raises(ValueError, match="non-negative"):
        eye(-1)
    n = T.iscalar("n")
    with pytest.raises(ValueError, match="non-negative"):
        evaluate(eye(n), {n: -3})


# ------------------------------------------------------------------ ops compare by props

def test_op_equality():
    assert Alloc() == Alloc() and hash(Alloc()) == hash(Alloc())
    assert ARange("int64") == ARange("int64") != ARange("int32")
    assert Eye("float32") != Eye("float64")


# ------------------------------------------------------------------ compiled path

def test_compiled_function_agrees():
    n = T.lscalar("n")
    x = T.fmatrix("x")
    f = function([n, x], [arange(n), eye(n), zeros_like(x), alloc(np.float32(2), n, 2)])
    r, e, z, a = f(3, np.ones((2, 2), "float32"))
    assert r.tolist() == [0, 1, 2] and r.dtype == np.int64
    assert e.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert z.dtype == np.float32 and z.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert a.dtype == np.float32 and a.tolist() == [[2.0, 2.0]] * 3
