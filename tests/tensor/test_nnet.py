"""T.nnet helpers: values against Python's math in loops, stability, dtypes, errors."""

import math
import subprocess
import sys

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function
from symlab.graph.evaluate import evaluate
from symlab.tensor import nnet
from symlab.tensor.nnet import (CrossentropyCategorical1Hot, LogSoftmax, Softmax,
                                binary_crossentropy, categorical_crossentropy, log_softmax,
                                relu, sigmoid, sigmoid_binary_crossentropy, softmax, softplus)

ROWS = [[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5], [10.0, 10.0, 10.0]]


def py_softmax(row):
    top = max(row)
    exps = [math.exp(v - top) for v in row]
    total = math.fsum(exps)
    return [e / total for e in exps]


def py_log_softmax(row):
    top = max(row)
    log_total = math.log(math.fsum(math.exp(v - top) for v in row))
    return [v - top - log_total for v in row]


# ------------------------------------------------------------------ softmax

def test_softmax_rows_match_math_and_sum_to_one():
    x = T.dmatrix("x")
    got = evaluate(softmax(x), {x: ROWS})
    assert got.dtype == np.float64
    for row, out in zip(ROWS, got):
        assert math.fsum(out.tolist()) == pytest.approx(1.0, rel=1e-15)
        assert out.tolist() == pytest.approx(py_softmax(row), rel=1e-14)
    assert got[2].tolist() == pytest.approx([1 / 3] * 3, rel=1e-15)


def test_softmax_along_axis_0_and_all():
    x = T.dmatrix("x")
    got = evaluate(softmax(x, axis=0), {x: ROWS})
    columns = [list(c) for c in zip(*ROWS)]
    for j, column in enumerate(columns):
        assert got[:, j].tolist() == pytest.approx(py_softmax(column), rel=1e-14)
    got = evaluate(softmax(x, axis=None), {x: ROWS})
    flat = [v for row in ROWS for v in row]
    assert got.ravel().tolist() == pytest.approx(py_softmax(flat), rel=1e-14)


def test_log_softmax_matches_math():
    x = T.dmatrix("x")
    got = evaluate(log_softmax(x), {x: ROWS})
    for row, out in zip(ROWS, got):
        assert out.tolist() == pytest.approx(py_log_softmax(row), rel=1e-14)


def test_stable_at_large_inputs():
    x = T.fmatrix("x")
    value = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0]], "float32")
    sm = evaluate(softmax(x), {x: value})
    assert np.isfinite(sm).all() and sm.dtype == np.float32
    assert sm[0].tolist() == [1.0, 0.0, 0.0]
    assert sm[1].tolist() == pytest.approx(py_softmax([1.0, 1.0, 0.0]), rel=1e-6)
    lsm = evaluate(log_softmax(x), {x: value})
    assert np.isfinite(lsm).all() and lsm.dtype == np.float32
    # log_softmax([1000, 0, -1000]) = [-log1p(e^-1000 + e^-2000), -1000 - ..., -2000 - ...]
    assert lsm[0].tolist() == [0.0, -1000.0, -2000.0]
    expected = py_log_softmax([1.0, 1.0, 0.0])
    assert lsm[1].tolist() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("in_dtype, out_dtype", [
    ("float32", "float32"), ("float64", "float64"), ("int8", "float32"),
    ("int32", "float64"), ("int64", "float64"), ("uint8", "float32"),
])
def test_softmax_dtypes(in_dtype, out_dtype):
    x = T.TensorType(in_dtype, (None, 3))("x")
    for fn in (softmax, log_softmax):
        out = fn(x)
        assert out.type.dtype == out_dtype and out.type.shape == (None, 3)
        got = evaluate(out, {x: np.array([[1, 2, 3]], in_dtype)})
        assert got.dtype == np.dtype(out_dtype)


def test_softmax_names_and_axis_normalization():
    x = T.dmatrix("x")
    assert softmax(x).owner.op == Softmax(1) == softmax(x, axis=1).owner.op
    assert str(softmax(x).owner.op) == "softmax{axis=1}"
    assert softmax(x).owner.op.name == "softmax"
    assert log_softmax(x, axis=0).owner.op == LogSoftmax(0)
    assert log_softmax(x).owner.op.name == "log_softmax"
    # An op built directly with a negative axis works too.
    assert evaluate(Softmax(-1)(x), {x: [[0.0, 0.0]]}).tolist() == [[0.5, 0.5]]


def test_softmax_errors():
    x = T.dmatrix("scores")
    with pytest.raises(ValueError, match="axis 2 .* scores of type"):
        softmax(x, axis=2)
    with pytest.raises(ValueError, match="axis=None"):
        softmax(T.dscalar("s"))
    with pytest.raises(TypeError, match="real.*z of type"):
        softmax(T.zmatrix("z"))
    with pytest.raises(TypeError, match="axis"):
        Softmax(1.5)


# ------------------------------------------------------------------ activations

def test_sigmoid_softplus_match_math():
    x = T.dvector("x")
    values = [-30.0, -2.0, 0.0, 0.5, 3.0, 30.0]
    got_sigmoid = evaluate(sigmoid(x), {x: values})
    got_softplus = evaluate(softplus(x), {x: values})
    for v, s, p in zip(values, got_sigmoid, got_softplus):
        assert s == pytest.approx(1.0 / (1.0 + math.exp(-v)), rel=1e-14)
        assert p == pytest.approx(math.log1p(math.exp(v)), rel=1e-14)
    assert nnet.sigmoid is T.sigmoid and nnet.softplus is T.softplus


