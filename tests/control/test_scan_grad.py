"""Gradients through scan (backpropagation through time): finite differences, NumPy BPTT."""

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import Mode, function, shared
from symlab.gradient import grad, verify_grad
from symlab.graph.evaluate import evaluate
from symlab.scan_module import Scan

rng = np.random.default_rng(3)


def scan_nodes(f):
    return [n for n in f.graph_after.toposort() if isinstance(n.op, Scan)]


def rnn(X, W, h0):
    hs, _ = symlab.scan(lambda x_t, h, W: T.tanh(T.dot(W, h) + x_t), sequences=X,
                        outputs_info=h0, non_sequences=W)
    return hs


# ---------------------------------------------------------------- finite differences

def test_verify_grad_of_a_recurrence():
    verify_grad(lambda X, W, h0: rnn(X, W, h0),
                [rng.standard_normal((5, 3)), rng.standard_normal((3, 3)) * 0.5,
                 rng.standard_normal(3)])


def test_verify_grad_with_taps_on_outputs_and_sequences():
    def fn(u, y0):
        out, _ = symlab.scan(lambda u_m1, u_p1, y_m2, y_m1: 0.5 * y_m2 + T.tanh(y_m1) * u_m1
                             - u_p1 * y_m1,
                             sequences=dict(input=u, taps=[-1, 1]),
                             outputs_info=dict(initial=y0, taps=[-2, -1]))
        return out
    verify_grad(fn, [rng.standard_normal(7), rng.standard_normal(2)])


def test_verify_grad_with_several_outputs_one_not_fed_back():
    def fn(X, h0, v):
        (ys, hs), _ = symlab.scan(lambda x_t, h: [T.sum(h * x_t * v), T.sin(h + x_t)],
                                  sequences=X, outputs_info=[None, h0])
        return T.sum(ys) + T.sum(hs ** 2)
    verify_grad(fn, [rng.standard_normal((4, 3)), rng.standard_normal(3),
                     rng.standard_normal(3)])


def test_verify_grad_backwards_and_with_fewer_steps_than_rows():
    def backwards(x, h0):
        out, _ = symlab.scan(lambda x_t, h: h * T.cos(x_t) + x_t, sequences=x,
                             outputs_info=h0, go_backwards=True)
        return out

    def cut(x, h0):
        out, _ = symlab.scan(lambda x_t, h: h * T.cos(x_t) + x_t, sequences=x,
                             outputs_info=h0, n_steps=3)
        return out
    for fn in (backwards, cut):
        verify_grad(fn, [rng.standard_normal(5), rng.standard_normal(())])


def test_verify_grad_of_the_polynomial():
    def fn(coefficients, x):
        parts, _ = symlab.scan(lambda c, p, x: c * x ** p,
                               sequences=[coefficients, T.arange(100)], non_sequences=x)
        return parts.sum()
    verify_grad(fn, [rng.standard_normal(4), np.array(1.3)])


def test_verify_grad_of_nested_loops():
    def fn(X, a):
        def row(r):
            out, _ = symlab.scan(lambda e, acc: acc * a + T.sin(e), sequences=r,
                                 outputs_info=T.zeros_like(a))
            return out[-1]
        out, _ = symlab.scan(row, sequences=X)
        return out
    verify_grad(fn, [rng.standard_normal((3, 4)), np.array(0.7)])


def test_second_derivatives_through_scan():
    def gradient(x, h0):
        out, _ = symlab.scan(lambda x_t, h: T.tanh(h * x_t + 0.3), sequences=x,
                             outputs_info=h0)
        return grad(T.sum(out ** 2), [x])[0]
    verify_grad(gradient, [rng.standard_normal(4), rng.standard_normal(())])


def test_verify_grad_of_a_loop_ended_by_until():
    from symlab.scan_module import until

    def fn(x, h0):
        def step(x_t, h):
            new = h * x_t + T.sin(x_t)
            return new, until(new > 1.4)
        out, _ = symlab.scan(step, sequences=x, outputs_info=h0)
        return out
    x = np.array([0.5, 1.2, 0.8, 1.5, 0.3])
    verify_grad(fn, [x, np.array(1.0)])
    X, H0 = T.dvector("x"), T.dscalar("h0")
    out = fn(X, H0)
    gx = grad(T.sum(out ** 2), X)
    got = function([X, H0], gx)(x, 1.0)
    np.testing.assert_array_equal(got[2:], 0)             # rows after the loop ended
    assert got[0] != 0 and got[1] != 0


# ---------------------------------------------------------------- BPTT by hand

def numpy_rnn_loss_and_grads(params, xs, ys, h0):
    """h_t = tanh(W h_{t-1} + U x_t + b), o_t = V h_t, loss = 0.5 sum (o - y)^2, by hand."""
    W, U, b, V = params
    hs, h = [], h0
    for x_t in xs:
        h = np.tanh(W @ h + U @ x_t + b)
        hs.append(h)
    hs = np.array(hs)
    d_o = hs @ V.T - ys
    loss = 0.5 * np.sum(d_o ** 2)
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    dV = d_o.T @ hs
    dh_next = np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        dh = V.T @ d_o[t] + dh_next
        du = dh * (1 - hs[t] ** 2)
        h_prev = hs[t - 1] if t > 0 else h0
        dW += np.outer(du, h_prev)
        dU += np.outer(du, xs[t])
        db += du
        dh_next = W.T @ du
    return loss, [dW, dU, db, dV]


