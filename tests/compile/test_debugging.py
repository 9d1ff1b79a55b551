"""Debugging compiled functions: errors that point at the user's line, NanGuardMode,
intermediate values and profiles, checked against hand-written expectations, the
reference evaluator and wall-clock time."""

import math
import pickle
import sys
import time

import numpy as np
import pytest

import symlab
import symlab.tensor as T
from symlab import In, shared
from symlab.compile.nanguardmode import NanGuardMode as TheanoPathNanGuardMode
from symlab.debug import (CallFailure, NanGuardError, NanGuardMode, ProfileStats,
                          intermediate_values)
from symlab.graph.evaluate import evaluate

HERE = __file__


def line():
    """The line number of the caller's current line."""
    return sys._getframe(1).f_lineno


# ---------------------------------------------------------------- origins

def test_every_node_remembers_the_users_line():
    x = T.dvector("x")
    y = T.exp(x); at = line()
    assert y.owner.origins == ((HERE, at),)


def test_rebuilt_and_fused_nodes_keep_the_lines_of_what_they_replace():
    x, y = T.dvectors("x", "y")
    a = T.exp(x) * 2; line_a = line()
    b = T.log(1 + T.exp(y)); line_b = line()
    f = symlab.function([x, y], [a + 1, b])
    nodes = f.graph_after.apply_nodes
    fused = [n for n in nodes if str(n.op).startswith("fused{")]
    assert fused, [str(n.op) for n in nodes]
    # a + 1 was written on the next line after a: a fused kernel keeps every line.
    assert (HERE, line_a) in fused[0].origins and (HERE, line_a + 2) in fused[0].origins
    softplus = [n for n in nodes if str(n.op) == "softplus"]
    assert [n.origins for n in softplus] == [((HERE, line_b),)]


def test_origins_survive_pickling():
    x = T.dvector("x")
    y = T.sin(x); at = line()
    f = symlab.function([x], y)
    g = pickle.loads(pickle.dumps(f))
    (node,) = g.graph_before.apply_nodes
    assert node.origins == ((HERE, at),)


# ---------------------------------------------------------------- errors that point home

def test_a_failing_call_names_the_node_its_inputs_and_the_users_line():
    x, y = T.dvectors("x", "y")
    z = x * 2 + y; at = line()
    f = symlab.function([x, y], z, name="f")
    with pytest.raises(ValueError) as info:
        f([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])
    message = str(info.value)
    assert "could not be broadcast" in message           # NumPy's own words come first
    node = f.graph_after.outputs[0].owner
    assert f"failed at node {node.op} [id {node.id}]" in message
    assert "(x): float64 (3,), min 1, max 3" in message
    assert "(y): float64 (4,), min 1, max 4" in message
    assert f"created at {HERE}:{at}: z = x * 2 + y; at = line()" in message
    assert isinstance(info.value.__cause__, ValueError)


def test_a_matrix_product_of_wrong_shapes_points_at_the_dot():
    A, v = T.dmatrix("A"), T.dvector("v")
    product = T.dot(A, v); at = line()
    f = symlab.function([A, v], T.tanh(product))
    with pytest.raises(ValueError) as info:
        f(np.ones((2, 3)), np.ones(4))
    message = str(info.value)
    dot = product.owner
    assert "failed at node dot [id" in message
    assert "(A): float64 (2, 3)" in message and "(v): float64 (4,)" in message
    assert f"{HERE}:{at}" in message
    assert f.last_failure.node.op == dot.op and f.last_failure.origins == ((HERE, at),)


