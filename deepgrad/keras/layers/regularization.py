"""Regularization layers: Dropout and its spatial forms, Gaussian noise and
dropout, ActivityRegularization. All are the identity unless training=True."""
import math

from ... import backend
from ...backend import xp
from ...ops import nn
from .. import regularizers
from .input_spec import InputSpec
from .layer import Layer
from .reshaping import standardize_data_format


class _Seeded:
    """The random source of a layer: its own generator when given a seed (a
    reproducible sequence of draws, different at each call, as Keras'
    SeedGenerator), else the global one from deepgrad.backend (set_seed)."""

    def __init__(self, seed):
        self._generator = None if seed is None else xp.random.default_rng(int(seed))

    def generator(self):
        return self._generator if self._generator is not None else backend.rng()

    def next_seed(self):
        """A fresh integer seed for an op that takes one (ops.nn.dropout)."""
        return int(self.generator().integers(0, 2**63 - 1))


def _check_rate(rate, name="rate"):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(
            f"Invalid value received for argument `{name}`. Expected a float value between 0 and 1. "
            f"Received: {name}={rate}"
        )
    return rate


class Dropout(Layer):
    """Randomly sets a fraction `rate` of the input units to 0 during training,
    scaling the others by 1 / (1 - rate) so the expected sum is unchanged.

    Only active when called with training=True (fit() does this); at inference
    it is the identity.

    Args:
        rate: float in [0, 1], the fraction of units dropped.
        noise_shape: shape of the binary mask, broadcast over the input; e.g.
            (batch, 1, features) drops the same features at every timestep.
            None entries take the input's size.
        seed: int; the layer's own reproducible sequence of masks. Without it,
            masks come from deepgrad's global generator (keras.utils.set_random_seed).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate)
        self.seed = seed
        self.noise_shape = self._validate_noise_shape(noise_shape)
        self._random = _Seeded(seed)
        self.supports_masking = True
        self.built = True

    @staticmethod
    def _validate_noise_shape(noise_shape):
        if noise_shape is None:
            return None
        if isinstance(noise_shape, str):
            raise ValueError(
                "Invalid value received for argument `noise_shape`. Expected a tuple or list of "
                f"integers. Received: noise_shape={noise_shape}"
            )
        noise_shape = tuple(noise_shape)
        for i, dim in enumerate(noise_shape):
            if dim is not None and (not isinstance(dim, int) or dim <= 0):
                raise ValueError(
                    "Invalid value received for argument `noise_shape`. Expected positive integers "
                    f"or None. Received: noise_shape={noise_shape} (index {i}: {dim})"
                )
        return noise_shape

    def _noise_shape(self, inputs):
        return self.noise_shape

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:
            return inputs * 0.0
        return nn.dropout(inputs, self.rate, training=True, noise_shape=self._noise_shape(inputs),
                          seed=self._random.next_seed())

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class SpatialDropout1D(Dropout):
    """Dropout of whole feature maps of (N, steps, features) inputs: one mask
    value per (sample, feature), shared by every step.

    Args:
        rate: float in [0, 1], the fraction of features dropped.
        seed: int, for a reproducible sequence of masks.
    """

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        return (inputs.shape[0], 1, inputs.shape[2])

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout2D(Dropout):
    """Dropout of whole channels of images: one mask value per (sample, channel).

    Args:
        rate: float in [0, 1], the fraction of channels dropped.
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: int, for a reproducible sequence of masks.
    """

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        n = inputs.shape
        if self.data_format == "channels_first":
            return (n[0], n[1], 1, 1)
        return (n[0], 1, 1, n[3])

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype,
                "data_format": self.data_format}


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` during training.

    Args:
        stddev: float in [0, 1].
        seed: int, for a reproducible sequence of draws.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = _check_rate(stddev, "stddev")
        self.seed = seed
        self._random = _Seeded(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = _normal(self._random.generator(), inputs, self.stddev, 0.0)
        return inputs + noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


def _normal(generator, like, stddev, mean):
    """An array of like's shape and float dtype drawn from N(mean, stddev^2)."""
    dtype = like.dtype if like.dtype in (xp.float32, xp.float64) else xp.dtype(xp.float32)
    draw = generator.standard_normal(like.shape, dtype=dtype)
    draw *= stddev
    if mean:
        draw += mean
    return draw.astype(like.dtype, copy=False)


class GaussianDropout(Layer):
    """Multiplies the input by noise drawn from N(1, rate / (1 - rate)) during training.

    Args:
        rate: float in [0, 1], as for Dropout.
        seed: int, for a reproducible sequence of draws.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate)
        self.seed = seed
        self._random = _Seeded(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate)) if self.rate < 1 else math.inf
        noise = _normal(self._random.generator(), inputs, stddev, 1.0)
        return inputs * noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class ActivityRegularization(Layer):
    """The identity, adding (l1 * sum(|x|) + l2 * sum(x^2)) / batch_size of its
    output to the model's loss, as Keras 3 (the layer's `losses` after each call).

    Args:
        l1, l2: non-negative penalty factors.

    Input shape: any, (batch, ...). Output shape: the input's.

    Example:

        layer = ActivityRegularization(l1=0.1)
        layer(np.ones((2, 3)))      # returns its input
        float(layer.losses[0])      # 0.1 * 6 / 2 = 0.3
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs, training=None):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
