"""Activation layers with arguments: ReLU, LeakyReLU, Softmax, ELU, PReLU."""
from ... import ops
from ...backend import xp
from ...ops import nn
from .. import activations
from .. import constraints
from .. import initializers
from .. import regularizers
from .input_spec import InputSpec
from .layer import Layer


class ReLU(Layer):
    """Rectified linear unit with Keras' options.

    y = max_value            where x >= max_value
    y = x                    where threshold < x < max_value
    y = negative_slope * (x - threshold)   otherwise

    Args:
        max_value: float >= 0, the largest output (None: unbounded).
        negative_slope: float >= 0, the slope below the threshold.
        threshold: float >= 0, below it the unit is off (or leaks).

    Input and output shapes are the same.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                f"max_value of a ReLU layer cannot be a negative value. Received: max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be None or a negative value. "
                f"Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                "threshold of a ReLU layer cannot be None or a negative value. "
                f"Received: threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


class LeakyReLU(Layer):
    """y = x for x > 0, negative_slope * x otherwise.

    Args:
        negative_slope: float >= 0 (0.3, Keras 3's layer default; the function
            keras.activations.leaky_relu defaults to 0.2). `alpha` is accepted
            as its old name.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                f"Expected a float. Received: negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class Softmax(Layer):
    """Softmax over `axis`: y = exp(x) / sum(exp(x)), the max subtracted first.

    Args:
        axis: int or tuple of ints, the axes normalised over (default -1).

    Call arguments:
        mask: optional boolean (or 0/1) array broadcastable to the input;
            masked-out positions get probability 0.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None, training=None):
        axis = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis
        if mask is not None:
            keep = xp.asarray(getattr(mask, "data", mask))
            keep = keep if keep.dtype == bool else keep > 0.5
            inputs = ops.where(keep, inputs, -1e9)
        outputs = nn.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(keep, outputs, 0.0)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class ELU(Layer):
    """Exponential linear unit: y = x for x > 0, alpha * (exp(x) - 1) otherwise.

    Args:
        alpha: scale of the negative part (default 1.0).
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        return ops.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class PReLU(Layer):
    """Parametric ReLU: y = x for x >= 0, alpha * x otherwise, alpha learned.

    Args:
        alpha_initializer: initializer of the slopes (zeros: starts as a ReLU).
        alpha_regularizer, alpha_constraint: penalty and constraint on alpha.
        shared_axes: axes (1-based, the batch axis is 0) along which one slope
            is shared, e.g. [1, 2] for one slope per channel of an image.

    Weights: `alpha` of the input shape without the batch axis (1 on shared axes).
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)
        self.alpha = None

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for i in self.shared_axes or ():
            if not 1 <= i < len(input_shape):
                raise ValueError(
                    f'Layer "{self.name}" (PReLU): shared_axes entries must be axes 1..'
                    f"{len(input_shape) - 1} of the input. Received: shared_axes={self.shared_axes}, "
                    f"input_shape={tuple(input_shape)}"
                )
            param_shape[i - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f'Layer "{self.name}" (PReLU): every non-shared axis needs a known size. '
                f"Received: input_shape={tuple(input_shape)}, shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(
            shape=tuple(param_shape), name="alpha", initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
        )
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs, training=None):
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": None if self.alpha_regularizer is None
            else regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": None if self.alpha_constraint is None
            else constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
