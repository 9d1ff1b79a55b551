"""THE table of distributions: one row each, read by the op, the streams and the history.

A row says everything symlab needs to know about a distribution:

- ``name``: the stream method (``srng.uniform``) and the op's printed name
  (``uniform_rv``);
- ``params``: the distribution's arguments after ``size``, in Theano's order,
  each with its default and how it broadcasts (``Param.core_ndim``);
- ``dtype``: the default output dtype, ``"floatX"`` meaning Theano's rule
  ``upcast(floatX, *parameter dtypes)``;
- ``draw(rng, size, *params)``: the draw on a ``numpy.random.RandomState``,
  calling the method of the same name with Theano's arguments, so a seed
  gives the numbers Theano gave;
- ``draw_generator``: the same on a ``numpy.random.Generator`` (None: ``draw``
  works on both);
- ``counter_draw(key, size, *params)`` and ``cuda``: the draw computed
  counter-based from a key (``symlab/random/philox.py``): in NumPy, and as the
  CUDA C expression of one element (over the parameters ``a0, a1, ...``, the
  key words ``key0, key1`` and the element index ``i``), which the CuPy
  backend makes a kernel of. A row with them draws on the GPU; on the CPU,
  ``counter_draw`` is used for counter-based states (``kind='philox'``). None:
  the draw stays on the host on every device;
- ``added_ndim`` / ``added_shape``: dimensions a draw appends after ``size``
  (one permutation of ``n`` per entry of ``size``: one more dimension).

How ``size`` and ``ndim`` broadcast (Theano's ``_infer_ndim_bcast``): with
``size=None`` the batch shape is the broadcast of the parameters' batch
shapes (a parameter's batch shape is its shape without its ``core_ndim``
trailing dimensions; parameters with ``core_ndim=None`` take no part); with a
size, the batch shape is the size, whose entries may be symbolic or ``-1``
(the matching dimension of the broadcast parameters). The output has
``len(batch) + added_ndim`` dimensions.

To add a distribution, add a row here (see ``docs/random.md``): every
``RandomStreams`` (any ``kind``) then has the method, the op prints it, and
the history can replay it. ``register`` adds a row at run time, for code
outside symlab.

``MRG_DISTRIBUTIONS`` holds the rows of ``MRG_RandomStreams``: Theano's MRG
draws on MRG31k3p states (``symlab/random/mrg_draws.py``). They are rows
like the others for the op, ``get`` and the history, but in a table of their
own, so they are not methods of every ``RandomStreams``; their parameters
are Theano's graph's (``binomial`` takes the uniform's ``low`` and ``high``,
whose dtype is the uniform's, before ``p``).
"""

from dataclasses import dataclass

import numpy as np

from symlab.random import mrg_draws, philox
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["Param", "Distribution", "DISTRIBUTIONS", "MRG_DISTRIBUTIONS", "get", "register",
           "sample", "batch_shape_of"]


@dataclass(frozen=True)
class Param:
    """One argument of a distribution.

    ``core_ndim``: 0 (the default) when the parameter broadcasts elementwise
    against the batch shape (``low``, ``avg``); k when its last k dimensions
    belong to each single draw (``pvals``: 1); None when it does not
    broadcast at all (``choice``'s ``a``, ``permutation``'s ``n``).
    ``convert``: how the stream turns the user's value into a symbolic input
    (None: ``as_tensor_variable``).
    """

    name: str
    default: object
    core_ndim: object = 0
    convert: object = None


@dataclass(frozen=True)
class Distribution:
    """A row of the table (see the module docstring)."""

    name: str
    params: tuple
    dtype: str
    draw: object
    draw_generator: object = None
    added_ndim: int = 0
    added_shape: object = None
    doc: str = ""
    counter_draw: object = None
    cuda: str = None

    def draw_on(self, rng):
        """The draw function for ``rng`` (a RandomState or a Generator): counter-based for a
        counter-based state (``philox.is_counter_based``) when the row has one."""
        if self.counter_draw is not None and philox.is_counter_based(rng):
            return self._keyed_draw
        if self.draw_generator is not None and isinstance(rng, np.random.Generator):
            return self.draw_generator
        return self.draw

    def _keyed_draw(self, rng, size, *params):
        return self.counter_draw(philox.draw_key(rng), size, *params)


