"""tf.nn: activations, losses on logits, dropout, convolution and pooling, with TensorFlow's names.

Thin wrappers over deepgrad ops: the activations over ops.elementwise, the
fused softmax / cross-entropy / dropout / normalisation over ops.nn, and the
convolution and pooling over ops.conv and ops.pooling (NHWC, TensorFlow's
'SAME' / 'VALID' padding). Keyword names are TensorFlow's (`features`,
`logits`, `labels=`, `logits=`); `name=` is accepted and ignored.

    import deepgrad as tf
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z))
"""
from . import ops
from .backend import xp
from .math import _axis, in_top_k, l2_normalize, log_sigmoid, log_softmax, softmax, softplus, top_k  # noqa: F401
from .tensor import Tensor, as_tensor
from .missing import not_implemented


def _nn():
    from .ops import nn

    return nn


# ----------------------------------------------------------------------------- activations


def relu(features, name=None):
    """max(x, 0)."""
    return ops.relu(features)


def relu6(features, name=None):
    """min(max(x, 0), 6)."""
    return ops.clip(features, 0, 6)


def sigmoid(x, name=None):
    return ops.sigmoid(x)


def tanh(x, name=None):
    return ops.tanh(x)


def leaky_relu(features, alpha=0.2, name=None):
    """x if x > 0 else alpha * x."""
    return ops.leaky_relu(features, alpha)


def elu(features, name=None):
    """x if x > 0 else e^x - 1."""
    return ops.elu(features)


def selu(features, name=None):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return ops.selu(features)


def gelu(features, approximate=False, name=None):
    """x * Phi(x) (the tanh approximation when `approximate`)."""
    return ops.gelu(features, approximate=approximate)


def silu(features, beta=1.0, name=None):
    """x * sigmoid(beta * x) (swish)."""
    if beta == 1.0:
        return ops.swish(features)
    return ops.mul(features, ops.sigmoid(ops.mul(features, beta)))


swish = silu


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, the bias along the last (channel) axis."""
    if data_format not in (None, "NHWC", "NWC", "NDHWC", "N...C"):
        raise ValueError(f"bias_add: only channels-last data is supported. Received: data_format={data_format!r}")
    return ops.add(value, bias)


# ----------------------------------------------------------------------------- losses on logits


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Elementwise -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)), stable for any finite logits."""
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits: pass both labels= and logits=")
    logits = as_tensor(logits)
    labels = labels if isinstance(labels, Tensor) else as_tensor(labels, like=logits)
    if labels.shape != logits.shape:
        raise ValueError(
            "sigmoid_cross_entropy_with_logits: labels and logits must have the same shape. "
            f"Received: labels.shape={labels.shape}, logits.shape={logits.shape}"
        )
    return _nn().binary_cross_entropy_with_logits(logits, labels)


def softmax_cross_entropy_with_logits(labels=None, logits=None, axis=-1, name=None):
    """Per-example -sum(labels * log_softmax(logits)) over `axis`; labels are probabilities
    (one-hot rows) of the logits' shape. For integer class labels use
    sparse_softmax_cross_entropy_with_logits."""
    if labels is None or logits is None:
        raise ValueError("softmax_cross_entropy_with_logits: pass both labels= and logits=")
    logits = as_tensor(logits)
    labels = labels if isinstance(labels, Tensor) else as_tensor(labels, like=logits)
    if labels.shape != logits.shape:
        raise ValueError(
            "softmax_cross_entropy_with_logits: labels must be probabilities of the logits' shape "
            "(for integer class ids use sparse_softmax_cross_entropy_with_logits). "
            f"Received: labels.shape={labels.shape}, logits.shape={logits.shape}"
        )
    return _nn().softmax_cross_entropy(logits, labels, axis=int(axis))


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Per-example -log_softmax(logits)[label] for integer class ids `labels` of shape logits.shape[:-1]."""
    if labels is None or logits is None:
        raise ValueError("sparse_softmax_cross_entropy_with_logits: pass both labels= and logits=")
    logits = as_tensor(logits)
    ids = as_tensor(labels).data
    if ids.dtype.kind not in "iu" or ids.shape != logits.shape[:-1]:
        raise ValueError(
            "sparse_softmax_cross_entropy_with_logits: labels must be integer class ids of shape "
            f"logits.shape[:-1] = {logits.shape[:-1]}. "
            f"Received: labels.shape={ids.shape}, labels.dtype={ids.dtype}, logits.shape={logits.shape}"
        )
    return _nn().softmax_cross_entropy(logits, ids, axis=-1)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(loss * sample_weight) / global_batch_size (the number of examples when None)."""
    loss = as_tensor(per_example_loss)
    if sample_weight is not None:
        loss = ops.mul(loss, sample_weight)
    n = loss.shape[0] if global_batch_size is None and loss.ndim else (global_batch_size or 1)
    return ops.div(ops.sum(loss), float(n))


