"""Shape ops: parity with PyTorch (float64 and float32), gradcheck in float64, getitem with
ints, slices, integer arrays (repeated indices) and boolean masks, errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from deepgrad.gradcheck import gradcheck
from tests.parity import check_parity, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"broadcast_to", "concat", "expand_dims", "getitem", "pad", "reshape", "split",
    "squeeze", "stack", "swapaxes", "tile", "transpose"}

F64, F32 = np.float64, np.float32
MASK = np.random.default_rng(7).random((3, 4)) > 0.5
MASK[0, 0] = True
IDX = np.array([2, 0, 2, 2])  # repeated indices: their gradients add up


def split_weighted(pieces):
    """Pieces of a split recombined with a different weight each, so every piece's gradient differs."""
    return [p * float(i + 1) for i, p in enumerate(pieces)]


# name: (deepgrad fn, torch fn, input shapes)
SHAPE_OPS = {
    "reshape": (lambda x: ops.reshape(x, (4, -1)), lambda x: x.reshape(4, -1), [(2, 3, 4)]),
    "reshape_method": (lambda x: x.reshape(6, 4), lambda x: x.reshape(6, 4), [(2, 3, 4)]),
    "flatten": (lambda x: x.flatten(), lambda x: x.flatten(), [(2, 3, 4)]),
    "transpose": (lambda x: ops.transpose(x, (2, 0, 1)), lambda x: x.permute(2, 0, 1), [(2, 3, 4)]),
    "transpose_reverse": (lambda x: ops.transpose(x), lambda x: x.permute(2, 1, 0), [(2, 3, 4)]),
    "T": (lambda x: x.T, lambda x: x.T, [(3, 5)]),
    "swapaxes": (lambda x: ops.swapaxes(x, 0, -1), lambda x: x.transpose(0, -1), [(2, 3, 4)]),
    "getitem_int": (lambda x: x[1], lambda x: x[1], [(3, 4, 2)]),
    "getitem_negative_int": (lambda x: x[-1, :, 0], lambda x: x[-1, :, 0], [(3, 4, 2)]),
    "getitem_slices": (lambda x: x[1:, ::2], lambda x: x[1:, ::2], [(3, 5, 2)]),
    "getitem_none_ellipsis": (lambda x: x[None, ..., 1], lambda x: x[None, ..., 1], [(3, 4, 2)]),
    "getitem_int_array": (lambda x: x[IDX], lambda x: x[torch.as_tensor(IDX)], [(3, 4)]),
    "getitem_int_list": (lambda x: x[[0, 0, 1]], lambda x: x[[0, 0, 1]], [(3, 4)]),
    "getitem_mixed": (lambda x: x[1:, IDX], lambda x: x[1:, torch.as_tensor(IDX)], [(3, 4)]),
    "getitem_two_arrays": (lambda x: x[IDX[:3], np.array([0, 3, 0])],
                           lambda x: x[torch.as_tensor(IDX[:3]), torch.as_tensor([0, 3, 0])], [(3, 4)]),
    "getitem_mask": (lambda x: x[MASK], lambda x: x[torch.as_tensor(MASK)], [(3, 4)]),
    "getitem_mask_tensor": (lambda x: x[dg.Tensor(MASK)], lambda x: x[torch.as_tensor(MASK)], [(3, 4)]),
    "getitem_row_mask": (lambda x: x[MASK[:, 0]], lambda x: x[torch.as_tensor(MASK[:, 0])], [(3, 4)]),
    "concat_0": (lambda a, b: ops.concat([a, b, a], 0), lambda a, b: torch.cat([a, b, a], 0), [(2, 3), (4, 3)]),
    "concat_neg": (lambda a, b: ops.concat([a, b], -1), lambda a, b: torch.cat([a, b], -1), [(2, 3, 1), (2, 3, 4)]),
    "stack_0": (lambda a, b: ops.stack([a, b, a]), lambda a, b: torch.stack([a, b, a]), [(2, 3), (2, 3)]),
    "stack_last": (lambda a, b: ops.stack([a, b], -1), lambda a, b: torch.stack([a, b], -1), [(2, 3), (2, 3)]),
    "split_equal": (lambda x: ops.concat(split_weighted(ops.split(x, 3, axis=1)), 1),
                    lambda x: torch.cat(split_weighted(torch.split(x, 2, dim=1)), 1), [(2, 6)]),
    "split_sizes": (lambda x: ops.concat(split_weighted(ops.split(x, [1, 3, 2], axis=-1)), -1),
                    lambda x: torch.cat(split_weighted(torch.split(x, [1, 3, 2], dim=-1)), -1), [(2, 6)]),
    "pad": (lambda x: ops.pad(x, ((1, 2), (0, 3))), lambda x: torch.nn.functional.pad(x, (0, 3, 1, 2)), [(3, 4)]),
    "pad_value": (lambda x: ops.pad(x, ((0, 0), (2, 1), (1, 1)), 0.5),
                  lambda x: torch.nn.functional.pad(x, (1, 1, 2, 1), value=0.5), [(2, 3, 4)]),
    "expand_dims": (lambda x: ops.expand_dims(x, 1), lambda x: x.unsqueeze(1), [(3, 4)]),
    "expand_dims_neg": (lambda x: ops.expand_dims(x, -1), lambda x: x.unsqueeze(-1), [(3, 4)]),
    "squeeze_all": (lambda x: ops.squeeze(x), lambda x: x.squeeze(), [(3, 1, 4, 1)]),
    "squeeze_axis": (lambda x: ops.squeeze(x, -1), lambda x: x.squeeze(-1), [(3, 1, 4, 1)]),
    "broadcast_to": (lambda x: ops.broadcast_to(x, (2, 3, 4)), lambda x: x.broadcast_to(2, 3, 4), [(3, 1)]),
    "tile": (lambda x: ops.tile(x, (2, 3)), lambda x: x.tile(2, 3), [(3, 2)]),
    "tile_new_axes": (lambda x: ops.tile(x, (2, 1, 3)), lambda x: x.tile(2, 1, 3), [(3, 2)]),
}


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_op_parity(name, dtype):
    fn, torch_fn, shapes = SHAPE_OPS[name]
    check_parity(fn, torch_fn, shapes, dtype=dtype)


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_op_gradcheck(name):
    fn, _, shapes = SHAPE_OPS[name]
    rng = np.random.default_rng(3)
    assert gradcheck(fn, *[rng.uniform(-2, 2, size=s) for s in shapes])


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_float32_stays_float32(name):
    fn, _, shapes = SHAPE_OPS[name]
    inputs = [dg.Tensor(np.ones(s, F32), requires_grad=True) for s in shapes]
    y = fn(*inputs)
    assert y.dtype == F32
    y.sum().backward()
    assert all(t.grad.dtype == F32 for t in inputs)


