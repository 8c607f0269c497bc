"""ONNX export: every exported layer, and the tutorials' models, against model.predict under onnxruntime."""
import os
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from deepgrad import keras  # noqa: E402
from deepgrad.keras import layers  # noqa: E402

ATOL = RTOL = 1e-5
MAX_DIFFERENCE = [0.0]  # the largest |onnx - predict| seen, printed at the end with -s


@pytest.fixture(scope="module", autouse=True)
def report_max_difference():
    yield
    print(f"\nlargest |onnxruntime - predict| over the module: {MAX_DIFFERENCE[0]:.3g}")


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)


def _randomize(model, seed=0):
    """Random values for the weights that start constant (biases, PReLU slopes, BatchNorm's gamma, beta
    and moving statistics, variances positive); kernels keep their random initial values."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        value = np.asarray(w.numpy())
        if value.size and np.ptp(value) > 0:
            continue
        if "variance" in w.name:
            w.assign(rng.uniform(0.5, 2.0, value.shape).astype("float32"))
        else:
            w.assign(rng.normal(0.0, 0.5, value.shape).astype("float32"))
    return model


def _export(model, path, **kwargs):
    """Export, check the file with ONNX's shape inference, open it in onnxruntime."""
    model.export(str(path), format="onnx", verbose=False, **kwargs)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _run(session, inputs):
    return session.run(None, {i.name: x for i, x in zip(session.get_inputs(), inputs)})


def _check(model, inputs, tmp_path, **kwargs):
    """Export `model`, run it on `inputs` (a list, one per model input), compare with predict."""
    session = _export(model, tmp_path / "model.onnx", **kwargs)
    expected = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
    actual = _run(session, inputs)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        e = np.asarray(e)
        assert a.shape == e.shape
        MAX_DIFFERENCE[0] = max(MAX_DIFFERENCE[0], float(np.max(np.abs(a - e), initial=0.0)))
        np.testing.assert_allclose(a, e, atol=ATOL, rtol=RTOL)
    return session


def _data(*shape, seed=1):
    return np.random.default_rng(seed).normal(0.0, 1.0, shape).astype("float32")


def _single(layer, input_shape, data=None, tmp_path=None, **kwargs):
    inputs = keras.Input(input_shape)
    model = _randomize(keras.Model(inputs, layer(inputs)))
    return _check(model, [_data(3, *input_shape) if data is None else data], tmp_path, **kwargs)


# ---------------------------------------------------------------------------- layers one by one

ACTIVATIONS = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid",
               "hard_silu", "silu", "swish", "mish", "tanh", "softplus", "softsign", "exponential",
               "softmax", "log_softmax"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_activation(activation, tmp_path):
    _single(layers.Dense(6, activation=activation), (5,), data=_data(4, 5) * 3, tmp_path=tmp_path)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "softmax", "elu"])
def test_activation_layer_after_conv(activation, tmp_path):
    inputs = keras.Input((6, 6, 3))
    x = layers.Conv2D(4, 3)(inputs)
    model = _randomize(keras.Model(inputs, layers.Activation(activation)(x)))
    _check(model, [_data(2, 6, 6, 3)], tmp_path)


@pytest.mark.parametrize("layer", [
    layers.ReLU(), layers.ReLU(max_value=0.5), layers.ReLU(negative_slope=0.1),
    layers.ReLU(threshold=0.3, negative_slope=0.2, max_value=1.5), layers.ReLU(threshold=0.3),
    layers.LeakyReLU(), layers.LeakyReLU(negative_slope=0.05), layers.ELU(alpha=0.7), layers.PReLU(),
    layers.Softmax(), layers.Softmax(axis=1),
], ids=lambda layer: type(layer).__name__)
def test_activation_layers(layer, tmp_path):
    _single(layer, (4, 5), tmp_path=tmp_path)


def test_dense_rank3_and_no_bias(tmp_path):
    inputs = keras.Input((4, 5))
    x = layers.Dense(3, activation="tanh")(inputs)
    model = _randomize(keras.Model(inputs, layers.Dense(2, use_bias=False)(x)))
    _check(model, [_data(3, 4, 5)], tmp_path)


