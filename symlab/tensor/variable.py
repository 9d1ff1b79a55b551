"""Tensor variables and constants: Python operators and methods on symbolic tensors.

``as_tensor_variable`` turns Python numbers, lists and arrays into constants.
Python scalars follow Theano's autocasting: an int becomes the smallest of
int8..int64 that holds it; a float becomes ``config.floatX`` when that is
float32 or float16, and otherwise the smallest of float32/float64 that holds
it exactly. So ``fscalar * 2.0`` stays float32 always, and ``fscalar * 0.1``
is float64 under the default floatX (float64) and float32 under
``floatX='float32'``, as in Theano, whose float32 programs rely on it
(``W - 0.13 * gW`` must stay float32 to update a float32 ``W``).
"""

import importlib
import numbers

import numpy as np

from symlab.config import config
from symlab.graph.basic import Constant, Variable
from symlab.tensor.type import TensorType

__all__ = ["TensorVariable", "TensorConstant", "as_tensor_variable", "constant", "autocast_value"]


def _math():
    from symlab.tensor import math
    return math


def _reduction():
    from symlab.tensor import reduction
    return reduction


def _tensor_module(name):
    """The module ``symlab.tensor.<name>``, imported when a method first needs it."""
    return importlib.import_module(f"symlab.tensor.{name}")


def _shape():
    # Not ``from symlab.tensor import shape``: the package re-exports the *function* shape.
    return importlib.import_module("symlab.tensor.shape")


def _refusing_truth(result, left, symbol, right):
    """Mark ``result``, just built by a Python comparison operator, as refusing ``bool``.

    The mark (a private attribute, set before anyone else holds the variable) names
    the comparison for the error message. Returns ``result``.
    """
    result._comparison = f"{left} {symbol} {_operand_text(right)}"
    return result


def _operand_text(value):
    if isinstance(value, Variable):
        return str(value)
    return f"{value!r:.40}"


