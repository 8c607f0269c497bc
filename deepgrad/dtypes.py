"""TensorFlow's dtype names (tf.float32, tf.int32, tf.bool, ...) as NumPy dtypes.

A tensor's `.dtype` is a NumPy dtype, so `x.dtype == tf.float32` and
`x.dtype.name == 'float32'` both hold, and any of these names, a NumPy type
or a string may be passed wherever a dtype is expected.
"""
from .backend import xp

DType = xp.dtype

float16 = half = xp.dtype("float16")
float32 = xp.dtype("float32")
float64 = double = xp.dtype("float64")
int8 = xp.dtype("int8")
int16 = xp.dtype("int16")
int32 = xp.dtype("int32")
int64 = xp.dtype("int64")
uint8 = xp.dtype("uint8")
uint16 = xp.dtype("uint16")
uint32 = xp.dtype("uint32")
uint64 = xp.dtype("uint64")
bool = xp.dtype("bool")  # noqa: A001 (TensorFlow's name)
complex64 = xp.dtype("complex64")
complex128 = xp.dtype("complex128")
string = xp.dtype("object")


def as_dtype(type_value):
    """The dtype named by `type_value` (a dtype, a NumPy type or a string such as 'float32')."""
    try:
        return xp.dtype(type_value)
    except TypeError:
        raise TypeError(f"as_dtype: not a dtype. Received: {type_value!r}") from None
