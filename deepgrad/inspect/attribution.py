"""Explain a prediction: which input elements the model's output unit `target` rests on.

Three methods, each differentiating the score f(x)[target] (the model's output as it is:
a probability after a softmax, a logit without one) with a GradientTape:

    saliency(model, x, target)                   |d f(x)[target] / dx|, shaped like x
    integrated_gradients(model, x, target)       (x - x') * mean over the path of the gradient,
                                                 shaped like x; sums to f(x)[t] - f(x')[t]
    grad_cam(model, x, target, layer_name)       the class-weighted map of a conv layer, [h, w]

`x` is either a batch (shape `(n,) + model input shape`) or one sample (the model input
shape without the batch axis); the result has the batch axis exactly when `x` has it.
`target` is an output unit index: one int for every sample, one int per sample, or None
for each sample's predicted unit (the argmax of the output). The model must have one input
and one output of shape (batch, units); it runs with training=False.
"""
from ..backend import floatx, xp
from ..keras.models import Model
from ..tape import GradientTape
from ..tensor import Tensor


def saliency(model, x, target=None):
    """The saliency map of Simonyan et al. (2014): |d f(x)[target] / dx|.

    The absolute gradient of the score with respect to every input element, with the
    channels kept (take `.max(axis=-1)` for the paper's one map per image).

    Args:
        model: a Keras model with one input and one (batch, units) output.
        x: a batch or one sample (see the module docstring).
        target: the output unit explained (int, one int per sample, or None for the argmax).

    Returns:
        A float array shaped like `x`.
    """
    batch, single = as_batch(model, x, "saliency")
    targets = _targets(model, batch, target, "saliency")
    grads = _input_gradients(model, batch, targets)
    result = xp.abs(grads)
    return result[0] if single else result


