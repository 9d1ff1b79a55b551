"""The state of an MRG random variable, and Theano's MRG draws computed from it in NumPy.

``MRGState`` holds the substream matrices (``symlab.random.mrg31k3p``) of one
random variable of ``MRG_RandomStreams``: one matrix per uniform draw that
Theano's graph for the variable makes (two for ``normal(truncate=True)``,
one for everything else). Each draw below takes the state, the size and the
parameters, advances the state's matrices in place (the random op hands it
a copy) and returns the values Theano 1.0.5's graph computes, step for step:

* ``uniform``: ``low + u * (high - low)`` in the dtype of ``low`` and
  ``high``, with ``u = to_unit(k, dtype)``, computed as Theano's compiled C
  code does it: as one fused multiply-add (``symlab.random.fma``);
* ``normal``: Theano's Box-Muller: ``count`` values (the product of the
  size), rounded up to an even number of uniforms; with ``u1`` their first
  half and ``u2`` the second, ``r = sqrt(-2 log u1)``, ``t = 2 pi u2``, the
  values are ``r cos t`` then ``r sin t``, the first ``count`` of them,
  reshaped, then ``avg + std * z`` (fused); ``log``, ``cos`` and ``sin`` run
  in float64 and are rounded to the dtype, so they agree with Theano's to a
  unit or two in the last place (Theano calls the C library's);
* ``truncated_normal`` (``normal(truncate=True)``): values with ``|z| > 2``
  are redrawn, as Theano does: a second uniform draw (the second matrix) of
  one value per value to fix, on ``[exp(-2), 1)``, gives the new radii; the
  result is the kept ``r cos t``, the fixed ones, the kept ``r sin t``, the
  fixed ones, in that order;
* ``binomial``: ``u < p`` (``u`` in the dtype of ``low``, Theano's floatX),
  compared in the upcast of the two dtypes as Theano's C code compares;
* ``multinomial``: Theano's ``MultinomialFromUniform`` C code: ``n`` rounds,
  round ``c`` using uniforms ``c * rows`` to ``(c + 1) * rows - 1``, one per
  row of ``pvals``, each counting the first outcome whose running sum (in
  float64) exceeds the uniform;
* ``choice``: Theano's ``ChoiceFromUniform`` C code (without replacement):
  the same search, then the chosen outcome's probability is set to 0 and
  the row renormalised, summing and dividing in the dtype of ``p`` exactly
  as that code does.

Numbers are Theano's C code's (its default, with a C compiler) where its
Python code differs (float32 uniforms, ties in the searches); with float16,
Theano runs its Python code, and so does symlab.
"""

import numpy as np

from symlab.random import mrg31k3p
from symlab.random.fma import fma

__all__ = ["MRGState", "uniform", "normal", "truncated_normal", "binomial", "multinomial",
           "choice"]


def _check_matrix(matrix, name):
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[1] != 6 or matrix.shape[0] < 1 \
            or matrix.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected an integer matrix of substream states, n x 6 "
                         f"(n >= 1); got {matrix.dtype} of shape {matrix.shape}")
    wide = matrix.astype(np.int64)
    for half, m in ((wide[:, :3], mrg31k3p.M1), (wide[:, 3:], mrg31k3p.M2)):
        bad = ((half < 0) | (half >= m)).any(axis=1) | ~half.any(axis=1)
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(f"{name}: row {row} ({wide[row].tolist()}) is not a valid "
                             f"state: each half must be in [0, modulus) and not all 0")
    return matrix.astype(np.int32)


#: The bit generator under every MRGState's RandomState part (never used to draw MRG numbers).
_PLACEHOLDER = np.random.MT19937(0)


