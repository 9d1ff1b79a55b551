"""``DebugMode``: every call checks each rewrite and each node against the reference evaluator.

Theano's module path: ``theano.compile.debugmode`` (``mode='DebugMode'``,
``theano.compile.DebugMode``). A call of a function compiled with
``DebugMode()`` does, before it returns:

1. **Rewrites.** It replays the trace: the graph after each step k
   (``f.graph_at(k)``, k from 0 to ``len(f.trace)``) is evaluated by the
   reference evaluator (``symlab.graph.evaluate``: each node's ``perform``
   in its own dtype) on the call's inputs, and each step's outputs are
   compared with the step before. The first rewrite that changed a value
   raises ``BadOptimization``, naming it, its step, both values and how to
   look at the graphs on either side. A value computed through a NaN, an
   infinity or a subnormal number on the way is no judge (a stabilizing
   rewrite may turn it into the finite result it should have been), and
   neither is an element that was NaN or infinite before the step.
2. **Nodes.** It runs the generated code with every node checked as it
   runs: a node must not change an input it does not declare it writes
   into (``BadDestroyMap``), nor write into one still needed; an output
   may share memory only with the input it declares it views or writes
   into (``BadViewMap``); each output must fit its type (``InvalidValueError``),
   equal the reference evaluator's value of the same variable
   (``BadThunkOutput``), and, with ``check_isfinite`` (the default, as in
   Theano), hold no NaN or infinity (``InvalidValueError``).
3. **Inputs.** The call must leave its arguments and the shared values
   as they were (``In(..., mutable=True)`` excepted): ``BadDestroyMap``.

Compiling runs the rewrites a second time (``stability_patience`` times in
all) and compares the traces: a difference raises ``StochasticOrder``.

Floats compare with a relative tolerance set by the least precise float
dtype a value was computed through (``RTOL``) and an absolute one of that
times the largest magnitude on the way (at least 1); NaN equals NaN;
integers and booleans compare exactly. Every error is a ``DebugModeError``
and stops the call before any update is stored. CPU only.
"""

import copy

import numpy as np

from symlab.compile.debug import Instruments, NodeValues, node_text, value_text
from symlab.compile.mode import Mode
from symlab.graph.basic import Constant
from symlab.graph.evaluate import leaf_value
from symlab.graph.traversal import toposort
from symlab.printing.pp import pp
from symlab.tensor.elemwise import Elemwise
from symlab.tensor.type import TensorType

__all__ = ["DebugMode", "DebugModeError", "BadOptimization", "BadThunkOutput", "BadDestroyMap",
           "BadViewMap", "StochasticOrder", "InvalidValueError", "RTOL"]

#: Relative tolerance by the least precise float dtype a value was computed through.
RTOL = {"float16": 1e-2, "float32": 1e-4, "float64": 1e-7}
#: Where two values differ beyond RTOL, rounding errors may still explain it: each side is
#: evaluated SPREAD_TRIALS more times with every node's float results moved by up to
#: PERTURBATION ulps, and SPREAD_FACTOR times the largest change is allowed on top.
SPREAD_TRIALS = 3
PERTURBATION = 4
SPREAD_FACTOR = 8


# ---------------------------------------------------------------- errors

class DebugModeError(Exception):
    """Something DebugMode found wrong; every DebugMode error is one of its subclasses.

    Keyword attributes given when raised are kept as attributes (``step``,
    ``node``...); the message says everything they hold.
    """

    def __init__(self, message="", **details):
        super().__init__(message)
        for key, value in details.items():
            setattr(self, key, value)


class BadOptimization(DebugModeError):
    """A rewrite changed a value: ``reason`` (the rewrite's name), ``pass_name``,
    ``step`` (``f.graph_at(step)`` is the graph just after it), ``event`` (the
    ``TraceEvent``), ``output`` (position in ``f.fgraph.outputs``), ``old_r``/
    ``new_r`` (that output before and after), ``old_r_val``/``new_r_val``."""


