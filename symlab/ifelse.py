"""``ifelse``: a lazy condition, Theano's ``theano.ifelse.ifelse``.

``ifelse(cond, then_branch, else_branch)`` is the value of ``then_branch``
if the scalar ``cond`` is nonzero, else of ``else_branch`` (each a variable
or a list of them). Only the branch chosen is computed: the ``lazy_ifelse``
rewrite moves the nodes that only one branch needs into that branch (an
inner graph of the ``IfElse`` node), and the NumPy backend lowers each
branch into a function of its own, of which a call runs one::

    if cond:
        (out,) = _then_branch(a, b)
    else:
        (out,) = _else_branch(c)

``T.switch(cond, a, b)`` is the elementwise counterpart: it chooses element
by element, with a condition of any shape, and computes both sides.

As built, an ``IfElse`` node's branches are the identity: its inputs are the
condition, then the then-branch's values, then the else-branch's, so the
graph shows both branches as you wrote them. Laziness is a compile-time
rewrite (in FAST_RUN and FAST_COMPILE); the reference evaluator and
``Mode(optimizer=None)`` compute both branches of a node as built.
"""

import numpy as np

from symlab.backends.numpy_backend import lower_node
from symlab.graph.basic import Apply, Constant, Op, Variable
from symlab.graph.evaluate import evaluate
from symlab.graph.traversal import clone_replace, toposort
from symlab.scan_module.inner import InnerGraph, lower_inner, optimize_inner
from symlab.tensor.elemwise import is_differentiable
from symlab.tensor.type import TensorType
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["ifelse", "IfElse"]


def _describe(var):
    return f"{var} of type {var.type}"


def _merged_type(a, b):
    """The type of a value that is either of type ``a`` or of type ``b`` (same dtype, ndim)."""
    return TensorType(a.dtype, tuple(x if x == y else None for x, y in zip(a.shape, b.shape)))


