"""Activation functions beyond the core ones of elementwise.py.

Each forward sits beside its vector-Jacobian product. All are elementwise except
sparsemax (a projection along one axis). Every op keeps the float dtype of its
input; integer and boolean inputs become the default float type, except where an
integer result makes sense (relu6, hard_tanh, threshold: a clip or a selection),
which keep the input's dtype and record no gradient for it.

At the kinks (x exactly on a boundary) the gradient is the one-sided value
PyTorch uses: 0 outside the open interval where the function has slope.
"""
from ..backend import floatx, xp
from ..tensor import Tensor, as_tensor, attach
from .elementwise import _sigmoid_array
from .table import declare


def _float(x):
    """`x` as a tensor of a float dtype (integers and booleans become floatx)."""
    x = as_tensor(x)
    if x.data.dtype.kind != "f":
        x = as_tensor(x.data.astype(floatx()))
    return x


def _param(value, x):
    """A scalar parameter (alpha, threshold, b) in the dtype of `x`, so a float64 constant
    does not upcast a float32 tensor."""
    value = value.data if isinstance(value, Tensor) else value
    return xp.asarray(value, dtype=x.data.dtype)


def _slope(y, x, slope, op, params=None):
    """attach y with dx = g * slope (an array of x's shape)."""
    slope = slope.astype(x.data.dtype, copy=False)
    return attach(y.astype(x.data.dtype, copy=False), (x,), lambda g: (g * slope,), op, params)


@declare(kind="elementwise")
def relu6(x):
    """y = min(max(x, 0), 6). dx = g where 0 < x < 6."""
    x = as_tensor(x)
    y = xp.clip(x.data, 0, 6).astype(x.data.dtype, copy=False)
    if x.data.dtype.kind != "f":
        return as_tensor(y)
    return _slope(y, x, (x.data > 0) & (x.data < 6), "relu6")


@declare(kind="elementwise")
def hard_tanh(x):
    """y = min(max(x, -1), 1). dx = g where -1 < x < 1."""
    x = as_tensor(x)
    y = xp.clip(x.data, -1, 1).astype(x.data.dtype, copy=False)
    if x.data.dtype.kind != "f":
        return as_tensor(y)
    return _slope(y, x, (x.data > -1) & (x.data < 1), "hard_tanh")


@declare(kind="elementwise")
def hard_sigmoid(x):
    """y = min(max(x / 6 + 1/2, 0), 1) (PyTorch's hardsigmoid). dx = g / 6 where -3 < x < 3."""
    x = _float(x)
    v = x.data
    y = xp.clip(v / 6 + 0.5, 0, 1)
    return _slope(y, x, ((v > -3) & (v < 3)) / 6, "hard_sigmoid")


@declare(kind="elementwise")
def hard_silu(x):
    """y = x hard_sigmoid(x) (hard swish). dx = g (0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 above)."""
    x = _float(x)
    v = x.data
    y = v * xp.clip(v / 6 + 0.5, 0, 1)
    slope = xp.where(v < -3, 0, xp.where(v <= 3, v / 3 + 0.5, 1))
    return _slope(y, x, slope, "hard_silu")


@declare(kind="elementwise")
def celu(x, alpha=1.0):
    """y = max(x, 0) + min(alpha (e^(x/alpha) - 1), 0). dx = g (1 for x > 0, else e^(x/alpha))."""
    x = _float(x)
    alpha = _param(alpha, x)
    v = x.data
    e = xp.exp(xp.minimum(v, 0) / alpha)
    y = xp.where(v > 0, v, alpha * (e - 1))
    return _slope(y, x, xp.where(v > 0, 1, e), "celu", alpha)


@declare(kind="elementwise")
def softsign(x):
    """y = x / (1 + |x|). dx = g / (1 + |x|)^2."""
    x = _float(x)
    d = 1 + xp.abs(x.data)
    return _slope(x.data / d, x, 1 / (d * d), "softsign")


@declare(kind="elementwise")
def log_sigmoid(x):
    """y = log(sigmoid(x)) = min(x, 0) - log1p(e^-|x|), finite for any finite x. dx = g sigmoid(-x)."""
    x = _float(x)
    v = x.data
    y = xp.minimum(v, 0) - xp.log1p(xp.exp(-xp.abs(v)))
    return _slope(y, x, _sigmoid_array(-v), "log_sigmoid")


