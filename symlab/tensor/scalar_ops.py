"""THE scalar-op table: every elementwise operation is one row.

A row names the operation and gives everything each reader needs:

* ``numpy``: the NumPy implementation (the reference evaluator, the NumPy backend);
* ``c``: a C expression over ``{0}``, ``{1}``, ... (the CuPy kernels); its arguments
  arrive already cast to the dtype NumPy's loop would use, and helpers such as
  ``sl_floordiv`` (NumPy's semantics, one overload per C type) are defined in
  ``symlab/backends/cuda_source.py``;
* ``dtype_rule``: the result dtype from the input dtypes, by Theano's rules;
* ``symbol`` and ``precedence``: how ``pp`` prints it infix (None: as a call);
* ``commutative``, ``associative``, ``identity``: algebra the rewrites use;
* ``grad``: the gradient rule, in the ``GRADIENTS`` column below the rows (read by
  ``Elemwise.grad``); every row has one;
* ``home``: the module whose namespace holds the row's function (``symlab.tensor.math``
  builds one per row); ``symlab.tensor`` (``T.exp``) unless Theano keeps the function
  elsewhere (``T.xlogx.xlogx``, in ``symlab.tensor.xlogx``).

Adding an elementwise op means adding a row: the tests are parametrized over
this table, so a row without an independent reference fails them.
"""

import math
from dataclasses import dataclass, field, replace

import numpy as np

from symlab.tensor.type import dtype_kind, upcast

__all__ = ["ScalarOp", "SCALAR_OPS", "scalar_op_by_name", "DTYPE_RULES", "upgrade_to_float"]


# ---------------------------------------------------------------- dtype rules

_TO_FLOAT = {"bool": "float32", "int8": "float32", "uint8": "float32", "int16": "float32",
             "uint16": "float32", "int32": "float64", "uint32": "float64", "int64": "float64",
             "uint64": "float64"}


def upgrade_to_float(dtype):
    """Theano's ``upgrade_to_float``: small ints become float32, wide ints float64."""
    return _TO_FLOAT.get(dtype, dtype)


def _rule_upcast(dtypes):
    return upcast(*dtypes)


def _rule_float(dtypes):
    return upcast(*[upgrade_to_float(d) for d in dtypes])


def _rule_real_float(dtypes):
    out = _rule_float(dtypes)
    if dtype_kind(out) == "complex":
        raise TypeError(f"is defined for real inputs only; got {', '.join(dtypes)}")
    return out


def _rule_true_div(dtypes):
    if all(dtype_kind(d) in ("bool", "int", "uint") for d in dtypes):
        return _rule_float(dtypes)
    return upcast(*dtypes)


def _rule_real_float64(dtypes):
    _rule_real_float(dtypes)                       # complex refused
    return "float64"


def _rule_bool(dtypes):
    return "bool"


def _rule_int_or_bool(dtypes):
    bad = [d for d in dtypes if dtype_kind(d) not in ("bool", "int", "uint")]
    if bad:
        raise TypeError(f"needs integer or boolean inputs; got {', '.join(dtypes)}")
    return upcast(*dtypes)


def _rule_real(dtypes):
    out = upcast(*dtypes)
    if dtype_kind(out) == "complex":
        raise TypeError(f"is defined for real inputs only; got {', '.join(dtypes)}")
    return out


def _refuse_bool(out, dtypes):
    if out == "bool":
        raise TypeError("is not defined for booleans (use ^ or ~ for logic, or cast first); "
                        f"got {', '.join(dtypes)}")
    return out


def _rule_upcast_nobool(dtypes):
    return _refuse_bool(upcast(*dtypes), dtypes)


def _rule_real_nobool(dtypes):
    return _refuse_bool(_rule_real(dtypes), dtypes)


def _rule_abs(dtypes):
    (d,) = dtypes
    return {"complex64": "float32", "complex128": "float64"}.get(d, d)


def _rule_switch(dtypes):
    return upcast(*dtypes[1:])


def _rule_round(dtypes):
    return _rule_real_float(dtypes)


