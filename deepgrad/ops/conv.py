"""Convolutions on channels-last tensors with Keras' kernel layouts.

Notation: x (N, H, W, C), kernel (kh, kw, C, F), strides s, dilation d, output
(N, OH, OW, F). After padding x to xpad, with "taps" i, j over the kernel:

    y[n, p, q, f] = sum_{i, j, c} xpad[n, p*s + i*d, q*s + j*d, c] * k[i, j, c, f]

Forward is im2col + one matrix product: the patches of xpad become the rows of
a (N*OH*OW, kh*kw*C) matrix `cols` (a strided view copied once, or, for few
channels, kh*kw shifted slices copied into a buffer), and y = cols @ k2 with
k2 = k reshaped to (kh*kw*C, F). Both are done a block of samples at a time
(about 2 MiB of patches and output), each block's product run right after its
copy, while the block is still in the core's cache (see _CHUNK_BYTES). Its vjp:

    dk = cols^T @ g2                     (one matrix product, g2 = g as (N*OH*OW, F))
    dxpad[:, tap(i, j)] += g2 @ k[i, j]^T   for each tap (kh*kw small products)

where tap(i, j) is the strided slice of xpad that tap (i, j) reads. No scatter
loop over pixels and no loop over the batch. The transposed convolution is the
same pair with forward and backward exchanged.

conv2d_bias_act fuses what Conv2D adds after the convolution: the bias rides in
the product as a column of ones in `cols` and a row of k2, a ReLU is applied in
place to each block of the output while it is in cache, and the vjp masks g by
the output's sign (y > 0 exactly where the pre-activation is); the bias gradient
comes out of the kernel gradient's product as its last row.

Padding 'same' is TensorFlow's: total = max((ceil(H/s) - 1)*s + (kh-1)*d + 1 - H, 0),
top = total // 2, the extra row at the bottom (and column at the right).
"""
import numbers

from ..backend import floatx, xp
from ..tensor import as_tensor, attach, is_grad_enabled
from .elementwise import _relu_array, times_positive
from .fused import FUSED_ACTIVATIONS, check_activation, checked_bias
from .table import declare

# Below this many input channels the patch matrix is built from kh*kw slice
# copies into a (kh*kw*C, N*OH*OW) buffer (long contiguous rows); from it on,
# from one copy of the strided (N, OH, OW, kh, kw, C) view. Measured forward:
# 2.8x faster at C=1, even at C=3, 1.1x slower at C=4 and 1.5x at C=8.
_FEW_CHANNELS = 4

# Bytes of the patch matrix and output built per block of samples. OpenBLAS'
# float32 product ran at ~125 GFLOP/s with its operands in the core's 1 MiB L2
# and at ~50-60 GFLOP/s from L3 on the Zen 5 we measured on (one thread,
# Haswell kernels); copying a block and multiplying it at once keeps it hot, and
# the ReLU then runs on a block still in cache. Measured (one thread, bias and
# ReLU included): the 13x13x32 -> 64 conv of the MNIST CNN 3.16 -> 2.72 ms at
# batch 64 and 14.9 -> 11.0 ms at batch 256; 0.5, 1 and 2 MiB blocks within 5%,
# 2 MiB the fastest.
_CHUNK_BYTES = 2 << 20


def _pair(value, name, op):
    """An int or a pair of positive ints as a pair."""
    if isinstance(value, numbers.Integral):
        pair = (value, value)
    elif isinstance(value, str):
        pair = ()
    else:
        try:
            pair = tuple(int(v) for v in value)
        except TypeError:
            pair = ()
    if len(pair) != 2 or min(pair) < 1:
        raise ValueError(f"{op}: {name} must be a positive int or a pair of them. Received: {name}={value!r}")
    return pair


def _single(value, name, op):
    """An int or a one-element sequence of a positive int, as an int."""
    if isinstance(value, str):
        raise ValueError(f"{op}: {name} must be a positive int. Received: {name}={value!r}")
    if not isinstance(value, numbers.Integral):
        try:
            (value,) = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            raise ValueError(f"{op}: {name} must be a positive int. Received: {name}={value!r}") from None
    if value < 1:
        raise ValueError(f"{op}: {name} must be a positive int. Received: {name}={value!r}")
    return int(value)


