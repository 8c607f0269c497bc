"""keras.ops names provided by this module: see names.py."""
from . import names as _names
from .common import unimplemented

__getattr__ = unimplemented(__name__, _names.PROVIDERS["image"])
