"""DebugMode: each call checks every rewrite of the trace and every node of the run.

Theano's documented behaviour, in our words: ``mode='DebugMode'`` computes what
FAST_RUN computes, more slowly; a rewrite replacing a variable by one taking
another value raises ``BadOptimization`` naming the rewrite; an op changing an
input it did not declare raises ``BadDestroyMap``, an undeclared alias
``BadViewMap``, a wrong value ``BadThunkOutput``, a NaN (by default) or a value
not fitting the type ``InvalidValueError``, all ``DebugModeError``s. Theano 1.0.5's
outcomes on its tutorial example and on ``log(0) * 0`` are recorded by
``dev/theano_reference/debug_modes.py``. Wrong rewrites are registered in a test by
putting a pass of them into the pass list ``symlab.rewrite.PASSES`` (which
``optimize`` reads when it runs).
"""

import pickle

import numpy as np
import pytest

import symlab
import symlab.rewrite
import symlab.tensor as T
from symlab import function, shared
from symlab.compile import debugmode
from symlab.compile.debugmode import (BadDestroyMap, BadOptimization, BadThunkOutput,
                                      BadViewMap, DebugMode, DebugModeError, InvalidValueError,
                                      StochasticOrder)
from symlab.graph import evaluate
from symlab.graph.basic import Apply
from symlab.graph.basic import Op as BaseOp
from symlab.rewrite.canonicalize import as_replacement, row_name
from symlab.rewrite.engine import Pass


# ---------------------------------------------------------------- deliberately wrong rewrites

def tanh_to_identity(fgraph, node):
    """tanh(x) -> x: wrong except at 0."""
    if row_name(node) == "tanh":
        return [as_replacement(node.inputs[0], node.outputs[0])]
    return None


def exp_to_one_plus_x(fgraph, node):
    """exp(x) -> 1 + x: wrong except at 0 (a first-order Taylor 'rewrite')."""
    if row_name(node) == "exp":
        return [as_replacement(1 + node.inputs[0], node.outputs[0])]
    return None


@pytest.fixture
def register(monkeypatch):
    """``register(*rewrites, after='canonicalize')``: run a pass of ``rewrites`` right after
    the pass named ``after``, for this test only."""

    def add(*rewrites, after="canonicalize", name="broken"):
        passes = symlab.rewrite.PASSES
        k = [p.name for p in passes].index(after) + 1
        monkeypatch.setattr(symlab.rewrite, "PASSES",
                            passes[:k] + (Pass(name, tuple(rewrites)),) + passes[k:])

    return add


def test_the_tutorial_example_runs_as_fast_run():
    x = T.dvector("x")
    f = function([x], 10 * x, mode="DebugMode")
    assert type(f.mode) is DebugMode
    # Theano 1.0.5: 50, 0, 70
    for value, expected in ((5, 50.0), (0, 0.0), (7, 70.0)):
        np.testing.assert_array_equal(f([value]), [expected])


def test_a_wrong_rewrite_is_named_with_its_step_and_both_values(register):
    register(tanh_to_identity)
    x = T.dvector("x")
    y = T.tanh(x) * 2 + T.log(1 + T.exp(x))
    value = np.array([0.5, 1.0])
    exact = 2 * np.tanh(value) + np.log1p(np.exp(value))
    # without DebugMode the wrong rewrite goes unnoticed: the result is wrong
    assert not np.allclose(function([x], y)(value), exact)
    f = function([x], y, mode=DebugMode())
    with pytest.raises(BadOptimization) as info:
        f(value)
    error = info.value
    k = error.step
    assert error.reason == "tanh_to_identity" and error.pass_name == "broken"
    assert f.trace[k - 1].rewrite == "tanh_to_identity"
    assert "tanh_to_identity" not in f.trace.rewrite_names()[:k - 1]
    # the values it reports are the graphs' values on either side of the step
    before = evaluate(f.graph_at(k - 1).outputs[0], {x: value})
    after = evaluate(f.graph_at(k).outputs[0], {x: value})
    np.testing.assert_allclose(before, exact, rtol=1e-12)
    np.testing.assert_allclose(after, 2 * value + np.log1p(np.exp(value)), rtol=1e-12)
    np.testing.assert_array_equal(error.old_r_val, before)
    np.testing.assert_array_equal(error.new_r_val, after)
    text = str(error)
    assert f"trace step {k} of {len(f.trace)}" in text
    assert f"f.graph_at({k - 1})" in text and f"f.graph_at({k})" in text
    assert f"GraphView(f, step={k})" in text and f"print(f.trace[{k - 1}])" in text
    assert "tanh(x) -> x" in text
    assert "1.898" in text and "1.974" in text           # 2 tanh(.5) + sp(.5), 2 * .5 + sp(.5)
    assert isinstance(error, DebugModeError)