DTYPE_RULES = {
    "upcast": _rule_upcast,            # NumPy promotion of the inputs
    "float": _rule_float,              # ints become floats first (Theano's upgrade_to_float)
    "real_float": _rule_real_float,    # as "float", complex refused
    "real_float64": _rule_real_float64,  # always float64, complex refused (Theano's chi2sf)
    "true_div": _rule_true_div,        # int / int is a float; otherwise upcast
    "bool": _rule_bool,                # comparisons and predicates
    "int_or_bool": _rule_int_or_bool,  # bitwise operators
    "real": _rule_real,                # upcast, complex refused
    "upcast_nobool": _rule_upcast_nobool,  # upcast, booleans refused (sub, neg)
    "real_nobool": _rule_real_nobool,  # real, booleans refused (sign)
    "abs": _rule_abs,                  # complex -> its real dtype
    "switch": _rule_switch,            # upcast of the two branches
    "round": _rule_round,              # like "real_float"
}


# ---------------------------------------------------------------- special functions

_special_cache = {}


def _special(name, fallback, adapt=None, label=None):
    """A ufunc from SciPy, loaded on first use, else ``fallback`` (slower, pure NumPy).

    ``adapt(scipy_function)``, if given, returns the function to call instead (to
    reorder arguments or fix one); ``label`` names the result (default ``name``).
    """

    def call(*args):
        impl = _special_cache.get(label or name)
        if impl is None:
            try:
                import scipy.special
                impl = getattr(scipy.special, name)
                impl = adapt(impl) if adapt else impl
            except ImportError:
                impl = fallback
            _special_cache[label or name] = impl
        return impl(*args)

    call.__name__ = label or name
    call.fallback = fallback      # same dtypes: natural_dtype probes it instead
    return call


def _sigmoid_numpy(x):
    # What SciPy's expit computes (and the blocked kernels): 1 / (1 + exp(-x)), 0 where
    # exp(-x) overflows.
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(np.negative(x)))


_erf_vec = np.vectorize(math.erf, otypes=["float64"])
_erfc_vec = np.vectorize(math.erfc, otypes=["float64"])


def _erf_numpy(x):
    return _erf_vec(x).astype(np.result_type(x, np.float32))


def _erfc_numpy(x):
    return _erfc_vec(x).astype(np.result_type(x, np.float32))


def _in_float_dtype(fn):
    """``fn``, its result in the float dtype of its arguments (float32 stays float32)."""

    def call(*args):
        dtype = np.result_type(*[np.asarray(a) for a in args], np.float32)
        return np.asarray(fn(*args)).astype(dtype, copy=False)

    return call


# SciPy's special functions the rows call (and their twins in special_fallbacks, loaded
# with them: without SciPy the twins compute in Python, element by element).
def _lazy_fallback(name):
    def call(*args):
        from symlab.tensor import special_fallbacks
        return getattr(special_fallbacks, name)(*args)

    call.__name__ = name
    return call


_gamma = _special("gamma", _lazy_fallback("gamma"), _in_float_dtype)
_gammaln = _special("gammaln", _lazy_fallback("gammaln"), _in_float_dtype)
_psi = _special("psi", _lazy_fallback("psi"), _in_float_dtype)
_tri_gamma = _special("polygamma", _lazy_fallback("tri_gamma"),
                      lambda f: _in_float_dtype(lambda x: f(1, x)), label="tri_gamma")
_erfinv = _special("erfinv", _lazy_fallback("erfinv"), _in_float_dtype)
_erfcinv = _special("erfcinv", _lazy_fallback("erfcinv"), _in_float_dtype)
_gammainc = _special("gammainc", _lazy_fallback("gammainc"), _in_float_dtype)
_gammaincc = _special("gammaincc", _lazy_fallback("gammaincc"), _in_float_dtype)
# SciPy's chi-square survival function is chdtrc(k, x); Theano's chi2sf takes (x, k).
_chi2sf = _special("chdtrc", _lazy_fallback("chi2sf"),
                   lambda f: _in_float_dtype(lambda x, k: f(k, x)), label="chi2sf")


def _round_half_away(x):
    whole = np.trunc(x)
    return np.where(np.abs(x - whole) >= 0.5, whole + np.sign(x), whole)


def _variadic(ufunc):
    """A function of one or more arrays folding the binary ``ufunc`` from the left.

    It carries the ufunc as ``.ufunc``, so a backend can call it directly
    (and with ``out=``) instead.
    """

    def fold(*xs):
        out = xs[0]
        for x in xs[1:]:
            out = ufunc(out, x)
        return out

    fold.ufunc = ufunc
    fold.__name__ = ufunc.__name__
    return fold


_add = _variadic(np.add)
_mul = _variadic(np.multiply)


def _identity(x):
    return x


