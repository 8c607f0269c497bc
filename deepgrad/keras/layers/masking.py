"""Masking: marks the time steps whose features all equal a padding value."""
from ... import ops
from ...backend import xp
from ...tensor import Tensor
from .layer import Layer


class Masking(Layer):
    """Masks the time steps where every feature equals `mask_value`, for the layers downstream.

    The output is the input with those steps set to 0, and it carries the mask
    `any(inputs != mask_value, axis=-1)`, so recurrent layers skip those steps and
    the loss leaves them out.

    Args:
        mask_value: the padding value (default 0.0).

    Input shape: (batch, timesteps, features) (any rank >= 2). Output shape: the same;
    the mask has the input's shape without the last axis.

    Example:
        >>> x = np.zeros((2, 4, 3), dtype="float32"); x[0, :2] = 1.0
        >>> Masking()(x)._keras_mask   # [[True, True, False, False], [False, ...]]
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def _keep(self, inputs):
        return xp.any(inputs.data != self.mask_value, axis=-1)

    def compute_mask(self, inputs, mask=None):
        return Tensor(self._keep(inputs))

    def call(self, inputs):
        keep = self._keep(inputs)
        outputs = ops.where(keep[..., None], inputs, 0.0)
        outputs._keras_mask = Tensor(keep)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
