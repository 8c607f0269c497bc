"""Explain one training step: forward propagation, loss, backpropagation, weight update.

    from deepgrad.inspect import explain_step
    step = explain_step(model, x_batch, y_batch)           # performs the step and prints it
    step.updates["dense/kernel"]                           # the real ΔW of that step
    explain_step(model, x, y, html="step.html")            # the same account as one HTML page

`explain_step` does what `model.train_on_batch(x, y)` does, in the same order with the same
numbers (the default `train_step`): the forward pass `model(x, training=True)`, the compiled
loss plus the model's `losses`, one backward walk, `optimizer.apply`, the loss tracker and the
compiled metrics. While the model runs, each top-level layer's `call` is wrapped so that its
inputs and outputs are kept (the model's own call does the work, so Sequential, functional and
subclassed models are explained alike); the backward walk also returns the gradient of the loss
with respect to each of those outputs. The weights are copied before the update, so each
update ΔW = W_after - W_before is the real one; the optimizer's terms (Adam's moments, SGD's
momentum, RMSprop's mean square) are read from its state after the step, and the update they
predict is computed beside it (`WeightStep.predicted_update`) to show that the formula is the
one that ran.
"""
import base64
import contextlib
import functools
import html as html_module
import io
import math
import sys

from ..backend import xp
from ..keras import activations as activations_module
from ..keras.callbacks import pythonify_logs
from ..keras.layers.keras_tensor import flatten_structure
from ..keras.models.data_adapter import to_arrays
from ..keras.models.trainer import Trainer, _batch_len, _step_data
from ..keras.utils.data_packing import unpack_x_y_sample_weight
from ..tensor import Tensor, enable_grad, no_grad, run_backward


class WeightStep:
    """One trainable weight in the step.

    Attributes:
        layer, name, key: the layer's name, the weight's name, and "layer/name" (unique).
        before, gradient, update, after: arrays of the weight's shape; update = after - before
            (float64, so before + update reproduces after), gradient = dL/dW from backprop.
        terms: the optimizer's terms for this weight (arrays and scalars, read after the step).
        formula: the update rule in words.
        predicted_update: the update computed from `terms` in float64 (None when the optimizer's
            rule is not spelled out here).
        ratio: ||ΔW|| / ||W_before||.
    """

    def __init__(self, layer, name, key, before, gradient, after):
        self.layer, self.name, self.key = layer, name, key
        self.before, self.gradient, self.after = before, gradient, after
        self.update = after.astype(xp.float64) - before.astype(xp.float64)
        self.terms = {}
        self.formula = ""
        self.predicted_update = None
        norm = float(xp.linalg.norm(before))
        self.ratio = float(xp.linalg.norm(self.update)) / norm if norm > 0 else float("inf")

    @property
    def shape(self):
        return self.before.shape


class LayerStep:
    """One layer call in the step: what went in and out, and the gradient that came back.

    Attributes:
        name, class_name: the layer's name and class.
        input_shapes, output_shape: shapes with the batch axis.
        formula: the forward computation in symbols.
        activation: the output array; stats: its mean, std, min, max, fraction of zeros (and of
            saturated units for sigmoid/tanh).
        output_gradient: dL/d(output), or None when no gradient reaches it.
        logits_gradient: dL/dz for a softmax/sigmoid output whose loss was computed from its
            logits z (the gradient then bypasses the output), else None.
        backward_rule: the chain-rule step of this layer, in words.
        weights: its WeightStep entries.
    """

    def __init__(self, layer, inputs, output):
        self.name = layer.name
        self.class_name = type(layer).__name__
        self.input_shapes = [tuple(t.shape) for t in flatten_structure(inputs) if isinstance(t, Tensor)]
        self.activation = xp.array(output.data)
        self.output_shape = tuple(output.shape)
        self.formula = _forward_formula(layer, inputs, output)
        self.stats = _stats(self.activation, _activation_name(layer))
        self.output_gradient = None
        self.logits_gradient = None  # dL/dz when the loss was computed from the logits z (softmax, sigmoid)
        self.backward_rule = _backward_rule(layer)
        self.weights = []