# ------------------------------------------------------------------ draws
#
# Each draw takes the generator, the size (None or a tuple of ints) and the
# parameter values (0-d or n-d arrays), and returns the values in any dtype:
# the op casts them to the node's dtype, as Theano did.


def _uniform(rng, size, low, high):
    return rng.uniform(low, high, size)


def _normal(rng, size, avg, std):
    return rng.normal(avg, std, size)


def _binomial(rng, size, n, p):
    return rng.binomial(n, p, size)


def _poisson(rng, size, lam):
    return rng.poisson(lam, size)


def _random_integers(rng, size, low, high):
    # RandomState.random_integers(low, high) is randint(low, high + 1): the same stream,
    # element by element as Theano drew it, without NumPy's deprecation warning.
    return rng.randint(np.asarray(low, dtype=np.int64), np.asarray(high, dtype=np.int64) + 1,
                       size)


def _random_integers_generator(rng, size, low, high):
    return rng.integers(np.asarray(low, dtype=np.int64), np.asarray(high, dtype=np.int64),
                        size, endpoint=True)


def _choice(rng, size, a, replace, p):
    # Theano's choice_helper: p given as an empty vector means None.
    if np.ndim(a) > 1:
        raise ValueError(f"choice: a must be a scalar or a vector; got {np.ndim(a)} dimensions")
    if np.ndim(p) != 1:
        raise ValueError(f"choice: p must be a vector; got {np.ndim(p)} dimensions")
    return rng.choice(a, size, bool(replace), None if np.size(p) == 0 else p)


def _permutation(rng, size, n):
    # Theano's permutation_helper: one independent rng.permutation(n) per entry of size.
    n = int(np.asarray(n).item())
    shape = () if size is None else tuple(size)
    out = np.empty(shape + (n,), dtype=np.int64)
    for index in np.ndindex(*shape):
        out[index] = rng.permutation(n)
    return out


def _broadcast_indices(out_shape, *shapes):
    """Per output index (C order), the matching index into each of ``shapes`` (size-1 dims: 0)."""
    for index in np.ndindex(*out_shape):
        yield index, [tuple(0 if s == 1 else i for i, s in zip(index, shape)) for shape in shapes]


def _multinomial(rng, size, n, pvals):
    # Theano's multinomial_helper: one rng.multinomial per row, with its correction of
    # probability vectors summing a little over 1 or ending below 5e-5 (kept for Theano's
    # numbers).
    n, pvals = np.asarray(n), np.asarray(pvals)
    ndim = len(size) if size is not None else max(n.ndim, pvals.ndim - 1)
    if n.ndim > ndim or pvals.ndim - 1 > ndim:
        raise ValueError(f"multinomial: n (shape {n.shape}) and pvals (shape {pvals.shape}) "
                         f"have more dimensions than the size {size}")
    n = n.reshape((1,) * (ndim - n.ndim) + n.shape)
    pvals = pvals.reshape((1,) * (ndim + 1 - pvals.ndim) + pvals.shape)
    if size is None:
        size = tuple(max(a, b) for a, b in zip(n.shape, pvals.shape[:-1]))
    size = tuple(size)
    for shape in (n.shape, pvals.shape[:-1]):
        if any(s not in (1, t) for s, t in zip(shape, size)):
            raise ValueError(f"multinomial: cannot broadcast n (shape {n.shape}) and pvals "
                             f"(shape {pvals.shape}) to the size {size}")
    if pvals.size and pvals.min() < 0:
        raise ValueError("multinomial: pvals must be non-negative")
    out = np.empty(size + (pvals.shape[-1],))
    for out_index, (n_index, p_index) in _broadcast_indices(size, n.shape, pvals.shape[:-1]):
        row = pvals[p_index]
        total = np.sum(row)
        if 1.0 < total < 1.0 + 1e-5 or row[-1] < 5e-5:
            row = row * (1.0 - 5e-5)
        out[out_index] = rng.multinomial(n=n[n_index], pvals=row.astype("float64"))
    return out


def _multinomial_generator(rng, size, n, pvals):
    return rng.multinomial(n, pvals, size)


def _convert_replace(value):
    if isinstance(value, (bool, np.bool_)):
        return constant(value, dtype="int8")
    return as_tensor_variable(value)


