"""symlab graph outputs saved in a notebook, drawn by the MIME renderer with no kernel.

The test process makes the outputs with the real ``symlab.printing``
mimebundle (``log(1 + exp(x))``, a function whose names are markup) and by
hand (a payload missing a field, a version-99 payload, a graph of more than
2,000 nodes), writes them into a notebook file with no ``kernelspec``, and
opens it in JupyterLab choosing "No Kernel": nothing ever runs. Every
assertion reads the page: the SVG labels Graphviz drew, the classes and data
attributes of extension/README.md's contract, the computed colours. The ids
the highlights are checked against are the payload's own (the same process
made both). Screenshots go to ``screenshot_dir``; run with ``-s`` to see
their paths.
"""

import json

import pytest
from page import (
    PANEL,
    check_names_stay_text,
    api as _api,
    labels as _labels,
    node_ids as _ids,
    wait_step as _wait_step,
    wait_until as _wait_until)

import symlab.tensor as T
from symlab import function
from symlab.printing.display import mimebundle
from symlab.printing.json_graph import MIME_TYPE

pytestmark = pytest.mark.browser

NAME = "saved_graphs.ipynb"
HOSTILE = ['<img src=x onerror="window.__x=1">', 'a"]; b [URL="javascript:alert(1)"', '\\"']
HOSTILE_FUNCTION = '<b id="symlab-boom">hostile</b>'
#: Nodes of the hand-made large graph: over the 2,000 the renderer draws.
BIG = 2101
DARK, LIGHT = "JupyterLab Dark", "JupyterLab Light"


def _softplus_bundle():
    x = T.dvector("x")
    return mimebundle(function([x], T.log(1 + T.exp(x))))


def _hostile_bundle():
    a, b, c = (T.dvector(name) for name in HOSTILE)
    return mimebundle(function([a, b, c], a * b + c, name=HOSTILE_FUNCTION))


def _big_document(n=BIG):
    """A compiled-function document (no rewrites) of a chain of ``n`` nodes."""
    typ = "TensorType(float64, (?,))"
    nodes = {"1": {"id": 1, "kind": "input", "op": None, "label": "x", "type": typ,
                   "dtype": "float64", "shape": [None], "value": None}}
    for i in range(2, n + 1):
        nodes[str(i)] = {"id": i, "kind": "apply", "op": "sin" if i % 2 else "cos",
                         "label": None, "type": typ, "dtype": "float64", "shape": [None],
                         "value": None}
    graph = {"inputs": [1], "nodes": list(range(1, n + 1)),
             "edges": [[i - 1, i, 0, 0] for i in range(2, n + 1)], "outputs": [[n, 0]]}
    return {"version": 2, "name": "big", "nodes": nodes, "before": graph, "after": graph,
            "events": [], "updates": []}


def _payloads():
    softplus = _softplus_bundle()
    doc = softplus[MIME_TYPE]
    malformed = {"version": 2, "name": "broken", "nodes": doc["nodes"], "after": None}
    return {
        "softplus": softplus,
        "hostile": _hostile_bundle(),
        "malformed": {MIME_TYPE: malformed, "text/plain": "a symlab graph with no before"},
        "v99": {MIME_TYPE: {**doc, "version": 99}, "text/plain": "a symlab graph, version 99"},
        "big": {MIME_TYPE: _big_document(), "text/plain": f"a symlab graph of {BIG} nodes"},
    }


#: Cell order in the notebook, and what each cell's saved output holds.
CELLS = ["softplus", "hostile", "malformed", "v99", "big"]
SOURCES = {
    "softplus": "x = T.dvector('x')\nfunction([x], T.log(1 + T.exp(x)))",
    "hostile": "hostile  # a function whose names are markup",
    "malformed": "# a payload missing its 'before' graph",
    "v99": "# a payload of format version 99",
    "big": f"# a graph of {BIG} nodes",
}
MESSAGES = {
    "malformed": 'symlab: cannot show this graph: the graph document has no "before" '
                 "(a required field is missing)",
    "v99": "symlab: cannot show this graph: unsupported graph format version 99 "
           "(this front end reads versions 1, 2 and 3)",
}


