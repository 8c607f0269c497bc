"""Sequential: a plain stack of layers, each feeding the next."""
from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor
from ..layers.layer import Layer
from ..registry import LAYERS
from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from .model import Model


class Sequential(Model):
    """A linear stack of layers.

    `Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation='relu'), Dense(10)])`
    or `model = Sequential(); model.add(...)`. When the first layer states its
    input shape (input_shape=, or an Input), the weights are created at once and
    summary() works before training; so they are when the first layer is a built
    functional model (Model(inputs, outputs) or a built Sequential) followed by more
    layers. Otherwise (also after layers that were only called before, as in Keras
    3.15) the model is built on the first call.
    """

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stack = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._build_if_shape_known()

    def add(self, layer, rebuild=True):
        """Append a layer (or an Input tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a layer instance (e.g. Dense(10)). Received: {layer!r} "
                f"of type {type(layer).__name__}"
            )
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("Sequential: an Input must come first and only once")
            self._input_layer = layer
        else:
            if self._input_layer is None and not self._stack and layer._batch_input_shape is not None:
                self._input_layer = InputLayer(batch_shape=layer._batch_input_shape)
            self._stack.append(layer)
            if layer not in self._layers:
                self._layers.append(layer)
        if rebuild:
            self._build_if_shape_known()

    def pop(self):
        """Remove the last layer."""
        layer = self._stack.pop()
        self._layers.remove(layer)
        self.built = False
        self._build_if_shape_known()
        return layer

    @property
    def layers(self):
        return list(self._stack)

    def _build_if_shape_known(self):
        """Build now when the input shape is known, as Keras 3's Sequential does: from an Input
        (or a first layer's input_shape=), or from a first layer that is itself a built
        functional model (a Model(inputs, outputs) or a built Sequential) with one input and
        more layers after it. Layers that were merely called before (or built) do not make the
        stack built: Keras 3.15 leaves such a model unbuilt too."""
        if self._input_layer is not None and self._stack:
            self._build_graph(self._input_layer.output)
            return
        shape = self._first_model_input_shape()
        if shape is not None:
            self.build(shape)

    def _first_model_input_shape(self):
        first = self._stack[0] if len(self._stack) > 1 else None
        if not isinstance(first, Model) or not first._functional or len(first.inputs) != 1:
            return None
        return tuple(first.inputs[0].shape)

    def _build_graph(self, x):
        """Trace the stack symbolically: creates the weights and the functional graph."""
        inputs = x
        for layer in self._stack:
            x = layer(x)
        self._init_graph(inputs, x)
        self._functional = True

    def build(self, input_shape=None):
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("Sequential.build needs input_shape when no layer states one")
            input_shape = self._input_layer.batch_shape
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=tuple(input_shape))
        self._build_graph(self._input_layer.output)

    def call(self, inputs, training=None):
        if self._functional:
            return Model.call(self, inputs, training=training)
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training)
        return x

    def __call__(self, inputs, *args, **kwargs):
        if not self._functional and not isinstance(inputs, KerasTensor) and self._stack:
            first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
            shape = (None,) + tuple(getattr(first, "shape", ()))[1:]
            self.build(shape)
        return Model.__call__(self, inputs, *args, **kwargs)

    def get_config(self):
        """Keras 3's Sequential config: the Input layer (when there is one) and every layer, serialized."""
        stack = ([self._input_layer] if self._input_layer is not None else []) + self._stack
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype,
                  "layers": [serialize_keras_object(layer) for layer in stack]}
        if self._input_layer is not None and self._functional:
            config["build_input_shape"] = self._input_layer.batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A Sequential from Keras 3's config, or Keras 2's (a dict or a bare list of layer configs)."""
        if isinstance(config, list):
            config = {"layers": config}
        config = dict(config)
        layer_configs = config.pop("layers")
        build_input_shape = config.pop("build_input_shape", None)
        model = cls(**config)
        for entry in layer_configs:
            model.add(deserialize_keras_object(entry, custom_objects, kind="layer"))
        if not model._functional and isinstance(build_input_shape, (list, tuple)):
            model.build(tuple(build_input_shape))
        return model


LAYERS.add("Sequential", Sequential)
