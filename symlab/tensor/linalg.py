"""Linear algebra: ``dot``, ``matmul``, ``tensordot`` and ``outer``.

``Dot``, ``MatMul`` and ``TensorDot`` follow ``numpy.dot``, ``numpy.matmul`` and
``numpy.tensordot``. Their result dtype is the upcast of the two inputs (both
inputs are cast to it before computing); their static shapes come from the
inputs', and a contracted dimension whose two static sizes differ is an error
when the graph is built.
"""

import numpy as np

from symlab.graph.basic import Apply, Op
from symlab.tensor.math import mul
from symlab.tensor.type import TensorType, upcast
from symlab.tensor.variable import as_tensor_variable

__all__ = ["Dot", "MatMul", "TensorDot", "dot", "matmul", "tensordot", "outer"]


def _describe(var):
    return f"{var} of type {var.type}"


def _size(s):
    return "?" if s is None else str(s)


def _check_inner(op_name, a, b, a_axis, b_axis):
    """Raise ValueError if dimension ``a_axis`` of ``a`` and ``b_axis`` of ``b`` clash."""
    sa, sb = a.type.shape[a_axis], b.type.shape[b_axis]
    if sa is not None and sb is not None and sa != sb:
        raise ValueError(
            f"{op_name}: the contracted dimensions do not match: dimension {a_axis} of "
            f"{_describe(a)} has size {sa}, dimension {b_axis} of {_describe(b)} has "
            f"size {sb}")


def _cast_inputs(node, values):
    """The input values as arrays of the node's result dtype."""
    out_dtype = node.outputs[0].type.numpy_dtype
    return [np.asarray(v).astype(out_dtype, copy=False) for v in values]


def _runtime_error(op, node, values, exc):
    shapes = ", ".join(f"{var} has shape {np.shape(v)}" for var, v in zip(node.inputs, values))
    return ValueError(f"{op}: the input shapes do not fit ({shapes}): {exc}")


class _BinaryLinalgOp(Op):
    """Shared perform: cast both inputs to the result dtype, call ``_numpy``."""

    def _numpy(self, a, b):
        raise NotImplementedError

    def perform(self, node, inputs):
        a, b = _cast_inputs(node, inputs)
        try:
            result = self._numpy(a, b)
        except ValueError as exc:
            raise _runtime_error(self, node, inputs, exc) from None
        return [np.asarray(result, dtype=node.outputs[0].type.numpy_dtype)]

    def output_is_fresh(self, node):
        """The result is always a new array, never a view of an input."""
        return True

    def grad(self, node, output_grads):
        """The gradient of each float input (None for integer inputs or no gradient)."""
        from symlab.tensor.elemwise import is_differentiable, unbroadcast
        (g,) = output_grads
        a, b = node.inputs
        if g is None:
            return [None, None]
        ga, gb = self._grads(a, b, g)
        return [unbroadcast(ga, a) if is_differentiable(a) else None,
                unbroadcast(gb, b) if is_differentiable(b) else None]

    def _grads(self, a, b, g):
        raise NotImplementedError

    def numpy_callable(self, node):
        out_dtype = node.outputs[0].type.numpy_dtype
        compute = self._numpy
        if all(v.type.numpy_dtype == out_dtype for v in node.inputs):
            return compute
        return lambda a, b: compute(np.asarray(a).astype(out_dtype, copy=False),
                                    np.asarray(b).astype(out_dtype, copy=False))


class Dot(_BinaryLinalgOp):
    """``numpy.dot``: inner product of vectors, matrix products, sum over the last axis
    of ``a`` and the second-to-last of ``b`` in general; a 0-d input multiplies."""

    __props__ = ()

    @property
    def name(self):
        return "dot"

    def make_node(self, a, b):
        a, b = as_tensor_variable(a), as_tensor_variable(b)
        dtype = upcast(a.type.dtype, b.type.dtype)
        sa, sb = a.type.shape, b.type.shape
        if a.type.ndim == 0:
            shape = sb
        elif b.type.ndim == 0:
            shape = sa
        else:
            b_axis = 0 if b.type.ndim == 1 else b.type.ndim - 2
            _check_inner("dot", a, b, a.type.ndim - 1, b_axis)
            shape = sa[:-1] + (sb[:-2] + sb[-1:] if b.type.ndim >= 2 else ())
        return Apply(self, [a, b], [TensorType(dtype, shape)])

    def _numpy(self, a, b):
        return np.dot(a, b)

    def _grads(self, a, b, g):
        return _product_grads(a, b, g, dot)


