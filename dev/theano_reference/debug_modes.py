"""Record what Theano 1.0.5 does with modes: the mode names ``get_mode`` accepts (and the
class each gives), which of the rewrite names symlab reads as Theano's exist in Theano's
optimizer database, DebugMode on a NaN, and MonitorMode's callbacks on two graphs.

Run with the oracle interpreter (not part of the test command):

    THEANO_FLAGS=base_compiledir=/tmp/theano-compile-$RANDOM \\
        /work/theano-oracle/bin/python dev/theano_reference/debug_modes.py

Its output is stored in ``tests/compile/test_mode_names.py`` (THEANO_MODE_CLASSES,
THEANO_OPTDB_NAMES), ``tests/compile/test_debugmode.py`` and
``tests/compile/test_monitormode.py`` (the callbacks' values).
"""

import numpy as np
import theano
import theano.tensor as T
from theano.compile import optdb
from theano.compile.mode import get_mode
from theano.gof.optdb import DB

# The names symlab's THEANO_NAMES table reads (symlab/rewrite/passes.py).
NAMES = ["fast_run", "fast_compile", "fusion", "elemwise_fusion", "local_elemwise_fusion",
         "composite_elemwise_fusion", "inplace_opt", "inplace_elemwise_optimizer",
         "topo_constant_folding", "scan", "scanOp_merge", "scanOp_pushout_nonseqs_ops",
         "scanOp_save_mem", "ShapeOpt", "local_dimshuffle_lift", "local_reshape_chain",
         "local_useless_reshape", "local_neg_neg", "local_mul_zero", "local_log1p",
         "local_expm1", "local_exp_over_1_plus_exp", "logsigm_to_softplus",
         "log1msigm_to_softplus", "local_log_sum_exp", "local_logsoftmax",
         "crossentropy_to_crossentropy_with_softmax",
         "local_crossentropy_to_crossentropy_with_softmax_grad", "local_pow_specialize",
         # symlab's own names that Theano also uses
         "merge", "inplace", "canonicalize", "stabilize", "specialize", "unsafe",
         "constant_folding"]


def optdb_names():
    """Every name and tag in Theano's optimizer database, nested databases included."""
    names, stack, seen = set(), [optdb], set()
    while stack:
        db = stack.pop()
        if id(db) in seen:
            continue
        seen.add(id(db))
        names.update(db.__db__.keys())
        for opts in db.__db__.values():
            stack.extend(o for o in opts if isinstance(o, DB))
    return names


known = optdb_names()
print("THEANO_OPTDB_NAMES =", {name: name in known for name in NAMES})
print("THEANO_MODE_CLASSES =", {name: type(get_mode(name)).__name__
                               for name in ("Mode", "DebugMode", "DEBUG_MODE", "NanGuardMode",
                                            "FAST_RUN", "FAST_COMPILE")})
try:
    get_mode("NO_SUCH_MODE")
except Exception as exc:
    print("unknown mode:", type(exc).__name__)

x = T.dscalar("x")
try:
    theano.function([x], T.log(x) * x, mode="DebugMode")(0.0)
except Exception as exc:
    print("DebugMode on log(0) * 0:", type(exc).__name__)
print("DebugMode 10 * x at 5, 0, 7:",
      [float(theano.function([x], 10 * x, mode="DebugMode")(v)) for v in (5, 0, 7)])

calls = []
mode = theano.compile.MonitorMode(
    pre_func=lambda i, node, fn: calls.append(("pre", i, [c[0] for c in fn.outputs])),
    post_func=lambda i, node, fn: calls.append(
        ("post", i, [np.asarray(c[0]).tolist() for c in fn.inputs],
         [np.asarray(c[0]).tolist() for c in fn.outputs])))
y = T.dvector("y")
f = theano.function([y], [5 * y + 1, T.exp(y).sum()], mode=mode.excluding("fusion", "inplace"))
f(np.array([1.0, 2.0]))
print("MonitorMode calls:", calls)
nan_nodes = []
detect = theano.compile.MonitorMode(post_func=lambda i, node, fn: nan_nodes.append(
    (i, str(node.op), [np.asarray(c[0]).tolist() for c in fn.inputs]))
    if any(np.isnan(c[0]).any() for c in fn.outputs) else None)
g = theano.function([x], [T.log(x) * x],
                    mode=detect.excluding("local_elemwise_fusion", "inplace"))
g(0.0)
print("first NaN node:", nan_nodes[:1])

# Theano's including() rebuilt a NanGuardMode with the default rules: inf was an error again.
from theano.compile.nanguardmode import NanGuardMode
v = T.dvector("v")
for guard in (NanGuardMode(nan_is_error=True, inf_is_error=False, big_is_error=False),
              NanGuardMode(nan_is_error=True, inf_is_error=False,
                           big_is_error=False).including("fusion")):
    try:
        theano.function([v], T.exp(v), mode=guard)(np.array([1000.0]))
        print("NanGuardMode exp(1000): allowed")
    except AssertionError:
        print("NanGuardMode exp(1000): raised")
