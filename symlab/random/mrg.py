"""``MRG_RandomStreams``: Theano's ``theano.sandbox.rng_mrg`` streams, with Theano's numbers.

A stream keeps ``rstate``, six int32 (Theano's ``set_rstate``: an int seed
in [1, M2) replicated, or six ints). Every uniform draw that Theano's graph
for a method makes takes a matrix of substreams starting at ``rstate``
(``get_substream_rstates``: ``nstreams`` rows, each ``2**72`` steps after
the one before), and ``rstate`` then jumps ``2**134`` steps to the next
stream (``inc_rstate``). Each random variable's state, ``rv.rng`` (also
``rv.rstate``), is a shared variable holding an ``MRGState``: those
matrices (one; two for ``normal(truncate=True)``, which draws twice). The
draw itself is one random op whose row (``distributions.MRG_DISTRIBUTIONS``)
computes in NumPy what Theano's graph computes (``symlab.random.mrg_draws``),
so the same seed, sizes, dtypes and ``nstreams`` give Theano 1.0.5's numbers,
call after call.

``nstreams``, when not given, is Theano's guess (``guess_n_streams``): for a
size given as Python ints, their product (divided by 6 when above 6), at
most ``60 * 256``; for any other size (symbolic, e.g. ``x.shape``) ``60 *
256``. ``normal``, ``multinomial`` and ``choice`` always draw their uniforms
with a symbolic size in Theano, so they use ``60 * 256`` substreams.

What symlab adds is what its other streams have: a draw copies the state it
draws from, so a failing call changes nothing; ``rv.rng.default_update``
advances the state after each call; the history (``symlab.random.history``)
steps, replays and reseeds it; ``srng.seed(s)`` reseeds every variable as
Theano's does. Methods Theano's MRG stream lacks (``poisson``,
``permutation`` ...) raise a TypeError pointing to ``RandomStreams``.
"""

import warnings

import numpy as np

from symlab.compile.shared import GenericSharedVariable
from symlab.config import config
from symlab.graph.basic import Variable
from symlab.random import distributions, mrg31k3p
from symlab.random.history import StreamHistory
from symlab.random.mrg_draws import MRGState
from symlab.random.ops import RngType, random_variable
from symlab.random.streams import RandomStreams
from symlab.tensor.type import upcast
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["MRG_RandomStreams", "MRGState", "MRGStateType", "guess_n_streams"]

M1 = mrg31k3p.M1
M2 = mrg31k3p.M2
#: Theano's ``truncated_normal`` divides ``std`` by this (the deviation of N(0, 1) cut at 2).
TRUNCATED_STD = 0.87962566103423978


def guess_n_streams(size, warn=False):
    """Theano's guess of a number of substreams for ``size``: the product of a tuple or
    list of Python ints (divided by 6, integer division, when above 6), at most
    ``60 * 256``; ``60 * 256`` for anything else (with a warning if ``warn``)."""
    if isinstance(size, (tuple, list)) and all(isinstance(s, int) for s in size):
        product = 1
        for s in size:
            product *= s
        if product > 6:
            product //= 6
        return min(product, mrg31k3p.THEANO_STREAMS)
    if warn:
        warnings.warn(f"MRG_RandomStreams can't determine #streams from size ({size}), "
                      "guessing 60*256", stacklevel=3)
    return mrg31k3p.THEANO_STREAMS


class MRGStateType(RngType):
    """The type of MRG states in graphs: ``RngType(MRGState)`` whose ``set_value`` also takes
    Theano's form of a state, an int32 (n x 6) matrix of substreams."""

    def __init__(self):
        super().__init__(MRGState)

    def filter(self, value, name="value", allow_downcast=None):
        """An MRGState, or an integer (n x 6) matrix made one; TypeError otherwise."""
        if isinstance(value, np.ndarray) and not isinstance(value, MRGState) \
                and value.ndim == 2:
            value = MRGState(value)
        return super().filter(value, name, allow_downcast)


def _check_kwargs(method, kwargs):
    # Theano's uniform takes `target` (a device name), which symlab's CPU draws ignore.
    unknown = sorted(set(kwargs) - {"target"})
    if unknown:
        raise TypeError(f"MRG_RandomStreams.{method}() got unexpected keyword argument(s) "
                        f"{', '.join(unknown)}")


