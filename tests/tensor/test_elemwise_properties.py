"""Property tests: compiled functions agree with the reference evaluator.

Hypothesis builds random elementwise graphs from the scalar-op table (random
rows applied to 2-3 inputs and to earlier results, so subexpressions are
shared, up to depth 4) and random input values (NaN and infinities among
them), compiles them with ``symlab.function`` and evaluates them with
``symlab.graph.evaluate`` (each node with plain NumPy: the oracle). Each graph
is compiled twice:

* without the algebraic passes (``ALGEBRAIC_PASSES``): merging, constant
  folding, fusion, code generation must not change a single result, so the
  results agree everywhere, NaN in the same places;
* in the default mode: algebraic rewrites such as ``x - x -> 0`` are, as in
  Theano, exact only where the values they skip are finite (``inf - inf`` is
  NaN, not 0), so the results agree at every position where every value the
  evaluator computed on the way is finite.

Both compiled functions must give the evaluator's dtype and shape. The
suite's hypothesis profile (``ci`` by default, see tests/conftest.py) decides
the number of examples.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import symlab as theano
import symlab.tensor as T
from symlab.compile.mode import Mode
from symlab.graph.evaluate import evaluate
from symlab.tensor.math import ROW_FUNCTIONS
from symlab.tensor.scalar_ops import SCALAR_OPS

MAX_DEPTH = 4
# Same ops in the same dtype: today the two ways agree bit for bit. rtol=1e-12
# leaves room for rewrites and fused kernels that reassociate or reorder
# (a few ulps, amplified a little through depth 4), not for a wrong result;
# atol=1e-300 only forgives subnormal noise.
RTOL = 1e-12
ATOL = 1e-300

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

# Passes whose rewrites are algebra that holds for finite values only.
ALGEBRAIC_PASSES = ("canonicalize", "stabilize", "specialize")


def _exact_mode():
    """The default mode without the algebraic passes that exist (yet)."""
    known = []
    for name in ALGEBRAIC_PASSES:
        try:
            Mode(exclude=[name])
        except ValueError:  # not written yet
            continue
        known.append(name)
    return Mode(exclude=known)


EXACT_MODE = _exact_mode()


def _accepts(name, dtypes):
    """True if row ``name`` builds on inputs of ``dtypes`` (asks the row itself: the
    oracle here is the evaluator, not the dtype rules)."""
    try:
        SCALAR_OPS[name].out_dtype(dtypes)
    except TypeError:
        return False
    return True


def _arities(name):
    nin = SCALAR_OPS[name].nin
    return (2, 3) if nin == -1 else (nin,)


FLOAT_ROWS = sorted(name for name in SCALAR_OPS
                    if _accepts(name, ["float64"] * _arities(name)[0]))

SPECIAL_VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, math.inf, -math.inf, math.nan]
FLOATS = st.one_of(st.floats(-10.0, 10.0), st.sampled_from(SPECIAL_VALUES))


@st.composite
def programs(draw, n_leaves, rows=FLOAT_ROWS):
    """A random DAG: ``steps`` apply rows to leaves or to earlier steps.

    Returns (steps, outputs): each step is (row name, operand indices), index k
    naming leaf k for k < n_leaves and step k - n_leaves after that; ``outputs``
    indexes the steps' results (the last step always among them).
    """
    depths = [0] * n_leaves
    steps = []
    for _ in range(draw(st.integers(1, 8), label="steps")):
        name = draw(st.sampled_from(rows))
        arity = draw(st.sampled_from(_arities(name)))
        allowed = [k for k, depth in enumerate(depths) if depth < MAX_DEPTH]
        operands = tuple(draw(st.sampled_from(allowed)) for _ in range(arity))
        steps.append((name, operands))
        depths.append(1 + max(depths[k] for k in operands))
    last = n_leaves + len(steps) - 1
    extra = draw(st.lists(st.integers(n_leaves, last), max_size=2, unique=True))
    return steps, sorted({last, *extra})


def _build(leaves, steps, keep_float64):
    """The variables of the DAG (leaves, then one per step) and each one's ancestors.

    A step whose row refuses its operands' dtypes is skipped (its slot repeats
    its first operand). With ``keep_float64``, non-float64 results (a
    comparison's bool) are cast back to float64, so every row can follow.
    ``ancestors[k]`` holds the indices of the nodes node k is computed from,
    itself included.
    """
    nodes = list(leaves)
    ancestors = [{k} for k in range(len(leaves))]
    for name, operands in steps:
        args = [nodes[k] for k in operands]
        try:
            out = ROW_FUNCTIONS[name](*args)   # T.exp, T.xlogx.xlogx...
            used = operands
        except TypeError:
            out, used = args[0], operands[:1]
        if keep_float64 and out.dtype != "float64":
            out = T.cast(out, "float64")
        ancestors.append({len(nodes)}.union(*[ancestors[k] for k in used]))
        nodes.append(out)
    return nodes, ancestors


def _assert_same_values(got, want, where=None):
    """``got`` equals ``want`` (NaN in the same places), at the positions ``where``."""
    assert got.dtype == want.dtype, f"compiled dtype {got.dtype}, evaluator {want.dtype}"
    assert got.shape == want.shape, f"compiled shape {got.shape}, evaluator {want.shape}"
    if where is not None:
        got, want = got[where], want[where]
    if got.dtype.kind in "fc":
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want),
                                      err_msg="NaN in different places")
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


def _finite_everywhere_before(out_value, ancestor_values):
    """Mask of the positions where every value the output was computed from is finite."""
    mask = np.ones(out_value.shape, dtype=bool)
    for value in ancestor_values:
        mask &= np.broadcast_to(np.isfinite(value), out_value.shape)
    return mask


def _compare(inputs, nodes, ancestors, outputs, values):
    """Compile ``nodes[k] for k in outputs`` twice; compare both with the evaluator."""
    given_values = dict(zip(inputs, values))
    try:
        every_value = evaluate(nodes, given_values)
    except (TypeError, ValueError):
        # A graph the evaluator cannot run (an int to a negative int power; bool - bool)
        # says nothing of the compiled function, which rewrites may have simplified.
        return
    outs = [nodes[k] for k in outputs]
    for mode in (EXACT_MODE, None):
        f = theano.function(inputs, outs, mode=mode, on_unused_input="ignore")
        for k, out, got in zip(outputs, outs, f(*values)):
            want = every_value[k]
            where = None
            if mode is None:
                where = _finite_everywhere_before(want, [every_value[j] for j in ancestors[k]])
            try:
                _assert_same_values(got, want, where)
            except AssertionError as exc:
                graph = theano.debugprint(out, file="str")
                raise AssertionError(f"mode {mode or 'default'}: {exc}\ngraph:\n{graph}\n"
                                     f"inputs: {values}") from None


@given(data=st.data())
def test_compiled_matches_evaluator_on_random_float64_graphs(data):
    n_inputs = data.draw(st.integers(2, 3), label="inputs")
    length = data.draw(st.integers(1, 5), label="length")
    steps, outputs = data.draw(programs(n_inputs), label="program")
    inputs = [T.dvector(f"x{k}") for k in range(n_inputs)]
    nodes, ancestors = _build(inputs, steps, keep_float64=True)
    values = [np.array(data.draw(st.lists(FLOATS, min_size=length, max_size=length),
                                 label=f"x{k}"))
              for k in range(n_inputs)]
    _compare(inputs, nodes, ancestors, outputs, values)


# Broadcasting: leaves of different static shapes; the runtime shapes follow
# the static ones (a row is (1, m), a column (k, 1)), so every graph is valid.
LEAF_TYPES = {"vector": (None,), "row": (1, None), "col": (None, 1), "matrix": (None, None),
              "scalar": ()}


def _runtime_shape(static, k, m):
    if len(static) == 1:
        return (m,)
    return tuple(1 if s == 1 else size for s, size in zip(static, (k, m)))


@given(data=st.data())
def test_compiled_matches_evaluator_when_broadcasting(data):
    kinds = data.draw(st.lists(st.sampled_from(sorted(LEAF_TYPES)), min_size=2, max_size=3),
                      label="leaf kinds")
    k, m = data.draw(st.integers(1, 3), label="k"), data.draw(st.integers(2, 4), label="m")
    steps, outputs = data.draw(programs(len(kinds)), label="program")
    inputs = [T.tensor(f"{kind}{j}", dtype="float64", shape=LEAF_TYPES[kind])
              for j, kind in enumerate(kinds)]
    nodes, ancestors = _build(inputs, steps, keep_float64=True)
    values = []
    for var in inputs:
        shape = _runtime_shape(var.type.shape, k, m)
        size = int(np.prod(shape))
        flat = data.draw(st.lists(FLOATS, min_size=size, max_size=size), label=var.name)
        values.append(np.array(flat, dtype="float64").reshape(shape))
    _compare(inputs, nodes, ancestors, outputs, values)


# Mixed dtypes: the backend decides its casts from the row's NumPy function's
# natural dtype; the evaluator casts every input to the declared dtype first.
# Both must land on the same dtype and values.
DTYPES = ["int8", "int32", "int64", "float32", "float64", "bool"]
SMALL_INTS = st.integers(-6, 6)


def _values_of(dtype, length, data, label):
    if dtype == "bool":
        elements = st.booleans()
    elif dtype.startswith("int"):
        elements = SMALL_INTS
    else:
        elements = FLOATS
    return np.array(data.draw(st.lists(elements, min_size=length, max_size=length),
                              label=label), dtype=dtype)


@given(data=st.data())
def test_compiled_matches_evaluator_on_mixed_dtypes(data):
    dtypes = data.draw(st.lists(st.sampled_from(DTYPES), min_size=2, max_size=3),
                       label="dtypes")
    length = data.draw(st.integers(1, 4), label="length")
    steps, outputs = data.draw(programs(len(dtypes), rows=sorted(SCALAR_OPS)),
                               label="program")
    inputs = [T.tensor(f"x{j}", dtype=d, shape=(None,)) for j, d in enumerate(dtypes)]
    nodes, ancestors = _build(inputs, steps, keep_float64=False)
    values = [_values_of(d, length, data, f"x{j}") for j, d in enumerate(dtypes)]
    _compare(inputs, nodes, ancestors, outputs, values)
