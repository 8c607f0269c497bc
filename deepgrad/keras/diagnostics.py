"""Training diagnostics: what goes wrong inside `fit`, measured per layer and said in plain words.

    diag = keras.callbacks.Diagnostics()
    history = model.fit(x, y, epochs=10, validation_data=(xv, yv), callbacks=[diag])
    history.history["diagnostics/dense_1/grad_norm"]     # one value per epoch
    diag.warnings                                        # the problems found, as records

What is measured, per layer, on a probed training batch (the epoch's last batch, or every
`every_n_batches`-th batch): the real step of `fit` is observed, nothing is computed twice and
no weight is changed by the callback.

- `dead_relu_fraction` (ReLU layers): the share of units (last axis: Dense units, Conv filters)
  whose output is 0 for every sample (and position) of the probed batch. A dead unit passes no
  gradient, so it never learns again.
- `saturated_fraction` (sigmoid and tanh layers): the share of outputs in the flat tails, where
  the derivative is below about 1% of its peak: sigmoid outside [0.01, 0.99] (|pre-activation|
  > ln 99 = 4.6, sigma' < 0.0099) and |tanh| > 0.99 (|pre-activation| > 2.65, tanh' < 0.02),
  counted over every (sample, unit) entry of the probed batch.
- `grad_norm` (layers with trainable weights): ||dL/dW||, the 2-norm of the gradients of all the
  layer's trainable weights together, as backpropagation computed them for the update.
- `update_ratio`: ||W_after - W_before|| / ||W_before|| over the layer's weights for that step
  (the optimizer's step relative to the weights; about 1e-3 is the usual rule of thumb).

Each value goes into the epoch's logs under `diagnostics/<layer name>/<quantity>` (so History,
CSVLogger and any later callback get it; NaN for an epoch without a probe), into `records` (one
dict per probe) and, with `log_dir`, into TensorBoard scalars under the same tags.

What is watched, with the warnings (`DiagnosticsWarning`, and one `DiagnosticRecord` each in
`warnings`, the first time a kind of problem shows in a layer):

- vanishing gradients: the first weighted layer's gradient norm < `vanishing_ratio` times the
  last one's (in the order the forward pass called them);
- exploding gradients: a layer's gradient norm > `exploding_norm`;
- divergence (a learning rate too large): a batch's running loss above `divergence_factor` times
  the loss of the first batch of training, an epoch's loss above `divergence_factor` times the
  lowest epoch loss so far, or a NaN/Inf loss that `stop_on_nan` did not trace;
- overfitting: over the last `overfit_patience` epochs the training loss fell while the
  validation loss rose (by more than 1%) to above its lowest value;
- dead ReLUs: a layer's `dead_relu_fraction` >= `dead_relu_threshold`;
- NaN or Inf (`stop_on_nan`): while a training batch runs, every op's output (forward) and every
  gradient a vjp returns (backward) is checked through the op table's observer hook
  (ops.table.set_observer, shared with the profiler, which it chains to). The first op that
  turns finite inputs into NaN/Inf is named with the layer whose call it ran in (the innermost
  layer being called; "(outside any layer)" for the loss, metrics and optimizer) and the pass
  ('forward', 'backward', or 'update' for a weight that the optimizer's own arithmetic made
  non-finite); training stops at the end of that batch (`model.stop_training`). The weights then
  hold that batch's update, as with TerminateOnNaN. The checks cost about 10% of the step time
  of a small CNN; `stop_on_nan=False` leaves only the probed batches observed.

The layers are followed by wrapping each layer's `call` on the instance for the length of one
training batch (Layer.__call__ looks `call` up on the instance), restored when the batch ends;
a fit that raises inside a batch leaves them until the next fit with a Diagnostics. One
Diagnostics per fit: a second one takes the watch over from the first.

Import it as `keras.callbacks.Diagnostics` (this module subclasses keras.callbacks.Callback).
"""
import functools
import math
import warnings as warnings_module
from collections import namedtuple

