"""Keras utilities, and the saving names Keras 3 also exports here (keras.utils.register_keras_serializable, ...).

serialize_keras_object / deserialize_keras_object resolve on first use, so that importing
the progress bar (as callbacks and datasets do) does not import the file formats.
"""
import importlib

from ..registry import (CustomObjectScope, custom_object_scope, get_custom_objects, get_registered_name,
                        get_registered_object, register_keras_serializable)
from .data_utils import PyDataset, Sequence, normalize, set_random_seed, split_dataset, to_categorical
from .data_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from .dataset_utils import (image_dataset_from_directory, text_dataset_from_directory,
                            timeseries_dataset_from_array)
from .image_utils import array_to_img, img_to_array, load_img, save_img
from .file_utils import get_file
from .progbar import Progbar
from .sequence_utils import pad_sequences

_SERIALIZATION = ("serialize_keras_object", "deserialize_keras_object")
_VISUALIZATION = ("model_to_dot", "plot_model")

__all__ = ["CustomObjectScope", "Progbar", "PyDataset", "Sequence", "custom_object_scope",
           "deserialize_keras_object", "get_custom_objects", "get_file", "get_registered_name",
           "get_registered_object", "normalize", "pad_sequences", "register_keras_serializable",
           "serialize_keras_object", "set_random_seed", "split_dataset", "to_categorical",
           "array_to_img", "img_to_array", "load_img", "save_img", "image_dataset_from_directory",
           "text_dataset_from_directory", "timeseries_dataset_from_array", "model_to_dot", "plot_model",
           "pack_x_y_sample_weight", "unpack_x_y_sample_weight"]


def __getattr__(name):
    if name in _VISUALIZATION:  # imports the layers' graph types: resolved on first use
        value = getattr(importlib.import_module("deepgrad.keras.utils.model_visualization"), name)
        globals()[name] = value
        return value
    if name not in _SERIALIZATION:
        raise AttributeError(f"deepgrad does not implement keras.utils.{name}")
    value = getattr(importlib.import_module("deepgrad.keras.saving.serialization_lib"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_SERIALIZATION) | set(_VISUALIZATION))
