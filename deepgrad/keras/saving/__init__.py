"""keras.saving: model files (.keras, .weights.h5, legacy .h5), the serialization registry, ONNX export.

Names resolve lazily, so importing a model does not import the file formats.
"""
import importlib

_WHERE = {
    "save_model": "saving_api", "load_model": "saving_api",
    "save_weights": "saving_api", "load_weights": "saving_api",
}


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"deepgrad does not implement keras.saving.{name}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_WHERE))
