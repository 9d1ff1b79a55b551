"""``Scan``: a loop whose body is a graph (the op behind ``symlab.scan``).

The op is smaller than the user's ``scan``: the builder
(``symlab.scan_module.building``) turns taps, windows, shared variables and random
states into three kinds of loop values, and the op only knows those:

* a **sequence** gives the body one row per step (row ``t`` at step ``t``);
* a **carry** is a value the body reads and returns, step after step
  (a recurrent output's last values, a shared variable's value, a random
  state, a gradient being accumulated): only its last value comes out;
* a **nit-sot** ("no input, single output", Theano's name) is a value the
  body computes at each step: all of them come out, stacked.

The layout of the node and of its inner graph::

    outer inputs   n_steps | sequences | carries' first values | non-sequences
    inner inputs             one row    | the carry's value      | the value
    inner outputs  nit-sot values | carries' next values | (until: the condition)
    outer outputs  nit-sots stacked | carries' last values | (until: the steps run)

so inner input ``k`` is fed by outer input ``k + 1``, and inner output ``k``
becomes outer output ``k``. Every sequence has exactly ``n_steps`` rows. With
``reverse`` the steps run from the last row to the first (row ``t`` of each
sequence and of each nit-sot still belongs to step ``t``): the backward
loops of gradients run that way. With ``until`` (Theano's conditional
ending) the body also computes a scalar condition, and the loop stops after
the first step where it is true: the stacks have one row per step run, and
one more output says how many ran (the gradient's backward loop needs it).

``perform`` (the reference semantics) evaluates the inner graph with the
reference evaluator at each step. ``numpy_callable`` lowers the inner graph
once with the NumPy backend into a step function and loops in Python over
the steps calling it.
"""

import numpy as np

from symlab.compile.debug import describe_failure, rebuilt_exception
from symlab.graph.basic import Apply, Constant, Op, Variable
from symlab.graph.evaluate import evaluate
from symlab.graph.traversal import clone_replace, toposort
from symlab.scan_module.inner import InnerGraph, lower_inner, optimize_inner
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["Scan"]


def _describe(var):
    return f"{var} of type {var.type}"


def _fits(inner_type, outer_type):
    """True if a value of ``outer_type`` may stand where ``inner_type`` is expected."""
    accepts = getattr(inner_type, "accepts_replacement", None)
    return accepts(outer_type) if accepts is not None else inner_type == outer_type


