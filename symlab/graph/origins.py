"""Where the user's code built a node, written for people: ``file:line: source``.

Nodes record their origins as ``(filename, line)`` pairs (``Apply.origins``); error
messages of every layer (test values while a graph is built, failures inside a compiled
call) print them with ``origin_lines``, so that a notebook cell reads as IPython's own
tracebacks name it (``Cell In[5], line 6``) rather than as its temporary file.
"""

import linecache
import sys

__all__ = ["cell_name", "origin_lines"]


def cell_name(filename):
    """IPython's name for the cell that ``filename`` holds ('Cell In[5]'), or None for a real file.

    IPython is asked only when a program already imported it; symlab never imports it here.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    name_of = getattr(getattr(shell, "compile", None), "format_code_name", None)
    label = name_of(filename) if name_of is not None else None
    return " ".join(label) if label else None


def origin_lines(origins):
    """``file:line: source`` for each origin (the source text when Python can find it).

    A notebook cell reads as IPython's tracebacks name it: ``Cell In[5], line 6: source``.
    """
    lines = []
    for filename, line in origins:
        source = linecache.getline(filename, line).strip()
        cell = cell_name(filename)
        where = f"{cell}, line {line}" if cell else f"{filename}:{line}"
        lines.append(where + (f": {source}" if source else ""))
    return lines
