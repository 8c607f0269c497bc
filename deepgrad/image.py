"""tf.image: resizing, flips and rotations, crops and pads, dtype conversion, colour
adjustments, random augmentation and image metrics, with TensorFlow 2.21's semantics.

Images are one (height, width, channels) image or a (batch, height, width, channels)
batch (channels last, as TensorFlow). Geometric ops and the colour adjustments are
built from deepgrad ops, so gradients reach the pixels; resizing multiplies by one
interpolation matrix per spatial axis (out = R @ image @ C^T), the matrices holding
TensorFlow's weights (half-pixel centres, its border rules and kernels).

Dtypes follow TensorFlow: `resize` returns float32 (except 'nearest', which keeps
the dtype); `adjust_*` compute in float32 and convert back with `convert_image_dtype`
(saturating), so uint8 images stay uint8.

    import deepgrad as tf
    small = tf.image.resize(images, (64, 64), antialias=True)
    images = tf.image.random_flip_left_right(images, seed=1)

Random ops (random_* and stateless_random_*): `seed=None` draws from the generator behind
tf.random.set_seed; an int seed, or the stateless pair (a, b), draws from a generator seeded
with it, so the same seed gives the same result on every call. The draws are NumPy's, not
TensorFlow's Philox streams: for the same seed the values differ from TensorFlow's.

A name deepgrad lacks fails with "deepgrad does not implement tf.image.<name>".
"""
import builtins

from . import ops
from .backend import rng, xp
from .missing import not_implemented
from .ops.conv import depthwise_conv2d
from .tensor import Tensor, as_tensor

__getattr__ = not_implemented("tf.image")


def _keras_image():
    """keras.ops.image (imported on first use: `import deepgrad` stays light)."""
    from .keras.ops import image

    return image


def _tensor(x):
    return x if isinstance(x, Tensor) else as_tensor(xp.asarray(x))


_EITHER_3_OR_4 = (3, 4)
_AT_LEAST_3 = None  # any rank >= 3


def _images(images, op, ranks=_EITHER_3_OR_4, name="images"):
    """images as a tensor of an accepted rank (a tuple of ranks, or _AT_LEAST_3), else a
    ValueError in TensorFlow's words naming `op` and the shape received."""
    images = _tensor(images)
    if ranks is _AT_LEAST_3:
        ok, expected = images.ndim >= 3, "be at least three-dimensional"
    else:
        ok = images.ndim in ranks
        expected = "have either 3 or 4 dimensions" if ranks == _EITHER_3_OR_4 else f"have {ranks[0]} dimensions"
    if not ok:
        raise ValueError(f"tf.image.{op}: '{name}' must {expected}. Received: shape={tuple(images.shape)}")
    return images


def _batched(images):
    """(the images as a 4-D batch, a function giving a 4-D result back the caller's rank)."""
    if images.ndim == 4:
        return images, lambda out: out
    return ops.reshape(images, (1,) + tuple(images.shape)), lambda out: ops.reshape(out, tuple(out.shape[1:]))


def _dtype(dtype):
    """A NumPy dtype from a deepgrad/NumPy dtype or its name."""
    return xp.dtype(getattr(dtype, "name", dtype) if not isinstance(dtype, xp.dtype) else dtype)


def _int_max(dtype):
    return int(xp.iinfo(dtype).max)


# ----------------------------------------------------------------------------- dtypes


def _saturate_cast(data, dtype):
    """data clipped to dtype's range, then cast (floats to integers truncate toward zero)."""
    if dtype.kind in "iu":
        info = xp.iinfo(dtype)
        low, high = info.min, info.max
        wide = xp.float64 if data.dtype.kind == "f" else xp.int64  # the bounds are exact there
        return xp.clip(data.astype(wide), low, high).astype(dtype)
    return data.astype(dtype)


def _wrap_cast(data, dtype):
    """data cast as C++ casts: floats truncate toward zero, integers wrap around."""
    if dtype.kind in "iu" and data.dtype.kind == "f":
        return xp.trunc(xp.nan_to_num(data)).astype(xp.int64).astype(dtype)
    return data.astype(dtype)