class IfElse(Op):
    """Choose between two graphs, computing only the chosen one.

    ``then_graph`` and ``else_graph`` are ``(inputs, outputs)`` pairs of
    inner variables; the node's inputs are the condition, then one value per
    then-input, then one per else-input. Output ``k`` is then-output ``k``
    or else-output ``k``. ``traces``/``befores``: per branch, the rewrites
    that made it and the ``(inputs, outputs)`` before them (None: as built).
    """

    __props__ = ("signature",)

    def __init__(self, then_graph, else_graph, label=None, traces=(None, None),
                 befores=(None, None)):
        self.then_inputs, self.then_outputs = map(tuple, then_graph)
        self.else_inputs, self.else_outputs = map(tuple, else_graph)
        if len(self.then_outputs) != len(self.else_outputs):
            raise ValueError(f"IfElse: the then-branch has {len(self.then_outputs)} outputs "
                             f"and the else-branch {len(self.else_outputs)}")
        self.n_outs = len(self.then_outputs)
        self.label = label
        self.traces = tuple(traces)
        self.befores = tuple(befores)
        self.output_types = tuple(_merged_type(a.type, b.type)
                                  for a, b in zip(self.then_outputs, self.else_outputs))
        nodes = toposort(self.then_outputs, stop_at=set(self.then_inputs)) + toposort(
            self.else_outputs, stop_at=set(self.else_inputs))
        self.deterministic = all(getattr(n.op, "deterministic", True) for n in nodes)
        self.has_side_effects = any(getattr(n.op, "has_side_effects", False) for n in nodes)
        if self.is_plain:
            # Plain choices of the same types are interchangeable: merge may make them one.
            self.signature = ("plain", self.n_outs,
                              tuple(v.type for v in self.then_inputs + self.else_inputs), label)
        else:
            self.signature = (self.then_inputs, self.then_outputs, self.else_inputs,
                              self.else_outputs, label)

    @property
    def is_plain(self):
        """True if both branches are the identity (the node as ``ifelse`` builds it)."""
        return self.then_outputs == self.then_inputs and self.else_outputs == self.else_inputs

    @property
    def name(self):
        return "ifelse" if self.label is None else f"ifelse{{{self.label}}}"

    def __str__(self):
        return self.name

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_lowered", "_optimized")}

    # ------------------------------------------------------------ the inner graphs

    def inner_graphs(self):
        """The two branches as ``InnerGraph``s (``then``, ``else``)."""
        n_then = len(self.then_inputs)
        outs = range(self.n_outs)
        return [
            InnerGraph("then", self.then_inputs, self.then_outputs,
                       range(1, 1 + n_then), outs, self.traces[0], self.befores[0]),
            InnerGraph("else", self.else_inputs, self.else_outputs,
                       range(1 + n_then, 1 + n_then + len(self.else_inputs)), outs,
                       self.traces[1], self.befores[1]),
        ]

    def branch_positions(self, node):
        """The input positions of ``node`` read by each branch: ``[then, else]``."""
        n_then = len(self.then_inputs)
        return [list(range(1, 1 + n_then)), list(range(1 + n_then, len(node.inputs)))]

    def with_absorbed(self, node, branch, nodes):
        """A node computing ``node``'s outputs with ``nodes`` moved into branch ``branch``.

        ``nodes`` (Apply nodes of the outer graph) are used only by that
        branch: they become part of its inner graph, and the values they
        read from outside become the branch's inputs.
        """
        graphs = [(self.then_inputs, self.then_outputs), (self.else_inputs, self.else_outputs)]
        positions = self.branch_positions(node)
        inputs, outputs = graphs[branch]
        fed = [node.inputs[p] for p in positions[branch]]
        # The branch over the outer values it reads, then cut below the nodes it takes in.
        over_outer = clone_replace(list(outputs), dict(zip(inputs, fed)))
        inside = set(nodes) | set(toposort(over_outer, stop_at=set(fed)))
        frontier = {v for n in inside for v in n.inputs if v.owner not in inside}
        frontier.update(v for v in over_outer if v.owner not in inside)
        ordered = {}
        for apply in toposort(over_outer, stop_at=frontier):
            ordered.update((v, None) for v in apply.inputs if v in frontier)
        ordered.update((v, None) for v in over_outer if v in frontier)
        reads = [v for v in ordered if not isinstance(v, Constant)]
        new_inputs = [v.type.make_variable(name=v.name) if isinstance(v.type, TensorType)
                      else Variable(v.type, name=v.name) for v in reads]
        graphs[branch] = (new_inputs, clone_replace(over_outer, dict(zip(reads, new_inputs))))
        op = IfElse(graphs[0], graphs[1], self.label)
        args = [node.inputs[0]]
        for b in (0, 1):
            args += reads if b == branch else [node.inputs[p] for p in positions[b]]
        return op.make_node(*args)

    def with_optimized_inner(self):
        """This op with both branches optimized by the default passes, or None if unchanged."""
        if self.traces != (None, None):
            return None
        if "_optimized" not in self.__dict__:
            then_out, then_trace = optimize_inner(self.then_inputs, self.then_outputs)
            else_out, else_trace = optimize_inner(self.else_inputs, self.else_outputs)
            self._optimized = None
            if then_trace or else_trace:
                self._optimized = IfElse(
                    (self.then_inputs, then_out), (self.else_inputs, else_out), self.label,
                    traces=(then_trace, else_trace),
                    befores=((self.then_inputs, self.then_outputs),
                             (self.else_inputs, self.else_outputs)))
        return self._optimized

    # ------------------------------------------------------------ building

    def make_node(self, cond, *args):
        cond = as_tensor_variable(cond)
        if cond.type.ndim != 0:
            raise TypeError(f"{self.name}: the condition must be a scalar (0-d); got "
                            f"{_describe(cond)}")
        inner = self.then_inputs + self.else_inputs
        if len(args) != len(inner):
            raise TypeError(f"{self.name} takes a condition and {len(inner)} values; got "
                            f"{len(args)}")
        checked = []
        for k, (var, want) in enumerate(zip(args, inner)):
            if not isinstance(var, Variable):
                var = as_tensor_variable(var)
            fits = getattr(want.type, "accepts_replacement", None)
            if not (fits(var.type) if fits is not None else want.type == var.type):
                raise TypeError(f"{self.name}: input {k + 1} is {_describe(var)}; expected "
                                f"{want.type}")
            checked.append(var)
        return Apply(self, [cond] + checked, list(self.output_types))

    # ------------------------------------------------------------ running

    def perform(self, node, inputs):
        """The reference semantics: evaluate the chosen branch only."""
        cond, values = inputs[0], inputs[1:]
        n_then = len(self.then_inputs)
        if cond:
            given, outputs = dict(zip(self.then_inputs, values[:n_then])), self.then_outputs
        else:
            given, outputs = dict(zip(self.else_inputs, values[n_then:])), self.else_outputs
        results = evaluate(list(outputs), given)
        return [np.array(v, copy=True) for v in results]

    def branch_functions(self):
        """Each branch lowered with the NumPy backend: ``(then, else)`` ``Lowered``s."""
        lowered = self.__dict__.get("_lowered")
        if lowered is None:
            every = range(self.n_outs)
            lowered = self._lowered = (
                lower_inner(self.then_inputs, self.then_outputs, "_then_branch", every),
                lower_inner(self.else_inputs, self.else_outputs, "_else_branch", every))
        return lowered

    def numpy_callable(self, node):
        then_fn, else_fn = (b.fn for b in self.branch_functions())
        n_then = len(self.then_inputs)

        def choose(cond, *values):
            if cond:
                return then_fn(*values[:n_then])
            return else_fn(*values[n_then:])

        if self.n_outs == 1:
            return lambda *values: choose(*values)[0]
        return choose

    def output_is_fresh(self, node):
        """Each branch's function copies any output that could be one of its inputs."""
        return True

    # ------------------------------------------------------------ gradient

    def grad(self, node, output_grads):
        """A branch's inputs get the branch's gradient when it is the one chosen, zeros
        otherwise (an ifelse itself, lazy too); the condition gets none."""
        n_then = len(self.then_inputs)
        then_grads = self._branch_grads(self.then_inputs, self.then_outputs,
                                        node.inputs[1:1 + n_then], output_grads)
        else_grads = self._branch_grads(self.else_inputs, self.else_outputs,
                                        node.inputs[1 + n_then:], output_grads)
        return [None] + self._chosen(node.inputs[0], then_grads, node.inputs[1:1 + n_then],
                                     True) \
            + self._chosen(node.inputs[0], else_grads, node.inputs[1 + n_then:], False)

    @staticmethod
    def _branch_grads(inputs, outputs, outer, output_grads):
        """The gradient of each of the branch's outer values (None where none flows), as if
        the branch were always chosen: its inner graph cloned onto them, differentiated."""
        from symlab.gradient import grad
        from symlab.tensor.math import add
        known = {}
        for out, g in zip(outputs, output_grads):
            if g is not None and isinstance(out.type, TensorType) and is_differentiable(out):
                known.setdefault(out, []).append(g)
        wrt = [k for k, v in enumerate(inputs)
               if isinstance(v.type, TensorType) and is_differentiable(v)]
        if not known or not wrt:
            return [None] * len(inputs)
        mapping = dict(zip(inputs, outer))
        sums = [gs[0] if len(gs) == 1 else add(*gs) for gs in known.values()]
        over_outer = clone_replace(list(known), mapping)
        found = grad(None, [outer[k] for k in wrt], known_grads=dict(zip(over_outer, sums)),
                     disconnected_inputs="ignore", return_disconnected="none")
        grads = [None] * len(inputs)
        for k, g in zip(wrt, found):
            grads[k] = g
        return grads

    @staticmethod
    def _chosen(cond, grads, values, then_side):
        """``grads`` where the branch is chosen, zeros where it is not (one ifelse)."""
        from symlab.tensor.creation import zeros_like
        flowing = [k for k, g in enumerate(grads) if g is not None]
        if not flowing:
            return list(grads)
        mine = [grads[k] for k in flowing]
        zeros = [zeros_like(values[k]) for k in flowing]
        picked = ifelse(cond, mine, zeros) if then_side else ifelse(cond, zeros, mine)
        result = list(grads)
        for k, g in zip(flowing, picked):
            result[k] = g
        return result


