"""Callbacks driven by a fake training loop that follows fit's contract.

FakeModel holds one weight array whose value tells which epoch (or batch) wrote
it, so restoring the best weights is checked by value. `run_fit` calls the
hooks in the order model.fit does and feeds scripted logs.
"""
import io
import math
import os
import sys

import numpy as np
import pytest

from deepgrad.keras import callbacks as cb_module
from deepgrad.keras.callbacks import (
    Callback, CallbackList, CSVLogger, EarlyStopping, History, LambdaCallback,
    LearningRateScheduler, ModelCheckpoint, ProgbarLogger, ReduceLROnPlateau, TerminateOnNaN,
)


class FakeOptimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate


class FakeModel:
    def __init__(self, learning_rate=0.01):
        self._weights = [np.array([-1.0, -1.0])]
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.saved = []  # (kind, path) in call order

    def get_weights(self):
        return [w.copy() for w in self._weights]

    def set_weights(self, weights):
        self._weights = [np.array(w, dtype=float) for w in weights]

    def mark(self, value):
        """What a training step does to the weights, made visible."""
        self._weights = [np.array([value, value], dtype=float)]

    def save_weights(self, path):
        self.saved.append(("weights", path))
        with open(path, "w") as f:
            f.write("weights")

    def save(self, path):
        self.saved.append(("model", path))
        with open(path, "w") as f:
            f.write("model")


def run_fit(model, callbacks, epoch_logs, steps=2, verbose=0, batch_logs=None, val_steps=1):
    """Drive the callbacks as model.fit does.

    Args:
        epoch_logs: one dict per epoch: the logs passed to on_epoch_end.
        batch_logs: fn(epoch, batch) -> logs of that batch; by default the
            epoch's train metrics.
    Returns the History (model.history) and the number of batches run.
    """
    cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                       verbose=verbose, epochs=len(epoch_logs), steps=steps)
    model.stop_training = False
    cbs.on_train_begin()
    logs = None
    batches_run = 0
    for epoch, scripted in enumerate(epoch_logs):
        cbs.on_epoch_begin(epoch)
        train_logs = {k: v for k, v in scripted.items() if not k.startswith("val_")}
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            model.mark(100 * epoch + batch)
            batches_run += 1
            cbs.on_train_batch_end(batch, batch_logs(epoch, batch) if batch_logs else dict(train_logs))
            if model.stop_training:
                break
        model.mark(epoch)  # the weights at the end of epoch `epoch` are [epoch, epoch]
        val_logs = {k[4:]: v for k, v in scripted.items() if k.startswith("val_")}
        if val_logs:
            cbs.on_test_begin()
            for batch in range(val_steps):
                cbs.on_test_batch_begin(batch)
                cbs.on_test_batch_end(batch, dict(val_logs))
            cbs.on_test_end(dict(val_logs))
        logs = dict(scripted)
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model.history, batches_run


def val_losses(values):
    return [{"loss": 1.0, "val_loss": v} for v in values]


def weight_epoch(model):
    return model.get_weights()[0][0]


# ---- EarlyStopping ------------------------------------------------------------------

@pytest.mark.parametrize("losses, patience, epochs_run", [
    ([0.5, 0.4, 0.45, 0.41, 0.3, 0.2], 2, 4),   # best at epoch 1, two bad epochs -> stop at 3
    ([1.0, 0.9, 0.95, 0.8, 0.7], 0, 3),         # the first non-improving epoch stops
    ([0.5, 0.4, 0.45, 0.41, 0.3, 0.2], 3, 6),   # the improvement at epoch 4 comes in time
    ([0.5, 0.4, 0.3, 0.2], 1, 4),               # always improving: never stops
])
def test_early_stopping_patience(losses, patience, epochs_run):
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=patience)
    history, _ = run_fit(model, [es], val_losses(losses))
    assert len(history.history["val_loss"]) == epochs_run
    assert history.epoch == list(range(epochs_run))
    assert es.stopped_epoch == (epochs_run - 1 if epochs_run < len(losses) else 0)


