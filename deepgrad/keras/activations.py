"""Activation functions (keras.activations), built on deepgrad's differentiable ops.

Each function takes a tensor (or array-like) and returns a tensor of the same
shape, with the formula and the constants of Keras 3. `get(identifier)` turns a
name ('relu'), None (-> linear) or a callable into the function, through the
shared registry; `serialize(fn)` gives back the name.

softmax and sigmoid remember their input (the logits) beside their output, as
TensorFlow-Keras does with `output._keras_logits`: a crossentropy loss given
that output with from_logits=False then computes from the logits instead of the
clipped probabilities (exact, and its gradient does not vanish when a
probability saturates), and one given it with from_logits=True warns.
"""

from .. import ops
from ..ops import nn
from ..ops.table import fused_activation
from ..tensor import as_tensor
from .registry import Registry
from ..missing import not_implemented

ACTIVATIONS = Registry("activation")

def _remember_logits(output, logits, kind):
    output._keras_logits = (kind, logits)
    return output


def logits_of(output, kind):
    """The logits `output` was computed from by softmax ('softmax') or sigmoid ('sigmoid'), or None."""
    entry = getattr(output, "_keras_logits", None)
    if entry is None or entry[0] != kind:
        return None
    return entry[1]


def _tensor(x):
    """`x` as a tensor; integer inputs become float32 as in Keras."""
    x = as_tensor(x)
    if x.data.dtype.kind != "f":
        x = ops.cast(x, "float32")
    return x


@ACTIVATIONS.register("linear")
def linear(x):
    """y = x (no activation)."""
    return x