class BadThunkOutput(DebugModeError):
    """A node of the generated code computed another value than the reference evaluator:
    ``node``, ``output`` (position), ``thunk_value``, ``reference_value``."""


class BadDestroyMap(DebugModeError):
    """A node changed an input it does not declare it writes into, wrote into a value still
    needed, or the call changed an argument or a shared value: ``node`` (None for the
    call), ``input`` (position)."""


class BadViewMap(DebugModeError):
    """A node returned an output sharing memory with an input it does not declare it views:
    ``node``, ``output``, ``input`` (positions)."""


class StochasticOrder(DebugModeError):
    """Rewriting the same graph twice gave two different traces: ``first``, ``second``
    (lists of (pass, rewrite) pairs)."""


class InvalidValueError(DebugModeError):
    """A node's output does not fit its type (dtype, number of dimensions, static shape) or,
    with ``check_isfinite``, holds NaN or infinity: ``node``, ``output`` (position)."""


# ---------------------------------------------------------------- the mode

class DebugMode(Mode):
    """A mode whose every call checks each rewrite and each node (the module docstring says
    how); ``mode='DebugMode'`` gives one on ``symlab.config.optimizer``'s rewrites.

    ``optimizer``: 'fast_run' (default), 'fast_compile', None or 'default';
    ``check_isfinite`` (default True, Theano's): a node producing NaN or inf
    is an error; ``stability_patience`` (default 2): how many times compiling
    runs the rewrites to compare their traces. ``check_c_code``,
    ``check_py_code``, ``check_preallocated_output``,
    ``require_matching_strides`` and ``linker`` are accepted for Theano's
    signature and change nothing (symlab has one implementation of each op,
    checked against the reference evaluator). ``including``, ``excluding``
    and ``clone`` keep every setting.
    """

    def __init__(self, optimizer="fast_run", stability_patience=None, check_c_code=None,
                 check_py_code=None, check_isfinite=None, check_preallocated_output=None,
                 require_matching_strides=None, linker=None, include=(), exclude=()):
        super().__init__(optimizer=optimizer, include=include, exclude=exclude,
                         name="DebugMode")
        patience = 2 if stability_patience is None else stability_patience
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"DebugMode: stability_patience must be an int of at least 1; "
                             f"got {stability_patience!r}")
        self.stability_patience = patience
        self.check_isfinite = True if check_isfinite is None else bool(check_isfinite)
        self.check_c_code = check_c_code
        self.check_py_code = check_py_code
        self.check_preallocated_output = check_preallocated_output
        self.require_matching_strides = require_matching_strides

    def _arguments(self):
        return {"optimizer": self.optimizer, "stability_patience": self.stability_patience,
                "check_c_code": self.check_c_code, "check_py_code": self.check_py_code,
                "check_isfinite": self.check_isfinite,
                "check_preallocated_output": self.check_preallocated_output,
                "require_matching_strides": self.require_matching_strides,
                "include": self.include, "exclude": self.exclude}

    def instrument(self, function, nodes):
        """The checks of ``function``'s calls (the module docstring lists them)."""
        if function.device != "cpu":
            raise ValueError("DebugMode checks functions on the CPU only; compile with "
                             "device='cpu'")
        _check_stable_order(function, self)
        return _Checker(function, nodes, self.check_isfinite).instruments()

    def __repr__(self):
        parts = [f"optimizer={self.optimizer!r}", f"check_isfinite={self.check_isfinite}"]
        if self.include:
            parts.append(f"include={list(self.include)}")
        if self.exclude:
            parts.append(f"exclude={list(self.exclude)}")
        return f"DebugMode({', '.join(parts)})"


