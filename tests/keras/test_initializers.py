"""Initializers: Keras' fans, scales and distributions, seeding, and Keras' names and configs."""
import math
import os

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import backend
from deepgrad.keras import initializers

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DENSE = (400, 300)
CONV = (3, 3, 64, 128)

# (name, scale, mode, distribution) of every VarianceScaling preset, as Keras defines them.
PRESETS = [
    ("glorot_uniform", 1.0, "fan_avg", "uniform"),
    ("glorot_normal", 1.0, "fan_avg", "truncated_normal"),
    ("he_uniform", 2.0, "fan_in", "uniform"),
    ("he_normal", 2.0, "fan_in", "truncated_normal"),
    ("lecun_uniform", 1.0, "fan_in", "uniform"),
    ("lecun_normal", 1.0, "fan_in", "truncated_normal"),
]


def _fan(shape, mode):
    """Keras' fans, written out: conv kernels count the receptive field."""
    receptive = math.prod(shape[:-2])
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


def _check_distribution(x, std, distribution):
    """Mean, standard deviation, support and shape of the sample `x`."""
    n = x.size
    assert abs(x.mean()) < 4 * std / math.sqrt(n)
    assert x.std() == pytest.approx(std, rel=0.02)
    inside_one = np.mean(np.abs(x) < std)
    if distribution == "uniform":
        limit = math.sqrt(3) * std
        assert np.abs(x).max() <= limit * (1 + 1e-6)
        assert np.abs(x).max() > 0.99 * limit
        assert inside_one == pytest.approx(1 / math.sqrt(3), abs=0.01)
    else:  # normal truncated at two of its own (pre-truncation) standard deviations
        sigma = std / 0.87962566103423978
        assert np.abs(x).max() <= 2 * sigma * (1 + 1e-6)
        assert np.abs(x).max() > 1.95 * sigma
        # P(|z| < 0.8796) / P(|z| < 2) for a standard normal z.
        expected = math.erf(0.87962566103423978 / math.sqrt(2)) / math.erf(2 / math.sqrt(2))
        assert inside_one == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("shape", [DENSE, CONV], ids=["dense", "conv"])
@pytest.mark.parametrize("name,scale,mode,distribution", PRESETS, ids=[p[0] for p in PRESETS])
def test_variance_scaling_presets(name, scale, mode, distribution, shape):
    x = initializers.get(name)(shape)
    assert x.shape == shape and x.dtype == np.float32
    _check_distribution(x, math.sqrt(scale / _fan(shape, mode)), distribution)


@pytest.mark.parametrize("name,scale,mode,distribution", PRESETS, ids=[p[0] for p in PRESETS])
def test_presets_match_keras_samples(name, scale, mode, distribution):
    """Keras' own draws for a conv kernel have the same spread as ours.

    (Quantiles, not the maximum: Keras' PyTorch backend truncates by picking the
    first of 4 draws inside +-2 sigma and keeps an outside one when all 4 miss.)
    """
    keras = pytest.importorskip("keras")
    theirs = keras.ops.convert_to_numpy(keras.initializers.get(name)(CONV))
    ours = initializers.get(name)(CONV)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    for q in (0.5, 0.9, 0.99):
        assert np.quantile(np.abs(ours), q) == pytest.approx(np.quantile(np.abs(theirs), q), rel=0.03)


def test_variance_scaling_modes_and_untruncated():
    x = initializers.VarianceScaling(3.0, "fan_out", "untruncated_normal", seed=1)(CONV)
    sigma = math.sqrt(3.0 / _fan(CONV, "fan_out"))
    assert x.std() == pytest.approx(sigma, rel=0.02)
    assert np.abs(x).max() > 3.5 * sigma  # not truncated
    y = initializers.VarianceScaling(0.5, "fan_avg", "normal", seed=1)(DENSE)
    _check_distribution(y, math.sqrt(0.5 / _fan(DENSE, "fan_avg")), "truncated_normal")
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_max")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)


def test_compute_fans_matches_keras():
    pytest.importorskip("keras")
    from keras.src.initializers.random_initializers import compute_fans

    for shape in [(), (7,), (5, 3), (3, 16, 8), (3, 3, 16, 32), (2, 3, 3, 4, 5)]:
        assert initializers.compute_fans(shape) == compute_fans(shape)
    assert initializers.compute_fans((4, 5, 6), (0, 1), (2,)) == compute_fans((4, 5, 6), (0, 1), (2,))