def test_a_small_rnn_trains_as_numpy_bptt_does():
    steps, n_in, hidden, n_out, lr = 5, 3, 4, 2, 0.1
    init = [rng.standard_normal((hidden, hidden)) * 0.5, rng.standard_normal((hidden, n_in)),
            rng.standard_normal(hidden) * 0.1, rng.standard_normal((n_out, hidden))]
    params = [shared(p.copy(), name=n) for p, n in zip(init, ("W", "U", "b", "V"))]
    W, U, b, V = params
    X, Y, h0 = T.dmatrix("X"), T.dmatrix("Y"), T.dvector("h0")
    hs, _ = symlab.scan(lambda x_t, h: T.tanh(T.dot(W, h) + T.dot(U, x_t) + b),
                        sequences=X, outputs_info=h0)
    loss = 0.5 * T.sum((T.dot(hs, V.T) - Y) ** 2)
    grads = grad(loss, params)
    train = function([X, Y, h0], loss, updates=[(p, p - lr * g) for p, g in zip(params, grads)])
    # one forward loop (merged with the gradient's) and one backward loop
    loops = scan_nodes(train)
    assert len(loops) == 2 and sorted(n.op.reverse for n in loops) == [False, True]
    assert "merge_scans" in train.trace.rewrite_names()
    xs, ys, h_init = (rng.standard_normal((steps, n_in)), rng.standard_normal((steps, n_out)),
                      rng.standard_normal(hidden))
    mine = [p.copy() for p in init]
    for _ in range(4):
        expected_loss, expected_grads = numpy_rnn_loss_and_grads(mine, xs, ys, h_init)
        np.testing.assert_allclose(train(xs, ys, h_init), expected_loss, rtol=1e-10, atol=0)
        mine = [p - lr * g for p, g in zip(mine, expected_grads)]
        for p, m in zip(params, mine):
            np.testing.assert_allclose(p.get_value(), m, rtol=1e-10, atol=1e-12)


def test_truncated_bptt_goes_back_k_steps():
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
    hs, _ = symlab.scan(lambda x_t, h: T.tanh(T.dot(W, h) + x_t), sequences=X,
                        outputs_info=h0, truncate_gradient=2)
    cost = T.sum(hs[-1])
    gW, gX, gh0 = grad(cost, [W, X, h0])
    xv, wv, hv = rng.standard_normal((5, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)
    got = function([X, W, h0], [gW, gX, gh0])(xv, wv, hv)
    hs_np, h = [hv], hv
    for x_t in xv:
        h = np.tanh(wv @ h + x_t)
        hs_np.append(h)
    dW, dX, dh = np.zeros_like(wv), np.zeros_like(xv), np.zeros(3)
    dh = np.ones(3)
    for t in (4, 3):                                # the last two steps only
        du = dh * (1 - hs_np[t + 1] ** 2)
        dW += np.outer(du, hs_np[t])
        dX[t] = du
        dh = wv.T @ du
    np.testing.assert_allclose(got[0], dW, rtol=1e-13)
    np.testing.assert_allclose(got[1], dX, rtol=1e-13)
    np.testing.assert_array_equal(got[2], 0)        # the truncation cut it off


def test_gradient_through_random_draws_in_the_loop_uses_the_same_draws():
    from symlab.tensor.shared_randomstreams import RandomStreams
    srng = RandomStreams(11)
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")

    def step(x_t, h):
        mask = srng.binomial(size=(3,), p=0.5, dtype="float64")   # dropout on the state
        return T.tanh(T.dot(W, h * mask) + x_t)

    hs, updates = symlab.scan(step, sequences=X, outputs_info=h0)
    (state,) = updates
    cost = T.sum(hs ** 2)
    f = function([X, W, h0], [cost, grad(cost, W)], updates=updates)
    assert len(scan_nodes(f)) == 2              # the draws are made once, by one forward loop
    draws = state.get_value()
    xv, wv, hv = rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)
    got_cost, got_gW = f(xv, wv, hv)
    masks = [draws.binomial(n=1, p=0.5, size=(3,)).astype("float64") for _ in range(4)]
    hs_np, h = [hv], hv
    for x_t, m in zip(xv, masks):
        h = np.tanh(wv @ (h * m) + x_t)
        hs_np.append(h)
    gW, dh = np.zeros_like(wv), np.zeros(3)
    for t in reversed(range(4)):
        du = (2 * hs_np[t + 1] + dh) * (1 - hs_np[t + 1] ** 2)
        gW += np.outer(du, hs_np[t] * masks[t])
        dh = (wv.T @ du) * masks[t]
    np.testing.assert_allclose(got_cost, np.sum(np.array(hs_np[1:]) ** 2), rtol=1e-13)
    np.testing.assert_allclose(got_gW, gW, rtol=1e-12)
    assert state.get_value().get_state()[2] == draws.get_state()[2]


def test_the_gradient_agrees_with_the_reference_evaluator_in_every_mode():
    X, W, h0 = T.dmatrix("X"), T.dmatrix("W"), T.dvector("h0")
    cost = T.sum(rnn(X, W, h0) ** 2)
    grads = grad(cost, [X, W, h0])
    values = [rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)]
    expected = evaluate(grads, dict(zip([X, W, h0], values)))
    for mode in (None, "FAST_COMPILE", Mode(optimizer=None)):
        got = function([X, W, h0], grads, mode=mode)(*values)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-13)


def test_a_random_state_the_gradient_would_need_is_refused():
    from symlab.graph.basic import GradientNotImplemented
    from symlab.tensor.shared_randomstreams import RandomStreams
    srng = RandomStreams(1)
    x = T.dvector("x")
    out, _ = symlab.scan(lambda x_t: srng.normal(size=(), avg=x_t), sequences=x)
    with pytest.raises(GradientNotImplemented):
        grad(T.sum(out), x)
