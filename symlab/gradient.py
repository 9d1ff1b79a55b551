"""Gradients: symbolic reverse mode over the graph, and the tools around it.

``grad`` walks the graph from the cost back to the ``wrt`` variables in
reverse topological order, asking each node's op for the gradients of its
inputs (``Op.node_grad``, which calls ``Op.grad``; elementwise ops read the
gradient column of the scalar-op table). The result is an ordinary graph: it
is optimized, traced and drawn like any other. ``verify_grad`` checks a
gradient against central finite differences, computed with the reference
evaluator.

Connectivity follows Theano. An op's ``connection_pattern(node)`` says which
inputs can change which outputs; a ``wrt`` reaches a variable only along
connected pairs, and only nodes with a reached input connected to an output
that has a gradient are asked for theirs. ``shape(x)`` and random draws
declare their inputs disconnected, so the gradient of a dropout mask
``binomial(h.shape, p) * h`` never asks the draw for one. An op may answer
an input's gradient with ``DisconnectedType()()`` (no gradient flows: as
None) or ``grad_undefined(...)``/``grad_not_implemented(...)`` (a
``NullType`` variable): that is an error only if it must flow into a
``wrt``, and the error names the op, the input and the reason.
"""

import warnings
from types import SimpleNamespace

import numpy as np

from symlab import config
from symlab.graph.basic import Apply, GradientNotImplemented, Op, Type, Variable
from symlab.graph.evaluate import evaluate
from symlab.graph.traversal import toposort
from symlab.tensor.elemwise import is_differentiable
from symlab.tensor.type import TensorType

__all__ = ["grad", "jacobian", "hessian", "Lop", "Rop", "verify_grad", "zero_grad",
           "disconnected_grad", "consider_constant", "grad_clip", "DisconnectedInputError",
           "GradientError", "GradientNotImplemented", "DisconnectedType", "NullType",
           "NullTypeGradError", "grad_undefined", "grad_not_implemented", "connection_pattern_of"]


class DisconnectedInputError(ValueError):
    """A ``wrt`` variable the cost does not depend on (with disconnected_inputs='raise')."""


class GradientError(AssertionError):
    """``verify_grad`` found an analytic gradient that differs from finite differences."""


class NullTypeGradError(GradientNotImplemented, TypeError):
    """An undefined gradient (``grad_undefined``) would have to flow into a ``wrt``."""


# ---------------------------------------------------------------- gradient values

class DisconnectedType(Type):
    """The type of a gradient that does not exist: the input cannot change the cost.

    An op's gradient rule may answer ``DisconnectedType()()`` for an input;
    the walker treats it as None (no contribution).
    """

    def filter(self, value, name="value", allow_downcast=None):
        raise TypeError(f"{name}: a DisconnectedType variable holds no value (it marks an "
                        "input through which no gradient flows)")

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(DisconnectedType)

    def __str__(self):
        return "DisconnectedType"


class NullType(Type):
    """The type of a gradient that cannot be computed; ``why_null`` says why.

    ``error`` is the exception class raised if such a gradient must flow
    into a ``wrt`` (``NullTypeGradError`` for an undefined gradient,
    ``GradientNotImplemented`` for a missing rule).
    """

    def __init__(self, why_null="(no explanation given)", error=NullTypeGradError):
        self.why_null = why_null
        self.error = error

    def filter(self, value, name="value", allow_downcast=None):
        raise TypeError(f"{name}: a NullType variable holds no value: {self.why_null}")

    def __eq__(self, other):
        return type(self) is type(other) and self.why_null == other.why_null

    def __hash__(self):
        return hash((NullType, self.why_null))

    def __str__(self):
        return "NullType"


def _input_label(op, x_pos, x):
    return f"{op}: input {x_pos} ({x})"


def grad_undefined(op, x_pos, x, comment=""):
    """A ``NullType`` gradient for input ``x_pos`` (the variable ``x``) of ``op``: the
    gradient is mathematically undefined there. An error only if it reaches a ``wrt``."""
    why = f"{_input_label(op, x_pos, x)}: the gradient is undefined"
    return NullType(f"{why}: {comment}" if comment else why)()


