"""Inner graphs in the graph view: a scan's step graph and an ifelse's branches, opened
in a nested view, in the widget (a running kernel) and in the MIME renderer (saved
outputs, no kernel).

The widget notebook compiles ``rnn`` (a ``symlab.scan`` of ``tanh(h * 2 + x_t)``) and
``choose`` (an ``ifelse``), prints each one's ``to_json`` document (ids are per process:
the assertions read them from the kernel's own output) and shows them with
``%symlab_graph rnn`` and ``GraphView(choose)``. The saved notebook holds the
mimebundles of the same functions made in this process, one whose names are markup,
and one whose step graph is malformed, and is opened with "No Kernel". Every
assertion reads the page: the classes and data attributes of extension/README.md's
contract, the SVG labels Graphviz drew. Screenshots go to ``screenshot_dir``; run with
``-s`` to see their paths.
"""

import json
import re

import pytest
from page import (
    PANEL,
    api as _api,
    labels as _labels,
    node_ids as _ids,
    wait_step as _wait_step,
    wait_until as _wait_until)

pytestmark = pytest.mark.browser

SEP = " \u203a "
#: The outer view (not a nested one) and its own graph (not a nested view's).
OUTER = ".symlab-graph-view:not(.symlab-inner-view)"
MAIN = f"{OUTER} > .symlab-graph-main"
HOSTILE = '<img src=x onerror="window.__x=1">'
HOSTILE_FUNCTION = '<b id="symlab-boom">rnn</b>'

SETUP = """\
%load_ext symlab
import json
import symlab
import symlab.printing
import symlab.tensor as T
from symlab import function
from symlab.ifelse import ifelse
from symlab.notebook import GraphView"""

SCAN = """\
x = T.dmatrix('x')
h0 = T.dvector('h0')
hs, _ = symlab.scan(lambda x_t, h: T.tanh(h * 2 + x_t), sequences=x, outputs_info=h0)
rnn = function([x, h0], hs, name='rnn')
print('DOC=' + json.dumps(symlab.printing.to_json(rnn)))"""

IFELSE = """\
a, b = T.dscalars('a', 'b')
X, Y = T.dmatrices('X', 'Y')
choose = function([a, b, X, Y], ifelse(T.lt(a, b), T.mean(X), T.mean(Y) * 2), name='choose')
print('DOC=' + json.dumps(symlab.printing.to_json(choose)))"""

CELLS = [SETUP, SCAN, "%symlab_graph rnn", IFELSE, "GraphView(choose)"]
C_SETUP, C_SCAN_DOC, C_SCAN, C_IFELSE_DOC, C_IFELSE = range(len(CELLS))


# ------------------------------------------------------------------ helpers

def _holder(doc, op, graph="after"):
    """The entry of the node of ``doc[graph]`` whose op is ``op`` and that holds graphs."""
    found = [doc["nodes"][str(i)] for i in doc[graph]["nodes"]
             if doc["nodes"][str(i)]["op"] == op and doc["nodes"][str(i)].get("inner")]
    assert len(found) == 1, found
    return found[0]


def _inner_ops(doc, graph):
    return {doc["nodes"][str(i)]["op"] or doc["nodes"][str(i)]["label"]
            for i in doc[graph]["nodes"]}


class Views:
    """The locators of one output holding a graph view (``box``: the cell or the output)."""

    def __init__(self, page, box):
        self.page, self.box = page, box
        self.outer = box.locator(OUTER)
        self.main = box.locator(MAIN)
        self.bar = self.outer.locator(":scope > .symlab-inner-bar")
        self.crumbs = self.bar.locator(".symlab-breadcrumb")

    def nested(self, depth=1):
        return self.box.locator(f".symlab-inner-view[data-depth='{depth}']")

    def open(self, node_id, role, panel="after"):
        """Click the node in the outer graph, then its details' open button for ``role``."""
        self.main.locator(f".symlab-graph-{panel} g.node[data-node-id='{node_id}']").click()
        details = self.main.locator(".symlab-node-details")
        _wait_until("the node's details", lambda: details.get_attribute("data-node-id")
                    == str(node_id))
        details.locator(f"button.symlab-open-inner[data-role='{role}']").click()
        nested = self.nested()
        nested.wait_for()
        for side in ("before", "after"):
            nested.locator(f".symlab-graph-{side} svg.symlab-graph-svg").wait_for()
        return nested

    def assert_closed(self):
        _wait_until("the nested view closed", lambda: self.box.locator(
            ".symlab-inner-view").count() == 0)
        assert self.main.is_visible()
        assert self.bar.is_hidden()
        assert self.outer.get_attribute("data-inner-depth") is None
        for side in ("before", "after"):
            assert self.main.locator(f".symlab-graph-{side} svg.symlab-graph-svg").is_visible()

    def focused(self, view):
        return view.evaluate("el => el === document.activeElement")


