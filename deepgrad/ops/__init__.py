"""Differentiable primitives, declared once each in the op table (table.py); Tensor's
operators and methods are bound from it."""
from ..tensor import Tensor
from .elementwise import (
    abs, add, cast, clip, div, elu, equal, exp, gelu, greater, greater_equal, leaky_relu,
    less, less_equal, log, maximum, minimum, mul, neg, not_equal, pow, relu, selu, sigmoid,
    softplus, sqrt, square, sub, swish, tanh, unbroadcast, where,
)
from . import second_order  # noqa: F401  (registers the ops' second-order rules)
from . import activations, arrange, cumulative, indexing, numeric, segment  # noqa: F401 (declare their ops)
from .linalg import matmul
from .reduce import logsumexp, max, mean, min, std, sum, var
from .shape import (
    broadcast_to, concat, expand_dims, getitem, pad, reshape, split, squeeze, stack, swapaxes,
    tile, transpose,
)

from . import conv, conv_pool, fused, nn, pooling, recurrent  # noqa: F401 (declare their ops)
from .table import OPS, bind_tensor_methods

bind_tensor_methods(Tensor)
