"""keras.random: signatures, dtypes and shapes against Keras 3 (torch backend), seeding rules,
moments of large samples, dropout's scaling and gradient, shuffle, and argument errors."""
import inspect
import math

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import config as dg_config
from deepgrad.keras import random as R
from deepgrad.keras.utils import set_random_seed

keras = pytest.importorskip("keras", reason="Keras 3 is the oracle: pip install keras")
torch = pytest.importorskip("torch", reason="PyTorch backs the Keras oracle: pip install torch==2.13.0")

COVERED_KERAS_OPS = set()
COVERED_OPS = {"dropout"}
COVERED_RANDOM = {"normal", "uniform", "truncated_normal", "randint", "categorical", "dropout",
                  "shuffle", "gamma", "binomial", "beta", "SeedGenerator"}

LOGITS = np.log(np.array([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]], dtype="float32"))

# (name, positional args, keyword args): one call of each draw, for dtype/shape/seeding checks
CALLS = [
    ("normal", ((3, 4),), {}),
    ("normal", ((2, 5),), dict(mean=1.0, stddev=3.0, dtype="float64")),
    ("normal", ((4,),), dict(dtype="float16")),
    ("uniform", ((3, 4),), {}),
    ("uniform", ((6,),), dict(minval=-2.0, maxval=5.0, dtype="float64")),
    ("truncated_normal", ((3, 4),), {}),
    ("truncated_normal", ((2, 2, 2),), dict(dtype="float64")),
    ("randint", ((3, 4), 0, 10), {}),
    ("randint", ((5,), -3, 3), dict(dtype="int64")),
    ("randint", ((5,), 0, 200), dict(dtype="uint8")),
    ("categorical", (LOGITS, 7), {}),
    ("categorical", (LOGITS, 3), dict(dtype="int64")),
    ("gamma", ((3, 4), 2.0), {}),
    ("gamma", ((3,), 0.5), dict(dtype="float64")),
    ("binomial", ((3, 4), 10, 0.3), {}),
    ("binomial", ((3,), 4, 0.5), dict(dtype="int32")),
    ("beta", ((3, 4), 2.0, 5.0), {}),
    ("beta", ((3,), 1.0, 1.0), dict(dtype="float64")),
]


def _keras_arg(a):
    return keras.ops.convert_to_tensor(a) if isinstance(a, np.ndarray) else a


def _keras_call(name, args, kwargs):
    return getattr(keras.random, name)(*[_keras_arg(a) for a in args], **kwargs)


def _np(t):
    return t.numpy() if isinstance(t, dg.Tensor) else np.asarray(t)


@pytest.fixture
def floatx64():
    """floatx float64 in deepgrad and Keras for one test."""
    old, old_keras = dg_config.floatx(), keras.config.floatx()
    dg_config.set_floatx("float64")
    keras.config.set_floatx("float64")
    yield
    dg_config.set_floatx(old)
    keras.config.set_floatx(old_keras)


# ----------------------------------------------------------------------------- against Keras

@pytest.mark.parametrize("name", sorted(COVERED_RANDOM))
def test_signature_matches_keras(name):
    ours, theirs = getattr(R, name), getattr(keras.random, name)
    if name == "SeedGenerator":
        ours, theirs = ours.__init__, theirs.__init__
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))


