"""An Elman RNN tagging each word of a sentence, in the style of Theano's RNN-SLU tutorial.

The step function takes the softmax of a *vector* (one hidden state): as in
Theano 1.0, that gives a (1, n) row and a deprecation warning, so ``scan``
stacks (time, 1, n) and the program reads ``s[:, 0, :]``. Words come in
context windows looked up in an embedding table. Checked: the tag
probabilities against a NumPy RNN written here, the gradients against
central differences, the warning, and training on a tagging rule that needs
the recurrence.
"""

import warnings

import numpy as np
import pytest

import symlab as theano
import symlab.tensor as T

from numeric_gradient import central_difference

N_WORDS, EMB, WINDOW, HIDDEN, N_TAGS = 8, 3, 3, 6, 3


def init_params(seed):
    rng = np.random.RandomState(seed)
    values = {"emb": 0.4 * rng.randn(N_WORDS + 1, EMB),
              "Wx": 0.4 * rng.randn(EMB * WINDOW, HIDDEN), "Wh": 0.4 * rng.randn(HIDDEN, HIDDEN),
              "W": 0.4 * rng.randn(HIDDEN, N_TAGS), "bh": np.zeros(HIDDEN),
              "b": np.zeros(N_TAGS), "h0": np.zeros(HIDDEN)}
    return {name: theano.shared(value, name=name) for name, value in values.items()}


def build_tagger(params):
    """Return (idxs, y, probabilities per word, sentence nll)."""
    idxs, y = T.lmatrix("idxs"), T.lvector("y")
    x = params["emb"][idxs].reshape((idxs.shape[0], EMB * WINDOW))

    def recurrence(x_t, h_tm1):
        h_t = T.nnet.sigmoid(T.dot(x_t, params["Wx"]) + T.dot(h_tm1, params["Wh"]) + params["bh"])
        s_t = T.nnet.softmax(T.dot(h_t, params["W"]) + params["b"])   # a vector in: (1, n) out
        return [h_t, s_t]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [_, s], _ = theano.scan(recurrence, sequences=x, outputs_info=[params["h0"], None],
                                n_steps=x.shape[0])
    p_y = s[:, 0, :]
    nll = -T.mean(T.log(p_y)[T.arange(x.shape[0]), y])
    return idxs, y, p_y, nll


def context_windows(words):
    """Each word with its neighbours (index 0 pads the edges), as the tutorial's contextwin."""
    padded = np.concatenate([[0], words, [0]])
    return np.stack([padded[i:i + WINDOW] for i in range(len(words))]).astype("int64")


def tagger_numpy(values, idxs):
    x = values["emb"][idxs].reshape(len(idxs), EMB * WINDOW)
    h, rows = values["h0"], []
    for x_t in x:
        h = 1 / (1 + np.exp(-(x_t @ values["Wx"] + h @ values["Wh"] + values["bh"])))
        z = h @ values["W"] + values["b"]
        rows.append(np.exp(z - z.max()) / np.exp(z - z.max()).sum())
    return np.array(rows)


def sentence(seed, length=7):
    """Words 1..8; the tag of a word is 1 + whether the previous word was larger, 0 at start."""
    words = np.random.RandomState(seed).randint(1, N_WORDS + 1, size=length)
    tags = np.concatenate([[0], 1 + (words[:-1] > words[1:])]).astype("int64")
    return context_windows(words), tags


def test_softmax_of_a_vector_is_a_row_with_a_deprecation_warning():
    v = T.dvector("v")
    with pytest.warns(Warning, match="(?i)softmax.*vector|vector.*softmax"):
        row = T.nnet.softmax(v)
    assert row.type.ndim == 2 and row.type.shape[0] == 1
    got = theano.function([v], row)(np.array([1.0, 2.0, 3.0]))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(got, (e / e.sum())[None, :], rtol=1e-15)


def test_tag_probabilities_match_numpy_rnn():
    params = init_params(0)
    idxs, _, p_y, _ = build_tagger(params)
    windows, _ = sentence(1)
    got = theano.function([idxs], p_y)(windows)
    want = tagger_numpy({k: p.get_value() for k, p in params.items()}, windows)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["Wh", "W", "emb", "h0"])
def test_gradients_match_finite_differences(name):
    params = init_params(2)
    idxs, y, _, nll = build_tagger(params)
    windows, tags = sentence(3, length=5)
    param = params[name]
    cost_fn = theano.function([idxs, y], nll)
    got = theano.function([idxs, y], T.grad(nll, param))(windows, tags)
    want = central_difference(lambda: float(cost_fn(windows, tags)), param)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-9)


def test_training_learns_a_rule_that_needs_the_previous_word():
    params = init_params(4)
    idxs, y, p_y, nll = build_tagger(params)
    shared = list(params.values())
    train = theano.function([idxs, y], nll, updates=[
        (p, p - 0.3 * g) for p, g in zip(shared, T.grad(nll, shared))])
    tag = theano.function([idxs], p_y.argmax(axis=1))
    sentences = [sentence(seed) for seed in range(40)]
    for _ in range(60):
        for windows, tags in sentences:
            train(windows, tags)
    accuracy = np.mean(np.concatenate([tag(w) == t for w, t in sentences]))
    assert accuracy > 0.9