def test_early_stopping_min_delta():
    losses = [1.0, 0.95, 0.92, 0.85, 0.8]
    es = EarlyStopping(monitor="val_loss", patience=2, min_delta=0.1)
    history, _ = run_fit(FakeModel(), [es], val_losses(losses))
    # 0.95 and 0.92 are not 0.1 better than 1.0: stopped at epoch 2.
    assert len(history.history["val_loss"]) == 3
    assert es.stopped_epoch == 2
    assert es.best == 1.0

    es = EarlyStopping(monitor="val_loss", patience=2, min_delta=0)
    history, _ = run_fit(FakeModel(), [es], val_losses(losses))
    assert len(history.history["val_loss"]) == 5


@pytest.mark.parametrize("mode", ["max", "auto"])
def test_early_stopping_max_mode(mode):
    logs = [{"val_accuracy": a} for a in [0.5, 0.6, 0.6, 0.55, 0.9]]
    es = EarlyStopping(monitor="val_accuracy", patience=2, mode=mode)
    history, _ = run_fit(FakeModel(), [es], logs)
    assert len(history.history["val_accuracy"]) == 4  # 0.6 is no improvement on 0.6
    assert es.best == 0.6


def test_early_stopping_min_mode_on_accuracy_stops_when_it_rises():
    logs = [{"val_accuracy": a} for a in [0.5, 0.6, 0.7]]
    es = EarlyStopping(monitor="val_accuracy", patience=0, mode="min")
    history, _ = run_fit(FakeModel(), [es], logs)
    assert len(history.history["val_accuracy"]) == 2


@pytest.mark.parametrize("baseline, epochs_run", [(None, 6), (0.85, 6), (0.5, 4)])
def test_early_stopping_baseline(baseline, epochs_run):
    # Improving epochs that do not beat the baseline still count toward patience.
    losses = [0.9, 0.8, 0.7, 0.71, 0.72, 0.73, 0.74]
    es = EarlyStopping(monitor="val_loss", patience=3, baseline=baseline)
    history, _ = run_fit(FakeModel(), [es], val_losses(losses))
    assert len(history.history["val_loss"]) == epochs_run


def test_early_stopping_baseline_never_beaten_restores_best():
    # Keras' own case: patience 5, baseline 0.5 never beaten -> 5 epochs, best epoch 2 restored.
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=5, baseline=0.5, restore_best_weights=True)
    history, _ = run_fit(model, [es], val_losses([0.9, 0.8, 0.7, 0.71, 0.72, 0.73]))
    assert len(history.history["val_loss"]) == 5
    assert weight_epoch(model) == 2


@pytest.mark.parametrize("start, epochs_run", [(0, 2), (3, 5)])
def test_early_stopping_start_from_epoch(start, epochs_run):
    losses = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    es = EarlyStopping(monitor="val_loss", patience=0, start_from_epoch=start)
    history, _ = run_fit(FakeModel(), [es], val_losses(losses))
    assert len(history.history["val_loss"]) == epochs_run


def test_early_stopping_restores_best_weights_when_stopping():
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    run_fit(model, [es], val_losses([0.2, 0.15, 0.1, 0.11, 0.12, 0.05]))
    assert es.stopped_epoch == 4
    assert es.best_epoch == 2
    assert weight_epoch(model) == 2


def test_early_stopping_without_restore_keeps_last_weights():
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=2)
    run_fit(model, [es], val_losses([0.2, 0.15, 0.1, 0.11, 0.12, 0.05]))
    assert weight_epoch(model) == 4


def test_early_stopping_restores_at_train_end_even_without_stopping():
    # Keras 3 (keras/src/callbacks/early_stopping.py) restores in on_train_end
    # whenever best weights were kept, also when all epochs ran or another
    # callback stopped training.
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
    run_fit(model, [es], val_losses([0.5, 0.3, 0.4]))
    assert es.stopped_epoch == 0
    assert weight_epoch(model) == 1

    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
    stopper = LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(model, "stop_training", epoch == 3))
    history, _ = run_fit(model, [es, stopper], val_losses([0.9, 0.8, 0.7, 0.71, 0.72, 0.73]))
    assert len(history.epoch) == 4
    assert weight_epoch(model) == 2


