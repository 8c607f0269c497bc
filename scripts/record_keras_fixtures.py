"""Record model files written by real Keras, with inputs and expected outputs, as test fixtures.

For each tiny model (cnn, two_inputs, nested, lstm_gru, embed_bidir, custom, and
text where TensorFlow is there) it writes, under --out:

    <model>.keras          model.save (Keras 3 zip; tf.keras 2.15's own .keras zip)
    <model>.weights.h5     model.save_weights (Keras 3 flavors)
    <model>_weights.h5     model.save_weights, legacy HDF5 weights (tfkeras2.15)
    <model>.h5             model.save, legacy HDF5 model
    <model>.io.npz         x0, x1, ... (4 samples, in the model's input order) and y = model.predict
    <model>.step.npz       compiled models but cnn (whose Dropout is random): one batch x0.., y,
                           the loss of one more train_on_batch on it after saving, and the
                           weights after it as w0, w1, ... in model.get_weights() order
    manifest.json          versions, backend, the files of each model, and those not written and why

Everything is seeded, so a rerun writes the same arrays. Regenerate each flavor from the
repository root with:

    /tmp/venv-k30/bin/python scripts/record_keras_fixtures.py --flavor keras3.0 --out tests/keras/saving/fixtures/keras3.0
    python scripts/record_keras_fixtures.py --flavor keras3.15-torch --out tests/keras/saving/fixtures/keras3.15-torch
    /tmp/venv-tf/bin/python scripts/record_keras_fixtures.py --flavor keras3.15-tf --out tests/keras/saving/fixtures/keras3.15-tf
    /tmp/venv-tf215/bin/python scripts/record_keras_fixtures.py --flavor tfkeras2.15 --out tests/keras/saving/fixtures/tfkeras2.15

(keras3.0: Keras 3.0.0 on torch; keras3.15-torch: Keras 3.15.1 on torch; keras3.15-tf:
Keras 3.15.1 on TensorFlow 2.21; tfkeras2.15: tf.keras 2.15 from TensorFlow 2.15.1.)
The environments were made with:

    python -m venv --system-site-packages /tmp/venv-k30 && /tmp/venv-k30/bin/pip install keras==3.0.0
    python -m venv /tmp/venv-tf && /tmp/venv-tf/bin/pip install tensorflow-cpu keras==3.15.1 h5py
    python -m venv /tmp/venv-tf215 && /tmp/venv-tf215/bin/pip install tensorflow-cpu==2.15.1 h5py
"""
import argparse
import importlib
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

FLAVORS = {  # flavor: (KERAS_BACKEND, whether the models are tf.keras 2's)
    "keras3.0": ("torch", False),
    "keras3.15-torch": ("torch", False),
    "keras3.15-tf": ("tensorflow", False),
    "tfkeras2.15": ("tensorflow", True),
}
SEED = 0
TRAIN_SAMPLES, BATCH, IO_SAMPLES = 32, 8, 4
SENTENCES = [
    "the cat sat on the mat",
    "the dog ate my homework",
    "a bird in the hand",
    "the quick brown fox jumps",
    "over the lazy dog",
    "my cat likes the sun",
    "a dog and a cat",
    "birds fly over the hill",
    "the sun is warm today",
    "homework is never done",
]
TEXT_INPUTS = ["the cat ate the bird", "a lazy sun", "unknown words only here", "the dog sat on my homework today"]
NO_STEP_FILE = {"cnn"}  # its Dropout is random, so one more training step cannot be replayed
# Files Keras 3 writes without complaint but cannot use: they are left out, for the reason given
# (tf.keras 2.15 refuses to write them at all).
UNUSABLE = {"text.h5": "legacy HDF5 keeps no TextVectorization vocabulary: Keras 3.15 writes the file, "
                       "but the model it loads from it fails on predict (lookup table not initialized)"}


def import_keras(flavor):
    backend, tf_keras = FLAVORS[flavor]
    os.environ["KERAS_BACKEND"] = backend
    if tf_keras:
        import tensorflow as tf
        return tf.keras
    return importlib.import_module("keras")


def seed(keras):
    keras.utils.set_random_seed(SEED)
    return np.random.RandomState(SEED)


# ---------------------------------------------------------------- the custom layer

def define_scale(keras, tf_keras):
    """The class `Scale`, registered as fixtures>Scale; the README quotes its source."""
    register = keras.utils.register_keras_serializable if tf_keras else keras.saving.register_keras_serializable

    @register(package="fixtures")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    return Scale


