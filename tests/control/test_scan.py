"""scan: Theano's tutorial loops and more, each against a NumPy loop written by hand.

Every compiled result is also compared with the reference evaluator (the
oracle) and with the same graph compiled without rewrites.
"""

import pickle

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import In, Mode, function, shared
from symlab.graph.evaluate import evaluate
from symlab.graph.traversal import toposort
from symlab.scan_module import Scan

NO_REWRITES = Mode(optimizer=None)
rng = np.random.default_rng(42)


def agree(inputs, outputs, values, updates=None, **kwargs):
    """Compile FAST_RUN and without rewrites; both must equal the reference evaluator.

    Returns the FAST_RUN result (a list when ``outputs`` is a list).
    """
    fast = function(inputs, outputs, updates=updates, **kwargs)
    plain = function(inputs, outputs, updates=updates, mode=NO_REWRITES, **kwargs)
    single = not isinstance(outputs, list)
    given = {var: value for var, value in zip(inputs, values)}
    expected = evaluate(outputs if not single else [outputs], given)
    got = fast(*values)
    for result in (got, plain(*values)):
        results = [result] if single else result
        for r, e in zip(results, expected):
            np.testing.assert_allclose(r, e, rtol=1e-12, atol=1e-12)
    return got


def scan_nodes(f):
    return [n for n in f.graph_after.toposort() if isinstance(n.op, Scan)]


# ---------------------------------------------------------------- Theano's scan tutorial

def test_power_by_iteration():
    k = T.iscalar("k")
    A = T.dvector("A")
    result, updates = symlab.scan(fn=lambda prior, A: prior * A, outputs_info=T.ones_like(A),
                                  non_sequences=A, n_steps=k)
    assert updates == {}
    power = function([A, k], result[-1], updates=updates)
    np.testing.assert_array_equal(power(np.arange(10.0), 2), np.arange(10.0) ** 2)
    values = rng.uniform(0.5, 1.5, 7)
    np.testing.assert_allclose(agree([A, k], result[-1], [values, 5]), values ** 5, rtol=1e-14)
    # every step, not only the last
    steps = function([A, k], result)(values, 3)
    np.testing.assert_allclose(steps, [values, values ** 2, values ** 3], rtol=1e-14)


def test_polynomial_evaluation_from_coefficients():
    coefficients = T.vector("coefficients")
    x = T.scalar("x")
    full_range = T.arange(10000)
    components, updates = symlab.scan(
        fn=lambda coefficient, power, free_variable: coefficient * (free_variable ** power),
        outputs_info=None, sequences=[coefficients, full_range], non_sequences=x)
    polynomial = components.sum()
    calculate = function([coefficients, x], polynomial)
    assert calculate(np.asarray([1, 0, 2], dtype=np.float32), 3) == 19.0
    c = rng.standard_normal(6)
    expected = sum(ci * 1.3 ** i for i, ci in enumerate(c))
    np.testing.assert_allclose(agree([coefficients, x], polynomial, [c, 1.3]), expected,
                               rtol=1e-13)


def test_tanh_over_a_sequence_reads_outer_variables_implicitly():
    X, W, b = T.matrix("X"), T.matrix("W"), T.vector("b_sym")
    results, _ = symlab.scan(lambda v: T.tanh(T.dot(v, W) + b), sequences=X)
    x = np.eye(2)
    w = np.ones((2, 2))
    bv = np.array([1.0, 2.0])
    got = agree([X, W, b], results, [x, w, bv])
    np.testing.assert_allclose(got, np.tanh(x.dot(w) + bv), rtol=1e-15)
    # W and b, read by fn without being passed, are non-sequences of the loop
    (node,) = [n for n in results.owner.op.inner_graphs()]
    assert len(results.owner.inputs) == 1 + 1 + 2


def test_jacobian_via_scan():
    x = T.dvector("x")
    y = x ** 2
    J, updates = symlab.scan(lambda i, y, x: T.grad(y[i], x),
                             sequences=T.arange(y.shape[0]), non_sequences=[y, x])
    f = function([x], J, updates=updates)
    np.testing.assert_array_equal(f(np.array([4.0, 4.0])), [[8.0, 0.0], [0.0, 8.0]])
    v = rng.standard_normal(5)
    np.testing.assert_allclose(agree([x], J, [v]), np.diag(2 * v), rtol=1e-15)


