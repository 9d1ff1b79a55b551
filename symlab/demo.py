"""Lesson 1 of the course in a terminal (``python -m symlab.demo``, ``--lang zh`` for Chinese).

It reads ``notebooks/01-symbolic-basics.ipynb`` from the checkout symlab runs from, prints
each prose cell as text, and runs each code cell as a notebook would: the code is shown,
then what it prints, then the value of its last line when that is an expression. ``dev/start``
runs it where no browser can open JupyterLab (CI, a terminal without a display).

Where symlab was installed without its notebooks (from a wheel), a short tour stands in.
"""

import argparse
import ast
import json
import pprint
import sys
import textwrap
from pathlib import Path

LESSON = "01-symbolic-basics.ipynb"
FOLDERS = {"en": "notebooks", "zh": "notebooks/zh"}


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


def run_lesson(path, write=print):
    """Print and run the notebook at ``path`` cell by cell; returns the number of code cells run."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    namespace = {"__name__": "__lesson__"}
    ran = 0
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            write("\n" + source + "\n")
        elif cell["cell_type"] == "code":
            write(textwrap.indent(source, "    >>> ", lambda line: True))
            sys.stdout.flush()
            run_cell(source, namespace, write)
            ran += 1
    return ran


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
    args = parser.parse_args(argv)
    import symlab

    path = lesson_path(args.lang)
    print(f"symlab {symlab.__version__}: lesson 1 of the course, in a terminal")
    if path is None:
        print(f"({FOLDERS[args.lang]}/{LESSON} is not beside this installation: a short tour instead)\n")
        return short_tour()
    print(f"(from {path}; open it in JupyterLab with ./dev/start to see its graphs)\n")
    ran = run_lesson(path)
    print(f"\nsymlab.demo: ran the {ran} code cells of {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