def same_pads(size, window, stride):
    """TensorFlow's 'same' padding along one axis: (before, after), the extra one after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _padding(padding, op, allowed=("valid", "same")):
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{op}: padding must be one of {options}. Received: padding={padding!r}")
    return mode


def out_size(size, window, stride, pads):
    """Number of windows of (dilated) length `window` at `stride` over the padded axis."""
    return (size + pads[0] + pads[1] - window) // stride + 1


def tap(a, i, j, strides, out_hw):
    """a[:, i::s0, j::s1, :] limited to the out_hw window positions: the cells one tap touches."""
    sh, sw = strides
    oh, ow = out_hw
    return a[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]


def pad_hw(a, pads, value=0):
    """`a` (N, H, W, C) padded by pads = ((top, bottom), (left, right)); `a` itself when all are 0."""
    (t, b), (l, r) = pads
    if t == b == l == r == 0:
        return a
    n, h, w, c = a.shape
    out = xp.full((n, h + t + b, w + l + r, c), value, dtype=a.dtype)
    out[:, t:t + h, l:l + w, :] = a
    return out


def _patches(xpad, ksize, strides, dilation, out_hw):
    """The read-only strided view (N, OH, OW, kh, kw, C) of every patch of xpad."""
    n, _, _, c = xpad.shape
    kh, kw = ksize
    dh, dw = dilation
    oh, ow = out_hw
    sn, sh, sw, sc = xpad.strides
    return xp.lib.stride_tricks.as_strided(
        xpad,
        shape=(n, oh, ow, kh, kw, c),
        strides=(sn, sh * strides[0], sw * strides[1], sh * dh, sw * dw, sc),
        writeable=False,
    )


def _fill_cols(block, xpad, ksize, strides, dilation, out_hw, transposed):
    """Copy the patches of the samples of `xpad` into `block`, the patch matrix rows (or columns) for them."""
    kh, kw = ksize
    n, c = xpad.shape[0], xpad.shape[3]
    oh, ow = out_hw
    if transposed:
        block6 = block.reshape(kh, kw, c, n, oh, ow)
        for i in range(kh):
            for j in range(kw):
                block6[i, j] = tap(xpad, i * dilation[0], j * dilation[1], strides, out_hw).transpose(3, 0, 1, 2)
    else:
        xp.copyto(block.reshape(n, oh, ow, kh, kw, c), _patches(xpad, ksize, strides, dilation, out_hw))


def _im2col(xpad, ksize, strides, dilation, out_hw):
    """The patch matrix of xpad as (cols, transposed).

    cols is (N*OH*OW, kh*kw*C) with columns in the kernel's (i, j, c) order, or,
    when `transposed`, its transpose (kh*kw*C, N*OH*OW) stored contiguously.
    """
    n, _, _, c = xpad.shape
    kh, kw = ksize
    oh, ow = out_hw
    transposed = c < _FEW_CHANNELS
    if not transposed:
        return _patches(xpad, ksize, strides, dilation, out_hw).reshape(n * oh * ow, kh * kw * c), False
    cols = xp.empty((kh * kw * c, n * oh * ow), dtype=xpad.dtype)
    _fill_cols(cols, xpad, ksize, strides, dilation, out_hw, True)
    return cols, True


def _correlate(xpad, k, strides, dilation, out_hw, keep_cols, bias=None, relu=False, consume=None):
    """y = sum over taps of xpad[tap] @ k[i, j] (+ bias, then max(., 0) when `relu`).

    Returns y (N, OH, OW, F) and, when `keep_cols`, (cols, transposed) for the
    kernel gradient. With `consume`, y is not kept: each block's output (samples
    n0:n1, as (n1 - n0, OH, OW, F)) is handed to consume(n0, n1, block) while it
    is in cache, in one reused buffer, and None is returned in place of y. The patch matrix is built and multiplied a block of samples
    at a time (_CHUNK_BYTES of patches and output), and the ReLU applied in place
    to the block's output while it is in cache; the block is a slice of the whole
    patch matrix when it is kept, else one reused buffer. A bias rides in the
    product as one more column of ones in the patch matrix and one more row of
    the kernel (measured 0.2 ms less than adding it after, on a 26x26x32 output),
    so the kept matrix then gives [dk; dbias] = cols^T @ g in one product.
    """
    kh, kw, c, f = k.shape
    n = xpad.shape[0]
    oh, ow = out_hw
    per = oh * ow
    depth = kh * kw * c
    width = depth + (bias is not None)
    transposed = c < _FEW_CHANNELS
    dtype = xpad.dtype
    k2 = k.reshape(depth, f)
    if bias is not None:
        k2 = xp.concatenate([k2, bias.reshape(1, f)], axis=0)
    step = min(n, max(1, _CHUNK_BYTES // max(1, per * (width + f) * dtype.itemsize)))
    rows_total = n * per if keep_cols else step * per
    if transposed:
        cols = xp.empty((width, rows_total), dtype=dtype)
    else:
        # Rows padded to a multiple of 64 bytes: the products read an odd width (288 + the
        # bias column) 7% slower for the kernel gradient when its rows straddle cache lines.
        align = max(1, 64 // dtype.itemsize)
        cols = xp.empty((rows_total, -(-width // align) * align), dtype=dtype)[:, :width]
    if bias is not None:
        if transposed:
            cols[depth] = 1
        else:
            cols[:, depth] = 1
    y = xp.empty(((n if consume is None else step) * per, f), dtype=dtype)
    for n0 in range(0, n, step):
        n1 = min(n, n0 + step)
        rows = slice(n0 * per, n1 * per)
        block_rows = rows if keep_cols else slice(0, (n1 - n0) * per)
        block = cols[:, block_rows] if transposed else cols[block_rows]
        patches = block[:depth] if transposed else block[:, :depth]
        _fill_cols(patches, xpad[n0:n1], (kh, kw), strides, dilation, out_hw, transposed)
        out = y[rows] if consume is None else y[:(n1 - n0) * per]
        xp.matmul(block.T if transposed else block, k2, out=out)
        if relu:
            _relu_array(out, out=out)
        if consume is not None:
            consume(n0, n1, out.reshape(n1 - n0, oh, ow, f))
    saved = (cols, transposed) if keep_cols else None
    return (None if consume is not None else y.reshape(n, oh, ow, f)), saved


def _kernel_grad(saved, g2, kshape):
    """dk = cols^T @ g2 reshaped to the kernel's shape, and dbias, the row of the ones column (or None)."""
    cols, transposed = saved
    full = (cols if transposed else cols.T) @ g2
    depth = kshape[0] * kshape[1] * kshape[2]
    return full[:depth].reshape(kshape), (full[depth] if full.shape[0] > depth else None)