class MatMul(_BinaryLinalgOp):
    """``numpy.matmul``: matrix products over the last two axes, batch axes broadcast.

    A 1-d ``a`` is a row and a 1-d ``b`` a column (the added axis is dropped);
    scalars are refused.
    """

    __props__ = ()

    @property
    def name(self):
        return "matmul"

    def make_node(self, a, b):
        a, b = as_tensor_variable(a), as_tensor_variable(b)
        for position, var in (("first", a), ("second", b)):
            if var.type.ndim == 0:
                raise ValueError(f"matmul: the {position} input {_describe(var)} is a scalar; "
                                 "matmul needs at least 1-d inputs (use mul for scalars)")
        dtype = upcast(a.type.dtype, b.type.dtype)
        a_axis = a.type.ndim - 1
        b_axis = 0 if b.type.ndim == 1 else b.type.ndim - 2
        _check_inner("matmul", a, b, a_axis, b_axis)
        batch = _broadcast_batch(a, b)
        rows = a.type.shape[-2:-1] if a.type.ndim >= 2 else ()
        cols = b.type.shape[-1:] if b.type.ndim >= 2 else ()
        return Apply(self, [a, b], [TensorType(dtype, batch + rows + cols)])

    def _numpy(self, a, b):
        return np.matmul(a, b)

    def perform(self, node, inputs):
        _check_batch_broadcast(node, inputs)
        return super().perform(node, inputs)

    def numpy_callable(self, node):
        compute = super().numpy_callable(node)
        if min(v.type.ndim for v in node.inputs) < 3:
            return compute              # an operand without batch axes: nothing broadcasts

        def checked(a, b):
            _check_batch_broadcast(node, (a, b))
            return compute(a, b)
        return checked

    def _grads(self, a, b, g):
        return _product_grads(a, b, g, matmul)


def _check_batch_broadcast(node, values):
    """Raise BroadcastError if a size-1 batch axis broadcasts where its type does not allow it.

    As for elementwise ops, only a statically 1 dimension broadcasts: a runtime 1
    stretched against a larger batch would give a gradient of the wrong shape.
    """
    from symlab.tensor.elemwise import BroadcastError, _name_of
    a, b = (np.shape(v) for v in values)
    if len(a) < 3 or len(b) < 3:
        return
    batch_a, batch_b = a[:-2], b[:-2]
    for position, (var, batch) in enumerate(zip(node.inputs, (batch_a, batch_b))):
        other = batch_b if position == 0 else batch_a
        for axis, size in enumerate(batch):
            other_axis = axis + len(other) - len(batch)
            if (size == 1 and var.type.shape[axis] != 1 and other_axis >= 0
                    and other[other_axis] != 1):
                pattern = list(var.type.shape)
                pattern[axis] = 1
                raise BroadcastError(
                    f"matmul: {_name_of(var, position)} of type {var.type} has runtime shape "
                    f"{np.shape(values[position])}, and its batch dimension {axis} (size 1) "
                    f"would have to broadcast against size {other[other_axis]}, but its type "
                    f"does not allow broadcasting there. Declare it broadcastable, e.g. "
                    f"TensorType('{var.type.dtype}', shape={tuple(pattern)})")


