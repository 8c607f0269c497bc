"""tf.linalg (deepgrad/linalg.py): TensorFlow's names, keywords and output conventions (svd's
(s, u, v) order with v not transposed, slogdet's pair, solve's matrix right-hand side, norm
over the whole tensor), values and gradients against torch.linalg, and the error for a name
deepgrad lacks."""
import numpy as np
import pytest

import deepgrad as tf
from tests.parity import requires_torch, torch
from tests.ops.test_linalg_decompositions import TOL, nonsingular, rand, spd

COVERED_OPS = set()
COVERED_KERAS_OPS = set()

DTYPES = [np.float64, np.float32]


def _sign(v, axis):
    idx = np.expand_dims(np.argmax(np.abs(v), axis=axis), axis)
    return np.sign(np.take_along_axis(v, idx, axis=axis))


def compare(ours_fn, torch_fn, arrays, signs=None, seed=0):
    """Outputs (signs fixed per column for the indices in `signs`) and the gradients of
    sum(w * output) under tf.GradientTape agree with torch's."""
    signs = signs or ()
    dtype = arrays[0].dtype.type
    xs = [tf.constant(a.copy()) for a in arrays]
    ts = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    rng = np.random.default_rng(seed)
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        outs = ours_fn(*xs)
        outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
        refs = torch_fn(*ts)
        refs = list(refs) if isinstance(refs, (tuple, list)) else [refs]
        total, ref_total = None, None
        for k, (o, r) in enumerate(zip(outs, refs)):
            o_arr, r_arr = o.numpy(), r.detach().numpy()
            assert o_arr.shape == r_arr.shape and o_arr.dtype == r_arr.dtype, f"output {k}"
            so = _sign(o_arr, -2) if k in signs else 1
            sr = _sign(r_arr, -2) if k in signs else 1
            np.testing.assert_allclose(o_arr * so, r_arr * sr, **TOL[dtype], err_msg=f"output {k}")
            if o_arr.dtype.kind != "f" or not r.requires_grad:
                continue
            w = rng.uniform(0.5, 1.5, size=o_arr.shape)
            term = tf.reduce_sum(o * tf.constant((w * so).astype(dtype)))
            total = term if total is None else total + term
            ref_term = (r * torch.tensor((w * sr).astype(dtype))).sum()
            ref_total = ref_term if ref_total is None else ref_total + ref_term
    grads = tape.gradient(total, xs)
    ref_grads = torch.autograd.grad(ref_total, ts, allow_unused=True)
    for i, (g, r) in enumerate(zip(grads, ref_grads)):
        if r is None:
            continue
        np.testing.assert_allclose(g.numpy(), r.numpy(), **TOL[dtype], err_msg=f"gradient of input {i}")


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_inverse_determinants_and_systems(dtype):
    a = nonsingular(2, 3, 3, dtype=dtype)
    b = rand(2, 3, 2, seed=1, dtype=dtype)
    compare(tf.linalg.inv, torch.linalg.inv, [a])
    compare(lambda a: tf.linalg.inv(a, adjoint=True), lambda a: torch.linalg.inv(a).mT, [a])
    compare(tf.linalg.det, torch.linalg.det, [a])
    compare(tf.linalg.slogdet, torch.linalg.slogdet, [a])
    compare(tf.linalg.logdet, torch.logdet, [spd(2, 3, 3, dtype=dtype)])
    compare(tf.linalg.solve, torch.linalg.solve, [a, b])
    compare(lambda a, b: tf.linalg.solve(a, b, adjoint=True), lambda a, b: torch.linalg.solve(a.mT, b), [a, b])
    compare(lambda a, b: tf.linalg.triangular_solve(a, b), lambda a, b: torch.linalg.solve_triangular(
        a.tril(), b, upper=False), [a, b])
    compare(lambda a, b: tf.linalg.triangular_solve(a, b, lower=False, adjoint=True),
            lambda a, b: torch.linalg.solve_triangular(a.triu().mT, b, upper=False), [a, b])
    chol = np.linalg.cholesky(spd(2, 3, 3)).astype(dtype)
    # as TensorFlow (two triangular solves), only the lower triangle of chol is read and gets a gradient
    compare(tf.linalg.cholesky_solve, lambda c, b: torch.cholesky_solve(b, c.tril()), [chol, b])
    compare(tf.linalg.cholesky, torch.linalg.cholesky, [spd(2, 3, 3, dtype=dtype)])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)], ids=str)
