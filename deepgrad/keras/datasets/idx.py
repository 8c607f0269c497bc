"""Reading the IDX format of the MNIST family (optionally gzip-compressed)."""
import gzip

from ...backend import xp

_DTYPES = {0x08: "uint8", 0x09: "int8", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(raw, source="<bytes>"):
    """Array from IDX bytes: magic (0, 0, dtype code, ndim), ndim big-endian sizes, data."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise ValueError(f"{source} is not an IDX file (bad magic number)")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = xp.dtype(_DTYPES[raw[2]])
    offset = 4 + 4 * ndim
    expected = int(xp.prod(shape)) * dtype.itemsize
    if len(raw) - offset != expected:
        raise ValueError(
            f"{source} is truncated or corrupt: header says shape {shape} ({expected} bytes), "
            f"file holds {len(raw) - offset} bytes"
        )
    return xp.frombuffer(raw, dtype=dtype, offset=offset).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path):
    """Array from an IDX file, gzip-compressed or not."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ValueError(f"{path} is a damaged gzip file: {e}") from None
    return parse_idx(raw, str(path))
