"""Max and average pooling on channels-last tensors, as Keras' pooling layers.

Notation: x (N, H, W, C), pool (ph, pw), strides s (default: the pool size),
output (N, OH, OW, C). Each of the ph*pw window offsets (i, j) reads one
strided slice of the (padded) input, tap(i, j) = xpad[:, i::s, j::s, :] cut to
OH x OW, so both directions are ph*pw whole-array operations:

    max:  y = max over taps of xpad[tap(i, j)]
          dx[tap(i, j)] += g where tap(i, j) is the first tap (row-major) equal to y
          (one element per window gets the gradient, as PyTorch)
    avg:  y = sum over taps of xpad[tap(i, j)] / count
          dx[tap(i, j)] += g / count

When windows do not overlap (stride >= pool, e.g. 2x2 stride 2) each tap's
gradient is written straight into its slice, with no accumulation, and max
pooling finds each window's winning tap in the forward (a uint8 per output), so
its vjp reads g and the winners instead of the whole input again. Without a
gradient to record (inference, no_grad) the forward computes y only.

Padding 'same' is TensorFlow's (extra row/column at the bottom/right); max
pooling ignores padded cells (padded with -inf) and average pooling divides by
the number of real cells in each window (count), as TensorFlow and Keras do.
"""
from ..backend import floatx, xp
from ..tensor import as_tensor, attach, is_grad_enabled
from .conv import _pair, _padding, _single, out_size, pad_hw, same_pads, tap
from .table import declare



def _geometry(op, x, pool_size, strides, padding, unit=False):
    """Pool, strides, pads and output size of a 4-D pooling (1-D pooling: `unit` height)."""
    if unit:
        pool = (1, _single(pool_size, "pool_size", op))
        strides = pool if strides is None else (1, _single(strides, "strides", op))
    else:
        pool = _pair(pool_size, "pool_size", op)
        strides = pool if strides is None else _pair(strides, "strides", op)
    mode = _padding(padding, op)
    sizes = x.data.shape[1:3]
    if mode == "same":
        pads = tuple(same_pads(n, p, s) for n, p, s in zip(sizes, pool, strides))
    else:
        pads = ((0, 0), (0, 0))
    out_hw = tuple(out_size(n, p, s, q) for n, p, s, q in zip(sizes, pool, strides, pads))
    if min(out_hw) < 1:
        raise ValueError(
            f"{op}: the pool window is larger than the {'padded ' if mode == 'same' else ''}input. "
            f"Received: x shape={tuple(x.shape)}, pool_size={pool if not unit else pool[1]}, padding={padding!r}"
        )
    return pool, strides, pads, out_hw


def grad_buffer(shape, pool, strides, out_hw, dtype):
    """Zeros for the padded input gradient; uninitialised when the taps tile it exactly."""
    tiles = all(s == p and n == o * p for n, p, s, o in zip(shape[1:3], pool, strides, out_hw))
    return (xp.empty if tiles else xp.zeros)(shape, dtype=dtype)


def window_max(taps, out=None):
    """The elementwise maximum of the taps' strided views, into `out` or a new array."""
    if len(taps) == 1:
        if out is None:
            return taps[0].copy()
        xp.copyto(out, taps[0])
        return out
    y = xp.maximum(taps[0], taps[1], out=out)
    for t in taps[2:]:
        xp.maximum(y, t, out=y)
    return y


