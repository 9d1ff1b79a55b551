"""Debugging compiled functions: errors that point home, NanGuardMode, intermediate values.

When a call fails inside the generated code, ``Function`` asks
``describe_failure`` which node was running (the traceback's line in the
generated source says) and re-raises the error with that node named as
``debugprint`` names it, its inputs' dtypes, shapes and ranges, and the
lines of the user's code that created it (``Apply.origins``, kept through
rewrites and fusion). ``NanGuardMode`` checks every node's outputs as the
call runs; ``intermediate_values`` runs a function once and keeps every value.
"""

import numpy as np

from symlab.compile.mode import Mode
from symlab.graph.basic import Constant
from symlab.graph.origins import origin_lines
from symlab.printing.debugprint import _label

__all__ = ["CallFailure", "NanGuardError", "NanGuardMode", "intermediate_values",
           "node_text", "value_text", "BIG_VALUE", "Instruments", "NodeValues"]

#: NanGuardMode's "huge value" threshold (Theano's): an absolute value above it is an error.
BIG_VALUE = 1e10


class NanGuardError(FloatingPointError):
    """NanGuardMode found a NaN, an infinity or a huge value in a node's output.

    ``kind`` is ``"nan"``, ``"inf"`` or ``"big"``.
    """

    def __init__(self, message, kind="nan"):
        super().__init__(message)
        self.kind = kind


class CallFailure:
    """What went wrong in a call: ``f.last_failure``.

    ``node`` (an Apply of ``f.graph_after``) and ``node_id`` (its id, the one
    ``to_json`` and ``debugprint(ids='id')`` use); ``kind``: ``"error"``, or
    NanGuardMode's ``"nan"``, ``"inf"``, ``"big"``; ``message``: the text of
    the error raised; ``origins``: ``((filename, line), ...)`` where the user
    created the node; ``exception``: the error raised.
    """

    def __init__(self, node, kind, message, exception):
        self.node = node
        self.node_id = node.id
        self.kind = kind
        self.message = message
        self.origins = node.origins
        self.exception = exception

    def __repr__(self):
        return f"<CallFailure {self.kind} at {node_text(self.node)}>"


def node_text(node):
    """A node as ``debugprint(..., ids='id')`` names it: ``add [id 42] 'z'``."""
    first = node.outputs[0] if node.outputs else None
    op = _label(first, False) if len(node.outputs) == 1 else str(node.op)
    name = f" '{first.name}'" if first is not None and first.name else ""
    return f"{op} [id {node.id}]{name}"


def value_text(value):
    """dtype, shape and (for numbers) the range and NaN/inf counts of a value."""
    try:
        array = np.asarray(value)
    except Exception:  # a value NumPy cannot read still gets named
        return type(value).__name__
    text = f"{array.dtype} {tuple(array.shape)}"
    if array.dtype.kind in "biuf" and array.size:
        with np.errstate(all="ignore"):
            finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
            if finite.size:
                text += f", min {finite.min():.4g}, max {finite.max():.4g}"
            if array.dtype.kind == "f":
                nan, inf = int(np.isnan(array).sum()), int(np.isinf(array).sum())
                if nan:
                    text += f", {nan} nan"
                if inf:
                    text += f", {inf} inf"
    return text


def _source_text(var):
    """Where an input of a node comes from: its name, a constant, or the node computing it."""
    if var.owner is not None:
        index = f" output {var.index}" if len(var.owner.outputs) > 1 else ""
        return node_text(var.owner) + index
    return var.name or str(var)


def _failing_frame(lowered, exc):
    """The frame of the generated code in ``exc``'s traceback, and its line; or (None, None)."""
    found = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == lowered.filename:
            found = (tb.tb_frame, tb.tb_lineno)
        tb = tb.tb_next
    return found


