"""keras.callbacks.Diagnostics: each warning on a model that has that problem, with its numbers.

Every model is small and seeded; the numbers asserted are those of deepgrad's own run (the
diagnostics are deepgrad's: Keras and TensorFlow have no such callback to compare with), with
margins wide enough to hold across platforms.
"""
import csv
import math
import warnings

import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad.keras.callbacks import CSVLogger, Diagnostics
from deepgrad.keras.diagnostics import DiagnosticsWarning


def _data(n, d=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).astype("float32")
    return x, y


def _fit(model, x, y, diag, **kwargs):
    kwargs.setdefault("epochs", 2)
    kwargs.setdefault("batch_size", 32)
    return model.fit(x, y, verbose=0, callbacks=[diag], **kwargs)


def _kinds(diag):
    return [w.kind for w in diag.warnings]


def test_deep_sigmoid_net_has_vanishing_gradients():
    keras.utils.set_random_seed(0)
    x, y = _data(256)
    model = keras.Sequential([keras.Input((8,))]
                             + [keras.layers.Dense(16, activation="sigmoid", name=f"s{i}") for i in range(9)]
                             + [keras.layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    diag = Diagnostics()
    with pytest.warns(DiagnosticsWarning, match="Vanishing gradients: the gradient norm of the first layer 's0'"):
        history = _fit(model, x, y, diag)
    h = history.history
    assert _kinds(diag) == ["vanishing_gradients"]
    record = diag.warnings[0]
    assert (record.layer, record.values["last_layer"]) == ("s0", "out")
    first, last = h["diagnostics/s0/grad_norm"][0], h["diagnostics/out/grad_norm"][0]
    assert record.values["ratio"] == pytest.approx(first / last)
    assert first / last < 1e-5  # ten sigmoid layers: ~4e-6
    assert "Each of the 10 sigmoid or tanh layers multiplies the gradient" in record.message
    # the gradient norm shrinks layer after layer on the way back
    norms = [h[f"diagnostics/s{i}/grad_norm"][0] for i in range(9)] + [last]
    assert all(a < b for a, b in zip(norms, norms[1:]))
    assert len(h["diagnostics/s0/update_ratio"]) == 2 and h["diagnostics/s0/update_ratio"][0] < 1e-6
    assert 0.0 <= h["diagnostics/s3/saturated_fraction"][0] <= 1.0


def test_too_large_learning_rate_is_flagged_as_divergence():
    # linear least squares: the Hessian is 2 E[x x^T] ~ 2 I, so SGD with lr 1.5 > 1 multiplies
    # the error by ~2 each step and the loss by ~4
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, name="linear")])
    model.compile(optimizer=keras.optimizers.SGD(1.5), loss="mse")
    diag = Diagnostics(warn=False)
    history = _fit(model, x, y, diag, epochs=1, shuffle=False)
    assert "divergence" in _kinds(diag)
    record = diag.warnings[_kinds(diag).index("divergence")]
    assert record.values["factor"] > 10
    assert "learning rate (1.5) is likely too large" in record.message
    assert record.epoch == 0 and record.batch <= 3  # found within the first batches
    assert history.history["loss"][0] > 100 * record.values["reference"]


def test_large_initial_weights_give_exploding_gradients():
    # six linear layers whose weights have standard deviation 1 each multiply the signal by ~sqrt(32)
    keras.utils.set_random_seed(12)
    x, y = _data(64)
    init = keras.initializers.RandomNormal(stddev=1.0)
    model = keras.Sequential([keras.Input((8,))]
                             + [keras.layers.Dense(32, kernel_initializer=init, name=f"l{i}") for i in range(6)]
                             + [keras.layers.Dense(1, kernel_initializer=init, name="out")])
    model.compile(optimizer=keras.optimizers.SGD(1e-12), loss="mse")
    diag = Diagnostics(warn=False)
    history = _fit(model, x, y, diag, epochs=1)
    assert _kinds(diag) == ["exploding_gradients"]
    record = diag.warnings[0]
    norms = {name: history.history[f"diagnostics/{name}/grad_norm"][0] for name in record.values["layers"]}
    assert list(norms) == [f"l{i}" for i in range(6)] + ["out"]  # all of them, ~2e9 to ~5e9
    assert all(v > 1e9 for v in norms.values())
    assert record.layer == max(norms, key=norms.get) and record.values["grad_norm"] == max(norms.values())
    assert "lower the learning rate, clip the gradients" in record.message