def grad_not_implemented(op, x_pos, x, comment=""):
    """A ``NullType`` gradient for input ``x_pos`` of ``op`` whose rule is not written:
    raises ``GradientNotImplemented`` if it must flow into a ``wrt``."""
    why = f"{_input_label(op, x_pos, x)}: the gradient is not implemented"
    return NullType(f"{why}: {comment}" if comment else why, GradientNotImplemented)()


def is_null(g):
    """True if the gradient ``g`` is a ``NullType`` variable (undefined, not implemented)."""
    return g is not None and isinstance(g.type, NullType)


def _is_disconnected(g):
    return g is None or isinstance(g.type, DisconnectedType)


# ---------------------------------------------------------------- gradient markers

class GradientMarker(Op):
    """Passes its input through unchanged; changes only how gradients flow through it.

    ``kind`` 'zero': the gradient is zero (connected); 'disconnected' and
    'constant': no gradient flows. The canonicalize pass removes markers.
    """

    __props__ = ("kind",)
    view_of_input = True

    def __init__(self, kind):
        self.kind = kind

    @property
    def name(self):
        return {"zero": "zero_grad", "disconnected": "disconnected_grad",
                "constant": "consider_constant"}[self.kind]

    def make_node(self, x):
        from symlab.tensor.variable import as_tensor_variable
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0]]

    def grad(self, node, output_grads):
        (g,) = output_grads
        if self.kind == "zero" and g is not None and is_differentiable(node.inputs[0]):
            from symlab.tensor.creation import zeros_like
            return [zeros_like(node.inputs[0])]
        return [None]


class GradClip(GradientMarker):
    """Passes its input through unchanged; its gradient is clipped into ``[lower, upper]``."""

    __props__ = ("lower", "upper")

    def __init__(self, lower, upper):
        super().__init__("clip")
        if not float(lower) <= float(upper):
            raise ValueError(f"grad_clip: lower ({lower}) must not exceed upper ({upper})")
        self.lower, self.upper = float(lower), float(upper)

    @property
    def name(self):
        return "grad_clip"

    def grad(self, node, output_grads):
        from symlab.tensor.math import clip
        (g,) = output_grads
        if g is None:
            return [None]
        return [clip(g, self.lower, self.upper)]


def grad_clip(x, lower, upper):
    """``x`` itself, whose gradient is clipped elementwise into ``[lower, upper]`` (Theano's)."""
    return GradClip(lower, upper)(x)


def zero_grad(x):
    """``x`` whose gradient is zero: the cost still depends on it, with slope 0."""
    return GradientMarker("zero")(x)


def disconnected_grad(x):
    """``x`` through which no gradient flows (as if it were a constant)."""
    return GradientMarker("disconnected")(x)


def consider_constant(x):
    """``x`` treated as a constant by ``grad`` (Theano's name for ``disconnected_grad``)."""
    return GradientMarker("constant")(x)


# ---------------------------------------------------------------- grad

def _describe(var):
    return f"{var} of type {var.type}" if var.name is None else f"'{var.name}' of type {var.type}"


def _check_cost(cost):
    if not isinstance(cost, Variable) or not isinstance(cost.type, TensorType):
        raise TypeError(f"grad: the cost must be a symbolic tensor; got {cost!r:.80}")
    if cost.type.ndim != 0:
        raise TypeError(f"grad: the cost must be a scalar (0-d); {_describe(cost)} has "
                        f"{cost.type.ndim} dimensions. Sum or average it first "
                        "(cost.sum()), or use symlab.gradient.jacobian")
    if not is_differentiable(cost):
        raise TypeError(f"grad: the cost {_describe(cost)} is not a float; an integer or "
                        "boolean cost has no gradient")


