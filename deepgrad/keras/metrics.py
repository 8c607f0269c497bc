"""Metrics (keras.metrics): stateful, computed with plain arrays, no graph.

A metric accumulates over batches: `update_state(y_true, y_pred,
sample_weight=None)` adds a batch, `result()` reads the value so far,
`reset_state()` starts over, and `metric(y_true, y_pred)` does an update and
returns the result. The state is kept in the default float type (float32), as
Keras keeps it in float32 variables, so the numbers match Keras'.

`get(identifier)` resolves names ('mse', 'auc', 'SparseCategoricalAccuracy',
...) through the shared registry; `resolve_accuracy` picks binary, sparse
categorical or categorical accuracy for 'accuracy' / 'acc' from the shapes,
exactly as Keras 3's compile() does, and `resolve` does the same for any
identifier (named as given, so History keys match Keras').
"""
from ..backend import floatx, xp
from ..tensor import Tensor, no_grad
from . import losses as losses_module
from .losses import _snake_case, squeeze_or_expand_to_same_rank
from .registry import Registry
from ..missing import not_implemented

METRICS = Registry("metric", instantiate=True)
_CLASSES = {}
_name_uids = {}
NEG_INF = -1e10


def _auto_name(class_name):
    """snake_case of the class name, then _1, _2, ... for repeats (Keras' auto_name)."""
    name = _snake_case(class_name)
    uid = _name_uids.get(name, 0)
    _name_uids[name] = uid + 1
    return name if uid == 0 else f"{name}_{uid}"


def _array(x, dtype=None):
    """The values of a tensor or array-like as an array (optionally cast)."""
    a = x.data if isinstance(x, Tensor) else xp.asarray(x)
    return a if dtype is None else a.astype(dtype, copy=False)


def _divide_no_nan(a, b):
    """a / b, and 0 where b == 0."""
    a, b = xp.asarray(a), xp.asarray(b)
    safe = xp.where(b == 0, 1, b)
    return xp.where(b == 0, 0, a / safe).astype(a.dtype, copy=False)


def _register(*aliases):
    """Register a metric class under its name, its snake_case name and `aliases`."""

    def decorate(cls):
        _CLASSES[cls.__name__] = cls
        names = {cls.__name__, _snake_case(cls.__name__), *aliases}
        return METRICS.register(*names)(cls)

    return decorate


# ----------------------------------------------------------------------------- base classes


