"""The RNG stepper's errors, the inspector's fit, saved views and Chinese words, in the page.

Every error path of the stepper (issue 21) is driven from the page as a user
would: typed into the seed box and sent with the reseed button or Enter, or
raised by Python code in a cell; each must show its message on the widget,
and Python's ``stepper.error`` must say the same. The inspector of lesson 2
is measured at a 1400 px window. Lessons 2 and 3, opened as stored in git
(trusted, nothing run), must say their widgets are saved views with their
controls off; after Run All the widgets are live. Screenshots go to the
session's screenshot folder (run with ``-s`` for their paths).
"""

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import TIMEOUT_MS, NotebookPage
from page import api, wait_until

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MT_RULE = "a seed must be a whole number from 0 to 4294967295"

STEPPER = [
    "import numpy as np\n"
    "from symlab.notebook import RNGStepper\n"
    "from symlab.tensor.shared_randomstreams import RandomStreams",
    "dice = RandomStreams(seed=2024).random_integers((10,), low=1, high=6)\n"
    "dice.name = 'dice'\n"
    "stepper = RNGStepper(dice)\n"
    "stepper",
]


@pytest.fixture(scope="module")
def dice_page(new_notebook_page):
    nb = new_notebook_page("stepper_errors.ipynb", STEPPER)
    nb.run_all()
    stepper = nb.cell(1).locator(".symlab-rng-stepper")
    stepper.wait_for()
    wait_until("a live stepper", lambda: stepper.get_attribute("data-symlab-live") == "true")
    return nb, stepper


def _step(stepper):
    return stepper.locator(".symlab-rng-step").inner_text().strip()


def _values(stepper):
    return stepper.locator(".symlab-rng-value").all_text_contents()


def _wait_step(stepper, text):
    wait_until(f"the stepper to say {text!r}", lambda: _step(stepper) == text)


def _python_says(nb, code):
    """Run ``code`` in a new cell; its printed output."""
    index = nb.run_new_cell(code)
    return "\n".join(nb.output_text(index)).strip()


def _reseed(stepper, typed, enter=False):
    box = stepper.locator("input.symlab-rng-seed")
    box.fill(typed)
    if enter:
        box.press("Enter")
    else:
        stepper.locator(".symlab-rng-reseed").click()


def test_the_stepper_draws_dice_on_one_line(dice_page, shoot):
    nb, stepper = dice_page
    for k in (1, 2, 3):
        stepper.locator(".symlab-rng-draw").click()
        _wait_step(stepper, f"step {k} of {k}")
    values = stepper.locator(".symlab-rng-value")
    assert values.count() == 10
    assert all(v in "123456" and len(v) == 1 for v in _values(stepper)), _values(stepper)
    boxes = values.evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())")
    assert len({round(b["top"]) for b in boxes}) == 1, boxes  # one line: no tenth alone
    gaps = [b["left"] - a["right"] for a, b in zip(boxes, boxes[1:])]
    assert max(gaps) < 30, gaps  # close together, not spread across the width
    width = stepper.evaluate("el => el.getBoundingClientRect().width")
    assert boxes[-1]["right"] - boxes[0]["left"] < width / 2, (boxes, width)
    # Python says the step the way the widget does.
    assert f": {_step(stepper)}," in _python_says(nb, "print(repr(stepper))")
    shoot(nb.cell(1), "rng-dice-three-draws")