def test_the_first_of_two_wrong_rewrites_is_the_one_named(register):
    register(tanh_to_identity, after="canonicalize", name="first_broken")
    register(exp_to_one_plus_x, after="stabilize", name="second_broken")
    x = T.dvector("x")
    f = function([x], T.tanh(x) + T.exp(x), mode=DebugMode())
    assert {"tanh_to_identity", "exp_to_one_plus_x"} <= set(f.trace.rewrite_names())
    with pytest.raises(BadOptimization) as info:
        f(np.array([0.25]))
    assert info.value.reason == "tanh_to_identity"


def test_a_rewrite_wrong_only_for_some_inputs_fails_only_there_and_stores_no_update(register):
    register(exp_to_one_plus_x)
    x = T.dvector("x")
    total = shared(np.zeros(2), name="total")
    f = function([x], T.exp(x), updates=[(total, total + T.exp(x))], mode=DebugMode())
    np.testing.assert_array_equal(f(np.zeros(2)), [1.0, 1.0])     # exp(0) = 1 + 0
    np.testing.assert_array_equal(total.get_value(), [1.0, 1.0])
    with pytest.raises(BadOptimization) as info:
        f(np.array([0.0, 2.0]))
    assert info.value.reason == "exp_to_one_plus_x"
    assert "changed the value of output 0 of the function" in str(info.value)
    np.testing.assert_array_equal(total.get_value(), [1.0, 1.0])    # unchanged


# ---------------------------------------------------------------- no false alarms

def test_stabilizing_rewrites_that_turn_overflow_into_the_right_value_pass():
    x = T.dvector("x")
    f = function([x], T.log(1 + T.exp(x)), mode=DebugMode())
    np.testing.assert_allclose(f(np.array([800.0, -800.0, 1.0])),
                               [800.0, 0.0, np.log1p(np.e)], rtol=1e-15, atol=0)


def test_a_stabilizing_rewrite_fixing_a_cancellation_passes():
    # log(1 - sigmoid(z)) at z = 29.1: 1 - sigmoid(z) cancels down to 2.3e-13 and its
    # log is wrong in the 5th digit; -softplus(z) is right (found by the generator).
    z = T.dvector("z")
    f = function([z], T.log(1 - T.nnet.sigmoid(z)), mode=DebugMode())
    value = np.array([29.1, 30.5, -3.0])
    expected = -(value + np.log1p(np.exp(-value)))         # -softplus(z), for z > 0 ...
    expected[2] = -np.log1p(np.exp(value[2]))              # ... and z < 0
    np.testing.assert_allclose(f(value), expected, rtol=1e-14)


def test_debug_mode_computes_what_fast_run_computes_on_a_training_step():
    rng = np.random.RandomState(3)
    x, y = T.dmatrix("x"), T.dvector("y")
    w = shared(rng.randn(4), name="w")
    b = shared(0.0, name="b")
    p = 1 / (1 + T.exp(-T.dot(x, w) - b))
    cost = T.mean(-y * T.log(p) - (1 - y) * T.log(1 - p)) + 0.01 * (w ** 2).sum()
    gw, gb = T.grad(cost, [w, b])
    updates = [(w, w - 0.1 * gw), (b, b - 0.1 * gb)]
    data = rng.randn(5, 4), (rng.rand(5) > 0.5).astype("float64")
    start = w.get_value(), b.get_value()
    fast = function([x, y], cost, updates=updates)
    fast_costs = [float(fast(*data)) for _ in range(3)]
    fast_w = w.get_value()
    w.set_value(start[0])
    b.set_value(start[1])
    debug = function([x, y], cost, updates=updates, mode="DebugMode")
    debug_costs = [float(debug(*data)) for _ in range(3)]
    np.testing.assert_allclose(debug_costs, fast_costs, rtol=1e-13)
    np.testing.assert_allclose(w.get_value(), fast_w, rtol=1e-13)


def test_in_place_and_fused_kernels_pass_their_own_checks():
    x = T.dmatrix("x")
    twice = T.nnet.softmax(x) * 2        # a dead intermediate: the in-place pass reuses it
    f = function([x], (twice + 1) * (twice + 1) + T.dot(x, x.T), mode=DebugMode())
    assert "inplace_elemwise" in f.trace.rewrite_names()
    value = np.array([[1.0, 2.0], [0.5, -1.0]])
    e = np.exp(value - value.max(axis=1, keepdims=True))
    soft = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(f(value), (2 * soft + 1) ** 2 + value @ value.T, rtol=1e-14)


def test_mutable_inputs_may_be_overwritten():
    x = T.dvector("x")
    f = function([symlab.In(x, mutable=True)], T.exp(x) * 2, mode=DebugMode())
    np.testing.assert_allclose(f(np.array([0.0, 1.0])), 2 * np.exp([0.0, 1.0]), rtol=1e-15)


# ---------------------------------------------------------------- nodes breaking contracts

class DoublesInPlace(symlab.Op):
    """Returns 2x, but writes it into its input without declaring destroy_map."""

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return symlab.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        x *= 2
        output_storage[0][0] = x.copy()


class ReturnsItsInput(symlab.Op):
    """Returns its input itself; ``view_map`` may declare it."""

    def __init__(self, declared=False):
        self.view_map = {0: [0]} if declared else {}

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return symlab.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0]


