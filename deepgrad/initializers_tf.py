"""TensorFlow's top-level initializer classes: tf.constant_initializer, tf.zeros_initializer,
tf.ones_initializer, tf.random_normal_initializer, tf.random_uniform_initializer.

Each is called as init(shape, dtype=tf.float32) and returns a tensor, e.g.
`tf.Variable(tf.random_normal_initializer(stddev=0.02)(shape=[3, 4]))`; get_config() and
from_config() round-trip the arguments. Random ones draw from tf.random (seeded by `seed`
or by tf.random.set_seed).
"""
from . import random as _random
from .backend import xp
from .tensor import Tensor
from .tf_api import _python_array, _shape_arg
from .missing import not_implemented


class Initializer:
    """The base: __call__(shape, dtype) -> Tensor, get_config(), from_config()."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(shape, dtype)")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class zeros_initializer(Initializer):  # noqa: N801 (TensorFlow's name)
    """Tensors of zeros."""

    def __call__(self, shape, dtype=xp.float32, **kwargs):
        return Tensor(xp.zeros(_shape_arg(shape), dtype=xp.dtype(dtype)))


class ones_initializer(Initializer):  # noqa: N801 (TensorFlow's name)
    """Tensors of ones."""

    def __call__(self, shape, dtype=xp.float32, **kwargs):
        return Tensor(xp.ones(_shape_arg(shape), dtype=xp.dtype(dtype)))


class constant_initializer(Initializer):  # noqa: N801 (TensorFlow's name)
    """Tensors filled with `value`: a scalar repeated, or a list/array with as many elements
    as the shape (reshaped to it); the dtype is `dtype`, else value's (Python ints int32,
    floats float32)."""

    def __init__(self, value=0, support_partition=False):
        self.value = value
        self.support_partition = support_partition

    def __call__(self, shape, dtype=None, **kwargs):
        shape = _shape_arg(shape)
        value = _python_array(self.value, dtype)
        if value.size == 1:
            return Tensor(xp.full(shape, value.reshape(()), dtype=value.dtype))
        if value.size != int(xp.prod(shape)):
            raise TypeError(f"constant_initializer: {value.size} values cannot fill shape {shape}. "
                            f"Received: value of shape {value.shape}")
        return Tensor(value.reshape(shape))

    def get_config(self):
        value = self.value.tolist() if isinstance(self.value, xp.ndarray) else self.value
        return {"value": value}


class random_normal_initializer(Initializer):  # noqa: N801 (TensorFlow's name)
    """Tensors drawn from N(mean, stddev^2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=xp.float32, **kwargs):
        return _random.normal(_shape_arg(shape), self.mean, self.stddev, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class random_uniform_initializer(Initializer):  # noqa: N801 (TensorFlow's name)
    """Tensors drawn uniformly from [minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=xp.float32, **kwargs):
        return _random.uniform(_shape_arg(shape), self.minval, self.maxval, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


__getattr__ = not_implemented("tf")
