"""tf.compat under `deepgrad run`: TensorFlow's text helpers (as_bytes, as_str, as_text, path_to_str).

`tf.compat.v1` (graph mode, sessions, placeholders) is not implemented: deepgrad runs eagerly only.
(`deepgrad.compat` is the import alias itself; a script saying `import tensorflow` sees this module
as `tf.compat`.)
"""
import os

from .missing import not_implemented


def as_bytes(bytes_or_text, encoding="utf-8"):
    """`bytes_or_text` as bytes (text is encoded with `encoding`)."""
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8"):
    """`bytes_or_text` as str (bytes are decoded with `encoding`)."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value, encoding="utf-8"):
    """`value` as str: bytes are decoded, anything else goes through str()."""
    return as_text(value, encoding) if isinstance(value, (bytes, bytearray)) else str(value)


def path_to_str(path):
    """A path-like object as str; other values unchanged."""
    return os.fspath(path) if isinstance(path, os.PathLike) else path


__getattr__ = not_implemented("tf.compat")
