"""keras.ops names provided by this module: see names.py.

The math half of keras.ops.numpy: elementwise math, comparisons, logical and
bitwise ops, reductions (with their nan* variants), order statistics,
cumulative ops and window functions, on the ops of deepgrad's table.

Result dtypes follow Keras 3 (its torch and JAX backends): integer input to a
float function gives float32; ops that Keras routes through its own type
promotion (`maximum`, `floor`, `var`, `median`, `prod`, ...) give 32-bit types
for 64-bit input (Keras' `result_type` demotes int64 and float64, as JAX does),
while those it passes straight to the backend (`add`, `mean`, `sin`, ...)
keep float64.
"""
import builtins
import math

from ...backend import floatx, xp
from ...ops import cumulative as C
from ...ops import elementwise as E
from ...ops import indexing as I
from ...ops import numeric as N
from ...ops import reduce as R
from ...ops import shape as S
from ...tensor import Tensor, as_tensor
from . import names as _names
from .common import result_type, standardize_dtype, to_tensor, unimplemented

# ---------------------------------------------------------------------------- dtype rules

_DEMOTED = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}
_SMALL_INTS = ("bool", "int8", "uint8", "int16", "uint16")


def _plain_type(*args):
    """Keras' promotion of the arguments' dtypes (Python scalars weak), 64-bit kept."""
    return standardize_dtype(result_type(*args))


def _keras_type(*args):
    """Keras' `result_type` on its JAX-like backends: the promotion, with 64-bit types demoted."""
    dtype = _plain_type(*args)
    return _DEMOTED.get(dtype, dtype)


def _dtype(x):
    return _plain_type(x)


def _is_float(dtype):
    return dtype.startswith("float") or dtype == "bfloat16"


def _floatx():
    return standardize_dtype(floatx())


def _float_type(x, wide_int64=False):
    """A float input's dtype; floatx for bool and integer input (float64 for int64 when
    `wide_int64`, as Keras' cbrt, deg2rad, rad2deg and i0 give)."""
    dtype = _dtype(x)
    if _is_float(dtype):
        return dtype
    return "float64" if wide_int64 and dtype == "int64" else _floatx()


def _as_float(x, wide_int64=False):
    x = to_tensor(x)
    return to_tensor(x, _float_type(x, wide_int64))


def _pair(x1, x2, dtype):
    return to_tensor(x1, dtype), to_tensor(x2, dtype)


def _require_ints(op, *tensors):
    for t in tensors:
        if t.dtype.kind not in "biu":
            raise TypeError(f"{op} takes integer or boolean tensors. Received: dtype={t.dtype}")


def _float_unary(op, fn, wide_int64=False):
    def keras_op(x):
        return fn(_as_float(x, wide_int64))

    keras_op.__name__ = keras_op.__qualname__ = op
    keras_op.__doc__ = (f"keras.ops.{op}(x): elementwise {op}; bool and integer input gives "
                        f"floatx, float input keeps its dtype.")
    return keras_op


# ---------------------------------------------------------------------------- elementwise, float results

arccos = _float_unary("arccos", N.arccos)
arccosh = _float_unary("arccosh", N.arccosh)
arcsin = _float_unary("arcsin", N.arcsin)
arcsinh = _float_unary("arcsinh", N.arcsinh)
arctan = _float_unary("arctan", N.arctan)
arctanh = _float_unary("arctanh", N.arctanh)
cos = _float_unary("cos", N.cos)
cosh = _float_unary("cosh", N.cosh)
sin = _float_unary("sin", N.sin)
sinh = _float_unary("sinh", N.sinh)
tan = _float_unary("tan", N.tan)
tanh = _float_unary("tanh", E.tanh)
sinc = _float_unary("sinc", N.sinc)
exp = _float_unary("exp", E.exp)
exp2 = _float_unary("exp2", N.exp2)
expm1 = _float_unary("expm1", N.expm1)
log = _float_unary("log", E.log)
log10 = _float_unary("log10", N.log10)
log1p = _float_unary("log1p", N.log1p)
log2 = _float_unary("log2", N.log2)
sqrt = _float_unary("sqrt", E.sqrt)
reciprocal = _float_unary("reciprocal", N.reciprocal)
fabs = _float_unary("fabs", E.abs)
cbrt = _float_unary("cbrt", N.cbrt, wide_int64=True)
i0 = _float_unary("i0", N.i0, wide_int64=True)


def deg2rad(x):
    """Degrees to radians: x * pi / 180 (int64 input gives float64, other integers floatx)."""
    return E.mul(_as_float(x, wide_int64=True), math.pi / 180)


