"""tf.data pipelines: padded_batch, window, interleave, rebatch, files, cache(filename), element_spec,
options, streaming, and fit on a dataset.

The expected element orders, padded values, cardinalities and element_spec shapes were recorded
with TensorFlow 2.21.0 (in a scratch environment) running the same pipelines; TensorFlow is not
needed to run these tests.
"""

import os

import numpy as np
import pytest

import deepgrad as tf
from deepgrad import data
from deepgrad.tensor import Tensor
from deepgrad.tensor_shape import TensorSpec

Dataset = data.Dataset


def values(ds):
    """Elements as nested Python lists / numbers (tuples and dicts kept)."""
    return [_plain(e) for e in ds.as_numpy_iterator()]


def _plain(e):
    if isinstance(e, tuple):
        return tuple(_plain(v) for v in e)
    if isinstance(e, dict):
        return {k: _plain(v) for k, v in e.items()}
    return e.tolist() if hasattr(e, "tolist") else e


def card(ds):
    return int(ds.cardinality().numpy())


def filled(x):
    """x copies of x, as TF's tf.fill([x], x) (int64)."""
    n = int(x.numpy())
    return Tensor(np.full(n, n, dtype=np.int64))


# ---------------------------------------------------------------- padded_batch


def test_padded_batch_pads_none_dims_to_the_batch_max():
    ds = Dataset.range(1, 6).map(filled).padded_batch(2)
    # recorded with TensorFlow 2.21.0
    assert values(ds) == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]], [[5, 5, 5, 5, 5]]]
    assert card(ds) == 3


def test_padded_batch_fixed_shape_value_and_drop_remainder():
    ds = Dataset.range(1, 6).map(filled).padded_batch(2, padded_shapes=5, padding_values=-1, drop_remainder=True)
    # recorded with TensorFlow 2.21.0
    assert values(ds) == [[[1, -1, -1, -1, -1], [2, 2, -1, -1, -1]], [[3, 3, 3, -1, -1], [4, 4, 4, 4, -1]]]
    assert card(ds) == 2
    assert ds.element_spec == TensorSpec((2, 5), tf.int64)


def test_padded_batch_nested_structure_with_per_component_shapes_and_values():
    def element(x):
        n = int(x.numpy())
        return (np.full(n, n, np.int64), np.full((n, 2), n, np.float32), {"s": np.full(4 - n, 7, np.int64)})

    ds = Dataset.range(1, 5).map(element).padded_batch(
        2, padded_shapes=([None], [4, None], {"s": [3]}), padding_values=(-1, 0.5, {"s": 9})
    )
    # recorded with TensorFlow 2.21.0
    assert values(ds) == [
        ([[1, -1], [2, 2]],
         [[[1.0, 1.0], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], [[2.0, 2.0], [2.0, 2.0], [0.5, 0.5], [0.5, 0.5]]],
         {"s": [[7, 7, 7], [7, 7, 9]]}),
        ([[3, 3, 3, -1], [4, 4, 4, 4]],
         [[[3.0, 3.0], [3.0, 3.0], [3.0, 3.0], [0.5, 0.5]], [[4.0, 4.0], [4.0, 4.0], [4.0, 4.0], [4.0, 4.0]]],
         {"s": [[7, 9, 9], [9, 9, 9]]}),
    ]
    xb, fb, db = next(iter(ds))
    assert xb.dtype == np.int64 and fb.dtype == np.float32 and db["s"].dtype == np.int64
    spec = ds.element_spec
    assert (spec[0].shape, spec[1].shape, spec[2]["s"].shape) == ((None, None), (None, 4, None), (None, 3))


def test_padded_batch_of_fixed_shapes_and_scalars_is_batch():
    # recorded with TensorFlow 2.21.0
    assert values(Dataset.from_tensor_slices(np.arange(6).reshape(3, 2)).padded_batch(2)) == [[[0, 1], [2, 3]], [[4, 5]]]
    assert values(Dataset.range(3).padded_batch(2)) == [[0, 1], [2]]
    assert Dataset.from_tensor_slices(np.zeros((3, 2))).padded_batch(2).element_spec.shape == (None, 2)


