"""Random image augmentation layers: RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomContrast, RandomBrightness, RandomCrop.

Each layer follows Keras 3's two steps, both public so that a transform can be
inspected or replayed:

    transformation = layer.get_random_transformation(images, training=True)
    outputs = layer.transform_images(images, transformation, training=True)

Randomness: every layer owns a `SeedGenerator(seed)` (deepgrad.keras.random),
so a layer built with `seed=s` draws the same sequence of transforms run after
run, while successive calls differ. With `seed=None` the generator is seeded
from deepgrad's global generator (`keras.utils.set_random_seed`).

Training flag, as Keras 3: `call(images, training=True)`. A direct call
`layer(images)`, or `model(images)` without `training`, augments (Keras' call
default); `fit` augments; `predict`, `evaluate` and any call with
`training=False` leave the images unchanged (apart from the output dtype).

Images: (batch, height, width, channels) or one (height, width, channels)
image (channels_last, the default), or channels first with
data_format="channels_first". The geometric layers resample with
`keras.ops.image.affine_transform`: the output pixel (x, y) is read from the
input at (a0 x + a1 y + a2, b0 x + b1 y + b2), so the 8-number rows of the
transforms below are the inverse maps from output to input pixels.
"""
import math
import numbers

from ... import backend
from ...backend import xp
from ...tensor import Tensor
from .. import ops as kops
from ..random import SeedGenerator, uniform
from .layer import Layer
from .reshaping import standardize_data_format

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")
HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


def _numpy(value):
    """A transformation entry (Tensor, array or number) as a NumPy array."""
    return xp.asarray(value.data if isinstance(value, Tensor) else value)


def _check_choice(value, choices, name):
    if value not in choices:
        raise NotImplementedError(f"Unknown `{name}` {value}. Expected of one {choices}.")
    return value


class BaseImageAugmentationLayer(Layer):
    """The shared parts of the random image layers: data format, the layer's
    SeedGenerator, rank checks, Keras' dtype rules and the training switch.

    Subclasses define `get_random_transformation(images, training, seed)` and
    `transform_images(images, transformation, training)`.
    """

    autocast = False  # integer images stay integers until a transform needs floats, as Keras

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.supports_masking = False

    # ---- helpers --------------------------------------------------------------------------
    def _axes(self, ndim):
        """The (height, width) axes of a rank-`ndim` image tensor."""
        return (ndim - 3, ndim - 2) if self.data_format == "channels_last" else (ndim - 2, ndim - 1)

    def _check_images(self, images):
        if images.ndim not in (3, 4):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): expected image tensor to have rank 3 '
                f"(single image) or 4 (batch of images). Received: data.shape={tuple(images.shape)}"
            )

    def _compute(self, images):
        """Images in the layer's compute dtype (float32 by default), as Keras' transforms use them."""
        return images if images.dtype == xp.dtype(self.dtype) else kops.cast(images, self.dtype)

    def _autocast(self, images):
        """Keras casts float inputs to the layer's dtype on call; integer inputs pass unchanged."""
        if images.dtype.kind == "f" and images.dtype != xp.dtype(self.dtype):
            return kops.cast(images, self.dtype)
        return images

    def _batch(self, images):
        return images.shape[0] if images.ndim == 4 else 1

    def _size(self, images):
        h_axis, w_axis = self._axes(images.ndim)
        return images.shape[h_axis], images.shape[w_axis]

    # ---- call -----------------------------------------------------------------------------
    def call(self, inputs, training=True):
        training = True if training is None else bool(training)
        images = inputs if isinstance(inputs, Tensor) else kops.convert_to_tensor(inputs)
        self._check_images(images)
        images = self._autocast(images)
        transformation = self.get_random_transformation(images, training=training)
        return self.transform_images(images, transformation, training=training)

    def get_random_transformation(self, data, training=True, seed=None):
        return None

    def transform_images(self, images, transformation, training=True):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


def _affine(layer, images, transform):
    """`images` resampled through the (batch, 8) transforms with the layer's interpolation and fill."""
    from ..ops import image

    return image.affine_transform(
        images, xp.asarray(transform, dtype=xp.float32), interpolation=layer.interpolation,
        fill_mode=layer.fill_mode, fill_value=layer.fill_value, data_format=layer.data_format,
    )


