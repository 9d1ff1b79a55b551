"""Models that train: ``grad`` and ``updates`` checked against backpropagation by hand.

Each model is compiled twice, with FAST_RUN and with ``Mode(optimizer=None)``
(no rewrites), and stepped in lockstep with a NumPy implementation whose
gradients are derived on paper (no symlab in the reference). Parameters
must agree after every step to 1e-10 in float64; then the model must
actually learn. The LeNet-style conv net is checked against finite
differences instead. All data come from fixed seeds.
"""

import warnings

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab import Mode
from symlab.gradient import verify_grad
from symlab.tensor.signal.pool import pool_2d

FAST_RUN = Mode(optimizer="fast_run")
NO_REWRITES = Mode(optimizer=None)
TOL = dict(rtol=1e-10, atol=1e-10)
LOCKSTEP_STEPS = 20


def assert_close(got, want, what, step):
    np.testing.assert_allclose(got, want, err_msg=f"{what} after step {step}", **TOL)


# ---------------------------------------------------------------- logistic regression

N_SAMPLES, N_FEATURES = 400, 784


def tutorial_data(weight_scale):
    """Theano's tutorial data set, and initial weights ``weight_scale * randn``."""
    rng = np.random.RandomState(1234)
    data = (rng.randn(N_SAMPLES, N_FEATURES), rng.randint(size=N_SAMPLES, low=0, high=2))
    return data, weight_scale * rng.randn(N_FEATURES)


def tutorial_logistic_regression(w_init, mode):
    """Theano's logistic-regression tutorial, line for line; returns (train, w, b)."""
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = theano.shared(w_init.copy(), name="w")
    b = theano.shared(0., name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = T.grad(cost, [w, b])
    train = theano.function(inputs=[x, y], outputs=[prediction, xent],
                            updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)), mode=mode)
    return train, w, b


def logistic_step_numpy(x, y, w, b, rate=0.1, l2=0.01):
    """One SGD step of the same model; returns (prediction, xent, new w, new b).

    With z = x w + b and p = sigmoid(z), d xent_i / d z_i = p_i - y_i, so
    d mean(xent) / d z = (p - y) / n; the penalty adds 2 * l2 * w to d cost / d w.
    """
    p = 1 / (1 + np.exp(-(x @ w + b)))
    xent = -y * np.log(p) - (1 - y) * np.log(1 - p)
    dz = (p - y) / len(y)
    grad_w = x.T @ dz + 2 * l2 * w
    grad_b = dz.sum()
    return p > 0.5, xent, w - rate * grad_w, b - rate * grad_b


def test_logistic_regression_matches_numpy_backprop_step_by_step_then_learns():
    # Initial weights 0.1 * randn keep |x w| below ~10, where the hand-written NumPy
    # reference (the naive formula) is itself finite; Theano's randn weights are
    # checked for finiteness below (symlab stabilizes the formula, NumPy's does not).
    (x_data, y_data), w_init = tutorial_data(weight_scale=0.1)
    train_fast, w_fast, b_fast = tutorial_logistic_regression(w_init, FAST_RUN)
    train_plain, w_plain, b_plain = tutorial_logistic_regression(w_init, NO_REWRITES)
    w_ref, b_ref = w_init.copy(), 0.0
    for step in range(1, LOCKSTEP_STEPS + 1):
        pred_ref, xent_ref, w_ref, b_ref = logistic_step_numpy(x_data, y_data, w_ref, b_ref)
        for train, w, b, label in ((train_fast, w_fast, b_fast, "FAST_RUN"),
                                   (train_plain, w_plain, b_plain, "no rewrites")):
            pred, xent = train(x_data, y_data)
            np.testing.assert_array_equal(pred, pred_ref,
                                          err_msg=f"{label} prediction, step {step}")
            assert_close(xent, xent_ref, f"{label} xent", step)
            assert_close(w.get_value(), w_ref, f"{label} w", step)
            assert_close(b.get_value(), b_ref, f"{label} b", step)
        assert_close(w_fast.get_value(), w_plain.get_value(), "FAST_RUN w vs no rewrites", step)
        assert_close(b_fast.get_value(), b_plain.get_value(), "FAST_RUN b vs no rewrites", step)
    assert {"fuse_elementwise", "inplace_elemwise"} <= set(train_fast.trace.rewrite_names())
    assert train_plain.trace.rewrite_names() == []

    for step in range(LOCKSTEP_STEPS + 1, 301):
        pred, _ = train_fast(x_data, y_data)
        pred_ref, _, w_ref, b_ref = logistic_step_numpy(x_data, y_data, w_ref, b_ref)
    assert_close(w_fast.get_value(), w_ref, "FAST_RUN w", 300)
    accuracy = np.mean(pred == y_data)
    assert accuracy > 0.95, f"training accuracy {accuracy:.3f} after 300 steps"