@pytest.mark.parametrize("name,args,kwargs", CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_dtype_and_shape_match_keras(name, args, kwargs):
    ours = getattr(R, name)(*args, seed=3, **kwargs)
    theirs = _keras_call(name, args, dict(kwargs, seed=3))
    assert isinstance(ours, dg.Tensor)
    assert ours.dtype.name == keras.backend.standardize_dtype(theirs.dtype)
    assert ours.shape == tuple(theirs.shape)


@pytest.mark.parametrize("name,args", [
    ("normal", ((2,),)), ("uniform", ((2,),)), ("truncated_normal", ((2,),)),
    ("gamma", ((2,), 1.0)), ("binomial", ((2,), 3, 0.5)), ("beta", ((2,), 1.0, 2.0)),
])
def test_default_dtype_follows_floatx(floatx64, name, args):
    ours = getattr(R, name)(*args, seed=1)
    theirs = _keras_call(name, args, dict(seed=1))
    assert ours.dtype.name == "float64" == keras.backend.standardize_dtype(theirs.dtype)


@pytest.mark.parametrize("name,args,kwargs", [
    ("normal", ((),), {}), ("uniform", ((),), {}), ("gamma", ((), 2.0), {}), ("randint", ((), 0, 4), {}),
    ("binomial", ((), 5, 0.5), {}), ("beta", ((), 2.0, 2.0), {}), ("truncated_normal", ((),), {}),
    ("normal", ([2, 3],), {}), ("uniform", ((0, 3),), {}),
])
def test_scalar_and_empty_shapes(name, args, kwargs):
    ours = getattr(R, name)(*args, seed=5, **kwargs)
    theirs = _keras_call(name, args, dict(kwargs, seed=5))
    assert ours.shape == tuple(theirs.shape) == tuple(args[0])


@pytest.mark.parametrize("x", [np.arange(6.0), np.arange(6), np.arange(6, dtype="float32"),
                               [1, 2, 3], [1.0, 2.0]])
def test_shuffle_dtype_matches_keras(x):
    ours = R.shuffle(x, seed=2)
    theirs = keras.random.shuffle(x, seed=2)
    assert ours.dtype.name == keras.backend.standardize_dtype(theirs.dtype)
    assert sorted(_np(ours).tolist()) == sorted(np.asarray(x).tolist())


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_dropout_dtype_matches_keras(dtype):
    x = np.ones((4, 5), dtype=dtype)
    ours = R.dropout(x, 0.5, seed=1)
    theirs = keras.random.dropout(keras.ops.convert_to_tensor(x), 0.5, seed=1)
    assert ours.dtype.name == keras.backend.standardize_dtype(theirs.dtype)
    assert set(np.unique(_np(ours)).tolist()) <= {0.0, 2.0}


def test_seed_generator_surface_matches_keras():
    ours, theirs = R.SeedGenerator(1337), keras.random.SeedGenerator(1337)
    assert ours.state.shape == tuple(theirs.state.shape) == (2,)
    assert ours.state.dtype.name == theirs.state.dtype == "int32"
    assert ours.state.trainable is theirs.state.trainable is False
    for ordered in (True, True, False, True, False):
        a, b = ours.next(ordered=ordered), theirs.next(ordered=ordered)
        np.testing.assert_array_equal(_np(a), b.cpu().numpy())
        np.testing.assert_array_equal(_np(ours.state), theirs.state.value.cpu().numpy())
    # each draw advances the state by one, as Keras'
    for _ in range(3):
        R.normal((2,), seed=ours)
        keras.random.normal((2,), seed=theirs)
    np.testing.assert_array_equal(_np(ours.state), theirs.state.value.cpu().numpy())
    assert set(ours.get_config()) == set(theirs.get_config()) == {"seed", "name"}
    assert ours.get_config()["seed"] == 1337


BAD_CALLS = [
    ("uniform", ((2,),), dict(dtype="int32")),
    ("randint", ((2,), 0, 5), dict(dtype="float32")),
    ("categorical", (np.zeros(3, "float32"), 2), {}),
    ("normal", ((2,),), dict(seed="a")),
    ("normal", ((2,),), dict(seed=1.5)),
]


@pytest.mark.parametrize("name,args,kwargs", BAD_CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_errors_match_keras(name, args, kwargs):
    with pytest.raises(ValueError) as theirs:
        _keras_call(name, args, kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(R, name)(*args, **kwargs)
    assert str(ours.value).split(". Received")[0] == str(theirs.value).split(". Received")[0]
    assert "Received" in str(ours.value)


@pytest.mark.parametrize("seed,kwargs", [(1.5, {}), ("x", {}), (1, dict(foo=2))])
def test_seed_generator_errors_match_keras(seed, kwargs):
    with pytest.raises(ValueError) as theirs:
        keras.random.SeedGenerator(seed, **kwargs)
    with pytest.raises(ValueError) as ours:
        R.SeedGenerator(seed, **kwargs)
    assert str(ours.value) == str(theirs.value)


# ----------------------------------------------------------------------------- seeding rules

@pytest.mark.parametrize("name,args,kwargs", CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_int_seed_replays_and_generator_advances(name, args, kwargs):
    fn = getattr(R, name)
    a, b = fn(*args, seed=42, **kwargs), fn(*args, seed=42, **kwargs)
    np.testing.assert_array_equal(_np(a), _np(b))
    gen = R.SeedGenerator(42)
    first = fn(*args, seed=gen, **kwargs)
    np.testing.assert_array_equal(_np(first), _np(a))  # an int seed is a generator's first draw
    later = [_np(fn(*args, seed=gen, **kwargs)) for _ in range(4)]
    assert any(not np.array_equal(later[0], x) for x in [_np(first)] + later[1:])
    replay = R.SeedGenerator(42)
    again = [_np(fn(*args, seed=replay, **kwargs)) for _ in range(5)]
    for x, y in zip([_np(first)] + later, again):
        np.testing.assert_array_equal(x, y)


def test_generator_draws_differ_and_replay():
    gen = R.SeedGenerator(1337)
    draws = [_np(R.normal((50,), seed=gen)) for _ in range(3)]
    assert not np.array_equal(draws[0], draws[1]) and not np.array_equal(draws[1], draws[2])
    np.testing.assert_array_equal(_np(gen.state), [1337, 3])
    gen2 = R.SeedGenerator(1337)
    np.testing.assert_array_equal(_np(R.normal((50,), seed=gen2)), draws[0])
    np.testing.assert_array_equal(_np(R.normal((50,), seed=gen2)), draws[1])
    assert not np.array_equal(_np(R.normal((50,), seed=1)), _np(R.normal((50,), seed=2)))


def test_int_seed_agrees_with_tf_random():
    np.testing.assert_array_equal(_np(R.normal((6,), seed=9)), _np(dg.random.normal((6,), seed=9)))
    np.testing.assert_array_equal(_np(R.uniform((6,), seed=9)), _np(dg.random.uniform((6,), seed=9)))


def test_large_and_negative_int_seeds_are_32_bit_words():
    np.testing.assert_array_equal(_np(R.normal((4,), seed=-1)), _np(R.normal((4,), seed=2**32 - 1)))
    np.testing.assert_array_equal(_np(R.normal((4,), seed=2**32 + 5)), _np(R.normal((4,), seed=5)))


@pytest.mark.parametrize("name,args,kwargs", CALLS[::2], ids=[c[0] for c in CALLS[::2]])
def test_unseeded_draws_follow_set_random_seed(name, args, kwargs):
    fn = getattr(R, name)
    set_random_seed(1)
    a = [_np(fn(*args, **kwargs)) for _ in range(2)]
    set_random_seed(1)
    b = [_np(fn(*args, **kwargs)) for _ in range(2)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    dg.random.set_seed(1)  # tf.random.set_seed reseeds the same generator
    np.testing.assert_array_equal(_np(fn(*args, **kwargs)), a[0])


def test_unseeded_generator_follows_set_random_seed():
    set_random_seed(7)
    gen = R.SeedGenerator()
    a = [_np(R.uniform((5,), seed=gen)) for _ in range(2)]
    set_random_seed(7)
    gen = R.SeedGenerator()
    b = [_np(R.uniform((5,), seed=gen)) for _ in range(2)]
    np.testing.assert_array_equal(a, b)
    assert gen.get_config()["seed"] is None
    assert 1 <= int(_np(gen.state)[0]) < 10**9


def test_seed_generator_config_round_trip_and_names():
    gen = R.SeedGenerator(5, name="my_gen")
    assert gen.name == "my_gen" and gen.get_config() == {"seed": 5, "name": "my_gen"}
    clone = R.SeedGenerator.from_config(gen.get_config())
    np.testing.assert_array_equal(_np(R.normal((3,), seed=clone)), _np(R.normal((3,), seed=5)))
    a, b = R.SeedGenerator(1), R.SeedGenerator(1)
    assert a.name.startswith("seed_generator") and a.name != b.name
    assert isinstance(a.state, dg.Variable) and not a.state.trainable
    np.testing.assert_array_equal(_np(a.next()), [1, 0])
    np.testing.assert_array_equal(_np(a.state), [1, 1])


def test_seed_generator_as_layer_attribute():
    from deepgrad.keras import layers

    class SeededDropout(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = R.SeedGenerator(1337)

        def call(self, x, training=False):
            return R.dropout(x, 0.5, seed=self.seed_generator) if training else x

    x = np.ones((8, 16), "float32")
    layer = SeededDropout()
    a, b = _np(layer(x, training=True)), _np(layer(x, training=True))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(_np(layer(x)), x)
    replay = SeededDropout()
    np.testing.assert_array_equal(_np(replay(x, training=True)), a)
    np.testing.assert_array_equal(_np(replay(x, training=True)), b)
    np.testing.assert_array_equal(_np(layer.seed_generator.state), [1337, 2])


# ----------------------------------------------------------------------------- moments

N = 200_000


def _assert_moments(x, mean, var, tol_sigmas=6):
    """Sample mean and variance of x within `tol_sigmas` standard errors of `mean` and `var`."""
    x = np.asarray(x, dtype="float64").ravel()
    n = x.size
    assert abs(x.mean() - mean) <= tol_sigmas * math.sqrt(var / n) + 1e-12, (x.mean(), mean)
    fourth = np.mean((x - x.mean()) ** 4)
    var_error = math.sqrt(max(fourth - var**2, 1e-12) / n)
    assert abs(x.var() - var) <= tol_sigmas * var_error + 1e-12, (x.var(), var)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_moments(dtype):
    x = _np(R.normal((N,), mean=2.0, stddev=3.0, dtype=dtype, seed=0))
    assert x.dtype == dtype
    _assert_moments(x, 2.0, 9.0)


def test_normal_with_array_mean_broadcasts():
    x = _np(R.normal((N // 4, 3), mean=np.array([0.0, 10.0, -5.0]), stddev=0.5, seed=0))
    np.testing.assert_allclose(x.mean(axis=0), [0.0, 10.0, -5.0], atol=0.02)
    np.testing.assert_allclose(x.std(axis=0), [0.5] * 3, rtol=0.02)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_moments_and_range(dtype):
    x = _np(R.uniform((N,), minval=-2.0, maxval=5.0, dtype=dtype, seed=0))
    assert x.dtype == dtype and x.min() >= -2.0 and x.max() < 5.0
    _assert_moments(x, 1.5, 49.0 / 12)
    default = _np(R.uniform((N,), seed=1))
    assert default.min() >= 0.0 and default.max() < 1.0


@pytest.mark.parametrize("mean,stddev", [(0.0, 1.0), (3.0, 0.5)])
def test_truncated_normal_within_two_stddev(mean, stddev):
    x = _np(R.truncated_normal((N,), mean=mean, stddev=stddev, seed=0))
    assert np.all(np.abs(x - mean) < 2 * stddev + 1e-6)
    # variance of N(0, 1) truncated to (-2, 2): 1 - 4 phi(2) / (Phi(2) - Phi(-2))
    phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))
    _assert_moments(x, mean, stddev**2 * (1 - 4 * phi2 / mass))
    assert np.abs(x - mean).max() > 1.9 * stddev  # the tails up to the cut are drawn


def test_randint_range_and_uniformity():
    x = _np(R.randint((N,), -3, 7, seed=0))
    assert x.dtype == np.int32 and x.min() == -3 and x.max() == 6
    counts = np.bincount(x + 3, minlength=10)
    np.testing.assert_allclose(counts / N, 0.1, atol=6 * math.sqrt(0.09 / N))
    _assert_moments(x, 1.5, (10**2 - 1) / 12)


def test_categorical_frequencies_follow_softmax():
    logits = np.array([[0.0, 1.0, 2.0, -np.inf], [5.0, 5.0, 5.0, 5.0]], dtype="float32")
    x = _np(R.categorical(logits, N // 2, seed=0))
    assert x.shape == (2, N // 2) and x.dtype == np.int32
    p0 = np.exp(logits[0, :3]) / np.exp(logits[0, :3]).sum()
    freq0 = np.bincount(x[0], minlength=4) / x.shape[1]
    assert freq0[3] == 0  # a -inf logit is never drawn
    np.testing.assert_allclose(freq0[:3], p0, atol=6 * math.sqrt(0.25 / x.shape[1]))
    np.testing.assert_allclose(np.bincount(x[1], minlength=4) / x.shape[1], 0.25, atol=0.01)
    assert R.categorical(logits, 0, seed=1).shape == (2, 0)


@pytest.mark.parametrize("alpha", [0.5, 2.0, 9.0])
def test_gamma_moments(alpha):
    x = _np(R.gamma((N,), alpha, seed=0))
    assert x.min() > 0
    _assert_moments(x, alpha, alpha)


def test_gamma_with_array_alpha():
    alpha = np.array([1.0, 4.0])
    x = _np(R.gamma((N // 2, 2), alpha, dtype="float64", seed=0))
    np.testing.assert_allclose(x.mean(axis=0), alpha, rtol=0.02)
    np.testing.assert_allclose(x.var(axis=0), alpha, rtol=0.05)


@pytest.mark.parametrize("counts,p", [(10, 0.3), (1, 0.5), (50, 0.9)])
def test_binomial_moments(counts, p):
    x = _np(R.binomial((N,), counts, p, seed=0))
    assert x.dtype == np.float32 and x.min() >= 0 and x.max() <= counts
    assert np.all(x == np.round(x))
    _assert_moments(x, counts * p, counts * p * (1 - p))
    assert np.all(_np(R.binomial((10,), counts, 0.0, seed=1)) == 0)
    assert np.all(_np(R.binomial((10,), counts, 1.0, seed=1)) == counts)


@pytest.mark.parametrize("a,b", [(2.0, 5.0), (0.5, 0.5), (1.0, 1.0)])
def test_beta_moments(a, b):
    x = _np(R.beta((N,), a, b, seed=0))
    assert x.min() >= 0 and x.max() <= 1
    _assert_moments(x, a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1)))


# ----------------------------------------------------------------------------- dropout

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rate", [0.2, 0.5, 0.9])
def test_dropout_scales_kept_units(dtype, rate):
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(400, 500)).astype(dtype)
    y = _np(R.dropout(x, rate, seed=3))
    assert y.dtype == dtype
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / (1 - rate), rtol=1e-6 if dtype == "float64" else 1e-5)
    p = 1 - rate
    assert abs(kept.mean() - p) <= 6 * math.sqrt(p * (1 - p) / x.size)


def test_dropout_noise_shape_broadcasts_the_mask():
    x = np.ones((200, 3, 4), "float32")
    y = _np(R.dropout(x, 0.5, noise_shape=(200, 1, 4), seed=0))
    assert np.all(y == y[:, :1, :])  # one mask row for every step
    y = _np(R.dropout(x, 0.5, noise_shape=(None, 3, 1), seed=0))
    assert np.all(y == y[:, :, :1])
    assert 0.4 < (y[:, :, 0] != 0).mean() < 0.6


def test_dropout_rate_zero_and_one():
    x = np.arange(1.0, 7.0, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(_np(R.dropout(x, 0.0, seed=1)), x)
    zeros = R.dropout(x, 1.0)
    np.testing.assert_array_equal(_np(zeros), np.zeros_like(x))
    assert zeros.dtype == np.float32
    theirs = keras.random.dropout(keras.ops.convert_to_tensor(x), 1.0)
    np.testing.assert_array_equal(theirs.cpu().numpy(), np.zeros_like(x))


def test_dropout_gradient_is_the_scaled_mask():
    x = dg.Variable(np.random.default_rng(0).normal(size=(6, 7)).astype("float32"))
    w = np.random.default_rng(1).normal(size=(6, 7)).astype("float32")
    with dg.GradientTape() as tape:
        y = R.dropout(x, 0.25, seed=11)
        loss = dg.reduce_sum(y * w)
    g = _np(tape.gradient(loss, x))
    mask = (_np(y) != 0) / 0.75
    np.testing.assert_allclose(g, w * mask, rtol=1e-6)
    assert 0 < (_np(y) != 0).sum() < y.shape[0] * y.shape[1]


def test_dropout_gradcheck_float64():
    x = np.random.default_rng(2).normal(size=(4, 5))
    assert dg.gradcheck(lambda t: R.dropout(t, 0.4, seed=5), x)
    assert dg.gradcheck(lambda t: R.dropout(t, 0.4, noise_shape=(4, 1), seed=5), x)


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")])
def test_dropout_rejects_bad_rate(rate):
    with pytest.raises(ValueError, match=r"Expected a float value between 0 and 1. Received: rate="):
        R.dropout(np.ones((2, 2), "float32"), rate)


# ----------------------------------------------------------------------------- shuffle

@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_shuffle_permutes_one_axis(axis):
    x = np.arange(5 * 6 * 7, dtype="float32").reshape(5, 6, 7)
    y = _np(R.shuffle(x, axis=axis, seed=4))
    ax = axis % 3
    # the same permutation of `axis` for every other index
    base = np.moveaxis(x, ax, 0).reshape(x.shape[ax], -1)
    moved = np.moveaxis(y, ax, 0).reshape(x.shape[ax], -1)
    idx = [int(np.nonzero((base == moved[i]).all(axis=1))[0][0]) for i in range(x.shape[ax])]
    assert sorted(idx) == list(range(x.shape[ax])) and idx != sorted(idx)
    np.testing.assert_array_equal(moved, base[idx])
    np.testing.assert_array_equal(_np(R.shuffle(x, axis=axis, seed=4)), y)


def test_shuffle_moves_entries():
    x = np.arange(100)
    y = _np(R.shuffle(x, seed=0))
    assert sorted(y.tolist()) == x.tolist() and not np.array_equal(x, y)


def test_shuffle_is_differentiable():
    x = dg.Variable(np.arange(12.0, dtype="float32").reshape(4, 3))
    w = np.arange(12.0, dtype="float32").reshape(4, 3) * 10
    with dg.GradientTape() as tape:
        y = R.shuffle(x, axis=0, seed=3)
        loss = dg.reduce_sum(y * w)
    g = _np(tape.gradient(loss, x))
    rows = [int(r[0]) // 3 for r in _np(y)]  # y[i] = x[rows[i]]
    expected = np.zeros_like(w)
    expected[rows] = w
    np.testing.assert_array_equal(g, expected)


def test_shuffle_rejects_scalars_and_bad_axis():
    with pytest.raises(ValueError, match="rank >= 1"):
        R.shuffle(np.float32(3.0))
    with pytest.raises(ValueError, match=r"`axis` must be an integer in \[-2, 2\).*Received: axis=2"):
        R.shuffle(np.zeros((2, 3)), axis=2)


# ----------------------------------------------------------------------------- argument errors

@pytest.mark.parametrize("call,message", [
    (lambda: R.normal((2,), dtype="int32"),
     "`keras.random.normal` requires a floating point `dtype`. Received: dtype=int32"),
    (lambda: R.truncated_normal((2,), dtype="bool"),
     "`keras.random.truncated_normal` requires a floating point"),
    (lambda: R.randint((3,), 5, 2), "requires minval < maxval. Received: minval=5, maxval=2"),
    (lambda: R.randint((3,), 0, 300, dtype="uint8"), "does not fit dtype uint8"),
    (lambda: R.gamma((3,), -1.0), "requires alpha > 0. Received: alpha=-1.0"),
    (lambda: R.gamma((2, 3), np.ones(4)), "does not broadcast to the requested shape"),
    (lambda: R.beta((3,), 1.0, 0.0), "requires alpha > 0 and beta > 0"),
    (lambda: R.binomial((3,), 5, 1.5), "requires probabilities in [0, 1]"),
    (lambda: R.binomial((3,), 5.5, 0.5), "requires non-negative integer counts"),
    (lambda: R.binomial((3,), -1, 0.5), "requires non-negative integer counts"),
    (lambda: R.normal((2, None)), "`shape` must be a tuple of non-negative integers"),
    (lambda: R.uniform((-1,)), "`shape` must be a tuple of non-negative integers"),
    (lambda: R.categorical(LOGITS, -1), "`num_samples` must be a non-negative integer"),
    (lambda: R.normal((2, 3), mean=np.zeros(4)), "must broadcast to the requested shape"),
    (lambda: R.uniform((2,), dtype="foo"), "Invalid dtype: foo"),
])
def test_argument_errors(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)
