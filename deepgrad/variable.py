"""Variable: a tensor whose value persists and is updated in place (weights)."""
from .backend import xp
from .tensor import Tensor, _to_array

_counter = [0]
_created = [0]


class Variable(Tensor):
    """A named, mutable tensor; trainable variables require gradients.

    Args:
        initial_value: array-like (or a callable returning one).
        trainable: whether optimizers update it and GradientTape watches it.
        name: a readable name (`kernel`, `bias`, ...); unique names are made up when omitted.
        dtype: optional dtype; floats default to float32.
    """

    __slots__ = ("trainable", "constraint", "regularizer", "creation_index")

    def __init__(self, initial_value, trainable=True, name=None, dtype=None):
        if callable(initial_value):
            initial_value = initial_value()
        # a copy: assign() writes in place, and must not change the array or tensor it started from
        data = xp.array(_to_array(initial_value, dtype), copy=True)
        if name is None:
            _counter[0] += 1
            name = f"Variable_{_counter[0]}"
        super().__init__(data, name=name)
        _created[0] += 1
        self.creation_index = _created[0]  # the order tape.watched_variables() lists variables in, as TensorFlow
        self.trainable = bool(trainable)
        self.constraint = None
        self.regularizer = None
        self.requires_grad = self.trainable and data.dtype.kind == "f"

    @property
    def value(self):
        return self.data

    def read_value(self):
        return Tensor(self.data.copy())

    def assign(self, value):
        """Replace the value in place; the shape must stay the same."""
        value = _to_array(value, self.data.dtype)
        if value.shape != self.data.shape:
            raise ValueError(
                f"assign: variable '{self.name}' has shape {self.data.shape}. "
                f"Received: value of shape {value.shape}"
            )
        xp.copyto(self.data, value)
        return self

    def assign_add(self, delta):
        return self.assign(self.data + _to_array(delta, self.data.dtype))

    def assign_sub(self, delta):
        return self.assign(self.data - _to_array(delta, self.data.dtype))

    def __repr__(self):
        body = xp.array2string(self.data, precision=4, separator=", ", threshold=20)
        return f"<Variable '{self.name}' shape={self.shape} dtype={self.dtype}, numpy={body}>"
