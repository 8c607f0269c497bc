"""keras.ops.linalg, cdist, logdet and the numpy-style products (dot, matmul, einsum, tensordot,
trace, diagonals, triangles, ...) against Keras 3 on its torch backend: values, dtypes and
gradients, float32 and float64 (see tests/keras/ops/oracle.py).

Decompositions are checked on well-conditioned inputs: symmetric positive-definite matrices
for cholesky / eigh, matrices with distinct singular values for svd, and their gradients on
the outputs that are unique (singular values, eigenvalues) or with signs fixed the same way
on both sides.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import ops as dg_ops
from tests.keras.ops.oracle import check_op, keras, torch

COVERED_KERAS_OPS = {
    "cdist", "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "logdet", "lstsq",
    "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd",
    "cross", "diag", "diagflat", "diagonal", "dot", "einsum", "inner", "kron", "matmul", "outer",
    "slogdet", "tensordot", "trace", "tril", "triu", "vdot",
}
COVERED_OPS = {"matmul", "einsum", "diagonal", "matrix_diag", "slogdet", "det", "inv", "solve",
               "triangular_solve", "cholesky", "qr", "svd", "eigh", "pinv", "matrix_rank",
               "lu_factor", "eig"}

FLOATS = ["float32", "float64"]


def rand(*shape, dtype="float64", seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def spd(*shape, dtype="float64", seed=0):
    """A symmetric positive-definite (batch of) matrices with well-separated eigenvalues."""
    a = rand(*shape, dtype="float64", seed=seed)
    n = shape[-1]
    return (a @ np.swapaxes(a, -1, -2) + np.diag(np.arange(1, n + 1))).astype(dtype)


def well_conditioned(*shape, dtype="float64", seed=0):
    return (rand(*shape, dtype="float64", seed=seed) + 3 * np.eye(shape[-1])).astype(dtype)


GRAD_TOL = {"float32": dict(rtol=1e-3, atol=1e-4), "float64": dict(rtol=1e-7, atol=1e-9)}


def sign_fixed_grads(ours_fn, theirs_fn, a, vector_outputs=(), row_vector_outputs=(), seed=0):
    """The gradients of sum(w * output) for deepgrad and Keras, with each column of the outputs
    in `vector_outputs` (each row of those in `row_vector_outputs`) multiplied by the sign of
    its largest entry, so that a sign choice of the decomposition does not matter. The outputs,
    so fixed, are compared on the way."""
    rng = np.random.default_rng(seed)
    x = dg.Tensor(a.copy())
    t = torch.tensor(a.copy(), requires_grad=True)
    with dg.GradientTape() as tape:
        tape.watch(x)
        outs = list(ours_fn(x))
        refs = list(theirs_fn(t))
        total, ref_total = None, None
        for k, (o, r) in enumerate(zip(outs, refs)):
            w = rng.uniform(0.5, 1.5, size=o.shape).astype(a.dtype)
            sign_o = sign_r = np.ones((), a.dtype)
            if k in vector_outputs or k in row_vector_outputs:
                axis = -2 if k in vector_outputs else -1
                pick = lambda v: np.take_along_axis(v, np.argmax(np.abs(v), axis=axis)[..., None, :]
                                                    if axis == -2 else np.argmax(np.abs(v), axis=-1)[..., :, None],
                                                    axis=axis)
                sign_o = np.sign(pick(o.numpy())).astype(a.dtype)
                sign_r = np.sign(pick(r.detach().numpy())).astype(a.dtype)
            np.testing.assert_allclose(o.numpy() * sign_o, r.detach().numpy() * sign_r, **GRAD_TOL[a.dtype.name])
            term = dg.reduce_sum(o * dg.Tensor(w * sign_o))
            total = term if total is None else total + term
            ref_term = (r * torch.tensor(w * sign_r)).sum()
            ref_total = ref_term if ref_total is None else ref_total + ref_term
    ours = tape.gradient(total, x).numpy()
    theirs = torch.autograd.grad(ref_total, t)[0].numpy()
    return ours, theirs


# ----------------------------------------------------------------------------- numpy products

NARROWED = {"matmul", "dot", "tensordot", "inner", "vdot", "cross"}

PRODUCT_CASES = [
    ("matmul", [(3, 4), (4, 5)], {}),
    ("matmul", [(2, 3, 4), (4,)], {}),
    ("matmul", [(2, 1, 3, 4), (5, 4, 2)], {}),
    ("matmul", [(4,), (4,)], {}),
    ("dot", [(3, 4), (4, 2)], {}),
    ("dot", [(4,), (4,)], {}),
    ("dot", [(2, 3, 4), (4,)], {}),
    ("dot", [(), (3, 2)], {}),
    ("tensordot", [(2, 3, 4), (3, 4, 5)], {}),
    ("tensordot", [(2, 3, 4), (4, 3)], dict(axes=([1, 2], [1, 0]))),
    ("tensordot", [(2, 3), (3, 5)], dict(axes=1)),
    ("tensordot", [(2, 3), (4,)], dict(axes=0)),
    ("inner", [(3, 4), (2, 4)], {}),
    ("inner", [(4,), (4,)], {}),
    ("inner", [(2, 3, 4), (4,)], {}),
    ("outer", [(3,), (4,)], {}),
    ("outer", [(2, 2), (3,)], {}),
    ("vdot", [(6,), (6,)], {}),
    ("kron", [(2, 3), (3, 2)], {}),
    ("kron", [(2,), (2, 3)], {}),
    ("kron", [(2, 1, 3), (2, 2)], {}),
    ("cross", [(3,), (3,)], {}),
    ("cross", [(4, 3), (1, 3)], {}),
    ("cross", [(3, 2), (3, 1)], dict(axis=0)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,shapes,kwargs", PRODUCT_CASES, ids=lambda v: str(v))
def test_products(name, shapes, kwargs, dtype):
    args = [rand(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)]
    # float64 products that Keras narrows to float32 are compared at float32's tolerance
    loose = dict(rtol=1e-5, atol=1e-6) if dtype == "float64" and name in NARROWED else {}
    check_op(name, args, kwargs, grad=True, **loose)


EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ij->", [(3, 4)]),
    ("ij,kl", [(2, 3), (3, 2)]),
    ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("...i,...i->...", [(2, 1, 4), (3, 4)]),
    ("i,i,i->i", [(4,), (4,), (4,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("iij->j", [(3, 3, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("subscripts,shapes", EINSUM_CASES, ids=str)
def test_einsum(subscripts, shapes, dtype):
    args = [rand(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)]
    check_op("einsum", [subscripts] + args, grad=True)


PART_CASES = [
    ("trace", [(4, 4)], {}),
    ("trace", [(3, 4, 5)], dict(offset=1, axis1=1, axis2=2)),
    ("trace", [(3, 4, 5)], dict(offset=-1, axis1=2, axis2=0)),
    ("diagonal", [(4, 5)], {}),
    ("diagonal", [(3, 4, 5)], dict(offset=2, axis1=1, axis2=2)),
    ("diagonal", [(3, 4, 5)], dict(offset=-2, axis1=-1, axis2=0)),
    ("diag", [(4,)], {}),
    ("diag", [(4,)], dict(k=-2)),
    ("diag", [(4, 5)], dict(k=1)),
    ("diagflat", [(2, 3)], {}),
    ("diagflat", [(3,)], dict(k=1)),
    ("tril", [(4, 5)], {}),
    ("tril", [(2, 4, 5)], dict(k=-1)),
    ("triu", [(4, 5)], dict(k=2)),
    ("triu", [(2, 5, 4)], {}),
    ("slogdet", [(3, 3)], {}),
    ("slogdet", [(2, 4, 4)], {}),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,shapes,kwargs", PART_CASES, ids=lambda v: str(v))
def test_matrix_parts(name, shapes, kwargs, dtype):
    args = [rand(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)]
    check_op(name, args, kwargs, grad=True)


@pytest.mark.parametrize("name,shapes,kwargs", [
    ("matmul", [(3, 4), (4, 2)], {}), ("dot", [(3, 4), (4, 2)], {}), ("tensordot", [(3, 4), (4, 2)], dict(axes=1)),
    ("inner", [(3, 4), (2, 4)], {}), ("outer", [(3,), (4,)], {}), ("vdot", [(4,), (4,)], {}),
    ("kron", [(2, 2), (2, 3)], {}), ("cross", [(2, 3), (2, 3)], {}), ("einsum", [(3, 4), (4, 2)], {}),
    ("trace", [(3, 3)], {}), ("diag", [(3,)], {}), ("diagflat", [(2, 2)], {}), ("diagonal", [(3, 4)], {}),
    ("tril", [(3, 4)], {}), ("triu", [(3, 4)], {}),
])
@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "bool"])
def test_integer_and_bool_dtypes(name, shapes, kwargs, dtype):
    if dtype == "bool" and name in ("cross", "einsum"):
        pytest.skip("Keras' torch backend has no bool cross/einsum")
    args = [(rand(*s, seed=i, low=-4, high=5).astype(dtype)) for i, s in enumerate(shapes)]
    if name == "einsum":
        args = ["ij,jk->ik"] + args
    check_op(name, args, kwargs)


def test_vdot_flattens_and_cross_takes_two_vectors_as_numpy():
    """Keras' torch backend refuses these; deepgrad follows NumPy (and Keras' NumPy backend)."""
    a, b = rand(2, 3), rand(3, 2, seed=1)
    np.testing.assert_allclose(dg_ops.vdot(a, b).numpy(), np.vdot(a, b), rtol=1e-5)
    # a 2-vector is a 3-vector with z = 0 (NumPy 2 deprecates 2-vectors in np.cross; the reference pads them)
    pad = lambda v: np.concatenate([v, np.zeros_like(v[..., :1])], axis=-1)  # noqa: E731
    np.testing.assert_allclose(dg_ops.cross(rand(4, 2), rand(4, 3, seed=1)).numpy(),
                               np.cross(pad(rand(4, 2)), rand(4, 3, seed=1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dg_ops.cross(rand(4, 2), rand(4, 2, seed=1)).numpy(),
                               np.cross(pad(rand(4, 2)), pad(rand(4, 2, seed=1)))[..., 2], rtol=1e-5, atol=1e-6)
    axes = dict(axisa=1, axisb=0, axisc=0)
    np.testing.assert_allclose(dg_ops.cross(rand(2, 3, 4), rand(3, 4, seed=1), **axes).numpy(),
                               np.cross(rand(2, 3, 4), rand(3, 4, seed=1), **axes), rtol=1e-5, atol=1e-6)


def test_python_lists_and_mixed_dtypes():
    check_op("dot", [[[1, 2], [3, 4]], [[1, 0], [2, 1]]])
    check_op("matmul", [[[1.0, 2.0]], [[1.0], [2.0]]])
    check_op("matmul", [rand(2, 3).astype("int32"), rand(3, 2, dtype="float32")])
    check_op("tensordot", [rand(2, 3).astype("int64"), rand(3, 2, dtype="float32")], dict(axes=1))
    check_op("kron", [rand(2, 2).astype("int32"), rand(2, 2, dtype="float32")])
    check_op("outer", [rand(2, dtype="float32"), rand(3, dtype="float64")])
    check_op("trace", [[[1, 2], [3, 4]]])


# ----------------------------------------------------------------------------- keras.ops.linalg


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)], ids=str)
def test_inverse_and_determinants(shape, dtype):
    a = well_conditioned(*shape, dtype=dtype)
    check_op("inv", [a], grad=True)
    check_op("det", [a], grad=True)
    check_op("logdet", [spd(*shape, dtype=dtype)], grad=True)
    check_op("linalg.inv", [a], grad=True)


def test_logdet_of_a_negative_determinant_is_nan():
    a = np.array([[0.0, 1.0], [1.0, 0.0]])
    check_op("logdet", [a])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("a_shape,b_shape", [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 3)),
                                             ((2, 4, 4), (2, 4))], ids=str)
def test_solve(a_shape, b_shape, dtype):
    a = well_conditioned(*a_shape, dtype=dtype)
    b = rand(*b_shape, dtype=dtype, seed=1)
    check_op("solve", [a, b], grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("a_shape,b_shape", [((4, 4), (4,)), ((4, 4), (4, 2)), ((2, 3, 3), (2, 3, 2))], ids=str)
def test_solve_triangular(a_shape, b_shape, lower, dtype):
    a = well_conditioned(*a_shape, dtype=dtype)
    b = rand(*b_shape, dtype=dtype, seed=1)
    check_op("solve_triangular", [a, b], dict(lower=lower), grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)], ids=str)
def test_cholesky(shape, upper, dtype):
    a = spd(*shape, dtype=dtype)
    check_op("cholesky", [a], dict(upper=upper), grad=True, rtol=1e-3 if dtype == "float32" else None)
    factor = np.linalg.cholesky(a.astype("float64")).astype(dtype)
    if upper:
        factor = np.swapaxes(factor, -1, -2).copy()
    check_op("cholesky_inverse", [factor], dict(upper=upper),
             rtol=1e-3 if dtype == "float32" else None)
    # The result depends on the factor's triangle only, so deepgrad's gradient is zero on the
    # other triangle; torch differentiates (X X^T)^-1 in the whole X. They agree on the triangle.
    keep = np.triu(np.ones(shape[-2:])) if upper else np.tril(np.ones(shape[-2:]))
    ours, theirs = sign_fixed_grads(lambda f: [dg_ops.cholesky_inverse(f, upper=upper)],
                                    lambda f: [keras.ops.cholesky_inverse(f, upper=upper)], factor)
    np.testing.assert_allclose(ours, theirs * keep, **GRAD_TOL[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,mode", [((5, 3), "reduced"), ((3, 3), "reduced"), ((3, 5), "reduced"),
                                        ((2, 4, 3), "reduced"), ((3, 5), "complete"), ((4, 4), "complete")],
                         ids=str)
def test_qr(shape, mode, dtype):
    a = rand(*shape, dtype=dtype, seed=3)
    check_op("qr", [a], dict(mode=mode), grad=True, rtol=1e-3 if dtype == "float32" else None)


def test_qr_complete_tall_values():
    check_op("qr", [rand(5, 3, seed=3)], dict(mode="complete"))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4, 4), (2, 5, 3), (3, 5)], ids=str)
def test_svd(shape, dtype):
    a = rand(*shape, dtype=dtype, seed=4)
    # singular values alone: unique, so the gradient is compared too
    check_op("svd", [a], dict(compute_uv=False), grad=True, rtol=1e-3 if dtype == "float32" else None)
    ours = dg_ops.svd(a, full_matrices=False)
    theirs = keras.ops.svd(torch.tensor(a), full_matrices=False)
    # u and vh agree up to the sign of each singular pair; the product is unique
    for o, t in zip(ours, theirs):
        assert o.dtype.name == str(t.dtype).replace("torch.", "")
    u, s, vh = (x.numpy() for x in ours)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(u * s[..., None, :] @ vh, a, **tol)
    np.testing.assert_allclose(np.abs(u), np.abs(theirs[0].numpy()), **tol)
    np.testing.assert_allclose(np.abs(vh), np.abs(theirs[2].numpy()), **tol)
    ours_grad, theirs_grad = sign_fixed_grads(lambda x: dg_ops.svd(x, full_matrices=False),
                                              lambda x: keras.ops.svd(x, full_matrices=False), a,
                                              vector_outputs=(0,), row_vector_outputs=(2,))
    np.testing.assert_allclose(ours_grad, theirs_grad, **GRAD_TOL[dtype])
    full = dg_ops.svd(a)
    assert full[0].shape == theirs[0].shape[:-1] + (shape[-2],) and full[2].shape[-1] == shape[-1]


@pytest.mark.parametrize("dtype", FLOATS)
def test_svd_gradient_through_u_and_vh_square(dtype):
    """For a square input the full and thin SVD coincide; the signs numpy and torch choose agree here."""
    check_op("svd", [rand(4, 4, dtype=dtype, seed=4)], grad=True, rtol=1e-3 if dtype == "float32" else None)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)], ids=str)
def test_eigh(shape, dtype):
    a = spd(*shape, dtype=dtype)
    if dtype == "float64":
        check_op("eigh", [a], grad=True)
    # eigenvectors are unique up to sign: compare them, and gradients, with signs fixed alike
    ours, theirs = sign_fixed_grads(dg_ops.eigh, keras.ops.eigh, a, vector_outputs=(1,))
    np.testing.assert_allclose(ours, theirs, **GRAD_TOL[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
def test_eig_values_match(dtype):
    a = rand(4, 4, dtype=dtype, seed=5)
    w, v = dg_ops.eig(a)
    tw, tv = keras.ops.eig(torch.tensor(a))
    assert w.dtype.name == str(tw.dtype).replace("torch.", "") and v.dtype == w.dtype
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.sort_complex(w.numpy()), np.sort_complex(tw.numpy()), **tol)
    np.testing.assert_allclose(a.astype(v.dtype) @ v.numpy(), v.numpy() * w.numpy()[None, :], **tol)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (3, 5), (5, 3)], ids=str)
def test_pinv_lstsq_rank(shape, dtype):
    a = rand(*shape, dtype=dtype, seed=6)
    loose = dict(rtol=1e-3, atol=1e-4) if dtype == "float32" else {}
    check_op("pinv", [a], grad=True, **loose)
    check_op("matrix_rank", [a])
    if len(shape) == 2:
        check_op("lstsq", [a, rand(shape[0], 2, dtype=dtype, seed=7)], grad=True, **loose)
        check_op("lstsq", [a, rand(shape[0], dtype=dtype, seed=7)], grad=True, **loose)


def test_rank_deficient_rank_pinv_and_lstsq():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    check_op("matrix_rank", [a])
    check_op("matrix_rank", [a], dict(tol=1e-3))
    check_op("pinv", [a])
    check_op("pinv", [rand(3, 3, seed=1)], dict(rcond=0.5))
    check_op("lstsq", [a, np.array([1.0, 2.0, 4.0])])
    check_op("lstsq", [a, np.array([1.0, 2.0, 4.0])], dict(rcond=1e-3))


@pytest.mark.parametrize("dtype", FLOATS)
def test_lu_factor(dtype):
    for shape in [(4, 4), (2, 3, 3)]:
        check_op("lu_factor", [rand(*shape, dtype=dtype, seed=8)])


NORM_CASES = [
    ((5,), {}), ((5,), dict(ord=1)), ((5,), dict(ord=np.inf)), ((5,), dict(ord=-np.inf)), ((5,), dict(ord=3)),
    ((5,), dict(ord=0.5)), ((3, 4), {}), ((3, 4), dict(axis=1)), ((3, 4), dict(axis=0, keepdims=True)),
    ((3, 4), dict(ord="fro")), ((3, 4), dict(ord="nuc")), ((3, 4), dict(ord=1)), ((3, 4), dict(ord=-1)),
    ((3, 4), dict(ord=2)), ((3, 4), dict(ord=-2)), ((3, 4), dict(ord=np.inf)), ((3, 4), dict(ord=-np.inf)),
    ((2, 3, 4), dict(axis=(0, 2))), ((2, 3, 4), dict(axis=(2, 0), ord=1, keepdims=True)),
    ((2, 3, 4), dict(axis=(1, 2), ord="nuc", keepdims=True)), ((2, 3, 4), dict(keepdims=True)),
    ((2, 3, 4), dict(axis=-1, ord=2)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,kwargs", NORM_CASES, ids=str)
def test_norm(shape, kwargs, dtype):
    # Keras narrows float64 norms to float32: compared at float32's tolerance
    check_op("norm", [rand(*shape, dtype=dtype, seed=9)], kwargs, grad=True,
             rtol=1e-3 if dtype == "float32" else 1e-5, atol=1e-5 if dtype == "float32" else 1e-6)


def test_norm_dtypes_and_zero_count():
    check_op("norm", [rand(3, 4).astype("int32")])
    check_op("norm", [rand(3, 4, low=-3, high=3).astype("int64")], dict(ord=1, axis=0))
    check_op("norm", [np.array([0.0, 1.0, 0.0, -2.0], "float32")], dict(ord=0))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", [((4, 3), (5, 3)), ((2, 4, 3), (5, 3)), ((2, 1, 4, 3), (3, 5, 3))], ids=str)
def test_cdist(shapes, dtype):
    check_op("cdist", [rand(*shapes[0], dtype=dtype), rand(*shapes[1], dtype=dtype, seed=1)], grad=True)


def test_cdist_zero_distance_has_zero_gradient():
    x = dg.Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    with dg.GradientTape() as tape:
        tape.watch(x)
        d = dg_ops.cdist(x, x)
        total = dg.reduce_sum(d)
    g = tape.gradient(total, x).numpy()
    np.testing.assert_allclose(g, 2 * np.sqrt(0.5) * np.array([[-1.0, -1.0], [1.0, 1.0]]))
    np.testing.assert_allclose(d.numpy(), [[0.0, np.sqrt(8)], [np.sqrt(8), 0.0]])


def test_jvp():
    def fun(x, y):
        return keras.ops.exp(x) * y if isinstance(x, torch.Tensor) else dg.math.exp(x) * y

    x, y, tx, ty = (rand(3, seed=s) for s in range(4))
    out, tangent = dg_ops.linalg.jvp(fun, (x, y), (tx, ty))
    ref_out, ref_tangent = keras.ops.linalg.jvp(fun, (torch.tensor(x), torch.tensor(y)),
                                                (torch.tensor(tx), torch.tensor(ty)))
    np.testing.assert_allclose(out.numpy(), ref_out.numpy(), rtol=1e-12)
    np.testing.assert_allclose(tangent.numpy(), ref_tangent.numpy(), rtol=1e-12)
    np.testing.assert_allclose(tangent.numpy(), np.exp(x) * tx * y + np.exp(x) * ty, rtol=1e-12)
    out, tangent, aux = dg_ops.linalg.jvp(lambda a: (a * a, "aux"), (x,), (tx,), has_aux=True)
    np.testing.assert_allclose(tangent.numpy(), 2 * x * tx, rtol=1e-12)
    assert aux == "aux"


def test_errors_name_what_was_received():
    with pytest.raises(ValueError, match="square"):
        dg_ops.inv(rand(2, 3))
    with pytest.raises(ValueError, match="mode"):
        dg_ops.qr(rand(3, 3), mode="r")
    with pytest.raises(ValueError, match="positive-definite"):
        dg_ops.cholesky(-np.eye(3))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        dg_ops.diag(rand(2, 2, 2))