def _check_stable_order(function, mode):
    """Rewrite a fresh copy of the function's graph ``stability_patience - 1`` more times;
    raise StochasticOrder if a trace differs from the function's."""
    from symlab.graph.fgraph import FunctionGraph
    from symlab.rewrite import optimize
    first = [(e.pass_name, e.rewrite) for e in function.trace]
    before = function.graph_before
    for _ in range(mode.stability_patience - 1):
        fgraph = FunctionGraph(before.inputs, before.outputs)
        fgraph.mutable_inputs = getattr(function.fgraph, "mutable_inputs", frozenset())
        again = [(e.pass_name, e.rewrite) for e in optimize(fgraph, mode)]
        if again != first:
            k = next((i for i, (a, b) in enumerate(zip(first, again)) if a != b),
                     min(len(first), len(again)))
            raise StochasticOrder(
                f"DebugMode: rewriting the graph of {function._label()} twice gave two traces; "
                f"they part at step {k + 1}: {_event_name(first, k)} the first time, "
                f"{_event_name(again, k)} the second", first=first, second=again)


def _event_name(events, k):
    return f"{events[k][1]!r} (pass {events[k][0]!r})" if k < len(events) else "the end"


# ---------------------------------------------------------------- values and tolerances

class _Info:
    """A value of the reference evaluation, with what judging it needs: ``tainted`` (some
    value on the way was NaN, infinite or subnormal), ``scale`` (the largest finite
    magnitude on the way) and ``eps`` (the machine epsilon of the least precise float
    dtype a node on the way computed in; 0 for inputs and constants, which are exact)."""

    __slots__ = ("value", "tainted", "scale", "eps")

    def __init__(self, value, tainted, scale, eps):
        self.value, self.tainted, self.scale, self.eps = value, tainted, scale, eps


def _measure(value):
    """``(unclean, scale, eps)`` of one value: unclean if a float in it is NaN, infinite or
    subnormal; scale its largest finite magnitude; eps its float dtype's epsilon."""
    if not isinstance(value, (np.ndarray, np.generic)) or value.dtype.kind not in "biufc":
        return False, 0.0, 0.0
    array = np.asarray(value)
    if array.dtype.kind not in "fc":
        scale = float(np.abs(array.astype(np.float64)).max()) if array.size else 0.0
        return False, scale, 0.0
    info = np.finfo(array.dtype)
    with np.errstate(all="ignore"):
        magnitude = np.abs(array)
        finite = np.isfinite(magnitude)
        unclean = not finite.all() or bool(((magnitude > 0) & (magnitude < info.tiny)).any())
        scale = float(magnitude[finite].max()) if finite.any() else 0.0
    return unclean, scale, float(info.eps)


def _leaf(value):
    """An input's or constant's ``_Info``: exact as given (eps 0, whatever its dtype)."""
    unclean, scale, _ = _measure(value)
    return _Info(value, unclean, scale, 0.0)


def _perturbed(value, rng):
    """A float array ``value`` with each element scaled by ``1 + u``, ``u`` uniform within
    ``PERTURBATION`` ulps; anything else as it is."""
    if not isinstance(value, (np.ndarray, np.generic)) or value.dtype.kind != "f":
        return value
    size = PERTURBATION * float(np.finfo(value.dtype).eps)
    scale = 1 + rng.uniform(-size, size, np.shape(value))
    with np.errstate(all="ignore"):
        return np.asarray(value * scale, dtype=value.dtype)


def _rtol(eps):
    for dtype in ("float16", "float32"):
        if eps >= np.finfo(dtype).eps:
            return RTOL[dtype]
    return RTOL["float64"]


