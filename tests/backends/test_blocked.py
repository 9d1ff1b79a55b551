"""Blocked, threaded elementwise kernels (``symlab.backends.blocked``).

Most tests shrink the blocks to a few elements and drop the size threshold
(``tiny_blocks``), so that small arrays take the blocked path and every edge
is cheap to reach: sizes around the block size, one block, 0-size, inputs
the blocked path must refuse (slices, transposes, broadcast rows), scalars,
float32, integers, booleans, in-place kernels. Each result is compared with
NumPy by hand or the reference evaluator, never with symlab itself; a
recording wrapper around ``run_blocked`` tells which path ran.
"""

import os
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import symlab.tensor as T
from symlab import In, Out, function
from symlab.backends import blocked
from symlab.debug import intermediate_values
from symlab.graph.evaluate import evaluate
from symlab.graph.traversal import graph_inputs
from symlab.tensor.elemwise import BroadcastError

ENV = ("SYMLAB_BLOCKED", "SYMLAB_BLOCK_ELEMENTS", "SYMLAB_BLOCK_MIN_ELEMENTS",
       "SYMLAB_BLOCK_MIN_WORK", "SYMLAB_THREADS")


@pytest.fixture
def runs(monkeypatch):
    """The ``(kernel name, out shape, block)`` of every blocked run of functions compiled
    from now on (the generated code binds ``run_blocked`` when it is compiled)."""
    seen = []
    real = blocked.run_blocked

    def recording(kernel, out, args, block, threads_from=0):
        seen.append((kernel.__name__, out.shape, block))
        return real(kernel, out, args, block, threads_from)

    monkeypatch.setattr(blocked, "run_blocked", recording)
    return seen


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(blocked, "ENABLED", True)
    return monkeypatch


@pytest.fixture(params=["1", "2", "4"], ids=lambda n: f"{n} thread(s)")
def tiny_blocks(request, clean_env, runs):
    """Blocks of 3 elements from 1 element on, with 1, 2 or 4 threads per call."""
    shrink(clean_env, 3)
    clean_env.setenv("SYMLAB_THREADS", request.param)
    return runs


