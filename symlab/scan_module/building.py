"""``scan``: Theano's loop builder, turning a Python step function into a ``Scan`` node.

``fn`` is called once, on symbolic stand-ins for one step's values (a row
of each sequence per tap, the earlier values of each output per tap, then
the non-sequences themselves); what it returns becomes the loop's body.

Which nodes are the body? Those ``fn`` built (node ids are handed out in
order, so they are the nodes newer than the stand-ins), and those that read
a shared variable the loop updates. Everything older that the body reads (a
non-sequence, a matrix computed before, a shared variable it does not update)
is computed once, outside, and fed to the loop as a non-sequence.

A shared variable updated inside the loop (by ``fn``'s updates, or by its
``default_update``: the state of a random variable drawn in ``fn``) becomes a
carry: the body reads its value at the start of the step and gives the next
one. ``scan`` returns its last value among the updates; a random state's
``default_update`` is set to it too, so a function computing the loop
advances the state by every step's draw even when the updates are not
passed on.
"""

from collections import OrderedDict

import numpy as np

from symlab.compile.shared import SharedVariable
from symlab.config import config
from symlab.graph import test_value
from symlab.graph.basic import Constant, Variable, next_id
from symlab.graph.traversal import ancestors, clone_replace, toposort
from symlab.scan_module.op import Scan
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["scan", "until"]


def _describe(var):
    return f"{var} of type {var.type}"


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _tensor(value, what):
    """``value`` as a tensor variable (NumPy's dtype for plain values), or a TypeError."""
    if isinstance(value, Variable):
        if not isinstance(value.type, TensorType):
            raise TypeError(f"scan: {what} must be a tensor; got {value} of type {value.type}")
        return value
    try:
        return as_tensor_variable(np.asarray(value))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"scan: {what} must be a tensor or an array; got {value!r:.60} "
                        f"({exc})") from None


def _taps(taps, what):
    if isinstance(taps, (int, np.integer)):
        taps = [taps]
    if not isinstance(taps, (list, tuple)) or not taps or not all(
            isinstance(t, (int, np.integer)) and not isinstance(t, bool) for t in taps):
        raise TypeError(f"scan: {what}: taps must be a non-empty list of ints; got {taps!r}")
    return [int(t) for t in taps]


def _placeholder(var_type, name):
    """A fresh inner variable of ``var_type`` (a plain Variable for non-tensor types)."""
    if isinstance(var_type, TensorType):
        return var_type.make_variable(name=name)
    return Variable(var_type, name=name)


def _state_type(t):
    """The type of a value carried from step to step: sizes other than 1 may change."""
    return TensorType(t.dtype, tuple(1 if s == 1 else None for s in t.shape))


def _tap_name(base, tap):
    return f"{base}[t]" if tap == 0 else f"{base}[t{tap:+d}]"


# ---------------------------------------------------------------- arguments

class _Sequence:
    def __init__(self, k, entry):
        what = f"sequences[{k}]"
        if isinstance(entry, dict):
            unknown = set(entry) - {"input", "taps"}
            if unknown or "input" not in entry:
                raise TypeError(f"scan: {what} must be a tensor or a dict with keys 'input' "
                                f"and 'taps'; got the keys {sorted(entry)}")
            var, taps = entry["input"], entry.get("taps", [0])
        else:
            var, taps = entry, [0]
        self.var = _tensor(var, what)
        if self.var.type.ndim < 1:
            raise TypeError(f"scan: {what} must have at least one dimension (the steps run "
                            f"along the first); got {_describe(self.var)}")
        self.taps = _taps(taps, what)
        self.label = what + (f" ({self.var.name})" if self.var.name else "")
        base = self.var.name or what
        row = TensorType(self.var.type.dtype, self.var.type.shape[1:])
        self.placeholders = [_placeholder(row, _tap_name(base, t)) for t in self.taps]

    def slices(self, go_backwards):
        """One outer sequence per tap: row t of slice k is the sequence at t + tap k."""
        taps, var = self.taps, self.var
        high, low = max(max(taps), 0), min(min(taps), 0)
        result = []
        for tap in taps:
            start = tap - low
            stop = None if tap == high else tap - high
            piece = var if (start == 0 and stop is None) else var[start:stop]
            result.append(piece[::-1] if go_backwards else piece)
        return result


