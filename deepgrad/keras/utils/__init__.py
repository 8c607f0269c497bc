"""Keras utilities, and the saving names Keras 3 also exports here (keras.utils.register_keras_serializable, ...).

serialize_keras_object / deserialize_keras_object resolve on first use, so that importing
the progress bar (as callbacks and datasets do) does not import the file formats.
"""
import importlib

from ..registry import (CustomObjectScope, custom_object_scope, get_custom_objects, get_registered_name,
                        get_registered_object, register_keras_serializable)
from .data_utils import PyDataset, Sequence, normalize, set_random_seed, split_dataset, to_categorical
from .file_utils import get_file
from .progbar import Progbar
from .sequence_utils import pad_sequences

_SERIALIZATION = ("serialize_keras_object", "deserialize_keras_object")

__all__ = ["CustomObjectScope", "Progbar", "PyDataset", "Sequence", "custom_object_scope",
           "deserialize_keras_object", "get_custom_objects", "get_file", "get_registered_name",
           "get_registered_object", "normalize", "pad_sequences", "register_keras_serializable",
           "serialize_keras_object", "set_random_seed", "split_dataset", "to_categorical"]


def __getattr__(name):
    if name not in _SERIALIZATION:
        raise AttributeError(f"deepgrad does not implement keras.utils.{name}")
    value = getattr(importlib.import_module("deepgrad.keras.saving.serialization_lib"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_SERIALIZATION))
