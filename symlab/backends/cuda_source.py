"""CUDA C source for elementwise kernels, generated from the scalar-op table's ``c`` column.

An ``Elemwise`` node, or a ``FusedElemwise`` node with its inner graph of
``Elemwise`` steps, becomes ONE kernel body in the form CuPy's
``ElementwiseKernel`` takes (parameter lists, a loop body over one element,
a preamble of helper functions). Nothing here imports CuPy: the CuPy backend
builds its kernels from these texts, and the tests compile the same texts
with ``nvcc`` (inside ``standalone_cuda``) and run them on the CPU with a
host C++ compiler (inside ``standalone_host``).

The kernel computes what the NumPy backend computes, step by step:

* each step's inputs are cast as the node says (``Elemwise.input_cast_dtypes``),
  then to the dtype NumPy's ufunc loop would run in (``loop_dtype``), the
  row's C expression is applied, and the value is stored in a variable of
  the step's result dtype (C's conversion on assignment is NumPy's
  ``astype``);
* the helpers (``sl_floordiv``, ``sl_mod``, ``sl_maximum``, ...) follow
  NumPy's rules: floor division and modulo with Python's signs (NumPy's
  ``npy_divmod`` for floats), integer division by zero giving 0,
  ``maximum``/``minimum``/``clip`` propagating NaN, ``rint`` rounding half
  to even;
* constants of one element are written as C literals of their dtype; other
  constants become array parameters ``k0, k1, ...``.

Kernels cover bool, the integer dtypes, float32 and float64. A node touching
float16 or complex values gets no kernel (``kernel_for`` says why); the CuPy
backend runs such a node another way.
"""

import hashlib
import math
import re

import numpy as np

from symlab.graph.basic import Constant
from symlab.tensor.elemwise import Elemwise, natural_dtype
from symlab.tensor.fused import FusedElemwise

__all__ = ["C_TYPES", "KernelSource", "kernel_for", "kernel_inputs", "loop_dtype", "c_literal",
           "helper_source", "helpers_called", "register_helper", "standalone_cuda",
           "standalone_host", "NVCC_FLAGS"]

#: The C type holding each dtype a kernel supports (CuPy's names for them).
C_TYPES = {
    "bool": "bool",
    "int8": "signed char", "int16": "short", "int32": "int", "int64": "long long",
    "uint8": "unsigned char", "uint16": "unsigned short", "uint32": "unsigned int",
    "uint64": "unsigned long long",
    "float32": "float", "float64": "double",
}

#: Flags for compiling the kernels: no fused multiply-add, so that ``a * b + c``
#: rounds twice, as NumPy's two ufunc calls do.
NVCC_FLAGS = ("--fmad=false",)

_SIGNED = ("signed char", "short", "int", "long long")
_UNSIGNED = ("unsigned char", "unsigned short", "unsigned int", "unsigned long long")
_FLOATS = ("float", "double")


# ---------------------------------------------------------------- helpers (the preamble)
#
# Each helper is C source for every C type it takes, written once per kind of type
# (T stands for the type). Dependencies come first in the preamble.

_HELPERS = {}


def _helper(name, requires=(), **by_kind):
    """Register helper ``name``: C text per kind (``signed``, ``unsigned``, ``floats``, ``bool``,
    or ``exact`` for one text serving bool and every integer type; ``once``: one text, no T)."""
    kinds = {"bool": ("bool",), "signed": _SIGNED, "unsigned": _UNSIGNED, "floats": _FLOATS,
             "exact": ("bool",) + _SIGNED + _UNSIGNED, "once": ("T",)}
    parts = []
    for kind, template in by_kind.items():
        for ctype in kinds[kind]:
            parts.append(template if kind == "once" else re.sub(r"\bT\b", ctype, template))
    _HELPERS[name] = (tuple(requires), "".join(parts))