def _stabilized(cost, wrt):
    """``cost`` with the stabilize pass run on its graph (same leaves, same value).

    The ``wrt`` variables are kept: the graph is cut at them, so one that is an
    intermediate value stays in the new graph.

    Differentiating the stable form gives stable gradients: the gradient of
    log(sigmoid(x)) is then sigmoid(-x), finite where sigmoid saturates,
    instead of (g / sigmoid(x)) * sigmoid(x) * (1 - sigmoid(x)), which is nan
    there. Skipped when ``consider_constant`` or ``known_grads`` name
    variables inside the cost's graph, which a rewrite could replace.
    """
    from symlab.rewrite import rewrite_graph  # upward: rewrites layer, loaded when used
    only_stabilize = SimpleNamespace(optimizer=None, include=("stabilize",), exclude=())
    from symlab.graph.traversal import graph_inputs
    leaves = [v for v in graph_inputs([cost]) if not hasattr(v, "get_value")]
    inputs = list(wrt) + [v for v in leaves if v not in set(wrt)]
    new_cost, _ = rewrite_graph(cost, inputs=inputs, mode=only_stabilize)
    return new_cost


def _pattern(node):
    """``node``'s connection pattern, checked, or None when every pair is connected."""
    op = node.op
    if type(op).connection_pattern is Op.connection_pattern:
        return None
    pattern = [list(row) for row in op.connection_pattern(node)]
    if len(pattern) != len(node.inputs) or any(len(row) != len(node.outputs)
                                               for row in pattern):
        raise ValueError(f"{op}.connection_pattern must give one list per input "
                         f"({len(node.inputs)}) of one bool per output ({len(node.outputs)}); "
                         f"got {pattern!r:.120}")
    return pattern


def _depends_on(roots, targets, stop):
    """The variables a path of connected pairs leads to from ``targets``, up to ``roots``
    (not crossing ``stop``)."""
    nodes = toposort(roots, stop_at=stop)
    reach = set(targets)
    for node in nodes:
        pattern = _pattern(node)
        if pattern is None:
            if any(v in reach for v in node.inputs):
                reach.update(node.outputs)
            continue
        for j, out in enumerate(node.outputs):
            if any(row[j] and v in reach for row, v in zip(pattern, node.inputs)):
                reach.add(out)
    return reach


def connection_pattern_of(inputs, outputs):
    """Which of ``inputs`` can change which of ``outputs`` (a graph's connection pattern):
    a list per input of a bool per output, following each node's ``connection_pattern``."""
    pattern = []
    for var in inputs:
        reach = _depends_on(list(outputs), [var], stop=set(inputs) - {var})
        pattern.append([out in reach for out in outputs])
    return pattern


def _sum_of(parts):
    from symlab.tensor.math import add
    return parts[0] if len(parts) == 1 else add(*parts)


