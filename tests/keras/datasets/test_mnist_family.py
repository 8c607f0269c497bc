"""MNIST and Fashion-MNIST: every branch of the loading rule, on small generated IDX files."""
import gzip

import numpy as np
import pytest
from dataset_files import IDX_FILES, mnist_like, write_idx_set, write_mnist_npz

from deepgrad.keras.datasets import fashion_mnist, fetch, mnist


def assert_same(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    for got, want in zip((x_train, y_train, x_test, y_test), arrays):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def generated(monkeypatch):
    """Small MNIST-like arrays, with both modules' CHECKSUMS patched to match them."""
    arrays = mnist_like()

    def patch(checksums, npz_sha256=None):
        table = dict(checksums, **({"mnist.npz": npz_sha256} if npz_sha256 else {}))
        monkeypatch.setattr(mnist, "CHECKSUMS", table)
        monkeypatch.setattr(fashion_mnist, "CHECKSUMS", table)

    return arrays, patch


@pytest.mark.parametrize("gz", [True, False])
def test_explicit_folder_with_gz_or_raw_idx_files(generated, isolated, gz):
    arrays, patch = generated
    patch(write_idx_set(isolated.work / "data", arrays, gz=gz))
    assert_same(mnist.load_data(path=isolated.work / "data"), arrays)
    assert_same(fashion_mnist.load_data(path=str(isolated.work / "data")), arrays)


def test_explicit_keras_npz_file(generated, isolated):
    arrays, patch = generated
    patch({}, write_mnist_npz(isolated.work / "my.npz", arrays))
    assert_same(mnist.load_data(path=isolated.work / "my.npz"), arrays)
    assert_same(mnist.load_data(path="my.npz"), arrays), "relative to the working directory"


def test_bare_keras_name_means_the_keras_cache(generated, isolated):
    arrays, patch = generated
    (isolated.keras / "datasets").mkdir()
    patch({}, write_mnist_npz(isolated.keras / "datasets" / "mnist.npz", arrays))
    assert_same(mnist.load_data(path="mnist.npz"), arrays)
    assert_same(mnist.load_data(), arrays)


def test_bare_name_that_is_nowhere_says_where_it_looked(isolated):
    with pytest.raises(FileNotFoundError, match=f"path='other.npz' does not exist \\(nor in {isolated.deepgrad}"):
        mnist.load_data(path="other.npz")


def test_deepgrad_cache_comes_first(generated, isolated):
    arrays, patch = generated
    other = mnist_like(seed=1)
    checksums = write_idx_set(isolated.deepgrad / "datasets" / "mnist", arrays)
    (isolated.keras / "datasets").mkdir()
    patch(checksums, write_mnist_npz(isolated.keras / "datasets" / "mnist.npz", other))
    assert_same(mnist.load_data(), arrays)


def test_keras_cache_layouts(generated, isolated):
    arrays, patch = generated
    patch(write_idx_set(isolated.keras / "datasets" / "fashion-mnist", arrays))
    assert_same(fashion_mnist.load_data(), arrays)


def test_debian_system_folder(generated, isolated):
    arrays, patch = generated
    patch(write_idx_set(isolated.system / "fashion-mnist", arrays))
    assert_same(fashion_mnist.load_data(), arrays)
    patch(write_idx_set(isolated.system / "mnist", arrays, gz=False))
    assert_same(mnist.load_data(), arrays)


def test_download_caches_verified_files(generated, isolated, server, monkeypatch, capsys):
    arrays, patch = generated
    patch(write_idx_set(isolated.work / "served", arrays))
    for name in IDX_FILES:
        server.serve(f"b/{name}.gz", (isolated.work / "served" / f"{name}.gz").read_bytes())
    monkeypatch.setattr(mnist, "MIRRORS", {f"{n}.gz": [server.url(f"a/{n}.gz"), server.url(f"b/{n}.gz")]
                                           for n in IDX_FILES})
    assert_same(mnist.load_data(), arrays)
    folder = isolated.deepgrad / "datasets" / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.gz" for n in IDX_FILES)
    assert len(server.hits) == 8, "each file: 404 on the first mirror, then the second"
    assert "t10k-labels-idx1-ubyte.gz" in capsys.readouterr().err
    assert_same(mnist.load_data(), arrays)
    assert len(server.hits) == 8, "the second load reads the cache"


def test_download_fetches_only_the_missing_files(generated, isolated, server, monkeypatch):
    arrays, patch = generated
    folder = isolated.deepgrad / "datasets" / "fashion-mnist"
    patch(write_idx_set(folder, arrays))
    served = (folder / "t10k-images-idx3-ubyte.gz").read_bytes()
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    server.serve("t10k-images-idx3-ubyte.gz", served)
    monkeypatch.setattr(fashion_mnist, "MIRRORS", {f"{n}.gz": [server.url(f"{n}.gz")] for n in IDX_FILES})
    assert_same(fashion_mnist.load_data(), arrays)
    assert server.hits == ["/t10k-images-idx3-ubyte.gz"]


def test_corrupt_cached_file_is_replaced_with_a_warning(generated, isolated, server, monkeypatch):
    arrays, patch = generated
    folder = isolated.deepgrad / "datasets" / "mnist"
    patch(write_idx_set(folder, arrays))
    good = (folder / "train-labels-idx1-ubyte.gz").read_bytes()
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 8))
    server.serve("train-labels-idx1-ubyte.gz", good)
    monkeypatch.setattr(mnist, "MIRRORS", {f"{n}.gz": [server.url(f"{n}.gz")] for n in IDX_FILES})
    with pytest.warns(UserWarning, match="train-labels-idx1-ubyte.gz \\(decompressed\\) is corrupt or truncated"):
        assert_same(mnist.load_data(), arrays)
    assert (folder / "train-labels-idx1-ubyte.gz").read_bytes() == good
    assert server.hits == ["/train-labels-idx1-ubyte.gz"]


