"""Debugging compiled functions in the graph view: failures, NanGuardMode, profiles, values.

The widget's traits are checked after real calls of real compiled functions
(``f.last_failure``, ``f.observe``, ``profile=True``, ``intermediate_values``);
``%symlab_profile`` runs through IPython's real shell.
"""

import gc
import json
import weakref

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output
from ipywidgets import widget_serialization

import symlab
import symlab.tensor as T
from symlab.notebook import GraphView

debug = pytest.importorskip("symlab.debug")
if not hasattr(debug, "intermediate_values"):
    pytest.skip("symlab.debug has no intermediate_values yet", allow_module_level=True)
from symlab.debug import NanGuardMode, intermediate_values  # noqa: E402

HOSTILE = '<img src=x onerror="window.__x=1">'


@pytest.fixture
def broadcast():
    """``(x + y) * 2`` on vectors: a call with lengths 3 and 4 fails in the generated code."""
    x, y = T.dvector("x"), T.dvector("y")
    return symlab.function([x, y], (x + y) * 2, name="f")


def applies_after(view):
    nodes = view.graph["nodes"]
    return [i for i in view.graph["after"]["nodes"] if nodes.get(str(i), {}).get("kind")
            == "apply" or str(i) not in nodes]


def fail(f, *args):
    with pytest.raises(Exception) as info:
        f(*args)
    return info.value


# ---------------------------------------------------------------- failures

def test_a_failed_call_sets_failure_on_a_view_shown_before(broadcast):
    f = broadcast
    view = GraphView(f)
    assert view.failure == {}
    error = fail(f, np.ones(3), np.ones(4))
    failure = view.failure
    assert failure["node"] == f.last_failure.node_id
    assert failure["node"] in view.graph["after"]["nodes"]
    assert failure["kind"] == "error"
    assert failure["message"] == f.last_failure.message == str(error)
    assert "broadcast" in failure["message"]
    assert failure["origins"] and all(isinstance(fn, str) and isinstance(line, int)
                                      for fn, line in failure["origins"])
    assert [tuple(o) for o in failure["origins"]] == list(f.last_failure.origins)
    json.dumps(view.get_state()["failure"])  # plain data, as the front end gets it
    view.close()


def test_a_view_made_after_the_failure_shows_it(broadcast):
    f = broadcast
    fail(f, np.ones(3), np.ones(4))
    view = GraphView(f)
    assert view.failure["node"] == f.last_failure.node_id
    view.close()


def test_a_successful_call_clears_the_failure(broadcast):
    f = broadcast
    view = GraphView(f)
    fail(f, np.ones(3), np.ones(4))
    assert view.failure
    f(np.ones(2), np.ones(2))
    assert view.failure == {}
    assert f.last_failure is None
    # And again: a second failure, at the same node, comes back.
    fail(f, np.ones(2), np.ones(5))
    assert view.failure["node"] == f.last_failure.node_id
    view.close()


def test_nan_guard_mode_failure_is_kind_nan():
    x = T.dvector("x")
    g = symlab.function([x], T.log(x - 5) * 2, name="g",
                        mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
                                          big_is_error=True))
    view = GraphView(g)
    error = fail(g, np.ones(3))
    assert isinstance(error, FloatingPointError)
    failure = view.failure
    assert failure["kind"] == "nan"
    assert failure["node"] == g.last_failure.node_id
    assert view.graph["nodes"][str(failure["node"])]["op"] == "log"
    assert "NaN" in failure["message"]
    g(np.full(3, 6.0))
    assert view.failure == {}
    view.close()


def test_a_closed_view_stops_observing(broadcast):
    f = broadcast
    view = GraphView(f)
    observers = len(f._observers)
    view.close()
    assert len(f._observers) == observers - 1
    fail(f, np.ones(3), np.ones(4))
    assert view.failure == {}  # closed: no longer updated


def test_an_open_view_does_not_keep_its_function_alive():
    # The view holds the function weakly, and the function's observer holds the
    # view weakly: neither keeps the other alive.
    x, y = T.dvector("x"), T.dvector("y")
    f = symlab.function([x, y], (x + y) * 2, name="f")
    view = GraphView(f)
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None
    assert view.function is None
    view.close()  # closing once the function is gone is fine


def test_expressions_have_no_failure_or_profile():
    x = T.dvector("x")
    view = GraphView(T.exp(x) * 2)
    assert view.failure == {} and view.profile == {} and view.values == {}
    assert view.function is None
    view.close()