def _notebook(payloads):
    """A notebook whose cells hold saved outputs and whose metadata names no kernel.

    Neither ``kernelspec`` nor ``language_info``: with only
    ``language_info: {"name": "python"}``, JupyterLab 4.6 starts a Python
    kernel without asking (seen here), so the dialog would never come.
    """
    cells = []
    for i, key in enumerate(CELLS):
        cells.append({"cell_type": "code", "execution_count": i + 1, "id": f"cell-{key}",
                      "metadata": {}, "source": SOURCES[key],
                      "outputs": [{"output_type": "execute_result", "execution_count": i + 1,
                                   "metadata": {}, "data": payloads[key]}]})
    return {"cells": cells, "metadata": {},
            "nbformat": 4, "nbformat_minor": 5}


class SavedPage:
    """The notebook open with no kernel: ``page``, ``payloads``, ``kernels_before``."""

    def __init__(self, page, payloads, kernels_before):
        self.page, self.payloads, self.kernels_before = page, payloads, kernels_before
        self.page_errors = []
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def output(self, key):
        """The renderer's output node in the cell of ``key``."""
        cell = self.page.locator(f"{PANEL} .jp-CodeCell").nth(CELLS.index(key))
        return cell.locator(".jp-OutputArea-output.symlab-graph-output")

    def view(self, key):
        return self.output(key).locator(".symlab-graph-view")

    def doc(self, key):
        return self.payloads[key][MIME_TYPE]


@pytest.fixture(scope="module")
def saved(lab, browser):
    payloads = _payloads()
    (lab.root / NAME).write_text(json.dumps(_notebook(payloads), indent=1))
    kernels_before = {k["id"] for k in _api(lab, "/api/kernels")}
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    context.set_default_timeout(60_000)
    page = context.new_page()
    nb = SavedPage(page, payloads, kernels_before)
    try:
        page.goto(lab.url(f"/lab/tree/{NAME}?reset"))
        page.wait_for_function("() => window.jupyterapp !== undefined")
        page.evaluate("() => window.jupyterapp.restored.then(() => true)")
        # The notebook names no kernel: JupyterLab asks; the answer is "No Kernel".
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for()
        assert "Select Kernel" in dialog.inner_text()
        dialog.locator("button.jp-Dialog-button", has_text="No Kernel").click()
        dialog.wait_for(state="detached")
        for key in ("softplus", "hostile"):
            for side in ("before", "after"):
                nb.view(key).locator(f".symlab-graph-{side} svg.symlab-graph-svg").wait_for()
        yield nb
    finally:
        context.close()


def _no_kernel(lab, nb):
    """No kernel was started for the notebook (kernels of other tests' notebooks may run)."""
    kernels = {k["id"] for k in _api(lab, "/api/kernels")}
    assert kernels <= nb.kernels_before, f"kernels started: {kernels - nb.kernels_before}"
    if not nb.kernels_before:
        assert kernels == set()
    sessions = [s for s in _api(lab, "/api/sessions") if s["path"].endswith(NAME)]
    assert sessions == [], sessions
    assert nb.page.evaluate(
        """name => { const w = window.jupyterapp.shell.currentWidget;
            return w.context.path === name && w.sessionContext.hasNoKernel
                && w.sessionContext.session === null; }""", NAME)


def test_opened_with_no_kernel(lab, saved, shoot):
    _no_kernel(lab, saved)
    status = saved.page.locator(f"{PANEL} .jp-Toolbar .jp-KernelName").inner_text()
    assert status.strip() == "No Kernel", status
    # Each saved output is drawn by the renderer, not shown as its text/plain.
    for key in CELLS:
        assert saved.output(key).count() == 1, key
        assert saved.output(key).get_attribute("data-mime-type") == MIME_TYPE
    plain = saved.page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='text/plain']")
    assert plain.count() == 0, plain.all_inner_texts()
    shoot(saved.page, "mime-notebook-no-kernel")


