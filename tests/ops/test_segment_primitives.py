"""deepgrad.ops.segment: segment reductions, top_k and the scatter primitives, by finite
differences (float64) and against PyTorch (float32 and float64)."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops import segment
from tests.parity import check_parity, requires_torch, torch

COVERED_KERAS_OPS = set()
COVERED_OPS = {"segment_sum", "segment_max", "segment_min", "segment_prod", "top_k",
               "scatter_nd_add", "scatter_nd_update", "fft_pair", "rfft_pair", "irfft_pair"}

IDS = np.array([0, 2, 0, 1, 2, 2, 4])  # segment 3 is empty; 4 is dropped when num_segments=4
DTYPES = [np.float32, np.float64]


def _data(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape)


def _torch_segment(reduce, x, ids, n):
    """torch's scatter_reduce with the same convention: an extra row collects dropped ids."""
    ids = np.where((ids >= 0) & (ids < n), ids, n)
    index = torch.tensor(ids).reshape((-1,) + (1,) * (x.dim() - 1)).expand(x.shape)
    fill = {"sum": 0.0, "amax": -np.inf, "amin": np.inf, "prod": 1.0}[reduce]
    base = torch.full((n + 1,) + tuple(x.shape[1:]), fill, dtype=x.dtype)
    return base.scatter_reduce(0, index, x, reduce)[:n]


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op,reduce", [("segment_sum", "sum"), ("segment_max", "amax"),
                                       ("segment_min", "amin"), ("segment_prod", "prod")])
@pytest.mark.parametrize("shape,n", [((7,), 5), ((7, 3), 4), ((7, 2, 3), 6)])
def test_segment_reductions_match_torch(op, reduce, shape, n, dtype):
    check_parity(lambda x: getattr(segment, op)(x, IDS, n),
                 lambda x: _torch_segment(reduce, x, IDS, n),
                 inputs=[_data(*shape).astype(dtype)])


@pytest.mark.parametrize("op", ["segment_sum", "segment_max", "segment_min", "segment_prod"])
def test_segment_reductions_gradcheck(op):
    # segments 0..2 are all non-empty (an empty max is -inf, whose differences are NaN); id 4 is dropped
    assert dg.gradcheck(lambda x: getattr(segment, op)(x, IDS, 3), _data(7, 3))
    assert dg.gradcheck(lambda x: getattr(segment, op)(x, np.array([1, 0, 1, 1, 0])), _data(5))


def test_segment_defaults_and_empty_segments():
    x = dg.Tensor(np.array([1.0, 2.0, 3.0, 4.0]))
    ids = np.array([0, 0, 3, 3])
    np.testing.assert_array_equal(segment.segment_sum(x, ids).numpy(), [3, 0, 0, 7])
    np.testing.assert_array_equal(segment.segment_max(x, ids).numpy(), [2, -np.inf, -np.inf, 4])
    np.testing.assert_array_equal(segment.segment_min(x, ids, 2).numpy(), [1, np.inf])
    np.testing.assert_array_equal(segment.segment_prod(x, ids).numpy(), [2, 1, 1, 12])
    ints = segment.segment_sum(np.array([1, 2, 3], dtype=np.int32), np.array([1, 1, 0]))
    assert ints.numpy().dtype == np.int32 and ints.numpy().tolist() == [3, 3]
    with pytest.raises(ValueError, match="leading dimension"):
        segment.segment_sum(x, np.array([0, 1]))


def test_segment_prod_gradient_with_zeros():
    x = np.array([0.0, 2.0, 3.0, 0.0, 0.0, 5.0, 0.0, 7.0])
    ids = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    t = dg.Tensor(x, requires_grad=True)
    segment.segment_prod(t, ids).sum().backward()
    # segment 0: one zero -> only the zero gets the product of the others (6); segment 1: two zeros -> 0
    np.testing.assert_array_equal(t.grad.numpy(), [6, 0, 0, 0, 0, 0, 7, 0])
    assert dg.gradcheck(lambda v: segment.segment_prod(v, ids), x)


def test_segment_max_ties_share_the_gradient():
    t = dg.Tensor(np.array([3.0, 3.0, 1.0]), requires_grad=True)
    segment.segment_max(t, np.array([0, 0, 0])).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [0.5, 0.5, 0])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k", [((6,), 3), ((4, 7), 2), ((2, 3, 5), 5), ((3, 4), 0)])
