"""keras.ops.nn: activations, convolutions, pooling, normalisation, losses and attention.

Every function has Keras 3.15's signature, defaults and result dtype, and is
built on deepgrad's table ops (ops/elementwise.py, ops/activations.py, ops/nn.py,
ops/conv.py, ops/pooling.py), so it is differentiable under a GradientTape
wherever Keras' is. Layouts are Keras': channels_last by default, conv kernels
(*spatial, in_channels // groups, out_channels), transposed-conv kernels
(*spatial, out_channels, in_channels), depthwise kernels (*spatial, channels,
multiplier).

Where deepgrad has a 1-D and 2-D primitive only, the 3-D form is composed:
a 3-D convolution (plain, depthwise or transposed) is the sum over the
kernel's depth taps of 2-D ones of depth slices (the depth folded into the
batch), and a 3-D pooling pools each depth slice in 2-D, then the depth axis
in 1-D (max and mean over a box are separable). ctc_loss is the alpha
recursion written with table ops (one step per frame), so it differentiates
like any composition.

Where Keras' torch backend and its documented (TensorFlow / JAX) meaning part,
deepgrad takes the documented meaning:
- sparsemax is the projection onto the simplex (Keras 3.15 sums the cumulative
  sums of the support when computing the threshold, so its rows do not sum to 1
  once the support has two or more entries);
- average_pool with padding="same" averages the real cells of each window
  (the torch backend counts edge-replicated cells when the padding is uneven);
- dot_product_attention applies attn_logits_soft_cap (cap * tanh(logits / cap)),
  which Keras accepts on JAX/TPU only;
- float64 inputs give float64 results in dot_product_attention and ctc_loss, as
  Keras' dtype rules say (the torch backend returns float32: its result_type
  reads torch's float64 dtype objects as weak types).
"""
import math
import numbers

from ...backend import floatx, xp
from ...ops import activations as _act
from ...ops import conv as _conv
from ...ops import elementwise as _ew
from ...ops import nn as _nn
from ...ops import pooling as _pooling
from ...ops import reduce as _red
from ...ops import shape as _shape
from ...ops.linalg import matmul as _matmul
from ...tensor import as_tensor
from . import names as _names
from .common import axis_tuple, result_type, standardize_dtype, to_tensor, unimplemented

# ----------------------------------------------------------------------------- helpers


def _epsilon():
    from ..config import epsilon

    return epsilon()


def _float(x):
    """`x` as a tensor (Keras' conversion), integers and booleans cast to floatx."""
    x = to_tensor(x)
    if x.dtype.kind != "f":
        x = _ew.cast(x, floatx())
    return x


def _like(value, x):
    """A constant in the dtype of tensor `x`."""
    return as_tensor(xp.asarray(value, dtype=x.dtype))


def _rsqrt(x):
    return _ew.div(_like(1, x), _ew.sqrt(x))


def _data_format(data_format):
    fmt = "channels_last" if data_format is None else str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first'. Received: data_format={data_format!r}"
        )
    return fmt


def _to_last(x, fmt):
    """Channels-first (N, C, *spatial) as channels-last (N, *spatial, C)."""
    if fmt == "channels_last":
        return x
    return _shape.transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,))


def _from_last(y, fmt):
    """Channels-last back to the caller's layout."""
    if fmt == "channels_last":
        return y
    return _shape.transpose(y, (0, y.ndim - 1) + tuple(range(1, y.ndim - 1)))


