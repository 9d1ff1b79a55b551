"""theano.tensor.signal.conv.conv2d against scipy.signal.convolve2d, every combination of
single and stacked images and filters, with gradients by central differences."""

import numpy as np
import pytest
import scipy.signal

import symlab as theano
import symlab.tensor as T
from symlab.gradient import verify_grad
from symlab.tensor.signal.conv import conv2d

RNG = np.random.default_rng(41)


@pytest.mark.parametrize("border_mode", ["valid", "full"])
@pytest.mark.parametrize("image_ndim, filter_ndim", [(2, 2), (3, 2), (2, 3), (3, 3)])
def test_against_scipy(border_mode, image_ndim, filter_ndim):
    images = RNG.normal(size=(3, 6, 5)[3 - image_ndim:])
    filters = RNG.normal(size=(2, 3, 2)[3 - filter_ndim:])
    x = T.TensorType("float64", (None,) * image_ndim)("x")
    w = T.TensorType("float64", (None,) * filter_ndim)("w")
    got = theano.function([x, w], conv2d(x, w, border_mode=border_mode))(images, filters)
    stack_i = images.reshape((-1,) + images.shape[-2:])
    stack_f = filters.reshape((-1,) + filters.shape[-2:])
    want = np.array([[scipy.signal.convolve2d(i, f, mode=border_mode) for f in stack_f]
                     for i in stack_i])
    if image_ndim == 2:
        want = want[0]
    if filter_ndim == 2:
        want = want[..., 0, :, :] if image_ndim == 3 else want[0]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_subsample_errors_and_gradient():
    x, w = T.dmatrix("x"), T.dmatrix("w")
    image, kernel = RNG.normal(size=(7, 6)), RNG.normal(size=(2, 3))
    got = theano.function([x, w], conv2d(x, w, subsample=(2, 2)))(image, kernel)
    np.testing.assert_allclose(got, scipy.signal.convolve2d(image, kernel, "valid")[::2, ::2],
                               rtol=1e-12)
    with pytest.raises(ValueError, match="border_mode must be 'valid' or 'full'"):
        conv2d(x, w, border_mode="half")
    with pytest.raises(TypeError, match="input must be 2-d or 3-d"):
        conv2d(T.dvector("v"), w)
    verify_grad(lambda a, b: conv2d(a, b, border_mode="full"),
                [RNG.normal(size=(2, 4, 3)), RNG.normal(size=(2, 2))])
