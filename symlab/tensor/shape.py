"""Shape ops: ``shape``, ``reshape``, ``flatten``, ``join``/``concatenate``, ``stack``.

``Shape``, ``MakeVector``, ``Reshape`` and ``Join`` are ops; ``transpose``,
``squeeze``, ``expand_dims``, ``shape_padleft`` and ``shape_padright`` are
``DimShuffle`` in disguise. Static shapes are inferred wherever the sizes
are known at build time: ``x.reshape((x.shape[0], -1))`` on a ``(?, 3, 4)``
tensor has static shape ``(?, 12)``, because the shape entries are read as
products of constants and dimensions of tensors (see ``_scalar_term``).
"""

import operator

import numpy as np

from symlab.graph.basic import Apply, Constant, Op, Variable
from symlab.tensor.elemwise import DimShuffle, Elemwise
from symlab.tensor.type import TensorType, dtype_kind, upcast
from symlab.tensor.variable import as_tensor_variable, constant

__all__ = ["Shape", "MakeVector", "Reshape", "Join", "shape", "reshape", "flatten",
           "transpose", "squeeze", "expand_dims", "shape_padleft", "shape_padright",
           "shape_padaxis", "concatenate", "join", "stack", "constant_fits"]


def _describe(var):
    return f"{var} of type {var.type}"


def _is_int_dtype(dtype):
    return dtype_kind(dtype) in ("int", "uint")


def constant_fits(var, dtype):
    """True if ``var`` is a constant whose values ``dtype`` holds (a float into a float always).

    Python float literals may go into any float dtype, as ``TensorType.filter``
    allows; anything else must survive the conversion exactly.
    """
    if not isinstance(var, Constant):
        return False
    data = np.asarray(var.data)
    if dtype_kind(dtype) == "float" and data.dtype.kind == "f":
        return True
    with np.errstate(all="ignore"):
        back = data.astype(dtype).astype(data.dtype)
    same = back == data
    if data.dtype.kind in "fc":
        same = same | (np.isnan(data) & np.isnan(back))
    return bool(np.all(same))


def normalize_axis(axis, ndim, what, x):
    """Return ``axis`` as a non-negative int below ``ndim``, or raise naming ``x``."""
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{what}: axis must be an int; got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}: axis {axis} is out of range for {_describe(x)} "
                         f"(a {ndim}-d result has axes {-ndim}..{ndim - 1})")
    return axis % ndim


# ------------------------------------------------------------------- shape


class Shape(Op):
    """The runtime shape of a tensor: an int64 vector of length ``ndim``."""

    __props__ = ()

    @property
    def name(self):
        return "shape"

    def make_node(self, x):
        x = as_tensor_variable(x)
        return Apply(self, [x], [TensorType("int64", (x.type.ndim,))])

    def perform(self, node, inputs):
        return [np.array(np.shape(inputs[0]), dtype=np.int64)]

    def grad(self, node, output_grads):
        """A shape does not change with the values: no gradient flows."""
        return [None]

    def connection_pattern(self, node):
        """The shape depends on ``x``'s shape only: no gradient path through it."""
        return [[False]]

    def numpy_callable(self, node):
        return lambda x: np.array(x.shape, dtype=np.int64)


_shape = Shape()


def shape(x):
    """Return the symbolic shape of ``x``: an int64 vector of static shape ``(x.ndim,)``."""
    return _shape(x)


class MakeVector(Op):
    """Gather 0-d tensors into a vector of ``dtype`` (each input must fit it losslessly)."""

    __props__ = ("dtype",)

    def __init__(self, dtype="int64"):
        self.dtype = str(np.dtype(dtype))

    @property
    def name(self):
        return "make_vector"

    def __str__(self):
        return f"make_vector{{{self.dtype}}}"

    def make_node(self, *inputs):
        inputs = [as_tensor_variable(v) for v in inputs]
        for i, v in enumerate(inputs):
            if v.type.ndim != 0:
                raise TypeError(f"{self}: input {i} ({_describe(v)}) must be a 0-d tensor "
                                "(a scalar)")
            if upcast(self.dtype, v.type.dtype) != self.dtype and not constant_fits(v, self.dtype):
                raise TypeError(f"{self}: input {i} ({_describe(v)}) cannot be stored as "
                                f"{self.dtype} without losing precision; cast it first")
        return Apply(self, inputs, [TensorType(self.dtype, (len(inputs),))])

    def perform(self, node, inputs):
        return [np.array(inputs, dtype=self.dtype).reshape(len(inputs))]

    def grad(self, node, output_grads):
        """Element i of g goes to input i (float inputs only)."""
        from symlab.tensor.elemwise import is_differentiable
        from symlab.tensor.math import cast
        (g,) = output_grads
        if g is None:
            return [None] * len(node.inputs)
        return [cast(g[i], v.type.dtype) if is_differentiable(v) else None
                for i, v in enumerate(node.inputs)]


