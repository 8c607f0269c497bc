"""keras.saving: model files (.keras, .weights.h5, legacy .h5), the serialization registry, ONNX export.

Names resolve lazily, so importing a model does not import the file formats.
"""
import importlib

_WHERE = {
    "load_model": "saving.saving_api", "save_model": "saving.saving_api",
    "save_weights": "saving.saving_api", "load_weights": "saving.saving_api",
    "serialize_keras_object": "saving.serialization_lib",
    "deserialize_keras_object": "saving.serialization_lib",
    "register_keras_serializable": "registry", "get_custom_objects": "registry",
    "custom_object_scope": "registry", "CustomObjectScope": "registry",
    "get_registered_name": "registry", "get_registered_object": "registry",
}


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"deepgrad does not implement keras.saving.{name}")
    value = getattr(importlib.import_module(f"deepgrad.keras.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_WHERE))
