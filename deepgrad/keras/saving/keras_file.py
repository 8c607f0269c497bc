"""The `.keras` file of Keras 3: a zip archive, read and written as Keras reads and writes it.

    metadata.json       {"keras_version": ..., "date_saved": ...}
    config.json         serialize_keras_object(model): the architecture, build and compile configs
    model.weights.h5    every variable, the optimizer's included, in Keras' HDF5 layout (h5_store.py)
    assets/<path>/...   files a layer writes with save_assets (a TextVectorization's vocabulary)

Reading also accepts the first `.keras` files deepgrad wrote, whose weights are
`model.weights.npz` (NumPy arrays, loaded without pickle). Nothing in the archive is
extracted under its own name: an asset is written below a fresh temporary folder only
after its name is checked, and a member that would expand far beyond its stored size
is refused.
"""
import io
import json
import os
import posixpath
import tempfile
import time
import warnings
import zipfile

import numpy as np

from ... import __version__
from .file_io import atomic_write
from .h5_store import H5WeightsStore, open_h5
from .object_tree import load_state, save_state, walk
from .serialization_lib import deserialize_keras_object, serialize_keras_object

KERAS_VERSION = "3.15.1"  # the Keras release whose format these files follow
CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS_H5 = "model.weights.h5"
WEIGHTS_NPZ = "model.weights.npz"
ASSETS = "assets"
_MAX_EXPANSION = 100  # a member may expand at most this many times its stored size ...
_EXPANSION_FLOOR = 64 * 2 ** 20  # ... once it declares more than this many bytes


# ------------------------------------------------------------------ writing


def model_config_json(model):
    return json.dumps(serialize_keras_object(model))


def metadata_json():
    return json.dumps({"keras_version": KERAS_VERSION, "deepgrad_version": __version__,
                       "date_saved": time.strftime("%Y-%m-%d@%H:%M:%S")})


def weights_h5_bytes(model):
    """The model's variables as an HDF5 file in memory, in Keras' layout."""
    buffer = io.BytesIO()
    with open_h5(buffer, "w", "the weights buffer") as h5:
        save_state(model, H5WeightsStore(h5))
    return buffer.getvalue()


def _asset_files(model):
    """(archive name, bytes) of every file the model's layers write with save_assets."""
    files = []
    with tempfile.TemporaryDirectory() as root:
        for obj, path in walk(model):
            if not hasattr(obj, "save_assets"):
                continue
            folder = os.path.join(root, *path.split("/")) if path else root
            os.makedirs(folder, exist_ok=True)
            obj.save_assets(folder)
        for folder, _, names in sorted(os.walk(root)):
            for name in sorted(names):
                full = os.path.join(folder, name)
                relative = os.path.relpath(full, root).replace(os.sep, "/")
                with open(full, "rb") as f:
                    files.append((f"{ASSETS}/{relative}", f.read()))
    return files


def save_model(model, filepath):
    """Write `model` to a .keras zip at `filepath`, atomically."""
    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not contain any weights "
                      "yet. Consider building the model first by calling it on some data.", stacklevel=4)
    members = [(METADATA, metadata_json().encode()), (CONFIG, model_config_json(model).encode()),
               (WEIGHTS_H5, weights_h5_bytes(model))] + _asset_files(model)

    def write(tmp):
        with zipfile.ZipFile(tmp, "w") as z:
            for name, data in members:
                z.writestr(name, data)

    atomic_write(filepath, write)


# ------------------------------------------------------------------ reading


def open_archive(filepath):
    """The zip archive of a .keras file; ValueError naming the file when it is not one."""
    label = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={label}. Please ensure the file is an accessible `.keras` zip file.")
    try:
        archive = zipfile.ZipFile(filepath)
    except (zipfile.BadZipFile, OSError) as e:
        raise ValueError(f"{label} is not a valid .keras file: it is not a complete zip archive ({e})") from None
    for info in archive.infolist():
        if info.file_size > _EXPANSION_FLOOR and info.file_size > _MAX_EXPANSION * max(info.compress_size, 1):
            archive.close()
            raise ValueError(
                f"{label}: refusing member '{info.filename}', which declares {info.file_size} bytes "
                f"stored in {info.compress_size} (a decompression bomb?)"
            )
    return archive


def _read_member(archive, name, label):
    try:
        return archive.read(name)
    except KeyError:
        raise ValueError(f"{label} is not a valid .keras file: it has no {name}") from None
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise ValueError(f"{label}: the archive member {name} is damaged ({e})") from None


