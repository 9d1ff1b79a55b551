"""Record which step functions Theano 1.0.5's ``scan(..., strict=True)`` refuses.

Run with the oracle interpreter (not part of the test command):

    THEANO_FLAGS=cxx= /work/theano-oracle/bin/python dev/theano_reference/scan_strict.py

Prints one line per case: its name, then ``ok`` or the exception's class and message.
Recorded in ``tests/control/test_scan_strict.py`` (THEANO_STRICT):

    shared ............ MissingInputError ScanOp is missing an input: W
    shared_given ...... ok
    shared_via_outer .. MissingInputError ScanOp is missing an input: W
    plain_input ....... ok
    plain_computed .... ok
    random_inside ..... ok
    random_outside .... ok
    updated_by_fn ..... ok
"""

import numpy as np
import theano
import theano.tensor as T
from theano.tensor.shared_randomstreams import RandomStreams

x = T.dvector("x")
W = theano.shared(np.ones(2), name="W")
count = theano.shared(np.zeros(2), name="count")
srng = RandomStreams(1)
outside = srng.uniform((2,))
doubled_W = W * 2
doubled_x = x * 2

CASES = [
    ("shared", lambda h: h * W, []),
    ("shared_given", lambda h, W: h * W, [W]),
    ("shared_via_outer", lambda h: h + doubled_W, []),
    ("plain_input", lambda h: h * x, []),
    ("plain_computed", lambda h: h + doubled_x, []),
    ("random_inside", lambda h: h * srng.uniform((2,)), []),
    ("random_outside", lambda h: h + outside, []),
    ("updated_by_fn", lambda h: (h + count, {count: count + 1}), []),
]

for name, fn, non_sequences in CASES:
    try:
        theano.scan(fn, outputs_info=T.zeros((2,)), non_sequences=non_sequences, n_steps=2,
                    strict=True)
        print(name, "ok")
    except Exception as exc:  # noqa: BLE001 - recording whatever Theano raises
        print(name, type(exc).__name__, exc)
