"""Theano's ``theano.scalar``: dtype arithmetic and the scalar types users touch.

``upcast(*dtypes)`` is Theano's (NumPy's promotion of the dtypes:
``upcast('float32', 'int32')`` is 'float64', ``upcast('int8', 'uint8')`` 'int16'),
as the hmc tutorial calls it. symlab has no scalar variables apart from tensors:
``float64``, ``int32``... are the 0-d tensor types, so ``theano.scalar.float64('x')``
is a 0-d float64 tensor variable (Theano's ``Scalar(float64)`` made a scalar one).
"""

from symlab.tensor.scalar_ops import upgrade_to_float
from symlab.tensor.type import TensorType
from symlab.tensor.type import upcast as _upcast

__all__ = ["upcast", "upgrade_to_float", "get_scalar_type", "bool", "int8", "int16", "int32",
           "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64",
           "complex64", "complex128", "int_types", "uint_types", "float_types",
           "complex_types", "discrete_types", "continuous_types", "all_types"]


def upcast(dtype, *dtypes):
    """Return the name of the dtype that holds values of every dtype given (Theano's rule)."""
    return _upcast(dtype, *dtypes)


def get_scalar_type(dtype):
    """Return the 0-d tensor type of ``dtype`` (symlab's stand-in for Theano's Scalar type)."""
    return TensorType(dtype, ())


bool = get_scalar_type("bool")
int8 = get_scalar_type("int8")
int16 = get_scalar_type("int16")
int32 = get_scalar_type("int32")
int64 = get_scalar_type("int64")
uint8 = get_scalar_type("uint8")
uint16 = get_scalar_type("uint16")
uint32 = get_scalar_type("uint32")
uint64 = get_scalar_type("uint64")
float16 = get_scalar_type("float16")
float32 = get_scalar_type("float32")
float64 = get_scalar_type("float64")
complex64 = get_scalar_type("complex64")
complex128 = get_scalar_type("complex128")

int_types = (int8, int16, int32, int64)
uint_types = (uint8, uint16, uint32, uint64)
float_types = (float16, float32, float64)
complex_types = (complex64, complex128)
discrete_types = (bool,) + int_types + uint_types
continuous_types = float_types + complex_types
all_types = discrete_types + continuous_types
