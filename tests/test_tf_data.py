"""tf.data.Dataset against TensorFlow's documented semantics, with numbers."""

import numpy as np
import pytest

import deepgrad as tf

from deepgrad import data
from deepgrad.math import floormod
from deepgrad.tensor import Tensor

Dataset = data.Dataset


def values(ds):
    """Elements as plain Python numbers / lists, for exact comparisons."""
    return [np.asarray(e).tolist() if not isinstance(e, (tuple, dict)) else e for e in ds.as_numpy_iterator()]


def card(ds):
    return int(ds.cardinality().numpy())


def test_from_tensor_slices_array_gives_tensors_in_order():
    ds = Dataset.from_tensor_slices(np.arange(5, dtype=np.int64))
    elements = list(ds)
    assert all(isinstance(e, Tensor) for e in elements)
    assert [int(e.numpy()) for e in elements] == [0, 1, 2, 3, 4]
    assert card(ds) == 5 and len(ds) == 5


def test_from_tensor_slices_keeps_numpy_dtype_and_row_shape():
    x = np.arange(12, dtype=np.float64).reshape(6, 2)
    first = next(iter(Dataset.from_tensor_slices(x)))
    assert first.dtype == np.float64 and first.shape == (2,)
    np.testing.assert_array_equal(first.numpy(), [0.0, 1.0])


def test_from_tensor_slices_tuple_and_nested():
    x = np.arange(6).reshape(3, 2)
    y = np.array([10, 20, 30])
    out = list(Dataset.from_tensor_slices((x, (y, y * 2))).as_numpy_iterator())
    assert len(out) == 3
    xi, (yi, zi) = out[1]
    np.testing.assert_array_equal(xi, [2, 3])
    assert (int(yi), int(zi)) == (20, 40)


def test_from_tensor_slices_dict_elements():
    ds = Dataset.from_tensor_slices({"a": np.array([1, 2, 3]), "b": np.array([4.0, 5.0, 6.0])})
    out = list(ds.as_numpy_iterator())
    assert [sorted(e) for e in out] == [["a", "b"]] * 3
    assert [int(e["a"]) for e in out] == [1, 2, 3]
    assert [float(e["b"]) for e in out] == [4.0, 5.0, 6.0]
    batched = next(iter(ds.batch(2)))
    assert set(batched) == {"a", "b"} and batched["a"].shape == (2,)


def test_from_tensor_slices_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="same first dimension"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))


def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors(np.arange(6).reshape(2, 3))
    out = list(ds)
    assert len(out) == 1 and out[0].shape == (2, 3) and card(ds) == 1


def test_range_like_python():
    assert values(Dataset.range(5)) == [0, 1, 2, 3, 4]
    assert values(Dataset.range(2, 9, 3)) == [2, 5, 8]
    assert card(Dataset.range(2, 9, 3)) == 3
    assert next(iter(Dataset.range(1))).dtype == np.int64


def test_map_receives_tuple_components_as_arguments():
    ds = Dataset.from_tensor_slices((np.array([1, 2, 3]), np.array([10, 20, 30])))
    out = list(ds.map(lambda a, b: a + b, num_parallel_calls=data.AUTOTUNE).as_numpy_iterator())
    assert [int(v) for v in out] == [11, 22, 33]
    swapped = list(ds.map(lambda a, b: (b, a)).as_numpy_iterator())
    assert [(int(a), int(b)) for a, b in swapped] == [(10, 1), (20, 2), (30, 3)]
    assert card(ds.map(lambda a, b: a)) == 3


def test_map_dict_element_passed_whole():
    ds = Dataset.from_tensor_slices({"a": np.array([1, 2]), "b": np.array([3, 4])})
    assert values(ds.map(lambda d: d["a"] * d["b"])) == [3, 8]


def test_filter_keeps_order_and_cardinality_unknown():
    ds = Dataset.range(10).filter(lambda x: floormod(x, 3) == 0)
    assert values(ds) == [0, 3, 6, 9]
    assert card(ds) == data.UNKNOWN_CARDINALITY == -2
    with pytest.raises(TypeError):
        len(ds)


