"""Sorting: ``argsort``, ``sort`` and the permutation op between them.

``ArgSort`` gives, along one axis, the indices that sort it (int64, no
gradient). ``PermuteAlongAxis`` reorders a tensor along an axis by such
indices (``numpy.take_along_axis`` with a permutation); its gradient is the
same op with the inverse permutation. ``sort(x)`` is ``PermuteAlongAxis`` of
``x`` by ``argsort(x)``, so it has a gradient without an op of its own.
``axis=None`` sorts the flattened tensor, as in Theano.
"""

import numpy as np

from symlab.graph.basic import Apply, Op
from symlab.tensor.type import TensorType, dtype_kind
from symlab.tensor.variable import as_tensor_variable

__all__ = ["ArgSort", "PermuteAlongAxis", "argsort", "sort"]

_KINDS = ("quicksort", "mergesort", "heapsort", "stable")


def _axis_of(x, axis, caller):
    if not -x.type.ndim <= axis < x.type.ndim:
        raise ValueError(f"{caller}: axis {axis} is out of range for {x} of type {x.type}")
    return axis % x.type.ndim


class ArgSort(Op):
    """The int64 indices sorting ``x`` along ``axis`` (NumPy's ``argsort`` of ``kind``)."""

    __props__ = ("axis", "kind")

    def __init__(self, axis=-1, kind="quicksort"):
        if kind not in _KINDS:
            raise ValueError(f"argsort: kind must be one of {_KINDS}; got {kind!r}")
        self.axis = int(axis)
        self.kind = kind

    @property
    def name(self):
        return "argsort"

    def __str__(self):
        return f"argsort{{axis={self.axis}, {self.kind}}}"

    def make_node(self, x):
        x = as_tensor_variable(x)
        if x.type.ndim == 0:
            raise TypeError(f"argsort: {x} is 0-d; give a tensor with at least one dimension")
        _axis_of(x, self.axis, "argsort")
        return Apply(self, [x], [TensorType("int64", x.type.shape)])

    def perform(self, node, inputs):
        return [np.argsort(inputs[0], axis=self.axis, kind=self.kind).astype(np.int64)]

    def connection_pattern(self, node):
        """Indices do not change smoothly with the values: disconnected."""
        return [[False]]

    def grad(self, node, output_grads):
        """No gradient flows through indices."""
        return [None]


class PermuteAlongAxis(Op):
    """``x`` reordered along ``axis`` by ``perm``, a permutation of each 1-d slice's indices.

    ``perm`` has ``x``'s shape (as ``argsort(x, axis)`` gives it).
    """

    __props__ = ("axis",)

    def __init__(self, axis):
        self.axis = int(axis)

    @property
    def name(self):
        return "permute_along_axis"

    def __str__(self):
        return f"permute_along_axis{{{self.axis}}}"

    def make_node(self, x, perm):
        x = as_tensor_variable(x)
        perm = as_tensor_variable(perm)
        if perm.type.ndim != x.type.ndim or dtype_kind(perm.type.dtype) not in ("int", "uint"):
            raise TypeError(f"permute_along_axis: the permutation {perm} of type {perm.type} "
                            f"must be an int tensor with the {x.type.ndim} dimensions of {x}")
        _axis_of(x, self.axis, "permute_along_axis")
        return Apply(self, [x, perm], [TensorType(x.type.dtype, x.type.shape)])

    def perform(self, node, inputs):
        x, perm = inputs
        if np.shape(perm) != np.shape(x):
            raise ValueError(f"permute_along_axis: the permutation {node.inputs[1]} has shape "
                             f"{np.shape(perm)}; {node.inputs[0]} has shape {np.shape(x)}")
        return [np.take_along_axis(x, perm, axis=self.axis)]

    def connection_pattern(self, node):
        return [[True], [False]]

    def grad(self, node, output_grads):
        """Each value goes back to where it came from: ``g`` permuted by the inverse."""
        (g,) = output_grads
        x, perm = node.inputs
        if g is None or not x.type.dtype.startswith(("float", "complex")):
            return [None, None]
        inverse = ArgSort(self.axis, "stable")(perm)
        return [PermuteAlongAxis(self.axis)(g, inverse), None]


def _flat_if_none(x, axis):
    x = as_tensor_variable(x)
    if axis is None:
        return x.flatten(), 0
    return x, axis


def argsort(a, axis=-1, kind="quicksort", order=None):
    """Return the int64 indices that sort ``a`` along ``axis`` (flattened for None)."""
    if order is not None:
        raise ValueError("argsort: order= (structured arrays) is not supported")
    a, axis = _flat_if_none(a, axis)
    return ArgSort(axis, kind)(a)


def sort(a, axis=-1, kind="quicksort", order=None):
    """Return ``a`` sorted along ``axis`` (flattened for None); differentiable in ``a``."""
    if order is not None:
        raise ValueError("sort: order= (structured arrays) is not supported")
    a, axis = _flat_if_none(a, axis)
    return PermuteAlongAxis(axis)(a, ArgSort(axis, kind)(a))
