"""Symbolic input constructors: ``T.matrix``, ``T.dvector``, ``T.iscalars``, ``T.tensor``...

Theano's one-letter prefixes name the dtype: b int8, w int16, i int32,
l int64, f float32, d float64, c complex64, z complex128. Without a prefix
the dtype is ``symlab.config.floatX``. Each constructor has a plural form
taking several names (``T.dmatrices('a', 'b')``) or a count.
"""

from symlab.tensor.type import TensorType, DTYPES

__all__ = ["tensor", "PREFIXES", "KINDS", "CONSTRUCTORS"]

PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64",
            "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}

#: kind name -> static shape
KINDS = {"scalar": (), "vector": (None,), "row": (1, None), "col": (None, 1),
         "matrix": (None, None), "tensor3": (None,) * 3, "tensor4": (None,) * 4,
         "tensor5": (None,) * 5}


def _kind_constructor(kind, shape, fixed_dtype=None):
    def make(name=None, dtype=None):
        if fixed_dtype is not None and dtype is not None:
            raise TypeError(f"{(fixed_dtype and _prefix_of(fixed_dtype)) or ''}{kind} has a "
                            f"fixed dtype ({fixed_dtype}); use T.{kind}(dtype=...) instead")
        return TensorType(fixed_dtype or dtype, shape).make_variable(name=name)

    make.__name__ = (_prefix_of(fixed_dtype) if fixed_dtype else "") + kind
    make.__doc__ = (f"Return a symbolic {kind} (static shape {shape}) of dtype "
                    f"{fixed_dtype or 'dtype (default config.floatX)'} named ``name``.")
    return make


def _prefix_of(dtype):
    return next(p for p, d in PREFIXES.items() if d == dtype)


def _plural(single):
    def make_many(*names, dtype=None):
        if len(names) == 1 and isinstance(names[0], int):
            names = (None,) * names[0]
        elif len(names) == 1 and isinstance(names[0], str) and ("," in names[0] or " " in names[0]):
            names = tuple(n for n in names[0].replace(",", " ").split() if n)
        kwargs = {} if dtype is None else {"dtype": dtype}
        return [single(name, **kwargs) for name in names]

    make_many.__name__ = (single.__name__[:-1] + "ces" if single.__name__.endswith("matrix")
                          else single.__name__ + "s")
    make_many.__doc__ = f"Return a list of {single.__name__} variables, one per name (or a count)."
    return make_many


CONSTRUCTORS = {}
for _kind, _shape in KINDS.items():
    CONSTRUCTORS[_kind] = _kind_constructor(_kind, _shape)
    for _prefix, _dtype in PREFIXES.items():
        CONSTRUCTORS[_prefix + _kind] = _kind_constructor(_kind, _shape, _dtype)
for _name, _fn in list(CONSTRUCTORS.items()):
    _plural_fn = _plural(_fn)
    CONSTRUCTORS[_plural_fn.__name__] = _plural_fn
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
