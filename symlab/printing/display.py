"""Rich display for notebooks, with no Jupyter import: ``_repr_mimebundle_``'s body.

The bundle holds ``text/plain`` (the ``debugprint``) and
``application/vnd.symlab.graph+json`` (``to_json``'s dict, which the
JupyterLab extension draws). ``include``/``exclude`` follow IPython's
protocol; a MIME type left out is not computed at all.
"""

from symlab.printing.debugprint import debugprint
from symlab.printing.json_graph import MIME_TYPE, to_json

__all__ = ["mimebundle"]


def _plain_text(obj):
    return debugprint(obj, file="str").rstrip("\n")


#: MIME type -> function of the object giving that representation, in bundle order.
_RENDERERS = {
    "text/plain": _plain_text,
    MIME_TYPE: to_json,
}


def mimebundle(obj, include=None, exclude=None):
    """Return the MIME bundle (a dict of MIME type to data) showing ``obj``'s graph."""
    bundle = {}
    for mime, render in _RENDERERS.items():
        if include is not None and mime not in include:
            continue
        if exclude is not None and mime in exclude:
            continue
        bundle[mime] = render(obj)
    return bundle