@pytest.mark.parametrize("kwargs", [
    dict(padding="valid"), dict(padding="same"), dict(padding="causal"), dict(strides=2),
    dict(strides=2, padding="same"), dict(dilation_rate=2, padding="same"), dict(groups=2),
    dict(activation="relu", use_bias=False),
], ids=str)
def test_conv1d(kwargs, tmp_path):
    _single(layers.Conv1D(4, 3, **kwargs), (11, 4), tmp_path=tmp_path)


@pytest.mark.parametrize("kwargs", [
    dict(padding="valid"), dict(padding="same"), dict(strides=2), dict(strides=2, padding="same"),
    dict(strides=(1, 3), padding="same"), dict(dilation_rate=(2, 1), padding="same"), dict(groups=3),
    dict(activation="relu"), dict(kernel_size=(1, 2), use_bias=False),
], ids=str)
def test_conv2d(kwargs, tmp_path):
    kwargs = {"kernel_size": 3, **kwargs}
    _single(layers.Conv2D(6, **kwargs), (7, 8, 3), tmp_path=tmp_path)


def test_open_spatial_sizes(tmp_path):
    inputs = keras.Input((None, None, 2))
    x = layers.Conv2D(3, 3, padding="same", activation="relu")(inputs)
    model = _randomize(keras.Model(inputs, layers.GlobalMaxPooling2D()(layers.MaxPooling2D()(x))))
    session = _export(model, tmp_path / "model.onnx")
    name = model.inputs[0].node.layer.name
    assert session.get_inputs()[0].shape == ["N", f"{name}_dim1", f"{name}_dim2", 2]
    for size in (5, 8):
        x = _data(2, size, size + 1, 2)
        np.testing.assert_allclose(_run(session, [x])[0], model.predict(x, verbose=0), atol=ATOL, rtol=RTOL)
    strided = keras.Model(inputs, layers.Conv2D(3, 3, strides=2, padding="same", name="strided")(inputs))
    with pytest.raises(ValueError, match="'strided'.*needs the size of spatial axis 1"):
        strided.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)


@pytest.mark.parametrize("kwargs", [dict(), dict(strides=2, padding="same", depth_multiplier=2)], ids=str)
def test_depthwise_conv2d(kwargs, tmp_path):
    _single(layers.DepthwiseConv2D(3, **kwargs), (7, 7, 3), tmp_path=tmp_path)


def test_separable_conv2d(tmp_path):
    _single(layers.SeparableConv2D(5, 3, padding="same", depth_multiplier=2, activation="relu"), (6, 6, 3),
            tmp_path=tmp_path)


@pytest.mark.parametrize("layer", [
    layers.MaxPooling2D(), layers.MaxPooling2D(3, strides=2, padding="same"),
    layers.AveragePooling2D(), layers.AveragePooling2D((2, 3), strides=2, padding="same"),
    layers.MaxPooling1D(), layers.MaxPooling1D(3, strides=2, padding="same"),
    layers.AveragePooling1D(), layers.AveragePooling1D(3, strides=2, padding="same"),
], ids=lambda layer: f"{type(layer).__name__}-{layer.padding}-{layer.pool_size}")
def test_pooling(layer, tmp_path):
    _single(layer, (7, 9, 2) if layer.rank == 2 else (9, 2), tmp_path=tmp_path)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("cls,shape", [
    (layers.GlobalAveragePooling2D, (5, 6, 3)), (layers.GlobalMaxPooling2D, (5, 6, 3)),
    (layers.GlobalAveragePooling1D, (7, 3)), (layers.GlobalMaxPooling1D, (7, 3)),
])
def test_global_pooling(cls, shape, keepdims, tmp_path):
    _single(cls(keepdims=keepdims), shape, tmp_path=tmp_path)


