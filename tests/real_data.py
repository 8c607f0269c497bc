"""Where the tests find the real datasets, and what happens when one is absent.

Outside CI a test that needs real data skips with the reason. Under
DEEPGRAD_REQUIRE_DATA=1 (set by .ci/run) a missing dataset fails the test
instead, so CI can never pass by skipping the accuracy runs.
"""
import os
from pathlib import Path

import pytest

MNIST_DIR = (Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "mnist").resolve()
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def _missing(folder):
    return [name for name in MNIST_FILES if not (folder / name).is_file()]


def _require(folder, what, how):
    missing = _missing(folder)
    if not missing:
        return folder
    message = f"{what} not found: {folder} lacks {', '.join(missing)} ({how})"
    if os.environ.get("DEEPGRAD_REQUIRE_DATA") == "1":
        pytest.fail(message + "; DEEPGRAD_REQUIRE_DATA=1 makes this a failure")
    pytest.skip(message)


def require_mnist():
    """The folder of the real MNIST IDX .gz files (../shared/datasets/mnist), or skip/fail."""
    return _require(MNIST_DIR, "real MNIST", "see ../shared/datasets/README.md")


def require_fashion_mnist():
    """The folder of Debian's Fashion-MNIST files, or skip/fail."""
    return _require(FASHION_MNIST_DIR, "Fashion-MNIST", "apt-get install -y dataset-fashion-mnist")
