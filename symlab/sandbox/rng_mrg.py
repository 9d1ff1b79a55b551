"""Theano's ``theano.sandbox.rng_mrg``: ``MRG_RandomStreams``, re-exported from the random layer.

The same MRG31k3p numbers as Theano 1.0.5 for the same seed, sizes, dtypes and
``nstreams`` (see ``symlab.random.mrg`` and ``docs/random.md``).
"""

from symlab.random.mrg import MRG_RandomStreams, guess_n_streams

__all__ = ["MRG_RandomStreams", "guess_n_streams"]
