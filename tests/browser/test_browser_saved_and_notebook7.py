"""Saving a notebook with its widget state, and the widgets in Notebook 7.

The lab fixture turns on ``saveState`` (the widget manager's setting a user
sets to share a notebook with its widgets), so saving writes every widget's
state into the notebook's metadata. The issue asks that a notebook with
three graph widgets stays under 1 MB that way: the size is read from the
file JupyterLab wrote. Notebook 7 is served by the same server: its page
must draw the same widgets from the same extension, and step them.
"""

import json
import time

import pytest
from page import wait_until as _wait_until

pytestmark = pytest.mark.browser

ONE_MB = 1 << 20
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

DEFINITIONS = """\
import numpy as np
import symlab
import symlab.tensor as T
from symlab.notebook import GraphView

def training_step(sizes):
    X, t = T.dmatrix('X'), T.ivector('t')
    params, h = [], X
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = symlab.shared(np.zeros((n_in, n_out)), name=f'W{k}')
        b = symlab.shared(np.zeros(n_out), name=f'b{k}')
        params += [W, b]
        h = T.dot(h, W) + b
        h = T.tanh(h) if k < len(sizes) - 2 else T.nnet.softmax(h)
    cost = -T.mean(T.log(h)[T.arange(t.shape[0]), t])
    cost = cost + 1e-4 * sum((W ** 2).sum() for W in params[::2])
    grads = T.grad(cost, params)
    return symlab.function([X, t], cost, name='train',
                           updates=[(p, p - 0.1 * g) for p, g in zip(params, grads)])

train = training_step([784, 256, 128, 64, 10])
x = T.dvector('x')
chain = x
for i in range(499):
    chain = T.sin(chain) if i % 2 else T.cos(chain)
chain_f = symlab.function([x], chain, name='chain')
softplus_f = symlab.function([x], T.log(1 + T.exp(x)), name='softplus')"""

THREE_GRAPHS = [DEFINITIONS, "GraphView(train)", "GraphView(chain_f)", "GraphView(softplus_f)"]


def _wait_drawn(nb, cells, timeout=120_000):
    for cell in cells:
        for side in ("before", "after"):
            nb.cell(cell).locator(f".symlab-graph-{side} svg.symlab-graph-svg").wait_for(
                timeout=timeout)


def _saved(lab, name, timeout=30):
    """The notebook file as JupyterLab wrote it, once it holds widget state."""
    path = lab.root / name
    deadline = time.monotonic() + timeout
    while True:
        saved = json.loads(path.read_text())
        if WIDGET_STATE in saved["metadata"].get("widgets", {}):
            return path, saved
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} was saved without widget state: "
                                 f"{sorted(saved['metadata'])}")
        time.sleep(0.2)


def test_a_notebook_with_three_graph_widgets_saves_under_1_mb(new_notebook_page, lab, shoot):
    name = "three_graphs.ipynb"
    nb = new_notebook_page(name, THREE_GRAPHS)
    nb.run_all()
    _wait_drawn(nb, (1, 2, 3))
    nb.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    path, saved = _saved(lab, name)
    size = path.stat().st_size
    state = saved["metadata"]["widgets"][WIDGET_STATE]["state"]
    graphs = [m for m in state.values() if m["model_name"] == "GraphModel"]
    per_graph = sorted(len(json.dumps(m["state"])) for m in graphs)
    print(f"\n[browser] {name} saved with widget state: {size} bytes "
          f"({size / ONE_MB:.0%} of 1 MB); graph widget states {per_graph} bytes")
    assert len(graphs) == 3
    # The document is saved as one JSON string (see GraphModel's serializer).
    names = sorted(json.loads(m["state"]["graph"])["name"] for m in graphs)
    assert names == ["chain", "softplus", "train"]
    assert size < ONE_MB
    shoot(nb.page, "three-graphs-saved")

    # Opened again (a new kernel, nothing run), the saved state draws the graphs.
    again = new_notebook_page(name, None)
    _wait_drawn(again, (1, 2, 3))
    title = again.cell(3).locator(".symlab-graph-title").inner_text()
    assert title.startswith("softplus: 2 rewrites"), title
    after = again.cell(3).locator(".symlab-graph-after svg.symlab-graph-svg g.node text")
    assert "softplus" in after.all_text_contents()
    assert [e for e in again.page_errors if "symlab" in e] == []
    shoot(again.page, "three-graphs-reopened")