class TensorVariable(Variable):
    """A symbolic tensor. Supports NumPy-like operators and methods."""

    # --- properties ---------------------------------------------------------
    @property
    def dtype(self):
        """The dtype name."""
        return self.type.dtype

    @property
    def ndim(self):
        """Number of dimensions."""
        return self.type.ndim

    @property
    def broadcastable(self):
        """Theano's pattern: True where the static size is 1."""
        return self.type.broadcastable

    @property
    def shape(self):
        """The symbolic shape: an int64 vector of length ``ndim``."""
        return _shape().shape(self)

    @property
    def size(self):
        """The symbolic number of elements (int64 scalar)."""
        return _reduction().prod(self.shape)

    @property
    def T(self):
        """The transpose (all axes reversed)."""
        return self.transpose()

    def __bool__(self):
        """Theano's rule: a variable is true (``if not W:`` tests for a missing W), except
        the result of ``<``, ``<=``, ``>`` or ``>=``, whose truth raises TypeError."""
        comparison = self.__dict__.get("_comparison")
        if comparison is None:
            return True
        raise TypeError(
            f"the truth value of the symbolic variable {self} (the result of {comparison}) "
            "is not known until it is computed. As in Theano, the result of a comparison "
            "refuses if/and/or/not, so that a chained comparison such as a < b < c (which "
            "Python runs as (a < b) and (b < c)) fails instead of silently dropping a "
            "part; every other variable is true. Use T.and_(a < b, b < c), T.switch or "
            "symlab.ifelse")

    def __len__(self):
        raise TypeError(f"len() of the symbolic variable {self} is not known; use x.shape[0]")

    def __iter__(self):
        length = self.type.shape[0] if self.ndim else None
        if length is None:
            raise TypeError(f"cannot iterate over {self} of type {self.type}: its first "
                            "dimension has no static size")
        return (self[i] for i in range(length))

    # --- arithmetic ---------------------------------------------------------
    def __add__(self, other): return _math().add(self, other)
    def __radd__(self, other): return _math().add(other, self)
    def __sub__(self, other): return _math().sub(self, other)
    def __rsub__(self, other): return _math().sub(other, self)
    def __mul__(self, other): return _math().mul(self, other)
    def __rmul__(self, other): return _math().mul(other, self)
    def __truediv__(self, other): return _math().true_div(self, other)
    def __rtruediv__(self, other): return _math().true_div(other, self)
    def __floordiv__(self, other): return _math().int_div(self, other)
    def __rfloordiv__(self, other): return _math().int_div(other, self)
    def __mod__(self, other): return _math().mod(self, other)
    def __rmod__(self, other): return _math().mod(other, self)
    def __pow__(self, other): return _math().pow(self, other)
    def __rpow__(self, other): return _math().pow(other, self)
    def __neg__(self): return _math().neg(self)
    def __pos__(self): return self
    def __abs__(self): return _math().abs(self)
    # The comparison operators mark their result so that its truth raises (see __bool__).
    def __lt__(self, other): return _refusing_truth(_math().lt(self, other), self, "<", other)
    def __le__(self, other): return _refusing_truth(_math().le(self, other), self, "<=", other)
    def __gt__(self, other): return _refusing_truth(_math().gt(self, other), self, ">", other)
    def __ge__(self, other): return _refusing_truth(_math().ge(self, other), self, ">=", other)
    def __and__(self, other): return _math().and_(self, other)
    def __rand__(self, other): return _math().and_(other, self)
    def __or__(self, other): return _math().or_(self, other)
    def __ror__(self, other): return _math().or_(other, self)
    def __xor__(self, other): return _math().xor(self, other)
    def __rxor__(self, other): return _math().xor(other, self)
    def __invert__(self): return _math().invert(self)

    def __matmul__(self, other):
        from symlab.tensor.linalg import matmul
        return matmul(self, other)

    def __rmatmul__(self, other):
        from symlab.tensor.linalg import matmul
        return matmul(other, self)

    # == and != stay identity (as in Theano), so variables can be dict keys: use T.eq/T.neq.
    __hash__ = Variable.__hash__

    # --- methods ------------------------------------------------------------
    def astype(self, dtype):
        """Return this tensor cast to ``dtype``."""
        return _math().cast(self, dtype)

    def __getitem__(self, index):
        from symlab.tensor.subtensor import getitem
        return getitem(self, index)

    def sum(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        """Sum over ``axis`` (all axes by default)."""
        return _reduction().sum(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        """Product over ``axis``."""
        return _reduction().prod(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        """Mean over ``axis``."""
        return _reduction().mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        """Variance over ``axis``."""
        return _reduction().var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        """Standard deviation over ``axis``."""
        return _reduction().std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        """Maximum over ``axis``."""
        return _reduction().max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        """Minimum over ``axis``."""
        return _reduction().min(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        """Index of the maximum over ``axis``."""
        return _reduction().argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        """Index of the minimum over ``axis``."""
        return _reduction().argmin(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        """True where every element over ``axis`` is true."""
        return _reduction().all(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        """True where some element over ``axis`` is true."""
        return _reduction().any(self, axis=axis, keepdims=keepdims)

    def dot(self, other):
        """Matrix/vector product (``numpy.dot`` semantics)."""
        from symlab.tensor.linalg import dot
        return dot(self, other)

    def reshape(self, shape, *more, ndim=None):
        """Return the tensor reshaped; ``shape`` may hold symbolic sizes and one -1."""
        if more:
            shape = (shape,) + more
        return _shape().reshape(self, shape, ndim=ndim)

    def flatten(self, ndim=1):
        """Collapse the trailing dimensions so the result has ``ndim`` dimensions."""
        return _shape().flatten(self, ndim)

    def dimshuffle(self, *pattern):
        """Theano's dimshuffle: reorder axes, 'x' inserts a broadcastable one."""
        if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
            pattern = tuple(pattern[0])
        from symlab.tensor.elemwise import DimShuffle
        return DimShuffle(pattern)(self)

    def transpose(self, *axes):
        """Permute the axes (reverse them when none are given)."""
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = tuple(axes[0])
        return _shape().transpose(self, axes or None)

    def squeeze(self, axis=None):
        """Drop dimensions of static size 1."""
        return _shape().squeeze(self, axis)

    def clip(self, a_min, a_max):
        """Clip values into ``[a_min, a_max]``."""
        return _math().clip(self, a_min, a_max)

    def round(self, mode="half_to_even"):
        """Round to integers (half to even, as NumPy)."""
        return _math().round(self, mode)

    def nonzero_values(self):
        """The values of the nonzero elements, flattened."""
        return self.flatten()[_math().neq(self.flatten(), 0)]

    def copy(self, name=None):
        """An identity node over this tensor (a distinct variable with the same value)."""
        out = _math().identity(self)
        if name is not None:
            out.name = name
        return out

    # --- Theano's other methods: each delegates to the function of the same name --
    @property
    def real(self):
        """The real part (Theano's property; ``T.real``)."""
        return _tensor_module("complex").real(self)

    @property
    def imag(self):
        """The imaginary part (Theano's property; ``T.imag``)."""
        return _tensor_module("complex").imag(self)

    def conj(self):
        """The complex conjugate (``T.conj``)."""
        return _tensor_module("complex").conj(self)

    conjugate = conj

    def ravel(self):
        """The tensor flattened to a vector."""
        return self.flatten()

    def swapaxes(self, axis1, axis2):
        """The tensor with two axes exchanged (``T.swapaxes``)."""
        return _tensor_module("arrays").swapaxes(self, axis1, axis2)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        """The diagonal at ``offset`` over two axes (``T.diagonal``)."""
        return _tensor_module("arrays").diagonal(self, offset, axis1, axis2)

    def trace(self):
        """The sum of the main diagonal (``T.trace``)."""
        return _tensor_module("arrays").trace(self)

    def take(self, indices, axis=None, mode="raise"):
        """The elements at ``indices`` along ``axis`` (``T.take``)."""
        return _tensor_module("arrays").take(self, indices, axis, mode)

    def norm(self, L, axis=None, keepdims=False):
        """The ``L``-norm over ``axis`` (``sum(abs(x) ** L) ** (1 / L)``)."""
        return _tensor_module("arrays").norm(self, L, axis=axis, keepdims=keepdims)

    def ptp(self, axis=None):
        """Maximum minus minimum over ``axis`` (``T.ptp``)."""
        return _tensor_module("arrays").ptp(self, axis)

    def deg2rad(self):
        """The angles converted from degrees to radians."""
        return _tensor_module("arrays").deg2rad(self)

    def rad2deg(self):
        """The angles converted from radians to degrees."""
        return _tensor_module("arrays").rad2deg(self)

    def sort(self, axis=-1, kind="quicksort", order=None):
        """The values sorted along ``axis`` (``T.sort``)."""
        return _tensor_module("sort").sort(self, axis, kind, order)

    def argsort(self, axis=-1, kind="quicksort", order=None):
        """The int64 indices sorting ``axis`` (``T.argsort``)."""
        return _tensor_module("sort").argsort(self, axis, kind, order)

    def nonzero(self, return_matrix=False):
        """The indices of the nonzero elements (``T.nonzero``)."""
        return _tensor_module("extra_ops").nonzero(self, return_matrix=return_matrix)

    def repeat(self, repeats, axis=None):
        """Each element repeated along ``axis`` (``T.repeat``)."""
        return _tensor_module("extra_ops").repeat(self, repeats, axis)

    def cumsum(self, axis=None):
        """The cumulative sum along ``axis`` (``T.cumsum``)."""
        return _tensor_module("extra_ops").cumsum(self, axis)

    def cumprod(self, axis=None):
        """The cumulative product along ``axis`` (``T.cumprod``)."""
        return _tensor_module("extra_ops").cumprod(self, axis)

    def searchsorted(self, v, side="left", sorter=None):
        """Where the values ``v`` would go in this sorted vector (``T.searchsorted``)."""
        return _tensor_module("extra_ops").searchsorted(self, v, side, sorter)

    def compress(self, a, axis=None):
        """The slices along ``axis`` where the vector ``a`` is true (NumPy's method; Theano
        1.0.5's passed its arguments swapped and failed)."""
        return _tensor_module("extra_ops").compress(a, self, axis=axis)

    def choose(self, choices, out=None, mode="raise"):
        """``choices[self]`` elementwise, this tensor holding the indices (``T.choose``)."""
        return _tensor_module("extra_ops").choose(self, choices, out=out, mode=mode)

    def fill(self, value):
        """A tensor shaped like this one, filled with ``value`` (``T.fill``)."""
        return _tensor_module("creation").fill(self, value)

    def zeros_like(self, dtype=None):
        """Zeros shaped like this tensor (``T.zeros_like``)."""
        return _tensor_module("creation").zeros_like(self, dtype)

    def ones_like(self, dtype=None):
        """Ones shaped like this tensor (``T.ones_like``)."""
        return _tensor_module("creation").ones_like(self, dtype)

    def get_scalar_constant_value(self):
        """The 0-d ndarray this scalar always holds, or NotScalarConstantError."""
        return _tensor_module("constant_value").get_scalar_constant_value(self)

    def transfer(self, target):
        """Theano's device transfer: 'cpu' returns this tensor (symlab picks the device
        when compiling: ``function(..., device='cuda')``)."""
        if target != "cpu":
            raise ValueError(f"transfer: symlab places a graph when compiling it "
                             f"(function(..., device=...)); only 'cpu' is accepted, got "
                             f"{target!r}")
        return self


class TensorConstant(TensorVariable, Constant):
    """A tensor with a fixed value."""

    def __str__(self):
        if self.name is not None:
            return self.name
        return f"TensorConstant{{{self.type.value_summary(self.data)}}}"

    @property
    def value(self):
        """The constant's value (a read-only ndarray)."""
        return self.data


# Theano's elementwise methods (x.exp(), x.arccos(), ...): each calls the row's function.
_ELEMWISE_METHODS = ("arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "ceil",
                     "cos", "cosh", "exp", "exp2", "expm1", "floor", "log", "log10", "log1p",
                     "log2", "sin", "sinh", "sqrt", "tan", "tanh", "trunc")


def _elemwise_method(name):
    def method(self):
        return getattr(_math(), name)(self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Elementwise ``T.{name}`` of this tensor."
    return method


for _name in _ELEMWISE_METHODS:
    setattr(TensorVariable, _name, _elemwise_method(_name))

TensorType.variable_class = TensorVariable
TensorType.constant_class = TensorConstant


def autocast_value(value):
    """Theano's autocasting of a Python scalar: the smallest dtype holding it exactly.

    A Python float is the exception: under ``config.floatX`` float32 or float16 it takes
    that dtype, exact or not (Theano's rule; 1e300 becomes inf in float32).
    Returns a 0-d array, or None for anything else: a NumPy scalar keeps its own dtype
    (``np.float64(0)`` is float64, although ``np.float64`` is a subclass of ``float``).
    """
    if isinstance(value, (bool, np.bool_)):
        return np.asarray(value, dtype="bool")
    if isinstance(value, numbers.Integral) and not isinstance(value, np.integer):
        for dtype in ("int8", "int16", "int32", "int64"):
            info = np.iinfo(dtype)
            if info.min <= value <= info.max:
                return np.asarray(value, dtype=dtype)
        return np.asarray(value, dtype="uint64")
    if isinstance(value, float) and not isinstance(value, np.floating):
        if config.floatX != "float64":
            with np.errstate(over="ignore"):
                return np.asarray(value, dtype=config.floatX)
        as32 = np.asarray(value, dtype="float32")
        if float(as32) == value or value != value:
            return as32
        return np.asarray(value, dtype="float64")
    if isinstance(value, complex):
        return np.asarray(value, dtype="complex128")
    return None


def constant(value, name=None, ndim=None, dtype=None):
    """Return a TensorConstant holding ``value`` (Python scalars are autocast)."""
    if isinstance(value, TensorConstant):
        return value
    if dtype is not None:
        data = np.asarray(value, dtype=dtype)
    else:
        data = autocast_value(value)
        if data is None:
            data = np.asarray(value)
            if data.dtype == object or data.dtype.kind in "USV":
                raise TypeError(f"cannot make a tensor constant of {value!r:.60}")
            if data.dtype == np.float64 and data.size == 0 and not hasattr(value, "dtype"):
                data = data.astype(config.floatX)
    if ndim is not None and data.ndim != ndim:
        if data.ndim > ndim:
            raise ValueError(f"constant {value!r:.60} has {data.ndim} dimensions, not {ndim}")
        data = data.reshape((1,) * (ndim - data.ndim) + data.shape)
    data = np.array(data, copy=True)
    data.setflags(write=False)
    # Constants have a fully known static shape.
    return TensorConstant(TensorType(str(data.dtype), data.shape), data, name=name)


def as_tensor_variable(x, name=None, ndim=None, dtype=None):
    """Return ``x`` as a tensor variable: variables pass through, values become constants.

    Lists or tuples holding symbolic scalars become a stacked vector.
    """
    if isinstance(x, TensorVariable):
        if ndim is not None and x.ndim != ndim:
            raise TypeError(f"expected a {ndim}-d tensor, got {x} of type {x.type}")
        return x
    if isinstance(x, Variable):
        raise TypeError(f"{x} of type {x.type} is not a tensor")
    if isinstance(x, (list, tuple)) and any(isinstance(e, Variable) for e in _flatten(x)):
        return _shape().stack([as_tensor_variable(e) for e in x])
    try:
        return constant(x, name=name, ndim=ndim, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"cannot convert {x!r:.60} to a symbolic tensor: {exc}") from None


def _flatten(seq):
    for e in seq:
        if isinstance(e, (list, tuple)):
            yield from _flatten(e)
        else:
            yield e
