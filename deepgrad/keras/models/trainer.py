"""compile / fit / evaluate / predict: the training loop of forward, loss, backward, update.

Keras 3's trainer contract: fit, evaluate and predict hand each batch, packed as Keras packs it
(`x`, `(x, y)` or `(x, y, sample_weight)`), to `train_step(data)`, `test_step(data)` and
`predict_step(data)`; the dict a step returns is what the progress bar, the callbacks and History
log. A subclass overrides a step and uses the building blocks the default steps use:
`keras.utils.unpack_x_y_sample_weight(data)`, `compute_loss(x, y, y_pred, sample_weight, training)`,
`compute_metrics(x, y, y_pred, sample_weight)`, `self.metrics` (which also holds every Metric set
as an attribute of the model or of its layers) and `get_metrics_result()`.
"""
import collections
import functools
import inspect
import numbers
import warnings

from ...backend import floatx, xp
from ...tensor import Tensor, as_tensor, enable_grad, no_grad, run_backward
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..callbacks import CallbackList, pythonify_logs
from ..layers.keras_tensor import flatten_structure, map_structure
from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from ..utils.data_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from .data_adapter import is_array_data, make_batches, split_validation, to_arrays

# What compile() keeps (Keras does not track it): its metrics are listed in Keras' places in
# `metrics`, not among the metrics set as attributes of the model.
_TRAINER_METRIC_ATTRIBUTES = frozenset({"_loss_tracker", "_compile_metrics", "_loss_trackers", "_compile_spec",
                                        "_output_losses"})
_METRIC_HOLDERS = (metrics_module.Metric, list, tuple, dict)  # the attribute values that may hold metrics