def _column_sums(g2):
    """sum(g2, axis=0) for a 2-D g2, as one matrix-vector product (4x faster than xp.sum here)."""
    return xp.ones(g2.shape[0], dtype=g2.dtype) @ g2


def _scatter(g2, k, padded_shape, strides, dilation, out_hw):
    """dxpad with dxpad[tap(i, j)] += g2 @ k[i, j]^T for every tap: the adjoint of `_correlate`.

    g2 is (N*OH*OW, F), k (kh, kw, C, F), the result (N, Hp, Wp, C).
    """
    kh, kw, c, f = k.shape
    n = padded_shape[0]
    oh, ow = out_hw
    dh, dw = dilation
    dxpad = xp.zeros(padded_shape, dtype=g2.dtype)
    if c == 1:
        # One product (kh*kw, F) @ (F, M) instead of kh*kw matrix-vector products.
        parts = (k.reshape(kh * kw, f) @ g2.T).reshape(kh, kw, n, oh, ow, 1)
        for i in range(kh):
            for j in range(kw):
                view = tap(dxpad, i * dh, j * dw, strides, out_hw)
                view += parts[i, j]
        return dxpad
    for i in range(kh):
        for j in range(kw):
            view = tap(dxpad, i * dh, j * dw, strides, out_hw)
            view += (g2 @ k[i, j].T).reshape(n, oh, ow, c)
    return dxpad


