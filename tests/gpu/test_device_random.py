"""Random draws in functions on 'cuda', run on the host stand-in for CuPy (``host_backend``).

The generated code is the one CuPy runs: the draw's kernel (its C compiled by
g++ here) keyed by two words drawn from the variable's host state. Checked:
the numbers are the counter-based draw keyed from the state (computed
independently with NumPy's Philox), reproducible from the seed; the history
steps back and replays device draws; ``kind='philox'`` gives the CPU's
numbers; draws without a device kernel stay on the host and say why; bad
parameters raise naming the draw, and a failing call changes no state.
"""

import numpy as np
import pytest

import symlab.tensor as T
from symlab import function, shared
from symlab.random import RandomStreams, history

SEED = 123
#: RandomStreams(123)'s first variable's state (Theano's derivation; docs/random.md).
FIRST_STATE = 843828734


def _philox_uniform(key, n):
    """NumPy's Generator on Philox at counter 0 (NumPy bumps the counter first)."""
    bits = np.random.Philox(key=np.asarray(key, np.uint64), counter=2 ** 256 - 1)
    return np.random.Generator(bits).random(n)


def test_a_device_draw_is_keyed_by_two_words_of_the_host_state(host_backend):
    srng = RandomStreams(SEED)
    u = srng.uniform((2, 3), -1.0, 1.0)
    f = function([], u, device="cuda", return_numpy=True)
    assert "on the device, Philox4x64-10" in f.source and "# on the host" not in f.source
    state = np.random.RandomState(FIRST_STATE)
    first_key = state.randint(0, 2 ** 64, size=2, dtype=np.uint64)
    second_key = state.randint(0, 2 ** 64, size=2, dtype=np.uint64)
    first, second = f(), f()
    np.testing.assert_array_equal(first, (-1.0 + 2.0 * _philox_uniform(first_key, 6))
                                  .reshape(2, 3))
    np.testing.assert_array_equal(second, (-1.0 + 2.0 * _philox_uniform(second_key, 6))
                                  .reshape(2, 3))
    # The host state advanced by exactly one key per call.
    assert u.rng.get_value().get_state()[2] == state.get_state()[2]
    np.testing.assert_array_equal(u.rng.get_value().get_state()[1], state.get_state()[1])


def test_device_draws_are_reproducible_from_the_seed_and_differ_from_the_cpus(host_backend):
    srng = RandomStreams(SEED)
    u, n = srng.uniform((50,)), srng.normal((7,), 2.0, 3.0)
    f = function([], [u, n], device="cuda", return_numpy=True)
    g = function([], [u, n])
    calls = [f() for _ in range(3)]
    srng.seed(SEED)
    again = [f() for _ in range(3)]
    for (a_u, a_n), (b_u, b_n) in zip(calls, again):
        np.testing.assert_array_equal(a_u, b_u)
        np.testing.assert_array_equal(a_n, b_n)
    assert not np.array_equal(calls[0][0], calls[1][0])
    srng.seed(SEED)
    cpu_u, _ = g()                    # Theano's numbers on the CPU, others on the GPU
    assert not np.allclose(cpu_u, calls[0][0])
    # get_state/set_state on the host state work for the device draws too.
    state = u.rng.get_value().get_state()
    one = f()[0]
    rng = u.rng.get_value(borrow=True)
    rng.set_state(state)
    u.rng.set_value(rng, borrow=True)
    np.testing.assert_array_equal(f()[0], one)


def test_the_history_steps_back_and_replays_device_draws(host_backend):
    srng = RandomStreams(7)
    u, n = srng.uniform((3,)), srng.normal((4,))
    f = function([], [u, n * 1], device="cuda", return_numpy=True)
    h = history(srng)
    calls = [f() for _ in range(4)]
    assert h.draws == 4
    for k, (c_u, c_n) in enumerate(calls, start=1):
        replayed = h.replay(k)
        np.testing.assert_array_equal(replayed[u], c_u)
        np.testing.assert_array_equal(replayed[n], c_n)
        np.testing.assert_array_equal(history(u).replay(k), c_u)
        assert isinstance(replayed[u], np.ndarray)
    h.back(2)
    redrawn = [f() for _ in range(2)]
    for (a_u, a_n), (c_u, c_n) in zip(redrawn, calls[2:]):
        np.testing.assert_array_equal(a_u, c_u)
        np.testing.assert_array_equal(a_n, c_n)
    h.back(3)
    h.forward(1)
    np.testing.assert_array_equal(f()[0], calls[2][0])
    with pytest.raises(IndexError):
        h.back(10)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_philox_kind_draws_the_same_numbers_on_cpu_and_cuda(host_backend, dtype):
    def make():
        srng = RandomStreams(SEED, kind="philox")
        return srng, srng.uniform((4, 5), 1.0, 3.0, dtype=dtype), \
            srng.normal((9,), -1.0, 2.0, dtype=dtype)

    cpu_stream, cu, cn = make()
    gpu_stream, gu, gn = make()
    cpu = function([], [cu, cn])
    gpu = function([], [gu, gn], device="cuda", return_numpy=True)
    for _ in range(3):
        (a_u, a_n), (b_u, b_n) = cpu(), gpu()
        assert a_u.dtype == b_u.dtype == dtype
        np.testing.assert_array_equal(a_u, b_u)      # uniform: bit for bit
        np.testing.assert_allclose(a_n, b_n, rtol=8 * np.finfo(dtype).eps,
                                   atol=8 * np.finfo(dtype).eps)
    assert cpu_stream.history.fingerprint == gpu_stream.history.fingerprint
    gpu_stream.history.back(1)
    np.testing.assert_array_equal(gpu()[0], a_u)


