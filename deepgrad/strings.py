"""tf.strings: elementwise string ops on string tensors, returning TensorFlow's string
tensors (object arrays of bytes, so `.numpy()` gives b'...' as in TensorFlow).

Inputs may be Python strings or bytes, lists of them, or tensors of str/bytes; text is UTF-8.
lower/upper change ASCII letters only, as TensorFlow's default encoding does.
"""
import builtins
import re

from .backend import xp
from .errors import InvalidArgumentError
from .tensor import Tensor
from .missing import not_implemented


def _as_bytes(v):
    return v if isinstance(v, bytes) else str(v).encode("utf-8")


def _strings(x):
    """`x` as an object array of bytes."""
    data = x.data if isinstance(x, Tensor) else x
    arr = xp.asarray(data, dtype=object)
    out = xp.empty(arr.shape, dtype=object)
    for i, v in enumerate(arr.reshape(-1)):
        out.reshape(-1)[i] = _as_bytes(v)
    return out


def _result(arr):
    return Tensor(xp.asarray(arr, dtype=object))


def _map(fn, x, dtype=object):
    arr = _strings(x)
    out = xp.empty(arr.shape, dtype=dtype)
    for i, v in enumerate(arr.reshape(-1)):
        out.reshape(-1)[i] = fn(v)
    return Tensor(out)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):  # noqa: A002
    """Each number as text: floats with 6 decimals (or `precision`), bools 'true'/'false'."""
    data = input.data if isinstance(input, Tensor) else xp.asarray(input)
    pad = ">" if not fill else f"{fill}>"
    if data.dtype.kind == "f":
        code = "e" if scientific else ("g" if shortest else "f")
        digits = "" if shortest and precision < 0 else f".{precision if precision >= 0 else 6}"
        spec = f"{pad}{width if width > 0 else ''}{digits}{code}"
        fmt = lambda v: format(float(v), spec)  # noqa: E731
    elif data.dtype.kind == "b":
        fmt = lambda v: "true" if v else "false"  # noqa: E731
    else:
        spec = f"{pad}{width if width > 0 else ''}d"
        fmt = lambda v: format(int(v), spec)  # noqa: E731
    out = xp.empty(data.shape, dtype=object)
    for i, v in enumerate(data.reshape(-1)):
        out.reshape(-1)[i] = fmt(v).encode()
    return _result(out)


def join(inputs, separator="", name=None):
    """Elementwise concatenation of the string tensors in `inputs` (broadcast), `separator` between."""
    parts = xp.broadcast_arrays(*[_strings(s) for s in inputs])
    sep = _as_bytes(separator)
    out = xp.empty(parts[0].shape, dtype=object)
    for i in range(out.size):
        out.reshape(-1)[i] = sep.join(p.reshape(-1)[i] for p in parts)
    return _result(out)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """The strings joined along `axis` (all of them when None), `separator` between."""
    arr = _strings(inputs)
    sep = _as_bytes(separator)
    if axis is None:
        return _result(sep.join(arr.reshape(-1).tolist()))
    moved = xp.moveaxis(arr, int(axis), -1)
    out = xp.empty(moved.shape[:-1], dtype=object)
    for i, row in enumerate(moved.reshape(-1, moved.shape[-1])):
        out.reshape(-1)[i] = sep.join(row.tolist())
    return _result(xp.expand_dims(out, int(axis)) if keepdims else out)


def length(input, unit="BYTE", name=None):  # noqa: A002 (TensorFlow's name)
    """The length of each string in bytes, or in characters with unit='UTF8_CHAR' (int32)."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"length: unit must be 'BYTE' or 'UTF8_CHAR'. Received: unit={unit!r}")
    count = len if unit == "BYTE" else (lambda b: len(b.decode("utf-8")))
    return _map(count, input, xp.int32)


def lower(input, encoding="", name=None):  # noqa: A002 (TensorFlow's name)
    """Each string with its ASCII letters in lower case."""
    return _map(bytes.lower, input)


def upper(input, encoding="", name=None):  # noqa: A002 (TensorFlow's name)
    """Each string with its ASCII letters in upper case."""
    return _map(bytes.upper, input)


def strip(input, name=None):  # noqa: A002 (TensorFlow's name)
    """Each string without leading and trailing whitespace."""
    return _map(bytes.strip, input)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002 (TensorFlow's names)
    """input[pos : pos + len] of each string (bytes, or characters with unit='UTF8_CHAR')."""
    pos, size = int(pos), int(len)
    if unit == "UTF8_CHAR":
        return _map(lambda b: b.decode("utf-8")[pos:pos + size].encode("utf-8"), input)
    return _map(lambda b: b[pos:pos + size], input)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Each string with the matches of `pattern` replaced by `rewrite` (only the first unless
    replace_global); `\\1` in rewrite refers to a group."""
    regex = re.compile(_as_bytes(pattern))
    rewrite = _as_bytes(rewrite)
    return _map(lambda b: regex.sub(rewrite, b, count=0 if replace_global else 1), input)


def regex_full_match(input, pattern, name=None):  # noqa: A002 (TensorFlow's name)
    """Whether each whole string matches `pattern`."""
    regex = re.compile(_as_bytes(pattern))
    return _map(lambda b: regex.fullmatch(b) is not None, input, xp.bool_)


def to_number(string_tensor, out_type=xp.float32, name=None):
    """Each string parsed as a number of dtype `out_type` (InvalidArgumentError if one is not)."""
    dtype = xp.dtype(out_type)
    parse = float if dtype.kind == "f" else int

    def one(b):
        try:
            return parse(b.decode("utf-8").strip())
        except ValueError:
            raise InvalidArgumentError(None, None, f"StringToNumberOp could not correctly convert "
                                                   f"string: {b.decode('utf-8', 'replace')}") from None

    return _map(one, string_tensor, dtype)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002 (TensorFlow's name)
    """The pieces of a scalar string split at `sep` (runs of whitespace when None), as a 1-D
    string tensor. A batch of strings gives a tf.RaggedTensor in TensorFlow, which deepgrad lacks."""
    arr = _strings(input)
    if arr.ndim != 0:
        raise NotImplementedError(f"strings.split of a rank-{arr.ndim} tensor returns a tf.RaggedTensor, "
                                  f"which deepgrad does not implement; split one scalar string at a time")
    text = arr.item()
    pieces = text.split(None if sep is None else _as_bytes(sep), maxsplit)
    out = xp.empty(builtins.len(pieces), dtype=object)
    out[:] = pieces
    return _result(out)


__getattr__ = not_implemented("tf.strings")
