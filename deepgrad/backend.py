"""The array module, the default float type and the seeded random generator.

Every op reaches arrays through `xp`, so another array module with NumPy's API
(CuPy) can slot in later without touching the ops.
"""
import numpy as xp

_state = {"floatx": xp.dtype("float32"), "rng": xp.random.default_rng()}


def floatx():
    """The default float dtype of new tensors and weights (float32 unless changed)."""
    return _state["floatx"]


def set_floatx(dtype):
    """Set the default float dtype: 'float32' or 'float64'."""
    dtype = xp.dtype(dtype)
    if dtype not in (xp.dtype("float32"), xp.dtype("float64"), xp.dtype("float16")):
        raise ValueError(f"set_floatx expects float16, float32 or float64. Received: {dtype}")
    _state["floatx"] = dtype


def rng():
    """The generator behind every random draw: initializers, dropout, shuffling."""
    return _state["rng"]


def set_seed(seed):
    """Reseed the generator: the same seed gives bit-identical draws afterwards."""
    _state["rng"] = xp.random.default_rng(None if seed is None else int(seed))