# ----------------------------------------------------------------- reshape
#
# Static inference reads each shape entry as a "term": ``(coef, dims)``, the
# int ``coef`` times the product of runtime sizes ``dims`` (a dict mapping
# ``(tensor, axis)`` to its power), or None when nothing is known. The input's
# size is such a term too, so sizes of unknown dimensions cancel out.


def _dim_term(var, axis):
    size = var.type.shape[axis]
    return (size, {}) if size is not None else (1, {(var, axis): 1})


def _mul_terms(a, b):
    if a is None or b is None:
        return None
    dims = dict(a[1])
    for key, power in b[1].items():
        dims[key] = dims.get(key, 0) + power
    return (a[0] * b[0], dims)


def _scalar_term(var):
    """The int scalar ``var`` as a term: a constant, ``t.shape[i]``, or products of them."""
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        return (int(data), {}) if data.ndim == 0 and _is_int_dtype(data.dtype) else None
    node = var.owner
    if node is None or not _is_int_dtype(var.type.dtype):
        return None
    op = node.op
    if isinstance(op, Elemwise) and op.scalar_op.name in ("mul", "identity"):
        term = (1, {})
        for v in node.inputs:
            term = _mul_terms(term, _scalar_term(v) if v.type.ndim == 0 else None)
        return term
    from symlab.tensor.subtensor import Subtensor
    if (isinstance(op, Subtensor) and len(op.idx_spec) == 1 and isinstance(op.idx_spec[0], int)
            and node.inputs[0].owner is not None
            and isinstance(node.inputs[0].owner.op, Shape)):
        tensor = node.inputs[0].owner.inputs[0]
        return _dim_term(tensor, op.idx_spec[0] % tensor.type.ndim)
    return None


def _shape_terms(shape_var, ndim):
    """One term (or None) per entry of the int vector ``shape_var``."""
    if isinstance(shape_var, Constant):
        return [(int(v), {}) for v in np.asarray(shape_var.data).reshape(-1)]
    node = shape_var.owner
    if node is not None and isinstance(node.op, MakeVector):
        return [_scalar_term(v) for v in node.inputs]
    if node is not None and isinstance(node.op, Shape):
        tensor = node.inputs[0]
        return [_dim_term(tensor, axis) for axis in range(tensor.type.ndim)]
    return [None] * ndim


def _cancel(numerator, denominator):
    """``numerator / denominator`` as two ints when every dimension cancels, else None."""
    if numerator is None or denominator is None:
        return None
    dims = dict(numerator[1])
    for key, power in denominator[1].items():
        dims[key] = dims.get(key, 0) - power
    if any(dims.values()):
        return None
    return numerator[0], denominator[0]


def _reshape_static_shape(x, terms):
    """The static output shape of reshaping ``x`` to ``terms``; raises if impossible."""
    entries = [t[0] if t is not None and not t[1] else None for t in terms]
    requested = "(" + ", ".join("?" if e is None else str(e) for e in entries) + ")"
    negative = [i for i, e in enumerate(entries) if e is not None and e < 0]
    if any(entries[i] != -1 for i in negative) or len(negative) > 1:
        raise ValueError(f"reshape: invalid shape {requested} for {_describe(x)}: sizes must be "
                         "non-negative, except a single -1 (the size to infer)")
    out = [None if e is not None and e < 0 else e for e in entries]
    total = (1, {})
    for axis in range(x.type.ndim):
        total = _mul_terms(total, _dim_term(x, axis))
    rest = (1, {})
    for i, term in enumerate(terms):
        if i not in negative:
            rest = _mul_terms(rest, term)
    ratio = _cancel(total, rest)
    if ratio is None:
        return tuple(out)
    size, rest_size = ratio
    if negative:
        if rest_size == 0:
            return tuple(out)
        if size % rest_size == 0:
            out[negative[0]] = size // rest_size
            return tuple(out)
    elif size == rest_size:
        return tuple(out)
    asked = f"a multiple of {rest_size}" if negative else str(rest_size)
    raise ValueError(f"reshape: cannot reshape {_describe(x)} (static shape "
                     f"{x.type.shape_str()}) into shape {requested}: the number of elements "
                     f"differs ({size} given, {asked} asked for)")