def test_early_stopping_reused_across_fits_resets():
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    run_fit(model, [es], val_losses([0.1, 0.2, 0.3]))
    assert es.stopped_epoch == 1
    history, _ = run_fit(model, [es], val_losses([5.0, 4.0, 3.0]))
    assert len(history.epoch) == 3  # the old best 0.1 is forgotten
    assert es.stopped_epoch == 0
    assert weight_epoch(model) == 2


def test_early_stopping_missing_monitor_warns_and_never_stops():
    es = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="val_loss"):
        history, _ = run_fit(FakeModel(), [es], [{"loss": v} for v in [1.0, 2.0, 3.0]])
    assert len(history.epoch) == 3


def test_early_stopping_auto_mode_unknown_metric_raises():
    es = EarlyStopping(monitor="val_foo", patience=0)
    with pytest.raises(ValueError, match="mode='max'"):
        run_fit(FakeModel(), [es], [{"val_foo": 1.0}])


def test_early_stopping_verbose_messages(capsys):
    model = FakeModel()
    es = EarlyStopping(monitor="val_loss", patience=1, verbose=1, restore_best_weights=True)
    run_fit(model, [es], val_losses([0.3, 0.4, 0.5, 0.6]))
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out


# ---- ModelCheckpoint ----------------------------------------------------------------

def test_model_checkpoint_every_epoch_formats_names(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "model-{epoch:02d}-{val_loss:.2f}.keras")
    run_fit(model, [ModelCheckpoint(path)], val_losses([0.5, 0.6, 0.4]))
    names = [os.path.basename(p) for _, p in model.saved]
    assert names == ["model-01-0.50.keras", "model-02-0.60.keras", "model-03-0.40.keras"]
    assert all(kind == "model" for kind, _ in model.saved)
    assert sorted(os.listdir(tmp_path)) == names


def test_model_checkpoint_save_best_only(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "best-{epoch}.keras")
    ckpt = ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    run_fit(model, [ckpt], val_losses([0.5, 0.6, 0.4, 0.4, 0.3]))
    assert [os.path.basename(p) for _, p in model.saved] == ["best-1.keras", "best-3.keras", "best-5.keras"]
    assert ckpt.best == 0.3


def test_model_checkpoint_save_best_only_max_mode_and_weights(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "w-{epoch:02d}-{val_accuracy:.3f}.weights.h5")
    ckpt = ModelCheckpoint(path, monitor="val_accuracy", save_best_only=True, save_weights_only=True)
    run_fit(model, [ckpt], [{"val_accuracy": a} for a in [0.7, 0.65, 0.8, 0.75]])
    assert model.saved == [("weights", str(tmp_path / "w-01-0.700.weights.h5")),
                           ("weights", str(tmp_path / "w-03-0.800.weights.h5"))]


def test_model_checkpoint_fixed_name_overwrites_the_best(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "best.keras")
    run_fit(model, [ModelCheckpoint(path, save_best_only=True)], val_losses([0.5, 0.4, 0.6]))
    assert [p for _, p in model.saved] == [path, path]


def test_model_checkpoint_initial_value_threshold(tmp_path):
    model = FakeModel()
    ckpt = ModelCheckpoint(str(tmp_path / "m{epoch}.keras"), save_best_only=True,
                           initial_value_threshold=0.45)
    run_fit(model, [ckpt], val_losses([0.5, 0.6, 0.4, 0.42]))
    assert [os.path.basename(p) for _, p in model.saved] == ["m3.keras"]


