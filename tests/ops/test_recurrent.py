"""Fused recurrent ops: parity with torch.nn.RNN/LSTM/GRU and with a hand-unrolled torch loop
of Keras' rnn() semantics (masks, go_backwards, recurrent dropout masks), padding, gradcheck, dtypes."""
import importlib.util
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops import recurrent as rnn
from tests.parity import TOLERANCE, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"gru", "lstm", "simple_rnn"}

if torch is not None:
    import torch.nn.functional as F

F64, F32 = np.float64, np.float32
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3, "gru_before": 3}


def uniform(rng, *shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape)


def call(kind, x_proj, states, w, b=None, **kw):
    """The deepgrad op of `kind` (gru_before: reset_after=False) -> (outputs, [states])."""
    if kind == "simple_rnn":
        out, h = rnn.simple_rnn(x_proj, states[0], w, **kw)
        return out, [h]
    if kind == "lstm":
        out, h, c = rnn.lstm(x_proj, states[0], states[1], w, **kw)
        return out, [h, c]
    out, h = rnn.gru(x_proj, states[0], w, recurrent_bias=b, reset_after=kind == "gru", **kw)
    return out, [h]


# ----------------------------------------------------------------------------- torch reference loop


def torch_activation(name):
    return {
        "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "linear": lambda v: v,
        None: lambda v: v, "hard_sigmoid": F.hardsigmoid, "softsign": F.softsign,
    }[name]


def torch_loop(kind, x_proj, states, w, b=None, activation="tanh", recurrent_activation="sigmoid",
               mask=None, go_backwards=False, recurrent_mask=None):
    """Keras' rnn() unrolled step by step in torch (keras/src/backend/torch/rnn.py, unroll=True):
    masked steps keep the states and repeat the previous output (zeros at first)."""
    act, ra = torch_activation(activation), torch_activation(recurrent_activation)
    n, t, gu = x_proj.shape
    u = w.shape[0]
    rm = recurrent_mask

    def masked(h, k):
        if rm is None:
            return h
        return h * (rm if rm.dim() == 2 else rm[k])

    def block(a, k):
        return a[:, k * u:(k + 1) * u]

    prev_out = torch.zeros(n, u, dtype=x_proj.dtype)
    outs = []
    for step in (range(t - 1, -1, -1) if go_backwards else range(t)):
        x = x_proj[:, step]
        if kind == "simple_rnn":
            new = [act(x + masked(states[0], 0) @ w)]
        elif kind == "lstm":
            h, c = states
            z = [block(x, k) + masked(h, k) @ block(w, k) for k in range(4)]
            c = ra(z[1]) * c + ra(z[0]) * act(z[2])
            new = [ra(z[3]) * act(c), c]
        else:
            h = states[0]
            bias = [0, 0, 0] if b is None else [b[k * u:(k + 1) * u] for k in range(3)]
            if kind == "gru":
                m = [masked(h, k) @ block(w, k) + bias[k] for k in range(3)]
                z = ra(block(x, 0) + m[0])
                r = ra(block(x, 1) + m[1])
                hh = act(block(x, 2) + r * m[2])
            else:
                z = ra(block(x, 0) + masked(h, 0) @ block(w, 0) + bias[0])
                r = ra(block(x, 1) + masked(h, 1) @ block(w, 1) + bias[1])
                hh = act(block(x, 2) + (r * masked(h, 2)) @ block(w, 2) + bias[2])
            new = [z * h + (1 - z) * hh]
        if mask is None:
            out = new[0]
        else:
            keep = mask[:, step:step + 1]
            out = torch.where(keep, new[0], prev_out)
            new = [torch.where(keep, s_new, s) for s_new, s in zip(new, states)]
        states, prev_out = new, out
        outs.append(out)
    return torch.stack(outs, 1), states


# ----------------------------------------------------------------------------- comparison helpers


def problem(kind, n, t, u, seed=0, bias=True):
    """Seeded arrays: x_proj (N, T, G*U), states, recurrent kernel, recurrent bias (gru)."""
    rng = np.random.default_rng(seed)
    g = GATES[kind]
    x_proj = uniform(rng, n, t, g * u, low=-1.5, high=1.5)
    states = [uniform(rng, n, u) for _ in range(2 if kind == "lstm" else 1)]
    w = uniform(rng, u, g * u, low=-0.8, high=0.8)
    b = uniform(rng, g * u) if bias and kind.startswith("gru") else None
    return x_proj, states, w, b