def test_a_sequence_read_from_both_ends():
    # x(t) = tanh(x(t-1).W + y(t).U + p(T-t).V), the tutorial's "go backwards on P"
    X, W, Y, U, P, V = (T.vector("X"), T.matrix("W"), T.matrix("Y"), T.matrix("U"),
                        T.matrix("P"), T.matrix("V"))
    results, _ = symlab.scan(
        lambda y, p, x_tm1: T.tanh(T.dot(x_tm1, W) + T.dot(y, U) + T.dot(p, V)),
        sequences=[Y, P[::-1]], outputs_info=[X])
    x, w, y, u, p, v = (rng.standard_normal(2), rng.standard_normal((2, 2)),
                        rng.standard_normal((5, 2)), rng.standard_normal((2, 2)),
                        rng.standard_normal((5, 2)), rng.standard_normal((2, 2)))
    expected = np.zeros((5, 2))
    expected[0] = np.tanh(x.dot(w) + y[0].dot(u) + p[4].dot(v))
    for i in range(1, 5):
        expected[i] = np.tanh(expected[i - 1].dot(w) + y[i].dot(u) + p[4 - i].dot(v))
    got = agree([X, W, Y, U, P, V], results, [x, w, y, u, p, v])
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_several_outputs_and_taps_on_sequences_and_outputs():
    # the tutorial's recurrent network with taps [-4, 0] on u and [-3, -1] on x
    u, x0, y0 = T.matrix("u"), T.matrix("x0"), T.vector("y0")
    W, W_in_1, W_in_2, W_feedback, W_out = (T.matrix(n) for n in
                                            ("W", "W_in_1", "W_in_2", "W_feedback", "W_out"))

    def one_step(u_tm4, u_t, x_tm3, x_tm1, y_tm1, W, W_in_1, W_in_2, W_feedback, W_out):
        x_t = T.tanh(T.dot(x_tm1, W) + T.dot(u_t, W_in_1) + T.dot(u_tm4, W_in_2)
                     + T.dot(y_tm1, W_feedback))
        y_t = T.dot(x_tm3, W_out)
        return [x_t, y_t]

    (x_vals, y_vals), updates = symlab.scan(
        fn=one_step, sequences=dict(input=u, taps=[-4, -0]),
        outputs_info=[dict(initial=x0, taps=[-3, -1]), y0],
        non_sequences=[W, W_in_1, W_in_2, W_feedback, W_out], strict=True)
    n_x, n_u, n_y = 3, 2, 2
    uv = rng.standard_normal((9, n_u))
    x0v = rng.standard_normal((3, n_x))
    y0v = rng.standard_normal(n_y)
    mats = [rng.standard_normal(s) * 0.5 for s in
            [(n_x, n_x), (n_u, n_x), (n_u, n_x), (n_y, n_x), (n_x, n_y)]]
    w, w1, w2, wf, wo = mats
    xs, ys = list(x0v), [y0v]
    for t in range(4, 9):
        xs.append(np.tanh(xs[-1].dot(w) + uv[t].dot(w1) + uv[t - 4].dot(w2) + ys[-1].dot(wf)))
        ys.append(xs[-4].dot(wo))
    got_x, got_y = agree([u, x0, y0] + [W, W_in_1, W_in_2, W_feedback, W_out],
                         [x_vals, y_vals], [uv, x0v, y0v] + mats)
    np.testing.assert_allclose(got_x, xs[3:], rtol=1e-13)
    np.testing.assert_allclose(got_y, ys[1:], rtol=1e-13)


def test_fibonacci_with_two_taps():
    init = T.lvector("init")
    fib, _ = symlab.scan(lambda a, b: a + b, outputs_info=dict(initial=init, taps=[-2, -1]),
                         n_steps=10)
    assert list(agree([init], fib, [np.array([0, 1])])) == [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]