def test_padded_batch_too_small_shape_raises():
    with pytest.raises(ValueError, match="pad to a smaller size"):
        list(Dataset.range(1, 4).map(filled).padded_batch(2, padded_shapes=[2]))


def test_padded_batch_strings_pad_with_empty_bytes():
    ds = Dataset.from_generator(lambda: iter([np.array([b"a"]), np.array([b"bb", b"c"])]), output_types=tf.string)
    (out,) = list(ds.padded_batch(2))
    assert out.numpy().tolist() == [[b"a", b""], [b"bb", b"c"]]


# ---------------------------------------------------------------- window


def windows(ds):
    return [values(w) for w in ds]


def test_window_default_shift_and_remainder():
    # recorded with TensorFlow 2.21.0
    assert windows(Dataset.range(7).window(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert card(Dataset.range(7).window(3)) == 3
    assert windows(Dataset.range(7).window(3, 1)) == [
        [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6], [6]]


def test_window_shift_stride_and_drop_remainder():
    # recorded with TensorFlow 2.21.0
    assert windows(Dataset.range(7).window(3, 2, 1, True)) == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert card(Dataset.range(7).window(3, 2, 1, True)) == 3 and card(Dataset.range(7).window(3, 2)) == 4
    assert windows(Dataset.range(10).window(3, 1, 2)) == [
        [0, 2, 4], [1, 3, 5], [2, 4, 6], [3, 5, 7], [4, 6, 8], [5, 7, 9], [6, 8], [7, 9], [8], [9]]
    strided = Dataset.range(10).window(3, 1, 2, drop_remainder=True)
    assert windows(strided) == [[0, 2, 4], [1, 3, 5], [2, 4, 6], [3, 5, 7], [4, 6, 8], [5, 7, 9]]
    assert card(strided) == 6 and card(Dataset.range(10).window(3, 1, 2)) == 10
    assert windows(Dataset.range(10).window(2, 4)) == [[0, 1], [4, 5], [8, 9]]  # shift > size skips elements
    assert card(Dataset.range(10).window(2, 4)) == 3 == card(Dataset.range(10).window(2, 4, drop_remainder=True))


def test_window_of_tuples_is_a_tuple_of_datasets_and_the_flat_map_idiom():
    ds = Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10)).window(2)
    # recorded with TensorFlow 2.21.0
    assert [(values(a), values(b)) for a, b in ds] == [([0, 1], [0, 10]), ([2, 3], [20, 30]), ([4], [40])]
    pairs = ds.flat_map(lambda a, b: Dataset.zip((a.batch(2), b.batch(2))))
    assert values(pairs) == [([0, 1], [0, 10]), ([2, 3], [20, 30]), ([4], [40])]
    sliding = Dataset.range(7).window(3, 1, drop_remainder=True).flat_map(lambda w: w.batch(3))
    assert values(sliding) == [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]
    spec = ds.element_spec
    assert isinstance(spec, tuple) and all(isinstance(s, data.DatasetSpec) for s in spec)
    assert spec[0].element_spec == TensorSpec((), tf.int64)
    dict_spec = Dataset.from_tensor_slices({"a": np.zeros((5, 3))}).window(2).element_spec
    assert dict_spec["a"].element_spec == TensorSpec((3,), tf.float64)


def test_window_cardinality_infinite_and_unknown():
    # recorded with TensorFlow 2.21.0
    assert card(Dataset.range(3).repeat().window(2)) == -1
    assert card(Dataset.range(3).filter(lambda x: True).window(2)) == -2


# ---------------------------------------------------------------- interleave


def repeated(x):
    """A dataset of x copies of x, as TF's Dataset.from_tensors(x).repeat(x)."""
    return Dataset.from_tensors(x).repeat(int(x.numpy()))


