"""Counter-based draws: the host half of symlab's device random numbers, in NumPy.

On the GPU a draw cannot step a host ``RandomState``: it runs one thread
per element. So a draw there is *keyed*: it takes one key, two 64-bit words
drawn from the variable's host state (``draw_key``, which advances that
state), and element ``i`` of the result is computed from the Philox4x64-10
block at counter ``i // 4`` under that key (Salmon et al., "Parallel random
numbers: as easy as 1, 2, 3", SC 2011; NumPy's ``numpy.random.Philox`` is
the same function). The host state stays the source of truth: seeding,
``get_state``/``set_state`` and the history work on it as on the CPU.

This module computes the same numbers on the host, with NumPy's own Philox
bit generator: the CPU side of ``RandomStreams(seed, kind='philox')`` (whose
``uniform`` gives the GPU's numbers bit for bit) and the reference the
device kernels (``symlab/backends/cuda_random.py``) are tested against.

The numbers, defined once (the kernels follow the same text):

* word ``i`` of a draw's stream is word ``i % 4`` of Philox4x64-10 applied
  to the counter ``(i // 4, 0, 0, 0)`` (least significant word first) under
  the key ``(key[0], key[1])``;
* ``uniform``: ``u = (word_i >> 11) * 2**-53`` (NumPy's float64 rule, in
  [0, 1)), then ``low + (high - low) * u`` in float64;
* ``normal``: Box-Muller on the pair of words ``2 * (i // 2)`` and
  ``2 * (i // 2) + 1``: ``u1 = ((a >> 11) + 1) * 2**-53`` in (0, 1],
  ``u2 = (b >> 11) * 2**-53``, ``r = sqrt(-2 log u1)``, ``t = 2 pi u2``;
  even ``i`` takes ``r cos t``, odd ``i`` takes ``r sin t``; then
  ``avg + std * z`` in float64;
* other dtypes: the float64 values cast (as Theano's draws were).

``uniform`` is exact arithmetic on both sides (a shift, two multiplications
and additions, rounded the same way), so CPU and GPU agree bit for bit;
``normal`` calls ``log``, ``cos`` and ``sin``, whose CUDA versions are
within 2 units in the last place of the host's, so they agree to a few ulp.
"""

import numpy as np

__all__ = ["KEY_WORDS", "is_counter_based", "draw_key", "raw_words", "check_params", "uniform",
           "normal"]

#: 64-bit words of a key: Philox4x64's key is two words.
KEY_WORDS = 2
_UNIT = 2.0 ** -53
_TWO_PI = 2.0 * np.pi      # 6.283185307179586, the same double the kernel's literal is


def is_counter_based(rng):
    """True if ``rng`` (a host state) draws counter-based on the CPU too: a numpy
    ``Generator`` on a ``Philox`` bit generator (the states of ``kind='philox'``)."""
    return isinstance(rng, np.random.Generator) and isinstance(rng.bit_generator,
                                                               np.random.Philox)


def draw_key(rng):
    """Two uint64 words drawn from the host state ``rng`` (advancing it): one draw's key.

    A ``RandomState`` draws ``randint(0, 2**64, 2, dtype=uint64)``, a
    ``Generator`` ``integers(0, 2**64, 2, dtype=uint64)``: one draw takes
    one key, whatever its size, so the state advances as reproducibly as a
    CPU draw's does. Returns a uint64 array of 2 words.
    """
    if isinstance(rng, np.random.RandomState):
        return rng.randint(0, 2 ** 64, size=KEY_WORDS, dtype=np.uint64)
    if isinstance(rng, np.random.Generator):
        return rng.integers(0, 2 ** 64, size=KEY_WORDS, dtype=np.uint64)
    raise TypeError(f"draw_key: expected a numpy RandomState or Generator; got "
                    f"{type(rng).__name__}")


