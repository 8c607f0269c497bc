"""The gather, sort and rearranging primitives of deepgrad/ops/indexing.py and arrange.py:
parity with PyTorch (float64 and float32, forward and gradient of the sum), gradcheck in
float64 with a random weight on every output, and their errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.gradcheck import gradcheck
from deepgrad.ops import arrange, indexing
from tests.parity import check_parity, requires_torch, torch

COVERED_OPS = {"take", "take_along_axis", "sort", "argsort", "flip", "roll", "repeat", "copy"}
COVERED_KERAS_OPS = set()

IDX = np.array([[2, 0], [2, 2], [-1, 1]])  # repeats and a negative index: gradients add up
ALONG = np.array([[3, 0, 3], [1, 1, 1], [0, 2, -1]])
ALONG0 = np.array([[2, 0, 2], [1, 1, -1]])
WEIGHT = np.random.default_rng(3).uniform(0.5, 1.5, (3, 4))


def _t(a):
    return torch.as_tensor(a)


def _w(x, w):
    """A fixed weight in x's dtype (deepgrad), so that each output element's gradient differs."""
    return dg.Tensor(w.astype(x.dtype))


def _tw(x, w):
    return torch.as_tensor(w).to(x.dtype)


# name: (deepgrad fn, torch fn, input shapes)
PRIMITIVES = {
    "take_flat": (lambda x: indexing.take(x, IDX), lambda x: x.reshape(-1)[_t(IDX % 12)], [(3, 4)]),
    "take_axis0": (lambda x: indexing.take(x, IDX, axis=0),
                   lambda x: torch.index_select(x, 0, _t(IDX % 3).reshape(-1)).reshape(3, 2, 4), [(3, 4)]),
    "take_axis_last": (lambda x: indexing.take(x, IDX[:, 0], axis=-1),
                       lambda x: x[..., _t(IDX[:, 0] % 4)], [(2, 3, 4)]),
    "take_along_axis_1": (lambda x: indexing.take_along_axis(x, ALONG, axis=1),
                          lambda x: torch.take_along_dim(x, _t(ALONG % 4), dim=1), [(3, 4)]),
    "take_along_axis_0": (lambda x: indexing.take_along_axis(x, ALONG0, axis=0),
                          lambda x: torch.take_along_dim(x, _t(ALONG0 % 3), dim=0), [(3, 3)]),
    "take_along_axis_broadcast": (lambda x: indexing.take_along_axis(x, ALONG, axis=1),
                                  lambda x: torch.take_along_dim(x, _t(ALONG % 4), dim=1), [(1, 4)]),
    "take_along_axis_flat": (lambda x: indexing.take_along_axis(x, np.array([5, 5, 0, 11])),
                             lambda x: x.reshape(-1)[_t(np.array([5, 5, 0, 11]))], [(3, 4)]),
    "sort_last": (lambda x: indexing.sort(x), lambda x: torch.sort(x, dim=-1).values, [(3, 5)]),
    "sort_axis0": (lambda x: indexing.sort(x, axis=0), lambda x: torch.sort(x, dim=0).values, [(4, 2, 3)]),
    "sort_flat": (lambda x: indexing.sort(x, axis=None), lambda x: torch.sort(x.reshape(-1)).values, [(3, 4)]),
    "sort_weighted": (lambda x: indexing.sort(x, axis=1) * _w(x, WEIGHT),
                      lambda x: torch.sort(x, dim=1).values * _tw(x, WEIGHT), [(3, 4)]),
    "flip_all": (lambda x: arrange.flip(x) * _w(x, WEIGHT), lambda x: torch.flip(x, (0, 1)) * _tw(x, WEIGHT), [(3, 4)]),
    "flip_axis": (lambda x: arrange.flip(x, 1), lambda x: torch.flip(x, (1,)), [(2, 3, 4)]),
    "flip_axes": (lambda x: arrange.flip(x, (0, -1)), lambda x: torch.flip(x, (0, -1)), [(2, 3, 4)]),
    "roll_flat": (lambda x: arrange.roll(x, 5) * _w(x, WEIGHT), lambda x: torch.roll(x, 5) * _tw(x, WEIGHT), [(3, 4)]),
    "roll_axis": (lambda x: arrange.roll(x, -1, axis=1) * _w(x, WEIGHT),
                  lambda x: torch.roll(x, -1, dims=1) * _tw(x, WEIGHT), [(3, 4)]),
    "roll_axes": (lambda x: arrange.roll(x, (1, 2), axis=(0, 2)), lambda x: torch.roll(x, (1, 2), dims=(0, 2)),
                  [(2, 3, 4)]),
    "repeat_flat": (lambda x: arrange.repeat(x, 2), lambda x: torch.repeat_interleave(x.reshape(-1), 2), [(3, 4)]),
    "repeat_axis": (lambda x: arrange.repeat(x, 3, axis=1) * _w(x, np.repeat(WEIGHT, 3, axis=1)),
                    lambda x: torch.repeat_interleave(x, 3, dim=1) * _tw(x, np.repeat(WEIGHT, 3, axis=1)), [(3, 4)]),
    "repeat_counts": (lambda x: arrange.repeat(x, [2, 0, 1], axis=0),
                      lambda x: torch.repeat_interleave(x, _t(np.array([2, 0, 1])), dim=0), [(3, 4)]),
    "copy": (lambda x: arrange.copy(x) * _w(x, WEIGHT), lambda x: x.clone() * _tw(x, WEIGHT), [(3, 4)]),
}


@requires_torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_primitive_matches_torch(name, dtype):
    ours, theirs, shapes = PRIMITIVES[name]
    check_parity(ours, theirs, shapes, dtype=dtype)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_primitive_gradcheck(name):
    ours, _, shapes = PRIMITIVES[name]
    x = np.random.default_rng(1).permutation(np.prod(shapes[0])).reshape(shapes[0]) * 0.37 - 1.0  # no ties
    assert gradcheck(ours, x)


def test_sort_gradient_follows_each_value_to_its_position():
    x = dg.Tensor(np.array([[3.0, 1.0, 2.0], [0.0, -1.0, 5.0]]), requires_grad=True)
    w = np.array([[10.0, 20.0, 30.0], [1.0, 2.0, 3.0]])
    y = indexing.sort(x, axis=1)
    np.testing.assert_array_equal(y.numpy(), [[1.0, 2.0, 3.0], [-1.0, 0.0, 5.0]])
    (y * dg.Tensor(w)).sum().backward()
    # the smallest value (position 1 of row 0) receives the weight of sorted position 0, ...
    np.testing.assert_array_equal(x.grad.numpy(), [[30.0, 10.0, 20.0], [2.0, 1.0, 3.0]])


@pytest.mark.parametrize("axis", [-1, 0, None])
def test_argsort_is_the_stable_sorting_permutation(axis):
    x = np.array([[3, 1, 3, 0], [1, 1, 0, 2], [3, 0, 0, 1]])
    out = indexing.argsort(x, axis=axis)
    expected = np.argsort(x if axis is not None else x.ravel(), axis=-1 if axis is None else axis, kind="stable")
    assert out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), expected)


def test_integer_inputs_keep_their_dtype():
    x = np.arange(12).reshape(3, 4)
    assert indexing.take(x, [1, 1]).numpy().tolist() == [1, 1]
    assert indexing.sort(-x, axis=0).numpy()[0].tolist() == [-8, -9, -10, -11]
    assert arrange.flip(x, 0).dtype == x.dtype
    np.testing.assert_array_equal(arrange.repeat(x, [1, 2, 0], axis=0).numpy(), np.repeat(x, [1, 2, 0], axis=0))
    np.testing.assert_array_equal(arrange.roll(x, 1, axis=0).numpy(), np.roll(x, 1, axis=0))


def test_errors_say_what_was_received():
    x = np.zeros((3, 4))
    with pytest.raises(IndexError, match="out of range"):
        indexing.take(x, [4], axis=1)
    with pytest.raises(TypeError, match="integers"):
        indexing.take(x, [0.5])
    with pytest.raises(ValueError, match="same rank"):
        indexing.take_along_axis(x, np.array([0, 1]), axis=1)
    with pytest.raises(ValueError, match="repeats"):
        arrange.repeat(x, [1, 2], axis=0)
    with pytest.raises(ValueError, match="out of range"):
        arrange.flip(x, 2)


# ---------------------------------------------------------------------------- gradients of gradients

_r = np.random.default_rng(5)
SECOND_ORDER_CASES = {  # op name: function of one float64 tensor, input array (a square makes it non-linear)
    "take": (lambda x: dg.square(indexing.take(x, IDX, axis=1)) * x[:, :1], _r.uniform(-1, 1, (3, 4))),
    "take_along_axis": (lambda x: dg.square(indexing.take_along_axis(x, ALONG, axis=1)), _r.uniform(-1, 1, (1, 4))),
    "sort": (lambda x: dg.square(indexing.sort(x, axis=0)) * x, _r.permutation(12).reshape(3, 4) * 0.3 - 1.5),
    "flip": (lambda x: arrange.flip(x, 1) * x, _r.uniform(-1, 1, (3, 4))),
    "roll": (lambda x: arrange.roll(x, (1, -1), axis=(0, 1)) * x, _r.uniform(-1, 1, (3, 4))),
    "repeat": (lambda x: dg.square(arrange.repeat(x, [2, 0, 1], axis=0)), _r.uniform(-1, 1, (3, 4))),
    "repeat_scalar": (lambda x: dg.square(arrange.repeat(x, 2, axis=1)), _r.uniform(-1, 1, (3, 4))),
    "copy": (lambda x: dg.square(arrange.copy(x)), _r.uniform(-1, 1, (3, 4))),
}


def _first_gradient(fn, a, w, create_graph):
    x = dg.Variable(a)
    with dg.GradientTape(persistent=True) as outer:
        with dg.GradientTape() as tape:
            y = dg.reduce_sum(fn(x) * dg.Tensor(w))
        g = tape.gradient(y, x) if create_graph else None
    if not create_graph:
        with dg.GradientTape() as tape:
            y = dg.reduce_sum(fn(x) * dg.Tensor(w))
        g = tape.gradient(y, x)
    return x, g, outer


@pytest.mark.parametrize("name", sorted(SECOND_ORDER_CASES))
def test_second_order_rule_matches_the_vjp_and_finite_differences(name):
    fn, a = SECOND_ORDER_CASES[name]
    w = _r.uniform(-1, 1, fn(dg.Tensor(a)).shape)
    x, g, outer = _first_gradient(fn, a, w, create_graph=True)
    _, plain, _ = _first_gradient(fn, a, w, create_graph=False)
    np.testing.assert_allclose(g.numpy(), plain.numpy(), rtol=1e-10, atol=1e-12)
    v = _r.uniform(-1, 1, a.shape)
    with outer:
        dot = dg.reduce_sum(g * dg.Tensor(v))
    second = outer.gradient(dot, x).numpy()
    numeric = np.zeros_like(a)
    eps = 1e-6
    for index in np.ndindex(a.shape):
        plus, minus = a.copy(), a.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric[index] = (np.sum(_first_gradient(fn, plus, w, False)[1].numpy() * v)
                          - np.sum(_first_gradient(fn, minus, w, False)[1].numpy() * v)) / (2 * eps)
    np.testing.assert_allclose(second, numeric, rtol=1e-5, atol=1e-7)
