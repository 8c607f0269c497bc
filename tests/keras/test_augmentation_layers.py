"""Random image augmentation layers against Keras 3 (PyTorch backend).

Keras draws its transforms from torch's generator, so the parity tests fix the
transform: both layers' `transform_images` receive the same transformation
(flip decisions, rotation matrices, zooms, shifts, contrast factors, crop
corners) and must give the same images to 1e-5. The rest asserts what Keras
documents: identity at inference, augmentation by default and in `fit`, seeded
reproducibility, draws inside the factor ranges, dtypes, shapes and configs.
"""
import numpy as np
import pytest

import deepgrad as dg
import deepgrad.keras as dk
from deepgrad.keras import layers
from deepgrad.keras.layers.augmentation import affine_matrix

keras = pytest.importorskip("keras")
pytest.importorskip("torch")
assert keras.backend.backend() == "torch", "tests/keras/conftest.py must set KERAS_BACKEND=torch"

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

FILL_MODES = ["reflect", "wrap", "constant", "nearest"]
INTERPOLATIONS = ["bilinear", "nearest"]


def images(*shape, seed=0, high=1.0, dtype="float32"):
    return np.random.default_rng(seed).uniform(0.0, high, size=shape).astype(dtype)


def kt(array):
    """A copy as a Keras (torch) tensor: Keras' torch affine_transform edits its transform in place."""
    return keras.ops.convert_to_tensor(np.array(array))


def assert_same(ours, theirs, atol=1e-5):
    expected = keras.ops.convert_to_numpy(theirs)
    got = ours.numpy()
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=atol, rtol=1e-5)


def pair(name, *args, **kwargs):
    return getattr(layers, name)(*args, **kwargs), getattr(keras.layers, name)(*args, **kwargs)


# ---------------------------------------------------------------------------- fixed transforms vs Keras


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_flip_applies_each_samples_decision_as_keras(mode):
    x = images(4, 5, 6, 2)
    flips = np.array([True, False, True, False]).reshape(4, 1, 1, 1)
    ours, theirs = pair("RandomFlip", mode)
    out = ours.transform_images(dg.Tensor(x), {"flips": flips})
    assert_same(out, theirs.transform_images(kt(x), {"flips": kt(flips)}))
    expected = x.copy()
    for i in (0, 2):
        if mode != "vertical":
            expected[i] = expected[i][:, ::-1]
        if mode != "horizontal":
            expected[i] = expected[i][::-1]
    np.testing.assert_array_equal(out.numpy(), expected)


def test_flip_decisions_drawn_per_sample():
    x = images(64, 3, 4, 1)
    flip = layers.RandomFlip("horizontal", seed=3)
    out = flip(x, training=True).numpy()
    flipped = np.array([np.array_equal(o, s[:, ::-1]) for o, s in zip(out, x)])
    kept = np.array([np.array_equal(o, s) for o, s in zip(out, x)])
    assert np.all(flipped ^ kept)
    assert 16 < flipped.sum() < 48


def test_rotation_by_a_quarter_turn_is_rot90():
    x = images(3, 6, 6, 2)
    for interpolation in INTERPOLATIONS:
        rot = layers.RandomRotation((0.25, 0.25), interpolation=interpolation, seed=1)
        np.testing.assert_allclose(rot(x, training=True).numpy(), np.rot90(x, 1, axes=(1, 2)), atol=1e-5)
    rot = layers.RandomRotation((-0.5, -0.5), seed=1)
    np.testing.assert_allclose(rot(x[0], training=True).numpy(), np.rot90(x[0], 2), atol=1e-5)


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_rotation_matches_keras_affine_transform(fill_mode, interpolation):
    x = images(3, 6, 7, 2)
    kwargs = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=0.3)
    ours, theirs = pair("RandomRotation", 0.2, **kwargs)
    angles = np.array([10.0, -33.0, 71.0], dtype="float32")
    matrix = affine_matrix(angles, 6, 7)
    expected_matrix = theirs._compute_affine_matrix(
        0.5, 0.5, kt(angles), kt(np.zeros(3, "float32")), kt(np.zeros(3, "float32")),
        kt(np.ones(3, "float32")), kt(np.zeros(3, "float32")), kt(np.zeros(3, "float32")), 6, 7)
    np.testing.assert_allclose(matrix, keras.ops.convert_to_numpy(expected_matrix), atol=1e-6)
    out = ours.transform_images(dg.Tensor(x), {"rotation_matrix": matrix})
    assert_same(out, theirs.transform_images(kt(x), {"rotation_matrix": kt(matrix)}))


