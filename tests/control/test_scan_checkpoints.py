"""``scan_checkpoints``: Theano's memory-saving scan, as its documentation describes it.

Its outputs hold the value at the end of every block of ``save_every_N`` steps
(and the last step), so the last row is ``scan``'s last row; gradients through
it equal ``scan``'s. Values are checked against loops in NumPy, gradients
against central finite differences and against plain ``scan``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symlab as theano
import symlab.tensor as T


def _rnn_step(x_t, h, W, U):
    return T.tanh(h.dot(W) + x_t.dot(U))


def _numpy_rnn(xs, h0, W, U):
    h, states = h0, []
    for x_t in xs:
        h = np.tanh(h @ W + x_t @ U)
        states.append(h)
    return np.array(states)


def _rnn_case(n_steps, every):
    xs, h0, W, U = T.dmatrix("xs"), T.dvector("h0"), T.dmatrix("W"), T.dmatrix("U")
    out, updates = theano.scan_checkpoints(_rnn_step, sequences=xs, outputs_info=h0,
                                           non_sequences=[W, U], save_every_N=every)
    assert updates == {} or len(updates) == 0
    rng = np.random.default_rng(n_steps * 31 + every)
    values = [rng.normal(size=(n_steps, 2)), rng.normal(size=3), 0.5 * rng.normal(size=(3, 3)),
              rng.normal(size=(2, 3))]
    return (xs, h0, W, U), out, values


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 11), st.integers(1, 5))
def test_rows_are_the_block_ends_of_a_numpy_loop(n_steps, every):
    inputs, out, values = _rnn_case(n_steps, every)
    got = theano.function(list(inputs), out)(*values)
    states = _numpy_rnn(*values)
    ends = sorted(set(list(range(every - 1, n_steps, every)) + [n_steps - 1]))
    np.testing.assert_allclose(got, states[ends], rtol=1e-12)


@pytest.mark.parametrize("n_steps, every", [(7, 3), (6, 2), (4, 10), (5, 1)])
def test_gradients_match_finite_differences_and_scan(n_steps, every):
    inputs, out, values = _rnn_case(n_steps, every)
    xs, h0, W, U = inputs
    plain, _ = theano.scan(_rnn_step, sequences=xs, outputs_info=h0, non_sequences=[W, U])
    cost, plain_cost = (out[-1] ** 2).sum(), (plain[-1] ** 2).sum()
    grads = theano.function(list(inputs), T.grad(cost, list(inputs)))(*values)
    plain_grads = theano.function(list(inputs), T.grad(plain_cost, list(inputs)))(*values)
    for g, p in zip(grads, plain_grads):
        np.testing.assert_allclose(g, p, rtol=1e-10, atol=1e-12)

    def numpy_cost(vals):
        return (_numpy_rnn(*vals)[-1] ** 2).sum()

    eps = 1e-6
    for k, value in enumerate(values):
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up = [v.copy() for v in values]
            down = [v.copy() for v in values]
            up[k][index] += eps
            down[k][index] -= eps
            numeric[index] = (numpy_cost(up) - numpy_cost(down)) / (2 * eps)
        np.testing.assert_allclose(grads[k], numeric, rtol=1e-6, atol=1e-8)


def test_n_steps_without_sequences_as_theanos_power_example():
    A, k = T.dvector("A"), T.iscalar("k")
    out, _ = theano.scan_checkpoints(lambda prior, A: prior * A, outputs_info=T.ones_like(A),
                                     non_sequences=A, n_steps=k, save_every_N=4)
    f = theano.function([A, k], out)
    a = np.array([1.1, -0.9, 0.5])
    for steps in (1, 4, 9, 12):
        got = f(a, steps)
        assert got.shape == (-(-steps // 4), 3)
        np.testing.assert_allclose(got[-1], a ** steps)
    grad = theano.function([A, k], T.grad(out[-1].sum(), A))
    np.testing.assert_allclose(grad(a, 9), 9 * a ** 8)


def test_several_outputs_and_an_output_not_fed_back():
    x, h0 = T.dvector("x"), T.dscalar("h0")

    def step(x_t, h):
        return h + x_t, h * x_t          # the running sum (fed back), a product (not)

    (sums, products), _ = theano.scan_checkpoints(step, sequences=x, outputs_info=[h0, None],
                                                  save_every_N=2)
    f = theano.function([x, h0], [sums, products])
    data = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    totals = 0.5 + np.cumsum(data)
    before = np.concatenate([[0.5], totals[:-1]])
    got_sums, got_products = f(data, 0.5)
    np.testing.assert_allclose(got_sums, totals[[1, 3, 4]])
    np.testing.assert_allclose(got_products, (before * data)[[1, 3, 4]])


def test_sequences_longer_than_n_steps_are_cut():
    x, h0 = T.dvector("x"), T.dscalar("h0")
    out, _ = theano.scan_checkpoints(lambda x_t, h: h + x_t, sequences=x, outputs_info=h0,
                                     n_steps=5, save_every_N=2)
    got = theano.function([x, h0], out)(np.arange(10.0), 0.0)
    np.testing.assert_allclose(got, [1.0, 6.0, 10.0])


def test_what_it_refuses():
    x, h0 = T.dvector("x"), T.dscalar("h0")
    with pytest.raises(ValueError, match="save_every_N"):
        theano.scan_checkpoints(lambda x_t, h: h + x_t, sequences=x, outputs_info=h0,
                                save_every_N=0)
    with pytest.raises(TypeError, match="taps"):
        theano.scan_checkpoints(lambda x_t, h: h + x_t, sequences=x,
                                outputs_info={"initial": h0, "taps": [-1]})
    with pytest.raises(ValueError, match="n_steps"):
        theano.scan_checkpoints(lambda h: h * 2, outputs_info=h0)
    counter = theano.shared(0.0)
    with pytest.raises(NotImplementedError, match="updates"):
        theano.scan_checkpoints(lambda x_t, h: (h + x_t, {counter: counter + 1}),
                                sequences=x, outputs_info=h0)
