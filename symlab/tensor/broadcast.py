"""Static-shape assertions: ``patternbroadcast``, ``addbroadcast``, ``unbroadcast``,
``specify_shape``.

symlab's broadcast pattern is its static shape (broadcastable = static size 1),
so all four are one op, ``SpecifyShape``: it returns its input unchanged with a
new static shape, and checks at run time every size the new type states (a
dimension made broadcastable must really have size 1). ``specify_shape`` may
also take symbolic sizes, given as a second input and checked when run.
"""

import operator

import numpy as np

from symlab.graph.basic import Apply, Constant, Op
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["SpecifyShape", "patternbroadcast", "addbroadcast", "unbroadcast",
           "specify_shape"]


class SpecifyShape(Op):
    """Return ``x`` itself, typed with the static ``shape`` (ints or None per dimension).

    ``caller`` names the function that built the node in run-time errors. An
    optional second input, an int vector of length ``ndim``, gives sizes known
    only when run; each is checked too.
    """

    __props__ = ("shape", "caller")
    view_of_input = True

    def __init__(self, shape, caller="specify_shape"):
        self.shape = tuple(None if s is None else int(s) for s in shape)
        self.caller = caller

    @property
    def name(self):
        return self.caller

    def __str__(self):
        return f"{self.caller}{{{self.shape}}}"

    def make_node(self, x, *sizes):
        x = as_tensor_variable(x)
        if x.type.ndim != len(self.shape):
            raise TypeError(f"{self.caller}: {x} of type {x.type} has {x.type.ndim} "
                            f"dimensions; the shape {self.shape} has {len(self.shape)}")
        for axis, (old, new) in enumerate(zip(x.type.shape, self.shape)):
            if old is not None and new is not None and old != new:
                raise ValueError(f"{self.caller}: {x} of type {x.type} has static size {old} "
                                 f"in dimension {axis}; cannot declare it {new}")
        return Apply(self, [x, *sizes], [TensorType(x.type.dtype, self.shape)])

    def perform(self, node, inputs):
        x = inputs[0]
        shape = np.shape(x)
        wanted = list(self.shape)
        if len(inputs) > 1:
            wanted = [int(s) for s in np.asarray(inputs[1]).reshape(-1)]
        if len(shape) != len(wanted) or any(w is not None and w != s
                                             for s, w in zip(shape, wanted)):
            raise ValueError(f"{self.caller}: {node.inputs[0]} has runtime shape {shape}; its "
                             f"declared type needs the shape {tuple(wanted)} (None: any size)"
                             + _hint(self.caller))
        return [x]

    def connection_pattern(self, node):
        """Only ``x`` carries a gradient; the symbolic sizes are disconnected."""
        return [[True]] + [[False]] * (len(node.inputs) - 1)

    def grad(self, node, output_grads):
        """The gradient passes through, retyped to the input's static shape."""
        (g,) = output_grads
        x = node.inputs[0]
        rest = [None] * (len(node.inputs) - 1)
        if g is None:
            return [None] + rest
        if g.type.shape != x.type.shape:
            g = SpecifyShape(x.type.shape, self.caller)(g)
        return [g] + rest


def _hint(caller):
    if caller == "addbroadcast":
        return ("; addbroadcast declares a dimension of size 1, so the value must have "
                "size 1 there")
    return ""


def _axes(x, axes, caller):
    result = []
    for axis in axes:
        try:
            axis = operator.index(axis)
        except TypeError:
            raise TypeError(f"{caller}: axes must be ints; got {axis!r}") from None
        if not -x.type.ndim <= axis < x.type.ndim:
            raise ValueError(f"{caller}: axis {axis} is out of range for {x} of type {x.type}")
        result.append(axis % x.type.ndim)
    return result


def _retype(x, shape, caller):
    shape = tuple(shape)
    if shape == x.type.shape:
        return x
    return SpecifyShape(shape, caller)(x)


def patternbroadcast(x, broadcastable):
    """Return ``x`` with Theano's broadcast pattern ``broadcastable`` (a bool per dimension).

    True gives the dimension static size 1 (checked when run); False makes a
    dimension of static size 1 unknown. Other static sizes are kept. Returns
    ``x`` itself when nothing changes.
    """
    x = as_tensor_variable(x)
    pattern = tuple(bool(b) for b in broadcastable)
    if len(pattern) != x.type.ndim:
        raise ValueError(f"patternbroadcast: {x} of type {x.type} has {x.type.ndim} "
                         f"dimensions; the pattern {pattern} has {len(pattern)}")
    shape = [1 if b else (None if s == 1 else s) for b, s in zip(pattern, x.type.shape)]
    return _retype(x, shape, "patternbroadcast")


def addbroadcast(x, *axes):
    """Return ``x`` with the dimensions ``axes`` declared broadcastable (static size 1).

    A compiled function checks that the value really has size 1 there and
    raises ValueError otherwise.
    """
    x = as_tensor_variable(x)
    shape = list(x.type.shape)
    for axis in _axes(x, axes, "addbroadcast"):
        shape[axis] = 1
    return _retype(x, shape, "addbroadcast")


def unbroadcast(x, *axes):
    """Return ``x`` with the dimensions ``axes`` no longer broadcastable (size unknown)."""
    x = as_tensor_variable(x)
    shape = list(x.type.shape)
    for axis in _axes(x, axes, "unbroadcast"):
        if shape[axis] == 1:
            shape[axis] = None
    return _retype(x, shape, "unbroadcast")


def specify_shape(x, shape):
    """Return ``x`` declared to have ``shape``: ints, symbolic int scalars, or an int vector.

    Constant entries become the static shape; every entry is checked when run.
    """
    x = as_tensor_variable(x)
    if isinstance(shape, (list, tuple)):
        entries = [as_tensor_variable(s) for s in shape]
        if len(entries) != x.type.ndim:
            raise ValueError(f"specify_shape: {x} of type {x.type} has {x.type.ndim} "
                             f"dimensions; the shape {shape!r} has {len(entries)} entries")
        static = [int(e.data) if isinstance(e, Constant) else old
                  for e, old in zip(entries, x.type.shape)]
        if all(s is not None for s in static):
            return SpecifyShape(static)(x)
        from symlab.tensor.math import cast
        from symlab.tensor.shape import stack
        return SpecifyShape(static)(x, stack([cast(e, "int64") for e in entries]))
    vector = as_tensor_variable(shape)
    if vector.type.ndim != 1 or dtype_kind(vector.type.dtype) not in ("int", "uint"):
        raise TypeError(f"specify_shape: the shape must be a list of sizes or an int vector; "
                        f"got {vector} of type {vector.type}")
    if isinstance(vector, Constant):
        return specify_shape(x, [int(v) for v in vector.data])
    if vector.type.shape[0] not in (None, x.type.ndim):
        raise ValueError(f"specify_shape: {x} has {x.type.ndim} dimensions; the shape "
                         f"{vector} has {vector.type.shape[0]} entries")
    return SpecifyShape((None,) * x.type.ndim)(x, vector)
