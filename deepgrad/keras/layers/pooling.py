"""Pooling layers: max and average pooling over windows, and global pooling.

Windowed pooling uses deepgrad.ops.pooling (channels-last, TensorFlow's 'same'
padding: max pooling ignores padded cells, average pooling divides by the real
cells of each window). Output size along an axis of length n, pool p, stride s:
(n - p) // s + 1 for 'valid', ceil(n / s) for 'same'.
"""
from ... import ops
from ...backend import xp
from ...ops import pooling as pool_ops
from ...tensor import Tensor
from .convolutional import check_data_format, standardize_padding, standardize_tuple
from .input_spec import InputSpec
from .layer import Layer


class _Pooling(Layer):
    """Max or average pooling over `rank` spatial axes."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else standardize_tuple(strides, self.rank, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs, training=None):
        if self.rank == 1:
            fn = pool_ops.max_pool1d if self.mode == "max" else pool_ops.avg_pool1d
            return fn(inputs, self.pool_size[0], self.strides[0], self.padding)
        fn = pool_ops.max_pool2d if self.mode == "max" else pool_ops.avg_pool2d
        return fn(inputs, self.pool_size, self.strides, self.padding)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = []
        for n, p, s in zip(input_shape[1:-1], self.pool_size, self.strides):
            if n is None:
                spatial.append(None)
            elif self.padding == "valid":
                spatial.append((n - p) // s + 1)
            else:
                spatial.append((n - 1) // s + 1)
        if any(n is not None and n < 1 for n in spatial):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): the pool window is larger than the input, '
                f"so the output size would be zero or negative. Received: input_shape={input_shape}, "
                f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"
            )
        return (input_shape[0],) + tuple(spatial) + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update({
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        })
        return config


class MaxPooling2D(_Pooling):
    """Max over each (pool_height, pool_width) window of an image batch.

    Args:
        pool_size: int or pair, the window size.
        strides: int, pair, or None (the pool size).
        padding: 'valid' or 'same'.
        data_format: 'channels_last' (or None).

    Input shape: (batch, height, width, channels).
    Output shape: (batch, pooled_height, pooled_width, channels).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(26, 26, 32))
        >>> MaxPooling2D()(x).shape
        (None, 13, 13, 32)
    """

    rank = 2
    mode = "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over each window of an image batch (for 'same', over the real cells only).

    Args: as MaxPooling2D. Input shape (batch, height, width, channels).
    """

    rank = 2
    mode = "average"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class MaxPooling1D(_Pooling):
    """Max over each window of `pool_size` steps of a sequence batch.

    Args:
        pool_size: int. strides: int or None (the pool size). padding: 'valid' or 'same'.

    Input shape: (batch, steps, features). Output shape: (batch, pooled_steps, features).
    """

    rank = 1
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over each window of `pool_size` steps of a sequence batch.

    Args: as MaxPooling1D. Input shape (batch, steps, features).
    """

    rank = 1
    mode = "average"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class _GlobalPooling(Layer):
    """Mean or max over every spatial axis."""

    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    @property
    def _axes(self):
        return tuple(range(1, self.rank + 1))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: (batch, height, width, channels) -> (batch, channels).

    Args:
        data_format: 'channels_last' (or None).
        keepdims: keep the spatial axes with size 1: (batch, 1, 1, channels).
    """

    rank = 2

    def call(self, inputs, training=None):
        return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width: (batch, height, width, channels) -> (batch, channels).

    Args: as GlobalAveragePooling2D.
    """

    rank = 2

    def call(self, inputs, training=None):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps: (batch, steps, features) -> (batch, features).

    Args:
        data_format: 'channels_last' (or None).
        keepdims: keep the steps axis with size 1: (batch, 1, features).

    Call arguments:
        mask: optional (batch, steps) booleans; masked steps are left out of the mean.
    """

    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None, training=None):
        if mask is None:
            return ops.mean(inputs, axis=1, keepdims=self.keepdims)
        keep = xp.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)[..., None]
        # where, not a product: padded steps holding inf or nan must not leak into the mean
        total = ops.sum(ops.where(keep, inputs, 0.0), axis=1, keepdims=self.keepdims)
        return total / keep.sum(axis=1, keepdims=self.keepdims).astype(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps: (batch, steps, features) -> (batch, features).

    Args: as GlobalAveragePooling1D (no mask).
    """

    rank = 1

    def call(self, inputs, training=None):
        return ops.max(inputs, axis=1, keepdims=self.keepdims)


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