def test_download_with_a_bad_checksum_leaves_the_cache_empty(generated, isolated, server, monkeypatch):
    arrays, patch = generated
    patch(write_idx_set(isolated.work / "served", arrays))
    monkeypatch.setitem(mnist.CHECKSUMS, "train-images-idx3-ubyte", "f" * 32)
    for name in IDX_FILES:
        server.serve(f"{name}.gz", (isolated.work / "served" / f"{name}.gz").read_bytes())
    monkeypatch.setattr(mnist, "MIRRORS", {f"{n}.gz": [server.url(f"{n}.gz")] for n in IDX_FILES})
    with pytest.raises(FileNotFoundError, match="corrupt or truncated: its md5 is [0-9a-f]{32}, expected f{32}"):
        mnist.load_data()
    assert list((isolated.deepgrad / "datasets" / "mnist").iterdir()) == []


def test_explicit_corrupt_file_raises_value_error_naming_both_checksums(generated, isolated):
    arrays, patch = generated
    checksums = write_idx_set(isolated.work / "data", arrays)
    patch(checksums)
    target = isolated.work / "data" / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(target.read_bytes())
    target.write_bytes(gzip.compress(raw[:-10]))
    with pytest.raises(ValueError) as e:
        mnist.load_data(path=isolated.work / "data")
    text = str(e.value)
    assert str(target) in text and "corrupt or truncated" in text
    assert checksums["t10k-images-idx3-ubyte"] in text and fetch.hash_algorithm("0" * 32) in text
    target.write_bytes(target.read_bytes()[:20])
    with pytest.raises(ValueError, match="corrupt or truncated: damaged gzip stream"):
        mnist.load_data(path=isolated.work / "data")


def test_explicit_folder_without_the_files_says_what_it_expected(isolated):
    with pytest.raises(FileNotFoundError, match="holds no copy of train-images-idx3-ubyte.gz, .* or mnist.npz"):
        mnist.load_data(path=isolated.work)


def test_offline_error_names_the_files_the_url_the_folder_and_the_ways_out(isolated):
    with pytest.raises(FileNotFoundError) as e:
        mnist.load_data()
    text = str(e.value)
    assert isinstance(e.value, fetch.DatasetNotFoundError)
    assert "train-images-idx3-ubyte.gz" in text and "t10k-labels-idx1-ubyte.gz" in text
    assert mnist.MIRRORS["train-images-idx3-ubyte.gz"][0] in text and "Connection refused" in text
    assert f"Put the files in {isolated.deepgrad / 'datasets' / 'mnist'}" in text
    assert "path=" in text and "sample=True" in text
    assert list((isolated.deepgrad / "datasets" / "mnist").iterdir()) == []


def test_shipped_sample_is_stratified_uint8():
    (x_train, y_train), (x_test, y_test) = mnist.load_data(sample=True)
    assert x_train.shape == (10000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert np.bincount(y_train).tolist() == [1000] * 10
    assert np.bincount(y_test).tolist() == [200] * 10


def test_mismatched_images_and_labels_are_refused(isolated, generated):
    arrays, patch = generated
    x_train, y_train, x_test, y_test = arrays
    patch(write_idx_set(isolated.work / "data", (x_train, y_train[:-1], x_test, y_test)))
    with pytest.raises(ValueError, match="train 12 images, 11 labels"):
        mnist.load_data(path=isolated.work / "data")