def _check_rank(op, x, kernel, x_rank, x_layout, k_layout):
    if x.ndim != x_rank or kernel.ndim != x_rank:
        raise ValueError(
            f"{op}: expects a {x_rank}-D input {x_layout} and a {x_rank}-D kernel {k_layout}. "
            f"Received shapes: x={tuple(x.shape)}, kernel={tuple(kernel.shape)}"
        )


def _check_channels(op, x, kernel, kernel_axis):
    if x.data.shape[-1] != kernel.data.shape[kernel_axis]:
        raise ValueError(
            f"{op}: input has {x.shape[-1]} channels but kernel expects {kernel.shape[kernel_axis]}. "
            f"Received shapes: x={tuple(x.shape)}, kernel={tuple(kernel.shape)}"
        )


def _check_output(op, out_hw, x, kernel):
    if min(out_hw) < 1:
        raise ValueError(
            f"{op}: the kernel (with its dilation) is larger than the padded input, leaving an "
            f"output of size {tuple(out_hw)}. Received shapes: x={tuple(x.shape)}, kernel={tuple(kernel.shape)}"
        )


def _operands(x, kernel):
    """Both as tensors, and their common float dtype for the arithmetic."""
    x = as_tensor(x)
    kernel = as_tensor(kernel, like=x)
    dtype = xp.result_type(x.data, kernel.data)
    return x, kernel, (dtype if dtype.kind == "f" else floatx())


def _as(a, dtype):
    return a.astype(dtype, copy=False)


def _conv_op(op, x, kernel, x4, k4, strides, dilation, pads, dtype, bias=None, relu=False, consume=None):
    """The shared conv2d / conv1d core on 4-D arrays x4 (N, H, W, C) and k4 (kh, kw, C, F).

    `bias` is None or a tensor of shape (F,), added to the output; `relu` applies
    max(., 0) after it. Returns y and vjp(g) -> (gx, gk[, gb]) (gb when a bias is given).
    With `consume` the output goes block by block to it (see _correlate) and y is None.
    """
    kh, kw = k4.shape[:2]
    windows = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    _, h, w, _ = x4.shape
    out_hw = tuple(out_size(size, win, s, p) for size, win, s, p in zip((h, w), windows, strides, pads))
    _check_output(op, out_hw, x, kernel)
    xpad = pad_hw(_as(x4, dtype), pads)
    k4 = _as(k4, dtype)
    b = None if bias is None else _as(bias.data, dtype)
    # The patch matrix is kept only for a kernel gradient that can be asked for (not under no_grad).
    keep = kernel.requires_grad and is_grad_enabled()
    y, saved = _correlate(xpad, k4, strides, dilation, out_hw, keep_cols=keep, bias=b, relu=relu, consume=consume)
    padded_shape = xpad.shape
    (t, _), (l, _) = pads
    del xpad

    def vjp(g):
        g2 = g.reshape(-1, g.shape[-1])
        if relu:
            g2 = times_positive(g2, y.reshape(g2.shape))
        gx = gk = gb = None
        if x.requires_grad:
            dxpad = _scatter(g2, k4, padded_shape, strides, dilation, out_hw)
            gx = _as(dxpad[:, t:t + h, l:l + w, :].reshape(x.shape), x.dtype)
        if kernel.requires_grad:
            gk, gb = _kernel_grad(saved, g2, k4.shape)
            gk = _as(gk.reshape(kernel.data.shape), kernel.dtype)
        if bias is None:
            return gx, gk
        if bias.requires_grad:
            gb = _as(_column_sums(g2) if gb is None else gb, bias.dtype)
        else:
            gb = None
        return gx, gk, gb

    return y, vjp


