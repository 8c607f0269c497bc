"""lstm_from_inputs, the LSTM that projects its inputs inside each step's product: parity with
torch.nn.LSTM and with Keras' rnn() unrolled in torch (masks, go_backwards, activations, no bias),
gradcheck, the same numbers as lstm(x @ kernel + bias), inference without history, errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops import recurrent as rnn
from tests.ops.test_recurrent import GRADCHECK_MASK, padded_mask, torch_loop, uniform
from tests.parity import TOLERANCE, requires_torch, torch

COVERED_OPS = {"lstm_from_inputs"}

F64, F32 = np.float64, np.float32


def problem(n, t, f, u, seed=0, bias=True):
    """Seeded inputs (N, T, F), kernel, bias, recurrent kernel and the two initial states."""
    rng = np.random.default_rng(seed)
    x = uniform(rng, n, t, f, low=-1.5, high=1.5)
    kernel = uniform(rng, f, 4 * u, low=-0.8, high=0.8)
    b = uniform(rng, 4 * u) if bias else None
    w = uniform(rng, u, 4 * u, low=-0.8, high=0.8)
    states = [uniform(rng, n, u) for _ in range(2)]
    return x, kernel, b, w, states


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32], ids=["f64", "f32"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("mask", [None, "holes"], ids=["no_mask", "mask"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_parity_with_keras_loop_in_torch(dtype, go_backwards, mask, bias):
    """Outputs, both states and the gradients of x, kernel, bias, h0, c0 and W against torch."""
    n, t, f, u = 3, 5, 4, 6
    x, kernel, b, w, states = problem(n, t, f, u, bias=bias)
    m = None if mask is None else np.array([[1, 1, 0, 1, 1], [0, 1, 1, 1, 0], [1, 0, 0, 0, 1]], bool)
    leaves = [x, kernel, w] + states + ([] if b is None else [b])
    ours = [dg.Tensor(a.astype(dtype), requires_grad=True) for a in leaves]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in leaves]
    out, h, c = rnn.lstm_from_inputs(ours[0], ours[1], ours[5] if bias else None, ours[3], ours[4], ours[2],
                                     mask=m, go_backwards=go_backwards)
    x_proj = theirs[0] @ theirs[1] + (theirs[5] if bias else 0)
    ref, (ref_h, ref_c) = torch_loop("lstm", x_proj, theirs[3:5], theirs[2], go_backwards=go_backwards,
                                     mask=None if m is None else torch.tensor(m))
    tol = TOLERANCE[dtype]
    for a, r, what in ((out, ref, "outputs"), (h, ref_h, "h"), (c, ref_c, "c")):
        np.testing.assert_allclose(a.numpy(), r.detach().numpy(), **tol, err_msg=what)
    rng = np.random.default_rng(1)
    weights = [rng.uniform(0.5, 1.5, s).astype(dtype) for s in (out.shape, h.shape, c.shape)]
    loss = sum(((a * wt).sum() for a, wt in zip((out, h, c), weights)), dg.Tensor(np.zeros((), dtype)))
    ref_loss = sum((r * torch.tensor(wt)).sum() for r, wt in zip((ref, ref_h, ref_c), weights))
    loss.backward()
    ref_loss.backward()
    for i, (a, r) in enumerate(zip(ours, theirs)):
        assert a.grad.dtype == dtype
        np.testing.assert_allclose(a.grad.numpy(), r.grad.numpy(), **tol, err_msg=f"gradient of leaf {i}")


@requires_torch
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
def test_parity_with_torch_nn_lstm(go_backwards):
    """torch.nn.LSTM with the same weights (its second bias zero), float64: outputs and every gradient."""
    n, t, f, u = 4, 7, 3, 5
    x, kernel, b, w, states = problem(n, t, f, u, seed=3)
    leaves = [dg.Tensor(a.copy(), requires_grad=True) for a in [x, kernel, b, w] + states]
    out, h, c = rnn.lstm_from_inputs(leaves[0], leaves[1], leaves[2], leaves[4], leaves[5], leaves[3],
                                     go_backwards=go_backwards)
    (out.sum() + h.sum() + c.sum()).backward()
    module = torch.nn.LSTM(f, u, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor(kernel.T))
        module.weight_hh_l0.copy_(torch.tensor(w.T))
        module.bias_ih_l0.copy_(torch.tensor(b))
        module.bias_hh_l0.zero_()
    xt = torch.tensor(x, requires_grad=True)
    st = [torch.tensor(s[None], requires_grad=True) for s in states]
    ref, (ref_h, ref_c) = module(xt.flip(1) if go_backwards else xt, tuple(st))
    (ref.sum() + ref_h.sum() + ref_c.sum()).backward()
    tol = TOLERANCE[F64]
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol)
    np.testing.assert_allclose(leaves[0].grad.numpy(), xt.grad.numpy(), **tol)
    np.testing.assert_allclose(leaves[1].grad.numpy(), module.weight_ih_l0.grad.numpy().T, **tol)
    np.testing.assert_allclose(leaves[2].grad.numpy(), module.bias_ih_l0.grad.numpy(), **tol)
    np.testing.assert_allclose(leaves[3].grad.numpy(), module.weight_hh_l0.grad.numpy().T, **tol)
    np.testing.assert_allclose(leaves[4].grad.numpy(), st[0].grad[0].numpy(), **tol)
    np.testing.assert_allclose(leaves[5].grad.numpy(), st[1].grad[0].numpy(), **tol)


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("activations", [("tanh", "sigmoid"), ("softsign", "hard_sigmoid")], ids=["std", "other"])
def test_gradcheck(go_backwards, activations):
    x, kernel, b, w, states = problem(2, 4, 3, 2, seed=9)
    act, ra = activations

    def fn(x, kernel, b, w, h0, c0):
        out, h, c = rnn.lstm_from_inputs(x, kernel, b, h0, c0, w, activation=act, recurrent_activation=ra,
                                         mask=GRADCHECK_MASK, go_backwards=go_backwards)
        return dg.ops.concat([dg.ops.reshape(v, (-1,)) for v in (out, h, c)], axis=0)

    assert dg.gradcheck(fn, x, kernel, b, w, *states)


@pytest.mark.parametrize("mask", [None, "left"], ids=["no_mask", "padded"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
def test_same_numbers_as_lstm_of_the_projection(mask, go_backwards):
    """Against lstm(x @ kernel + bias): float32 to a few ulps (only the order of the additions differs)."""
    x, kernel, b, w, states = problem(4, 6, 5, 8, seed=2)
    m = None if mask is None else padded_mask([6, 3, 5, 1], 6, "left")
    args = [dg.Tensor(a.astype(F32)) for a in (x, kernel, b, w, *states)]
    fused = rnn.lstm_from_inputs(*args[:3], args[4], args[5], args[3], mask=m, go_backwards=go_backwards)
    x_proj = args[0] @ args[1] + args[2]
    plain = rnn.lstm(x_proj, args[4], args[5], args[3], mask=m, go_backwards=go_backwards)
    for a, r in zip(fused, plain):
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=2e-6, atol=2e-6)


def test_inference_keeps_no_history_and_gives_the_same_bits():
    """Without a gradient to record, the op reuses its buffers; the numbers are those of a recorded run."""
    x, kernel, b, w, states = problem(3, 9, 4, 6, seed=5)
    args = [dg.Tensor(a.astype(F32), requires_grad=True) for a in (x, kernel, b, w, *states)]
    recorded = rnn.lstm_from_inputs(args[0], args[1], args[2], args[4], args[5], args[3])
    assert recorded[0].requires_grad
    with dg.no_grad():
        inferred = rnn.lstm_from_inputs(args[0], args[1], args[2], args[4], args[5], args[3])
        plain_inferred = rnn.lstm(args[0] @ args[1] + args[2], args[4], args[5], args[3])
    plain_recorded = rnn.lstm(args[0] @ args[1] + args[2], args[4], args[5], args[3])
    assert not inferred[0].requires_grad
    for a, r in zip(inferred, recorded):
        np.testing.assert_array_equal(a.numpy(), r.numpy())
    for a, r in zip(plain_inferred, plain_recorded):
        np.testing.assert_array_equal(a.numpy(), r.numpy())


def test_inputs_left_unchanged_and_zero_states():
    x, kernel, b, w, states = problem(2, 3, 4, 5)
    before = [a.copy() for a in (x, kernel, b, w)]
    out, h, c = rnn.lstm_from_inputs(x, kernel, b, None, None, w)
    ref = rnn.lstm_from_inputs(x, kernel, b, np.zeros((2, 5)), np.zeros((2, 5)), w)
    np.testing.assert_array_equal(out.numpy(), ref[0].numpy())
    for a, a0 in zip((x, kernel, b, w), before):
        np.testing.assert_array_equal(a, a0)


def test_shape_errors_name_the_op_and_shapes():
    x, kernel, b, w, states = problem(2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"lstm_from_inputs: expects inputs .* kernel=\(3, 20\)"):
        rnn.lstm_from_inputs(x, kernel[:3], b, None, None, w)
    with pytest.raises(ValueError, match=r"lstm_from_inputs: kernel must have shape \(features, 4 \* units\) "
                                         r"= \(4, 20\). Received: kernel.shape=\(4, 16\)"):
        rnn.lstm_from_inputs(x, kernel[:, :16], b, None, None, w)
    with pytest.raises(ValueError, match=r"lstm_from_inputs: bias must have shape \(4 \* units,\) = \(20,\)"):
        rnn.lstm_from_inputs(x, kernel, b[:10], None, None, w)
    with pytest.raises(ValueError, match=r"lstm_from_inputs: recurrent_kernel must have shape"):
        rnn.lstm_from_inputs(x, kernel, b, None, None, w[:, :10])
    with pytest.raises(ValueError, match=r"lstm_from_inputs: h0 must have shape \(batch, units\) = \(2, 5\)"):
        rnn.lstm_from_inputs(x, kernel, b, np.zeros((3, 5)), None, w)


def test_layer_uses_it_without_dropout_and_the_projection_op_with_dropout():
    """keras.layers.LSTM: one lstm_from_inputs node when there is no dropout; with dropout in training
    the lstm op over the dropped projection; both the same numbers at inference."""
    from deepgrad import keras, profiler

    x = np.random.default_rng(0).standard_normal((4, 6, 3)).astype(F32)
    plain = keras.layers.LSTM(5, return_sequences=True)
    dropped = keras.layers.LSTM(5, return_sequences=True, dropout=0.5, recurrent_dropout=0.3)
    plain.build(x.shape)
    dropped.build(x.shape)
    dropped.set_weights(plain.get_weights())
    with profiler.profile() as prof:
        with dg.GradientTape():
            a = plain(x, training=True)
            dropped(x, training=True)
    assert prof.calls("lstm_from_inputs") == 1 and prof.calls("lstm") == 1
    np.testing.assert_array_equal(a.numpy(), dropped(x, training=False).numpy())
