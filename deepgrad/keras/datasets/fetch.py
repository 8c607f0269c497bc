"""The loading rule of every dataset: where the files come from, and how they are checked.

In this order:
1. an explicit `path=`: a file or a folder holding a copy. A bare file name
   that does not exist in the working directory (Keras' `path="mnist.npz"`)
   is looked up in the caches, as Keras' get_file does;
2. the caches: deepgrad's (`$DEEPGRAD_HOME/datasets`, else
   `~/.deepgrad/datasets`), Keras' (`$KERAS_HOME/datasets`, else
   `~/.keras/datasets`), then SYSTEM_DIRS, where Debian's dataset-* packages
   install (`/usr/share/datasets/<name>/`);
3. a download from the dataset's MIRRORS into deepgrad's cache: into a
   temporary file beside the final one, checksummed, then renamed with
   os.replace, so the cache never holds a partial or unverified file;
4. DatasetNotFoundError (a FileNotFoundError) naming the missing files, the
   URLs tried and why they failed, the folder where to put a copy, and `path=`.

Every file is checked against its checksum before its contents are used,
whatever branch it came from: a corrupt copy given as `path=` raises
CorruptFileError (a ValueError); one in a cache is skipped with a warning, and
the download replaces it.
"""
import hashlib
import http.client
import os
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid
import warnings
from pathlib import Path

from ..utils.progbar import is_dynamic_display

RETRIES = 3
RETRY_DELAY = 1.0
TIMEOUT = 60
SYSTEM_DIRS = [Path("/usr/share/datasets")]
_CHUNK = 1 << 20


class DatasetNotFoundError(FileNotFoundError):
    """No verified copy of a dataset was found, and none could be downloaded."""


class DownloadError(DatasetNotFoundError):
    """Every mirror of one file failed. `failures` holds (url, reason) pairs, `dest` the target path."""

    def __init__(self, dest, failures):
        self.dest = Path(dest)
        self.failures = failures
        tried = "\n".join(f"  {url}: {reason}" for url, reason in failures)
        super().__init__(f"could not download {self.dest.name}:\n{tried}")


class CorruptFileError(ValueError):
    """A file whose checksum does not match the published one: corrupt or truncated."""


def deepgrad_home():
    """deepgrad's folder: $DEEPGRAD_HOME, else ~/.deepgrad."""
    home = os.environ.get("DEEPGRAD_HOME")
    return Path(home).expanduser() if home else Path.home() / ".deepgrad"


def deepgrad_cache():
    """Where deepgrad keeps datasets and downloads them: <deepgrad_home()>/datasets."""
    return deepgrad_home() / "datasets"


def keras_cache():
    """Keras' dataset cache: $KERAS_HOME/datasets, else ~/.keras/datasets."""
    home = os.environ.get("KERAS_HOME")
    return (Path(home).expanduser() if home else Path.home() / ".keras") / "datasets"


def system_dirs(name):
    """The folders where a system package installs the dataset `name` (e.g. /usr/share/datasets/fashion-mnist)."""
    return [Path(folder) / name for folder in SYSTEM_DIRS]


def hash_algorithm(expected, algorithm="auto"):
    """"md5" or "sha256"; "auto" picks sha256 for a 64-digit hex string, md5 otherwise (as Keras)."""
    if algorithm == "auto":
        return "sha256" if len(expected) == 64 else "md5"
    if algorithm not in ("md5", "sha256"):
        raise ValueError(f'hash_algorithm must be "auto", "md5" or "sha256". Received: hash_algorithm={algorithm!r}')
    return algorithm


def _mismatch(source, algorithm, actual, expected):
    return CorruptFileError(
        f"{source} is corrupt or truncated: its {algorithm} is {actual}, expected {expected}"
    )


def verify(data, expected, source, algorithm="auto"):
    """Raise CorruptFileError naming `source` unless the bytes `data` hash to `expected` (hex md5 or sha256)."""
    algorithm = hash_algorithm(expected, algorithm)
    actual = hashlib.new(algorithm, data).hexdigest()
    if actual != expected.lower():
        raise _mismatch(source, algorithm, actual, expected)


