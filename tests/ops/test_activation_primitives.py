"""The activation primitives of deepgrad/ops/activations.py: central differences (float64) and PyTorch parity."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.gradcheck import gradcheck
from deepgrad.ops import activations as act
from deepgrad.ops.table import OPS
from tests.parity import check_parity, requires_torch, torch

F = torch.nn.functional if torch is not None else None


def _inputs(shape, dtype, kinks, seed=0, low=-5.0, high=5.0):
    """Seeded inputs at least 0.05 away from the kinks, where the slope is defined on both sides."""
    x = np.random.default_rng(seed).uniform(low, high, size=shape)
    for p in kinks:
        near = np.abs(x - p) < 0.05
        x[near] = p + np.where(x[near] >= p, 0.05, -0.05)
    return x.astype(dtype)


# (deepgrad forward, torch forward, kinks)
PRIMITIVES = {
    "relu6": (act.relu6, F.relu6 if F else None, (0, 6)),
    "hard_tanh": (act.hard_tanh, F.hardtanh if F else None, (-1, 1)),
    "hard_sigmoid": (act.hard_sigmoid, F.hardsigmoid if F else None, (-3, 3)),
    "hard_silu": (act.hard_silu, F.hardswish if F else None, (-3, 3)),
    "celu": (lambda x: act.celu(x, 1.5), (lambda x: F.celu(x, 1.5)) if F else None, (0,)),
    "softsign": (act.softsign, F.softsign if F else None, ()),
    "log_sigmoid": (act.log_sigmoid, F.logsigmoid if F else None, ()),
    "sparse_plus": (act.sparse_plus,
                    lambda x: torch.where(x <= -1, 0 * x, torch.where(x < 1, (x + 1) ** 2 / 4, x)), (-1, 1)),
    "sparse_sigmoid": (act.sparse_sigmoid, lambda x: torch.clamp((x + 1) / 2, 0, 1), (-1, 1)),
    "squareplus": (lambda x: act.squareplus(x, 2.5), lambda x: (x + torch.sqrt(x * x + 2.5)) / 2, ()),
    "tanh_shrink": (act.tanh_shrink, F.tanhshrink if F else None, ()),
    "hard_shrink": (lambda x: act.hard_shrink(x, 0.7), (lambda x: F.hardshrink(x, 0.7)) if F else None, (-0.7, 0.7)),
    "soft_shrink": (lambda x: act.soft_shrink(x, 0.7), (lambda x: F.softshrink(x, 0.7)) if F else None, (-0.7, 0.7)),
    "threshold": (lambda x: act.threshold(x, 0.4, -3.0), (lambda x: F.threshold(x, 0.4, -3.0)) if F else None,
                  (0.4,)),
}


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_parity_with_torch(name, dtype):
    ours, theirs, kinks = PRIMITIVES[name]
    check_parity(ours, theirs, inputs=[_inputs((6, 7), dtype, kinks)])


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_gradcheck(name):
    ours, _, kinks = PRIMITIVES[name]
    assert gradcheck(ours, _inputs((3, 5), np.float64, kinks, seed=1), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_float32_stays_float32(name):
    ours, _, kinks = PRIMITIVES[name]
    t = dg.Tensor(_inputs((4,), np.float32, kinks), requires_grad=True)
    y = ours(t)
    y.sum().backward()
    assert y.numpy().dtype == np.float32 and t.grad.numpy().dtype == np.float32


def test_integer_inputs():
    ints = np.array([-8, -1, 0, 2, 9], dtype=np.int32)
    for op, expected in ((act.relu6, [0, 0, 0, 2, 6]), (act.hard_tanh, [-1, -1, 0, 1, 1])):
        y = op(ints).numpy()
        assert y.dtype == np.int32
        np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(act.threshold(ints, 1, 7).numpy(), [7, 7, 7, 2, 9])
    y = act.softsign(ints).numpy()
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, ints / (1 + np.abs(ints)), rtol=1e-6)


def test_log_sigmoid_is_finite_far_out():
    y = act.log_sigmoid(np.array([-800.0, 0.0, 800.0])).numpy()
    np.testing.assert_allclose(y, [-800.0, -np.log(2), 0.0], atol=1e-12)


def _sparsemax_torch(x, axis):
    """The simplex projection in torch, through a sort (torch's autograd gives the reference gradient)."""
    z, _ = torch.sort(x, dim=axis, descending=True)
    cums = z.cumsum(axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    r = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(shape)
    k = (1 + r * z > cums).sum(axis, keepdim=True)
    tau = (cums.gather(axis, k - 1) - 1) / k
    return torch.clamp(x - tau, min=0)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_sparsemax(axis, dtype):
    x = np.random.default_rng(2).uniform(-1, 1, size=(4, 6, 3)).astype(dtype)
    check_parity(lambda t: act.sparsemax(t, axis) * dg.Tensor(np.arange(1.0, 73.0).reshape(4, 6, 3).astype(dtype)),
                 lambda t: _sparsemax_torch(t, axis) * torch.arange(1.0, 73.0, dtype=t.dtype).reshape(4, 6, 3),
                 inputs=[x])
    y = act.sparsemax(x, axis).numpy()
    np.testing.assert_allclose(y.sum(axis=axis), 1, rtol=1e-5)
    assert (y >= 0).all()


def test_sparsemax_gradcheck():
    x = np.random.default_rng(3).uniform(-1, 1, size=(3, 5))
    assert gradcheck(lambda t: act.sparsemax(t, -1), x, rtol=1e-6, atol=1e-8)


def test_declared_in_the_table():
    for name in list(PRIMITIVES) + ["sparsemax"]:
        spec = OPS[name]
        assert spec.module == "deepgrad.ops.activations" and spec.differentiable


COVERED_KERAS_OPS = set()
COVERED_OPS = set(PRIMITIVES) | {"sparsemax"}
