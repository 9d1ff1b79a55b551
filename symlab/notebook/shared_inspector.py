"""``SharedInspector``: the shared variables of a function or a namespace, live and editable.

Synced traits::

    rows   one dict per shared variable, in order:
             id         symlab's stable id (an int, the id of the JSON graph)
             name       the variable's name, else its key in the namespace, else ""
             dtype      e.g. "float64"; null for non-tensors (random states)
             shape      the value's shape, a list of ints
             device     "cpu" or "cuda"
             summary    {"min", "mean", "max"}: floats, or null (no finite number)
             preview    the value as numbers (a scalar as [x], nested lists for 2-d,
                        higher ranks folded to 2-d), at most PREVIEW_LIMIT per axis
             readers    the names of the live compiled functions reading it
             updaters   the names of those updating it
             editable   true for real (not complex) tensors of at most EDIT_LIMIT numbers
             value_text the value as text: when editable, nested lists of numbers
                        as NumPy writes them (``[[0.1, nan], [1.0, -inf]]``), the
                        form an edit sends back; else a short summary
    error  the message of the last failed edit, or ""
    texts  the widget's words (``labels.widget_texts("shared")``: the column heads...),
           in the language ``symlab.config.language`` names when the widget is made

The front end edits with the custom message
``{"action": "edit", "id": <id>, "text": "<numbers>"}`` (the id as an int
or its string; the text a number or nested lists of numbers: Python
literals plus ``nan`` and ``inf``, read without evaluating anything); Python code
calls ``inspector.edit(id_or_name, text_or_value)``. A value of the wrong
shape or dtype sets ``error`` and keeps the old value.

The inspector subscribes to each variable's notifications (``observe``):
a call that updates a variable, ``set_value`` or an RNG step refreshes its
row; nothing is polled. Inside IPython, notifications closer together than
``refresh_interval`` (0.25 s) are shown together, at the latest when the
cell ends (IPython's ``post_run_cell`` event), so that a training loop does
not flood the front end. It holds the shared variables but never a
compiled function (the readers and updaters are read from the variables'
weak registries at each refresh). ``close()`` unsubscribes.
"""

import ast
import time

import ipywidgets as widgets
import numpy as np
import traitlets

from symlab.compile.shared import SharedVariable
from symlab.notebook._common import (MODULE, MODULE_VERSION, CellHook, WeakObserver, as_data,
                                     as_number, downsample, function_name, running_shell)
from symlab.notebook.labels import widget_texts
from symlab.random.state import fingerprint, is_rng

__all__ = ["SharedInspector", "PREVIEW_LIMIT", "EDIT_LIMIT"]

#: The most numbers a row's preview keeps per axis.
PREVIEW_LIMIT = 32
#: The most numbers a variable may hold to be editable.
EDIT_LIMIT = 64


def _is_function(obj):
    return all(hasattr(obj, a) for a in ("graph_before", "graph_after", "trace"))


def _shared_of_function(function):
    return [v for v in function.graph_before.inputs if isinstance(v, SharedVariable)]


