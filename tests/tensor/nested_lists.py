"""Independent oracles for the shape and indexing tests: nested Python lists, no NumPy."""

import itertools

from symlab.tensor.type import TensorType


def tensor(shape, dtype="float64", name="x"):
    """A symbolic tensor of static ``shape``."""
    return TensorType(dtype, shape)(name)


def nested(shape, start=0):
    """Nested Python lists holding start, start+1, ... in row-major order."""
    counter = itertools.count(start)

    def build(dims):
        if not dims:
            return float(next(counter))
        return [build(dims[1:]) for _ in range(dims[0])]

    return build(list(shape))


def flat(data):
    """Row-major flattening of nested lists."""
    if not isinstance(data, list):
        return [data]
    return [v for item in data for v in flat(item)]
