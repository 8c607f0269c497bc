"""Segment reductions, top-k selection and scatter: ops that gather or spread
elements by an index array; and the discrete Fourier transforms of keras.ops on
(real, imag) pairs. Each forward sits beside its vector-Jacobian product.

A segment reduction combines the rows data[i] that share segment_ids[i]:
y[s] = reduce{ data[i] : segment_ids[i] == s } for s in 0..num_segments-1.
Ids outside [0, num_segments) are dropped, as Keras does.
"""
from ..backend import xp
from ..tensor import Tensor, as_tensor, attach
from .table import declare


def _segment_ids(segment_ids, data, num_segments):
    """(ids with dropped rows sent to the extra segment `num_segments`, num_segments)."""
    ids = segment_ids.data if isinstance(segment_ids, Tensor) else xp.asarray(segment_ids)
    ids = ids.astype(xp.int64, copy=False).reshape(-1)
    if ids.shape[0] != data.shape[0]:
        raise ValueError(
            "segment ops: `segment_ids` and `data` should have the same leading dimension. "
            f"Received: segment_ids.shape={tuple(ids.shape)}, data.shape={tuple(data.shape)}"
        )
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.size else 0
    num_segments = int(num_segments)
    ids = xp.where((ids >= 0) & (ids < num_segments), ids, num_segments)
    return ids, num_segments


def _extreme_fill(dtype, sign):
    """The identity of max (sign=-1) or min (sign=+1) in `dtype`: -inf/+inf, or the int limits."""
    if dtype.kind == "f":
        return sign * xp.inf
    if dtype.kind == "b":
        return sign > 0
    info = xp.iinfo(dtype)
    return info.max if sign > 0 else info.min


@declare(kind="reduction")
def segment_sum(data, segment_ids, num_segments=None):
    """y[s] = sum of data[i] with segment_ids[i] == s; y has shape (num_segments,) + data.shape[1:].

    dx[i] = g[segment_ids[i]] (0 for a dropped row).
    """
    data = as_tensor(data)
    ids, n = _segment_ids(segment_ids, data, num_segments)
    out = xp.zeros((n + 1,) + data.shape[1:], dtype=data.data.dtype)
    xp.add.at(out, ids, data.data)

    def vjp(g):
        padded = xp.concatenate([g, xp.zeros((1,) + g.shape[1:], dtype=g.dtype)])
        return (padded[ids],)

    return attach(out[:n], (data,), vjp, "segment_sum")


def _segment_extreme(data, segment_ids, num_segments, ufunc, sign, op):
    data = as_tensor(data)
    ids, n = _segment_ids(segment_ids, data, num_segments)
    out = xp.full((n + 1,) + data.shape[1:], _extreme_fill(data.data.dtype, sign), dtype=data.data.dtype)
    ufunc.at(out, ids, data.data)

    def vjp(g):
        hit = data.data == out[ids]
        count = xp.zeros(out.shape, dtype=g.dtype)
        xp.add.at(count, ids, hit.astype(g.dtype))
        padded = xp.concatenate([g, xp.zeros((1,) + g.shape[1:], dtype=g.dtype)])
        return (xp.where(hit, padded[ids] / xp.maximum(count[ids], 1), 0).astype(g.dtype, copy=False),)

    return attach(out[:n], (data,), vjp, op)


@declare(kind="reduction")
def segment_max(data, segment_ids, num_segments=None):
    """y[s] = max of data[i] with segment_ids[i] == s (-inf for an empty segment).

    dx[i] = g[s] where data[i] is its segment's maximum, shared equally among ties; 0 elsewhere.
    """
    return _segment_extreme(data, segment_ids, num_segments, xp.maximum, -1, "segment_max")


@declare(kind="reduction")
def segment_min(data, segment_ids, num_segments=None):
    """y[s] = min of data[i] with segment_ids[i] == s (+inf for an empty segment).

    dx[i] = g[s] where data[i] is its segment's minimum, shared equally among ties; 0 elsewhere.
    """
    return _segment_extreme(data, segment_ids, num_segments, xp.minimum, 1, "segment_min")