def _convert_p(value):
    # Theano encodes p=None as an empty vector.
    if value is None:
        return constant(np.zeros(0, dtype="float64"))
    return as_tensor_variable(value)


def _constant_value(var):
    data = getattr(var, "data", None)
    return None if data is None else data


def _permutation_shape(n):
    value = _constant_value(n)
    return (int(value),) if value is not None and np.ndim(value) == 0 else (None,)


def _multinomial_shape(n, pvals):
    return (pvals.type.shape[-1],) if pvals.type.ndim else (None,)


FLOATX = "floatX"

DISTRIBUTIONS = [
    Distribution("uniform", (Param("low", 0.0), Param("high", 1.0)), FLOATX, _uniform,
                 doc="Uniform on [low, high): RandomState.uniform(low, high, size).",
                 counter_draw=philox.uniform, cuda="sl_philox_uniform(key0, key1, i, a0, a1)"),
    Distribution("normal", (Param("avg", 0.0), Param("std", 1.0)), FLOATX, _normal,
                 doc="Normal of mean avg and standard deviation std: "
                     "RandomState.normal(avg, std, size).",
                 counter_draw=philox.normal, cuda="sl_philox_normal(key0, key1, i, a0, a1)"),
    Distribution("binomial", (Param("n", 1), Param("p", 0.5)), "int64", _binomial,
                 doc="Successes in n trials of probability p: RandomState.binomial(n, p, size)."),
    Distribution("poisson", (Param("lam", 1.0),), "int64", _poisson,
                 doc="Poisson of rate lam: RandomState.poisson(lam, size)."),
    Distribution("random_integers", (Param("low", 0), Param("high", 1)), "int64",
                 _random_integers, _random_integers_generator,
                 doc="Integers from low to high inclusive: RandomState.random_integers(low, "
                     "high, size), drawn as randint(low, high + 1, size) (the same stream)."),
    Distribution("choice", (Param("a", 2, None), Param("replace", True, None, _convert_replace),
                            Param("p", None, None, _convert_p)), "int64", _choice,
                 doc="Samples of a (or of range(a)), with or without replacement, with "
                     "probabilities p: RandomState.choice(a, size, replace, p)."),
    Distribution("permutation", (Param("n", 1, None),), "int64", _permutation,
                 added_ndim=1, added_shape=_permutation_shape,
                 doc="One permutation of range(n) per entry of size (the result has one more "
                     "dimension, of length n): RandomState.permutation(n) each."),
    Distribution("multinomial", (Param("n", 1), Param("pvals", (0.5, 0.5), 1)), "int64",
                 _multinomial, _multinomial_generator, added_ndim=1,
                 added_shape=_multinomial_shape,
                 doc="Counts of n draws over len(pvals) outcomes, one vector per entry of "
                     "size: RandomState.multinomial(n, pvals) each."),
]


def _mrg_counts_shape(low, high, n, pvals):
    return (pvals.type.shape[-1],) if pvals.type.ndim else (None,)


def _mrg_choice_shape(low, high, n, p):
    value = _constant_value(n)
    return (int(value),) if value is not None and np.ndim(value) == 0 else (None,)


# The uniform's bounds, passed before the parameters of a draw made from one uniform:
# Theano's MRG draws it in the dtype of the bounds (floatX).
_MRG_UNIT = (Param("low", 0.0, None), Param("high", 1.0, None))


MRG_DISTRIBUTIONS = [
    Distribution("mrg_uniform", (Param("low", 0.0), Param("high", 1.0)), FLOATX,
                 mrg_draws.uniform,
                 doc="Theano's MRG uniform on [low, high): low + u * (high - low), fused."),
    Distribution("mrg_normal", (Param("avg", 0.0), Param("std", 1.0)), FLOATX,
                 mrg_draws.normal,
                 doc="Theano's MRG normal: Box-Muller on MRG31k3p uniforms."),
    Distribution("mrg_truncated_normal", (Param("avg", 0.0), Param("std", 1.0)), FLOATX,
                 mrg_draws.truncated_normal,
                 doc="Theano's MRG normal(truncate=True): values beyond 2 deviations redrawn "
                     "from a second substream matrix."),
    Distribution("mrg_binomial", _MRG_UNIT + (Param("p", 0.5),), "int64",
                 mrg_draws.binomial,
                 doc="Theano's MRG binomial (n = 1): uniform(low, high) < p."),
    Distribution("mrg_multinomial", _MRG_UNIT + (
        Param("n", 1, None), Param("pvals", ((0.5, 0.5),), 1)), "int64",
                 mrg_draws.multinomial, added_ndim=1, added_shape=_mrg_counts_shape,
                 doc="Theano's MRG multinomial: counts of n draws per row of pvals."),
    Distribution("mrg_choice", _MRG_UNIT + (
        Param("n", 1, None), Param("p", ((0.5, 0.5),), 1)), "int64",
                 mrg_draws.choice, added_ndim=1, added_shape=_mrg_choice_shape,
                 doc="Theano's MRG choice: n outcomes per row of p, without replacement."),
]