def test_a_failure_is_kept_then_cleared_and_observers_hear_both():
    x = T.dvector("x")
    w = shared(np.zeros(2), name="w")
    f = symlab.function([x], (x * w).sum(), updates=[(w, w + x)])
    events = []
    f.observe(lambda fn, event: events.append((fn is f, event)))
    assert f.last_failure is None
    with pytest.raises(ValueError):
        f([1.0, 2.0, 3.0])
    assert isinstance(f.last_failure, CallFailure) and f.last_failure.kind == "error"
    assert f.last_failure.node in f.graph_after.apply_nodes
    assert f.last_failure.node_id == f.last_failure.node.id
    assert "could not be broadcast" in f.last_failure.message
    np.testing.assert_array_equal(w.get_value(), [0.0, 0.0])   # nothing was stored
    f([1.0, 2.0])
    assert f.last_failure is None
    np.testing.assert_array_equal(w.get_value(), [1.0, 2.0])
    f([1.0, 2.0])
    assert events == [(True, "failure"), (True, "cleared")]


def test_errors_outside_the_generated_code_are_left_alone():
    x = T.dvector("x")
    f = symlab.function([x], x + 1)
    with pytest.raises(TypeError, match="Missing required input: x"):
        f()
    assert f.last_failure is None


# ---------------------------------------------------------------- NanGuardMode

def middle_nan_graph():
    x = T.dvector("x")
    scaled = x * 2
    logged = T.log(scaled - 10); at = line()           # NaN for x < 5
    out = (logged * 3 + 1).sum()
    return x, out, at


def test_nan_guard_names_the_node_where_the_nan_appears():
    x, out, at = middle_nan_graph()
    f = symlab.function([x], out, mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
                                                    big_is_error=True))
    assert f([6.0, 7.0]) == pytest.approx(3 * math.log(2.0) + 1 + 3 * math.log(4.0) + 1)
    with pytest.raises(NanGuardError) as info:
        f([1.0, 6.0])
    failure = f.last_failure
    assert failure.kind == info.value.kind == "nan"
    assert str(failure.node.op) == "log"
    assert failure.origins == ((HERE, at),)
    message = str(info.value)
    assert message.startswith(f"NanGuardMode: log [id {failure.node_id}] produced 1 NaN value(s)")
    assert "min -8, max 2" in message                    # the input: [2, 12] - 10
    assert f"{HERE}:{at}" in message


def test_nan_guard_rules_can_be_switched_off():
    x = T.dvector("x")
    f = symlab.function([x], T.exp(x), mode=NanGuardMode(inf_is_error=True))
    with pytest.raises(NanGuardError, match="1 infinite value"):
        f([1000.0, 1.0])
    assert f.last_failure.kind == "inf"
    g = symlab.function([x], T.exp(x), mode=NanGuardMode(inf_is_error=False, big_is_error=False))
    assert np.isinf(g([1000.0])[0])
    h = symlab.function([x], T.log(x), mode=NanGuardMode(nan_is_error=False))
    assert np.isnan(h([-1.0])[0])


def test_nan_guard_big_values():
    x = T.dvector("x")
    big = x * 1e12; at = line()
    f = symlab.function([x], big + 1, mode=NanGuardMode())
    np.testing.assert_allclose(f([1e-3]), [1e9 + 1])
    with pytest.raises(NanGuardError, match=r"magnitude 2e\+12 \(above 1e\+10\)") as info:
        f([2.0])
    assert info.value.kind == "big" and f.last_failure.origins == ((HERE, at),)
    i = T.lvector("i")
    g = symlab.function([i], i * 100000, mode=NanGuardMode())
    with pytest.raises(NanGuardError, match="magnitude"):
        g([10 ** 6])


def test_nan_guard_mode_is_theanos_and_leaves_a_failed_call_without_effect():
    assert TheanoPathNanGuardMode is NanGuardMode
    x = T.dvector("x")
    w = shared(np.ones(2), name="w")
    f = symlab.function([x], [], updates=[(w, w * T.log(x))], mode=NanGuardMode())
    with pytest.raises(NanGuardError):
        f([1.0, -1.0])
    np.testing.assert_array_equal(w.get_value(), [1.0, 1.0])
    assert repr(NanGuardMode(big_is_error=False)) == \
        "NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=False)"


