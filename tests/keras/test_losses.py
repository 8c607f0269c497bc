"""Losses: functions and classes equal to Keras 3's on the same arrays (every option), gradients
checked in float64, stability at logits of 1e4, the from_logits warnings and the shape errors."""
import warnings

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import activations, losses

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
K = keras.ops.convert_to_numpy
# Keras-on-torch converting its own tensors to NumPy; nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
TOL = dict(rtol=1e-5, atol=1e-5)

N, C = 6, 4


def _data(kind, seed=0, shape=(N, C), dtype=np.float32):
    """(y_true, y_pred) suited to a loss family."""
    rng = np.random.default_rng(seed)
    if kind == "regression":
        return rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
    if kind == "positive":
        return rng.uniform(0.1, 3, size=shape).astype(dtype), rng.uniform(0.1, 3, size=shape).astype(dtype)
    if kind == "distribution":
        t = rng.uniform(0.05, 1, size=shape)
        p = rng.uniform(0.05, 1, size=shape)
        return (t / t.sum(-1, keepdims=True)).astype(dtype), (p / p.sum(-1, keepdims=True)).astype(dtype)
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype(dtype), rng.uniform(0.02, 0.98, size=shape).astype(dtype)
    if kind == "signed":
        return rng.choice([-1.0, 1.0], size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
    if kind == "onehot":
        labels = rng.integers(0, shape[-1], size=shape[:-1])
        p = rng.uniform(0.05, 1, size=shape)
        return np.eye(shape[-1], dtype=dtype)[labels], (p / p.sum(-1, keepdims=True)).astype(dtype)
    if kind == "onehot_logits":
        labels = rng.integers(0, shape[-1], size=shape[:-1])
        return np.eye(shape[-1], dtype=dtype)[labels], (3 * rng.normal(size=shape)).astype(dtype)
    raise ValueError(kind)


# (our function, Keras function, kwargs, data kind)
FUNCTIONS = [
    ("mean_squared_error", {}, "regression"),
    ("mean_absolute_error", {}, "regression"),
    ("mean_absolute_percentage_error", {}, "regression"),
    ("mean_squared_logarithmic_error", {}, "positive"),
    ("cosine_similarity", {}, "regression"),
    ("cosine_similarity", {"axis": 0}, "regression"),
    ("huber", {}, "regression"),
    ("huber", {"delta": 0.4}, "regression"),
    ("log_cosh", {}, "regression"),
    ("kl_divergence", {}, "distribution"),
    ("poisson", {}, "positive"),
    ("hinge", {}, "signed"),
    ("hinge", {}, "binary"),
    ("squared_hinge", {}, "signed"),
    ("squared_hinge", {}, "binary"),
    ("categorical_hinge", {}, "onehot"),
    ("binary_crossentropy", {}, "binary"),
    ("binary_crossentropy", {"label_smoothing": 0.2}, "binary"),
    ("binary_crossentropy", {"from_logits": True}, "signed"),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary"),
    ("binary_crossentropy", {"axis": 0}, "binary"),
    ("categorical_crossentropy", {}, "onehot"),
    ("categorical_crossentropy", {}, "distribution"),
    ("categorical_crossentropy", {"label_smoothing": 0.1}, "onehot"),
    ("categorical_crossentropy", {"from_logits": True}, "onehot_logits"),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.3}, "onehot_logits"),
    ("categorical_crossentropy", {"axis": 0}, "onehot"),
    ("categorical_crossentropy", {"axis": 0, "from_logits": True}, "onehot_logits"),
]


def _id(case):
    name, kwargs, kind = case
    return f"{name}-{kind}" + "".join(f"-{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("case", FUNCTIONS, ids=_id)
def test_function_matches_keras(case):
    name, kwargs, kind = case
    y_true, y_pred = _data(kind)
    ours = getattr(losses, name)(y_true, y_pred, **kwargs)
    theirs = K(getattr(keras.losses, name)(y_true, y_pred, **kwargs))
    assert ours.shape == theirs.shape
    assert ours.numpy().dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), theirs, **TOL)


