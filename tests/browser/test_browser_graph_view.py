"""The graph view at scale, in a real JupyterLab driven by a real headless Chromium.

One notebook holds a small MLP training step (lesson 5's size) and a deep MLP
training step of about 2,000 nodes, each in a ``GraphView``. The tests read
the page: layout runs in a Web Worker (the page answers a click while a big
graph is laid out), labels are drawn at 11 px or more at first view, no node
box is cut by the panel's edge. Screenshots go to ``screenshot_dir`` (run with
``-s`` to see their paths and the measured times).
"""

import struct
import time
import xml.etree.ElementTree as ET

import pytest
from page import node_ids, wait_step, wait_until

pytestmark = pytest.mark.browser

SETUP = """\
import numpy as np
import symlab.tensor as T
from symlab import function, shared
from symlab.notebook import GraphView

def training_step(layers, width=8, name='train'):
    rng = np.random.RandomState(0)
    x, y = T.dmatrix('x'), T.dmatrix('y')
    h, params = x, []
    for i in range(layers):
        W = shared(rng.randn(width, width) * 0.1, name=f'W{i}')
        b = shared(np.zeros(width), name=f'b{i}')
        params += [W, b]
        h = T.tanh(T.dot(h, W) + b)
        h.name = f'h{i}'
    loss = T.mean((h - y) ** 2)
    loss.name = 'loss'
    grads = T.grad(loss, params)
    return function([x, y], loss, updates=[(p, p - 0.1 * g) for p, g in zip(params, grads)],
                    name=name)"""

SMALL = "small = training_step(2, name='small')\nsv = GraphView(small)\nsv"
DEEP = "deep = training_step(95, name='deep')\nGraphView(deep)"
CELLS = [SETUP, SMALL, DEEP]
C_SETUP, C_SMALL, C_DEEP = range(len(CELLS))

#: The smallest on-screen height (px) of a node label at first view.
MIN_LABEL_PX = 11


@pytest.fixture(scope="module")
def graph_page(new_notebook_page):
    nb = new_notebook_page("graph_view.ipynb", CELLS)
    t0 = time.monotonic()
    nb.run_all()
    for side in ("before", "after"):
        nb.cell(C_SMALL).locator(f".symlab-graph-{side} svg.symlab-graph-svg").wait_for()
    print(f"\n[browser] notebook run, small graph drawn: {time.monotonic() - t0:.1f} s")
    return nb


def _layout_state(panel):
    return panel.get_attribute("data-layout")


def test_layout_runs_in_a_worker_and_the_page_answers_clicks(graph_page, shoot):
    """While a big graph is laid out, a click on another cell makes it active within 200 ms."""
    nb = graph_page
    page = nb.page
    # A big ungrouped training step: its layout takes seconds.
    t0 = time.monotonic()
    index = nb.run_new_cell("hairball = training_step(12, name='hairball')\n"
                            "GraphView(hairball, groups=False)")
    panel = nb.cell(index).locator(".symlab-graph-before")
    wait_until("the before panel to start its layout",
               lambda: _layout_state(panel) in ("pending", "done"))
    assert _layout_state(panel) == "pending", "the layout finished before the click"
    # Listen in the page: when the click reaches the page, and when the cell turns active.
    page.evaluate("""() => {
        window.__clicks = [];
        document.addEventListener('pointerdown', e => window.__clicks.push(
            {kind: 'down', at: performance.now(), queued: performance.now() - e.timeStamp}),
            true);
        const nb = window.jupyterapp.shell.currentWidget.content;
        nb.activeCellChanged.connect(() => window.__clicks.push(
            {kind: 'active', at: performance.now(), index: nb.activeCellIndex}));
    }""")
    target = nb.cell(C_SETUP).locator(".jp-InputPrompt")
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_until("the cell to become active",
               lambda: any(c["kind"] == "active" for c in page.evaluate("() => window.__clicks")),
               timeout=10)
    clicks = page.evaluate("() => window.__clicks")
    down = next(c for c in clicks if c["kind"] == "down")
    active = next(c for c in clicks if c["kind"] == "active")
    still = _layout_state(panel)
    print(f"\n[browser] click during layout: queued {down['queued']:.0f} ms, cell active "
          f"{active['at'] - down['at'] + down['queued']:.0f} ms after the click; layout still "
          f"{still}")
    assert active["index"] == C_SETUP
    assert down["queued"] + (active["at"] - down["at"]) < 200, clicks
    panel.locator("svg.symlab-graph-svg").wait_for(timeout=300_000)
    print(f"[browser] hairball laid out {panel.get_attribute('data-layout-ms')} ms (worker), "
          f"shown {time.monotonic() - t0:.1f} s after the cell ran")
    shoot(nb.cell(index), "graph-hairball")