def test_svd_returns_s_u_v(shape, dtype):
    a = rand(*shape, seed=2, dtype=dtype)
    s, u, v = tf.linalg.svd(a)
    k = min(shape[-2:])
    assert s.shape == shape[:-2] + (k,) and u.shape == shape[:-1] + (k,) and v.shape == shape[:-2] + (shape[-1], k)
    np.testing.assert_allclose((u.numpy() * s.numpy()[..., None, :]) @ np.swapaxes(v.numpy(), -1, -2), a, **TOL[dtype])
    compare(tf.linalg.svd, lambda a: (lambda u, s, vh: (s, u, vh.mT))(*torch.linalg.svd(a, full_matrices=False)),
            [a], signs=(1, 2))
    compare(lambda a: tf.linalg.svd(a, compute_uv=False), torch.linalg.svdvals, [a])
    s, u, v = tf.linalg.svd(a, full_matrices=True)
    assert u.shape[-1] == shape[-2] and v.shape[-2:] == (shape[-1], shape[-1])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_qr_eigh_eigvalsh_pinv_lstsq(dtype):
    a = rand(4, 3, seed=3, dtype=dtype)
    compare(tf.linalg.qr, torch.linalg.qr, [a], signs=(0,))
    q, r = tf.linalg.qr(rand(4, 3, seed=3), full_matrices=True)
    assert q.shape == (4, 4) and r.shape == (4, 3)
    compare(tf.linalg.eigh, torch.linalg.eigh, [spd(3, 3, dtype=dtype)], signs=(1,))
    compare(tf.linalg.eigvalsh, torch.linalg.eigvalsh, [spd(2, 3, 3, dtype=dtype)])
    eps = np.finfo(dtype).eps
    compare(tf.linalg.pinv, lambda a: torch.linalg.pinv(a, rtol=10 * 4 * eps), [a])
    b = rand(4, 2, seed=4, dtype=dtype)
    compare(tf.linalg.lstsq, lambda a, b: torch.linalg.lstsq(a, b).solution, [a, b])
    ridge = lambda a, b: torch.linalg.solve(a.mT @ a + 0.5 * torch.eye(3, dtype=a.dtype), a.mT @ b)  # noqa: E731
    compare(lambda a, b: tf.linalg.lstsq(a, b, l2_regularizer=0.5), ridge, [a, b])
    wide = rand(2, 4, seed=5, dtype=dtype)
    ridge_wide = lambda a, b: a.mT @ torch.linalg.solve(a @ a.mT + 0.5 * torch.eye(2, dtype=a.dtype), b)  # noqa: E731
    compare(lambda a, b: tf.linalg.lstsq(a, b, l2_regularizer=0.5), ridge_wide, [wide, b[:2]])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_parts(dtype):
    x = rand(2, 3, 4, dtype=dtype)
    compare(tf.linalg.trace, lambda x: torch.diagonal(x, 0, -2, -1).sum(-1), [x])
    compare(tf.linalg.diag_part, lambda x: torch.diagonal(x, 0, -2, -1), [x])
    compare(lambda x: tf.linalg.diag_part(x, k=1), lambda x: torch.diagonal(x, 1, -2, -1), [x])
    compare(tf.linalg.diag, torch.diag_embed, [x])
    compare(lambda v: tf.linalg.diag(v, k=-1), lambda v: torch.diag_embed(v, -1), [x])
    compare(lambda v: tf.linalg.diag(v, num_rows=5, num_cols=4),
            lambda v: torch.nn.functional.pad(torch.diag_embed(v), (0, 0, 0, 1)), [x])
    d = rand(2, 3, seed=1, dtype=dtype)
    off_diagonal = torch.tensor(1 - np.eye(3, 4), dtype=torch.float64 if dtype == np.float64 else torch.float32)
    compare(tf.linalg.set_diag, lambda x, d: x * off_diagonal + torch.nn.functional.pad(torch.diag_embed(d), (0, 1)),
            [x, d])
    compare(lambda x: tf.linalg.band_part(x, 1, 0), lambda x: torch.tril(x) - torch.tril(x, -2), [x])
    compare(lambda x: tf.linalg.band_part(x, -1, 1), lambda x: torch.triu(x, -3) - torch.triu(x, 2), [x])
    compare(lambda x: tf.linalg.band_part(x, 0, -1), torch.triu, [x])
    compare(tf.linalg.matrix_transpose, lambda x: x.mT, [x])
    compare(tf.linalg.adjoint, lambda x: x.mT, [x])
    compare(lambda a, b: tf.linalg.einsum("bij,bkj->bik", a, b), lambda a, b: torch.einsum("bij,bkj->bik", a, b),
            [x, rand(2, 5, 4, seed=1, dtype=dtype)])
    compare(lambda a, b: tf.linalg.tensordot(a, b, axes=[[1, 2], [0, 1]]),
            lambda a, b: torch.tensordot(a, b, dims=([1, 2], [0, 1])), [x, rand(3, 4, 2, seed=1, dtype=dtype)])
    compare(lambda a, b: tf.linalg.matmul(a, b, transpose_b=True), lambda a, b: a @ b.mT,
            [x, rand(2, 5, 4, seed=1, dtype=dtype)])
    compare(lambda a, b: tf.linalg.matvec(a, b), lambda a, b: (a @ b[..., None])[..., 0],
            [x, rand(2, 4, seed=1, dtype=dtype)])
    compare(tf.linalg.cross, lambda a, b: torch.linalg.cross(a, b),
            [rand(4, 3, dtype=dtype), rand(1, 3, seed=1, dtype=dtype)])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs,reference", [
    ({}, lambda x: torch.linalg.vector_norm(x)),
    (dict(ord=1), lambda x: torch.linalg.vector_norm(x, 1)),
    (dict(ord=np.inf, axis=1), lambda x: torch.linalg.vector_norm(x, np.inf, dim=1)),
    (dict(ord=3, axis=-1, keepdims=True), lambda x: torch.linalg.vector_norm(x, 3, dim=-1, keepdim=True)),
    (dict(axis=[1, 2]), lambda x: torch.linalg.matrix_norm(x)),
    (dict(ord=1, axis=(1, 2)), lambda x: torch.linalg.matrix_norm(x, 1)),
    (dict(ord=np.inf, axis=(1, 2), keepdims=True), lambda x: torch.linalg.matrix_norm(x, np.inf, keepdim=True)),
    (dict(ord=2, axis=(-2, -1)), lambda x: torch.linalg.matrix_norm(x, 2)),
    (dict(ord="fro", axis=(0, 2)), lambda x: torch.linalg.matrix_norm(x, "fro", dim=(0, 2))),
], ids=str)
def test_norm(kwargs, reference, dtype):
    compare(lambda x: tf.linalg.norm(x, **kwargs), reference, [rand(2, 3, 4, seed=6, dtype=dtype)])


