"""Datasets from files and arrays, as Keras builds them: image_dataset_from_directory,
text_dataset_from_directory, timeseries_dataset_from_array.

Keras returns a tf.data.Dataset; deepgrad has no tf.data, so these return a BatchDataset:
len() is the number of batches, ds[i] the i-th batch of the epoch, iteration yields the
batches ((x, y) or x alone), and model.fit / evaluate / predict take it as they take a
PyDataset. Batches are NumPy arrays with Keras' shapes and dtypes.

Shuffling: the files are listed and shuffled exactly as Keras does (np.random.RandomState(seed)),
which fixes `file_paths` and the training/validation split; on top of that Keras' tf.data
shuffles the batches' order each epoch, which deepgrad does with a permutation seeded by
(seed, epoch) (tf.data's own shuffle order cannot be reproduced without TensorFlow).
"""
import copy
import math
import os

import numpy as np

from .image_utils import pil_image

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_KERAS_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
                         "mitchellcubic")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


class BatchDataset:
    """Batches of `num_samples` elements: `make_batch(indices)` builds the batch of those samples.

    Args:
        num_samples: number of elements.
        make_batch: function of an int array of element indices -> x or (x, y), stacked on axis 0.
        batch_size: elements per batch (the last batch may be smaller); None yields single elements.
        shuffle: visit the elements in a new seeded order each epoch.
        seed: seed of those orders.

    The epoch advances when an iteration completes or when fit calls on_epoch_end().
    """

    def __init__(self, num_samples, make_batch, batch_size=32, shuffle=False, seed=None):
        self._num_samples = int(num_samples)
        self._make_batch = make_batch
        self.batch_size = None if batch_size is None else int(batch_size)
        self._shuffle = bool(shuffle)
        self._seed = int(np.random.randint(1e6) if seed is None else seed)
        self._epoch = 0
        self._order = self._epoch_order()
        self._maps = []
        self._limit = None

    def _epoch_order(self):
        if not self._shuffle:
            return np.arange(self._num_samples)
        return np.random.default_rng([self._seed, self._epoch]).permutation(self._num_samples)

    def __len__(self):
        count = self._num_samples if self.batch_size is None else math.ceil(self._num_samples / self.batch_size)
        return count if self._limit is None else min(count, self._limit)

    def __getitem__(self, index):
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"Batch index out of range: {index} (the dataset has {count} batches)")
        index %= count
        if self.batch_size is None:
            batch = _strip_batch_axis(self._make_batch(self._order[index:index + 1]))
        else:
            batch = self._make_batch(self._order[index * self.batch_size:(index + 1) * self.batch_size])
        for fn in self._maps:
            batch = fn(*batch) if isinstance(batch, tuple) else fn(batch)
        return batch

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def on_epoch_end(self):
        """Start the next epoch (a new order when shuffling)."""
        self._epoch += 1
        self._order = self._epoch_order()

    # ---- the few tf.data.Dataset methods Keras examples call on these datasets ----
    def map(self, fn):
        """A dataset whose batches are fn(x, y) (fn(x) for unlabeled data), as tf.data's map."""
        out = copy.copy(self)
        out._maps = self._maps + [fn]
        return out

    def take(self, count):
        """A dataset of the first `count` batches."""
        out = copy.copy(self)
        out._limit = int(count) if self._limit is None else min(self._limit, int(count))
        return out

    def prefetch(self, buffer_size=None):
        """Batches are built on demand: returns the dataset itself (tf.data compatibility)."""
        return self

    def cache(self, filename=""):
        """Returns the dataset itself (tf.data compatibility; batches are rebuilt from the files)."""
        return self

    def __repr__(self):
        return (f"<{type(self).__name__} batches={len(self)} batch_size={self.batch_size} "
                f"shuffle={self._shuffle}>")


def _strip_batch_axis(batch):
    if isinstance(batch, tuple):
        return tuple(b[0] for b in batch)
    return batch[0]


# ---- shared by the directory datasets ------------------------------------
def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Keras' checks of validation_split / subset / seed."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
            "to make sure that there is no overlap between the training and validation subset."
        )