class MRGState(np.random.RandomState):
    """The state of one MRG random variable: ``rstates``, a tuple of int32 (n x 6) matrices.

    ``MRGState(matrices)`` takes a tuple of matrices or one matrix (Theano's
    state, an int32 array of substreams); ``MRGState(seed)``, an int or six
    ints, makes one matrix of one substream. ``np.asarray(state)`` gives the
    matrices stacked (Theano's ``get_value()``, for one matrix).

    It is a ``RandomState`` only so that symlab's machinery for random states
    (copies, snapshots, the history, ``RngType``) handles it: ``get_state``
    and ``set_state`` carry the matrices, but the ``RandomState`` draw methods
    (``uniform`` ...) are not MRG's numbers: draw through ``MRG_RandomStreams``.
    """

    def __init__(self, rstates=None):
        # The RandomState part is a placeholder: one bit generator shared by every MRGState.
        super().__init__(_PLACEHOLDER)
        if rstates is None or isinstance(rstates, np.random.BitGenerator):
            # (a BitGenerator: symlab.random.state's blank copy, set_state follows)
            rstates = (mrg31k3p.seed_rstate(12345).reshape(1, 6),)
        elif isinstance(rstates, np.ndarray) and rstates.ndim == 2:
            rstates = (rstates,)
        elif not (isinstance(rstates, tuple) and rstates
                  and all(isinstance(m, np.ndarray) and m.ndim == 2 for m in rstates)):
            rstates = (mrg31k3p.seed_rstate(rstates).reshape(1, 6),)
        self.rstates = tuple(_check_matrix(m, "MRGState") for m in rstates)

    @property
    def n_streams(self):
        """The number of substreams of each matrix (a tuple)."""
        return tuple(len(m) for m in self.rstates)

    def seed(self, seed=None):
        """Reseed in place as ``MRG_RandomStreams(seed)`` would: matrix ``j`` gets the same
        number of substreams, from the ``j``-th stream after ``seed`` (None: 12345)."""
        rstate = mrg31k3p.seed_rstate(12345 if seed is None else seed)
        matrices = []
        for matrix in self.rstates:
            matrices.append(mrg31k3p.substreams(rstate, len(matrix)))
            rstate = mrg31k3p.next_stream(rstate)
        self.rstates = tuple(matrices)

    def get_state(self, legacy=True):
        """The matrices as a dict (``mrg31k3p``: stacked, ``n_streams``: rows of each); a
        fresh copy. ``legacy`` is ignored: there is no legacy form."""
        return {"bit_generator": "MT19937", "mrg31k3p": np.concatenate(self.rstates),
                "n_streams": np.array(self.n_streams, dtype=np.int64)}

    def set_state(self, state):
        """Set the matrices from a dict made by ``get_state``."""
        if not isinstance(state, dict) or "mrg31k3p" not in state:
            raise TypeError(f"MRGState.set_state: expected a dict from MRGState.get_state; "
                            f"got {type(state).__name__}")
        stacked = _check_matrix(state["mrg31k3p"], "MRGState.set_state")
        bounds = np.cumsum(np.asarray(state["n_streams"], dtype=np.int64))[:-1]
        self.rstates = tuple(np.split(stacked, bounds))

    def __array__(self, dtype=None, copy=None):
        stacked = np.concatenate(self.rstates)
        return stacked if dtype is None else stacked.astype(dtype)

    def __reduce__(self):
        return (MRGState, (tuple(m.copy() for m in self.rstates),))

    def __copy__(self):
        return MRGState(tuple(m.copy() for m in self.rstates))

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __repr__(self):
        return f"MRGState(substreams={self.n_streams})"

    __str__ = __repr__



# ------------------------------------------------------------------ helpers


def _state(rng, name, matrices=1):
    if not isinstance(rng, MRGState) or len(rng.rstates) < matrices:
        raise TypeError(f"{name}: draws from an MRG31k3p state (MRGState, made by "
                        f"MRG_RandomStreams) with {matrices} substream matrix(es); got "
                        f"{rng!r:.60}")
    return rng