@pytest.mark.parametrize("name,args,key,value", [
    ("RandomRotation", (0.2,), "rotation_matrix", affine_matrix(np.array([25.0, -60.0], "float32"), 6, 7)),
    ("RandomZoom", (0.5, 0.5), None, None),
    ("RandomTranslation", (0.5, 0.5), "translations", np.array([[1.5, -2.0], [0.3, 2.7]], "float32")),
    ("RandomFlip", ("horizontal",), "flips", np.array([True, False]).reshape(2, 1, 1, 1)),
    ("RandomContrast", (0.5,), "contrast_factor", np.array([0.5, 1.7], "float32").reshape(2, 1, 1, 1)),
])
def test_channels_first_matches_keras(name, args, key, value):
    x = images(2, 3, 6, 7)
    ours, theirs = pair(name, *args, data_format="channels_first")
    if key is None:
        zooms = np.array([[0.7], [1.3]], dtype="float32")
        ours_t, theirs_t = {"height_zoom": zooms, "width_zoom": zooms[::-1]}, \
            {"height_zoom": kt(zooms), "width_zoom": kt(zooms[::-1])}
    else:
        ours_t, theirs_t = {key: value}, {key: kt(value)}
    assert_same(ours.transform_images(dg.Tensor(x), ours_t), theirs.transform_images(kt(x), theirs_t))


@pytest.mark.parametrize("fill_mode", FILL_MODES)
def test_zoom_matches_keras_on_fixed_zooms(fill_mode):
    x = images(3, 6, 7, 2)
    height = np.array([[0.7], [1.3], [1.0]], dtype="float32")
    width = np.array([[1.2], [0.8], [0.6]], dtype="float32")
    ours, theirs = pair("RandomZoom", 0.5, 0.5, fill_mode=fill_mode, fill_value=0.5)
    out = ours.transform_images(dg.Tensor(x), {"height_zoom": height, "width_zoom": width})
    assert_same(out, theirs.transform_images(kt(x), {"height_zoom": kt(height), "width_zoom": kt(width)}))
    ours, theirs = pair("RandomZoom", 0.5, interpolation="nearest")
    out = ours.transform_images(dg.Tensor(x[0]), {"height_zoom": height[:1], "width_zoom": height[:1]})
    assert_same(out, theirs.transform_images(kt(x[0]), {"height_zoom": kt(height[:1]),
                                                        "width_zoom": kt(height[:1])}))


def test_zoom_with_a_fixed_factor_through_call_matches_keras():
    x = images(2, 8, 8, 1)
    ours, theirs = pair("RandomZoom", (-0.5, -0.5), fill_mode="constant")  # zoom in by 2
    assert_same(ours(x, training=True), theirs(x, training=True))


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_translation_matches_keras_on_fixed_shifts(fill_mode, interpolation):
    x = images(3, 6, 7, 2)
    shifts = np.array([[1.5, -2.0], [0.3, 2.7], [-3.0, 0.0]], dtype="float32")
    ours, theirs = pair("RandomTranslation", 0.5, 0.5, fill_mode=fill_mode, interpolation=interpolation)
    out = ours.transform_images(dg.Tensor(x), {"translations": shifts})
    assert_same(out, theirs.transform_images(kt(x), {"translations": kt(shifts)}))


