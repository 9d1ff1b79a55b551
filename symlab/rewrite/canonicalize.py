"""Canonicalize: simplify and put graphs in one standard form.

Each rewrite is one idea, with its algebra in the docstring. A replacement
always has the type of what it replaces: where the simplified expression
would have another dtype it is cast, and where it would have another static
shape (it would broadcast differently) the rewrite does not fire.
"""

import numpy as np

from symlab.gradient import GradientMarker
from symlab.graph.basic import Constant
from symlab.tensor.elemwise import DimShuffle, Elemwise
from symlab.tensor.reduction import Reduce
from symlab.tensor.shape import Reshape, Shape, shape

__all__ = ["CANONICALIZE", "mul_by_one", "add_zero", "neg_neg", "exp_log", "log_exp",
           "sub_self", "collect_constants", "mul_self_to_sqr", "sort_commutative_inputs",
           "dimshuffle_dimshuffle", "useless_dimshuffle", "useless_identity",
           "reshape_reshape", "useless_reshape", "remove_gradient_marker",
           "shape_of_elemwise", "shape_of_reduce"]


# ---------------------------------------------------------------- matching helpers

def row_name(node):
    """The scalar-op row name of an Elemwise node without a forced dtype, else None."""
    op = node.op if node is not None else None
    if isinstance(op, Elemwise) and op.dtype is None:
        return op.scalar_op.name
    return None


def owner_row(var):
    """The row name of the node computing ``var`` (None for leaves and other ops)."""
    return row_name(var.owner)


def constant_value(var):
    """The value of a constant variable as an ndarray, else None."""
    return np.asarray(var.data) if isinstance(var, Constant) else None


def is_constant_equal(var, number):
    """True if ``var`` is a constant whose every element equals ``number``."""
    value = constant_value(var)
    if value is None or value.size == 0:
        return False
    if value.size == 1:                 # the common case, without np.all's overhead
        return bool(value.reshape(-1)[0] == number)
    return bool(np.all(value == number))


def as_replacement(var, like):
    """``var`` made to stand for ``like``: cast if only the dtype differs; None if it cannot.

    It cannot when it has fewer dimensions or a static size 1 where ``like``
    has none (it would broadcast where the original did not).
    """
    from symlab.tensor.math import cast
    if var.type.ndim != like.type.ndim:
        return None
    if any(a == 1 and b != 1 for a, b in zip(var.type.shape, like.type.shape)):
        return None
    if var.type.dtype != like.type.dtype:
        var = cast(var, like.type.dtype)
    return var if like.type.accepts_replacement(var.type) else None


def _elemwise(name, *inputs):
    from symlab.tensor.math import elemwise_op
    return elemwise_op(name)(*inputs)


# ---------------------------------------------------------------- rewrites

def _drop_identity_elements(node, name):
    """The add/mul ``node`` without its inputs equal to the row's identity, or None."""
    if row_name(node) != name:
        return None
    identity = node.op.scalar_op.identity
    kept = [v for v in node.inputs if not is_constant_equal(v, identity)]
    if len(kept) == len(node.inputs) or not kept:
        return None
    out = kept[0] if len(kept) == 1 else _elemwise(name, *kept)
    return [as_replacement(out, node.outputs[0])]


def mul_by_one(fgraph, node):
    """x * 1 -> x (the ones dropped; the result keeps its dtype and shape)."""
    return _drop_identity_elements(node, "mul")


def add_zero(fgraph, node):
    """x + 0 -> x."""
    return _drop_identity_elements(node, "add")


def neg_neg(fgraph, node):
    """-(-x) -> x."""
    if row_name(node) == "neg" and owner_row(node.inputs[0]) == "neg":
        return [as_replacement(node.inputs[0].owner.inputs[0], node.outputs[0])]
    return None


def exp_log(fgraph, node):
    """exp(log(x)) -> x (equal wherever log(x) is finite, i.e. x > 0)."""
    if row_name(node) == "exp" and owner_row(node.inputs[0]) == "log":
        return [as_replacement(node.inputs[0].owner.inputs[0], node.outputs[0])]
    return None