def read_config(archive, label):
    """config.json as a dict with a 'class_name'; ValueError naming the file otherwise."""
    text = _read_member(archive, CONFIG, label)
    try:
        config = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{label}: {CONFIG} is not valid JSON ({e})") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{label}: {CONFIG} does not describe a model (it has no 'class_name')")
    return config


def model_from_config(config, label, custom_objects=None, compile=True, safe_mode=True, source=CONFIG):
    """The model a config describes (without its weights); errors name the file and `source`."""
    config = dict(config)
    if not compile:
        config.pop("compile_config", None)
    try:
        model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode, kind="layer")
    except NotImplementedError as e:
        raise NotImplementedError(f"{label}: {e}") from e
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        raise ValueError(f"{label}: could not rebuild the model from {source}: {e}") from e
    if not hasattr(model, "compile"):
        raise ValueError(f"{label}: {source} describes a {type(model).__name__}, not a model")
    return model


def _safe_member_path(name, label):
    """The parts of an archive member's name, refusing absolute names and '..'."""
    normalized = posixpath.normpath(name.replace("\\", "/"))
    parts = normalized.split("/")
    if normalized.startswith("/") or ".." in parts or ":" in parts[0]:
        raise ValueError(f"{label}: refusing the archive member '{name}', whose name leaves the archive")
    return parts


class _Weights:
    """The weights of a .keras archive: Keras' model.weights.h5, or deepgrad's first model.weights.npz."""

    def __init__(self, archive, label):
        names = archive.namelist()
        self.label = label
        self.h5 = self.arrays = None
        if WEIGHTS_H5 in names:
            self.h5 = open_h5(io.BytesIO(_read_member(archive, WEIGHTS_H5, label)), "r",
                              f"{label}: {WEIGHTS_H5}")
        elif WEIGHTS_NPZ in names:
            try:
                with np.load(io.BytesIO(_read_member(archive, WEIGHTS_NPZ, label)), allow_pickle=False) as npz:
                    self.arrays = [npz[k] for k in sorted(npz.files)]
            except ValueError as e:
                raise ValueError(f"{label}: {WEIGHTS_NPZ} is not a plain array archive ({e})") from None
        else:
            raise ValueError(f"{label} is not a valid .keras file: expected a {WEIGHTS_H5} or {WEIGHTS_NPZ} member")

    def assign(self, model, skip_mismatch=False):
        if self.h5 is not None:
            return load_state(model, H5WeightsStore(self.h5), skip_mismatch)
        weights = model.weights
        if len(self.arrays) != len(weights):
            raise ValueError(
                f"{self.label} holds {len(self.arrays)} weight arrays but model '{model.name}' has {len(weights)}"
            )
        model.set_weights(self.arrays)
        return []

    def close(self):
        if self.h5 is not None:
            self.h5.close()


def _load_assets(archive, model, label):
    members = [n for n in archive.namelist() if n.startswith(f"{ASSETS}/") and not n.endswith("/")]
    readers = [(obj, path) for obj, path in walk(model) if hasattr(obj, "load_assets")]
    if not members or not readers:
        return
    with tempfile.TemporaryDirectory() as root:
        for name in members:
            parts = _safe_member_path(name, label)
            target = os.path.join(root, *parts)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(_read_member(archive, name, label))
        for obj, path in readers:
            folder = os.path.join(root, ASSETS, *path.split("/")) if path else os.path.join(root, ASSETS)
            if os.path.isdir(folder):
                obj.load_assets(folder)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model of a .keras file, with its weights (and, with compile=True, its compiled optimizer's state)."""
    label = os.fspath(filepath)
    with open_archive(filepath) as archive:
        for name in archive.namelist():
            _safe_member_path(name, label)
        model = model_from_config(read_config(archive, label), label, custom_objects, compile, safe_mode)
        weights = _Weights(archive, label)
        try:
            _warn_skipped(weights.assign(model), label)
        except ValueError as e:
            raise ValueError(f"{label}: {e}") from e
        finally:
            weights.close()
        _load_assets(archive, model, label)
    return model


def load_weights(model, filepath, skip_mismatch=False):
    """Assign the weights stored in a .keras file to `model` (same architecture)."""
    label = os.fspath(filepath)
    with open_archive(filepath) as archive:
        weights = _Weights(archive, label)
        try:
            _warn_skipped(weights.assign(model, skip_mismatch), label)
        except ValueError as e:
            raise ValueError(f"{label}: {e}") from e
        finally:
            weights.close()
        _load_assets(archive, model, label)


def _warn_skipped(skipped, label):
    for path, error in skipped:
        warnings.warn(f"{label}: skipped loading the weights of {path}: {error}", stacklevel=3)
