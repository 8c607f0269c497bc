"""tf.math: elementwise math, comparisons and reductions, with TensorFlow's names and keywords.

Each function is a thin wrapper over a deepgrad op (gradients come from the op);
the ones that have no gradient in TensorFlow (comparisons, sign, floor, argmax,
...) return constant tensors. Keyword names and defaults are TensorFlow's
(`axis=None`, `keepdims=False`); `name=` is accepted and ignored.

    import deepgrad as tf
    tf.math.reduce_mean(tf.math.square(y - y_hat))
"""
import builtins
import math as _pymath
from collections import namedtuple

from . import errors as _errors
from . import ops
from .backend import xp
from .ops import activations as _activations
from .ops import arrange as _arrange
from .ops import cumulative as _cumulative
from .ops import elementwise as _elementwise
from .ops import numeric as _numeric
from .ops import reduce as _reduce
from .ops import segment as _segment
from .tensor import Tensor, as_tensor, attach
from .missing import not_implemented


def _axis(axis):
    """TensorFlow's axis argument (int, list, tuple, array or tensor) as None, an int or a tuple."""
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        axis = axis.data
    if isinstance(axis, xp.ndarray):
        axis = axis.tolist()
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _constant(array):
    """A tensor without gradient holding `array`."""
    return as_tensor(xp.asarray(array))


# ----------------------------------------------------------------------------- arithmetic


def add(x, y, name=None):
    """x + y, broadcasting."""
    return ops.add(x, y)


def subtract(x, y, name=None):
    """x - y, broadcasting."""
    return ops.sub(x, y)


def multiply(x, y, name=None):
    """x * y, broadcasting."""
    return ops.mul(x, y)


def divide(x, y, name=None):
    """x / y, broadcasting (true division)."""
    return ops.div(x, y)


truediv = divide


def divide_no_nan(x, y, name=None):
    """x / y, and 0 where y == 0 (with a zero gradient there)."""
    x, y = as_tensor(x), as_tensor(y)
    zero = ops.equal(y, 0).data
    safe = ops.where(zero, 1, y)
    return ops.where(zero, 0, ops.div(x, safe))


def pow(x, y, name=None):  # noqa: A001 (TensorFlow's name)
    """x ** y, broadcasting."""
    return ops.pow(x, y)


def square(x, name=None):
    return ops.square(x)


def sqrt(x, name=None):
    return ops.sqrt(x)


def rsqrt(x, name=None):
    """1 / sqrt(x)."""
    return ops.div(1, ops.sqrt(x))


def reciprocal(x, name=None):
    """1 / x."""
    return ops.div(1, x)


def exp(x, name=None):
    return ops.exp(x)


def log(x, name=None):
    """Natural logarithm."""
    return ops.log(x)


def log1p(x, name=None):
    """log(1 + x)."""
    return ops.log(ops.add(x, 1))


def abs(x, name=None):  # noqa: A001 (TensorFlow's name)
    return ops.abs(x)


def negative(x, name=None):
    return ops.neg(x)


def maximum(x, y, name=None):
    """Elementwise max, broadcasting (the gradient goes to the larger input)."""
    return ops.maximum(x, y)


def minimum(x, y, name=None):
    """Elementwise min, broadcasting (the gradient goes to the smaller input)."""
    return ops.minimum(x, y)


def squared_difference(x, y, name=None):
    """(x - y)^2."""
    return ops.square(ops.sub(x, y))


