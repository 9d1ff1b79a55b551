"""Theano's array functions against NumPy, in float32 and float64, and their gradients
against central differences of the NumPy reference (tests/tensor/central_differences.py).
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import symlab as theano
import symlab.tensor as T
from tests.tensor.central_differences import check_gradient

FLOATS = ["float32", "float64"]
rng = np.random.RandomState(42)


def data(shape, dtype="float64"):
    return rng.uniform(-2, 2, shape).astype(dtype)


def run(build, *values):
    """Evaluate ``build`` on symbolic inputs of the values' types (compiled, FAST_RUN)."""
    inputs = [T.tensor(dtype=str(v.dtype), shape=(None,) * v.ndim) for v in values]
    out = build(*inputs)
    outs = list(out) if isinstance(out, (list, tuple)) else out
    return theano.function(inputs, outs)(*values)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reps", [2, (2, 3), (1, 2, 2), (3, 1)])
def test_tile_is_numpys(dtype, reps):
    x = data((2, 3), dtype)
    got = run(lambda v: T.tile(v, reps), x)
    np.testing.assert_array_equal(got, np.tile(x, reps))
    assert got.dtype == dtype


def test_tile_with_symbolic_reps_and_its_gradient():
    x = T.matrix("x")
    r = T.lscalar("r")
    f = theano.function([x, r], T.tile(x, (r, 2)))
    value = data((2, 3))
    np.testing.assert_array_equal(f(value, 3), np.tile(value, (3, 2)))
    check_gradient(lambda v: T.tile(v, (2, 3)), lambda v: np.tile(v, (2, 3)), [data((2, 3))])


def test_tile_by_a_symbolic_vector_of_unknown_length_pads_it_with_ones():
    x = T.matrix("x")
    reps = T.lvector("reps")
    f = theano.function([x, reps], T.tile(x, reps, ndim=3))
    value = data((2, 3))
    for r in ([2], [2, 3], [2, 1, 2]):
        np.testing.assert_array_equal(f(value, r), np.tile(value, [1] * (3 - len(r)) + r))
    with pytest.raises(ValueError, match="ndim"):
        T.tile(x, reps)


@given(st.integers(-7, 7), st.sampled_from([None, 0, 1]))
def test_roll_is_numpys(shift, axis):
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(run(lambda v: T.roll(v, shift, axis), x),
                                  np.roll(x, shift, axis))


def test_roll_by_a_symbolic_shift_and_its_gradient():
    x = T.vector("x")
    s = T.iscalar("s")
    f = theano.function([x, s], T.roll(x, s))
    for shift in (-6, -1, 0, 3, 5):
        np.testing.assert_array_equal(f(np.arange(5.0), shift), np.roll(np.arange(5.0), shift))
    check_gradient(lambda v: T.roll(v, 2, 1), lambda v: np.roll(v, 2, 1), [data((2, 4))])


@pytest.mark.parametrize("dtype", FLOATS)
def test_identity_like_ptp_and_max_and_argmax(dtype):
    x = data((3, 4), dtype)
    eye = run(T.identity_like, x)
    np.testing.assert_array_equal(eye, np.eye(3, 4, dtype=dtype))
    assert eye.dtype == dtype
    np.testing.assert_allclose(run(lambda v: T.ptp(v, axis=0), x), np.ptp(x, axis=0))
    assert run(T.ptp, x) == np.ptp(x)
    top, where = run(lambda v: T.max_and_argmax(v, axis=1), x)
    np.testing.assert_array_equal(top, x.max(axis=1))
    np.testing.assert_array_equal(where, x.argmax(axis=1))
    check_gradient(lambda v: T.ptp(v, axis=1), lambda v: np.ptp(v, axis=1), [data((3, 4))])


def test_choose_is_numpys():
    a = np.array([[0, 2], [1, 0]], dtype="int32")
    choices = [np.arange(4.0).reshape(2, 2), np.full((2, 2), 10.0), np.array([100.0, 200.0])]
    np.testing.assert_array_equal(T.choose(a, choices).eval(), np.choose(a, choices))
    idx = T.imatrix("a")
    f = theano.function([idx], idx.choose(np.stack([np.zeros(2), np.ones(2)])))
    np.testing.assert_array_equal(f(np.array([[0, 1]], dtype="int32")), [[0.0, 1.0]])
    with pytest.raises(ValueError, match="choose"):
        f(np.array([[0, 5]], dtype="int32"))
    clipped = T.choose(np.array([0, 5]), [np.zeros(2), np.ones(2)], mode="clip").eval()
    np.testing.assert_array_equal(clipped, [0.0, 1.0])