from ..backend import xp
from ..ops import table
from ..tensor import Tensor, next_serial
from ..variable import Variable
from .callback_base import Callback, print_message
from .layers.activation_layers import ReLU
from .utils import tensorboard_writer

__all__ = ["Diagnostics", "DiagnosticRecord", "DiagnosticsWarning"]

SIGMOID_BAND = (0.01, 0.99)
"""A sigmoid output outside this band counts as saturated."""
TANH_LIMIT = 0.99
"""A tanh output with |y| above this counts as saturated."""

LOG_PREFIX = "diagnostics/"  # the logs' keys: History and CSVLogger keep them, the progress bar leaves them out

DiagnosticRecord = namedtuple("DiagnosticRecord", "kind epoch batch layer message values")
"""One problem found: kind ('vanishing_gradients', 'exploding_gradients', 'divergence',
'overfitting', 'dead_relu', 'non_finite'), the epoch and batch (0-based; batch None for an
epoch-level finding), the layer's name (or None), the plain-words message and the numbers
behind it (a dict)."""


class DiagnosticsWarning(UserWarning):
    """A problem that Diagnostics found in a training run."""


_OUTSIDE = "(outside any layer)"
"""The layer name given to ops run outside every layer call: the loss, the metrics, the optimizer."""


class Diagnostics(Callback):
    """Per-layer training diagnostics and plain-words warnings (see the module docstring).

    Args:
        every_n_batches: probe every N-th training batch (counted over the whole fit) instead of
            the last batch of each epoch (every batch when fit does not know the epoch's length).
        warn: emit each problem found as a `DiagnosticsWarning` (they are recorded in
            `warnings` either way).
        stop_on_nan: check every op's output and gradient for NaN/Inf during training batches,
            and stop training at the first one, naming the layer, the op and the pass.
        log_dir: also write the diagnostics as TensorBoard scalars to `log_dir/diagnostics`
            (step: the epoch, or the batch counted over the fit with `every_n_batches`).
        verbose: 0 silent; 1 prints the message when training is stopped; 2 also prints the
            diagnostics of each epoch.
        vanishing_ratio: first/last layer gradient-norm ratio below which gradients vanish.
        exploding_norm: a layer gradient norm above which gradients explode.
        divergence_factor: how many times the reference loss counts as diverging.
        overfit_patience: the number of epochs `k` of the overfitting trend.
        dead_relu_threshold: the dead fraction of a ReLU layer that gets a warning.

    Attributes:
        warnings: list of DiagnosticRecord, in the order found.
        records: list of dicts, one per probe: {'epoch', 'batch', 'step', and the diagnostics keys}.
        nan_origin: dict describing the first NaN/Inf ({'phase', 'layer', 'op', 'produced',
            'epoch', 'batch', 'detail'}), or None.

    Example:
        >>> diag = keras.callbacks.Diagnostics(warn=False)
        >>> history = model.fit(x, y, epochs=3, callbacks=[diag], verbose=0)
        >>> [w.kind for w in diag.warnings]
        ['vanishing_gradients']
    """

    def __init__(self, every_n_batches=None, warn=True, stop_on_nan=True, log_dir=None, verbose=1,
                 vanishing_ratio=1e-5, exploding_norm=1e3, divergence_factor=10.0, overfit_patience=3,
                 dead_relu_threshold=0.5):
        super().__init__()
        if every_n_batches is not None and (isinstance(every_n_batches, bool)
                                            or not isinstance(every_n_batches, int) or every_n_batches < 1):
            raise ValueError(f"Diagnostics: every_n_batches must be None or an int >= 1. "
                             f"Received: every_n_batches={every_n_batches!r}")
        if not isinstance(overfit_patience, int) or overfit_patience < 1:
            raise ValueError(f"Diagnostics: overfit_patience must be an int >= 1. "
                             f"Received: overfit_patience={overfit_patience!r}")
        self.every_n_batches = every_n_batches
        self.warn = bool(warn)
        self.stop_on_nan = bool(stop_on_nan)
        self.log_dir = None if log_dir is None else str(log_dir)
        self.verbose = verbose
        self.vanishing_ratio = float(vanishing_ratio)
        self.exploding_norm = float(exploding_norm)
        self.divergence_factor = float(divergence_factor)
        self.overfit_patience = overfit_patience
        self.dead_relu_threshold = float(dead_relu_threshold)
        self._reset()

    def _reset(self):
        self.warnings = []
        self.records = []
        self.nan_origin = None
        self._reported = set()  # (kind, layer) already warned about
        self._keys = []  # the diagnostics keys, in the order first measured
        self._epoch_values = {}
        self._epoch = 0
        self._global_batch = 0
        self._first_loss = None
        self._max_loss = -math.inf
        self._epoch_losses = []
        self._val_losses = []
        self._watch = None
        self._writer = None

    # ---- fit hooks ---------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        if self._watch is not None:  # left set by a fit that raised inside a batch
            self._watch.uninstall()
        self._reset()
        self._keys = _expected_keys(self.model)
        self._writer = None if self.log_dir is None else tensorboard_writer.SummaryWriter(
            f"{self.log_dir.rstrip('/')}/diagnostics")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_values = {}

    def on_train_batch_begin(self, batch, logs=None):
        probing = self._probes(batch)
        if not (probing or self.stop_on_nan):
            return
        self._watch = _Watch(self.model, probing, self.stop_on_nan)
        self._watch.install()

    def on_train_batch_end(self, batch, logs=None):
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.uninstall()
            if watch.probing:
                self._record_probe(batch, watch.measure())
            if watch.origin is None and self.stop_on_nan:
                watch.check_weights()
            if watch.origin is not None:
                self._stop(batch, watch.origin)
        self._check_batch_loss(batch, (logs or {}).get("loss"))
        self._global_batch += 1

    def on_epoch_end(self, epoch, logs=None):
        values = {key: self._epoch_values.get(key, math.nan) for key in self._keys}
        if logs is not None:
            logs.update(values)
        if self._writer is not None and self.every_n_batches is None:
            self._write_scalars(self._epoch_values, epoch)
        if self.verbose >= 2 and values:
            print_message(f"Diagnostics, epoch {epoch + 1}:\n" + _table(values))
        logs = logs or {}
        self._check_epoch_loss(epoch, logs.get("loss"))
        self._check_overfitting(epoch, logs.get("loss"), logs.get("val_loss"))

    def on_train_end(self, logs=None):
        if self._watch is not None:
            self._watch.uninstall()
            self._watch = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # ---- probes --------------------------------------------------------------------------------

    def _probes(self, batch):
        """Whether this training batch is probed."""
        if self.every_n_batches is not None:
            return (self._global_batch + 1) % self.every_n_batches == 0
        steps = (self.params or {}).get("steps")
        return steps is None or batch == steps - 1

    def _record_probe(self, batch, measured):
        """Store one probe's values (ordered as the forward pass met the layers) and check them."""
        values = {}
        for layer_name, quantities in measured["layers"]:
            for quantity, value in quantities.items():
                values[f"{LOG_PREFIX}{layer_name}/{quantity}"] = value
        for key in values:
            if key not in self._keys:
                self._keys.append(key)
        self._epoch_values.update(values)
        self.records.append({"epoch": self._epoch, "batch": batch, "step": self._global_batch, **values})
        if self._writer is not None and self.every_n_batches is not None:
            self._write_scalars(values, self._global_batch)
        self._check_gradients(batch, measured["layers"])
        self._check_dead_relus(batch, measured["layers"])

    def _write_scalars(self, values, step):
        for key, value in values.items():
            self._writer.write_summary(tensorboard_writer.scalar_summary(key, float(value)), step)
        self._writer.flush()

    # ---- checks -----------------------------------------------------------------------------

    def _report(self, kind, batch, layer, message, values, per_layer=True):
        """Record (and warn about) a problem the first time it shows (in this layer, if per_layer)."""
        key = (kind, layer if per_layer else None)
        if key in self._reported:
            return
        self._reported.add(key)
        self.warnings.append(DiagnosticRecord(kind, self._epoch, batch, layer, message, values))
        if self.warn:
            warnings_module.warn(message, DiagnosticsWarning, stacklevel=2)

    def _check_gradients(self, batch, layers):
        norms = [(name, q["grad_norm"]) for name, q in layers if "grad_norm" in q]
        large = [(name, norm) for name, norm in norms if math.isfinite(norm) and norm > self.exploding_norm]
        if large:
            name, norm = max(large, key=lambda item: item[1])
            listed = ", ".join(f"'{n}' ({g:.3g})" for n, g in large)
            self._report(
                "exploding_gradients", batch, name,
                f"Exploding gradients: the gradient norm of {len(large)} layer(s) is above "
                f"{self.exploding_norm:.3g}: {listed}. The weights take huge steps and training becomes "
                "unstable: lower the learning rate, clip the gradients (the optimizer's clipnorm "
                "or clipvalue), scale the inputs, or add batch normalization.",
                {"grad_norm": norm, "layers": dict(large), "threshold": self.exploding_norm},
                per_layer=False)
        if len(norms) < 2:
            return
        (first, g_first), (last, g_last) = norms[0], norms[-1]
        if not (math.isfinite(g_first) and math.isfinite(g_last)) or g_last <= 0:
            return
        ratio = g_first / g_last
        if ratio < self.vanishing_ratio:
            self._report(
                "vanishing_gradients", batch, first,
                f"Vanishing gradients: the gradient norm of the first layer '{first}' ({g_first:.3g}) is "
                f"{ratio:.2g} times that of the last layer '{last}' ({g_last:.3g}), so the first layers "
                f"barely learn.{_vanishing_causes(layers, self.dead_relu_threshold)} Remedies: ReLU-family "
                "activations, Glorot/He initialization, batch normalization, residual connections or a "
                "shallower model.",
                {"first_layer": first, "last_layer": last, "first_grad_norm": g_first,
                 "last_grad_norm": g_last, "ratio": ratio})

    def _check_dead_relus(self, batch, layers):
        for name, q in layers:
            dead = q.get("dead_relu_fraction")
            if dead is not None and dead >= self.dead_relu_threshold:
                self._report(
                    "dead_relu", batch, name,
                    f"Dead ReLUs: {100 * dead:.0f}% of the units of layer '{name}' output 0 for every "
                    "sample of the probed batch, so they pass no gradient and no longer learn. Usual "
                    "causes: a large negative bias or a learning rate too large; remedies: LeakyReLU or "
                    "ELU, He initialization, a lower learning rate, batch normalization.",
                    {"dead_relu_fraction": dead, "threshold": self.dead_relu_threshold})

    def _learning_rate(self):
        try:
            return f"{float(self.model.optimizer.learning_rate):.3g}"
        except (AttributeError, TypeError, ValueError):
            return "?"

    def _diverged(self, batch, reference, loss, where):
        self._report(
            "divergence", batch, None,
            f"The loss is diverging: {where} it reached {loss:.4g}, {loss / reference:.3g} times "
            f"{reference:.4g}. The learning rate ({self._learning_rate()}) is likely too large: lower it "
            "(e.g. 10 times), or use a learning-rate schedule or an adaptive optimizer (Adam).",
            {"loss": loss, "reference": reference, "factor": loss / reference})

    def _check_batch_loss(self, batch, loss):
        if loss is None or not isinstance(loss, float):
            return
        if not math.isfinite(loss):
            if self.nan_origin is None:  # not traced to an op (stop_on_nan=False)
                self._report(
                    "divergence", batch, None,
                    f"The loss became {loss} at epoch {self._epoch + 1}, batch {batch + 1} (the first "
                    f"batch's was {self._first_loss}). A learning rate too large "
                    f"({self._learning_rate()}) is the usual cause: lower it, or run with "
                    "stop_on_nan=True to find the op that made the first NaN/Inf.",
                    {"loss": loss, "reference": self._first_loss, "factor": math.inf})
            return
        self._max_loss = max(self._max_loss, loss)
        if self._first_loss is None:
            self._first_loss = loss
        elif self._first_loss > 0 and loss > self.divergence_factor * self._first_loss:
            self._diverged(batch, self._first_loss, loss,
                           f"at epoch {self._epoch + 1}, batch {batch + 1} (the epoch's running mean), "
                           "compared with the first batch of training,")

    def _check_epoch_loss(self, epoch, loss):
        if loss is None or not math.isfinite(loss):
            return
        best = min(self._epoch_losses, default=None)
        self._epoch_losses.append(loss)
        if best is not None and best > 0 and loss > self.divergence_factor * best:
            self._diverged(None, best, loss, f"at epoch {epoch + 1}, compared with the lowest epoch loss so far,")

    def _check_overfitting(self, epoch, loss, val_loss):
        if loss is None or val_loss is None:
            return
        self._val_losses.append((loss, val_loss))
        k = self.overfit_patience
        if len(self._val_losses) <= k:
            return
        (loss_then, val_then), (loss_now, val_now) = self._val_losses[-1 - k], self._val_losses[-1]
        lowest = min(v for _, v in self._val_losses[:-1])
        if loss_now < loss_then and val_now > 1.01 * val_then and val_now > lowest:
            self._report(
                "overfitting", None, None,
                f"Overfitting: over the last {k} epochs (to epoch {epoch + 1}) the training loss fell "
                f"({loss_then:.4g} -> {loss_now:.4g}) while the validation loss rose ({val_then:.4g} -> "
                f"{val_now:.4g}; lowest {lowest:.4g}). The model is memorizing the training set. Remedies: "
                "regularization (L1/L2 weight penalties), dropout, batch normalization, early stopping "
                "(EarlyStopping(restore_best_weights=True)), more (or augmented) training data, a "
                "learning-rate schedule, or a smaller model.",
                {"loss_then": loss_then, "loss_now": loss_now, "val_loss_then": val_then,
                 "val_loss_now": val_now, "lowest_val_loss": lowest, "epochs": k})

    def _stop(self, batch, origin):
        origin = dict(origin, epoch=self._epoch, batch=batch)
        self.nan_origin = origin
        self.model.stop_training = True
        where = ("outside any layer (in the loss, the metrics or the optimizer)" if origin["layer"] == _OUTSIDE
                 else f"in layer '{origin['layer']}'")
        if origin["op"] is None:
            message = (f"Training stopped at epoch {self._epoch + 1}, batch {batch + 1}: {origin['detail']}.")
        else:
            how = ("from finite inputs" if origin["produced"]
                   else "whose inputs already held NaN/Inf (" + origin["detail"] + ")")
            message = (f"Training stopped at epoch {self._epoch + 1}, batch {batch + 1}: the first "
                       f"{origin['value']} appeared in the {origin['phase']} pass, {where}, made by the "
                       f"op '{origin['op']}' {how}.")
            if origin["op"] in ("log", "log1p", "sqrt", "rsqrt", "div", "divide", "true_divide", "pow"):
                message += (f" '{origin['op']}' gives NaN/Inf outside its domain (log of 0 or of a negative "
                            "number, division by 0): add a small epsilon or clip its input.")
        if self._first_loss and self._max_loss > 2 * self._first_loss:
            message += (f" The loss was rising before (from {self._first_loss:.4g} to {self._max_loss:.4g}): "
                        f"the learning rate ({self._learning_rate()}) is likely too large.")
        self._report("non_finite", batch, origin["layer"], message, origin)
        if self.verbose:
            print_message(message)