def _max_pool(x4, pool, strides, pads, out_hw, need_grad=True):
    """Forward of max pooling on a 4-D array, and the vjp on arrays (None when no gradient is needed)."""
    dtype = x4.dtype
    xpad = pad_hw(x4, pads, -xp.inf)
    offsets = [(i, j) for i in range(pool[0]) for j in range(pool[1])]
    if not need_grad:
        return window_max([tap(xpad, i, j, strides, out_hw) for i, j in offsets]), None
    if strides[0] >= pool[0] and strides[1] >= pool[1] and len(offsets) < 256:
        return _max_pool_disjoint(x4, xpad, offsets, pool, strides, pads, out_hw)
    # Overlapping windows: the winners are found again in the vjp, from the input.
    y = window_max([tap(xpad, i, j, strides, out_hw) for i, j in offsets])

    def vjp(g):
        dxpad = grad_buffer(xpad.shape, pool, strides, out_hw, dtype)
        taken = None
        last = len(offsets) - 1
        for k, (i, j) in enumerate(offsets):
            hit = tap(xpad, i, j, strides, out_hw) == y
            if taken is not None:
                xp.greater(hit, taken, out=hit)  # hit and not already routed
            if k < last:
                taken = hit if taken is None else xp.logical_or(taken, hit, out=taken)
            view = tap(dxpad, i, j, strides, out_hw)
            view += g * hit
        (t, _), (l, _) = pads
        h, w = x4.shape[1:3]
        return dxpad[:, t:t + h, l:l + w, :]

    return y, vjp


def first_winner(taps, y, out=None):
    """uint8 array of y's shape: the index of the first tap equal to y, counted as the
    number of leading taps that are not it (a NaN window: the last tap). Into `out` if given."""
    found = taps[0] == y
    winner = xp.logical_not(found, out=None if out is None else out.view(bool)).view(xp.uint8)
    for t in taps[1:-1]:
        found |= t == y
        winner += ~found
    return winner


def route_to_winners(g, winner, taps_of, out):
    """out[tap k] = g where winner == k, for every tap: the vjp of a disjoint max pooling.

    taps_of(a) gives the tap views of `out` (cells not in any window are left alone).
    """
    hit = xp.empty(winner.shape, dtype=bool)
    for k, view in enumerate(taps_of(out)):
        xp.equal(winner, k, out=hit)
        xp.multiply(g, hit, out=view)
    return out


def _max_pool_disjoint(x4, xpad, offsets, pool, strides, pads, out_hw):
    """Max pooling whose windows do not overlap, with the winners found in the forward.

    Besides y, the forward keeps `winner` (uint8, y's shape): the index of the first
    tap (row-major) equal to the maximum, counted as the number of leading taps
    that are not it. The vjp then needs only g and `winner`, not the input:
    dx[tap(k)] = g where winner == k, one write per tap. Measured on the MNIST
    CNN's first pooling (64x26x26x32, one thread): forward 0.42 -> 0.60 ms and
    forward + backward 1.22 -> 1.12 ms with warm caches, 2.09 -> 1.67 ms when the
    caches were flushed between the two (as they are in training).
    A window holding a NaN routes its gradient to its last tap.
    """
    taps = [tap(xpad, i, j, strides, out_hw) for i, j in offsets]
    y = window_max(taps)
    winner = first_winner(taps, y)
    del taps
    padded_shape = xpad.shape
    (top, _), (left, _) = pads
    h, w = x4.shape[1:3]

    def vjp(g):
        dxpad = grad_buffer(padded_shape, pool, strides, out_hw, g.dtype)
        route_to_winners(g, winner, lambda a: [tap(a, i, j, strides, out_hw) for i, j in offsets], dxpad)
        return dxpad[:, top:top + h, left:left + w, :]

    return y, vjp


