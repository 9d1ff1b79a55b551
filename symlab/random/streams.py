"""``RandomStreams``: Theano's stream of random variables, with Theano's seeding.

Each draw method (``uniform``, ``normal``, ... : one per row of
``symlab.random.distributions``) makes a new random variable ``rv`` with its
own state: ``rv.rng`` is a shared variable holding a
``numpy.random.RandomState``, ``rv.update`` the pair ``(rv.rng, new state)``,
and ``rv.rng.default_update`` the new state, so every function computing
``rv`` advances it (unless compiled with ``no_default_updates``).

Seeding is Theano's: ``RandomStreams(seed)`` keeps ``gen_seedgen =
RandomState(seed)``, and the k-th variable created gets
``RandomState(gen_seedgen.randint(2**30))``; ``srng.seed(s)`` gives every
variable, in creation order, ``RandomState(RandomState(s).randint(2**30))``.
So the same seed gives the numbers Theano gave. ``seed=None`` is Theano's
too: ``RandomState(None)``, seeded from the operating system (not
reproducible).

``kind='generator'`` makes a stream of ``numpy.random.Generator`` (PCG64)
states instead, seeded the modern way: the k-th variable gets the k-th
child of ``numpy.random.SeedSequence(seed)``. Same methods, same history;
different numbers, and no ``RandomState`` methods (``.seed()``) on the states.

``kind='philox'`` seeds the same way, with ``Generator(Philox)`` states, and
makes the draws that have a counter-based form (``uniform``, ``normal``)
counter-based on the CPU too: each takes a key from the state and computes
what the GPU computes (``symlab/random/philox.py``), so a function gives the
same ``uniform`` numbers on 'cpu' and on 'cuda' (``normal`` within a few
units in the last place: the GPU's ``log``/``cos``/``sin``). The other
draws call the Generator's methods, on the host on either device.
"""

import inspect
import types

import numpy as np

from symlab.random import distributions
from symlab.random.history import StreamHistory
from symlab.random.ops import random_variable, shared_rng

__all__ = ["RandomStreams", "KINDS"]

#: The kinds of state a stream can make: the bit generator of each kind's Generator states.
KINDS = ("randomstate", "generator", "philox")
_BIT_GENERATORS = {"generator": np.random.PCG64, "philox": np.random.Philox}


def _stream_method(row):
    """The stream method of ``row``: ``(self, size=None, *params, ndim=None, dtype=...)``."""
    P = inspect.Parameter
    parameters = [P("self", P.POSITIONAL_OR_KEYWORD), P("size", P.POSITIONAL_OR_KEYWORD,
                                                        default=None)]
    parameters += [P(p.name, P.POSITIONAL_OR_KEYWORD, default=p.default) for p in row.params]
    default_dtype = None if row.dtype == distributions.FLOATX else row.dtype
    parameters += [P("ndim", P.POSITIONAL_OR_KEYWORD, default=None),
                   P("dtype", P.POSITIONAL_OR_KEYWORD, default=default_dtype)]
    signature = inspect.Signature(parameters)

    def method(self, *args, **kwargs):
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{row.name}{signature}: {exc}") from None
        bound.apply_defaults()
        given = bound.arguments
        return self.gen(row, given["size"], *[given[p.name] for p in row.params],
                        ndim=given["ndim"], dtype=given["dtype"])

    method.__name__ = method.__qualname__ = row.name
    method.__signature__ = signature
    dtype_text = ("upcast(floatX, parameter dtypes)" if default_dtype is None
                  else default_dtype)
    method.__doc__ = (f"A new random variable: {row.doc}\n\n``size``: the shape of the draw "
                      "(a tuple of ints or symbolic scalars, or a symbolic vector; None: the "
                      f"parameters' shape). The dtype defaults to {dtype_text}.")
    return method


