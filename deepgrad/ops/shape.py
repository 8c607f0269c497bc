"""Shape ops: they move elements without changing them, so each vjp moves the
gradient back to where the element came from."""
from ..backend import xp
from ..tensor import Tensor, as_tensor, attach
from .elementwise import unbroadcast
from .table import as_property, declare, flattened, star_axes, star_shape


@declare(kind="shape", methods=(("reshape", star_shape), ("flatten", flattened)))
def reshape(x, shape):
    """y = x with `shape` (one -1 allowed). dx = g reshaped to x.shape."""
    x = as_tensor(x)
    shape = tuple(int(s) for s in shape) if not isinstance(shape, int) else (shape,)
    try:
        y = x.data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
            f"into shape {shape}"
        ) from None
    return attach(y, (x,), lambda g: (g.reshape(x.shape),), "reshape")


@declare(kind="shape", methods=(("transpose", star_axes), ("T", as_property)))
def transpose(x, axes=None):
    """y = x with axes permuted (reversed when None). dx = g permuted back."""
    x = as_tensor(x)
    axes = tuple(range(x.ndim))[::-1] if axes is None else tuple(int(a) % x.ndim for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of a rank-{x.ndim} shape {x.shape}")
    inverse = tuple(int(i) for i in xp.argsort(axes))
    return attach(x.data.transpose(axes), (x,), lambda g: (g.transpose(inverse),), "transpose", inverse)


@declare(kind="shape", methods=("swapaxes",))
def swapaxes(x, a, b):
    """y = x with axes a and b exchanged."""
    x = as_tensor(x)
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return transpose(x, axes)


def _plain_index(index):
    """The index with tensors replaced by their arrays."""
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index.data if isinstance(index, Tensor) else index


def _is_advanced(index):
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (list, xp.ndarray)) for i in parts)


@declare(kind="indexing", methods=("__getitem__",))
def getitem(x, index):
    """y = x[index] for ints, slices, None, Ellipsis, integer arrays and boolean masks.

    dx = zeros of x.shape with g placed (summed, for repeated indices) at `index`.
    """
    x = as_tensor(x)
    index = _plain_index(index)
    try:
        y = x.data[index]
    except IndexError as e:
        raise IndexError(f"getitem: {e}. Received: index={index!r} for shape {x.shape}") from None
    advanced = _is_advanced(index)

    def vjp(g):
        dx = xp.zeros(x.shape, dtype=g.dtype)
        if advanced:
            xp.add.at(dx, index, g)
        else:
            dx[index] = g
        return (dx,)

    return attach(xp.asarray(y) if not isinstance(y, xp.ndarray) else y, (x,), vjp, "getitem", index)