@pytest.mark.parametrize("typed, message, enter", [
    ("99999999999999999999", f"the seed 99999999999999999999 is out of range: {MT_RULE}", False),
    ("", f"the seed box is empty: {MT_RULE}", False),
    ("   ", f"the seed box is empty: {MT_RULE}", True),
    ("abc", f"'abc' is not a seed: {MT_RULE}", True),
    ("4.5", f"'4.5' is not a seed: {MT_RULE}", False),
    ("-1", f"the seed -1 is out of range: {MT_RULE}", False),
    ("4294967296", f"the seed 4294967296 is out of range: {MT_RULE}", True),
])
def test_a_bad_seed_shows_its_message_and_changes_nothing(dice_page, typed, message, enter,
                                                          shoot):
    nb, stepper = dice_page
    if _step(stepper) == "step 0 of 0":  # another test reseeded: draw once
        stepper.locator(".symlab-rng-draw").click()
        _wait_step(stepper, "step 1 of 1")
    step, values = _step(stepper), _values(stepper)
    fingerprint = stepper.locator(".symlab-rng-fingerprint").inner_text()
    _reseed(stepper, typed, enter)
    error = stepper.locator(".symlab-rng-error")
    expected = "RNGStepper.reseed: " + message
    wait_until(f"the error {expected!r}", lambda: error.is_visible()
               and error.inner_text().strip() == expected)
    assert (_step(stepper), _values(stepper)) == (step, values)
    assert stepper.locator(".symlab-rng-fingerprint").inner_text() == fingerprint
    assert json.loads(_python_says(nb, "import json; print(json.dumps(stepper.error))")) \
        == expected
    if typed == "99999999999999999999":
        shoot(nb.cell(1), "rng-error-huge-seed")
    if typed == "":
        shoot(nb.cell(1), "rng-error-empty-seed")


def test_an_error_raised_in_python_shows_on_the_widget(dice_page, shoot):
    nb, stepper = dice_page
    said = _python_says(nb, "try:\n    stepper.reseed(10**20)\n"
                            "except ValueError as exc:\n    print('raised:', exc)")
    expected = f"RNGStepper.reseed: the seed 100000000000000000000 is out of range: {MT_RULE}"
    assert said == f"raised: {expected}"
    error = stepper.locator(".symlab-rng-error")
    wait_until("the error on the widget", lambda: error.inner_text().strip() == expected)
    # A good action clears it.
    stepper.locator(".symlab-rng-draw").click()
    error.wait_for(state="hidden")


def test_a_reseed_starts_again_at_step_0(dice_page, shoot):
    nb, stepper = dice_page
    stepper.locator(".symlab-rng-draw").click()
    wait_until("a draw", lambda: _step(stepper) != "step 0 of 0" and _values(stepper))
    _reseed(stepper, "7", enter=True)
    _wait_step(stepper, "step 0 of 0")
    assert _values(stepper) == []
    assert stepper.locator(".symlab-rng-back").is_disabled()
    assert stepper.locator(".symlab-rng-forward").is_disabled()
    assert not stepper.locator(".symlab-rng-error").is_visible()
    shoot(nb.cell(1), "rng-reseeded")
    stepper.locator(".symlab-rng-draw").click()
    _wait_step(stepper, "step 1 of 1")
    shown = [int(v) for v in _values(stepper)]
    said = _python_says(nb, "print(list(stepper.values), repr(stepper))")
    assert said.startswith(f"{shown} <RNGStepper dice: step 1 of 1,"), said


# ---------------------------------------------------------------- the inspector at 1400 px

WIDE = """\
very_long_shared_variable_name_for_the_learning_rate_schedule = shared(
    np.linspace(0, 1, 60), name='very_long_shared_variable_name_for_the_learning_rate_schedule')
lr = very_long_shared_variable_name_for_the_learning_rate_schedule
readers = [function([inc], lr.sum() * inc, name=f'reader_function_number_{k}') for k in range(6)]
bump = function([], [], updates=[(lr, lr + 1)], name='bump_the_learning_rate_schedule')
%symlab_shared"""


def _open(browser, lab, name, width, height=900):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    nb = NotebookPage(context.new_page(), lab, name)
    nb.open()
    return context, nb