NOTEBOOK7 = [
    "%load_ext symlab\n" + DEFINITIONS.split("\n\ndef training_step")[0],
    "x = T.dvector('x')\nsoftplus_f = symlab.function([x], T.log(1 + T.exp(x)))",
    "%symlab_graph softplus_f",
    "w = symlab.shared(np.zeros(3), name='w')\ng = symlab.function([x], [], updates=[(w, w + x)])",
    "%symlab_shared g",
    "from symlab.tensor.shared_randomstreams import RandomStreams\n"
    "rv = RandomStreams(234).uniform((3,))\n%symlab_rng rv",
]


def test_notebook_7_shows_and_drives_the_widgets(new_notebook_page, shoot):
    nb = new_notebook_page("notebook7.ipynb", NOTEBOOK7, app="notebook")
    page = nb.page
    assert page.evaluate("() => window.jupyterapp.name") == "Jupyter Notebook"
    nb.run_all()
    _wait_drawn(nb, (2,))
    view = nb.cell(2).locator(".symlab-graph-view")
    before = view.locator(".symlab-graph-before svg.symlab-graph-svg g.node text")
    after = view.locator(".symlab-graph-after svg.symlab-graph-svg g.node text")
    assert {"log", "exp", "add"} <= set(before.all_text_contents())
    labels = set(after.all_text_contents())
    assert "softplus" in labels and "log" not in labels
    # The keyboard steps the view once it has the focus, as in JupyterLab.
    view.locator(".symlab-graph-title").click()
    for key, step in (("Home", "0"), ("ArrowRight", "1"), ("ArrowLeft", "0")):
        page.keyboard.press(key)
        _wait_until(f"step {step} after {key}", lambda: view.get_attribute("data-step") == step)
    # The inspector refreshes after a call.
    row = nb.cell(4).locator("tr.symlab-shared-row[data-name='w']")
    row.wait_for()
    nb.run_new_cell("g([1, 2, 3])")
    _wait_until("the inspector's max to show 3",
              lambda: row.locator("td.symlab-shared-max").inner_text().strip() == "3")
    # The stepper draws and goes back to the same numbers.
    stepper = nb.cell(5).locator(".symlab-rng-stepper")
    start = int(stepper.get_attribute("data-position"))
    values = stepper.locator(".symlab-rng-values .symlab-rng-value")
    stepper.locator(".symlab-rng-draw").click()
    _wait_until("the first draw", lambda: stepper.get_attribute("data-position") == str(start + 1))
    first = values.all_text_contents()
    stepper.locator(".symlab-rng-draw").click()
    _wait_until("the second draw", lambda: stepper.get_attribute("data-position") == str(start + 2))
    assert values.all_text_contents() != first
    stepper.locator(".symlab-rng-back").click()
    _wait_until("back", lambda: stepper.get_attribute("data-position") == str(start + 1))
    assert values.all_text_contents() == first and len(first) == 3
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.all_inner_texts()
    # Notebook 7.6.5 itself throws "Cannot read properties of undefined (reading 'schema')"
    # while loading settings, with or without this extension installed: only errors
    # thrown by symlab's bundle are ours.
    ours = [e for e in nb.page_errors if "symlab" in e]
    assert ours == []
    if nb.page_errors:
        print("\n[browser] Notebook 7's own page errors (not asserted):",
              *[e.splitlines()[0] for e in nb.page_errors], sep="\n  ")
    shoot(page, "notebook7-widgets")
