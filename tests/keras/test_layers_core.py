"""Core, reshaping, regularization, merging, preprocessing and activation layers.

Every layer is built the same way in Keras 3 (torch backend, the oracle) and
in deepgrad; Keras' weights are copied into ours with set_weights and the
outputs must agree to 1e-5 on the same float32 input. Gradients with respect
to inputs and weights are checked by central differences in float64; shapes
on symbolic Inputs, get_config keys and values, Dropout's statistics and
seeding, and the error messages are checked too.
"""
import functools
import os
import re

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deepgrad as dg  # noqa: E402
from deepgrad import backend  # noqa: E402
from deepgrad.keras import layers as L  # noqa: E402

keras = pytest.importorskip("keras")
K = keras.layers

# Keras' torch backend converting arrays warns about NumPy 2's copy keyword; not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")

ATOL = 1e-5


def square_plus_one(x):
    return x * x + 1.0


class Case:
    """One layer configuration: `make(module)` builds it from keras.layers or deepgrad's layers."""

    def __init__(self, id, make, shapes, grad=True, deterministic=True, sym_shapes=None):
        self.id = id
        self.make = make
        self.shapes = shapes          # input shapes (a list for merge layers)
        self.grad = grad              # run gradcheck
        self.deterministic = deterministic
        self.sym_shapes = sym_shapes  # Input shapes (no batch axis) when not shapes[i][1:]

    @property
    def multi(self):
        return isinstance(self.shapes, list)


