"""Issue 14, behaviour fixes, each run on the same program in Keras 3.15 (PyTorch backend) and deepgrad.

- Sequential built from a built functional first layer (and left unbuilt after merely called
  layers, as Keras leaves it); summary() of such models.
- summary(): line_length, positions, print_fn, expand_nested, show_trainable, layer_range and the
  "Connected to" column of branching functional models give Keras' text, character for character.
- Conv2D.convolution_op: the weight-standardization subclass of Keras' docs, outputs and kernel
  gradients against Keras on the same weights; Conv1D keeps Keras' call (no convolution_op).
- keras.__version__ / keras.version(), and tf.__version__ under `deepgrad run`.
- save(overwrite=False) asks as Keras; load_weights(skip_mismatch=True) skips mismatched layers.
- pandas inputs converted as Keras' data adapters convert them.
- `val_*` keys in the logs of on_train_end.
"""
import textwrap
import warnings

import numpy as np
import pytest

import deepgrad
from deepgrad import keras as dk
from deepgrad.keras.models.summary import print_summary

keras = pytest.importorskip("keras")
assert keras.backend.backend() == "torch", "tests/keras/conftest.py must set KERAS_BACKEND=torch"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Keras and deepgrad both size the summary from the terminal: make it the same known width."""
    monkeypatch.setenv("COLUMNS", "200")


def keras_summary(model, **kwargs):
    out = []
    model.summary(print_fn=out.append, **kwargs)
    return "".join(out)


def our_summary(model, **kwargs):
    out = []
    print_summary(model, print_fn=out.append, **kwargs)
    return "".join(out)


# ---- the same models in both libraries --------------------------------------------------
def mlp(k):
    return k.Sequential([k.Input((8,)), k.layers.Dense(16, activation="relu", name="hidden"),
                         k.layers.BatchNormalization(name="bn"), k.layers.Dense(3, name="out")], name="mlp")


def two_inputs(k):
    a, b = k.Input((4,), name="a"), k.Input((6,), name="b")
    merged = k.layers.Concatenate(name="cat")([k.layers.Dense(5, name="da")(a), k.layers.Dense(5, name="db")(b)])
    return k.Model([a, b], k.layers.Dense(1, name="o")(merged), name="two_in")


def chain(k):
    x = k.Input((4,), name="x")
    return k.Model(x, k.layers.Dense(2, name="d1")(k.layers.Dense(3, name="d0")(x)), name="chain")


def nested(k):
    inner = k.Sequential([k.Input((5,)), k.layers.Dense(4, name="i1"), k.layers.Dense(3, name="i2")], name="inner")
    return k.Sequential([k.Input((5,)), inner, k.layers.Dense(2, name="top")], name="outer")


def frozen_out(k):
    model = mlp(k)
    model.get_layer("out").trainable = False
    return model


SUMMARY_CASES = [
    ("mlp", mlp, {}),
    ("line_length=60", mlp, dict(line_length=60)),
    ("line_length=120", mlp, dict(line_length=120)),
    ("positions", mlp, dict(positions=[0.5, 0.7, 1.0], line_length=80)),
    ("narrow: wrapped and cut", mlp, dict(line_length=40)),
    ("show_trainable", frozen_out, dict(show_trainable=True)),
    ("layer_range", mlp, dict(layer_range=["hidden", "bn"])),
    ("layer_range reversed", mlp, dict(layer_range=["out", "hid"])),
    ("connected to", two_inputs, {}),
    ("connected to + trainable", two_inputs, dict(show_trainable=True)),
    ("functional chain", chain, {}),
    ("nested", nested, {}),
    ("expand_nested", nested, dict(expand_nested=True)),
]


@pytest.mark.parametrize("make, kwargs", [c[1:] for c in SUMMARY_CASES], ids=[c[0] for c in SUMMARY_CASES])
def test_summary_text_equals_keras(make, kwargs):
    assert our_summary(make(dk), **kwargs) == keras_summary(make(keras), **kwargs)


def test_summary_print_fn_gets_the_whole_text_once_and_line_length_applies():
    theirs, ours = [], []
    mlp(keras).summary(print_fn=theirs.append, line_length=70)
    mlp(dk).summary(print_fn=ours.append, line_length=70)
    assert len(ours) == len(theirs) == 1
    assert ours == theirs
    assert max(len(line) for line in ours[0].splitlines()) == 70


def test_summary_default_width_follows_the_terminal_as_keras(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    assert our_summary(mlp(dk)) == keras_summary(mlp(keras))
    mlp(dk).summary()
    printed = capsys.readouterr().out
    assert printed == our_summary(mlp(dk))
    assert max(len(line) for line in printed.splitlines()) == 76


def test_summary_counts_optimizer_params_after_training_as_keras():
    x, y = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    texts = []
    for k in (keras, dk):
        model = k.Sequential([k.Input((3,)), k.layers.Dense(2)], name="fitted")
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, verbose=0)
        lines = keras_summary(model).splitlines()
        texts.append([line.split(" (")[0] for line in lines[-4:]])  # counts (bytes: see below)
    # Keras' Adam: m and v per weight (16), its iteration counter and learning rate: 18
    assert texts[0] == texts[1] == [" Total params: 26", " Trainable params: 8", " Non-trainable params: 0",
                                    " Optimizer params: 18"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(layer_range=["hidden"]), "layer_range must be a list or tuple of length 2"),
    (dict(layer_range=["hidden", 3]), "layer_range should contain string type only"),
    (dict(layer_range=["nope", "out"]), "Passed layer_names do not match"),
    (dict(positions=[0.01, 0.5, 1.0]), "Insufficient console width"),
])
def test_summary_argument_errors_as_keras(kwargs, message):
    with pytest.raises(ValueError, match=message):
        keras_summary(mlp(keras), **kwargs)
    with pytest.raises(ValueError, match=message):
        our_summary(mlp(dk), **kwargs)


# ---- Sequential of layers that exist already --------------------------------------------
def functional_first(k):
    x = k.Input((5,))
    return k.Sequential([k.Model(x, k.layers.Dense(3, name="f_dense")(x), name="f"), k.layers.Dense(2, name="d")],
                        name="s")


def built_sequential_first(k):
    inner = k.Sequential([k.Input((6,)), k.layers.Dense(3, name="i")], name="inner")
    return k.Sequential([inner, k.layers.Dense(2, name="d")], name="s")


def called_conv_first(k):
    conv = k.layers.Conv2D(2, 3, name="conv")
    conv(np.zeros((1, 8, 8, 1), "float32"))
    return k.Sequential([conv, k.layers.Flatten(name="flat"), k.layers.Dense(3, name="d")], name="s")


def symbolically_called_first(k):
    dense = k.layers.Dense(4, name="first")
    dense(k.Input((3,)))
    return k.Sequential([dense, k.layers.Dense(2, name="d")], name="s")


def functional_alone(k):
    x = k.Input((5,))
    return k.Sequential([k.Model(x, k.layers.Dense(3)(x))], name="s")


@pytest.mark.parametrize("make", [functional_first, built_sequential_first, called_conv_first,
                                  symbolically_called_first, functional_alone])
def test_sequential_of_existing_layers_is_built_exactly_when_keras_builds_it(make):
    theirs, ours = make(keras), make(dk)
    assert ours.built == theirs.built
    assert len(ours.weights) == len(theirs.weights)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    if theirs.built:  # Keras' count_params refuses an unbuilt model
        assert ours.count_params() == theirs.count_params()


@pytest.mark.parametrize("make", [built_sequential_first, called_conv_first])
def test_summary_of_sequential_of_existing_layers_equals_keras(make):
    assert our_summary(make(dk)) == keras_summary(make(keras))


def test_sequential_built_from_a_functional_model_predicts_as_keras():
    theirs, ours = functional_first(keras), functional_first(dk)
    assert theirs.built and ours.built
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=tuple(w.shape)).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    x = rng.normal(size=(4, 5)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), atol=1e-5)
    assert ours.output_shape == theirs.output_shape == (None, 2)


# ---- Conv2D.convolution_op ---------------------------------------------------------------
def weight_standardized(k, via_super):
    """The weight-standardization pattern of Keras' docs: standardize the kernel, then convolve."""
    ops = k.ops

    class StandardizedConv2D(k.layers.Conv2D):
        def convolution_op(self, inputs, kernel):
            mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
            kernel = (kernel - mean) / ops.sqrt(var + 1e-10)
            if via_super:
                return super().convolution_op(inputs, kernel)
            return ops.conv(inputs, kernel, padding="valid", strides=list(self.strides),
                            dilation_rate=self.dilation_rate)

    return StandardizedConv2D


