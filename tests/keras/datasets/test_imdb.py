"""IMDB: the loading rule on a generated imdb.npz, and Keras 3's exact semantics (Keras reads the same file)."""
import json

import numpy as np
import pytest
from dataset_files import md5, sha256, write_imdb_npz

from deepgrad.keras.datasets import imdb

keras_imdb = pytest.importorskip("keras.src.datasets.imdb", reason="Keras 3 is the oracle of these semantics")


@pytest.fixture
def npz(isolated, monkeypatch):
    """A generated imdb.npz in Keras' cache, CHECKSUMS patched; Keras' get_file pointed at it."""
    (isolated.keras / "datasets").mkdir()
    path = isolated.keras / "datasets" / "imdb.npz"
    digest, arrays = write_imdb_npz(path)
    monkeypatch.setitem(imdb.CHECKSUMS, "imdb.npz", digest)
    monkeypatch.setattr(keras_imdb, "get_file", lambda fname, origin, file_hash: str(path))
    return path, arrays


def assert_identical(ours, theirs):
    for got, want in zip([*ours[0], *ours[1]], [*theirs[0], *theirs[1]]):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert [list(v) if isinstance(v, list) else v for v in got.tolist()] == want.tolist()


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 12},
    {"num_words": 15, "skip_top": 4},
    {"maxlen": 8},
    {"maxlen": 10, "num_words": 20, "seed": 7},
    {"start_char": None},
    {"start_char": None, "index_from": 0},
    {"oov_char": None, "num_words": 10, "skip_top": 2},
    {"index_from": 5, "start_char": 9, "oov_char": 4, "num_words": 25},
])
def test_identical_to_keras(npz, kwargs):
    assert_identical(imdb.load_data(**kwargs), keras_imdb.load_data(**kwargs))


def test_shapes_and_labels(npz):
    _, arrays = npz
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10)
    assert x_train.dtype == object and x_train.shape == (20,) and x_test.shape == (15,)
    assert y_train.dtype == np.int64 and y_train.sum() == arrays["y_train"].sum() == 10
    assert all(seq[0] == 1 and max(seq) < 10 for seq in x_train)
    assert sum(len(s) for s in x_train) == sum(len(s) + 1 for s in arrays["x_train"])


def test_explicit_path_and_folder(npz, isolated):
    path, _ = npz
    (isolated.work / "copy").mkdir()
    (isolated.work / "copy" / "imdb.npz").write_bytes(path.read_bytes())
    assert_identical(imdb.load_data(path=isolated.work / "copy"), imdb.load_data(path=str(path)))


def test_maxlen_too_small_is_refused(npz):
    with pytest.raises(ValueError, match="Received: maxlen=1"):
        imdb.load_data(maxlen=1)


def test_unknown_arguments_are_refused(npz):
    with pytest.raises(TypeError, match="nb_words"):
        imdb.load_data(nb_words=100)


def test_download_into_the_deepgrad_cache(isolated, server, monkeypatch):
    digest, arrays = write_imdb_npz(isolated.work / "served.npz")
    server.serve("imdb.npz", (isolated.work / "served.npz").read_bytes())
    monkeypatch.setitem(imdb.CHECKSUMS, "imdb.npz", digest)
    monkeypatch.setitem(imdb.MIRRORS, "imdb.npz", [server.url("imdb.npz")])
    (x_train, _), (x_test, _) = imdb.load_data(start_char=None, index_from=0)
    assert sorted(map(len, x_train)) == sorted(map(len, arrays["x_train"]))
    assert [p.name for p in (isolated.deepgrad / "datasets" / "imdb").iterdir()] == ["imdb.npz"]


def test_corrupt_explicit_file(isolated):
    write_imdb_npz(isolated.work / "imdb.npz")
    with pytest.raises(ValueError, match=f"imdb.npz is corrupt or truncated: its sha256 is [0-9a-f]{{64}}, "
                                         f"expected {imdb.CHECKSUMS['imdb.npz']}"):
        imdb.load_data(path=isolated.work / "imdb.npz")


def test_word_index(isolated, monkeypatch):
    data = json.dumps({"the": 1, "and": 2, "film": 19}).encode()
    (isolated.system / "imdb").mkdir()
    (isolated.system / "imdb" / "imdb_word_index.json").write_bytes(data)
    monkeypatch.setitem(imdb.CHECKSUMS, "imdb_word_index.json", md5(data))
    assert imdb.get_word_index() == {"the": 1, "and": 2, "film": 19}
    monkeypatch.setitem(imdb.CHECKSUMS, "imdb_word_index.json", sha256(data))
    assert imdb.get_word_index(isolated.system / "imdb") == {"the": 1, "and": 2, "film": 19}


def test_word_index_offline(isolated):
    with pytest.raises(FileNotFoundError, match="no copy of imdb_word_index.json was found") as e:
        imdb.get_word_index()
    assert str(isolated.deepgrad / "datasets" / "imdb") in str(e.value)