class Metric:
    """Base of all metrics: state arrays, update_state, result, reset_state.

    Args:
        name: the metric's name (the History key); made from the class name when omitted.
        dtype: the dtype of the state (default float32).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or _auto_name(type(self).__name__)
        self.dtype = xp.dtype(dtype or floatx()).name
        self._state_names = []

    def add_variable(self, name, shape=()):
        """A zero-initialised state array, reset by reset_state()."""
        setattr(self, name, xp.zeros(shape, dtype=self.dtype))
        self._state_names.append(name)
        return getattr(self, name)

    @property
    def variables(self):
        return [getattr(self, n) for n in self._state_names]

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def reset_state(self):
        """Zero every state array."""
        for n in self._state_names:
            getattr(self, n)[...] = 0

    def __call__(self, *args, **kwargs):
        """update_state(*args, **kwargs), then result()."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _squeeze(x, axis):
    return xp.squeeze(x, axis)


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """One value (and one weight) per sample, as Keras' reduce_to_samplewise_values.

    Values of higher rank than the weights are reduced (mean or sum) over the
    extra axes first; the weights are broadcast and multiplied in.
    """
    values = _array(values, dtype)
    if sample_weight is not None:
        sample_weight = _array(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        if values.ndim > sample_weight.ndim:
            values = reduce_fn(values, axis=tuple(range(sample_weight.ndim, values.ndim)))
        sample_weight = xp.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


@_register()
class Sum(Metric):
    """The (weighted) sum of all values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.add_variable("total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, xp.sum, self.dtype)
        self.total += xp.sum(values)

    def result(self):
        return self.total[()]


@_register()
class Mean(Metric):
    """The (weighted) mean of all values seen: sum(w * v) / sum(w).

    Example:
        >>> m = Mean(); m.update_state([1, 3, 5, 7]); float(m.result())   # 4.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.add_variable("total")
        self.add_variable("count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, xp.mean, self.dtype)
        self.total += xp.sum(values)
        if sample_weight is not None:
            self.count += xp.sum(sample_weight)
        else:
            self.count += values.shape[0] if values.ndim >= 1 else 1

    def result(self):
        return _divide_no_nan(self.total, self.count)[()]


def _apply_mask(sample_weight, mask, dtype):
    """Multiply a 0/1 mask of valid entries into the sample weights (Keras' apply_mask, 'sum').

    As in Keras 3 (whose Mean applies the mask of the values only to given
    weights), without sample weights the mask is not applied: masked entries
    count, with value 0.
    """
    if mask is None or sample_weight is None:
        return sample_weight
    mask = _array(mask, dtype)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, _array(sample_weight, dtype))
    return sample_weight * mask


class MeanMetricWrapper(Mean):
    """The mean of fn(y_true, y_pred, **kwargs) over all samples seen.

    Args:
        fn: a function returning one value per sample (an accuracy or loss function).
        name, dtype: as Metric.
        **kwargs: passed to fn.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or _auto_name(type(self).__name__), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        with no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = _apply_mask(sample_weight, self._mask(y_true, y_pred), self.dtype)
        keras_mask = getattr(y_pred, "_keras_mask", None)
        if keras_mask is not None:  # padded steps of a masked sequence output weigh 0, as Keras 3
            valid = _array(keras_mask, self.dtype)
            sample_weight = valid if sample_weight is None else _apply_mask(sample_weight, valid, self.dtype)
        return super().update_state(_array(values), sample_weight=sample_weight)

    def _mask(self, y_true, y_pred):
        """Valid entries of fn's values (None: all valid)."""
        return None

    def get_config(self):
        config = super().get_config()
        config["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), str):
            name = config["fn"]
            config["fn"] = _FUNCTIONS.get(name) or losses_module.get(name)
        return cls(**config)


_CLASSES["MeanMetricWrapper"] = MeanMetricWrapper


# ----------------------------------------------------------------------------- accuracy


def accuracy(y_true, y_pred):
    """1.0 where y_true == y_pred, else 0.0."""
    y_pred = _array(y_pred)
    y_true = _array(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals the 0/1 label, else 0.0."""
    y_pred = _array(y_pred)
    y_true = _array(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = (y_pred > threshold).astype(y_true.dtype)
    return (y_true == y_pred).astype(floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals argmax(y_true) (one-hot labels), else 0.0."""
    y_pred = _array(y_pred)
    y_true = xp.argmax(_array(y_true), axis=-1).astype(y_pred.dtype)
    original_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim:
        y_true = _squeeze(y_true, -1)
        reshape = True
    predicted = xp.argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = (y_true == predicted).astype(floatx())
    return matches.reshape(original_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label, else 0.0."""
    y_pred = _array(y_pred)
    y_true = _array(y_true, y_pred.dtype)
    original_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = _squeeze(y_true, -1)
        reshape = True
    predicted = xp.argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = (y_true == predicted).astype(floatx())
    if reshape:
        matches = matches.reshape(original_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = _squeeze(matches, -1)
    return matches


def _in_top_k(targets, predictions, k):
    """True where the target's score is at least the k-th largest score of its row (ties count)."""
    k = min(int(k), predictions.shape[-1])
    kth = -xp.partition(-predictions, k - 1, axis=-1)[:, k - 1]
    target_score = xp.take_along_axis(predictions, targets[:, None].astype(xp.intp), axis=-1)[:, 0]
    return target_score >= kth


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the k highest scores, else 0.0."""
    y_pred = _array(y_pred)
    y_true = xp.argmax(_array(y_true), axis=-1)
    original_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = _in_top_k(y_true.reshape(-1), y_pred, k).astype(floatx())
    return matches.reshape(original_shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the k highest scores (or the first k ids), else 0.0."""
    y_pred = _array(y_pred)
    y_true = _array(y_true, y_pred.dtype if from_sorted_ids else xp.int32)
    original_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    flat = y_true.reshape(-1)
    if from_sorted_ids:
        matches = xp.any(flat[:, None] == y_pred[:, :k], axis=1)
    else:
        matches = _in_top_k(flat, y_pred, k)
    return matches.astype(floatx()).reshape(original_shape)


@_register()
class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) matches the 0/1 label."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {**Metric.get_config(self), "threshold": self.threshold}


@_register()
class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) matches the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) matches the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest scores."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {**Metric.get_config(self), "k": self.k}


@_register()
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest scores."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {**Metric.get_config(self), "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
)}


