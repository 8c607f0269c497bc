"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization,
GroupNormalization.

BatchNormalization, as Keras 3:
    training (training=True and layer.trainable):
        mean, var = the mean and biased variance of this batch over every axis but `axis`
        y = gamma (x - mean) / sqrt(var + epsilon) + beta
        moving_mean     <- moving_mean * momentum + mean * (1 - momentum)
        moving_variance <- moving_variance * momentum + var * (1 - momentum)
    inference (otherwise, including a frozen layer called with training=True):
        y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta
LayerNormalization: the same formula with the statistics of each example over `axis`.
UnitNormalization: x / ||x|| over `axis` (the norm floored at 1e-12).
GroupNormalization: the channels split into `groups`; each example normalized with the mean and
    variance of each group (over its channels and every non-batch axis), then scaled and shifted
    per channel.
"""
from ... import ops
from ...backend import xp
from ...ops import nn
from ...tensor import Tensor, no_grad
from .. import constraints
from .. import initializers
from .. import regularizers
from .input_spec import InputSpec
from .layer import Layer

_MASK_EPSILON = 1e-7  # Keras' backend.epsilon(), added to the masked counts


def _serialize(module, obj):
    """`module.serialize(obj)`, None passing through."""
    return None if obj is None else module.serialize(obj)


def _set_affine(layer, center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                beta_constraint, gamma_constraint):
    """The arguments of a normalization's learned shift (beta) and scale (gamma), as the layer's attributes."""
    layer.center = bool(center)
    layer.scale = bool(scale)
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def _affine_config(layer):
    """The serialized initializers, regularizers and constraints of beta and gamma, in Keras' key order."""
    return {
        "beta_initializer": _serialize(initializers, layer.beta_initializer),
        "gamma_initializer": _serialize(initializers, layer.gamma_initializer),
        "beta_regularizer": _serialize(regularizers, layer.beta_regularizer),
        "gamma_regularizer": _serialize(regularizers, layer.gamma_regularizer),
        "beta_constraint": _serialize(constraints, layer.beta_constraint),
        "gamma_constraint": _serialize(constraints, layer.gamma_constraint),
    }


def _check_axes(layer, axes, input_shape):
    """Each axis within the rank of `input_shape`, else a ValueError naming the layer."""
    rank = len(input_shape)
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(
                f'Layer "{layer.name}" ({type(layer).__name__}): axis {a} is out of bounds for an input '
                f"of rank {rank}. Received: axis={layer.axis}, input_shape={tuple(input_shape)}"
            )