def _conv2d_pads(x, kernel, strides, dilation, mode):
    """((top, bottom), (left, right)) of a conv2d with TensorFlow's 'same' or no padding."""
    if mode != "same":
        return ((0, 0), (0, 0))
    kh, kw = kernel.shape[:2]
    windows = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    return tuple(same_pads(size, win, s) for size, win, s in zip(x.shape[1:3], windows, strides))


@declare(kind="conv")
def conv2d(x, kernel, strides=1, padding="valid", dilation=1):
    """2-D convolution (cross-correlation, as Keras), no bias.

    Args:
        x: (N, H, W, C).
        kernel: (kh, kw, C, F).
        strides, dilation: int or pair.
        padding: 'valid' or 'same' (TensorFlow's, extra row/column at the bottom/right).

    Returns (N, OH, OW, F): OH = ceil(H / s) for 'same', (H - (kh-1)*d - 1) // s + 1 for 'valid'.
    dx = sum over taps of g @ k[i, j]^T placed at the tap's cells; dk = cols^T @ g.
    """
    op = "conv2d"
    x, kernel, dtype = _operands(x, kernel)
    _check_rank(op, x, kernel, 4, "(N, H, W, C)", "(kh, kw, C, F)")
    _check_channels(op, x, kernel, 2)
    strides = _pair(strides, "strides", op)
    dilation = _pair(dilation, "dilation", op)
    pads = _conv2d_pads(x, kernel, strides, dilation, _padding(padding, op))
    y, vjp = _conv_op(op, x, kernel, x.data, kernel.data, strides, dilation, pads, dtype)
    return attach(y, (x, kernel), vjp, op, (strides, dilation, pads, False))


def fused_conv_arguments(op, x, kernel, bias, strides, padding, dilation, activation):
    """The checked arguments of a fused 2-D convolution: (x, kernel, bias, dtype, strides, dilation, pads)."""
    check_activation(op, activation)
    x, kernel, dtype = _operands(x, kernel)
    _check_rank(op, x, kernel, 4, "(N, H, W, C)", "(kh, kw, C, F)")
    _check_channels(op, x, kernel, 2)
    bias = checked_bias(op, bias, x, kernel, "F")
    strides = _pair(strides, "strides", op)
    dilation = _pair(dilation, "dilation", op)
    pads = _conv2d_pads(x, kernel, strides, dilation, _padding(padding, op))
    return x, kernel, bias, dtype, strides, dilation, pads


@declare(kind="fused", fuses=FUSED_ACTIVATIONS)
def conv2d_bias_act(x, kernel, bias=None, strides=1, padding="valid", dilation=1, activation=None):
    """activation(conv2d(x, kernel) + bias) as one op: Conv2D's whole computation, fused.

    Args:
        x: (N, H, W, C).
        kernel: (kh, kw, C, F).
        bias: (F,) or None.
        strides, dilation, padding: as conv2d.
        activation: None or 'linear' (none), or 'relu'.

    Returns (N, OH, OW, F), the numbers of the three separate ops (up to the order of
    the additions: the bias is added inside the product), max(., 0) taken in place on
    each cached block of the product.
    With z the pre-activation and gz = g * (y > 0) for 'relu' (y > 0 exactly where z > 0),
    else g: dx and dk as conv2d's from gz, dbias = sum of gz over (N, OH, OW).
    """
    op = "conv2d_bias_act"
    x, kernel, bias, dtype, strides, dilation, pads = fused_conv_arguments(
        op, x, kernel, bias, strides, padding, dilation, activation)
    y, vjp = _conv_op(op, x, kernel, x.data, kernel.data, strides, dilation, pads, dtype,
                      bias=bias, relu=activation == "relu")
    parents = (x, kernel) if bias is None else (x, kernel, bias)
    return attach(y, parents, vjp, op, (strides, dilation, pads, activation == "relu"))


