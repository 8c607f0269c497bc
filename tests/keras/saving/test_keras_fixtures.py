"""Files written by other Keras releases load in deepgrad: Keras 3.0, Keras 3.15 on TensorFlow, tf.keras 2.15.

The fixtures (tests/keras/saving/fixtures, recorded by scripts/record_keras_fixtures.py
in each release's own environment) hold each model in every format that release
writes, the inputs, the outputs that release predicted, and, for compiled models, one
training batch with the loss and the weights that release computed for it. Loading a
file must reproduce the predictions; loading it with its optimizer and training on the
batch must reproduce the loss and the weights.
"""
import json
import pathlib
import zipfile

import numpy as np
import pytest

from deepgrad import keras
from tests.keras.saving.custom_layers import scale_class

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
FLAVORS = ("keras3.0", "keras3.15-torch", "keras3.15-tf", "tfkeras2.15")


Scale = scale_class(keras, "fixtures")  # the fixtures' custom layer, registered as fixtures>Scale


def build(name):
    """The architecture of a fixture model, for load_weights (the recording script's, in deepgrad)."""
    L = keras.layers
    if name == "cnn":
        return keras.Sequential([
            keras.Input((8, 8, 1), name="image"), L.Conv2D(4, 3, activation="relu", name="conv"),
            L.BatchNormalization(name="bn"), L.MaxPooling2D(name="pool"), L.Flatten(name="flatten"),
            L.Dropout(0.5, name="dropout"), L.Dense(3, activation="softmax", name="out")], name="cnn")
    if name == "two_inputs":
        a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
        shared = L.Dense(5, name="shared")
        x = L.Concatenate(name="concat")([shared(L.Dense(5, name="dense_a")(a)), shared(L.Dense(5, name="dense_b")(b))])
        return keras.Model([a, b], L.Dense(2, name="out")(x), name="two_inputs")
    if name == "nested":
        inner = keras.Sequential([keras.Input((5,)), L.Dense(4, activation="tanh", name="inner_dense")], name="inner")
        x = keras.Input((6,), name="x")
        return keras.Model(x, L.Dense(1, name="out")(inner(L.Dense(5, name="pre")(x))), name="nested")
    if name == "lstm_gru":
        x = keras.Input((7, 3), name="seq")
        h = L.GRU(5, name="gru")(L.LSTM(6, return_sequences=True, name="lstm")(x))
        return keras.Model(x, L.Dense(2, name="out")(h), name="lstm_gru")
    if name == "embed_bidir":
        t = keras.Input((7,), dtype="int32", name="tokens")
        h = L.Bidirectional(L.LSTM(4, name="lstm"), name="bidir")(L.Embedding(20, 6, mask_zero=True, name="embed")(t))
        return keras.Model(t, L.Dense(1, activation="sigmoid", name="out")(h), name="embed_bidir")
    if name == "custom":
        return keras.Sequential([keras.Input((3,), name="x"), Scale(3.0, name="scale"), L.Dense(2, name="out")],
                                name="custom")
    raise KeyError(name)


def _cases(kinds):
    for flavor in FLAVORS:
        manifest = json.loads((FIXTURES / flavor / "manifest.json").read_text())
        for model, entry in sorted(manifest["models"].items()):
            for filename in entry["files"]:
                for kind in kinds:
                    if filename == f"{model}{kind}":
                        yield pytest.param(flavor, model, filename, id=f"{flavor}-{filename}")


def _inputs(npz):
    xs = [npz[k] for k in sorted(k for k in npz.files if k.startswith("x"))]
    return xs if len(xs) > 1 else xs[0]


def _outputs(model, npz):
    return model.predict(_inputs(npz), verbose=0)


@pytest.mark.parametrize("flavor, name, filename", list(_cases((".keras", ".h5"))))
def test_load_model_predicts_as_keras_did(flavor, name, filename):
    folder = FIXTURES / flavor
    model = keras.models.load_model(folder / filename)
    io = np.load(folder / f"{name}.io.npz", allow_pickle=False)
    np.testing.assert_allclose(_outputs(model, io), io["y"], atol=1e-5, rtol=1e-5)


# A TextVectorization's vocabulary is not in a weights file (Keras keeps it in the .keras assets).
@pytest.mark.parametrize("flavor, name, filename",
                         [c for c in _cases((".weights.h5", "_weights.h5")) if c.values[1] != "text"])
def test_load_weights_predicts_as_keras_did(flavor, name, filename):
    folder = FIXTURES / flavor
    model = build(name)
    model.load_weights(folder / filename)
    io = np.load(folder / f"{name}.io.npz", allow_pickle=False)
    np.testing.assert_allclose(_outputs(model, io), io["y"], atol=1e-5, rtol=1e-5)


def _step_cases():
    for flavor, name, filename in (c.values for c in _cases((".keras", ".h5"))):
        if (FIXTURES / flavor / f"{name}.step.npz").exists():
            yield pytest.param(flavor, name, filename, id=f"{flavor}-{filename}")