def test_overflowing_loss_stops_training_outside_the_layers():
    # the learning rate of the test above, 1000 times larger: the squared error overflows float32
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, name="linear")])
    model.compile(optimizer=keras.optimizers.SGD(1500.0), loss="mse")
    diag = Diagnostics(warn=False, verbose=0)
    with np.errstate(all="ignore"):
        _fit(model, x, y, diag, shuffle=False)
    assert _kinds(diag) == ["divergence", "non_finite"]
    origin = diag.nan_origin
    assert (origin["phase"], origin["layer"], origin["op"], origin["value"]) == (
        "forward", "(outside any layer)", "square", "Inf")
    message = diag.warnings[1].message
    assert "in the forward pass, outside any layer (in the loss, the metrics or the optimizer), " \
           "made by the op 'square' from finite inputs" in message
    assert "The loss was rising before (from 6.311 to" in message and "(1.5e+03) is likely too large" in message


def test_relu_layer_with_large_negative_bias_is_dead():
    keras.utils.set_random_seed(2)
    x, y = _data(128)
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(32, activation="relu", name="healthy_relu"),
        keras.layers.Dense(32, activation="relu", bias_initializer=keras.initializers.Constant(-10.0),
                           name="dead_relu"),
        keras.layers.Dense(1, activation="sigmoid", name="out"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    diag = Diagnostics(warn=False)
    history = _fit(model, x, y, diag)
    h = history.history
    assert all(v >= 0.9 for v in h["diagnostics/dead_relu/dead_relu_fraction"])
    assert h["diagnostics/dead_relu/dead_relu_fraction"][0] == 1.0
    assert h["diagnostics/healthy_relu/dead_relu_fraction"][0] < 0.2
    # a dead layer passes no gradient: the layer below it gets none
    assert h["diagnostics/healthy_relu/grad_norm"][0] == 0.0
    assert _kinds(diag) == ["vanishing_gradients", "dead_relu"]
    vanishing, dead = diag.warnings
    assert dead.layer == "dead_relu" and dead.values["dead_relu_fraction"] == 1.0
    assert "100% of the units of layer 'dead_relu' output 0" in dead.message
    # the dead layer is named as the reason why the first layer gets no gradient
    assert (vanishing.layer, vanishing.values["ratio"]) == ("healthy_relu", 0.0)
    assert "The dead ReLU layers 'dead_relu' pass no gradient back." in vanishing.message


def test_log_of_zero_stops_training_and_names_the_layer_and_op():
    keras.utils.set_random_seed(3)
    x, y = _data(96)
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(4, name="before"),
        keras.layers.Lambda(lambda t: keras.ops.log(t - t), output_shape=(4,), name="log_of_zero"),
        keras.layers.Dense(1, name="after"),
    ])
    model.compile(optimizer="sgd", loss="mse")
    diag = Diagnostics(warn=False, verbose=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        history = _fit(model, x, y, diag, epochs=3)
    origin = diag.nan_origin
    assert (origin["phase"], origin["layer"], origin["op"], origin["produced"]) == (
        "forward", "log_of_zero", "log", True)
    assert origin["value"] == "Inf" and (origin["epoch"], origin["batch"]) == (0, 0)
    assert model.stop_training and len(history.epoch) == 1
    assert _kinds(diag) == ["non_finite"]
    assert diag.warnings[0].message.startswith(
        "Training stopped at epoch 1, batch 1: the first Inf appeared in the forward pass, "
        "in layer 'log_of_zero', made by the op 'log' from finite inputs.")


def test_nan_made_by_a_gradient_is_found_in_the_backward_pass():
    # sqrt(0) is finite, its derivative 1 / (2 sqrt(0)) is not
    keras.utils.set_random_seed(4)
    x, y = _data(64)
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(4, name="before"),
        keras.layers.Lambda(lambda t: keras.ops.sqrt(t - t), output_shape=(4,), name="sqrt_of_zero"),
        keras.layers.Dense(1, name="after"),
    ])
    model.compile(optimizer="sgd", loss="mse")
    diag = Diagnostics(warn=False, verbose=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        _fit(model, x, y, diag)
    origin = diag.nan_origin
    assert (origin["phase"], origin["layer"], origin["op"]) == ("backward", "sqrt_of_zero", "sqrt")
    assert "in the backward pass, in layer 'sqrt_of_zero', made by the op 'sqrt'" in diag.warnings[0].message


def test_overfitting_is_detected():
    # 16 training samples with random labels, a 2x256 network, validation from another distribution
    keras.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(16, 8)).astype("float32")
    y = rng.integers(0, 2, size=(16, 1)).astype("float32")
    xv = rng.normal(loc=1.0, size=(64, 8)).astype("float32")
    yv = rng.integers(0, 2, size=(64, 1)).astype("float32")
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    diag = Diagnostics(warn=False)
    history = _fit(model, x, y, diag, epochs=6, batch_size=16, validation_data=(xv, yv))
    assert "overfitting" in _kinds(diag)
    record = diag.warnings[_kinds(diag).index("overfitting")]
    v = record.values
    assert v["loss_now"] < v["loss_then"] and v["val_loss_now"] > 1.01 * v["val_loss_then"]
    h = history.history
    assert v["val_loss_now"] == h["val_loss"][record.epoch]
    for remedy in ("regularization", "dropout", "batch normalization", "early stopping", "more",
                   "learning-rate schedule"):
        assert remedy in record.message


