"""``function``: compile a graph into a callable ``Function``.

Compiling normalizes inputs, outputs, updates and givens, builds a
``FunctionGraph``, lets the mode's rewrites optimize it, and lowers it with
the NumPy backend (or, with ``device='cuda'``, the CuPy backend: a
``CudaFunction``). A call checks and converts its arguments, runs the
generated code, and only then, once every output and update value is
computed, stores the updates: a failing call leaves every shared variable
as it was. The rewrites and the backend load on the first compile, not on
``import symlab``. An error raised inside the generated code is raised again with
the failing node, its inputs and the user's lines that created it
(``symlab.compile.debug``), and kept as ``f.last_failure``.
"""

import functools

import numpy as np

from symlab.graph.basic import Constant, Variable
from symlab.graph.fgraph import FunctionGraph, MissingInputError
from symlab.graph.traversal import clone_replace, graph_inputs
from symlab.compile.debug import describe_failure, rebuilt_exception
from symlab.compile.io import Out, as_in
from symlab.compile.mode import get_mode
from symlab.compile.profiling import ProfileStats
from symlab.compile.shared import SharedVariable
from symlab.config import config
from symlab.tensor.type import TensorType

__all__ = ["function", "Function", "CudaFunction", "eval_variable"]

_ON_UNUSED = ("raise", "warn", "ignore")


def _as_pairs(mapping, what):
    if mapping is None:
        return []
    if isinstance(mapping, dict):
        return list(mapping.items())
    try:
        pairs = [tuple(p) for p in mapping]
    except TypeError:
        raise TypeError(f"{what} must be a dict or a list of (variable, expression) pairs; "
                        f"got {mapping!r:.80}") from None
    for p in pairs:
        if len(p) != 2:
            raise TypeError(f"{what} must hold (variable, expression) pairs; got {p!r:.80}")
    return pairs


def _as_expression(value, like, what):
    """Convert ``value`` to a variable fitting ``like``'s type, or raise naming ``what``."""
    if not isinstance(value, Variable):
        from symlab.tensor.variable import as_tensor_variable
        try:
            value = as_tensor_variable(value)
        except TypeError as exc:
            raise TypeError(f"{what}: {exc}") from None
        if getattr(value.type, "dtype", None) != getattr(like.type, "dtype", None) \
                and isinstance(value, Constant):
            from symlab.tensor.math import cast
            value = cast(value, like.type.dtype)
    fits = getattr(like.type, "accepts_replacement", None)
    ok = fits(value.type) if fits is not None else like.type == value.type
    if not ok:
        hint = ""
        if hasattr(like.type, "dtype") and hasattr(value.type, "dtype") \
                and like.type.dtype != value.type.dtype:
            hint = f"; cast it with .astype('{like.type.dtype}')"
        raise TypeError(f"{what}: expected type {like.type}, got {value} of type {value.type}"
                        f"{hint}")
    return value


class _Spec:
    """The normalized arguments of ``function``: enough to rebuild, copy or pickle it."""

    def __init__(self, inputs, outputs, single_output, updates, givens, no_default_updates,
                 mode, name, on_unused_input, allow_input_downcast, profile=False,
                 device="cpu", return_numpy=None):
        self.device = device
        self.return_numpy = return_numpy
        self.inputs = inputs
        self.profile = profile
        self.outputs = outputs
        self.single_output = single_output
        self.updates = updates
        self.givens = givens
        self.no_default_updates = no_default_updates
        self.mode = mode
        self.name = name
        self.on_unused_input = on_unused_input
        self.allow_input_downcast = allow_input_downcast


