"""More elementwise math: error functions, trigonometric, hyperbolic, logarithmic and rounding ops.

Each differentiable forward sits beside its vector-Jacobian product; the ops that
give no gradient (rounding, sign, tests such as isnan) are declared
differentiable=False and return a plain tensor. Every op keeps its input's float
dtype; a float32 or float16 input is computed in float64 where accuracy needs it
(the error functions) and the result cast back.
"""
import math

from ..backend import xp
from ..tensor import as_tensor, attach
from .elementwise import _pair, unbroadcast
from .table import declare, reflected

# ---------------------------------------------------------------------------- error functions

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

# erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)): used for |x| < 1, where 21 terms
# leave a remainder below 1e-20.
_ERF_TAYLOR = tuple((-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(21))

# For x >= 1, erfc(x) = exp(-x^2) g(t) / x with g(t) = x exp(x^2) erfc(x), a smooth function
# of t = (x - 3) / (x + 3) on [-1/2, 1] (g -> 1/sqrt(pi) as x -> inf). These are g's
# Chebyshev coefficients on that interval (u = (4t - 1)/3 in [-1, 1]), computed with mpmath
# at 50 digits from 90 Chebyshev nodes; the next coefficient is below 2e-19.
_ERFC_CHEB = (
    0.5270327699645345, 0.058438373634075017, -0.028760006767845146, 0.00942338429719674,
    -0.0023281563723139085, 0.00043730093384926333, -5.8303544643230866e-05,
    4.043114560930833e-06, 2.70898072771642e-07, -9.965420547129235e-08,
    5.899419235825997e-09, 1.3859802863792783e-09, -2.3156333271134693e-10,
    -1.5604196875242842e-11, 6.283638983525689e-12, 1.2178727055545494e-13,
    -1.6752992531325616e-13, 3.133338732321978e-16, 4.754423145110417e-15,
    -2.4579810618655913e-17, -1.4571109178923862e-16, -1.1939383999583008e-18,
    4.74192559805803e-18, 1.7736754227671548e-19,
)


def _exp_minus_square(x):
    """exp(-x^2) for float64 x, without the error of rounding x^2 first.

    x = hi + lo with hi holding 26 significant bits, so hi^2 is exact and
    x^2 = hi^2 + lo (x + hi); exp(-x^2) = exp(-hi^2) exp(-lo (x + hi)).
    """
    hi = (x.view(xp.int64) & ~xp.int64((1 << 27) - 1)).view(xp.float64)
    lo = x - hi
    return xp.exp(-hi * hi) * xp.exp(-lo * (x + hi))


def _erf_small(x):
    """erf(x) for |x| < 1 (Taylor series, Horner in x^2)."""
    z = x * x
    acc = xp.full_like(x, _ERF_TAYLOR[-1])
    for c in _ERF_TAYLOR[-2::-1]:
        acc = acc * z + c
    return _TWO_OVER_SQRT_PI * x * acc


def _erfc_large(x):
    """erfc(x) for x >= 1 (Chebyshev series of x e^{x^2} erfc(x) in t = (x-3)/(x+3)).

    x is clamped at 40 (erfc(40) underflows to 0 whatever the series gives), which
    keeps t finite for x = inf.
    """
    xc = xp.minimum(x, 40.0)
    u = (4 * (xc - 3) / (xc + 3) - 1) / 3
    b1 = xp.zeros_like(xc)
    b2 = xp.zeros_like(xc)
    for c in _ERFC_CHEB[:0:-1]:
        b1, b2 = 2 * u * b1 - b2 + c, b1
    g = u * b1 - b2 + _ERFC_CHEB[0]
    return xp.where(x > 40, 0.0, _exp_minus_square(xc) * g / xc)


def _as_float64(a):
    return xp.asarray(a, dtype=xp.float64)


def erf_array(a):
    """erf of an array, in float64 (relative error about 1e-15)."""
    x = _as_float64(a)
    ax = xp.abs(x)
    small = ax < 1
    y_small = _erf_small(xp.where(small, x, 0.0))
    y_large = xp.copysign(1 - _erfc_large(xp.where(small, 1.0, ax)), x)
    return xp.where(small, y_small, y_large)


def erfc_array(a):
    """erfc of an array, in float64 (relative error about 1e-15, also far in the tail)."""
    x = _as_float64(a)
    ax = xp.abs(x)
    small = ax < 1
    y_small = 1 - _erf_small(xp.where(small, x, 0.0))
    tail = _erfc_large(xp.where(small, 1.0, ax))
    return xp.where(small, y_small, xp.where(x > 0, tail, 2 - tail))


def erfinv_array(a):
    """The inverse of erf on [-1, 1] (+-inf at +-1, nan outside), in float64.

    A first guess from Winitzki's closed form (relative error ~2e-3), then three
    Halley steps on erf(x) = y, or on erfc(x) = 1 - |y| when |y| > 1/2 so that
    values near +-1 keep their precision: with r = f/f', x <- x - r / (1 + x r).
    """
    y = _as_float64(a)
    ay = xp.abs(y)
    inside = ay < 1
    ys = xp.where(inside, ay, 0.0)
    w = xp.log1p(-ys * ys)
    k = 0.147
    b = 2 / (math.pi * k) + w / 2
    x = xp.sqrt(xp.sqrt(b * b - w / k) - b)
    tail = ys > 0.5
    comp = 1 - ys  # exact for ys > 1/2
    for _ in range(3):
        slope = _TWO_OVER_SQRT_PI * _exp_minus_square(x)
        r = xp.where(tail, (comp - erfc_array(x)) / slope, (erf_array(x) - ys) / slope)
        x = x - r / (1 + x * r)
    x = xp.copysign(x, y)
    x = xp.where(ay == 1, xp.copysign(xp.inf, y), x)
    return xp.where(inside | (ay == 1), x, xp.nan)


def _float_result(y, x):
    """`y` in the dtype of `x` when x is a float tensor (computed in float64 otherwise)."""
    dtype = x.data.dtype if x.data.dtype.kind == "f" else xp.float64
    return y.astype(dtype, copy=False)


@declare(kind="elementwise")
def erf(x):
    """y = erf(x) = 2/sqrt(pi) int_0^x e^{-t^2} dt. dx = g 2/sqrt(pi) e^{-x^2}.

    Shapes: any; the output has x's shape and float dtype.
    """
    x = as_tensor(x)
    y = _float_result(erf_array(x.data), x)

    def vjp(g):
        return ((g * _TWO_OVER_SQRT_PI * xp.exp(-xp.square(x.data))).astype(g.dtype, copy=False),)

    return attach(y, (x,), vjp, "erf")


@declare(kind="elementwise")
def erfc(x):
    """y = erfc(x) = 1 - erf(x), accurate where erf(x) is near 1. dx = -g 2/sqrt(pi) e^{-x^2}."""
    x = as_tensor(x)
    y = _float_result(erfc_array(x.data), x)

    def vjp(g):
        return ((-g * _TWO_OVER_SQRT_PI * xp.exp(-xp.square(x.data))).astype(g.dtype, copy=False),)

    return attach(y, (x,), vjp, "erfc")


@declare(kind="elementwise")
def erfinv(x):
    """y = erf^{-1}(x) for x in [-1, 1]. dx = g sqrt(pi)/2 e^{y^2}."""
    x = as_tensor(x)
    y64 = erfinv_array(x.data)
    y = _float_result(y64, x)

    def vjp(g):
        return ((g * (math.sqrt(math.pi) / 2) * xp.exp(xp.square(y64))).astype(g.dtype, copy=False),)

    return attach(y, (x,), vjp, "erfinv")


@declare(kind="elementwise")
def rsqrt(x):
    """y = 1 / sqrt(x). dx = -g y^3 / 2."""
    x = as_tensor(x)
    y = 1 / xp.sqrt(x.data)
    return attach(y, (x,), lambda g: (-0.5 * g * y * y * y,), "rsqrt")


# ---------------------------------------------------------------------------- trigonometric


@declare(kind="elementwise")
def sin(x):
    """y = sin x. dx = g cos x."""
    x = as_tensor(x)
    return attach(xp.sin(x.data), (x,), lambda g: (g * xp.cos(x.data),), "sin")


@declare(kind="elementwise")
def cos(x):
    """y = cos x. dx = -g sin x."""
    x = as_tensor(x)
    return attach(xp.cos(x.data), (x,), lambda g: (-g * xp.sin(x.data),), "cos")


@declare(kind="elementwise")
def tan(x):
    """y = tan x. dx = g (1 + y^2)."""
    x = as_tensor(x)
    y = xp.tan(x.data)
    return attach(y, (x,), lambda g: (g * (1 + y * y),), "tan")


@declare(kind="elementwise")
def arcsin(x):
    """y = arcsin x on [-1, 1]. dx = g / sqrt(1 - x^2)."""
    x = as_tensor(x)
    return attach(xp.arcsin(x.data), (x,), lambda g: (g / xp.sqrt(1 - x.data * x.data),), "arcsin")


@declare(kind="elementwise")
def arccos(x):
    """y = arccos x on [-1, 1]. dx = -g / sqrt(1 - x^2)."""
    x = as_tensor(x)
    return attach(xp.arccos(x.data), (x,), lambda g: (-g / xp.sqrt(1 - x.data * x.data),), "arccos")


@declare(kind="elementwise")
def arctan(x):
    """y = arctan x. dx = g / (1 + x^2)."""
    x = as_tensor(x)
    return attach(xp.arctan(x.data), (x,), lambda g: (g / (1 + x.data * x.data),), "arctan")


@declare(kind="binary")
def arctan2(a, b):
    """y = atan2(a, b), the angle of the point (b, a); shapes broadcast.

    da = g b / (a^2 + b^2), db = -g a / (a^2 + b^2).
    """
    a, b = _pair("arctan2", a, b)
    y = xp.arctan2(a.data, b.data)

    def vjp(g):
        r2 = a.data * a.data + b.data * b.data
        ga = unbroadcast(g * b.data / r2, a.shape) if a.requires_grad else None
        gb = unbroadcast(-g * a.data / r2, b.shape) if b.requires_grad else None
        return ga, gb

    return attach(y, (a, b), vjp, "arctan2")


@declare(kind="elementwise")
def sinc(x):
    """y = sin(pi x) / (pi x), 1 at 0. dx = g (cos(pi x) - y) / x, 0 at 0."""
    x = as_tensor(x)
    y = xp.sinc(x.data)

    def vjp(g):
        zero = x.data == 0
        safe = xp.where(zero, 1, x.data)
        return (xp.where(zero, 0, g * (xp.cos(math.pi * x.data) - y) / safe).astype(g.dtype, copy=False),)

    return attach(y, (x,), vjp, "sinc")


# ---------------------------------------------------------------------------- hyperbolic


@declare(kind="elementwise")
def sinh(x):
    """y = sinh x. dx = g cosh x."""
    x = as_tensor(x)
    return attach(xp.sinh(x.data), (x,), lambda g: (g * xp.cosh(x.data),), "sinh")


@declare(kind="elementwise")
def cosh(x):
    """y = cosh x. dx = g sinh x."""
    x = as_tensor(x)
    return attach(xp.cosh(x.data), (x,), lambda g: (g * xp.sinh(x.data),), "cosh")


@declare(kind="elementwise")
def arcsinh(x):
    """y = arcsinh x. dx = g / sqrt(x^2 + 1)."""
    x = as_tensor(x)
    return attach(xp.arcsinh(x.data), (x,), lambda g: (g / xp.sqrt(x.data * x.data + 1),), "arcsinh")


@declare(kind="elementwise")
def arccosh(x):
    """y = arccosh x for x >= 1. dx = g / sqrt(x^2 - 1)."""
    x = as_tensor(x)
    return attach(xp.arccosh(x.data), (x,), lambda g: (g / xp.sqrt(x.data * x.data - 1),), "arccosh")


@declare(kind="elementwise")
def arctanh(x):
    """y = arctanh x on (-1, 1). dx = g / (1 - x^2)."""
    x = as_tensor(x)
    return attach(xp.arctanh(x.data), (x,), lambda g: (g / (1 - x.data * x.data),), "arctanh")


# ---------------------------------------------------------------------------- exponential and logarithmic

_LN2 = math.log(2)
_LN10 = math.log(10)


@declare(kind="elementwise")
def exp2(x):
    """y = 2^x. dx = g y ln 2."""
    x = as_tensor(x)
    y = xp.exp2(x.data)
    return attach(y, (x,), lambda g: (g * y * _LN2,), "exp2")


@declare(kind="elementwise")
def expm1(x):
    """y = e^x - 1, exact for small x. dx = g (y + 1)."""
    x = as_tensor(x)
    y = xp.expm1(x.data)
    return attach(y, (x,), lambda g: (g * (y + 1),), "expm1")


@declare(kind="elementwise")
def log2(x):
    """y = log2 x. dx = g / (x ln 2)."""
    x = as_tensor(x)
    return attach(xp.log2(x.data), (x,), lambda g: (g / (x.data * _LN2),), "log2")


@declare(kind="elementwise")
def log10(x):
    """y = log10 x. dx = g / (x ln 10)."""
    x = as_tensor(x)
    return attach(xp.log10(x.data), (x,), lambda g: (g / (x.data * _LN10),), "log10")


@declare(kind="elementwise")
def log1p(x):
    """y = ln(1 + x), exact for small x. dx = g / (1 + x)."""
    x = as_tensor(x)
    return attach(xp.log1p(x.data), (x,), lambda g: (g / (1 + x.data),), "log1p")


@declare(kind="binary")
def logaddexp(a, b):
    """y = ln(e^a + e^b) = max + log1p(e^-|a - b|), finite for any finite a, b; shapes broadcast.

    da = g e^(a - y), db = g e^(b - y) (the softmax weights of a and b).
    """
    a, b = _pair("logaddexp", a, b)
    y = xp.logaddexp(a.data, b.data)

    def vjp(g):
        ga = unbroadcast(g * xp.exp(a.data - y), a.shape) if a.requires_grad else None
        gb = unbroadcast(g * xp.exp(b.data - y), b.shape) if b.requires_grad else None
        return ga, gb

    return attach(y, (a, b), vjp, "logaddexp")


@declare(kind="binary")
def logaddexp2(a, b):
    """y = log2(2^a + 2^b); shapes broadcast. da = g 2^(a - y), db = g 2^(b - y)."""
    a, b = _pair("logaddexp2", a, b)
    y = xp.logaddexp2(a.data, b.data)

    def vjp(g):
        ga = unbroadcast(g * xp.exp2(a.data - y), a.shape) if a.requires_grad else None
        gb = unbroadcast(g * xp.exp2(b.data - y), b.shape) if b.requires_grad else None
        return ga, gb

    return attach(y, (a, b), vjp, "logaddexp2")


# ---------------------------------------------------------------------------- powers and roots


@declare(kind="elementwise")
def cbrt(x):
    """y = x^(1/3), real for negative x. dx = g / (3 y^2)."""
    x = as_tensor(x)
    y = xp.cbrt(x.data)
    return attach(y, (x,), lambda g: (g / (3 * y * y),), "cbrt")


@declare(kind="elementwise")
def reciprocal(x):
    """y = 1 / x. dx = -g y^2."""
    x = as_tensor(x)
    y = xp.reciprocal(x.data)
    return attach(y, (x,), lambda g: (-g * y * y,), "reciprocal")


@declare(kind="binary")
def hypot(a, b):
    """y = sqrt(a^2 + b^2) without overflow; shapes broadcast. da = g a / y, db = g b / y."""
    a, b = _pair("hypot", a, b)
    y = xp.hypot(a.data, b.data)

    def vjp(g):
        ga = unbroadcast(g * a.data / y, a.shape) if a.requires_grad else None
        gb = unbroadcast(g * b.data / y, b.shape) if b.requires_grad else None
        return ga, gb

    return attach(y, (a, b), vjp, "hypot")


@declare(kind="binary")
def fmod(a, b):
    """y = a - b trunc(a / b), the remainder with a's sign (C fmod); shapes broadcast.

    da = g, db = -g trunc(a / b).
    """
    a, b = _pair("fmod", a, b)
    y = xp.fmod(a.data, b.data)

    def vjp(g):
        ga = unbroadcast(g, a.shape) if a.requires_grad else None
        gb = unbroadcast(-g * xp.trunc(a.data / b.data), b.shape) if b.requires_grad else None
        return ga, gb

    return attach(y, (a, b), vjp, "fmod")


@declare(kind="binary", methods=("__mod__", ("__rmod__", reflected)))
def mod(a, b):
    """y = a - b floor(a / b), the remainder with b's sign (Python %); shapes broadcast.

    da = g, db = -g floor(a / b).
    """
    a, b = _pair("mod", a, b)
    y = xp.mod(a.data, b.data)

    def vjp(g):
        ga = unbroadcast(g, a.shape) if a.requires_grad else None
        gb = unbroadcast(-g * xp.floor(a.data / b.data), b.shape) if b.requires_grad else None
        return ga, gb

    return attach(y, (a, b), vjp, "mod")


# ---------------------------------------------------------------------------- Bessel


def _i1_array(x):
    """The modified Bessel function I1 (the derivative of I0), in float64.

    |x| <= 30: the power series sum_k (x/2)^(2k+1) / (k! (k+1)!) (positive terms, 80 of them);
    beyond: the asymptotic series e^|x| / sqrt(2 pi |x|) (1 - 3/(8|x|) - 15/(128 x^2) - ...).
    """
    x = _as_float64(x)
    ax = xp.abs(x)
    small = ax <= 30
    h = xp.where(small, ax, 0.0) / 2
    q = h * h
    term = h.copy() if isinstance(h, xp.ndarray) else h
    total = term
    for k in range(1, 80):
        term = term * q / (k * (k + 1))
        total = total + term
    big = xp.where(small, 31.0, ax)
    mu = 4.0
    series = xp.ones_like(big)
    term = xp.ones_like(big)
    for k in range(1, 20):
        term = -term * (mu - (2 * k - 1) ** 2) / (k * 8 * big)
        series = series + term
    with xp.errstate(over="ignore"):
        asym = xp.exp(big) / xp.sqrt(2 * math.pi * big) * series
    return xp.copysign(xp.where(small, total, asym), x)


@declare(kind="elementwise")
def i0(x):
    """y = I0(x), the modified Bessel function of the first kind, order 0. dx = g I1(x)."""
    x = as_tensor(x)
    y = xp.i0(x.data).astype(x.data.dtype if x.data.dtype.kind == "f" else xp.float64, copy=False)
    return attach(y, (x,), lambda g: ((g * _i1_array(x.data)).astype(g.dtype, copy=False),), "i0")


# ---------------------------------------------------------------------------- no gradient: rounding, tests, bits


@declare(kind="elementwise", differentiable=False)
def floor(x):
    """The largest integer <= x, in x's dtype (no gradient)."""
    return as_tensor(xp.floor(as_tensor(x).data))


@declare(kind="elementwise", differentiable=False)
def ceil(x):
    """The smallest integer >= x, in x's dtype (no gradient)."""
    return as_tensor(xp.ceil(as_tensor(x).data))


@declare(kind="elementwise", differentiable=False)
def trunc(x):
    """x rounded towards zero, in x's dtype (no gradient)."""
    x = as_tensor(x)
    return as_tensor(xp.trunc(x.data) if x.data.dtype.kind == "f" else x.data.copy())


@declare(kind="elementwise", differentiable=False)
def round(x, decimals=0):
    """x rounded to `decimals` decimal places, halves to even (no gradient).

    Integer input with decimals < 0 rounds to tens, hundreds, ...
    """
    x = as_tensor(x)
    return as_tensor(xp.round(x.data, decimals))


@declare(kind="elementwise", differentiable=False)
def sign(x):
    """-1, 0 or 1 (nan for nan), in x's dtype (no gradient)."""
    return as_tensor(xp.sign(as_tensor(x).data))


def _no_grad_op(name, kind, fn, doc, methods=()):
    """Declare `name`: a no-gradient op computing fn on the arrays of its tensor arguments."""
    def op(*args):
        if len(args) == 2:
            a, b = _pair(name, *args)
            return as_tensor(fn(a.data, b.data))
        return as_tensor(fn(as_tensor(args[0]).data))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return declare(name, kind=kind, differentiable=False, methods=methods)(op)


isnan = _no_grad_op("isnan", "elementwise", xp.isnan, "True where x is nan (no gradient).")
isinf = _no_grad_op("isinf", "elementwise", xp.isinf, "True where x is +inf or -inf (no gradient).")
isfinite = _no_grad_op("isfinite", "elementwise", xp.isfinite, "True where x is neither inf nor nan.")
signbit = _no_grad_op("signbit", "elementwise", xp.signbit, "True where x's sign bit is set (-0.0 included).")
nextafter = _no_grad_op("nextafter", "binary", xp.nextafter,
                        "The next representable float after a in the direction of b (no gradient).")
heaviside = _no_grad_op("heaviside", "binary", xp.heaviside,
                        "The step function of a: 0 for a < 0, 1 for a > 0, b where a == 0 (no gradient).")
floor_divide = _no_grad_op("floor_divide", "binary", xp.floor_divide, "floor(a / b) (no gradient).",
                           methods=("__floordiv__", ("__rfloordiv__", reflected)))
gcd = _no_grad_op("gcd", "binary", xp.gcd, "The greatest common divisor of integers a and b.")
lcm = _no_grad_op("lcm", "binary", xp.lcm, "The least common multiple of integers a and b.")
logical_and = _no_grad_op("logical_and", "comparison", xp.logical_and, "a and b, elementwise (bool).")
logical_or = _no_grad_op("logical_or", "comparison", xp.logical_or, "a or b, elementwise (bool).")
logical_xor = _no_grad_op("logical_xor", "comparison", xp.logical_xor, "a xor b, elementwise (bool).")
logical_not = _no_grad_op("logical_not", "comparison", xp.logical_not, "not x, elementwise (bool).")
bitwise_and = _no_grad_op("bitwise_and", "binary", xp.bitwise_and, "a & b on integers or bools.")
bitwise_or = _no_grad_op("bitwise_or", "binary", xp.bitwise_or, "a | b on integers or bools.")
bitwise_xor = _no_grad_op("bitwise_xor", "binary", xp.bitwise_xor, "a ^ b on integers or bools.")
bitwise_invert = _no_grad_op("bitwise_invert", "elementwise", xp.invert, "~x on integers or bools.")
left_shift = _no_grad_op("left_shift", "binary", xp.left_shift, "a << b on integers.")
right_shift = _no_grad_op("right_shift", "binary", xp.right_shift, "a >> b on integers (arithmetic).")
