"""Theano's ``theano.tensor.signal``: ``from symlab.tensor.signal import pool``.

``pool`` holds ``pool_2d`` and its ops; ``conv`` holds Theano's plain 2-d
``conv2d`` of single-channel images. Like Theano's, this package imports
nothing eagerly; import ``symlab.tensor.signal.pool`` (or ``.conv``) to use it.
"""