def _avg_pool(x4, pool, strides, pads, out_hw, need_grad=True):
    """Forward of average pooling (over the real cells only) on a 4-D array, and the vjp on arrays."""
    dtype = x4.dtype
    xpad = pad_hw(x4, pads)
    offsets = [(i, j) for i in range(pool[0]) for j in range(pool[1])]
    y = tap(xpad, *offsets[0], strides, out_hw).copy()
    for i, j in offsets[1:]:
        y += tap(xpad, i, j, strides, out_hw)
    if any(p for pair in pads for p in pair):
        # Real cells per window: a product of per-axis counts.
        counts = []
        for size, p, s, (before, _), o in zip(x4.shape[1:3], pool, strides, pads, out_hw):
            start = xp.arange(o) * s - before
            counts.append(xp.minimum(start + p, size) - xp.maximum(start, 0))
        count = (counts[0][:, None] * counts[1][None, :])[:, :, None].astype(dtype)
    else:
        count = pool[0] * pool[1]
    y /= count
    disjoint = strides[0] >= pool[0] and strides[1] >= pool[1]
    padded_shape = xpad.shape
    del xpad

    def vjp(g):
        gq = g / count
        dxpad = grad_buffer(padded_shape, pool, strides, out_hw, dtype)
        for i, j in offsets:
            view = tap(dxpad, i, j, strides, out_hw)
            if disjoint:
                view[...] = gq
            else:
                view += gq
        (t, _), (l, _) = pads
        h, w = x4.shape[1:3]
        return dxpad[:, t:t + h, l:l + w, :]

    return y, vjp


def _check_rank(op, x, rank, layout):
    if x.ndim != rank:
        raise ValueError(f"{op}: expects a {rank}-D input {layout}. Received shape: x={tuple(x.shape)}")


def _float(x):
    """The array of x, integers as the default float type (pooling averages and pads with -inf)."""
    return x.data if x.data.dtype.kind == "f" else x.data.astype(floatx())


def _pool2d(op, kernel, x, pool_size, strides, padding):
    x = as_tensor(x)
    _check_rank(op, x, 4, "(N, H, W, C)")
    pool, strides, pads, out_hw = _geometry(op, x, pool_size, strides, padding)
    y, array_vjp = kernel(_float(x), pool, strides, pads, out_hw, x.requires_grad and is_grad_enabled())
    return attach(y, (x,), lambda g: (array_vjp(g),), op)


def _pool1d(op, kernel, x, pool_size, strides, padding):
    x = as_tensor(x)
    _check_rank(op, x, 3, "(N, L, C)")
    x4 = _float(x)[:, None]
    pool, strides, pads, out_hw = _geometry(op, x4, pool_size, strides, padding, unit=True)
    y, array_vjp = kernel(x4, pool, strides, pads, out_hw, x.requires_grad and is_grad_enabled())
    return attach(y[:, 0], (x,), lambda g: (array_vjp(g[:, None])[:, 0],), op)


@declare(kind="pooling")
def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """2-D max pooling (Keras MaxPooling2D).

    Args:
        x: (N, H, W, C).
        pool_size: int or pair.
        strides: int, pair, or None for the pool size.
        padding: 'valid' or 'same' (TensorFlow's; padded cells never win).

    Returns (N, OH, OW, C): OH = ceil(H / s) for 'same', (H - ph) // s + 1 for 'valid'.
    dx: g goes to the first maximal element of each window (row-major), as PyTorch.
    """
    return _pool2d("max_pool2d", _max_pool, x, pool_size, strides, padding)


@declare(kind="pooling")
def avg_pool2d(x, pool_size=2, strides=None, padding="valid"):
    """2-D average pooling (Keras AveragePooling2D).

    Args:
        x: (N, H, W, C).
        pool_size: int or pair.
        strides: int, pair, or None for the pool size.
        padding: 'valid' or 'same' (TensorFlow's; the mean over the real cells only).

    Returns (N, OH, OW, C). dx: g / count to every real cell of each window.
    """
    return _pool2d("avg_pool2d", _avg_pool, x, pool_size, strides, padding)


@declare(kind="pooling")
def max_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """1-D max pooling (Keras MaxPooling1D) on (N, L, C): max_pool2d over a unit height axis."""
    return _pool1d("max_pool1d", _max_pool, x, pool_size, strides, padding)


@declare(kind="pooling")
def avg_pool1d(x, pool_size=2, strides=None, padding="valid"):
    """1-D average pooling (Keras AveragePooling1D) on (N, L, C), real cells only for 'same'."""
    return _pool1d("avg_pool1d", _avg_pool, x, pool_size, strides, padding)
