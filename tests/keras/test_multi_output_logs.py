"""Multi-output training logged as Keras 3 logs it, and validation numbers equal to Keras' from the same weights.

Each case builds the same model in Keras 3 and in deepgrad, copies Keras' initial weights into ours,
trains both the same way (SGD, shuffle=False) and compares, keys in order and values: fit's history,
the logs every callback hook receives, evaluate() as a dict and as a list, train_on_batch,
test_on_batch and metrics_names. Keras' rules (keras/src/trainers/compile_utils.py, trainer.py):
logs have their keys sorted; with more than one loss each output adds '<output>_loss', its
unweighted loss; a metric of output 'digit' is logged as 'digit_<name>'; evaluate()'s list puts
loss, the per-output losses, then the other keys sorted.

The validation tests pin what issue 11 asked about: from identical weights and the same data order,
a two-output model with BatchNormalization and Dropout gets Keras' validation numbers (validation
split, inference-mode BatchNormalization, Dropout at inference, per-output metrics).
"""
import numpy as np
import pytest

keras_ref = pytest.importorskip("keras", reason="Keras 3 is a test extra (pip install keras) for parity tests")

from deepgrad import keras  # noqa: E402
from deepgrad.keras.datasets import mnist  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(48, 8)).astype("float32")
DIGIT = RNG.integers(0, 10, size=48)
PARITY = (DIGIT % 2).astype("float32")[:, None]
SAMPLE_WEIGHT = RNG.uniform(0.2, 2.0, size=48).astype("float32")
HOOKS = ("on_train_batch_end", "on_test_batch_end", "on_test_end", "on_epoch_end", "on_train_end")


def two_outputs(lib):
    L = lib.layers
    inputs = lib.Input((8,), name="features")
    hidden = L.Dense(16, activation="relu", name="hidden")(inputs)
    digit = L.Dense(10, activation="softmax", name="digit")(hidden)
    parity = L.Dense(1, activation="sigmoid", name="parity")(hidden)
    return lib.Model(inputs, [digit, parity])


def dict_outputs(lib):
    """Outputs as a dict whose keys are not the layers' names (nor in sorted order)."""
    model = two_outputs(lib)
    return lib.Model(model.input, {"z_digit": model.output[0], "a_parity": model.output[1]})


def one_output(lib):
    inputs = lib.Input((8,))
    return lib.Model(inputs, lib.layers.Dense(10, activation="softmax", name="digit")(inputs))


def one_output_in_a_list(lib):
    model = one_output(lib)
    return lib.Model(model.input, [model.output])


def subclassed(lib):
    class TwoHeads(lib.Model):
        def __init__(self):
            super().__init__()
            self.digit = lib.layers.Dense(10, activation="softmax", name="digit")
            self.parity = lib.layers.Dense(1, activation="sigmoid", name="parity")

        def call(self, x):
            return [self.digit(x), self.parity(x)]

    model = TwoHeads()
    model(X[:2])
    return model


SCC, BCE = "sparse_categorical_crossentropy", "binary_crossentropy"
LIST_Y, DICT_Y = [DIGIT, PARITY], {"digit": DIGIT, "parity": PARITY}

# name: (model, compile arguments given the library, y, fit's extra arguments)
CASES = {
    "lists": (two_outputs, lambda lib: dict(loss=[SCC, BCE], metrics=[["accuracy"], ["accuracy", "mse"]]),
              LIST_Y, {}),
    "dicts_with_loss_weights": (two_outputs, lambda lib: dict(
        loss={"parity": BCE, "digit": SCC}, loss_weights={"digit": 1.0, "parity": 0.5},
        metrics={"digit": "accuracy", "parity": ["accuracy", "auc"]}), DICT_Y, {}),
    "one_output_has_no_loss": (two_outputs, lambda lib: dict(
        loss={"digit": SCC, "parity": None}, metrics={"digit": "accuracy", "parity": "accuracy"}), DICT_Y, {}),
    "loss_weights_no_metrics": (two_outputs, lambda lib: dict(loss=[SCC, BCE], loss_weights=[0.3, 2.0]),
                                LIST_Y, {}),
    "weighted_and_repeated_metrics": (two_outputs, lambda lib: dict(
        loss=[SCC, BCE], metrics=[["accuracy", "accuracy"], [lib.metrics.BinaryAccuracy(name="acc")]],
        weighted_metrics=[["accuracy"], ["accuracy"]]), LIST_Y, {"sample_weight": SAMPLE_WEIGHT}),
    "y_dict_loss_list": (two_outputs, lambda lib: dict(loss=[SCC, BCE], metrics={"parity": "accuracy"}),
                         DICT_Y, {}),
    "dict_outputs": (dict_outputs, lambda lib: dict(
        loss={"z_digit": SCC, "a_parity": BCE}, metrics={"z_digit": "accuracy", "a_parity": "accuracy"}),
        {"z_digit": DIGIT, "a_parity": PARITY}, {}),
    "subclassed": (subclassed, lambda lib: dict(loss=[SCC, BCE], metrics=[["accuracy"], ["accuracy"]]),
                   LIST_Y, {}),
    "single_output": (one_output, lambda lib: dict(loss=SCC, metrics=["accuracy"]), DIGIT, {}),
    "single_output_in_a_list": (one_output_in_a_list, lambda lib: dict(loss=[SCC], metrics=["accuracy"]),
                                [DIGIT], {}),
}


