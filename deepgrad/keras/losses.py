"""Loss functions and Loss classes (keras.losses), built on deepgrad's differentiable ops.

Functions such as `mean_squared_error(y_true, y_pred)` return the loss of each
sample (the last axis reduced, as Keras does). Classes such as
`MeanSquaredError(reduction=...)` are called as `loss(y_true, y_pred,
sample_weight=None)` and return one scalar tensor: the per-sample losses,
weighted, then summed ('sum') or averaged over every element
('sum_over_batch_size', the default; 'mean' is the same), or returned as they
are ('none' / None). `get(identifier)` resolves names ('mse',
'sparse_categorical_crossentropy', 'SparseCategoricalCrossentropy', ...),
serialized dicts and callables through the shared registry.

Probabilistic losses with from_logits=False work from probabilities, clipped
to [1e-7, 1 - 1e-7] before the log as Keras does; with from_logits=True they
use the fused, stable ops of deepgrad.ops.nn. Given the output of
activations.softmax / activations.sigmoid, they use the logits it remembers
(as TensorFlow-Keras does), so the loss stays exact and trainable when a
probability saturates.
"""
import warnings

from .. import ops
from ..backend import floatx, xp
from ..ops import nn
from ..tensor import Tensor, as_tensor
from . import activations
from .registry import Registry, snake_case as _snake_case
from ..missing import not_implemented

EPSILON = 1e-7
LOSSES = Registry("loss", instantiate=True)
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ----------------------------------------------------------------------------- helpers


def _pred(y_pred):
    """y_pred as a float tensor (it keeps its float dtype, so float64 gradchecks stay float64)."""
    y_pred = as_tensor(y_pred)
    if y_pred.data.dtype.kind != "f":
        y_pred = ops.cast(y_pred, floatx())
    return y_pred


def _true(y_true, y_pred):
    """y_true as a tensor of y_pred's float dtype (labels are data: no gradient unless given as one)."""
    y_true = as_tensor(y_true, like=y_pred)
    if y_true.data.dtype != y_pred.data.dtype:
        y_true = ops.cast(y_true, y_pred.data.dtype)
    return y_true


def _squeeze(x, axis):
    return ops.squeeze(x, axis) if isinstance(x, Tensor) else xp.squeeze(x, axis)


