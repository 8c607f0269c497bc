"""tf.math's trigonometry, erf, scans, top_k and segment reductions: values against PyTorch and
NumPy, gradients against PyTorch, TensorFlow's keywords (exclusive, reverse, num_segments)."""
import numpy as np
import pytest

import deepgrad as tf
from tests.parity import check_parity, torch

UNARY = [("sin", "sin", -2, 2), ("cos", "cos", -2, 2), ("tan", "tan", -1, 1), ("asin", "asin", -0.9, 0.9),
         ("acos", "acos", -0.9, 0.9), ("atan", "atan", -2, 2), ("sinh", "sinh", -2, 2), ("cosh", "cosh", -2, 2),
         ("asinh", "asinh", -2, 2), ("acosh", "acosh", 1.1, 3), ("atanh", "atanh", -0.9, 0.9),
         ("erf", "erf", -2, 2), ("erfc", "erfc", -2, 2), ("erfinv", "erfinv", -0.9, 0.9),
         ("expm1", "expm1", -2, 2)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, torch_name, low, high", UNARY)
def test_unary_math_matches_torch(name, torch_name, low, high, dtype):
    check_parity(getattr(tf.math, name), getattr(torch, torch_name), [(3, 4)], dtype=dtype, low=low, high=high)


def test_atan2_and_softsign_match_torch():
    check_parity(tf.math.atan2, torch.atan2, [(3, 4), (4,)])
    check_parity(tf.math.softsign, torch.nn.functional.softsign, [(3, 4)])


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumsum_and_cumprod_keywords(axis, exclusive, reverse):
    x = np.random.default_rng(0).uniform(0.5, 2, (3, 4))

    def expected(op, identity):
        y = np.flip(x, axis) if reverse else x
        y = op(y, axis=axis)
        if exclusive:
            y = np.concatenate([np.full_like(np.take(y, [0], axis), identity), np.delete(y, -1, axis)], axis)
        return np.flip(y, axis) if reverse else y

    np.testing.assert_allclose(tf.math.cumsum(x, axis, exclusive, reverse).numpy(), expected(np.cumsum, 0))
    np.testing.assert_allclose(tf.math.cumprod(x, axis, exclusive, reverse).numpy(), expected(np.cumprod, 1))


def test_cumsum_gradient_matches_torch():
    check_parity(lambda x: tf.math.cumsum(x, axis=1, reverse=True), lambda x: torch.flip(torch.cumsum(torch.flip(x, [1]), 1), [1]),
                 [(3, 4)])


def test_top_k_values_indices_and_gradient():
    x = tf.Variable(np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]))
    with tf.GradientTape() as tape:
        values, indices = tf.math.top_k(x, k=2)
        loss = tf.reduce_sum(values * tf.constant([[1.0, 2.0], [3.0, 4.0]], dtype="float64"))
    np.testing.assert_array_equal(values.numpy(), [[5, 3], [6, 4]])
    np.testing.assert_array_equal(indices.numpy(), [[1, 2], [2, 0]])
    assert indices.dtype == np.int32 and tf.nn.top_k is tf.math.top_k
    np.testing.assert_array_equal(tape.gradient(loss, x).numpy(), [[0, 1, 2], [4, 0, 3]])
    np.testing.assert_array_equal(tf.math.in_top_k([2, 0], x, 2).numpy(), [True, True])
    np.testing.assert_array_equal(tf.math.in_top_k([0, 1], x, 1).numpy(), [False, False])


def test_segment_reductions():
    data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(tf.math.segment_sum(data, [0, 0, 1]).numpy(), [[4, 6], [5, 6]])
    np.testing.assert_array_equal(tf.math.segment_max(data, [0, 0, 1]).numpy(), [[3, 4], [5, 6]])
    np.testing.assert_array_equal(tf.math.unsorted_segment_prod(data, [1, 0, 1], 3).numpy(), [[3, 4], [5, 12], [1, 1]])
    np.testing.assert_array_equal(tf.math.unsorted_segment_min(data, [1, 0, 1], 2).numpy(), [[3, 4], [1, 2]])
    check_parity(lambda d: tf.math.unsorted_segment_sum(d, np.array([2, 0, 2]), 3),
                 lambda d: torch.zeros(3, 2, dtype=d.dtype).index_add(0, torch.tensor([2, 0, 2]), d), [(3, 2)])
