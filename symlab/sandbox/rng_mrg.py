"""Theano's ``theano.sandbox.rng_mrg``: ``MRG_RandomStreams``, re-exported from the random layer.

Its numbers are not Theano's MRG31k3p numbers (see ``symlab.random.mrg``).
"""

from symlab.random.mrg import MRG_RandomStreams

__all__ = ["MRG_RandomStreams"]
