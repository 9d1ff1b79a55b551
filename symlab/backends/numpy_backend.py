"""The NumPy backend: lowers a FunctionGraph into one straight-line Python function.

The generated source is plain Python a user can read (``f.source``): one
line per node, variables named after the user's names where possible. Each
op family lowers through ``lower_node`` (``functools.singledispatch`` on the
op's class); the fallback calls the op's ``numpy_callable``. Compiled code
objects are cached by source text.

Large elementwise nodes may also run in blocks on several threads: the
node's lines then choose at run time between the straight code and a
generated block function defined after the main function (both in
``f.source``); ``symlab.backends.blocked`` says when and why. A straight
branch of ``DEFER_LINES`` lines or more (a long fused chain) is compiled on
its first use, not with the rest (``_defer``): ``compile()`` costs about
10 us a line, and a large input takes the blocked branch. ``f.source``
still shows it in place, and its lines keep their numbers in tracebacks.
"""

import functools
import keyword
import time

import numpy as np

from symlab.backends import blocked
from symlab.graph.basic import Constant
from symlab.tensor.elemwise import Elemwise, check_runtime_broadcast, natural_dtype
from symlab.tensor.fused import FusedElemwise

__all__ = ["lower", "Lowered", "lower_node", "Probe"]

_CODE_CACHE = {}


class Probe:
    """Instruments the generated code around every node (debugging and profiling).

    ``times``: a list of one float per node (in the order of
    ``Lowered.nodes``); the code adds each node's run time to its entry.
    ``after_node``: called as ``after_node(k, inputs, outputs)`` (tuples of
    values) once node ``k`` has run.
    """

    def __init__(self, times=None, after_node=None):
        self.times = times
        self.after_node = after_node


class Lowered:
    """The result of lowering: the callable, its source and its global names.

    ``nodes`` are the lowered nodes in the order they run; ``filename`` is
    the generated code's name in tracebacks; ``node_at_line(line)`` tells
    which node a line of that code belongs to (a line of a block function
    after the main function too: ``kernel_spans`` lists them as
    ``(first, last, k)``), and ``input_names[k]`` the Python names of node
    ``k``'s inputs there (a block function's parameters keep those names).
    """

    def __init__(self, fn, source, env, nodes=(), spans=(), input_names=(), filename=None,
                 kernel_spans=()):
        self.fn = fn
        self.source = source
        self.env = env
        self.nodes = list(nodes)
        self.spans = list(spans)
        self.input_names = list(input_names)
        self.filename = filename
        self.kernel_spans = list(kernel_spans)

    def node_at_line(self, line):
        """The index in ``nodes`` of the node whose code holds ``line``, or None."""
        for k, (first, last) in enumerate(self.spans):
            if first <= line <= last:
                return k
        for first, last, k in self.kernel_spans:
            if first <= line <= last:
                return k
        return None


class _Namer:
    """Gives each variable a readable, unique Python identifier."""

    def __init__(self):
        self.names = {}
        self.used = set()

    def _fresh(self, base):
        if not base.isidentifier() or keyword.iskeyword(base) or base.startswith("_"):
            base = "v"
        name, k = base, 1
        while name in self.used or name in ("np",):
            name = f"{base}_{k}"
            k += 1
        self.used.add(name)
        return name

    def name(self, var, prefix="v"):
        if var not in self.names:
            base = var.name if var.name else f"{prefix}{len(self.names)}"
            self.names[var] = self._fresh(base)
        return self.names[var]


