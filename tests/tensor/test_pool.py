"""pool_2d: values against a loop reference written after Theano's Pool.perform, for
every mode, ignore_border both ways, strides and padding; static shapes; Theano's
argument names and warnings; errors; gradients against loops and finite differences."""

import warnings

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function
from symlab.gradient import verify_grad
from symlab.graph.basic import GradientNotImplemented
from symlab.graph.evaluate import evaluate
from symlab.tensor.signal import pool
from symlab.tensor.signal.pool import (AveragePoolGrad, MaxPoolGrad, Pool, pool_2d,
                                       pool_output_shape)
from symlab.tensor.type import TensorType

RNG = np.random.default_rng(5)
MODES = ["max", "sum", "average_inc_pad", "average_exc_pad"]


# ------------------------------------------------------------------ references

def theano_side(size, ws, stride, ignore_border):
    """Theano's ``Pool.out_shape`` for one side (``size`` already includes the padding)."""
    if ignore_border:
        return max((size - ws) // stride + 1, 0)
    if stride >= ws:
        return (size - 1) // stride + 1
    return max(0, (size - 1 - ws + stride) // stride) + 1


def regions(x_shape, ws, ignore_border, stride, pad, exclude_pad):
    """Yield (out row, out col, row slice, col slice) of each window in the padded image."""
    rows, cols = x_shape[-2] + 2 * pad[0], x_shape[-1] + 2 * pad[1]
    for r in range(theano_side(rows, ws[0], stride[0], ignore_border)):
        for c in range(theano_side(cols, ws[1], stride[1], ignore_border)):
            r0, c0 = r * stride[0], c * stride[1]
            r1, c1 = min(r0 + ws[0], rows), min(c0 + ws[1], cols)
            if exclude_pad:
                r0, r1 = max(r0, pad[0]), min(r1, rows - pad[0])
                c0, c1 = max(c0, pad[1]), min(c1, cols - pad[1])
            yield r, c, slice(r0, r1), slice(c0, c1)


def padded(x, pad):
    out = np.zeros(x.shape[:-2] + (x.shape[-2] + 2 * pad[0], x.shape[-1] + 2 * pad[1]))
    out[..., pad[0]:pad[0] + x.shape[-2], pad[1]:pad[1] + x.shape[-1]] = x
    return out


def loop_pool(x, ws, ignore_border, stride=None, pad=(0, 0), mode="max"):
    """Theano's Pool.perform: every window, one at a time."""
    stride = ws if stride is None else stride
    y = padded(x, pad)
    found = list(regions(x.shape, ws, ignore_border, stride, pad, mode != "average_inc_pad"))
    out_rows = max([r + 1 for r, _, _, _ in found], default=0)
    out_cols = max([c + 1 for _, c, _, _ in found], default=0)
    out = np.zeros(x.shape[:-2] + (out_rows, out_cols))
    reduce = {"max": np.max, "sum": np.sum}.get(mode, np.mean)
    for lead in np.ndindex(*x.shape[:-2]):
        for r, c, rows, cols in found:
            out[lead + (r, c)] = reduce(y[lead][rows, cols])
    return out


def loop_pool_grad(x, gz, ws, ignore_border, stride=None, pad=(0, 0), mode="max"):
    """Theano's MaxPoolGrad and AveragePoolGrad: every window, one at a time."""
    stride = ws if stride is None else stride
    y = padded(x, pad)
    maxout = loop_pool(x, ws, ignore_border, stride, pad, "max")
    gx = np.zeros_like(y)
    for lead in np.ndindex(*x.shape[:-2]):
        for r, c, rows, cols in regions(x.shape, ws, ignore_border, stride, pad, True):
            g = gz[lead + (r, c)]
            window = y[lead][rows, cols]
            if mode == "max":
                gx[lead][rows, cols] += np.where(window == maxout[lead + (r, c)], g, 0.0)
            elif mode == "sum":
                gx[lead][rows, cols] += g
            elif mode == "average_exc_pad":
                gx[lead][rows, cols] += g / window.size
        if mode == "average_inc_pad":
            for r, c, rows, cols in regions(x.shape, ws, ignore_border, stride, pad, False):
                size = (rows.stop - rows.start) * (cols.stop - cols.start)
                gx[lead][rows, cols] += gz[lead + (r, c)] / size
    return gx[..., pad[0]:pad[0] + x.shape[-2], pad[1]:pad[1] + x.shape[-1]]


# ------------------------------------------------------------------ values

GEOMETRIES = [  # (ws, stride, pad, image rows and columns)
    ((2, 2), None, (0, 0), (6, 6)), ((2, 2), None, (0, 0), (5, 7)),
    ((3, 2), None, (0, 0), (7, 5)), ((3, 3), (2, 2), (0, 0), (7, 6)),
    ((2, 3), (1, 2), (0, 0), (5, 6)), ((2, 2), (3, 3), (0, 0), (7, 8)),
    ((1, 1), (2, 1), (0, 0), (5, 3)), ((4, 4), None, (0, 0), (3, 2)),
]
PADDED = [((3, 3), (2, 2), (1, 1), (5, 6)), ((2, 3), (1, 2), (1, 2), (4, 5)),
          ((3, 2), None, (2, 1), (6, 4))]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ignore_border", [True, False])
@pytest.mark.parametrize("ws, stride, pad, size", GEOMETRIES)
def test_values_against_loops(ws, stride, pad, size, ignore_border, mode):
    x = T.tensor4("x")
    xv = RNG.normal(size=(2, 3) + size)
    out = pool_2d(x, ws=ws, ignore_border=ignore_border, stride=stride, pad=pad, mode=mode)
    got = evaluate(out, {x: xv})
    expected = loop_pool(xv, ws, ignore_border, stride, pad, mode)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ws, stride, pad, size", PADDED)
def test_padded_values_against_loops(ws, stride, pad, size, mode):
    x = T.tensor3("x")
    xv = -1.0 - np.abs(RNG.normal(size=(2,) + size))  # all negative: padding never wins a max
    out = pool_2d(x, ws=ws, ignore_border=True, stride=stride, pad=pad, mode=mode)
    got = evaluate(out, {x: xv})
    np.testing.assert_allclose(got, loop_pool(xv, ws, True, stride, pad, mode), rtol=1e-12)
    if mode == "max":
        assert np.all(got < 0)


def test_hand_values():
    x = T.dmatrix("x")
    image = np.arange(25.0).reshape(5, 5)

    def run(**kwargs):
        return evaluate(pool_2d(x, ws=(2, 2), **kwargs), {x: image}).tolist()

    assert run(ignore_border=True) == [[6.0, 8.0], [16.0, 18.0]]
    assert run(ignore_border=False) == [[6.0, 8.0, 9.0], [16.0, 18.0, 19.0],
                                        [21.0, 23.0, 24.0]]
    assert run(ignore_border=False, mode="sum")[0] == [12.0, 20.0, 13.0]  # 0+1+5+6, ..., 4+9
    assert run(ignore_border=False, mode="average_inc_pad")[2] == [20.5, 22.5, 24.0]
    # a 3x3 window padded by 1: the corner window holds 0, 1, 5, 6 and five zeros of padding
    corner = evaluate(pool_2d(x, ws=(3, 3), ignore_border=True, stride=(2, 2), pad=(1, 1),
                              mode="average_inc_pad"), {x: image})[0, 0]
    assert corner == pytest.approx(12.0 / 9.0, rel=1e-15)
    corner = evaluate(pool_2d(x, ws=(3, 3), ignore_border=True, stride=(2, 2), pad=(1, 1),
                              mode="average_exc_pad"), {x: image})[0, 0]
    assert corner == pytest.approx(12.0 / 4.0, rel=1e-15)


def test_compiled_function_matches_reference_evaluator():
    x = T.tensor4("x")
    outs = [pool_2d(x, ws=(3, 2), ignore_border=False, stride=(2, 1), mode=mode)
            for mode in MODES]
    f = function([x], outs)
    xv = RNG.normal(size=(2, 2, 7, 6))
    for got, expected in zip(f(xv), evaluate(outs, {x: xv})):
        np.testing.assert_array_equal(got, expected)


def test_leading_dimensions_are_kept():
    x5 = TensorType("float64", (None,) * 5)("x5")
    xv = RNG.normal(size=(2, 1, 3, 4, 4))
    got = evaluate(pool_2d(x5, (2, 2), ignore_border=True), {x5: xv})
    np.testing.assert_allclose(got, loop_pool(xv, (2, 2), True))
    assert got.shape == (2, 1, 3, 2, 2)


def test_dtypes():
    xf = T.ftensor4("xf")
    xv = RNG.normal(size=(1, 1, 4, 4)).astype("float32")
    for mode in MODES:
        out = pool_2d(xf, (2, 2), ignore_border=True, mode=mode)
        assert out.dtype == "float32" and evaluate(out, {xf: xv}).dtype == np.float32
    xi = T.itensor4("xi")
    iv = np.arange(16, dtype="int32").reshape(1, 1, 4, 4)
    got = evaluate(pool_2d(xi, (2, 2), ignore_border=True), {xi: iv})
    assert got.dtype == np.int32 and got[0, 0].tolist() == [[5, 7], [13, 15]]
    got = evaluate(pool_2d(xi, (2, 2), ignore_border=True, mode="sum"), {xi: iv})
    assert got.dtype == np.int32 and got[0, 0].tolist() == [[10, 18], [42, 50]]
    out = pool_2d(xi, (2, 2), ignore_border=True, mode="average_exc_pad")
    assert out.dtype == "float64"
    assert evaluate(out, {xi: iv})[0, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]
    assert pool_2d(T.btensor4("xb"), (2, 2), True, mode="average_inc_pad").dtype == "float32"
    with pytest.raises(TypeError, match="non-boolean"):
        pool_2d(TensorType("bool", (None, None))("m"), (2, 2), True)


# ------------------------------------------------------------------ shapes and arguments

def test_static_shapes():
    x = TensorType("float64", (8, 3, 28, 27))("x")
    assert pool_2d(x, (2, 2), ignore_border=True).type.shape == (8, 3, 14, 13)
    assert pool_2d(x, (2, 2), ignore_border=False).type.shape == (8, 3, 14, 14)
    assert pool_2d(x, (3, 3), True, (2, 2), (1, 1)).type.shape == (8, 3, 14, 14)
    assert pool_2d(T.tensor4("x"), (2, 2), True).type.shape == (None,) * 4
    partly = TensorType("float64", (None, 1, 10, None))("p")
    assert pool_2d(partly, (3, 3), False, (2, 2)).type.shape == (None, 1, 5, None)
    assert pool_output_shape((4, 10, 10), (3, 3), True, (2, 2), (1, 1)) == (4, 5, 5)
    assert pool_output_shape((None, 7), (2, 2), False) == (None, 4)


def test_ignore_border_left_out_warns_and_is_false():
    x = T.dmatrix("x")
    with pytest.warns(UserWarning, match="ignore_border was not given; it is False"):
        out = pool_2d(x, (2, 2))
    assert out.owner.op.ignore_border is False
    assert evaluate(out, {x: np.ones((3, 3))}).shape == (2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pool_2d(x, (2, 2), ignore_border=False)


def test_theano_deprecated_names():
    x = T.dmatrix("x")
    with pytest.warns(DeprecationWarning, match="'ds' is deprecated"):
        old = pool_2d(x, ds=(2, 2), ignore_border=True)
    with pytest.warns(DeprecationWarning, match="'st' is deprecated"):
        strided = pool_2d(x, (2, 2), True, st=(1, 1))
    with pytest.warns(DeprecationWarning, match="'padding' is deprecated"):
        padded_op = pool_2d(x, (2, 2), True, padding=(1, 1)).owner.op
    assert old.owner.op == pool_2d(x, ws=(2, 2), ignore_border=True).owner.op
    assert strided.owner.op.stride == (1, 1) and padded_op.pad == (1, 1)
    with pytest.raises(ValueError, match="not both"):
        pool_2d(x, ws=(2, 2), ds=(2, 2), ignore_border=True)
    with pytest.raises(ValueError, match="not both"):
        pool_2d(x, (2, 2), True, stride=(1, 1), st=(1, 1))
    with pytest.raises(ValueError, match="not both"):
        pool_2d(x, (2, 2), True, pad=(1, 1), padding=(1, 1))
    with pytest.raises(ValueError, match="give the window size ws"):
        pool_2d(x, ignore_border=True)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"ws": (0, 2)}, ValueError, "ws must be a pair of ints >= 1"),
    ({"ws": (2, 2), "stride": (2, -1)}, ValueError, "stride must be"),
    ({"ws": (2, 2), "pad": (1, 1), "ignore_border": False}, NotImplementedError,
     "only with ignore_border=True"),
    ({"ws": (2, 2), "pad": (2, 0)}, NotImplementedError, "smaller than the window"),
    ({"ws": (2, 2), "mode": "average"}, ValueError, "mode must be one of 'max', 'sum'"),
])
def test_bad_arguments_are_refused(kwargs, error, message):
    kwargs.setdefault("ignore_border", True)
    with pytest.raises(error, match=message):
        pool_2d(T.dmatrix("x"), **kwargs)