@pytest.mark.parametrize("opset", [13, 18])
def test_global_pooling_after_conv_in_other_opsets(opset, tmp_path):
    inputs = keras.Input((6, 6, 2))
    x = layers.Conv2D(3, 3, activation="relu")(inputs)
    model = _randomize(keras.Model(inputs, layers.GlobalMaxPooling2D()(x)))
    _check(model, [_data(2, 6, 6, 2)], tmp_path, opset_version=opset)
    assert onnx.load(str(tmp_path / "model.onnx")).opset_import[0].version == opset


def test_batch_normalization(tmp_path):
    _single(layers.BatchNormalization(), (6,), tmp_path=tmp_path)
    _single(layers.BatchNormalization(epsilon=0.1, center=False), (4, 5, 3), tmp_path=tmp_path)
    _single(layers.BatchNormalization(axis=1, scale=False), (4, 5), tmp_path=tmp_path)


def test_batch_normalization_after_conv_stays_channels_first(tmp_path):
    inputs = keras.Input((6, 6, 2))
    x = layers.Conv2D(4, 3)(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    model = _randomize(keras.Model(inputs, layers.MaxPooling2D()(x)))
    _check(model, [_data(3, 6, 6, 2)], tmp_path)
    ops = [n.op_type for n in onnx.load(str(tmp_path / "model.onnx")).graph.node]
    assert ops.count("Transpose") == 2


@pytest.mark.parametrize("layer", [
    layers.Dropout(0.5), layers.SpatialDropout1D(0.3), layers.GaussianNoise(1.0), layers.GaussianDropout(0.2),
    layers.ActivityRegularization(l1=0.1), layers.Identity(),
], ids=lambda layer: type(layer).__name__)
def test_identity_at_inference(layer, tmp_path):
    inputs = keras.Input((4, 3))
    model = _randomize(keras.Model(inputs, layers.Dense(2)(layer(inputs))))
    _check(model, [_data(3, 4, 3)], tmp_path)


@pytest.mark.parametrize("layer", [
    layers.Flatten(), layers.Flatten(data_format="channels_first"), layers.Reshape((6, -1)),
    layers.Reshape((2, 2, 3, 3)), layers.Permute((3, 1, 2)), layers.Rescaling(1 / 255, offset=-0.5),
    layers.Rescaling([1.0, 2.0, 3.0]),
], ids=lambda layer: type(layer).__name__)
def test_reshaping(layer, tmp_path):
    _single(layer, (3, 4, 3), tmp_path=tmp_path)


def test_flatten_after_conv_is_in_keras_order(tmp_path):
    inputs = keras.Input((5, 5, 2))
    x = layers.Conv2D(3, 2)(inputs)
    model = _randomize(keras.Model(inputs, layers.Dense(4)(layers.Flatten()(x))))
    _check(model, [_data(2, 5, 5, 2)], tmp_path)


@pytest.mark.parametrize("cls", [layers.Add, layers.Subtract, layers.Multiply, layers.Average, layers.Maximum,
                                 layers.Minimum, layers.Concatenate])
def test_merging(cls, tmp_path):
    a, b = keras.Input((4, 3), name="a"), keras.Input((4, 3), name="b")
    model = _randomize(keras.Model([a, b], cls()([layers.Dense(3)(a), b])))
    _check(model, [_data(2, 4, 3), _data(2, 4, 3, seed=2)], tmp_path)


@pytest.mark.parametrize("cls", [layers.Add, layers.Multiply, layers.Concatenate])
def test_merging_conv_branches(cls, tmp_path):
    inputs = keras.Input((6, 6, 2))
    left = layers.Conv2D(3, 3, padding="same")(inputs)
    right = layers.Conv2D(3, 1, activation="relu")(inputs)
    merged = cls()([left, right, layers.MaxPooling2D(1)(right)])
    model = _randomize(keras.Model(inputs, layers.Conv2D(2, 2)(merged)))
    _check(model, [_data(2, 6, 6, 2)], tmp_path)


def test_merging_broadcasts_lower_rank_inputs(tmp_path):
    a, b = keras.Input((4, 3)), keras.Input((3,))
    model = keras.Model([a, b], layers.Add()([a, b]))
    _check(model, [_data(2, 4, 3), _data(2, 3)], tmp_path)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_embedding(dtype, tmp_path):
    inputs = keras.Input((6,), dtype=dtype)
    model = _randomize(keras.Model(inputs, layers.Embedding(20, 4)(inputs)))
    ids = np.random.default_rng(3).integers(0, 20, (3, 6)).astype(dtype)
    _check(model, [ids], tmp_path)


RECURRENT = [layers.SimpleRNN, layers.LSTM, layers.GRU]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cls", RECURRENT)
def test_recurrent(cls, return_sequences, go_backwards, tmp_path):
    layer = cls(5, return_sequences=return_sequences, go_backwards=go_backwards)
    _single(layer, (6, 3), tmp_path=tmp_path)


@pytest.mark.parametrize("cls", RECURRENT)
def test_recurrent_return_state_and_initial_state(cls, tmp_path):
    inputs = keras.Input((6, 3))
    outputs = cls(4, return_sequences=True, return_state=True)(inputs)
    states = outputs[1:]
    final = cls(4, go_backwards=True)(outputs[0], initial_state=states)
    model = _randomize(keras.Model(inputs, [final] + states))
    _check(model, [_data(3, 6, 3)], tmp_path)


@pytest.mark.parametrize("kwargs", [
    dict(reset_after=False), dict(use_bias=False), dict(activation="relu", recurrent_activation="tanh"),
], ids=str)
def test_gru_options(kwargs, tmp_path):
    _single(layers.GRU(4, return_sequences=True, **kwargs), (5, 3), tmp_path=tmp_path)


def test_simple_rnn_and_lstm_options(tmp_path):
    _single(layers.SimpleRNN(4, activation="relu", use_bias=False), (5, 3), tmp_path=tmp_path)
    _single(layers.LSTM(4, activation="relu", unit_forget_bias=False, return_sequences=True), (5, 3),
            tmp_path=tmp_path)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional(merge_mode, return_sequences, tmp_path):
    layer = layers.Bidirectional(layers.LSTM(4, return_sequences=return_sequences), merge_mode=merge_mode)
    _single(layer, (6, 3), tmp_path=tmp_path)


def test_bidirectional_gru_return_state(tmp_path):
    inputs = keras.Input((5, 3))
    outputs = layers.Bidirectional(layers.GRU(3, return_sequences=True, return_state=True))(inputs)
    model = _randomize(keras.Model(inputs, outputs))
    _check(model, [_data(2, 5, 3)], tmp_path)


def test_conv1d_into_lstm(tmp_path):
    inputs = keras.Input((12, 3))
    x = layers.Conv1D(6, 3, activation="relu")(inputs)
    x = layers.MaxPooling1D()(x)
    model = _randomize(keras.Model(inputs, layers.LSTM(4)(x)))
    _check(model, [_data(2, 12, 3)], tmp_path)


# ---------------------------------------------------------------------------- the tutorials' models


def mnist_cnn():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.Flatten(), layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax"),
    ])