def loss_weights(n, t, u, k, seed=1):
    rng = np.random.default_rng(seed)
    return uniform(rng, n, t, u, low=0.5, high=1.5), [uniform(rng, n, u, low=0.5, high=1.5) for _ in range(k)]


def compare_with_loop(kind, arrays, dtype, mask=None, recurrent_mask=None, rtol=None, **kw):
    """Forward and the gradients of a weighted sum of outputs and last states against torch_loop."""
    x_proj, states, w, b = arrays
    tol = dict(TOLERANCE[dtype])
    if rtol is not None:
        tol["rtol"] = rtol
    n, t, _ = x_proj.shape
    u = w.shape[0]
    wo, ws = loss_weights(n, t, u, len(states))
    leaves = [x_proj, w] + states + ([] if b is None else [b])
    ours = [dg.Tensor(a.astype(dtype), requires_grad=True) for a in leaves]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in leaves]
    k = len(states)
    out, st = call(kind, ours[0], ours[2:2 + k], ours[1], ours[2 + k] if b is not None else None,
                   mask=mask, recurrent_mask=recurrent_mask, **kw)
    rm_t = None if recurrent_mask is None else torch.tensor(recurrent_mask.astype(dtype))
    mask_t = None if mask is None else torch.tensor(np.asarray(mask, bool))
    ref, ref_st = torch_loop(kind, theirs[0], theirs[2:2 + k], theirs[1], theirs[2 + k] if b is not None else None,
                             mask=mask_t, recurrent_mask=rm_t, **kw)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol, err_msg="outputs")
    for i, (s, r) in enumerate(zip(st, ref_st)):
        np.testing.assert_allclose(s.numpy(), r.detach().numpy(), **tol, err_msg=f"state {i}")
    loss = (out * wo.astype(dtype)).sum()
    ref_loss = (ref * torch.tensor(wo.astype(dtype))).sum()
    for s, r, sw in zip(st, ref_st, ws):
        loss = loss + (s * sw.astype(dtype)).sum()
        ref_loss = ref_loss + (r * torch.tensor(sw.astype(dtype))).sum()
    loss.backward()
    ref_loss.backward()
    for i, (a, r) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.grad.numpy(), r.grad.numpy(), **tol, err_msg=f"gradient of leaf {i}")
        assert a.grad.numpy().dtype == dtype
    return out, st, ours


# ----------------------------------------------------------------------------- parity with torch.nn modules

SHAPES = [(n, t, u) for n in (1, 3) for t in (1, 5) for u in (1, 4)]
D = 3


