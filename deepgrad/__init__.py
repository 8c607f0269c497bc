"""deepgrad: deep learning on NumPy, with the Keras API.

Written so that TensorFlow tutorial programs run on it unchanged:

    import deepgrad as tf
    w = tf.Variable(tf.random.normal([3, 1]))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    w.assign_sub(0.1 * tape.gradient(loss, w))

`deepgrad.keras` is imported on first use, so `import deepgrad` loads NumPy only.
"""
from . import runtime_tuning

runtime_tuning.apply()

from . import config, data, image, linalg, math, nn, ops, random, summary, version  # noqa: E402 (after the tuning, before NumPy loads)
from .dtypes import (  # noqa: A004 (TensorFlow's dtype names)
    DType, as_dtype, bool, complex64, complex128, double, float16, float32, float64, half, int8,
    int16, int32, int64, string, uint8, uint16, uint32, uint64,
)
from .gradcheck import GradcheckError, gradcheck
from .math import (  # noqa: A004 (TensorFlow's names)
    abs, add, add_n, argmax, argmin, divide, equal, exp, floor, greater, greater_equal, less,
    less_equal, log, logical_and, logical_not, logical_or, maximum, minimum, multiply, negative,
    not_equal, pow, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
    reduce_prod, reduce_std, reduce_sum, reduce_variance, round, sigmoid, sign, sqrt, square,
    subtract, tanh, truediv,
)
from .function import function
from .tape import GradientTape
from .tensor import Tensor, enable_grad, is_grad_enabled, no_grad
from .tensor_shape import TensorShape, TensorSpec
from .tf_api import (  # noqa: A004 (TensorFlow's names)
    boolean_mask, broadcast_to, cast, clip_by_value, concat, constant, convert_to_tensor, device,
    executing_eagerly, expand_dims, eye, fill, gather, identity, is_tensor, linspace,
    matmul, newaxis, norm, one_hot, ones, ones_like, pad, print, range, rank, reshape, shape,
    size, split, squeeze, stack, stop_gradient, tile, transpose, unstack, where, zeros,
    zeros_like,
)
from .variable import Variable
from . import train  # noqa: E402 (tf.train: Checkpoint, CheckpointManager)
from .module import Module, name_scope  # noqa: E402

__version__ = "0.1.0"


def __getattr__(name):
    """`deepgrad.keras` and `deepgrad.profiler` on first use (importing them at `import deepgrad` would slow every start)."""
    if name in ("keras", "profiler"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"deepgrad does not implement tf.{name}")