def test_global_norm_and_l2_normalize():
    a, b = rand(3), rand(2, 2, seed=1)
    np.testing.assert_allclose(tf.linalg.global_norm([a, None, b]).numpy(),
                               np.sqrt(np.sum(a ** 2) + np.sum(b ** 2)))
    np.testing.assert_allclose(tf.linalg.l2_normalize(a).numpy(), a / np.linalg.norm(a))
    unit, n = tf.linalg.normalize(b, ord=1, axis=0)
    np.testing.assert_allclose(n.numpy(), np.abs(b).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(unit.numpy(), b / np.abs(b).sum(axis=0, keepdims=True))
    x = tf.constant(np.zeros(3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        n = tf.linalg.norm(x)
    np.testing.assert_array_equal(tape.gradient(n, x).numpy(), np.zeros(3))


def test_names_and_errors():
    assert tf.linalg.eye(2).dtype == np.float32
    np.testing.assert_allclose(tf.linalg.trace(np.eye(3), name="t").numpy(), 3.0)
    with pytest.raises(AttributeError, match="deepgrad does not implement tf.linalg.expm"):
        tf.linalg.expm
    assert not hasattr(tf.linalg, "LinearOperator")
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.linalg.inv(np.ones(3))
    with pytest.raises(ValueError, match="ord"):
        tf.linalg.norm(np.ones((2, 2)), ord="nuc", axis=(0, 1))