def test_mnist_cnn(tmp_path):
    model = _randomize(mnist_cnn())
    _check(model, [np.random.default_rng(4).uniform(0, 1, (4, 28, 28, 1)).astype("float32")], tmp_path)
    proto = onnx.load(str(tmp_path / "model.onnx"))
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("Transpose") == 2  # in to NCHW once, back to NHWC before Flatten
    assert ops.count("Conv") == 3 and ops.count("MaxPool") == 2
    assert [i.name for i in proto.graph.input] == [model.inputs[0].node.layer.name]
    assert [o.name for o in proto.graph.output] == model.output_names
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and [d.dim_value for d in dims[1:]] == [28, 28, 1]
    assert all(t.data_type == onnx.TensorProto.FLOAT for t in proto.graph.initializer)


def test_dynamic_batch(tmp_path):
    model = _randomize(mnist_cnn())
    session = _export(model, tmp_path / "model.onnx")
    for batch in (1, 7):
        x = np.random.default_rng(batch).uniform(0, 1, (batch, 28, 28, 1)).astype("float32")
        np.testing.assert_allclose(_run(session, [x])[0], model.predict(x, verbose=0), atol=ATOL, rtol=RTOL)


def test_cnn_with_batch_normalization_and_dropout(tmp_path):
    model = keras.Sequential([
        keras.Input((16, 16, 3)),
        layers.Rescaling(1 / 255),
        layers.Conv2D(8, 3, padding="same", use_bias=False), layers.BatchNormalization(), layers.ReLU(),
        layers.MaxPooling2D(),
        layers.Conv2D(16, 3, strides=2, padding="same"), layers.BatchNormalization(), layers.Activation("relu"),
        layers.Dropout(0.25), layers.GlobalAveragePooling2D(),
        layers.Dense(32, activation="relu"), layers.BatchNormalization(), layers.Dropout(0.5),
        layers.Dense(5, activation="softmax"),
    ])
    _randomize(model)
    _check(model, [np.random.default_rng(5).uniform(0, 255, (3, 16, 16, 3)).astype("float32")], tmp_path)