def test_healthy_model_gets_no_warning_and_csv_and_history_keep_the_keys(tmp_path):
    keras.utils.set_random_seed(6)
    x, y = _data(512)
    xv, yv = _data(128, seed=7)
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(16, activation="relu", name="hidden"),
        keras.layers.Dense(1, activation="sigmoid", name="out"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    diag = Diagnostics()
    path = tmp_path / "log.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error", DiagnosticsWarning)
        history = model.fit(x, y, epochs=4, batch_size=32, verbose=0, validation_data=(xv, yv),
                            callbacks=[diag, CSVLogger(str(path))])
    assert diag.warnings == [] and diag.nan_origin is None
    h = history.history
    assert h["val_accuracy"][-1] > 0.9
    keys = ["diagnostics/hidden/dead_relu_fraction", "diagnostics/hidden/grad_norm",
            "diagnostics/hidden/update_ratio", "diagnostics/out/saturated_fraction",
            "diagnostics/out/grad_norm", "diagnostics/out/update_ratio"]
    assert [k for k in h if k.startswith("diagnostics/")] == keys
    assert all(len(h[k]) == 4 and all(math.isfinite(v) for v in h[k]) for k in keys)
    assert all(1e-5 < v < 0.5 for v in h["diagnostics/out/update_ratio"])
    assert len(diag.records) == 4 and [r["batch"] for r in diag.records] == [15] * 4
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert float(rows[2]["diagnostics/hidden/grad_norm"]) == pytest.approx(h["diagnostics/hidden/grad_norm"][2])


def test_every_n_batches_probes_and_restores_the_layers():
    keras.utils.set_random_seed(8)
    x, y = _data(128)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="tanh", name="t"),
                              keras.layers.Dense(1, name="o")])
    model.compile(optimizer="sgd", loss="mse")
    diag = Diagnostics(every_n_batches=3, warn=False)
    history = _fit(model, x, y, diag, epochs=2)  # 4 batches an epoch: probes at fit batches 3, 6
    assert [(r["epoch"], r["batch"], r["step"]) for r in diag.records] == [(0, 2, 2), (1, 1, 5)]
    assert history.history["diagnostics/o/grad_norm"] == [r["diagnostics/o/grad_norm"] for r in diag.records]
    assert 0.0 <= history.history["diagnostics/t/saturated_fraction"][0] < 0.5
    diag = Diagnostics(every_n_batches=6, warn=False)
    history = _fit(model, x, y, diag, epochs=2)  # no probe in the first epoch: NaN there, keys all present
    assert [k for k in history.history if k.startswith("diagnostics/")] == [
        "diagnostics/t/saturated_fraction", "diagnostics/t/grad_norm", "diagnostics/t/update_ratio",
        "diagnostics/o/grad_norm", "diagnostics/o/update_ratio"]
    assert math.isnan(history.history["diagnostics/o/grad_norm"][0])
    assert history.history["diagnostics/o/grad_norm"][1] == diag.records[0]["diagnostics/o/grad_norm"]
    assert all("call" not in layer.__dict__ for layer in model._flatten_layers())
    assert deepgrad.ops.table._observer == [None, None]


