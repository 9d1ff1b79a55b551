"""The device random generator (``symlab/backends/cuda_random.py``), without a GPU.

The kernels' CUDA C is compiled by ``nvcc -arch=sm_90`` (skipped where nvcc
is missing) and, the same text, by g++ for the host, where it runs against
independent references:

* the raw 64-bit words against NumPy's own ``numpy.random.Philox`` bit
  generator (Philox4x64-10), for several keys and starting counters,
  including counters whose increments carry from one 64-bit word into the
  next ones and wrap around 2**256;
* ``uniform`` against NumPy's ``Generator(Philox).random()`` (NumPy's
  float64 rule, ``(word >> 11) * 2**-53``), bit for bit;
* ``normal`` against Box-Muller written here with Python's ``math`` on the
  same words, within a few units in the last place.
"""

import math
import shutil

import numpy as np
import pytest

from symlab.backends.cuda_random import draw_kernel, raw_kernel
from symlab.random import random_variable, shared_rng
from symlab.random import philox

from kernel_harness import HostLibrary, compile_cuda, nvcc_path

needs_nvcc = pytest.mark.skipif(nvcc_path() is None, reason="nvcc (the CUDA compiler) is not "
                                "installed; the kernels' CUDA source is not compiled")

KEYS = [(0, 0), (1, 2), (0xFFFFFFFFFFFFFFFF, 0x0123456789ABCDEF),
        (0x9E3779B97F4A7C15, 0xFFFFFFFFFFFFFFFF)]
#: Starting counters: 0, small, carrying from word 0 into word 1 within the draw, carrying
#: across three words, wrapping around 2**256.
COUNTERS = [0, 5, 2 ** 64 - 3, 2 ** 192 - 2, 2 ** 256 - 2]
N = 40      # words per check: 10 blocks


def _draw_node(distribution, dtype="float64", params=(0.0, 1.0)):
    _, values = random_variable(distribution, shared_rng(0), (N,), params, dtype=dtype)
    return values.owner


def _kernels():
    kernels = {"raw": raw_kernel()}
    for distribution in ("uniform", "normal"):
        for dtype in ("float64", "float32"):
            kernels[distribution, dtype], why = draw_kernel(_draw_node(distribution, dtype))
            assert why is None
    return kernels


KERNELS = _kernels()


@pytest.fixture(scope="module")
def host():
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed; the kernels are not run on the host")
    library = HostLibrary(list(KERNELS.values()))
    yield library
    library.close()


def _numpy_words(key, counter, n):
    """NumPy's Philox: it adds one to its counter before each block, hence counter - 1."""
    bits = np.random.Philox(key=np.array(key, np.uint64), counter=(counter - 1) % 2 ** 256)
    return bits.random_raw(n)


def _words(counter):
    return [np.uint64((counter >> (64 * k)) & (2 ** 64 - 1)) for k in range(4)]


def _run_draw(host, kernel, key, params, n=N):
    # One array argument gives the loop its length (n); the kernel reads its index i.
    first = np.full(n, params[0], dtype=np.float64)
    return host.run(kernel, [first, params[1], np.uint64(key[0]), np.uint64(key[1])])


@pytest.mark.parametrize("counter", COUNTERS)
@pytest.mark.parametrize("key", KEYS)
def test_the_raw_words_are_numpys_philox4x64_10(host, key, counter):
    kernel = KERNELS["raw"]
    got = host.run(kernel, [np.full(N, key[0], np.uint64), np.uint64(key[1]), *_words(counter)])
    np.testing.assert_array_equal(got, _numpy_words(key, counter, N))


def test_the_host_reference_words_are_numpys_too():
    for key in KEYS:
        for counter in COUNTERS:
            np.testing.assert_array_equal(philox.raw_words(key, N, counter),
                                          _numpy_words(key, counter, N))


@pytest.mark.parametrize("key", KEYS)
def test_uniform_is_numpys_generator_random_bit_for_bit(host, key):
    generator = np.random.Generator(np.random.Philox(key=np.array(key, np.uint64),
                                                     counter=2 ** 256 - 1))
    want = generator.random(N)          # (word >> 11) * 2**-53: NumPy's own float64 rule
    got = _run_draw(host, KERNELS["uniform", "float64"], key, (0.0, 1.0))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(philox.uniform(key, (N,)), want)
    # low + (high - low) * u, rounded as NumPy rounds it; float32: the float64 value cast.
    scaled = _run_draw(host, KERNELS["uniform", "float64"], key, (-3.0, 5.5))
    np.testing.assert_array_equal(scaled, -3.0 + 8.5 * want)
    single = _run_draw(host, KERNELS["uniform", "float32"], key, (-3.0, 5.5))
    assert single.dtype == np.float32
    np.testing.assert_array_equal(single, (-3.0 + 8.5 * want).astype(np.float32))


def _box_muller(key, n):
    """Box-Muller by hand with Python's math, on NumPy's Philox words."""
    words = [int(w) for w in _numpy_words(key, 0, n + n % 2)]
    out = []
    for a, b in zip(words[0::2], words[1::2]):
        u1 = ((a >> 11) + 1) / 2 ** 53
        u2 = (b >> 11) / 2 ** 53
        r = math.sqrt(-2 * math.log(u1))
        out += [r * math.cos(2 * math.pi * u2), r * math.sin(2 * math.pi * u2)]
    return np.array(out[:n])


@pytest.mark.parametrize("key", KEYS)
def test_normal_is_box_muller_on_the_philox_words(host, key):
    want = _box_muller(key, N)
    ulps = 4 * np.spacing(np.abs(want)) + 1e-300
    got = _run_draw(host, KERNELS["normal", "float64"], key, (0.0, 1.0))
    assert np.all(np.abs(got - want) <= ulps), np.max(np.abs(got - want) / ulps)
    assert np.all(np.abs(philox.normal(key, (N,)) - want) <= ulps)
    shifted = _run_draw(host, KERNELS["normal", "float64"], key, (10.0, 0.5))
    np.testing.assert_allclose(shifted, 10.0 + 0.5 * want, rtol=1e-15, atol=0)
    single = _run_draw(host, KERNELS["normal", "float32"], key, (0.0, 1.0))
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, want.astype(np.float32), rtol=2 ** -23)


def test_a_long_draw_spans_many_blocks_without_repeating(host):
    key = (12345, 678)
    n = 4096
    got = _run_draw(host, KERNELS["uniform", "float64"], key, (0.0, 1.0), n)
    np.testing.assert_array_equal(got, philox.uniform(key, (n,)))
    assert len(np.unique(got)) == n


@needs_nvcc
def test_nvcc_compiles_the_random_kernels_for_sm_90():
    assert compile_cuda(list(KERNELS.values())) > 0


def test_draws_without_a_device_kernel_say_why():
    for distribution, params, word in (("binomial", (1, 0.5), "no device kernel"),
                                       ("poisson", (1.0,), "no device kernel"),
                                       ("random_integers", (0, 5), "no device kernel")):
        _, values = random_variable(distribution, shared_rng(0), (3,), params)
        kernel, why = draw_kernel(values.owner)
        assert kernel is None and word in why and "host state" in why
    kernel, why = draw_kernel(_draw_node("uniform", "int64"))
    assert kernel is None and "draws int64" in why