def shrink(monkeypatch, block):
    """Blocks of ``block`` elements, and every size and amount of work worth threads."""
    monkeypatch.setattr(blocked, "BLOCK_ELEMENTS", block)
    monkeypatch.setattr(blocked, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(blocked, "MIN_WORK", 0)
    monkeypatch.setattr(blocked, "MIN_THREAD_ELEMENTS", 1)


def rng():
    return np.random.default_rng(1234)


# ---------------------------------------------------------------- the runner itself

@pytest.mark.parametrize("threads", ["1", "2", "3"])
def test_run_blocked_covers_every_element_once(monkeypatch, threads):
    monkeypatch.setenv("SYMLAB_THREADS", threads)
    monkeypatch.setattr(blocked, "MIN_THREAD_ELEMENTS", 1)

    def kernel(out, start, stop):
        out.reshape(-1)[start:stop] += 1

    for size in range(0, 21):
        for block in range(1, 8):
            out = np.zeros(size)
            assert blocked.run_blocked(kernel, out, (), block) is out
            np.testing.assert_array_equal(out, np.ones(size))


def test_an_exception_in_a_helper_thread_reaches_the_caller(monkeypatch):
    monkeypatch.setenv("SYMLAB_THREADS", "2")
    monkeypatch.setattr(blocked, "MIN_THREAD_ELEMENTS", 1)
    main = threading.current_thread()

    def kernel(out, start, stop):
        if threading.current_thread() is not main:
            raise KeyError("raised in a helper")
        time.sleep(0.01)                    # leave blocks for the helper

    with pytest.raises(KeyError, match="raised in a helper"):
        blocked.run_blocked(kernel, np.zeros(40), (), 1)
    # The pool survives: a later call runs every block.
    out = np.zeros(40)
    blocked.run_blocked(lambda o, a, b: o.__setitem__(slice(a, b), 1.0), out, (), 3)
    np.testing.assert_array_equal(out, 1.0)


def test_an_exception_in_the_caller_waits_for_the_helpers(monkeypatch):
    monkeypatch.setenv("SYMLAB_THREADS", "2")
    monkeypatch.setattr(blocked, "MIN_THREAD_ELEMENTS", 1)
    main = threading.current_thread()
    running = []

    def kernel(out, start, stop):
        if threading.current_thread() is main and start > 0:
            raise ZeroDivisionError("raised in the caller")
        running.append(1)
        time.sleep(0.005)
        running.pop()

    with pytest.raises(ZeroDivisionError):
        blocked.run_blocked(kernel, np.zeros(20), (), 1)
    assert running == []                   # no helper still writes after the call returned


def test_settings_come_from_the_environment(clean_env):
    clean_env.setenv("SYMLAB_BLOCKED", "0")
    clean_env.setenv("SYMLAB_BLOCK_ELEMENTS", "1000")
    clean_env.setenv("SYMLAB_BLOCK_MIN_WORK", "5")
    config = blocked.settings()
    assert not config.enabled and config.block_elements == 1000 and config.min_work == 5
    clean_env.setenv("SYMLAB_THREADS", "1")
    assert blocked.threads() == 1
    clean_env.setenv("SYMLAB_THREADS", "3")
    assert blocked.threads() == 3                         # even on fewer cores
    clean_env.delenv("SYMLAB_THREADS")
    assert blocked.threads() == (os.cpu_count() or 1)
    clean_env.setenv("SYMLAB_BLOCK_ELEMENTS", "many")
    with pytest.raises(ValueError, match="SYMLAB_BLOCK_ELEMENTS"):
        blocked.settings()


def test_importing_symlab_and_small_calls_start_no_thread():
    code = (
        "import threading, numpy as np\n"
        "import symlab, symlab.tensor as T\n"
        "from symlab.backends import blocked\n"
        "assert threading.active_count() == 1\n"
        "x = T.dmatrix('x')\n"
        "f = symlab.function([x], 1 / (1 + T.exp(-x)))\n"
        "assert '_run_blocked' in f.source\n"
        "f(np.ones((2, 2)))\n"
        "assert threading.active_count() == 1 and blocked._POOL is None\n"
        "f(np.ones((1000, 1000)))\n"
        "print(threading.active_count() - 1)\n")
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env.update(SYMLAB_BLOCKED="1", SYMLAB_THREADS="2")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == max(os.cpu_count() or 1, 1)   # the pool, once a big call came


# ---------------------------------------------------------------- what the source shows

def test_the_source_shows_the_choice_and_the_block_function(tiny_blocks, clean_env):
    x = T.dmatrix("x")
    f = function([x], T.exp(x) * 2 + 1)
    assert "if x.size >= 1 and x.flags.c_contiguous:" in f.source
    assert "_run_blocked(_kernel_" in f.source
    assert "\ndef _kernel_" in f.source and "(_out, x, _start, _stop):" in f.source
    assert "_x_blk = x.reshape(-1)[_start:_stop]" in f.source
    compile(f.source, "<test>", "exec")
    clean_env.setenv("SYMLAB_BLOCKED", "0")
    g = function([x], T.exp(x) * 2 + 1)
    assert "_kernel_" not in g.source and "_run_blocked" not in g.source


def test_the_default_thresholds(clean_env, runs):
    x = T.dmatrix("x")
    f = function([x], 1 / (1 + T.exp(-x)))
    small = np.array([[0.5, -1.0], [2.0, -3.0]])
    np.testing.assert_allclose(f(small), 1 / (1 + np.exp(-small)), rtol=1e-15)
    assert runs == []
    # A sigmoid runs in blocks from MIN_ELEMENTS on, with threads from MIN_WORK / 4 on.
    assert f"x.size >= {blocked.MIN_ELEMENTS} " in f.source
    assert f"threads_from={blocked.MIN_WORK // 4})" in f.source
    # Other kernels, only where threads take part.
    g = function([x], T.exp(x) * 2)
    assert f"x.size >= {blocked.MIN_WORK // 2} " in g.source
    assert f"threads_from={blocked.MIN_WORK // 2})" in g.source


def test_threads_join_from_threads_from_on(monkeypatch):
    monkeypatch.setenv("SYMLAB_THREADS", "2")
    monkeypatch.setattr(blocked, "MIN_THREAD_ELEMENTS", 1)
    seen = set()

    def kernel(out, start, stop):
        seen.add(threading.current_thread())
        time.sleep(0.002)

    blocked.run_blocked(kernel, np.zeros(20), (), 1, threads_from=21)
    assert seen == {threading.current_thread()}
    blocked.run_blocked(kernel, np.zeros(20), (), 1, threads_from=20)
    assert len(seen) == 2


# ---------------------------------------------------------------- values, by shape

SIZES = [1, 2, 3, 4, 6, 7, 10, 31]


@pytest.mark.parametrize("size", SIZES)
def test_a_fused_kernel_of_vectors_and_scalars(tiny_blocks, size):
    x, y = T.dvectors("x", "y")
    a = T.dscalar("a")
    f = function([x, y, a], T.exp(x) * 2 + T.sqrt(T.abs(y)) - a)
    values = rng().standard_normal((2, size))
    got = f(values[0], values[1], 0.25)
    np.testing.assert_allclose(got, np.exp(values[0]) * 2 + np.sqrt(np.abs(values[1])) - 0.25,
                               rtol=1e-15)
    assert [shape for _, shape, _ in tiny_blocks] == [(size,)]


@pytest.mark.parametrize("shape", [(1, 1), (3, 1), (1, 3), (5, 7), (2, 3, 4)])
def test_any_ndim_is_flattened(tiny_blocks, shape):
    x = T.tensor("float64", shape=(None,) * len(shape), name="x")
    y = T.tensor("float64", shape=(None,) * len(shape), name="y")
    f = function([x, y], T.tanh(x) * y + 1)
    xv, yv = rng().standard_normal((2,) + shape)
    np.testing.assert_allclose(f(xv, yv), np.tanh(xv) * yv + 1, rtol=1e-15)
    assert [s for _, s, _ in tiny_blocks] == [shape]


def test_exactly_one_block_and_sizes_past_it(clean_env, runs):
    shrink(clean_env, 8)
    clean_env.setenv("SYMLAB_THREADS", "1")
    x = T.dvector("x")
    f = function([x], T.sin(x) * 3 - 1)
    for size in (7, 8, 9, 16, 17):
        value = np.linspace(-2, 2, size)
        np.testing.assert_allclose(f(value), np.sin(value) * 3 - 1, rtol=1e-15)
    assert [s for _, s, _ in runs] == [(7,), (8,), (9,), (16,), (17,)]


def test_zero_size_arrays_use_the_straight_code(tiny_blocks):
    x = T.dmatrix("x")
    f = function([x], T.exp(x) * 2 + 1)
    for shape in ((0, 3), (3, 0), (0, 0)):
        got = f(np.zeros(shape))
        assert got.shape == shape and got.dtype == np.float64
    assert tiny_blocks == []


def test_slices_and_transposes_use_the_straight_code(tiny_blocks):
    x, y = T.dmatrices("x", "y")
    f = function([x, y], T.exp(x) * 2 + y)
    base = rng().standard_normal((6, 8))
    for xv, yv in ((base[::2], base[1::2]), (base[:, :4], base[:, 4:]),
                   (base.T[:4], base[:, :4].T),
                   (base[:4, :4].T, base[2:, 4:])):
        np.testing.assert_allclose(f(xv, yv), np.exp(xv) * 2 + yv, rtol=1e-15)
    assert tiny_blocks == []
    # A transpose inside the graph is a view: the kernel after it runs straight.
    g = function([x], T.exp(x.T) + 1)
    np.testing.assert_allclose(g(base), np.exp(base.T) + 1, rtol=1e-15)
    assert tiny_blocks == []
    # Contiguous arguments of the same shape do take the blocked path.
    np.testing.assert_allclose(f(base, base * 2), np.exp(base) * 2 + base * 2, rtol=1e-15)
    assert len(tiny_blocks) == 1


def test_broadcast_inputs_use_the_straight_code(tiny_blocks):
    m, r, c = T.dmatrix("m"), T.drow("r"), T.dcol("c")
    v = T.dvector("v")
    for inputs, expr, values, by_hand in (
            ([m, r], T.exp(m) + r, [np.ones((4, 5)), np.arange(5.0)[None]],
             lambda a, b: np.exp(a) + b),
            ([m, c], m * c - 1, [np.ones((4, 5)), np.arange(4.0)[:, None]],
             lambda a, b: a * b - 1),
            ([m, v], T.tanh(m) + v, [np.ones((4, 5)), np.arange(5.0)],
             lambda a, b: np.tanh(a) + b)):
        f = function(inputs, expr)
        np.testing.assert_allclose(f(*values), by_hand(*values), rtol=1e-15)
    assert tiny_blocks == []


def test_scalars_and_size_one_constants_broadcast_inside_blocks(tiny_blocks):
    m = T.dmatrix("m")
    s = T.dscalar("s")
    ones = T.constant(np.full((1, 1), 0.5))            # a (1, 1) constant: used as a 0-d one
    f = function([m, s], (m * s + ones) * 3.0)
    value = rng().standard_normal((4, 5))
    np.testing.assert_allclose(f(value, 2.0), (value * 2.0 + 0.5) * 3.0, rtol=1e-15)
    assert [shape for _, shape, _ in tiny_blocks] == [(4, 5)]


def test_a_runtime_size_one_that_would_stretch_raises_the_broadcast_error(tiny_blocks):
    m, n = T.dmatrices("m", "n")
    f = function([m, n], T.exp(m) + n * 2)
    with pytest.raises(BroadcastError, match=r"input 1 'n'.*T\.row"):
        f(np.ones((4, 3)), np.ones((1, 3)))
    assert tiny_blocks == []


# ---------------------------------------------------------------- dtypes

def test_float32_kernels_stay_float32(tiny_blocks):
    x, y = T.fvectors("x", "y")
    expr = T.exp(x) * 2.0 + y / 3
    f = function([x, y], expr)
    xv, yv = rng().standard_normal((2, 10)).astype("float32")
    got = f(xv, yv)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, evaluate(expr, {x: xv, y: yv}), rtol=1e-6)
    assert len(tiny_blocks) == 1


