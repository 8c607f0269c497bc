"""Several GradientTapes at once, as in TensorFlow: side by side (a GAN step), nested (second
derivatives), each recording only what ran inside it; checked against one persistent tape and
against torch.autograd.grad(create_graph=True)."""
import gc
import weakref

import numpy as np
import pytest
import torch

import deepgrad as tf
from deepgrad import keras
from deepgrad import tensor as tensor_module
from deepgrad.ops.table import OPS


def mlp(name, sizes, activation="relu", seed=0):
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((sizes[0],))]
    layers += [keras.layers.Dense(n, activation=activation) for n in sizes[1:-1]]
    layers.append(keras.layers.Dense(sizes[-1]))
    return keras.Sequential(layers, name=name)


def bce_logits(labels, logits):
    return tf.reduce_mean(keras.losses.binary_crossentropy(labels, logits, from_logits=True))


def gan_step_two_tapes(generator, discriminator, noise, real):
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake = generator(noise, training=True)
        real_out = discriminator(real, training=True)
        fake_out = discriminator(fake, training=True)
        gen_loss = bce_logits(tf.ones_like(fake_out), fake_out)
        disc_loss = bce_logits(tf.ones_like(real_out), real_out) + bce_logits(tf.zeros_like(fake_out), fake_out)
    gen_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
    disc_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
    return gen_grads, disc_grads


def gan_step_one_persistent_tape(generator, discriminator, noise, real):
    with tf.GradientTape(persistent=True) as tape:
        fake = generator(noise, training=True)
        real_out = discriminator(real, training=True)
        fake_out = discriminator(fake, training=True)
        gen_loss = bce_logits(tf.ones_like(fake_out), fake_out)
        disc_loss = bce_logits(tf.ones_like(real_out), real_out) + bce_logits(tf.zeros_like(fake_out), fake_out)
    return (tape.gradient(gen_loss, generator.trainable_variables),
            tape.gradient(disc_loss, discriminator.trainable_variables))


def test_the_two_tape_gan_step_gives_one_persistent_tapes_gradients():
    generator, discriminator = mlp("generator", [8, 16, 4]), mlp("discriminator", [4, 16, 1], seed=1)
    rng = np.random.default_rng(0)
    noise, real = rng.normal(size=(6, 8)).astype("float32"), rng.normal(size=(6, 4)).astype("float32")
    two = gan_step_two_tapes(generator, discriminator, noise, real)
    one = gan_step_one_persistent_tape(generator, discriminator, noise, real)
    for got_list, expected_list in zip(two, one):
        assert len(got_list) == len(expected_list) == 4
        for got, expected in zip(got_list, expected_list):
            np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_the_second_tape_works_whichever_answers_first():
    generator, discriminator = mlp("generator", [8, 16, 4]), mlp("discriminator", [4, 16, 1], seed=1)
    rng = np.random.default_rng(1)
    noise, real = rng.normal(size=(6, 8)).astype("float32"), rng.normal(size=(6, 4)).astype("float32")
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake = generator(noise, training=True)
        fake_out = discriminator(fake, training=True)
        gen_loss = bce_logits(tf.ones_like(fake_out), fake_out)
        disc_loss = bce_logits(tf.zeros_like(fake_out), fake_out) + bce_logits(
            tf.ones_like(fake_out), discriminator(real, training=True))
    disc_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
    gen_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
    _, expected_disc = gan_step_one_persistent_tape(generator, discriminator, noise, real)
    assert all(g is not None for g in gen_grads) and len(disc_grads) == 4
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        gen_tape.gradient(gen_loss, generator.trainable_variables)


def test_a_tape_sees_only_what_ran_inside_it():
    x = tf.Variable(3.0)
    y = x * x  # before the tape: a constant to it, as in TensorFlow
    with tf.GradientTape() as tape:
        z = y * x
    assert tape.gradient(z, x).numpy() == pytest.approx(9.0)  # d(y x)/dx with y held fixed


def test_stop_recording_hides_ops_from_this_tape_only():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            with inner.stop_recording():
                y = x * x * x
            z = y + x
        assert inner.gradient(z, x).numpy() == pytest.approx(1.0)
    assert outer.gradient(z, x).numpy() == pytest.approx(13.0)  # 3 x^2 + 1


def test_reset_forgets_the_record():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        tape.reset()
        z = x * 5.0
    assert tape.gradient(y, x) is None
    with tf.GradientTape() as tape:
        y = x * x
        tape.reset()
        z = x * 5.0
    assert tape.gradient(z, x).numpy() == pytest.approx(5.0)


def test_watched_variables_are_the_watched_and_the_read_trainable_ones_in_creation_order():
    a, b, frozen = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b"), tf.Variable(3.0, trainable=False)
    c = tf.Variable(4.0, name="c")
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = b * a + frozen
    assert [v.name for v in tape.watched_variables()] == ["a", "b", "c"]  # TensorFlow 2.21.0: a:0, b:0, c:0
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    assert [v.name for v in tape.watched_variables()] == ["a"]
    assert tape.gradient(y, [a, b])[1] is None