# ----------------------------------------------------------------------------- dropout, statistics


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zero each element with probability `rate` and scale the rest by 1 / (1 - rate).

    Always active, as tf.nn.dropout. The mask is drawn from the generator that
    tf.random.set_seed seeds (or from one seeded with `seed`).
    """
    if isinstance(rate, Tensor):
        rate = rate.item()
    return _nn().dropout(x, rate, training=True, noise_shape=noise_shape, seed=seed)


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of `x` over `axes`."""
    axes = _axis(axes)
    return ops.mean(x, axes, keepdims), ops.var(x, axes, keepdims)


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) / sqrt(variance + eps) * scale + offset; offset and scale may be None."""
    y = ops.div(ops.sub(x, mean), ops.sqrt(ops.add(variance, variance_epsilon)))
    if scale is not None:
        y = ops.mul(y, scale)
    if offset is not None:
        y = ops.add(y, offset)
    return y


def embedding_lookup(params, ids, max_norm=None, name=None):
    """The rows of `params` at integer `ids` (any shape) -> ids.shape + params.shape[1:]."""
    if max_norm is not None:
        raise ValueError(f"embedding_lookup: max_norm is not supported. Received: max_norm={max_norm}")
    return _nn().embedding(ids, params)


# ----------------------------------------------------------------------------- convolution, pooling


def _spatial(value, name, op):
    """TensorFlow's strides/ksize/dilations for 2-D (an int, [s], [sh, sw] or [1, sh, sw, 1]) as a pair."""
    if value is None:
        return (1, 1)
    if isinstance(value, Tensor):
        value = value.data.tolist()
    if isinstance(value, (int, xp.integer)):
        return (int(value), int(value))
    value = [int(v) for v in value]
    if len(value) == 1:
        return (value[0], value[0])
    if len(value) == 2:
        return tuple(value)
    if len(value) == 4:
        if value[0] != 1 or value[3] != 1:
            raise ValueError(f"{op}: {name} on the batch and channel axes must be 1. Received: {name}={value}")
        return (value[1], value[2])
    raise ValueError(f"{op}: {name} must be an int or a list of 1, 2 or 4 ints. Received: {name}={value}")


def _padding(padding, op):
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"{op}: padding must be 'SAME' or 'VALID'. Received: padding={padding!r}")
    return padding.lower()


def _nhwc(data_format, op):
    if data_format not in (None, "NHWC"):
        raise ValueError(f"{op}: only data_format='NHWC' (channels last) is supported. Received: {data_format!r}")


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D cross-correlation of `input` (N, H, W, C) with `filters` (kh, kw, C, F) -> (N, OH, OW, F)."""
    from .ops import conv

    op = "conv2d"
    _nhwc(data_format, op)
    return conv.conv2d(
        input, filters, _spatial(strides, "strides", op), _padding(padding, op), _spatial(dilations, "dilations", op)
    )


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Max over ksize windows of `input` (N, H, W, C)."""
    from .ops import pooling

    op = "max_pool2d"
    _nhwc(data_format, op)
    pool, strides = _spatial(ksize, "ksize", op), _spatial(strides, "strides", op)
    return pooling.max_pool2d(input, pool, strides, _padding(padding, op))


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """Mean over ksize windows of `input` (N, H, W, C); 'SAME' averages the real cells only."""
    from .ops import pooling

    op = "avg_pool2d"
    _nhwc(data_format, op)
    pool, strides = _spatial(ksize, "ksize", op), _spatial(strides, "strides", op)
    return pooling.avg_pool2d(input, pool, strides, _padding(padding, op))


max_pool = max_pool2d
avg_pool = avg_pool2d


__getattr__ = not_implemented("tf.nn")
