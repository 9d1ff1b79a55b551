"""T.nnet's extras against Theano 1.0.5's own numbers.

The values in data/nnet_theano.json were recorded by
dev/theano_reference/nnet_reference.py running real Theano 1.0.5 (inputs drawn
there from seeded generators); this test never needs Theano.
"""

import json
import pathlib

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.tensor.nnet import bn, conv3d2d
from symlab.tensor.nnet.neighbours import images2neibs, neibs2images

CASES = json.loads((pathlib.Path(__file__).parent / "data" / "nnet_theano.json").read_text())


def _named(prefix):
    return sorted(name for name in CASES if name.startswith(prefix))


def _tensor(ndim, dtype="float64"):
    return T.TensorType(dtype, (None,) * ndim)()


@pytest.mark.parametrize("name", _named("ultra_fast_sigmoid") + _named("hard_sigmoid")
                         + _named("softsign") + _named("elu") + _named("selu"))
def test_activation_matches_theano(name):
    case = CASES[name]
    function, dtype = name.rsplit("_", 1)
    x = T.vector(dtype=dtype)
    out = getattr(T.nnet, function)(x)
    assert out.type.dtype == case["dtype"]
    got = theano.function([x], out)(np.asarray(case["x"], dtype=dtype))
    rtol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(got, case["out"], rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", _named("images2neibs"))
def test_images2neibs_matches_theano(name):
    case = CASES[name]
    x = T.dtensor4()
    step = None if case["neib_step"] is None else tuple(case["neib_step"])
    out = images2neibs(x, tuple(case["neib_shape"]), step, mode=case["mode"])
    image = np.asarray(case["x"])
    np.testing.assert_array_equal(theano.function([x], out)(image), case["out"])
    if "grad" in case:
        gx = theano.grad((out * np.asarray(case["weights"])).sum(), x)
        np.testing.assert_allclose(theano.function([x], gx)(image), case["grad"], rtol=1e-12)


@pytest.mark.parametrize("mode", ["valid", "ignore_borders"])
def test_neibs2images_matches_theano(mode):
    case = CASES[f"neibs2images_{mode}"]
    neibs = T.dmatrix()
    out = neibs2images(neibs, tuple(case["neib_shape"]), tuple(case["shape"]), mode=mode)
    got = theano.function([neibs], out)(np.asarray(case["neibs"]))
    np.testing.assert_array_equal(got, case["out"])


@pytest.mark.parametrize("name", _named("conv3d2d"))
def test_conv3d2d_matches_theano(name):
    case = CASES[name]
    signals, filters = np.asarray(case["signals"]), np.asarray(case["filters"])
    s, f = _tensor(5), _tensor(5)
    out = conv3d2d.conv3d(s, f, signals.shape, filters.shape, border_mode=case["border_mode"])
    np.testing.assert_allclose(theano.function([s, f], out)(signals, filters), case["out"],
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", _named("conv3d_"))
def test_conv3d_matches_theano(name):
    case = CASES[name]
    x, w = np.asarray(case["x"]), np.asarray(case["w"])
    xs, ws = _tensor(5), T.TensorType("float64", (None, None, w.shape[2], None, None))()
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in case["options"].items()}
    out = T.nnet.conv3d(xs, ws, **options)
    np.testing.assert_allclose(theano.function([xs, ws], out)(x, w), case["out"], rtol=1e-10,
                               atol=1e-12)


@pytest.mark.parametrize("name", _named("conv2d_transpose"))
def test_conv2d_transpose_matches_theano(name):
    case = CASES[name]
    t, f = T.dtensor4(), T.dtensor4()
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in case["options"].items()}
    out = T.nnet.conv2d_transpose(t, f, tuple(case["output_shape"]), **options)
    got = theano.function([t, f], out)(np.asarray(case["x"]), np.asarray(case["w"]))
    np.testing.assert_allclose(got, case["out"], rtol=1e-10, atol=1e-12)


def test_h_softmax_matches_theano():
    case = CASES["h_softmax"]
    batch, n_outputs, n_classes, per_class = case["sizes"]
    x, W1, b1 = T.dmatrix(), T.dmatrix(), T.dvector()
    W2, b2, target = T.dtensor3(), T.dmatrix(), T.ivector()
    full = T.nnet.h_softmax(x, batch, n_outputs, n_classes, per_class, W1, b1, W2, b2)
    picked = T.nnet.h_softmax(x, batch, n_outputs, n_classes, per_class, W1, b1, W2, b2,
                              target)
    assert picked.type.ndim == case["picked_ndim"]
    f = theano.function([x, W1, b1, W2, b2, target], [full, picked])
    values = [np.asarray(case[k]) for k in ("x", "W1", "b1", "W2", "b2")]
    got_full, got_picked = f(*values, np.asarray(case["target"], dtype="int32"))
    np.testing.assert_allclose(got_full, case["full"], rtol=1e-12)
    np.testing.assert_allclose(got_picked, case["picked"], rtol=1e-12)


@pytest.mark.parametrize("name", _named("bn_"))
def test_batch_normalization_matches_theano(name):
    case = CASES[name]
    axes = case["axes"] if isinstance(case["axes"], str) else tuple(case["axes"])
    values = [np.asarray(case[k]) for k in ("gamma", "beta", "running_mean", "running_var")]
    x = T.dtensor4()
    params = [_tensor(v.ndim) for v in values]
    outs = bn.batch_normalization_train(x, *params[:2], axes, 1e-3, 0.3, *params[2:])
    got = theano.function([x] + params, list(outs))(np.asarray(case["x"]), *values)
    for g, want in zip(got, case["train"]):
        np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-14)
    test = bn.batch_normalization_test(x, *params, axes, 1e-3)
    got_test = theano.function([x] + params, test)(np.asarray(case["x"]), *values)
    np.testing.assert_allclose(got_test, case["test"], rtol=1e-12, atol=1e-14)
