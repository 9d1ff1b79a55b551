"""Elementwise ops (one per row of the scalar-op table) and ``DimShuffle``.

``Elemwise`` applies a row of ``scalar_ops`` with broadcasting decided by the
static shapes: a dimension broadcasts only if its static size is 1. At run
time a size-1 dimension declared None may not be stretched; that is an error
naming the input (``check_runtime_broadcast``).
"""

import functools

import numpy as np

from symlab.graph.basic import Apply, Op
from symlab.tensor.scalar_ops import SCALAR_OPS, ScalarOp
from symlab.tensor.type import TensorType

__all__ = ["Elemwise", "DimShuffle", "broadcast_static_shapes", "check_runtime_broadcast",
           "BroadcastError", "natural_dtype", "can_write_result_into", "unbroadcast",
           "is_differentiable"]

# Rules whose computation runs in the output dtype: inputs are cast first.
_CAST_ALL = {"upcast", "float", "real_float", "real_float64", "true_div", "real", "round",
             "int_or_bool", "upcast_nobool", "real_nobool"}


class BroadcastError(ValueError):
    """A size-1 dimension that the static type does not allow to broadcast."""


def _name_of(var, position):
    return f"input {position} ({var})" if var.name is None else f"input {position} '{var.name}'"


def broadcast_static_shapes(op_name, inputs):
    """Return the static output shape of broadcasting ``inputs`` (padded on the left).

    Raises ValueError when two known sizes clash.
    """
    ndim = max(v.type.ndim for v in inputs)
    padded = [(1,) * (ndim - v.type.ndim) + v.type.shape for v in inputs]
    out = []
    for axis in range(ndim):
        sizes = [shape[axis] for shape in padded]
        known = {s for s in sizes if s is not None and s != 1}
        if len(known) > 1:
            detail = ", ".join(f"{_name_of(v, i)} has shape {v.type.shape_str()}"
                               for i, v in enumerate(inputs))
            raise ValueError(f"{op_name}: incompatible static shapes ({detail}); dimension "
                             f"{axis} of the result cannot be both "
                             f"{' and '.join(map(str, sorted(known)))}")
        if known:
            out.append(known.pop())
        elif None in sizes:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def check_runtime_broadcast(node, values, out_shape):
    """Raise BroadcastError if an input's size-1 dimension was stretched against its type."""
    ndim = len(out_shape)
    for position, (var, value) in enumerate(zip(node.inputs, values)):
        shape = np.shape(value)
        offset = ndim - len(shape)
        for axis, size in enumerate(shape):
            static = var.type.shape[axis]
            if size == 1 and static != 1 and out_shape[axis + offset] != 1:
                pattern = list(var.type.shape)
                pattern[axis] = 1
                raise BroadcastError(
                    f"{node.op}: {_name_of(var, position)} of type {var.type} has runtime shape "
                    f"{shape}, and its dimension {axis} (size 1) would have to broadcast against "
                    f"size {out_shape[axis + offset]}, but its type does not allow broadcasting "
                    f"there. Declare it broadcastable, e.g. TensorType('{var.type.dtype}', "
                    f"shape={tuple(pattern)})" + _suggest_constructor(var.type, axis))


def _suggest_constructor(type_, axis):
    if type_.ndim == 2:
        return " (T.row)" if axis == 0 else " (T.col)"
    return ""


@functools.lru_cache(maxsize=None)
def natural_dtype(row, dtypes):
    """The dtype NumPy's function for ``row`` gives on inputs of ``dtypes`` (probed once)."""
    probes = [np.ones(1, dtype=d) for d in dtypes]
    # A SciPy special function has a NumPy twin of the same dtypes: probing it keeps
    # compiling from loading SciPy (about 0.2 s in a fresh process).
    numpy_fn = getattr(row.numpy, "fallback", row.numpy)
    with np.errstate(all="ignore"):
        return str(np.asarray(numpy_fn(*probes)).dtype)


def can_write_result_into(row, out_type, var_type, arg_dtypes):
    """True if ``row``'s ufunc may store a result of ``out_type`` into a buffer of ``var_type``.

    ``arg_dtypes`` are the dtypes the row is computed on. The buffer must
    already have the result's dtype and shape (same dimensions, none of them
    broadcast), the row must be a ufunc computing that dtype, and the result
    must be an array (0-d results are NumPy scalars).
    """
    if row.ufunc is None or out_type.ndim == 0 or var_type.dtype != out_type.dtype:
        return False
    if var_type.ndim != out_type.ndim:
        return False
    if any(v == 1 and o != 1 for v, o in zip(var_type.shape, out_type.shape)):
        return False
    return natural_dtype(row, tuple(arg_dtypes)) == out_type.dtype