def _check_scan_inner(views, doc, shoot, shot, name="rnn"):
    """The scan of ``doc`` is marked, opens to its step graph, steps, and goes back."""
    page = views.page
    scan = _holder(doc, "scan")
    step = scan["inner"][0]
    inner = step["graph"]
    events = inner["events"]
    assert step["role"] == "step" and len(events) > 0
    # The mark: the scan (as built, and optimized) and no other node.
    for side, graph in (("before", "before"), ("after", "after")):
        panel = views.main.locator(f".symlab-graph-{side}")
        marked = panel.locator("g.node.symlab-node-has-inner")
        assert marked.count() == 1, side
        assert marked.get_attribute("data-inner") == "step"
        assert int(marked.get_attribute("data-node-id")) == _holder(doc, "scan", graph)["id"]
        assert marked.locator("text").all_text_contents() == ["scan"]
        # A double border: two outlines in the group.
        assert marked.locator(":scope > path, :scope > polygon").count() == 2
    shoot(views.box, f"{shot}-outer-marked")
    outer_step = views.outer.get_attribute("data-step")

    nested = views.open(scan["id"], "step")
    assert views.main.is_hidden()
    assert views.outer.get_attribute("data-inner-depth") == "1"
    assert nested.get_attribute("data-role") == "step"
    assert nested.get_attribute("data-outer-node-id") == str(scan["id"])
    assert views.crumbs.inner_text().strip() == f"{name}{SEP}scan [id {scan['id']}]{SEP}step"
    assert nested.locator(".symlab-graph-title").inner_text().startswith(
        f"step graph of scan [id {scan['id']}]: {len(events)} rewrite")
    before, after = nested.locator(".symlab-graph-before"), nested.locator(".symlab-graph-after")
    before_labels, after_labels = set(_labels(before)), set(_labels(after))
    assert {"tanh", "add", "mul"} <= before_labels, before_labels
    assert any("tanh" in label for label in after_labels), after_labels
    assert nested.locator(".symlab-step-label").inner_text().strip() == f"step 0 / {len(events)}"
    # The nested view has the focus; the arrow keys step it, not the outer graph.
    _wait_until("the nested view focused", lambda: views.focused(nested))
    shoot(views.box, f"{shot}-step-graph")

    # How the inner inputs connect to the scan: click each inner input.
    outer_inputs = {e[2]: e[0] for e in doc["after"]["edges"] if e[1] == scan["id"]}
    for i, inner_id in enumerate(inner["before"]["inputs"]):
        position = step["outer_inputs"][i]
        source = doc["nodes"][str(outer_inputs[position])]
        fed = f"fed by outer input {position}: {source['label']} [id {source['id']}]"
        io = nested.locator(f".symlab-inner-io-input[data-node-id='{inner_id}']")
        assert io.inner_text().strip().endswith(fed), io.inner_text()
        before.locator(f"g.node[data-node-id='{inner_id}']").click()
        details = nested.locator(".symlab-node-details")
        _wait_until("the inner input's details",
                    lambda: details.get_attribute("data-node-id") == str(inner_id))
        assert details.locator("dd.symlab-detail-outer-input").inner_text() == fed
        assert details.locator("dd.symlab-detail-name").inner_text() == \
            inner["nodes"][str(inner_id)]["label"]
    outputs = nested.locator(".symlab-inner-io-output").all_inner_texts()
    assert [o.split(" \u2192 ")[1] for o in outputs] == [
        f"becomes output {q} of scan [id {scan['id']}]" for q in step["outer_outputs"]]
    shoot(views.box, f"{shot}-step-graph-input")

    # Stepping inside: keys, then the slider; the outer view's step stays.
    nested.locator(".symlab-graph-title").click()
    for key, k in [("ArrowRight", 1), ("End", len(events)), ("Home", 0), ("ArrowRight", 1)]:
        page.keyboard.press(key)
        _wait_step(nested, k)
    event = events[0]
    assert nested.locator(".symlab-event-rewrite").inner_text().strip() == event["rewrite"]
    _wait_until("the inner event's highlights",
                lambda: _ids(before, "symlab-node-removed") == set(event["removed"])
                and _ids(after, "symlab-node-added") == set(event["added"]))
    assert views.outer.get_attribute("data-step") == outer_step
    shoot(views.box, f"{shot}-step-graph-event1")
    nested.locator(".symlab-step-slider").fill(str(len(events)))
    _wait_step(nested, len(events))
    assert nested.locator(".symlab-step-next").is_disabled()

    # Escape goes back: the outer graph as it was, with the focus.
    page.keyboard.press("Escape")
    views.assert_closed()
    assert views.outer.get_attribute("data-step") == outer_step
    _wait_until("the outer view focused", lambda: views.focused(views.outer))
    shoot(views.box, f"{shot}-back")

    # A double-click opens too; the breadcrumb's first part goes back.
    views.main.locator(f".symlab-graph-after g.node[data-node-id='{scan['id']}']").dblclick()
    views.nested().wait_for()
    assert views.crumbs.inner_text().strip().endswith("step")
    views.crumbs.locator(".symlab-breadcrumb-item[data-depth='0']").first.click()
    views.assert_closed()
    # Back at the outer graph, the keys step it again.
    page.keyboard.press("ArrowRight")
    _wait_step(views.outer, 1)
    page.keyboard.press("Home")
    _wait_step(views.outer, 0)
    views.main.locator(".symlab-node-details-close").click()


