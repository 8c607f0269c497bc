"""Serve `import tensorflow` and `import keras` from deepgrad, for one run of a script.

`tensorflow` -> deepgrad, `tensorflow.keras` and `keras` -> deepgrad.keras, and
every dotted name below them (tensorflow.keras.layers, keras.datasets.mnist, ...)
-> the deepgrad module of the same path.

run_script() installs the aliases, runs the file as `python FILE ARGS` would
(as __main__, its folder first on sys.path, sys.argv = [FILE, *ARGS]) and puts
everything back afterwards: sys.meta_path, sys.modules (a real `keras` or
`tensorflow` imported before comes back), sys.argv and sys.path.

`tensorflow` itself is a thin module in front of deepgrad (every name is
deepgrad's) so that `tf.__version__` says the TensorFlow release whose API
deepgrad follows, TF_VERSION (2.21.0, the TensorFlow that installs with Keras
3.15.1, the Keras of `keras.__version__`), while `tf.deepgrad_version` and
`deepgrad.__version__` stay deepgrad's own (`tf is deepgrad` no longer holds;
every attribute, and tf.__name__, is deepgrad's).

An error in the script is reported as Python would, with deepgrad's own frames
left out unless full_traceback is set.
"""
import importlib
import importlib.abc
import importlib.util
import os
import re
import runpy
import sys
import traceback
import types

from .missing import message
from .version import VERSION

_ROOTS = {"tensorflow.keras": "deepgrad.keras", "tensorflow.compat": "deepgrad.tf_compat",
          "tensorflow": "deepgrad", "keras": "deepgrad.keras", "tf_keras": "deepgrad.keras"}
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
TF_VERSION = VERSION  # the TensorFlow release that ships the Keras API deepgrad matches (Keras 3.15.1)


class TensorFlowModule(types.ModuleType):
    """`tensorflow` under `deepgrad run`: deepgrad's names, with TensorFlow's __version__.

    Attribute reads fall through to deepgrad (submodules such as tensorflow.keras are
    served by the alias finder as the deepgrad modules themselves).
    """

    def __init__(self, deepgrad):
        super().__init__(deepgrad.__name__, deepgrad.__doc__)  # tf.__name__ says who serves it
        self.__path__ = list(deepgrad.__path__)
        self.__file__ = deepgrad.__file__
        self.__version__ = TF_VERSION
        self.deepgrad_version = deepgrad.__version__
        self.compat = importlib.import_module("deepgrad.tf_compat")
        self._deepgrad = deepgrad

    def __getattr__(self, name):
        return getattr(self._deepgrad, name)

    def __dir__(self):
        return sorted(set(dir(self._deepgrad)) | set(self.__dict__))


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
        module = importlib.import_module(self.target)
        self._own_spec = module.__spec__
        if spec.name == "tensorflow":
            return TensorFlowModule(module)
        return module

    def exec_module(self, module):
        # The import machinery has just set module.__spec__ to the alias' spec: give the
        # deepgrad module its own back, so that it stays `deepgrad...` for everyone else.
        module.__spec__ = self._own_spec


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds tensorflow.* and keras.* as deepgrad modules."""

    def find_spec(self, name, path=None, target=None):
        real = deepgrad_name(name)
        if real is None:
            return None
        try:
            found = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            found = None
        if found is None:
            raise ModuleNotFoundError(message(public_name(name)), name=name)
        return importlib.util.spec_from_loader(name, _AliasLoader(real))


def public_name(name):
    """How a user names a module or attribute: tensorflow.math.foo and deepgrad.math.foo -> tf.math.foo,
    tensorflow.keras.X -> tf.keras.X, keras.X and deepgrad.keras.X -> keras.X."""
    for prefix, public in (("tensorflow", "tf"), ("deepgrad.tf_compat", "tf.compat"),
                           ("deepgrad.keras", "keras"), ("deepgrad", "tf"), ("tf_keras", "keras")):
        if name == prefix or name.startswith(prefix + "."):
            return public + name[len(prefix):]
    return name


def _missing_name(error):
    """The one-line message for `from tensorflow import foo` when foo is missing (Python's
    "cannot import name 'foo' from 'deepgrad'") or for `import tensorflow.a.b` below a module that is
    not a package, else None."""
    if isinstance(error, ModuleNotFoundError) and error.name and deepgrad_name(error.name):
        return message(public_name(error.name))
    if type(error) is not ImportError or error.name is None or not error.name.startswith("deepgrad"):
        return None
    found = re.match(r"cannot import name '([^']+)'", str(error))
    return message(f"{public_name(error.name)}.{found.group(1)}") if found else None


def _aliased_modules():
    return {name: module for name, module in sys.modules.items() if deepgrad_name(name)}


def install():
    """Put the alias finder first on sys.meta_path (idempotent); drops real tensorflow/keras
    modules from sys.modules so that the next import finds deepgrad's."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
    for name, module in _aliased_modules().items():
        if not getattr(module, "__name__", "").startswith("deepgrad"):
            del sys.modules[name]


def uninstall(saved_modules=None):
    """Remove the alias finder and the aliased modules; put back `saved_modules` (name -> module)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, AliasFinder)]
    for name in _aliased_modules():
        del sys.modules[name]
    sys.modules.update(saved_modules or {})


def _is_ours(filename):
    filename = os.path.abspath(filename) if not filename.startswith("<") else filename
    return filename.startswith(_PACKAGE_DIR + os.sep) or filename in ("<frozen runpy>", runpy.__file__)


def _report(error, path, full_traceback):
    """Print `error` raised by the script at `path` to stderr, as Python would but shorter."""
    frames = traceback.extract_tb(error.__traceback__)
    missing = _missing_name(error)
    if missing is not None and not full_traceback:
        error = NotImplementedError(missing).with_traceback(error.__traceback__)
    if "deepgrad does not implement" in str(error) and not full_traceback:
        in_script = [f for f in frames if f.filename == path]
        where = f"{path}, line {in_script[-1].lineno}: {in_script[-1].line}" if in_script else path
        print(f"{error}\n  at {where}", file=sys.stderr)
        return
    if full_traceback:
        traceback.print_exception(error)
        return
    shown = traceback.StackSummary.from_list([f for f in frames if not _is_ours(f.filename)])
    first = next((i for i, f in enumerate(frames) if not _is_ours(f.filename)), len(frames))
    hidden = sum(_is_ours(f.filename) for f in frames[first:])  # those below the script's call
    print("Traceback (most recent call last):", file=sys.stderr)
    print("".join(shown.format()), end="", file=sys.stderr)
    if hidden:
        print(f"  ({hidden} frames inside deepgrad not shown: `deepgrad run --traceback` shows them)",
              file=sys.stderr)
    print("".join(traceback.format_exception_only(error)), end="", file=sys.stderr)


def run_script(path, args=(), full_traceback=False):
    """Run the file at `path` as __main__ with the aliases installed; returns an exit code
    (0, the script's sys.exit code, 1 after an error, 130 after Ctrl-C)."""
    saved_modules, saved_meta_path = _aliased_modules(), list(sys.meta_path)
    saved_argv, saved_path = sys.argv, list(sys.path)
    install()
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # the script's error, reported as Python would
        _report(e, path, full_traceback)
        return 1
    finally:
        uninstall(saved_modules)
        sys.meta_path[:] = saved_meta_path
        sys.argv, sys.path[:] = saved_argv, saved_path
    return 0