class Reshape(Op):
    """Reshape input 0 to the int vector input 1 of length ``ndim``; a view where NumPy can."""

    __props__ = ("ndim",)
    view_of_input = True

    def __init__(self, ndim):
        self.ndim = operator.index(ndim)
        if self.ndim < 0:
            raise ValueError(f"Reshape: ndim must be non-negative; got {ndim}")

    @property
    def name(self):
        return "reshape"

    def __str__(self):
        return f"reshape{{{self.ndim}}}"

    def make_node(self, x, shape):
        x = as_tensor_variable(x)
        if not isinstance(shape, Variable):
            shape = _as_shape_vector(shape)
        shape = as_tensor_variable(shape)
        if shape.type.ndim != 1 or not _is_int_dtype(shape.type.dtype):
            raise TypeError(f"{self}: the shape {_describe(shape)} must be an integer vector")
        if shape.type.shape[0] not in (None, self.ndim):
            raise ValueError(f"{self}: the shape {_describe(shape)} has {shape.type.shape[0]} "
                             f"entries, expected {self.ndim}")
        static = _reshape_static_shape(x, _shape_terms(shape, self.ndim))
        return Apply(self, [x, shape], [TensorType(x.type.dtype, static)])

    def grad(self, node, output_grads):
        """g reshaped back to the input's shape; the shape input gets none."""
        from symlab.tensor.elemwise import is_differentiable
        (g,) = output_grads
        x = node.inputs[0]
        if g is None or not is_differentiable(x):
            return [None, None]
        return [reshape(g, shape(x), ndim=x.type.ndim), None]

    def perform(self, node, inputs):
        x, shape = inputs
        shape = tuple(int(s) for s in shape)
        if len(shape) != self.ndim:
            raise ValueError(f"{self}: the shape {node.inputs[1]} has {len(shape)} entries at "
                             f"run time, expected {self.ndim}")
        try:
            return [np.reshape(x, shape)]
        except ValueError as exc:
            raise ValueError(f"{self}: cannot reshape {node.inputs[0]} (runtime shape "
                             f"{np.shape(x)}) into {shape}: {exc}") from None


def _as_shape_vector(entries):
    """A list of ints and symbolic int scalars as an int64 vector (constant if all ints)."""
    from symlab.tensor.math import cast
    values = []
    for i, entry in enumerate(entries):
        if isinstance(entry, Variable):
            var = as_tensor_variable(entry)
            if var.type.ndim != 0 or not _is_int_dtype(var.type.dtype):
                raise TypeError(f"reshape: shape entry {i} ({_describe(var)}) must be an "
                                "integer scalar")
            if isinstance(var, Constant):
                values.append(int(var.data))
            else:
                values.append(cast(var, "int64"))
        else:
            try:
                values.append(operator.index(entry))
            except TypeError:
                raise TypeError(f"reshape: shape entry {i} is {entry!r}; expected an int or a "
                                "symbolic integer scalar") from None
    if all(isinstance(v, int) for v in values):
        return constant(np.array(values, dtype="int64").reshape(len(values)))
    return MakeVector("int64")(*[v if isinstance(v, Variable) else
                                 constant(np.int64(v)) for v in values])


def reshape(x, shape, ndim=None):
    """Return ``x`` reshaped to ``shape``; a view of ``x`` where NumPy can make one.

    ``shape`` is a tuple or list of ints and symbolic int scalars (one entry
    may be -1, inferred from the size), or a symbolic int vector (give
    ``ndim`` when its length is not static). Build-time error when the known
    sizes cannot match.
    """
    x = as_tensor_variable(x)
    if isinstance(shape, (int, np.integer)) or (isinstance(shape, Variable)
                                                and shape.type.ndim == 0):
        shape = (shape,)
    if isinstance(shape, (list, tuple)):
        if ndim is not None and ndim != len(shape):
            raise ValueError(f"reshape: ndim={ndim} but the shape {shape!r} has {len(shape)} "
                             "entries")
        return Reshape(len(shape))(x, _as_shape_vector(shape))
    shape = as_tensor_variable(shape)
    if shape.type.ndim != 1:
        raise TypeError(f"reshape: the shape {_describe(shape)} must be an integer vector")
    if ndim is None:
        ndim = shape.type.shape[0]
        if ndim is None:
            raise ValueError(f"reshape: the length of the shape {_describe(shape)} is not "
                             "known statically; pass ndim=")
    return Reshape(ndim)(x, shape)