@declare(kind="shape")
def concat(tensors, axis=0):
    """y = the tensors joined along `axis`. Each dx_i = the slice of g that came from x_i."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concat: expects at least one tensor")
    try:
        y = xp.concatenate([t.data for t in tensors], axis=axis)
    except ValueError:
        shapes = [t.data.shape for t in tensors]
        raise ValueError(
            f"concat: all shapes must match except on axis {axis}. Received shapes: {shapes}"
        ) from None
    sizes = [t.shape[axis] for t in tensors]
    bounds = list(xp.cumsum(sizes)[:-1])
    return attach(y, tuple(tensors), lambda g: tuple(xp.split(g, bounds, axis=axis)), "concat", axis)


@declare(kind="shape")
def stack(tensors, axis=0):
    """y = the tensors stacked on a new `axis`. Each dx_i = g taken at position i on that axis."""
    tensors = [as_tensor(t) for t in tensors]
    try:
        y = xp.stack([t.data for t in tensors], axis=axis)
    except ValueError:
        shapes = [t.data.shape for t in tensors]
        raise ValueError(f"stack: all shapes must be equal. Received shapes: {shapes}") from None
    n = len(tensors)
    return attach(
        y,
        tuple(tensors),
        lambda g: tuple(xp.take(g, i, axis=axis) for i in range(n)),
        "stack",
        axis,
    )


@declare(kind="shape")
def split(x, num_or_size_splits, axis=0):
    """Pieces of x along `axis`: a number of equal parts, or a list of sizes (TF's convention)."""
    x = as_tensor(x)
    length = x.shape[axis]
    if isinstance(num_or_size_splits, int):
        if length % num_or_size_splits:
            raise ValueError(
                f"split: axis {axis} of shape {x.shape} does not divide into "
                f"{num_or_size_splits} equal parts"
            )
        sizes = [length // num_or_size_splits] * num_or_size_splits
    else:
        sizes = [int(s) for s in num_or_size_splits]
        if sum(sizes) != length:
            raise ValueError(f"split: sizes {sizes} do not add up to axis {axis} of shape {x.shape}")
    pieces, start = [], 0
    axis = axis % x.ndim
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        pieces.append(getitem(x, index))
        start += size
    return pieces


@declare(kind="shape")
def pad(x, pad_width, constant_value=0):
    """y = x padded with a constant; pad_width as NumPy's ((before, after), ...). dx = g cropped."""
    x = as_tensor(x)
    widths = xp.broadcast_to(xp.asarray(pad_width, dtype=int), (x.ndim, 2))
    y = xp.pad(x.data, widths, mode="constant", constant_values=constant_value)
    crop = tuple(slice(int(b), int(b) + n) for (b, _), n in zip(widths, x.shape))
    return attach(y, (x,), lambda g: (g[crop],), "pad")


@declare(kind="shape", methods=("expand_dims",))
def expand_dims(x, axis):
    """y = x with a new axis of size 1 at `axis`. dx = g with that axis removed."""
    x = as_tensor(x)
    return attach(xp.expand_dims(x.data, axis), (x,), lambda g: (g.reshape(x.shape),), "expand_dims")


@declare(kind="shape", methods=("squeeze",))
def squeeze(x, axis=None):
    """y = x without size-1 axes (all, or those in `axis`). dx = g reshaped to x.shape."""
    x = as_tensor(x)
    try:
        y = xp.squeeze(x.data, axis=axis)
    except ValueError:
        raise ValueError(f"squeeze: axis {axis} of shape {x.shape} does not have size 1") from None
    return attach(y, (x,), lambda g: (g.reshape(x.shape),), "squeeze")


@declare(kind="shape", methods=("broadcast_to",))
def broadcast_to(x, shape):
    """y = x broadcast to `shape`. dx = g summed back over the broadcast axes."""
    x = as_tensor(x)
    shape = tuple(int(s) for s in shape)
    try:
        y = xp.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None
    return attach(y, (x,), lambda g: (unbroadcast(g, x.shape),), "broadcast_to")


@declare(kind="shape")
def tile(x, reps):
    """y = x repeated `reps` times along each axis. dx = g summed over the copies."""
    x = as_tensor(x)
    reps = tuple(int(r) for r in reps)
    y = xp.tile(x.data, reps)
    lead = len(reps) - x.ndim
    base = (1,) * lead + x.shape if lead > 0 else x.shape
    reps_full = (1,) * max(0, x.ndim - len(reps)) + reps

    def vjp(g):
        split_shape = []
        for r, n in zip(reps_full, base):
            split_shape += [r, n]
        g = g.reshape(split_shape).sum(axis=tuple(range(0, len(split_shape), 2)))
        return (g.reshape(x.shape),)

    return attach(y, (x,), vjp, "tile")


def coordinate_grids(vectors, indexing="xy"):
    """meshgrid of 1-D tensors: grid i is vector i along axis i ("ij"), the first two axes swapped
    for "xy" (Cartesian); each grid has shape (n_0, n_1, ...) ((n_1, n_0, ...) for "xy").

    Built from reshape and broadcast_to, so each vector's gradient is its grid's gradient summed
    over the other axes. Shared by tf.meshgrid and keras.ops.meshgrid, which check `indexing`.
    """
    vectors = [reshape(v, (-1,)) for v in vectors]
    sizes = [v.data.shape[0] for v in vectors]
    cartesian = indexing == "xy" and len(vectors) > 1
    if cartesian:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        view = [1] * len(vectors)
        view[1 - i if cartesian and i < 2 else i] = v.data.shape[0]
        grids.append(broadcast_to(reshape(v, tuple(view)), tuple(sizes)))
    return grids

