"""Shared test helpers: the same expression in deepgrad and in PyTorch, from the same seeded inputs.

`check_parity(dg_fn, torch_fn, shapes)` compares the forward outputs and the
gradients of `.sum()` with respect to every input, float64 to rtol 1e-6 and
float32 to rtol 1e-4, as in tinygrad's helper_test_op.
"""
import numpy as np
import pytest

import deepgrad as dg

try:
    import torch
except ImportError:  # parity tests skip with this reason only when torch is absent
    torch = None

requires_torch = pytest.mark.skipif(
    torch is None, reason="PyTorch is not installed (pip install torch==2.13.0): parity tests need it"
)

TOLERANCE = {np.float64: dict(rtol=1e-6, atol=1e-9), np.float32: dict(rtol=1e-4, atol=1e-5)}


def random_inputs(shapes, dtype=np.float64, seed=0, low=-2.0, high=2.0):
    """One array per shape, drawn from a seeded uniform(low, high)."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=s).astype(dtype) for s in shapes]


def check_parity(dg_fn, torch_fn, shapes=None, inputs=None, dtype=np.float64, seed=0,
                 low=-2.0, high=2.0, rtol=None, atol=None):
    """Forward and d(sum(out))/d(inputs) agree between deepgrad and PyTorch."""
    if torch is None:
        pytest.skip("PyTorch is not installed (pip install torch==2.13.0): parity tests need it")
    arrays = inputs if inputs is not None else random_inputs(shapes, dtype, seed, low, high)
    tol = dict(TOLERANCE[np.dtype(arrays[0].dtype).type])
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
    ours = [dg.Tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
    out = dg_fn(*ours)
    ref = torch_fn(*theirs)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol, err_msg="forward")
    assert out.numpy().dtype == arrays[0].dtype, f"output dtype {out.numpy().dtype} != input dtype"
    out.sum().backward()
    ref.sum().backward()
    for i, (t, r) in enumerate(zip(ours, theirs)):
        if r.grad is None:
            continue
        assert t.grad is not None, f"input {i}: deepgrad gave no gradient"
        np.testing.assert_allclose(t.grad.numpy(), r.grad.numpy(), **tol, err_msg=f"gradient of input {i}")