def _difference(old, new, labels=("before", "after"), spread=None):
    """None if ``new`` may stand for ``old``; else a text saying where and how they differ,
    calling them by ``labels``.

    ``old`` and ``new`` are ``_Info``; ``old`` is the judge (see the module docstring).
    ``spread``: how far rounding alone may move them apart (``_Reference.spread``), or None.
    """
    was, now = labels
    a, b = old.value, new.value
    if isinstance(a, (np.ndarray, np.generic)) and isinstance(b, (np.ndarray, np.generic)):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype != b.dtype or a.shape != b.shape:
            return f"{a.dtype} {a.shape} became {b.dtype} {b.shape}"
        if old.tainted:
            return None
        if a.dtype.kind not in "fc":
            if np.array_equal(a, b) or (spread is not None and np.all(
                    np.abs(a.astype(np.float64) - b.astype(np.float64)) <= spread)):
                return None
            where = tuple(int(i) for i in np.argwhere(a != b)[0])
            return (f"first difference at {where}: {_number(a[where])} {was}, "
                    f"{_number(b[where])} {now}")
        rtol = _rtol(max(old.eps, new.eps))
        atol = rtol * max(old.scale, new.scale, 1.0)
        with np.errstate(all="ignore"):
            allowed = atol + rtol * np.abs(a) + (0 if spread is None else spread)
            close = ((a == b) | (np.isnan(a) & np.isnan(b)) | ~np.isfinite(a)
                     | (np.isfinite(b) & (np.abs(a - b) <= allowed)))
        if close.all():
            return None
        bad = np.argwhere(~close)
        where = tuple(int(i) for i in bad[0])
        return (f"{len(bad)} of {a.size} value(s) differ; first at {where}: "
                f"{_number(a[where])} {was}, {_number(b[where])} {now} "
                f"(rtol {rtol:g}, atol {atol:.3g})")
    if _same_object(a, b):
        return None
    return f"{_summary(a)} became {_summary(b)}"


def _number(value):
    """One element as Python prints it (``1.0000000000000002``, ``True``)."""
    return repr(value.item()) if isinstance(value, np.generic) else repr(value)


def _same_object(a, b):
    """True if two non-array values are equal (random states by their state), or cannot
    be compared."""
    if type(a) is not type(b):
        return False
    state_a, state_b = _state(a), _state(b)
    if state_a is not None:
        return _nested_equal(state_a, state_b)
    try:
        return bool(a == b)
    except Exception:
        return True


def _state(value):
    if isinstance(value, np.random.RandomState):
        return value.get_state()
    if isinstance(value, np.random.Generator):
        return value.bit_generator.state
    return None


def _nested_equal(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_nested_equal(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_nested_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def _summary(value):
    text = value_text(value) if isinstance(value, (np.ndarray, np.generic)) \
        else type(value).__name__
    if isinstance(value, (np.ndarray, np.generic)) and np.size(value) <= 6:
        text += f": {np.array2string(np.asarray(value), precision=10)}"
    return text


def _copied(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if value is None or isinstance(value, (int, float, complex, str, bool, np.generic)):
        return value
    return copy.deepcopy(value)


def _unchanged(before, after):
    """True if ``after`` (a value now) still equals its copy ``before`` (NaN equal to NaN);
    values other than arrays are not compared."""
    if not (isinstance(before, np.ndarray) and isinstance(after, np.ndarray)):
        return True
    if before.shape != after.shape or before.dtype != after.dtype:
        return False
    return bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))


_TOO_HARD = getattr(getattr(np, "exceptions", np), "TooHardError")


def _shares(a, b):
    """True if arrays ``a`` and ``b`` share memory (when unsure: True)."""
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        return False
    if not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=100000))
    except _TOO_HARD:
        return True


# ---------------------------------------------------------------- the reference replay

