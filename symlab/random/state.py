"""Random states as values: copy, snapshot, restore and fingerprint.

Two kinds of state are supported: ``numpy.random.RandomState`` (Theano's,
the default) and ``numpy.random.Generator`` (``kind='generator'``). A
*snapshot* is a plain, immutable description of a state (the state dict of
``get_state(legacy=False)`` or of the bit generator, as sorted tuples): it
stays valid whatever later happens to the object it was taken from.
"""

import hashlib

import numpy as np
from numpy.random.bit_generator import ISeedSequence

__all__ = ["RNG_CLASSES", "is_rng", "copy_state", "reseeded", "snapshot", "restore",
           "fingerprint", "snapshot_fingerprint"]

#: The classes a random op accepts as its state.
RNG_CLASSES = (np.random.RandomState, np.random.Generator)


def is_rng(value):
    """True if ``value`` is a RandomState or a Generator."""
    return isinstance(value, RNG_CLASSES)


class _Unseeded(ISeedSequence):
    """A seed sequence that costs (almost) nothing: for states overwritten right away.

    Seeding a new MT19937 the usual way hashes OS entropy into 624 words;
    a copy needs none of it, since its state is set just after.
    """

    def generate_state(self, n_words, dtype=np.uint32):
        return np.ones(n_words, dtype=dtype)


_UNSEEDED = _Unseeded()


def _blank(cls, bit_generator_name):
    """A new ``cls`` (RandomState or Generator) on an unseeded bit generator of that name."""
    bit_generator = getattr(np.random, bit_generator_name)(_UNSEEDED)
    return cls(bit_generator)


def copy_state(rng):
    """A new generator in the same state as ``rng`` (which is left untouched)."""
    if isinstance(rng, np.random.RandomState):
        state = rng.get_state(legacy=False)
        new = _blank(type(rng), state["bit_generator"])
        new.set_state(state)
        return new
    if isinstance(rng, np.random.Generator):
        state = rng.bit_generator.state
        new = _blank(type(rng), state["bit_generator"])
        new.bit_generator.state = state
        return new
    raise TypeError(f"expected a numpy RandomState or Generator; got {type(rng).__name__}")


def reseeded(rng, seed):
    """A new state of the same kind as ``rng`` (left untouched), seeded with ``seed``.

    A ``Generator`` gets a new bit generator of its class (``PCG64(seed)``,
    ``Philox(seed)``). A ``RandomState`` (or a subclass: an ``MRGState`` keeps
    its number of substream matrices and of substreams in each) is copied and
    the copy's own ``seed(seed)`` is called, so ``RandomState`` gives
    ``RandomState(seed)``; one on a bit generator other than MT19937, which
    ``seed`` refuses, gets a new bit generator of that class. Bad seeds raise
    what the constructor or ``seed`` raises.
    """
    if isinstance(rng, np.random.Generator):
        return np.random.Generator(type(rng.bit_generator)(seed))
    if not isinstance(rng, np.random.RandomState):
        raise TypeError(f"expected a numpy RandomState or Generator; got {type(rng).__name__}")
    bit_generator = rng.get_state(legacy=False)["bit_generator"]
    if bit_generator != "MT19937" and type(rng) is np.random.RandomState:
        return np.random.RandomState(getattr(np.random, bit_generator)(seed))
    new = copy_state(rng)
    new.seed(seed)
    return new


def snapshot(rng):
    """An immutable description of ``rng``'s state (see the module docstring)."""
    if isinstance(rng, np.random.RandomState):
        state = rng.get_state(legacy=False)
        return ("RandomState", type(rng), _frozen(state))
    if isinstance(rng, np.random.Generator):
        return ("Generator", type(rng), _frozen(rng.bit_generator.state))
    raise TypeError(f"expected a numpy RandomState or Generator; got {type(rng).__name__}")


def restore(snap):
    """A new generator object in the state ``snap`` describes."""
    kind, cls, frozen = snap
    state = _thawed(frozen)
    rng = _blank(cls, state["bit_generator"])
    if kind == "RandomState":
        rng.set_state(state)
    else:
        rng.bit_generator.state = state
    return rng


def fingerprint(rng):
    """A short stable hash (12 hex digits) of ``rng``'s current state."""
    return snapshot_fingerprint(snapshot(rng))


def snapshot_fingerprint(snap):
    """The fingerprint of a snapshot (equal to ``fingerprint`` of the state it describes)."""
    digest = hashlib.sha1()
    _feed(digest, snap[0])
    _feed(digest, snap[2])
    return digest.hexdigest()[:12]


def _feed(digest, obj):
    if isinstance(obj, np.ndarray):
        digest.update(str(obj.dtype).encode())
        digest.update(np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, (tuple, list)):
        digest.update(b"(")
        for item in obj:
            _feed(digest, item)
        digest.update(b")")
    elif isinstance(obj, (bool, np.bool_, int, np.integer)):
        digest.update(f"i{int(obj)};".encode())
    elif isinstance(obj, (float, np.floating)):
        digest.update(f"f{float(obj)!r};".encode())
    else:
        digest.update(repr(obj).encode())
        digest.update(b";")


def _frozen(state):
    """A state dict as nested sorted tuples, arrays made read-only (they are fresh copies)."""
    if isinstance(state, dict):
        return tuple((k, _frozen(v)) for k, v in sorted(state.items()))
    if isinstance(state, np.ndarray):
        state.setflags(write=False)
    return state


def _thawed(state):
    if isinstance(state, tuple) and all(isinstance(i, tuple) and len(i) == 2
                                        and isinstance(i[0], str) for i in state):
        return {k: _thawed(v) for k, v in state}
    if isinstance(state, np.ndarray):
        return np.array(state, copy=True)
    return state