# floor division, Python's sign rule; x // 0 is 0 for integers (NumPy's result, with a
# warning there), MIN // -1 wraps to MIN; floats follow NumPy's npy_floor_divide.
_helper(
    "sl_floordiv",
    signed="""__device__ inline T sl_floordiv(T a, T b) {
    if (b == 0) return 0;
    if (b == -1) return (T)(0ULL - (unsigned long long)a);
    T q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) q = q - 1;
    return q;
}
""",
    unsigned="""__device__ inline T sl_floordiv(T a, T b) {
    return b == 0 ? (T)0 : (T)(a / b);
}
""",
    floats="""__device__ inline T sl_floordiv(T a, T b) {
    if (b == 0) return a / b;
    T mod = fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div = div - 1;
    if (div == 0) return copysign((T)0, a / b);
    T floordiv = floor(div);
    if (div - floordiv > (T)0.5) floordiv = floordiv + 1;
    return floordiv;
}
""")

# modulo with the divisor's sign; x % 0 is 0 for integers, NaN for floats.
_helper(
    "sl_mod",
    signed="""__device__ inline T sl_mod(T a, T b) {
    if (b == 0 || b == -1) return 0;
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r = r + b;
    return r;
}
""",
    unsigned="""__device__ inline T sl_mod(T a, T b) {
    return b == 0 ? (T)0 : (T)(a % b);
}
""",
    floats="""__device__ inline T sl_mod(T a, T b) {
    T mod = fmod(a, b);
    if (b == 0) return mod;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) mod = mod + b;
    } else {
        mod = copysign((T)0, b);
    }
    return mod;
}
""")

# integer powers by squaring, wrapping as NumPy's do; a negative exponent (an error in
# NumPy) gives the truncated value: 1 ** n = 1, (-1) ** n = +-1, otherwise 0.
_helper(
    "sl_pow",
    signed="""__device__ inline T sl_pow(T a, T b) {
    if (b < 0) return a == 1 ? (T)1 : a == -1 ? (T)((b & 1) ? -1 : 1) : (T)0;
    unsigned long long base = (unsigned long long)a, result = 1;
    while (b > 0) {
        if (b & 1) result *= base;
        base *= base;
        b >>= 1;
    }
    return (T)result;
}
""",
    unsigned="""__device__ inline T sl_pow(T a, T b) {
    unsigned long long base = a, result = 1;
    while (b > 0) {
        if (b & 1) result *= base;
        base *= base;
        b >>= 1;
    }
    return (T)result;
}
""",
    floats="""__device__ inline T sl_pow(T a, T b) {
    return pow(a, b);
}
""")

# maximum/minimum: NaN wins (the first one if both are NaN); on a tie, the second.
_helper(
    "sl_maximum",
    bool="""__device__ inline T sl_maximum(T a, T b) { return a > b ? a : b; }
""",
    signed="""__device__ inline T sl_maximum(T a, T b) { return a > b ? a : b; }
""",
    unsigned="""__device__ inline T sl_maximum(T a, T b) { return a > b ? a : b; }
""",
    floats="""__device__ inline T sl_maximum(T a, T b) { return (a > b || isnan(a)) ? a : b; }
""")
_helper(
    "sl_minimum",
    bool="""__device__ inline T sl_minimum(T a, T b) { return a < b ? a : b; }
""",
    signed="""__device__ inline T sl_minimum(T a, T b) { return a < b ? a : b; }
""",
    unsigned="""__device__ inline T sl_minimum(T a, T b) { return a < b ? a : b; }
""",
    floats="""__device__ inline T sl_minimum(T a, T b) { return (a < b || isnan(a)) ? a : b; }
""")

# clip(x, lo, hi) = minimum(maximum(x, lo), hi), as NumPy computes it (NaN anywhere wins).
_helper(
    "sl_clip", requires=("sl_maximum", "sl_minimum"),
    bool="""__device__ inline T sl_clip(T x, T lo, T hi) { return sl_minimum(sl_maximum(x, lo), hi); }
""",
    signed="""__device__ inline T sl_clip(T x, T lo, T hi) { return sl_minimum(sl_maximum(x, lo), hi); }
""",
    unsigned="""__device__ inline T sl_clip(T x, T lo, T hi) { return sl_minimum(sl_maximum(x, lo), hi); }
""",
    floats="""__device__ inline T sl_clip(T x, T lo, T hi) { return sl_minimum(sl_maximum(x, lo), hi); }
""")

# ~x: logical not for booleans, bitwise for integers.
_helper(
    "sl_invert",
    bool="""__device__ inline T sl_invert(T x) { return !x; }
""",
    signed="""__device__ inline T sl_invert(T x) { return (T)~x; }
""",
    unsigned="""__device__ inline T sl_invert(T x) { return (T)~x; }
""")