def add_n(inputs, name=None):
    """The sum of a list of tensors of the same shape."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("add_n: expects a non-empty list of tensors. Received: []")
    total = as_tensor(inputs[0])
    for t in inputs[1:]:
        total = ops.add(total, t)
    return total


def sigmoid(x, name=None):
    return ops.sigmoid(x)


def tanh(x, name=None):
    return ops.tanh(x)


def softplus(features, name=None):
    """log(1 + e^x), stable for any finite x."""
    return ops.softplus(features)


def log_sigmoid(x, name=None):
    """log(sigmoid(x)) = -softplus(-x), stable for any finite x."""
    return ops.neg(ops.softplus(ops.neg(x)))


def softmax(logits, axis=None, name=None):
    """e^x / sum(e^x) over `axis` (the last axis when None)."""
    from .ops import nn as _nn

    return _nn.softmax(logits, -1 if axis is None else _axis(axis))


def log_softmax(logits, axis=None, name=None):
    """x - logsumexp(x) over `axis` (the last axis when None)."""
    from .ops import nn as _nn

    return _nn.log_softmax(logits, -1 if axis is None else _axis(axis))


def l2_normalize(x, axis=None, epsilon=1e-12, name=None):
    """x / sqrt(max(sum(x^2, axis), epsilon)); all axes when `axis` is None."""
    from .ops import nn as _nn

    x = as_tensor(x)
    axis = tuple(builtins.range(x.ndim)) if axis is None else _axis(axis)
    return _nn.l2_normalize(x, axis, epsilon)


# ----------------------------------------------------------------------------- no gradient


def sign(x, name=None):
    return _constant(xp.sign(as_tensor(x).data))


def floor(x, name=None):
    return _constant(xp.floor(as_tensor(x).data))


def ceil(x, name=None):
    return _constant(xp.ceil(as_tensor(x).data))


def round(x, name=None):  # noqa: A001 (TensorFlow's name)
    """Round half to even, as TensorFlow."""
    return _constant(xp.round(as_tensor(x).data))


def floordiv(x, y, name=None):
    x, y = ops.elementwise._pair("floordiv", x, y)
    return _constant(xp.floor_divide(x.data, y.data))


def floormod(x, y, name=None):
    x, y = ops.elementwise._pair("floormod", x, y)
    return _constant(xp.mod(x.data, y.data))


mod = floormod


def equal(x, y, name=None):
    return ops.equal(x, y)


def not_equal(x, y, name=None):
    return ops.not_equal(x, y)


def greater(x, y, name=None):
    return ops.greater(x, y)


def greater_equal(x, y, name=None):
    return ops.greater_equal(x, y)


def less(x, y, name=None):
    return ops.less(x, y)


def less_equal(x, y, name=None):
    return ops.less_equal(x, y)


def logical_and(x, y, name=None):
    return _constant(xp.logical_and(as_tensor(x).data, as_tensor(y).data))


def logical_or(x, y, name=None):
    return _constant(xp.logical_or(as_tensor(x).data, as_tensor(y).data))


def logical_xor(x, y, name=None):
    return _constant(xp.logical_xor(as_tensor(x).data, as_tensor(y).data))


def logical_not(x, name=None):
    return _constant(xp.logical_not(as_tensor(x).data))


def is_nan(x, name=None):
    return _constant(xp.isnan(as_tensor(x).data))


def is_inf(x, name=None):
    return _constant(xp.isinf(as_tensor(x).data))


def is_finite(x, name=None):
    return _constant(xp.isfinite(as_tensor(x).data))


def argmax(input, axis=None, output_type=xp.int64, name=None):  # noqa: A002
    """Index of the largest value along `axis` (axis 0 when None, as TensorFlow)."""
    data = as_tensor(input).data
    return _constant(xp.argmax(data, axis=0 if axis is None else _axis(axis)).astype(output_type))


def argmin(input, axis=None, output_type=xp.int64, name=None):  # noqa: A002
    """Index of the smallest value along `axis` (axis 0 when None, as TensorFlow)."""
    data = as_tensor(input).data
    return _constant(xp.argmin(data, axis=0 if axis is None else _axis(axis)).astype(output_type))


def count_nonzero(input, axis=None, keepdims=False, dtype=xp.int64, name=None):  # noqa: A002
    data = as_tensor(input).data
    return _constant(xp.count_nonzero(data, axis=_axis(axis), keepdims=keepdims).astype(dtype))


# ----------------------------------------------------------------------------- reductions


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over `axis` (all axes when None). Integer inputs keep their dtype, as TensorFlow."""
    x = as_tensor(input_tensor)
    y = ops.sum(x, _axis(axis), keepdims)
    if x.dtype.kind in "iu" and y.dtype != x.dtype:
        y = ops.cast(y, x.dtype)
    return y


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over `axis` (all axes when None).

    Integer inputs give an integer mean truncated toward zero, as TensorFlow
    (cast to float first for the exact mean).
    """
    x = as_tensor(input_tensor)
    if x.dtype.kind in "iu":
        total = xp.sum(x.data, axis=_reduce._axes(_axis(axis), x.ndim), keepdims=keepdims)
        count = x.size // builtins.max(total.size, 1) if x.size else 1
        return _constant(xp.asarray(total / count).astype(x.dtype))
    return ops.mean(x, _axis(axis), keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Max over `axis`; the gradient is shared equally among tied maxima."""
    return ops.max(input_tensor, _axis(axis), keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Min over `axis`; the gradient is shared equally among tied minima."""
    return ops.min(input_tensor, _axis(axis), keepdims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product over `axis` (exact gradient also where the input holds zeros)."""
    return _reduce.prod(input_tensor, _axis(axis), keepdims)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Population variance (divides by n) over `axis`."""
    return ops.var(input_tensor, _axis(axis), keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Population standard deviation (divides by n) over `axis`."""
    return ops.std(input_tensor, _axis(axis), keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) over `axis`, computed stably."""
    return ops.logsumexp(input_tensor, _axis(axis), keepdims)


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x^2)) over `axis`."""
    return ops.sqrt(ops.sum(ops.square(input_tensor), _axis(axis), keepdims))


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    return _constant(xp.any(as_tensor(input_tensor).data, axis=_axis(axis), keepdims=keepdims))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    return _constant(xp.all(as_tensor(input_tensor).data, axis=_axis(axis), keepdims=keepdims))


# ----------------------------------------------------------------------------- trigonometry, erf


def _unary(op, doc):
    def fn(x, name=None):
        return op(x)

    fn.__name__ = op.__name__
    fn.__doc__ = doc
    return fn


sin = _unary(_numeric.sin, "sin(x), elementwise.")
cos = _unary(_numeric.cos, "cos(x), elementwise.")
tan = _unary(_numeric.tan, "tan(x), elementwise.")
asin = _unary(_numeric.arcsin, "arcsin(x), elementwise.")
acos = _unary(_numeric.arccos, "arccos(x), elementwise.")
atan = _unary(_numeric.arctan, "arctan(x), elementwise.")
sinh = _unary(_numeric.sinh, "sinh(x), elementwise.")
cosh = _unary(_numeric.cosh, "cosh(x), elementwise.")
asinh = _unary(_numeric.arcsinh, "arcsinh(x), elementwise.")
acosh = _unary(_numeric.arccosh, "arccosh(x), elementwise.")
atanh = _unary(_numeric.arctanh, "arctanh(x), elementwise.")
erf = _unary(_numeric.erf, "The error function 2/sqrt(pi) int_0^x e^(-t^2) dt, elementwise.")
erfc = _unary(_numeric.erfc, "1 - erf(x), accurate for large x.")
erfinv = _unary(_numeric.erfinv, "The inverse of erf on (-1, 1).")
expm1 = _unary(_numeric.expm1, "e^x - 1, accurate near 0.")
softsign = _unary(_activations.softsign, "x / (1 + |x|).")


def atan2(y, x, name=None):
    """The angle of the point (x, y), in (-pi, pi]."""
    return _numeric.arctan2(y, x)


# ----------------------------------------------------------------------------- scans, top-k, segments


def _scan(op, x, axis, exclusive, reverse):
    """op (cumsum or cumprod) along `axis`; exclusive: shifted by one (starting at the identity);
    reverse: from the end."""
    x = as_tensor(x)
    axis = int(axis) % x.ndim
    if reverse:
        x = _arrange.flip(x, axis)
    y = op(x, axis)
    if exclusive:
        identity = 0 if op is _cumulative.cumsum else 1
        pads = [(0, 0)] * x.ndim
        pads[axis] = (1, 0)
        y = ops.pad(ops.getitem(y, (slice(None),) * axis + (slice(0, -1),)), pads, identity)
    return _arrange.flip(y, axis) if reverse else y


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sums along `axis` (TensorFlow's exclusive and reverse variants)."""
    return _scan(_cumulative.cumsum, x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running products along `axis` (TensorFlow's exclusive and reverse variants)."""
    return _scan(_cumulative.cumprod, x, axis, exclusive, reverse)


TopKV2 = namedtuple("TopKV2", "values indices")


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002 (TensorFlow's names)
    """(values, indices) of the k largest entries along the last axis; the values carry the gradient."""
    values, indices = _segment.top_k(input, k, sorted=sorted)
    return TopKV2(values, ops.cast(indices, "int32"))


def in_top_k(targets, predictions, k, name=None):
    """Whether each target's prediction is among the k largest of its row (ties count as in)."""
    predictions = as_tensor(predictions).data
    targets = xp.asarray(as_tensor(targets).data, dtype=xp.int64)
    target_scores = predictions[xp.arange(len(targets)), targets]
    return _constant((predictions > target_scores[:, None]).sum(axis=1) < k)


def _segment_reduction(op, doc):
    def sorted_ids(data, segment_ids, name=None):
        return op(data, segment_ids)

    def unsorted_ids(data, segment_ids, num_segments, name=None):
        return op(data, segment_ids, num_segments=int(num_segments))

    sorted_ids.__doc__ = f"The {doc} of the rows of `data` with equal (sorted) segment ids."
    unsorted_ids.__doc__ = f"The {doc} of the rows of `data` per segment id, for `num_segments` segments."
    return sorted_ids, unsorted_ids


segment_sum, unsorted_segment_sum = _segment_reduction(_segment.segment_sum, "sum")
segment_max, unsorted_segment_max = _segment_reduction(_segment.segment_max, "maximum")
segment_min, unsorted_segment_min = _segment_reduction(_segment.segment_min, "minimum")
segment_prod, unsorted_segment_prod = _segment_reduction(_segment.segment_prod, "product")

segment_mean, unsorted_segment_mean = _segment_reduction(
    lambda data, ids, num_segments=None: _segment_average(data, ids, num_segments, False), "mean")
unsorted_segment_sqrt_n = _segment_reduction(
    lambda data, ids, num_segments=None: _segment_average(data, ids, num_segments, True),
    "sum divided by sqrt(count)")[1]


def _segment_average(data, segment_ids, num_segments, sqrt_n):
    """segment_sum(data) / count (or / sqrt(count)); empty segments give 0."""
    data = as_tensor(data)
    total = _segment.segment_sum(data, segment_ids, num_segments=num_segments)
    ids = xp.asarray(segment_ids.data if isinstance(segment_ids, Tensor) else segment_ids).reshape(-1)
    counts = xp.bincount(ids[ids >= 0], minlength=total.shape[0]).astype(data.dtype)
    counts = xp.maximum(counts, 1)
    counts = xp.sqrt(counts) if sqrt_n else counts
    return ops.div(total, _constant(counts.reshape((-1,) + (1,) * (data.ndim - ids.ndim))))


def scalar_mul(scalar, x, name=None):
    """scalar * x, with a 0-d `scalar`."""
    scalar = as_tensor(scalar, like=as_tensor(x))
    if scalar.ndim != 0:
        raise ValueError(f"scalar_mul: scalar must be a 0-D tensor. Received: shape={scalar.shape}")
    return ops.mul(scalar, x)


# ----------------------------------------------------------------------------- safe arithmetic


def xlogy(x, y, name=None):
    """x * log(y), and 0 where x == 0 (whatever y is); gradients are zero there."""
    x = as_tensor(x)
    y = as_tensor(y, like=x)
    zero = x.data == 0
    return ops.where(zero, 0, ops.mul(x, ops.log(ops.where(zero, 1, y))))


def xlog1py(x, y, name=None):
    """x * log(1 + y), and 0 where x == 0."""
    x = as_tensor(x)
    y = as_tensor(y, like=x)
    zero = x.data == 0
    return ops.where(zero, 0, ops.mul(x, _numeric.log1p(ops.where(zero, 0, y))))


def xdivy(x, y, name=None):
    """x / y, and 0 where x == 0 (whatever y is)."""
    x = as_tensor(x)
    y = as_tensor(y, like=x)
    zero = x.data == 0
    return ops.where(zero, 0, ops.div(x, ops.where(zero, 1, y)))


def multiply_no_nan(x, y, name=None):
    """x * y, and 0 where y == 0 even when x is inf or NaN.

    As TensorFlow: dx = multiply_no_nan(g, y), dy = multiply_no_nan(x, g).
    """
    x = as_tensor(x)
    y = as_tensor(y, like=x)

    def no_nan(a, b):
        with xp.errstate(invalid="ignore"):
            return xp.where(b == 0, 0, a * b).astype(xp.result_type(a, b), copy=False)

    def vjp(g):
        return (_elementwise.unbroadcast(no_nan(g, y.data), x.shape),
                _elementwise.unbroadcast(no_nan(x.data, g), y.shape))

    return attach(no_nan(x.data, y.data), (x, y), vjp, "multiply_no_nan")


def reciprocal_no_nan(x, name=None):
    """1 / x, and 0 where x == 0."""
    x = as_tensor(x)
    zero = x.data == 0
    return ops.where(zero, 0, ops.div(1, ops.where(zero, 1, x)))


def rint(x, name=None):
    """x rounded to the nearest integer, halves to even (no gradient, as in TensorFlow)."""
    return _constant(xp.rint(as_tensor(x).data))


# ----------------------------------------------------------------------------- complex parts


def _real_input(x):
    x = as_tensor(x)
    return x, x.dtype.kind != "c"


def real(input, name=None):  # noqa: A002 (TensorFlow's name)
    """The real part (a real tensor is returned as it is)."""
    x, is_real = _real_input(input)
    return x if is_real else _constant(x.data.real)


def imag(input, name=None):  # noqa: A002 (TensorFlow's name)
    """The imaginary part (zeros for a real tensor)."""
    x, is_real = _real_input(input)
    return _constant(xp.zeros_like(x.data) if is_real else x.data.imag)


def conj(x, name=None):
    """The complex conjugate (a real tensor is returned as it is)."""
    x, is_real = _real_input(x)
    return x if is_real else _constant(xp.conj(x.data))


def angle(input, name=None):  # noqa: A002 (TensorFlow's name)
    """The argument atan2(imag, real): pi for negative reals, 0 otherwise on real tensors."""
    x, is_real = _real_input(input)
    if is_real:
        return _constant(xp.where(x.data < 0, xp.pi, 0).astype(x.dtype))
    return _constant(xp.angle(x.data))


# ----------------------------------------------------------------------------- gamma family


def _lgamma_array(a):
    """log|Gamma(a)| elementwise (inf at the poles 0, -1, -2, ...)."""
    def one(v):
        if v <= 0 and v == _pymath.floor(v):
            return _pymath.inf
        return _pymath.lgamma(v)

    flat = [one(float(v)) for v in a.reshape(-1)]
    return xp.asarray(flat, dtype=xp.float64).reshape(a.shape)


def _polygamma_array(order, a):
    """digamma (order 0) or trigamma (order 1) elementwise: recurrence up to x >= 6, then the
    asymptotic series; negative x by the reflection formulas."""
    x = a.astype(xp.float64)
    reflect = x < 0.5
    z = xp.where(reflect, 1.0 - x, x)
    acc = xp.zeros_like(z)
    while True:
        small = z < 6
        if not small.any():
            break
        acc = acc + xp.where(small, (1.0 / z) if order == 0 else (1.0 / (z * z)), 0)
        z = xp.where(small, z + 1, z)
    w = 1.0 / (z * z)
    if order == 0:
        series = xp.log(z) - 0.5 / z - w * (1 / 12 - w * (1 / 120 - w * (1 / 252 - w * (
            1 / 240 - w * (1 / 132)))))
        out = series - acc
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = xp.where(reflect, out - xp.pi / xp.tan(xp.pi * x), out)
            out = xp.where((x <= 0) & (x == xp.floor(x)), xp.nan, out)
    else:
        series = 1 / z + w / 2 + w / z * (1 / 6 - w * (1 / 30 - w * (1 / 42 - w * (1 / 30))))
        out = series + acc
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = xp.where(reflect, (xp.pi / xp.sin(xp.pi * x)) ** 2 - out, out)
            out = xp.where((x <= 0) & (x == xp.floor(x)), xp.inf, out)
    return out


def _float_input(x, fn):
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: x must be a float tensor. Received: dtype={x.dtype}")
    return x


def lgamma(x, name=None):
    """log|Gamma(x)|; d/dx = digamma(x)."""
    x = _float_input(x, "lgamma")
    y = _lgamma_array(x.data).astype(x.dtype)
    return attach(y, (x,), lambda g: (g * _polygamma_array(0, x.data).astype(x.dtype),), "lgamma")


def digamma(x, name=None):
    """psi(x) = d/dx log Gamma(x); d/dx = trigamma(x) (first-order gradient)."""
    x = _float_input(x, "digamma")
    y = _polygamma_array(0, x.data).astype(x.dtype)
    return attach(y, (x,), lambda g: (g * _polygamma_array(1, x.data).astype(x.dtype),), "digamma")


def lbeta(x, name=None):
    """log|Beta(x)| over the last axis: sum(lgamma(x)) - lgamma(sum(x))."""
    x = _float_input(x, "lbeta")
    return ops.sub(ops.sum(lgamma(x), axis=-1), lgamma(ops.sum(x, axis=-1)))


def ndtri(x, name=None):
    """The inverse of the standard normal CDF: sqrt(2) * erfinv(2x - 1)."""
    x = _float_input(x, "ndtri")
    return ops.mul(_numeric.erfinv(ops.sub(ops.mul(x, 2), 1)), _pymath.sqrt(2.0))


def erfcinv(x, name=None):
    """The inverse of erfc on (0, 2): -ndtri(x / 2) / sqrt(2)."""
    x = _float_input(x, "erfcinv")
    return ops.div(ops.neg(ndtri(ops.mul(x, 0.5))), _pymath.sqrt(2.0))


# ----------------------------------------------------------------------------- counting and checks


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=xp.int32, name=None, axis=None,
             binary_output=False):
    """Counts (or summed weights) of each value 0..max(arr) of the non-negative ints in arr
    (flattened; per row with axis=-1), the length held within [minlength, maxlength]."""
    values = xp.asarray(as_tensor(arr).data)
    w = None if weights is None else xp.asarray(as_tensor(weights).data)
    length = int(values.max(initial=-1)) + 1
    if minlength is not None:
        length = builtins.max(length, int(minlength))
    if maxlength is not None:
        length = builtins.min(length, int(maxlength))
    out_dtype = w.dtype if w is not None else xp.dtype(dtype)

    def count(v, wv):
        keep = (v >= 0) & (v < length)
        c = xp.bincount(v[keep], weights=None if wv is None else wv[keep], minlength=length)[:length]
        return xp.minimum(c, 1) if binary_output else c

    if axis in (-1, 1) and values.ndim == 2:
        out = xp.stack([count(v, None if w is None else wr) for v, wr in
                        zip(values, w if w is not None else [None] * len(values))])
    elif axis in (None, 0):
        out = count(values.reshape(-1), None if w is None else w.reshape(-1))
    else:
        raise ValueError(f"bincount: axis must be None, 0 or -1. Received: axis={axis}")
    return _constant(out.astype(out_dtype))


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=xp.int32, name=None):
    """m[i, j] = the number (or summed weights) of examples with label i predicted as j."""
    lab = xp.asarray(as_tensor(labels).data).reshape(-1).astype(xp.int64)
    pred = xp.asarray(as_tensor(predictions).data).reshape(-1).astype(xp.int64)
    if num_classes is None:
        num_classes = int(builtins.max(lab.max(initial=-1), pred.max(initial=-1))) + 1
    n = int(num_classes)
    m = xp.zeros((n, n), dtype=xp.dtype(dtype))
    w = 1 if weights is None else xp.asarray(as_tensor(weights).data).reshape(-1)
    xp.add.at(m, (lab, pred), w)
    return _constant(m)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) along `axis`, computed stably (exclusive and reverse as cumsum)."""
    x = as_tensor(x)
    shift = _constant(xp.max(x.data, axis=int(axis), keepdims=True)) if x.size else _constant(0.0)
    shift = _constant(xp.where(xp.isfinite(shift.data), shift.data, 0).astype(x.dtype))
    with xp.errstate(divide="ignore"):
        return ops.add(ops.log(cumsum(ops.exp(ops.sub(x, shift)), axis, exclusive, reverse)), shift)


def zero_fraction(value, name=None):
    """The fraction of entries equal to zero, as a float32 scalar."""
    data = as_tensor(value).data
    return _constant(xp.float32(xp.mean(data == 0)) if data.size else xp.float32(xp.nan))


def is_non_decreasing(x, name=None):
    """Whether x (flattened) satisfies x[i] <= x[i + 1] everywhere."""
    data = as_tensor(x).data.reshape(-1)
    return _constant(bool(xp.all(data[1:] >= data[:-1])))


def is_strictly_increasing(x, name=None):
    """Whether x (flattened) satisfies x[i] < x[i + 1] everywhere."""
    data = as_tensor(x).data.reshape(-1)
    return _constant(bool(xp.all(data[1:] > data[:-1])))


def polyval(coeffs, x, name=None):
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule (differentiable in both)."""
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"polyval: coeffs must be a list of tensors. Received: {type(coeffs)}")
    x = as_tensor(x)
    if not coeffs:
        return _constant(xp.zeros_like(x.data))
    p = as_tensor(coeffs[0], like=x)
    for c in coeffs[1:]:
        p = ops.add(ops.mul(p, x), as_tensor(c, like=x))
    return p


def invert_permutation(x, name=None):
    """y with y[x[i]] = i for the permutation x of 0..n-1."""
    perm = xp.asarray(as_tensor(x).data)
    if perm.ndim != 1 or not xp.array_equal(xp.sort(perm), xp.arange(perm.size)):
        raise _errors.InvalidArgumentError(None, None, f"invert_permutation: x must be a permutation of "
                                                       f"0..n-1. Received: {perm.tolist()}")
    out = xp.empty_like(perm)
    out[perm] = xp.arange(perm.size, dtype=perm.dtype)
    return _constant(out)


__getattr__ = not_implemented("tf.math")
