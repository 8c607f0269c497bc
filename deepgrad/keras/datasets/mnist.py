"""MNIST handwritten digits, with Keras' load_data() API.

load_data() returns (x_train, y_train), (x_test, y_test): uint8 arrays of
shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).
"""
from . import fetch, idx_family

# md5 of the decompressed IDX files; sha256 of Keras' mnist.npz.
CHECKSUMS = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
}

MIRRORS = {
    f"{name}.gz": [
        f"https://storage.googleapis.com/cvdf-datasets/mnist/{name}.gz",
        f"https://ossci-datasets.s3.amazonaws.com/mnist/{name}.gz",
    ]
    for name in idx_family.FILES
}


def search_paths():
    """Where a copy of MNIST may already be, in search order: deepgrad's cache, Keras' cache, the system folder."""
    return [fetch.deepgrad_cache() / "mnist", fetch.keras_cache() / "mnist.npz", *fetch.system_dirs("mnist")]


def load_data(path=None, sample=False):
    """The MNIST arrays.

    Args:
        path: a folder holding the four canonical IDX files (.gz or not), or
            Keras' mnist.npz. A bare "mnist.npz" means Keras' cached copy.
            Without it: deepgrad's cache (<cache>/mnist/), Keras' cache
            (mnist.npz), /usr/share/datasets/mnist/, then a download into
            deepgrad's cache.
        sample: return the stratified sample shipped inside deepgrad (the
            first 1,000 training and 200 test images of each digit), which
            needs no file and no network.

    Returns:
        (x_train, y_train), (x_test, y_test): uint8, shapes (60000, 28, 28),
        (60000,), (10000, 28, 28), (10000,); (10000, ...)/(2000, ...) for the sample.

    Raises:
        FileNotFoundError (fetch.DatasetNotFoundError): no copy, and the download failed.
        ValueError: the file at `path` is corrupt or truncated.
    """
    if sample:
        return idx_family.load_sample("mnist")
    return idx_family.load(
        "mnist", CHECKSUMS, MIRRORS, path,
        candidates=search_paths(),
        npz_name="mnist.npz",
        hint=" Or call load_data(sample=True) for the 10,000/2,000-image sample shipped with deepgrad.",
    )