def _unbatched_affine(layer, images, transform):
    single = images.ndim == 3
    x = kops.expand_dims(images, 0) if single else images
    out = _affine(layer, x, _numpy(transform).reshape(-1, 8))
    return kops.squeeze(out, 0) if single else out


def _check_fill(layer, fill_mode, interpolation, fill_value):
    layer.fill_mode = _check_choice(fill_mode, _FILL_MODES, "fill_mode")
    layer.interpolation = _check_choice(interpolation, _INTERPOLATIONS, "interpolation")
    layer.fill_value = fill_value


# ---------------------------------------------------------------------------------- flip


class RandomFlip(BaseImageAugmentationLayer):
    """Randomly flips images left-right and/or top-bottom while training.

    Each image is flipped with probability 1/2 (a uniform draw u <= 0.5). With
    mode "horizontal_and_vertical" the one draw flips both axes together, as
    Keras 3 does (the image is rotated by 180 degrees or left alone).

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or
            "horizontal_and_vertical" (default).
        seed: int, the layer's reproducible sequence of flips.
        data_format: "channels_last" (default) or "channels_first".

    Input: (batch, height, width, channels) or (height, width, channels).
    Output: the same shape, in the layer's dtype (float32), also at inference.

    Example:
        >>> flip = RandomFlip("horizontal", seed=1)
        >>> out = flip(images, training=True)
    """

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(
                f"RandomFlip layer {self.name} received an unknown mode argument {mode}"
            )
        self.mode = mode

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        shape = (1, 1, 1) if data.ndim == 3 else (data.shape[0], 1, 1, 1)
        draws = uniform(shape, seed=self.generator if seed is None else seed)
        return {"flips": draws.data <= 0.5, "input_shape": tuple(data.shape)}

    def transform_images(self, images, transformation, training=True):
        images = self._compute(images)
        if not training or transformation is None:
            return images
        flips = _numpy(transformation["flips"]).astype(bool)
        h_axis, w_axis = self._axes(images.ndim)
        out = images
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            out = kops.where(flips, kops.flip(out, axis=w_axis), out)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            out = kops.where(flips, kops.flip(out, axis=h_axis), out)
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"seed": self.seed, "mode": self.mode})
        return config


# ---------------------------------------------------------------------------------- factors


def _factor_error(factor, bounds):
    return ValueError(
        "The `factor` argument should be a number (or a list of two numbers) in the range "
        f"[{bounds[0]}, {bounds[1]}]. Received: factor={factor}"
    )


def _base_factor(factor, bounds):
    """Keras' (lower, upper) from a number f (-> (max(-|f|, low), |f|)) or a pair (sorted)."""
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise _factor_error(factor, bounds)
        lower, upper = sorted(factor)
    elif isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise _factor_error(factor, bounds)
        factor = abs(factor)
        lower, upper = max(-factor, bounds[0]), factor
    else:
        raise _factor_error(factor, bounds)
    return lower, upper