def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Convert image to `dtype`, rescaling values: floats span [0, 1], integers [0, MAX].

    Integer -> float: x * (1 / MAX_in). Float -> integer: trunc(x * (MAX_out + 0.5)),
    wrapping outside the range unless `saturate` (then clipped). Integer -> integer:
    x // ((MAX_in + 1) // (MAX_out + 1)) when narrowing, x * ((MAX_out + 1) // (MAX_in + 1))
    when widening. Float -> float is a plain cast (differentiable). Same dtype: unchanged.
    """
    image = _tensor(image)
    source, target = image.dtype, _dtype(dtype)
    if target.kind not in "iuf" or source.kind not in "iuf":
        raise AttributeError(f"tf.image.convert_image_dtype: image and dtype must be integer or float types. "
                             f"Received: image.dtype={source.name}, dtype={target.name}")
    if source == target:
        return image
    if source.kind == "f" and target.kind == "f":
        return ops.cast(image, target)
    data = image.data
    if source.kind in "iu" and target.kind in "iu":
        scale_in, scale_out = _int_max(source), _int_max(target)
        if scale_in > scale_out:
            scaled = data.astype(xp.int64) // ((scale_in + 1) // (scale_out + 1))
            return as_tensor(_saturate_cast(scaled, target) if saturate else scaled.astype(target))
        cast = _saturate_cast(data, target) if saturate else data.astype(target)
        return as_tensor((cast * ((scale_out + 1) // (scale_in + 1))).astype(target))
    if source.kind in "iu":
        return as_tensor(data.astype(target) * target.type(1.0 / _int_max(source)))
    scaled = data * source.type(_int_max(target) + 0.5)
    return as_tensor(_saturate_cast(scaled, target) if saturate else _wrap_cast(scaled, target))


def _float32_work(image):
    """(float image to compute on, the caller's dtype): float16/float32 as they are, others
    converted to float32 with convert_image_dtype (TensorFlow's adjust_* convention)."""
    image = _tensor(image)
    if image.dtype in (xp.float16, xp.float32):
        return image, image.dtype
    return convert_image_dtype(image, xp.float32), image.dtype


# ----------------------------------------------------------------------------- flips, rotations


def _flip(image, axis, op):
    image = _images(image, op, _AT_LEAST_3, "image")
    index = [builtins.slice(None)] * image.ndim
    index[image.ndim + axis] = builtins.slice(None, None, -1)
    return ops.getitem(image, tuple(index))


def flip_left_right(image):
    """image mirrored along the width axis (-2); any rank >= 3."""
    return _flip(image, -2, "flip_left_right")


def flip_up_down(image):
    """image mirrored along the height axis (-3); any rank >= 3."""
    return _flip(image, -3, "flip_up_down")


def _swap_hw(image):
    axes = list(range(image.ndim))
    axes[-3], axes[-2] = axes[-2], axes[-3]
    return ops.transpose(image, axes)


def transpose(image, name=None):
    """image with height and width swapped: (..., h, w, c) -> (..., w, h, c)."""
    return _swap_hw(_images(image, "transpose", ranks=(3, 4), name="image"))


def rot90(image, k=1, name=None):
    """image rotated by k quarter turns counter-clockwise (as numpy.rot90 on the height and width axes)."""
    image = _images(image, "rot90", name="image")
    k = int(k.data if isinstance(k, Tensor) else k) % 4
    if k == 1:
        return _swap_hw(_flip(image, -2, "rot90"))
    if k == 2:
        return _flip(_flip(image, -2, "rot90"), -3, "rot90")
    if k == 3:
        return _flip(_swap_hw(image), -2, "rot90")
    return image


# ----------------------------------------------------------------------------- crops and pads


def _hw(image):
    return image.shape[-3], image.shape[-2]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """image[..., offset_height:offset_height + target_height, offset_width:offset_width + target_width, :]."""
    image = _images(image, "crop_to_bounding_box", name="image")
    height, width = _hw(image)
    oh, ow, th, tw = (int(v) for v in (offset_height, offset_width, target_height, target_width))
    checks = ((oh >= 0, "offset_height must be >= 0"), (ow >= 0, "offset_width must be >= 0"),
              (th > 0, "target_height must be > 0"), (tw > 0, "target_width must be > 0"),
              (height >= th + oh, "height must be >= target + offset"),
              (width >= tw + ow, "width must be >= target + offset"))
    for ok, message in checks:
        if not ok:
            raise ValueError(f"tf.image.crop_to_bounding_box: {message}. Received: image.shape={tuple(image.shape)}, "
                             f"offset=({oh}, {ow}), target=({th}, {tw})")
    index = (builtins.slice(None),) * (image.ndim - 3) + (builtins.slice(oh, oh + th), builtins.slice(ow, ow + tw))
    return ops.getitem(image, index)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """image zero-padded to (target_height, target_width), with offset_height rows above and
    offset_width columns to the left."""
    image = _images(image, "pad_to_bounding_box", name="image")
    height, width = _hw(image)
    oh, ow, th, tw = (int(v) for v in (offset_height, offset_width, target_height, target_width))
    checks = ((oh >= 0, "offset_height must be >= 0"), (ow >= 0, "offset_width must be >= 0"),
              (th - oh - height >= 0, "height must be <= target - offset"),
              (tw - ow - width >= 0, "width must be <= target - offset"))
    for ok, message in checks:
        if not ok:
            raise ValueError(f"tf.image.pad_to_bounding_box: {message}. Received: image.shape={tuple(image.shape)}, "
                             f"offset=({oh}, {ow}), target=({th}, {tw})")
    widths = [(0, 0)] * (image.ndim - 3) + [(oh, th - oh - height), (ow, tw - ow - width), (0, 0)]
    return ops.pad(image, widths)


def central_crop(image, central_fraction):
    """The central `central_fraction` (in (0, 1]) of the height and width: the border cut
    from each side is int(size * (1 - central_fraction) / 2), as TensorFlow computes it."""
    image = _images(image, "central_crop", name="image")
    fraction = float(central_fraction)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"tf.image.central_crop: central_fraction must be within (0, 1]. "
                         f"Received: central_fraction={central_fraction}")
    if fraction == 1.0:
        return image
    height, width = _hw(image)
    top, left = int((height - height * fraction) / 2), int((width - width * fraction) / 2)
    return crop_to_bounding_box(image, top, left, height - 2 * top, width - 2 * left)


def resize_with_crop_or_pad(image, target_height, target_width):
    """image centred in (target_height, target_width): cropped evenly where larger, zero-padded
    evenly where smaller (the odd pixel goes to the bottom/right)."""
    image = _images(image, "resize_with_crop_or_pad", name="image")
    th, tw = int(target_height), int(target_width)
    if th <= 0 or tw <= 0:
        raise ValueError(f"tf.image.resize_with_crop_or_pad: target size must be positive. "
                         f"Received: target_height={th}, target_width={tw}")
    height, width = _hw(image)
    cropped = crop_to_bounding_box(image, builtins.max((height - th) // 2, 0), builtins.max((width - tw) // 2, 0),
                                   builtins.min(th, height), builtins.min(tw, width))
    return pad_to_bounding_box(cropped, builtins.max((th - height) // 2, 0), builtins.max((tw - width) // 2, 0),
                               th, tw)


# ----------------------------------------------------------------------------- resizing


class ResizeMethod:
    """TensorFlow's resize method names (plain strings, as in TensorFlow)."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


def _keys_cubic(t, a=-0.5):
    t = xp.abs(t)
    return xp.where(t < 1, ((a + 2) * t - (a + 3)) * t * t + 1,
                    xp.where(t < 2, ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, 0.0))


def _lanczos(radius):
    def kernel(t):
        t = xp.abs(t)
        safe = xp.where(t > 1e-3, t, 1.0)
        value = radius * xp.sin(xp.pi * safe) * xp.sin(xp.pi * safe / radius) / (xp.pi ** 2 * safe ** 2)
        return xp.where(t > radius, 0.0, xp.where(t > 1e-3, value, 1.0))

    return kernel, float(radius)


def _mitchell(t):
    t = xp.abs(t)
    near = ((7.0 / 6.0 * t - 2.0) * t) * t + 8.0 / 9.0
    far = (((-7.0 / 18.0) * t + 2.0) * t - 10.0 / 3.0) * t + 16.0 / 9.0
    return xp.where(t < 1, near, xp.where(t < 2, far, 0.0))


# kernel function of the distance in (scaled) pixels, and its radius: TensorFlow's ScaleAndTranslate kernels
_KERNELS = {
    "triangle": (lambda t: xp.maximum(0.0, 1.0 - xp.abs(t)), 1.0),
    "keyscubic": (_keys_cubic, 2.0),
    "mitchellcubic": (_mitchell, 2.0),
    "lanczos3": _lanczos(3),
    "lanczos5": _lanczos(5),
    "gaussian": (lambda t: xp.where(xp.abs(t) < 1.5, xp.exp(-2.0 * t * t), 0.0), 1.5),  # sigma 0.5, radius 3 sigma
}


def _kernel_matrix(n_in, n_out, kernel, antialias):
    """(n_out, n_in) weights of ScaleAndTranslate: output pixel i samples the input at
    s = (i + 0.5) n_in / n_out; input pixel j weighs k((j + 0.5 - s) / w) with w = max(n_in / n_out, 1)
    when antialiasing (the kernel stretched over the pixels that shrink into one), else 1; rows sum to 1."""
    fn, radius = _KERNELS[kernel]
    f32 = xp.float32
    inv_scale = f32(n_in) / f32(n_out)
    width = xp.maximum(inv_scale, f32(1)) if antialias else f32(1)
    sample = _half_pixel(n_in, n_out)
    distance = xp.arange(n_in, dtype=f32)[None, :] + f32(0.5) - sample[:, None]
    weights = xp.where(xp.abs(distance) <= f32(radius) * width, fn(distance / width), 0.0)
    total = weights.sum(axis=1, keepdims=True)
    return xp.where(xp.abs(total) > 0, weights / xp.where(total != 0, total, 1.0), 0.0)


def _half_pixel(n_in, n_out):
    """(i + 0.5) * n_in / n_out for each output pixel i: where its centre falls in the input,
    in float32 as TensorFlow computes it (ties at pixel boundaries depend on it)."""
    f32 = xp.float32
    return (xp.arange(n_out, dtype=f32) + f32(0.5)) * (f32(n_in) / f32(n_out))


def _bilinear_matrix(n_in, n_out):
    """Half-pixel bilinear: s = (i + 0.5) scale - 0.5 between floor(s) and ceil(s), both clamped to the image."""
    sample = _half_pixel(n_in, n_out) - xp.float32(0.5)
    floor = xp.floor(sample)
    frac = sample - floor
    low = xp.clip(floor, 0, n_in - 1).astype(int)
    high = xp.clip(xp.ceil(sample), 0, n_in - 1).astype(int)
    m = xp.zeros((n_out, n_in))
    xp.add.at(m, (xp.arange(n_out), low), 1 - frac)
    xp.add.at(m, (xp.arange(n_out), high), frac)
    return m


def _bicubic_matrix(n_in, n_out):
    """Half-pixel Keys cubic (a = -0.5) on the 4 pixels around s = (i + 0.5) scale - 0.5, the
    fraction rounded to 1/1024 (TensorFlow's weight table); pixels outside weigh 0 and the rest are renormalised."""
    sample = _half_pixel(n_in, n_out) - xp.float32(0.5)
    floor = xp.floor(sample)
    frac = xp.rint((sample - floor) * 1024) / 1024
    m = xp.zeros((n_out, n_in))
    rows = xp.arange(n_out)
    for offset in (-1, 0, 1, 2):
        index = floor.astype(int) + offset
        inside = (index >= 0) & (index < n_in)
        xp.add.at(m, (rows[inside], index[inside]), _keys_cubic(frac - offset)[inside])
    return m / m.sum(axis=1, keepdims=True)


def _area_matrix(n_in, n_out):
    """Box filter: output pixel i averages the input span [i scale, (i + 1) scale), each pixel
    weighted by its overlap with the span."""
    scale = float(xp.float32(n_in) / xp.float32(n_out))
    m = xp.zeros((n_out, n_in))
    for i in range(n_out):
        start, end = i * scale, (i + 1) * scale
        for j in range(int(xp.floor(start)), int(xp.ceil(end))):
            overlap = builtins.min(j + 1, end) - builtins.max(j, start)
            m[i, builtins.min(j, n_in - 1)] += overlap
    return m / scale


def _nearest_index(n_in, n_out):
    """Half-pixel nearest neighbour: the input pixel floor((i + 0.5) scale), clamped."""
    return xp.minimum(xp.floor(_half_pixel(n_in, n_out)).astype(int), n_in - 1)


def _matrix(n_in, n_out, method, antialias):
    if method in ("lanczos3", "lanczos5", "gaussian", "mitchellcubic"):
        return _kernel_matrix(n_in, n_out, method, antialias)
    if method == "bilinear":
        return _kernel_matrix(n_in, n_out, "triangle", True) if antialias else _bilinear_matrix(n_in, n_out)
    if method == "bicubic":
        return _kernel_matrix(n_in, n_out, "keyscubic", True) if antialias else _bicubic_matrix(n_in, n_out)
    return _area_matrix(n_in, n_out)


_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")


def _size(size, op):
    if isinstance(size, Tensor):
        size = size.data.tolist()
    size = [int(s) for s in size]
    if len(size) != 2:
        raise ValueError(f"tf.image.{op}: 'size' must be a 1-D tensor of 2 elements: new_height, new_width. "
                         f"Received: size={size}")
    if size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"tf.image.{op}: 'size' must be positive. Received: size={size}")
    return size


def _resize(images, height, width, method, antialias):
    """A 4-D batch resized to (height, width)."""
    n, h, w, c = images.shape
    if method == "nearest":
        rows, cols = _nearest_index(h, height), _nearest_index(w, width)
        return ops.getitem(ops.getitem(images, (builtins.slice(None), rows)), (builtins.slice(None),
                                                                              builtins.slice(None), cols))
    x = ops.cast(images, xp.float32)
    rows = as_tensor(_matrix(h, height, method, antialias).astype(xp.float32))
    cols = as_tensor(_matrix(w, width, method, antialias).T.astype(xp.float32))
    y = ops.transpose(x, (0, 3, 1, 2))  # (N, C, H, W)
    y = ops.matmul(ops.matmul(rows, y), cols)
    return ops.transpose(y, (0, 2, 3, 1))


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False, antialias=False, name=None):
    """Resize images to size = (new_height, new_width).

    method: 'bilinear', 'nearest', 'bicubic' (Keys, a = -0.5), 'area', 'lanczos3', 'lanczos5',
    'gaussian' or 'mitchellcubic' (a ResizeMethod constant or its string), all with half-pixel
    centres. antialias: when shrinking, widen the kernel by the scale so every input pixel
    counts (not for 'nearest' and 'area'). preserve_aspect_ratio: the largest size that fits
    inside `size` with the image's aspect ratio.

    Returns float32, except 'nearest', which keeps the images' dtype. Differentiable.
    """
    images = _images(images, "resize")
    method = str(method).lower()
    if method not in _METHODS:
        raise ValueError(f"tf.image.resize: Resize method is not implemented: {method}. Expected one of {_METHODS}")
    height, width = _size(size, "resize")
    h, w = _hw(images)
    if preserve_aspect_ratio:
        factor = builtins.min(xp.float32(height) / xp.float32(h), xp.float32(width) / xp.float32(w))
        height = int(xp.round(factor * xp.float32(h)))
        width = int(xp.round(factor * xp.float32(w)))
    batch, restore = _batched(images)
    return restore(_resize(batch, height, width, method, antialias))


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR, antialias=False):
    """image resized to fit (target_height, target_width) with its aspect ratio kept, then
    zero-padded evenly to exactly that size (float32, as resize)."""
    image = _images(image, "resize_with_pad", name="image")
    th, tw = int(target_height), int(target_width)
    if th <= 0 or tw <= 0:
        raise ValueError(f"tf.image.resize_with_pad: target size must be positive. "
                         f"Received: target_height={th}, target_width={tw}")
    height, width = _hw(image)
    f32 = xp.float32
    ratio = builtins.max(f32(width) / f32(tw), f32(height) / f32(th))
    new_h, new_w = f32(height) / ratio, f32(width) / ratio
    top = builtins.max(0, int((f32(th) - new_h) / f32(2)))
    left = builtins.max(0, int((f32(tw) - new_w) / f32(2)))
    resized = resize(image, (int(xp.floor(new_h)), int(xp.floor(new_w))), method=method, antialias=antialias)
    return pad_to_bounding_box(resized, top, left, th, tw)


# ----------------------------------------------------------------------------- standardisation, brightness


def per_image_standardization(image):
    """(x - mean) / max(std, 1 / sqrt(N)) over each image's N = height * width * channels
    values; integer images are cast (not rescaled) to float32. Differentiable."""
    image = _images(image, "per_image_standardization", _AT_LEAST_3, "image")
    if image.dtype.kind != "f":
        image = ops.cast(image, xp.float32)
    axes = (-3, -2, -1)
    count = image.shape[-3] * image.shape[-2] * image.shape[-1]
    mean = ops.mean(image, axis=axes, keepdims=True)
    std = ops.std(image, axis=axes, keepdims=True)
    floor = image.dtype.type(1.0 / xp.sqrt(count))
    return ops.div(ops.sub(image, mean), ops.maximum(std, floor))


def _back(adjusted, dtype):
    return convert_image_dtype(adjusted, dtype, saturate=True)


def adjust_brightness(image, delta):
    """image + delta, in float ([0, 1] for integer images, converted back with saturation)."""
    flt, dtype = _float32_work(image)
    return _back(ops.add(flt, flt.dtype.type(float(delta))), dtype)


def adjust_contrast(images, contrast_factor):
    """(x - mean) * contrast_factor + mean, the mean taken per image and channel over height and width."""
    images = _images(images, "adjust_contrast", _AT_LEAST_3)
    flt, dtype = _float32_work(images)
    mean = ops.mean(flt, axis=(-3, -2), keepdims=True)
    factor = flt.dtype.type(float(contrast_factor))
    return _back(ops.add(ops.mul(ops.sub(flt, mean), factor), mean), dtype)


def adjust_gamma(image, gamma=1, gain=1):
    """gain * x ** gamma (x in [0, 1] for integer images). gamma must be >= 0."""
    if float(gamma) < 0:
        raise ValueError(f"tf.image.adjust_gamma: Gamma should be a non-negative real number. Received: gamma={gamma}")
    flt, dtype = _float32_work(image)
    t = flt.dtype.type
    return _back(ops.mul(t(float(gain)), ops.pow(flt, t(float(gamma)))), dtype)


# ----------------------------------------------------------------------------- colour spaces


def _rgb(images, op):
    images = _tensor(images)
    if images.ndim < 1 or images.shape[-1] != 3:
        raise ValueError(f"tf.image.{op}: the last dimension must be 3 (RGB). Received: shape={tuple(images.shape)}")
    return images


def _channels_last(fn, images):
    """keras.ops.image's rank-3/4 colour conversion applied to any rank >= 1."""
    shape = tuple(images.shape)
    flat = ops.reshape(images, (1, 1, -1, 3))
    return ops.reshape(fn(flat, data_format="channels_last"), shape)


def rgb_to_hsv(images):
    """Float RGB in [0, 1] -> HSV, each of hue, saturation, value in [0, 1]."""
    images = _rgb(images, "rgb_to_hsv")
    if images.dtype.kind != "f":
        raise TypeError(f"tf.image.rgb_to_hsv: images must be a float tensor. Received: dtype={images.dtype.name}")
    return _channels_last(_keras_image().rgb_to_hsv, images)


def hsv_to_rgb(images):
    """Float HSV in [0, 1] -> RGB."""
    images = _rgb(images, "hsv_to_rgb")
    if images.dtype.kind != "f":
        raise TypeError(f"tf.image.hsv_to_rgb: images must be a float tensor. Received: dtype={images.dtype.name}")
    return _channels_last(_keras_image().hsv_to_rgb, images)


def rgb_to_grayscale(images):
    """0.2989 R + 0.5870 G + 0.1140 B with a last axis of size 1, computed in float32 and
    converted back to the images' dtype."""
    images = _rgb(images, "rgb_to_grayscale")
    flt = convert_image_dtype(images, xp.float32)
    weights = as_tensor(xp.array([[0.2989], [0.5870], [0.1140]], dtype=xp.float32))
    return convert_image_dtype(ops.matmul(flt, weights), images.dtype)


def grayscale_to_rgb(images):
    """The single channel repeated three times: (..., 1) -> (..., 3)."""
    images = _tensor(images)
    if images.ndim < 2 or images.shape[-1] != 1:
        raise ValueError(f"tf.image.grayscale_to_rgb: the last dimension must be 1. "
                         f"Received: shape={tuple(images.shape)}")
    return ops.concat([images] * 3, axis=-1)


_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617], [0.114, -0.32134392, 0.31119955]]
_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512], [0.114, 0.43601035, -0.10001026]]
# TensorFlow's (rounded) inverses of the two
_YIQ_INVERSE = [[1.0, 1.0, 1.0], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]]
_YUV_INVERSE = [[1.0, 1.0, 1.0], [0.0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0.0]]