def test_logistic_regression_verbatim_tutorial_weights_stay_finite():
    (x_data, y_data), w_init = tutorial_data(weight_scale=1.0)
    train, w, b = tutorial_logistic_regression(w_init, FAST_RUN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, xent = train(x_data, y_data)
    assert np.all(np.isfinite(xent))
    assert np.all(np.isfinite(w.get_value())) and np.isfinite(b.get_value())


@pytest.mark.parametrize("expression, point, slope", [
    (lambda x: T.log(1 - T.nnet.sigmoid(x)), 40.0, -1.0),    # d/dx -softplus(x) = -sigmoid(x)
    (lambda x: T.log(T.nnet.sigmoid(x)), -800.0, 1.0),       # d/dx -softplus(-x) = sigmoid(-x)
], ids=["log1m_sigmoid", "log_sigmoid"])
def test_grad_of_log_sigmoid_is_finite_where_sigmoid_saturates(expression, point, slope):
    x = T.dvector("x")
    f = theano.function([x], T.grad(expression(x).sum(), x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = f(np.array([point]))
    np.testing.assert_allclose(got, [slope], rtol=1e-12)


# ---------------------------------------------------------------- two-layer MLP

def mlp_data():
    """150 points in 20 dimensions, labelled by a random linear teacher (3 classes)."""
    rng = np.random.RandomState(42)
    x = rng.randn(150, 20)
    y = np.argmax(x @ rng.randn(20, 3), axis=1).astype("int64")
    params = [0.3 * rng.randn(20, 16), np.zeros(16), 0.3 * rng.randn(16, 3), np.zeros(3)]
    return x, y, params


def mlp(params, mode, rate):
    """tanh hidden layer, softmax output, mean cross-entropy; returns (train, shared params)."""
    x = T.dmatrix("x")
    y = T.lvector("y")
    shared = [theano.shared(p.copy(), name=n) for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
    w1, b1, w2, b2 = shared
    hidden = T.tanh(T.dot(x, w1) + b1)
    probabilities = T.nnet.softmax(T.dot(hidden, w2) + b2)
    cost = T.nnet.categorical_crossentropy(probabilities, y).mean()
    grads = T.grad(cost, shared)
    train = theano.function([x, y], [cost, T.argmax(probabilities, axis=1)],
                            updates=[(p, p - rate * g) for p, g in zip(shared, grads)], mode=mode)
    return train, shared


def mlp_step_numpy(x, y, params, rate):
    """One SGD step of the same MLP; returns (cost, predicted classes, new params).

    For softmax + cross-entropy, d loss_i / d logits_i = p_i - onehot(y_i);
    through tanh, d h = d pre * (1 - h ** 2).
    """
    w1, b1, w2, b2 = params
    hidden = np.tanh(x @ w1 + b1)
    logits = hidden @ w2 + b2
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = shifted / shifted.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    cost = -np.log(p[rows, y]).mean()
    d_logits = p.copy()
    d_logits[rows, y] -= 1
    d_logits /= len(y)
    d_pre = (d_logits @ w2.T) * (1 - hidden ** 2)
    grads = [x.T @ d_pre, d_pre.sum(axis=0), hidden.T @ d_logits, d_logits.sum(axis=0)]
    return cost, p.argmax(axis=1), [v - rate * g for v, g in zip(params, grads)]


def test_mlp_matches_numpy_backprop_step_by_step_then_converges():
    x_data, y_data, params = mlp_data()
    rate = 0.5
    train_fast, shared_fast = mlp(params, FAST_RUN, rate)
    train_plain, shared_plain = mlp(params, NO_REWRITES, rate)
    reference = [p.copy() for p in params]
    first_cost = None
    for step in range(1, LOCKSTEP_STEPS + 1):
        cost_ref, pred_ref, reference = mlp_step_numpy(x_data, y_data, reference, rate)
        first_cost = cost_ref if first_cost is None else first_cost
        for train, shared, label in ((train_fast, shared_fast, "FAST_RUN"),
                                     (train_plain, shared_plain, "no rewrites")):
            cost, pred = train(x_data, y_data)
            assert_close(cost, cost_ref, f"{label} cost", step)
            np.testing.assert_array_equal(pred, pred_ref, err_msg=f"{label} argmax, step {step}")
            for var, want in zip(shared, reference):
                assert_close(var.get_value(), want, f"{label} {var.name}", step)
        for fast, plain in zip(shared_fast, shared_plain):
            assert_close(fast.get_value(), plain.get_value(),
                         f"{fast.name} FAST_RUN vs no rewrites", step)
    assert "crossentropy_softmax" in train_fast.trace.rewrite_names()

    for step in range(LOCKSTEP_STEPS + 1, 401):
        cost, pred = train_fast(x_data, y_data)
    assert cost < 0.1 * first_cost, f"cost {first_cost:.4f} -> {cost:.4f} after 400 steps"
    accuracy = np.mean(pred == y_data)
    assert accuracy > 0.95, f"training accuracy {accuracy:.3f} after 400 steps"


# ---------------------------------------------------------------- LeNet-style conv net

def lenet_data():
    rng = np.random.RandomState(7)
    images = rng.randn(2, 1, 6, 6)
    labels = np.array([0, 2], dtype="int64")
    params = [0.5 * rng.randn(2, 1, 3, 3), 0.1 * rng.randn(2),
              0.5 * rng.randn(8, 3), 0.1 * rng.randn(3)]
    return images, labels, params


def lenet_cost(images, labels, filters, conv_bias, w_out, b_out):
    """conv2d -> tanh -> 2x2 max pool -> flatten -> dot -> softmax -> mean cross-entropy."""
    conv = T.nnet.conv2d(images, filters, filter_shape=(2, 1, 3, 3))   # (2, 2, 4, 4)
    hidden = T.tanh(conv + conv_bias.dimshuffle("x", 0, "x", "x"))
    pooled = pool_2d(hidden, ws=(2, 2), ignore_border=True, mode="max")  # (2, 2, 2, 2)
    probabilities = T.nnet.softmax(T.dot(pooled.flatten(2), w_out) + b_out)
    return T.nnet.categorical_crossentropy(probabilities, labels).mean()


def test_lenet_gradient_passes_verify_grad():
    images, labels, params = lenet_data()
    verify_grad(lambda *p: lenet_cost(images, labels, *p), params,
                rng=np.random.default_rng(0))


def test_lenet_compiled_gradient_matches_central_differences():
    """The FAST_RUN gradient graph (rewritten, fused) against finite differences of the cost."""
    images, labels, params = lenet_data()
    x = T.dtensor4("x")
    y = T.lvector("y")
    symbols = [T.dtensor4("filters"), T.dvector("conv_bias"), T.dmatrix("w_out"),
               T.dvector("b_out")]
    cost = lenet_cost(x, y, *symbols)
    cost_fn = theano.function([x, y] + symbols, cost, mode=FAST_RUN)
    grad_fn = theano.function([x, y] + symbols, T.grad(cost, [x] + symbols), mode=FAST_RUN)
    analytic = grad_fn(images, labels, *params)
    step = 1e-6
    points = [images] + params
    for k, point in enumerate(points):
        numeric = np.zeros_like(point)
        for index in np.ndindex(point.shape):
            shifted = [p.copy() for p in points]
            shifted[k][index] += step
            up = cost_fn(shifted[0], labels, *shifted[1:])
            shifted[k][index] -= 2 * step
            down = cost_fn(shifted[0], labels, *shifted[1:])
            numeric[index] = (up - down) / (2 * step)
        np.testing.assert_allclose(analytic[k], numeric, rtol=1e-6, atol=1e-8,
                                   err_msg=f"gradient of input {k}")
