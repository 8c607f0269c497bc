"""tf.data.Dataset: a function that makes a fresh iterator over the elements, and every transformation of it."""
import builtins
import glob
import os
import warnings

from ..backend import rng as _global_rng
from ..backend import xp
from ..dtypes import int64 as _int64
from ..errors import OutOfRangeError
from ..tensor import Tensor
from ..tensor_shape import TensorShape, TensorSpec
from .file_cache import _FileCache
from .options import Options
from .structures import (
    _END, _Column, _as_tensor, _call, _check_count, _generator_spec, _input_elements, _leaves, _map_structure,
    _map_up_to, _numpy_dtype, _pad_stack, _padded_shape, _spec_dtype, _spec_of_array, _stack_batch, _strings,
    _to_elements, _zip_structures,
)

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2

# element_spec reads the first element of some pipelines; shuffles then keep their pass count.
_peeking = [0]


def _describe(element):
    """The element_spec of one element: a TensorSpec per Tensor, a DatasetSpec per Dataset."""

    def leaf(value):
        if isinstance(value, Dataset):
            return DatasetSpec(value.element_spec)
        return _spec_of_array(value.shape, value.dtype)

    return _map_structure(leaf, element)


def _window_of(elements):
    """One window: a Dataset over `elements`, or a structure of Datasets per component."""
    if isinstance(elements[0], Tensor):
        return _from_list(elements)
    return _zip_structures(_from_list, elements)


def _from_list(elements):
    """A Dataset over a list of elements already made."""
    elements = list(elements)
    return Dataset(lambda: iter(elements), len(elements), lambda: _describe(elements[0]))


