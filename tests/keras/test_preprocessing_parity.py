"""Deterministic preprocessing and normalization layers against Keras 3 (PyTorch backend).

Resizing, CenterCrop, Rescaling, Normalization (adapt, fixed statistics, invert,
axis), GroupNormalization (values and gradients through torch autograd with the
same weights), UnitNormalization and UpSampling2D: the same float32 inputs give
outputs equal to 1e-5 and the same dtypes; configs round-trip.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import layers

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
assert keras.backend.backend() == "torch", "tests/keras/conftest.py must set KERAS_BACKEND=torch"

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def images(*shape, seed=0, high=1.0, dtype="float32"):
    return np.random.default_rng(seed).uniform(0.0, high, size=shape).astype(dtype)


def assert_same(ours, theirs, atol=1e-5):
    expected = keras.ops.convert_to_numpy(theirs)
    got = ours.numpy()
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=atol, rtol=1e-5)


def pair(name, *args, **kwargs):
    return getattr(layers, name)(*args, **kwargs), getattr(keras.layers, name)(*args, **kwargs)


# ---------------------------------------------------------------------------- Resizing, CenterCrop

RESIZE_CASES = [
    dict(), dict(interpolation="nearest"), dict(interpolation="bicubic"),
    dict(crop_to_aspect_ratio=True), dict(crop_to_aspect_ratio=True, interpolation="nearest"),
    dict(pad_to_aspect_ratio=True), dict(pad_to_aspect_ratio=True, fill_value=0.5),
    dict(antialias=True),
]


@pytest.mark.parametrize("kwargs", RESIZE_CASES)
@pytest.mark.parametrize("size", [(4, 5), (10, 12), (5, 11)])
def test_resizing_matches_keras(size, kwargs):
    x = images(2, 7, 9, 3)
    ours, theirs = pair("Resizing", *size, **kwargs)
    assert_same(ours(x), theirs(x))


def test_resizing_unbatched_channels_first_and_dtypes():
    x = images(7, 9, 3)
    ours, theirs = pair("Resizing", 4, 5)
    assert_same(ours(x), theirs(x))
    x = images(2, 3, 7, 9)
    ours, theirs = pair("Resizing", 4, 6, data_format="channels_first", crop_to_aspect_ratio=True)
    assert_same(ours(x), theirs(x))
    assert_same(ours(x.astype("float64")), theirs(x.astype("float64")))  # float64 -> float32, as Keras
    x = images(2, 7, 9, 3, high=255).astype("uint8")
    ours, theirs = pair("Resizing", 4, 5, interpolation="nearest")
    assert_same(ours(x), theirs(x), atol=0)  # integer images keep their dtype
    out, expected = layers.Resizing(4, 5)(x).numpy(), keras.ops.convert_to_numpy(keras.layers.Resizing(4, 5)(x))
    assert out.dtype == np.uint8
    assert np.abs(out.astype(int) - expected.astype(int)).max() <= 1  # ties at .5 may round either way


@pytest.mark.parametrize("size", [(4, 5), (7, 9), (10, 12), (3, 12), (8, 2)])
def test_center_crop_matches_keras(size):
    x = images(2, 7, 9, 3)
    ours, theirs = pair("CenterCrop", *size)
    assert_same(ours(x), theirs(x))
    assert_same(ours(x[0]), theirs(x[0]))
    x = images(2, 3, 7, 9)
    ours, theirs = pair("CenterCrop", *size, data_format="channels_first")
    assert_same(ours(x), theirs(x))


# ---------------------------------------------------------------------------- Rescaling, Normalization


@pytest.mark.parametrize("args", [(1 / 255.0,), (1 / 127.5, -1.0), ([1.0, 2.0, 3.0], [0.0, 1.0, -2.0])])
def test_rescaling_matches_keras(args):
    x = images(2, 4, 5, 3, high=255)
    ours, theirs = pair("Rescaling", *args)
    assert_same(ours(x), theirs(x))
    xi = x.astype("uint8")
    assert_same(ours(xi), theirs(xi))  # integer images become floats


@pytest.mark.parametrize("kwargs", [dict(), dict(axis=None), dict(axis=(1, 2)), dict(axis=1), dict(axis=-2),
                                    dict(invert=True), dict(axis=(1, 3), invert=True)])
def test_normalization_adapt_matches_keras(kwargs):
    x = images(6, 5, 4, 3, high=10.0) + np.arange(3, dtype="float32")
    ours, theirs = pair("Normalization", **kwargs)
    ours.adapt(x)
    theirs.adapt(x)
    for got, expected in zip(ours.get_weights(), theirs.get_weights()):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    y = images(2, 5, 4, 3, seed=3, high=10.0)
    assert_same(ours(y), theirs(y), atol=1e-4 if kwargs.get("invert") else 1e-5)


def test_normalization_adapt_on_batches_equals_adapt_on_the_array():
    x = images(40, 3, seed=2, high=5.0)
    whole = layers.Normalization()
    whole.adapt(x)
    batched = layers.Normalization()
    batched.adapt([(x[i:i + 7], None) for i in range(0, 40, 7)])
    for a, b in zip(whole.get_weights(), batched.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(mean=[1.0, 2.0, 3.0], variance=[4.0, 5.0, 6.0]),
                                    dict(mean=3.0, variance=4.0), dict(mean=3.0, variance=4.0, invert=True),
                                    dict(mean=[1.0, 2.0, 3.0], variance=[4.0, 5.0, 6.0], invert=True)])
def test_normalization_fixed_statistics_match_keras(kwargs):
    x = images(2, 4, 5, 3, high=10.0)
    ours, theirs = pair("Normalization", **kwargs)
    assert_same(ours(x), theirs(x))
    assert ours.get_config()["mean"] == theirs.get_config()["mean"]


# ---------------------------------------------------------------------------- GroupNormalization

GROUP_CASES = [
    ((2, 5, 6, 8), dict(groups=4)),
    ((2, 5, 6, 8), dict(groups=-1)),
    ((2, 5, 6, 8), dict(groups=1)),
    ((2, 8, 5, 6), dict(groups=2, axis=1)),
    ((3, 7, 6), dict(groups=3, epsilon=1e-5)),
    ((2, 5, 6, 8), dict(groups=2, center=False)),
    ((2, 5, 6, 8), dict(groups=2, scale=False)),
]


@pytest.mark.parametrize("shape,kwargs", GROUP_CASES)
def test_group_normalization_values_and_gradients_match_keras(shape, kwargs):
    rng = np.random.default_rng(7)
    ours, theirs = pair("GroupNormalization", **kwargs)
    ours.build(shape)
    theirs.build(shape)
    weights = [rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    x = (rng.normal(size=shape) * 3 + 1).astype("float32")
    w = rng.normal(size=shape).astype("float32")

    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    (yt * torch.tensor(w)).sum().backward()
    expected_grads = [xt.grad.numpy()] + [v.value.grad.numpy() for v in theirs.trainable_variables]

    xd = dg.Tensor(x, requires_grad=True)
    yd = ours(xd)
    (yd * dg.Tensor(w)).sum().backward()
    grads = [xd.grad] + [v.grad for v in ours.trainable_weights]

    np.testing.assert_allclose(yd.numpy(), yt.detach().numpy(), atol=1e-5, rtol=1e-5)
    assert len(grads) == len(expected_grads)
    for got, expected in zip(grads, expected_grads):
        got = got.numpy() if isinstance(got, dg.Tensor) else np.asarray(got)
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


def test_group_normalization_config_and_errors():
    ours, theirs = pair("GroupNormalization", groups=2, epsilon=1e-4, center=False)
    config = ours.get_config()
    expected = theirs.get_config()
    for key in ("groups", "axis", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer"):
        assert config[key] == expected[key]
    clone = layers.GroupNormalization.from_config(config)
    assert clone.groups == 2 and clone.epsilon == 1e-4 and clone.center is False
    with pytest.raises(ValueError, match="groups=0"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="must divide"):
        layers.GroupNormalization(groups=3)(images(2, 4, 4, 8))
    with pytest.raises(ValueError, match="cannot be more"):
        layers.GroupNormalization(groups=32)(images(2, 4, 4, 8))


# ---------------------------------------------------------------------------- UnitNormalization, UpSampling2D


@pytest.mark.parametrize("axis", [-1, 1, (1, 2), [1, 3]])
def test_unit_normalization_matches_keras(axis):
    x = images(2, 4, 5, 3) - 0.5
    ours, theirs = pair("UnitNormalization", axis=axis)
    assert_same(ours(x), theirs(x))
    assert ours.get_config()["axis"] == theirs.get_config()["axis"]


@pytest.mark.parametrize("kwargs", [dict(), dict(size=(3, 2)), dict(size=3), dict(interpolation="bilinear"),
                                    dict(size=(3, 2), interpolation="bilinear"),
                                    dict(interpolation="bilinear", data_format="channels_first"),
                                    dict(size=(2, 3), data_format="channels_first")])
def test_upsampling2d_matches_keras(kwargs):
    x = images(2, 4, 5, 3)
    ours, theirs = pair("UpSampling2D", **kwargs)
    assert_same(ours(x), theirs(x))
    config, expected = ours.get_config(), theirs.get_config()
    for key in ("size", "data_format", "interpolation"):
        assert config[key] == expected[key]


@pytest.mark.parametrize("name,args,kwargs", [
    ("Resizing", (4, 5), dict(interpolation="nearest", pad_to_aspect_ratio=True)),
    ("CenterCrop", (4, 5), {}),
    ("Rescaling", (0.5, 1.0), {}),
    ("Normalization", (), dict(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0])),
    ("UnitNormalization", (), dict(axis=(1, 2))),
    ("UpSampling2D", (), dict(size=(2, 3), interpolation="bilinear")),
])
def test_configs_match_keras_and_round_trip(name, args, kwargs):
    ours, theirs = pair(name, *args, **kwargs)
    config = ours.get_config()
    expected = theirs.get_config()
    assert set(expected) - {"dtype"} <= set(config)
    for key in set(expected) - {"name", "dtype"}:
        assert config[key] == expected[key], key
    clone = type(ours).from_config(config)
    x = images(2, 6, 8, 3)
    np.testing.assert_allclose(clone(x).numpy(), ours(x).numpy())