class _Output:
    """One entry of ``outputs_info``: None (a nit-sot) or a recurrent output with taps."""

    def __init__(self, k, entry):
        what = f"outputs_info[{k}]"
        self.k = k
        self.taps, self.init, self.window = [], None, False
        if isinstance(entry, dict):
            unknown = set(entry) - {"initial", "taps"}
            if unknown:
                raise TypeError(f"scan: {what}: unknown key(s) {sorted(unknown)}; a dict "
                                "entry has 'initial' and 'taps'")
            init = entry.get("initial")
            taps = entry.get("taps", [-1])
        else:
            init, taps = entry, [-1]
        if init is None:
            self.label = f"output {k}"
            return
        self.init = _tensor(init, what)
        self.taps = _taps(taps, what)
        if any(t >= 0 for t in self.taps):
            raise ValueError(f"scan: {what}: output taps must be negative (a step reads only "
                             f"values of earlier steps); got {self.taps}")
        self.depth = -min(self.taps)
        self.label = what + (f" ({self.init.name})" if self.init.name else "")
        self.window = self.taps != [-1]
        if self.window:
            t = self.init.type
            if t.ndim < 1:
                raise TypeError(f"scan: {what}: with taps {self.taps} the initial value holds "
                                f"the first {self.depth} values along a new first axis; got "
                                f"{_describe(self.init)}")
            if t.shape[0] is not None and t.shape[0] < self.depth:
                raise ValueError(f"scan: {what}: taps {self.taps} need {self.depth} initial "
                                 f"values; the initial value has {t.shape[0]}")
            self.state = _state_type(TensorType(t.dtype, t.shape[1:]))
        else:
            self.state = _state_type(self.init.type)
        base = self.init.name or f"outputs_info[{k}]"
        self.lags = {lag: _placeholder(self.state, _tap_name(base, -lag))
                     for lag in range(1, self.depth + 1)}
        self.placeholders = [self.lags[-t] for t in self.taps]

    def first_values(self):
        """The first value of each lag, lag 1 first (the window's rows, newest first)."""
        if not self.window:
            return [self.init]
        return [self.init[self.depth - lag] for lag in range(1, self.depth + 1)]


def _steps(n_steps):
    """``(n_steps as a variable or None, go backwards)`` from scan's n_steps argument."""
    if n_steps is None:
        return None, False
    if isinstance(n_steps, (int, np.integer)) and not isinstance(n_steps, bool):
        n = int(n_steps)
        return as_tensor_variable(np.int64(abs(n))), n < 0
    if isinstance(n_steps, Variable):
        if not isinstance(n_steps.type, TensorType) or n_steps.type.ndim != 0 \
                or dtype_kind(n_steps.type.dtype) not in ("int", "uint"):
            raise TypeError(f"scan: n_steps must be an int or an integer scalar; got "
                            f"{_describe(n_steps)}")
        if n_steps.type.dtype != "int64":
            from symlab.tensor.math import cast
            n_steps = cast(n_steps, "int64")
        return n_steps, False
    raise TypeError(f"scan: n_steps must be an int or an integer scalar; got {n_steps!r:.60}")


# ---------------------------------------------------------------- what fn returned

class until:
    """``return h, until(h > limit)``: end the loop after the first step where the scalar
    condition is true (Theano's ``theano.scan_module.until``); that step's outputs are
    kept, and ``n_steps`` (or the sequences) bounds the number of steps."""

    def __init__(self, condition):
        condition = condition if isinstance(condition, Variable) else _tensor(
            condition, "the until condition")
        if not isinstance(condition.type, TensorType) or condition.type.ndim != 0:
            raise TypeError(f"scan: until's condition must be a scalar; got "
                            f"{_describe(condition)}")
        self.condition = condition


