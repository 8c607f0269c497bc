"""gradcheck_model: backprop agrees with float64 central differences on a sound model, changes
nothing, and names the layer whose vjp was broken on purpose."""
import io

import numpy as np
import pytest

import deepgrad
from deepgrad import backend, keras
from deepgrad.inspect import GradcheckReport, gradcheck_model
from deepgrad.ops import table
from deepgrad.tensor import attach

L = keras.layers


def cnn():
    deepgrad.random.set_seed(0)
    model = keras.Sequential([
        L.Input((7, 7, 2)), L.Conv2D(3, 3, activation="relu", name="conv"), L.BatchNormalization(name="bn"),
        L.MaxPooling2D(2, name="pool"), L.Flatten(name="flat"), L.Dropout(0.3, name="drop"),
        L.Dense(6, activation="tanh", name="hidden"), L.Dense(3, activation="softmax", name="out"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def mlp(first="tanh", second="relu"):
    deepgrad.random.set_seed(0)
    model = keras.Sequential([L.Input((5,)), L.Dense(6, activation=first, name="first"),
                              L.Dense(4, activation=second, name="second"), L.Dense(2, name="last")])
    model.compile(optimizer="sgd", loss="mse")
    return model


def data(shape, classes=None, n=5):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, *shape)).astype("float32")
    y = rng.integers(0, classes, n) if classes else rng.normal(size=(n, 2)).astype("float32")
    return x, y


class BreakVjp:
    """An op-table observer that halves the gradient every `op` node sends back: a wrong vjp."""

    def __init__(self, op):
        self.op = op

    def op_call(self, spec, forward, args, kwargs):
        out = forward(*args, **kwargs)
        if spec.name == self.op and out._node is not None:
            vjp = out._node.vjp
            out._node.vjp = lambda g: tuple(None if d is None else 0.5 * d for d in vjp(g))
        return out

    def backward(self, walk, args):
        return walk(*args)


@pytest.fixture
def broken_tanh():
    previous = table.set_observer(BreakVjp("tanh"))
    yield
    table.set_observer(previous)


def test_sound_cnn_passes_and_nothing_changes():
    model = cnn()
    x, y = data((7, 7, 2), classes=3)
    arrays = [w.data for w in model.weights]
    values = [a.copy() for a in arrays]
    rng_state = backend.rng().bit_generator.state
    out = io.StringIO()
    report = gradcheck_model(model, x, y, file=out)
    assert isinstance(report, GradcheckReport) and report.ok and report.failed == [] and report.suspect is None
    assert [(r.layer, r.weight) for r in report.rows] == [
        ("conv", "kernel"), ("conv", "bias"), ("bn", "gamma"), ("bn", "beta"),
        ("hidden", "kernel"), ("hidden", "bias"), ("out", "kernel"), ("out", "bias")]
    assert max(r.max_relative_error for r in report.rows) < 1e-6  # float64: far below rtol=1e-4
    assert [r.checked for r in report.rows] == [20, 3, 3, 3, 20, 6, 18, 3]  # sampled: 20 of 54, 20 of 72
    for w, a, v in zip(model.weights, arrays, values):  # the same arrays, same values, still float32
        assert w.data is a and w.data.dtype == np.float32
        np.testing.assert_array_equal(w.data, v)
    assert backend.rng().bit_generator.state == rng_state
    assert backend.floatx() == np.float32 and all(layer.dtype == "float32" for layer in model.layers)
    assert "all 8 weights agree" in out.getvalue()
    assert str(report) == out.getvalue().strip()


def test_broken_vjp_in_the_first_layer_fails_only_that_layer(broken_tanh):
    model = mlp(first="tanh", second="relu")
    report = gradcheck_model(model, *data((5,)), file=io.StringIO())
    verdicts = {(r.layer, r.weight): r.ok for r in report.rows}
    assert verdicts == {("first", "kernel"): False, ("first", "bias"): False, ("second", "kernel"): True,
                        ("second", "bias"): True, ("last", "kernel"): True, ("last", "bias"): True}
    assert report.failed == ["first"] and report.suspect == "first"
    assert report.rows[0].max_relative_error == pytest.approx(0.5, rel=1e-6)  # halved: |a - n| / |n| = 1/2
    assert "FAIL" in report.table() and "'first'" in report.table()


def test_broken_vjp_in_a_middle_layer_spoils_the_layers_before_it(broken_tanh):
    model = mlp(first="relu", second="tanh")
    report = gradcheck_model(model, *data((5,)), file=io.StringIO())
    assert report.failed == ["first", "second"]
    assert report.suspect == "second"
    assert [r.ok for r in report.rows if r.layer == "last"] == [True, True]


class Scale(L.Layer):
    """y = x * s, with a custom op whose gradient for s is wrong (doubled); dx is right."""

    def build(self, input_shape):
        self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="s")

    def call(self, x):
        s = self.s
        return attach(x.data * s.data, (x, s),
                      lambda g: (g * s.data, 2 * (g * x.data).sum(axis=0)), "wrong_scale")


def test_custom_layer_with_a_wrong_gradient_is_named():
    deepgrad.random.set_seed(0)
    model = keras.Sequential([L.Input((5,)), L.Dense(4, activation="tanh", name="before"), Scale(name="scale"),
                              L.Dense(2, name="after")])
    model.compile(optimizer="sgd", loss="mse")
    report = gradcheck_model(model, *data((5,)), max_entries_per_weight=3, file=io.StringIO())
    assert report.failed == ["scale"]  # dx is right, so the layer before passes
    assert [r.checked for r in report.rows] == [3, 3, 3, 3, 2]
    assert report.rows[2].max_relative_error == pytest.approx(0.5, rel=1e-6)  # 2n vs n: |2n - n| / 2n


def test_refuses_an_uncompiled_model_and_bad_settings():
    model = keras.Sequential([L.Input((5,)), L.Dense(2)])
    with pytest.raises(RuntimeError, match="must be compiled"):
        gradcheck_model(model, *data((5,)))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="eps=0"):
        gradcheck_model(model, *data((5,)), eps=0)
