"""keras.ops.image: resizing, cropping and padding, colour spaces, patches, geometric
transforms and filters, on differentiable deepgrad ops.

Images are (batch, height, width, channels) or one (height, width, channels) image
(channels_last, Keras' default), or channels first with data_format="channels_first".
Resizing is a product with one interpolation matrix per spatial axis; resampling
(map_coordinates, affine_transform) gathers the neighbouring pixels and weighs them,
so gradients reach the pixels and, for bilinear sampling, the coordinates.

See names.py for the list of names this module provides.
"""
import builtins
import itertools

from ...backend import xp
from ...ops.conv import depthwise_conv2d, patches
from ...ops.elementwise import (
    abs as _abs, add, cast, clip, div, maximum, minimum, mul, sub, where,
)
from ...ops.linalg import matmul
from ...ops.reduce import mean
from ...ops.shape import concat, getitem, pad, reshape, stack, transpose
from ...tensor import Tensor, as_tensor
from . import names as _names
from .common import unimplemented
from .core import convert_to_tensor, slice as _slice


def _data_format(data_format):
    """'channels_last' (for None, keras.config.image_data_format()) or 'channels_first'."""
    if data_format is None:
        from ..config import image_data_format

        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                         f"Received: data_format={data_format}")
    return data_format


def _check_rank(images, name="images"):
    if images.ndim not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: {name}.shape={tuple(images.shape)}")


def _to_nhwc(images, data_format):
    """(images as a 4-D channels-last batch, a function that restores the caller's layout)."""
    unbatched = images.ndim == 3
    if unbatched:
        images = reshape(images, (1,) + tuple(images.shape))
    if data_format == "channels_first":
        images = transpose(images, (0, 2, 3, 1))

    def restore(out):
        if data_format == "channels_first":
            out = transpose(out, (0, 3, 1, 2) + tuple(range(4, out.ndim)))
        if unbatched:
            out = reshape(out, tuple(out.shape[1:]))
        return out

    return images, restore


def _float_images(images):
    """(float images, the original dtype): integer images are computed in float32, as Keras' torch backend."""
    original = images.dtype
    if images.dtype.kind != "f":
        images = cast(images, "float32")
    return images, original


def _back_to(out, original):
    if out.dtype == original:
        return out
    if original.kind in "iu":
        out = as_tensor(xp.round(out.data))
    return cast(out, original)


# ---- colour spaces -------------------------------------------------------------------------


def _channel(images, axis, i):
    index = [builtins.slice(None)] * images.ndim
    index[axis] = i
    return getitem(images, tuple(index))


def rgb_to_grayscale(images, data_format=None):
    """Luma 0.2989 R + 0.587 G + 0.114 B, keeping a channel axis of size 1 (a 1-channel image is copied)."""
    images = convert_to_tensor(images)
    data_format = _data_format(data_format)
    _check_rank(images)
    axis = images.ndim - 1 if data_format == "channels_last" else images.ndim - 3
    if images.shape[axis] not in (1, 3):
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). "
                         f"Received input with shape: images.shape={tuple(images.shape)}")
    if images.shape[axis] == 1:
        return as_tensor(images.data.copy()) if not images.requires_grad else mul(images, 1)
    r, g, b = (_channel(images, axis, i) for i in range(3))
    gray = add(add(mul(r, 0.2989), mul(g, 0.587)), mul(b, 0.114))
    gray = cast(gray, images.dtype)
    return reshape(gray, tuple(images.shape[:axis]) + (1,) + tuple(images.shape[axis + 1:]))


