"""``TensorType``: a dtype plus a static shape (an int or None per dimension).

A dimension broadcasts only when its static size is 1, as in Theano.
``filter`` converts a value given to a compiled function, with Theano's rules
for what may be converted silently and what would lose precision.
"""

import numpy as np

from symlab.config import config
from symlab.graph.basic import Type

__all__ = ["TensorType", "DTYPES", "upcast", "dtype_kind"]

#: Every dtype symlab knows, by Theano's one-letter constructor prefix too.
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128")


def dtype_kind(dtype):
    """Return 'bool', 'int', 'uint', 'float' or 'complex' for a dtype name."""
    kind = np.dtype(dtype).kind
    return {"b": "bool", "i": "int", "u": "uint", "f": "float", "c": "complex"}[kind]


def upcast(*dtypes):
    """The dtype that holds every one of ``dtypes``, as Theano computes it: NumPy's
    promotion applied pair by pair from the left (int8, uint16, float16 -> int32,
    float16 -> float64, where NumPy's one-step ``result_type`` gives float32)."""
    if not dtypes:
        raise TypeError("upcast needs at least one dtype")
    result = np.dtype(dtypes[0])
    for dtype in dtypes[1:]:
        result = np.promote_types(result, np.dtype(dtype))
    return str(result)


def _normalize_dtype(dtype):
    if dtype is None:
        return config.floatX
    if dtype == "floatX":
        return config.floatX
    try:
        name = str(np.dtype(dtype))
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}; expected one of {', '.join(DTYPES)}") from None
    if name not in DTYPES:
        raise TypeError(f"unsupported dtype {name!r}; expected one of {', '.join(DTYPES)}")
    return name


def _is_flag(entry):
    return isinstance(entry, (bool, np.bool_))


def _shape_from_pattern(pattern):
    """Theano's broadcastable pattern (True: static size 1, False: unknown) as a shape."""
    if not all(_is_flag(b) for b in pattern):
        raise TypeError(f"a broadcastable pattern holds only True/False; got {tuple(pattern)!r}")
    return tuple(1 if b else None for b in pattern)


def _normalize_shape(shape):
    try:
        entries = tuple(shape)
    except TypeError:
        raise TypeError(f"a static shape is a tuple of ints or None (or Theano's broadcastable "
                        f"pattern of True/False); got {shape!r}") from None
    if entries and all(_is_flag(s) for s in entries):
        return _shape_from_pattern(entries)      # Theano's TensorType(dtype, (True, False))
    if any(_is_flag(s) for s in entries):
        raise TypeError(
            f"the shape {entries!r} mixes True/False with sizes: give either Theano's "
            "broadcastable pattern (all True/False: True is a broadcastable dimension of "
            "size 1) or a static shape (ints or None per dimension), not both")
    result = []
    for s in entries:
        if s is None:
            result.append(None)
        elif isinstance(s, (int, np.integer)) and s >= 0:
            result.append(int(s))
        else:
            raise TypeError(f"static shape entries are non-negative ints or None; got {s!r}")
    return tuple(result)


def _describe_value(value):
    if isinstance(value, np.ndarray):
        return f"a {value.ndim}-d array of dtype {value.dtype} and shape {value.shape}"
    return f"{type(value).__name__} {value!r:.80}"


