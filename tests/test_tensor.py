"""Tensor semantics: deep graphs, reuse, no_grad, graph freeing, retain_graph and accumulation
as PyTorch, errors, dtypes, independence of gradient arrays."""
import gc
import sys
import weakref

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from tests.parity import requires_torch, torch


def leaf(values, dtype=np.float64):
    return dg.Tensor(np.array(values, dtype=dtype), requires_grad=True)


def test_a_10000_op_chain_backpropagates_without_recursion():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    limit = sys.getrecursionlimit()
    y.sum().backward()
    assert sys.getrecursionlimit() == limit
    np.testing.assert_allclose(x.grad.numpy(), [1.0001**10_000] * 2, rtol=1e-9)


def test_a_10000_op_chain_of_mixed_ops():
    x = leaf([0.5])
    y = x
    for _ in range(2_500):
        y = ops.tanh(y) + 0.1 * y - ops.sigmoid(y) * 0.0
    y.backward(np.ones(1))
    # the same recurrence differentiated by hand: y' = (1 - tanh(y)^2 + 0.1) y'
    v, d = 0.5, 1.0
    for _ in range(2_500):
        d *= 1 - np.tanh(v) ** 2 + 0.1
        v = np.tanh(v) + 0.1 * v
    np.testing.assert_allclose(y.numpy(), [v], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), [d], rtol=1e-9)


def test_a_tensor_used_twice_gets_the_sum_of_its_gradients():
    x = leaf([3.0])
    (x * x).backward()
    assert x.grad.numpy().tolist() == [6.0]
    x.grad = None
    (x + x + x).backward()
    assert x.grad.numpy().tolist() == [3.0]


@requires_torch
def test_diamond_graph_with_reused_intermediates_matches_torch():
    values = np.array([[0.3, -1.2, 0.7], [1.5, 0.1, -0.4]])

    def f(x, lib):
        a = x * 2.0
        b = lib.exp(a) if lib is torch else ops.exp(a)
        c = a * a
        d = b * c + a            # a reaches d three ways
        e = d.sum(1) if lib is torch else ops.sum(d, 1)
        return (e * e).sum() + (c / (1.0 + b)).sum()

    x = leaf(values)
    f(x, dg).backward()
    tx = torch.tensor(values, requires_grad=True)
    f(tx, torch).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_no_grad_builds_no_graph_and_enable_grad_restores_it():
    x = leaf([1.0, 2.0])
    with dg.no_grad():
        y = x * 2 + 1
        assert not dg.is_grad_enabled()
        with dg.enable_grad():
            z = x * 3
    assert dg.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y._node is None
    assert z.requires_grad and not z.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_restores_state_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with dg.no_grad():
            1 / 0
    assert dg.is_grad_enabled()


def test_the_graph_is_freed_after_backward():
    x = leaf([1.0, 2.0])
    hidden = x * 2.0
    out = ops.exp(hidden).sum()
    ref = weakref.ref(hidden)
    del hidden
    gc.collect()
    assert ref() is not None  # the graph holds it until backward
    out.backward()
    gc.collect()
    assert ref() is None, "backward() left the graph's intermediate tensors alive"


def test_a_second_backward_through_a_freed_graph_raises_a_clear_error():
    x = leaf([1.0, 2.0])
    y = ops.exp(x * 2.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


@requires_torch
def test_retain_graph_accumulates_as_torch():
    values = np.array([0.5, -1.0, 2.0])
    x, tx = leaf(values), torch.tensor(values, requires_grad=True)
    y = (ops.exp(x) * x).sum()
    ty = (torch.exp(tx) * tx).sum()
    y.backward(retain_graph=True)
    ty.backward(retain_graph=True)
    y.backward()
    ty.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(values) * (1 + values), rtol=1e-14)


@requires_torch
def test_backward_on_fresh_graphs_accumulates_leaf_gradients_as_torch():
    values = np.array([[1.0, 2.0], [3.0, -4.0]])
    x, tx = leaf(values), torch.tensor(values, requires_grad=True)
    for k in range(1, 4):
        (ops.sum(x * x) * float(k)).backward()
        ((tx * tx).sum() * float(k)).backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), 12 * values)