def _range_factor(factor, name, closed_low, message):
    """(lower, upper) of a zoom/translation factor: f -> (-|f|, |f|), pairs sorted; each in the range."""
    def check(v):
        if v > 1.0 or (v < -1.0 if closed_low else v <= -1.0):
            raise ValueError(message + f"Received: input_number={v}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        check(factor)
        return -abs(factor), abs(factor)
    raise ValueError(message + f"Received: {name}={factor}")


# ---------------------------------------------------------------------------------- rotation


def affine_matrix(angle, height, width, center=(0.5, 0.5)):
    """Keras' (batch, 8) inverse maps of rotations by `angle` degrees (counter-clockwise
    for a positive angle) about the point (center_x (width - 1), center_y (height - 1)):

        a0 = cos t, a1 = -sin t, a2 = cx - cx a0 - cy a1
        b0 = sin t, b1 =  cos t, b2 = cy - cx b0 - cy b1

    computed in float32 as Keras does.
    """
    angle = xp.asarray(angle, dtype=xp.float32).reshape(-1)
    theta = angle * xp.float32(math.pi / 180.0)
    cx = xp.float32(center[0]) * (xp.float32(width) - 1)
    cy = xp.float32(center[1]) * (xp.float32(height) - 1)
    cos, sin = xp.cos(theta), xp.sin(theta)
    a0, a1 = cos, -sin
    b0, b1 = sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zeros = xp.zeros_like(a0)
    return xp.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(xp.float32)


class RandomRotation(BaseImageAugmentationLayer):
    """Randomly rotates images about their centre while training.

    Each image is rotated by an angle drawn uniformly from
    [lower * 360, upper * 360] degrees; positive angles turn counter-clockwise.
    factor=(0.25, 0.25) always turns by 90 degrees.

    Args:
        factor: a float f (a fraction of a full turn: the range [-f, f]) or a
            pair (lower, upper), each within [-1, 1].
        fill_mode: how points outside the image are filled: "reflect"
            (default, d c b a | a b c d | d c b a), "wrap", "constant" (with
            `fill_value`) or "nearest".
        interpolation: "bilinear" (default) or "nearest".
        seed: int, the layer's reproducible sequence of angles.
        fill_value: the value of outside points with fill_mode="constant".
        data_format: "channels_last" (default) or "channels_first".

    Input: (batch, height, width, channels) or one image. Output: the same
    shape in the layer's dtype (float32), also at inference.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _base_factor(factor or 0.0, (-1, 1))
        _check_fill(self, fill_mode, interpolation, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        height, width = self._size(data)
        batch = self._batch(data)
        angle = uniform((batch,), minval=self.factor[0] * 360.0, maxval=self.factor[1] * 360.0,
                        seed=self.generator if seed is None else seed)
        matrix = affine_matrix(angle.data, height, width)
        if data.ndim == 3:
            matrix = matrix[0]
        return {"angle": angle.data, "rotation_matrix": matrix, "image_height": height,
                "image_width": width, "batch_size": batch}

    def transform_images(self, images, transformation, training=True):
        images = self._compute(images)
        if not training or transformation is None:
            return images
        return _unbatched_affine(self, images, transformation["rotation_matrix"])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "interpolation": self.interpolation, "seed": self.seed})
        return config


# ---------------------------------------------------------------------------------- zoom

_ZOOM_ERROR = ("The `height_factor` and `width_factor` arguments should be a number (or a list of two "
               "numbers) in the range (-1.0, 1.0]. ")


def zoom_matrix(zooms, height, width):
    """(batch, 8) inverse maps of zooms (batch, 2) = (zoom_x, zoom_y) about the image centre:
    the output pixel x reads the input at zoom_x x + (width - 1) / 2 (1 - zoom_x); a zoom
    above 1 shows more of the image (zooms out)."""
    zooms = xp.asarray(zooms, dtype=xp.float32).reshape(-1, 2)
    zx, zy = zooms[:, 0], zooms[:, 1]
    x_offset = (xp.float32(width) - 1) / 2 * (1 - zx)
    y_offset = (xp.float32(height) - 1) / 2 * (1 - zy)
    zeros = xp.zeros_like(zx)
    return xp.stack([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1).astype(xp.float32)


class RandomZoom(BaseImageAugmentationLayer):
    """Randomly zooms each image in or out while training (about its centre).

    The height is scaled by a draw z from [1 + lower, 1 + upper]: a positive
    factor zooms out (z > 1 shows more of the image), a negative one zooms in.

    Args:
        height_factor: a float f (the range [-f, f]) or a pair (lower, upper),
            each within (-1, 1].
        width_factor: as height_factor, drawn separately; None (default) keeps
            the aspect ratio (the width uses the height's zoom).
        fill_mode, interpolation, seed, fill_value, data_format: as RandomRotation.

    Input: (batch, height, width, channels) or one image. Output: the same
    shape in the layer's dtype (float32), also at inference.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _range_factor(height_factor, "height_factor", False, _ZOOM_ERROR)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _range_factor(width_factor, "width_factor", False, _ZOOM_ERROR)
        _check_fill(self, fill_mode, interpolation, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        seed = self.generator if seed is None else seed
        shape = (self._batch(data), 1)
        height_zoom = uniform(shape, minval=1.0 + self.height_lower, maxval=1.0 + self.height_upper,
                              seed=seed).data
        if self.width_factor is not None:
            width_zoom = uniform(shape, minval=1.0 + self.width_lower, maxval=1.0 + self.width_upper,
                                 seed=seed).data
        else:
            width_zoom = height_zoom
        return {"height_zoom": height_zoom, "width_zoom": width_zoom, "input_shape": tuple(data.shape)}

    def transform_images(self, images, transformation, training=True):
        images = self._compute(images)
        if not training or transformation is None:
            return images
        zooms = xp.concatenate([_numpy(transformation["width_zoom"]).reshape(-1, 1),
                                _numpy(transformation["height_zoom"]).reshape(-1, 1)], axis=1)
        height, width = self._size(images)
        return _unbatched_affine(self, images, zoom_matrix(zooms, height, width))

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                       "fill_value": self.fill_value})
        return config


# ---------------------------------------------------------------------------------- translation

_TRANSLATION_ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the range "
                      "[-1.0, 1.0]. ")


