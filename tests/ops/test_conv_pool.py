"""conv2d_bias_act_pool: bit for bit conv2d_bias_act then max_pool2d (forward and every gradient),
PyTorch parity, gradcheck, inference without winners, errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops.conv import conv2d_bias_act
from deepgrad.ops.conv_pool import conv2d_bias_act_pool
from deepgrad.ops.pooling import max_pool2d
from tests.ops.test_conv import torch_conv2d
from tests.parity import check_parity, requires_torch, torch

COVERED_OPS = {"conv2d_bias_act_pool"}

if torch is not None:
    import torch.nn.functional as F

F32, F64 = np.float32, np.float64

# (x shape, kernel shape, conv kwargs, pool size): one input channel (the transposed patch matrix),
# an odd output (the last row and column are left out of every window), strides, 'same', dilation,
# pools of 3x3 and 2x3
CASES = [
    ((3, 10, 10, 1), (3, 3, 1, 4), {}, 2),
    ((2, 13, 13, 5), (3, 3, 5, 6), {}, 2),
    ((2, 11, 12, 4), (3, 3, 4, 3), dict(strides=2, padding="same"), 2),
    ((2, 12, 12, 4), (3, 3, 4, 3), dict(dilation=2), (2, 3)),
    ((2, 15, 15, 3), (2, 2, 3, 5), dict(padding="same"), 3),
]
IDS = ["c1", "odd", "strided_same", "dilated_pool2x3", "pool3"]


def layered(x, k, b, activation, pool, conv_kwargs):
    return max_pool2d(conv2d_bias_act(x, k, b, activation=activation, **conv_kwargs), pool)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("activation", ["relu", None])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bit_for_bit_the_two_ops(case, activation, bias):
    xs, ks, conv_kwargs, pool = case
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(xs).astype(F32), (rng.standard_normal(ks) * 0.5).astype(F32),
              rng.standard_normal(ks[-1]).astype(F32) * 0.3]
    results = []
    for fn in (layered, None):
        x, k, b = (dg.Tensor(a.copy(), requires_grad=True) for a in arrays)
        if fn is None:
            out = conv2d_bias_act_pool(x, k, b if bias else None, activation=activation, pool_size=pool,
                                       **conv_kwargs)
        else:
            out = fn(x, k, b if bias else None, activation, pool, conv_kwargs)
        g = np.random.default_rng(1).standard_normal(out.shape).astype(F32)
        (out * dg.Tensor(g)).sum().backward()
        results.append([out.numpy(), x.grad.numpy(), k.grad.numpy()] + ([b.grad.numpy()] if bias else []))
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_ties_and_zeros_route_as_the_two_ops():
    """Windows of equal values (zeros after the ReLU, equal positives): the same gradient, bit for bit."""
    x = np.zeros((2, 6, 6, 1), F32)
    x[0, :3, :3] = 1.0           # a 3x3 plateau: equal positive outputs in a window
    x[1] = -1.0                  # all negative: every window's ReLU is 0
    k = np.full((2, 2, 1, 2), 0.25, F32)
    grads = []
    for fused in (True, False):
        xt, kt = dg.Tensor(x.copy(), requires_grad=True), dg.Tensor(k.copy(), requires_grad=True)
        out = (conv2d_bias_act_pool(xt, kt, None, activation="relu", pool_size=2) if fused
               else max_pool2d(conv2d_bias_act(xt, kt, None, activation="relu"), 2))
        out.sum().backward()
        grads.append((out.numpy(), xt.grad.numpy(), kt.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parity_with_torch(case):
    xs, ks, conv_kwargs, pool = case
    pool2 = (pool, pool) if isinstance(pool, int) else pool

    def ours(x, k, b):
        return conv2d_bias_act_pool(x, k, b, activation="relu", pool_size=pool, **conv_kwargs)

    def theirs(x, k, b):
        z = torch.relu(torch_conv2d(x, k, **conv_kwargs) + b).permute(0, 3, 1, 2)
        return F.max_pool2d(z, pool2).permute(0, 2, 3, 1)

    check_parity(ours, theirs, shapes=[xs, ks, (ks[-1],)])


@pytest.mark.parametrize("activation", ["relu", None])
def test_gradcheck(activation):
    rng = np.random.default_rng(2)
    x, k, b = rng.standard_normal((2, 7, 7, 2)), rng.standard_normal((2, 2, 2, 3)), rng.standard_normal(3)
    assert dg.gradcheck(lambda x, k, b: conv2d_bias_act_pool(x, k, b, activation=activation, pool_size=2,
                                                             padding="same"), x, k, b)


def test_inference_records_nothing_and_gives_the_same_values():
    rng = np.random.default_rng(3)
    x, k = dg.Tensor(rng.standard_normal((2, 9, 9, 3)).astype(F32), requires_grad=True), rng.standard_normal(
        (3, 3, 3, 4)).astype(F32)
    recorded = conv2d_bias_act_pool(x, k, None, activation="relu")
    with dg.no_grad():
        inferred = conv2d_bias_act_pool(x, k, None, activation="relu")
    assert recorded.requires_grad and not inferred.requires_grad
    np.testing.assert_array_equal(recorded.numpy(), inferred.numpy())
    assert inferred.shape == (2, 3, 3, 4)


def test_errors_name_the_op_and_shapes():
    x, k = np.zeros((1, 6, 6, 2), F32), np.zeros((3, 3, 2, 4), F32)
    with pytest.raises(ValueError, match=r"conv2d_bias_act_pool: the pool window \(5, 5\) is larger than the "
                                         r"convolution's output \(4, 4\)"):
        conv2d_bias_act_pool(x, k, pool_size=5)
    with pytest.raises(ValueError, match=r"conv2d_bias_act_pool: input has 2 channels but kernel expects 3"):
        conv2d_bias_act_pool(x, np.zeros((3, 3, 3, 4), F32))
    with pytest.raises(ValueError, match=r"conv2d_bias_act_pool: bias must have shape \(F,\) = \(4,\)"):
        conv2d_bias_act_pool(x, k, np.zeros(3, F32))
    with pytest.raises(ValueError, match=r"conv2d_bias_act_pool: activation must be one of"):
        conv2d_bias_act_pool(x, k, activation="tanh")
