"""Theano's module path: ``theano.compile.nanguardmode.NanGuardMode``."""

from symlab.compile.debug import NanGuardMode

__all__ = ["NanGuardMode"]