def test_random_normal_uniform_truncated():
    x = initializers.RandomNormal(mean=1.0, stddev=0.5, seed=0)(DENSE)
    assert x.mean() == pytest.approx(1.0, abs=0.01) and x.std() == pytest.approx(0.5, rel=0.02)
    u = initializers.RandomUniform(-0.2, 0.6, seed=0)(DENSE)
    assert u.min() >= -0.2 and u.max() < 0.6 and u.mean() == pytest.approx(0.2, abs=0.01)
    t = initializers.TruncatedNormal(mean=0.5, stddev=0.1, seed=0)(DENSE)
    assert np.all(np.abs(t - 0.5) <= 0.2 + 1e-6) and t.mean() == pytest.approx(0.5, abs=0.01)
    assert t.std() == pytest.approx(0.1 * 0.87962566103423978, rel=0.02)
    default = initializers.RandomNormal()(DENSE)
    assert default.std() == pytest.approx(0.05, rel=0.02)


def test_constants_identity_dtype():
    assert np.array_equal(initializers.get("zeros")((2, 3)), np.zeros((2, 3)))
    assert np.array_equal(initializers.get("ones")((4,)), np.ones(4))
    c = initializers.Constant(0.25)((2, 2))
    assert c.dtype == np.float32 and np.all(c == 0.25)
    eye = initializers.Identity(gain=2.0)((3, 5))
    assert np.array_equal(eye, 2.0 * np.eye(3, 5)) and eye.dtype == np.float32
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((3, 3, 3))
    for name in ("zeros", "ones", "glorot_uniform", "he_normal", "orthogonal", "random_uniform"):
        assert initializers.get(name)((4, 4), dtype="float64").dtype == np.float64
        assert initializers.get(name)((4, 4)).dtype == np.float32


@pytest.mark.parametrize("shape", [(5, 8), (8, 5), (6, 6), (3, 3, 4, 8)])
def test_orthogonal(shape):
    q = initializers.Orthogonal(gain=2.0, seed=3)(shape)
    assert q.shape == shape and q.dtype == np.float32
    flat = q.reshape(-1, shape[-1])
    small = min(flat.shape)
    product = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(product, 4.0 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((5,))


def test_seeds_and_global_generator():
    init = initializers.GlorotUniform(seed=42)
    np.testing.assert_array_equal(init((5, 5)), init((5, 5)))  # Keras 3: a seed fixes the values
    np.testing.assert_array_equal(init((5, 5)), initializers.GlorotUniform(seed=42)((5, 5)))
    assert not np.array_equal(init((5, 5)), initializers.GlorotUniform(seed=43)((5, 5)))
    unseeded = initializers.HeNormal()
    backend.set_seed(7)
    a, b = unseeded((6, 4)), initializers.get("orthogonal")((4, 4))
    backend.set_seed(7)
    a2, b2 = unseeded((6, 4)), initializers.get("orthogonal")((4, 4))
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    assert not np.array_equal(a, unseeded((6, 4)))
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="abc")


def test_every_keras_name_and_config():
    keras = pytest.importorskip("keras")
    from keras.src.initializers import ALL_OBJECTS_DICT

    for name in ALL_OBJECTS_DICT:
        if "stft" in name.lower() or name in ("Initializer", "initializer"):
            continue
        ours = initializers.get(name)
        if type(ours) is initializers.Constant:
            # keras.initializers.get("constant") itself fails (KeyError 'value').
            assert ours.get_config() == keras.initializers.Constant().get_config()
            continue
        theirs = keras.initializers.get(name)
        assert type(ours).__name__ == type(theirs).__name__, name
        if type(ours) is initializers.Identity:
            # Keras' Identity forgets its gain in get_config ({}); ours keeps it.
            assert ours.get_config() == {"gain": 1.0} and theirs.get_config() == {}
            continue
        assert ours.get_config() == theirs.get_config(), name
    for theirs in (keras.initializers.HeNormal(seed=3), keras.initializers.Constant(0.5),
                   keras.initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=1),
                   keras.initializers.RandomUniform(-1.0, 2.0), keras.initializers.Orthogonal(1.5)):
        ours = initializers.deserialize(keras.initializers.serialize(theirs))
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.get_config() == theirs.get_config()
        again = initializers.deserialize(initializers.serialize(ours))
        assert again.get_config() == ours.get_config()


def test_get_arrays_callables_and_unknown_names():
    value = np.arange(6.0).reshape(2, 3)
    init = initializers.get(value)
    out = init((2, 3))
    assert out.dtype == np.float32 and np.array_equal(out, value)
    with pytest.raises(ValueError, match="shape"):
        init((3, 2))

    def custom(shape, dtype=None):
        return np.full(shape, 3.0, dtype=dtype)

    assert initializers.get(custom) is custom
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.HeUniform), initializers.HeUniform)
    with pytest.raises(ValueError) as info:
        initializers.get("glorot_unifrom")
    for name in ("glorot_uniform", "he_normal", "zeros", "orthogonal", "truncated_normal"):
        assert name in str(info.value)


def test_variable_from_initializer():
    """The arrays feed Variables directly (what Layer.add_weight does)."""
    v = dg.Variable(initializers.GlorotNormal(seed=0)((3, 2)))
    assert v.dtype == np.float32 and v.requires_grad
