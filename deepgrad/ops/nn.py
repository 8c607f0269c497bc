"""Neural-network ops: softmax, fused losses, dropout, normalisation, embedding.

Each forward sits beside its hand-written vector-Jacobian product. Where the
chain of primitives would be slow or unstable (softmax followed by a log, the
statistics of a batch norm), the op is fused and its gradient written out in
closed form. Convolution and pooling live in conv.py and pooling.py.

Every op keeps the float dtype of its main input: float32 in, float32 out and
float32 gradients (constants are Python numbers, which do not upcast).
"""
from ..backend import floatx, rng, xp
from ..tensor import Tensor, as_tensor, attach
from .elementwise import _sigmoid_array, unbroadcast
from .table import declare


def _float(x):
    """`x` as a tensor of a float dtype (integers and booleans become floatx)."""
    x = as_tensor(x)
    if x.data.dtype.kind != "f":
        x = as_tensor(x.data.astype(floatx()))
    return x


def _axis(axis, ndim, op):
    """`axis` (an int) as a non-negative int, or a ValueError naming `op`."""
    a = int(axis)
    if not -ndim <= a < ndim:
        raise ValueError(f"{op}: axis {a} is out of range for an input of rank {ndim}")
    return a % ndim


def _axes(axes, ndim, op):
    """`axes` (an int or a sequence) as a sorted tuple of distinct non-negative ints."""
    if not isinstance(axes, (tuple, list)):
        axes = (axes,)
    return tuple(sorted({_axis(a, ndim, op) for a in axes}))


def _count(shape, axes):
    """Number of elements reduced over `axes`."""
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _array(x, dtype=None):
    """The array of a tensor or array-like (a constant: no gradient), optionally cast."""
    a = x.data if isinstance(x, Tensor) else xp.asarray(x)
    return a if dtype is None else a.astype(dtype, copy=False)


# ----------------------------------------------------------------------------- softmax


@declare(kind="nn")
def softmax(x, axis=-1):
    """y = e^(x - m) / sum(e^(x - m)) over `axis` (int or tuple), m = max over `axis`.

    Subtracting the max makes every exponent <= 0: finite for any finite x.
    dx = y * (g - sum(g * y, axis)).
    """
    x = _float(x)
    axes = _axes(axis, x.ndim, "softmax")
    m = xp.max(x.data, axis=axes, keepdims=True)
    y = x.data - m
    xp.exp(y, out=y)
    y /= xp.sum(y, axis=axes, keepdims=True)

    def vjp(g):
        gy = g * y
        gy -= y * xp.sum(gy, axis=axes, keepdims=True)
        return (gy,)

    return attach(y, (x,), vjp, "softmax", axes)


@declare(kind="nn")
def log_softmax(x, axis=-1):
    """y = (x - m) - log(sum(e^(x - m))) over `axis`, m = max: finite for finite x.

    dx = g - softmax(x) * sum(g, axis), softmax(x) = e^y.
    """
    x = _float(x)
    axes = _axes(axis, x.ndim, "log_softmax")
    m = xp.max(x.data, axis=axes, keepdims=True)
    z = x.data - m
    y = z - xp.log(xp.sum(xp.exp(z), axis=axes, keepdims=True))

    def vjp(g):
        return (g - xp.exp(y) * xp.sum(g, axis=axes, keepdims=True),)

    return attach(y, (x,), vjp, "log_softmax", axes)


# ----------------------------------------------------------------------------- losses


def _sparse_labels(labels, logits_shape, axis):
    """Integer class indices with the class axis removed, or None if `labels` are not sparse.

    Accepts the shape of the logits without `axis`, and also that shape with a
    size-1 axis appended or kept in place of `axis` (Keras' sparse labels (N, 1)).
    Float labels of such a shape are accepted when every value is a whole number.
    """
    reduced = logits_shape[:axis] + logits_shape[axis + 1:]
    kept = logits_shape[:axis] + (1,) + logits_shape[axis + 1:]
    if labels.dtype.kind not in "iuf" or labels.shape not in (reduced, reduced + (1,), kept):
        return None
    if labels.dtype.kind == "f":
        if labels.shape == logits_shape or not xp.all(labels == xp.floor(labels)):
            return None
        labels = labels.astype(xp.intp)
    return labels.reshape(reduced)


