"""NumPy indexing of symbolic tensors: ``Subtensor``, ``AdvancedSubtensor``, ``IncSubtensor``.

``x[index]`` is recorded as a hashable ``idx_spec`` (Theano's ``idx_list``),
one entry per item of the index once the Ellipsis is expanded into full slices:

==========================  ==================================================
``3``, ``-1``               a constant integer index
``None``                    ``numpy.newaxis``
``(start, stop, step)``     a slice; each bound an int, None or a ``Sym``
``Sym(dtype, ndim)``        a symbolic part, taken from the op's extra inputs
                            in order: an integer scalar (``ndim`` 0), or for
                            advanced indexing an integer or boolean array
==========================  ==================================================

Basic indexing (ints, slices, None) is a view (``Subtensor``). An index with
an integer or boolean array is advanced (``AdvancedSubtensor``); its output
layout follows NumPy's rules. ``set_subtensor``/``inc_subtensor`` return a
new tensor with the indexed region replaced or incremented.
"""

import operator
from dataclasses import dataclass

import numpy as np

from symlab.graph.basic import Apply, Constant, Op, Variable
from symlab.tensor.shape import constant_fits
from symlab.tensor.type import TensorType, dtype_kind, upcast
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["Sym", "Subtensor", "AdvancedSubtensor", "IncSubtensor", "getitem",
           "set_subtensor", "inc_subtensor"]


def _describe(var):
    return f"{var} of type {var.type}"


@dataclass(frozen=True)
class Sym:
    """The place of a symbolic input in an ``idx_spec``: its dtype and ndim."""

    dtype: str
    ndim: int = 0

    @property
    def is_array(self):
        """True for an advanced index (an array, or a boolean scalar)."""
        return self.ndim > 0 or self.dtype == "bool"

    def __str__(self):
        if self.ndim == 0:
            return self.dtype
        return f"{self.dtype}[{','.join(':' * self.ndim)}]"


def normalize_spec(idx_spec):
    """``idx_spec`` as a hashable tuple: ``slice`` objects become ``(start, stop, step)``."""
    return tuple((e.start, e.stop, e.step) if isinstance(e, slice) else e for e in idx_spec)


def _is_advanced(spec):
    return any(isinstance(e, Sym) and e.is_array for e in spec)


def format_spec(spec):
    """The index as text, NumPy-like: ``1:3, 0``, ``int64:, None``, ``int64[:], ::2``."""
    def bound(b):
        return "" if b is None else str(b)

    parts = []
    for e in spec:
        if isinstance(e, tuple):
            text = f"{bound(e[0])}:{bound(e[1])}"
            parts.append(text if e[2] is None else f"{text}:{e[2]}")
        else:
            parts.append(str(e))
    return ", ".join(parts)


# -------------------------------------------------------------- parsing


def _index_scalar(item, what, x):
    """A constant int, or a symbolic int scalar, from one index item or slice bound."""
    if isinstance(item, Variable):
        var = as_tensor_variable(item)
        if var.type.ndim != 0 or dtype_kind(var.type.dtype) not in ("int", "uint"):
            raise TypeError(f"cannot index {_describe(x)} with {what} {_describe(var)}: expected "
                            "an integer scalar")
        return int(var.data) if isinstance(var, Constant) else var
    try:
        return operator.index(item)
    except TypeError:
        raise TypeError(f"cannot index {_describe(x)} with {what} {item!r}: expected an int, a "
                        "symbolic integer scalar or None") from None


def _index_array(item, x):
    """An index array (int or bool tensor) from a list, array or tensor variable."""
    if isinstance(item, (list, tuple)) and len(item) == 0:
        return constant(np.zeros(0, dtype="int64"))
    var = as_tensor_variable(item)
    if dtype_kind(var.type.dtype) not in ("int", "uint", "bool"):
        raise TypeError(f"cannot index {_describe(x)} with {_describe(var)}: index arrays must "
                        "have an integer or boolean dtype")
    return var


def _classify(item, x):
    """('newaxis'|'ellipsis'|'int'|'slice'|'array', value) for one item of an index."""
    if item is None:
        return "newaxis", None
    if item is Ellipsis:
        return "ellipsis", None
    if isinstance(item, slice):
        return "slice", item
    if isinstance(item, (bool, np.bool_)):
        return "array", constant(np.asarray(item, dtype="bool"))
    if isinstance(item, (int, np.integer)):
        return "int", int(item)
    if isinstance(item, (Variable, np.ndarray)):
        var = as_tensor_variable(item)
        if var.type.ndim == 0 and var.type.dtype != "bool":
            return "int", _index_scalar(var, "index", x)
        return "array", _index_array(var, x)
    if isinstance(item, (list, tuple)):
        return "array", _index_array(item, x)
    raise TypeError(f"cannot index {_describe(x)} with {item!r}: only ints, slices, None, "
                    "Ellipsis, integer or boolean arrays and symbolic integers are valid indices")