def test_batch_shapes_and_remainder():
    ds = Dataset.range(10)
    batches = list(ds.batch(4))
    assert [b.shape for b in batches] == [(4,), (4,), (2,)]
    assert [b.numpy().tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert card(ds.batch(4)) == 3
    dropped = list(ds.batch(4, drop_remainder=True))
    assert [b.shape for b in dropped] == [(4,), (4,)]
    assert card(ds.batch(4, drop_remainder=True)) == 2


def test_batch_stacks_tuple_components():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    xb, yb = next(iter(Dataset.from_tensor_slices((x, y)).batch(3)))
    assert xb.shape == (3, 2) and yb.shape == (3,)
    np.testing.assert_array_equal(xb.numpy(), x[:3])


def test_unbatch_inverts_batch():
    ds = Dataset.range(7).batch(3).unbatch()
    assert values(ds) == list(range(7))
    assert card(ds) == data.UNKNOWN_CARDINALITY


def test_shuffle_is_a_permutation_reproducible_with_seed():
    ds = Dataset.range(20).shuffle(20, seed=42, reshuffle_each_iteration=False)
    a, b = values(ds), values(ds)
    assert sorted(a) == list(range(20)) and a != list(range(20))
    assert a == b
    again = Dataset.range(20).shuffle(20, seed=42, reshuffle_each_iteration=False)
    assert values(again) == a
    assert card(ds) == 20


def test_shuffle_reshuffles_each_iteration_by_default_yet_reproducibly():
    ds = Dataset.range(20).shuffle(20, seed=7)
    first, second = values(ds), values(ds)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second
    other = Dataset.range(20).shuffle(20, seed=7)
    assert values(other) == first and values(other) == second


def test_shuffle_buffer_one_is_identity():
    assert values(Dataset.range(10).shuffle(1, seed=3)) == list(range(10))


def test_shuffle_small_buffer_only_reaches_ahead_by_buffer_size():
    # With buffer 3, the element emitted at position i was among the first i + 3.
    out = values(Dataset.range(50).shuffle(3, seed=0))
    assert sorted(out) == list(range(50))
    assert all(v < i + 3 for i, v in enumerate(out))


def test_repeat_take_skip_and_cardinality():
    ds = Dataset.range(3)
    assert values(ds.repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert card(ds.repeat(2)) == 6
    forever = ds.repeat()
    assert card(forever) == data.INFINITE_CARDINALITY == -1
    with pytest.raises(TypeError):
        len(forever)
    assert values(forever.take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert card(forever.take(7)) == 7
    assert values(Dataset.range(10).skip(7)) == [7, 8, 9]
    assert card(Dataset.range(10).skip(7)) == 3
    assert card(Dataset.range(10).skip(20)) == 0
    assert card(Dataset.range(10).take(20)) == 10
    assert values(Dataset.range(4).take(-1)) == [0, 1, 2, 3]
    assert card(forever.batch(2)) == data.INFINITE_CARDINALITY


def test_from_generator_streams_lazily():
    produced = []

    def gen():
        for i in range(1_000_000):
            produced.append(i)
            yield i

    ds = Dataset.from_generator(gen, output_signature=np.int64).map(lambda x: x * 2).batch(1)
    out = [b.numpy().tolist() for b in ds.take(3)]
    assert out == [[0], [2], [4]]
    assert len(produced) == 3
    produced.clear()
    shuffled = Dataset.from_generator(gen, output_types=np.int64).shuffle(10, seed=0).take(3)
    assert len(list(shuffled)) == 3 and len(produced) == 10 + 2  # the buffer, then one refill per later emit
    assert card(Dataset.from_generator(gen, output_types=np.int64)) == data.UNKNOWN_CARDINALITY


def test_from_generator_tuple_signature_args_and_reiteration():
    def gen(n):
        for i in range(int(n)):
            yield i, float(i) / 2

    ds = Dataset.from_generator(gen, output_types=(np.int32, np.float32), args=(4,))
    first = list(ds.as_numpy_iterator())
    assert [(int(a), float(b)) for a, b in first] == [(0, 0.0), (1, 0.5), (2, 1.0), (3, 1.5)]
    assert first[0][0].dtype == np.int32 and first[0][1].dtype == np.float32
    assert len(list(ds)) == 4  # a fresh generator each pass


def test_iteration_is_fresh_each_time():
    ds = Dataset.range(3)
    assert values(ds) == values(ds) == [0, 1, 2]
    it = iter(ds)
    next(it)
    assert values(ds) == [0, 1, 2]


def test_reduce_sum():
    total = Dataset.range(5).reduce(np.int64(0), lambda state, x: state + x)
    assert int(total.numpy()) == 10
    pairs = Dataset.from_tensor_slices((np.array([1, 2]), np.array([3, 4])))
    assert int(pairs.reduce(np.int64(0), lambda s, e: s + e[0] * e[1]).numpy()) == 11


def test_enumerate():
    out = list(Dataset.from_tensor_slices(np.array([7, 8, 9])).enumerate(start=5).as_numpy_iterator())
    assert [(int(i), int(v)) for i, v in out] == [(5, 7), (6, 8), (7, 9)]


def test_zip_tuples_and_cardinality():
    a, b = Dataset.range(3), Dataset.range(10, 15)
    out = list(Dataset.zip((a, b)).as_numpy_iterator())
    assert [(int(x), int(y)) for x, y in out] == [(0, 10), (1, 11), (2, 12)]
    assert card(Dataset.zip(a, b)) == 3
    assert card(Dataset.zip((a.repeat(), b))) == 5
    mapped = Dataset.zip((a, b)).map(lambda x, y: x * y)
    assert values(mapped) == [0, 11, 24]


def test_concatenate():
    ds = Dataset.range(3).concatenate(Dataset.range(10, 12))
    assert values(ds) == [0, 1, 2, 10, 11]
    assert card(ds) == 5


def test_cache_replays_after_first_pass():
    calls = []

    def gen():
        for i in range(3):
            calls.append(i)
            yield i

    ds = Dataset.from_generator(gen, output_types=np.int64).cache()
    assert values(ds) == [0, 1, 2] and values(ds) == [0, 1, 2]
    assert calls == [0, 1, 2]


def test_flat_map_chains_inner_datasets():
    ds = Dataset.range(1, 4).flat_map(lambda n: Dataset.from_tensors(n).repeat(int(n.numpy())))
    assert values(ds) == [1, 2, 2, 3, 3, 3]
    assert card(ds) == data.UNKNOWN_CARDINALITY


def test_shard_takes_every_nth_from_index():
    assert values(Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert card(Dataset.range(10).shard(3, 0)) == 4 and card(Dataset.range(10).shard(3, 2)) == 3


def test_prefetch_and_apply():
    ds = Dataset.range(4).prefetch(data.AUTOTUNE).apply(lambda d: d.map(lambda x: x + 1))
    assert values(ds) == [1, 2, 3, 4]


def test_module_constants_and_missing_names():
    assert data.AUTOTUNE == data.experimental.AUTOTUNE == -1
    assert data.INFINITE_CARDINALITY == -1 and data.UNKNOWN_CARDINALITY == -2
    assert int(data.experimental.cardinality(Dataset.range(4)).numpy()) == 4
    with pytest.raises(AttributeError, match="deepgrad does not implement tf.data.TFRecordDataset"):
        data.TFRecordDataset
    with pytest.raises(AttributeError, match="does not implement tf.data.Dataset.snapshot"):
        Dataset.range(3).snapshot


def test_shuffle_without_seed_follows_the_global_seed():
    from deepgrad.backend import set_seed

    set_seed(5)
    a = values(Dataset.range(30).shuffle(30))
    set_seed(5)
    b = values(Dataset.range(30).shuffle(30))
    assert a == b and sorted(a) == list(range(30))


def test_tensor_mod_and_floordiv_operators_as_tensorflow():
    x = tf.constant([5, -6, 7])
    np.testing.assert_array_equal((x % 3).numpy(), [2, 0, 1])
    np.testing.assert_array_equal((x // 2).numpy(), [2, -3, 3])
    np.testing.assert_array_equal((7 // tf.constant([2, 3])).numpy(), [3, 2])
    np.testing.assert_allclose((tf.constant([7.5, -1.0]) % 2.0).numpy(), [1.5, 1.0])
    evens = tf.data.Dataset.range(10).filter(lambda v: v % 2 == 0)
    assert [int(v) for v in evens] == [0, 2, 4, 6, 8]


def test_fit_on_an_infinite_dataset_needs_steps_and_goes_on_across_epochs():
    from deepgrad import keras

    seen = []

    class Recorder(keras.layers.Layer):
        def call(self, inputs):
            seen.append(float(inputs.numpy()[0, 0]))
            return inputs

    x = np.arange(8, dtype="float32").reshape(8, 1)
    ds = tf.data.Dataset.from_tensor_slices((x, x)).batch(2).repeat()
    model = keras.Sequential([keras.Input((1,)), Recorder(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="infinite dataset, you must specify the number of steps"):
        model.fit(ds, epochs=1, verbose=0)
    seen.clear()
    model.fit(ds, epochs=2, steps_per_epoch=3, verbose=0)
    assert seen == [0.0, 2.0, 4.0, 6.0, 0.0, 2.0]  # epoch 2 starts where epoch 1 stopped, as Keras