class BatchNormalization(Layer):
    """Normalizes each channel with the batch's statistics while training and
    with their moving averages at inference, then scales and shifts.

    Args:
        axis: the channel axis (features), -1 for channels-last images and dense outputs.
        momentum: of the moving averages.
        epsilon: added to the variance.
        center: add the learned offset `beta`.
        scale: multiply by the learned `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initial values of the four weights.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint:
            as for other layers' weights.

    Call arguments:
        training: True uses (and updates the moving averages from) the batch's
            statistics; False or None uses the moving averages. A layer with
            `trainable = False` always uses the moving averages, as in Keras 3.
        mask: optional booleans of the input's shape without the last axis;
            masked positions are left out of the batch statistics.

    Input and output shapes are the same.
    Weights: `gamma`, `beta` (trainable, when scale / center), then `moving_mean`,
    `moving_variance` (non-trainable), each shaped (channels,).

    Example:
        >>> bn = BatchNormalization()
        >>> y = bn(x, training=True)   # normalizes with x's statistics
        >>> y = bn(x)                  # uses the moving averages
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(
                    f"BatchNormalization normalizes one channel axis (an int). Received: axis={axis}"
                )
            axis = axis[0]
        self.axis = int(axis)
        if renorm:
            raise ValueError(
                "BatchNormalization: batch renormalization (renorm=True) is not implemented in deepgrad. "
                "Received: renorm=True"
            )
        if synchronized:
            raise ValueError(
                "BatchNormalization: synchronized=True is only supported by Keras' TensorFlow backend. "
                "Received: synchronized=True"
            )
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        _set_affine(self, center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                    beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.synchronized = False
        self.supports_masking = True
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None
        self._reduction_axes = None

    def build(self, input_shape):
        _check_axes(self, [self.axis], input_shape)
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(
                f'Layer "{self.name}" (BatchNormalization) needs a known size on axis {self.axis} to '
                f"create its weights. Received: input_shape={tuple(input_shape)}"
            )
        shape = (channels,)
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma", shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            )
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=shape, initializer=self.moving_mean_initializer, trainable=False,
        )
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=shape, initializer=self.moving_variance_initializer, trainable=False,
        )
        rank = len(input_shape)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: channels})
        self._reduction_axes = tuple(a for a in range(rank) if a != self.axis % rank)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable:
            if mask is None:
                outputs, mean, variance = nn.batch_norm_train(
                    inputs, self.gamma, self.beta, self._reduction_axes, self.epsilon
                )
            else:
                outputs, mean, variance = self._masked_train(inputs, mask)
            momentum = self.momentum
            with no_grad():
                self.moving_mean.assign(self.moving_mean.data * momentum + mean * (1.0 - momentum))
                self.moving_variance.assign(self.moving_variance.data * momentum + variance * (1.0 - momentum))
            return outputs
        shape = self._broadcast_shape(inputs.ndim)
        gamma, beta = self.gamma, self.beta
        if len(shape) > 1 and shape[-1] == 1:  # channel axis not last: (C,) must become (1, C, 1, ...)
            gamma = None if gamma is None else ops.reshape(gamma, shape)
            beta = None if beta is None else ops.reshape(beta, shape)
        return nn.batch_norm_infer(
            inputs, gamma, beta, self.moving_mean.data.reshape(shape),
            self.moving_variance.data.reshape(shape), self.epsilon,
        )

    def _broadcast_shape(self, ndim):
        shape = [1] * ndim
        shape[self.axis % ndim] = self.moving_mean.shape[0]
        return tuple(shape)

    def _masked_train(self, inputs, mask):
        """Batch statistics over the unmasked positions (mask: the input's shape without the last axis)."""
        axes = self._reduction_axes
        shape = self._broadcast_shape(inputs.ndim)
        m = xp.asarray(mask.data if isinstance(mask, Tensor) else mask)
        if m.ndim != inputs.ndim - 1:
            raise ValueError(
                f'Layer "{self.name}" (BatchNormalization): the mask must have one axis less than the '
                f"inputs. Received: mask.shape={m.shape}, inputs.shape={inputs.shape}"
            )
        weights = xp.broadcast_to(m[..., None], inputs.shape).astype(inputs.dtype)
        count = weights.sum(axis=axes, keepdims=True) + _MASK_EPSILON
        mean = ops.sum(inputs * weights, axis=axes, keepdims=True) / count
        centred = inputs - mean
        masked = centred * weights
        variance = ops.sum(masked * masked, axis=axes, keepdims=True) / count
        scale = 1.0 / ops.sqrt(variance + self.epsilon)
        if self.gamma is not None:
            scale = scale * ops.reshape(self.gamma, shape)
        outputs = centred * scale
        if self.beta is not None:
            outputs = outputs + ops.reshape(self.beta, shape)
        return outputs, mean.data.reshape(-1), variance.data.reshape(-1)

    def compute_output_shape(self, input_shape):
        _check_axes(self, [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": _serialize(initializers, self.beta_initializer),
            "gamma_initializer": _serialize(initializers, self.gamma_initializer),
            "moving_mean_initializer": _serialize(initializers, self.moving_mean_initializer),
            "moving_variance_initializer": _serialize(initializers, self.moving_variance_initializer),
            "beta_regularizer": _serialize(regularizers, self.beta_regularizer),
            "gamma_regularizer": _serialize(regularizers, self.gamma_regularizer),
            "beta_constraint": _serialize(constraints, self.beta_constraint),
            "gamma_constraint": _serialize(constraints, self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return config


class LayerNormalization(Layer):
    """Normalizes each example over `axis` (its own mean and variance), then
    scales and shifts: the same in training and inference.

    Args:
        axis: int or list of ints, the axes normalized over (-1: the features).
        epsilon: added to the variance.
        center: add the learned offset `beta`. scale: multiply by the learned `gamma`.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: of the two weights.

    Input and output shapes are the same.
    Weights: `gamma`, then `beta`, each shaped like the normalized axes.

    Example:
        >>> LayerNormalization()(deepgrad.Tensor([[1.0, 2.0, 3.0]]))  # ~[[-1.22, 0, 1.22]]
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        self.rms_scaling = bool(kwargs.pop("rms_scaling", False))
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                f"LayerNormalization: `axis` must be an int or a list/tuple of ints. Received: axis={axis!r}"
            )
        self.epsilon = epsilon
        _set_affine(self, center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                    beta_constraint, gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None
        self._axes = None

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes(self, axes, input_shape)
        self.axis = sorted(axes)
        rank = len(input_shape)
        self._axes = tuple(sorted({a % rank for a in axes}))
        shape = tuple(input_shape[a] for a in self._axes)
        if any(s is None for s in shape):
            raise ValueError(
                f'Layer "{self.name}" (LayerNormalization) needs known sizes on axes {self.axis} to create '
                f"its weights. Received: input_shape={tuple(input_shape)}"
            )
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma", shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            )
        self.built = True

    def call(self, inputs, training=None):
        if self.rms_scaling:
            # Keras' deprecated option: x / sqrt(var(x) + epsilon) * gamma, no centering.
            full = tuple(inputs.shape[i] if i in self._axes else 1 for i in range(inputs.ndim))
            outputs = inputs / ops.sqrt(ops.var(inputs, axis=self._axes, keepdims=True) + self.epsilon)
            return outputs * ops.reshape(self.gamma, full)
        return nn.layer_norm(inputs, self.gamma, self.beta, self._axes, self.epsilon)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis if isinstance(self.axis, list) else [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            **_affine_config(self),
        })
        return config


class UnitNormalization(Layer):
    """Scales each example to unit L2 norm over `axis`: y = x / max(||x||, 1e-12).

    Args:
        axis: int or list of ints (-1: the features).

    Input and output shapes are the same. No weights.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                f"UnitNormalization: `axis` must be an int or a list/tuple of ints. Received: axis={axis!r}"
            )
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes(self, axes, inputs.shape)
        # Keras floors the norm at 1e-12, i.e. the sum of squares at 1e-24.
        return nn.l2_normalize(inputs, axis=tuple(axes), epsilon=1e-24)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis if isinstance(self.axis, list) else [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class GroupNormalization(Layer):
    """Group normalization (Wu and He, 2018): the channels of each example are
    split into `groups` groups; each group is normalized with its own mean and
    biased variance (over the group's channels and every other non-batch axis),
    then each channel is scaled and shifted:

        x: (N, ..., C) -> (N, ..., groups, C / groups)
        y = gamma (x - mean_g) / sqrt(var_g + epsilon) + beta

    groups=1 normalizes every channel together (LayerNormalization over all
    axes); groups=-1 (or C) normalizes each channel alone (instance norm).
    The same in training and inference.

    Args:
        groups: the number of groups, dividing the channels (32 by default;
            -1 for one group per channel).
        axis: the channel axis (-1, channels last).
        epsilon: added to the variance.
        center: add the learned offset `beta`. scale: multiply by the learned `gamma`.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: of the two weights.

    Input and output shapes are the same. Weights: `gamma`, then `beta`, each (C,).

    Example:
        >>> GroupNormalization(groups=2)(images)   # images (N, H, W, 8): 2 groups of 4 channels
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                "Received an invalid value for argument `groups`, expected a positive integer (or `-1` for "
                f"instance normalization). Received: groups={groups}"
            )
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        _set_affine(self, center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                    beta_constraint, gamma_constraint)
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        _check_axes(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f'Layer "{self.name}" (GroupNormalization): axis {self.axis} of the input should have a '
                f"defined dimension. Received: input_shape={tuple(input_shape)}"
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f'Layer "{self.name}" (GroupNormalization): number of groups ({self.groups}) cannot be more '
                f"than the number of channels ({dim})."
            )
        if dim % self.groups != 0:
            raise ValueError(
                f'Layer "{self.name}" (GroupNormalization): number of groups ({self.groups}) must divide '
                f"the number of channels ({dim})."
            )
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma", shape=(dim,), initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                name="beta", shape=(dim,), initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            )
        self.built = True

    def call(self, inputs, training=None):
        shape = tuple(inputs.shape)
        rank = len(shape)
        axis = self.axis % rank
        channels = shape[axis]
        grouped = shape[:axis] + (self.groups, channels // self.groups) + shape[axis + 1:]
        x = ops.reshape(inputs, grouped)
        reduce = tuple(a for a in range(1, rank + 1) if a != axis)
        mean = ops.mean(x, axis=reduce, keepdims=True)
        centred = x - mean
        variance = ops.mean(centred * centred, axis=reduce, keepdims=True)
        out = centred / ops.sqrt(variance + self.epsilon)
        params = [1] * (rank + 1)
        params[axis], params[axis + 1] = self.groups, channels // self.groups
        if self.gamma is not None:
            out = out * ops.reshape(self.gamma, tuple(params))
        if self.beta is not None:
            out = out + ops.reshape(self.beta, tuple(params))
        return ops.reshape(out, shape)

    def compute_output_shape(self, input_shape):
        _check_axes(self, [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **_affine_config(self),
        })
        return config