def _parse_index(x, index):
    """Return ``(idx_spec, inputs)`` for ``x[index]``."""
    items = index if isinstance(index, tuple) else (index,)
    parsed = [_classify(item, x) for item in items]
    if sum(kind == "ellipsis" for kind, _ in parsed) > 1:
        raise IndexError(f"cannot index {_describe(x)}: an index can have only one Ellipsis")
    used = sum(value.type.ndim if kind == "array" and value.type.dtype == "bool" else 1
               for kind, value in parsed if kind in ("int", "slice", "array"))
    if used > x.type.ndim:
        raise IndexError(f"too many indices for {_describe(x)}: it is {x.type.ndim}-d, but the "
                         f"index {format_index(index)} uses {used} dimensions")
    spec, inputs = [], []

    def symbolic(var):
        inputs.append(var)
        return Sym(var.type.dtype, var.type.ndim)

    for kind, value in parsed:
        if kind == "ellipsis":
            spec.extend([(None, None, None)] * (x.type.ndim - used))
        elif kind == "newaxis":
            spec.append(None)
        elif kind == "int":
            spec.append(value if isinstance(value, int) else symbolic(value))
        elif kind == "array":
            spec.append(symbolic(value))
        else:
            bounds = []
            for name in ("start", "stop", "step"):
                b = getattr(value, name)
                b = None if b is None else _index_scalar(b, f"slice {name}", x)
                bounds.append(b if b is None or isinstance(b, int) else symbolic(b))
            if bounds[2] == 0:
                raise ValueError(f"cannot index {_describe(x)}: slice step cannot be zero")
            spec.append(tuple(bounds))
    return tuple(spec), inputs


def format_index(index):
    """A user's index as NumPy-like text, for error messages."""
    items = index if isinstance(index, tuple) else (index,)

    def text(item):
        if isinstance(item, slice):
            span = ":".join("" if b is None else str(b) for b in (item.start, item.stop))
            return span if item.step is None else f"{span}:{item.step}"
        return "..." if item is Ellipsis else str(item)

    return "[" + ", ".join(text(i) for i in items) + "]"


# ------------------------------------------------------ static output type


def _slice_size(n, bounds):
    if all(not isinstance(b, Sym) for b in bounds):
        if n is not None:
            return len(range(*slice(*bounds).indices(n)))
        if bounds[0] is None and bounds[1] is None and bounds[2] in (None, 1, -1):
            return n
    return None


def _broadcast_index_shapes(op, shapes, x):
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(ndim):
        sizes = [s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0]
        known = {s for s in sizes if s is not None and s != 1}
        if len(known) > 1:
            raise IndexError(f"{op} on {_describe(x)}: the index arrays cannot be broadcast "
                             f"together (static shapes {', '.join(map(str, shapes))})")
        out.append(known.pop() if known else (None if None in sizes else 1))
    return tuple(out)


def _check_int_array(op, x, axis, var):
    n = x.type.shape[axis]
    if isinstance(var, Constant) and n is not None and np.size(var.data):
        data = np.asarray(var.data)
        if data.min() < -n or data.max() >= n:
            raise IndexError(f"{op}: index {data.min() if data.min() < -n else data.max()} is "
                             f"out of bounds for axis {axis} of {_describe(x)} (size {n})")


def _check_mask(op, x, axis, var):
    for k, size in enumerate(var.type.shape):
        n = x.type.shape[axis + k]
        if size is not None and n is not None and size != n:
            raise IndexError(f"{op}: the boolean index {_describe(var)} does not match "
                             f"{_describe(x)}: its dimension {k} has size {size}, dimension "
                             f"{axis + k} of the tensor has size {n}")


