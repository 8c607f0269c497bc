"""keras.constraints: projections applied to a weight after every optimizer update, as Keras 3.

A constraint maps the weight's array to the constrained array:

    MaxNorm(2.0)(kernel)   # each column (axis=0 norms) rescaled to norm <= 2
    NonNeg()(kernel)       # negatives set to 0

Set on a Variable as `variable.constraint`; the optimizer applies it after
each step. Names for get(): 'max_norm', 'non_neg', 'unit_norm', 'min_max_norm'.
"""
from ..backend import xp
from ..tensor import Tensor
from .registry import Registry
from ..missing import not_implemented

# Keras' backend.epsilon(): keeps the norms' division finite for all-zero slices.
EPSILON = 1e-7

_CONSTRAINTS = Registry("constraint")


def _array(w):
    return w.data if isinstance(w, Tensor) else xp.asarray(w)


def _norms(w, axis):
    """L2 norms over `axis` (an int, or a list/tuple of them), kept broadcastable to `w`."""
    if isinstance(axis, list):
        axis = tuple(axis)
    return xp.sqrt(xp.sum(xp.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: `__call__(array) -> array` (the identity here)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    """Rescale slices whose L2 norm over `axis` exceeds `max_value` (default 2, axis=0:
    each output unit's incoming weights of a Dense kernel).
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = xp.clip(norms, 0, self.max_value)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights set to zero."""

    def __call__(self, w):
        return xp.maximum(_array(w), 0)


class UnitNorm(Constraint):
    """Every slice along `axis` scaled to unit L2 norm (default axis=0)."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Slices along `axis` rescaled towards a norm in [min_value, max_value].

    Args:
        min_value, max_value: the allowed range of norms (default [0, 1]).
        rate: 1.0 rescales fully; below 1, norm' = rate * clip(norm) + (1 - rate) * norm.
        axis: the axis (or axes) the norms run over.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * xp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm

for _name, _cls in {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
                    "min_max_norm": MinMaxNorm}.items():
    _CONSTRAINTS.add(_name, _cls)
    _CONSTRAINTS.add(_cls.__name__, _cls)


def serialize(constraint):
    """{'class_name': ..., 'config': ...} as Keras writes it."""
    return {
        "module": "keras.constraints",
        "class_name": constraint.__class__.__name__,
        "config": constraint.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The constraint described by `config` (the output of `serialize`)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _CONSTRAINTS.get(name)
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """A constraint from a name ('max_norm', 'non_neg', 'unit_norm', 'min_max_norm'),
    a serialized config, a Constraint class or instance, or any callable array -> array.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _CONSTRAINTS.get(identifier)()
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")


__getattr__ = not_implemented("keras.constraints")