def log_exp(fgraph, node):
    """log(exp(x)) -> x (equal wherever exp(x) is finite)."""
    if row_name(node) == "log" and owner_row(node.inputs[0]) == "exp":
        return [as_replacement(node.inputs[0].owner.inputs[0], node.outputs[0])]
    return None


def sub_self(fgraph, node):
    """x - x -> 0 (of x's shape; equal for every finite x)."""
    if row_name(node) != "sub" or node.inputs[0] is not node.inputs[1]:
        return None
    from symlab.tensor.creation import zeros_like
    return [as_replacement(zeros_like(node.inputs[0], dtype=node.outputs[0].type.dtype),
                           node.outputs[0])]


def collect_constants(fgraph, node):
    """2 * x * 3 -> 6 * x, 1 + x + 2 -> 3 + x: constants of add/mul combined into one.

    Nested nodes of the same op used only here are flattened first.
    """
    name = row_name(node)
    if name not in ("add", "mul"):
        return None
    terms = []
    for v in node.inputs:
        inner = v.owner
        if (row_name(inner) == name and len(fgraph.clients.get(v, ())) == 1
                and inner.outputs[0].type.dtype == node.outputs[0].type.dtype):
            terms.extend(inner.inputs)
        else:
            terms.append(v)
    constants = [v for v in terms if isinstance(v, Constant) and v.type.ndim == 0]
    others = [v for v in terms if not (isinstance(v, Constant) and v.type.ndim == 0)]
    flattened = len(terms) != len(node.inputs)
    if len(constants) < 2 and not flattened:
        return None
    dtype = node.outputs[0].type.dtype
    ufunc = np.add if name == "add" else np.multiply
    combined = []
    if constants:
        with np.errstate(all="ignore"):
            value = ufunc.reduce([np.asarray(c.data).astype(dtype) for c in constants])
        from symlab.tensor.variable import constant
        combined = [constant(np.asarray(value, dtype=dtype))]
    inputs = combined + others
    out = inputs[0] if len(inputs) == 1 else _elemwise(name, *inputs)
    return [as_replacement(out, node.outputs[0])]


def mul_self_to_sqr(fgraph, node):
    """x * x -> sqr(x)."""
    if row_name(node) == "mul" and len(node.inputs) == 2 and node.inputs[0] is node.inputs[1]:
        return [as_replacement(_elemwise("sqr", node.inputs[0]), node.outputs[0])]
    return None


def _canonical_rank(fgraph, var):
    if isinstance(var, Constant):
        return (0, 0, str(np.asarray(var.data).tolist()), 0)
    if var.owner is None:
        return (1, 0, var.name or "", var.id)
    position = fgraph.position(var.owner) if var.owner in fgraph else -1
    return (2, position, str(var.owner.op), var.index)


def sort_commutative_inputs(fgraph):
    """a + b == b + a: inputs of commutative ops in one order (constants, inputs, nodes).

    A global rewrite, run once at the end of canonicalize (``Pass.then``):
    every node out of order is rebuilt sorted, all in ONE event. Reordering node by node cost a rebuild of the whole graph
    downstream per node, quadratic in a chain's length (``tanh(x) + 0.5``
    repeated: every add fires).
    """
    replaced = {}          # old output -> new, for every node rebuilt here, in order
    sorted_pairs = []      # the reorderings proper: what the event reports
    for node in fgraph.toposort():
        inputs = [replaced.get(v, v) for v in node.inputs]
        order = _sorted_positions(fgraph, node)
        if order is not None:
            inputs = [inputs[k] for k in order]
        elif all(new is old for new, old in zip(inputs, node.inputs)):
            continue
        rebuilt = node.with_inputs(inputs)
        replaced.update(zip(node.outputs, rebuilt.outputs))
        if order is not None:
            sorted_pairs.extend(zip(node.outputs, rebuilt.outputs))
    if sorted_pairs:
        fgraph.replace_all(sorted_pairs, reason="sort_commutative_inputs",
                           rebuilt=list(replaced.items()))


def _sorted_positions(fgraph, node):
    """The input positions of a commutative node in canonical order, or None if already so."""
    op = node.op
    if not (isinstance(op, Elemwise) and op.scalar_op.commutative and len(node.inputs) > 1):
        return None
    order = sorted(range(len(node.inputs)), key=lambda k: _canonical_rank(fgraph, node.inputs[k]))
    return None if order == list(range(len(order))) else order


