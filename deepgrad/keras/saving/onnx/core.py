"""Dense, Embedding, BatchNormalization, reshaping, merging, and the layers that are identities at
inference -> ONNX ops."""
from ....backend import xp
from ...layers.core import Dense, Identity
from ...layers.embedding import Embedding
from ...layers.merging import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract
from ...layers.normalization import BatchNormalization
from ...layers.preprocessing import Rescaling
from ...layers.regularization import (ActivityRegularization, Dropout, GaussianDropout, GaussianNoise,
                                      SpatialDropout1D, SpatialDropout2D)
from ...layers.reshaping import Flatten, Permute, Reshape
from .activations import activate
from .graph import Value, channels_first_axis, to_channels_last

INT64 = 7  # onnx.TensorProto.INT64, the `to` of a Cast


def identity(b, layer, inputs, outputs):
    """Dropout, SpatialDropout1D/2D, GaussianNoise, GaussianDropout, ActivityRegularization,
    Identity: the identity at inference, no node (the output is the input's tensor)."""
    return [inputs[0]]


def dense(b, layer, inputs, outputs):
    """Dense -> MatMul(x, kernel (in, units)), Add(bias), the activation; Keras' layout, any rank >= 2."""
    y = b.op("MatMul", [b.keras(inputs[0]), b.weight(layer, "kernel", layer.kernel.data)])
    if layer.bias is not None:
        y = b.op("Add", [y, b.weight(layer, "bias", layer.bias.data)])
    return [activate(b, layer, layer.activation, Value.of(outputs[0], y))]


def embedding(b, layer, inputs, outputs):
    """Embedding -> Gather(embeddings (input_dim, output_dim), ids); ids other than int32/int64
    are Cast to int64 first (float ids truncate, as deepgrad's Embedding casts them).

    mask_zero=True raises NotImplementedError: the layers after it would skip the
    padded steps, which this export does not express.
    """
    if layer.mask_zero:
        raise NotImplementedError(
            f"deepgrad does not implement ONNX export of masks: layer '{layer.name}' (Embedding) has "
            "mask_zero=True, and the layers after it skip the padded steps. Export a model whose "
            "Embedding has mask_zero=False"
        )
    ids = b.keras(inputs[0])
    if inputs[0].dtype not in (xp.dtype("int32"), xp.dtype("int64")):
        ids = b.op("Cast", [ids], to=INT64)
    table = b.weight(layer, "embeddings", layer.embeddings.data)
    return [Value.of(outputs[0], b.op("Gather", [table, ids], axis=0))]


def batch_norm(b, layer, inputs, outputs):
    """BatchNormalization (inference, the moving statistics) -> Mul(scale), Add(shift), per channel:
    scale = gamma / sqrt(moving_variance + epsilon), shift = beta - moving_mean * scale, computed as
    deepgrad does; in the input's layout (channels-first after a convolution)."""
    x = inputs[0]
    axis = layer.axis % x.rank
    channels_first = x.channels_first and axis == x.rank - 1
    scale = 1 / xp.sqrt(layer.moving_variance.data + layer.epsilon)
    if layer.gamma is not None:
        scale = scale * layer.gamma.data
    shift = -layer.moving_mean.data * scale
    if layer.beta is not None:
        shift = shift + layer.beta.data
    shape = [1] * x.rank
    shape[channels_first_axis(axis, x.rank) if channels_first else axis] = scale.size
    y = b.op("Mul", [b.layout(x, channels_first), b.weight(layer, "scale", scale.reshape(shape))])
    y = b.op("Add", [y, b.weight(layer, "shift", shift.reshape(shape))])
    return [Value.of(outputs[0], y, channels_first)]


