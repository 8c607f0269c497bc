"""TensorFlow's top-level array ops: sorting, reversing, gathering/scattering by coordinates,
slicing, unique values, clipping by norm, shape helpers and partition/stitch.

Each is TensorFlow's signature over deepgrad ops, so gradients flow where TensorFlow has one
(sort, reverse, roll, repeat, gather_nd, scatter_nd, tensor_scatter_nd_*, slice, strided_slice,
clip_by_norm, clip_by_global_norm, dynamic_partition/stitch, meshgrid, tensordot, einsum);
index-valued results (argsort, unique, searchsorted, ...) are constants. `name=` is accepted
and ignored. Index results are int32 as in TensorFlow unless `out_type`/`out_idx` says otherwise.
"""
import builtins
import math as _pymath
from collections import namedtuple

from . import ops
from .backend import xp
from .errors import InvalidArgumentError
from .ops import arrange as _arrange
from .ops import indexing as _indexing
from .ops import segment as _segment
from .tensor import Tensor, as_tensor, attach
from .tensor_shape import TensorShape
from .tf_api import identity
from .missing import not_implemented


def _array(x):
    return x.data if isinstance(x, Tensor) else xp.asarray(x)


def _ints(x):
    """An int, a list, an array or a tensor as a list of Python ints."""
    return [int(v) for v in xp.asarray(_array(x)).reshape(-1).tolist()]


# ----------------------------------------------------------------------------- sorting


def _direction(direction, fn):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"{fn}: Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    return direction == "DESCENDING"


def _order(values, axis, descending):
    data = _array(values)
    key = -data if descending and data.dtype.kind != "b" else (~data if descending else data)
    if descending and data.dtype.kind == "u":
        key = data.max(initial=0) - data
    return xp.argsort(key, axis=axis, kind="stable")


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The indices that sort `values` along `axis` (int32); ties keep their order."""
    descending = _direction(direction, "argsort")
    return Tensor(_order(values, int(axis), descending).astype(xp.int32))


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """`values` sorted along `axis`; the gradient goes back to each value's place."""
    descending = _direction(direction, "sort")
    values = as_tensor(values)
    if not descending:
        return _indexing.sort(values, axis=int(axis))
    return _indexing.take_along_axis(values, _order(values, int(axis), True), axis=int(axis))


def searchsorted(sorted_sequence, values, side="left", out_type=xp.int32, name=None):
    """For each row of `values`, the insertion points into the same row (last axis) of
    `sorted_sequence` that keep it sorted; `side` 'left' or 'right' as numpy.searchsorted."""
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right'. Received: side={side!r}")
    seq, vals = _array(sorted_sequence), _array(values)
    if seq.ndim == 1:
        out = xp.searchsorted(seq, vals, side=side)
    else:
        rows_s, rows_v = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        out = xp.stack([xp.searchsorted(s, v, side=side) for s, v in zip(rows_s, rows_v)])
        out = out.reshape(vals.shape)
    return Tensor(out.astype(xp.dtype(out_type)))


# ----------------------------------------------------------------------------- arranging


def reverse(tensor, axis, name=None):
    """`tensor` with the order of the entries along each axis in `axis` reversed."""
    return _arrange.flip(tensor, tuple(_ints(axis)))


def roll(input, shift, axis, name=None):  # noqa: A002 (TensorFlow's name)
    """Entries shifted cyclically by `shift` places along `axis` (ints or matching lists)."""
    shift, axis = _ints(shift), _ints(axis)
    if len(shift) == 1 and len(axis) == 1:
        return _arrange.roll(input, shift[0], axis[0])
    return _arrange.roll(input, tuple(shift), tuple(axis))


def repeat(input, repeats, axis=None, name=None):  # noqa: A002 (TensorFlow's name)
    """Each entry repeated `repeats` times along `axis` (of the flattened input when None)."""
    reps = _ints(repeats)
    return _arrange.repeat(input, reps[0] if len(reps) == 1 else reps, axis)


def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D tensors; indexing='xy' (default, the first two axes swapped)
    or 'ij'. Each output is its input broadcast, so gradients sum back."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword arguments {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij'. Received: indexing={indexing!r}")
    return ops.shape.coordinate_grids([as_tensor(a) for a in args], indexing)