CASES = [
    # core
    Case("dense", lambda m: m.Dense(4, bias_initializer="random_normal"), (3, 5)),
    Case("dense_rank3_relu", lambda m: m.Dense(3, activation="tanh", bias_initializer="random_normal"),
         (2, 3, 5), sym_shapes=(None, 5)),
    Case("dense_no_bias", lambda m: m.Dense(2, use_bias=False), (2, 4)),
    Case("activation_tanh", lambda m: m.Activation("tanh"), (2, 5)),
    Case("activation_softmax", lambda m: m.Activation("softmax"), (2, 3, 5)),
    Case("lambda", lambda m: m.Lambda(square_plus_one), (2, 3)),
    Case("identity", lambda m: m.Identity(), (2, 3), grad=False),
    # reshaping
    Case("flatten", lambda m: m.Flatten(), (2, 3, 2, 2)),
    Case("flatten_channels_first", lambda m: m.Flatten(data_format="channels_first"), (2, 3, 2, 2)),
    Case("reshape", lambda m: m.Reshape((2, -1)), (2, 3, 4), sym_shapes=(3, 4)),
    Case("reshape_unknown", lambda m: m.Reshape((-1, 2)), (2, 3, 4), grad=False, sym_shapes=(None, 4)),
    Case("permute", lambda m: m.Permute((2, 1)), (2, 3, 4)),
    Case("permute3", lambda m: m.Permute((3, 1, 2)), (2, 3, 2, 2)),
    Case("repeat_vector", lambda m: m.RepeatVector(3), (2, 4)),
    Case("zero_padding2d", lambda m: m.ZeroPadding2D(((1, 2), (0, 1))), (2, 3, 2, 2)),
    Case("zero_padding2d_cf", lambda m: m.ZeroPadding2D(1, data_format="channels_first"), (1, 2, 2, 3)),
    Case("zero_padding1d", lambda m: m.ZeroPadding1D((2, 1)), (2, 3, 2)),
    Case("up_sampling2d", lambda m: m.UpSampling2D((2, 3)), (1, 2, 2, 2)),
    Case("up_sampling2d_bilinear", lambda m: m.UpSampling2D(2, interpolation="bilinear"), (1, 3, 2, 2)),
    Case("up_sampling1d", lambda m: m.UpSampling1D(3), (2, 2, 3)),
    Case("cropping2d", lambda m: m.Cropping2D(((1, 0), (1, 2))), (2, 4, 5, 2)),
    Case("cropping1d", lambda m: m.Cropping1D((1, 2)), (2, 5, 2)),
    # regularization: identities outside training
    Case("dropout", lambda m: m.Dropout(0.5), (2, 3), grad=False, deterministic=False),
    Case("spatial_dropout1d", lambda m: m.SpatialDropout1D(0.5), (2, 3, 4), grad=False, deterministic=False),
    Case("spatial_dropout2d", lambda m: m.SpatialDropout2D(0.5), (2, 3, 3, 4), grad=False,
         deterministic=False),
    Case("gaussian_noise", lambda m: m.GaussianNoise(0.1), (2, 3), grad=False, deterministic=False),
    Case("gaussian_dropout", lambda m: m.GaussianDropout(0.3), (2, 3), grad=False, deterministic=False),
    Case("activity_regularization", lambda m: m.ActivityRegularization(0.01, 0.02), (2, 3), grad=False),
    # merging
    Case("add", lambda m: m.Add(), [(3, 4), (3, 4), (3, 4)]),
    Case("add_broadcast_rank", lambda m: m.Add(), [(2, 3), (2, 4, 3)]),
    Case("subtract", lambda m: m.Subtract(), [(3, 4), (3, 4)]),
    Case("multiply", lambda m: m.Multiply(), [(3, 4), (3, 4)]),
    Case("average", lambda m: m.Average(), [(3, 4), (3, 4), (3, 4)]),
    Case("maximum", lambda m: m.Maximum(), [(3, 4), (3, 4)]),
    Case("minimum", lambda m: m.Minimum(), [(3, 4), (3, 4)]),
    Case("concatenate", lambda m: m.Concatenate(), [(2, 3), (2, 4)]),
    Case("concatenate_axis1", lambda m: m.Concatenate(axis=1), [(2, 3, 2), (2, 1, 2)],
         sym_shapes=[(None, 2), (1, 2)]),
    Case("dot", lambda m: m.Dot(axes=1), [(3, 4), (3, 4)]),
    Case("dot_normalize", lambda m: m.Dot(axes=1, normalize=True), [(3, 4), (3, 4)]),
    Case("dot_3d", lambda m: m.Dot(axes=(1, 2)), [(2, 3, 2), (2, 4, 3)]),
    Case("dot_4d", lambda m: m.Dot(axes=(2, 1)), [(2, 3, 2), (2, 2, 2, 3)]),
    Case("dot_neg_axes", lambda m: m.Dot(axes=-1, normalize=True), [(2, 3, 4), (2, 2, 4)]),
    # preprocessing
    Case("rescaling", lambda m: m.Rescaling(1 / 255.0, offset=-1.0), (2, 3)),
    Case("normalization_fixed", lambda m: m.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 0.5]),
         (2, 3)),
    Case("resizing", lambda m: m.Resizing(5, 3), (1, 3, 4, 2)),
    Case("resizing_nearest", lambda m: m.Resizing(2, 7, interpolation="nearest"), (1, 3, 4, 2)),
    Case("resizing_crop", lambda m: m.Resizing(4, 4, crop_to_aspect_ratio=True), (1, 3, 5, 1)),
    Case("resizing_pad", lambda m: m.Resizing(4, 4, pad_to_aspect_ratio=True), (1, 3, 5, 1), grad=False),
    Case("center_crop", lambda m: m.CenterCrop(2, 3), (2, 4, 5, 1)),
    Case("center_crop_up", lambda m: m.CenterCrop(5, 4), (1, 3, 4, 1)),
    # activation layers
    Case("relu", lambda m: m.ReLU(), (3, 4)),
    Case("relu_options", lambda m: m.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.3), (3, 4)),
    Case("leaky_relu", lambda m: m.LeakyReLU(), (3, 4)),
    Case("leaky_relu_slope", lambda m: m.LeakyReLU(negative_slope=0.05), (3, 4)),
    Case("softmax", lambda m: m.Softmax(), (2, 5)),
    Case("softmax_axis", lambda m: m.Softmax(axis=1), (2, 3, 4)),
    Case("softmax_axes", lambda m: m.Softmax(axis=(1, 2)), (2, 3, 2)),
    Case("elu", lambda m: m.ELU(alpha=0.5), (3, 4)),
    Case("prelu", lambda m: m.PReLU(alpha_initializer="random_uniform"), (2, 3, 2)),
    Case("prelu_shared", lambda m: m.PReLU(alpha_initializer="random_uniform", shared_axes=[1, 2]),
         (2, 3, 2, 2)),
]
IDS = [c.id for c in CASES]