def rad2deg(x):
    """Radians to degrees: x * 180 / pi (int64 input gives float64, other integers floatx)."""
    return E.mul(_as_float(x, wide_int64=True), 180 / math.pi)


def angle(x):
    """The argument of each (real) element: pi where x < 0, else 0; float dtype, no gradient."""
    x = _as_float(x)
    y = xp.where(x.data < 0, xp.asarray(math.pi, dtype=x.dtype), xp.zeros((), x.dtype))
    return as_tensor(xp.where(xp.isnan(x.data), x.data, y))


# ---------------------------------------------------------------------------- elementwise, dtype kept


def abs(x):
    """|x|, in x's dtype (bool stays bool)."""
    x = to_tensor(x)
    return x if x.dtype == xp.bool_ else E.abs(x)


absolute = abs


def negative(x):
    """-x, in x's dtype (bool input is refused, as in Keras)."""
    x = to_tensor(x)
    if x.dtype == xp.bool_:
        raise TypeError("negative does not take a bool tensor; use logical_not. Received: dtype=bool")
    return E.neg(x)


def square(x):
    """x * x, in x's dtype (bool gives int32)."""
    x = to_tensor(x)
    if x.dtype == xp.bool_:
        x = to_tensor(x, "int32")
    return E.square(x)


def sign(x):
    """-1, 0 or 1 in x's dtype (bool stays bool); no gradient."""
    x = to_tensor(x)
    return x if x.dtype == xp.bool_ else N.sign(x)


def conj(x):
    """The complex conjugate: real tensors are returned as they are."""
    return to_tensor(x)


conjugate = conj


def real(x):
    """The real part: real tensors are returned as they are."""
    return to_tensor(x)


def imag(x):
    """The imaginary part: zeros of x's dtype for a real tensor."""
    x = to_tensor(x)
    return as_tensor(xp.zeros_like(x.data))


def isreal(x):
    """True where the imaginary part is 0 (everywhere for a real tensor)."""
    x = to_tensor(x)
    return as_tensor(xp.isreal(x.data))


def trunc(x):
    """x rounded towards zero, in x's dtype; no gradient."""
    return N.trunc(to_tensor(x))


def _rounding_type(x):
    """floor and ceil: floatx for integers, float input through Keras' result_type (float64 -> float32)."""
    dtype = _dtype(x)
    return _DEMOTED.get(dtype, dtype) if _is_float(dtype) else _floatx()


def floor(x):
    """The largest integer <= x, as floats; no gradient."""
    x = to_tensor(x)
    return N.floor(to_tensor(x, _rounding_type(x)))


def ceil(x):
    """The smallest integer >= x, as floats; no gradient."""
    x = to_tensor(x)
    return N.ceil(to_tensor(x, _rounding_type(x)))