def _expand(x, axis):
    return ops.expand_dims(x, axis) if isinstance(x, Tensor) else xp.expand_dims(x, axis)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make the ranks equal when they differ by one and the longer has a last axis of 1 (Keras' rule).

    Works on tensors and arrays: (N,) against (N, 1) gives (N, 1) and (N, 1)
    (or (N,) and (N,) with expand_rank_1=False, or when the shorter has rank > 1).
    """
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _expand(x2, -1)
        else:
            x1 = _squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _expand(x1, -1)
        else:
            x2 = _squeeze(x2, -1)
    return x1, x2


def _flatten_hint(true_shape, pred_shape):
    """A sentence about a missing Flatten when y_pred has more axes than the labels account for."""
    if len(pred_shape) > 2 and len(pred_shape) > len(true_shape):
        return (
            f" y_pred has {len(pred_shape)} axes, {pred_shape}: the Dense layers were applied to "
            "features that were not flattened (a Dense layer on an input of shape (N, 28, 28) acts "
            "on the last axis only and returns (N, 28, units)). A Flatten layer is probably "
            "missing before the first Dense layer (e.g. right after the Input)."
        )
    return ""


def _shape_error(name, y_true, y_pred, expected, hint=""):
    return ValueError(
        f"{name}: y_true of shape {tuple(y_true.shape)} does not fit y_pred of shape "
        f"{tuple(y_pred.shape)}; expected {expected}.{hint or _flatten_hint(y_true.shape, y_pred.shape)} "
        f"Received: y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
    )


def _check_broadcast(name, y_true, y_pred):
    try:
        xp.broadcast_shapes(tuple(y_true.shape), tuple(y_pred.shape))
    except ValueError:
        raise _shape_error(name, y_true, y_pred, "shapes that broadcast together (normally equal)") from None


def _prepare(name, y_true, y_pred):
    """Tensors of one float dtype with ranks reconciled, and a clear error if they cannot fit."""
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcast(name, y_true, y_pred)
    return y_true, y_pred


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, xp.integer)):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")


# ----------------------------------------------------------------------------- regression


@LOSSES.register("mean_squared_error", "mse")
def mean_squared_error(y_true, y_pred):
    """loss = mean((y_true - y_pred)^2, axis=-1)."""
    y_true, y_pred = _prepare("mean_squared_error", y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


@LOSSES.register("mean_absolute_error", "mae")
def mean_absolute_error(y_true, y_pred):
    """loss = mean(|y_true - y_pred|, axis=-1)."""
    y_true, y_pred = _prepare("mean_absolute_error", y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


@LOSSES.register("mean_absolute_percentage_error", "mape")
def mean_absolute_percentage_error(y_true, y_pred):
    """loss = 100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7), axis=-1)."""
    y_true, y_pred = _prepare("mean_absolute_percentage_error", y_true, y_pred)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), EPSILON))
    return 100.0 * ops.mean(diff, axis=-1)


@LOSSES.register("mean_squared_logarithmic_error", "msle")
def mean_squared_logarithmic_error(y_true, y_pred):
    """loss = mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))^2, axis=-1)."""
    y_true, y_pred = _prepare("mean_squared_logarithmic_error", y_true, y_pred)
    first = ops.log(ops.maximum(y_pred, EPSILON) + 1.0)
    second = ops.log(ops.maximum(y_true, EPSILON) + 1.0)
    return ops.mean(ops.square(first - second), axis=-1)


def _l2_normalize(x, axis):
    """x / max(||x||, 1e-7), Keras' normalize (ops.nn.l2_normalize floors the squared norm)."""
    return nn.l2_normalize(x, axis=axis, epsilon=EPSILON * EPSILON)


@LOSSES.register("cosine_similarity")
def cosine_similarity(y_true, y_pred, axis=-1):
    """loss = -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 when aligned, 0 orthogonal."""
    y_true, y_pred = _prepare("cosine_similarity", y_true, y_pred)
    return -ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


@LOSSES.register("huber")
def huber(y_true, y_pred, delta=1.0):
    """loss = mean(e^2 / 2 if |e| <= delta else delta |e| - delta^2 / 2, axis=-1), e = y_pred - y_true."""
    y_true, y_pred = _prepare("huber", y_true, y_pred)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return ops.mean(ops.where(abs_error.data <= delta, quadratic, linear), axis=-1)


@LOSSES.register("log_cosh")
def log_cosh(y_true, y_pred):
    """loss = mean(log(cosh(y_pred - y_true)), axis=-1), as x + softplus(-2x) - log 2 (no overflow)."""
    y_true, y_pred = _prepare("log_cosh", y_true, y_pred)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(-2.0 * x) - float(xp.log(2.0)), axis=-1)


# ----------------------------------------------------------------------------- probabilistic


@LOSSES.register("kl_divergence", "kld", "kullback_leibler_divergence")
def kl_divergence(y_true, y_pred):
    """loss = sum(t log(t / p), axis=-1) with t, p clipped to [1e-7, 1]."""
    y_true, y_pred = _prepare("kl_divergence", y_true, y_pred)
    t = ops.clip(y_true, EPSILON, 1.0)
    p = ops.clip(y_pred, EPSILON, 1.0)
    return ops.sum(t * ops.log(t / p), axis=-1)


@LOSSES.register("poisson")
def poisson(y_true, y_pred):
    """loss = mean(y_pred - y_true log(y_pred + 1e-7), axis=-1)."""
    y_true, y_pred = _prepare("poisson", y_true, y_pred)
    return ops.mean(y_pred - y_true * ops.log(y_pred + EPSILON), axis=-1)


def _probabilities(y_pred, axis):
    """y_pred / sum(y_pred, axis), clipped to [1e-7, 1 - 1e-7] (Keras' from_logits=False path)."""
    p = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    return ops.clip(p, EPSILON, 1.0 - EPSILON)