def _xlogy0(x, y):
    """``x * log(y)``, 0 wherever ``x`` is 0 (whatever ``y``: the limit as x -> 0)."""
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        product = np.multiply(x, np.log(y))
    return np.where(x == 0, np.zeros((), product.dtype), product)


def _xlogx(x):
    """``x * log(x)``, 0 at ``x = 0``."""
    return _xlogy0(x, x)


# ---------------------------------------------------------------- the row type

@dataclass(frozen=True, eq=False)
class ScalarOp:
    """One row of the table. Rows compare by identity and pickle by name."""

    name: str
    nin: int                     # number of inputs; -1: any number >= 1 (add, mul)
    numpy: object                # NumPy implementation
    c: str                       # C expression over {0}, {1}, ...; for nin=-1 the binary form
    dtype_rule: str              # a key of DTYPE_RULES
    symbol: str = None           # infix or prefix symbol for pp
    precedence: int = 100        # pp binding strength (higher binds tighter)
    commutative: bool = False
    associative: bool = False
    identity: object = None      # x op identity == x
    grad: object = field(default=None, compare=False)
    home: str = "symlab.tensor"  # the module holding the row's function

    def out_dtype(self, dtypes):
        """Return the result dtype for input ``dtypes`` (raises TypeError if refused)."""
        return DTYPE_RULES[self.dtype_rule](list(dtypes))

    @property
    def ufunc(self):
        """The NumPy ufunc computing this row (binary for add/mul), or None if it has none."""
        if isinstance(self.numpy, np.ufunc):
            return self.numpy
        return getattr(self.numpy, "ufunc", None)

    def __reduce__(self):
        return (scalar_op_by_name, (self.name,))

    def __str__(self):
        return self.name

    __repr__ = __str__


def _row(name, nin, numpy, c, rule, symbol=None, precedence=100, **columns):
    return ScalarOp(name, nin, numpy, c, rule, symbol, precedence, **columns)


