"""Debugging compiled functions in a real JupyterLab: failed calls, NanGuardMode, profiles, values.

One notebook, run once (``debug_page``): a function whose call fails with a
broadcast error (its graph shown before the failure and again after it),
one compiled with ``NanGuardMode`` whose call produces NaN, ``%symlab_profile``
of a function with an update, and a graph view with the values of one call
(``intermediate_values``) on a graph with a hostile input name. The failing
calls are wrapped in ``try`` so that the notebook runs to the end; each cell
prints the ids its checks need (ids are per process). Every assertion reads
the page: the classes and data attributes of extension/README.md's contract.
"""

import json
import re

import pytest
from page import PANEL, wait_until as _wait_until

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__x=1">'

SETUP = """\
%load_ext symlab
import json
import numpy as np
import symlab.tensor as T
from symlab import function, shared
from symlab.debug import NanGuardMode, intermediate_values
from symlab.notebook import GraphView"""

BROADCAST = """\
x = T.dvector('x')
y = T.dvector('y')
f = function([x, y], (x + y) * 2, name='f')"""

FAIL = """\
try:
    f(np.ones(3), np.ones(4))
except ValueError:
    print('FAILED=' + json.dumps({'node': f.last_failure.node_id, 'kind': f.last_failure.kind}))"""

NAN = """\
g = function([x], T.log(x - 5) * 2, name='g',
             mode=NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=True))
try:
    g(np.ones(3))
except FloatingPointError:
    print('NAN=' + json.dumps({'node': g.last_failure.node_id, 'kind': g.last_failure.kind}))"""

PROFILE_DEF = """\
w = shared(np.zeros(3), name='w')
h = function([x], T.exp(x).sum() + T.dot(x, x), updates=[(w, w + x)], name='h')"""

AFTER_PROFILE = "print('W=' + json.dumps(w.get_value().tolist()))"

VALUES = f"""\
a = T.dvector({HOSTILE!r})
k = function([a], T.exp(a) * 2, name='k')
kv = GraphView(k, values=intermediate_values(k, np.array([0.0, 1.0])))
print('VALUES=' + json.dumps(kv.values))
kv"""

CELLS = [SETUP, BROADCAST, "%symlab_graph f", FAIL, "%symlab_graph f", NAN, "%symlab_graph g",
         PROFILE_DEF, "%symlab_profile h(np.arange(3.0))", AFTER_PROFILE, VALUES]
(C_SETUP, C_DEF, C_LIVE, C_FAIL, C_LATER, C_NAN, C_NAN_GRAPH, C_PROFILE_DEF, C_PROFILE,
 C_AFTER_PROFILE, C_VALUES) = range(len(CELLS))


@pytest.fixture(scope="module")
def debug_page(new_notebook_page):
    nb = new_notebook_page("debugging.ipynb", CELLS)
    nb.run_all()
    for cell in (C_LIVE, C_LATER, C_NAN_GRAPH, C_PROFILE, C_VALUES):
        nb.cell(cell).locator(".symlab-graph-after svg.symlab-graph-svg").wait_for()
    return nb


def _printed(nb, cell, key):
    """The JSON a cell printed after ``KEY=``."""
    text = "\n".join(nb.output_text(cell))
    match = re.search(rf"^{key}=(.*)$", text, re.M)
    assert match, f"no {key}= line in cell {cell}'s output: {text!r}"
    return json.loads(match.group(1))


def _ids(locator):
    return [int(i) for i in locator.evaluate_all(
        "els => els.map(e => e.getAttribute('data-node-id'))")]


def _check_failure(view, node, kind, words):
    """The view marks exactly ``node`` failed (in the after panel) and shows the message."""
    after = view.locator(".symlab-graph-after")
    _wait_until("the failed node", lambda: after.locator("g.node.symlab-node-failed").count() == 1)
    assert _ids(after.locator("g.node.symlab-node-failed")) == [node]
    assert after.locator("g.node.symlab-node-failed").get_attribute("data-failure-kind") == kind
    # The box is filled red, whatever the theme's colours.
    fill = after.locator("g.node.symlab-node-failed > :is(path, polygon, ellipse)").first \
        .evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(255, 205, 210)", fill
    box = view.locator(".symlab-graph-failure")
    assert box.is_visible()
    assert box.get_attribute("data-node-id") == str(node)
    assert box.get_attribute("data-kind") == kind
    assert view.get_attribute("data-failed-node") == str(node)
    message = box.locator(".symlab-graph-failure-message").inner_text()
    for word in words:
        assert word in message, (word, message)
    assert box.locator(".symlab-graph-failure-title").inner_text().startswith(
        f"the last call failed: node {node}")
    # Hover text of the failed node: the failure, as text.
    title = after.locator(f"g.node[data-node-id='{node}'] > title").text_content()
    assert title.split("\n")[1].startswith(f"failed ({kind}): "), title
    return message