def total_gradient(parts):
    """The sum of gradient contributions; an undefined one (NullType) wins."""
    for part in parts:
        if is_null(part):
            return part
    return _sum_of(parts)


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", known_grads=None,
         return_disconnected="zero"):
    """Return the gradient of the scalar ``cost`` with respect to ``wrt``.

    ``wrt`` is a variable or a list (the result has the same form); each
    gradient has the type of its variable. ``consider_constant`` lists
    variables treated as constants. ``known_grads`` maps variables to their
    gradients (then ``cost`` may be None). A ``wrt`` the cost does not
    depend on raises ``DisconnectedInputError`` (``disconnected_inputs``
    'raise'), or warns ('warn') or not ('ignore') and gets zeros
    (``return_disconnected`` 'zero') or None ('none'). Integer and boolean
    ``wrt`` get zeros of ``config.floatX``, as in Theano.
    """
    from symlab.tensor.creation import ones_like, zeros_like
    from symlab.tensor.variable import as_tensor_variable
    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError(f"grad: disconnected_inputs must be 'raise', 'warn' or 'ignore'; "
                         f"got {disconnected_inputs!r}")
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    for k, var in enumerate(wrt_list):
        if not isinstance(var, Variable):
            raise TypeError(f"grad: wrt[{k}] must be a symbolic variable; got {var!r:.80}")
    known = dict(known_grads or {})
    roots = list(known)
    if cost is not None:
        _check_cost(cost)
        if not known and not consider_constant:
            cost = _stabilized(cost, wrt_list)
        known.setdefault(cost, ones_like(cost))
        roots.append(cost)
    if not roots:
        raise ValueError("grad: give a cost, or known_grads")
    for var, g in list(known.items()):
        known[var] = as_tensor_variable(g)

    contributions = backpropagate(roots, known, wrt_list, consider_constant)
    results = []
    for var in wrt_list:
        if var in contributions:
            from symlab.tensor.math import cast
            total = total_gradient(contributions[var])
            if is_null(total):
                raise total.type.error(f"grad: the gradient with respect to {_describe(var)} "
                                       f"cannot be computed: {total.type.why_null}")
            results.append(cast(total, var.type.dtype))
        elif not is_differentiable(var) and var in _graph_variables(roots):
            results.append(zeros_like(var, dtype=config.floatX))
        else:
            message = (f"grad: the cost does not depend on {_describe(var)} (it is not in the "
                       "cost's graph, or only through a disconnected_grad/consider_constant)")
            if disconnected_inputs == "raise":
                raise DisconnectedInputError(
                    message + "; pass disconnected_inputs='ignore' to get zeros")
            if disconnected_inputs == "warn":
                warnings.warn(message, stacklevel=2)
            results.append(None if return_disconnected == "none" else
                           zeros_like(var, dtype=var.type.dtype if is_differentiable(var)
                                      else config.floatX))
    return results[0] if single else results


def backpropagate(roots, known, wrt, consider_constant=None):
    """The reverse sweep of ``grad``: ``{variable: [gradient contributions]}``.

    ``known`` maps variables of the graph of ``roots`` to their gradients.
    Gradients flow only towards variables the ``wrt`` variables reach along
    connected pairs (``connection_pattern``) and stop at ``consider_constant``.
    A contribution may be a ``NullType`` variable (an undefined gradient); it
    passes through every node on its way unchanged, and the caller decides
    whether it is an error (``grad``: only where it reaches a ``wrt``).
    """
    stop = set(consider_constant or ()) | set(wrt)
    reach = _depends_on(roots, wrt, stop=set(consider_constant or ()))
    contributions = {var: [g] for var, g in known.items()}
    for node in reversed(toposort(roots, stop_at=stop)):
        output_grads = [total_gradient(contributions[o]) if o in contributions else None
                        for o in node.outputs]
        if all(g is None for g in output_grads):
            continue
        pattern = _pattern(node)
        wanted = [var in reach and any(g is not None and (pattern is None or pattern[i][j])
                                       for j, g in enumerate(output_grads))
                  for i, var in enumerate(node.inputs)]
        if not any(wanted):
            continue
        null = [j for j, g in enumerate(output_grads) if is_null(g)]
        if null:
            # An undefined output gradient makes every connected input's undefined too.
            for i, var in enumerate(node.inputs):
                linked = [j for j in null if pattern is None or pattern[i][j]]
                if wanted[i] and linked:
                    contributions.setdefault(var, []).append(output_grads[linked[0]])
            continue
        input_grads = node.op.node_grad(node, output_grads)
        if len(input_grads) != len(node.inputs):
            raise ValueError(f"{node.op}.grad returned {len(input_grads)} gradients for "
                             f"{len(node.inputs)} inputs")
        for i, (var, g) in enumerate(zip(node.inputs, input_grads)):
            if wanted[i] and not _is_disconnected(g):
                _check_gradient_rank(node, i, var, g)
                contributions.setdefault(var, []).append(g)
    return contributions


def _check_gradient_rank(node, position, var, g):
    """Refuse a gradient whose number of dimensions is not its input's (a wrong ``grad`` rule)."""
    g_type, var_type = getattr(g, "type", None), var.type
    if is_null(g) or not isinstance(g_type, TensorType) or not isinstance(var_type, TensorType):
        return
    if g_type.ndim != var_type.ndim:
        raise ValueError(
            f"{node.op}.grad returned, for input {position} ({_describe(var)}), a gradient of "
            f"type {g_type} with {g_type.ndim} dimensions; a gradient has its input's "
            f"{var_type.ndim} dimensions")