def _window_geometry(shape, ksize, strides, dilation, pads):
    """The output size (OH, OW) of windows of `ksize` over an (N, H, W, C) shape."""
    windows = ((ksize[0] - 1) * dilation[0] + 1, (ksize[1] - 1) * dilation[1] + 1)
    return tuple(out_size(size, win, s, p) for size, win, s, p in zip(shape[1:3], windows, strides, pads))


@declare(kind="conv")
def patches(x, ksize, strides, dilation, pads):
    """The patch matrix of x as an op: (N*OH*OW, kh*kw*C), columns in the kernel's (i, j, c) order.

    x is (N, H, W, C), padded by `pads` = ((top, bottom), (left, right)) first.
    dx = patches_adjoint(g): each column block added back at the cells its tap read.
    (A conv2d is patches(x) @ kernel reshaped; its second-order rule is written with these.)
    """
    x = as_tensor(x)
    out_hw = _window_geometry(x.shape, ksize, strides, dilation, pads)
    xpad = pad_hw(x.data, pads)
    n, c = x.shape[0], x.shape[3]
    cols = xp.ascontiguousarray(_patches(xpad, ksize, strides, dilation, out_hw)).reshape(
        n * out_hw[0] * out_hw[1], ksize[0] * ksize[1] * c)
    params = (x.shape, ksize, strides, dilation, pads)
    return attach(cols, (x,), lambda g: (_patches_adjoint_array(g, *params),), "patches", params)


def _patches_adjoint_array(g, shape, ksize, strides, dilation, pads):
    """(N, H, W, C): every entry of the patch-matrix gradient `g` added at the cell it came from."""
    n, h, w, c = shape
    (t, b), (l, r) = pads
    out_hw = _window_geometry(shape, ksize, strides, dilation, pads)
    dxpad = xp.zeros((n, h + t + b, w + l + r, c), dtype=g.dtype)
    g6 = g.reshape(n, out_hw[0], out_hw[1], ksize[0], ksize[1], c)
    for i in range(ksize[0]):
        for j in range(ksize[1]):
            view = tap(dxpad, i * dilation[0], j * dilation[1], strides, out_hw)
            view += g6[:, :, :, i, j, :]
    return dxpad[:, t:t + h, l:l + w, :]


@declare(kind="conv")
def patches_adjoint(cols, shape, ksize, strides, dilation, pads):
    """The adjoint of `patches` as an op: the (N, H, W, C) tensor whose patch matrix gradient is `cols`.

    dcols = patches(g): the patches of the gradient.
    """
    cols = as_tensor(cols)
    params = (shape, ksize, strides, dilation, pads)
    y = _patches_adjoint_array(cols.data, *params)
    return attach(y, (cols,), lambda g: (patches(g, ksize, strides, dilation, pads).data,),
                  "patches_adjoint", params)


@declare(kind="conv")
def conv1d(x, kernel, strides=1, padding="valid", dilation=1):
    """1-D convolution (Keras Conv1D), no bias: conv2d over a unit height axis.

    Args:
        x: (N, L, C).
        kernel: (k, C, F).
        strides, dilation: int.
        padding: 'valid', 'same' (TensorFlow's) or 'causal' (left padding of (k-1)*d,
            so output t sees inputs up to t only).

    Returns (N, OL, F): OL = ceil(L / s) for 'same' and 'causal'.
    """
    op = "conv1d"
    x, kernel, dtype = _operands(x, kernel)
    _check_rank(op, x, kernel, 3, "(N, L, C)", "(k, C, F)")
    _check_channels(op, x, kernel, 1)
    stride = _single(strides, "strides", op)
    rate = _single(dilation, "dilation", op)
    mode = _padding(padding, op, ("valid", "same", "causal"))
    window = (kernel.shape[0] - 1) * rate + 1
    if mode == "same":
        pad = same_pads(x.shape[1], window, stride)
    elif mode == "causal":
        pad = (window - 1, 0)
    else:
        pad = (0, 0)
    y, vjp = _conv_op(
        op, x, kernel, x.data[:, None], kernel.data[None], (1, stride), (1, rate), ((0, 0), pad), dtype
    )
    return attach(y[:, 0], (x, kernel), vjp, op)


