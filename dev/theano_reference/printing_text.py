"""Theano 1.0.5's debugprint (depth, print_type) and pprint texts, recorded for
tests/printing/test_debugprint_depth.py and tests/printing/test_pprint.py.

Run with the oracle:
    THEANO_FLAGS=cxx= /work/theano-oracle/bin/python dev/theano_reference/printing_text.py
The tests hold the texts with Theano's op names translated to symlab's
(Elemwise{mul,no_inplace} -> mul, TensorType(float64, vector) -> TensorType(float64, (?,))).
"""

import theano
import theano.tensor as T
from theano.printing import debugprint, pprint

x, y = T.dvector("x"), T.dvector("y")
z = (x + y) * T.exp(x)
for depth in (-1, 0, 1, 2, 3):
    print(f"--- debugprint(z, depth={depth})")
    debugprint(z, depth=depth)
print("--- debugprint(z, print_type=True)")
debugprint(z, print_type=True)
w = x * y
w.name = "w"
print("--- debugprint(exp(w), print_type=True)")
debugprint(T.exp(w), print_type=True)

m, s = T.dmatrix("m"), T.dscalar("s")
cases = {
    "x + y + x": x + y + x, "x - (y - x)": x - (y - x), "x / y / x": x / y / x,
    "-x": -x, "x ** 2": x ** 2, "x > y": x > y, "exp(x + 1)": T.exp(x + 1),
    "dot(m, x)": T.dot(m, x), "m.T": m.T, "2.0 * s": 2.0 * s, "x % y": x % y,
    "x // y": x // y, "abs(x)": abs(x), "-(x + y)": -(x + y), "x * y * s": x * y * s,
    "switch(x > 0, x, y)": T.switch(x > 0, x, y), "tanh(x)": T.tanh(x),
}
for text, var in cases.items():
    print(f"--- pprint({text})")
    print(pprint(var))
xs = T.dscalar("x")
f = theano.function([xs], T.grad(xs ** 2, xs))
print("--- pprint of the compiled gradient of x ** 2")
print(pprint(f.maker.fgraph.outputs[0]))