def _is_updates(value):
    if isinstance(value, dict):
        return True
    return (isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], SharedVariable)
        for p in value))


def _split_result(result):
    """``(outputs, update pairs, until condition or None)`` from what ``fn`` returned
    (Theano's forms: outputs, updates, or both, in either order; an ``until`` with them)."""
    condition = None
    if isinstance(result, until):
        return [], [], result.condition
    if isinstance(result, (list, tuple)) and any(isinstance(r, until) for r in result):
        conditions = [r for r in result if isinstance(r, until)]
        if len(conditions) > 1:
            raise TypeError("scan: fn returned more than one until")
        condition = conditions[0].condition
        result = [r for r in result if not isinstance(r, until)]
        result = result[0] if len(result) == 1 else result
    outputs, pairs = _outputs_and_updates(result)
    return outputs, pairs, condition


def _pairs(updates):
    return list(updates.items() if isinstance(updates, dict) else updates)


def _outputs_and_updates(result):
    """``(outputs, update pairs)`` from what ``fn`` returned, without its until: outputs,
    updates (a dict or a list of pairs), ``(outputs, updates)``, ``(updates, outputs)``, or
    the outputs listed with the updates last (``h, y, {s: s + 1}``)."""
    if result is None:
        return [], []
    if _is_updates(result):
        return [], _pairs(result)
    if isinstance(result, (list, tuple)) and len(result) >= 2:
        first, last = result[0], result[-1]
        if _is_updates(last) and not isinstance(last, Variable):
            outputs = result[0] if len(result) == 2 else list(result[:-1])
            return _as_list(outputs), _pairs(last)
        if len(result) == 2 and _is_updates(first) and not isinstance(first, Variable):
            return _as_list(last), _pairs(first)
    return _as_list(result), []


def _inner_nodes(roots, mark):
    """The nodes newer than ``mark`` that ``roots`` depend on through newer nodes only."""
    found = set()
    stack = [v.owner for v in roots if v.owner is not None and v.owner.id > mark]
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(v.owner for v in node.inputs
                     if v.owner is not None and v.owner.id > mark and v.owner not in found)
    return found


def _outer_values(roots, mark, inner_leaves):
    """The variables the body reads from outside (not built by ``fn``), in order of use."""
    found = _inner_nodes(roots, mark)
    boundary = set()
    for node in found:
        boundary.update(v for v in node.inputs if v.owner not in found)
    boundary.update(v for v in roots if v.owner not in found)
    ordered = {}
    for node in toposort(roots, stop_at=boundary):
        ordered.update((v, None) for v in node.inputs if v in boundary)
    ordered.update((v, None) for v in roots if v in boundary)
    return [v for v in ordered if v not in inner_leaves and not isinstance(v, Constant)]


def _fits(state, value):
    accepts = getattr(state, "accepts_replacement", None)
    return accepts(value) if accepts is not None else state == value


# ---------------------------------------------------------------- scan

