"""ModelCheckpoint and BackupAndRestore on real models, checked against uninterrupted runs and Keras 3.

A tiny deterministic regression (no dropout, shuffle=False, 4 batches per epoch)
trains with Adam, whose state (iterations and moments) a resume must restore:
resumed runs must end with the weights of the uninterrupted run. Where Keras runs
the same scenario, both write the same files and Keras resumes from our backups.
"""
import json
import os
import re
import shutil
import warnings

import numpy as np
import pytest

from deepgrad import keras

BATCH = 6
FIT = dict(batch_size=BATCH, shuffle=False, verbose=0)


@pytest.fixture(scope="module")
def oracle():
    """Keras 3 on torch (conftest sets the backend), the reference for files and resumes."""
    return pytest.importorskip("keras")


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], dtype="float32"))[:, None]
    return x, y


def make_model(lib=keras, weights=None):
    """The same Sequential and Adam in deepgrad or Keras; same seed, or the given weights."""
    lib.utils.set_random_seed(1)
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, activation="tanh"), lib.layers.Dense(1)])
    model.compile(optimizer=lib.optimizers.Adam(0.01), loss="mse")
    if weights is not None:
        model.set_weights(weights)
    return model


def interrupt(lib, epoch, batch=None):
    """A callback that raises at the start of `epoch` (or of its `batch`), as a crash would."""

    class Interrupt(lib.callbacks.Callback):
        def on_epoch_begin(self, e, logs=None):
            self.epoch = e
            if batch is None and e == epoch:
                raise RuntimeError("interrupted")

        def on_train_batch_begin(self, b, logs=None):
            if batch is not None and self.epoch == epoch and b == batch:
                raise RuntimeError("interrupted")

    return Interrupt()


def epochs_run(lib):
    """A callback and the list of epochs it sees begin."""
    seen = []
    return lib.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(epoch)), seen


def assert_same_weights(a, b, atol=1e-6):
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, rtol=0, atol=atol)


def metadata(folder, name="training_metadata.json"):
    with open(os.path.join(folder, name)) as f:
        return json.load(f)


# ---- ModelCheckpoint ---------------------------------------------------------------

FORMATS = [(".keras", False), (".h5", False), (".weights.h5", True)]


def load(path, weights_only):
    """A compiled model from a checkpoint: load_model, or a fresh model and load_weights.

    As in Keras, load_weights restores the optimizer's state only into a built optimizer.
    """
    if weights_only:
        model = make_model()
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
        return model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy '.h5' warning
        return keras.saving.load_model(path)


@pytest.mark.parametrize("suffix, weights_only", FORMATS)
def test_each_checkpoint_predicts_as_the_model_did_when_saved(tmp_path, suffix, weights_only):
    x, y = data()
    model = make_model()
    predictions = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: predictions.append(model.predict(x, verbose=0)))
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(tmp_path / f"ckpt-{{epoch:02d}}-{{loss:.4f}}{suffix}"), monitor="loss", save_weights_only=weights_only)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(x, y, epochs=3, callbacks=[checkpoint, record], **FIT)
    names = [f"ckpt-{e + 1:02d}-{loss:.4f}{suffix}" for e, loss in enumerate(history.history["loss"])]
    assert sorted(os.listdir(tmp_path)) == names
    for name, expected in zip(names, predictions, strict=True):
        np.testing.assert_allclose(load(tmp_path / name, weights_only).predict(x, verbose=0), expected,
                                   rtol=0, atol=1e-6)


@pytest.mark.parametrize("suffix, weights_only", FORMATS)
def test_training_goes_on_from_a_checkpoint_as_if_never_stopped(tmp_path, suffix, weights_only):
    x, y = data()
    reference = make_model()
    reference.fit(x, y, epochs=5, **FIT)
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / f"m-{{epoch}}{suffix}"),
                                                 save_weights_only=weights_only)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make_model().fit(x, y, epochs=3, callbacks=[checkpoint], **FIT)
    resumed = load(tmp_path / f"m-3{suffix}", weights_only)
    assert int(resumed.optimizer.iterations) == 12
    resumed.fit(x, y, epochs=5, initial_epoch=3, **FIT)
    assert_same_weights(resumed, reference)


SCENARIOS = [
    ("m-{epoch:02d}.keras", {}),
    ("w-{epoch}-{batch}.weights.h5", dict(save_weights_only=True, save_freq=3)),
    ("best.keras", dict(monitor="loss", mode="max", save_best_only=True)),
    ("b-{epoch}-{val_loss:.3f}.h5", dict(save_best_only=True, initial_value_threshold=1.8)),
    ("s-{epoch}-{batch}.keras", dict(monitor="loss", save_best_only=True, save_freq=5)),
]
VALUE = r"\d+\.\d{5}"


