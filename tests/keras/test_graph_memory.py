"""The tape frees what it recorded: after backward no activation of the step is left.

Every tensor an op creates (and its array) is watched through weak references,
with the garbage collector off, so only reference counting can free it: an
activation still alive after backward is held by a reference, not waiting for
a collection.
"""
import gc
import weakref

import numpy as np
import pytest

import deepgrad
from deepgrad import keras
from deepgrad import tensor as tensor_module
from deepgrad.keras.models import trainer as trainer_module
from deepgrad.ops.table import OPS
from bench.models import MODELS, random_data


@pytest.fixture
def watched(monkeypatch):
    """Weak references to every tensor made by an op, and to its array, from now on."""
    refs = []
    original = tensor_module.attach

    def attach(data, parents, vjp, op, params=None):
        out = original(data, parents, vjp, op, params)
        array = out.data if isinstance(out.data, np.ndarray) else None  # 0-d ops may give NumPy scalars
        refs.append((op, weakref.ref(out), weakref.ref(array) if array is not None else lambda: None))
        return out

    for module in {spec.module for spec in OPS.values()}:
        module = __import__(module, fromlist=["attach"])
        if hasattr(module, "attach"):
            monkeypatch.setattr(module, "attach", attach)
    gc.disable()
    yield refs
    gc.enable()


def _alive(refs):
    return [(op, tensor is not None, array is not None)
            for op, tensor, array in ((op, t(), a()) for op, t, a in refs) if tensor is not None or array is not None]


def _cnn3(batch=16):
    spec = MODELS["cnn3"]
    deepgrad.random.set_seed(0)
    model = spec.deepgrad()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = random_data(spec, batch)
    model.train_on_batch(x, y)
    return model, x, y


def test_a_training_step_leaves_no_activation_alive(watched):
    model, x, y = _cnn3()
    watched.clear()
    model.train_on_batch(x, y)
    assert len(watched) > 6  # conv + pooling pairs run as one node each (keras.models.layer_fusion)
    assert _alive(watched) == [], "tensors or arrays of the step outlive it"


def test_backward_frees_the_graph_before_the_optimizer_step(watched, monkeypatch):
    """Right after run_backward only the step's own locals are alive: the output and the loss."""
    model, x, y = _cnn3()
    seen = {}
    original = trainer_module.run_backward

    def run_backward(loss, *args, **kwargs):
        grads = original(loss, *args, **kwargs)
        seen["alive"] = _alive(watched)
        seen["recorded"] = len(watched)
        return grads

    monkeypatch.setattr(trainer_module, "run_backward", run_backward)
    watched.clear()
    model.train_on_batch(x, y)
    # train_step's own locals: the model's output (the last Dense's bias add) and the loss
    assert seen["recorded"] > 6
    assert len(seen["alive"]) <= 2, f"alive after backward: {seen['alive']}"


def test_nodes_drop_their_vjp_and_parents_after_backward():
    x = deepgrad.Tensor(np.ones((4, 3), np.float32), requires_grad=True)
    y = deepgrad.tanh(x * 2.0)
    loss = deepgrad.reduce_sum(y)
    loss.backward()
    for t in (y, loss):
        assert t._node.vjp is None and t._node.parents == ()


def test_activations_are_freed_during_backward():
    """When the first op's vjp runs, the activations of the last ops are already gone."""
    x = deepgrad.Tensor(np.ones((64, 256), np.float32), requires_grad=True)
    gc.disable()
    try:
        h = deepgrad.tanh(x)
        first_node, arrays = h._node, [weakref.ref(h.data)]
        for _ in range(7):
            h = deepgrad.tanh(h)
            arrays.append(weakref.ref(h.data))
        loss = deepgrad.reduce_sum(h)
        del h
        vjp, alive = first_node.vjp, []

        def spy(g):
            alive.extend(i for i, ref in enumerate(arrays) if ref() is not None)
            return vjp(g)

        first_node.vjp = spy
        loss.backward()
        # the first activation is still needed by its own vjp; the seven after it are not
        assert alive == [0], f"activations alive when the first vjp ran: {alive}"
    finally:
        gc.enable()
