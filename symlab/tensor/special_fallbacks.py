"""Special functions without SciPy: the slower twins of ``scipy.special``'s ufuncs.

The scalar-op table computes ``gamma``, ``gammaln``, ``psi``, ``tri_gamma``,
``erfinv``, ``erfcinv``, ``gammainc``, ``gammaincc`` and ``chi2sf`` with SciPy,
loaded when such a node first runs; where SciPy is missing these functions do
the work. Each takes arrays (or numbers) and returns an array of the float
dtype of its inputs (float32 stays float32, integers give float64 or float32
as NumPy promotes them with float32), computed element by element in double
precision by a Python function on floats:

* ``gamma``, ``gammaln``: Python's ``math.gamma`` and ``math.lgamma``;
* ``psi`` (digamma), ``tri_gamma``: the recurrence up to x >= 10, then the
  asymptotic series (Bernoulli numbers); the reflection formula for x < 0;
* ``erfinv``, ``erfcinv``: Newton's method on ``math.erf`` near 0 and on
  ``log(erfc)`` in the tails (well conditioned up to the smallest subnormal);
* ``gammainc``/``gammaincc`` (the regularized incomplete gamma functions P
  and Q) by the power series below ``x = a + 1`` and the continued fraction
  above; ``chi2sf(x, k) = Q(k/2, x/2)``.

Poles, infinities, NaN and arguments outside the domain give what SciPy gives
(``gamma(-0.0) = -inf``, ``psi(-1) = nan``, ``erfcinv(0) = inf``, ...).
"""

import math

import numpy as np

__all__ = ["gamma", "gammaln", "psi", "tri_gamma", "erfinv", "erfcinv", "gammainc",
           "gammaincc", "chi2sf", "scalar"]

_INF = math.inf
_NAN = math.nan
_SQRT_PI = math.sqrt(math.pi)
_EULER = 0.57721566490153286061


# ---------------------------------------------------------------- gamma and its logarithm

def _gamma(x):
    if math.isnan(x) or x == -_INF:
        return _NAN
    if x == 0:
        return math.copysign(_INF, x)
    if x < 0 and x == math.floor(x):
        return _NAN
    try:
        return math.gamma(x)
    except OverflowError:
        return _INF


def _gammaln(x):
    if math.isnan(x) or math.isinf(x):
        return x if x == -_INF else abs(x)      # SciPy: gammaln(-inf) = -inf
    if x <= 0 and x == math.floor(x):
        return _INF
    return math.lgamma(x)


# ---------------------------------------------------------------- digamma and trigamma

# The asymptotic series' coefficients B_2k / 2k (psi) and B_2k (trigamma), k = 1..7.
_PSI_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)
_TRIGAMMA_SERIES = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _fraction_of_pi(x):
    """``x`` minus its nearest integer (exact): tan(pi x) and sin(pi x) of period 1."""
    return x - math.floor(x + 0.5)


def _psi(x):
    if math.isnan(x) or x == -_INF:
        return _NAN
    if x == _INF:
        return _INF
    if x == 0:
        return -math.copysign(_INF, x)           # -1/x: psi(+0) = -inf, psi(-0) = inf
    if x < 0:
        if x == math.floor(x):
            return _NAN
        return _psi(1 - x) - math.pi / math.tan(math.pi * _fraction_of_pi(x))
    shift = 0.0
    while x < 10:
        shift -= 1 / x
        x += 1
    inv2 = 1 / (x * x)
    series, power = 0.0, inv2
    for c in _PSI_SERIES:
        series += c * power
        power *= inv2
    return shift + math.log(x) - 0.5 / x - series


