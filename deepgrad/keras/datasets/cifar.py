"""The CIFAR python batches, read from a folder or straight from the tar.gz, by the loading rule of fetch.py.

A batch (`data_batch_1`, `test_batch`, CIFAR-100's `train`) is a Python 2
pickle of a dict with bytes keys: b"data", a uint8 array (n, 3072) holding n
channel-first 3x32x32 images, and the labels (b"labels" for CIFAR-10,
b"fine_labels" and b"coarse_labels" for CIFAR-100). Each is checked against
its md5, then read with safe_pickle; members of an archive are read with
tarfile.extractfile, without extracting anything to disk.

Where a copy may be, under a root folder (an explicit `path=`, deepgrad's or
Keras' cache): `<folder>/` (deepgrad, Keras 2), `<folder>-target/<folder>/`
(Keras 3), and the archives `<archive>` (the download's name),
`<folder>-target_archive` (Keras 3), `<folder>.tar.gz` (Keras 2).
"""
import posixpath
import tarfile
import zlib
from dataclasses import dataclass

import numpy as np

from . import fetch, safe_pickle


@dataclass(frozen=True)
class Layout:
    """The canonical names of one CIFAR dataset.

    name: in messages ("cifar10"); folder: the batches' folder
    ("cifar-10-batches-py"); archive: the download ("cifar-10-python.tar.gz");
    batches: the files that make a copy; system_name: the folder under
    fetch.SYSTEM_DIRS ("cifar-10").
    """

    name: str
    folder: str
    archive: str
    batches: tuple
    system_name: str

    def under(self, root):
        """The places under `root` where a copy may be, in order."""
        return [
            root / self.folder,
            root / f"{self.folder}-target" / self.folder,
            root / self.archive,
            root / f"{self.folder}-target_archive",
            root / f"{self.folder}.tar.gz",
        ]


def _unpickle(data, expected, source):
    fetch.verify(data, expected, source)
    batch = safe_pickle.loads(data, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"{source} is not a CIFAR batch: it holds a {type(batch).__name__}, not a dict")
    return {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}


def _from_folder(folder, layout, checksums):
    if not all((folder / b).is_file() for b in layout.batches):
        return None
    return {b: _unpickle((folder / b).read_bytes(), checksums[b], str(folder / b)) for b in layout.batches}


def _from_archive(path, layout, checksums):
    wanted = {f"{layout.folder}/{b}": b for b in layout.batches}
    batches = {}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                batch = wanted.get(posixpath.normpath(member.name))
                if batch is not None and member.isfile():
                    source = f"{path}!{member.name}"
                    batches[batch] = _unpickle(archive.extractfile(member).read(), checksums[batch], source)
                    if len(batches) == len(wanted):
                        return batches
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise fetch.CorruptFileError(f"{path} is corrupt or truncated: {e}") from None
    return None


def _read(found, layout, checksums):
    """The batches of the copy at `found` (an archive, a batches folder, or a root holding one); None if none."""
    if found.is_file():
        return _from_archive(found, layout, checksums)
    if any((found / b).exists() for b in layout.batches):
        return _from_folder(found, layout, checksums)
    for candidate in layout.under(found):
        if candidate.exists():
            batches = _read(candidate, layout, checksums)
            if batches is not None:
                return batches
    return None


def load(layout, checksums, mirrors, path=None):
    """A dict batch name -> batch dict (str keys) of the CIFAR dataset `layout`, found by the loading rule.

    Args:
        checksums: md5 of the archive and of each batch, by file name.
        mirrors: the archive's file name -> list of URLs.
        path: the user's `path=`: an archive, a batches folder, or a folder holding either.
    """
    def download():
        def check(tmp):
            fetch.verify_file(tmp, checksums[layout.archive], source=f"{layout.archive} (downloaded)")
            batches = _from_archive(tmp, layout, checksums)
            if batches is None:
                raise fetch.CorruptFileError(f"{layout.archive} (downloaded) lacks some of {layout.batches}")
            return batches

        return fetch.download(mirrors[layout.archive], fetch.deepgrad_cache() / layout.archive, check)

    candidates = [
        *layout.under(fetch.deepgrad_cache()),
        *layout.under(fetch.keras_cache()),
        *fetch.system_dirs(layout.system_name),
    ]
    expected = f"{layout.folder}/ ({', '.join(layout.batches)}) or {layout.archive}"
    return fetch.load(layout.name, path, read=lambda found: _read(found, layout, checksums),
                      candidates=candidates, download=download, expected=expected)


def arrays(batch, label_key, label_dtype, source):
    """(images, labels) of a batch: uint8 (n, 32, 32, 3), channels last (the pickled rows are
    channel-first), and `label_dtype` (n, 1)."""
    if "data" not in batch or label_key not in batch:
        raise ValueError(f"{source}: a CIFAR batch needs 'data' and {label_key!r}; it holds {sorted(batch)}")
    data = np.asarray(batch["data"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{source}: CIFAR data must have shape (n, 3072). Received: {data.shape}")
    y = np.asarray(batch[label_key], dtype=label_dtype).reshape(-1, 1)
    if len(y) != len(data):
        raise ValueError(f"{source}: {len(data)} images but {len(y)} labels")
    return np.ascontiguousarray(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)), y
