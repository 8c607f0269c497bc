"""Fashion-MNIST (Zalando's clothing images), with Keras' load_data() API.

load_data() returns (x_train, y_train), (x_test, y_test): uint8 arrays of
shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,). Labels: 0
T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
7 Sneaker, 8 Bag, 9 Ankle boot.
"""
from . import fetch, idx_family

# md5 of the decompressed IDX files (Debian's .gz files differ from the download only in their gzip header).
CHECKSUMS = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

MIRRORS = {
    f"{name}.gz": [f"https://storage.googleapis.com/tensorflow/tf-keras-datasets/{name}.gz"]
    for name in idx_family.FILES
}


def load_data(path=None):
    """The Fashion-MNIST arrays.

    Args:
        path: a folder holding the four canonical IDX files (.gz or not).
            Without it: deepgrad's cache (<cache>/fashion-mnist/), Keras'
            (<keras cache>/fashion-mnist/), /usr/share/datasets/fashion-mnist/
            (Debian's dataset-fashion-mnist), then a download into deepgrad's cache.

    Returns:
        (x_train, y_train), (x_test, y_test): uint8, shapes (60000, 28, 28),
        (60000,), (10000, 28, 28), (10000,).

    Raises:
        FileNotFoundError (fetch.DatasetNotFoundError): no copy, and the download failed.
        ValueError: a file at `path` is corrupt or truncated.
    """
    return idx_family.load("fashion-mnist", CHECKSUMS, MIRRORS, path, candidates=search_paths())


def search_paths():
    """Where a copy of Fashion-MNIST may already be, in search order: deepgrad's cache, Keras' cache, the system folder."""
    return [fetch.deepgrad_cache() / "fashion-mnist", fetch.keras_cache() / "fashion-mnist",
            *fetch.system_dirs("fashion-mnist")]