def _valid_files(directory, follow_links, formats):
    """(root, filename) of the files with an allowed extension, sorted by folder then name."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """(file_paths, labels, class_names) of the files under `directory`, as Keras lists them.

    labels="inferred": one class per subfolder (sorted, or in class_names' order), files
    searched recursively; a list of labels: one per file in sorted path order; None: no labels.
    With shuffle, paths and labels are shuffled by np.random.RandomState(seed).
    """
    if labels == "inferred":
        subdirs = [d.rstrip("/") for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of the target "
                    f"directory. Expected: {subdirs} (or a subset of it), but received: class_names={class_names}"
                )
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified.")
            raise ValueError(
                "When argument `labels` is specified, argument `class_names` cannot be specified "
                "(the `class_names` will be the sorted list of labels)."
            )
    filenames, inferred = [], []
    for index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        base = os.path.basename(folder)
        for root, name in _valid_files(folder, follow_links, formats):
            filenames.append(os.path.join(base, os.path.relpath(os.path.join(root, name), folder)))
            inferred.append(index)
    if labels == "inferred":
        class_names = list(subdirs)
        labels = np.asarray(inferred, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target directory. "
                f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, name) for name in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """The first (training) or last (validation) int(validation_split * n) samples, as Keras."""
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        return samples[:-num_val], None if labels is None else labels[:-num_val]
    if subset == "validation":
        print(f"Using {num_val} files for validation.")
        return samples[-num_val:], None if labels is None else labels[-num_val:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def encode_labels(labels, label_mode, num_classes):
    """'int': int32 (n,); 'binary': float32 (n, 1); 'categorical': float32 one-hot (n, num_classes)."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    return labels.astype("int32")


def _check_labels_args(labels, label_mode, class_names, what):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as the number "
                f"of {what} files in the target directory. If you wish to infer the labels from the subdirectory "
                'names in the target directory, pass `labels="inferred"`. If you wish to get a dataset that only '
                f"contains {what}s (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, '
                f"and class_names={class_names}"
            )
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode}"
        )


def _check_format(format):
    if format != "tf":
        raise ValueError(
            'deepgrad returns its own BatchDataset in place of tf.data; `format` can only be "tf" '
            f"(the default). Received: format={format}"
        )


def _from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
                    subset, follow_links, verbose, formats, what, make_dataset):
    """Index the directory, split it, and build one dataset (two for subset="both") with make_dataset."""
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats=formats, class_names=class_names,
                                                 shuffle=shuffle, seed=seed, follow_links=follow_links,
                                                 verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
            f"Received: class_names={class_names}"
        )
    num_classes = len(class_names) if class_names else 0
    subsets = ("training", "validation") if subset == "both" else (subset,)
    datasets = []
    for part in subsets:
        part_paths, part_labels = get_training_or_validation_split(paths, labels, validation_split, part)
        if not part_paths:
            kind = {"training": "training ", "validation": "validation "}.get(part, "") if subset == "both" else ""
            raise ValueError(f"No {kind}{what}s found in directory {directory}. Allowed formats: {formats}")
        encoded = None if label_mode is None else encode_labels(part_labels, label_mode, num_classes)
        dataset = make_dataset(list(part_paths), encoded, batch_size, shuffle and part != "validation", seed)
        dataset.class_names = class_names
        dataset.file_paths = list(part_paths)
        datasets.append(dataset)
    return datasets if subset == "both" else datasets[0]


# ---- images ----------------------------------------------------------------
def load_image(path, image_size, num_channels, interpolation, data_format, crop_to_aspect_ratio=False,
               pad_to_aspect_ratio=False):
    """One image file as float32 (height, width, channels) resized to image_size (channels first
    with data_format="channels_first"), values 0..255, as Keras' dataset decodes it."""
    from ..ops import convert_to_numpy
    from ..ops.image import resize

    img = pil_image().open(path)
    mode, kept = {1: ("L", ("L", "I;16", "I")), 3: ("RGB", ("RGB",)), 4: ("RGBA", ("RGBA",))}[num_channels]
    if img.mode not in kept:
        img = img.convert(mode)
    x = np.asarray(img, dtype="float32")
    if x.ndim == 2:
        x = x[:, :, None]
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    out = resize(x, size=tuple(image_size), interpolation=interpolation, crop_to_aspect_ratio=crop_to_aspect_ratio,
                 pad_to_aspect_ratio=pad_to_aspect_ratio, data_format=data_format)
    return np.asarray(convert_to_numpy(out), dtype="float32")


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
                                 batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, data_format=None,
                                 format="tf", verbose=True):
    """A dataset of image batches (and labels) from a folder of class subfolders.

        main_directory/
        ...class_a/  a_image_1.jpg  a_image_2.jpg
        ...class_b/  b_image_1.jpg  b_image_2.jpg

    Args:
        directory: the folder. With labels="inferred" each subfolder is a class.
        labels: "inferred", None (images only), or a list of integer labels, one per image
            file in sorted path order.
        label_mode: "int" (int32 (batch,)), "categorical" (float32 one-hot (batch, classes)),
            "binary" (float32 (batch, 1), exactly 2 classes) or None (images only).
        class_names: the subfolders to use, in this order (labels="inferred" only).
        color_mode: "rgb" (3 channels), "rgba" (4) or "grayscale" (1).
        batch_size: images per batch (None: single images).
        image_size: (height, width) every image is resized to (an int: a square).
        shuffle, seed: shuffle the files (seeded), and the order each epoch.
        validation_split, subset: keep the first (1 - split) of the shuffled files for
            "training", the rest for "validation", or both datasets as a list for "both".
        interpolation: "bilinear" (default), "nearest" or "bicubic".
        crop_to_aspect_ratio / pad_to_aspect_ratio: crop (pad) to the target's aspect ratio
            before resizing, instead of stretching.
        data_format: "channels_last" (default) or "channels_first".

    Returns:
        A BatchDataset of (images, labels) batches: images float32 (batch, height, width,
        channels) with values 0..255; `class_names` and `file_paths` attributes.
    """
    _check_labels_args(labels, label_mode, class_names, "image")
    if color_mode not in _CHANNELS:
        raise ValueError(
            f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}'
        )
    num_channels = _CHANNELS[color_mode]
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(
            f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: image_size={image_size}"
        )
    interpolation = interpolation.lower()
    if interpolation not in _KERAS_INTERPOLATIONS:
        raise ValueError(
            f"Argument `interpolation` should be one of {_KERAS_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}"
        )
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"deepgrad resizes images with one of {_INTERPOLATIONS}; Keras' '{interpolation}' is not implemented. "
            f"Received: interpolation={interpolation}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.")
    _check_format(format)
    from .image_utils import standardize_data_format

    data_format = standardize_data_format(data_format)
    pil_image()  # fail early, naming Pillow, when it is missing

    def make_dataset(paths, encoded, size, shuffle_each_epoch, seed_):
        def make_batch(indices):
            images = np.stack([load_image(paths[i], image_size, num_channels, interpolation, data_format,
                                          crop_to_aspect_ratio, pad_to_aspect_ratio) for i in indices])
            return images if encoded is None else (images, encoded[indices])

        return BatchDataset(len(paths), make_batch, batch_size=size, shuffle=shuffle_each_epoch, seed=seed_)

    return _from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
                           subset, follow_links, verbose, IMAGE_FORMATS, "image", make_dataset)