# Precedences for pp: comparison 10 < or 20 < xor 25 < and 30 < add 40 < mul 50 < unary 60 < pow 70.
# name              nin  numpy                 C expression                   dtype rule     pp
_ROWS = [
    _row("add",        -1, _add,                 "{0} + {1}",                     "upcast",    "+", 40,
         commutative=True, associative=True, identity=0),
    _row("sub",         2, np.subtract,          "{0} - {1}",                     "upcast_nobool", "-", 40),
    _row("mul",        -1, _mul,                 "{0} * {1}",                     "upcast",    "*", 50,
         commutative=True, associative=True, identity=1),
    _row("true_div",    2, np.true_divide,       "{0} / {1}",                     "true_div",  "/", 50),
    _row("int_div",     2, np.floor_divide,      "sl_floordiv({0}, {1})",         "real",      "//", 50),
    _row("mod",         2, np.mod,               "sl_mod({0}, {1})",              "real",      "%", 50),
    _row("pow",         2, np.power,             "sl_pow({0}, {1})",              "upcast",    "**", 70),
    _row("neg",         1, np.negative,          "-{0}",                          "upcast_nobool", "-", 60),
    _row("abs",         1, np.abs,               "sl_abs({0})",                   "abs"),
    _row("maximum",     2, np.maximum,           "sl_maximum({0}, {1})",          "real",
         commutative=True, associative=True),
    _row("minimum",     2, np.minimum,           "sl_minimum({0}, {1})",          "real",
         commutative=True, associative=True),
    _row("lt",          2, np.less,              "{0} < {1}",                     "bool",      "<", 10),
    _row("le",          2, np.less_equal,        "{0} <= {1}",                    "bool",      "<=", 10),
    _row("gt",          2, np.greater,           "{0} > {1}",                     "bool",      ">", 10),
    _row("ge",          2, np.greater_equal,     "{0} >= {1}",                    "bool",      ">=", 10),
    _row("eq",          2, np.equal,             "{0} == {1}",                    "bool",      "==", 10,
         commutative=True),
    _row("neq",         2, np.not_equal,         "{0} != {1}",                    "bool",      "!=", 10,
         commutative=True),
    _row("and_",        2, np.bitwise_and,       "{0} & {1}",                     "int_or_bool", "&", 30,
         commutative=True, associative=True),
    _row("or_",         2, np.bitwise_or,        "{0} | {1}",                     "int_or_bool", "|", 20,
         commutative=True, associative=True),
    _row("xor",         2, np.bitwise_xor,       "{0} ^ {1}",                     "int_or_bool", "^", 25,
         commutative=True, associative=True),
    _row("invert",      1, np.invert,            "sl_invert({0})",                "int_or_bool", "~", 60),
    _row("exp",         1, np.exp,               "exp({0})",                      "float"),
    _row("exp2",        1, np.exp2,              "exp2({0})",                     "real_float"),
    _row("expm1",       1, np.expm1,             "expm1({0})",                    "real_float"),
    _row("log",         1, np.log,               "log({0})",                      "float"),
    _row("log2",        1, np.log2,              "log2({0})",                     "real_float"),
    _row("log10",       1, np.log10,             "log10({0})",                    "float"),
    _row("log1p",       1, np.log1p,             "log1p({0})",                    "real_float"),
    _row("sqrt",        1, np.sqrt,              "sqrt({0})",                     "float"),
    _row("sqr",         1, np.square,            "{0} * {0}",                     "upcast"),
    _row("reciprocal",  1, np.reciprocal,        "1 / {0}",                       "float"),
    _row("sin",         1, np.sin,               "sin({0})",                      "float"),
    _row("cos",         1, np.cos,               "cos({0})",                      "float"),
    _row("tan",         1, np.tan,               "tan({0})",                      "float"),
    _row("arcsin",      1, np.arcsin,            "asin({0})",                     "float"),
    _row("arccos",      1, np.arccos,            "acos({0})",                     "float"),
    _row("arctan",      1, np.arctan,            "atan({0})",                     "float"),
    _row("arctan2",     2, np.arctan2,           "atan2({0}, {1})",               "real_float"),
    _row("sinh",        1, np.sinh,              "sinh({0})",                     "float"),
    _row("cosh",        1, np.cosh,              "cosh({0})",                     "float"),
    _row("tanh",        1, np.tanh,              "tanh({0})",                     "float"),
    _row("arcsinh",     1, np.arcsinh,           "asinh({0})",                    "float"),
    _row("arccosh",     1, np.arccosh,           "acosh({0})",                    "float"),
    _row("arctanh",     1, np.arctanh,           "atanh({0})",                    "float"),
    _row("sigmoid",     1, _special("expit", _sigmoid_numpy), "sl_sigmoid({0})",  "real_float"),
    _row("softplus",    1, lambda x: np.logaddexp(0, x), "sl_softplus({0})",      "real_float"),
    _row("erf",         1, _special("erf", _erf_numpy), "erf({0})",               "real_float"),
    _row("erfc",        1, _special("erfc", _erfc_numpy), "erfc({0})",            "real_float"),
    # Theano's scalar/basic_scipy.py: SciPy's functions (loaded lazily, with twins in
    # special_fallbacks); CUDA has erfinv, erfcinv, tgamma and lgamma, the rest are helpers
    _row("erfinv",      1, _erfinv,              "erfinv({0})",                   "real_float"),
    _row("erfcinv",     1, _erfcinv,             "erfcinv({0})",                  "real_float"),
    _row("gamma",       1, _gamma,               "tgamma({0})",                   "real_float"),
    _row("gammaln",     1, _gammaln,             "sl_gammaln({0})",               "real_float"),
    _row("psi",         1, _psi,                 "sl_psi({0})",                   "real_float"),
    _row("tri_gamma",   1, _tri_gamma,           "sl_tri_gamma({0})",             "real_float"),
    _row("gammainc",    2, _gammainc,            "sl_gammainc({0}, {1})",         "real_float"),
    _row("gammaincc",   2, _gammaincc,           "sl_gammaincc({0}, {1})",        "real_float"),
    _row("chi2sf",      2, _chi2sf,              "sl_chi2sf({0}, {1})",           "real_float64"),
    _row("floor",       1, np.floor,             "floor({0})",                    "round"),
    _row("ceil",        1, np.ceil,              "ceil({0})",                     "round"),
    _row("trunc",       1, np.trunc,             "trunc({0})",                    "round"),
    _row("round_half_to_even", 1, np.rint,       "rint({0})",                     "round"),
    _row("round_half_away_from_zero", 1, _round_half_away, "round({0})",          "round"),
    _row("sign",        1, np.sign,              "sl_sign({0})",                  "real_nobool"),
    _row("isnan",       1, np.isnan,             "sl_isnan({0})",                 "bool"),
    _row("isinf",       1, np.isinf,             "sl_isinf({0})",                 "bool"),
    _row("clip",        3, np.clip,              "sl_clip({0}, {1}, {2})",        "real"),
    _row("switch",      3, np.where,             "({0} ? {1} : {2})",             "switch"),
    _row("identity",    1, _identity,            "{0}",                           "upcast"),
    # Theano's T.xlogx module: 0 where x is 0 (the plain product would be nan there)
    _row("xlogx",       1, _xlogx,               "sl_xlogx({0})",                 "real_float",
         home="symlab.tensor.xlogx"),
    _row("xlogy0",      2, _xlogy0,              "sl_xlogy0({0}, {1})",           "real_float",
         home="symlab.tensor.xlogx"),
]