@ACTIVATIONS.register("relu")
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras' options.

    Default: y = max(x, 0). With `threshold` t: y = x where x > t, else 0;
    `max_value` clips from above; `negative_slope` a adds a leak below the
    threshold: y -= a * relu(t - x).

    Example: relu([-10, -5, 0, 5, 10], negative_slope=0.5) -> [-5, -2.5, 0, 5, 10].
    """
    x = _tensor(x)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    negative_part = None
    if negative_slope != 0:
        negative_part = ops.relu(threshold - x) if threshold != 0 else ops.relu(-x)
    if threshold != 0:
        y = ops.where(x.data > threshold, x, 0.0)
    else:
        y = ops.relu(x)
    if max_value is not None:
        y = ops.clip(y, 0.0, float(max_value))
    if negative_part is not None:
        y = y - negative_slope * negative_part
    return y


@ACTIVATIONS.register("relu6")
def relu6(x):
    """y = min(max(x, 0), 6)."""
    return ops.clip(_tensor(x), 0.0, 6.0)


@ACTIVATIONS.register("leaky_relu")
def leaky_relu(x, negative_slope=0.2):
    """y = x if x > 0 else negative_slope * x."""
    return ops.leaky_relu(_tensor(x), negative_slope=negative_slope)


@ACTIVATIONS.register("elu")
def elu(x, alpha=1.0):
    """y = x if x > 0 else alpha * (e^x - 1)."""
    return ops.elu(_tensor(x), alpha=alpha)


@ACTIVATIONS.register("selu")
def selu(x):
    """y = scale * elu(x, alpha), alpha = 1.67326324, scale = 1.05070098 (Klambauer et al.)."""
    return ops.selu(_tensor(x))


@ACTIVATIONS.register("celu")
def celu(x, alpha=1.0):
    """y = x if x >= 0 else alpha * (e^(x / alpha) - 1)."""
    x = _tensor(x)
    return ops.where(x.data >= 0, x, alpha * ops.elu(x / alpha, alpha=1.0))


@ACTIVATIONS.register("gelu")
def gelu(x, approximate=False):
    """y = x * P(X <= x), X ~ N(0, 1); the tanh approximation when `approximate`."""
    return ops.gelu(_tensor(x), approximate=approximate)


@ACTIVATIONS.register("sigmoid")
def sigmoid(x):
    """y = 1 / (1 + e^-x); the output remembers x as its logits."""
    x = _tensor(x)
    return _remember_logits(ops.sigmoid(x), x, "sigmoid")


@ACTIVATIONS.register("hard_sigmoid")
def hard_sigmoid(x):
    """y = relu6(x + 3) / 6: 0 below -3, 1 above 3, x / 6 + 1/2 between (Keras 3's formula)."""
    return ops.clip(_tensor(x) + 3.0, 0.0, 6.0) / 6.0


@ACTIVATIONS.register("hard_silu", "hard_swish")
def hard_silu(x):
    """y = x * hard_sigmoid(x)."""
    x = _tensor(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


@ACTIVATIONS.register("sparse_sigmoid")
def sparse_sigmoid(x):
    """y = 0 for x <= -1, (x + 1) / 2 between, 1 for x >= 1."""
    return ops.clip((_tensor(x) + 1.0) * 0.5, 0.0, 1.0)


@ACTIVATIONS.register("log_sigmoid")
def log_sigmoid(x):
    """y = log(sigmoid(x)) = -softplus(-x), finite for any x."""
    return -ops.softplus(-_tensor(x))


@ACTIVATIONS.register("tanh")
def tanh(x):
    """y = tanh(x)."""
    return ops.tanh(_tensor(x))


@ACTIVATIONS.register("hard_tanh")
def hard_tanh(x):
    """y = clip(x, -1, 1)."""
    return ops.clip(_tensor(x), -1.0, 1.0)


@ACTIVATIONS.register("tanh_shrink")
def tanh_shrink(x):
    """y = x - tanh(x)."""
    x = _tensor(x)
    return x - ops.tanh(x)


@ACTIVATIONS.register("soft_shrink")
def soft_shrink(x, threshold=0.5):
    """y = x - t for x > t, x + t for x < -t, 0 between."""
    x = _tensor(x)
    shrunk = ops.where(x.data > threshold, x - threshold, x + threshold)
    return ops.where(ops.abs(x).data > threshold, shrunk, 0.0)


@ACTIVATIONS.register("hard_shrink")
def hard_shrink(x, threshold=0.5):
    """y = x where |x| > threshold, else 0."""
    x = _tensor(x)
    return ops.where(ops.abs(x).data > threshold, x, 0.0)


@ACTIVATIONS.register("threshold")
def threshold(x, threshold, default_value):
    """y = x where x > threshold, else default_value."""
    x = _tensor(x)
    return ops.where(x.data > threshold, x, float(default_value))


@ACTIVATIONS.register("softmax")
def softmax(x, axis=-1):
    """y = exp(x) / sum(exp(x)) along `axis`; the output remembers x as its logits."""
    x = _tensor(x)
    return _remember_logits(nn.softmax(x, axis=axis), x, "softmax")


@ACTIVATIONS.register("log_softmax")
def log_softmax(x, axis=-1):
    """y = x - log(sum(exp(x))) along `axis`, computed stably."""
    return nn.log_softmax(_tensor(x), axis=axis)


@ACTIVATIONS.register("softplus")
def softplus(x):
    """y = log(1 + e^x), finite for any x."""
    return ops.softplus(_tensor(x))


@ACTIVATIONS.register("softsign")
def softsign(x):
    """y = x / (|x| + 1)."""
    x = _tensor(x)
    return x / (ops.abs(x) + 1.0)


@ACTIVATIONS.register("squareplus")
def squareplus(x, b=4):
    """y = (x + sqrt(x^2 + b)) / 2."""
    x = _tensor(x)
    return (x + ops.sqrt(ops.square(x) + float(b))) * 0.5


@ACTIVATIONS.register("sparse_plus")
def sparse_plus(x):
    """y = 0 for x <= -1, (x + 1)^2 / 4 between, x for x >= 1."""
    x = _tensor(x)
    middle = ops.square(x + 1.0) * 0.25
    return ops.where(x.data <= -1, 0.0, ops.where(x.data >= 1, x, middle))


@ACTIVATIONS.register("silu", "swish")
def silu(x):
    """y = x * sigmoid(x) (also called swish)."""
    return ops.swish(_tensor(x))


swish = silu


@ACTIVATIONS.register("mish")
def mish(x):
    """y = x * tanh(softplus(x))."""
    x = _tensor(x)
    return x * ops.tanh(ops.softplus(x))


@ACTIVATIONS.register("exponential")
def exponential(x):
    """y = e^x."""
    return ops.exp(_tensor(x))


@ACTIVATIONS.register("glu")
def glu(x, axis=-1):
    """y = a * sigmoid(b), with x split into halves a and b along `axis`."""
    x = _tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: axis {axis} must have an even size to split in two. Received: x.shape={x.shape}"
        )
    a, b = ops.split(x, 2, axis=axis)
    return a * ops.sigmoid(b)


def get(identifier):
    """The activation function for a name, None (-> linear), a serialized dict, or a callable.

    Raises ValueError listing the valid names for an unknown name.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        identifier = identifier.get("config", identifier.get("class_name"))
    if isinstance(identifier, str):
        return ACTIVATIONS.get(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. "
        f"Expected a name ({', '.join(ACTIVATIONS.names())}), None or a callable."
    )


def serialize(activation):
    """The registered name of a built-in activation function (Keras' serialize)."""
    name = getattr(activation, "__name__", None)
    if name in ACTIVATIONS and ACTIVATIONS.get(name) is activation:
        return name
    raise ValueError(
        f"Unknown activation function '{activation}' cannot be serialized: it is not one of "
        f"the built-in activations ({', '.join(ACTIVATIONS.names())})."
    )


def fused_name(activation, fused_op):
    """The name of the built-in `activation` when the fused op `fused_op` (e.g. 'dense_bias_act')
    applies it itself, as the op table says (ops.table.fused_activation); None when it cannot."""
    name = getattr(activation, "__name__", None)
    if name not in ACTIVATIONS or ACTIVATIONS.get(name) is not activation:
        return None
    return fused_activation(fused_op, name)


def deserialize(config):
    """The activation function for a name or a serialized dict."""
    return get(config)



__getattr__ = not_implemented("keras.activations")