# ---------------------------------------------------------------- intermediate values

def test_intermediate_values_equal_the_reference_evaluators():
    X, v = T.dmatrix("X"), T.dvector("v")
    w = shared(np.array([0.5, -1.0, 2.0]), name="w")
    h = T.tanh(T.dot(X, w) + v)
    cost = T.log(1 + T.exp(h)).sum() + (w ** 2).sum()
    f = symlab.function([X, v], cost, updates=[(w, w - 0.1 * T.grad(cost, w))])
    rng = np.random.default_rng(7)
    X_value, v_value = rng.normal(size=(4, 3)), rng.normal(size=4)
    values = intermediate_values(f, X_value, v_value)
    graph = f.graph_after
    given = dict(zip(graph.inputs, [X_value, v_value, w.get_value()]))
    assert set(values) >= set(graph.inputs)
    for node in graph.apply_nodes:
        expected = evaluate(list(node.outputs), given)
        for var, value in zip(node.outputs, expected):
            np.testing.assert_allclose(values[var], value, rtol=1e-12, atol=1e-15,
                                       err_msg=str(node.op))
    # The function's outputs are among the values, and nothing was stored.
    np.testing.assert_allclose(values[graph.outputs[0]], f.copy(delete_updates=True)(
        X_value, v_value))
    np.testing.assert_array_equal(w.get_value(), [0.5, -1.0, 2.0])


def test_intermediate_values_keep_each_value_before_later_in_place_writes():
    x = T.dvector("x")
    a = T.exp(x)
    b = T.sin(a) * 3
    f = symlab.function([In(x, mutable=True)], b + a)
    data = np.array([0.0, 1.0])
    values = intermediate_values(f, data)
    np.testing.assert_array_equal(data, [0.0, 1.0])       # the argument is untouched
    for node in f.graph_after.apply_nodes:
        (expected,) = evaluate([node.outputs[0]], {f.graph_after.inputs[0]: [0.0, 1.0]})
        np.testing.assert_allclose(values[node.outputs[0]], expected, rtol=1e-14)
    assert f.last_failure is None


# ---------------------------------------------------------------- profiling

def test_profile_times_add_up_to_no_more_than_the_calls():
    x = T.dvector("x")
    out = (T.tanh(T.exp(x) * 2) ** 2).sum() + T.dot(x, x)
    f = symlab.function([x], out, profile=True, name="prof")
    data = np.linspace(0, 1, 20000)
    assert isinstance(f.profile, ProfileStats) and f.profile.calls == 0
    start = time.perf_counter()
    for _ in range(20):
        result = f(data)
    wall = time.perf_counter() - start
    plain = symlab.function([x], out)
    assert float(result) == pytest.approx(float(plain(data)), rel=1e-12)
    stats = f.profile
    assert stats.calls == 20
    assert 0 < sum(stats.node_times) <= stats.call_time <= wall
    rows = stats.rows()
    assert [r["time"] for r in rows] == sorted((r["time"] for r in rows), reverse=True)
    assert {r["id"] for r in rows} == {n.id for n in f.graph_after.apply_nodes}
    assert all(r["calls"] == 20 for r in rows)
    assert sum(r["percent"] for r in rows) <= 100.0
    text = stats.summary(file="str")
    assert text.startswith("Profile of prof: 20 call(s)")
    assert all(r["node"] in text for r in rows)
    stats.reset()
    assert stats.calls == 0 and sum(stats.node_times) == 0.0


def test_a_profiled_copy_and_observers():
    x = T.dvector("x")
    f = symlab.function([x], T.exp(x))
    assert f.profile is None
    g = f.copy(profile=True)
    events = []
    g.observe(lambda fn, event: events.append(event))
    g([1.0])
    assert g.profile.calls == 1 and events == ["profile"]
    assert f.copy().profile is None and g.copy().profile is not None