class _Reference:
    """The reference evaluator's values of the graphs of one function's trace on one call's
    inputs. Nodes are never edited, so a variable has one value at every step it appears
    in: each is computed once."""

    def __init__(self, function, given):
        self.info = {var: _leaf(value) for var, value in zip(function.graph_before.inputs, given)}
        self.known = set(self.info)
        self.leaves = frozenset(self.info)

    def values(self, outputs):
        """``_Info`` of each of ``outputs``, computing what is not known yet."""
        for node in toposort(outputs, stop_at=self.known):
            ins = [self._of(v) for v in node.inputs]
            # Copies: a node writing into an input (declared or not) leaves the values
            # other steps read intact; the run's own checks report such a node.
            values = [_copied(i.value) for i in ins]
            with np.errstate(all="ignore"):
                results = node.op.compute(node, values)
            tainted = any(i.tainted or _measure(i.value)[0] for i in ins)
            scale = max([i.scale for i in ins], default=0.0)
            eps = max([i.eps for i in ins], default=0.0)
            for var, value in zip(node.outputs, results):
                _, own_scale, own_eps = _measure(value)
                self.info[var] = _Info(value, tainted, max(scale, own_scale), max(eps, own_eps))
                self.known.add(var)
        return [self._of(v) for v in outputs]

    def spread(self, var, trials=SPREAD_TRIALS):
        """How far rounding errors alone may move ``var``'s value: ``SPREAD_FACTOR`` times the
        largest change (per element, float64) over ``trials`` evaluations with every float
        result of every node scaled by ``1 + u`` (``u`` up to ``PERTURBATION`` ulps; the
        same random numbers at every call). Cancellation shows here: ``1 - sigmoid(30)``
        moves by its whole size when ``sigmoid(30)`` moves by an ulp."""
        base = self._of(var).value
        if not isinstance(base, (np.ndarray, np.generic)) or base.dtype.kind not in "biuf":
            return None
        base = np.asarray(base, dtype=np.float64)
        worst = np.zeros(base.shape)
        rng = np.random.default_rng(0)
        nodes = toposort([var], stop_at=self.leaves)
        for _ in range(trials):
            moved = {}
            for node in nodes:
                values = [_copied(moved[v] if v in moved else self._of(v).value)
                          for v in node.inputs]
                with np.errstate(all="ignore"):
                    results = node.op.compute(node, values)
                for out, value in zip(node.outputs, results):
                    moved[out] = _perturbed(value, rng)
            value = moved.get(var, self._of(var).value)
            with np.errstate(all="ignore"):
                change = np.abs(np.asarray(value, dtype=np.float64) - base)
            worst = np.fmax(worst, np.where(np.isnan(change), np.inf, change))
        return SPREAD_FACTOR * worst

    def _of(self, var):
        info = self.info.get(var)
        if info is None:
            info = self.info[var] = _leaf(leaf_value(var, {}))
            self.known.add(var)
        return info


def _replay(function, given):
    """Evaluate every step of ``function``'s trace on ``given``; raise BadOptimization at the
    first step changing an output. Return the _Reference (it knows the final graph's values),
    or None when the graph as built cannot be evaluated on these inputs (the call's own
    error then says why)."""
    reference = _Reference(function, given)
    trace = function.trace
    try:
        previous = reference.values(function.graph_before.outputs)
    except Exception:
        return None
    for k, event in enumerate(trace, start=1):
        try:
            current = reference.values(event.outputs_after)
        except Exception as exc:
            raise _bad_optimization(function, k, None, None, None,
                                    f"the graph after it fails to evaluate: "
                                    f"{type(exc).__name__}: {exc}") from exc
        for j, (old, new) in enumerate(zip(previous, current)):
            difference = _difference(old, new)
            if difference is not None:
                spread = _total_spread(reference, [_outputs_at(function, k - 1)[j],
                                                   event.outputs_after[j]])
                difference = _difference(old, new, spread=spread)
            if difference is not None:
                raise _bad_optimization(function, k, j, old, new, difference)
        previous = current
    reference.values(function.fgraph.outputs)
    return reference


def _total_spread(reference, variables):
    """The sum of the rounding spreads of ``variables`` (None if one has none)."""
    spreads = [reference.spread(v) for v in variables]
    return None if any(s is None for s in spreads) else sum(spreads)


def _output_label(function, j):
    n_out = len(function.outputs)
    if j < n_out:
        var = function.outputs[j].variable
        return f"output {j}" + (f" ({var.name!r})" if var.name else "")
    return f"the update of shared variable {function._update_targets[j - n_out]}"