class _Context:
    """What ``lower_node`` implementations use: the environment and name helpers."""

    def __init__(self, env, blocking=None, kept=None):
        self.env = env
        self._count = 0
        self.blocking = blocking   # blocked.Settings, or None: no blocked kernels
        self.kept = kept or {}     # variable -> slot of the output buffer kept between calls
        self.straight = []         # long straight branches of blocked nodes (``_deferred``)
        self.scalar_outputs = set()  # the graph's 0-d outputs
        self.arrays = set()        # variables whose value is known to be an ndarray
        self.kernels = []          # the source lines of each block function, in order
        self.flat = False          # True while writing a block function

    def constant(self, value):
        """A global name holding the constant ``value`` (0-d inside a block function)."""
        if self.flat:
            value = np.asarray(value).reshape(())
        return self.bind("c", value)

    def reserve(self, prefix):
        """A fresh global name for something the generated code defines itself."""
        self._count += 1
        return f"_{prefix}{self._count}"

    def temporary(self):
        """A fresh local name for an intermediate value of a kernel."""
        self._count += 1
        return f"_t{self._count}"

    def function(self, fn, label):
        """A name calling ``fn``: ``np.exp`` for NumPy's own ufuncs, else a bound global."""
        if isinstance(fn, np.ufunc) and getattr(np, fn.__name__, None) is fn:
            return f"np.{fn.__name__}"
        return self.bind(_safe(label) + "_", fn)

    def bind(self, prefix, value):
        """Put ``value`` in the generated function's globals; return its name."""
        self._count += 1
        name = f"_{prefix}{self._count}"
        self.env[name] = value
        return name


@functools.singledispatch
def lower_node(op, node, ins, outs, ctx):
    """Return source lines computing ``outs`` (names) from ``ins`` for ``node``.

    The fallback binds the op's ``numpy_callable`` and calls it.
    """
    fn = ctx.bind(f"{_safe(op.name)}_", op.numpy_callable(node))
    targets = outs[0] if len(outs) == 1 else ", ".join(outs)
    return [f"{targets} = {fn}({', '.join(ins)})"]


def _safe(text):
    return "".join(c if c.isalnum() else "_" for c in text)


def _elemwise_expr(op, node, ins, ctx, out=None, buffer_position=None):
    """The expression computing the Elemwise ``node`` from the names ``ins``.

    With ``out`` (a name) the result is written into that buffer with the
    row's ufunc (the caller checked ``writable_inputs``).
    """
    row = op.scalar_op
    out_dtype = node.outputs[0].type.dtype
    args = []
    for name, var, cast in zip(ins, node.inputs, op.input_cast_dtypes(node)):
        if cast is None:
            args.append(name)
        elif isinstance(var, Constant):
            args.append(ctx.constant(np.asarray(var.data).astype(cast)))
        else:
            args.append(f"{name}.astype({ctx.bind('dt', np.dtype(cast))})")
    dtypes = op.computed_dtypes(node)
    if out is not None:
        ufunc = ctx.function(row.ufunc, row.name)
        if len(args) == 1:
            return f"{ufunc}({args[0]}, out={out})"
        # Fold left as the row does; write into the buffer from the step that reads it on.
        if buffer_position is None and out in args:
            buffer_position = args.index(out)
        first_write = max(buffer_position, 1) if buffer_position is not None else 1
        if len(args) > _MAX_INLINE_FOLD:
            fold = ctx.bind("fold_into_", _fold_into)
            return f"{fold}({ufunc}, {first_write}, {out}, {', '.join(args)})"
        expr = args[0]
        for k, arg in enumerate(args[1:], start=1):
            target = f", out={out}" if k >= first_write else ""
            expr = f"{ufunc}({expr}, {arg}{target})"
        return expr
    if row.name == "identity" and op.dtype is not None:
        expr = args[0]
    elif row.ufunc is not None and row.nin == -1 and len(args) == 2:
        expr = f"{ctx.function(row.ufunc, row.name)}({args[0]}, {args[1]})"
    else:
        expr = f"{ctx.function(row.numpy, row.name)}({', '.join(args)})"
    if natural_dtype(row, tuple(dtypes)) != out_dtype:
        expr = f"{expr}.astype({ctx.bind('dt', np.dtype(out_dtype))})"
    return expr


#: Variadic add/mul with more inputs than this call a helper (Python limits nesting).
_MAX_INLINE_FOLD = 8


def _fold_into(ufunc, first_write, out, *args):
    """``args`` folded with ``ufunc``, written into ``out`` from step ``first_write`` on."""
    acc = args[0]
    for k, arg in enumerate(args[1:], start=1):
        acc = ufunc(acc, arg, out=out) if k >= first_write else ufunc(acc, arg)
    return acc