def test_a_failed_call_marks_the_node_in_views_shown_before_and_after(debug_page, shoot):
    nb = debug_page
    failed = _printed(nb, C_FAIL, "FAILED")
    assert failed["kind"] == "error"
    for cell in (C_LIVE, C_LATER):
        view = nb.cell(cell).locator(".symlab-graph-view")
        message = _check_failure(view, failed["node"], "error",
                                 ["could not be broadcast", "(3,)", "(4,)", "failed at node"])
        assert "Traceback" not in message
    shoot(nb.cell(C_LIVE), "debug-failed-call")
    # "show node" selects it: the details say why.
    view = nb.cell(C_LATER).locator(".symlab-graph-view")
    view.locator(".symlab-graph-failure-show").click()
    details = view.locator(".symlab-node-details")
    details.wait_for()
    assert details.get_attribute("data-node-id") == str(failed["node"])
    assert details.locator("dd.symlab-detail-failure").inner_text().startswith("error: ")
    shoot(nb.cell(C_LATER), "debug-failed-call-details")


def test_nan_guard_mode_marks_the_node(debug_page, shoot):
    nb = debug_page
    nan = _printed(nb, C_NAN, "NAN")
    assert nan["kind"] == "nan"
    view = nb.cell(C_NAN_GRAPH).locator(".symlab-graph-view")
    _check_failure(view, nan["node"], "nan", ["NanGuardMode", "NaN"])
    node = view.locator(f".symlab-graph-after g.node[data-node-id='{nan['node']}']")
    assert node.locator("text").all_text_contents() == ["log"]
    assert "produced NaN" in view.locator(".symlab-graph-failure-title").inner_text()
    shoot(nb.cell(C_NAN_GRAPH), "debug-nan-guard")


def test_a_later_successful_call_clears_the_failure(debug_page, shoot):
    nb = debug_page
    failed = _printed(nb, C_FAIL, "FAILED")
    views = [nb.cell(c).locator(".symlab-graph-view") for c in (C_LIVE, C_LATER)]
    outputs_before = [nb.cell(c).locator(".jp-OutputArea-output").count()
                      for c in (C_LIVE, C_LATER)]
    nb.run_new_cell("f(np.ones(2), np.ones(2))")
    for view in views:
        _wait_until("the failure to clear",
                    lambda: view.locator("g.node.symlab-node-failed").count() == 0)
        assert not view.locator(".symlab-graph-failure").is_visible()
        assert view.get_attribute("data-failed-node") is None
        node = view.locator(f".symlab-graph-after g.node[data-node-id='{failed['node']}']")
        assert node.count() == 1
        # The hover title is the node's own text again: no failure line in it.
        assert not any("failed" in t for t in node.locator("title").all_text_contents())
    # The same displays were updated; no new output appeared in their cells.
    assert [nb.cell(c).locator(".jp-OutputArea-output").count()
            for c in (C_LIVE, C_LATER)] == outputs_before
    shoot(nb.cell(C_LIVE), "debug-cleared")