def _fits(nb, inspector):
    """How the inspector sits in its output area: overflow in px and the value boxes' rects."""
    return inspector.evaluate(
        """el => { const area = el.closest('.jp-OutputArea-output');
            const a = area.getBoundingClientRect();
            const boxes = [...el.querySelectorAll('input.symlab-shared-edit')].map(i => {
                const r = i.getBoundingClientRect();
                return {left: r.left - a.left, right: a.right - r.right, width: r.width}; });
            return {inspector: el.scrollWidth - el.clientWidth,
                    area: area.scrollWidth - area.clientWidth,
                    width: a.width, boxes,
                    window: document.documentElement.scrollWidth - window.innerWidth}; }""")


def test_the_inspector_fits_its_output_area_at_1400_px(browser, lab, shoot):
    name = "02-shared-variables.ipynb"
    shutil.copy(ROOT / "notebooks" / name, lab.root / name)
    context, nb = _open(browser, lab, name, 1400)
    try:
        nb.run_all()
        nb.run_new_cell(WIDE)
        # nb.cell counts code cells only: the lesson's two inspectors, then the new one.
        index = nb.cell_count() - 1
        for cell in (4, index - 1, index):
            inspector = nb.cell(cell).locator(".symlab-shared-inspector")
            inspector.locator("tr.symlab-shared-row").first.wait_for()
            fit = _fits(nb, inspector)
            print(f"\n[browser] inspector of cell {cell} at 1400 px: {fit}")
            shoot(nb.cell(cell), f"shared-inspector-1400px-cell{cell}")
            assert fit["inspector"] <= 0 and fit["area"] <= 0 and fit["window"] <= 0, fit
            assert fit["boxes"], "no value box"
            for box in fit["boxes"]:
                assert box["left"] >= 0 and box["right"] >= 0 and box["width"] >= 60, fit
        shoot(nb.page, "shared-inspector-1400px-page")
    finally:
        context.close()


# ---------------------------------------------------------------- saved views

def _trust(lab, name):
    subprocess.run([sys.executable, "-m", "jupyter", "trust", str(lab.root / name)],
                   env=lab.env, check=True, capture_output=True, timeout=120)


def _controls_off(view, selectors):
    return all(view.locator(s).first.is_disabled() for s in selectors)


RNG_CONTROLS = (".symlab-rng-draw", ".symlab-rng-back", ".symlab-rng-forward",
                "input.symlab-rng-seed", ".symlab-rng-reseed")


def test_a_stored_lesson_says_its_widgets_are_saved_until_it_runs(browser, lab, shoot):
    name = "03-random-streams.ipynb"
    shutil.copy(ROOT / "notebooks" / name, lab.root / name)
    _trust(lab, name)
    context, nb = _open(browser, lab, name, 1500)
    try:
        stepper = nb.page.locator(".symlab-rng-stepper").first
        stepper.wait_for()
        notice = stepper.locator(".symlab-saved-notice")
        # Saved before the stepper synced its words: the extension's copy of the table.
        assert notice.is_visible()
        assert notice.inner_text().strip() == "saved view: run the cell to use it"
        assert re.fullmatch(r"step \d+ of \d+", _step(stepper)), _step(stepper)
        assert stepper.get_attribute("data-symlab-live") == "false"
        assert _controls_off(stepper, RNG_CONTROLS)
        shoot(stepper, "saved-lesson3-stepper-before-run")
        nb.run_all()
        stepper = nb.page.locator(".symlab-rng-stepper").first
        wait_until("the re-run stepper to be live",
                   lambda: stepper.get_attribute("data-symlab-live") == "true")
        assert not stepper.locator(".symlab-saved-notice").is_visible()
        assert not stepper.locator(".symlab-rng-draw").is_disabled()
        assert not stepper.locator("input.symlab-rng-seed").is_disabled()
        shoot(stepper, "saved-lesson3-stepper-after-run")
    finally:
        context.close()

    name = "02-shared-variables.ipynb"
    shutil.copy(ROOT / "notebooks" / name, lab.root / name)
    _trust(lab, name)
    _close_sessions(lab)
    context, nb = _open(browser, lab, name, 1500)
    try:
        inspector = nb.page.locator(".symlab-shared-inspector").first
        inspector.locator("tr.symlab-shared-row").first.wait_for()
        assert inspector.locator(".symlab-saved-notice").is_visible()
        edits = inspector.locator("input.symlab-shared-edit")
        assert edits.count() > 0 and all(edits.nth(i).is_disabled() for i in range(edits.count()))
        shoot(inspector, "saved-lesson2-inspector-before-run")
        nb.run_all()
        inspector = nb.page.locator(".symlab-shared-inspector").first
        wait_until("the re-run inspector to be live",
                   lambda: inspector.get_attribute("data-symlab-live") == "true")
        assert not inspector.locator(".symlab-saved-notice").is_visible()
        assert not inspector.locator("input.symlab-shared-edit").first.is_disabled()
    finally:
        context.close()