def _float_check(images):
    if images.dtype.kind != "f":
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: images.dtype={images.dtype.name}")


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV (hue, saturation, value), each in [0, 1]."""
    images = convert_to_tensor(images)
    data_format = _data_format(data_format)
    _check_rank(images)
    _float_check(images)
    axis = images.ndim - 1 if data_format == "channels_last" else images.ndim - 3
    eps = xp.finfo(images.dtype).eps
    images = where(xp.abs(images.data) < eps, 0.0, images)
    r, g, b = (_channel(images, axis, i) for i in range(3))
    value = maximum(maximum(r, g), b)
    smallest = minimum(minimum(r, g), b)
    spread = sub(value, smallest)
    positive_value = value.data > 0
    positive_spread = spread.data > 0
    safe_value = where(positive_value, value, 1.0)
    safe_spread = where(positive_spread, spread, 1.0)
    saturation = where(positive_value, div(spread, safe_value), 0.0)
    norm = div(1.0, mul(safe_spread, 6.0))
    hue = where(value.data == g.data, add(mul(norm, sub(b, r)), 2.0 / 6.0),
                add(mul(norm, sub(r, g)), 4.0 / 6.0))
    hue = where(value.data == r.data, mul(norm, sub(g, b)), hue)
    hue = add(where(positive_spread, hue, 0.0), (hue.data < 0).astype(hue.dtype))
    return stack([hue, saturation, value], axis=axis)


def hsv_to_rgb(images, data_format=None):
    """HSV (hue, saturation, value in [0, 1]) to RGB."""
    images = convert_to_tensor(images)
    data_format = _data_format(data_format)
    _check_rank(images)
    _float_check(images)
    axis = images.ndim - 1 if data_format == "channels_last" else images.ndim - 3
    hue, saturation, value = (_channel(images, axis, i) for i in range(3))
    dh = mul(sub(hue, xp.floor(hue.data)), 6.0)  # (hue mod 1) * 6; the floor is a constant
    dr = clip(sub(_abs(sub(dh, 3.0)), 1.0), 0.0, 1.0)
    dg = clip(sub(2.0, _abs(sub(dh, 2.0))), 0.0, 1.0)
    db = clip(sub(2.0, _abs(sub(dh, 4.0))), 0.0, 1.0)
    one_minus_s = sub(1.0, saturation)
    planes = [mul(value, add(one_minus_s, mul(saturation, d))) for d in (dr, dg, db)]
    return stack(planes, axis=axis)


# ---- resizing, cropping, padding ----------------------------------------------------------------


def _cubic(t, a):
    t = xp.abs(t)
    return xp.where(t <= 1, ((a + 2) * t - (a + 3)) * t * t + 1,
                    xp.where(t < 2, ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, 0.0))


def _interpolation_matrix(n_in, n_out, method, antialias):
    """The (n_out, n_in) matrix M with out = M @ in along one axis, as torch's interpolate
    (align_corners=False, half-pixel centres) computes it."""
    scale = n_in / n_out
    m = xp.zeros((n_out, n_in))
    dst = xp.arange(n_out)
    if method == "nearest":
        src = xp.minimum(xp.floor((dst + 0.5) * scale).astype(int), n_in - 1)
        m[dst, src] = 1
        return m
    if antialias and scale > 1:  # a filter stretched over the pixels that shrink into one
        support = (1.0 if method == "bilinear" else 2.0) * scale
        for i in dst:
            centre = scale * (i + 0.5)
            lo = builtins.max(int(centre - support + 0.5), 0)
            hi = builtins.min(int(centre + support + 0.5), n_in)
            t = (xp.arange(lo, hi) - centre + 0.5) / scale
            w = xp.maximum(0, 1 - xp.abs(t)) if method == "bilinear" else _cubic(t, -0.5)
            m[i, lo:hi] = w / w.sum()
        return m
    src = (dst + 0.5) * scale - 0.5
    if method == "bilinear":
        src = xp.maximum(src, 0)
        low = xp.floor(src).astype(int)
        frac = src - low
        high = xp.minimum(low + 1, n_in - 1)
        xp.add.at(m, (dst, low), 1 - frac)
        xp.add.at(m, (dst, high), frac)
        return m
    low = xp.floor(src).astype(int)
    frac = src - low
    for k in range(-1, 3):
        xp.add.at(m, (dst, xp.clip(low + k, 0, n_in - 1)), _cubic(frac - k, -0.75))
    return m


_RESIZE = ("bilinear", "nearest", "bicubic")


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images to `size` = (height, width) with 'bilinear', 'nearest' or 'bicubic'
    interpolation (half-pixel centres, as Keras' torch backend), optionally after cropping
    or padding to the target's aspect ratio. Integer images are rounded back to their dtype.
    """
    data_format = _data_format(data_format)
    if interpolation not in _RESIZE:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one {_RESIZE}. "
                         f"Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is supported. "
                         f"Received: fill_mode={fill_mode}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements (height, width). Received: size={size}")
    out_h, out_w = (int(s) for s in size)
    images = convert_to_tensor(images)
    _check_rank(images)
    images, original = _float_images(images)
    x, restore = _to_nhwc(images, data_format)
    n, height, width, channels = x.shape
    if crop_to_aspect_ratio:
        crop_h = builtins.max(builtins.min(height, int(float(width * out_h) / out_w)), 1)
        crop_w = builtins.max(builtins.min(width, int(float(height * out_w) / out_h)), 1)
        top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
        x = getitem(x, (builtins.slice(None), builtins.slice(top, top + crop_h),
                        builtins.slice(left, left + crop_w)))
    elif pad_to_aspect_ratio:
        pad_h = builtins.max(height, int(float(width * out_h) / out_w))
        pad_w = builtins.max(width, int(float(height * out_w) / out_h))
        top, left = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
        x = pad(x, ((0, 0), (top, top), (left, left), (0, 0)), constant_value=fill_value)
    height, width = x.shape[1], x.shape[2]
    rows = as_tensor(_interpolation_matrix(height, out_h, interpolation, antialias).astype(x.dtype))
    cols = as_tensor(_interpolation_matrix(width, out_w, interpolation, antialias).T.astype(x.dtype))
    y = transpose(x, (0, 3, 1, 2))  # (N, C, H, W)
    y = matmul(matmul(rows, y), cols)
    y = transpose(y, (0, 2, 3, 1))
    if interpolation == "bicubic" and original == xp.uint8:
        y = clip(y, 0, 255)
    return _back_to(restore(y), original)