class RandomStreams:
    """A stream of random variables seeded as Theano's ``RandomStreams`` (module docstring).

    Attributes: ``state_updates`` (the ``(state, new state)`` pairs, in
    creation order), ``default_instance_seed``, ``gen_seedgen`` (kind
    'randomstate') or ``seed_sequence`` (kinds 'generator' and 'philox'),
    ``kind``.
    """

    def __init__(self, seed=None, kind="randomstate"):
        if kind not in KINDS:
            raise ValueError(f"RandomStreams: kind must be one of {', '.join(KINDS)}; "
                             f"got {kind!r}")
        self.kind = kind
        self.default_instance_seed = seed
        self.state_updates = []
        if kind == "randomstate":
            self.gen_seedgen = np.random.RandomState(seed)
        else:
            self.seed_sequence = np.random.SeedSequence(seed)
        self._stream_history = StreamHistory(self)

    # -------------------------------------------------------------- states

    def _next_state(self):
        """The state of the next variable created (Theano: gen_seedgen.randint(2**30))."""
        if self.kind == "randomstate":
            return np.random.RandomState(int(self.gen_seedgen.randint(2 ** 30)))
        (child,) = self.seed_sequence.spawn(1)
        return np.random.Generator(_BIT_GENERATORS[self.kind](child))

    def seed(self, seed=None):
        """Reseed every variable of the stream from ``seed`` (None: the stream's own seed)."""
        if seed is None:
            seed = self.default_instance_seed
        if self.kind == "randomstate":
            seedgen = np.random.RandomState(seed)
            for old_r, _ in self.state_updates:
                old_r.set_value(np.random.RandomState(int(seedgen.randint(2 ** 30))),
                                borrow=True)
        else:
            children = np.random.SeedSequence(seed).spawn(len(self.state_updates))
            for (old_r, _), child in zip(self.state_updates, children):
                old_r.set_value(np.random.Generator(_BIT_GENERATORS[self.kind](child)),
                                borrow=True)

    def updates(self):
        """The ``(state, new state)`` pairs of every variable created, in order."""
        return list(self.state_updates)

    def __getitem__(self, item):
        """Theano's ``srng[rv.rng]``: the state held by a shared variable (not copied)."""
        return item.get_value(borrow=True)

    def __setitem__(self, item, value):
        item.set_value(value, borrow=True)

    @property
    def history(self):
        """The stream's ``StreamHistory`` (also ``symlab.random.history(srng)``)."""
        return self._stream_history

    # -------------------------------------------------------------- variables

    def gen(self, distribution, size=None, *params, ndim=None, dtype=None):
        """A new random variable drawing from ``distribution`` (a row or its name).

        ``params`` are the row's parameters in order. The variable gets
        ``.rng`` and ``.update``; its state gets ``default_update``.
        """
        row = distributions.get(distribution) if isinstance(distribution, str) else distribution
        rng = shared_rng(self._next_state())
        new_rng, out = random_variable(row, rng, size, params, ndim=ndim, dtype=dtype)
        out.__dict__["rng"] = rng
        out.__dict__["update"] = (rng, new_rng)
        rng.default_update = new_rng
        self.state_updates.append(out.update)
        self._stream_history.add(rng, out)
        return out

    def __getstate__(self):
        state = dict(self.__dict__)
        del state["_stream_history"]  # rebuilt on load: a history holds weak references
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._stream_history = StreamHistory(self)
        for rng, new_rng in self.state_updates:
            self._stream_history.add(rng, new_rng.owner.outputs[0])

    def __getattr__(self, name):
        # Rows registered after this class was made (distributions.register) are methods too.
        if not name.startswith("_"):
            for row in distributions.DISTRIBUTIONS:
                if row.name == name:
                    return types.MethodType(_stream_method(row), self)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self):
        return (f"<{type(self).__name__} kind={self.kind!r} seed={self.default_instance_seed!r}"
                f": {len(self.state_updates)} variable(s)>")


for _row in distributions.DISTRIBUTIONS:
    setattr(RandomStreams, _row.name, _stream_method(_row))
del _row