def _close_sessions(lab):
    """Shut every kernel session down: a notebook opened next starts a fresh kernel."""
    for session in api(lab, "/api/sessions"):
        request = urllib.request.Request(lab.url(f"/api/sessions/{session['id']}"),
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


CHINESE = [
    "import numpy as np\nimport symlab\nsymlab.config.language = 'zh'\n"
    "from symlab import function, shared\nfrom symlab.notebook import RNGStepper, "
    "SharedInspector\nfrom symlab.tensor.shared_randomstreams import RandomStreams",
    "rv = RandomStreams(seed=1).uniform((4,))\nRNGStepper(rv)",
    "w = shared(np.zeros(3), name='w')\nSharedInspector([w])",
]


def test_chinese_widgets_saved_and_reopened(new_notebook_page, lab, shoot):
    name = "zh_widgets.ipynb"
    nb = new_notebook_page(name, CHINESE)
    nb.run_all()
    stepper = nb.cell(1).locator(".symlab-rng-stepper")
    stepper.wait_for()
    assert stepper.locator(".symlab-rng-draw").inner_text().strip() == "抽取"
    assert _step(stepper) == "第 0 步，共 0 步"
    stepper.locator(".symlab-rng-draw").click()
    _wait_step(stepper, "第 1 步，共 1 步")
    _reseed(stepper, "")
    error = stepper.locator(".symlab-rng-error")
    wait_until("the Chinese error", lambda: error.inner_text().strip()
               == "RNGStepper.reseed: 种子框是空的：种子必须是从 0 到 4294967295 的整数")
    heads = nb.cell(2).locator(".symlab-shared-table th").all_text_contents()
    assert heads[:3] == ["名称", "数据类型", "形状"], heads
    shoot(nb.cell(1), "zh-stepper-live")
    shoot(nb.cell(2), "zh-inspector-live")
    nb.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    wait_until("the notebook saved with its widgets", lambda: "widget-state" in json.dumps(
        json.loads((lab.root / name).read_text())["metadata"]))
    _close_sessions(lab)

    again = new_notebook_page(name, None)
    stepper = again.cell(1).locator(".symlab-rng-stepper")
    stepper.wait_for()
    notice = stepper.locator(".symlab-saved-notice")
    assert notice.inner_text().strip() == "已保存的视图：运行这个单元格才能使用"
    assert _step(stepper) == "第 1 步，共 1 步"
    assert _controls_off(stepper, RNG_CONTROLS)
    inspector = again.cell(2).locator(".symlab-shared-inspector")
    assert inspector.locator(".symlab-saved-notice").is_visible()
    assert inspector.locator("input.symlab-shared-edit").first.is_disabled()
    shoot(again.cell(1), "zh-stepper-saved")
    shoot(again.cell(2), "zh-inspector-saved")
    again.run_all()
    stepper = again.cell(1).locator(".symlab-rng-stepper")
    wait_until("live again", lambda: stepper.get_attribute("data-symlab-live") == "true")
    assert not stepper.locator(".symlab-saved-notice").is_visible()
    assert [e for e in again.page_errors if "symlab" in e] == []
