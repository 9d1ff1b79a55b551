"""A restricted Boltzmann machine trained by persistent contrastive divergence, tutorial style.

The Gibbs chain runs inside ``scan`` with a binomial draw in the step
function, so every step must draw new numbers and ``scan`` must hand back the
stream's updates; the chain's end is held constant for ``T.grad`` (Theano's
``consider_constant``), and the persistent chain lives in a shared variable
updated from the last hidden sample. Checked: the draws are Bernoulli samples
of the probabilities the chain computes (and differ from step to step), the
gradient equals the free-energy gradient written out in NumPy on the same
chain end, the persistent state and the stream advance, and training lowers
the reconstruction error.
"""

import numpy as np

import symlab as theano
import symlab.tensor as T
from symlab.tensor.shared_randomstreams import RandomStreams

N_VISIBLE, N_HIDDEN, BATCH = 16, 6, 20


def sigmoid_np(z):
    return 1.0 / (1.0 + np.exp(-z))


class RBM:
    def __init__(self, input, seed=1):
        rng = np.random.RandomState(seed)
        self.W = theano.shared(rng.uniform(-0.3, 0.3, (N_VISIBLE, N_HIDDEN)), name="W")
        self.hbias = theano.shared(np.zeros(N_HIDDEN), name="hbias")
        self.vbias = theano.shared(np.zeros(N_VISIBLE), name="vbias")
        self.input, self.params = input, [self.W, self.hbias, self.vbias]
        self.theano_rng = RandomStreams(rng.randint(2 ** 30))

    def free_energy(self, v):
        wx_b = T.dot(v, self.W) + self.hbias
        return -T.dot(v, self.vbias) - T.sum(T.log(1 + T.exp(wx_b)), axis=1)

    def sample_h_given_v(self, v):
        mean = T.nnet.sigmoid(T.dot(v, self.W) + self.hbias)
        return mean, self.theano_rng.binomial(size=mean.shape, n=1, p=mean, dtype="float64")

    def sample_v_given_h(self, h):
        mean = T.nnet.sigmoid(T.dot(h, self.W.T) + self.vbias)
        return mean, self.theano_rng.binomial(size=mean.shape, n=1, p=mean, dtype="float64")

    def gibbs_hvh(self, h):
        v_mean, v_sample = self.sample_v_given_h(h)
        h_mean, h_sample = self.sample_h_given_v(v_sample)
        return [v_mean, v_sample, h_mean, h_sample]

    def cost_updates(self, persistent, lr=0.1, k=3):
        (v_means, v_samples, h_means, h_samples), updates = theano.scan(
            self.gibbs_hvh, outputs_info=[None, None, None, persistent], n_steps=k)
        chain_end = v_samples[-1]
        cost = T.mean(self.free_energy(self.input)) - T.mean(self.free_energy(chain_end))
        grads = T.grad(cost, self.params, consider_constant=[chain_end])
        for param, g in zip(self.params, grads):
            updates[param] = param - lr * g
        updates[persistent] = h_samples[-1]
        return cost, grads, updates, (v_means, v_samples, h_means, h_samples)


def structured_data(seed):
    rng = np.random.RandomState(seed)
    prototypes = rng.randint(0, 2, size=(3, N_VISIBLE))
    rows = prototypes[rng.randint(0, 3, size=BATCH)]
    return np.abs(rows - (rng.uniform(size=rows.shape) < 0.05)).astype("float64")


def free_energy_gradients(v_data, v_model, W, hbias, vbias):
    """d/dparams of mean F(data) - mean F(model), F(v) = -v.b - sum log(1 + exp(vW + c))."""
    def parts(v):
        h = sigmoid_np(v @ W + hbias)
        return -(v.T @ h) / len(v), -h.mean(axis=0), -v.mean(axis=0)
    data, model = parts(v_data), parts(v_model)
    return [d - m for d, m in zip(data, model)]


def test_chain_draws_bernoulli_samples_of_its_own_probabilities_at_every_step():
    x = T.dmatrix("x")
    rbm = RBM(x)
    persistent = theano.shared(np.zeros((500, N_HIDDEN)), name="persistent")
    (v_means, v_samples, h_means, h_samples), updates = theano.scan(
        rbm.gibbs_hvh, outputs_info=[None, None, None, persistent], n_steps=4)
    chain = theano.function([], [v_means, v_samples, h_means, h_samples], updates=updates)
    vm, vs, hm, hs = chain()
    assert vs.shape == (4, 500, N_VISIBLE) and hs.shape == (4, 500, N_HIDDEN)
    assert set(np.unique(vs)) <= {0.0, 1.0} and set(np.unique(hs)) <= {0.0, 1.0}
    for step in range(4):   # each step's samples follow that step's probabilities
        assert abs(vs[step].mean() - vm[step].mean()) < 0.03
    assert not np.array_equal(hs[1], hs[2]), "the same draw was reused at every step"
    # The step-0 probabilities come from the persistent zeros: identical rows...
    np.testing.assert_allclose(vm[0], np.broadcast_to(vm[0][0], vm[0].shape))
    # ...but the 500 sampled rows are not all the same, and a second call draws anew.
    assert len({row.tobytes() for row in vs[0]}) > 1
    assert not np.array_equal(chain()[1], vs)


def test_gradient_holds_the_chain_end_constant():
    data = structured_data(2)
    x = T.dmatrix("x")
    rbm = RBM(x)
    persistent = theano.shared(np.zeros((BATCH, N_HIDDEN)), name="persistent")
    cost, grads, updates, (_, v_samples, _, _) = rbm.cost_updates(persistent)
    inspect = theano.function([x], [v_samples[-1]] + grads, no_default_updates=True)
    chain_end, *got = inspect(data)
    want = free_energy_gradients(data, chain_end, *(p.get_value() for p in rbm.params))
    for param, g, w in zip(rbm.params, got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, err_msg=param.name)


def test_persistent_chain_and_stream_advance_and_training_lowers_reconstruction_error():
    data = structured_data(3)
    x = T.dmatrix("x")
    rbm = RBM(x)
    persistent = theano.shared(np.zeros((BATCH, N_HIDDEN)), name="persistent")
    cost, _, updates, (_, _, _, h_samples) = rbm.cost_updates(persistent, lr=0.05, k=1)
    train = theano.function([x], [cost, h_samples[-1]], updates=updates)
    _, last_h = train(data)
    np.testing.assert_array_equal(persistent.get_value(), last_h)

    def reconstruction_error():
        W, hb, vb = (p.get_value() for p in rbm.params)
        v = sigmoid_np(sigmoid_np(data @ W + hb) @ W.T + vb)
        return -np.mean(np.sum(data * np.log(v) + (1 - data) * np.log(1 - v), axis=1))

    before = reconstruction_error()
    for _ in range(400):
        train(data)
    assert reconstruction_error() < 0.6 * before
