"""keras.ops (numpy half): creation, shapes, indexing, sorting.

Each function has Keras 3.15's signature, defaults and result dtypes, and is
differentiable where Keras' is: the shape and indexing ops are built on the
table ops of deepgrad/ops/shape.py, indexing.py and arrange.py, so a gradient
flows back through every moved element. Creation ops and integer results
(argsort, nonzero, unique, ...) carry no gradient.

    from keras import ops
    x = ops.reshape(ops.arange(6.0), (2, 3))
    ops.take_along_axis(x, ops.argsort(x, axis=1), axis=1)
"""
import builtins
import re

from ...backend import floatx, xp
from ...ops import arrange as _arrange
from ...ops import elementwise as _E
from ...ops import indexing as _indexing
from ...ops import linalg as _L
from ...ops import reduce as _R
from ...ops import shape as _S
from ...tensor import Tensor, as_tensor
from . import names as _names
from .common import result_type, standardize_dtype, to_tensor, unimplemented

_BIT64_TO_32 = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def _to32(dtype):
    """Keras' `keras.backend.result_type` gives 32-bit types for 64-bit ones (JAX's default);
    the ops that compute their dtype with it (arange, linspace, vander, ...) follow."""
    return _BIT64_TO_32.get(dtype, dtype)


def _dtype_of(x):
    """The dtype name an argument carries (a tensor's, an array's), or the Python type for a scalar."""
    if isinstance(x, (Tensor, xp.ndarray, xp.generic)):
        return x.dtype.name
    return x


def _array(x):
    """The array of a tensor, or of a plain value."""
    return x.data if isinstance(x, Tensor) else xp.asarray(x)


def _shape(shape):
    """A shape argument (int, sequence, tensor) as a tuple of ints."""
    if isinstance(shape, Tensor):
        shape = shape.data
    if xp.ndim(shape) == 0:
        return (int(shape),)
    return tuple(int(s) for s in xp.asarray(shape).reshape(-1))


def _promoted(xs):
    """Tensors of `xs`, cast (differentiably) to the dtype Keras promotes them to together."""
    tensors = [to_tensor(x) for x in xs]
    dtype = result_type(*tensors) if tensors else floatx()
    return [to_tensor(t, dtype) for t in tensors]


def _cast(x, dtype):
    """`x` (a tensor) as `dtype`, differentiably for floats."""
    return to_tensor(x, dtype)


# ---------------------------------------------------------------------------- creation


def array(x, dtype=None):
    """`x` as a tensor (Python floats float32, ints int32, arrays keep their dtype)."""
    return to_tensor(x, dtype)


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop) by `step`; ints give int32, floats float32."""
    if dtype is None:
        parts = [a for a in (start, stop, step) if a is not None]
        dtype = _to32(result_type(*[_dtype_of(a) if not isinstance(a, (builtins.int, builtins.float))
                                    else a for a in parts]))
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    values = [float(_array(v)) if _array(v).dtype.kind == "f" else int(_array(v)) for v in (start, stop, step)]
    return as_tensor(xp.arange(*values, dtype=standardize_dtype(dtype)))


def _filled(shape, value, dtype):
    return as_tensor(xp.full(_shape(shape), value, dtype=standardize_dtype(dtype)))


def zeros(shape, dtype=None):
    """A tensor of zeros (float32 unless `dtype`)."""
    return _filled(shape, 0, dtype)


def ones(shape, dtype=None):
    """A tensor of ones (float32 unless `dtype`)."""
    return _filled(shape, 1, dtype)


def empty(shape, dtype=None):
    """A tensor of the shape and dtype whose values are not to be relied on (zeros here)."""
    return _filled(shape, 0, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with `fill_value` (a scalar, or an array broadcast over the
    trailing axes); float32 unless `dtype`."""
    value = _array(fill_value)
    dtype = standardize_dtype(dtype)
    return as_tensor(xp.array(xp.broadcast_to(value, _shape(shape)), dtype=dtype))


def _like(x, dtype):
    return standardize_dtype(dtype) if dtype is not None else _array(x).dtype.name


def zeros_like(x, dtype=None):
    """Zeros of x's shape, in x's dtype unless `dtype`."""
    return as_tensor(xp.zeros(_array(x).shape, dtype=_like(x, dtype)))


