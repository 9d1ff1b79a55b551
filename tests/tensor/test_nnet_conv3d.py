"""T.nnet.conv3d, T.nnet.conv3d2d.conv3d and T.nnet.conv2d_transpose: values against
SciPy and loop references, the transpose as conv2d's adjoint, and gradients by central
differences on small sizes."""

import numpy as np
import pytest
import scipy.signal

import symlab as theano
import symlab.tensor as T
from symlab.gradient import verify_grad
from symlab.tensor.nnet import conv3d, conv3d2d
from symlab.tensor.nnet.conv import conv2d, conv2d_transpose
from symlab.tensor.type import TensorType

RNG = np.random.default_rng(31)


def tensor5(name=None, dtype="float64", depth=None):
    return TensorType(dtype, (None, None, depth, None, None))(name)


def reference_conv3d(x, w, pads, strides, flip, dilation):
    """A loop over output channels and input channels of SciPy's 3-d correlation."""
    if flip:
        w = w[:, :, ::-1, ::-1, ::-1]
    dilated = np.zeros(w.shape[:2] + tuple((k - 1) * d + 1 for k, d in zip(w.shape[2:],
                                                                            dilation)))
    dilated[:, :, ::dilation[0], ::dilation[1], ::dilation[2]] = w
    x = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pads])
    out = np.zeros((x.shape[0], w.shape[0]) + tuple(
        s - k + 1 for s, k in zip(x.shape[2:], dilated.shape[2:])))
    for n in range(x.shape[0]):
        for f in range(w.shape[0]):
            for c in range(x.shape[1]):
                out[n, f] += scipy.signal.correlate(x[n, c], dilated[f, c], mode="valid")
    return out[:, :, ::strides[0], ::strides[1], ::strides[2]]


CASES = [  # border_mode, subsample, filter_flip, filter_dilation, the padding it means
    ("valid", (1, 1, 1), True, (1, 1, 1), (0, 0, 0)),
    ("full", (1, 1, 1), True, (1, 1, 1), (2, 1, 2)),
    ("half", (1, 1, 1), False, (1, 1, 1), (1, 1, 1)),
    ((1, 0, 2), (2, 1, 2), True, (1, 1, 1), (1, 0, 2)),
    (1, (1, 2, 1), False, (2, 1, 2), (1, 1, 1)),
    ("full", (2, 2, 1), True, (1, 2, 1), (2, 2, 2)),
]


