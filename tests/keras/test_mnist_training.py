"""Learning on real MNIST (../shared/datasets/mnist): the tutorials' CNN and MLP reach their accuracy."""
import time
from pathlib import Path

import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad.cli import build_mnist_cnn

MNIST = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "mnist"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not MNIST.is_dir(), reason=f"real MNIST files not found at {MNIST}"),
]


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data(path=MNIST)
    return (x_train / 255.0).astype("float32"), y_train, (x_test / 255.0).astype("float32"), y_test


def test_three_conv_cnn_reaches_98_5_percent(mnist):
    x_train, y_train, x_test, y_test = mnist
    deepgrad.random.set_seed(1)
    model = build_mnist_cnn(keras)
    assert model.count_params() == 93322
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train[..., None], y_train, epochs=5, batch_size=64, verbose=2)
    per_epoch = (time.perf_counter() - start) / 5
    loss, accuracy = model.evaluate(x_test[..., None], y_test, verbose=0)
    print(f"CNN: test accuracy {accuracy:.4f}, {per_epoch:.1f} s/epoch")
    assert len(history.history["loss"]) == 5
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy >= 0.985


def test_mlp_reaches_97_percent(mnist):
    x_train, y_train, x_test, y_test = mnist
    deepgrad.random.set_seed(2)
    layers = keras.layers
    model = keras.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=5, batch_size=64, verbose=2)
    per_epoch = (time.perf_counter() - start) / 5
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"MLP: test accuracy {accuracy:.4f}, {per_epoch:.1f} s/epoch")
    assert accuracy >= 0.97
    predictions = model.predict(x_test[:100], verbose=0)
    assert predictions.shape == (100, 10)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)
