"""T.nnet.bn: batch normalization against NumPy written out by hand, in float32 and
float64, every axes form, running averages, errors and gradients by central differences."""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.gradient import verify_grad
from symlab.tensor.nnet import bn
from symlab.tensor.type import TensorType

RNG = np.random.default_rng(7)


def tensor(ndim, dtype="float64", name=None):
    return TensorType(dtype, (None,) * ndim)(name)


def reference_train(x, gamma, beta, axes, eps, factor, rmean, rvar):
    """The formulas of Theano's docstring in NumPy, parameters laid out like x."""
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    out = (x - mean) * gamma / np.sqrt(var + eps) + beta
    count = np.prod([x.shape[a] for a in axes])
    new_mean = rmean * (1 - factor) + mean * factor
    new_var = rvar * (1 - factor) + count / (count - 1) * var * factor
    return out, mean, 1 / np.sqrt(var + eps), new_mean, new_var


AXES = [("per-activation", (0,)), ("spatial", (0, 2, 3)), ((0, 3), (0, 3)), ((1,), (1,))]


def _params(shape, kept):
    pshape = tuple(shape[a] for a in kept)
    return (RNG.uniform(0.5, 1.5, pshape), RNG.normal(size=pshape), RNG.normal(size=pshape),
            RNG.uniform(0.5, 1.5, pshape))


def _full(value, shape, axes):
    """A parameter laid out like the inputs (size 1 on the normalized axes)."""
    kept = [a for a in range(len(shape)) if a not in axes]
    full = np.reshape(value, [shape[a] if a in kept else 1 for a in range(len(shape))])
    return full


@pytest.mark.parametrize("axes, resolved", AXES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["kept", "full"])
def test_train_against_numpy(axes, resolved, dtype, layout):
    shape = (5, 3, 2, 4)
    kept = [a for a in range(4) if a not in resolved]
    x = RNG.normal(size=shape).astype(dtype)
    params = [p.astype(dtype) for p in _params(shape, kept)]
    if layout == "full":
        params = [_full(p, shape, resolved) for p in params]
    symbols = [tensor(p.ndim, dtype) for p in params]
    xs = tensor(4, dtype)
    outs = bn.batch_normalization_train(xs, symbols[0], symbols[1], axes, 1e-3, 0.2,
                                        symbols[2], symbols[3])
    assert [o.type.dtype for o in outs] == [dtype] * 5
    got = theano.function([xs] + symbols, list(outs))(x, *params)
    full = [_full(p, shape, resolved) if layout == "kept" else p for p in params]
    want = reference_train(x.astype("float64"), *[f.astype("float64") for f in full[:2]],
                           resolved, 1e-3, 0.2, *[f.astype("float64") for f in full[2:]])
    tol = 2e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got[0], want[0], rtol=tol, atol=tol)
    for g, w in zip(got[1:], want[1:]):
        expected_shape = params[0].shape
        assert g.shape == expected_shape
        np.testing.assert_allclose(g, np.reshape(w, expected_shape), rtol=tol, atol=tol)


def test_train_without_running_averages_returns_three():
    x, g, b = tensor(2), tensor(1), tensor(1)
    outs = bn.batch_normalization_train(x, g, b)
    assert len(outs) == 3
    value = RNG.normal(size=(6, 3))
    out = theano.function([x, g, b], outs[0])(value, np.ones(3), np.zeros(3))
    np.testing.assert_allclose(out, (value - value.mean(0)) / np.sqrt(value.var(0) + 1e-4),
                               rtol=1e-12)