def _units(rng, which, count, dtype):
    """``count`` uniforms of ``dtype`` in (0, 1) from matrix ``which`` of ``rng`` (advanced)."""
    matrices = list(rng.rstates)
    k, matrices[which] = mrg31k3p.draw(matrices[which], count)
    rng.rstates = tuple(matrices)
    return mrg31k3p.to_unit(k, dtype)


def _float_dtype(name, *params):
    dtype = np.result_type(*params)
    if dtype.kind != "f":
        raise ValueError(f"{name}: the parameters must be floats (cast to the draw's dtype); "
                         f"got {dtype}")
    return dtype


def _count(size):
    return int(np.prod(size, dtype=np.int64)) if size else 1


def _in_float64(function, x, dtype):
    """``function`` (a NumPy ufunc) of ``x``, computed in float64 and rounded to ``dtype``."""
    return function(x.astype(np.float64)).astype(dtype, copy=False)


def _scale(u, scale, shift, dtype):
    """``shift + u * scale`` as Theano's compiled code computes it (one rounding)."""
    if np.ndim(scale) == 0 and np.ndim(shift) == 0 and scale == 1 and shift == 0:
        return u
    return fma(u, scale, shift, dtype)


def _uniform_values(rng, which, shape, low, high, dtype):
    u = _units(rng, which, _count(shape), dtype).reshape(shape)
    low, high = np.asarray(low, dtype=dtype), np.asarray(high, dtype=dtype)
    return _scale(u, high - low, low, dtype)


# ------------------------------------------------------------------ draws


def uniform(rng, size, low, high):
    """Theano's MRG ``uniform``: ``low + u * (high - low)`` (see the module docstring)."""
    rng = _state(rng, "mrg_uniform")
    dtype = _float_dtype("mrg_uniform", low, high)
    return _uniform_values(rng, 0, tuple(size or ()), low, high, dtype)


