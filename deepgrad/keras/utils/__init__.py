"""Keras utilities."""
from .data_utils import PyDataset, Sequence, normalize, set_random_seed, split_dataset, to_categorical
from .progbar import Progbar

__all__ = ["Progbar", "PyDataset", "Sequence", "normalize", "set_random_seed", "split_dataset", "to_categorical"]
