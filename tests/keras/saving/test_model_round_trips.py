"""load_model rebuilds every kind of model, compiled, and training resumes exactly where it stopped.

Every model is trained for an epoch, saved (`.keras` and legacy `.h5`) and loaded back;
the loaded model must predict the same (to 1e-6), keep its name, its layers' names and
its summary, and come back compiled with the same optimizer (class, config, step count),
losses and metrics. Training interrupted by a save and a load must end on the same
weights (to 1e-6) as the same training run in one go, for each optimizer's state.
The spellings users reach these functions by (keras.models, keras.saving, keras.utils,
tf.keras through `deepgrad run`) are checked, and, where cheap, compared with Keras 3.
"""
import json
import re
import textwrap

import h5py
import numpy as np
import pytest

keras_ref = pytest.importorskip("keras", reason="Keras 3 is a test extra (pip install keras) for parity tests")

import deepgrad  # noqa: E402
from deepgrad import compat, keras  # noqa: E402

L = keras.layers
FORMATS = ("keras", "h5")
pytestmark = pytest.mark.filterwarnings("ignore:You are saving your model as an HDF5 file")


# ---------------------------------------------------------------------------- helpers


def _data(n=32, seed=0):
    """Inputs a (n, 4), b (n, 3) and targets (n, 2), (n, 1), float32."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, 4)), rng.normal(size=(n, 3))
    y1, y2 = rng.normal(size=(n, 2)), rng.normal(size=(n, 1))
    return [v.astype("float32") for v in (a, b, y1, y2)]


A, B, Y1, Y2 = _data()


def summary_text(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def _leaves(value):
    """The arrays of a prediction (an array, or a list or dict of them), in order."""
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def assert_same_predictions(model, back, x):
    ours, theirs = model.predict(x, verbose=0), back.predict(x, verbose=0)
    assert type(ours) is type(theirs)
    for a, b in zip(_leaves(ours), _leaves(theirs)):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)


def save_and_load(model, path, **load_kwargs):
    model.save(path)
    return keras.models.load_model(path, **load_kwargs)


def _without_layer_names(summary):
    """The summary with its layers' names blanked out (and runs of spaces as one)."""
    return re.sub(r" +", " ", re.sub(r"(?m)^│ \S+ \(", "│ (", summary))


def assert_restored(model, back, x):
    """Same predictions, names, summary, and compiled state (optimizer class, config, step; losses, metrics).

    A subclassed model's sublayers are created by its __init__ and named anew, as in Keras:
    their classes and the rest of the summary must match.
    """
    assert_same_predictions(model, back, x)
    assert type(back) is type(model) and back.name == model.name
    assert [type(layer) for layer in back.layers] == [type(layer) for layer in model.layers]
    if type(model) not in SUBCLASSES["deepgrad"].values():
        assert [layer.name for layer in back.layers] == [layer.name for layer in model.layers]
        assert summary_text(back) == summary_text(model)
    else:
        assert _without_layer_names(summary_text(back)) == _without_layer_names(summary_text(model))
    assert back.compiled
    assert type(back.optimizer) is type(model.optimizer)
    assert back.optimizer.get_config() == model.optimizer.get_config()
    assert int(back.optimizer.iterations) == int(model.optimizer.iterations) > 0
    assert back.get_compile_config() == model.get_compile_config()


# ---------------------------------------------------------------------------- the models

# Each builder returns (model, x, y, compile arguments); the model is compiled and fitted one epoch.
ADAM = dict(optimizer=keras.optimizers.Adam, loss="mse", metrics=["mae"])


def seq_input():
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="relu"), L.Dense(2)], name="seq_input")
    return model, A, Y1, ADAM


def seq_input_shape():
    model = keras.Sequential([L.Dense(3, activation="relu", input_shape=(4,)), L.Dense(2)], name="seq_shape")
    return model, A, Y1, ADAM


def seq_add():
    model = keras.Sequential(name="seq_add")
    for layer in (keras.Input((4,)), L.Dense(3, activation="tanh"), L.BatchNormalization(), L.Dense(2)):
        model.add(layer)
    return model, A, Y1, ADAM


