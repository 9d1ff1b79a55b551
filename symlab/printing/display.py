"""Rich display for notebooks, with no Jupyter import: ``_repr_mimebundle_``'s body.

``text/plain`` is the ``debugprint``. The JSON graph MIME type
(``application/vnd.symlab.graph+json``) joins it with the rewrites issue.
"""

from symlab.printing.debugprint import debugprint

__all__ = ["mimebundle"]


def mimebundle(obj, include=None, exclude=None):
    """Return the MIME bundle (a dict of MIME type to data) showing ``obj``'s graph."""
    bundle = {"text/plain": debugprint(obj, file="str").rstrip("\n")}
    if include is not None:
        bundle = {k: v for k, v in bundle.items() if k in include}
    if exclude is not None:
        bundle = {k: v for k, v in bundle.items() if k not in exclude}
    return bundle
