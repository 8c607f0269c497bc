"""Image helpers Keras users expect: array_to_img, img_to_array, load_img, save_img.

Pillow is optional: it is imported inside the function that needs it, and a missing
Pillow raises ImportError naming `pip install pillow`.

    img = load_img("cat.png", target_size=(64, 64))   # a PIL image, 64x64 RGB
    x = img_to_array(img)                              # float32 (64, 64, 3), values 0..255
    save_img("copy.png", x)                            # rescaled to 0..255 and written
"""
import io
import pathlib
import warnings

import numpy as np

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_COLOR_MODES = {"grayscale": ("L", ("L", "I;16", "I")), "rgb": ("RGB", ("RGB",)), "rgba": ("RGBA", ("RGBA",))}


def pil_image():
    """PIL.Image, or ImportError naming the package to install."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "Could not import PIL.Image: the image utilities of deepgrad.keras.utils need Pillow "
            "(`pip install pillow`)."
        ) from error
    return Image


def standardize_data_format(data_format):
    from ..config import image_data_format

    data_format = image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}"
        )
    return data_format


def _floatx(dtype):
    from ..config import floatx

    return floatx() if dtype is None else dtype


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image from a rank-3 array (height, width, channels) (channels first with data_format).

    Args:
        x: array of 1 (mode "L", or "I" when values exceed 255), 3 ("RGB") or 4 ("RGBA") channels.
        data_format: "channels_last" (default) or "channels_first".
        scale: rescale the values to [0, 255] first: (x - min(x)) / max(x - min(x)) * 255.
        dtype: dtype the array is read as before scaling (default floatx(), "float32").

    Returns:
        A PIL Image; values are truncated to uint8 (int32 for mode "I").
    """
    data_format = standardize_data_format(data_format)
    image = pil_image()
    x = np.asarray(x, dtype=_floatx(dtype))
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format=None, dtype=None):
    """A float array (height, width, channels) from a PIL image (or anything np.asarray reads).

    A 2-D (grayscale) image gains a channel axis of 1; data_format="channels_first" puts the
    channels first. dtype defaults to floatx() ("float32"); values are not rescaled.
    """
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=_floatx(dtype))
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape if data_format == "channels_first" else x.shape + (1,))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write the array `x` as an image file (format from the path's extension unless file_format).

    Args:
        path: a path, or a file object (then file_format is needed).
        x: rank-3 array, as array_to_img takes it.
        scale: rescale the values to [0, 255] (array_to_img).
        **kwargs: passed to PIL.Image.save (e.g. quality=95).

    RGBA images saved as JPEG are converted to RGB, with a warning.
    """
    data_format = standardize_data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def center_crop_box(width, height, target_width, target_height):
    """The largest centred (left, top, right, bottom) box with the target's aspect ratio."""
    crop_h = min(height, (width * target_height) // target_width)
    crop_w = min(width, (height * target_width) // target_height)
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return [left, top, left + crop_w, top + crop_h]


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """Read an image file into a PIL image.

    Args:
        path: a path (str, bytes, pathlib.Path) or an io.BytesIO.
        color_mode: "rgb" (default), "rgba" or "grayscale" (16/32-bit grayscale kept as is).
        target_size: None (keep the size) or (height, width) to resize to.
        interpolation: PIL resampling when resizing: "nearest" (default), "bilinear", "bicubic",
            "hamming", "box" or "lanczos".
        keep_aspect_ratio: resize the largest centred crop with the target's aspect ratio,
            instead of stretching the whole image.
    """
    image = pil_image()
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as f:
            img = image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode not in _COLOR_MODES:
        raise ValueError(f'color_mode must be "grayscale", "rgb", or "rgba". Received: color_mode={color_mode}')
    mode, kept = _COLOR_MODES[color_mode]
    if img.mode not in kept:
        img = img.convert(mode)
    if target_size is None:
        return img
    size = (int(target_size[1]), int(target_size[0]))
    if img.size == size:
        return img
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"Invalid interpolation method {interpolation} specified. Supported methods are "
            f"{', '.join(_INTERPOLATIONS)}"
        )
    resample = getattr(getattr(image, "Resampling", image), interpolation.upper())
    if keep_aspect_ratio:
        return img.resize(size, resample, box=center_crop_box(*img.size, *size))
    return img.resize(size, resample)