@pytest.mark.parametrize("case", FUNCTIONS, ids=_id)
def test_function_gradient_float64(case):
    name, kwargs, kind = case
    y_true, y_pred = _data(kind, seed=3, shape=(3, 4), dtype=np.float64)
    fn = getattr(losses, name)
    assert dg.gradcheck(lambda p: fn(y_true, p, **kwargs), y_pred)


@pytest.mark.parametrize("case", [c for c in FUNCTIONS if c[0] in
                                  ("binary_crossentropy", "categorical_crossentropy", "kl_divergence",
                                   "mean_squared_logarithmic_error", "poisson", "cosine_similarity")], ids=_id)
def test_function_gradient_matches_keras_autograd(case):
    """Where clipping or normalising could differ, the gradient equals Keras-on-torch's autograd."""
    name, kwargs, kind = case
    y_true, y_pred = _data(kind, seed=5)
    p = dg.Tensor(y_pred, requires_grad=True)
    getattr(losses, name)(y_true, p, **kwargs).sum().backward()
    tp = torch.tensor(y_pred, requires_grad=True)
    getattr(keras.losses, name)(torch.tensor(y_true), tp, **kwargs).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), **TOL)


# ----------------------------------------------------------------------------- sparse categorical


@pytest.mark.parametrize("label_shape", ["flat", "column"])
@pytest.mark.parametrize("label_dtype", ["int64", "int32", "float32"])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_matches_keras(label_shape, label_dtype, from_logits):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, C, size=N).astype(label_dtype)
    if label_shape == "column":
        labels = labels[:, None]
    _, probs = _data("distribution")
    y_pred = (3 * rng.normal(size=(N, C))).astype(np.float32) if from_logits else probs
    ours = losses.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits)
    theirs = K(keras.losses.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits))
    np.testing.assert_allclose(ours.numpy(), theirs, **TOL)
    ours = losses.SparseCategoricalCrossentropy(from_logits=from_logits)(labels, y_pred)
    theirs = K(keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)(labels, y_pred))
    assert ours.shape == ()
    np.testing.assert_allclose(ours.numpy(), theirs, **TOL)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_axis_and_ignore_class(from_logits):
    rng = np.random.default_rng(2)
    y_pred = rng.uniform(0.05, 1, size=(3, C, 5)).astype(np.float32)
    labels = rng.integers(0, C, size=(3, 5))
    ours = losses.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits, axis=1)
    theirs = K(keras.losses.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits, axis=1))
    np.testing.assert_allclose(ours.numpy(), theirs, **TOL)
    labels = np.array([0, 2, 1, 2, 3, 2])
    y_pred = rng.uniform(0.05, 1, size=(N, C))
    y_pred = (rng.normal(size=(N, C)) if from_logits else y_pred / y_pred.sum(-1, keepdims=True)).astype(np.float32)
    for reduction in ("sum_over_batch_size", "sum", "none"):
        ours = losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=2, reduction=reduction)
        theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=2,
                                                            reduction=reduction)
        np.testing.assert_allclose(ours(labels, y_pred).numpy(), K(theirs(labels, y_pred)), **TOL)
    assert dg.gradcheck(
        lambda p: losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=2)(labels, p),
        y_pred.astype(np.float64))


def test_ignore_class_on_softmax_output_uses_its_logits():
    logits = np.array([[0.0, 40.0, 1.0], [2.0, 0.0, 1.0], [0.5, 0.1, 3.0]], dtype=np.float32)
    labels = np.array([0, 2, 1])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=2)
    ours = loss(labels, activations.softmax(dg.Tensor(logits)))
    theirs = K(keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2)(labels, logits))
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-6)