def translation_matrix(translations):
    """(batch, 8) inverse maps of shifts (batch, 2) = (dx, dy) pixels: out(x, y) = in(x - dx, y - dy)."""
    t = xp.asarray(translations, dtype=xp.float32).reshape(-1, 2)
    ones, zeros = xp.ones_like(t[:, 0]), xp.zeros_like(t[:, 0])
    return xp.stack([ones, zeros, -t[:, 0], zeros, ones, -t[:, 1], zeros, zeros], axis=1).astype(xp.float32)


class RandomTranslation(BaseImageAugmentationLayer):
    """Randomly shifts images while training.

    Each image moves down by a draw from [lower, upper] times its height and
    right by a draw from the width's range times its width (negative: up / left).

    Args:
        height_factor: a float f (the range [-f, f]) or a pair (lower, upper),
            fractions of the height within [-1, 1].
        width_factor: the same for the width (required).
        fill_mode, interpolation, seed, fill_value, data_format: as RandomRotation.

    Input: (batch, height, width, channels) or one image. Output: the same
    shape in the layer's dtype (float32), also at inference.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _range_factor(height_factor, "height_factor", True,
                                                             _TRANSLATION_ERROR)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _range_factor(width_factor, "width_factor", True,
                                                           _TRANSLATION_ERROR)
        _check_fill(self, fill_mode, interpolation, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        seed = self.generator if seed is None else seed
        height, width = self._size(data)
        shape = (self._batch(data), 1)
        dy = uniform(shape, minval=self.height_lower, maxval=self.height_upper, seed=seed).data * height
        dx = uniform(shape, minval=self.width_lower, maxval=self.width_upper, seed=seed).data * width
        return {"translations": xp.concatenate([dx, dy], axis=1).astype(xp.float32),
                "input_shape": tuple(data.shape)}

    def transform_images(self, images, transformation, training=True):
        images = self._compute(images)
        if not training or transformation is None:
            return images
        return _unbatched_affine(self, images, translation_matrix(_numpy(transformation["translations"])))

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor,
                       "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                       "fill_value": self.fill_value})
        return config


# ---------------------------------------------------------------------------------- colour


def _value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            "The `value_range` argument should be a list of two numbers. "
            f"Received: value_range={value_range}"
        )
    return value_range


class RandomContrast(BaseImageAugmentationLayer):
    """Randomly adjusts the contrast of each image while training:

        mean = the image's mean over height and width (per channel)
        out = clip((x - mean) * c + mean, value_range[0], value_range[1])

    with c drawn per image from [1 - lower, 1 + upper], (lower, upper) being
    Keras' factor pair: a float f gives (0, f), i.e. c in [1, 1 + f], exactly
    as Keras 3.15 computes it; a pair (a, b) gives c in [1 - a, 1 + b].

    Args:
        factor: a float in [0, 1] or a pair of floats.
        value_range: (low, high) of the pixel values, (0, 255) by default.
        seed: int, the layer's reproducible sequence of factors.
        data_format: "channels_last" (default) or "channels_first".

    Output: float32 while training; at inference the input (float inputs in
    the layer's dtype, integer ones unchanged), as Keras.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _base_factor(factor or 0.0, (0, 1))
        self.value_range = _value_range(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        shape = (1, 1, 1) if data.ndim == 3 else (data.shape[0], 1, 1, 1)
        if not training:
            return {"contrast_factor": xp.zeros(shape, dtype=self.dtype)}
        factor = uniform(shape, minval=1.0 - self.factor[0], maxval=1.0 + self.factor[1], dtype=self.dtype,
                         seed=self.generator if seed is None else seed)
        return {"contrast_factor": factor.data}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        images = self._compute(images)
        h_axis, w_axis = self._axes(images.ndim)
        mean = kops.mean(images, axis=(h_axis, w_axis), keepdims=True)
        factor = _numpy(transformation["contrast_factor"]).astype(images.dtype)
        outputs = (images - mean) * factor + mean
        return kops.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomBrightness(BaseImageAugmentationLayer):
    """Randomly brightens or darkens each image while training:

        out = clip(x + d * (high - low), low, high), d drawn per image from [lower, upper]

    Args:
        factor: a float f (the range [-f, f]) or a pair (lower, upper), within [-1, 1].
        value_range: (low, high) of the pixel values, (0, 255) by default.
        seed: int, the layer's reproducible sequence of shifts.

    Output: the input's dtype (float inputs in the layer's dtype); integer
    images are shifted in float and truncated back (Keras adds the shift cast
    to the integer dtype, which wraps for negative shifts of unsigned images).
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _base_factor(factor or 0.0, (-1, 1))
        self.value_range = sorted(_value_range(value_range))

    def get_random_transformation(self, data, training=True, seed=None):
        shape = (1, 1, 1) if data.ndim == 3 else (data.shape[0], 1, 1, 1)
        if not training:
            return {"rgb_delta": xp.zeros(shape, dtype=xp.float32)}
        delta = uniform(shape, minval=self.factor[0], maxval=self.factor[1],
                        seed=self.generator if seed is None else seed).data
        return {"rgb_delta": delta * xp.float32(self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        delta = _numpy(transformation["rgb_delta"])
        original = images.dtype
        if original.kind != "f":
            images = kops.cast(images, "float32")
        outputs = kops.clip(images + delta.astype(images.dtype), self.value_range[0], self.value_range[1])
        return outputs if outputs.dtype == original else kops.cast(outputs, original)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


# ---------------------------------------------------------------------------------- crop


def _aspect_box(height, width, target_height, target_width):
    """(top, left, crop_height, crop_width) of the largest centred box of the target's aspect ratio."""
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


class RandomCrop(BaseImageAugmentationLayer):
    """Crops a random (height, width) window while training (one window for the whole batch).

    While training on images larger than the target in both axes, the window's
    top-left corner is drawn uniformly; otherwise (and at inference) the
    largest centred window of the target's aspect ratio is taken and resized
    (bilinear) to (height, width), as the Keras documentation states. (Keras
    3.15 itself returns inference inputs uncropped, which breaks the output
    shape it declares; deepgrad keeps the declared shape.)

    Args:
        height, width: the output size.
        seed: int, the layer's reproducible sequence of windows (a random
            one is chosen and stored in the config when None, as Keras).
        data_format: "channels_last" (default) or "channels_first".

    Output: (..., height, width, channels) in the layer's dtype (float32).
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height = int(height)
        self.width = int(width)
        self.seed = seed if seed is not None else int(backend.rng().integers(1, 10**9))

    def _autocast(self, images):
        return images  # Keras does not cast RandomCrop's inputs on call

    def get_random_transformation(self, data, training=True, seed=None):
        height, width = self._size(data)
        if training and height > self.height and width > self.width:
            seed = self.generator if seed is None else seed
            top = int(uniform((), 0.0, float(height - self.height + 1), seed=seed).data)
            left = int(uniform((), 0.0, float(width - self.width + 1), seed=seed).data)
            return top, left
        top, left, _, _ = _aspect_box(height, width, self.height, self.width)
        return top, left

    def transform_images(self, images, transformation, training=True):
        images = self._compute(images)
        height, width = self._size(images)
        if transformation is None:
            transformation = self.get_random_transformation(images, training=False)
        top, left = (int(_numpy(v)) for v in transformation)
        if training:  # Keras slices the target's size from the corner, then resizes a short slice
            crop_h, crop_w = self.height, self.width
        else:
            _, _, crop_h, crop_w = _aspect_box(height, width, self.height, self.width)
        index = [slice(None)] * images.ndim
        h_axis, w_axis = self._axes(images.ndim)
        index[h_axis] = slice(top, top + crop_h)
        index[w_axis] = slice(left, left + crop_w)
        out = images[tuple(index)]
        if out.shape[h_axis] != self.height or out.shape[w_axis] != self.width:
            from ..ops import image

            out = kops.cast(image.resize(out, (self.height, self.width), data_format=self.data_format),
                            self.dtype)
        return out

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis, w_axis = self._axes(len(shape))
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config