class SharedInspector(widgets.DOMWidget):
    """The shared variables of a compiled function, a namespace dict, or a list.

    ``SharedInspector(f)``, ``SharedInspector(get_ipython().user_ns)``,
    ``SharedInspector([w, b])``; with no argument, the running IPython's
    namespace, scanned again after each cell (IPython's ``post_run_cell``
    event) so that new variables appear. ``refresh()`` rescans a namespace
    and rebuilds every row (the readers of functions compiled since too).
    """

    _model_name = traitlets.Unicode("SharedInspectorModel").tag(sync=True)
    _view_name = traitlets.Unicode("SharedInspectorView").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    texts = traitlets.Dict().tag(sync=True)

    #: Seconds. Inside IPython, changes notified sooner than this after the last row
    #: refresh wait for the next notification past it, or for the end of the cell: a
    #: training loop does not send the front end a message per call. Outside IPython
    #: (no cell end to wait for) every notification refreshes at once.
    refresh_interval = 0.25

    # Until __init__ sets them: close() may run on a half-built widget.
    _variables = ()
    _cell_hook = None

    def __init__(self, f_or_namespace=None, **kwargs):
        super().__init__(**kwargs)
        self.texts = widget_texts("shared")
        shell = running_shell()
        if f_or_namespace is None:
            shell = _ipython()
            f_or_namespace = shell.user_ns
        self._namespace = None
        self._fixed = None
        if isinstance(f_or_namespace, dict):
            self._namespace = f_or_namespace
        elif _is_function(f_or_namespace):
            self._fixed = [(v, None) for v in _shared_of_function(f_or_namespace)]
        elif isinstance(f_or_namespace, SharedVariable):
            self._fixed = [(f_or_namespace, None)]
        elif isinstance(f_or_namespace, (list, tuple)):
            self._fixed = _variables_of_list(f_or_namespace)
        else:
            raise TypeError(f"SharedInspector: expected a compiled function, a namespace dict, a "
                            f"shared variable or a list of them; got "
                            f"{type(f_or_namespace).__name__}")
        self._variables = []  # [(shared variable, name)]
        self._dirty = set()   # ids of the variables changed since their rows were made
        self._last_change_refresh = -float("inf")
        self._observer = WeakObserver(self._on_change)
        self.on_msg(self._on_message)
        if shell is not None:
            self._cell_hook = CellHook(self._after_cell, shell)
        self.refresh()

    # ------------------------------------------------------------ rows

    @property
    def variables(self):
        """The shared variables shown, in row order."""
        return [v for v, _ in self._variables]

    def refresh(self):
        """Scan the namespace again (if any) and rebuild every row."""
        found = self._fixed if self._namespace is None else _variables_of_namespace(
            self._namespace)
        old = {id(v): v for v, _ in self._variables}
        new = {id(v): v for v, _ in found}
        for key, variable in old.items():
            if key not in new:
                _unobserve(variable, self._observer)
        for key, variable in new.items():
            if key not in old:
                variable.observe(self._observer)
        self._variables = list(found)
        self._dirty = set()
        self.rows = [_row(v, name) for v, name in self._variables]

    def _on_change(self, variable, event):
        self._dirty.add(id(variable))
        if self._cell_hook is not None and \
                time.monotonic() - self._last_change_refresh < self.refresh_interval:
            return  # shown with the next notification, or when the cell ends
        self._refresh_dirty_rows()
        self._last_change_refresh = time.monotonic()

    def _refresh_dirty_rows(self):
        dirty, self._dirty = self._dirty, set()
        rows = list(self.rows)
        for k, (mine, name) in enumerate(self._variables):
            if id(mine) in dirty and k < len(rows):
                rows[k] = _row(mine, name)
        self.rows = rows

    def _after_cell(self):
        if self._namespace is not None:
            self.refresh()
        elif self._dirty:
            self._refresh_dirty_rows()

    def close(self):
        """Unsubscribe from every variable, then close the widget."""
        for variable, _ in self._variables:
            _unobserve(variable, self._observer)
        self._variables = []
        if self._cell_hook is not None:
            self._cell_hook.remove()
            self._cell_hook = None
        super().close()

    # ------------------------------------------------------------ editing

    def edit(self, id_or_name, text_or_value):
        """Set a variable from a Python literal (text) or a value; return True if it was set.

        ``id_or_name``: the row's ``id`` (int or its string) or ``name``. A
        value of another shape, or one the dtype cannot hold (a float into
        an int variable, an int out of range, a complex number into a real
        one), sets ``error`` and keeps the old value.
        """
        try:
            variable, name = self._find(id_or_name)
            _edit(variable, name, text_or_value)
        except (KeyError, TypeError, ValueError) as exc:
            self.error = str(exc.args[0] if isinstance(exc, KeyError) else exc)
            return False
        if self._dirty:
            self._refresh_dirty_rows()  # an edit shows at once, however recent the last change
        self.error = ""
        return True

    def _find(self, id_or_name):
        for variable, name in self._variables:
            if str(variable.id) == str(id_or_name):
                return variable, name
        matches = [(v, n) for v, n in self._variables if (v.name or n) == id_or_name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise KeyError(f"edit: {len(matches)} shared variables are named {id_or_name!r}; "
                           f"use the row's id ({', '.join(str(v.id) for v, _ in matches)})")
        raise KeyError(f"edit: no shared variable with id or name {id_or_name!r} in this "
                       "inspector")

    def _on_message(self, widget, content, buffers):
        if not isinstance(content, dict) or content.get("action") != "edit":
            action = content.get("action") if isinstance(content, dict) else content
            self.error = f"SharedInspector: unknown message {action!r}; expected 'edit'"
            return
        if "id" not in content or not isinstance(content.get("text"), str):
            self.error = "SharedInspector: an edit message needs an 'id' and a 'text' string"
            return
        self.edit(content["id"], content["text"])

    def __repr__(self):
        return f"<SharedInspector: {len(self.rows)} shared variable(s)>"


# ---------------------------------------------------------------- sources

def _ipython():
    shell = running_shell()
    if shell is None:
        raise TypeError("SharedInspector(): with no argument it shows the IPython namespace, "
                        "but IPython is not running; pass a function, a dict or a list")
    return shell


def _variables_of_list(items):
    found, seen = [], set()
    for item in items:
        if isinstance(item, SharedVariable):
            variables = [item]
        elif _is_function(item):
            variables = _shared_of_function(item)
        else:
            raise TypeError(f"SharedInspector: the list holds a {type(item).__name__}; expected "
                            "shared variables or compiled functions")
        for variable in variables:
            if id(variable) not in seen:
                seen.add(id(variable))
                found.append((variable, None))
    return found


def _variables_of_namespace(namespace):
    """The shared variables that are values of ``namespace`` (names not starting with _)."""
    found, seen = [], set()
    for key, value in list(namespace.items()):
        if isinstance(key, str) and key.startswith("_"):
            continue
        if isinstance(value, SharedVariable) and id(value) not in seen:
            seen.add(id(value))
            found.append((value, key))
    return found


def _unobserve(variable, observer):
    try:
        variable.unobserve(observer)
    except ValueError:
        pass


# ---------------------------------------------------------------- one row

def _row(variable, key):
    value = variable.get_value(borrow=True)
    row = {"id": int(variable.id), "name": variable.name or key or "",
           "dtype": None, "shape": [], "device": str(variable.device),
           "summary": {"min": None, "mean": None, "max": None}, "preview": [],
           "readers": sorted(function_name(f) for f in variable.functions_reading()),
           "updaters": sorted(function_name(f) for f in variable.functions_updating()),
           "editable": False, "value_text": ""}
    dtype = getattr(variable.type, "dtype", None)
    if dtype is None or not hasattr(value, "shape"):
        row["value_text"] = _object_text(variable, value)
        return row
    array = np.asarray(value)
    row["dtype"] = str(dtype)
    row["shape"] = [int(s) for s in array.shape]
    row["summary"] = _summary(array)
    folded = array.reshape(-1, array.shape[-1]) if array.ndim > 2 else array
    preview = as_data(downsample(folded, PREVIEW_LIMIT))
    row["preview"] = preview if isinstance(preview, list) else [preview]
    row["editable"] = array.size <= EDIT_LIMIT and array.dtype.kind in "biuf"
    row["value_text"] = literal_text(array) if row["editable"] else \
        variable.type.value_summary(array)
    return row


def _summary(array):
    if array.size == 0 or array.dtype.kind not in "biuf":
        return {"min": None, "mean": None, "max": None}
    data = array.astype(np.float64) if array.dtype.kind == "b" else array
    finite = data[np.isfinite(data)] if data.dtype.kind == "f" else data
    if finite.size == 0:
        return {"min": None, "mean": None, "max": None}
    return {"min": as_number(float(finite.min())), "mean": as_number(float(finite.mean())),
            "max": as_number(float(finite.max()))}


def _object_text(variable, value):
    if is_rng(value):
        return f"{type(value).__name__} state {fingerprint(value)}"
    summarize = getattr(variable.type, "value_summary", None)
    try:
        return str(summarize(value)) if summarize is not None else f"<{type(value).__name__}>"
    except Exception:
        return f"<{type(value).__name__}>"


# ---------------------------------------------------------------- one edit

_NAMED_NUMBERS = {"nan": float("nan"), "inf": float("inf"), "True": True, "False": False}


def literal_text(array):
    """An array as the text ``parse_literal`` reads back: nested lists of numbers, each
    written as NumPy writes it in its own dtype (``0.1`` for a float32 0.1, ``nan``)."""
    array = np.asarray(array)
    if array.ndim == 0:
        return str(array[()])
    return "[" + ", ".join(literal_text(row) for row in array) + "]"


def parse_literal(text):
    """A number or nested lists (or tuples) of numbers from ``text``: Python literals plus
    ``nan`` and ``inf``. Nothing is evaluated; anything else raises ValueError."""
    tree = ast.parse(text.strip(), mode="eval")

    def value(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex)):
            return node.value
        if isinstance(node, ast.Name) and node.id in _NAMED_NUMBERS:
            return _NAMED_NUMBERS[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = value(node.operand)
            if isinstance(inner, (list, bool)):
                raise ValueError("a sign before a list")
            return -inner if isinstance(node.op, ast.USub) else +inner
        if isinstance(node, (ast.List, ast.Tuple)):
            return [value(item) for item in node.elts]
        raise ValueError(f"not a number: {ast.dump(node)[:40]}")

    return value(tree.body)

def _edit(variable, name, text_or_value):
    label = repr(variable.name or name or f"id {variable.id}")
    dtype = getattr(variable.type, "dtype", None)
    if dtype is None:
        raise TypeError(f"edit: the shared variable {label} holds a "
                        f"{type(variable.get_value(borrow=True)).__name__}, not a tensor; it "
                        "cannot be edited here")
    if isinstance(text_or_value, str):
        try:
            parsed = parse_literal(text_or_value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise ValueError(f"edit of {label}: could not read {text_or_value!r:.80} as a number "
                             "or a (nested) list of numbers; the old value is kept") from None
    else:
        parsed = text_or_value
    old = variable.get_value(borrow=True)
    try:
        given = np.asarray(parsed)
    except ValueError:
        given = np.asarray(parsed, dtype=object)
    if given.dtype == object or given.dtype.kind not in "biufc":
        raise TypeError(f"edit of {label}: expected numbers of dtype {dtype} in shape "
                        f"{tuple(old.shape)}, given {text_or_value!r:.80} (not a rectangular "
                        "array of numbers); the old value is kept")
    if given.shape != old.shape:
        raise ValueError(f"edit of {label}: expected shape {tuple(old.shape)}, given shape "
                         f"{given.shape}; the old value is kept")
    new = _cast(given, np.dtype(dtype), label)
    variable.set_value(new, borrow=True)


_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _cast(given, dtype, label):
    """``given`` in ``dtype`` if every value survives (floats may round into a float type)."""
    if _KIND_ORDER[given.dtype.kind] > _KIND_ORDER[dtype.kind]:
        exact = False
        if given.dtype.kind == "f" and dtype.kind in "iu":
            exact = bool(np.all(np.isfinite(given)) and np.all(given == np.round(given)))
        if not exact:
            raise TypeError(f"edit of {label}: expected dtype {dtype}, given {given.dtype} "
                            f"values that {dtype} cannot hold; the old value is kept")
    with np.errstate(all="ignore"):
        new = given.astype(dtype)
    if dtype.kind in "iub" and not np.array_equal(new.astype(given.dtype), given):
        raise TypeError(f"edit of {label}: expected dtype {dtype}, given values out of its "
                        f"range ({given.min()} to {given.max()}); the old value is kept")
    return new
