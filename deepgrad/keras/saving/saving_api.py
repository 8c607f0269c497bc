"""Saving weights and models, safely.

Weights are NumPy .npz archives (arrays only: loading never unpickles, so a
file cannot run code). Every write goes to a temporary file in the same folder
and is renamed over the target only when complete, so an interrupted save never
destroys the last good checkpoint.

`model.save('m.keras')` writes Keras' zip layout with config.json and
metadata.json; the weights inside are model.weights.npz (Keras writes HDF5,
which would need h5py: deepgrad depends on NumPy alone).
"""
import io
import json
import os
import tempfile
import time
import zipfile

from ...backend import xp


def _atomic_write(path, write):
    """Call write(file) on a temporary file beside `path`, then rename it to `path`."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".deepgrad-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _weights_archive(model):
    return {f"{i:04d}:{w.name}": w.data for i, w in enumerate(model.weights)}


def _assign_weights(model, arrays, source):
    keys = sorted(arrays)
    weights = model.weights
    if len(keys) != len(weights):
        raise ValueError(
            f"{source} holds {len(keys)} weight arrays but model '{model.name}' has {len(weights)}"
        )
    model.set_weights([arrays[k] for k in keys])


def save_weights(model, filepath):
    """Write every weight of `model` (trainable or not) to `filepath`, atomically."""
    _atomic_write(filepath, lambda f: xp.savez(f, **_weights_archive(model)))


def load_weights(model, filepath):
    """Assign the weights saved by save_weights (same architecture, same order)."""
    filepath = os.fspath(filepath)
    source = filepath
    if zipfile.is_zipfile(filepath):
        with zipfile.ZipFile(filepath) as z:
            if "model.weights.npz" in z.namelist():
                source = io.BytesIO(z.read("model.weights.npz"))
    with xp.load(source, allow_pickle=False) as arrays:
        _assign_weights(model, dict(arrays), filepath)


def save_model(model, filepath):
    """Write `model` as a zip: config.json, metadata.json and model.weights.npz, atomically."""
    buffer = io.BytesIO()
    xp.savez(buffer, **_weights_archive(model))
    config = {"class_name": type(model).__name__, "config": model.get_config()}
    metadata = {"keras_version": "3 (deepgrad)", "date_saved": time.strftime("%Y-%m-%d@%H:%M:%S")}

    def write(f):
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("config.json", json.dumps(config, default=_json_default))
            z.writestr("metadata.json", json.dumps(metadata))
            z.writestr("model.weights.npz", buffer.getvalue())

    _atomic_write(filepath, write)


def _json_default(obj):
    if isinstance(obj, xp.ndarray):
        return obj.tolist()
    if isinstance(obj, (xp.generic,)):
        return obj.item()
    if isinstance(obj, xp.dtype):
        return str(obj)
    return repr(obj)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Rebuild a Sequential model saved by model.save() and load its weights."""
    from ..layers.wrappers import deserialize_layer
    from ..registry import SafeModeScope
    from ..models import Sequential

    with zipfile.ZipFile(filepath) as z:
        config = json.loads(z.read("config.json"))
        has_weights = "model.weights.npz" in z.namelist()
    if config["class_name"] != "Sequential":
        raise NotImplementedError(
            f"load_model rebuilds Sequential models; {config['class_name']} models are not supported yet. "
            "Rebuild the model in code and call model.load_weights(path) instead"
        )
    stack = []
    with SafeModeScope(safe_mode):
        for entry in config["config"]["layers"]:
            layer_config = dict(entry["config"])
            layer_config.pop("name", None)
            stack.append(deserialize_layer({**entry, "config": layer_config}, custom_objects))
    model = Sequential(stack)
    if has_weights:
        load_weights(model, filepath)
    return model
