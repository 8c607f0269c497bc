"""Linear algebra: matrix products, inverses and determinants, linear systems, decompositions,
diagonals and einsum. Each forward sits beside its vector-Jacobian product.

Matrix ops work on the last two axes and batch over the leading ones. The gradients of
decompositions hold where the decomposition is differentiable; each docstring says which
inputs that needs (nonsingular, positive-definite, distinct eigenvalues or singular values).
Ops with several outputs (qr, svd, eigh) record one node per output: their vjp is linear in
the output gradients, so the shares add up in the input's gradient.
"""
from ..backend import xp
from ..tensor import Tensor, as_tensor, attach
from .elementwise import unbroadcast
from .table import declare, reflected


@declare(kind="linalg", methods=("__matmul__", ("__rmatmul__", reflected), "matmul"))
def matmul(a, b):
    """y = a @ b, batched over leading axes that broadcast as in NumPy.

    Shapes: (..., n, k) @ (..., k, m) -> (..., n, m); a 1-D operand is a vector.
    da = g @ b^T, db = a^T @ g, each summed back over broadcast batch axes.
    """
    a = as_tensor(a) if isinstance(a, Tensor) else as_tensor(a, like=b if isinstance(b, Tensor) else None)
    b = as_tensor(b, like=a)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have rank >= 1. Received shapes: {a.shape} and {b.shape}")
    try:
        y = xp.matmul(a.data, b.data)
    except ValueError:
        raise ValueError(
            f"matmul: inner dimensions do not match. Received shapes: {a.shape} and {b.shape} "
            f"({a.shape[-1]} != {b.shape[0] if b.ndim == 1 else b.shape[-2]})"
        ) from None

    def vjp(g):
        a2 = a.data if a.ndim > 1 else a.data[None, :]
        b2 = b.data if b.ndim > 1 else b.data[:, None]
        g2 = g
        if b.ndim == 1:  # first, so that a 0-d g (vector . vector) becomes (1,) then (1, 1)
            g2 = xp.expand_dims(g2, -1)
        if a.ndim == 1:
            g2 = xp.expand_dims(g2, -2)
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(xp.matmul(g2, xp.swapaxes(b2, -1, -2)), a2.shape).reshape(a.data.shape)
        if b.requires_grad:
            gb = unbroadcast(xp.matmul(xp.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.data.shape)
        return ga, gb

    return attach(y, (a, b), vjp, "matmul")


# ---- helpers on arrays -----------------------------------------------------------------


def _mT(a):
    """The matrix transpose of the last two axes of an array."""
    return xp.swapaxes(a, -1, -2)


def _square(op, a):
    """Check that `a` is a (batch of) square matrices."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{op}: expected a square matrix or a batch of them, of shape (..., n, n). "
                         f"Received shape: {a.shape}")


def _float_tensor(op, a):
    """`a` as a float tensor (integer and bool arrays become float32 as Keras' floatx)."""
    a = as_tensor(a)
    if a.data.dtype.kind not in "fc":
        a = as_tensor(a.data.astype("float32"))
    return a


# ---- inverse, determinants, linear systems ------------------------------------------------


@declare(kind="linalg")
def inv(a):
    """y = a^-1 for a square (batch of) matrices (..., n, n), assumed nonsingular.

    dy = -y da y, so da = -y^T g y^T.
    """
    a = _float_tensor("inv", a)
    _square("inv", a)
    y = xp.linalg.inv(a.data)

    def vjp(g):
        yt = _mT(y)
        return (-(yt @ g @ yt),)

    return attach(y, (a,), vjp, "inv")


@declare(kind="linalg")
def det(a):
    """y = det(a), (..., n, n) -> (...). Gradient for nonsingular a only:
    d det(a) = det(a) tr(a^-1 da), so da = g det(a) a^-T.
    """
    a = _float_tensor("det", a)
    _square("det", a)
    y = xp.asarray(xp.linalg.det(a.data), dtype=a.data.dtype)

    def vjp(g):
        return ((g * y)[..., None, None] * _mT(xp.linalg.inv(a.data)),)

    return attach(y, (a,), vjp, "det")


@declare(kind="linalg")
def slogdet(a):
    """(sign, log|det a|), (..., n, n) -> two (...) tensors; the sign has no gradient.

    d log|det a| = tr(a^-1 da), so da = g a^-T (a nonsingular).
    """
    a = _float_tensor("slogdet", a)
    _square("slogdet", a)
    sign, logabs = xp.linalg.slogdet(a.data)
    sign = xp.asarray(sign, dtype=a.data.dtype)
    logabs = xp.asarray(logabs, dtype=a.data.dtype)

    def vjp(g):
        return (g[..., None, None] * _mT(xp.linalg.inv(a.data)),)

    return as_tensor(sign), attach(logabs, (a,), vjp, "slogdet")


def _is_vector_rhs(a, b):
    """Whether `b` of solve(a, b) is a (batch of) vector(s) rather than matrices: torch's rule,
    b of shape (n,) or of a's shape without its last axis."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


@declare(kind="linalg")
def solve(a, b):
    """x = a^-1 b: a (..., n, n) nonsingular; b (..., n, k), or (n,) / (..., n) a vector per matrix
    (b has a's shape without the last axis). Batch axes broadcast.

    From a x = b: db = a^-T g, da = -db x^T (summed back over broadcast batch axes).
    """
    a = _float_tensor("solve", a)
    b = as_tensor(b, like=a)
    _square("solve", a)
    vector = _is_vector_rhs(a, b)
    b2 = b.data[..., None] if vector else b.data
    if b2.shape[-2] != a.shape[-1]:
        raise ValueError(f"solve: b must have {a.shape[-1]} rows to match a. "
                         f"Received shapes: a={a.shape}, b={b.shape}")
    x2 = xp.linalg.solve(a.data, b2)
    x2 = x2.astype(xp.result_type(a.data, b.data), copy=False)

    def vjp(g):
        g2 = g[..., None] if vector else g
        gb2 = xp.linalg.solve(_mT(a.data), g2)
        ga = unbroadcast(-(gb2 @ _mT(x2)), a.shape) if a.requires_grad else None
        gb = None
        if b.requires_grad:
            gb = unbroadcast(gb2, b2.shape)
            gb = gb[..., 0] if vector else gb
        return ga, gb

    return attach(x2[..., 0] if vector else x2, (a, b), vjp, "solve")


def band_mask(n_rows, n_cols, lower, upper, dtype=bool):
    """The boolean mask of the band of an (n_rows, n_cols) matrix: the entries (i, j) with
    i - j <= lower and j - i <= upper (None: no limit). tril(k) is band_mask(n, m, None, k)."""
    i = xp.arange(n_rows)[:, None]
    j = xp.arange(n_cols)[None, :]
    mask = xp.ones((n_rows, n_cols), dtype=bool)
    if lower is not None:
        mask &= (i - j) <= lower
    if upper is not None:
        mask &= (j - i) <= upper
    return mask.astype(dtype)


@declare(kind="linalg")
def triangular_solve(a, b, lower=True, transpose=False):
    """x = op(T)^-1 b with T the lower (or upper) triangle of a (the other triangle is not read)
    and op(T) = T^T when `transpose`. a (..., n, n) with a nonzero diagonal, b (..., n, k).

    With M = op(T): db = M^-T g, dM = -db x^T; da is dM (or dM^T) kept on T's triangle.
    """
    a = _float_tensor("triangular_solve", a)
    b = as_tensor(b, like=a)
    _square("triangular_solve", a)
    n = a.shape[-1]
    mask = band_mask(n, n, None, 0) if lower else band_mask(n, n, 0, None)
    t = xp.where(mask, a.data, 0)
    m = _mT(t) if transpose else t
    x = xp.linalg.solve(m, b.data).astype(xp.result_type(a.data, b.data), copy=False)

    def vjp(g):
        gb = xp.linalg.solve(_mT(m), g)
        ga = None
        if a.requires_grad:
            gm = -(gb @ _mT(x))
            ga = unbroadcast(xp.where(mask, _mT(gm) if transpose else gm, 0), a.shape)
        return ga, (unbroadcast(gb, b.shape) if b.requires_grad else None)

    return attach(x, (a, b), vjp, "triangular_solve")


# ---- decompositions -------------------------------------------------------------------------


@declare(kind="linalg")
def cholesky(a):
    """L, lower triangular with L L^T = a, for a symmetric positive-definite (..., n, n);
    only the lower triangle of a is read.

    With P = Phi(L^T g) (the lower triangle, diagonal halved) and S = L^-T P L^-1, the gradient
    is the symmetric da = (S + S^T) / 2 (a is treated as a symmetric matrix).
    """
    a = _float_tensor("cholesky", a)
    _square("cholesky", a)
    try:
        chol = xp.linalg.cholesky(a.data)
    except xp.linalg.LinAlgError:
        raise ValueError("cholesky: the matrix is not symmetric positive-definite. "
                         f"Received shape: {a.shape}") from None

    def vjp(g):
        n = chol.shape[-1]
        p = _mT(chol) @ g
        p = xp.where(band_mask(n, n, None, 0), p, 0) * (1 - 0.5 * xp.eye(n, dtype=g.dtype))
        li = xp.linalg.inv(chol)
        s = _mT(li) @ p @ li
        return ((s + _mT(s)) / 2,)

    return attach(chol, (a,), vjp, "cholesky")


def _copyltu(m):
    """The symmetric matrix whose lower triangle (diagonal included) is that of m."""
    lower = xp.tril(m, -1)
    return lower + _mT(lower) + xp.tril(xp.triu(m))


def _qr_vjp_tall(q, r, gq, gr):
    """da for a = q r with a (..., m, n), m >= n, q (..., m, n), r (..., n, n) invertible:
    M = r gr^T - gq^T q; da = (gq + q copyltu(M)) r^-T."""
    m = r @ _mT(gr) - _mT(gq) @ q
    b = gq + q @ _copyltu(m)
    return _mT(xp.linalg.solve(r, _mT(b)))


@declare(kind="linalg")
def qr(a, mode="reduced"):
    """(q, r) with a = q r, q orthonormal columns, r upper triangular; a (..., m, n), k = min(m, n).

    mode 'reduced': q (..., m, k), r (..., k, n); 'complete': q (..., m, m), r (..., m, n).
    Gradient for a of full rank, when the result is unique: 'reduced', or 'complete' with m <= n.
    For m >= n: M = r gr^T - gq^T q, da = (gq + q copyltu(M)) r^-T. For m < n, a = [x | y] with
    x square: dy = q gr_y, and x takes the square-case gradient with gq + y gr_y^T and gr_x.
    """
    a = _float_tensor("qr", a)
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete'. Received: mode={mode!r}")
    if a.ndim < 2:
        raise ValueError(f"qr: expected a matrix of shape (..., m, n). Received shape: {a.shape}")
    q, r = xp.linalg.qr(a.data, mode=mode)
    m_rows, n_cols = a.shape[-2:]
    def grads(gq, gr):
        if mode == "complete" and m_rows > n_cols:
            raise NotImplementedError("qr: no gradient for mode='complete' with more rows than "
                                      f"columns (q is not unique). Received shape: {a.shape}")
        gq = xp.zeros_like(q) if gq is None else gq
        gr = xp.zeros_like(r) if gr is None else gr
        if m_rows >= n_cols:
            return _qr_vjp_tall(q, r, gq, gr)
        y = a.data[..., m_rows:]
        gr_y = gr[..., m_rows:]
        gx = _qr_vjp_tall(q, r[..., :m_rows], gq + y @ _mT(gr_y), gr[..., :m_rows])
        return xp.concatenate([gx, q @ gr_y], axis=-1)

    return _outputs((q, r), a, grads, "qr")


def _outputs(arrays, a, grads, op):
    """Record an op of one input `a` with several outputs.

    The vjp of a decomposition is linear in the output gradients, so each output records its
    own share: grads(gs) with gs holding that output's gradient and None for the others; the
    shares add up in a's gradient.
    """
    def share(k):
        def vjp(g):
            gs = [None] * len(arrays)
            gs[k] = g
            return (grads(*gs),)

        return vjp

    return tuple(attach(y, (a,), share(k), op) for k, y in enumerate(arrays))


def _svd_vjp(u, s, vh, gu, gs, gvh):
    """da for the thin SVD a = u diag(s) vh, a (..., m, n), k = min(m, n), u (..., m, k),
    vh (..., k, n), with distinct nonzero singular values:

        F_ij = 1 / (s_j^2 - s_i^2) (0 on the diagonal), J = F o (u^T gu - gu^T u),
        K = F o (v^T gv - gv^T v),
        da = u (J S + diag(gs) + S K) v^T + (I - u u^T) gu S^-1 v^T + u S^-1 gv^T (I - v v^T).
    """
    v = _mT(vh)
    m, n, k = u.shape[-2], v.shape[-2], s.shape[-1]
    inner = xp.zeros(s.shape + (k,), dtype=s.dtype)
    if gs is not None:
        inner = inner + xp.eye(k, dtype=s.dtype) * gs[..., None, :]
    s2 = s * s
    with xp.errstate(divide="ignore"):
        f = 1.0 / (s2[..., None, :] - s2[..., :, None])
    f = xp.where(xp.eye(k, dtype=bool), 0, f)
    ga = 0
    if gu is not None:
        utgu = _mT(u) @ gu
        inner = inner + (f * (utgu - _mT(utgu))) * s[..., None, :]
        if m > k:
            ga = ga + ((gu - u @ utgu) / s[..., None, :]) @ vh
    if gvh is not None:
        gv = _mT(gvh)
        vtgv = _mT(v) @ gv
        inner = inner + s[..., :, None] * (f * (vtgv - _mT(vtgv)))
        if n > k:
            ga = ga + u @ _mT((gv - v @ vtgv) / s[..., None, :])
    return u @ inner @ vh + ga


@declare(kind="linalg")
def svd(a, full_matrices=True, compute_uv=True):
    """Singular value decomposition a = u diag(s) vh, a (..., m, n), k = min(m, n), s descending.

    Returns (u, s, vh): u (..., m, m), s (..., k), vh (..., n, n) when full_matrices, else
    u (..., m, k), vh (..., k, n); only s when not compute_uv.
    The gradient (see _svd_vjp) assumes distinct, nonzero singular values, and with
    full_matrices=True and m != n, that the extra columns of u / rows of vh carry no gradient.
    For s alone it is da = u diag(gs) vh, defined whenever the singular values are distinct.
    """
    a = _float_tensor("svd", a)
    if a.ndim < 2:
        raise ValueError(f"svd: expected a matrix of shape (..., m, n). Received shape: {a.shape}")
    m, n = a.shape[-2:]
    k = min(m, n)
    if not compute_uv:
        u, s, vh = xp.linalg.svd(a.data, full_matrices=False)
        return attach(s, (a,), lambda g: (_svd_vjp(u, s, vh, None, g, None),), "svd")
    u, s, vh = xp.linalg.svd(a.data, full_matrices=full_matrices)

    def grads(gu, gs, gvh):
        if gu is not None and gu.shape[-1] > k:
            if xp.any(gu[..., k:]):
                raise NotImplementedError("svd: no gradient through the extra columns of u with "
                                          f"full_matrices=True (they are not unique). Received shape: {a.shape}")
            gu = gu[..., :k]
        if gvh is not None and gvh.shape[-2] > k:
            if xp.any(gvh[..., k:, :]):
                raise NotImplementedError("svd: no gradient through the extra rows of vh with "
                                          f"full_matrices=True (they are not unique). Received shape: {a.shape}")
            gvh = gvh[..., :k, :]
        return _svd_vjp(u[..., :k], s, vh[..., :k, :], gu, gs, gvh)

    return _outputs((u, s, vh), a, grads, "svd")


@declare(kind="linalg")
def eigh(a):
    """(w, v): eigenvalues (ascending, (..., n)) and orthonormal eigenvectors (columns of v,
    (..., n, n)) of a symmetric a (..., n, n); only the lower triangle of a is read.

    With distinct eigenvalues: da = v (diag(gw) + F o (v^T gv - gv^T v) / 2) v^T,
    F_ij = 1 / (w_j - w_i) (0 on the diagonal): a symmetric gradient, as a is taken symmetric.
    The gradient of w alone, v diag(gw) v^T, needs no such assumption.
    """
    a = _float_tensor("eigh", a)
    _square("eigh", a)
    w, v = xp.linalg.eigh(a.data)

    def grads(gw, gv):
        n = w.shape[-1]
        inner = xp.zeros(w.shape + (n,), dtype=w.dtype)
        if gw is not None:
            inner = inner + xp.eye(n, dtype=w.dtype) * gw[..., None, :]
        if gv is not None:
            with xp.errstate(divide="ignore"):
                f = 1.0 / (w[..., None, :] - w[..., :, None])
            f = xp.where(xp.eye(n, dtype=bool), 0, f)
            vtgv = _mT(v) @ gv
            inner = inner + f * (vtgv - _mT(vtgv)) / 2
        return v @ inner @ _mT(v)

    return _outputs((w, v), a, grads, "eigh")


@declare(kind="linalg")
def pinv(a, rcond=None):
    """x = a^+, the Moore-Penrose pseudo-inverse of a (..., m, n), from the SVD: singular values
    at or below rcond * max(s) count as zero (rcond None: max(m, n) * eps of the dtype).

    Gradient for a of constant rank (Golub and Pereyra):
    da = -x^T g x^T + (I - a x) g^T x x^T + x^T x g^T (I - x a).
    """
    a = _float_tensor("pinv", a)
    if a.ndim < 2:
        raise ValueError(f"pinv: expected a matrix of shape (..., m, n). Received shape: {a.shape}")
    m, n = a.shape[-2:]
    if rcond is None:
        rcond = max(m, n) * xp.finfo(a.data.dtype).eps
    u, s, vh = xp.linalg.svd(a.data, full_matrices=False)
    cutoff = xp.asarray(rcond, dtype=s.dtype)[..., None] * xp.max(s, axis=-1, keepdims=True) \
        if s.shape[-1] else s
    keep = s > cutoff
    s_inv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(s.dtype)
    x = (_mT(vh) * s_inv[..., None, :]) @ _mT(u)

    def vjp(g):
        ad, xt = a.data, _mT(x)
        gt = _mT(g)
        left = xp.eye(m, dtype=x.dtype) - ad @ x
        right = xp.eye(n, dtype=x.dtype) - x @ ad
        return (-(xt @ g @ xt) + left @ gt @ (x @ xt) + (xt @ x) @ gt @ right,)

    return attach(x, (a,), vjp, "pinv")


# ---- diagonals and einsum ------------------------------------------------------------------


def _diagonal_index(n_rows, n_cols, offset):
    """Row and column indices of the `offset` diagonal of an (n_rows, n_cols) matrix."""
    if offset >= 0:
        length = max(0, min(n_rows, n_cols - offset))
        rows = xp.arange(length)
        return rows, rows + offset
    length = max(0, min(n_rows + offset, n_cols))
    cols = xp.arange(length)
    return cols - offset, cols


@declare(kind="linalg")
def diagonal(x, offset=0, axis1=0, axis2=1):
    """y = the `offset` diagonal of the matrices in axes (axis1, axis2) of x, as NumPy: those
    two axes are removed and the diagonal becomes the last axis.

    dx = zeros of x's shape with g written back on that diagonal.
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal: expected a tensor of rank >= 2. Received shape: {x.shape}")
    axis1, axis2 = axis1 % x.ndim, axis2 % x.ndim
    if axis1 == axis2:
        raise ValueError(f"diagonal: axis1 and axis2 must differ. Received: axis1={axis1}, axis2={axis2}")
    y = xp.diagonal(x.data, offset, axis1, axis2).copy()

    def vjp(g):
        gx = xp.zeros(x.shape, dtype=g.dtype)
        view = xp.moveaxis(gx, (axis1, axis2), (-2, -1))
        rows, cols = _diagonal_index(view.shape[-2], view.shape[-1], offset)
        view[..., rows, cols] = g
        return (gx,)

    return attach(y, (x,), vjp, "diagonal")


@declare(kind="linalg")
def matrix_diag(v, k=0):
    """y = the (..., n + |k|, n + |k|) matrices with the vectors v (..., n) on their k-th diagonal
    (k > 0 above the main one) and zeros elsewhere. dv = the k-th diagonal of g.
    """
    v = as_tensor(v)
    if v.ndim < 1:
        raise ValueError(f"matrix_diag: expected a tensor of rank >= 1. Received shape: {v.shape}")
    k = int(k)
    size = v.shape[-1] + abs(k)
    y = xp.zeros(v.shape[:-1] + (size, size), dtype=v.data.dtype)
    rows, cols = _diagonal_index(size, size, k)
    y[..., rows, cols] = v.data
    return attach(y, (v,), lambda g: (g[..., rows, cols],), "matrix_diag")


def _einsum_parse(subscripts, ndims):
    """Explicit subscripts for einsum: ([labels of each operand], output labels), every '...'
    replaced by letters of its own (right-aligned across operands, as broadcasting)."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        inputs, output = subscripts.split("->")
    else:
        inputs, output = subscripts, None
    terms = inputs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum: the subscripts name {len(terms)} operands but {len(ndims)} were given. "
                         f"Received: subscripts={subscripts!r}")
    used = set(subscripts) - set(".,->")
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    n_ellipsis = max([nd - len(t.replace("...", "")) for t, nd in zip(terms, ndims) if "..." in t] or [0])
    ell = "".join(free[:n_ellipsis])
    labels = []
    for t, nd in zip(terms, ndims):
        if "..." in t:
            e = nd - len(t.replace("...", ""))
            t = t.replace("...", ell[len(ell) - e:] if e else "")
        if len(t) != nd:
            raise ValueError(f"einsum: the subscripts {t!r} do not match an operand of rank {nd}")
        labels.append(t)
    if output is None:
        counts = {}
        for t in terms:
            for c in t.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        output = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        output = output.replace("...", ell)
    return labels, output, free[n_ellipsis:]


@declare(kind="linalg")
def einsum(subscripts, *operands):
    """Einstein summation over the operands, as numpy.einsum (explicit '->' or implicit output,
    '...' broadcasting, repeated labels for diagonals).

    The gradient of operand k is itself an einsum: of g and the other operands, into operand
    k's labels. A label repeated in operand k is brought back onto the diagonal with an identity
    matrix, a label found nowhere else with a vector of ones, and axes that broadcasting
    stretched from 1 are summed back.
    """
    operands = [as_tensor(o) for o in operands]
    like = next((o for o in operands if o.data.dtype.kind == "f"), None)
    if like is not None:
        operands = [as_tensor(o.data, like=like) if o.data.dtype.kind in "biu" and not o.requires_grad
                    else o for o in operands]
    arrays = [o.data for o in operands]
    labels, output, spare = _einsum_parse(subscripts, [a.ndim for a in arrays])
    y = xp.asarray(xp.einsum(subscripts, *arrays, optimize=len(arrays) > 2))
    sizes = {}
    for t, a in zip(labels, arrays):
        for c, n in zip(t, a.shape):
            if n != 1 or c not in sizes:
                sizes[c] = n

    def vjp(g):
        grads = []
        for k, (t, a) in enumerate(zip(labels, arrays)):
            if not operands[k].requires_grad:
                grads.append(None)
                continue
            terms = [output] + [s for j, s in enumerate(labels) if j != k]
            ins = [g] + [b for j, b in enumerate(arrays) if j != k]
            present = set("".join(terms))
            fresh = iter(spare)
            target, seen = "", set()
            for c in t:
                if c in seen:  # a repeated label: the diagonal of a new pair of axes
                    c2 = next(fresh)
                    terms.append(c + c2)
                    ins.append(xp.eye(sizes[c], dtype=g.dtype))
                    target += c2
                    continue
                seen.add(c)
                if c not in present:  # a label of this operand alone: the gradient is constant along it
                    terms.append(c)
                    ins.append(xp.ones(sizes[c], dtype=g.dtype))
                    present.add(c)
                target += c
            gk = xp.einsum(",".join(terms) + "->" + target, *ins, optimize=len(ins) > 2)
            if gk.shape != a.shape:  # a label of size 1 elsewhere: the gradient is constant along it
                gk = xp.broadcast_to(gk, xp.broadcast_shapes(gk.shape, a.shape))
            stretched = tuple(i for i, n in enumerate(a.shape) if n == 1 and gk.shape[i] != 1)
            if stretched:
                gk = gk.sum(axis=stretched, keepdims=True)
            grads.append(gk)
        return tuple(grads)

    return attach(y, tuple(operands), vjp, "einsum")


# ---- compositions ---------------------------------------------------------------------------


def _tensordot_axes(axes, nd1, nd2):
    """`axes` of tensordot (an int N or a pair of axis lists) as two lists of non-negative axes."""
    if isinstance(axes, Tensor):
        axes = axes.data.tolist()
    if isinstance(axes, xp.ndarray):
        axes = axes.tolist()
    if isinstance(axes, int):
        if axes < 0 or axes > min(nd1, nd2):
            raise ValueError(f"tensordot: axes must be between 0 and the smaller rank. Received: axes={axes}")
        return list(range(nd1 - axes, nd1)), list(range(axes))
    first, second = axes
    first = [first] if isinstance(first, int) else list(first)
    second = [second] if isinstance(second, int) else list(second)
    if len(first) != len(second):
        raise ValueError(f"tensordot: the two axis lists must have the same length. Received: axes={axes}")
    return [a % nd1 for a in first], [a % nd2 for a in second]


def tensordot(x1, x2, axes=2):
    """Sum of products over the last `axes` axes of x1 and the first of x2, or over the axis
    lists `axes=(axes_of_x1, axes_of_x2)`: a composition (an einsum), differentiable through it."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    first, second = _tensordot_axes(axes, x1.ndim, x2.ndim)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if x1.ndim + x2.ndim > len(letters):
        raise ValueError("tensordot: the operands have too many axes together (52 at most)")
    s1 = letters[:x1.ndim]
    s2 = list(letters[x1.ndim:x1.ndim + x2.ndim])
    for a, b in zip(first, second):
        if x1.shape[a] != x2.shape[b]:
            raise ValueError(f"tensordot: axis {a} of x1 ({x1.shape[a]}) and axis {b} of x2 "
                             f"({x2.shape[b]}) differ. Received shapes: {x1.shape} and {x2.shape}")
        s2[b] = s1[a]
    s2 = "".join(s2)
    out = "".join(c for i, c in enumerate(s1) if i not in first) + \
        "".join(c for i, c in enumerate(s2) if i not in second)
    return einsum(f"{s1},{s2}->{out}", x1, x2)


# ---- results without gradient ---------------------------------------------------------------


@declare(kind="linalg", differentiable=False)
def matrix_rank(a, tol=None):
    """The number of singular values of a (..., m, n) above tol (None: max(s) * max(m, n) * eps)."""
    a = _float_tensor("matrix_rank", a)
    s = xp.linalg.svd(a.data, compute_uv=False)
    if tol is None:
        tol = xp.max(s, axis=-1, keepdims=True) * max(a.shape[-2:]) * xp.finfo(s.dtype).eps
    else:
        tol = xp.asarray(tol.data if isinstance(tol, Tensor) else tol)[..., None]
    return as_tensor(xp.sum(s > tol, axis=-1))


@declare(kind="linalg", differentiable=False)
def lu_factor(a):
    """(lu, pivots): LU factorization with partial pivoting of a (..., m, n), as LAPACK's getrf.

    lu holds L below the diagonal (unit diagonal implied) and U on and above it; row i was
    exchanged with row pivots[i] (0-based), in order, so that P a = L U.
    """
    a = _float_tensor("lu_factor", a)
    if a.ndim < 2:
        raise ValueError(f"lu_factor: expected a matrix of shape (..., m, n). Received shape: {a.shape}")
    lu = a.data.copy()
    m, n = lu.shape[-2:]
    k = min(m, n)
    pivots = xp.zeros(lu.shape[:-2] + (k,), dtype="int32")
    batch = xp.indices(lu.shape[:-2]) if lu.ndim > 2 else ()
    batch = tuple(batch)
    for j in range(k):
        p = j + xp.argmax(xp.abs(lu[..., j:, j]), axis=-1)
        pivots[..., j] = p
        row_j = lu[..., j, :].copy()
        lu[..., j, :] = lu[batch + (p,)] if batch else lu[p]
        if batch:
            lu[batch + (p,)] = row_j
        else:
            lu[p] = row_j
        pivot = lu[..., j, j]
        safe = xp.where(pivot == 0, 1, pivot)
        lu[..., j + 1:, j] = xp.where(pivot[..., None] == 0, 0, lu[..., j + 1:, j] / safe[..., None])
        lu[..., j + 1:, j + 1:] -= lu[..., j + 1:, j, None] * lu[..., j, None, j + 1:]
    return as_tensor(lu), as_tensor(pivots)


@declare(kind="linalg", differentiable=False)
def eig(a):
    """(w, v): the (complex) eigenvalues (..., n) and unit eigenvectors (columns, (..., n, n)) of a
    general square a; complex64 for float32 input, complex128 for float64. No gradient."""
    a = _float_tensor("eig", a)
    _square("eig", a)
    w, v = xp.linalg.eig(a.data)
    dtype = "complex64" if a.data.dtype.itemsize <= 4 else "complex128"
    return as_tensor(w.astype(dtype)), as_tensor(v.astype(dtype))