def make_inputs(case, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    shapes = case.shapes if case.multi else [case.shapes]
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return arrays if case.multi else arrays[0]


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def to_numpy(t):
    return keras.ops.convert_to_numpy(t)


def keras_and_ours(case, x):
    """The Keras layer called once on x, and ours called on x with Keras' weights copied in."""
    theirs = case.make(K)
    theirs(x)
    ours = case.make(L)
    ours(x)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


# --------------------------------------------------------------------------- parity


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_matches_keras(case):
    x = make_inputs(case)
    theirs, ours = keras_and_ours(case, x)
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.name for w in theirs.weights]
    modes = (False, True) if case.deterministic else (False,)
    for training in modes:
        expected = to_numpy(theirs(x, training=training))
        got = ours(x, training=training)
        assert got.dtype == np.float32
        assert got.shape == expected.shape
        np.testing.assert_allclose(got.numpy(), expected, atol=ATOL, rtol=1e-5,
                                   err_msg=f"{case.id} training={training}")
    # the default call is inference
    np.testing.assert_allclose(ours(x).numpy(), to_numpy(theirs(x)), atol=ATOL, rtol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symbolic_output_shape_matches_keras(case):
    shapes = case.sym_shapes or ([s[1:] for s in case.shapes] if case.multi else case.shapes[1:])
    if case.multi:
        expected = case.make(K)([keras.Input(shape=s) for s in shapes]).shape
        got = case.make(L)([L.Input(shape=s) for s in shapes]).shape
    else:
        expected = case.make(K)(keras.Input(shape=shapes)).shape
        got = case.make(L)(L.Input(shape=shapes)).shape
    assert tuple(got) == tuple(expected)


def _plain(value):
    """A config value as plain JSON-like data (tuples as lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_get_config_matches_keras_and_round_trips(case):
    theirs, ours = case.make(K), case.make(L)
    expected, got = _plain(theirs.get_config()), _plain(ours.get_config())
    assert set(got) == set(expected)
    for key in set(expected) - {"name", "dtype"}:
        e, g = expected[key], got[key]
        if isinstance(e, dict) and "class_name" in e and "config" in e:  # initializers
            assert (g["class_name"], g["config"]) == (e["class_name"], e["config"]), key
        else:
            assert g == e, key
    config = ours.get_config()
    # A named function is found through custom_objects, never by importing its module.
    kwargs = {"custom_objects": {"square_plus_one": square_plus_one}} if isinstance(ours, L.Lambda) else {}
    clone = type(ours).from_config(config, **kwargs)
    assert _plain(clone.get_config()) == _plain(config)


# --------------------------------------------------------------------------- gradients


def gradcheck_layer(layer, x, training=None):
    """gradcheck of layer(x) with respect to the inputs and every trainable weight (float64).

    The weights are passed as tensors by swapping them into the layer's
    attributes for the duration of each call.
    """
    inputs = list(x) if isinstance(x, list) else [x]
    layer(x)  # build
    weights = layer.trainable_weights
    attrs = [[k for k, v in vars(layer).items() if v is w] for w in weights]
    assert all(attrs), "every weight is held by an attribute of the layer"
    n = len(inputs)

    def fn(*tensors):
        saved = {}
        for names, t in zip(attrs, tensors[n:]):
            for k in names:
                saved[k] = getattr(layer, k)
                setattr(layer, k, t)
        try:
            xs = list(tensors[:n])
            return layer(xs if isinstance(x, list) else xs[0], training=training)
        finally:
            for k, v in saved.items():
                setattr(layer, k, v)

    assert dg.gradcheck(fn, *inputs, *[w.data.copy() for w in weights])


GRAD_CASES = [c for c in CASES if c.grad]


class Float64Layers:
    """deepgrad's layers module with dtype='float64' passed to every layer."""

    def __getattr__(self, name):
        return functools.partial(getattr(L, name), dtype="float64")


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.id for c in GRAD_CASES])
def test_gradcheck_float64(case):
    layer = case.make(Float64Layers())
    gradcheck_layer(layer, make_inputs(case, dtype="float64", seed=1))


