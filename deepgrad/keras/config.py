"""keras.config: global settings (the part deepgrad has).

    keras.config.floatx() / set_floatx("float64")   the default float dtype
    keras.config.epsilon()                          the fuzz factor of the losses (1e-7)
    keras.config.image_data_format()                "channels_last", always
    keras.config.enable_unsafe_deserialization()    let every later load_model load Lambda bytecode
"""
from ..backend import floatx as _floatx, set_floatx as _set_floatx
from ..missing import not_implemented
from .losses import EPSILON
from .registry import enable_unsafe_deserialization

__all__ = ["floatx", "set_floatx", "epsilon", "image_data_format", "enable_unsafe_deserialization"]


def floatx():
    """The default float dtype, as a string ('float32')."""
    return _floatx().name


def set_floatx(value):
    _set_floatx(value)


def epsilon():
    """The fuzz factor of the losses' clipping (Keras' default, 1e-7)."""
    return EPSILON


def image_data_format():
    """deepgrad's layers are channels-last (NHWC), as Keras' default."""
    return "channels_last"


__getattr__ = not_implemented("keras.config")