def test_softplus_before_and_after(saved, shoot):
    view = saved.view("softplus")
    doc = saved.doc("softplus")
    n = len(doc["events"])
    assert n > 0
    before, after = view.locator(".symlab-graph-before"), view.locator(".symlab-graph-after")
    assert view.get_attribute("data-step") == "0"
    assert before.get_attribute("data-step") == "0"
    assert after.get_attribute("data-step") == str(n)
    before_labels, after_labels = set(_labels(before)), set(_labels(after))
    assert {"log", "exp", "add", "x"} <= before_labels, before_labels
    assert "softplus" in after_labels and "log" not in after_labels, after_labels
    assert view.locator(".symlab-step-slider").get_attribute("max") == str(n)
    assert view.locator(".symlab-step-label").inner_text().strip() == f"step 0 / {n}"
    assert view.locator(".symlab-event-rewrite").inner_text().strip() == "whole trace"
    assert view.locator(".symlab-node-removed, .symlab-node-added").count() == 0
    assert view.locator(".symlab-graph-error").is_hidden()
    shoot(saved.output("softplus"), "mime-softplus-step0")


def test_slider_steps_through_the_trace(saved, shoot):
    view = saved.view("softplus")
    events = saved.doc("softplus")["events"]
    n = len(events)
    before, after = view.locator(".symlab-graph-before"), view.locator(".symlab-graph-after")
    slider = view.locator(".symlab-step-slider")
    for k, event in enumerate(events, start=1):
        slider.fill(str(k))
        _wait_step(view, k)
        assert before.get_attribute("data-step") == str(k - 1)
        _wait_until(f"after panel at step {k}", lambda: after.get_attribute("data-step") == str(k))
        assert view.locator(".symlab-step-label").inner_text().strip() == f"step {k} / {n}"
        assert view.locator(".symlab-event-pass").inner_text().strip() == event["pass"]
        assert view.locator(".symlab-event-rewrite").inner_text().strip() == event["rewrite"]
        _wait_until(f"highlights of event {k}",
                    lambda: _ids(before, "symlab-node-removed") == set(event["removed"])
                    and _ids(after, "symlab-node-added") == set(event["added"]))
        assert _ids(after, "symlab-node-removed") == set()
        assert _ids(before, "symlab-node-added") == set()
        shoot(saved.output("softplus"), f"mime-softplus-step{k}")
    assert view.locator(".symlab-step-next").is_disabled()
    # The buttons step too, and the last event's graph has softplus and no log.
    view.locator(".symlab-step-prev").click()
    _wait_step(view, n - 1)
    view.locator(".symlab-step-next").click()
    _wait_step(view, n)
    _wait_until("the last step drawn", lambda: after.get_attribute("data-step") == str(n))
    labels = set(_labels(after))
    assert "softplus" in labels and "log" not in labels, labels
    slider.fill("0")
    _wait_step(view, 0)


def test_node_details_on_click(saved, shoot):
    view = saved.view("softplus")
    doc = saved.doc("softplus")
    details = view.locator(".symlab-node-details")
    assert details.is_hidden()
    node = view.locator(".symlab-graph-after g.node.symlab-kind-apply").filter(has_text="softplus")
    node.first.click()
    details.wait_for()
    node_id = details.get_attribute("data-node-id")
    entry = doc["nodes"][node_id]
    assert details.locator("dd.symlab-detail-op").inner_text() == "softplus" == entry["op"]
    assert details.locator("dd.symlab-detail-kind").inner_text() == "apply"
    assert details.locator("dd.symlab-detail-type").inner_text() == entry["type"]
    assert details.locator("dd.symlab-detail-static-shape").inner_text() == "(?,)"
    assert view.locator(f"g.node.symlab-node-selected[data-node-id='{node_id}']").count() >= 1
    # An input: its name.
    view.locator(".symlab-graph-before g.node.symlab-kind-input").first.click()
    _wait_until("the input's details", lambda: details.locator("dd.symlab-detail-name").count()
                and details.locator("dd.symlab-detail-name").inner_text() == "x")
    shoot(saved.output("softplus"), "mime-softplus-details")
    details.locator(".symlab-node-details-close").click()
    details.wait_for(state="hidden")


