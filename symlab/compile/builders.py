"""``OpFromGraph``: a graph used as one op (Theano's ``theano.compile.builders``).

::

    x, y = T.dmatrices("x", "y")
    op = OpFromGraph([x, y], [T.tanh(x) * y], name="gate")
    z = op(a, b) + op(b, a)       # two nodes of one op

The node prints as one line, its graph shown under ``Inner graphs:`` as a
scan's step is (``debugprint``; ``to_json`` adds it to the node's entry).
The reference evaluator runs the inner graph node by node; compiled
functions run it as one function compiled once per op (the default
rewrites, then the NumPy backend). Its gradient is an ``OpFromGraph`` too,
built from the inner graph's gradient (so shared variables inside, which
become implicit inputs of each node, get their gradients); ``Rop`` uses the
inner graph's ``Rop``. ``grad_overrides``/``lop_overrides``/``rop_overrides``
(callables) replace them, and ``connection_pattern`` the computed pattern.

``inline=True`` expands the inner graph where the op is called: the graph
holds its nodes instead of one (Theano expanded it during optimization).
Random draws inside an OpFromGraph draw from a state that is not advanced
(their new state is not an output): use them outside.
"""

from symlab.compile.shared import SharedVariable
from symlab.graph.basic import Apply, Constant, Variable
from symlab.graph.evaluate import evaluate
from symlab.graph.fgraph import FunctionGraph
from symlab.graph.traversal import clone_replace, graph_inputs
from symlab.graph.user_op import Op, type_fits
from symlab.tensor.creation import zeros_like
from symlab.tensor.math import cast
from symlab.tensor.variable import as_tensor_variable

# The rewrites, the backend and the gradients load when first used (``import symlab``
# stays light): the methods that need them import them.

__all__ = ["OpFromGraph"]

_DEFAULT = "default"


def _override(value, what):
    if value is None or (isinstance(value, str) and value == _DEFAULT):
        return None
    if not callable(value):
        raise TypeError(f"OpFromGraph: {what} must be 'default' or a function; "
                        f"got {value!r:.60}")
    return value


