"""T.nnet.neighbours: images2neibs against a loop over Theano's documented layout in every
mode, neibs2images as its inverse, errors, and gradients by central differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symlab as theano
import symlab.tensor as T
from symlab.gradient import verify_grad
from symlab.tensor.nnet import images2neibs as exported
from symlab.tensor.nnet.neighbours import images2neibs, neibs2images

RNG = np.random.default_rng(11)


def pixel(image, mode, r, c):
    """The value a patch reads at (r, c) of one image: wrapped, zero outside, or exact."""
    height, width = image.shape
    if mode == "wrap_centered":
        return image[r % height, c % width]
    if 0 <= r < height and 0 <= c < width:
        return image[r, c]
    return 0.0


def reference(ten4, neib, step, mode):
    """One row per (image, channel, patch row, patch column), entries row by row."""
    (c, d), (sx, sy) = neib, step
    height, width = ten4.shape[2:]
    shift = {"valid": (0, 0), "ignore_borders": (0, 0), "wrap_centered": (c // 2, d // 2),
             "half": (c // 2, d // 2), "full": (c - 1, d - 1)}[mode]
    if mode == "wrap_centered":
        grid = (-(-height // sx), -(-width // sy))
    else:
        padded = (height + 2 * shift[0], width + 2 * shift[1])
        grid = ((padded[0] - c) // sx + 1, (padded[1] - d) // sy + 1)
    rows = []
    for n in range(ten4.shape[0]):
        for s in range(ten4.shape[1]):
            for a in range(grid[0]):
                for b in range(grid[1]):
                    rows.append([pixel(ten4[n, s], mode, a * sx + i - shift[0],
                                       b * sy + j - shift[1])
                                 for i in range(c) for j in range(d)])
    return np.array(rows).reshape(-1, c * d)


SETTINGS = [("valid", (2, 3), (2, 3), (1, 2, 6, 9)), ("valid", (3, 2), (1, 1), (2, 1, 5, 4)),
            ("valid", (4, 3), (2, 3), (1, 2, 6, 6)),
            ("ignore_borders", (2, 2), (2, 2), (2, 1, 5, 7)),
            ("ignore_borders", (3, 2), (2, 3), (1, 2, 8, 6)),
            ("wrap_centered", (3, 3), (1, 1), (1, 2, 4, 5)),
            ("wrap_centered", (5, 3), (2, 3), (2, 1, 6, 7)),
            ("half", (3, 3), (1, 1), (1, 2, 4, 5)), ("half", (2, 4), (2, 1), (1, 1, 6, 5)),
            ("full", (2, 2), (1, 1), (2, 1, 3, 4)), ("full", (3, 2), (2, 3), (1, 1, 5, 6))]


@pytest.mark.parametrize("mode, neib, step, shape", SETTINGS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_images2neibs_against_loops(mode, neib, step, shape, dtype):
    image = RNG.integers(-50, 50, size=shape).astype(dtype)
    x = T.tensor4(dtype=dtype)
    out = images2neibs(x, neib, step, mode=mode)
    assert out.type.dtype == dtype and out.type.shape == (None, neib[0] * neib[1])
    got = theano.function([x], out)(image)
    np.testing.assert_array_equal(got, reference(image, neib, step, mode))


def test_documented_example():
    images = T.tensor4("images")
    neibs = images2neibs(images, neib_shape=(5, 5))
    value = np.arange(100.0).reshape((1, 1, 10, 10))
    got = theano.function([images], neibs)(value)
    assert got.shape == (4, 25)
    np.testing.assert_array_equal(got[1], value[0, 0, :5, 5:].ravel())
    back = theano.function([images], neibs2images(neibs, (5, 5), images.shape))(value)
    np.testing.assert_array_equal(back, value)
    assert exported is images2neibs


def test_symbolic_neib_shape_and_step():
    x, shape, step = T.dtensor4("x"), T.ivector("shape"), T.ivector("step")
    f = theano.function([x, shape, step], images2neibs(x, shape, step))
    image = RNG.normal(size=(1, 1, 5, 5))
    got = f(image, np.array([3, 3], "int32"), np.array([1, 2], "int32"))
    np.testing.assert_array_equal(got, reference(image, (3, 3), (1, 2), "valid"))


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 4), st.integers(1, 4))
def test_neibs2images_inverts_disjoint_patches(c, d, grid_rows, grid_cols, extra_r, extra_c):
    # 'valid' needs exact fits; 'ignore_borders' drops the extra rows/columns (zeros back)
    x = T.dtensor4("x")
    exact = (2, 1, c * grid_rows, d * grid_cols)
    image = RNG.normal(size=exact)
    back = neibs2images(images2neibs(x, (c, d)), (c, d), x.shape)
    np.testing.assert_array_equal(theano.function([x], back)(image), image)
    ragged = RNG.normal(size=(1, 2, c * grid_rows + extra_r % c, d * grid_cols + extra_c % d))
    back = neibs2images(images2neibs(x, (c, d), mode="ignore_borders"), (c, d), x.shape,
                        mode="ignore_borders")
    want = np.zeros_like(ragged)
    want[:, :, :c * grid_rows, :d * grid_cols] = ragged[:, :, :c * grid_rows, :d * grid_cols]
    np.testing.assert_array_equal(theano.function([x], back)(ragged), want)


def test_errors_name_the_problem():
    x = T.dtensor4("x")
    f = theano.function([x], images2neibs(x, (2, 2), (2, 2)))
    with pytest.raises(ValueError, match=r"in mode 'valid' the rows do not fit: 5 rows"):
        f(np.zeros((1, 1, 5, 4)))
    g = theano.function([x], images2neibs(x, (2, 3), mode="wrap_centered"))
    with pytest.raises(ValueError, match="'wrap_centered' needs odd patch sides; got 2 rows"):
        g(np.zeros((1, 1, 5, 5)))
    h = theano.function([x], images2neibs(x, (3, 3), mode="wrap_centered"))
    with pytest.raises(ValueError, match="at least as large as the patch; got 2 rows"):
        h(np.zeros((1, 1, 2, 5)))
    with pytest.raises(ValueError, match="mode must be one of 'valid'"):
        images2neibs(x, (2, 2), mode="same")
    with pytest.raises(ValueError, match="mode must be one of 'valid', 'ignore_borders'; got "
                                         "'half'"):
        neibs2images(T.dmatrix(), (2, 2), (1, 1, 4, 4), mode="half")
    with pytest.raises(TypeError, match="ten4 must be a 4-d tensor"):
        images2neibs(T.dmatrix("m"), (2, 2))
    with pytest.raises(TypeError, match="neib_shape must be 2 ints"):
        images2neibs(x, (2, 2, 2))
    n = T.dmatrix("n")
    k = theano.function([n], neibs2images(n, (2, 2), (1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"n has shape \(3, 4\), but patches"):
        k(np.zeros((3, 4)))


@pytest.mark.parametrize("mode, neib, step, shape", SETTINGS)
def test_images2neibs_gradient_by_central_differences(mode, neib, step, shape):
    verify_grad(lambda v: images2neibs(v, neib, step, mode=mode), [RNG.normal(size=shape)])


@pytest.mark.parametrize("mode", ["valid", "ignore_borders"])
def test_neibs2images_gradient_by_central_differences(mode):
    shape = (1, 2, 4, 6) if mode == "valid" else (1, 2, 5, 7)
    patches = RNG.normal(size=(2 * 2 * 3, 4))
    verify_grad(lambda n: neibs2images(n, (2, 2), shape, mode=mode), [patches])
