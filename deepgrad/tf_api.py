"""The top-level TensorFlow names tutorials use: tf.constant, tf.matmul, tf.reshape, tf.one_hot, ...

Thin wrappers over deepgrad ops with TensorFlow's argument names and defaults
(`name=` is accepted and ignored). The elementwise math and reductions live in
`deepgrad.math` and are re-exported at the top level, as TensorFlow does.

Dtypes follow TensorFlow: Python floats become float32, Python ints int32,
NumPy arrays keep their dtype.
"""
import builtins

from . import ops
from .backend import floatx, xp
from .math import _axis, _constant
from .tensor import Tensor, as_tensor

newaxis = None


def _shape_arg(shape):
    """A shape given as an int, a list, an array or a tensor (e.g. from tf.shape) as a tuple of ints."""
    if isinstance(shape, Tensor):
        shape = shape.data
    if isinstance(shape, xp.ndarray):
        shape = shape.tolist()
    if isinstance(shape, (int, xp.integer)):
        return (int(shape),)
    return tuple(int(s.data if isinstance(s, Tensor) else s) for s in shape)


def _python_array(value, dtype=None):
    """An array of `value` with TensorFlow's dtype rules: a Python float is float32,
    a Python int int32; NumPy arrays and scalars keep theirs; `dtype` overrides."""
    if isinstance(value, Tensor):
        value = value.data
    if dtype is not None:
        return xp.asarray(value, dtype=xp.dtype(dtype))
    if isinstance(value, (xp.ndarray, xp.generic)):
        return xp.asarray(value)
    if isinstance(value, (list, tuple)) and builtins.any(isinstance(v, Tensor) for v in value):
        value = [v.data if isinstance(v, Tensor) else v for v in value]
    arr = xp.asarray(value)
    if arr.dtype.kind == "f":
        arr = arr.astype(floatx())
    elif arr.dtype == xp.int64 and (arr.size == 0 or (arr.min() >= -(2**31) and arr.max() < 2**31)):
        arr = arr.astype(xp.int32)
    return arr


# ----------------------------------------------------------------------------- creation


def constant(value, dtype=None, shape=None, name=None):
    """A tensor holding a copy of `value`, optionally cast to `dtype` and filled or reshaped to `shape`.

    A single value is repeated to fill `shape`; otherwise the number of elements must match.
    """
    arr = xp.array(_python_array(value, dtype), copy=True)
    if shape is not None:
        shape = _shape_arg(shape)
        if arr.size == 1:
            arr = xp.full(shape, arr.reshape(()), dtype=arr.dtype)
        else:
            try:
                arr = arr.reshape(shape)
            except ValueError:
                raise ValueError(
                    f"constant: {arr.size} values cannot fill shape {shape}. "
                    f"Received: value of shape {arr.shape}, shape={shape}"
                ) from None
    return Tensor(arr)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """`value` as a tensor (a tensor is returned as it is; its dtype must match `dtype`)."""
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype != xp.dtype(dtype):
            raise ValueError(
                f"convert_to_tensor: requested dtype {xp.dtype(dtype)} for a tensor of dtype "
                f"{value.dtype}; use tf.cast to change it"
            )
        return value
    if dtype is None and dtype_hint is not None and not isinstance(value, (xp.ndarray, xp.generic)):
        arr = _python_array(value)
        if arr.dtype.kind in "iuf" and xp.dtype(dtype_hint).kind in "iuf":
            arr = arr.astype(dtype_hint)
        return Tensor(arr)
    return Tensor(_python_array(value, dtype))


def is_tensor(x):
    return isinstance(x, Tensor)


def zeros(shape, dtype=xp.float32, name=None):
    return Tensor(xp.zeros(_shape_arg(shape), dtype=dtype))


def ones(shape, dtype=xp.float32, name=None):
    return Tensor(xp.ones(_shape_arg(shape), dtype=dtype))


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    return Tensor(xp.zeros_like(as_tensor(input).data, dtype=dtype))


def ones_like(input, dtype=None, name=None):  # noqa: A002
    return Tensor(xp.ones_like(as_tensor(input).data, dtype=dtype))