WS_CASES = [
    (False, dict(filters=6, kernel_size=3)),
    (True, dict(filters=6, kernel_size=3, padding="same", groups=2, activation="relu")),
    (True, dict(filters=4, kernel_size=(2, 3), strides=2, use_bias=False)),
]


@pytest.mark.parametrize("via_super, kwargs", WS_CASES)
def test_weight_standardized_conv2d_matches_keras_outputs_and_kernel_gradients(via_super, kwargs):
    import torch

    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 7, 7, 4)).astype("float32")
    theirs = weight_standardized(keras, via_super)(**kwargs)
    ours = weight_standardized(dk, via_super)(**kwargs)
    theirs.build(x.shape)
    ours.build(x.shape)
    weights = [rng.normal(size=tuple(w.shape)).astype("float32") for w in theirs.weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)

    expected = theirs(torch.from_numpy(x))
    (expected ** 2).sum().backward()
    with deepgrad.GradientTape() as tape:
        got = ours(x)
        loss = deepgrad.reduce_sum(got * got)
    grads = tape.gradient(loss, ours.trainable_weights)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), atol=1e-4, rtol=1e-5)
    for ours_grad, their_weight in zip(grads, theirs.trainable_weights):
        np.testing.assert_allclose(ours_grad.numpy(), their_weight.value.grad.numpy(), atol=1e-3, rtol=1e-4)


