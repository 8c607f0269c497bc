"""Core layers: Dense, Activation, Lambda, Identity."""
import inspect

from ... import ops
from ...ops import fused as fused_ops
from .. import activations
from .. import constraints
from .. import initializers
from .. import regularizers
from ..saving.serialization_lib import deserialize_function, serialize_function
from .input_spec import InputSpec
from .layer import Layer


def _serialize(module, obj):
    """`module.serialize(obj)` (None passes through)."""
    return None if obj is None else module.serialize(obj)


def serialize_activation(fn):
    """The name of a built-in activation, else a Keras-style reference to the function."""
    try:
        return activations.serialize(fn)
    except ValueError:
        return serialize_function(fn)


class Dense(Layer):
    """A densely connected layer: `output = activation(inputs @ kernel + bias)`.

    It acts on the last axis of its input, so any rank >= 2 works: an input of
    shape (batch, d0, d1) gives an output of shape (batch, d0, units).

    Args:
        units: positive int, the size of the output's last axis.
        activation: activation function or its name (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: penalties on the weights.
        activity_regularizer: penalty on the output.
        kernel_constraint, bias_constraint: constraints applied to the weights
            after each optimizer update.

    Input shape: (batch, ..., input_dim). Output shape: (batch, ..., units).

    Weights: `kernel` (input_dim, units), then `bias` (units,), as Keras.

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(28, 28))
        >>> Dense(128, activation="relu")(x).shape
        (None, 28, 128)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units}"
            )
        kwargs.pop("quantization_config", None)
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f'Layer "{self.name}" (Dense) needs a known last axis to create its kernel. '
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs, training=None):
        fused = activations.fused_name(self.activation, "dense_bias_act")
        if fused is not None and inputs.dtype == self.kernel.dtype:
            # One graph node for matmul, bias and ReLU (ops.fused.dense_bias_act): the bias and
            # ReLU in place on the product, and one masked gradient.
            if inputs.ndim == 2:
                return fused_ops.dense_bias_act(inputs, self.kernel, self.bias, activation=fused)
            lead = inputs.shape[:-1]
            x = fused_ops.dense_bias_act(ops.reshape(inputs, (-1, inputs.shape[-1])), self.kernel, self.bias,
                                         activation=fused)
            return ops.reshape(x, lead + (self.units,))
        if inputs.ndim > 2:
            # One (N*..., in) @ (in, units) product instead of a batch of small ones.
            lead = inputs.shape[:-1]
            x = ops.reshape(ops.matmul(ops.reshape(inputs, (-1, inputs.shape[-1])), self.kernel),
                            lead + (self.units,))
        else:
            x = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": serialize_activation(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize(initializers, self.kernel_initializer),
            "bias_initializer": _serialize(initializers, self.bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self.kernel_regularizer),
            "bias_regularizer": _serialize(regularizers, self.bias_regularizer),
            "kernel_constraint": _serialize(constraints, self.kernel_constraint),
            "bias_constraint": _serialize(constraints, self.bias_constraint),
            "quantization_config": None,
        })
        return config


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: an activation function or its name ('relu', 'softmax', ...).

    Input and output shapes are the same.

    Example:
        >>> Activation("relu")(deepgrad.Tensor([-1.0, 2.0]))  # [0., 2.]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs, training=None):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = serialize_activation(self.activation)
        return config


class Identity(Layer):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


# ---------------------------------------------------------------------------- Lambda


class Lambda(Layer):
    """Wraps an arbitrary expression as a layer: `Lambda(lambda x: x ** 2)`.

    Args:
        function: called as function(inputs, **arguments); it may also take
            `training` (and `mask`) keyword arguments.
        output_shape: the output shape without the batch axis, or a function of
            the input shape; inferred by tracing the function when omitted.
        mask: a mask, or a function (inputs, mask) -> mask.
        arguments: extra keyword arguments for `function`.

    Lambda layers hold no weights: variables created inside `function` are not tracked.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda expects a callable. Received: function={function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            try:
                return super().compute_output_shape(input_shape)
            except Exception as e:
                raise NotImplementedError(
                    f'Layer "{self.name}" (Lambda): could not infer the output shape by running '
                    f"the function on zeros of shape {input_shape} ({type(e).__name__}: {e}). "
                    "Pass the `output_shape` argument."
                ) from e
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        shape = self._output_shape
        if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
            return [(batch,) + tuple(s) for s in shape]
        return (batch,) + tuple(shape)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        config = super().get_config()
        config["function"] = serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (serialize_function(self._output_shape)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = serialize_function(self.mask) if callable(self.mask) else self.mask
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        config = dict(config)
        config["function"] = deserialize_function(config["function"], safe_mode, custom_objects)
        if isinstance(config.get("output_shape"), dict):
            config["output_shape"] = deserialize_function(config["output_shape"], safe_mode, custom_objects)
        elif isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        if isinstance(config.get("mask"), dict):
            config["mask"] = deserialize_function(config["mask"], safe_mode, custom_objects)
        return cls(**config)
