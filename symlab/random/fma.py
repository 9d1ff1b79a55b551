"""``fma(a, b, c)``: ``a * b + c`` rounded once, in NumPy, as a C compiler's fused multiply-add.

Theano compiles ``low + u * (high - low)`` (``MRG_RandomStreams.uniform``)
and ``avg + std * z`` (``normal``) into one C expression, which GCC at
``-O3 -march=native`` contracts into a fused multiply-add on any CPU that
has one: the product is not rounded before the addition. To give Theano's
numbers bit for bit, symlab computes these two expressions the same way.
NumPy has no fused multiply-add, so it is built from exact operations:

* float32 (and float16): the product of two float32 is exact in float64;
  its sum with ``c`` is rounded *to odd* in float64 (``_round_to_odd_sum``),
  and rounding that to float32 is the correctly rounded result (53 bits hold
  more than 24 + 2, the condition for rounding to odd to compose);
* float64: the algorithm of Boldo and Melquiond ("Emulation of FMA and
  correctly rounded sums: proved algorithms using rounding to odd", IEEE
  Transactions on Computers 57(4), 2008): ``a * b = uh + ul`` exactly
  (Dekker's product), ``c + uh = th + tl`` exactly (Knuth's TwoSum), then
  ``RN(th + RO(tl + ul))``.

Both are exact for finite values away from overflow and underflow, which
is what the draws produce.
"""

import numpy as np

__all__ = ["fma"]

_SPLIT = 134217729.0    # 2**27 + 1: Veltkamp's constant for float64


def _two_sum(a, b):
    """``(s, e)`` with ``s = RN(a + b)`` and ``s + e == a + b`` exactly (Knuth)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _split(a):
    t = _SPLIT * a
    hi = t - (t - a)
    return hi, a - hi


def _two_product(a, b):
    """``(p, e)`` with ``p = RN(a * b)`` and ``p + e == a * b`` exactly (Dekker)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _round_to_odd_sum(a, b):
    """``a + b`` rounded to odd in float64: the exact sum when representable, else the
    neighbour of the two around it whose last significand bit is 1."""
    s, e = _two_sum(a, b)
    even = (s.view(np.int64) & 1) == 0
    fix = (e != 0) & even
    if np.any(fix):
        s = s.copy()
        s[fix] = np.nextafter(s[fix], np.where(e[fix] > 0, np.inf, -np.inf))
    return s


def fma(a, b, c, dtype):
    """``a * b + c`` rounded once to ``dtype`` (float16, float32 or float64), broadcast;
    returns an array of ``dtype``."""
    dtype = np.dtype(dtype)
    a, b, c = (np.asarray(x, dtype=dtype) for x in (a, b, c))
    a, b, c = np.broadcast_arrays(a, b, c)
    shape = a.shape
    a, b, c = (x.astype(np.float64).reshape(-1) for x in (a, b, c))
    if dtype == np.float64:
        uh, ul = _two_product(a, b)
        th, tl = _two_sum(c, uh)
        out = th + _round_to_odd_sum(tl, ul)
    elif dtype in (np.float32, np.float16):
        out = _round_to_odd_sum(a * b, c)          # a * b is exact in float64
    else:
        raise ValueError(f"fma: expected a float dtype; got {dtype}")
    return out.astype(dtype).reshape(shape)