def _product_grads(a, b, g, product):
    """Gradients of dot(a, b) or matmul(a, b), for operands of any number of dimensions."""
    from symlab.tensor import math as tm
    from symlab.tensor.reduction import sum as reduce_sum
    na, nb = a.type.ndim, b.type.ndim
    if na == 0 or nb == 0:            # a scalar operand multiplies
        if na == 0:
            return reduce_sum(tm.mul(g, b)), tm.mul(g, a)
        return tm.mul(g, b), reduce_sum(tm.mul(g, a))
    if na == 1 and nb == 1:
        return tm.mul(g, b), tm.mul(g, a)
    if nb == 1 and na > 2:            # a (..., n), b (n): out (...), the same for dot and matmul
        lead = list(range(na - 1))
        return (tm.mul(g.dimshuffle(*lead, "x"), b.dimshuffle(*["x"] * (na - 1), 0)),
                tensordot(a, g, axes=[lead, lead]))
    if na == 1 and nb > 2:            # a (n), b (..., n, m): out (..., m)
        batch = list(range(nb - 2))
        return (tensordot(b, g, axes=[batch + [nb - 1], batch + [nb - 2]]),
                tm.mul(a.dimshuffle(*["x"] * (nb - 2), 0, "x"), g.dimshuffle(*batch, "x", nb - 2)))
    if na == 1:                       # a (n), b (n, m): out (m)
        return dot(b, g), tm.mul(a.dimshuffle(0, "x"), g.dimshuffle("x", 0))
    if nb == 1:                       # a (n, m), b (m): out (n)
        return tm.mul(g.dimshuffle(0, "x"), b.dimshuffle("x", 0)), dot(_swap_last(a), g)
    if product is dot and (na > 2 or nb > 2):
        # a (..., n), b (..., n, m): dot contracts a's last axis with b's second-to-last,
        # exactly tensordot(a, b, [[na - 1], [nb - 2]]) (result: a's free axes, then b's).
        return TensorDot(((na - 1,), (nb - 2,)))._grads(a, b, g)
    return product(g, _swap_last(b)), product(_swap_last(a), g)


def _swap_last(x):
    """``x`` with its last two axes swapped."""
    order = list(range(x.type.ndim))
    order[-2], order[-1] = order[-1], order[-2]
    return x.dimshuffle(*order)


def _broadcast_batch(a, b):
    """The static batch shape of matmul: the leading axes of ``a`` and ``b`` broadcast."""
    batch_a = a.type.shape[:-2]
    batch_b = b.type.shape[:-2]
    ndim = max(len(batch_a), len(batch_b))
    batch_a = (1,) * (ndim - len(batch_a)) + batch_a
    batch_b = (1,) * (ndim - len(batch_b)) + batch_b
    out = []
    for axis, (x, y) in enumerate(zip(batch_a, batch_b)):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            raise ValueError(
                f"matmul: the batch dimensions do not broadcast: {_describe(a)} and "
                f"{_describe(b)} have batch sizes {x} and {y} in batch axis {axis}")
    return tuple(out)


class TensorDot(_BinaryLinalgOp):
    """``numpy.tensordot`` with ``axes`` = ((axes of a), (axes of b)), non-negative.

    The result has the remaining axes of ``a`` then those of ``b``.
    """

    __props__ = ("axes",)

    def __init__(self, axes):
        try:
            a_axes, b_axes = axes
            a_axes, b_axes = tuple(int(i) for i in a_axes), tuple(int(i) for i in b_axes)
        except (TypeError, ValueError):
            raise ValueError(f"TensorDot: axes must be a pair of tuples of non-negative ints "
                             f"(use symlab.tensor.tensordot, which normalizes them); "
                             f"got {axes!r}") from None
        if len(a_axes) != len(b_axes) or any(i < 0 for i in a_axes + b_axes):
            raise ValueError(f"TensorDot: axes must be two tuples of equal length of "
                             f"non-negative ints; got {axes!r}")
        self.axes = (a_axes, b_axes)

    @property
    def name(self):
        return "tensordot"

    def __str__(self):
        return f"tensordot{{axes={self.axes}}}"

    def make_node(self, a, b):
        a, b = as_tensor_variable(a), as_tensor_variable(b)
        a_axes, b_axes = self.axes
        for var, axes in ((a, a_axes), (b, b_axes)):
            bad = [i for i in axes if i >= var.type.ndim]
            if bad or len(set(axes)) != len(axes):
                raise ValueError(f"tensordot: axes {axes} are not distinct axes of "
                                 f"{_describe(var)}")
        for i, j in zip(a_axes, b_axes):
            _check_inner("tensordot", a, b, i, j)
        shape = (tuple(s for i, s in enumerate(a.type.shape) if i not in a_axes)
                 + tuple(s for j, s in enumerate(b.type.shape) if j not in b_axes))
        dtype = upcast(a.type.dtype, b.type.dtype)
        return Apply(self, [a, b], [TensorType(dtype, shape)])

    def _numpy(self, a, b):
        return np.tensordot(a, b, axes=self.axes)

    def _grads(self, a, b, g):
        """Contract g with the other operand over its free axes, then restore the order."""
        from symlab.tensor.shape import transpose
        a_axes, b_axes = self.axes
        free_a = [i for i in range(a.type.ndim) if i not in a_axes]
        free_b = [j for j in range(b.type.ndim) if j not in b_axes]
        g_a = list(range(len(free_a)))
        g_b = list(range(len(free_a), len(free_a) + len(free_b)))
        # g . b over b's free axes leaves (free_a..., b's summed axes in increasing order).
        partner_of_b = dict(zip(b_axes, a_axes))
        ga_axes = free_a + [partner_of_b[j] for j in sorted(b_axes)]
        ga = TensorDot((tuple(g_b), tuple(free_b)))(g, b)
        ga = transpose(ga, [ga_axes.index(i) for i in range(a.type.ndim)])
        partner_of_a = dict(zip(a_axes, b_axes))
        gb_axes = [partner_of_a[i] for i in sorted(a_axes)] + free_b
        gb = TensorDot((tuple(free_a), tuple(g_a)))(a, g)
        gb = transpose(gb, [gb_axes.index(j) for j in range(b.type.ndim)])
        return ga, gb


