"""GradientTape.jacobian / batch_jacobian against torch.autograd.functional.jacobian and TensorFlow,
and watched_variables / stop_recording / reset as TensorFlow's."""
import numpy as np
import pytest
import torch

import deepgrad as tf
from deepgrad import keras

RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 3)).astype("float32")
W = RNG.normal(size=(3, 4)).astype("float32")

# recorded with TensorFlow 2.21.0: x = [[0.5, -1], [2, 0.25]], W = [[1, -0.5, 0.25], [0.75, 2, -1.5]],
# y = tanh(x @ W), s = reduce_sum(y * y, axis=1); tape.batch_jacobian(y, x) and tape.jacobian(s, x)
TF_X = [[0.5, -1.0], [2.0, 0.25]]
TF_W = [[1.0, -0.5, 0.25], [0.75, 2.0, -1.5]]
TF_BATCH_JACOBIAN = [
    [[0.9400147795677185, 0.7050111889839172], [-0.021732399240136147, 0.08692970126867294],
     [0.03593359887599945, -0.21560180187225342]],
    [[0.04910840094089508, 0.03683130070567131], [-0.39322391152381897, 1.5728955268859863],
     [0.24613410234451294, -1.476804494857788]],
]
TF_JACOBIAN_S = [[[-0.35144248604774475, -0.9143922924995422], [0.0, 0.0]],
                 [[0.0, 0.0], [0.5204209089279175, -1.7491830587387085]]]


def torch_jacobian(fn, *inputs):
    return [j.numpy() for j in torch.autograd.functional.jacobian(fn, tuple(torch.tensor(i) for i in inputs))]


def test_jacobian_of_matmul_tanh_matches_torch_for_both_sources():
    x, w = tf.Variable(X), tf.Variable(W)
    with tf.GradientTape() as tape:
        y = tf.tanh(tf.matmul(x, w))
    jx, jw = tape.jacobian(y, [x, w])
    tx, tw = torch_jacobian(lambda a, b: torch.tanh(a @ b), X, W)
    assert jx.shape == (2, 4, 2, 3) and jw.shape == (2, 4, 3, 4)
    np.testing.assert_allclose(jx.numpy(), tx, atol=1e-6)
    np.testing.assert_allclose(jw.numpy(), tw, atol=1e-6)


def test_jacobian_of_elementwise_function_is_diagonal_as_torch():
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.math.sin(x) * x + tf.exp(-x)
    j = tape.jacobian(y, x)
    (expected,) = torch_jacobian(lambda a: torch.sin(a) * a + torch.exp(-a), X)
    np.testing.assert_allclose(j.numpy(), expected, atol=1e-6)
    off_diagonal = j.numpy().reshape(6, 6)[~np.eye(6, dtype=bool)]
    assert np.all(off_diagonal == 0)


def test_jacobian_of_dense_layer_with_respect_to_input_and_kernel_matches_torch():
    keras.utils.set_random_seed(3)
    layer = keras.layers.Dense(4, activation="sigmoid")
    layer.build((None, 3))
    kernel, bias = (w.numpy() for w in layer.weights)
    x = tf.constant(X)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = layer(x)
    jx, jk, jb = tape.jacobian(y, [x, layer.kernel, layer.bias])
    expected = torch_jacobian(lambda a, k, b: torch.sigmoid(a @ k + b), X, kernel, bias)
    for got, want in zip((jx, jk, jb), expected):
        np.testing.assert_allclose(got.numpy(), want, atol=1e-6)
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == (2, 4, 3)
    np.testing.assert_allclose(bj.numpy(), np.stack([expected[0][b, :, b, :] for b in range(2)]), atol=1e-6)


def test_batch_jacobian_and_jacobian_match_tensorflow_recorded_values():
    x = tf.constant(TF_X)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.tanh(tf.matmul(x, tf.constant(TF_W)))
        s = tf.reduce_sum(y * y, axis=1)
    np.testing.assert_allclose(tape.batch_jacobian(y, x).numpy(), TF_BATCH_JACOBIAN, atol=1e-6)
    np.testing.assert_allclose(tape.jacobian(s, x).numpy(), TF_JACOBIAN_S, atol=1e-6)


def test_jacobian_of_a_scalar_is_the_gradient_and_structures_are_kept():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        total = tf.reduce_sum(x * x)
        squares = x * x
    np.testing.assert_array_equal(tape.jacobian(total, x).numpy(), [[2.0, 4.0], [6.0, 8.0]])
    out = tape.jacobian(squares, {"x": x, "v": v}, unconnected_gradients="zero")
    assert sorted(out) == ["v", "x"] and out["x"].shape == (2, 2, 2, 2) and out["v"].shape == (2, 2, 2)
    assert np.all(out["v"].numpy() == 0)
    np.testing.assert_array_equal(out["x"].numpy().reshape(4, 4), np.diag([2.0, 4.0, 6.0, 8.0]))


def test_unconnected_jacobian_is_none_or_zeros_as_tensorflow():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        z = tf.constant([1.0])
    assert tape.jacobian(z, x) is None
    zeros = tape.jacobian(z, x, unconnected_gradients="zero")
    assert zeros.shape == (1, 2, 2) and np.all(zeros.numpy() == 0)
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients"):
        tape.jacobian(z, x, unconnected_gradients="nan")


def test_non_persistent_tape_answers_one_jacobian_as_tensorflow():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.jacobian(y, x).shape == (2, 2, 2, 2)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used to compute one set"):
        tape.jacobian(y, x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.jacobian(y, x)


def test_hessian_by_nested_tapes():
    x = tf.Variable(X)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(x ** 3)
        g = inner.jacobian(y, x)
    h = outer.jacobian(g, x)
    assert h.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(h.numpy().reshape(6, 6), np.diag(6 * X.reshape(-1)), rtol=1e-5)


def test_batch_jacobian_checks_the_batch_dimension():
    x = tf.constant(X)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        total = tf.reduce_sum(x)
        rows = tf.reduce_sum(x, axis=0)
    with pytest.raises(ValueError, match=r"target.shape=\(\), source.shape=\(2, 3\)"):
        tape.batch_jacobian(total, x)
    with pytest.raises(ValueError, match="first \\(batch\\) dimension"):
        tape.batch_jacobian(rows, x)
    with pytest.raises(TypeError, match="the target must be one tensor"):
        tape.jacobian([total], x)


def test_watched_variables_hold_the_watched_and_the_read_trainable_variables():
    a, b = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b")
    c = tf.Variable(3.0, name="c", trainable=False)
    with tf.GradientTape() as tape:
        tape.watch(c)
        b * a + c
    # TensorFlow 2.21.0 lists (a, b, c) here: by creation order, not by watching or reading
    assert [v.name for v in tape.watched_variables()] == ["a", "b", "c"]
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        b * a
    assert tape.watched_variables() == ()


def test_stop_recording_and_reset_as_tensorflow():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    # recorded with TensorFlow 2.21.0: None, [2.0, 1.0], None
    with tf.GradientTape(persistent=True) as tape:
        y = a * a
        with tape.stop_recording():
            z = b * b
        tape.reset()
        w = a * b
    assert tape.gradient(y, a) is None
    assert [float(g) for g in tape.gradient(w, [a, b])] == [2.0, 1.0]
    assert tape.gradient(z, b) is None
    with pytest.raises(ValueError, match="must be recording"):
        with tape.stop_recording():
            pass
