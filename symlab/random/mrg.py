"""``MRG_RandomStreams``: Theano's ``theano.sandbox.rng_mrg`` interface, so its code runs.

Not Theano's numbers: Theano's MRG_RandomStreams drew from its own MRG31k3p
generator; symlab's draws from ``numpy.random.RandomState`` states, like
``RandomStreams``, so each variable has the same ``.rng``/``.update``, the
same history, and Theano's RandomState methods on its state. What is kept
is the interface: ``MRG_RandomStreams(seed=12345)`` with ``seed`` an int or
6 ints (Theano's checks), the ``rstate`` attribute (six int32) from which
each new variable's state is derived (the k-th variable gets
``RandomState(rstate)`` and then ``rstate`` moves on, deterministically),
``seed(s)`` reseeding every variable, and Theano's MRG method signatures:
``binomial(size=None, p=1, ...)`` (n fixed at 1), ``nstreams`` accepted and
ignored. ``normal(truncate=True)`` and ``choice`` over the rows of a matrix
``p`` (MRG's meaning of ``choice``) are not provided.

Copying the state of one stream into another (Theano's tutorial) works as
there: ``g2.rstate = g1.rstate`` and each ``state_updates[k][0]`` copied.
"""

import numpy as np

from symlab.random.streams import RandomStreams

__all__ = ["MRG_RandomStreams"]

M1 = 2147483647
M2 = 2147462579


def _rstate(seed):
    """Theano's checks: an int in (0, M2), replicated six times, or six ints."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed == 0:
            raise ValueError("MRG_RandomStreams: seed should not be 0")
        if not 0 < seed < M2:
            raise ValueError(f"MRG_RandomStreams: seed must be between 1 and {M2 - 1}; "
                             f"got {seed}")
        return np.array([seed] * 6, dtype=np.int32)
    values = np.asarray(seed)
    if values.shape != (6,) or values.dtype.kind not in "iu":
        raise ValueError(f"MRG_RandomStreams: seed must be an int or 6 ints; got {seed!r:.60}")
    first, last = values[:3], values[3:]
    if (first < 0).any() or (first >= M1).any() or not first.any():
        raise ValueError(f"MRG_RandomStreams: the first 3 seed values must be in [0, {M1}) "
                         "and not all 0")
    if (last < 0).any() or (last >= M2).any() or not last.any():
        raise ValueError(f"MRG_RandomStreams: the last 3 seed values must be in [0, {M2}) "
                         "and not all 0")
    return values.astype(np.int32)


class MRG_RandomStreams(RandomStreams):
    """Theano's MRG stream interface on RandomState states (see the module docstring)."""

    def __init__(self, seed=12345, use_cuda=None):
        super().__init__(None)
        del self.gen_seedgen
        self.default_instance_seed = seed
        self.set_rstate(seed)

    def set_rstate(self, seed):
        """Set ``rstate`` from an int or six ints (Theano's checks)."""
        self.rstate = _rstate(seed)

    def inc_rstate(self):
        """Move ``rstate`` on to the start of the next variable's state."""
        following = np.random.RandomState(self.rstate.astype(np.uint32))
        self.rstate = following.randint(1, M2, size=6).astype(np.int32)

    def _next_state(self):
        state = np.random.RandomState(np.asarray(self.rstate).astype(np.uint32))
        self.inc_rstate()
        return state

    def seed(self, seed=None):
        """Reset ``rstate`` from ``seed`` (None: the stream's seed) and reseed every variable."""
        self.set_rstate(self.default_instance_seed if seed is None else seed)
        for old_r, _ in self.state_updates:
            old_r.set_value(self._next_state(), borrow=True)

    # Theano's MRG signatures.

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Uniform on [low, high) (``nstreams`` is accepted and ignored)."""
        return self.gen("uniform", size, low, high, ndim=ndim, dtype=dtype)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None,
               truncate=False, **kwargs):
        """Normal of mean ``avg`` and deviation ``std``."""
        if truncate:
            raise NotImplementedError("MRG_RandomStreams.normal(truncate=True) is not provided "
                                      "by symlab")
        return self.gen("normal", size, avg, std, ndim=ndim, dtype=dtype)

    def binomial(self, size=None, p=1, ndim=None, dtype="int64", nstreams=None, n=1, **kwargs):
        """Successes of ``n`` (Theano: 1) trials of probability ``p``."""
        return self.gen("binomial", size, n, p, ndim=ndim, dtype=dtype)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None,
                    **kwargs):
        """Counts of ``n`` draws over each row of ``pvals``."""
        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial: you have to specify pvals")
        return self.gen("multinomial", size, n, pvals, ndim=ndim, dtype=dtype)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64",
               nstreams=None, **kwargs):
        """``RandomStreams.choice``; MRG's choice over the rows of a matrix ``p`` is missing."""
        p_ndim = 1 if p is None else p.ndim if hasattr(p, "ndim") else np.ndim(p)
        if a is None or p_ndim > 1:
            raise NotImplementedError(
                "MRG_RandomStreams.choice over the rows of a probability matrix (a=None) is not "
                "provided by symlab; give a and a probability vector p, as RandomStreams.choice")
        return self.gen("choice", size, a, replace, p, ndim=ndim, dtype=dtype)
