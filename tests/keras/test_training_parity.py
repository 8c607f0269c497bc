"""Training parity with real Keras 3: same CNN, same data, same initial weights, same optimizer steps.

Also: summary() parameter counts of the tutorials' models equal Keras'.
"""
import re

import numpy as np
import pytest

keras_ref = pytest.importorskip("keras", reason="Keras 3 is a test extra (pip install keras) for parity tests")

from deepgrad import keras  # noqa: E402
from deepgrad.cli import build_mnist_cnn  # noqa: E402

OPTIMIZERS = {
    "sgd": dict(learning_rate=0.05),
    "sgd_momentum_nesterov": dict(learning_rate=0.05, momentum=0.9, nesterov=True),
    "adam": dict(learning_rate=0.01),
    "adam_amsgrad": dict(learning_rate=0.01, amsgrad=True),
    "adamw": dict(learning_rate=0.01, weight_decay=0.01),
    "rmsprop": dict(learning_rate=0.01),
    "rmsprop_centered_momentum": dict(learning_rate=0.01, centered=True, momentum=0.5),
    "adagrad": dict(learning_rate=0.05),
    "adadelta": dict(learning_rate=1.0),
    "adamax": dict(learning_rate=0.01),
    "nadam": dict(learning_rate=0.01),
}
CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
           "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam"}


def small_cnn(lib):
    L = lib.layers
    return lib.Sequential([
        L.Conv2D(4, (3, 3), activation="relu", input_shape=(8, 8, 1)),
        L.MaxPooling2D((2, 2)),
        L.Flatten(),
        L.Dense(8, activation="relu"),
        L.Dense(3, activation="softmax"),
    ])


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_loss_after_5_steps_matches_keras(key):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(5, 16, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, size=(5, 16))
    ours, theirs = small_cnn(keras), small_cnn(keras_ref)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    name = CLASSES[key.split("_")[0]]
    ours.compile(optimizer=getattr(keras.optimizers, name)(**OPTIMIZERS[key]),
                 loss="sparse_categorical_crossentropy")
    theirs.compile(optimizer=getattr(keras_ref.optimizers, name)(**OPTIMIZERS[key]),
                   loss="sparse_categorical_crossentropy")
    our_losses = [ours.train_on_batch(x[i], y[i]) for i in range(5)]
    their_losses = [float(theirs.train_on_batch(x[i], y[i])) for i in range(5)]
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-5, atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), atol=2e-5)


def tutorial_models(lib):
    L = lib.layers
    mlp = lib.Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(128, activation="relu"),
                          L.Dense(10, activation="softmax")])
    one_conv = lib.Sequential([L.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
                               L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(64, activation="relu"),
                               L.Dense(10, activation="softmax")])
    cifar = lib.Sequential([L.Conv2D(32, (3, 3), activation="relu", input_shape=(32, 32, 3)),
                            L.MaxPooling2D((2, 2)), L.Conv2D(64, (3, 3), activation="relu"),
                            L.MaxPooling2D((2, 2)), L.Conv2D(64, (3, 3), activation="relu"),
                            L.Flatten(), L.Dense(64, activation="relu"), L.Dense(10)])
    inputs = lib.Input(shape=(784,))
    hidden = L.Dense(64, activation="relu")(inputs)
    functional = lib.Model(inputs, L.Dense(10, activation="softmax")(hidden))
    return {"mlp": mlp, "one_conv": one_conv, "cifar": cifar, "functional": functional}


def test_tutorial_models_have_keras_parameter_counts_and_output_shapes():
    ours, theirs = tutorial_models(keras), tutorial_models(keras_ref)
    ours["three_conv"], theirs["three_conv"] = build_mnist_cnn(keras), build_mnist_cnn(keras_ref)
    for name in ours:
        assert ours[name].count_params() == theirs[name].count_params(), name
        assert [l.count_params() for l in ours[name].layers] == [l.count_params() for l in theirs[name].layers], name
        assert [tuple(l.output.shape) for l in ours[name].layers] == [
            tuple(l.output.shape) for l in theirs[name].layers], name


def test_summary_prints_the_table_and_totals(capsys):
    model = build_mnist_cnn(keras)
    model.summary()
    text = capsys.readouterr().out
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    assert re.search(r"│ conv2d(_\d+)? \(Conv2D\) +│ \(None, 26, 26, 32\) +│ +320 │", text)
    assert "Total params: 93,322" in text
    assert "Trainable params: 93,322" in text
    assert "Non-trainable params: 0" in text