def _resolve(before, after, target, names):
    """(before, after) from two of before/after/target (Keras' pad and crop arguments)."""
    if [before, after, target].count(None) != 1:
        raise ValueError(f"Must specify exactly two of {', '.join(names)}. Received: {names[0]}={before}, "
                         f"{names[1]}={after}, {names[2]}={target}")
    for value, name in zip((before, after, target), names):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")
    return before, after, target


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """Zero-pad images: give two of (top, bottom, target_height) and two of (left, right, target_width)."""
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    _check_rank(images)
    top, bottom, th = _resolve(top_padding, bottom_padding, target_height,
                               ("top_padding", "bottom_padding", "target_height"))
    left, right, tw = _resolve(left_padding, right_padding, target_width,
                               ("left_padding", "right_padding", "target_width"))
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    height, width = images.shape[h_axis], images.shape[h_axis + 1]
    top = th - bottom - height if top is None else top
    bottom = th - top - height if bottom is None else bottom
    left = tw - right - width if left is None else left
    right = tw - left - width if right is None else right
    for value, name in ((top, "top_padding"), (left, "left_padding"), (right, "right_padding"),
                        (bottom, "bottom_padding")):
        if value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")
    widths = [(0, 0)] * images.ndim
    widths[h_axis], widths[h_axis + 1] = (top, bottom), (left, right)
    return pad(images, widths)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Crop images: give two of (top, bottom, target_height) and two of (left, right, target_width)."""
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    _check_rank(images)
    top, bottom, th = _resolve(top_cropping, bottom_cropping, target_height,
                               ("top_cropping", "bottom_cropping", "target_height"))
    left, right, tw = _resolve(left_cropping, right_cropping, target_width,
                               ("left_cropping", "right_cropping", "target_width"))
    h_axis = images.ndim - 3 if data_format == "channels_last" else images.ndim - 2
    height, width = images.shape[h_axis], images.shape[h_axis + 1]
    top = height - th - bottom if top is None else top
    th = height - bottom - top if th is None else th
    left = width - tw - right if left is None else left
    tw = width - right - left if tw is None else tw
    for value, name in ((top, "top_cropping"), (th, "target_height"), (left, "left_cropping"),
                        (tw, "target_width")):
        if value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")
    starts = [0] * images.ndim
    sizes = list(images.shape)
    starts[h_axis], starts[h_axis + 1] = top, left
    sizes[h_axis], sizes[h_axis + 1] = th, tw
    return _slice(images, starts, sizes)


# ---- patches -----------------------------------------------------------------------------------


def _pair(value, name):
    if isinstance(value, int):
        return value, value
    if len(value) != 2:
        raise TypeError(f"Invalid `{name}` argument. Expected an int or a tuple of length 2. Received: {name}={value}")
    return int(value[0]), int(value[1])


def _same_pads(size, window, stride):
    out = (size + stride - 1) // stride
    total = builtins.max(0, (out - 1) * stride + window - size)
    return total // 2, total - total // 2


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Image patches as channels: (..., out_h, out_w, ph * pw * channels), each patch flattened in
    (row, column, channel) order. 'same' padding is TensorFlow's (extra at the bottom/right)."""
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    ph, pw = _pair(size, "size")
    sh, sw = _pair(strides if strides else (ph, pw), "strides")
    dh, dw = _pair(dilation_rate, "dilation_rate")
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    x, restore = _to_nhwc(images, data_format)
    n, h, w, c = x.shape
    if padding == "same":
        pads = (_same_pads(h, (ph - 1) * dh + 1, sh), _same_pads(w, (pw - 1) * dw + 1, sw))
    elif padding == "valid":
        pads = ((0, 0), (0, 0))
    else:
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding}")
    out_h = (h + sum(pads[0]) - (ph - 1) * dh - 1) // sh + 1
    out_w = (w + sum(pads[1]) - (pw - 1) * dw - 1) // sw + 1
    cols = patches(x, (ph, pw), (sh, sw), (dh, dw), pads)
    return restore(reshape(cols, (n, out_h, out_w, ph * pw * c)))