@lower_node.register(IfElse)
def _lower_ifelse(op, node, ins, outs, ctx):
    then_lowered, else_lowered = op.branch_functions()
    then_fn = ctx.bind("then_", then_lowered.fn)
    else_fn = ctx.bind("else_", else_lowered.fn)
    n_then = len(op.then_inputs)
    targets = f"({', '.join(outs)},)"
    lines = [f"# {op.name}: only the chosen branch runs"]
    for title, lowered in (("then", then_lowered), ("else", else_lowered)):
        lines.append(f"# {title} branch:")
        lines += [f"#   {line}" for line in lowered.source.rstrip("\n").splitlines()]
    lines += [f"if {ins[0]}:",
              f"    {targets} = {then_fn}({', '.join(ins[1:1 + n_then])})",
              "else:",
              f"    {targets} = {else_fn}({', '.join(ins[1 + n_then:])})"]
    return lines


# ---------------------------------------------------------------- ifelse

def _branch_value(value, other, what):
    """``value`` as a tensor; a plain number or array takes ``other``'s dtype when exact."""
    if isinstance(value, Variable):
        if not isinstance(value.type, TensorType):
            raise TypeError(f"ifelse: {what} must be a tensor; got {_describe(value)}")
        return value
    if isinstance(other, Variable) and isinstance(other.type, TensorType):
        array = np.asarray(value)
        if array.dtype.kind in "biufc":
            with np.errstate(all="ignore"):
                cast = array.astype(other.type.dtype)
            if np.array_equal(cast, array):
                return constant(cast)
    try:
        return as_tensor_variable(value)
    except TypeError as exc:
        raise TypeError(f"ifelse: {what}: {exc}") from None


