"""The course, opened and run in a real JupyterLab, in English and in Chinese.

Lesson 4: the notebook is copied from notebooks/ (notebooks/zh/) with its outputs cleared,
opened, and run top to bottom; the test then reads what the page shows: the lesson's title,
no error output anywhere, and the first graph view (``log(1 + exp(x))``) drawing ``log``,
``exp`` and ``add`` before optimization and ``softplus`` after, with a step bar that walks
to the last rewrite.

The course says what Run All shows: each prose claim about a visible state ("the inspector
says 50", "the failing node is drawn in red") is checked on the page after Run All
(``CLAIMS``), in the cells the claim is about, found by a line of their code.

Lessons opened as stored draw their widgets before anything runs.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from page import PANEL, labels, node_ids, wait_step, wait_until

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LESSON = "04-inside-the-optimizer.ipynb"


def _title(notebook_path):
    """The lesson's title: the first line of its first prose cell, without the '# '."""
    first = json.loads(notebook_path.read_text(encoding="utf-8"))["cells"][0]
    return "".join(first["source"]).splitlines()[0].lstrip("# ").strip()


def _copy_without_outputs(source, target):
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook["metadata"].pop("widgets", None)
    target.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.mark.parametrize("language, folder", [("en", "notebooks"), ("zh", "notebooks/zh")])
def test_lesson_4_runs_and_shows_log1p_exp_before_and_softplus_after(language, folder, lab,
                                                                      new_notebook_page, shoot):
    name = f"lesson4-{language}.ipynb"
    _copy_without_outputs(ROOT / folder / LESSON, lab.root / name)
    nb = new_notebook_page(name, None)
    nb.run_all()

    heading = nb.page.locator(f"{PANEL} .jp-MarkdownOutput h1").first
    assert heading.inner_text().strip() == _title(ROOT / folder / LESSON)
    stderr = "application/vnd.jupyter.stderr"
    errors = nb.page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='{stderr}']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert nb.page_errors == []

    view = nb.page.locator(f"{PANEL} .symlab-graph-view").first
    before, after = view.locator(".symlab-graph-before"), view.locator(".symlab-graph-after")
    for panel in (before, after):
        panel.locator("svg.symlab-graph-svg").wait_for()
    view.scroll_into_view_if_needed()
    shoot(nb.page, f"course-lesson4-{language}-page")
    slider = view.locator(".symlab-step-slider")
    steps = int(slider.get_attribute("max"))
    assert steps > 0
    wait_step(view, 0)
    before_labels, after_labels = set(labels(before)), set(labels(after))
    assert {"log", "exp", "add"} <= before_labels, before_labels
    assert "softplus" in after_labels and "log" not in after_labels, after_labels
    shoot(view, f"course-lesson4-{language}-step0")

    slider.fill(str(steps))
    wait_step(view, steps)
    assert view.locator(".symlab-step-label").inner_text().strip() == f"step {steps} / {steps}"
    assert view.locator(".symlab-step-next").is_disabled()
    shoot(view, f"course-lesson4-{language}-last-step")


def _code_cell_index(notebook_path, line):
    """The position, among the code cells, of the one cell whose source holds ``line``."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    found = [k for k, source in enumerate(sources) if line in source]
    assert len(found) == 1, f"{notebook_path.name}: {len(found)} code cells hold {line!r}"
    return found[0]


def _inspector_says_50(cell):
    """Lesson 2: the inspector shown in ``cell`` says state is 50, with no error banner,
    and lists both functions that update it."""
    inspector = cell.locator(".symlab-shared-inspector")
    assert inspector.count() == 1
    row = inspector.locator("tr.symlab-shared-row[data-name='state']")
    value = row.locator("input.symlab-shared-edit")
    wait_until("the inspector to say 50",
               lambda: value.count() == 1 and value.input_value() == "50")
    for column in ("min", "mean", "max"):
        assert row.locator(f".symlab-shared-{column}").inner_text().strip() == "50"
    assert inspector.locator(".symlab-shared-error").is_hidden()
    updaters = row.locator(".symlab-shared-updaters").inner_text()
    assert "accumulator" in updaters and "decrementor" in updaters, updaters
    return inspector


def _failing_dot_in_red(cell):
    """Lesson 7: the graph view in ``cell`` draws one failed node, ``dot``, filled red, with
    the failure's message above the graph."""
    view = cell.locator(".symlab-graph-view")
    assert view.count() == 1
    after = view.locator(".symlab-graph-after")
    after.locator("svg.symlab-graph-svg").wait_for()
    failed = after.locator("g.node.symlab-node-failed")
    wait_until("one node drawn as failed", lambda: failed.count() == 1)
    assert failed.locator("text").first.text_content().strip() == "dot"
    assert node_ids(after, "symlab-node-failed") == {int(view.get_attribute("data-failed-node"))}
    fill = failed.locator(":scope > :is(path, polygon, ellipse)").first.evaluate(
        "e => getComputedStyle(e).fill")
    assert fill == "rgb(255, 205, 210)", fill
    box = view.locator(".symlab-graph-failure")
    assert box.is_visible()
    assert "not aligned" in box.locator(".symlab-graph-failure-message").inner_text()
    return view


