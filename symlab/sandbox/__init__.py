"""Theano's ``theano.sandbox`` paths, for code that imports them (``sandbox.rng_mrg``)."""