def test_sparse_categorical_gradient_float64():
    labels = np.array([2, 0, 1])
    y_pred = np.random.default_rng(4).uniform(0.05, 1, size=(3, 4))
    for from_logits in (False, True):
        assert dg.gradcheck(
            lambda p: losses.sparse_categorical_crossentropy(labels, p, from_logits=from_logits), y_pred)


# ----------------------------------------------------------------------------- classes: reductions, weights


CLASSES = [
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("CosineSimilarity", {"axis": -1}, "regression"),
    ("Huber", {"delta": 0.5}, "regression"),
    ("LogCosh", {}, "regression"),
    ("Hinge", {}, "signed"),
    ("SquaredHinge", {}, "binary"),
    ("CategoricalHinge", {}, "onehot"),
    ("KLDivergence", {}, "distribution"),
    ("Poisson", {}, "positive"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "signed"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True}, "onehot_logits"),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight"]
WEIGHTS = {
    "none": None,
    "per_sample": np.linspace(0.2, 2.0, N).astype(np.float32),
    "column": np.linspace(0.0, 1.5, N).astype(np.float32)[:, None],
}


def _cid(case):
    return _id(case)


@pytest.mark.parametrize("weights", list(WEIGHTS))
@pytest.mark.parametrize("reduction", REDUCTIONS, ids=str)
@pytest.mark.parametrize("case", CLASSES, ids=_cid)
def test_class_matches_keras(case, reduction, weights):
    name, kwargs, kind = case
    y_true, y_pred = _data(kind, seed=7)
    if "from_logits" in kwargs:  # warnings are checked elsewhere
        warnings.simplefilter("ignore")
    sample_weight = WEIGHTS[weights]
    ours = getattr(losses, name)(reduction=reduction, **kwargs)(y_true, y_pred, sample_weight=sample_weight)
    theirs = K(getattr(keras.losses, name)(reduction=reduction, **kwargs)(y_true, y_pred,
                                                                          sample_weight=sample_weight))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.numpy(), theirs, **TOL)


def test_rank_reconciliation_of_labels_and_outputs():
    rng = np.random.default_rng(8)
    y = rng.normal(size=(N,)).astype(np.float32)
    p = rng.normal(size=(N, 1)).astype(np.float32)
    for name in ("MeanSquaredError", "MeanAbsoluteError", "Huber"):
        ours = getattr(losses, name)()(y, p).numpy()
        np.testing.assert_allclose(ours, K(getattr(keras.losses, name)()(y, p)), **TOL)
    labels = rng.integers(0, 2, size=(N,)).astype(np.float32)
    probs = rng.uniform(0.1, 0.9, size=(N, 1)).astype(np.float32)
    np.testing.assert_allclose(losses.BinaryCrossentropy()(labels, probs).numpy(),
                               K(keras.losses.BinaryCrossentropy()(labels, probs)), **TOL)


def test_sequence_loss_with_per_sample_weights_broadcasts_over_time():
    rng = np.random.default_rng(9)
    labels = rng.integers(0, C, size=(3, 5))
    logits = rng.normal(size=(3, 5, C)).astype(np.float32)
    weights = np.array([1.0, 0.0, 2.0], dtype=np.float32)
    ours = losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits, sample_weight=weights)
    per_step = K(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
    np.testing.assert_allclose(ours.numpy(), (per_step * weights[:, None]).sum() / per_step.size, **TOL)


def test_loss_gradient_through_class_float64():
    y_true, y_pred = _data("onehot", shape=(3, 4), dtype=np.float64)
    w = np.array([0.5, 1.0, 2.0])
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight"):
        loss = losses.CategoricalCrossentropy(label_smoothing=0.1, reduction=reduction)
        assert dg.gradcheck(lambda p: loss(y_true, p, sample_weight=w), y_pred)


def test_invalid_reduction():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")


# ----------------------------------------------------------------------------- stability


def test_crossentropy_with_logits_of_1e4_is_finite():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]], dtype=np.float32)
    labels = np.array([1, 1])
    cases = [
        (losses.SparseCategoricalCrossentropy(from_logits=True), labels, [2e4, 0.0]),
        (losses.CategoricalCrossentropy(from_logits=True), np.eye(3, dtype=np.float32)[labels], [2e4, 0.0]),
    ]
    for loss, y, per_sample in cases:
        t = dg.Tensor(logits, requires_grad=True)
        value = loss(y, t)
        assert np.isfinite(value.item())
        np.testing.assert_allclose(value.item(), np.mean(per_sample), rtol=1e-6)
        value.backward()
        assert np.all(np.isfinite(t.grad.numpy()))
        np.testing.assert_allclose(t.grad.numpy(), [[0.5, -0.5, 0], [0, 0, 0]], atol=1e-6)
    t = dg.Tensor(logits, requires_grad=True)
    value = losses.BinaryCrossentropy(from_logits=True)(np.ones_like(logits), t)
    np.testing.assert_allclose(value.item(), (1e4 + 1e4 + np.log(2)) / 6, rtol=1e-6)
    value.backward()
    assert np.all(np.isfinite(t.grad.numpy()))


