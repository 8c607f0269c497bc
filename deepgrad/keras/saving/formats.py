"""Which file format a path means, as in Keras 3: '.keras' (zip), '.weights.h5', legacy '.h5'/'.hdf5'.

save_model, save_weights and load_weights choose the format from the path's suffix and
raise Keras' errors for the others; a file whose content is not what its suffix says
gets a ValueError naming the file and what it is.
"""
import os
import warnings
import zipfile

import numpy as np

from . import keras_file, legacy_h5
from .file_io import atomic_write, may_overwrite
from .h5_store import H5WeightsStore, open_h5
from .object_tree import load_state, save_state

_H5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _sniff(path):
    """'zip', 'hdf5' or None, from the first bytes of the file."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if head == _H5_SIGNATURE:
        return "hdf5"
    return None


def save_model(model, filepath, overwrite=True, zipped=None, include_optimizer=True, save_format=None):
    """model.save(): '.keras' writes Keras 3's zip, '.h5'/'.hdf5' the legacy HDF5 file."""
    name = str(filepath)
    if save_format and not name.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(
            "The `save_format` argument is deprecated in Keras 3. Please remove this argument and "
            f"pass a file path with either `.keras` or `.h5` extension.Received: save_format={save_format}"
        )
    if zipped is False:
        raise NotImplementedError("deepgrad does not implement saving a model as an unzipped folder (zipped=False)")
    if not name.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for the "
            "native Keras format (recommended) or a `.h5` extension. Use `model.export(filepath)` if "
            "you want to export a SavedModel for use with TFLite/TFServing/etc. "
            f"Received: filepath={filepath}."
        )
    if not may_overwrite(filepath, overwrite):
        return
    if name.endswith(".keras"):
        keras_file.save_model(model, filepath)
    else:
        warnings.warn(
            "You are saving your model as an HDF5 file via `model.save()`. This file format is "
            "considered legacy. We recommend using instead the native Keras format, e.g. "
            "`model.save('my_model.keras')`.",
            stacklevel=3,
        )
        legacy_h5.save_model(model, filepath, include_optimizer=include_optimizer)


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """model.save_weights(): a '.weights.h5' file in Keras 3's layout, atomically."""
    name = str(filepath)
    if max_shard_size is not None:
        raise NotImplementedError("deepgrad does not implement sharded weights (max_shard_size)")
    if not name.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={name}")
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the model first "
                         "by calling it on some data or by using `build()`.")
    if not may_overwrite(filepath, overwrite):
        return

    def write(tmp):
        with open_h5(tmp, "w", name) as h5:
            save_state(model, H5WeightsStore(h5))

    atomic_write(filepath, write)


def _load_weights_h5(model, filepath, skip_mismatch):
    label = os.fspath(filepath)
    with open_h5(filepath, "r", label) as h5:
        if "layer_names" in h5.attrs or "model_weights" in h5:
            raise ValueError(
                f"{label} is a legacy Keras HDF5 file (layer_names/model_weights), not a '.weights.h5' "
                "file: name it '.h5' to load it with load_weights"
            )
        try:
            skipped = load_state(model, H5WeightsStore(h5), skip_mismatch)
        except ValueError as e:
            raise ValueError(f"{label}: {e}") from e
    for path, error in skipped:
        warnings.warn(f"{label}: skipped loading the weights of {path}: {error}", stacklevel=3)


def _load_npz_weights(model, filepath):
    """deepgrad's first weight files: a NumPy archive of every weight in model.weights order."""
    label = os.fspath(filepath)
    try:
        with np.load(filepath, allow_pickle=False) as npz:
            arrays = [npz[k] for k in sorted(npz.files)]
    except ValueError as e:
        raise ValueError(f"{label} is neither a Keras weights file nor a plain NumPy archive ({e})") from None
    weights = model.weights
    if len(arrays) != len(weights):
        raise ValueError(f"{label} holds {len(arrays)} weight arrays but model '{model.name}' has {len(weights)}")
    model.set_weights(arrays)


def load_weights(model, filepath, skip_mismatch=False, by_name=None, objects_to_skip=None):
    """model.load_weights(): '.keras', '.weights.h5', or legacy '.h5'/'.hdf5' (Keras' or tf.keras 2's)."""
    name = str(filepath)
    label = os.fspath(filepath)
    if objects_to_skip is not None:
        raise NotImplementedError("deepgrad does not implement load_weights(objects_to_skip=...)")
    if not name.endswith((".keras", ".weights.h5", ".h5", ".hdf5")):
        raise ValueError(
            f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` files, "
            "`.weights.h5` files, legacy H5 format files (`.h5` extension), or Orbax checkpoints."
        )
    if by_name is not None and not name.endswith((".h5", ".hdf5")) or (by_name and name.endswith(".weights.h5")):
        raise ValueError(f"`by_name` only supports loading legacy '.h5' or '.hdf5' files. Received: {filepath}")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {label}")
    kind = _sniff(filepath)
    if kind == "zip":
        with zipfile.ZipFile(filepath) as z:
            members = z.namelist()
        if keras_file.CONFIG in members:
            if not name.endswith(".keras"):
                raise ValueError(f"{label} is a .keras model archive, not an HDF5 weights file: name it "
                                 "'.keras' to load its weights, or load it with keras.models.load_model")
            keras_file.load_weights(model, filepath, skip_mismatch)
            return
        _load_npz_weights(model, filepath)
        return
    if name.endswith(".keras"):
        raise ValueError(f"{label} is not a valid .keras file: it is not a zip archive")
    if kind != "hdf5":
        raise ValueError(f"{label} is not an HDF5 file (nor a zip archive): it cannot hold Keras weights")
    if name.endswith(".weights.h5"):
        _load_weights_h5(model, filepath, skip_mismatch)
    else:
        legacy_h5.load_weights(model, filepath, by_name=bool(by_name), skip_mismatch=skip_mismatch)