class Dataset:
    """A re-iterable sequence of elements; every method returns a new Dataset.

    Iterating (``for element in ds``) starts a fresh pass each time; with
    ``shuffle(..., reshuffle_each_iteration=True)`` (the default) each pass
    has a new order.
    """

    def __init__(self, make_iterator, cardinality, spec=None, options=None):
        """make_iterator() starts a pass; spec() gives the element_spec (None: read the first element)."""
        self._make_iterator = make_iterator
        self._cardinality = int(cardinality)
        self._spec_fn = spec
        self._spec = None
        self._options = options

    def _derive(self, make_iterator, cardinality, spec=None):
        """A dataset made from this one: it keeps this one's options."""
        return Dataset(make_iterator, cardinality, spec, self._options)

    def _same_spec(self):
        return lambda: self.element_spec

    # ------------------------------------------------------------ sources

    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row of the first axis of every component.

        Args:
            tensors: an array/Tensor, or a tuple/list/dict (nested) of them,
                all with the same first dimension.
        """
        structure = _input_elements(tensors)
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

        return Dataset(make, n, lambda: _map_structure(lambda t: _spec_of_array(t.shape[1:], t.dtype), structure))

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element: the whole structure."""
        structure = _input_elements(tensors)
        return Dataset(lambda: iter([structure]), 1, lambda: _describe(structure))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None, name=None):
        """Elements from a Python generator, pulled one at a time.

        Args:
            generator: a callable returning an iterator; it is called again
                (with `args`) on every pass.
            output_types / output_signature: dtypes (or TensorSpecs with a
                `.dtype`) the yielded values are cast to; a structure like the
                elements, or a single one.
            output_shapes: with output_types, the shapes for element_spec.

        element_spec comes from output_signature, or output_types and
        output_shapes (unknown shapes when only types are given); without
        either it describes the first element.
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

        return Dataset(make, UNKNOWN_CARDINALITY, _generator_spec(output_types, output_shapes, output_signature))

    @staticmethod
    def range(*args, output_type=xp.int64, name=None):
        """Integers like Python's range(start, stop, step), as scalar Tensors."""
        r = builtins.range(*(_check_count("range", a) for a in args))
        dtype = _numpy_dtype(output_type)

        def make():
            for i in r:
                yield Tensor(xp.asarray(i, dtype=dtype))

        return Dataset(make, len(r), lambda: TensorSpec((), dtype))

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

        options = flat[0]._options if flat else None
        return Dataset(make, card, lambda: _map_structure(lambda d: d.element_spec, structure), options)

    # ------------------------------------------------------------ iteration

    def __iter__(self):
        return Iterator(self)

    def as_numpy_iterator(self):
        """Iterate elements as NumPy values (same structure), as TF: arrays, NumPy scalars for scalars
        (np.int64(3)), and Python bytes for a scalar tf.string."""

        def to_numpy(t):
            if not isinstance(t, Tensor):
                return t
            if t.data.ndim == 0:
                if t.data.dtype.kind in "SUO":
                    value = t.data.item()
                    return value.encode() if isinstance(value, str) else value
                return t.data[()]
            return t.numpy()

        for element in self:
            yield _map_structure(to_numpy, element)

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
        """Apply map_func to each element (tuple components as separate arguments).

        An error in map_func for one element leaves the pass able to go on to
        the next element, so ignore_errors() after map skips just that one.
        """
        return self._derive(lambda: _MapIterator(iter(self), map_func), self._cardinality)

    def filter(self, predicate, name=None):
        """Keep the elements for which predicate(...) is true."""

        def make():
            for element in self:
                keep = _call(predicate, element)
                if isinstance(keep, Tensor):
                    keep = keep.data
                if bool(keep):
                    yield element

        return self._derive(make, UNKNOWN_CARDINALITY, self._same_spec())

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Stack consecutive elements into batches along a new first axis."""
        size = _check_count("batch_size", batch_size)
        if size <= 0:
            raise ValueError(f"batch_size must be positive. Received: batch_size={batch_size}")
        card = self._cardinality
        if card >= 0:
            card = card // size if drop_remainder else -(-card // size)

        def make():
            batch = []
            for element in self:
                batch.append(element)
                if len(batch) == size:
                    yield _stack_batch(batch)
                    batch = []
            if batch and not drop_remainder:
                yield _stack_batch(batch)

        return self._derive(make, card, self._batched_spec(size if drop_remainder else None))

    def unbatch(self, name=None):
        """Split each element along its first axis into separate elements."""

        def make():
            for element in self:
                leaves = _leaves(element)
                n = leaves[0].shape[0] if leaves else 0
                for i in builtins.range(n):
                    yield _map_structure(lambda t: Tensor(xp.asarray(t.data[i])), element)

        card = INFINITE_CARDINALITY if self._cardinality == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY
        return self._derive(
            make, card, lambda: _map_structure(lambda sp: TensorSpec(sp.shape[1:], sp.dtype), self.element_spec)
        )

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
            if not _peeking[0]:  # reading element_spec does not use up a pass's order
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

        return self._derive(make, self._cardinality, self._same_spec())

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

        return self._derive(make, card, self._same_spec())

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

        return self._derive(make, card, self._same_spec())

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

        return self._derive(make, card, self._same_spec())

    def cache(self, filename="", name=None):
        """Keep the elements after the first complete pass and replay them afterwards.

        Without a filename the cache is in memory. With one, the first complete
        pass writes the elements to the folder `filename + ".npzcache"` (NumPy
        .npz chunks, no pickle) and every later pass, in this process or a
        later one, reads them from there, as TF reads its cache files. A pass
        stopped early leaves nothing cached: chunks are written to a temporary
        folder that only becomes the cache when the pass ends.
        """
        if isinstance(filename, Tensor):
            filename = filename.data.item()
        if isinstance(filename, bytes):
            filename = filename.decode()
        filename = os.fspath(filename)
        if filename:
            return self._derive(_FileCache(self, filename + ".npzcache").make, self._cardinality, self._same_spec())
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

        return self._derive(make, self._cardinality, self._same_spec())

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

        def spec():
            return _zip_structures(
                lambda pair: TensorSpec(pair[0].shape.most_specific_compatible_shape(pair[1].shape), pair[0].dtype),
                [self.element_spec, dataset.element_spec],
            )

        return self._derive(make, card, spec)

    def enumerate(self, start=0, name=None):
        """Elements as (index, element) pairs, index an int64 Tensor counting from start."""
        start = _check_count("start", start)

        def make():
            for i, element in enumerate(self, start):
                yield (Tensor(xp.asarray(i, dtype=xp.int64)), element)

        return self._derive(make, self._cardinality, lambda: (TensorSpec((), _int64), self.element_spec))

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

        return self._derive(make, UNKNOWN_CARDINALITY)

    def shard(self, num_shards, index, name=None):
        """Every num_shards-th element, starting at index (elements i with i % num_shards == index)."""
        num_shards, index = _check_count("num_shards", num_shards), _check_count("index", index)
        if num_shards <= 0 or not 0 <= index < num_shards:
            raise ValueError(
                "shard needs num_shards > 0 and 0 <= index < num_shards. "
                f"Received: num_shards={num_shards}, index={index}"
            )
        card = self._cardinality
        if card >= 0:
            card = card // num_shards + (1 if index < card % num_shards else 0)

        def make():
            for i, element in enumerate(self):
                if i % num_shards == index:
                    yield element

        return self._derive(make, card, self._same_spec())

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

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None):
        """Batch elements whose shapes differ, padding each component to a common shape.

        Args:
            batch_size: elements per batch.
            padded_shapes: per component (same structure as the elements) the
                shape to pad to; None dimensions (or padded_shapes=None) pad to
                the largest size in the batch. An int is a rank-1 shape.
            padding_values: per component (or one for all) the scalar to pad
                with; 0 by default, b"" for strings.
            drop_remainder: drop a last, smaller batch.

        Output shape per component: (batch, *padded dims). An element larger
        than its padded shape raises ValueError, as TF does.
        """
        size = _check_count("batch_size", batch_size)
        if size <= 0:
            raise ValueError(f"padded_batch: batch_size must be positive. Received: batch_size={batch_size}")
        card = self._cardinality
        if card >= 0:
            card = card // size if drop_remainder else -(-card // size)

        def stack(batch):
            columns = _zip_structures(_Column, batch)  # the batch's tensors, per component
            columns = _map_up_to(lambda column, shape: _Column(column.tensors, shape), columns, padded_shapes)
            return _map_up_to(lambda column, value: _pad_stack(column.tensors, column.shape, value), columns,
                              padding_values)

        def make():
            batch = []
            for element in self:
                batch.append(element)
                if len(batch) == size:
                    yield stack(batch)
                    batch = []
            if batch and not drop_remainder:
                yield stack(batch)

        def spec():
            lead = (size if drop_remainder else None,)

            def one(leaf, shape):
                dims = leaf.shape if shape is None else TensorShape(_padded_shape(shape, leaf.shape.rank))
                return TensorSpec(TensorShape(lead).concatenate(dims), leaf.dtype)

            return _map_up_to(one, self.element_spec, padded_shapes)

        return self._derive(make, card, spec)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """A dataset of windows; each window is a dataset (a structure of datasets for structured elements).

        Window k holds the input elements at positions k*shift + j*stride for
        j < size (shift defaults to size). Windows at the end are shorter
        unless drop_remainder, which drops every window with fewer than size
        elements. Only the elements the current window needs are kept.
        `ds.window(n, 1).flat_map(lambda w: w.batch(n))` gives sliding
        windows as tensors.
        """
        size = _check_count("size", size)
        shift = size if shift is None else _check_count("shift", shift)
        stride = _check_count("stride", stride)
        if size <= 0 or shift <= 0 or stride <= 0:
            raise ValueError(
                "window: size, shift and stride must be positive. "
                f"Received: size={size}, shift={shift}, stride={stride}"
            )
        span = (size - 1) * stride  # positions from a window's first element to its last
        card = self._cardinality
        if card >= 0:
            card = (card - 1 - span) // shift + 1 if drop_remainder and card > span else (
                0 if drop_remainder else -(-card // shift)
            )

        def make():
            source = iter(self)
            buffer, first = [], 0  # buffer[i] is the input element at position first + i
            start = 0
            exhausted = False
            while True:
                while not exhausted and first + len(buffer) <= start + span:
                    try:
                        element = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    if first + len(buffer) < start:  # between windows when shift > size * stride
                        first += 1
                    else:
                        buffer.append(element)
                end = first + len(buffer)
                if start >= end:
                    return
                picks = [buffer[p - first] for p in builtins.range(start, min(start + span, end - 1) + 1, stride)]
                if len(picks) < size and drop_remainder:
                    return
                yield _window_of(picks)
                start += shift
                drop = min(start - first, len(buffer))
                del buffer[:drop]
                first += drop

        return self._derive(make, card, lambda: _map_structure(DatasetSpec, self.element_spec))

    def interleave(self, map_func, cycle_length=None, block_length=1, num_parallel_calls=None, deterministic=None,
                   name=None):
        """Map each element to a dataset and interleave those datasets' elements, as TF orders them.

        cycle_length datasets are open at once (None or AUTOTUNE: the number
        of CPU cores, as TF). block_length consecutive elements are taken from
        each in turn. When one is exhausted the cycle moves on; its slot takes
        the next input element's dataset the next time the cycle comes back
        to it. num_parallel_calls and deterministic are accepted; the order is
        always TF's deterministic one.
        """
        if cycle_length is None or cycle_length == AUTOTUNE:
            cycle = os.cpu_count() or 1
        else:
            cycle = _check_count("cycle_length", cycle_length)
        block = _check_count("block_length", block_length)
        if cycle <= 0 or block <= 0:
            raise ValueError(
                f"interleave: cycle_length and block_length must be positive. Received: {cycle_length}, {block_length}"
            )

        def open_dataset(element):
            inner = _call(map_func, element)
            if not isinstance(inner, Dataset):
                raise TypeError(f"Dataset.interleave: map_func must return a Dataset. Received: {type(inner).__name__}")
            return iter(inner)

        def make():
            source = iter(self)
            slots = [None] * cycle
            index, taken, open_count, end_of_input = 0, 0, 0, False
            while not end_of_input or open_count > 0:
                if slots[index] is not None:
                    try:
                        element = next(slots[index])
                    except StopIteration:
                        slots[index] = None
                        open_count -= 1
                        index, taken = (index + 1) % cycle, 0
                        continue
                    taken += 1
                    if taken == block:
                        index, taken = (index + 1) % cycle, 0
                    yield element
                elif not end_of_input:
                    element = next(source, _END)
                    if element is _END:
                        end_of_input = True
                    else:
                        slots[index] = open_dataset(element)
                        open_count += 1
                else:
                    index, taken = (index + 1) % cycle, 0

        return self._derive(make, UNKNOWN_CARDINALITY)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """Re-slice batches to batch_size: the same as unbatch().batch(batch_size), as TF.

        batch_size may be a list of sizes, used in turn (round robin) over the
        unbatched elements. drop_remainder drops a last batch smaller than its
        size. Cardinality is unknown, as in TF.
        """
        sizes = batch_size.data.tolist() if isinstance(batch_size, Tensor) else batch_size
        sizes = [_check_count("batch_size", b) for b in (sizes if isinstance(sizes, (list, tuple)) else [sizes])]
        if not sizes or min(sizes) <= 0:
            raise ValueError(f"rebatch: batch sizes must be positive. Received: batch_size={batch_size}")
        flat = self.unbatch()

        def make():
            turn, batch = 0, []
            for element in flat:
                batch.append(element)
                if len(batch) == sizes[turn]:
                    yield _stack_batch(batch)
                    turn, batch = (turn + 1) % len(sizes), []
            if batch and not drop_remainder:
                yield _stack_batch(batch)

        fixed = sizes[0] if drop_remainder and not isinstance(batch_size, (list, tuple)) and len(sizes) == 1 else None
        return self._derive(make, UNKNOWN_CARDINALITY, flat._batched_spec(fixed))

    def ignore_errors(self, log_warning=False, name=None):
        """Skip the elements whose making raised an error (in map_func, say); the rest keep their order.

        An error from a transformation that cannot resume (one buffering
        elements, such as batch or shuffle) ends the pass instead.
        """

        def make():
            source = iter(self)
            while True:
                try:
                    element = next(source)
                except StopIteration:
                    return
                except Exception as error:  # noqa: BLE001 (TF skips any error)
                    if log_warning:
                        warnings.warn(f"Dataset.ignore_errors: ignoring {type(error).__name__}: {error}", stacklevel=2)
                    continue
                yield element

        return self._derive(make, UNKNOWN_CARDINALITY, self._same_spec())

    def take_while(self, predicate, name=None):
        """Elements while predicate(...) is true; stops at the first false."""

        def make():
            for element in self:
                keep = _call(predicate, element)
                if not bool(keep.data if isinstance(keep, Tensor) else keep):
                    return
                yield element

        return self._derive(make, UNKNOWN_CARDINALITY, self._same_spec())

    def scan(self, initial_state, scan_func, name=None):
        """Running state: (state, output) = scan_func(state, element); yields each output."""

        def make():
            state = _to_elements(initial_state)
            for element in self:
                result = scan_func(state, element)
                if not isinstance(result, tuple) or len(result) != 2:
                    raise TypeError(
                        f"Dataset.scan: scan_func must return (new_state, output). Received: {type(result).__name__}"
                    )
                state = _to_elements(result[0])
                yield _to_elements(result[1])

        return self._derive(make, self._cardinality)

    def unique(self, name=None):
        """Each distinct element once, in order of first appearance (single-component elements)."""

        def make():
            seen = set()
            for element in self:
                if not isinstance(element, Tensor):
                    raise TypeError(f"Dataset.unique needs single-tensor elements. Received: {type(element).__name__}")
                key = (element.data.dtype.str, element.shape, element.data.tobytes())
                if key not in seen:
                    seen.add(key)
                    yield element

        return self._derive(make, UNKNOWN_CARDINALITY, self._same_spec())

    def with_options(self, options, name=None):
        """This dataset with `options` merged over its own (options set here win)."""
        if not isinstance(options, Options):
            raise TypeError(f"with_options expects a tf.data.Options. Received: {type(options).__name__}")
        merged = options if self._options is None else self._options.merge(options)
        return Dataset(self._make_iterator, self._cardinality, self._same_spec(), merged)

    def options(self):
        """The tf.data.Options set on this dataset and those it is made from."""
        return Options() if self._options is None else self._options.merge(Options())

    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None, name=None):
        """Group elements by key_func(...) (an int64 key); each full group becomes a dataset for reduce_func.

        Elements go to their key's group in order; when a group holds
        window_size elements (or window_size_func(key)) the elements of
        reduce_func(key, dataset_of_the_group) are yielded and the group
        starts again. At the end, the groups left over are reduced in key
        order, as TF does.
        """
        if (window_size is None) == (window_size_func is None):
            raise ValueError(
                "group_by_window needs exactly one of window_size and window_size_func. "
                f"Received: window_size={window_size}, window_size_func={window_size_func}"
            )

        def size_of(key):
            if window_size is not None:
                return _check_count("window_size", window_size)
            return _check_count("window_size", window_size_func(Tensor(xp.asarray(key, dtype=xp.int64))))

        def reduced(key, group):
            out = reduce_func(Tensor(xp.asarray(key, dtype=xp.int64)), _from_list(group))
            if not isinstance(out, Dataset):
                raise TypeError(f"group_by_window: reduce_func must return a Dataset. Received: {type(out).__name__}")
            return out

        def make():
            groups = {}
            for element in self:
                key = _check_count("key", _call(key_func, element))
                group = groups.setdefault(key, [])
                group.append(element)
                if len(group) >= size_of(key):
                    del groups[key]
                    yield from reduced(key, group)
            for key in sorted(groups):
                yield from reduced(key, groups[key])

        return self._derive(make, UNKNOWN_CARDINALITY)

    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes=None,
                                  padding_values=None, pad_to_bucket_boundary=False, no_padding=False,
                                  drop_remainder=False, name=None):
        """Batch elements of similar length together: group_by_window with one group per bucket.

        Bucket i holds lengths in [boundaries[i-1], boundaries[i]) (the first
        from 0, the last to infinity) and is padded-batched
        bucket_batch_sizes[i] at a time (len(boundaries) + 1 sizes). With
        pad_to_bucket_boundary the variable dimension is padded to
        boundary - 1 (the None dimensions of padded_shapes, or of the input's
        element_spec), and lengths >= max(boundaries) raise ValueError;
        no_padding batches without padding.
        """
        boundaries = [_check_count("bucket_boundaries", b) for b in bucket_boundaries]
        sizes = [_check_count("bucket_batch_sizes", b) for b in bucket_batch_sizes]
        if len(sizes) != len(boundaries) + 1:
            raise ValueError(
                "bucket_by_sequence_length: len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1. "
                f"Received: {len(sizes)} sizes for {len(boundaries)} boundaries"
            )
        if boundaries != sorted(boundaries):
            raise ValueError(f"bucket_by_sequence_length: bucket_boundaries must be sorted. Received: {boundaries}")

        def bucket(*element):
            length = _check_count("length", element_length_func(*element))
            if pad_to_bucket_boundary and length >= boundaries[-1]:
                raise ValueError(
                    "When pad_to_bucket_boundary=True, elements must have length < max(bucket_boundaries). "
                    f"Received: length={length}, bucket_boundaries={boundaries}"
                )
            return sum(1 for b in boundaries if b <= length)

        def batch_bucket(key, window):
            size = sizes[int(key.data)]
            if no_padding:
                return window.batch(size, drop_remainder=drop_remainder)
            shapes = padded_shapes
            if pad_to_bucket_boundary:
                limit = boundaries[int(key.data)] - 1

                def to_boundary(spec, shape):
                    dims = spec.shape if shape is None else _padded_shape(shape, spec.shape.rank)
                    return tuple(limit if d is None else d for d in dims)

                shapes = _map_up_to(to_boundary, self.element_spec, padded_shapes)
            return window.padded_batch(size, shapes, padding_values, drop_remainder)

        return self.group_by_window(bucket, batch_bucket, window_size_func=lambda key: sizes[int(key.data)])

    def get_single_element(self, name=None):
        """The dataset's only element (ValueError unless it has exactly one)."""
        iterator = iter(self)
        try:
            element = next(iterator)
        except StopIteration:
            raise ValueError("get_single_element: the dataset is empty.") from None
        for _ in iterator:
            raise ValueError("get_single_element: the dataset has more than one element.")
        return element

    @staticmethod
    def counter(start=0, step=1, dtype=xp.int64, name=None):
        """start, start + step, ... forever (int64 scalars)."""
        start, step = _check_count("start", start), _check_count("step", step)
        dtype = _numpy_dtype(dtype)

        def make():
            value = start
            while True:
                yield Tensor(xp.asarray(value, dtype=dtype))
                value += step

        return Dataset(make, INFINITE_CARDINALITY, lambda: TensorSpec((), dtype))

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Elements taken from datasets[i] for each i that choice_dataset yields (int64 scalars).

        When the chosen dataset is empty, stop (stop_on_empty_dataset, the
        default) or skip that choice.
        """
        datasets = list(datasets)

        def make():
            iterators = [iter(d) for d in datasets]
            for choice in choice_dataset:
                index = _check_count("choice", choice)
                if not 0 <= index < len(iterators):
                    raise ValueError(
                        f"choose_from_datasets: choice {index} is out of range for {len(iterators)} datasets"
                    )
                try:
                    yield next(iterators[index])
                except StopIteration:
                    if stop_on_empty_dataset:
                        return

        return datasets[0]._derive(make, UNKNOWN_CARDINALITY, datasets[0]._same_spec())

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                             rerandomize_each_iteration=None):
        """Elements drawn at random from the datasets, dataset i with probability weights[i] (uniform by default).

        An exhausted dataset ends the pass (stop_on_empty_dataset) or leaves
        the draw to the others, renormalised. Seeded like shuffle: the same
        sequence of draws on every pass unless rerandomize_each_iteration.
        The draws come from deepgrad's RNG, so they differ from TF's.
        """
        datasets = list(datasets)
        if weights is None:
            weights = [1.0] * len(datasets)
        weights = xp.asarray(weights.data if isinstance(weights, Tensor) else weights, dtype=xp.float64)
        if weights.shape != (len(datasets),) or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(
                f"sample_from_datasets: weights must be {len(datasets)} non-negative numbers. "
                f"Received: {weights.tolist()}"
            )
        base_seed = int(seed) if seed is not None else int(_global_rng().integers(0, 2**63 - 1))
        passes = [0]

        def make():
            epoch = passes[0] if rerandomize_each_iteration else 0
            if not _peeking[0]:
                passes[0] += 1
            gen = xp.random.default_rng([base_seed, epoch])
            iterators = [iter(d) for d in datasets]
            live = weights.copy()
            while live.sum() > 0:
                index = int(gen.choice(len(live), p=live / live.sum()))
                try:
                    yield next(iterators[index])
                except StopIteration:
                    if stop_on_empty_dataset:
                        return
                    live[index] = 0.0

        return datasets[0]._derive(make, UNKNOWN_CARDINALITY, datasets[0]._same_spec())

    # ------------------------------------------------------------ element_spec

    @property
    def element_spec(self):
        """The type of each element: a structure of tf.TensorSpec (DatasetSpec for window's datasets).

        Shapes follow TF: after batch() without drop_remainder the batch
        dimension is None. Sources and shape-preserving transformations know
        their spec; after map, flat_map, interleave and scan (whose functions
        TF traces) it describes the first element.
        """
        if self._spec is None:
            self._spec = self._spec_fn() if self._spec_fn is not None else self._first_spec()
        return self._spec

    def _first_spec(self):
        _peeking[0] += 1
        try:
            iterator = iter(self)
            try:
                element = next(iterator)
            except StopIteration:
                raise ValueError("element_spec: the dataset is empty and its function's output is unknown.") from None
            finally:
                iterator.close()
        finally:
            _peeking[0] -= 1
        return _describe(element)

    def _batched_spec(self, size):
        """spec() for batches of this dataset's elements: a leading dimension `size` (None: unknown)."""
        return lambda: _map_structure(
            lambda sp: TensorSpec(TensorShape([size]).concatenate(sp.shape), sp.dtype), self.element_spec
        )

    # ------------------------------------------------------------ files

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The files matching a glob pattern (or a list of them) as tf.string (bytes) elements.

        Sorted by name when shuffle=False; shuffled (seeded by `seed`) when
        shuffle is True or None, TF's default. No match raises ValueError.
        """
        patterns = _strings(file_pattern)
        files = sorted(path for pattern in patterns for path in glob.glob(pattern))
        if not files:
            raise ValueError(f"list_files: No files matched pattern: {', '.join(patterns)}")
        ds = Dataset.from_tensor_slices(xp.asarray([os.fsencode(f) for f in files]))
        if shuffle is None or shuffle:
            ds = ds.shuffle(len(files), seed=seed)
        return ds


class _MapIterator:
    """map's pass: an iterator object, not a generator, so an error for one element does not end it."""

    def __init__(self, source, map_func):
        self._source = source
        self._map_func = map_func

    def __iter__(self):
        return self

    def __next__(self):
        return _to_elements(_call(self._map_func, next(self._source)))

    def close(self):
        getattr(self._source, "close", lambda: None)()


class Iterator:
    """One pass over a Dataset (what iter(dataset) returns): next(it) or it.get_next().

    At the end, next() raises StopIteration and get_next() tf.errors.OutOfRangeError
    ("End of sequence"), as in TensorFlow. close() ends the pass early.

    A tf.train.Checkpoint saves its position (how many elements it has given); restoring it
    starts a fresh pass and moves past that many elements. That reproduces TensorFlow's saved
    iterator whenever the pipeline gives the same elements on every pass from the start
    (no shuffle, or a seeded one without reshuffling); TensorFlow saves shuffle buffers too.
    """

    def __init__(self, dataset):
        self._dataset = dataset
        self._elements = iter(dataset._make_iterator())
        self.position = 0

    def __iter__(self):
        return self

    def __next__(self):
        element = next(self._elements)
        self.position += 1
        return element

    def get_next(self):
        """The next element; tf.errors.OutOfRangeError at the end of the pass."""
        try:
            return next(self)
        except StopIteration:
            raise OutOfRangeError(None, None, "End of sequence") from None

    def close(self):
        """Stop this pass now (a cache(filename) pass stopped here writes nothing)."""
        getattr(self._elements, "close", lambda: None)()

    def restore_position(self, position):
        """Start the pass again and move past its first `position` elements."""
        self.close()
        self._elements = iter(self._dataset._make_iterator())
        self.position = 0
        for _ in range(int(position)):
            next(self)

    @property
    def element_spec(self):
        return self._dataset.element_spec


class DatasetSpec:
    """The type of a dataset-valued element (window's windows): the spec of its elements."""

    def __init__(self, element_spec, dataset_shape=()):
        self.element_spec = element_spec
        self.shape = TensorShape(dataset_shape)

    def __eq__(self, other):
        if not isinstance(other, DatasetSpec):
            return NotImplemented
        return (self.element_spec, self.shape) == (other.element_spec, other.shape)

    def __hash__(self):
        return hash(self.shape)

    def __repr__(self):
        return f"DatasetSpec({self.element_spec!r}, {self.shape!r})"