def seq_deferred_by_fit():
    return keras.Sequential([L.Dense(3, activation="relu"), L.Dense(2)], name="deferred_fit"), A, Y1, ADAM


def seq_deferred_by_call():
    model = keras.Sequential([L.Dense(3, activation="relu"), L.Dense(2)], name="deferred_call")
    model(A[:2])
    return model, A, Y1, ADAM


def multi_list():
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    h = L.Concatenate(name="cat")([L.Dense(5, name="from_a")(a), L.Dense(5, name="from_b")(b)])
    model = keras.Model([a, b], [L.Dense(2, name="o1")(h), L.Dense(1, name="o2")(h)], name="multi_list")
    return model, [A, B], [Y1, Y2], ADAM


def multi_dict():
    """Dict inputs and outputs, compiled with a loss, metrics and a loss weight per output."""
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    h = L.Concatenate(name="cat")([L.Dense(5, name="from_a")(a), L.Dense(5, name="from_b")(b)])
    model = keras.Model({"a": a, "b": b}, {"o1": L.Dense(2, name="o1")(h), "o2": L.Dense(1, name="o2")(h)},
                        name="multi_dict")
    compile_args = dict(optimizer=keras.optimizers.RMSprop, loss={"o1": "mse", "o2": "mae"},
                        metrics={"o1": ["mae"], "o2": [keras.metrics.RootMeanSquaredError()]},
                        loss_weights={"o1": 1.0, "o2": 0.5})
    return model, {"a": A, "b": B}, {"o1": Y1, "o2": Y2}, compile_args


def shared_layer():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = L.Dense(3, activation="tanh", name="shared")
    model = keras.Model([a, b], L.Dense(2, name="out")(L.Add(name="add")([shared(a), shared(b)])), name="shared")
    return model, [A, 2 * A], Y1, ADAM


def nested_models():
    """A Sequential and a functional model used as layers, the functional one nested twice."""
    inner_seq = keras.Sequential([keras.Input((5,)), L.Dense(4, activation="tanh", name="seq_dense")], name="inner_seq")
    i = keras.Input((3,), name="i")
    inner = keras.Model(i, L.Dense(3, name="inner_dense")(i), name="inner")
    j = keras.Input((3,), name="j")
    outer = keras.Model(j, inner(j), name="outer")
    x = keras.Input((4,), name="x")
    h = inner_seq(L.Dense(5, name="mid")(outer(L.Dense(3, name="head")(x))))
    return keras.Model(x, L.Dense(2, name="tail")(h), name="nested"), A, Y1, ADAM


def intermediate_outputs():
    x = keras.Input((4,), name="x")
    h1 = L.Dense(3, activation="relu", name="h1")(x)
    h2 = L.Dense(2, name="h2")(h1)
    return keras.Model(x, [h1, h2], name="intermediate"), A, [Y1[:, :1].repeat(3, axis=1), Y1], ADAM


@keras.saving.register_keras_serializable(package="round_trips")
def times_two(t):
    return t * 2.0


def lambda_named():
    model = keras.Sequential([keras.Input((4,)), L.Dense(3), L.Lambda(times_two, name="times_two"), L.Dense(2)],
                             name="lambda_named")
    return model, A, Y1, ADAM


def regularized():
    """Regularizers, constraints and initializers that are not the defaults."""
    model = keras.Sequential([
        keras.Input((4,)),
        L.Dense(3, kernel_regularizer=keras.regularizers.L1L2(0.01, 0.02), bias_regularizer="l2",
                activity_regularizer=keras.regularizers.L1(0.001), kernel_constraint=keras.constraints.MaxNorm(2.0),
                bias_constraint=keras.constraints.NonNeg(), kernel_initializer=keras.initializers.HeNormal(seed=3),
                bias_initializer=keras.initializers.Constant(0.1)),
        L.Dense(2, kernel_initializer=keras.initializers.Orthogonal(gain=0.5, seed=1), kernel_constraint="unit_norm"),
    ], name="regularized")
    return model, A, Y1, ADAM