# ---- text -----------------------------------------------------------------
def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """A dataset of text batches (and labels) from a folder of class subfolders of .txt files.

    Args as image_dataset_from_directory's (labels, label_mode, class_names, batch_size,
    shuffle, seed, validation_split, subset, follow_links), and:
        max_length: keep at most this many characters of each text.

    Returns:
        A BatchDataset of (texts, labels) batches: texts a NumPy object array of str (batch,)
        (Keras' tf.data yields tf.string bytes; its grain format yields str, as here);
        `class_names` and `file_paths` attributes.
    """
    _check_labels_args(labels, label_mode, class_names, "text")
    _check_format(format)

    def make_dataset(paths, encoded, size, shuffle_each_epoch, seed_):
        def make_batch(indices):
            texts = np.empty(len(indices), dtype=object)
            for j, i in enumerate(indices):
                with open(paths[i], "r", encoding="utf-8") as f:
                    text = f.read()
                texts[j] = text if max_length is None else text[:max_length]
            return texts if encoded is None else (texts, encoded[indices])

        return BatchDataset(len(paths), make_batch, batch_size=size, shuffle=shuffle_each_epoch, seed=seed_)

    return _from_directory(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
                           subset, follow_links, verbose, (".txt",), "text file", make_dataset)


# ---- timeseries -----------------------------------------------------------
def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None,
                                  format="tf"):
    """A dataset of sliding windows over `data` (and the target of each window).

    Window i starts at s_i = start_index + i * sequence_stride and holds
    data[s_i], data[s_i + sampling_rate], ..., sequence_length steps; its target is
    targets[s_i] (the target of the window's first step). Windows end by end_index (exclusive).

    Args:
        data: array (timesteps, ...) (anything np.asarray reads).
        targets: array aligned with data, or None for windows only.
        sequence_length: steps per window.
        sequence_stride: steps between consecutive windows' starts.
        sampling_rate: steps between the elements of a window.
        batch_size: windows per batch (None: single windows).
        shuffle, seed: shuffle the windows' start positions (as Keras, by
            np.random.RandomState(seed)), then their order each epoch.
        start_index, end_index: use only data[start_index:end_index].

    Returns:
        A BatchDataset of (batch, sequence_length, ...) windows in data's dtype, with
        (batch, ...) targets when targets are given.
    """
    _check_format(format)
    data = np.asarray(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(
                f"`start_index` must be lower than the length of the data. Received: start_index={start_index}, "
                f"for data of length {len(data)}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. Received: "
                f"start_index={start_index}, and end_index={end_index} "
            )
        if end_index >= len(data):
            raise ValueError(
                f"`end_index` must be lower than the length of the data. Received: end_index={end_index}, "
                f"for data of length {len(data)}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= len(data):
            raise ValueError(
                f"`{name}` must be lower than the length of the data. Received: {name}={value}, for data "
                f"of length {len(data)}"
            )
    start = 0 if start_index is None else int(start_index)
    end = len(data) if end_index is None else int(end_index)
    window = data[start:end]
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    target_window = None
    if targets is not None:
        targets = np.asarray(targets)
        num_seqs = min(num_seqs, len(targets))
        target_window = targets[start:end]
    starts = np.arange(0, max(num_seqs, 0), sequence_stride)
    if seed is None:
        seed = np.random.randint(1e6)
    if shuffle:
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(sequence_length) * sampling_rate

    def make_batch(indices):
        first = starts[indices]
        windows = window[first[:, None] + offsets[None, :]]
        return windows if target_window is None else (windows, target_window[first])

    return BatchDataset(len(starts), make_batch, batch_size=batch_size, shuffle=shuffle, seed=seed)
