"""Metrics: each equal to Keras 3's over several batches, with sample weights and after reset;
the function forms; 'accuracy' resolved as Keras 3's compile() does; names and lookup."""
import re

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import activations, losses, metrics

keras = pytest.importorskip("keras")
K = keras.ops.convert_to_numpy
# Keras-on-torch converting its own tensors to NumPy; nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
TOL = dict(rtol=1e-5, atol=1e-5)

N, C = 12, 5


def _batches(kind, seed=0, n_batches=3):
    """Three (y_true, y_pred, sample_weight) batches for a metric family."""
    rng = np.random.default_rng(seed)
    out = []
    for b in range(n_batches):
        weight = rng.uniform(0, 2, size=N).astype(np.float32)
        if kind == "regression":
            y, p = rng.normal(size=(N, 3)), rng.normal(size=(N, 3))
        elif kind == "positive":
            y, p = rng.uniform(0.1, 3, size=(N, 3)), rng.uniform(0.1, 3, size=(N, 3))
        elif kind == "binary":
            y, p = rng.integers(0, 2, size=(N, 1)), rng.uniform(0, 1, size=(N, 1))
        elif kind == "multilabel":
            y, p = rng.integers(0, 2, size=(N, 3)), rng.uniform(0, 1, size=(N, 3))
        elif kind == "sparse":
            y = rng.integers(0, C, size=(N,))
            p = rng.uniform(0.01, 1, size=(N, C))
            p /= p.sum(-1, keepdims=True)
        elif kind == "sparse_column":
            y = rng.integers(0, C, size=(N, 1))
            p = rng.uniform(0.01, 1, size=(N, C))
            p /= p.sum(-1, keepdims=True)
        elif kind == "onehot":
            y = np.eye(C)[rng.integers(0, C, size=N)]
            p = rng.uniform(0.01, 1, size=(N, C))
            p /= p.sum(-1, keepdims=True)
        elif kind == "logits":
            y = np.eye(C)[rng.integers(0, C, size=N)]
            p = 2 * rng.normal(size=(N, C))
        elif kind == "signed":
            y, p = rng.choice([-1, 1], size=(N, 3)), rng.normal(size=(N, 3))
        elif kind == "exact":
            y = rng.integers(0, 3, size=(N,))
            p = np.where(rng.uniform(size=N) < 0.6, y, rng.integers(0, 3, size=N))
        else:
            raise ValueError(kind)
        out.append((y.astype(np.float32), p.astype(np.float32), weight))
    return out


CASES = [
    ("Mean", {}, "values"),
    ("Sum", {}, "values"),
    ("Accuracy", {}, "exact"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.7}, "multilabel"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_column"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("TopKCategoricalAccuracy", {}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse_column"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.2, 0.5, 0.9]}, "binary"),
    ("Precision", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "multilabel"),
    ("Precision", {"top_k": 2}, "multilabel"),
    ("Precision", {"class_id": 1}, "multilabel"),
    ("Recall", {}, "binary"),
    ("Recall", {"thresholds": [0.3, 0.6]}, "multilabel"),
    ("Recall", {"top_k": 1, "class_id": 2}, "onehot"),
    ("TruePositives", {}, "binary"),
    ("FalsePositives", {"thresholds": [0.3, 0.6]}, "binary"),
    ("TrueNegatives", {}, "multilabel"),
    ("FalseNegatives", {}, "binary"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"num_thresholds": 13}, "multilabel"),
    ("AUC", {"summation_method": "minoring"}, "binary"),
    ("AUC", {"summation_method": "majoring", "curve": "PR"}, "binary"),
    ("AUC", {"thresholds": [0.1, 0.4, 0.45, 0.8]}, "binary"),
    ("AUC", {"multi_label": True}, "multilabel"),
    ("AUC", {"multi_label": True, "curve": "PR", "label_weights": [0.5, 1.0, 2.0]}, "multilabel"),
    ("AUC", {"from_logits": True}, "signed"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("RootMeanSquaredError", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("LogCoshError", {}, "regression"),
    ("KLDivergence", {}, "onehot"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "signed"),
    ("SquaredHinge", {}, "signed"),
    ("CategoricalHinge", {}, "onehot"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "signed"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1}, "sparse"),
]


def _id(case):
    name, kwargs, kind = case
    return f"{name}-{kind}" + "".join(f"-{k}={v}" for k, v in kwargs.items())