@declare(kind="elementwise")
def sparse_plus(x):
    """y = 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1. dx = g (0, (x + 1) / 2, 1)."""
    x = _float(x)
    v = x.data
    inside = (v > -1) & (v < 1)
    y = xp.where(v <= -1, 0, xp.where(inside, 0.25 * (v + 1) ** 2, v))
    slope = xp.where(inside, 0.5 * (v + 1), v >= 1)
    return _slope(y, x, slope, "sparse_plus")


@declare(kind="elementwise")
def sparse_sigmoid(x):
    """y = 0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1. dx = g / 2 where -1 < x < 1."""
    x = _float(x)
    v = x.data
    inside = (v > -1) & (v < 1)
    y = xp.where(v <= -1, 0, xp.where(inside, 0.5 * (v + 1), 1))
    return _slope(y, x, inside * 0.5, "sparse_sigmoid")


@declare(kind="elementwise")
def squareplus(x, b=4):
    """y = (x + sqrt(x^2 + b)) / 2. dx = g (1 + x / sqrt(x^2 + b)) / 2."""
    x = _float(x)
    b = _param(b, x)
    v = x.data
    r = xp.sqrt(v * v + b)
    return _slope((v + r) / 2, x, (1 + v / r) / 2, "squareplus", b)


@declare(kind="elementwise")
def tanh_shrink(x):
    """y = x - tanh(x). dx = g tanh(x)^2."""
    x = _float(x)
    t = xp.tanh(x.data)
    return _slope(x.data - t, x, t * t, "tanh_shrink")


@declare(kind="elementwise")
def hard_shrink(x, threshold=0.5):
    """y = x where |x| > threshold, else 0. dx = g where |x| > threshold."""
    x = _float(x)
    t = _param(threshold, x)
    keep = xp.abs(x.data) > t
    return _slope(xp.where(keep, x.data, 0), x, keep, "hard_shrink", t)


@declare(kind="elementwise")
def soft_shrink(x, threshold=0.5):
    """y = x - threshold for x > threshold, x + threshold for x < -threshold, else 0.
    dx = g where |x| > threshold."""
    x = _float(x)
    t = _param(threshold, x)
    v = x.data
    y = xp.where(v > t, v - t, xp.where(v < -t, v + t, 0))
    return _slope(y, x, xp.abs(v) > t, "soft_shrink", t)


@declare(kind="elementwise")
def threshold(x, threshold, default_value):
    """y = x where x > threshold, else default_value. dx = g where x > threshold."""
    x = as_tensor(x)
    keep = x.data > threshold
    y = xp.where(keep, x.data, default_value).astype(x.data.dtype, copy=False)
    if x.data.dtype.kind != "f":
        return as_tensor(y)
    return _slope(y, x, keep, "threshold", (threshold, default_value))


@declare(kind="nn")
def sparsemax(x, axis=-1):
    """Sparsemax (Martins & Astudillo 2016): the Euclidean projection of x onto the simplex along `axis`.

    y = max(x - tau, 0), tau chosen so that sum(y) = 1 along `axis`: with z sorted
    descending and k the largest index with 1 + k z_k > sum_{j<=k} z_j,
    tau = (sum_{j<=k} z_j - 1) / k. Shapes: y has x's shape.
    dx = s (g - sum(g s) / sum(s)), s = (y > 0) the support: the Jacobian is
    diag(s) - s s^T / |s|.
    """
    x = _float(x)
    axis = int(axis) % x.ndim
    v = x.data
    z = -xp.sort(-v, axis=axis)
    cums = xp.cumsum(z, axis=axis)
    shape = [1] * v.ndim
    shape[axis] = -1
    r = xp.arange(1, v.shape[axis] + 1, dtype=v.dtype).reshape(shape)
    support = z - (cums - 1) / r > 0
    k = xp.sum(support, axis=axis, keepdims=True)  # the support is a prefix of the sorted values
    tau = (xp.take_along_axis(cums, k - 1, axis=axis) - 1) / k
    y = xp.maximum(v - tau, 0).astype(v.dtype, copy=False)
    s = (y > 0).astype(v.dtype)

    def vjp(g):
        mean = xp.sum(g * s, axis=axis, keepdims=True) / xp.maximum(xp.sum(s, axis=axis, keepdims=True), 1)
        return (s * (g - mean),)

    return attach(y, (x,), vjp, "sparsemax", axis)