def function(inputs, outputs=None, updates=None, givens=None, no_default_updates=False,
             mode=None, name=None, on_unused_input="raise", allow_input_downcast=None,
             profile=False, device=None, return_numpy=None):
    """Compile ``outputs`` as a function of ``inputs``; return a callable ``Function``.

    ``inputs``: variables or ``In``. ``outputs``: a variable (the call returns
    one array), a list (returns a list), or ``Out``. ``updates``: pairs or a
    dict mapping shared variables to new-value expressions, applied after
    every output is computed. ``givens``: pairs or a dict of substitutions
    made in the graph before compiling. ``profile=True``: ``f.profile`` keeps
    each node's run time (``ProfileStats``).

    ``device``: ``'cpu'`` (NumPy) or ``'cuda'`` (CuPy; without CuPy or a
    device, ``symlab.backends.cupy.CudaUnavailableError`` says which is
    missing); None means ``symlab.config.device``. On the GPU the outputs
    are CuPy arrays, or NumPy arrays with ``return_numpy=True`` (on the CPU
    they are NumPy arrays whatever it says). A function's shared tensor
    variables must live on its device.
    """
    device = _resolve_device(device)
    if return_numpy not in (None, True, False):
        raise TypeError(f"function: return_numpy must be True, False or None; "
                        f"got {return_numpy!r}")
    if on_unused_input not in _ON_UNUSED:
        raise ValueError(f"on_unused_input must be one of {', '.join(_ON_UNUSED)}; "
                         f"got {on_unused_input!r}")
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(f"function: inputs must be a list of variables; got {inputs!r:.80}")
    ins = [as_in(i, k) for k, i in enumerate(inputs)]
    single = not isinstance(outputs, (list, tuple))
    outs = [] if outputs is None else [outputs] if single else list(outputs)
    outs = [o if isinstance(o, Out) else Out(_as_output(o, k)) for k, o in enumerate(outs)]
    spec = _Spec(ins, outs, single and outputs is not None, _as_pairs(updates, "updates"),
                 _as_pairs(givens, "givens"), no_default_updates, get_mode(mode), name,
                 on_unused_input, allow_input_downcast, bool(profile), device, return_numpy)
    return _function_class(spec)(spec)


def function_dump(filename, inputs, outputs=None, mode=None, updates=None, givens=None,
                  no_default_updates=False, accept_inplace=False, name=None,
                  rebuild_strict=True, allow_input_downcast=None, profile=None,
                  on_unused_input=None, extra_tag_to_remove=None):
    """Pickle the arguments of a ``function`` call to ``filename``, as Theano's does.

    For a bug report that others can rerun: ``d = pickle.load(open(filename,
    'rb'))`` then ``function(**d)`` compiles the same function. The graph is
    pickled (its variables, shared values and the modes), never compiled
    code. Theano's ``accept_inplace``, ``rebuild_strict`` and
    ``extra_tag_to_remove`` are accepted and not stored (symlab's
    ``function`` has no such arguments); arguments left at None are not
    stored either. Returns None.
    """
    import pickle
    if not isinstance(filename, (str, bytes)) and not hasattr(filename, "__fspath__"):
        raise TypeError(f"function_dump: filename must be a path; got {filename!r:.60}")
    stored = {"inputs": inputs, "outputs": outputs, "mode": mode, "updates": updates,
              "givens": givens, "no_default_updates": no_default_updates, "name": name,
              "allow_input_downcast": allow_input_downcast, "profile": profile,
              "on_unused_input": on_unused_input}
    stored = {key: value for key, value in stored.items() if value is not None}
    payload = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
    with open(filename, "wb") as file:
        file.write(payload)


def _resolve_device(device):
    """'cpu' or 'cuda' (None: ``config.device``); 'cuda' only where CuPy sees a GPU."""
    if device is None:
        device = config.device
    if device == "cpu":
        return device
    if device == "cuda":
        from symlab.backends.cupy import require  # lazily: CuPy loads only for the GPU
        require("function(..., device='cuda')")
        return device
    raise ValueError(f"function: device must be 'cpu' or 'cuda'; got {device!r}")


def _function_class(spec):
    return CudaFunction if getattr(spec, "device", "cpu") == "cuda" else Function


def _as_output(value, position):
    if isinstance(value, Variable):
        return value
    from symlab.tensor.variable import as_tensor_variable
    try:
        return as_tensor_variable(value)
    except TypeError:
        raise TypeError(f"function: output {position} must be a symbolic variable or Out; "
                        f"got {value!r:.60}") from None