def _linear_colour(images, matrix, op):
    """images' last axis (RGB or YIQ/YUV, floats) times a 3x3 colour matrix."""
    images = _rgb(images, op)
    if images.dtype.kind != "f":
        raise TypeError(f"tf.image.{op}: images must be a float tensor. Received: dtype={images.dtype.name}")
    return ops.matmul(images, as_tensor(xp.asarray(matrix, dtype=images.dtype)))


def rgb_to_yiq(images):
    """RGB -> YIQ: the last axis times TensorFlow's 3x3 YIQ matrix."""
    return _linear_colour(images, _YIQ, "rgb_to_yiq")


def yiq_to_rgb(images):
    """YIQ -> RGB: the last axis times TensorFlow's (rounded) inverse of the YIQ matrix."""
    return _linear_colour(images, _YIQ_INVERSE, "yiq_to_rgb")


def rgb_to_yuv(images):
    """RGB -> YUV: the last axis times TensorFlow's 3x3 YUV matrix."""
    return _linear_colour(images, _YUV, "rgb_to_yuv")


def yuv_to_rgb(images):
    """YUV -> RGB: the last axis times TensorFlow's (rounded) inverse of the YUV matrix."""
    return _linear_colour(images, _YUV_INVERSE, "yuv_to_rgb")