def test_translation_with_fixed_factors_through_call():
    x = images(2, 8, 10, 1)
    ours, theirs = pair("RandomTranslation", (0.25, 0.25), (-0.2, -0.2), fill_mode="constant")
    out = ours(x, training=True)
    assert_same(out, theirs(x, training=True))
    np.testing.assert_allclose(out.numpy()[:, 2:, :8], x[:, :6, 2:], atol=1e-6)  # down 2 rows, left 2 columns
    np.testing.assert_array_equal(out.numpy()[:, :2], 0.0)


def test_contrast_matches_keras_on_fixed_factors():
    x = images(3, 5, 6, 3)
    factors = np.array([0.5, 1.5, 2.0], dtype="float32").reshape(3, 1, 1, 1)
    ours, theirs = pair("RandomContrast", 0.5, value_range=(0, 1))
    out = ours.transform_images(dg.Tensor(x), {"contrast_factor": factors})
    assert_same(out, theirs.transform_images(kt(x), {"contrast_factor": kt(factors)}))
    mean = x.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out.numpy(), np.clip((x - mean) * factors + mean, 0, 1), atol=1e-6)
    # the pair (-c, c) pins Keras' range [1 - lower, 1 + upper] to the single factor 1 + c
    ours, theirs = pair("RandomContrast", (-0.3, 0.3), value_range=(0, 1))
    assert_same(ours(x, training=True), theirs(x, training=True))


def test_brightness_matches_keras_on_fixed_shifts():
    x = images(3, 5, 6, 3, high=255)
    deltas = np.array([-40.0, 0.0, 90.0], dtype="float32").reshape(3, 1, 1, 1)
    ours, theirs = pair("RandomBrightness", 0.5)
    out = ours.transform_images(dg.Tensor(x), {"rgb_delta": deltas})
    assert_same(out, theirs.transform_images(kt(x), {"rgb_delta": kt(deltas)}))
    np.testing.assert_allclose(out.numpy(), np.clip(x + deltas, 0, 255), atol=1e-4)


@pytest.mark.parametrize("size,corner", [((4, 3), (1, 2)), ((6, 7), (0, 0)), ((8, 8), (0, 0)), ((3, 7), (1, 0))])
def test_crop_matches_keras_on_fixed_corners(size, corner):
    x = images(2, 6, 7, 2)
    ours, theirs = pair("RandomCrop", *size)
    assert_same(ours.transform_images(dg.Tensor(x), corner), theirs.transform_images(kt(x), corner))


# ---------------------------------------------------------------------------- training switch

ALL = [
    ("RandomFlip", (), {}),
    ("RandomRotation", (0.2,), {}),
    ("RandomZoom", (0.3,), dict(width_factor=(-0.2, 0.4))),
    ("RandomTranslation", (0.2, 0.3), {}),
    ("RandomContrast", (0.5,), dict(value_range=(0, 1))),
    ("RandomBrightness", (0.3,), dict(value_range=(0, 1))),
]


@pytest.mark.parametrize("name,args,kwargs", ALL)
def test_identity_at_inference_and_augmenting_in_training(name, args, kwargs):
    x = images(4, 8, 8, 3)
    layer = getattr(layers, name)(*args, seed=11, **kwargs)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    assert not np.allclose(layer(x, training=True).numpy(), x)
    assert not np.allclose(layer(x).numpy(), x)  # Keras' call default: training=True
    model = dk.Sequential([dk.Input((8, 8, 3)), layer])
    np.testing.assert_array_equal(model(x, training=False).numpy(), x)  # what predict / evaluate call