def _graph_variables(roots):
    """Every variable of the graph of ``roots``."""
    seen = set(roots)
    for node in toposort(roots):
        seen.update(node.inputs)
        seen.update(node.outputs)
    return seen


# ---------------------------------------------------------------- jacobian, hessian, L/R ops

class Jacobian(Op):
    """The Jacobian of ``expression`` (flattened) with respect to ``wrt``, row by row.

    Its inputs are the free variables of the expression; ``perform`` finds
    the number of rows at run time and evaluates one vector-Jacobian product
    per row with the reference evaluator (a graph of fixed size cannot hold
    a row count known only at run time; ``scan`` would).
    """

    __props__ = ("key",)

    def __init__(self, inputs, flat, wrt, direction, vjp):
        self.inputs, self.flat, self.wrt = tuple(inputs), flat, wrt
        self.direction, self.vjp = direction, vjp
        self.key = id(self)

    @property
    def name(self):
        return "jacobian"

    def make_node(self, *inputs):
        shape = (None,) + tuple(self.wrt.type.shape)
        return Apply(self, list(inputs), [TensorType(self.vjp.type.dtype, shape)])

    def perform(self, node, inputs):
        given = dict(zip(self.inputs, inputs))
        n = int(np.size(evaluate(self.flat, given)))
        rows = []
        for i in range(n):
            basis = np.zeros(n, dtype=self.direction.type.dtype)
            basis[i] = 1
            rows.append(np.asarray(evaluate(self.vjp, {**given, self.direction: basis})))
        out_dtype = node.outputs[0].type.dtype
        if not rows:
            return [np.zeros((0,) + tuple(np.shape(given.get(self.wrt, ()))), dtype=out_dtype)]
        return [np.stack(rows).astype(out_dtype)]


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """Return the Jacobian of ``expression`` with respect to ``wrt`` (a variable or a list).

    Row ``i`` is the gradient of element ``i`` of the flattened expression:
    the result has shape ``(expression.size,) + wrt.shape``. A 0-d expression
    gives ``grad``. With a statically known size the rows are built
    symbolically; otherwise one node computes them at run time.
    """
    from symlab.graph.traversal import graph_inputs
    from symlab.tensor.shape import stack
    from symlab.tensor.variable import as_tensor_variable
    expression = as_tensor_variable(expression)
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    kwargs = dict(consider_constant=consider_constant, disconnected_inputs=disconnected_inputs)
    if expression.type.ndim == 0:
        results = grad(expression, wrt_list, **kwargs)
        return results[0] if single else results
    flat = expression.flatten()
    size = flat.type.shape[0]
    results = []
    for var in wrt_list:
        if size is not None:
            rows = [grad(flat[i], var, **kwargs) for i in range(size)]
            results.append(stack(rows) if rows else None)
            continue
        direction = TensorType(flat.type.dtype, (None,))("jacobian_row")
        vjp = grad(None, var, known_grads={flat: direction}, **kwargs)
        leaves = [v for v in graph_inputs([flat, vjp]) if v is not direction]
        results.append(Jacobian(leaves, flat, var, direction, vjp)(*leaves))
    return results[0] if single else results


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """Return the Hessian of the scalar ``cost``: the Jacobian of its gradient."""
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    results = []
    for var in wrt_list:
        g = grad(cost, var, consider_constant=consider_constant,
                 disconnected_inputs=disconnected_inputs)
        results.append(jacobian(g, var, consider_constant=consider_constant,
                                disconnected_inputs=disconnected_inputs))
    return results[0] if single else results


