"""`deepgrad explain`: a script up to its first fit(), or a saved model on a batch of data."""
import textwrap

import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad.cli import main

SCRIPT = """\
import sys

import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(10, 4)).astype("float32")
y = rng.integers(0, 3, 10)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
np.savez(sys.argv[1], *model.get_weights())
print("BEFORE FIT")
model.fit(x, y, batch_size=4, epochs=3)
print("AFTER FIT")
"""


def reference_loss(weights, x, y, optimizer="adam", loss="sparse_categorical_crossentropy"):
    """The loss train_on_batch reports for the same model on the same batch."""
    model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.set_weights(weights)
    model.compile(optimizer=optimizer, loss=loss)
    return model.train_on_batch(x, y)


def test_script_is_explained_at_its_first_fit_and_stops(tmp_path, capsys):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    weights = tmp_path / "w.npz"
    page = tmp_path / "step.html"
    assert main(["explain", "--html", str(page), str(path), str(weights)]) == 0
    out = capsys.readouterr().out
    assert "BEFORE FIT" in out and "AFTER FIT" not in out
    assert "on a batch of 4 samples" in out and "(4, 4) -> (4, 5)" in out
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(10, 4)).astype("float32"), rng.integers(0, 3, 10)
    saved = np.load(weights)
    loss = reference_loss([saved[f"arr_{i}"] for i in range(4)], x[:4], y[:4])
    assert f"total loss L = {loss:.4g}" in out
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert deepgrad.keras.models.trainer.Trainer.fit.__name__ == "fit"  # the real fit is back
    assert main(["run", str(path), str(weights)]) == 0
    assert "AFTER FIT" in capsys.readouterr().out


def test_saved_model_on_npy_batches(tmp_path, capsys):
    deepgrad.random.set_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.save(tmp_path / "m.keras")
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(9, 4)).astype("float32"), rng.integers(0, 3, 9)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    argv = ["explain", "--model", str(tmp_path / "m.keras"), "--x", str(tmp_path / "x.npy"),
            "--y", str(tmp_path / "y.npy"), "--batch-size", "6", "--max-rows", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    loss = reference_loss(model.get_weights(), x[:6], y[:6], optimizer="sgd")
    assert f"total loss L = {loss:.4g}" in out and "the optimizer SGD" in out
    assert out.count("W[") == 4  # one worked entry per weight


def test_saved_model_on_the_mnist_sample(tmp_path, capsys):
    deepgrad.random.set_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(2, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.save(tmp_path / "cnn.keras")  # not compiled: --loss compiles it
    argv = ["explain", "--model", str(tmp_path / "cnn.keras"), "--data", "mnist", "--batch-size", "8",
            "--loss", "sparse_categorical_crossentropy", "--optimizer", "sgd"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "(8, 28, 28, 1) -> (8, 26, 26, 2)" in out and "the optimizer SGD" in out


@pytest.mark.parametrize("argv, status, message", [
    (["explain"], 2, "give either SCRIPT or --model"),
    (["explain", "missing.py"], 2, "no such file: missing.py"),
])
def test_usage_errors(argv, status, message, capsys):
    assert main(argv) == status
    assert message in capsys.readouterr().err


def test_script_without_fit_and_model_without_data(tmp_path, capsys):
    path = tmp_path / "nofit.py"
    path.write_text(textwrap.dedent("print('hello')\n"))
    assert main(["explain", str(path)]) == 1
    assert "ended without calling fit()" in capsys.readouterr().err
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.save(tmp_path / "plain.keras")
    assert main(["explain", "--model", str(tmp_path / "plain.keras"), "--data", "mnist"]) == 1
    assert "saved without compile()" in capsys.readouterr().err
