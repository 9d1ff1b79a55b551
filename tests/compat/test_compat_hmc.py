"""A Hamiltonian Monte Carlo sampler in the style of Theano's HMC tutorial.

Leapfrog integration runs in ``scan`` with ``T.grad`` of the energy inside
the step; the velocity and the Metropolis test are drawn from
``T.shared_randomstreams.RandomStreams`` (reached as an attribute of the
tensor module, as the tutorial does); the acceptance rate is a moving
average whose dtype comes from ``theano.scalar.upcast``; the step size adapts
through ``T.switch`` and ``T.clip``. Checked: the leapfrog trajectory against
NumPy, and the samples' mean and covariance against the target Gaussian.
"""

import numpy as np

import symlab as theano
import symlab.tensor as T

MEAN = np.array([1.0, -2.0])
COVARIANCE = np.array([[1.0, 0.8], [0.8, 2.0]])
PRECISION = np.linalg.inv(COVARIANCE)


def gaussian_energy(pos):
    centred = pos - MEAN
    return 0.5 * (T.dot(centred, PRECISION) * centred).sum(axis=1)


def leapfrog(pos, vel, stepsize, n_steps, energy_fn):
    """Positions and velocities after ``n_steps`` leapfrog steps (the tutorial's scheme)."""
    def force(p):
        return -T.grad(energy_fn(p).sum(), p)

    vel_half = vel + 0.5 * stepsize * force(pos)
    pos_full = pos + stepsize * vel_half

    def step(p, v, eps):
        new_v = v + eps * force(p)
        return [p + eps * new_v, new_v], {}

    (all_pos, all_vel), scan_updates = theano.scan(
        step, outputs_info=[pos_full, vel_half], non_sequences=[stepsize], n_steps=n_steps - 1)
    assert not scan_updates
    final_pos = all_pos[-1]
    return final_pos, all_vel[-1] + 0.5 * stepsize * force(final_pos)


def leapfrog_numpy(pos, vel, eps, n_steps):
    def force(p):
        return -(p - MEAN) @ PRECISION
    vel = vel + 0.5 * eps * force(pos)
    for _ in range(n_steps - 1):
        pos = pos + eps * vel
        vel = vel + eps * force(pos)
    pos = pos + eps * vel
    return pos, vel + 0.5 * eps * force(pos)


def hmc_sampler(positions, seed, n_steps=10, stepsize=0.2, target_rate=0.9):
    """Return (simulate, stepsize, avg_acceptance_rate) updating ``positions`` each call."""
    floatX = theano.config.floatX
    s_rng = T.shared_randomstreams.RandomStreams(seed)
    eps = theano.shared(np.asarray(stepsize, dtype=floatX), name="hmc_stepsize")
    avg_rate = theano.shared(np.asarray(target_rate, dtype=floatX), name="avg_acceptance_rate")
    vel = s_rng.normal(size=positions.shape)
    final_pos, final_vel = leapfrog(positions, vel, eps, n_steps, gaussian_energy)

    def hamiltonian(p, v):
        return gaussian_energy(p) + 0.5 * (v ** 2).sum(axis=1)

    accept = (T.exp(hamiltonian(positions, vel) - hamiltonian(final_pos, final_vel))
              - s_rng.uniform(size=positions.shape[:1])) >= 0
    new_positions = T.switch(accept.dimshuffle(0, "x"), final_pos, positions)
    new_eps = T.clip(T.switch(avg_rate > target_rate, eps * 1.02, eps * 0.98), 0.001, 0.25)
    mean_dtype = theano.scalar.upcast(accept.dtype, avg_rate.dtype)
    new_rate = T.add(0.9 * avg_rate, 0.1 * accept.mean(dtype=mean_dtype))
    simulate = theano.function([], [], updates=[(positions, new_positions), (eps, new_eps),
                                                (avg_rate, new_rate)])
    return simulate, eps, avg_rate


def test_upcast_names_the_wider_dtype():
    assert theano.scalar.upcast("bool", "float64") == "float64"
    assert theano.scalar.upcast("int8", "float32") == "float32"
    assert theano.scalar.upcast("int32", "float32") == "float64"
    assert theano.scalar.upcast("int64", "int8", "uint8") == "int64"


def test_leapfrog_trajectory_matches_numpy():
    pos, vel = T.dmatrix("pos"), T.dmatrix("vel")
    eps = T.dscalar("eps")
    final = theano.function([pos, vel, eps], leapfrog(pos, vel, eps, 7, gaussian_energy))
    rng = np.random.RandomState(0)
    p0, v0 = rng.randn(5, 2), rng.randn(5, 2)
    for got, want in zip(final(p0, v0, 0.1), leapfrog_numpy(p0, v0, 0.1, 7)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_samples_follow_the_target_gaussian():
    positions = theano.shared(np.zeros((100, 2)), name="positions")
    simulate, eps, avg_rate = hmc_sampler(positions, seed=123)
    samples = []
    for i in range(300):
        simulate()
        if i >= 100:
            samples.append(positions.get_value())
    samples = np.concatenate(samples)
    assert 0.001 <= float(eps.get_value()) <= 0.25
    assert 0.5 < float(avg_rate.get_value()) <= 1.0
    np.testing.assert_allclose(samples.mean(axis=0), MEAN, atol=0.1)
    np.testing.assert_allclose(np.cov(samples.T), COVARIANCE, atol=0.2)
