"""keras.callbacks.TensorBoard: the logs of fit and evaluate as TensorBoard event files, as Keras 3 writes them.

    log_dir/train/        epoch_<metric> at each epoch (epoch_loss, epoch_accuracy, epoch_learning_rate),
                          batch_<metric> every update_freq batches (step = the global batch number,
                          counted from 1), <weight path>/histogram (and /image with write_images)
                          every histogram_freq epochs, the model's JSON ("keras", step 0) with write_graph
    log_dir/validation/   epoch_<metric> of the validation logs (without the "val_" prefix), and at
                          the end of each evaluation evaluation_<metric>_vs_iterations at the step
                          optimizer.iterations

With an integer update_freq the callback makes its writer the default one of `tf.summary` for
each batch, recording only when the global batch number is a multiple of update_freq (Keras'
`record_if`), so `tf.summary` calls inside a model's `call` land in the same files. That condition
stays set until the next batch, so (as in Keras) the epoch summaries are recorded only when the
epoch's last global batch number is a multiple of update_freq.

The event files are written by deepgrad/keras/utils/tensorboard_writer.py, which needs the
`tensorboard` package (pip install tensorboard). deepgrad has no op graph to trace: profile_batch is
checked as Keras checks it and then ignored with a warning.
"""
import os
import time
import warnings

from ..backend import xp
from .callback_base import Callback
from .utils import tensorboard_writer as tbw

__all__ = ["TensorBoard"]


def _weight_path(model, weight):
    """Keras 3's `weight.path`: "<layer>/<name>" in a functional model, "<model>/<layer>/<name>" otherwise."""
    functional = getattr(model, "_functional", False) and not _is_sequential(model)
    return weight.name if functional else f"{model.name}/{weight.name}"


def _is_sequential(model):
    return any(cls.__name__ == "Sequential" for cls in type(model).__mro__)


def _weight_image(weight):
    """Keras' picture of a weight as [n, h, w, 1]: a bias as one column, a kernel as one image with its
    longer side across, a 3-D kernel as one image per last-axis slice; None when there is no picture."""
    w = xp.squeeze(xp.asarray(weight))
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        w = xp.transpose(w, (2, 0, 1))
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    return w if w.ndim == 4 and w.shape[-1] in (1, 3, 4) else None


def _profile_range(profile_batch):
    """(start, stop) batches from an int, a pair or "start,stop"; Keras' ValueError otherwise."""
    message = ("profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair of "
               f"positive integers signifies a range of batches to profile. Found: {profile_batch}")
    if isinstance(profile_batch, str):
        try:
            profile_batch = [int(part) for part in profile_batch.split(",")]
        except ValueError:
            raise ValueError(message) from None
        profile_batch = profile_batch[0] if len(profile_batch) == 1 else profile_batch
    if isinstance(profile_batch, int):
        start = stop = profile_batch
    elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
        start, stop = profile_batch
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