def deconv_output_length(size, window, padding, output_padding, stride):
    """Keras' output length of a transposed convolution along one axis (window dilated)."""
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(window - stride, 0)
        return size * stride
    pad = window // 2 if padding == "same" else 0
    return (size - 1) * stride + window - 2 * pad + output_padding


@declare(kind="conv")
def conv2d_transpose(x, kernel, strides=1, padding="valid", output_padding=None, dilation=1):
    """Transposed 2-D convolution (Keras Conv2DTranspose), no bias.

    The adjoint of conv2d: y = conv2d_transpose(x, k) satisfies
    sum(conv2d(z, k) * x) = sum(z * y) for z of y's shape, with the same strides,
    padding and dilation (TensorFlow's conv2d_transpose).

    Args:
        x: (N, H, W, C_in).
        kernel: (kh, kw, F_out, C_in), Keras' Conv2DTranspose layout.
        strides, dilation: int or pair.
        padding: 'valid' or 'same'.
        output_padding: None, int or pair, each below its stride: extra rows/columns
            at the bottom/right of the output.

    Returns (N, OH, OW, F_out): OH = H*s + max(kd - s, 0) ('valid') or H*s ('same')
    without output_padding, else (H-1)*s + kd - 2*pad + output_padding with
    pad = kd // 2 ('same') or 0, kd = (kh-1)*d + 1 (Keras' deconv_output_length).
    y = sum over taps of x @ k[i, j]^T placed at the tap's cells; dx = conv2d(g, k);
    dk = cols(g)^T @ x.
    """
    op = "conv2d_transpose"
    x, kernel, dtype = _operands(x, kernel)
    _check_rank(op, x, kernel, 4, "(N, H, W, C_in)", "(kh, kw, F_out, C_in)")
    _check_channels(op, x, kernel, 3)
    strides = _pair(strides, "strides", op)
    dilation = _pair(dilation, "dilation", op)
    mode = _padding(padding, op)
    if output_padding is not None:
        received = output_padding
        if isinstance(output_padding, numbers.Integral):
            output_padding = (output_padding, output_padding)
        try:
            output_padding = tuple(int(v) for v in output_padding)
        except (TypeError, ValueError):
            output_padding = ()
        if len(output_padding) != 2 or any(p < 0 or p >= s for p, s in zip(output_padding, strides)):
            raise ValueError(
                f"{op}: output_padding must be a pair of non-negative ints, each lower than its stride. "
                f"Received: output_padding={received!r}, strides={strides}"
            )
    n, h, w, _ = x.shape
    kh, kw, f, _ = kernel.shape
    windows = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    out_hw, tops, padded = [], [], []
    for axis in range(2):
        size, win, s = (h, w)[axis], windows[axis], strides[axis]
        length = deconv_output_length(size, win, mode, None if output_padding is None else output_padding[axis], s)
        if length < 1:
            raise ValueError(
                f"{op}: the output would have size {length} along axis {axis + 1}. "
                f"Received shapes: x={tuple(x.shape)}, kernel={tuple(kernel.shape)}"
            )
        # The conv2d this is the adjoint of: from `length` to `size` with TF's padding.
        top = max((size - 1) * s + win - length, 0) // 2 if mode == "same" else 0
        out_hw.append(length)
        tops.append(top)
        padded.append(max(top + length, (size - 1) * s + win))
    (oh, ow), (t, l) = out_hw, tops
    padded_shape = (n, padded[0], padded[1], f)
    x2 = _as(x.data, dtype).reshape(-1, x.shape[-1])
    k4 = _as(kernel.data, dtype)
    y = _scatter(x2, k4, padded_shape, strides, dilation, (h, w))[:, t:t + oh, l:l + ow, :]
    if not y.flags.c_contiguous:
        y = xp.ascontiguousarray(y)

    def vjp(g):
        gpad = xp.zeros(padded_shape, dtype=g.dtype)
        gpad[:, t:t + oh, l:l + ow, :] = g
        gx = gk = None
        if x.requires_grad:
            # dx = conv2d of the padded gradient with the same kernel.
            gx, saved = _correlate(gpad, k4, strides, dilation, (h, w), keep_cols=kernel.requires_grad)
            gx = _as(gx, x.dtype)
        else:
            saved = _im2col(gpad, (kh, kw), strides, dilation, (h, w))
        if kernel.requires_grad:
            gk = _as(_kernel_grad(saved, x2, kernel.shape)[0], kernel.dtype)
        return gx, gk

    return attach(y, (x, kernel), vjp, op)