def lr_schedule():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=3, decay_rate=0.5)
    model, x, y, _ = seq_input()
    return model, x, y, dict(optimizer=lambda: keras.optimizers.SGD(schedule, momentum=0.9), loss="mse")


@keras.saving.register_keras_serializable(package="round_trips")
def scaled_mse(y_true, y_pred):
    return deepgrad.reduce_mean(deepgrad.square(y_true - y_pred), axis=-1) * 2.0


@keras.utils.register_keras_serializable(package="round_trips")
def max_error(y_true, y_pred):
    return deepgrad.reduce_max(deepgrad.abs(y_true - y_pred), axis=-1)


@keras.saving.register_keras_serializable(package="round_trips")
class ScaledMAE(keras.losses.Loss):
    def __init__(self, scale=1.5, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return deepgrad.reduce_mean(deepgrad.abs(y_true - y_pred), axis=-1) * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="round_trips")
class MeanPowerError(keras.metrics.Mean):
    def __init__(self, power=2, name="mean_power_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.power = power

    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(deepgrad.abs(y_true - y_pred) ** self.power, sample_weight)

    def get_config(self):
        return {**super().get_config(), "power": self.power}


def custom_functions():
    model, x, y, _ = seq_input()
    return model, x, y, dict(optimizer=keras.optimizers.Adam, loss=scaled_mse, metrics=[max_error, "mae"])


def custom_classes():
    model, x, y, _ = seq_input()
    return model, x, y, dict(optimizer=keras.optimizers.Adam, loss=ScaledMAE(scale=2.5),
                             metrics=[MeanPowerError(power=3)])


def _subclasses(k):
    """Three subclassed models written against `k` (deepgrad's keras or Keras 3): sublayers held in
    attributes, in a list, and in a private attribute."""
    register = k.saving.register_keras_serializable(package="round_trips")

    class Units(k.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    @register
    class InAttributes(Units):
        def __init__(self, units=3, **kwargs):
            super().__init__(units, **kwargs)
            self.hidden = k.layers.Dense(units, activation="relu")
            self.out = k.layers.Dense(2)

        def call(self, x):
            return self.out(self.hidden(x))

    @register
    class InList(Units):
        def __init__(self, units=3, **kwargs):
            super().__init__(units, **kwargs)
            self.blocks = [k.layers.Dense(units, activation="relu"), k.layers.Dense(units), k.layers.Dense(2)]

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    @register
    class InPrivate(Units):
        def __init__(self, units=3, **kwargs):
            super().__init__(units, **kwargs)
            self._hidden = k.layers.Dense(units, activation="relu")
            self.out = k.layers.Dense(2)

        def call(self, x):
            return self.out(self._hidden(x))

    return {"in_attributes": InAttributes, "in_list": InList, "in_private": InPrivate}


SUBCLASSES = {"deepgrad": _subclasses(keras), "keras": _subclasses(keras_ref)}


def _subclassed(kind):
    return lambda: (SUBCLASSES["deepgrad"][kind](units=3, name=kind), A, Y1, ADAM)


MODELS = {f.__name__: f for f in (
    seq_input, seq_input_shape, seq_add, seq_deferred_by_fit, seq_deferred_by_call, multi_list, multi_dict,
    shared_layer, nested_models, intermediate_outputs, lambda_named, regularized, lr_schedule,
    custom_functions, custom_classes)}
MODELS.update({f"subclassed_{kind}": _subclassed(kind) for kind in SUBCLASSES["deepgrad"]})

def trained(name):
    """The model `name`, compiled with a new optimizer and fitted one epoch; with its inputs."""
    model, x, y, compile_args = MODELS[name]()
    model.compile(**{**compile_args, "optimizer": compile_args["optimizer"]()})
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return model, x


@pytest.mark.parametrize("name, fmt", [pytest.param(n, f, id=f"{n}-{f}") for n in MODELS for f in FORMATS])
def test_load_model_restores_the_model_compiled(name, fmt, tmp_path):
    model, x = trained(name)
    assert_restored(model, save_and_load(model, tmp_path / f"m.{fmt}"), x)


@pytest.mark.parametrize("fmt", FORMATS)
def test_compile_false_loads_the_model_uncompiled(fmt, tmp_path):
    model, x = trained("multi_dict")
    back = save_and_load(model, tmp_path / f"m.{fmt}", compile=False)
    assert not back.compiled and back.optimizer is None
    assert_same_predictions(model, back, x)


def test_nested_model_layers_come_back_as_models(tmp_path):
    model, _ = trained("nested_models")
    back = save_and_load(model, tmp_path / "m.keras")
    inner = back.get_layer("outer").get_layer("inner")
    assert isinstance(back.get_layer("inner_seq"), keras.Sequential)
    assert isinstance(inner, keras.Model) and [layer.name for layer in inner.layers] == ["i", "inner_dense"]


def test_regularizers_constraints_and_initializers_come_back(tmp_path):
    model, _ = trained("regularized")
    back = save_and_load(model, tmp_path / "m.keras")
    for ours, theirs in zip(model.layers, back.layers):
        assert theirs.get_config() == ours.get_config()
    assert type(back.layers[0].kernel_constraint).__name__ == "MaxNorm"
    model(A)
    back(A)
    penalties = [p.item() for p in model.losses]  # kernel, bias, and the last call's activity penalty
    assert len(penalties) == 3
    np.testing.assert_allclose([p.item() for p in back.losses], penalties, rtol=1e-6)


# ---------------------------------------------------------------------------- unbuilt models


def _unbuilt(k, with_layers):
    model = k.Sequential([k.layers.Dense(3), k.layers.Dense(2)] if with_layers else [], name="unbuilt")
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.mark.filterwarnings("ignore:You are saving a model that has not yet been built")
@pytest.mark.parametrize("with_layers", [False, True], ids=["empty", "two_layers"])
def test_an_unbuilt_sequential_loads_unbuilt_and_compiled_as_in_keras(with_layers, tmp_path):
    _unbuilt(keras_ref, with_layers).save(tmp_path / "k.keras")
    theirs = keras_ref.models.load_model(tmp_path / "k.keras")
    for fmt in FORMATS:
        _unbuilt(keras, with_layers).save(tmp_path / f"d.{fmt}")
        back = keras.models.load_model(tmp_path / f"d.{fmt}")
        assert (back.built, len(back.layers), back.compiled) == (theirs.built, len(theirs.layers), theirs.compiled)
        if with_layers:
            assert back.predict(A[:2], verbose=0).shape == (2, 2) and len(back.weights) == 4


def test_saving_an_unbuilt_model_warns_as_keras(tmp_path):
    with pytest.warns(UserWarning, match="You are saving a model that has not yet been built"):
        _unbuilt(keras, True).save(tmp_path / "m.keras")


def test_save_weights_of_an_unbuilt_model_raises_as_keras(tmp_path):
    with pytest.raises(ValueError, match="You are saving a model that has not yet been built"):
        _unbuilt(keras, True).save_weights(tmp_path / "m.weights.h5")


# ---------------------------------------------------------------------------- Lambda and custom objects


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_python_lambda_loads_only_with_safe_mode_false(fmt, tmp_path):
    model = keras.Sequential([keras.Input((4,)), L.Dense(3), L.Lambda(lambda t: t * 3.0, name="triple"), L.Dense(2)])
    model.save(tmp_path / f"m.{fmt}")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / f"m.{fmt}")
    back = keras.models.load_model(tmp_path / f"m.{fmt}", safe_mode=False)
    assert_same_predictions(model, back, A)


class Twice(keras.layers.Layer):
    """An unregistered layer: found only through custom_objects or a custom object scope."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def unregistered_loss(y_true, y_pred):
    return deepgrad.reduce_mean(deepgrad.abs(y_true - y_pred), axis=-1) * 3.0


def unregistered_metric(y_true, y_pred):
    return deepgrad.reduce_max(deepgrad.abs(y_true - y_pred), axis=-1)


UNREGISTERED = {"Twice": Twice, "unregistered_loss": unregistered_loss, "unregistered_metric": unregistered_metric}


def _load_with_custom_objects(spelling, path):
    """load_model(path), the unregistered objects given by one of the ways Keras offers."""
    if spelling == "custom_objects":
        return keras.models.load_model(path, custom_objects=UNREGISTERED)
    if spelling == "get_custom_objects":
        keras.utils.get_custom_objects().update(UNREGISTERED)
        try:
            return keras.models.load_model(path)
        finally:
            for name in UNREGISTERED:
                del keras.utils.get_custom_objects()[name]
    scope = {"saving.custom_object_scope": keras.saving.custom_object_scope,
             "utils.custom_object_scope": keras.utils.custom_object_scope,
             "utils.CustomObjectScope": keras.utils.CustomObjectScope}[spelling]
    with scope(UNREGISTERED):
        return keras.models.load_model(path)


def _custom_objects_params():
    spellings = ["custom_objects", "saving.custom_object_scope", "utils.custom_object_scope",
                 "utils.CustomObjectScope", "get_custom_objects"]
    for fmt in FORMATS:
        for spelling in spellings:
            yield pytest.param(fmt, spelling, id=f"{fmt}-{spelling}")


@pytest.mark.parametrize("fmt, spelling", _custom_objects_params())
def test_unregistered_objects_load_when_given(fmt, spelling, tmp_path):
    model = keras.Sequential([keras.Input((4,)), L.Dense(2), Twice(1.5, name="twice")], name="custom")
    model.compile(optimizer="adam", loss=unregistered_loss, metrics=[unregistered_metric])
    model.fit(A, Y1, epochs=1, verbose=0)
    model.save(tmp_path / f"m.{fmt}")
    with pytest.raises(ValueError, match="Twice"):
        keras.models.load_model(tmp_path / f"m.{fmt}")
    back = _load_with_custom_objects(spelling, tmp_path / f"m.{fmt}")
    assert_restored(model, back, A)
    assert back.layers[-1].factor == 1.5


@pytest.mark.parametrize("kind", sorted(SUBCLASSES["deepgrad"]))
def test_subclassed_weights_files_have_keras_paths(kind, tmp_path):
    """The same subclass, trained one step by each framework, writes the same .weights.h5 paths."""
    paths = {}
    for which, k in (("deepgrad", keras), ("keras", keras_ref)):
        model = SUBCLASSES[which][kind](units=3)
        model.compile(optimizer=k.optimizers.Adam(), loss="mse")
        model.fit(A[:8], Y1[:8], epochs=1, verbose=0)
        model.save_weights(tmp_path / f"{which}.weights.h5")
        with h5py.File(tmp_path / f"{which}.weights.h5") as h5:
            paths[which] = []
            h5.visititems(lambda name, obj: paths[which].append(name) if isinstance(obj, h5py.Dataset) else None)
    assert paths["deepgrad"] == paths["keras"]
    assert any(p.startswith(("blocks/", "layers/", "hidden/")) for p in paths["keras"])


# ---------------------------------------------------------------------------- training resumes


def _resume_model():
    """A deterministic model with state beyond the weights (BatchNormalization) and a penalty."""
    keras.utils.set_random_seed(7)
    return keras.Sequential([keras.Input((4,)), L.Dense(8, activation="tanh", kernel_regularizer="l2"),
                             L.BatchNormalization(), L.Dense(2)], name="resume")


OPTIMIZERS = {
    "sgd_momentum": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    "sgd_nesterov": lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "sgd_schedule": lambda: keras.optimizers.SGD(
        keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=3, decay_rate=0.7), momentum=0.9),
    "adam": lambda: keras.optimizers.Adam(0.01),
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "rmsprop": lambda: keras.optimizers.RMSprop(0.01),
    "rmsprop_centered_momentum": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
}


def _fit(model, epochs):
    model.fit(A, Y1, epochs=epochs, batch_size=8, shuffle=False, verbose=0)


def _compiled(optimizer):
    model = _resume_model()
    model.compile(optimizer=OPTIMIZERS[optimizer](), loss="mse", metrics=["mae"])
    return model


def _reloaded(model, optimizer, how, path):
    """The model after a save and a load: load_model, or load_weights into a compiled model whose optimizer is built."""
    if how in FORMATS:
        return save_and_load(model, path / f"m.{how}")
    model.save_weights(path / "m.weights.h5")
    fresh = _compiled(optimizer)
    fresh.optimizer.build(fresh.trainable_variables)
    fresh.load_weights(path / "m.weights.h5")
    return fresh


@pytest.mark.parametrize("how", ["keras", "h5", "weights.h5"])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_training_resumes_bit_for_bit(optimizer, how, tmp_path):
    uninterrupted = _compiled(optimizer)
    _fit(uninterrupted, 4)
    interrupted = _compiled(optimizer)
    _fit(interrupted, 2)
    resumed = _reloaded(interrupted, optimizer, how, tmp_path)
    _fit(resumed, 2)
    assert int(resumed.optimizer.iterations) == int(uninterrupted.optimizer.iterations) == 16
    for ours, theirs in zip(uninterrupted.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-6)


def test_resuming_without_the_optimizer_state_differs(tmp_path):
    """The control that gives the test above its teeth: a fresh optimizer does not end on the same weights."""
    uninterrupted = _compiled("adam")
    _fit(uninterrupted, 4)
    interrupted = _compiled("adam")
    _fit(interrupted, 2)
    resumed = save_and_load(interrupted, tmp_path / "m.keras", compile=False)
    resumed.compile(optimizer=OPTIMIZERS["adam"](), loss="mse")
    _fit(resumed, 2)
    assert max(np.abs(a - b).max() for a, b in zip(uninterrupted.get_weights(), resumed.get_weights())) > 1e-3


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_multi_output_model_resumes_bit_for_bit(fmt, tmp_path):
    def fit(model, epochs):
        model.fit({"a": A, "b": B}, {"o1": Y1, "o2": Y2}, epochs=epochs, batch_size=8, shuffle=False, verbose=0)

    models = []
    for _ in range(2):
        keras.utils.set_random_seed(3)
        model, _, _, args = multi_dict()
        model.compile(**{**args, "optimizer": keras.optimizers.Adam(0.01)})
        models.append(model)
    uninterrupted, interrupted = models
    fit(uninterrupted, 4)
    fit(interrupted, 2)
    resumed = save_and_load(interrupted, tmp_path / f"m.{fmt}")
    fit(resumed, 2)
    for ours, theirs in zip(uninterrupted.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-6)


# ---------------------------------------------------------------------------- spellings


@pytest.mark.parametrize("save, load", [
    (lambda m, p: m.save(p), keras.models.load_model),
    (keras.models.save_model, keras.saving.load_model),
    (deepgrad.keras.saving.save_model, keras.saving.load_model),
], ids=["model.save-models.load_model", "models.save_model-saving.load_model", "saving.save_model-saving.load_model"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_spelling_of_save_and_load(save, load, fmt, tmp_path):
    model, x = trained("multi_list")
    save(model, tmp_path / f"m.{fmt}")
    assert_restored(model, load(tmp_path / f"m.{fmt}"), x)


def _assert_clone(model, clone, x):
    """Same class, name, layer classes and weight shapes, new weight values; the same after copying the weights."""
    assert type(clone) is type(model) and clone.name == model.name
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert any(not np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))
    clone.set_weights(model.get_weights())
    assert_same_predictions(model, clone, x)


@pytest.mark.parametrize("name", ["seq_add", "seq_deferred_by_fit", "multi_dict", "shared_layer", "nested_models",
                                  "subclassed_in_list"])
def test_clone_model_has_new_weights_and_is_compiled_as_in_keras(name):
    model, x = trained(name)
    clone = keras.models.clone_model(model)
    _assert_clone(model, clone, x)
    assert clone.compiled and clone.get_compile_config() == model.get_compile_config()
    assert clone.optimizer is not model.optimizer and int(clone.optimizer.iterations) == 0


def test_keras_compiles_the_clone_of_a_compiled_model():
    """The oracle for the test above: Keras 3.15 compiles a clone from the model's compile config."""
    model = keras_ref.Sequential([keras_ref.Input((4,)), keras_ref.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    assert keras_ref.models.clone_model(model).get_compile_config() == model.get_compile_config()


def _relu_dense(layer):
    """A clone_function: every Dense becomes a ReLU Dense named '<name>_relu'; other layers are copied."""
    if isinstance(layer, L.Dense):
        return L.Dense(layer.units, activation="relu", name=f"{layer.name}_relu")
    return type(layer).from_config(layer.get_config())


@pytest.mark.parametrize("name", ["seq_input", "shared_layer"])
def test_clone_function_replaces_each_layer_once(name):
    model, x = trained(name)
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return _relu_dense(layer)

    clone = keras.models.clone_model(model, clone_function=clone_function)
    assert seen == [layer.name for layer in model.layers if not isinstance(layer, L.InputLayer)]
    assert [layer.name for layer in clone.layers] == [
        f"{layer.name}_relu" if isinstance(layer, L.Dense) else layer.name for layer in model.layers]
    assert all(layer.activation is keras.activations.relu for layer in clone.layers if isinstance(layer, L.Dense))
    clone.predict(x, verbose=0)


def test_clone_model_recursive_clones_the_nested_models_layers():
    model, x = trained("nested_models")
    clone = keras.models.clone_model(model, clone_function=_relu_dense, recursive=True)
    inner_dense = clone.get_layer("outer").get_layer("inner").get_layer("inner_dense_relu")
    assert inner_dense.activation is keras.activations.relu
    assert clone.get_layer("inner_seq").layers[0].name == "seq_dense_relu"
    clone.predict(x, verbose=0)


def test_clone_model_refuses_a_clone_function_for_a_subclassed_model_as_keras():
    for k, which in ((keras, "deepgrad"), (keras_ref, "keras")):
        model = SUBCLASSES[which]["in_attributes"](units=3)
        with pytest.raises(ValueError, match="only supported for Sequential models or Functional models"):
            k.models.clone_model(model, clone_function=lambda layer: layer)


def test_clone_model_copies_unregistered_objects_by_their_class():
    """As Keras: the layer's own class and the model's own loss, not a lookup by name."""
    x = keras.Input((4,), name="x")
    model = keras.Model(x, L.Dense(2, name="out")(Twice(0.5, name="twice")(x)), name="unregistered")
    model.compile(optimizer="sgd", loss=unregistered_loss)
    clone = keras.models.clone_model(model)
    _assert_clone(model, clone, A)
    assert type(clone.get_layer("twice")) is Twice and clone.get_layer("twice").factor == 0.5
    assert clone.compiled and clone.get_compile_config() == model.get_compile_config()
    clone.fit(A, Y1, epochs=1, verbose=0)


def test_clone_model_of_a_sequential_on_input_tensors_is_a_sequential():
    model, _ = trained("seq_input")
    clone = keras.models.clone_model(model, input_tensors=keras.Input((4,), name="new_input"))
    assert isinstance(clone, keras.Sequential) and clone.inputs[0].node.layer.name == "new_input"


def _structure(config, path=""):
    """Every key path of a config, with the class names; a dtype is one leaf (deepgrad writes its name,
    Keras a DTypePolicy config, and each reads both)."""
    if isinstance(config, list):
        return set().union(set(), *(_structure(v, f"{path}[{i}]") for i, v in enumerate(config)))
    if not isinstance(config, dict):
        return set()
    out = {f"{path}/class_name={config['class_name']}"} if "class_name" in config else set()
    for key, value in config.items():
        out.add(f"{path}/{key}")
        if key != "dtype":
            out |= _structure(value, f"{path}/{key}")
    return out


def _json_models(k):
    """A Sequential and a functional model written against `k`, compiled alike."""
    seq = k.Sequential([k.Input((4,), name="x"), k.layers.Dense(3, activation="relu", name="d1"),
                        k.layers.Dense(2, name="d2")], name="seq")
    a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
    h = k.layers.Concatenate(name="cat")([k.layers.Dense(2, name="da")(a), b])
    fun = k.Model([a, b], k.layers.Dense(2, name="out")(h), name="fun")
    for model in (seq, fun):
        model.compile(optimizer=k.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return {"sequential": (seq, A), "functional": (fun, [A, B])}


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_to_json_has_keras_structure_and_model_from_json_rebuilds_the_model(kind):
    model, x = _json_models(keras)[kind]
    theirs, _ = _json_models(keras_ref)[kind]
    assert _structure(json.loads(model.to_json())) == _structure(json.loads(theirs.to_json()))
    back = keras.models.model_from_json(model.to_json())
    assert type(back) is type(model) and [layer.name for layer in back.layers] == [layer.name for layer in model.layers]
    assert back.compiled and back.get_compile_config() == model.get_compile_config()  # as Keras' model_from_json
    back.set_weights(model.get_weights())
    assert_same_predictions(model, back, x)
    assert keras_ref.models.model_from_json(model.to_json()).count_params() == model.count_params()


def test_an_uncompiled_model_has_keras_empty_compile_config():
    model = keras.Sequential([keras.Input((4,)), L.Dense(2)])
    assert model.get_compile_config() == {} == keras_ref.Sequential().get_compile_config()
    assert json.loads(model.to_json())["compile_config"] == {}


SAVING_NAMES = ("register_keras_serializable", "custom_object_scope", "CustomObjectScope", "get_custom_objects",
                "get_registered_name", "get_registered_object", "serialize_keras_object", "deserialize_keras_object")


@pytest.mark.parametrize("name", SAVING_NAMES)
def test_keras_utils_exports_the_saving_names_as_keras(name):
    assert getattr(keras.utils, name) is getattr(keras.saving, name)
    assert getattr(keras_ref.utils, name) is getattr(keras_ref.saving, name)


@pytest.mark.parametrize("namespace", ["saving", "utils"])
def test_serialize_and_deserialize_keras_object(namespace):
    serialize = getattr(keras, namespace).serialize_keras_object
    deserialize = getattr(keras, namespace).deserialize_keras_object
    dense = deserialize(serialize(L.Dense(3, activation="relu", name="d")))
    assert (type(dense), dense.name, dense.units, dense.activation) == (L.Dense, "d", 3, keras.activations.relu)
    adam = deserialize(serialize(keras.optimizers.Adam(0.25, amsgrad=True)))
    assert type(adam) is keras.optimizers.Adam and adam.get_config()["amsgrad"] and float(adam.learning_rate) == 0.25
    assert deserialize(serialize(scaled_mse)) is scaled_mse
    loss = deserialize(serialize(ScaledMAE(scale=4.0)))
    assert type(loss) is ScaledMAE and loss.scale == 4.0
    assert serialize(ScaledMAE())["registered_name"] == "round_trips>ScaledMAE"


def test_registered_names_are_keras():
    for k, which in ((keras, "deepgrad"), (keras_ref, "keras")):
        cls = SUBCLASSES[which]["in_list"]
        assert k.saving.get_registered_name(cls) == "round_trips>InList"
        assert k.utils.get_registered_object("round_trips>InList") is cls
    assert keras.saving.get_registered_name(times_two) == "round_trips>times_two"
    assert keras.saving.get_registered_object("round_trips>times_two") is times_two
    assert keras.saving.get_registered_name(Twice) == "Twice"
    assert keras.saving.get_registered_object("Twice") is None
    assert keras.saving.get_registered_object("Twice", custom_objects=UNREGISTERED) is Twice


TF_SCRIPT = """
    import numpy as np
    import tensorflow as tf

    @tf.keras.saving.register_keras_serializable(package="tf_spelling")
    class TfSpellingScale(tf.keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2), TfSpellingScale(3.0)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), epochs=1, verbose=0)
    model.save(PATH)
    back = tf.keras.models.load_model(PATH)
    assert isinstance(back.layers[-1], TfSpellingScale) and back.layers[-1].factor == 3.0 and back.compiled
    np.testing.assert_array_equal(back.predict(np.ones((2, 3)), verbose=0), model.predict(np.ones((2, 3)), verbose=0))
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_tensorflow_spelling_under_deepgrad_run(fmt, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(TF_SCRIPT).replace("PATH", repr(str(tmp_path / f"m.{fmt}"))))
    assert compat.run_script(str(script)) == 0
