"""The linalg primitives of deepgrad/ops/linalg.py (inv, det, slogdet, solve, triangular_solve,
cholesky, qr, svd, eigh, pinv, diagonal, matrix_diag, einsum, and the ones without gradient):
forward values and gradients against torch.linalg in float64 and float32, and gradcheck
(finite differences) in float64.

Decompositions are taken on inputs where their gradient is defined: nonsingular matrices,
symmetric positive-definite ones (cholesky, eigh, symmetrized before the op in gradcheck since
the op reads one triangle), distinct singular values / eigenvalues; u, v and eigenvectors are
compared with each column's sign fixed (the sign of its largest entry) on both sides.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.gradcheck import gradcheck
from deepgrad.ops import linalg as la
from tests.parity import requires_torch, torch

COVERED_OPS = {"inv", "det", "slogdet", "solve", "triangular_solve", "cholesky", "qr", "svd", "eigh",
               "pinv", "diagonal", "matrix_diag", "einsum", "matrix_rank", "lu_factor", "eig"}
COVERED_KERAS_OPS = set()

TOL = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=2e-3, atol=2e-4)}


def rand(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(dtype)


def nonsingular(*shape, seed=0, dtype=np.float64):
    return (rand(*shape, seed=seed) + 3 * np.eye(shape[-1])).astype(dtype)


def spd(*shape, seed=0, dtype=np.float64):
    a = rand(*shape, seed=seed)
    return (a @ np.swapaxes(a, -1, -2) + np.diag(np.arange(1.0, shape[-1] + 1))).astype(dtype)


def symmetrized(fn):
    """fn applied to (a + a^T) / 2: a function of every entry, as finite differences need."""
    return lambda a: fn((a + dg.ops.swapaxes(a, -1, -2)) * 0.5)


def _sign(v, axis):
    """The sign of the largest entry of each column (axis=-2) or row (axis=-1), keeping dims."""
    idx = np.expand_dims(np.argmax(np.abs(v), axis=axis), axis)
    return np.sign(np.take_along_axis(v, idx, axis=axis))


def compare(ours_fn, torch_fn, arrays, signs=None, seed=0):
    """Outputs and gradients of sum(w * output) (over every output) agree with torch's.

    signs: {output index: -2 (fix the sign of columns) or -1 (of rows)}.
    """
    signs = signs or {}
    dtype = arrays[0].dtype.type
    ours = [dg.Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    outs = ours_fn(*ours)
    refs = torch_fn(*theirs)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    refs = list(refs) if isinstance(refs, (tuple, list)) else [refs]
    assert len(outs) == len(refs)
    rng = np.random.default_rng(seed)
    total = ref_total = None
    for k, (o, r) in enumerate(zip(outs, refs)):
        o_arr, r_arr = o.numpy(), r.detach().numpy()
        assert o_arr.dtype == r_arr.dtype, f"output {k}: dtype {o_arr.dtype}, torch {r_arr.dtype}"
        so = _sign(o_arr, signs[k]) if k in signs else 1
        sr = _sign(r_arr, signs[k]) if k in signs else 1
        np.testing.assert_allclose(o_arr * so, r_arr * sr, **TOL[dtype], err_msg=f"output {k}")
        if not o.requires_grad:
            continue
        w = rng.uniform(0.5, 1.5, size=o_arr.shape).astype(dtype)
        term = (o * dg.Tensor((w * so).astype(dtype))).sum()
        ref_term = (r * torch.tensor((w * sr).astype(dtype))).sum()
        total = term if total is None else total + term
        ref_total = ref_term if ref_total is None else ref_total + ref_term
    total.backward()
    ref_total.backward()
    for i, (t, r) in enumerate(zip(ours, theirs)):
        if r.grad is None:
            continue
        assert t.grad is not None, f"input {i}: no gradient"
        assert t.grad.numpy().dtype == arrays[i].dtype
        np.testing.assert_allclose(t.grad.numpy(), r.grad.numpy(), **TOL[dtype], err_msg=f"gradient of input {i}")


def flat(*tensors):
    """One tensor of every output (gradcheck takes one), each flattened."""
    return dg.ops.concat([dg.ops.reshape(t, (-1,)) for t in tensors], axis=0)


def sign_fixed(t, axis):
    """t with each column (axis=-2) or row (axis=-1) multiplied by the (constant) sign of its
    largest entry."""
    return t * dg.Tensor(_sign(t.numpy(), axis))


DTYPES = [np.float64, np.float32]


# ----------------------------------------------------------------------------- inverse, determinants, systems


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)], ids=str)
def test_inv_det_slogdet(shape, dtype):
    a = nonsingular(*shape, dtype=dtype)
    compare(la.inv, torch.linalg.inv, [a])
    compare(la.det, torch.linalg.det, [a])
    compare(la.slogdet, torch.linalg.slogdet, [a])
    negative = a.copy()
    negative[..., 0, :] *= -1
    compare(la.slogdet, torch.linalg.slogdet, [negative])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a_shape,b_shape", [((3, 3), (3, 2)), ((3, 3), (3,)), ((2, 4, 4), (2, 4)),
                                             ((2, 4, 4), (4, 3)), ((1, 3, 3), (2, 3, 2)),
                                             ((2, 3, 3), (3,))], ids=str)
def test_solve(a_shape, b_shape, dtype):
    compare(la.solve, torch.linalg.solve, [nonsingular(*a_shape, dtype=dtype), rand(*b_shape, seed=1, dtype=dtype)])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_triangular_solve(lower, transpose, dtype):
    a = nonsingular(2, 4, 4, dtype=dtype)
    b = rand(2, 4, 3, seed=1, dtype=dtype)

    def reference(a, b):
        t = torch.tril(a) if lower else torch.triu(a)
        if transpose:
            t = t.mT
        return torch.linalg.solve_triangular(t, b, upper=(not lower) != transpose)

    compare(lambda a, b: la.triangular_solve(a, b, lower=lower, transpose=transpose), reference, [a, b])
    # broadcast batch: one matrix for a batch of right-hand sides
    compare(lambda a, b: la.triangular_solve(a, b, lower=lower, transpose=transpose), reference, [a[0], b])


# ----------------------------------------------------------------------------- decompositions


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (1, 1)], ids=str)
def test_cholesky(shape, dtype):
    compare(la.cholesky, torch.linalg.cholesky, [spd(*shape, dtype=dtype)])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,mode", [((5, 3), "reduced"), ((3, 3), "reduced"), ((3, 5), "reduced"),
                                        ((2, 4, 3), "reduced"), ((2, 3, 4), "complete"), ((3, 3), "complete")],
                         ids=str)
def test_qr(shape, mode, dtype):
    compare(lambda a: la.qr(a, mode), lambda a: torch.linalg.qr(a, mode), [rand(*shape, seed=2, dtype=dtype)],
            signs={0: -2, 1: -1})


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3), (2, 3, 4)], ids=str)
def test_svd(shape, dtype):
    a = rand(*shape, seed=3, dtype=dtype)
    compare(lambda a: la.svd(a, full_matrices=False), lambda a: torch.linalg.svd(a, full_matrices=False), [a],
            signs={0: -2, 2: -1})
    compare(lambda a: la.svd(a, compute_uv=False), torch.linalg.svdvals, [a])
    # full matrices: values (up to sign) and the gradient through s alone
    compare(lambda a: la.svd(a)[1], lambda a: torch.linalg.svd(a)[1], [a])
    u, s, vh = la.svd(dg.Tensor(a))
    assert u.shape == a.shape[:-1] + (a.shape[-2],) and vh.shape == a.shape[:-2] + (a.shape[-1], a.shape[-1])
    tol = TOL[dtype]
    np.testing.assert_allclose(np.abs(u.numpy()), np.abs(torch.linalg.svd(torch.tensor(a))[0].numpy()), **tol)


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)], ids=str)
def test_eigh(shape, dtype):
    compare(la.eigh, torch.linalg.eigh, [spd(*shape, dtype=dtype)], signs={1: -2})
    compare(lambda a: la.eigh(a)[0], torch.linalg.eigvalsh, [spd(*shape, dtype=dtype)])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)], ids=str)
def test_pinv(shape, dtype):
    compare(la.pinv, torch.linalg.pinv, [rand(*shape, seed=4, dtype=dtype)])


@requires_torch
def test_pinv_of_a_rank_deficient_matrix_and_its_gradient_at_constant_rank():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    compare(la.pinv, torch.linalg.pinv, [a])
    compare(lambda a: la.pinv(a, 0.5), lambda a: torch.linalg.pinv(a, rtol=0.5), [nonsingular(3, 3) - 2.9 * np.eye(3)])


# ----------------------------------------------------------------------------- diagonals, einsum


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("offset,axis1,axis2", [(0, 0, 1), (1, 0, 2), (-2, 2, 0), (3, -1, -2), (0, -2, -1)], ids=str)
def test_diagonal(offset, axis1, axis2, dtype):
    compare(lambda x: la.diagonal(x, offset, axis1, axis2), lambda x: torch.diagonal(x, offset, axis1, axis2),
            [rand(3, 4, 5, dtype=dtype)])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [0, 2, -1])
def test_matrix_diag(k, dtype):
    compare(lambda v: la.matrix_diag(v, k), lambda v: torch.diag_embed(v, k), [rand(2, 4, dtype=dtype)])


EINSUM = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]), ("ij->", [(3, 4)]), ("ij,kl", [(2, 3), (3, 2)]), ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("...i,...i->...", [(2, 1, 4), (3, 4)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("iij->j", [(3, 3, 2)]),
    ("i,j->ij", [(3,), (4,)]), ("ij->ji", [(3, 4)]), ("i,ij->j", [(1,), (3, 4)]), ("ij,j", [(3, 4), (4,)]),
]


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("subscripts,shapes", EINSUM, ids=str)
def test_einsum(subscripts, shapes, dtype):
    arrays = [rand(*s, seed=i, dtype=dtype) for i, s in enumerate(shapes)]
    compare(lambda *a: la.einsum(subscripts, *a), lambda *a: torch.einsum(subscripts, *a), arrays)


def test_einsum_errors_and_constant_operands():
    with pytest.raises(ValueError, match="operands"):
        la.einsum("ij,jk->ik", np.ones((2, 2)))
    with pytest.raises(ValueError, match="rank"):
        la.einsum("ijk->i", np.ones((2, 2)))
    x = dg.Tensor(rand(3, 4), requires_grad=True)
    la.einsum("ij,jk->ik", x, np.ones((4, 2))).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.ones((3, 4)))


def test_tensordot_composition():
    a, b = rand(2, 3, 4), rand(4, 3, 5, seed=1)
    np.testing.assert_allclose(la.tensordot(a, b, ([1, 2], [1, 0])).numpy(), np.tensordot(a, b, ([1, 2], [1, 0])))
    np.testing.assert_allclose(la.tensordot(a, rand(4, 5), 1).numpy(), np.tensordot(a, rand(4, 5), 1))
    with pytest.raises(ValueError, match="differ"):
        la.tensordot(a, b, 2)


# ----------------------------------------------------------------------------- gradcheck (float64)

GRADCHECKS = {
    "inv": (la.inv, [nonsingular(3, 3)]),
    "det": (la.det, [nonsingular(2, 3, 3)]),
    "slogdet": (lambda a: la.slogdet(a)[1], [nonsingular(3, 3)]),
    "solve": (la.solve, [nonsingular(2, 3, 3), rand(3, 2, seed=1)]),
    "solve_vector": (la.solve, [nonsingular(3, 3), rand(3, seed=1)]),
    "triangular_solve": (lambda a, b: la.triangular_solve(a, b, lower=False, transpose=True),
                         [nonsingular(3, 3), rand(3, 2, seed=1)]),
    "cholesky": (symmetrized(la.cholesky), [spd(3, 3)]),
    "qr_tall": (lambda a: flat(*la.qr(a)), [rand(4, 3, seed=2)]),
    "qr_wide": (lambda a: flat(*la.qr(a)), [rand(2, 4, seed=2)]),
    "svd": (lambda a: (lambda u, s, vh: flat(sign_fixed(u, -2), s, sign_fixed(vh, -1)))(
        *la.svd(a, full_matrices=False)), [rand(4, 3, seed=3)]),
    "svd_wide": (lambda a: (lambda u, s, vh: flat(sign_fixed(u, -2), s, sign_fixed(vh, -1)))(
        *la.svd(a, full_matrices=False)), [rand(2, 4, seed=3)]),
    "svdvals": (lambda a: la.svd(a, compute_uv=False), [rand(3, 4, seed=3)]),
    "eigh": (symmetrized(lambda a: (lambda w, v: flat(w, sign_fixed(v, -2)))(*la.eigh(a))), [spd(3, 3)]),
    "pinv": (la.pinv, [rand(4, 3, seed=4)]),
    "diagonal": (lambda x: la.diagonal(x, 1, 2, 0), [rand(3, 2, 4)]),
    "matrix_diag": (lambda v: la.matrix_diag(v, -1), [rand(2, 3)]),
    "einsum": (lambda a, b: la.einsum("bii,bj->bij", a, b), [rand(2, 3, 3), rand(1, 2, seed=1)]),
    "einsum3": (lambda a, b, c: la.einsum("ij,jk,k->i", a, b, c), [rand(2, 3), rand(3, 4, seed=1), rand(4, seed=2)]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck(name):
    fn, inputs = GRADCHECKS[name]
    assert gradcheck(fn, *inputs)


# ----------------------------------------------------------------------------- no gradient, errors


@requires_torch
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (3, 5), (5, 3), (2, 4, 2)], ids=str)
def test_lu_factor_matches_lapack(shape):
    a = rand(*shape, seed=5)
    lu, pivots = la.lu_factor(a)
    ref_lu, ref_pivots = torch.linalg.lu_factor(torch.tensor(a))
    np.testing.assert_allclose(lu.numpy(), ref_lu.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(pivots.numpy(), ref_pivots.numpy() - 1)
    assert pivots.dtype == np.int32 and not lu.requires_grad


def test_matrix_rank_and_eig():
    assert int(la.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]])).item()) == 1
    np.testing.assert_array_equal(la.matrix_rank(np.stack([np.eye(3), np.diag([1.0, 1.0, 0.0])])).numpy(), [3, 2])
    assert int(la.matrix_rank(np.diag([1.0, 1e-3]), tol=1e-2).item()) == 1
    a = np.array([[0.0, -1.0], [1.0, 0.0]], dtype=np.float32)
    w, v = la.eig(a)
    assert w.dtype == np.complex64 and v.dtype == np.complex64
    np.testing.assert_allclose(np.sort_complex(w.numpy()), [-1j, 1j], atol=1e-6)
    np.testing.assert_allclose(a @ v.numpy(), v.numpy() * w.numpy(), atol=1e-6)


def test_errors_say_what_was_received():
    with pytest.raises(ValueError, match=r"square.*\(2, 3\)"):
        la.inv(np.ones((2, 3)))
    with pytest.raises(ValueError, match="positive-definite"):
        la.cholesky(-np.eye(2))
    with pytest.raises(ValueError, match="rows"):
        la.solve(np.eye(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="mode"):
        la.qr(np.eye(2), mode="raw")
    with pytest.raises(NotImplementedError, match="complete"):
        x = dg.Tensor(rand(4, 2), requires_grad=True)
        la.qr(x, "complete")[0].sum().backward()
    with pytest.raises(NotImplementedError, match="full_matrices"):
        x = dg.Tensor(rand(4, 2), requires_grad=True)
        la.svd(x)[0].sum().backward()


def test_float32_stays_float32_and_integers_become_float32():
    a = nonsingular(3, 3, dtype=np.float32)
    for out in (la.inv(a), la.det(a), la.pinv(a), la.cholesky(spd(3, 3, dtype=np.float32)), *la.svd(a), *la.qr(a)):
        assert out.dtype == np.float32
    assert la.inv(np.array([[2, 0], [0, 4]])).dtype == np.float32
