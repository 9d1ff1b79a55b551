"""A stacked denoising autoencoder written the way Theano's classic tutorials write one.

The layer classes take their parameters as optional arguments and fill in the
missing ones with ``if not W:``, Theano's idiom (every variable is true), and
corrupt their input with a binomial mask drawn from a ``RandomStreams``; the
fine-tuning cost drops hidden units out with a mask of the hidden layer's
shape, so ``T.grad`` has to pass next to a draw whose size depends on the
parameters. The gradient of one layer's
reconstruction cost is checked against central differences with the mask
held fixed (``no_default_updates=True`` keeps the stream where it is, so every
call draws the same mask), and the stack is pretrained and fine-tuned on data
with a hidden structure, which it must learn.
"""

import numpy as np

import symlab as theano
import symlab.tensor as T
from symlab.tensor.shared_randomstreams import RandomStreams

from numeric_gradient import central_difference


def sigmoid_np(z):
    return 1.0 / (1.0 + np.exp(-z))


class DenoisingAutoencoder:
    """One layer: corrupt, encode with W, decode with W's transpose (tied weights)."""

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=12, n_hidden=6,
                 W=None, bhid=None, bvis=None):
        if not theano_rng:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        if not W:
            bound = 4 * np.sqrt(6.0 / (n_hidden + n_visible))
            W = theano.shared(numpy_rng.uniform(-bound, bound, (n_visible, n_hidden)), name="W")
        if not bvis:
            bvis = theano.shared(np.zeros(n_visible), name="bvis")
        if not bhid:
            bhid = theano.shared(np.zeros(n_hidden), name="bhid")
        if input is None or not input:
            input = T.dmatrix("input")
        self.W, self.b, self.b_prime = W, bhid, bvis
        self.theano_rng, self.x = theano_rng, input
        self.params = [self.W, self.b, self.b_prime]

    def corrupted(self, level):
        mask = self.theano_rng.binomial(size=self.x.shape, n=1, p=1 - level,
                                        dtype=theano.config.floatX)
        return mask * self.x

    def cost(self, level):
        hidden = T.nnet.sigmoid(T.dot(self.corrupted(level), self.W) + self.b)
        z = T.nnet.sigmoid(T.dot(hidden, self.W.T) + self.b_prime)
        return T.mean(-T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1))


def structured_data(seed, n=200, n_visible=12):
    """Binary rows made of two prototypes with a few bits flipped: something to learn."""
    rng = np.random.RandomState(seed)
    prototypes = rng.randint(0, 2, size=(2, n_visible))
    labels = rng.randint(0, 2, size=n)
    flips = rng.uniform(size=(n, n_visible)) < 0.05
    return np.abs(prototypes[labels] - flips).astype("float64"), labels



def test_if_not_w_keeps_given_parameters_and_fills_missing_ones():
    rng = np.random.RandomState(0)
    given = theano.shared(np.ones((12, 6)), name="given_W")
    x = T.dmatrix("x")
    layer = DenoisingAutoencoder(rng, input=x, W=given)
    assert layer.W is given and layer.x is x
    assert layer.b.get_value().shape == (6,) and layer.b_prime.get_value().shape == (12,)
    fresh = DenoisingAutoencoder(rng)
    assert fresh.W.get_value().shape == (12, 6) and fresh.x.name == "input"


def test_gradient_next_to_the_corruption_mask_matches_finite_differences():
    data, _ = structured_data(1, n=8)
    layer = DenoisingAutoencoder(np.random.RandomState(2))
    cost = layer.cost(level=0.3)
    grads = T.grad(cost, layer.params)
    frozen = dict(no_default_updates=True)
    cost_fn = theano.function([layer.x], cost, **frozen)
    grad_fn = theano.function([layer.x], grads, **frozen)
    analytic = grad_fn(data)
    assert cost_fn(data) == cost_fn(data)   # the mask stays put between calls
    for param, got in zip(layer.params, analytic):
        want = central_difference(lambda: float(cost_fn(data)), param)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7, err_msg=param.name)


def test_the_mask_changes_from_call_to_call_in_training():
    data, _ = structured_data(3, n=50)
    layer = DenoisingAutoencoder(np.random.RandomState(4))
    corrupt = theano.function([layer.x], layer.corrupted(0.5))
    first, second = corrupt(data), corrupt(data)
    assert not np.array_equal(first, second)
    kept = first[data == 1]
    assert 0.3 < kept.mean() < 0.7   # about half of the ones survive a level of 0.5


def test_stacked_autoencoder_pretrains_then_classifies():
    data, labels = structured_data(5)
    numpy_rng = np.random.RandomState(6)
    theano_rng = RandomStreams(7)
    x, y = T.dmatrix("x"), T.lvector("y")
    layers, below = [], x
    for n_in, n_out in ((12, 8), (8, 4)):
        W = theano.shared(numpy_rng.uniform(-0.5, 0.5, (n_in, n_out)), name=f"W{n_in}")
        b = theano.shared(np.zeros(n_out), name=f"b{n_in}")
        layers.append(DenoisingAutoencoder(numpy_rng, theano_rng, input=below, n_visible=n_in,
                                           n_hidden=n_out, W=W, bhid=b))
        below = T.nnet.sigmoid(T.dot(below, W) + b)
    for layer in layers:   # greedy layer-wise pretraining: each layer's cost goes down
        cost = layer.cost(level=0.2)
        updates = [(p, p - 0.1 * g) for p, g in zip(layer.params, T.grad(cost, layer.params))]
        step = theano.function([x], cost, updates=updates)
        costs = [float(step(data)) for _ in range(150)]
        assert np.mean(costs[-10:]) < 0.9 * np.mean(costs[:10])
    W_out = theano.shared(np.zeros((4, 2)), name="W_out")
    b_out = theano.shared(np.zeros(2), name="b_out")
    keep = theano_rng.binomial(size=below.shape, n=1, p=0.9, dtype=below.dtype)
    p_train = T.nnet.softmax(T.dot(below * keep / 0.9, W_out) + b_out)
    nll = -T.mean(T.log(p_train)[T.arange(y.shape[0]), y])
    p_y = T.nnet.softmax(T.dot(below, W_out) + b_out)
    params = [W_out, b_out] + [p for layer in layers for p in layer.params[:2]]
    finetune = theano.function([x, y], nll, updates=[
        (p, p - 0.2 * g) for p, g in zip(params, T.grad(nll, params))])
    for _ in range(300):
        finetune(data, labels)
    predict = theano.function([x], T.argmax(p_y, axis=1))
    assert np.mean(predict(data) == labels) > 0.95
    # the hidden code, by hand from the trained parameters
    hidden = data
    for layer in layers:
        hidden = sigmoid_np(hidden @ layer.W.get_value() + layer.b.get_value())
    logits = hidden @ W_out.get_value() + b_out.get_value()
    np.testing.assert_array_equal(predict(data), logits.argmax(axis=1))