def test_getitem_gradient_of_negative_step_slices_and_repeats_by_hand():
    x = dg.Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = x[::-1, [3, 3, 0]]
    np.testing.assert_array_equal(y.numpy(), np.arange(12.0).reshape(3, 4)[::-1, [3, 3, 0]])
    (y * np.array([1.0, 2.0, 4.0])).sum().backward()
    expected = np.zeros((3, 4))
    expected[:, 3] = 3.0
    expected[:, 0] = 4.0
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_split_returns_pieces_of_the_right_shapes_and_gradients():
    x = dg.Tensor(np.arange(12.0).reshape(2, 6), requires_grad=True)
    pieces = ops.split(x, [1, 2, 3], axis=1)
    assert [p.shape for p in pieces] == [(2, 1), (2, 2), (2, 3)]
    (pieces[0].sum() + 10 * pieces[2].sum()).backward()
    np.testing.assert_array_equal(x.grad.numpy()[0], [1, 0, 0, 10, 10, 10])


@pytest.mark.parametrize("call, pattern", [
    (lambda: ops.reshape(dg.Tensor(np.ones((2, 3))), (4, 2)), r"reshape: .*\(2, 3\).*\(4, 2\)"),
    (lambda: ops.concat([dg.Tensor(np.ones((2, 3))), dg.Tensor(np.ones((2, 4)))], 0), r"concat: .*\(2, 3\), \(2, 4\)"),
    (lambda: ops.stack([dg.Tensor(np.ones((2, 3))), dg.Tensor(np.ones((3, 2)))]), r"stack: .*\(2, 3\), \(3, 2\)"),
    (lambda: ops.split(dg.Tensor(np.ones((2, 5))), 2, axis=1), r"split: axis 1 of shape \(2, 5\)"),
    (lambda: ops.split(dg.Tensor(np.ones((2, 5))), [2, 2], axis=1), r"split: sizes \[2, 2\]"),
    (lambda: ops.squeeze(dg.Tensor(np.ones((2, 3))), 0), r"squeeze: axis 0 of shape \(2, 3\)"),
    (lambda: ops.broadcast_to(dg.Tensor(np.ones((2, 3))), (3, 3)), r"broadcast_to: .*\(2, 3\) to \(3, 3\)"),
    (lambda: ops.transpose(dg.Tensor(np.ones((2, 3))), (0, 0)), r"transpose: axes \(0, 0\)"),
])
def test_shape_errors_name_the_op_and_the_shapes(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_getitem_out_of_range_is_an_index_error_with_the_shape():
    with pytest.raises(IndexError, match=r"getitem: .*shape \(2, 3\)"):
        dg.Tensor(np.ones((2, 3)))[5]