def _tuple(value, n, name):
    """An int or a sequence of n ints as a tuple of n ints (Keras' standardize_tuple)."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    values = tuple(int(v) for v in value)
    if len(values) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}")
    return values


def _padding_mode(padding):
    mode = str(padding).lower()
    if mode not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'. Received: padding={padding!r}")
    return mode


def _spatial_rank(x, op):
    if x.ndim not in (3, 4, 5):
        raise ValueError(
            f"{op}: inputs must have rank 3, 4 or 5 (1-D, 2-D or 3-D inputs with batch and channel axes). "
            f"Received: inputs.shape={tuple(x.shape)}"
        )
    return x.ndim - 2


# ----------------------------------------------------------------------------- activations


def relu(x):
    """max(x, 0); integer inputs stay integers."""
    x = to_tensor(x)
    if x.dtype.kind != "f":
        return as_tensor(xp.maximum(x.data, 0).astype(x.dtype))
    return _ew.relu(x)


def relu6(x):
    return _act.relu6(to_tensor(x))


def sigmoid(x):
    return _ew.sigmoid(_float(x))


def sparse_sigmoid(x):
    return _act.sparse_sigmoid(_float(x))


def softplus(x):
    return _ew.softplus(_float(x))


def softsign(x):
    return _act.softsign(_float(x))


def soft_shrink(x, threshold=0.5):
    return _act.soft_shrink(_float(x), threshold)


def sparse_plus(x):
    return _act.sparse_plus(_float(x))


def silu(x):
    return _ew.swish(_float(x))


swish = silu


def squareplus(x, b=4):
    return _act.squareplus(_float(x), b)


def log_sigmoid(x):
    return _act.log_sigmoid(_float(x))


def leaky_relu(x, negative_slope=0.2):
    return _ew.leaky_relu(_float(x), negative_slope)


def hard_sigmoid(x):
    return _act.hard_sigmoid(_float(x))


def hard_silu(x):
    return _act.hard_silu(_float(x))


hard_swish = hard_silu


def elu(x, alpha=1.0):
    return _ew.elu(_float(x), alpha)


def selu(x):
    return _ew.selu(_float(x))


def gelu(x, approximate=True):
    return _ew.gelu(_float(x), approximate=bool(approximate))


def celu(x, alpha=1.0):
    return _act.celu(_float(x), alpha)


def glu(x, axis=-1):
    """a * sigmoid(b), a and b the two halves of x along `axis`."""
    x = _float(x)
    axis = int(axis) % x.ndim
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even. Received: x.shape={tuple(x.shape)}")
    first = tuple(slice(None) if i != axis else slice(0, n // 2) for i in range(x.ndim))
    second = tuple(slice(None) if i != axis else slice(n // 2, n) for i in range(x.ndim))
    return _ew.mul(_shape.getitem(x, first), _ew.sigmoid(_shape.getitem(x, second)))


def tanh_shrink(x):
    return _act.tanh_shrink(_float(x))


def hard_tanh(x):
    return _act.hard_tanh(to_tensor(x))


def hard_shrink(x, threshold=0.5):
    return _act.hard_shrink(_float(x), threshold)


def threshold(x, threshold, default_value):
    return _act.threshold(to_tensor(x), threshold, default_value)


def _softmax_axes(x, axis):
    return tuple(range(x.ndim)) if axis is None else axis_tuple(axis, x.ndim)


def softmax(x, axis=-1):
    x = _float(x)
    return _nn.softmax(x, _softmax_axes(x, axis))


def log_softmax(x, axis=-1):
    x = _float(x)
    return _nn.log_softmax(x, _softmax_axes(x, axis))


def sparsemax(x, axis=-1):
    return _act.sparsemax(_float(x), axis)


# ----------------------------------------------------------------------------- convolution


def _conv_last(x, kernel, strides, padding, dilation):
    """A convolution of channels-last x (rank 3, 4 or 5) with a kernel (*spatial, C, F), no groups."""
    rank = x.ndim - 2
    if rank == 1:
        return _conv.conv1d(x, kernel, strides[0], padding, dilation[0])
    if rank == 2:
        return _conv.conv2d(x, kernel, strides, padding, dilation)
    return _depth_taps(x, kernel, strides, padding, dilation,
                       lambda xs, k: _conv.conv2d(xs, k, strides[1:], padding, dilation[1:]))


def _depth_taps(x, kernel, strides, padding, dilation, conv2d):
    """A 3-D correlation as the sum over the kernel's depth taps i of conv2d(depth slices, kernel[i]).

    x (N, D, H, W, C), kernel (kd, ...): output depth o reads input depth o*s + i*d
    (after TensorFlow's 'same' padding of the depth axis); the depth is folded into the batch.
    """
    n, depth = x.shape[0], x.shape[1]
    kd = kernel.shape[0]
    window = (kd - 1) * dilation[0] + 1
    pads = _conv.same_pads(depth, window, strides[0]) if padding == "same" else (0, 0)
    if pads != (0, 0):
        x = _shape.pad(x, ((0, 0), pads, (0, 0), (0, 0), (0, 0)))
        depth = x.shape[1]
    out_d = (depth - window) // strides[0] + 1
    if out_d < 1:
        raise ValueError(f"The kernel is larger than the input along the depth axis. "
                         f"Received: inputs.shape={tuple(x.shape)}, kernel.shape={tuple(kernel.shape)}")
    total = None
    for i in range(kd):
        start = i * dilation[0]
        xs = _shape.getitem(x, (slice(None), slice(start, start + strides[0] * (out_d - 1) + 1, strides[0])))
        xs = _shape.reshape(xs, (n * out_d,) + tuple(xs.shape[2:]))
        y = conv2d(xs, _shape.getitem(kernel, i))
        y = _shape.reshape(y, (n, out_d) + tuple(y.shape[1:]))
        total = y if total is None else _ew.add(total, y)
    return total


def _grouped(x, kernel, groups, fn):
    """fn over each channel group of x with its slice of the kernel's output channels, concatenated."""
    if groups == 1:
        return fn(x, kernel)
    c = x.shape[-1] // groups
    f = kernel.shape[-1] // groups
    outs = []
    for g in range(groups):
        xs = _shape.getitem(x, (Ellipsis, slice(g * c, (g + 1) * c)))
        ks = _shape.getitem(kernel, (Ellipsis, slice(g * f, (g + 1) * f)))
        outs.append(fn(xs, ks))
    return _shape.concat(outs, axis=-1)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1-D, 2-D or 3-D), Keras' kernel layout (*spatial, C // groups, F).

    groups = C // kernel.shape[-2] (grouped convolution when the kernel has fewer input channels).
    """
    fmt = _data_format(data_format)
    x = _to_last(to_tensor(inputs), fmt)
    kernel = to_tensor(kernel)
    rank = _spatial_rank(x, "conv")
    if kernel.ndim != rank + 2:
        raise ValueError(f"conv: the kernel must have rank {rank + 2} for inputs of rank {x.ndim}. "
                         f"Received: inputs.shape={tuple(x.shape)}, kernel.shape={tuple(kernel.shape)}")
    strides = _tuple(strides, rank, "strides")
    dilation = _tuple(dilation_rate, rank, "dilation_rate")
    mode = _padding_mode(padding)
    channels, kernel_in = x.shape[-1], kernel.shape[-2]
    if channels % kernel_in or kernel.shape[-1] % (channels // kernel_in):
        raise ValueError(
            f"conv: the input channels ({channels}) must be a multiple of the kernel's input channels "
            f"({kernel_in}), and the output channels a multiple of the groups. "
            f"Received: inputs.shape={tuple(x.shape)}, kernel.shape={tuple(kernel.shape)}"
        )
    y = _grouped(x, kernel, channels // kernel_in,
                 lambda xs, ks: _conv_last(xs, ks, strides, mode, dilation))
    return _from_last(y, fmt)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution (1-D, 2-D or 3-D), kernel (*spatial, C, multiplier); output channel c*M + m."""
    fmt = _data_format(data_format)
    x = _to_last(to_tensor(inputs), fmt)
    kernel = to_tensor(kernel)
    rank = _spatial_rank(x, "depthwise_conv")
    strides = _tuple(strides, rank, "strides")
    dilation = _tuple(dilation_rate, rank, "dilation_rate")
    mode = _padding_mode(padding)
    if kernel.ndim != rank + 2 or kernel.shape[-2] != x.shape[-1]:
        raise ValueError(
            f"depthwise_conv: expects a kernel (*spatial, {x.shape[-1]}, multiplier) of rank {rank + 2}. "
            f"Received: inputs.shape={tuple(x.shape)}, kernel.shape={tuple(kernel.shape)}"
        )
    if rank == 2:
        y = _conv.depthwise_conv2d(x, kernel, strides, mode, dilation)
    elif rank == 1:
        y = _conv.depthwise_conv2d(_shape.expand_dims(x, 1), _shape.expand_dims(kernel, 0),
                                   (1, strides[0]), mode, (1, dilation[0]))
        y = _shape.squeeze(y, 1)
    else:
        y = _depth_taps(x, kernel, strides, mode, dilation,
                        lambda xs, k: _conv.depthwise_conv2d(xs, k, strides[1:], mode, dilation[1:]))
    return _from_last(y, fmt)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """depthwise_conv, then a 1x1 conv with pointwise_kernel (*ones, C*M, F)."""
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, dilation_rate)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Transposed convolution (1-D or 2-D), kernel (*spatial, F_out, C_in)."""
    fmt = _data_format(data_format)
    x = _to_last(to_tensor(inputs), fmt)
    kernel = to_tensor(kernel)
    rank = _spatial_rank(x, "conv_transpose")
    strides = _tuple(strides, rank, "strides")
    dilation = _tuple(dilation_rate, rank, "dilation_rate")
    mode = _padding_mode(padding)
    if output_padding is not None:
        output_padding = _tuple(output_padding, rank, "output_padding")
    if rank == 2:
        y = _conv.conv2d_transpose(x, kernel, strides, mode, output_padding, dilation)
    elif rank == 3:
        y = _conv_transpose_3d(x, kernel, strides, mode, output_padding, dilation)
    else:
        y = _conv.conv2d_transpose(
            _shape.expand_dims(x, 1), _shape.expand_dims(kernel, 0), (1, strides[0]), mode,
            None if output_padding is None else (0, output_padding[0]), (1, dilation[0]))
        y = _shape.squeeze(y, 1)
    return _from_last(y, fmt)


def _conv_transpose_3d(x, kernel, strides, mode, output_padding, dilation):
    """A 3-D transposed convolution as, for each depth tap i of the kernel, the 2-D transposed
    convolution of every depth slice with kernel[i], placed at output depths d*s + i*dil.

    The depth axis is then cut to Keras' output length as conv2d_transpose cuts its axes
    (TensorFlow's padding of the convolution this is the adjoint of).
    """
    n, depth = x.shape[:2]
    kd = kernel.shape[0]
    s, dil = strides[0], dilation[0]
    window = (kd - 1) * dil + 1
    folded = _shape.reshape(x, (n * depth,) + tuple(x.shape[2:]))
    full = (depth - 1) * s + window
    total = None
    for i in range(kd):
        z = _conv.conv2d_transpose(folded, _shape.getitem(kernel, i), strides[1:], mode,
                                   None if output_padding is None else output_padding[1:], dilation[1:])
        z = _shape.reshape(z, (n, depth) + tuple(z.shape[1:]))
        if s > 1:  # zero-stuff: input depth d lands at d*s
            zeros = as_tensor(xp.zeros(z.shape, dtype=z.dtype))
            z = _shape.reshape(_shape.stack([z] + [zeros] * (s - 1), axis=2), (n, depth * s) + tuple(z.shape[2:]))
            z = _shape.getitem(z, (slice(None), slice(0, (depth - 1) * s + 1)))
        z = _shape.pad(z, ((0, 0), (i * dil, full - (depth - 1) * s - 1 - i * dil), (0, 0), (0, 0), (0, 0)))
        total = z if total is None else _ew.add(total, z)
    length = _conv.deconv_output_length(depth, window, mode, None if output_padding is None else output_padding[0], s)
    top = max((depth - 1) * s + window - length, 0) // 2 if mode == "same" else 0
    if top + length > full:
        total = _shape.pad(total, ((0, 0), (0, top + length - full), (0, 0), (0, 0), (0, 0)))
    return _shape.getitem(total, (slice(None), slice(top, top + length)))


# ----------------------------------------------------------------------------- pooling


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    fmt = _data_format(data_format)
    x = _to_last(to_tensor(inputs), fmt)
    rank = _spatial_rank(x, kind + "_pool")
    pool = _tuple(pool_size, rank, "pool_size")
    strides = pool if strides is None else _tuple(strides, rank, "strides")
    mode = _padding_mode(padding)
    p1, p2 = (_pooling.max_pool1d, _pooling.max_pool2d) if kind == "max" else (_pooling.avg_pool1d, _pooling.avg_pool2d)
    if rank == 1:
        y = p1(x, pool[0], strides[0], mode)
    elif rank == 2:
        y = p2(x, pool, strides, mode)
    else:
        # Each depth slice pooled in 2-D, then the depth axis in 1-D: max and mean over a box are separable.
        n, d, h, w, c = x.shape
        y = p2(_shape.reshape(x, (n * d, h, w, c)), pool[1:], strides[1:], mode)
        oh, ow = y.shape[1:3]
        y = p1(_shape.reshape(y, (n, d, oh * ow * c)), pool[0], strides[0], mode)
        y = _shape.reshape(y, (n, y.shape[1], oh, ow, c))
    return _from_last(y, fmt)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool("max", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool("average", inputs, pool_size, strides, padding, data_format)


def _adaptive(reduce, inputs, output_size, data_format):
    """Adaptive pooling: output cell i along an axis of length L reduces [floor(i L / O), ceil((i+1) L / O))."""
    fmt = _data_format(data_format)
    x = _to_last(to_tensor(inputs), fmt)
    if x.dtype.kind != "f":
        x = _ew.cast(x, floatx())
    rank = _spatial_rank(x, "adaptive pooling")
    sizes = _tuple(output_size, rank, "output_size")
    for axis, out in zip(range(1, rank + 1), sizes):
        length = x.shape[axis]
        cells = []
        for i in range(out):
            start, stop = (i * length) // out, -(-((i + 1) * length) // out)
            index = (slice(None),) * axis + (slice(start, stop),)
            cells.append(reduce(_shape.getitem(x, index), axis=axis, keepdims=True))
        x = _shape.concat(cells, axis=axis)
    return _from_last(x, fmt)


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive(_red.mean, inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive(_red.max, inputs, output_size, data_format)


# ----------------------------------------------------------------------------- normalisation


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of x over `axes`; the variance is the biased one, mean((x - mean)^2)."""
    if synchronized:
        raise NotImplementedError("moments: synchronized=True needs a distributed strategy, which deepgrad lacks.")
    x = _float(x)
    axes = axis_tuple(axes, x.ndim)
    mean = _red.mean(x, axis=axes, keepdims=True)
    centred = _ew.sub(x, mean)
    variance = _red.mean(_ew.square(centred), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = _shape.squeeze(mean, axes)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) * scale / sqrt(variance + epsilon) + offset, the (C,) parameters along `axis`."""
    x = to_tensor(x)
    mean, variance = to_tensor(mean), to_tensor(variance)
    shape = [1] * x.ndim
    shape[int(axis)] = mean.shape[0]

    def along(v):
        return _shape.reshape(to_tensor(v), shape)

    factor = _rsqrt(_ew.add(along(variance), _like(epsilon, variance)))
    if scale is not None:
        factor = _ew.mul(factor, along(scale))
    y = _ew.mul(_ew.sub(x, along(mean)), factor)
    if offset is not None:
        y = _ew.add(y, along(offset))
    return y


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """gamma * (x - mean) / sqrt(var + epsilon) + beta, statistics over `axis` (int or list)."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected arguments {sorted(kwargs)}")
    epsilon = _epsilon() if epsilon is None else epsilon
    x = to_tensor(x)
    original = x.dtype.name
    x = _ew.cast(x, result_type(x.dtype.name, "float32"))
    axes = axis_tuple(axis, x.ndim)
    gamma = None if gamma is None else to_tensor(gamma, x.dtype.name)
    beta = None if beta is None else to_tensor(beta, x.dtype.name)
    if rms_scaling:
        variance = _red.var(x, axis=axes, keepdims=True)
        y = _ew.mul(x, _rsqrt(_ew.add(variance, _like(epsilon, x))))
        if gamma is not None:
            full = tuple(d if i in axes else 1 for i, d in enumerate(x.shape))
            y = _ew.mul(y, _shape.reshape(gamma, full) if gamma.ndim != x.ndim else gamma)
    else:
        y = _nn.layer_norm(x, gamma, beta, axes, epsilon)
    return _ew.cast(y, original)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x^2, axis) + epsilon) * scale."""
    epsilon = _epsilon() if epsilon is None else epsilon
    x = to_tensor(x)
    original = x.dtype.name
    x = _ew.cast(x, result_type(x.dtype.name, "float32"))
    if x.ndim == 0:
        x = _shape.reshape(x, (1,))
    axes = axis_tuple(axis, x.ndim)
    ms = _red.mean(_ew.square(x), axis=axes, keepdims=True)
    y = _ew.mul(x, _rsqrt(_ew.add(ms, _like(epsilon, x))))
    if scale is not None:
        y = _ew.mul(y, to_tensor(scale, x.dtype.name))
    return _ew.cast(y, original)


def normalize(x, axis=-1, order=2, epsilon=None):
    """x / max(norm(x, order, axis), epsilon) (L2: x * min(1 / sqrt(sum(x^2)), 1 / epsilon))."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = _float(x)
    if x.ndim == 0:
        x = _shape.reshape(x, (1,))
    epsilon = _epsilon() if epsilon is None else epsilon
    axes = axis_tuple(axis, x.ndim)
    if order == 2:
        inv = _rsqrt(_red.sum(_ew.square(x), axis=axes, keepdims=True))
        return _ew.mul(x, _ew.minimum(inv, _like(1 / epsilon, x)))
    if order == 1:
        norm = _red.sum(_ew.abs(x), axis=axes, keepdims=True)
    else:
        norm = _ew.pow(_red.sum(_ew.pow(_ew.abs(x), _like(order, x)), axis=axes, keepdims=True),
                       _like(1 / order, x))
    return _ew.div(x, _ew.maximum(norm, _like(epsilon, x)))


