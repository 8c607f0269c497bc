"""GradientTape: TensorFlow's gradient API over deepgrad's graph."""
import numpy as np
import pytest

import deepgrad as tf


def test_linear_regression_gradients_match_the_hand_derived_ones():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    y = rng.normal(size=(20, 1))
    w = tf.Variable(rng.normal(size=(3, 1)))
    b = tf.Variable(np.array([0.5]))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.constant(x), w) + b - y))
    dw, db = tape.gradient(loss, [w, b])
    residual = x @ w.numpy() + b.numpy() - y
    np.testing.assert_allclose(loss.numpy(), np.mean(residual**2), rtol=1e-12)
    np.testing.assert_allclose(dw.numpy(), 2 / len(x) * x.T @ residual, rtol=1e-12)
    np.testing.assert_allclose(db.numpy(), [2 * residual.mean()], rtol=1e-12)
    assert w.grad is None, "the tape returns gradients; it does not fill .grad"


def test_a_non_persistent_tape_answers_once():
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = w * w
    assert tape.gradient(y, w).numpy() == 4.0
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, w)


def test_a_persistent_tape_answers_several_times():
    w = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        y = w * w
        z = y * w
    assert tape.gradient(y, w).numpy() == 6.0
    assert tape.gradient(z, w).numpy() == 27.0
    assert tape.gradient(y, w).numpy() == 6.0


def test_watch_makes_a_constant_differentiable():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x * x
    assert tape.gradient(y, x).numpy() == 27.0


def test_an_unwatched_constant_gets_none():
    x = tf.constant(3.0)
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * w
    gx, gw = tape.gradient(y, [x, w])
    assert gx is None and gw.numpy() == 3.0


def test_watch_rejects_integer_tensors():
    with tf.GradientTape() as tape:
        with pytest.raises(TypeError, match="only float tensors"):
            tape.watch(tf.constant([1, 2]))


def test_unconnected_sources_give_none_or_zeros():
    a, b = tf.Variable([1.0, 2.0]), tf.Variable([5.0])
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(a * a)
    ga, gb = tape.gradient(y, [a, b])
    assert gb is None
    np.testing.assert_array_equal(ga.numpy(), [2.0, 4.0])
    gb = tape.gradient(y, b, unconnected_gradients="zero")
    np.testing.assert_array_equal(gb.numpy(), [0.0])


def test_non_trainable_variables_get_none_unless_watched():
    w = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = w * 3.0
    assert tape.gradient(y, w) is None
    with tf.GradientTape() as tape:
        tape.watch(w)
        y = w * 3.0
    assert tape.gradient(y, w).numpy() == 3.0


def test_watch_accessed_variables_false_differentiates_only_watched():
    a, b = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert ga.numpy() == 3.0 and gb is None


def test_sources_keep_their_structure():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = a * b * c
    grads = tape.gradient(y, {"a": a, "rest": (b, [c])})
    assert grads["a"].numpy() == 6.0
    assert isinstance(grads["rest"], tuple) and isinstance(grads["rest"][1], list)
    assert grads["rest"][0].numpy() == 3.0 and grads["rest"][1][0].numpy() == 2.0


def test_several_targets_sum_their_gradients_even_through_shared_nodes():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        h = w * 2.0
        l1 = tf.reduce_sum(h)
        l2 = tf.reduce_sum(h * h)
    np.testing.assert_array_equal(tape.gradient([l1, l2], w).numpy(), [2.0 + 8.0, 2.0 + 16.0])


def test_a_non_scalar_target_is_summed_and_output_gradients_weight_it():
    w = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        y = w * w
    np.testing.assert_array_equal(tape.gradient(y, w).numpy(), [2.0, 4.0, 6.0])
    g = tape.gradient(y, w, output_gradients=np.array([1.0, 0.0, -1.0], np.float32))
    np.testing.assert_array_equal(g.numpy(), [2.0, 0.0, -6.0])


def test_gradient_with_respect_to_an_intermediate_tensor():
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        h = w * 3.0
        y = h * h
    gh, gw = tape.gradient(y, [h, w])
    assert gh.numpy() == 12.0 and gw.numpy() == 36.0


def test_a_source_listed_twice_gets_two_independent_arrays():
    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(w + w)
    g1, g2 = tape.gradient(y, [w, w])
    np.testing.assert_array_equal(g1.numpy(), [2.0, 2.0])
    g1.numpy()[:] = 0
    np.testing.assert_array_equal(g2.numpy(), [2.0, 2.0])


def test_sgd_with_the_tape_converges_on_a_quadratic():
    w = tf.Variable([5.0, -3.0])
    for _ in range(200):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(w - tf.constant([1.0, 2.0])))
        w.assign_sub(0.1 * tape.gradient(loss, w))
    np.testing.assert_allclose(w.numpy(), [1.0, 2.0], atol=1e-6)
    assert w.dtype == np.float32