def flatten(x, ndim=1):
    """Return ``x`` with its trailing dimensions collapsed so ``ndim`` dimensions remain.

    Theano's ``flatten(x, outdim)``: keeps the first ``ndim - 1`` dimensions.
    """
    from symlab.tensor.math import mul
    x = as_tensor_variable(x)
    if not 1 <= ndim <= max(x.type.ndim, 1):
        raise ValueError(f"flatten: ndim must be between 1 and {max(x.type.ndim, 1)} for "
                         f"{_describe(x)}; got {ndim}")
    sizes = shape(x)
    static = x.type.shape
    entries = [static[i] if static[i] is not None else sizes[i] for i in range(ndim - 1)]
    known, unknown = 1, None
    for axis in range(ndim - 1, x.type.ndim):
        if static[axis] is not None:
            known *= static[axis]
        else:
            unknown = sizes[axis] if unknown is None else mul(unknown, sizes[axis])
    if unknown is None:
        entries.append(known)
    else:
        entries.append(unknown if known == 1 else mul(unknown, known))
    return reshape(x, entries)


# ------------------------------------------------------- DimShuffle helpers


def transpose(x, axes=None):
    """Return ``x`` with its axes permuted (reversed when ``axes`` is None); a view."""
    x = as_tensor_variable(x)
    ndim = x.type.ndim
    if axes is None:
        axes = tuple(reversed(range(ndim)))
    axes = [normalize_axis(a, ndim, "transpose", x) for a in axes]
    if sorted(axes) != list(range(ndim)):
        raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of the {ndim} "
                         f"axes of {_describe(x)}")
    return DimShuffle(axes)(x)


def squeeze(x, axis=None):
    """Return ``x`` without its dimensions of static size 1 (or only those in ``axis``)."""
    x = as_tensor_variable(x)
    static = x.type.shape
    if axis is None:
        drop = {i for i, s in enumerate(static) if s == 1}
    else:
        axes = axis if isinstance(axis, (list, tuple)) else (axis,)
        drop = {normalize_axis(a, x.type.ndim, "squeeze", x) for a in axes}
        for a in sorted(drop):
            if static[a] != 1:
                raise ValueError(
                    f"squeeze: axis {a} of {_describe(x)} has static size "
                    f"{'?' if static[a] is None else static[a]}; only axes whose static size "
                    "is 1 can be squeezed. If it is 1 at run time, declare it broadcastable "
                    "(T.row, T.col, or TensorType(..., shape=) with a 1 there), or index it "
                    "(x[:, 0]) or reshape it")
    if not drop:
        return x
    return DimShuffle([i for i in range(x.type.ndim) if i not in drop])(x)


def expand_dims(x, axis):
    """Return ``x`` with a new broadcastable dimension at ``axis`` (an int or a tuple)."""
    x = as_tensor_variable(x)
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    out_ndim = x.type.ndim + len(axes)
    new = {normalize_axis(a, out_ndim, "expand_dims", x) for a in axes}
    if len(new) != len(axes):
        raise ValueError(f"expand_dims: repeated axis in {tuple(axes)!r}")
    old = iter(range(x.type.ndim))
    return DimShuffle(["x" if i in new else next(old) for i in range(out_ndim)])(x)


def shape_padleft(x, n=1):
    """Return ``x`` with ``n`` broadcastable dimensions added on the left."""
    x = as_tensor_variable(x)
    return DimShuffle(["x"] * n + list(range(x.type.ndim)))(x)


def shape_padright(x, n=1):
    """Return ``x`` with ``n`` broadcastable dimensions added on the right."""
    x = as_tensor_variable(x)
    return DimShuffle(list(range(x.type.ndim)) + ["x"] * n)(x)


def shape_padaxis(x, axis):
    """Theano's name for ``expand_dims(x, axis)``."""
    return expand_dims(x, axis)


# -------------------------------------------------------------------- join


