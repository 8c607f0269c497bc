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
from . import debugging, errors, nest, strings  # noqa: E402 (tf.debugging, tf.errors, tf.nest, tf.strings)
from . import io  # noqa: E402 (tf.io)
from .control_flow import (  # noqa: A004, E402 (TensorFlow's names)
    case, cond, control_dependencies, foldl, foldr, group, init_scope, inside_function, map_fn, no_op,
    numpy_function, py_function, scan, switch_case, tuple, vectorized_map, while_loop,
)
from .debugging import (  # noqa: E402
    Assert, assert_equal, assert_greater, assert_less, assert_rank, get_logger,
)
from .gradient_utils import (  # noqa: E402
    UnconnectedGradients, custom_gradient, grad_pass_through, gradients, hessians, recompute_grad,
)
from .initializers_tf import (  # noqa: E402
    constant_initializer, ones_initializer, random_normal_initializer, random_uniform_initializer,
    zeros_initializer,
)
from .linalg import einsum, tensordot  # noqa: E402
from .math import (  # noqa: E402
    acos, acosh, asin, asinh, atan, atan2, atanh, cos, cosh, cumsum, scalar_mul, sin, sinh, tan,
)
from .tf_array_ops import (  # noqa: A004, E402 (TensorFlow's names)
    argsort, broadcast_dynamic_shape, broadcast_static_shape, clip_by_global_norm, clip_by_norm,
    dynamic_partition, dynamic_stitch, ensure_shape, gather_nd, get_static_value, histogram_fixed_width,
    histogram_fixed_width_bins, identity_n, meshgrid, parallel_stack, realdiv, repeat, reverse,
    reverse_sequence, roll, saturate_cast, scatter_nd, searchsorted, sequence_mask, shape_n, slice, sort,
    strided_slice, tensor_scatter_nd_add, tensor_scatter_nd_max, tensor_scatter_nd_min,
    tensor_scatter_nd_sub, tensor_scatter_nd_update, truncatediv, truncatemod, unique,
    unique_with_counts, unravel_index,
)
from . import train  # noqa: E402 (tf.train: Checkpoint, CheckpointManager)
from .module import Module, get_current_name_scope, name_scope  # noqa: E402

__version__ = "0.1.0"


def __getattr__(name):
    """`deepgrad.keras` and `deepgrad.profiler` on first use (importing them at `import deepgrad` would slow every start)."""
    if name in ("keras", "profiler"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"deepgrad does not implement tf.{name}")