def test_model_checkpoint_save_freq_batches(tmp_path):
    model = FakeModel()
    ckpt = ModelCheckpoint(str(tmp_path / "ckpt-{epoch}-{batch}.keras"), monitor="loss", save_freq=2)
    run_fit(model, [ckpt], [{"loss": 1.0}, {"loss": 0.5}], steps=3)
    # batches 0,1 | 2,0 | 1,2 of epochs 1 then 2 (numbers are 1-based in names)
    assert [os.path.basename(p) for _, p in model.saved] == [
        "ckpt-1-2.keras", "ckpt-2-1.keras", "ckpt-2-3.keras"]


def test_model_checkpoint_creates_directories(tmp_path):
    model = FakeModel()
    run_fit(model, [ModelCheckpoint(str(tmp_path / "a" / "b" / "m.keras"))], val_losses([0.5]))
    assert os.path.isfile(tmp_path / "a" / "b" / "m.keras")


def test_model_checkpoint_rejects_bad_paths_and_freq(tmp_path):
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        ModelCheckpoint(str(tmp_path / "ckpt"), save_weights_only=True)
    with pytest.raises(ValueError, match=r"\.keras"):
        ModelCheckpoint(str(tmp_path / "ckpt"))
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")
    ckpt = ModelCheckpoint(str(tmp_path / "m-{val_acc:.2f}.keras"))
    with pytest.raises(KeyError, match="val_acc"):
        run_fit(FakeModel(), [ckpt], val_losses([0.5]))


def test_model_checkpoint_verbose(tmp_path, capsys):
    path = str(tmp_path / "m.keras")
    run_fit(FakeModel(), [ModelCheckpoint(path, save_best_only=True, verbose=1)], val_losses([0.5, 0.6]))
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from None to 0.50000, saving model to {path}" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out
    assert not out.startswith("\n")  # no blank lines where there is no live progress bar


# ---- learning rate ------------------------------------------------------------------

def test_learning_rate_scheduler_sets_rates():
    model = FakeModel(learning_rate=0.1)
    seen = []
    sched = LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)
    probe = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    history, _ = run_fit(model, [sched, probe], [{"loss": 1.0}] * 4)
    assert seen == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert model.optimizer.learning_rate == pytest.approx(0.0125)


def test_learning_rate_scheduler_uses_current_rate_and_old_signature():
    model = FakeModel(learning_rate=1.0)
    run_fit(model, [LearningRateScheduler(lambda epoch, lr: lr * 0.9)], [{"loss": 1.0}] * 3)
    assert model.optimizer.learning_rate == pytest.approx(0.9 ** 3)

    model = FakeModel(learning_rate=1.0)
    run_fit(model, [LearningRateScheduler(lambda epoch: 0.5 if epoch < 2 else 0.05)], [{"loss": 1.0}] * 3)
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    # numpy scalars work as Keras accepts them
    model = FakeModel()
    run_fit(model, [LearningRateScheduler(lambda epoch, lr: np.float32(0.25))], [{"loss": 1.0}])
    assert model.optimizer.learning_rate == 0.25
    assert type(model.optimizer.learning_rate) is float


def test_learning_rate_scheduler_rejects_non_numbers(capsys):
    with pytest.raises(ValueError, match="should be a float"):
        run_fit(FakeModel(), [LearningRateScheduler(lambda epoch, lr: "fast")], [{"loss": 1.0}])
    run_fit(FakeModel(), [LearningRateScheduler(lambda epoch, lr: 0.5, verbose=1)], [{"loss": 1.0}])
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.5." in capsys.readouterr().out


def test_reduce_lr_on_plateau_patience_cooldown_min_lr():
    model = FakeModel(learning_rate=0.1)
    rlr = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    history, _ = run_fit(model, [rlr], val_losses([1.0] * 10))
    # The logged rate is the one the epoch trained with; reductions happen after
    # epochs 2, 4 and 6 (two waits, one cooldown epoch that does not count).
    assert history.history["learning_rate"] == pytest.approx(
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02])
    assert model.optimizer.learning_rate == pytest.approx(0.02)