class Join(Op):
    """Concatenate the inputs along ``axis`` (non-negative); the dtype is their upcast."""

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = operator.index(axis)

    @property
    def name(self):
        return "join"

    def __str__(self):
        return f"join{{axis={self.axis}}}"

    def make_node(self, *tensors):
        if not tensors:
            raise TypeError(f"{self} needs at least one input")
        tensors = [as_tensor_variable(t) for t in tensors]
        first = tensors[0]
        ndim = first.type.ndim
        for i, t in enumerate(tensors):
            if t.type.ndim != ndim:
                raise ValueError(f"{self}: all inputs must have the same number of dimensions; "
                                 f"input 0 is {_describe(first)}, input {i} is {_describe(t)}")
        if ndim == 0:
            raise ValueError(f"{self}: cannot join 0-d tensors (input 0 is {_describe(first)}); "
                             "use stack")
        if not 0 <= self.axis < ndim:
            raise ValueError(f"{self}: axis {self.axis} is out of range for {ndim}-d inputs")
        out_shape = []
        for axis in range(ndim):
            sizes = [t.type.shape[axis] for t in tensors]
            if axis == self.axis:
                out_shape.append(None if None in sizes else sum(sizes))
                continue
            known = {s for s in sizes if s is not None}
            if len(known) > 1:
                detail = ", ".join(f"input {i} ({t}) has shape {t.type.shape_str()}"
                                   for i, t in enumerate(tensors))
                raise ValueError(f"{self}: the inputs must have the same size in every dimension "
                                 f"but the join axis; dimension {axis} differs: {detail}")
            out_shape.append(known.pop() if known else None)
        dtype = upcast(*[t.type.dtype for t in tensors])
        return Apply(self, tensors, [TensorType(dtype, tuple(out_shape))])

    def grad(self, node, output_grads):
        """Each input gets its own slice of g along the join axis."""
        from symlab.tensor.elemwise import is_differentiable
        from symlab.tensor.math import add, cast
        (g,) = output_grads
        if g is None:
            return [None] * len(node.inputs)
        grads, start = [], 0
        for var in node.inputs:
            stop = add(start, shape(var)[self.axis]) if not isinstance(start, int) or \
                var.type.shape[self.axis] is None else start + var.type.shape[self.axis]
            index = (slice(None),) * self.axis + (slice(start, stop),)
            grads.append(cast(g[index], var.type.dtype) if is_differentiable(var) else None)
            start = stop
        return grads

    def perform(self, node, inputs):
        dtype = node.outputs[0].type.dtype
        try:
            return [np.concatenate(inputs, axis=self.axis, dtype=dtype)]
        except ValueError as exc:
            names = ", ".join(f"{v} {np.shape(value)}" for v, value in zip(node.inputs, inputs))
            raise ValueError(f"{self}: cannot join {names}: {exc}") from None


def concatenate(tensors, axis=0):
    """Return the tensors joined along ``axis`` (``numpy.concatenate``; None flattens first)."""
    tensors = [as_tensor_variable(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: need at least one tensor")
    if axis is None:
        tensors = [flatten(t) for t in tensors]
        axis = 0
    ndim = tensors[0].type.ndim
    if ndim == 0:
        raise ValueError(f"concatenate: cannot join 0-d tensors ({_describe(tensors[0])}); "
                         "use stack")
    axis = normalize_axis(axis, ndim, "concatenate", tensors[0])
    if len(tensors) == 1:
        return tensors[0]
    return Join(axis)(*tensors)


def join(axis, *tensors):
    """Theano's ``join(axis, *tensors)``: ``concatenate(tensors, axis)`` (axis a Python int)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if isinstance(axis, Constant):
        axis = int(axis.data)
    if isinstance(axis, Variable):
        raise TypeError(f"join: the axis must be a Python int, not the symbolic {axis}")
    return concatenate(tensors, axis)


def stack(tensors, *more, axis=0):
    """Return the tensors stacked along a new ``axis``; 0-d inputs make a vector.

    ``stack([a, b], axis=0)``; Theano's older ``stack(a, b, c)`` works too.
    The dtype is the upcast of the inputs' dtypes (Python numbers autocast).
    """
    if isinstance(tensors, (list, tuple)):
        if len(more) == 1 and axis == 0:
            axis = more[0]
        elif more:
            raise TypeError("stack(tensors, axis=0): give the tensors as one list")
        items = list(tensors)
    else:
        items = [tensors, *more]
    if not items:
        raise ValueError("stack: need at least one tensor")
    items = [as_tensor_variable(t) for t in items]
    ndim = items[0].type.ndim
    for i, t in enumerate(items):
        if t.type.ndim != ndim:
            raise ValueError(f"stack: all inputs must have the same number of dimensions; "
                             f"input 0 is {_describe(items[0])}, input {i} is {_describe(t)}")
    axis = normalize_axis(axis, ndim + 1, "stack", items[0])
    if ndim == 0:
        return MakeVector(upcast(*[t.type.dtype for t in items]))(*items)
    return Join(axis)(*[expand_dims(t, axis) for t in items])