def _with_broadcast_checks(node, ins, out, lines, ctx):
    """``lines`` computing ``out``, guarded so that an illegal broadcast raises BroadcastError.

    An in-place write into a buffer too small makes NumPy raise ValueError
    first; that error is translated too.
    """
    checks = _broadcast_checks(node, ins, out)
    in_place = node.op.writes_into(node) is not None
    if not checks and not in_place:
        return lines
    fail = ctx.bind("bcast_error_", functools.partial(_raise_broadcast, node))
    values = f"({', '.join(ins)},)"
    if in_place and len(node.inputs) > 1:
        lines = (["try:"] + [f"    {line}" for line in lines]
                 + ["except ValueError:", f"    {fail}({values}, None)", "    raise"])
    if checks:
        lines = lines + [f"if {' or '.join(checks)}: {fail}({values}, {out})"]
    return lines


@lower_node.register(Elemwise)
def _lower_elemwise(op, node, ins, outs, ctx):
    (out,) = outs
    target = ins[op.inplace] if op.inplace is not None else None
    if target is None and node.outputs[0] in ctx.scalar_outputs and _fresh_0d(op, node):
        # A 0-d result the caller receives: written into a new 0-d array, which the
        # ufunc returns as it is (without out= it returns a NumPy scalar, which
        # would then be wrapped in an array: slower).
        ctx.arrays.add(node.outputs[0])
        dtype = ctx.bind("dt", node.outputs[0].type.numpy_dtype)
        return [f"{out} = {_elemwise_expr(op, node, ins, ctx, f'np.empty((), {dtype})')}"]
    lines = [f"{out} = {_elemwise_expr(op, node, ins, ctx, target)}"]
    lines = _blocked_or(node, ins, out, lines, ctx)
    return _with_broadcast_checks(node, ins, out, lines, ctx)


@lower_node.register(FusedElemwise)
def _lower_fused(op, node, ins, outs, ctx):
    """One kernel: the inner nodes' lines in order, over temporaries.

    A step writes into a buffer that no later step reads when it can (same
    dtype and shape): a temporary of the kernel, or the outer input the
    node may overwrite. So a chain allocates one array, or none in place.
    """
    (out,) = outs
    lines = [f"# {op.name}"] + _fused_steps(op, ins, out, ctx)
    lines = lines[:1] + _blocked_or(node, ins, out, lines[1:], ctx)
    return _with_broadcast_checks(node, ins, out, lines, ctx)


def _fresh_0d(op, node):
    """True if the 0-d Elemwise ``node`` can write its result with its row's ufunc, ``out=``
    a new 0-d array of the output's dtype (one ufunc call: one or two inputs)."""
    row = op.scalar_op
    return (node.outputs[0].type.ndim == 0 and row.ufunc is not None and op.dtype is None
            and row.ufunc.nout == 1 and len(node.inputs) in (1, 2)
            and (row.nin != -1 or len(node.inputs) == 2) and op.output_is_fresh(node)
            and natural_dtype(row, tuple(op.computed_dtypes(node)))
            == node.outputs[0].type.dtype)


def _fused_steps(op, ins, out, ctx, into=None):
    """The lines computing ``op``'s kernel from the names ``ins`` into the name ``out``.

    With ``into`` (inside a block function) the last step leaves its result
    in that existing buffer instead, and a sigmoid is computed by NumPy's
    ufuncs (``_sigmoid_lines``).
    """
    names = dict(zip(op.inner_inputs, ins))
    readers = {}
    for inner in op.inner_nodes:
        for var in inner.inputs:
            readers[var] = readers.get(var, 0) + 1
    owned = set()  # inner variables whose buffer the kernel may overwrite
    home = dict(names)  # inner variable -> the name of the memory it lives in
    if op.inplace is not None:
        owned.add(op.inner_inputs[op.inplace])
    lines = []
    last = op.inner_nodes[-1]
    for inner in op.inner_nodes:
        args = []
        for var in inner.inputs:
            if isinstance(var, Constant):
                names.setdefault(var, ctx.constant(var.data))
            args.append(names[var])
        result = inner.outputs[0]
        if into is not None and (inner is last or _fast_sigmoid(inner)):
            target = into if inner is last else ctx.temporary()
            if _fast_sigmoid(inner):
                lines.extend(_sigmoid_lines(args[0], target, inner is last, ctx))
            else:
                lines.append(_into_line(inner, args, [home.get(v) for v in inner.inputs],
                                        into, ctx))
            names[result] = home[result] = target
            owned.add(result)
            continue
        buffer = _dead_buffer(inner, owned, readers, names)
        position = None
        if buffer is not None:
            position = args.index(buffer)
            home_of_result = home[inner.inputs[position]]
        if inner is last:
            target = out
            if buffer is None and op.inplace is not None:
                # The outer buffer, unless this step reads it (or values living in it) twice.
                shared = [k for k, v in enumerate(inner.inputs) if home.get(v) == ins[op.inplace]]
                if len(shared) <= 1:
                    buffer, home_of_result = ins[op.inplace], ins[op.inplace]
                    position = shared[0] if shared else None
        else:
            target = ctx.temporary()
        expr = _elemwise_expr(inner.op, inner, args, ctx, buffer, position)
        lines.append(f"{target} = {expr}")
        names[result] = target
        home[result] = home_of_result if buffer is not None else target
        if buffer is not None or inner.op.output_is_fresh(inner):
            owned.add(result)
    return lines


