"""Loading the MNIST-family datasets (IDX files) from a path, the caches, or the shipped sample."""
import os
from pathlib import Path

from ...backend import xp
from .idx import read_idx

_PACKAGE_DATA = Path(__file__).with_name("data")


def cache_dirs(name):
    """Where a dataset may already be: deepgrad's cache, then Keras' own."""
    home = os.environ.get("DEEPGRAD_HOME")
    base = Path(home) / "datasets" if home else Path.home() / ".deepgrad" / "datasets"
    return [base / name, base, Path.home() / ".keras" / "datasets" / name, Path.home() / ".keras" / "datasets"]


def _from_folder(folder, files):
    names = list(files)
    arrays = [read_idx(folder / n) for n in names]
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def _from_npz(path):
    with xp.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def _complete(folder, files):
    return all((folder / n).is_file() for n in files)


def load(name, files, path=None, sample=False):
    if sample:
        return _from_npz(_PACKAGE_DATA / f"{name}_sample.npz")
    if path is not None:
        path = Path(path).expanduser()
        if path.is_file() and path.suffix == ".npz":
            return _from_npz(path)
        if path.is_dir() and _complete(path, files):
            return _from_folder(path, files)
        raise FileNotFoundError(
            f"{name}: {path} does not hold the files {', '.join(files)} (or a Keras {name}.npz)"
        )
    for folder in cache_dirs(name):
        if _complete(folder, files):
            return _from_folder(folder, files)
        if (folder / f"{name}.npz").is_file():
            return _from_npz(folder / f"{name}.npz")
    raise FileNotFoundError(
        f"{name}: no copy found. Put the files {', '.join(files)} in {cache_dirs(name)[0]} "
        f"(or pass path=...), or use load_data(sample=True) for the sample shipped with deepgrad"
    )