def _update(metric, y, p, w, kind):
    if kind == "values":
        return metric.update_state(p, sample_weight=w)
    return metric.update_state(y, p, sample_weight=w)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_metric_matches_keras_over_batches_and_reset(case, weighted):
    name, kwargs, kind = case
    data = _batches("regression" if kind == "values" else kind, seed=len(name))
    ours = getattr(metrics, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    for y, p, w in data:
        w = w if weighted else None
        _update(ours, y, p, w, kind)
        _update(theirs, y, p, w, kind)
        np.testing.assert_allclose(np.asarray(ours.result()), K(theirs.result()), **TOL, err_msg=name)
    ours.reset_state()
    theirs.reset_state()
    y, p, w = data[0]
    _update(ours, y, p, None, kind)
    _update(theirs, y, p, None, kind)
    np.testing.assert_allclose(np.asarray(ours.result()), K(theirs.result()), **TOL, err_msg=f"{name} after reset")


@pytest.mark.parametrize("kwargs", [{}, {"curve": "PR"}, {"num_thresholds": 5}, {"thresholds": [0.25, 0.5, 0.75]}])
def test_auc_and_precision_on_boundary_predictions(kwargs):
    """Predictions exactly 0, 1 and on thresholds fall in the buckets Keras puts them in."""
    y = np.array([0, 1, 1, 0, 1, 0, 1, 1], dtype=np.float32)
    p = np.array([0.0, 1.0, 0.5, 0.5, 0.25, 1.0, 0.0, 0.75], dtype=np.float32)
    for ours, theirs in ((metrics.AUC(**kwargs), keras.metrics.AUC(**kwargs)),
                         (metrics.Precision([0.0, 0.25, 0.5, 0.75, 1.0]),
                          keras.metrics.Precision([0.0, 0.25, 0.5, 0.75, 1.0])),
                         (metrics.Recall([0.0, 0.5, 1.0]), keras.metrics.Recall([0.0, 0.5, 1.0]))):
        ours.update_state(y, p)
        theirs.update_state(y, p)
        np.testing.assert_allclose(ours.result(), K(theirs.result()), **TOL)
        for mine, reference in zip(ours.variables, theirs.variables):
            np.testing.assert_allclose(mine, K(reference), **TOL)


def test_mean_with_per_element_weights_and_scalar_values():
    ours, theirs = metrics.Mean(), keras.metrics.Mean()
    values = np.arange(12, dtype=np.float32).reshape(4, 3)
    weights = np.random.default_rng(0).uniform(0, 1, size=(4, 3)).astype(np.float32)
    for m in (ours, theirs):
        m.update_state(values, sample_weight=weights)
        m.update_state(2.5, sample_weight=32)
    np.testing.assert_allclose(ours.result(), K(theirs.result()), **TOL)


def test_call_updates_and_returns_result():
    m = metrics.SparseCategoricalAccuracy()
    first = m([1, 0], [[0.1, 0.9], [0.8, 0.2]])
    assert float(first) == 1.0
    second = m([1, 0], [[0.9, 0.1], [0.8, 0.2]])
    assert float(second) == pytest.approx(0.75)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_metrics_accept_deepgrad_tensors_and_record_no_graph():
    p = dg.Tensor(np.array([[0.2, 0.8], [0.7, 0.3]], dtype=np.float32), requires_grad=True)
    m = metrics.CategoricalCrossentropy()
    value = m(np.eye(2, dtype=np.float32)[[1, 1]], p)
    expected = K(keras.metrics.CategoricalCrossentropy()(np.eye(2, dtype=np.float32)[[1, 1]], p.numpy()))
    np.testing.assert_allclose(value, expected, **TOL)
    assert isinstance(value, np.floating)
    assert float(metrics.SparseCategoricalAccuracy()(dg.Tensor(np.array([1, 1])), p)) == 0.5


def test_crossentropy_metric_on_softmax_output_uses_its_logits():
    logits = dg.Tensor(np.array([[0.0, 40.0], [3.0, 1.0]], dtype=np.float32))
    m = metrics.SparseCategoricalCrossentropy()
    value = m(np.array([0, 0]), activations.softmax(logits))
    expected = K(keras.losses.sparse_categorical_crossentropy(np.array([0, 0]), logits.numpy(), from_logits=True))
    np.testing.assert_allclose(value, expected.mean(), rtol=1e-6)


FUNCTIONS = [
    ("binary_accuracy", {}, "binary"),
    ("binary_accuracy", {"threshold": 0.3}, "multilabel"),
    ("categorical_accuracy", {}, "onehot"),
    ("sparse_categorical_accuracy", {}, "sparse"),
    ("sparse_categorical_accuracy", {}, "sparse_column"),
    ("top_k_categorical_accuracy", {"k": 2}, "onehot"),
    ("sparse_top_k_categorical_accuracy", {"k": 2}, "sparse"),
]


@pytest.mark.parametrize("case", FUNCTIONS, ids=_id)
def test_function_forms_match_keras(case):
    name, kwargs, kind = case
    y, p, _ = _batches(kind, seed=11)[0]
    ours = getattr(metrics, name)(y, p, **kwargs)
    theirs = K(getattr(keras.metrics, name)(y, p, **kwargs))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs)