def test_stacklists_mgrid_and_ogrid_are_numpys():
    a, b, c, d = T.scalars("abcd")
    f = theano.function([a, b, c, d], T.stacklists([[a, b], [c, d]]))
    np.testing.assert_array_equal(f(1, 2, 3, 4), [[1, 2], [3, 4]])
    for got, want in zip(T.mgrid[0:3, 1:6:2], np.mgrid[0:3, 1:6:2]):
        np.testing.assert_array_equal(got.eval(), want)
    for got, want in zip(T.ogrid[0:3, 0:4], np.ogrid[0:3, 0:4]):
        np.testing.assert_array_equal(got.eval(), want)
    n = T.lscalar("n")
    grid = theano.function([n], T.mgrid[0:n, 0:2])
    for got, want in zip(grid(4), np.mgrid[0:4, 0:2]):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", [((2, 3, 4), (2, 4, 5)), ((2, 3), (2, 3)), ((2, 3), (2, 3, 4)),
                                    ((2, 3, 4), (2, 4)), ((3,), (3, 2, 2)), ((2, 3, 4, 5),
                                                                           (2, 5, 6))])
def test_batched_dot_is_a_dot_per_batch_entry(dtype, shapes):
    a, b = data(shapes[0], dtype), data(shapes[1], dtype)
    if a.ndim == 1:
        want = a.reshape((-1,) + (1,) * (b.ndim - 1)) * b
    else:
        want = np.stack([np.dot(a[i], b[i]) for i in range(a.shape[0])])
    got = run(T.batched_dot, a, b)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-12)


def test_batched_dot_gradient():
    check_gradient(T.batched_dot, lambda a, b: np.matmul(a, b),
                   [data((2, 3, 4)), data((2, 4, 2))])


@pytest.mark.parametrize("axes", [[[2, 3], [2, 1]], [[1], [3]], 1])
def test_batched_tensordot_is_a_tensordot_per_batch_entry(axes):
    x, y = data((2, 3, 4, 5)), data((2, 5, 4, 3))

    def reference(x, y):
        if isinstance(axes, int):
            pairs = [list(range(x.ndim - 1 - axes, x.ndim - 1)), list(range(axes))]
        else:
            pairs = [[a - 1 for a in axes[0]], [a - 1 for a in axes[1]]]
        return np.stack([np.tensordot(x[i], y[i], pairs) for i in range(x.shape[0])])

    if axes == 1:
        y = data((2, 5, 3))
    np.testing.assert_allclose(run(lambda a, b: T.batched_tensordot(a, b, axes), x, y),
                               reference(x, y), rtol=1e-12)
    check_gradient(lambda a, b: T.batched_tensordot(a, b, axes), reference, [x, y], rtol=1e-5)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_and_argsort_are_numpys(dtype, axis):
    x = data((3, 4), dtype)
    np.testing.assert_array_equal(run(lambda v: T.sort(v, axis), x), np.sort(x, axis))
    np.testing.assert_array_equal(run(lambda v: v.argsort(axis), x), np.argsort(x, axis))


def test_sort_gradient_sends_each_value_back_to_its_place():
    check_gradient(lambda v: T.sort(v, 0), lambda v: np.sort(v, 0), [data((4, 3))])
    check_gradient(lambda v: T.sort(v, None), lambda v: np.sort(v, None), [data((2, 3))])


@pytest.mark.parametrize("dtype", FLOATS)
def test_cumsum_and_cumprod_are_numpys_with_gradients(dtype):
    x = data((3, 4), dtype)
    for axis in (None, 0, 1):
        np.testing.assert_allclose(run(lambda v: T.cumsum(v, axis), x), np.cumsum(x, axis),
                                   rtol=1e-6)
        np.testing.assert_allclose(run(lambda v: v.cumprod(axis), x), np.cumprod(x, axis),
                                   rtol=1e-5)
    check_gradient(lambda v: T.cumsum(v, 1), lambda v: np.cumsum(v, 1), [data((3, 4))])
    check_gradient(lambda v: T.cumprod(v, 0), lambda v: np.cumprod(v, 0),
                   [rng.uniform(0.5, 2, (3, 2))])


