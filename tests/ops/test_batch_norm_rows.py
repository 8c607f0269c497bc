"""The channels-last batch norm works on rows of whole pixels: the fold of the
spatial axes into rows must not change the numbers, whatever the shape.

batch_norm_train over every axis but the last, and batch_norm_infer with
per-channel parameters, view x as (rows, L) with L whole pixels of the trailing
spatial axes (at most nn._BN_ROW elements); these cases cover rows of one
pixel, of part of a sample and of a whole sample, against PyTorch and against
the general path (a non-contiguous input takes it).
"""
import numpy as np
import pytest

from deepgrad.ops import nn
from tests.ops.test_nn import nchw, nhwc, uniform
from tests.parity import check_parity, requires_torch, torch

if torch is not None:
    import torch.nn.functional as F

F32, F64 = np.float32, np.float64

SHAPES = [
    (5, 3),            # dense features: rows of one sample
    (2, 3, 4, 5),      # a whole sample per row
    (2, 9, 40, 200),   # 40*200 = 8000 per image row, 72000 per sample: rows of one image row
    (3, 2, 70000 // 7, 7),  # one image row over _BN_ROW: rows of one pixel, too many: the general path
]
# float32 against PyTorch to rtol 1e-4 / atol 1e-5 on the moderate shapes only: over 720+
# elements per channel both paths (and PyTorch's float32) drift past atol 1e-5.
CASES = [(s, F64) for s in SHAPES] + [(s, F32) for s in SHAPES[:2]] + [((4, 6, 6, 16), F32)]


@requires_torch
@pytest.mark.parametrize("shape,dtype", CASES, ids=str)
def test_batch_norm_train_rows_parity(shape, dtype):
    c = shape[-1]

    def theirs(x, g, b, w):
        if x.ndim == 2:
            return F.batch_norm(x, None, None, g, b, True, 0.0, 1e-3) * w
        return nhwc(F.batch_norm(nchw(x), None, None, g, b, True, 0.0, 1e-3)) * w

    axes = tuple(range(len(shape) - 1))
    check_parity(lambda x, g, b, w: nn.batch_norm_train(x, g, b, axes)[0] * w, theirs,
                 shapes=[shape, (c,), (c,), shape], dtype=dtype)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_batch_norm_rows_match_the_general_path(shape):
    """A transposed (non-contiguous) copy of the input takes the general path: same numbers."""
    x, g, b = uniform(*shape), uniform(shape[-1]), uniform(shape[-1])
    y, mean, var = nn.batch_norm_train(x, g, b, tuple(range(len(shape) - 1)))
    xt = np.asfortranarray(x) if x.ndim > 1 else x
    y2, mean2, var2 = nn.batch_norm_train(xt, g, b, tuple(range(len(shape) - 1)))
    np.testing.assert_allclose(y.numpy(), y2.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mean, mean2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(var, var2, rtol=1e-10, atol=1e-12)
    moving_mean, moving_var = uniform(shape[-1]), uniform(shape[-1], low=0.5, high=2.0)
    fast = nn.batch_norm_infer(x, g, b, moving_mean, moving_var).numpy()
    general = nn.batch_norm_infer(xt, g, b, moving_mean, moving_var).numpy()
    np.testing.assert_allclose(fast, general, rtol=1e-12, atol=1e-12)
