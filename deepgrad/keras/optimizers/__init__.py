"""keras.optimizers: the optimizers, their string names and (de)serialization.

    optimizers.get("adam")            # Adam() with Keras' defaults
    optimizers.get(Adam(1e-3))        # an instance passes through
    optimizers.schedules.CosineDecay(0.1, 1000)
"""
from ..registry import Registry
from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .base import Optimizer
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD
from ...missing import not_implemented

# Classes, not instances: deserialize needs the class; get() instantiates it.
_OPTIMIZERS = Registry("optimizer")
for _cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam):
    _OPTIMIZERS.add(_cls.__name__, _cls)


def serialize(optimizer):
    """{'class_name': ..., 'config': ...} as Keras writes it."""
    return {
        "module": "keras.optimizers",
        "class_name": optimizer.__class__.__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The optimizer described by `config` (the output of `serialize`); names are case-insensitive."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _OPTIMIZERS.get(name)
    return cls.from_config(dict(config.get("config") or {}), custom_objects)


def get(identifier):
    """An Optimizer from a name ('adam', 'SGD', ...), a serialized config, or an instance."""
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _OPTIMIZERS.get(identifier)()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam",
    "schedules", "get", "serialize", "deserialize",
]


__getattr__ = not_implemented("keras.optimizers")
