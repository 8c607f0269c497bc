"""keras.models' file functions: load_model for every format, save_model, model_from_json, clone_model.

load_model chooses the reader from the path as Keras 3 does (a '.keras' zip, a legacy
'.h5'/'.hdf5' file); the readers (saving/) rebuild the model through the registry only,
so nothing named in a file is imported or run (a Lambda's bytecode loads only with
safe_mode=False).
"""
import json
import os
import types
import zipfile

from ..layers.input_layer import Input, InputLayer
from ..layers.keras_tensor import KerasTensor, flatten_structure, map_structure
from ..registry import CustomObjectScope
from ..saving import formats, keras_file, legacy_h5
from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from .model import Model, functional_like_constructor
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
    """Keras' default clone_function: the same class, rebuilt from the layer's config (new weights)."""
    return type(layer).from_config(layer.get_config())


def _wrap_clone_function(clone_function, call_function=None, recursive=False):
    """clone_function (default _clone_layer) that clones a shared layer once and, with recursive=True,
    clones a nested Sequential or functional model layer by layer."""
    clone_function = clone_function or _clone_layer
    cache = {}

    def wrapped(layer):
        if id(layer) not in cache:
            nested = isinstance(layer, Sequential) or (isinstance(layer, Model) and layer._functional)
            if recursive and nested:
                cache[id(layer)] = clone_model(layer, clone_function=clone_function,
                                               call_function=None if isinstance(layer, Sequential) else call_function,
                                               recursive=True)
            else:
                cache[id(layer)] = clone_function(layer)
        return cache[id(layer)]

    return wrapped


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False,
                **kwargs):
    """A new model with the same architecture and new weights (keras.models.clone_model).

    As Keras 3, a compiled model's clone is compiled the same way (with a new optimizer),
    and a subclassed model is rebuilt from its config (built and compiled as the model is).

    Args:
        model: a Sequential, functional or subclassed model.
        input_tensors: Input tensors for the clone, instead of new ones like the model's
            (Sequential and functional models only).
        clone_function: layer -> new layer, applied to every layer but the Input layers
            (default: the layer's class rebuilt from its config). Sequential and functional only.
        call_function: (layer, *args, **kwargs) -> outputs, to change how each layer is called
            (functional models only).
        recursive: also clone the layers of nested Sequential and functional models with clone_function.
    """
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {tuple(kwargs)}")
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                "`call_function` argument is not supported with Sequential models. In a Sequential "
                "model, layers aren't called at model-construction time (they're merely listed). Use "
                f"`call_function` with Functional models only. Received model of type "
                f"'{type(model).__name__}', with call_function={call_function}"
            )
        clone = _clone_sequential(model, _wrap_clone_function(clone_function, recursive=recursive), input_tensors)
    elif model._functional and (type(model).get_config is Model.get_config or clone_function or input_tensors):
        clone = _clone_graph(model, input_tensors, _wrap_clone_function(clone_function, call_function, recursive),
                             call_function)
    else:
        return _clone_from_config(model, input_tensors, clone_function, call_function)
    if model.compiled:
        _compile_like(clone, model)
    return clone


def _clone_sequential(model, clone, input_tensors):
    """A Sequential of the cloned layers, on the model's Input layer's shape, dtype and name (or on input_tensors)."""
    layers = [clone(layer) for layer in model.layers]
    if input_tensors is not None:
        tensors = flatten_structure(input_tensors)
        if len(tensors) != 1 or not isinstance(tensors[0], KerasTensor) or not isinstance(
                tensors[0].node.layer, InputLayer):
            raise ValueError(
                "Argument `input_tensors` must be a single KerasTensor made by keras.Input. "
                f"Received invalid value: input_tensors={input_tensors}"
            )
        layers = [tensors[0].node.layer] + layers
    elif model._input_layer is not None:
        reference = model._input_layer
        layers = [InputLayer(batch_shape=reference.batch_shape, dtype=reference.dtype, name=reference.name)] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_from_config(model, input_tensors, clone_function, call_function):
    """A subclassed model rebuilt from serialize_keras_object(model): built and compiled as the model is."""
    if clone_function or input_tensors:
        raise ValueError(
            "Arguments `clone_function` and `input_tensors` are only supported for Sequential models "
            f"or Functional models. Received model of type '{type(model).__name__}', with "
            f"clone_function={clone_function} and input_tensors={input_tensors}"
        )
    if call_function is not None:
        raise ValueError(
            "Argument `call_function` is only supported for Functional models. Received model of "
            f"type '{type(model).__name__}', with call_function={call_function}"
        )
    custom_objects = {type(model).__name__: type(model), **_live_objects(model)}
    return deserialize_keras_object(serialize_keras_object(model), custom_objects, kind="layer")


def _live_objects(model):
    """name -> the user's classes and functions the model was compiled with (optimizer, losses, metrics),
    so that a clone compiles with an unregistered loss or metric: taken from the model, not by a name."""
    if not model.compiled:
        return {}
    found = {}
    for value in [model.optimizer] + flatten_structure(list(model._compile_spec.values())):
        obj = value if isinstance(value, (type, types.FunctionType)) else type(value)
        users = not obj.__module__.startswith("deepgrad.")
        if users and (isinstance(obj, types.FunctionType) or hasattr(obj, "get_config")):
            found[obj.__name__] = obj
    return found


def _compile_like(clone, model):
    """Compile `clone` from the model's compile config: a new optimizer, losses and metrics alike."""
    with CustomObjectScope(_live_objects(model)):
        clone.compile_from_config(model.get_compile_config())


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
    swap = lambda t: values[id(t)] if isinstance(t, KerasTensor) else t
    for node in model._nodes:
        layer = clone(node.layer)
        args = [map_structure(swap, node.inputs)] + [map_structure(swap, a) for a in node.args]
        kwargs = {k: map_structure(swap, v) for k, v in node.kwargs.items()}
        out = call_function(layer, *args, **kwargs) if call_function else layer(*args, **kwargs)
        for old, new in zip(flatten_structure(node.outputs), flatten_structure(out)):
            values[id(old)] = new
    inputs = map_structure(lambda t: values[id(t)], model._inputs_struct)
    outputs = map_structure(lambda t: values[id(t)], model._outputs_struct)
    cls = type(model) if functional_like_constructor(type(model)) else Model
    return cls(inputs, outputs, name=model.name)