def indexed_type(op, x, spec, inputs):
    """The TensorType of ``x[spec]`` by NumPy's rules; checks constant indices on known sizes."""
    static = x.type.shape
    advanced = _is_advanced(spec)
    inputs = iter(inputs)
    basic = []        # (position in spec, static size) of each output dim from basic items
    adv_shapes, adv_positions = [], []
    axis = 0
    for position, e in enumerate(spec):
        if e is None:
            basic.append((position, 1))
            continue
        if isinstance(e, tuple):
            for b in e:
                if isinstance(b, Sym):
                    next(inputs)
            basic.append((position, _slice_size(static[axis], e)))
            axis += 1
            continue
        var = next(inputs) if isinstance(e, Sym) else None
        if isinstance(e, int):
            n = static[axis]
            if n is not None and not -n <= e < n:
                raise IndexError(f"{op}: index {e} is out of bounds for axis {axis} of "
                                 f"{_describe(x)} (size {n})")
        if var is not None and var.type.dtype == "bool":
            _check_mask(op, x, axis, var)
            count = int(np.count_nonzero(var.data)) if isinstance(var, Constant) else None
            adv_shapes.append((count,))
            adv_positions.append(position)
            axis += var.type.ndim
            continue
        if var is not None and var.type.ndim > 0:
            _check_int_array(op, x, axis, var)
        if advanced:
            adv_shapes.append(var.type.shape if var is not None else ())
            adv_positions.append(position)
        axis += 1
    basic.extend((len(spec), static[a]) for a in range(axis, x.type.ndim))
    if not advanced:
        return TensorType(x.type.dtype, tuple(size for _, size in basic))
    block = _broadcast_index_shapes(op, adv_shapes, x)
    first, last = adv_positions[0], adv_positions[-1]
    if adv_positions == list(range(first, last + 1)):
        shape = ([s for p, s in basic if p < first] + list(block)
                 + [s for p, s in basic if p > last])
    else:
        shape = list(block) + [s for _, s in basic]
    return TensorType(x.type.dtype, tuple(shape))


# ----------------------------------------------------------------- runtime


def build_index(spec, values):
    """The NumPy index tuple for ``spec`` given the values of its symbolic inputs."""
    values = iter(values)
    index = []
    for e in spec:
        if isinstance(e, Sym):
            v = next(values)
            index.append(v if e.is_array else int(v))
        elif isinstance(e, tuple):
            index.append(slice(*[int(next(values)) if isinstance(b, Sym) else b for b in e]))
        else:
            index.append(e)
    return tuple(index)


def _check_index_inputs(op, spec, inputs):
    expected = [e for item in spec
                for e in (item if isinstance(item, tuple) else (item,)) if isinstance(e, Sym)]
    if len(expected) != len(inputs):
        raise TypeError(f"{op} takes {len(expected)} index inputs; got {len(inputs)}")
    for i, (sym, var) in enumerate(zip(expected, inputs)):
        if var.type.dtype != sym.dtype or var.type.ndim != sym.ndim:
            raise TypeError(f"{op}: index input {i} ({_describe(var)}) does not match the index "
                            f"spec, which expects a {sym.ndim}-d {sym.dtype} tensor")


class _IndexingOp(Op):
    """What Subtensor and AdvancedSubtensor share: the spec, the printed form, the node."""

    __props__ = ("idx_spec",)

    def __init__(self, idx_spec):
        self.idx_spec = normalize_spec(idx_spec)

    def __str__(self):
        return f"{self.name}{{{format_spec(self.idx_spec)}}}"

    def _make(self, x, index_inputs):
        x = as_tensor_variable(x)
        index_inputs = [as_tensor_variable(v) for v in index_inputs]
        _check_index_inputs(self, self.idx_spec, index_inputs)
        out_type = indexed_type(str(self), x, self.idx_spec, index_inputs)
        return Apply(self, [x, *index_inputs], [out_type])


def _grad_of_indexing(op, node, output_grads, advanced):
    """x[idx] spreads g back into zeros shaped like x (repeated indices accumulate)."""
    from symlab.tensor.creation import zeros_like
    from symlab.tensor.elemwise import is_differentiable
    (g,) = output_grads
    x, *index_inputs = node.inputs
    if g is None or not is_differentiable(x):
        return [None] * len(node.inputs)
    spread = IncSubtensor(op.idx_spec, advanced=advanced)(zeros_like(x), g, *index_inputs)
    return [spread] + [None] * len(index_inputs)


