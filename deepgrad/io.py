"""tf.io and tf.io.gfile: reading and writing whole files, the file-system helpers scripts
use (gfile.exists, glob, makedirs, GFile as open) on the local file system, CSV lines
(decode_csv) and PNG/JPEG images (decode_png, decode_jpeg, decode_image, encode_png,
encode_jpeg; Pillow, imported when first needed).

    tf.io.write_file("out.txt", "hello"); tf.io.read_file("out.txt")  # -> tf.Tensor(b'hello')
    image = tf.io.decode_jpeg(tf.io.read_file("cat.jpg"), channels=3)  # uint8 (height, width, 3)
"""
import csv as _csv
import glob as _glob
import io as _stdio
import os
import shutil
import types

from .backend import xp
from .errors import InvalidArgumentError, NotFoundError
from .tensor import Tensor
from .missing import not_implemented


def _text(x):
    if isinstance(x, Tensor):
        x = x.data.item() if x.data.ndim == 0 else x.data
    return x.decode() if isinstance(x, bytes) else os.fspath(x)


def _bytes(x):
    if isinstance(x, Tensor):
        x = x.data.item() if x.data.ndim == 0 else x.data
    return x if isinstance(x, bytes) else str(x).encode()


def read_file(filename, name=None):
    """The whole content of `filename` as a scalar string tensor (bytes)."""
    path = _text(filename)
    try:
        with open(path, "rb") as f:
            content = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    return Tensor(xp.asarray(content, dtype=object))


def write_file(filename, contents, name=None):
    """Write the string `contents` to `filename` (the folder must exist); returns None."""
    with open(_text(filename), "wb") as f:
        f.write(_bytes(contents))


def _exists(path):
    """Whether `path` exists."""
    return os.path.exists(_text(path))


def _glob_files(pattern):
    """The paths matching the shell pattern, sorted."""
    return sorted(_glob.glob(_text(pattern)))


def _makedirs(path):
    """Create `path` and its missing parents (no error when it exists)."""
    os.makedirs(_text(path), exist_ok=True)


def _listdir(path):
    """The names in the folder `path`."""
    path = _text(path)
    if not os.path.isdir(path):
        raise NotFoundError(None, None, f"Could not find directory {path}")
    return os.listdir(path)


def _remove(path):
    """Delete the file `path`."""
    try:
        os.remove(_text(path))
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{_text(path)}; No such file or directory") from None


def _rmtree(path):
    """Delete the folder `path` and everything under it."""
    shutil.rmtree(_text(path))


def _copy(src, dst, overwrite=False):
    """Copy the file src to dst (dst must not exist unless overwrite)."""
    if os.path.exists(_text(dst)) and not overwrite:
        raise FileExistsError(f"gfile.copy: {_text(dst)} exists; pass overwrite=True")
    shutil.copyfile(_text(src), _text(dst))


def _rename(src, dst, overwrite=False):
    """Move src to dst (dst must not exist unless overwrite)."""
    if os.path.exists(_text(dst)) and not overwrite:
        raise FileExistsError(f"gfile.rename: {_text(dst)} exists; pass overwrite=True")
    os.replace(_text(src), _text(dst))


def _gfile_open(name, mode="r"):
    """open(name, mode): a local file object."""
    return open(_text(name), mode)


gfile = types.SimpleNamespace(
    exists=_exists, glob=_glob_files, makedirs=_makedirs, mkdir=_makedirs, listdir=_listdir,
    isdir=lambda path: os.path.isdir(_text(path)), remove=_remove, rmtree=_rmtree, copy=_copy,
    rename=_rename, GFile=_gfile_open, join=os.path.join, walk=os.walk,
)


# ----------------------------------------------------------------------------- CSV


