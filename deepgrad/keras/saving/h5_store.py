"""Keras 3's HDF5 weights layout: each object's variables in a group '<path>/vars', as '0', '1', ...

    layers/conv2d/vars/0          the first Conv2D's kernel
    layers/conv2d/vars/1          its bias
    layers/dense_1/vars/0         the second Dense's kernel
    layers/lstm/cell/vars/0       an LSTM's cell kernel
    optimizer/vars/0              the optimizer's iteration count, ...
    vars                          the model's own variables (usually none)

Every 'vars' group carries the attribute name=<object name>. This is the layout of
`.weights.h5` files and of `model.weights.h5` inside a `.keras` zip. h5py is
imported here only, so a model that never touches an HDF5 file never loads it.
"""
import numpy as np


def _h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Reading and writing Keras' .h5 files needs h5py: pip install h5py") from e
    return h5py


def open_h5(source, mode, label):
    """h5py.File over a path or a file object; ValueError naming `label` if it is not HDF5."""
    h5py = _h5py()
    try:
        return h5py.File(source, mode)
    except OSError as e:
        raise ValueError(f"{label} is not a readable HDF5 file ({e})") from None


class VarsWriter:
    """store['0'] = array writes dataset '0' of one object's 'vars' group."""

    def __init__(self, group):
        self.group = group

    def __setitem__(self, key, value):
        self.group.create_dataset(str(key), data=np.asarray(value))


class VarsReader:
    """store['0'] reads dataset '0' of one object's 'vars' group (an empty group when absent)."""

    def __init__(self, group=None):
        self.group = group

    def keys(self):
        return [] if self.group is None else sorted(self.group.keys(), key=_numeric_key)

    def __len__(self):
        return len(self.keys())

    def __getitem__(self, key):
        if self.group is None or str(key) not in self.group:
            raise KeyError(key)
        return np.asarray(self.group[str(key)])


def _numeric_key(name):
    return (0, int(name)) if name.isdigit() else (1, name)


class H5WeightsStore:
    """The weights of an object tree in one HDF5 file (Keras' H5IOStore).

    `make(path, name)` returns a VarsWriter for the object at `path`; `get(path)` a
    VarsReader (empty when the file has nothing at that path).
    """

    # Keras 2.13-2.15 wrote the layers of a model under this name instead of 'layers'.
    _LEGACY_LAYERS = "_layer_checkpoint_dependencies"

    def __init__(self, h5file):
        self.h5 = h5file

    def make(self, path, name=None):
        group = self.h5.require_group(path) if path else self.h5
        vars_group = group.create_group("vars")
        if name is not None:
            vars_group.attrs["name"] = name
        return VarsWriter(vars_group)

    def get(self, path):
        for candidate in self._candidates(path):
            if candidate in self.h5 and "vars" in self.h5[candidate]:
                return VarsReader(self.h5[candidate]["vars"])
        if not path and "vars" in self.h5:
            return VarsReader(self.h5["vars"])
        return VarsReader()

    def has(self, path):
        return any(c in self.h5 for c in self._candidates(path))

    def _candidates(self, path):
        if not path:
            return []
        parts = path.split("/")
        legacy = "/".join(self._LEGACY_LAYERS if p == "layers" else p for p in parts)
        return [path] if legacy == path else [path, legacy]
