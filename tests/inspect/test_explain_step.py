"""explain_step performs the step train_on_batch performs, and its numbers are that step's.

The oracle is deepgrad's own train_on_batch on an identical model (same weights, same optimizer
state, same random draws): applying the returned updates to the weights from before the step must
give the weights train_on_batch gives, for SGD, SGD with momentum, Adam and RMSprop, on a Dense MLP
and on a small CNN with Dropout and BatchNormalization.
"""
import io

import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad.inspect import StepExplanation, explain_step

L = keras.layers


def mlp():
    return keras.Sequential([L.Input((6,)), L.Dense(8, activation="relu"), L.Dense(5, activation="tanh"),
                             L.Dense(3, activation="softmax")])


def cnn():
    return keras.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(),
                             L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.25), L.Dense(3, activation="softmax")])


OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(0.1),
    "momentum": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    "nesterov": lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: keras.optimizers.Adam(0.01),
    "rmsprop": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5),
}


def twins(build, optimizer):
    """Two compiled models with the same weights and optimizer settings."""
    deepgrad.random.set_seed(0)
    a, b = build(), build()
    b.set_weights(a.get_weights())
    for m in (a, b):
        m.compile(optimizer=OPTIMIZERS[optimizer](), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return a, b


def batch(build, n=6, seed=1):
    rng = np.random.default_rng(seed)
    shape = (n, 6) if build is mlp else (n, 8, 8, 1)
    return rng.normal(size=shape).astype("float32"), rng.integers(0, 3, n)


@pytest.mark.parametrize("build", [mlp, cnn], ids=["mlp", "cnn"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "nesterov", "rmsprop"])
def test_updates_reproduce_train_on_batch(build, optimizer):
    a, b = twins(build, optimizer)
    x0, y0 = batch(build, seed=2)
    for m in (a, b):  # one step first, so momentum and Adam's moments are not zero
        deepgrad.random.set_seed(3)
        m.train_on_batch(x0, y0)
    x, y = batch(build)
    deepgrad.random.set_seed(4)
    step = explain_step(a, x, y, file=io.StringIO())
    deepgrad.random.set_seed(4)
    logs = b.train_on_batch(x, y, return_dict=True)
    assert isinstance(step, StepExplanation)
    assert step.loss == pytest.approx(logs["loss"], rel=1e-6)
    assert step.logs == pytest.approx(logs, rel=1e-6)
    assert [w.key for w in step.weights] == [v.name for v in a.trainable_weights]
    for w, after in zip(step.weights, b.trainable_weights):
        np.testing.assert_allclose(w.before + step.updates[w.key], after.data, rtol=0, atol=1e-6)
        np.testing.assert_allclose(w.predicted_update, w.update, rtol=1e-4, atol=1e-7)  # the formula that ran
        assert w.ratio == pytest.approx(np.linalg.norm(w.update) / np.linalg.norm(w.before))
    for mine, theirs in zip(a.weights, b.weights):  # BatchNormalization's moving statistics too
        np.testing.assert_array_equal(mine.data, theirs.data)
    assert int(a.optimizer.iterations) == int(b.optimizer.iterations) == 2


def test_forward_and_backward_numbers_follow_the_chain_rule():
    deepgrad.random.set_seed(0)
    model = keras.Sequential([L.Input((4,)), L.Dense(5, activation="relu", name="hidden"), L.Dense(2, name="out")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(7, 4)).astype("float32"), rng.normal(size=(7, 2)).astype("float32")
    W1, b1, W2, b2 = [w.numpy().copy() for w in model.trainable_weights]
    step = explain_step(model, x, y, file=io.StringIO())
    hidden = np.maximum(x @ W1 + b1, 0)
    out = hidden @ W2 + b2
    np.testing.assert_allclose(step.activations["hidden"], hidden, rtol=1e-6)
    np.testing.assert_allclose(step.activations["out"], out, rtol=1e-6)
    assert step.loss == pytest.approx(np.mean((out - y) ** 2), rel=1e-6)
    g_out = 2 * (out - y) / out.size  # dL/dy of the mean squared error
    np.testing.assert_allclose(step.output_gradients["out"], g_out, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(step.gradients["out/kernel"], hidden.T @ g_out, rtol=1e-5, atol=1e-8)
    g_hidden = g_out @ W2.T
    np.testing.assert_allclose(step.output_gradients["hidden"], g_hidden, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(step.gradients["hidden/kernel"], x.T @ (g_hidden * (hidden > 0)), rtol=1e-5, atol=1e-8)
    sgd_step = -0.1 * step.gradients["hidden/kernel"]
    np.testing.assert_allclose(step.updates["hidden/kernel"], sgd_step, rtol=1e-5, atol=1e-8)
    assert step.layers[0].stats["zeros"] == pytest.approx(np.mean(hidden == 0))


def test_the_account_names_the_four_steps_with_the_real_numbers():
    a, _ = twins(mlp, "adam")
    x, y = batch(mlp)
    out = io.StringIO()
    step = explain_step(a, x, y, file=out, max_rows=2)
    text = out.getvalue()
    assert text.strip() == step.text
    for heading in ("1. Forward propagation", "2. Loss", "3. Backpropagation", "4. Update"):
        assert heading in text
    assert "y = relu(x @ W + b)" in text and "y = softmax(x @ W + b)" in text
    assert "dL/dW = x^T · dL/dz" in text
    assert f"total loss L = {step.loss:.4g}" in text
    assert "sparse_categorical_crossentropy" in text and "mean over the batch" in text
    # Adam's first step: bias corrections 1 - 0.9 and 1 - 0.999, alpha = lr * sqrt(0.001) / 0.1
    assert "bias_correction_1 = 0.1," in text and f"alpha = {0.01 * np.sqrt(0.001) / 0.1:.4g}" in text
    kernel = step.weights[0]
    assert f"W[0, 0]: {kernel.before[0, 0]:.4g} -> {kernel.after[0, 0]:.4g}" in text
    change = kernel.update[0, 0]
    assert f"change = -alpha * m / (sqrt(v) + eps) = -{0.01 * np.sqrt(0.001) / 0.1:.4g} * " in text
    assert f"= {change:.4g}\n" in text
    assert "W[0, 2]" not in text  # max_rows=2
    assert text.count("W[") == 2 * len(step.weights)


def test_regularization_losses_are_added_terms():
    deepgrad.random.set_seed(0)
    model = keras.Sequential([L.Input((3,)), L.Dense(2, kernel_regularizer=keras.regularizers.L2(0.1))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    penalty = 0.1 * np.sum(model.trainable_weights[0].numpy() ** 2)
    step = explain_step(model, x, y, file=io.StringIO())
    (_, data_loss), (_, added) = step.loss_terms
    assert added == pytest.approx(penalty, rel=1e-5)
    assert data_loss + added == pytest.approx(step.loss, rel=1e-6)


def test_functional_model_and_html_page(tmp_path):
    deepgrad.random.set_seed(0)
    inputs = keras.Input((5,))
    hidden = L.Dense(4, activation="sigmoid", name="hidden")(inputs)
    model = keras.Model(inputs, L.Dense(1, name="out")(hidden))
    model.compile(optimizer="rmsprop", loss="mse")
    x, y = np.random.default_rng(0).normal(size=(3, 5)).astype("float32"), np.zeros((3, 1), "float32")
    page = tmp_path / "step.html"
    step = explain_step(model, x, y, file=io.StringIO(), html=str(page))
    assert [entry.name for entry in step.layers] == ["hidden", "out"]
    assert "saturated" in step.layers[0].stats
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "1. Forward propagation" in html and "4. Update" in html
    pytest.importorskip("matplotlib")
    assert html.count("src='data:image/png;base64,") == 2
    assert "http" not in html.replace("http-equiv", "")  # self-contained: nothing fetched


def test_refuses_what_it_cannot_replay():
    model = mlp()
    with pytest.raises(RuntimeError, match="must be compiled"):
        explain_step(model, *batch(mlp))

    class Custom(keras.Model):
        def train_step(self, data):
            return {}

    inputs = keras.Input((6,))
    custom = Custom(inputs, L.Dense(3)(inputs))
    custom.compile(optimizer="sgd", loss="mse")
    with pytest.raises(NotImplementedError, match="overrides train_step"):
        explain_step(custom, *batch(mlp))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="max_rows=-1"):
        explain_step(model, *batch(mlp), max_rows=-1)
    assert "call" not in vars(model.layers[0])  # the recording wrapper is gone


def test_sample_weights_are_used_as_train_on_batch_uses_them():
    a, b = twins(mlp, "momentum")
    x, y = batch(mlp)
    weights = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 3.0], "float32")
    step = explain_step(a, x, y, sample_weight=weights, file=io.StringIO())
    loss = b.train_on_batch(x, y, sample_weight=weights, return_dict=True)["loss"]
    assert step.loss == pytest.approx(loss, rel=1e-6)
    assert "with the given sample weights" in step.text
    for w, after in zip(step.weights, b.trainable_weights):
        np.testing.assert_allclose(w.before + w.update, after.data, rtol=0, atol=1e-6)
