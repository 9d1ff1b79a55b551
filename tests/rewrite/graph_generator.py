"""Random well-typed symlab graphs, each with inputs, values and an exact answer.

The differential tests (``test_differential.py``) compile every generated
graph with no rewrites and with FAST_RUN and compare both with the reference
evaluator; where the evaluator overflows they compare with the exact answer.

The generator is written against a tiny *chooser* interface, so one
generator serves two drivers:

* ``HypothesisChooser(data)`` draws every choice from hypothesis's
  ``st.data()``: examples shrink to small graphs;
* ``RngChooser(numpy.random.default_rng(seed))``: a fixed seed gives a fixed
  graph, whatever ran before (the rewrite-coverage test).

A chooser answers ``integer(lo, hi)`` (inclusive), ``choice(options)``,
``boolean(p)`` and ``seed()``. Array values come from a NumPy generator
seeded by ``seed()``: the structure of a graph is drawn choice by choice
(and shrinks), its numbers in one draw.

**The exact answer.** Each expression is built together with its value in
``numpy.longdouble`` (80-bit extended precision here: exp(800) is finite),
computed by NumPy on the generator's side, never by symlab. The patterns
that the stabilizing rewrites target get closed forms instead of a mirror of
the graph (``log(1 + exp(x))`` is ``logaddexp(0, x)``, the cross-entropy of
a softmax is minus a log-softmax), because the mirror itself would round
``1 + exp(-800)`` to 1 even in extended precision. Casts are exact in the
exact answer (no rounding), so it is the value of the mathematical
expression the graph stands for. Values are kept where that answer is
finite and representable: every expression whose exact value exceeds
``LIMIT`` of its dtype is rejected and another is drawn.

**What is covered.** Elementwise rows of ``symlab/tensor/scalar_ops.py``
(with guarded domains: ``log(abs(x) + 1)``, ``sqrt(abs(x))``, divisors
``abs(y) + 1``...), rows that jump (``floor``, comparisons, ``sign``,
``argmax``) only on values that every compilation computes exactly (leaves,
integers); reductions (sum, max, min, mean, prod, argmax, all, any, with
axis and keepdims); ``dot``; dimshuffle, transpose, reshape, flatten;
basic indexing (constant and symbolic) and the tutorial's
``log(p)[arange(n), y]``; casts; softmax, log_softmax, categorical and
binary cross-entropy; logsumexp by hand; gradients (``symlab.gradient.grad``,
plain, with ``consider_constant`` and with ``known_grads``) of these with
closed-form derivatives, and the gradient markers; ``shape`` of reductions
and elementwise results; float32, float64, int32, int64 and bool, and
constants of every flavor (Python numbers, 0-d arrays of each dtype,
size-1 arrays); broadcasting rows, columns and scalars; static shapes;
several outputs; shared variables with updates.

**Patterns on purpose.** ``PATTERNS`` maps each rewrite name to the method
building the pattern it matches, so that every rewrite fires in the coverage
test: the stabilize patterns come with a reshape, a transpose (dimshuffle)
or a cast between their parts now and then (``glue``), and with large
inputs (about +-800) where the naive graph overflows. A new rewrite needs
its pattern here (and a line in ``PATTERNS``) or the coverage test fails.
"""

import math
from dataclasses import dataclass, field

import numpy as np

import symlab.tensor as T
from symlab import shared
from symlab.graph.traversal import ancestors, graph_inputs
from symlab.printing import debugprint

__all__ = ["RngChooser", "HypothesisChooser", "Expr", "Case", "GraphGenerator", "generate",
           "PATTERNS", "PATTERN_METHODS", "EPS", "LD"]

LD = np.longdouble

#: Machine epsilon of each float dtype (ints and bools compute exactly: 0).
EPS = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps)}

#: The largest exact magnitude an expression of each dtype may hold.
LIMIT = {"float32": 1e15, "float64": 1e100, "int32": 2 ** 20, "int64": 2 ** 40,
         "int8": 100, "int16": 10_000, "bool": 1}

MAX_STEPS = 16


# ---------------------------------------------------------------- choosers

class RngChooser:
    """Choices from a ``numpy.random.Generator`` (deterministic for a seed)."""

    def __init__(self, rng):
        self.rng = rng

    def integer(self, lo, hi):
        return int(self.rng.integers(lo, hi + 1))

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def boolean(self, p=0.5):
        return bool(self.rng.random() < p)

    def seed(self):
        return int(self.rng.integers(2 ** 32))


class HypothesisChooser:
    """Choices drawn from hypothesis's ``st.data()``; they shrink toward the first
    option, the low integer and False."""

    def __init__(self, data):
        from hypothesis import strategies as st
        self.data = data
        self.st = st

    def integer(self, lo, hi):
        return self.data.draw(self.st.integers(lo, hi))

    def choice(self, options):
        return options[self.data.draw(self.st.integers(0, len(options) - 1))]

    def boolean(self, p=0.5):
        return self.data.draw(self.st.integers(0, 999)) >= round(1000 * (1 - p))

    def seed(self):
        return self.data.draw(self.st.integers(0, 2 ** 32 - 1))


# ---------------------------------------------------------------- expressions and cases

@dataclass
class Expr:
    """A symbolic variable and its exact value.

    ``mag`` is the largest magnitude among the values it is computed from (the
    scale of its rounding errors); ``eps`` the epsilon of the least precise
    float dtype it was *computed* in (0 for leaves: a float32 input is exact,
    and ``x_f32 ** 2.0`` is computed in float64); ``exact_ok`` says every
    compilation computes it exactly (leaves, integers, bools), so rows that
    jump may follow it.
    """

    var: object
    exact: np.ndarray
    mag: float
    eps: float
    exact_ok: bool = False

    @property
    def dtype(self):
        return self.var.type.dtype

    @property
    def kind(self):
        return _kind(self.dtype)

    @property
    def shape(self):
        return self.exact.shape


@dataclass
class Case:
    """One generated test: inputs with values, outputs and updates with exact values."""

    inputs: list
    values: list
    outputs: list                          # [Expr]
    updates: list = field(default_factory=list)   # [(shared variable, Expr)]
    shared: list = field(default_factory=list)    # [(shared variable, initial value)]
    steps: list = field(default_factory=list)     # what the generator did, in words

    def reset_shared(self):
        """Give every shared variable its initial value again."""
        for var, value in self.shared:
            var.set_value(value.copy())

    def describe(self):
        """The graph (outputs, then updates), the input values and the steps, as text."""
        lines = ["outputs:", debugprint([e.var for e in self.outputs], file="str")]
        for var, expr in self.updates:
            lines += [f"update of {var}:", debugprint(expr.var, file="str")]
        for var, value in zip(self.inputs, self.values):
            lines.append(f"{var} ({var.type}) = {np.array2string(value, precision=17)}")
        for var, value in self.shared:
            lines.append(f"shared {var} ({var.type}) = {np.array2string(value, precision=17)}")
        lines.append("steps: " + "; ".join(self.steps))
        return "\n".join(lines)


def _kind(dtype):
    if dtype == "bool":
        return "bool"
    return "float" if dtype.startswith("float") else "int"


def _ld(value):
    return np.asarray(value, dtype=LD)


def _max_abs(value):
    value = np.asarray(value)
    if value.size == 0 or value.dtype == bool:
        return 1.0 if value.dtype == bool else 0.0
    return float(np.max(np.abs(value)))


def _broadcasts(*exprs):
    """True if the runtime shapes broadcast the way the static shapes allow."""
    ndim = max(len(e.shape) for e in exprs)
    padded = [((1,) * (ndim - len(e.shape)) + e.shape,
               (1,) * (ndim - len(e.shape)) + e.var.type.shape) for e in exprs]
    for axis in range(ndim):
        sizes = {runtime[axis] for runtime, _ in padded}
        big = sizes - {1}
        if len(big) > 1:
            return False
        if big:
            for runtime, static in padded:
                if runtime[axis] == 1 and static[axis] != 1:
                    return False
    return True


#: Rows whose result is one of their inputs' values, or an integer: never rounded.
_EXACT_ROWS = {"abs", "neg", "maximum", "minimum", "clip", "switch", "sign", "floor", "ceil",
               "trunc", "round_half_to_even", "round_half_away_from_zero"}