@pytest.mark.parametrize(
    "cycle_length, block_length, expected",
    [  # recorded with TensorFlow 2.21.0 (Dataset.range(1, 6))
        (2, 4, [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5]),
        (3, 1, [1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 4, 5, 5, 5]),
        (2, 2, [1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 4, 4, 5, 5, 5]),
        (2, 1, [1, 2, 2, 3, 3, 4, 3, 4, 4, 5, 4, 5, 5, 5, 5]),
    ],
)
def test_interleave_order_matches_tensorflow(cycle_length, block_length, expected):
    ds = Dataset.range(1, 6).interleave(
        repeated, cycle_length=cycle_length, block_length=block_length, num_parallel_calls=data.AUTOTUNE,
        deterministic=True,
    )
    assert values(ds) == expected
    assert card(ds) == -2


def test_interleave_blocks_across_ranges():
    ds = Dataset.range(1, 4).interleave(
        lambda x: Dataset.range(10 * int(x.numpy()), 10 * int(x.numpy()) + 4), cycle_length=4, block_length=3
    )
    # recorded with TensorFlow 2.21.0
    assert values(ds) == [10, 11, 12, 20, 21, 22, 30, 31, 32, 13, 23, 33]


# ---------------------------------------------------------------- rebatch


def test_rebatch_sizes_remainder_and_lists():
    # recorded with TensorFlow 2.21.0
    assert values(Dataset.range(8).batch(4).rebatch(3)) == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert values(Dataset.range(8).batch(4).rebatch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert values(Dataset.range(8).batch(4).rebatch([2, 1, 1])) == [[0, 1], [2], [3], [4, 5], [6], [7]]
    assert values(Dataset.range(10).batch(4).rebatch([3, 2])) == [[0, 1, 2], [3, 4], [5, 6, 7], [8, 9]]
    assert values(Dataset.range(10).batch(4).rebatch([3, 2], drop_remainder=True)) == [[0, 1, 2], [3, 4], [5, 6, 7], [8, 9]]
    assert values(Dataset.range(7).batch(3).rebatch(2)) == [[0, 1], [2, 3], [4, 5], [6]]
    assert card(Dataset.range(8).batch(4).rebatch(3)) == -2
    assert Dataset.range(8).batch(4).rebatch(3).element_spec.shape == (None,)
    assert Dataset.range(8).batch(4).rebatch(3, drop_remainder=True).element_spec.shape == (3,)
    assert Dataset.range(8).batch(4, drop_remainder=True).rebatch([2, 1, 1]).element_spec.shape == (None,)


def test_rebatch_tuples():
    ds = Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 2.0)).batch(2).rebatch(3)
    # recorded with TensorFlow 2.21.0
    assert values(ds) == [([0, 1, 2], [0.0, 2.0, 4.0]), ([3, 4], [6.0, 8.0])]


# ---------------------------------------------------------------- files


@pytest.fixture
def text_files(tmp_path):
    for name in ["b.txt", "a.txt", "c.csv", "d.txt"]:
        (tmp_path / name).write_text(name + "\nline2\n\nlast")
    return tmp_path


def test_list_files_sorted_without_shuffle(text_files):
    ds = Dataset.list_files(str(text_files / "*.txt"), shuffle=False)
    names = list(ds.as_numpy_iterator())
    # recorded with TensorFlow 2.21.0: full paths as bytes, sorted
    assert [os.path.basename(n) for n in names] == [b"a.txt", b"b.txt", b"d.txt"]
    assert all(isinstance(n, bytes) for n in names)
    assert card(ds) == 3 and ds.element_spec == TensorSpec((), tf.string)
    both = Dataset.list_files([str(text_files / "*.csv"), str(text_files / "a*")], shuffle=False)
    assert [os.path.basename(n) for n in both.as_numpy_iterator()] == [b"a.txt", b"c.csv"]


def test_list_files_shuffles_by_default_reproducibly_with_seed(text_files):
    pattern = str(text_files / "*")
    a = list(Dataset.list_files(pattern, seed=1).as_numpy_iterator())
    b = list(Dataset.list_files(pattern, seed=1).as_numpy_iterator())
    assert a == b and sorted(a) == list(Dataset.list_files(pattern, shuffle=False).as_numpy_iterator())