class Function:
    """A compiled function. Call it with positional and keyword arguments.

    Attributes: ``inputs`` (the ``In`` objects), ``outputs`` (the ``Out``
    objects), ``fgraph`` (the optimized graph: inputs, then shared variables),
    ``source`` (the generated Python), ``name``, ``profile`` (``ProfileStats``
    when compiled with ``profile=True``, else None), ``last_failure`` (a
    ``CallFailure`` after a failed call, None after a successful one).

    ``trust_input``: set it to True (Theano's name) in an inner loop that
    already passes every input positionally as an ndarray of exactly the
    input's dtype and number of dimensions; calls then skip the argument
    checks and conversions. A wrong value is then not caught: it may fail
    deep inside the generated code or give a wrong result.
    """

    #: Where the function runs; ``CudaFunction`` says 'cuda'.
    device = "cpu"

    def __init__(self, spec):
        from symlab.rewrite import optimize
        self._spec = spec
        self.name = spec.name
        self.inputs = spec.inputs
        self.outputs = spec.outputs
        self.mode = spec.mode
        self._check_inputs()
        update_pairs = self._check_updates()
        replace = self._check_givens()
        out_vars = [o.variable for o in spec.outputs]
        update_exprs = [expr for _, expr in update_pairs]
        if replace:
            rebuilt = clone_replace(out_vars + update_exprs, replace)
            out_vars, update_exprs = rebuilt[:len(out_vars)], rebuilt[len(out_vars):]
        update_pairs = self._add_default_updates([t for t, _ in update_pairs], update_exprs,
                                                 out_vars, replace)
        update_pairs += self._input_updates(replace)
        update_exprs = [expr for _, expr in update_pairs]
        # Shared variables, then the inputs declared In(update=...) (their kept values).
        self._update_targets = [target for target, _ in update_pairs]
        input_vars = [i.variable for i in spec.inputs]
        leaves = graph_inputs(out_vars + update_exprs)
        self._check_missing(leaves, input_vars)
        self._check_unused(leaves, input_vars, replace)
        self._shared = [v for v in leaves if isinstance(v, SharedVariable)]
        self._check_devices()
        self.graph_before = FunctionGraph(input_vars + self._shared, out_vars + update_exprs)
        self.fgraph = FunctionGraph(input_vars + self._shared, out_vars + update_exprs)
        # The inplace pass may overwrite these arrays (never a default value: it is reused).
        self.fgraph.mutable_inputs = frozenset(
            i.variable for i in spec.inputs if i.mutable and not i.has_default)
        self.trace = optimize(self.fgraph, self.mode)
        protect = [k for k, o in enumerate(spec.outputs) if not o.borrow]
        protect += range(len(out_vars), len(out_vars) + len(update_exprs))
        nodes = self.fgraph.toposort()
        self.profile = ProfileStats(self.name, nodes) if getattr(spec, "profile", False) \
            else None
        self.last_failure = None
        self._observers = []
        self._keep = [k for k, o in enumerate(spec.outputs) if o.borrow]
        # What the mode runs beside the generated code (NanGuardMode, DebugMode, MonitorMode).
        self._instruments = self.mode.instrument(self, nodes)
        self._lowered = self._lower(protect, nodes)
        self._fn = self._lowered.fn
        if self._instruments is not None:
            self._fn = self._instruments.wrap(self._fn)
        if self.profile is not None:
            self._fn = self.profile.timed(self._fn)
        self._n_out = len(out_vars)
        self._prepare_binding()
        self._checked_call = self._make_call(trusted=False)
        self._trusted_call = None
        self._call = self._checked_call
        for var in self._shared:
            var._register(self, var in self._update_targets)

    def _lower(self, protect, nodes):
        """Lower the optimized graph with the NumPy backend."""
        from symlab.backends.numpy_backend import lower
        return lower(self.fgraph, copy_outputs=protect, name=_identifier(self.name) or "symlab_fn",
                     probe=self._probe(nodes), keep_buffers=self._keep)

    def _probe(self, nodes):
        """The instrumentation the generated code needs (profile, the mode's), or None."""
        from symlab.backends.numpy_backend import Probe
        times = self.profile.node_times if self.profile is not None else None
        guard = self._instruments.after_node if self._instruments is not None else None
        return None if times is None and guard is None else Probe(times, guard)

    # ------------------------------------------------------------ compile checks

    def _label(self):
        return f"function {self.name!r}" if self.name else "the function"

    def _check_devices(self):
        """Every shared tensor variable must live on this function's device (random states
        and other host objects may be read anywhere)."""
        wrong = [v for v in self._shared
                 if isinstance(v.type, TensorType) and v.device != self.device]
        if not wrong:
            return
        names = ", ".join(repr(v.name) if v.name else str(v) for v in wrong)
        other = wrong[0].device
        raise ValueError(
            f"{self._label()} runs on {self.device!r}, but its shared variable(s) {names} "
            f"live on {other!r}; create them with shared(..., device={self.device!r}) "
            f"or compile with device={other!r}")

    def _check_inputs(self):
        seen = set()
        for k, i in enumerate(self._spec.inputs):
            var = i.variable
            if isinstance(var, SharedVariable):
                raise TypeError(
                    f"{self._label()}: input {k} is the shared variable {var}; shared variables "
                    "are implicit inputs. To feed it a value, replace it with a fresh variable "
                    "through givens")
            if isinstance(var, Constant):
                raise TypeError(f"{self._label()}: input {k} is the constant {var}; "
                                "inputs must be free symbolic variables")
            if var.owner is not None:
                raise TypeError(f"{self._label()}: input {k} ({var}) is computed by "
                                f"{var.owner.op}; inputs must be free variables "
                                "(use givens to substitute a value for an expression)")
            if var in seen:
                raise ValueError(f"{self._label()}: the variable {var} is given twice as input")
            seen.add(var)

    def _check_updates(self):
        pairs, seen = [], set()
        for target, expr in self._spec.updates:
            if not isinstance(target, SharedVariable):
                raise TypeError(f"{self._label()}: updates must target shared variables; "
                                f"got {target!r:.60}")
            if target in seen:
                raise ValueError(f"{self._label()}: the shared variable {target} is updated "
                                 "twice")
            seen.add(target)
            pairs.append((target, _as_expression(
                expr, target, f"{self._label()}: the update of shared variable {target}")))
        return pairs

    def _check_givens(self):
        replace = {}
        for old, new in self._spec.givens:
            if not isinstance(old, Variable):
                raise TypeError(f"{self._label()}: givens keys must be symbolic variables; "
                                f"got {old!r:.60}")
            if old in replace:
                raise ValueError(f"{self._label()}: {old} is replaced twice in givens")
            replace[old] = _as_expression(new, old, f"{self._label()}: givens for {old}")
        return replace

    def _add_default_updates(self, targets, update_exprs, out_vars, replace):
        """The explicit update pairs plus each shared variable's default update."""
        pairs = list(zip(targets, update_exprs))
        no_default = self._spec.no_default_updates
        if no_default is True:
            return pairs
        skip = set(no_default or ())
        targets = set(targets)
        frontier = out_vars + update_exprs
        while True:
            added = False
            for var in graph_inputs(frontier):
                if (isinstance(var, SharedVariable) and var.default_update is not None
                        and var not in targets and var not in skip and var not in replace):
                    expr = _as_expression(var.default_update, var,
                                          f"the default update of {var}")
                    if replace:
                        (expr,) = clone_replace([expr], replace)
                    pairs.append((var, expr))
                    targets.add(var)
                    frontier = frontier + [expr]
                    added = True
            if not added:
                return pairs

    def _input_updates(self, replace):
        """``(input variable, update expression)`` for each input declared ``In(update=...)``."""
        pairs = []
        for k, i in enumerate(self._spec.inputs):
            if i.update is None:
                continue
            expr = _as_expression(i.update, i.variable,
                                  f"{self._label()}: the update of input {k} ({i.variable})")
            if replace:
                (expr,) = clone_replace([expr], replace)
            pairs.append((i.variable, expr))
        return pairs

    def _check_missing(self, leaves, input_vars):
        given = set(input_vars)
        missing = [v for v in leaves if v not in given and not isinstance(v, SharedVariable)]
        if missing:
            names = ", ".join(str(v) for v in missing)
            raise MissingInputError(
                f"{self._label()}: the outputs depend on {names}, which is not among the "
                f"inputs ({', '.join(str(v) for v in input_vars) or 'none'}); add it to the "
                "inputs, or give it a value with givens")

    def _check_unused(self, leaves, input_vars, replace):
        policy = self._spec.on_unused_input
        if policy == "ignore":
            return
        used = set(leaves)
        unused = [v for v in input_vars if v not in used]
        if not unused:
            return
        message = (f"{self._label()}: input {', '.join(map(str, unused))} is not used to compute "
                   "the outputs or updates; pass on_unused_input='warn' or 'ignore' to allow it")
        if policy == "raise":
            raise ValueError(message)
        import warnings
        warnings.warn(message, stacklevel=4)

    # ------------------------------------------------------------ calling

    def _prepare_binding(self):
        spec = self._spec
        self._n_inputs = len(spec.inputs)
        self._input_names = [i.name for i in spec.inputs]
        counts = {}
        for i in spec.inputs:
            for key in _keywords(i):
                counts[key] = counts.get(key, 0) + 1
        self._positions = {}
        for k, i in enumerate(spec.inputs):
            for key in _keywords(i):
                if counts[key] == 1:
                    self._positions[key] = k
        downcast = spec.allow_input_downcast
        self._filters = []
        self._labels = []
        self._defaults = []
        for k, i in enumerate(spec.inputs):
            label = f"{self._label()}, input {k}" + (f" '{i.name}'" if i.name else "")
            self._labels.append(label)
            allow = i.allow_downcast if i.allow_downcast is not None else downcast
            self._filters.append((i.variable.type.filter, label, allow))
            if i.has_default:
                self._defaults.append(i.variable.type.filter(i.value, name=label,
                                                             allow_downcast=allow))
            else:
                self._defaults.append(_MISSING)
        # Fast paths, when no static size needs checking: an ndarray of exactly the dtype
        # and ndim passes as it is; a Python float for a 0-d float input (always allowed
        # unless allow_downcast is False) and a Python int for a 0-d int input (NumPy
        # raises OverflowError when it does not fit: the full filter then explains) are
        # converted directly. Everything else goes through the type's filter.
        self._state_position = {i.variable: k for k, i in enumerate(spec.inputs)
                                if i.update is not None}
        self._fast = []
        for i, (_, _, allow) in zip(spec.inputs, self._filters):
            t = i.variable.type
            plain = isinstance(t, TensorType) and all(s is None for s in t.shape)
            scalar = None
            if plain and t.ndim == 0:
                kind = t.numpy_dtype.kind
                if kind == "f" and allow is not False:
                    scalar = float
                elif kind in "iu":
                    scalar = int
            # A NumPy scalar of exactly the input's dtype (np.float64 for float64) converts
            # exactly too; it is fast[3] (for 0-d inputs only).
            exact = t.numpy_dtype.type if plain and t.ndim == 0 else None
            self._fast.append((t.numpy_dtype, t.ndim, scalar, exact) if plain else None)
        self._trust_input = False

    # ------------------------------------------------------------ kept input values

    def _input_position(self, key, who):
        """The position of the input named by ``key`` (a position, a name or the variable)."""
        if isinstance(key, int) and not isinstance(key, bool):
            if 0 <= key < self._n_inputs:
                return key
        elif isinstance(key, Variable):
            for k, i in enumerate(self._spec.inputs):
                if i.variable is key:
                    return k
        elif key in self._positions:
            return self._positions[key]
        raise KeyError(f"{who}: {self._label()} has no input {key!r}; its inputs are "
                       f"{', '.join(str(x) for x in self._input_names)}")

    def __getitem__(self, key):
        """The value an input takes when a call omits it (Theano's ``f[name]``): its default,
        or for ``In(update=...)`` the value kept since the last call; None if it has none."""
        value = self._defaults[self._input_position(key, "f[...]")]
        return None if value is _MISSING else value

    def __setitem__(self, key, value):
        """Set the value an input takes when a call omits it (Theano's ``f[name] = value``),
        converted by the input's type."""
        k = self._input_position(key, "f[...] = value")
        filt, label, allow = self._filters[k]
        self._defaults[k] = filt(value, label, allow)

    @property
    def value(self):
        """Theano's ``f.value``: the inputs' kept values, read and set by position, name or
        variable as ``f[...]`` does."""
        return _InputValues(self)

    @property
    def trust_input(self):
        """True: calls pass their positional arguments unchecked (see the class docstring)."""
        return self._trust_input

    @trust_input.setter
    def trust_input(self, value):
        self._trust_input = bool(value)
        if "_checked_call" not in self.__dict__:
            return                      # still compiling: __init__ sets the call
        if self._trust_input and self._trusted_call is None:
            self._trusted_call = self._make_call(trusted=True)
        self._call = self._trusted_call if self._trust_input else self._checked_call

    def _make_call(self, trusted):
        """The function a call runs, ``call(function, args, kwargs)`` (``_call_source``)."""
        return _generated_call(self, trusted)

    def _bind(self, args, kwargs):
        n = self._n_inputs
        if len(args) > n:
            raise TypeError(f"{self._label()} takes at most {n} argument(s) "
                            f"({', '.join(map(str, self._input_names))}); got {len(args)}")
        values = list(args) + [_MISSING] * (n - len(args))
        for key, value in kwargs.items():
            k = self._positions.get(key)
            if k is None:
                raise TypeError(f"{self._label()} has no input named {key!r}; its inputs are "
                                f"{', '.join(str(x) for x in self._input_names)}")
            if values[k] is not _MISSING:
                raise TypeError(f"{self._label()} got two values for input {key!r}")
            values[k] = value
        for k, value in enumerate(values):
            if value is _MISSING:
                default = self._defaults[k]
                if default is _MISSING:
                    raise TypeError(f"Missing required input: {self._input_names[k] or k} "
                                    f"({self._label()}, argument {k} of {n})")
                values[k] = default
        return values

    def _input_values(self, args, kwargs):
        """The values the generated code takes: the checked arguments, then shared values.

        With ``trust_input`` set, positional arguments are passed as they are.
        """
        if self.trust_input and not kwargs:
            values = list(args)
        else:
            if kwargs or len(args) != self._n_inputs:
                args = self._bind(args, kwargs)
            values = []
            for value, fast, (filt, label, allow) in zip(args, self._fast, self._filters):
                if fast is not None:
                    kind = type(value)
                    if kind is np.ndarray:
                        if value.dtype is fast[0] and value.ndim == fast[1]:
                            values.append(value)
                            continue
                    elif kind is fast[2] or kind is fast[3]:
                        try:
                            values.append(np.array(value, fast[0]))
                            continue
                        except OverflowError:
                            pass
                values.append(filt(value, label, allow))
        for var in self._shared:
            values.append(var._value)
        return values

    def __call__(self, *args, **kwargs):
        """Compute the outputs for the given inputs, then apply the updates."""
        return self._call(self, args, kwargs)

    def _generic_call(self, args, kwargs):
        """A call, step by step: what the generated call (``_call_source``) does at once."""
        values = self._input_values(args, kwargs)
        try:
            results = self._fn(*values)
        except Exception as exc:
            error = self._failed(exc)
            if error is exc:
                raise
            raise error from exc
        if self.last_failure is not None:
            self.last_failure = None
            self._notify("cleared")
        n_out = self._n_out
        if self._update_targets:
            for target, value in zip(self._update_targets, results[n_out:]):
                if isinstance(target, SharedVariable):
                    target._store(value, "update")
                else:                           # an In(update=...) input keeps its value
                    self._defaults[self._state_position[target]] = value
        if self.profile is not None and self._observers:
            self._notify("profile")
        if self._spec.single_output:
            return results[0]
        return list(results[:n_out])

    def _failed(self, exc):
        """Record a failure of the generated code; return the error to raise."""
        described = describe_failure(self._label(), self._lowered, exc)
        if described is None:
            return exc
        failure, message = described
        error = rebuilt_exception(exc, message)
        if error is None:  # the error's type takes no message: add ours as a note
            error = exc
            if hasattr(exc, "add_note"):
                exc.add_note(message[len(str(exc)):].lstrip("\n"))
        failure.exception = error
        self.last_failure = failure
        self._notify("failure")
        return error

    # ------------------------------------------------------------ observers

    def observe(self, callback):
        """Call ``callback(function, event)`` after calls; return ``callback``.

        ``event`` is ``"failure"`` after a failed call (``last_failure`` is
        then set), ``"cleared"`` after the first successful call that
        follows a failure, and ``"profile"`` after each call of a function
        compiled with ``profile=True``.
        """
        self._observers.append(callback)
        return callback

    def unobserve(self, callback):
        """Stop calling ``callback``."""
        self._observers.remove(callback)

    def _notify(self, event):
        for callback in list(self._observers):
            callback(self, event)

    # ------------------------------------------------------------ views and copies

    @property
    def graph_after(self):
        """The optimized graph (the one lowered and run)."""
        return self.fgraph

    def graph_at(self, k):
        """The graph after the first ``k`` events of the trace (0: before, len(trace): after)."""
        if not isinstance(k, int) or not 0 <= k <= len(self.trace):
            raise IndexError(f"graph_at: k must be an int from 0 to {len(self.trace)}; got {k!r}")
        outputs = self.graph_before.outputs if k == 0 else self.trace[k - 1].outputs_after
        return FunctionGraph(self.graph_before.inputs, outputs)

    @property
    def maker(self):
        """Theano's ``f.maker``, the object that built ``f``: here ``f`` itself, which carries
        what Theano code reads through it (``f.maker.fgraph``, the optimized graph, and
        ``f.maker.mode``). Returns this function."""
        return self

    @property
    def source(self):
        """The generated Python source of this function."""
        return self._lowered.source

    @property
    def updates(self):
        """The (shared variable, update expression) pairs, default updates included."""
        return list(zip(self._update_targets, self.fgraph.outputs[self._n_out:]))

    def copy(self, share_memory=False, swap=None, delete_updates=False, name=None,
             profile=None):
        """Return a new Function computing the same graph.

        ``swap`` maps shared variables to other shared variables of the same
        type, used instead in the graph and as update targets;
        ``delete_updates=True`` drops every update (default ones too);
        ``profile`` (True or False) overrides whether the copy is profiled.
        The copy returns the same kind of result as the original.
        """
        spec = self._spec
        swap = dict(swap or {})
        for old, new in swap.items():
            if not isinstance(old, SharedVariable) or not isinstance(new, SharedVariable):
                raise TypeError("copy(swap=...) maps shared variables to shared variables; "
                                f"got {old!r:.40}: {new!r:.40}")
            if old.type != new.type:
                raise TypeError(f"copy(swap=...): {old} has type {old.type} but {new} has type "
                                f"{new.type}")
        givens = [(swap.get(k, k), swap.get(v, v) if isinstance(v, Variable) else v)
                  for k, v in spec.givens] + [p for p in swap.items()
                                              if p[0] not in dict(spec.givens)]
        if delete_updates:
            updates, no_default = [], True
        else:
            updates = [(swap.get(t, t), e) for t, e in spec.updates]
            no_default = spec.no_default_updates
        new_spec = _Spec(spec.inputs, spec.outputs, spec.single_output, updates, givens,
                         no_default, spec.mode, name or spec.name, "ignore",
                         spec.allow_input_downcast,
                         getattr(spec, "profile", False) if profile is None else bool(profile),
                         getattr(spec, "device", "cpu"), getattr(spec, "return_numpy", None))
        return _function_class(new_spec)(new_spec)

    def __reduce__(self):
        return (_rebuild_function, (self._spec,))

    def __repr__(self):
        ins = ", ".join(str(x) for x in self._input_names)
        return f"<symlab.Function {self.name or ''}({ins}) -> {self._n_out} output(s)>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        from symlab.printing.display import mimebundle  # upward: printing layer
        return mimebundle(self, include=include, exclude=exclude)


