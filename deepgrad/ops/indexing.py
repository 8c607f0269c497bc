"""Indexing ops: gathering and scattering by index arrays, sorting.

A gather reads x at an array of positions; its vjp is the matching scatter-add,
which puts each output gradient back at the position it was read from (summing
where a position was read more than once). Sorting is a gather through the
sorting permutation, so its gradient is that permutation undone.
"""
from ..backend import xp
from ..tensor import Tensor, as_tensor, attach
from . import reduce as _R
from . import shape as _S
from .elementwise import unbroadcast
from .second_order import getitem_adjoint, rule
from .table import declare


def _sum_to(g, shape):
    """The Tensor g summed (differentiably) over the axes where `shape` has 1 (same rank)."""
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return _R.sum(g, axis=stretched, keepdims=True) if stretched else g


def _index_array(indices):
    """Integer positions as an array (a Tensor's data, a list, a scalar)."""
    arr = indices.data if isinstance(indices, Tensor) else xp.asarray(indices)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "b" or arr.size and not xp.all(arr == xp.round(arr)):
            raise TypeError(f"indices must be integers. Received: dtype={arr.dtype}")
        arr = arr.astype(xp.int64)
    return arr


def _wrap(indices, n, op):
    """Negative positions counted from the end, as Python does; out-of-range ones rejected."""
    if indices.size and (indices.min() < -n or indices.max() >= n):
        raise IndexError(
            f"{op}: an index is out of range for an axis of size {n}. "
            f"Received: indices from {indices.min()} to {indices.max()}"
        )
    return xp.where(indices < 0, indices + n, indices)


@declare(kind="indexing")
def take(x, indices, axis=None):
    """y = x gathered at `indices` along `axis` (of the flattened x when axis is None).

    Shapes: x (..., n, ...), indices (i...) -> y (..., i..., ...), `indices` replacing the axis.
    dx = zeros of x.shape with g added back at the gathered positions (repeats sum).
    """
    x = as_tensor(x)
    idx = _index_array(indices)
    source = x.data.reshape(-1) if axis is None else x.data
    axis = 0 if axis is None else int(axis) % max(x.ndim, 1)
    idx = _wrap(idx, source.shape[axis], "take")
    y = xp.take(source, idx, axis=axis)
    where = (slice(None),) * axis + (idx,)  # one advanced index keeps the axes in place

    def vjp(g):
        dx = xp.zeros(source.shape, dtype=g.dtype)
        xp.add.at(dx, where, g)
        return (dx.reshape(x.shape),)

    return attach(y, (x,), vjp, "take", (where, source.shape))


@rule("take")
def _take_rule(g, out, parents, params):
    where, source_shape = params
    return (_S.reshape(getitem_adjoint(g, source_shape, where), parents[0].shape),)


def _along_axis_index(indices, shape, axis):
    """The full advanced index that reads `indices` along `axis` and every other axis in place."""
    index = []
    for d, n in enumerate(shape):
        if d == axis:
            index.append(indices)
        else:
            view = [1] * len(shape)
            view[d] = n
            index.append(xp.arange(n).reshape(view))
    return tuple(index)


@declare(kind="indexing")
def take_along_axis(x, indices, axis=None):
    """y[..., j, ...] = x[..., indices[..., j, ...], ...] along `axis` (flattened x when None).

    x and indices have the same rank and broadcast on every other axis.
    dx = g scatter-added back to the positions read, summed over broadcast axes.
    """
    x = as_tensor(x)
    idx = _index_array(indices)
    if axis is None:
        source, idx, axis = x.data.reshape(-1), idx.reshape(-1), 0
    else:
        source = x.data
        if idx.ndim != source.ndim:
            raise ValueError(
                f"take_along_axis: x and indices must have the same rank. "
                f"Received: x.shape={x.shape}, indices.shape={idx.shape}"
            )
        axis = int(axis) % source.ndim
    idx = _wrap(idx, source.shape[axis], "take_along_axis")
    x_shape, i_shape = list(source.shape), list(idx.shape)
    x_shape[axis] = i_shape[axis] = 1
    try:
        common = xp.broadcast_shapes(tuple(x_shape), tuple(i_shape))
    except ValueError:
        raise ValueError(
            f"take_along_axis: x and indices do not broadcast outside axis {axis}. "
            f"Received: x.shape={x.shape}, indices.shape={idx.shape}"
        ) from None
    wide = common[:axis] + (source.shape[axis],) + common[axis + 1:]
    idx = xp.broadcast_to(idx, common[:axis] + (idx.shape[axis],) + common[axis + 1:])
    y = xp.take_along_axis(xp.broadcast_to(source, wide), idx, axis=axis)

    where = _along_axis_index(idx, wide, axis)

    def vjp(g):
        dx = xp.zeros(wide, dtype=g.dtype)
        xp.add.at(dx, where, g)
        return (unbroadcast(dx, source.shape).reshape(x.shape),)

    return attach(y, (x,), vjp, "take_along_axis", (where, wide, source.shape))


@rule("take_along_axis")
def _take_along_axis_rule(g, out, parents, params):
    where, wide, source_shape = params
    return (_S.reshape(_sum_to(getitem_adjoint(g, wide, where), source_shape), parents[0].shape),)


@declare(kind="indexing")
def sort(x, axis=-1):
    """y = x sorted ascending along `axis` (the flattened x when None); NaNs last.

    y = take_along_axis(x, p) with p the (stable) sorting permutation, so
    dx = g put back through p: dx[..., p[j], ...] = g[..., j, ...].
    """
    x = as_tensor(x)
    source = x.data.reshape(-1) if axis is None else x.data
    axis = -1 if axis is None else int(axis)
    if source.ndim == 0:
        source = source.reshape(1)
    perm = xp.argsort(source, axis=axis, kind="stable")
    y = xp.take_along_axis(source, perm, axis=axis)

    def vjp(g):
        dx = xp.empty(source.shape, dtype=g.dtype)
        xp.put_along_axis(dx, perm, g, axis=axis)
        return (dx.reshape(x.shape),)

    where = _along_axis_index(perm, source.shape, axis % source.ndim)
    return attach(y.reshape(x.shape) if x.ndim == 0 else y, (x,), vjp, "sort", (where, source.shape))


@rule("sort")
def _sort_rule(g, out, parents, params):
    where, source_shape = params
    return (_S.reshape(getitem_adjoint(_S.reshape(g, (-1,) if g.ndim == 0 else g.shape), source_shape, where),
                       parents[0].shape),)


@declare(kind="indexing", differentiable=False)
def argsort(x, axis=-1):
    """The stable permutation that sorts x ascending along `axis` (flattened x when None), as int64."""
    data = x.data if isinstance(x, Tensor) else xp.asarray(x)
    if axis is None:
        data, axis = data.reshape(-1), -1
    if data.ndim == 0:
        return as_tensor(xp.zeros((), dtype=xp.int64))
    return as_tensor(xp.argsort(data, axis=axis, kind="stable").astype(xp.int64, copy=False))
