"""Preprocessing layers that live inside a model: Rescaling, Normalization,
Resizing, CenterCrop."""
import math

from ... import ops
from ...backend import xp
from ...tensor import Tensor
from .layer import Layer
from .reshaping import resize_images, standardize_data_format

EPSILON = 1e-7  # Keras' backend.epsilon(): the floor on the standard deviation


class Rescaling(Layer):
    """y = x * scale + offset, e.g. Rescaling(1 / 255) maps pixels to [0, 1].

    Args:
        scale: float, or an array broadcast over the last axes (per channel).
        offset: float or array, added after scaling.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        scale = xp.asarray(self.scale, dtype=inputs.dtype)
        offset = xp.asarray(self.offset, dtype=inputs.dtype)
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()

        def plain(v):
            return xp.asarray(v).tolist() if isinstance(v, (xp.ndarray, Tensor)) else v

        config.update({"scale": plain(self.scale), "offset": plain(self.offset)})
        return config


def _first_batch(batch):
    return batch[0] if isinstance(batch, tuple) else batch


class Normalization(Layer):
    """Standardises features: y = (x - mean) / sqrt(variance).

    The statistics are set directly (`mean`, `variance`) or learned from data
    with `adapt(data)` before training.

    Args:
        axis: the axis (or axes) that keep their own statistics; -1 (default)
            gives one mean and variance per feature; None a single scalar pair.
        mean, variance: optional fixed statistics (broadcast to the kept axes).
        invert: compute the inverse, y = mean + x * sqrt(variance).

    Weights (when not given mean/variance): `mean`, `variance` (non-trainable,
    the shape of the kept axes) and `count`, as Keras.

    Example:
        >>> norm = Normalization()
        >>> norm.adapt(x_train)          # per-feature mean and variance
        >>> model = Sequential([norm, Dense(1)])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self._fixed = None
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if xp.shape(mean) != xp.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same shape. "
                    f"Received: mean shape {xp.shape(mean)} and variance shape {xp.shape(variance)}"
                )
            if len(xp.shape(mean)) > len(self.axis):
                raise ValueError(
                    "The rank of `mean` must be less than or equal to the number of axes "
                    f"({len(self.axis)}). Received: mean shape {xp.shape(mean)} for axis {self.axis}"
                )

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f'Layer "{self.name}" (Normalization): all `axis` values must be in the range '
                f"[-ndim, ndim). Received inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._keep_axis = tuple(sorted(d % ndim for d in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    f'Layer "{self.name}" (Normalization): all `axis` values to be kept must have '
                    f"a known shape. Received axis={self.axis}, inputs.shape={input_shape}, "
                    f"with unknown axis at index {d}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        else:
            mean = xp.asarray(self.input_mean, dtype=self.dtype)
            variance = xp.asarray(self.input_variance, dtype=self.dtype)
            if mean.ndim:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean = mean.reshape(expanded)
                variance = variance.reshape(expanded)
            self._fixed = (xp.broadcast_to(mean, self._broadcast_shape).copy(),
                           xp.broadcast_to(variance, self._broadcast_shape).copy())
        self.built = True

    def adapt(self, data):
        """Compute the mean and variance of `data` over every axis but the kept ones.

        Args:
            data: a NumPy array or tensor, or an iterable of batches (arrays or
                (x, y) tuples, whose x is used), combined exactly.
        """
        if isinstance(data, Tensor):
            data = data.data
        batches = None
        if isinstance(data, xp.ndarray):
            input_shape = data.shape
        elif hasattr(data, "__iter__"):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches)")
            first = _first_batch(first)
            first = first.data if isinstance(first, Tensor) else xp.asarray(first)
            input_shape = first.shape

            def batches_gen():
                yield first
                for b in iterator:
                    b = _first_batch(b)
                    yield b.data if isinstance(b, Tensor) else xp.asarray(b)

            batches = batches_gen()
        else:
            raise TypeError(
                f"Unsupported data type: {type(data)}. `adapt` supports NumPy arrays, tensors and "
                "iterables of batches."
            )
        if not self.built:
            self.build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(
                        f"The layer was built with input_shape={self._build_input_shape}, but adapt() "
                        f"is being called with data with an incompatible shape, data.shape={input_shape}"
                    )
        if self.input_mean is not None:
            raise ValueError(f'Layer "{self.name}": adapt() cannot change a fixed mean and variance')
        if batches is None:
            data = data.astype(xp.float64)
            total_mean = data.mean(axis=self._reduce_axis)
            total_var = data.var(axis=self._reduce_axis)
        else:
            total_mean = xp.zeros(self._mean_and_var_shape)
            total_var = xp.zeros(self._mean_and_var_shape)
            total_count = 0
            for batch in batches:
                batch = batch.astype(xp.float64)
                batch_mean = batch.mean(axis=self._reduce_axis)
                batch_var = batch.var(axis=self._reduce_axis)
                batch_count = math.prod(batch.shape[d] for d in self._reduce_axis)
                total_count += batch_count
                w = batch_count / total_count
                new_mean = total_mean * (1 - w) + batch_mean * w
                total_var = ((total_var + (total_mean - new_mean) ** 2) * (1 - w)
                             + (batch_var + (batch_mean - new_mean) ** 2) * w)
                total_mean = new_mean
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_var)

    def _statistics(self):
        if self._fixed is not None:
            return self._fixed
        return (self.adapt_mean.data.reshape(self._broadcast_shape),
                self.adapt_variance.data.reshape(self._broadcast_shape))

    @property
    def mean(self):
        """The mean in use, broadcast to the input's rank (None before build or adapt)."""
        return Tensor(self._statistics()[0].copy()) if self.built else None

    @property
    def variance(self):
        """The variance in use, broadcast to the input's rank (None before build or adapt)."""
        return Tensor(self._statistics()[1].copy()) if self.built else None

    def call(self, inputs, training=None):
        mean, variance = self._statistics()
        mean = mean.astype(inputs.dtype, copy=False)
        std = xp.maximum(xp.sqrt(variance.astype(inputs.dtype, copy=False)), EPSILON)
        if self.invert:
            return inputs * std + mean
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "invert": self.invert,
            "mean": xp.asarray(self.input_mean).tolist() if self.input_mean is not None else None,
            "variance": xp.asarray(self.input_variance).tolist()
            if self.input_variance is not None else None,
        })
        return config


