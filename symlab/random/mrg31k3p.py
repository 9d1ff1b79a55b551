"""The MRG31k3p generator of L'Ecuyer and Touzin, in NumPy: Theano's ``rng_mrg`` numbers.

MRG31k3p (P. L'Ecuyer and R. Touzin, "Fast combined multiple recursive
generators with multipliers of the form a = +-2^d +-2^e", Winter Simulation
Conference 2000) combines two recurrences of order 3. A state is six
integers ``(x11, x12, x13, x21, x22, x23)``, newest first in each half; one
step is::

    x1 <- (2**22 * x12 + (2**7 + 1) * x13)   mod M1,   M1 = 2**31 - 1
    x2 <- (2**15 * x21 + (2**15 + 1) * x23)  mod M2,   M2 = 2**31 - 21069

and the step's output is the integer ``k = x1 - x2`` (plus ``M1`` when that
is not positive), in ``[1, M1]``. Theano computes the products with 32-bit
shifts and masks; the results are the exact residues above, so here they are
plain int64 arithmetic.

Theano's multi-stream layout (L'Ecuyer, Simard, Chen and Kelton, Operations
Research 50(6), 2002), reproduced exactly:

* ``substreams(rstate, n)``: a matrix of ``n`` states, row ``i + 1`` being
  row ``i`` advanced by ``2**72`` steps (``JUMP_SUBSTREAM``);
* ``next_stream(rstate)``: ``rstate`` advanced by ``2**134`` steps
  (``JUMP_STREAM``), where the next matrix of substreams starts;
* ``draw(states, count)``: element ``i`` of a draw is the next output of
  row ``i % n`` of the matrix, so each row gives ``ceil((count - row) / n)``
  outputs, in order; returns the outputs and the advanced matrix;
* ``to_unit(k, dtype)``: Theano's conversion to a float in (0, 1):
  float64 ``k * 2**-31`` (exact); float32 ``float32(k) * float32(4.6566126e-10)``
  (its C code: the int rounded to float32, then one float32 product, so the
  result stays below 1); float16 ``((k & 0x7fff) + 1) * float16(3.0458e-05)``
  rounded to float16 (its Python code, the one it runs for float16).

The jump matrices are computed here from the one-step matrices (powers
modulo ``M1`` and ``M2``), not copied: they are the same numbers as Theano's
tables ``A1p72``, ``A2p72``, ``A1p134`` and ``A2p134``.

Everything is vectorised over the rows of a state matrix. When each row
gives many outputs (few rows, a large draw), the outputs of one row are cut
into blocks of ``BLOCK`` steps whose starting states come from jump
matrices, so the work is vectorised over blocks too.
"""

import numpy as np

__all__ = ["M1", "M2", "THEANO_STREAMS", "JUMP_SUBSTREAM", "JUMP_STREAM", "check_rstate",
           "seed_rstate", "substreams", "next_stream", "jump", "draw", "to_unit"]

M1 = 2147483647          # 2**31 - 1
M2 = 2147462579          # 2**31 - 21069
#: The number of substreams Theano uses when it cannot guess one from the size (60 * 256).
THEANO_STREAMS = 60 * 256
#: Steps per block when one row gives many outputs.
BLOCK = 256

# One step of each component, as a matrix acting on (x_1, x_2, x_3), newest first.
_STEP1 = ((0, 2 ** 22, 2 ** 7 + 1), (1, 0, 0), (0, 1, 0))
_STEP2 = ((2 ** 15, 0, 2 ** 15 + 1), (1, 0, 0), (0, 1, 0))


def _matmul_mod(a, b, m):
    """The product of two 3x3 matrices (tuples of Python ints) modulo ``m``."""
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) % m for j in range(3))
                 for i in range(3))


def _matpow_mod(a, e, m):
    """``a ** e`` modulo ``m`` (3x3, Python ints), by repeated squaring."""
    result = ((1, 0, 0), (0, 1, 0), (0, 0, 1))
    while e:
        if e & 1:
            result = _matmul_mod(result, a, m)
        a = _matmul_mod(a, a, m)
        e >>= 1
    return result


def step_matrices(e):
    """The pair of matrices advancing a state by ``e`` steps: ``(STEP1**e mod M1, STEP2**e
    mod M2)``."""
    return _matpow_mod(_STEP1, e, M1), _matpow_mod(_STEP2, e, M2)


#: Advance by 2**72 steps: from one substream to the next.
JUMP_SUBSTREAM = step_matrices(2 ** 72)
#: Advance by 2**134 steps: from one stream (one random variable's matrix) to the next.
JUMP_STREAM = step_matrices(2 ** 134)


def _compose(p, q):
    """The jump doing ``q`` then ``p`` (pairs of matrices)."""
    return _matmul_mod(p[0], q[0], M1), _matmul_mod(p[1], q[1], M2)


def jump(states, matrices):
    """Rows of ``states`` (n x 6, any int dtype) advanced by the jump ``matrices`` (a pair
    from ``step_matrices``); returns an int64 (n x 6) matrix."""
    states = np.asarray(states, dtype=np.int64).reshape(-1, 6)
    out = np.empty_like(states)
    for half, (matrix, m) in enumerate(zip(matrices, (M1, M2))):
        block = states[:, 3 * half:3 * half + 3]
        for i in range(3):
            # Each product is below 2**62: reduce it before summing, as Theano does.
            total = sum((matrix[i][j] * block[:, j]) % m for j in range(3))
            out[:, 3 * half + i] = total % m
    return out


