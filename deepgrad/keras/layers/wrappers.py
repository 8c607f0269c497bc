"""Layers that wrap another layer: Wrapper and TimeDistributed.

`clone_layer` makes a fresh copy of a layer from its config (as Keras' Bidirectional
makes its forward and backward layers).
"""
from ... import ops
from ...backend import xp
from ...tensor import Tensor
from ..saving.serialization_lib import deserialize_layer, serialize_layer
from .input_spec import check_input_spec
from .layer import Layer, _call_accepts


def clone_layer(layer, **overrides):
    """A new, unbuilt layer with `layer`'s config, some entries replaced (as Keras' Bidirectional makes them)."""
    config = serialize_layer(layer)
    config["config"].update(overrides)
    classes = {type(sub).__name__: type(sub) for sub in layer._flatten_layers()}
    return deserialize_layer(config, custom_objects=classes)


class Wrapper(Layer):
    """Base of the layers that hold one other layer and apply it in some way.

    Args:
        layer: the wrapped layer instance.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure "
                "wrapped layer is a valid Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        self.layer._maybe_build(input_shape)
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Applies a layer to every temporal slice of its input.

    The time axis (axis 1) is folded into the batch: the wrapped layer runs once
    on (batch * timesteps, ...) and the result is unfolded to (batch, timesteps, ...).
    A mask (batch, timesteps) is passed to the wrapped layer folded the same way
    (when its call takes one), and passes through to the output.

    Args:
        layer: the layer to apply at every step, e.g. Dense(8) or Conv2D(16, 3).

    Input shape: (batch, timesteps, ...), at least 3-D.
    Output shape: (batch, timesteps, ...) with the wrapped layer's output shape after the time axis.

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(10, 128))
        >>> TimeDistributed(Dense(8))(x).shape
        (None, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _get_child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                f'Layer "{self.name}" (TimeDistributed) should be passed an `input_shape` with at '
                f"least 3 dimensions (batch, timesteps, ...), received: {input_shape}"
            )
        return (input_shape[0], *input_shape[2:])

    def compute_output_shape(self, input_shape):
        child_output_shape = self.layer.compute_output_shape(self._get_child_input_shape(input_shape))
        return (child_output_shape[0], input_shape[1], *child_output_shape[1:])

    def build(self, input_shape):
        super().build(self._get_child_input_shape(input_shape))

    def call(self, inputs, training=None, mask=None):
        self._get_child_input_shape(inputs.shape)
        batch, steps = inputs.shape[:2]
        kwargs = {}
        if mask is not None:
            mask = mask.data if isinstance(mask, Tensor) else xp.asarray(mask)
            if mask.ndim < 2 or tuple(mask.shape[:2]) != (batch, steps):
                raise ValueError(
                    f"The `mask` passed to the `TimeDistributed` layer has a shape {tuple(mask.shape)} "
                    f"that is incompatible with the input shape {inputs.shape}. The first two dimensions "
                    "of the mask (batch size and timesteps) must match the input's first two dimensions. "
                    f"Expected mask shape prefix: ({batch}, {steps})."
                )
            if _call_accepts(type(self.layer), "mask"):
                kwargs["mask"] = mask.reshape((batch * steps,) + mask.shape[2:])
        if training is not None and _call_accepts(type(self.layer), "training"):
            kwargs["training"] = training
        folded = ops.reshape(inputs, (batch * steps,) + inputs.shape[2:])
        if self.layer.input_spec is not None:
            check_input_spec(self.layer, folded)
        outputs = self.layer.call(folded, **kwargs)
        return ops.reshape(outputs, (batch, steps) + outputs.shape[1:])