class Trainer:
    """The training API mixed into Model."""

    def __init__(self):
        self.optimizer = None
        self.compiled = False
        self.loss = None  # compile()'s loss, as Keras keeps it
        self.stop_training = False
        self.history = None
        self._initial_epoch = None  # where fit resumes, set by a callback in on_train_begin
        self._compile_spec = None
        self._compile_options = {}
        self._output_losses = None  # (loss, weight, tracker) per output, from the first batch
        self._output_names = None
        self._loss_tracker = None
        self._loss_trackers = []  # one Mean per output loss, when there are several
        self._compile_metrics = None

    def __setattr__(self, name, value):
        # Keras' automatic tracking: a Metric set as an attribute (alone, or in a list, tuple or
        # dict) joins `self.metrics`, in the order first set; the trainer's own are placed apart.
        if isinstance(value, _METRIC_HOLDERS) and name not in _TRAINER_METRIC_ATTRIBUTES:
            tracked = self.__dict__.setdefault("_tracked_metrics", [])
            for metric in _metrics_in(value):
                if all(metric is not t for t in tracked):
                    tracked.append(metric)
        super().__setattr__(name, value)

    # ---- compile ---------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Set the optimizer, the loss(es) and the metrics used by fit and evaluate.

        Args:
            optimizer: name ('adam', 'sgd', ...) or an optimizer instance.
            loss: name, function or Loss instance; a list or dict for several outputs.
                May be left out when a custom `train_step` computes its own loss.
            loss_weights: a weight per output (list or dict) for the total loss.
            metrics: names or Metric instances ('accuracy' resolves as Keras does);
                a list of lists or a dict for several outputs.
            weighted_metrics: as `metrics`, weighted by the sample weights.
        """
        self.optimizer = optimizers_module.get(optimizer)
        if loss is not None:
            self.loss = loss
        self._compile_spec = dict(loss=loss, loss_weights=loss_weights, metrics=metrics,
                                  weighted_metrics=weighted_metrics)
        self._compile_options = dict(run_eagerly=run_eagerly, steps_per_execution=steps_per_execution,
                                     jit_compile=jit_compile)
        self._output_losses = None
        self._output_names = None
        self._loss_trackers = []
        self._compile_metrics = (CompileMetrics(metrics, weighted_metrics, self._output_keys)
                                 if metrics is not None or weighted_metrics is not None else None)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.compiled = True

    def get_compile_config(self):
        """compile()'s arguments as Keras writes them into a .keras file ({} when not compiled)."""
        if not self.compiled:
            return {}
        options = dict(self._compile_options)
        options["jit_compile"] = False if options["jit_compile"] == "auto" else options["jit_compile"]
        return {"optimizer": serialize_keras_object(self.optimizer),
                **{k: serialize_keras_object(v) for k, v in self._compile_spec.items()}, **options}

    def compile_from_config(self, config):
        """compile() from get_compile_config()'s output; the optimizer's state is created for the weights,
        so a saved optimizer state can be loaded into it."""
        config = deserialize_keras_object(config)
        accepted = inspect.signature(self.compile).parameters
        self.compile(**{k: v for k, v in config.items() if k in accepted})
        if self.built and self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build(self.trainable_weights)

    def _require_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(
                f"You must call compile() before {what}(): e.g. "
                "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])"
            )

    def _per_output(self, spec, names, what):
        """A list with one entry per output from a single value, list or dict."""
        if isinstance(spec, dict):
            unknown = set(spec) - set(names)
            if unknown:
                raise ValueError(f"compile: {what} given for unknown outputs {sorted(unknown)}; outputs are {names}")
            return [spec.get(n) for n in names]
        if isinstance(spec, (list, tuple)) and (len(names) > 1 or len(spec) == 1):
            if len(spec) != len(names):
                raise ValueError(f"compile: {len(spec)} {what} given for {len(names)} outputs {names}")
            return list(spec)
        return [spec] * len(names)

    def _output_keys(self, y_pred):
        """The outputs' names as Keras' compile takes them: a dict's keys (in the model's order when
        they are its output names, else sorted), else the model's output names (None when unnamed)."""
        n = len(flatten_structure(y_pred))
        if isinstance(y_pred, dict) and n > 1:
            return list(self.output_names) if set(y_pred) == set(self.output_names) else sorted(y_pred)
        names = self.output_names
        return list(names) if len(names) == n else [None] * n

    def _resolve_compile(self, y_true, y_pred):
        """Loss objects, loss weights and per-output loss trackers, chosen from the first batch's shapes.

        As Keras 3's CompileLoss: when more than one output has a loss, each such output gets a
        Mean named '<output>_loss' (or '<loss name>_loss' for an unnamed output) that records the
        output's unweighted loss.
        """
        names = self._output_names = self._output_keys(y_pred)
        flat_true, flat_pred = _flatten_targets(y_true, names), _flatten_outputs(y_pred, names)
        spec = self._compile_spec
        losses = [losses_module.resolve(l, _shape(t), _shape(p))
                  for l, t, p in zip(self._per_output(spec["loss"], names, "losses"), flat_true, flat_pred)]
        weights = (self._per_output(spec["loss_weights"], names, "loss_weights")
                   if spec["loss_weights"] is not None else [None] * len(names))
        trackers = {}  # output index -> its loss tracker, in Keras' order
        if sum(loss is not None for loss in losses) > 1:
            for i in _loss_order(spec["loss"], y_pred, names):
                if losses[i] is not None:
                    trackers[i] = metrics_module.Mean(name=f"{names[i] or losses[i].name}_loss")
        self._loss_trackers = list(trackers.values())
        self._output_losses = [(loss, None if w is None else float(w), trackers.get(i))
                               for i, (loss, w) in enumerate(zip(losses, weights))]

    # ---- metrics ---------------------------------------------------------
    @property
    def metrics(self):
        """Every metric of the model, in Keras 3's order.

        Once compiled: the 'loss' tracker, the compiled metrics (one container), the per-output
        losses; then the Metric objects set as attributes of the model (in __init__, e.g.
        `self.loss_tracker = keras.metrics.Mean(name="loss")`), then those of its layers. A
        nested model's own metrics are left out, as in Keras. A subclass may override this
        property: fit and evaluate then reset and log exactly the metrics it lists.
        """
        out = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            out.extend(self._loss_trackers)
        out.extend(self.__dict__.get("_tracked_metrics", ()))
        for layer in _sublayers_in_keras_order(self):
            if not isinstance(layer, Trainer):
                out.extend(_layer_metrics(layer))
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        """Reset every metric in `self.metrics` (fit does at each epoch's start, evaluate at its start)."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self):
        """The metrics' results in one flat dict (a container's dict merged in), as Keras."""
        logs = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[m.name] = result
        return logs

    def _get_metrics_result_or_logs(self, logs):
        """The metrics' results when the step's logs have the same keys (a default step), else the logs."""
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs

    def _flatten_metrics_in_order(self, logs):
        """Keras' list of results: the values named by the metrics (loss, the compiled metrics' own
        names, the per-output losses) in that order, then the other keys sorted; one value alone."""
        names = []
        for m in self.metrics:
            if isinstance(m, CompileMetrics):
                names.extend(sub.name for sub in m.metrics)
            else:
                names.append(m.name)
        results = [logs[n] for n in names if n in logs] + [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    # ---- the building blocks of a step -----------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of a batch: compile()'s loss(es) plus the model's `losses`.

        compile()'s losses are summed over the outputs, each weighted by its `loss_weights`
        entry; each output's unweighted loss also goes to its '<output>_loss' tracker when it
        has one. Every entry of `self.losses` (regularization penalties, activity regularizers,
        `add_loss`) is summed and added. A subclass may override this (Keras 3's signature;
        `training` may be left out of an override, as before Keras 3.3).

        Args:
            x: the inputs (unused by the default).
            y: the targets.
            y_pred: the model's outputs, `self(x, training=...)`.
            sample_weight: per-sample weights (or one structure per output).
            training: whether the loss is for a training step (unused by the default).

        Returns:
            A scalar tensor.

        Raises:
            ValueError: when there is no loss at all (compile() had no `loss`, and the model
                adds none).
        """
        losses = []
        if self._compile_spec is not None and self._compile_spec["loss"] is not None:
            compiled = self._compiled_output_loss(y, y_pred, sample_weight)
            if compiled is not None:
                losses.append(compiled)
        for penalty in getattr(self, "losses", None) or []:
            losses.append(_summed(penalty))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = losses[0]
        for value in losses[1:]:
            total = total + value
        return total

    def _compiled_output_loss(self, y, y_pred, sample_weight):
        """compile()'s losses summed over the outputs (None when no output has both a loss and a target)."""
        if self._output_losses is None:
            self._resolve_compile(y, y_pred)
        names = self._output_names
        outputs = zip(self._output_losses, _flatten_targets(y, names), _flatten_outputs(y_pred, names),
                      _per_output_sample_weights(sample_weight, names))
        total = None
        for (loss_fn, weight, tracker), yt, yp, sw in outputs:
            if loss_fn is None or yt is None:
                continue
            value = loss_fn(yt, yp, sample_weight=sw)
            if tracker is not None:
                tracker.update_state(value.item(), sample_weight=len(yp))
            value = value * weight if weight is not None else value
            total = value if total is None else total + value
        return total

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """compute_loss, also when an override has no `training` argument (Keras' compatibility rule)."""
        if _takes_training(type(self).compute_loss):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update compile()'s metrics with the batch and return `get_metrics_result()`.

        The default step's last call: its result is the step's logs. Metrics created in
        `__init__` are not updated here (an override updates them, then calls this).
        """
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    # ---- tf.keras 2's names, kept by Keras 3 (its TensorFlow backend) with a deprecation warning ----
    @property
    def compiled_metrics(self):
        """Deprecated: `self.compiled_metrics.update_state(y, y_pred, sample_weight=None)`.

        As Keras 3 does it: every metric of `self.metrics` is updated; a `Mean` (the 'loss'
        tracker among them) with `y_pred` as its values, any other metric with (y, y_pred).
        Write `for metric in self.metrics: metric.update_state(...)` instead.
        """
        return _DeprecatedCompiledMetrics(self)

    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """Deprecated: `compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)`.

        `regularization_losses` is ignored, as in Keras 3: compute_loss adds `self.losses` itself.
        """
        warnings.warn(
            "`model.compiled_loss()` is deprecated. Instead, use "
            "`model.compute_loss(x, y, y_pred, sample_weight, training)`.",
            stacklevel=2,
        )
        return self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)

    # ---- one step --------------------------------------------------------
    def train_step(self, data):
        """Forward, loss, backward, update on one batch; returns the logs (the metrics' results).

        Args:
            data: the batch as fit packs it: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

        Returns:
            A dict of logs, e.g. {'loss': 0.21, 'accuracy': 0.93}.
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with enable_grad():
            y_pred = self(x, training=True)
            loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(loss, sample_weight=_batch_len(x))
        trainable = self.trainable_weights
        if trainable:
            grads = run_backward(loss) if loss.requires_grad else {}
            self.optimizer.apply([grads[id(v)][1] if id(v) in grads else None for v in trainable], trainable)
        else:
            warnings.warn("The model does not have any trainable weights.")
        with no_grad():
            return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """Forward and loss on one batch, in inference mode; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with no_grad():
            y_pred = self(x, training=False)
            loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
            if self._loss_tracker is not None:
                self._loss_tracker.update_state(loss, sample_weight=_batch_len(x))
            return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch (`x`, or the `x` of a packed batch)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        with no_grad():
            return self(x, training=False)

    # ---- loops -----------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` passes over the data; returns a History.

        Each batch goes to `self.train_step(data)`, packed as Keras packs it (see the module
        docstring); the dict it returns is logged (progress bar, callbacks, History).

        Args follow Keras: x and y as arrays (or lists/dicts of arrays), or x as a
        generator or PyDataset yielding (x, y) batches; batch_size defaults to 32.
        """
        self._require_compiled("fit")
        verbose = 1 if verbose == "auto" else int(verbose)
        x, y, sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
        if validation_split and validation_data is None:
            if not is_array_data(x):
                raise ValueError("validation_split is only supported for array inputs; pass validation_data instead")
            (x, y, sample_weight), validation_data = split_validation(x, y, sample_weight, validation_split)
        if class_weight is not None and y is not None and is_array_data(y):
            sample_weight = _class_weights_to_sample_weights(y, class_weight, sample_weight)
        if not self.built and is_array_data(x):
            # As Keras' fit: build from the data's shapes before the callbacks start, so that
            # a callback (BackupAndRestore) can load weights into the model.
            self._build_for_fit(map_structure(lambda a: (None,) + tuple(a.shape[1:]), x))
        train = make_batches(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, steps=steps_per_epoch)
        steps = getattr(train, "steps", None)
        val = None
        if validation_data is not None:
            vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
            val = make_batches(vx, vy, vsw, batch_size=validation_batch_size or batch_size, steps=validation_steps)
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        callback_list.on_train_begin()
        # A restored backup (BackupAndRestore) says where to resume, for this fit only.
        initial_epoch, self._initial_epoch = self._initial_epoch or initial_epoch, None
        training_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            logs = {}
            for step, batch in enumerate(train):
                if class_weight is not None and not is_array_data(y):
                    batch = _with_class_weights(batch, class_weight)
                callback_list.on_train_batch_begin(step)
                logs = _step_logs(self.train_step(_step_data(batch)), "train_step")
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(self._get_metrics_result_or_logs(logs))
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._run_evaluation(val, callback_list)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        callback_list.on_train_end(training_logs)
        return self.history

    def _build_for_fit(self, input_shape):
        """build() from the data's shapes.

        A model that cannot be built that way (a subclass with no call(), as a VAE or a GAN whose
        train_step calls its parts) is left to its custom train_step, as Keras' TensorFlow backend
        does (it builds nothing before the first step); with the default train_step it gets the
        advice Keras gives.
        """
        try:
            self.build(input_shape)
        except ValueError:
            raise
        except Exception as e:
            if type(self).train_step is not Trainer.train_step:
                return
            raise RuntimeError(
                "Unable to automatically build the model. Please build it yourself before calling "
                "fit/evaluate/predict. A model is 'built' when its variables have been created and its "
                "`self.built` attribute is True. Usually, calling the model on a batch of data is the "
                f"right way to build it.\nException encountered:\n'{e}'"
            ) from e

    def _run_evaluation(self, batches, callback_list):
        """One pass of test_step over the batches; the logs as Python floats."""
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = {}
        for step, batch in enumerate(batches):
            callback_list.on_test_batch_begin(step)
            with no_grad():
                logs = _step_logs(self.test_step(_step_data(batch)), "test_step")
            callback_list.on_test_batch_end(step, logs)
        logs = pythonify_logs(self._get_metrics_result_or_logs(logs))
        callback_list.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss (and metrics) on the data: the logs of `test_step`, as a scalar, a list or a dict.

        The list holds the values of the metrics in `self.metrics` order (loss first), then any
        other key of the logs, sorted; one value alone is returned as a scalar.
        """
        self._require_compiled("evaluate")
        verbose = 1 if verbose == "auto" else int(verbose)
        batches = make_batches(x, y, sample_weight, batch_size=batch_size, steps=steps)
        callback_list = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=getattr(batches, "steps", None))
        logs = self._run_evaluation(batches, callback_list)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs of `predict_step` for every batch of x, concatenated (NumPy arrays)."""
        verbose = 1 if verbose == "auto" else int(verbose)
        batches = make_batches(x, batch_size=batch_size, steps=steps)
        callback_list = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=getattr(batches, "steps", None))
        callback_list.on_predict_begin()
        outputs = []
        for step, batch in enumerate(batches):
            callback_list.on_predict_batch_begin(step)
            with no_grad():
                outputs.append(_to_numpy(self.predict_step(_step_data(batch))))
            callback_list.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("predict() received no data")
        return map_structure(lambda *parts: xp.concatenate(parts, axis=0), *outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One update on one batch: train_step((x, y, sample_weight)); returns its logs."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
        if class_weight is not None:
            sample_weight = _class_weights_to_sample_weights(y, class_weight, sample_weight)
        self.reset_metrics()
        logs = _step_logs(self.train_step(_step_data((x, y, sample_weight))), "train_step")
        return self._batch_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """test_step((x, y, sample_weight)) on one batch; returns its logs."""
        self._require_compiled("test_on_batch")
        self.reset_metrics()
        with no_grad():
            logs = _step_logs(self.test_step(_step_data((x, y, sample_weight))), "test_step")
        return self._batch_result(logs, return_dict)

    def predict_on_batch(self, x):
        """predict_step((x,)) as NumPy arrays."""
        with no_grad():
            return _to_numpy(self.predict_step(_step_data((x,))))

    def _batch_result(self, logs, return_dict):
        logs = pythonify_logs(logs)
        return logs if return_dict else self._flatten_metrics_in_order(logs)


class _DeprecatedCompiledMetrics:
    """What `model.compiled_metrics` returns: an update_state that updates `model.metrics`."""

    def __init__(self, model):
        self._model = model

    def update_state(self, y, y_pred, sample_weight=None):
        warnings.warn(
            "`model.compiled_metrics()` is deprecated. Instead, use e.g.:\n"
            "```\nfor metric in self.metrics:\n    metric.update_state(y, y_pred)\n```\n",
            stacklevel=2,
        )
        for metric in self._model.metrics:
            if isinstance(metric, metrics_module.Mean):
                metric.update_state(y_pred, sample_weight=sample_weight)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)