def ifelse(condition, then_branch, else_branch, name=None):
    """``then_branch`` if the scalar ``condition`` is nonzero, else ``else_branch``; lazily.

    Each branch is a variable or a list/tuple of them (the result has the
    same form). Output ``k`` of both branches must have the same dtype and
    number of dimensions (a static size known on one side only is unknown
    in the result). Only the branch chosen is computed in a compiled
    function; ``T.switch`` is the elementwise, non-lazy counterpart.
    """
    single = not isinstance(then_branch, (list, tuple))
    thens = [then_branch] if single else list(then_branch)
    elses = [else_branch] if not isinstance(else_branch, (list, tuple)) else list(else_branch)
    if len(thens) != len(elses):
        raise ValueError(f"ifelse: the then-branch has {len(thens)} value(s) and the "
                         f"else-branch {len(elses)}; they must have as many")
    cond = condition if isinstance(condition, Variable) else as_tensor_variable(condition)
    if not isinstance(cond.type, TensorType) or cond.type.ndim != 0:
        raise TypeError(f"ifelse: the condition must be a scalar (0-d); got {_describe(cond)}. "
                        "For an elementwise choice use T.switch(condition, a, b)")
    then_vars, else_vars = [], []
    for k, (a, b) in enumerate(zip(thens, elses)):
        a = _branch_value(a, b, f"then_branch[{k}]" if not single else "then_branch")
        b = _branch_value(b, a, f"else_branch[{k}]" if not single else "else_branch")
        where = "" if single else f" (value {k})"
        if a.type.dtype != b.type.dtype:
            raise TypeError(f"ifelse: the branches{where} have different dtypes: the then-branch "
                            f"gives {_describe(a)}, the else-branch {_describe(b)}; cast one "
                            f"(e.g. .astype('{a.type.dtype}'))")
        if a.type.ndim != b.type.ndim:
            raise TypeError(f"ifelse: the branches{where} have different numbers of dimensions: "
                            f"the then-branch gives {_describe(a)}, the else-branch "
                            f"{_describe(b)}")
        then_vars.append(a)
        else_vars.append(b)
    then_inner = [TensorType(v.type.dtype, v.type.shape)(v.name) for v in then_vars]
    else_inner = [TensorType(v.type.dtype, v.type.shape)(v.name) for v in else_vars]
    op = IfElse((then_inner, then_inner), (else_inner, else_inner), name)
    outputs = op.make_node(cond, *then_vars, *else_vars).outputs
    return outputs[0] if single else list(outputs)