def test_gradcheck_dense_sees_weights():
    layer = L.Dense(3, activation="sigmoid", bias_initializer="random_normal", dtype="float64")
    x = np.random.default_rng(0).standard_normal((2, 4))
    layer(x)
    assert layer.kernel.dtype == np.float64 and layer.bias.dtype == np.float64
    gradcheck_layer(layer, x)


# --------------------------------------------------------------------------- Dense specifics


def test_dense_acts_on_last_axis_of_any_rank():
    x = L.Input(shape=(28, 28))
    assert L.Dense(128)(x).shape == (None, 28, 128)
    layer = L.Dense(5)
    y = layer(np.ones((2, 3, 4, 6), dtype="float32"))
    assert y.shape == (2, 3, 4, 5)
    assert layer.kernel.shape == (6, 5) and layer.bias.shape == (5,)
    assert layer.input_spec.min_ndim == 2 and layer.input_spec.axes == {-1: 6}


def test_dense_wrong_input_shape_names_layer_and_shapes():
    layer = L.Dense(3, name="classifier")
    layer(np.ones((2, 4), dtype="float32"))
    with pytest.raises(ValueError) as info:
        layer(np.ones((2, 5), dtype="float32"))
    message = str(info.value)
    assert "classifier" in message and "4" in message and "(2, 5)" in message
    with pytest.raises(ValueError, match="classifier"):
        layer(L.Input(shape=(7,)))
    with pytest.raises(ValueError, match="min_ndim=2"):
        L.Dense(3)(np.ones((4,), dtype="float32"))


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="units=0"):
        L.Dense(0)


def test_dense_activity_regularizer_loss_matches_keras():
    x = randn(4, 3)
    theirs = K.Dense(2, activity_regularizer="l2")
    theirs(x)
    ours = L.Dense(2, activity_regularizer="l2")
    ours(x)
    ours.set_weights(theirs.get_weights())
    ours(x)
    theirs_losses = [float(to_numpy(v)) for v in theirs.losses]
    np.testing.assert_allclose([float(v.numpy()) for v in ours.losses], theirs_losses, rtol=1e-5)


def test_weight_regularizer_losses_match_keras_and_config_keeps_them():
    x = randn(4, 3)
    make = lambda m: m.Dense(2, kernel_regularizer="l2", bias_regularizer="l1",  # noqa: E731
                             bias_initializer="random_normal", activity_regularizer="l1")
    theirs, ours = make(K), make(L)
    theirs(x)
    ours(x)
    ours.set_weights(theirs.get_weights())
    ours(x)
    np.testing.assert_allclose(sorted(float(v.numpy()) for v in ours.losses),
                               sorted(float(to_numpy(v)) for v in theirs.losses), rtol=1e-5)
    config, expected = ours.get_config(), theirs.get_config()
    assert set(config) == set(expected)
    for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
        assert config[key]["class_name"] == expected[key]["class_name"]
        assert config[key]["config"] == pytest.approx(expected[key]["config"])
    clone = L.Dense.from_config(config)
    assert clone.activity_regularizer is not None and clone.kernel_regularizer is not None


