"""Gradients: symbolic reverse mode over the graph, and the tools around it.

``grad`` walks the graph from the cost back to the ``wrt`` variables in
reverse topological order, asking each node's op for the gradients of its
inputs (``Op.grad``; elementwise ops read the gradient column of the
scalar-op table). The result is an ordinary graph: it is optimized, traced
and drawn like any other. ``verify_grad`` checks a gradient against central
finite differences, computed with the reference evaluator.
"""

import warnings
from types import SimpleNamespace

import numpy as np

from symlab import config
from symlab.graph.basic import Apply, GradientNotImplemented, Op, Variable
from symlab.graph.evaluate import evaluate
from symlab.graph.traversal import toposort
from symlab.tensor.elemwise import is_differentiable
from symlab.tensor.type import TensorType

__all__ = ["grad", "jacobian", "hessian", "Lop", "Rop", "verify_grad", "zero_grad",
           "disconnected_grad", "consider_constant", "DisconnectedInputError", "GradientError",
           "GradientNotImplemented"]


class DisconnectedInputError(ValueError):
    """A ``wrt`` variable the cost does not depend on (with disconnected_inputs='raise')."""


class GradientError(AssertionError):
    """``verify_grad`` found an analytic gradient that differs from finite differences."""


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


def _depends_on(roots, targets, stop):
    """The variables on some path from ``targets`` up to ``roots`` (not crossing ``stop``)."""
    nodes = toposort(roots, stop_at=stop)
    reach = set(targets)
    for node in nodes:
        if any(v in reach for v in node.inputs):
            reach.update(node.outputs)
    return reach


def _sum_of(parts):
    from symlab.tensor.math import add
    return parts[0] if len(parts) == 1 else add(*parts)


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

    stop = set(consider_constant or ()) | set(wrt_list)
    reach = _depends_on(roots, wrt_list, stop=set(consider_constant or ()))
    contributions = {var: [g] for var, g in known.items()}
    for node in reversed(toposort(roots, stop_at=stop)):
        if not any(v in reach for v in node.inputs):
            continue
        output_grads = [_sum_of(contributions[o]) if o in contributions else None
                        for o in node.outputs]
        if all(g is None for g in output_grads):
            continue
        input_grads = node.op.grad(node, output_grads)
        if len(input_grads) != len(node.inputs):
            raise ValueError(f"{node.op}.grad returned {len(input_grads)} gradients for "
                             f"{len(node.inputs)} inputs")
        for var, g in zip(node.inputs, input_grads):
            if g is not None and var in reach:
                contributions.setdefault(var, []).append(g)

    results = []
    for var in wrt_list:
        if var in contributions:
            from symlab.tensor.math import cast
            results.append(cast(_sum_of(contributions[var]), var.type.dtype))
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

    Built with two reverse passes: Rop(f, x, v) = d/du <Lop(f, x, u), v>.
    """
    from symlab.graph.traversal import clone_replace
    from symlab.tensor.creation import zeros_like
    from symlab.tensor.math import mul
    from symlab.tensor.reduction import sum as reduce_sum
    single_f = not isinstance(f, (list, tuple))
    fs = [f] if single_f else list(f)
    wrts = wrt if isinstance(wrt, (list, tuple)) else [wrt]
    points = eval_points if isinstance(eval_points, (list, tuple)) else [eval_points]
    results = []
    for out in fs:
        u = out.type("rop_direction")
        lops = grad(None, wrts, known_grads={out: u}, disconnected_inputs=disconnected_inputs)
        inner = _sum_of([reduce_sum(mul(l, v)) for l, v in zip(lops, points)])
        jvp = grad(inner, u, disconnected_inputs="ignore")
        # inner is linear in u, so its gradient does not depend on u's value; u may
        # still appear through shapes: any value of f's shape will do.
        (jvp,) = clone_replace([jvp], {u: zeros_like(out)})
        results.append(jvp)
    return results[0] if single_f else results


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
    showing both gradients and where they differ most. Returns None.
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
    error = np.abs(analytic - numeric)
    relative = error / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    bad = (error > atol) & (relative > rtol)
    if np.any(bad) or analytic.shape != numeric.shape:
        worst = np.unravel_index(np.argmax(np.where(bad, error, -1)), analytic.shape) \
            if analytic.size else ()
        raise GradientError(
            f"verify_grad: the gradient with respect to input {k} differs from finite "
            f"differences (test {test}); largest difference at index {tuple(map(int, worst))}: "
            f"analytic {analytic[worst]!r}, numeric {numeric[worst]!r} (abs error "
            f"{error[worst]:.3g}, rel error {relative[worst]:.3g}; tolerances abs {atol}, "
            f"rel {rtol})\nanalytic gradient:\n{analytic}\nnumeric gradient:\n{numeric}")
