"""Keras 3's trainer contract: train_step(data), test_step(data), predict_step(data), checked against Keras.

Each program below is written once, as a function of the library (Keras 3 on its PyTorch backend, or
deepgrad.keras) and of a small `Backend` that differs only in how gradients are taken (torch autograd
for Keras, deepgrad's GradientTape for us). Both run it from the same initial weights (Keras' copied
into ours) on the same data (shuffle=False), and the tests compare what fit, evaluate and predict
return and log: History (keys and values per epoch), the logs the callbacks receive, evaluate() as a
dict and as a list, metrics_names, and the final weights.

The programs are the patterns of Keras' guide "Customizing what happens in fit()", in our words:
(a) a train_step with compute_loss and the compiled metrics, (b) a 'loss' Mean created in __init__
and a `metrics` property with no loss in compile, (c) sample weights unpacked from the data,
(d) a custom test_step with evaluate, (e) a small GAN with two optimizers, (f) tf.keras 2's
compiled_loss / compiled_metrics (which Keras 3 keeps on its TensorFlow backend only: the Keras side
of that program gets the same two methods as Keras' TensorFlow trainer defines them).
"""
import warnings

import numpy as np
import pytest

keras_ref = pytest.importorskip("keras", reason="Keras 3 is a test extra (pip install keras) for parity tests")
torch = pytest.importorskip("torch")

import deepgrad  # noqa: E402
from deepgrad import keras  # noqa: E402

TOL = dict(rtol=1e-5, atol=1e-6)
RNG = np.random.default_rng(7)
X = RNG.normal(size=(40, 4)).astype("float32")
Y = (X @ RNG.normal(size=(4, 1)) + 0.3 * RNG.normal(size=(40, 1))).astype("float32")
SW = RNG.uniform(0.2, 2.0, size=40).astype("float32")
LABELS = (X[:, 0] > 0).astype("int64")


# ---------------------------------------------------------------------------- the two backends