def _expected_keys(model):
    """The diagnostics keys a probe of `model` gives, known before the first probe (so that every
    epoch's logs hold them all, and CSVLogger's columns, fixed at the first epoch, include them)."""
    if model is None:
        return []
    trainable = {id(w) for w in model.trainable_weights}
    keys = []
    for layer in model._flatten_layers():
        kind = _activation_kind(layer)
        if kind is not None:
            keys.append(f"{LOG_PREFIX}{layer.name}/"
                        + ("dead_relu_fraction" if kind == "relu" else "saturated_fraction"))
        if any(id(w) in trainable for w in layer._own_weights):
            keys += [f"{LOG_PREFIX}{layer.name}/grad_norm", f"{LOG_PREFIX}{layer.name}/update_ratio"]
    return keys


def _vanishing_causes(layers, dead_threshold):
    """The sentences naming what shrinks the gradient: dead ReLU layers, sigmoid/tanh layers."""
    dead = [f"'{name}'" for name, q in layers if q.get("dead_relu_fraction", 0.0) >= dead_threshold]
    squashing = [(name, q["saturated_fraction"]) for name, q in layers if "saturated_fraction" in q]
    text = ""
    if dead:
        text += f" The dead ReLU layers {', '.join(dead)} pass no gradient back."
    if squashing:
        text += (f" Each of the {len(squashing)} sigmoid or tanh layers multiplies the gradient by its "
                 "derivative (at most 0.25 for sigmoid, 1 for tanh) on the way back")
        saturated = [f"'{name}' ({100 * share:.0f}%)" for name, share in squashing if share >= 0.5]
        text += f"; mostly saturated: {', '.join(saturated)}." if saturated else "."
    return text


