"""deepgrad.profiler: per-op self time, forward and backward, and nothing left behind."""
import time

import numpy as np
import pytest

import deepgrad
from deepgrad import ops, profiler, tape
from deepgrad import tensor as tensor_module
from deepgrad.ops import elementwise, shape, table


def _x():
    return deepgrad.Tensor(np.ones((3, 4), np.float32), requires_grad=True)


def test_counts_forward_and_backward_per_op():
    x = _x()
    with profiler.profile() as prof:
        y = (x + 1.0) * x  # add, mul
        z = (2.0 + y).sum()  # add through __radd__, sum
        z.backward()
    assert prof.calls("add") == 2 and prof.calls("mul") == 1 and prof.calls("sum") == 1
    assert prof.calls("add", "backward") == 2 and prof.calls("mul", "backward") == 1
    assert prof.calls(profiler.TAPE_WALK, "backward") == 1
    assert prof.nodes == 4
    assert np.allclose(x.grad.data, 2 * x.data + 1)


def test_self_time_of_nested_ops_and_rows_add_up_to_the_wall():
    x = _x()
    with profiler.profile() as prof:
        for _ in range(20):
            ops.swapaxes(x, 0, 1)  # calls transpose
    assert prof.calls("swapaxes") == 20 and prof.calls("transpose") == 20
    total = sum(r.seconds for r in prof.rows())
    assert total == pytest.approx(prof.wall, rel=1e-6, abs=1e-6)


def test_helpers_are_charged_to_their_caller():
    with profiler.profile() as prof:
        elementwise.unbroadcast(np.ones((2, 3), np.float32), (3,))
    assert prof.calls("unbroadcast") == 0


def test_region_and_table():
    x = _x()
    with profiler.profile() as prof:
        with prof.region("sleep"):
            time.sleep(0.01)
            ops.exp(x)
        ops.exp(x).sum().backward()
    assert prof.seconds("sleep", "region") >= 0.009
    assert prof.calls("exp") == 2
    text = prof.table(limit=3, steps=2)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["op", "phase", "calls"] and "ms/step" in lines[0]
    assert lines[2].startswith("sleep")
    assert "more rows" in text and "graph nodes recorded" in lines[-1]


def test_no_graph_under_no_grad():
    x = _x()
    with profiler.profile() as prof:
        with deepgrad.no_grad():
            ops.tanh(x * 2.0)
    assert prof.nodes == 0 and prof.calls("tanh") == 1


def test_nothing_is_rebound_and_the_hook_is_removed_even_after_an_error():
    originals = (ops.add, elementwise.add, deepgrad.Tensor.__add__, elementwise.attach,
                 tensor_module.run_backward, tape.run_backward, shape.transpose)
    with pytest.raises(ZeroDivisionError):
        with profiler.profile() as prof:
            assert (ops.add, elementwise.add, deepgrad.Tensor.__add__, elementwise.attach,
                    tensor_module.run_backward, tape.run_backward, shape.transpose) == originals
            assert profiler.is_profiling() and table._observer[0] is not None
            _x() + 1.0
            1 / 0
    assert prof.calls("add") == 1
    assert table._observer == [None, None] and tensor_module.backward_observer == [None]
    assert not profiler.is_profiling()
    _x() + 1.0
    assert prof.calls("add") == 1


def test_profiles_do_not_nest():
    with profiler.profile():
        with pytest.raises(RuntimeError, match="already running"):
            with profiler.profile():
                pass


def test_graph_built_inside_and_backward_outside():
    x = _x()
    with profiler.profile() as prof:
        y = ops.tanh(x).sum()
    y.backward()  # the timed vjps run after the block: they must still work, and record nothing
    assert x.grad is not None and prof.calls("tanh", "backward") == 0


def test_profiles_a_keras_training_step():
    from deepgrad import keras

    model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((8, 4), np.float32), np.zeros((8, 2), np.float32)
    model.train_on_batch(x, y)
    with profiler.profile() as prof:
        model.train_on_batch(x, y)
    # Dense layers run as one fused op each (product, bias and ReLU): two calls each way
    assert prof.calls("dense_bias_act") == 2 and prof.calls("dense_bias_act", "backward") == 2


def test_a_recurrent_ops_inner_node_is_timed_as_its_backward():
    """An LSTM's outputs are slices of one inner node whose vjp runs the whole backpropagation through
    time: that vjp is charged to `lstm`, not to the tape walk (it was the walk's 45% of an LSTM step)."""
    from deepgrad import keras

    layer = keras.layers.LSTM(8)
    x = np.random.default_rng(0).standard_normal((4, 30, 5)).astype(np.float32)
    layer(x)
    with profiler.profile() as prof:
        with deepgrad.GradientTape() as tape_:
            loss = layer(x).sum()
        tape_.gradient(loss, layer.trainable_weights)
    # without dropout the layer runs lstm_from_inputs (the input projection inside the recurrence)
    assert prof.calls("lstm_from_inputs", "backward") == 2  # the output slice and the inner sequence node
    assert prof.seconds("lstm_from_inputs", "backward") > prof.seconds(profiler.TAPE_WALK, "backward")
