"""Seeding: tf.random.set_seed(n) makes every draw that follows bit-identical."""
import numpy as np
import pytest

import deepgrad as tf
from deepgrad import backend

DRAWS = {
    "normal": lambda: tf.random.normal([50, 7], mean=1.0, stddev=2.0),
    "normal_float64": lambda: tf.random.normal([30], dtype=tf.float64),
    "uniform": lambda: tf.random.uniform([4, 25], minval=-3.0, maxval=5.0),
    "uniform_int": lambda: tf.random.uniform([100], minval=0, maxval=10, dtype=tf.int32),
    "truncated_normal": lambda: tf.random.truncated_normal([200], stddev=0.5),
    "shuffle": lambda: tf.random.shuffle(tf.range(100)),
    "categorical": lambda: tf.random.categorical(tf.math.log([[0.2, 0.3, 0.5]] * 4), 20),
    "tf_nn_dropout": lambda: tf.nn.dropout(tf.ones([40, 10]), rate=0.5),
    "ops_nn_dropout": lambda: __import__("deepgrad.ops.nn", fromlist=["dropout"]).dropout(tf.ones([40, 10]), 0.3),
}


def two_draws(name, seed):
    tf.random.set_seed(seed)
    first = DRAWS[name]().numpy().copy()
    second = DRAWS[name]().numpy().copy()
    return first, second


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_same_seed_gives_bit_identical_draws(name):
    first_a, second_a = two_draws(name, 123)
    first_b, second_b = two_draws(name, 123)
    assert first_a.dtype == first_b.dtype
    np.testing.assert_array_equal(first_a, first_b)
    np.testing.assert_array_equal(second_a, second_b)
    assert first_a.tobytes() == first_b.tobytes()
    assert not np.array_equal(first_a, second_a), "successive draws must differ"


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_different_seeds_give_different_draws(name):
    assert not np.array_equal(two_draws(name, 1)[0], two_draws(name, 2)[0])


def test_set_seed_is_the_backend_seed_that_keras_initializers_share():
    assert tf.random.set_seed is backend.set_seed
    tf.random.set_seed(7)
    a = backend.rng().standard_normal(3)
    tf.random.set_seed(7)
    np.testing.assert_array_equal(a, backend.rng().standard_normal(3))


def test_an_op_level_seed_gives_the_same_values_whatever_the_global_state():
    tf.random.set_seed(1)
    a = tf.random.normal([5], seed=42).numpy()
    tf.random.set_seed(2)
    tf.random.uniform([3])
    b = tf.random.normal([5], seed=42).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(tf.nn.dropout(tf.ones([20]), 0.5, seed=3).numpy(),
                                  tf.nn.dropout(tf.ones([20]), 0.5, seed=3).numpy())


def test_draws_have_the_requested_dtype_and_statistics():
    tf.random.set_seed(0)
    x = tf.random.normal([20000], mean=1.0, stddev=2.0)
    assert x.dtype == tf.float32
    assert abs(float(tf.reduce_mean(x)) - 1.0) < 0.05 and abs(float(tf.math.reduce_std(x)) - 2.0) < 0.05
    u = tf.random.uniform([20000], minval=-1.0, maxval=3.0)
    assert u.dtype == tf.float32 and float(tf.reduce_min(u)) >= -1.0 and float(tf.reduce_max(u)) < 3.0
    assert abs(float(tf.reduce_mean(u)) - 1.0) < 0.05
    t = tf.random.truncated_normal([20000], mean=0.0, stddev=0.5).numpy()
    assert np.abs(t).max() <= 1.0 and 0.35 < t.std() < 0.45  # truncated at 2 stddev: std 0.88 * 0.5
    k = tf.random.uniform([1000], maxval=4, dtype=tf.int64).numpy()
    assert k.dtype == np.int64 and set(k.tolist()) == {0, 1, 2, 3}
    assert tf.random.normal([2], dtype=tf.float16).dtype == np.float16
    s = tf.random.shuffle(tf.range(50)).numpy()
    assert sorted(s.tolist()) == list(range(50)) and s.tolist() != list(range(50))


def test_categorical_follows_the_softmax_of_the_logits():
    tf.random.set_seed(0)
    samples = tf.random.categorical(tf.math.log([[0.1, 0.6, 0.3]]), 20000).numpy()
    assert samples.shape == (1, 20000) and samples.dtype == np.int64
    np.testing.assert_allclose(np.bincount(samples[0], minlength=3) / 20000, [0.1, 0.6, 0.3], atol=0.015)


def test_uniform_integers_need_maxval():
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform([3], dtype=tf.int32)


def test_a_seeded_training_step_is_reproducible():
    def run():
        tf.random.set_seed(5)
        w = tf.Variable(tf.random.normal([4, 3]))
        x = tf.random.uniform([8, 4])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.nn.dropout(tf.matmul(x, w), 0.25)))
        w.assign_sub(0.1 * tape.gradient(loss, w))
        return w.numpy().copy()

    np.testing.assert_array_equal(run(), run())