def _rounds(node):
    """True unless ``node`` moves, picks or widens values without rounding them."""
    from symlab.tensor.elemwise import DimShuffle, Elemwise
    from symlab.tensor.reduction import Reduce
    from symlab.tensor.shape import Reshape
    from symlab.tensor.subtensor import Subtensor
    op = node.op
    if isinstance(op, (DimShuffle, Reshape, Subtensor)):
        return False
    if isinstance(op, Reduce):
        return op.kind not in ("max", "min", "argmax", "argmin", "all", "any")
    if isinstance(op, Elemwise) and op.scalar_op.name == "identity":
        source, target = node.inputs[0].type.dtype, node.outputs[0].type.dtype
        return not (target == "float64" or source == target)
    if isinstance(op, Elemwise) and op.scalar_op.name in _EXACT_ROWS:
        return node.inputs[0].type.dtype != node.outputs[0].type.dtype == "float32"
    return True


def _rounding_eps(var, parents):
    """The epsilon of the least precise float dtype that any node between the
    ``parents`` and ``var`` rounds its result to (0 if none rounds)."""
    stop, seen, stack, eps = set(parents), set(), [var], 0.0
    while stack:
        v = stack.pop()
        if v in seen or v in stop or v.owner is None:
            continue
        seen.add(v)
        if _rounds(v.owner):
            eps = max(eps, EPS.get(v.type.dtype, 0.0))
        stack.extend(v.owner.inputs)
    return eps


# ---------------------------------------------------------------- exact closed forms

def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(LD(0), x)


def _erf(x):
    return _ld(np.vectorize(math.erf, otypes=[float])(np.asarray(x, dtype=float)))


def _erfc(x):
    return _ld(np.vectorize(math.erfc, otypes=[float])(np.asarray(x, dtype=float)))


def _round_half_away(x):
    return np.where(np.abs(x - np.trunc(x)) >= 0.5, np.trunc(x) + np.sign(x), np.trunc(x))


def _log_softmax(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    return (x - m) - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def _logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis) if axis is not None \
        else out.reshape(())


def _unbroadcast(full, shape):
    """``full`` summed over the axes along which an array of ``shape`` was broadcast."""
    full = np.asarray(full)
    lead = full.ndim - len(shape)
    if lead:
        full = full.sum(axis=tuple(range(lead)))
    axes = tuple(k for k, size in enumerate(shape) if size == 1 and full.shape[k] != 1)
    return full.sum(axis=axes, keepdims=True) if axes else np.broadcast_to(full, shape).copy()


def _bitwise(fn):
    def exact(a, b):
        return _ld(fn(np.asarray(a).astype(np.int64), np.asarray(b).astype(np.int64)))
    return exact


# ---------------------------------------------------------------- operation tables

# name: (build on a symbolic variable, exact on a longdouble array)
UNARY_FLOAT = {
    "neg": (T.neg, np.negative),
    "abs": (T.abs, np.abs),
    "exp": (T.exp, np.exp),
    "exp2": (T.exp2, np.exp2),
    "expm1": (T.expm1, np.expm1),
    "sin": (T.sin, np.sin),
    "cos": (T.cos, np.cos),
    "arctan": (T.arctan, np.arctan),
    "tanh": (T.tanh, np.tanh),
    "sinh": (T.sinh, np.sinh),
    "cosh": (T.cosh, np.cosh),
    "arcsinh": (T.arcsinh, np.arcsinh),
    "sigmoid": (T.sigmoid, _sigmoid),
    "softplus": (T.softplus, _softplus),
    "erf": (T.erf, _erf),
    "erfc": (T.erfc, _erfc),
    "sqr": (T.sqr, np.square),
    "relu": (T.nnet.relu, lambda x: np.maximum(x, 0)),
    "clip": (lambda x: T.clip(x, -2, 2), lambda x: np.clip(x, -2, 2)),
    # guarded domains
    "log(|x|+0.5)": (lambda x: T.log(abs(x) + 0.5), lambda x: np.log(np.abs(x) + LD(0.5))),
    "log2(|x|+1)": (lambda x: T.log2(abs(x) + 1), lambda x: np.log2(np.abs(x) + 1)),
    "log10(|x|+1)": (lambda x: T.log10(abs(x) + 1), lambda x: np.log10(np.abs(x) + 1)),
    "log1p(|x|)": (lambda x: T.log1p(abs(x)), lambda x: np.log1p(np.abs(x))),
    "sqrt(|x|)": (lambda x: T.sqrt(abs(x)), lambda x: np.sqrt(np.abs(x))),
    "reciprocal(|x|+1)": (lambda x: T.reciprocal(abs(x) + 1), lambda x: 1 / (np.abs(x) + 1)),
    "arccosh(|x|+1.5)": (lambda x: T.arccosh(abs(x) + 1.5),
                         lambda x: np.arccosh(np.abs(x) + LD(1.5))),
    "arcsin(tanh(x)/2)": (lambda x: T.arcsin(T.tanh(x) * 0.5),
                          lambda x: np.arcsin(np.tanh(x) * LD(0.5))),
    "arccos(tanh(x)/2)": (lambda x: T.arccos(T.tanh(x) * 0.5),
                          lambda x: np.arccos(np.tanh(x) * LD(0.5))),
    "arctanh(tanh(x)/2)": (lambda x: T.arctanh(T.tanh(x) * 0.5),
                           lambda x: np.arctanh(np.tanh(x) * LD(0.5))),
}

# Rows that jump: only on values every compilation computes exactly.
UNARY_JUMPING = {
    "floor": (T.floor, np.floor),
    "ceil": (T.ceil, np.ceil),
    "trunc": (T.trunc, np.trunc),
    "round_half_to_even": (T.round_half_to_even, np.rint),
    "round_half_away_from_zero": (T.round_half_away_from_zero, _round_half_away),
    "sign": (T.sign, np.sign),
}

UNARY_INT = {
    "neg": (T.neg, np.negative),
    "abs": (T.abs, np.abs),
    "sqr": (T.sqr, np.square),
    "invert": (T.invert, lambda x: -x - 1),
}

BINARY_FLOAT = {
    "add": (T.add, np.add),
    "sub": (T.sub, np.subtract),
    "mul": (T.mul, np.multiply),
    "true_div": (lambda a, b: a / (abs(b) + 1), lambda a, b: a / (np.abs(b) + 1)),
    "maximum": (T.maximum, np.maximum),
    "minimum": (T.minimum, np.minimum),
    "pow": (lambda a, b: (abs(a) + 0.5) ** T.clip(b, -2, 2),
            lambda a, b: (np.abs(a) + LD(0.5)) ** np.clip(b, -2, 2)),
    "arctan2": (lambda a, b: T.arctan2(a, abs(b) + 0.5),
                lambda a, b: np.arctan2(a, np.abs(b) + LD(0.5))),
}