@pytest.mark.parametrize("pattern, kwargs", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_model_checkpoint_writes_the_files_and_messages_of_keras(tmp_path, capsys, oracle, pattern, kwargs):
    x, y = data()
    start = make_model().get_weights()
    outputs = {}
    for name, lib in (("keras", oracle), ("deepgrad", keras)):
        folder = tmp_path / name
        checkpoint = lib.callbacks.ModelCheckpoint(str(folder / pattern), verbose=1, **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make_model(lib, start).fit(x, y, epochs=3, validation_data=(x[:12], y[:12]),
                                       callbacks=[checkpoint], **FIT)
        lines = [line.replace(str(folder), "DIR") for line in capsys.readouterr().out.splitlines() if line]
        # The messages' 5-decimal values may differ in the last digit between the two frameworks.
        values = [float(v) for line in lines for v in re.findall(VALUE, line)]
        outputs[name] = (sorted(os.listdir(folder)), [re.sub(VALUE, "X", line) for line in lines], values)
    files, messages, values = outputs["deepgrad"]
    assert files and (files, messages) == outputs["keras"][:2]
    np.testing.assert_allclose(values, outputs["keras"][2], rtol=0, atol=2e-5)


def test_model_checkpoint_errors_are_keras(tmp_path, oracle):
    for kwargs in (dict(filepath=str(tmp_path / "w.h5"), save_weights_only=True),
                   dict(filepath=str(tmp_path / "m.weights")),
                   dict(filepath=str(tmp_path / "m.keras"), save_freq="batch")):
        with pytest.raises(ValueError) as ours:
            keras.callbacks.ModelCheckpoint(**kwargs)
        with pytest.raises(ValueError) as theirs:
            oracle.callbacks.ModelCheckpoint(**kwargs)
        assert str(ours.value) == str(theirs.value)


# ---- BackupAndRestore --------------------------------------------------------------

@pytest.mark.parametrize("stop", [(3, None), (2, 2)], ids=["at-epoch-3", "inside-epoch-2"])
@pytest.mark.parametrize("same_model", [True, False], ids=["same-model", "new-process"])
def test_resumed_fit_ends_with_the_uninterrupted_weights(tmp_path, stop, same_model):
    x, y = data()
    reference = make_model()
    reference.fit(x, y, epochs=5, **FIT)
    backup_dir = str(tmp_path / "backup")
    backup = keras.callbacks.BackupAndRestore(backup_dir)
    model = make_model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, epochs=5, callbacks=[backup, interrupt(keras, *stop)], **FIT)
    assert sorted(os.listdir(backup_dir)) == ["latest.weights.h5", "training_metadata.json"]
    assert metadata(backup_dir) == {"epoch": stop[0], "batch": 0}

    if not same_model:
        model, backup = make_model(), keras.callbacks.BackupAndRestore(backup_dir)
    probe, seen = epochs_run(keras)
    history = model.fit(x, y, epochs=5, callbacks=[backup, probe], **FIT)
    assert seen == list(range(stop[0], 5))
    assert len(history.history["loss"]) == 5 - stop[0]
    assert int(model.optimizer.iterations) == int(reference.optimizer.iterations) == 20
    assert_same_weights(model, reference)
    assert not os.path.exists(backup_dir)  # delete_checkpoint=True
    # The resume counted for that fit only: the next fit trains all its epochs.
    assert len(model.fit(x, y, epochs=2, **FIT).history["loss"]) == 2


def test_step_backups_resume_at_the_start_of_the_epoch_as_keras(tmp_path, oracle):
    """save_freq=3 over 4-batch epochs backs up after batches 3, 6, 9 (1-based, counted across
    epochs); stopped at batch 2 of epoch 2, the last backup holds 9 steps and says epoch 2, so
    the resumed fit trains all of epoch 2 again from those weights, as Keras does."""
    x, y = data()
    start = make_model().get_weights()
    expected = make_model(keras, start)
    expected.fit(x, y, epochs=2, **FIT)
    expected.fit(x[:BATCH], y[:BATCH], epochs=1, **FIT)  # step 9
    expected.fit(x, y, epochs=5, initial_epoch=2, **FIT)

    finals = {}
    for name, lib in (("keras", oracle), ("deepgrad", keras)):
        backup_dir = str(tmp_path / name)
        model = make_model(lib, start)
        with pytest.raises(RuntimeError, match="interrupted"):
            model.fit(x, y, epochs=5, callbacks=[lib.callbacks.BackupAndRestore(backup_dir, save_freq=3),
                                                 interrupt(lib, 2, batch=2)], **FIT)
        assert sorted(os.listdir(backup_dir)) == ["latest.weights.h5", "training_metadata.json"]
        assert metadata(backup_dir) == {"epoch": 2, "batch": 0}
        probe, seen = epochs_run(lib)
        model.fit(x, y, epochs=5, callbacks=[lib.callbacks.BackupAndRestore(backup_dir, save_freq=3), probe], **FIT)
        assert seen == [2, 3, 4]
        assert int(model.optimizer.iterations) == 9 + 12
        finals[name] = model
    assert_same_weights(finals["deepgrad"], expected)
    assert_same_weights(finals["deepgrad"], finals["keras"], atol=1e-5)


@pytest.mark.parametrize("writer", ["deepgrad", "keras"])
def test_keras_and_deepgrad_resume_from_each_others_backups(tmp_path, oracle, writer):
    x, y = data()
    start = make_model().get_weights()
    libs = {"deepgrad": keras, "keras": oracle}
    backup_dir = tmp_path / "backup"
    lib = libs[writer]
    with pytest.raises(RuntimeError, match="interrupted"):
        make_model(lib, start).fit(x, y, epochs=5, callbacks=[lib.callbacks.BackupAndRestore(str(backup_dir)),
                                                              interrupt(lib, 3)], **FIT)
    finals = {}
    for name, lib in libs.items():
        folder = str(tmp_path / f"copy-{name}")
        shutil.copytree(backup_dir, folder)
        model = make_model(lib)  # other initial weights: the backup must replace them
        history = model.fit(x, y, epochs=5, callbacks=[lib.callbacks.BackupAndRestore(folder)], **FIT)
        assert len(history.history["loss"]) == 2
        assert int(model.optimizer.iterations) == 20
        finals[name] = model
    assert_same_weights(finals["deepgrad"], finals["keras"], atol=1e-5)


def test_double_checkpoint_resumes_from_the_previous_backup_when_the_latest_is_corrupt(tmp_path):
    x, y = data()
    reference = make_model()
    reference.fit(x, y, epochs=5, **FIT)
    backup_dir = tmp_path / "backup"
    model = make_model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, epochs=5, callbacks=[keras.callbacks.BackupAndRestore(str(backup_dir), double_checkpoint=True),
                                             interrupt(keras, 3)], **FIT)
    assert sorted(os.listdir(backup_dir)) == ["latest.weights.h5", "latest.weights.h5.bkp",
                                              "training_metadata.json", "training_metadata.json.bkp"]
    assert metadata(backup_dir) == {"epoch": 3, "batch": 0}
    assert metadata(backup_dir, "training_metadata.json.bkp") == {"epoch": 2, "batch": 0}

    (backup_dir / "latest.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n truncated")
    probe, seen = epochs_run(keras)
    model.fit(x, y, epochs=5, callbacks=[keras.callbacks.BackupAndRestore(str(backup_dir)), probe], **FIT)
    assert seen == [2, 3, 4]
    assert_same_weights(model, reference)