def _view_box(panel):
    return [float(v) for v in panel.locator("svg.symlab-graph-svg").get_attribute(
        "viewBox").split()]


def test_zoom_and_pan(saved):
    view = saved.view("softplus")
    panel = view.locator(".symlab-graph-before")
    # The small graph fits: the first view holds all of it, at 1 px a point or more.
    assert panel.get_attribute("data-start") == "fit"
    assert float(panel.get_attribute("data-scale")) >= 1
    home = _view_box(panel)
    view.locator(".symlab-zoom-in").click()
    zoomed = _view_box(panel)
    assert zoomed[2] < home[2] and zoomed[3] < home[3], (home, zoomed)
    # Drag on the canvas (not on a node): the view pans by the drag.
    box = panel.locator(".symlab-graph-canvas").bounding_box()
    page = saved.page
    page.mouse.move(box["x"] + 8, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + 48, box["y"] + 38, steps=5)
    page.mouse.up()
    panned = _view_box(panel)
    assert panned[0] < zoomed[0] and panned[1] < zoomed[1], (zoomed, panned)
    assert panned[2:] == zoomed[2:]
    # The wheel zooms out around the pointer; the reset button shows the whole graph.
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 300)
    _wait_until("wheel zoom", lambda: _view_box(panel)[2] > panned[2])
    view.locator(".symlab-zoom-reset").click()
    whole = _view_box(panel)
    assert home[0] <= whole[0] and home[1] <= whole[1], (home, whole)
    assert whole[0] + whole[2] <= home[0] + home[2] + 0.01, (home, whole)
    assert whole[1] + whole[3] <= home[1] + home[3] + 0.01, (home, whole)
    # Dragging did not select a node.
    assert view.locator(".symlab-node-details").is_hidden()


def test_bad_payloads_show_their_message(saved, shoot):
    for key, message in MESSAGES.items():
        view = saved.view(key)
        error = view.locator(".symlab-graph-error")
        error.wait_for()
        assert error.inner_text().strip() == message
        assert view.locator(".symlab-graph-panels").is_hidden()
        assert view.locator("svg").count() == 0
        shoot(saved.output(key), f"mime-{key}")
    # Over 2,000 nodes: the counts and a collapsed list of ops, in both panels.
    view = saved.view("big")
    assert view.locator(".symlab-graph-error").is_hidden()
    for side in ("before", "after"):
        panel = view.locator(f".symlab-graph-{side}")
        counts = panel.locator(".symlab-graph-summary-counts")
        counts.wait_for()
        assert counts.inner_text().strip() == (
            f"{BIG} nodes, {BIG - 1} edges: too many to draw (the limit is 2,000 nodes)")
        assert panel.get_attribute("data-node-count") == str(BIG)
        assert panel.locator("details").evaluate("d => d.open") is False
        assert panel.locator("svg").count() == 0
    items = view.locator(".symlab-graph-before details li").all_text_contents()
    assert items == ["cos: 1050", "sin: 1050", "(input): 1"], items
    shoot(saved.output("big"), "mime-big")


def test_hostile_names_stay_text(saved, shoot):
    page = saved.page
    view = saved.view("hostile")
    assert page.locator("#symlab-boom").count() == 0
    assert view.locator(".symlab-graph-title").inner_text().startswith(HOSTILE_FUNCTION + ":")
    check_names_stay_text(page, view, HOSTILE,
                          forbidden="img, a, script, foreignObject, iframe, b")
    shoot(saved.output("hostile"), "mime-hostile")


