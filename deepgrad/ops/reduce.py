"""Reductions over any axes, with keepdims. Forward and vjp side by side.

Each vjp first restores the reduced axes (size 1) so the gradient broadcasts
back over the input's shape.
"""
from ..backend import xp
from ..tensor import as_tensor, attach
from .table import declare


def _axes(axis, ndim):
    """Normalised tuple of non-negative axes (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -(ndim or 1) <= a < (ndim or 1):
            raise ValueError(f"reduction axis {a} is out of range for a tensor of rank {ndim}")
        out.append(a % (ndim or 1))
    return tuple(sorted(set(out)))


def _keep(g, axes, keepdims):
    """`g` with the reduced axes present as size 1."""
    return g if keepdims else xp.expand_dims(g, axes)


@declare(kind="reduction", methods=("sum",))
def sum(x, axis=None, keepdims=False):
    """y = sum of x over `axis`. dx = g broadcast over the reduced axes."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    y = xp.sum(x.data, axis=axes, keepdims=keepdims)
    return attach(
        xp.asarray(y), (x,), lambda g: (xp.broadcast_to(_keep(g, axes, keepdims), x.data.shape),), "sum",
        (axes, keepdims),
    )


@declare(kind="reduction", methods=("mean",))
def mean(x, axis=None, keepdims=False):
    """y = mean of x over `axis` (n elements). dx = g / n, broadcast."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    n = 1
    for a in axes:
        n *= x.data.shape[a]
    y = xp.mean(x.data, axis=axes, keepdims=keepdims)
    if x.data.dtype.kind != "f":
        y = y.astype(xp.float32)

    def vjp(g):
        return (xp.broadcast_to(_keep(g, axes, keepdims) / n, x.data.shape),)

    return attach(xp.asarray(y), (x,), vjp, "mean", (axes, keepdims))


def _extreme(x, axis, keepdims, reducer, op):
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    if x.size == 0:
        raise ValueError(f"{op}: cannot reduce an empty tensor of shape {x.shape}")
    y_keep = reducer(x.data, axis=axes, keepdims=True)
    y = y_keep if keepdims else xp.squeeze(y_keep, axis=axes)

    def vjp(g):
        hit = x.data == y_keep
        count = xp.sum(hit, axis=axes, keepdims=True).astype(g.dtype)  # an int count would upcast float32
        return (hit * (_keep(g, axes, keepdims) / count),)

    return attach(xp.asarray(y), (x,), vjp, op)


@declare(kind="reduction", methods=("max",))
def max(x, axis=None, keepdims=False):
    """y = max of x over `axis`. dx = g shared equally among the maximal elements."""
    return _extreme(x, axis, keepdims, xp.max, "max")


@declare(kind="reduction", methods=("min",))
def min(x, axis=None, keepdims=False):
    """y = min of x over `axis`. dx = g shared equally among the minimal elements."""
    return _extreme(x, axis, keepdims, xp.min, "min")


@declare(kind="reduction")
def prod(x, axis=None, keepdims=False):
    """y = product of x over `axis`. dx = g * (product of the other elements).

    The product of the others is taken as (product before) * (product after)
    with cumulative products, so it stays exact when x holds zeros (y / x would not).
    """
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    y = xp.prod(x.data, axis=axes, keepdims=keepdims)

    def vjp(g):
        kept = tuple(a for a in range(x.ndim) if a not in axes)
        moved = xp.transpose(x.data, kept + axes)
        flat = moved.reshape(moved.shape[: len(kept)] + (-1,))
        ones = xp.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = xp.cumprod(xp.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (before * after).reshape(moved.shape)
        others = xp.transpose(others, tuple(int(i) for i in xp.argsort(kept + axes)))
        return (_keep(g, axes, keepdims) * others,)

    return attach(xp.asarray(y), (x,), vjp, "prod")


@declare(kind="reduction", methods=("var",))
def var(x, axis=None, keepdims=False, ddof=0):
    """y = sum((x - mean)^2) / (n - ddof). dx = 2 g (x - mean) / (n - ddof)."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    n = 1
    for a in axes:
        n *= x.shape[a]
    centred = x.data - xp.mean(x.data, axis=axes, keepdims=True)
    y = xp.sum(centred * centred, axis=axes, keepdims=keepdims) / (n - ddof)

    def vjp(g):
        return (_keep(g, axes, keepdims) * (2 / (n - ddof)) * centred,)

    return attach(xp.asarray(y, dtype=x.data.dtype), (x,), vjp, "var")


@declare(kind="reduction", methods=("std",))
def std(x, axis=None, keepdims=False, ddof=0):
    """y = sqrt(var(x)). dx = g (x - mean) / ((n - ddof) y)."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    n = 1
    for a in axes:
        n *= x.shape[a]
    centred = x.data - xp.mean(x.data, axis=axes, keepdims=True)
    y_keep = xp.sqrt(xp.sum(centred * centred, axis=axes, keepdims=True) / (n - ddof))
    y = y_keep if keepdims else xp.squeeze(y_keep, axis=axes)

    def vjp(g):
        return (_keep(g, axes, keepdims) * centred / ((n - ddof) * y_keep),)

    return attach(xp.asarray(y, dtype=x.data.dtype), (x,), vjp, "std")


@declare(kind="reduction", methods=("logsumexp",))
def logsumexp(x, axis=None, keepdims=False):
    """y = log(sum(exp(x))) computed as m + log(sum(exp(x - m))), m = max. dx = g softmax(x)."""
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    m = xp.max(x.data, axis=axes, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    e = xp.exp(x.data - m)
    s = xp.sum(e, axis=axes, keepdims=True)
    y_keep = xp.log(s) + m
    y = y_keep if keepdims else xp.squeeze(y_keep, axis=axes)
    return attach(
        xp.asarray(y), (x,), lambda g: (_keep(g, axes, keepdims) * (e / s),), "logsumexp"
    )