def _check_ifelse_inner(views, doc, shoot, shot):
    """The ifelse is marked with both branches; the else branch opens, steps, goes back."""
    node = _holder(doc, "ifelse")
    roles = [i["role"] for i in node["inner"]]
    assert roles == ["then", "else"]
    marked = views.main.locator(".symlab-graph-after g.node.symlab-node-has-inner")
    assert marked.count() == 1
    assert marked.get_attribute("data-inner") == "then else"
    marked.click()
    buttons = views.main.locator(".symlab-node-details button.symlab-open-inner")
    buttons.first.wait_for()
    assert buttons.all_inner_texts() == ["open then branch", "open else branch"]
    shoot(views.box, f"{shot}-ifelse-details")

    nested = views.open(node["id"], "else")
    branch = node["inner"][1]
    inner = branch["graph"]
    assert views.crumbs.inner_text().strip() == \
        f"{doc['name']}{SEP}ifelse [id {node['id']}]{SEP}else"
    before, after = nested.locator(".symlab-graph-before"), nested.locator(".symlab-graph-after")
    assert {"Y", "sum", "mul"} <= set(_labels(before)), _labels(before)
    assert any(label.startswith("fused{2 * ") for label in _labels(after)), _labels(after)
    # The branch's input is the else value the ifelse reads: Y.
    (y_inner,) = inner["before"]["inputs"]
    y_outer = next(e[0] for e in doc["after"]["edges"]
                   if e[1] == node["id"] and e[2] == branch["outer_inputs"][0])
    assert doc["nodes"][str(y_outer)]["label"] == "Y"
    before.locator(f"g.node[data-node-id='{y_inner}']").click()
    details = nested.locator(".symlab-node-details")
    _wait_until("Y's details", lambda: details.get_attribute("data-node-id") == str(y_inner))
    assert details.locator("dd.symlab-detail-outer-input").inner_text() == \
        f"fed by outer input {branch['outer_inputs'][0]}: Y [id {y_outer}]"
    nested.locator(".symlab-step-next").click()
    _wait_step(nested, 1)
    assert nested.locator(".symlab-event-rewrite").inner_text().strip() == \
        inner["events"][0]["rewrite"]
    shoot(views.box, f"{shot}-else-branch")
    views.bar.locator(".symlab-inner-back").click()
    views.assert_closed()
    # Then the then branch, with the other button.
    nested = views.open(node["id"], "then")
    assert {"X", "sum"} <= set(_labels(nested.locator(".symlab-graph-before")))
    views.page.keyboard.press("Escape")
    views.assert_closed()
    views.main.locator(".symlab-node-details-close").click()


def _doc_printed(nb, cell):
    text = "\n".join(nb.output_text(cell))
    match = re.search(r"^DOC=(.*)$", text, re.M)
    assert match, f"no DOC= line in the cell's output: {text[:200]!r}"
    return json.loads(match.group(1))