@declare(kind="reduction")
def segment_prod(data, segment_ids, num_segments=None):
    """y[s] = product of data[i] with segment_ids[i] == s (1 for an empty segment).

    dx[i] = g[s] * (product of the other rows of segment s), taken exactly when
    data holds zeros: y / x[i] where x[i] != 0, the product of the non-zero rows
    where x[i] is the segment's only zero, and 0 where there are more zeros.
    """
    data = as_tensor(data)
    ids, n = _segment_ids(segment_ids, data, num_segments)
    x = data.data
    out = xp.ones((n + 1,) + x.shape[1:], dtype=x.dtype)
    xp.multiply.at(out, ids, x)

    def vjp(g):
        zero = x == 0
        nonzero_prod = xp.ones(out.shape, dtype=x.dtype)
        xp.multiply.at(nonzero_prod, ids, xp.where(zero, 1, x))
        zeros = xp.zeros(out.shape, dtype=xp.int64)
        xp.add.at(zeros, ids, zero.astype(xp.int64))
        zeros_here = zeros[ids]
        others = xp.where(zero, xp.where(zeros_here == 1, nonzero_prod[ids], 0),
                          xp.where(zeros_here == 0, nonzero_prod[ids] / xp.where(zero, 1, x), 0))
        padded = xp.concatenate([g, xp.zeros((1,) + g.shape[1:], dtype=g.dtype)])
        return ((padded[ids] * others).astype(g.dtype, copy=False),)

    return attach(out[:n], (data,), vjp, "segment_prod")


@declare(kind="indexing")
def top_k(x, k, sorted=True):  # noqa: A002 (Keras' argument name)
    """(values, indices) of the k largest entries along the last axis, largest first.

    Ties keep the lower index first. Indices are int64 (as torch.topk) and carry no gradient;
    d values -> dx: g placed back at the chosen entries, 0 elsewhere.
    """
    x = as_tensor(x)
    k = int(k)
    if not 0 <= k <= (x.shape[-1] if x.ndim else 1):
        raise ValueError(f"top_k: k must be in [0, {x.shape[-1]}]. Received: k={k}")
    data = x.data
    if data.dtype.kind == "b":
        order = xp.argsort(~data, axis=-1, kind="stable")
    elif data.dtype.kind == "u":
        order = xp.argsort(xp.iinfo(data.dtype).max - data, axis=-1, kind="stable")
    else:
        order = xp.argsort(-data, axis=-1, kind="stable")
    indices = order[..., :k]
    values = xp.take_along_axis(data, indices, axis=-1)

    def vjp(g):
        dx = xp.zeros(x.shape, dtype=g.dtype)
        xp.put_along_axis(dx, indices, g, axis=-1)
        return (dx,)

    return attach(values, (x,), vjp, "top_k"), as_tensor(indices.astype(xp.int64))


def _index(indices):
    """An (N, k) integer array of coordinates as the tuple NumPy indexes with."""
    idx = indices.data if isinstance(indices, Tensor) else xp.asarray(indices)
    idx = idx.astype(xp.int64, copy=False)
    return tuple(idx[..., j] for j in range(idx.shape[-1]))


@declare(kind="indexing")
def scatter_nd_add(x, indices, updates):
    """y = x with updates[i] added at x[indices[i]] (repeated coordinates add up).

    indices: (..., k) integer coordinates into the first k axes of x;
    updates: indices.shape[:-1] + x.shape[k:]. dx = g, dupdates[i] = g[indices[i]].
    """
    x, updates = as_tensor(x), as_tensor(updates)
    index = _index(indices)
    y = x.data.copy()
    xp.add.at(y, index, updates.data.astype(y.dtype, copy=False))

    def vjp(g):
        return g, g[index].astype(updates.data.dtype, copy=False)

    return attach(y, (x, updates), vjp, "scatter_nd_add")


@declare(kind="indexing")
def scatter_nd_update(x, indices, updates):
    """y = x with x[indices[i]] replaced by updates[i] (the last of repeated coordinates wins).

    dx = g with the replaced entries zeroed; dupdates[i] = g[indices[i]].
    """
    x, updates = as_tensor(x), as_tensor(updates)
    index = _index(indices)
    y = x.data.copy()
    y[index] = updates.data.astype(y.dtype, copy=False)

    def vjp(g):
        gx = None
        if x.requires_grad:
            gx = g.copy()
            gx[index] = 0
        return gx, g[index].astype(updates.data.dtype, copy=False)

    return attach(y, (x, updates), vjp, "scatter_nd_update")


