"""symlab's notebook widgets in a real JupyterLab, driven by a real headless Chromium.

One notebook, run once (``widgets_page``), holds the graph view of
``log(1 + exp(x))``, the shared-variable inspector, the RNG stepper and a
graph of hostile variable names; two more cells are appended and run by the
tests (a call updating the shared variable, a 500-node graph). Every
assertion reads the page: the SVG labels Graphviz drew, the classes and data
attributes of extension/README.md's contract, the numbers shown. The
document the highlights are checked against is printed by the notebook's own
kernel (ids are per process). Screenshots go to a temporary folder (see
``screenshot_dir``); run with ``-s`` to see their paths and the render time.
"""

import json
import re
import time

import pytest
from page import (
    PANEL,
    check_names_stay_text,
    labels as _labels,
    node_ids as _ids,
    wait_step as _wait_step,
    wait_until as _wait_until)


pytestmark = pytest.mark.browser

HOSTILE = ['<img src=x onerror="window.__x=1">', 'a"]; b [URL="javascript:alert(1)"', '\\"']

SETUP = """\
%load_ext symlab
import json
import numpy as np
import symlab.printing
import symlab.tensor as T
from symlab import function, shared
from symlab.tensor.shared_randomstreams import RandomStreams"""

SOFTPLUS = """\
x = T.dvector('x')
f = function([x], T.log(1 + T.exp(x)))
print('EVENTS=' + json.dumps(symlab.printing.to_json(f)['events']))"""

SHARED = """\
w = shared(np.zeros(3), name='w')
g = function([x], [], updates=[(w, w + x)])"""

RNG = """\
srng = RandomStreams(234)
rv = srng.uniform((3,))"""

ESCAPE = (f"a = T.dvector({HOSTILE[0]!r})\n"
          f"b = T.dvector({HOSTILE[1]!r})\n"
          f"c = T.dvector({HOSTILE[2]!r})\n"
          "hostile = function([a, b, c], a * b + c, name='hostile')")

CELLS = [SETUP, SOFTPLUS, "%symlab_graph f", SHARED, "%symlab_shared g", RNG, "%symlab_rng rv",
         ESCAPE, "%symlab_graph hostile"]
(C_SETUP, C_EVENTS, C_GRAPH, C_SHARED_DEF, C_SHARED, C_RNG_DEF, C_RNG, C_ESCAPE_DEF,
 C_ESCAPE) = range(len(CELLS))

#: A chain of 499 elementwise ops on x: 500 nodes, kept as written (no rewrites).
BIG = """\
big = x
for i in range(499):
    big = T.sin(big) if i % 2 else T.cos(big)
big_f = function([x], big, mode='NO_REWRITES', name='big')
%symlab_graph big_f"""


@pytest.fixture(scope="module")
def widgets_page(new_notebook_page):
    nb = new_notebook_page("widgets.ipynb", CELLS)
    t0 = time.monotonic()
    nb.run_all()
    for cell in (C_GRAPH, C_ESCAPE):
        for side in ("before", "after"):
            nb.cell(cell).locator(f".symlab-graph-{side} svg.symlab-graph-svg").wait_for()
    nb.cell(C_SHARED).locator("tr.symlab-shared-row").first.wait_for()
    nb.cell(C_RNG).locator(".symlab-rng-stepper").wait_for()
    print(f"\n[browser] notebook run, all widgets drawn: {time.monotonic() - t0:.1f} s")
    return nb


def _events(nb):
    """The trace's events, as the kernel's own ``to_json(f)`` printed them."""
    text = "\n".join(nb.output_text(C_EVENTS))
    match = re.search(r"^EVENTS=(.*)$", text, re.M)
    assert match, f"no EVENTS= line in the cell's output: {text!r}"
    return json.loads(match.group(1))


def _wait_text(locator, text):
    _wait_until(f"{locator} to show {text!r}", lambda: locator.inner_text().strip() == text)