def describe_failure(function_label, lowered, exc):
    """Return ``(CallFailure, message)`` for ``exc`` raised by ``lowered``'s code, or None.

    The message is ``exc``'s own text followed by the node, its inputs
    (as the call saw them when it failed) and the user's lines.
    """
    frame, line = _failing_frame(lowered, exc)
    k = None if frame is None else lowered.node_at_line(line)
    if k is None:
        return None
    node = lowered.nodes[k]
    values = frame.f_locals
    lines = [f"symlab: {function_label} failed at node {node_text(node)} "
             "(ids as debugprint(..., ids='id') prints them)"]
    for position, (var, name) in enumerate(zip(node.inputs, lowered.input_names[k])):
        if isinstance(var, Constant):
            shown = value_text(var.data)
        elif name in values:
            shown = value_text(values[name])
        else:
            shown = "(not available)"
        lines.append(f"  input {position} ({_source_text(var)}): {shown}")
    where = origin_lines(node.origins)
    if where:
        lines.append("  created at " + where[0])
        lines.extend(f"         and {w}" for w in where[1:])
    else:
        lines.append("  created at: unknown (the node was built outside Python source)")
    text = str(exc)
    message = (text + "\n" if text else "") + "\n".join(lines)
    kind = exc.kind if isinstance(exc, NanGuardError) else "error"
    return CallFailure(node, kind, message, exc), message


def rebuilt_exception(exc, message):
    """An exception of ``exc``'s type carrying ``message``, or None if the type refuses one."""
    try:
        new = type(exc)(message)
    except Exception:
        return None
    # The error's own attributes (NanGuardError's kind, DebugMode's node...) come along.
    new.__dict__.update(exc.__dict__)
    if str(new) != message:
        return None
    return new


# ---------------------------------------------------------------- NanGuardMode

class Instruments:
    """What a mode runs beside one compiled function (``Mode.instrument``).

    ``after_node(k, inputs, outputs)``: called by the generated code once node
    ``k`` has run (or None); ``wrap(fn)``: the callable a call runs instead of
    the generated ``fn`` (default: ``fn`` itself).
    """

    def __init__(self, after_node=None, wrap=None):
        self.after_node = after_node
        self.wrap = wrap if wrap is not None else (lambda fn: fn)


class NodeValues:
    """The values one call of a function's generated code has computed so far.

    The per-node probe feeds it: ``start(values)`` with the generated code's
    arguments (the function's inputs, then its shared values), ``record(k,
    outputs)`` once node ``k`` has run. ``value_of(var)`` and ``inputs_of(k)``
    read the values as they are now (an in-place node's write shows).
    """

    def __init__(self, fgraph, nodes):
        self.leaves = list(fgraph.inputs)
        self.nodes = nodes
        self.current = {}

    def start(self, values):
        """Begin a call whose generated code receives ``values``."""
        self.current = dict(zip(self.leaves, values))

    def record(self, k, outputs):
        """Node ``k`` computed ``outputs``."""
        for var, value in zip(self.nodes[k].outputs, outputs):
            self.current[var] = value

    def value_of(self, var):
        """The value of ``var`` now (a constant's data, or what the call computed)."""
        if isinstance(var, Constant):
            return var.data
        return self.current[var]

    def inputs_of(self, k):
        """The values node ``k``'s inputs have now, in order."""
        return [self.value_of(v) for v in self.nodes[k].inputs]

    def stop(self):
        """End the call: forget its values."""
        self.current = {}


