"""Small dataset files in the canonical formats, written by the tests (never downloaded)."""
import gzip
import hashlib
import io
import pickle
import socket
import tarfile
from pathlib import Path

import numpy as np

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def closed_port_url(path):
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{path}"


def md5(data):
    return hashlib.md5(data).hexdigest()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def idx_bytes(array):
    """The IDX encoding of a uint8 array."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def mnist_like(n_train=12, n_test=5, seed=0):
    """Random (x_train, y_train, x_test, y_test), uint8, images 28x28."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_train, dtype=np.uint8),
            rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_test, dtype=np.uint8))


def write_idx_set(folder, arrays, gz=True):
    """The four IDX files of `arrays` in `folder` (gzip or raw); returns {name without .gz: md5 of the raw bytes}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    checksums = {}
    for name, array in zip(IDX_FILES, arrays):
        raw = idx_bytes(array)
        checksums[name] = md5(raw)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return checksums


def write_mnist_npz(path, arrays):
    """Keras' mnist.npz layout; returns its sha256."""
    np.savez_compressed(path, **dict(zip(("x_train", "y_train", "x_test", "y_test"), arrays)))
    return sha256(Path(path).read_bytes())


def cifar_rows(n, seed):
    return np.random.default_rng(seed).integers(0, 256, (n, 3072), dtype=np.uint8)


def cifar_batch(rows, labels, protocol=2, **more_labels):
    """A CIFAR python batch: bytes keys, a uint8 (n, 3072) data array, lists of int labels."""
    batch = {b"batch_label": b"generated batch", b"data": rows,
             b"filenames": [f"img_{i}.png".encode() for i in range(len(rows))]}
    batch.update({k.encode(): [int(v) for v in vals] for k, vals in dict(labels=labels, **more_labels).items()
                  if vals is not None})
    return pickle.dumps(batch, protocol=protocol)


def write_cifar10(folder, sizes=(3, 2, 4, 1, 2), n_test=3, protocol=2):
    """Canonical cifar-10-batches-py files in `folder`; returns (batches {name: bytes}, checksums, arrays)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    batches, rows, labels = {}, [], []
    for i, n in enumerate([*sizes, n_test]):
        name = f"data_batch_{i + 1}" if i < len(sizes) else "test_batch"
        r, y = cifar_rows(n, seed=i), [(3 * i + k) % 10 for k in range(n)]
        batches[name] = cifar_batch(r, y, protocol=protocol)
        (folder / name).write_bytes(batches[name])
        rows.append(r)
        labels.append(y)
    checksums = {name: md5(data) for name, data in batches.items()}
    x_train, y_train = np.concatenate(rows[:-1]), np.concatenate(labels[:-1])
    return batches, checksums, (x_train, y_train, rows[-1], np.array(labels[-1]))


def write_cifar100(folder, n_train=4, n_test=3):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    batches, out = {}, []
    for i, (name, n) in enumerate((("train", n_train), ("test", n_test))):
        rows = cifar_rows(n, seed=10 + i)
        fine, coarse = [(7 * k + i) % 100 for k in range(n)], [(3 * k + i) % 20 for k in range(n)]
        batches[name] = cifar_batch(rows, None, fine_labels=fine, coarse_labels=coarse)
        (folder / name).write_bytes(batches[name])
        out.append((rows, fine, coarse))
    return batches, {name: md5(data) for name, data in batches.items()}, out


def tar_gz(path, members):
    """A .tar.gz at `path` holding {member name: bytes}; returns its bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(buffer.getvalue())
    return buffer.getvalue()


def as_hwc(rows):
    """What a loader must return for CIFAR rows: (n, 32, 32, 3)."""
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def imdb_sequences(n, seed, vocab=30, max_len=12):
    rng = np.random.default_rng(seed)
    seqs = np.empty(n, dtype=object)
    for i in range(n):
        seqs[i] = [int(w) for w in rng.integers(1, vocab, rng.integers(1, max_len))]
    return seqs


def write_imdb_npz(path, n_train=20, n_test=15):
    """Keras' imdb.npz layout: object arrays of int lists and int64 labels; returns (sha256, arrays)."""
    arrays = {"x_train": imdb_sequences(n_train, 1), "y_train": np.arange(n_train, dtype=np.int64) % 2,
              "x_test": imdb_sequences(n_test, 2), "y_test": (np.arange(n_test, dtype=np.int64) + 1) % 2}
    np.savez(path, **arrays)
    return sha256(Path(path).read_bytes()), arrays
