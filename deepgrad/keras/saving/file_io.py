"""Writing files safely: a save never leaves a half-written file where a good one was.

`atomic_write(path, write)` has `write(temporary_path)` fill a temporary file beside
the target, flushes it to disk, gives it the permissions a new file gets under the
process umask, and renames it over the target in one step. If anything fails,
the temporary file is removed and the old file is untouched. Saving onto a
symlink writes through to the file it points to (the link stays), as Keras does.
"""
import os
import tempfile
import warnings


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def resolve_target(path):
    """The file a save to `path` writes: the target of a symlink, else `path` itself."""
    path = os.fspath(path)
    return os.path.realpath(path) if os.path.islink(path) else path


def atomic_write(path, write):
    """Call write(tmp) on a fresh temporary path beside `path`, then rename it onto `path`."""
    target = resolve_target(path)
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        _fsync(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def may_overwrite(path, overwrite):
    """Whether a save to `path` may go ahead: always if overwrite, else ask (as Keras) when the file exists.

    Without a terminal to ask on, an existing file is kept and a warning says so.
    """
    if overwrite or not os.path.exists(path):
        return True
    try:
        answer = input(f"[WARNING] {os.fspath(path)} already exists - overwrite? [y/n]").strip().lower()
    except EOFError:
        warnings.warn(f"{os.fspath(path)} already exists and overwrite=False: the file was kept", stacklevel=3)
        return False
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == "y"
