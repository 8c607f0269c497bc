"""Reductions: parity with PyTorch over single and several axes, negative axes and keepdims
(float64 and float32), gradcheck in float64, ties in max/min, prod with zeros, errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from deepgrad.gradcheck import gradcheck
from deepgrad.ops.reduce import prod
from tests.parity import check_parity, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"logsumexp", "max", "mean", "min", "prod", "std", "sum", "var"}

F64, F32 = np.float64, np.float32
SHAPE = (3, 4, 5)
AXES = [None, 0, -1, (0, 2), (1, -1), (0, 1, 2)]


def dims(axis, ndim):
    """The torch `dim` argument for `axis`: every axis when None."""
    if axis is None:
        return tuple(range(ndim))
    return axis if isinstance(axis, tuple) else (axis,)


def torch_prod(x, axis, keepdims):
    """torch.prod takes one dim at a time: reduce the axes from the last one down."""
    for d in sorted({d % x.ndim for d in dims(axis, x.ndim)}, reverse=True):
        x = x.prod(d, keepdim=keepdims)
    return x


REDUCTIONS = {
    "sum": (ops.sum, lambda x, a, k: x.sum(dim=dims(a, x.ndim), keepdim=k)),
    "mean": (ops.mean, lambda x, a, k: x.mean(dim=dims(a, x.ndim), keepdim=k)),
    "max": (ops.max, lambda x, a, k: torch.amax(x, dim=dims(a, x.ndim), keepdim=k)),
    "min": (ops.min, lambda x, a, k: torch.amin(x, dim=dims(a, x.ndim), keepdim=k)),
    "var": (ops.var, lambda x, a, k: torch.var(x, dim=dims(a, x.ndim), keepdim=k, correction=0)),
    "std": (ops.std, lambda x, a, k: torch.std(x, dim=dims(a, x.ndim), keepdim=k, correction=0)),
    "logsumexp": (ops.logsumexp, lambda x, a, k: torch.logsumexp(x, dim=dims(a, x.ndim), keepdim=k)),
    "prod": (prod, torch_prod),
}


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_parity(name, axis, keepdims, dtype):
    fn, torch_fn = REDUCTIONS[name]
    low, high = (0.5, 1.5) if name == "prod" else (-2, 2)  # a product of 60 values of [-2, 2] under/overflows float32
    check_parity(lambda x: fn(x, axis, keepdims), lambda x: torch_fn(x, axis, keepdims), [SHAPE],
                 dtype=dtype, low=low, high=high)


@requires_torch
@pytest.mark.parametrize("ddof", [0, 1])
def test_var_std_with_ddof_match_torch(ddof):
    check_parity(lambda x: ops.var(x, (0, 2), ddof=ddof), lambda x: torch.var(x, dim=(0, 2), correction=ddof), [SHAPE])
    check_parity(lambda x: ops.std(x, 1, True, ddof=ddof),
                 lambda x: torch.std(x, dim=1, keepdim=True, correction=ddof), [SHAPE])


@requires_torch
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_share_the_gradient_among_ties_as_torch_amax(name):
    x = np.array([[1.0, 3.0, 3.0, -2.0], [0.0, 0.0, 0.0, 0.0], [-2.0, 1.0, -2.0, 3.0]])
    fn, torch_fn = REDUCTIONS[name]
    check_parity(lambda t: fn(t, 1), lambda t: torch_fn(t, 1, False), inputs=[x])
    check_parity(lambda t: fn(t), lambda t: torch_fn(t, None, False), inputs=[x])
    t = dg.Tensor(x, requires_grad=True)
    ops.max(t, 1).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy()[1], [0.25] * 4)


@requires_torch
def test_prod_with_zeros_matches_torch():
    x = np.random.default_rng(0).uniform(-2, 2, size=(3, 4))
    x[0, 1] = 0.0            # one zero: the others get no gradient, the zero gets the product of the rest
    x[1, 0] = x[1, 3] = 0.0  # two zeros: every gradient of the row is zero
    check_parity(lambda t: prod(t, 1), lambda t: t.prod(1), inputs=[x])
    check_parity(lambda t: prod(t, 0, keepdims=True), lambda t: t.prod(0, keepdim=True), inputs=[x])


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 1, (0, 2), -1], ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_gradcheck(name, axis, keepdims):
    rng = np.random.default_rng(4)
    shape = tuple(int(n) for n in rng.integers(2, 4, size=3))
    if name in ("max", "min"):
        x = rng.permutation(np.arange(np.prod(shape)) * 0.1).reshape(shape)  # distinct values: no tie
    else:
        x = rng.uniform(0.5, 1.5, size=shape)
    fn = REDUCTIONS[name][0]
    assert gradcheck(lambda t: fn(t, axis, keepdims), x)


def test_reductions_of_a_scalar_and_of_one_element():
    s = dg.Tensor(np.float64(3.0), requires_grad=True)
    for fn in (ops.sum, ops.mean, ops.max, ops.logsumexp, prod):
        y = fn(s)
        assert y.shape == () and y.dtype == F32
    x = dg.Tensor(np.array([[2.5]]), requires_grad=True)
    y = ops.mean(x, axis=(0, 1), keepdims=True)
    assert y.shape == (1, 1)
    y.backward()
    assert x.grad.numpy().tolist() == [[1.0]]


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_float32_stays_float32(name):
    x = dg.Tensor(np.linspace(0.5, 1.5, 12, dtype=F32).reshape(3, 4), requires_grad=True)
    y = REDUCTIONS[name][0](x, 1)
    assert y.dtype == F32
    y.sum().backward()
    assert x.grad.dtype == F32


def test_mean_of_integers_is_float_and_has_no_gradient():
    y = ops.mean(dg.Tensor(np.array([1, 2, 4])))
    assert y.dtype == F32 and y.item() == pytest.approx(7 / 3) and not y.requires_grad


def test_axis_out_of_range_is_a_value_error_naming_the_rank():
    with pytest.raises(ValueError, match="axis 3 is out of range for a tensor of rank 2"):
        ops.sum(dg.Tensor(np.ones((2, 3))), axis=3)


def test_max_of_an_empty_tensor_raises():
    with pytest.raises(ValueError, match=r"max: cannot reduce an empty tensor of shape \(0, 3\)"):
        ops.max(dg.Tensor(np.ones((0, 3))))