def _uniform_size(size, method):
    """Theano's checks of a uniform's size: a tuple of ints (> 0) and symbolic scalars, or a
    symbolic vector (symlab also takes a list, or an int meaning a 1-tuple)."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, (bool, np.bool_)):
        size = (int(size),)
    if isinstance(size, (tuple, list)):
        for entry in size:
            if not isinstance(entry, (int, np.integer, Variable)) or isinstance(entry, bool):
                raise TypeError(f"MRG_RandomStreams.{method}: size must be a tuple of ints or "
                                f"symbolic scalars, or a symbolic vector; got {size!r:.60}")
            if isinstance(entry, (int, np.integer)) and entry <= 0:
                raise ValueError(f"MRG_RandomStreams.{method}: the specified size {tuple(size)} "
                                 "contains a dimension with value <= 0")
        return tuple(size)
    if isinstance(size, Variable) and getattr(size.type, "ndim", None) == 1:
        return size
    raise TypeError(f"MRG_RandomStreams.{method}: size must be a tuple of ints or a symbolic "
                    f"vector (1 dimension); got {size!r:.60}")


def _normal_size(size):
    """Theano's ``_check_size``: a symbolic scalar becomes a 1-tuple, an int a 1-tuple."""
    if isinstance(size, Variable) and getattr(size.type, "ndim", None) == 0:
        return (size,)
    if isinstance(size, Variable) and getattr(size.type, "ndim", None) not in (None, 1):
        raise ValueError(f"MRG_RandomStreams.normal: a symbolic size must have 1 dimension; "
                         f"got {size}")
    return _uniform_size(size, "normal")


def _draw_dtype(dtype, *params):
    """Theano's rule: ``dtype`` (``'floatX'`` read now) or ``upcast(floatX, *params)``."""
    if dtype is None:
        dtype = upcast(config.floatX, *[p.type.dtype for p in params])
    elif dtype == "floatX":
        dtype = config.floatX
    dtype = str(np.dtype(dtype))
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"MRG_RandomStreams: uniform draws are floats (float16, float32, "
                        f"float64); got dtype {dtype}")
    return dtype


def _cast(var, dtype):
    from symlab.tensor.math import cast
    return var if var.type.dtype == dtype else cast(var, dtype)