def file_digest(path, algorithm):
    """The hex md5 or sha256 of the file at `path`, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path, expected, algorithm="auto", source=None):
    """Raise CorruptFileError unless the file at `path` hashes to `expected`; reads it in chunks."""
    algorithm = hash_algorithm(expected, algorithm)
    actual = file_digest(path, algorithm)
    if actual != expected.lower():
        raise _mismatch(source or path, algorithm, actual, expected)


def _size(n):
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


class Progress:
    """The progress of one download on stderr: bytes done/total.

    On a terminal one line rewrites itself with '\\r'; elsewhere (logs, pipes)
    a line is printed at 0, 25, 50, 75 and 100 %, or only at the end when the
    size is unknown.
    """

    def __init__(self, label, total, stream=None):
        self.label = label
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.dynamic = is_dynamic_display(self.stream)
        self.quarter = -1
        self.update(0)

    def _line(self, done):
        if not self.total:
            return f"{self.label}: {_size(done)}"
        return f"{self.label}: {_size(done)}/{_size(self.total)} ({100 * done // self.total}%)"

    def update(self, done):
        if self.dynamic:
            self.stream.write("\r" + self._line(done))
            self.stream.flush()
        elif self.total and 4 * done // self.total > self.quarter:
            self.quarter = 4 * done // self.total
            self.stream.write(self._line(done) + "\n")

    def close(self, done):
        if self.dynamic:
            self.stream.write("\n")
        elif not self.total:
            self.stream.write(self._line(done) + "\n")
        self.stream.flush()


class _Truncated(Exception):
    pass


def _fetch_once(url, tmp):
    """Write the body at `url` into the file `tmp`; raises _Truncated when it is shorter than announced."""
    request = urllib.request.Request(url, headers={"User-Agent": "deepgrad"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response, open(tmp, "wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        progress = Progress(f"Downloading {url}", total)
        done = 0
        try:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                done += len(chunk)
                progress.update(done)
        finally:
            progress.close(done)
    if total is not None and done != total:
        raise _Truncated(f"connection closed after {done} of {total} bytes")


def _unknown_host(error):
    """Whether `error` says the host name does not resolve (offline, or a typo): no use retrying."""
    reason = getattr(error, "reason", None)
    return isinstance(reason, socket.gaierror) and reason.errno == socket.EAI_NONAME


def _attempts(url, tmp, check):
    """(check(tmp)'s value, None) after downloading `url`, retried on transient failures; (None, reason) on failure."""
    for attempt in range(RETRIES):
        if attempt:
            time.sleep(RETRY_DELAY * 2 ** (attempt - 1))
        try:
            _fetch_once(url, tmp)
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return None, f"HTTP {e.code} {e.reason}"
            reason = f"HTTP {e.code} {e.reason}"
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, _Truncated) as e:
            reason = str(getattr(e, "reason", None) or e) or type(e).__name__
            if _unknown_host(e):
                return None, reason
        else:
            try:
                return (check(tmp) if check else None), None
            except CorruptFileError as e:
                return None, str(e)
    return None, f"{reason} (tried {RETRIES} times)"


def download(urls, dest, check=None):
    """Download the first of `urls` that works to the file `dest`, atomically; returns check(path)'s value.

    Each URL gets RETRIES attempts with a doubling delay from RETRY_DELAY on
    connection errors, truncated bodies and HTTP 5xx; an HTTP 4xx (404), a
    host name that does not resolve or a failed check moves on to the next
    URL at once. The body goes to a hidden temporary file beside `dest`;
    `check(temporary_path)` verifies it (raising CorruptFileError) and may
    parse it; only then is it renamed to `dest`. On any failure the temporary
    file is removed and DownloadError lists every URL tried with its reason.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
    failures = []
    try:
        for url in urls:
            value, reason = _attempts(url, tmp, check)
            if reason is None:
                os.replace(tmp, dest)
                return value
            failures.append((url, reason))
    finally:
        tmp.unlink(missing_ok=True)
    raise DownloadError(dest, failures)


def explicit_path(path, dataset, default_names=()):
    """The existing file or folder that `path=` names; None when it is a default name to find by the rule.

    A bare file name that does not exist in the working directory is looked
    up in deepgrad's and Keras' caches, as Keras' get_file does; the
    dataset's default name (Keras' "mnist.npz", ...) means the normal rule,
    which searches the caches itself. Anything else raises DatasetNotFoundError.
    """
    given = Path(path).expanduser()
    if given.exists():
        return given
    bare = given.name == str(path)
    if bare and given.name in default_names:
        return None
    roots = (deepgrad_cache(), keras_cache())
    if bare:
        for root in roots:
            if (root / given).exists():
                return root / given
    where = f" (nor in {roots[0]} or {roots[1]})" if bare else ""
    raise DatasetNotFoundError(f"{dataset}: path={str(path)!r} does not exist{where}")


def load(dataset, path, *, read, candidates, download, expected, default_names=(), hint=""):
    """A dataset's contents, found by the rule above.

    Args:
        dataset: its name in messages ("mnist").
        path: the user's `path=` argument, or None.
        read: read(path) -> the contents of a copy at `path` (a file or a
            folder), None when `path` holds no complete copy; it verifies the
            checksums and raises CorruptFileError.
        candidates: the paths, in order, where the caches and system folders
            may hold a copy.
        download: download() -> the contents, fetched into deepgrad's cache;
            raises DownloadError.
        expected: the files that make a copy, in words, for messages.
        default_names: bare `path=` values that mean "the usual file".
        hint: a last sentence for the not-found error.
    """
    if path is not None:
        found = explicit_path(path, dataset, default_names)
        if found is not None:
            value = read(found)
            if value is None:
                raise DatasetNotFoundError(f"{dataset}: {found} holds no copy of {expected}")
            return value
    for candidate in candidates:
        if not candidate.exists():
            continue
        try:
            value = read(candidate)
        except CorruptFileError as e:
            warnings.warn(f"{dataset}: {e}; skipping this copy", stacklevel=2)
            continue
        if value is not None:
            return value
    try:
        return download()
    except DownloadError as e:
        looked = ", ".join(str(c) for c in candidates)
        raise DatasetNotFoundError(
            f"{dataset}: no copy of {expected} was found, and the download failed.\n{e}\n"
            f"Looked in: {looked}.\n"
            f"Put the files in {e.dest.parent}, or pass load_data(path=...) pointing at a copy.{hint}"
        ) from None