def test_list_files_without_match_raises(text_files):
    with pytest.raises(ValueError, match="No files matched pattern"):
        Dataset.list_files(str(text_files / "*.zzz"))


def test_text_line_dataset(text_files):
    ds = data.TextLineDataset([str(text_files / "a.txt"), str(text_files / "b.txt")])
    # recorded with TensorFlow 2.21.0
    assert list(ds.as_numpy_iterator()) == [b"a.txt", b"line2", b"", b"last", b"b.txt", b"line2", b"", b"last"]
    assert card(ds) == -2 and ds.element_spec == TensorSpec((), tf.string)
    (text_files / "crlf.txt").write_bytes(b"x\r\ny\n")
    assert list(data.TextLineDataset(str(text_files / "crlf.txt")).as_numpy_iterator()) == [b"x", b"y"]
    files = Dataset.list_files(str(text_files / "*.txt"), shuffle=False)
    lines = files.interleave(data.TextLineDataset, cycle_length=1).skip(1)
    assert list(lines.take(3).as_numpy_iterator()) == [b"line2", b"", b"last"]


# ---------------------------------------------------------------- cache(filename)


def counted_source(counter, n=5):
    def gen():
        for i in range(n):
            counter[0] += 1
            yield np.full(i + 1, i, np.int64), {"s": np.float32(i)}

    return Dataset.from_generator(gen, output_types=(tf.int64, {"s": tf.float32}))


def test_cache_to_file_writes_on_first_full_pass_and_reads_later(tmp_path):
    counter = [0]
    expected = [([i] * (i + 1), {"s": float(i)}) for i in range(5)]
    ds = counted_source(counter).cache(str(tmp_path / "cache"))
    assert values(ds) == expected and counter[0] == 5
    assert values(ds) == expected and counter[0] == 5  # read back from the files
    again = counted_source(counter).cache(str(tmp_path / "cache"))  # a new pipeline, as after a restart
    assert values(again) == expected and counter[0] == 5
    assert sorted(os.listdir(tmp_path / "cache.npzcache")) == ["chunk-000000.npz", "structure.json"]


def test_cache_to_file_partial_pass_leaves_nothing(tmp_path):
    counter = [0]
    ds = counted_source(counter).cache(str(tmp_path / "cache"))
    iterator = iter(ds)
    next(iterator), next(iterator)
    iterator.close()
    assert os.listdir(tmp_path) == []
    assert len(values(ds)) == 5 and counter[0] == 2 + 5
    assert len(values(ds)) == 5 and counter[0] == 7


def test_cache_to_file_many_chunks_keep_order(tmp_path):
    ds = Dataset.range(2500).map(lambda x: (x, tf.cast(x, tf.float32) * 0.5)).cache(str(tmp_path / "big"))
    first = values(ds)
    assert values(ds) == first and len(first) == 2500 and first[2499] == (2499, 1249.5)
    assert len(os.listdir(tmp_path / "big.npzcache")) == 4  # 3 chunks of up to 1024 + structure.json


# ---------------------------------------------------------------- small transformations


def test_take_while_scan_unique():
    # recorded with TensorFlow 2.21.0
    assert values(Dataset.range(10).take_while(lambda x: x < 3)) == [0, 1, 2]
    assert card(Dataset.range(10).take_while(lambda x: x < 3)) == -2
    scanned = Dataset.range(5).scan(Tensor(np.int64(0)), lambda s, x: (s + x, s * 10 + x))
    assert values(scanned) == [0, 1, 12, 33, 64] and card(scanned) == 5
    uniq = Dataset.from_tensor_slices(np.array([1, 3, 1, 2, 3, 5])).unique()
    assert values(uniq) == [1, 3, 2, 5] and card(uniq) == -2
    assert values(Dataset.range(10).apply(data.experimental.take_while(lambda x: x < 2))) == [0, 1]


