"""Models move between deepgrad and Keras 3 (torch backend, in this process) in every format, both ways.

The interop matrix: each model is built by the same code in both frameworks, trained
for an epoch, saved by one and loaded by the other as `.keras` (load_model),
`.h5` (legacy load_model) and `.weights.h5` (load_weights into the same architecture).
The loaded model must predict what the saved one predicts (to 1e-5) and keep its layer
names; after a compiled load, one more training step in each framework must give the
same weights, which checks that the optimizer's saved state lined up variable by variable.
"""
import numpy as np
import pytest

import keras
from deepgrad import keras as dkeras
from tests.keras.saving.custom_layers import scale_class

FORMATS = ("keras", "h5", "weights.h5")


# Saving to '.h5' on purpose: deepgrad's legacy-format warning is asserted in test_crafted_files.py.
pytestmark = pytest.mark.filterwarnings("ignore:You are saving your model as an HDF5 file:UserWarning")


# ---------------------------------------------------------------------------- custom layer, both frameworks


SCALE = {"keras": scale_class(keras, "interop"), "deepgrad": scale_class(dkeras, "interop")}


# ---------------------------------------------------------------------------- the models


def cnn(k, which):
    L = k.layers
    return k.Sequential([
        k.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(), L.MaxPooling2D(),
        L.Flatten(), L.Dropout(0.5), L.Dense(3, activation="softmax"),
    ], name="cnn"), "adam", "sparse_categorical_crossentropy"


def two_inputs(k, which):
    L = k.layers
    a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
    shared = L.Dense(5, activation="tanh", name="shared")
    x = L.Concatenate()([shared(L.Dense(5, name="from_a")(a)), shared(L.Dense(5, name="from_b")(b))])
    return k.Model([a, b], L.Dense(2, name="out")(x), name="two_inputs"), k.optimizers.SGD(0.05, momentum=0.9), "mse"


def nested(k, which):
    L = k.layers
    inner = k.Sequential([k.Input((5,)), L.Dense(4, activation="tanh")], name="inner")
    i = k.Input((3,))
    sub = k.Model(i, L.Dense(3, name="sub_dense")(i), name="sub")
    x = k.Input((6,), name="x")
    h = sub(L.Dense(3, name="head")(x))
    h = inner(L.Dense(5, name="mid")(h))
    return k.Model(x, L.Dense(1, name="tail")(h), name="nested"), k.optimizers.RMSprop(0.01), "mse"


def lstm_gru(k, which):
    L = k.layers
    x = k.Input((7, 3))
    h = L.LSTM(6, return_sequences=True)(x)
    h = L.GRU(5)(h)
    return k.Model(x, L.Dense(2)(h), name="lstm_gru"), "adam", "mse"


def embed_bidir(k, which):
    L = k.layers
    t = k.Input((7,), dtype="int32")
    h = L.Embedding(20, 6, mask_zero=True)(t)
    h = L.Bidirectional(L.LSTM(4))(h)
    return k.Model(t, L.Dense(1, activation="sigmoid")(h), name="embed_bidir"), "adam", "binary_crossentropy"


def custom(k, which):
    return k.Sequential([k.Input((3,)), SCALE[which](3.0, name="scale"), k.layers.Dense(2)], name="custom"), \
        "adam", "mse"


MODELS = {f.__name__: f for f in (cnn, two_inputs, nested, lstm_gru, embed_bidir, custom)}
DETERMINISTIC = {"two_inputs", "nested", "lstm_gru", "embed_bidir", "custom"}  # no Dropout: a step is comparable


def data(name, n=16, seed=0):
    rng = np.random.RandomState(seed)
    if name == "cnn":
        return [rng.rand(n, 8, 8, 1).astype("float32")], rng.randint(0, 3, n)
    if name == "two_inputs":
        return [rng.rand(n, 4).astype("float32"), rng.rand(n, 3).astype("float32")], rng.rand(n, 2).astype("float32")
    if name == "nested":
        return [rng.rand(n, 6).astype("float32")], rng.rand(n, 1).astype("float32")
    if name == "lstm_gru":
        return [rng.rand(n, 7, 3).astype("float32")], rng.rand(n, 2).astype("float32")
    if name == "embed_bidir":
        tokens = rng.randint(1, 20, (n, 7)).astype("int32")
        for i in range(n):
            tokens[i, rng.randint(2, 8):] = 0
        return [tokens], rng.randint(0, 2, (n, 1)).astype("float32")
    return [rng.rand(n, 3).astype("float32")], rng.rand(n, 2).astype("float32")


def _x(xs):
    return xs if len(xs) > 1 else xs[0]


