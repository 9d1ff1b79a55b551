"""Theano's ``theano.tensor.signal``: ``from symlab.tensor.signal import pool``.

``pool`` holds ``pool_2d`` and its ops. Like Theano's, this package imports
nothing eagerly; import ``symlab.tensor.signal.pool`` to use it.
"""