# ---------------------------------------------------------------- the gradient column
#
# rule(g, out, *inputs) -> one gradient per input: the gradient of the cost with
# respect to that input, given g (with respect to out), before broadcasting is
# undone (Elemwise.grad sums over broadcast axes and casts to the input dtype).
# Rows whose result is piecewise constant give zeros: connected, but flat.

class _LazyMath:
    """``t.exp`` etc.: symlab.tensor.math, imported when a rule first runs."""

    def __getattr__(self, name):
        import symlab.tensor.math as tm
        return getattr(tm, name)


t = _LazyMath()


def _c(value, like):
    """The constant ``value`` in ``like``'s dtype (so a float32 gradient stays float32)."""
    from symlab.tensor.variable import constant
    return constant(np.asarray(value, dtype=like.type.dtype))


def _flat(g, out, *xs):
    from symlab.tensor.creation import zeros_like
    return [zeros_like(x) for x in xs]


def _others_product(g, xs, k):
    others = xs[:k] + xs[k + 1:]
    return g if not others else t.mul(g, *others)


def _extremum(g, out, x, y):
    # Theano's rule: every input equal to the result receives the gradient.
    return [g * t.eq(out, x), g * t.eq(out, y)]


_SQRT_PI_INV2 = 2.0 / math.sqrt(math.pi)
_SQRT_PI_HALF = math.sqrt(math.pi) / 2


def _not_implemented(position, comment):
    """A gradient rule's entry for input ``position``: Theano has no rule there either."""

    def entry(out, x):
        from symlab.gradient import grad_not_implemented   # upward: the gradients layer
        return grad_not_implemented(out.owner.op, position, x, comment)

    return entry


_NO_DK = _not_implemented(0, "the derivative in the shape parameter needs special "
                             "functions symlab does not have (as in Theano)")
_NO_CHI2_DK = _not_implemented(1, "the derivative in the degrees of freedom needs special "
                                  "functions symlab does not have (as in Theano)")


def _gamma_density(k, x, like):
    """x^(k-1) e^(-x) / Gamma(k): d/dx of the regularized lower incomplete gamma P(k, x)."""
    return t.exp(t.xlogy0(k - _c(1, like), x) - x - t.gammaln(k))


def _chi2sf_grad(g, out, x, k):
    # d/dx Q(k/2, x/2) = -density of chi-square(k) at x = -(1/2) * gamma density at x/2
    half = _c(0.5, out)
    return [-g * half * _gamma_density(k * half, x * half, out), _NO_CHI2_DK(out, k)]

