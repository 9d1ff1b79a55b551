"""Symbolic input constructors: ``T.matrix``, ``T.dvector``, ``T.iscalars``, ``T.tensor``...

Theano's one-letter prefixes name the dtype: b int8, w int16, i int32,
l int64, f float32, d float64, c complex64, z complex128. As in Theano, a
prefixed constructor is a ``TensorType`` (``T.dmatrix`` is
``TensorType('float64', (None, None))``; calling it makes a variable, whose
``.type is T.dmatrix``), while an unprefixed one is a function whose dtype is
``symlab.config.floatX`` at call time (or its ``dtype=``).

Each has a plural form (``T.dmatrices``, ``T.scalars``, ``T.tensor3s``...)
taking several names, one string whose characters are the names
(``T.scalars('abcd')``: a, b, c, d), or a count of unnamed variables.
"""

from symlab.tensor.type import TensorType, DTYPES

__all__ = ["tensor", "PREFIXES", "KINDS", "CONSTRUCTORS"]

PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64",
            "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}

#: kind name -> static shape
KINDS = {"scalar": (), "vector": (None,), "row": (1, None), "col": (None, 1),
         "matrix": (None, None), "tensor3": (None,) * 3, "tensor4": (None,) * 4,
         "tensor5": (None,) * 5, "tensor6": (None,) * 6, "tensor7": (None,) * 7}


def _kind_constructor(kind, shape):
    def make(name=None, dtype=None):
        return TensorType(dtype, shape).make_variable(name=name)

    make.__name__ = make.__qualname__ = kind
    make.__doc__ = (f"Return a symbolic {kind} (static shape {shape}) named ``name``, of "
                    "``dtype`` (default: ``config.floatX`` when called).")
    return make


def _plural_name(single):
    return single[:-1] + "ces" if single.endswith("matrix") else single + "s"


def _names_from(names):
    """Theano's reading of a plural constructor's arguments: a list of names (or Nones).

    Returns ``(names, one)``: ``one`` is True for a single one-character string,
    for which Theano returns one variable rather than a list.
    """
    if len(names) == 1 and isinstance(names[0], int) and not isinstance(names[0], bool):
        return [None] * names[0], False
    if len(names) == 1 and isinstance(names[0], str):
        text = names[0]
        if "," in text or any(c.isspace() for c in text):
            # symlab's reading of 'a, b' (Theano would name variables ',' and ' ').
            return [n for n in text.replace(",", " ").split() if n], False
        return list(text), len(text) == 1
    for name in names:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"names must be strings (or one count); got {name!r}")
    return list(names), False


def _plural(single, single_name):
    name = _plural_name(single_name)

    def make_many(*names, dtype=None):
        names, one = _names_from(names)
        if dtype is not None and isinstance(single, TensorType):
            raise TypeError(f"T.{name} makes variables of the fixed dtype {single.dtype}; "
                            f"drop dtype= or use the unprefixed constructor")
        kwargs = {} if dtype is None else {"dtype": dtype}
        made = [single(n, **kwargs) for n in names]
        return made[0] if one else made

    make_many.__name__ = make_many.__qualname__ = name
    make_many.__doc__ = (f"Return a list of new variables made by ``{single_name}``: "
                         "one per name, one per character of a single string of names "
                         "(``'abc'``; ``'a, b'`` splits at commas and spaces), or a count. "
                         "A single one-character string gives one variable, as in Theano.")
    return make_many


CONSTRUCTORS = {}
for _kind, _shape in KINDS.items():
    CONSTRUCTORS[_kind] = _kind_constructor(_kind, _shape)
    for _prefix, _dtype in PREFIXES.items():
        CONSTRUCTORS[_prefix + _kind] = TensorType(_dtype, _shape)
for _name, _single in list(CONSTRUCTORS.items()):
    CONSTRUCTORS[_plural_name(_name)] = _plural(_single, _name)
globals().update(CONSTRUCTORS)
__all__ += list(CONSTRUCTORS)


def tensor(*args, dtype=None, shape=None, broadcastable=None, name=None):
    """Return a symbolic tensor of ``dtype`` and static ``shape``.

    Accepts PyTensor's ``tensor(name, dtype=..., shape=...)`` and Theano's
    ``tensor(dtype, broadcastable, name=None)``.
    """
    if args and isinstance(args[0], str) and (args[0] in DTYPES or args[0] == "floatX") \
            and dtype is None and (len(args) > 1 or shape is not None or broadcastable is not None):
        dtype, args = args[0], args[1:]
        if args and broadcastable is None and shape is None:
            broadcastable, args = args[0], args[1:]
    if args:
        if name is not None or len(args) > 1:
            raise TypeError(f"tensor(): unexpected positional arguments {args!r}")
        name = args[0]
    if shape is None and broadcastable is None:
        raise TypeError("tensor() needs shape= (ints or None per dimension) or broadcastable=")
    return TensorType(dtype, shape=shape, broadcastable=broadcastable).make_variable(name=name)