def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None,
         truncate_gradient=-1, go_backwards=False, mode=None, name=None, profile=False,
         allow_gc=None, strict=False, return_list=False):
    """Loop ``fn`` over ``sequences``, feeding back ``outputs_info``: Theano's ``scan``.

    ``fn(*rows, *earlier_outputs, *non_sequences)`` gets, per step, one row
    of each sequence per tap (``{'input': x, 'taps': [-1, 0]}``: ``x[t-1]``
    then ``x[t]``; default tap 0), the earlier values of each fed-back output
    per tap (``{'initial': h0, 'taps': [-2, -1]}``; a plain ``h0`` is tap
    -1; ``None``: the output is not fed back), then the non-sequences. It
    returns the step's outputs (one per ``outputs_info`` entry), optionally
    with a dict of shared-variable updates (``return h, {s: s + 1}``) and an
    ``until(condition)`` ending the loop after the first step where it holds.

    Returns ``(outputs, updates)``: each output stacked over the steps (one
    variable, or a list when there are several; None when there are none),
    and an ``OrderedDict`` giving the last value of every shared variable the
    loop updates (random states included): pass it to ``function(...,
    updates=updates)``. ``n_steps`` defaults to the shortest sequence; a
    negative int runs backwards. ``go_backwards`` runs over the sequences
    from their end. ``truncate_gradient``: backpropagate through the last
    that many steps only (-1: all). ``mode``, ``profile`` and ``allow_gc``
    are accepted for Theano's callers and ignored (the function compiling
    the loop decides); ``strict=True`` raises ``MissingInputError`` for a shared
    variable ``fn`` reads (itself or through a value computed before the loop)
    that is not in ``non_sequences`` (random states and non-shared variables are
    exempt, as in Theano).
    """
    if not callable(fn):
        raise TypeError(f"scan: fn must be callable (the step function); got {fn!r:.60}")
    seqs = [_Sequence(k, entry) for k, entry in enumerate(_as_list(sequences))]
    info_given = outputs_info is not None and _as_list(outputs_info) != []
    outs = [_Output(k, entry) for k, entry in enumerate(_as_list(outputs_info))]
    non_seqs = [value if isinstance(value, Variable) else _tensor(value, f"non_sequences[{k}]")
                for k, value in enumerate(_as_list(non_sequences))]
    n, backwards = _steps(n_steps)
    go_backwards = bool(go_backwards) != backwards
    if n is None and not seqs:
        raise ValueError("scan: the number of steps is unknown: give sequences, or n_steps")

    if config.compute_test_value != "off":
        _first_step_test_values(seqs, outs, go_backwards)

    # fn builds the body on stand-ins; the nodes newer than `mark` are its own
    seq_args = [p for s in seqs for p in s.placeholders]
    out_args = [p for o in outs if o.init is not None for p in o.placeholders]
    mark = next_id.value
    outputs, update_pairs, condition = _split_result(fn(*seq_args, *out_args, *non_seqs))
    outputs = _checked_outputs(outputs, outs, info_given)
    if not info_given:
        outs = [_Output(k, None) for k in range(len(outputs))]
    conditions = [] if condition is None else [condition]
    updates, defaults = _loop_updates(update_pairs, outputs + conditions, mark)
    if not outputs and not updates:
        raise ValueError("scan: fn returned no output and no update: the loop would compute "
                         "nothing")

    # shared variables the loop updates are read through stand-ins too, then everything
    # else the body reads from outside becomes a non-sequence
    states = list(updates)
    state_args = {s: _placeholder(s.type, s.name) for s in states}
    body = clone_replace(outputs + list(updates.values()) + conditions, state_args)
    own = set(seq_args) | set(state_args.values())
    for o in outs:
        if o.init is not None:
            own.update(o.lags.values())
    outer = list(dict.fromkeys(v for v in non_seqs
                               if not isinstance(v, Constant) and v not in updates))
    outer += [v for v in _outer_values(body, mark, own) if v not in outer]
    if strict:
        _check_strict(outer, non_seqs, updates)
    outer_args = {v: _placeholder(v.type, v.name) for v in outer}
    body = clone_replace(body, outer_args) if outer_args else body

    node, n_lags = _loop(seqs, outs, states, state_args, outer, outer_args, body, n,
                         go_backwards, truncate_gradient, name)
    results = list(node.outputs[:len(outs)])
    new_updates = OrderedDict()
    for k, s in enumerate(states):
        new_updates[s] = final = node.outputs[len(outs) + n_lags + k]
        if s in defaults:
            s.default_update = final
    if return_list:
        return results, new_updates
    if not results:
        return None, new_updates
    return (results[0] if len(results) == 1 else results), new_updates


