"""DebugMode on the differential suite's random graphs: no false alarm, and a wrong rewrite
caught.

The graphs of ``graph_generator.py`` exercise every rewrite (with the inputs that
overflow the naive formulas on purpose: x = +-800). A sample of them, a few per
pattern method, drawn from fixed seeds (``numpy.random.default_rng``, no state
shared with other tests), is compiled with ``DebugMode(check_isfinite=False)``
(the generator makes infinities on purpose; Theano's default would stop at the
first) and called once: no ``DebugModeError`` may be raised, and the results must
be those of FAST_RUN, bit for bit (DebugMode runs the same generated code). Then
the same sample with a subtly wrong rewrite registered (``exp(x) -> expm1(x) +
1.001``): DebugMode names it on every graph where it fired and its error shows
beyond ten times DebugMode's loosest tolerance (on graphs without NaN or
infinity, which leave nothing to judge by).

For a long hunt: ``SYMLAB_DEBUGMODE_GRAPHS=20 .venv/bin/python -m pytest
tests/rewrite/test_differential_debugmode.py`` (graphs per pattern; default 3).
"""

import os

import numpy as np
import pytest

import symlab.rewrite
from symlab import Mode, function
from symlab.compile.debug import intermediate_values
from symlab.compile.debugmode import BadOptimization, DebugMode, DebugModeError
from symlab.rewrite.canonicalize import as_replacement, row_name
from symlab.rewrite.engine import Pass
import symlab.tensor as T

from graph_generator import PATTERN_METHODS, RngChooser, generate

GRAPHS_PER_PATTERN = int(os.environ.get("SYMLAB_DEBUGMODE_GRAPHS", "3"))
MODE = DebugMode(check_isfinite=False)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def sample(focus):
    """The sample's cases for one pattern method, from fixed seeds."""
    first = PATTERN_METHODS.index(focus) * 1000
    return [generate(RngChooser(np.random.default_rng(first + k)), focus)
            for k in range(GRAPHS_PER_PATTERN)]


def compile_case(case, mode):
    return function(case.inputs, [e.var for e in case.outputs],
                    updates=[(var, e.var) for var, e in case.updates], mode=mode)


def call(case, f):
    """Call ``f`` on the case's inputs from fresh shared values; return outputs and updates."""
    case.reset_shared()
    outputs = f(*[value.copy() for value in case.values])
    return outputs + [var.get_value() for var, _ in case.updates]


@pytest.mark.parametrize("focus", PATTERN_METHODS)
def test_debug_mode_raises_no_false_alarm_and_computes_what_fast_run_computes(focus):
    for case in sample(focus):
        expected = call(case, compile_case(case, "FAST_RUN"))
        try:
            got = call(case, compile_case(case, MODE))
        except DebugModeError as error:
            pytest.fail(f"DebugMode raised {type(error).__name__} on a correct graph:\n"
                        f"{error}\n\n{case.describe()}", pytrace=False)
        for a, b in zip(got, expected):
            np.testing.assert_array_equal(a, b)


def exp_plus_a_thousandth(fgraph, node):
    """exp(x) -> expm1(x) + 1.001: wrong by 0.001 everywhere."""
    if row_name(node) == "exp":
        x = node.inputs[0]
        return [as_replacement(T.expm1(x) + np.asarray(1.001, dtype=x.dtype), node.outputs[0])]
    return None


def visible(case, broken):
    """True if the wrong rewrite's error shows beyond DebugMode's documented tolerance: no
    value of the graph as built is NaN or infinite, and some result of ``broken`` differs
    from the graph as built by more than 1e-3 (ten times the loosest relative tolerance,
    float32's) times the largest magnitude among the graph's values (at least 1)."""
    plain = compile_case(case, Mode(optimizer=None))
    case.reset_shared()
    values = [np.asarray(v) for v in
              intermediate_values(plain, *[value.copy() for value in case.values]).values()
              if isinstance(v, (np.ndarray, np.generic))]
    numbers = [v.astype(np.float64) for v in values if v.dtype.kind in "biuf" and v.size]
    if any(not np.all(np.isfinite(v)) for v in numbers):
        return False
    scale = max([1.0] + [float(np.abs(v).max()) for v in numbers])
    expected = call(case, plain)
    got = call(case, broken)
    return any(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)),
                      initial=0) > 1e-3 * scale for a, b in zip(got, expected))


def test_a_subtly_wrong_rewrite_is_named_wherever_its_error_shows(monkeypatch):
    passes = symlab.rewrite.PASSES
    k = [p.name for p in passes].index("canonicalize") + 1
    monkeypatch.setattr(symlab.rewrite, "PASSES",
                        passes[:k] + (Pass("broken", (exp_plus_a_thousandth,)),) + passes[k:])
    fired = caught = 0
    for focus in PATTERN_METHODS:
        for case in sample(focus):
            f = compile_case(case, MODE)
            if "exp_plus_a_thousandth" not in f.trace.rewrite_names():
                continue
            fired += 1
            try:
                call(case, f)
            except BadOptimization as error:
                assert error.reason == "exp_plus_a_thousandth", str(error)
                caught += 1
                continue
            assert not visible(case, compile_case(case, "FAST_RUN")), \
                f"DebugMode missed the wrong rewrite:\n{case.describe()}"
    assert fired >= 10 and caught >= 5, (fired, caught)
