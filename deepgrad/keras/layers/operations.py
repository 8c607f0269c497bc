"""Keras ops that Keras 3 records as nodes of a functional model, so its files load here.

Calling `keras.ops.not_equal(x, 0)` (or `x + y`) on symbolic tensors makes Keras 3
write a node {"module": "keras.src.ops.numpy", "class_name": "NotEqual", ...} into
the model's config; Embedding(mask_zero=True) does so for its mask. Each class here
is such an op as a weightless layer: its config holds the op's arguments (axis,
dtype, ...), its call takes the tensors and constants the node names, and the
model runs it like any layer. They are not listed in model.layers, as in Keras.
"""
from ... import ops
from ...backend import xp
from ...tensor import Tensor, no_grad
from ..registry import OPERATIONS
from .keras_tensor import KerasTensor, Node, flatten_structure, map_structure
from .layer import Layer, _shapes_to_keras_tensors


class Operation(Layer):
    """A Keras op as a layer without weights: call(*args) applies `compute` to tensors and constants."""

    autocast = False
    _is_operation = True
    _params = ()

    def __init__(self, *args, name=None, **kwargs):
        super().__init__(name=name)
        for param, value in zip(self._params, args):
            kwargs.setdefault(param, value)
        unknown = set(kwargs) - set(self._params)
        if unknown:
            raise TypeError(f"{type(self).__name__} takes {list(self._params)}. Received: {sorted(unknown)}")
        for param in self._params:
            setattr(self, param, kwargs.get(param, self._defaults().get(param)))
        self.built = True

    @classmethod
    def _defaults(cls):
        return {}

    def compute(self, *args):
        raise NotImplementedError

    def call(self, inputs, *args):
        return self.compute(inputs, *args)

    def _symbolic_call(self, inputs, *args, **kwargs):
        def zeros(value):
            if isinstance(value, KerasTensor):
                shape = tuple(1 if d is None else d for d in value.shape)
                return Tensor(xp.zeros(shape, dtype=value.dtype))
            return value

        with no_grad():
            out = self.compute(map_structure(zeros, inputs), *map_structure(zeros, list(args)),
                               **{k: map_structure(zeros, v) for k, v in kwargs.items()})
        batch_unknown = any(isinstance(t, KerasTensor) and t.shape and t.shape[0] is None
                            for t in flatten_structure([inputs, list(args), kwargs]))
        shape = tuple(out.shape)
        if batch_unknown and shape:
            shape = (None,) + shape[1:]
        node = Node(self, inputs, args, kwargs)
        self._inbound_nodes.append(node)
        node.outputs = _shapes_to_keras_tensors(shape, node, str(out.data.dtype))
        return node.outputs

    def get_config(self):
        return {"name": self.name, **{p: getattr(self, p) for p in self._params}}


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(xp.asarray(x))


class NotEqual(Operation):
    def compute(self, x, y):
        return ops.not_equal(_tensor(x), _tensor(y))


class Equal(Operation):
    def compute(self, x, y):
        return ops.equal(_tensor(x), _tensor(y))


class Add(Operation):
    def compute(self, x, y):
        return ops.add(_tensor(x), _tensor(y))


class Subtract(Operation):
    def compute(self, x, y):
        return ops.sub(_tensor(x), _tensor(y))


class Multiply(Operation):
    def compute(self, x, y):
        return ops.mul(_tensor(x), _tensor(y))


class TrueDivide(Operation):
    def compute(self, x, y):
        return ops.div(_tensor(x), _tensor(y))


class Matmul(Operation):
    def compute(self, x, y):
        return ops.matmul(_tensor(x), _tensor(y))


class Cast(Operation):
    _params = ("dtype",)

    def compute(self, x):
        return ops.cast(_tensor(x), self.dtype)

    def get_config(self):
        return {"name": self.name, "dtype": str(self.dtype)}


class ExpandDims(Operation):
    _params = ("axis",)

    def compute(self, x):
        return ops.expand_dims(_tensor(x), self.axis)


class Squeeze(Operation):
    _params = ("axis",)

    def compute(self, x):
        return ops.squeeze(_tensor(x), self.axis)


class Reshape(Operation):
    _params = ("newshape",)

    def compute(self, x):
        return ops.reshape(_tensor(x), tuple(self.newshape))


class Transpose(Operation):
    _params = ("axes",)

    def compute(self, x):
        return ops.transpose(_tensor(x), None if self.axes is None else tuple(self.axes))


class Mean(Operation):
    _params = ("axis", "keepdims")

    @classmethod
    def _defaults(cls):
        return {"keepdims": False}

    def compute(self, x):
        return ops.mean(_tensor(x), axis=_axis(self.axis), keepdims=self.keepdims)


class Sum(Mean):
    def compute(self, x):
        return ops.sum(_tensor(x), axis=_axis(self.axis), keepdims=self.keepdims)


class Concatenate(Operation):
    _params = ("axis",)

    @classmethod
    def _defaults(cls):
        return {"axis": 0}

    def compute(self, xs):
        return ops.concat([_tensor(x) for x in xs], axis=self.axis)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


OPERATION_CLASSES = (NotEqual, Equal, Add, Subtract, Multiply, TrueDivide, Matmul, Cast, ExpandDims, Squeeze,
                     Reshape, Transpose, Mean, Sum, Concatenate)