# ----------------------------------------------------------------------------- regression, loss-named metrics


def _cosine(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): the cosine of the angle."""
    return -losses_module.cosine_similarity(y_true, y_pred, axis=axis)


@_register("mse")
class MeanSquaredError(MeanMetricWrapper):
    """Mean of the squared errors."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses_module.mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register("mae")
class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of the absolute errors."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses_module.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register("mape")
class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean of 100 * |y_true - y_pred| / |y_true|."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(losses_module.mean_absolute_percentage_error, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register("msle")
class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean of the squared differences of log(1 + y)."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses_module.mean_squared_logarithmic_error, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity between y_true and y_pred along `axis` (1 when aligned)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {**Metric.get_config(self), "axis": self.axis}


@_register()
class LogCoshError(MeanMetricWrapper):
    """Mean of log(cosh(y_pred - y_true))."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(losses_module.log_cosh, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class KLDivergence(MeanMetricWrapper):
    """Mean Kullback-Leibler divergence sum(t log(t / p))."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses_module.kl_divergence, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class Poisson(MeanMetricWrapper):
    """Mean of y_pred - y_true log(y_pred)."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses_module.poisson, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class Hinge(MeanMetricWrapper):
    """Mean hinge loss max(1 - y_true * y_pred, 0)."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses_module.hinge, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class SquaredHinge(MeanMetricWrapper):
    """Mean squared hinge loss max(1 - y_true * y_pred, 0)^2."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses_module.squared_hinge, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register()
class CategoricalHinge(MeanMetricWrapper):
    """Mean categorical hinge loss."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses_module.categorical_hinge, name=name, dtype=dtype)

    def get_config(self):
        return Metric.get_config(self)


@_register("bce")
class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary crossentropy (see losses.binary_crossentropy)."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(losses_module.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        return {**Metric.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


@_register()
class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical crossentropy (see losses.categorical_crossentropy)."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(losses_module.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {**Metric.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


