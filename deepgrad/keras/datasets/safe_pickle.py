"""Reading pickles and .npz files without running code from them.

A pickle names the functions that rebuild its objects, and plain `pickle.load`
calls whatever it names (`os.system` included). `RestrictedUnpickler` hands out
only what NumPy arrays need: `numpy.ndarray`, `numpy.dtype` and the array
rebuilders of NumPy 1 and 2 (`numpy.core.multiarray._reconstruct`,
`numpy._core.multiarray._reconstruct`, and `_frombuffer` for protocol-5
pickles), plus a latin-1-only stand-in for `_codecs.encode`, which Python 3
uses to store `bytes` in protocol-2 pickles. Dicts, lists, strings, bytes and
numbers need no global at all. Any other global raises `pickle.UnpicklingError`
naming it, before anything is called.

Used for the CIFAR batches (Python 2 pickles: `loads(data, encoding="bytes")`)
and the object arrays of imdb.npz (`load_npz`).
"""
import io
import pickle
import zipfile

import numpy as np

try:
    from numpy._core import multiarray as _multiarray, numeric as _numeric
except ImportError:  # NumPy 1
    from numpy.core import multiarray as _multiarray, numeric as _numeric


def _latin1(text, encoding="latin1", errors="strict"):
    """`_codecs.encode` as protocol-2 pickles use it: str -> bytes through latin-1, nothing else."""
    if not isinstance(text, str) or encoding.replace("-", "").lower() != "latin1":
        raise pickle.UnpicklingError(
            f"refusing _codecs.encode for anything but latin-1 text. Received: {type(text).__name__}, {encoding!r}"
        )
    return text.encode("latin1", errors)


ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("_codecs", "encode"): _latin1,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that resolves only the globals in ALLOWED; any other raises UnpicklingError."""

    def find_class(self, module, name):
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load the global {module}.{name}: a dataset file only holds arrays, "
                f"lists and dicts, so this file is corrupt or malicious"
            ) from None


def loads(data, encoding="ASCII"):
    """The object pickled in the bytes `data`, read with RestrictedUnpickler.

    encoding="bytes" reads Python 2 pickles (CIFAR) with their str as bytes.
    """
    return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def _read_npy(stream):
    """One .npy member: numeric arrays without any pickle, object arrays through RestrictedUnpickler."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    if dtype.hasobject:
        return RestrictedUnpickler(stream).load()
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)


def load_npz(data, source="<bytes>"):
    """The arrays of an .npz archive given as bytes: a dict name -> ndarray.

    Works for numeric arrays (Keras' mnist.npz) and object arrays of lists
    (Keras' imdb.npz) alike; raises ValueError naming `source` when the bytes
    are not an .npz archive.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {
                member[: -len(".npy")]: _read_npy(io.BytesIO(archive.read(member)))
                for member in archive.namelist()
                if member.endswith(".npy")
            }
    except zipfile.BadZipFile as e:
        raise ValueError(f"{source} is not an .npz archive: {e}") from None