def test_activity_regularization_loss_matches_keras():
    x = randn(4, 3)
    theirs, ours = K.ActivityRegularization(0.1, 0.2), L.ActivityRegularization(0.1, 0.2)
    theirs(x)
    ours(x)
    np.testing.assert_allclose([float(v.numpy()) for v in ours.losses],
                               [float(to_numpy(v)) for v in theirs.losses], rtol=1e-5)


def test_lambda_arguments_training_and_output_shape():
    layer = L.Lambda(lambda x, k, training=None: x * (k if training else 1.0), arguments={"k": 3.0})
    x = np.ones((2, 2), dtype="float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), 3 * x)
    sliced = L.Lambda(lambda x: x[:, :2], output_shape=(2,))
    assert sliced(L.Input(shape=(5,))).shape == (None, 2)
    assert L.Lambda(lambda x: x[:, :2])(L.Input(shape=(5,))).shape == (None, 2)


def test_lambda_config_of_a_python_lambda_needs_unsafe_mode():
    layer = L.Lambda(lambda x: x + 2.0)
    with pytest.raises(ValueError, match="safe_mode"):
        L.Lambda.from_config(layer.get_config())
    clone = L.Lambda.from_config(layer.get_config(), safe_mode=False)
    np.testing.assert_array_equal(clone(np.zeros((1, 2), dtype="float32")).numpy(), [[2.0, 2.0]])


# --------------------------------------------------------------------------- Dropout and noise


def test_dropout_is_identity_outside_training():
    x = np.random.default_rng(0).standard_normal((8, 16)).astype("float32")
    for layer in (L.Dropout(0.5), L.SpatialDropout1D(0.5), L.GaussianNoise(0.5), L.GaussianDropout(0.5)):
        arr = x.reshape(8, 4, 4) if isinstance(layer, L.SpatialDropout1D) else x
        np.testing.assert_array_equal(layer(arr).numpy(), arr)
        np.testing.assert_array_equal(layer(arr, training=False).numpy(), arr)


def test_dropout_in_training_drops_the_rate_and_scales_the_rest():
    backend.set_seed(0)
    rate = 0.3
    y = L.Dropout(rate)(np.ones((200, 100), dtype="float32"), training=True).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / (1 - rate))}
    assert abs((y == 0).mean() - rate) < 0.02
    assert abs(y.mean() - 1.0) < 0.03


def test_dropout_gradient_is_the_mask():
    x = dg.Tensor(np.random.default_rng(1).uniform(1, 2, (20, 10)), requires_grad=True)
    y = L.Dropout(0.5, seed=1, dtype="float64")(x, training=True)
    y.sum().backward()
    mask = y.numpy() / x.numpy()
    assert set(np.round(np.unique(mask), 6)) == {0.0, 2.0}
    np.testing.assert_allclose(x.grad.numpy(), mask)


def test_dropout_seeded_reproducible_and_fresh_per_call():
    x = np.ones((10, 50), dtype="float32")
    a, b = L.Dropout(0.5, seed=7), L.Dropout(0.5, seed=7)
    first_a, first_b = a(x, training=True).numpy(), b(x, training=True).numpy()
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(a(x, training=True).numpy(), first_a)  # a new mask every step
    backend.set_seed(3)
    u1 = L.Dropout(0.5)(x, training=True).numpy()
    backend.set_seed(3)
    u2 = L.Dropout(0.5)(x, training=True).numpy()
    np.testing.assert_array_equal(u1, u2)


def test_dropout_noise_shape_and_spatial_dropout_share_the_mask():
    backend.set_seed(0)
    x = np.ones((4, 6, 8), dtype="float32")
    y = L.Dropout(0.5, noise_shape=(None, 1, 8))(x, training=True).numpy()
    assert (y == y[:, :1, :]).all() and 0 < (y == 0).mean() < 1
    y = L.SpatialDropout1D(0.5)(x, training=True).numpy()
    assert (y == y[:, :1, :]).all() and 0 < (y == 0).mean() < 1
    img = np.ones((4, 3, 3, 8), dtype="float32")
    y = L.SpatialDropout2D(0.5)(img, training=True).numpy()
    assert (y == y[:, :1, :1, :]).all() and set(np.unique(y)) == {0.0, 2.0}