def _picture_shown(cell):
    """Lesson 7: pydotprint's PNG file is displayed in ``cell``, within the output's width."""
    image = cell.locator(".jp-OutputArea-output img")
    assert image.count() == 1
    assert image.get_attribute("src").startswith("data:image/png")
    wait_until("the picture to load", lambda: image.evaluate("e => e.naturalWidth") > 0)
    shown, output = image.bounding_box(), cell.locator(".jp-OutputArea-output").bounding_box()
    assert shown["width"] <= output["width"] + 1, (shown, output)
    return image


#: Lesson -> [(a line of the code cell the prose talks about, the check of what it claims)].
CLAIMS = {
    "02-shared-variables.ipynb": [
        ("inspector = SharedInspector(accumulator)", _inspector_says_50),   # "further up"
        ("for step in range(5):", _inspector_says_50),                      # "shown again here"
    ],
    "07-debugging.ipynb": [
        ("pydotprint(train", _picture_shown),
        ("%symlab_graph train", _failing_dot_in_red),
    ],
}


@pytest.mark.parametrize("language, folder", [("en", "notebooks"), ("zh", "notebooks/zh")])
@pytest.mark.parametrize("lesson", sorted(CLAIMS))
def test_after_run_all_the_page_shows_what_the_prose_says(lesson, language, folder, lab,
                                                          new_notebook_page, shoot):
    source = ROOT / folder / lesson
    name = f"claims-{language}-{lesson}"
    _copy_without_outputs(source, lab.root / name)
    nb = new_notebook_page(name, None)
    nb.run_all()
    stderr = "application/vnd.jupyter.stderr"
    errors = nb.page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='{stderr}']")
    assert errors.count() == 0, errors.all_inner_texts()
    assert nb.page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type="
                           "'application/vnd.jupyter.error']").count() == 0
    for k, (line, check) in enumerate(CLAIMS[lesson]):
        cell = nb.cell(_code_cell_index(source, line))
        cell.scroll_into_view_if_needed()
        shown = check(cell)
        shoot(shown, f"course-claim-{Path(lesson).stem}-{language}-{k}")
        shoot(nb.page, f"course-claim-{Path(lesson).stem}-{language}-{k}-page")
    assert [e for e in nb.page_errors if "symlab" in e] == []


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_ROOTS = ".symlab-graph-view, .symlab-shared-inspector, .symlab-rng-stepper"


def _widget_outputs(notebook_path):
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    return sum(WIDGET_VIEW in output.get("data", {})
               for cell in notebook["cells"] for output in cell.get("outputs", []))


LESSONS_WITH_WIDGETS = [p.name for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if _widget_outputs(p)]


@pytest.mark.parametrize("lesson", LESSONS_WITH_WIDGETS)
def test_a_lesson_opened_as_stored_draws_its_widgets_before_anything_runs(lesson, lab, new_notebook_page,
                                                                          shoot):
    """What a learner sees on opening the course: the stored widget state, drawn.

    JupyterLab draws widgets (an unsafe MIME type) only in a trusted notebook, so the lesson is
    trusted first, as ``dev/start`` and Binder's ``postBuild`` trust the course.
    """
    source = ROOT / "notebooks" / lesson
    copy = lab.root / f"stored-{lesson}"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "trust", str(copy)],
                   env=lab.env, check=True, capture_output=True)
    nb = new_notebook_page(copy.name, None)
    panel = nb.page.locator(PANEL)
    expected = _widget_outputs(source)
    roots = panel.locator(WIDGET_ROOTS)
    wait_until(f"{expected} symlab widgets drawn from the stored state", lambda: roots.count() == expected)
    graphs = panel.locator(".symlab-graph-view")
    for k in range(graphs.count()):
        graphs.nth(k).locator(".symlab-graph-after svg.symlab-graph-svg").wait_for()
    assert "Error displaying widget" not in panel.inner_text()
    assert [e for e in nb.page_errors if "symlab" in e] == []
    for k in range(roots.count()):
        roots.nth(k).scroll_into_view_if_needed()
        shoot(roots.nth(k), f"course-stored-{source.stem}-widget{k}")