def test_failure_messages_are_text_even_with_hostile_names():
    x, y = T.dvector(HOSTILE), T.dvector("y")
    z = x + y
    z.name = HOSTILE
    f = symlab.function([x, y], z * 2, name=HOSTILE)
    view = GraphView(f)
    fail(f, np.ones(3), np.ones(4))
    assert view.failure["message"] == f.last_failure.message
    state = json.dumps(view.get_state()["failure"])
    assert json.loads(state)["message"] == f.last_failure.message
    view.close()


# ---------------------------------------------------------------- profile

def test_a_profiled_function_shows_its_profile_and_keeps_it_current():
    x = T.dvector("x")
    f = symlab.function([x], T.exp(x).sum() + T.dot(x, x), name="p", profile=True)
    view = GraphView(f)
    assert view.profile == {}  # not called yet
    f(np.arange(3.0))
    profile = view.profile  # outside IPython: refreshed at each call
    assert profile["calls"] == 1
    rows = profile["rows"]
    expected = f.profile.rows()
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    assert {r["id"] for r in rows} <= set(view.graph["after"]["nodes"])
    assert [r["time"] for r in rows] == sorted((r["time"] for r in rows), reverse=True)
    for row in rows:
        assert set(row) >= {"id", "op", "time", "percent", "calls"}
        assert row["calls"] == 1 and row["time"] >= 0 and 0 <= row["percent"] <= 100
    f(np.arange(3.0))
    assert view.profile["calls"] == 2
    json.dumps(view.get_state()["profile"], allow_nan=False)
    view.close()


def test_an_unprofiled_function_has_no_profile(broadcast):
    view = GraphView(broadcast)
    broadcast(np.ones(2), np.ones(2))
    assert view.profile == {}
    view.close()


SETUP = """
import numpy as np
import symlab
import symlab.tensor as T
x = T.dvector("x")
w = symlab.shared(np.zeros(3), name="w")
h = symlab.function([x], T.exp(x).sum() + T.dot(x, x), updates=[(w, w + x)], name="h")
"""


def profile_widget(shell, line):
    """Run ``%symlab_profile line``; check it printed and returned nothing; return its widget."""
    with capture_output() as captured:
        returned = shell.run_line_magic("symlab_profile", line)
    assert returned is None
    assert captured.stdout == "" and captured.stderr == ""
    (output,) = captured.outputs
    assert set(output.data) >= {"application/vnd.jupyter.widget-view+json"}
    model_id = output.data["application/vnd.jupyter.widget-view+json"]["model_id"]
    return widget_serialization["from_json"](f"IPY_MODEL_{model_id}", None)


def test_symlab_profile_of_an_unprofiled_function(shell):
    shell.run_cell(SETUP).raise_error()
    h = shell.user_ns["h"]
    assert h.profile is None
    view = profile_widget(shell, "h(np.arange(3.0))")
    assert isinstance(view, GraphView)
    assert view.graph["name"] == "h"
    profile = view.profile
    assert profile["calls"] == 1 and profile["call_time"] > 0
    ops = sorted(r["op"] for r in profile["rows"])
    applies = [e for i, e in view.graph["nodes"].items()
               if e["kind"] == "apply" and int(i) in view.graph["after"]["nodes"]]
    assert len(profile["rows"]) == len(applies)
    assert "dot" in ops and "exp" in ops
    assert {r["id"] for r in profile["rows"]} <= set(view.graph["after"]["nodes"])
    # f.copy(profile=True): f itself is left unprofiled, but the call applied its updates.
    assert h.profile is None
    np.testing.assert_array_equal(shell.user_ns["w"].get_value(), [0.0, 1.0, 2.0])
    # Running it again profiles one more call, on a fresh copy.
    again = profile_widget(shell, "h(x=np.ones(3))")
    assert again.profile["calls"] == 1
    np.testing.assert_array_equal(shell.user_ns["w"].get_value(), [1.0, 2.0, 3.0])


def test_symlab_profile_of_a_profiled_function_uses_it(shell):
    shell.run_cell(SETUP + "\nhp = h.copy(profile=True, name='hp')\nhp(np.ones(3))\n"
                   ).raise_error()
    view = profile_widget(shell, "hp(np.ones(3))")
    assert view.profile["calls"] == 2  # hp's own profile: both calls
    assert view.function is shell.user_ns["hp"]
    # The view observes hp: a later call shows (at the latest when the cell ends).
    shell.run_cell("hp(np.ones(3))").raise_error()
    assert view.profile["calls"] == 3
    view.close()