# |x|: abs(MIN) wraps to MIN, as in NumPy; NaN loses its sign bit (fabs).
_helper(
    "sl_abs",
    bool="""__device__ inline T sl_abs(T x) { return x; }
""",
    signed="""__device__ inline T sl_abs(T x) { return x < 0 ? (T)(0ULL - (unsigned long long)x) : x; }
""",
    unsigned="""__device__ inline T sl_abs(T x) { return x; }
""",
    floats="""__device__ inline T sl_abs(T x) { return fabs(x); }
""")

# sign: -1, 0 or 1; NaN stays NaN; sign(-0.0) is 0.0.
_helper(
    "sl_sign",
    signed="""__device__ inline T sl_sign(T x) { return (T)((x > 0) - (x < 0)); }
""",
    unsigned="""__device__ inline T sl_sign(T x) { return (T)(x > 0); }
""",
    floats="""__device__ inline T sl_sign(T x) {
    return x > 0 ? (T)1 : x < 0 ? (T)-1 : x == 0 ? (T)0 : x;
}
""")

_helper(
    "sl_isnan",
    exact="""__device__ inline bool sl_isnan(T x) { return false; }
""",
    floats="""__device__ inline bool sl_isnan(T x) { return isnan(x); }
""")
_helper(
    "sl_isinf",
    exact="""__device__ inline bool sl_isinf(T x) { return false; }
""",
    floats="""__device__ inline bool sl_isinf(T x) { return isinf(x); }
""")

# What the CPU computes (SciPy's expit, the NumPy twin, the blocked kernels): 1 / (1 + e^-x),
# 0 where e^-x overflows to inf (NaN stays NaN).
_helper(
    "sl_sigmoid",
    floats="""__device__ inline T sl_sigmoid(T x) {
    return (T)1 / ((T)1 + exp(-x));
}
""")

# log(1 + e^x) = max(x, 0) + log1p(e^-|x|), never overflowing (NumPy's logaddexp(0, x)).
_helper(
    "sl_softplus",
    floats="""__device__ inline T sl_softplus(T x) {
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}
""")

# Theano's xlogx and xlogy0: x log x and x log y, +0 wherever x is +-0 (whatever y), as
# Theano's C code; elsewhere the plain product (NaN in, NaN out).
_helper(
    "sl_xlogx",
    floats="""__device__ inline T sl_xlogx(T x) {
    return x == 0 ? (T)0 : x * log(x);
}
""")
_helper(
    "sl_xlogy0",
    floats="""__device__ inline T sl_xlogy0(T x, T y) {
    return x == 0 ? (T)0 : x * log(y);
}
""")


# ---- special functions (Theano's scalar/basic_scipy.py), computed in double for both float
# types, with SciPy's results at poles, infinities and outside the domain (the NumPy path
# calls SciPy, or its twins in symlab/tensor/special_fallbacks.py, which these follow).

# lgamma, except lgamma(-inf) = -inf (SciPy's gammaln; C says +inf).
_helper(
    "sl_gammaln",
    floats="""__device__ inline T sl_gammaln(T x) {
    return (isinf(x) && x < 0) ? x : (T)lgamma((double)x);
}
""")

# digamma: the recurrence up to x >= 10, then the asymptotic series (B_2k / 2k); the
# reflection psi(x) = psi(1 - x) - pi / tan(pi x) below 0, with x reduced exactly mod 1.
_helper(
    "sl_psi_f64",
    once="""__device__ inline double sl_psi_f64(double x) {
    const double pi = 3.141592653589793;
    if (isnan(x) || (isinf(x) && x < 0)) return x - x;
    if (isinf(x)) return x;
    if (x == 0) return copysign(__longlong_as_double(0x7ff0000000000000LL), -x);
    double reflected = 0;
    if (x < 0) {
        if (x == floor(x)) return __longlong_as_double(0x7ff8000000000000LL);
        double r = x - floor(x + 0.5);
        reflected = -pi / tan(pi * r);
        x = 1 - x;
    }
    double shift = 0;
    while (x < 10) { shift -= 1 / x; x += 1; }
    double z = 1 / (x * x);
    double series = z * (1.0 / 12 + z * (-1.0 / 120 + z * (1.0 / 252 + z * (-1.0 / 240
                  + z * (1.0 / 132 + z * (-691.0 / 32760 + z * (1.0 / 12)))))));
    return reflected + shift + log(x) - 0.5 / x - series;
}
""")
_helper(
    "sl_psi",
    requires=("sl_psi_f64",),
    floats="""__device__ inline T sl_psi(T x) { return (T)sl_psi_f64((double)x); }
""")