@pytest.mark.parametrize("axes, resolved", AXES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_test_mode_against_numpy(axes, resolved, dtype):
    shape = (4, 3, 2, 3)
    kept = [a for a in range(4) if a not in resolved]
    x = RNG.normal(size=shape).astype(dtype)
    gamma, beta, mean, var = [p.astype(dtype) for p in _params(shape, kept)]
    xs, symbols = tensor(4, dtype), [tensor(len(kept), dtype) for _ in range(4)]
    out = bn.batch_normalization_test(xs, *symbols, axes=axes, epsilon=1e-3)
    assert out.type.dtype == dtype
    got = theano.function([xs] + symbols, out)(x, gamma, beta, mean, var)
    g, b, m, v = (_full(p, shape, resolved).astype("float64") for p in (gamma, beta, mean, var))
    want = (x - m) * g / np.sqrt(v + 1e-3) + b
    tol = 2e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", ["low_mem", "high_mem"])
def test_old_form(mode):
    x, g, b, m, s = tensor(2), T.drow(), T.drow(), T.drow(), T.drow()
    values = [RNG.normal(size=(4, 3))] + [RNG.uniform(0.5, 2, (1, 3)) for _ in range(4)]
    got = theano.function([x, g, b, m, s], bn.batch_normalization(x, g, b, m, s, mode))(*values)
    xv, gv, bv, mv, sv = values
    np.testing.assert_allclose(got, (xv - mv) * (gv / sv) + bv, rtol=1e-14)


def test_errors_name_what_was_expected():
    x, v1, v2 = tensor(4, name="x"), tensor(1, name="g"), tensor(2, name="b")
    with pytest.raises(ValueError, match="axes must be 'per-activation', 'spatial'"):
        bn.batch_normalization_train(x, v1, v1, axes="channels")
    with pytest.raises(ValueError, match=r"axes must lie in 0..3"):
        bn.batch_normalization_train(x, v1, v1, axes=(0, 4))
    with pytest.raises(ValueError, match="beta b of type .* has 2 dimensions; expected 1"):
        bn.batch_normalization_train(x, v1, v2, axes="spatial")
    with pytest.raises(ValueError, match="epsilon must be a number >= 1e-05"):
        bn.batch_normalization_train(x, v1, v1, axes="spatial", epsilon=1e-6)
    with pytest.raises(ValueError, match="both running_mean and running_var"):
        bn.batch_normalization_train(x, v1, v1, axes="spatial", running_mean=v1)
    with pytest.raises(ValueError, match="mode must be 'low_mem' or 'high_mem'"):
        bn.batch_normalization(x, v1, v1, v1, v1, mode="fast")


def test_full_layout_parameters_must_have_size_one_on_normalized_axes():
    x, g, b = tensor(2), tensor(2), tensor(2)
    out = bn.batch_normalization_train(x, g, b)[0]
    f = theano.function([x, g, b], out)
    with pytest.raises(ValueError, match=r"cannot reshape .* \(runtime shape \(4, 3\)\) into "
                                         r"\(1, 3\)"):
        f(np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 3)))
    out = f(np.arange(12.0).reshape(4, 3), np.ones((1, 3)), np.zeros((1, 3)))
    np.testing.assert_allclose(out[:, 0], (np.arange(4) - 1.5) * 3 / np.sqrt(11.25 + 1e-4))


@pytest.mark.parametrize("axes", ["per-activation", "spatial", (0, 3)])
def test_train_gradients_by_central_differences(axes):
    x = RNG.normal(size=(4, 2, 3, 2))
    resolved = {"per-activation": (0,), "spatial": (0, 2, 3)}.get(axes, axes)
    kept = [a for a in range(4) if a not in resolved]
    gamma, beta, rmean, rvar = _params(x.shape, kept)

    def outputs(xs, g, b, rm, rv):
        out, mean, invstd, new_mean, new_var = bn.batch_normalization_train(
            xs, g, b, axes, 1e-3, 0.3, rm, rv)
        return (out.sum() * 0.7 + (out ** 2).sum() + (mean * invstd).sum()
                + (new_mean * new_var).sum())

    verify_grad(outputs, [x, gamma, beta, rmean, rvar])


def test_test_mode_gradients_by_central_differences():
    x = RNG.normal(size=(3, 2, 2, 2))
    params = _params(x.shape, [1])
    verify_grad(lambda *v: bn.batch_normalization_test(*v, axes="spatial", epsilon=1e-3),
                [x, *params])