def test_ignore_errors_skips_only_the_failing_element():
    def inverse(x):
        if float(x.numpy()) == 0.0:
            raise ValueError("division by zero")
        return 1.0 / x

    ds = Dataset.from_tensor_slices(np.array([1.0, 2.0, 0.0, 4.0], np.float32)).map(inverse)
    # recorded with TensorFlow 2.21.0 (tf.debugging.check_numerics(1 / x) in the map)
    assert values(ds.ignore_errors()) == [1.0, 0.5, 0.25]
    with pytest.warns(UserWarning, match="ignoring ValueError"):
        assert values(ds.apply(data.experimental.ignore_errors(log_warning=True))) == [1.0, 0.5, 0.25]
    with pytest.raises(ValueError, match="division by zero"):
        values(ds)


def test_as_numpy_iterator_gives_numpy_scalars():
    # recorded with TensorFlow 2.21.0: [np.int64(0), np.int64(1), np.int64(2)]
    out = list(Dataset.range(3).as_numpy_iterator())
    assert out == [0, 1, 2] and all(type(v) is np.int64 for v in out)


def test_assert_cardinality():
    # recorded with TensorFlow 2.21.0
    ds = Dataset.range(5).filter(lambda x: True).apply(data.experimental.assert_cardinality(5))
    assert card(ds) == 5 and values(ds) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="expected to contain 3 elements but contained at least 4"):
        list(Dataset.range(5).apply(data.experimental.assert_cardinality(3)))
    with pytest.raises(ValueError, match="expected to contain 7 elements but contained only 5"):
        list(Dataset.range(5).filter(lambda x: True).apply(data.experimental.assert_cardinality(7)))


# ---------------------------------------------------------------- grouping and choosing


def test_group_by_window_emits_full_groups_then_the_rest_in_key_order():
    # recorded with TensorFlow 2.21.0
    by3 = Dataset.range(10).group_by_window(key_func=lambda x: x % 3, reduce_func=lambda k, w: w.batch(2), window_size=2)
    assert values(by3) == [[0, 3], [1, 4], [2, 5], [6, 9], [7], [8]] and card(by3) == -2
    leftovers = Dataset.from_tensor_slices(np.array([5, 1, 9, 2, 8, 3, 7])).group_by_window(
        key_func=lambda x: x % 3, reduce_func=lambda k, w: w.batch(10), window_size=10)
    assert values(leftovers) == [[9, 3], [1, 7], [5, 2, 8]]
    sized = Dataset.range(6).group_by_window(
        key_func=lambda x: x % 2, reduce_func=lambda k, w: w.batch(3).map(lambda b: (k, b)),
        window_size_func=lambda k: k + 2)
    assert values(sized) == [(0, [0, 2]), (1, [1, 3, 5]), (0, [4])]


LENGTHS = [3, 1, 5, 2, 7, 4, 6, 2, 1, 8]


def sequences():
    return Dataset.from_generator(lambda: (np.full(n, n, np.int64) for n in LENGTHS),
                                  output_signature=TensorSpec((None,), tf.int64))


def test_bucket_by_sequence_length():
    length = lambda x: tf.shape(x)[0]  # noqa: E731
    # recorded with TensorFlow 2.21.0
    assert values(sequences().bucket_by_sequence_length(length, [3, 6], [2, 2, 2])) == [
        [[3, 3, 3, 0, 0], [5, 5, 5, 5, 5]], [[1, 0], [2, 2]], [[7, 7, 7, 7, 7, 7, 7], [6, 6, 6, 6, 6, 6, 0]],
        [[2, 2], [1, 0]], [[4, 4, 4, 4]], [[8, 8, 8, 8, 8, 8, 8, 8]]]
    to_boundary = sequences().bucket_by_sequence_length(
        length, [3, 9], [2, 3, 1], pad_to_bucket_boundary=True, padding_values=-1, drop_remainder=True)
    assert values(to_boundary) == [
        [[1, -1], [2, 2]],
        [[3, 3, 3, -1, -1, -1, -1, -1], [5, 5, 5, 5, 5, -1, -1, -1], [7, 7, 7, 7, 7, 7, 7, -1]],
        [[2, 2], [1, -1]],
        [[4, 4, 4, 4, -1, -1, -1, -1], [6, 6, 6, 6, 6, 6, -1, -1], [8, 8, 8, 8, 8, 8, 8, 8]]]
    applied = sequences().apply(data.experimental.bucket_by_sequence_length(length, [4], [3, 3]))
    assert values(applied) == [
        [[3, 3, 3], [1, 0, 0], [2, 2, 0]], [[5, 5, 5, 5, 5, 0, 0], [7, 7, 7, 7, 7, 7, 7], [4, 4, 4, 4, 0, 0, 0]],
        [[2, 2], [1, 0]], [[6, 6, 6, 6, 6, 6, 0, 0], [8, 8, 8, 8, 8, 8, 8, 8]]]
    with pytest.raises(ValueError, match="length < max"):
        list(sequences().bucket_by_sequence_length(length, [3, 6], [2, 2, 2], pad_to_bucket_boundary=True))