# trigamma: the recurrence, the asymptotic series (B_2k); pi^2 / sin^2(pi x) - psi1(1 - x)
# below 0; +inf at the poles and at -inf (SciPy's polygamma(1, x)).
_helper(
    "sl_tri_gamma_f64",
    once="""__device__ inline double sl_tri_gamma_f64(double x) {
    const double pi = 3.141592653589793;
    if (isnan(x)) return x;
    if (isinf(x)) return x > 0 ? 0.0 : -x;
    if (x <= 0 && x == floor(x)) return __longlong_as_double(0x7ff0000000000000LL);
    double extra = 0, sign = 1;
    if (x < 0) {
        double s = sin(pi * (x - floor(x + 0.5)));
        extra = pi * pi / (s * s);
        sign = -1;
        x = 1 - x;
    }
    if (x < 1e-150) return x < 1e-154 ? __longlong_as_double(0x7ff0000000000000LL) : 1 / x / x;
    double shift = 0;
    while (x < 10) { shift += 1 / (x * x); x += 1; }
    double z = 1 / (x * x);
    double series = z / x * (1.0 / 6 + z * (-1.0 / 30 + z * (1.0 / 42 + z * (-1.0 / 30
                  + z * (5.0 / 66 + z * (-691.0 / 2730 + z * (7.0 / 6)))))));
    return extra + sign * (shift + 1 / x + 0.5 * z + series);
}
""")
_helper(
    "sl_tri_gamma",
    requires=("sl_tri_gamma_f64",),
    floats="""__device__ inline T sl_tri_gamma(T x) { return (T)sl_tri_gamma_f64((double)x); }
""")

# The regularized incomplete gamma functions: P by its series below x = a, Q by the
# continued fraction above (modified Lentz), and for a < 1, x <= 1.1 (where 1 - P cancels)
# Q = -expm1(a log x - lgamma(a + 1)) - x^a (S - 1) / Gamma(a + 1),
# S = sum_n a (-x)^n / (n! (a + n)). Edge values as SciPy's gammainc/gammaincc.
_helper(
    "sl_igamma_f64",
    once="""__device__ inline double sl_igamma_f64(double a, double x, bool upper) {
    double nan = __longlong_as_double(0x7ff8000000000000LL);
    if (isnan(a) || isnan(x) || a < 0 || x < 0) return nan;
    if (a == 0) return x > 0 ? (upper ? 0.0 : 1.0) : nan;
    if (isinf(a)) return isinf(x) ? nan : (upper ? 1.0 : 0.0);
    if (isinf(x)) return upper ? 0.0 : 1.0;
    if (x == 0) return upper ? 1.0 : 0.0;
    if (x <= 1.1 && a < 1) {
        double rest = 0, term = 1;
        for (int n = 1; n < 200; ++n) {
            term *= -x / n;
            double part = a * term / (a + n);
            rest += part;
            if (fabs(part) <= 1e-17 * fabs(rest)) break;
        }
        double lgamma1p = lgamma(a + 1);      /* accurate relative to a for small a: */
        if (a < 0.1) {                        /* -euler a + sum_k (-a)^k zeta(k) / k */
            const double zeta[19] = {1.6449340668482264, 1.2020569031595942, 1.0823232337111381,
                1.03692775514337, 1.0173430619844492, 1.008349277381923, 1.0040773561979444, 1.0020083928260821,
                1.000994575127818, 1.0004941886041194, 1.000246086553308, 1.0001227133475785,
                1.0000612481350588, 1.000030588236307, 1.0000152822594086, 1.0000076371976379,
                1.000003817293265, 1.0000019082127165, 1.0000009539620338};
            double power = -a;
            lgamma1p = -0.5772156649015329 * a;
            for (int k = 2; k <= 20; ++k) { power *= -a; lgamma1p += zeta[k - 2] * power / k; }
        }
        double log_head = a * log(x) - lgamma1p;
        double head = exp(log_head);
        return upper ? -expm1(log_head) - head * rest : head * (1 + rest);
    }
    double log_prefactor = a * log(x) - x - lgamma(a);
    if (x < a) {
        double term = 1 / a, total = term, n = a;
        for (int i = 0; i < 100000; ++i) {
            n += 1;
            term *= x / n;
            total += term;
            if (term <= total * 1e-17) break;
        }
        double p = exp(log_prefactor) * total;
        return upper ? 1 - p : p;
    }
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000; ++i) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1) <= 1e-16) break;
    }
    double q = exp(log_prefactor) * h;
    return upper ? q : 1 - q;
}
""")
_helper(
    "sl_gammainc",
    requires=("sl_igamma_f64",),
    floats="""__device__ inline T sl_gammainc(T a, T x) {
    return (T)sl_igamma_f64((double)a, (double)x, false);
}
""")
_helper(
    "sl_gammaincc",
    requires=("sl_igamma_f64",),
    floats="""__device__ inline T sl_gammaincc(T a, T x) {
    return (T)sl_igamma_f64((double)a, (double)x, true);
}
""")
# Theano's chi2sf(x, k) = Q(k/2, x/2) (SciPy's chdtrc(k, x)).
_helper(
    "sl_chi2sf",
    requires=("sl_igamma_f64",),
    floats="""__device__ inline T sl_chi2sf(T x, T k) {
    return (T)sl_igamma_f64((double)k / 2, (double)x / 2, true);
}
""")