def test_an_output_that_is_not_fed_back_beside_one_that_is():
    X = T.dmatrix("X")
    total0 = T.dvector("total0")
    (squares, totals), _ = symlab.scan(lambda x, total: [x ** 2, total + x],
                                       sequences=X, outputs_info=[None, total0])
    xv = rng.standard_normal((4, 3))
    got = agree([X, total0], [squares, totals], [xv, np.zeros(3)])
    np.testing.assert_allclose(got[0], xv ** 2)
    np.testing.assert_allclose(got[1], np.cumsum(xv, axis=0), rtol=1e-14)


def test_sequence_taps_before_and_after():
    x = T.dvector("x")
    out, _ = symlab.scan(lambda a, b, c: a - 2 * b + c,
                         sequences=dict(input=x, taps=[-1, 0, 1]))
    v = rng.standard_normal(8)
    np.testing.assert_allclose(agree([x], out, [v]), v[:-2] - 2 * v[1:-1] + v[2:],
                               rtol=1e-14, atol=1e-14)


def test_conditional_ending_with_until():
    # the tutorial's powers of two, until one passes the limit (that one is kept)
    from symlab.scan_module import until

    def power_of_2(previous_power, max_value):
        return previous_power * 2, until(previous_power * 2 > max_value)

    max_value = T.scalar("max_value")
    values, _ = symlab.scan(power_of_2, outputs_info=T.constant(1.0), non_sequences=max_value,
                            n_steps=1024)
    f = function([max_value], values)
    np.testing.assert_array_equal(f(45), [2, 4, 8, 16, 32, 64])
    assert agree([max_value], values, [1000.0]).shape == (10,)
    few, _ = symlab.scan(power_of_2, outputs_info=T.constant(1.0), non_sequences=max_value,
                         n_steps=5)
    np.testing.assert_array_equal(function([max_value], few)(45), [2, 4, 8, 16, 32])


def test_until_with_sequences_shared_updates_and_several_outputs():
    from symlab.scan_module import until
    x = T.dvector("x")
    count = shared(0, name="count")
    (totals, doubled), updates = symlab.scan(
        lambda x_t, total: ([total + x_t, 2 * x_t], {count: count + 1}, until(total + x_t > 3)),
        sequences=x, outputs_info=[np.float64(0), None])
    # the outputs may also be listed with the updates last
    symlab.scan(lambda x_t, total: [total + x_t, 2 * x_t, {count: count + 1}],
                sequences=x, outputs_info=[np.float64(0), None])
    f = function([x], [totals, doubled], updates=updates)
    got = f(np.array([1.0, 1.5, 0.7, 2.0, 5.0]))
    np.testing.assert_allclose(got[0], [1.0, 2.5, 3.2])
    np.testing.assert_allclose(got[1], [2.0, 3.0, 1.4])
    assert count.get_value() == 3
    assert len(f(np.array([0.1, 0.2]))[0]) == 2          # never true: every row
    assert count.get_value() == 5


# ---------------------------------------------------------------- steps and direction

def test_go_backwards_reads_the_sequences_from_the_end():
    x, h0 = T.dvector("x"), T.dscalar("h0")
    out, _ = symlab.scan(lambda x_t, h: 0.5 * h + x_t, sequences=x, outputs_info=h0,
                         go_backwards=True)
    v = rng.standard_normal(6)
    h, expected = 1.0, []
    for x_t in v[::-1]:
        h = 0.5 * h + x_t
        expected.append(h)
    np.testing.assert_allclose(agree([x, h0], out, [v, 1.0]), expected, rtol=1e-14)


def test_n_steps_cuts_the_sequences_and_a_negative_count_goes_backwards():
    x = T.dvector("x")
    n = T.lscalar("n")
    out, _ = symlab.scan(lambda x_t: x_t * 10, sequences=x, n_steps=n)
    v = np.arange(6.0)
    np.testing.assert_array_equal(agree([x, n], out, [v, 4]), v[:4] * 10)
    back, _ = symlab.scan(lambda x_t: x_t * 10, sequences=x, n_steps=-3)
    np.testing.assert_array_equal(function([x], back)(v), v[::-1][:3] * 10)


