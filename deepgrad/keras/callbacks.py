"""Callbacks: code that fit, evaluate and predict call at fixed points.

The training loop calls, through a CallbackList:

    on_train_begin()
      on_epoch_begin(epoch)
        on_train_batch_begin(batch) / on_train_batch_end(batch, logs)   per batch
        on_test_begin() ... on_test_batch_*(batch, logs) ... on_test_end(logs)   validation
      on_epoch_end(epoch, logs)          logs: {'loss': ..., 'val_loss': ..., ...}
    on_train_end(logs)

Batch logs hold the running means of the epoch so far, epoch logs the epoch
means, all as Python floats. A callback reaches the model through `self.model`
(`stop_training`, `optimizer.learning_rate`, `get_weights`, `save`, ...) and
the fit parameters ({'verbose', 'epochs', 'steps'}) through `self.params`.

The semantics follow Keras 3 (keras/src/callbacks/), including its quirks:
EarlyStopping restores the best weights at the end of training whenever
`restore_best_weights=True` (stopped early or not), CSVLogger adds `val_`
columns filled with 'NA' when the first epoch has no validation, and the
logs that callbacks see have their keys sorted.
"""
import collections
import csv
import json
import math
import os
import shutil
import warnings

from ..backend import xp
from .callback_base import Callback, print_message, pythonify_logs
from .diagnostics import LOG_PREFIX, Diagnostics
from .tensorboard_callback import TensorBoard
from .utils.progbar import Progbar

__all__ = [
    "Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping", "ModelCheckpoint",
    "BackupAndRestore", "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger", "TerminateOnNaN",
    "LambdaCallback", "Diagnostics", "TensorBoard",
]


class CallbackList(Callback):
    """Calls every hook on a list of callbacks, in order.

    Args:
        callbacks: a list of Callback instances (nested lists are flattened).
        add_history: add a History callback unless the list has one.
        add_progbar: add a ProgbarLogger unless the list has one.
        model: the model the callbacks work with; also gets `model.history`.
        **params: fit parameters passed to each callback's set_params
            (verbose, epochs, steps).

    The added History and ProgbarLogger come after the user's callbacks, so
    they see what the user's callbacks put into the logs (e.g. `learning_rate`).
    Each hook makes one dict of the logs (keys sorted, values as floats) and
    hands the same dict to every callback.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _flatten_callbacks(callbacks)
        self._history = None
        self._progbar = None
        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def set_params(self, params):
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def _dispatch(self, hook, *args, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(*args, logs)

    def _dispatch_batch(self, hook, batch, logs):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            getattr(cb, hook)(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        self._dispatch_batch("on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._dispatch_batch("on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._dispatch_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._dispatch_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._dispatch_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._dispatch_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._dispatch_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._dispatch_batch("on_predict_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._dispatch("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._dispatch("on_epoch_end", epoch, logs=logs)

    def on_train_begin(self, logs=None):
        self._dispatch("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._dispatch("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._dispatch("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._dispatch("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._dispatch("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._dispatch("on_predict_end", logs=logs)


def _flatten_callbacks(callbacks):
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) and not isinstance(callbacks, CallbackList):
        return [callbacks]
    out = []
    for cb in callbacks:
        if isinstance(cb, (list, tuple, CallbackList)):
            out.extend(_flatten_callbacks(cb))
        elif isinstance(cb, Callback):
            out.append(cb)
        else:
            raise TypeError(
                f"Callbacks must be instances of keras.callbacks.Callback. Received: {cb!r}"
            )
    return out


class History(Callback):
    """Records each epoch's logs; fit returns it and sets it as `model.history`.

    Attributes:
        history: dict of metric name -> list of per-epoch values.
        epoch: list of the epoch indices seen.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints the epoch header and a Progbar for fit, evaluate and predict.

    Inside fit the validation pass is silent: its results appear on the epoch
    line as `val_*`. Metrics are shown as the logs hold them (running means);
    Diagnostics' per-layer values (`diagnostics/...`) stay in the history, off the line.
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_message(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # predictions are not metrics

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _reset_progbar(self):
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self):
        if self.progbar is None:
            # The logs already hold running means: show them as they are.
            self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step",
                                   stateless_metrics=set())

    def _update_progbar(self, batch, logs=None):
        self._maybe_init_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, _shown(logs), finalize=False)

    def _finalize_progbar(self, logs):
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, _shown(logs), finalize=True)


def _shown(logs):
    """The (name, value) pairs of `logs` the progress bar prints."""
    return [(k, v) for k, v in (logs or {}).items() if not k.startswith(LOG_PREFIX)]