class Elemwise(Op):
    """Apply scalar op ``scalar_op`` elementwise; ``dtype`` forces the result dtype (cast).

    ``inplace`` (set only by the ``inplace_elemwise`` rewrite) is the position
    of the input whose buffer the backends write the result into.
    """

    __props__ = ("scalar_op", "dtype", "inplace")

    def __init__(self, scalar_op, dtype=None, inplace=None):
        if isinstance(scalar_op, str):
            scalar_op = SCALAR_OPS[scalar_op]
        if not isinstance(scalar_op, ScalarOp):
            raise TypeError(f"Elemwise needs a row of the scalar-op table; got {scalar_op!r}")
        self.scalar_op = scalar_op
        self.dtype = dtype
        self.inplace = inplace

    @property
    def name(self):
        if self.scalar_op.name == "identity" and self.dtype is not None:
            base = f"cast{{{self.dtype}}}"
        else:
            base = self.scalar_op.name
        return base if self.inplace is None else f"{base}{{inplace {self.inplace}}}"

    def writes_into(self, node):
        """The input position whose buffer the result is written into, or None."""
        return self.inplace

    def output_is_fresh(self, node):
        """True if the result is a new array of its own (not a view of an input's memory)."""
        if self.scalar_op.name != "identity":
            return True
        return node.inputs[0].type.dtype != node.outputs[0].type.dtype

    def computed_dtypes(self, node):
        """The dtypes the row is computed on: each input's, after its cast (if any)."""
        return [cast or var.type.dtype
                for cast, var in zip(self.input_cast_dtypes(node), node.inputs)]

    def writable_inputs(self, node):
        """The input positions whose buffer could hold this node's result."""
        casts = self.input_cast_dtypes(node)
        arg_dtypes = self.computed_dtypes(node)
        return [k for k in range(len(node.inputs))
                if casts[k] is None and self.dtype is None
                and node.inputs.count(node.inputs[k]) == 1
                and can_write_result_into(self.scalar_op, node.outputs[0].type,
                                          node.inputs[k].type, arg_dtypes)]

    def with_inplace(self, position):
        """This op, writing its result into input ``position``."""
        return Elemwise(self.scalar_op, self.dtype, position)

    def grad(self, node, output_grads):
        """The row's gradient rule, summed back over broadcast axes, per input.

        Integer and boolean inputs get no gradient (None).
        """
        (g,) = output_grads
        if g is None:
            return [None] * len(node.inputs)
        out = node.outputs[0]
        if not is_differentiable(out):
            return [None] * len(node.inputs)
        contributions = self.scalar_op.grad(g, out, *node.inputs)
        return [None if c is None or not is_differentiable(x)
                else c if _is_null(c) else unbroadcast(c, x)
                for c, x in zip(contributions, node.inputs)]

    def __str__(self):
        return self.name

    def make_node(self, *inputs):
        from symlab.tensor.variable import as_tensor_variable
        row = self.scalar_op
        if row.nin == -1 and not inputs:
            raise TypeError(f"{self.name} needs at least one input")
        if row.nin != -1 and len(inputs) != row.nin:
            raise TypeError(f"{self.name} takes {row.nin} inputs; got {len(inputs)}")
        inputs = [as_tensor_variable(x) for x in inputs]
        dtypes = [v.type.dtype for v in inputs]
        if self.dtype is not None:
            out_dtype = self.dtype
        else:
            try:
                out_dtype = row.out_dtype(dtypes)
            except TypeError as exc:
                names = ", ".join(f"{v} ({v.type.dtype})" for v in inputs)
                raise TypeError(f"{self.name} {exc}: {names}") from None
        shape = broadcast_static_shapes(self.name, inputs)
        return Apply(self, inputs, [TensorType(out_dtype, shape)])

    def input_cast_dtypes(self, node):
        """Per input, the dtype to cast it to before computing (None: as it is)."""
        out_dtype = node.outputs[0].type.dtype
        rule = self.scalar_op.dtype_rule
        casts = []
        for position, var in enumerate(node.inputs):
            wanted = None
            if self.dtype is None and rule in _CAST_ALL:
                wanted = out_dtype
            elif rule == "switch" and position > 0:
                wanted = out_dtype
            casts.append(wanted if wanted is not None and wanted != var.type.dtype else None)
        return casts

    def perform(self, node, inputs):
        casts = self.input_cast_dtypes(node)
        args = [x if dtype is None else np.asarray(x).astype(dtype)
                for x, dtype in zip(inputs, casts)]
        out_dtype = node.outputs[0].type.dtype
        with np.errstate(all="ignore"):
            result = np.asarray(self.scalar_op.numpy(*args))
        if result.dtype != out_dtype:
            result = result.astype(out_dtype)
        if len(inputs) > 1:
            check_runtime_broadcast(node, inputs, result.shape)
        return [result]


