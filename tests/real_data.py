"""Where the tests find the real datasets, and what happens when one is absent.

A test finds MNIST and Fashion-MNIST exactly where `load_data()` finds them (deepgrad's
cache, Keras' cache, Debian's folders: the loaders' own `search_paths()`), and also in
../shared/datasets beside the project (where CI's machines keep them). Outside CI, a
missing dataset skips the test with one line naming what is missing and the command that
fixes it; under DEEPGRAD_REQUIRE_DATA=1 (set by .ci/run) it fails the test instead, so CI
can never pass by skipping the accuracy runs.
"""
import os
from pathlib import Path

import pytest

from deepgrad.keras.datasets import fashion_mnist, fetch, idx_family, mnist

SHARED = (Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets").resolve()
FETCH_COMMAND = 'python -c "from deepgrad.keras.datasets import {0}; {0}.load_data()"'
APT_COMMAND = "sudo apt-get install dataset-fashion-mnist"
# Taken when the tests start, before any test points the caches elsewhere.
MNIST_PLACES = [*mnist.search_paths(), SHARED / "mnist"]
FASHION_MNIST_PLACES = [*fashion_mnist.search_paths(), SHARED / "fashion-mnist"]
DEBIAN_FASHION_MNIST = fetch.system_dirs("fashion-mnist")


def _copy_at(candidate, npz_name):
    """`candidate` if it holds a whole copy: a folder of the four IDX files (.gz or not), or an .npz."""
    if candidate.is_file() and npz_name and candidate.name == npz_name:
        return candidate
    if candidate.is_dir():
        if all(any((candidate / f"{name}{ext}").is_file() for ext in (".gz", "")) for name in idx_family.FILES):
            return candidate
        if npz_name and (candidate / npz_name).is_file():
            return candidate / npz_name
    return None


def _require(what, candidates, npz_name, fix):
    for candidate in candidates:
        found = _copy_at(candidate, npz_name)
        if found is not None:
            return found
    message = f"{what} not found in {', '.join(str(c) for c in candidates)}; to get it: {fix}"
    if os.environ.get("DEEPGRAD_REQUIRE_DATA") == "1":
        pytest.fail(message + " (DEEPGRAD_REQUIRE_DATA=1 makes this a failure)")
    pytest.skip(message)


def require_mnist():
    """A copy of the real MNIST that load_data(path=...) reads (a folder, or Keras' mnist.npz), or skip/fail."""
    return _require("real MNIST", MNIST_PLACES, "mnist.npz", FETCH_COMMAND.format("mnist"))


def require_fashion_mnist():
    """A folder of the real Fashion-MNIST IDX files, or skip/fail."""
    return _require("Fashion-MNIST", FASHION_MNIST_PLACES, None,
                    f"{APT_COMMAND} (or {FETCH_COMMAND.format('fashion_mnist')})")


def require_debian_fashion_mnist():
    """Debian's Fashion-MNIST folder (the package dataset-fashion-mnist), or skip/fail."""
    return _require("Debian's Fashion-MNIST", DEBIAN_FASHION_MNIST, None, APT_COMMAND)


def link_copy(source, folder):
    """Make `folder` hold `source`'s copy of an MNIST-family dataset, by symbolic links."""
    folder.mkdir(parents=True, exist_ok=True)
    if source.is_file():
        (folder / source.name).symlink_to(source)
        return
    for path in source.iterdir():
        if path.name.split(".")[0] in idx_family.FILES:
            (folder / path.name).symlink_to(path)