# ---------------------------------------------------------------- lesson 5's size

#: Reads, in the page, every node of one panel: its box and label rectangles on screen, and
#: the part of the panel where the drawing shows (the SVG element within the canvas).
PANEL_GEOMETRY = """panel => {
    const canvas = panel.querySelector('.symlab-graph-canvas').getBoundingClientRect();
    const svg = panel.querySelector('svg.symlab-graph-svg').getBoundingClientRect();
    const shown = {left: Math.max(canvas.left, svg.left), top: Math.max(canvas.top, svg.top),
                   right: Math.min(canvas.right, svg.right),
                   bottom: Math.min(canvas.bottom, svg.bottom)};
    const rect = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                        height: r.height});
    // A first view may hide (visibility) the boxes its edge would cut: they are not shown.
    const nodes = [...panel.querySelectorAll('svg.symlab-graph-svg g.node')]
        .filter(g => getComputedStyle(g).visibility !== 'hidden').map(g => ({
        id: g.getAttribute('data-node-id'),
        // a box's outline; an output marker (plain text) has none: its text then
        box: rect((g.querySelector(':scope > :is(path, polygon, ellipse)') || g)
                  .getBoundingClientRect()),
        texts: [...g.querySelectorAll('text')].map(t => ({
            text: t.textContent, rect: rect(t.getBoundingClientRect())}))}));
    const hidden = panel.querySelectorAll('g.node.symlab-node-offview').length;
    const tags = [...panel.querySelectorAll('svg.symlab-graph-svg text.symlab-node-tag')]
        .filter(t => getComputedStyle(t).visibility !== 'hidden')
        .map(t => ({text: t.textContent, rect: rect(t.getBoundingClientRect())}));
    return {shown, nodes, tags, hidden, scale: panel.getAttribute('data-scale'),
            start: panel.getAttribute('data-start')};
}"""


def _overlaps(r, area):
    return r["right"] > area["left"] and r["left"] < area["right"] and \
        r["bottom"] > area["top"] and r["top"] < area["bottom"]


def _inside(r, area, slack=0.75):
    return r["left"] >= area["left"] - slack and r["right"] <= area["right"] + slack and \
        r["top"] >= area["top"] - slack and r["bottom"] <= area["bottom"] + slack


def _first_views(view):
    """Wait until both panels picked their first view; the geometry of each."""
    for side in ("before", "after"):
        wait_until(f"the {side} panel's first view",
                   lambda: view.locator(f".symlab-graph-{side}").get_attribute("data-start"))
    return {side: view.locator(f".symlab-graph-{side}").evaluate(PANEL_GEOMETRY)
            for side in ("before", "after")}


def _check_readable(geometry):
    """Every visible label >= 11 px high; every box overlapping the shown area lies inside it."""
    heights = []
    for side, g in geometry.items():
        visible = [n for n in g["nodes"] if _overlaps(n["box"], g["shown"])]
        assert visible, f"{side}: no node is visible"
        for n in visible:
            assert _inside(n["box"], g["shown"]), f"{side}: box of node {n['id']} is cut: {n}"
            for t in n["texts"]:
                heights.append(t["rect"]["height"])
                assert t["rect"]["height"] >= MIN_LABEL_PX, f"{side}: label {t} below 11 px"
        # debugprint's [id X] tags beside the boxes: as readable, never cut either.
        assert g["tags"], f"{side}: no [id X] tag shown"
        for t in g["tags"]:
            if _overlaps(t["rect"], g["shown"]):
                assert _inside(t["rect"], g["shown"]), f"{side}: tag {t} is cut"
                heights.append(t["rect"]["height"])
                assert t["rect"]["height"] >= MIN_LABEL_PX, f"{side}: tag {t} below 11 px"
    return min(heights)