class TensorType(Type):
    """The type of tensors of one ``dtype`` and a static ``shape``.

    ``TensorType('float64', (None, None))`` is a matrix; ``(1, None)`` a row.
    Theano's broadcastable pattern is accepted too, as the second argument when it
    holds only True/False (``TensorType('float64', (True, False))`` is a row) or as
    ``broadcastable=``. Calling a type makes a variable: ``T.dmatrix('x')``.
    """

    def __init__(self, dtype, shape=None, broadcastable=None):
        self.dtype = _normalize_dtype(dtype)
        if shape is None and broadcastable is None:
            raise TypeError("TensorType needs shape= (or Theano's broadcastable=)")
        if shape is None:
            shape = _shape_from_pattern(tuple(broadcastable))
        elif broadcastable is not None:
            raise TypeError("give TensorType either shape= or broadcastable=, not both")
        self.shape = _normalize_shape(shape)
        self._numpy_dtype = np.dtype(self.dtype)

    @property
    def ndim(self):
        """Number of dimensions."""
        return len(self.shape)

    @property
    def broadcastable(self):
        """Theano's pattern: True where the static size is 1."""
        return tuple(s == 1 for s in self.shape)

    def __call__(self, name=None, dtype=None):
        """Return a new variable of this type named ``name`` (Theano's ``T.dmatrix('x')``)."""
        if dtype is not None and _normalize_dtype(dtype) != self.dtype:
            raise TypeError(f"{self} has the fixed dtype {self.dtype}; for a variable of dtype "
                            f"{dtype}, use the untyped constructor (T.matrix(name, dtype=...)) "
                            f"or TensorType({dtype!r}, {self.shape!r})")
        return self.make_variable(name=name)

    @property
    def numpy_dtype(self):
        """The dtype as a ``numpy.dtype``."""
        return self._numpy_dtype

    def clone(self, dtype=None, shape=None):
        """Return a TensorType with ``dtype`` and/or ``shape`` changed."""
        return TensorType(self.dtype if dtype is None else dtype,
                          self.shape if shape is None else shape)

    def __eq__(self, other):
        return (type(self) is type(other) and self.dtype == other.dtype
                and self.shape == other.shape)

    def __hash__(self):
        return hash((TensorType, self.dtype, self.shape))

    def accepts_replacement(self, other):
        """True if a variable of ``other`` may replace one of this type in a graph."""
        return (isinstance(other, TensorType) and other.dtype == self.dtype
                and other.ndim == self.ndim
                and all(a is None or b is None or a == b for a, b in zip(self.shape, other.shape)))

    def is_super(self, other):
        """True if every value of ``other`` is a value of this type."""
        return (isinstance(other, TensorType) and other.dtype == self.dtype
                and other.ndim == self.ndim
                and all(a is None or a == b for a, b in zip(self.shape, other.shape)))

    def shape_str(self):
        """The static shape as text: ``(?, 3)``."""
        inner = ", ".join("?" if s is None else str(s) for s in self.shape)
        return f"({inner},)" if self.ndim == 1 else f"({inner})"

    def __str__(self):
        return f"TensorType({self.dtype}, {self.shape_str()})"

    __repr__ = __str__

    # ------------------------------------------------------------------ values

    def filter(self, value, name="value", allow_downcast=None):
        """Return ``value`` as an ndarray of this type, or raise naming ``name``.

        Conversions that keep every value are silent (an int array into a
        float64 input, a Python int that fits). A NumPy array of a wider
        dtype raises TypeError unless ``allow_downcast`` is True; Python
        floats may always be stored in a float type (Theano's rule for
        ``floatX`` literals), unless ``allow_downcast`` is False.
        """
        if type(value) is np.ndarray and value.dtype is self._numpy_dtype:
            data = value
        else:
            data = self._convert(value, name, allow_downcast)
        if data.ndim != self.ndim:
            raise TypeError(
                f"{name}: expected {self} ({self.ndim}-d), got {_describe_value(data)}: "
                f"wrong number of dimensions")
        for axis, (want, got) in enumerate(zip(self.shape, data.shape)):
            if want is not None and want != got:
                raise ValueError(
                    f"{name}: expected {self}, got an array of shape {data.shape}: "
                    f"dimension {axis} has size {got}, the static shape says {want}")
        return data

    def _convert(self, value, name, allow_downcast):
        if hasattr(value, "__cuda_array_interface__") and not isinstance(value, np.ndarray):
            raise TypeError(f"{name}: expected a host (NumPy) value for {self}, got a device "
                            f"array {type(value).__name__}; compile with device='cuda' "
                            "or convert it with .get()")
        if isinstance(value, np.ndarray):
            if value.dtype == self._numpy_dtype:
                return value
            if allow_downcast or upcast(self.dtype, value.dtype) == self.dtype:
                return value.astype(self.dtype)
            raise TypeError(
                f"{name}: expected {self}, got an array of dtype {value.dtype}: storing it as "
                f"{self.dtype} could lose precision. Cast it explicitly "
                f"(value.astype('{self.dtype}')) or pass allow_input_downcast=True "
                "to function")
        try:
            raw = np.asarray(value)
        except Exception as exc:  # ragged lists and the like
            raise TypeError(f"{name}: expected {self}, got {_describe_value(value)} "
                            f"that is not array-like ({exc})") from None
        if raw.dtype == object or raw.dtype.kind in "USV":
            raise TypeError(f"{name}: expected {self}, got {_describe_value(value)}")
        if raw.dtype == self._numpy_dtype:
            return raw
        with np.errstate(all="ignore"):
            converted = raw.astype(self.dtype)
        if allow_downcast:
            return converted
        if allow_downcast is None and isinstance(value, float) and dtype_kind(self.dtype) == "float":
            return converted
        if upcast(self.dtype, raw.dtype) == self.dtype or _same_values(raw, converted):
            return converted
        raise TypeError(
            f"{name}: expected {self}, got {_describe_value(value)}, which {self.dtype} "
            f"cannot hold exactly (it would become {converted!r:.60}). Convert it to "
            f"{self.dtype} yourself or pass allow_input_downcast=True to function")

    def value_summary(self, data):
        """A short text for a value of this type: the value, or its shape and range."""
        data = np.asarray(data)
        if data.ndim == 0:
            return str(data.item())
        if data.size <= 6:
            text = np.array2string(data, separator=", ", threshold=6)
            return text.replace("\n", "")
        finite = data[np.isfinite(data)] if dtype_kind(self.dtype) in ("float", "complex") else data
        if finite.size and dtype_kind(self.dtype) != "complex":
            return (f"{self.dtype} {'x'.join(map(str, data.shape))}, "
                    f"min {finite.min():.4g}, max {finite.max():.4g}")
        return f"{self.dtype} {'x'.join(map(str, data.shape))}"

    def value_key(self, data):
        """A hashable key equal for equal values of this type (NaNs equal)."""
        data = np.asarray(data)
        return (data.shape, data.tobytes())


def _same_values(raw, converted):
    if raw.dtype.kind in "iu" and converted.dtype.kind in "iu":
        # Between integer types a round trip can wrap back to the same bits
        # (2**63 -> int64 -> uint64): compare the ranges instead.
        info = np.iinfo(converted.dtype)
        return raw.size == 0 or bool(info.min <= raw.min() and raw.max() <= info.max)
    with np.errstate(all="ignore"):
        back = converted.astype(raw.dtype)
    same = back == raw
    if raw.dtype.kind in "fc":
        same = same | (np.isnan(raw) & np.isnan(back))
    return bool(np.all(same))
