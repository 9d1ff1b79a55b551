"""Running Graphviz's ``dot`` program on DOT text: the bytes of an image.

Through the ``graphviz`` Python package when it is installed (imported
here, lazily: the core never imports it at module import time), through a
subprocess otherwise; both need the ``dot`` program on ``PATH``. Without it
the error says so, names the program and how to install it.
"""

import re
import shutil
import subprocess

__all__ = ["render_dot", "dot_program", "GraphvizNotFound"]

#: What a ``-T`` format may look like (``png``, ``svg``, ``pdf``, ``png:cairo``...).
_FORMAT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_.-]+)*$")


class GraphvizNotFound(RuntimeError):
    """The Graphviz program ``dot`` is not on ``PATH``."""


def dot_program(purpose="render a graph"):
    """Return the path of the ``dot`` program; raise ``GraphvizNotFound`` saying what
    was wanted (``purpose``) when it is not on ``PATH``."""
    path = shutil.which("dot")
    if path is None:
        raise GraphvizNotFound(
            f"the Graphviz program 'dot' is not on PATH, and it is needed to {purpose}. "
            f"Install Graphviz (apt-get install graphviz, brew install graphviz or "
            f"conda install graphviz); symlab.printing.to_dot(...) gives the DOT text "
            f"without it, and notebooks draw graphs in the browser without it.")
    return path


def render_dot(text, format="png", purpose=None):
    """Return the bytes of ``text`` (DOT) drawn by ``dot`` in ``format`` ('png', 'svg',
    'pdf', or any format ``dot -T`` knows). A format ``dot`` refuses raises
    ``ValueError`` with ``dot``'s own message (it lists the formats it knows)."""
    if not isinstance(format, str) or not _FORMAT.match(format):
        raise ValueError(f"format must be a Graphviz output format such as 'png', 'svg' or "
                         f"'pdf'; got {format!r}")
    program = dot_program(purpose or f"draw a graph as {format}")
    data = text.encode("utf-8")
    try:
        import graphviz
    except ImportError:
        graphviz = None
    if graphviz is not None:
        try:
            return graphviz.pipe("dot", format, data, quiet=True)
        except graphviz.ExecutableNotFound:
            dot_program(purpose or f"draw a graph as {format}")
            raise
        except graphviz.CalledProcessError as error:
            raise _refused(format, error.stderr) from None
        except ValueError:      # not in the package's list of formats: let dot decide
            pass
    done = subprocess.run([program, f"-T{format}"], input=data, capture_output=True)
    if done.returncode != 0:
        raise _refused(format, done.stderr)
    return done.stdout


def _refused(format, stderr):
    message = (stderr or b"").decode("utf-8", "replace").strip()
    return ValueError(f"dot could not draw the graph as {format!r}: {message}")