def _table(values):
    width = max(len(k) for k in values)
    return "\n".join(f"  {key:<{width}}  {value:.4g}" for key, value in values.items())


# ---- watching one training batch -------------------------------------------------------------------


def _arrays(value):
    """The float arrays in an op's arguments or results (tensors, arrays, nested lists/tuples/dicts)."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, xp.ndarray):
        if value.dtype.kind in "fc":
            yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays(v)


def _finite(a):
    """True when the array holds no NaN and no Inf (one sum first: cheap when it is finite)."""
    if a.size == 0:
        return True
    with xp.errstate(all="ignore"):
        if xp.isfinite(a.sum()):
            return True
    return bool(xp.isfinite(a).all())


def _kind_of_bad(a):
    return "NaN" if xp.isnan(a).any() else "Inf"


def _activation_kind(layer):
    """'relu', 'sigmoid' or 'tanh' when the layer's output is that activation's output, else None."""
    if isinstance(layer, ReLU):
        return "relu" if not layer.negative_slope else None
    activation = layer.__dict__.get("activation")
    if activation is None or hasattr(layer, "cell") or hasattr(layer, "state_size"):
        return None
    name = getattr(activation, "__name__", None)
    return {"relu": "relu", "relu6": "relu", "sigmoid": "sigmoid", "tanh": "tanh"}.get(name)


class _Watch:
    """The op table's observer for one training batch, and the layer stack it maps ops to.

    installed: every layer's `call` is wrapped on the instance (push/pop the layer; record
    activation statistics when probing), the observer is set (chained to any observer already
    set, such as a running profile).
    """

    def __init__(self, model, probing, check):
        self.model = model
        self.probing = probing
        self.check = check
        self.stack = []
        self.origin = None
        self.previous = None
        self.layers = model._flatten_layers()
        self.wrapped = []
        self.called = []  # layers in the order the forward pass first called them
        self.activations = {}  # id(layer) -> [kind, alive mask or saturated count, total]
        self.var_owner = {}
        for layer in self.layers:
            for w in layer._own_weights:
                self.var_owner.setdefault(id(w), (layer, w))
        trainable = {id(w) for w in model.trainable_weights}
        self.var_owner = {k: v for k, v in self.var_owner.items() if k in trainable}
        self.grad_sq = {}
        self.before = {}
        if probing:
            self.before = {k: w.data.copy() for k, (_, w) in self.var_owner.items()}

    # ---- install -------------------------------------------------------------------------

    def install(self):
        """Wrap the layers and set the observer. A watch still set (left by a fit that raised, or
        by a second Diagnostics in the same fit) is taken off first: one watch at a time."""
        previous = table.set_observer(None)
        if isinstance(previous, _Watch):
            previous.unwrap_layers()
            previous = previous.previous
        self.previous = previous
        for layer in self.layers:
            self._wrap(layer)
        table.set_observer(self)

    def uninstall(self):
        current = table.set_observer(None)
        table.set_observer(self.previous if current is self else current)
        self.unwrap_layers()

    def unwrap_layers(self):
        for layer, had, old in self.wrapped:
            if had and getattr(old, "_diagnostics_original", None) is None:
                layer.__dict__["call"] = old
            else:
                layer.__dict__.pop("call", None)
        self.wrapped = []

    def _wrap(self, layer):
        had = "call" in layer.__dict__
        old = layer.__dict__.get("call")
        original = layer.call
        while getattr(original, "_diagnostics_original", None) is not None:  # left by a crashed fit
            original = original._diagnostics_original
        watch = self

        @functools.wraps(original)
        def call(*args, **kwargs):
            watch.stack.append(layer)
            try:
                out = original(*args, **kwargs)
            finally:
                watch.stack.pop()
            if watch.probing:
                watch.observe_output(layer, out)
            return out

        call._diagnostics_original = original
        self.wrapped.append((layer, had, old))
        layer.__dict__["call"] = call

    # ---- the observer's two hooks -----------------------------------------------------------

    def op_call(self, spec, forward, args, kwargs):
        first_serial = next_serial()
        previous = self.previous
        out = forward(*args, **kwargs) if previous is None else previous.op_call(spec, forward, args, kwargs)
        if not self.check or self.origin is not None:
            return out
        layer = self.stack[-1].name if self.stack else _OUTSIDE
        for a in _arrays(out):
            if not _finite(a):
                self._found_forward(spec.name, layer, a, args, kwargs)
                return out
        for t in out if isinstance(out, (tuple, list)) else (out,):
            node = t._node if isinstance(t, Tensor) else None
            if node is not None and node.serial >= first_serial and node.vjp is not None:
                node.vjp = _CheckedVjp(self, node.vjp, node.op, layer)
        return out

    def backward(self, walk, args):
        previous = self.previous
        results = walk(*args) if previous is None else previous.backward(walk, args)
        if self.probing:
            for t, g in results.values():
                if id(t) in self.var_owner:
                    g = g.data if isinstance(g, Tensor) else g
                    self.grad_sq[id(t)] = float(xp.sum(xp.square(g, dtype=xp.float64)))
        return results

    # ---- findings ---------------------------------------------------------------------------

    def _found_forward(self, op, layer, bad, args, kwargs):
        inputs = [(v, a) for v in _tensors(args, kwargs) for a in _arrays(v) if not _finite(a)]
        detail = ""
        if inputs:
            variables = [v.name for v, _ in inputs if isinstance(v, Variable)]
            detail = (f"the weights {variables} already held NaN/Inf, set by the optimizer's update"
                      if variables else "its input was already non-finite: the batch's data, or a "
                      "computation outside deepgrad's ops")
        self.origin = {"phase": "forward", "layer": layer, "op": op, "produced": not inputs,
                       "value": _kind_of_bad(bad), "detail": detail}

    def found_backward(self, op, layer, bad):
        self.origin = {"phase": "backward", "layer": layer, "op": op, "produced": True,
                       "value": _kind_of_bad(bad), "detail": ""}

    def check_weights(self):
        """After the update: a weight made non-finite by the optimizer from finite gradients."""
        for layer, w in self.var_owner.values():
            if not _finite(w.data):
                self.origin = {"phase": "update", "layer": layer.name, "op": None, "produced": True,
                               "value": _kind_of_bad(w.data),
                               "detail": f"the optimizer's update made the weight '{w.name}' of layer "
                                         f"'{layer.name}' {_kind_of_bad(w.data)} although every op and "
                                         "gradient was finite: lower the learning rate or clip the gradients"}
                return

    # ---- probe measurements --------------------------------------------------------------------

    def observe_output(self, layer, out):
        if id(layer) not in self.activations:
            self.called.append(layer)
        kind = _activation_kind(layer)
        arrays = list(_arrays(out))
        if kind is None or not arrays:
            self.activations.setdefault(id(layer), None)
            return
        a = arrays[0]
        entry = self.activations.get(id(layer))
        if kind == "relu":
            alive = (a > 0).reshape(-1, a.shape[-1] if a.ndim else 1).any(axis=0)
            if entry is not None and entry[1].shape == alive.shape:
                alive = alive | entry[1]
            self.activations[id(layer)] = [kind, alive, alive.size]
        else:
            if kind == "sigmoid":
                saturated = int(xp.count_nonzero((a < SIGMOID_BAND[0]) | (a > SIGMOID_BAND[1])))
            else:
                saturated = int(xp.count_nonzero(xp.abs(a) > TANH_LIMIT))
            count, total = (entry[1], entry[2]) if entry is not None else (0, 0)
            self.activations[id(layer)] = [kind, count + saturated, total + a.size]

    def measure(self):
        """{'layers': [(layer name, {quantity: value})]} in forward order, then any weighted layer
        the forward pass did not reach."""
        order = list(self.called) + [l for l in self.layers if id(l) not in self.activations]
        per_layer = {}
        for layer_id, (layer, w) in self.var_owner.items():
            per_layer.setdefault(id(layer), []).append((layer_id, w))
        out = []
        for layer in order:
            quantities = {}
            entry = self.activations.get(id(layer))
            if entry is not None:
                kind, value, total = entry
                if kind == "relu":
                    quantities["dead_relu_fraction"] = 1.0 - float(xp.count_nonzero(value)) / total
                else:
                    quantities["saturated_fraction"] = value / total if total else math.nan
            weights = per_layer.get(id(layer))
            if weights:
                grads = [self.grad_sq[k] for k, _ in weights if k in self.grad_sq]
                quantities["grad_norm"] = math.sqrt(sum(grads)) if grads else math.nan
                delta = sum(float(xp.sum(xp.square(w.data - self.before[k], dtype=xp.float64)))
                            for k, w in weights)
                size = sum(float(xp.sum(xp.square(self.before[k], dtype=xp.float64))) for k, _ in weights)
                quantities["update_ratio"] = math.sqrt(delta / size) if size > 0 else math.nan
            if quantities:
                out.append((layer.name, quantities))
        return {"layers": out}


def _tensors(args, kwargs):
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, (Tensor, xp.ndarray)))
        elif isinstance(value, (Tensor, xp.ndarray)):
            yield value


class _CheckedVjp:
    """A recorded vjp that reports the first gradient it turns from finite to NaN/Inf."""

    __slots__ = ("watch", "vjp", "op", "layer")

    def __init__(self, watch, vjp, op, layer):
        self.watch, self.vjp, self.op, self.layer = watch, vjp, op, layer

    def __call__(self, g):
        grads = self.vjp(g)
        watch = self.watch
        if watch.origin is None and watch.check and all(_finite(a) for a in _arrays(g)):
            for a in _arrays(list(grads)):
                if not _finite(a):
                    watch.found_backward(self.op, self.layer, a)
                    break
        return grads
