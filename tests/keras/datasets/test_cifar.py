"""CIFAR-10 and CIFAR-100: generated python batches in a folder and in a tar.gz, every branch of the rule."""
import numpy as np
import pytest
from dataset_files import as_hwc, md5, tar_gz, write_cifar10, write_cifar100

from deepgrad.keras.datasets import cifar10, cifar100


def assert_cifar10(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    rows_train, labels_train, rows_test, labels_test = arrays
    assert x_train.dtype == np.uint8 and x_train.shape == (12, 32, 32, 3) and x_train.flags.c_contiguous
    assert y_train.dtype == np.uint8 and y_train.shape == (12, 1)
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, as_hwc(rows_train))
    np.testing.assert_array_equal(y_train[:, 0], labels_train)
    np.testing.assert_array_equal(x_test, as_hwc(rows_test))
    np.testing.assert_array_equal(y_test[:, 0], labels_test)


def archive_members(folder_name, batches):
    return {f"{folder_name}/{name}": data for name, data in batches.items()} | {f"{folder_name}/readme.html": b"hi"}


def test_deepgrad_cache_folder_contract(isolated, monkeypatch):
    """$DEEPGRAD_HOME/datasets/cifar-10-batches-py/ with protocol-2 batches of any size, CHECKSUMS patched."""
    _, checksums, arrays = write_cifar10(isolated.deepgrad / "datasets" / "cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    assert_cifar10(cifar10.load_data(), arrays)


def test_channels_last_means_red_green_blue_of_each_pixel(isolated, monkeypatch):
    _, checksums, (rows, _, _, _) = write_cifar10(isolated.work / "cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    (x_train, _), _ = cifar10.load_data(path=isolated.work / "cifar-10-batches-py")
    row, col = 5, 7
    assert x_train[0, row, col].tolist() == [rows[0, c * 1024 + row * 32 + col] for c in range(3)]


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_explicit_batches_folder_any_pickle_protocol(isolated, monkeypatch, protocol):
    _, checksums, arrays = write_cifar10(isolated.work / "batches", protocol=protocol)
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    assert_cifar10(cifar10.load_data(path=isolated.work / "batches"), arrays)


def test_explicit_archive_is_read_without_extracting(isolated, monkeypatch):
    batches, checksums, arrays = write_cifar10(isolated.work / "src")
    archive = isolated.work / "dl" / "cifar-10-python.tar.gz"
    tar_gz(archive, archive_members("cifar-10-batches-py", batches))
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    assert_cifar10(cifar10.load_data(path=archive), arrays)
    assert_cifar10(cifar10.load_data(path=isolated.work / "dl"), arrays), "a folder holding the archive"
    assert [p.name for p in (isolated.work / "dl").iterdir()] == ["cifar-10-python.tar.gz"]


def test_explicit_folder_holding_the_batches_folder(isolated, monkeypatch):
    _, checksums, arrays = write_cifar10(isolated.work / "data" / "cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    assert_cifar10(cifar10.load_data(path=isolated.work / "data"), arrays)


def test_keras3_cache_layouts(isolated, monkeypatch):
    keras = isolated.keras / "datasets"
    batches, checksums, arrays = write_cifar10(keras / "cifar-10-batches-py-target" / "cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    assert_cifar10(cifar10.load_data(), arrays)
    for name in batches:
        (keras / "cifar-10-batches-py-target" / "cifar-10-batches-py" / name).unlink()
    tar_gz(keras / "cifar-10-batches-py-target_archive", archive_members("cifar-10-batches-py", batches))
    assert_cifar10(cifar10.load_data(), arrays)


def test_keras2_cache_archive(isolated, monkeypatch):
    batches, checksums, arrays = write_cifar10(isolated.work / "src")
    tar_gz(isolated.keras / "datasets" / "cifar-10-batches-py.tar.gz", archive_members("cifar-10-batches-py", batches))
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    assert_cifar10(cifar10.load_data(), arrays)


def test_system_folder(isolated, monkeypatch):
    _, checksums, arrays = write_cifar10(isolated.system / "cifar-10" / "cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    assert_cifar10(cifar10.load_data(), arrays)


def test_download_of_the_archive(isolated, monkeypatch, server, capsys):
    batches, checksums, arrays = write_cifar10(isolated.work / "src")
    body = tar_gz(isolated.work / "served.tar.gz", archive_members("cifar-10-batches-py", batches))
    server.serve("cifar-10-python.tar.gz", body)
    monkeypatch.setattr(cifar10, "CHECKSUMS", dict(checksums, **{"cifar-10-python.tar.gz": md5(body)}))
    monkeypatch.setattr(cifar10, "MIRRORS", {"cifar-10-python.tar.gz": [server.url("cifar-10-python.tar.gz")]})
    assert_cifar10(cifar10.load_data(), arrays)
    assert [p.name for p in (isolated.deepgrad / "datasets").iterdir()] == ["cifar-10-python.tar.gz"]
    assert "cifar-10-python.tar.gz" in capsys.readouterr().err
    assert_cifar10(cifar10.load_data(), arrays)
    assert server.hits == ["/cifar-10-python.tar.gz"]


def test_download_of_a_bad_archive_leaves_nothing(isolated, monkeypatch, server):
    batches, checksums, _ = write_cifar10(isolated.work / "src")
    body = tar_gz(isolated.work / "served.tar.gz", archive_members("cifar-10-batches-py", batches))
    server.serve("cifar-10-python.tar.gz", body)
    monkeypatch.setattr(cifar10, "CHECKSUMS", dict(checksums, **{"cifar-10-python.tar.gz": "e" * 32}))
    monkeypatch.setattr(cifar10, "MIRRORS", {"cifar-10-python.tar.gz": [server.url("cifar-10-python.tar.gz")]})
    with pytest.raises(FileNotFoundError, match="corrupt or truncated"):
        cifar10.load_data()
    assert list((isolated.deepgrad / "datasets").iterdir()) == []


def test_corrupt_batch_in_an_explicit_archive(isolated, monkeypatch):
    batches, checksums, _ = write_cifar10(isolated.work / "src")
    batches["data_batch_3"] = batches["data_batch_3"][:-5]
    tar_gz(isolated.work / "c.tar.gz", archive_members("cifar-10-batches-py", batches))
    monkeypatch.setattr(cifar10, "CHECKSUMS", checksums)
    with pytest.raises(ValueError, match=f"data_batch_3 is corrupt or truncated: its md5 is .*, expected "
                                         f"{checksums['data_batch_3']}"):
        cifar10.load_data(path=isolated.work / "c.tar.gz")
    (isolated.work / "cut.tar.gz").write_bytes((isolated.work / "c.tar.gz").read_bytes()[:300])
    with pytest.raises(ValueError, match="cut.tar.gz is corrupt or truncated"):
        cifar10.load_data(path=isolated.work / "cut.tar.gz")


def test_offline_error_names_the_archive_and_the_folder(isolated):
    with pytest.raises(FileNotFoundError) as e:
        cifar10.load_data()
    text = str(e.value)
    assert "cifar-10-python.tar.gz" in text and "Connection refused" in text
    assert f"Put the files in {isolated.deepgrad / 'datasets'}" in text and "path=" in text


def test_cifar100_fine_and_coarse(isolated, monkeypatch):
    batches, checksums, [(rows, fine, coarse), (rows_t, fine_t, coarse_t)] = write_cifar100(isolated.work / "src")
    archive = isolated.keras / "datasets" / "cifar-100-python-target_archive"
    tar_gz(archive, archive_members("cifar-100-python", batches))
    monkeypatch.setattr(cifar100, "CHECKSUMS", checksums)
    (x_train, y_train), (x_test, y_test) = cifar100.load_data()
    assert x_train.shape == (4, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (4, 1) and y_train.dtype == np.int64 and y_train[:, 0].tolist() == fine
    np.testing.assert_array_equal(x_test, as_hwc(rows_t))
    (_, y_train), (_, y_test) = cifar100.load_data("coarse", path=isolated.work / "src")
    assert y_train[:, 0].tolist() == coarse and y_test[:, 0].tolist() == coarse_t and y_test.dtype == np.int64


def test_cifar100_label_mode_is_checked():
    with pytest.raises(ValueError, match="Received: label_mode='medium'"):
        cifar100.load_data("medium")