def test_gaussian_noise_and_dropout_statistics_in_training():
    backend.set_seed(0)
    x = np.full((400, 100), 2.0, dtype="float32")
    noisy = L.GaussianNoise(0.5)(x, training=True).numpy()
    assert abs((noisy - x).mean()) < 0.01 and abs((noisy - x).std() - 0.5) < 0.01
    rate = 0.2
    scaled = L.GaussianDropout(rate)(x, training=True).numpy() / x
    assert abs(scaled.mean() - 1) < 0.01 and abs(scaled.std() - np.sqrt(rate / (1 - rate))) < 0.01
    t = dg.Tensor(np.ones((3, 4)), requires_grad=True)
    L.GaussianNoise(0.1, dtype="float64")(t, training=True).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones((3, 4)))


def test_regularization_argument_errors():
    with pytest.raises(ValueError, match="rate=1.5"):
        L.Dropout(1.5)
    with pytest.raises(ValueError, match="stddev"):
        L.GaussianNoise(-0.1)


# --------------------------------------------------------------------------- merging errors


@pytest.mark.parametrize("cls", ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"])
def test_elementwise_merge_incompatible_shapes_name_the_layer(cls):
    layer = getattr(L, cls)(name=f"my_{cls.lower()}")
    with pytest.raises(ValueError) as info:
        layer([np.ones((2, 3), dtype="float32"), np.ones((2, 4), dtype="float32")])
    assert f"my_{cls.lower()}" in str(info.value) and "(2, 3)" in str(info.value)
    with pytest.raises(ValueError, match=f"my_{cls.lower()}_sym"):
        getattr(L, cls)(name=f"my_{cls.lower()}_sym")([L.Input(shape=(3,)), L.Input(shape=(4,))])


def test_merge_errors_name_the_layer():
    with pytest.raises(ValueError, match="cat.*axis 1"):
        L.Concatenate(name="cat")([L.Input(shape=(3, 2)), L.Input(shape=(4, 2))])
    with pytest.raises(ValueError, match="cat2"):
        L.Concatenate(name="cat2")([np.ones((2, 3)), np.ones((3, 3))])
    with pytest.raises(ValueError, match="dotty.*4.*5"):
        L.Dot(axes=1, name="dotty")([L.Input(shape=(4,)), L.Input(shape=(5,))])
    with pytest.raises(ValueError, match="sub.*exactly 2"):
        L.Subtract(name="sub")([np.ones((2, 3))] * 3)
    with pytest.raises(ValueError, match="adder.*list"):
        L.Add(name="adder")(np.ones((2, 3)))
    layer = L.Add(name="later")
    layer([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="later"):
        layer([np.ones((2, 3)), np.ones((2, 5))])


def test_functional_merge_forms():
    a, b = L.Input(shape=(3,)), L.Input(shape=(3,))
    assert L.concatenate([a, b]).shape == (None, 6)
    assert L.add([a, b]).shape == (None, 3)
    assert L.subtract([a, b]).shape == (None, 3)
    assert L.multiply([a, b]).shape == (None, 3)
    assert L.average([a, b]).shape == (None, 3)
    assert L.maximum([a, b]).shape == (None, 3)
    assert L.minimum([a, b]).shape == (None, 3)
    assert L.dot([a, b], axes=1).shape == (None, 1)
    x, y = np.ones((2, 3), dtype="float32"), np.full((2, 3), 2.0, dtype="float32")
    np.testing.assert_array_equal(L.dot([x, y], axes=1).numpy(), [[6.0], [6.0]])


# --------------------------------------------------------------------------- preprocessing


def test_normalization_adapt_matches_keras():
    data = (np.random.default_rng(0).standard_normal((64, 3)) * [1, 3, 0.5] + [0, 5, -1]).astype("float32")
    for axis in (-1, None):
        theirs, ours = K.Normalization(axis=axis), L.Normalization(axis=axis)
        theirs.adapt(data)
        ours.adapt(data)
        for t, o in zip(theirs.get_weights(), ours.get_weights()):
            np.testing.assert_allclose(o, t, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ours(data).numpy(), to_numpy(theirs(data)), atol=ATOL)
    batched = L.Normalization()
    batched.adapt([data[:20], data[20:]])
    np.testing.assert_allclose(batched.get_weights()[0], data.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(batched.get_weights()[1], data.var(0), rtol=1e-4)
    np.testing.assert_allclose(batched.mean.numpy(), data.mean(0, keepdims=True), rtol=1e-5, atol=1e-6)
    # weights copied from Keras drive the output
    theirs, ours = K.Normalization(), L.Normalization()
    theirs.adapt(data)
    ours(data)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(data).numpy(), to_numpy(theirs(data)), atol=ATOL)


def test_small_norms_and_variances_use_keras_epsilon():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype("float32")
    x[1] *= 1e-3
    x[2] = 0.0
    y = rng.standard_normal((3, 4)).astype("float32")
    np.testing.assert_allclose(L.Dot(axes=1, normalize=True)([x, y]).numpy(),
                               to_numpy(K.Dot(axes=1, normalize=True)([x, y])), atol=ATOL)
    data = rng.standard_normal((32, 2)).astype("float32") * [1.0, 1e-3]
    theirs, ours = K.Normalization(), L.Normalization()
    theirs.adapt(data)
    ours.adapt(data)
    np.testing.assert_allclose(ours(data).numpy(), to_numpy(theirs(data)), atol=1e-4)


def test_normalization_invert_round_trips():
    data = np.random.default_rng(0).standard_normal((10, 2)).astype("float32") * 4 + 3
    norm, inv = L.Normalization(), L.Normalization(invert=True)
    norm.adapt(data)
    inv.adapt(data)
    np.testing.assert_allclose(inv(norm(data)).numpy(), data, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- more errors and options


def test_reshape_and_cropping_errors_name_the_layer():
    with pytest.raises(ValueError, match="reshaper.*target_shape"):
        L.Reshape((5,), name="reshaper")(np.ones((2, 3, 4), dtype="float32"))
    with pytest.raises(ValueError, match="reshaper2"):
        L.Reshape((5, -1), name="reshaper2")(L.Input(shape=(3, 4)))
    with pytest.raises(ValueError, match="at most one"):
        L.Reshape((-1, -1))
    with pytest.raises(ValueError, match="cropper"):
        L.Cropping2D(2, name="cropper")(L.Input(shape=(4, 8, 1)))
    with pytest.raises(ValueError, match="crop1"):
        L.Cropping1D((2, 3), name="crop1")(np.ones((1, 5, 2), dtype="float32"))
    with pytest.raises(ValueError, match="Permute"):
        L.Permute((1, 3))


def test_softmax_mask_matches_keras():
    x = randn(2, 5)
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], dtype=bool)
    expected = to_numpy(K.Softmax()(x, mask=mask))
    got = L.Softmax()(x, mask=mask).numpy()
    np.testing.assert_allclose(got, expected, atol=ATOL)
    assert (got[~mask] == 0).all()


def test_relu_argument_errors():
    with pytest.raises(ValueError, match="max_value=-1"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope=-0.1"):
        L.LeakyReLU(negative_slope=-0.1)


def test_layer_names_follow_keras():
    for cls, name in [(L.UpSampling2D, "up_sampling2d"), (L.ZeroPadding1D, "zero_padding1d"),
                      (L.ReLU, "re_lu"), (L.PReLU, "p_re_lu"), (L.SpatialDropout2D, "spatial_dropout2d")]:
        layer = cls(0.5) if "dropout" in name else cls()
        assert re.sub(r"_\d+$", "", layer.name) == name
