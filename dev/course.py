"""Build the course notebooks from their lesson sources, in English and in Chinese.

Each lesson is one Markdown file in ``dev/course/`` (``01-symbolic-basics.md`` ...), written
as alternating prose and code:

    <!-- en -->
    English prose (Markdown).
    <!-- zh -->
    The same prose in Chinese.
    ```python
    code, shared by both languages
    ```

A prose block holds both languages, marked as above; a fenced ``python`` block is one code
cell. From one lesson this script writes ``notebooks/<lesson>.ipynb`` (English prose) and
``notebooks/zh/<lesson>.ipynb`` (Chinese prose), both with the same code cells (the Chinese
lesson's first code cell also sets ``symlab.config.language = 'zh'``, so its widgets speak
Chinese: ``LANGUAGE_SETUP``), and runs each in a fresh kernel so that the stored outputs are
real outputs (widget state included).

    .venv/bin/python dev/course.py                  # build and run every lesson
    .venv/bin/python dev/course.py 04               # only lessons whose name starts with 04
    .venv/bin/python dev/course.py --check          # do the notebooks match their sources?

The tests (tests/course/) use ``lesson_cells`` and ``notebook_cells`` to check that the stored
notebooks were built from the current sources.
"""

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "dev" / "course"
NOTEBOOKS = ROOT / "notebooks"
LANGUAGES = {"en": NOTEBOOKS, "zh": NOTEBOOKS / "zh"}

EN_MARK, ZH_MARK, CODE_OPEN, CODE_CLOSE = "<!-- en -->", "<!-- zh -->", "```python", "```"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
CELL_TIMEOUT_S = 120


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of a lesson: ``kind`` is "markdown" or "code"; ``text`` maps a language to its source."""

    kind: str
    text: dict


class LessonError(ValueError):
    """A lesson source that does not follow the format in this module's docstring."""


def _prose_cell(lines, path, first_line):
    """Return the markdown Cell of one prose block (its lines), or None when the block is blank."""
    if not "".join(lines).strip():
        return None
    stripped = [line.strip() for line in lines]
    where = f"{path.name}, the prose block starting at line {first_line}"
    if stripped.count(EN_MARK) != 1 or stripped.count(ZH_MARK) != 1:
        raise LessonError(f"{where}: expected one {EN_MARK} line and one {ZH_MARK} line, "
                          f"found {stripped.count(EN_MARK)} and {stripped.count(ZH_MARK)}")
    en_at, zh_at = stripped.index(EN_MARK), stripped.index(ZH_MARK)
    if "".join(lines[:en_at]).strip() or not en_at < zh_at:
        raise LessonError(f"{where}: the block must start with {EN_MARK}, then {ZH_MARK}")
    en, zh = "".join(lines[en_at + 1:zh_at]).strip(), "".join(lines[zh_at + 1:]).strip()
    if not en or not zh:
        raise LessonError(f"{where}: the {'English' if not en else 'Chinese'} prose is empty")
    return Cell("markdown", {"en": en, "zh": zh})