# ----------------------------------------------------------------------------- encodings


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """1 at each integer's class, along a new axis `axis`; negative values give all zeros."""
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported by deepgrad (nor by Keras' torch backend).")
    dtype = standardize_dtype(dtype)
    ids = to_tensor(x).data.astype(xp.int64)
    y = (ids[..., None] == xp.arange(int(num_classes))).astype(dtype)
    if axis not in (-1, y.ndim - 1):
        y = xp.moveaxis(y, -1, axis)
    return as_tensor(y)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """1 at every class present in each row (axis 1 of a batch, or the whole 1-D input)."""
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified.")
    dtype = standardize_dtype(dtype)
    x = to_tensor(inputs)
    hot = one_hot(x, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return as_tensor(xp.max(hot.data, axis=1 if x.ndim > 1 else 0))


# ----------------------------------------------------------------------------- losses


def _same_shape(target, output):
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. "
                         f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise -(t log(o) + (1 - t) log(1 - o)), o clipped to [eps, 1 - eps] (or sigmoid of logits)."""
    output = to_tensor(output)
    target = to_tensor(target)
    _same_shape(target, output)
    if target.dtype != output.dtype:
        target = _ew.cast(target, output.dtype.name)
    if from_logits:
        return _nn.binary_cross_entropy_with_logits(output, target)
    eps = _epsilon()
    o = _ew.clip(output, eps, 1 - eps)
    one = _like(1, o)
    loss = _ew.add(_ew.mul(target, _ew.log(o)), _ew.mul(_ew.sub(one, target), _ew.log(_ew.sub(one, o))))
    return _ew.neg(loss)


def _probability_logs(output, axis):
    """log of output / sum(output, axis), clipped to [eps, 1 - eps]."""
    eps = _epsilon()
    p = _ew.div(output, _red.sum(output, axis=axis, keepdims=True))
    return _ew.log(_ew.clip(p, eps, 1 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log p, axis), p = softmax(output) or output normalised to sum to 1."""
    output = to_tensor(output)
    target = to_tensor(target)
    _same_shape(target, output)
    if output.ndim < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. "
                         f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    if target.dtype != output.dtype:
        target = _ew.cast(target, output.dtype.name)
    log_p = _nn.log_softmax(output, axis) if from_logits else _probability_logs(output, axis)
    return _ew.neg(_red.sum(_ew.mul(target, log_p), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-log p[target] along `axis`; target holds integer class indices (a size-1 class axis is dropped)."""
    output = to_tensor(output)
    labels = to_tensor(target).data
    if output.ndim < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={tuple(output.shape)}")
    ax = int(axis) % output.ndim
    if labels.ndim == output.ndim and labels.shape[ax] == 1:
        labels = xp.squeeze(labels, ax)
    labels = labels.astype(xp.int64)
    reduced = output.shape[:ax] + output.shape[ax + 1:]
    if labels.shape != reduced:
        raise ValueError("Arguments `target` and `output` must have the same shape up until the last dimension: "
                         f"target.shape={tuple(labels.shape)}, output.shape={tuple(output.shape)}")
    if from_logits:
        return _nn.softmax_cross_entropy(output, labels, axis=ax)
    picked = xp.expand_dims(labels, ax) == xp.arange(output.shape[ax]).reshape(
        (-1,) + (1,) * (output.ndim - ax - 1))
    log_p = _probability_logs(output, ax)
    return _ew.neg(_red.sum(_ew.mul(log_p, as_tensor(picked.astype(output.dtype))), axis=ax))


def psnr(x1, x2, max_val):
    """20 log10(max_val) - 10 log10(mean((x1 - x2)^2)), one number over all elements."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if x1.shape != x2.shape:
        raise ValueError(f"Input shapes {tuple(x1.shape)} and {tuple(x2.shape)} must match for PSNR calculation.")
    max_val = to_tensor(max_val, x1.dtype.name)
    mse = _red.mean(_ew.square(_ew.sub(x1, x2)))
    ln10 = _like(math.log(10), mse)
    return _ew.sub(_ew.mul(_like(20, mse), _ew.div(_ew.log(max_val), ln10)),
                   _ew.mul(_like(10, mse), _ew.div(_ew.log(mse), ln10)))


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Connectionist temporal classification loss per sequence: -log p(target | output).

    target (B, S) integer labels (padded), output (B, T, C) logits (log_softmax is taken here),
    target_length and output_length (B,); mask_index is the blank class. The forward
    (alpha) recursion over the extended labels l' = (blank, l1, blank, l2, ..., blank) runs
    in log space, one step per frame, with table ops, so the loss is differentiable:
    alpha_t(s) = lse(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2) when l'_s is not blank
    and differs from l'_{s-2}) + log p_t(l'_s); loss = -lse(alpha_{T-1}(2L), alpha_{T-1}(2L-1)).
    An impossible alignment gives inf, as PyTorch's ctc_loss.
    """
    output = to_tensor(output)
    output = _ew.cast(output, result_type(output.dtype.name, "float32"))
    labels = xp.asarray(to_tensor(target).data, dtype=xp.int64)
    label_len = xp.asarray(to_tensor(target_length).data, dtype=xp.int64).reshape(-1)
    frames = xp.asarray(to_tensor(output_length).data, dtype=xp.int64).reshape(-1)
    if output.ndim != 3 or labels.ndim != 2 or labels.shape[0] != output.shape[0]:
        raise ValueError("ctc_loss: expects target (batch, max_label_length) and output (batch, frames, classes). "
                         f"Received: target.shape={labels.shape}, output.shape={tuple(output.shape)}")
    b, t_max, _ = output.shape
    blank = int(mask_index)
    dtype = output.dtype
    neg = xp.asarray(-1e30, dtype=dtype)
    width = 2 * labels.shape[1] + 1
    ext = xp.full((b, width), blank, dtype=xp.int64)
    ext[:, 1::2] = labels
    skip = xp.zeros((b, width), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    skip_bias = as_tensor(xp.where(skip, xp.zeros((), dtype=dtype), neg))
    log_probs = _nn.log_softmax(output, -1)
    emit = _shape.getitem(log_probs, (xp.arange(b)[:, None, None], xp.arange(t_max)[None, :, None], ext[:, None, :]))
    start = xp.full((b, width), neg, dtype=dtype)
    start[:, :2] = 0
    alpha = _ew.add(_shape.getitem(emit, (slice(None), 0)), as_tensor(start))
    for t in range(1, t_max):
        one = _shape.getitem(_shape.pad(alpha, ((0, 0), (1, 0)), float(neg)), (slice(None), slice(0, width)))
        two = _shape.getitem(_shape.pad(alpha, ((0, 0), (2, 0)), float(neg)), (slice(None), slice(0, width)))
        two = _ew.add(two, skip_bias)
        step = _ew.add(_red.logsumexp(_shape.stack([alpha, one, two], axis=0), axis=0),
                       _shape.getitem(emit, (slice(None), t)))
        alpha = _ew.where((t < frames)[:, None], step, alpha)
    rows = xp.arange(b)
    last = _shape.getitem(alpha, (rows, 2 * label_len))
    before = _ew.add(_shape.getitem(alpha, (rows, xp.maximum(2 * label_len - 1, 0))),
                     as_tensor(xp.where(label_len > 0, xp.zeros((), dtype=dtype), neg)))
    loss = _ew.neg(_red.logsumexp(_shape.stack([last, before], axis=0), axis=0))
    impossible = loss.data > 1e29
    if impossible.any():
        loss = _ew.where(impossible, as_tensor(xp.full(loss.shape, xp.inf, dtype=dtype)), loss)
    return loss


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Decode (B, T, C) scores: greedy takes each frame's best class, drops repeats (merge_repeated)
    and the blank (mask_index), and left-packs the rest, -1 padded.

    Returns (paths (1, B, T) int32, scores (B, 1)): the score is -sum over the frames within
    sequence_lengths of each frame's best value.
    beam_search: prefix beam search over log_softmax(inputs) (see `_beam_search`); returns
    (paths (top_paths, B, T) int32, scores (B, top_paths)), the scores the log-probabilities
    of the decoded label sequences, best first.
    """
    if strategy not in ("greedy", "beam_search"):
        raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and 'beam_search'.")
    x = to_tensor(inputs)
    dtype = result_type(x.dtype.name, "float32")
    scores_in = x.data.astype(dtype)
    lengths = xp.asarray(to_tensor(sequence_lengths).data, dtype=xp.int64).reshape(-1)
    b, t_max, classes = scores_in.shape
    blank = classes - 1 if mask_index is None else int(mask_index)
    if strategy == "beam_search":
        log_probs = _nn.log_softmax(as_tensor(scores_in), -1).data
        found = [_beam_search(log_probs[i], int(lengths[i]), int(beam_width), int(top_paths), blank)
                 for i in range(b)]
        paths = xp.full((int(top_paths), b, t_max), -1, dtype=xp.int32)
        scores = xp.full((b, int(top_paths)), -xp.inf, dtype=dtype)
        for i, best in enumerate(found):
            for k, (prefix, score) in enumerate(best):
                paths[k, i, :len(prefix)] = prefix
                scores[i, k] = score
        return as_tensor(paths), as_tensor(scores)
    best = xp.argmax(scores_in, axis=-1)
    top = xp.max(scores_in, axis=-1)
    outside = xp.arange(t_max)[None, :] >= lengths[:, None]
    best = xp.where(outside, blank, best)
    top = xp.where(outside, 0, top)
    if merge_repeated:
        repeat = xp.zeros_like(outside)
        repeat[:, 1:] = best[:, 1:] == best[:, :-1]
        best = xp.where(repeat, blank, best)
    dropped = best == blank
    order = xp.argsort(xp.where(dropped, t_max, xp.arange(t_max)[None, :]), axis=-1, kind="stable")
    paths = xp.take_along_axis(xp.where(dropped, -1, best), order, axis=-1).astype(xp.int32)
    scores = -xp.sum(top, axis=1, keepdims=True).astype(dtype)
    return as_tensor(paths[None]), as_tensor(scores)


def _beam_search(log_probs, length, beam_width, top_paths, blank):
    """CTC prefix beam search on one sequence's (T, C) log-probabilities.

    Each prefix (label sequence so far) keeps two log-probabilities: of the frames
    so far ending in a blank (pb) and ending in its last label (pnb). A frame with
    class c turns (pb, pnb) of prefix l into: blank -> l, blank track, + lse(pb, pnb);
    c equal to l's last label -> l, label track, + pnb (a repeat collapses) and
    l + c, label track, + pb (a blank separated the copies); any other c -> l + c,
    label track, + lse(pb, pnb). Prefixes reached twice add up (in log space); after
    each frame the beam_width best prefixes by lse(pb, pnb) are kept. Frame 0 is
    always read, then frames 1 .. length-1.
    Returns the top_paths best (prefix, log-probability) pairs, best first.
    """
    neg = -xp.inf
    beams = {(): (0.0, neg)}
    for t in range(max(length, 1)):
        frame = log_probs[t]
        grown = {}

        def add(prefix, pb, pnb):
            old_b, old_nb = grown.get(prefix, (neg, neg))
            grown[prefix] = (xp.logaddexp(old_b, pb), xp.logaddexp(old_nb, pnb))

        for prefix, (pb, pnb) in beams.items():
            total = xp.logaddexp(pb, pnb)
            add(prefix, total + frame[blank], neg)
            last = prefix[-1] if prefix else None
            for c in range(frame.shape[0]):
                if c == blank:
                    continue
                if c == last:
                    add(prefix, neg, pnb + frame[c])
                    add(prefix + (c,), neg, pb + frame[c])
                else:
                    add(prefix + (c,), neg, total + frame[c])
        ranked = sorted(grown.items(), key=lambda item: -xp.logaddexp(*item[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(((p, xp.logaddexp(*v)) for p, v in beams.items()), key=lambda item: -item[1])
    return ranked[:top_paths]


# ----------------------------------------------------------------------------- attention


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """softmax(q k^T * scale + bias | mask) v over (batch, seq, heads, head_dim) inputs.

    query (B, T, N, H), key and value (B, S, K, H) with N a multiple of K (grouped-query
    attention: query head n reads key/value head n // (N / K)). scale defaults to 1/sqrt(H).
    mask (broadcasting to (B, N, T, S), True = attend) adds a large negative number where
    False; is_causal keeps t >= s only.
    """
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention=True needs a GPU kernel deepgrad lacks.")
    q, k, v = to_tensor(query), to_tensor(key), to_tensor(value)
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs. "
                         f"Received: query.shape={tuple(q.shape)}, key.shape={tuple(k.shape)}, "
                         f"value.shape={tuple(v.shape)}.")
    if bias is not None and mask is not None:
        raise ValueError("Only one of `bias` and `mask` can be provided. Received both.")
    dtype = result_type(q.dtype.name, k.dtype.name, v.dtype.name)
    q, k, v = (_ew.cast(t, dtype) for t in (q, k, v))
    b, t_len, heads, h = q.shape
    s_len, kv_heads = k.shape[1], k.shape[2]
    if heads % kv_heads:
        raise ValueError(f"dot_product_attention: the query heads ({heads}) must be a multiple of the key heads "
                         f"({kv_heads}). Received: query.shape={tuple(q.shape)}, key.shape={tuple(k.shape)}")
    groups = heads // kv_heads
    scale = 1 / math.sqrt(h) if scale is None else scale
    # (B, K, G, T, H) queries against (B, K, 1, S, H) keys: head n = kv * G + g.
    q5 = _shape.transpose(_shape.reshape(q, (b, t_len, kv_heads, groups, h)), (0, 2, 3, 1, 4))
    k5 = _shape.expand_dims(_shape.transpose(k, (0, 2, 3, 1)), 2)  # (B, K, 1, H, S)
    v5 = _shape.expand_dims(_shape.transpose(v, (0, 2, 1, 3)), 2)  # (B, K, 1, S, H)
    logits = _ew.mul(_matmul(q5, k5), _like(scale, q))  # (B, K, G, T, S)
    full = (b, heads, t_len, s_len)
    grouped = (b, kv_heads, groups, t_len, s_len)
    if attn_logits_soft_cap is not None:
        cap = _like(attn_logits_soft_cap, logits)
        logits = _ew.mul(cap, _ew.tanh(_ew.div(logits, cap)))
    if bias is not None:
        bias = _shape.reshape(_shape.broadcast_to(to_tensor(bias, dtype), full), grouped)
        logits = _ew.add(logits, bias)
    allowed = None
    if mask is not None:
        allowed = xp.broadcast_to(to_tensor(mask).data.astype(bool), full).reshape(grouped)
    if is_causal:
        causal = xp.tril(xp.ones((t_len, s_len), dtype=bool))
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        negative = xp.asarray(-0.7 * (65500.0 if dtype == "float16" else 3.38953e38), dtype=dtype)
        logits = _ew.add(logits, as_tensor(xp.where(allowed, xp.zeros((), dtype=dtype), negative)))
    probs = _nn.softmax(logits, -1)
    out = _matmul(probs, v5)  # (B, K, G, T, H)
    return _shape.reshape(_shape.transpose(out, (0, 3, 1, 2, 4)), (b, t_len, heads, h))


# ----------------------------------------------------------------------------- rearrangements


def depth_to_space(x, block_size, data_format="channels_last"):
    """(N, H, W, C) -> (N, H b, W b, C / b^2); channel (i b + j) C' + c goes to pixel (i, j) of a block."""
    x = to_tensor(x)
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        y = _shape.reshape(x, (n, h, w, b, b, c // (b * b)))
        y = _shape.transpose(y, (0, 1, 3, 2, 4, 5))
        return _shape.reshape(y, (n, h * b, w * b, c // (b * b)))
    n, c, h, w = x.shape
    y = _shape.reshape(x, (n, c // (b * b), b, b, h, w))
    y = _shape.transpose(y, (0, 1, 4, 2, 5, 3))
    return _shape.reshape(y, (n, c // (b * b), h * b, w * b))


def space_to_depth(x, block_size, data_format="channels_last"):
    """(N, H, W, C) -> (N, H / b, W / b, C b^2): the inverse of depth_to_space."""
    x = to_tensor(x)
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        y = _shape.reshape(x, (n, h // b, b, w // b, b, c))
        y = _shape.transpose(y, (0, 1, 3, 2, 4, 5))
        return _shape.reshape(y, (n, h // b, w // b, c * b * b))
    n, c, h, w = x.shape
    y = _shape.reshape(x, (n, c, h // b, b, w // b, b))
    y = _shape.transpose(y, (0, 1, 3, 5, 2, 4))
    return _shape.reshape(y, (n, c * b * b, h // b, w // b))


def polar(abs_, angle):
    """abs_ * (cos(angle) + i sin(angle)), a complex tensor (no gradient)."""
    r, a = to_tensor(abs_), to_tensor(angle)
    dtype = result_type(r.dtype.name, a.dtype.name)
    if _is_float(dtype):
        dtype = "float64" if dtype == "float64" else "float32"
    else:
        dtype = floatx()
    real = r.data.astype(dtype) * xp.cos(a.data.astype(dtype))
    imag = r.data.astype(dtype) * xp.sin(a.data.astype(dtype))
    complex_dtype = xp.complex128 if dtype == "float64" else xp.complex64
    return as_tensor((real + 1j * imag).astype(complex_dtype))


def _is_float(name):
    return name.startswith("float") or name == "bfloat16"


def _geometry2(value, name):
    return _tuple(value, 2, name)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a (N, C, H, W) image as (N, C kh kw, L) columns (PyTorch's unfold)."""
    x = to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"unfold: expects a 4-D (N, C, H, W) input. Received: x.shape={tuple(x.shape)}")
    ksize = _geometry2(kernel_size, "kernel_size")
    dil, pad, strides = _geometry2(dilation, "dilation"), _geometry2(padding, "padding"), _geometry2(stride, "stride")
    n, c = x.shape[:2]
    cols = _conv.patches(_shape.transpose(x, (0, 2, 3, 1)), ksize, strides, dil, ((pad[0], pad[0]), (pad[1], pad[1])))
    cols = _shape.reshape(cols, (n, -1, ksize[0], ksize[1], c))
    blocks = cols.shape[1]
    return _shape.reshape(_shape.transpose(cols, (0, 4, 2, 3, 1)), (n, c * ksize[0] * ksize[1], blocks))


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: (N, C kh kw, L) columns summed back into an (N, C, oH, oW) image."""
    x = to_tensor(x)
    if x.ndim != 3:
        raise ValueError(f"fold: expects a 3-D (N, C*kh*kw, L) input. Received: x.shape={tuple(x.shape)}")
    out_hw = _geometry2(output_size, "output_size")
    ksize = _geometry2(kernel_size, "kernel_size")
    dil, pad, strides = _geometry2(dilation, "dilation"), _geometry2(padding, "padding"), _geometry2(stride, "stride")
    n, depth, blocks = x.shape
    c = depth // (ksize[0] * ksize[1])
    cols = _shape.transpose(_shape.reshape(x, (n, c, ksize[0], ksize[1], blocks)), (0, 4, 2, 3, 1))
    cols = _shape.reshape(cols, (n * blocks, ksize[0] * ksize[1] * c))
    image = _conv.patches_adjoint(cols, (n, out_hw[0], out_hw[1], c), ksize, strides, dil,
                                  ((pad[0], pad[0]), (pad[1], pad[1])))
    return _shape.transpose(image, (0, 3, 1, 2))


__getattr__ = unimplemented(__name__, _names.PROVIDERS["nn"])