class Subtensor(_IndexingOp):
    """Basic indexing ``x[idx_spec]`` (ints, slices, None): a view of ``x``."""

    view_of_input = True

    @property
    def name(self):
        return "subtensor"

    def make_node(self, x, *index_inputs):
        if _is_advanced(self.idx_spec):
            raise TypeError(f"{self}: the index holds arrays; use AdvancedSubtensor")
        return self._make(x, index_inputs)

    def grad(self, node, output_grads):
        """g placed into zeros shaped like x (inc_subtensor)."""
        return _grad_of_indexing(self, node, output_grads, advanced=False)

    def perform(self, node, inputs):
        x, *values = inputs
        try:
            # The trailing Ellipsis makes NumPy return a 0-d array, not a scalar.
            return [x[build_index(self.idx_spec, values) + (Ellipsis,)]]
        except IndexError as exc:
            raise IndexError(f"{self} of {node.inputs[0]} (runtime shape {np.shape(x)}): "
                             f"{exc}") from None

    def numpy_callable(self, node):
        spec = self.idx_spec
        if len(node.inputs) == 1:
            index = build_index(spec, ()) + (Ellipsis,)
            return lambda x: x[index]
        return lambda x, *values: x[build_index(spec, values) + (Ellipsis,)]


class AdvancedSubtensor(_IndexingOp):
    """Indexing with integer or boolean arrays (NumPy's advanced indexing): a copy."""

    @property
    def name(self):
        return "advanced_subtensor"

    def make_node(self, x, *index_inputs):
        return self._make(x, index_inputs)

    def grad(self, node, output_grads):
        """g added into zeros shaped like x; repeated indices accumulate."""
        return _grad_of_indexing(self, node, output_grads, advanced=True)

    def perform(self, node, inputs):
        x, *values = inputs
        try:
            return [np.asarray(x[build_index(self.idx_spec, values)])]
        except IndexError as exc:
            raise IndexError(f"{self} of {node.inputs[0]} (runtime shape {np.shape(x)}): "
                             f"{exc}") from None


def getitem(x, index):
    """Return ``x[index]`` with NumPy's indexing semantics.

    Basic indices (ints, slices, None, Ellipsis, symbolic int scalars) give a
    ``Subtensor`` view; integer or boolean arrays (lists, ndarrays, tensors)
    give an ``AdvancedSubtensor``. Constant indices out of range of a static
    size raise IndexError here, at build time.
    """
    x = as_tensor_variable(x)
    spec, inputs = _parse_index(x, index)
    op = AdvancedSubtensor(spec) if _is_advanced(spec) else Subtensor(spec)
    return op(x, *inputs)


# ------------------------------------------------------- set and increment


