"""``FusedElemwise``: a chain of elementwise ops computed as one node.

The ``fuse_elementwise`` rewrite builds it; each backend lowers it to one
kernel. Inside is a small graph of ordinary ``Elemwise`` nodes over inner
input variables (one per outer input) and constants, so every dtype and
broadcasting rule is the one of the unfused ops, read from the same rows.
"""

import numpy as np

from symlab.graph.basic import Apply, Constant, Op
from symlab.graph.traversal import toposort
from symlab.tensor.elemwise import (BroadcastError, Elemwise, can_write_result_into,
                                    check_runtime_broadcast)
from symlab.tensor.type import TensorType

__all__ = ["FusedElemwise", "fuse_nodes"]

#: The op's name spells out its expression up to this length, else counts the ops.
_NAME_LIMIT = 60


class FusedElemwise(Op):
    """Elementwise nodes fused into one: ``inner_inputs`` -> ``inner_output``.

    ``inplace`` is the outer input position whose buffer the result is
    written into (set by the ``inplace_elemwise`` rewrite), or None.
    """

    __props__ = ("signature", "inplace")

    def __init__(self, inner_inputs, inner_output, inplace=None):
        self.inner_inputs = tuple(inner_inputs)
        self.inner_output = inner_output
        self.inner_nodes = tuple(toposort([inner_output], stop_at=set(self.inner_inputs)))
        for node in self.inner_nodes:
            if not isinstance(node.op, Elemwise):
                raise TypeError(f"FusedElemwise: inner node {node.op} is not elementwise")
        self.inplace = inplace
        self.signature = _signature(self.inner_inputs, self.inner_nodes, inner_output)

    # ------------------------------------------------------------ naming

    @property
    def expression(self):
        """The fused computation as text over the inner inputs ``i0, i1, ...``.

        A value used several times is spelled out each time, so the text can
        grow fast; past 10,000 characters it ends in "...".
        """
        return self._expression(10_000)

    def _expression(self, limit):
        """The expression text, or its first ``limit`` characters and "..." if longer."""
        texts = {v: (f"i{k}", _ATOM) for k, v in enumerate(self.inner_inputs)}
        for node in self.inner_nodes:
            args = [texts[v] if v in texts else (_constant_text(v), _ATOM) for v in node.inputs]
            text, precedence = _format(node.op, args)
            if len(text) > limit:
                text = text[:limit] + "..."
            texts[node.outputs[0]] = (text, precedence)
        return texts[self.inner_output][0]

    @property
    def name(self):
        text = self._expression(_NAME_LIMIT)
        if len(text) > _NAME_LIMIT:
            text = f"{len(self.inner_nodes)} ops"
        base = f"fused{{{text}}}"
        return base if self.inplace is None else f"{base}{{inplace {self.inplace}}}"

    def __str__(self):
        return self.name

    # ------------------------------------------------------------ building

    def make_node(self, *inputs):
        if len(inputs) != len(self.inner_inputs):
            raise TypeError(f"{self.name} takes {len(self.inner_inputs)} inputs; "
                            f"got {len(inputs)}")
        for k, (outer, inner) in enumerate(zip(inputs, self.inner_inputs)):
            if not inner.type.accepts_replacement(outer.type):
                raise TypeError(f"{self.name}: input {k} ({outer}) has type {outer.type}, "
                                f"expected {inner.type}")
        out = self.inner_output.type
        return Apply(self, list(inputs), [TensorType(out.dtype, out.shape)])

    # ------------------------------------------------------------ in place

    def writes_into(self, node):
        """The outer input position whose buffer the result is written into, or None."""
        return self.inplace

    def output_is_fresh(self, node):
        """A fused result is always a new array (or an owned buffer written in place)."""
        return True

    def writable_inputs(self, node):
        """Outer input positions whose buffer the last inner step can write into."""
        last = self.inner_output.owner
        if last.op.dtype is not None:
            return []
        arg_dtypes = last.op.computed_dtypes(last)
        return [k for k in range(len(node.inputs))
                if last.inputs.count(self.inner_inputs[k]) <= 1
                and can_write_result_into(last.op.scalar_op, node.outputs[0].type,
                                         node.inputs[k].type, arg_dtypes)]

    def with_inplace(self, position):
        """This op, writing its result into outer input ``position``."""
        return FusedElemwise(self.inner_inputs, self.inner_output, position)

    # ------------------------------------------------------------ reference semantics

    def perform(self, node, inputs):
        values = dict(zip(self.inner_inputs, inputs))
        try:
            for inner in self.inner_nodes:
                args = [v.data if isinstance(v, Constant) else values[v] for v in inner.inputs]
                values[inner.outputs[0]] = inner.op.compute(inner, args)[0]
        except BroadcastError:
            # Name the outer inputs, not the inner ones the user never saw.
            check_runtime_broadcast(node, inputs,
                                    np.broadcast_shapes(*(np.shape(v) for v in inputs)))
            raise
        return [values[self.inner_output]]


def fuse_nodes(nodes, output):
    """Return ``(op, outer_inputs)`` computing ``output`` from the elementwise ``nodes``.

    ``nodes`` are in topological order and ``output`` is the last one's
    output; every variable they read that none of them computes (and that
    is not a constant) becomes an outer input, in order of first use.
    """
    computed = {o for n in nodes for o in n.outputs}
    outer, inner_of = [], {}
    for node in nodes:
        for var in node.inputs:
            if var in computed or isinstance(var, Constant) or var in inner_of:
                continue
            inner_of[var] = var.type(f"i{len(outer)}")
            outer.append(var)
    memo = dict(inner_of)
    for node in nodes:
        args = [memo.get(v, v) for v in node.inputs]
        rebuilt = node.op.make_node(*args)
        memo[node.outputs[0]] = rebuilt.outputs[0]
    op = FusedElemwise([inner_of[v] for v in outer], memo[output])
    return op, outer


def _signature(inner_inputs, inner_nodes, inner_output):
    refs = {v: ("in", k, v.type) for k, v in enumerate(inner_inputs)}
    steps = []
    for j, node in enumerate(inner_nodes):
        args = []
        for v in node.inputs:
            if v in refs:
                args.append(refs[v])
            else:
                value = np.asarray(v.data)
                args.append(("const", v.type, value.tobytes()))
        steps.append((node.op, tuple(args)))
        refs[node.outputs[0]] = ("step", j)
    return (tuple(steps), refs[inner_output])


def _constant_text(var):
    value = np.asarray(var.data)
    return str(value.item()) if value.size == 1 else f"<{value.shape} constant>"


_ATOM = 1000  # binds tighter than any operator


def _format(op, args):
    """(text, precedence) of ``op`` applied to ``args`` [(text, precedence)], as pp writes it."""
    row = op.scalar_op

    def wrapped(arg, limit):
        text, precedence = arg
        return text if precedence > limit else f"({text})"

    if op.dtype is not None and row.name == "identity":
        return f"{op.name}({args[0][0]})", _ATOM
    if row.symbol and len(args) >= 2:
        return f" {row.symbol} ".join(wrapped(a, row.precedence) for a in args), row.precedence
    if row.symbol:
        return f"{row.symbol}{wrapped(args[0], row.precedence)}", row.precedence
    return f"{row.name}({', '.join(a[0] for a in args)})", _ATOM