_DOT = Dot()
_MATMUL = MatMul()


def dot(a, b):
    """Return the product of ``a`` and ``b`` with ``numpy.dot`` semantics.

    Vectors give their inner product, matrices their matrix product; in
    general the last axis of ``a`` is contracted with the second-to-last axis
    of ``b`` (its only axis if 1-d). Statically known inner sizes that differ
    raise ValueError naming both inputs and their types.
    """
    return _DOT(a, b)


def matmul(a, b):
    """Return ``a @ b`` with ``numpy.matmul`` semantics (batch axes broadcast).

    Scalars are refused with a ValueError; a 1-d input is a row (``a``) or a
    column (``b``) whose added axis is removed from the result.
    """
    return _MATMUL(a, b)


def _normalize_axes(a, b, axes):
    def check(var, axis):
        ndim = var.type.ndim
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"tensordot: axes must hold ints; got {axis!r}")
        if not -ndim <= axis < ndim:
            raise ValueError(f"tensordot: axis {int(axis)} is out of range for "
                             f"{_describe(var)}, which has {ndim} dimensions")
        return int(axis) % ndim

    if isinstance(axes, (int, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        n = int(axes)
        if n < 0 or n > a.type.ndim or n > b.type.ndim:
            raise ValueError(f"tensordot: axes={n} needs both inputs to have at least {n} "
                             f"dimensions; got {_describe(a)} and {_describe(b)}")
        return (tuple(range(a.type.ndim - n, a.type.ndim)), tuple(range(n)))
    try:
        a_axes, b_axes = axes
    except (TypeError, ValueError):
        raise TypeError(f"tensordot: axes must be an int or a pair (axes of a, axes of b); "
                        f"got {axes!r}") from None
    a_axes = a_axes if isinstance(a_axes, (list, tuple)) else (a_axes,)
    b_axes = b_axes if isinstance(b_axes, (list, tuple)) else (b_axes,)
    if len(a_axes) != len(b_axes):
        raise ValueError(f"tensordot: axes {axes!r} name {len(a_axes)} axes of a and "
                         f"{len(b_axes)} of b; they must be paired")
    return (tuple(check(a, i) for i in a_axes), tuple(check(b, j) for j in b_axes))


def tensordot(a, b, axes=2):
    """Return the tensor contraction of ``a`` and ``b`` (``numpy.tensordot`` semantics).

    ``axes`` is an int n (the last n axes of ``a`` with the first n of ``b``)
    or a pair of axis lists paired in order. The result has the remaining axes
    of ``a`` followed by those of ``b``.
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    return TensorDot(_normalize_axes(a, b, axes))(a, b)


def outer(x, y):
    """Return the outer product ``x[i] * y[j]`` of two vectors (a matrix).

    Built from broadcasting, ``x.dimshuffle(0, 'x') * y.dimshuffle('x', 0)``;
    inputs of other dimensions are flattened first, as in Theano.
    """
    x, y = as_tensor_variable(x), as_tensor_variable(y)
    if x.type.ndim != 1:
        x = x.flatten()
    if y.type.ndim != 1:
        y = y.flatten()
    return mul(x.dimshuffle(0, "x"), y.dimshuffle("x", 0))
