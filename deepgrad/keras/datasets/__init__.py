"""Datasets with Keras' load_data() API: mnist, fashion_mnist, cifar10, cifar100, imdb.

Each module loads on first use, so `import deepgrad` stays fast. Where the
files come from (path=, the caches, /usr/share/datasets, a verified download)
is one rule for all of them: see fetch.py.
"""
import importlib

__all__ = ["cifar10", "cifar100", "fashion_mnist", "imdb", "mnist"]


def __getattr__(name):
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"deepgrad does not implement keras.datasets.{name}")


def __dir__():
    return sorted(list(globals()) + __all__)
