"""Keras' legacy HDF5 model file (`model.save("m.h5")`), as tf.keras 2 and Keras 3 write it.

    attrs: keras_version, backend, model_config (JSON), training_config (JSON, when compiled)
    model_weights/                      attrs: layer_names, keras_version, backend
      <layer name>/                     attrs: weight_names = ['dense/kernel', 'dense/bias']
        <weight name>                   one dataset per weight, at the path its name gives
      top_level_model_weights/          the model's own weights (usually none)
    optimizer_weights/                  attrs: weight_names; the optimizer's variables in order

Weights are matched to layers by position among the layers that have weights (as
Keras does), or by layer name with by_name=True; within a layer, in the order
trainable weights then non-trainable ones. tf.keras 2's names ('dense/kernel:0')
are read the same way, since the names only locate the datasets.
"""
import json
import os
import warnings

import numpy as np

from ..registry import CustomObjectScope
from .file_io import atomic_write
from .h5_store import open_h5
from .keras_file import KERAS_VERSION, model_from_config
from .serialization_lib import serialize_keras_object

BACKEND = "numpy"


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _names(group, attr):
    """A list attribute written by Keras (possibly chunked as attr0, attr1, ...), as str."""
    if attr in group.attrs:
        return [_text(n) for n in group.attrs[attr]]
    chunks, i = [], 0
    while f"{attr}{i}" in group.attrs:
        chunks.extend(_text(n) for n in group.attrs[f"{attr}{i}"])
        i += 1
    return chunks


def _legacy_entry(entry):
    """A Keras 3 layer entry in the legacy form: {'class_name', 'config'} (plus a functional model's node data)."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        return entry
    class_name = entry.get("registered_name") or entry["class_name"]
    out = {"class_name": class_name, "config": entry["config"]}
    for key in ("name", "inbound_nodes"):
        if key in entry:
            out[key] = entry[key]
    if isinstance(out["config"], dict) and isinstance(out["config"].get("layers"), list):
        out["config"] = dict(out["config"], layers=[_legacy_entry(e) for e in out["config"]["layers"]])
    return out


def model_config(model):
    """The model's config in the legacy form, with its build config (so a subclassed model reloads built)."""
    config = serialize_keras_object(model)
    entry = _legacy_entry(config)
    if "build_config" in config:
        entry["build_config"] = config["build_config"]
    return entry


def training_config(model):
    """compile()'s arguments in the legacy form (the optimizer as 'optimizer_config')."""
    config = model.get_compile_config()
    if not config:
        return None
    optimizer = config.pop("optimizer")
    config["optimizer_config"] = {"class_name": optimizer["class_name"], "config": optimizer["config"]}
    return config


def legacy_weights(layer):
    """A layer's weights in the legacy files' order: trainable, then non-trainable."""
    return layer.trainable_weights + layer.non_trainable_weights


def _weight_names(layer):
    """Unique names for a layer's legacy weights, Keras style: 'bidirectional/forward_lstm/lstm_cell/kernel'."""
    owner = {}
    for sub in layer._flatten_layers():
        for w in sub._own_weights:
            owner.setdefault(id(w), sub)
    path = {id(layer): layer.name}
    for sub in layer._flatten_layers():
        for child in sub._layers:
            path.setdefault(id(child), f"{path[id(sub)]}/{child.name}")
    names, used = [], set()
    for w in legacy_weights(layer):
        short = str(w.name).split("/")[-1].split(":")[0]
        name = f"{path.get(id(owner.get(id(w))), layer.name)}/{short}"
        base, i = name, 1
        while name in used:
            name, i = f"{base}_{i}", i + 1
        used.add(name)
        names.append(name)
    return names


def save_weights_to_group(group, model):
    group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in model.layers]
    group.attrs["backend"] = BACKEND
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in model.layers + [model]:
        name = "top_level_model_weights" if layer is model else layer.name
        sub = group.create_group(name)
        weights = model._own_weights if layer is model else legacy_weights(layer)
        names = [f"{model.name}/{w.name}" for w in weights] if layer is model else _weight_names(layer)
        sub.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for n, w in zip(names, weights):
            sub.create_dataset(n, data=w.data)


def _save_optimizer_weights(h5, optimizer):
    group = h5.create_group("optimizer_weights")
    variables = optimizer.variables
    names = ["iteration", "learning_rate"][: min(2, len(variables))]
    names += [f"variable_{i}" for i in range(len(names), len(variables))]
    names = [f"{optimizer.name}/{n}" for n in names]
    group.attrs["weight_names"] = [n.encode("utf8") for n in names]
    for n, v in zip(names, variables):
        group.create_dataset(n, data=np.asarray(v))


def save_model(model, filepath, include_optimizer=True):
    """Write `model` as a legacy HDF5 file, atomically."""

    def write(tmp):
        with open_h5(tmp, "w", os.fspath(filepath)) as h5:
            h5.attrs["keras_version"] = KERAS_VERSION
            h5.attrs["backend"] = BACKEND
            h5.attrs["model_config"] = json.dumps(model_config(model)).encode("utf8")
            train = training_config(model)
            if train is not None:
                h5.attrs["training_config"] = json.dumps(train).encode("utf8")
            save_weights_to_group(h5.create_group("model_weights"), model)
            if include_optimizer and model.optimizer is not None and model.optimizer.built:
                _save_optimizer_weights(h5, model.optimizer)

    atomic_write(filepath, write)


# ------------------------------------------------------------------ reading