def test_random_crop_inference_takes_the_centred_window():
    x = images(2, 6, 8, 1)
    crop = layers.RandomCrop(4, 4, seed=1)
    # the largest centred window of the target's aspect ratio, resized (Keras' documented inference)
    expected = keras.layers.Resizing(4, 4, crop_to_aspect_ratio=True)(x)
    assert_same(crop(x, training=False), expected)
    out = crop(x, training=True).numpy()
    windows = [x[:, i:i + 4, j:j + 4] for i in range(3) for j in range(5)]
    assert any(np.array_equal(out, w) for w in windows)


@pytest.mark.parametrize("name,args,kwargs", ALL + [("RandomCrop", (5, 6), {})])
def test_dtypes_and_unbatched_shapes_match_keras(name, args, kwargs):
    ours, theirs = pair(name, *args, seed=5, **kwargs)
    x = images(2, 8, 8, 3)
    xi = (x * 255).astype("uint8")
    for data in (xi, x.astype("float64")):
        for training in (True, False):
            if name == "RandomCrop" and not training:
                continue  # Keras 3.15 leaves inference inputs uncropped; deepgrad crops to the declared shape
            got = ours(data, training=training).numpy()
            expected = keras.ops.convert_to_numpy(theirs(data, training=training))
            assert got.dtype == expected.dtype, (data.dtype, training)
            assert got.shape == expected.shape
    assert ours(x[0], training=True).shape == keras.ops.convert_to_numpy(theirs(x[0], training=True)).shape
    assert ours.compute_output_shape((None, 8, 8, 3)) == tuple(theirs.compute_output_shape((None, 8, 8, 3)))


# ---------------------------------------------------------------------------- seeds and draws


@pytest.mark.parametrize("name,args,kwargs", ALL + [("RandomCrop", (5, 6), {})])
def test_same_seed_same_sequence(name, args, kwargs):
    x = images(4, 8, 8, 3)
    first = getattr(layers, name)(*args, seed=42, **kwargs)
    second = getattr(layers, name)(*args, seed=42, **kwargs)
    a = [first(x, training=True).numpy() for _ in range(3)]
    b = [second(x, training=True).numpy() for _ in range(3)]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], a[1]) or not np.array_equal(a[1], a[2])  # the sequence moves on
    dk.utils.set_random_seed(7)
    c = getattr(layers, name)(*args, **kwargs)(x, training=True).numpy()
    dk.utils.set_random_seed(7)
    d = getattr(layers, name)(*args, **kwargs)(x, training=True).numpy()
    np.testing.assert_array_equal(c, d)


def test_draws_lie_in_their_ranges():
    x = dg.Tensor(images(2000, 4, 5, 1))
    angles = layers.RandomRotation((-0.1, 0.3), seed=1).get_random_transformation(x)["angle"]
    assert angles.min() >= -36.0 and angles.max() <= 108.0 and angles.max() - angles.min() > 130
    assert abs(angles.mean() - 36.0) < 3.0
    t = layers.RandomZoom((-0.2, 0.4), (0.1, 0.3), seed=1).get_random_transformation(x)
    assert t["height_zoom"].min() >= 0.8 and t["height_zoom"].max() <= 1.4
    assert t["width_zoom"].min() >= 1.1 and t["width_zoom"].max() <= 1.3
    t = layers.RandomZoom(0.25, seed=1).get_random_transformation(x)
    np.testing.assert_array_equal(t["height_zoom"], t["width_zoom"])
    shifts = layers.RandomTranslation(0.5, (-0.2, 0.0), seed=1).get_random_transformation(x)["translations"]
    assert shifts[:, 1].min() >= -2.0 and shifts[:, 1].max() <= 2.0  # height 4: +-0.5 * 4 rows
    assert shifts[:, 0].min() >= -1.0 and shifts[:, 0].max() <= 0.0  # width 5: [-0.2, 0] * 5 columns
    factors = layers.RandomContrast(0.3, seed=1).get_random_transformation(x)["contrast_factor"]
    assert factors.shape == (2000, 1, 1, 1) and factors.min() >= 1.0 and factors.max() <= 1.3  # as Keras 3.15
    factors = layers.RandomContrast((0.2, 0.5), seed=1).get_random_transformation(x)["contrast_factor"]
    assert factors.min() >= 0.8 and factors.max() <= 1.5
    deltas = layers.RandomBrightness(0.1, seed=1).get_random_transformation(x)["rgb_delta"]
    assert deltas.min() >= -25.5 and deltas.max() <= 25.5 and deltas.min() < -20 and deltas.max() > 20
    flips = layers.RandomFlip(seed=1).get_random_transformation(x)["flips"]
    assert 0.45 < flips.mean() < 0.55
    crop = layers.RandomCrop(2, 2, seed=1)
    corners = np.array([crop.get_random_transformation(x) for _ in range(200)])
    assert corners[:, 0].min() == 0 and corners[:, 0].max() == 2 and corners[:, 1].max() == 3


