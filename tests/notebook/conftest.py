"""Fixtures of the notebook layer's tests: a real IPython shell, and messages as a front end sends them.

These tests need the ``notebook`` extra (IPython, ipywidgets); without it they are skipped.
"""

import pytest

pytest.importorskip("IPython")
pytest.importorskip("ipywidgets")


@pytest.fixture
def shell():
    """IPython's real shell with ``%load_ext symlab`` run; the namespace is cleared after."""
    from IPython.core.interactiveshell import InteractiveShell
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "symlab")
    before = set(ip.user_ns)
    yield ip
    for name in set(ip.user_ns) - before:
        del ip.user_ns[name]