@pytest.mark.parametrize("dtype", FLOATS)
def test_repeat_is_numpys(dtype):
    x = data((2, 3), dtype)
    np.testing.assert_array_equal(run(lambda v: T.repeat(v, 2, axis=1), x), np.repeat(x, 2, 1))
    np.testing.assert_array_equal(run(lambda v: v.repeat(3), x), np.repeat(x, 3))
    np.testing.assert_array_equal(run(lambda v: T.repeat(v, [1, 0], axis=0), x),
                                  np.repeat(x, [1, 0], axis=0))
    assert T.repeat(T.matrix(), 2, axis=1).type.shape == (None, None)
    assert T.repeat(T.tensor(shape=(2, 3)), 2, axis=1).type.shape == (2, 6)


def test_repeat_gradient_by_a_scalar_and_none_by_a_vector():
    check_gradient(lambda v: T.repeat(v, 3, axis=0), lambda v: np.repeat(v, 3, 0),
                   [data((2, 3))])
    x = T.matrix("x")
    with pytest.raises(NotImplementedError, match="vector of counts"):
        T.grad(T.repeat(x, T.lvector("r"), axis=0).sum(), x)


def test_searchsorted_nonzero_flatnonzero_compress_diff():
    x = np.array([1.0, 2.0, 2.0, 5.0])
    v = np.array([0.0, 2.0, 6.0])
    for side in ("left", "right"):
        np.testing.assert_array_equal(T.searchsorted(x, v, side).eval(),
                                      np.searchsorted(x, v, side))
    unsorted = np.array([5.0, 1.0, 2.0])
    order = np.argsort(unsorted)
    np.testing.assert_array_equal(T.searchsorted(unsorted, v, sorter=order).eval(),
                                  np.searchsorted(unsorted, v, sorter=order))
    m = np.array([[0, 3], [2, 0], [0, 1]])
    for got, want in zip(T.nonzero(m), np.nonzero(m)):
        np.testing.assert_array_equal(got.eval(), want)
    np.testing.assert_array_equal(T.nonzero(m, return_matrix=True).eval(), np.array(np.nonzero(m)))
    np.testing.assert_array_equal(T.flatnonzero(m).eval(), np.flatnonzero(m))
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(T.compress([1, 0, 1], a, axis=0).eval(),
                                  np.compress([1, 0, 1], a, axis=0))
    np.testing.assert_array_equal(T.compress([0, 1, 1], a).eval(), np.compress([0, 1, 1], a))
    np.testing.assert_array_equal(T.diff(a, 2, axis=1).eval(), np.diff(a, 2, axis=1))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 3, 5])
def test_diagonal_and_trace_are_numpys(dtype, offset):
    x = data((3, 4), dtype)
    np.testing.assert_array_equal(run(lambda v: v.diagonal(offset), x), x.diagonal(offset))
    np.testing.assert_allclose(run(lambda v: T.trace(v, offset), x), np.trace(x, offset),
                               rtol=1e-6)
    y = data((2, 3, 4), dtype)
    np.testing.assert_array_equal(run(lambda v: T.diagonal(v, offset, 2, 1), y),
                                  np.diagonal(y, offset, 2, 1))


def test_diagonal_of_a_symbolic_shape_and_gradients():
    x = T.matrix("x")
    f = theano.function([x], x.diagonal(-1))
    np.testing.assert_array_equal(f(np.arange(6.0).reshape(3, 2)), [2.0, 5.0])
    check_gradient(lambda v: T.diagonal(v, 1), lambda v: np.diagonal(v, 1), [data((3, 4))])
    check_gradient(lambda v: v.trace(), lambda v: np.trace(v), [data((3, 3))])


@pytest.mark.parametrize("dtype", FLOATS)
def test_take_is_numpys(dtype):
    x = data((3, 4), dtype)
    for indices, axis in (([[0, 2]], 1), ([2, 0, 2], 0), (5, None), ([[1, 11]], None)):
        np.testing.assert_array_equal(run(lambda v: v.take(indices, axis), x),
                                      np.take(x, indices, axis))
    for mode in ("wrap", "clip"):
        np.testing.assert_array_equal(run(lambda v: T.take(v, [-5, 7], 1, mode), x),
                                      np.take(x, [-5, 7], 1, mode=mode))
    check_gradient(lambda v: T.take(v, [2, 0, 2], 0), lambda v: np.take(v, [2, 0, 2], 0),
                   [data((3, 2))])