# ---- callbacks that watch a metric ---------------------------------------------

_MAX_WORDS = ("acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2", "cosine_similarity",
              "true_positives", "true_negatives", "specificity", "sensitivity")
_MIN_WORDS = ("loss", "error", "mae", "mse", "mape", "msle", "crossentropy", "hinge", "divergence",
              "poisson", "logcosh", "false_positives", "false_negatives")


def _less(a, b):
    return a < b


def _greater(a, b):
    return a > b


class MonitorCallback(Callback):
    """Base of callbacks that watch one metric for improvement (Keras 3's rules).

    Args:
        monitor: the logs key to watch.
        mode: 'min', 'max' or 'auto' (the direction from the metric's name:
            losses and errors go down, accuracies and the like go up).
        baseline: the initial best value (None: the first value seen).
        min_delta: the least change that counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = _less
        elif self.mode == "max":
            self.monitor_op = _greater
        else:
            self.monitor_op = self._infer_monitor_op()
        if self.monitor_op is _less:
            self.min_delta *= -1

    def _infer_monitor_op(self):
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return _less
        for metric in _model_metrics(self.model):
            if getattr(metric, "name", None) == name and hasattr(metric, "_direction"):
                return _greater if metric._direction == "up" else _less
        lowered = name.lower()
        if any(word in lowered for word in _MIN_WORDS):
            return _less
        if any(word in lowered for word in _MAX_WORDS):
            return _greater
        raise ValueError(
            f"{type(self).__name__} callback received monitor={self.monitor}, but Keras isn't "
            "able to automatically determine whether that metric should be maximized or "
            "minimized. Pass `mode='max'` in order to monitor based on the highest metric "
            "value, or pass `mode='min'` in order to use the lowest value."
        )

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _model_metrics(model):
    """The model's metric objects, containers opened, or [] when it has none yet."""
    try:
        metrics = list(getattr(model, "metrics", None) or [])
    except Exception:  # a model not built yet may fail to list its metrics
        return []
    out = []
    for m in metrics:
        out.append(m)
        out.extend(getattr(m, "metrics", None) or [])
    return out


class EarlyStopping(MonitorCallback):
    """Stop training when a monitored metric has stopped improving.

    Args:
        monitor: the quantity to watch. Default 'val_loss'.
        min_delta: a change smaller than this is no improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a message when stopping and restoring.
        mode: 'auto', 'min' or 'max'.
        baseline: training stops after `patience` epochs unless the metric
            beats this value.
        restore_best_weights: at the end of training, set the weights of the
            best epoch (whether training stopped early or ran all its epochs,
            and even when no epoch beat `baseline`).
        start_from_epoch: epochs of warm-up before monitoring begins.

    Example:

    ```python
    callback = keras.callbacks.EarlyStopping(monitor="loss", patience=3)
    history = model.fit(x, y, epochs=10, callbacks=[callback])
    ```
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # The callback may be reused across fit calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing saved yet: the current weights are the best so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # The wait restarts only when both the baseline and the best are beaten.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_message(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_message(
                    f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(logs)}",
                stacklevel=2,
            )
        return value


class _SaveFrequency:
    """Keras' save_freq counting, shared by ModelCheckpoint and BackupAndRestore.

    With an integer save_freq, batches are counted across epochs (batch indices restart
    at 0 each epoch) and a save is due every save_freq of them; with 'epoch', never on a batch.
    """

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch began: batches are 0-based
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False


class ModelCheckpoint(_SaveFrequency, MonitorCallback):
    """Save the model or its weights during training.

    At the end of each epoch (or every `save_freq` batches) the callback writes
    `model.save(path)` ('.keras' zip, or Keras' legacy HDF5 for '.h5'), or with
    `save_weights_only=True` `model.save_weights(path)` ('.weights.h5'). Each
    file holds the optimizer's state when the model is compiled, so training
    can go on from it: `keras.saving.load_model(path)`, or compile a model of the
    same architecture, build its optimizer and load the weights (as in Keras, an
    optimizer not built yet keeps its fresh state, with a warning):

        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)

    The path is `filepath.format(epoch=epoch + 1, **logs)`: epochs count from 1,
    and with an integer `save_freq` the 1-based batch of the epoch is there as
    `{batch}` too. Missing folders are made. With `save_best_only`, a save
    happens only when `monitor` beats the best value so far (and
    `initial_value_threshold`, when given); a fixed name then always holds the
    best model. `verbose=1` prints, as Keras does, "Epoch 3: saving model to
    PATH" (or "Epoch 3: val_loss improved from 0.41000 to 0.39000, saving model
    to PATH" / "Epoch 3: val_loss did not improve from 0.39000") and then
    "Epoch 3: finished saving model to PATH".

    Args:
        filepath: where to save; may hold `{epoch:02d}`, `{batch}` and any
            logs key, e.g. 'ckpt-{epoch:02d}-{val_loss:.2f}.keras'. Must end in
            '.weights.h5' when `save_weights_only`, else in '.keras' or '.h5'.
        monitor: the logs key `save_best_only` compares ('val_' for validation).
        verbose: 1 prints a message at each save decision.
        save_best_only: save only when `monitor` improves on the best so far.
        save_weights_only: `model.save_weights(path)` instead of `model.save(path)`.
        mode: 'auto', 'min' or 'max': whether a lower or a higher `monitor` is
            better ('auto': from the metric's name).
        save_freq: 'epoch', or an integer: save every that many batches (counted
            across epochs; the metrics are then the running means of the epoch so far).
        initial_value_threshold: the best value to beat at the start (save_best_only).

    Raises:
        ValueError: a `filepath` with the wrong suffix, or a `save_freq` that
            is neither 'epoch' nor an integer, as Keras words them.

    Example:

    ```python
    checkpoint = keras.callbacks.ModelCheckpoint(
        "ckpt/best.keras", monitor="val_accuracy", mode="max", save_best_only=True)
    model.fit(x, y, epochs=10, validation_split=0.2, callbacks=[checkpoint])
    best = keras.saving.load_model("ckpt/best.keras")
    ```
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values"
            )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format). "
                    f"Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). "
                f"Received: filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_model(self, epoch, logs, filepath):
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                print_message(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
            return True
        if isinstance(current, xp.ndarray) and current.ndim > 0:
            warnings.warn(
                "Can save best model only when `monitor` is a scalar value. "
                f"Received: {current}. Falling back to `save_best_only=False`."
            )
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_message(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_message(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}")
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IOError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {filepath}"
            )
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)
        if self.verbose > 0:
            print_message(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch, batch, logs):
        logs = logs or {}
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            ) from None