class OpFromGraph(Op):
    """The graph ``inputs -> outputs`` as one op; see the module docstring.

    ``inputs``: owner-less variables (not constants); ``outputs``: a list of
    variables computed from them, constants and shared variables.
    """

    def __init__(self, inputs, outputs, inline=False, grad_overrides=_DEFAULT,
                 lop_overrides=_DEFAULT, rop_overrides=_DEFAULT, connection_pattern=None,
                 name=None):
        if isinstance(outputs, Variable):
            outputs = [outputs]
        inputs, outputs = list(inputs), list(outputs)
        for k, var in enumerate(inputs):
            if not isinstance(var, Variable) or isinstance(var, (Constant, SharedVariable)):
                raise TypeError(f"OpFromGraph: inputs[{k}] must be a symbolic variable (not a "
                                f"constant or a shared variable); got {var!r:.60}")
        for k, var in enumerate(outputs):
            if not isinstance(var, Variable):
                raise TypeError(f"OpFromGraph: outputs[{k}] must be a symbolic variable; "
                                f"got {var!r:.60}")
        if not outputs:
            raise ValueError("OpFromGraph: give at least one output")
        fresh = [var.clone() for var in inputs]
        replace = dict(zip(inputs, fresh))
        leaves = graph_inputs(outputs, stop_at=inputs)
        shared = [v for v in leaves if isinstance(v, SharedVariable)]
        missing = [v for v in leaves if v not in replace and not isinstance(v, SharedVariable)]
        if missing:
            raise ValueError(f"OpFromGraph: the outputs depend on {missing[0]} (of type "
                             f"{missing[0].type}), which is not among the inputs")
        shared_fresh = [v.type(v.name) for v in shared]
        replace.update(zip(shared, shared_fresh))
        self.inner_inputs = tuple(fresh + shared_fresh)
        self.inner_outputs = tuple(clone_replace(outputs, replace))
        #: Shared variables the graph reads: implicit inputs appended to each node's.
        self.shared_inputs = tuple(shared)
        self.n_explicit = len(fresh)
        self.inline = bool(inline)
        if name is not None:
            self.name = name
        self.grad_overrides = _override(grad_overrides, "grad_overrides")
        self.lop_overrides = _override(lop_overrides, "lop_overrides")
        self.rop_overrides = _override(rop_overrides, "rop_overrides")
        self._pattern = None if connection_pattern is None else \
            [list(row) for row in connection_pattern]
        self._caches = {}

    def __str__(self):
        return self.name

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_caches"] = {}        # compiled code and derived ops are rebuilt on use
        return state

    # ------------------------------------------------------------ building

    def make_node(self, *inputs):
        """The node on ``inputs`` (converted to tensors, checked against the inner inputs)."""
        if len(inputs) != self.n_explicit:
            raise TypeError(f"{self}: expected {self.n_explicit} input(s); got {len(inputs)}")
        converted = []
        for k, (value, inner) in enumerate(zip(inputs, self.inner_inputs)):
            var = value if isinstance(value, Variable) else as_tensor_variable(value)
            if not type_fits(inner.type, var.type):
                raise TypeError(f"{self}: input {k} ({var}) has type {var.type}; "
                                f"expected {inner.type}")
            converted.append(var)
        return Apply(self, converted + list(self.shared_inputs),
                     [out.type for out in self.inner_outputs])

    def __call__(self, *inputs):
        """The op's output(s) on ``inputs``; with ``inline``, the inner graph itself."""
        if not self.inline:
            return super().__call__(*inputs)
        node = self.make_node(*inputs)
        outputs = clone_replace(list(self.inner_outputs),
                                dict(zip(self.inner_inputs, node.inputs)))
        return outputs[0] if len(outputs) == 1 else list(outputs)

    def inner_graphs(self):
        """The graph as an ``InnerGraph`` (read by debugprint and to_json)."""
        from symlab.scan_module.inner import InnerGraph  # upward: the shared protocol
        n = len(self.inner_inputs)
        return [InnerGraph("body", self.inner_inputs, self.inner_outputs,
                           outer_inputs=range(n), outer_outputs=range(len(self.inner_outputs)),
                           name=self.name)]

    # ------------------------------------------------------------ running

    def _compiled(self):
        """The inner graph optimized by the default passes and lowered once (its ``fn``)."""
        lowered = self._caches.get("lowered")
        if lowered is None:
            from symlab.backends.numpy_backend import lower
            from symlab.rewrite import optimize
            fgraph = FunctionGraph(list(self.inner_inputs), list(self.inner_outputs))
            optimize(fgraph, None)
            lowered = lower(fgraph, copy_outputs=range(len(self.inner_outputs)),
                            name="_op_from_graph")
            self._caches["lowered"] = lowered
        return lowered.fn

    def compute(self, node, inputs):
        """The reference evaluator's way: the inner graph node by node."""
        return evaluate(list(self.inner_outputs), dict(zip(self.inner_inputs, inputs)))

    def perform(self, node, inputs, output_storage):
        for cell, value in zip(output_storage, self._compiled()(*inputs)):
            cell[0] = value

    def numpy_callable(self, node):
        fn = self._compiled()
        if len(node.outputs) == 1:
            return lambda *values: fn(*values)[0]
        return fn

    # ------------------------------------------------------------ gradients

    def connection_pattern(self, node):
        if self._pattern is not None:
            return self._pattern
        pattern = self._caches.get("pattern")
        if pattern is None:
            from symlab.gradient import connection_pattern_of
            pattern = self._caches["pattern"] = connection_pattern_of(self.inner_inputs,
                                                                      self.inner_outputs)
        return pattern

    def L_op(self, inputs, outputs, output_grads):
        if self.lop_overrides is not None:
            return list(self.lop_overrides(inputs, outputs, output_grads))
        if self.grad_overrides is not None:
            return list(self.grad_overrides(inputs, output_grads))
        grad_op, positions, nulls, used = self._gradient()
        result = [None] * len(inputs)
        if grad_op is not None:
            grads = grad_op(*inputs[:self.n_explicit],
                            *[output_grads[j] for j in used])
            grads = grads if isinstance(grads, list) else [grads]
            for position, g in zip(positions, grads):
                result[position] = g
        for position, null in nulls.items():
            result[position] = null
        return result

    def _gradient(self):
        """``(op, positions, nulls, used)``: the OpFromGraph of the inner gradient (inputs:
        this op's inputs, then the gradients of the ``used`` outputs; outputs: the
        gradients of the inputs at ``positions``), and NullType gradients by position."""
        cached = self._caches.get("gradient")
        if cached is not None:
            return cached
        from symlab.gradient import backpropagate, carries_gradient, is_null, total_gradient
        used = [j for j, out in enumerate(self.inner_outputs) if carries_gradient(out)]
        gs = [self.inner_outputs[j].type(f"g_out{j}") for j in used]
        wrt = list(self.inner_inputs)
        known = {self.inner_outputs[j]: g for j, g in zip(used, gs)}
        contributions = backpropagate(list(known), known, wrt)
        positions, grads, nulls = [], [], {}
        for k, var in enumerate(wrt):
            if var not in contributions or not carries_gradient(var):
                continue
            total = total_gradient(contributions[var])
            if is_null(total):
                nulls[k] = total
                continue
            positions.append(k)
            grads.append(total if total.type.dtype == var.type.dtype
                         else cast(total, var.type.dtype))
        op = None
        if grads:
            # the new op's inputs: this op's explicit inputs and the output gradients; the
            # shared variables it reads stay shared (implicit inputs of the new op too)
            explicit = list(self.inner_inputs[:self.n_explicit])
            back = dict(zip(self.inner_inputs[self.n_explicit:], self.shared_inputs))
            grads = clone_replace(grads, back) if back else grads
            op = OpFromGraph(explicit + gs, grads, name=f"{self.name}_grad")
        cached = self._caches["gradient"] = (op, positions, nulls, used)
        return cached

    def has_rop(self, node):
        from symlab.gradient import carries_gradient
        return self.rop_overrides is not None or all(carries_gradient(o) for o in node.outputs)

    def R_op(self, inputs, eval_points):
        if self.rop_overrides is not None:
            return list(self.rop_overrides(inputs, eval_points))
        points = [zeros_like(v) if e is None else e for v, e in zip(inputs, eval_points)]
        rop_op = self._rop_op()
        results = rop_op(*inputs[:self.n_explicit], *points)
        return results if isinstance(results, list) else [results]

    def _rop_op(self):
        """The OpFromGraph of the inner ``Rop``: inputs, then one direction per input."""
        op = self._caches.get("rop")
        if op is None:
            from symlab.gradient import Rop
            points = [v.type(f"d_{v}") for v in self.inner_inputs]
            rops = Rop(list(self.inner_outputs), list(self.inner_inputs), points,
                       disconnected_inputs="ignore")
            back = dict(zip(self.inner_inputs[self.n_explicit:], self.shared_inputs))
            rops = clone_replace(rops, back) if back else rops
            explicit = list(self.inner_inputs[:self.n_explicit])
            op = self._caches["rop"] = OpFromGraph(explicit + points, rops,
                                                   name=f"{self.name}_rop")
        return op

    @property
    def name(self):
        return self.__dict__.get("_name") or "OpFromGraph"

    @name.setter
    def name(self, value):
        self.__dict__["_name"] = value