def test_grad_norm_is_the_norm_of_the_backpropagated_gradient_in_a_functional_model():
    keras.utils.set_random_seed(13)
    x, y = _data(48)
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(6, activation="tanh", name="h")(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="o")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with deepgrad.GradientTape() as tape:
        loss = keras.losses.binary_crossentropy(y, model(x, training=True)).mean()
    grads = tape.gradient(loss, model.trainable_weights)
    expected = [np.sqrt(np.sum(grads[0].numpy() ** 2) + np.sum(grads[1].numpy() ** 2)),
                np.sqrt(np.sum(grads[2].numpy() ** 2) + np.sum(grads[3].numpy() ** 2))]
    kernel, bias = model.get_weights()[:2]
    saturated = np.mean(np.abs(np.tanh(x.astype("float64") @ kernel + bias)) > 0.99)
    diag = Diagnostics(warn=False)
    history = _fit(model, x, y, diag, epochs=1, batch_size=48)  # one batch: the initial weights
    h = history.history
    np.testing.assert_allclose([h["diagnostics/h/grad_norm"][0], h["diagnostics/o/grad_norm"][0]],
                               expected, rtol=1e-5)
    assert h["diagnostics/h/saturated_fraction"][0] == pytest.approx(saturated, abs=1 / 288)


def test_a_fit_that_raises_leaves_nothing_behind_after_the_next_fit():
    class Fails(keras.layers.Layer):
        armed = True

        def call(self, t, training=None):
            if Fails.armed and training:
                raise RuntimeError("boom")
            return t

    keras.utils.set_random_seed(14)
    x, y = _data(32)
    model = keras.Sequential([keras.Input((8,)), Fails(name="fails"), keras.layers.Dense(1, name="d")])
    model.compile(optimizer="sgd", loss="mse")
    diag = Diagnostics(warn=False)
    with pytest.raises(RuntimeError, match="boom"):
        _fit(model, x, y, diag, epochs=1)
    assert "call" in model.get_layer("d").__dict__  # the batch never ended
    Fails.armed = False
    _fit(model, x, y, Diagnostics(warn=False), epochs=1)
    assert all("call" not in layer.__dict__ for layer in model._flatten_layers())
    assert deepgrad.ops.table._observer == [None, None]


def test_update_ratio_is_the_relative_size_of_the_step():
    # plain SGD: the step is lr * grad, so update_ratio = lr * grad_norm / ||W|| exactly
    keras.utils.set_random_seed(9)
    x, y = _data(32)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, name="lin")])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    model.build((None, 8))
    before = np.sqrt(sum(float(np.sum(w.astype("float64") ** 2)) for w in model.get_weights()))
    diag = Diagnostics(warn=False)
    history = _fit(model, x, y, diag, epochs=1)
    h = history.history
    assert h["diagnostics/lin/update_ratio"][0] == pytest.approx(
        0.05 * h["diagnostics/lin/grad_norm"][0] / before, rel=1e-4)


def test_diagnostics_inside_a_profile():
    from deepgrad import profiler

    keras.utils.set_random_seed(10)
    x, y = _data(64)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, name="lin")])
    model.compile(optimizer="sgd", loss="mse")
    diag = Diagnostics(warn=False)
    with profiler.profile() as prof:
        _fit(model, x, y, diag, epochs=1)
    assert prof.calls("dense_bias_act") >= 2 or prof.calls("matmul") >= 2
    assert math.isfinite(diag.records[0]["diagnostics/lin/grad_norm"])
    assert deepgrad.ops.table._observer == [None, None]


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # tbparse on pandas 3
def test_log_dir_writes_tensorboard_scalars(tmp_path):
    tbparse = pytest.importorskip("tbparse")
    keras.utils.set_random_seed(11)
    x, y = _data(64)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, name="lin")])
    model.compile(optimizer="sgd", loss="mse")
    diag = Diagnostics(warn=False, log_dir=str(tmp_path))
    history = _fit(model, x, y, diag, epochs=2)
    frame = tbparse.SummaryReader(str(tmp_path / "diagnostics")).tensors  # TF 2 writes scalar tensors
    grad = frame[frame.tag == "diagnostics/lin/grad_norm"].sort_values("step")
    assert list(grad.step) == [0, 1]
    np.testing.assert_allclose(grad.value, history.history["diagnostics/lin/grad_norm"], rtol=1e-6)


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="every_n_batches must be None or an int >= 1. Received: every_n_batches=0"):
        Diagnostics(every_n_batches=0)
    with pytest.raises(ValueError, match="overfit_patience"):
        Diagnostics(overfit_patience=0)


@pytest.mark.parametrize("verbose", [1, 2])
def test_the_progress_bar_leaves_the_diagnostics_to_the_history(capsys, verbose):
    keras.utils.set_random_seed(3)
    x, y = _data(128)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="relu", name="hidden"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=verbose, callbacks=[Diagnostics(verbose=0)])
    out = capsys.readouterr().out
    assert "loss:" in out and "diagnostics/" not in out
    assert len(history.history["diagnostics/hidden/grad_norm"]) == 2
