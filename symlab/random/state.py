"""Random states as values: copy, snapshot, restore and fingerprint.

Two kinds of state are supported: ``numpy.random.RandomState`` (Theano's,
the default) and ``numpy.random.Generator`` (``kind='generator'``). A
*snapshot* is a plain, immutable description of a state (RandomState's
``get_state()`` tuple, or the bit generator's class and state dict): it stays
valid whatever later happens to the object it was taken from.
"""

import hashlib

import numpy as np

__all__ = ["RNG_CLASSES", "is_rng", "copy_state", "snapshot", "restore", "fingerprint",
           "snapshot_fingerprint"]

#: The classes a random op accepts as its state.
RNG_CLASSES = (np.random.RandomState, np.random.Generator)


def is_rng(value):
    """True if ``value`` is a RandomState or a Generator."""
    return isinstance(value, RNG_CLASSES)


def copy_state(rng):
    """A new generator in the same state as ``rng`` (which is left untouched)."""
    if type(rng) is np.random.RandomState:
        new = np.random.RandomState()
        new.set_state(rng.get_state())
        return new
    if type(rng) is np.random.Generator:
        bit_generator = type(rng.bit_generator)()
        bit_generator.state = rng.bit_generator.state
        return np.random.Generator(bit_generator)
    import copy
    return copy.deepcopy(rng)


def snapshot(rng):
    """An immutable description of ``rng``'s state (see the module docstring)."""
    if isinstance(rng, np.random.RandomState):
        name, key, pos, has_gauss, gauss = rng.get_state()
        key = np.array(key, copy=True)
        key.setflags(write=False)
        return ("RandomState", type(rng), (name, key, int(pos), int(has_gauss), float(gauss)))
    if isinstance(rng, np.random.Generator):
        bit_generator = rng.bit_generator
        return ("Generator", type(rng), (type(bit_generator), _frozen(bit_generator.state)))
    raise TypeError(f"expected a numpy RandomState or Generator; got {type(rng).__name__}")


def restore(snap):
    """A new generator object in the state ``snap`` describes."""
    kind, cls, data = snap
    if kind == "RandomState":
        rng = cls()
        rng.set_state(data)
        return rng
    bit_generator_class, state = data
    bit_generator = bit_generator_class()
    bit_generator.state = _thawed(state)
    return cls(bit_generator)


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
    elif isinstance(obj, type):
        digest.update(obj.__name__.encode())
    else:
        digest.update(repr(obj).encode())
        digest.update(b";")


def _frozen(state):
    """A bit generator's state dict as nested sorted tuples (arrays made read-only)."""
    if isinstance(state, dict):
        return tuple((k, _frozen(v)) for k, v in sorted(state.items()))
    if isinstance(state, np.ndarray):
        state = np.array(state, copy=True)
        state.setflags(write=False)
    return state


def _thawed(state):
    if isinstance(state, tuple) and all(isinstance(i, tuple) and len(i) == 2
                                        and isinstance(i[0], str) for i in state):
        return {k: _thawed(v) for k, v in state}
    if isinstance(state, np.ndarray):
        return np.array(state, copy=True)
    return state