@_register()
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean sparse categorical crossentropy (samples labelled `ignore_class` are left out)."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(losses_module.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def _mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        labels = _array(y_true)
        ndim = len(y_pred.shape)
        if labels.ndim == ndim and labels.shape[self.axis % ndim] == 1:
            labels = xp.squeeze(labels, self.axis % ndim)
        return labels != self.ignore_class

    def get_config(self):
        return {**Metric.get_config(self), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


@_register()
class RootMeanSquaredError(Mean):
    """sqrt of the mean squared error over all samples seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _array(y_true, self.dtype)
        y_pred = _array(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(xp.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return xp.sqrt(super().result())


# ----------------------------------------------------------------------------- confusion-matrix metrics


def _parse_thresholds(thresholds, default):
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    bad = [t for t in values if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return values


def _evenly_distributed(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = xp.arange(n, dtype=xp.float32) / (n - 1)
    return bool(xp.allclose(thresholds, even, atol=losses_module.EPSILON))


def _filter_top_k(x, k):
    """x where among the k largest of its row, NEG_INF elsewhere."""
    order = xp.argsort(-x, axis=-1, kind="stable")[..., :k]
    mask = xp.zeros(x.shape, dtype=x.dtype)
    xp.put_along_axis(mask, order, 1, axis=-1)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_matrix(state, y_true, y_pred, thresholds, top_k=None, class_id=None,
                            sample_weight=None, multi_label=False, label_weights=None, evenly=False):
    """Add this batch's weighted counts to the arrays in `state` ('tp', 'fp', 'tn', 'fn').

    A prediction counts as positive at threshold t when y_pred > t. Evenly spaced
    thresholds use Keras' bucketed O(T + N) form, with its exact arithmetic.
    """
    dtype = next(iter(state.values())).dtype
    y_true = _array(y_true, dtype)
    y_pred = _array(y_pred, dtype)
    thresholds_with_epsilon = evenly and (thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    thresholds = xp.asarray(thresholds, dtype=dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = xp.expand_dims(_array(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true of shape {y_true.shape} does not fit y_pred of shape {y_pred.shape}: "
            "a confusion-matrix metric needs one label per prediction"
        )
    if evenly:
        _update_bucketed(state, y_true, y_pred, thresholds, multi_label, sample_weight,
                         label_weights, thresholds_with_epsilon)
        return
    if sample_weight is not None:
        weights = xp.broadcast_to(sample_weight, y_pred.shape)
    else:
        weights = xp.ones(y_pred.shape, dtype=dtype)
    if label_weights is not None and not multi_label:
        weights = weights * xp.broadcast_to(_array(label_weights, dtype), y_pred.shape)
    labels = y_true.astype(bool)
    if multi_label:  # counts per label: (T, L)
        axis_pred, axis_sum = (slice(None), None, None), 1
        preds, labels, weights = y_pred[None], labels[None], weights[None]
    else:
        axis_pred, axis_sum = (slice(None), None), 1
        preds, labels, weights = y_pred.reshape(1, -1), labels.reshape(1, -1), weights.reshape(1, -1)
    pred_pos = preds > thresholds[axis_pred]
    cases = {"tp": labels & pred_pos, "fn": labels & ~pred_pos,
             "fp": ~labels & pred_pos, "tn": ~labels & ~pred_pos}
    for key, array in state.items():
        array += xp.sum(xp.where(cases[key], weights, 0), axis=axis_sum).astype(dtype)


def _segment_sum(data, ids, num):
    """sum of data per id in [0, num) (ids outside are dropped)."""
    keep = (ids >= 0) & (ids < num)
    return xp.bincount(ids[keep], weights=data[keep], minlength=num)[:num].astype(data.dtype)


def _update_bucketed(state, y_true, y_pred, thresholds, multi_label, sample_weight, label_weights,
                     thresholds_with_epsilon):
    """Keras' _update_confusion_matrix_variables_optimized: bucket the predictions, then reverse-cumsum."""
    dtype = y_pred.dtype
    num = thresholds.shape[0]
    weights = xp.ones(y_pred.shape, dtype=dtype)
    if sample_weight is not None:
        weights = weights * xp.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        weights = weights * xp.broadcast_to(_array(label_weights, dtype)[None], y_pred.shape)
    y_pred = xp.clip(y_pred, 0.0, 1.0)
    y_true = (y_true != 0).astype(dtype)
    if not multi_label:
        y_true, y_pred, weights = y_true.reshape(-1), y_pred.reshape(-1), weights.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    buckets = xp.ceil(y_pred * (xp.asarray(num, dtype=dtype) - 1)) - 1
    if thresholds_with_epsilon:
        buckets = xp.maximum(buckets, 0)
    buckets = buckets.astype(xp.int64)
    if multi_label:
        columns = range(y_pred.shape[1])
        tp_b = xp.stack([_segment_sum(true_labels[:, j], buckets[:, j], num) for j in columns], 1)
        fp_b = xp.stack([_segment_sum(false_labels[:, j], buckets[:, j], num) for j in columns], 1)
        total_true, total_false = xp.sum(true_labels, axis=0), xp.sum(false_labels, axis=0)
    else:
        tp_b = _segment_sum(true_labels, buckets, num)
        fp_b = _segment_sum(false_labels, buckets, num)
        total_true, total_false = xp.sum(true_labels), xp.sum(false_labels)
    tp = xp.cumsum(tp_b[::-1], axis=0)[::-1]
    fp = xp.cumsum(fp_b[::-1], axis=0)[::-1]
    counts = {"tp": tp, "fp": fp, "tn": total_false - fp, "fn": total_true - tp}
    for key, array in state.items():
        array += counts[key].astype(dtype)


class _ConfusionMatrixConditionCount(Metric):
    """The weighted count of one confusion-matrix cell per threshold."""

    _cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self._evenly = _evenly_distributed(self.thresholds)
        self.add_variable("accumulator", (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix({self._cell: self.accumulator}, y_true, y_pred, self.thresholds,
                                sample_weight=sample_weight, evenly=self._evenly)

    def result(self):
        return self.accumulator[0] if len(self.thresholds) == 1 else self.accumulator.copy()

    def get_config(self):
        return {**Metric.get_config(self), "thresholds": self.init_thresholds}


@_register()
class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted count of positives predicted positive (y_pred > threshold)."""

    _cell = "tp"


@_register()
class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted count of negatives predicted positive."""

    _cell = "fp"


@_register()
class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of negatives predicted negative."""

    _cell = "tn"


@_register()
class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of positives predicted negative."""

    _cell = "fn"


class _PrecisionRecall(Metric):
    _second = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = _evenly_distributed(self.thresholds)
        self.add_variable("true_positives", (len(self.thresholds),))
        self.add_variable(self._second, (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix(
            {"tp": self.true_positives, _CELL[self._second]: getattr(self, self._second)},
            y_true, y_pred, self.thresholds, top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight, evenly=self._evenly,
        )

    def result(self):
        tp = self.true_positives
        value = _divide_no_nan(tp, tp + getattr(self, self._second))
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**Metric.get_config(self), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


_CELL = {"false_positives": "fp", "false_negatives": "fn"}


@_register()
class Precision(_PrecisionRecall):
    """tp / (tp + fp): of the samples predicted positive (y_pred > threshold), the fraction that are.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a list gives one value each.
        top_k: count only the k highest scores of each row as predicted positive.
        class_id: compute for this class (column) only.
        name, dtype: as Metric.
    """

    _second = "false_positives"


@_register()
class Recall(_PrecisionRecall):
    """tp / (tp + fn): of the positive samples, the fraction predicted positive (y_pred > threshold).

    Args: as Precision.
    """

    _second = "false_negatives"


@_register()
class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at `num_thresholds` thresholds.

    Args:
        num_thresholds: number of thresholds (default 200), evenly spaced in [0, 1].
        curve: 'ROC' or 'PR'.
        summation_method: 'interpolation' (Keras' default: trapezoids for ROC,
            Davis & Goadrich's interpolation for PR), 'minoring' or 'majoring'.
        thresholds: explicit thresholds instead of num_thresholds.
        multi_label: one curve per label (columns of y_pred), averaged.
        num_labels, label_weights: for multi_label.
        from_logits: apply a sigmoid to y_pred first.
        name, dtype: as Metric.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve_names = {"roc": "ROC", "pr": "PR"}
        if str(curve).lower() not in curve_names:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC"]')
        methods = ("interpolation", "majoring", "minoring")
        if str(summation_method).lower() not in methods:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". '
                f"Expected values are {list(methods)}"
            )
        self.curve = curve_names[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = _evenly_distributed(xp.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        eps = losses_module.EPSILON
        self._thresholds = xp.array([0.0 - eps] + thresholds + [1.0 + eps])
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else xp.asarray(label_weights, dtype=self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {shape}"
                )
            variable_shape = (self.num_thresholds, shape[1])
        else:
            variable_shape = (self.num_thresholds,)
        for n in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            if n not in self._state_names:
                self.add_variable(n, variable_shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _array(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = 1 / (1 + xp.exp(-y_pred.astype(self.dtype)))
        update_confusion_matrix(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights, evenly=self._evenly,
        )

    def _by_label(self, terms):
        if not self.multi_label:
            return xp.sum(terms)
        by_label = xp.sum(terms, axis=0)
        if self.label_weights is None:
            return xp.mean(by_label)
        return _divide_no_nan(xp.sum(by_label * self.label_weights), xp.sum(self.label_weights))

    def _interpolate_pr_auc(self):
        """Davis & Goadrich: interpolate tp and fp linearly between thresholds, integrate precision."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        prec_slope = _divide_no_nan(dtp, xp.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        both = (p[:n - 1] > 0) & (p[1:] > 0)
        safe_p_ratio = xp.where(both, _divide_no_nan(p[:n - 1], xp.maximum(p[1:], 0)), 1).astype(self.dtype)
        with xp.errstate(divide="ignore"):
            log_ratio = xp.log(safe_p_ratio)
        increment = _divide_no_nan(prec_slope * (dtp + intercept * log_ratio), xp.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(increment)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return xp.asarray(self._interpolate_pr_auc(), dtype=self.dtype)[()]
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = xp.minimum(y[:n - 1], y[1:])
        else:
            heights = xp.maximum(y[:n - 1], y[1:])
        return xp.asarray(self._by_label((x[:n - 1] - x[1:]) * heights), dtype=self.dtype)[()]

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {
            **Metric.get_config(self), "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return config


# ----------------------------------------------------------------------------- lookup


def get(identifier):
    """A metric for a name (a new instance), a serialized dict, a Metric class or instance, or a callable.

    An unknown name raises ValueError listing the valid names.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return METRICS.get(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _binary_or_sparse(y_true_shape, y_pred_shape):
    """Keras 3's is_binary_or_sparse_categorical, on shapes."""
    return losses_module._binary_or_sparse(y_true_shape, y_pred_shape)


def resolve_accuracy(name, loss=None, y_true_shape=None, y_pred_shape=None):
    """The accuracy metric Keras 3's compile() picks for 'accuracy' / 'acc', named `name`.

    The rule of keras/src/trainers/compile_utils.py (get_metric), which looks at
    the shapes only, not at the loss: BinaryAccuracy when the output has one
    unit (y_pred.shape[-1] == 1); SparseCategoricalAccuracy when the labels have
    fewer axes than the output, or a last axis of 1 against several classes;
    CategoricalAccuracy otherwise. (`loss` is accepted for callers that have it
    and ignored, as Keras 3 ignores it: tf.keras 2 looked at the loss instead.)

    Args:
        name: 'accuracy' or 'acc': the metric's name, hence the History key.
        loss: unused (see above).
        y_true_shape: shape of the labels of a batch, or None when unknown.
        y_pred_shape: shape of the model's output for a batch.
    """
    binary, sparse = _binary_or_sparse(y_true_shape, y_pred_shape)
    if binary:
        return BinaryAccuracy(name=str(name))
    if sparse:
        return SparseCategoricalAccuracy(name=str(name))
    return CategoricalAccuracy(name=str(name))


def resolve(identifier, y_true_shape=None, y_pred_shape=None):
    """The Metric object compile() uses for `identifier` (Keras' compile_utils.get_metric).

    'accuracy' / 'acc' go through resolve_accuracy; other names through get();
    plain functions are wrapped in a MeanMetricWrapper. The metric is named as
    given ('mse' stays 'mse'), or after the object, so History keys match Keras'.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if str(identifier).lower() in ("accuracy", "acc"):
        return resolve_accuracy(identifier, None, y_true_shape, y_pred_shape)
    metric = get(identifier)
    if isinstance(identifier, str):
        name = identifier
    elif hasattr(metric, "name"):
        name = metric.name
    else:
        name = _snake_case(getattr(metric, "__name__", type(metric).__name__))
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=name)
    metric.name = name
    return metric


def serialize(metric):
    """{'class_name', 'config'} of a Metric."""
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config):
    """The metric described by a name or by {'class_name': ..., 'config': {...}}."""
    if isinstance(config, str):
        return get(config)
    class_name = config.get("class_name")
    if class_name not in _CLASSES:
        raise ValueError(
            f"Could not interpret metric config: {config!r}. "
            f"Known metric classes: {', '.join(sorted(_CLASSES))}"
        )
    return _CLASSES[class_name].from_config(config.get("config", {}))


__getattr__ = not_implemented("keras.metrics")