def integrated_gradients(model, x, target=None, baseline=None, steps=50, batch_size=128):
    """Integrated gradients of Sundararajan et al. (2017), by the trapezoid rule.

    attribution_i = (x_i - x'_i) * integral over a in [0, 1] of d f(x' + a (x - x'))[target] / dx_i,
    the integral taken with the trapezoid rule on `steps + 1` equally spaced points of the
    straight path from the baseline x' to x. By the fundamental theorem of calculus the
    attributions sum to f(x)[target] - f(x')[target] (completeness), up to the quadrature
    error, which falls as the square of `steps` for a smooth model.

    Args:
        model: a Keras model with one input and one (batch, units) output.
        x: a batch or one sample.
        target: the output unit explained (int, one int per sample, or None for the argmax).
        baseline: x', shaped like one sample or like `x`; zeros when None.
        steps: the number of intervals of the path (the model runs on steps + 1 points).
        batch_size: how many path points go through the model at once.

    Returns:
        A float array shaped like `x`.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"integrated_gradients: steps must be a positive int. Received: steps={steps!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"integrated_gradients: batch_size must be a positive int. Received: batch_size={batch_size!r}"
        )
    batch, single = as_batch(model, x, "integrated_gradients")
    base = _baseline(baseline, batch, single)
    targets = _targets(model, batch, target, "integrated_gradients")
    alphas = xp.linspace(0.0, 1.0, steps + 1).astype(batch.dtype)
    weights = xp.full(steps + 1, 1.0 / steps)
    weights[[0, -1]] /= 2
    n, sample_shape = len(batch), batch.shape[1:]
    alphas = alphas.reshape((1, steps + 1) + (1,) * len(sample_shape))
    path = base[:, None] + alphas * (batch - base)[:, None]  # (n, steps + 1, ...)
    path = path.reshape((n * (steps + 1),) + sample_shape)
    path_targets = xp.repeat(targets, steps + 1)
    grads = xp.concatenate([
        _input_gradients(model, path[i:i + batch_size], path_targets[i:i + batch_size])
        for i in range(0, len(path), batch_size)
    ])
    mean_grads = xp.tensordot(weights, grads.reshape((n, steps + 1) + sample_shape), axes=([0], [1]))
    result = ((batch - base) * mean_grads).astype(batch.dtype)
    return result[0] if single else result


def grad_cam(model, x, target=None, layer_name=None):
    """Grad-CAM (Selvaraju et al. 2017) as the keras-io recipe computes it.

    With A the output of the layer `layer_name` (batch, h, w, channels) and y = f(x)[target]:
    alpha_k = mean over (h, w) of dy/dA_k (one weight per channel, per sample),
    map = ReLU(sum_k alpha_k A_k), divided by its maximum so that it lies in [0, 1]
    (a map that is zero everywhere stays zero).

    Args:
        model: a functional or Sequential Keras model with one input and one (batch, units)
            output (the sub-model [layer output, model output] is built from its graph).
        x: a batch or one sample.
        target: the output unit explained (int, one int per sample, or None for the argmax).
        layer_name: the name of a layer whose output is (batch, h, w, channels), usually
            the last convolution.

    Returns:
        A float array (h, w) for one sample, (n, h, w) for a batch.
    """
    batch, single = as_batch(model, x, "grad_cam")
    targets = _targets(model, batch, target, "grad_cam")
    layer = _layer(model, layer_name, "grad_cam")
    sub = feature_model(model, [layer], "grad_cam")
    inputs = Tensor(batch)
    with GradientTape() as tape:
        tape.watch(inputs)
        maps, outputs = sub(inputs, training=False)
        score = _selected(outputs, targets, "grad_cam")
    grads = tape.gradient(score, maps)
    maps = maps.numpy()
    grads = xp.zeros_like(maps) if grads is None else grads.numpy()
    channel_weights = grads.mean(axis=(1, 2))  # (n, channels)
    heat = xp.maximum(xp.einsum("nhwc,nc->nhw", maps, channel_weights), 0)
    peak = heat.max(axis=(1, 2), keepdims=True)
    heat = xp.where(peak > 0, heat / xp.where(peak > 0, peak, 1), 0).astype(maps.dtype)
    return heat[0] if single else heat


# ---- shared pieces (also used by plots.py) ----------------------------------------------


def as_batch(model, x, fn_name):
    """(x as a float batch array, whether x was one sample without its batch axis)."""
    array = xp.asarray(x.numpy() if isinstance(x, Tensor) else x)
    if array.dtype.kind != "f":
        array = array.astype(floatx())
    rank = _sample_rank(model, fn_name)
    if rank is None or array.ndim == rank + 1:
        return array, False
    if array.ndim == rank:
        return array[None], True
    raise ValueError(
        f"{fn_name}: x must be one sample of rank {rank} or a batch of rank {rank + 1} for model "
        f"'{model.name}'. Received: shape={array.shape}"
    )


def feature_model(model, layers, fn_name):
    """keras.Model(model.inputs, [each layer's output..., model.output]), as the keras-io recipe builds it."""
    inputs = model.inputs
    if inputs is None:
        raise ValueError(
            f"{fn_name}: model '{model.name}' has no graph of layers (a subclassed Model, or a "
            f"Sequential not built yet): build it with keras.Input or call it on data first"
        )
    return Model(inputs, [layer.output for layer in layers] + [model.output])


def _sample_rank(model, fn_name):
    inputs = model.inputs
    if inputs is None:
        return None
    if len(inputs) != 1:
        raise ValueError(f"{fn_name}: the model must have one input. Received: {len(inputs)} inputs")
    return len(inputs[0].shape) - 1


def _layer(model, layer_name, fn_name):
    if layer_name is None:
        raise ValueError(f"{fn_name}: layer_name is required (the name of a convolutional layer)")
    layer = model.get_layer(layer_name)
    if model.inputs is not None and len(layer.output.shape) != 4:
        raise ValueError(
            f"{fn_name}: layer '{layer_name}' must output a (batch, height, width, channels) map. "
            f"Received: output shape={tuple(layer.output.shape)}"
        )
    return layer


def _outputs(model, batch, fn_name):
    outputs = model(Tensor(batch), training=False)
    if not isinstance(outputs, Tensor) or outputs.ndim != 2:
        raise ValueError(
            f"{fn_name}: the model must have one output of shape (batch, units). "
            f"Received: {getattr(outputs, 'shape', type(outputs).__name__)}"
        )
    return outputs


def _targets(model, batch, target, fn_name):
    """One output unit index per sample, checked against the number of units."""
    outputs = _outputs(model, batch, fn_name)
    n, units = outputs.shape
    if target is None:
        return xp.argmax(outputs.numpy(), axis=1)
    targets = xp.asarray(target)
    if targets.dtype.kind not in "iu" or targets.ndim > 1 or (targets.ndim == 1 and len(targets) != n):
        raise ValueError(
            f"{fn_name}: target must be an int or one int per sample ({n} samples). Received: target={target!r}"
        )
    targets = xp.broadcast_to(targets, (n,)).astype(xp.int64)
    if targets.min() < 0 or targets.max() >= units:
        raise ValueError(f"{fn_name}: target must lie in [0, {units}) for this model. Received: target={target!r}")
    return targets


def _selected(outputs, targets, fn_name):
    """sum_i outputs[i, targets[i]]: its gradient with respect to sample i is that of its own score."""
    if not isinstance(outputs, Tensor) or outputs.ndim != 2:
        raise ValueError(f"{fn_name}: the model must have one output of shape (batch, units)")
    mask = xp.zeros(outputs.shape, dtype=outputs.data.dtype)
    mask[xp.arange(len(targets)), targets] = 1
    return (outputs * Tensor(mask)).sum()


def _input_gradients(model, batch, targets):
    """d f(x_i)[targets[i]] / d x_i for every sample of the batch."""
    inputs = Tensor(batch)
    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(inputs)
        score = _selected(model(inputs, training=False), targets, "input gradients")
    return tape.gradient(score, inputs).numpy()


def _baseline(baseline, batch, single):
    if baseline is None:
        return xp.zeros_like(batch)
    base = xp.asarray(baseline.numpy() if isinstance(baseline, Tensor) else baseline, dtype=batch.dtype)
    if base.shape == batch.shape[1:]:
        return xp.broadcast_to(base, batch.shape)
    if base.shape == batch.shape and not single:
        return base
    raise ValueError(
        f"integrated_gradients: baseline must be shaped like one sample {batch.shape[1:]} or like x "
        f"{batch.shape}. Received: shape={base.shape}"
    )