def module_case(kind, n, t, u, dtype, go_backwards, seed=0):
    """Run deepgrad (x_proj = x @ kernel + bias in deepgrad) and the torch module on the same weights.

    Returns pairs (ours, theirs) of arrays to compare: outputs, last states and the
    gradients of sum(outputs) + sum(states) for x, kernel, bias, recurrent kernel,
    (recurrent bias,) and the initial states, all in Keras layout.
    """
    rng = np.random.default_rng(seed)
    g = GATES[kind]
    tdt = torch.float64 if dtype == F64 else torch.float32
    x = uniform(rng, n, t, D).astype(dtype)
    kernel = uniform(rng, D, g * u, low=-0.8, high=0.8).astype(dtype)
    bias = uniform(rng, g * u).astype(dtype)
    rec = uniform(rng, u, g * u, low=-0.8, high=0.8).astype(dtype)
    rec_bias = uniform(rng, g * u).astype(dtype)
    states = [uniform(rng, n, u).astype(dtype) for _ in range(2 if kind == "lstm" else 1)]

    leaves = [dg.Tensor(a.copy(), requires_grad=True) for a in [x, kernel, bias, rec, rec_bias] + states]
    x_proj = leaves[0] @ leaves[1] + leaves[2]
    if kind == "simple_rnn":
        out, h = rnn.simple_rnn(x_proj, leaves[5], leaves[3], go_backwards=go_backwards)
        st = [h]
    elif kind == "lstm":
        out, h, c = rnn.lstm(x_proj, leaves[5], leaves[6], leaves[3], go_backwards=go_backwards)
        st = [h, c]
    else:
        out, h = rnn.gru(x_proj, leaves[5], leaves[3], leaves[4], go_backwards=go_backwards)
        st = [h]
    total = out.sum()
    for s in st:
        total = total + s.sum()
    total.backward()

    # torch gate order: LSTM i, f, g, o (= Keras); GRU r, z, n (Keras z, r, h: swap the first two blocks)
    def perm(a, axis):
        if kind != "gru":
            return a
        blocks = np.split(a, 3, axis=axis)
        return np.concatenate([blocks[1], blocks[0], blocks[2]], axis=axis)

    module = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](
        D, u, batch_first=True, dtype=tdt)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor(perm(kernel, 1).T))
        module.weight_hh_l0.copy_(torch.tensor(perm(rec, 1).T))
        module.bias_ih_l0.copy_(torch.tensor(perm(bias, 0)))
        module.bias_hh_l0.copy_(torch.tensor(perm(rec_bias, 0)) if kind == "gru" else torch.zeros(g * u, dtype=tdt))
    xt = torch.tensor(x, requires_grad=True)
    st_t = [torch.tensor(s[None], requires_grad=True) for s in states]
    ref, ref_st = module(xt.flip(1) if go_backwards else xt, tuple(st_t) if kind == "lstm" else st_t[0])
    ref_st = list(ref_st) if kind == "lstm" else [ref_st]
    total = ref.sum()
    for s in ref_st:
        total = total + s.sum()
    total.backward()

    pairs = [(out.numpy(), ref.detach().numpy())]
    pairs += [(s.numpy(), r[0].detach().numpy()) for s, r in zip(st, ref_st)]
    pairs += [
        (leaves[0].grad.numpy(), xt.grad.numpy()),
        (leaves[1].grad.numpy(), perm(module.weight_ih_l0.grad.numpy().T, 1)),
        (leaves[2].grad.numpy(), perm(module.bias_ih_l0.grad.numpy(), 0)),
        (leaves[3].grad.numpy(), perm(module.weight_hh_l0.grad.numpy().T, 1)),
    ]
    if kind == "gru":
        pairs.append((leaves[4].grad.numpy(), perm(module.bias_hh_l0.grad.numpy(), 0)))
    else:
        assert leaves[4].grad is None
    pairs += [(leaves[5 + i].grad.numpy(), s.grad[0].numpy()) for i, s in enumerate(st_t)]
    return pairs


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32], ids=["f64", "f32"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("n,t,u", SHAPES, ids=[f"N{n}T{t}U{u}" for n, t, u in SHAPES])
@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
def test_parity_with_torch_modules(kind, n, t, u, go_backwards, dtype):
    for i, (ours, theirs) in enumerate(module_case(kind, n, t, u, dtype, go_backwards)):
        np.testing.assert_allclose(ours, theirs, **TOLERANCE[dtype], err_msg=f"item {i}")
        assert ours.dtype == dtype, f"item {i}: dtype {ours.dtype}"


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32], ids=["f64", "f32"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("n,t,u", SHAPES, ids=[f"N{n}T{t}U{u}" for n, t, u in SHAPES])
def test_gru_reset_before_parity_with_torch_loop(n, t, u, go_backwards, dtype):
    compare_with_loop("gru_before", problem("gru_before", n, t, u), dtype, go_backwards=go_backwards)
    compare_with_loop("gru_before", problem("gru_before", n, t, u, bias=False), dtype, go_backwards=go_backwards)


@requires_torch
@pytest.mark.parametrize("kind", list(GATES))
def test_gru_without_recurrent_bias_and_loop_parity(kind):
    compare_with_loop(kind, problem(kind, 3, 4, 3, bias=False), F64)


# ----------------------------------------------------------------------------- activations

ACTIVATIONS = ["tanh", "sigmoid", "relu", "linear", None, "hard_sigmoid", "softsign"]


@requires_torch
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("kind", list(GATES))
def test_activations_parity(kind, activation):
    x_proj, states, w, b = problem(kind, 3, 5, 4, seed=3)
    if activation in ("tanh", "sigmoid", "hard_sigmoid", "softsign"):
        arrays = (x_proj * 2, states, w, b)   # reach the saturated parts
    else:
        arrays = (x_proj * 0.5, states, w * 0.5, b)   # unbounded: keep the values moderate
    compare_with_loop(kind, arrays, F64, activation=activation)
    if kind != "simple_rnn":
        compare_with_loop(kind, arrays, F64, recurrent_activation=activation)
        compare_with_loop(kind, arrays, F32, activation=activation, recurrent_activation=activation,
                          go_backwards=True)


@pytest.mark.parametrize("kind", list(GATES))
def test_unsupported_activation_raises(kind):
    x_proj, states, w, b = problem(kind, 2, 3, 2)
    with pytest.raises(ValueError, match="'selu' is not supported.*Received: activation='selu'"):
        call(kind, x_proj, states, w, b, activation="selu")
    if kind != "simple_rnn":
        with pytest.raises(ValueError, match="recurrent_activation"):
            call(kind, x_proj, states, w, b, recurrent_activation=np.tanh)


def test_shape_errors():
    x_proj, states, w, _ = problem("lstm", 2, 3, 2)
    with pytest.raises(ValueError, match=r"x_proj must have shape \(batch, timesteps, 8\)"):
        rnn.lstm(x_proj[..., :6], states[0], states[1], w)
    with pytest.raises(ValueError, match="recurrent_kernel must have shape"):
        rnn.lstm(x_proj, states[0], states[1], w[:, :6])
    with pytest.raises(ValueError, match=r"c0 must have shape \(batch, units\)"):
        rnn.lstm(x_proj, states[0], states[1][:1], w)
    with pytest.raises(ValueError, match="mask must have shape"):
        rnn.lstm(x_proj, states[0], states[1], w, mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="recurrent_mask must have shape"):
        rnn.lstm(x_proj, states[0], states[1], w, recurrent_mask=np.ones((3, 2, 2)))
    with pytest.raises(ValueError, match="recurrent_bias must have shape"):
        rnn.gru(x_proj[..., :6], states[0], w[:, :6], np.zeros(5))


# ----------------------------------------------------------------------------- masks

LENGTHS = [5, 3, 1, 4]


def padded_mask(lengths, t, side):
    """(N, T) bool mask: real steps at the start (right padding) or at the end (left padding)."""
    mask = np.zeros((len(lengths), t), bool)
    for i, n in enumerate(lengths):
        if side == "right":
            mask[i, :n] = True
        else:
            mask[i, t - n:] = True
    return mask


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("kind", list(GATES))
def test_padding_equals_unpadded_sequences(kind, side, go_backwards):
    """Outputs at real steps, final states and the gradients of real steps and initial states equal
    those of each sequence run alone; padded steps get exactly zero gradient."""
    t = 5
    x_proj, states, w, b = problem(kind, len(LENGTHS), t, 3, seed=7)
    mask = padded_mask(LENGTHS, t, side)
    order = mask[:, ::-1] if go_backwards else mask   # the mask in processing order
    wo, ws = loss_weights(len(LENGTHS), t, 3, len(states))
    leaves = [dg.Tensor(a.copy(), requires_grad=True) for a in [x_proj] + states]
    out, st = call(kind, leaves[0], leaves[1:], w, b, mask=mask, go_backwards=go_backwards)
    loss = (out * (wo * order[..., None])).sum()   # only the outputs of real steps
    for s, sw in zip(st, ws):
        loss = loss + (s * sw).sum()
    loss.backward()
    for i, n in enumerate(LENGTHS):
        steps = np.flatnonzero(mask[i])
        alone = [dg.Tensor(a, requires_grad=True) for a in [x_proj[i:i + 1, steps]] + [s[i:i + 1] for s in states]]
        out_a, st_a = call(kind, alone[0], alone[1:], w, b, go_backwards=go_backwards)
        real = np.flatnonzero(order[i])
        loss_a = (out_a * wo[i:i + 1, real]).sum()
        for s, sw in zip(st_a, ws):
            loss_a = loss_a + (s * sw[i:i + 1]).sum()
        loss_a.backward()
        np.testing.assert_allclose(out.numpy()[i, real], out_a.numpy()[0], rtol=1e-12, atol=1e-14)
        for s, s_a in zip(st, st_a):
            np.testing.assert_allclose(s.numpy()[i], s_a.numpy()[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(leaves[0].grad.numpy()[i, steps], alone[0].grad.numpy()[0],
                                   rtol=1e-10, atol=1e-13)
        for leaf, leaf_a in zip(leaves[1:], alone[1:]):
            np.testing.assert_allclose(leaf.grad.numpy()[i], leaf_a.grad.numpy()[0], rtol=1e-10, atol=1e-13)
        padded = np.flatnonzero(~mask[i])
        assert np.all(leaves[0].grad.numpy()[i, padded] == 0)
        if len(padded):   # masked steps before the first real step output zeros
            first_real = real[0]
            assert np.all(out.numpy()[i, :first_real] == 0)


@requires_torch
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("dtype", [F64, F32], ids=["f64", "f32"])
@pytest.mark.parametrize("kind", list(GATES))
def test_mask_with_holes_parity_with_torch_loop(kind, dtype, go_backwards):
    """A mask with holes: masked outputs repeat the previous output (zeros before any real step), and
    the loss includes those repeated outputs, so their gradient flows to the last real step."""
    mask = np.array([[1, 0, 1, 1, 0, 1], [0, 0, 1, 0, 1, 1], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]], bool)
    _, _, ours = compare_with_loop(kind, problem(kind, 4, 6, 3, seed=5), dtype, mask=mask,
                                   go_backwards=go_backwards)
    assert np.all(ours[0].grad.numpy()[~mask] == 0)


def test_all_real_mask_equals_no_mask():
    x_proj, states, w, _ = problem("lstm", 2, 4, 3)
    a, _ = call("lstm", x_proj, states, w, mask=np.ones((2, 4)))
    b, _ = call("lstm", x_proj, states, w)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


# ----------------------------------------------------------------------------- recurrent dropout masks


@requires_torch
@pytest.mark.parametrize("per_gate", [False, True], ids=["shared", "per_gate"])
@pytest.mark.parametrize("dtype", [F64, F32], ids=["f64", "f32"])
@pytest.mark.parametrize("kind", list(GATES))
def test_recurrent_mask_parity_with_torch_loop(kind, dtype, per_gate):
    rng = np.random.default_rng(11)
    n, t, u = 3, 5, 4
    shape = (GATES[kind], n, u) if per_gate else (n, u)
    rm = (rng.uniform(size=shape) > 0.3) / 0.7
    mask = padded_mask([5, 2, 4], t, "right")
    compare_with_loop(kind, problem(kind, n, t, u, seed=2), dtype, recurrent_mask=rm)
    compare_with_loop(kind, problem(kind, n, t, u, seed=2), dtype, recurrent_mask=rm, mask=mask, go_backwards=True)


# ----------------------------------------------------------------------------- gradcheck (float64)

GRADCHECK_MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 0]], bool)