# ---------------------------------------------------------------- blocked kernels

def _fast_sigmoid(node):
    """True if the sigmoid step ``node`` may be computed as ``1 / (1 + exp(-x))`` in a block."""
    op, out = node.op, node.outputs[0].type
    if op.scalar_op.name != "sigmoid" or op.dtype is not None or len(node.inputs) != 1:
        return False
    (var,) = node.inputs
    return (not isinstance(var, Constant) and out.ndim > 0
            and out.dtype in ("float32", "float64") and var.type.dtype == out.dtype)


def _sigmoid_lines(arg, target, existing, ctx):
    """``target`` = sigmoid(``arg``) by NumPy's SIMD ufuncs (``existing``: write into it).

    ``exp(-x)`` overflows to inf for very negative x, giving 1 / inf = 0, as
    SciPy's ``expit`` does: that overflow is silenced, nothing else.
    """
    t = ctx.temporary()
    last = (f"np.divide(1.0, {t}, out={target})" if existing
            else f"{target} = np.divide(1.0, {t}, out={t})")
    return [f"{t} = np.negative({arg})  # sigmoid(x) = 1 / (1 + exp(-x))",
            'with np.errstate(over="ignore", under="ignore"):',
            f"    np.exp({t}, out={t})",
            f"np.add({t}, 1.0, out={t})",
            last]


def _into_line(node, args, homes, into, ctx):
    """A line leaving the Elemwise ``node``'s result in the buffer ``into``.

    ``homes[k]`` names the memory input ``k`` lives in. The row's ufunc
    writes there directly when it computes the result's dtype and reads that
    memory at most once; otherwise the result is computed and copied in.
    """
    op, row = node.op, node.op.scalar_op
    dtypes = op.computed_dtypes(node)
    if (row.ufunc is not None and op.dtype is None and (row.nin != -1 or len(args) > 1)
            and natural_dtype(row, tuple(dtypes)) == node.outputs[0].type.dtype):
        shared = [k for k, home in enumerate(homes) if home == into]
        if len(shared) <= 1:
            return _elemwise_expr(op, node, args, ctx, into, shared[0] if shared else None)
    return f"{into}[...] = {_elemwise_expr(op, node, args, ctx)}"


def _block_roles(node):
    """Per input of the elementwise ``node``: 'slice' (cut into blocks), 'scalar' (passed
    whole), or 'constant' (a size-1 constant, used as a 0-d value); None if ``node``
    cannot run in blocks."""
    op, out = node.op, node.outputs[0].type
    if out.ndim == 0:
        return None
    if isinstance(op, Elemwise) and not op.output_is_fresh(node) and op.inplace is None:
        return None                       # a view of its input: nothing to compute
    if isinstance(op, FusedElemwise):
        for inner in op.inner_nodes:
            if any(isinstance(v, Constant) and np.size(v.data) != 1 for v in inner.inputs):
                return None
    roles = []
    for var in node.inputs:
        if isinstance(var, Constant):
            if np.size(var.data) != 1:
                return None
            roles.append("constant")
        elif var.type.ndim == 0:
            roles.append("scalar")
        elif var.type.ndim == out.ndim and not any(
                s == 1 and o != 1 for s, o in zip(var.type.shape, out.shape)):
            roles.append("slice")
        else:
            return None                   # broadcast along some axis: the straight code
    return roles if "slice" in roles else None