def _step_data(batch):
    """A batch as a step receives it: array-likes as tensors (floats in the default float type, as
    Keras' data adapters give them); the packing (x alone, tuple, list, dict) is kept."""
    if isinstance(batch, tuple):
        batch = tuple(to_arrays(part) for part in batch)
    elif isinstance(batch, list):
        batch = [to_arrays(part) for part in batch]
    else:
        batch = to_arrays(batch)
    return map_structure(_as_step_tensor, batch)


def _as_step_tensor(value):
    if isinstance(value, xp.ndarray):
        if value.dtype.kind == "f" and value.dtype != floatx():
            value = value.astype(floatx())
        return as_tensor(value)
    return value


def _step_logs(logs, step):
    """The logs a step returned: a dict (None counts as no logs)."""
    if logs is None:
        return {}
    if not isinstance(logs, dict):
        raise TypeError(
            f"`{step}()` should return a dict of logs, e.g. {{'loss': loss}} "
            f"(as `{{m.name: m.result() for m in self.metrics}}`). "
            f"Received: {logs!r} of type {type(logs).__name__}"
        )
    return logs


def _to_numpy(outputs):
    """A step's outputs as NumPy arrays, inside any nesting."""
    return map_structure(lambda t: t.data if isinstance(t, Tensor) else xp.asarray(t), outputs)