def test_unconnected_gradients_zero_and_output_gradients():
    x, unused = tf.Variable([1.0, 2.0]), tf.Variable([5.0])
    with tf.GradientTape() as tape:
        y = x * x
    gx, gu = tape.gradient(y, [x, unused], output_gradients=tf.constant([10.0, 1.0]),
                           unconnected_gradients="zero")
    np.testing.assert_allclose(gx.numpy(), [20.0, 4.0])
    np.testing.assert_array_equal(gu.numpy(), [0.0])


def _alive_activations(step, monkeypatch):
    """(tensors the ops made during `step`, those still alive after it), with the collector off."""
    refs = []
    original = tensor_module.attach

    def attach(data, parents, vjp, op, params=None):
        out = original(data, parents, vjp, op, params)
        refs.append(weakref.ref(out))
        return out

    for module in {spec.module for spec in OPS.values()}:
        module = __import__(module, fromlist=["attach"])
        if hasattr(module, "attach"):
            monkeypatch.setattr(module, "attach", attach)
    gc.disable()
    try:
        step()
    finally:
        gc.enable()
    return len(refs), [r for r in refs if r() is not None]


def test_one_tape_frees_the_activations_as_its_backward_runs(monkeypatch):
    model = mlp("m", [6, 32, 32, 1])
    x = np.random.default_rng(0).normal(size=(8, 6)).astype("float32")

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True)))
        tape.gradient(loss, model.trainable_variables)

    recorded, alive = _alive_activations(step, monkeypatch)
    assert recorded > 3 and alive == []


# ---------------------------------------------------------------------------- second derivatives


def _torch_mlp(model):
    """The same MLP in torch (tanh hidden layers), sharing the weights as float64 leaves."""
    params = [torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True) for w in model.get_weights()]

    def forward(x):
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = torch.tanh(h)
        return h

    return params, forward


def test_nested_tapes_give_a_hessian_vector_product_as_torch():
    model = mlp("hvp", [5, 7, 1], activation="tanh", seed=3)
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(4, 5)), rng.normal(size=(4, 1))
    weights = model.trainable_variables
    vectors = [rng.normal(size=w.shape) for w in weights]
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = tf.reduce_mean(tf.square(model(x.astype("float32"), training=True) - y.astype("float32")))
        grads = inner.gradient(loss, weights)
        dot = tf.add_n([tf.reduce_sum(g * v.astype("float32")) for g, v in zip(grads, vectors)])
    hvp = outer.gradient(dot, weights)

    params, forward = _torch_mlp(model)
    t_loss = ((forward(torch.tensor(x)) - torch.tensor(y)) ** 2).mean()
    t_grads = torch.autograd.grad(t_loss, params, create_graph=True)
    t_dot = sum((g * torch.tensor(v)).sum() for g, v in zip(t_grads, vectors))
    t_hvp = torch.autograd.grad(t_dot, params)
    for got, expected in zip(hvp, t_hvp):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=2e-4, atol=2e-5)


def test_wgan_gp_gradient_penalty_as_torch():
    """The gradient of a gradient-norm penalty (WGAN-GP) with respect to the critic's weights."""
    critic = mlp("critic", [6, 8, 8, 1], activation="tanh", seed=5)
    rng = np.random.default_rng(5)
    interpolated = rng.normal(size=(5, 6)).astype("float32")
    with tf.GradientTape() as tape:
        with tf.GradientTape() as gp_tape:
            x = tf.constant(interpolated)
            gp_tape.watch(x)
            score = critic(x, training=True)
        grads = gp_tape.gradient(score, [x])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=1))
        penalty = tf.reduce_mean((norm - 1.0) ** 2)
    d_penalty = tape.gradient(penalty, critic.trainable_variables)

    params, forward = _torch_mlp(critic)
    tx = torch.tensor(interpolated.astype(np.float64), requires_grad=True)
    (t_grads,) = torch.autograd.grad(forward(tx).sum(), [tx], create_graph=True)
    t_penalty = ((t_grads.pow(2).sum(dim=1).sqrt() - 1) ** 2).mean()
    t_d = torch.autograd.grad(t_penalty, params, allow_unused=True)
    np.testing.assert_allclose(float(penalty.numpy()), t_penalty.item(), rtol=1e-5)
    assert [g is None for g in d_penalty] == [g is None for g in t_d] == [False] * 5 + [True]  # not the last bias
    for got, expected in zip(d_penalty[:5], t_d[:5]):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4, atol=1e-6)


def test_second_derivative_of_relu_networks_and_scalar_functions():
    x = tf.Variable(np.array([0.5, -1.5, 2.0]))
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = tf.reduce_sum(tf.exp(x) * x * x)
        g = t1.gradient(y, x)
    h = t2.gradient(g, x)
    v = np.array([0.5, -1.5, 2.0])
    expected = np.exp(v) * (v * v + 4 * v + 2)  # d2/dx2 of e^x x^2
    np.testing.assert_allclose(h.numpy(), expected, rtol=1e-10)


def test_a_second_derivative_through_an_op_without_a_rule_says_so():
    x = tf.Variable(np.ones((1, 4, 4, 1), dtype="float32"))
    pool = keras.layers.MaxPooling2D()
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(pool(x))
        with pytest.raises(NotImplementedError, match="deepgrad does not implement gradients of gradients"):
            inner.gradient(y, x)
