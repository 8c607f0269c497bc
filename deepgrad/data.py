"""tf.data: input pipelines as lazy, re-iterable chains of Python iterators.

A Dataset holds a function that makes a fresh iterator over its elements and
its cardinality. Each transformation wraps the iterator of the dataset below
it, so nothing is computed until iteration, and a pipeline over a generator of
a million elements holds only what shuffle's buffer or a batch needs.

Elements are deepgrad Tensors arranged in a structure (a Tensor, or tuples,
lists and dicts of them), as TensorFlow's elements are tf.Tensors. They carry
no gradient.

Example:
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100, seed=0).batch(32)
    for xb, yb in ds:
        ...
"""

import builtins
import math

from .backend import rng as _global_rng
from .backend import xp
from .tensor import Tensor

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


# ---------------------------------------------------------------- structures


def _map_structure(fn, structure):
    """Apply fn to every leaf of a (nested) tuple/list/dict structure."""
    if isinstance(structure, dict):
        return {k: _map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):  # namedtuple
        return type(structure)(*(_map_structure(fn, v) for v in structure))
    if isinstance(structure, (tuple, list)):
        return tuple(_map_structure(fn, v) for v in structure)
    return fn(structure)


def _zip_structures(fn, structures):
    """Apply fn to the list of corresponding leaves of same-shaped structures."""
    first = structures[0]
    if isinstance(first, dict):
        return {k: _zip_structures(fn, [s[k] for s in structures]) for k in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(_zip_structures(fn, list(parts)) for parts in zip(*structures)))
    if isinstance(first, (tuple, list)):
        return tuple(_zip_structures(fn, list(parts)) for parts in zip(*structures))
    return fn(structures)


def _leaves(structure):
    out = []
    _map_structure(out.append, structure)
    return out


def _as_tensor(value, dtype=None):
    """A leaf as a gradient-free Tensor, cast to dtype when one is given."""
    if isinstance(value, Tensor):
        data = value.data
    elif isinstance(value, (xp.ndarray, xp.generic)):
        data = xp.asarray(value)  # NumPy arrays keep their dtype, as in TF
    else:
        data = Tensor(value).data  # Python numbers and lists: deepgrad's defaults (float32 for floats)
    if dtype is not None:
        dtype = getattr(dtype, "as_numpy_dtype", dtype)
        data = data.astype(xp.dtype(dtype), copy=False)
    if isinstance(value, Tensor) and data is value.data and not value.requires_grad:
        return value
    return Tensor(data)


def _spec_dtype(spec):
    """The dtype a from_generator type or TensorSpec-like signature names (None: keep)."""
    if spec is None or isinstance(spec, (type, str, xp.dtype)):
        return spec
    return getattr(spec, "dtype", spec)


def _to_elements(structure):
    return _map_structure(_as_tensor, structure)


def _call(fn, element):
    """Call fn with a tuple element's components as separate arguments, as TF does."""
    if isinstance(element, tuple):
        return fn(*element)
    return fn(element)


def _check_count(name, value):
    if isinstance(value, Tensor):
        value = value.data
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TypeError(f"Dataset.{name} expects an integer. Received: {name}={value!r}") from None


# ---------------------------------------------------------------- Dataset