def test_functional_two_inputs_shared_layer_two_outputs(tmp_path):
    left, right = keras.Input((8,), name="left"), keras.Input((8,), name="right")
    shared = layers.Dense(6, activation="relu", name="shared")
    merged = layers.Concatenate()([shared(left), shared(right)])
    score = layers.Dense(1, activation="sigmoid", name="score")(merged)
    kind = layers.Dense(3, activation="softmax", name="kind")(merged)
    model = _randomize(keras.Model([left, right], [score, kind]))
    _check(model, [_data(4, 8), _data(4, 8, seed=2)], tmp_path)
    proto = onnx.load(str(tmp_path / "model.onnx"))
    assert [i.name for i in proto.graph.input] == ["left", "right"]
    assert [o.name for o in proto.graph.output] == ["score", "kind"]
    assert sum(1 for t in proto.graph.initializer if t.name.startswith("shared/")) == 2  # one kernel, one bias


def test_outputs_that_are_inputs_or_repeated(tmp_path):
    inputs = keras.Input((3,), name="x")
    dense = layers.Dense(2, name="d")(inputs)
    outputs = [layers.Dropout(0.5, name="drop")(inputs), dense, layers.Identity(name="again")(dense), dense]
    model = _randomize(keras.Model(inputs, outputs))
    session = _check(model, [_data(2, 3)], tmp_path)
    assert [o.name for o in session.get_outputs()] == ["drop", "d", "again", "d_1"]


def test_nested_models(tmp_path):
    encoder = keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(4, 3, activation="relu"), layers.Flatten()],
                               name="encoder")
    inner_in = keras.Input((64,))
    head = keras.Model(inner_in, layers.Dense(3)(inner_in), name="head")
    inputs = keras.Input((6, 6, 1))
    model = _randomize(keras.Model(inputs, head(encoder(inputs))))
    _check(model, [_data(2, 6, 6, 1)], tmp_path)


def test_text_model_embedding_lstm(tmp_path):
    model = keras.Sequential([
        keras.Input((12,), dtype="int32"),
        layers.Embedding(50, 8), layers.LSTM(16), layers.Dense(1, activation="sigmoid"),
    ])
    _randomize(model)
    _check(model, [np.random.default_rng(6).integers(0, 50, (4, 12)).astype("int32")], tmp_path)


def test_gru_model(tmp_path):
    model = keras.Sequential([
        keras.Input((10, 4)), layers.GRU(8, return_sequences=True), layers.GRU(8), layers.Dense(2),
    ])
    _check(_randomize(model), [_data(3, 10, 4)], tmp_path)


def test_bidirectional_text_model(tmp_path):
    model = keras.Sequential([
        keras.Input((9,)),
        layers.Embedding(30, 6),
        layers.Bidirectional(layers.LSTM(5, return_sequences=True)),
        layers.Bidirectional(layers.GRU(4)),
        layers.Dense(3, activation="softmax"),
    ])
    _randomize(model)
    _check(model, [np.random.default_rng(7).integers(0, 30, (3, 9)).astype("float32")], tmp_path)


