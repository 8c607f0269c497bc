"""matmul: parity with PyTorch for 2-D, batched, broadcast-batched and 1-D operands
(float64 and float32), gradcheck in float64, dtypes, errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from deepgrad.gradcheck import gradcheck
from tests.parity import check_parity, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"matmul"}

F64, F32 = np.float64, np.float32

SHAPES = [
    ((3, 4), (4, 5)),            # plain
    ((2, 3, 4), (2, 4, 5)),      # batched
    ((2, 3, 4), (4, 5)),         # batch against a matrix
    ((4, 5), (3, 5, 2)),         # matrix against a batch
    ((2, 1, 3, 4), (5, 4, 2)),   # batch axes broadcast on both sides
    ((4,), (4, 5)),              # vector @ matrix
    ((3, 4), (4,)),              # matrix @ vector
    ((4,), (4,)),                # dot product
    ((2, 3, 4), (4,)),           # batch @ vector
    ((4,), (2, 4, 3)),           # vector @ batch
    ((1, 1), (1, 1)),
]


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_matmul_parity(shapes, dtype):
    check_parity(ops.matmul, torch.matmul, list(shapes), dtype=dtype)


@requires_torch
def test_matmul_operator_and_reflected_operand():
    check_parity(lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4, 2)])
    w = np.random.default_rng(0).uniform(-1, 1, size=(4, 2))
    check_parity(lambda a: np.ones((3, 4)) @ a, lambda a: torch.ones(3, 4, dtype=a.dtype) @ a, inputs=[w])
    check_parity(lambda a: a @ w, lambda a: a @ torch.as_tensor(w), [(3, 4)])


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_matmul_gradcheck(shapes):
    rng = np.random.default_rng(1)
    assert gradcheck(ops.matmul, *[rng.uniform(-1, 1, size=s) for s in shapes])


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_matmul_keeps_float32(shapes):
    a = dg.Tensor(np.ones(shapes[0], F32), requires_grad=True)
    b = dg.Tensor(np.ones(shapes[1], F32), requires_grad=True)
    y = ops.matmul(a, b)
    assert y.dtype == F32 and y.shape == np.matmul(a.numpy(), b.numpy()).shape
    y.sum().backward()
    assert a.grad.dtype == F32 and b.grad.dtype == F32
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


def test_matmul_only_one_side_requires_grad():
    a = dg.Tensor(np.ones((2, 3)), requires_grad=True)
    b = dg.Tensor(np.full((3, 4), 2.0))
    ops.matmul(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 3), 8.0))
    assert b.grad is None


@pytest.mark.parametrize("a, b, pattern", [
    ((3, 4), (5, 2), r"matmul: inner dimensions do not match.*\(3, 4\) and \(5, 2\) \(4 != 5\)"),
    ((3, 4), (3,), r"matmul: .*\(3, 4\) and \(3,\) \(4 != 3\)"),
    ((), (3,), r"matmul: operands must have rank >= 1"),
])
def test_matmul_errors_name_both_shapes(a, b, pattern):
    with pytest.raises(ValueError, match=pattern):
        ops.matmul(dg.Tensor(np.ones(a)), dg.Tensor(np.ones(b)))