def test_bucket_by_sequence_length_pads_only_the_variable_dimension_of_tuples():
    ds = Dataset.from_generator(lambda: ((np.full(n, n, np.int64), np.int64(n)) for n in [1, 2, 3, 1]),
                                output_signature=(TensorSpec((None,), tf.int64), TensorSpec((), tf.int64)))
    out = ds.bucket_by_sequence_length(lambda x, y: tf.shape(x)[0], [5], [2, 2], pad_to_bucket_boundary=True)
    # recorded with TensorFlow 2.21.0
    assert values(out) == [([[1, 0, 0, 0], [2, 2, 0, 0]], [1, 2]), ([[3, 3, 3, 0], [1, 0, 0, 0]], [3, 1])]


def test_choose_from_datasets_counter_and_single_element():
    # recorded with TensorFlow 2.21.0
    choices = Dataset.from_tensor_slices(np.array([0, 1, 1, 0, 0, 1]))
    assert values(Dataset.choose_from_datasets([Dataset.range(3), Dataset.range(10, 13)], choices)) == [
        0, 10, 11, 1, 2, 12]
    short = Dataset.from_tensor_slices(np.array([0, 0, 0, 1]))
    assert values(Dataset.choose_from_datasets([Dataset.range(2), Dataset.range(10, 13)], short)) == [0, 1]
    assert values(Dataset.choose_from_datasets([Dataset.range(2), Dataset.range(10, 13)], short,
                                               stop_on_empty_dataset=False)) == [0, 1, 10]
    assert values(Dataset.counter().take(3)) == [0, 1, 2] and values(Dataset.counter(5, 2).take(3)) == [5, 7, 9]
    assert card(Dataset.counter()) == -1 and Dataset.counter().element_spec == TensorSpec((), tf.int64)
    assert int(Dataset.range(1).get_single_element().numpy()) == 0
    with pytest.raises(ValueError, match="more than one"):
        Dataset.range(2).get_single_element()


def test_sample_from_datasets_uses_every_element_reproducibly():
    ds = Dataset.sample_from_datasets([Dataset.range(5), Dataset.range(100, 105)], weights=[0.5, 0.5], seed=1)
    first = values(ds)
    assert values(ds) == first and sorted(first) == [0, 1, 2, 3, 4, 100, 101, 102, 103, 104]
    assert [v for v in first if v < 100] == [0, 1, 2, 3, 4] and card(ds) == -2
    only_second = Dataset.sample_from_datasets([Dataset.range(5), Dataset.range(100, 103)], weights=[0.0, 1.0])
    assert values(only_second) == [100, 101, 102]


# ---------------------------------------------------------------- options


def test_options_are_kept_merged_and_checked():
    options = data.Options()
    assert options.deterministic is None and options.threading.private_threadpool_size is None
    options.experimental_distribute.auto_shard_policy = data.experimental.AutoShardPolicy.DATA
    options.experimental_optimization.map_parallelization = True
    options.deterministic = False
    ds = Dataset.range(3).with_options(options).map(lambda x: x + 1).batch(2)
    got = ds.options()
    assert got.deterministic is False and got.experimental_optimization.map_parallelization is True
    assert int(got.experimental_distribute.auto_shard_policy) == 2
    later = data.Options()
    later.deterministic = True
    assert ds.with_options(later).options().deterministic is True
    assert values(ds) == [[1, 2], [3]]
    with pytest.raises(AttributeError, match="Cannot set the property foo"):
        options.foo = 1
    assert data.experimental.AUTOTUNE == data.AUTOTUNE == -1
    assert (data.experimental.INFINITE_CARDINALITY, data.experimental.UNKNOWN_CARDINALITY) == (-1, -2)


