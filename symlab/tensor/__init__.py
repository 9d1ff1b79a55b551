"""symlab.tensor: typed symbolic tensors and the operations on them (Theano's ``T``)."""

from symlab.tensor.type import TensorType
from symlab.tensor.variable import TensorConstant, TensorVariable, as_tensor_variable, constant
from symlab.tensor.constructors import CONSTRUCTORS, tensor
from symlab.tensor.math import ALIASES, ELEMWISE_FUNCTIONS, cast, round
from symlab.tensor.elemwise import DimShuffle, Elemwise

globals().update(CONSTRUCTORS)
globals().update(ELEMWISE_FUNCTIONS)
globals().update({alias: ELEMWISE_FUNCTIONS[name] for alias, name in ALIASES.items()})
from symlab.tensor.reduction import sum, prod, mean, var, std, max, min, argmax, argmin, all, any
from symlab.tensor.linalg import dot, matmul, tensordot, outer
from symlab.tensor.creation import (alloc, zeros, ones, full, fill, zeros_like, ones_like,
                                    full_like, arange, eye)
from symlab.tensor import nnet
from symlab.tensor import xlogx   # Theano's module: T.xlogx.xlogx, T.xlogx.xlogy0
from symlab.tensor.shape import (shape, reshape, flatten, transpose, squeeze, expand_dims,
                                 shape_padleft, shape_padright, shape_padaxis, concatenate, join,
                                 stack)
from symlab.tensor.subtensor import set_subtensor, inc_subtensor
from symlab.tensor.broadcast import patternbroadcast, addbroadcast, unbroadcast, specify_shape
from symlab.tensor.sort import sort, argsort
from symlab.tensor import extra_ops   # Theano's module: T.extra_ops.cumsum, ...
from symlab.tensor.extra_ops import (cumsum, cumprod, repeat, searchsorted, nonzero,
                                     flatnonzero, choose, compress, diff, bincount,
                                     fill_diagonal, fill_diagonal_offset)
from symlab.tensor.arrays import (tile, roll, identity_like, ptp, max_and_argmax, stacklists,
                                  mgrid, ogrid, diagonal, trace, take, swapaxes, norm,
                                  deg2rad, rad2deg, batched_dot, batched_tensordot)
from symlab.tensor.complex import real, imag, angle, conj, complex, complex_from_polar
from symlab.tensor.closeness import isclose, allclose, iround


_GRADIENT_FUNCTIONS = ("grad", "jacobian", "hessian", "Lop", "Rop")


def __getattr__(name):
    # Theano's T.grad and friends live in the gradients layer, above this one.
    if name in _GRADIENT_FUNCTIONS:
        import symlab.gradient as gradient  # upward: gradients layer, loaded when used
        return getattr(gradient, name)
    if name == "shared_randomstreams":
        # T.shared_randomstreams.RandomStreams: the random layer, loaded when first used
        # (importing the submodule also binds it here, so this runs once).
        import importlib  # upward: random layer
        return importlib.import_module("symlab.tensor.shared_randomstreams")
    if name == "TensorSharedVariable":
        # The class of shared tensors lives in the compile layer, above this one.
        from symlab.compile.shared import TensorSharedVariable  # upward: loaded when used
        return TensorSharedVariable
    raise AttributeError(f"module 'symlab.tensor' has no attribute {name!r}")
