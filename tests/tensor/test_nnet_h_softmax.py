"""T.nnet.h_softmax: the two-level hierarchical softmax against NumPy loops, float32 and
float64, with and without targets, and gradients by central differences."""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.gradient import verify_grad
from symlab.tensor.nnet import h_softmax

RNG = np.random.default_rng(17)
BATCH, DIM, N_CLASSES, PER_CLASS, N_OUTPUTS = 4, 5, 3, 4, 10


def np_softmax(v):
    e = np.exp(v - v.max())
    return e / e.sum()


def reference(x, W1, b1, W2, b2):
    """Every output's probability, one row and one output at a time."""
    out = np.zeros((len(x), N_OUTPUTS))
    for i, row in enumerate(x):
        classes = np_softmax(row @ W1 + b1)
        for k in range(N_OUTPUTS):
            c, j = divmod(k, PER_CLASS)
            out[i, k] = classes[c] * np_softmax(row @ W2[c] + b2[c])[j]
    return out


def values(dtype):
    shapes = [(BATCH, DIM), (DIM, N_CLASSES), (N_CLASSES,), (N_CLASSES, DIM, PER_CLASS),
              (N_CLASSES, PER_CLASS)]
    return [RNG.normal(size=s).astype(dtype) for s in shapes]


def symbols(dtype):
    return [T.TensorType(dtype, (None,) * n)(name) for n, name in
            zip((2, 2, 1, 3, 2), ("x", "W1", "b1", "W2", "b2"))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_all_outputs_and_targets_against_loops(dtype):
    given = values(dtype)
    xs = symbols(dtype)
    target = T.ivector("target")
    full = h_softmax(xs[0], BATCH, N_OUTPUTS, N_CLASSES, PER_CLASS, *xs[1:])
    picked = h_softmax(xs[0], BATCH, N_OUTPUTS, N_CLASSES, PER_CLASS, *xs[1:], target=target)
    assert full.type.dtype == dtype and picked.type.ndim == 1
    targets = np.array([9, 0, 4, 7], "int32")
    got_full, got_picked = theano.function(xs + [target], [full, picked])(*given, targets)
    want = reference(*[v.astype("float64") for v in given])
    tol = 1e-5 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(got_full, want, rtol=tol)
    np.testing.assert_allclose(got_picked, want[np.arange(BATCH), targets], rtol=tol)


def test_column_targets_and_rows_summing_to_one():
    given = values("float64")
    xs = symbols("float64")
    target = T.imatrix("target")
    picked = h_softmax(xs[0], BATCH, N_OUTPUTS, N_CLASSES, PER_CLASS, *xs[1:], target=target)
    got = theano.function(xs + [target], picked)(*given, np.array([[1], [2], [3], [11]], "int32"))
    want = reference(*given)
    np.testing.assert_allclose(got[:3], want[np.arange(3), [1, 2, 3]], rtol=1e-13)
    # output 11 lies past n_outputs but inside the last class: computed all the same
    full = h_softmax(xs[0], BATCH, N_CLASSES * PER_CLASS, N_CLASSES, PER_CLASS, *xs[1:])
    every = theano.function(xs, full)(*given)
    np.testing.assert_allclose(every.sum(axis=1), 1.0, rtol=1e-13)
    assert got[3] == pytest.approx(every[3, 11], rel=1e-13)


def test_gradients_by_central_differences():
    given = values("float64")
    targets = T.constant(np.array([3, 8, 0, 5], "int32"))
    verify_grad(lambda *v: h_softmax(v[0], BATCH, N_OUTPUTS, N_CLASSES, PER_CLASS, *v[1:]),
                given)
    verify_grad(lambda *v: T.log(h_softmax(v[0], BATCH, N_OUTPUTS, N_CLASSES, PER_CLASS,
                                           *v[1:], target=targets)), given)