def check_rstate(values, name="seed"):
    """Six ints as a valid MRG31k3p state (an int32 vector), or ValueError saying why."""
    values = np.asarray(values)
    if values.shape != (6,) or values.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected an int or 6 ints; got {values!r:.60}")
    first, last = values[:3].astype(np.int64), values[3:].astype(np.int64)
    if (first < 0).any() or (first >= M1).any() or not first.any():
        raise ValueError(f"{name}: the first 3 values must be in [0, {M1}) and not all 0; "
                         f"got {first.tolist()}")
    if (last < 0).any() or (last >= M2).any() or not last.any():
        raise ValueError(f"{name}: the last 3 values must be in [0, {M2}) and not all 0; "
                         f"got {last.tolist()}")
    return values.astype(np.int32)


def seed_rstate(seed):
    """Theano's ``set_rstate``: an int in [1, M2) replicated six times, or six ints."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        if seed == 0:
            raise ValueError("MRG_RandomStreams: seed should not be 0")
        if not 0 < seed < M2:
            raise ValueError(f"MRG_RandomStreams: an int seed must be between 1 and {M2 - 1}; "
                             f"got {seed}")
        return np.full(6, seed, dtype=np.int32)
    if isinstance(seed, (str, bytes)) or not hasattr(seed, "__len__") or len(seed) != 6:
        raise TypeError(f"MRG_RandomStreams: seed should be 1 integer or 6 integers; "
                        f"got {seed!r:.60}")
    return check_rstate(seed, "MRG_RandomStreams seed")


def substreams(rstate, n):
    """Theano's ``get_substream_rstates``: ``n`` rows, row 0 ``rstate``, each next row
    ``2**72`` steps further; an int32 (n x 6) matrix. Computed by doubling."""
    n = int(n)
    if n <= 0:
        raise ValueError(f"MRG31k3p: the number of substreams must be positive; got {n}")
    rows = np.asarray(rstate, dtype=np.int64).reshape(1, 6)
    matrices = JUMP_SUBSTREAM           # advances by len(rows) substreams
    while len(rows) < n:
        more = jump(rows[:n - len(rows)], matrices)
        rows = np.concatenate([rows, more])
        matrices = _compose(matrices, matrices)
    return rows.astype(np.int32)


def next_stream(rstate):
    """``rstate`` advanced by ``2**134`` steps (Theano's ``inc_rstate``); int32 (6,)."""
    return jump(rstate, JUMP_STREAM)[0].astype(np.int32)


def _steps(states, rounds):
    """Run ``rounds`` steps on every row of ``states`` (int64, n x 6); return the outputs,
    a (rounds x n) int64 array. ``states`` is left as it was."""
    x11, x12, x13, x21, x22, x23 = (states[:, i].copy() for i in range(6))
    out = np.empty((rounds, len(states)), dtype=np.int64)
    for r in range(rounds):
        y1 = (x12 * 4194304 + x13 * 129) % M1
        y2 = (x21 * 32768 + x23 * 32769) % M2
        x13, x12, x11 = x12, x11, y1
        x23, x22, x21 = x22, x21, y2
        k = y1 - y2
        k[k <= 0] += M1
        out[r] = k
    return out


def draw(states, count):
    """Draw ``count`` outputs from the substream matrix ``states`` (n x 6), element ``i``
    from row ``i % n``; return ``(k, new_states)``: the int64 outputs in [1, M1] and the
    advanced int32 matrix (``states`` itself is not changed)."""
    states = np.asarray(states, dtype=np.int64).reshape(-1, 6)
    n, count = len(states), int(count)
    if count < 0:
        raise ValueError(f"MRG31k3p: cannot draw {count} values")
    if count == 0:
        return np.zeros(0, dtype=np.int64), states.astype(np.int32)
    per_row = -(-count // n)            # outputs of row 0; rows past `rest` give one fewer
    rest = count - (per_row - 1) * n
    if per_row <= BLOCK:
        values = _steps(states, per_row)
    else:
        blocks = -(-per_row // BLOCK)
        starts = [states]               # block b of every row starts b * BLOCK steps on
        matrices = step_matrices(BLOCK)
        while len(starts) < blocks:
            starts += [jump(s, matrices) for s in starts[:blocks - len(starts)]]
            matrices = _compose(matrices, matrices)
        lanes = np.concatenate(starts)                                  # (blocks * n) x 6
        values = _steps(lanes, BLOCK).reshape(BLOCK, blocks, n)
        values = values.transpose(1, 0, 2).reshape(blocks * BLOCK, n)
    k = values.reshape(-1)[:count]
    new = np.empty_like(states)
    new[:rest] = jump(states[:rest], step_matrices(per_row))
    new[rest:] = jump(states[rest:], step_matrices(per_row - 1))
    return k, new.astype(np.int32)


# Theano's factors turning an output k in [1, M1] into a float in (0, 1).
_NORM64 = 4.656612873077392578125e-10      # 2**-31
_NORM32 = np.float32(4.6566126e-10)        # the largest float32 with float32(M1) * it < 1
_NORM16 = float(np.float16(3.0458e-05))


def to_unit(k, dtype):
    """Theano's conversion of outputs ``k`` to floats of ``dtype`` in (0, 1) (see the module
    docstring); ValueError for a dtype that is not a float."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return k.astype(np.float64) * _NORM64
    if dtype == np.float32:
        return k.astype(np.float32) * _NORM32
    if dtype == np.float16:
        return (((k & 0x7fff) + 1).astype(np.float64) * _NORM16).astype(np.float16)
    raise ValueError(f"MRG31k3p: uniform draws are float16, float32 or float64; got {dtype}")
