"""Record theano.scalar.upcast over every pair of dtypes, and the scalar type groups.

Run with the oracle: THEANO_FLAGS=cxx= /work/theano-oracle/bin/python
dev/theano_reference/scalar_upcast.py > dev/theano_reference/scalar_upcast.json

The JSON is what tests/test_theano_names.py compares symlab.scalar with.
"""

import itertools
import json

import theano.scalar as S

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128"]
GROUPS = ["int_types", "uint_types", "float_types", "complex_types", "discrete_types",
          "continuous_types", "all_types"]

print(json.dumps({
    "pairs": {f"{a},{b}": S.upcast(a, b) for a, b in itertools.product(DTYPES, DTYPES)},
    "triples": {",".join(t): S.upcast(*t) for t in [("float32", "int8", "uint8"),
                                                    ("int8", "uint16", "float16"),
                                                    ("bool", "bool", "bool"),
                                                    ("uint64", "int8", "float32")]},
    "groups": {g: [t.dtype for t in getattr(S, g)] for g in GROUPS},
}, indent=1, sort_keys=True))
