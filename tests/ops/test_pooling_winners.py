"""Max pooling over non-overlapping windows finds its winners in the forward.

The forward keeps the index of each window's first maximal tap and the vjp
routes g by it; these cases pin that path to PyTorch where ties decide the
routing (windows of zeros, as after a ReLU), with gaps between the windows
(stride > pool), 'same' padding, float32, and the no-gradient forward.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops.pooling import max_pool1d, max_pool2d
from tests.ops.test_pooling import torch_pool1d, torch_pool2d
from tests.parity import check_parity

F32, F64 = np.float32, np.float64


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("pool,s,pad", [(2, None, "valid"), (2, 3, "valid"), (3, None, "same"), ((2, 3), None, "same"),
                                        (3, (3, 4), "valid")])
def test_disjoint_windows_route_ties_to_the_first_maximum_like_pytorch(pool, s, pad, dtype):
    x = np.maximum(np.random.default_rng(2).integers(-2, 2, size=(2, 9, 10, 3)), 0).astype(dtype)
    check_parity(lambda t: max_pool2d(t, pool, s, pad), lambda t: torch_pool2d(t, "max", pool, s, pad), inputs=[x])
    g = dg.Tensor(x, requires_grad=True)
    max_pool2d(g, pool, s, pad).sum().backward()
    assert g.grad.numpy().sum() == max_pool2d(x, pool, s, pad).size  # one unit of gradient per window


@pytest.mark.parametrize("dtype", [F64, F32])
def test_disjoint_windows_random_values_parity(dtype):
    check_parity(lambda t: max_pool2d(t, 2), lambda t: torch_pool2d(t, "max", 2), shapes=[(3, 12, 11, 5)], dtype=dtype)
    check_parity(lambda t: max_pool1d(t, 3), lambda t: torch_pool1d(t, "max", 3), shapes=[(3, 13, 4)], dtype=dtype)


def test_forward_without_gradient_gives_the_same_output():
    x = np.random.default_rng(3).normal(size=(2, 8, 8, 4)).astype(F32)
    with_grad = max_pool2d(dg.Tensor(x, requires_grad=True), 2)
    with dg.no_grad():
        without = max_pool2d(dg.Tensor(x, requires_grad=True), 2)
    assert without.is_leaf and not without.requires_grad
    np.testing.assert_array_equal(with_grad.numpy(), without.numpy())