def _tri_gamma(x):
    if math.isnan(x):
        return _NAN
    if x == _INF:
        return 0.0
    if x == -_INF or (x <= 0 and x == math.floor(x)):
        return _INF                              # the poles, and -inf (SciPy's choice)
    if x < 0:
        s = math.sin(math.pi * _fraction_of_pi(x))
        return (math.pi * math.pi) / (s * s) - _tri_gamma(1 - x)
    if x < 1e-150:
        return _INF if x < 1e-154 else 1 / x / x  # 1/x^2 + pi^2/6, rounded
    shift = 0.0
    while x < 10:
        shift += 1 / (x * x)
        x += 1
    inv2 = 1 / (x * x)
    series, power = 0.0, 1 / (x * x * x)
    for c in _TRIGAMMA_SERIES:
        series += c * power
        power *= inv2
    return shift + 1 / x + 0.5 * inv2 + series


# ---------------------------------------------------------------- the inverse error functions

def _erfcx(x):
    """erfc(x) e^(x^2) for x >= 0 (the asymptotic series from x = 10 on)."""
    if x < 10:
        return math.erfc(x) * math.exp(x * x)
    inv = 1 / (2 * x * x)
    total, term = 1.0, 1.0
    for n in range(1, 12):
        term *= -(2 * n - 1) * inv
        total += term
    return total / (x * _SQRT_PI)


def _log_erfc(x):
    return math.log(math.erfc(x)) if x < 10 else math.log(_erfcx(x)) - x * x


def _erfcinv_tail(z):
    """The x > 0 with erfc(x) = z, for 0 < z <= 0.5: Newton's method on log(erfc)."""
    target = math.log(z)
    x = math.sqrt(-target)
    for _ in range(3):                           # erfc(x) ~ e^(-x^2) / (x sqrt(pi))
        x = math.sqrt(max(-target - math.log(x * _SQRT_PI), 0.25))
    for _ in range(50):
        step = (_log_erfc(x) - target) * _SQRT_PI * _erfcx(x) / 2
        x += step
        if abs(step) <= 1e-16 * x:
            break
    return x


def _erfinv_center(y):
    """The x with erf(x) = y, for |y| <= 0.5: Newton's method on erf."""
    x = y * _SQRT_PI / 2
    for _ in range(50):
        step = (math.erf(x) - y) * _SQRT_PI / 2 * math.exp(x * x)
        x -= step
        if abs(step) <= 1e-17 * abs(x):
            break
    return x


def _erfinv(y):
    if math.isnan(y) or abs(y) > 1:
        return _NAN
    if abs(y) == 1:
        return math.copysign(_INF, y)
    if abs(y) <= 0.5:
        return _erfinv_center(y) if y else 0.0     # SciPy: erfinv(-0.0) = +0.0
    return math.copysign(_erfcinv_tail(1 - abs(y)), y)   # 1 - |y| is exact here


def _erfcinv(z):
    if math.isnan(z) or z < 0 or z > 2:
        return _NAN
    if z == 0:
        return _INF
    if z == 2:
        return -_INF
    if z == 1:
        return -0.0                              # SciPy's sign
    if z > 1:
        return -_erfcinv(2 - z)                  # 2 - z is exact here
    if z >= 0.5:
        return _erfinv_center(1 - z)             # so is 1 - z
    return _erfcinv_tail(z)


# ---------------------------------------------------------------- incomplete gamma

def _regularized_gamma(a, x):
    """(P, Q): the regularized lower and upper incomplete gamma functions."""
    if math.isnan(a) or math.isnan(x) or a < 0 or x < 0:
        return _NAN, _NAN
    if a == 0:
        return (1.0, 0.0) if x > 0 else (_NAN, _NAN)
    if math.isinf(a):
        return (_NAN, _NAN) if math.isinf(x) else (0.0, 1.0)
    if math.isinf(x):
        return 1.0, 0.0
    if x == 0:
        return 0.0, 1.0
    if x <= 1.1 and a < 1:
        return _small_a_series(a, x)
    log_prefactor = a * math.log(x) - x - math.lgamma(a)
    if x < a:
        term = total = 1 / a
        n = a
        for _ in range(100000):
            n += 1
            term *= x / n
            total += term
            if term <= total * 1e-17:
                break
        p = math.exp(log_prefactor) * total
        return p, 1 - p
    # Q by the continued fraction (modified Lentz): 1 / (x + 1 - a - 1(1 - a) / (x + 3 - a - ...
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) <= 1e-16:
            break
    q = math.exp(log_prefactor) * h
    return 1 - q, q