# name          rule: lambda g, out, *inputs -> [gradient per input]
GRADIENTS = {
    "add":        lambda g, out, *xs: [g for _ in xs],
    "sub":        lambda g, out, x, y: [g, -g],
    "mul":        lambda g, out, *xs: [_others_product(g, list(xs), k) for k in range(len(xs))],
    "true_div":   lambda g, out, x, y: [g / y, -g * out / y],
    "int_div":    _flat,
    "mod":        lambda g, out, x, y: [g, -g * t.int_div(x, y)],
    "pow":        lambda g, out, x, y: [g * y * t.pow(x, y - _c(1, out)), g * out * t.log(x)],
    "neg":        lambda g, out, x: [-g],
    "abs":        lambda g, out, x: [g * t.sign(x)],
    "maximum":    _extremum,
    "minimum":    _extremum,
    "lt":         _flat, "le": _flat, "gt": _flat, "ge": _flat, "eq": _flat, "neq": _flat,
    "and_":       _flat, "or_": _flat, "xor": _flat, "invert": _flat,
    "exp":        lambda g, out, x: [g * out],
    "exp2":       lambda g, out, x: [g * out * _c(math.log(2), out)],
    "expm1":      lambda g, out, x: [g * (out + _c(1, out))],
    "log":        lambda g, out, x: [g / x],
    "log2":       lambda g, out, x: [g / (x * _c(math.log(2), out))],
    "log10":      lambda g, out, x: [g / (x * _c(math.log(10), out))],
    "log1p":      lambda g, out, x: [g / (x + _c(1, out))],
    "sqrt":       lambda g, out, x: [g * _c(0.5, out) / out],
    "sqr":        lambda g, out, x: [g * _c(2, out) * x],
    "reciprocal": lambda g, out, x: [-g * out * out],
    "sin":        lambda g, out, x: [g * t.cos(x)],
    "cos":        lambda g, out, x: [-g * t.sin(x)],
    "tan":        lambda g, out, x: [g * (_c(1, out) + out * out)],
    "arcsin":     lambda g, out, x: [g / t.sqrt(_c(1, out) - x * x)],
    "arccos":     lambda g, out, x: [-g / t.sqrt(_c(1, out) - x * x)],
    "arctan":     lambda g, out, x: [g / (_c(1, out) + x * x)],
    "arctan2":    lambda g, out, y, x: [g * x / (x * x + y * y), -g * y / (x * x + y * y)],
    "sinh":       lambda g, out, x: [g * t.cosh(x)],
    "cosh":       lambda g, out, x: [g * t.sinh(x)],
    "tanh":       lambda g, out, x: [g * (_c(1, out) - out * out)],
    "arcsinh":    lambda g, out, x: [g / t.sqrt(x * x + _c(1, out))],
    "arccosh":    lambda g, out, x: [g / t.sqrt(x * x - _c(1, out))],
    "arctanh":    lambda g, out, x: [g / (_c(1, out) - x * x)],
    "sigmoid":    lambda g, out, x: [g * out * (_c(1, out) - out)],
    "softplus":   lambda g, out, x: [g * t.sigmoid(x)],
    "erf":        lambda g, out, x: [g * _c(_SQRT_PI_INV2, out) * t.exp(-x * x)],
    "erfc":       lambda g, out, x: [-g * _c(_SQRT_PI_INV2, out) * t.exp(-x * x)],
    "erfinv":     lambda g, out, x: [g * _c(_SQRT_PI_HALF, out) * t.exp(out * out)],
    "erfcinv":    lambda g, out, x: [-g * _c(_SQRT_PI_HALF, out) * t.exp(out * out)],
    "gamma":      lambda g, out, x: [g * out * t.psi(x)],
    "gammaln":    lambda g, out, x: [g * t.psi(x)],
    "psi":        lambda g, out, x: [g * t.tri_gamma(x)],
    # Theano: NotImplementedError (its derivative is polygamma(2, x))
    "tri_gamma":  lambda g, out, x: [_not_implemented(0, "polygamma(2, x) is not a row")(out, x)],
    # Theano defines none of these three; the derivative in x is elementary:
    "gammainc":   lambda g, out, k, x: [_NO_DK(out, k), g * _gamma_density(k, x, out)],
    "gammaincc":  lambda g, out, k, x: [_NO_DK(out, k), -g * _gamma_density(k, x, out)],
    "chi2sf":     _chi2sf_grad,
    "floor":      _flat, "ceil": _flat, "trunc": _flat, "round_half_to_even": _flat,
    "round_half_away_from_zero": _flat, "sign": _flat, "isnan": _flat, "isinf": _flat,
    "clip":       lambda g, out, x, lo, hi: [t.switch(t.and_(t.ge(x, lo), t.le(x, hi)), g, 0),
                                             t.switch(t.lt(x, lo), g, 0),
                                             t.switch(t.gt(x, hi), g, 0)],
    "switch":     lambda g, out, c, a, b: [None, t.switch(c, g, 0), t.switch(c, 0, g)],
    "identity":   lambda g, out, x: [g],
    # Theano's rules, also at x = 0: 1 + log(0) = -inf; d/dy = 0 / 0 = nan where y is 0 too
    "xlogx":      lambda g, out, x: [g * (_c(1, out) + t.log(x))],
    "xlogy0":     lambda g, out, x, y: [g * t.log(y), g * x / y],
}

SCALAR_OPS = {row.name: replace(row, grad=GRADIENTS[row.name]) for row in _ROWS}


def scalar_op_by_name(name):
    """Return the row called ``name`` (how rows unpickle)."""
    try:
        return SCALAR_OPS[name]
    except KeyError:
        raise KeyError(f"no scalar op named {name!r}") from None
