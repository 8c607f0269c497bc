"""Models end to end: Sequential, functional and subclassed; compile/fit/evaluate/predict; errors."""
import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad.keras import layers


def blobs(n=256, features=8, classes=3, seed=0):
    """Linearly separable Gaussian blobs: a problem every working trainer solves."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(classes, features))
    y = rng.integers(0, classes, size=n)
    x = (centres[y] + rng.normal(0, 1, size=(n, features))).astype("float32")
    return x, y


def mlp(features=8, classes=3):
    return keras.Sequential([
        layers.Dense(16, activation="relu", input_shape=(features,)),
        layers.Dense(classes, activation="softmax"),
    ])


def test_sequential_fit_learns_and_history_has_keras_keys():
    deepgrad.random.set_seed(0)
    x, y = blobs()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == list(range(15))
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["val_accuracy"][-1] >= 0.95


def test_evaluate_returns_loss_alone_list_or_dict():
    deepgrad.random.set_seed(0)
    x, y = blobs()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    values = model.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 2
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    np.testing.assert_allclose(logs["loss"], values[0], rtol=1e-6)
    probs = model.predict(x, verbose=0)
    expected_accuracy = np.mean(np.argmax(probs, axis=1) == y)
    np.testing.assert_allclose(logs["accuracy"], expected_accuracy, rtol=1e-6)
    expected_loss = -np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1)))
    np.testing.assert_allclose(logs["loss"], expected_loss, rtol=1e-4)


def test_functional_model_with_two_inputs_two_outputs_and_a_shared_layer():
    deepgrad.random.set_seed(0)
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    shared = layers.Dense(8, activation="tanh")
    merged = layers.Concatenate()([shared(a), shared(b)])
    out_class = layers.Dense(2, activation="softmax", name="cls")(merged)
    out_reg = layers.Dense(1, name="reg")(merged)
    model = keras.Model(inputs=[a, b], outputs=[out_class, out_reg])
    assert model.count_params() == (4 * 8 + 8) + (16 * 2 + 2) + (16 + 1)
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(64, 4)).astype("float32"), rng.normal(size=(64, 4)).astype("float32")
    y_cls = (xa.sum(1) > xb.sum(1)).astype(int)
    y_reg = (xa - xb).sum(1, keepdims=True)
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], []])
    history = model.fit([xa, xb], [y_cls, y_reg], epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert "cls_accuracy" in history.history
    p_cls, p_reg = model.predict({"a": xa, "b": xb}, verbose=0)
    assert p_cls.shape == (64, 2) and p_reg.shape == (64, 1)


def test_subclassed_model_builds_on_first_call_and_trains():
    class TwoLayer(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(16, activation="relu")
            self.out = layers.Dense(3)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

    deepgrad.random.set_seed(0)
    x, y = blobs()
    model = TwoLayer()
    assert model.weights == []
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, verbose=0)
    assert len(model.weights) == 4
    assert history.history["accuracy"][-1] > 0.9


def test_train_on_batch_matches_a_manual_sgd_step():
    deepgrad.random.set_seed(0)
    model = keras.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], dtype="float32")
    y = np.array([[1.0], [0.0]], dtype="float32")
    w, b = model.get_weights()
    pred = x @ w + b
    grad_w = x.T @ (2 * (pred - y) / 2)
    grad_b = (2 * (pred - y) / 2).sum(0)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, np.mean((pred - y) ** 2), rtol=1e-5)
    new_w, new_b = model.get_weights()
    np.testing.assert_allclose(new_w, w - 0.1 * grad_w, rtol=1e-5)
    np.testing.assert_allclose(new_b, b - 0.1 * grad_b, rtol=1e-5)


def test_frozen_layer_is_not_updated_and_leaves_trainable_weights():
    deepgrad.random.set_seed(0)
    x, y = blobs()
    model = mlp()
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    for before, after in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(before, after)


def test_set_weights_round_trip_gives_identical_predictions():
    x, _ = blobs()
    first, second = mlp(), mlp()
    second.set_weights(first.get_weights())
    np.testing.assert_array_equal(first.predict(x, verbose=0), second.predict(x, verbose=0))


def test_generator_and_pydataset_inputs_train():
    deepgrad.random.set_seed(0)
    x, y = blobs()

    def generator():
        while True:
            for i in range(0, len(x), 32):
                yield x[i:i + 32], y[i:i + 32]

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return len(x) // 32

        def __getitem__(self, i):
            return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(generator(), steps_per_epoch=8, epochs=5, verbose=0)
    history = model.fit(Batches(), epochs=5, verbose=0)
    assert history.history["accuracy"][-1] > 0.9


def test_sample_weight_zero_removes_samples_from_the_loss():
    deepgrad.random.set_seed(0)
    x, y = blobs(n=64)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    weights = np.zeros(64, dtype="float32")
    weights[:32] = 1.0
    weighted = model.evaluate(x, y, sample_weight=weights, batch_size=64, verbose=0)
    half = model.evaluate(x[:32], y[:32], batch_size=64, verbose=0)
    np.testing.assert_allclose(weighted, half / 2, rtol=1e-5)


def test_label_count_mismatch_is_refused_before_training():
    x, y = blobs()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"'x' sizes: 256.*\n'y' sizes: 255"):
        model.fit(x, y[:-1], verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_wrong_input_shape_names_the_layer_and_both_shapes():
    model = mlp(features=8)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 8\), found shape=\(2, 5\)"):
        model.predict(np.zeros((2, 5), dtype="float32"), verbose=0)


def test_fit_before_compile_says_compile():
    with pytest.raises(RuntimeError, match="compile"):
        mlp().fit(*blobs(), verbose=0)


def test_unknown_identifiers_list_valid_names():
    with pytest.raises(ValueError, match="adam"):
        mlp().compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="mean_squared_error"):
        model = mlp()
        model.compile(optimizer="adam", loss="mean_sqared_error")
        model.fit(*blobs(), verbose=0)


def test_dense_on_rank_3_input_acts_on_last_axis():
    inputs = keras.Input(shape=(28, 28))
    outputs = layers.Dense(128)(inputs)
    assert outputs.shape == (None, 28, 128)


def test_sequential_deferred_build_and_summary_before_build_errors():
    model = keras.Sequential([layers.Dense(4), layers.Dense(2)])
    with pytest.raises(ValueError, match="not been built"):
        model.summary()
    model(np.zeros((3, 5), dtype="float32"))
    assert model.count_params() == (5 * 4 + 4) + (4 * 2 + 2)


def test_first_batch_of_a_deferred_model_updates_the_weights_it_creates():
    deepgrad.random.set_seed(0)
    x, y = blobs(n=32)
    model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(3)])
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    first = model.train_on_batch(x, y)
    assert len(model.weights) == 4
    second = model.test_on_batch(x, y)
    assert second < first


def test_inputs_one_axis_off_are_adjusted_as_keras_3():
    """(N, d, 1) feeds an Input of (None, d) and (N,) an Input of (None, 1); other ranks fail."""
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    x = np.arange(12, dtype="float32").reshape(4, 3)
    np.testing.assert_array_equal(model.predict(x[..., None], verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(4, 3, 2\)"):
        model.predict(np.ones((4, 3, 2)), verbose=0)
    inputs = keras.Input(shape=(1,))
    column = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    assert column.predict(np.ones(5, dtype="float32"), verbose=0).shape == (5, 2)
