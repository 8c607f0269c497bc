"""Activation functions and activation layers -> ONNX ops.

Elementwise activations act on a value in whichever layout it already has (a
Conv2D's relu stays channels-first); softmax and log_softmax normalise over an
axis, read in Keras' layout (or the Softmax layer's axis mapped to the layout).
"""
from ....ops.elementwise import SELU_ALPHA, SELU_SCALE
from ... import activations
from ...layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from ...layers.core import Activation
from .graph import Value, channels_first_axis


def _unary(op_type, **attributes):
    return lambda b, x: b.op(op_type, [x], **attributes)


def _gelu(b, x):
    """x / 2 (1 + erf(x / sqrt 2)): Keras' exact gelu (Gelu is an op from opset 20 only)."""
    erf = b.op("Erf", [b.op("Mul", [x, b.scalar(2 ** -0.5)])])
    return b.op("Mul", [b.op("Mul", [x, b.scalar(0.5)]), b.op("Add", [erf, b.scalar(1.0)])])


def _times(gate):
    """x * gate(x): silu (gate sigmoid), hard_silu (hard_sigmoid), mish (tanh(softplus))."""
    return lambda b, x: b.op("Mul", [x, gate(b, x)])


_HARD_SIGMOID = _unary("HardSigmoid", alpha=1 / 6, beta=0.5)

# activation function -> (emit(builder, name) -> name, elementwise)
ACTIVATIONS = {
    activations.relu: (_unary("Relu"), True),
    activations.relu6: (lambda b, x: b.op("Clip", [x, b.scalar(0.0), b.scalar(6.0)]), True),
    activations.leaky_relu: (_unary("LeakyRelu", alpha=0.2), True),
    activations.elu: (_unary("Elu", alpha=1.0), True),
    activations.selu: (_unary("Selu", alpha=SELU_ALPHA, gamma=SELU_SCALE), True),
    activations.gelu: (_gelu, True),
    activations.sigmoid: (_unary("Sigmoid"), True),
    activations.hard_sigmoid: (_HARD_SIGMOID, True),
    activations.hard_silu: (_times(_HARD_SIGMOID), True),
    activations.silu: (_times(_unary("Sigmoid")), True),
    activations.mish: (_times(lambda b, x: b.op("Tanh", [b.op("Softplus", [x])])), True),
    activations.tanh: (_unary("Tanh"), True),
    activations.softplus: (_unary("Softplus"), True),
    activations.softsign: (_unary("Softsign"), True),
    activations.exponential: (_unary("Exp"), True),
    activations.softmax: (_unary("Softmax", axis=-1), False),
    activations.log_softmax: (_unary("LogSoftmax", axis=-1), False),
}


def activate(b, layer, fn, value):
    """`value` through `layer`'s activation function `fn`: a new Value (`value` itself for linear).

    Raises NotImplementedError naming the layer for a function outside ACTIVATIONS
    (a custom callable, or a built-in not listed there).
    """
    if fn is activations.linear:
        return value
    if fn not in ACTIVATIONS:
        raise NotImplementedError(
            f"deepgrad does not implement ONNX export of the activation "
            f"{getattr(fn, '__name__', repr(fn))!r} of layer '{layer.name}' ({type(layer).__name__}); "
            f"it exports {', '.join(sorted(f.__name__ for f in ACTIVATIONS))} and linear"
        )
    emit, elementwise = ACTIVATIONS[fn]
    channels_first = elementwise and value.channels_first
    return Value(value.shape, value.dtype, emit(b, b.layout(value, channels_first)), channels_first)


def _keep_layout(b, value, outputs, emit):
    """emit(builder, name) on `value` in the layout it has: the Value of the layer's output."""
    channels_first = value.channels_first
    return [Value.of(outputs[0], emit(b, b.layout(value, channels_first)), channels_first)]


def activation(b, layer, inputs, outputs):
    """Activation(fn) -> fn's ops (see ACTIVATIONS)."""
    return [activate(b, layer, layer.activation, inputs[0])]


def relu(b, layer, inputs, outputs):
    """ReLU -> Relu; LeakyRelu with negative_slope; with max_value or threshold:
    Where(x > threshold, x, 0) (or Relu), Clip(0, max_value), minus negative_slope * Relu(threshold - x)."""
    slope, top, threshold = float(layer.negative_slope), layer.max_value, float(layer.threshold)

    def emit(b, x):
        if top is None and threshold == 0:
            return b.op("LeakyRelu", [x], alpha=slope) if slope else b.op("Relu", [x])
        if threshold == 0:
            y = b.op("Relu", [x])
        else:
            above = b.op("Greater", [x, b.scalar(threshold)])
            y = b.op("Where", [above, x, b.scalar(0.0)])
        if top is not None:
            y = b.op("Clip", [y, b.scalar(0.0), b.scalar(top)])
        if slope:
            below = b.op("Relu", [b.op("Sub", [b.scalar(threshold), x])])
            y = b.op("Sub", [y, b.op("Mul", [below, b.scalar(slope)])])
        return y

    return _keep_layout(b, inputs[0], outputs, emit)


def leaky_relu(b, layer, inputs, outputs):
    """LeakyReLU -> LeakyRelu(alpha=negative_slope)."""
    return _keep_layout(b, inputs[0], outputs, _unary("LeakyRelu", alpha=float(layer.negative_slope)))


def elu(b, layer, inputs, outputs):
    """ELU -> Elu(alpha)."""
    return _keep_layout(b, inputs[0], outputs, _unary("Elu", alpha=float(layer.alpha)))


def prelu(b, layer, inputs, outputs):
    """PReLU -> PRelu(x, alpha), alpha (input shape without the batch axis) in Keras' layout."""
    slope = b.weight(layer, "alpha", layer.alpha.data)
    return [Value.of(outputs[0], b.op("PRelu", [b.keras(inputs[0]), slope]))]


def softmax(b, layer, inputs, outputs):
    """Softmax(axis) -> Softmax over that axis, in the layout the input has (one axis only)."""
    axes = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    if len(axes) != 1:
        raise NotImplementedError(
            f"deepgrad does not implement ONNX export of layer '{layer.name}' (Softmax) over several "
            f"axes. Received: axis={layer.axis}"
        )
    value = inputs[0]
    axis = channels_first_axis(axes[0], value.rank) if value.channels_first else axes[0]
    return _keep_layout(b, value, outputs, _unary("Softmax", axis=axis))


CONVERTERS = {
    Activation: activation,
    ReLU: relu,
    LeakyReLU: leaky_relu,
    ELU: elu,
    PReLU: prelu,
    Softmax: softmax,
}
