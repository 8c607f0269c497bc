"""IMDB movie-review sentiment (25,000 train and 25,000 test reviews), with Keras' load_data() API.

Each review is a list of word indices, the words ranked by how often they
occur in the training set (1 = most frequent); labels are 1 (positive) or 0.
The files are Keras' imdb.npz (object arrays of int lists, read with
safe_pickle) and imdb_word_index.json (word -> rank).
"""
import json

import numpy as np

from . import fetch, safe_pickle

# sha256 of imdb.npz, md5 of imdb_word_index.json (the hashes Keras checks).
CHECKSUMS = {
    "imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    "imdb_word_index.json": "bfafd718b763782e994055a2d397834f",
}

MIRRORS = {
    name: [f"https://storage.googleapis.com/tensorflow/tf-keras-datasets/{name}"]
    for name in ("imdb.npz", "imdb_word_index.json")
}


def _find(name, path, parse):
    """parse(bytes, source) of the file `name`, found by the loading rule and checked against CHECKSUMS."""
    def read_file(found):
        data = found.read_bytes()
        fetch.verify(data, CHECKSUMS[name], str(found))
        return parse(data, str(found))

    def read(found):
        if found.is_dir():
            return read_file(found / name) if (found / name).is_file() else None
        return read_file(found)

    folder = fetch.deepgrad_cache() / "imdb"
    return fetch.load(
        "imdb", path, read=read,
        candidates=[folder / name, fetch.keras_cache() / name, *[d / name for d in fetch.system_dirs("imdb")]],
        download=lambda: fetch.download(MIRRORS[name], folder / name, read_file),
        expected=name, default_names=(name,),
    )


def _shuffled(x, y, rng):
    order = np.arange(len(x))
    rng.shuffle(order)
    return x[order], y[order]


def _shorter_than(maxlen, xs, ys):
    kept = [(x, y) for x, y in zip(xs, ys) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """The IMDB reviews as lists of word indices, with Keras 3's exact semantics.

    Args:
        path: imdb.npz, or a folder holding it. The default bare name means
            the loading rule: deepgrad's cache (<cache>/imdb/), Keras' cache,
            /usr/share/datasets/imdb/, then a download.
        num_words: keep the words of rank < num_words (None: all but the
            highest index seen, as Keras); the others become oov_char.
        skip_top: words of rank < skip_top also become oov_char.
        maxlen: keep only the reviews shorter than maxlen (after start_char).
        seed: the shuffle of train and test, each with np.random.RandomState(seed) in turn.
        start_char: index put before every review (None: nothing).
        oov_char: index of the words cut by num_words/skip_top (None: they are dropped).
        index_from: offset added to every word rank.

    Returns:
        (x_train, y_train), (x_test, y_test): x object arrays of int lists,
        y int labels (0 negative, 1 positive).
    """
    if kwargs:
        raise TypeError(f"imdb.load_data() got unexpected arguments: {sorted(kwargs)}. Received: {kwargs}")
    arrays = _find("imdb.npz", path, safe_pickle.load_npz)
    rng = np.random.RandomState(seed)
    x_train, labels_train = _shuffled(arrays["x_train"], arrays["y_train"], rng)
    x_test, labels_test = _shuffled(arrays["x_test"], arrays["y_test"], rng)

    def shifted(x):
        prefix = [start_char] if start_char is not None else []
        return [prefix + [w + index_from for w in seq] for seq in x]

    x_train, x_test = shifted(x_train), shifted(x_test)
    if maxlen:
        x_train, labels_train = _shorter_than(maxlen, x_train, labels_train)
        x_test, labels_test = _shorter_than(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"No review is shorter than maxlen={maxlen}: increase maxlen. Received: maxlen={maxlen}")
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(seq) for seq in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in xs]
    else:
        xs = [[w for w in seq if skip_top <= w < num_words] for seq in xs]
    n = len(x_train)
    return (np.array(xs[:n], dtype="object"), labels[:n]), (np.array(xs[n:], dtype="object"), labels[n:])


def get_word_index(path="imdb_word_index.json"):
    """The dict word -> rank (1 = most frequent) behind load_data's indices (add index_from to match them).

    Args:
        path: imdb_word_index.json, or a folder holding it; the default bare
            name means the loading rule, as for load_data.
    """
    return _find("imdb_word_index.json", path, lambda data, source: json.loads(data.decode("utf8")))