def recorder(lib):
    """A callback that keeps the logs of the last call of each hook."""
    class Recorder(lib.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.logs = {}

        def on_train_batch_end(self, batch, logs=None):
            self.logs["on_train_batch_end"] = dict(logs)

        def on_test_batch_end(self, batch, logs=None):
            self.logs["on_test_batch_end"] = dict(logs)

        def on_test_end(self, logs=None):
            self.logs["on_test_end"] = dict(logs)

        def on_epoch_end(self, epoch, logs=None):
            self.logs["on_epoch_end"] = dict(logs)

        def on_train_end(self, logs=None):
            self.logs["on_train_end"] = dict(logs)

    return Recorder()


def run(lib, case, weights=None):
    """Everything the model logs, trained as the case says; returns (results, the initial weights
    by layer name: a model with dict outputs orders its layers unlike Keras')."""
    build, compile_args, y, fit_args = CASES[case]
    model = build(lib)
    if weights is None:
        weights = {layer.name: [np.asarray(w) for w in layer.get_weights()]
                   for layer in model.layers if layer.weights}
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(weights[layer.name])
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), **compile_args(lib))
    callback = recorder(lib)
    results = {"metrics_names_before": model.metrics_names}
    history = model.fit(X, y, batch_size=16, epochs=2, validation_split=0.25, shuffle=False, verbose=0,
                        callbacks=[callback], **fit_args)
    results.update(history=history.history, metrics_names=model.metrics_names,
                   evaluate_dict=model.evaluate(X, y, batch_size=16, verbose=0, return_dict=True),
                   evaluate_list=model.evaluate(X, y, batch_size=16, verbose=0),
                   train_on_batch=model.train_on_batch(X, y, return_dict=True),
                   test_on_batch=model.test_on_batch(X, y),
                   **{hook: callback.logs[hook] for hook in HOOKS})
    return results, weights


def assert_same(ours, theirs, where):
    """Same keys in the same order and the same values (dicts of floats or of lists, lists, floats)."""
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)) and theirs and isinstance(theirs[0], str):
        assert list(ours) == list(theirs), where
    else:
        np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                                   rtol=1e-5, atol=1e-6, err_msg=where)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", list(CASES))
def test_logs_match_keras(case):
    theirs, weights = run(keras_ref, case)
    ours, _ = run(keras, case, weights)
    for what in theirs:
        assert_same(ours[what], theirs[what], f"{case}: {what}")


def test_two_outputs_log_one_loss_per_output_in_keras_order():
    ours, _ = run(keras, "dicts_with_loss_weights")
    history = ours["history"]
    assert list(history) == [
        "digit_accuracy", "digit_loss", "loss", "parity_accuracy", "parity_auc", "parity_loss",
        "val_digit_accuracy", "val_digit_loss", "val_loss", "val_parity_accuracy", "val_parity_auc",
        "val_parity_loss",
    ]
    assert ours["metrics_names"] == ["loss", "compile_metrics", "digit_loss", "parity_loss"]
    # The per-output losses are unweighted; the loss is their sum with loss_weights.
    logs = ours["evaluate_dict"]
    assert logs["loss"] == pytest.approx(logs["digit_loss"] + 0.5 * logs["parity_loss"], rel=1e-6)
    assert ours["evaluate_list"][:3] == [logs["loss"], logs["digit_loss"], logs["parity_loss"]]


def test_a_single_output_logs_only_loss_and_its_metrics():
    ours, _ = run(keras, "single_output")
    assert list(ours["history"]) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert ours["metrics_names"] == ["loss", "compile_metrics"]


