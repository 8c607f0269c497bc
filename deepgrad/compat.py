"""Serve `import tensorflow` and `import keras` from deepgrad, for one run of a script.

`tensorflow` -> deepgrad, `tensorflow.keras` and `keras` -> deepgrad.keras, and
every dotted name below them (tensorflow.keras.layers, keras.datasets.mnist, ...)
-> the deepgrad module of the same path.
"""
import importlib
import importlib.abc
import importlib.util
import runpy
import sys
import traceback

_ROOTS = {"tensorflow.keras": "deepgrad.keras", "tensorflow": "deepgrad", "keras": "deepgrad.keras",
          "tf_keras": "deepgrad.keras"}


def deepgrad_name(name):
    """The deepgrad module that serves `name`, or None when it is not an alias."""
    for alias in sorted(_ROOTS, key=len, reverse=True):
        if name == alias or name.startswith(alias + "."):
            target = _ROOTS[alias] + name[len(alias):]
            return target.replace("deepgrad.keras.src.", "deepgrad.keras.")
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds tensorflow.* and keras.* as deepgrad modules."""

    def find_spec(self, name, path=None, target=None):
        real = deepgrad_name(name)
        if real is None:
            return None
        if importlib.util.find_spec(real) is None:
            raise ModuleNotFoundError(f"deepgrad does not implement {name} (no module {real})")
        return importlib.util.spec_from_loader(name, _AliasLoader(real))


def install():
    """Put the alias finder first on sys.meta_path (idempotent)."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
    for name in [n for n in sys.modules if deepgrad_name(n)]:
        if not sys.modules[name].__name__.startswith("deepgrad"):
            del sys.modules[name]


def run_script(path, args=()):
    """Run the file at `path` as __main__ with the aliases installed; returns an exit code."""
    install()
    sys.argv = [path, *args]
    try:
        runpy.run_path(path, run_name="__main__")
    except AttributeError as e:
        if "deepgrad does not implement" not in str(e):
            raise
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == path]
        where = f"{path}, line {frames[-1].lineno}: {frames[-1].line}" if frames else path
        print(f"{e}\n  at {where}", file=sys.stderr)
        return 1
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0
