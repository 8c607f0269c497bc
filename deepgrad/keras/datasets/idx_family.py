"""The MNIST family (MNIST, Fashion-MNIST): four IDX files, found by the loading rule of fetch.py.

A copy is a folder holding the four canonical files, each gzip-compressed
(`train-images-idx3-ubyte.gz`) or not (`train-images-idx3-ubyte`), or, for
MNIST, Keras' single-file `mnist.npz`. A download fetches the missing .gz
files into `<deepgrad cache>/<name>/`, keeping those already there that check.
"""
import functools
import warnings
from pathlib import Path

import numpy as np

from . import fetch, safe_pickle
from .idx import read_idx

FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
SAMPLES = Path(__file__).with_name("data")


def _named(folder, name):
    """The file `name` in `folder`, gzip-compressed (preferred) or not; None when neither is there."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def _split(x_train, y_train, x_test, y_test, source):
    """((x_train, y_train), (x_test, y_test)), after checking that images and labels pair up."""
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(
            f"{source}: images and labels do not pair up: train {len(x_train)} images, {len(y_train)} labels; "
            f"test {len(x_test)} images, {len(y_test)} labels"
        )
    return (x_train, y_train), (x_test, y_test)


def _from_npz(path, checksum):
    """The four arrays of a Keras-style .npz (x_train, y_train, x_test, y_test), checked against `checksum`."""
    data = Path(path).read_bytes()
    fetch.verify(data, checksum, str(path))
    arrays = safe_pickle.load_npz(data, str(path))
    missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in arrays]
    if missing:
        raise ValueError(f"{path} lacks the arrays {missing}; it holds {sorted(arrays)}")
    return _split(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"], path)


def load_sample(name):
    """The stratified sample shipped in deepgrad/keras/datasets/data/<name>_sample.npz."""
    with np.load(SAMPLES / f"{name}_sample.npz", allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load(name, checksums, mirrors, path=None, *, candidates, npz_name=None, hint=""):
    """(x_train, y_train), (x_test, y_test) of an MNIST-family dataset, by the loading rule.

    Returns uint8 arrays of shapes (n, 28, 28), (n,), (m, 28, 28), (m,) for the
    canonical files.

    Args:
        name: the dataset's folder in deepgrad's cache ("mnist", "fashion-mnist").
        checksums: md5 of the decompressed bytes of each of FILES (keyed by
            the name without .gz), plus the checksum of `npz_name`.
        mirrors: download name ("train-images-idx3-ubyte.gz") -> list of URLs.
        path: the user's `path=`: a folder with the four files, or an .npz.
        candidates: the cache and system paths to search, in order.
        npz_name: Keras' single-file form of the dataset ("mnist.npz"), if any.
        hint: a last sentence for the not-found error.
    """
    def read(found):
        if found.is_dir():
            files = [_named(found, f) for f in FILES]
            if all(files):
                return _split(*[read_idx(p, checksums[f]) for p, f in zip(files, FILES)], found)
            return read(found / npz_name) if npz_name and (found / npz_name).is_file() else None
        if npz_name and found.suffix == ".npz":
            return _from_npz(found, checksums[npz_name])
        return None

    folder = fetch.deepgrad_cache() / name

    def download():
        arrays = []
        for f in FILES:
            present = _named(folder, f)
            if present is not None:
                try:
                    arrays.append(read_idx(present, checksums[f]))
                    continue
                except fetch.CorruptFileError as e:
                    warnings.warn(f"{name}: {e}; downloading a fresh copy", stacklevel=4)
            check = functools.partial(read_idx, md5=checksums[f])
            arrays.append(fetch.download(mirrors[f"{f}.gz"], folder / f"{f}.gz", check))
        return _split(*arrays, folder)

    names = ", ".join(f"{f}.gz" for f in FILES)
    expected = f"{names} (or uncompressed)" + (f", or {npz_name}" if npz_name else "")
    return fetch.load(name, path, read=read, candidates=candidates, download=download, expected=expected,
                      default_names=(npz_name,) if npz_name else (), hint=hint)