def test_plain_conv2d_convolution_op_is_the_layer_without_bias_and_activation():
    layer = dk.layers.Conv2D(3, 3, activation="relu")
    x = np.random.default_rng(2).normal(size=(1, 6, 6, 2)).astype("float32")
    y = layer(x).numpy()
    raw = layer.convolution_op(x, layer.kernel).numpy() + layer.bias.numpy()
    np.testing.assert_allclose(y, np.maximum(raw, 0), atol=1e-6)


def test_conv1d_keeps_keras_call_that_does_not_use_convolution_op():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 9, 3)).astype("float32")
    outputs = []
    for k in (keras, dk):
        class Doubled(k.layers.Conv1D):
            def convolution_op(self, inputs, kernel):
                return super().convolution_op(inputs, kernel * 2.0)

        layer = Doubled(4, 3, padding="same")
        layer.build(x.shape)
        layer.set_weights([np.full(tuple(w.shape), 0.1, "float32") for w in layer.weights])
        outputs.append((k.ops.convert_to_numpy(layer(x)),
                        k.ops.convert_to_numpy(layer.convolution_op(x, layer.kernel))))
    (their_call, their_op), (our_call, our_op) = outputs
    np.testing.assert_allclose(our_call, their_call, atol=1e-5)  # the override is not used by call
    np.testing.assert_allclose(our_op, their_op, atol=1e-5)


# ---- versions ----------------------------------------------------------------------------
def test_keras_version_is_the_keras_release_deepgrad_matches():
    assert dk.__version__ == keras.__version__ == "3.15.1"
    assert dk.version() == keras.version() == dk.__version__
    assert deepgrad.__version__ != dk.__version__


def test_tf_version_under_deepgrad_run_is_tensorflows_and_ours_stays(tmp_path, capsys):
    from deepgrad import compat

    script = tmp_path / "versions.py"
    script.write_text(textwrap.dedent("""
        import tensorflow as tf
        import keras
        from tensorflow import keras as tf_keras
        import deepgrad
        print(tf.__version__, tf.deepgrad_version, deepgrad.__version__, keras.__version__, tf_keras.__version__)
        print(float(tf.reduce_sum(tf.constant([1.0, 2.0]))), tf.keras.layers.Dense is deepgrad.keras.layers.Dense)
    """))
    assert compat.run_script(str(script)) == 0, capsys.readouterr().err
    lines = capsys.readouterr().out.split("\n")
    assert lines[0].split() == [compat.TF_VERSION, deepgrad.__version__, deepgrad.__version__, "3.15.1", "3.15.1"]
    assert compat.TF_VERSION == "2.21.0"
    assert lines[1] == "3.0 True"
    assert deepgrad.__version__ == "0.1.0"