def _first_step_test_values(seqs, outs, go_backwards):
    """Give the stand-ins fn receives the test values of the first step (Theano's rule):
    each sequence's first row per tap, each fed-back output's initial values. An outer
    value without a test value is reported as ``compute_test_value`` says."""
    for s in seqs:
        value = test_value.test_value_of(s.var)
        if value is None:
            test_value.report_missing(s.var, f"scan's {s.label}")
            continue
        high, low = max(max(s.taps), 0), min(min(s.taps), 0)
        rows = len(value) - (high - low)
        if rows < 1:
            test_value.report_missing(s.var, f"the first step of scan's {s.label} (its test "
                                             f"value has {len(value)} rows)")
            continue
        for tap, placeholder in zip(s.taps, s.placeholders):
            row = tap - high - 1 if go_backwards else tap - low
            placeholder.tag.test_value = value[row]
    for out in outs:
        if out.init is None:
            continue
        value = test_value.test_value_of(out.init)
        if value is None:
            test_value.report_missing(out.init, f"scan's {out.label}")
            continue
        for lag, placeholder in out.lags.items():
            placeholder.tag.test_value = value[out.depth - lag] if out.window else value


def _check_strict(outer, non_seqs, updates):
    """``strict=True``: raise MissingInputError naming the shared variables fn reads, itself or
    through values computed before the loop, that are not in ``non_sequences`` (Theano's rule).

    Exempt, as in Theano: the shared variables the loop updates, random states (those with
    a ``default_update``), and variables that are not shared (a symbolic input, say).
    """
    from symlab.graph.fgraph import MissingInputError
    given = set(non_seqs)
    hidden = {}
    for value in outer:
        if value in given:
            continue
        for var in ancestors([value], stop_at=given):
            if isinstance(var, SharedVariable) and var not in given and var not in updates \
                    and var.default_update is None:
                hidden.setdefault(var, value)
    if hidden:
        names = ", ".join(str(var) if var is value else f"{var} (through {value})"
                          for var, value in hidden.items())
        raise MissingInputError(f"scan(strict=True): fn reads the shared variable(s) {names} "
                                "without their being in non_sequences; pass them in "
                                "non_sequences (fn then takes them as its last arguments)")


def _checked_outputs(values, outs, info_given):
    """fn's outputs as tensors, one per ``outputs_info`` entry, fed-back ones well typed."""
    outputs = []
    for k, value in enumerate(values):
        try:
            outputs.append(value if isinstance(value, Variable) else as_tensor_variable(value))
        except TypeError as exc:
            raise TypeError(f"scan: output {k} of fn must be a symbolic tensor; got "
                            f"{value!r:.60} ({exc})") from None
    if info_given and len(outputs) != len(outs):
        raise ValueError(f"scan: fn returned {len(outputs)} output(s) but outputs_info has "
                         f"{len(outs)} entr{'y' if len(outs) == 1 else 'ies'}; give one entry "
                         "per output, None for an output that is not fed back")
    for out, var in zip(outs, outputs):
        if out.init is not None:
            _check_fed_back(out, var)
    return outputs


def _loop_updates(pairs, roots, mark):
    """The shared variables the loop updates: ``(OrderedDict of their new values, those
    updated by their default_update)``. ``pairs`` are fn's updates; a shared variable the
    body reads that has a ``default_update`` (a random state) is updated by it."""
    updates = OrderedDict()
    for key, value in pairs:
        updates[_check_update_target(key)] = _check_update(key, value)
    defaults = []
    added = True
    while added:        # a default update may read more shared variables
        added = False
        for var in _outer_values(roots + list(updates.values()), mark, set()):
            if isinstance(var, SharedVariable) and var.default_update is not None \
                    and var not in updates:
                updates[var] = _check_update(var, var.default_update)
                defaults.append(var)
                added = True
    return updates, defaults


