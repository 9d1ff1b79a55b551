"""Lesson 1 of the course in a terminal (``python -m symlab.demo``, ``--lang zh`` for Chinese).

It reads ``notebooks/01-symbolic-basics.ipynb`` from the checkout symlab runs from, prints
each prose cell as text (its ``$...$`` formulas as plain text), and runs each code cell as a
notebook would: the code is shown as at Python's prompt (``>>>``, then ``...`` on the lines
that continue a statement), then what it prints, then the value of its last line when that
is an expression. At a terminal it stops after each code cell until Enter is pressed (``q``
ends the lesson); with ``--all``, or when its input or output is not a terminal, it runs
straight through. ``dev/start`` runs it where no browser can open JupyterLab (CI, a
terminal without a display).

Where symlab was installed without its notebooks (from a wheel), a short tour stands in.
"""

import argparse
import ast
import json
import pprint
import re
import sys
from pathlib import Path

LESSON = "01-symbolic-basics.ipynb"
FOLDERS = {"en": "notebooks", "zh": "notebooks/zh"}

#: What the demo itself says, per language.
MESSAGES = {
    "en": {"header": "symlab {version}: lesson 1 of the course, in a terminal",
           "source": "(from {path}; to see its graphs, open the course in JupyterLab with "
                     "./dev/start --lab)",
           "missing": "({folder}/{lesson} is not beside this installation: a short tour instead)",
           "next": "[Enter: next cell, q: quit] ",
           "done": "symlab.demo: ran the {ran} code cells of {name}"},
    "zh": {"header": "symlab {version}：在终端里运行课程第 1 课",
           "source": "（来自 {path}；要看图，请用 ./dev/start --lab 在 JupyterLab 中打开课程）",
           "missing": "（这个安装旁边没有 {folder}/{lesson}：改为简短演示）",
           "next": "[回车：下一个单元格，q：退出] ",
           "done": "symlab.demo：运行了 {name} 的 {ran} 个代码单元格"},
}

#: LaTeX commands of the course's formulas and their plain-text form.
_LATEX_WORDS = {r"\tanh": "tanh", r"\exp": "exp", r"\log": "log", r"\sigma": "σ",
                r"\cdot": "·", r"\times": "×", r"\left": "", r"\right": ""}
_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")
_POWER = re.compile(r"\^\{([^{}]*)\}")
_MATH = re.compile(r"\$([^$\n]+)\$")


def _grouped(text):
    """``text`` in parentheses unless it is one number or name."""
    return text if re.fullmatch(r"[\w.]+", text) else f"({text})"


def plain_math(formula):
    """Return a LaTeX ``formula`` (without its ``$``) as plain text.

    ``\\frac{1}{1 + e^{-x}}`` becomes ``1/(1 + e^(-x))``; the commands of ``_LATEX_WORDS``
    become their words or symbols.
    """
    for command, word in _LATEX_WORDS.items():
        formula = re.sub(re.escape(command) + r"(?![A-Za-z])", word, formula)
    previous = None
    while previous != formula:   # innermost braces first, until nothing changes
        previous = formula
        formula = _POWER.sub(lambda m: "^" + _grouped(m.group(1)), formula)
        formula = _FRAC.sub(lambda m: f"{_grouped(m.group(1))}/{_grouped(m.group(2))}", formula)
    return formula


def plain_prose(markdown):
    """Return prose ``markdown`` with each ``$...$`` formula written as plain text."""
    return _MATH.sub(lambda m: plain_math(m.group(1)), markdown)


def prompt_lines(source):
    """Return ``source`` as typed at Python's prompt, indented by four spaces.

    Each top-level statement's first line gets ``>>> ``, the lines continuing it ``... ``.
    """
    lines = source.splitlines()
    try:
        starts = {node.lineno for node in ast.parse(source).body}
    except SyntaxError:
        starts = set(range(1, len(lines) + 1))
    return "\n".join(("    >>> " if number in starts else "    ... ") + line
                     for number, line in enumerate(lines, start=1))


def lesson_path(language="en"):
    """Return the path of lesson 1's notebook in ``language`` ("en" or "zh"), or None if not installed."""
    path = Path(__file__).resolve().parent.parent / FOLDERS[language] / LESSON
    return path if path.is_file() else None


def run_cell(source, namespace, write=print):
    """Run one code cell's ``source`` in ``namespace``; returns the value of its last expression, or None.

    The value is also written out (pretty-printed, as a notebook shows it) unless it is None.
    """
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body.pop()
    exec(compile(tree, "<lesson 1>", "exec"), namespace)
    if last is None:
        return None
    value = eval(compile(ast.Expression(last.value), "<lesson 1>", "eval"), namespace)
    if value is not None:
        write(_pretty(value))
    return value


def _pretty(value):
    """``value`` as a notebook shows it: IPython's pretty printer when installed, else pprint's."""
    try:
        from IPython.lib.pretty import pretty
    except ImportError:
        return pprint.pformat(value)
    return pretty(value)


def run_lesson(path, write=print, pause=None):
    """Print and run the notebook at ``path`` cell by cell; returns the number of code cells run.

    ``pause``, when given, is called after each code cell but the last; it returns False
    to end the lesson there.
    """
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    code_cells = sum(cell["cell_type"] == "code" for cell in notebook["cells"])
    namespace = {"__name__": "__lesson__"}
    ran = 0
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            write("\n" + plain_prose(source) + "\n")
        elif cell["cell_type"] == "code":
            write(prompt_lines(source))
            sys.stdout.flush()
            run_cell(source, namespace, write)
            ran += 1
            if pause is not None and ran < code_cells and not pause():
                break
    return ran


def _wait_for_enter(prompt):
    """Return a pause function: it shows ``prompt``, waits for a line, and is False on 'q' or EOF."""
    def pause():
        # Not input(): at a terminal it may write its prompt to stderr.
        sys.stdout.write(prompt)
        sys.stdout.flush()
        answer = sys.stdin.readline()
        return bool(answer) and answer.strip().lower() != "q"
    return pause


def short_tour():
    """The tour shown where the course notebooks are not installed; returns 0."""
    import symlab as theano
    import symlab.tensor as T

    x = T.dmatrix("x")
    logistic = theano.function([x], 1 / (1 + T.exp(-x)), name="logistic")
    print("logistic([[0, 1], [-1, -2]]) =\n", logistic([[0, 1], [-1, -2]]))
    theano.dprint(logistic)
    print("\nThe course notebooks are in the symlab repository, under notebooks/.")
    return 0


def main(argv=None):
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Run lesson 1 of the symlab course in a terminal.")
    parser.add_argument("--lang", choices=sorted(FOLDERS), default="en", help="language of the prose (default en)")
    parser.add_argument("--all", action="store_true",
                        help="run every cell without stopping (the default off a terminal)")
    args = parser.parse_args(argv)
    import symlab

    say = MESSAGES[args.lang]
    path = lesson_path(args.lang)
    print(say["header"].format(version=symlab.__version__))
    if path is None:
        print(say["missing"].format(folder=FOLDERS[args.lang], lesson=LESSON) + "\n")
        return short_tour()
    print(say["source"].format(path=path) + "\n")
    interactive = not args.all and sys.stdin.isatty() and sys.stdout.isatty()
    ran = run_lesson(path, pause=_wait_for_enter(say["next"]) if interactive else None)
    print("\n" + say["done"].format(ran=ran, name=path.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