def _triple(value, name):
    if isinstance(value, int):
        return (value,) * 3
    if len(value) != 3:
        raise ValueError(f"Invalid `{name}` argument. Got: {value}")
    return tuple(int(v) for v in value)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Volume patches as channels: (..., out_d, out_h, out_w, pd * ph * pw * channels), each patch
    flattened in (depth, row, column, channel) order. 'same' padding is TensorFlow's."""
    if not isinstance(size, int) and len(size) != 3:
        raise TypeError(f"Invalid `size` argument. Expected an int or a tuple of length 3. Received: size={size}")
    size = _triple(size, "size")
    strides = _triple(size if strides is None else strides, "strides")
    dilation = _triple(dilation_rate, "dilation_rate")
    data_format = _data_format(data_format)
    volumes = convert_to_tensor(volumes)
    if volumes.ndim not in (4, 5):
        raise ValueError(f"extract_patches_3d expects rank 4 or 5 volumes. Received: volumes.shape={volumes.shape}")
    unbatched = volumes.ndim == 4
    x = reshape(volumes, (1,) + tuple(volumes.shape)) if unbatched else volumes
    if data_format == "channels_first":
        x = transpose(x, (0, 2, 3, 4, 1))
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding}")
    spans = [(k - 1) * d + 1 for k, d in zip(size, dilation)]
    pads = [_same_pads(n, w, st) if padding == "same" else (0, 0)
            for n, w, st in zip(x.shape[1:4], spans, strides)]
    if any(p for pair in pads for p in pair):
        x = pad(x, [(0, 0)] + pads + [(0, 0)])
    starts = [xp.arange((n - w) // st + 1) * st for n, w, st in zip(x.shape[1:4], spans, strides)]
    taps = [xp.arange(k) * d for k, d in zip(size, dilation)]
    # index arrays shaped (oD, oH, oW, pd, ph, pw) by broadcasting
    index = []
    for axis in range(3):
        shape = [1] * 6
        shape[axis], shape[axis + 3] = len(starts[axis]), size[axis]
        index.append((starts[axis][:, None] + taps[axis][None, :]).reshape(
            [len(starts[axis]) if i == axis else 1 for i in range(3)] + [size[axis] if i == axis else 1
                                                                        for i in range(3)]))
    out = getitem(x, (builtins.slice(None),) + tuple(index))  # (N, oD, oH, oW, pd, ph, pw, C)
    n, c = x.shape[0], x.shape[-1]
    out = reshape(out, (n,) + tuple(len(s) for s in starts) + (size[0] * size[1] * size[2] * c,))
    if data_format == "channels_first":
        out = transpose(out, (0, 4, 1, 2, 3))
    if unbatched:
        out = reshape(out, tuple(out.shape[1:]))
    return out


# ---- resampling ---------------------------------------------------------------------------------


def _mirror(index, size):
    s = size - 1
    if s == 0:
        return xp.zeros_like(index)
    return xp.abs((index + s) % (2 * s) - s)


def _fix_index(index, size, fill_mode):
    if fill_mode in ("constant", "nearest"):
        return xp.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "mirror":
        return _mirror(index, size)
    return (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2  # reflect


_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample `inputs` at fractional `coordinates` (one array per axis of inputs): order 0 takes
    the nearest element, order 1 interpolates linearly between neighbours. Points outside are
    fill_value (fill_mode 'constant') or taken from the edge ('nearest'), the tiled input
    ('wrap'), or its reflection ('mirror' about the edge pixels, 'reflect' about the edges).
    Differentiable with respect to inputs and, for order 1, to the coordinates.
    """
    inputs = convert_to_tensor(inputs)
    coords = [convert_to_tensor(c) for c in coordinates]
    if len(coords) != inputs.ndim:
        raise ValueError("First dim of `coordinates` must be the same as the rank of `inputs`. "
                         f"Received inputs with shape: {tuple(inputs.shape)} and coordinate leading dim of "
                         f"{len(coords)}")
    if coords[0].ndim < 1:
        raise ValueError("Invalid coordinates rank: expected at least rank 2. "
                         f"Received input with shape: {(len(coords),) + tuple(coords[0].shape)}")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected one of {set(_FILL_MODES)}. "
                         f"Received: fill_mode={fill_mode}")
    if order not in (0, 1):
        raise NotImplementedError("map_coordinates currently requires order<=1")
    per_axis = []
    for c, size in zip(coords, inputs.shape):
        if order == 0:
            nodes = [(xp.round(c.data).astype(xp.int64) if c.dtype.kind == "f" else c.data.astype(xp.int64), None)]
        else:
            lower = xp.floor(c.data)
            upper_weight = sub(c, lower) if c.dtype.kind == "f" else as_tensor(xp.zeros(c.shape))
            lower_weight = sub(1.0, upper_weight)
            index = lower.astype(xp.int64)
            nodes = [(index, lower_weight), (index + 1, upper_weight)]
        per_axis.append([(_fix_index(i, size, fill_mode), (0 <= i) & (i < size), w) for i, w in nodes])
    integer = inputs.dtype.kind in "biu"
    values = cast(inputs, "float32") if integer else inputs
    total = None
    for combo in itertools.product(*per_axis):
        indices, valids, weights = zip(*combo)
        sample = getitem(values, tuple(indices))
        if fill_mode == "constant":
            valid = valids[0]
            for v in valids[1:]:
                valid = valid & v
            if not valid.all():
                sample = where(valid, sample, as_tensor(xp.asarray(fill_value, dtype=sample.dtype)))
        for w in weights:
            if w is not None:
                sample = mul(w, sample)
        total = sample if total is None else add(total, sample)
    if integer:
        return cast(as_tensor(xp.round(total.data)), inputs.dtype)
    return cast(total, inputs.dtype)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Apply projective transforms [a0, a1, a2, b0, b1, b2, c0, c1]: the output pixel (x, y) is
    sampled from the input at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1.

    transform: (8,) for all images or (batch, 8); interpolation 'nearest' or 'bilinear';
    fill_mode as map_coordinates.
    """
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError("Invalid value for argument `interpolation`. Expected of one {'nearest', 'bilinear'}. "
                         f"Received: interpolation={interpolation}")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected of one {set(_FILL_MODES)}. "
                         f"Received: fill_mode={fill_mode}")
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    transform = convert_to_tensor(transform)
    _check_rank(images)
    if transform.ndim not in (1, 2):
        raise ValueError("Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch of "
                         f"transforms). Received input with shape: transform.shape={tuple(transform.shape)}")
    x, restore = _to_nhwc(images, data_format)
    n, h, w, c = x.shape
    if transform.ndim == 1:
        transform = reshape(transform, (1, 8))
    if transform.shape[0] == 1 and n > 1:
        transform = concat([transform] * n, axis=0)
    order = 0 if interpolation == "nearest" else 1
    ys, xs = xp.meshgrid(xp.arange(h), xp.arange(w), indexing="ij")
    out = []
    for i in range(n):
        t = [getitem(transform, (i, j)) for j in range(8)]
        k = add(add(mul(t[6], xs.astype(transform.dtype)), mul(t[7], ys.astype(transform.dtype))), 1.0)
        col = div(add(add(mul(t[0], xs.astype(transform.dtype)), mul(t[1], ys.astype(transform.dtype))), t[2]), k)
        row = div(add(add(mul(t[3], xs.astype(transform.dtype)), mul(t[4], ys.astype(transform.dtype))), t[5]), k)
        row = reshape(row, (h, w, 1))
        col = reshape(col, (h, w, 1))
        zeros = xp.zeros((h, w, c), dtype=row.dtype)
        chan = xp.broadcast_to(xp.arange(c, dtype=row.dtype), (h, w, c))
        out.append(map_coordinates(getitem(x, i), [add(row, zeros), add(col, zeros), chan], order,
                                   fill_mode, fill_value))
    return restore(stack(out))


def _homography(start, end):
    """The 8 coefficients mapping each end-point grid to its start points, per batch entry (constants)."""
    rows, target = [], []
    for k in range(4):
        sx, sy, ex, ey = start[:, k, 0], start[:, k, 1], end[:, k, 0], end[:, k, 1]
        one, zero = xp.ones_like(ex), xp.zeros_like(ex)
        rows.append(xp.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], axis=-1))
        rows.append(xp.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], axis=-1))
        target += [sx, sy]
    return xp.linalg.solve(xp.stack(rows, axis=1), xp.stack(target, axis=-1)[..., None])[..., 0]


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warp images so that the four `start_points` (x, y) land on the `end_points`
    ((4, 2) or (batch, 4, 2) each); outside points are fill_value. The points define a
    constant homography: gradients reach the images, not the points."""
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError("Invalid value for argument `interpolation`. Expected of one {'nearest', 'bilinear'}. "
                         f"Received: interpolation={interpolation}")
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    _check_rank(images)
    start = xp.asarray(start_points.data if isinstance(start_points, Tensor) else start_points, dtype=xp.float64)
    end = xp.asarray(end_points.data if isinstance(end_points, Tensor) else end_points, dtype=xp.float64)
    for points, name in ((start, "start_points"), (end, "end_points")):
        if points.shape[-2:] != (4, 2) or points.ndim not in (2, 3):
            raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image or (N,4,2) for a batch. "
                             f"Received shape: {points.shape}")
    if start.shape != end.shape:
        raise ValueError("start_points and end_points must have the same shape. "
                         f"Received start_points.shape={start.shape}, end_points.shape={end.shape}")
    coefficients = _homography(start.reshape(-1, 4, 2), end.reshape(-1, 4, 2))
    x, restore = _to_nhwc(images, data_format)
    n, h, w, c = x.shape
    if coefficients.shape[0] == 1 and n > 1:
        coefficients = xp.repeat(coefficients, n, axis=0)
    dtype = x.dtype if x.dtype.kind == "f" else xp.dtype("float32")
    ys, xs = xp.meshgrid(xp.arange(h, dtype=dtype), xp.arange(w, dtype=dtype), indexing="ij")
    order = 0 if interpolation == "nearest" else 1
    out = []
    for i in range(n):
        a = coefficients[i].astype(dtype)
        denom = a[6] * xs + a[7] * ys + 1
        col = (a[0] * xs + a[1] * ys + a[2]) / denom
        row = (a[3] * xs + a[4] * ys + a[5]) / denom
        chan = xp.broadcast_to(xp.arange(c, dtype=dtype), (h, w, c))
        out.append(map_coordinates(getitem(x, i), [xp.broadcast_to(row[..., None], (h, w, c)),
                                                   xp.broadcast_to(col[..., None], (h, w, c)), chan],
                                   order, "constant", fill_value))
    return restore(stack(out))


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Distort images with a random smooth displacement field: each pixel samples the input at
    its position plus alpha * (normal noise * sigma, blurred by a Gaussian of std sigma and
    size int(6 sigma) | 1). `seed` (int, SeedGenerator or None) follows keras.random's rules.
    Differentiable with respect to the images (the field is a constant)."""
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError("Invalid value for argument `interpolation`. Expected of one {'nearest', 'bilinear'}. "
                         f"Received: interpolation={interpolation}")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected of one {set(_FILL_MODES)}. "
                         f"Received: fill_mode={fill_mode}")
    from ..random import normal

    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    _check_rank(images)
    alpha, sigma = float(alpha), float(sigma)
    size = int(6 * sigma) | 1
    x, restore = _to_nhwc(images, data_format)
    n, h, w, c = x.shape
    dtype = x.dtype if x.dtype.kind == "f" else xp.dtype("float32")
    noise = normal((2, n, h, w), dtype=dtype.name, seed=seed).data * sigma
    dy, dx = (gaussian_blur(noise[k][..., None], (size, size), (sigma, sigma), "channels_last").data[..., 0]
              for k in (1, 0))
    ys, xs = xp.meshgrid(xp.arange(h, dtype=dtype), xp.arange(w, dtype=dtype), indexing="ij")
    rows, cols = ys + alpha * dy, xs + alpha * dx
    chan = xp.broadcast_to(xp.arange(c, dtype=dtype), (h, w, c))
    order = 0 if interpolation == "nearest" else 1
    out = [map_coordinates(getitem(x, b), [xp.broadcast_to(rows[b][..., None], (h, w, c)),
                                           xp.broadcast_to(cols[b][..., None], (h, w, c)), chan],
                           order, fill_mode, fill_value) for b in range(n)]
    return cast(restore(stack(out)), images.dtype)