def dimshuffle_dimshuffle(fgraph, node):
    """x.dimshuffle(a).dimshuffle(b) -> x.dimshuffle(a composed with b)."""
    if not isinstance(node.op, DimShuffle):
        return None
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, DimShuffle):
        return None
    first = inner.op.new_order
    composed = tuple("x" if a == "x" else first[a] for a in node.op.new_order)
    return [DimShuffle(composed)(inner.inputs[0])]


def useless_dimshuffle(fgraph, node):
    """x.dimshuffle(0, 1, ..., n-1) -> x."""
    if isinstance(node.op, DimShuffle) and \
            node.op.new_order == tuple(range(node.inputs[0].type.ndim)):
        return [as_replacement(node.inputs[0], node.outputs[0])]
    return None


def reshape_reshape(fgraph, node):
    """x.reshape(s1).reshape(s2) -> x.reshape(s2)."""
    if not isinstance(node.op, Reshape):
        return None
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, Reshape):
        return None
    return [as_replacement(node.op(inner.inputs[0], node.inputs[1]), node.outputs[0])]


def useless_reshape(fgraph, node):
    """x.reshape(s) -> x when x's static shape is fully known and already s."""
    if not isinstance(node.op, Reshape):
        return None
    x, out = node.inputs[0], node.outputs[0]
    if None in x.type.shape or x.type.shape != out.type.shape:
        return None
    return [as_replacement(x, out)]


def useless_identity(fgraph, node):
    """identity(x) -> x (a copy or a cast to the dtype x already has)."""
    op = node.op
    if isinstance(op, Elemwise) and op.scalar_op.name == "identity" and \
            node.inputs[0].type.dtype == node.outputs[0].type.dtype:
        return [as_replacement(node.inputs[0], node.outputs[0])]
    return None


def remove_gradient_marker(fgraph, node):
    """zero_grad(x), disconnected_grad(x), consider_constant(x) -> x (they only guide grad)."""
    if isinstance(node.op, GradientMarker):
        return [node.inputs[0]]
    return None


def shape_of_elemwise(fgraph, node):
    """shape(f(x, y)) -> shape(x) when x alone already has the result's shape.

    The shape then no longer needs f computed (gradients ask for shapes a lot).
    """
    if not isinstance(node.op, Shape):
        return None
    owner = node.inputs[0].owner
    if owner is None or not isinstance(owner.op, Elemwise):
        return None
    out = owner.outputs[0].type
    for var in owner.inputs:
        if isinstance(var, Constant) and var.type.ndim > 0 and out.ndim > 0 and \
                var.type.shape != out.shape:
            continue
        if var.type.ndim == out.ndim and all(
                s_in == s_out or (s_in is None and s_out is not None and s_out != 1)
                for s_in, s_out in zip(var.type.shape, out.shape)) and \
                not any(s_in == 1 and s_out != 1 for s_in, s_out in zip(var.type.shape,
                                                                        out.shape)):
            return [shape(var)]
    return None


def shape_of_reduce(fgraph, node):
    """shape(reduce{axis}(x)) -> shape(x)[kept axes] (the reduction need not run for it)."""
    if not isinstance(node.op, Shape):
        return None
    owner = node.inputs[0].owner
    if owner is None or not isinstance(owner.op, Reduce):
        return None
    x = owner.inputs[0]
    reduced = range(x.type.ndim) if owner.op.axis is None else owner.op.axis
    kept = [a for a in range(x.type.ndim) if a not in reduced]
    from symlab.tensor.variable import constant
    return [as_replacement(shape(x)[constant(np.array(kept, dtype="int64"))], node.outputs[0])]


CANONICALIZE = (remove_gradient_marker, shape_of_elemwise, shape_of_reduce, useless_identity, useless_dimshuffle, dimshuffle_dimshuffle, reshape_reshape,
                useless_reshape, neg_neg, exp_log,
                log_exp, sub_self, mul_by_one, add_zero, collect_constants, mul_self_to_sqr)