def _csv_default(default, i):
    """(dtype, default value or None when the field is required) of record_defaults[i]."""
    if isinstance(default, Tensor):
        data = default.data
    else:
        data = xp.asarray(default[0] if isinstance(default, (list, tuple)) and default else default)
        if isinstance(default, (list, tuple)) and not default:
            raise ValueError(f"decode_csv: record_defaults[{i}] is an empty list; give [value] or an empty "
                             f"tensor of the column's dtype")
    if data.dtype.kind in "SUO":
        dtype = xp.dtype(object)
    elif data.dtype.kind == "f":
        dtype = xp.dtype(xp.float32) if not isinstance(default, Tensor) else data.dtype
    elif data.dtype.kind in "iu":
        dtype = xp.dtype(xp.int32) if not isinstance(default, Tensor) else data.dtype
    else:
        dtype = data.dtype
    if data.size == 0:
        return dtype, None
    value = data.reshape(-1)[0]
    return dtype, (_bytes(value) if dtype.kind == "O" else value)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, na_value="",
               select_cols=None, name=None):
    """The columns of CSV lines: one tensor per entry of record_defaults, shaped like `records`.

    record_defaults[i] is [value] (the column's dtype: Python int -> int32, float -> float32,
    str -> string; the value fills empty fields) or an empty tensor of the dtype (the field is
    required). select_cols keeps only those columns (increasing indices).
    """
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    columns = [_csv_default(d, i) for i, d in enumerate(record_defaults)]
    lines = [_text(_bytes(r)) for r in xp.asarray(records.data if isinstance(records, Tensor) else records,
                                                  dtype=object).reshape(-1)]
    shape = xp.shape(records.data if isinstance(records, Tensor) else records)
    quoting = _csv.QUOTE_MINIMAL if use_quote_delim else _csv.QUOTE_NONE
    out = [[] for _ in columns]
    for r, line in enumerate(lines):
        fields = next(_csv.reader([line], delimiter=field_delim, quoting=quoting)) if line else [""]
        wanted = list(select_cols) if select_cols is not None else list(range(len(columns)))
        if select_cols is None and len(fields) != len(columns):
            raise InvalidArgumentError(None, None, f"Expect {len(columns)} fields but have {len(fields)} "
                                                   f"in record {r}")
        for c, (col, (dtype, default)) in enumerate(zip(wanted, columns)):
            field = fields[col] if col < len(fields) else ""
            if field == "" or field == na_value:
                if default is None:
                    raise InvalidArgumentError(None, None, f"Field {c} is required but missing in record {r}!")
                out[c].append(default)
            elif dtype.kind == "O":
                out[c].append(field.encode())
            else:
                try:
                    out[c].append(dtype.type(float(field) if dtype.kind == "f" else int(field)))
                except ValueError:
                    raise InvalidArgumentError(None, None, f"Field {c} in record {r} is not a valid "
                                                           f"{dtype.name}: {field}") from None
    result = []
    for values, (dtype, _) in zip(out, columns):
        arr = xp.empty(len(values), dtype=dtype)
        arr[:] = values
        result.append(Tensor(arr.reshape(shape)))
    return result


# ----------------------------------------------------------------------------- images


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("tf.io's image decoders and encoders need Pillow (`pip install pillow`).") from None
    return Image


def _gray(rgb):
    """Luma of RGB as libpng computes it for TensorFlow: floor(0.299 R + 0.587 G + 0.114 B)."""
    weights = xp.asarray([0.299, 0.587, 0.114])
    return xp.floor(rgb[..., :3].astype(xp.float64) @ weights)[..., None].astype(rgb.dtype)


def _channels(pixels, channels, op):
    """pixels (height, width, c) with c changed to `channels` (0 or None keeps it)."""
    have = pixels.shape[-1]
    if not channels or channels == have:
        return pixels
    if channels not in (1, 3, 4):
        raise ValueError(f"{op}: channels must be 0, 1, 3 or 4. Received: channels={channels}")
    color = pixels[..., :1].repeat(3, axis=-1) if have in (1, 2) else pixels[..., :3]
    alpha = pixels[..., -1:] if have in (2, 4) else xp.full(pixels.shape[:-1] + (1,), xp.iinfo(pixels.dtype).max,
                                                            dtype=pixels.dtype)
    if channels == 1:
        return pixels[..., :1] if have in (1, 2) else _gray(color)
    return color if channels == 3 else xp.concatenate([color, alpha], axis=-1)