# ---------------------------------------------------------------------------- inputs, errors, the file


def test_unbuilt_sequential_needs_input_signature(tmp_path):
    model = keras.Sequential([layers.Embedding(10, 3), layers.GlobalAveragePooling1D(), layers.Dense(2)])
    with pytest.raises(ValueError, match="input_signature"):
        model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    assert not os.path.exists(tmp_path / "m.onnx")
    session = _export(model, tmp_path / "model.onnx",
                      input_signature=[keras.InputSpec(shape=(None, 5), dtype="int32")])
    assert session.get_inputs()[0].type == "tensor(int32)"
    ids = np.random.default_rng(8).integers(0, 10, (2, 5)).astype("int32")
    np.testing.assert_allclose(_run(session, [ids])[0], model.predict(ids, verbose=0), atol=ATOL, rtol=RTOL)


def test_input_signature_as_shape_tuple_fixes_open_sizes(tmp_path):
    inputs = keras.Input((None, 3))
    model = _randomize(keras.Model(inputs, layers.GRU(2)(inputs)))
    session = _export(model, tmp_path / "model.onnx", input_signature=[(None, 4, 3)])
    assert session.get_inputs()[0].shape == ["N", 4, 3]
    with pytest.raises(ValueError, match="does not fit"):
        _export(model, tmp_path / "bad.onnx", input_signature=[(None, 4, 2)])


def test_unsupported_layer_is_named(tmp_path):
    inputs = keras.Input((4, 4, 2))
    x = layers.UpSampling2D(name="grow")(inputs)
    model = keras.Model(inputs, layers.Dense(2)(x))
    with pytest.raises(NotImplementedError,
                       match=r"deepgrad does not implement ONNX export of layer 'grow' \(UpSampling2D\)"):
        model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    assert os.listdir(tmp_path) == []


def test_unsupported_activation_and_mask_are_named(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2, activation=lambda x: x * 2, name="doubler")(inputs))
    with pytest.raises(NotImplementedError, match="layer 'doubler' \\(Dense\\)"):
        model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    masked = keras.Sequential([keras.Input((5,)), layers.Embedding(9, 2, mask_zero=True, name="words"),
                               layers.LSTM(2)])
    with pytest.raises(NotImplementedError, match="'words' \\(Embedding\\) has mask_zero=True"):
        masked.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)


def test_subclassed_model_is_refused(tmp_path):
    class Twice(keras.Model):
        def call(self, inputs):
            return inputs * 2

    model = Twice()
    model.predict(np.ones((1, 2), "float32"), verbose=0)
    with pytest.raises(NotImplementedError, match="subclassed"):
        model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)


def test_other_formats_and_arguments(tmp_path):
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(NotImplementedError, match="tf_saved_model"):
        model.export(str(tmp_path / "m"))
    with pytest.raises(ValueError, match="opset_version"):
        model.export(str(tmp_path / "m.onnx"), format="onnx", opset_version=7)
    with pytest.raises(TypeError, match="unexpected"):
        model.export(str(tmp_path / "m.onnx"), format="onnx", is_static=True)


def test_without_onnx_the_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(ImportError, match="pip install onnx"):
        model.export(str(tmp_path / "m.onnx"), format="onnx")


def test_file_is_replaced_atomically_and_verbose_prints(tmp_path, capsys):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")
    model = _randomize(keras.Sequential([keras.Input((2,)), layers.Dense(1)]))
    model.export(str(path), format="onnx")
    assert f"Saved artifact at '{path}'." in capsys.readouterr().out
    assert os.listdir(tmp_path) == ["m.onnx"]
    onnx.checker.check_model(onnx.load(str(path)))
    broken = keras.Sequential([keras.Input((2,)), layers.LayerNormalization()])
    with pytest.raises(NotImplementedError, match="LayerNormalization"):
        broken.export(str(path), format="onnx", verbose=False)
    assert os.listdir(tmp_path) == ["m.onnx"]
    assert onnx.load(str(path)).graph.node[0].op_type == "MatMul"