# zeta(2), ..., zeta(20): the Taylor coefficients of lgamma(1 + a) at 0.
_ZETA = (1.6449340668482264, 1.2020569031595942, 1.0823232337111381, 1.03692775514337,
         1.0173430619844492, 1.008349277381923, 1.0040773561979444, 1.0020083928260821,
         1.000994575127818, 1.0004941886041194, 1.000246086553308, 1.0001227133475785,
         1.0000612481350588, 1.000030588236307, 1.0000152822594086, 1.0000076371976379,
         1.000003817293265, 1.0000019082127165, 1.0000009539620338)


def _lgamma1p(a):
    """lgamma(1 + a), accurate relative to a for small a (1 + a would round a away)."""
    if abs(a) >= 0.1:
        return math.lgamma(1 + a)
    total, power = -_EULER * a, -a              # power: (-a)^k
    for k, zeta in enumerate(_ZETA, start=2):
        power *= -a
        total += zeta * power / k
    return total


def _small_a_series(a, x):
    """(P, Q) for a < 1 and x <= 1.1, where Q = 1 - P would cancel: with
    S = sum_n a (-x)^n / (n! (a + n)), P = x^a S / Gamma(a + 1) and
    Q = -expm1(a log x - lgamma(a + 1)) - x^a (S - 1) / Gamma(a + 1)."""
    rest, term = 0.0, 1.0
    for n in range(1, 200):
        term *= -x / n
        part = a * term / (a + n)
        rest += part
        if abs(part) <= 1e-17 * abs(rest):
            break
    log_head = a * math.log(x) - _lgamma1p(a)
    head = math.exp(log_head)
    q = -math.expm1(log_head) - head * rest
    return head * (1 + rest), q


def _gammainc(a, x):
    return _regularized_gamma(a, x)[0]


def _gammaincc(a, x):
    return _regularized_gamma(a, x)[1]


def _chi2sf(x, k):
    return _regularized_gamma(k / 2, x / 2)[1]


# ---------------------------------------------------------------- elementwise over arrays

def _elementwise(fn, nin):
    """``fn`` (floats -> float) applied elementwise, in the float dtype of the inputs."""
    ufunc = np.frompyfunc(lambda *args: fn(*map(float, args)), nin, 1)

    def apply(*args):
        arrays = [np.asarray(a) for a in args]
        dtype = np.result_type(*arrays, np.float32)
        with np.errstate(all="ignore"):          # SciPy's special functions are silent too
            return np.asarray(ufunc(*arrays)).astype(dtype)

    apply.__name__ = fn.__name__.lstrip("_")
    apply.__doc__ = f"{apply.__name__} elementwise, in the inputs' float dtype (no SciPy)."
    return apply


gamma = _elementwise(_gamma, 1)
gammaln = _elementwise(_gammaln, 1)
psi = _elementwise(_psi, 1)
tri_gamma = _elementwise(_tri_gamma, 1)
erfinv = _elementwise(_erfinv, 1)
erfcinv = _elementwise(_erfcinv, 1)
gammainc = _elementwise(_gammainc, 2)
gammaincc = _elementwise(_gammaincc, 2)
chi2sf = _elementwise(_chi2sf, 2)

#: The scalar functions (Python floats), by name.
scalar = {"gamma": _gamma, "gammaln": _gammaln, "psi": _psi, "tri_gamma": _tri_gamma,
          "erfinv": _erfinv, "erfcinv": _erfcinv, "gammainc": _gammainc,
          "gammaincc": _gammaincc, "chi2sf": _chi2sf}