def _centre(rect):
    return ((rect["left"] + rect["right"]) / 2, (rect["top"] + rect["bottom"]) / 2)


def _hit(view):
    """The node the search shows: its side, id, label and distance from its canvas's centre."""
    side, node = view.get_attribute("data-hit-side"), view.get_attribute("data-hit-node-id")
    panel = view.locator(f".symlab-graph-{side}")
    g = panel.locator(f"g.node[data-node-id='{node}']").first
    box = g.locator(":scope > :is(path, polygon, ellipse)").first.bounding_box()
    canvas = panel.locator(".symlab-graph-canvas").bounding_box()
    gx, gy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cx, cy = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
    assert "symlab-node-hit" in g.get_attribute("class")
    tag = panel.locator(f"text.symlab-node-tag[data-tag-of='{node}']").text_content()
    return side, int(node), " ".join(g.locator("text").all_text_contents()) + " " + tag, \
        max(abs(gx - cx), abs(gy - cy))


def _search(view, text):
    box = view.locator(".symlab-search-input")
    box.fill(text)
    wait_until(f"the search for {text!r}",
               lambda: view.locator(".symlab-search-count").text_content().strip() != "")


def test_lesson5_first_view_is_readable_with_no_box_cut(graph_page, shoot):
    """Both panels open at one scale, labels >= 11 px, no box cut by a panel's edge."""
    view = graph_page.cell(C_SMALL).locator(".symlab-graph-view")
    geometry = _first_views(view)
    assert geometry["before"]["scale"] == geometry["after"]["scale"]
    assert float(geometry["before"]["scale"]) >= 1
    smallest = _check_readable(geometry)
    print(f"\n[browser] lesson-5 step, first view: scale {geometry['before']['scale']} px/pt, "
          f"starts {geometry['before']['start']}/{geometry['after']['start']}, smallest label "
          f"{smallest:.1f} px, boxes shown {len(geometry['before']['nodes'])}/"
          f"{len(geometry['after']['nodes'])}, hidden at the edge {geometry['before']['hidden']}/"
          f"{geometry['after']['hidden']}")
    shoot(graph_page.cell(C_SMALL), "graph-lesson5-first-view")


def test_lesson5_legend_and_hover_titles(graph_page):
    view = graph_page.cell(C_SMALL).locator(".symlab-graph-view")
    legend = view.locator(".symlab-graph-legend")
    assert legend.is_visible()
    text = legend.text_content()
    for words in ("red", "green", "dashed border", "dashed line", "double border", "cylinder"):
        assert words in text, words
    # Hover titles: the whole label and the [id X] tag, as text.
    titles = view.locator(".symlab-graph-after g.node[data-node-id] > title").all_text_contents()
    assert titles and all("[id " in t for t in titles)


def test_lesson5_search_by_name_and_id_centres_the_hit(graph_page, shoot):
    nb = graph_page
    view = nb.cell(C_SMALL).locator(".symlab-graph-view")
    _first_views(view)
    _search(view, "W1")
    side, node, label, off = _hit(view)
    assert "W1" in label and off < 3, (side, node, label, off)
    assert view.locator(".symlab-node-details").get_attribute("data-node-id") == str(node)
    # debugprint(f)'s root is [id A]: its drawing in the after panel shows the same op.
    index = nb.run_new_cell("from symlab.printing import debugprint\n"
                            "print(debugprint(small, file='str').splitlines()[0])")
    first = nb.output_text(index)[0].strip()
    op = first.split(" [id A]")[0]
    _search(view, "[id A]")
    hits = set()
    for _ in range(2):
        side, node, label, off = _hit(view)
        hits.add(side)
        assert "[id A]" in label and off < 3, (side, label, off)
        if side == "after":
            assert label.startswith(op), (label, first)
        view.locator(".symlab-search-next").click()
    assert hits == {"before", "after"}
    # The integer id an error message names.
    some = view.locator(".symlab-graph-after g.node[data-node-id]").nth(3).get_attribute(
        "data-node-id")
    _search(view, some)
    side, node, label, off = _hit(view)
    assert node == int(some) and off < 3
    shoot(nb.cell(C_SMALL), "graph-lesson5-search-id")
    view.locator(".symlab-search-input").fill("")