def _is_null(gradient):
    """True for a ``NullType`` gradient (a rule the row does not have): passed on as it is."""
    from symlab.gradient import is_null   # upward: the gradients layer
    return is_null(gradient)


def is_differentiable(var):
    """True if gradients flow through ``var`` (a float or complex tensor)."""
    return var.type.dtype.startswith(("float", "complex"))


def unbroadcast(grad, like):
    """``grad`` (shaped like a broadcast result) summed down to the type of ``like``.

    Leading axes ``like`` lacks and axes where ``like`` has static size 1 are
    summed; the result has ``like``'s dtype and broadcast pattern.
    """
    from symlab.tensor.math import cast
    from symlab.tensor.reduction import sum as reduce_sum
    lead = grad.type.ndim - like.type.ndim
    kept = [a for a in range(lead, grad.type.ndim)
            if not (like.type.shape[a - lead] == 1 and grad.type.shape[a] != 1)]
    summed = [a for a in range(grad.type.ndim) if a not in kept]
    if summed:
        grad = reduce_sum(grad, axis=summed)
        order, k = [], 0
        for a in range(lead, lead + like.type.ndim):
            if a in kept:
                order.append(k)
                k += 1
            else:
                order.append("x")
        grad = DimShuffle(tuple(order))(grad)
    return cast(grad, like.type.dtype)


class DimShuffle(Op):
    """Reorder, drop (static size 1 only) and insert ('x') dimensions; a view.

    ``new_order`` lists input axes and 'x' for new broadcastable axes:
    ``(1, 0)`` transposes a matrix, ``('x', 0)`` makes a vector a row.
    """

    __props__ = ("new_order",)
    view_of_input = True

    def __init__(self, new_order):
        self.new_order = tuple(new_order)

    @property
    def name(self):
        return "dimshuffle"

    def __str__(self):
        return "dimshuffle{" + ",".join(str(a) for a in self.new_order) + "}"

    def make_node(self, x):
        from symlab.tensor.variable import as_tensor_variable
        x = as_tensor_variable(x)
        ndim = x.type.ndim
        axes = [a for a in self.new_order if a != "x"]
        for a in axes:
            if not isinstance(a, (int, np.integer)) or not 0 <= a < ndim:
                raise ValueError(f"dimshuffle{self.new_order} on {x} of type {x.type}: "
                                 f"{a!r} is not an axis of a {ndim}-d tensor")
        if len(set(axes)) != len(axes):
            raise ValueError(f"dimshuffle{self.new_order}: an axis appears twice")
        for a in range(ndim):
            if a not in axes and x.type.shape[a] != 1:
                raise ValueError(
                    f"dimshuffle{self.new_order} on {x} of type {x.type} drops axis {a}, "
                    f"whose static size is {x.type.shape[a] if x.type.shape[a] is not None else '?'}"
                    "; only axes of static size 1 can be dropped")
        shape = tuple(1 if a == "x" else x.type.shape[a] for a in self.new_order)
        return Apply(self, [x], [TensorType(x.type.dtype, shape)])

    def grad(self, node, output_grads):
        """The inverse dimshuffle: dropped axes come back as size 1, inserted ones go."""
        (g,) = output_grads
        if g is None or not is_differentiable(node.inputs[0]):
            return [None]
        order = tuple(self.new_order.index(a) if a in self.new_order else "x"
                      for a in range(node.inputs[0].type.ndim))
        return [DimShuffle(order)(g)]

    def perform(self, node, inputs):
        (x,) = inputs
        x = np.asarray(x)
        kept = [a for a in self.new_order if a != "x"]
        dropped = tuple(a for a in range(x.ndim) if a not in kept)
        if dropped:
            x = x.reshape([s for i, s in enumerate(x.shape) if i not in dropped])
            remaining = [a for a in range(node.inputs[0].type.ndim) if a not in dropped]
            kept = [remaining.index(a) for a in kept]
        y = np.transpose(x, kept)
        return [_insert_axes(y, self.new_order)]


def _insert_axes(y, new_order):
    index = tuple(None if a == "x" else slice(None) for a in new_order)
    return y[index] if "x" in new_order else y