# ---------------------------------------------------------------- element_spec


def test_element_spec_of_sources_and_batches():
    x, y = np.zeros((5, 3), np.float32), np.arange(5)
    # recorded with TensorFlow 2.21.0
    assert Dataset.from_tensor_slices((x, y)).element_spec == (TensorSpec((3,), tf.float32), TensorSpec((), tf.int64))
    batched = Dataset.from_tensor_slices((x, y)).batch(2).element_spec
    assert batched == (TensorSpec((None, 3), tf.float32), TensorSpec((None,), tf.int64))
    assert Dataset.from_tensor_slices(np.zeros((5, 3))).batch(2, drop_remainder=True).element_spec == TensorSpec(
        (2, 3), tf.float64)
    assert Dataset.from_tensor_slices(np.zeros((5, 3))).batch(2).unbatch().element_spec == TensorSpec((3,), tf.float64)
    assert Dataset.range(3).element_spec == TensorSpec((), tf.int64)
    assert Dataset.range(3).enumerate().element_spec == (TensorSpec((), tf.int64), TensorSpec((), tf.int64))
    assert Dataset.from_tensors(np.zeros((2, 3))).element_spec == TensorSpec((2, 3), tf.float64)
    assert Dataset.from_tensors(3.0).element_spec == TensorSpec((), tf.float32)
    spec = Dataset.from_tensor_slices({"a": np.zeros((2, 3), np.float32), "b": np.array([b"x", b"y"])}).element_spec
    assert spec == {"a": TensorSpec((3,), tf.float32), "b": TensorSpec((), tf.string)}
    zipped = Dataset.zip(Dataset.range(3), Dataset.from_tensor_slices(np.zeros((3, 2)))).element_spec
    assert zipped == (TensorSpec((), tf.int64), TensorSpec((2,), tf.float64))
    joined = Dataset.from_tensor_slices(np.zeros((5, 3))).concatenate(Dataset.from_tensor_slices(np.zeros((5, 4))))
    assert joined.element_spec == TensorSpec((None,), tf.float64)
    kept = Dataset.from_tensor_slices((x, y)).shuffle(5, seed=0).repeat(2).take(3).skip(1).prefetch(1).cache()
    assert kept.element_spec == (TensorSpec((3,), tf.float32), TensorSpec((), tf.int64))


def test_element_spec_of_generators_and_maps():
    # recorded with TensorFlow 2.21.0
    only_types = Dataset.from_generator(lambda: iter([]), output_types=tf.float32).element_spec
    assert only_types == TensorSpec(None, tf.float32) and only_types.shape.rank is None
    signature = (TensorSpec((None, 3), tf.float32), TensorSpec((), tf.int32))
    gen = Dataset.from_generator(lambda: iter([(np.zeros((2, 3)), 1)]), output_signature=signature)
    assert gen.element_spec == signature
    xb, yb = next(iter(gen))
    assert xb.dtype == np.float32 and yb.dtype == np.int32
    with_shapes = Dataset.from_generator(lambda: iter([]), output_types=(tf.int64, tf.float32),
                                         output_shapes=((2,), (None,)))
    assert with_shapes.element_spec == (TensorSpec((2,), tf.int64), TensorSpec((None,), tf.float32))
    assert Dataset.range(3).map(lambda x: tf.cast(x, tf.float32) * 2).element_spec == TensorSpec((), tf.float32)


def test_element_spec_does_not_use_up_a_shuffle_order():
    def order(read_spec):
        ds = Dataset.range(20).shuffle(20, seed=4).map(lambda x: x * 1)
        if read_spec:
            assert ds.element_spec == TensorSpec((), tf.int64)
        return values(ds), values(ds)

    assert order(True) == order(False)