def _bad_optimization(function, k, j, old, new, difference):
    event = function.trace[k - 1]
    pairs = "; ".join(f"{_short(pp(a))} -> {_short(pp(b))}" for a, b in event.pairs)
    what = "a value" if j is None else f"the value of {_output_label(function, j)}"
    lines = [f"DebugMode: the rewrite {event.rewrite!r} (pass {event.pass_name!r}, trace step "
             f"{k} of {len(function.trace)}) changed {what} of {function._label()}"]
    if j is not None:
        lines += [f"  before it (f.graph_at({k - 1})): {_summary(old.value)}",
                  f"  after it  (f.graph_at({k})): {_summary(new.value)}"]
    lines += [f"  {difference}",
              f"  it replaced: {pairs}",
              f"  to look: print(f.trace[{k - 1}]); debugprint(f.graph_at({k}), ids='id'); "
              f"in a notebook, GraphView(f, step={k})"]
    old_r = None if j is None else _outputs_at(function, k - 1)[j]
    return BadOptimization("\n".join(lines), reason=event.rewrite, pass_name=event.pass_name,
                           step=k, event=event, output=j, old_r=old_r,
                           new_r=None if j is None else event.outputs_after[j],
                           old_r_val=None if old is None else old.value,
                           new_r_val=None if new is None else new.value)


def _outputs_at(function, k):
    """The outputs of ``function.graph_at(k)``."""
    return function.graph_before.outputs if k == 0 else function.trace[k - 1].outputs_after


def _short(text, limit=60):
    return text if len(text) <= limit else text[:limit - 3] + "..."


# ---------------------------------------------------------------- checking the run

def _aliased_positions(node):
    """The input positions an output of ``node`` may share memory with (declared)."""
    op = node.op
    allowed = {op.writes_into(node), op.view_of(node)} - {None}
    if node.inputs and isinstance(op, Elemwise) and not op.output_is_fresh(node):
        allowed.add(0)
    return allowed