def _hsv_adjust(image, op, change):
    """image (RGB) -> HSV in float32, `change(hue, saturation, value)`, -> RGB -> the image's dtype."""
    image = _rgb(image, op)
    flt, dtype = _float32_work(image)
    hsv = rgb_to_hsv(ops.cast(flt, xp.float32))
    planes = [ops.getitem(hsv, (Ellipsis, builtins.slice(i, i + 1))) for i in range(3)]
    rgb = hsv_to_rgb(ops.concat(list(change(*planes)), axis=-1))
    return _back(ops.cast(rgb, flt.dtype), dtype)


def adjust_saturation(image, saturation_factor):
    """Saturation (in HSV) times saturation_factor, clipped to [0, 1]."""
    factor = xp.float32(float(saturation_factor))
    return _hsv_adjust(image, "adjust_saturation", lambda h, s, v: (h, ops.clip(ops.mul(s, factor), 0.0, 1.0), v))


def adjust_hue(image, delta):
    """Hue (in HSV) rotated by delta (in [-1, 1]; a full turn is 1)."""
    delta = float(delta)
    if not -1.0 <= delta <= 1.0:
        raise ValueError(f"tf.image.adjust_hue: delta must be in the interval [-1, 1]. Received: delta={delta}")

    def rotate(h, s, v):
        shifted = ops.add(h, xp.float32(delta))
        return ops.sub(shifted, xp.floor(shifted.data)), s, v  # hue mod 1; the floor is a constant

    return _hsv_adjust(image, "adjust_hue", rotate)


