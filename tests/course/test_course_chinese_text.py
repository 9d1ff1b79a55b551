"""The Chinese notebooks read as Chinese: no stray space where Markdown joined two lines.

Markdown turns a line break inside a paragraph into a space. Between two Chinese
characters that space shows ("把 这份描述"), so the Chinese prose is written one
paragraph per line. This test renders line breaks the way Markdown does and looks for
a space between two CJK characters (or after CJK punctuation, before a CJK character).
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
WIDE = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
STRAY_SPACE = re.compile(rf"[{WIDE}] +[{WIDE}]")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def soft_joined(markdown):
    """The paragraphs of ``markdown`` with soft line breaks rendered as spaces, code removed."""
    text = FENCE.sub("", markdown)
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines()]
        paragraphs.append(" ".join(line for line in lines if line))
    return [CODE_SPAN.sub("`code`", p) for p in paragraphs if p]


def test_soft_joined_finds_the_space_markdown_adds():
    assert STRAY_SPACE.search(soft_joined("把\n这份描述")[0])
    assert not STRAY_SPACE.search(soft_joined("把这份描述\n\n下一段")[0])
    assert not STRAY_SPACE.search(soft_joined("用 `givens` 替换")[0])


def test_there_are_chinese_notebooks():
    assert len(NOTEBOOKS) >= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_space_between_two_chinese_characters(path):
    notebook = nbformat.read(path, as_version=4)
    stray = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for paragraph in soft_joined(cell.source):
            stray += [f"cell {number}: ...{m.string[max(0, m.start() - 8):m.end() + 8]}..."
                      for m in STRAY_SPACE.finditer(paragraph)]
    assert not stray, "a line break inside Chinese prose shows as a space:\n" + "\n".join(stray)