def test_draw_shapes_parameters_and_dtypes_on_the_device(host_backend):
    srng = RandomStreams(3, kind="philox")
    x = T.dmatrix("x")
    low = T.dvector("low")
    draws = [srng.uniform(),                          # 0-d, still on the device
             srng.uniform(x.shape),                   # size from a shape
             srng.uniform((2, 3), low, 10.0),         # a device parameter, broadcast
             srng.normal((2, 3), low, 0.5),
             srng.uniform(low=low, high=low + 1.0)]   # size None: the parameters' shape
    cpu = function([x, low], draws, on_unused_input="ignore")
    gpu = function([x, low], draws, device="cuda", return_numpy=True,
                   on_unused_input="ignore")
    assert "# on the host" not in gpu.source
    srng.seed(3)
    args = (np.zeros((4, 2)), np.array([0.0, 1.0, 2.0]))
    want = cpu(*args)
    srng.seed(3)
    got = gpu(*args)
    for k, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape and g.dtype == w.dtype, k
        np.testing.assert_allclose(g, w, rtol=1e-14, err_msg=str(k))
    assert got[0].shape == () and got[1].shape == (4, 2) and got[4].shape == (3,)


def test_draws_without_a_device_kernel_stay_on_the_host_and_say_why(host_backend):
    srng = RandomStreams(5)
    b = srng.binomial((6,), 10, 0.3)
    u = srng.uniform((6,))
    f = function([], [b, u], device="cuda", return_numpy=True)
    assert "# on the host: binomial_rv{int64} has no device kernel" in f.source
    g = function([], b)
    first = f()[0]
    srng.seed(5)
    np.testing.assert_array_equal(first, g())     # drawn from the host state, as on the CPU


def test_bad_parameters_raise_naming_the_draw_and_change_no_state(host_backend):
    srng = RandomStreams(9)
    std = T.dscalar("std")
    low = T.dvector("low")
    n = srng.normal((3,), 0.0, std)
    u = srng.uniform((2,), low, 1.0)
    f = function([std], n, device="cuda", return_numpy=True)
    g = function([low], u, device="cuda", return_numpy=True)
    h = history(srng)
    before, fingerprint = f(1.0), h.fingerprint
    with pytest.raises(ValueError, match=r"normal_rv\{float64\} \(drawing .*\): std must be "
                                         r">= 0; got std=.*-1"):
        f(-1.0)
    with pytest.raises(ValueError, match=r"uniform_rv\{float64\} \(drawing .*\): the "
                                         r"parameters \(shapes \(3,\), \(\)\) do not broadcast "
                                         r"to the size \(2,\)"):
        g(np.zeros(3))
    with pytest.raises(OverflowError, match="high - low must be finite"):
        g(np.array([-np.inf, 0.0]))
    assert h.fingerprint == fingerprint and h.draws == 1
    h.back(1)
    np.testing.assert_array_equal(f(1.0), before)


def test_a_device_function_and_a_device_shared_variable_use_device_draws(host_backend):
    w = shared(np.zeros(4), name="w", device="cuda")
    srng = RandomStreams(1, kind="philox")
    noise = srng.normal((4,), 0.0, 0.1)
    step = function([], w.sum(), updates=[(w, w + noise)], device="cuda")
    for _ in range(3):
        step()
    cpu_w = shared(np.zeros(4), name="w_cpu")
    srng2 = RandomStreams(1, kind="philox")
    noise2 = srng2.normal((4,), 0.0, 0.1)
    cpu_step = function([], cpu_w.sum(), updates=[(cpu_w, cpu_w + noise2)])
    for _ in range(3):
        cpu_step()
    np.testing.assert_allclose(w.get_value(), cpu_w.get_value(), rtol=1e-13)