def register_helper(name, text, requires=()):
    """Add the helper ``name`` (C source ``text``, one definition, ``__device__ inline``)
    after the helpers it ``requires``; for kernels written outside this module
    (``cuda_random``). Returns ``name``."""
    if not re.fullmatch(r"sl_[a-z0-9_]+", name):
        raise ValueError(f"register_helper: a helper name is sl_ then lower-case letters, "
                         f"digits and underscores; got {name!r}")
    missing = [dep for dep in requires if dep not in _HELPERS]
    if missing:
        raise ValueError(f"register_helper: {name} requires unknown helper(s) "
                         f"{', '.join(missing)}")
    _HELPERS[name] = (tuple(requires), text)
    return name


def helper_source(names):
    """The C source of the helpers ``names`` and those they need, dependencies first."""
    ordered = []

    def visit(name):
        if name in ordered:
            return
        requires, _ = _HELPERS[name]
        for dep in requires:
            visit(dep)
        ordered.append(name)

    for name in sorted(names):
        visit(name)
    return "".join(_HELPERS[name][1] for name in ordered)


def helpers_called(text):
    """The names of the helpers ``text`` (C source) calls."""
    return sorted({m for m in re.findall(r"\b(sl_[a-z0-9_]+)\(", text) if m in _HELPERS})


# ---------------------------------------------------------------- literals and dtypes

def c_literal(value, dtype):
    """``value`` (one element) as a C expression of ``dtype``'s C type, exactly."""
    dtype = str(np.dtype(dtype))
    scalar = np.asarray(value).astype(dtype).reshape(())
    ctype = C_TYPES[dtype]
    if dtype == "bool":
        return "true" if bool(scalar) else "false"
    if dtype in ("float32", "float64"):
        x = float(scalar)
        if math.isnan(x) or math.isinf(x):
            # From the bit pattern: no header needed for INFINITY or NAN.
            if dtype == "float64":
                bits = int(np.asarray(x, "float64").view("uint64"))
                return f"__longlong_as_double({bits:#x}LL)"
            bits = int(np.asarray(x, "float32").view("uint32"))
            return f"__int_as_float({bits:#x})"
        text = repr(x) if dtype == "float64" else str(np.float32(x)) + "f"
        if "e" not in text and "." not in text:
            text = text.replace("f", ".0f") if text.endswith("f") else text + ".0"
        return f"({text})" if text.startswith("-") else text
    n = int(scalar)
    if dtype == "int64" and n == -2 ** 63:
        return "(-9223372036854775807LL - 1)"
    suffix = "ULL" if dtype.startswith("uint") else "LL"
    text = f"({ctype}){n}{suffix}" if dtype in ("int64", "uint64") or abs(n) > 2 ** 31 - 1 \
        else f"({ctype}){n}"
    return f"({text})"


