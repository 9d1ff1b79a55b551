"""symlab.tensor: typed symbolic tensors and the operations on them (Theano's ``T``)."""

from symlab.tensor.type import TensorType
from symlab.tensor.variable import TensorConstant, TensorVariable, as_tensor_variable, constant
from symlab.tensor.constructors import CONSTRUCTORS, tensor
from symlab.tensor.math import ALIASES, ELEMWISE_FUNCTIONS, cast, round
from symlab.tensor.elemwise import DimShuffle, Elemwise

globals().update(CONSTRUCTORS)
globals().update(ELEMWISE_FUNCTIONS)
globals().update({alias: ELEMWISE_FUNCTIONS[name] for alias, name in ALIASES.items()})
