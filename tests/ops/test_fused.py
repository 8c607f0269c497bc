"""Fused layer ops: conv2d_bias_act (and the fused dense) against PyTorch and gradcheck.

Each fused op must give the numbers of the separate ops it replaces (conv2d,
the bias add, the ReLU), forward and gradients, including the blocked
forward of a batch larger than one block of the patch matrix.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops import conv
from deepgrad.ops.conv import conv2d, conv2d_bias_act
from deepgrad.ops.fused import dense_bias_act
from tests.ops.test_conv import torch_conv2d
from tests.parity import check_parity, random_inputs, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"conv2d_bias_act", "dense_bias_act"}

F32, F64 = np.float32, np.float64


def torch_conv_bias_act(x, k, b=None, strides=1, padding="valid", dilation=1, activation=None):
    y = torch_conv2d(x, k, strides, padding, dilation)
    if b is not None:
        y = y + b
    return torch.relu(y) if activation == "relu" else y


CASES = [
    # x shape, kernel shape, strides, padding, dilation, activation, dtype
    ((2, 7, 9, 1), (3, 3, 1, 4), 1, "valid", 1, "relu", F64),   # the few-channel patch matrix
    ((3, 7, 9, 3), (3, 3, 3, 5), 2, "same", 1, "relu", F64),
    ((2, 8, 7, 16), (3, 3, 16, 6), 1, "valid", 1, "relu", F64),  # the strided-view patch matrix
    ((2, 9, 9, 8), (3, 3, 8, 4), 1, "same", 2, None, F64),
    ((2, 6, 6, 8), (1, 1, 8, 5), 1, "valid", 1, "linear", F64),
    ((4, 12, 12, 1), (3, 3, 1, 8), 1, "valid", 1, "relu", F32),
    ((3, 11, 11, 32), (3, 3, 32, 16), 1, "valid", 1, "relu", F32),
    ((2, 9, 8, 16), (3, 3, 16, 4), 2, "same", 1, None, F32),
]


@pytest.mark.parametrize("xs,ks,s,pad,d,act,dtype", CASES)
def test_conv2d_bias_act_parity(xs, ks, s, pad, d, act, dtype):
    check_parity(lambda x, k, b: conv2d_bias_act(x, k, b, s, pad, d, act),
                 lambda x, k, b: torch_conv_bias_act(x, k, b, s, pad, d, act),
                 shapes=[xs, ks, ks[-1:]], dtype=dtype)


@pytest.mark.parametrize("dtype", [F64, F32])
def test_conv2d_bias_act_without_bias_parity(dtype):
    check_parity(lambda x, k: conv2d_bias_act(x, k, None, activation="relu"),
                 lambda x, k: torch_conv_bias_act(x, k, activation="relu"),
                 shapes=[(2, 7, 7, 4), (3, 3, 4, 3)], dtype=dtype)


@pytest.mark.parametrize("channels", [1, 16])
@pytest.mark.parametrize("dtype", [F64, F32])
def test_conv2d_bias_act_blocks_give_the_same_numbers(monkeypatch, channels, dtype):
    """A batch cut into many blocks of the patch matrix: forward and gradients unchanged."""
    monkeypatch.setattr(conv, "_CHUNK_BYTES", 1)  # one sample per block
    check_parity(lambda x, k, b: conv2d_bias_act(x, k, b, activation="relu"),
                 lambda x, k, b: torch_conv_bias_act(x, k, b, activation="relu"),
                 shapes=[(5, 8, 8, channels), (3, 3, channels, 4), (4,)], dtype=dtype)


@pytest.mark.parametrize("xs,ks,s,pad,act", [
    ((2, 5, 6, 2), (3, 3, 2, 3), 1, "valid", "relu"),
    ((1, 6, 5, 9), (3, 3, 9, 2), 2, "same", "relu"),
    ((2, 5, 5, 4), (2, 2, 4, 2), 1, "same", None),
])
def test_conv2d_bias_act_gradcheck(xs, ks, s, pad, act):
    x, k, b = random_inputs([xs, ks, ks[-1:]])
    assert dg.gradcheck(lambda a, w, c: conv2d_bias_act(a, w, c, s, pad, activation=act), x, k, b)


def test_conv2d_bias_act_equals_the_separate_ops_exactly_in_float64():
    x, k, b = random_inputs([(3, 9, 9, 8), (3, 3, 8, 5), (5,)], seed=4)
    fused = conv2d_bias_act(x, k, b, activation="relu").numpy()
    separate = dg.ops.relu(conv2d(x, k) + b).numpy()
    np.testing.assert_allclose(fused, separate, rtol=1e-12, atol=1e-12)


def test_conv2d_bias_act_under_no_grad_keeps_no_graph():
    x, k, b = random_inputs([(2, 6, 6, 3), (3, 3, 3, 4), (4,)], dtype=F32)
    kt, bt = dg.Tensor(k, requires_grad=True), dg.Tensor(b, requires_grad=True)
    with dg.no_grad():
        y = conv2d_bias_act(dg.Tensor(x), kt, bt, activation="relu")
    assert not y.requires_grad and y.is_leaf
    assert y.dtype == F32 and (y.numpy() >= 0).all()


@requires_torch
def test_conv2d_bias_act_skips_gradients_nobody_needs():
    x, k, b = random_inputs([(2, 6, 6, 3), (3, 3, 3, 4), (4,)])
    xt, kt, bt = dg.Tensor(x), dg.Tensor(k), dg.Tensor(b, requires_grad=True)
    conv2d_bias_act(xt, kt, bt, activation="relu").sum().backward()
    assert xt.grad is None and kt.grad is None
    b_ref = torch.tensor(b, requires_grad=True)
    torch_conv_bias_act(torch.tensor(x), torch.tensor(k), b_ref, activation="relu").sum().backward()
    np.testing.assert_allclose(bt.grad.numpy(), b_ref.grad.numpy(), rtol=1e-10)


def test_conv2d_bias_act_rejects_what_it_cannot_fuse():
    x = np.zeros((1, 5, 5, 2), F32)
    k = np.zeros((3, 3, 2, 4), F32)
    with pytest.raises(ValueError, match="activation must be one of"):
        conv2d_bias_act(x, k, np.zeros(4, F32), activation="tanh")
    with pytest.raises(ValueError, match=r"bias must have shape \(F,\) = \(4,\).*Received: bias.shape=\(3,\)"):
        conv2d_bias_act(x, k, np.zeros(3, F32))


# --- dense_bias_act -------------------------------------------------------------------------------

def torch_dense(x, k, b=None, activation=None):
    y = x @ k
    if b is not None:
        y = y + b
    return torch.relu(y) if activation == "relu" else y


@pytest.mark.parametrize("act", ["relu", None, "linear"])
@pytest.mark.parametrize("dtype", [F64, F32])
def test_dense_bias_act_parity(act, dtype):
    check_parity(lambda x, k, b: dense_bias_act(x, k, b, act), lambda x, k, b: torch_dense(x, k, b, act),
                 shapes=[(7, 5), (5, 4), (4,)], dtype=dtype)


@pytest.mark.parametrize("dtype", [F64, F32])
def test_dense_bias_act_without_bias_parity(dtype):
    check_parity(lambda x, k: dense_bias_act(x, k, None, "relu"), lambda x, k: torch_dense(x, k, None, "relu"),
                 shapes=[(6, 3), (3, 8)], dtype=dtype)


@pytest.mark.parametrize("act", ["relu", None])
def test_dense_bias_act_gradcheck(act):
    x, k, b = random_inputs([(4, 3), (3, 5), (5,)])
    assert dg.gradcheck(lambda a, w, c: dense_bias_act(a, w, c, act), x, k, b)


def test_dense_bias_act_equals_the_separate_ops_exactly_in_float64():
    x, k, b = random_inputs([(9, 6), (6, 4), (4,)], seed=5)
    np.testing.assert_array_equal(dense_bias_act(x, k, b, "relu").numpy(),
                                  dg.ops.relu(dg.ops.matmul(x, k) + b).numpy())


def test_dense_bias_act_rejects_what_it_cannot_fuse():
    with pytest.raises(ValueError, match="activation must be one of"):
        dense_bias_act(np.zeros((2, 3)), np.zeros((3, 4)), None, "sigmoid")
    with pytest.raises(ValueError, match=r"expects x \(N, D_in\).*x=\(2, 3\), kernel=\(2, 4\)"):
        dense_bias_act(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"bias must have shape \(D_out,\) = \(4,\).*Received: bias.shape=\(3,\)"):
        dense_bias_act(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(3))