class _TorchTape:
    """Keras on torch: the graph is always recorded; gradients by torch.autograd."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def gradient(self, loss, variables):
        return list(torch.autograd.grad(loss, [v.value for v in variables]))


class Backend:
    """What differs between the two libraries in a custom train_step: taking gradients."""

    def __init__(self, lib):
        self.lib = lib
        self.is_keras = lib is keras_ref

    def tape(self):
        return _TorchTape() if self.is_keras else deepgrad.GradientTape()


KERAS, OURS = Backend(keras_ref), Backend(keras)


def legacy_shims(B):
    """Keras 3's TensorFlow trainer keeps tf.keras 2's compiled_loss / compiled_metrics (deprecated);
    its torch trainer has neither. For the Keras side, a mixin with the same two methods as
    keras/src/backend/tensorflow/trainer.py defines them; deepgrad has them itself."""
    if not B.is_keras:
        class NoShims:
            pass

        return NoShims

    class Shims:
        def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
            return self.compute_loss(x=None, y=y, y_pred=y_pred, sample_weight=sample_weight)

        @property
        def compiled_metrics(self):
            model = self

            class Deprecated:
                def update_state(self, y, y_pred, sample_weight=None):
                    for metric in model.metrics:
                        if isinstance(metric, keras_ref.metrics.Mean):
                            metric.update_state(y_pred, sample_weight=sample_weight)
                        else:
                            metric.update_state(y, y_pred, sample_weight=sample_weight)

            return Deprecated()

    return Shims


# ---------------------------------------------------------------------------- helpers


def regressor(lib, model_class=None, regularized=False):
    """A functional 4 -> 8 -> 1 network, as `model_class` (a Model subclass) or a plain Model."""
    inputs = lib.Input((4,))
    reg = lib.regularizers.L2(0.01) if regularized else None
    hidden = lib.layers.Dense(8, activation="relu", kernel_regularizer=reg)(inputs)
    outputs = lib.layers.Dense(1)(hidden)
    return (model_class or lib.Model)(inputs, outputs)


def copy_weights(src, dst):
    dst.set_weights([np.asarray(w) for w in src.get_weights()])


def recorder(lib):
    """A callback keeping the logs of each hook's last call."""

    class Recorder(lib.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.logs = {}

        def on_train_batch_end(self, batch, logs=None):
            self.logs["on_train_batch_end"] = dict(logs)

        def on_test_end(self, logs=None):
            self.logs["on_test_end"] = dict(logs)

        def on_epoch_end(self, epoch, logs=None):
            self.logs["on_epoch_end"] = dict(logs)

        def on_train_end(self, logs=None):
            self.logs["on_train_end"] = dict(logs)

    return Recorder()


def assert_same_logs(ours, theirs, what=""):
    """Same keys in the same order, values to 1e-5."""
    assert list(ours) == list(theirs), what
    for key in theirs:
        np.testing.assert_allclose(np.asarray(ours[key], dtype="float64"), np.asarray(theirs[key], dtype="float64"),
                                   err_msg=f"{what} {key}", **TOL)


def assert_same_run(ours, theirs):
    """Everything two runs recorded: History, callback logs, evaluate results, weights."""
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        if key == "weights":
            assert len(ours[key]) == len(value)
            for a, b in zip(ours[key], value):
                np.testing.assert_allclose(a, b, **TOL)
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            assert list(ours[key]) == list(value), key
            for hook in value:
                assert_same_logs(ours[key][hook], value[hook], f"{key} {hook}")
        elif isinstance(value, dict):
            assert_same_logs(ours[key], value, key)
        elif isinstance(value, list) and value and isinstance(value[0], str):
            assert ours[key] == value, key
        else:
            np.testing.assert_allclose(np.asarray(ours[key], dtype="float64"), np.asarray(value, dtype="float64"),
                                       err_msg=key, **TOL)


def fit_and_record(lib, model, *fit_args, evaluate_args=None, **fit_kwargs):
    """Fit (3 epochs, batches of 16, no shuffling) and record what the model logs."""
    callback = recorder(lib)
    history = model.fit(*fit_args, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[callback],
                        **fit_kwargs)
    results = {"history": history.history, "callbacks": callback.logs, "metrics_names": model.metrics_names,
               "weights": [np.asarray(w) for w in model.get_weights()]}
    if evaluate_args is not None:
        results["evaluate_dict"] = model.evaluate(**evaluate_args, batch_size=16, verbose=0, return_dict=True)
        results["evaluate_list"] = model.evaluate(**evaluate_args, batch_size=16, verbose=0)
    return results


def run_both(program):
    """program(B, weights) for Keras (seeded), then for us with Keras' initial weights."""
    keras_ref.utils.set_random_seed(1)
    theirs, weights = program(KERAS, None)
    ours, _ = program(OURS, weights)
    return ours, theirs


# ---------------------------------------------------------------------------- (a) compute_loss + compiled metrics


def custom_fit_class(B):
    class CustomFit(B.lib.Model):
        def train_step(self, data):
            x, y = data
            with B.tape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return CustomFit


def program_compute_loss_and_metrics(B, weights):
    model = regressor(B.lib, custom_fit_class(B))
    weights = weights or model.get_weights()
    model.set_weights(weights)
    model.compile(optimizer=B.lib.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    return fit_and_record(B.lib, model, X, Y, validation_data=(X[:16], Y[:16]), evaluate_args=dict(x=X, y=Y)), weights


def test_a_custom_train_step_with_compute_loss_and_compiled_metrics_matches_keras():
    ours, theirs = run_both(program_compute_loss_and_metrics)
    # the step's {'loss', 'compile_metrics': {'mae'}} flattened, keys sorted (as Keras' pythonify_logs)
    assert list(theirs["history"]) == ["mae", "loss", "val_loss", "val_mae"]
    assert_same_run(ours, theirs)


# ---------------------------------------------------------------------------- (b) trackers in __init__, no loss


def tracker_class(B, listed=("loss_tracker", "mae_metric")):
    class WithTrackers(B.lib.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = B.lib.metrics.Mean(name="loss")
            self.mae_metric = B.lib.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = B.lib.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data
            with B.tape() as tape:
                y_pred = self(x, training=True)
                loss = self.loss_fn(y, y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    if listed is None:  # the metrics are tracked automatically
        return WithTrackers

    class Listed(WithTrackers):
        @property
        def metrics(self):
            return [getattr(self, name) for name in listed]

    return Listed


def program_trackers(listed):
    def program(B, weights):
        model = regressor(B.lib, tracker_class(B, listed))
        weights = weights or model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer=B.lib.optimizers.Adam(learning_rate=0.01))
        return fit_and_record(B.lib, model, X, Y), weights

    return program


@pytest.mark.parametrize("listed", [("loss_tracker", "mae_metric"), None, ("loss_tracker",)],
                         ids=["metrics_property", "tracked_automatically", "one_listed_one_not_reset"])
def test_b_metrics_created_in_init_with_no_loss_in_compile_match_keras(listed):
    ours, theirs = run_both(program_trackers(listed))
    assert list(theirs["history"]) == ["loss", "mae"]
    assert_same_run(ours, theirs)


def test_b_a_metric_left_out_of_the_metrics_property_is_not_reset():
    """Keras resets exactly `self.metrics` at each epoch's start: 'mae' keeps accumulating."""
    keras_ref.utils.set_random_seed(1)
    _, weights = program_trackers(None)(KERAS, None)
    kept = program_trackers(("loss_tracker",))(OURS, weights)[0]["history"]
    reset = program_trackers(None)(OURS, weights)[0]["history"]
    assert kept["loss"] == reset["loss"]
    assert kept["mae"][0] == reset["mae"][0]
    # the error falls epoch after epoch; never reset, 'mae' averages all three epochs' batches
    assert reset["mae"][0] > reset["mae"][1] > reset["mae"][2]
    assert kept["mae"][2] == pytest.approx(np.mean(reset["mae"]), rel=1e-5)


def test_b_metrics_names_list_the_attribute_metrics_as_keras():
    names = {}
    for B in (KERAS, OURS):
        model = regressor(B.lib, tracker_class(B, None))
        before = model.metrics_names
        model.compile(optimizer="adam")
        names[B.is_keras] = (before, model.metrics_names)
    assert names[False] == names[True] == (["loss", "mae"], ["loss", "loss", "mae"])


# ---------------------------------------------------------------------------- (c) sample weights


def weighted_class(B):
    class Weighted(B.lib.Model):
        def train_step(self, data):
            x, y, sample_weight = B.lib.utils.unpack_x_y_sample_weight(data)
            with B.tape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

    return Weighted


def program_sample_weights(B, weights):
    model = regressor(B.lib, weighted_class(B))
    weights = weights or model.get_weights()
    model.set_weights(weights)
    model.compile(optimizer=B.lib.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"],
                  weighted_metrics=["mae"])
    return fit_and_record(B.lib, model, X, Y, sample_weight=SW, evaluate_args=dict(x=X, y=Y, sample_weight=SW)), weights


def test_c_sample_weights_unpacked_from_the_data_match_keras():
    ours, theirs = run_both(program_sample_weights)
    assert list(theirs["history"]) == ["mae", "weighted_mae", "loss"]
    assert_same_run(ours, theirs)


# ---------------------------------------------------------------------------- (d) custom test_step


def evaluating_class(B, extra=False):
    class Evaluating(custom_fit_class(B)):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name != "loss":
                    metric.update_state(y, y_pred)
                else:
                    metric.update_state(loss)
            logs = {m.name: m.result() for m in self.metrics}
            if extra:  # a key no metric has: evaluate's list puts it after the metrics' values
                logs["abs_mean_prediction"] = B.lib.ops.mean(B.lib.ops.abs(y_pred))
            return logs

    return Evaluating


def program_test_step(extra):
    def program(B, weights):
        model = regressor(B.lib, evaluating_class(B, extra))
        weights = weights or model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer=B.lib.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
        before = {"evaluate_untrained": model.evaluate(X, Y, batch_size=16, verbose=0)}
        results = fit_and_record(B.lib, model, X, Y, validation_data=(X[:24], Y[:24]), evaluate_args=dict(x=X, y=Y))
        return {**before, **results}, weights

    return program


@pytest.mark.parametrize("extra", [False, True], ids=["metrics_only", "extra_key"])
def test_d_a_custom_test_step_drives_evaluate_and_validation_as_keras(extra):
    ours, theirs = run_both(program_test_step(extra))
    expected = ["mae", "loss", "val_loss", "val_mae"]
    if extra:
        expected = ["mae", "loss", "val_abs_mean_prediction", "val_loss", "val_mae"]
        assert list(theirs["evaluate_dict"]) == ["abs_mean_prediction", "mae", "loss"]
        # evaluate's list: the metrics' values in self.metrics order, then the other keys
        assert theirs["evaluate_list"] == [theirs["evaluate_dict"][k] for k in ("loss", "mae", "abs_mean_prediction")]
    assert list(theirs["history"]) == expected
    assert_same_run(ours, theirs)


# ---------------------------------------------------------------------------- (e) a GAN with two optimizers

LATENT = RNG.normal(size=(40, 8, 3)).astype("float32")  # the noise of each generator call, the same in both
REAL = (RNG.normal(size=(32, 6)) * 0.5 + 1.0).astype("float32")


def gan_class(B):
    ops = B.lib.ops

    class GAN(B.lib.Model):
        def __init__(self, discriminator, generator):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.d_loss_tracker = B.lib.metrics.Mean(name="d_loss")
            self.g_loss_tracker = B.lib.metrics.Mean(name="g_loss")
            self.noise_calls = 0
            self.built = True  # no call(): fit would try to build it from the data

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def noise(self):
            z = ops.convert_to_tensor(LATENT[self.noise_calls])
            self.noise_calls += 1
            return z

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = ops.shape(real_images)[0]
            generated = self.generator(self.noise())
            combined = ops.concatenate([generated, real_images], axis=0)
            labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
            with B.tape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(combined))
            d_weights = self.discriminator.trainable_weights
            self.d_optimizer.apply(tape.gradient(d_loss, d_weights), d_weights)

            misleading_labels = ops.zeros((batch_size, 1))
            with B.tape() as tape:
                g_loss = self.loss_fn(misleading_labels, self.discriminator(self.generator(self.noise())))
            g_weights = self.generator.trainable_weights
            self.g_optimizer.apply(tape.gradient(g_loss, g_weights), g_weights)

            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    return GAN


def program_gan(B, weights):
    L = B.lib.layers
    discriminator = B.lib.Sequential([B.lib.Input((6,)), L.Dense(8), L.LeakyReLU(negative_slope=0.2), L.Dense(1)])
    generator = B.lib.Sequential([B.lib.Input((3,)), L.Dense(8, activation="relu"), L.Dense(6)])
    weights = weights or (discriminator.get_weights(), generator.get_weights())
    discriminator.set_weights(weights[0])
    generator.set_weights(weights[1])
    gan = gan_class(B)(discriminator, generator)
    gan.compile(d_optimizer=B.lib.optimizers.Adam(learning_rate=3e-3),
                g_optimizer=B.lib.optimizers.Adam(learning_rate=3e-3),
                loss_fn=B.lib.losses.BinaryCrossentropy(from_logits=True))
    callback = recorder(B.lib)
    history = gan.fit(REAL, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[callback])
    return {"history": history.history, "callbacks": callback.logs, "metrics_names": gan.metrics_names,
            "weights": [np.asarray(w) for w in discriminator.get_weights() + generator.get_weights()]}, weights


def test_e_a_gan_with_two_optimizers_in_train_step_matches_keras():
    ours, theirs = run_both(program_gan)
    assert list(theirs["history"]) == ["d_loss", "g_loss"] and theirs["metrics_names"] == ["d_loss", "g_loss"]
    assert_same_run(ours, theirs)


# ---------------------------------------------------------------------------- (f) tf.keras 2's compiled_loss


def legacy_class(B):
    class Legacy(legacy_shims(B), B.lib.Model):
        def train_step(self, data):
            x, y = data
            with B.tape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return Legacy


def program_legacy(B, weights):
    model = regressor(B.lib, legacy_class(B), regularized=True)
    weights = weights or model.get_weights()
    model.set_weights(weights)
    model.compile(optimizer=B.lib.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = fit_and_record(B.lib, model, X, Y)
    results["deprecations"] = sorted({str(w.message).split("(")[0] for w in caught if "deprecated" in str(w.message)})
    return results, weights


def test_f_legacy_compiled_loss_and_compiled_metrics_match_keras_3():
    ours, theirs = run_both(program_legacy)
    deprecations = ours.pop("deprecations")
    assert deprecations == ["`model.compiled_loss", "`model.compiled_metrics"]
    theirs.pop("deprecations")
    assert list(theirs["history"]) == ["mae", "loss"]
    assert_same_run(ours, theirs)


def test_f_compiled_loss_adds_the_regularization_losses_once():
    model = regressor(keras, legacy_class(OURS), regularized=True)
    model.compile(optimizer="sgd", loss="mse")
    y_pred = model(X)
    with pytest.warns(UserWarning, match="compiled_loss"):
        legacy = model.compiled_loss(Y, y_pred, regularization_losses=model.losses)
    mse = float(np.mean((np.asarray(y_pred) - Y) ** 2))
    penalty = 0.01 * float(np.sum(model.layers[1].get_weights()[0] ** 2))
    assert float(legacy) == pytest.approx(mse + penalty, rel=1e-5)


# ---------------------------------------------------------------------------- data packing


def leaves(data):
    if isinstance(data, (list, tuple)):
        return [leaf for d in data for leaf in leaves(d)]
    if isinstance(data, dict):
        return [leaf for d in data.values() for leaf in leaves(d)]
    return [] if data is None else [data]


def describe(data):
    """The packing of a step's data: containers kept, each tensor as T(shape)."""
    if isinstance(data, tuple):
        return tuple(describe(d) for d in data)
    if isinstance(data, list):
        return [describe(d) for d in data]
    if isinstance(data, dict):
        return {k: describe(v) for k, v in data.items()}
    if data is None:
        return None
    # Keras on torch hands the *_on_batch steps the NumPy arrays as given, and tensors elsewhere;
    # deepgrad hands tensors everywhere, as Keras on TensorFlow does.
    assert isinstance(data, (torch.Tensor, deepgrad.Tensor, np.ndarray)), type(data)
    return f"T{tuple(data.shape)}"


def spy_class(B):
    class Spy(B.lib.Model):
        def __init__(self):
            super().__init__()
            self.dense = B.lib.layers.Dense(1)
            self.seen = []
            self.leaf_types = set()

        def record(self, step, data):
            self.seen.append((step, describe(data)))
            self.leaf_types.update(type(leaf) for leaf in leaves(data))

        def call(self, x):
            if isinstance(x, dict):
                x = x["a"]
            if isinstance(x, (list, tuple)):
                x = x[0]
            return self.dense(x)

        def train_step(self, data):
            self.record("train", data)
            return {"n": 1.0}

        def test_step(self, data):
            self.record("test", data)
            return {"n": 2.0}

        def predict_step(self, data):
            self.record("predict", data)
            x, _, _ = B.lib.utils.unpack_x_y_sample_weight(data)
            return self(x)

    return Spy


def packing_program(B):
    model = spy_class(B)()
    model.compile(optimizer="sgd")
    x, y, w = X[:8], Y[:8], SW[:8]
    for kwargs in (dict(x=x), dict(x=x, y=y), dict(x=x, y=y, sample_weight=w), dict(x={"a": x}, y=y),
                   dict(x=[x, x], y=y), dict(x=x, y=[y, y], sample_weight=w)):
        model.fit(**kwargs, batch_size=8, verbose=0)
        model.evaluate(**kwargs, batch_size=8, verbose=0)
    model.fit(x, LABELS[:8], class_weight={0: 1.0, 1: 3.0}, batch_size=8, verbose=0)
    for inputs in (x, {"a": x}, [x, x]):
        model.predict(inputs, batch_size=8, verbose=0)
    model.train_on_batch(x, y)
    model.train_on_batch(x, y, sample_weight=w)
    model.test_on_batch(x, y)
    model.predict_on_batch(x)
    return model


def test_steps_receive_data_packed_as_keras_packs_it():
    theirs, ours = packing_program(KERAS).seen, packing_program(OURS)
    assert ours.leaf_types == {deepgrad.Tensor}
    ours = ours.seen
    assert ours == theirs
    assert theirs[0] == ("train", "T(8, 4)")  # x alone, not a tuple
    assert theirs[4] == ("train", ("T(8, 4)", "T(8, 1)", "T(8,)"))
    assert theirs[6] == ("train", ({"a": "T(8, 4)"}, "T(8, 1)"))


def test_generator_and_pydataset_batches_reach_the_step_unchanged():
    model = spy_class(OURS)()
    model.compile(optimizer="sgd")

    def batches():
        yield (X[:8],)
        yield (X[:8], Y[:8])
        yield [X[:8], Y[:8], SW[:8]]

    model.fit(batches(), verbose=0)

    class Pairs(keras.utils.PyDataset):
        def __len__(self):
            return 1

        def __getitem__(self, index):
            return {"a": X[:8]}, Y[:8]

    model.fit(Pairs(), verbose=0)
    assert model.seen == [("train", ("T(8, 4)",)), ("train", ("T(8, 4)", "T(8, 1)")),
                          ("train", ["T(8, 4)", "T(8, 1)", "T(8,)"]), ("train", ({"a": "T(8, 4)"}, "T(8, 1)"))]


def test_unpack_and_pack_x_y_sample_weight_match_keras():
    a, b, c = np.ones((2, 1)), np.zeros((2, 1)), np.ones(2)
    cases = [a, (a,), (a, b), (a, b, c), [a, b], {"k": a}, [a]]
    for data in cases:
        ours = keras.utils.unpack_x_y_sample_weight(data)
        theirs = keras_ref.utils.unpack_x_y_sample_weight(data)
        assert [type(o) for o in ours] == [type(t) for t in theirs]
        assert all(o is t for o, t in zip(ours, theirs))
    for args in [(a,), ([a, b],), ((a, b),), ({"k": a},), (a, b), (a, b, c), (a, None, c)]:
        ours, theirs = keras.utils.pack_x_y_sample_weight(*args), keras_ref.utils.pack_x_y_sample_weight(*args)
        assert type(ours) is type(theirs) and describe(ours) == describe(theirs)
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        keras.utils.unpack_x_y_sample_weight((a, b, c, a))


# ---------------------------------------------------------------------------- logs, errors, defaults


def test_a_default_train_step_without_a_loss_raises_keras_error_at_fit():
    messages = []
    for lib in (keras_ref, keras):
        model = regressor(lib)
        model.compile(optimizer="sgd")
        with pytest.raises(ValueError) as info:
            model.fit(X, Y, verbose=0)
        messages.append(str(info.value))
    assert messages[0] == messages[1] == "No loss to compute. Provide a `loss` argument in `compile()`."


def test_a_step_returning_tensors_logs_floats_and_a_non_dict_is_refused():
    class Returns(keras.Model):
        def train_step(self, data):
            x, y = data
            return {"first": keras.ops.mean(x), "second": deepgrad.constant(2.0)}

    model = regressor(keras, Returns)
    model.compile(optimizer="sgd")
    history = model.fit(X, Y, batch_size=40, epochs=2, verbose=0)
    assert history.history == {"first": [pytest.approx(float(X.mean()))] * 2, "second": [2.0, 2.0]}
    assert all(type(v) is float for values in history.history.values() for v in values)

    class ReturnsList(keras.Model):
        def train_step(self, data):
            return [1.0]

    model = regressor(keras, ReturnsList)
    model.compile(optimizer="sgd")
    with pytest.raises(TypeError, match=r"`train_step\(\)` should return a dict"):
        model.fit(X, Y, verbose=0)


def test_default_steps_still_match_keras_with_validation_and_evaluate():
    def program(B, weights):
        model = regressor(B.lib, regularized=True)
        weights = weights or model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer=B.lib.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
        return fit_and_record(B.lib, model, X, Y, sample_weight=SW, validation_split=0.25,
                              evaluate_args=dict(x=X, y=Y)), weights

    ours, theirs = run_both(program)
    assert_same_run(ours, theirs)


def overrides_class(B):
    """The default steps with compute_loss overridden (Keras <= 3.2's signature, no `training`) and
    compute_metrics extended with a metric of the model's own."""
    ops = B.lib.ops

    class Overrides(B.lib.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.prediction_mean = B.lib.metrics.Mean(name="prediction_mean")

        def compute_loss(self, x, y, y_pred, sample_weight):
            loss = super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
            return loss + 0.1 * ops.mean(ops.abs(y_pred))

        def compute_metrics(self, x, y, y_pred, sample_weight=None):
            results = super().compute_metrics(x, y, y_pred, sample_weight)
            self.prediction_mean.update_state(y_pred)
            results["prediction_mean"] = self.prediction_mean.result()
            return results

    return Overrides


def test_default_steps_with_compute_loss_and_compute_metrics_overridden_match_keras():
    def program(B, weights):
        model = regressor(B.lib, overrides_class(B))
        weights = weights or model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer=B.lib.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
        return fit_and_record(B.lib, model, X, Y, validation_data=(X[:16], Y[:16]),
                              evaluate_args=dict(x=X, y=Y)), weights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = run_both(program)
    assert list(theirs["history"]) == ["loss", "mae", "prediction_mean", "val_loss", "val_mae", "val_prediction_mean"]
    assert_same_run(ours, theirs)


def test_metrics_of_nested_layers_are_tracked_as_keras_tracks_them():
    def program(B, weights):
        L = B.lib.layers

        class Counting(L.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.dense = L.Dense(1)
                self.calls = B.lib.metrics.Sum(name="calls")

            def call(self, x):
                return self.dense(x)

        class Wrapper(L.Layer):
            def __init__(self):
                super().__init__()
                self.inner = Counting()

            def call(self, x):
                return self.inner(x)

        class Tracked(B.lib.Model):
            def __init__(self):
                super().__init__()
                self.wrapper = Wrapper()
                self.extra = [B.lib.metrics.Mean(name="extra")]

            def call(self, x):
                return self.wrapper(x)

        model = Tracked()
        names = [model.metrics_names]
        model(X[:2])
        weights = weights or model.get_weights()
        model.set_weights(weights)
        model.compile(optimizer=B.lib.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
        names.append(model.metrics_names)
        results = fit_and_record(B.lib, model, X, Y, evaluate_args=dict(x=X, y=Y))
        results["names"] = names
        return results, weights

    ours, theirs = run_both(program)
    assert theirs["names"] == [["extra", "calls", "calls"],
                               ["loss", "compile_metrics", "extra", "calls", "calls"]]
    assert ours.pop("names") == theirs.pop("names")
    assert_same_run(ours, theirs)


def test_a_custom_predict_step_shapes_what_predict_returns():
    for lib in (keras_ref, keras):
        class Twice(lib.Model):
            def predict_step(self, data):
                x, _, _ = lib.utils.unpack_x_y_sample_weight(data)
                y = self(x, training=False)
                return {"y": y, "double": y * 2}

        model = regressor(lib, Twice)
        if lib is keras_ref:
            weights = model.get_weights()
            theirs = model.predict(X, batch_size=16, verbose=0)
        else:
            model.set_weights(weights)
            ours = model.predict(X, batch_size=16, verbose=0)
    assert sorted(ours) == sorted(theirs) == ["double", "y"]
    for key in theirs:
        assert isinstance(ours[key], np.ndarray)
        np.testing.assert_allclose(ours[key], theirs[key], **TOL)


def test_an_unbuildable_model_gets_keras_advice():
    class NoCall(keras.Model):
        pass

    model = NoCall()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match="Unable to automatically build the model"):
        model.fit(X, Y, verbose=0)


def test_a_model_with_no_call_trains_through_its_own_train_step():
    """As on Keras' TensorFlow backend (which builds nothing before the first step; its torch backend
    asks for `self.built = True` first): the VAE pattern, a model made of parts and no call()."""

    class Parts(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
            self.decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
            self.tracker = keras.metrics.Mean(name="loss")

        def train_step(self, data):
            with deepgrad.GradientTape() as tape:
                loss = keras.ops.mean(keras.ops.square(self.decoder(self.encoder(data)) - data))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply(grads, self.trainable_weights)
            self.tracker.update_state(loss)
            return {"loss": self.tracker.result()}

    keras.utils.set_random_seed(0)
    model = Parts()
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    losses = model.fit(X, batch_size=8, epochs=10, verbose=0).history["loss"]
    assert model.metrics_names == ["loss", "loss"]  # compile's tracker, then the attribute's
    # 4 features of unit variance through a 2-unit bottleneck: about half of them is left
    assert losses[0] > 1.0 and losses[-1] < 0.45