@LOSSES.register("categorical_crossentropy")
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """loss = -sum(y_true * log(p), axis) for one-hot (or probability) labels.

    Args:
        y_true: one-hot labels, shape of y_pred.
        y_pred: probabilities (e.g. softmax output), or logits when from_logits=True.
        from_logits: y_pred holds logits; the fused log-softmax is used.
        label_smoothing: in [0, 1]: y_true * (1 - s) + s / num_classes.
        axis: the class axis.
    """
    _check_axis(axis)
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        hint = ""
        reduced = tuple(d for i, d in enumerate(y_pred.shape) if i != axis % max(y_pred.ndim, 1))
        if tuple(y_true.shape) in (reduced, reduced + (1,)) and y_pred.ndim >= 1:
            hint = (
                " y_true looks like integer class indices: use sparse_categorical_crossentropy, "
                "or one-hot encode the labels (keras.utils.to_categorical)."
            )
        raise _shape_error("categorical_crossentropy", y_true, y_pred,
                           "one-hot labels of the same shape as y_pred", hint)
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
            f"with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        # Keras divides by the size of the last axis, whatever `axis` is.
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if not from_logits:
        logits = activations.logits_of(y_pred, "softmax")
        if logits is not None:
            y_pred, from_logits = logits, True
    if from_logits:
        return nn.softmax_cross_entropy(y_pred, y_true, axis=axis)
    return -ops.sum(y_true * ops.log(_probabilities(y_pred, axis)), axis=axis)


@LOSSES.register("sparse_categorical_crossentropy")
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """loss = -log(p[y_true]) for integer class indices.

    Args:
        y_true: class indices of y_pred's shape without the class axis, e.g. (N,),
            or with that axis of size 1, e.g. (N, 1); int or float (truncated to int).
        y_pred: probabilities, or logits when from_logits=True, e.g. (N, C).
        from_logits: y_pred holds logits; the fused softmax cross-entropy is used.
        ignore_class: a label value whose samples get loss 0 (and, in a Loss
            object, are left out of the average).
        axis: the class axis.
    """
    _check_axis(axis)
    y_pred = _pred(y_pred)
    if y_pred.ndim < 1:
        raise ValueError(
            "sparse_categorical_crossentropy: y_pred must have a class axis. "
            f"Received: y_pred.shape={y_pred.shape}"
        )
    ax = axis % y_pred.ndim
    labels = y_true.data if isinstance(y_true, Tensor) else xp.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[ax] == 1:
        labels = xp.squeeze(labels, ax)
    reduced = tuple(d for i, d in enumerate(y_pred.shape) if i != ax)
    if tuple(labels.shape) != reduced:
        hint = ""
        if tuple(labels.shape) == tuple(y_pred.shape):
            hint = (
                " y_true has the shape of y_pred, as one-hot labels do: use categorical_crossentropy "
                "for one-hot labels, or pass the class indices (e.g. y.argmax(-1))."
            )
        raise _shape_error(
            "sparse_categorical_crossentropy", labels, y_pred,
            f"integer class indices of shape {reduced} (or {reduced + (1,)})", hint,
        )
    labels = labels.astype(xp.int64)
    if not from_logits:
        logits = activations.logits_of(y_pred, "softmax")
        if logits is not None:
            y_pred, from_logits = logits, True
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = xp.where(valid, labels, 0)
        # Ignored samples get a uniform y_pred (finite in both paths); their loss is zeroed below.
        y_pred = ops.where(xp.expand_dims(valid, ax), y_pred, 1.0)
    if from_logits:
        loss = nn.softmax_cross_entropy(y_pred, labels, axis=ax)
    else:
        classes = y_pred.shape[ax]
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(
                f"sparse_categorical_crossentropy: labels must be in [0, {classes}) for y_pred of shape "
                f"{tuple(y_pred.shape)}. Received labels in [{labels.min()}, {labels.max()}]"
            )
        grid = xp.arange(classes).reshape((-1,) + (1,) * (y_pred.ndim - 1 - ax))
        one_hot = (xp.expand_dims(labels, ax) == grid).astype(y_pred.data.dtype)
        loss = -ops.sum(ops.log(_probabilities(y_pred, ax)) * one_hot, axis=ax)
    if valid is not None:
        loss = ops.where(valid, loss, 0.0)
    return loss