def test_reduce_lr_on_plateau_without_cooldown():
    model = FakeModel(learning_rate=1.0)
    rlr = ReduceLROnPlateau(monitor="loss", factor=0.1, patience=1)
    history, _ = run_fit(model, [rlr], [{"loss": v} for v in [1.0, 1.0, 1.0, 0.5, 0.5]])
    assert history.history["learning_rate"] == pytest.approx([1.0, 1.0, 0.1, 0.01, 0.01])
    assert model.optimizer.learning_rate == pytest.approx(0.001)


def test_reduce_lr_on_plateau_min_delta_and_improvement():
    # Improvements larger than min_delta reset the wait; smaller ones do not.
    model = FakeModel(learning_rate=1.0)
    rlr = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_delta=0.01)
    run_fit(model, [rlr], val_losses([1.0, 0.9, 0.8, 0.7, 0.6]))
    assert model.optimizer.learning_rate == 1.0
    run_fit(model, [rlr], val_losses([1.0, 0.995, 0.991]))
    assert model.optimizer.learning_rate == 0.5


def test_reduce_lr_on_plateau_max_mode_and_bad_factor():
    model = FakeModel(learning_rate=1.0)
    rlr = ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1, mode="max")
    run_fit(model, [rlr], [{"val_accuracy": a} for a in [0.5, 0.6, 0.7]])
    assert model.optimizer.learning_rate == 1.0
    run_fit(model, [rlr], [{"val_accuracy": a} for a in [0.5, 0.4]])
    assert model.optimizer.learning_rate == 0.5
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)


# ---- CSVLogger ---------------------------------------------------------------------

def read(path):
    with open(path, newline="") as f:
        return f.read()


def test_csv_logger_rows_and_append(tmp_path):
    path = tmp_path / "log.csv"
    logs = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.7},
            {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "val_accuracy": 0.8}]
    run_fit(FakeModel(), [CSVLogger(str(path))], logs)
    assert read(path) == (
        "epoch,accuracy,loss,val_accuracy,val_loss\r\n"
        "0,0.75,0.5,0.7,0.625\r\n"
        "1,0.875,0.25,0.8,0.5\r\n"
    )
    run_fit(FakeModel(), [CSVLogger(str(path), append=True)], logs[:1])
    assert read(path).splitlines() == [
        "epoch,accuracy,loss,val_accuracy,val_loss",
        "0,0.75,0.5,0.7,0.625",
        "1,0.875,0.25,0.8,0.5",
        "0,0.75,0.5,0.7,0.625",
    ]
    run_fit(FakeModel(), [CSVLogger(str(path))], logs[1:])  # no append: overwritten
    assert read(path).splitlines() == ["epoch,accuracy,loss,val_accuracy,val_loss", "0,0.875,0.25,0.8,0.5"]


def test_csv_logger_append_to_new_file_writes_header(tmp_path):
    path = tmp_path / "new.csv"
    run_fit(FakeModel(), [CSVLogger(str(path), append=True)], [{"loss": 0.5, "val_loss": 0.75}])
    assert read(path) == "epoch,loss,val_loss\r\n0,0.5,0.75\r\n"


def test_csv_logger_separator_and_missing_validation(tmp_path):
    path = tmp_path / "log.tsv"
    run_fit(FakeModel(), [CSVLogger(str(path), separator=";")], [{"loss": 0.5, "mae": 0.25}])
    # As Keras: without validation in the first epoch, val_ columns are reserved as NA.
    assert read(path) == "epoch;loss;mae;val_loss;val_mae\r\n0;0.5;0.25;NA;NA\r\n"


def test_csv_logger_sees_learning_rate_from_earlier_callback(tmp_path):
    path = tmp_path / "log.csv"
    run_fit(FakeModel(learning_rate=0.5), [LearningRateScheduler(lambda e, lr: lr), CSVLogger(str(path))],
            [{"loss": 0.5, "val_loss": 0.75}])
    assert read(path) == "epoch,learning_rate,loss,val_loss\r\n0,0.5,0.5,0.75\r\n"


# ---- TerminateOnNaN, LambdaCallback, History ---------------------------------------------