def test_relu():
    x = T.fvector("x")
    value = np.array([-2.0, -0.5, 0.0, 1.5], "float32")
    out = relu(x)
    assert out.type.dtype == "float32" and out.owner.op.name == "maximum"
    assert evaluate(out, {x: value}).tolist() == [0.0, 0.0, 0.0, 1.5]
    leaky = relu(x, alpha=0.1)
    assert leaky.type.dtype == "float32"
    got = evaluate(leaky, {x: value})
    assert got.tolist() == pytest.approx([-0.2, -0.05, 0.0, 1.5], rel=1e-6)
    a = T.fscalar("a")
    assert evaluate(relu(x, a), {x: value, a: 0.5}).tolist() == [-1.0, -0.25, 0.0, 1.5]
    i = T.ivector("i")
    assert evaluate(relu(i), {i: np.array([-3, 4], "int32")}).tolist() == [0, 4]


# ------------------------------------------------------------------ cross-entropy

PROBS = [[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]]


def test_categorical_crossentropy_with_indices():
    p, y = T.dmatrix("p"), T.ivector("y")
    out = categorical_crossentropy(p, y)
    assert isinstance(out.owner.op, CrossentropyCategorical1Hot)
    assert out.owner.op.name == "crossentropy_categorical_1hot"
    assert out.type.dtype == "float64" and out.type.ndim == 1
    got = evaluate(out, {p: PROBS, y: np.array([0, 2], "int32")})
    assert got.tolist() == pytest.approx([-math.log(0.7), -math.log(0.5)], rel=1e-15)


def test_categorical_crossentropy_with_distributions():
    p, t = T.dmatrix("p"), T.dmatrix("t")
    out = categorical_crossentropy(p, t)
    onehot = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    got = evaluate(out, {p: PROBS, t: onehot})
    assert got.tolist() == pytest.approx([-math.log(0.7), -math.log(0.5)], rel=1e-15)
    soft = [[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]
    got = evaluate(out, {p: PROBS, t: soft})
    for row_p, row_t, value in zip(PROBS, soft, got):
        want = -math.fsum(tv * math.log(pv) for pv, tv in zip(row_p, row_t))
        assert value == pytest.approx(want, rel=1e-14)


def test_categorical_crossentropy_float32_and_softmax():
    x, y = T.fmatrix("x"), T.ivector("y")
    out = categorical_crossentropy(softmax(x), y)
    assert out.type.dtype == "float32"
    value = np.array([[2.0, 1.0, 0.0]], "float32")
    got = evaluate(out, {x: value, y: np.array([1], "int32")})
    assert got.dtype == np.float32
    assert got[0] == pytest.approx(-py_log_softmax([2.0, 1.0, 0.0])[1], rel=1e-6)


def test_categorical_crossentropy_errors():
    p, y = T.dmatrix("p"), T.ivector("y")
    with pytest.raises(IndexError, match="class index 3"):
        evaluate(categorical_crossentropy(p, y), {p: PROBS, y: np.array([0, 3], "int32")})
    with pytest.raises(ValueError, match="rows"):
        evaluate(categorical_crossentropy(p, y), {p: PROBS, y: np.array([0], "int32")})
    with pytest.raises(TypeError, match="integer vector.*f of type"):
        categorical_crossentropy(p, T.dvector("f"))
    with pytest.raises(TypeError, match="true_dist"):
        categorical_crossentropy(p, T.dscalar("s"))
    with pytest.raises(ValueError, match="2 rows"):
        CrossentropyCategorical1Hot()(T.TensorType("float64", (2, 3))("q"),
                                      T.TensorType("int32", (4,))("r"))


def test_binary_crossentropy_matches_math():
    o, t = T.dvector("o"), T.dvector("t")
    outputs, targets = [0.9, 0.2, 0.5, 0.01], [1.0, 0.0, 0.3, 1.0]
    got = evaluate(binary_crossentropy(o, t), {o: outputs, t: targets})
    for out, tgt, value in zip(outputs, targets, got):
        want = -(tgt * math.log(out) + (1 - tgt) * math.log(1 - out))
        assert value == pytest.approx(want, rel=1e-14)
    f = T.fvector("f")
    assert binary_crossentropy(f, f).type.dtype == "float32"


def test_sigmoid_binary_crossentropy_is_stable():
    z, t = T.dvector("z"), T.dvector("t")
    logits, targets = [-3.0, 0.0, 2.0, 800.0, -800.0], [1.0, 0.5, 0.0, 0.0, 0.0]
    got = evaluate(sigmoid_binary_crossentropy(z, t), {z: logits, t: targets})
    for logit, tgt, value in zip(logits, targets, got):
        # softplus(v) = log(1 + e^v), written stably for |v| large
        def sp(v):
            return v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))
        assert value == pytest.approx(tgt * sp(-logit) + (1 - tgt) * sp(logit), rel=1e-14)
    assert got[3] == pytest.approx(800.0) and got[4] == pytest.approx(0.0, abs=1e-300)


# ------------------------------------------------------------------ layering

def test_nnet_does_not_import_conv():
    code = ("import sys, symlab.tensor.nnet; "
            "assert 'symlab.tensor.nnet.conv' not in sys.modules, 'conv imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ compiled path

def test_compiled_function_agrees():
    x, y = T.fmatrix("x"), T.ivector("y")
    f = function([x, y], [softmax(x), log_softmax(x), categorical_crossentropy(softmax(x), y)])
    value = np.array([[1000.0, 0.0], [0.0, 0.0]], "float32")
    sm, lsm, ce = f(value, np.array([0, 1], "int32"))
    assert sm.dtype == lsm.dtype == ce.dtype == np.float32
    assert sm.tolist() == [[1.0, 0.0], [0.5, 0.5]]
    assert lsm[0].tolist() == [0.0, -1000.0]
    assert ce.tolist() == pytest.approx([0.0, math.log(2.0)], rel=1e-6)