# ------------------------------------------------------------ the widget

@pytest.fixture(scope="module")
def widget_page(new_notebook_page):
    nb = new_notebook_page("inner_graphs.ipynb", CELLS)
    nb.run_all()
    for cell in (C_SCAN, C_IFELSE):
        for side in ("before", "after"):
            nb.cell(cell).locator(f"{MAIN} .symlab-graph-{side} svg.symlab-graph-svg").wait_for()
    return nb


def test_widget_scan_step_graph(widget_page, shoot):
    nb = widget_page
    views = Views(nb.page, nb.cell(C_SCAN))
    _check_scan_inner(views, _doc_printed(nb, C_SCAN_DOC), shoot, "widget-scan")


def test_widget_ifelse_branches(widget_page, shoot):
    nb = widget_page
    views = Views(nb.page, nb.cell(C_IFELSE))
    _check_ifelse_inner(views, _doc_printed(nb, C_IFELSE_DOC), shoot, "widget")


def test_widget_no_error_output(widget_page, shoot):
    nb = widget_page
    page = nb.page
    shoot(page, "inner-notebook-page")
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert "Traceback" not in str(page.locator(f"{PANEL} .jp-OutputArea").all_inner_texts())
    assert [t for t in page.locator(".symlab-graph-error").all_inner_texts() if t.strip()] == []
    assert nb.page_errors == []
    if nb.console_errors:
        print("\n[browser] console errors (not asserted):", *nb.console_errors, sep="\n  ")


# ------------------------------------------------- the MIME renderer, no kernel

SAVED = "saved_inner_graphs.ipynb"
SAVED_CELLS = ["rnn", "choose", "hostile", "broken"]
BROKEN = ('symlab: cannot show this graph: the graph document has no "before" '
          "(a required field is missing)")


def _saved_payloads():
    import symlab
    import symlab.tensor as T
    from symlab import function
    from symlab.ifelse import ifelse
    from symlab.printing.display import mimebundle
    from symlab.printing.json_graph import MIME_TYPE

    def rnn(seq_name, name):
        x, h0 = T.dmatrix(seq_name), T.dvector("h0")
        hs, _ = symlab.scan(lambda x_t, h: T.tanh(h * 2 + x_t), sequences=x, outputs_info=h0)
        return mimebundle(function([x, h0], hs, name=name))

    a, b = T.dscalars("a", "b")
    X, Y = T.dmatrices("X", "Y")
    choose = mimebundle(function([a, b, X, Y], ifelse(T.lt(a, b), T.mean(X), T.mean(Y) * 2),
                                 name="choose"))
    broken = rnn("x", "broken")
    doc = json.loads(json.dumps(broken[MIME_TYPE]))
    for entry in doc["nodes"].values():
        for inner in entry.get("inner", []):
            del inner["graph"]["before"]
    broken = {MIME_TYPE: doc, "text/plain": "a scan whose step graph has no before"}
    return MIME_TYPE, {"rnn": rnn("x", "rnn"), "choose": choose,
                       "hostile": rnn(HOSTILE, HOSTILE_FUNCTION), "broken": broken}


class Saved:
    def __init__(self, page, mime, payloads, kernels_before):
        self.page, self.mime, self.payloads = page, mime, payloads
        self.kernels_before = kernels_before
        self.page_errors = []
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def output(self, key):
        cell = self.page.locator(f"{PANEL} .jp-CodeCell").nth(SAVED_CELLS.index(key))
        return cell.locator(".jp-OutputArea-output.symlab-graph-output")

    def views(self, key):
        return Views(self.page, self.output(key))

    def doc(self, key):
        return self.payloads[key][self.mime]