@declare(kind="nn")
def softmax_cross_entropy(logits, labels, axis=-1):
    """Per-example loss -sum(p * log_softmax(logits)) over `axis`, fused and stable.

    Args:
        logits: unnormalised scores, e.g. (N, C), class axis `axis`.
        labels: integer class indices of the logits' shape without `axis` (any
            int dtype; a trailing size-1 axis as in Keras' sparse labels (N, 1)
            is accepted), or probabilities / one-hot of the logits' shape.
        axis: the class axis.

    Returns the loss with `axis` removed, in the logits' dtype.
    With lse = log(sum(e^(x - m))) + m: loss = lse - x[label] for indices.
    dlogits = g * (softmax * sum(p) - p)  (= g * (softmax - p) when p sums to 1);
    dlabels = -g * log_softmax  (only for probability labels that require grad).
    """
    logits = _float(logits)
    x = logits.data
    ax = _axis(axis, x.ndim, "softmax_cross_entropy")
    classes = x.shape[ax]
    label_t = labels if isinstance(labels, Tensor) else None
    raw = _array(labels)
    sparse = _sparse_labels(raw, x.shape, ax)
    reduced = x.shape[:ax] + x.shape[ax + 1:]
    if sparse is None and raw.dtype.kind == "f" and raw.shape != x.shape and raw.shape in (reduced, reduced + (1,)):
        raise ValueError(
            f"softmax_cross_entropy: float labels of shape {raw.shape} look like class indices for "
            f"logits of shape {x.shape} but are not whole numbers; pass integer class indices, or "
            f"probabilities of shape {x.shape}. Received: labels.dtype={raw.dtype}"
        )
    if sparse is None and raw.shape != x.shape:
        raise ValueError(
            f"softmax_cross_entropy: labels of shape {raw.shape} do not fit logits of shape "
            f"{x.shape} with class axis {axis}: expected integer class indices of shape "
            f"{reduced} (or {reduced + (1,)}) or probabilities of shape {x.shape}. "
            f"Received: labels.shape={raw.shape}, labels.dtype={raw.dtype}, logits.shape={x.shape}"
        )
    m = xp.max(x, axis=ax, keepdims=True)
    e = x - m
    xp.exp(e, out=e)
    s = xp.sum(e, axis=ax, keepdims=True)
    lse = xp.log(s)

    if sparse is not None:
        if sparse.size and (sparse.min() < 0 or sparse.max() >= classes):
            raise ValueError(
                f"softmax_cross_entropy: integer labels must be in [0, {classes}) for logits of "
                f"shape {x.shape} with class axis {axis}. Received labels in "
                f"[{sparse.min()}, {sparse.max()}] with shape {raw.shape}"
            )
        idx = xp.expand_dims(sparse.astype(xp.intp, copy=False), ax)
        # lse - (x[label] - m): the difference of close numbers first, so no precision is lost at 1e4.
        loss = xp.squeeze(lse - (xp.take_along_axis(x, idx, ax) - m), axis=ax)

        def vjp(g):
            gk = xp.expand_dims(g, ax)
            dx = e * (gk / s)
            xp.put_along_axis(dx, idx, xp.take_along_axis(dx, idx, ax) - gk, ax)
            return (dx,)

        return attach(loss, (logits,), vjp, "softmax_cross_entropy")

    if label_t is None or not label_t.requires_grad:
        label_t = as_tensor(raw)
    p = raw.astype(x.dtype, copy=False)
    log_p = (x - m) - lse
    loss = -xp.sum(p * log_p, axis=ax)

    def vjp_dense(g):
        gk = xp.expand_dims(g, ax)
        dx = None
        if logits.requires_grad:
            dx = e * (gk * xp.sum(p, axis=ax, keepdims=True) / s)
            dx -= gk * p
        dp = (-gk * log_p).astype(raw.dtype, copy=False) if label_t.requires_grad else None
        return dx, dp

    return attach(loss, (logits, label_t), vjp_dense, "softmax_cross_entropy")