class BackupAndRestore(_SaveFrequency, Callback):
    """Back up the training state during fit, and resume from it after an interruption.

    At the end of each epoch (or every `save_freq` batches) the callback writes,
    in Keras 3's format and names, into `backup_dir`:

        latest.weights.h5        model.save_weights(): the weights and, for a
                                 compiled model, the optimizer's state (its
                                 iteration count and moments)
        training_metadata.json   {"epoch": epochs completed, "batch": the last batch index seen}

    Each backup replaces the previous one. When fit starts with the callback and
    a backup is there (a new process after a crash, or the same model after an
    exception stopped fit), `on_train_begin` loads the weights and the
    optimizer's state and sets `model._initial_epoch` to the metadata's epoch,
    which fit then starts from: the run goes on as if it had never stopped, and
    its History holds the epochs run now. With an integer `save_freq` a backup
    may fall inside an epoch; as in Keras, training then restarts that epoch
    from its first batch with the weights of the backup ("batch" is written,
    not read). A fit that completes deletes `backup_dir` (`delete_checkpoint`).

    The weights of a backup can only be loaded into a built model. As in Keras,
    fit builds a model fed arrays from their shapes before `on_train_begin`; a
    model fed a generator or a PyDataset must be built (an `Input`, or
    `model.build(shape)`) before fit to resume.

    Args:
        backup_dir: the folder for the backup, made when needed; nothing else may
            use it (not another run's BackupAndRestore, not a ModelCheckpoint).
        save_freq: 'epoch', or an integer: back up every that many batches
            (counted across epochs).
        double_checkpoint: also keep the backup before the latest, as
            'latest.weights.h5.bkp' and 'training_metadata.json.bkp'; when the
            latest cannot be read (a corrupted file), fit resumes from that one.
        delete_checkpoint: delete `backup_dir` at the end of a fit that completes.

    Raises:
        ValueError: an empty `backup_dir`, a `save_freq` that is neither 'epoch'
            nor an integer, or (in fit) a backup to restore into a model not built yet.

    Example:

    ```python
    backup = keras.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    try:
        model.fit(x, y, epochs=10, callbacks=[backup, interrupt])  # raises at epoch 4
    except RuntimeError:
        pass
    history = model.fit(x, y, epochs=10, callbacks=[backup])
    len(history.history["loss"])  # 6: epochs 4 to 9 (0-based)
    ```
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(
                f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value."
            )

    def on_train_begin(self, logs=None):
        if os.path.exists(self._weights_path) and not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call "
                f"`fit()`. Model {self.model} is unbuilt. You can build it beforehand by calling "
                "it on a batch of data."
            )
        try:
            self._load_model()
        except (OSError, ValueError):
            # The latest backup cannot be read: fall back to the previous one, if kept.
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copy(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copy(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        """Restore the weights, the optimizer's state and the epoch to start from."""
        if os.path.exists(self._weights_path):
            optimizer = self.model.optimizer
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.model.trainable_variables)  # its state must exist to be loaded
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as f:
                epoch = json.load(f)["epoch"]
            self.model._initial_epoch = epoch
            self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _save_model(self):
        """Write the weights and the training metadata, first keeping the last ones if asked."""
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path, previous in ((self._weights_path, self._prev_weights_path),
                                   (self._training_metadata_path, self._prev_training_metadata_path)):
                if os.path.exists(path):
                    shutil.copy(path, previous)
        self.model.save_weights(self._weights_path)
        with open(self._training_metadata_path, "w") as f:
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, f)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


