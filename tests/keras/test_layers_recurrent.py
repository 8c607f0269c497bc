"""Recurrent layers: SimpleRNN, LSTM, GRU, RNN(cell), the cells, StackedRNNCells, Bidirectional, TimeDistributed.

Every configuration is built in Keras 3 (torch backend, the oracle) and in
deepgrad; Keras' weights are copied into ours with set_weights (the shapes must
match exactly) and the outputs and states must agree to 1e-5 on the same
float32 input. Gradients are checked against torch.nn.LSTM / nn.GRU with
Keras' weights mapped to PyTorch's layout, and by central differences in
float64 (masked, with go_backwards, through the fused ops and through the cell
loop).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deepgrad as dg  # noqa: E402
from deepgrad import ops  # noqa: E402
from deepgrad.keras import layers as L  # noqa: E402
from deepgrad.keras.layers.keras_tensor import flatten_structure  # noqa: E402
from deepgrad.keras.models import Model, Sequential  # noqa: E402
from tests.parity import requires_torch, torch  # noqa: E402

keras = pytest.importorskip("keras")
K = keras.layers

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")

ATOL = 1e-5
N, T, D = 3, 5, 4


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def to_numpy(t):
    return keras.ops.convert_to_numpy(t)


def flat(outputs):
    return [to_numpy(o) if not isinstance(o, dg.Tensor) else o.numpy() for o in flatten_structure(outputs)]


def assert_same(ours, theirs, what=""):
    ours, theirs = flat(ours), flat(theirs)
    assert len(ours) == len(theirs), what
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a.shape == b.shape, f"{what} output {i}: {a.shape} != {b.shape}"
        assert a.dtype == np.float32, f"{what} output {i}: {a.dtype}"
        np.testing.assert_allclose(a, b, atol=ATOL, rtol=1e-5, err_msg=f"{what} output {i}")


def pair(make, *args, **kwargs):
    """Keras' layer called on args, and ours called on them with Keras' weights copied in."""
    theirs, ours = make(K), make(L)
    theirs(*args, **kwargs)
    ours(*args, **kwargs)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def rnn_layer(kind, **kwargs):
    """kind: simple_rnn, lstm, gru (reset_after=True) or gru_before (reset_after=False)."""
    def make(m):
        init = dict(bias_initializer="random_normal")
        if kind == "simple_rnn":
            return m.SimpleRNN(3, **init, **kwargs)
        if kind == "lstm":
            return m.LSTM(3, **init, **kwargs)
        return m.GRU(3, reset_after=kind == "gru", **init, **kwargs)
    return make


KINDS = ["simple_rnn", "lstm", "gru", "gru_before"]
STATE_COUNT = {"simple_rnn": 1, "lstm": 2, "gru": 1, "gru_before": 1}


# --------------------------------------------------------------------------- layer parity


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backwards"])
@pytest.mark.parametrize("return_state", [False, True], ids=["", "state"])
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "seq"])
@pytest.mark.parametrize("kind", KINDS)
def test_layer_matches_keras(kind, return_sequences, return_state, go_backwards):
    x = randn(N, T, D)
    make = rnn_layer(kind, return_sequences=return_sequences, return_state=return_state,
                     go_backwards=go_backwards)
    theirs, ours = pair(make, x)
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.name for w in theirs.weights]
    got, expected = ours(x), theirs(x)
    if return_state:
        assert isinstance(got, list) and len(got) == 1 + STATE_COUNT[kind]
    assert_same(got, expected, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_initial_state_matches_keras(kind):
    x = randn(N, T, D)
    states = [randn(N, 3, seed=s) for s in range(1, 1 + STATE_COUNT[kind])]
    make = rnn_layer(kind, return_sequences=True, return_state=True)
    theirs, ours = pair(make, x)
    assert_same(ours(x, initial_state=states), theirs(x, initial_state=states), kind)
    # a single state may be passed without a list
    if len(states) == 1:
        assert_same(ours(x, initial_state=states[0]), theirs(x, initial_state=states[0]), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_activations_inside_and_outside_the_fused_ops_match_keras(kind):
    x = randn(N, T, D)
    for acts in (dict(activation="relu"), dict(activation="softsign"), dict(activation="elu"),
                 dict(activation="softplus")):
        if kind != "simple_rnn":
            acts = dict(acts, recurrent_activation="hard_sigmoid")
        theirs, ours = pair(rnn_layer(kind, return_sequences=True, return_state=True, **acts), x)
        assert_same(ours(x), theirs(x), f"{kind} {acts}")


def test_no_bias_and_unit_forget_bias_match_keras():
    x = randn(N, T, D)
    for make in (lambda m: m.LSTM(3, use_bias=False), lambda m: m.GRU(2, use_bias=False),
                 lambda m: m.SimpleRNN(2, use_bias=False), lambda m: m.LSTM(2, unit_forget_bias=False)):
        theirs, ours = pair(make, x)
        assert_same(ours(x), theirs(x))
    ours = L.LSTM(3)
    ours(x)
    np.testing.assert_array_equal(ours.cell.bias.numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])


def padded_ids(side):
    if side == "right":
        return np.array([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0], [5, 0, 0, 0, 0]])
    return np.array([[3, 1, 4, 1, 5], [0, 0, 9, 2, 6], [0, 0, 0, 0, 5]])


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backwards"])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("kind", KINDS)
def test_embedding_mask_zero_matches_keras(kind, side, go_backwards):
    ids = padded_ids(side)

    def make(m):
        return [m.Embedding(10, D, mask_zero=True),
                rnn_layer(kind, return_sequences=True, return_state=True, go_backwards=go_backwards)(m)]

    (k_emb, k_rnn), (o_emb, o_rnn) = make(K), make(L)
    expected = k_rnn(k_emb(ids))
    o_rnn(o_emb(ids))
    o_emb.set_weights(k_emb.get_weights())
    o_rnn.set_weights(k_rnn.get_weights())
    embedded = o_emb(ids)
    np.testing.assert_array_equal(embedded._keras_mask.numpy(), ids != 0)
    got = o_rnn(embedded)
    assert_same(got, expected, f"{kind} {side}")
    # the explicit mask= argument gives the same
    assert_same(o_rnn(embedded.numpy(), mask=ids != 0), expected)
    # return_sequences keeps the mask on the output, the states carry none
    np.testing.assert_array_equal(got[0]._keras_mask.numpy(), ids != 0)
    assert all(s._keras_mask is None for s in got[1:])


@pytest.mark.parametrize("kind", KINDS)
def test_masking_layer_and_initial_state_with_mask_match_keras(kind):
    x = randn(N, T, D)
    x[0, 3:] = 0.0
    x[1, :2] = 0.0
    states = [randn(N, 3, seed=s) for s in range(1, 1 + STATE_COUNT[kind])]
    make = rnn_layer(kind, return_sequences=True, return_state=True)
    theirs, ours = pair(make, x)
    # Keras drops an attached mask when initial_state is passed too (it only fills `mask` for a
    # call with one tensor argument); we keep it, so Keras is given the mask explicitly here
    mask = np.any(x != 0, axis=-1)
    expected = theirs(K.Masking()(x), initial_state=states, mask=mask)
    got = ours(L.Masking()(x), initial_state=states)
    assert_same(got, expected, kind)


def test_zero_output_for_mask_matches_keras():
    x = randn(N, T, D)
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [0, 0, 0, 0, 0]], bool)
    for kind in ("lstm", "gru"):
        for go_backwards in (False, True):
            make = lambda m: m.RNN(  # noqa: E731
                m.LSTMCell(3) if kind == "lstm" else m.GRUCell(3), return_sequences=True,
                zero_output_for_mask=True, go_backwards=go_backwards)
            theirs, ours = pair(make, x)
            assert_same(ours(x, mask=mask), theirs(x, mask=mask))
        theirs, ours = pair(rnn_layer(kind, return_sequences=True, zero_output_for_mask=True), x)
        assert_same(ours(x, mask=mask), theirs(x, mask=mask))


@pytest.mark.parametrize("kind", KINDS)
def test_stateful_two_batches_then_reset_match_keras(kind):
    a, b = randn(2, T, D, seed=1), randn(2, T, D, seed=2)
    theirs, ours = pair(rnn_layer(kind, stateful=True, return_state=True), a)
    theirs.reset_states()
    ours.reset_states()
    for batch in (a, b):
        assert_same(ours(batch), theirs(batch), f"{kind} stateful")
    states = [s.numpy().copy() for s in ours.states]
    assert not np.allclose(states[0], 0)
    ours.reset_states()
    theirs.reset_states()
    assert all(np.all(s.numpy() == 0) for s in ours.states)
    assert_same(ours(b), theirs(b), f"{kind} after reset")
    # the states are not weights
    assert len(ours.weights) == len(theirs.weights)


@pytest.mark.parametrize("path", ["fused", "cell_loop"])
def test_stateful_gradients_use_the_states_the_batch_started_from(path):
    x = np.random.default_rng(0).standard_normal((2, 4, 3))
    make = (lambda **k: L.LSTM(3, **k)) if path == "fused" else (lambda **k: L.RNN(L.LSTMCell(3, dtype="float64"), **k))
    layer = make(stateful=True, dtype="float64")
    layer(x)
    start = [s.numpy().copy() for s in layer.states]
    with dg.GradientTape() as tape:
        out = layer(x)  # the states are overwritten after this call, before the gradient
    grads = tape.gradient(out, layer.trainable_weights)
    reference = make(dtype="float64")
    reference(x)
    reference.set_weights(layer.get_weights())
    with dg.GradientTape() as tape:
        expected_out = reference(x, initial_state=start)
    expected = tape.gradient(expected_out, reference.trainable_weights)
    np.testing.assert_allclose(out.numpy(), expected_out.numpy())
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy())


# --------------------------------------------------------------------------- RNN(cell), cells


class Counter:
    """A cell that is not a Layer: its state counts the steps, its output adds the inputs."""

    state_size = 2
    output_size = 2

    def call(self, inputs, states):
        return inputs[:, :2] + states[0], [states[0] + 1.0]


def minimal_cell(base, ops_module):
    """Keras' documented MinimalRNNCell, written for keras.layers.Layer or deepgrad's Layer."""

    class MinimalRNNCell(base):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform",
                                          name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                    name="recurrent_kernel")
            self.built = True

        def call(self, inputs, states):
            prev_output = states[0]
            h = ops_module.matmul(inputs, self.kernel)
            output = h + ops_module.matmul(prev_output, self.recurrent_kernel)
            return output, [output]

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return MinimalRNNCell


OurMinimal = minimal_cell(L.Layer, ops)
KerasMinimal = minimal_cell(K.Layer, keras.ops)
CELL_CASES = {
    "simple_rnn_cell": lambda m: m.RNN(m.SimpleRNNCell(3), return_sequences=True),
    "lstm_cell": lambda m: m.RNN(m.LSTMCell(3, bias_initializer="random_normal"), return_state=True),
    "gru_cell": lambda m: m.RNN(m.GRUCell(3, bias_initializer="random_normal"), return_sequences=True,
                                go_backwards=True),
    "gru_cell_before": lambda m: m.RNN(m.GRUCell(3, reset_after=False), return_state=True),
    "stacked_list": lambda m: m.RNN([m.LSTMCell(3), m.GRUCell(2), m.SimpleRNNCell(4)], return_state=True),
    "stacked_cells": lambda m: m.RNN(m.StackedRNNCells([m.GRUCell(3), m.LSTMCell(2)]),
                                     return_sequences=True, return_state=True),
    "user_cell": lambda m: m.RNN((KerasMinimal if m is K else OurMinimal)(4), return_sequences=True),
}


@pytest.mark.parametrize("masked", [False, True], ids=["", "masked"])
@pytest.mark.parametrize("case", sorted(CELL_CASES))
def test_rnn_of_cells_matches_keras(case, masked):
    x = randn(N, T, D)
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1]], bool) if masked else None
    theirs, ours = pair(CELL_CASES[case], x)
    assert_same(ours(x, mask=mask), theirs(x, mask=mask), case)
    symbolic_in = (None, D)
    assert flat_shapes(CELL_CASES[case](L)(L.Input(symbolic_in))) == \
        flat_shapes(CELL_CASES[case](K)(keras.Input(symbolic_in)))


def test_a_single_stacked_cell_is_the_cell():
    x = randn(N, T, D)
    mask = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1]], bool)
    theirs, ours = pair(lambda m: m.RNN([m.LSTMCell(3)], return_state=True), x)
    got = ours(x)
    assert isinstance(got[1], list) and len(got) == 2  # Keras: output, [h, c]
    assert_same(got, theirs(x))
    # Keras 3 fails on this layer with a mask (its states lose their nesting); the plain cell is the oracle
    alone = L.RNN(L.LSTMCell(3), return_state=True)
    alone(x)
    alone.set_weights(ours.get_weights())
    assert_same(ours(x, mask=mask), alone(x, mask=mask))


def flat_shapes(outputs):
    return [tuple(t.shape) for t in flatten_structure(outputs)]


def test_cells_called_alone_match_keras():
    x, h, c = randn(N, D), randn(N, 3, seed=1), randn(N, 3, seed=2)
    for make, states in ((lambda m: m.SimpleRNNCell(3), [h]), (lambda m: m.LSTMCell(3), [h, c]),
                         (lambda m: m.GRUCell(3, bias_initializer="random_normal"), [h]),
                         (lambda m: m.GRUCell(3, reset_after=False), [h])):
        theirs, ours = pair(make, x, states)
        out, new = ours(x, states)
        expected_out, expected_new = theirs(x, states)
        assert_same([out] + list(new), [expected_out] + list(expected_new))
        assert ours.state_size == theirs.state_size and ours.output_size == theirs.output_size
    gru = L.GRUCell(3)
    out, new = gru(x, h)  # a bare state in, a bare state out (Keras)
    assert isinstance(new, dg.Tensor)


def test_rnn_runs_a_cell_that_is_not_a_layer():
    x = np.ones((2, 3, 4), dtype="float32")
    out, state = L.RNN(Counter(), return_sequences=True, return_state=True)(x)
    np.testing.assert_array_equal(out.numpy()[0, :, 0], [1, 2, 3])
    np.testing.assert_array_equal(state.numpy(), np.full((2, 2), 3.0))


def test_rnn_rejects_objects_that_are_not_cells():
    with pytest.raises(ValueError, match="call"):
        L.RNN(object())

    class NoState:
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match="state_size"):
        L.RNN(NoState())


# --------------------------------------------------------------------------- Bidirectional


@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "seq"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_matches_keras(merge_mode, return_sequences):
    x = randn(N, T, D)
    make = lambda m: m.Bidirectional(  # noqa: E731
        m.LSTM(3, return_sequences=return_sequences, bias_initializer="random_normal"), merge_mode=merge_mode)
    theirs, ours = pair(make, x)
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.name for w in theirs.weights]
    assert_same(ours(x), theirs(x), str(merge_mode))
    assert ours.forward_layer.name.startswith("forward_") and ours.backward_layer.go_backwards
    assert flat_shapes(make(L)(L.Input((T, D)))) == flat_shapes(make(K)(keras.Input((T, D))))


@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_bidirectional_return_state_mask_and_initial_state_match_keras(merge_mode):
    x = randn(N, T, D)
    mask = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)
    states = [randn(N, 3, seed=s) for s in range(1, 5)]
    make = lambda m: m.Bidirectional(  # noqa: E731
        m.LSTM(3, return_sequences=True, return_state=True), merge_mode=merge_mode)
    theirs, ours = pair(make, x)
    assert_same(ours(x), theirs(x))
    assert_same(ours(x, mask=mask), theirs(x, mask=mask))
    assert_same(ours(x, initial_state=states), theirs(x, initial_state=states))
    assert flat_shapes(make(L)(L.Input((T, D)))) == flat_shapes(make(K)(keras.Input((T, D))))


def test_bidirectional_gru_with_backward_layer_matches_keras():
    x = randn(N, T, D)
    make = lambda m: m.Bidirectional(  # noqa: E731
        m.GRU(3, return_sequences=True), backward_layer=m.SimpleRNN(2, return_sequences=True, go_backwards=True))
    theirs, ours = pair(make, x)
    assert_same(ours(x), theirs(x))


def test_bidirectional_checks_and_stateful_reset():
    with pytest.raises(ValueError, match="merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2))
    with pytest.raises(ValueError, match="return_sequences"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2, return_sequences=True, go_backwards=True))
    with pytest.raises(AttributeError, match="stateful"):
        L.Bidirectional(L.LSTM(2)).reset_states()
    x = randn(2, T, D)
    theirs, ours = pair(lambda m: m.Bidirectional(m.GRU(3, stateful=True)), x)
    theirs.reset_states()
    ours.reset_states()
    for batch in (x, randn(2, T, D, seed=3)):
        assert_same(ours(batch), theirs(batch))
    assert len(ours.states) == 2


def test_bidirectional_weights_argument_and_user_cell():
    x = randn(N, T, D)
    source = L.Bidirectional(L.GRU(2))
    source(x)
    copy = L.Bidirectional(L.GRU(2), weights=source.get_weights())
    np.testing.assert_allclose(copy(x).numpy(), source(x).numpy())
    # Keras copies the layer through its config, so it must find the user's class by name
    with keras.saving.custom_object_scope({"MinimalRNNCell": KerasMinimal}):
        theirs, ours = pair(lambda m: m.Bidirectional(m.RNN((KerasMinimal if m is K else OurMinimal)(2))), x)
    assert_same(ours(x), theirs(x))


# --------------------------------------------------------------------------- TimeDistributed


def test_time_distributed_dense_and_conv2d_match_keras():
    x = randn(2, 3, D)
    theirs, ours = pair(lambda m: m.TimeDistributed(m.Dense(5, activation="tanh")), x)
    assert_same(ours(x), theirs(x))
    images = randn(2, 3, 6, 6, 2)
    make = lambda m: m.TimeDistributed(m.Conv2D(4, 3, padding="same", activation="relu"))  # noqa: E731
    theirs, ours = pair(make, images)
    assert_same(ours(images), theirs(images))
    assert make(L)(L.Input((None, 6, 6, 2))).shape == make(K)(keras.Input((None, 6, 6, 2))).shape
    make = lambda m: m.TimeDistributed(m.MaxPooling2D())  # noqa: E731
    assert_same(make(L)(images), make(K)(images))


def test_time_distributed_folds_time_into_one_call_and_passes_the_mask():
    calls = []

    class Spy(L.Dense):
        def call(self, inputs, training=None):
            calls.append(inputs.shape)
            return super().call(inputs)

    ids = np.array([[1, 2, 0], [3, 0, 0]])
    x = L.Embedding(5, D, mask_zero=True)(ids)
    y = L.TimeDistributed(Spy(2))(x)
    assert calls == [(6, D)]
    np.testing.assert_array_equal(y._keras_mask.numpy(), ids != 0)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        L.TimeDistributed(L.Dense(2))(np.ones((2, 3), dtype="float32"))
    with pytest.raises(ValueError, match="incompatible"):
        L.TimeDistributed(L.Dense(2))(randn(2, 3, 4), mask=np.ones((2, 4), bool))


# --------------------------------------------------------------------------- gradients


def torch_lstm(layer):
    kernel, recurrent, bias = (w.numpy().astype("float64") for w in layer.weights)
    units = recurrent.shape[0]
    net = torch.nn.LSTM(kernel.shape[0], units, batch_first=True).double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(kernel.T))
        net.weight_hh_l0.copy_(torch.tensor(recurrent.T))
        net.bias_ih_l0.copy_(torch.tensor(bias))
        net.bias_hh_l0.zero_()
    return net


GRU_TO_TORCH = [1, 0, 2]  # torch's gates r, z, n are Keras' blocks 1, 0, 2


def blocks(a, order, axis=-1):
    parts = np.split(a, 3, axis=axis)
    return np.concatenate([parts[k] for k in order], axis=axis)


def torch_gru(layer):
    kernel, recurrent, bias = (w.numpy().astype("float64") for w in layer.weights)
    units = recurrent.shape[0]
    net = torch.nn.GRU(kernel.shape[0], units, batch_first=True).double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(blocks(kernel, GRU_TO_TORCH).T))
        net.weight_hh_l0.copy_(torch.tensor(blocks(recurrent, GRU_TO_TORCH).T))
        net.bias_ih_l0.copy_(torch.tensor(blocks(bias[0], GRU_TO_TORCH)))
        net.bias_hh_l0.copy_(torch.tensor(blocks(bias[1], GRU_TO_TORCH)))
    return net


@requires_torch
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gradients_match_torch(kind):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, T, D))
    make = L.LSTM if kind == "lstm" else L.GRU
    layer = make(3, return_sequences=True, return_state=True, bias_initializer="random_normal",
                 dtype="float64")
    layer(x)
    xt = dg.Tensor(x.copy(), requires_grad=True)
    outputs = layer(xt)
    total = sum(o.sum() for o in outputs)
    total.backward()
    net = (torch_lstm if kind == "lstm" else torch_gru)(layer)
    x_ref = torch.tensor(x, requires_grad=True)
    seq, last = net(x_ref)
    states = list(last) if kind == "lstm" else [last]
    for got, expected in zip(outputs, [seq] + [s[0] for s in states]):
        np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), atol=1e-10)
    (seq.sum() + sum(s.sum() for s in states)).backward()
    np.testing.assert_allclose(xt.grad.numpy(), x_ref.grad.numpy(), atol=1e-10)
    kernel, recurrent, bias = layer.weights
    if kind == "lstm":
        np.testing.assert_allclose(kernel.grad.numpy(), net.weight_ih_l0.grad.numpy().T, atol=1e-10)
        np.testing.assert_allclose(recurrent.grad.numpy(), net.weight_hh_l0.grad.numpy().T, atol=1e-10)
        np.testing.assert_allclose(bias.grad.numpy(), net.bias_ih_l0.grad.numpy(), atol=1e-10)
    else:
        back = np.argsort(GRU_TO_TORCH)
        np.testing.assert_allclose(kernel.grad.numpy(), blocks(net.weight_ih_l0.grad.numpy().T, back),
                                   atol=1e-10)
        np.testing.assert_allclose(recurrent.grad.numpy(), blocks(net.weight_hh_l0.grad.numpy().T, back),
                                   atol=1e-10)
        np.testing.assert_allclose(bias.grad.numpy()[0], blocks(net.bias_ih_l0.grad.numpy(), back), atol=1e-10)
        np.testing.assert_allclose(bias.grad.numpy()[1], blocks(net.bias_hh_l0.grad.numpy(), back), atol=1e-10)


def gradcheck_rnn(layer, x, mask, states=()):
    """gradcheck of the outputs and last states (flattened, concatenated) with respect to the
    inputs, the initial states and every trainable weight, float64.

    The weights are passed as tensors by swapping them into the attributes of the
    (sub)layers that hold them for the duration of each call.
    """
    layer(x)
    weights = layer.trainable_weights
    owners = []
    for w in weights:
        holders = [(sub, k) for sub in layer._flatten_layers() for k, v in vars(sub).items() if v is w]
        assert holders, f"weight {w.name} is held by an attribute"
        owners.append(holders[0])
    n = len(states)

    def fn(inputs, *tensors):
        saved = [(sub, k, getattr(sub, k)) for sub, k in owners]
        for (sub, k), t in zip(owners, tensors[n:]):
            setattr(sub, k, t)
        try:
            out = layer(inputs, mask=mask, initial_state=list(tensors[:n]) or None)
        finally:
            for sub, k, v in saved:
                setattr(sub, k, v)
        return ops.concat([ops.reshape(o, (-1,)) for o in flatten_structure(out)], axis=0)

    assert dg.gradcheck(fn, x, *states, *[w.data.copy() for w in weights])


MASK = np.array([[True, True, True, False], [False, True, True, True]])
GRAD_CASES = {
    "simple_rnn": lambda **k: L.SimpleRNN(2, **k),
    "lstm": lambda **k: L.LSTM(2, **k),
    "gru": lambda **k: L.GRU(2, **k),
    "gru_before": lambda **k: L.GRU(2, reset_after=False, **k),
    "lstm_cell_loop": lambda **k: L.RNN(L.LSTMCell(2, dtype="float64"), **k),
    "gru_softplus_loop": lambda **k: L.GRU(2, activation="softplus", **k),
}


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backwards"])
@pytest.mark.parametrize("case", sorted(GRAD_CASES))
def test_gradcheck_float64_with_mask(case, go_backwards):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 3))
    layer = GRAD_CASES[case](return_sequences=True, return_state=True, go_backwards=go_backwards,
                             dtype="float64")
    n_states = 2 if "lstm" in case else 1
    states = [rng.standard_normal((2, 2)) for _ in range(n_states)]
    gradcheck_rnn(layer, x, MASK, states)


def test_gradcheck_float64_stacked_cells_with_mask():
    x = np.random.default_rng(2).standard_normal((2, 4, 3))
    layer = L.RNN([L.GRUCell(2, dtype="float64"), L.SimpleRNNCell(2, dtype="float64")],
                  return_sequences=True, dtype="float64")
    gradcheck_rnn(layer, x, MASK)


# --------------------------------------------------------------------------- padding changes nothing


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backwards"])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
def test_padding_changes_neither_the_last_real_output_nor_the_gradients(kind, side, go_backwards):
    rng = np.random.default_rng(3)
    lengths = [4, 2, 3]
    make = {"simple_rnn": L.SimpleRNN, "lstm": L.LSTM, "gru": L.GRU}[kind]
    layer = make(3, return_state=True, go_backwards=go_backwards, dtype="float64")
    seqs = [rng.standard_normal((n, D)) for n in lengths]
    layer(seqs[0][None])
    weights = layer.trainable_weights
    # every sequence alone, unpadded
    expected_out, expected_grads = [], [np.zeros(w.shape) for w in weights]
    expected_dx = []
    for s in seqs:
        xt = dg.Tensor(s[None].copy(), requires_grad=True)
        with dg.GradientTape() as tape:
            tape.watch(xt)
            out = layer(xt)
            total = sum(o.sum() for o in out)
        grads = tape.gradient(total, [xt] + weights)
        expected_out.append([o.numpy()[0] for o in out])
        expected_dx.append(grads[0].numpy()[0])
        for acc, g in zip(expected_grads, grads[1:]):
            acc += g.numpy()
    # the padded batch, with garbage in the padding
    x = rng.standard_normal((len(seqs), max(lengths), D)) * 100
    mask = np.zeros(x.shape[:2], bool)
    for i, s in enumerate(seqs):
        steps = slice(0, len(s)) if side == "right" else slice(max(lengths) - len(s), None)
        x[i, steps] = s
        mask[i, steps] = True
    xt = dg.Tensor(x, requires_grad=True)
    with dg.GradientTape() as tape:
        tape.watch(xt)
        out = layer(xt, mask=mask)
        total = sum(o.sum() for o in out)
    grads = tape.gradient(total, [xt] + weights)
    for i in range(len(seqs)):
        for got, expected in zip(out, expected_out[i]):
            np.testing.assert_allclose(got.numpy()[i], expected, atol=1e-12)
        np.testing.assert_allclose(grads[0].numpy()[i][mask[i]], expected_dx[i], atol=1e-12)
    assert np.all(grads[0].numpy()[~mask] == 0)
    for got, expected in zip(grads[1:], expected_grads):
        np.testing.assert_allclose(got.numpy(), expected, atol=1e-10)


# --------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_one_mask_per_sequence_only_in_training(kind):
    x = randn(4, 6, D)
    layer = rnn_layer(kind, dropout=0.5, recurrent_dropout=0.3, return_sequences=True, seed=1)(L)
    inference = layer(x).numpy()
    np.testing.assert_array_equal(layer(x, training=False).numpy(), inference)
    first = layer(x, training=True).numpy()
    assert not np.allclose(first, inference)
    assert not np.allclose(layer(x, training=True).numpy(), first)  # fresh masks per call
    # the same masks as running the cell step by step with the masks held fixed
    reference = rnn_layer(kind, dropout=0.5, recurrent_dropout=0.3, return_sequences=True, seed=1)(L)
    reference(x)
    reference.set_weights(layer.get_weights())
    cell_loop = L.RNN(reference.cell, return_sequences=True)
    np.testing.assert_allclose(cell_loop(x, training=True).numpy(), first, atol=1e-6)
    assert layer.cell._dropout_mask is None and layer.cell._recurrent_dropout_mask is None


def test_dropout_masks_are_per_gate_with_recurrent_dropout_as_keras():
    cell = L.LSTMCell(3, dropout=0.5)
    assert cell.dropout_mask_count is None
    cell = L.LSTMCell(3, dropout=0.5, recurrent_dropout=0.5)
    masks = cell.get_dropout_mask(np.zeros((2, 4), "float32"))
    assert len(masks) == 4 and masks[0].shape == (2, 4)
    assert len(L.GRUCell(3, recurrent_dropout=0.1).get_recurrent_dropout_mask(np.zeros((2, 3)))) == 3


# --------------------------------------------------------------------------- models, shapes, config, errors


def test_encoder_decoder_with_initial_state_in_a_functional_model_matches_keras():
    def build(lib, layers):
        enc_in, dec_in = lib.Input((5, 3)), lib.Input((4, 2))
        _, h, c = layers.LSTM(6, return_state=True)(enc_in)
        y = layers.LSTM(6, return_sequences=True)(dec_in, initial_state=[h, c])
        return (Model if layers is L else keras.Model)([enc_in, dec_in], layers.TimeDistributed(layers.Dense(2))(y))

    theirs, ours = build(keras, K), build(L, L)
    ours.set_weights(theirs.get_weights())
    a, b = randn(2, 5, 3), randn(2, 4, 2, seed=1)
    assert_same(ours([a, b]), theirs([a, b]))


@pytest.mark.parametrize("kind", KINDS)
def test_symbolic_shapes_match_keras(kind):
    for kwargs in (dict(), dict(return_sequences=True), dict(return_state=True),
                   dict(return_sequences=True, return_state=True)):
        make = rnn_layer(kind, **kwargs)
        for shape in ((T, D), (None, D)):
            assert flat_shapes(make(L)(L.Input(shape))) == flat_shapes(make(K)(keras.Input(shape)))


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k not in ("name", "dtype")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


CONFIG_CASES = {
    "simple_rnn": lambda m: m.SimpleRNN(3, activation="relu", dropout=0.2, seed=4, kernel_regularizer="l2"),
    "lstm": lambda m: m.LSTM(3, return_sequences=True, unit_forget_bias=False, recurrent_dropout=0.1),
    "gru": lambda m: m.GRU(3, reset_after=False, go_backwards=True, stateful=True),
    "rnn_stacked": lambda m: m.RNN([m.LSTMCell(2), m.GRUCell(3)], return_state=True),
    "bidirectional": lambda m: m.Bidirectional(m.GRU(2, return_sequences=True), merge_mode="sum"),
    "time_distributed": lambda m: m.TimeDistributed(m.Dense(2)),
    "lstm_cell": lambda m: m.LSTMCell(4, recurrent_activation="hard_sigmoid"),
    "gru_cell": lambda m: m.GRUCell(4),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_matches_keras_and_round_trips(case):
    theirs, ours = CONFIG_CASES[case](K), CONFIG_CASES[case](L)
    expected, got = plain(theirs.get_config()), plain(ours.get_config())
    assert got == expected
    clone = type(ours).from_config(ours.get_config())
    assert plain(clone.get_config()) == got


def test_sequential_model_with_recurrent_layers_saves_and_loads(tmp_path):
    model = Sequential([L.Bidirectional(L.LSTM(3, return_sequences=True), input_shape=(T, D)),
                        L.TimeDistributed(L.Dense(2)), L.GRU(2)])
    x = randn(2, T, D)
    path = tmp_path / "rnn.keras"
    model.save(path)
    from deepgrad.keras.saving import load_model

    np.testing.assert_allclose(load_model(path)(x).numpy(), model(x).numpy(), atol=1e-6)


def test_shape_errors_name_the_layer_and_the_expected_shape():
    with pytest.raises(ValueError) as info:
        L.LSTM(3, name="encoder")(np.ones((2, 5), dtype="float32"))
    message = str(info.value)
    assert "encoder" in message and "(2, 5)" in message and "(batch, timesteps, features)" in message
    with pytest.raises(ValueError, match=r"\(batch, timesteps, features\)"):
        L.GRU(3)(L.Input((4, 5, 6)))
    with pytest.raises(ValueError, match="min_ndim=3"):
        L.RNN(L.LSTMCell(2))(np.ones((2, 5), dtype="float32"))
    with pytest.raises(ValueError, match="units=0"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="batch size must be static"):
        L.LSTM(2, stateful=True)(L.Input((4, 3)))
    layer = L.SimpleRNN(2, stateful=True)
    layer(np.ones((2, 4, 3), dtype="float32"))
    with pytest.raises(ValueError, match="Expected batch size: 2"):
        layer(np.ones((3, 4, 3), dtype="float32"))
    with pytest.raises(ValueError, match="Cannot unroll"):
        L.LSTM(2, unroll=True)(L.Input((None, 3)))
    assert L.LSTM(2, unroll=True)(np.ones((1, 3, 3), dtype="float32")).shape == (1, 2)