def _keywords(i):
    """The keywords a call may use for the input ``i``: its name, and its variable's name
    unless it was declared ``autoname=False``."""
    names = {i.name, i.variable.name} if getattr(i, "autoname", True) else {i.name}
    return names - {None}


class _InputValues:
    """``f.value``: the kept values of a function's inputs, by position, name or variable."""

    def __init__(self, function):
        self._function = function

    def __getitem__(self, key):
        return self._function[key]

    def __setitem__(self, key, value):
        self._function[key] = value


class _Missing:
    def __repr__(self):
        return "<missing>"


_MISSING = _Missing()


def _rebuild_function(spec):
    return _function_class(spec)(spec)


# ---------------------------------------------------------------- the generated call

_CALL_CACHE = {}


def _convert_input(fast, filt, label, allow, value):
    """An argument that missed the generated call's exact-ndarray test, checked and converted.

    A Python float (int) for a 0-d float (int) input, or a NumPy scalar of
    exactly its dtype, converts directly; the rest goes through the type's filter.
    """
    if fast is not None:
        kind = type(value)
        if kind is np.ndarray:
            if value.dtype is fast[0] and value.ndim == fast[1]:
                return value
        elif kind is fast[2] or kind is fast[3]:
            try:
                return np.array(value, fast[0])
            except OverflowError:
                pass
    return filt(value, label, allow)