def _with_class_weights(batch, class_weight):
    """A generator's batch with the sample weights that `class_weight` gives its targets."""
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    if y is None:
        return batch
    y = to_arrays(y)
    return pack_x_y_sample_weight(x, y, _class_weights_to_sample_weights(y, class_weight, to_arrays(sample_weight)))


@functools.lru_cache(maxsize=None)
def _takes_training(compute_loss):
    return "training" in inspect.signature(compute_loss).parameters


def _summed(loss):
    """One additional loss (add_loss, a regularizer) as a float scalar, as Keras sums each of them."""
    loss = loss if isinstance(loss, Tensor) else as_tensor(loss)
    if loss.data.dtype.kind != "f":
        loss = loss.astype(floatx())
    return loss if loss.ndim == 0 else loss.sum()


def _metrics_in(value):
    """The Metric objects of an attribute's value: itself, or the items of a list, tuple or dict."""
    if isinstance(value, metrics_module.Metric):
        return [value]
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (list, tuple)):
        return []
    return [v for v in value if isinstance(v, metrics_module.Metric)]


def _attribute_metrics(obj):
    """The Metric objects set as attributes of a layer, in the order first set (Keras' tracking)."""
    found = []
    for value in vars(obj).values():
        if isinstance(value, _METRIC_HOLDERS):
            for metric in _metrics_in(value):
                if all(metric is not f for f in found):
                    found.append(metric)
    return found