def _loop(seqs, outs, states, state_args, outer, outer_args, body, n, go_backwards,
          truncate_gradient, name):
    """The Scan node: sequences | carries (recurrent lags, then shared states) |
    non-sequences. Returns ``(node, number of recurrent lags)``."""
    n_out = len(outs)
    body_outputs = body[:n_out]
    body_updates = body[n_out:n_out + len(states)]
    body_condition = body[n_out + len(states):]
    inner_inputs, outer_inputs, input_labels = [], [], []
    for s in seqs:
        inner_inputs += s.placeholders
        outer_inputs += s.slices(go_backwards)
        input_labels += [s.label if len(s.taps) == 1 else f"{s.label} tap {t}" for t in s.taps]
    carry_next, nitsot_like, output_labels, carry_labels = [], [], [], []
    for out, value in zip(outs, body_outputs):
        output_labels.append(out.label)
        if out.init is None:
            nitsot_like.append(None)
            continue
        nitsot_like.append(len(carry_next))
        firsts = out.first_values()
        for lag in range(1, out.depth + 1):
            inner_inputs.append(out.lags[lag])
            outer_inputs.append(firsts[lag - 1])
            input_labels.append(out.label if out.depth == 1 else f"{out.label} tap {-lag}")
            carry_next.append(value if lag == 1 else out.lags[lag - 1])
            carry_labels.append(out.label)
    n_lags = len(carry_next)
    for s, value in zip(states, body_updates):
        inner_inputs.append(state_args[s])
        outer_inputs.append(s)
        input_labels.append(f"the shared variable {s}")
        carry_next.append(value)
        carry_labels.append(f"the update of {s}")
    for k, v in enumerate(outer):
        inner_inputs.append(outer_args[v])
        outer_inputs.append(v)
        input_labels.append(f"non-sequence {k}" + (f" ({v.name})" if v.name else ""))
    n_seqs = sum(len(s.taps) for s in seqs)
    steps = n if n is not None else _shortest(outer_inputs[:n_seqs])
    if n is not None or n_seqs > 1:
        outer_inputs[:n_seqs] = [seq[:steps] for seq in outer_inputs[:n_seqs]]
    until = bool(body_condition)
    op = Scan(inner_inputs, list(body_outputs) + carry_next + list(body_condition), n_seqs,
              n_out, len(carry_next), truncate_gradient=truncate_gradient, label=name,
              nitsot_like=nitsot_like, input_labels=input_labels,
              output_labels=output_labels + carry_labels + ["the until condition"] * until,
              until=until)
    return op.make_node(steps, *outer_inputs), n_lags


def _shortest(seqs):
    from symlab.tensor.math import minimum
    steps = seqs[0].shape[0]
    for seq in seqs[1:]:
        steps = minimum(steps, seq.shape[0])
    return steps


def _check_fed_back(out, var):
    """The value fn returns for a fed-back output keeps the type of its initial value."""
    state = out.state
    what = f"scan: fn returns {_describe(var)} for {out.label}"
    if not isinstance(var.type, TensorType) or var.type.dtype != state.dtype:
        got = getattr(var.type, "dtype", var.type)
        raise TypeError(f"{what}, whose values have dtype {state.dtype}: a fed-back value must "
                        f"keep its dtype from step to step. Give an initial value of dtype "
                        f"{got} (e.g. h0.astype('{got}'), or np.{got}(0) instead of a Python "
                        f"number), or cast the step's result with .astype('{state.dtype}')")
    if var.type.ndim != state.ndim:
        raise TypeError(f"{what}, whose values have {state.ndim} dimension(s): a fed-back "
                        "value must keep its number of dimensions")
    if not state.accepts_replacement(var.type):
        raise TypeError(f"{what}, whose values have the static shape {state.shape_str()}: a "
                        "dimension of static size 1 (a broadcastable one) must stay so; "
                        "reshape the result, or give an initial value without it")


def _check_update_target(key):
    if not isinstance(key, SharedVariable):
        raise TypeError(f"scan: fn's updates must map shared variables to new values; got the "
                        f"key {key!r:.60}")
    return key


def _check_update(target, value):
    if not isinstance(value, Variable):
        value = _tensor(value, f"the update of {target}")
        if isinstance(target.type, TensorType) and value.type.dtype != target.type.dtype:
            from symlab.tensor.math import cast
            value = cast(value, target.type.dtype)
    if not _fits(target.type, value.type):
        hint = ""
        if getattr(target.type, "dtype", None) and getattr(value.type, "dtype", None) \
                and target.type.dtype != value.type.dtype:
            hint = f"; cast it with .astype('{target.type.dtype}')"
        raise TypeError(f"scan: the update of the shared variable {target} of type "
                        f"{target.type} is {value} of type {value.type}{hint}")
    return value