def test_a_vector_is_refused():
    with pytest.raises(TypeError, match=r"at least 2 dimensions.*v of type"):
        pool_2d(T.dvector("v"), (2, 2), True)


def test_module_path_and_printing():
    assert pool.pool_2d is pool_2d
    out = pool_2d(T.tensor4("x"), (2, 2), ignore_border=True)
    assert str(out.owner.op) == ("pool{ws=(2, 2), ignore_border=True, stride=(2, 2), "
                                 "pad=(0, 0), mode='max'}")


# ------------------------------------------------------------------ gradients

def gradient_by_hand(xv, gv, **kwargs):
    """Build ``Pool.grad`` with a symbolic output gradient and evaluate it."""
    x = TensorType("float64", (None,) * xv.ndim)("x")
    g = TensorType("float64", (None,) * xv.ndim)("g")
    out = pool_2d(x, **kwargs)
    (gx,) = out.owner.op.grad(out.owner, [g])
    assert gx.type == x.type
    return evaluate(gx, {x: xv, g: gv})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ws, stride, pad, ignore_border", [
    ((2, 2), None, (0, 0), False), ((3, 3), (2, 2), (0, 0), False),
    ((2, 3), (1, 2), (0, 0), True), ((3, 3), (2, 2), (1, 1), True), ((2, 2), (3, 3), (0, 0), False),
])
def test_gradients_against_loops_and_finite_differences(ws, stride, pad, ignore_border, mode):
    xv = RNG.permutation(2 * 5 * 7).reshape(2, 5, 7) / 10.0  # distinct: no ties in a max
    kwargs = dict(ws=ws, ignore_border=ignore_border, stride=stride, pad=pad, mode=mode)
    gv = RNG.normal(size=loop_pool(xv, ws, ignore_border, stride, pad, mode).shape)
    got = gradient_by_hand(xv, gv, **kwargs)
    np.testing.assert_allclose(got, loop_pool_grad(xv, gv, ws, ignore_border, stride, pad, mode),
                               rtol=1e-12, atol=1e-12)
    eps = 1e-6
    numeric = np.zeros_like(xv)
    for index in np.ndindex(*xv.shape):
        up, down = xv.copy(), xv.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = np.sum((loop_pool(up, ws, ignore_border, stride, pad, mode)
                                 - loop_pool(down, ws, ignore_border, stride, pad, mode)) * gv)
    np.testing.assert_allclose(got, numeric / (2 * eps), rtol=1e-6, atol=1e-8)