class TensorBoard(Callback):
    """Writes the training logs, weight histograms and images for TensorBoard (`tensorboard --logdir logs`).

    Args:
        log_dir: the directory of the `train` and `validation` event folders.
        histogram_freq: every how many epochs to write weight histograms (0: never).
        write_graph: write the model's JSON config (the graph plugin's "keras" tag) for a
            Sequential or functional model; a model that cannot be serialized is skipped with a warning.
        write_images: with histogram_freq, also write each weight as an image.
        write_steps_per_second: also write batch_steps_per_second / epoch_steps_per_second.
        update_freq: "epoch", "batch" (= 1) or an int N: write batch_<metric> every N batches.
        profile_batch: checked as Keras does; deepgrad has no profiler trace, so a nonzero value
            only warns.
        embeddings_freq: every how many epochs to save the weights for the projector
            (train/keras_embedding.ckpt-<epoch>.weights.h5, with log_dir/projector_config.pbtxt).
        embeddings_metadata: a file name, or a dict of Embedding layer name -> metadata file.

    Example:

    ```python
    model.fit(x, y, epochs=5, validation_split=0.2,
              callbacks=[keras.callbacks.TensorBoard("logs", histogram_freq=1)])
    ```
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        if _profile_range(profile_batch) != (0, 0):
            warnings.warn(f"TensorBoard: deepgrad has no profiler; profile_batch={profile_batch} is ignored.",
                          stacklevel=2)
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._writers = {}
        self._pushed = []

    def set_model(self, model):
        """Sets the model, starts new writers, and writes the model's config when write_graph."""
        self._model = model
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers = {}
        if self.write_graph:
            self._write_model_config()
        if self.embeddings_freq:
            self._configure_embeddings()

    @property
    def _train_writer(self):
        if "train" not in self._writers:
            self._writers["train"] = tbw.SummaryWriter(self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self):
        if "val" not in self._writers:
            self._writers["val"] = tbw.SummaryWriter(self._val_dir)
        return self._writers["val"]

    def _write_model_config(self):
        with self._train_writer.as_default():
            kind = type(self.model).__name__  # Keras: only its "Sequential" and "Functional" classes
            if not (kind == "Sequential" or kind == "Model" and getattr(self.model, "_functional", False)):
                return
            try:
                json_string = self.model.to_json()
            except Exception as e:  # Keras: a model that cannot be serialized must not stop training
                warnings.warn(f"Model failed to serialize as JSON. Ignoring... {e}", stacklevel=2)
                return
            tbw.keras_model("keras", json_string, step=0)

    def _configure_embeddings(self):
        from google.protobuf import text_format
        from tensorboard.plugins.projector import projector_config_pb2

        config = projector_config_pb2.ProjectorConfig()
        metadata = self.embeddings_metadata
        for layer in self.model.layers:
            if type(layer).__name__ == "Embedding":
                embedding = config.embeddings.add()
                embedding.tensor_name = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"
                if isinstance(metadata, str):
                    embedding.metadata_path = metadata
                elif metadata is not None and layer.name in metadata:
                    embedding.metadata_path = metadata.pop(layer.name)
        if metadata and not isinstance(metadata, str):
            raise ValueError("Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` "
                             f"`embeddings_metadata` argument: {metadata.keys()}")
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w") as f:
            f.write(text_format.MessageToString(config))

    # The default writer for batch-level summaries (update_freq an int), as Keras' _push/_pop_writer.
    def _push_writer(self, writer, step):
        if self.update_freq == "epoch":
            return
        contexts = (writer.as_default(step), tbw.record_if(lambda: step % self.update_freq == 0))
        for context in contexts:
            context.__enter__()
        self._pushed.append(contexts)

    def _pop_writer(self):
        if self.update_freq == "epoch":
            return
        as_default, record = self._pushed.pop()
        record.__exit__(None, None, None)
        as_default.__exit__(None, None, None)

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._push_writer(self._train_writer, self._global_train_batch)

    def on_train_end(self, logs=None):
        self._pop_writer()
        self._close_writers()

    def on_test_begin(self, logs=None):
        self._push_writer(self._val_writer, self._global_test_batch)

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            with self._val_writer.as_default():
                for name, value in (logs or {}).items():
                    tbw.scalar(f"evaluation_{name}_vs_iterations", value, step=int(xp.asarray(optimizer.iterations)))
        self._pop_writer()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer(self._train_writer, self._global_train_batch)
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.write_steps_per_second:
            tbw.scalar("batch_steps_per_second", 1.0 / max(time.time() - self._batch_start_time, 1e-12),
                       step=self._global_train_batch)
        if isinstance(logs, dict):
            for name, value in logs.items():
                tbw.scalar(f"batch_{name}", value, step=self._global_train_batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1
        if self.update_freq != "epoch":
            self._pop_writer()
            self._push_writer(self._val_writer, self._global_test_batch)

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = int(xp.asarray(self.model.optimizer.iterations))
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self.model.save_weights(os.path.join(self.log_dir, "train", f"keras_embedding.ckpt-{epoch}.weights.h5"))

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            train_logs["learning_rate"] = float(xp.asarray(optimizer.learning_rate))
        if self.write_steps_per_second:
            iterations = int(xp.asarray(self.model.optimizer.iterations)) - self._previous_epoch_iterations
            train_logs["steps_per_second"] = iterations / max(time.time() - self._epoch_start_time, 1e-12)
        if train_logs:
            with self._train_writer.as_default():
                for name, value in train_logs.items():
                    tbw.scalar(f"epoch_{name}", value, step=epoch)
        if val_logs:
            with self._val_writer.as_default():
                for name, value in val_logs.items():
                    tbw.scalar(f"epoch_{name[4:]}", value, step=epoch)

    def _log_weights(self, epoch):
        with self._train_writer.as_default():
            for layer in self.model.layers:
                for weight in layer.weights:
                    name = _weight_path(self.model, weight).replace(":", "_")
                    tbw.histogram(f"{name}/histogram", weight, step=epoch)
                    if self.write_images:
                        picture = _weight_image(weight)
                        if picture is not None:
                            tbw.image(f"{name}/image", picture, step=epoch)
        self._train_writer.flush()