def test_graph_before_after_and_stepping(widgets_page, shoot):
    nb = widgets_page
    view = nb.cell(C_GRAPH).locator(".symlab-graph-view")
    before, after = view.locator(".symlab-graph-before"), view.locator(".symlab-graph-after")
    events = _events(nb)
    assert [e["rewrite"] for e in events], "log(1 + exp(x)) gives no rewrite"
    shoot(nb.cell(C_GRAPH), "graph-softplus-initial")

    # Step 0: the whole trace, before (step 0) beside after (step n).
    slider = view.locator(".symlab-step-slider")
    assert slider.get_attribute("max") == str(len(events))
    while not view.locator(".symlab-step-prev").is_disabled():
        view.locator(".symlab-step-prev").click()
    _wait_step(view, 0)
    assert before.get_attribute("data-step") == "0"
    assert after.get_attribute("data-step") == str(len(events))
    before_labels, after_labels = set(_labels(before)), set(_labels(after))
    assert {"log", "exp", "add"} <= before_labels, before_labels
    assert "softplus" in after_labels and "log" not in after_labels, after_labels
    assert view.locator(".symlab-step-label").inner_text().strip() == f"step 0 / {len(events)}"
    assert view.locator(".symlab-node-removed, .symlab-node-added").count() == 0
    shoot(nb.cell(C_GRAPH), "graph-softplus-step0")

    # Each event in turn, with the next button.
    for k, event in enumerate(events, start=1):
        view.locator(".symlab-step-next").click()
        _wait_step(view, k)
        assert before.get_attribute("data-step") == str(k - 1)
        assert after.get_attribute("data-step") == str(k)
        assert view.locator(".symlab-step-label").inner_text().strip() == \
            f"step {k} / {len(events)}"
        assert view.locator(".symlab-event-pass").inner_text().strip() == event["pass"]
        assert view.locator(".symlab-event-rewrite").inner_text().strip() == event["rewrite"]
        assert _ids(before, "symlab-node-removed") == set(event["removed"]), (k, event)
        assert _ids(after, "symlab-node-added") == set(event["added"]), (k, event)
        assert _ids(after, "symlab-node-removed") == set()
        assert _ids(before, "symlab-node-added") == set()
        shoot(nb.cell(C_GRAPH), f"graph-softplus-step{k}")
    assert view.locator(".symlab-step-next").is_disabled()

    # The slider too: back to step 1.
    slider.fill("1")
    _wait_step(view, 1)
    assert _ids(before, "symlab-node-removed") == set(events[0]["removed"])
    assert _ids(after, "symlab-node-added") == set(events[0]["added"])


def test_graph_keyboard_stepping(widgets_page):
    """Arrow keys, Home and End step the view once it has focus, and never reach the
    notebook's own shortcuts (JUPYTER-RECIPE.md section 8)."""
    nb = widgets_page
    view = nb.cell(C_GRAPH).locator(".symlab-graph-view")
    n = len(_events(nb))
    active = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
    view.locator(".symlab-graph-title").click()
    assert view.evaluate("el => el === document.activeElement || el.contains(document.activeElement)")
    cell_before = nb.page.evaluate(active)
    cells_before = nb.cell_count()
    for key, step in (("Home", 0), ("ArrowRight", 1), ("End", n), ("ArrowLeft", n - 1),
                      ("ArrowLeft", n - 2), ("ArrowLeft", max(n - 3, 0))):
        nb.page.keyboard.press(key)
        _wait_step(view, step)
    assert nb.page.evaluate(active) == cell_before
    assert nb.cell_count() == cells_before


