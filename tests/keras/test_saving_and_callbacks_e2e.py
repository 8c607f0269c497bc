"""Saving and the callbacks on real models: each shows its effect on a real fit."""
import csv
import os

import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad.keras import layers
from deepgrad.keras.saving.h5_store import VarsWriter


def data(n=128, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], dtype="float32"))[:, None]
    return x, y


def regression_model():
    model = keras.Sequential([layers.Dense(8, activation="tanh", input_shape=(4,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def test_save_weights_and_load_weights_round_trip(tmp_path):
    deepgrad.random.set_seed(0)
    x, y = data()
    model = regression_model()
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "ckpt.weights.h5"
    model.save_weights(path)
    other = regression_model()
    other.load_weights(path)
    np.testing.assert_array_equal(model.predict(x, verbose=0), other.predict(x, verbose=0))
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_save_and_load_model_round_trip(tmp_path):
    x, _ = data()
    model = regression_model()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


def test_interrupted_save_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    x, _ = data()
    model = regression_model()
    path = tmp_path / "ckpt.weights.h5"
    model.save_weights(path)
    good = path.read_bytes()

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(VarsWriter, "__setitem__", fail)
    with pytest.raises(KeyboardInterrupt):
        model.save_weights(path)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["ckpt.weights.h5"]


def test_loading_never_unpickles(tmp_path):
    path = tmp_path / "evil.weights.h5"
    np.save(open(path, "wb"), np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        regression_model().load_weights(path)


def test_early_stopping_stops_and_restores_best_weights():
    deepgrad.random.set_seed(0)
    x, y = data()
    model = regression_model()
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    seen = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((logs["val_loss"], model.get_weights()))

    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    callbacks = [Record(), stopper]
    model.fit(x, y, epochs=50, validation_data=(x, y + 100 * (np.arange(len(y)) % 2)[:, None]), callbacks=callbacks,
              verbose=0)
    assert len(seen) < 50
    best = int(np.argmin([v for v, _ in seen]))
    assert len(seen) == best + 3
    for a, b in zip(model.get_weights(), seen[best][1]):
        np.testing.assert_array_equal(a, b)


def test_reduce_lr_on_plateau_lowers_the_rate():
    x, y = data()
    model = regression_model()
    callback = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=1e9)
    model.fit(x, y, epochs=3, callbacks=[callback], verbose=0)
    # epoch 0 improves on +inf; epochs 1 and 2 cannot improve by 1e9, so the rate halves twice
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.05 * 0.5 ** 2, rtol=1e-6)


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    x, y = data()
    model = regression_model()
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=3, callbacks=[keras.callbacks.CSVLogger(str(path))], verbose=0)
    rows = list(csv.DictReader(open(path)))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], history.history["loss"], rtol=1e-6)


def test_terminate_on_nan_stops_training():
    x, y = data()
    model = regression_model()
    model.compile(optimizer=keras.optimizers.SGD(1e6), loss="mse")
    with np.errstate(over="ignore", invalid="ignore"):  # the run diverges on purpose
        history = model.fit(x, y * 1e10, epochs=20, batch_size=8, callbacks=[keras.callbacks.TerminateOnNaN()],
                            verbose=0)
    assert len(history.history["loss"]) < 20


def test_model_checkpoint_saves_the_best_epochs(tmp_path):
    x, y = data()
    model = regression_model()
    path = str(tmp_path / "best.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True, save_weights_only=True)
    model.fit(x, y, epochs=3, callbacks=[checkpoint], verbose=0)
    restored = regression_model()
    restored.load_weights(path)
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_learning_rate_scheduler_sets_each_epochs_rate():
    x, y = data()
    model = regression_model()
    rates = []

    class Record(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            rates.append(float(model.optimizer.learning_rate))

    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    model.fit(x, y, epochs=3, callbacks=[schedule, Record()], verbose=0)
    np.testing.assert_allclose(rates, [0.1, 0.05, 0.1 / 3], rtol=1e-6)