class Dataset:
    """A re-iterable sequence of elements; every method returns a new Dataset.

    Iterating (``for element in ds``) starts a fresh pass each time; with
    ``shuffle(..., reshuffle_each_iteration=True)`` (the default) each pass
    has a new order.
    """

    def __init__(self, make_iterator, cardinality):
        self._make_iterator = make_iterator
        self._cardinality = int(cardinality)

    # ------------------------------------------------------------ sources

    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row of the first axis of every component.

        Args:
            tensors: an array/Tensor, or a tuple/list/dict (nested) of them,
                all with the same first dimension.
        """
        structure = _to_elements(tensors)
        leaves = _leaves(structure)
        if not leaves:
            raise ValueError("from_tensor_slices needs at least one component. Received: empty structure")
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError(
                    f"from_tensor_slices needs components of rank >= 1. Received: a scalar {leaf.data!r}"
                )
        sizes = {leaf.shape[0] for leaf in leaves}
        if len(sizes) != 1:
            shapes = [leaf.shape for leaf in leaves]
            raise ValueError(
                f"from_tensor_slices: all components must have the same first dimension. Received shapes: {shapes}"
            )
        n = sizes.pop()

        def make():
            for i in builtins.range(n):
                yield _map_structure(lambda t: Tensor(xp.asarray(t.data[i])), structure)

        return Dataset(make, n)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element: the whole structure."""
        structure = _to_elements(tensors)
        return Dataset(lambda: iter([structure]), 1)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None, name=None):
        """Elements from a Python generator, pulled one at a time.

        Args:
            generator: a callable returning an iterator; it is called again
                (with `args`) on every pass.
            output_types / output_signature: dtypes (or TensorSpecs with a
                `.dtype`) the yielded values are cast to; a structure like the
                elements, or a single one.
        """
        if not callable(generator):
            raise TypeError(f"from_generator expects a callable generator. Received: generator={generator!r}")
        signature = output_signature if output_signature is not None else output_types
        call_args = tuple(args) if args is not None else ()

        def cast(value):
            if signature is None:
                return _to_elements(value)
            if isinstance(signature, (tuple, list, dict)):
                return _zip_structures(lambda pair: _as_tensor(pair[0], _spec_dtype(pair[1])), [value, signature])
            dtype = _spec_dtype(signature)
            return _map_structure(lambda v: _as_tensor(v, dtype), value)

        def make():
            for value in generator(*call_args):
                yield cast(value)

        return Dataset(make, UNKNOWN_CARDINALITY)

    @staticmethod
    def range(*args, output_type=xp.int64, name=None):
        """Integers like Python's range(start, stop, step), as scalar Tensors."""
        r = builtins.range(*(_check_count("range", a) for a in args))
        dtype = xp.dtype(getattr(output_type, "as_numpy_dtype", output_type))

        def make():
            for i in r:
                yield Tensor(xp.asarray(i, dtype=dtype))

        return Dataset(make, len(r))

    @staticmethod
    def zip(*datasets, name=None):
        """Elements of several datasets side by side, as a tuple (or the given structure)."""
        if len(datasets) == 1 and not isinstance(datasets[0], Dataset):
            datasets = datasets[0]
        structure = datasets
        flat = _leaves(structure)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip expects Datasets. Received: {type(d).__name__}")
        cards = [d._cardinality for d in flat]
        if any(c == UNKNOWN_CARDINALITY for c in cards):
            card = UNKNOWN_CARDINALITY
        elif all(c == INFINITE_CARDINALITY for c in cards):
            card = INFINITE_CARDINALITY
        else:
            card = min(c for c in cards if c != INFINITE_CARDINALITY)

        def make():
            iterators = [iter(d) for d in flat]
            while True:
                try:
                    items = [next(it) for it in iterators]
                except StopIteration:
                    return
                position = iter(items)
                yield _map_structure(lambda _: next(position), structure)

        return Dataset(make, card)

    # ------------------------------------------------------------ iteration

    def __iter__(self):
        return iter(self._make_iterator())

    def as_numpy_iterator(self):
        """Iterate elements as NumPy arrays (same structure)."""
        for element in self:
            yield _map_structure(lambda t: t.numpy() if isinstance(t, Tensor) else t, element)

    def cardinality(self):
        """Number of elements, or INFINITE_CARDINALITY (-1) / UNKNOWN_CARDINALITY (-2), as an int64 Tensor."""
        return Tensor(xp.asarray(self._cardinality, dtype=xp.int64))

    def __len__(self):
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def __bool__(self):
        return True

    def __repr__(self):
        card = {INFINITE_CARDINALITY: "infinite", UNKNOWN_CARDINALITY: "unknown"}.get(
            self._cardinality, self._cardinality
        )
        return f"<Dataset cardinality={card}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"deepgrad does not implement tf.data.Dataset.{name}")

    # ------------------------------------------------------------ transformations

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Apply map_func to each element (tuple components as separate arguments)."""

        def make():
            for element in self:
                yield _to_elements(_call(map_func, element))

        return Dataset(make, self._cardinality)

    def filter(self, predicate, name=None):
        """Keep the elements for which predicate(...) is true."""

        def make():
            for element in self:
                keep = _call(predicate, element)
                if isinstance(keep, Tensor):
                    keep = keep.data
                if bool(keep):
                    yield element

        return Dataset(make, UNKNOWN_CARDINALITY)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Stack consecutive elements into batches along a new first axis."""
        size = _check_count("batch_size", batch_size)
        if size <= 0:
            raise ValueError(f"batch_size must be positive. Received: batch_size={batch_size}")
        card = self._cardinality
        if card >= 0:
            card = card // size if drop_remainder else -(-card // size)

        def stack(batch):
            return _zip_structures(lambda parts: Tensor(xp.stack([t.data for t in parts])), batch)

        def make():
            batch = []
            for element in self:
                batch.append(element)
                if len(batch) == size:
                    yield stack(batch)
                    batch = []
            if batch and not drop_remainder:
                yield stack(batch)

        return Dataset(make, card)

    def unbatch(self, name=None):
        """Split each element along its first axis into separate elements."""

        def make():
            for element in self:
                leaves = _leaves(element)
                n = leaves[0].shape[0] if leaves else 0
                for i in builtins.range(n):
                    yield _map_structure(lambda t: Tensor(xp.asarray(t.data[i])), element)

        card = INFINITE_CARDINALITY if self._cardinality == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY
        return Dataset(make, card)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Shuffle with a buffer, as TF does.

        Before each element the buffer is filled up to buffer_size input
        elements; a uniformly chosen one is emitted and the next request
        refills its place. buffer_size=1 keeps the order; a buffer at least
        as large as the dataset gives a uniform permutation. With a seed the
        orders are reproducible; reshuffle_each_iteration (default True)
        gives each pass a different order.
        """
        size = _check_count("buffer_size", buffer_size)
        if size <= 0 and size != AUTOTUNE:
            raise ValueError(f"buffer_size must be positive. Received: buffer_size={buffer_size}")
        if size == AUTOTUNE:
            size = 1 << 62
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        base_seed = int(seed) if seed is not None else int(_global_rng().integers(0, 2**63 - 1))
        passes = [0]

        def make():
            epoch = passes[0] if reshuffle else 0
            passes[0] += 1
            gen = xp.random.default_rng([base_seed, epoch])
            source = iter(self)
            buffer = []
            exhausted = False
            while True:
                while not exhausted and len(buffer) < size:  # refill only when the next element is asked for
                    try:
                        buffer.append(next(source))
                    except StopIteration:
                        exhausted = True
                if not buffer:
                    return
                i = int(gen.integers(len(buffer)))
                chosen = buffer[i]
                buffer[i] = buffer[-1]
                buffer.pop()
                yield chosen

        return Dataset(make, self._cardinality)

    def repeat(self, count=None, name=None):
        """Repeat the dataset count times (forever when count is None or -1)."""
        count = -1 if count is None else _check_count("count", count)
        card = self._cardinality
        if count == -1:
            card = 0 if card == 0 else INFINITE_CARDINALITY
        elif card >= 0:
            card = card * max(count, 0)
        elif count == 0:
            card = 0

        def make():
            n = 0
            while count == -1 or n < count:
                empty = True
                for element in self:
                    empty = False
                    yield element
                n += 1
                if empty:
                    return

        return Dataset(make, card)

    def take(self, count, name=None):
        """The first count elements (all when count is -1)."""
        count = _check_count("count", count)
        card = self._cardinality
        if count != -1:
            if card == INFINITE_CARDINALITY:
                card = count
            elif card >= 0:
                card = min(card, count)

        def make():
            if count == -1:
                yield from self
                return
            if count <= 0:
                return
            for n, element in enumerate(self, 1):
                yield element
                if n >= count:
                    return

        return Dataset(make, card)

    def skip(self, count, name=None):
        """All but the first count elements (none when count is -1)."""
        count = _check_count("count", count)
        card = self._cardinality
        if count == -1:
            card = 0 if card >= 0 or card == INFINITE_CARDINALITY else card
        elif card >= 0:
            card = max(card - count, 0)

        def make():
            if count == -1:
                for _ in self:
                    pass
                return
            for n, element in enumerate(self):
                if n >= count:
                    yield element

        return Dataset(make, card)

    def cache(self, filename="", name=None):
        """Keep the elements after the first complete pass and replay them afterwards.

        The cache is in memory; a filename is accepted and the cache is kept in
        memory all the same. A pass stopped early leaves nothing cached.
        """
        store = {}

        def make():
            if "elements" in store:
                yield from store["elements"]
                return
            seen = []
            for element in self:
                seen.append(element)
                yield element
            store["elements"] = seen

        return Dataset(make, self._cardinality)

    def prefetch(self, buffer_size, name=None):
        """Accepted for compatibility; elements are produced on demand."""
        return self

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by those of `dataset`."""
        a, b = self._cardinality, dataset._cardinality
        if INFINITE_CARDINALITY in (a, b):
            card = INFINITE_CARDINALITY
        elif UNKNOWN_CARDINALITY in (a, b):
            card = UNKNOWN_CARDINALITY
        else:
            card = a + b

        def make():
            yield from self
            yield from dataset

        return Dataset(make, card)

    def enumerate(self, start=0, name=None):
        """Elements as (index, element) pairs, index an int64 Tensor counting from start."""
        start = _check_count("start", start)

        def make():
            for i, element in enumerate(self, start):
                yield (Tensor(xp.asarray(i, dtype=xp.int64)), element)

        return Dataset(make, self._cardinality)

    def flat_map(self, map_func, name=None):
        """Map each element to a Dataset and chain those datasets' elements in order."""

        def make():
            for element in self:
                inner = _call(map_func, element)
                if not isinstance(inner, Dataset):
                    raise TypeError(
                        f"Dataset.flat_map: map_func must return a Dataset. Received: {type(inner).__name__}"
                    )
                yield from inner

        return Dataset(make, UNKNOWN_CARDINALITY)

    def shard(self, num_shards, index, name=None):
        """Every num_shards-th element, starting at index (elements i with i % num_shards == index)."""
        num_shards, index = _check_count("num_shards", num_shards), _check_count("index", index)
        if num_shards <= 0 or not 0 <= index < num_shards:
            raise ValueError(
                f"shard needs num_shards > 0 and 0 <= index < num_shards. Received: num_shards={num_shards}, index={index}"
            )
        card = self._cardinality
        if card >= 0:
            card = card // num_shards + (1 if index < card % num_shards else 0)

        def make():
            for i, element in enumerate(self):
                if i % num_shards == index:
                    yield element

        return Dataset(make, card)

    def apply(self, transformation_func):
        """transformation_func(self), which must return a Dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(
                f"Dataset.apply: the transformation must return a Dataset. Received: {type(result).__name__}"
            )
        return result

    def reduce(self, initial_state, reduce_func, name=None):
        """Fold the elements: state = reduce_func(state, element), from initial_state."""
        state = _to_elements(initial_state)
        for element in self:
            state = _to_elements(reduce_func(state, element))
        return state


# ---------------------------------------------------------------- namespace


def _cardinality(dataset):
    return dataset.cardinality()


class _Experimental:
    """tf.data.experimental: the names tutorials use."""

    AUTOTUNE = AUTOTUNE
    INFINITE_CARDINALITY = INFINITE_CARDINALITY
    UNKNOWN_CARDINALITY = UNKNOWN_CARDINALITY
    cardinality = staticmethod(_cardinality)

    def __getattr__(self, name):
        raise AttributeError(f"deepgrad does not implement tf.data.experimental.{name}")


experimental = _Experimental()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"deepgrad does not implement tf.data.{name}")