def make(name, which):
    k = keras if which == "keras" else dkeras
    model, optimizer, loss = MODELS[name](k, which)
    model.compile(optimizer=optimizer, loss=loss)
    x, y = data(name)
    model.fit(_x(x), y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    return model


def save(model, path, fmt):
    if fmt == "weights.h5":
        model.save_weights(path)
    else:
        model.save(path)


def load(name, path, fmt, which):
    k = keras if which == "keras" else dkeras
    if fmt == "weights.h5":
        model, _, _ = MODELS[name](k, which)
        model.load_weights(path)
        return model
    # Keras 3.15 cannot compile from a legacy .h5 whose loss is 'mse', even one it wrote itself
    # ("Could not deserialize 'keras.metrics.mse'"), so Keras reads .h5 files uncompiled here.
    return k.models.load_model(path, compile=not (which == "keras" and fmt == "h5"))


def weights_of(model):
    return [np.asarray(w) for w in model.get_weights()]


def _assert_same_predictions(saved, loaded, x):
    expected = saved.predict(_x(x), verbose=0)
    got = loaded.predict(_x(x), verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
    got = got if isinstance(got, list) else [got]
    for e, g in zip(expected, got):
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), atol=1e-5, rtol=1e-5)


# ---------------------------------------------------------------------------- the matrix


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("source, target", [("deepgrad", "keras"), ("keras", "deepgrad")])
def test_model_moves_between_frameworks(source, target, name, fmt, tmp_path):
    saved = make(name, source)
    path = tmp_path / f"{name}.{fmt}"
    save(saved, path, fmt)
    loaded = load(name, path, fmt, target)
    x, _ = data(name, n=5, seed=1)
    _assert_same_predictions(saved, loaded, x)
    if fmt != "weights.h5":
        assert [layer.name for layer in loaded.layers] == [layer.name for layer in saved.layers]
        assert loaded.name == saved.name


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
@pytest.mark.parametrize("source, target, fmt", [
    ("deepgrad", "keras", "keras"), ("keras", "deepgrad", "keras"), ("keras", "deepgrad", "h5"),
    ("deepgrad", "deepgrad", "keras"), ("deepgrad", "deepgrad", "h5"),
])
def test_training_continues_the_same_after_moving(source, target, fmt, name, tmp_path):
    saved = make(name, source)
    path = tmp_path / f"{name}.{fmt}"
    save(saved, path, fmt)
    loaded = load(name, path, fmt, target)
    assert int(np.asarray(loaded.optimizer.iterations)) == int(np.asarray(saved.optimizer.iterations))
    x, y = data(name, n=8, seed=2)
    saved.train_on_batch(_x(x), y)
    loaded.train_on_batch(_x(x), y)
    for a, b in zip(weights_of(saved), weights_of(loaded)):
        np.testing.assert_allclose(b, a, atol=2e-5, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_weights_files_use_keras_paths(name, tmp_path):
    """The HDF5 groups and dataset shapes deepgrad writes are those Keras writes for the same model."""
    import h5py

    def tree(path):
        out = {}
        with h5py.File(path) as f:
            f.visititems(lambda n, o: out.__setitem__(n, o.shape if isinstance(o, h5py.Dataset) else None))
        return out

    for which in ("keras", "deepgrad"):
        save(make(name, which), tmp_path / f"{which}.weights.h5", "weights.h5")
    assert tree(tmp_path / "deepgrad.weights.h5") == tree(tmp_path / "keras.weights.h5")


def _plain_scale_class(base, register):
    @register(package="interop_auto")
    class PlainScale(base.layers.Layer):
        """A registered layer without get_config: saved through Keras' auto config of its arguments."""

        def __init__(self, factor, offset=0.5, **kwargs):
            super().__init__(**kwargs)
            self.factor, self.offset = factor, offset

        def call(self, inputs):
            return inputs * self.factor + self.offset

    return PlainScale


PLAIN_SCALE = {
    "keras": _plain_scale_class(keras, keras.saving.register_keras_serializable),
    "deepgrad": _plain_scale_class(dkeras, dkeras.saving.register_keras_serializable),
}


@pytest.mark.parametrize("source, target", [("deepgrad", "keras"), ("keras", "deepgrad")])
def test_a_layer_without_get_config_moves_by_its_auto_config(source, target, tmp_path):
    k = keras if source == "keras" else dkeras
    model = k.Sequential([k.Input((3,)), PLAIN_SCALE[source](3.0, name="plain")], name="auto")
    expected = {k_: v for k_, v in model.layers[0].get_config().items() if k_ not in ("dtype", "name")}
    assert expected == {"factor": 3.0, "offset": 0.5, "trainable": True}
    model.save(tmp_path / "auto.keras")
    loaded = (keras if target == "keras" else dkeras).models.load_model(tmp_path / "auto.keras")
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), x * 3.0 + 0.5)