# ----------------------------------------------------------------------------- gradients and metrics


def image_gradients(image):
    """(dy, dx): forward differences image[y+1] - image[y] and image[x+1] - image[x] of a 4-D
    batch, zero on the last row (dy) and last column (dx); same shape as image."""
    image = _images(image, "image_gradients", (4,), "image")
    all_ = builtins.slice(None)
    dy = ops.sub(ops.getitem(image, (all_, builtins.slice(1, None))), ops.getitem(image, (all_, builtins.slice(0, -1))))
    dx = ops.sub(ops.getitem(image, (all_, all_, builtins.slice(1, None))),
                 ops.getitem(image, (all_, all_, builtins.slice(0, -1))))
    return (ops.pad(dy, ((0, 0), (0, 1), (0, 0), (0, 0))), ops.pad(dx, ((0, 0), (0, 0), (0, 1), (0, 0))))


_SOBEL = xp.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


def sobel_edges(image):
    """Sobel gradients of a 4-D batch: (batch, height, width, channels, 2) holding [dy, dx],
    each channel correlated with [[-1, -2, -1], [0, 0, 0], [1, 2, 1]] (dy) and its transpose
    (dx) after reflecting one pixel at the borders. Differentiable."""
    image = _images(image, "sobel_edges", (4,), "image")
    n, h, w, c = image.shape
    if h < 2 or w < 2:
        raise ValueError(f"tf.image.sobel_edges: height and width must be at least 2. Received: shape={(n, h, w, c)}")
    x = image if image.dtype.kind == "f" else ops.cast(image, xp.float32)
    reflect = [xp.concatenate([[1], xp.arange(size), [size - 2]]) for size in (h, w)]
    x = ops.getitem(ops.getitem(x, (builtins.slice(None), reflect[0])),
                    (builtins.slice(None), builtins.slice(None), reflect[1]))
    edges = []
    for kernel in (_SOBEL, _SOBEL.T):
        weights = xp.ascontiguousarray(xp.broadcast_to(kernel[:, :, None, None], (3, 3, c, 1)).astype(x.dtype))
        edges.append(depthwise_conv2d(x, as_tensor(weights), padding="valid"))
    return ops.stack(edges, axis=-1)