def test_the_shortest_sequence_sets_the_number_of_steps():
    a, b = T.dvector("a"), T.dvector("b")
    out, _ = symlab.scan(lambda x, y: x * y, sequences=[a, b])
    np.testing.assert_array_equal(agree([a, b], out, [np.arange(5.0), np.arange(3.0)]),
                                  [0.0, 1.0, 4.0])


def test_no_steps_gives_empty_stacks_of_the_right_shape():
    n = T.lscalar("n")
    h0 = T.dvector("h0")
    out, _ = symlab.scan(lambda h: h * 2, outputs_info=h0, n_steps=n)
    got = function([h0, n], out)(np.ones(3), 0)
    assert got.shape == (0, 3)


def test_outputs_are_fresh_arrays():
    x = T.dvector("x")
    s = shared(np.zeros(3), name="s")
    out, updates = symlab.scan(lambda h, x: [x, {s: x}], outputs_info=[x], non_sequences=x,
                               n_steps=T.constant(np.int64(0)))
    f = function([x], out, updates=updates)
    v = np.arange(3.0)
    f(v)
    assert not np.shares_memory(s.get_value(borrow=True), v)


# ---------------------------------------------------------------- shared and random states

def test_a_shared_variable_updated_in_the_loop():
    k = shared(0, name="k")
    n_sym = T.iscalar("n_sym")
    results, updates = symlab.scan(lambda: {k: (k + 1)}, n_steps=n_sym)
    assert results is None and list(updates) == [k]
    accumulator = function([n_sym], [], updates=updates, allow_input_downcast=True)
    assert k.get_value() == 0
    accumulator(5)
    assert k.get_value() == 5
    accumulator(3)
    assert k.get_value() == 8


def test_shared_state_is_read_at_the_start_of_each_step():
    s = shared(np.array([1.0, 2.0]), name="s")
    x = T.dmatrix("x")
    out, updates = symlab.scan(lambda x_t: [s * x_t, {s: s + x_t}], sequences=x)
    f = function([x], out, updates=updates)
    xv = rng.standard_normal((4, 2))
    state, expected = np.array([1.0, 2.0]), []
    for row in xv:
        expected.append(state * row)
        state = state + row
    np.testing.assert_allclose(f(xv), expected, rtol=1e-14)
    np.testing.assert_allclose(s.get_value(), state, rtol=1e-14)


def test_random_draws_advance_per_step_and_equal_numpys():
    # Theano's Gibbs sampling example: two binomial draws per step from their own states.
    from symlab.tensor.shared_randomstreams import RandomStreams
    W = shared(rng.standard_normal((4, 3)) * 0.5, name="W")
    bvis = shared(rng.standard_normal(4) * 0.1, name="bvis")
    bhid = shared(rng.standard_normal(3) * 0.1, name="bhid")
    trng = RandomStreams(1234)

    def one_step(vsample):
        hmean = T.nnet.sigmoid(T.dot(vsample, W) + bhid)
        hsample = trng.binomial(size=hmean.shape, n=1, p=hmean)
        vmean = T.nnet.sigmoid(T.dot(hsample, W.T) + bvis)
        return trng.binomial(size=vsample.shape, n=1, p=vmean, dtype="float64")

    sample = T.dvector("sample")
    values, updates = symlab.scan(one_step, outputs_info=sample, n_steps=10)
    states = [rng_var for rng_var, _ in trng.state_updates]
    assert set(updates) == set(states)
    gibbs = function([sample], values, updates=updates)
    h_state, v_state = (s.get_value() for s in states)
    v0 = np.array([1.0, 0.0, 1.0, 0.0])
    got = gibbs(v0)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    w, bv, bh = W.get_value(), bvis.get_value(), bhid.get_value()
    v, expected = v0, []
    for _ in range(10):
        hmean = sigmoid(v.dot(w) + bh)
        h = h_state.binomial(n=1, p=hmean, size=hmean.shape)
        vmean = sigmoid(h.dot(w.T) + bv)
        v = v_state.binomial(n=1, p=vmean, size=v.shape).astype("float64")
        expected.append(v)
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    # the states advanced by ten draws each: the next call goes on from there
    for state, mine in zip(states, (h_state, v_state)):
        a, b = state.get_value().get_state(), mine.get_state()
        assert a[2] == b[2] and np.array_equal(a[1], b[1])
    assert not np.array_equal(gibbs(v0), got)


