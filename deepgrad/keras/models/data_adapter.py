"""Turn what fit/evaluate/predict receive into batches.

Accepted: NumPy arrays or tensors, lists/tuples or dicts of them, Python
generators and iterables yielding (x, y[, sample_weight]) or x, and
PyDataset/Sequence objects (len() batches, indexable).

Each batch is what train_step(data) receives, packed as Keras packs it: arrays give `x`
alone, `(x,)` for a list of inputs, `(x, y)` or `(x, y, sample_weight)`
(keras.utils.pack_x_y_sample_weight); a generator's or a PyDataset's batches come unchanged.
"""
import math

from ...backend import rng, xp
from ...tensor import Tensor
from ..layers.keras_tensor import flatten_structure, map_structure
from ..utils.data_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from .pandas_inputs import convert_pandas


def _is_array(a):
    return isinstance(a, (xp.ndarray, Tensor)) or xp.isscalar(a)


def to_arrays(data):
    """Tensors, numeric lists and pandas objects as NumPy arrays, inside any list/tuple/dict nesting."""
    if data is None:
        return None
    data = convert_pandas(data)
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, xp.ndarray):
        return data
    if isinstance(data, dict):
        return {k: to_arrays(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        if data and all(not isinstance(v, (list, tuple, dict, xp.ndarray, Tensor)) for v in data):
            return xp.asarray(data)
        if data and all(isinstance(v, (list, tuple)) and not any(
                isinstance(e, (xp.ndarray, Tensor, dict)) for e in v) for v in data):
            return xp.asarray(data)
        return type(data)(to_arrays(v) for v in data)
    if hasattr(data, "__array__"):
        return xp.asarray(data)
    return data


def is_array_data(x):
    return x is not None and all(isinstance(a, xp.ndarray) for a in flatten_structure(x))


def num_samples(data):
    return len(flatten_structure(data)[0])


def check_cardinality(x, y=None, sample_weight=None):
    """Refuse inputs, labels and weights whose sample counts differ, before training."""
    sizes = {}
    for label, data in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if data is not None:
            sizes[label] = [len(a) for a in flatten_structure(data)]
    counts = {n for s in sizes.values() for n in s}
    if len(counts) > 1:
        detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.\n"
            + detail
        )


def split_validation(x, y, sample_weight, fraction):
    """Keras' validation_split: the last `fraction` of the samples, taken before shuffling."""
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must be between 0 and 1. Received: {fraction}")
    n = num_samples(x)
    cut = int(n * (1 - fraction))
    if cut == 0 or cut == n:
        raise ValueError(
            f"validation_split={fraction} leaves no samples for training or validation out of {n}"
        )
    head = lambda d: None if d is None else map_structure(lambda a: a[:cut], d)
    tail = lambda d: None if d is None else map_structure(lambda a: a[cut:], d)
    return (head(x), head(y), head(sample_weight)), (tail(x), tail(y), tail(sample_weight))


def unpack(batch):
    """(x, y, sample_weight) from a batch: keras.utils.unpack_x_y_sample_weight."""
    return unpack_x_y_sample_weight(batch)


def _replicate_sample_weight(y, sample_weight):
    """One sample-weight array given for several outputs goes to each of them, as Keras' array adapter."""
    containers = (list, tuple, dict)
    if sample_weight is None or not isinstance(y, containers) or isinstance(sample_weight, containers):
        return sample_weight
    return map_structure(lambda _: sample_weight, y)


class ArrayBatches:
    """Minibatches of in-memory arrays, each packed as Keras packs it; shuffled by one gather per epoch."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps=None):
        self.data = (x, y, _replicate_sample_weight(y, sample_weight))
        self.n = num_samples(x)
        self.batch_size = int(batch_size or 32)
        self.shuffle = bool(shuffle)
        full = math.ceil(self.n / self.batch_size)
        self.steps = full if steps is None else min(int(steps), full)

    def __iter__(self):
        x, y, sw = self.data
        if self.shuffle:
            order = rng().permutation(self.n)
            x, y, sw = (None if d is None else map_structure(lambda a: a[order], d) for d in (x, y, sw))
        for step in range(self.steps):
            sl = slice(step * self.batch_size, (step + 1) * self.batch_size)
            yield pack_x_y_sample_weight(*(None if d is None else map_structure(lambda a: a[sl], d)
                                           for d in (x, y, sw)))


class SequenceBatches:
    """Batches of a PyDataset/Sequence, as it returns them: dataset[i] for i in range(len(dataset))."""

    def __init__(self, dataset, shuffle=False, steps=None):
        self.dataset = dataset
        self.shuffle = bool(shuffle)
        self.steps = len(dataset) if steps is None else min(int(steps), len(dataset))

    def __iter__(self):
        order = rng().permutation(len(self.dataset)) if self.shuffle else range(len(self.dataset))
        for i in list(order)[: self.steps]:
            yield self.dataset[int(i)]
        if hasattr(self.dataset, "on_epoch_end"):
            self.dataset.on_epoch_end()


class GeneratorBatches:
    """Batches from a generator or iterable, as it yields them; `steps` batches per epoch when given."""

    def __init__(self, source, steps=None):
        self.source = source
        self.steps = steps
        self._iterator = None

    def __iter__(self):
        if self.steps is None:
            yield from self.source
            return
        if self._iterator is None or (_is_reiterable(self.source) and not is_infinite(self.source)):
            self._iterator = iter(self.source)  # an infinite dataset goes on where the last epoch stopped
        for _ in range(int(self.steps)):
            try:
                yield next(self._iterator)
            except StopIteration:
                return


def _is_reiterable(source):
    return iter(source) is not source


def is_infinite(source):
    """Whether `source` is a tf.data-style dataset that says it never ends (cardinality() == -1)."""
    cardinality = getattr(source, "cardinality", None)
    return callable(cardinality) and int(cardinality()) == -1


def _is_sequence(obj):
    return hasattr(obj, "__getitem__") and hasattr(obj, "__len__") and not isinstance(
        obj, (xp.ndarray, list, tuple, dict, Tensor)
    )


def make_batches(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None):
    """The right batch source for the data given."""
    x, y, sample_weight = convert_pandas(x), convert_pandas(y), convert_pandas(sample_weight)
    if _is_sequence(x):
        return SequenceBatches(x, shuffle=shuffle, steps=steps)
    if hasattr(x, "__next__") or (hasattr(x, "__iter__") and not isinstance(x, (xp.ndarray, list, tuple, dict, Tensor))):
        if steps is None and is_infinite(x):
            raise ValueError("When providing an infinite dataset, you must specify the number of steps to run "
                             "(steps_per_epoch in fit, validation_steps, or steps in evaluate and predict).")
        return GeneratorBatches(x, steps=steps)
    x, y, sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
    check_cardinality(x, y, sample_weight)
    return ArrayBatches(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, steps=steps)