def round(x, decimals=0):
    """x rounded to `decimals` places, halves to even, in x's dtype; no gradient."""
    x = to_tensor(x)
    dtype = x.dtype.name
    if dtype == "bool":
        raise TypeError("round does not take a bool tensor. Received: dtype=bool")
    if not _is_float(dtype):
        return to_tensor(N.round(to_tensor(x, _floatx()), decimals), dtype)
    return N.round(x, decimals)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with nan replaced by `nan`, +inf by `posinf` (default: the dtype's largest value) and
    -inf by `neginf` (default: its lowest). The gradient flows where x is finite."""
    x = to_tensor(x)
    if not _is_float(x.dtype.name):
        return x
    info = xp.finfo(x.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    y = E.where(xp.isnan(x.data), xp.asarray(nan, x.dtype), x)
    y = E.where(xp.isposinf(x.data), xp.asarray(posinf, x.dtype), y)
    return E.where(xp.isneginf(x.data), xp.asarray(neginf, x.dtype), y)


def clip(x, x_min, x_max):
    """x limited to [x_min, x_max]; bool input gives int32, bounds promote as Keras does."""
    x = to_tensor(x)
    if x.dtype == xp.bool_:
        x = to_tensor(x, "int32")
    dtype = _plain_type(*(v for v in (x, x_min, x_max) if v is not None))
    x = to_tensor(x, dtype)
    low = None if x_min is None else to_tensor(x_min, dtype)
    high = None if x_max is None else to_tensor(x_max, dtype)
    return E.clip(x, low, high)


# ---------------------------------------------------------------------------- tests of each element


def _bool_test(op, fn, doc):
    def keras_op(x):
        x = to_tensor(x)
        return fn(x)

    keras_op.__name__ = keras_op.__qualname__ = op
    keras_op.__doc__ = doc
    return keras_op


isnan = _bool_test("isnan", N.isnan, "True where x is nan.")
isinf = _bool_test("isinf", N.isinf, "True where x is +inf or -inf.")
isfinite = _bool_test("isfinite", N.isfinite, "True where x is neither inf nor nan.")
signbit = _bool_test("signbit", N.signbit, "True where x's sign bit is set (-0.0 included).")
logical_not = _bool_test("logical_not", N.logical_not, "not x, elementwise (bool).")


def isposinf(x):
    """True where x is +inf."""
    x = to_tensor(x)
    return as_tensor(xp.isposinf(x.data) if x.dtype.kind == "f" else xp.zeros(x.shape, bool))


def isneginf(x):
    """True where x is -inf."""
    x = to_tensor(x)
    return as_tensor(xp.isneginf(x.data) if x.dtype.kind == "f" else xp.zeros(x.shape, bool))


# ---------------------------------------------------------------------------- binary arithmetic


def add(x1, x2):
    """x1 + x2, broadcast; the dtypes promote as in Keras (Python numbers are weak)."""
    return E.add(*_pair(x1, x2, _plain_type(x1, x2)))


def subtract(x1, x2):
    """x1 - x2, broadcast."""
    return E.sub(*_pair(x1, x2, _plain_type(x1, x2)))


def multiply(x1, x2):
    """x1 * x2, broadcast."""
    return E.mul(*_pair(x1, x2, _plain_type(x1, x2)))


def divide(x1, x2):
    """x1 / x2, broadcast; integer operands give floatx."""
    dtype = _plain_type(x1, x2)
    if not _is_float(dtype):
        dtype = _floatx()
    return E.div(*_pair(x1, x2, dtype))


true_divide = divide


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 == 0 (no gradient flows through those positions)."""
    a, b = _pair(x1, x2, _keras_type(x1, x2, 1.0))
    zero = b.data == 0
    return E.where(zero, xp.zeros((), a.dtype), E.div(a, E.where(zero, xp.ones((), b.dtype), b)))


def power(x1, x2):
    """x1 ** x2, broadcast."""
    return E.pow(*_pair(x1, x2, _plain_type(x1, x2)))


def mod(x1, x2):
    """x1 mod x2 with the sign of x2 (Python's %), broadcast."""
    return N.mod(*_pair(x1, x2, _plain_type(x1, x2)))


def fmod(x1, x2):
    """The remainder of x1 / x2 with the sign of x1 (C's fmod), broadcast."""
    return N.fmod(*_pair(x1, x2, _plain_type(x1, x2)))


def floor_divide(x1, x2):
    """floor(x1 / x2), broadcast; no gradient."""
    return N.floor_divide(*_pair(x1, x2, _keras_type(x1, x2)))


def maximum(x1, x2):
    """The larger of x1 and x2 (nan if either is nan); ties share the gradient."""
    return E.maximum(*_pair(x1, x2, _keras_type(x1, x2)))


def minimum(x1, x2):
    """The smaller of x1 and x2 (nan if either is nan); ties share the gradient."""
    return E.minimum(*_pair(x1, x2, _keras_type(x1, x2)))


def fmax(x1, x2):
    """The larger of x1 and x2, ignoring a nan (nan only where both are)."""
    a, b = _pair(x1, x2, _keras_type(x1, x2))
    return E.where((a.data >= b.data) | xp.isnan(b.data), a, b)


def fmin(x1, x2):
    """The smaller of x1 and x2, ignoring a nan (nan only where both are)."""
    a, b = _pair(x1, x2, _keras_type(x1, x2))
    return E.where((a.data <= b.data) | xp.isnan(b.data), a, b)


def _float_binary(op, fn):
    def keras_op(x1, x2):
        x1, x2 = to_tensor(x1), to_tensor(x2)  # Keras makes Python numbers tensors first
        return fn(*_pair(x1, x2, _keras_type(x1, x2, 1.0)))

    keras_op.__name__ = keras_op.__qualname__ = op
    keras_op.__doc__ = f"keras.ops.{op}(x1, x2), broadcast, in Keras' float type of the operands."
    return keras_op


arctan2 = _float_binary("arctan2", N.arctan2)
hypot = _float_binary("hypot", N.hypot)
logaddexp = _float_binary("logaddexp", N.logaddexp)
logaddexp2 = _float_binary("logaddexp2", N.logaddexp2)
nextafter = _float_binary("nextafter", N.nextafter)


def heaviside(x1, x2):
    """0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0; floats (integers give floatx)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = _keras_type(x1, x2)
    if not _is_float(dtype):
        dtype = _floatx()
    return N.heaviside(*_pair(x1, x2, dtype))


def ldexp(x1, x2):
    """x1 * 2 ** x2 for an integer exponent x2; differentiable in x1."""
    b = to_tensor(x2)
    if b.dtype.kind not in "iu":
        raise TypeError(f"ldexp: the exponent must be an integer tensor. Received: x2 dtype={b.dtype}")
    dtype = _keras_type(x1, b, 1.0)
    return E.mul(to_tensor(x1, dtype), xp.exp2(b.data.astype(dtype)))


def gcd(x1, x2):
    """The greatest common divisor of integer tensors, broadcast."""
    a, b = _pair(x1, x2, _plain_type(x1, x2))
    _require_ints("gcd", a, b)
    return N.gcd(a, b)


def lcm(x1, x2):
    """The least common multiple of integer tensors, broadcast."""
    a, b = _pair(x1, x2, _plain_type(x1, x2))
    _require_ints("lcm", a, b)
    return N.lcm(a, b)


# ---------------------------------------------------------------------------- bits and logic


def _bitwise(op, fn):
    def keras_op(x, y):
        dtype = _plain_type(x, y)
        if op.endswith("shift") and _dtype(x) == "bool" and isinstance(y, builtins.int):
            dtype = "int64"  # Keras' torch backend shifts a bool tensor by a Python int in int64
        a, b = _pair(x, y, dtype)
        _require_ints(op, to_tensor(x), to_tensor(y))
        return fn(a, b)

    keras_op.__name__ = keras_op.__qualname__ = op
    keras_op.__doc__ = f"keras.ops.{op}(x, y) on integer or bool tensors, broadcast."
    return keras_op


bitwise_and = _bitwise("bitwise_and", N.bitwise_and)
bitwise_or = _bitwise("bitwise_or", N.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", N.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", N.left_shift)
bitwise_right_shift = _bitwise("bitwise_right_shift", N.right_shift)
left_shift = _bitwise("left_shift", N.left_shift)
right_shift = _bitwise("right_shift", N.right_shift)


def bitwise_invert(x):
    """~x on an integer or bool tensor."""
    x = to_tensor(x)
    _require_ints("bitwise_invert", x)
    return N.bitwise_invert(x)


bitwise_not = bitwise_invert


def _logical(op, fn):
    def keras_op(x1, x2):
        return fn(to_tensor(x1), to_tensor(x2))

    keras_op.__name__ = keras_op.__qualname__ = op
    keras_op.__doc__ = f"keras.ops.{op}(x1, x2): elementwise, on the truth of each element (bool)."
    return keras_op


logical_and = _logical("logical_and", N.logical_and)
logical_or = _logical("logical_or", N.logical_or)
logical_xor = _logical("logical_xor", N.logical_xor)


# ---------------------------------------------------------------------------- comparisons


def _comparison(op, fn):
    def keras_op(x1, x2):
        return fn(*_pair(x1, x2, _plain_type(x1, x2)))

    keras_op.__name__ = keras_op.__qualname__ = op
    keras_op.__doc__ = f"keras.ops.{op}(x1, x2): elementwise, broadcast (bool; no gradient)."
    return keras_op


equal = _comparison("equal", E.equal)
not_equal = _comparison("not_equal", E.not_equal)
greater = _comparison("greater", E.greater)
greater_equal = _comparison("greater_equal", E.greater_equal)
less = _comparison("less", E.less)
less_equal = _comparison("less_equal", E.less_equal)


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|x1 - x2| <= atol + rtol |x2|, elementwise (bool); integers compare exactly."""
    a, b = _pair(x1, x2, _keras_type(to_tensor(x1), to_tensor(x2)))
    if not _is_float(a.dtype.name):
        return as_tensor(a.data == b.data)
    return as_tensor(xp.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether isclose holds everywhere (a bool scalar tensor)."""
    return as_tensor(xp.asarray(xp.all(isclose(x1, x2, rtol, atol, equal_nan).data)))


# ---------------------------------------------------------------------------- reductions


def _axis(axis):
    """An axis argument as None, an int or a tuple (lists become tuples)."""
    if isinstance(axis, Tensor):
        axis = axis.data.tolist()
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis


def _empty_axis(axis):
    return isinstance(axis, tuple) and not axis


def sum(x, axis=None, keepdims=False):
    """The sum over `axis`; bool and small integers give int32."""
    x = to_tensor(x)
    axis = _axis(axis)
    if _empty_axis(axis):
        return x
    dtype = "int32" if x.dtype.name in _SMALL_INTS else x.dtype.name
    return to_tensor(R.sum(to_tensor(x, dtype), axis=axis, keepdims=keepdims), dtype)


def mean(x, axis=None, keepdims=False):
    """The mean over `axis`; bool and integer input gives float32."""
    x = to_tensor(x)
    axis = _axis(axis)
    if _empty_axis(axis):
        return x
    return R.mean(_as_float(x), axis=axis, keepdims=keepdims)


def _extreme(x, axis, keepdims, initial, reducer, combine, op):
    x = to_tensor(x)
    axis = _axis(axis)
    if _empty_axis(axis):
        return x
    if x.size == 0:
        if initial is None:
            raise ValueError(f"Cannot compute the {op} of an empty tensor.")
        shape = (1,) * x.ndim if keepdims else ()
        return as_tensor(xp.full(shape, initial, dtype=x.dtype))
    y = reducer(x, axis=axis, keepdims=keepdims)
    if initial is not None:
        y = combine(y, to_tensor(initial, y.dtype.name))
    return y


def max(x, axis=None, keepdims=False, initial=None):
    """The largest element over `axis`, at least `initial`; ties share the gradient."""
    return _extreme(x, axis, keepdims, initial, R.max, E.maximum, "max")


def min(x, axis=None, keepdims=False, initial=None):
    """The smallest element over `axis`, at most `initial`; ties share the gradient."""
    return _extreme(x, axis, keepdims, initial, R.min, E.minimum, "min")


def amax(x, axis=None, keepdims=False):
    """The largest element over `axis`."""
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """The smallest element over `axis`."""
    return min(x, axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    """max - min over `axis`, in x's dtype."""
    x = to_tensor(x)
    if x.dtype == xp.bool_:
        raise TypeError("ptp does not take a bool tensor. Received: dtype=bool")
    axis = _axis(axis)
    if _empty_axis(axis):
        return as_tensor(xp.zeros_like(x.data))
    return E.sub(R.max(x, axis=axis, keepdims=keepdims), R.min(x, axis=axis, keepdims=keepdims))


def prod(x, axis=None, keepdims=False, dtype=None):
    """The product over `axis`. Without `dtype`: bool and small integers give int32 and 64-bit
    types are demoted to 32 bits, as Keras does."""
    x = to_tensor(x)
    if dtype is None:
        dtype = _keras_type(x)
        dtype = "int32" if dtype in _SMALL_INTS else dtype
    else:
        dtype = standardize_dtype(dtype)
    return to_tensor(R.prod(to_tensor(x, dtype), axis=_axis(axis), keepdims=keepdims), dtype)


def var(x, axis=None, keepdims=False):
    """The variance over `axis` (no Bessel correction); float32 for int and float64 input, as in Keras."""
    x = to_tensor(x)
    dtype = _keras_type(x, 1.0)
    axis = _axis(axis)
    if _empty_axis(axis):
        return as_tensor(xp.zeros(x.shape, dtype=dtype))
    return R.var(to_tensor(x, dtype), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """The standard deviation over `axis` (no Bessel correction); integer input gives float32."""
    return R.std(_as_float(x), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    """Whether every element over `axis` is nonzero (bool)."""
    return C.all(to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    """Whether some element over `axis` is nonzero (bool)."""
    return C.any(to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def count_nonzero(x, axis=None):
    """The number of nonzero elements over `axis` (int32)."""
    x = to_tensor(x)
    axis = _axis(axis)
    if _empty_axis(axis):
        return as_tensor((x.data != 0).astype(xp.int32))
    return to_tensor(C.count_nonzero(x, axis=axis), "int32")


def _arg(op, x, axis, keepdims):
    """argmax or argmin as int32; bool input is compared as 0 and 1."""
    x = to_tensor(x)
    if x.dtype == xp.bool_:
        x = to_tensor(x, "uint8")
    return to_tensor(op(x, axis=axis, keepdims=keepdims), "int32")


def argmax(x, axis=None, keepdims=False):
    """The index of the first largest element along `axis` (of the flattened x for None), int32."""
    return _arg(C.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """The index of the first smallest element along `axis` (of the flattened x for None), int32."""
    return _arg(C.argmin, x, axis, keepdims)


def average(x, axis=None, weights=None):
    """The weighted mean over `axis`: sum(x w) / sum(w). 1-D weights run along `axis`; float32
    for integer and float64 input, as in Keras."""
    x = to_tensor(x)
    args = [x, 1.0] + ([] if weights is None else [to_tensor(weights)])
    dtype = _keras_type(*args)
    x = to_tensor(x, dtype)
    axis = _axis(axis)
    if _empty_axis(axis):
        return x
    if weights is None:
        return R.mean(x, axis=axis)
    w = to_tensor(weights, dtype)
    if w.ndim == 1 and x.ndim > 1 and axis is not None:
        shape = [1] * x.ndim
        shape[axis % x.ndim] = w.shape[0]
        w = S.reshape(w, tuple(shape))
    if w.shape != x.shape:
        w = S.broadcast_to(w, x.shape)
    return E.div(R.sum(E.mul(x, w), axis=axis), R.sum(w, axis=axis))


# ---------------------------------------------------------------------------- nan-ignoring reductions


def _nan_mask(x):
    return xp.isnan(x.data) if x.dtype.kind == "f" else xp.zeros(x.shape, dtype=bool)


def _nan_filled(x, value):
    """x with nan replaced by `value` (the gradient flows to the other elements)."""
    nan = _nan_mask(x)
    return E.where(nan, xp.asarray(value, dtype=x.dtype), x) if nan.any() else x


def nansum(x, axis=None, keepdims=False):
    """The sum over `axis`, nan counted as 0."""
    x = to_tensor(x)
    dtype = "int32" if x.dtype.name in _SMALL_INTS else x.dtype.name
    axis = _axis(axis)
    x = _nan_filled(x, 0)
    if _empty_axis(axis):
        return to_tensor(x, dtype)
    return to_tensor(R.sum(to_tensor(x, dtype), axis=axis, keepdims=keepdims), dtype)


def nanprod(x, axis=None, keepdims=False):
    """The product over `axis`, nan counted as 1."""
    x = to_tensor(x)
    axis = _axis(axis)
    x = _nan_filled(x, 1)
    if _empty_axis(axis):
        return x
    return prod(x, axis=axis, keepdims=keepdims)


def _count(x, axis, keepdims):
    """The number of non-nan elements over `axis`, as x's float dtype."""
    valid = ~_nan_mask(x)
    return xp.sum(valid, axis=R._axes(axis, x.ndim), keepdims=keepdims).astype(x.dtype)


def nanmean(x, axis=None, keepdims=False):
    """The mean over `axis` of the non-nan elements (nan where there are none)."""
    x = to_tensor(x)
    x = to_tensor(x, _keras_type(x, 1.0))
    axis = _axis(axis)
    if _empty_axis(axis):
        return x
    with xp.errstate(invalid="ignore", divide="ignore"):
        return E.div(R.sum(_nan_filled(x, 0), axis=axis, keepdims=keepdims), _count(x, axis, keepdims))


def nanvar(x, axis=None, keepdims=False):
    """The variance over `axis` of the non-nan elements (no Bessel correction)."""
    x = to_tensor(x)
    x = to_tensor(x, _keras_type(x, 1.0))
    axis = _axis(axis)
    if _empty_axis(axis):
        return as_tensor(xp.where(xp.isnan(x.data), x.data, 0).astype(x.dtype))
    with xp.errstate(invalid="ignore", divide="ignore"):
        centred = E.sub(_nan_filled(x, 0), nanmean(x, axis=axis, keepdims=True))
        centred = _nan_filled(E.where(_nan_mask(x), xp.zeros((), x.dtype), centred), 0)
        return E.div(R.sum(E.square(centred), axis=axis, keepdims=keepdims), _count(x, axis, keepdims))


def nanstd(x, axis=None, keepdims=False):
    """The standard deviation over `axis` of the non-nan elements."""
    return E.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_extreme(x, axis, keepdims, fill, reducer):
    x = to_tensor(x)
    axis = _axis(axis)
    if _empty_axis(axis):
        return x
    if x.dtype.kind != "f":
        return reducer(x, axis=axis, keepdims=keepdims)
    nan = _nan_mask(x)
    y = reducer(_nan_filled(x, fill), axis=axis, keepdims=keepdims)
    all_nan = xp.all(nan, axis=R._axes(axis, x.ndim), keepdims=keepdims)
    return E.where(all_nan, xp.asarray(xp.nan, dtype=x.dtype), y) if all_nan.any() else y


def nanmax(x, axis=None, keepdims=False):
    """The largest non-nan element over `axis` (nan where all are nan)."""
    return _nan_extreme(x, axis, keepdims, -xp.inf, R.max)


def nanmin(x, axis=None, keepdims=False):
    """The smallest non-nan element over `axis` (nan where all are nan)."""
    return _nan_extreme(x, axis, keepdims, xp.inf, R.min)


def _nan_arg(x, axis, keepdims, fill, arg):
    x = to_tensor(x)
    if x.dtype.kind != "f":
        return arg(x, axis=axis, keepdims=keepdims)
    nan = _nan_mask(x)
    index = arg(as_tensor(xp.where(nan, fill, x.data)), axis=axis, keepdims=keepdims)
    all_nan = xp.all(nan, axis=axis, keepdims=keepdims)
    return as_tensor(xp.where(all_nan, xp.int32(-1), index.data).astype(xp.int32))


def nanargmax(x, axis=None, keepdims=False):
    """argmax ignoring nan (-1 where all are nan), int32."""
    return _nan_arg(x, axis, keepdims, -xp.inf, argmax)


def nanargmin(x, axis=None, keepdims=False):
    """argmin ignoring nan (-1 where all are nan), int32."""
    return _nan_arg(x, axis, keepdims, xp.inf, argmin)


# ---------------------------------------------------------------------------- cumulative ops and differences


def _cumulative_type(x, dtype):
    dtype = _keras_type(x if dtype is None else standardize_dtype(dtype))
    return "int32" if dtype == "bool" else dtype


def cumsum(x, axis=None, dtype=None):
    """Running sums along `axis` (of the flattened x for None); bool gives int32, 64-bit types
    become 32-bit as in Keras."""
    x = to_tensor(x)
    return C.cumsum(to_tensor(x, _cumulative_type(x, dtype)), axis=axis)


def cumprod(x, axis=None, dtype=None):
    """Running products along `axis` (of the flattened x for None); the gradient is exact with zeros."""
    x = to_tensor(x)
    return C.cumprod(to_tensor(x, _cumulative_type(x, dtype)), axis=axis)


def nancumsum(x, axis=None, dtype=None):
    """cumsum with nan counted as 0."""
    return cumsum(_nan_filled(to_tensor(x), 0), axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """cumprod with nan counted as 1."""
    return cumprod(_nan_filled(to_tensor(x), 1), axis=axis, dtype=dtype)


def diff(a, n=1, axis=-1):
    """The n-th forward difference along `axis`: out[i] = a[i+1] - a[i], n times."""
    a = to_tensor(a)
    axis = int(axis) % a.ndim
    for _ in range(n):
        size = a.shape[axis]
        upper = (slice(None),) * axis + (slice(1, size),)
        lower = (slice(None),) * axis + (slice(0, builtins.max(size - 1, 0)),)
        if a.dtype == xp.bool_:
            a = as_tensor(a.data[upper] != a.data[lower])
        else:
            a = E.sub(S.getitem(a, upper), S.getitem(a, lower))
    return a


# ---------------------------------------------------------------------------- order statistics

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(x, q, axis, method, keepdims, ignore_nan):
    """Quantiles `q` (in [0, 1]) over `axis` by sorting: the q-th value of each slice at rank
    q (n - 1), interpolated by `method`. Differentiable in x through the sort and the gathers.
    The output has q's shape first, then x's kept axes."""
    if method not in _METHODS:
        raise ValueError(f"quantile: method must be one of {_METHODS}. Received: method={method!r}")
    x = to_tensor(x)
    result_dtype = _keras_type(x, 1.0)
    compute = to_tensor(x, result_dtype)
    qs = xp.asarray(q.data if isinstance(q, Tensor) else q, dtype=xp.float64)
    if qs.ndim > 1:
        raise ValueError(f"quantile: q must be a scalar or 1-D. Received: q with shape {qs.shape}")
    if qs.size and (qs.min() < 0 or qs.max() > 1):
        raise ValueError(f"quantile: q must lie in [0, 1]. Received: q={qs.tolist()}")
    ndim = compute.ndim
    axis = _axis(axis)
    axes = tuple(range(ndim)) if axis is None else tuple(
        sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)))
    kept = tuple(a for a in range(ndim) if a not in axes)
    moved = S.transpose(compute, kept + axes) if kept + axes != tuple(range(ndim)) else compute
    flat = S.reshape(moved, tuple(compute.shape[a] for a in kept) + (-1,))
    ordered = I.sort(flat, axis=-1)
    n = flat.shape[-1]
    nan = xp.isnan(flat.data)
    if ignore_nan:
        count = (n - nan.sum(axis=-1, keepdims=True)).astype(xp.float64)
        empty = count == 0
    else:
        count = xp.full(flat.shape[:-1] + (1,), float(n))
        empty = nan.any(axis=-1, keepdims=True)
    top = xp.maximum(count - 1, 0).astype(xp.int64)
    outs = []
    for qv in qs.reshape(-1):
        rank = qv * (count - 1)
        low = xp.clip(xp.floor(rank), 0, top).astype(xp.int64)
        high = xp.clip(xp.ceil(rank), 0, top).astype(xp.int64)
        if method == "lower":
            y = I.take_along_axis(ordered, low, axis=-1)
        elif method == "higher":
            y = I.take_along_axis(ordered, high, axis=-1)
        elif method == "nearest":
            y = I.take_along_axis(ordered, xp.clip(xp.round(rank), 0, top).astype(xp.int64), axis=-1)
        else:
            a = I.take_along_axis(ordered, low, axis=-1)
            b = I.take_along_axis(ordered, high, axis=-1)
            if method == "midpoint":
                y = E.mul(E.add(a, b), 0.5)
            else:
                frac = (rank - low).astype(flat.dtype)
                y = E.add(a, E.mul(E.sub(b, a), frac))
        if empty.any():
            y = E.where(empty, xp.asarray(xp.nan, dtype=flat.dtype), y)
        outs.append(S.reshape(y, y.shape[:-1]))
    out = outs[0] if qs.ndim == 0 else S.stack(outs, axis=0)
    if keepdims:
        shape = list(out.shape)
        offset = qs.ndim
        for a in axes:
            shape.insert(a + offset, 1)
        out = S.reshape(out, tuple(shape))
    return to_tensor(out, result_dtype)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th quantiles (q in [0, 1], scalar or 1-D) over `axis`; nan in a slice gives nan."""
    return _quantile(x, q, axis, method, keepdims, ignore_nan=False)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """quantile over the non-nan elements (nan where a slice has none)."""
    return _quantile(x, q, axis, method, keepdims, ignore_nan=True)


def _percent(q):
    return xp.asarray(q.data if isinstance(q, Tensor) else q, dtype=xp.float64) / 100


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th percentiles (q in [0, 100]) over `axis`."""
    return _quantile(x, _percent(q), axis, method, keepdims, ignore_nan=False)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """percentile over the non-nan elements."""
    return _quantile(x, _percent(q), axis, method, keepdims, ignore_nan=True)


def median(x, axis=None, keepdims=False):
    """The median over `axis` (the mean of the two middle values for an even count)."""
    return _quantile(x, 0.5, axis, "linear", keepdims, ignore_nan=False)


def nanmedian(x, axis=None, keepdims=False):
    """The median over `axis` of the non-nan elements."""
    return _quantile(x, 0.5, axis, "linear", keepdims, ignore_nan=True)


# ---------------------------------------------------------------------------- window functions


def _window_length(x):
    m = int(x.data) if isinstance(x, Tensor) else int(x)
    return m


def _window(values):
    return as_tensor(xp.asarray(values, dtype=_floatx()))


def _cosine_window(m, coefficients):
    """sum_k (-1)^k a_k cos(2 pi k n / (m - 1)), n = 0 .. m-1 (1 for m == 1, empty for m < 1)."""
    if m < 1:
        return _window(xp.zeros(0))
    if m == 1:
        return _window(xp.ones(1))
    n = xp.arange(m, dtype=xp.float64)
    values = xp.zeros(m)
    for k, a in enumerate(coefficients):
        values = values + (-1) ** k * a * xp.cos(2 * math.pi * k * n / (m - 1))
    return _window(values)


def bartlett(x):
    """The Bartlett (triangular) window of length x: 1 - |2n/(M-1) - 1|."""
    m = _window_length(x)
    if m < 2:
        return _window(xp.ones(builtins.max(m, 0)))
    n = xp.arange(m, dtype=xp.float64)
    return _window(1 - xp.abs(2 * n / (m - 1) - 1))


def blackman(x):
    """The Blackman window of length x: 0.42 - 0.5 cos(2 pi n/(M-1)) + 0.08 cos(4 pi n/(M-1))."""
    return _cosine_window(_window_length(x), (0.42, 0.5, 0.08))


def hamming(x):
    """The Hamming window of length x: 0.54 - 0.46 cos(2 pi n/(M-1))."""
    return _cosine_window(_window_length(x), (0.54, 0.46))


def hanning(x):
    """The Hann window of length x: 0.5 - 0.5 cos(2 pi n/(M-1))."""
    return _cosine_window(_window_length(x), (0.5, 0.5))


def kaiser(x, beta):
    """The Kaiser window of length x: I0(beta sqrt(1 - (2n/(M-1) - 1)^2)) / I0(beta)."""
    m = _window_length(x)
    if m < 2:
        return _window(xp.ones(builtins.max(m, 0)))
    n = xp.arange(m, dtype=xp.float64)
    r = 2 * n / (m - 1) - 1
    return _window(xp.i0(beta * xp.sqrt(xp.clip(1 - r * r, 0, None))) / xp.i0(float(beta)))


__getattr__ = unimplemented(__name__, _names.PROVIDERS["numpy_math"])