# ---------------------------------------------------------------- models and their data
# Each builder returns (model, compile arguments or None, make_data), where
# make_data(rng, n) returns (list of inputs, targets or None).

def build_cnn(keras, layers):
    model = keras.Sequential([
        keras.Input((8, 8, 1), name="image"),
        layers.Conv2D(4, 3, activation="relu", name="conv"),
        layers.BatchNormalization(name="bn"),
        layers.MaxPooling2D(name="pool"),
        layers.Flatten(name="flatten"),
        layers.Dropout(0.5, name="dropout"),
        layers.Dense(3, activation="softmax", name="out"),
    ], name="cnn")
    compile_args = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    def make_data(rng, n):
        return [rng.rand(n, 8, 8, 1).astype("float32")], rng.randint(0, 3, size=(n,)).astype("int32")

    return model, compile_args, make_data


def build_two_inputs(keras, layers):
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    shared = layers.Dense(5, name="shared")
    ha = shared(layers.Dense(5, name="dense_a")(a))
    hb = shared(layers.Dense(5, name="dense_b")(b))
    out = layers.Dense(2, name="out")(layers.Concatenate(name="concat")([ha, hb]))
    model = keras.Model([a, b], out, name="two_inputs")
    compile_args = dict(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")

    def make_data(rng, n):
        x = [rng.randn(n, 4).astype("float32"), rng.randn(n, 3).astype("float32")]
        return x, rng.randn(n, 2).astype("float32")

    return model, compile_args, make_data


def build_nested(keras, layers):
    inner = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="tanh", name="inner_dense")],
                             name="inner")
    x = keras.Input((6,), name="x")
    out = layers.Dense(1, name="out")(inner(layers.Dense(5, name="pre")(x)))
    model = keras.Model(x, out, name="nested")
    compile_args = dict(optimizer=keras.optimizers.RMSprop(0.01), loss="mse")

    def make_data(rng, n):
        return [rng.randn(n, 6).astype("float32")], rng.randn(n, 1).astype("float32")

    return model, compile_args, make_data


def build_lstm_gru(keras, layers):
    x = keras.Input((7, 3), name="seq")
    h = layers.LSTM(6, return_sequences=True, name="lstm")(x)
    out = layers.Dense(2, name="out")(layers.GRU(5, name="gru")(h))
    model = keras.Model(x, out, name="lstm_gru")
    compile_args = dict(optimizer="adam", loss="mse")

    def make_data(rng, n):
        return [rng.randn(n, 7, 3).astype("float32")], rng.randn(n, 2).astype("float32")

    return model, compile_args, make_data


def build_embed_bidir(keras, layers):
    x = keras.Input((7,), dtype="int32", name="tokens")
    h = layers.Embedding(20, 6, mask_zero=True, name="embed")(x)
    h = layers.Bidirectional(layers.LSTM(4, name="lstm"), name="bidir")(h)
    out = layers.Dense(1, activation="sigmoid", name="out")(h)
    model = keras.Model(x, out, name="embed_bidir")
    compile_args = dict(optimizer="adam", loss="binary_crossentropy")

    def make_data(rng, n):
        tokens = rng.randint(1, 20, size=(n, 7))
        lengths = rng.randint(2, 8, size=n)  # 2..7 tokens, the rest is padding
        lengths[0] = 7  # one row without padding
        tokens[np.arange(7)[None, :] >= lengths[:, None]] = 0
        return [tokens.astype("int32")], rng.randint(0, 2, size=(n, 1)).astype("float32")

    return model, compile_args, make_data


def build_custom(keras, layers, scale_class):
    model = keras.Sequential([keras.Input((3,), name="x"), scale_class(3.0, name="scale"), layers.Dense(2, name="out")],
                             name="custom")
    model.get_layer("scale").set_weights([np.array([0.5, -1.0, 2.0], "float32")])  # not all ones, so loading shows

    def make_data(rng, n):
        return [rng.randn(n, 3).astype("float32")], None

    return model, None, make_data


def build_text(keras, layers):
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=6, name="vectorize")
    vectorize.adapt(SENTENCES)
    x = keras.Input(shape=(1,), dtype="string", name="text")
    h = layers.GlobalAveragePooling1D(name="pool")(layers.Embedding(20, 4, name="embed")(vectorize(x)))
    model = keras.Model(x, layers.Dense(1, name="out")(h), name="text")

    def make_data(rng, n):
        return [np.array(TEXT_INPUTS[:n], dtype="<U40").reshape(n, 1)], None

    return model, None, make_data