def _assign(layer, values, names, label):
    weights = legacy_weights(layer)
    if len(values) != len(weights):
        raise ValueError(
            f"{label}: layer '{layer.name}' ({type(layer).__name__}) expects {len(weights)} weights, "
            f"but the saved weights have {len(values)} elements ({names})"
        )
    for w, v, n in zip(weights, values, names):
        if tuple(v.shape) != tuple(w.shape):
            raise ValueError(
                f"{label}: shape mismatch in layer '{layer.name}' ({type(layer).__name__}) for weight "
                f"'{n}': the layer expects shape {tuple(w.shape)}, the file holds shape {tuple(v.shape)}"
            )
    for w, v in zip(weights, values):
        w.assign(v)


def _layer_values(group):
    names = _names(group, "weight_names")
    return [np.asarray(group[n]) for n in names], names


def load_weights_from_group(group, model, label, by_name=False, skip_mismatch=False):
    """Assign a legacy 'model_weights' group's weights to `model`'s layers."""
    saved = [n for n in _names(group, "layer_names") if _names(group[n], "weight_names")]
    layers = [layer for layer in model.layers if legacy_weights(layer)]
    if by_name:
        index = {layer.name: layer for layer in layers}
        pairs = [(index[n], n) for n in saved if n in index]
    else:
        if len(saved) != len(layers):
            raise ValueError(
                f"{label}: layer count mismatch when loading weights. The model has {len(layers)} layers "
                f"with weights ({[l.name for l in layers]}), the file has {len(saved)} ({saved})"
            )
        pairs = list(zip(layers, saved))
    for layer, name in pairs:
        values, names = _layer_values(group[name])
        try:
            _assign(layer, values, names, label)
        except ValueError as e:
            if not skip_mismatch:
                raise
            warnings.warn(f"Skipping loading weights for layer '{layer.name}': {e}", stacklevel=2)
    if "top_level_model_weights" in group and model._own_weights:
        values, _ = _layer_values(group["top_level_model_weights"])
        for w, v in zip(model._own_weights, values):
            w.assign(v)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Assign the weights of a legacy .h5 file (a whole model's, or weights only) to `model`."""
    label = os.fspath(filepath)
    with open_h5(filepath, "r", label) as h5:
        group = h5
        if "layer_names" not in h5.attrs and "model_weights" in h5:
            group = h5["model_weights"]
        if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
            raise ValueError(f"{label} is an HDF5 file but not a Keras weights file (no 'layer_names')")
        load_weights_from_group(group, model, label, by_name, skip_mismatch)


def _legacy_metric(metric):
    """A metric of a tf.keras 2 training_config: its MeanMetricWrapper form becomes the name it was given."""
    if isinstance(metric, list):
        return [_legacy_metric(m) for m in metric]
    if isinstance(metric, dict) and metric.get("class_name") == "MeanMetricWrapper":
        config = metric.get("config") or {}
        return config.get("name") if config.get("name") in ("accuracy", "acc") else config.get("fn")
    return metric


def _compile_from_training_config(model, config, label):
    optimizer = config.get("optimizer_config")
    args = {k: config[k] for k in ("loss", "loss_weights", "weighted_metrics") if k in config}
    metrics = _legacy_metric(config.get("metrics"))
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        metrics = metrics[0]  # tf.keras 2 nests the metrics of a single output
    args["metrics"] = metrics
    if optimizer is not None:
        class_name = optimizer["class_name"]
        if class_name.startswith("Custom>"):  # tf.keras 2.11-2.15 registered its optimizers so
            class_name = class_name.split(">", 1)[1]
        args["optimizer"] = {"class_name": class_name, "config": optimizer["config"], "module": "keras.optimizers"}
    try:
        model.compile_from_config(args)
    except (ValueError, TypeError, KeyError) as e:
        warnings.warn(f"{label}: could not restore the model's compile configuration ({e}); "
                      "the model is loaded uncompiled: compile it before training", stacklevel=3)


def _load_optimizer_weights(model, h5, label):
    group = h5["optimizer_weights"]
    values = [np.asarray(group[n]) for n in _names(group, "weight_names")]
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_weights)
    try:
        optimizer.set_weights(values)
    except ValueError as e:
        warnings.warn(f"{label}: the saved optimizer state does not fit this optimizer ({e}); "
                      "the model starts with a freshly initialized optimizer", stacklevel=3)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """The model of a legacy .h5 file, with its weights (and compiled, when the file says how)."""
    label = os.fspath(filepath)
    with open_h5(filepath, "r", label) as h5:
        if "model_config" not in h5.attrs:
            raise ValueError(f"{label} is an HDF5 file but holds no model (no 'model_config'): "
                             "is it a weights file? Load it with model.load_weights()")
        try:
            config = json.loads(_text(h5.attrs["model_config"]))
        except json.JSONDecodeError as e:
            raise ValueError(f"{label}: model_config is not valid JSON ({e})") from None
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"{label}: model_config does not describe a model (it has no 'class_name')")
        model = model_from_config(config, label, custom_objects, compile=False, safe_mode=safe_mode,
                                  source="model_config")
        load_weights_from_group(h5["model_weights"] if "model_weights" in h5 else h5, model, label)
        if compile and "training_config" in h5.attrs:
            with CustomObjectScope(custom_objects or {}):
                _compile_from_training_config(model, json.loads(_text(h5.attrs["training_config"])), label)
            if model.compiled and "optimizer_weights" in h5:
                _load_optimizer_weights(model, h5, label)
    return model
