"""Models: Sequential, the functional Model, subclassed models, the trainer, and the model files."""
from .model import Model
from .model_files import clone_model, load_model, model_from_config, model_from_json, save_model
from .sequential import Sequential
from ...missing import not_implemented

__all__ = ["Model", "Sequential", "load_model", "save_model", "clone_model", "model_from_json",
           "model_from_config"]


__getattr__ = not_implemented("keras.models")
