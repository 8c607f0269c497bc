"""keras.regularizers: weight penalties added to the loss, as Keras 3.

A regularizer is called on a weight and returns a scalar Tensor built from
deepgrad ops, so its gradient reaches the weight through the same backward
pass as the loss:

    L2(0.01)(kernel)        # 0.01 * sum(kernel**2)
    L1(0.01)(kernel)        # 0.01 * sum(|kernel|)
    L1L2(l1=0.01, l2=0.01)  # both

Names for get(): 'l1', 'l2', 'l1_l2' (each 0.01, as tf.keras' l1_l2()), and
the class names 'L1', 'L2', 'L1L2' (L1L2() defaults to 0.0 and 0.0, as Keras 3).
"""
import math

from .. import ops
from ..tensor import Tensor, as_tensor
from .registry import Registry
from ..missing import not_implemented

_REGULARIZERS = Registry("regularizer")


def validate_float_arg(value, name):
    """`value` as a float, if it is a finite non-negative number."""
    if (isinstance(value, bool) or not isinstance(value, (float, int))
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float. "
            f"Received: {name}={value}"
        )
    return float(value)


def _weight(x):
    return x if isinstance(x, Tensor) else as_tensor(x)


class Regularizer:
    """Base class: `__call__(weight) -> scalar Tensor`, `get_config()`, `from_config()`."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2).

    Args:
        l1, l2: non-negative factors (default 0.0 each, as Keras 3's class;
            the name 'l1_l2' gives 0.01 each).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, "l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = _weight(x)
        penalty = as_tensor(0.0, like=x)
        if self.l1:
            penalty = penalty + ops.sum(ops.abs(x)) * self.l1
        if self.l2:
            penalty = penalty + ops.sum(ops.square(x)) * self.l2
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 * sum(|x|) (default l1=0.01)."""

    def __init__(self, l1=0.01):
        self.l1 = validate_float_arg(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return ops.sum(ops.abs(_weight(x))) * self.l1

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(x**2) (default l2=0.01)."""

    def __init__(self, l2=0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return ops.sum(ops.square(_weight(x))) * self.l2

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    """L1L2 with tf.keras' defaults (0.01 each): what the name 'l1_l2' gives."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2

for _name, _obj in {"L1": L1, "L2": L2, "L1L2": L1L2, "l1_l2": l1_l2}.items():
    _REGULARIZERS.add(_name, _obj)


def serialize(regularizer):
    """{'class_name': ..., 'config': ...} as Keras writes it."""
    return {
        "module": "keras.regularizers",
        "class_name": regularizer.__class__.__name__,
        "config": regularizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The regularizer described by `config` (the output of `serialize`)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _REGULARIZERS.get(name)
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A regularizer from a name ('l1', 'l2', 'l1_l2', 'L1L2'), a serialized config,
    a Regularizer class or instance, or any callable weight -> scalar.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _REGULARIZERS.get(identifier)()
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")


__getattr__ = not_implemented("keras.regularizers")
