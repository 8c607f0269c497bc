"""Convolution and pooling layers -> ONNX Conv, MaxPool, AveragePool, ReduceMean, ReduceMax.

ONNX's Conv and pooling ops read channels-first tensors (N, C, L) or
(N, C, H, W): the input is taken in that layout (one Transpose from Keras'
channels-last, none after another convolution or pooling) and the output stays
in it. Kernels go from Keras' (*kernel_size, C / groups, F) to ONNX's
(F, C / groups, *kernel_size). Padding is explicit, as TensorFlow pads: 'same'
pads (output - 1) * stride + window - size cells in all, the odd one after;
Conv1D's 'causal' pads window - 1 cells before.
"""
from ...layers.convolutional import Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D
from ...layers.pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D,
                               GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                               MaxPooling1D, MaxPooling2D)
from .activations import activate
from .graph import Value


def _pads(layer, value, windows, strides):
    """ONNX `pads` (all begins, then all ends) for `layer.padding` over the spatial axes of `value`."""
    begins, ends = [], []
    for axis, (size, window, stride) in enumerate(zip(value.shape[1:-1], windows, strides)):
        if layer.padding == "valid":
            total, before = 0, 0
        elif layer.padding == "causal":
            total, before = window - 1, window - 1
        else:
            if stride == 1:
                total = window - 1
            elif size is None:
                raise ValueError(
                    f"ONNX export of layer '{layer.name}' ({type(layer).__name__}): padding='same' with "
                    f"strides={tuple(strides)} needs the size of spatial axis {axis + 1}, which is unknown. "
                    f"Give the model's Input a fixed shape. Received: input shape {value.shape}"
                )
            else:
                total = max((-(-size // stride) - 1) * stride + window - size, 0)
            before = total // 2
        begins.append(before)
        ends.append(total - before)
    return begins + ends


def _conv(b, layer, x, kernel, bias, group, hint="kernel"):
    """Conv of the Value `x` (read channels-first) with an ONNX-layout `kernel` (F, C / group, *k),
    the layer's strides, dilation_rate and padding, and `bias` (or None) as its B input."""
    sizes = kernel.shape[2:]
    windows = [(k - 1) * d + 1 for k, d in zip(sizes, layer.dilation_rate)]
    inputs = [b.layout(x, True), b.weight(layer, hint, kernel)]
    if bias is not None:
        inputs.append(b.weight(layer, "bias", bias))
    return b.op("Conv", inputs, kernel_shape=list(sizes), strides=list(layer.strides),
                dilations=list(layer.dilation_rate), group=group, pads=_pads(layer, x, windows, layer.strides))


def _bias(layer):
    return None if layer.bias is None else layer.bias.data


def conv(b, layer, inputs, outputs):
    """Conv1D / Conv2D -> Conv (kernel (*k, C / groups, F) as (F, C / groups, *k), `group`, the bias
    as its B input), then the activation; channels-first."""
    kernel = layer.kernel.data
    rank = kernel.ndim - 2
    kernel = kernel.transpose((rank + 1, rank) + tuple(range(rank)))
    y = _conv(b, layer, inputs[0], kernel, _bias(layer), layer.groups)
    return [activate(b, layer, layer.activation, Value.of(outputs[0], y, True))]


def _depthwise_kernel(kernel):
    """Keras' depthwise kernel (kh, kw, C, M) as ONNX's (C * M, 1, kh, kw): output channel c * M + m."""
    kh, kw, c, m = kernel.shape
    return kernel.reshape(kh, kw, c * m).transpose(2, 0, 1)[:, None]


def depthwise_conv(b, layer, inputs, outputs):
    """DepthwiseConv2D -> Conv with group = C (kernel (kh, kw, C, M) as (C * M, 1, kh, kw)), then
    the activation; channels-first."""
    kernel = layer.kernel.data
    y = _conv(b, layer, inputs[0], _depthwise_kernel(kernel), _bias(layer), kernel.shape[2])
    return [activate(b, layer, layer.activation, Value.of(outputs[0], y, True))]


def separable_conv(b, layer, inputs, outputs):
    """SeparableConv2D -> the depthwise Conv (group = C, no bias), a 1x1 Conv with the pointwise
    kernel (1, 1, C * M, F) as (F, C * M, 1, 1) and the bias, then the activation; channels-first."""
    depthwise = layer.depthwise_kernel.data
    y = _conv(b, layer, inputs[0], _depthwise_kernel(depthwise), None, depthwise.shape[2], "depthwise_kernel")
    pointwise = [y, b.weight(layer, "pointwise_kernel", layer.pointwise_kernel.data.transpose(3, 2, 0, 1))]
    if layer.bias is not None:
        pointwise.append(b.weight(layer, "bias", layer.bias.data))
    y = b.op("Conv", pointwise, kernel_shape=[1, 1])
    return [activate(b, layer, layer.activation, Value.of(outputs[0], y, True))]


def pooling(b, layer, inputs, outputs):
    """MaxPooling1D/2D -> MaxPool; AveragePooling1D/2D -> AveragePool with count_include_pad=0
    ('same' windows average their real cells, as Keras); channels-first."""
    x = inputs[0]
    attributes = dict(kernel_shape=list(layer.pool_size), strides=list(layer.strides),
                      pads=_pads(layer, x, layer.pool_size, layer.strides))
    if layer.mode == "max":
        y = b.op("MaxPool", [b.layout(x, True)], **attributes)
    else:
        y = b.op("AveragePool", [b.layout(x, True)], count_include_pad=0, **attributes)
    return [Value.of(outputs[0], y, True)]


_GLOBAL_OPS = {GlobalAveragePooling1D: "ReduceMean", GlobalAveragePooling2D: "ReduceMean",
               GlobalMaxPooling1D: "ReduceMax", GlobalMaxPooling2D: "ReduceMax"}


def global_pooling(b, layer, inputs, outputs):
    """GlobalAveragePooling1D/2D -> ReduceMean, GlobalMaxPooling1D/2D -> ReduceMax over the spatial
    axes, in the input's layout; keepdims keeps them (size 1)."""
    x = inputs[0]
    channels_first = x.channels_first
    axes = range(2, x.rank) if channels_first else range(1, x.rank - 1)
    y = b.reduce(_GLOBAL_OPS[type(layer)], b.layout(x, channels_first), axes, layer.keepdims)
    return [Value.of(outputs[0], y, channels_first and layer.keepdims)]


CONVERTERS = {
    Conv1D: conv, Conv2D: conv,
    DepthwiseConv2D: depthwise_conv,
    SeparableConv2D: separable_conv,
    MaxPooling1D: pooling, MaxPooling2D: pooling, AveragePooling1D: pooling, AveragePooling2D: pooling,
    GlobalAveragePooling1D: global_pooling, GlobalAveragePooling2D: global_pooling,
    GlobalMaxPooling1D: global_pooling, GlobalMaxPooling2D: global_pooling,
}