class _Checker:
    """The checks of one compiled function's calls (``DebugMode.instrument``)."""

    def __init__(self, function, nodes, check_isfinite):
        self.function = function
        self.nodes = nodes
        self.check_isfinite = check_isfinite
        self.values = NodeValues(function.fgraph, nodes)
        self.reference = None
        self.saved = None
        fgraph = function.fgraph
        self.mutable = getattr(fgraph, "mutable_inputs", frozenset())
        self.leaves = set(fgraph.inputs)
        self.returned = set(fgraph.outputs)
        self.last_read = {}
        for k, node in enumerate(nodes):
            for var in node.inputs:
                self.last_read[var] = k

    def instruments(self):
        return Instruments(self.after_node, self.wrap)

    def wrap(self, fn):
        def checked(*arguments):
            given = [_copied(v) for v in arguments]
            self.reference = _replay(self.function, given)
            self.values.start(arguments)
            try:
                self._save(0)
                if self.check_isfinite:       # the check reports NaN and inf itself
                    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                        results = fn(*arguments)
                else:
                    results = fn(*arguments)
                self._check_arguments(arguments, given)
            finally:
                self.values.stop()
                self.reference = self.saved = None
            return results
        return checked

    def _save(self, k):
        """Copy the values node ``k`` is about to read."""
        self.saved = [_copied(v) for v in self.values.inputs_of(k)] \
            if k < len(self.nodes) else None

    def after_node(self, k, inputs, outputs):
        node = self.nodes[k]
        self.values.record(k, outputs)
        self._check_writes(k, node, inputs)
        self._check_views(node, inputs, outputs)
        for j, (var, value) in enumerate(zip(node.outputs, outputs)):
            self._check_type(node, j, var, value)
            self._check_reference(node, j, var, value)
            if self.check_isfinite:
                self._check_finite(node, j, value)
        self._save(k + 1)

    # the checks, each raising its DebugModeError

    def _check_writes(self, k, node, inputs):
        written = node.op.writes_into(node)
        target = inputs[written] if written is not None else None
        for i, (value, before) in enumerate(zip(inputs, self.saved)):
            if i == written or (target is not None and _shares(value, target)):
                continue
            if not _unchanged(before, value):
                raise BadDestroyMap(
                    f"DebugMode: {node_text(node)} changed its input {i} "
                    f"({_source(node.inputs[i])}) without declaring that it writes into it "
                    f"(writes_into, or a custom op's destroy_map): {_summary(before)} became "
                    f"{_summary(value)}", node=node, input=i)
        if written is None:
            return
        var = node.inputs[written]
        problem = None
        if isinstance(var, Constant):
            problem = "a constant"
        elif var in self.leaves and var not in self.mutable:
            problem = "an input or shared value not declared mutable"
        elif var in self.returned:
            problem = "a value the function returns"
        elif self.last_read.get(var, -1) > k:
            problem = f"a value {node_text(self.nodes[self.last_read[var]])} reads later"
        if problem is not None:
            raise BadDestroyMap(f"DebugMode: {node_text(node)} wrote its result into its input "
                                f"{written} ({_source(var)}), {problem}", node=node,
                                input=written)

    def _check_views(self, node, inputs, outputs):
        allowed = [inputs[i] for i in _aliased_positions(node)]
        for j, out in enumerate(outputs):
            if not isinstance(out, np.ndarray) or any(_shares(out, a) for a in allowed):
                continue
            for i, value in enumerate(inputs):
                if _shares(out, value):
                    raise BadViewMap(
                        f"DebugMode: output {j} of {node_text(node)} shares memory with its "
                        f"input {i} ({_source(node.inputs[i])}), which it does not declare "
                        f"it views (view_of, or a custom op's view_map)", node=node,
                        output=j, input=i)

    def _check_type(self, node, j, var, value):
        t = var.type
        if not isinstance(t, TensorType):
            return
        problem = None
        if not isinstance(value, (np.ndarray, np.generic)):
            problem = f"a {type(value).__name__}, not an array"
        elif value.dtype != t.numpy_dtype:
            problem = f"dtype {value.dtype}, not {t.dtype}"
        elif value.ndim != t.ndim:
            problem = f"{value.ndim} dimension(s), not {t.ndim}"
        elif any(s is not None and s != n for s, n in zip(t.shape, value.shape)):
            problem = f"shape {value.shape}, not the static shape {t.shape}"
        if problem is not None:
            raise InvalidValueError(f"DebugMode: output {j} of {node_text(node)} (type {t}) "
                                    f"is {problem}", node=node, output=j)

    def _check_reference(self, node, j, var, value):
        if self.reference is None:
            return
        expected = self.reference.info.get(var)
        if expected is None:
            return
        got = _Info(value, expected.tainted, expected.scale, expected.eps)
        labels = ("by the reference", "computed")
        difference = _difference(expected, got, labels)
        if difference is not None:
            difference = _difference(expected, got, labels, self.reference.spread(var))
        if difference is not None:
            raise BadThunkOutput(
                f"DebugMode: output {j} of {node_text(node)} is not the reference evaluator's "
                f"value: {_summary(value)} where the reference gives "
                f"{_summary(expected.value)}\n  {difference}", node=node, output=j,
                thunk_value=value, reference_value=expected.value)

    def _check_finite(self, node, j, value):
        if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "fc":
            with np.errstate(all="ignore"):
                finite = np.isfinite(value)
            if not np.all(finite):
                raise InvalidValueError(
                    f"DebugMode: output {j} of {node_text(node)} holds NaN or infinite "
                    f"values ({_summary(value)}); DebugMode(check_isfinite=False) allows them",
                    node=node, output=j)

    def _check_arguments(self, arguments, given):
        function = self.function
        for var, now, before in zip(function.fgraph.inputs, arguments, given):
            if var in self.mutable or _unchanged(before, now):
                continue
            raise BadDestroyMap(f"DebugMode: the call of {function._label()} changed the value "
                                f"of {_source(var)}: {_summary(before)} became "
                                f"{_summary(now)}", node=None, input=var)


def _source(var):
    if var.owner is not None:
        return node_text(var.owner)
    return var.name or str(var)
