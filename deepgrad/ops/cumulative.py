"""Ops along an axis: cumulative sums and products, and the reductions that give no gradient
(argmax, argmin, all, any, count_nonzero).

axis=None works on the flattened tensor, as in NumPy.
"""
from ..backend import xp
from ..tensor import as_tensor, attach
from .reduce import _axes
from .table import declare


def _to_last(a, axis):
    """`a` with `axis` moved last (flattened for None)."""
    return a.reshape(-1) if axis is None else xp.moveaxis(a, axis, -1)


def _from_last(a, axis, shape):
    """Undo `_to_last` for an array of the input's size."""
    return a.reshape(shape) if axis is None else xp.moveaxis(a, -1, axis)


def _kept(x):
    """The dtype a running sum or product keeps: x's own (NumPy would widen int32 to int64),
    except bool, which NumPy counts in its default integer."""
    return None if x.data.dtype == xp.bool_ else x.data.dtype


def _reverse_cumsum(a):
    """sum_{j >= i} a_j along the last axis."""
    return xp.flip(xp.cumsum(xp.flip(a, -1), axis=-1), -1)


@declare(kind="reduction")
def cumsum(x, axis=None):
    """y_i = sum_{j <= i} x_j along `axis` (flattened for None; then y is 1-D).

    dx_i = sum_{j >= i} g_j, a reversed cumulative sum of g.
    """
    x = as_tensor(x)
    y = xp.cumsum(x.data, axis=axis, dtype=_kept(x))

    def vjp(g):
        return (_from_last(_reverse_cumsum(_to_last(g, axis)), axis, x.shape),)

    return attach(y, (x,), vjp, "cumsum", axis)


@declare(kind="reduction")
def cumprod(x, axis=None):
    """y_i = prod_{j <= i} x_j along `axis` (flattened for None).

    dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k. Without zeros that is
    revcumsum(g y)_i / x_i. With zeros, let z be the first zero of a slice: for
    i < z the same formula holds (y_j = 0 from z on); for i > z every product
    holds x_z = 0, so dx_i = 0; and dx_z = revcumsum(g y')_z, where y' is the
    cumulative product with x_z replaced by 1. No division by zero anywhere.
    """
    x = as_tensor(x)
    y = xp.cumprod(x.data, axis=axis, dtype=_kept(x))

    def vjp(g):
        xm, ym, gm = _to_last(x.data, axis), _to_last(y, axis), _to_last(g, axis)
        n = xm.shape[-1]
        zero = xm == 0
        first = xp.where(zero.any(axis=-1), zero.argmax(axis=-1), n)[..., None]
        index = xp.arange(n)
        safe = xp.where(zero, 1, xm)
        before = _reverse_cumsum(gm * ym) / safe
        at_zero = index == first
        y_skip = xp.cumprod(xp.where(at_zero, 1, xm), axis=-1)
        at = _reverse_cumsum(gm * y_skip)
        grad = xp.where(index < first, before, xp.where(at_zero, at, 0))
        return (_from_last(grad.astype(g.dtype, copy=False), axis, x.shape),)

    return attach(y, (x,), vjp, "cumprod", axis)


# ---------------------------------------------------------------------------- reductions without a gradient


def _reduce_axis(x, axis):
    """A single axis for argmax/argmin (None: the flattened tensor)."""
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        if len(axis) != 1:
            raise ValueError(f"argmax/argmin take a single axis. Received: axis={axis}")
        axis = axis[0]
    return int(axis)


@declare(kind="reduction", differentiable=False)
def argmax(x, axis=None, keepdims=False):
    """The index of the (first) largest element along `axis` (of the flattened tensor for None), int64."""
    x = as_tensor(x)
    return as_tensor(xp.argmax(x.data, axis=_reduce_axis(x, axis), keepdims=keepdims))


@declare(kind="reduction", differentiable=False)
def argmin(x, axis=None, keepdims=False):
    """The index of the (first) smallest element along `axis` (of the flattened tensor for None), int64."""
    x = as_tensor(x)
    return as_tensor(xp.argmin(x.data, axis=_reduce_axis(x, axis), keepdims=keepdims))


@declare(kind="reduction", differentiable=False)
def all(x, axis=None, keepdims=False):
    """True where every element along `axis` is nonzero (bool)."""
    x = as_tensor(x)
    return as_tensor(xp.all(x.data, axis=_axes(axis, x.ndim), keepdims=keepdims))


@declare(kind="reduction", differentiable=False)
def any(x, axis=None, keepdims=False):
    """True where some element along `axis` is nonzero (bool)."""
    x = as_tensor(x)
    return as_tensor(xp.any(x.data, axis=_axes(axis, x.ndim), keepdims=keepdims))


@declare(kind="reduction", differentiable=False)
def count_nonzero(x, axis=None, keepdims=False):
    """The number of nonzero elements along `axis` (int64)."""
    x = as_tensor(x)
    return as_tensor(xp.asarray(xp.count_nonzero(x.data, axis=_axes(axis, x.ndim), keepdims=keepdims)))