@pytest.mark.parametrize("border_mode, subsample, flip, dilation, pads", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv3d_against_scipy(border_mode, subsample, flip, dilation, pads, dtype):
    x = RNG.normal(size=(2, 2, 6, 5, 7)).astype(dtype)
    w = RNG.normal(size=(3, 2, 3, 2, 3)).astype(dtype)
    xs, ws = tensor5("x", dtype), tensor5("w", dtype, depth=3)
    out = conv3d(xs, ws, border_mode=border_mode, subsample=subsample, filter_flip=flip,
                 filter_dilation=dilation)
    assert out.type.dtype == dtype
    got = theano.function([xs, ws], out)(x, w)
    want = reference_conv3d(x.astype("float64"), w.astype("float64"), pads, subsample, flip,
                            dilation)
    tol = 1e-4 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_conv3d_filter_depth_from_filter_shape():
    xs, ws = tensor5("x"), tensor5("w")
    with pytest.raises(ValueError, match="the filters' depth must be known"):
        conv3d(xs, ws)
    out = conv3d(xs, ws, filter_shape=(None, None, 2, None, None))
    x, w = RNG.normal(size=(1, 1, 3, 3, 3)), RNG.normal(size=(1, 1, 2, 2, 2))
    got = theano.function([xs, ws], out)(x, w)
    np.testing.assert_allclose(got[0, 0], scipy.signal.convolve(x[0, 0], w[0, 0], "valid"),
                               rtol=1e-12)


def test_conv3d_errors():
    with pytest.raises(TypeError, match="input must be a 5-d tensor"):
        conv3d(T.dtensor4("x"), tensor5("w", depth=2))
    with pytest.raises(ValueError, match="border_mode must be 'valid', 'full', 'half'"):
        conv3d(tensor5("x"), tensor5("w", depth=2), border_mode="same")
    with pytest.raises(ValueError, match="subsample must be three ints >= 1"):
        conv3d(tensor5("x"), tensor5("w", depth=2), subsample=(1, 0, 1))
    with pytest.raises(NotImplementedError, match="num_groups"):
        conv3d(tensor5("x"), tensor5("w", depth=2), num_groups=2)


@pytest.mark.parametrize("border_mode, subsample, flip, dilation, pads", CASES[:5])
def test_conv3d_gradient_by_central_differences(border_mode, subsample, flip, dilation, pads):
    x = RNG.normal(size=(1, 2, 4, 3, 4))
    w = RNG.normal(size=(2, 2, 2, 2, 2))

    def convolve(xv, wv):
        return conv3d(xv, wv, border_mode=border_mode, subsample=subsample, filter_flip=flip,
                      filter_dilation=dilation, filter_shape=(2, 2, 2, 2, 2))

    verify_grad(convolve, [x, w])


# ------------------------------------------------------------------ conv3d2d


def reference_conv3d2d(signals, filters, modes):
    """SciPy's n-d convolution over (time, rows, columns), modes per axis as padding."""
    pads = [{"valid": 0, "full": k - 1, "half": k // 2}[m]
            for m, k in zip(modes, filters.shape[1:2] + filters.shape[3:])]
    padded = np.pad(signals, [(0, 0), (pads[0], pads[0]), (0, 0), (pads[1], pads[1]),
                              (pads[2], pads[2])])
    outs = []
    for n in range(signals.shape[0]):
        per_filter = []
        for f in range(filters.shape[0]):
            total = sum(scipy.signal.convolve(padded[n, :, c], filters[f, :, c], "valid")
                        for c in range(signals.shape[2]))
            per_filter.append(total)
        outs.append(np.stack(per_filter, axis=1))    # (time, filters, rows, columns)
    return np.stack(outs)


@pytest.mark.parametrize("border_mode", ["valid", "full", "half", ("full", "valid", "valid"),
                                         ("half", "full", "full")])
@pytest.mark.parametrize("time", [1, 2, 3])
def test_conv3d2d_against_scipy(border_mode, time):
    signals = RNG.normal(size=(2, 5, 2, 4, 5))
    filters = RNG.normal(size=(3, time, 2, 3, 2))
    s, f = tensor5("s"), tensor5("f")
    out = conv3d2d.conv3d(s, f, signals.shape, filters.shape, border_mode=border_mode)
    got = theano.function([s, f], out)(signals, filters)
    modes = (border_mode,) * 3 if isinstance(border_mode, str) else border_mode
    np.testing.assert_allclose(got, reference_conv3d2d(signals, filters, modes), rtol=1e-11,
                               atol=1e-12)


def test_conv3d2d_errors_and_gradient():
    s, f = tensor5("s"), tensor5("f")
    with pytest.raises(NotImplementedError, match="rows' and columns' border modes must match"):
        conv3d2d.conv3d(s, f, border_mode=("valid", "full", "valid"))
    with pytest.raises(ValueError, match="the filters' depth must be known"):
        conv3d2d.conv3d(s, f)
    verify_grad(lambda a, b: conv3d2d.conv3d(a, b, filters_shape=(2, 2, 1, 2, 2),
                                             border_mode="full"),
                [RNG.normal(size=(1, 3, 1, 3, 3)), RNG.normal(size=(2, 2, 1, 2, 2))])


# ------------------------------------------------------------------ conv2d_transpose

TRANSPOSE_CASES = [  # output shape, options
    ((2, 2, 5, 5), {}),
    ((2, 2, 7, 8), {"input_dilation": (2, 2)}),
    ((2, 2, 6, 9), {"input_dilation": (2, 3), "border_mode": 1}),
    ((2, 2, 3, 3), {"border_mode": "half", "filter_flip": False}),
    ((2, 2, 7, 6), {"border_mode": "full", "filter_dilation": (2, 1)}),
]


@pytest.mark.parametrize("output_shape, options", TRANSPOSE_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_transpose_is_the_adjoint_of_conv2d(output_shape, options, dtype):
    # <conv2d(y, w), x> == <y, conv2d_transpose(x, w)> for every y of the output shape
    forward = {("subsample" if k == "input_dilation" else k): v for k, v in options.items()}
    w = RNG.normal(size=(3, 2, 3, 2)).astype(dtype)
    y = RNG.normal(size=output_shape).astype(dtype)
    ys, ws, xs = T.tensor4(dtype=dtype), T.tensor4(dtype=dtype), T.tensor4(dtype=dtype)
    conv = theano.function([ys, ws], conv2d(ys, ws, **forward))(y, w)
    x = RNG.normal(size=conv.shape).astype(dtype)
    out = conv2d_transpose(xs, ws, output_shape, **options)
    assert out.type.shape == output_shape and out.type.dtype == dtype
    transposed = theano.function([xs, ws], out)(x, w)
    tol = 1e-4 if dtype == "float32" else 1e-12
    assert np.sum(conv * x) == pytest.approx(np.sum(y * transposed), rel=tol)


def test_conv2d_transpose_symbolic_output_shape():
    xs, ws, rows = T.dtensor4("x"), T.dtensor4("w"), T.iscalar("rows")
    out = conv2d_transpose(xs, ws, (1, 1, rows, 4), input_dilation=(2, 1))
    assert out.type.shape == (1, 1, None, 4)
    f = theano.function([xs, ws, rows], out)
    x, w = RNG.normal(size=(1, 1, 2, 3)), RNG.normal(size=(1, 1, 2, 2))
    assert f(x, w, 4).shape == (1, 1, 4, 4) and f(x, w, 5).shape == (1, 1, 5, 4)
    with pytest.raises(NotImplementedError, match="num_groups"):
        conv2d_transpose(xs, ws, (1, 1, 4, 4), num_groups=2)
    with pytest.raises(ValueError, match="output_shape must be four ints"):
        conv2d_transpose(xs, ws, (1, 4, 4))


@pytest.mark.parametrize("output_shape, options", TRANSPOSE_CASES)
def test_conv2d_transpose_gradient_by_central_differences(output_shape, options):
    x = RNG.normal(size=(2, 3) + _input_side(output_shape, options))
    w = RNG.normal(size=(3, 2, 3, 2))
    verify_grad(lambda a, b: conv2d_transpose(a, b, output_shape, **options), [x, w])


def _input_side(output_shape, options):
    xs, ws = T.dtensor4(), T.dtensor4()
    forward = {("subsample" if k == "input_dilation" else k): v for k, v in options.items()}
    out = theano.function([xs, ws], conv2d(xs, ws, **forward))(np.zeros(output_shape),
                                                                np.zeros((3, 2, 3, 2)))
    return out.shape[2:]