def test_casts_inside_kernels(tiny_blocks):
    f32, f64 = T.fvector("f32"), T.dvector("f64")
    i32 = T.ivector("i32")
    exprs = [f32 * f64 + 1,                                   # float32 upcast in the kernel
             T.exp(i32) + f32,                                # int -> float64
             T.cast(f64 * 2, "float32") + f32,                # an explicit cast
             T.cast(T.exp(f32), "int32") * i32]               # float -> int
    values = {f32: np.linspace(-2, 2, 10).astype("float32"), f64: np.linspace(0, 1, 10),
              i32: np.arange(-5, 5, dtype="int32")}
    for expr in exprs:
        inputs = [v for v in (f32, f64, i32) if v in graph_inputs([expr])]
        f = function(inputs, expr)
        got = f(*[values[v] for v in inputs])
        want = evaluate(expr, {v: values[v] for v in inputs})
        assert got.dtype == want.dtype, expr
        np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype == np.float32 else 1e-14)
    assert len(tiny_blocks) == len(exprs)


def test_integer_and_boolean_kernels(tiny_blocks):
    i, j = T.ivector("i"), T.lvector("j")
    iv = np.array([-7, -3, -1, 0, 1, 2, 5, 9, 60000, -60000], dtype="int32")
    jv = np.array([3, -2, 4, 5, -6, 7, 1, -1, 2, 3], dtype="int64")
    cases = [((i * 3 + j) // 2 % 5, lambda a, b: (a * 3 + b) // 2 % 5),
             (T.and_(T.gt(i, 0), T.lt(j, 3)), lambda a, b: (a > 0) & (b < 3)),
             (T.xor(i, j) | 4, lambda a, b: np.bitwise_xor(a, b) | 4),
             (T.switch(T.gt(i, j), i, j * 2), lambda a, b: np.where(a > b, a, b * 2)),
             (i * i - j, lambda a, b: (a * a).astype("int64") - b)]     # int32 * int32 wraps
    for expr, by_hand in cases:
        f = function([i, j], expr)
        got = f(iv, jv)
        want = np.asarray(by_hand(iv, jv))
        assert got.dtype == want.dtype, expr
        np.testing.assert_array_equal(got, want)
    assert len(tiny_blocks) == len(cases)


# ---------------------------------------------------------------- sigmoid

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_in_blocks_matches_the_reference_at_the_extremes(tiny_blocks, dtype):
    x = T.tensor(dtype, shape=(None,), name="x")
    f = function([x], 1 / (1 + T.exp(-x)))
    assert [n.op.name for n in f.graph_after.apply_nodes] == ["sigmoid"]
    value = np.array([-np.inf, -1e4, -800, -745, -710, -709, -100, -88, -87, -30, -1, -1e-8,
                      0, 1e-8, 1, 30, 88, 800, np.inf, np.nan], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # no overflow warning
        with np.errstate(all="warn", under="ignore"):
            got = f(value)
    want = evaluate(f.graph_after.outputs[0], {f.graph_after.inputs[0]: value})
    assert got.dtype == want.dtype == np.dtype(dtype)
    tiny = np.finfo(dtype).tiny
    np.testing.assert_allclose(got, want, rtol=8 * np.finfo(dtype).eps, atol=tiny)
    assert len(tiny_blocks) == 1


def test_a_sigmoid_inside_a_fused_kernel(tiny_blocks):
    x, y = T.dvectors("x", "y")
    expr = T.switch(T.gt(x, 0), T.nnet.sigmoid(x) * y, T.clip(y, -1, 1))
    f = function([x, y], expr)
    xv, yv = rng().standard_normal((2, 11)) * 3
    np.testing.assert_allclose(f(xv, yv), evaluate(expr, {x: xv, y: yv}), rtol=1e-14)
    assert len(tiny_blocks) == 1


# ---------------------------------------------------------------- buffers

def test_an_in_place_kernel_into_a_mutable_input(tiny_blocks):
    x = T.dvector("x")
    f = function([In(x, mutable=True)], T.exp(x) * 2)
    assert "_run_blocked(_kernel_" in f.source
    assert ", x, (x,), block=3, threads_from=1)" in f.source       # the buffer is x itself
    value = np.linspace(-1, 1, 10)
    original = value.copy()
    got = f(value)
    np.testing.assert_allclose(got, np.exp(original) * 2, rtol=1e-15)
    assert not np.shares_memory(got, value)
    assert len(tiny_blocks) == 1


def test_an_in_place_kernel_into_a_dead_intermediate(tiny_blocks):
    m, w, n = T.dmatrices("m", "w", "n")
    expr = T.tanh(T.dot(m, w) * 2 + n)
    f = function([m, w, n], expr)
    assert "inplace_elemwise" in f.trace.rewrite_names()
    mv, wv, nv = rng().standard_normal((3, 4, 4))
    copies = [mv.copy(), wv.copy(), nv.copy()]
    first = f(mv, wv, nv)
    np.testing.assert_allclose(first, np.tanh(mv @ wv * 2 + nv), rtol=1e-14)
    for given, kept in zip((mv, wv, nv), copies):
        np.testing.assert_array_equal(given, kept)
    held = first.copy()
    f(mv * 2, wv, nv)
    np.testing.assert_array_equal(first, held)
    assert len(tiny_blocks) == 2


def test_an_in_place_buffer_sharing_memory_with_another_input_is_copied_first(tiny_blocks):
    x, y = T.dvectors("x", "y")
    f = function([In(x, mutable=True), y], T.exp(x) + y)
    value = np.linspace(-1, 1, 10)
    kept = value.copy()
    np.testing.assert_allclose(f(value, value), np.exp(kept) + kept, rtol=1e-15)
    np.testing.assert_array_equal(value, kept)     # worked on a copy: y still reads value
    np.testing.assert_allclose(f(np.zeros(10), np.ones(10)), np.full(10, 2.0), rtol=1e-15)
    assert len(tiny_blocks) == 2


def test_a_borrowed_output_never_aliases_an_input(tiny_blocks):
    x, y = T.dmatrices("x", "y")
    f = function([x, y], Out(T.exp(x) + y, borrow=True))
    xv, yv = rng().standard_normal((2, 3, 5))
    got = f(xv, yv)
    np.testing.assert_allclose(got, np.exp(xv) + yv, rtol=1e-15)
    assert not np.shares_memory(got, xv) and not np.shares_memory(got, yv)
    again = f(xv * 2, yv)
    assert again is got                                  # the buffer is kept between calls
    np.testing.assert_allclose(again, np.exp(xv * 2) + yv, rtol=1e-15)
    assert not np.shares_memory(again, yv)
    assert len(tiny_blocks) == 2


# ---------------------------------------------------------------- errors, warnings, probes

def overflowing_function():
    x = T.dvector("x")
    return x, function([x], T.exp(x) * 2 + 1)


def test_the_callers_errstate_holds_in_every_thread(tiny_blocks):
    x, f = overflowing_function()
    value = np.zeros(30)
    value[-1] = value[10] = 1000.0                      # overflows, in two blocks
    with pytest.warns(RuntimeWarning, match="overflow"):
        f(value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore"):
            assert np.isinf(f(value)).sum() == 2
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError, match="overflow"):
            f(value)
    called = []
    with np.errstate(over="call", call=lambda kind, flag: called.append(kind)):
        f(value)
    assert called and set(called) == {"overflow"}


def test_helper_threads_run_blocks_under_the_callers_errstate(clean_env, runs):
    shrink(clean_env, 16)
    clean_env.setenv("SYMLAB_THREADS", "2")
    x, f = overflowing_function()
    value = np.zeros(50_000)
    value[::100] = 1000.0                                # an overflow in every 7th block or so
    threads = set()

    def seen(kind, flag):
        assert kind == "overflow"
        threads.add(threading.current_thread())

    deadline = time.monotonic() + 10
    while len(threads) < 2 and time.monotonic() < deadline:   # a busy machine may be slow
        with np.errstate(all="ignore", over="call", call=seen):
            assert np.isinf(f(value)).sum() == 500
    assert threading.current_thread() in threads and len(threads) == 2
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(f(value), np.exp(value) * 2 + 1, rtol=1e-15)


def test_a_failure_inside_a_block_names_the_node_and_its_whole_inputs(tiny_blocks):
    x, f = overflowing_function()
    value = np.zeros(30)
    value[-1] = 1000.0
    with np.errstate(over="raise"), pytest.raises(FloatingPointError) as info:
        f(value)
    failure = f.last_failure
    assert failure is not None and failure.node is f.graph_after.outputs[0].owner
    assert "failed at node fused{" in str(info.value)
    assert "(x): float64 (30,)" in str(info.value)


def test_profiles_and_intermediate_values_see_the_blocked_node(tiny_blocks):
    x = T.dvector("x")
    expr = T.exp(x) * 2 + 1
    f = function([x], expr, profile=True)
    value = np.linspace(0, 1, 20)
    for _ in range(3):
        np.testing.assert_allclose(f(value), np.exp(value) * 2 + 1, rtol=1e-15)
    assert f.profile.calls == 3 and f.profile.node_times[0] > 0
    values = intermediate_values(function([x], expr), value)
    assert any(np.allclose(v, np.exp(value) * 2 + 1) for v in values.values()
               if np.shape(v) == value.shape)


# ---------------------------------------------------------------- real sizes, default settings

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_large_logistic_above_the_default_threshold(clean_env, runs, dtype):
    x = T.tensor(dtype, shape=(None, None), name="x")
    f = function([x], 1 / (1 + T.exp(-x)))
    value = (rng().standard_normal((1000, 1000)) * 5).astype(dtype)
    got = f(value)
    want = 1 / (1 + np.exp(-value))
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps)
    assert runs == [(runs[0][0], (1000, 1000), blocked.BLOCK_ELEMENTS)]


def test_a_long_chain_on_a_large_vector(clean_env, runs):
    v = T.dvector("v")
    y = v
    for _ in range(200):
        y = T.tanh(y) + 0.5
    f = function([v], y)
    value = rng().standard_normal(10_000)
    want = value
    for _ in range(200):
        want = np.tanh(want) + 0.5
    np.testing.assert_allclose(f(value), want, rtol=1e-13)
    assert len(runs) == 1


# ---------------------------------------------------------------- Out(borrow=True): kept buffers

def _logistic(x):
    return 1 / (1 + np.exp(-x))


def test_borrowed_output_reuses_its_buffer(tiny_blocks):
    x = T.dvector("x")
    f = function([x], Out(T.exp(x) * 2 + 1, borrow=True))
    a, b = rng().standard_normal(10), rng().standard_normal(10) + 1
    first = f(a)
    np.testing.assert_allclose(first, np.exp(a) * 2 + 1, rtol=1e-12)
    second = f(b)
    assert second is first                       # the same buffer, overwritten
    np.testing.assert_allclose(second, np.exp(b) * 2 + 1, rtol=1e-12)
    assert "_kept_buffer(" in f.source


def test_borrowed_buffer_not_reused_when_passed_back_or_reshaped(tiny_blocks):
    x = T.dvector("x")
    f = function([x], Out(T.sigmoid(x * 3), borrow=True))
    a = rng().standard_normal(7)
    first = f(a)
    want = _logistic(_logistic(a * 3) * 3)
    again = f(first)                             # the kept buffer is the input: a new one
    assert again is not first
    np.testing.assert_allclose(again, want, rtol=1e-12)
    longer = f(np.arange(9.0))                   # another shape: a new one
    assert longer.shape == (9,)
    np.testing.assert_allclose(longer, _logistic(np.arange(9.0) * 3), rtol=1e-12)


def test_unborrowed_outputs_and_updates_get_fresh_buffers(tiny_blocks):
    from symlab import shared
    x = T.dvector("x")
    s = shared(np.zeros(5), name="s")
    y = T.exp(x) + 1
    f = function([x], [Out(y, borrow=True), y * 2], updates=[(s, y)])
    a = rng().standard_normal(5)
    out1, twice1 = f(a)
    kept = s.get_value(borrow=True)
    assert not np.may_share_memory(kept, out1)   # the update is a copy of the borrowed one
    out2, twice2 = f(a + 1)
    assert twice2 is not twice1
    np.testing.assert_allclose(twice1, (np.exp(a) + 1) * 2, rtol=1e-12)
    np.testing.assert_allclose(kept, np.exp(a) + 1, rtol=1e-12)
    np.testing.assert_allclose(out2, np.exp(a + 1) + 1, rtol=1e-12)
    g = function([x], T.exp(x) + 1)              # not borrowed: never kept
    assert "_kept_buffer(" not in g.source
    assert g(a) is not g(a)