def fill(dims, value, name=None):
    """A tensor of shape `dims` filled with `value` (whose dtype it takes)."""
    arr = _python_array(value)
    return Tensor(xp.full(_shape_arg(dims), arr, dtype=arr.dtype))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=xp.float32, name=None):
    arr = xp.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=dtype)
    if batch_shape is not None:
        arr = xp.broadcast_to(arr, _shape_arg(batch_shape) + arr.shape).copy()
    return Tensor(arr)


def range(start, limit=None, delta=1, dtype=None, name=None):  # noqa: A001 (TensorFlow's name)
    """[start, start + delta, ...) below `limit`; tf.range(n) counts 0..n-1.

    The dtype is int32 for Python ints and float32 as soon as one argument is a float.
    """
    if limit is None:
        start, limit = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, limit, delta)]
    if dtype is None:
        dtype = xp.float32 if builtins.any(isinstance(v, float) for v in values) else xp.int32
    return Tensor(xp.arange(*values).astype(dtype))


def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` inclusive (float32 for Python numbers)."""
    start_a, stop_a = _python_array(start), _python_array(stop)
    dtype = xp.result_type(start_a, stop_a)
    if dtype.kind != "f":
        dtype = floatx()
    return Tensor(xp.linspace(start_a, stop_a, int(num), axis=axis).astype(dtype))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """`on_value` at each index along a new axis of size `depth` (the last), `off_value` elsewhere.

    Indices outside [0, depth) give a row of `off_value`, as TensorFlow.
    """
    idx = as_tensor(indices).data
    if dtype is None:
        dtype = _python_array(on_value).dtype if on_value is not None else xp.float32
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    hit = idx[..., None] == xp.arange(int(depth))
    out = xp.where(hit, xp.asarray(on, dtype=dtype), xp.asarray(off, dtype=dtype))
    if axis is not None and axis != -1:
        out = xp.moveaxis(out, -1, axis)
    return Tensor(out)


# ----------------------------------------------------------------------------- dtype, shape, identity


def cast(x, dtype, name=None):
    """`x` as `dtype` (floats to ints truncate toward zero); differentiable between float dtypes."""
    return ops.cast(x, dtype)


def shape(input, out_type=xp.int32, name=None):  # noqa: A002
    """The shape of `input` as a 1-D integer tensor."""
    return Tensor(xp.asarray(as_tensor(input).shape, dtype=out_type))


def size(input, out_type=xp.int32, name=None):  # noqa: A002
    """The number of elements of `input` as an integer scalar tensor."""
    return Tensor(xp.asarray(as_tensor(input).size, dtype=out_type))


def rank(input, name=None):  # noqa: A002
    """The number of axes of `input` as an int32 scalar tensor."""
    return Tensor(xp.asarray(as_tensor(input).ndim, dtype=xp.int32))


def stop_gradient(input, name=None):  # noqa: A002
    """The same values, cut from the graph: no gradient flows back through it."""
    return as_tensor(as_tensor(input).data)


def identity(input, name=None):  # noqa: A002
    """A new tensor with the same values; gradients flow through it unchanged."""
    x = as_tensor(input)
    return ops.reshape(x, x.shape)


def reshape(tensor, shape, name=None):
    """`tensor` with a new `shape` (one entry may be -1)."""
    return ops.reshape(tensor, _shape_arg(shape))


def transpose(a, perm=None, conjugate=False, name=None):
    """`a` with its axes permuted by `perm` (reversed when None)."""
    return ops.transpose(a, None if perm is None else _shape_arg(perm))


def expand_dims(input, axis, name=None):  # noqa: A002
    return ops.expand_dims(input, int(axis))


def squeeze(input, axis=None, name=None):  # noqa: A002
    return ops.squeeze(input, _axis(axis))


def broadcast_to(input, shape, name=None):  # noqa: A002
    return ops.broadcast_to(input, _shape_arg(shape))


def tile(input, multiples, name=None):  # noqa: A002
    return ops.tile(input, _shape_arg(multiples))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """`tensor` padded by paddings = [[before, after], ...] per axis. Only mode 'CONSTANT'."""
    if str(mode).upper() != "CONSTANT":
        raise ValueError(f"pad: only mode='CONSTANT' is supported. Received: mode={mode!r}")
    if isinstance(paddings, Tensor):
        paddings = paddings.data
    return ops.pad(tensor, xp.asarray(paddings, dtype=int), constant_values)


def concat(values, axis, name=None):
    """The tensors joined along an existing `axis`."""
    return ops.concat(list(values), int(axis))


def stack(values, axis=0, name=None):
    """The tensors (of equal shape) stacked along a new `axis`."""
    return ops.stack(list(values), int(axis))


def unstack(value, num=None, axis=0, name=None):
    """The slices of `value` along `axis`, as a list (the inverse of stack)."""
    value = as_tensor(value)
    axis = int(axis) % value.ndim
    lead = (slice(None),) * axis
    return [ops.getitem(value, lead + (i,)) for i in builtins.range(value.shape[axis])]


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    """Pieces of `value` along `axis`: a number of equal parts, or a list of sizes (one may be -1)."""
    value = as_tensor(value)
    axis = int(axis)
    if isinstance(num_or_size_splits, Tensor):
        num_or_size_splits = num_or_size_splits.data.tolist()
    if isinstance(num_or_size_splits, (int, xp.integer)):
        return ops.split(value, int(num_or_size_splits), axis)
    sizes = [int(s) for s in num_or_size_splits]
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = value.shape[axis] - (builtins.sum(sizes) + 1)
    return ops.split(value, sizes, axis)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """params[..., indices, ...] taken along `axis` (0 when None); repeated indices add their gradients."""
    params = as_tensor(params)
    axis = 0 if axis is None else int(axis) % params.ndim
    if batch_dims:
        raise ValueError(f"gather: batch_dims is not supported. Received: batch_dims={batch_dims}")
    idx = as_tensor(indices).data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: indices must be integers. Received: dtype={idx.dtype}")
    return ops.getitem(params, (slice(None),) * axis + (idx.astype(xp.intp),))


def boolean_mask(tensor, mask, axis=None, name=None):
    """The elements (or slices) of `tensor` where `mask` is True, flattened over the mask's axes."""
    tensor = as_tensor(tensor)
    mask = as_tensor(mask).data.astype(bool)
    axis = 0 if axis is None else int(axis)
    return ops.getitem(tensor, (slice(None),) * axis + (mask,))


def where(condition, x=None, y=None, name=None):
    """x where `condition` else y (broadcasting); with only `condition`, the int64
    coordinates of its True elements, shape (count, rank)."""
    if x is None and y is None:
        return _constant(xp.argwhere(as_tensor(condition).data).astype(xp.int64))
    if x is None or y is None:
        raise ValueError("where: x and y must both be given, or neither")
    return ops.where(condition, x, y)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, low), high); the gradient flows where low <= t <= high."""
    return ops.clip(t, clip_value_min, clip_value_max)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """a @ b over the last two axes, batched over leading axes that broadcast."""
    a, b = as_tensor(a), as_tensor(b)
    if transpose_a or adjoint_a:
        a = ops.swapaxes(a, -1, -2)
    if transpose_b or adjoint_b:
        b = ops.swapaxes(b, -1, -2)
    return ops.matmul(a, b)


def norm(tensor, ord="euclidean", axis=None, keepdims=False, name=None):  # noqa: A002
    """Vector norm over `axis` (all elements when None): 'euclidean' (2), 1, or np.inf."""
    axis = _axis(axis)
    if ord in ("euclidean", 2, 2.0, "fro"):
        return ops.sqrt(ops.sum(ops.square(tensor), axis, keepdims))
    if ord in (1, 1.0):
        return ops.sum(ops.abs(tensor), axis, keepdims)
    if ord == xp.inf:
        return ops.max(ops.abs(tensor), axis, keepdims)
    raise ValueError(f"norm: ord must be 'euclidean', 1, 2 or np.inf. Received: ord={ord!r}")


# ----------------------------------------------------------------------------- eager-only stand-ins


class device:
    """tf.device(name): the device ops inside run on. deepgrad has one, the CPU, so any name is
    accepted and ops run there, as TensorFlow's soft placement does without a GPU."""

    def __init__(self, device_name):
        self.device_name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def executing_eagerly():
    return True


def print(*inputs, **kwargs):  # noqa: A001 (TensorFlow's name)
    """tf.print: print tensors as their values."""
    builtins.print(*(x.numpy() if isinstance(x, Tensor) else x for x in inputs), **kwargs)