@pytest.mark.parametrize("bad", [float("nan"), float("inf"), np.float32("nan")])
def test_terminate_on_nan_stops_at_the_bad_batch(bad, capsys):
    model = FakeModel()
    losses = {(0, 0): 0.5, (0, 1): 0.4, (0, 2): 0.3, (1, 0): 0.3, (1, 1): bad, (1, 2): 0.2}
    history, batches = run_fit(model, [TerminateOnNaN()], [{"loss": 0.4}] * 5, steps=3,
                               batch_logs=lambda e, b: {"loss": losses.get((e, b), 0.1)})
    assert model.stop_training is True
    assert batches == 5  # epoch 0 whole, then batches 0 and 1 of epoch 1
    assert history.epoch == [0, 1]
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_nan_ignores_finite_and_can_raise():
    model = FakeModel()
    _, batches = run_fit(model, [TerminateOnNaN()], [{"loss": 0.4}] * 2, steps=3)
    assert batches == 6 and model.stop_training is False
    with pytest.raises(RuntimeError, match="batch 0"):
        run_fit(FakeModel(), [TerminateOnNaN(raise_error=True)], [{"loss": math.nan}])


def test_lambda_callback_calls():
    calls = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, logs["loss"])),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["val_loss"])),
        on_train_end=lambda logs: calls.append("train_end"),
        on_test_end=lambda logs: calls.append(("test_end", logs["loss"])),
    )
    run_fit(FakeModel(), [cb], [{"loss": 1.0, "val_loss": 2.0}], steps=2)
    assert calls == ["train_begin", ("epoch_begin", 0), ("batch_begin", 0), ("batch_end", 0, 1.0),
                     ("batch_begin", 1), ("batch_end", 1, 1.0), ("test_end", 2.0),
                     ("epoch_end", 0, 2.0), "train_end"]


def test_history_collects():
    model = FakeModel()
    logs = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625}, {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5}]
    history, _ = run_fit(model, [], logs, steps=7, verbose=0)
    assert isinstance(history, History)
    assert model.history is history
    assert history.epoch == [0, 1]
    assert history.history == {"accuracy": [0.75, 0.875], "loss": [0.5, 0.25], "val_loss": [0.625, 0.5]}
    assert list(history.history) == ["accuracy", "loss", "val_loss"]  # sorted, as Keras 3
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 7}
    assert history.model is model


# ---- CallbackList -------------------------------------------------------------------

class Recorder(Callback):
    def __init__(self, name, events):
        super().__init__()
        self.name, self.events = name, events

    def __getattribute__(self, attr):
        value = object.__getattribute__(self, attr)
        if attr.startswith("on_") and attr not in ("on_batch_begin", "on_batch_end"):
            def record(*args, **kwargs):
                object.__getattribute__(self, "events").append((object.__getattribute__(self, "name"), attr))
                return value(*args, **kwargs)
            return record
        return value


def test_callback_list_dispatch_order():
    events = []
    a, b = Recorder("a", events), Recorder("b", events)
    run_fit(FakeModel(), [a, b], [{"loss": 1.0, "val_loss": 1.0}], steps=1)
    hooks = ["on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_train_batch_end",
             "on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
             "on_epoch_end", "on_train_end"]
    assert events == [(name, hook) for hook in hooks for name in ("a", "b")]


def test_callback_list_adds_history_and_progbar_last():
    model = FakeModel()
    user = Callback()
    cbs = CallbackList([user], add_history=True, add_progbar=True, model=model, verbose=1, epochs=3, steps=10)
    assert cbs.callbacks[0] is user
    assert isinstance(cbs.callbacks[1], History) and isinstance(cbs.callbacks[2], ProgbarLogger)
    assert model.history is cbs.callbacks[1]
    assert all(c.model is model for c in cbs.callbacks)
    assert all(c.params == {"verbose": 1, "epochs": 3, "steps": 10} for c in cbs.callbacks)
    assert cbs.callbacks[2].target == 10 and cbs.callbacks[2].epochs == 3

    # A History given by the user is used, not doubled; no progbar when verbose=0.
    history = History()
    cbs = CallbackList([[history]], add_history=True, add_progbar=False, model=model,
                       verbose=0, epochs=1, steps=1)
    assert cbs.callbacks == [history]
    assert model.history is history
    with pytest.raises(TypeError, match="Callback"):
        CallbackList(["not a callback"])