@requires_torch
def test_backward_with_an_explicit_gradient_matches_torch():
    values = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]])
    g = np.array([[1.0, -1.0, 2.0], [0.0, 3.0, 0.5]])
    x, tx = leaf(values), torch.tensor(values, requires_grad=True)
    ops.tanh(x).backward(g)
    torch.tanh(tx).backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14)


def test_backward_on_a_non_scalar_without_gradient_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"non-scalar output.*shape \(2,\)"):
        (x * 2).backward()


def test_backward_with_a_gradient_of_the_wrong_shape_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the output has shape \(2,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_a_one_element_non_scalar_needs_no_gradient():
    x = leaf([[2.0]])
    (x * x).backward()
    assert x.grad.numpy().tolist() == [[4.0]]


@pytest.mark.parametrize("values", [np.arange(3), np.array([True, False]), np.arange(3, dtype=np.uint8)])
def test_integer_and_boolean_tensors_cannot_require_grad(values):
    with pytest.raises(TypeError, match="only float tensors can require gradients"):
        dg.Tensor(values, requires_grad=True)
    with pytest.raises(TypeError):
        dg.Tensor(values).requires_grad_()


def test_backward_on_a_leaf_gives_ones():
    x = leaf(5.0)
    x.backward()
    assert x.grad.item() == 1.0


def test_gradients_of_different_leaves_are_independent_writable_arrays():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = leaf([[1.0, 2.0], [3.0, 4.0]])
    (a + b + ops.reshape(c, (4,))[:2] + ops.sum(c, 0) * 0 + a).sum().backward()
    arrays = [a.grad.numpy(), b.grad.numpy(), c.grad.numpy()]
    for i, g in enumerate(arrays):
        assert g.flags.writeable
        for h in arrays[i + 1:]:
            assert not np.shares_memory(g, h)
    a.grad.numpy()[:] = 0  # an in-place change (clipping, scaling) touches only a's gradient
    assert b.grad.numpy().tolist() == [1.0, 1.0]
    x = leaf([1.0, 2.0])
    x.sum().backward()  # the gradient of a sum is a broadcast, read-only view inside the graph
    assert x.grad.numpy().flags.writeable


def test_gradient_dtype_matches_the_leaf_dtype():
    x32 = dg.Tensor(np.ones(3, np.float32), requires_grad=True)
    x64 = dg.Tensor(np.ones(3), requires_grad=True)
    (x32 * x64.sum()).sum().backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64


def test_construction_dtypes_and_conversions():
    assert dg.Tensor(1.5).dtype == np.float32
    assert dg.Tensor([1, 2]).dtype.kind == "i"
    assert dg.Tensor(np.ones(2)).dtype == np.float64
    assert dg.Tensor(np.ones(2), dtype="float32").dtype == np.float32
    t = dg.Tensor([[1.0, 2.0]])
    assert t.shape == (1, 2) and t.ndim == 2 and t.size == 2 and len(t) == 1
    assert float(dg.Tensor(2.5)) == 2.5 and int(dg.Tensor(3)) == 3 and dg.Tensor(4.0).item() == 4.0
    np.testing.assert_array_equal(np.asarray(t), [[1.0, 2.0]])
    assert "shape=(1, 2)" in repr(t) and "float32" in repr(t)


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    y = (x * 2).detach()
    assert not y.requires_grad and y.is_leaf
    z = (x * y).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_operators_match_numpy():
    a_np, b_np = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([2.0, 4.0])
    a, b = dg.Tensor(a_np), dg.Tensor(b_np)
    np.testing.assert_array_equal((a + b).numpy(), a_np + b_np)
    np.testing.assert_array_equal((a - b).numpy(), a_np - b_np)
    np.testing.assert_array_equal((a * b).numpy(), a_np * b_np)
    np.testing.assert_array_equal((a / b).numpy(), a_np / b_np)
    np.testing.assert_array_equal((-a).numpy(), -a_np)
    np.testing.assert_array_equal(abs(a).numpy(), np.abs(a_np))
    np.testing.assert_array_equal((a @ b).numpy(), a_np @ b_np)
    np.testing.assert_array_equal((2 - a).numpy(), 2 - a_np)
    np.testing.assert_array_equal((a ** 2).numpy(), a_np ** 2)
