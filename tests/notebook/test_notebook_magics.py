"""The magics, run through IPython's real shell after ``%load_ext symlab``."""

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output
from ipywidgets import widget_serialization

import symlab
from symlab.notebook import GraphView, RNGStepper, SharedInspector

SETUP = """
import numpy as np
import symlab
import symlab.tensor as T
from symlab.tensor.shared_randomstreams import RandomStreams
x = T.dvector("x")
y = T.log(1 + T.exp(x))
W = symlab.shared(np.zeros(2), name="W")
f = symlab.function([x], y, name="f")
g = symlab.function([x], (W * x).sum(), updates=[(W, W + x)], name="g")
srng = RandomStreams(seed=234)
u = srng.uniform((2, 2))
"""


@pytest.fixture
def ns(shell):
    result = shell.run_cell(SETUP)
    result.raise_error()
    return shell


def displayed_widget(shell, magic, line=""):
    """Run the magic; return the one widget it displayed (looked up as the front end would)."""
    with capture_output() as captured:
        returned = shell.run_line_magic(magic, line)
    assert returned is None
    (output,) = captured.outputs
    model_id = output.data["application/vnd.jupyter.widget-view+json"]["model_id"]
    return widget_serialization["from_json"](f"IPY_MODEL_{model_id}", None)


def test_load_ext_registers_the_magics(shell):
    magics = shell.magics_manager.magics["line"]
    for name in ("symlab_graph", "symlab_shared", "symlab_rng", "symlab_debugprint",
                 "symlab_trace"):
        assert name in magics


def test_symlab_graph_of_a_function_and_of_an_expression(ns):
    view = displayed_widget(ns, "symlab_graph", "f")
    assert isinstance(view, GraphView) and view.graph["name"] == "f"
    assert view.graph["events"][-1]["rewrite"] == "softplus_from_log1p_exp"
    expr = displayed_widget(ns, "symlab_graph", "y * 2")
    ops = {e["op"] for e in expr.graph["nodes"].values()}
    assert {"log", "exp", "mul"} <= ops


def test_symlab_shared_of_a_function_and_of_the_namespace(ns):
    inspector = displayed_widget(ns, "symlab_shared", "g")
    assert isinstance(inspector, SharedInspector)
    assert [(r["name"], r["updaters"]) for r in inspector.rows] == [("W", ["g"])]
    ns.run_cell("g([1.0, 2.0])").raise_error()
    assert inspector.rows[0]["preview"] == [1.0, 2.0]
    everything = displayed_widget(ns, "symlab_shared")
    names = [r["name"] for r in everything.rows]
    assert "W" in names and "V" not in names
    ns.run_cell('V = symlab.shared(np.ones(3), name="V")').raise_error()
    assert "V" in [r["name"] for r in everything.rows]  # rescanned after the cell
    everything.close()
    ns.run_cell('V2 = symlab.shared(np.ones(3), name="V2")').raise_error()
    assert "V2" not in [r["name"] for r in everything.rows]


def test_symlab_rng_steps_and_refreshes_after_cells(ns):
    stepper = displayed_widget(ns, "symlab_rng", "u")
    assert isinstance(stepper, RNGStepper) and stepper.position == 0
    first = stepper.draw()
    ns.run_cell("from symlab.random import history\nhistory(u).back()").raise_error()
    assert stepper.position == 0 and stepper.can_forward
    np.testing.assert_array_equal(stepper.draw(), first)
    whole = displayed_widget(ns, "symlab_rng", "srng")
    assert whole.is_stream and whole.position == 2


def test_symlab_debugprint_and_trace_print_the_text_forms(ns, capsys):
    ns.run_line_magic("symlab_debugprint", "f")
    assert capsys.readouterr().out == symlab.debugprint(ns.user_ns["f"], file="str")
    ns.run_line_magic("symlab_trace", "f")
    assert capsys.readouterr().out == str(ns.user_ns["f"].trace) + "\n"
    ns.run_line_magic("symlab_trace", "y")
    out = capsys.readouterr().out
    assert "log1p_from_log" in out and "softplus_from_log1p_exp" in out


@pytest.mark.parametrize("magic, line, message", [
    ("symlab_graph", "nope", "name 'nope' is not defined in the notebook's namespace"),
    ("symlab_graph", "", "missing argument. Usage: %symlab_graph f_or_expr"),
    ("symlab_graph", "W[", "is not a Python expression"),
    ("symlab_graph", "1 / 0", "raised ZeroDivisionError"),
    ("symlab_graph", "3", "'3' (of type int): GraphView: expected a compiled function"),
    ("symlab_shared", "3", "SharedInspector: expected a compiled function, a namespace dict"),
    ("symlab_rng", "f", "RNGStepper: expected a random variable"),
    ("symlab_rng", "", "missing argument"),
    ("symlab_debugprint", "3", "cannot print '3' (of type int)"),
    ("symlab_trace", "W.get_value()", "expected a compiled function or a symbolic expression"),
])
def test_clear_errors_for_unknown_names_and_wrong_kinds(ns, magic, line, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        ns.run_line_magic(magic, line)


def test_the_package_entry_point_loads_the_notebook_layer(shell):
    shell.run_line_magic("reload_ext", "symlab")
    assert "symlab_graph" in shell.magics_manager.magics["line"]
    assert symlab.load_ipython_extension.__module__ == "symlab"


def test_a_loop_of_calls_sends_a_few_refreshes_and_ends_exact(ns):
    inspector = displayed_widget(ns, "symlab_shared", "g")
    stepper = displayed_widget(ns, "symlab_rng", "u")
    row_changes, positions = [], []
    inspector.observe(row_changes.append, names="rows")
    stepper.observe(positions.append, names="position")
    ns.run_cell("draw = symlab.function([], u)\n"
                "for _ in range(200):\n    g([1.0, 1.0])\n    last = draw()").raise_error()
    assert inspector.rows[0]["preview"] == [200.0, 200.0]  # the cell's end shows the last call
    assert 1 <= len(row_changes) < 50, "a loop must not send a message per call"
    assert stepper.position == 200 and 1 <= len(positions) < 50
    np.testing.assert_array_equal(stepper.values, ns.user_ns["last"])


def test_an_unnamed_function_is_listed_by_the_name_the_namespace_gives_it(ns):
    ns.run_cell("step = symlab.function([x], [], updates=[(W, W + x)])").raise_error()
    inspector = displayed_widget(ns, "symlab_shared", "step")
    assert inspector.rows[0]["updaters"] == ["g", "step"]