@pytest.mark.parametrize("dtype", FLOATS)
def test_norm_swapaxes_and_angle_conversions(dtype):
    x = data((3, 4), dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    for L in (1, 2, 3):
        np.testing.assert_allclose(run(lambda v: v.norm(L, axis=0), x),
                                   np.sum(np.abs(x) ** L, axis=0) ** (1 / L), rtol=tol)
    np.testing.assert_allclose(run(lambda v: v.norm(np.inf), x), np.abs(x).max(), rtol=tol)
    with pytest.raises(NotImplementedError):
        T.matrix().norm(0)
    np.testing.assert_array_equal(run(lambda v: v.swapaxes(0, 1), x), x.swapaxes(0, 1))
    np.testing.assert_allclose(run(lambda v: v.deg2rad(), x), np.deg2rad(x), rtol=tol)
    np.testing.assert_allclose(run(lambda v: v.rad2deg(), x), np.rad2deg(x), rtol=tol)
    check_gradient(lambda v: v.norm(2, axis=1), lambda v: np.sqrt((v ** 2).sum(1)),
                   [data((3, 4))])


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # inf - inf, as NumPy's
@pytest.mark.parametrize("dtype", FLOATS)
def test_isclose_allclose_and_iround(dtype):
    a = np.array([1.0, 1.0, np.nan, np.inf, -np.inf, np.inf, 0.0, 1e-9], dtype=dtype)
    b = np.array([1.0 + 1e-6, 1.1, np.nan, np.inf, np.inf, 1.0, 1e-9, 0.0], dtype=dtype)
    for equal_nan in (False, True):
        np.testing.assert_array_equal(run(lambda u, v: T.isclose(u, v, equal_nan=equal_nan),
                                          a, b), np.isclose(a, b, equal_nan=equal_nan))
    np.testing.assert_array_equal(T.isclose(a, b, rtol=0.2, atol=0).eval(),
                                  np.isclose(a, b, rtol=0.2, atol=0))
    assert bool(run(T.allclose, a[:2], a[:2])) and not bool(run(T.allclose, a, b))
    halves = np.array([0.5, 1.5, 2.5, -0.5, -1.7], dtype=dtype)
    got = run(T.iround, halves)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.rint(halves))
    np.testing.assert_array_equal(run(lambda v: T.iround(v, "half_away_from_zero"), halves),
                                  [1, 2, 3, -1, -2])


def test_to_one_hot_bincount_and_squeeze():
    y = np.array([0, 2, 1, 2])
    hot = T.extra_ops.to_one_hot(y, 3)
    assert hot.dtype == theano.config.floatX
    np.testing.assert_array_equal(hot.eval(), np.eye(3)[y])
    assert T.extra_ops.to_one_hot(y, 4, dtype="int32").eval().dtype == np.int32
    np.testing.assert_array_equal(T.extra_ops.bincount(y).eval(), np.bincount(y))
    w = np.array([0.5, 1.0, 2.0, 4.0])
    np.testing.assert_array_equal(T.extra_ops.bincount(y, w, minlength=5).eval(),
                                  np.bincount(y, w, minlength=5))
    assert T.extra_ops.squeeze(T.tensor(shape=(1, None, 1))).type.shape == (None,)


@pytest.mark.parametrize("offset", [-3, -1, 0, 2, 4])
def test_fill_diagonal_offset_is_numpys_and_differentiable(offset):
    a = data((3, 4))

    def reference(a, val=-7.0):
        out = a.copy()
        rows = np.arange(a.shape[0])
        cols = rows + offset
        keep = (cols >= 0) & (cols < a.shape[1])
        out[rows[keep], cols[keep]] = val
        return out

    got = T.extra_ops.fill_diagonal_offset(a, -7.0, offset).eval()
    np.testing.assert_array_equal(got, reference(a))
    o = T.lscalar("o")
    f = theano.function([o], T.extra_ops.fill_diagonal_offset(a, -7.0, o))
    np.testing.assert_array_equal(f(offset), reference(a))
    check_gradient(lambda m, v: T.extra_ops.fill_diagonal_offset(m, v, offset), reference,
                   [a, np.array(1.5)])
    if offset == 0:
        np.testing.assert_array_equal(T.extra_ops.fill_diagonal(a, -7.0).eval(), reference(a))
