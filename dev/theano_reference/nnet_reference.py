"""Record Theano 1.0.5's values for the ``T.nnet`` extras symlab checks against.

Run with the oracle interpreter (not part of the test command):

    THEANO_FLAGS=base_compiledir=/tmp/theano-compile-nnet \\
        /work/theano-oracle/bin/python dev/theano_reference/nnet_reference.py

Writes ``tests/tensor/data/nnet_theano.json``: for each case its inputs (drawn
here from seeded NumPy generators), the result dtypes and the values Theano
computed. Read by tests/tensor/test_nnet_theano_values.py.
"""

import json
import os

import numpy as np
import theano
import theano.tensor as T
from theano.tensor.nnet import bn, conv3d2d
from theano.tensor.nnet.neighbours import images2neibs, neibs2images

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "tensor", "data",
                   "nnet_theano.json")
cases = {}


def listed(a):
    return np.asarray(a).tolist()


def activations():
    grid = np.array([-8, -6.1, -6, -5.9, -3.41, -3.4, -3.2, -1, -0.1, 0, 0.1, 1, 2.5, 3.39, 3.4,
                     3.41, 5.9, 6, 6.1, 8])
    for dtype in ("float32", "float64"):
        x = T.vector(dtype=dtype)
        for name in ("ultra_fast_sigmoid", "hard_sigmoid", "softsign", "elu", "selu"):
            out = getattr(T.nnet, name)(x)
            value = theano.function([x], out)(grid.astype(dtype))
            cases[f"{name}_{dtype}"] = {"x": listed(grid.astype(dtype)), "dtype": out.dtype,
                                        "out": listed(value)}


def neighbours():
    image = np.random.RandomState(1).randint(-9, 10, size=(2, 2, 5, 6)).astype("float64")
    x = T.dtensor4()
    settings = [("valid", (3, 3), (1, 1)), ("valid", (5, 2), (1, 2)),
                ("ignore_borders", (2, 2), None), ("ignore_borders", (2, 4), (2, 1)),
                ("wrap_centered", (3, 3), (1, 1)), ("wrap_centered", (3, 5), (2, 2)),
                ("half", (3, 3), (1, 1)), ("half", (2, 3), (1, 1)),
                ("full", (2, 2), (1, 1)), ("full", (3, 2), (1, 1))]
    for mode, shape, step in settings:
        out = images2neibs(x, shape, step, mode=mode)
        entry = {"mode": mode, "neib_shape": shape, "neib_step": step, "x": listed(image),
                 "out": listed(theano.function([x], out)(image))}
        if mode == "valid" or (mode == "ignore_borders" and step is None):
            weights = np.random.RandomState(2).randn(*entry_shape(entry))
            gx = theano.grad((out * weights).sum(), x)
            entry["weights"] = listed(weights)
            entry["grad"] = listed(theano.function([x], gx)(image))
        cases[f"images2neibs_{mode}_{shape}_{step}"] = entry
    for mode in ("valid", "ignore_borders"):
        shape = (5, 3) if mode == "valid" else (2, 4)
        neibs = T.dmatrix()
        back = neibs2images(neibs, shape, image.shape, mode=mode)
        patches = theano.function([x], images2neibs(x, shape, mode=mode))(image)
        cases[f"neibs2images_{mode}"] = {"neib_shape": shape, "shape": image.shape,
                                         "neibs": listed(patches),
                                         "out": listed(theano.function([neibs], back)(patches))}


def entry_shape(entry):
    return np.shape(entry["out"])