def _steps(node):
    """The elementwise steps of ``node``: its inner nodes if fused, else itself."""
    return node.op.inner_nodes if isinstance(node.op, FusedElemwise) else [node]


def _kernel_steps(node):
    """The work per element of ``node``'s kernel, in ufunc calls (a fast sigmoid is 4)."""
    return sum(4 if _fast_sigmoid(n) else 1 for n in _steps(node))


def _has_fast_sigmoid(node):
    return any(_fast_sigmoid(n) for n in _steps(node))


def _blocked_or(node, ins, out, lines, ctx):
    """``lines`` (the straight code of ``node``), or a choice at run time between them
    and a block function, if ``node`` can run in blocks (``symlab.backends.blocked``)."""
    config = ctx.blocking
    roles = _block_roles(node) if config is not None and config.enabled else None
    if roles is None:
        return lines
    op = node.op
    params = []                           # the block function's parameters: outer names
    for name, role in zip(ins, roles):
        if role != "constant" and name not in params:
            params.append(name)
    sliced = [name for name, role in zip(ins, roles) if role == "slice"]
    sliced = list(dict.fromkeys(sliced))
    block_names = {name: f"_{name}_blk" for name in sliced}
    ctx.flat = True
    try:
        args = [block_names.get(name, name) if role != "constant" else ctx.constant(var.data)
                for name, role, var in zip(ins, roles, node.inputs)]
        if op.inplace is not None:
            into = block_names[ins[op.inplace]]
        else:
            into = "_out_blk"
        if isinstance(op, FusedElemwise):
            steps = _fused_steps(op, args, None, ctx, into=into)
        elif _fast_sigmoid(node):
            steps = _sigmoid_lines(args[0], into, True, ctx)
        else:
            steps = [_into_line(node, args, args, into, ctx)]
    finally:
        ctx.flat = False
    kernel = ctx.reserve("kernel_")
    body = [f"# {op.name}: the flat elements [_start, _stop)"]
    body += [f"{block_names[name]} = {name}.reshape(-1)[_start:_stop]" for name in sliced]
    if op.inplace is None:
        body.append("_out_blk = _out.reshape(-1)[_start:_stop]")
    body += steps
    ctx.kernels.append([f"def {kernel}(_out, {', '.join(params)}, _start, _stop):"]
                       + [f"    {line}" for line in body])
    first = sliced[0]
    threaded = blocked.threads_from(_kernel_steps(node), config)
    # One thread computes a sigmoid faster in blocks (see _sigmoid_lines) from a modest size;
    # other kernels gain mainly from the threads.
    size = config.min_elements if _has_fast_sigmoid(node) else threaded
    checks = [f"{first}.size >= {size}", f"{first}.flags.c_contiguous"]
    for name in sliced[1:]:
        checks += [f"{name}.shape == {first}.shape", f"{name}.flags.c_contiguous"]
    if op.inplace is not None:
        target = ins[op.inplace]
        checks += [f"not np.may_share_memory({target}, {name})"
                   for name in sliced if name != target]
        buffer = target
    elif node.outputs[0] in ctx.kept:
        ctx.env["_kept_buffer"] = _kept_buffer
        buffer = (f"_kept_buffer(_kept, {ctx.kept[node.outputs[0]]}, {first}.shape, "
                  f"{str(node.outputs[0].type.dtype)!r}, {', '.join(params)})")
    else:
        buffer = f"np.empty({first}.shape, {str(node.outputs[0].type.dtype)!r})"
    ctx.env["_run_blocked"] = blocked.run_blocked
    call = (f"{out} = _run_blocked({kernel}, {buffer}, "
            f"({', '.join(params)}{',' if len(params) == 1 else ''}), "
            f"block={config.block_elements}, threads_from={threaded})")
    if len(lines) >= DEFER_LINES:
        ctx.straight.append(lines)
    return ([f"if {' and '.join(checks)}:", f"    {call}", "else:"]
            + [f"    {line}" for line in lines])


