"""Differentiable primitives, and the Tensor operators and methods bound to them."""
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


def _reflected(op):
    return lambda self, other: op(other, self)


def _reshape_method(self, *shape):
    """x.reshape(2, 3) or x.reshape((2, 3))."""
    return reshape(self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape)


def _transpose_method(self, *axes):
    """x.transpose(), x.transpose(1, 0) or x.transpose((1, 0))."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return transpose(self, axes or None)


_METHODS = {
    "__add__": add, "__radd__": _reflected(add),
    "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul),
    "__truediv__": div, "__rtruediv__": _reflected(div),
    "__pow__": pow, "__rpow__": _reflected(pow),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__neg__": neg, "__pos__": lambda self: self, "__abs__": abs,
    "__getitem__": getitem,
    "__eq__": equal, "__ne__": not_equal, "__lt__": less, "__le__": less_equal,
    "__gt__": greater, "__ge__": greater_equal,
    "sum": sum, "mean": mean, "max": max, "min": min, "var": var, "std": std,
    "logsumexp": logsumexp,
    "reshape": _reshape_method, "transpose": _transpose_method, "swapaxes": swapaxes,
    "flatten": lambda self: reshape(self, (-1,)),
    "squeeze": squeeze, "expand_dims": expand_dims, "broadcast_to": broadcast_to,
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
    "abs": abs, "clip": clip, "matmul": matmul,
    "T": property(lambda self: transpose(self)),
}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