@pytest.mark.parametrize("per_gate", [False, True], ids=["shared_rm", "per_gate_rm"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("kind", list(GATES))
def test_gradcheck(kind, go_backwards, per_gate):
    rng = np.random.default_rng(4)
    x_proj, states, w, b = problem(kind, 2, 4, 2, seed=9)
    rm = (rng.uniform(size=(GATES[kind], 2, 2) if per_gate else (2, 2)) > 0.3) / 0.7
    kw = dict(mask=GRADCHECK_MASK, go_backwards=go_backwards, recurrent_mask=rm)
    k = len(states)

    def fn(x, w, *rest):
        out, st = call(kind, x, list(rest[:k]), w, rest[k] if b is not None else None, **kw)
        total = dg.ops.reshape(out, (-1,))
        for s in st:
            total = dg.ops.concat([total, dg.ops.reshape(s, (-1,))], axis=0)
        return total

    assert dg.gradcheck(fn, x_proj, w, *states, *([] if b is None else [b]))


@pytest.mark.parametrize("kind", list(GATES))
def test_gradcheck_no_mask_nonstandard_activations(kind):
    x_proj, states, w, b = problem(kind, 2, 3, 2, seed=6)
    k = len(states)
    kw = dict(activation="softsign") if kind == "simple_rnn" else dict(activation="softsign",
                                                                      recurrent_activation="hard_sigmoid")

    def fn(x, w, *rest):
        out, st = call(kind, x, list(rest[:k]), w, rest[k] if b is not None else None, **kw)
        return dg.ops.concat([dg.ops.reshape(out, (-1,))] + [dg.ops.reshape(s, (-1,)) for s in st], axis=0)

    assert dg.gradcheck(fn, x_proj, w, *states, *([] if b is None else [b]))


# ----------------------------------------------------------------------------- dtypes, graph, edge cases


@pytest.mark.parametrize("kind", list(GATES))
def test_float32_in_float32_out_and_gradients(kind):
    x_proj, states, w, b = problem(kind, 3, 4, 5)
    leaves = [dg.Tensor(a.astype(F32), requires_grad=True) for a in [x_proj, w] + states + ([] if b is None else [b])]
    k = len(states)
    out, st = call(kind, leaves[0], leaves[2:2 + k], leaves[1], leaves[2 + k] if b is not None else None,
                   mask=padded_mask([4, 2, 3], 4, "left"), recurrent_mask=np.full((3, 5), 1.25, F32))
    assert out.dtype == F32 and all(s.dtype == F32 for s in st)
    total = out.sum()
    for s in st:
        total = total + s.sum()
    total.backward()
    for leaf in leaves:
        assert leaf.grad.dtype == F32


@pytest.mark.parametrize("kind", list(GATES))
def test_no_grad_and_inputs_left_unchanged(kind):
    x_proj, states, w, b = problem(kind, 1, 3, 2)   # N=1: the time-major copy of x_proj must still be a copy
    before = [a.copy() for a in [x_proj, w] + states]
    with dg.no_grad():
        out, st = call(kind, dg.Tensor(x_proj, requires_grad=True), states, w, b)
    assert not out.requires_grad and out._node is None
    for a, a0 in zip([x_proj, w] + states, before):
        np.testing.assert_array_equal(a, a0)
    out2, _ = call(kind, x_proj, states, w, b)
    np.testing.assert_array_equal(out.numpy(), out2.numpy())


def test_outputs_share_one_node_and_backward_twice():
    """Gradients from outputs only, from states only, and retain_graph for a second backward."""
    x_proj, states, w, _ = problem("lstm", 2, 3, 2)
    x = dg.Tensor(x_proj, requires_grad=True)
    out, h, c = rnn.lstm(x, states[0], states[1], w)
    assert out._node.parents[0] is h._node.parents[0] is c._node.parents[0]
    assert out.numpy().flags.c_contiguous and h.numpy().flags.c_contiguous
    h.sum().backward(retain_graph=True)
    g_h = x.grad.numpy().copy()
    x.grad = None
    out.sum().backward(retain_graph=True)
    g_out = x.grad.numpy().copy()
    x.grad = None
    (out.sum() + h.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), g_h + g_out, rtol=1e-12)
    assert np.any(g_h[:, :-1] != 0)


def test_defaults_none_states_are_zeros():
    x_proj, states, w, b = problem("gru", 2, 3, 2)
    a, _ = call("gru", x_proj, [None], w, b)
    z, _ = call("gru", x_proj, [np.zeros((2, 2))], w, b)
    np.testing.assert_array_equal(a.numpy(), z.numpy())


# ----------------------------------------------------------------------------- Keras 3 itself

KERAS_SCRIPT = textwrap.dedent("""
    import os
    os.environ["KERAS_BACKEND"] = "torch"
    import numpy as np, torch, keras
    import deepgrad as dg
    from deepgrad.ops import recurrent as rnn
    rng = np.random.default_rng(0)
    N, T, D, U = 4, 6, 3, 5
    mask = np.array([[1, 0, 1, 1, 0, 1], [0, 0, 1, 0, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]], bool)
    for kind, kw in [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {"reset_after": True}), ("GRU", {"reset_after": False})]:
        for back in (False, True):
            layer = getattr(keras.layers, kind)(U, return_sequences=True, return_state=True, go_backwards=back, **kw)
            arrays = [rng.standard_normal((N, T, D))] + [rng.standard_normal((N, U)) for _ in range(2 if kind == "LSTM" else 1)]
            arrays = [a.astype(np.float32) for a in arrays]
            theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
            res = layer(theirs[0], mask=torch.tensor(mask), initial_state=theirs[1:])
            sum(r.sum() for r in res).backward()
            kernel, rec, bias = [np.asarray(w) for w in layer.get_weights()]
            ours = [dg.Tensor(a, requires_grad=True) for a in arrays]
            if kind == "GRU":
                b_in, b_rec = (bias[0], bias[1]) if kw["reset_after"] else (bias, None)
                out = rnn.gru(ours[0] @ kernel + b_in, ours[1], rec, b_rec, mask=mask, go_backwards=back, **kw)
            elif kind == "LSTM":
                out = rnn.lstm(ours[0] @ kernel + bias, ours[1], ours[2], rec, mask=mask, go_backwards=back)
            else:
                out = rnn.simple_rnn(ours[0] @ kernel + bias, ours[1], rec, mask=mask, go_backwards=back)
            total = out[0].sum()
            for o in out[1:]:
                total = total + o.sum()
            total.backward()
            pairs = [(o.numpy(), r.detach().numpy()) for o, r in zip(out, res)]
            pairs += [(a.grad.numpy(), b.grad.numpy()) for a, b in zip(ours, theirs)]
            for a, b in pairs:
                np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=f"{kind} {kw} go_backwards={back}")
    print("OK")
""")


@pytest.mark.skipif(importlib.util.find_spec("keras") is None or torch is None,
                    reason="needs keras 3 and torch (pip install keras torch==2.13.0)")
def test_matches_keras_layers_with_mask_and_go_backwards():
    """Outputs, last states and the gradients w.r.t. inputs and initial states equal Keras 3's own
    SimpleRNN/LSTM/GRU (torch backend, in a fresh process) for a mask with holes, both directions."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONPATH=root)
    done = subprocess.run([sys.executable, "-c", KERAS_SCRIPT], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("OK"), done.stdout + done.stderr


# ----------------------------------------------------------------------------- timing (printed, not asserted)


@requires_torch
def test_lstm_timing_against_torch(capsys):
    """LSTM forward + backward, N=64, T=28, D=28, U=128 (the MNIST-rows benchmark), vs torch.nn.LSTM."""
    n, t, d, u = 64, 28, 28, 128
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, t, d)).astype(F32)
    kernel = (rng.standard_normal((d, 4 * u)) * 0.1).astype(F32)
    bias = np.zeros(4 * u, F32)
    rec = (rng.standard_normal((u, 4 * u)) * 0.1).astype(F32)
    zeros = np.zeros((n, u), F32)
    leaves = [dg.Tensor(a, requires_grad=True) for a in (x, kernel, bias, rec)]

    def ours():
        for leaf in leaves:
            leaf.grad = None
        out, h, c = rnn.lstm(leaves[0] @ leaves[1] + leaves[2], zeros, zeros, leaves[3])
        (out.sum() + h.sum() + c.sum()).backward()

    module = torch.nn.LSTM(d, u, batch_first=True)
    xt = torch.tensor(x, requires_grad=True)

    def theirs():
        module.zero_grad()
        xt.grad = None
        out, (h, c) = module(xt)
        (out.sum() + h.sum() + c.sum()).backward()

    times = {"deepgrad": [], "torch": []}
    for _ in range(3):   # blocks, not interleaved calls: the two thread pools would fight over the cores
        for name, fn in (("deepgrad", ours), ("torch", theirs)):
            fn()
            for _ in range(5):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    ms = {k: 1e3 * float(np.median(v)) for k, v in times.items()}
    with capsys.disabled():
        print(f"\nLSTM N={n} T={t} D={d} U={u} forward+backward (median of 15): deepgrad {ms['deepgrad']:.2f} ms, "
              f"torch {ms['torch']:.2f} ms, ratio {ms['deepgrad'] / ms['torch']:.2f}x")