def test_callback_list_logs_are_floats_sorted_and_shared():
    seen = []

    class Mutator(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["extra"] = 1.5

    class Reader(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(dict(logs))

    original = {"loss": np.float32(0.5), "accuracy": np.array(0.25), "val_loss": 2}
    cbs = CallbackList([Mutator(), Reader()], model=FakeModel())
    cbs.on_epoch_end(0, original)
    assert seen == [{"accuracy": 0.25, "loss": 0.5, "val_loss": 2.0, "extra": 1.5}]
    assert list(seen[0]) == ["accuracy", "loss", "val_loss", "extra"]
    assert all(type(v) is float for v in seen[0].values())
    assert "extra" not in original  # the caller's dict is left alone


def test_train_batch_hooks_call_the_old_aliases():
    calls = []

    class Old(Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, logs["loss"]))

    run_fit(FakeModel(), [Old()], [{"loss": 0.5}], steps=2)
    assert calls == [("begin", 0), ("end", 0, 0.5), ("begin", 1), ("end", 1, 0.5)]


# ---- ProgbarLogger through the callback list ----------------------------------------------

class FakeStream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


def test_progbar_logger_in_a_log_file_prints_two_lines_per_epoch(monkeypatch):
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    stream = FakeStream(tty=False)
    monkeypatch.setattr(sys, "stdout", stream)
    logs = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.7}] * 3
    run_fit(FakeModel(), [], logs, steps=50, verbose=1, val_steps=5)
    lines = stream.getvalue().split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert len(lines) == 6 and "\r" not in stream.getvalue()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    for line in lines[1::2]:
        assert line.startswith("50/50 - ")
        assert "/step - accuracy: 0.7500 - loss: 0.5000 - val_accuracy: 0.7000 - val_loss: 0.6250" in line


def test_progbar_logger_on_a_terminal_rewrites_the_line(monkeypatch):
    stream = FakeStream(tty=True)
    monkeypatch.setattr(sys, "stdout", stream)
    run_fit(FakeModel(), [], [{"loss": 0.5, "val_loss": 0.25}], steps=20, verbose=1)
    out = stream.getvalue()
    assert out.count("\n") == 1  # one epoch, so no "Epoch 1/1" header; the line ends once
    assert out.count("\r") >= 2  # the first batch and the final line at least
    final = out.split("\r")[-1]
    assert final.startswith("20/20 [==============================] - ")
    assert final.rstrip().endswith("/step - loss: 0.5000 - val_loss: 0.2500")


def test_progbar_logger_evaluate_with_unknown_steps(monkeypatch):
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    stream = FakeStream(tty=False)
    monkeypatch.setattr(sys, "stdout", stream)
    # evaluate(): test hooks outside fit print their own line, target known only at the end
    cbs = CallbackList([], add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=None)
    cbs.on_test_begin()
    for batch in range(4):
        cbs.on_test_batch_begin(batch)
        cbs.on_test_batch_end(batch, {"loss": 0.125})
    cbs.on_test_end({"loss": 0.125})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("4/4 - ") and lines[0].endswith("/step - loss: 0.1250")


def test_progbar_logger_silent_at_verbose_0(monkeypatch):
    stream = FakeStream(tty=True)
    monkeypatch.setattr(sys, "stdout", stream)
    run_fit(FakeModel(), [], [{"loss": 0.5}] * 2, steps=5, verbose=0)
    assert stream.getvalue() == ""


def test_messages_keep_leading_newline_on_a_terminal(monkeypatch):
    stream = FakeStream(tty=True)
    monkeypatch.setattr(sys, "stdout", stream)
    cb_module.print_message("\nEpoch 1: hello")
    assert stream.getvalue() == "\nEpoch 1: hello\n"