def _call_generic(function, args, kwargs):
    return function._generic_call(args, kwargs)


def _generated_call(function, trusted):
    """``call(function, args, kwargs)``: one call of ``function``, written out as Python.

    It does what ``Function._generic_call`` does, with this function's inputs,
    shared variables and updates spelled out (``function._call_source``
    shows it): bind the arguments, pass an ndarray of exactly an input's
    dtype and ndim as it is (the rest through ``_convert_input``: the
    messages are the type filter's), run the lowered code, and only once it
    has returned store the updates. With ``trusted`` (``trust_input``)
    positional arguments go to the lowered code unchecked.
    """
    if type(function)._input_values is not Function._input_values:
        return _call_generic                  # a subclass converts its own way (CUDA)
    n = function._n_inputs
    env = {"_fn": function._fn, "_ndarray": np.ndarray, "_generic": _call_generic}
    args = [f"a{k}" for k in range(n)]
    lines = ["def _call(self, args, kwargs):"]
    if trusted:
        lines += ["    if kwargs:", "        return _generic(self, args, kwargs)"]
        values = ["*args"]
    else:
        lines += [f"    if kwargs or len(args) != {n}:", "        args = self._bind(args, kwargs)"]
        if n:
            lines.append(f"    {', '.join(args)}{',' if n == 1 else ''} = args")
        for k, (fast, (filt, label, allow)) in enumerate(zip(function._fast,
                                                             function._filters)):
            env[f"_convert{k}"] = functools.partial(_convert_input, fast, filt, label, allow)
            if fast is None:
                lines.append(f"    a{k} = _convert{k}(a{k})")
                continue
            env[f"_dt{k}"] = fast[0]
            lines += [f"    if type(a{k}) is not _ndarray or a{k}.dtype is not _dt{k} "
                      f"or a{k}.ndim != {fast[1]}:",
                      f"        a{k} = _convert{k}(a{k})"]
        values = list(args)
    for j, var in enumerate(function._shared):
        env[f"_s{j}"] = var
        values.append(f"_s{j}._value")
    lines += ["    try:",
              f"        _r = _fn({', '.join(values)})",
              "    except Exception as _exc:",
              "        _error = self._failed(_exc)",
              "        if _error is _exc:",
              "            raise",
              "        raise _error from _exc",
              "    if self.last_failure is not None:",
              "        self.last_failure = None",
              "        self._notify('cleared')"]
    n_out = function._n_out
    for j, target in enumerate(function._update_targets):
        if not isinstance(target, SharedVariable):      # an In(update=...) input's kept value
            k = function._state_position[target]
            lines.append(f"    self._defaults[{k}] = _r[{n_out + j}]")
            continue
        env[f"_u{j}"], env[f"_uobs{j}"] = target, target._observers
        lines += [f"    _u{j}.__dict__['_value'] = _r[{n_out + j}]",
                  f"    if _uobs{j}:", f"        _u{j}.notify('update')"]
    if function.profile is not None:
        lines += ["    if self._observers:", "        self._notify('profile')"]
    if function._spec.single_output:
        lines.append("    return _r[0]")
    else:
        lines.append(f"    return [{''.join(f'_r[{k}], ' for k in range(n_out))}]")
    source = "\n".join(lines) + "\n"
    code = _CALL_CACHE.get(source)
    if code is None:
        code = _CALL_CACHE[source] = compile(source, "<symlab call>", "exec")
    exec(code, env)
    call = env["_call"]
    call.source = source
    return call


