"""The keras.ops parity oracle: one op, the same inputs, deepgrad against real Keras 3 (torch backend).

    check_op("mean", [x], dict(axis=1, keepdims=True))

runs `deepgrad.keras.ops.mean(x, axis=1, keepdims=True)` and
`keras.ops.mean(x, axis=1, keepdims=True)` on the same arrays and asserts:
- the forward values agree (float64 to rtol 1e-6, float32 to rtol 1e-4), and
  the result dtypes are equal;
- when `grad=True`, the gradient of sum(out * w) (w a fixed random weight of
  the output's shape) with respect to every float input agrees with the one
  torch computes through Keras' own implementation.

Inputs may be NumPy arrays (they become tensors on both sides), Python scalars,
lists, dtypes or strings (passed as they are). Test modules list what they cover in
`COVERED_KERAS_OPS` (keras.ops names) and `COVERED_OPS` (deepgrad table op names),
which tests/keras/ops/test_namespace.py gathers.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import ops as dg_ops

keras = pytest.importorskip("keras", reason="Keras 3 is the oracle: pip install keras")
torch = pytest.importorskip("torch", reason="PyTorch backs the Keras oracle: pip install torch==2.13.0")

TOLERANCE = {"float64": dict(rtol=1e-6, atol=1e-9), "float32": dict(rtol=1e-4, atol=1e-5),
             "float16": dict(rtol=1e-2, atol=1e-3)}


def resolve(module, name):
    """`module.name` where name may be dotted ('image.resize', 'nn.softmax', 'linalg.inv')."""
    for part in name.split("."):
        module = getattr(module, part)
    return module


def _as_numpy(x):
    if isinstance(x, dg.Tensor):
        return x.numpy()
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _flatten(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _float(a):
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


def check_op(name, args, kwargs=None, grad=False, rtol=None, atol=None, grad_inputs=None, seed=0):
    """deepgrad.keras.ops.<name>(*args, **kwargs) equals keras.ops.<name>(...) in value and dtype,
    and (grad=True) in the gradient of a weighted sum of every output w.r.t. the float array inputs.

    grad_inputs: indices of the array arguments to differentiate (default: every float array).
    Returns the deepgrad output.
    """
    kwargs = kwargs or {}
    ours_fn, theirs_fn = resolve(dg_ops, name), resolve(keras.ops, name)
    wanted = set(range(len(args))) if grad_inputs is None else set(grad_inputs)
    differentiate = [grad and _float(a) and i in wanted for i, a in enumerate(args)]
    ours_args = [dg.Tensor(a.copy(), requires_grad=d) if isinstance(a, np.ndarray) else a
                 for a, d in zip(args, differentiate)]
    theirs_args = [torch.tensor(a.copy(), requires_grad=d) if isinstance(a, np.ndarray) else a
                   for a, d in zip(args, differentiate)]
    if grad:
        with dg.GradientTape() as tape:
            for t, d in zip(ours_args, differentiate):
                if d:
                    tape.watch(t)
            ours = ours_fn(*ours_args, **kwargs)
            ours_outs = _flatten(ours)
            rng = np.random.default_rng(seed)
            weights = [rng.uniform(0.5, 1.5, size=np.shape(_as_numpy(o))) for o in ours_outs]
            total = None
            for o, w in zip(ours_outs, weights):
                if _as_numpy(o).dtype.kind != "f":
                    continue
                term = dg.reduce_sum(o * dg.Tensor(w.astype(_as_numpy(o).dtype)))
                total = term if total is None else total + term
    else:
        ours = ours_fn(*ours_args, **kwargs)
        ours_outs = _flatten(ours)
    theirs = theirs_fn(*theirs_args, **kwargs)
    theirs_outs = _flatten(theirs)
    assert len(ours_outs) == len(theirs_outs), f"{name}: {len(ours_outs)} outputs, Keras gives {len(theirs_outs)}"
    for i, (o, t) in enumerate(zip(ours_outs, theirs_outs)):
        a, b = _as_numpy(o), _as_numpy(t)
        assert a.shape == b.shape, f"{name} output {i}: shape {a.shape}, Keras {b.shape}"
        assert a.dtype == b.dtype, f"{name} output {i}: dtype {a.dtype}, Keras {b.dtype}"
        tol = dict(TOLERANCE.get(a.dtype.name, dict(rtol=0, atol=0)))
        tol.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, **tol, err_msg=f"{name} output {i}: forward")
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"{name} output {i}: forward")
    if grad:
        sources = [t for t, d in zip(ours_args, differentiate) if d]
        ours_grads = tape.gradient(total, sources)
        ref_total = None
        for t, w in zip(theirs_outs, weights):
            if not torch.is_floating_point(t):
                continue
            term = (t * torch.tensor(w, dtype=t.dtype)).sum()
            ref_total = term if ref_total is None else ref_total + term
        ref_sources = [t for t, d in zip(theirs_args, differentiate) if d]
        ref_grads = torch.autograd.grad(ref_total, ref_sources, allow_unused=True)
        for k, (g, r) in enumerate(zip(ours_grads, ref_grads)):
            if r is None:
                continue
            assert g is not None, f"{name}: deepgrad gave no gradient for differentiable input {k}"
            g, r = _as_numpy(g), _as_numpy(r)
            tol = dict(TOLERANCE[g.dtype.name])
            tol.update({k2: v for k2, v in (("rtol", rtol), ("atol", atol)) if v is not None})
            np.testing.assert_allclose(g, r, **tol, err_msg=f"{name}: gradient of input {k}")
    return ours