def _layer_metrics(layer):
    """Keras' Layer.metrics: the layer's own metrics, then each sub-layer's (a model's `metrics`).

    deepgrad's own layer classes hold no metrics, so only the attributes of other classes (the
    user's layers, and subclasses of ours) are looked through.
    """
    if isinstance(layer, Trainer):
        return list(layer.metrics)
    out = [] if type(layer).__module__.startswith("deepgrad.") else _attribute_metrics(layer)
    for sub in layer._layers:
        out.extend(_layer_metrics(sub))
    return out


def _sublayers_in_keras_order(layer):
    """Every layer nested in `layer`, each once, in the order Keras' _flatten_layers walks them."""
    out, seen = [], set()
    queue = collections.deque(layer._layers)
    while queue:
        sub = queue.popleft()
        if id(sub) in seen:
            continue
        seen.add(id(sub))
        out.append(sub)
        queue.extendleft(sub._layers)
    return out


def _batch_len(x):
    return len(flatten_structure(x)[0])


def _shape(a):
    return None if a is None else tuple(xp.shape(a))


def _loss_order(loss_spec, y_pred, names):
    """The output indices in the order Keras lists the per-output losses: a dict of losses for a
    model with dict outputs in the dict's order, otherwise the outputs' order."""
    if isinstance(y_pred, dict) and isinstance(loss_spec, dict):
        return [names.index(key) for key in loss_spec if key in names]
    return range(len(names))