def parallel_stack(values, name=None):
    """Graph-only in TensorFlow (tf.stack without waiting for all inputs): raises RuntimeError
    eagerly, as TensorFlow does; use tf.stack."""
    raise RuntimeError("tf.parallel_stack() is not compatible with eager execution.")


# ----------------------------------------------------------------------------- gather / scatter


def _nd_index(indices, batch_shape, fn):
    """The tuple of integer arrays that picks indices[..., k] coordinates (after batch axes)."""
    idx = _array(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{fn}: indices must be integers. Received: dtype={idx.dtype}")
    idx = idx.astype(xp.intp)
    b = len(batch_shape)
    inner = idx.shape[b:-1]
    grids = []
    for j, n in enumerate(batch_shape):
        shape = [1] * (b + len(inner))
        shape[j] = n
        grids.append(xp.arange(n).reshape(shape))
    return tuple(grids) + tuple(idx[..., m] for m in range(idx.shape[-1]))


def _check_bounds(index, shape, fn):
    for a, n in zip(index, shape):
        if a.size and (a.min() < 0 or a.max() >= n):
            raise InvalidArgumentError(None, None, f"{fn}: an index is out of bounds for shape "
                                                   f"{tuple(shape)}. Received: indices within "
                                                   f"[{int(a.min())}, {int(a.max())}]")


def gather_nd(params, indices, batch_dims=0, name=None):
    """params at the coordinates in the last axis of `indices`:
    out[i...] = params[batch..., indices[i..., 0], ..., indices[i..., k-1], ...]."""
    params = as_tensor(params)
    index = _nd_index(indices, params.shape[:int(batch_dims)], "gather_nd")
    _check_bounds(index, params.shape, "gather_nd")
    return ops.getitem(params, index)


def scatter_nd(indices, updates, shape, name=None):
    """zeros(shape) with updates[i] added at the coordinates indices[i] (repeats add up)."""
    updates = as_tensor(updates)
    return tensor_scatter_nd_add(Tensor(xp.zeros(tuple(_ints(shape)), dtype=updates.dtype)),
                                 indices, updates)


def _scatter_args(tensor, indices, updates, fn):
    tensor = as_tensor(tensor)
    updates = as_tensor(updates, like=tensor)
    index = _nd_index(indices, (), fn)
    _check_bounds(index, tensor.shape, fn)
    return tensor, index, updates


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """`tensor` with the entries at indices[i] replaced by updates[i]."""
    tensor, index, updates = _scatter_args(tensor, indices, updates, "tensor_scatter_nd_update")
    return _segment.scatter_nd_update(tensor, xp.stack(index, -1), updates)


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """`tensor` with updates[i] added at indices[i] (repeats add up)."""
    tensor, index, updates = _scatter_args(tensor, indices, updates, "tensor_scatter_nd_add")
    return _segment.scatter_nd_add(tensor, xp.stack(index, -1), updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """`tensor` with updates[i] subtracted at indices[i]."""
    tensor, index, updates = _scatter_args(tensor, indices, updates, "tensor_scatter_nd_sub")
    return _segment.scatter_nd_add(tensor, xp.stack(index, -1), ops.neg(updates))


def _scatter_extreme(tensor, indices, updates, ufunc, fn):
    tensor, index, updates = _scatter_args(tensor, indices, updates, fn)
    y = tensor.data.copy()
    ufunc.at(y, index, updates.data.astype(y.dtype, copy=False))

    def vjp(g):
        gx = xp.where(y == tensor.data, g, 0)
        gu = xp.where(y[index] == updates.data, g[index], 0).astype(updates.dtype, copy=False)
        return gx, gu

    return attach(y, (tensor, updates), vjp, fn)


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    """`tensor` with the entries at indices[i] raised to max(entry, updates[i])."""
    return _scatter_extreme(tensor, indices, updates, xp.maximum, "tensor_scatter_nd_max")


def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    """`tensor` with the entries at indices[i] lowered to min(entry, updates[i])."""
    return _scatter_extreme(tensor, indices, updates, xp.minimum, "tensor_scatter_nd_min")


# ----------------------------------------------------------------------------- slicing


def slice(input_, begin, size, name=None):  # noqa: A001 (TensorFlow's name)
    """input_[begin[i] : begin[i] + size[i]] on every axis; size -1 takes the rest of the axis."""
    x = as_tensor(input_)
    begin, size = _ints(begin), _ints(size)
    if len(begin) != x.ndim or len(size) != x.ndim:
        raise ValueError(f"slice: begin and size need one entry per axis of the input "
                         f"(rank {x.ndim}). Received: begin={begin}, size={size}")
    index = []
    for b, s, n in zip(begin, size, x.shape):
        end = n if s == -1 else b + s
        if b < 0 or end > n or s < -1:
            raise InvalidArgumentError(None, None, f"slice: begin={begin}, size={size} fall outside "
                                                   f"the input's shape {tuple(x.shape)}")
        index.append(builtins.slice(b, end))
    return ops.getitem(x, tuple(index))


def _bit(mask, i):
    return (int(mask) >> i) & 1


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """input_[begin:end:strides] with TensorFlow's bit masks: bit i of begin_mask/end_mask
    ignores begin[i]/end[i] (the full range), of ellipsis_mask makes spec i an `...`, of
    new_axis_mask inserts an axis, of shrink_axis_mask takes index begin[i] and drops the axis."""
    begin, end = _ints(begin), _ints(end)
    strides = _ints(strides) if strides is not None else [1] * len(begin)
    index = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        if _bit(ellipsis_mask, i):
            index.append(Ellipsis)
        elif _bit(new_axis_mask, i):
            index.append(None)
        elif _bit(shrink_axis_mask, i):
            index.append(b)
        else:
            index.append(builtins.slice(None if _bit(begin_mask, i) else b,
                                        None if _bit(end_mask, i) else e, s))
    return ops.getitem(as_tensor(input_), tuple(index))


# ----------------------------------------------------------------------------- unique values

Unique = namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _unique(x, out_idx, fn):
    data = _array(x)
    if data.ndim != 1:
        raise InvalidArgumentError(None, None, f"{fn}: x must be a vector. Received: shape={data.shape}")
    values, first, inverse, counts = xp.unique(data, return_index=True, return_inverse=True,
                                               return_counts=True)
    order = xp.argsort(first, kind="stable")
    rank = xp.empty_like(order)
    rank[order] = xp.arange(order.size)
    dtype = xp.dtype(out_idx)
    return (Tensor(values[order]), Tensor(rank[inverse.reshape(-1)].astype(dtype)),
            Tensor(counts[order].astype(dtype)))


def unique(x, out_idx=xp.int32, name=None):
    """(y, idx): the distinct values of the vector x in order of first appearance, and
    for each entry of x its position in y (x == y[idx])."""
    y, idx, _ = _unique(x, out_idx, "unique")
    return Unique(y, idx)


def unique_with_counts(x, out_idx=xp.int32, name=None):
    """(y, idx, count): unique(x) and how many times each value of y occurs in x."""
    return UniqueWithCounts(*_unique(x, out_idx, "unique_with_counts"))


# ----------------------------------------------------------------------------- masks and clipping


def sequence_mask(lengths, maxlen=None, dtype=xp.bool_, name=None):
    """mask[i..., j] = j < lengths[i...], with maxlen (default max(lengths)) columns."""
    lengths = _array(lengths)
    maxlen = int(lengths.max(initial=0)) if maxlen is None else int(_array(maxlen))
    mask = xp.arange(maxlen) < lengths[..., None]
    return Tensor(mask.astype(xp.dtype(dtype)))


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t * clip_norm / max(||t||_2, clip_norm), the L2 norm over `axes` (all when None)."""
    t = as_tensor(t)
    axes = None if axes is None else tuple(_ints(axes))
    norm = ops.sqrt(ops.sum(ops.square(t), axis=axes, keepdims=True))
    clip = as_tensor(clip_norm, like=t)
    return ops.div(ops.mul(t, clip), ops.maximum(norm, clip))


def global_norm(t_list, name=None):
    """sqrt(sum of the squared L2 norms of the tensors in t_list), None entries skipped."""
    squares = [ops.sum(ops.square(as_tensor(t))) for t in t_list if t is not None]
    if not squares:
        return Tensor(xp.zeros((), dtype=xp.float32))
    total = squares[0]
    for s in squares[1:]:
        total = ops.add(total, s)
    return ops.sqrt(total)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """(list_clipped, global_norm): each t * clip_norm / max(global_norm, clip_norm), None kept.

    global_norm = sqrt(sum ||t||_2^2) (or `use_norm`); the clipped tensors carry gradients.
    """
    if isinstance(t_list, (Tensor, xp.ndarray)) or not hasattr(t_list, "__iter__"):
        raise TypeError(f"clip_by_global_norm: t_list should be a sequence. Received: {type(t_list)}")
    t_list = list(t_list)
    norm = global_norm(t_list) if use_norm is None else as_tensor(use_norm)
    clip = as_tensor(clip_norm, like=norm)
    scale = ops.div(clip, ops.maximum(norm, clip))
    if not _pymath.isfinite(float(norm.data)):
        scale = Tensor(xp.asarray(xp.nan, dtype=norm.dtype))
    clipped = [None if t is None else ops.mul(as_tensor(t), ops.cast(scale, as_tensor(t).dtype))
               for t in t_list]
    return clipped, norm


# ----------------------------------------------------------------------------- shapes and dtypes


def ensure_shape(x, shape, name=None):
    """x itself, after checking its shape is compatible with `shape` (None entries match any size)."""
    x = as_tensor(x)
    want = TensorShape(shape)
    if not want.is_compatible_with(TensorShape(x.shape)):
        expected = ",".join("?" if d is None else str(d) for d in want.as_list())
        raise InvalidArgumentError(None, None, f"Shape of tensor input [{','.join(map(str, x.shape))}] is "
                                               f"not compatible with expected shape [{expected}].")
    return x


def identity_n(input, name=None):  # noqa: A002 (TensorFlow's name)
    """[tf.identity(t) for t in input]."""
    return [identity(t) for t in input]


def shape_n(input, out_type=xp.int32, name=None):  # noqa: A002 (TensorFlow's name)
    """[tf.shape(t) for t in input]."""
    return [Tensor(xp.asarray(as_tensor(t).shape, dtype=xp.dtype(out_type))) for t in input]


def broadcast_static_shape(shape_x, shape_y):
    """The TensorShape both shapes broadcast to (ValueError when they are incompatible)."""
    x, y = TensorShape(shape_x).as_list(), TensorShape(shape_y).as_list()
    n = builtins.max(len(x), len(y))
    x, y = [1] * (n - len(x)) + x, [1] * (n - len(y)) + y
    out = []
    for a, b in zip(x, y):
        if a == 1 or a == b:
            out.append(b)
        elif b == 1:
            out.append(a)
        else:
            raise ValueError(f"Incompatible shapes for broadcasting. Two shapes are compatible "
                             f"if for each dimension pair they are either equal or one of them is 1. "
                             f"Received: {TensorShape(shape_x)} and {TensorShape(shape_y)}.")
    return TensorShape(out)


def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast shape of two 1-D shape tensors, as a tensor of their integer dtype (int32
    for Python lists)."""
    try:
        out = broadcast_static_shape(_ints(shape_x), _ints(shape_y))
    except ValueError as e:
        raise InvalidArgumentError(None, None, str(e)) from None
    given = _array(shape_x)
    return Tensor(xp.asarray(out.as_list(), dtype=given.dtype if given.dtype.kind in "iu" else xp.int32))


def saturate_cast(value, dtype, name=None):
    """value cast to `dtype`, first clipped to the range of an integer target dtype (so large
    values stay at the largest one instead of wrapping around)."""
    x = as_tensor(value)
    target = xp.dtype(dtype)
    if target.kind in "iu" and x.dtype.kind in "iuf":
        info = xp.iinfo(target)
        data = xp.nan_to_num(x.data.astype(xp.float64)) if x.dtype.kind == "f" else x.data
        x = Tensor(xp.clip(data, info.min, info.max))
    return ops.cast(x, target)


def unravel_index(indices, dims, name=None):
    """The coordinates of flat `indices` in an array of shape `dims`: shape (len(dims),) + indices.shape."""
    idx, dims_a = _array(indices), _array(dims)
    coords = xp.stack(xp.unravel_index(idx, tuple(int(d) for d in dims_a)), 0)
    return Tensor(coords.astype(idx.dtype))


def _bins(values, value_range, nbins):
    v = _array(values).astype(xp.float64)
    low, high = (float(a) for a in _array(value_range).reshape(-1))
    return xp.clip(xp.floor((v - low) / (high - low) * nbins).astype(xp.int64), 0, int(nbins) - 1)


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=xp.int32, name=None):
    """For each value, its bin among `nbins` equal bins over [value_range[0], value_range[1]];
    values outside go to the first or the last bin."""
    return Tensor(_bins(values, value_range, nbins).astype(xp.dtype(dtype)))


def histogram_fixed_width(values, value_range, nbins=100, dtype=xp.int32, name=None):
    """Counts of `values` in `nbins` equal bins over [value_range[0], value_range[1]];
    values outside go to the first or the last bin."""
    bins = _bins(values, value_range, nbins).reshape(-1)
    return Tensor(xp.bincount(bins, minlength=int(nbins)).astype(xp.dtype(dtype)))


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None):  # noqa: A002
    """For each batch entry b, the first seq_lengths[b] entries along `seq_axis` reversed and
    the rest kept; a gather, so the gradient goes back to each entry's place."""
    x = as_tensor(input)
    lengths = _array(seq_lengths).astype(xp.int64)
    seq_axis = int(seq_axis) % x.ndim
    batch_axis = 0 if batch_axis is None else int(batch_axis) % x.ndim
    if lengths.shape != (x.shape[batch_axis],):
        raise ValueError(f"reverse_sequence: seq_lengths needs one length per batch entry "
                         f"({x.shape[batch_axis]}). Received: shape={lengths.shape}")
    steps = xp.arange(x.shape[seq_axis])
    source = xp.where(steps[None, :] < lengths[:, None], lengths[:, None] - 1 - steps[None, :], steps[None, :])
    grids = list(xp.indices(x.shape, sparse=True))
    shape = [1] * x.ndim
    shape[batch_axis], shape[seq_axis] = source.shape[0], source.shape[1]
    order = (0, 1) if batch_axis < seq_axis else (1, 0)
    grids[seq_axis] = source.transpose(order).reshape(shape)
    return ops.getitem(x, tuple(xp.broadcast_to(g, x.shape) for g in grids))