def _aspect_box(height, width, target_height, target_width):
    """Keras' (start_h, start_w, crop_h, crop_w): the largest centred box of the target's aspect ratio."""
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


class Resizing(Layer):
    """Resizes images to (height, width).

    Args:
        height, width: the output size.
        interpolation: 'bilinear' (default), 'nearest' or 'bicubic' (half-pixel
            centres, as Keras' resize on its torch backend).
        antialias: filter when downsampling ('bilinear' and 'bicubic').
        crop_to_aspect_ratio: crop the largest centred box of the target's
            aspect ratio first, so the image is not distorted.
        pad_to_aspect_ratio: pad (with `fill_value`) to the target's aspect ratio instead.
        data_format: 'channels_last' (default) or 'channels_first'.

    Input: (N, H, W, C) or a single image (H, W, C). Output: (N, height, width, C);
    float images in the layer's dtype, integer images rounded back to their dtype, as Keras.
    """

    autocast = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.data_format = standardize_data_format(data_format)
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        if interpolation not in ("bilinear", "nearest", "bicubic"):
            raise NotImplementedError(
                f"Resizing: interpolation='{interpolation}' is not implemented; use 'bilinear', 'nearest' "
                "or 'bicubic'"
            )
        if fill_mode != "constant":
            raise ValueError(
                f"Resizing: only fill_mode='constant' is supported. Received: fill_mode={fill_mode}"
            )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
        self.built = True

    def call(self, inputs, training=None):
        from ..ops import image

        if inputs.ndim not in (3, 4):
            raise ValueError(
                f'Layer "{self.name}" (Resizing): expects images of rank 3 or 4. '
                f"Received: inputs.shape={inputs.shape}"
            )
        if inputs.dtype.kind == "f" and inputs.dtype != xp.dtype(self.dtype):
            inputs = ops.cast(inputs, self.dtype)  # Keras' autocast: integer images keep their dtype
        return image.resize(
            inputs, (self.height, self.width), interpolation=self.interpolation, antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio, pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_mode=self.fill_mode, fill_value=self.fill_value, data_format=self.data_format,
        )

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if len(shape) == 4:
            h_axis, w_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        else:
            h_axis, w_axis = (0, 1) if self.data_format == "channels_last" else (1, 2)
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "data_format": self.data_format, "height": self.height, "width": self.width,
            "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
            "fill_value": self.fill_value, "antialias": self.antialias,
        })
        return config


class CenterCrop(Layer):
    """Crops the central (height, width) box of images; an image smaller than
    the target is first cropped to the target's aspect ratio and resized
    (bilinear), as Keras.

    Args:
        height, width: the output size.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = height
        self.width = width
        self.data_format = standardize_data_format(data_format)
        self.built = True

    def call(self, inputs, training=None):
        single = inputs.ndim == 3
        x = ops.expand_dims(inputs, 0) if single else inputs
        if x.ndim != 4:
            raise ValueError(
                f'Layer "{self.name}" (CenterCrop): expects images of rank 3 or 4. '
                f"Received: inputs.shape={inputs.shape}"
            )
        h_axis, w_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        height, width = x.shape[h_axis], x.shape[w_axis]
        index = [slice(None)] * 4
        if height >= self.height and width >= self.width:
            h0, w0 = (height - self.height) // 2, (width - self.width) // 2
            index[h_axis], index[w_axis] = slice(h0, h0 + self.height), slice(w0, w0 + self.width)
            out = x[tuple(index)]
        else:
            h0, w0, ch, cw = _aspect_box(height, width, self.height, self.width)
            index[h_axis], index[w_axis] = slice(h0, h0 + ch), slice(w0, w0 + cw)
            out = resize_images(x[tuple(index)], (self.height, self.width), "bilinear", self.data_format)
        return ops.squeeze(out, 0) if single else out

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if len(shape) == 4:
            h_axis, w_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        elif len(shape) == 3:
            h_axis, w_axis = (0, 1) if self.data_format == "channels_last" else (1, 2)
        else:
            raise ValueError(
                f'Layer "{self.name}" (CenterCrop): expects images of rank 3 or 4. '
                f"Received: input_shape={tuple(input_shape)}"
            )
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config