@declare(kind="nn")
def binary_cross_entropy_with_logits(logits, labels):
    """loss = max(x, 0) - x z + log1p(e^-|x|), elementwise: finite for any finite x.

    Shapes broadcast. dx = g (sigmoid(x) - z); dz = -g x (when labels require grad).
    """
    logits = _float(logits)
    x = logits.data
    label_t = labels if isinstance(labels, Tensor) else as_tensor(_array(labels))
    z = label_t.data.astype(x.dtype, copy=False)
    try:
        loss = xp.maximum(x, 0) - x * z + xp.log1p(xp.exp(-xp.abs(x)))
    except ValueError:
        raise ValueError(
            "binary_cross_entropy_with_logits: logits and labels could not be broadcast together. "
            f"Received: logits.shape={x.shape}, labels.shape={z.shape}"
        ) from None

    def vjp(g):
        dx = unbroadcast(g * (_sigmoid_array(x) - z), x.shape) if logits.requires_grad else None
        dz = None
        if label_t.requires_grad:
            dz = unbroadcast(-g * x, z.shape).astype(label_t.data.dtype, copy=False)
        return dx, dz

    return attach(loss, (logits, label_t), vjp, "binary_cross_entropy_with_logits")


# ----------------------------------------------------------------------------- dropout


@declare(kind="nn")
def dropout(x, rate, training=True, noise_shape=None, seed=None):
    """Inverted dropout: y = x * mask, mask = keep / (1 - rate), keep ~ Bernoulli(1 - rate).

    Args:
        x: input tensor.
        rate: fraction of units dropped, in [0, 1).
        training: identity when False (or when rate == 0).
        noise_shape: shape of the mask, broadcast over x (Keras': e.g. (N, 1, 1, C)
            drops whole channels as SpatialDropout2D); None entries take x's size.
        seed: draw from a generator seeded with `seed` instead of backend.rng().

    The mask has x's dtype. dx = g * mask.
    """
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1). Received: rate={rate}")
    x = _float(x)
    if not training or rate == 0:
        return x
    if noise_shape is None:
        shape = x.data.shape
    else:
        noise_shape = tuple(noise_shape)
        shape = tuple(x.shape[i] if n is None else int(n) for i, n in enumerate(noise_shape))
        if len(shape) != x.ndim or any(n not in (1, d) for n, d in zip(shape, x.shape)):
            raise ValueError(
                f"dropout: noise_shape {noise_shape} does not broadcast over an input of shape "
                f"{x.shape}: it needs one entry per axis, each 1 or the input's size. "
                f"Received: noise_shape={noise_shape}, x.shape={x.shape}"
            )
    gen = rng() if seed is None else xp.random.default_rng(int(seed))
    dtype = x.data.dtype
    draw_dtype = dtype if dtype in (xp.float32, xp.float64) else xp.float32
    mask = (gen.random(shape, dtype=draw_dtype) >= rate).astype(dtype)
    mask *= 1 / (1 - rate)
    return attach(x.data * mask, (x,), lambda g: (g * mask,), "dropout", mask)


# ----------------------------------------------------------------------------- normalisation


def _or_constant(t):
    """`t`, or a constant stand-in parent (no gradient) when a parameter is None."""
    return as_tensor(0) if t is None else t


