"""Normalization layers against Keras 3 (PyTorch backend) as the oracle.

Same weights (copied with set_weights(keras_layer.get_weights())), same float32
input: outputs agree to atol 1e-5 in training and inference, and
BatchNormalization's moving statistics agree after several training calls.
Gradients with respect to the input, gamma and beta are checked by central
differences in float64.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import layers

keras = pytest.importorskip("keras")
assert keras.backend.backend() == "torch", "tests/keras/conftest.py must set KERAS_BACKEND=torch"

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def rand(*shape, seed=1, loc=0.0, scale=1.0):
    return (loc + scale * np.random.default_rng(seed).standard_normal(shape)).astype("float32")


def make_pair(name, input_shape, seed=0, **kwargs):
    """Keras' and deepgrad's layer, built for `input_shape`, with the same random weights."""
    theirs = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**kwargs)
    theirs.build(input_shape)
    ours.build(input_shape)
    rng = np.random.default_rng(seed)
    # Positive values keep moving variances valid; gamma and beta away from their 1 / 0 defaults.
    theirs.set_weights([rng.uniform(0.5, 1.5, size=w.shape).astype("float32") for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def assert_close(got, expected, atol=1e-5):
    got = got.numpy() if isinstance(got, dg.Tensor) else got
    np.testing.assert_allclose(got, to_numpy(expected), atol=atol, rtol=1e-5)


def gradcheck_layer(layer, x, weight_names, **call_kwargs):
    """Central-difference check of d(layer(x))/d(x and each named weight), in float64."""
    originals = [getattr(layer, n) for n in weight_names]

    def fn(xt, *ws):
        for n, w in zip(weight_names, ws):
            setattr(layer, n, w)
        return layer(xt, **call_kwargs)

    try:
        assert dg.gradcheck(fn, x, *[w.numpy() for w in originals])
    finally:
        for n, w in zip(weight_names, originals):
            setattr(layer, n, w)


# ---------------------------------------------------------------------------- BatchNormalization

BN_CASES = [
    ((6, 5), {}),
    ((4, 3, 5, 2), {}),
    ((4, 5, 3, 3), dict(axis=1)),
    ((4, 3, 6), dict(axis=-2, momentum=0.9, epsilon=1e-5)),
    ((6, 4), dict(center=False)),
    ((6, 4), dict(scale=False)),
    ((6, 4), dict(center=False, scale=False)),
]


@pytest.mark.parametrize("shape,kwargs", BN_CASES, ids=lambda v: str(v))
def test_batch_norm_training_and_inference_match_keras(shape, kwargs):
    theirs, ours = make_pair("BatchNormalization", shape, **kwargs)
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    for step in range(4):
        x = rand(*shape, seed=step, loc=1.5, scale=2.0)
        assert_close(ours(x, training=True), theirs(x, training=True))
    for ours_w, theirs_w in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(ours_w, theirs_w, atol=1e-6, rtol=1e-6)
    x = rand(*shape, seed=10, loc=1.5, scale=2.0)
    assert_close(ours(x, training=False), theirs(x, training=False))
    assert_close(ours(x), theirs(x))  # training=None is inference
    assert ours.count_params() == theirs.count_params()
    assert len(ours.trainable_weights) == len(theirs.trainable_weights)
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights)


def test_batch_norm_moving_statistics_follow_keras_formula():
    layer = layers.BatchNormalization(momentum=0.9)
    x = rand(8, 3, seed=2, loc=3.0)
    layer(x, training=True)
    mean, var = x.mean(axis=0), x.var(axis=0)  # biased variance, as Keras
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)


def test_frozen_batch_norm_runs_in_inference_mode_like_keras():
    shape = (6, 4)
    theirs, ours = make_pair("BatchNormalization", shape)
    theirs.trainable = False
    ours.trainable = False
    before = ours.get_weights()
    x = rand(*shape, loc=2.0)
    assert_close(ours(x, training=True), theirs(x, training=True))
    for a, b in zip(before, ours.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert ours.trainable_weights == [] and len(ours.non_trainable_weights) == 4


def test_batch_norm_with_mask_matches_keras():
    shape = (3, 5, 4)
    theirs, ours = make_pair("BatchNormalization", shape)
    x = rand(*shape, loc=1.0)
    mask = np.random.default_rng(5).random(shape[:-1]) > 0.4
    assert_close(ours(x, training=True, mask=mask), theirs(x, training=True, mask=mask))
    for ours_w, theirs_w in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(ours_w, theirs_w, atol=1e-6, rtol=1e-6)


def test_batch_norm_moving_statistics_are_not_on_the_tape():
    layer = layers.BatchNormalization()
    x = dg.Tensor(rand(5, 3), requires_grad=True)
    y = layer(x, training=True)
    (y * y).sum().backward()
    assert layer.moving_mean.grad is None and layer.moving_variance.grad is None
    assert layer.gamma.grad.shape == (3,) and layer.beta.grad.shape == (3,)
    assert not layer.moving_mean.requires_grad


@pytest.mark.parametrize("shape,kwargs,training", [
    ((4, 3), {}, True),
    ((2, 3, 2, 2), {}, True),
    ((3, 2, 2), dict(axis=1), True),
    ((4, 3), dict(scale=False), True),
    ((4, 3), {}, False),
    ((2, 3, 2), dict(axis=1), False),
])
def test_batch_norm_gradients(shape, kwargs, training):
    layer = layers.BatchNormalization(dtype="float64", **kwargs)
    x = np.random.default_rng(0).standard_normal(shape) * 2 + 1
    layer.build(shape)
    rng = np.random.default_rng(1)
    for w in layer.weights:
        w.assign(rng.uniform(0.5, 1.5, size=w.shape))
    names = [n for n in ("gamma", "beta") if getattr(layer, n) is not None]
    gradcheck_layer(layer, x, names, training=training)


def test_batch_norm_masked_gradients():
    layer = layers.BatchNormalization(dtype="float64")
    x = np.random.default_rng(0).standard_normal((2, 4, 3))
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=bool)
    layer.build(x.shape)
    gradcheck_layer(layer, x, ["gamma", "beta"], training=True, mask=mask)


# ---------------------------------------------------------------------------- LayerNormalization

LN_CASES = [
    ((4, 6), {}),
    ((3, 4, 5), {}),
    ((3, 4, 5), dict(axis=[1, 2])),
    ((2, 3, 4, 5), dict(axis=(-2, -1), epsilon=1e-6)),
    ((4, 6), dict(center=False)),
    ((4, 6), dict(scale=False)),
]


@pytest.mark.parametrize("shape,kwargs", LN_CASES, ids=lambda v: str(v))
def test_layer_norm_matches_keras(shape, kwargs):
    theirs, ours = make_pair("LayerNormalization", shape, **kwargs)
    x = rand(*shape, loc=2.0, scale=3.0)
    assert_close(ours(x), theirs(x))
    assert_close(ours(x, training=True), theirs(x, training=True))
    assert ours.count_params() == theirs.count_params()
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]


def test_layer_norm_over_a_middle_axis():
    # Keras' torch backend sends axis=1 of a 3-D input to F.layer_norm, which only
    # normalizes trailing axes, and fails; the formula is checked in NumPy instead.
    layer = layers.LayerNormalization(axis=1, epsilon=1e-3)
    x = rand(3, 4, 5, loc=2.0, scale=3.0)
    layer.build(x.shape)
    gamma, beta = rand(4, seed=2), rand(4, seed=3)
    layer.set_weights([gamma, beta])
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma[:, None] + beta[:, None]
    np.testing.assert_allclose(layer(x).numpy(), expected, atol=1e-5)


@pytest.mark.parametrize("shape,kwargs", [((3, 4), {}), ((2, 3, 4), dict(axis=[1, 2])), ((2, 3, 2), dict(axis=1))])
def test_layer_norm_gradients(shape, kwargs):
    layer = layers.LayerNormalization(dtype="float64", **kwargs)
    x = np.random.default_rng(0).standard_normal(shape)
    layer.build(shape)
    rng = np.random.default_rng(1)
    for w in layer.weights:
        w.assign(rng.uniform(0.5, 1.5, size=w.shape))
    gradcheck_layer(layer, x, ["gamma", "beta"])


# ---------------------------------------------------------------------------- UnitNormalization


@pytest.mark.parametrize("shape,axis", [((4, 6), -1), ((3, 4, 5), [1, 2]), ((3, 4, 5), 1)])
def test_unit_norm_matches_keras(shape, axis):
    x = rand(*shape)
    x[0] = 0.0  # an all-zero example stays zero
    assert_close(layers.UnitNormalization(axis=axis)(x), keras.layers.UnitNormalization(axis=axis)(x))


def test_unit_norm_gradients():
    layer = layers.UnitNormalization(axis=[1, 2], dtype="float64")
    gradcheck_layer(layer, np.random.default_rng(0).standard_normal((2, 3, 2)), [])


# ---------------------------------------------------------------------------- shapes, configs, errors

CONFIG_CASES = [
    ("BatchNormalization", (28, 28, 16), dict(momentum=0.9, epsilon=1e-5)),
    ("BatchNormalization", (16, 7, 7), dict(axis=1, center=False)),
    ("LayerNormalization", (10, 32), dict(axis=-1)),
    ("LayerNormalization", (10, 32), dict(axis=[1, 2], scale=False)),
    ("UnitNormalization", (10, 32), dict(axis=1)),
]


@pytest.mark.parametrize("name,shape,kwargs", CONFIG_CASES, ids=lambda v: str(v))
def test_symbolic_shape_params_and_config_match_keras(name, shape, kwargs):
    theirs = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**kwargs)
    assert tuple(ours(layers.Input(shape)).shape) == tuple(theirs(keras.Input(shape)).shape)
    assert ours.count_params() == theirs.count_params()
    config, expected = ours.get_config(), theirs.get_config()
    assert set(config) == set(expected)
    for key in set(config) - {"name", "dtype"}:
        assert config[key] == expected[key], key
    assert type(ours).from_config(config).get_config() == config


def test_batch_norm_errors_name_the_layer_and_shape():
    layer = layers.BatchNormalization(name="bn")
    layer(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match="bn") as info:
        layer(np.zeros((2, 5), "float32"))
    assert "(2, 5)" in str(info.value)
    with pytest.raises(ValueError, match="axis 3"):
        layers.BatchNormalization(axis=3, name="bn_axis")(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match="renorm"):
        layers.BatchNormalization(renorm=True)


def test_layer_norm_bad_axis_names_the_layer():
    with pytest.raises(ValueError, match="ln_axis"):
        layers.LayerNormalization(axis=2, name="ln_axis")(np.zeros((2, 4), "float32"))
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis="last")
