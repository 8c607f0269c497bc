"""keras.ops: Keras 3's backend-agnostic ops, on deepgrad's op table.

    from keras import ops
    loss = ops.mean(ops.square(y_true - y_pred))

Every name of Keras 3.15's `keras.ops` resolves here, from the module that
provides it (see `names.py`): the numpy-style ops (`keras.ops.numpy`), the
neural-network ops (`keras.ops.nn`), linear algebra (`keras.ops.linalg`),
image ops (`keras.ops.image`, reached only through that submodule, as in
Keras) and the core ops (`cast`, `cond`, `scan`, `slice_update`, ...). The
results are deepgrad Tensors, differentiable under a GradientTape and in
`fit` wherever Keras' are. A Keras name deepgrad lacks fails with
"deepgrad does not implement keras.ops.<name>".
"""
import importlib

from . import names as _names

_SUBMODULES = ("numpy", "nn", "linalg", "image")
_TOP_LEVEL = {}
for _module, _listed in _names.PROVIDERS.items():
    if _module != "image":
        for _name in _listed:
            _TOP_LEVEL[_name] = _module


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    provider = _TOP_LEVEL.get(name)
    if provider is None:
        raise AttributeError(f"deepgrad does not implement keras.ops.{name}")
    module = importlib.import_module(f"{__name__}.{provider}")
    try:
        value = getattr(module, name)
    except AttributeError:
        raise AttributeError(f"deepgrad does not implement keras.ops.{name}") from None
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_TOP_LEVEL))
