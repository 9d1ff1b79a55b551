"""``get_scalar_constant_value``: the number a 0-d graph stands for, when it is known when built.

Theano's helper: it looks through casts, dimshuffles and ``x.shape[i]`` of a
static size, and raises ``NotScalarConstantError`` for anything that is only
known when run.
"""

import numbers

import numpy as np

from symlab.graph.basic import Constant, Variable

__all__ = ["NotScalarConstantError", "get_scalar_constant_value"]


class NotScalarConstantError(ValueError):
    """The variable's value is not a scalar known when the graph is built."""


def get_scalar_constant_value(v):
    """Return the 0-d ndarray that ``v`` (a number, constant or 0-d graph) always holds.

    Follows casts (``identity`` rows), dimshuffles and ``shape(x)[i]`` where ``x``
    has a static size there; raises NotScalarConstantError otherwise.
    """
    from symlab.tensor.elemwise import DimShuffle, Elemwise
    from symlab.tensor.shape import Shape
    from symlab.tensor.subtensor import Subtensor
    if isinstance(v, (numbers.Number, np.number, np.ndarray)):
        data = np.asarray(v)
        if data.size != 1:
            raise NotScalarConstantError(f"{v!r:.60} is not a scalar")
        return data.reshape(())
    start = v
    while isinstance(v, Variable):
        if isinstance(v, Constant):
            data = np.asarray(v.data)
            if data.size == 1:
                return np.asarray(data.reshape(()), dtype=start.type.dtype)
            break
        node = v.owner
        if node is None:
            break
        op = node.op
        if isinstance(op, DimShuffle) or (isinstance(op, Elemwise)
                                          and op.scalar_op.name == "identity"):
            v = node.inputs[0]
            continue
        if (isinstance(op, Subtensor) and len(op.idx_spec) == 1
                and isinstance(op.idx_spec[0], int) and node.inputs[0].owner is not None
                and isinstance(node.inputs[0].owner.op, Shape)):
            tensor = node.inputs[0].owner.inputs[0]
            size = tensor.type.shape[op.idx_spec[0]]
            if size is not None:
                return np.asarray(size, dtype=start.type.dtype)
        break
    raise NotScalarConstantError(f"{start} is not a scalar whose value is known when the "
                                 "graph is built")