def _kept_buffer(kept, slot, shape, dtype, *inputs):
    """The buffer ``kept[slot]`` of an earlier call, if it has ``shape`` and shares no memory
    with ``inputs``; else a new one, kept in its place (``lower``'s ``keep_buffers``)."""
    buffer = kept[slot]
    if buffer is None or buffer.shape != shape or any(
            np.may_share_memory(buffer, x) for x in inputs):
        buffer = kept[slot] = np.empty(shape, dtype)
    return buffer


def _dead_buffer(inner, owned, readers, names):
    """The name of an owned buffer that step ``inner`` reads last and can overwrite, or None."""
    for position in inner.op.writable_inputs(inner):
        var = inner.inputs[position]
        if var in owned and readers[var] == 1 and inner.inputs.count(var) == 1:
            return names[var]
    return None


def _broadcast_checks(node, ins, out):
    """Cheap conditions that are true when a runtime size-1 dim was stretched illegally."""
    if len(node.inputs) < 2:
        return []
    out_type = node.outputs[0].type
    checks = []
    for name, var in zip(ins, node.inputs):
        if isinstance(var, Constant) or var.type.ndim == 0:
            continue
        offset = out_type.ndim - var.type.ndim
        free = [axis for axis, s in enumerate(var.type.shape) if s != 1]
        if not free:
            continue
        if offset == 0 and len(free) == var.type.ndim:
            checks.append(f"{name}.shape != {out}.shape")
        else:
            checks.extend(f"{name}.shape[{axis}] != {out}.shape[{axis + offset}]" for axis in free)
    return checks


def _raise_broadcast(node, values, out):
    """Raise BroadcastError for ``node``'s input ``values``; ``out`` None: after NumPy refused.

    With ``out`` None it returns if the shapes do not even broadcast (the
    caller re-raises NumPy's error).
    """
    if out is None:
        try:
            shape = np.broadcast_shapes(*(np.shape(v) for v in values))
        except ValueError:
            return
        check_runtime_broadcast(node, values, shape)
        return
    check_runtime_broadcast(node, values, np.shape(out))
    raise AssertionError("unreachable: a broadcast check failed without an error")