@pytest.fixture(scope="module")
def saved(lab, browser):
    mime, payloads = _saved_payloads()
    cells = [{"cell_type": "code", "execution_count": i + 1, "id": f"cell-{key}",
              "metadata": {}, "source": f"{key}  # saved output",
              "outputs": [{"output_type": "execute_result", "execution_count": i + 1,
                           "metadata": {}, "data": payloads[key]}]}
             for i, key in enumerate(SAVED_CELLS)]
    # No kernelspec and no language_info: JupyterLab asks, and the answer is "No Kernel"
    # (see test_browser_mime.py).
    (lab.root / SAVED).write_text(json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    kernels_before = {k["id"] for k in _api(lab, "/api/kernels")}
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    context.set_default_timeout(60_000)
    page = context.new_page()
    nb = Saved(page, mime, payloads, kernels_before)
    try:
        page.goto(lab.url(f"/lab/tree/{SAVED}?reset"))
        page.wait_for_function("() => window.jupyterapp !== undefined")
        page.evaluate("() => window.jupyterapp.restored.then(() => true)")
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for()
        dialog.locator("button.jp-Dialog-button", has_text="No Kernel").click()
        dialog.wait_for(state="detached")
        for key in SAVED_CELLS:
            for side in ("before", "after"):
                nb.output(key).locator(
                    f"{MAIN} .symlab-graph-{side} svg.symlab-graph-svg").wait_for()
        yield nb
    finally:
        context.close()


def test_saved_scan_step_graph(saved, shoot):
    _check_scan_inner(saved.views("rnn"), saved.doc("rnn"), shoot, "mime-scan")


def test_saved_ifelse_branches(saved, shoot):
    _check_ifelse_inner(saved.views("choose"), saved.doc("choose"), shoot, "mime")


def test_saved_hostile_names_inside_the_step_graph(saved, shoot):
    page = saved.page
    views = saved.views("hostile")
    doc = saved.doc("hostile")
    scan = _holder(doc, "scan")
    nested = views.open(scan["id"], "step")
    labels = _labels(nested.locator(".symlab-graph-before"))
    assert f"{HOSTILE}[t]" in labels, labels
    assert views.crumbs.inner_text().strip() == \
        f"{HOSTILE_FUNCTION}{SEP}scan [id {scan['id']}]{SEP}step"
    seq = doc["before"]["inputs"][0]
    fed = f"fed by outer input 1: {HOSTILE} [id {seq}]"
    assert nested.locator(".symlab-inner-io-input").first.inner_text().strip().endswith(fed)
    nested.locator(".symlab-inner-io-input").first.click()
    details = nested.locator(".symlab-node-details")
    details.wait_for()
    assert details.locator("dd.symlab-detail-name").inner_text() == f"{HOSTILE}[t]"
    assert details.locator("dd.symlab-detail-outer-input").inner_text() == fed
    assert saved.output("hostile").locator("img, a, script, foreignObject, iframe, b").count() == 0
    assert page.locator("#symlab-boom").count() == 0
    assert page.evaluate("() => typeof window.__x") == "undefined"
    shoot(saved.output("hostile"), "mime-hostile-step-graph")
    page.keyboard.press("Escape")
    views.assert_closed()


def test_saved_malformed_step_graph_shows_its_message(saved, shoot):
    views = saved.views("broken")
    doc = saved.doc("broken")
    scan = _holder(doc, "scan")
    # The outer graph draws as ever, its scan marked.
    assert views.outer.locator(".symlab-graph-error").is_hidden()
    assert views.main.locator(".symlab-graph-after g.node.symlab-node-has-inner").count() == 1
    views.main.locator(f".symlab-graph-after g.node[data-node-id='{scan['id']}']").click()
    views.main.locator(".symlab-node-details button.symlab-open-inner").click()
    nested = views.nested()
    error = nested.locator(".symlab-graph-error")
    error.wait_for()
    assert error.inner_text().strip() == BROKEN
    # It still says which graph it is.
    assert nested.locator(".symlab-graph-title").inner_text().strip() == \
        f"step graph of scan [id {scan['id']}]"
    assert nested.locator(".symlab-graph-panels").is_hidden()
    assert nested.locator("svg").count() == 0
    assert views.crumbs.inner_text().strip() == f"broken{SEP}scan [id {scan['id']}]{SEP}step"
    shoot(saved.output("broken"), "mime-broken-step-graph")
    views.bar.locator(".symlab-inner-back").click()
    views.assert_closed()
    assert views.outer.locator(".symlab-graph-error").is_hidden()


def test_saved_no_errors_and_no_kernel(lab, saved, shoot):
    shoot(saved.page, "mime-inner-notebook-page")
    assert saved.page_errors == []
    shown = [t for t in saved.page.locator(".symlab-graph-error").all_inner_texts() if t.strip()]
    assert shown == []
    kernels = {k["id"] for k in _api(lab, "/api/kernels")}
    assert kernels <= saved.kernels_before, kernels - saved.kernels_before
    assert [s for s in _api(lab, "/api/sessions") if s["path"].endswith(SAVED)] == []