# ---------------------------------------------------------------------------- arguments and configs


@pytest.mark.parametrize("name,args,kwargs", ALL + [
    ("RandomCrop", (5, 6), {}),
    ("RandomRotation", ((-0.1, 0.2),), dict(fill_mode="constant", fill_value=0.5, interpolation="nearest")),
    ("RandomZoom", (0.3, 0.1), dict(fill_mode="wrap")),
    ("RandomFlip", ("vertical",), {}),
])
def test_configs_match_keras_and_round_trip(name, args, kwargs):
    ours, theirs = pair(name, *args, seed=3, **kwargs)
    config, expected = ours.get_config(), theirs.get_config()
    for key in set(expected) - {"name", "dtype"}:
        value = config[key]
        assert (list(value) if isinstance(value, tuple) else value) == \
            (list(expected[key]) if isinstance(expected[key], tuple) else expected[key]), key
    clone = type(ours).from_config(config)
    x = images(2, 8, 8, 3)
    np.testing.assert_array_equal(clone(x, training=True).numpy(), ours(x, training=True).numpy())


@pytest.mark.parametrize("build,message", [
    (lambda: layers.RandomRotation(1.5), "factor"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "fill_mode"),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), "interpolation"),
    (lambda: layers.RandomZoom(-1.0), "height_factor"),
    (lambda: layers.RandomTranslation(0.1, (0.1, 0.2, 0.3)), "width_factor"),
    (lambda: layers.RandomContrast(1.5), "factor"),
    (lambda: layers.RandomBrightness(0.1, value_range=(0, 1, 2)), "value_range"),
    (lambda: layers.RandomFlip("diagonal"), "diagonal"),
])
def test_invalid_arguments_raise_like_keras(build, message):
    with pytest.raises((ValueError, NotImplementedError), match=message):
        build()


def test_rank_errors_name_the_layer():
    with pytest.raises(ValueError, match="RandomFlip.*rank 3"):
        layers.RandomFlip()(images(2, 3))


# ---------------------------------------------------------------------------- inside a model


def test_augmentation_inside_a_model_trains_with_fit():
    dk.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    n = 256
    labels = rng.integers(0, 2, size=n)
    x = rng.uniform(0.0, 0.5, size=(n, 8, 8, 1)).astype("float32")
    x[labels == 1, 2:6, 2:6] += 0.5  # a bright centre square: invariant to the augmentations below
    model = dk.Sequential([
        dk.Input((8, 8, 1)),
        layers.RandomFlip("horizontal_and_vertical", seed=1),
        layers.RandomRotation(0.05, fill_mode="nearest", seed=2),
        layers.RandomZoom(0.1, seed=3),
        layers.RandomTranslation(0.05, 0.05, seed=4),
        layers.RandomContrast(0.1, value_range=(0, 1), seed=5),
        layers.Flatten(),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, labels.astype("float32"), epochs=8, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    _, accuracy = model.evaluate(x, labels.astype("float32"), verbose=0)
    assert accuracy > 0.9