def _param(p, x, full_shape, expected, op, name):
    """Scale/offset `p` as (tensor, array of x's dtype shaped `full_shape`), or (None, None)."""
    if p is None:
        return None, None
    p = as_tensor(p, like=x)
    if p.shape not in (expected, full_shape):
        raise ValueError(
            f"{op}: {name} of shape {p.shape} does not fit an input of shape {x.shape}: "
            f"expected shape {expected}. Received: {name}.shape={p.shape}, x.shape={x.shape}"
        )
    return p, p.data.astype(x.data.dtype, copy=False).reshape(full_shape)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _sum_keep(axes, *arrays):
    """Sum over `axes` of the elementwise product of `arrays` (one shape), axes kept as size 1.

    One einsum: measured 2.5-3x faster than xp.sum over the leading axes of an
    NHWC batch (0.2 vs 0.6 ms for 64x28x28x32 float32), and the product needs no temporary.
    """
    shape = arrays[0].shape
    letters = _LETTERS[:len(shape)]
    kept = "".join(c for i, c in enumerate(letters) if i not in axes)
    out = xp.einsum(",".join([letters] * len(arrays)) + "->" + kept, *arrays)
    return out.reshape(tuple(1 if i in axes else d for i, d in enumerate(shape)))


def _normalize(x, axes, epsilon, gamma, beta, full_shape, expected, op):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta with mean, var over `axes`.

    With xc = x - mean, inv = 1 / sqrt(var + eps), n elements per statistic and
    gh = g * gamma (the gradient with respect to xhat = xc * inv):
    dx = inv (gh - sum(gh) / n - xc inv^2 sum(gh xc) / n)  (the statistics depend on x too);
    dgamma = sum(g xc inv), dbeta = sum(g), over the axes gamma broadcasts along.
    When gamma is constant along `axes` (batch norm) it factors out of dx, and the
    sums for dx are the sums for dgamma and dbeta.
    Returns y and the kept-dims mean and (biased) variance.
    """
    gamma_t, gamma_a = _param(gamma, x, full_shape, expected, op, "gamma")
    beta_t, beta_a = _param(beta, x, full_shape, expected, op, "beta")
    n = _count(x.shape, axes)
    mean = _sum_keep(axes, x.data) / n
    xc = x.data - mean
    var = _sum_keep(axes, xc, xc) / n
    inv = 1 / xp.sqrt(var + epsilon)
    scale = inv if gamma_a is None else inv * gamma_a
    y = xc * scale
    if beta_a is not None:
        y += beta_a
    per_channel = all(full_shape[a] == 1 for a in axes)
    param_axes = tuple(i for i in range(x.ndim) if i not in axes)

    def vjp(g):
        need_gamma = gamma_t is not None and gamma_t.requires_grad
        need_beta = beta_t is not None and beta_t.requires_grad
        dx = dgamma = dbeta = None
        if per_channel:
            gh, factor = g, scale
            sum_gxc = _sum_keep(axes, g, xc) if x.requires_grad or need_gamma else None
            sum_g = _sum_keep(axes, g) if x.requires_grad or need_beta else None
            if need_gamma:
                dgamma = sum_gxc * inv
            if need_beta:
                dbeta = sum_g
        else:
            if need_gamma:
                dgamma = _sum_keep(param_axes, g, xc, xp.broadcast_to(inv, xc.shape))
            if need_beta:
                dbeta = _sum_keep(param_axes, g)
            gh, factor = (g, inv) if gamma_a is None else (g * gamma_a, inv)
            if x.requires_grad:
                sum_gxc, sum_g = _sum_keep(axes, gh, xc), _sum_keep(axes, gh)
        if x.requires_grad:
            dx = gh * factor
            dx -= xc * (factor * inv * inv * sum_gxc / n)
            dx -= factor * sum_g / n
        if dgamma is not None:
            dgamma = dgamma.reshape(gamma_t.shape).astype(gamma_t.data.dtype, copy=False)
        if dbeta is not None:
            dbeta = dbeta.reshape(beta_t.shape).astype(beta_t.data.dtype, copy=False)
        return dx, dgamma, dbeta

    return attach(y, (x, _or_constant(gamma_t), _or_constant(beta_t)), vjp, op), mean, var


# Row length of the 2-D view the channels-last batch norm works on: whole pixels
# (all channels) of trailing spatial axes, up to this many elements. Its column
# sums add the rows one after another (float32 error growing with their number),
# so a view of more than _BN_MAX_ROWS rows takes the general path (einsum).
_BN_ROW = 1 << 16
_BN_MAX_ROWS = 4096


def _channel_rows(shape):
    """(rows, length) of a 2-D view of a channels-last array whose rows are runs of whole pixels.

    NumPy's loop over (M, C) - (C,) runs C elements per inner call; over rows of
    W*C or H*W*C elements against the parameter tiled along the row it ran 2x faster
    (64x26x26x32 float32: 0.15 against 0.31 ms), and so did the per-channel sums.
    """
    length = shape[-1]
    for d in reversed(shape[1:-1]):
        if length * d > _BN_ROW:
            break
        length *= d
    rows = 1
    for d in shape:
        rows *= d
    return rows // length, length


def _per_channel(row_sums, channels):
    """Per-channel totals (C,) of sums over the rows, (L,) with L a multiple of C.

    Summed along a contiguous axis, where NumPy adds pairwise.
    """
    return xp.ascontiguousarray(row_sums.reshape(-1, channels).T).sum(axis=1)


def _batch_norm_channels_last(x, gamma, beta, epsilon, op):
    """batch_norm_train over every axis but the last (NHWC images, dense features).

    The same formulas as `_normalize`, on a (rows, L) view whose rows hold whole
    pixels: sums over rows as one matrix-vector product (ones @ X) or one einsum
    over the row axis, then folded to channels; the per-channel scale, shift and
    gradient coefficients tiled along a row, so every pass is a long contiguous loop.
    Forward: mean (1 read), xc = x - mean, var = sum(xc^2) / n, y = xc scale + beta.
    Backward: sum(g), sum(g xc), dx = g scale - xc (scale inv^2 sum(g xc) / n) - scale sum(g) / n.
    """
    c = x.shape[-1]
    expected = (c,)
    gamma_t, gamma_a = _param(gamma, x, expected, expected, op, "gamma")
    beta_t, beta_a = _param(beta, x, expected, expected, op, "beta")
    dtype = x.data.dtype
    rows, length = _channel_rows(x.shape)
    reps = length // c
    n = rows * reps
    ones = xp.ones(rows, dtype=dtype)
    x2 = x.data.reshape(rows, length)
    mean = _per_channel(ones @ x2, c) / n
    xc = x2 - xp.tile(mean, reps)
    var = _per_channel(xp.einsum("ij,ij->j", xc, xc), c) / n
    inv = 1 / xp.sqrt(var + dtype.type(epsilon))
    scale = inv if gamma_a is None else inv * gamma_a
    y = xc * xp.tile(scale, reps)
    if beta_a is not None:
        y += xp.tile(beta_a, reps)

    def vjp(g):
        need_gamma = gamma_t is not None and gamma_t.requires_grad
        need_beta = beta_t is not None and beta_t.requires_grad
        g2 = g.reshape(rows, length)
        sum_g = _per_channel(ones @ g2, c)
        sum_gxc = _per_channel(xp.einsum("ij,ij->j", g2, xc), c) if x.requires_grad or need_gamma else None
        dx = dgamma = dbeta = None
        if x.requires_grad:
            dx = g2 * xp.tile(scale, reps)
            dx -= xc * xp.tile(scale * inv * inv * sum_gxc / n, reps)
            dx -= xp.tile(scale * sum_g / n, reps)
            dx = dx.reshape(x.shape)
        if need_gamma:
            dgamma = (sum_gxc * inv).reshape(gamma_t.shape).astype(gamma_t.data.dtype, copy=False)
        if need_beta:
            dbeta = sum_g.reshape(beta_t.shape).astype(beta_t.data.dtype, copy=False)
        return dx, dgamma, dbeta

    out = attach(y.reshape(x.shape), (x, _or_constant(gamma_t), _or_constant(beta_t)), vjp, op)
    return out, mean, var


@declare(kind="nn")
def batch_norm_train(x, gamma, beta, axes, epsilon=1e-3):
    """Batch normalisation with the statistics of this batch.

    Args:
        x: input, e.g. (N, H, W, C).
        gamma, beta: scale and offset shaped like the axes not reduced, e.g. (C,);
            either may be None (Keras' scale=False / center=False).
        axes: the axes the statistics are taken over, e.g. (0, 1, 2) for NHWC, (0,) for dense.
        epsilon: added to the variance.

    Returns (y, mean, var): y = gamma (x - mean) / sqrt(var + eps) + beta, a tensor
    differentiable to x (through the statistics), gamma and beta; mean and the
    biased variance as plain arrays shaped like gamma, for the moving averages.
    """
    x = _float(x)
    axes = _axes(axes, x.ndim, "batch_norm_train")
    if (axes == tuple(range(x.ndim - 1)) and x.ndim >= 2 and x.data.flags.c_contiguous and x.size
            and _channel_rows(x.shape)[0] <= _BN_MAX_ROWS):
        return _batch_norm_channels_last(x, gamma, beta, epsilon, "batch_norm_train")
    kept = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    full = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    y, mean, var = _normalize(x, axes, epsilon, gamma, beta, full, kept, "batch_norm_train")
    return y, mean.reshape(kept), var.reshape(kept)


@declare(kind="nn")
def batch_norm_infer(x, gamma, beta, mean, var, epsilon=1e-3):
    """y = gamma (x - mean) / sqrt(var + eps) + beta with given statistics (constants).

    gamma, beta, mean, var broadcast against x, e.g. (C,) for channels-last;
    gamma or beta may be None. Computed as y = x * scale + shift, scale = gamma / sqrt(var + eps).
    dx = g scale, dgamma = sum(g (x - mean) / sqrt(var + eps)), dbeta = sum(g).
    """
    x = _float(x)
    dtype = x.data.dtype
    mean = _array(mean, dtype)
    inv = 1 / xp.sqrt(_array(var, dtype) + epsilon)
    gamma_t = None if gamma is None else as_tensor(gamma, like=x)
    beta_t = None if beta is None else as_tensor(beta, like=x)
    scale = inv if gamma_t is None else inv * gamma_t.data.astype(dtype, copy=False)
    shift = -mean * scale
    if beta_t is not None:
        shift = shift + beta_t.data.astype(dtype, copy=False)
    try:
        c = x.shape[-1] if x.ndim else 0
        if (x.ndim >= 2 and x.size and x.data.flags.c_contiguous and scale.size == shift.size == c
                and scale.shape[-1:] == shift.shape[-1:] == (c,) and scale.ndim <= x.ndim and shift.ndim <= x.ndim):
            # Per-channel over channels-last x: rows of whole pixels against the tiled parameters.
            rows, length = _channel_rows(x.shape)
            reps = length // c
            y = x.data.reshape(rows, length) * xp.tile(scale.reshape(c), reps)
            y += xp.tile(shift.reshape(c), reps)
            y = y.reshape(x.shape)
        else:
            y = x.data * scale
            y += shift
    except ValueError:
        shapes = {n: _array(v).shape for n, v in
                  (("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var)) if v is not None}
        raise ValueError(
            f"batch_norm_infer: the parameters do not broadcast against an input of shape {x.shape}. "
            f"Received: x.shape={x.shape}, " + ", ".join(f"{n}.shape={s}" for n, s in shapes.items())
        ) from None

    def vjp(g):
        dx = g * scale if x.requires_grad else None
        dgamma = dbeta = None
        if gamma_t is not None and gamma_t.requires_grad:
            dgamma = unbroadcast(g * ((x.data - mean) * inv), gamma_t.shape).astype(gamma_t.data.dtype, copy=False)
        if beta_t is not None and beta_t.requires_grad:
            dbeta = unbroadcast(g, beta_t.shape).astype(beta_t.data.dtype, copy=False)
        return dx, dgamma, dbeta

    return attach(y, (x, _or_constant(gamma_t), _or_constant(beta_t)), vjp, "batch_norm_infer")


@declare(kind="nn")
def layer_norm(x, gamma, beta, axes=(-1,), epsilon=1e-3):
    """Layer normalisation (Keras LayerNormalization): statistics per example over `axes`.

    y = gamma (x - mean) / sqrt(var + eps) + beta, mean and biased var over `axes`;
    gamma and beta are shaped like the normalised axes (e.g. (D,)), or None.
    The vjp goes through the statistics, as in batch_norm_train.
    """
    x = _float(x)
    axes = _axes(axes, x.ndim, "layer_norm")
    expected = tuple(x.shape[a] for a in axes)
    full = tuple(d if i in axes else 1 for i, d in enumerate(x.shape))
    return _normalize(x, axes, epsilon, gamma, beta, full, expected, "layer_norm")[0]


@declare(kind="nn")
def l2_normalize(x, axis=-1, epsilon=1e-12):
    """y = x / sqrt(max(sum(x^2, axis), eps)), as tf.math.l2_normalize.

    With inv = 1 / sqrt(max(s, eps)), s = sum(x^2):
    dx = inv (g - y sum(g y)) where s > eps; dx = inv g where the floor eps applies.
    """
    x = _float(x)
    axes = _axes(axis, x.ndim, "l2_normalize")
    s = xp.sum(x.data * x.data, axis=axes, keepdims=True)
    inv = 1 / xp.sqrt(xp.maximum(s, epsilon))
    y = x.data * inv

    def vjp(g):
        proj = xp.sum(g * y, axis=axes, keepdims=True) * (s > epsilon)
        return ((g - y * proj) * inv,)

    return attach(y, (x,), vjp, "l2_normalize")


# ----------------------------------------------------------------------------- embedding


def _scatter_rows(ids, rows, num_rows):
    """out[i] = sum of rows[k] over k with ids[k] == i, for out of shape (num_rows, D).

    Measured on 2 cores against np.add.at: one bincount over (id, column) pairs
    is 2-4x faster when ids are dense in the table (num_rows <= 4 len(ids));
    for sparse use of a large table, sorting and np.add.reduceat wins (it never
    builds a float64 table).
    """
    n, d = rows.shape
    if num_rows <= 4 * n:
        flat = (ids[:, None] * d + xp.arange(d)).reshape(-1)
        out = xp.bincount(flat, weights=rows.reshape(-1), minlength=num_rows * d)
        return out.reshape(num_rows, d).astype(rows.dtype, copy=False)
    out = xp.zeros((num_rows, d), dtype=rows.dtype)
    if n == 0:
        return out
    order = xp.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = xp.flatnonzero(xp.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
    out[sorted_ids[starts]] = xp.add.reduceat(rows[order], starts, axis=0)
    return out


@declare(kind="nn")
def embedding(ids, table):
    """y = table[ids]: rows of a (V, D) table for integer ids of any shape -> (*ids.shape, D).

    dtable = the rows of g summed into the rows of their ids (repeated ids add up).
    ids are constants (no gradient).
    """
    table = _float(table)
    ids = _array(ids)
    if table.ndim != 2:
        raise ValueError(f"embedding: the table must have shape (V, D). Received: table.shape={table.shape}")
    if ids.dtype.kind == "f" and xp.all(ids == xp.floor(ids)):
        ids = ids.astype(xp.intp)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"embedding: ids must be integers. Received: ids.dtype={ids.dtype}, ids.shape={ids.shape}")
    num_rows = table.shape[0]
    if ids.size and (ids.min() < 0 or ids.max() >= num_rows):
        raise ValueError(
            f"embedding: ids must be in [0, {num_rows}) for a table of shape {table.shape}. "
            f"Received ids in [{ids.min()}, {ids.max()}] with shape {ids.shape}"
        )
    flat = ids.reshape(-1).astype(xp.intp, copy=False)
    y = xp.take(table.data, flat, axis=0).reshape(ids.shape + (table.shape[1],))

    def vjp(g):
        return (_scatter_rows(flat, g.reshape(-1, table.shape[1]), num_rows),)

    return attach(y, (table,), vjp, "embedding")