def _flatten_outputs(y_pred, names):
    """The model's outputs as a list in the order of `names` (a dict by key)."""
    if isinstance(y_pred, dict) and len(names) > 1:
        return [y_pred[name] for name in names]
    return flatten_structure(y_pred)


def _flatten_targets(y, names):
    """The targets as a list aligned with the outputs `names` (None where an output has none)."""
    if y is None:
        return [None] * len(names)
    if isinstance(y, dict):
        return [y.get(name) for name in names]
    if len(names) == 1:
        return [y[0] if isinstance(y, (list, tuple)) and len(y) == 1 else y]
    return list(y)


def _per_output_sample_weights(sample_weight, names):
    """One sample-weight array (or None) per output: a list or dict gives each its own, as Keras."""
    if sample_weight is None:
        return [None] * len(names)
    if isinstance(sample_weight, dict):
        return [sample_weight.get(name) for name in names]
    flat = flatten_structure(sample_weight)
    return flat if len(flat) == len(names) else [flat[0]] * len(names)


def _as_list(spec):
    if spec is None:
        return []
    return list(spec) if isinstance(spec, (list, tuple)) else [spec]


def _metric_specs(spec, names):
    """One list of metric identifiers per output, by Keras 3's rules (CompileMetrics._build_metrics_set).

    One output takes every metric given. Several take a dict by output name, or a list with one
    entry (a metric or a list of them) per output; a flat list of another length goes to every
    output, as tf.keras 2 did (Keras 3 refuses it).
    """
    if not spec:
        return [[] for _ in names]
    if len(names) == 1:
        return [flatten_structure(spec)]
    if isinstance(spec, dict):
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(
                f"compile: metrics given for unknown outputs {sorted(unknown)}; outputs are {names}")
        return [_as_list(spec.get(name)) for name in names]
    if isinstance(spec, (list, tuple)) and len(spec) == len(names):
        return [_as_list(s) for s in spec]
    if isinstance(spec, (list, tuple)) and not any(isinstance(m, (list, tuple, dict)) for m in spec):
        return [list(spec) for _ in names]
    raise ValueError(
        f"compile: metrics should be a list with one entry per output or a dict by output name; "
        f"outputs are {names}. Received: metrics={spec}"
    )