class Scan(Op):
    """A loop over ``n_steps`` steps whose body is the graph ``inputs -> outputs``.

    ``n_seqs``, ``n_nitsot``, ``n_carry``: how many sequences, nit-sots and
    carries (the rest of the inputs are non-sequences). ``reverse``: run the
    steps backwards. ``truncate_gradient``: backpropagate through at most
    that many steps (-1: all). ``label``: the name shown (``scan{label}``).
    ``nitsot_like[i]``: a carry whose first value has the shape of nit-sot
    ``i``'s rows (used to shape an empty result when ``n_steps`` is 0).
    ``until``: the last inner output is a condition ending the loop.
    ``input_labels``/``output_labels``: how errors name each outer input
    (after ``n_steps``) and output, as the user wrote them
    (``sequences[0] (x)``). ``trace``/``before``: the rewrites that made the
    inner graph and the graph before them. ``base``: ``(op, output map)`` when
    this loop computes all of another's outputs and more (a gradient's
    forward loop keeping values for the backward one): output ``i`` of the
    other is output ``map[i]`` of this one.
    """

    __props__ = ("signature",)

    def __init__(self, inputs, outputs, n_seqs, n_nitsot, n_carry, reverse=False,
                 truncate_gradient=-1, label=None, nitsot_like=None, input_labels=None,
                 output_labels=None, trace=None, before=None, base=None, until=False):
        self.inner_inputs = tuple(inputs)
        self.inner_outputs = tuple(outputs)
        self.n_seqs, self.n_nitsot, self.n_carry = int(n_seqs), int(n_nitsot), int(n_carry)
        self.until = bool(until)
        self.n_nonseq = len(self.inner_inputs) - self.n_seqs - self.n_carry
        if self.n_nonseq < 0 or len(self.inner_outputs) != \
                self.n_nitsot + self.n_carry + self.until:
            raise ValueError(f"Scan: {len(self.inner_inputs)} inner inputs and "
                             f"{len(self.inner_outputs)} inner outputs do not fit {n_seqs} "
                             f"sequences, {n_nitsot} nit-sots, {n_carry} carries"
                             f"{' and a condition' if until else ''}")
        if self.until and reverse:
            raise ValueError("Scan: a loop with a condition (until) runs forwards")
        if not isinstance(truncate_gradient, (int, np.integer)) or truncate_gradient == 0 \
                or truncate_gradient < -1:
            raise ValueError(f"scan: truncate_gradient must be -1 (no truncation) or a "
                             f"positive number of steps; got {truncate_gradient!r}")
        self.reverse = bool(reverse)
        self.truncate_gradient = int(truncate_gradient)
        self.label = label
        self.nitsot_like = tuple(nitsot_like) if nitsot_like is not None \
            else (None,) * self.n_nitsot
        n_outer = len(self.inner_inputs)
        self.input_labels = tuple(input_labels) if input_labels is not None else tuple(
            self._default_input_label(k) for k in range(n_outer))
        self.output_labels = tuple(output_labels) if output_labels is not None else tuple(
            f"output {k}" for k in range(self.n_nitsot + self.n_carry)) + (
            ("the until condition",) if self.until else ())
        self.trace = trace
        self.before = before
        self.base = base
        self._check_inner()
        nodes = toposort(self.inner_outputs, stop_at=set(self.inner_inputs))
        #: A loop drawing random numbers is not deterministic, one printing has side effects:
        #: merge and constant folding then leave it alone, as they leave its inner nodes.
        self.deterministic = all(getattr(n.op, "deterministic", True) for n in nodes)
        self.has_side_effects = any(getattr(n.op, "has_side_effects", False) for n in nodes)
        self.signature = (self.inner_inputs, self.inner_outputs, self.n_seqs, self.n_nitsot,
                          self.n_carry, self.reverse, self.truncate_gradient, self.label,
                          self.nitsot_like, self.until)

    def _default_input_label(self, k):
        if k < self.n_seqs:
            return f"sequence {k}"
        if k < self.n_seqs + self.n_carry:
            return f"carry {k - self.n_seqs}"
        return f"non-sequence {k - self.n_seqs - self.n_carry}"

    def _check_inner(self):
        """Every nit-sot is a tensor, and each carry's next value fits the carry."""
        for i in range(self.n_nitsot):
            out = self.inner_outputs[i]
            if not isinstance(out.type, TensorType):
                raise TypeError(f"{self.name}: {self.output_labels[i]} of the step is "
                                f"{_describe(out)}; only tensors can be stacked")
        for j in range(self.n_carry):
            var = self.inner_inputs[self.n_seqs + j]
            new = self.inner_outputs[self.n_nitsot + j]
            if not _fits(var.type, new.type):
                raise TypeError(
                    f"{self.name}: {self.output_labels[self.n_nitsot + j]}: the step returns "
                    f"{_describe(new)} for a value of type {var.type}; the dtype and number of "
                    "dimensions must stay the same from step to step (cast it with "
                    f".astype('{getattr(var.type, 'dtype', '?')}'))")
        if self.until:
            cond = self.inner_outputs[-1]
            if not isinstance(cond.type, TensorType) or cond.type.ndim != 0:
                raise TypeError(f"{self.name}: the until condition must be a scalar; got "
                                f"{_describe(cond)}")

    def variant(self, **changes):
        """This loop with some constructor arguments changed (a new op)."""
        args = dict(inputs=self.inner_inputs, outputs=self.inner_outputs, n_seqs=self.n_seqs,
                    n_nitsot=self.n_nitsot, n_carry=self.n_carry, reverse=self.reverse,
                    truncate_gradient=self.truncate_gradient, label=self.label,
                    nitsot_like=self.nitsot_like, input_labels=self.input_labels,
                    output_labels=self.output_labels, trace=self.trace, before=self.before,
                    base=self.base, until=self.until)
        args.update(changes)
        return Scan(**args)

    # ------------------------------------------------------------ naming

    @property
    def name(self):
        return "scan" if self.label is None else f"scan{{{self.label}}}"

    def __str__(self):
        return self.name

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_step", "_optimized", "step_outputs")}

    # ------------------------------------------------------------ the parts of a node

    def split(self, values):
        """``(sequences, carries, non-sequences)`` of a list laid out like the inner inputs."""
        s, c = self.n_seqs, self.n_seqs + self.n_carry
        return list(values[:s]), list(values[s:c]), list(values[c:])

    def inner_graphs(self):
        """The loop body as an ``InnerGraph`` (read by debugprint, to_json and rewrites)."""
        k = len(self.inner_inputs)
        n_out = self.n_nitsot + self.n_carry
        return [InnerGraph("step", self.inner_inputs, self.inner_outputs,
                           outer_inputs=range(1, k + 1),
                           outer_outputs=list(range(n_out)) + [None] * self.until,
                           trace=self.trace, before=self.before, name=self.label)]

    @property
    def extends(self):
        """``(op, output map)`` if this loop computes all of another's outputs, else None."""
        return self.base

    def invariant_nodes(self):
        """The body's nodes that read only non-sequences and constants (directly or
        through other such nodes), deterministic and without side effects: their
        values are the same at every step."""
        start = self.n_seqs + self.n_carry
        invariant = set(self.inner_inputs[start:])
        nodes = []
        for node in toposort(self.inner_outputs, stop_at=set(self.inner_inputs)):
            if not getattr(node.op, "deterministic", True) or \
                    getattr(node.op, "has_side_effects", False):
                continue
            if all(v in invariant or isinstance(v, Constant) for v in node.inputs):
                nodes.append(node)
                invariant.update(node.outputs)
        return nodes

    def with_invariants_outside(self, node):
        """A node computing ``node``'s outputs with the body's loop-invariant nodes moved
        out of the loop (computed once, fed in as non-sequences), or None if it has none.

        Non-sequences the body no longer reads are dropped.
        """
        hoisted = set(self.invariant_nodes())
        if not hoisted:
            return None
        start = self.n_seqs + self.n_carry
        nonseqs = self.inner_inputs[start:]
        outer_of = dict(zip(nonseqs, node.inputs[1 + start:]))
        used = {}
        for inner in toposort(self.inner_outputs, stop_at=set(self.inner_inputs)):
            if inner not in hoisted:
                used.update((v, None) for v in inner.inputs if v.owner in hoisted)
        used.update((v, None) for v in self.inner_outputs if v.owner in hoisted)
        values = list(used)
        computed = clone_replace(values, outer_of)
        stand_ins = [TensorType(v.type.dtype, v.type.shape)(v.name)
                     if isinstance(v.type, TensorType) else Variable(v.type, name=v.name)
                     for v in values]
        body = clone_replace(list(self.inner_outputs), dict(zip(values, stand_ins)))
        read = set()
        for inner in toposort(body, stop_at=set(self.inner_inputs)):
            read.update(inner.inputs)
        read.update(body)
        keep = [k for k, v in enumerate(nonseqs) if v in read]
        labels = self.input_labels[:start] + tuple(self.input_labels[start + k] for k in keep)
        labels += tuple(f"the loop-invariant {v}" for v in values)
        op = self.variant(inputs=self.inner_inputs[:start] + tuple(nonseqs[k] for k in keep)
                          + tuple(stand_ins), outputs=body, input_labels=labels, trace=None,
                          before=None, base=None)
        kept = [node.inputs[1 + start + k] for k in keep]
        return op.make_node(*node.inputs[:1 + start], *kept, *computed)

    def stack_twins(self):
        """``{nit-sot i: output of the carry whose next value is nit-sot i's value}``: that
        carry's last value is the stack's last row (a recurrent output's lag 1)."""
        twins = {}
        carries = self.inner_outputs[self.n_nitsot:self.n_nitsot + self.n_carry]
        for i, value in enumerate(self.inner_outputs[:self.n_nitsot]):
            for j, carried in enumerate(carries):
                if carried is value:
                    twins[i] = self.n_nitsot + j
                    break
        return twins

    def without_stacks(self, node, drop):
        """``(node, where)``: a node of this loop not stacking nit-sots ``drop``; output
        ``k`` of ``node`` is output ``where[k]`` of it (dropped ones are not in ``where``)."""
        keep = [i for i in range(self.n_nitsot) if i not in set(drop)]
        rest = self.inner_outputs[self.n_nitsot:]
        op = self.variant(outputs=[self.inner_outputs[i] for i in keep] + list(rest),
                          n_nitsot=len(keep), nitsot_like=[self.nitsot_like[i] for i in keep],
                          output_labels=[self.output_labels[i] for i in keep]
                          + list(self.output_labels[self.n_nitsot:]),
                          trace=None, before=None, base=None)
        where = {i: k for k, i in enumerate(keep)}
        where.update({self.n_nitsot + j: len(keep) + j for j in range(len(node.outputs)
                                                                       - self.n_nitsot)})
        return op.make_node(*node.inputs), where

    def with_optimized_inner(self):
        """This loop with its body optimized by the default passes, or None if nothing changed.

        The result keeps the trace and the body as built (``inner_graphs()``).
        """
        if self.trace is not None:
            return None
        if "_optimized" not in self.__dict__:
            outputs, trace = optimize_inner(self.inner_inputs, self.inner_outputs)
            self._optimized = None if not trace else self.variant(
                outputs=outputs, trace=trace, before=(self.inner_inputs, self.inner_outputs),
                base=None)
        return self._optimized

    # ------------------------------------------------------------ building

    def make_node(self, n_steps, *outer):
        from symlab.tensor.math import cast
        if not isinstance(n_steps, Variable):
            n_steps = as_tensor_variable(n_steps)
        if not isinstance(n_steps.type, TensorType) or n_steps.type.ndim != 0 \
                or dtype_kind(n_steps.type.dtype) not in ("int", "uint"):
            raise TypeError(f"{self.name}: n_steps must be an integer scalar; got "
                            f"{_describe(n_steps)}")
        if n_steps.type.dtype != "int64":
            n_steps = cast(n_steps, "int64")
        expected = len(self.inner_inputs)
        if len(outer) != expected:
            raise TypeError(f"{self.name} takes n_steps and {expected} inputs ({self.n_seqs} "
                            f"sequences, {self.n_carry} carries, {self.n_nonseq} "
                            f"non-sequences); got {len(outer)}")
        outer = [self._checked_input(k, var) for k, var in enumerate(outer)]
        steps = None
        if isinstance(n_steps, Constant):
            steps = int(n_steps.data)
            if steps < 0:
                raise ValueError(f"{self.name}: n_steps is {steps}; it must be >= 0")
        if self.until:
            steps = None            # the condition decides
        types = []
        for i in range(self.n_nitsot):
            t = self.inner_outputs[i].type
            types.append(TensorType(t.dtype, (steps,) + tuple(t.shape)))
        for j in range(self.n_carry):
            types.append(self.inner_inputs[self.n_seqs + j].type)
        if self.until:
            types.append(TensorType("int64", ()))
        return Apply(self, [n_steps] + outer, types)

    def _checked_input(self, k, var):
        inner = self.inner_inputs[k]
        what = f"{self.name}: {self.input_labels[k]}"
        if not isinstance(var, Variable):
            try:
                var = as_tensor_variable(var)
            except TypeError as exc:
                raise TypeError(f"{what}: {exc}") from None
        if k < self.n_seqs:
            t = var.type
            if not isinstance(t, TensorType) or t.ndim != inner.type.ndim + 1 \
                    or t.dtype != inner.type.dtype \
                    or not inner.type.accepts_replacement(TensorType(t.dtype, t.shape[1:])):
                raise TypeError(f"{what}: expected a sequence of rows of type {inner.type} "
                                f"(a {inner.type.ndim + 1}-d {inner.type.dtype} tensor); got "
                                f"{_describe(var)}")
        elif not _fits(inner.type, var.type):
            raise TypeError(f"{what}: expected {inner.type}; got {_describe(var)}")
        return var

    # ------------------------------------------------------------ running

    def perform(self, node, inputs):
        """The reference semantics: the body evaluated node by node at each step."""
        body = list(self.inner_outputs)
        names = self.inner_inputs
        n_nitsot = self.n_nitsot

        def step(*args):
            values = evaluate(body, dict(zip(names, args)))
            return [np.asarray(v) if i < n_nitsot else v for i, v in enumerate(values)]

        return self.run(inputs, step)

    def step_function(self):
        """The body lowered once with the NumPy backend (a ``Lowered``; ``.source``).

        Its outputs are the inner outputs without repeats (a recurrent
        output is both a nit-sot and a carry): ``step_outputs`` maps each
        inner output to its place among them.
        """
        lowered = self.__dict__.get("_step")
        if lowered is None:
            unique = list(dict.fromkeys(self.inner_outputs))
            self.step_outputs = tuple(unique.index(o) for o in self.inner_outputs)
            # A carry's next value must not be an input's array (the last one is returned).
            carries = self.inner_outputs[self.n_nitsot:self.n_nitsot + self.n_carry]
            copy = sorted({unique.index(o) for o in carries if isinstance(o.type, TensorType)})
            lowered = self._step = lower_inner(self.inner_inputs, unique, "_scan_step",
                                               copy_outputs=copy)
        return lowered

    def numpy_callable(self, node):
        lowered = self.step_function()
        fn, places, run = lowered.fn, self.step_outputs, self.run
        if len(node.outputs) == 1:
            return lambda *values: run(values, fn, lowered, places)[0]
        return lambda *values: tuple(run(values, fn, lowered, places))

    def run(self, values, step, lowered=None, places=None):
        """Loop: ``step(*args)`` returns the body's outputs for the inner inputs ``args``.

        ``places[k]``: where inner output ``k`` is among what ``step``
        returns (default: in order). ``lowered``: the step function's
        ``Lowered``, to name the inner node where an error was raised.
        """
        n = self._steps(values[0])
        seqs, carries, nonseqs = self.split(values[1:])
        for k, seq in enumerate(seqs):
            rows = np.shape(seq)[0]
            if rows != n:
                raise ValueError(f"{self.name}: {self.input_labels[k]} has {rows} rows but the "
                                 f"loop runs {n} steps; every sequence needs one row per step")
        n_nitsot, n_carry = self.n_nitsot, self.n_carry
        if places is None:
            places = range(len(self.inner_outputs))
        nitsot_places = places[:n_nitsot]
        carry_places = places[n_nitsot:n_nitsot + n_carry]
        until = places[-1] if self.until else None
        stacks, writes = [], ()     # writes: (place in step's outputs, stack, row shape)
        first, ran = None, 0
        for t in (range(n - 1, -1, -1) if self.reverse else range(n)):
            try:
                outs = step(*[seq[t] for seq in seqs], *carries, *nonseqs)
            except Exception as exc:
                error = self._failure_at(exc, t, lowered)
                if error is exc:
                    raise
                raise error from exc
            if first is None:
                first = t
                for i, k in enumerate(nitsot_places):
                    shape = outs[k].shape
                    stacks.append(np.empty((n,) + shape, self.inner_outputs[i].type.dtype))
                writes = tuple(zip(nitsot_places, stacks, [s.shape[1:] for s in stacks]))
            for k, stack, shape in writes:
                row = outs[k]
                if row.shape != shape:
                    self._bad_shape(stacks.index(stack), row, shape, t, first)
                stack[t] = row
            carries = [outs[k] for k in carry_places]
            ran += 1
            if until is not None and outs[until]:
                break
        if first is None:
            stacks = [self._empty_stack(i, values) for i in range(n_nitsot)]
        elif ran < n:                   # ended by the condition
            stacks = [stack[:ran].copy() for stack in stacks]
        seen = set()
        for j, value in enumerate(carries):
            # Never hand out an input's array (no steps: the first values are the last),
            # nor one array as two outputs.
            if isinstance(value, np.ndarray) and (n == 0 or id(value) in seen):
                carries[j] = np.array(value, copy=True)
            seen.add(id(carries[j]))
        if self.until:
            return stacks + carries + [np.array(ran, dtype="int64")]
        return stacks + carries

    def _failure_at(self, exc, t, lowered):
        """``exc`` raised at step ``t``, its message naming the step (and the inner node)."""
        lines = f"symlab: raised at step {t} of {self.name}"
        if lowered is not None:
            described = describe_failure(f"the step function of {self.name}", lowered, exc)
            if described is not None:
                lines = described[1][len(str(exc)):].lstrip("\n") + f"\n  at step {t}"
        text = str(exc)
        message = (text + "\n" if text else "") + lines
        error = rebuilt_exception(exc, message)
        if error is None:
            if hasattr(exc, "add_note"):
                exc.add_note(lines)
            return exc
        return error

    def _bad_shape(self, i, row, shape, t, first):
        raise ValueError(f"{self.name}: {self.output_labels[i]} has shape {row.shape} at step "
                         f"{t} but {shape} at step {first}; every step must give the same shape")

    def _steps(self, value):
        n = int(value)
        if n < 0:
            raise ValueError(f"{self.name}: n_steps is {n}; it must be >= 0")
        return n

    def _empty_stack(self, i, values):
        """Nit-sot ``i`` of a loop of no steps: (0,) + the shape of its rows, as far as known."""
        t = self.inner_outputs[i].type
        like = self.nitsot_like[i]
        if like is not None:
            shape = np.shape(values[1 + self.n_seqs + like])
        else:
            shape = tuple(0 if s is None else s for s in t.shape)
        return np.empty((0,) + tuple(shape), t.dtype)

    def output_is_fresh(self, node):
        """Stacks are new arrays; carries are copied when they could be an input's."""
        return True

    # ------------------------------------------------------------ gradient

    def grad(self, node, output_grads):
        """Backpropagation through time: a loop running backwards (``symlab.scan_module.gradient``)."""
        from symlab.scan_module.gradient import scan_grad  # the gradient module builds Scans
        return scan_grad(self, node, output_grads)
