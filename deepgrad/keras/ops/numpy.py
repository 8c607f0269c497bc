"""keras.ops.numpy: the NumPy-style ops, gathered from numpy_math.py (elementwise math,
comparisons, reductions), numpy_arrays.py (creation, shapes, indexing, sorting) and
numpy_linalg.py (products, matrix parts)."""
import importlib

from . import names as _names

_PROVIDER = {name: module for module in _names.SUBMODULES["numpy"] for name in _names.PROVIDERS[module]}


def __getattr__(name):
    provider = _PROVIDER.get(name)
    if provider is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(f"{__package__}.{provider}"), name)
    except AttributeError:
        raise AttributeError(f"deepgrad does not implement keras.ops.numpy.{name}") from None
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_PROVIDER))
