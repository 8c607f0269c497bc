"""get_file: Keras' download-and-cache helper, on deepgrad's verified download (datasets/fetch.py).

The file lands in `<cache_dir>/<cache_subdir>/<fname>` (cache_dir defaults to
$DEEPGRAD_HOME, else ~/.deepgrad), through a temporary file that is renamed
only once its hash matches. Archives are extracted safely: no member may be an
absolute path, climb out with '..', link outside the target, or be a device.

datasets/fetch.py is imported inside the functions that use it: it pulls in
urllib, which keras.utils (imported by every model) should not pay for.
"""
import os
import posixpath
import shutil
import tarfile
import tempfile
import urllib.parse
import warnings
import zipfile
from pathlib import Path


def _unsafe(name):
    """Why the archive member name `name` would land outside the target folder, or None."""
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return "absolute path"
    if ".." in normal.split("/"):
        return "path with '..'"
    return None


def _tar_refusal(member):
    reason = _unsafe(member.name)
    if reason is None and (member.issym() or member.islnk()):
        base = posixpath.dirname(member.name) if member.issym() else ""
        target = posixpath.normpath(posixpath.join(base, member.linkname))
        if member.linkname.startswith("/") or target == ".." or target.startswith("../"):
            reason = f"link to {member.linkname!r} outside the target"
    if reason is None and (member.ischr() or member.isblk() or member.isfifo()):
        reason = "device or fifo"
    return reason


def _extract_tar(path, dest):
    with tarfile.open(path) as archive:
        members = archive.getmembers()
        for member in members:
            reason = _tar_refusal(member)
            if reason:
                raise ValueError(f"{path}: refusing to extract the member {member.name!r}: {reason}")
        if hasattr(tarfile, "data_filter"):
            archive.extractall(dest, members, filter="data")
        else:
            archive.extractall(dest, members)


def _extract_zip(path, dest):
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            reason = _unsafe(name)
            if reason:
                raise ValueError(f"{path}: refusing to extract the member {name!r}: {reason}")
        archive.extractall(dest)


_FORMATS = {"tar": (tarfile.is_tarfile, _extract_tar), "zip": (zipfile.is_zipfile, _extract_zip)}


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extract the tar (.tar, .tar.gz, .tar.bz2, .tar.xz) or zip archive `file_path` into the folder `path`.

    The members go to a temporary folder beside `path` that replaces `path`
    once all are out, so `path` never holds half an archive. Raises
    ValueError naming the member when one would land outside `path`.

    Args:
        archive_format: "auto" (tar, then zip), "tar", "zip", a list of
            them, or None (extract nothing).

    Returns:
        True if the file matched a format and was extracted, False otherwise.
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        formats = ["tar", "zip"]
    else:
        formats = [archive_format] if isinstance(archive_format, str) else list(archive_format)
    if any(f not in _FORMATS for f in formats):
        raise ValueError(f'archive_format must be "auto", "tar", "zip" or None. Received: {archive_format!r}')
    dest = Path(path)
    for fmt in formats:
        is_format, extract = _FORMATS[fmt]
        if is_format(file_path):
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
            try:
                extract(file_path, tmp)
                if dest.exists():
                    shutil.rmtree(dest)
                os.replace(tmp, dest)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            return True
    return False


def _cache_root(cache_dir):
    """cache_dir (default deepgrad's home), or <temporary folder>/.deepgrad when it cannot be written."""
    from ..datasets import fetch

    root = Path(cache_dir).expanduser() if cache_dir is not None else fetch.deepgrad_home()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir()) / ".deepgrad"
    return root if os.access(root, os.W_OK) else Path(tempfile.gettempdir()) / ".deepgrad"


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    """Download a file from a URL unless a copy with the right hash is already cached; returns its path.

    Args:
        fname: the local file name (no folder); None: the last part of `origin`.
            With extract=True, a name without extension is the extraction
            folder (the archive is kept as `<fname>_archive`), and
            "name.tar.gz" is extracted into `name_extracted`.
        origin: the URL.
        untar: deprecated; extract=True with archive_format="tar".
        md5_hash: deprecated; file_hash with hash_algorithm="md5".
        file_hash: the expected md5 or sha256 (hex) of the file. A cached
            copy that does not match is downloaded again; a download that
            does not match is deleted and raises.
        cache_subdir: the folder under cache_dir (an absolute path is used as is).
        hash_algorithm: "auto" (sha256 for 64 hex digits, else md5), "md5" or "sha256".
        extract: extract the archive, safely (see extract_archive), after each
            download or when the extraction folder is missing.
        archive_format: "auto", "tar", "zip" or None.
        cache_dir: default $DEEPGRAD_HOME, else ~/.deepgrad (a temporary
            folder's .deepgrad when not writable).
        force_download: download even when a good copy is cached.

    Returns:
        The path (str) of the file, or of the extraction folder with extract=True.

    Raises:
        ValueError: no origin, or fname holds a folder.
        FileNotFoundError (datasets.fetch.DownloadError): every download
            attempt failed or did not match file_hash; the text says why.
    """
    from ..datasets import fetch

    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download). Received: origin=None')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = _cache_root(cache_dir) / cache_subdir
    datadir.mkdir(parents=True, exist_ok=True)
    name = os.fspath(fname) if fname is not None else None
    if not name:
        name = posixpath.basename(urllib.parse.urlsplit(origin).path)
        if not name:
            raise ValueError(f"Can't parse the file name from origin={origin!r}: pass fname=")
    elif os.sep in name or "/" in name:
        raise ValueError(f"fname must be a file name; put folders in cache_dir/cache_subdir. Received: fname={name!r}")

    extraction_dir = None
    if extract or untar:
        if fname is not None and "." in name:
            target, extraction_dir = datadir / name, datadir / f"{name[:name.find('.')]}_extracted"
        else:
            target, extraction_dir = datadir / f"{name}_archive", datadir / name
    else:
        target = datadir / name

    fresh = force_download or not target.exists()
    if not fresh and file_hash is not None:
        try:
            fetch.verify_file(target, file_hash, hash_algorithm)
        except fetch.CorruptFileError as e:
            warnings.warn(f"{e}; downloading it again from {origin}", stacklevel=2)
            fresh = True
    if fresh:
        check = (lambda tmp: fetch.verify_file(tmp, file_hash, hash_algorithm, source=origin)) if file_hash else None
        fetch.download([origin], target, check)

    if extraction_dir is None:
        return str(target)
    if fresh or not extraction_dir.exists():
        if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
            warnings.warn(f"{target} is not a {archive_format} archive: nothing was extracted", stacklevel=2)
    return str(extraction_dir)