def loop_dtype(row, computed):
    """The dtype a row's C expression runs in, for arguments of the ``computed`` dtypes.

    NumPy's ufunc loop: for comparisons and predicates (the "bool" rule) the
    promoted input dtype; otherwise the dtype NumPy's function gives on
    arrays of those dtypes (``natural_dtype``: ``int8`` for ``bool // bool``).
    """
    if row.dtype_rule == "bool":
        return str(np.result_type(*[np.dtype(d) for d in computed]))
    return natural_dtype(row, tuple(computed))


# ---------------------------------------------------------------- one kernel

class KernelSource:
    """The source of one elementwise kernel, in CuPy ``ElementwiseKernel``'s terms.

    ``inputs``: ``[(dtype, name)]`` for the node's array inputs (``a0, a1,
    ...``, one per distinct input variable, then the array constants ``k0,
    ...``); ``output``: ``(dtype, "y")``; ``body``: the loop body (C
    statements over one element); ``helpers``: the helper names it calls;
    ``constants``: the values of the array constants, in order. ``name`` is
    derived from the source, so equal sources have equal names.
    """

    def __init__(self, label, inputs, output, body, helpers, constants=()):
        self.label = label
        self.inputs = list(inputs)
        self.output = output
        self.body = body
        self.helpers = list(helpers)
        self.constants = list(constants)
        digest = hashlib.sha1("\n".join([self.in_params, self.out_params, body,
                                         self.preamble]).encode()).hexdigest()[:12]
        self.name = f"symlab_{_short(label)}_{digest}"

    @property
    def in_params(self):
        """``"float64 a0, int32 a1"``: CuPy's input parameter list."""
        return ", ".join(f"{dtype} {name}" for dtype, name in self.inputs)

    @property
    def out_params(self):
        return f"{self.output[0]} {self.output[1]}"

    @property
    def preamble(self):
        """The helpers' C source (only those the body calls)."""
        return helper_source(self.helpers)

    @property
    def key(self):
        """Everything that is compiled: equal keys, one compiled kernel."""
        return (self.in_params, self.out_params, self.body, self.name, self.preamble)

    def __repr__(self):
        return f"<KernelSource {self.name}: {self.label}>"


def _short(label):
    text = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")
    return text[:24] or "kernel"


class _Unsupported(Exception):
    pass


def kernel_for(node):
    """``(KernelSource, None)`` for an Elemwise or FusedElemwise ``node``, or ``(None, why)``.

    The kernel's array inputs are the node's distinct non-constant inputs,
    in order of first appearance (``kernel_inputs`` gives them), then its
    array constants.
    """
    try:
        return _build(node), None
    except _Unsupported as exc:
        return None, str(exc)


def kernel_inputs(node):
    """The node's variables passed to its kernel, in order (distinct, no constants)."""
    seen = []
    for var in node.inputs:
        if not isinstance(var, Constant) and var not in seen:
            seen.append(var)
    return seen


def _check_dtype(dtype, what):
    if dtype not in C_TYPES:
        raise _Unsupported(f"{what} has dtype {dtype}; kernels cover "
                           "bool, integers, float32 and float64")


