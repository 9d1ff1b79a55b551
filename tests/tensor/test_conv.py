"""T.nnet.conv2d: values against loop and SciPy references, static shapes, errors,
gradients by finite differences, and a small LeNet-style net against NumPy."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest
import scipy.signal

import symlab.tensor as T
from symlab import function
from symlab.gradient import grad, verify_grad
from symlab.graph.basic import GradientNotImplemented
from symlab.graph.evaluate import evaluate
from symlab.tensor.nnet.conv import (Conv2d, Conv2dGradInputs, Conv2dGradWeights, conv2d,
                                     conv_output_shape)
from symlab.tensor.signal.pool import pool_2d
from symlab.tensor.type import TensorType

RNG = np.random.default_rng(20)


def tensor4(name, dtype="float64", shape=(None, None, None, None)):
    return TensorType(dtype, shape)(name)


# ------------------------------------------------------------------ references

def hand_pads(border_mode, kernel, dilation):
    """The padding each border mode means, written out per mode (rows, columns)."""
    dilated = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    if border_mode == "valid":
        return (0, 0)
    if border_mode == "full":
        return (dilated[0] - 1, dilated[1] - 1)
    if border_mode == "half":
        return (dilated[0] // 2, dilated[1] // 2)
    if isinstance(border_mode, int):
        return (border_mode, border_mode)
    return tuple(border_mode)


def loop_conv2d(x, w, border_mode="valid", subsample=(1, 1), filter_flip=True,
                dilation=(1, 1)):
    """The definition, one output value at a time, with Python loops."""
    batch, channels, rows, cols = x.shape
    n_filters, _, k_rows, k_cols = w.shape
    p_rows, p_cols = hand_pads(border_mode, (k_rows, k_cols), dilation)
    padded = np.zeros((batch, channels, rows + 2 * p_rows, cols + 2 * p_cols))
    padded[:, :, p_rows:p_rows + rows, p_cols:p_cols + cols] = x
    taps = w[:, :, ::-1, ::-1] if filter_flip else w
    span = ((k_rows - 1) * dilation[0] + 1, (k_cols - 1) * dilation[1] + 1)
    out_rows = (padded.shape[2] - span[0]) // subsample[0] + 1
    out_cols = (padded.shape[3] - span[1]) // subsample[1] + 1
    out = np.zeros((batch, n_filters, out_rows, out_cols))
    for n in range(batch):
        for f in range(n_filters):
            for i in range(out_rows):
                for j in range(out_cols):
                    total = 0.0
                    for c in range(channels):
                        for a in range(k_rows):
                            for b in range(k_cols):
                                total += (padded[n, c, i * subsample[0] + a * dilation[0],
                                                 j * subsample[1] + b * dilation[1]]
                                          * taps[f, c, a, b])
                    out[n, f, i, j] = total
    return out


def scipy_conv2d(x, w, border_mode="valid", subsample=(1, 1), filter_flip=True,
                 dilation=(1, 1)):
    """A faster reference for finite differences: pad, spread the filter taps apart, let
    ``scipy.signal.correlate2d`` slide it, keep every stride-th output."""
    n_filters, channels, k_rows, k_cols = w.shape
    p_rows, p_cols = hand_pads(border_mode, (k_rows, k_cols), dilation)
    padded = np.pad(x, ((0, 0), (0, 0), (p_rows, p_rows), (p_cols, p_cols)))
    spread = np.zeros((n_filters, channels, (k_rows - 1) * dilation[0] + 1,
                       (k_cols - 1) * dilation[1] + 1))
    spread[:, :, ::dilation[0], ::dilation[1]] = w[:, :, ::-1, ::-1] if filter_flip else w
    return np.array([[sum(scipy.signal.correlate2d(padded[n, c], spread[f, c], mode="valid")
                          for c in range(channels))[::subsample[0], ::subsample[1]]
                      for f in range(n_filters)] for n in range(x.shape[0])])


def numeric_gradient(f, x, eps=1e-6):
    """Central finite differences of the scalar function ``f`` at ``x`` (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        saved = x[index]
        x[index] = saved + eps
        up = f(x)
        x[index] = saved - eps
        down = f(x)
        x[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


# ------------------------------------------------------------------ values

@pytest.mark.parametrize("flip, scipy_function", [(True, scipy.signal.convolve2d),
                                                   (False, scipy.signal.correlate2d)])
@pytest.mark.parametrize("border_mode, scipy_mode", [("valid", "valid"), ("full", "full"),
                                                     ("half", "same")])
def test_single_channel_matches_scipy(flip, scipy_function, border_mode, scipy_mode):
    x, w = tensor4("x"), tensor4("w")
    image, kernel = RNG.normal(size=(7, 6)), RNG.normal(size=(3, 5))  # odd kernel: 'same' = half
    got = evaluate(conv2d(x, w, border_mode=border_mode, filter_flip=flip),
                   {x: image[None, None], w: kernel[None, None]})
    expected = scipy_function(image, kernel, mode=scipy_mode)
    assert got.shape == (1, 1) + expected.shape
    np.testing.assert_allclose(got[0, 0], expected, rtol=1e-12, atol=1e-12)


def test_channels_sum_per_channel_scipy_convolutions():
    x, w = tensor4("x"), tensor4("w")
    xv, wv = RNG.normal(size=(2, 3, 6, 7)), RNG.normal(size=(4, 3, 3, 2))
    got = evaluate(conv2d(x, w), {x: xv, w: wv})
    for n in range(2):
        for f in range(4):
            expected = sum(scipy.signal.convolve2d(xv[n, c], wv[f, c], mode="valid")
                           for c in range(3))
            np.testing.assert_allclose(got[n, f], expected, rtol=1e-12, atol=1e-12)


CASES = [
    ("valid", (1, 1), (1, 1)), ("full", (1, 1), (1, 1)), ("half", (1, 1), (1, 1)),
    ("valid", (2, 2), (1, 1)), ("full", (2, 3), (1, 1)), ("half", (3, 2), (1, 1)),
    (1, (1, 1), (1, 1)), (2, (2, 1), (1, 1)), ((2, 0), (1, 2), (1, 1)), ((0, 3), (2, 2), (1, 1)),
    ("valid", (1, 1), (2, 2)), ("full", (2, 1), (2, 1)), ("half", (1, 1), (1, 2)),
    ((1, 2), (2, 2), (2, 2)),
]


@pytest.mark.parametrize("filter_flip", [True, False])
@pytest.mark.parametrize("border_mode, subsample, dilation", CASES)
def test_values_against_loops(border_mode, subsample, dilation, filter_flip):
    x, w = tensor4("x"), tensor4("w")
    xv, wv = RNG.normal(size=(2, 2, 7, 8)), RNG.normal(size=(3, 2, 3, 2))
    out = conv2d(x, w, border_mode=border_mode, subsample=subsample, filter_flip=filter_flip,
                 filter_dilation=dilation)
    got = evaluate(out, {x: xv, w: wv})
    expected = loop_conv2d(xv, wv, border_mode, subsample, filter_flip, dilation)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # the faster reference the gradient tests difference agrees with the loops
    np.testing.assert_allclose(scipy_conv2d(xv, wv, border_mode, subsample, filter_flip,
                                            dilation), expected, rtol=1e-12, atol=1e-12)


def test_compiled_function_matches_reference_evaluator():
    x, w = tensor4("x"), tensor4("w")
    out = conv2d(x, w, border_mode="half", subsample=(2, 2))
    f = function([x, w], out)
    xv, wv = RNG.normal(size=(3, 2, 9, 8)), RNG.normal(size=(4, 2, 3, 3))
    np.testing.assert_array_equal(f(xv, wv), evaluate(out, {x: xv, w: wv}))
    np.testing.assert_allclose(f(xv, wv), loop_conv2d(xv, wv, "half", (2, 2)), rtol=1e-12)


def test_hand_values():
    # a 3x3 image of 1..9 with a 2x2 filter [[1, 0], [0, -1]]
    x, w = tensor4("x"), tensor4("w")
    image = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(1, 1, 2, 2)
    correlation = evaluate(conv2d(x, w, filter_flip=False), {x: image, w: kernel})
    assert correlation[0, 0].tolist() == [[-4.0, -4.0], [-4.0, -4.0]]  # x[i, j] - x[i+1, j+1]
    convolution = evaluate(conv2d(x, w), {x: image, w: kernel})
    assert convolution[0, 0].tolist() == [[4.0, 4.0], [4.0, 4.0]]  # flipped: x[i+1, j+1] - x[i, j]
    strided = evaluate(conv2d(x, w, border_mode="full", subsample=(2, 2), filter_flip=False),
                       {x: image, w: kernel})
    # padded by 1; windows at rows and columns 0 and 2: 0 - 1, 0 - 3, 0 - 7, 5 - 9
    assert strided[0, 0].tolist() == [[-1.0, -3.0], [-7.0, -4.0]]


def test_dtypes():
    xf, wf = tensor4("x", "float32"), tensor4("w", "float32")
    out = conv2d(xf, wf)
    assert out.dtype == "float32"
    xv = RNG.normal(size=(1, 2, 4, 4)).astype("float32")
    wv = RNG.normal(size=(2, 2, 2, 2)).astype("float32")
    got = evaluate(out, {xf: xv, wf: wv})
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, loop_conv2d(xv, wv), rtol=1e-5, atol=1e-5)
    assert conv2d(xf, tensor4("w")).dtype == "float64"
    xi = tensor4("xi", "int32")
    got = evaluate(conv2d(xi, wf), {xi: np.ones((1, 2, 3, 3), "int32"), wf: wv})
    assert got.dtype == np.float64  # int32 becomes float64, as softmax's inputs do
    np.testing.assert_allclose(got, loop_conv2d(np.ones((1, 2, 3, 3)), wv), rtol=1e-6)
    with pytest.raises(TypeError, match="real tensor"):
        conv2d(tensor4("z", "complex128"), wf)


# ------------------------------------------------------------------ static shapes

def test_static_shape_from_the_types():
    x = tensor4("x", shape=(8, 3, 28, 28))
    w = tensor4("w", shape=(16, 3, 5, 5))
    assert conv2d(x, w).type.shape == (8, 16, 24, 24)
    assert conv2d(x, w, border_mode="full").type.shape == (8, 16, 32, 32)
    assert conv2d(x, w, border_mode="half").type.shape == (8, 16, 28, 28)
    assert conv2d(x, w, border_mode=(1, 2), subsample=(2, 3)).type.shape == (8, 16, 13, 10)
    assert conv2d(x, w, filter_dilation=(2, 1)).type.shape == (8, 16, 20, 24)
    partly = conv2d(tensor4("x", shape=(None, 3, 28, None)), w)
    assert partly.type.shape == (None, 16, 24, None)
    assert conv2d(tensor4("x"), tensor4("w")).type.shape == (None, None, None, None)


def test_static_shape_from_hints():
    x, w = tensor4("x"), tensor4("w")
    out = conv2d(x, w, input_shape=(None, 1, 28, 28), filter_shape=(20, 1, 5, 5))
    assert out.type.shape == (None, 20, 24, 24)
    old_name = conv2d(x, w, image_shape=(4, 1, 28, 28), filter_shape=(20, 1, 5, 5))
    assert old_name.type.shape == (4, 20, 24, 24)
    assert conv_output_shape((4, 1, 28, 28), (20, 1, 5, 5), "half", (2, 2)) == (4, 20, 14, 14)
    assert conv_output_shape((None, 1, 28, None), (20, 1, 5, 5)) == (None, 20, 24, None)


def test_a_hint_is_checked_at_run_time():
    x, w = tensor4("x"), tensor4("w")
    out = conv2d(x, w, input_shape=(None, 1, 6, 6))
    with pytest.raises(ValueError, match=r"built for shape \(None, 1, 6, 6\)"):
        evaluate(out, {x: np.zeros((1, 1, 7, 6)), w: np.zeros((1, 1, 2, 2))})


# ------------------------------------------------------------------ errors

def test_wrong_ndim_is_refused():
    with pytest.raises(TypeError, match=r"input must be a 4-d tensor.*x of type.*3 dimensions"):
        conv2d(T.tensor3("x"), tensor4("w"))
    with pytest.raises(TypeError, match=r"filters must be a 4-d tensor.*w of type"):
        conv2d(tensor4("x"), T.dmatrix("w"))


def test_channel_mismatch_is_refused():
    x = tensor4("x", shape=(None, 3, 8, 8))
    w = tensor4("w", shape=(4, 2, 3, 3))
    with pytest.raises(ValueError, match=r"3 channels but the filters expect 2.*x of type"):
        conv2d(x, w)
    with pytest.raises(ValueError, match="3 channels but the filters expect 2"):
        conv2d(tensor4("x"), tensor4("w"), input_shape=(None, 3, None, None),
               filter_shape=(None, 2, None, None))
    x, w = tensor4("x"), tensor4("w")
    with pytest.raises(ValueError, match=r"input has 3 channels.*x has shape \(1, 3, 5, 5\)"):
        evaluate(conv2d(x, w), {x: np.zeros((1, 3, 5, 5)), w: np.zeros((2, 2, 3, 3))})


def test_a_filter_larger_than_the_input_is_refused():
    x = tensor4("x", shape=(None, 1, 4, 4))
    w = tensor4("w", shape=(2, 1, 5, 3))
    with pytest.raises(ValueError, match="do not fit in the input"):
        conv2d(x, w)
    assert conv2d(x, w, border_mode="full").type.shape == (None, 2, 8, 6)
    x, w = tensor4("x"), tensor4("w")
    with pytest.raises(ValueError, match="do not fit"):
        evaluate(conv2d(x, w), {x: np.zeros((1, 1, 4, 4)), w: np.zeros((1, 1, 5, 3))})


def test_a_hint_contradicting_the_type_is_refused():
    x = tensor4("x", shape=(None, 3, 8, 8))
    with pytest.raises(ValueError, match=r"input_shape.*size 4, but its type says 3"):
        conv2d(x, tensor4("w"), input_shape=(None, 4, 8, 8))


@pytest.mark.parametrize("kwargs, message", [
    ({"border_mode": "same"}, "border_mode must be"),
    ({"border_mode": -1}, "border_mode must be"),
    ({"border_mode": (1, 2, 3)}, "border_mode must be"),
    ({"subsample": (0, 1)}, "subsample must be a pair of ints >= 1"),
    ({"subsample": 1.5}, "subsample"),
    ({"filter_dilation": (1, 0)}, "filter_dilation"),
    ({"input_shape": (1, 2, 3)}, "input_shape must be four"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv2d(tensor4("x"), tensor4("w"), **kwargs)


def test_printed_op():
    out = conv2d(tensor4("x"), tensor4("w"), border_mode="half", subsample=(2, 2))
    assert str(out.owner.op) == "conv2d{border_mode='half', subsample=(2, 2), filter_flip=True}"
    assert out.owner.op.name == "conv2d"
    assert Conv2d() == Conv2d("valid", 1) and Conv2d() != Conv2d(filter_flip=False)


def test_theano_paths_load_the_convolution_layer_when_used():
    script = ("import sys; import symlab.tensor as T; "
              "print('symlab.tensor.nnet.conv' in sys.modules); "
              "print(T.nnet.conv2d.__module__, T.nnet.conv.conv2d is T.nnet.conv2d); "
              "from symlab.tensor.nnet import conv2d; "
              "from symlab.tensor.signal.pool import pool_2d; print(pool_2d.__module__)")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=str(pathlib.Path(__file__).resolve().parents[2]))
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "symlab.tensor.nnet.conv", "True",
                                  "symlab.tensor.signal.pool"]


# ------------------------------------------------------------------ gradients

def conv_gradients_by_hand(xv, wv, gv, **kwargs):
    """The gradient ops' values: build ``Conv2d.grad`` with a symbolic output gradient."""
    x, w, g = tensor4("x"), tensor4("w"), tensor4("g")
    out = conv2d(x, w, **kwargs)
    gx, gw = out.owner.op.grad(out.owner, [g])
    assert gx.type == x.type and gw.type == w.type
    return evaluate([gx, gw], {x: xv, w: wv, g: gv})


GRAD_CASES = [
    ("valid", (1, 1), True, (1, 1)), ("full", (1, 1), False, (1, 1)),
    ("half", (2, 2), True, (1, 1)), ((1, 2), (2, 3), False, (1, 1)),
    ("valid", (3, 2), True, (1, 1)), ("half", (1, 1), False, (2, 2)),
    ("full", (2, 1), True, (2, 1)),
]


@pytest.mark.parametrize("border_mode, subsample, filter_flip, dilation", GRAD_CASES)
def test_gradients_match_finite_differences(border_mode, subsample, filter_flip, dilation):
    kwargs = dict(border_mode=border_mode, subsample=subsample, filter_flip=filter_flip,
                  filter_dilation=dilation)
    xv, wv = RNG.normal(size=(2, 2, 6, 7)), RNG.normal(size=(3, 2, 3, 2))
    out_shape = loop_conv2d(xv, wv, border_mode, subsample, filter_flip, dilation).shape
    gv = RNG.normal(size=out_shape)  # cost = sum(conv2d(x, w) * gv)
    gx, gw = conv_gradients_by_hand(xv, wv, gv, **kwargs)

    def cost_x(xp):
        return np.sum(scipy_conv2d(xp, wv, border_mode, subsample, filter_flip, dilation) * gv)

    def cost_w(wp):
        return np.sum(scipy_conv2d(xv, wp, border_mode, subsample, filter_flip, dilation) * gv)

    np.testing.assert_allclose(gx, numeric_gradient(cost_x, xv), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gw, numeric_gradient(cost_w, wv), rtol=1e-6, atol=1e-7)


def test_strided_rows_left_over_get_zero_gradient():
    # valid, stride 2 on 6 rows with a 3-row filter: row 5 is never read
    xv, wv = RNG.normal(size=(1, 1, 6, 3)), RNG.normal(size=(1, 1, 3, 3))
    gx, _ = conv_gradients_by_hand(xv, wv, np.ones((1, 1, 2, 1)), subsample=(2, 2))
    assert np.all(gx[0, 0, 5] == 0) and np.any(gx[0, 0, 4] != 0)


def test_gradient_types_follow_the_inputs():
    x = tensor4("x", "float32", (None, 1, 6, 6))
    w = tensor4("w", "float64", (2, 1, 3, 3))
    out = conv2d(x, w)
    assert out.dtype == "float64"
    gx, gw = out.owner.op.grad(out.owner, [tensor4("g")])
    assert gx.type == x.type and gw.type == w.type
    xi = tensor4("xi", "int32")
    out = conv2d(xi, w)
    gx, gw = out.owner.op.grad(out.owner, [tensor4("g")])
    assert gx is None and gw.type == w.type
    assert out.owner.op.grad(out.owner, [None]) == [None, None]


def test_gradient_ops_check_their_inputs():
    w, g = tensor4("w"), tensor4("g")
    op = Conv2dGradInputs(imshp=(None, 2, None, None))
    with pytest.raises(TypeError, match="integer vector of length 4"):
        op(w, g, T.dvector("s"))
    gx = op(w, g, T.lvector("s"))
    with pytest.raises(ValueError, match=r"output gradient g has shape \(1, 1, 2, 2\)"):
        evaluate(gx, {w: np.zeros((1, 2, 2, 2)), g: np.zeros((1, 1, 2, 2)),
                      gx.owner.inputs[2]: [1, 2, 4, 4]})
    with pytest.raises(GradientNotImplemented, match="second-order"):
        gx.owner.op.grad(gx.owner, [tensor4("h")])
    gw = Conv2dGradWeights(kshp=(3, 2, 2, 2))(tensor4("x"), g, [3, 2, 2, 2])
    assert gw.type.shape == (3, 2, 2, 2)


def test_verify_grad():
    rng = np.random.default_rng(3)
    for kwargs in ({"border_mode": "half", "subsample": (2, 1)},
                   {"border_mode": "full", "filter_flip": False, "filter_dilation": (1, 2)}):
        verify_grad(lambda x, w: conv2d(x, w, **kwargs),
                    [rng.normal(size=(2, 2, 5, 6)), rng.normal(size=(3, 2, 3, 2))], rng=rng)


# ------------------------------------------------------------------ a LeNet-style net

def numpy_lenet(xv, wv, bv, wo, bo):
    conv = np.stack([np.stack([sum(scipy.signal.convolve2d(xv[n, c], wv[f, c], mode="valid")
                                   for c in range(xv.shape[1]))
                               for f in range(wv.shape[0])]) for n in range(xv.shape[0])])
    hidden = np.tanh(conv + bv[None, :, None, None])
    rows, cols = hidden.shape[2] // 2, hidden.shape[3] // 2
    pooled = hidden[:, :, :2 * rows, :2 * cols].reshape(
        hidden.shape[0], hidden.shape[1], rows, 2, cols, 2).max(axis=(3, 5))
    logits = pooled.reshape(pooled.shape[0], -1) @ wo + bo
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def lenet_graph(x, w, b, wo, bo):
    conv = conv2d(x, w, input_shape=(None, 1, 10, 10), filter_shape=(4, 1, 3, 3))
    hidden = T.tanh(conv + b.dimshuffle("x", 0, "x", "x"))
    pooled = pool_2d(hidden, ws=(2, 2), ignore_border=True)
    return T.nnet.softmax(T.dot(pooled.flatten(2), wo) + bo)


def test_lenet_forward_matches_numpy():
    x, w = T.tensor4("x"), T.tensor4("w")
    b, wo, bo = T.dvector("b"), T.dmatrix("wo"), T.dvector("bo")
    probabilities = lenet_graph(x, w, b, wo, bo)
    assert T.nnet.conv2d is conv2d
    values = [RNG.normal(size=(5, 1, 10, 10)), RNG.normal(size=(4, 1, 3, 3)) * 0.5,
              RNG.normal(size=4) * 0.1, RNG.normal(size=(64, 3)) * 0.1, RNG.normal(size=3) * 0.1]
    expected = numpy_lenet(*values)
    f = function([x, w, b, wo, bo], probabilities)
    np.testing.assert_allclose(f(*values), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(evaluate(probabilities, dict(zip([x, w, b, wo, bo], values))),
                               expected, rtol=1e-12, atol=1e-14)


def test_lenet_gradient_matches_finite_differences():
    x, w = T.tensor4("x"), T.tensor4("w")
    b, wo, bo = T.dvector("b"), T.dmatrix("wo"), T.dvector("bo")
    labels = np.array([0, 2, 1])
    probabilities = lenet_graph(x, w, b, wo, bo)
    cost = T.mean(T.nnet.categorical_crossentropy(probabilities, T.constant(labels)))
    gw, gwo = grad(cost, [w, wo])
    values = [RNG.normal(size=(3, 1, 10, 10)), RNG.normal(size=(4, 1, 3, 3)) * 0.5,
              RNG.normal(size=4) * 0.1, RNG.normal(size=(64, 3)) * 0.1, RNG.normal(size=3) * 0.1]
    got_w, got_wo = function([x, w, b, wo, bo], [gw, gwo])(*values)

    def numpy_cost(**change):
        xv, wv, bv, wov, bov = values
        wv, wov = change.get("w", wv), change.get("wo", wov)
        p = numpy_lenet(xv, wv, bv, wov, bov)
        return -np.mean(np.log(p[np.arange(3), labels]))

    np.testing.assert_allclose(got_w, numeric_gradient(lambda v: numpy_cost(w=v), values[1]),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got_wo, numeric_gradient(lambda v: numpy_cost(wo=v), values[3]),
                               rtol=1e-6, atol=1e-8)