def _box_muller(rng, count, dtype):
    """The pieces of Theano's Box-Muller on ``count`` values: ``(r, cos t, sin t)``, each of
    ``ceil(count / 2)`` values, from matrix 0 of ``rng``."""
    even = count + count % 2
    u = _units(rng, 0, even, dtype)
    u1, u2 = u[:even // 2], u[even // 2:]
    r = np.sqrt(np.asarray(-2.0, dtype=dtype) * _in_float64(np.log, u1, dtype))
    theta = np.asarray(2.0 * np.pi, dtype=dtype) * u2
    return r, _in_float64(np.cos, theta, dtype), _in_float64(np.sin, theta, dtype)


def normal(rng, size, avg, std):
    """Theano's MRG ``normal`` (Box-Muller; see the module docstring)."""
    rng = _state(rng, "mrg_normal")
    dtype = _float_dtype("mrg_normal", avg, std)
    shape = tuple(size or ())
    count = _count(shape)
    r, cos_t, sin_t = _box_muller(rng, count, dtype)
    z = np.concatenate([r * cos_t, r * sin_t])[:count].reshape(shape)
    return _scale(z, np.asarray(std, dtype=dtype), np.asarray(avg, dtype=dtype), dtype)


def truncated_normal(rng, size, avg, std):
    """Theano's MRG ``normal(truncate=True)``: values beyond 2 redrawn from a second matrix."""
    rng = _state(rng, "mrg_truncated_normal", matrices=2)
    dtype = _float_dtype("mrg_truncated_normal", avg, std)
    shape = tuple(size or ())
    count = _count(shape)
    r, cos_t, sin_t = _box_muller(rng, count, dtype)
    z0, z1 = r * cos_t, r * sin_t
    fix0, fix1 = np.abs(z0) > 2, np.abs(z1) > 2
    n0 = int(fix0.sum())
    lower = np.asarray(1.0 / np.e ** 2, dtype=dtype)
    u_fix = _uniform_values(rng, 1, (n0 + int(fix1.sum()),), lower, 1.0, dtype)
    r_fix = np.sqrt(np.asarray(-2.0, dtype=dtype) * _in_float64(np.log, u_fix, dtype))
    z = np.concatenate([z0[~fix0], r_fix[:n0] * cos_t[fix0], z1[~fix1],
                        r_fix[n0:] * sin_t[fix1]])[:count].reshape(shape)
    return _scale(z, np.asarray(std, dtype=dtype), np.asarray(avg, dtype=dtype), dtype)


def binomial(rng, size, low, high, p):
    """Theano's MRG ``binomial`` (n = 1): ``uniform(low, high) < p``."""
    rng = _state(rng, "mrg_binomial")
    dtype = _float_dtype("mrg_binomial", low, high)
    u = _uniform_values(rng, 0, tuple(size or ()), low, high, dtype)
    p = np.asarray(p)
    # C compares a float with an integer in the float's type, two floats in the wider one.
    common = np.promote_types(dtype, p.dtype) if p.dtype.kind == "f" else dtype
    return u.astype(common, copy=False) < p.astype(common, copy=False)


def _rows_and_units(rng, name, low, high, n, p):
    rng = _state(rng, name)
    p = np.asarray(p)
    if p.ndim != 2:
        raise ValueError(f"{name}: the probabilities must be a matrix (one row per draw); got "
                         f"{p.ndim} dimension(s)")
    n = int(np.asarray(n).item())
    if n < 0:
        raise ValueError(f"{name}: n must be >= 0; got {n}")
    dtype = _float_dtype(name, low, high)
    return p, n, _uniform_values(rng, 0, (p.shape[0] * n,), low, high, dtype)


def _first_above(cumulative, u):
    """Per row, the first column whose running sum exceeds that row's uniform, and whether
    there is one."""
    above = cumulative > u.astype(np.float64)[:, None]
    return above.argmax(axis=1), above.any(axis=1)


def multinomial(rng, size, low, high, n, pvals):
    """Theano's MRG ``multinomial``: counts of ``n`` draws per row of ``pvals`` (C code's
    search, see the module docstring)."""
    pvals, n, u = _rows_and_units(rng, "mrg_multinomial", low, high, n, pvals)
    rows = pvals.shape[0]
    cumulative = np.add.accumulate(pvals.astype(np.float64), axis=1)
    out = np.zeros(pvals.shape, dtype=np.int64)
    for c in range(n):
        chosen, found = _first_above(cumulative, u[c * rows:(c + 1) * rows])
        np.add.at(out, (np.nonzero(found)[0], chosen[found]), 1)
    return out


def choice(rng, size, low, high, n, p):
    """Theano's MRG ``choice`` without replacement: ``n`` outcomes per row of ``p`` (C code's
    search and renormalisation, see the module docstring); -1 where no outcome is found."""
    p, n, u = _rows_and_units(rng, "mrg_choice", low, high, n, p)
    rows, outcomes = p.shape
    if n > outcomes:
        raise ValueError(f"mrg_choice: cannot draw {n} outcomes without replacement from "
                         f"{outcomes}")
    p = p.copy()
    out = np.full((rows, n), -1, dtype=np.int64)
    columns = np.arange(outcomes)
    for c in range(n):
        cumulative = np.add.accumulate(p.astype(np.float64), axis=1)
        chosen, found = _first_above(cumulative, u[c * rows:(c + 1) * rows])
        out[found, c] = chosen[found]
        if c == n - 1:
            break
        which, m = np.nonzero(found)[0], chosen[found]
        # The C code: sum = (running sum before m, in float64, rounded to p's dtype), then
        # the entries from m on (m's now 0) added one by one in p's dtype; then divide.
        before = (cumulative[which, m] - p[which, m].astype(np.float64)).astype(p.dtype)
        p[which, m] = 0
        terms = np.where(columns >= m[:, None], p[which], 0).astype(p.dtype)
        total = np.add.accumulate(np.concatenate([before[:, None], terms], axis=1),
                                  axis=1, dtype=p.dtype)[:, -1]
        p[which] = p[which] / total[:, None]
    return out