# ---- files: overwrite and skip_mismatch -------------------------------------------------
def small(k, units=2):
    return k.Sequential([k.Input((3,)), k.layers.Dense(4, name="h"), k.layers.Dense(units, name="o")])


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5"])
@pytest.mark.parametrize("answer", ["y", "n"])
def test_overwrite_false_asks_before_replacing_as_keras(tmp_path, monkeypatch, suffix, answer):
    prompts = {}
    for name, k in (("keras", keras), ("deepgrad", dk)):
        path = tmp_path / f"{name}{suffix}"
        path.write_bytes(b"old")
        asked = []
        monkeypatch.setattr("builtins.input", lambda prompt="": asked.append(prompt) or answer)
        model = small(k)
        save = model.save if suffix == ".keras" else model.save_weights
        save(str(path), overwrite=False)
        replaced = path.read_bytes() != b"old"
        assert replaced == (answer == "y")
        prompts[name] = [p.replace(str(path), "PATH") for p in asked]
        save(str(path))  # overwrite=True: no question
        assert len(asked) == 1
    assert prompts["deepgrad"] == prompts["keras"] == ["[WARNING] PATH already exists - overwrite? [y/n]"]


def test_load_weights_skip_mismatch_skips_the_mismatched_layer_of_a_keras_file(tmp_path):
    path = str(tmp_path / "k.weights.h5")
    source = small(keras, units=2)
    source.save_weights(path)
    results = {}
    for name, k in (("keras", keras), ("deepgrad", dk)):
        target = small(k, units=5)
        before = [np.array(w) for w in target.get_weights()]
        with pytest.raises(ValueError):
            small(k, units=5).load_weights(path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            target.load_weights(path, skip_mismatch=True)
        # Keras: "A total of 1 objects could not be loaded ..."; deepgrad: "... skipped loading the weights of ..."
        assert [w for w in caught if "__array__" not in str(w.message)], name
        results[name] = (target.get_weights(), before)
    for weights, before in results.values():
        for got, want in zip(weights[:2], source.get_weights()[:2]):  # the matching layer: loaded
            np.testing.assert_array_equal(got, want)
        for got, want in zip(weights[2:], before[2:]):  # the mismatched one: kept
            np.testing.assert_array_equal(got, want)


# ---- pandas inputs ----------------------------------------------------------------------
def pandas_cases(pd):
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4, 5, 6]})
    return {
        "mixed float64 and int columns": df,
        "int columns": pd.DataFrame({"a": [1, 2, 3]}),
        "float32 columns": df.astype("float32"),
        "float64 series": pd.Series([1.0, 2.0, 3.0]),
        "int series": pd.Series([1, 2, 3]),
        "bool series": pd.Series([True, False, True]),
        "dict of series": {"a": df["a"], "b": df["b"]},
        "list": [df, pd.Series([1.0, 2.0, 3.0])],
        "index not 0..n-1": pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=[10, 20, 30]),
    }


def test_pandas_inputs_convert_as_keras_data_adapters():
    pd = pytest.importorskip("pandas", reason="pandas is not installed: pip install pandas")
    from keras.src import tree
    from keras.src.trainers.data_adapters import array_slicing

    from deepgrad.keras.models.pandas_inputs import convert_pandas

    for name, data in pandas_cases(pd).items():
        sliceable = array_slicing.convert_to_sliceable(data)
        expected = tree.flatten(tree.map_structure(lambda s: type(s).convert_to_numpy(s.array), sliceable))
        got = convert_pandas(data)
        flat = list(got.values()) if isinstance(got, dict) else got if isinstance(got, list) else [got]
        assert len(flat) == len(expected), name
        for g, e in zip(flat, expected):
            assert isinstance(g, np.ndarray), name
            assert g.shape == e.shape and g.dtype == e.dtype, name
            np.testing.assert_array_equal(g, e)


def test_convert_pandas_leaves_other_data_alone_and_does_not_import_pandas():
    import sys

    from deepgrad.keras.models.pandas_inputs import convert_pandas

    x = np.ones((2, 3), "float32")
    data = {"x": x, "pair": (x, [x]), "none": None}
    out = convert_pandas(data)
    assert out["x"] is x and out["pair"][0] is x and out["pair"][1][0] is x and out["none"] is None
    if "pandas" not in sys.modules:  # nothing above asked for it
        assert "pandas" not in sys.modules


# ---- callbacks ---------------------------------------------------------------------------
def test_on_train_end_logs_carry_val_keys_as_keras():
    x, y = np.ones((8, 3), "float32"), np.ones((8, 2), "float32")
    seen = {}
    for name, k in (("keras", keras), ("deepgrad", dk)):
        class Record(k.callbacks.Callback):
            def on_train_end(self, logs=None):
                seen[name] = sorted(logs or {})

        model = small(k)
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0, callbacks=[Record()])
    assert seen["deepgrad"] == seen["keras"] == ["loss", "mae", "val_loss", "val_mae"]
