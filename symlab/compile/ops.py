"""``as_op``: a Python function on NumPy arrays made into an op (Theano's decorator).

::

    @as_op(itypes=[T.dmatrix, T.dvector], otypes=[T.dvector])
    def solve(a, b):
        return np.linalg.solve(a, b)

    x = solve(A, b)          # a node of the op FromFunctionOp{solve}

The op has no gradient (Theano's had none either); ``infer_shape``, if
given, is called as ``infer_shape(node, input_shapes)``. A compiled function
using it pickles when the function is defined at module level (the op is
stored as a reference to the module's name, decorated or not).
"""

import importlib
import pickle

from symlab.graph.user_op import Op, as_type

__all__ = ["as_op", "FromFunctionOp"]


def _load_back(module, qualname):
    """The object named ``qualname`` in ``module`` (what a pickled op refers to)."""
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


class FromFunctionOp(Op):
    """The op of ``fn``: ``perform`` calls ``fn`` on the input values.

    ``fn`` returns one array, or a list or tuple with one per output.
    Equal when made from the same function and types.
    """

    __props__ = ("fn", "itypes", "otypes", "infer_shape_fn")

    def __init__(self, fn, itypes, otypes, infer_shape=None):
        if not callable(fn):
            raise TypeError(f"as_op: expected a function; got {fn!r:.80}")
        self.fn = fn
        # stored as types (T.dmatrix, a function, would not pickle)
        self.itypes = tuple(as_type(t, "itypes", k, "as_op") for k, t in enumerate(itypes))
        self.otypes = tuple(as_type(t, "otypes", k, "as_op") for k, t in enumerate(otypes))
        self.infer_shape_fn = infer_shape
        self.__doc__ = getattr(fn, "__doc__", None)

    @property
    def name(self):
        return "FromFunctionOp"

    def __str__(self):
        return f"FromFunctionOp{{{getattr(self.fn, '__name__', self.fn)}}}"

    def perform(self, node, inputs, output_storage):
        outs = self.fn(*inputs)
        if not isinstance(outs, (list, tuple)):
            outs = (outs,)
        if len(outs) != len(output_storage):
            raise ValueError(f"{self}: the function returned {len(outs)} value(s); the op "
                             f"declares {len(output_storage)} output(s) (otypes)")
        for cell, value in zip(output_storage, outs):
            cell[0] = value

    def infer_shape(self, node, input_shapes):
        if self.infer_shape_fn is None:
            return super().infer_shape(node, input_shapes)
        return self.infer_shape_fn(node, input_shapes)

    def __reduce__(self):
        module = getattr(self.fn, "__module__", None)
        qualname = getattr(self.fn, "__qualname__", "")
        try:
            found = _load_back(module, qualname)
        except (ImportError, AttributeError, TypeError, ValueError):
            found = None
        if found is self:       # decorated in place: the module's name is the op
            return _load_back, (module, qualname)
        if found is self.fn:    # the plain function is reachable: pickle the op's parts
            return FromFunctionOp, (self.fn, self.itypes, self.otypes, self.infer_shape_fn)
        raise pickle.PicklingError(
            f"{self}: cannot pickle an op made by as_op from {qualname or self.fn!r} "
            f"(module {module}): define the function at the top level of a module")


def as_op(itypes, otypes, infer_shape=None):
    """Decorator: the function becomes a ``FromFunctionOp`` with input types ``itypes``
    and output types ``otypes`` (types or Theano's type names such as ``T.dmatrix``)."""
    if not isinstance(itypes, (list, tuple)) or not isinstance(otypes, (list, tuple)):
        raise TypeError(f"as_op: itypes and otypes must be lists of types; got "
                        f"{itypes!r:.60} and {otypes!r:.60}")
    if infer_shape is not None and not callable(infer_shape):
        raise TypeError(f"as_op: infer_shape must be a function; got {infer_shape!r:.60}")

    def decorator(fn):
        return FromFunctionOp(fn, itypes, otypes, infer_shape)

    return decorator