def test_lists_are_tensors_in_sources_and_tuples_in_map_outputs():
    # recorded with TensorFlow 2.21.0 (TF's Python ints are int32, deepgrad's int64)
    assert values(Dataset.from_tensor_slices([1, 2, 3])) == [1, 2, 3]
    assert Dataset.from_tensor_slices([1, 2, 3]).element_spec.shape == ()
    assert list(Dataset.from_tensor_slices(["a", "bc"]).as_numpy_iterator()) == [b"a", b"bc"]
    assert Dataset.from_tensor_slices([np.array([1, 2]), np.array([3, 4])]).element_spec == TensorSpec((2,), tf.int64)
    pair = Dataset.from_tensor_slices(([1, 2], [3.0, 4.0])).element_spec
    assert (pair[0].shape, pair[1].shape, pair[1].dtype) == ((), (), tf.float32)
    assert Dataset.from_tensors([1, 2]).element_spec.shape == (2,)
    assert Dataset.range(2).map(lambda x: [x, x]).element_spec == (TensorSpec((), tf.int64), TensorSpec((), tf.int64))


def test_iterator_get_next_and_unknown_rank_specs():
    iterator = iter(Dataset.range(3))
    assert int(iterator.get_next().numpy()) == 0 and int(next(iterator).numpy()) == 1
    assert iterator.element_spec == TensorSpec((), tf.int64)
    assert [int(v.numpy()) for v in iterator] == [2]
    with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):  # TensorFlow 2.21.0 raises it too
        iterator.get_next()
    with tf.name_scope("a"), tf.name_scope("b"):
        assert tf.get_current_name_scope() == "a/b"
    assert tf.get_current_name_scope() == ""
    unknown = Dataset.from_generator(lambda: iter([]), output_types=tf.float32)
    assert unknown.batch(2).element_spec.shape.rank is None
    assert unknown.padded_batch(2, padded_shapes=[3]).element_spec.shape == (None, 3)


# ---------------------------------------------------------------- streaming


def test_pipelines_stream_a_million_element_generator():
    produced = [0]

    def gen():
        for i in range(1_000_000):
            produced[0] += 1
            yield np.float32(i)

    ds = Dataset.from_generator(gen, output_signature=TensorSpec((), tf.float32))
    out = values(ds.map(lambda x: x * 2).batch(10).take(3))
    assert out[2] == [40.0 + 2 * k for k in range(10)] and produced[0] == 30
    produced[0] = 0
    assert len(values(ds.shuffle(100, seed=0).batch(8).take(2))) == 2 and produced[0] == 100 + 15
    produced[0] = 0
    windows_ = ds.window(4, 1, drop_remainder=True).flat_map(lambda w: w.batch(4)).take(2)
    assert values(windows_) == [[0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]] and produced[0] == 5
    produced[0] = 0
    assert len(values(ds.padded_batch(4).rebatch(3).take(2))) == 2 and produced[0] == 8
    produced[0] = 0
    assert len(values(Dataset.range(3).interleave(lambda _: ds, cycle_length=2).take(5))) == 5
    assert produced[0] == 5
    assert card(Dataset.range(10**12).map(lambda x: x).batch(7)) == -(-10**12 // 7)


# ---------------------------------------------------------------- fit


def test_fit_on_a_dataset_matches_fit_on_arrays():
    from deepgrad import keras

    def trained(use_dataset):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        if use_dataset:
            history = model.fit(Dataset.from_tensor_slices((x, y)).batch(32), epochs=2, verbose=0)
        else:
            history = model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
        return model.get_weights(), history.history["loss"]

    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], np.float32))[:, None]
    (w_arrays, loss_arrays), (w_dataset, loss_dataset) = trained(False), trained(True)
    assert loss_dataset == loss_arrays and loss_arrays[1] < loss_arrays[0]
    for a, b in zip(w_arrays, w_dataset):
        np.testing.assert_array_equal(a, b)