def get(name):
    """The row called ``name`` (in ``DISTRIBUTIONS`` or ``MRG_DISTRIBUTIONS``), or KeyError
    listing the known names."""
    for row in DISTRIBUTIONS + MRG_DISTRIBUTIONS:
        if row.name == name:
            return row
    raise KeyError(f"no distribution {name!r}; known: "
                   f"{', '.join(r.name for r in DISTRIBUTIONS + MRG_DISTRIBUTIONS)}")


def register(row):
    """Add ``row`` (a Distribution) to the table; its name must be new. Returns it."""
    if not isinstance(row, Distribution):
        raise TypeError(f"register: expected a Distribution row; got {row!r:.60}")
    if any(r.name == row.name for r in DISTRIBUTIONS + MRG_DISTRIBUTIONS):
        raise ValueError(f"register: a distribution named {row.name!r} exists already")
    DISTRIBUTIONS.append(row)
    return row


# ------------------------------------------------------------------ run time


def batch_shape_of(row, params):
    """The broadcast batch shape of the parameter values (their core dims removed)."""
    shapes = []
    for spec, value in zip(row.params, params):
        if spec.core_ndim is None:
            continue
        shape = tuple(value.shape) if hasattr(value, "shape") else np.shape(value)
        shapes.append(shape[:len(shape) - spec.core_ndim] if spec.core_ndim else shape)
    return np.broadcast_shapes(*shapes) if shapes else ()


def _resolve_size(row, size, params, ndim, label):
    """Theano's size rules at run time: None/empty -> the parameters' shape; -1 filled in."""
    size = [int(s) for s in np.asarray(size).reshape(-1)]
    if not size:
        if ndim == 0:
            return None
        batch = batch_shape_of(row, params)
        if len(batch) != ndim:
            raise ValueError(f"{label}: the parameters broadcast to shape {batch}, but the "
                             f"draw has {ndim} dimension(s)")
        return tuple(batch)
    if len(size) != ndim:
        raise ValueError(f"{label}: size {tuple(size)} has {len(size)} entries, the draw has "
                         f"{ndim} dimension(s)")
    if any(s == -1 for s in size):
        batch = batch_shape_of(row, params)
        batch = (1,) * (ndim - len(batch)) + tuple(batch)
        size = [b if s == -1 else s for s, b in zip(size, batch)]
    if any(s < 0 for s in size):
        raise ValueError(f"{label}: negative entry in size {tuple(size)}")
    return tuple(size)


def sample(row, rng, size, params, dtype, ndim, label=None):
    """Draw from ``rng`` (advancing it): the values of the random op, cast to ``dtype``.

    ``size`` is the size vector (empty: from the parameters), ``ndim`` the
    batch dimensions. Returns ``(values, resolved size)``; raises ValueError
    naming ``label`` when the shapes disagree.
    """
    label = label or f"{row.name}_rv"
    resolved = _resolve_size(row, size, params, ndim, label)
    values = row.draw_on(rng)(rng, resolved, *params)
    values = np.asarray(values, dtype=dtype)
    if resolved is None and values.ndim == 0 and ndim + row.added_ndim > 0:
        values = values.reshape((1,) * (ndim + row.added_ndim))
    if values.ndim != ndim + row.added_ndim:
        raise ValueError(f"{label}: the draw has {values.ndim} dimension(s), expected "
                         f"{ndim + row.added_ndim}")
    if resolved is not None and values.shape[:ndim] != resolved:
        raise ValueError(f"{label}: the draw has shape {values.shape}, expected the size "
                         f"{resolved}")
    return values, resolved