def dynamic_partition(data, partitions, num_partitions, name=None):
    """[data[partitions == i] for i in range(num_partitions)] (the leading axes of data that
    partitions covers are flattened); gradients go back to each entry's place."""
    data = as_tensor(data)
    parts = _array(partitions)
    lead = parts.ndim
    flat = ops.reshape(data, (-1,) + tuple(data.shape[lead:]))
    parts = parts.reshape(-1)
    return [ops.getitem(flat, (xp.nonzero(parts == i)[0],)) for i in range(int(num_partitions))]


def dynamic_stitch(indices, data, name=None):
    """merged[indices[m][i...]] = data[m][i..., :]; a later m wins where indices repeat."""
    pieces = [as_tensor(d) for d in data]
    idx = [_array(i).astype(xp.intp) for i in indices]
    tail = tuple(pieces[0].shape[idx[0].ndim:])
    flat_idx = xp.concatenate([i.reshape(-1) for i in idx])
    flat = ops.concat([ops.reshape(p, (-1,) + tail) for p, i in zip(pieces, idx)], 0)
    n = int(flat_idx.max(initial=-1)) + 1
    last = xp.full(n, -1, dtype=xp.intp)
    last[flat_idx] = xp.arange(flat_idx.size)
    return ops.getitem(flat, (last,))


# ----------------------------------------------------------------------------- arithmetic names


def realdiv(x, y, name=None):
    """x / y for real tensors."""
    return ops.div(x, y)


def truncatediv(x, y, name=None):
    """x / y rounded toward zero, for integers (C semantics)."""
    a, b = _array(x), _array(y)
    q = xp.abs(a) // xp.abs(b) * xp.sign(a) * xp.sign(b)
    return Tensor(q.astype(xp.result_type(a, b)))


def truncatemod(x, y, name=None):
    """The remainder of truncatediv: x - y * truncatediv(x, y), the sign of x (C's fmod)."""
    x = as_tensor(x)
    return Tensor(xp.fmod(x.data, _array(y)).astype(x.dtype))


def get_static_value(tensor, partial=False):
    """The NumPy value of `tensor` (eager tensors always have one); None for None."""
    if tensor is None:
        return None
    return _array(tensor) if isinstance(tensor, Tensor) else xp.asarray(tensor)


__getattr__ = not_implemented("tf")
