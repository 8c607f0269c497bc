"""CIFAR-100 (32x32 colour images in 100 classes, grouped into 20 superclasses), with Keras' load_data() API.

load_data(label_mode) returns (x_train, y_train), (x_test, y_test): images
uint8 (50000, 32, 32, 3) and (10000, 32, 32, 3), channels last; labels int64
(50000, 1) and (10000, 1), fine (0-99) or coarse (0-19).
"""
import numpy as np

from . import cifar

LAYOUT = cifar.Layout(
    name="cifar100",
    folder="cifar-100-python",
    archive="cifar-100-python.tar.gz",
    batches=("train", "test"),
    system_name="cifar-100",
)

# md5 of the archive and of each batch.
CHECKSUMS = {
    "cifar-100-python.tar.gz": "eb9058c3a382ffc7106e4002c42a8d85",
    "train": "16019d7e3df5f24257cddd939b257f8d",
    "test": "f0ef6b0ae62326f3e7ffdfab6717acfc",
}

MIRRORS = {"cifar-100-python.tar.gz": ["https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"]}


def load_data(label_mode="fine", path=None):
    """The CIFAR-100 arrays.

    Args:
        label_mode: "fine" (100 classes) or "coarse" (20 superclasses).
        path: cifar-100-python.tar.gz, the cifar-100-python/ folder, or a
            folder holding either. Without it: deepgrad's cache, Keras' cache
            (Keras 3's cifar-100-python-target/ and
            cifar-100-python-target_archive, Keras 2's cifar-100-python/ and
            cifar-100-python.tar.gz), /usr/share/datasets/cifar-100/, then a
            download of the archive into deepgrad's cache.

    Returns:
        (x_train, y_train), (x_test, y_test): images uint8 (50000, 32, 32, 3)
        and (10000, 32, 32, 3); labels int64 (50000, 1) and (10000, 1).

    Raises:
        ValueError: label_mode is neither "fine" nor "coarse", or a file at `path` is corrupt.
        FileNotFoundError (fetch.DatasetNotFoundError): no copy, and the download failed.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'label_mode must be "fine" or "coarse". Received: label_mode={label_mode!r}')
    batches = cifar.load(LAYOUT, CHECKSUMS, MIRRORS, path)
    key = f"{label_mode}_labels"
    train = cifar.arrays(batches["train"], key, np.int64, "cifar100 train")
    test = cifar.arrays(batches["test"], key, np.int64, "cifar100 test")
    return train, test