@pytest.mark.parametrize("flavor, name, filename", list(_step_cases()))
def test_training_resumes_as_keras_did(flavor, name, filename):
    """The file's optimizer state is Keras': one more step gives Keras' loss and weights."""
    folder = FIXTURES / flavor
    model = keras.models.load_model(folder / filename)
    step = np.load(folder / f"{name}.step.npz", allow_pickle=False)
    loss = model.train_on_batch(_inputs(step), step["y"])
    np.testing.assert_allclose(loss, step["loss"], rtol=1e-5, atol=1e-6)
    expected = [step[f"w{i}"] for i in range(len([k for k in step.files if k.startswith("w")]))]
    got = model.get_weights()
    assert len(got) == len(expected)
    if name == "embed_bidir" and flavor == "keras3.15-tf":
        # Keras 3 on TensorFlow applies an Embedding's sparse gradient with a scatter that does not
        # sum a token's repeats within the batch: the rows of repeated tokens differ from what
        # Keras on torch (and deepgrad, and tf.keras 2.15) compute. Every other row agrees.
        tokens, counts = np.unique(step["x0"], return_counts=True)
        single = np.setdiff1d(np.arange(len(got[0])), tokens[counts > 1])
        got[0], expected[0] = got[0][single], expected[0][single]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, atol=2e-6, rtol=1e-5)


SENTENCES = [  # the recording script's adapt() data
    "the cat sat on the mat", "the dog ate my homework", "a bird in the hand", "the quick brown fox jumps",
    "over the lazy dog", "my cat likes the sun", "a dog and a cat", "birds fly over the hill",
    "the sun is warm today", "homework is never done",
]


def test_text_model_writes_its_vocabulary_where_keras_does(tmp_path):
    """A TextVectorization adapted as in the fixture writes the same assets (names and bytes) as Keras 3."""
    import zipfile

    L = keras.layers
    vectorize = L.TextVectorization(max_tokens=20, output_sequence_length=6, name="vectorize")
    vectorize.adapt(SENTENCES)
    x = keras.Input(shape=(1,), dtype="string", name="text")
    h = L.GlobalAveragePooling1D(name="pool")(L.Embedding(20, 4, name="embed")(vectorize(x)))
    model = keras.Model(x, L.Dense(1, name="out")(h), name="text")
    model.save(tmp_path / "text.keras")

    def assets(path):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist() if n.startswith("assets/")}

    ours, theirs = assets(tmp_path / "text.keras"), assets(FIXTURES / "keras3.15-tf" / "text.keras")
    assert ours == theirs
    reloaded = keras.models.load_model(tmp_path / "text.keras")
    assert reloaded.get_layer("vectorize").get_vocabulary() == vectorize.get_vocabulary()


def test_deepgrads_first_keras_files_still_load(tmp_path):
    """deepgrad 0.1 wrote .keras zips with a bare config and model.weights.npz (arrays only); they still load,
    and its bare .npz weight files still load_weights."""
    import io
    import zipfile

    rng = np.random.RandomState(0)
    arrays = {"0000:dense/kernel": rng.rand(4, 8).astype("float32"), "0001:dense/bias": rng.rand(8).astype("float32"),
              "0002:dense_1/kernel": rng.rand(8, 1).astype("float32"), "0003:dense_1/bias": np.zeros(1, "float32")}
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": "float32",
                                           "batch_input_shape": [None, 4], "units": 8, "activation": "tanh"}},
        {"class_name": "Dense", "config": {"name": "dense_1", "trainable": True, "dtype": "float32", "units": 1}},
    ]}}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with zipfile.ZipFile(tmp_path / "old.keras", "w") as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", json.dumps({"keras_version": "3 (deepgrad)"}))
        z.writestr("model.weights.npz", buffer.getvalue())
    model = keras.models.load_model(tmp_path / "old.keras")
    x = rng.rand(3, 4).astype("float32")
    expected = np.tanh(x @ arrays["0000:dense/kernel"] + arrays["0001:dense/bias"]) @ arrays["0002:dense_1/kernel"]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    (tmp_path / "old.weights.h5").write_bytes(buffer.getvalue())
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    other.load_weights(tmp_path / "old.weights.h5")
    np.testing.assert_allclose(other.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_a_keras_model_with_op_nodes_resaved_by_deepgrad_loads_in_keras(tmp_path):
    """Keras' recorded NotEqual mask node (Embedding(mask_zero=True)) is written back under Keras' own module
    and registered name, so Keras reads deepgrad's file (it refused 'keras.layers.NotEqual')."""
    keras_oracle = pytest.importorskip("keras")
    model = keras.models.load_model(FIXTURES / "keras3.15-torch" / "embed_bidir.keras")
    path = tmp_path / "resaved.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        text = archive.read("config.json").decode()
    assert '"module": "keras.src.ops.numpy", "class_name": "NotEqual"' in text
    assert '"registered_name": "NotEqual"' in text
    theirs = keras_oracle.models.load_model(path)
    data = np.load(FIXTURES / "keras3.15-torch" / "embed_bidir.io.npz")
    x = data["x0"]
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), model.predict(x, verbose=0), atol=1e-5)