def test_symlab_profile_shows_the_table_and_the_heat(debug_page, shoot):
    nb = debug_page
    cell = nb.cell(C_PROFILE)
    # The magic displays the view and nothing else (no text, no Out[] repr).
    assert cell.locator(".jp-OutputArea-output").count() == 1
    assert cell.locator(".jp-OutputArea-output[data-mime-type]").count() == 0
    assert cell.locator(".jp-OutputPrompt").all_inner_texts() in ([], [""])
    view = cell.locator(".symlab-graph-view")
    profile = view.locator(".symlab-profile")
    assert profile.is_visible()
    assert profile.get_attribute("data-calls") == "1"
    assert re.match(r"profile: 1 call, \S+ \S*s in all",
                    profile.locator(".symlab-profile-summary").inner_text()), \
        profile.locator(".symlab-profile-summary").inner_text()
    assert profile.locator(".symlab-profile-legend .symlab-profile-legend-bar").is_visible()
    headers = profile.locator("th").all_inner_texts()
    assert headers == ["node", "op", "time", "% of the call", "calls"], headers
    rows = profile.locator("tr.symlab-profile-row")
    ops = rows.locator("td.symlab-profile-op").all_inner_texts()
    assert {"exp", "dot", "sum"} <= set(ops), ops
    assert rows.locator("td.symlab-profile-calls").all_inner_texts() == ["1"] * len(ops)
    for text in rows.locator("td.symlab-profile-time").all_inner_texts():
        assert re.fullmatch(r"[\d.]+ (ns|µs|ms|s)", text), text
    percents = [float(t.split()[0]) for t in
                rows.locator("td.symlab-profile-percent").all_inner_texts()]
    assert all(0 <= p <= 100 for p in percents) and 0 < sum(percents) <= 100.05, percents
    # Every row's node is drawn, filled with its heat; the slowest (the first row) at 1.
    after = view.locator(".symlab-graph-after")
    row_ids = _ids(rows)
    heats = {}
    for node_id in row_ids:
        g = after.locator(f"g.node[data-node-id='{node_id}']")
        assert g.count() == 1
        assert "symlab-node-profiled" in g.get_attribute("class")
        heats[node_id] = float(g.get_attribute("data-heat"))
        fill = g.locator(":scope > :is(path, polygon, ellipse)").first.evaluate(
            "e => getComputedStyle(e).fill")
        assert fill.startswith("rgb(") and fill != "rgb(238, 243, 251)", fill  # not the plain box
        assert f"time: " in g.locator(":scope > title").text_content()
    assert heats[row_ids[0]] == 1.0
    assert [heats[i] for i in row_ids] == sorted(heats.values(), reverse=True)
    # Leaves are not profiled.
    assert after.locator("g.node.symlab-kind-input.symlab-node-profiled").count() == 0
    # The call went through the profiled copy and applied h's update.
    assert _printed(nb, C_AFTER_PROFILE, "W") == [0.0, 1.0, 2.0]
    shoot(cell, "debug-profile")
    # Clicking a row selects its node.
    rows.first.click()
    view.locator(".symlab-node-details").wait_for()
    assert view.locator(".symlab-node-details").get_attribute("data-node-id") == str(row_ids[0])
    assert view.locator("dd.symlab-detail-time").inner_text().endswith("1 call")


def test_values_on_hover_and_in_the_details(debug_page, shoot):
    nb = debug_page
    page = nb.page
    values = _printed(nb, C_VALUES, "VALUES")
    view = nb.cell(C_VALUES).locator(".symlab-graph-view")
    after = view.locator(".symlab-graph-after")
    drawn = _ids(after.locator("g.node[data-node-id]"))
    assert set(map(str, drawn)) <= set(values), (drawn, values)
    for node_id in drawn:
        title = after.locator(f"g.node[data-node-id='{node_id}'] > title")
        assert title.count() == 1
        lines = title.text_content().split("\n")
        assert f"value: {values[str(node_id)]}" in lines, lines
    # The hostile input name is text in the tooltip: exactly the name, no element made.
    leaf = after.locator("g.node.symlab-kind-input")
    leaf_title = leaf.locator(":scope > title").text_content()
    assert leaf_title.split("\n")[0].startswith(HOSTILE), leaf_title
    assert leaf_title.split("\n")[1] == "value: [0., 1.]"
    leaf.hover()
    assert view.locator("img, a, script, foreignObject, iframe").count() == 0
    assert page.locator("img[onerror], img[src='x']").count() == 0
    assert page.evaluate("() => typeof window.__x") == "undefined"
    # Clicking a node shows its value in the details.
    out_id = _ids(after.locator("g.node.symlab-kind-apply"))[0]
    after.locator(f"g.node[data-node-id='{out_id}']").click()
    details = view.locator(".symlab-node-details")
    details.wait_for()
    assert details.locator("dd.symlab-detail-call-value").inner_text() == values[str(out_id)]
    leaf.click()
    _wait_until("the leaf's details", lambda: details.get_attribute("data-node-id")
                == leaf.get_attribute("data-node-id"))
    assert details.locator("dd.symlab-detail-name").inner_text() == HOSTILE
    assert details.locator("dd.symlab-detail-call-value").inner_text() == "[0., 1.]"
    assert page.evaluate("() => typeof window.__x") == "undefined"
    shoot(nb.cell(C_VALUES), "debug-values")


def test_no_error_output_anywhere(debug_page, shoot):
    nb = debug_page
    page = nb.page
    shoot(page, "debug-notebook-page")
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert "Traceback" not in str(page.locator(f"{PANEL} .jp-OutputArea").all_inner_texts())
    shown = [t for t in page.locator(".symlab-graph-error").all_inner_texts() if t.strip()]
    assert shown == []
    assert nb.page_errors == []
    if nb.console_errors:
        print("\n[browser] console errors (not asserted):", *nb.console_errors, sep="\n  ")