def test_shared_inspector_refreshes_after_a_call(widgets_page, shoot):
    nb = widgets_page
    cell = nb.cell(C_SHARED)
    row = cell.locator("tr.symlab-shared-row[data-name='w']")
    row.wait_for()
    assert row.locator("td.symlab-shared-name").inner_text().strip() == "w"
    assert row.locator("td.symlab-shared-dtype").inner_text().strip() == "float64"
    assert [row.locator(f"td.symlab-shared-{k}").inner_text().strip()
            for k in ("min", "mean", "max")] == ["0", "0", "0"]
    # g has no name: the updater is listed, as "(unnamed)".
    assert row.locator("td.symlab-shared-updaters").inner_text().strip()
    shoot(cell, "shared-before-call")
    # Mark the view's node: the refresh must reach this very node, not a new display.
    row.evaluate("el => { el.closest('.symlab-shared-inspector').__symlabMark = 1; }")
    outputs_before = cell.locator(".jp-OutputArea-output").count()

    nb.run_new_cell("g([1, 2, 3])")
    _wait_text(row.locator("td.symlab-shared-max"), "3")
    assert [row.locator(f"td.symlab-shared-{k}").inner_text().strip()
            for k in ("min", "mean", "max")] == ["1", "2", "3"]
    value = row.locator("td.symlab-shared-value")
    shown = (value.locator("input.symlab-shared-edit").input_value()
             if value.locator("input.symlab-shared-edit").count() else value.inner_text())
    assert re.sub(r"\s", "", shown) == "[1.0,2.0,3.0]", shown
    assert cell.locator(".jp-OutputArea-output").count() == outputs_before
    assert cell.locator(".symlab-shared-inspector").evaluate("el => el.__symlabMark") == 1
    shoot(cell, "shared-after-call")


def test_shared_inspector_edit(widgets_page, shoot):
    """Typing into the value field edits the variable; a wrong shape shows an error and
    keeps the value; the next good edit clears the error."""
    nb = widgets_page
    cell = nb.cell(C_SHARED)
    row = cell.locator("tr.symlab-shared-row[data-name='w']")
    field = row.locator("td.symlab-shared-value input.symlab-shared-edit")
    error = cell.locator(".symlab-shared-error")
    cells_before = nb.cell_count()

    def edit(text):
        field.click()
        field.press("Control+a")
        nb.page.keyboard.type(text)  # digits and letters: no notebook shortcut may fire
        field.press("Enter")

    def summary():
        return [row.locator(f"td.symlab-shared-{k}").inner_text().strip()
                for k in ("min", "mean", "max")]

    edit("[4, 5, 6]")
    _wait_text(row.locator("td.symlab-shared-max"), "6")
    assert summary() == ["4", "5", "6"]
    assert not error.is_visible()

    edit("[1, 2]")
    error.wait_for(state="visible")
    message = error.inner_text()
    assert "shape" in message.lower(), message
    assert summary() == ["4", "5", "6"]
    shoot(cell, "shared-edit-error")

    edit("[7, 8, 9]")
    _wait_text(row.locator("td.symlab-shared-max"), "9")
    error.wait_for(state="hidden")
    assert summary() == ["7", "8", "9"]
    assert nb.cell_count() == cells_before


def _rng_values(stepper):
    return stepper.locator(".symlab-rng-value").all_text_contents()


def _wait_position(stepper, position):
    _wait_until(f"position {position}",
                lambda: stepper.get_attribute("data-position") == str(position))


def test_rng_stepper_draw_back_forward(widgets_page, shoot):
    nb = widgets_page
    stepper = nb.cell(C_RNG).locator(".symlab-rng-stepper")
    start = int(stepper.get_attribute("data-position"))
    shoot(nb.cell(C_RNG), "rng-initial")

    stepper.locator(".symlab-rng-draw").click()
    _wait_position(stepper, start + 1)
    first = _rng_values(stepper)
    assert len(first) == 3, first
    stepper.locator(".symlab-rng-draw").click()
    _wait_position(stepper, start + 2)
    second = _rng_values(stepper)
    assert len(second) == 3 and second != first, (first, second)
    assert all(0 <= float(v) < 1 for v in first + second), (first, second)
    shoot(nb.cell(C_RNG), "rng-second-draw")

    stepper.locator(".symlab-rng-back").click()
    _wait_position(stepper, start + 1)
    assert _rng_values(stepper) == first
    stepper.locator(".symlab-rng-forward").click()
    _wait_position(stepper, start + 2)
    assert _rng_values(stepper) == second
    assert stepper.locator(".symlab-rng-forward").is_disabled()
    assert stepper.get_attribute("data-draws") == str(start + 2)


