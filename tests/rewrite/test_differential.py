"""Differential tests of the rewrites: random graphs, compiled two ways, against the oracle.

``graph_generator.py`` builds random well-typed graphs (elementwise rows,
reductions, dot, shape ops, indexing, casts, softmax, cross-entropies,
logsumexp by hand, gradients, float32/float64/int32/int64/bool,
broadcasting, several outputs, updates of shared variables), with input
values and each output's exact value (in extended precision or closed
form), and with the pattern of every rewrite built on purpose.

1. ``test_compiled_graphs_agree_with_the_reference`` compiles each graph with
   no rewrites (``Mode(optimizer=None)``) and with FAST_RUN, calls both on
   the same inputs and compares every output and every updated shared
   variable with the reference evaluator (``symlab.graph.evaluate``):
   integers and booleans exactly, floats within a tolerance set by the least
   precise float dtype the value was computed in (float32 looser; a float32
   input is exact, so ``x_f32 ** 2.0``, a float64, is held to float64). A
   FAST_RUN result may instead match the exact value (a stabilizing rewrite
   is *more* accurate than the naive graph: where the evaluator overflows to
   inf or NaN, or cancels, the exact value is the judge), unless the
   optimized graph overflowed on the way too (then any result goes). The
   no-rewrite function must match the evaluator itself, NaN and inf
   included. Neither may change its arguments, return an output sharing
   memory with an argument, a shared variable or another output, or change
   a shared variable it does not update.

   Each graph starts with the pattern of one rewrite (the test is
   parametrized by the generator's pattern methods, so each gets its share)
   and goes on with random steps. The number of examples: 300 in all
   (``EXAMPLES_PER_PATTERN`` per pattern, rounded up) under the suite's
   fixed, derandomized hypothesis profile (``ci``, tests/conftest.py), the
   same ones on every run. For a long hunt::

       SYMLAB_DIFFERENTIAL_EXAMPLES=10000 .venv/bin/python -m pytest \\
           tests/rewrite/test_differential.py

   (10,000 in all; with ``HYPOTHESIS_PROFILE=dev`` to draw new graphs on
   every run.)

2. ``test_every_default_rewrite_fires_on_generated_graphs`` builds
   ``COVERAGE_GRAPHS`` graphs from ``numpy.random.default_rng(seed)`` for
   fixed seeds (no hypothesis, no state shared with other tests), compiles
   them with FAST_RUN and checks that every rewrite of every default pass
   (read from ``symlab.rewrite.PASSES`` when the test runs) fired at least
   once across them.

3. Regression tests: each failure the generator found, as the smallest
   graph showing it.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import symlab.tensor as T
from symlab import Mode, function
from symlab.graph import evaluate
from symlab.printing import debugprint
from symlab.rewrite import PASSES

from graph_generator import (EPS, LD, PATTERN_METHODS, Case, Expr, HypothesisChooser,
                             RngChooser, generate)

EXAMPLES = int(os.environ.get("SYMLAB_DIFFERENTIAL_EXAMPLES", "300"))
#: Examples per pattern: the test runs once per pattern method, EXAMPLES in all (or a few more).
EXAMPLES_PER_PATTERN = -(-EXAMPLES // len(PATTERN_METHODS))
COVERAGE_GRAPHS = 400

NO_REWRITES = Mode(optimizer=None)
FAST_RUN = "FAST_RUN"

# Relative tolerance by the least precise float a value was computed in. Real
# bugs give wrong digits early; these leave room for reassociation and for
# condition numbers along chains of up to ten ops.
RTOL = {"float32": 2e-4, "float64": 1e-9}

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


# ---------------------------------------------------------------- comparing

def _rtol(expr):
    return RTOL["float32"] if expr.eps > EPS["float64"] else RTOL["float64"]


def _positions(mask, limit=4):
    return [tuple(int(i) for i in p) for p in np.argwhere(mask)[:limit]]


def compare(label, got, ref, expr, optimized, overflowed=lambda: False):
    """Problems (a list of strings) with ``got`` against the reference ``ref``.

    ``expr`` carries the exact value and the tolerance's scale. With
    ``optimized`` a float may match the exact value instead of ``ref``, and
    may be non-finite where ``ref`` is; where ``ref`` is not finite and
    ``got`` matches neither, ``overflowed()`` says whether the optimized
    graph overflowed on the way too (then ``got`` is as meaningless as ``ref``).
    """
    got, ref = np.asarray(got), np.asarray(ref)
    if got.dtype != ref.dtype or got.shape != ref.shape:
        return [f"{label}: {got.dtype}{got.shape} where the reference gives "
                f"{ref.dtype}{ref.shape}"]
    if ref.dtype.kind != "f":
        if not np.array_equal(got, ref):
            return [f"{label}: {got!r} where the reference gives {ref!r}"]
        return []
    rtol = _rtol(expr)
    atol = rtol * max(expr.mag, 1.0)
    g, r = got.astype(LD), ref.astype(LD)
    with np.errstate(all="ignore"):
        same = (g == r) | (np.isnan(g) & np.isnan(r))
        close = same | (np.isfinite(g) & np.isfinite(r)
                        & (np.abs(g - r) <= atol + rtol * np.abs(r)))
        if optimized:
            exact = np.broadcast_to(expr.exact, ref.shape)
            overflows = np.abs(exact) > np.finfo(ref.dtype).max
            close |= np.isfinite(g) & (np.abs(g - exact) <= atol + rtol * np.abs(exact))
            close |= ~np.isfinite(g) & (~np.isfinite(r) | overflows)
    if np.all(close):
        return []
    if optimized and np.all(close | ~np.isfinite(r)) and overflowed():
        return []
    where = _positions(~close)
    detail = "; ".join(f"at {p}: got {got[p]!r}, reference {ref[p]!r}, exact "
                       f"{float(np.broadcast_to(expr.exact, ref.shape)[p])!r}" for p in where)
    return [f"{label}: {int(np.sum(~close))} of {ref.size} values differ "
            f"(rtol {rtol:g}, atol {atol:g}): {detail}"]


# ---------------------------------------------------------------- known bugs
#
# A bug found here that its owner cannot fix at once gets an xfail(strict=True)
# regression test below, and its rewrite an entry here: the differential test
# then drops an example that fails only because of it (the failure goes away
# when the fired ones among these rewrites are excluded). Fixing the bug turns
# its regression test red (strict xfail), and then its entry goes too.

#: rewrite name -> the xfail regression test of its known bug.
KNOWN_BUGGY_REWRITES = {}


# ---------------------------------------------------------------- running a case

def _unfused(mode):
    """``mode`` without the passes that hide intermediate values inside kernels."""
    from symlab.rewrite import pass_names
    hidden = [p for p in ("fuse_elementwise", "inplace") if p in pass_names()]
    return Mode(exclude=hidden) if mode == FAST_RUN else mode.excluding(*hidden)


def overflow_flags(case, given, mode):
    """Per output, then per update: True if some value the graph optimized by
    ``mode`` (unfused) computes on the way to it is inf or NaN."""
    f = function(case.inputs, [e.var for e in case.outputs],
                 updates=[(var, e.var) for var, e in case.updates], mode=_unfused(mode))
    values = {var: var.type.filter(value) for var, value in given.items()}
    values.update(case.shared)          # the values before the call
    bad = {}
    with np.errstate(all="ignore"):
        for node in f.fgraph.toposort():
            results = node.op.perform(node, [values[v] if v in values else v.data
                                             for v in node.inputs])
            inherited = any(bad.get(v, False) for v in node.inputs)
            for var, value in zip(node.outputs, results):
                values[var] = value
                value = np.asarray(value)
                bad[var] = inherited or (value.dtype.kind == "f"
                                         and not np.all(np.isfinite(value)))
    return [bad.get(v, False) for v in f.fgraph.outputs]


def run_case(case, mode, expected, given):
    """Compile ``case`` with ``mode``, call it once; return (problems, function)."""
    optimized = mode is not NO_REWRITES
    outputs = [e.var for e in case.outputs]
    updates = [(var, e.var) for var, e in case.updates]
    expected_out, expected_upd = expected[:len(outputs)], expected[len(outputs):]
    flags = []

    def overflowed(k):
        def ask():
            if not flags:
                flags.extend(overflow_flags(case, given, mode))
            return flags[k]
        return ask

    case.reset_shared()
    f = function(case.inputs, outputs, updates=updates, mode=mode)
    name = "FAST_RUN" if mode == FAST_RUN else str(mode)
    problems = []
    args = [value.copy() for value in case.values]
    with np.errstate(all="ignore"):
        got = f(*args)
    for k, (value, expr, ref) in enumerate(zip(got, case.outputs, expected_out)):
        problems += compare(f"{name}, output {k}", value, ref, expr, optimized, overflowed(k))
        problems += [f"{name}, output {k} shares memory with the input {var}"
                     for var, arg in zip(case.inputs, args) if np.shares_memory(value, arg)]
        problems += [f"{name}, output {k} shares memory with the shared variable {var}"
                     for var, _ in case.shared
                     if np.shares_memory(value, var.get_value(borrow=True))]
        problems += [f"{name}: outputs {j} and {k} share memory"
                     for j in range(k) if np.shares_memory(got[j], value)]
    for var, arg, value in zip(case.inputs, args, case.values):
        if not np.array_equal(arg, value, equal_nan=True):
            problems.append(f"{name}: the call changed its argument {var}")
    for k, ((var, expr), ref) in enumerate(zip(case.updates, expected_upd)):
        problems += compare(f"{name}, update of {var}", var.get_value(), ref, expr,
                            optimized, overflowed(len(outputs) + k))
    updated = {var for var, _ in updates}
    for var, before in case.shared:
        if var not in updated and not np.array_equal(var.get_value(), before, equal_nan=True):
            problems.append(f"{name}: the shared variable {var} changed without an update")
    return problems, f


def check_case(case):
    """Compile ``case`` with no rewrites and with FAST_RUN; compare both with the
    reference evaluator (and the exact values); fail with the graph if any differ."""
    given = dict(zip(case.inputs, case.values))
    case.reset_shared()
    with np.errstate(all="ignore"):
        expected = evaluate([e.var for e in case.outputs] + [e.var for _, e in case.updates],
                            given)
    problems, _ = run_case(case, NO_REWRITES, expected, given)
    fast_problems, f = run_case(case, FAST_RUN, expected, given)
    if fast_problems and KNOWN_BUGGY_REWRITES:
        known = sorted(set(f.trace.rewrite_names()) & set(KNOWN_BUGGY_REWRITES))
        if known and not run_case(case, Mode(exclude=known), expected, given)[0]:
            reject()            # explained by known bugs (see KNOWN_BUGGY_REWRITES)
    problems += fast_problems
    if problems:
        pytest.fail("\n".join(problems) + "\n\n" + case.describe() + "\n\nFAST_RUN graph:\n"
                    + debugprint(f, file="str") + "\ntrace:\n" + str(f.trace), pytrace=False)


# ---------------------------------------------------------------- 1. the differential test

@pytest.mark.parametrize("focus", PATTERN_METHODS)
@settings(max_examples=EXAMPLES_PER_PATTERN, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_compiled_graphs_agree_with_the_reference(focus, data):
    check_case(generate(HypothesisChooser(data), focus))


# ---------------------------------------------------------------- 1b. blocked kernels
#
# The same graphs with every elementwise node that can run in blocks doing so
# (symlab.backends.blocked): the threshold dropped to one element and blocks
# of 1, 3 or 4 elements, so the generated sizes (2 to 16 elements) fall on,
# inside and across block edges, with the machine's threads; transposed and
# broadcast operands take the straight code beside them.

BLOCK_SIZES = (1, 3, 4)


@pytest.fixture
def blocked_kernels(monkeypatch, request):
    from symlab.backends import blocked
    for name in ("SYMLAB_BLOCKED", "SYMLAB_BLOCK_ELEMENTS", "SYMLAB_BLOCK_MIN_ELEMENTS",
                 "SYMLAB_BLOCK_MIN_WORK", "SYMLAB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    focus = request.node.callspec.params["focus"]
    monkeypatch.setattr(blocked, "ENABLED", True)
    monkeypatch.setattr(blocked, "BLOCK_ELEMENTS",
                        BLOCK_SIZES[PATTERN_METHODS.index(focus) % len(BLOCK_SIZES)])
    monkeypatch.setattr(blocked, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(blocked, "MIN_WORK", 0)
    monkeypatch.setattr(blocked, "MIN_THREAD_ELEMENTS", 1)


@pytest.mark.parametrize("focus", PATTERN_METHODS)
@settings(max_examples=max(1, EXAMPLES_PER_PATTERN // 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_blocked_kernels_agree_with_the_reference(blocked_kernels, focus, data):
    check_case(generate(HypothesisChooser(data), focus))


# ---------------------------------------------------------------- 2. every rewrite fires

def default_rewrite_names():
    """Every rewrite of every pass FAST_RUN runs, read from PASSES now."""
    return {name for p in PASSES if p.default for name in p.rewrite_names}


def test_every_default_rewrite_fires_on_generated_graphs():
    fired = set()
    for seed in range(COVERAGE_GRAPHS):
        case = generate(RngChooser(np.random.default_rng(seed)))
        f = function(case.inputs, [e.var for e in case.outputs],
                     updates=[(var, e.var) for var, e in case.updates], mode=FAST_RUN)
        fired.update(f.trace.rewrite_names())
    missing = sorted(default_rewrite_names() - fired)
    assert not missing, (f"these default rewrites never fired on {COVERAGE_GRAPHS} generated "
                         f"graphs: {', '.join(missing)} (graph_generator.PATTERNS names the "
                         "method meant to build each one's pattern)")


# ---------------------------------------------------------------- 3. regression tests
#
# Each failure the generator found, as the smallest graph showing it.

def test_checker_accepts_a_finite_result_when_the_optimized_graph_overflowed_too():
    # exp_log (canonicalize) turns exp(log(sum(exp(x)))) into sum(exp(x)) before
    # logsumexp_shift can see it; sum(exp(x)) overflows, and exp(-inf) - 1 is a
    # finite -1 where the reference is NaN. Both graphs overflowed: not a rewrite bug.
    x = T.dmatrix("x1")
    lse = T.log(T.sum(T.exp(x)))
    out = T.exp(-(T.log1p(T.exp(lse)) * 1 - lse)) - 1
    value = np.array([[-760.663577576718, 772.9496560983998],
                      [754.3624991465423, 793.5072423787768]])
    exact_lse = np.log(np.sum(np.exp(value.astype(LD))))
    exact = np.expm1(exact_lse - np.logaddexp(LD(0), exact_lse))
    check_case(Case([x], [value], [Expr(out, exact, 800.0, 0.0)]))


def test_identity_output_does_not_alias_its_input():
    # Without rewrites identity(x) returned the caller's array itself.
    x = T.dvector("x")
    f = function([x], x.copy(), mode=NO_REWRITES)
    arg = np.array([1.0, 2.0])
    assert not np.shares_memory(f(arg), arg)


def test_fused_kernel_ending_in_x_plus_x_compiles():
    # An in-place fused kernel whose last step reads only temporaries (s + s)
    # failed to lower: ValueError "'v1' is not in list".
    x = T.dmatrix("x")
    s = T.sin(T.sum(x, axis=0))
    f = function([x], s + s)
    value = np.array([[0.5, 1.0], [2.0, -1.0]])
    np.testing.assert_allclose(f(value), 2 * np.sin(value.sum(axis=0)))


def test_int32_to_the_float_power_two_does_not_overflow():
    # pow_to_sqr and pow_to_muls squared in x's dtype and cast the result, so
    # int32 ** 2.0 (a float64) wrapped around in int32.
    i = T.ivector("i")
    value = np.array([50000, 3], dtype="int32")
    for expr in (i ** 2.0, i ** 3.0):
        f = function([i], expr)
        np.testing.assert_allclose(f(value), evaluate(expr, {i: value}), rtol=1e-12)


def test_float32_to_a_float64_power_keeps_float64_precision():
    # float32 ** a float64 constant is float64; the power rewrites computed
    # sqr/sqrt/reciprocal/muls in float32 and cast the result.
    f32 = T.fvector("f")
    value = np.array([1.1, 3.3], dtype="float32")
    for p in (2.0, 0.5, -1.0, 3.0):
        expr = f32 ** T.constant(np.array(p))
        assert expr.type.dtype == "float64"
        f = function([f32], expr)
        np.testing.assert_allclose(f(value), evaluate(expr, {f32: value}), rtol=1e-12)


def test_log_of_float64_one_plus_float32_keeps_float64_precision():
    # log1p_from_log computed log1p(x) in x's dtype: log(1.0 + x_float32), a
    # float64, became a cast of a float32 log1p.
    f32 = T.fvector("f")
    value = np.array([1.1e-3, 3.3, -0.4], dtype="float32")
    expr = T.log(T.constant(np.array(1.0)) + f32)
    assert expr.type.dtype == "float64"
    f = function([f32], expr)
    exact = np.log1p(value.astype(LD))
    np.testing.assert_allclose(f(value).astype(LD), exact, rtol=1e-12)


@pytest.mark.parametrize("mode", [NO_REWRITES, FAST_RUN], ids=["no rewrites", "FAST_RUN"])
def test_outputs_do_not_alias_each_other(mode):
    # merge_equal_nodes makes exp(x) and exp(x) one variable, and an output may
    # be a view of another: the call returned one buffer twice.
    x, m = T.dvector("x"), T.dmatrix("m")
    for inputs, outputs, args in (([x], [T.exp(x), T.exp(x)], [np.array([0.0, 1.0])]),
                                  ([m], [T.exp(m), T.exp(m).T], [np.ones((2, 2))])):
        first, second = function(inputs, outputs, mode=mode)(*args)
        assert not np.shares_memory(first, second)


def test_in_place_kernel_reading_its_buffer_twice_in_one_step():
    # An in-place kernel folded add(t, t, t) as add(add(t, t, out=buf), t, out=buf)
    # with t itself in buf, so the third term read 2t: 8 softmax(x), not 6.
    x = T.dvector("x")
    twice = T.nnet.softmax(x, axis=-1) * 2         # a dead intermediate: the kernel may overwrite it
    for out in (twice + twice + twice, (twice + 1) * (twice + 1) * (twice + 1)):
        f = function([x], out)
        value = np.array([1.0, 2.0])
        np.testing.assert_allclose(f(value), evaluate(out, {x: value}), rtol=1e-12)
