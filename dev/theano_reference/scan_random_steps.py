"""Record Theano 1.0.5's numbers for a random draw made inside scan's step function.

Run with the oracle interpreter (not part of the test command):

    THEANO_FLAGS=cxx= /work/theano-oracle/bin/python dev/theano_reference/scan_random_steps.py

Prints the number of updates scan returns, then two calls of the compiled loop (each
step draws anew; the updates carry the stream on to the next call). Stored in
``tests/control/test_scan_random_steps.py`` (THEANO_TWO_CALLS).
"""

import numpy as np
import theano
from theano.tensor.shared_randomstreams import RandomStreams

np.set_printoptions(precision=8)
srng = RandomStreams(123)
out, updates = theano.scan(lambda: srng.uniform((2,)), n_steps=3)
print(len(updates))
f = theano.function([], out, updates=updates)
print(f().tolist())
print(f().tolist())
