"""Theano's ``theano.tensor.shared_randomstreams``: ``RandomStreams`` and friends.

A thin re-export of the random layer (``symlab.random``); ``symlab.tensor``
does not import it, so importing tensors never loads the random layer.
"""

from symlab.random import RandomStreams, history
from symlab.random.ops import RandomVariable

__all__ = ["RandomStreams", "RandomVariable", "history"]
