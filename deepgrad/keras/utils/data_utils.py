"""Data helpers Keras users expect: to_categorical, normalize, PyDataset, split_dataset, set_random_seed."""
import random

import numpy as np

from ... import backend


def to_categorical(x, num_classes=None):
    """One-hot encode integer labels: shape (..., ) or (..., 1) -> (..., num_classes), float32."""
    x = np.asarray(x)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.size and (np.any(x < 0) or np.any(x != np.round(x))):
        raise ValueError("to_categorical expects non-negative integer class labels")
    x = x.astype(int)
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    if x.size and x.max() >= num_classes:
        raise ValueError(
            f"to_categorical: label {int(x.max())} does not fit num_classes={num_classes}"
        )
    out = np.zeros(x.shape + (num_classes,), dtype="float32")
    np.put_along_axis(out, x[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """x divided by its L-`order` norm along `axis` (zero norms left as zeros)."""
    x = np.asarray(x, dtype="float32") if not np.issubdtype(np.asarray(x).dtype, np.floating) else np.asarray(x)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def set_random_seed(seed):
    """Seed Python's random, NumPy's global generator and deepgrad's generator at once."""
    if not isinstance(seed, int):
        raise ValueError(f"set_random_seed expects an integer seed. Received: {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    backend.set_seed(seed)


class PyDataset:
    """Base for datasets of batches: define __len__ (number of batches) and __getitem__(i) -> (x, y).

    Args mirror Keras' (workers, use_multiprocessing, max_queue_size) and are accepted for
    compatibility; batches are produced in the training process.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) returning a batch")

    def on_epoch_end(self):
        """Called after each epoch (e.g. to reshuffle)."""


Sequence = PyDataset


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split arrays (or a tuple of arrays) into two parts by fraction or count, like Keras."""
    arrays = dataset if isinstance(dataset, (tuple, list)) else (dataset,)
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("split_dataset: all arrays must have the same length")

    def count(size):
        if size is None:
            return None
        return int(round(size * n)) if isinstance(size, float) else int(size)

    left, right = count(left_size), count(right_size)
    if left is None and right is None:
        left = n // 2
    if left is None:
        left = n - right
    if right is None:
        right = n - left
    if left + right > n or left < 0 or right < 0:
        raise ValueError(f"split_dataset: sizes {left_size}, {right_size} do not fit {n} samples")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    pick = lambda idx: tuple(np.asarray(a)[idx] for a in arrays) if len(arrays) > 1 else np.asarray(arrays[0])[idx]
    return pick(order[:left]), pick(order[left:left + right])
