"""tf.data: input pipelines as lazy, re-iterable chains of Python iterators.

A Dataset holds a function that makes a fresh iterator over its elements and
its cardinality. Each transformation wraps the iterator of the dataset below
it, so nothing is computed until iteration, and a pipeline over a generator of
a million elements holds only what shuffle's buffer or a batch needs.

Elements are deepgrad Tensors arranged in a structure (a Tensor, or tuples,
lists and dicts of them), as TensorFlow's elements are tf.Tensors. They carry
no gradient. Text (tf.string) is NumPy bytes; as_numpy_iterator gives a
scalar string as Python bytes, as TF does.

Element orders, padding, window contents, interleave orders, cardinalities
and element_spec shapes follow TensorFlow 2.21 (the tests hold values
recorded from it). `element_spec` is known without iterating for sources and
shape-preserving or batching transformations; after a user function (map,
flat_map, interleave, scan) it describes the first element, since deepgrad
does not trace functions. Options are kept, not acted on: pipelines run in
order on the calling thread.

Example:
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100, seed=0).batch(32)
    for xb, yb in ds:
        ...
"""
from ..missing import not_implemented
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, DatasetSpec, Iterator
from .options import (
    AutoShardPolicy, AutotuneOptions, DistributeOptions, OptimizationOptions, Options, ThreadingOptions,
)
from .structures import _check_count
from .text_line import TextLineDataset

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "DatasetSpec", "Iterator",
           "Options", "TextLineDataset", "experimental"]


# ---------------------------------------------------------------- namespace


def _cardinality(dataset):
    return dataset.cardinality()


def _assert_cardinality(expected_cardinality):
    """A transformation (for Dataset.apply) that declares the cardinality and checks it while iterating."""
    expected = _check_count("expected_cardinality", expected_cardinality)

    def transformation(dataset):
        def make():
            count = 0
            for element in dataset:
                count += 1
                if expected != INFINITE_CARDINALITY and count > expected:
                    raise ValueError(
                        f"Input dataset was expected to contain {expected} elements "
                        f"but contained at least {count} elements."
                    )
                yield element
            if expected == INFINITE_CARDINALITY or count < expected:
                raise ValueError(
                    f"Input dataset was expected to contain {expected} elements but contained only {count} elements."
                )

        return dataset._derive(make, expected, dataset._same_spec())

    return transformation


class _Experimental:
    """tf.data.experimental: the names tutorials use."""

    AUTOTUNE = AUTOTUNE
    INFINITE_CARDINALITY = INFINITE_CARDINALITY
    UNKNOWN_CARDINALITY = UNKNOWN_CARDINALITY
    AutoShardPolicy = AutoShardPolicy
    OptimizationOptions = OptimizationOptions
    ThreadingOptions = ThreadingOptions
    AutotuneOptions = AutotuneOptions
    DistributeOptions = DistributeOptions
    cardinality = staticmethod(_cardinality)
    assert_cardinality = staticmethod(_assert_cardinality)
    get_structure = staticmethod(lambda dataset: dataset.element_spec)
    take_while = staticmethod(lambda predicate: lambda dataset: dataset.take_while(predicate))
    scan = staticmethod(lambda initial_state, scan_func: lambda dataset: dataset.scan(initial_state, scan_func))
    unique = staticmethod(lambda: lambda dataset: dataset.unique())
    ignore_errors = staticmethod(lambda log_warning=False: lambda dataset: dataset.ignore_errors(log_warning))
    group_by_window = staticmethod(
        lambda key_func, reduce_func, window_size=None, window_size_func=None: lambda dataset: dataset.group_by_window(
            key_func, reduce_func, window_size, window_size_func
        )
    )
    bucket_by_sequence_length = staticmethod(
        lambda *args, **kwargs: lambda dataset: dataset.bucket_by_sequence_length(*args, **kwargs)
    )
    choose_from_datasets = staticmethod(Dataset.choose_from_datasets)
    sample_from_datasets = staticmethod(Dataset.sample_from_datasets)
    Counter = staticmethod(Dataset.counter)

    def __getattr__(self, name):
        raise AttributeError(f"deepgrad does not implement tf.data.experimental.{name}")


experimental = _Experimental()


__getattr__ = not_implemented("tf.data")