def test_symlab_profile_usage_errors(shell):
    shell.run_cell(SETUP).raise_error()
    for line, words in [("", "missing"), ("h", "expected a call"), ("h(", "not a Python"),
                        ("nothere(1)", "nothere"), ("len([1])", "not a compiled function"),
                        ("h(undefined_name)", "undefined_name")]:
        with pytest.raises(UsageError, match=words):
            shell.run_line_magic("symlab_profile", line)


def test_symlab_profile_lets_a_failing_call_raise(shell):
    shell.run_cell(SETUP).raise_error()
    with capture_output() as captured:
        result = shell.run_cell("%symlab_profile h(np.ones(4))")
    assert result.error_in_exec is not None
    assert not captured.outputs  # no widget for a call that failed
    np.testing.assert_array_equal(shell.user_ns["w"].get_value(), np.zeros(3))


# ---------------------------------------------------------------- values

def test_values_of_one_call_by_node_id():
    x = T.dvector("x")
    y = T.exp(x) * 2
    f = symlab.function([x], [y, T.sum(y)], name="v")
    values = intermediate_values(f, np.array([0.0, 1.0]))
    view = GraphView(f, values=values)
    texts = view.values
    ids = set(view.graph["after"]["nodes"])
    assert set(map(int, texts)) <= set(map(int, view.graph["nodes"])) | ids
    assert ids <= set(map(int, texts))  # every node drawn after optimization has a value
    assert texts[str(x.id)] == "[0., 1.]"
    for var, value in values.items():
        key = var.id if var.owner is None or var in f.graph_after.inputs else var.owner.id
        assert var.type.value_summary(value) in texts[str(key)]
    json.dumps(view.get_state()["values"])
    view.close()


def test_values_summaries_are_short_and_count_nans():
    x = T.dvector("x")
    f = symlab.function([x], T.log(x), name="big")
    data = np.linspace(-1, 1, 1000)
    with np.errstate(invalid="ignore"):
        values = intermediate_values(f, data)
    view = GraphView(f, values=values)
    (log_id,) = [i for i in view.graph["after"]["nodes"]
                 if view.graph["nodes"][str(i)]["op"] == "log"]
    text = view.values[str(log_id)]
    assert "1000" in text and "500 nan" in text, text
    assert len(text) < 200
    view.close()


def test_values_of_a_node_with_several_outputs_get_one_line_each():
    from symlab.tensor.shared_randomstreams import RandomStreams

    u = RandomStreams(1).uniform((2,))
    f = symlab.function([], u * 2, name="draw")
    values = intermediate_values(f)
    view = GraphView(f, values=values)
    draw = u.owner
    assert len(draw.outputs) == 2
    assert view.values[str(draw.id)] == "\n".join(
        f"out {k}: {out.type.value_summary(values[out])}" for k, out in enumerate(draw.outputs))
    view.close()


def test_values_must_be_a_dict_of_variables():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="symbolic variables"):
        GraphView(T.exp(x), values={"x": 1})
    with pytest.raises(TypeError, match="dict"):
        GraphView(T.exp(x), values=[1, 2])


def test_values_with_hostile_names_stay_text():
    x = T.dvector(HOSTILE)
    f = symlab.function([x], T.exp(x), name="h")
    view = GraphView(f, values=intermediate_values(f, np.array([1.0])))
    assert view.values[str(x.id)] == "[1.]"
    assert view.graph["nodes"][str(x.id)]["label"] == HOSTILE
    view.close()


def test_an_error_names_a_notebook_cell_as_ipython_does(shell):
    number = shell.execution_count   # the number the next cell gets, as a notebook shows it: In[number]
    shell.run_cell("import symlab, symlab.tensor as T\n"
                   "a, b = T.dmatrix('a'), T.dmatrix('b')\n"
                   "product = symlab.function([a, b], T.dot(a, b))", store_history=True)
    result = shell.run_cell("import numpy as np\n"
                            "try:\n"
                            "    product(np.ones((2, 3)), np.ones((2, 3)))\n"
                            "except ValueError as error:\n"
                            "    message = str(error)", store_history=True)
    assert result.success
    message = shell.user_ns["message"]
    assert f"Cell In[{number}], line 3: product = symlab.function([a, b], T.dot(a, b))" in message
    assert "ipykernel_" not in message and "<ipython-input" not in message