def test_a_corrupt_backup_without_a_previous_one_raises(tmp_path):
    x, y = data()
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()
    (backup_dir / "latest.weights.h5").write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="latest.weights.h5"):
        make_model().fit(x, y, epochs=1, callbacks=[keras.callbacks.BackupAndRestore(str(backup_dir))], **FIT)


def test_delete_checkpoint_false_keeps_the_last_backup(tmp_path):
    x, y = data()
    backup_dir = str(tmp_path / "backup")
    model = make_model()
    model.fit(x, y, epochs=2, callbacks=[keras.callbacks.BackupAndRestore(backup_dir, delete_checkpoint=False)], **FIT)
    assert sorted(os.listdir(backup_dir)) == ["latest.weights.h5", "training_metadata.json"]
    assert metadata(backup_dir) == {"epoch": 2, "batch": 0}
    restored = load(os.path.join(backup_dir, "latest.weights.h5"), weights_only=True)
    assert int(restored.optimizer.iterations) == 8
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_an_unbuilt_model_resumes_because_fit_builds_it_first(tmp_path):
    """As Keras' fit, ours builds the model from the data before on_train_begin, so a backup loads."""
    x, y = data()
    backup_dir = str(tmp_path / "backup")

    def unbuilt():
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    with pytest.raises(RuntimeError, match="interrupted"):
        unbuilt().fit(x, y, epochs=3, callbacks=[keras.callbacks.BackupAndRestore(backup_dir),
                                                 interrupt(keras, 1)], **FIT)
    history = unbuilt().fit(x, y, epochs=3, callbacks=[keras.callbacks.BackupAndRestore(backup_dir)], **FIT)
    assert len(history.history["loss"]) == 2


def test_backup_and_restore_argument_errors_are_keras(tmp_path, oracle):
    for kwargs in (dict(backup_dir=""), dict(backup_dir=str(tmp_path), save_freq="batch")):
        with pytest.raises(ValueError) as ours:
            keras.callbacks.BackupAndRestore(**kwargs)
        with pytest.raises(ValueError) as theirs:
            oracle.callbacks.BackupAndRestore(**kwargs)
        assert str(ours.value) == str(theirs.value)