def test_random_states_advance_even_without_passing_the_updates():
    from symlab.tensor.shared_randomstreams import RandomStreams
    srng = RandomStreams(7)
    draws, updates = symlab.scan(lambda: srng.uniform(size=(2,)), n_steps=3)
    (state,) = updates
    f = function([], draws)      # no updates given: the state's default update advances it
    first, second = f(), f()
    assert first.shape == (3, 2) and not np.array_equal(first, second)
    replay = np.random.RandomState(int(np.random.RandomState(7).randint(2 ** 30)))
    np.testing.assert_array_equal(first, [replay.uniform(size=(2,)) for _ in range(3)])


def test_a_failing_call_changes_no_shared_state():
    from symlab.tensor.shared_randomstreams import RandomStreams
    srng = RandomStreams(3)
    s = shared(np.zeros(2), name="s")
    M = T.dmatrix("M")
    x = T.dmatrix("x")

    def step(x_t):
        noise = srng.normal(size=(2,))
        return [T.dot(M, x_t) + noise, {s: s + 1}]

    out, updates = symlab.scan(step, sequences=x)
    f = function([x, M], out, updates=updates)
    (state,) = [v for v in updates if v is not s]
    before = state.get_value().get_state()[1].copy()
    f(np.ones((3, 2)), np.eye(2))
    np.testing.assert_array_equal(s.get_value(), [3.0, 3.0])
    after_good = state.get_value().get_state()[1].copy()
    assert not np.array_equal(before, after_good)
    with pytest.raises(ValueError, match=r"(?s)dot \[id .*step 0.*failed at node scan"):
        f(np.ones((3, 2)), np.eye(3))          # dot of mismatched shapes at the first step
    np.testing.assert_array_equal(s.get_value(), [3.0, 3.0])
    np.testing.assert_array_equal(state.get_value().get_state()[1], after_good)


# ---------------------------------------------------------------- map, reduce, foldl, foldr

def test_map_reduce_foldl_foldr():
    x = T.dvector("x")
    v = np.array([1.0, 2.0, 3.0, 4.0])
    squares, _ = symlab.map(lambda e: e ** 2, x)
    np.testing.assert_array_equal(agree([x], squares, [v]), v ** 2)
    total, _ = symlab.reduce(lambda e, acc: acc + e, x, np.float64(0))
    assert agree([x], total, [v]) == 10.0
    left, _ = symlab.foldl(lambda e, acc: acc * 10 + e, x, np.float64(0))
    right, _ = symlab.foldr(lambda e, acc: acc * 10 + e, x, np.float64(0))
    assert agree([x], left, [v]) == 1234.0
    assert agree([x], right, [v]) == 4321.0
    pair, _ = symlab.map(lambda a, b: [a + b, a * b], [x, x[::-1]])
    got = function([x], pair)(v)
    np.testing.assert_array_equal(got[0], v + v[::-1])
    np.testing.assert_array_equal(got[1], v * v[::-1])


# ---------------------------------------------------------------- the inner graph

def test_the_inner_graph_is_optimized_with_its_own_trace_and_lowered_once():
    x = T.dmatrix("x")
    h0 = T.dvector("h0")
    out, _ = symlab.scan(lambda x_t, h: T.tanh(h * 1 + x_t) * 2, sequences=x, outputs_info=h0)
    f = function([x, h0], out)
    assert "optimize_inner_graphs" in f.trace.rewrite_names()
    (node,) = scan_nodes(f)
    (inner,) = node.op.inner_graphs()
    assert inner.trace is not None
    assert "mul_by_one" in inner.trace.rewrite_names()
    assert "fuse_elementwise" in inner.trace.rewrite_names()
    assert "def _scan_step(" in f.source
    assert node.op.step_function() is node.op.step_function()
    # excluded by name, the inner graph runs as built
    g = function([x, h0], out, mode=Mode(exclude=["inner_graphs"]))
    (plain,) = scan_nodes(g)
    assert plain.op.inner_graphs()[0].trace is None
    xv, hv = rng.standard_normal((3, 2)), rng.standard_normal(2)
    np.testing.assert_allclose(f(xv, hv), g(xv, hv), rtol=1e-15)


