"""Convolution and pooling layers against Keras 3 (PyTorch backend) as the oracle.

Each case builds the same layer in Keras and in deepgrad, gives Keras' layer
random weights, copies them with set_weights(keras_layer.get_weights()), and
compares outputs on the same float32 input (atol 1e-5), symbolic output
shapes, parameter counts and configs. Gradients with respect to the input and
every weight are checked by central differences in float64 on tiny shapes.
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


def make_pair(name, input_shape, *args, seed=0, **kwargs):
    """The Keras and deepgrad layers `name`, built for `input_shape`, with the same random weights."""
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    ours = getattr(layers, name)(*args, **kwargs)
    theirs.build(input_shape)
    ours.build(input_shape)
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(-0.5, 0.5, size=w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def assert_same_output(theirs, ours, x, atol=1e-5, **call_kwargs):
    expected = to_numpy(theirs(x, **call_kwargs))
    got = ours(x, **call_kwargs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), expected, atol=atol, rtol=1e-5)


def assert_same_symbolic_shape(name, shape, *args, **kwargs):
    expected = getattr(keras.layers, name)(*args, **kwargs)(keras.Input(shape)).shape
    got = getattr(layers, name)(*args, **kwargs)(layers.Input(shape)).shape
    assert tuple(got) == tuple(expected)


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


def rand(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


# ---------------------------------------------------------------------------- forward parity

CONV2D_CASES = [
    dict(filters=4, kernel_size=3),
    dict(filters=4, kernel_size=3, strides=2),
    dict(filters=4, kernel_size=3, strides=2, padding="same"),
    dict(filters=5, kernel_size=(3, 2), padding="same"),
    dict(filters=4, kernel_size=3, dilation_rate=2),
    dict(filters=4, kernel_size=3, dilation_rate=2, padding="same"),
    dict(filters=3, kernel_size=(2, 4), strides=(2, 3), padding="same", use_bias=False),
    dict(filters=4, kernel_size=3, activation="relu"),
    dict(filters=4, kernel_size=1),
    dict(filters=4, kernel_size=3, groups=2, padding="same"),
]


def with_channels(cases, channels):
    """(kwargs, c) for every case and channel count c that its `groups` divides."""
    return [pytest.param(k, c, id=f"c={c}," + ",".join(f"{a}={b}" for a, b in k.items()))
            for k in cases for c in channels if c % k.get("groups", 1) == 0]


@pytest.mark.parametrize("kwargs,channels", with_channels(CONV2D_CASES, [1, 3, 8]))
def test_conv2d_matches_keras(kwargs, channels):
    x = rand(2, 9, 7, channels)
    theirs, ours = make_pair("Conv2D", x.shape, **kwargs)
    assert_same_output(theirs, ours, x)
    assert ours.count_params() == theirs.count_params()


CONV1D_CASES = [
    dict(filters=4, kernel_size=3),
    dict(filters=4, kernel_size=3, strides=2),
    dict(filters=4, kernel_size=4, strides=2, padding="same"),
    dict(filters=4, kernel_size=3, padding="causal"),
    dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2),
    dict(filters=3, kernel_size=4, padding="causal", strides=2),
    dict(filters=2, kernel_size=5, dilation_rate=2, use_bias=False, activation="relu"),
    dict(filters=4, kernel_size=3, groups=2),
]


@pytest.mark.parametrize("kwargs,channels", with_channels(CONV1D_CASES, [1, 4]))
def test_conv1d_matches_keras(kwargs, channels):
    x = rand(3, 11, channels)
    theirs, ours = make_pair("Conv1D", x.shape, **kwargs)
    assert_same_output(theirs, ours, x)
    assert ours.count_params() == theirs.count_params()


TRANSPOSE_CASES = [
    dict(filters=4, kernel_size=3),
    dict(filters=4, kernel_size=3, strides=2),
    dict(filters=4, kernel_size=3, strides=2, padding="same"),
    dict(filters=4, kernel_size=4, strides=2, padding="same"),
    dict(filters=3, kernel_size=3, strides=2, padding="same", output_padding=1),
    dict(filters=3, kernel_size=3, strides=3, padding="valid", output_padding=(1, 2)),
    dict(filters=2, kernel_size=3, dilation_rate=2),
    dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"),
    dict(filters=4, kernel_size=(2, 3), strides=(1, 2), use_bias=False, activation="relu"),
]


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("kwargs", TRANSPOSE_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_conv2d_transpose_matches_keras(kwargs, channels):
    x = rand(2, 5, 4, channels)
    theirs, ours = make_pair("Conv2DTranspose", x.shape, **kwargs)
    assert_same_output(theirs, ours, x)
    assert ours.count_params() == theirs.count_params()


DEPTHWISE_CASES = [
    dict(kernel_size=3),
    dict(kernel_size=3, depth_multiplier=2),
    dict(kernel_size=3, strides=2, padding="same"),
    dict(kernel_size=(3, 2), dilation_rate=2, depth_multiplier=2),
    dict(kernel_size=3, use_bias=False, activation="relu", padding="same"),
]


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("kwargs", DEPTHWISE_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_depthwise_conv2d_matches_keras(kwargs, channels):
    x = rand(2, 8, 7, channels)
    theirs, ours = make_pair("DepthwiseConv2D", x.shape, **kwargs)
    assert_same_output(theirs, ours, x)
    assert ours.count_params() == theirs.count_params()


SEPARABLE_CASES = [
    dict(filters=4, kernel_size=3),
    dict(filters=4, kernel_size=3, depth_multiplier=2, padding="same"),
    dict(filters=2, kernel_size=3, strides=2, padding="same", activation="relu"),
    dict(filters=3, kernel_size=3, dilation_rate=2, use_bias=False),
]


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("kwargs", SEPARABLE_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_separable_conv2d_matches_keras(kwargs, channels):
    x = rand(2, 9, 8, channels)
    theirs, ours = make_pair("SeparableConv2D", x.shape, **kwargs)
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    assert_same_output(theirs, ours, x)
    assert ours.count_params() == theirs.count_params()


POOL2D_CASES = [
    ("MaxPooling2D", {}),
    ("MaxPooling2D", dict(pool_size=3, strides=2)),
    ("MaxPooling2D", dict(pool_size=(2, 3), padding="same")),
    ("MaxPooling2D", dict(pool_size=3, strides=1, padding="same")),
    ("AveragePooling2D", dict(pool_size=2)),
    ("AveragePooling2D", dict(pool_size=3, strides=2)),
    ("AveragePooling2D", dict(pool_size=(2, 3), padding="same")),
    ("AveragePooling2D", dict(pool_size=3, strides=1, padding="same")),
    ("MaxPooling1D", {}),
    ("MaxPooling1D", dict(pool_size=3, strides=1, padding="same")),
    ("AveragePooling1D", dict(pool_size=2)),
    ("AveragePooling1D", dict(pool_size=3, strides=2, padding="same")),
    ("GlobalAveragePooling2D", {}),
    ("GlobalAveragePooling2D", dict(keepdims=True)),
    ("GlobalMaxPooling2D", {}),
    ("GlobalMaxPooling2D", dict(keepdims=True)),
    ("GlobalAveragePooling1D", {}),
    ("GlobalAveragePooling1D", dict(keepdims=True)),
    ("GlobalMaxPooling1D", {}),
    ("GlobalMaxPooling1D", dict(keepdims=True)),
]


def tf_average_pool_same(x, pool, strides):
    """TensorFlow's 'same' average pooling (the mean over the real cells of each window), in NumPy."""
    sizes = x.shape[1:-1]
    out_sizes = [-(-n // s) for n, s in zip(sizes, strides)]
    pads = [max((o - 1) * s + p - n, 0) // 2 for n, o, s, p in zip(sizes, out_sizes, strides, pool)]
    out = np.zeros((x.shape[0], *out_sizes, x.shape[-1]), x.dtype)
    for index in np.ndindex(*out_sizes):
        window = tuple(slice(max(i * s - b, 0), min(i * s - b + p, n))
                       for i, s, b, p, n in zip(index, strides, pads, pool, sizes))
        out[(slice(None), *index)] = x[(slice(None), *window)].mean(axis=tuple(range(1, x.ndim - 1)))
    return out


def pads_asymmetrically(x, kwargs):
    pool = np.broadcast_to(kwargs.get("pool_size", 2), x.ndim - 2)
    strides = np.broadcast_to(kwargs.get("strides") or pool, x.ndim - 2)
    sizes = np.array(x.shape[1:-1])
    total = np.maximum((-(-sizes // strides) - 1) * strides + pool - sizes, 0)
    return bool(np.any(total % 2)), tuple(pool), tuple(strides)


@pytest.mark.parametrize("name,kwargs", POOL2D_CASES, ids=lambda v: str(v))
def test_pooling_matches_keras(name, kwargs):
    x = rand(2, 7, 5, 3) if "2D" in name else rand(2, 7, 3)
    theirs = getattr(keras.layers, name)(**kwargs)
    ours = getattr(layers, name)(**kwargs)
    odd, pool, strides = pads_asymmetrically(x, kwargs)
    if name.startswith("Average") and kwargs.get("padding") == "same" and odd:
        # Keras' torch backend pads unevenly 'same' windows by replicating the border
        # and averages those copies too; TensorFlow (and deepgrad) average the real cells only.
        np.testing.assert_allclose(ours(x).numpy(), tf_average_pool_same(x, pool, strides), atol=1e-6)
    else:
        assert_same_output(theirs, ours, x)
    assert_same_symbolic_shape(name, x.shape[1:], **kwargs)
    assert_same_symbolic_shape(name, (None,) * (x.ndim - 2) + (3,), **kwargs)
    config = ours.get_config()
    expected = theirs.get_config()
    assert set(config) == set(expected)
    for key in set(config) - {"name", "dtype"}:
        assert tuple(np.atleast_1d(config[key])) == tuple(np.atleast_1d(expected[key])), key


def test_global_average_pooling1d_mask_matches_keras():
    x = rand(3, 6, 2)
    mask = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1], [0, 1, 0, 1, 0, 1]], dtype=bool)
    theirs = keras.layers.GlobalAveragePooling1D()
    ours = layers.GlobalAveragePooling1D()
    assert_same_output(theirs, ours, x, mask=mask)


def test_pooling_aliases():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool2D is layers.AveragePooling2D
    assert layers.MaxPool1D is layers.MaxPooling1D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution1D is layers.Conv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


# ---------------------------------------------------------------------------- shapes, counts, configs

SHAPE_CASES = [
    ("Conv2D", (28, 28, 1), (32, 3), {}),
    ("Conv2D", (28, 28, 1), (32, 3), dict(strides=2, padding="same")),
    ("Conv2D", (27, 13, 3), (8, 5), dict(dilation_rate=2)),
    ("Conv2D", (None, None, 3), (8, 3), dict(strides=2)),
    ("Conv2D", (None, None, 3), (8, 3), dict(padding="same")),
    ("Conv1D", (100, 8), (16, 5), dict(padding="causal")),
    ("Conv1D", (None, 8), (16, 5), dict(strides=3)),
    ("Conv1D", (99, 8), (16, 4), dict(strides=2, padding="same")),
    ("Conv2DTranspose", (7, 7, 64), (32, 3), dict(strides=2, padding="same")),
    ("Conv2DTranspose", (7, 5, 4), (3, 3), dict(strides=2)),
    ("Conv2DTranspose", (7, 5, 4), (3, 4), dict(strides=3, output_padding=1)),
    ("Conv2DTranspose", (7, 5, 4), (3, 3), dict(strides=2, padding="same", output_padding=1)),
    ("Conv2DTranspose", (None, None, 4), (3, 3), dict(strides=2)),
    ("DepthwiseConv2D", (32, 31, 3), (3,), dict(depth_multiplier=2, strides=2)),
    ("SeparableConv2D", (32, 31, 3), (16, 3), dict(padding="same", depth_multiplier=3)),
]


@pytest.mark.parametrize("name,shape,args,kwargs", SHAPE_CASES, ids=lambda v: str(v))
def test_symbolic_shape_params_and_config_match_keras(name, shape, args, kwargs):
    assert_same_symbolic_shape(name, shape, *args, **kwargs)
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    ours = getattr(layers, name)(*args, **kwargs)
    concrete = (2,) + tuple(9 if s is None else s for s in shape)
    theirs.build(concrete)
    ours.build(concrete)
    assert ours.count_params() == theirs.count_params()
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.path.split("/")[-1] for w in theirs.weights]
    assert ours.compute_output_shape(concrete) == tuple(theirs.compute_output_shape(concrete))
    config, expected = ours.get_config(), theirs.get_config()
    assert list(config) == list(expected)
    for key in set(config) - {"name", "dtype"}:
        assert config[key] == expected[key], key
    rebuilt = type(ours).from_config(config)
    assert rebuilt.get_config() == config


def test_kernel_regularizer_penalty_matches_keras():
    theirs, ours = make_pair("Conv2D", (1, 5, 5, 2), 3, 3, kernel_regularizer="l2", bias_regularizer="l1")
    x = rand(1, 5, 5, 2)
    theirs(x)
    ours(x)
    expected = sorted(float(to_numpy(v)) for v in theirs.losses)
    got = sorted(float(v.numpy()) for v in ours.losses)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_conv2d_names_and_weight_order_match_keras():
    layer = layers.Conv2D(2, 3, name="c1")
    layer(np.zeros((1, 5, 5, 3), "float32"))
    assert [w.name for w in layer.weights] == ["c1/kernel", "c1/bias"]
    assert [w.name for w in layer.trainable_weights] == ["c1/kernel", "c1/bias"]
    assert layers.Conv2D(2, 3).name.startswith("conv2d")
    assert layers.DepthwiseConv2D(3).name.startswith("depthwise_conv2d")


# ---------------------------------------------------------------------------- gradients (float64)

GRAD_CASES = [
    ("Conv2D", (1, 5, 4, 2), dict(filters=3, kernel_size=3, padding="same", activation="tanh"), ["kernel", "bias"]),
    ("Conv2D", (2, 5, 5, 1), dict(filters=2, kernel_size=2, strides=2), ["kernel", "bias"]),
    ("Conv2D", (1, 6, 6, 2), dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"), ["kernel", "bias"]),
    ("Conv2D", (1, 4, 4, 4), dict(filters=2, kernel_size=2, groups=2), ["kernel", "bias"]),
    ("Conv1D", (2, 7, 2), dict(filters=3, kernel_size=3, padding="causal", dilation_rate=2), ["kernel", "bias"]),
    ("Conv1D", (1, 7, 2), dict(filters=2, kernel_size=3, strides=2, padding="same"), ["kernel", "bias"]),
    ("Conv2DTranspose", (1, 3, 3, 2), dict(filters=2, kernel_size=3, strides=2, padding="same"), ["kernel", "bias"]),
    ("Conv2DTranspose", (1, 3, 2, 2), dict(filters=2, kernel_size=3, strides=2, output_padding=1),
     ["kernel", "bias"]),
    ("DepthwiseConv2D", (1, 5, 5, 2), dict(kernel_size=3, depth_multiplier=2, padding="same"), ["kernel", "bias"]),
    ("DepthwiseConv2D", (1, 5, 5, 2), dict(kernel_size=2, strides=2), ["kernel", "bias"]),
    ("SeparableConv2D", (1, 5, 5, 2), dict(filters=3, kernel_size=3, depth_multiplier=2),
     ["depthwise_kernel", "pointwise_kernel", "bias"]),
    ("MaxPooling2D", (1, 5, 5, 2), dict(pool_size=2, padding="same"), []),
    ("MaxPooling2D", (1, 5, 5, 2), dict(pool_size=3, strides=1), []),
    ("AveragePooling2D", (1, 5, 5, 2), dict(pool_size=3, strides=2, padding="same"), []),
    ("MaxPooling1D", (2, 7, 2), dict(pool_size=3, strides=2), []),
    ("AveragePooling1D", (2, 7, 2), dict(pool_size=2, padding="same"), []),
    ("GlobalAveragePooling2D", (2, 3, 3, 2), {}, []),
    ("GlobalMaxPooling2D", (2, 3, 3, 2), dict(keepdims=True), []),
    ("GlobalAveragePooling1D", (2, 4, 3), {}, []),
    ("GlobalMaxPooling1D", (2, 4, 3), {}, []),
]


@pytest.mark.parametrize("name,shape,kwargs,weights", GRAD_CASES, ids=lambda v: str(v))
def test_gradients_by_central_differences(name, shape, kwargs, weights):
    layer = getattr(layers, name)(dtype="float64", **kwargs)
    x = np.random.default_rng(3).standard_normal(shape)
    layer(x)  # build
    rng = np.random.default_rng(4)
    for n in weights:  # non-zero biases, kernels of order 1
        getattr(layer, n).assign(rng.uniform(-1, 1, size=getattr(layer, n).shape))
    gradcheck_layer(layer, x, weights)


def test_trained_weights_receive_gradients_through_the_tape():
    layer = layers.Conv2D(2, 3, activation="relu", padding="same")
    x = dg.Tensor(rand(2, 5, 5, 1), requires_grad=True)
    layer(x)
    layer.bias.assign(np.full(2, 0.1, "float32"))
    loss = layer(x).sum()
    loss.backward()
    assert layer.kernel.grad.shape == (3, 3, 1, 2)
    assert layer.bias.grad.shape == (2,)
    assert x.grad.shape == x.shape


# ---------------------------------------------------------------------------- errors


def test_conv2d_on_a_3d_image_batch_says_the_channel_axis_is_missing():
    layer = layers.Conv2D(4, 3, name="my_conv")
    with pytest.raises(ValueError) as info:
        layer(np.zeros((8, 28, 28), "float32"))
    message = str(info.value)
    assert "my_conv" in message and "(8, 28, 28)" in message and "channel" in message


@pytest.mark.parametrize("name,args,shape", [
    ("DepthwiseConv2D", (3,), (8, 28, 28)),
    ("SeparableConv2D", (4, 3), (8, 28, 28)),
    ("Conv2DTranspose", (4, 3), (8, 28, 28)),
    ("Conv1D", (4, 3), (8, 28)),
    ("MaxPooling2D", (), (8, 28, 28)),
    ("GlobalAveragePooling2D", (), (8, 28, 28)),
])
def test_wrong_rank_errors_name_the_layer_and_shape(name, args, shape):
    layer = getattr(layers, name)(*args, name="the_layer")
    with pytest.raises(ValueError) as info:
        layer(np.zeros(shape, "float32"))
    assert "the_layer" in str(info.value) and str(shape) in str(info.value)


def test_channel_count_change_after_build_is_rejected():
    layer = layers.Conv2D(4, 3, name="c")
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="axis -1"):
        layer(np.zeros((1, 5, 5, 2), "float32"))


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(4, 3, data_format="channels_first"),
    lambda: layers.MaxPooling2D(data_format="channels_first"),
    lambda: layers.GlobalAveragePooling2D(data_format="channels_first"),
])
def test_channels_first_is_refused_clearly(make):
    with pytest.raises(ValueError, match="channels_last"):
        make()


@pytest.mark.parametrize("make,match", [
    (lambda: layers.Conv2D(0, 3), "filters"),
    (lambda: layers.Conv2D(4, 0), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
    (lambda: layers.Conv2D(4, 3, padding="causal"), "padding"),
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: layers.Conv2D(5, 3, groups=2), "groups"),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
    (lambda: layers.MaxPooling2D(pool_size=(2, 2, 2)), "pool_size"),
])
def test_bad_arguments_raise_with_the_received_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_output_size_zero_is_an_error_naming_the_layer():
    with pytest.raises(ValueError, match="conv_small"):
        layers.Conv2D(2, 5, name="conv_small")(np.zeros((1, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="pool_small"):
        layers.MaxPooling2D(4, name="pool_small")(layers.Input((3, 3, 1)))