def _key(key):
    words = list(key) if isinstance(key, (list, tuple, np.ndarray)) else None
    if words is None or len(words) != KEY_WORDS or not all(
            isinstance(w, (int, np.integer)) and not isinstance(w, bool) and 0 <= w < 2 ** 64
            for w in words):
        raise ValueError(f"key: expected {KEY_WORDS} ints in [0, 2**64); got {key!r:.60}")
    return np.array([int(w) for w in words], dtype=np.uint64)


def raw_words(key, n, counter=0):
    """Words 0..n-1 of the stream under ``key`` whose first block has counter ``counter``
    (an int in [0, 2**256)): a uint64 array.

    NumPy's Philox adds one to its counter before each block, so it starts
    from ``counter - 1`` (modulo 2**256: counter 0 is given as 2**256 - 1).
    """
    counter = int(counter)
    if not 0 <= counter < 2 ** 256:
        raise ValueError(f"counter: expected an int in [0, 2**256); got {counter}")
    generator = np.random.Philox(key=_key(key), counter=(counter - 1) % 2 ** 256)
    return generator.random_raw(int(n))


def _shape(size, params, what):
    """The draw's shape: ``size`` (a tuple) or, when None, the parameters' broadcast shape;
    the parameters must broadcast to it."""
    shapes = [np.shape(p) for p in params]
    shape = np.broadcast_shapes(*shapes) if size is None else tuple(int(s) for s in size)
    try:
        together = np.broadcast_shapes(shape, *shapes)
    except ValueError:
        together = None
    if together != shape:
        raise ValueError(f"{what}: the parameters (shapes {', '.join(map(str, shapes))}) do not "
                         f"broadcast to the size {shape}")
    return shape


def check_params(distribution, params, label):
    """Refuse parameters the draw is not defined for, as NumPy does: ``uniform`` needs a
    finite ``high - low`` (OverflowError), ``normal`` a ``std >= 0`` (ValueError).

    ``params`` are NumPy or CuPy arrays (only operators are used, so a device
    array is checked where it is); ``label`` names the draw in the message.
    Returns None.
    """
    if distribution == "uniform":
        low, high = params
        with np.errstate(invalid="ignore"):
            span = high - low
            finite = bool(((span - span) == 0).all())     # inf - inf and NaN are not 0
        if not finite:
            raise OverflowError(f"{label}: high - low must be finite; got low={_shown(low)}, "
                                f"high={_shown(high)}")
    elif distribution == "normal":
        std = params[1]
        if bool((std < 0).any()):
            raise ValueError(f"{label}: std must be >= 0; got std={_shown(std)}")


def _shown(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def uniform(key, size, low=0.0, high=1.0):
    """Uniform float64 values on [low, high) under ``key`` (module docstring); an array
    of shape ``size`` (None: the parameters' shape)."""
    low, high = np.asarray(low, np.float64), np.asarray(high, np.float64)
    shape = _shape(size, (low, high), "uniform")
    check_params("uniform", (low, high), "uniform")
    n = int(np.prod(shape, dtype=np.int64))
    u = (raw_words(key, n) >> np.uint64(11)).astype(np.float64) * _UNIT
    return low + (high - low) * u.reshape(shape)


def normal(key, size, avg=0.0, std=1.0):
    """Normal float64 values of mean ``avg`` and standard deviation ``std`` under ``key``
    (Box-Muller, module docstring); an array of shape ``size`` (None: the parameters')."""
    avg, std = np.asarray(avg, np.float64), np.asarray(std, np.float64)
    shape = _shape(size, (avg, std), "normal")
    check_params("normal", (avg, std), "normal")
    n = int(np.prod(shape, dtype=np.int64))
    words = raw_words(key, n + (n & 1)).reshape(-1, 2) >> np.uint64(11)
    u1 = (words[:, 0] + np.uint64(1)).astype(np.float64) * _UNIT
    u2 = words[:, 1].astype(np.float64) * _UNIT
    r = np.sqrt(-2.0 * np.log(u1))
    t = _TWO_PI * u2
    z = np.empty(2 * len(r))
    z[0::2] = r * np.cos(t)
    z[1::2] = r * np.sin(t)
    return avg + std * z[:n].reshape(shape)