def _triangle(x):
    return xp.maximum(0, 1 - xp.abs(x))


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = xp.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return xp.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * xp.sin(xp.pi * x) * xp.sin(xp.pi * x / radius)
        out = xp.where(x > 1e-3, y / xp.where(x != 0, xp.pi ** 2 * x ** 2, 1), 1)
        return xp.where(x > radius, 0.0, out)

    return kernel


_SCALE_METHODS = {"linear": _triangle, "bilinear": _triangle, "trilinear": _triangle, "triangle": _triangle,
                  "cubic": _keys_cubic, "bicubic": _keys_cubic, "tricubic": _keys_cubic,
                  "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _scale_weights(n_in, n_out, scale, translation, kernel, antialias):
    """The (n_in, n_out) matrix taking one axis to its scaled and translated resampling
    (jax.image.scale_and_translate's), computed in the dtype of scale and translation."""
    dtype = scale.dtype
    inv = 1 / scale
    kernel_scale = xp.maximum(inv, 1) if antialias else dtype.type(1)
    sample = (xp.arange(n_out, dtype=dtype) + 0.5) * inv - translation * inv - 0.5
    w = kernel(xp.abs(sample[None, :] - xp.arange(n_in, dtype=dtype)[:, None]) / kernel_scale)
    total = w.sum(axis=0, keepdims=True)
    w = xp.where(xp.abs(total) > 1000 * float(xp.finfo(xp.float32).eps), w / xp.where(total != 0, total, 1), 0)
    inside = (sample >= -0.5) & (sample <= n_in - 0.5)
    return xp.where(inside[None, :], w, 0).astype(dtype)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    """Resample the `spatial_dims` of images to `output_shape`: out[y] samples the input at
    (y + 0.5 - translation) / scale - 0.5 with the method's kernel ('linear', 'cubic',
    'lanczos3', 'lanczos5'; widened by 1 / scale when shrinking with `antialias`).
    Differentiable with respect to the images (scale and translation are constants)."""
    if method not in _SCALE_METHODS or method == "triangle":
        raise ValueError("Invalid value for argument `method`. Expected of one "
                         f"{set(_SCALE_METHODS) - {'triangle'}}. Received: method={method}")
    x = convert_to_tensor(images)
    scale = convert_to_tensor(scale).data
    translation = convert_to_tensor(translation).data
    dtype = xp.promote_types(scale.dtype, translation.dtype)
    if dtype.kind != "f":
        dtype = xp.dtype("float32")
    scale, translation = scale.astype(dtype).reshape(-1), translation.astype(dtype).reshape(-1)
    integer = x.dtype.kind in "biu"
    out = cast(x, "float32") if integer else x
    for i, d in enumerate(spatial_dims):
        d = d % x.ndim
        w = _scale_weights(x.shape[d], int(output_shape[d]), scale[i], translation[i],
                           _SCALE_METHODS[method], antialias)
        order = [a for a in range(out.ndim) if a != d] + [d]
        out = matmul(transpose(out, order), as_tensor(w.astype(out.dtype)))
        out = transpose(out, [int(a) for a in xp.argsort(order)])
    if integer:
        rounded = xp.clip(xp.round(out.data), x.data.min(), x.data.max())
        return as_tensor(rounded.astype(x.dtype))
    return out


# ---- filters ---------------------------------------------------------------------------------------


def _depthwise(x, kernel2d, pads):
    """Each channel of the (N, H, W, C) batch x correlated with the 2-D kernel, after zero padding."""
    c = x.shape[-1]
    k = xp.broadcast_to(kernel2d[:, :, None, None], kernel2d.shape + (c, 1)).astype(x.dtype)
    if any(p for pair in pads for p in pair):
        x = pad(x, ((0, 0),) + tuple(pads) + ((0, 0),))
    return depthwise_conv2d(x, as_tensor(xp.ascontiguousarray(k)), padding="valid")


def _gaussian_1d(size, sigma, dtype):
    x = xp.arange(size, dtype=dtype) - (size - 1) / 2
    k = xp.exp(-0.5 * (x / xp.asarray(sigma, dtype=dtype)) ** 2)
    return k / k.sum()


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a Gaussian kernel of kernel_size = (height, width) and
    sigma = (along height, along width), zero-padded to keep the size (for odd kernels)."""
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    _check_rank(images)
    kh, kw = int(kernel_size[0]), int(kernel_size[1])
    dtype = images.dtype
    kernel = xp.outer(_gaussian_1d(kw, sigma[1], dtype), _gaussian_1d(kh, sigma[0], dtype)).reshape(kh, kw)
    x, restore = _to_nhwc(images, data_format)
    return restore(_depthwise(x, kernel, ((kh // 2, kh // 2), (kh // 2, kh // 2))))


_SOBEL_Y = xp.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])
_SOBEL_X = _SOBEL_Y.T.copy()


def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel: (batch, height, width, channels, 2) holding [dy, dx]
    (channels first: (batch, channels, height, width, 2)); zero padding at the borders."""
    data_format = _data_format(data_format)
    images = convert_to_tensor(images)
    if images.ndim != 4:
        raise ValueError(f"sobel_edges expects a batch of images (rank 4). Received: images.shape={images.shape}")
    x, restore = _to_nhwc(images, data_format)
    pads = ((1, 1), (1, 1))
    edges = stack([_depthwise(x, _SOBEL_Y, pads), _depthwise(x, _SOBEL_X, pads)], axis=-1)
    return restore(edges)


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Structural similarity of two images (Wang et al. 2004) with a Gaussian window
    (filter_size, filter_sigma; 'valid' positions only), averaged over positions and
    channels: one value per image of a batch, a scalar for one image."""
    data_format = _data_format(data_format)
    image1, image2 = convert_to_tensor(image1), convert_to_tensor(image2)
    _check_rank(image1, "image1")
    _check_rank(image2, "image2")
    original = image1.dtype
    compute = original if original.kind == "f" else xp.dtype("float32")
    image1, image2 = cast(image1, compute), cast(image2, compute)
    x1, restore = _to_nhwc(image1, data_format)
    x2, _ = _to_nhwc(image2, data_format)
    g = _gaussian_1d(filter_size, filter_sigma, compute)
    kernel = xp.outer(g, g)
    none = ((0, 0), (0, 0))
    mu1, mu2 = _depthwise(x1, kernel, none), _depthwise(x2, kernel, none)
    mu1_sq, mu2_sq, mu12 = mul(mu1, mu1), mul(mu2, mu2), mul(mu1, mu2)
    s1 = sub(_depthwise(mul(x1, x1), kernel, none), mu1_sq)
    s2 = sub(_depthwise(mul(x2, x2), kernel, none), mu2_sq)
    s12 = sub(_depthwise(mul(x1, x2), kernel, none), mu12)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    numerator = mul(add(mul(mu12, 2.0), c1), add(mul(s12, 2.0), c2))
    denominator = mul(add(add(mu1_sq, mu2_sq), c1), add(add(s1, s2), c2))
    value = mean(div(numerator, denominator), axis=(1, 2, 3))
    if image1.ndim == 3:
        value = reshape(value, ())
    return cast(value, original)


__getattr__ = unimplemented(__name__, _names.PROVIDERS["image"])