class IncSubtensor(Op):
    """``x`` with ``x[idx_spec]`` set to (or incremented by) ``y``; inputs ``x, y, *index``.

    ``y`` is broadcast to the indexed region and cast to ``x``'s dtype. With
    ``advanced`` indices, increments at repeated indices accumulate
    (``numpy.add.at``). The result is a new array: the inputs are not changed.
    """

    __props__ = ("idx_spec", "set_instead_of_inc", "advanced")

    def __init__(self, idx_spec, set_instead_of_inc=False, advanced=False):
        self.idx_spec = normalize_spec(idx_spec)
        self.set_instead_of_inc = bool(set_instead_of_inc)
        self.advanced = bool(advanced)

    @property
    def name(self):
        return "set_subtensor" if self.set_instead_of_inc else "inc_subtensor"

    def __str__(self):
        return f"{self.name}{{{format_spec(self.idx_spec)}}}"

    def make_node(self, x, y, *index_inputs):
        x = as_tensor_variable(x)
        y = as_tensor_variable(y)
        index_inputs = [as_tensor_variable(v) for v in index_inputs]
        if _is_advanced(self.idx_spec) and not self.advanced:
            raise TypeError(f"{self}: the index holds arrays; pass advanced=True")
        _check_index_inputs(self, self.idx_spec, index_inputs)
        region = indexed_type(str(self), x, self.idx_spec, index_inputs)
        if upcast(x.type.dtype, y.type.dtype) != x.type.dtype and not constant_fits(
                y, x.type.dtype):
            raise TypeError(f"{self}: the value {_describe(y)} would be downcast to the dtype of "
                            f"{_describe(x)}; cast it explicitly (y.astype('{x.type.dtype}'))")
        if y.type.ndim > region.ndim:
            raise ValueError(f"{self}: the value {_describe(y)} has more dimensions than the "
                             f"indexed region of {x}, whose static shape is {region.shape_str()}")
        for ys, rs in zip(reversed(y.type.shape), reversed(region.shape)):
            if ys is not None and ys != 1 and rs is not None and ys != rs:
                raise ValueError(f"{self}: the value {_describe(y)} cannot be broadcast to the "
                                 f"indexed region of {x}, whose static shape is "
                                 f"{region.shape_str()}")
        return Apply(self, [x, y, *index_inputs], [x.type])

    def perform(self, node, inputs):
        x, y, *values = inputs
        out = np.array(x, copy=True)
        y = np.asarray(y)
        if y.dtype != out.dtype:
            y = y.astype(out.dtype)
        index = build_index(self.idx_spec, values)
        if not self.advanced:
            index += (Ellipsis,)
        try:
            self._check_broadcast(node, out, index, y)
            if self.set_instead_of_inc:
                out[index] = y
            elif self.advanced:
                np.add.at(out, index, y)
            else:
                out[index] += y
        except IndexError as exc:
            raise IndexError(f"{self} of {node.inputs[0]} (runtime shape {np.shape(x)}): "
                             f"{exc}") from None
        return [out]

    def grad(self, node, output_grads):
        """x gets g (with the region zeroed for a set); y gets g's region, summed to y's shape."""
        from symlab.tensor.creation import zeros_like
        from symlab.tensor.elemwise import is_differentiable, unbroadcast
        (g,) = output_grads
        x, y, *index_inputs = node.inputs
        if g is None:
            return [None] * len(node.inputs)
        reader = AdvancedSubtensor if self.advanced else Subtensor
        region = reader(self.idx_spec)(g, *index_inputs)
        gx = None
        if is_differentiable(x):
            gx = g
            if self.set_instead_of_inc:
                gx = IncSubtensor(self.idx_spec, set_instead_of_inc=True,
                                  advanced=self.advanced)(g, zeros_like(region), *index_inputs)
        gy = unbroadcast(region, y) if is_differentiable(y) else None
        return [gx, gy] + [None] * len(index_inputs)

    def _check_broadcast(self, node, out, index, y):
        """Size-1 dims of ``y`` may stretch only where its type says so (static size 1)."""
        static = node.inputs[1].type.shape
        if not any(size == 1 and s != 1 for size, s in zip(y.shape, static)):
            return
        region = np.broadcast_to(np.zeros((), dtype=np.int8), out.shape)[index].shape
        offset = len(region) - y.ndim
        for axis, (size, s) in enumerate(zip(y.shape, static)):
            if size == 1 and s != 1 and region[axis + offset] != 1:
                raise ValueError(
                    f"{self}: the value {_describe(node.inputs[1])} has runtime shape {y.shape}; "
                    f"its dimension {axis} (size 1) would have to broadcast against size "
                    f"{region[axis + offset]} of the indexed region, but its type does not allow "
                    "broadcasting there. Declare it broadcastable (static size 1 in that "
                    "dimension, e.g. T.row or T.col)")


def _indexed_parts(var, caller):
    """``(x, idx_spec, index_inputs, advanced)`` of the indexed variable ``var``."""
    owner = getattr(var, "owner", None)
    if owner is None or not isinstance(owner.op, (Subtensor, AdvancedSubtensor)):
        what = ("a graph input or constant" if owner is None
                else f"the output of {owner.op}")
        raise TypeError(f"{caller}: the first argument must be an indexed tensor such as x[1:3] "
                        "(the output of subtensor or advanced_subtensor), so that the result "
                        f"is x with that region changed; got {var}, which is {what}")
    return (owner.inputs[0], owner.op.idx_spec, owner.inputs[1:],
            isinstance(owner.op, AdvancedSubtensor))


def set_subtensor(x, y, inplace=False, tolerate_inplace_aliasing=False):
    """Theano's ``set_subtensor(x[idx], y)``: a new tensor equal to ``x`` with ``x[idx] = y``.

    The first argument is the indexed variable; ``x`` and the index are read
    from its node. Returns a new tensor of ``x``'s type.
    """
    return inc_subtensor(x, y, inplace, set_instead_of_inc=True,
                         tolerate_inplace_aliasing=tolerate_inplace_aliasing,
                         _caller="set_subtensor")


def inc_subtensor(x, y, inplace=False, set_instead_of_inc=False,
                  tolerate_inplace_aliasing=False, _caller="inc_subtensor"):
    """Theano's ``inc_subtensor(x[idx], y)``: a new tensor equal to ``x`` with ``x[idx] += y``.

    Repeated advanced indices accumulate, as ``numpy.add.at``. Returns a new
    tensor of ``x``'s type; ``x`` itself is never modified.
    """
    if inplace:
        raise ValueError(f"{_caller}: inplace=True is not supported; symlab's rewrites decide "
                         "what runs in place")
    base, spec, index_inputs, advanced = _indexed_parts(x, _caller)
    op = IncSubtensor(spec, set_instead_of_inc=set_instead_of_inc, advanced=advanced)
    return op(base, y, *index_inputs)
