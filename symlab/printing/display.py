"""Rich display for notebooks, with no Jupyter import: ``_repr_mimebundle_``'s body.

The bundle holds ``text/plain`` (the ``debugprint``) and
``application/vnd.symlab.graph+json`` (``to_json``'s dict, which the
JupyterLab extension draws). ``include``/``exclude`` follow IPython's
protocol; a MIME type left out is not computed at all.

``image/svg+xml`` (``to_dot``'s drawing, rendered by Graphviz's ``dot``) is
given only on request, when ``include`` names it: it runs a program per
display and would be saved into every notebook beside the JSON the
extension draws from. Without ``dot`` on ``PATH`` it is left out.
"""

from symlab.printing.debugprint import debugprint
from symlab.printing.json_graph import MIME_TYPE, to_json

__all__ = ["mimebundle"]


def _plain_text(obj):
    return debugprint(obj, file="str").rstrip("\n")


def _svg(obj):
    """``to_dot``'s drawing as SVG text, or None when the ``dot`` program is missing."""
    from symlab.printing.dot import to_dot
    from symlab.printing.render import GraphvizNotFound, render_dot
    try:
        return render_dot(to_dot(obj), "svg").decode("utf-8")
    except GraphvizNotFound:
        return None


#: MIME type -> function of the object giving that representation, in bundle order.
_RENDERERS = {
    "text/plain": _plain_text,
    MIME_TYPE: to_json,
    "image/svg+xml": _svg,
}

#: MIME types computed only when ``include`` names them.
_ON_REQUEST = frozenset({"image/svg+xml"})


def mimebundle(obj, include=None, exclude=None):
    """Return the MIME bundle (a dict of MIME type to data) showing ``obj``'s graph."""
    bundle = {}
    for mime, render in _RENDERERS.items():
        if include is not None and mime not in include:
            continue
        if include is None and mime in _ON_REQUEST:
            continue
        if exclude is not None and mime in exclude:
            continue
        data = render(obj)
        if data is not None:
            bundle[mime] = data
    return bundle