class FastPathDisagrees(symlab.Op):
    """``perform`` gives x + 1; the callable compiled code runs gives x + 1.5."""

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return symlab.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + 1

    def numpy_callable(self, node):
        return lambda x: x + 1.5


class WrongDtype(BaseOp):
    """Declares a float64 output and returns float32 (a base op: nothing converts it)."""

    name = "wrong_dtype"

    def make_node(self, x):
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0].astype("float32")]


def test_an_op_changing_an_input_it_did_not_declare_raises_bad_destroy_map():
    x = T.dvector("x")
    out = DoublesInPlace()(x) + 1
    arg = np.array([1.0, 2.0])
    function([x], out, mode="FAST_RUN")(arg)
    np.testing.assert_array_equal(arg, [2.0, 4.0])     # FAST_RUN: the caller's array changed
    f = function([x], out, mode=DebugMode())
    arg = np.array([1.0, 2.0])
    with pytest.raises(BadDestroyMap) as info:
        f(arg)
    assert "DoublesInPlace" in str(info.value) and "input 0 (x)" in str(info.value)
    assert info.value.input == 0 and info.value.node.op.__class__ is DoublesInPlace


def test_an_undeclared_alias_raises_bad_view_map_and_a_declared_one_passes():
    x = T.dvector("x")
    with pytest.raises(BadViewMap) as info:
        function([x], ReturnsItsInput()(x) * 2, mode=DebugMode())(np.array([1.0]))
    assert "shares memory with its input 0 (x)" in str(info.value)
    f = function([x], ReturnsItsInput(declared=True)(x) * 2, mode=DebugMode())
    np.testing.assert_array_equal(f(np.array([1.0, 3.0])), [2.0, 6.0])


def test_compiled_code_disagreeing_with_perform_raises_bad_thunk_output():
    x = T.dvector("x")
    f = function([x], FastPathDisagrees()(x) * 3, mode=DebugMode())
    with pytest.raises(BadThunkOutput) as info:
        f(np.array([1.0, 2.0]))
    error = info.value
    assert "FastPathDisagrees" in str(error)
    np.testing.assert_array_equal(error.reference_value, [2.0, 3.0])
    np.testing.assert_array_equal(error.thunk_value, [2.5, 3.5])


def test_a_value_not_fitting_its_type_raises_invalid_value_error():
    x = T.dvector("x")
    with pytest.raises(InvalidValueError, match="dtype float32, not float64"):
        function([x], WrongDtype()(x) * 2, mode=DebugMode())(np.array([1.0]))


def test_nan_is_an_error_by_default_as_in_theano():
    # Theano 1.0.5: InvalidValueError for log(0) * 0 in DebugMode
    x = T.dscalar("x")
    with pytest.raises(InvalidValueError, match="NaN or infinite"):
        function([x], T.log(x) * x, mode="DebugMode")(0.0)
    f = function([x], T.log(x) * x, mode=DebugMode(check_isfinite=False))
    with np.errstate(all="ignore"):
        assert np.isnan(f(0.0))
    assert f(2.0) == pytest.approx(2 * np.log(2.0), rel=1e-15)


def test_a_rewrite_firing_differently_each_compile_raises_stochastic_order(register):
    fired = []

    def sometimes(fgraph, node):
        """tanh(x) -> tanh(x) rebuilt, only on the first compile."""
        if row_name(node) == "tanh" and not fired:
            fired.append(node)
            return [as_replacement(T.tanh(node.inputs[0]), node.outputs[0])]
        return None

    register(sometimes)
    x = T.dvector("x")
    with pytest.raises(StochasticOrder, match="sometimes"):
        function([x], T.tanh(x), mode=DebugMode())
    fired.clear()
    assert function([x], T.tanh(x), mode=DebugMode(stability_patience=1))


def test_errors_are_theano_s_classes():
    for cls in (BadOptimization, BadThunkOutput, BadDestroyMap, BadViewMap, StochasticOrder,
                InvalidValueError):
        assert issubclass(cls, DebugModeError) and getattr(debugmode, cls.__name__) is cls
    assert symlab.compile.DebugModeError is DebugModeError


def test_theano_s_constructor_arguments_are_accepted():
    mode = DebugMode(optimizer="fast_compile", check_c_code=False, check_py_code=True,
                     check_preallocated_output=[], require_matching_strides=0)
    x = T.dvector("x")
    f = function([x], T.exp(x) + 1, mode=mode)
    assert f.mode.optimizer == "fast_compile"
    np.testing.assert_allclose(f(np.array([1.0])), [np.e + 1], rtol=1e-15)
    with pytest.raises(ValueError, match="stability_patience"):
        DebugMode(stability_patience=0)


def test_a_pickled_debug_function_still_checks(register):
    register(exp_to_one_plus_x)
    x = T.dvector("x")
    f = pickle.loads(pickle.dumps(function([x], T.exp(x), mode=DebugMode())))
    with pytest.raises(BadOptimization):
        f(np.array([1.0]))
