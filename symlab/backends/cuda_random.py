"""Random draws on the GPU: Philox4x64-10 in CUDA C, and the kernels of the draws.

A draw on the device is counter-based (``symlab/random/philox.py`` defines
the numbers): the random op draws a key (two 64-bit words) from the
variable's host state, and one kernel computes element ``i`` from the
Philox4x64-10 block at counter ``i // 4`` under that key. No device state
is kept between calls: the host state is the only state, so seeding, the
history and a failing call work as on the CPU.

The generator is written here once, as helpers of the kernels' preamble
(``cuda_source.register_helper``), in C that compiles both with ``nvcc`` /
NVRTC (``__umul64hi``) and with a host C++ compiler (``unsigned __int128``),
so the tests run the same text on the CPU against NumPy's ``Philox``. Like
``cuda_source``, nothing here imports CuPy: ``draw_kernel`` returns the
``KernelSource`` of a node's draw (its body is the distribution row's
``cuda`` expression), and ``launch`` runs the compiled kernel with whatever
array module the backend was given.

Draws whose row has no ``cuda`` expression (binomial, poisson, integers,
choice, permutation, multinomial) stay on the host: they are NumPy's
samplers, some of which loop a varying number of times per value
(rejection), and they draw from the host state exactly as on the CPU.
"""

import numpy as np

from symlab.backends.cuda_source import KernelSource, helpers_called, register_helper

__all__ = ["PHILOX_SOURCE", "draw_kernel", "raw_kernel", "launch", "DEVICE_DTYPES"]

#: The dtypes a device draw writes (computed in float64, then converted on store).
DEVICE_DTYPES = ("float32", "float64")

#: Philox4x64-10 (Salmon et al. 2011; the constants of Random123 and NumPy's philox.h).
PHILOX_SOURCE = """struct sl_philox_block { unsigned long long w0, w1, w2, w3; };
__device__ inline unsigned long long sl_mulhi64(unsigned long long a, unsigned long long b) {
#ifdef __CUDA_ARCH__
    return __umul64hi(a, b);
#else
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
#endif
}
/* Ten rounds on the counter (c0 least significant) under the key (k0, k1). */
__device__ inline sl_philox_block sl_philox4x64_10(
        unsigned long long c0, unsigned long long c1, unsigned long long c2,
        unsigned long long c3, unsigned long long k0, unsigned long long k1) {
    for (int r = 0; r < 10; ++r) {
        const unsigned long long hi0 = sl_mulhi64(0xD2E7470EE14C6C93ULL, c0);
        const unsigned long long lo0 = 0xD2E7470EE14C6C93ULL * c0;
        const unsigned long long hi1 = sl_mulhi64(0xCA5A826395121157ULL, c2);
        const unsigned long long lo1 = 0xCA5A826395121157ULL * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += 0x9E3779B97F4A7C15ULL;    /* the key schedule: golden ratio, sqrt(3) - 1 */
        k1 += 0xBB67AE8584CAA73BULL;
    }
    sl_philox_block block = {c0, c1, c2, c3};
    return block;
}
__device__ inline unsigned long long sl_philox_lane(sl_philox_block b, int lane) {
    return lane == 0 ? b.w0 : lane == 1 ? b.w1 : lane == 2 ? b.w2 : b.w3;
}
"""

# Word n of the stream whose first block has the 256-bit counter (c0, c1, c2, c3): the block
# at that counter plus n / 4, carried across the four words.
_WORD = """__device__ inline unsigned long long sl_philox_word(
        unsigned long long k0, unsigned long long k1, unsigned long long c0,
        unsigned long long c1, unsigned long long c2, unsigned long long c3,
        unsigned long long n) {
    const unsigned long long j = n >> 2;
    const unsigned long long x0 = c0 + j;
    unsigned long long carry = x0 < j;
    const unsigned long long x1 = c1 + carry;
    carry = carry && x1 == 0;
    const unsigned long long x2 = c2 + carry;
    carry = carry && x2 == 0;
    return sl_philox_lane(sl_philox4x64_10(x0, x1, x2, c3 + carry, k0, k1), (int)(n & 3));
}
"""

# uniform: (word >> 11) * 2**-53, NumPy's double on [0, 1); then low + (high - low) * u.
_UNIFORM = """__device__ inline double sl_philox_uniform(
        unsigned long long k0, unsigned long long k1, unsigned long long i, double low,
        double high) {
    const sl_philox_block b = sl_philox4x64_10(i >> 2, 0ULL, 0ULL, 0ULL, k0, k1);
    const double u = (double)(sl_philox_lane(b, (int)(i & 3)) >> 11) * 1.1102230246251565e-16;
    return low + (high - low) * u;
}
"""

