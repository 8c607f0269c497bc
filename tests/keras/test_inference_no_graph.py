"""Inference records no graph: predict, evaluate, predict_on_batch, test_on_batch.

A graph node keeps its inputs alive until backward, and costs time to build;
inference never runs backward. Nodes are counted by replacing the Node class
that `attach` instantiates, so any op anywhere that records one is seen.
"""
import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad import tensor as tensor_module
from bench.models import MODELS, random_data

MODEL_NAMES = [name for name, spec in MODELS.items() if spec.available()]


@pytest.fixture
def node_count(monkeypatch):
    """A list whose length is the number of graph nodes created since the fixture started."""
    created = []

    class CountingNode(tensor_module.Node):
        __slots__ = ()

        def __init__(self, parents, vjp, op, params=None):
            super().__init__(parents, vjp, op, params)
            created.append(op)

    monkeypatch.setattr(tensor_module, "Node", CountingNode)
    return created


def _compiled(name, n=8):
    spec = MODELS[name]
    deepgrad.random.set_seed(0)
    model = spec.deepgrad()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    x, y = random_data(spec, n)
    model.train_on_batch(x, y)  # built, optimizer state created: what follows is steady state
    return model, x, y


def test_node_counter_sees_training(node_count):
    model, x, y = _compiled("mlp")
    node_count.clear()
    model.train_on_batch(x, y)
    assert len(node_count) > 3


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_predict_evaluate_and_batch_methods_record_nothing(name, node_count):
    model, x, y = _compiled(name)
    node_count.clear()
    out = model.predict(x, batch_size=4, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (len(x), 10)
    out = model.predict_on_batch(x)
    assert isinstance(out, np.ndarray)
    model.evaluate(x, y, batch_size=4, verbose=0)
    model.test_on_batch(x, y)
    assert node_count == [], f"{name}: inference recorded graph nodes for ops {sorted(set(node_count))}"


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_call_under_no_grad_records_nothing(name, node_count):
    model, x, _ = _compiled(name)
    node_count.clear()
    with deepgrad.no_grad():
        out = model(x, training=False)
    assert not out.requires_grad and out._node is None
    assert node_count == []


def test_call_outside_a_tape_records_nothing(node_count):
    """model(x, training=False) outside a GradientTape or fit records nothing, as in Keras."""
    model, x, _ = _compiled("cnn3")
    node_count.clear()
    out = model(x, training=False)
    assert node_count == [] and out._node is None


def test_call_with_training_false_inside_a_tape_is_differentiable():
    """The Keras pattern for fine-tuning with frozen batch statistics: whatever decides
    when model(x) records, it must keep recording under a GradientTape."""
    model, x, _ = _compiled("bn")
    with deepgrad.GradientTape() as tape:
        out = model(x, training=False)
        loss = deepgrad.reduce_mean(out)
    grads = tape.gradient(loss, model.trainable_weights)
    assert all(g is not None for g in grads)


def test_fit_trains_a_base_model_called_with_training_false():
    """Keras' fine-tuning recipe: `base(inputs, training=False)` inside a functional model keeps
    batch statistics frozen, yet fit still updates the base's weights."""
    from deepgrad import keras

    base = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.BatchNormalization()])
    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Dense(1)(base(inputs, training=False))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    before = [w.copy() for w in base.get_weights()]
    model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0)
    after = base.get_weights()
    assert not np.allclose(before[0], after[0])
    assert np.array_equal(before[4], after[4])  # moving mean untouched: training=False held