def _build(node):
    op = node.op
    if isinstance(op, FusedElemwise):
        steps = list(op.inner_nodes)
        outer_of = dict(zip(op.inner_inputs, node.inputs))
        final = op.inner_output
        label = op.name
    elif isinstance(op, Elemwise):
        steps = [node]
        outer_of = {v: v for v in node.inputs if not isinstance(v, Constant)}
        final = node.outputs[0]
        label = op.name
    else:
        raise _Unsupported(f"{op} is not elementwise")
    params = kernel_inputs(node)
    texts, dtypes = {}, {}
    inputs = []
    for k, var in enumerate(params):
        _check_dtype(var.type.dtype, f"input {k} ({var})")
        inputs.append((var.type.dtype, f"a{k}"))
    for inner, outer in outer_of.items():
        texts[inner] = f"a{params.index(outer)}"
        dtypes[inner] = outer.type.dtype
    widest = max((v.type.ndim for v in params), default=-1)
    constants = []
    lines = []
    helpers = set()
    for j, step in enumerate(steps):
        args = []
        for position, var in enumerate(step.inputs):
            if isinstance(var, Constant) and var not in texts:
                value = np.asarray(var.data)
                _check_dtype(str(value.dtype), f"the constant {var}")
                if value.size == 1 and value.ndim <= widest:
                    texts[var] = None          # a literal, written per use below
                else:
                    texts[var] = f"k{len(constants)}"
                    inputs.append((str(value.dtype), texts[var]))
                    constants.append(value)
                dtypes[var] = str(value.dtype)
            args.append(var)
        out = step.outputs[0]
        _check_dtype(out.type.dtype, f"step {j} ({step.op})")
        expr = _step_expression(step, [texts[v] for v in args],
                                [dtypes[v] for v in args],
                                [np.asarray(v.data) if isinstance(v, Constant) else None
                                 for v in args])
        helpers.update(helpers_called(expr))
        if step.outputs[0] is final:
            lines.append(f"y = {expr};")
        else:
            name = f"t{j}"
            lines.append(f"const {C_TYPES[out.type.dtype]} {name} = {expr};")
            texts[out], dtypes[out] = name, out.type.dtype
    output = (node.outputs[0].type.dtype, "y")
    _check_dtype(output[0], "the result")
    body = "\n".join(lines)
    return KernelSource(label, inputs, output, body, sorted(helpers), constants)


def _step_expression(step, texts, dtypes, values):
    """The C expression of one Elemwise ``step`` over operands ``texts`` of ``dtypes``.

    A text of None is a one-element constant whose value is in ``values``.
    """
    op = step.op
    row = op.scalar_op
    out_dtype = step.outputs[0].type.dtype
    casts = op.input_cast_dtypes(step)
    computed = [cast or dtype for cast, dtype in zip(casts, dtypes)]
    if row.name == "switch":
        loops = [computed[0]] + [out_dtype] * 2
    else:
        try:
            loop = loop_dtype(row, computed)
        except TypeError as exc:        # NumPy has no loop for these dtypes either
            raise _Unsupported(f"{op} on {', '.join(computed)}: {exc}") from None
        _check_dtype(loop, f"{op} computing")
        loops = [loop] * len(computed)
    args = []
    for text, dtype, cast, want, value in zip(texts, dtypes, casts, loops, values):
        if text is None:
            # The constant as the NumPy backend passes it (cast first), then in the loop dtype.
            scalar = value.astype(cast) if cast else value
            args.append(c_literal(scalar.astype(want), want))
            continue
        have = cast or dtype
        if cast and cast != dtype:
            text = f"({C_TYPES[cast]}){text}"
        if want != have:
            text = f"({C_TYPES[want]}){text}"
        args.append(text)
    if row.nin == -1:
        expr = args[0]
        for arg in args[1:]:
            expr = row.c.format(expr, arg)
        return expr
    return row.c.format(*args)


# ---------------------------------------------------------------- standalone sources

