"""The real files: MNIST wherever load_data() (or CI's ../shared/datasets) has it, Fashion-MNIST from
Debian's package, the shipped sample.

Pixel sums serve as checksums of the decoded arrays (computed once from the
canonical files). Skipped, with the reason, where a copy is absent (failed in CI).
"""
import numpy as np

from deepgrad.keras.datasets import fashion_mnist, fetch, mnist
from tests.real_data import require_debian_fashion_mnist, require_mnist

SYSTEM_DIRS = list(fetch.SYSTEM_DIRS)


def summary(loaded):
    (x_train, y_train), (x_test, y_test) = loaded
    arrays = (x_train, y_train, x_test, y_test)
    return {
        "shapes": [a.shape for a in arrays],
        "dtypes": {str(a.dtype) for a in arrays},
        "sums": [int(a.sum(dtype=np.int64)) for a in arrays],
        "train_counts": np.bincount(y_train, minlength=10).tolist(),
        "test_counts": np.bincount(y_test, minlength=10).tolist(),
    }


def test_real_mnist():
    got = summary(mnist.load_data(path=require_mnist()))
    assert got["shapes"] == [(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)]
    assert got["dtypes"] == {"uint8"}
    assert got["train_counts"] == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert got["test_counts"] == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert got["sums"] == [1567298545, 267236, 264923200, 44434]


def test_real_fashion_mnist_found_in_the_debian_folder(monkeypatch):
    require_debian_fashion_mnist()
    monkeypatch.setattr(fetch, "SYSTEM_DIRS", SYSTEM_DIRS)
    got = summary(fashion_mnist.load_data())
    assert got["shapes"] == [(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)]
    assert got["dtypes"] == {"uint8"}
    assert got["train_counts"] == [6000] * 10 and got["test_counts"] == [1000] * 10
    assert got["sums"] == [3431114169, 270000, 573469082, 45000]


def test_shipped_sample():
    got = summary(mnist.load_data(sample=True))
    assert got["shapes"] == [(10000, 28, 28), (10000,), (2000, 28, 28), (2000,)]
    assert got["dtypes"] == {"uint8"}
    assert got["train_counts"] == [1000] * 10 and got["test_counts"] == [200] * 10
    assert got["sums"] == [264042938, 45000, 48879943, 9000]