@LOSSES.register("binary_crossentropy", "bce")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """loss = mean(-(t log p + (1 - t) log(1 - p)), axis) for labels t in [0, 1].

    Args:
        y_true: 0/1 labels (or probabilities), shape of y_pred.
        y_pred: probabilities (sigmoid output), or logits when from_logits=True.
        from_logits: y_pred holds logits; the stable fused form is used.
        label_smoothing: in [0, 1]: t * (1 - s) + s / 2.
        axis: the axis averaged over.
    """
    _check_axis(axis)
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise _shape_error("binary_crossentropy", y_true, y_pred, "labels of the same shape as y_pred")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if not from_logits:
        logits = activations.logits_of(y_pred, "sigmoid")
        if logits is not None:
            y_pred, from_logits = logits, True
    if from_logits:
        bce = nn.binary_cross_entropy_with_logits(y_pred, y_true)
    else:
        p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
        bce = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    return ops.mean(bce, axis=axis)


# ----------------------------------------------------------------------------- hinge


def _hinge_labels(y_true):
    """0/1 labels become -1/1; other labels are left as they are."""
    values = y_true.data
    if xp.all((values == 0) | (values == 1)):
        return 2.0 * y_true - 1.0
    return y_true


@LOSSES.register("hinge")
def hinge(y_true, y_pred):
    """loss = mean(max(1 - t * y_pred, 0), axis=-1), t in {-1, 1} (0/1 labels are converted)."""
    y_true, y_pred = _prepare("hinge", y_true, y_pred)
    return ops.mean(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


@LOSSES.register("squared_hinge")
def squared_hinge(y_true, y_pred):
    """loss = mean(max(1 - t * y_pred, 0)^2, axis=-1), t in {-1, 1} (0/1 labels are converted)."""
    y_true, y_pred = _prepare("squared_hinge", y_true, y_pred)
    return ops.mean(ops.square(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


@LOSSES.register("categorical_hinge")
def categorical_hinge(y_true, y_pred):
    """loss = max(max((1 - t) * y_pred) - sum(t * y_pred) + 1, 0) over the last axis, t one-hot."""
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    _check_broadcast("categorical_hinge", y_true, y_pred)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


# ----------------------------------------------------------------------------- reduction


def _divide_no_nan(total, divisor):
    divisor = float(divisor)
    return total * 0.0 if divisor == 0 else total / divisor


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Sum, average over all elements, or keep `values` (a tensor), as Keras' reduce_values."""
    if reduction is None or reduction == "none" or values.shape in ((), (0,)):
        return values
    loss = ops.sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = xp.sum(sample_weight.data)
        else:
            divisor = values.size
        loss = _divide_no_nan(loss, divisor)
    return loss


def _apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a 0/1 mask of valid entries into the sample weights (Keras' apply_mask)."""
    if mask is None:
        return sample_weight
    mask = xp.asarray(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = float(xp.sum(mask))
        weight = mask.size / valid if valid else 0.0
        float_mask = xp.where(mask, weight, 0.0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    float_mask = as_tensor(float_mask)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    # one weight per sample against a (batch, timesteps) mask: Keras fails to broadcast; we weight each step
    while sample_weight.ndim < float_mask.ndim and sample_weight.shape == float_mask.shape[:sample_weight.ndim]:
        sample_weight = ops.expand_dims(sample_weight, -1)
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size"):
    """Weight the per-sample `values` by `sample_weight` (and `mask`), then reduce.

    The weights broadcast over the values: a last axis of size 1 is squeezed or
    added as Keras does, and weights of lower rank (one per sample for a
    per-timestep loss) are broadcast along the trailing axes.
    """
    reduction = standardize_reduction(reduction)
    values = as_tensor(values)
    dtype = values.data.dtype
    if sample_weight is not None:
        sample_weight = as_tensor(xp.asarray(
            sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight, dtype=dtype))
    sample_weight = _apply_mask(sample_weight, mask, dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        while sample_weight.ndim < values.ndim and sample_weight.shape == values.shape[:sample_weight.ndim]:
            sample_weight = ops.expand_dims(sample_weight, -1)
        try:
            values = values * sample_weight
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {tuple(sample_weight.shape)} does not fit the per-sample loss "
                f"of shape {tuple(values.shape)}: pass one weight per sample. "
                f"Received: sample_weight.shape={tuple(sample_weight.shape)}"
            ) from None
    return reduce_values(values, sample_weight, reduction)


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
            f"Received: reduction={reduction}"
        )
    return reduction


# ----------------------------------------------------------------------------- from_logits warnings

_MULTICLASS = ("categorical_crossentropy", "sparse_categorical_crossentropy")


def from_logits_problem(name, y_pred, from_logits, axis=-1):
    """A message when y_pred does not look like what `from_logits` says it is, else None.

    Multi-class losses: from_logits=True but y_pred is non-negative with every
    row summing to 1 (probabilities, e.g. a softmax output); from_logits=False
    but y_pred has negative values or rows not summing to 1 (logits).
    Binary crossentropy: from_logits=True on a sigmoid output, or
    from_logits=False with values outside [0, 1].
    """
    multiclass = name in _MULTICLASS
    if not isinstance(y_pred, Tensor):
        y_pred = as_tensor(y_pred)
    values = y_pred.data
    if values.size == 0 or values.dtype.kind != "f":
        return None
    kind = "softmax" if multiclass else "sigmoid"
    produced = activations.logits_of(y_pred, kind) is not None
    if from_logits:
        if produced:
            reason = f"it is the output of a {kind} activation"
        elif multiclass and values.ndim and values.shape[axis] > 1 and values.min() >= 0 and \
                xp.abs(xp.sum(values, axis=axis) - 1).max() <= 1e-3:
            reason = "its values are non-negative and sum to 1 along the class axis, as probabilities do"
        else:
            return None
        fix = f"remove the {kind} from the last layer"
        return (
            f"`{name}` received from_logits=True, but y_pred looks like probabilities: {reason}. "
            "from_logits=True expects raw scores (logits) and applies the softmax/sigmoid itself, "
            f"so the loss is wrong and training is slow. Either {fix} (keep from_logits=True, the "
            "more stable choice) or pass from_logits=False."
        )
    if produced:
        return None
    if multiclass:
        if not values.ndim or values.shape[axis] < 2:
            return None
        if values.min() < 0:
            reason = "it has negative values"
        elif xp.abs(xp.sum(values, axis=axis) - 1).max() > 1e-3:
            reason = "its values do not sum to 1 along the class axis"
        else:
            return None
        activation = "softmax"
    else:
        if values.min() >= 0 and values.max() <= 1:
            return None
        reason = "it has values outside [0, 1]"
        activation = "sigmoid"
    return (
        f"`{name}` received from_logits=False, but y_pred does not look like probabilities: "
        f"{reason}, as logits (raw scores) do. from_logits=False expects probabilities (the output "
        f"of a {activation} activation); on logits the loss is wrong. Pass from_logits=True if the "
        f"last layer has no activation, or give it activation='{activation}'."
    )


# ----------------------------------------------------------------------------- Loss classes


class Loss:
    """Base of the loss classes: `call(y_true, y_pred)` gives per-sample losses; `__call__` reduces.

    Args:
        name: the loss' name.
        reduction: 'sum_over_batch_size' (default; 'mean' is the same), 'sum',
            'mean_with_sample_weight' (divide by the sum of the weights), or 'none' / None.
        dtype: accepted for Keras compatibility; the computation keeps y_pred's float dtype.

    Example:
        >>> loss = MeanSquaredError()
        >>> loss([[0., 1.]], [[1., 1.]])   # 0.5
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = dtype or str(floatx())

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced, weighted loss: a scalar tensor (per-sample losses with reduction='none').

        A mask attached to y_pred by the model's layers (Embedding(mask_zero=True),
        Masking, ...) leaves the masked steps out, combined with compute_mask's, as Keras 3.
        """
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = _pred(y_pred)
        if not isinstance(y_true, Tensor):
            y_true = xp.asarray(y_true)
        values = self.call(y_true, y_pred)
        mask = self.compute_mask(y_true, y_pred)
        if in_mask is not None:
            in_mask = xp.asarray(in_mask.data if isinstance(in_mask, Tensor) else in_mask, dtype=bool)
            mask = in_mask if mask is None else in_mask & xp.asarray(mask, dtype=bool)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def compute_mask(self, y_true, y_pred):
        """Valid entries of the per-sample loss (None: all valid)."""
        return None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A Loss from a function of (y_true, y_pred, **kwargs) returning per-sample losses.

    Before calling the function the ranks are reconciled ((N,) labels against an
    (N, 1) output). For the crossentropies, the first call checks that y_pred
    matches `from_logits` and warns once per object if it does not.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._checked = False

    def call(self, y_true, y_pred):
        if not self._checked:
            self._checked = True
            fn_name = getattr(self.fn, "__name__", "")
            if fn_name in _MULTICLASS + ("binary_crossentropy",):
                message = from_logits_problem(
                    fn_name, y_pred, self._fn_kwargs.get("from_logits", False),
                    self._fn_kwargs.get("axis", -1),
                )
                if message:
                    warnings.warn(message, UserWarning, stacklevel=3)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            config["fn"] = get(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


def _simple_loss(cls):
    """Register a Loss class under its class name (and keep it for deserialize)."""
    _CLASSES[cls.__name__] = cls
    return LOSSES.register(cls.__name__)(cls)


_CLASSES = {}


class _BuiltinLoss(LossFunctionWrapper):
    """A Keras loss class around one fixed function: its config is its own arguments, no 'fn'."""

    def get_config(self):
        return {**Loss.get_config(self), **self._fn_kwargs}


@_simple_loss
class MeanSquaredError(_BuiltinLoss):
    """Mean of the squared errors over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class MeanAbsoluteError(_BuiltinLoss):
    """Mean of the absolute errors over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class MeanAbsolutePercentageError(_BuiltinLoss):
    """100 * mean(|y_true - y_pred| / |y_true|) over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean of the squared differences of log(1 + y) over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class CosineSimilarity(_BuiltinLoss):
    """Negative cosine similarity along `axis`: -1 when aligned, 0 when orthogonal."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


@_simple_loss
class Huber(_BuiltinLoss):
    """Quadratic for |error| <= delta, linear beyond."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta


@_simple_loss
class LogCosh(_BuiltinLoss):
    """Mean of log(cosh(error)) over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class Hinge(_BuiltinLoss):
    """Mean of max(1 - y_true * y_pred, 0), labels -1/1 (0/1 converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class SquaredHinge(_BuiltinLoss):
    """Mean of max(1 - y_true * y_pred, 0)^2, labels -1/1 (0/1 converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class CategoricalHinge(_BuiltinLoss):
    """max(largest wrong score - true score + 1, 0) for one-hot labels."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence sum(t log(t / p)) over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class Poisson(_BuiltinLoss):
    """Mean of y_pred - y_true log(y_pred) over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


@_simple_loss
class BinaryCrossentropy(_BuiltinLoss):
    """Crossentropy of 0/1 labels (see binary_crossentropy).

    Args:
        from_logits: y_pred holds logits (the last layer has no sigmoid).
        label_smoothing: in [0, 1]: labels become t * (1 - s) + s / 2.
        axis: the axis averaged over.
        reduction, name, dtype: as Loss.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


@_simple_loss
class CategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy of one-hot labels (see categorical_crossentropy).

    Args:
        from_logits: y_pred holds logits (the last layer has no softmax).
        label_smoothing: in [0, 1]: labels become t * (1 - s) + s / num_classes.
        axis: the class axis.
        reduction, name, dtype: as Loss.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


@_simple_loss
class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy of integer class labels; from_logits=True for raw scores.

    Args:
        from_logits: y_pred holds logits (no softmax on the last layer).
        ignore_class: a label whose samples are left out (loss 0, not counted in the average).
        reduction, name, dtype: as Loss.
        axis: the class axis.

    Example:
        >>> SparseCategoricalCrossentropy()([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])   # 1.177
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def compute_mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        labels = y_true.data if isinstance(y_true, Tensor) else xp.asarray(y_true)
        ax = self.axis % y_pred.ndim
        if labels.ndim == y_pred.ndim and labels.shape[ax] == 1:
            labels = xp.squeeze(labels, ax)
        return labels != self.ignore_class


# The names Keras gives both a function and a class ('huber' / 'Huber', 'hinge',
# 'poisson') fold together in the case-insensitive registry: there the function
# wins, as for the lower-case names in Keras. Re-register the functions last.
for _fn in (huber, hinge, poisson):
    LOSSES.add(_fn.__name__, _fn)

MSE = mse = mean_squared_error
MAE = mae = mean_absolute_error
MAPE = mape = mean_absolute_percentage_error
MSLE = msle = mean_squared_logarithmic_error
KLD = kld = kl_divergence
bce = binary_crossentropy


# ----------------------------------------------------------------------------- lookup


def get(identifier):
    """A loss for a name, a serialized dict, a Loss class or instance, or a callable.

    Names of functions ('mse', 'sparse_categorical_crossentropy') give the
    function; names of classes ('SparseCategoricalCrossentropy') a new instance.
    An unknown name raises ValueError listing the valid names.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return LOSSES.get(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def resolve(identifier, y_true_shape=None, y_pred_shape=None):
    """The Loss object compile() uses for `identifier` (Keras' compile_utils.get_loss).

    'crossentropy' / 'ce' pick binary (one output unit), sparse categorical
    (labels with one axis fewer, or a last axis of 1 against several classes) or
    categorical crossentropy from the shapes; functions are wrapped in a
    LossFunctionWrapper named after the identifier.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        binary, sparse = _binary_or_sparse(y_true_shape, y_pred_shape)
        if binary:
            obj = binary_crossentropy
        else:
            obj = sparse_categorical_crossentropy if sparse else categorical_crossentropy
    else:
        obj = get(identifier)
    if isinstance(obj, Loss):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None)
    return LossFunctionWrapper(obj, name=name)


def _binary_or_sparse(y_true_shape, y_pred_shape):
    """Keras' is_binary_or_sparse_categorical on shapes (y_true_shape may be None)."""
    y_pred_shape = tuple(y_pred_shape)
    binary = y_pred_shape[-1] == 1
    if y_true_shape is None:
        return binary, False
    y_true_shape = tuple(y_true_shape)
    sparse = len(y_true_shape) < len(y_pred_shape) or (
        len(y_true_shape) > 0 and y_true_shape[-1] == 1 and y_pred_shape[-1] > 1)
    return binary, sparse


def serialize(loss):
    """A name for a built-in loss function; {'class_name', 'config'} for a Loss object."""
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    name = getattr(loss, "__name__", None)
    if name in LOSSES and LOSSES.get(name) is loss:
        return name
    raise ValueError(
        f"Cannot serialize the loss {loss!r}: it is neither a Loss nor a built-in loss function."
    )


def deserialize(config):
    """The loss described by a name or by {'class_name': ..., 'config': {...}}."""
    if isinstance(config, str):
        return get(config)
    class_name = config.get("class_name")
    if class_name == "function":
        return get(config["config"])
    if class_name in _CLASSES:
        return _CLASSES[class_name].from_config(config.get("config", {}))
    if class_name == "LossFunctionWrapper":
        return LossFunctionWrapper.from_config(config.get("config", {}))
    raise ValueError(
        f"Could not interpret loss config: {config!r}. Known loss classes: {', '.join(sorted(_CLASSES))}"
    )


__getattr__ = not_implemented("keras.losses")
