"""keras.models' file functions: load_model for every format, save_model, model_from_json, clone_model.

load_model chooses the reader from the path as Keras 3 does (a '.keras' zip, a legacy
'.h5'/'.hdf5' file); the readers (saving/) rebuild the model through the registry only,
so nothing named in a file is imported or run (a Lambda's bytecode loads only with
safe_mode=False).
"""
import json
import os
import zipfile

from ..layers.input_layer import Input, InputLayer
from ..layers.keras_tensor import KerasTensor, flatten_structure, map_structure
from ..registry import CustomObjectScope, SafeModeScope
from ..saving import formats, keras_file, legacy_h5
from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved in `filepath` ('.keras' or legacy '.h5'), with its weights.

    Args:
        filepath: a '.keras' file (Keras 3's or deepgrad's) or a legacy '.h5'/'.hdf5' file
            (Keras 3's or tf.keras 2's).
        custom_objects: name -> class or function, for the custom objects the file names.
        compile: restore the compile configuration and the optimizer's state.
        safe_mode: False allows a Lambda layer's Python bytecode to load (it can run any code).
    """
    name = str(filepath)
    exists = os.path.exists(filepath)
    if name.endswith(".keras") and exists and zipfile.is_zipfile(filepath):
        return keras_file.load_model(filepath, custom_objects, compile, safe_mode)
    if name.endswith((".h5", ".hdf5")):
        if not exists:
            raise ValueError(f"File not found: filepath={filepath}.")
        return legacy_h5.load_model(filepath, custom_objects, compile, safe_mode)
    if name.endswith(".keras"):
        if exists:
            raise ValueError(f"{os.fspath(filepath)} is not a valid .keras file: it is not a zip archive")
        raise ValueError(
            f"File not found: filepath={filepath}. Please ensure the file is an accessible `.keras` zip file."
        )
    raise ValueError(
        f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` files, "
        "legacy H5 format files (`.h5` extension). Note that the legacy SavedModel format is not "
        "supported by `load_model()` in Keras 3."
    )


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save `model` to '.keras' (Keras 3's zip) or '.h5' (legacy HDF5), as model.save()."""
    formats.save_model(model, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def model_from_config(config, custom_objects=None):
    """The model (or layer) a {'class_name', 'config', ...} dict describes, without weights."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"`model_from_config` expects a dict with 'class_name' and 'config'. Received: {config!r}")
    return deserialize_keras_object(config, custom_objects, kind="layer")


def model_from_json(json_string, custom_objects=None):
    """The model described by model.to_json()'s output (new weights), as keras.models.model_from_json."""
    return model_from_config(json.loads(json_string), custom_objects)


def _clone_layer(layer):
    return deserialize_keras_object(serialize_keras_object(layer), kind="layer")


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False,
                **kwargs):
    """A new model with the same architecture and new weights (keras.models.clone_model).

    Args:
        model: a Sequential or functional model (a subclassed one is rebuilt from its config).
        input_tensors: Input tensors for the clone, instead of new ones like the model's.
        clone_function: layer -> new layer, applied to every layer (default: rebuild from its config).
        call_function: (layer, *args, **kwargs) -> outputs, to change how each layer is called.
        recursive: also clone the layers of nested models with clone_function.
    """
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {sorted(kwargs)}")
    clone = clone_function or _clone_layer

    def clone_or_recurse(layer):
        if recursive and isinstance(layer, Model) and layer._functional:
            return clone_model(layer, clone_function=clone_function, call_function=call_function, recursive=True)
        return clone(layer)

    if isinstance(model, Sequential) and input_tensors is None and call_function is None:
        stack = ([InputLayer(batch_shape=model._input_layer.batch_shape, dtype=model._input_layer.dtype,
                             name=model._input_layer.name)] if model._input_layer is not None else [])
        return Sequential(stack + [clone_or_recurse(layer) for layer in model.layers], name=model.name)
    if not model._functional:
        with CustomObjectScope({}), SafeModeScope(True):
            return type(model).from_config(model.get_config())
    return _clone_graph(model, input_tensors, clone_or_recurse, call_function)


def _clone_graph(model, input_tensors, clone, call_function):
    """Replay a functional model's calls with cloned layers on new Input tensors."""
    old_inputs = model._flat_inputs
    if input_tensors is None:
        new_inputs = [Input(batch_shape=kt.shape, dtype=kt.dtype, name=kt.node.layer.name) for kt in old_inputs]
    else:
        new_inputs = flatten_structure(input_tensors)
        if len(new_inputs) != len(old_inputs):
            raise ValueError(f"clone_model: the model has {len(old_inputs)} inputs; "
                             f"input_tensors has {len(new_inputs)}")
    values = {id(old): new for old, new in zip(old_inputs, new_inputs)}
    clones = {}
    swap = lambda t: values[id(t)] if isinstance(t, KerasTensor) else t
    for node in model._nodes:
        layer = node.layer
        if id(layer) not in clones:
            clones[id(layer)] = clone(layer)
        args = [map_structure(swap, node.inputs)] + [map_structure(swap, a) for a in node.args]
        kwargs = {k: map_structure(swap, v) for k, v in node.kwargs.items()}
        out = (call_function(clones[id(layer)], *args, **kwargs) if call_function
               else clones[id(layer)](*args, **kwargs))
        for old, new in zip(flatten_structure(node.outputs), flatten_structure(out)):
            values[id(old)] = new
    inputs = map_structure(lambda t: values[id(t)], model._inputs_struct)
    outputs = map_structure(lambda t: values[id(t)], model._outputs_struct)
    return Model(inputs, outputs, name=model.name)