def builders(keras, flavor):
    scale_class = define_scale(keras, FLAVORS[flavor][1])
    table = {
        "cnn": build_cnn,
        "two_inputs": build_two_inputs,
        "nested": build_nested,
        "lstm_gru": build_lstm_gru,
        "embed_bidir": build_embed_bidir,
        "custom": lambda k, l: build_custom(k, l, scale_class),
    }
    if FLAVORS[flavor][0] == "tensorflow":  # TextVectorization needs TensorFlow
        table["text"] = build_text
    return table


# ---------------------------------------------------------------- recording

def as_model_input(x):
    x = [string_tensor(xi) if xi.dtype.kind == "U" else xi for xi in x]
    return x if len(x) > 1 else x[0]


def string_tensor(array):
    import tensorflow as tf  # Keras takes strings only as TensorFlow tensors, not as NumPy str arrays

    return tf.constant(array)


def save_formats(model, out, name, tf_keras):
    """Each save the flavor has; returns (files written, {file: why it is not there})."""
    if tf_keras:
        saves = {f"{name}.h5": model.save, f"{name}_weights.h5": model.save_weights, f"{name}.keras": model.save}
    else:
        saves = {f"{name}.keras": model.save, f"{name}.weights.h5": model.save_weights, f"{name}.h5": model.save}
    written, missing = [], {}
    for filename, save in saves.items():
        if not tf_keras and filename in UNUSABLE:
            missing[filename] = UNUSABLE[filename]
            continue
        try:
            save(str(out / filename))
            written.append(filename)
        except Exception as error:  # a real Keras refusing a format is part of the record
            missing[filename] = re.sub(r" at 0x[0-9a-f]+", "", f"{type(error).__name__}: {error}")
            (out / filename).unlink(missing_ok=True)
            print(f"  {filename} not written: {missing[filename]}", file=sys.stderr)
    return written, missing


def record_io(model, make_data, rng, out, name):
    x, _ = make_data(rng, IO_SAMPLES)
    y = np.asarray(model.predict(as_model_input(x), verbose=0), dtype="float32")
    np.savez(out / f"{name}.io.npz", y=y, **{f"x{i}": xi for i, xi in enumerate(x)})
    return f"{name}.io.npz"


def record_step(model, make_data, rng, out, name):
    x, y = make_data(rng, BATCH)
    model.reset_metrics()  # Keras 3.0's train_on_batch would report the mean loss since fit began
    loss = np.float32(np.asarray(model.train_on_batch(as_model_input(x), y)))
    weights = {f"w{i}": np.asarray(w) for i, w in enumerate(model.get_weights())}
    np.savez(out / f"{name}.step.npz", y=y, loss=loss, **{f"x{i}": xi for i, xi in enumerate(x)}, **weights)
    return f"{name}.step.npz"


def record_model(keras, tf_keras, name, build, out):
    rng = seed(keras)
    model, compile_args, make_data = build(keras, keras.layers)
    if compile_args is not None:
        model.compile(**compile_args)
        x, y = make_data(rng, TRAIN_SAMPLES)
        model.fit(as_model_input(x), y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    written, missing = save_formats(model, out, name, tf_keras)
    written.append(record_io(model, make_data, rng, out, name))
    if compile_args is not None and name not in NO_STEP_FILE:
        written.append(record_step(model, make_data, rng, out, name))
    return {"files": written, "not_written": missing}


def versions(keras, tf_keras):
    found = {"python": sys.version.split()[0], "numpy": np.__version__}
    found["keras"] = importlib.import_module("keras").__version__  # tf.keras 2.15 is the keras 2.15 package
    found["backend"] = "tensorflow (tf.keras 2)" if tf_keras else keras.backend.backend()
    for module in ("torch", "tensorflow", "h5py"):
        try:
            found[module] = importlib.import_module(module).__version__
        except ImportError:
            pass
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flavor", required=True, choices=sorted(FLAVORS))
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    keras = import_keras(args.flavor)
    tf_keras = FLAVORS[args.flavor][1]
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = {"flavor": args.flavor, "versions": versions(keras, tf_keras), "models": {}}
    for name, build in builders(keras, args.flavor).items():
        print(f"{args.flavor}: {name}")
        manifest["models"][name] = record_model(keras, tf_keras, name, build, args.out)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