class CudaFunction(Function):
    """A function compiled for the GPU with the CuPy backend (``function(..., device='cuda')``).

    Inputs may be NumPy arrays and Python values (copied to the device),
    CuPy arrays, or objects exposing ``__cuda_array_interface__`` or CUDA
    ``__dlpack__`` (used where they are); the same conversion rules as on
    the CPU apply. Outputs are CuPy arrays unless compiled with
    ``return_numpy=True``; updates stay on the device. ``f.source`` shows
    the generated Python and every kernel's CUDA source;
    ``f.kernel_sources`` maps the kernels' names in it to their
    ``symlab.backends.cuda_source.KernelSource``.
    """

    device = "cuda"

    def _lower(self, protect, nodes):
        from symlab.backends import cupy as backend
        self._cp = backend.require("function(..., device='cuda')")
        self._device_filter = backend.device_filter
        return backend.lower(self.fgraph, copy_outputs=protect,
                             name=_identifier(self.name) or "symlab_fn", probe=self._probe(nodes),
                             return_numpy=bool(self._spec.return_numpy),
                             n_outputs=len(self._spec.outputs), cp=self._cp)

    @property
    def kernel_sources(self):
        """``{name in f.source: KernelSource}`` for each elementwise kernel."""
        return dict(self._lowered.kernel_sources)

    def _prepare_binding(self):
        super()._prepare_binding()
        cp = self._cp
        self._defaults = [d if d is _MISSING or not isinstance(d, np.ndarray) else cp.asarray(d)
                          for d in self._defaults]
        self._device_fast = []
        for i in self._spec.inputs:
            t = i.variable.type
            plain = isinstance(t, TensorType) and all(s is None for s in t.shape)
            self._device_fast.append((t.numpy_dtype, t.ndim) if plain else None)

    def _input_values(self, args, kwargs):
        """The checked arguments on the device, then the shared values."""
        if self.trust_input and not kwargs:
            values = list(args)
        else:
            if kwargs or len(args) != self._n_inputs:
                args = self._bind(args, kwargs)
            cp = self._cp
            values = []
            for value, fast, i, (filt, label, allow) in zip(args, self._device_fast,
                                                             self._spec.inputs, self._filters):
                if fast is not None and type(value) is cp.ndarray \
                        and value.dtype == fast[0] and value.ndim == fast[1]:
                    values.append(value)
                elif isinstance(i.variable.type, TensorType):
                    values.append(self._device_filter(cp, i.variable.type, value, label, allow))
                else:
                    values.append(filt(value, label, allow))
        for var in self._shared:
            values.append(var._value)
        return values


def _identifier(name):
    if not name:
        return None
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned if cleaned.isidentifier() and not cleaned.startswith("_") else None


def eval_variable(variable, inputs_to_values=None):
    """Compile ``variable`` as a function of the keys of ``inputs_to_values`` and call it.

    The compiled function is cached on the variable, keyed by the input variables.
    """
    given = dict(inputs_to_values or {})
    for key in given:
        if not isinstance(key, Variable):
            raise TypeError(f"eval: the keys of inputs_to_values must be symbolic variables; "
                            f"got {key!r:.60}")
    keys = tuple(given)
    cache = variable.__dict__.get("_eval_cache")
    if cache is None:
        cache = {}
        variable._eval_cache = cache
    fn = cache.get(keys)
    if fn is None:
        fn = cache[keys] = function(list(keys), variable, on_unused_input="ignore")
    return fn(*[given[k] for k in keys])
