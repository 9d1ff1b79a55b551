"""The course in notebooks/: complete, built from its sources, the same code in both languages.

nbval (run by dev/check) checks that every stored output is what running the notebook gives;
these tests check what nbval cannot: that the English and Chinese notebooks carry exactly the
same code, that they were built from the current lesson sources in dev/course/, that each has
been run, and that few cells escape nbval's comparison.
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_builder():
    spec = importlib.util.spec_from_file_location("symlab_course_builder", ROOT / "dev" / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


course = _load_builder()
LESSONS = course.lesson_sources()
#: The course the issue asks for, in order (a lesson's file name starts with its number and topic).
EXPECTED = ["01-symbolic-basics", "02-shared-variables", "03-random-streams",
            "04-inside-the-optimizer", "05-gradients-and-training", "06-loops",
            "07-debugging", "08-the-gpu", "09-your-own-op"]
CJK = re.compile(r"[\u4e00-\u9fff]")
IGNORE_MARK = "# NBVAL_IGNORE_OUTPUT"


def _read(source, language):
    return nbformat.read(course.notebook_path(source, language), as_version=4)


def _code(notebook):
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_the_course_has_its_nine_lessons_in_both_languages():
    assert [source.stem for source in LESSONS] == EXPECTED
    stored = {language: sorted(p.stem for p in folder.glob("*.ipynb"))
              for language, folder in course.LANGUAGES.items()}
    assert stored == {"en": EXPECTED, "zh": EXPECTED}


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_notebooks_are_built_from_the_current_lesson_source(source):
    assert course.differences(source) == []


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_the_chinese_notebook_has_exactly_the_english_code_cells(source):
    english, chinese = _read(source, "en"), _read(source, "zh")
    chinese_code, setup = _code(chinese), course.LANGUAGE_SETUP["zh"]
    assert chinese_code[0].endswith(setup), "the Chinese lesson asks for Chinese widgets first"
    assert [chinese_code[0][:-len(setup)]] + chinese_code[1:] == _code(english)
    assert [c.cell_type for c in chinese.cells] == [c.cell_type for c in english.cells]


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_every_prose_cell_is_written_in_its_language(source):
    for language, wants_chinese in (("en", False), ("zh", True)):
        for index, cell in enumerate(_read(source, language).cells):
            if cell.cell_type == "markdown":
                assert bool(CJK.search(cell.source)) is wants_chinese, (language, index, cell.source[:80])


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_every_code_cell_was_run_in_order_without_errors(source, language):
    cells = [c for c in _read(source, language).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        assert all(out.output_type != "error" for out in cell.outputs), cell.source[:80]
        assert all(out.get("name") != "stderr" for out in cell.outputs), cell.source[:80]


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_fewer_than_a_tenth_of_the_code_cells_escape_nbval(source):
    code = _code(_read(source, "en"))
    ignored = [cell for cell in code if IGNORE_MARK in cell]
    assert len(ignored) < 0.1 * len(code), ignored
    assert not any("NBVAL_SKIP" in cell for cell in code)


def test_the_builder_refuses_a_prose_block_without_its_chinese(tmp_path):
    lesson = tmp_path / "09-broken.md"
    lesson.write_text("<!-- en -->\n# Title\n<!-- zh -->\n# 标题\n```python\nx = 1\n```\n"
                      "<!-- en -->\nOnly English here.\n", encoding="utf-8")
    with pytest.raises(course.LessonError, match=r"09-broken.md, the prose block starting at line 8: "
                                                  r"expected one <!-- en --> line and one <!-- zh --> line, found 1 and 0"):
        course.lesson_cells(lesson)


def test_the_builder_refuses_an_unclosed_code_cell(tmp_path):
    lesson = tmp_path / "09-broken.md"
    lesson.write_text("<!-- en -->\n# Title\n<!-- zh -->\n# 标题\n```python\nx = 1\n", encoding="utf-8")
    with pytest.raises(course.LessonError, match="line 5: the code cell is never closed"):
        course.lesson_cells(lesson)


def test_the_builder_splits_prose_and_code_as_written(tmp_path):
    lesson = tmp_path / "09-fine.md"
    lesson.write_text("<!-- en -->\n# Title\n\nText.\n<!-- zh -->\n# 标题\n\n正文。\n"
                      "```python\nx = 1\n\ny = 2\n```\n```python\nprint(x)\n```\n", encoding="utf-8")
    cells = course.lesson_cells(lesson)
    assert [(c.kind, c.text) for c in cells] == [
        ("markdown", {"en": "# Title\n\nText.", "zh": "# 标题\n\n正文。"}),
        ("code", {"en": "x = 1\n\ny = 2", "zh": "x = 1\n\ny = 2"}),
        ("code", {"en": "print(x)", "zh": "print(x)"}),
    ]
