"""``python -m symlab.demo`` runs lesson 1 in a terminal: the same code, the same results as the notebook."""

import json
import subprocess
import sys
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
    assert f"ran the {sum(c['cell_type'] == 'code' for c in cells)} code cells" in done.stdout
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            assert source in done.stdout
        else:
            assert all(f">>> {line}" in done.stdout for line in source.splitlines())
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