def convolutions():
    rng = np.random.RandomState(3)
    signals = rng.randn(2, 5, 2, 4, 5)      # (batch, time, channels, rows, columns)
    for tf in (1, 2, 3):
        filters = rng.randn(3, tf, 2, 2, 3)  # (out channels, time, channels, rows, columns)
        s, f = T.TensorType("float64", (False,) * 5)(), T.TensorType("float64", (False,) * 5)()
        for mode in ("valid", "full", "half"):
            out = conv3d2d.conv3d(s, f, signals.shape, filters.shape, border_mode=mode)
            cases[f"conv3d2d_{tf}_{mode}"] = {
                "signals": listed(signals), "filters": listed(filters), "border_mode": mode,
                "out": listed(theano.function([s, f], out)(signals, filters))}
    x = rng.randn(2, 2, 5, 4, 6)             # (batch, channels, depth, rows, columns)
    w = rng.randn(3, 2, 3, 2, 3)
    xs, ws = T.TensorType("float64", (False,) * 5)(), T.TensorType("float64", (False,) * 5)()
    options = [dict(), dict(border_mode="full"), dict(border_mode="half"),
               dict(border_mode=(1, 0, 2), subsample=(2, 1, 2)),
               dict(filter_flip=False, filter_dilation=(2, 1, 1)),
               dict(border_mode=1, subsample=(1, 2, 1), filter_dilation=(1, 1, 2))]
    for i, opts in enumerate(options):
        out = T.nnet.conv3d(xs, ws, **opts)
        cases[f"conv3d_{i}"] = {"x": listed(x), "w": listed(w),
                                "options": {k: v for k, v in opts.items()},
                                "out": listed(theano.function([xs, ws], out)(x, w))}
    top = rng.randn(2, 3, 3, 4)
    w2 = rng.randn(3, 2, 3, 2)
    for i, (shape, opts) in enumerate([((2, 2, 5, 5), dict()),
                                       ((2, 2, 7, 8), dict(input_dilation=(2, 2))),
                                       ((2, 2, 6, 7), dict(input_dilation=(2, 2),
                                                           border_mode=1)),
                                       ((2, 2, 3, 3), dict(border_mode="half",
                                                           filter_flip=False))]):
        t4, f4 = T.dtensor4(), T.dtensor4()
        out = T.nnet.conv2d_transpose(t4, f4, shape, **opts)
        cases[f"conv2d_transpose_{i}"] = {"x": listed(top), "w": listed(w2),
                                          "output_shape": shape, "options": opts,
                                          "out": listed(theano.function([t4, f4], out)(top,
                                                                                        w2))}


def h_softmax_case():
    rng = np.random.RandomState(4)
    batch, dim, n_classes, per_class, n_outputs = 3, 4, 3, 3, 8
    values = dict(x=rng.randn(batch, dim), W1=rng.randn(dim, n_classes),
                  b1=rng.randn(n_classes), W2=rng.randn(n_classes, dim, per_class),
                  b2=rng.randn(n_classes, per_class), target=np.array([7, 0, 4], "int32"))
    x, W1, b1 = T.dmatrix(), T.dmatrix(), T.dvector()
    W2, b2, target = T.dtensor3(), T.dmatrix(), T.ivector()
    full = T.nnet.h_softmax(x, batch, n_outputs, n_classes, per_class, W1, b1, W2, b2)
    picked = T.nnet.h_softmax(x, batch, n_outputs, n_classes, per_class, W1, b1, W2, b2,
                              target)
    f = theano.function([x, W1, b1, W2, b2, target], [full, picked], on_unused_input="ignore")
    out_full, out_picked = f(*[values[k] for k in ("x", "W1", "b1", "W2", "b2", "target")])
    cases["h_softmax"] = {"sizes": [batch, n_outputs, n_classes, per_class],
                          **{k: listed(v) for k, v in values.items()},
                          "full": listed(out_full), "picked": listed(out_picked),
                          "picked_ndim": int(picked.ndim)}


def batch_norm():
    rng = np.random.RandomState(5)
    x = rng.randn(4, 3, 2, 2)
    xs = T.dtensor4()
    for axes, pshape in (("per-activation", (3, 2, 2)), ("spatial", (3,)), ((0, 3), (3, 2))):
        gamma, beta = rng.rand(*pshape) + 0.5, rng.randn(*pshape)
        rmean, rvar = rng.randn(*pshape), rng.rand(*pshape) + 0.5
        p = [T.TensorType("float64", (False,) * len(pshape))() for _ in range(4)]
        outs = bn.batch_normalization_train(xs, p[0], p[1], axes, 1e-3, 0.3, p[2], p[3])
        got = theano.function([xs] + p, list(outs))(x, gamma, beta, rmean, rvar)
        test = bn.batch_normalization_test(xs, p[0], p[1], p[2], p[3], axes, 1e-3)
        got_test = theano.function([xs] + p, test)(x, gamma, beta, rmean, rvar)
        cases[f"bn_{axes}"] = {"axes": axes, "x": listed(x), "gamma": listed(gamma),
                               "beta": listed(beta), "running_mean": listed(rmean),
                               "running_var": listed(rvar),
                               "train": [listed(g) for g in got], "test": listed(got_test)}


activations()
neighbours()
convolutions()
h_softmax_case()
batch_norm()
with open(OUT, "w") as handle:
    json.dump(cases, handle)
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")