def _frames(contents, op):
    Image = _pil()
    try:
        image = Image.open(_stdio.BytesIO(_bytes(contents)))
    except Exception as e:  # Pillow raises several types for data that is not an image
        raise InvalidArgumentError(None, None, f"{op}: the contents are not a decodable image ({e})") from None
    frames = []
    for k in range(getattr(image, "n_frames", 1)):
        image.seek(k)
        frame = image
        if frame.mode == "P":
            frame = frame.convert("RGBA" if "transparency" in frame.info else "RGB")
        elif frame.mode not in ("L", "LA", "RGB", "RGBA", "I;16", "I;16B"):
            frame = frame.convert("RGB")
        pixels = xp.asarray(frame)
        if pixels.dtype.kind == "i" or pixels.dtype.byteorder == ">":
            pixels = pixels.astype(xp.uint16)
        frames.append(pixels[..., None] if pixels.ndim == 2 else pixels)
    return image.format, frames


def decode_png(contents, channels=0, dtype=xp.uint8, name=None):
    """The PNG image in `contents` as a (height, width, channels) uint8 (or uint16) tensor;
    channels 0 keeps the file's, 1 gray, 3 RGB, 4 RGBA."""
    _, frames = _frames(contents, "decode_png")
    pixels = _channels(frames[0], channels, "decode_png")
    return Tensor(pixels.astype(xp.dtype(dtype)) if xp.dtype(dtype) != pixels.dtype else pixels)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):
    """The JPEG image in `contents` as a (height, width, channels) uint8 tensor (Pillow's decoder:
    pixel values may differ from TensorFlow's libjpeg by a step or two)."""
    _, frames = _frames(contents, "decode_jpeg")
    return Tensor(_channels(frames[0], channels, "decode_jpeg"))


def decode_image(contents, channels=None, dtype=xp.uint8, name=None, expand_animations=True):
    """A PNG, JPEG, GIF or BMP image as (height, width, channels); an animated GIF as
    (frames, height, width, channels) unless expand_animations=False (its first frame).
    A float dtype scales the values into [0, 1]."""
    kind, frames = _frames(contents, "decode_image")
    frames = [_channels(f, channels, "decode_image") for f in frames]
    pixels = xp.stack(frames) if kind == "GIF" and expand_animations else frames[0]
    dtype = xp.dtype(dtype)
    if dtype.kind == "f":
        pixels = (pixels / xp.iinfo(pixels.dtype).max).astype(dtype)
    return Tensor(pixels.astype(dtype, copy=False))


def _encode(image, fmt, **options):
    Image = _pil()
    pixels = image.data if isinstance(image, Tensor) else xp.asarray(image)
    if pixels.ndim != 3 or pixels.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(f"encode_{fmt.lower()}: image must be (height, width, 1|2|3|4). Received: "
                         f"shape={pixels.shape}")
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[pixels.shape[-1]]
    frame = Image.fromarray(pixels[..., 0] if mode == "L" else pixels, mode=mode)
    buffer = _stdio.BytesIO()
    frame.save(buffer, format=fmt, **options)
    return Tensor(xp.asarray(buffer.getvalue(), dtype=object))


def encode_png(image, compression=-1, name=None):
    """The uint8 image (height, width, channels) as PNG bytes (a scalar string tensor)."""
    return _encode(image, "PNG", compress_level=6 if compression < 0 else int(compression))


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):
    """The uint8 image (height, width, 1 or 3) as JPEG bytes (a scalar string tensor)."""
    return _encode(image, "JPEG", quality=int(quality), progressive=progressive, optimize=optimize_size,
                   subsampling=2 if chroma_downsampling else 0)


__getattr__ = not_implemented("tf.io")
