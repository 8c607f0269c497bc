"""max/avg pooling, 2-D and 1-D: gradcheck, PyTorch parity (ties included), dtypes, errors.

TensorFlow's 'same' padding is asymmetric, so the torch lambdas pad explicitly: with -inf for
max pooling, and for average pooling they divide the zero-padded window sum by the number of
real cells (an average pool of a padded tensor of ones), which is what TF and Keras compute.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from tests.parity import check_parity, random_inputs, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d"}

if torch is not None:
    import torch.nn.functional as F

F32, F64 = np.float32, np.float64


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _tf_same(size, window, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _pads(shape_hw, pool, strides, padding):
    """F.pad amounts (left, right, top, bottom)."""
    if padding == "valid":
        return (0, 0, 0, 0)
    t, b = _tf_same(shape_hw[0], pool[0], strides[0])
    l, r = _tf_same(shape_hw[1], pool[1], strides[1])
    return (l, r, t, b)


def torch_pool2d(x, kind, pool=2, strides=None, padding="valid"):
    pool = _pair(pool)
    strides = pool if strides is None else _pair(strides)
    xt = x.permute(0, 3, 1, 2)
    pads = _pads(xt.shape[2:], pool, strides, padding)
    if kind == "max":
        y = F.max_pool2d(F.pad(xt, pads, value=-float("inf")), pool, strides)
    else:
        total = F.avg_pool2d(F.pad(xt, pads), pool, strides)
        real = F.avg_pool2d(F.pad(torch.ones_like(xt), pads), pool, strides)
        y = total / real
    return y.permute(0, 2, 3, 1)


def torch_pool1d(x, kind, pool=2, strides=None, padding="valid"):
    strides = pool if strides is None else strides
    return torch_pool2d(x[:, None], kind, (1, pool), (1, strides), padding)[:, 0]


POOL2D_CASES = [
    # x shape, pool, strides, padding, dtype
    ((2, 8, 8, 3), 2, None, "valid", F64),
    ((1, 7, 9, 1), 2, None, "valid", F64),
    ((7, 7, 9, 3), 2, 2, "same", F64),
    ((2, 7, 9, 16), 3, 1, "same", F64),
    ((2, 7, 9, 3), 3, 2, "same", F64),
    ((1, 9, 7, 3), 3, 3, "valid", F64),
    ((2, 7, 9, 3), 3, 3, "same", F64),
    ((2, 7, 9, 1), 2, 1, "valid", F64),
    ((2, 7, 9, 3), (2, 3), (3, 2), "same", F64),
    ((2, 8, 9, 3), 2, 3, "valid", F64),
    ((7, 24, 24, 16), 2, None, "valid", F32),
    ((1, 7, 9, 16), 3, 2, "valid", F32),
    ((7, 7, 9, 3), 3, 1, "same", F32),
    ((2, 7, 9, 3), 2, 2, "same", F32),
]


@pytest.mark.parametrize("xs,pool,s,pad,dtype", POOL2D_CASES)
def test_max_pool2d_parity(xs, pool, s, pad, dtype):
    check_parity(lambda x: max_pool2d(x, pool, s, pad), lambda x: torch_pool2d(x, "max", pool, s, pad),
                 shapes=[xs], dtype=dtype)


@pytest.mark.parametrize("xs,pool,s,pad,dtype", POOL2D_CASES)
def test_avg_pool2d_parity(xs, pool, s, pad, dtype):
    check_parity(lambda x: avg_pool2d(x, pool, s, pad), lambda x: torch_pool2d(x, "avg", pool, s, pad),
                 shapes=[xs], dtype=dtype)


@pytest.mark.parametrize("pool,s,pad", [(2, None, "valid"), (3, 1, "same"), (3, 2, "same"), (2, 1, "valid")])
def test_max_pool2d_ties_route_to_one_element_like_pytorch(pool, s, pad):
    """Windows full of equal values (as after a ReLU): the gradient goes to the first maximum only."""
    x = np.random.default_rng(1).integers(0, 2, size=(2, 8, 7, 3)).astype(F64)
    check_parity(lambda t: max_pool2d(t, pool, s, pad), lambda t: torch_pool2d(t, "max", pool, s, pad), inputs=[x])
    g = dg.Tensor(x, requires_grad=True)
    max_pool2d(g, pool, s, pad).sum().backward()
    assert g.grad.numpy().sum() == max_pool2d(x, pool, s, pad).size  # one unit of gradient per window


POOL1D_CASES = [
    ((2, 9, 3), 2, None, "valid", F64),
    ((7, 9, 1), 3, 1, "same", F64),
    ((1, 10, 16), 3, 2, "same", F64),
    ((2, 9, 3), 3, 3, "valid", F32),
    ((7, 10, 3), 2, 1, "same", F32),
]


@pytest.mark.parametrize("xs,pool,s,pad,dtype", POOL1D_CASES)
def test_max_pool1d_parity(xs, pool, s, pad, dtype):
    check_parity(lambda x: max_pool1d(x, pool, s, pad), lambda x: torch_pool1d(x, "max", pool, s, pad),
                 shapes=[xs], dtype=dtype)


@pytest.mark.parametrize("xs,pool,s,pad,dtype", POOL1D_CASES)
def test_avg_pool1d_parity(xs, pool, s, pad, dtype):
    check_parity(lambda x: avg_pool1d(x, pool, s, pad), lambda x: torch_pool1d(x, "avg", pool, s, pad),
                 shapes=[xs], dtype=dtype)


@pytest.mark.parametrize("fn", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize("pool,s,pad", [(2, None, "valid"), (3, 2, "same"), (2, 1, "same"), ((2, 3), (1, 2), "valid")])
def test_pool2d_gradcheck(fn, pool, s, pad):
    (x,) = random_inputs([(2, 5, 6, 2)])
    assert dg.gradcheck(lambda t: fn(t, pool, s, pad), x)


@pytest.mark.parametrize("fn", [max_pool1d, avg_pool1d])
@pytest.mark.parametrize("pool,s,pad", [(2, None, "valid"), (3, 2, "same")])
def test_pool1d_gradcheck(fn, pool, s, pad):
    (x,) = random_inputs([(2, 7, 2)])
    assert dg.gradcheck(lambda t: fn(t, pool, s, pad), x)


def test_same_average_counts_only_real_cells():
    x = np.ones((1, 3, 3, 1), F64)
    np.testing.assert_array_equal(avg_pool2d(x, 2, 2, "same").numpy(), np.ones((1, 2, 2, 1)))
    y = max_pool2d(-np.ones((1, 3, 3, 1), F64), 2, 2, "same").numpy()
    np.testing.assert_array_equal(y, -np.ones((1, 2, 2, 1)))  # the padding never wins


def test_output_shapes_follow_keras():
    x = np.zeros((2, 7, 9, 3), F32)
    assert max_pool2d(x).shape == (2, 3, 4, 3)
    assert max_pool2d(x, 2, padding="same").shape == (2, 4, 5, 3)
    assert avg_pool2d(x, 3, 1, "same").shape == (2, 7, 9, 3)
    assert avg_pool2d(x, (3, 2), (2, 3)).shape == (2, 3, 3, 3)
    assert max_pool1d(np.zeros((2, 9, 3), F32)).shape == (2, 4, 3)
    assert avg_pool1d(np.zeros((2, 9, 3), F32), 2, padding="same").shape == (2, 5, 3)


@pytest.mark.parametrize("fn,xs", [
    (lambda x: max_pool2d(x), (4, 8, 8, 3)), (lambda x: max_pool2d(x, 3, 1, "same"), (2, 7, 9, 3)),
    (lambda x: avg_pool2d(x), (4, 8, 8, 3)), (lambda x: avg_pool2d(x, 3, 2, "same"), (2, 7, 9, 3)),
    (lambda x: max_pool1d(x, 2, 1, "same"), (2, 9, 3)), (lambda x: avg_pool1d(x, 3, 2, "same"), (2, 9, 3)),
])
def test_float32_stays_float32(fn, xs):
    x = dg.Tensor(random_inputs([xs], dtype=F32)[0], requires_grad=True)
    y = fn(x)
    assert y.dtype == F32
    y.sum().backward()
    assert x.grad.dtype == F32


@pytest.mark.parametrize("fn,xs,words", [
    (max_pool2d, (8, 8, 3), ["max_pool2d", "4-D", "x=(8, 8, 3)"]),
    (avg_pool2d, (2, 8, 8, 3, 1), ["avg_pool2d", "4-D", "x=(2, 8, 8, 3, 1)"]),
    (max_pool1d, (2, 9), ["max_pool1d", "3-D", "x=(2, 9)"]),
    (avg_pool1d, (2, 9, 3, 1), ["avg_pool1d", "3-D", "x=(2, 9, 3, 1)"]),
])
def test_rank_errors_name_op_and_shape(fn, xs, words):
    with pytest.raises(ValueError) as info:
        fn(np.zeros(xs, F32))
    for word in words:
        assert word in str(info.value)


def test_argument_errors():
    x = np.zeros((1, 2, 2, 1), F32)
    too_big = r"max_pool2d: the pool window is larger than the input. Received: x shape=\(1, 2, 2, 1\)"
    with pytest.raises(ValueError, match=too_big):
        max_pool2d(x, 3)
    bad_padding = r"avg_pool2d: padding must be one of 'valid', 'same'. Received: padding='causal'"
    with pytest.raises(ValueError, match=bad_padding):
        avg_pool2d(x, 2, padding="causal")
    with pytest.raises(ValueError, match=r"max_pool2d: pool_size must be a positive int"):
        max_pool2d(x, 0)