def Lop(f, wrt, eval_points, disconnected_inputs="raise"):
    """The vector-Jacobian product: ``eval_points`` (shaped like ``f``) times df/dwrt."""
    fs = f if isinstance(f, (list, tuple)) else [f]
    points = eval_points if isinstance(eval_points, (list, tuple)) else [eval_points]
    return grad(None, wrt, known_grads=dict(zip(fs, points)),
                disconnected_inputs=disconnected_inputs)


def Rop(f, wrt, eval_points, disconnected_inputs="raise"):
    """The Jacobian-vector product df/dwrt times ``eval_points`` (shaped like ``wrt``).

    Built with two reverse passes: Rop(f, x, v) = d/du <Lop(f, x, u), v>. When an
    op between ``wrt`` and ``f`` gives its own rule (``Op.has_rop``: a Theano-style
    op defining ``R_op``), the products are carried forward node by node instead:
    those ops through their rule, every other node through the two reverse passes
    on that node alone.
    """
    from symlab.tensor.variable import as_tensor_variable
    single_f = not isinstance(f, (list, tuple))
    fs = [f] if single_f else list(f)
    wrts = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
    points = eval_points if isinstance(eval_points, (list, tuple)) else [eval_points]
    points = [as_tensor_variable(v) for v in points]
    if any(node.op.has_rop(node) for node in toposort(fs, stop_at=set(wrts))):
        results = _forward_rop(fs, wrts, points, disconnected_inputs)
    else:
        results = [_jvp_by_lops(out, wrts, points, disconnected_inputs) for out in fs]
    return results[0] if single_f else results


def _jvp_by_lops(out, wrts, points, disconnected_inputs):
    """d out/d wrts times ``points``, by two reverse passes."""
    from symlab.graph.traversal import clone_replace
    from symlab.tensor.creation import zeros_like
    from symlab.tensor.math import mul
    from symlab.tensor.reduction import sum as reduce_sum
    u = out.type("rop_direction")
    lops = grad(None, wrts, known_grads={out: u}, disconnected_inputs=disconnected_inputs)
    inner = _sum_of([reduce_sum(mul(l, v)) for l, v in zip(lops, points)])
    jvp = grad(inner, u, disconnected_inputs="ignore")
    # inner is linear in u, so its gradient does not depend on u's value; u may
    # still appear through shapes: any value of f's shape will do.
    (jvp,) = clone_replace([jvp], {u: zeros_like(out)})
    return jvp


def carries_gradient(var):
    """True if gradients flow through ``var``: a float or complex tensor."""
    return isinstance(var.type, TensorType) and is_differentiable(var)


def _forward_rop(fs, wrts, points, disconnected_inputs):
    """The Jacobian-vector products of ``fs``, carried forward through each node."""
    from symlab.tensor.creation import zeros_like
    tangent = dict(zip(wrts, points))
    for node in toposort(fs, stop_at=set(wrts)):
        ev = [tangent.get(v) for v in node.inputs]
        if all(e is None for e in ev):
            continue
        if node.op.has_rop(node):
            outs = node.op.node_rop(node, ev)
        else:
            varying = [(v, e) for v, e in zip(node.inputs, ev)
                       if e is not None and carries_gradient(v)]
            outs = [_jvp_by_lops(out, [v for v, _ in varying], [e for _, e in varying],
                                 "ignore") if varying and carries_gradient(out) else None
                    for out in node.outputs]
        for out, t in zip(node.outputs, outs):
            if not _is_disconnected(t):
                tangent[out] = t
    results = []
    for out in fs:
        if out in tangent:
            results.append(tangent[out])
            continue
        message = f"Rop: {_describe(out)} does not depend on the wrt variables"
        if disconnected_inputs == "raise":
            raise DisconnectedInputError(message + "; pass disconnected_inputs='ignore'")
        results.append(zeros_like(out))
    return results


# ---------------------------------------------------------------- verify_grad

