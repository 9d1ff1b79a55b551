"""Record the result shapes of Theano 1.0.5's ``T.dot`` on n-d operands.

Run with the oracle interpreter (not part of the test command):

    THEANO_FLAGS=cxx= /work/theano-oracle/bin/python dev/theano_reference/dot_nd_shapes.py

It prints one line per case, ``(a shape, b shape, result shape, values equal np.dot)``,
the data stored in ``tests/tensor/test_dot_nd.py`` (THEANO_DOT_SHAPES).
"""

import numpy as np
import theano
import theano.tensor as T

CASES = [((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (6, 4, 5)),
         ((2, 3, 4), (4,)), ((4,), (2, 4, 5)), ((2, 3, 4, 5), (5, 2)),
         ((2, 2, 3, 4), (4,)), ((2, 3, 4), (3, 2, 4, 5))]

rng = np.random.RandomState(0)
for a_shape, b_shape in CASES:
    a = T.TensorType("float64", (False,) * len(a_shape))("a")
    b = T.TensorType("float64", (False,) * len(b_shape))("b")
    av, bv = rng.randn(*a_shape), rng.randn(*b_shape)
    got = theano.function([a, b], T.dot(a, b))(av, bv)
    print((a_shape, b_shape, got.shape, bool(np.allclose(got, np.dot(av, bv)))), ",", sep="")