def test_metrics_see_no_sample_weights_and_weighted_metrics_do():
    keras.utils.set_random_seed(0)
    model = two_outputs(keras)
    model.compile(optimizer="sgd", loss=[SCC, BCE], metrics=[["accuracy"], []],
                  weighted_metrics=[["accuracy"], []])
    correct = np.argmax(model.predict(X, verbose=0)[0], axis=-1) == DIGIT
    assert 0 < correct.mean() < 1
    weights = correct.astype("float32") + 0.5  # right answers weigh 3 times the wrong ones
    logs = model.test_on_batch(X, LIST_Y, sample_weight=weights, return_dict=True)
    assert logs["digit_accuracy"] == pytest.approx(correct.mean())
    assert logs["digit_weighted_accuracy"] == pytest.approx((weights * correct).sum() / weights.sum())


# ---- the validation gap of issue 11 ---------------------------------------------------------------

N_SAMPLES = 600


def bn_dropout_model(lib, rate):
    """The issue's shape of model: a shared body with BatchNormalization and Dropout, two heads."""
    L = lib.layers
    inputs = lib.Input((28, 28), name="image")
    hidden = L.Dense(32, use_bias=False)(L.Flatten()(inputs))
    hidden = L.Dropout(rate)(L.Activation("relu")(L.BatchNormalization()(hidden)))
    digit = L.Dense(10, activation="softmax", name="digit")(hidden)
    parity = L.Dense(1, activation="sigmoid", name="parity")(hidden)
    model = lib.Model(inputs, [digit, parity])
    model.compile(optimizer=lib.optimizers.Adam(learning_rate=1e-3),
                  loss={"digit": SCC, "parity": BCE}, metrics={"digit": ["accuracy"], "parity": ["accuracy"]})
    return model


def mnist_digits_and_parity():
    (x, y), _ = mnist.load_data(sample=True)
    x, y = (x[:N_SAMPLES] / 255.0).astype("float32"), y[:N_SAMPLES]
    return x, {"digit": y, "parity": (y % 2).astype("float32")[:, None]}


@pytest.mark.filterwarnings("ignore")
def test_bn_model_validation_numbers_match_keras_from_identical_weights():
    """Same weights, same data order, no Dropout noise: the same history, val_ numbers included,
    and the same BatchNormalization moving statistics (momentum 0.99, biased batch variance)."""
    x, y = mnist_digits_and_parity()
    theirs, ours = bn_dropout_model(keras_ref, 0.0), bn_dropout_model(keras, 0.0)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    fit = dict(epochs=3, batch_size=64, validation_split=0.2, shuffle=False, verbose=0)
    their_history, our_history = theirs.fit(x, y, **fit).history, ours.fit(x, y, **fit).history
    assert list(our_history) == list(their_history)
    for key in their_history:
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=1e-4, atol=1e-4, err_msg=key)
    their_bn = next(layer for layer in theirs.layers if isinstance(layer, keras_ref.layers.BatchNormalization))
    our_bn = next(layer for layer in ours.layers if isinstance(layer, keras.layers.BatchNormalization))
    for theirs_w, ours_w in zip(their_bn.get_weights(), our_bn.get_weights()):
        np.testing.assert_allclose(ours_w, np.asarray(theirs_w), atol=1e-4)
    assert np.abs(our_bn.get_weights()[2]).max() > 0.05  # the moving mean has moved


@pytest.mark.filterwarnings("ignore")
def test_bn_and_dropout_at_inference_match_keras_on_the_validation_split():
    """Weights (moving statistics included) from a Keras model trained with Dropout(0.5): evaluating
    the last 20% of the samples, the part validation_split takes, gives Keras' numbers."""
    x, y = mnist_digits_and_parity()
    theirs, ours = bn_dropout_model(keras_ref, 0.5), bn_dropout_model(keras, 0.5)
    theirs.fit(x, y, epochs=1, batch_size=64, verbose=0)
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
    cut = int(N_SAMPLES * 0.8)
    val_x, val_y = x[cut:], {k: v[cut:] for k, v in y.items()}
    their_logs = theirs.evaluate(val_x, val_y, batch_size=64, verbose=0, return_dict=True)
    our_logs = ours.evaluate(val_x, val_y, batch_size=64, verbose=0, return_dict=True)
    assert_same(our_logs, their_logs, "evaluate")
    for a, b in zip(ours.predict(val_x, verbose=0), theirs.predict(val_x, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