class StepExplanation:
    """The record of one explained training step (returned by `explain_step`).

    Attributes:
        loss: the total loss of the step (the value train_on_batch reports).
        loss_terms: [(description, value)], the compiled loss(es) and each added loss.
        loss_name, loss_formula, reduction: how the loss was computed, in words.
        layers: LayerStep per layer call, in forward order.
        weights: WeightStep per trainable weight, in `model.trainable_weights` order.
        optimizer: dict with 'name', 'class', 'learning_rate', 'iteration' (updates done
            before this one), 'formula'.
        logs: the step's logs (loss and compiled metrics), as train_on_batch(return_dict=True).
        text: the printed account.
    """

    def __init__(self):
        self.loss = None
        self.loss_terms = []
        self.loss_name = self.loss_formula = self.reduction = ""
        self.layers = []
        self.weights = []
        self.optimizer = {}
        self.logs = {}
        self.text = ""

    @property
    def activations(self):
        """{layer name: its output array} (the first call of a layer called twice)."""
        out = {}
        for entry in self.layers:
            out.setdefault(entry.name, entry.activation)
        return out

    @property
    def output_gradients(self):
        """{layer name: dL/d(output)} for the layers a gradient reached."""
        out = {}
        for entry in self.layers:
            if entry.output_gradient is not None:
                out.setdefault(entry.name, entry.output_gradient)
        return out

    @property
    def gradients(self):
        """{"layer/weight": dL/dW}."""
        return {w.key: w.gradient for w in self.weights}

    @property
    def updates(self):
        """{"layer/weight": ΔW} (float64): W_before + ΔW is the weight after the step."""
        return {w.key: w.update for w in self.weights}

    def __str__(self):
        return self.text

    def to_html(self):
        """The account as one self-contained HTML page (inline CSS; figures as inline PNGs
        when matplotlib is installed, tables alone otherwise)."""
        return _html_page(self)

    def write_html(self, path):
        """Write `to_html()` to `path`; returns the path."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_html())
        return path


def explain_step(model, x, y=None, sample_weight=None, file=None, html=None, max_rows=3):
    """Perform one training step on (x, y) exactly as `model.train_on_batch(x, y)`, and explain it.

    Prints, in four sections: (1) forward propagation layer by layer (input/output shapes, the
    formula, statistics of the activations); (2) the loss (its name, formula, value and
    reduction, plus each added regularization loss); (3) backpropagation from the output back
    (dL/d(output) of each layer, dL/dW of each weight, their norms, the chain-rule step);
    (4) the update of every weight (learning rate, the optimizer's rule and terms, ||ΔW||/||W||).

    Args:
        model: a compiled model that uses the default `train_step`.
        x, y, sample_weight: one batch, as train_on_batch takes it.
        file: where to print (default sys.stdout).
        html: a path: also write the account there as a self-contained HTML page.
        max_rows: how many entries of each weight the update section works out by hand
            (old value, gradient, optimizer terms, new value); 0 leaves them out.

    Returns:
        A StepExplanation holding the step's real arrays (activations, gradients, updates).

    Raises:
        RuntimeError: the model is not compiled.
        NotImplementedError: the model overrides `train_step` (its step cannot be replayed).
    """
    if not getattr(model, "compiled", False):
        raise RuntimeError(
            "explain_step: the model must be compiled (model.compile(optimizer=..., loss=...)) "
            f"before a training step can be explained. Received: model '{model.name}', not compiled"
        )
    if type(model).train_step is not Trainer.train_step:
        raise NotImplementedError(
            f"explain_step: model '{model.name}' of class {type(model).__name__} overrides train_step; "
            "only the default step (forward, compiled loss, backward, optimizer.apply) can be explained"
        )
    if max_rows < 0:
        raise ValueError(f"explain_step: max_rows must be >= 0. Received: max_rows={max_rows}")
    record = StepExplanation()
    x, y, sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
    model.reset_metrics()
    x, y, sample_weight = unpack_x_y_sample_weight(_step_data((x, y, sample_weight)))
    calls = []
    with _recording_calls(model.layers, calls), enable_grad():
        y_pred = model(x, training=True)
        loss = model._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
    with no_grad():
        penalties = [float(_scalar(p)) for p in (model.losses or [])]
    if model._loss_tracker is not None:
        model._loss_tracker.update_state(loss, sample_weight=_batch_len(x))
    optimizer = model.optimizer
    trainable = model.trainable_weights
    before = [xp.array(v.data) for v in trainable]
    learning_rate, iteration = optimizer._current_learning_rate(), optimizer._step()
    outputs = [out for _, _, out in calls] + [out._keras_logits[1] for _, _, out in calls
                                              if out._keras_logits is not None]
    found = run_backward(loss, capture=outputs) if loss.requires_grad else {}
    grads = [xp.array(found[id(v)][1]) if id(v) in found else None for v in trainable]
    if trainable:
        optimizer.apply(grads, trainable)
    with no_grad():
        record.logs = pythonify_logs(model.compute_metrics(x, y, y_pred, sample_weight=sample_weight))

    record.loss = float(loss.data)
    _describe_loss(record, model, y_pred, sample_weight, penalties)
    owners = _weight_owners(model)
    layer_entries = {}
    for layer, inputs, out in calls:
        entry = LayerStep(layer, inputs, out)
        if id(out) in found:
            entry.output_gradient = xp.array(found[id(out)][1])
        logits = out._keras_logits[1] if out._keras_logits is not None else None
        if logits is not None and id(logits) in found:
            entry.logits_gradient = xp.array(found[id(logits)][1])
        record.layers.append(entry)
        layer_entries.setdefault(id(layer), entry)
    keys = set()
    for v, b, g in zip(trainable, before, grads):
        owner = owners.get(id(v))
        layer_name = owner.name if owner is not None else model.name
        key = v.name if "/" in v.name else f"{layer_name}/{v.name}"
        while key in keys:
            key += "_"
        keys.add(key)
        gradient = g if g is not None else xp.zeros_like(b)
        w = WeightStep(layer_name, v.name.rsplit("/", 1)[-1], key, b, gradient, xp.array(v.data))
        _optimizer_terms(w, v, optimizer, learning_rate, iteration, g)
        record.weights.append(w)
        entry = layer_entries.get(id(owner)) if owner is not None else None
        if entry is not None:
            entry.weights.append(w)
    record.optimizer = {"name": optimizer.name, "class": type(optimizer).__name__,
                        "learning_rate": learning_rate, "iteration": iteration,
                        "formula": _optimizer_formula(optimizer)}
    record.text = _text(record, model, max_rows)
    print(record.text, file=file if file is not None else sys.stdout)
    if html is not None:
        record.write_html(html)
    return record


# ---- recording the forward pass ------------------------------------------------------------


@contextlib.contextmanager
def _recording_calls(layers, calls):
    """While active, each layer's `call` also appends (layer, inputs, first output tensor) to `calls`."""
    patched = []
    for layer in layers:
        original = layer.call

        def call(inputs, *args, _layer=layer, _call=original, **kwargs):
            out = _call(inputs, *args, **kwargs)
            first = next((t for t in flatten_structure(out) if isinstance(t, Tensor)), None)
            if first is not None:
                calls.append((_layer, inputs, first))
            return out

        functools.update_wrapper(call, original)
        patched.append((layer, vars(layer).get("call")))
        layer.call = call
    try:
        yield
    finally:
        for layer, own in patched:
            if own is None:
                del layer.call
            else:
                layer.call = own


def _weight_owners(model):
    """{id(weight): the top-level layer holding it}, for the model's trainable weights."""
    owners = {}
    for layer in model.layers:
        for w in layer.trainable_weights:
            owners.setdefault(id(w), layer)
    return owners


def _scalar(value):
    value = value if isinstance(value, Tensor) else Tensor(value)
    return value.data.sum()


# ---- words for each layer ------------------------------------------------------------------


def _activation_name(layer):
    """The name of the layer's built-in activation (Dense, Conv, Activation), or None."""
    activation = getattr(layer, "activation", None)
    if activation is None:
        return type(layer).__name__.lower() if type(layer).__name__ in ("ReLU", "Softmax") else None
    try:
        return activations_module.serialize(activation)
    except ValueError:
        return getattr(activation, "__name__", "activation")


def _applied(name, expression):
    return expression if name in (None, "linear") else f"{name}({expression})"


def _forward_formula(layer, inputs, output):
    kind = type(layer).__name__
    act = _activation_name(layer)
    if kind == "Dense":
        bias = " + b" if getattr(layer, "use_bias", True) and getattr(layer, "bias", None) is not None else ""
        return (f"y = {_applied(act, 'x @ W' + bias)}   W: {tuple(layer.kernel.shape)}"
                + (f", b: {tuple(layer.bias.shape)}" if bias else ""))
    if kind.startswith("Conv") and hasattr(layer, "kernel_size"):
        bias = " + b" if getattr(layer, "use_bias", True) else ""
        window = "x".join(str(k) for k in layer.kernel_size)
        return (f"y = {_applied(act, 'conv(x, K)' + bias)}   K: {tuple(layer.kernel.shape)}: each output "
                f"value is the dot product of a {window} window of x (all input channels) with one of the "
                f"{layer.kernel.shape[-1]} filters; strides {tuple(layer.strides)}, padding '{layer.padding}'")
    if "MaxPooling" in kind and "Global" not in kind:
        return (f"y = the maximum of each {'x'.join(map(str, layer.pool_size))} window, per channel "
                f"(strides {tuple(layer.strides)}, padding '{layer.padding}')")
    if "AveragePooling" in kind and "Global" not in kind:
        return (f"y = the mean of each {'x'.join(map(str, layer.pool_size))} window, per channel "
                f"(strides {tuple(layer.strides)}, padding '{layer.padding}')")
    if kind.startswith("GlobalAverage"):
        return "y = the mean over the spatial axes, per channel"
    if kind.startswith("GlobalMax"):
        return "y = the maximum over the spatial axes, per channel"
    if kind == "Flatten":
        return "y = reshape(x, (batch, -1)): the same numbers in one row per sample"
    if kind == "Dropout":
        x = next(t for t in flatten_structure(inputs) if isinstance(t, Tensor))
        dropped = float(xp.mean((output.data == 0) & (x.data != 0))) if x.data.size else 0.0
        return (f"y = x * mask / (1 - {layer.rate}), mask ~ Bernoulli(1 - {layer.rate}) (training mode): "
                f"{dropped:.1%} of the units dropped in this batch, the others scaled by {1 / (1 - layer.rate):.4g}"
                if layer.rate < 1 else "y = 0 (rate 1: every unit dropped)")
    if kind == "BatchNormalization":
        return (f"y = gamma * (x - mean_batch) / sqrt(var_batch + {layer.epsilon}) + beta (training mode: "
                f"this batch's statistics; the moving averages move by momentum {layer.momentum})")
    if kind in ("Activation", "ReLU", "Softmax"):
        return f"y = {act}(x)"
    if kind == "Embedding":
        return "y = E[x]: the row of the embedding matrix for each index"
    return f"y = {kind}(x)"


def _backward_rule(layer):
    kind = type(layer).__name__
    act = _activation_name(layer)
    through = {
        None: "dL/dz = dL/dy", "linear": "dL/dz = dL/dy",
        "relu": "dL/dz = dL/dy * (y > 0)  (ReLU passes the gradient only where it was active)",
        "sigmoid": "dL/dz = dL/dy * y (1 - y)",
        "tanh": "dL/dz = dL/dy * (1 - y^2)",
        "softmax": "dL/dz = y * (dL/dy - sum(dL/dy * y))  (softmax's Jacobian, per row)",
    }.get(act, f"dL/dz = dL/dy * {act}'(z)")
    if kind == "Dense":
        return (f"{through}; dL/dW = x^T · dL/dz; dL/db = sum over the batch of dL/dz; "
                "dL/dx = dL/dz · W^T (passed to the layer before)")
    if kind.startswith("Conv") and hasattr(layer, "kernel_size"):
        return (f"{through}; dL/dK = sum over positions of (window of x) ⊗ dL/dz (a correlation of x with "
                "dL/dz); dL/db = sum of dL/dz over batch and positions; dL/dx = the transposed convolution "
                "of dL/dz with K")
    if "MaxPooling" in kind:
        return "dL/dx = dL/dy routed to the position of each window's maximum; the other positions get 0"
    if "AveragePooling" in kind:
        return "dL/dx = dL/dy shared equally among the positions of each window"
    if kind == "Flatten":
        return "dL/dx = reshape(dL/dy, x.shape): the layout is undone, the numbers are unchanged"
    if kind == "Dropout":
        return "dL/dx = dL/dy * mask / (1 - rate): the dropped units get no gradient"
    if kind == "BatchNormalization":
        return ("dL/dgamma = sum(dL/dy * x_hat); dL/dbeta = sum(dL/dy); dL/dx flows through x_hat, "
                "the batch mean and the batch variance")
    if kind in ("Activation", "ReLU", "Softmax"):
        return through.replace("dL/dz", "dL/dx")
    return "the vjp of each of the layer's ops, applied in reverse order"


def _stats(a, activation):
    """Statistics of an activation array."""
    if a.dtype.kind not in "fc" or a.size == 0:
        return {}
    a64 = a.astype(xp.float64)
    stats = {"mean": float(a64.mean()), "std": float(a64.std()), "min": float(a64.min()),
             "max": float(a64.max()), "zeros": float(xp.mean(a == 0))}
    if activation == "sigmoid":
        stats["saturated"] = float(xp.mean((a < 0.01) | (a > 0.99)))
    elif activation == "tanh":
        stats["saturated"] = float(xp.mean(xp.abs(a) > 0.99))
    return stats


# ---- the loss --------------------------------------------------------------------------------

_LOSS_FORMULAS = {
    "sparse_categorical_crossentropy": "L_i = -log p_i[y_i]  (p_i: the predicted probabilities of sample i)",
    "categorical_crossentropy": "L_i = -sum_k y_ik log p_ik",
    "binary_crossentropy": "L_i = -mean_k [y_ik log p_ik + (1 - y_ik) log(1 - p_ik)]",
    "mean_squared_error": "L_i = mean_k (y_ik - y_pred_ik)^2",
    "mean_absolute_error": "L_i = mean_k |y_ik - y_pred_ik|",
    "huber_loss": "L_i = mean_k (0.5 e^2 if |e| <= delta else delta (|e| - 0.5 delta)),  e = y - y_pred",
    "huber": "L_i = mean_k (0.5 e^2 if |e| <= delta else delta (|e| - 0.5 delta)),  e = y - y_pred",
}

_REDUCTIONS = {
    "sum_over_batch_size": "the mean over the batch: sum_i w_i L_i / N (w_i = 1 without sample weights)",
    "sum": "the sum over the batch: sum_i w_i L_i",
    "mean_with_sample_weight": "the weighted mean: sum_i w_i L_i / sum_i w_i",
    "none": "no reduction (one loss per sample)",
    None: "no reduction (one loss per sample)",
}


def _describe_loss(record, model, y_pred, sample_weight, penalties):
    names, formulas, reductions = [], [], []
    for loss_fn, weight, _ in model._output_losses or []:
        if loss_fn is None:
            continue
        name = getattr(loss_fn, "name", None) or getattr(loss_fn, "__name__", type(loss_fn).__name__)
        names.append(name + (f" (weight {weight})" if weight is not None else ""))
        formula = _LOSS_FORMULAS.get(name, f"L_i = {name}(y_i, y_pred_i)")
        if getattr(loss_fn, "from_logits", False):
            formula += "; from_logits=True: p = softmax (or sigmoid) of the outputs"
        formulas.append(formula)
        reductions.append(_REDUCTIONS.get(getattr(loss_fn, "reduction", "sum_over_batch_size"),
                                          str(getattr(loss_fn, "reduction", ""))))
    logits = [t for t in flatten_structure(y_pred) if isinstance(t, Tensor) and t._keras_logits is not None]
    if logits:
        formulas.append("computed from the logits the final softmax/sigmoid received (numerically stable)")
    record.loss_name = ", ".join(names) or "the model's own losses"
    record.loss_formula = "; ".join(formulas)
    record.reduction = "; ".join(reductions) + (" (with the given sample weights)" if sample_weight is not None else "")
    compiled = record.loss - sum(penalties)
    if names:
        record.loss_terms.append((f"compiled loss ({record.loss_name})", compiled))
    for i, p in enumerate(penalties):
        record.loss_terms.append((f"added loss {i + 1} (regularization / add_loss)", p))


# ---- the optimizer ---------------------------------------------------------------------------


def _optimizer_formula(optimizer):
    kind = type(optimizer).__name__
    if kind == "SGD":
        if optimizer.momentum == 0:
            return "W <- W - lr * g"
        if optimizer.nesterov:
            return f"m <- {optimizer.momentum} m - lr * g;  W <- W + {optimizer.momentum} m - lr * g  (Nesterov)"
        return f"m <- {optimizer.momentum} m - lr * g;  W <- W + m"
    if kind in ("Adam", "AdamW"):
        decay = f"W <- W - {optimizer.weight_decay} lr W (decoupled weight decay);  " if optimizer.weight_decay else ""
        return (f"{decay}m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  "
                "W <- W - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)  "
                f"(b1 = {optimizer.beta_1}, b2 = {optimizer.beta_2}, eps = {optimizer.epsilon}; "
                "the same as lr * m_hat / (sqrt(v_hat) + eps') with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t))")
    if kind == "RMSprop":
        center = " - a^2" if optimizer.centered else ""
        step = f"s = lr * g / sqrt(v{center} + eps)"
        tail = f"m <- {optimizer.momentum} m + s;  W <- W - m" if optimizer.momentum > 0 else "W <- W - s"
        mean = ";  a <- rho a + (1 - rho) g" if optimizer.centered else ""
        return f"v <- rho v + (1 - rho) g^2{mean};  {step};  {tail}  (rho = {optimizer.rho}, eps = {optimizer.epsilon})"
    return f"the {kind} update rule (see its documentation); the change shown is the real one"


def _optimizer_terms(w, variable, optimizer, lr, iteration, grad):
    """Fill w.terms, w.formula and w.predicted_update from the optimizer's state after the step."""
    kind = type(optimizer).__name__
    w.formula = _optimizer_formula(optimizer)
    w.terms["lr"] = lr
    i = optimizer._index.get(id(variable))
    if grad is None or i is None:
        return
    g = grad.astype(xp.float64)
    if optimizer.loss_scale_factor is not None:
        g = g / optimizer.loss_scale_factor
    if optimizer.clipnorm or optimizer.global_clipnorm or optimizer.clipvalue:
        w.terms["clipped"] = True
    simple = not (optimizer.gradient_accumulation_steps or optimizer.use_ema
                  or getattr(variable, "constraint", None) is not None
                  or optimizer.clipnorm or optimizer.global_clipnorm or optimizer.clipvalue)
    before = w.before.astype(xp.float64)
    decay = 0.0
    if optimizer.weight_decay and optimizer._use_weight_decay(variable):
        decay = float(optimizer.weight_decay) * lr
        w.terms["weight_decay_step"] = -decay * before
    predicted = None
    if kind == "SGD":
        if optimizer.momentum == 0:
            predicted = -lr * g
        else:
            m = optimizer.momentums[i].astype(xp.float64)
            w.terms["m"] = xp.array(m)
            w.terms["momentum"] = optimizer.momentum
            predicted = (optimizer.momentum * m - lr * g) if optimizer.nesterov else m
    elif kind in ("Adam", "AdamW"):
        t = iteration + 1
        b1, b2, eps = float(optimizer.beta_1), float(optimizer.beta_2), float(optimizer.epsilon)
        m = optimizer._momentums[i].astype(xp.float64)
        v = (optimizer._velocity_hats if optimizer.amsgrad else optimizer._velocities)[i].astype(xp.float64)
        correction_1, correction_2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        alpha = lr * math.sqrt(correction_2) / correction_1
        w.terms.update({"t": t, "m": m, "v": v, "bias_correction_1": correction_1,
                        "bias_correction_2": correction_2, "m_hat": m / correction_1,
                        "v_hat": v / correction_2, "alpha": alpha, "eps": eps})
        predicted = -alpha * m / (xp.sqrt(v) + eps)
    elif kind == "RMSprop":
        rho_v = optimizer._velocities[i].astype(xp.float64)
        denominator = rho_v + float(optimizer.epsilon)
        w.terms["v"] = rho_v
        if optimizer.centered:
            a = optimizer._average_gradients[i].astype(xp.float64)
            w.terms["a"] = a
            denominator = denominator - a * a
        step = lr * g / xp.sqrt(denominator)
        if optimizer.momentum > 0:
            m = optimizer._momentums[i].astype(xp.float64)
            w.terms["m"] = m
            predicted = -m
        else:
            predicted = -step
    if predicted is not None and simple:
        w.predicted_update = predicted - decay * before if decay else predicted


# ---- text ------------------------------------------------------------------------------------


def _g(value):
    return f"{value:.4g}"


def _ratio(value):
    return _g(value) if math.isfinite(value) else "n/a (W was 0)"


def _norm(a):
    return float(xp.linalg.norm(a.astype(xp.float64))) if a is not None and a.size else 0.0


def _stats_line(stats):
    if not stats:
        return ""
    line = (f"mean {_g(stats['mean'])}, std {_g(stats['std'])}, min {_g(stats['min'])}, "
            f"max {_g(stats['max'])}, zeros {stats['zeros']:.1%}")
    if "saturated" in stats:
        line += f", saturated {stats['saturated']:.1%}"
    return line


def _text(record, model, max_rows):
    out = []
    n = record.layers[0].input_shapes[0][0] if record.layers and record.layers[0].input_shapes else "?"
    out.append(f"One training step of model '{model.name}' on a batch of {n} samples "
               "(exactly what train_on_batch does)")
    out.append("")
    out.append("1. Forward propagation: each layer computes its output from its input")
    for k, entry in enumerate(record.layers, 1):
        shapes = ", ".join(str(s) for s in entry.input_shapes)
        out.append(f"  [{k}] {entry.name} ({entry.class_name}): {shapes} -> {entry.output_shape}")
        out.append(f"      {entry.formula}")
        if entry.stats:
            out.append(f"      activations: {_stats_line(entry.stats)}")
    out.append("")
    out.append("2. Loss: how far the predictions are from the targets")
    out.append(f"  loss: {record.loss_name}")
    if record.loss_formula:
        out.append(f"  per sample: {record.loss_formula}")
    if record.reduction:
        out.append(f"  reduced to one number by {record.reduction}")
    for name, value in record.loss_terms:
        out.append(f"  {name}: {_g(value)}")
    out.append(f"  total loss L = {_g(record.loss)}")
    out.append("")
    out.append("3. Backpropagation: the chain rule, from the loss back to the first layer")
    for entry in reversed(record.layers):
        out.append(f"  {entry.name} ({entry.class_name})")
        if entry.logits_gradient is not None:
            g = entry.logits_gradient
            out.append(f"      the loss was computed from this layer's logits z, so the gradient starts at z: "
                       f"dL/dz {g.shape}: norm {_g(_norm(g))}, mean |.| {_g(float(xp.mean(xp.abs(g))))}")
            out.append("      (softmax/sigmoid with crossentropy: dL/dz = (p - y) * w_i / N, p the predicted "
                       "probabilities, y the one-hot targets)")
            out.append("      " + entry.backward_rule.split("; ", 1)[-1])
        elif entry.output_gradient is None:
            out.append("      no gradient reaches its output (nothing before it is trained)")
            continue
        else:
            out.append(f"      dL/d(output) {entry.output_gradient.shape}: norm {_g(_norm(entry.output_gradient))}, "
                       f"mean |.| {_g(float(xp.mean(xp.abs(entry.output_gradient))))}")
            out.append(f"      {entry.backward_rule}")
        for w in entry.weights:
            out.append(f"      dL/d{w.name} {w.shape}: norm {_g(_norm(w.gradient))}")
    out.append("")
    opt = record.optimizer
    out.append(f"4. Update: the optimizer {opt['class']} changes every weight against its gradient")
    out.append(f"  learning rate lr = {_g(opt['learning_rate'])}, update number t = {opt['iteration'] + 1}")
    out.append(f"  rule: {opt['formula']}")
    for w in record.weights:
        out.append(f"  {w.key} {w.shape}: ||W|| {_g(_norm(w.before))}, ||g|| {_g(_norm(w.gradient))}, "
                   f"||dW|| {_g(_norm(w.update))}, ||dW||/||W|| {_ratio(w.ratio)}")
        scalars = {k: v for k, v in w.terms.items() if not isinstance(v, xp.ndarray) and k != "lr"}
        if scalars:
            out.append("      " + ", ".join(f"{k} = {_g(v) if isinstance(v, float) else v}"
                                          for k, v in scalars.items()))
        for j in range(min(max_rows, w.before.size)):
            index = tuple(int(i) for i in xp.unravel_index(j, w.shape)) if w.shape else ()
            parts = [f"g {_g(float(w.gradient[index]))}"]
            for k in ("m", "v", "a"):
                if k in w.terms:
                    parts.append(f"{k} {_g(float(w.terms[k][index]))}")
            out.append(f"      W{list(index)}: {_g(float(w.before[index]))} -> {_g(float(w.after[index]))} "
                       f"(change {_g(float(w.update[index]))}; {', '.join(parts)})")
            worked = _worked_entry(w, index, opt["class"])
            if worked:
                out.append(f"          change = {worked}")
    metrics = ", ".join(f"{k} {_g(v)}" for k, v in record.logs.items() if isinstance(v, float))
    if metrics:
        out.append("")
        out.append(f"Logs of the step (as train_on_batch reports them): {metrics}")
    return "\n".join(out)


def _worked_entry(w, index, kind):
    """The update of one entry as arithmetic on its real numbers (plain rules only), or ''."""
    if w.predicted_update is None or "weight_decay_step" in w.terms:
        return ""
    t = w.terms
    g = float(w.gradient[index])
    if kind == "SGD" and "m" not in t:
        return f"-lr * g = -{_g(t['lr'])} * {_g(g)} = {_g(float(w.predicted_update[index]))}"
    if kind == "SGD" and xp.array_equal(w.predicted_update, t["m"]):
        return f"m (the new velocity) = {_g(float(t['m'][index]))}"
    if kind in ("Adam", "AdamW"):
        return (f"-alpha * m / (sqrt(v) + eps) = -{_g(t['alpha'])} * {_g(float(t['m'][index]))} / "
                f"(sqrt({_g(float(t['v'][index]))}) + {_g(t['eps'])}) = {_g(float(w.predicted_update[index]))}")
    if kind == "RMSprop" and "m" not in t and "a" not in t:
        return (f"-lr * g / sqrt(v + eps) = -{_g(t['lr'])} * {_g(g)} / sqrt({_g(float(t['v'][index]))} + eps) "
                f"= {_g(float(w.predicted_update[index]))}")
    return ""


# ---- HTML ------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } code { background: #f6f6f6; padding: 0 0.2em; }
img { max-width: 100%; }
"""


def _table(header, rows):
    e = html_module.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _figures(record):
    """Inline PNGs (data URIs): activation histograms, gradient norms, update ratios; [] without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    figures = []
    layers = [entry for entry in record.layers if entry.activation.dtype.kind == "f"]
    if layers:
        cols = min(4, len(layers))
        rows = (len(layers) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
        for ax, entry in zip(axes.flat, layers):
            ax.hist(entry.activation.reshape(-1), bins=40, color="#4878d0")
            ax.set_title(f"{entry.name} ({entry.class_name})", fontsize=9)
            ax.set_xlabel("activation value")
            ax.set_ylabel("count")
        for ax in list(axes.flat)[len(layers):]:
            ax.axis("off")
        fig.suptitle("Forward: distribution of each layer's outputs")
        fig.tight_layout(rect=(0, 0, 1, 0.95))
        figures.append(("Activations", fig))
    if record.weights:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.5))
        keys = [w.key for w in record.weights]
        ax1.bar(range(len(keys)), [_norm(w.gradient) for w in record.weights], color="#d65f5f")
        ax1.set_title("Backward: gradient norm ||dL/dW|| per weight")
        ax1.set_ylabel("norm")
        ax2.bar(range(len(keys)), [w.ratio if math.isfinite(w.ratio) else 0.0 for w in record.weights],
                color="#6acc64")
        ax2.set_title("Update: ||dW|| / ||W|| per weight")
        ax2.set_ylabel("ratio")
        for ax in (ax1, ax2):
            ax.set_xticks(range(len(keys)))
            ax.set_xticklabels(keys, rotation=45, ha="right", fontsize=7)
            ax.set_xlabel("weight")
        fig.tight_layout()
        figures.append(("Gradients and updates", fig))
    encoded = []
    for title, fig in figures:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        encoded.append((title, base64.b64encode(buffer.getvalue()).decode("ascii")))
    return encoded