# normal: Box-Muller on the pair of words 2 (i / 2), 2 (i / 2) + 1; even i: r cos t, odd: r sin t.
_NORMAL = """__device__ inline double sl_philox_normal(
        unsigned long long k0, unsigned long long k1, unsigned long long i, double avg,
        double std_) {
    const sl_philox_block b = sl_philox4x64_10(i >> 2, 0ULL, 0ULL, 0ULL, k0, k1);
    const int pair = (int)((i >> 1) & 1);
    const unsigned long long a = pair ? b.w2 : b.w0, c = pair ? b.w3 : b.w1;
    const double u1 = (double)((a >> 11) + 1) * 1.1102230246251565e-16;
    const double u2 = (double)(c >> 11) * 1.1102230246251565e-16;
    const double r = sqrt(-2.0 * log(u1));
    const double t = 6.283185307179586 * u2;
    const double z = (i & 1) ? r * sin(t) : r * cos(t);
    return avg + std_ * z;
}
"""

register_helper("sl_philox4x64_10", PHILOX_SOURCE)
register_helper("sl_philox_word", _WORD, requires=("sl_philox4x64_10",))
register_helper("sl_philox_uniform", _UNIFORM, requires=("sl_philox4x64_10",))
register_helper("sl_philox_normal", _NORMAL, requires=("sl_philox4x64_10",))

_KEY_PARAMS = [("uint64", "key0"), ("uint64", "key1")]


def _why_not(op):
    """None if ``op`` (a random op) can draw on the device, else why not."""
    row = op.row
    if row.cuda is None:
        return (f"{op} has no device kernel: only the counter-based draws (uniform, normal) "
                "run on the GPU; NumPy's sampler draws it from the host state, as on the CPU")
    if op.dtype not in DEVICE_DTYPES:
        return (f"{op} draws {op.dtype}; device draws write "
                f"{' or '.join(DEVICE_DTYPES)}, so it draws on the host")
    if row.added_ndim or any(p.core_ndim != 0 for p in row.params):
        return f"{op} is not elementwise in its parameters, so it draws on the host"
    return None


def draw_kernel(node):
    """``(KernelSource, None)`` for the draw ``node`` (a random op's node), or ``(None, why)``.

    The kernel's inputs are the parameters as float64 (``a0, a1, ...``) and
    the key words (``key0, key1``); its body stores the row's ``cuda``
    expression of element ``i`` in the node's dtype.
    """
    op = node.op
    why = _why_not(op)
    if why is not None:
        return None, why
    inputs = [("float64", f"a{k}") for k in range(len(op.row.params))] + _KEY_PARAMS
    body = f"y = {op.row.cuda};"
    return KernelSource(str(op), inputs, (op.dtype, "y"), body, helpers_called(body)), None


def raw_kernel():
    """The kernel writing word ``i`` of the Philox4x64-10 stream under ``(key0, key1)``
    whose first block has the counter ``(c0, c1, c2, c3)``: for the tests (and a
    reader), the generator alone."""
    inputs = _KEY_PARAMS + [("uint64", f"c{k}") for k in range(4)]
    body = "y = sl_philox_word(key0, key1, c0, c1, c2, c3, i);"
    return KernelSource("philox4x64_10 words", inputs, ("uint64", "y"), body,
                        helpers_called(body))


def launch(dtype, cp, kernel, key, shape, params, label):
    """Run the compiled draw ``kernel`` with ``key`` into a new device array of ``shape``
    and ``dtype``; return it.

    ``params``: device arrays (converted to float64 where they are) or host
    0-d arrays (passed by value); they must broadcast to ``shape``
    (ValueError naming ``label`` otherwise).
    """
    shapes = [tuple(p.shape) for p in params]
    try:
        together = np.broadcast_shapes(shape, *shapes)
    except ValueError:
        together = None
    if together != tuple(shape):
        raise ValueError(f"{label}: the parameters (shapes {', '.join(map(str, shapes))}) do "
                         f"not broadcast to the size {tuple(shape)}")
    args = [np.float64(p) if isinstance(p, (np.ndarray, np.generic)) and p.ndim == 0
            else p.astype("float64", copy=False) for p in params]
    out = cp.empty(shape, dtype=dtype)
    kernel(*args, np.uint64(key[0]), np.uint64(key[1]), out)
    return out