def lower(fgraph, leaf_names=None, copy_outputs=(), name="symlab_fn", probe=None,
          keep_buffers=()):
    """Lower ``fgraph`` to a Python function of its inputs returning a tuple of outputs.

    ``fgraph.inputs`` become the parameters, in order. ``copy_outputs`` lists
    output positions whose value must not alias an input, shared value or
    constant (they are copied when they might). 0-d outputs are returned as
    0-d ndarrays. ``probe`` (a ``Probe``) instruments every node.

    ``keep_buffers`` lists output positions whose buffer the function may
    reuse across calls (``Out(..., borrow=True)``). The reuse happens only
    where the output is computed by a blocked kernel (``_blocked_or``) that
    writes into no input, and the variable is no other output of the graph
    (an update's value, for example): the kernel then writes into the
    buffer it returned last time (``_kept_buffer``), unless that buffer has
    another shape or shares memory with one of the kernel's inputs (the
    caller passed the result back in), in which case a new buffer is made
    and kept instead. So the array an earlier call returned is overwritten
    by later calls (as Theano's borrowed outputs are).
    """
    env = {"np": np, "_asarray": np.asarray}
    outputs = list(fgraph.outputs)
    kept = {}
    for position in sorted(set(keep_buffers)):
        var = outputs[position]
        if var.owner is not None and outputs.count(var) == 1 and position not in copy_outputs:
            kept[var] = len(kept)
    env["_kept"] = [None] * len(kept)
    ctx = _Context(env, blocked.settings(), kept)
    ctx.scalar_outputs = {v for v in outputs if getattr(v.type, "ndim", None) == 0}
    namer = _Namer()
    params = [namer.name(v, "i") for v in fgraph.inputs]
    body = []
    aliases = set(fgraph.inputs)
    roots = {}         # variable -> the variable whose buffer it shares
    nodes, spans, input_names = fgraph.toposort(), [], []
    deferred = []      # (first line, last line, indent, out, params) of straight branches
    kernel_owners = []  # per block function, the index of its node
    if probe is not None:
        if probe.times is not None:
            env["_clock"], env["_times"] = time.perf_counter, probe.times
        if probe.after_node is not None:
            env["_after_node"] = probe.after_node
    body.extend(_unshare_destroyed_inputs(fgraph, nodes, params, env))
    for k, node in enumerate(nodes):
        ins = []
        for var in node.inputs:
            if isinstance(var, Constant):
                if var not in namer.names:
                    namer.names[var] = ctx.bind("c", var.data)
                aliases.add(var)
            ins.append(namer.name(var))
        outs = [namer.name(v) for v in node.outputs]
        first = len(body) + 2      # line 1 is the ``def``
        pending = len(ctx.straight)
        lines = lower_node(node.op, node, ins, outs, ctx)
        kernel_owners.extend([k] * (len(ctx.kernels) - len(kernel_owners)))
        if probe is not None:
            lines = _probed(k, lines, ins, outs, probe)
        if len(ctx.straight) > pending:
            deferred.extend(_locate_straight(ctx.straight[pending:], lines, first, ins, env))
        body.extend(lines)
        spans.append((first, len(body) + 1))
        input_names.append(ins)
        _note_aliases(node, roots, aliases)
    results = []
    copy_outputs = set(copy_outputs)
    returned = set()   # the buffers of the outputs so far: a second one sharing one is copied
    for position, var in enumerate(fgraph.outputs):
        if isinstance(var, Constant):
            if var not in namer.names:
                namer.names[var] = ctx.bind("c", var.data)
            aliases.add(var)
        expr = namer.name(var)
        root = roots.get(var, var)
        if (position in copy_outputs and var in aliases) or root in returned:
            expr = f"{expr}.copy()"
        returned.add(root)
        if getattr(var.type, "ndim", None) == 0 and var not in ctx.arrays:
            expr = f"_asarray({expr})"
        results.append(expr)
    source = _render(name, params, body, results, ctx.kernels)
    filename = f"<symlab generated: {name}>"
    compiled = _defer(source, deferred, env, filename) if deferred else source
    code = _CODE_CACHE.get(compiled)
    if code is None:
        code = _CODE_CACHE[compiled] = compile(compiled, filename, "exec")
    exec(code, env)
    kernel_spans, line = [], len(body) + 3      # after the def, the body, the return
    for k, kernel in zip(kernel_owners, ctx.kernels):
        line += 1                               # the blank line before each block function
        kernel_spans.append((line, line + len(kernel) - 1, k))
        line += len(kernel)
    return Lowered(env[name], source, env, nodes, spans, input_names, filename, kernel_spans)


#: The straight branch of a blocked node is compiled on its first use from this many lines.
DEFER_LINES = 16


def _locate_straight(branches, lines, first, ins, env):
    """Where the straight ``branches`` (``_blocked_or``) sit in a node's final ``lines``,
    the node starting at line ``first``: ``(first line, last line, indent, out, params)``
    each, or nothing for one not found as it was written (then compiled with the rest)."""
    found = []
    for branch in branches:
        n = len(branch)
        for i, line in enumerate(lines):
            stripped = line.lstrip()
            if stripped != "else:" or i + n >= len(lines):
                continue
            indent = line[:len(line) - len(stripped)] + "    "
            if all(lines[i + 1 + j] == indent + text for j, text in enumerate(branch)):
                out = branch[-1].split(" = ", 1)[0]
                if not out.isidentifier():
                    break
                params = [name for name in dict.fromkeys(ins) if name not in env]
                # _render indents the main function's body by four spaces
                found.append((first + i + 1, first + i + n, "    " + indent, out, params))
                break
    return found