BINARY_INT = {
    "add": (T.add, np.add),
    "sub": (T.sub, np.subtract),
    "mul": (T.mul, np.multiply),
    "maximum": (T.maximum, np.maximum),
    "minimum": (T.minimum, np.minimum),
    "int_div": (lambda a, b: a // (abs(b) + 1), lambda a, b: np.floor_divide(a, np.abs(b) + 1)),
    "mod": (lambda a, b: a % (abs(b) + 1), lambda a, b: np.mod(a, np.abs(b) + 1)),
    "and_": (T.and_, _bitwise(np.bitwise_and)),
    "or_": (T.or_, _bitwise(np.bitwise_or)),
    "xor": (T.xor, _bitwise(np.bitwise_xor)),
    "true_div": (lambda a, b: a / (abs(b) + 1), lambda a, b: a / (np.abs(b) + 1)),
}

# Rows with their derivatives, for gradients: name: (build, derivative on exact values).
GRAD_ROWS = {
    "exp": (T.exp, np.exp),
    "sin": (T.sin, np.cos),
    "tanh": (T.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "sqr": (T.sqr, lambda x: 2 * x),
    "sigmoid": (T.sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "softplus": (T.softplus, _sigmoid),
    "log1p(exp)": (lambda x: T.log1p(T.exp(x)), _sigmoid),
    "cube": (lambda x: x ** 3, lambda x: 3 * x * x),
    "arctan": (T.arctan, lambda x: 1 / (1 + x * x)),
    "x*x": (lambda x: x * x, lambda x: 2 * x),
}

COMPARISONS = {
    "lt": (T.lt, np.less), "le": (T.le, np.less_equal), "gt": (T.gt, np.greater),
    "ge": (T.ge, np.greater_equal), "eq": (T.eq, np.equal), "neq": (T.neq, np.not_equal),
}


# ---------------------------------------------------------------- the generator

class GraphGenerator:
    """Builds one random graph from a chooser; ``build()`` returns it as a ``Case``.

    Expressions go into ``pool`` as they are made; later steps take their
    operands from it (or from new leaves), so subexpressions are shared.
    """

    def __init__(self, chooser):
        self.c = chooser
        self.n = chooser.integer(2, 4)          # the usual sizes of dimensions
        self.m = chooser.integer(2, 4)
        self.inputs = []                        # [(variable, value)]
        self.shared = []                        # [(shared variable, initial value, Expr)]
        self.pool = []                          # [Expr]
        self.steps = []
        self._names = 0

    # ------------------------------------------------------------ values and leaves

    def _name(self, prefix):
        self._names += 1
        return f"{prefix}{self._names}"

    def draw_values(self, shape, dtype, style=None):
        """An array of ``dtype``: ints in [-5, 5] (now and then in [-60000, 60000]);
        floats of a drawn style (moderate, tiny, large about +-800, or moderate
        with some large)."""
        rng = np.random.default_rng(self.c.seed())
        if dtype == "bool":
            return rng.random(shape) < 0.5
        if _kind(dtype) == "int":
            high = 6 if self.c.boolean(0.75) else 60_000     # sometimes past sqrt(2 ** 31)
            return rng.integers(-high, high + 1, size=shape).astype(dtype)
        if style is None:
            style = self.c.choice(("moderate", "moderate", "moderate", "mixed", "large",
                                   "tiny"))
        values = rng.uniform(-3, 3, size=shape)
        if style == "tiny":
            values = rng.uniform(-1e-3, 1e-3, size=shape)
        elif style == "large":
            values = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(700, 800, size=shape)
        elif style == "mixed":
            large = rng.random(shape) < 0.4
            values = np.where(large, rng.choice([-1.0, 1.0], size=shape) * 750.0, values)
        return np.asarray(values, dtype=dtype)

    def _static(self, shape, how):
        if how == "static":
            return tuple(shape)
        return tuple(1 if (how == "broadcast" and s == 1) else None for s in shape)

    def leaf(self, dtype, shape, how="plain", style=None, shared_ok=True, value=None):
        """A new input (or, sometimes, shared variable or constant) of runtime ``shape``.

        ``how``: 'plain' (static sizes unknown), 'broadcast' (static 1 where the
        size is 1: rows, columns) or 'static' (every size known). ``value``
        defaults to one drawn by ``draw_values``.
        """
        shape = tuple(shape)
        if value is None:
            value = self.draw_values(shape, dtype, style)
        value = np.asarray(value, dtype=dtype)
        static = self._static(shape, how)
        role = "input"
        if shared_ok and self.c.boolean(0.12) and all(s is None for s in static):
            role = "shared"            # a shared variable's static sizes are all unknown
        elif self.c.boolean(0.06):
            role = "constant"
        if role == "shared":
            var = shared(value.copy(), name=self._name("s"))
        elif role == "constant":
            var = T.constant(value.copy())
        elif role == "input":
            var = T.tensor(dtype=dtype, shape=static, name=self._name("x"))
            self.inputs.append((var, value))
        expr = Expr(var, _ld(value) if dtype != "bool" else value, _max_abs(value), 0.0,
                    exact_ok=True)
        if role == "shared":
            self.shared.append((var, value, expr))
        self.pool.append(expr)
        self.steps.append(f"{role} {var} {dtype}{list(shape)}")
        return expr

    def random_shape(self, ndim=None):
        if ndim is None:
            ndim = self.c.choice((2, 1, 0, 2, 1))
        if ndim == 0:
            return (), "plain"
        if ndim == 1:
            return (self.c.choice((self.m, self.n)),), "plain"
        how = self.c.choice(("plain", "plain", "broadcast", "static"))
        shape = (self.n, self.m)
        if how == "broadcast":
            shape = self.c.choice(((1, self.m), (self.n, 1)))
        return shape, how

    def random_dtype(self, kinds=("float",)):
        options = []
        if "float" in kinds:
            options += ["float64", "float64", "float32"]
        if "int" in kinds:
            options += ["int32", "int64"]
        return self.c.choice(tuple(options))

    def const(self, value, ndim=0):
        """The constant ``value`` in a drawn flavor: a Python number (autocast to the
        smallest dtype holding it), a 0-d float64, float32 or int64 array, or an
        array of ``ndim`` dimensions of size 1 (it broadcasts like a scalar)."""
        flavor = self.c.choice(("python", "python", "float64", "float32", "int64", "ones"))
        if flavor == "python":
            return value
        if flavor == "int64" and value != int(value):
            flavor = "float64"
        if flavor == "ones":
            return T.constant(np.full((1,) * ndim, value))
        return T.constant(np.array(value, dtype=flavor))

    def new_leaf(self, kinds=("float",), ndim=None, style=None):
        shape, how = self.random_shape(ndim)
        return self.leaf(self.random_dtype(kinds), shape, how, style)

    def pick(self, kinds=("float",), ndims=(0, 1, 2), where=None, fresh=0.15):
        """An expression of the pool of a kind and ndim (``where`` filters more), or
        a new leaf (always when the pool has none)."""
        candidates = [e for e in self.pool if e.kind in kinds and e.var.type.ndim in ndims
                      and (where is None or where(e))]
        if candidates and not self.c.boolean(fresh):
            return candidates[len(candidates) - 1 - self.c.integer(0, len(candidates) - 1)]
        if where is not None:
            return None
        return self.new_leaf(kinds, self.c.choice(tuple(ndims)))

    def partner(self, a, kinds=("float",)):
        """An expression broadcasting with ``a``: from the pool, or a new leaf (same
        shape, or a row, column or scalar)."""
        found = self.pick(kinds, where=lambda e: e is not a and _broadcasts(a, e), fresh=0.3)
        if found is not None:
            return found
        dtype = self.random_dtype(kinds)
        shape = a.shape
        how = self.c.choice(("plain", "scalar", "broadcast", "same"))
        if how == "scalar" or not shape:
            return self.leaf(dtype, ())
        if how == "broadcast" and len(shape) == 2:
            return self.leaf(dtype, self.c.choice(((1, shape[1]), (shape[0], 1))), "broadcast")
        if how == "same":
            return self.leaf(dtype, shape, "broadcast" if 1 in a.var.type.shape else "plain")
        return self.leaf(dtype, shape, "plain") if 1 not in shape else self.leaf(dtype, ())

    # ------------------------------------------------------------ making expressions

    def make(self, var, exact, parents, exact_ok=False, eps=0.0, label=""):
        """Wrap ``var`` as an Expr, or None if its exact value is out of range."""
        dtype = var.type.dtype
        if dtype == "bool":
            exact = np.asarray(exact, dtype=bool)
        else:
            exact = _ld(exact)
            if not np.all(np.isfinite(exact)) or _max_abs(exact) > LIMIT.get(dtype, 1e15):
                self.steps.append(f"(rejected {label}: out of range)")
                return None
        if exact.ndim != var.type.ndim or any(
                s is not None and s != r for s, r in zip(var.type.shape, exact.shape)):
            raise AssertionError(f"generator bug: {label} has type {var.type} but its exact "
                                 f"value has shape {exact.shape}")
        mag = max([_max_abs(exact)] + [p.mag for p in parents])
        rounding = 0.0 if exact_ok else _rounding_eps(var, [p.var for p in parents])
        eps = max([rounding, eps] + [p.eps for p in parents])
        expr = Expr(var, exact, mag, eps, exact_ok)
        self.pool.append(expr)
        self.steps.append(label or str(var.owner.op if var.owner else var))
        return expr

    # ------------------------------------------------------------ generic steps

    def step_unary(self):
        a = self.pick(("float", "int"))
        if a.exact_ok and self.c.boolean(0.2):
            name = self.c.choice(tuple(UNARY_JUMPING))
            build, exact = UNARY_JUMPING[name]
        elif a.kind == "int" and self.c.boolean(0.5):
            name = self.c.choice(tuple(UNARY_INT))
            build, exact = UNARY_INT[name]
            return self.make(build(a.var), exact(a.exact), [a], a.exact_ok, label=name)
        else:
            name = self.c.choice(tuple(UNARY_FLOAT))
            build, exact = UNARY_FLOAT[name]
        keeps_exact = a.exact_ok and name in ("neg", "abs", *UNARY_JUMPING)
        return self.make(build(a.var), exact(a.exact), [a], keeps_exact, label=name)

    def step_binary(self):
        a = self.pick(("float", "int"))
        b = self.partner(a, (a.kind, "float") if a.kind == "int" else ("float", "int"))
        if self.c.boolean(0.5):
            a, b = b, a
        if a.kind == "int" and b.kind == "int":
            name = self.c.choice(tuple(BINARY_INT))
            build, exact = BINARY_INT[name]
            ok = a.exact_ok and b.exact_ok and name != "true_div"
        else:
            name = self.c.choice(tuple(BINARY_FLOAT))
            build, exact = BINARY_FLOAT[name]
            ok = a.exact_ok and b.exact_ok and name in ("maximum", "minimum")
        if name in ("add", "mul", "maximum", "minimum") and self.c.boolean(0.25):
            c = self.partner(a, (a.kind,))
            if _broadcasts(a, b, c):
                fn = getattr(T, name)
                ex = np.add if name == "add" else np.multiply if name == "mul" else \
                    np.maximum if name == "maximum" else np.minimum
                return self.make(fn(a.var, b.var, c.var) if name in ("add", "mul")
                                 else fn(fn(a.var, b.var), c.var),
                                 ex(ex(a.exact, b.exact), c.exact), [a, b, c],
                                 ok and c.exact_ok and c.kind == a.kind, label=name + "3")
        return self.make(build(a.var, b.var), exact(a.exact, b.exact), [a, b], ok, label=name)

    def step_compare(self):
        a = self.pick(("float", "int"), where=lambda e: e.exact_ok)
        if a is None:
            a = self.new_leaf(("float", "int"))
        b = self.pick(("float", "int"), where=lambda e: e.exact_ok and e is not a
                      and _broadcasts(a, e))
        if b is None:
            b = self.leaf(a.dtype, (), "plain")
        name = self.c.choice(tuple(COMPARISONS))
        build, exact = COMPARISONS[name]
        cond = self.make(build(a.var, b.var), exact(a.exact, b.exact), [a, b], True, label=name)
        use = self.c.choice(("switch", "cast", "mul", "reduce", "keep"))
        if use == "switch":
            x = self.partner(cond, ("float", "int"))
            y = self.partner(cond, (x.kind,))
            if not _broadcasts(cond, x, y):
                return cond
            return self.make(T.switch(cond.var, x.var, y.var),
                             np.where(cond.exact, x.exact, y.exact), [cond, x, y],
                             x.exact_ok and y.exact_ok and x.dtype == y.dtype, label="switch")
        if use == "cast":
            dtype = self.random_dtype(("float", "int"))
            return self.make(T.cast(cond.var, dtype), cond.exact.astype(LD), [cond], True,
                             label=f"cast{{{dtype}}}")
        if use == "mul":
            x = self.partner(cond)
            if not _broadcasts(cond, x):
                return cond
            return self.make(cond.var * x.var, cond.exact * x.exact, [cond, x], False,
                             label="bool*x")
        if use == "reduce" and cond.var.type.ndim:
            kind = self.c.choice(("all", "any"))
            axis = self.c.choice((None, 0))
            fn = np.all if kind == "all" else np.any
            return self.make(getattr(T, kind)(cond.var, axis=axis), fn(cond.exact, axis=axis),
                             [cond], True, label=f"{kind}(axis={axis})")
        return cond

    def step_reduce(self):
        a = self.pick(("float", "int"), ndims=(1, 2))
        ndim = a.var.type.ndim
        kind = self.c.choice(("sum", "max", "mean", "min", "sum", "prod", "argmax"))
        if kind == "argmax" and not a.exact_ok:
            kind = "max"
        axis = self.c.choice((None, 0, -1, (0, 1))) if ndim == 2 else self.c.choice((None, 0))
        keepdims = self.c.boolean(0.3)
        np_axis = axis
        fn = {"sum": np.sum, "max": np.max, "min": np.min, "mean": np.mean, "prod": np.prod,
              "argmax": np.argmax}[kind]
        if kind == "argmax":
            if isinstance(axis, tuple):
                axis = np_axis = None
            exact = np.argmax(a.exact, axis=np_axis)
            if keepdims:
                exact = np.expand_dims(exact, tuple(range(ndim)) if axis is None else axis)
        else:
            exact = fn(a.exact, axis=np_axis, keepdims=keepdims)
        var = getattr(T, kind)(a.var, axis=axis, keepdims=keepdims)
        ok = kind in ("max", "min", "argmax") and a.exact_ok or \
            (kind == "sum" and a.kind == "int" and a.exact_ok)
        return self.make(var, exact, [a], ok, label=f"{kind}(axis={axis}, keepdims={keepdims})")

    def step_dot(self):
        a = self.pick(("float", "int"), ndims=(1, 2))
        k = a.shape[-1]
        b = self.pick(("float", "int"), ndims=(1, 2), where=lambda e: e.shape[0] == k)
        if b is None:
            ndim = self.c.choice((1, 2))
            shape = (k,) if ndim == 1 else (k, self.c.choice((self.n, self.m, 1)))
            how = "broadcast" if 1 in shape and self.c.boolean(0.5) else "plain"
            b = self.leaf(self.random_dtype(("float", "int")), shape, how)
        ok = a.kind == "int" and b.kind == "int" and a.exact_ok and b.exact_ok
        if self.c.boolean(0.3) and a.var.type.ndim == 2 and b.var.type.ndim == 2:
            # (a b)^T = b^T a^T: the same product through two transposes
            return self.make(T.dot(b.var.T, a.var.T), np.dot(b.exact.T, a.exact.T), [a, b],
                             ok, label="dot of transposes")
        return self.make(T.dot(a.var, b.var), np.dot(a.exact, b.exact), [a, b], ok, label="dot")

    def step_shape(self):
        a = self.pick(("float", "int", "bool"))
        ndim = a.var.type.ndim
        shape = a.shape
        op = self.c.choice(("transpose", "reshape", "flatten", "dimshuffle", "drop",
                            "T.T", "identity_dimshuffle", "reshape_twice", "copy"))
        x, v = a.var, a.exact
        if op == "transpose" and ndim == 2:
            out, ex = (x.T if self.c.boolean() else T.transpose(x, (1, 0))), v.T
        elif op == "T.T" and ndim == 2:
            out, ex = x.T.T, v
        elif op == "identity_dimshuffle":
            out, ex = x.dimshuffle(*range(ndim)), v
        elif op == "reshape" and ndim >= 1:
            how = self.c.choice(("constant", "symbolic", "minus_one"))
            target = tuple(reversed(shape)) if ndim == 2 else self.c.choice(
                ((shape[0],), (1, shape[0]), (shape[0], 1)))
            if how == "symbolic" and ndim == 2:
                out = x.reshape((x.shape[1], x.shape[0]))
            elif how == "minus_one":
                out = x.reshape((-1,) + target[1:]) if len(target) > 1 else x.reshape((-1,))
            else:
                out = x.reshape(target)
            ex = v.reshape(target)
        elif op == "flatten" and ndim >= 1:
            out, ex = x.flatten(), v.reshape(-1)
        elif op == "reshape_twice" and ndim == 2:
            out, ex = x.flatten().reshape(shape), v
        elif op == "dimshuffle" and ndim <= 1:
            pattern = self.c.choice((("x", 0), (0, "x"))) if ndim == 1 else ("x",)
            out, ex = x.dimshuffle(*pattern), v.reshape(
                tuple(1 if p == "x" else v.shape[p] for p in pattern))
        elif op == "drop" and 1 in x.type.shape:
            axis = x.type.shape.index(1)
            keep = [d for d in range(ndim) if d != axis]
            out, ex = x.dimshuffle(*keep), v.reshape(tuple(v.shape[d] for d in keep))
        elif op == "copy":
            out, ex = x.copy(), v
        else:
            return None
        return self.make(out, ex, [a], a.exact_ok, label=op)

    def step_index(self):
        a = self.pick(("float", "int"), ndims=(1, 2))
        shape = a.shape
        rows = shape[0]
        options = [(self.c.integer(-rows, rows - 1),), (slice(1, None),), (slice(None, -1),),
                   (slice(None, None, -1),), (slice(None, None, 2),), ("symbolic",)]
        if len(shape) == 2:
            cols = shape[1]
            j = self.c.integer(-cols, cols - 1)
            options += [(slice(None), j), (self.c.integer(-rows, rows - 1), j),
                        (slice(None, None, -1), slice(1, None))]
        index = self.c.choice(tuple(options))
        parents = [a]
        if index == ("symbolic",):
            i = self.leaf(self.c.choice(("int32", "int64")), (), shared_ok=False,
                          value=self.c.integer(-rows, rows - 1))
            sym, num = (i.var,), (int(i.exact),)
            parents.append(i)
        else:
            sym = num = index
        ex = a.exact[num]
        if ex.size == 0:
            return None
        return self.make(a.var[sym if len(sym) > 1 else sym[0]], ex, parents, a.exact_ok,
                         label=f"index{num}")

    def step_cast(self):
        a = self.pick(("float", "int"))
        dtype = self.c.choice(("float64", "float32", "int32", "int64"))
        if dtype == a.dtype:
            return None
        ex, ok = a.exact, a.exact_ok
        if _kind(dtype) == "int":
            if not a.exact_ok:
                return None
            ex = np.trunc(ex)
        elif a.exact_ok:
            ex = _ld(np.asarray(ex, dtype=np.float64).astype(dtype)) \
                if a.kind == "float" else ex
            ok = a.kind == "float" or _max_abs(ex) < 2 ** 20
        return self.make(T.cast(a.var, dtype), ex, [a], ok, label=f"cast{{{dtype}}}")

    # ------------------------------------------------------------ glue inside a pattern

    def glue(self, var, shape, kinds=("transpose", "reshape", "cast")):
        """``var`` or a view/cast of it: (new variable, the same change on exact
        values, the epsilon it adds). Values are unchanged, shapes may change."""
        kind = self.c.choice(("none", "none", "none") + tuple(kinds))
        ndim = len(shape)
        same = (lambda v: v)
        if kind == "transpose":
            if ndim == 2:
                return var.T, (lambda v: v.T), 0.0
            pattern = self.c.choice((("x", 0), (0, "x"))) if ndim == 1 else ("x",)
            new = tuple(1 if p == "x" else shape[p] for p in pattern)
            return var.dimshuffle(*pattern), (lambda v: v.reshape(new)), 0.0
        if kind == "reshape":
            if ndim == 2:
                target = self.c.choice((tuple(reversed(shape)), (shape[0] * shape[1],)))
            elif ndim == 1:
                target = self.c.choice(((1, shape[0]), (shape[0], 1), (shape[0],)))
            else:
                target = (1,)
            return var.reshape(target), (lambda v: v.reshape(target)), 0.0
        if kind == "cast" and var.type.dtype.startswith("float"):
            dtype = "float32" if var.type.dtype == "float64" else "float64"
            return T.cast(var, dtype), same, EPS[dtype]
        return var, same, 0.0

    # ------------------------------------------------------------ patterns the rewrites target

    def _float_operand(self, ndims=(0, 1, 2), style=None):
        if style is not None and self.c.boolean(0.5):
            return self.new_leaf(("float",), self.c.choice(tuple(ndims)), style=style)
        return self.pick(("float", "int") if self.c.boolean(0.2) else ("float",), ndims)

    def _finish(self, var, exact, parents, eps, label):
        return self.make(var, exact, parents, eps=eps, label=label)

    def pattern_log1p_from_log(self):
        """log(1 + u), log(u + 1), log(glue(1 + u)) with u >= 0."""
        a = self._float_operand(style="tiny")
        u, ex = self.c.choice(((abs, np.abs), (T.sqr, np.square), (T.sigmoid, _sigmoid)))
        var, exu = u(a.var), ex(a.exact)
        form = self.c.choice(("1+u", "u+1", "glue"))
        if form == "glue":
            g, gex, eps = self.glue(self.const(1, var.type.ndim) + var, a.shape)
            return self._finish(T.log(g), gex(np.log1p(exu)), [a], eps, "log(glue(1+u))")
        g, gex, eps = self.glue(var, a.shape, ("transpose", "reshape"))
        one = self.const(1, g.type.ndim)
        out = T.log(one + g) if form == "1+u" else T.log(g + one)
        return self._finish(out, gex(np.log1p(exu)), [a], eps, f"log({form})")

    def pattern_expm1_from_exp(self):
        """exp(x) - 1, with a glue between exp and the subtraction."""
        a = self._float_operand(style="tiny")
        g, gex, eps = self.glue(T.exp(a.var), a.shape)
        if self.c.boolean(0.2):
            out = self.const(-1) + g
        else:
            out = g - self.const(self.c.choice((1, 1.0)))
        return self._finish(out, gex(np.expm1(a.exact)), [a], eps, "exp(x)-1")

    def pattern_softplus_from_log1p_exp(self):
        """log1p(exp(x)) and log(1 + exp(x)), glued, with large x."""
        a = self._float_operand(style="large")
        g, gex, eps = self.glue(T.exp(a.var), a.shape)
        form = self.c.choice(("log1p", "log(1+e)", "log(e+1)"))
        one = self.const(1)
        out = T.log1p(g) if form == "log1p" else T.log(one + g) if form == "log(1+e)" \
            else T.log(g + one)
        return self._finish(out, gex(_softplus(a.exact)), [a], eps, form + "(exp)")

    def pattern_sigmoid_from_exp(self):
        """1 / (1 + exp(-x)), the logistic function written out, glued, with large x."""
        a = self._float_operand(style="large")
        if self.c.boolean(0.7):
            e, exact = T.exp(-a.var), _sigmoid(a.exact)
        else:
            e, exact = T.exp(a.var), _sigmoid(-a.exact)
        one = self.const(1)
        if self.c.boolean():
            g, gex, eps = self.glue(self.const(1) + e, a.shape)
            out = one / g
        else:
            g, gex, eps = self.glue(e, a.shape, ("transpose", "reshape"))
            out = one / (g + self.const(1, g.type.ndim))
        return self._finish(out, gex(exact), [a], eps, "1/(1+exp(-x))")

    def pattern_log_sigmoid_to_softplus(self):
        """log(sigmoid(x)), glued, with large x."""
        a = self._float_operand(style="large")
        g, gex, eps = self.glue(T.nnet.sigmoid(a.var), a.shape)
        return self._finish(T.log(g), gex(-_softplus(-a.exact)), [a], eps, "log(sigmoid)")

    def pattern_log1m_sigmoid_to_softplus(self):
        """log(1 - sigmoid(x)) and log(glue(1 - sigmoid(x))), with large x."""
        a = self._float_operand(style="large")
        s = T.nnet.sigmoid(a.var)
        one = self.const(1)
        if self.c.boolean():
            g, gex, eps = self.glue(one - s, a.shape)
            out = T.log(g)
        else:
            g, gex, eps = self.glue(s, a.shape)
            out = T.log(one - g)
        return self._finish(out, gex(-_softplus(a.exact)), [a], eps, "log(1-sigmoid)")

    def pattern_binary_crossentropy(self):
        """binary_crossentropy(sigmoid(x), t): both log-sigmoid patterns at once."""
        a = self._float_operand(style="large")
        t = self.partner(a)
        if not _broadcasts(a, t):
            return None
        t_var = T.sigmoid(t.var)          # a target in (0, 1)
        exact = _sigmoid(t.exact) * _softplus(-a.exact) + (1 - _sigmoid(t.exact)) * \
            _softplus(a.exact)
        out = T.nnet.binary_crossentropy(T.nnet.sigmoid(a.var), t_var)
        return self._finish(out, exact, [a, t], 0.0, "binary_crossentropy(sigmoid)")

    def pattern_logsumexp_shift(self):
        """log(sum(exp(x), axis)), with glue before the sum and after it; also the
        hand-shifted form log(sum(exp(x - max))) + max."""
        a = self._float_operand(ndims=(1, 2), style="large")
        if self.c.boolean(0.2):
            axis = self.c.choice((None, -1))
            m = T.max(a.var, axis=axis, keepdims=True)
            out = T.log(T.sum(T.exp(a.var - m), axis=axis, keepdims=True)) + m
            return self._finish(out, _logsumexp(a.exact, axis, True), [a], 0.0,
                                "logsumexp by hand, shifted")
        g, gex, eps = self.glue(T.exp(a.var), a.shape)
        shaped = gex(a.exact)
        axis = self.c.choice((None,) + tuple(range(shaped.ndim)) + (-1,)) if shaped.ndim \
            else None
        keepdims = self.c.boolean(0.3)
        s = T.sum(g, axis=axis, keepdims=keepdims)
        exact = _logsumexp(shaped, axis, keepdims)
        g2, gex2, eps2 = self.glue(s, exact.shape, ("transpose", "cast"))
        return self._finish(T.log(g2), gex2(exact), [a], max(eps, eps2),
                            f"log(sum(exp, axis={axis}))")

    def pattern_log_softmax_from_log(self):
        """log(softmax(x, axis)), glued; and the LogSoftmax op itself."""
        a = self._float_operand(ndims=(1, 2), style="large")
        axis = self.c.choice((-1, 0, None))
        if self.c.boolean(0.2):
            return self._finish(T.nnet.log_softmax(a.var, axis=axis),
                                _log_softmax(a.exact, axis), [a], 0.0, "log_softmax")
        g, gex, eps = self.glue(T.nnet.softmax(a.var, axis=axis), a.shape)
        return self._finish(T.log(g), gex(_log_softmax(a.exact, axis)), [a], eps,
                            f"log(softmax(axis={axis}))")

    def pattern_crossentropy_softmax(self):
        """categorical_crossentropy(softmax(x), int labels), with the distribution
        transposed, reshaped or cast on its way; and the tutorial's
        -mean(log(softmax(x))[arange(n), y])."""
        rows, cols = self.n, self.c.choice((self.m, 2, 5))
        form = self.c.choice(("plain", "transposed", "reshaped", "cast"))
        shape = (cols, rows) if form == "transposed" else \
            (rows * cols,) if form == "reshaped" else (rows, cols)
        a = self.pick(("float",), ndims=(len(shape),), where=lambda e: e.shape == shape)
        if a is None:
            a = self.leaf(self.random_dtype(), shape, style=self.c.choice((None, "large")))
        eps = 0.0
        if form == "transposed":
            coding = T.nnet.softmax(a.var, axis=0).T
            log_p = _log_softmax(a.exact, 0).T
        elif form == "reshaped":
            coding = T.nnet.softmax(a.var, axis=-1).reshape((rows, cols))
            log_p = _log_softmax(a.exact, -1).reshape((rows, cols))
        else:
            coding = T.nnet.softmax(a.var)
            log_p = _log_softmax(a.exact, -1)
            if form == "cast":
                dtype = "float32" if a.dtype == "float64" else "float64"
                coding, eps = T.cast(coding, dtype), EPS[dtype]
        values = np.random.default_rng(self.c.seed()).integers(0, cols, rows)
        labels = self.leaf(self.c.choice(("int32", "int64")), (rows,), shared_ok=False,
                           value=values)
        exact = -log_p[np.arange(rows), values]
        if self.c.boolean(0.25):
            # Theano's tutorial: -mean(log(p)[arange(y.shape[0]), y]), advanced indexing
            picked = T.log(coding)[T.arange(labels.var.shape[0]), labels.var]
            return self._finish(-T.mean(picked), np.mean(exact), [a], eps,
                                f"-mean(log(softmax)[arange, y]), {form}")
        out = T.nnet.categorical_crossentropy(coding, labels.var)
        return self._finish(out, exact, [a], eps, f"crossentropy(softmax, {form})")

    def _pow(self, exponents):
        if self.c.boolean(0.3):
            a = self.pick(("int",))
        else:
            a = self._float_operand()
        p = self.c.choice(exponents)
        base, ex = a.var, a.exact
        if p < 0 or p != int(p):
            base, ex = abs(base) + 0.5, np.abs(ex) + LD(0.5)
        exponent = self.const(p) if self.c.boolean(0.7) else \
            T.constant(np.asarray(p, dtype=a.dtype if a.kind == "float" else "float64"))
        return self._finish(base ** exponent, ex ** LD(p), [a], 0.0, f"x ** {p}")

    def pattern_pow_to_sqr(self):
        """x ** 2 (a Python int or float, or a constant of x's dtype)."""
        return self._pow((2, 2.0))

    def pattern_pow_to_sqrt(self):
        """x ** 0.5 with x >= 0."""
        return self._pow((0.5,))

    def pattern_pow_to_reciprocal(self):
        """x ** -1 with x away from 0."""
        return self._pow((-1, -1.0))

    def pattern_pow_to_muls(self):
        """Small integer powers: x ** 3, x ** 4, x ** -2."""
        return self._pow((3, 4, -2, 3.0))

    def pattern_canonical(self):
        """The canonicalize patterns: x * 1, x + 0, -(-x), exp(log(x)), log(exp(x)),
        x - x, 2 * x * 3, x * x, y + x, x.T.T, x.dimshuffle(0, 1), x.copy(),
        reshape of reshape, reshape to the static shape it has."""
        a = self.pick(("float", "int"))
        x, v = a.var, a.exact
        form = self.c.choice(("*1", "+0", "--", "exp(log)", "log(exp)", "x-x", "2*x*3",
                              "1+x+2", "x*x", "y+x", "T.T", "dimshuffle", "copy",
                              "reshape_reshape", "useless_reshape"))
        if form == "*1":
            one = self.const(1, x.type.ndim)
            return self.make(x * one, v, [a], a.exact_ok and _kind(
                (x * one).type.dtype) == a.kind, label=form)
        if form == "+0":
            zero = self.const(0, x.type.ndim)
            return self.make(zero + x, v, [a], a.exact_ok and _kind(
                (zero + x).type.dtype) == a.kind, label=form)
        if form == "--" and a.kind != "bool":
            return self.make(-(-x), v, [a], a.exact_ok, label=form)
        if form == "exp(log)":
            return self.make(T.exp(T.log(abs(x) + 1)), np.abs(v) + 1, [a], label=form)
        if form == "log(exp)":
            return self.make(T.log(T.exp(x)), v, [a], label=form)
        if form == "x-x":
            return self.make(x - x, v - v, [a], a.exact_ok, label=form)
        if form == "2*x*3":
            out = self.const(2) * x * self.const(3)
            return self.make(out, 6 * v, [a], _kind(out.type.dtype) == "int" and a.exact_ok,
                             label=form)
        if form == "1+x+2":
            out = self.const(1) + x + self.const(2)
            return self.make(out, v + 3, [a], _kind(out.type.dtype) == "int" and a.exact_ok,
                             label=form)
        if form == "x*x":
            return self.make(x * x, v * v, [a], a.kind == "int" and a.exact_ok, label=form)
        if form == "y+x":
            b = self.partner(a, (a.kind,))
            return self.make(b.var + x, b.exact + v, [a, b],
                             a.kind == "int" and a.exact_ok and b.exact_ok, label=form)
        if form == "T.T" and x.type.ndim == 2:
            return self.make(x.T.T, v, [a], a.exact_ok, label=form)
        if form == "dimshuffle":
            return self.make(x.dimshuffle(*range(x.type.ndim)), v, [a], a.exact_ok,
                             label=form)
        if form == "copy":
            return self.make(x.copy(), v, [a], a.exact_ok, label=form)
        if form == "reshape_reshape" and x.type.ndim >= 1:
            return self.make(x.reshape((-1,)).reshape(a.shape), v, [a], a.exact_ok,
                             label=form)
        if form == "useless_reshape":
            s = self.leaf(self.random_dtype(), a.shape or (self.m,), "static")
            return self.make(s.var.reshape(s.shape) * 2, s.exact * 2, [s], label=form)
        return None

    def pattern_merge(self):
        """The same subexpression built twice, and equal constants built apart;
        constants only (folded)."""
        a = self.pick(("float",))
        form = self.c.choice(("twice", "constants", "fold"))
        if form == "twice":
            one, two = T.exp(T.tanh(a.var)) * 2, T.exp(T.tanh(a.var)) * 2
            return self.make(one + two, 4 * np.exp(np.tanh(a.exact)), [a], label="merge twice")
        if form == "constants":
            b = self.partner(a)
            c = self.const(3.5)
            return self.make(a.var * c + b.var * c, (a.exact + b.exact) * LD(3.5), [a, b],
                             label="equal constants")
        # 0-d arrays: T.constant(np.float64(0.5)) would be float32 (Theano's autocast of floats)
        c = T.exp(T.constant(np.array(0.5))) * T.constant(np.array(2.0))
        return self.make(a.var + c, a.exact + np.exp(LD(0.5)) * 2, [a], label="fold")

    def pattern_unsafe(self):
        """u / u and x * 0 (the unsafe pass, off by default)."""
        a = self.pick(("float",))
        if self.c.boolean():
            u = abs(a.var) + 1
            return self.make(u / u, np.ones_like(a.exact), [a], label="u/u")
        return self.make(a.var * self.const(0), a.exact * 0, [a], label="x*0")

    def pattern_fusion_and_inplace(self):
        """A long elementwise chain after a reduction: fusion fuses it, and a
        dead intermediate's buffer may be written in place."""
        a = self.pick(("float",), ndims=(1, 2))
        s = T.sum(a.var, axis=0, keepdims=True)
        exact_s = np.sum(a.exact, axis=0, keepdims=True)
        out = T.tanh(a.var - s) * 2 + T.sin(a.var) - T.cos(s)
        exact = np.tanh(a.exact - exact_s) * 2 + np.sin(a.exact) - np.cos(exact_s)
        return self.make(out, exact, [a], label="chain")

    # ------------------------------------------------------------ gradients

    def grad(self, cost, wrt, constant=None):
        """``grad(cost, wrt)`` called one of three ways with the same value: plainly
        (grad then stabilizes the cost first), with ``consider_constant=[constant]``
        or with ``known_grads={cost: 1}`` (then it differentiates the cost as
        built, and the stabilize rewrites of gradients have work to do)."""
        from symlab.gradient import grad
        how = self.c.choice(("plain", "known_grads", "consider_constant"))
        if how == "consider_constant" and constant is not None:
            return grad(cost, wrt, consider_constant=[constant])
        if how == "known_grads":
            return grad(None, wrt, known_grads={cost: T.ones_like(cost)})
        return grad(cost, wrt)

    def pattern_grad_elementwise(self):
        """grad(sum(f(x) * w), x) for rows f with a known derivative; w broadcasts
        against x (the gradient sums over the broadcast axes), or is absent."""
        from symlab.gradient import consider_constant
        a = self.pick(("float",))
        build, derivative = GRAD_ROWS[self.c.choice(tuple(GRAD_ROWS))]
        y, slope = build(a.var), derivative(a.exact)
        parents, w = [a], None
        if self.c.boolean(0.6):
            w = self.partner(a)
            if a.var in ancestors([w.var]):      # then d/da would miss w's dependence on a
                w = self.leaf(w.dtype, w.shape, "broadcast" if 1 in w.var.type.shape
                              else "plain")
            parents.append(w)
            w_var = consider_constant(w.var) if self.c.boolean(0.3) else w.var
            y, slope = y * w_var, slope * w.exact
        g = self.grad(T.sum(y), a.var, None if w is None else w.var)
        return self.make(g, _unbroadcast(slope, a.shape), parents, label="grad(sum(f(x)*w))")

    def pattern_crossentropy_softmax_grad(self):
        """grad(sum(w * crossentropy(softmax(x), y)), x) = (softmax(x) - onehot(y)) * w."""
        rows, cols = self.n, self.c.choice((self.m, 2, 5))
        a = self.pick(("float",), ndims=(2,), where=lambda e: e.shape == (rows, cols))
        if a is None:
            a = self.leaf(self.random_dtype(), (rows, cols), style=self.c.choice((None, "large")))
        values = np.random.default_rng(self.c.seed()).integers(0, cols, rows)
        labels = self.leaf(self.c.choice(("int32", "int64")), (rows,), shared_ok=False,
                           value=values)
        ce = T.nnet.categorical_crossentropy(T.nnet.softmax(a.var), labels.var)
        parents, weights, constant = [a], np.ones(rows, dtype=LD), labels.var
        form = self.c.choice(("sum", "mean", "weighted"))
        if form == "weighted":
            w = self.leaf(a.dtype, (rows,))
            parents.append(w)
            cost, weights, constant = T.sum(ce * w.var), w.exact, w.var
        elif form == "mean":
            cost, weights = T.mean(ce), weights / rows
        else:
            cost = T.sum(ce)
        onehot = np.zeros((rows, cols), dtype=LD)
        onehot[np.arange(rows), values] = 1
        exact = (np.exp(_log_softmax(a.exact, -1)) - onehot) * weights[:, None]
        return self.make(self.grad(cost, a.var, constant), exact, parents,
                         label=f"grad({form} crossentropy(softmax))")

    def pattern_softmax_grad_of_log(self):
        """grad(sum(log(softmax(x, axis)) * w), x) = w - sum(w, axis) * softmax(x)."""
        a = self.pick(("float",), ndims=(1, 2))
        axis = self.c.choice((-1, 0, None))
        w = self.leaf(a.dtype, a.shape)
        cost = T.sum(T.log(T.nnet.softmax(a.var, axis=axis)) * w.var)
        exact = w.exact - np.sum(w.exact, axis=axis, keepdims=True) * \
            np.exp(_log_softmax(a.exact, axis))
        return self.make(self.grad(cost, a.var, w.var), exact, [a, w],
                         label=f"grad(sum(log(softmax(axis={axis})) * w))")

    def pattern_exp_ratio_shift(self):
        """grad(sum(log(sum(exp(x), axis)) * w), x) = softmax(x, axis) * w: the
        gradient of logsumexp, with large x."""
        a = self._float_operand(ndims=(1, 2), style="large")
        if a.var.type.ndim == 0:
            return None
        axis = self.c.choice((None, 0, -1))
        lse = T.log(T.sum(T.exp(a.var), axis=axis))
        exact_lse = _logsumexp(a.exact, axis, False)
        weights, parents, constant = np.ones_like(exact_lse), [a], None
        if self.c.boolean(0.5):
            w = self.leaf(a.dtype, exact_lse.shape)
            parents.append(w)
            lse, weights, constant = lse * w.var, w.exact, w.var
        expanded = weights if axis is None else np.expand_dims(weights, axis)
        exact = np.exp(_log_softmax(a.exact, axis)) * expanded
        return self.make(self.grad(T.sum(lse), a.var, constant), exact, parents,
                         label=f"grad(logsumexp(axis={axis}))")

    def pattern_shape_of(self):
        """shape(reduce(x)) and shape(f(x)) used in a value (what gradients build)."""
        a = self.pick(("float", "int"), ndims=(2,))
        if self.c.boolean():
            axis = self.c.choice((0, 1))
            r = T.sum(a.var, axis=axis)
            exact = np.sum(a.exact, axis=axis)
        else:
            r = T.exp(T.tanh(a.var)) if a.kind == "float" else a.var * 2
            exact = np.exp(np.tanh(a.exact)) if a.kind == "float" else a.exact * 2
        size = T.cast(T.shape(r)[0], r.type.dtype)
        return self.make(r + size, exact + exact.shape[0], [a], label="x + shape(x)[0]")

    def pattern_gradient_markers(self):
        """zero_grad, disconnected_grad and consider_constant in a value: identities."""
        from symlab import gradient
        a = self.pick(("float", "int"))
        marker = getattr(gradient, self.c.choice(("zero_grad", "disconnected_grad",
                                                  "consider_constant")))
        return self.make(marker(a.var) * 2, a.exact * 2, [a], a.exact_ok and a.kind == "int",
                         label=marker.__name__)

    # ------------------------------------------------------------ control flow

    def pattern_ifelse(self):
        """ifelse(c, tanh(a) * 2, sin(a) - 1): each branch's chain is used by it alone
        (lazy_ifelse moves it in; inner_graphs fuses it there)."""
        from symlab.ifelse import ifelse
        a = self.pick(("float",))
        c = self.leaf("bool", ())
        then, other = T.tanh(a.var) * 2, T.sin(a.var) - 1
        exact = np.tanh(a.exact) * 2 if bool(c.exact) else np.sin(a.exact) - 1
        return self.make(ifelse(c.var, then, other), exact, [a, c], label="ifelse")

    def pattern_scan(self):
        """A loop h[t] = tanh(x[t] * h[t-1] * cos(w) + 0.5) over the rows of x: cos(w)
        leaves the loop (scan_pushout), inner_graphs fuses the body; its last row only
        (scan_save_mem), or plus its gradient for x, whose backward loop needs each h[t-1]
        (merge_scans makes the two forward loops one)."""
        from symlab import scan
        from symlab.gradient import grad
        a = self.pick(("float",), ndims=(1, 2))
        h0 = self.leaf(a.dtype, a.shape[1:])
        w = self.leaf(a.dtype, ())
        hs, _ = scan(lambda x_t, h, w: T.tanh(x_t * h * T.cos(w) + 0.5), sequences=a.var,
                     outputs_info=h0.var, non_sequences=w.var)
        c = np.cos(w.exact)
        h = [h0.exact]
        for x_t in a.exact:
            h.append(np.tanh(x_t * h[-1] * c + LD(0.5)))
        exact = np.stack(h[1:])
        form = self.c.choice(("stack", "last", "gradient", "gradient"))
        if form == "last":          # only the last row is used: scan_save_mem keeps no stack
            return self.make(hs[-1], exact[-1], [a, h0, w], label="scan(...)[-1]")
        if isinstance(a.var, T.TensorConstant) or form == "stack":
            return self.make(hs, exact, [a, h0, w], label="scan")
        slope, carry = np.zeros_like(a.exact), 0
        for t in reversed(range(len(a.exact))):
            du = (1 + carry) * (1 - h[t + 1] ** 2) * c
            slope[t] = du * h[t]
            carry = du * a.exact[t]
        g = grad(T.sum(hs), a.var)
        return self.make(hs + g, exact + slope, [a, h0, w], label="scan + its gradient")

    # ------------------------------------------------------------ the whole graph

    def step_pattern(self):
        return getattr(self, self.c.choice(PATTERN_CHOICES))()

    STEPS = ("step_unary", "step_pattern", "step_binary", "step_pattern", "step_reduce",
             "step_pattern", "step_unary", "step_binary", "step_shape", "step_pattern",
             "step_dot", "step_index", "step_pattern", "step_compare", "step_cast",
             "step_pattern")

    def build(self, focus=None):
        """The whole graph: the pattern method ``focus`` (default: a drawn one),
        then up to ``MAX_STEPS - 1`` drawn steps, outputs and updates."""
        getattr(self, focus or self.c.choice(PATTERN_CHOICES))()
        for _ in range(self.c.integer(0, MAX_STEPS - 1)):
            getattr(self, self.c.choice(self.STEPS))()
        if not self.pool:
            self.step_unary()
        computed = [e for e in self.pool if e.var.owner is not None] or self.pool
        outputs = [computed[-1]]
        for _ in range(self.c.integer(0, 2)):
            outputs.append(self.pool[self.c.integer(0, len(self.pool) - 1)])
        updates = self.build_updates()
        used = set(graph_inputs([e.var for e in outputs] + [e.var for _, e in updates]))
        inputs = [(v, x) for v, x in self.inputs if v in used]
        shared_vars = [(v, x) for v, x, _ in self.shared]
        return Case([v for v, _ in inputs], [x for _, x in inputs], outputs, updates,
                    shared_vars, self.steps)

    def build_updates(self):
        """Updates of some shared variables: s + e (cast back), another shared
        variable (swaps), an input, or an expression."""
        updates = []
        if not self.c.boolean(0.4):
            return updates
        if not self.shared:
            dtype = self.random_dtype(("float", "int"))
            value = self.draw_values(self.random_shape()[0], dtype)
            var = shared(value.copy(), name=self._name("s"))
            expr = Expr(var, _ld(value), _max_abs(value), 0.0, True)
            self.shared.append((var, value, expr))
        targets = list(self.shared)
        for k in range(self.c.integer(1, len(targets))):
            var, value, current = targets[k]
            new = self.update_for(current)
            if new is not None:
                updates.append((var, new))
        return updates

    def update_for(self, s):
        """An update expression for the shared variable of Expr ``s``, or None."""
        fits = [e for e in self.pool + [t for _, _, t in self.shared]
                if e is not s and e.shape == s.shape and e.kind != "bool"
                and s.var.type.accepts_replacement(T.cast(e.var, s.dtype).type)]
        form = self.c.choice(("add", "other", "add"))
        if form == "other" and fits:
            e = fits[self.c.integer(0, len(fits) - 1)]
            if s.kind == "int" and not e.exact_ok:
                return None
            var = T.cast(e.var, s.dtype)
            eps = e.eps if e.dtype == s.dtype else max(e.eps, EPS.get(s.dtype, 0.0))
            return Expr(var, np.trunc(e.exact) if s.kind == "int" else e.exact, e.mag, eps,
                        e.exact_ok)
        e = self.partner(s, (s.kind,) if s.kind == "int" else ("float", "int"))
        if s.kind == "int" and not (e.kind == "int" and e.exact_ok):
            return None
        if not _broadcasts(s, e):
            return None
        var = T.cast(s.var + e.var, s.dtype)
        if not s.var.type.accepts_replacement(var.type):
            return None
        exact = np.broadcast_to(s.exact + e.exact, s.shape)
        return Expr(var, exact, max(s.mag, e.mag, _max_abs(exact)),
                    max(s.eps, e.eps, EPS.get(s.dtype, 0.0)), s.exact_ok and e.exact_ok)


#: rewrite name -> the GraphGenerator method that builds the pattern it matches.
PATTERNS = {
    "sigmoid_from_exp": "pattern_sigmoid_from_exp",
    "log1p_from_log": "pattern_log1p_from_log",
    "expm1_from_exp": "pattern_expm1_from_exp",
    "softplus_from_log1p_exp": "pattern_softplus_from_log1p_exp",
    "log_sigmoid_to_softplus": "pattern_log_sigmoid_to_softplus",
    "log1m_sigmoid_to_softplus": "pattern_log1m_sigmoid_to_softplus",
    "logsumexp_shift": "pattern_logsumexp_shift",
    "log_softmax_from_log": "pattern_log_softmax_from_log",
    "crossentropy_softmax": "pattern_crossentropy_softmax",
    "crossentropy_softmax_grad": "pattern_crossentropy_softmax_grad",
    "softmax_grad_of_log": "pattern_softmax_grad_of_log",
    "exp_ratio_shift": "pattern_exp_ratio_shift",
    "pow_to_sqr": "pattern_pow_to_sqr", "pow_to_sqrt": "pattern_pow_to_sqrt",
    "pow_to_reciprocal": "pattern_pow_to_reciprocal", "pow_to_muls": "pattern_pow_to_muls",
    "fuse_elementwise": "pattern_fusion_and_inplace",
    "inplace_elemwise": "pattern_fusion_and_inplace",
    "div_self": "pattern_unsafe", "mul_zero": "pattern_unsafe",
    "merge_constants": "pattern_merge", "merge_equal_nodes": "pattern_merge",
    "constant_fold": "pattern_merge",
    "remove_gradient_marker": "pattern_gradient_markers",
    "shape_of_elemwise": "pattern_shape_of", "shape_of_reduce": "pattern_shape_of",
    "mul_by_one": "pattern_canonical", "add_zero": "pattern_canonical",
    "neg_neg": "pattern_canonical", "exp_log": "pattern_canonical",
    "log_exp": "pattern_canonical", "sub_self": "pattern_canonical",
    "collect_constants": "pattern_canonical", "mul_self_to_sqr": "pattern_canonical",
    "sort_commutative_inputs": "pattern_canonical",
    "dimshuffle_dimshuffle": "pattern_canonical", "useless_dimshuffle": "pattern_canonical",
    "useless_identity": "pattern_canonical", "reshape_reshape": "pattern_canonical",
    "useless_reshape": "pattern_canonical",
    "lazy_ifelse": "pattern_ifelse", "optimize_inner_graphs": "pattern_scan",
    "merge_scans": "pattern_scan", "scan_pushout": "pattern_scan",
    "scan_save_mem": "pattern_scan",
}

#: Every pattern method, once (the binary cross-entropy builds both sigmoid patterns).
PATTERN_METHODS = tuple(dict.fromkeys(PATTERNS.values())) + (
    "pattern_binary_crossentropy", "pattern_grad_elementwise")

# The pattern steps' draw: those with many forms more often.
PATTERN_CHOICES = PATTERN_METHODS + (
    "pattern_grad_elementwise", "pattern_canonical", "pattern_canonical", "pattern_canonical")


def generate(chooser, focus=None):
    """One random graph as a ``Case``, every choice asked of ``chooser``; it starts
    with the pattern method ``focus`` if given (a name in ``PATTERN_METHODS``)."""
    return GraphGenerator(chooser).build(focus)