def lesson_cells(path):
    """Parse one lesson source; returns its list of Cells, prose and code in order."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells, prose, prose_start, code, code_start = [], [], 1, None, 0
    for number, line in enumerate(lines, start=1):
        if code is None:
            if line.strip() == CODE_OPEN:
                cell = _prose_cell(prose, path, prose_start)
                if cell:
                    cells.append(cell)
                code, code_start = [], number
            else:
                prose.append(line)
        elif line.strip() == CODE_CLOSE:
            source = "".join(code).strip("\n")
            if not source.strip():
                raise LessonError(f"{path.name}, line {code_start}: an empty code cell")
            cells.append(Cell("code", {"en": source, "zh": source}))
            code, prose, prose_start = None, [], number + 1
        else:
            code.append(line)
    if code is not None:
        raise LessonError(f"{path.name}, line {code_start}: the code cell is never closed by {CODE_CLOSE}")
    cell = _prose_cell(prose, path, prose_start)
    if cell:
        cells.append(cell)
    if not cells or cells[0].kind != "markdown":
        raise LessonError(f"{path.name}: a lesson starts with a prose block (its title)")
    return cells


def lesson_sources():
    """Return the lesson source paths, in course order."""
    return sorted(SOURCES.glob("[0-9][0-9]-*.md"))


def notebook_path(source, language):
    """Return where the notebook of lesson ``source`` in ``language`` ("en" or "zh") is stored."""
    return LANGUAGES[language] / (Path(source).stem + ".ipynb")


def notebook_cells(notebook):
    """Return [(cell_type, source)] of a notebook (an nbformat node), in order."""
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


#: What the builder adds to the end of a lesson's first code cell in one language only: the
#: Chinese lessons ask for symlab's widgets in Chinese (``symlab.config.language``).
LANGUAGE_SETUP = {"zh": "\nimport symlab\nsymlab.config.language = 'zh'  # 小部件的文字用中文"}


def cell_sources(cells, language):
    """Return [(kind, source)] of the lesson ``cells`` as the notebook in ``language`` holds them.

    Every cell is its text in that language, and the first code cell also gets the
    language's ``LANGUAGE_SETUP`` lines.
    """
    sources, setup = [], LANGUAGE_SETUP.get(language, "")
    for cell in cells:
        text = cell.text[language]
        if cell.kind == "code" and setup:
            text, setup = text + setup, ""
        sources.append((cell.kind, text))
    return sources


def new_notebook(cells, language, stem):
    """Return an unexecuted nbformat notebook of the lesson ``cells`` in ``language``."""
    import nbformat.v4 as v4

    notebook = v4.new_notebook()
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    for index, (kind, text) in enumerate(cell_sources(cells, language)):
        make = v4.new_markdown_cell if kind == "markdown" else v4.new_code_cell
        # Stable cell ids keep rebuilt notebooks' diffs down to what changed.
        notebook.cells.append(make(text, id=f"{stem}-{index:02d}"))
    return notebook


def run_notebook(notebook, cwd):
    """Run ``notebook`` top to bottom in a fresh python3 kernel in ``cwd``; returns it with outputs.

    Widget state is stored in the notebook's metadata, so a reopened notebook draws its widgets.
    A cell that raises stops the build with nbclient's error naming the cell.
    """
    from nbclient import NotebookClient

    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name=KERNELSPEC["name"],
                            resources={"metadata": {"path": str(cwd)}}, store_widget_state=True,
                            record_timing=False)  # no timestamps: a rebuild diffs only in what changed
    client.execute()
    return notebook


def build(source, run=True):
    """Write lesson ``source``'s English and Chinese notebooks (run unless ``run`` is False).

    Returns {language: seconds the run took}.
    """
    import nbformat

    cells, seconds = lesson_cells(source), {}
    for language, folder in LANGUAGES.items():
        folder.mkdir(parents=True, exist_ok=True)
        notebook = new_notebook(cells, language, Path(source).stem)
        start = time.perf_counter()
        if run:
            run_notebook(notebook, NOTEBOOKS)
        seconds[language] = time.perf_counter() - start
        nbformat.write(notebook, notebook_path(source, language))
    return seconds


def differences(source):
    """Return a list of messages saying where the stored notebooks differ from lesson ``source``."""
    import nbformat

    cells, found = lesson_cells(source), []
    for language in LANGUAGES:
        path = notebook_path(source, language)
        if not path.exists():
            found.append(f"{path.relative_to(ROOT)} is missing")
            continue
        want = cell_sources(cells, language)
        have = notebook_cells(nbformat.read(path, as_version=4))
        if want != have:
            at = next((i for i, (w, h) in enumerate(zip(want, have)) if w != h), min(len(want), len(have)))
            found.append(f"{path.relative_to(ROOT)} differs from {Path(source).relative_to(ROOT)} "
                         f"from cell {at} on ({len(have)} cells stored, {len(want)} in the source)")
    return found


def main(argv=None):
    """Command line: build (and run) the lessons named, or all; with --check, only compare. Returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="name prefixes of the lessons to build (default: all)")
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ from their sources")
    parser.add_argument("--no-run", action="store_true", help="write the notebooks without running them")
    args = parser.parse_args(argv)
    sources = [s for s in lesson_sources() if not args.lessons or any(s.stem.startswith(p) for p in args.lessons)]
    if not sources:
        parser.error(f"no lesson in {SOURCES.relative_to(ROOT)} starts with {' or '.join(args.lessons)}")
    if args.check:
        problems = [message for source in sources for message in differences(source)]
        print("\n".join(problems) or f"{len(sources)} lessons: the notebooks match their sources")
        return 1 if problems else 0
    for source in sources:
        seconds = build(source, run=not args.no_run)
        print(f"{source.stem}: " + ", ".join(f"{lang} {s:.1f} s" for lang, s in seconds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