#: Colours that follow the theme: the view's text, a panel's background, an
#: apply node's fill and stroke, a label's fill, an edge's stroke.
COLOURS = """view => {
    const css = e => getComputedStyle(e);
    const box = view.querySelector('.symlab-graph-before g.node.symlab-kind-apply > path, '
                                   + '.symlab-graph-before g.node.symlab-kind-apply > polygon');
    const edge = view.querySelector('.symlab-graph-before g.edge path');
    return {
        text: css(view).color,
        panel: css(view.querySelector('.symlab-graph-panel')).backgroundColor,
        fill: css(box).fill,
        stroke: css(box).stroke,
        label: css(view.querySelector('.symlab-graph-before g.node text')).fill,
        edge: css(edge).stroke,
    }; }"""


def _set_theme(page, theme):
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})",
                  theme)
    page.wait_for_function(
        "t => document.body.dataset.jpThemeName === t", arg=theme, timeout=60_000)
    # JupyterLab shows its splash screen while it swaps the theme's CSS.
    page.locator("#jupyterlab-splash").wait_for(state="detached")


def test_dark_theme_changes_the_colours(saved, shoot):
    page = saved.page
    view = saved.view("softplus")
    assert page.evaluate("() => document.body.dataset.jpThemeLight") == "true"
    light = view.evaluate(COLOURS)
    try:
        _set_theme(page, DARK)
        _wait_until("the dark theme's colours", lambda: view.evaluate(COLOURS)["text"]
                    != light["text"])
        dark = view.evaluate(COLOURS)
        error = saved.view("malformed").locator(".symlab-graph-error")
        dark_error = error.evaluate("e => [getComputedStyle(e).color, "
                                    "getComputedStyle(e).backgroundColor]")
        shoot(saved.output("softplus"), "mime-softplus-dark")
        view.locator(".symlab-step-slider").fill("1")
        _wait_step(view, 1)
        _wait_until("the highlights of event 1",
                    lambda: view.locator(".symlab-node-added").count() > 0)
        shoot(saved.output("softplus"), "mime-softplus-step1-dark")
        view.locator(".symlab-step-slider").fill("0")
        _wait_step(view, 0)
        shoot(saved.output("hostile"), "mime-hostile-dark")
        shoot(saved.output("malformed"), "mime-malformed-dark")
    finally:
        _set_theme(page, LIGHT)
    for key in light:
        assert dark[key] != light[key], (key, light[key], dark[key])
    # Dark labels on light boxes in the light theme, light labels on dark boxes in the dark one.
    assert _luminance(light["label"]) < 0.3 < 0.7 < _luminance(light["fill"]), light
    assert _luminance(dark["fill"]) < 0.3 < 0.7 < _luminance(dark["label"]), dark
    # The message of a bad payload stays readable: light text on a dark tint.
    assert _luminance(dark_error[1]) < 0.3 < 0.7 < _luminance(dark_error[0]), dark_error
    _wait_until("the light theme back", lambda: view.evaluate(COLOURS) == light)


def _luminance(colour):
    """The relative luminance (0 black, 1 white) of a computed colour: ``rgb(...)``,
    ``rgba(...)`` or ``color(srgb ...)`` (what ``color-mix`` computes to)."""
    text = colour.strip()
    if text.startswith("color(srgb"):
        r, g, b = (float(v) for v in text[len("color(srgb"):].strip(" )").split()[:3])
    elif text.startswith("rgb"):
        r, g, b = (float(v) / 255 for v in text[text.index("(") + 1:-1].split(",")[:3])
    else:
        raise AssertionError(f"unexpected colour {colour!r}")

    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def test_no_page_errors_and_still_no_kernel(lab, saved):
    assert saved.page_errors == []
    _no_kernel(lab, saved)
