"""keras.saving's entry points (save_model, load_model, save_weights, load_weights), over the formats.

It sits above the models package: load_model is keras.models.load_model, which needs
the model classes registered.
"""
from ..models import load_model, save_model
from . import formats

__all__ = ["save_model", "load_model", "save_weights", "load_weights"]


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """model.save_weights(filepath): a '.weights.h5' file in Keras 3's layout."""
    formats.save_weights(model, filepath, overwrite=overwrite, max_shard_size=max_shard_size)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """model.load_weights(filepath): '.keras', '.weights.h5' or legacy '.h5'."""
    formats.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)