def test_loop_invariant_values_are_inputs_of_the_loop():
    x = T.dmatrix("x")
    W = T.dmatrix("W")
    WT = W.T        # built before scan: computed once, outside
    out, _ = symlab.scan(lambda x_t: T.dot(WT, x_t), sequences=x)
    assert WT in out.owner.inputs


def test_loop_invariant_values_built_in_fn_are_computed_once_outside():
    x = T.dmatrix("x")
    W = T.dmatrix("W")
    out, _ = symlab.scan(lambda x_t, W: T.dot(T.exp(W).T, x_t), sequences=x, non_sequences=W)
    f = function([x, W], out)
    assert "scan_pushout" in f.trace.rewrite_names()
    (node,) = scan_nodes(f)
    (inner,) = node.op.inner_graphs()
    inner_ops = [n.op.name for n in toposort(inner.outputs, stop_at=set(inner.inputs))]
    assert inner_ops == ["dot"]
    assert "exp" in [n.op.name for n in f.graph_after.toposort()]
    xv, wv = rng.standard_normal((3, 2)), rng.standard_normal((2, 2))
    np.testing.assert_allclose(f(xv, wv), xv @ np.exp(wv), rtol=1e-14)
    g = function([x, W], out, mode=Mode(exclude=["scan_pushout"]))
    assert "exp" in [n.op.name for n in toposort(scan_nodes(g)[0].op.inner_outputs)]


def test_a_loop_stacks_only_what_is_used():
    x = T.dvector("x")
    total, _ = symlab.reduce(lambda e, acc: acc + e, x, np.float64(0))
    f = function([x], total)
    assert "scan_save_mem" in f.trace.rewrite_names()
    (node,) = scan_nodes(f)
    assert node.op.n_nitsot == 0 and len(node.outputs) == 1     # the last value, no stack
    assert f(np.arange(5.0)) == 10.0
    assert f(np.zeros(0)) == 0.0            # no steps: the initial value (no IndexError)
    (squares, cubes), _ = symlab.map(lambda e: [e ** 2, e ** 3], x)
    g = function([x], cubes)
    (node,) = scan_nodes(g)
    assert node.op.n_nitsot == 1            # the squares are not stacked
    np.testing.assert_array_equal(g(np.arange(3.0)), [0.0, 1.0, 8.0])


def test_a_function_with_a_scan_pickles():
    x = T.dmatrix("x")
    h0 = T.dvector("h0")
    out, _ = symlab.scan(lambda x_t, h: T.tanh(h + x_t), sequences=x, outputs_info=h0)
    f = function([x, h0], out)
    g = pickle.loads(pickle.dumps(f))
    xv, hv = rng.standard_normal((3, 2)), rng.standard_normal(2)
    np.testing.assert_array_equal(f(xv, hv), g(xv, hv))


def test_nested_scans():
    X = T.dmatrix("X")

    def row_cumsum(row):
        out, _ = symlab.scan(lambda e, acc: acc + e, sequences=row, outputs_info=np.float64(0))
        return out

    out, _ = symlab.scan(row_cumsum, sequences=X)
    xv = rng.standard_normal((3, 4))
    np.testing.assert_allclose(agree([X], out, [xv]), np.cumsum(xv, axis=1), rtol=1e-14)


def test_print_inside_the_loop_prints_at_each_step(capsys):
    from symlab.printing import Print
    x = T.dvector("x")
    out, _ = symlab.scan(lambda x_t: Print("step")(x_t) * 2, sequences=x)
    f = function([x], out)
    capsys.readouterr()
    f(np.array([1.0, 2.0, 3.0]))
    assert capsys.readouterr().out.count("step __str__") == 3
    assert out.owner.op.has_side_effects


def test_in_with_a_default_value_feeds_the_loop():
    x = T.dvector("x")
    out, _ = symlab.scan(lambda x_t: x_t + 1, sequences=x)
    f = function([In(x, value=np.array([1.0, 2.0]))], out)
    np.testing.assert_array_equal(f(), [2.0, 3.0])