def test_lesson5_inplace_step_counterparts_and_arrow_keys(graph_page, shoot):
    nb = graph_page
    view = nb.cell(C_SMALL).locator(".symlab-graph-view")
    index = nb.run_new_cell(
        "sv.step = next(i + 1 for i, e in enumerate(sv.events) if e['rewrite'] == "
        "'inplace_elemwise' and len(e['removed']) == 1)\nprint(sv.step)")
    k = int(nb.output_text(index)[0])
    wait_step(view, k)
    before, after = view.locator(".symlab-graph-before"), view.locator(".symlab-graph-after")
    _first_views(view)
    red = before.locator("g.node.symlab-node-removed")
    green = after.locator("g.node.symlab-node-added")
    wait_until("the event's nodes drawn", lambda: red.count() == 1 and green.count() == 1)
    red_text, green_text = " ".join(red.locator("text").all_text_contents()), \
        " ".join(green.locator("text").all_text_contents())
    assert "{inplace 0}" in green_text and "{inplace" not in red_text, (red_text, green_text)
    assert "\u2026" not in red_text + green_text
    # Selecting the red node marks what replaced it in the after panel.
    red.locator("text").first.click()
    wait_until("counterparts", lambda: node_ids(after, "symlab-node-counterpart"))
    assert node_ids(after, "symlab-node-counterpart") == node_ids(after, "symlab-node-added")
    shoot(nb.cell(C_SMALL), "graph-lesson5-inplace-counterpart")
    # Arrow keys step the trace after a click on the slider.
    slider = view.locator(".symlab-step-slider")
    slider.click()
    assert nb.page.evaluate("() => document.activeElement.classList.contains"
                            "('symlab-step-slider')")
    start = int(view.get_attribute("data-step"))
    nb.page.keyboard.press("ArrowLeft" if start > 0 else "ArrowRight")
    moved = start - 1 if start > 0 else start + 1
    wait_step(view, moved)
    nb.page.keyboard.press("ArrowRight" if start > 0 else "ArrowLeft")
    wait_step(view, start)
    outline = view.evaluate("v => getComputedStyle(v).outlineStyle")
    assert outline != "none", "the focused view shows its focus"


def test_lesson5_export_svg_and_png(graph_page):
    nb = graph_page
    view = nb.cell(C_SMALL).locator(".symlab-graph-view")
    _first_views(view)
    with nb.page.expect_download() as info:
        view.locator(".symlab-graph-after .symlab-export-svg").click()
    data = open(info.value.path(), "rb").read()
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and "[id A]" in t for t in texts), texts[:5]
    assert info.value.suggested_filename.endswith(".svg")
    with nb.page.expect_download() as info:
        view.locator(".symlab-graph-before .symlab-export-png").click()
    png = open(info.value.path(), "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 100 and height > 100
    print(f"\n[browser] exported SVG {len(data)} bytes, PNG {width}x{height} ({len(png)} bytes)")


def test_test_value_shapes_are_written_on_the_edges(graph_page, shoot):
    """A graph built with test values shows each value's shape on the edges leaving it."""
    nb = graph_page
    index = nb.run_new_cell(
        "import symlab\n"
        "symlab.config.compute_test_value = 'raise'\n"
        "tx = T.dmatrix('tx'); tx.tag.test_value = np.ones((5, 3))\n"
        "tw = shared(np.ones((3, 2)), name='tw')\n"
        "ty = T.tanh(T.dot(tx, tw))\n"
        "symlab.config.compute_test_value = 'off'\n"
        "GraphView(ty)")
    panel = nb.cell(index).locator(".symlab-graph-before")
    panel.locator("svg.symlab-graph-svg").wait_for()
    labels = panel.locator("g.edge.symlab-test-value text")
    wait_until("test-value edge labels", lambda: labels.count() >= 3)
    texts = set(labels.all_text_contents())
    assert {"(5, 3)", "(3, 2)", "(5, 2)"} <= texts, texts
    shoot(nb.cell(index), "graph-test-values")