_HOST_SHIMS = """#include <cmath>
#include <cstring>
using namespace std;
#define __device__
static inline double __longlong_as_double(long long bits) {
    double x; memcpy(&x, &bits, sizeof x); return x;
}
static inline float __int_as_float(int bits) {
    float x; memcpy(&x, &bits, sizeof x); return x;
}
/* CUDA's erfinv and erfcinv, for the host: Newton's method on erf near 0 and on log(erfc)
   in the tails (as symlab/tensor/special_fallbacks.py), with SciPy's edge values. */
static inline double sl_host_erfcx(double x) {
    if (x < 10) return erfc(x) * exp(x * x);
    double inv = 1 / (2 * x * x), total = 1, term = 1;
    for (int n = 1; n < 12; ++n) { term *= -(2 * n - 1) * inv; total += term; }
    return total / (x * 1.7724538509055160273);
}
static inline double sl_host_log_erfc(double x) {
    return x < 10 ? log(erfc(x)) : log(sl_host_erfcx(x)) - x * x;
}
static inline double sl_host_erfcinv_tail(double z) {
    double target = log(z), x = sqrt(-target);
    for (int i = 0; i < 3; ++i) x = sqrt(fmax(-target - log(x * 1.7724538509055160273), 0.25));
    for (int i = 0; i < 50; ++i) {
        double step = (sl_host_log_erfc(x) - target) * 1.7724538509055160273 * sl_host_erfcx(x) / 2;
        x += step;
        if (fabs(step) <= 1e-16 * x) break;
    }
    return x;
}
static inline double sl_host_erfinv_center(double y) {
    double x = y * 1.7724538509055160273 / 2;
    for (int i = 0; i < 50; ++i) {
        double step = (erf(x) - y) * 1.7724538509055160273 / 2 * exp(x * x);
        x -= step;
        if (fabs(step) <= 1e-17 * fabs(x)) break;
    }
    return x;
}
static inline double erfinv(double y) {
    if (isnan(y) || fabs(y) > 1) return NAN;
    if (fabs(y) == 1) return copysign(INFINITY, y);
    if (y == 0) return 0.0;
    if (fabs(y) <= 0.5) return sl_host_erfinv_center(y);
    return copysign(sl_host_erfcinv_tail(1 - fabs(y)), y);
}
static inline double erfcinv(double z) {
    if (isnan(z) || z < 0 || z > 2) return NAN;
    if (z == 0) return INFINITY;
    if (z == 2) return -INFINITY;
    if (z == 1) return -0.0;
    if (z > 1) return -erfcinv(2 - z);
    if (z >= 0.5) return sl_host_erfinv_center(1 - z);
    return sl_host_erfcinv_tail(z);
}
static inline float erfinv(float y) { return (float)erfinv((double)y); }
static inline float erfcinv(float z) { return (float)erfcinv((double)z); }
"""


def _pointer_params(kernel):
    params = [f"const {C_TYPES[dtype]}* _p_{name}" for dtype, name in kernel.inputs]
    params.append(f"{C_TYPES[kernel.output[0]]}* _p_y")
    params.append("long long _n")
    return ", ".join(params)


def _element_refs(kernel):
    lines = [f"const {C_TYPES[dtype]}& {name} = _p_{name}[_i];" for dtype, name in kernel.inputs]
    lines.append(f"{C_TYPES[kernel.output[0]]}& y = _p_y[_i];")
    if re.search(r"\bi\b", kernel.body):
        lines.append("const long long i = _i;    // CuPy's element index")
    return lines


def _indent(lines, prefix):
    return "".join(f"{prefix}{line}\n" for text in lines for line in text.splitlines())


def standalone_cuda(kernels):
    """One CUDA C translation unit defining each kernel as a plain ``__global__`` function.

    No CuPy header is needed: each kernel takes one contiguous array per
    parameter (already broadcast) and the element count, and its thread
    runs the kernel's body on one element, as CuPy's loop does (a body
    reading ``i``, CuPy's index of the element, gets it too).
    """
    parts = [helper_source({h for k in kernels for h in k.helpers})]
    for kernel in _distinct(kernels):
        parts.append(f'extern "C" __global__ void {kernel.name}({_pointer_params(kernel)}) {{\n'
                     "    long long _i = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
                     "    if (_i >= _n) return;\n"
                     + _indent(_element_refs(kernel) + [kernel.body], "    ") + "}\n")
    return "\n".join(parts)


def standalone_host(kernels):
    """The same kernels as host C++ functions looping over the elements (for a CPU check).

    ``__device__`` is defined away and the two bit-cast intrinsics the
    literals use are defined for the host; everything else is the kernel's
    own text.
    """
    parts = [_HOST_SHIMS, helper_source({h for k in kernels for h in k.helpers})]
    for kernel in _distinct(kernels):
        parts.append(f'extern "C" void {kernel.name}({_pointer_params(kernel)}) {{\n'
                     "    for (long long _i = 0; _i < _n; ++_i) {\n"
                     + _indent(_element_refs(kernel) + [kernel.body], "        ") + "    }\n}\n")
    return "\n".join(parts)


def _distinct(kernels):
    seen, result = set(), []
    for kernel in kernels:
        if kernel.name not in seen:
            seen.add(kernel.name)
            result.append(kernel)
    return result
