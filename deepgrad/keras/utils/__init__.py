"""Keras utilities."""
from .data_utils import PyDataset, Sequence, normalize, set_random_seed, split_dataset, to_categorical
from .file_utils import get_file
from .progbar import Progbar
from .sequence_utils import pad_sequences

__all__ = ["Progbar", "PyDataset", "Sequence", "get_file", "normalize", "pad_sequences", "set_random_seed", "split_dataset", "to_categorical"]