class CompileMetrics(metrics_module.Metric):
    """The metrics given to compile(), as one container: Keras 3's CompileMetrics.

    Built on the first batch, when the outputs' shapes pick each 'accuracy'. result() is one
    dict keyed as Keras logs it: '<output>_<name>' when the model has several outputs, '<name>'
    for one; a key already taken gets '_1', '_2', ...; a weighted metric whose key is taken by an
    unweighted one becomes '<output>_weighted_<name>'. `metrics` see no sample weights,
    `weighted_metrics` do.

    Args:
        metrics: compile()'s `metrics`.
        weighted_metrics: compile()'s `weighted_metrics`.
        output_keys: y_pred -> the outputs' names (the model's `_output_keys`).
    """

    def __init__(self, metrics, weighted_metrics, output_keys):
        super().__init__(name="compile_metrics")
        self._specs = (metrics, weighted_metrics)
        self._output_keys = output_keys  # y_pred -> the outputs' names (the model's _output_keys)
        self._names = None
        self._entries = None  # (key, metric, output index, weighted), once built

    @property
    def built(self):
        return self._entries is not None

    @property
    def metrics(self):
        """The metric objects, named as given (without the output prefix)."""
        return [metric for _, metric, _, _ in self._entries or []]

    def build(self, y_true, y_pred):
        """Resolve every metric for its output's shapes and name its key."""
        names = self._names = self._output_keys(y_pred)
        flat_true, flat_pred = _flatten_targets(y_true, names), _flatten_outputs(y_pred, names)
        self._entries = []
        taken = {}
        for weighted, spec in zip((False, True), self._specs):
            for i, identifiers in enumerate(_metric_specs(spec, names)):
                prefix = f"{names[i]}_" if len(names) > 1 and names[i] else ""
                for identifier in identifiers:
                    metric = metrics_module.resolve(identifier, _shape(flat_true[i]), _shape(flat_pred[i]))
                    key = _unique_key(taken, prefix, metric.name, weighted)
                    self._entries.append((key, metric, i, weighted))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Update each metric with its output's targets and predictions (the weighted ones with
        the sample weights); built on the first call."""
        if not self.built:
            self.build(y_true, y_pred)
        names = self._names
        flat_true, flat_pred = _flatten_targets(y_true, names), _flatten_outputs(y_pred, names)
        sample_weights = _per_output_sample_weights(sample_weight, names)
        for _, metric, i, weighted in self._entries:
            if flat_true[i] is not None:
                weight = sample_weights[i] if weighted else None
                metric.update_state(flat_true[i], flat_pred[i], sample_weight=weight)

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()

    def result(self):
        return {key: metric.result() for key, metric, _, _ in self._entries or []}


def _unique_key(taken, prefix, name, weighted):
    """Keras' CompileMetrics.result() naming; `taken` counts the keys given so far."""
    key = prefix + name
    if key in taken and weighted:
        key = f"{prefix}weighted_{name}"
    if key not in taken:
        taken[key] = 1
        return key
    index = taken[key]
    taken[key] += 1
    return f"{key}_{index}"


def _class_weights_to_sample_weights(y, class_weight, sample_weight):
    y = xp.asarray(y)
    labels = xp.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = xp.round(labels).astype(int)
    table = xp.ones(int(max(max(class_weight), labels.max())) + 1, dtype="float32")
    for cls, w in class_weight.items():
        if not isinstance(cls, numbers.Integral):
            raise ValueError(f"class_weight keys must be class indices (ints). Received: {cls!r}")
        table[cls] = w
    weights = table[labels]
    return weights if sample_weight is None else weights * xp.asarray(sample_weight, dtype="float32")
