"""keras.saving's entry points: load_model for every format, and save_model / save_weights / load_weights.

load_model chooses the reader from the path as Keras 3 does (a '.keras' zip, a legacy
'.h5'/'.hdf5' file) and rebuilds the model through the registry only: nothing named in
a file is imported or run (a Lambda's bytecode loads only with safe_mode=False).
"""
import os
import zipfile

from .. import models  # noqa: F401  (registers Sequential, Model and Functional for the readers)
from . import formats, keras_file, legacy_h5


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save `model` to '.keras' (Keras 3's zip) or '.h5' (legacy HDF5), as model.save()."""
    formats.save_model(model, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    formats.save_weights(model, filepath, overwrite=overwrite, max_shard_size=max_shard_size)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    formats.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model saved in `filepath` ('.keras' or legacy '.h5'), with its weights.

    Args:
        filepath: a '.keras' file (Keras 3's or deepgrad's) or a legacy '.h5'/'.hdf5' file.
        custom_objects: name -> class or function, for the custom objects the file names.
        compile: restore the compile configuration and the optimizer's state.
        safe_mode: False allows a Lambda layer's Python bytecode to load (it can run any code).
    """
    name = str(filepath)
    if name.endswith(".keras") and os.path.exists(filepath) and zipfile.is_zipfile(filepath):
        return keras_file.load_model(filepath, custom_objects, compile, safe_mode)
    if name.endswith((".h5", ".hdf5")):
        if not os.path.exists(filepath):
            raise ValueError(f"File not found: filepath={filepath}.")
        return legacy_h5.load_model(filepath, custom_objects, compile, safe_mode)
    if name.endswith(".keras"):
        if os.path.exists(filepath):
            raise ValueError(f"{os.fspath(filepath)} is not a valid .keras file: it is not a zip archive")
        raise ValueError(
            f"File not found: filepath={filepath}. Please ensure the file is an accessible `.keras` zip file."
        )
    raise ValueError(
        f"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` files, "
        "legacy H5 format files (`.h5` extension). Note that the legacy SavedModel format is not "
        "supported by `load_model()` in Keras 3."
    )