def test_max_gradient_goes_to_every_tied_maximum():
    # Theano's MaxPoolGrad: each position equal to its window's maximum gets the gradient
    xv = np.array([[1.0, 1.0, 0.0],
                   [1.0, 0.0, 2.0],
                   [3.0, 3.0, 2.0]])
    gv = np.array([[10.0, 20.0],
                   [30.0, 40.0]])
    got = gradient_by_hand(xv, gv, ws=(2, 2), ignore_border=False)
    assert got.tolist() == [[10.0, 10.0, 0.0],
                            [10.0, 0.0, 20.0],
                            [30.0, 30.0, 40.0]]
    # overlapping windows add up: a constant image with 2x2 windows one apart
    got = gradient_by_hand(np.ones((3, 3)), np.ones((2, 2)), ws=(2, 2), stride=(1, 1),
                           ignore_border=True)
    assert got.tolist() == [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    np.testing.assert_array_equal(got, loop_pool_grad(np.ones((3, 3)), np.ones((2, 2)), (2, 2),
                                                      True, (1, 1)))


def test_verify_grad():
    rng = np.random.default_rng(9)
    point = [rng.permutation(2 * 2 * 6 * 5).reshape(2, 2, 6, 5) / 7.0]
    for mode in MODES:
        verify_grad(lambda x: pool_2d(x, (3, 2), ignore_border=True, stride=(2, 1), pad=(1, 1),
                                      mode=mode), point, rng=rng)
        verify_grad(lambda x: pool_2d(x, (2, 2), ignore_border=False, mode=mode), point, rng=rng)


def test_gradient_types_and_missing_gradients():
    xf = T.ftensor4("xf")
    out = pool_2d(xf, (2, 2), ignore_border=True, mode="average_inc_pad")
    (gx,) = out.owner.op.grad(out.owner, [T.ftensor4("g")])
    assert gx.type == xf.type
    xi = T.itensor4("xi")
    out = pool_2d(xi, (2, 2), ignore_border=True)
    assert out.owner.op.grad(out.owner, [T.itensor4("g")]) == [None]
    out = pool_2d(xf, (2, 2), ignore_border=True)
    assert out.owner.op.grad(out.owner, [None]) == [None]
    (gx,) = out.owner.op.grad(out.owner, [T.ftensor4("g")])
    assert isinstance(gx.owner.op, MaxPoolGrad)
    with pytest.raises(GradientNotImplemented, match="second-order"):
        gx.owner.op.grad(gx.owner, [T.ftensor4("h")])


def test_gradient_ops_check_their_inputs():
    x = TensorType("float64", (None, 6, 6))("x")
    with pytest.raises(ValueError, match=r"output gradient g.*pooled shape \(None, 3, 3\)"):
        MaxPoolGrad((2, 2), True)(x, TensorType("float64", (None, 3, 3))("m"),
                                  TensorType("float64", (None, 4, 3))("g"))
    with pytest.raises(ValueError, match="mode must be 'max'"):
        MaxPoolGrad((2, 2), True, mode="sum")
    with pytest.raises(ValueError, match="use MaxPoolGrad"):
        AveragePoolGrad((2, 2), True, mode="max")
    g = T.tensor3("g")
    gx = AveragePoolGrad((2, 2), True, mode="sum")(x, g)
    with pytest.raises(ValueError, match=r"g has shape \(1, 2, 2\), but pooling x"):
        evaluate(gx, {x: np.zeros((1, 6, 6)), g: np.zeros((1, 2, 2))})
    assert Pool((2, 2)) == Pool((2, 2), False, (2, 2), (0, 0), "max")
