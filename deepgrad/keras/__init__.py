"""The Keras-compatible API, built only on deepgrad's ops.

`from deepgrad import keras`, `from deepgrad.keras import layers, models`,
`deepgrad.keras.layers.Dense(...)`: submodules load on first use.

`keras.__version__` (and `keras.version()`) is the Keras release whose API and file
format deepgrad matches, "3.15.1" (the Keras that deepgrad's tests compare against);
deepgrad's own version is `deepgrad.__version__`.
"""
import importlib

__version__ = "3.15.1"


def version():
    """The Keras version whose API deepgrad matches (Keras' `keras.version()`)."""
    return __version__


_SUBMODULES = {
    "activations", "backend", "callbacks", "constraints", "datasets", "initializers", "layers",
    "losses", "metrics", "models", "optimizers", "preprocessing", "regularizers", "saving",
    "utils", "ops", "config", "random",
}
_NAMES = {
    "Input": "layers", "Layer": "layers", "InputSpec": "layers",
    "Model": "models", "Sequential": "models",
    "load_model": "saving",
}


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _NAMES:
        value = getattr(__getattr__(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"deepgrad does not implement keras.{name}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + list(_NAMES))