def test_probabilities_of_zero_and_one_are_clipped_like_keras():
    y_true = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    y_pred = np.array([[0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    for name in ("binary_crossentropy", "categorical_crossentropy", "kl_divergence"):
        ours = getattr(losses, name)(y_true, y_pred).numpy()
        assert np.all(np.isfinite(ours))
        np.testing.assert_allclose(ours, K(getattr(keras.losses, name)(y_true, y_pred)), **TOL)


# ----------------------------------------------------------------------------- from_logits warnings


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def test_warns_once_when_softmax_output_is_given_with_from_logits_true():
    logits = np.random.default_rng(0).normal(size=(N, C)).astype(np.float32)
    labels = np.arange(N) % C
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    with pytest.warns(UserWarning, match="sparse_categorical_crossentropy.*from_logits=True.*probabilities"):
        loss(labels, _softmax(logits))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss(labels, _softmax(logits))  # once per loss object
    with pytest.warns(UserWarning, match="output of a softmax activation"):
        losses.CategoricalCrossentropy(from_logits=True)(
            np.eye(C)[labels], activations.softmax(dg.Tensor(logits)))
    with pytest.warns(UserWarning, match="binary_crossentropy.*output of a sigmoid"):
        losses.BinaryCrossentropy(from_logits=True)(np.ones((N, 1)), activations.sigmoid(dg.Tensor(logits[:, :1])))


def test_warns_when_logits_are_given_with_from_logits_false():
    logits = np.random.default_rng(1).normal(size=(N, C)).astype(np.float32)
    labels = np.arange(N) % C
    with pytest.warns(UserWarning, match="sparse_categorical_crossentropy.*from_logits=False.*negative"):
        losses.SparseCategoricalCrossentropy()(labels, logits)
    with pytest.warns(UserWarning, match="categorical_crossentropy.*from_logits=False.*do not sum to 1"):
        losses.CategoricalCrossentropy()(np.eye(C)[labels], np.abs(logits))
    with pytest.warns(UserWarning, match="binary_crossentropy.*outside \\[0, 1\\]"):
        losses.BinaryCrossentropy()(np.ones((N, 1)), logits[:, :1])
    # The function form, as compile() wraps it, warns too.
    with pytest.warns(UserWarning, match="from_logits=True"):
        losses.resolve("sparse_categorical_crossentropy")(labels, logits)


def test_no_warning_for_correct_use():
    logits = np.random.default_rng(2).normal(size=(N, C)).astype(np.float32)
    labels = np.arange(N) % C
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.SparseCategoricalCrossentropy()(labels, _softmax(logits))
        losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
        losses.CategoricalCrossentropy()(np.eye(C)[labels], activations.softmax(dg.Tensor(logits)))
        losses.BinaryCrossentropy(from_logits=True)(np.ones((N, 1)), logits[:, :1])
        losses.BinaryCrossentropy()(np.ones((N, 1)), _softmax(logits)[:, :1])


# ----------------------------------------------------------------------------- shape errors


def test_missing_flatten_error_names_loss_shapes_and_flatten():
    y_pred = np.full((8, 28, 10), 0.1, dtype=np.float32)
    with pytest.raises(ValueError) as info:
        losses.SparseCategoricalCrossentropy()(np.zeros(8), y_pred)
    message = str(info.value)
    assert "sparse_categorical_crossentropy" in message
    assert "(8,)" in message and "(8, 28, 10)" in message
    assert "Flatten" in message
    with pytest.raises(ValueError, match="Flatten"):
        losses.CategoricalCrossentropy()(np.eye(10)[np.zeros(8, int)], y_pred)
    with pytest.raises(ValueError, match="mean_squared_error.*Flatten"):
        losses.MeanSquaredError()(np.zeros((8, 3)), np.zeros((8, 28, 10)))


def test_label_format_errors_suggest_the_right_loss():
    probs = np.full((4, 3), 1 / 3, dtype=np.float32)
    with pytest.raises(ValueError, match="categorical_crossentropy.*sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()(np.array([0, 1, 2, 1]), probs)
    with pytest.raises(ValueError, match="one-hot.*categorical_crossentropy"):
        losses.SparseCategoricalCrossentropy()(np.eye(3)[[0, 1, 2, 1]], probs)


# ----------------------------------------------------------------------------- lookup and config


def test_get_resolves_names_classes_and_callables():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert losses.get("bce") is losses.binary_crossentropy
    loss = losses.get("SparseCategoricalCrossentropy")
    assert isinstance(loss, losses.SparseCategoricalCrossentropy) and loss.name == "sparse_categorical_crossentropy"
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    assert losses.get(None) is None
    fn = lambda y, p: (y - p) ** 2  # noqa: E731
    assert losses.get(fn) is fn
    cfg = {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    assert losses.get(cfg).from_logits is True


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown loss: 'mean_sqared_error'") as info:
        losses.get("mean_sqared_error")
    assert "mean_squared_error" in str(info.value) and "sparse_categorical_crossentropy" in str(info.value)


def test_every_name_is_a_keras_name():
    keras_names = {n.lower() for n in keras.src.losses.ALL_OBJECTS_DICT} | {"kullback_leibler_divergence"}
    assert set(losses.LOSSES.names()) <= keras_names, set(losses.LOSSES.names()) - keras_names


def test_config_round_trip_matches_keras():
    for name, kwargs, _ in CLASSES + [("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 3}, "")]:
        ours = getattr(losses, name)(reduction="sum", **kwargs)
        theirs = getattr(keras.losses, name)(reduction="sum", **kwargs)
        config = ours.get_config()
        keras_config = theirs.get_config()
        for key in keras_config:
            if key != "dtype":
                assert config[key] == keras_config[key], (name, key)
        clone = losses.deserialize(losses.serialize(ours))
        assert type(clone) is type(ours) and clone.get_config() == config


def test_resolve_picks_crossentropy_and_wraps_functions_like_compile():
    assert losses.resolve("ce", (N,), (N, C)).fn is losses.sparse_categorical_crossentropy
    assert losses.resolve("crossentropy", (N, 1), (N, C)).fn is losses.sparse_categorical_crossentropy
    assert losses.resolve("crossentropy", (N, C), (N, C)).fn is losses.categorical_crossentropy
    assert losses.resolve("crossentropy", (N, 1), (N, 1)).fn is losses.binary_crossentropy
    wrapped = losses.resolve("mse")
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "mse"
    y, p = _data("regression")
    np.testing.assert_allclose(wrapped(y, p).numpy(), K(keras.losses.MeanSquaredError()(y, p)), **TOL)
    instance = losses.Huber()
    assert losses.resolve(instance) is instance