def _defer(source, deferred, env, filename):
    """``source`` with each deferred straight branch replaced by a call of a function
    compiled on first use (``_Deferred``), its lines left blank: every other line keeps
    its number, and the branch's own lines keep theirs in the function, so tracebacks
    and ``Lowered.node_at_line`` read ``source`` as it is shown."""
    lines = source.split("\n")
    for k, (start, stop, indent, out, params) in enumerate(deferred):
        fname = f"_straight_{k + 1}"
        branch = lines[start - 1:stop]
        body = ["    " + line[len(indent):] for line in branch]
        text = ("\n" * (start - 2) + f"def {fname}({', '.join(params)}):\n"
                + "\n".join(body) + f"\n    return {out}\n")
        env[fname] = _Deferred(env, fname, text, filename)
        lines[start - 1] = f"{indent}{out} = {fname}({', '.join(params)})"
        for number in range(start, stop):
            lines[number] = ""
    return "\n".join(lines)


class _Deferred:
    """Stands for a straight branch until its first call, which compiles it (replacing
    this object in the generated code's globals) and runs it."""

    def __init__(self, env, name, source, filename):
        self.env, self.name, self.source, self.filename = env, name, source, filename

    def __call__(self, *args):
        code = _CODE_CACHE.get(self.source)
        if code is None:
            code = _CODE_CACHE[self.source] = compile(self.source, self.filename, "exec")
        exec(code, self.env)
        return self.env[self.name](*args)


def _unshare_destroyed_inputs(fgraph, nodes, params, env):
    """Lines copying each input a node overwrites when it shares memory with another input.

    Only an ``In(x, mutable=True)`` input is ever overwritten; if the caller passed the
    same array (or a view of it) for another input or it is a shared value, writing
    into it would change what the other reads, so the function works on a copy
    (Theano did the same). Functions that overwrite no input get no lines.
    """
    destroyed = []
    for node in nodes:
        position = node.op.writes_into(node)
        if position is not None and node.inputs[position] in fgraph.inputs:
            destroyed.append(fgraph.inputs.index(node.inputs[position]))
    if not destroyed:
        return []
    env["_overlaps"] = _overlaps
    lines = []
    for index in dict.fromkeys(destroyed):
        others = [name for k, name in enumerate(params) if k != index]
        if others:
            name = params[index]
            lines += [f"if _overlaps({name}, ({''.join(o + ', ' for o in others)})):",
                      f"    {name} = {name}.copy()"]
    return lines


def _overlaps(array, others):
    """True if ``array`` may share memory with one of the arrays ``others``."""
    return any(isinstance(other, np.ndarray) and np.may_share_memory(array, other)
               for other in others)


def _probed(k, lines, ins, outs, probe, settle=()):
    """``lines`` of node ``k`` with the probe's timing and call around them.

    ``settle``: lines run before the clock stops (the CuPy backend waits for the device).
    """
    if probe.times is not None:
        lines = ["_t = _clock()"] + lines + list(settle) + [f"_times[{k}] += _clock() - _t"]
    if probe.after_node is not None:
        lines = lines + [f"_after_node({k}, ({''.join(n + ', ' for n in ins)}), "
                         f"({''.join(n + ', ' for n in outs)}))"]
    return lines


def _aliased_input(node):
    """The input whose memory ``node``'s result may share (a view, a pass-through, a
    buffer written in place), or None."""
    op = node.op
    written = op.writes_into(node)
    if written is not None:
        return node.inputs[written]
    viewed = op.view_of(node)
    if viewed is not None:
        return node.inputs[viewed]
    if node.inputs and isinstance(op, Elemwise) and not op.output_is_fresh(node):
        return node.inputs[0]
    return None


def _note_aliases(node, roots, aliases):
    """Record what ``node``'s outputs may share memory with (``_aliased_input``): the buffer
    they share (``roots``: variable -> the variable owning it), and membership of ``aliases``
    (variables that may share an input's memory), inherited from that input."""
    base = _aliased_input(node)
    if base is not None:
        for out in node.outputs:
            roots[out] = roots.get(base, base)
        if base in aliases:
            aliases.update(node.outputs)


def _render(name, params, body, results, kernels=()):
    """The main function, then each block function after a blank line."""
    lines = [f"def {name}({', '.join(params)}):"]
    lines.extend(f"    {line}" for line in body)
    trailing = "," if len(results) == 1 else ""
    lines.append(f"    return ({', '.join(results)}{trailing})")
    for kernel in kernels:
        lines.append("")
        lines.extend(kernel)
    return "\n".join(lines) + "\n"