def _html_page(record):
    e = html_module.escape
    opt = record.optimizer
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>One training step</title>"
             f"<style>{_CSS}</style></head><body><h1>One training step, explained</h1>",
             "<h2>1. Forward propagation</h2>",
             _table(["#", "layer", "class", "input", "output", "formula", "mean", "std", "min", "max", "zeros"],
                    [(k, l.name, l.class_name, ", ".join(map(str, l.input_shapes)), l.output_shape, l.formula,
                      *(_g(l.stats[s]) if l.stats else "" for s in ("mean", "std", "min", "max")),
                      f"{l.stats['zeros']:.1%}" if l.stats else "")
                     for k, l in enumerate(record.layers, 1)]),
             "<h2>2. Loss</h2>",
             f"<p>Loss: <b>{e(record.loss_name)}</b>. Per sample: <code>{e(record.loss_formula)}</code>. "
             f"Reduced by {e(record.reduction)}.</p>",
             _table(["term", "value"], [(n, _g(v)) for n, v in record.loss_terms] + [("total loss", _g(record.loss))]),
             "<h2>3. Backpropagation</h2>",
             _table(["layer", "dL/d(output) norm", "chain rule", "weight gradients"],
                    [(l.name, _g(_norm(l.output_gradient)) if l.output_gradient is not None else
                      (f"logits: {_g(_norm(l.logits_gradient))}" if l.logits_gradient is not None else "-"),
                      l.backward_rule, "; ".join(f"{w.name} {w.shape}: {_g(_norm(w.gradient))}" for w in l.weights))
                     for l in reversed(record.layers)]),
             "<h2>4. Update</h2>",
             f"<p>{e(opt['class'])}, lr = {_g(opt['learning_rate'])}, t = {opt['iteration'] + 1}: "
             f"<code>{e(opt['formula'])}</code></p>",
             _table(["weight", "shape", "||W||", "||g||", "||ΔW||", "||ΔW||/||W||"],
                    [(w.key, w.shape, _g(_norm(w.before)), _g(_norm(w.gradient)), _g(_norm(w.update)), _ratio(w.ratio))
                     for w in record.weights])]
    for title, png in _figures(record):
        parts.append(f"<h2>{e(title)}</h2><img alt='{e(title)}' src='data:image/png;base64,{png}'>")
    parts.append(f"<h2>The account as text</h2><pre>{e(record.text)}</pre></body></html>")
    return "\n".join(parts)
