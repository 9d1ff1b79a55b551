"""An LSTM sentence classifier in the style of Theano's LSTM tutorial.

Word embeddings of a (time, batch, dim) tensor are projected with ``T.dot``
of a 3-d tensor and a matrix (Theano's tensordot semantics), the LSTM runs
in ``scan`` over time with a mask for padded steps, its mean hidden state is
dropped out with a binomial mask of the state's shape behind a ``T.switch``
on a shared ``use_noise`` flag, and a softmax classifies. Checked: the forward
pass against a NumPy LSTM written here, every gradient against central
differences with the dropout mask held fixed, and training on a task the
model can only solve by reading the sequence.
"""

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T
from symlab.tensor.shared_randomstreams import RandomStreams

from numeric_gradient import central_difference

N_WORDS, DIM, N_CLASSES = 10, 5, 2


def sigmoid_np(z):
    return 1.0 / (1.0 + np.exp(-z))


def init_params(seed):
    rng = np.random.RandomState(seed)
    values = {"Wemb": 0.5 * rng.randn(N_WORDS, DIM), "W": 0.3 * rng.randn(DIM, 4 * DIM),
              "U": 0.3 * rng.randn(DIM, 4 * DIM), "b": np.zeros(4 * DIM),
              "U_out": 0.3 * rng.randn(DIM, N_CLASSES), "b_out": np.zeros(N_CLASSES)}
    return {name: theano.shared(value, name=name) for name, value in values.items()}


def build_model(params, seed=3):
    """Return (x, mask, y, use_noise, probabilities, cost) as the tutorial builds them."""
    trng = RandomStreams(seed)
    use_noise = theano.shared(np.float64(0.0), name="use_noise")
    x, mask, y = T.lmatrix("x"), T.dmatrix("mask"), T.lvector("y")
    n_steps, n_samples = x.shape[0], x.shape[1]
    emb = params["Wemb"][x.flatten()].reshape([n_steps, n_samples, DIM])
    state_below = T.dot(emb, params["W"]) + params["b"]   # 3-d tensor . matrix

    def _slice(m, k):
        return m[:, k * DIM:(k + 1) * DIM]

    def _step(m_, x_, h_, c_):
        preact = T.dot(h_, params["U"]) + x_
        i, f = T.nnet.sigmoid(_slice(preact, 0)), T.nnet.sigmoid(_slice(preact, 1))
        o, c = T.nnet.sigmoid(_slice(preact, 2)), T.tanh(_slice(preact, 3))
        c = f * c_ + i * c
        c = m_[:, None] * c + (1.0 - m_)[:, None] * c_
        h = o * T.tanh(c)
        h = m_[:, None] * h + (1.0 - m_)[:, None] * h_
        return h, c

    zeros = T.alloc(np.float64(0.0), n_samples, DIM)
    (hs, _), _ = theano.scan(_step, sequences=[mask, state_below], outputs_info=[zeros, zeros])
    proj = (hs * mask[:, :, None]).sum(axis=0) / mask.sum(axis=0)[:, None]
    dropped = T.switch(use_noise,
                       proj * trng.binomial(proj.shape, p=0.5, n=1, dtype=proj.dtype),
                       proj * 0.5)
    pred = T.nnet.softmax(T.dot(dropped, params["U_out"]) + params["b_out"])
    cost = -T.log(pred[T.arange(n_samples), y] + 1e-8).mean()
    return x, mask, y, use_noise, pred, cost


def lstm_numpy(values, x, mask):
    """The same forward pass (no noise) in NumPy."""
    emb = values["Wemb"][x]
    below = emb @ values["W"] + values["b"]
    h = c = np.zeros((x.shape[1], DIM))
    hs = []
    for t in range(x.shape[0]):
        pre = h @ values["U"] + below[t]
        i, f, o = (sigmoid_np(pre[:, k * DIM:(k + 1) * DIM]) for k in range(3))
        c_new = f * c + i * np.tanh(pre[:, 3 * DIM:])
        m = mask[t][:, None]
        c = m * c_new + (1 - m) * c
        h = m * (o * np.tanh(c)) + (1 - m) * h
        hs.append(h)
    proj = (np.stack(hs) * mask[:, :, None]).sum(axis=0) / mask.sum(axis=0)[:, None]
    logits = (0.5 * proj) @ values["U_out"] + values["b_out"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def batch(seed, n_samples=6, max_len=5):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(2, max_len + 1, size=n_samples)
    x = rng.randint(1, N_WORDS, size=(max_len, n_samples))
    mask = (np.arange(max_len)[:, None] < lengths[None, :]).astype("float64")
    x = np.where(mask > 0, x, 0)
    y = (x == 1).any(axis=0).astype("int64")   # is word 1 anywhere in the sentence?
    return x, mask, y


def test_forward_pass_matches_numpy_lstm():
    params = init_params(0)
    x, mask, y, _, pred, _ = build_model(params)
    xs, ms, _ = batch(1)
    got = theano.function([x, mask], pred)(xs, ms)
    want = lstm_numpy({k: p.get_value() for k, p in params.items()}, xs, ms)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["W", "U", "b", "Wemb", "U_out"])
def test_gradients_with_dropout_match_finite_differences(name):
    params = init_params(4)
    x, mask, y, use_noise, _, cost = build_model(params)
    use_noise.set_value(np.float64(1.0))
    param = params[name]
    frozen = dict(no_default_updates=True)   # the same dropout mask on every call
    cost_fn = theano.function([x, mask, y], cost, **frozen)
    grad_fn = theano.function([x, mask, y], T.grad(cost, param), **frozen)
    xs, ms, ys = batch(5, n_samples=4, max_len=3)
    got = grad_fn(xs, ms, ys)
    want = central_difference(lambda: float(cost_fn(xs, ms, ys)), param)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_training_learns_to_spot_a_word():
    params = init_params(6)
    x, mask, y, use_noise, pred, cost = build_model(params)
    shared = list(params.values())
    train = theano.function([x, mask, y], cost, updates=[
        (p, p - 0.5 * g) for p, g in zip(shared, T.grad(cost, shared))])
    predict = theano.function([x, mask], pred.argmax(axis=1))
    xs, ms, ys = batch(7, n_samples=60, max_len=6)
    use_noise.set_value(np.float64(1.0))
    for _ in range(300):
        train(xs, ms, ys)
    use_noise.set_value(np.float64(0.0))
    assert np.mean(predict(xs, ms) == ys) > 0.9
