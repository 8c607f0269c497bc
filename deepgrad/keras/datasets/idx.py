"""The IDX format of the MNIST family, gzip-compressed or not, checked against its md5.

IDX: 4 magic bytes (0, 0, dtype code, ndim), ndim big-endian uint32 sizes,
then the data in C order. The md5 is taken over the decompressed bytes, so a
file recompressed with another gzip header (Debian's) checks the same.
"""
import gzip
import zlib

import numpy as np

from .fetch import CorruptFileError, verify

_DTYPES = {0x08: "uint8", 0x09: "int8", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(raw, source="<bytes>"):
    """The array held by the IDX bytes `raw`, in native byte order."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise ValueError(f"{source} is not an IDX file (bad magic number {bytes(raw[:4])!r})")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_DTYPES[raw[2]])
    offset = 4 + 4 * ndim
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - offset != expected:
        raise ValueError(
            f"{source} is truncated or corrupt: header says shape {shape} ({expected} bytes), "
            f"file holds {len(raw) - offset} bytes"
        )
    return np.frombuffer(raw, dtype=dtype, offset=offset).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path, md5):
    """The array in the IDX file at `path` (.gz or not), after checking the md5 of its decompressed bytes.

    The file is read once: decompressed, hashed and parsed from the same
    bytes. Raises CorruptFileError (a ValueError) on a damaged gzip stream or
    an md5 mismatch.
    """
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise CorruptFileError(f"{path} is corrupt or truncated: damaged gzip stream ({e})") from None
    verify(raw, md5, f"{path} (decompressed)")
    return parse_idx(raw, str(path))