def test_top_k_matches_torch(shape, k, dtype):
    check_parity(lambda x: segment.top_k(x, k)[0], lambda x: torch.topk(x, k).values,
                 inputs=[_data(*shape, seed=3).astype(dtype)])
    x = _data(*shape, seed=3).astype(dtype)
    np.testing.assert_array_equal(segment.top_k(x, k)[1].numpy(), torch.topk(torch.tensor(x), k).indices.numpy())
    assert segment.top_k(x, k)[1].numpy().dtype == np.int64


def test_top_k_gradcheck_and_ties():
    assert dg.gradcheck(lambda x: segment.top_k(x, 3)[0], _data(4, 6, seed=5))
    values, indices = segment.top_k(np.array([1.0, 5.0, 5.0, 2.0]), 3)
    assert values.numpy().tolist() == [5, 5, 2] and indices.numpy().tolist() == [1, 2, 3]
    values, _ = segment.top_k(np.array([3, 9, 1], dtype=np.uint8), 2)
    assert values.numpy().tolist() == [9, 3]
    with pytest.raises(ValueError, match="k must be"):
        segment.top_k(np.zeros(3), 4)


INDICES = np.array([[0, 1], [2, 3], [0, 1], [1, 0]])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_nd_add_matches_torch(dtype):
    def ref(x, u):
        return x.index_put(tuple(torch.tensor(INDICES.T)), u, accumulate=True)

    check_parity(lambda x, u: segment.scatter_nd_add(x, INDICES, u), ref,
                 inputs=[_data(3, 4).astype(dtype), _data(4, seed=1).astype(dtype)])
    rows = np.array([[2], [0], [2]])
    check_parity(lambda x, u: segment.scatter_nd_add(x, rows, u),
                 lambda x, u: x.index_put((torch.tensor(rows[:, 0]),), u, accumulate=True),
                 inputs=[_data(3, 4).astype(dtype), _data(3, 4, seed=1).astype(dtype)])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_nd_update_matches_torch(dtype):
    unique = INDICES[[0, 1, 3]]

    def ref(x, u):
        return x.index_put(tuple(torch.tensor(unique.T)), u)

    check_parity(lambda x, u: segment.scatter_nd_update(x, unique, u), ref,
                 inputs=[_data(3, 4).astype(dtype), _data(3, seed=1).astype(dtype)])


def test_scatter_gradcheck():
    assert dg.gradcheck(lambda x, u: segment.scatter_nd_add(x, INDICES, u), _data(3, 4), _data(4, seed=1))
    assert dg.gradcheck(lambda x, u: segment.scatter_nd_update(x, INDICES[[0, 1, 3]], u),
                        _data(3, 4), _data(3, seed=1))
    assert dg.gradcheck(lambda x, u: segment.scatter_nd_update(x, np.array([[1]]), u),
                        _data(3, 4), _data(1, 4, seed=1))


# ---- the Fourier pair ops ------------------------------------------------------------------


@pytest.mark.parametrize("inverse", [False, True])
def test_fft_pair_gradcheck_and_torch(inverse):
    re, im = _data(2, 6), _data(2, 6, seed=1)
    assert dg.gradcheck(lambda a, b: segment.fft_pair(a, b, inverse=inverse), re, im)
    if torch is not None:
        fn = torch.fft.ifft if inverse else torch.fft.fft
        for dtype in DTYPES:
            check_parity(lambda a, b: segment.fft_pair(a, b, inverse=inverse),
                         lambda a, b: torch.view_as_real(fn(torch.complex(a, b))),
                         inputs=[re.astype(dtype), im.astype(dtype)])


@pytest.mark.parametrize("length,n", [(8, 8), (7, 10), (9, 6)])
def test_rfft_pair(length, n):
    x = _data(3, length)
    assert dg.gradcheck(lambda a: segment.rfft_pair(a, n), x)
    if torch is not None:
        for dtype in DTYPES:
            check_parity(lambda a: segment.rfft_pair(a, n), lambda a: torch.view_as_real(torch.fft.rfft(a, n=n)),
                         inputs=[x.astype(dtype)])


@pytest.mark.parametrize("bins,n", [(5, 8), (5, 9), (4, 10), (6, 6)])
def test_irfft_pair(bins, n):
    re, im = _data(2, bins), _data(2, bins, seed=1)
    assert dg.gradcheck(lambda a, b: segment.irfft_pair(a, b, n), re, im)
    if torch is not None:
        for dtype in DTYPES:
            check_parity(lambda a, b: segment.irfft_pair(a, b, n),
                         lambda a, b: torch.fft.irfft(torch.complex(a, b), n=n),
                         inputs=[re.astype(dtype), im.astype(dtype)])