def ones_like(x, dtype=None):
    """Ones of x's shape, in x's dtype unless `dtype`."""
    return as_tensor(xp.ones(_array(x).shape, dtype=_like(x, dtype)))


def empty_like(x, dtype=None):
    """A tensor of x's shape and dtype (unless `dtype`) whose values are not to be relied on."""
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    """x's shape filled with `fill_value`, in x's dtype unless `dtype`."""
    return full(_array(x).shape, fill_value, _like(x, dtype))


def eye(N, M=None, k=0, dtype=None):
    """An N x M matrix with ones on diagonal k (0: main, > 0 above); float32 unless `dtype`."""
    return as_tensor(xp.eye(int(N), None if M is None else int(M), k=int(k or 0),
                            dtype=standardize_dtype(dtype)))


def identity(n, dtype=None):
    """The n x n identity matrix (float32 unless `dtype`)."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """An N x M matrix with ones at and below diagonal k, zeros above (float32 unless `dtype`)."""
    return as_tensor(xp.tri(int(N), int(M or N), k=int(k), dtype=standardize_dtype(dtype)))


def _space_dtype(start, stop, dtype):
    if dtype is not None:
        return standardize_dtype(dtype)
    return _to32(result_type(_dtype_of(start), _dtype_of(stop), 1.0))


def _line(start, stop, num, endpoint, axis, dtype):
    """num points from start to stop (stop excluded when not endpoint) on a new `axis`,
    computed in float64 and given `dtype`; start and stop may be arrays that broadcast."""
    start64 = _array(start).astype(xp.float64)
    stop64 = _array(stop).astype(xp.float64)
    num = int(num)
    div = (num - 1) if endpoint else num
    steps = xp.arange(num, dtype=xp.float64) / (div if div > 0 else 1)
    delta = stop64 - start64
    shape = xp.broadcast_shapes(start64.shape, stop64.shape)
    values = start64[None] + steps.reshape((num,) + (1,) * len(shape)) * delta[None]
    if endpoint and num > 1:
        values[-1] = stop64
    values = xp.moveaxis(values, 0, axis) if shape else values
    step = delta / div if div > 0 else xp.full(delta.shape, xp.nan)
    return values, step


def _tracked(*values):
    """Whether any of the values is a tensor that records a gradient."""
    return any(isinstance(v, Tensor) and v.requires_grad for v in values)


def _line_tensor(start, stop, num, endpoint, axis, dtype):
    """As _line, in differentiable ops: start + t * (stop - start), t = i / (num - 1) (or / num)."""
    start, stop = to_tensor(start, dtype), to_tensor(stop, dtype)
    num = int(num)
    div = (num - 1) if endpoint else num
    shape = xp.broadcast_shapes(start.shape, stop.shape)
    steps = (xp.arange(num) / (div if div > 0 else 1)).astype(dtype).reshape((num,) + (1,) * len(shape))
    values = _E.add(_S.expand_dims(start, 0), _E.mul(as_tensor(steps), _S.expand_dims(_E.sub(stop, start), 0)))
    return moveaxis(values, 0, axis) if shape else values


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from start to stop (inclusive when `endpoint`), float32 by default.

    With `retstep`, also the spacing between values. Array start/stop give a new `axis`;
    tensor start/stop are differentiated through.
    """
    dtype = _space_dtype(start, stop, dtype)
    if _tracked(start, stop) and xp.dtype(dtype).kind == "f" and not retstep:
        return _line_tensor(start, stop, num, endpoint, axis, dtype)
    values, step = _line(start, stop, num, endpoint, axis, dtype)
    if xp.dtype(dtype).kind in "iu":
        values = xp.floor(values)
    out = as_tensor(values.astype(dtype))
    if retstep:
        if step.ndim == 0:  # Keras: a Python float, or a float32 NaN tensor when undefined (num < 2)
            return out, (float(step) if xp.isfinite(step) else as_tensor(xp.asarray(xp.nan, dtype=xp.float32)))
        return out, as_tensor(step.astype(dtype))
    return out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """base ** linspace(start, stop, num): `num` values evenly spaced on a log scale."""
    dtype = _space_dtype(start, stop, dtype)
    if _tracked(start, stop) and xp.dtype(dtype).kind == "f":
        exponents = _line_tensor(start, stop, num, endpoint, axis, dtype)
        return _E.pow(as_tensor(xp.asarray(base, dtype=dtype)), exponents)
    values, _ = _line(start, stop, num, endpoint, axis, dtype)
    return as_tensor(xp.power(float(base), values).astype(dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values from start to stop in geometric progression (a constant ratio)."""
    dtype = _space_dtype(start, stop, dtype)
    start64, stop64 = _array(start).astype(xp.float64), _array(stop).astype(xp.float64)
    values, _ = _line(xp.log10(xp.abs(start64)), xp.log10(xp.abs(stop64)), num, endpoint, axis, dtype)
    sign = xp.sign(start64)
    if sign.ndim:
        sign = xp.expand_dims(sign, axis)
    return as_tensor((xp.power(10.0, values) * sign).astype(dtype))


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D vectors: output i varies along axis i ('ij'), with the
    first two axes swapped for 'xy' (Cartesian). Differentiable in every vector."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij'. Received: indexing={indexing!r}")
    return _S.coordinate_grids([to_tensor(v) for v in x], indexing)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a vector: column j holds x ** (N - 1 - j) (x ** j when
    `increasing`). Differentiable in x (built from products, finite at x = 0)."""
    x = to_tensor(x)
    if x.ndim != 1:
        raise ValueError(f"vander: x must be 1-D. Received: x.shape={x.shape}")
    x = _cast(x, _to32(x.dtype.name))
    n = x.shape[0] if N is None else int(N)
    columns = []
    power = as_tensor(xp.ones(x.shape, dtype=x.dtype))
    for _ in range(n):
        columns.append(power)
        power = _E.mul(power, x)
    if not increasing:
        columns = columns[::-1]
    if not columns:
        return as_tensor(xp.zeros((x.shape[0], 0), dtype=x.dtype))
    return _S.stack(columns, axis=1)


def copy(x):
    """A copy of x (its own array). The gradient passes through unchanged."""
    return _arrange.copy(to_tensor(x))


def view(x, dtype=None):
    """The bytes of x read as `dtype` (the last axis rescales when the item size differs).
    No gradient."""
    data = _array(x)
    if dtype is None:
        return as_tensor(data.copy())
    return as_tensor(xp.ascontiguousarray(data).view(standardize_dtype(dtype)).copy())


# ---------------------------------------------------------------------------- shapes


def ndim(x):
    """The number of axes of x (a Python int)."""
    return _array(x).ndim


def size(x):
    """The number of elements of x (an int64 scalar tensor)."""
    return as_tensor(xp.asarray(_array(x).size, dtype=xp.int64))


def reshape(x, newshape):
    """x with shape `newshape` (one -1 allowed)."""
    return _S.reshape(to_tensor(x), _shape(newshape))


def ravel(x):
    """x flattened to 1-D."""
    return _S.reshape(to_tensor(x), (-1,))


def transpose(x, axes=None):
    """x with its axes permuted by `axes` (reversed when None)."""
    return _S.transpose(to_tensor(x), None if axes is None else _shape(axes))


def swapaxes(x, axis1, axis2):
    """x with axes `axis1` and `axis2` exchanged."""
    return _S.swapaxes(to_tensor(x), int(axis1), int(axis2))


def moveaxis(x, source, destination):
    """x with the axes at `source` moved to `destination` (ints or matching sequences); the
    other axes keep their order."""
    x = to_tensor(x)
    source = [a % x.ndim for a in _shape(source)]
    destination = [a % x.ndim for a in _shape(destination)]
    if len(source) != len(destination):
        raise ValueError(f"moveaxis: source and destination must have the same length. "
                         f"Received: source={source}, destination={destination}")
    order = [a for a in range(x.ndim) if a not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return _S.transpose(x, order)


def expand_dims(x, axis):
    """x with new axes of size 1 at `axis` (an int or a sequence)."""
    x = to_tensor(x)
    axes = _shape(axis)
    out_ndim = x.ndim + len(axes)
    return _S.expand_dims(x, tuple(sorted(a % out_ndim for a in axes)))


def squeeze(x, axis=None):
    """x without its size-1 axes (all, or those in `axis`)."""
    x = to_tensor(x)
    return _S.squeeze(x, None if axis is None else tuple(a % max(x.ndim, 1) for a in _shape(axis)))


def broadcast_to(x, shape):
    """x broadcast to `shape`."""
    return _S.broadcast_to(to_tensor(x), _shape(shape))


def concatenate(xs, axis=0):
    """The tensors joined along `axis`, promoted to one dtype."""
    return _S.concat(_promoted(xs), axis=int(axis))


def append(x1, x2, axis=None):
    """x2 appended to x1 along `axis` (both flattened when None)."""
    x1, x2 = _promoted([x1, x2])
    if axis is None:
        x1, x2, axis = _S.reshape(x1, (-1,)), _S.reshape(x2, (-1,)), 0
    return _S.concat([x1, x2], axis=int(axis))


def stack(x, axis=0):
    """The tensors stacked on a new `axis`, promoted to one dtype."""
    return _S.stack(_promoted(x), axis=int(axis))


def _at_least(t, rank):
    """t with axes of size 1 added as NumPy's atleast_2d / atleast_3d add them."""
    if t.ndim >= rank:
        return t
    if rank == 2:
        return _S.reshape(t, (1, -1) if t.ndim == 1 else (1, 1))
    if t.ndim == 0:
        return _S.reshape(t, (1, 1, 1))
    if t.ndim == 1:
        return _S.reshape(t, (1, t.shape[0], 1))
    return _S.reshape(t, t.shape + (1,))


def hstack(xs):
    """The tensors joined along axis 1 (axis 0 for 1-D tensors and scalars)."""
    xs = [_S.reshape(t, (1,)) if t.ndim == 0 else t for t in _promoted(xs)]
    return _S.concat(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    """The tensors (1-D ones as rows) joined along axis 0."""
    return _S.concat([_at_least(t, 2) for t in _promoted(xs)], axis=0)


def dstack(xs):
    """The tensors (made at least 3-D) joined along axis 2."""
    return _S.concat([_at_least(t, 3) for t in _promoted(xs)], axis=2)


def _slices(x, bounds, axis):
    """The pieces of x between consecutive `bounds` along `axis` (differentiable slices)."""
    axis = axis % x.ndim
    lead = (slice(None),) * axis
    return [_S.getitem(x, lead + (slice(a, b),)) for a, b in zip(bounds[:-1], bounds[1:])]


def split(x, indices_or_sections, axis=0):
    """x split along `axis` into N equal pieces (an int N), or at the given indices (a list)."""
    x = to_tensor(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, xp.integer)):
        sections = int(indices_or_sections)
        if n % sections:
            raise ValueError(
                f"split: x.shape[{axis}]={n} is not divisible by {sections}. "
                f"Received: indices_or_sections={sections}, x.shape={x.shape}"
            )
        bounds = [i * (n // sections) for i in range(sections + 1)]
    else:
        points = [int(i) for i in _array(indices_or_sections).reshape(-1)]
        bounds = [0] + [builtins.min(builtins.max(p, 0), n) for p in points] + [n]
    return _slices(x, bounds, axis)


def array_split(x, indices_or_sections, axis=0):
    """x split along `axis` into N pieces (an int, as in Keras) that need not divide the axis:
    the first (size mod N) pieces get one element more."""
    if not isinstance(indices_or_sections, (int, xp.integer)):
        raise TypeError(f"array_split: indices_or_sections must be an int. "
                        f"Received: indices_or_sections={indices_or_sections}")
    x = to_tensor(x)
    sections = int(indices_or_sections)
    if sections <= 0:
        raise ValueError(f"array_split: the number of sections must be positive. "
                         f"Received: indices_or_sections={sections}")
    base, extra = divmod(x.shape[axis], sections)
    bounds = [0]
    for s in [base + 1] * extra + [base] * (sections - extra):
        bounds.append(bounds[-1] + s)
    return _slices(x, bounds, axis)


def hsplit(x, indices_or_sections):
    """split along axis 1 (axis 0 for a 1-D tensor)."""
    x = to_tensor(x)
    return split(x, indices_or_sections, axis=0 if x.ndim == 1 else 1)


def vsplit(x, indices_or_sections):
    """split along axis 0."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """split along axis 2."""
    return split(x, indices_or_sections, axis=2)


def tile(x, repeats):
    """x repeated `repeats` times along each axis (NumPy's tile)."""
    return _S.tile(to_tensor(x), _shape(repeats))


def repeat(x, repeats, axis=None):
    """Each element of x repeated `repeats` times along `axis` (of the flattened x when None)."""
    return _arrange.repeat(to_tensor(x), repeats, None if axis is None else int(axis))


def flip(x, axis=None):
    """x reversed along `axis` (every axis when None)."""
    x = to_tensor(x)
    return _arrange.flip(x, None if axis is None else _shape(axis))


def fliplr(x):
    """x reversed along axis 1."""
    return flip(x, 1)


def flipud(x):
    """x reversed along axis 0."""
    return flip(x, 0)


def roll(x, shift, axis=None):
    """x shifted cyclically by `shift` along `axis` (of the flattened x when None)."""
    if isinstance(shift, Tensor):
        shift = shift.data.tolist()
    if isinstance(axis, Tensor):
        axis = axis.data.tolist()
    return _arrange.roll(to_tensor(x), shift, axis=axis)


def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by k * 90 degrees in the plane of `axes`, from the first axis
    toward the second."""
    x = to_tensor(array)
    if x.ndim < 2:
        raise ValueError(f"rot90: the input must have at least 2 dimensions. Received: array.ndim={x.ndim}")
    axes = tuple(int(a) for a in axes)
    if len(axes) != 2 or axes[0] % x.ndim == axes[1] % x.ndim:
        raise ValueError(f"rot90: axes must be two different axes. Received: axes={axes}")
    a, b = axes[0] % x.ndim, axes[1] % x.ndim
    k = int(k) % 4
    if k == 0:
        return copy(x)
    if k == 2:
        return _arrange.flip(x, (a, b))
    order = list(range(x.ndim))
    order[a], order[b] = order[b], order[a]
    if k == 1:
        return _S.transpose(_arrange.flip(x, b), order)
    return _arrange.flip(_S.transpose(x, order), b)


def pad(x, pad_width, mode="constant", constant_values=None):
    """x padded by pad_width ((before, after) per axis, one pair, or one int).

    mode: 'constant' (with constant_values, 0 by default), 'reflect' (mirror without
    the edge), 'symmetric' (mirror with the edge), 'edge' (the edge value repeated) or
    'wrap' (the other end). Differentiable: padding copies are gathers whose gradients add up.
    """
    x = to_tensor(x)
    widths = xp.broadcast_to(xp.asarray(_array(pad_width), dtype=xp.int64).reshape(-1, 2)
                             if xp.ndim(_array(pad_width)) else xp.asarray(int(_array(pad_width))),
                             (x.ndim, 2))
    if constant_values is not None and mode != "constant":
        raise ValueError(f"pad: constant_values can only be given with mode='constant'. Received: mode={mode!r}")
    if mode == "constant":
        value = 0 if constant_values is None else _array(constant_values)
        return _S.pad(x, widths, value)
    if mode not in ("reflect", "symmetric", "edge", "wrap"):
        raise ValueError(f"pad: mode must be one of 'constant', 'reflect', 'symmetric', 'edge', 'wrap'. "
                         f"Received: mode={mode!r}")
    for axis, (before, after) in enumerate(widths):
        if before or after:
            # where each padded position reads from: NumPy's pad of the positions themselves
            origin = xp.pad(xp.arange(x.shape[axis]), (int(before), int(after)), mode=mode)
            x = _indexing.take(x, origin, axis=axis)
    return x


# ---------------------------------------------------------------------------- indexing


def get_item(x, key):
    """x[key]: ints, slices, None, Ellipsis, integer arrays and boolean masks."""
    return _S.getitem(to_tensor(x), key)


def take(x, indices, axis=None):
    """Elements of x at `indices` along `axis` (of the flattened x when None); negative
    indices count from the end."""
    return _indexing.take(to_tensor(x), _array(indices), None if axis is None else int(axis))


def take_along_axis(x, indices, axis=None):
    """x[..., indices[..., j, ...], ...] along `axis` (both flattened when None)."""
    return _indexing.take_along_axis(to_tensor(x), _array(indices), None if axis is None else int(axis))


def where(condition, x1=None, x2=None):
    """x1 where condition else x2 (broadcast, promoted to one dtype); with only `condition`,
    the indices of its true elements as an int64 tensor of shape (condition.ndim, count)."""
    if (x1 is None) != (x2 is None):
        raise ValueError("where: x1 and x2 must both be None or both be given. "
                         f"Received: x1={'None' if x1 is None else '...'}, x2={'None' if x2 is None else '...'}")
    cond = _array(condition).astype(bool)
    if x1 is None:
        return as_tensor(xp.stack(xp.nonzero(cond)).astype(xp.int64).reshape(cond.ndim, -1))
    dtype = result_type(x1, x2)
    return _E.where(cond, to_tensor(x1, dtype), to_tensor(x2, dtype))


def select(condlist, choicelist, default=0):
    """For each element, the value of the first choice whose condition holds, else `default`."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length. "
                         f"Received: {len(condlist)} and {len(choicelist)}")
    dtype = result_type(*choicelist, default)
    out = to_tensor(default, dtype)
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = _E.where(_array(cond).astype(bool), to_tensor(choice, dtype), out)
    return out


def nonzero(x):
    """The indices of the non-zero elements: an int32 tensor of shape (x.ndim, count)."""
    data = _array(x)
    return as_tensor(xp.stack(xp.nonzero(data)).astype(xp.int32).reshape(data.ndim, -1))


def unravel_index(indices, shape):
    """The coordinates in an array of `shape` of flat `indices`, one tensor per axis."""
    data = _array(indices)
    dtype = _to32(data.dtype.name) if isinstance(indices, (Tensor, xp.ndarray)) else "int32"
    return tuple(as_tensor(c.astype(dtype)) for c in xp.unravel_index(data, _shape(shape)))


def searchsorted(sorted_sequence, values, side="left"):
    """Where each value would go in the sorted 1-D `sorted_sequence` to keep it sorted (int32)."""
    seq = _array(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError(f"searchsorted: only 1-D sorted sequences are supported. "
                         f"Received: sorted_sequence.shape={seq.shape}")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right'. Received: side={side!r}")
    return as_tensor(xp.searchsorted(seq, _array(values), side=side).astype(xp.int32))


def digitize(x, bins):
    """The bin of each element of x: i with bins[i-1] <= x < bins[i] (increasing bins), int32."""
    data = _array(x)
    if data.dtype == bool:
        data = data.astype(xp.uint8)
    return as_tensor(xp.searchsorted(_array(bins), data, side="right").astype(xp.int32))


def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of x1 is among the elements of x2 (a bool tensor)."""
    return as_tensor(xp.isin(_array(x1), _array(x2), assume_unique=assume_unique, invert=invert))


def bincount(x, weights=None, minlength=0, sparse=False):
    """How many times each non-negative int occurs in x (or the sum of its `weights`);
    a 2-D x counts each row. int32 counts, or the weights' float type. No gradient."""
    if sparse:
        raise ValueError("bincount: sparse=True is not supported")
    data = _array(x)
    if data.size and data.min() < 0:
        raise ValueError("bincount: x must hold non-negative integers")
    length = builtins.max(int(data.max()) + 1 if data.size else 0, int(minlength))
    if weights is None:
        dtype = "int32"
        w = None
    else:
        w = _array(weights)
        dtype = _to32(result_type(data.dtype.name, w.dtype.name))
    if data.ndim == 1:
        return as_tensor(xp.bincount(data, w, minlength=length).astype(dtype))
    if data.ndim != 2:
        raise ValueError(f"bincount: x must be 1-D or 2-D. Received: x.shape={data.shape}")
    rows = [xp.bincount(row, None if w is None else w[i], minlength=length) for i, row in enumerate(data)]
    return as_tensor(xp.stack(rows).astype(dtype))


def histogram(x, bins=10, range=None):
    """Counts of x in `bins` equal bins over `range` (x's min to max by default), and the
    bin edges, both in x's dtype."""
    data = _array(x)
    if data.dtype.kind != "f":
        raise TypeError(f"histogram: x must be a float tensor. Received: dtype={data.dtype}")
    counts, edges = xp.histogram(data, bins=int(bins), range=range)
    return as_tensor(counts.astype(data.dtype)), as_tensor(edges.astype(data.dtype))


# ---------------------------------------------------------------------------- sorting


def sort(x, axis=-1):
    """x sorted ascending along `axis` (flattened when None); the gradient follows the values."""
    return _indexing.sort(to_tensor(x), axis)


def argsort(x, axis=-1):
    """The stable permutation that sorts x along `axis` (flattened when None), int32."""
    data = _array(x)
    if data.dtype == bool:
        data = data.astype(xp.uint8)
    return as_tensor(_indexing.argsort(data, axis).data.astype(xp.int32))


def argpartition(x, kth, axis=-1):
    """Indices that put the kth smallest element at position kth along `axis`, the smaller
    ones before it and the larger after (int32). Keras compares the values as int32."""
    data = _array(x).astype(xp.int32)
    if axis is None:
        data, axis = data.reshape(-1), -1
    return as_tensor(xp.argpartition(data, int(kth), axis=axis).astype(xp.int32))


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The distinct values of x (sorted), and on request the index of each one's first
    occurrence, the inverse map (x's shape) and the counts (all int64).

    `size` truncates or pads the outputs to that many values (padding with `fill_value`
    or 0; pads the indices with 1 and the counts with 0, as Keras does).
    """
    data = _array(x)
    values, index, inverse, counts = xp.unique(data, return_index=True, return_inverse=True,
                                               return_counts=True, axis=axis)
    dim = 0 if axis is None else axis % data.ndim
    if axis is None:
        inverse = inverse.reshape(data.shape)
    if size is not None:
        have = values.shape[dim]
        if have > size:
            values = xp.take(values, xp.arange(size), axis=dim)
            index, counts = index[:size], counts[:size]
        elif have < size:
            widths = [(0, 0)] * values.ndim
            widths[dim] = (0, size - have)
            values = xp.pad(values, widths, constant_values=0 if fill_value is None else fill_value)
            index = xp.pad(index, (0, size - have), constant_values=1)
            counts = xp.pad(counts, (0, size - have), constant_values=0)
    outputs = [as_tensor(values)]
    if return_index:
        outputs.append(as_tensor(index.astype(xp.int64)))
    if return_inverse:
        outputs.append(as_tensor(inverse.astype(xp.int64)))
    if return_counts:
        outputs.append(as_tensor(counts.astype(xp.int64)))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


# ---------------------------------------------------------------------------- numerics


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y along `axis` by the trapezoidal rule: sum of (y[i] + y[i+1]) / 2 times
    the spacing (x[i+1] - x[i], or dx). Differentiable in y and x."""
    y = to_tensor(y)
    if y.dtype.kind in "biu":
        y = _cast(y, floatx() if y.dtype.kind == "b" else result_type(y, 1.0))
    axis = int(axis) % y.ndim
    n = y.shape[axis]
    lead = (slice(None),) * axis
    upper = _S.getitem(y, lead + (slice(1, None),))
    lower = _S.getitem(y, lead + (slice(0, n - 1),))
    heights = _E.mul(_E.add(upper, lower), 0.5)
    if x is None:
        total = _R.sum(heights, axis=axis)
        spacing = dx if isinstance(dx, Tensor) else as_tensor(xp.asarray(dx))
        return _E.mul(total, _cast(spacing, total.dtype.name))
    x = to_tensor(x)
    dtype = result_type(y, x)
    heights, x = _cast(heights, dtype), _cast(x, dtype)
    if x.ndim == 1:
        view = [1] * y.ndim
        view[axis] = x.shape[0]
        x = _S.reshape(x, view)
    xa = x.ndim - y.ndim + axis
    xlead = (slice(None),) * xa
    m = x.shape[xa]
    widths = _E.sub(_S.getitem(x, xlead + (slice(1, None),)), _S.getitem(x, xlead + (slice(0, m - 1),)))
    return _R.sum(_E.mul(heights, widths), axis=axis)


def correlate(x1, x2, mode="valid"):
    """The cross-correlation of two 1-D signals: c[k] = sum_n x1[n + k] * x2[n] over the
    overlaps ('valid'), centred to len(x1) ('same') or every overlap ('full'); float32
    (float16 for float16 inputs), a scalar when one value remains. Differentiable in both."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full'. Received: mode={mode!r}")
    a, b = to_tensor(x1), to_tensor(x2)
    dtype = _to32(result_type(a, b))
    dtype = dtype if dtype in ("float16", "bfloat16") else "float32"
    a, b = _cast(a, dtype), _cast(b, dtype)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"correlate: x1 and x2 must be 1-D. Received shapes: {a.shape} and {b.shape}")
    n1, n2 = a.shape[0], b.shape[0]
    padded = _S.pad(a, ((n2 - 1, n2 - 1),))
    length = n1 + n2 - 1
    windows = _indexing.take(padded, xp.arange(length)[:, None] + xp.arange(n2)[None, :], axis=0)
    full_result = _L.matmul(windows, b)
    if mode == "valid":
        keep = builtins.max(n1, n2) - builtins.min(n1, n2) + 1
    elif mode == "same":
        keep = n1
    else:
        keep = length
    start = (length - keep) // 2
    out = _S.getitem(full_result, slice(start, start + keep))
    return _S.reshape(out, ()) if out.shape == (1,) else out


def corrcoef(x):
    """Pearson correlation coefficients of the rows of x (each row a variable), clipped to
    [-1, 1]. Ints become float (int64: float64). Differentiable."""
    x = to_tensor(x)
    if x.dtype == bool:
        x = _cast(x, floatx())
    elif x.dtype.name == "int64":
        x = _cast(x, "float64")
    elif x.dtype.kind in "iu":
        x = _cast(x, "float32")
    rows = x if x.ndim == 2 else _S.reshape(x, (1, -1))
    centred = _E.sub(rows, _R.mean(rows, axis=1, keepdims=True))
    cov = _L.matmul(centred, _S.transpose(centred))
    std = _E.sqrt(_S.getitem(cov, (xp.arange(cov.shape[0]), xp.arange(cov.shape[0]))))
    c = _E.div(_E.div(cov, _S.reshape(std, (-1, 1))), _S.reshape(std, (1, -1)))
    c = _E.clip(c, -1.0, 1.0)
    return _S.reshape(c, ()) if x.ndim < 2 else c


# ---------------------------------------------------------------------------- vectorize


def _core_dims(spec):
    """'(m,n),(n)' -> [('m', 'n'), ('n',)]."""
    return [tuple(d for d in group.split(",") if d) for group in re.findall(r"\(([^)]*)\)", spec)]


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` made to map over the leading (batch) axes of its tensor arguments.

    Without a signature pyfunc gets scalars; with a generalized-ufunc signature such as
    '(m,n),(n)->(m)' it gets the trailing core axes. Arguments named in `excluded`
    (positions or keywords) pass through unchanged. The results are stacked back, and
    gradients flow through every call.
    """
    if not callable(pyfunc):
        raise ValueError(f"vectorize: pyfunc must be callable. Received: pyfunc={pyfunc}")
    excluded = set(excluded or ())
    # the inputs' core axes (the outputs' follow from what pyfunc returns)
    in_core = None if signature is None else _core_dims(signature.replace(" ", "").partition("->")[0])

    def wrapped(*args, **kwargs):
        mapped = [i for i in range(len(args)) if i not in excluded]
        tensors = {i: to_tensor(args[i]) for i in mapped}
        cores = [len(in_core[k]) if in_core is not None else 0 for k, _ in enumerate(mapped)]
        batch_shapes = [tensors[i].shape[:tensors[i].ndim - c] for i, c in zip(mapped, cores)]
        batch = xp.broadcast_shapes(*batch_shapes) if batch_shapes else ()
        for i, c in zip(mapped, cores):
            t = tensors[i]
            tensors[i] = _S.broadcast_to(t, batch + t.shape[t.ndim - c:])
        results = []
        for position in xp.ndindex(*batch):
            call_args = [(_S.getitem(tensors[i], position) if position else tensors[i]) if i in tensors
                         else args[i] for i in range(len(args))]
            results.append(pyfunc(*call_args, **kwargs))
        if not results:
            raise ValueError("vectorize: the batch shape is empty; nothing to call pyfunc on")
        several = isinstance(results[0], (tuple, list))
        columns = list(zip(*results)) if several else [results]
        stacked = []
        for column in columns:
            pieces = [to_tensor(r) for r in column]
            out = _S.stack(pieces, axis=0) if batch else pieces[0]
            stacked.append(_S.reshape(out, batch + pieces[0].shape) if batch else out)
        return tuple(stacked) if several else stacked[0]

    return wrapped


__getattr__ = unimplemented(__name__, _names.PROVIDERS["numpy_arrays"])
