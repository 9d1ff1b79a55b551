"""Python side of symlab's JupyterLab extension: it ships the prebuilt labextension.

The extension (built from ``extension/src`` with ``jlpm``) holds the views of
symlab's notebook widgets, registered as the widget module
``symlab-jupyterlab``; the widgets' Python classes live in ``symlab.notebook``.
"""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "symlab-jupyterlab"}]