class NanGuardMode(Mode):
    """A mode whose calls check every node's outputs for NaN, infinities and huge values.

    ``NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=True)``:
    a call stops at the first node whose output breaks a rule, raising
    ``NanGuardError`` naming that node, its inputs and the user's line. Huge
    means an absolute value above ``BIG_VALUE`` (1e10). So that the node named
    is one operation and its inputs are shown as they were, this mode does
    not fuse elementwise ops and computes nothing in place (add
    ``include=("fuse_elementwise",)`` to fuse anyway). ``including``,
    ``excluding`` and ``clone`` keep the three rules.
    """

    def __init__(self, nan_is_error=True, inf_is_error=True, big_is_error=True,
                 optimizer="fast_run", linker=None, include=(), exclude=()):
        given = Mode(optimizer=optimizer, include=include, exclude=exclude)
        unfused = tuple(n for n in ("fuse_elementwise", "inplace") if n not in given.include)
        super().__init__(optimizer=given.optimizer, include=given.include,
                         exclude=given.exclude + unfused, name="NanGuardMode")
        self._given_include, self._given_exclude = given.include, given.exclude
        self.nan_is_error = bool(nan_is_error)
        self.inf_is_error = bool(inf_is_error)
        self.big_is_error = bool(big_is_error)

    def _arguments(self):
        return {"nan_is_error": self.nan_is_error, "inf_is_error": self.inf_is_error,
                "big_is_error": self.big_is_error, "optimizer": self.optimizer,
                "include": self._given_include, "exclude": self._given_exclude}

    def instrument(self, function, nodes):
        """Check each node's outputs as the call runs; NumPy's own warnings stay silent."""
        return Instruments(self._checker(nodes), self.quiet)

    def probe(self, nodes):
        """The Probe that checks each node's outputs."""
        from symlab.backends.numpy_backend import Probe
        return Probe(after_node=self._checker(nodes))

    @staticmethod
    def quiet(fn):
        """Wrap the generated function: NumPy's warnings about NaN and overflow stay silent,
        since the guard itself reports the first one, with its node."""

        def guarded(*values):
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                return fn(*values)

        return guarded

    def _checker(self, nodes):
        nan, inf, big = self.nan_is_error, self.inf_is_error, self.big_is_error

        def check(k, inputs, outputs):
            for index, value in enumerate(outputs):
                problem = _problem(value, nan, inf, big)
                if problem is not None:
                    kind, what = problem
                    where = f" (output {index})" if len(outputs) > 1 else ""
                    raise NanGuardError(f"NanGuardMode: {node_text(nodes[k])}{where} "
                                        f"produced {what}", kind)

        return check

    def __repr__(self):
        return (f"NanGuardMode(nan_is_error={self.nan_is_error}, "
                f"inf_is_error={self.inf_is_error}, big_is_error={self.big_is_error})")


def _problem(value, nan, inf, big):
    """``(kind, text)`` for the first rule ``value`` breaks, or None."""
    value = np.asarray(value)
    kind = value.dtype.kind
    if kind not in "iufc":
        return None
    with np.errstate(all="ignore"):
        if kind in "fc":
            if nan and np.isnan(value).any():
                return "nan", f"{int(np.isnan(value).sum())} NaN value(s)"
            if inf and np.isinf(value).any():
                return "inf", f"{int(np.isinf(value).sum())} infinite value(s)"
            value = value[np.isfinite(value)]
        if big and value.size:
            largest = float(np.abs(value.astype(np.float64)).max())
            if largest > BIG_VALUE:
                return "big", f"a value of magnitude {largest:.4g} (above {BIG_VALUE:g})"
    return None


# ---------------------------------------------------------------- intermediate values

def intermediate_values(function, *args, **kwargs):
    """Run ``function`` once on ``args`` and return the value of every variable of its graph.

    The result maps each variable of ``function.graph_after`` (its inputs,
    shared variables, constants, and every output of every node) to the
    value it had in that call; each value is a copy taken right after its
    node ran, so in-place operations later in the call do not change it.
    ``function`` itself is not changed: no update is stored, shared values
    and the arrays passed in are left as they were.
    """
    from symlab.backends.numpy_backend import Probe, lower
    fgraph = function.graph_after
    given = function._input_values(args, kwargs)
    values = [_copied(v) for v in given]
    kept = {}
    lowered = function.__dict__.get("_keeping_lowered")
    if lowered is None:
        holder = {}

        def keep(k, inputs, outputs):
            for var, value in zip(holder["nodes"][k].outputs, outputs):
                holder["kept"][var] = _copied(value)

        lowered = lower(fgraph, name="symlab_intermediate_values", probe=Probe(after_node=keep))
        holder["nodes"] = lowered.nodes
        function._keeping_lowered = (lowered, holder)
    else:
        lowered, holder = lowered
    holder["kept"] = kept
    try:
        lowered.fn(*values)
    finally:
        holder["kept"] = None
    result = {var: _copied(value) for var, value in zip(fgraph.inputs, given)}
    for node in fgraph.apply_nodes:
        for var in node.inputs:
            if isinstance(var, Constant):
                result[var] = var.data
    result.update(kept)
    return result


def _copied(value):
    return value.copy() if isinstance(value, np.ndarray) else value
