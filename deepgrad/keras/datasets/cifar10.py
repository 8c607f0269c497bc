"""CIFAR-10 (32x32 colour images in 10 classes), with Keras' load_data() API.

load_data() returns (x_train, y_train), (x_test, y_test): uint8 arrays of
shapes (50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1),
channels last. Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer,
5 dog, 6 frog, 7 horse, 8 ship, 9 truck.
"""
import numpy as np

from . import cifar

LAYOUT = cifar.Layout(
    name="cifar10",
    folder="cifar-10-batches-py",
    archive="cifar-10-python.tar.gz",
    batches=("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"),
    system_name="cifar-10",
)

# md5 of the archive and of each batch.
CHECKSUMS = {
    "cifar-10-python.tar.gz": "c58f30108f718f92721af3b95e74349a",
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
}

MIRRORS = {"cifar-10-python.tar.gz": ["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"]}


def load_data(path=None):
    """The CIFAR-10 arrays.

    Args:
        path: cifar-10-python.tar.gz, the cifar-10-batches-py/ folder, or a
            folder holding either. Without it: deepgrad's cache
            (<cache>/cifar-10-batches-py/ or <cache>/cifar-10-python.tar.gz),
            Keras' cache (Keras 3's cifar-10-batches-py-target/ and
            cifar-10-batches-py-target_archive, Keras 2's cifar-10-batches-py/
            and cifar-10-batches-py.tar.gz), /usr/share/datasets/cifar-10/,
            then a download of the archive into deepgrad's cache.

    Returns:
        (x_train, y_train), (x_test, y_test): uint8, shapes (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3), (10000, 1).

    Raises:
        FileNotFoundError (fetch.DatasetNotFoundError): no copy, and the download failed.
        ValueError: a file at `path` is corrupt or truncated.
    """
    batches = cifar.load(LAYOUT, CHECKSUMS, MIRRORS, path)
    train = [cifar.arrays(batches[b], "labels", np.uint8, f"cifar10 {b}") for b in LAYOUT.batches[:-1]]
    x_test, y_test = cifar.arrays(batches["test_batch"], "labels", np.uint8, "cifar10 test_batch")
    return (np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train])), (x_test, y_test)