# ---- learning rate -----------------------------------------------------------------

def _get_lr(optimizer):
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return float(optimizer.learning_rate)


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from `schedule(epoch, lr)`.

    Args:
        schedule: a function of the epoch index (0-based) and the current
            learning rate (float) returning the new learning rate. A function
            of the epoch alone also works.
        verbose: 1 prints the rate set each epoch.

    The rate is also recorded in the epoch logs as 'learning_rate'.

    Example:

    ```python
    def scheduler(epoch, lr):
        return lr if epoch < 10 else lr * math.exp(-0.1)

    model.fit(x, y, epochs=15, callbacks=[keras.callbacks.LearningRateScheduler(scheduler)])
    ```
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = _get_lr(optimizer)
        try:
            new_lr = self.schedule(epoch, lr)
        except TypeError:  # the old signature: schedule(epoch)
            new_lr = self.schedule(epoch)
        try:
            if isinstance(new_lr, (bool, str)):
                raise TypeError
            new_lr = float(new_lr)
        except (TypeError, ValueError):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {new_lr}"
            ) from None
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print_message(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new_lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model.optimizer)


class ReduceLROnPlateau(MonitorCallback):
    """Reduce the learning rate when a metric has stopped improving.

    Args:
        monitor: the quantity to watch.
        factor: new_lr = lr * factor (must be < 1).
        patience: epochs without improvement before the rate is reduced.
        verbose: 1 prints a message at each reduction.
        mode: 'auto', 'min' or 'max'.
        min_delta: the least change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the rate never goes below this.

    The rate is also recorded in the epoch logs as 'learning_rate'.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:  # the tf.keras 1 name of min_delta
            min_delta = kwargs.pop("epsilon")
            warnings.warn("`epsilon` argument is deprecated, use `min_delta` instead.", stacklevel=2)
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _get_lr(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(logs)}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_lr(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce_lr(self, epoch):
        optimizer = self.model.optimizer
        old_lr = _get_lr(optimizer)
        # Compared in float32, the precision of the rate in Keras, so a rate
        # already at min_lr is not "reduced" again.
        if not xp.float32(old_lr) > xp.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print_message(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True


# ---- logging and control -----------------------------------------------------------

class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file.

    Columns: 'epoch' (0-based) then the logs keys sorted; when the first epoch
    has no validation metrics, `val_` columns are added for each key and hold
    'NA' until validation runs (as in Keras).

    Args:
        filename: the CSV file, e.g. 'run/log.csv'.
        separator: the column separator.
        append: append to an existing file (no second header) instead of overwriting.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r", newline="") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if self.writer is None:
            sep = self.sep

            class Dialect(csv.excel):
                delimiter = sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _csv_value(value):
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
        isinstance(value, xp.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class TerminateOnNaN(Callback):
    """Stop training when a batch loss is NaN or infinite.

    Args:
        raise_error: raise a RuntimeError at once instead of setting
            `model.stop_training` (which lets on_train_end run).
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print_message(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of plain functions.

    Args:
        on_epoch_begin, on_epoch_end: called with (epoch, logs).
        on_train_begin, on_train_end: called with (logs).
        on_train_batch_begin, on_train_batch_end: called with (batch, logs).
        **kwargs: any other hook by name, e.g. `on_test_end=fn`.

    Example:

    ```python
    print_batch = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: print(batch))
    ```
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        hooks = {
            "on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin, "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin, "on_train_batch_end": on_train_batch_end,
        }
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)