def total_variation(images):
    """Sum of |differences| between vertically and horizontally neighbouring pixels: a scalar
    for one image, one value per image of a batch; in the images' dtype."""
    images = _images(images, "total_variation")
    if images.dtype.kind in "bu":
        raise TypeError("tf.image.total_variation: unsigned images are not supported (as in TensorFlow); "
                        f"convert them with convert_image_dtype first. Received: dtype={images.dtype.name}")
    lead = (builtins.slice(None),) * (images.ndim - 3)
    first, rest, all_ = builtins.slice(0, -1), builtins.slice(1, None), builtins.slice(None)
    dy = ops.abs(ops.sub(ops.getitem(images, lead + (rest,)), ops.getitem(images, lead + (first,))))
    dx = ops.abs(ops.sub(ops.getitem(images, lead + (all_, rest)), ops.getitem(images, lead + (all_, first))))
    axes = (-3, -2, -1)
    return ops.cast(ops.add(ops.sum(dy, axis=axes), ops.sum(dx, axis=axes)), images.dtype)


def _metric_inputs(a, b, max_val):
    """a, b and max_val converted to float32 with convert_image_dtype (so uint8 images with max_val 255
    compare as [0, 1] images with max_val 1)."""
    a, b = _tensor(a), _tensor(b)
    if a.dtype != b.dtype:
        raise TypeError(f"tf.image: both images must have the same dtype. Received: {a.dtype.name}, {b.dtype.name}")
    peak = convert_image_dtype(as_tensor(xp.asarray(float(max_val)).astype(a.dtype)), xp.float32)
    return convert_image_dtype(a, xp.float32), convert_image_dtype(b, xp.float32), peak


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio 20 log10(max_val) - 10 log10(mse), the mse over each image's
    last three axes: one float32 value per image."""
    a, b, peak = _metric_inputs(a, b, max_val)
    mse = ops.mean(ops.square(ops.sub(a, b)), axis=(-3, -2, -1))
    ln10 = xp.float32(xp.log(10.0))
    return ops.sub(ops.div(ops.mul(ops.log(peak), xp.float32(20.0)), ln10),
                   ops.mul(ops.log(mse), xp.float32(10.0) / ln10))


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, return_index_map=False):
    """Structural similarity (Wang et al. 2004) with an 11x11 Gaussian window (sigma 1.5) over
    'valid' positions, averaged over positions and channels: one float32 value per image."""
    if return_index_map:
        raise NotImplementedError("deepgrad does not implement tf.image.ssim(return_index_map=True)")
    a = _images(img1, "ssim", name="img1")
    b = _images(img2, "ssim", name="img2")
    a, b, peak = _metric_inputs(a, b, max_val)
    for image, name in ((a, "img1"), (b, "img2")):
        if builtins.min(_hw(image)) < filter_size:
            raise ValueError(f"tf.image.ssim: {name} must be at least filter_size={filter_size} high and wide. "
                             f"Received: shape={tuple(image.shape)}")
    return _keras_image().ssim(a, b, max_val=float(peak.data), filter_size=filter_size, filter_sigma=filter_sigma,
                               k1=k1, k2=k2, data_format="channels_last")


def extract_patches(images, sizes, strides, rates, padding):
    """Patches of a 4-D batch as channels: (batch, out_h, out_w, ph * pw * channels), each patch
    flattened in (row, column, channel) order. sizes, strides, rates are [1, h, w, 1];
    padding 'VALID' or 'SAME'."""
    images = _images(images, "extract_patches", (4,))
    for value, label in ((sizes, "sizes"), (strides, "strides"), (rates, "rates")):
        if len(value) != 4 or value[0] != 1 or value[3] != 1:
            raise ValueError(f"tf.image.extract_patches: {label} must be [1, rows, cols, 1]. Received: {label}={value}")
    padding = str(padding).lower()
    return _keras_image().extract_patches(images, (sizes[1], sizes[2]), (strides[1], strides[2]),
                                          (rates[1], rates[2]), padding, data_format="channels_last")


# ----------------------------------------------------------------------------- random augmentation


def _generator(seed):
    return rng() if seed is None else xp.random.default_rng(int(seed))


def _stateless(seed):
    values = seed.data.tolist() if isinstance(seed, Tensor) else seed
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        raise ValueError(f"tf.image: a stateless seed must be a pair of integers. Received: seed={seed}")
    return xp.random.default_rng([int(v) % 2 ** 63 for v in values])


def _random_flip(image, gen, axis, op):
    image = _images(image, op, name="image")
    if image.ndim == 3:
        return _flip(image, axis, op) if gen.random() < 0.5 else image
    flipped = _flip(image, axis, op)
    mask = (gen.random(image.shape[0]) < 0.5).reshape(-1, 1, 1, 1)
    return ops.where(mask, flipped, image)


def random_flip_left_right(image, seed=None):
    """Each image flipped left-right with probability 1/2 (NumPy's draws: see the module's note on seeds)."""
    return _random_flip(image, _generator(seed), -2, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """Each image flipped upside down with probability 1/2 (NumPy's draws: see the module's note on seeds)."""
    return _random_flip(image, _generator(seed), -3, "random_flip_up_down")


def stateless_random_flip_left_right(image, seed):
    """random_flip_left_right with the generator seeded by the pair `seed` (NumPy's draws, not TensorFlow's)."""
    return _random_flip(image, _stateless(seed), -2, "stateless_random_flip_left_right")


def stateless_random_flip_up_down(image, seed):
    """random_flip_up_down with the generator seeded by the pair `seed`."""
    return _random_flip(image, _stateless(seed), -3, "stateless_random_flip_up_down")


def _random_crop(value, size, gen):
    value = _tensor(value)
    size = [int(s) for s in (size.data.tolist() if isinstance(size, Tensor) else size)]
    if len(size) != value.ndim or any(s > d or s < 0 for s, d in zip(size, value.shape)):
        raise ValueError(f"tf.image.random_crop: Need value.shape >= size, got size={size}, "
                         f"value.shape={tuple(value.shape)}")
    starts = [int(gen.integers(0, d - s + 1)) for s, d in zip(size, value.shape)]
    return ops.getitem(value, tuple(builtins.slice(a, a + s) for a, s in zip(starts, size)))


def random_crop(value, size, seed=None):
    """A window of `size` (one entry per axis of value) at a uniformly drawn offset."""
    return _random_crop(value, size, _generator(seed))


def stateless_random_crop(value, size, seed):
    """random_crop with the generator seeded by the pair `seed`."""
    return _random_crop(value, size, _stateless(seed))


def _check_range(lower, upper, op):
    if upper <= lower:
        raise ValueError(f"tf.image.{op}: upper must be > lower. Received: lower={lower}, upper={upper}")
    if lower < 0:
        raise ValueError(f"tf.image.{op}: lower must be non-negative. Received: lower={lower}")


def _check_delta(max_delta, op, limit=None):
    if max_delta < 0:
        raise ValueError(f"tf.image.{op}: max_delta must be non-negative. Received: max_delta={max_delta}")
    if limit is not None and max_delta > limit:
        raise ValueError(f"tf.image.{op}: max_delta must be <= {limit}. Received: max_delta={max_delta}")


def random_brightness(image, max_delta, seed=None):
    """adjust_brightness by a delta drawn uniformly from [-max_delta, max_delta)."""
    _check_delta(float(max_delta), "random_brightness")
    return adjust_brightness(image, _generator(seed).uniform(-float(max_delta), float(max_delta)))


def stateless_random_brightness(image, max_delta, seed):
    """random_brightness with the generator seeded by the pair `seed`."""
    _check_delta(float(max_delta), "stateless_random_brightness")
    return adjust_brightness(image, _stateless(seed).uniform(-float(max_delta), float(max_delta)))


def random_contrast(image, lower, upper, seed=None):
    """adjust_contrast by a factor drawn uniformly from [lower, upper)."""
    _check_range(float(lower), float(upper), "random_contrast")
    return adjust_contrast(image, _generator(seed).uniform(float(lower), float(upper)))


def stateless_random_contrast(image, lower, upper, seed):
    """random_contrast with the generator seeded by the pair `seed`."""
    _check_range(float(lower), float(upper), "stateless_random_contrast")
    return adjust_contrast(image, _stateless(seed).uniform(float(lower), float(upper)))


def random_saturation(image, lower, upper, seed=None):
    """adjust_saturation by a factor drawn uniformly from [lower, upper)."""
    _check_range(float(lower), float(upper), "random_saturation")
    return adjust_saturation(image, _generator(seed).uniform(float(lower), float(upper)))


def stateless_random_saturation(image, lower, upper, seed):
    """random_saturation with the generator seeded by the pair `seed`."""
    _check_range(float(lower), float(upper), "stateless_random_saturation")
    return adjust_saturation(image, _stateless(seed).uniform(float(lower), float(upper)))


def random_hue(image, max_delta, seed=None):
    """adjust_hue by a delta drawn uniformly from [-max_delta, max_delta), max_delta in [0, 0.5]."""
    _check_delta(float(max_delta), "random_hue", 0.5)
    return adjust_hue(image, _generator(seed).uniform(-float(max_delta), float(max_delta)))


def stateless_random_hue(image, max_delta, seed):
    """random_hue with the generator seeded by the pair `seed`."""
    _check_delta(float(max_delta), "stateless_random_hue", 0.5)
    return adjust_hue(image, _stateless(seed).uniform(-float(max_delta), float(max_delta)))
