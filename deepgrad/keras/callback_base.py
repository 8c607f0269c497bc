"""The callback base class and what every callback module shares (printing a message, plain logs).

Its own module so that callbacks.py and the callbacks kept in their own files (Diagnostics,
TensorBoard) all import it from below, without an import circle.
"""
import sys

from .utils.progbar import is_dynamic_display


def print_message(message):
    """Print a callback's message to stdout.

    Keras starts these messages with a newline to leave a live progress bar's
    line; where there is no live bar (logs, pipes) that would only leave blank
    lines, so it is dropped.
    """
    if not is_dynamic_display():
        message = message.lstrip("\n")
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def pythonify_logs(logs):
    """A new dict of the logs, keys sorted, values as Python floats where possible.

    Nested dicts are flattened into the result, as in Keras.
    """
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


class Callback:
    """Base class of callbacks: every hook does nothing.

    Attributes:
        model: the model being trained (set by `set_model`).
        params: the fit parameters, {'verbose', 'epochs', 'steps'} (set by `set_params`).

    Example:

    ```python
    class StopAtLoss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs["loss"] < 0.1:
                self.model.stop_training = True
    ```
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    @model.setter
    def model(self, model):
        self._model = model

    # Backwards-compatible aliases: the train-batch hooks call them.
    def on_batch_begin(self, batch, logs=None):
        """Alias of on_train_batch_begin, kept for old callbacks."""

    def on_batch_end(self, batch, logs=None):
        """Alias of on_train_batch_end, kept for old callbacks."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (training only)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with its metrics, validation ones prefixed `val_`."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before a training batch; calls on_batch_begin."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after a training batch with the running metrics; calls on_batch_end."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before a batch of evaluate() or of fit's validation."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after a batch of evaluate() or of fit's validation."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a batch of predict()."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a batch of predict()."""

    def on_train_begin(self, logs=None):
        """Called at the start of training."""

    def on_train_end(self, logs=None):
        """Called at the end of training with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called at the start of evaluation or validation."""

    def on_test_end(self, logs=None):
        """Called at the end of evaluation or validation."""

    def on_predict_begin(self, logs=None):
        """Called at the start of prediction."""

    def on_predict_end(self, logs=None):
        """Called at the end of prediction."""
