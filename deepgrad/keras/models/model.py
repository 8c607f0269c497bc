"""Model: a layer that can be trained. Functional (Model(inputs, outputs)) or subclassed."""
import inspect
import json

from ..layers.keras_tensor import KerasTensor, flatten_structure, map_structure
from ..layers.layer import Layer
from ..registry import LAYERS
from ..saving import formats
from ..saving.serialization_lib import serialize_keras_object
from .functional import functional_config, functional_from_config, graph_layers, graph_nodes, run_graph
from .summary import print_summary
from .trainer import Trainer


class Model(Trainer, Layer):
    """A trainable graph of layers.

    Functional:  `Model(inputs=Input((784,)), outputs=Dense(10)(...))`, inputs and
                 outputs may be single tensors, lists or dicts.
    Subclassed:  define layers in __init__ and the computation in call(inputs, training=None).
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if len(args) > 0 else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        Layer.__init__(self, name=kwargs.pop("name", None), trainable=kwargs.pop("trainable", True),
                       dtype=kwargs.pop("dtype", None), **kwargs)
        Trainer.__init__(self)
        self._functional = inputs is not None
        if self._functional:
            if outputs is None:
                raise ValueError("Model(inputs, outputs): outputs are missing")
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        for t in flatten_structure(inputs) + flatten_structure(outputs):
            if not isinstance(t, KerasTensor):
                raise TypeError(
                    f"Model(inputs, outputs) expects symbolic tensors from keras.Input and layer calls. "
                    f"Received: {t!r}"
                )
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0]
        # Keras flattens a dict by its sorted keys: that order is the layers' and the outputs' order
        inputs, outputs = _sorted_dict(inputs), _sorted_dict(outputs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._flat_inputs = flatten_structure(inputs)
        self._nodes = graph_nodes(inputs, outputs)
        for layer in graph_layers(inputs, outputs):
            if layer not in self._layers:
                self._layers.append(layer)
        self.built = True
        self._build_shape = map_structure(lambda t: t.shape, inputs)

    @property
    def inputs(self):
        return self._flat_inputs if self._functional else None

    @property
    def outputs(self):
        return flatten_structure(self._outputs_struct) if self._functional else None

    @property
    def input(self):
        if self._functional:
            return self._inputs_struct
        return Layer.input.fget(self)

    @property
    def output(self):
        if self._functional:
            return self._outputs_struct
        return Layer.output.fget(self)

    @property
    def output_names(self):
        if self._functional:
            return [t.node.layer.name for t in flatten_structure(self._outputs_struct)]
        return ["output"]

    def call(self, inputs, training=None):
        if not self._functional:
            raise NotImplementedError(
                f"Model '{self.name}' has no call(): subclass Model and define call(inputs, training=None), "
                "or build it as Model(inputs, outputs)"
            )
        return run_graph(self, inputs, training)

    def __call__(self, inputs, *args, **kwargs):
        if self._functional and not any(isinstance(t, KerasTensor) for t in flatten_structure(inputs)):
            return run_graph(self, inputs, kwargs.get("training"))
        return Layer.__call__(self, inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._functional:
            return map_structure(lambda t: t.shape, self._outputs_struct)
        return Layer.compute_output_shape(self, input_shape)

    def build(self, input_shape):
        """For subclassed models: run call once on zeros so every layer creates its weights.

        The shape is kept for get_build_config, so that load_model rebuilds the model
        (and creates its weights) before loading them, as Keras' build config does.
        """
        if not self._functional:
            Layer.compute_output_shape(self, input_shape)
            self._build_shape = input_shape
        self.built = True

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in `layers`."""
        layers = self.layers
        if index is not None:
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in layers]}")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print Keras' table: layer (type), output shape, param #, and the totals."""
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    @property
    def layers(self):
        """The model's layers (a functional model's in Keras' order, its Input layers first)."""
        return [layer for layer in self._layers if not getattr(layer, "_is_operation", False)]

    # ---- files -----------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Write the model (config, weights, optimizer state): '.keras' as Keras 3, '.h5' in Keras' legacy HDF5."""
        formats.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Write every weight to a '.weights.h5' file in Keras 3's layout."""
        formats.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Assign the weights of a '.weights.h5', '.keras' or legacy '.h5' file (Keras' or deepgrad's)."""
        formats.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs):
        """Write the model for serving: format="onnx" writes an ONNX graph (needs the `onnx` package)."""
        if format != "onnx":
            raise NotImplementedError(
                f"deepgrad does not implement Model.export(format={format!r}); it exports format='onnx'"
            )
        from ..saving.onnx_export import export_onnx

        return export_onnx(self, filepath, input_signature=input_signature, verbose=verbose, **kwargs)

    # ---- config ----------------------------------------------------------
    def get_config(self):
        """A functional model's graph (Keras 3's form); a subclassed model's base arguments."""
        if self._functional and functional_like_constructor(type(self)):
            return functional_config(self)
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if all(k in config for k in ("layers", "input_layers", "output_layers")) and functional_like_constructor(cls):
            return functional_from_config(cls, config, custom_objects)
        return cls(**config)

    def get_build_config(self):
        if self._functional:
            return {"input_shape": None}
        return Layer.get_build_config(self)

    def to_json(self, **kwargs):
        """The model's architecture as Keras writes it: {'module', 'class_name', 'config', ...} in JSON."""
        return json.dumps(serialize_keras_object(self), **kwargs)


def _sorted_dict(structure):
    return {k: structure[k] for k in sorted(structure)} if isinstance(structure, dict) else structure


def functional_like_constructor(cls):
    """Whether cls(inputs=..., outputs=..., name=...) builds it (Model itself, or a subclass that passes them on)."""
    if cls.__init__ is Model.__init__:
        return True
    spec = inspect.getfullargspec(cls.__init__)
    return spec.varargs is not None and spec.varkw is not None


LAYERS.add("Model", Model)
LAYERS.add("Functional", Model)
