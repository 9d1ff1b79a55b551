"""``python -m symlab.demo`` runs lesson 1 in a terminal: the same code, the same results as the notebook."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _stored_outputs(notebook):
    """The text of every output stored in ``notebook`` (what the kernel printed or returned)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    texts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain")
            texts.append("".join(text).rstrip("\n"))
    return texts


@pytest.mark.parametrize("language, folder", [("en", "notebooks"), ("zh", "notebooks/zh")])
def test_the_demo_prints_lesson_1s_prose_code_and_every_stored_output(language, folder):
    notebook = ROOT / folder / "01-symbolic-basics.ipynb"
    done = subprocess.run([sys.executable, "-m", "symlab.demo", "--lang", language], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code_cells = sum(c["cell_type"] == "code" for c in cells)
    ran = {"en": f"ran the {code_cells} code cells", "zh": f"的 {code_cells} 个代码单元格"}
    assert ran[language] in done.stdout
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":   # the prose, its formulas aside, as written
            for piece in re.split(r"\$[^$]+\$", source):
                assert piece.strip() in done.stdout
        else:
            assert all(f">>> {line}" in done.stdout or f"... {line}" in done.stdout
                       for line in source.splitlines())
    assert "$" not in done.stdout and "\\frac" not in done.stdout
    header = {"en": "lesson 1 of the course", "zh": "课程第 1 课"}[language]
    assert header in done.stdout.splitlines()[0]
    outputs = _stored_outputs(notebook)
    assert outputs, "lesson 1 has stored outputs"
    for text in outputs:
        assert text in done.stdout


def test_the_short_tour_stands_in_where_the_notebooks_are_missing(capsys):
    from symlab.demo import short_tour

    assert short_tour() == 0
    printed = capsys.readouterr().out
    expected = 1 / (1 + np.exp(-np.array([[0.0, 1.0], [-1.0, -2.0]])))
    assert np.array2string(expected) in printed.replace(" [[", "[[")
    assert "sigmoid" in printed


def test_formulas_are_written_as_plain_text():
    from symlab.demo import plain_math, plain_prose

    assert plain_math(r"s(x) = \frac{1}{1 + e^{-x}}") == "s(x) = 1/(1 + e^(-x))"
    assert plain_math(r"\frac{1 + \tanh(x/2)}{2}") == "(1 + tanh(x/2))/2"
    assert plain_math(r"x^{2}") == "x^2"
    assert plain_prose(r"so $a = \frac{b}{c}$, and $5 costs") == "so a = b/c, and $5 costs"


def test_code_is_shown_as_at_pythons_prompt():
    from symlab.demo import prompt_lines

    source = "for i in range(2):\n    print(i)\nx = (1 +\n     2)\nx"
    assert prompt_lines(source).splitlines() == [
        "    >>> for i in range(2):", "    ...     print(i)", "    >>> x = (1 +",
        "    ...      2)", "    >>> x"]


def test_the_lesson_stops_where_the_pause_says(tmp_path):
    from symlab.demo import run_lesson

    asked = []

    def pause():
        asked.append(True)
        return len(asked) < 2   # go on once, then stop

    printed = []
    ran = run_lesson(ROOT / "notebooks" / "01-symbolic-basics.ipynb", write=printed.append,
                     pause=pause)
    assert ran == 2 and len(asked) == 2
    assert not any("T.dscalar('x')" not in text and ">>> z = x + y" in text for text in printed)


def _read_until(fd, marker, seen=b"", patience_s=90):
    """Bytes read from ``fd`` (after ``seen``) until ``marker`` shows or the process closes it."""
    import os
    import select

    deadline = time.monotonic() + patience_s
    while marker not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            raise AssertionError(f"waited {patience_s} s for {marker!r}; the terminal showed:\n"
                                 + seen.decode(errors="replace")[-2000:])
        try:
            chunk = os.read(fd, 4096)
        except OSError:   # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_a_terminal_waits_for_enter_between_cells():
    import os
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "symlab.demo"], cwd=ROOT, stdin=follower,
                               stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    try:
        seen = _read_until(leader, b"[Enter: next cell, q: quit]")
        assert b"[Enter: next cell, q: quit]" in seen, seen.decode(errors="replace")[-2000:]
        assert b">>> x = T.dscalar('x')" not in seen   # stopped after the first code cell
        os.write(leader, b"q\n")
        seen = _read_until(leader, b"ran the 1 code cells", seen)
        assert process.wait(timeout=60) == 0
        assert b"ran the 1 code cells" in seen
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
