"""What the notebook widgets share: the front-end module, weak observers, values as data.

Everything a widget syncs is plain JSON data (dicts, lists, str, int,
float, bool, None): no HTML is built here, and NaN or infinities become
None, since the browser's JSON parser refuses them.
"""

import math
import weakref

import numpy as np

__all__ = ["MODULE", "MODULE_VERSION", "WeakObserver", "CellHook", "running_shell", "as_number", "as_data", "downsample",
           "function_name"]

#: The npm package (in ``extension/``) registering the widget models and views.
MODULE = "symlab-jupyterlab"
#: The version of its widget models and views this Python side speaks to.
MODULE_VERSION = "0.1.0"


class WeakObserver:
    """A shared-variable observer that does not keep its widget alive.

    The shared variable holds this small object; it calls ``method`` of the
    widget while the widget lives, and unsubscribes itself once it is gone.
    """

    __slots__ = ("_method", "__weakref__")

    def __init__(self, method):
        self._method = weakref.WeakMethod(method)

    def __call__(self, variable, event):
        method = self._method()
        if method is None:
            try:
                variable.unobserve(self)
            except ValueError:
                pass
            return
        method(variable, event)


class CellHook:
    """Calls ``method`` (of a widget) after each cell IPython runs (its ``post_run_cell``
    event): an event, not polling. Holds the widget weakly and removes itself once the
    widget is gone; ``remove()`` on ``close()``."""

    def __init__(self, method, shell):
        self._method = weakref.WeakMethod(method)
        self._events = shell.events
        self._events.register("post_run_cell", self)

    def __call__(self, result=None):
        method = self._method()
        if method is None:
            self.remove()
        else:
            method()

    def remove(self):
        try:
            self._events.unregister("post_run_cell", self)
        except ValueError:
            pass


def running_shell():
    """The running IPython shell, or None (IPython is imported only if it is loaded)."""
    import sys
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython
    return get_ipython()


def as_number(value):
    """A JSON-safe Python number: int, float, or None for NaN, infinities and non-numbers."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def as_data(array):
    """A NumPy array as nested lists of JSON-safe numbers (a scalar as a number)."""
    array = np.asarray(array)
    if array.dtype.kind == "c":
        array = array.real
    if array.ndim == 0:
        return as_number(array.item())
    return [as_data(row) for row in array] if array.ndim > 1 else \
        [as_number(v) for v in array.tolist()]


def downsample(array, limit):
    """Keep at most ``limit`` entries per axis, evenly spaced (first and last kept)."""
    array = np.asarray(array)
    for axis, size in enumerate(array.shape):
        if size > limit:
            keep = np.unique(np.linspace(0, size - 1, limit).round().astype(np.int64))
            array = np.take(array, keep, axis=axis)
    return array


def function_name(function):
    """How a compiled function is named in a widget: its ``name``, else the name the user's
    namespace binds it to (``g`` after ``g = function(...)``), else "(unnamed)"."""
    name = getattr(function, "name", None)
    if isinstance(name, str) and name:
        return name
    shell = running_shell()
    if shell is not None:
        bound = [key for key, value in list(shell.user_ns.items())
                 if value is function and not key.startswith("_")]
        if bound:
            return min(bound)
    return "(unnamed)"
