"""keras.backend: the session and dtype helpers of Keras 3's `keras.backend` namespace.

    keras.backend.clear_session()     forget the layer names handed out (dense, dense_1, ... start again)
    keras.backend.backend()           "tensorflow": the API deepgrad serves (its engine is NumPy)
    keras.backend.floatx() / epsilon() / image_data_format() / standardize_dtype(...) / result_type(...)
"""
import gc

from ..missing import not_implemented
from .config import epsilon, floatx, image_data_format, set_floatx
from .layers.keras_tensor import KerasTensor
from .layers.layer import reset_names
from .ops.common import result_type as _result_type, standardize_dtype

__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format", "is_float_dtype",
           "is_int_dtype", "is_keras_tensor", "result_type", "set_floatx", "set_image_data_format",
           "standardize_dtype"]

_uids = {}


def backend():
    """The backend a Keras program sees: "tensorflow", because deepgrad serves TensorFlow's API (tf.data,
    tf.GradientTape, tf.function) to programs that branch on it; the arrays are NumPy's."""
    return "tensorflow"


def clear_session(free_memory=True):
    """Start naming layers afresh (the next Dense is `dense` again) and reset get_uid's counters."""
    reset_names()
    _uids.clear()
    if free_memory:
        gc.collect()


def get_uid(prefix=""):
    """1, 2, 3, ... for each `prefix`, counted since the last clear_session()."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def is_keras_tensor(x):
    """Whether `x` is a symbolic tensor of the functional API (keras.Input(...) and what layers make of it)."""
    return isinstance(x, KerasTensor)


def result_type(*dtypes):
    """The dtype Keras' promotion rules give to values of `dtypes` combined ('int32', 'float32' -> 'float32')."""
    return _result_type(*dtypes)


def is_float_dtype(dtype):
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    return standardize_dtype(dtype).startswith(("int", "uint"))


def set_image_data_format(data_format):
    """Only "channels_last" (NHWC) exists in deepgrad."""
    if str(data_format).lower() != "channels_last":
        raise ValueError(
            "deepgrad's layers are channels-last (NHWC) only. "
            f"Received: data_format={data_format!r}"
        )


__getattr__ = not_implemented("keras.backend")