def _tolerances(dtype, abs_tol, rel_tol):
    default = 1e-4 if dtype == "float64" else 1e-2
    return (default if abs_tol is None else abs_tol), (default if rel_tol is None else rel_tol)


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, abs_tol=None, rel_tol=None, mode=None,
                cast_to_output_type=False):
    """Check the gradient of ``fun`` at the point ``pt`` against finite differences.

    ``fun`` takes symbolic tensors (one per array of ``pt``) and returns a
    symbolic tensor. The check projects the output on a random direction
    (a scalar cost), then compares ``grad`` of it, evaluated with the
    reference evaluator, with central finite differences of step ``eps``
    (default 1e-6 for float64 inputs, 1e-3 for float32). Raises ``GradientError``
    showing both gradients and where they differ most, or naming the input and both
    shapes when the analytic gradient's shape is not the input's. Returns None.
    ``mode`` and ``cast_to_output_type`` are accepted for Theano's callers
    and ignored: the check always uses the reference evaluator.
    """
    from symlab.tensor.math import mul
    from symlab.tensor.reduction import sum as reduce_sum
    from symlab.tensor.variable import as_tensor_variable, constant
    rng = np.random.default_rng(0) if rng is None else rng
    pt = [np.array(p, dtype=p.dtype if getattr(p, "dtype", None) is not None
                   and p.dtype.kind == "f" else "float64") for p in pt]
    symbols = [TensorType(p.dtype, (None,) * p.ndim)(f"input{k}") for k, p in enumerate(pt)]
    out = as_tensor_variable(fun(*symbols))
    out_shape = np.shape(evaluate(out, dict(zip(symbols, pt))))
    for test in range(n_tests):
        projection_dtype = out.type.dtype if is_differentiable(out) else "float64"
        projection = np.asarray(rng.uniform(-1.0, 1.0, size=out_shape), dtype=projection_dtype)
        cost = reduce_sum(mul(out, constant(projection)))
        grads = grad(cost, symbols, disconnected_inputs="ignore")
        given = dict(zip(symbols, pt))
        analytic = [np.asarray(v, dtype="float64") for v in evaluate(grads, given)]
        narrowest = "float64" if all(p.dtype == np.float64 for p in pt) and \
            cost.type.dtype == "float64" else "float32"
        atol, rtol = _tolerances(narrowest, abs_tol, rel_tol)
        for k, point in enumerate(pt):
            step = eps if eps is not None else (1e-6 if point.dtype == np.float64 else 1e-3)
            numeric = np.zeros(point.shape, dtype="float64")
            for index in np.ndindex(point.shape):
                shifted = [p.copy() for p in pt]
                shifted[k][index] = point[index] + step
                up = float(evaluate(cost, dict(zip(symbols, shifted))))
                shifted[k][index] = point[index] - step
                down = float(evaluate(cost, dict(zip(symbols, shifted))))
                numeric[index] = (up - down) / (2 * step)
            _compare_gradients(k, analytic[k], numeric, atol, rtol, test)


def _compare_gradients(k, analytic, numeric, atol, rtol, test):
    """Raise GradientError if the gradients of input ``k`` differ in shape or in value."""
    if analytic.shape != numeric.shape:
        raise GradientError(
            f"verify_grad: the analytic gradient with respect to input {k} ('input{k}') has "
            f"shape {analytic.shape}, but the input and its finite-difference gradient have "
            f"shape {numeric.shape} (test {test}); a gradient must have its input's shape: "
            "check the grad of the ops between the output and this input")
    error = np.abs(analytic - numeric)
    relative = error / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    bad = (error > atol) & (relative > rtol)
    if np.any(bad):
        worst = np.unravel_index(np.argmax(np.where(bad, error, -1)), analytic.shape) \
            if analytic.size else ()
        raise GradientError(
            f"verify_grad: the gradient with respect to input {k} differs from finite "
            f"differences (test {test}); largest difference at index {tuple(map(int, worst))}: "
            f"analytic {analytic[worst]!r}, numeric {numeric[worst]!r} (abs error "
            f"{error[worst]:.3g}, rel error {relative[worst]:.3g}; tolerances abs {atol}, "
            f"rel {rtol})\nanalytic gradient:\n{analytic}\nnumeric gradient:\n{numeric}")