# ---- discrete Fourier transforms on (real, imag) pairs of float tensors --------------------------
# Keras passes complex values as two float tensors; these ops take and give such pairs, the
# result stacked on a new last axis of 2 (real, imag). The DFT is linear, so each vjp is the
# adjoint transform: for y = F x (F_jk = e^{-2 pi i jk / n}), d real/imag x = real/imag of F^H g.


def _pair_of(real, imag):
    real, imag = as_tensor(real), as_tensor(imag, like=real)
    if real.shape != imag.shape:
        raise ValueError("fft: the real and imaginary parts must have the same shape. "
                         f"Received: {tuple(real.shape)} and {tuple(imag.shape)}")
    return real, imag


def _stacked(z, dtype):
    return xp.stack([z.real, z.imag], axis=-1).astype(dtype, copy=False)


@declare(kind="linalg")
def fft_pair(real, imag, inverse=False):
    """y = fft(real + i imag) along the last axis (ifft, with 1/n, when `inverse`), as (..., n, 2).

    With g = G[..., 0] + i G[..., 1]: the forward's adjoint gives d(real + i imag) = n ifft(g),
    the inverse's gives fft(g) / n.
    """
    real, imag = _pair_of(real, imag)
    dtype = real.data.dtype
    z = real.data + 1j * imag.data
    y = xp.fft.ifft(z, axis=-1) if inverse else xp.fft.fft(z, axis=-1)
    n = real.shape[-1]

    def vjp(g):
        gz = g[..., 0] + 1j * g[..., 1]
        back = xp.fft.fft(gz, axis=-1) / n if inverse else xp.fft.ifft(gz, axis=-1) * n
        return back.real.astype(dtype), back.imag.astype(dtype)

    return attach(_stacked(y, dtype), (real, imag), vjp, "fft_pair")


@declare(kind="linalg")
def rfft_pair(x, n):
    """The n // 2 + 1 non-negative frequencies of the DFT of the real x (cropped or zero-padded
    to length n on the last axis), as (..., n // 2 + 1, 2).

    dx_t = Re(sum_k g_k e^{+2 pi i k t / n}) = Re(n ifft(g zero-padded to n))_t, cut to x's length.
    """
    x = as_tensor(x)
    n = int(n)
    length = x.shape[-1]
    y = xp.fft.rfft(x.data, n=n, axis=-1)

    def vjp(g):
        gz = g[..., 0] + 1j * g[..., 1]
        full = xp.zeros(gz.shape[:-1] + (n,), dtype=gz.dtype)
        full[..., :gz.shape[-1]] = gz
        back = (xp.fft.ifft(full, axis=-1) * n).real
        if length > n:
            back = xp.concatenate([back, xp.zeros(back.shape[:-1] + (length - n,))], axis=-1)
        return (back[..., :length].astype(x.data.dtype),)

    return attach(_stacked(y, x.data.dtype), (x,), vjp, "rfft_pair")


@declare(kind="linalg")
def irfft_pair(real, imag, n):
    """The real signal of length n whose rfft is real + i imag (bins cropped or zero-padded to
    n // 2 + 1; the imaginary parts of the zero and Nyquist bins do not count).

    x_t = (1/n) sum_k w_k (Re X_k cos(2 pi k t / n) - Im X_k sin(2 pi k t / n)), w_k = 1 for
    the zero and Nyquist bins and 2 otherwise, so dRe X_k = (w_k / n) Re fft(g)_k and
    dIm X_k = (w_k / n) Im fft(g)_k.
    """
    real, imag = _pair_of(real, imag)
    n = int(n)
    bins = real.shape[-1]
    dtype = real.data.dtype
    y = xp.fft.irfft(real.data + 1j * imag.data, n=n, axis=-1).astype(dtype)

    def vjp(g):
        spectrum = xp.fft.rfft(g, axis=-1)  # n // 2 + 1 bins
        k = xp.arange(spectrum.shape[-1])
        weight = xp.where((k == 0) | ((n % 2 == 0) & (k == n // 2)), 1.0, 2.0) / n
        spectrum = spectrum * weight
        if bins > spectrum.shape[-1]:
            spectrum = xp.concatenate([spectrum, xp.zeros(spectrum.shape[:-1] + (bins - spectrum.shape[-1],))],
                                      axis=-1)
        spectrum = spectrum[..., :bins]
        return spectrum.real.astype(dtype), spectrum.imag.astype(dtype)

    return attach(y, (real, imag), vjp, "irfft_pair")