@declare(kind="conv")
def depthwise_conv2d(x, kernel, strides=1, padding="valid", dilation=1):
    """Depthwise 2-D convolution (Keras DepthwiseConv2D), no bias.

    Args:
        x: (N, H, W, C).
        kernel: (kh, kw, C, M), M the depth multiplier.
        strides, dilation: int or pair.
        padding: 'valid' or 'same' (TensorFlow's).

    Returns (N, OH, OW, C*M), channel c*M + m from input channel c and multiplier m:
    y[..., c, m] = sum_{i, j} xpad[tap(i, j)][..., c] * k[i, j, c, m].
    dx[tap(i, j)] += sum_m g[..., c, m] k[i, j, c, m]; dk[i, j] = sum_{n, p, q} xpad[tap] g.
    """
    op = "depthwise_conv2d"
    x, kernel, dtype = _operands(x, kernel)
    _check_rank(op, x, kernel, 4, "(N, H, W, C)", "(kh, kw, C, M)")
    _check_channels(op, x, kernel, 2)
    strides = _pair(strides, "strides", op)
    dilation = _pair(dilation, "dilation", op)
    mode = _padding(padding, op)
    n, h, w, c = x.shape
    kh, kw, _, m = kernel.shape
    windows = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    if mode == "same":
        pads = tuple(same_pads(size, win, s) for size, win, s in zip((h, w), windows, strides))
    else:
        pads = ((0, 0), (0, 0))
    out_hw = tuple(out_size(size, win, s, p) for size, win, s, p in zip((h, w), windows, strides, pads))
    _check_output(op, out_hw, x, kernel)
    xpad = pad_hw(_as(x.data, dtype), pads)
    k4 = _as(kernel.data, dtype)
    dh, dw = dilation
    taps = [tap(xpad, i * dh, j * dw, strides, out_hw) for i in range(kh) for j in range(kw)]
    k3 = k4.reshape(kh * kw, c, m)
    # One multiplier at a time: elementwise passes over (N, OH, OW, C), no small-axis reductions.
    y = xp.empty((n, out_hw[0], out_hw[1], c, m), dtype=dtype)
    for q in range(m):
        acc = y[..., q]
        xp.multiply(taps[0], k3[0, :, q], out=acc)
        for t_, cells in enumerate(taps[1:], 1):
            acc += cells * k3[t_, :, q]

    def vjp(g):
        g5 = g.reshape(n, out_hw[0], out_hw[1], c, m)
        gx = gk = None
        if x.requires_grad:
            dxpad = xp.zeros(xpad.shape, dtype=g.dtype)
            for t_ in range(kh * kw):
                view = tap(dxpad, (t_ // kw) * dh, (t_ % kw) * dw, strides, out_hw)
                for q in range(m):
                    view += g5[..., q] * k3[t_, :, q]
            (top, _), (left, _) = pads
            gx = _as(dxpad[:, top:top + h, left:left + w, :], x.dtype)
        if kernel.requires_grad:
            gk = xp.empty((kh * kw, c, m), dtype=g.dtype)
            for t_, cells in enumerate(taps):
                for q in range(m):
                    gk[t_, :, q] = xp.einsum("nhwc,nhwc->c", cells, g5[..., q])
            gk = _as(gk.reshape(kernel.shape), kernel.dtype)
        return gx, gk

    return attach(y.reshape(n, out_hw[0], out_hw[1], c * m), (x, kernel), vjp, op)
