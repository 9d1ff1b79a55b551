"""symlab.random: Theano's random streams, their op, and the steppable history of states.

``RandomStreams(seed)`` makes random variables seeded as Theano did (so old
course material prints the same numbers); ``RandomStreams(seed,
kind='generator')`` the same on ``numpy.random.Generator`` states;
``kind='philox'`` on ``Generator(Philox)`` states whose uniform and normal
draws are counter-based (``symlab.random.philox``), the same numbers on the
CPU and on the GPU. On the GPU every stream's uniform and normal draws are
kernels keyed by two words of the host state.
``history(rv_or_stream)`` is the data model of the notebook's RNG stepper.
The distributions are one table, ``symlab.random.distributions``. See
``docs/random.md``.
"""

from symlab.random import distributions
from symlab.random.distributions import DISTRIBUTIONS, Distribution, Param, register
from symlab.random.history import (MAX_LOOP_BYTES, MAX_RECORDED_BYTES, MAX_STEPS,
                                   MAX_VALUE_BYTES, RngHistory, StreamHistory, draw_count,
                                   history)
from symlab.random.ops import RandomVariable, RngType, random_variable, shared_rng
from symlab.random.state import fingerprint
from symlab.random.streams import KINDS, RandomStreams

__all__ = ["RandomStreams", "KINDS", "history", "RngHistory", "StreamHistory", "RandomVariable",
           "RngType", "shared_rng", "random_variable", "distributions", "DISTRIBUTIONS",
           "Distribution", "Param", "register", "fingerprint", "draw_count", "MAX_STEPS",
           "MAX_VALUE_BYTES", "MAX_RECORDED_BYTES", "MAX_LOOP_BYTES"]