@pytest.fixture(scope="module")
def big_graph(widgets_page):
    """The 500-node chain, in a cell appended and run the way a user runs a new cell."""
    nb = widgets_page
    t0 = time.monotonic()
    index = nb.run_new_cell(BIG)
    t_kernel = time.monotonic() - t0
    view = nb.cell(index).locator(".symlab-graph-view")
    for side in ("before", "after"):
        view.locator(f".symlab-graph-{side} svg.symlab-graph-svg").wait_for(timeout=120_000)
    return index, view, t_kernel, time.monotonic() - t0


def test_500_node_graph_renders(widgets_page, big_graph, shoot):
    nb = widgets_page
    index, view, t_kernel, t_drawn = big_graph
    counts = [view.locator(f".symlab-graph-{side}").get_attribute("data-node-count")
              for side in ("before", "after")]
    drawn = view.locator(".symlab-graph-after svg.symlab-graph-svg g.node[data-node-id]").count()
    print(f"\n[browser] 500-node graph: node counts {counts}, {drawn} boxes drawn in the after "
          f"panel; cell run (kernel) {t_kernel:.2f} s, both panels drawn {t_drawn:.2f} s after "
          f"the run started")
    assert counts == ["500", "500"]
    assert drawn == 500
    assert view.locator(".symlab-graph-error, .symlab-graph-summary").filter(
        visible=True).count() == 0
    shoot(nb.cell(index), "graph-500-nodes")
    # All of it, zoomed out by the reset button.
    view.locator(".symlab-zoom-reset").click()
    shoot(nb.cell(index), "graph-500-nodes-reset")


def _readable_boxes(panel):
    """How many node boxes are drawn inside the panel's SVG at least 10 px high."""
    return panel.locator("svg.symlab-graph-svg").evaluate(
        """svg => { const r = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('g.node')].filter(n => {
                const b = n.getBoundingClientRect();
                return b.height >= 10 && b.top >= r.top && b.bottom <= r.bottom
                    && b.left >= r.left && b.right <= r.right; }).length; }""")


def test_500_node_graph_starts_readable(widgets_page, big_graph):
    # A new display of the graph (an earlier test zoomed the first one out).
    new = widgets_page.run_new_cell("%symlab_graph big_f")
    fresh = widgets_page.cell(new).locator(".symlab-graph-view")
    for side in ("before", "after"):
        panel = fresh.locator(f".symlab-graph-{side}")
        panel.locator("svg.symlab-graph-svg").wait_for()
        assert _readable_boxes(panel) >= 3, (side, panel.locator("svg").get_attribute("viewBox"))


def test_hostile_names_stay_text(widgets_page, shoot):
    nb = widgets_page
    view = nb.cell(C_ESCAPE).locator(".symlab-graph-view")
    page = nb.page
    check_names_stay_text(page, view, HOSTILE)
    shoot(nb.cell(C_ESCAPE), "graph-hostile-names")


def test_no_error_output_anywhere(widgets_page, shoot):
    nb = widgets_page
    page = nb.page
    shoot(page, "notebook-page")
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert "Traceback" not in page.locator(f"{PANEL} .jp-OutputArea").all_inner_texts().__str__()
    shown = [t for t in page.locator(
        ".symlab-graph-error, .symlab-shared-error, .symlab-rng-error").all_inner_texts()
        if t.strip()]
    assert shown == []
    assert nb.page_errors == []
    if nb.console_errors:
        print("\n[browser] console errors (not asserted):", *nb.console_errors, sep="\n  ")