def rescaling(b, layer, inputs, outputs):
    """Rescaling -> Mul(scale), Add(offset) (no Add for a zero offset); in the input's layout when
    both are scalars, else in Keras' layout (they broadcast over the last axes)."""
    scale, offset = xp.asarray(layer.scale), xp.asarray(layer.offset)
    x = inputs[0]
    channels_first = x.channels_first and scale.ndim == offset.ndim == 0
    y = b.op("Mul", [b.layout(x, channels_first), b.weight(layer, "scale", scale)])
    if xp.any(offset):
        y = b.op("Add", [y, b.weight(layer, "offset", offset)])
    return [Value.of(outputs[0], y, channels_first)]


def flatten(b, layer, inputs, outputs):
    """Flatten -> Flatten(axis=1) of the input in Keras' layout (an NHWC convolution output is
    transposed back first, so the order is Keras'); with data_format='channels_first' the
    input's axis 1 is moved last first (Transpose), as Keras does."""
    x = b.keras(inputs[0])
    if layer.data_format == "channels_first" and inputs[0].rank > 2:
        x = b.op("Transpose", [x], perm=to_channels_last(inputs[0].rank))
    return [Value.of(outputs[0], b.op("Flatten", [x], axis=1))]


def reshape(b, layer, inputs, outputs):
    """Reshape(target_shape) -> Reshape(x, [0, *target_shape]) in Keras' layout (0 keeps the batch size)."""
    shape = b.ints((0,) + tuple(layer.target_shape))
    return [Value.of(outputs[0], b.op("Reshape", [b.keras(inputs[0]), shape]))]


def permute(b, layer, inputs, outputs):
    """Permute(dims) -> Transpose(perm=(0, *dims)) in Keras' layout."""
    return [Value.of(outputs[0], b.op("Transpose", [b.keras(inputs[0])], perm=(0,) + tuple(layer.dims)))]


def _aligned(b, inputs):
    """The inputs' names in one layout, and whether it is channels-first (when every input of a
    common rank >= 3 is); a lower-rank input gets size-1 axes after its batch axis (Unsqueeze)."""
    rank = max(v.rank for v in inputs)
    channels_first = all(v.rank == rank and v.channels_first for v in inputs)
    names = []
    for v in inputs:
        name = b.layout(v, channels_first)
        if v.rank < rank:
            name = b.unsqueeze(name, range(1, 1 + rank - v.rank))
        names.append(name)
    return names, channels_first


_MERGE_OPS = {Add: "Sum", Average: "Mean", Maximum: "Max", Minimum: "Min", Subtract: "Sub", Multiply: "Mul"}


def merge(b, layer, inputs, outputs):
    """Add -> Sum, Average -> Mean, Maximum -> Max, Minimum -> Min (variadic), Subtract -> Sub,
    Multiply -> a chain of Mul; in channels-first layout when every input has it."""
    names, channels_first = _aligned(b, inputs)
    op_type = _MERGE_OPS[type(layer)]
    if op_type in ("Sub", "Mul"):
        y = names[0]
        for name in names[1:]:
            y = b.op(op_type, [y, name])
    else:
        y = b.op(op_type, names)
    return [Value.of(outputs[0], y, channels_first)]


def concatenate(b, layer, inputs, outputs):
    """Concatenate(axis) -> Concat(axis), in channels-first layout (axis mapped) when every input has it."""
    names, channels_first = _aligned(b, inputs)
    rank = inputs[0].rank
    axis = channels_first_axis(layer.axis, rank) if channels_first else layer.axis % rank
    return [Value.of(outputs[0], b.op("Concat", names, axis=axis), channels_first)]


CONVERTERS = {
    Dropout: identity, SpatialDropout1D: identity, SpatialDropout2D: identity, GaussianNoise: identity,
    GaussianDropout: identity, ActivityRegularization: identity, Identity: identity,
    Dense: dense,
    Embedding: embedding,
    BatchNormalization: batch_norm,
    Rescaling: rescaling,
    Flatten: flatten,
    Reshape: reshape,
    Permute: permute,
    Add: merge, Average: merge, Maximum: merge, Minimum: merge, Subtract: merge, Multiply: merge,
    Concatenate: concatenate,
}