class MRG_RandomStreams(RandomStreams):
    """Theano's MRG stream (see the module docstring).

    Attributes: ``rstate`` (where the next variable's substreams start),
    ``state_updates`` (the ``(state, new state)`` pairs, in creation order),
    ``default_instance_seed``.
    """

    def __init__(self, seed=12345, use_cuda=None):
        self.kind = "mrg31k3p"
        self.state_updates = []
        self.default_instance_seed = seed
        self.set_rstate(seed)
        self._stream_history = StreamHistory(self)

    # -------------------------------------------------------------- states

    def set_rstate(self, seed):
        """Set ``rstate`` from an int in [1, M2) or six ints (Theano's checks)."""
        self.rstate = mrg31k3p.seed_rstate(seed)

    def inc_rstate(self):
        """Move ``rstate`` on ``2**134`` steps, to the start of the next stream."""
        self.rstate = mrg31k3p.next_stream(self.rstate)

    def get_substream_rstates(self, n_streams, dtype=None, inc_rstate=True):
        """A matrix of ``n_streams`` substream states starting at ``rstate`` (each row
        ``2**72`` steps after the one before), then ``inc_rstate()``; int32, n x 6."""
        matrix = mrg31k3p.substreams(self.rstate, n_streams)
        if inc_rstate:
            self.inc_rstate()
        return matrix

    def n_streams(self, size):
        """Theano's guess of a number of substreams for ``size`` (``guess_n_streams``)."""
        return guess_n_streams(size)

    def _next_state(self, n_streams, matrices=1):
        return MRGState(tuple(self.get_substream_rstates(n_streams) for _ in range(matrices)))

    def seed(self, seed=None):
        """Reset ``rstate`` from ``seed`` (None: the stream's seed) and give every variable,
        in creation order, new substreams from it, as Theano's ``seed`` does."""
        rstate = mrg31k3p.seed_rstate(self.default_instance_seed if seed is None else seed)
        kept, self.rstate = self.rstate, rstate
        try:
            states = [MRGState(tuple(self.get_substream_rstates(n)
                                     for n in old_r.get_value(borrow=True).n_streams))
                      for old_r, _ in self.state_updates]
        except BaseException:
            self.rstate = kept
            raise
        for (old_r, _), state in zip(self.state_updates, states):
            old_r.set_value(state, borrow=True)

    # -------------------------------------------------------------- variables

    def gen(self, distribution, size=None, *params, ndim=None, dtype=None, nstreams=None):
        """A new random variable drawing from the MRG row ``distribution`` (a row or its
        name, in ``distributions.MRG_DISTRIBUTIONS``) with ``nstreams`` substreams (None:
        guessed from ``size``). It gets ``.rng`` (= ``.rstate``) and ``.update``."""
        row = distributions.get(distribution) if isinstance(distribution, str) else distribution
        if row not in distributions.MRG_DISTRIBUTIONS:
            methods = "uniform, normal, truncated_normal, binomial, multinomial, choice"
            raise TypeError(f"MRG_RandomStreams has no {row.name}: Theano's MRG stream draws "
                            f"{methods}; use RandomStreams for {row.name}")
        if nstreams is None:
            nstreams = self.n_streams(size)
        if not isinstance(nstreams, (int, np.integer)) or nstreams <= 0:
            raise ValueError(f"MRG_RandomStreams: nstreams must be a positive int; got "
                             f"{nstreams!r}")
        start = self.rstate
        try:
            matrices = 2 if row.name == "mrg_truncated_normal" else 1
            rng = GenericSharedVariable(MRGStateType(), self._next_state(nstreams, matrices),
                                        device="cpu")
            new_rng, out = random_variable(row, rng, size, params, ndim=ndim, dtype=dtype)
        except BaseException:
            self.rstate = start
            raise
        out.__dict__["rng"] = out.__dict__["rstate"] = rng
        out.__dict__["update"] = (rng, new_rng)
        rng.default_update = new_rng
        self.state_updates.append(out.update)
        self._stream_history.add(rng, out)
        return out

    # -------------------------------------------------------------- Theano's methods

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None,
                **kwargs):
        """Uniform on [low, high): ``low + u * (high - low)`` with MRG31k3p's ``u`` in
        (0, 1), drawn element ``i`` from substream ``i % nstreams``. ``dtype`` defaults to
        ``upcast(floatX, low, high)``."""
        _check_kwargs("uniform", kwargs)
        low, high = as_tensor_variable(low), as_tensor_variable(high)
        dtype = _draw_dtype(dtype, low, high)
        size = _uniform_size(size, "uniform")
        return self.gen("mrg_uniform", size, _cast(low, dtype), _cast(high, dtype), ndim=ndim,
                        dtype=dtype, nstreams=nstreams)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None,
               truncate=False, **kwargs):
        """Normal of mean ``avg`` and deviation ``std`` (Theano's Box-Muller); with
        ``truncate=True``, values beyond 2 deviations are redrawn (a second substream
        matrix), as Theano does. ``nstreams`` defaults to ``60 * 256``."""
        _check_kwargs("normal", kwargs)
        size = _normal_size(size)
        avg, std = as_tensor_variable(avg), as_tensor_variable(std)
        dtype = _draw_dtype(dtype, avg, std)
        if nstreams is None:
            nstreams = mrg31k3p.THEANO_STREAMS      # Theano's uniform gets a symbolic size
        row = "mrg_truncated_normal" if truncate else "mrg_normal"
        return self.gen(row, size, _cast(avg, dtype), _cast(std, dtype), ndim=ndim,
                        dtype=dtype, nstreams=nstreams)

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None,
                         **kwargs):
        """Normal cut at 2 deviations, ``std`` first divided by 0.8796... (the deviation of a
        standard normal cut at 2), so the result has deviation ``std``."""
        std = as_tensor_variable(std) / constant(TRUNCATED_STD)
        return self.normal(size, avg, std, ndim=ndim, dtype=dtype, nstreams=nstreams,
                           truncate=True, **kwargs)

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", nstreams=None,
                 **kwargs):
        """``uniform(size) < p`` cast to ``dtype`` (Theano: n must be 1); the uniform is of
        dtype floatX."""
        if isinstance(n, Variable) or n != 1:
            raise NotImplementedError("MRG_RandomStreams.binomial with n > 1")
        _check_kwargs("binomial", kwargs)
        p = as_tensor_variable(p)
        size = _uniform_size(size, "binomial")
        unit = str(np.dtype(config.floatX))
        return self.gen("mrg_binomial", size, constant(np.zeros((), unit)),
                        constant(np.ones((), unit)), p, ndim=ndim, dtype=dtype,
                        nstreams=nstreams)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None,
                    **kwargs):
        """Counts of ``n`` draws over each row of the matrix ``pvals`` (Theano's
        ``MultinomialFromUniform``); ``size`` and ``ndim`` must be None, as in Theano;
        ``dtype='auto'`` is pvals' dtype."""
        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial: you have to specify pvals")
        _check_kwargs("multinomial", kwargs)
        pvals = as_tensor_variable(pvals)
        if size is not None:
            if any(isinstance(s, (int, np.integer)) and s <= 0 for s in np.atleast_1d(size)):
                raise ValueError("MRG_RandomStreams.multinomial: the specified size contains "
                                 "a dimension with value <= 0")
            raise ValueError("MRG_RandomStreams.multinomial: provided a size argument, which "
                             "it does not use (each row of pvals is one draw)")
        if ndim is not None:
            raise ValueError("MRG_RandomStreams.multinomial: provided an ndim argument, which "
                             "it does not use")
        if pvals.type.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.multinomial is only implemented for "
                                      f"pvals.ndim = 2; got {pvals.type.ndim}")
        dtype = pvals.type.dtype if dtype == "auto" else dtype
        return self._from_rows("mrg_multinomial", as_tensor_variable(n), pvals, dtype,
                               nstreams)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64",
               nstreams=None, **kwargs):
        """``size`` outcomes (column indices) per row of the matrix ``p``, without
        replacement (Theano's ``ChoiceFromUniform``). As in Theano, only ``a=None`` and
        ``replace=False`` are implemented; for a choice from ``a``, use RandomStreams."""
        if replace:
            raise NotImplementedError("MRG_RandomStreams.choice only works without "
                                      "replacement (replace=False); for a choice with "
                                      "replacement, use RandomStreams.choice")
        if a is not None:
            raise TypeError("MRG_RandomStreams.choice: a has to be None (the outcomes are the "
                            "columns of p); for a choice from a, use RandomStreams.choice")
        if p is None:
            raise TypeError("MRG_RandomStreams.choice: p has to be specified")
        _check_kwargs("choice", kwargs)
        p = as_tensor_variable(p)
        if ndim is not None:
            raise ValueError("MRG_RandomStreams.choice: the ndim argument is not used")
        if p.type.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.choice is only implemented for "
                                      f"p.ndim = 2; got {p.type.ndim}")
        dtype = "int64" if dtype == "auto" else dtype
        return self._from_rows("mrg_choice", as_tensor_variable(size), p, dtype, nstreams)

    def multinomial_wo_replacement(self, size=None, n=1, pvals=None, ndim=None, dtype="int64",
                                   nstreams=None, **kwargs):
        """Deprecated in Theano: ``choice(size=n, a=None, replace=False, p=pvals)``."""
        warnings.warn("MRG_RandomStreams.multinomial_wo_replacement() is deprecated: use "
                      "MRG_RandomStreams.choice()", DeprecationWarning, stacklevel=2)
        if size is not None:
            raise ValueError("MRG_RandomStreams.multinomial_wo_replacement: size must be None "
                             "(n is the number of draws)")
        return self.choice(size=n, a=None, replace=False, p=pvals, ndim=ndim, dtype=dtype,
                           nstreams=nstreams, **kwargs)

    def _from_rows(self, row, n, pvals, dtype, nstreams):
        # Theano draws rows * n uniforms of floatX (a symbolic size: 60 * 256 substreams).
        unit = str(np.dtype(config.floatX))
        if nstreams is None:
            nstreams = mrg31k3p.THEANO_STREAMS
        return self.gen(row, None, constant(np.zeros((), unit)), constant(np.ones((), unit)),
                        n, pvals, dtype=dtype, nstreams=nstreams)
