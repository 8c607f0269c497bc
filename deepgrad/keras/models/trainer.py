"""compile / fit / evaluate / predict: the training loop of forward, loss, backward, update."""
import inspect
import numbers

from ...backend import xp
from ...tensor import enable_grad, no_grad, run_backward
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..callbacks import CallbackList, pythonify_logs
from ..layers.keras_tensor import flatten_structure, map_structure
from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from .data_adapter import is_array_data, make_batches, split_validation, to_arrays, unpack


class Trainer:
    """The training API mixed into Model."""

    def __init__(self):
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._initial_epoch = None  # where fit resumes, set by a callback in on_train_begin
        self._compile_spec = None
        self._compile_options = {}
        self._output_losses = None  # (loss, weight, tracker) per output, from the first batch
        self._output_names = None
        self._loss_trackers = []  # one Mean per output loss, when there are several
        self._compile_metrics = None

    # ---- compile ---------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Set the optimizer, the loss(es) and the metrics used by fit and evaluate.

        Args:
            optimizer: name ('adam', 'sgd', ...) or an optimizer instance.
            loss: name, function or Loss instance; a list or dict for several outputs.
            loss_weights: a weight per output (list or dict) for the total loss.
            metrics: names or Metric instances ('accuracy' resolves as Keras does);
                a list of lists or a dict for several outputs.
        """
        self.optimizer = optimizers_module.get(optimizer)
        self._compile_spec = dict(loss=loss, loss_weights=loss_weights, metrics=metrics,
                                  weighted_metrics=weighted_metrics)
        self._compile_options = dict(run_eagerly=run_eagerly, steps_per_execution=steps_per_execution,
                                     jit_compile=jit_compile)
        self._output_losses = None
        self._output_names = None
        self._loss_trackers = []
        self._compile_metrics = (CompileMetrics(metrics, weighted_metrics)
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

    @property
    def metrics(self):
        """Keras' order: the loss tracker, the compiled metrics (one container), the per-output losses."""
        if not self.compiled:
            return []
        out = [self._loss_tracker]
        if self._compile_metrics is not None:
            out.append(self._compile_metrics)
        out.extend(self._loss_trackers)
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # ---- one step --------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """Total loss: the weighted sum of per-output losses plus regularization penalties.

        Each output's unweighted loss also goes to its '<output>_loss' tracker when it has one.
        """
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
        for penalty in self.losses:
            total = penalty if total is None else total + penalty
        if total is None:
            raise ValueError("compile() was given no loss, so there is nothing to train: pass loss=...")
        return total

    def _update_metrics(self, y, y_pred, sample_weight, loss, batch_size):
        self._loss_tracker.update_state(float(loss), sample_weight=batch_size)
        if self._compile_metrics is None:
            return
        names = self._output_names or self._output_keys(y_pred)
        if not self._compile_metrics.built:
            self._compile_metrics.build(names, _flatten_targets(y, names), _flatten_outputs(y_pred, names))
        self._compile_metrics.update_state(_flatten_targets(y, names), _flatten_outputs(y_pred, names),
                                           _per_output_sample_weights(sample_weight, names))

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

    def _logs(self):
        return pythonify_logs(self.get_metrics_result())

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

    def train_step(self, x, y, sample_weight=None):
        """Forward, loss, backward, update on one batch; returns the batch loss."""
        with enable_grad():
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        trainable = self.trainable_weights
        grads = run_backward(loss) if loss.requires_grad else {}
        self.optimizer.apply([grads[id(v)][1] if id(v) in grads else None for v in trainable], trainable)
        with no_grad():
            self._update_metrics(y, y_pred, sample_weight, loss.item(), _batch_len(x))
        return loss.item()

    def test_step(self, x, y, sample_weight=None):
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
            self._update_metrics(y, y_pred, sample_weight, loss.item(), _batch_len(x))
        return loss.item()

    def predict_step(self, x):
        with no_grad():
            out = self(x, training=False)
        return map_structure(lambda t: t.data, out)

    # ---- loops -----------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` passes over the data; returns a History.

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
            self.build(map_structure(lambda a: (None,) + tuple(a.shape[1:]), x))
        train = make_batches(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, steps=steps_per_epoch)
        steps = getattr(train, "steps", None)
        val = None
        if validation_data is not None:
            vx, vy, vsw = unpack(tuple(validation_data)) if isinstance(validation_data, (tuple, list)) else (validation_data, None, None)
            val = make_batches(vx, vy, vsw, batch_size=validation_batch_size or batch_size, steps=validation_steps)
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        callback_list.on_train_begin()
        # A restored backup (BackupAndRestore) says where to resume, for this fit only.
        initial_epoch, self._initial_epoch = self._initial_epoch or initial_epoch, None
        logs, training_logs = {}, {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            for step, (bx, by, bsw) in enumerate(train):
                if class_weight is not None and not is_array_data(y) and by is not None:
                    bsw = _class_weights_to_sample_weights(to_arrays(by), class_weight, bsw)
                callback_list.on_train_batch_begin(step)
                self.train_step(bx, to_arrays(by), to_arrays(bsw))
                logs = self._logs()
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._run_evaluation(val, callback_list)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        callback_list.on_train_end(training_logs)
        return self.history

    def _run_evaluation(self, batches, callback_list):
        self.reset_metrics()
        callback_list.on_test_begin()
        for step, (bx, by, bsw) in enumerate(batches):
            callback_list.on_test_batch_begin(step)
            self.test_step(bx, to_arrays(by), to_arrays(bsw))
            callback_list.on_test_batch_end(step, self._logs())
        logs = self._logs()
        callback_list.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss (and metrics) on the data: a scalar, [loss, *metrics], or a dict."""
        self._require_compiled("evaluate")
        verbose = 1 if verbose == "auto" else int(verbose)
        batches = make_batches(x, y, sample_weight, batch_size=batch_size, steps=steps)
        callback_list = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=getattr(batches, "steps", None))
        logs = self._run_evaluation(batches, callback_list)
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for every sample of x, concatenated over batches (NumPy arrays)."""
        verbose = 1 if verbose == "auto" else int(verbose)
        batches = make_batches(x, batch_size=batch_size, steps=steps)
        callback_list = CallbackList(callbacks, add_history=False, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, epochs=1, steps=getattr(batches, "steps", None))
        callback_list.on_predict_begin()
        outputs = []
        for step, (bx, _, _) in enumerate(batches):
            callback_list.on_predict_batch_begin(step)
            outputs.append(self.predict_step(bx))
            callback_list.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("predict() received no data")
        return map_structure(lambda *parts: xp.concatenate(parts, axis=0), *outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One update on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
        if class_weight is not None:
            sample_weight = _class_weights_to_sample_weights(y, class_weight, sample_weight)
        self.reset_metrics()
        self.train_step(x, y, sample_weight)
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        self.reset_metrics()
        self.test_step(to_arrays(x), to_arrays(y), to_arrays(sample_weight))
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        return self.predict_step(to_arrays(x))

    def _batch_result(self, return_dict):
        logs = self._logs()
        return logs if return_dict else self._flatten_metrics_in_order(logs)


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
    """

    def __init__(self, metrics, weighted_metrics):
        super().__init__(name="compile_metrics")
        self._specs = (metrics, weighted_metrics)
        self._entries = None  # (key, metric, output index, weighted), once built

    @property
    def built(self):
        return self._entries is not None

    @property
    def metrics(self):
        """The metric objects, named as given (without the output prefix)."""
        return [metric for _, metric, _, _ in self._entries or []]

    def build(self, names, flat_true, flat_pred):
        """Resolve every metric for its output's shapes and name its key."""
        self._entries = []
        taken = {}
        for weighted, spec in zip((False, True), self._specs):
            for i, identifiers in enumerate(_metric_specs(spec, names)):
                prefix = f"{names[i]}_" if len(names) > 1 and names[i] else ""
                for identifier in identifiers:
                    metric = metrics_module.resolve(identifier, _shape(flat_true[i]), _shape(flat_pred[i]))
                    key = _unique_key(taken, prefix, metric.name, weighted)
                    self._entries.append((key, metric, i, weighted))

    def update_state(self, flat_true, flat_pred, sample_weights):
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