def test_accuracy_functions_on_sequences():
    rng = np.random.default_rng(3)
    y = rng.integers(0, C, size=(2, 4))
    p = rng.uniform(size=(2, 4, C)).astype(np.float32)
    np.testing.assert_allclose(metrics.sparse_categorical_accuracy(y, p),
                               K(keras.metrics.sparse_categorical_accuracy(y, p)))
    np.testing.assert_allclose(metrics.sparse_top_k_categorical_accuracy(y, p, k=2),
                               K(keras.metrics.sparse_top_k_categorical_accuracy(y, p, k=2)))
    onehot = np.eye(C, dtype=np.float32)[y]
    np.testing.assert_allclose(metrics.categorical_accuracy(onehot, p), K(keras.metrics.categorical_accuracy(onehot, p)))
    np.testing.assert_allclose(metrics.top_k_categorical_accuracy(onehot, p, k=3),
                               K(keras.metrics.top_k_categorical_accuracy(onehot, p, k=3)))


# ----------------------------------------------------------------------------- 'accuracy' as compile() resolves it


def _keras_accuracy_class(y_true_shape, y_pred_shape):
    from keras.src.trainers.compile_utils import get_metric

    return type(get_metric("accuracy", np.zeros(y_true_shape), np.zeros(y_pred_shape))).__name__


@pytest.mark.parametrize("shapes", [
    ((32,), (32, 10)),
    ((32, 1), (32, 10)),
    ((32, 10), (32, 10)),
    ((32, 1), (32, 1)),
    ((32,), (32, 1)),
    ((32, 3), (32, 3)),
    ((8, 20), (8, 20, 50)),
    ((8, 20, 1), (8, 20, 50)),
])
@pytest.mark.parametrize("name", ["accuracy", "acc"])
def test_resolve_accuracy_as_keras3_compile(shapes, name):
    y_true_shape, y_pred_shape = shapes
    metric = metrics.resolve_accuracy(name, "binary_crossentropy", y_true_shape, y_pred_shape)
    assert type(metric).__name__ == _keras_accuracy_class(y_true_shape, y_pred_shape)
    assert metric.name == name
    same = metrics.resolve(name, y_true_shape, y_pred_shape)
    assert type(same) is type(metric) and same.name == name


def test_resolve_accuracy_without_labels():
    assert isinstance(metrics.resolve_accuracy("accuracy", None, None, (4, 1)), metrics.BinaryAccuracy)
    assert isinstance(metrics.resolve_accuracy("accuracy", None, None, (4, 3)), metrics.CategoricalAccuracy)


def test_resolve_names_metrics_as_compile_does():
    assert metrics.resolve("mse").name == "mse"
    assert isinstance(metrics.resolve("mse"), metrics.MeanSquaredError)
    assert metrics.resolve("AUC").name == "AUC"
    wrapped = metrics.resolve(metrics.binary_accuracy)
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "binary_accuracy"
    m = metrics.Precision(name="prec")
    assert metrics.resolve(m) is m and m.name == "prec"


# ----------------------------------------------------------------------------- names and lookup


def test_get_names_classes_and_instances():
    assert isinstance(metrics.get("auc"), metrics.AUC)
    assert isinstance(metrics.get("SparseCategoricalAccuracy"), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("sparse_categorical_accuracy"), metrics.SparseCategoricalAccuracy)
    assert isinstance(metrics.get("mae"), metrics.MeanAbsoluteError)
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(None) is None
    m = metrics.Mean()
    assert metrics.get(m) is m
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown metric: 'accuracyy'") as info:
        metrics.get("accuracyy")
    assert "sparse_categorical_accuracy" in str(info.value) and "auc" in str(info.value)


def test_every_name_is_a_keras_name():
    keras_names = {n.lower() for n in keras.src.metrics.ALL_OBJECTS_DICT}
    assert set(metrics.METRICS.names()) <= keras_names, set(metrics.METRICS.names()) - keras_names


def test_default_names_match_keras(monkeypatch):
    monkeypatch.setattr(metrics, "_name_uids", {})
    for name, kwargs, _ in CASES:
        ours = getattr(metrics, name)(**kwargs)
        theirs = getattr(keras.metrics, name)(**kwargs)
        assert re.sub(r"_\d+$", "", ours.name) == re.sub(r"_\d+$", "", theirs.name), name
    monkeypatch.setattr(metrics, "_name_uids", {})
    assert [metrics.Precision().name, metrics.Precision().name, metrics.AUC().name] == ["precision", "precision_1", "auc"]


def test_config_round_trip():
    for name, kwargs, _ in CASES:
        m = getattr(metrics, name)(**kwargs)
        config = m.get_config()
        keras_config = getattr(keras.metrics, name)(**kwargs).get_config()
        for key in keras_config:
            if key not in ("name", "dtype", "label_weights"):
                assert config[key] == keras_config[key], (name, key)
        clone = metrics.deserialize(metrics.serialize(m))
        assert type(clone) is type(m) and clone.get_config() == config


def test_invalid_arguments():
    with pytest.raises(ValueError, match="Threshold values must be in"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="ABC")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)


def test_loss_metric_values_equal_loss_functions():
    y, p, _ = _batches("onehot")[0]
    m = metrics.CategoricalCrossentropy()
    np.testing.assert_allclose(m(y, p), losses.categorical_crossentropy(y, p).numpy().mean(), rtol=1e-6)
