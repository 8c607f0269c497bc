"""tf.linalg: matrix products, inverses and determinants, linear systems, decompositions, norms
and matrix parts, with TensorFlow's names, keywords and output conventions.

Thin wrappers over deepgrad's linalg ops (deepgrad/ops/linalg.py), which carry the gradients
(see each op's docstring for the inputs its gradient assumes: nonsingular, positive-definite,
distinct eigenvalues or singular values). TensorFlow's conventions kept here: `svd` returns
(s, u, v) with v not transposed and full_matrices=False by default; `qr` takes full_matrices;
`slogdet` returns (sign, log_abs_determinant); `solve` and `triangular_solve` take a matrix
right-hand side; `norm` treats the whole tensor as a vector when axis is None. Every matrix
op works on the last two axes, batched over the leading ones. `name=` is accepted and ignored.

    import deepgrad as tf
    x = tf.linalg.solve(a, b)
    s, u, v = tf.linalg.svd(a)
"""
import builtins

from . import ops
from .backend import xp
from .math import _axis, l2_normalize  # noqa: F401  (tf.linalg.l2_normalize is tf.math's)
from .ops import linalg as _la
from .missing import not_implemented
from .tensor import Tensor, as_tensor
from .tf_api import eye, matmul  # noqa: F401  (tf.linalg.eye and tf.linalg.matmul are tf's)


def _matrix(x, op):
    """`x` as a tensor of rank >= 2."""
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"tf.linalg.{op}: expected a tensor of rank >= 2 (matrices in the last two "
                         f"axes). Received shape: {x.shape}")
    return x


def _t(x):
    """The transpose of the last two axes (the adjoint, for real tensors)."""
    return ops.swapaxes(x, -1, -2)


# ----------------------------------------------------------------------------- products and parts


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """a @ b for matrices a (..., m, n) and vectors b (..., n): (..., m)."""
    a = _matrix(a, "matvec")
    if transpose_a or adjoint_a:
        a = _t(a)
    b = as_tensor(b, like=a)
    return ops.squeeze(ops.matmul(a, ops.expand_dims(b, -1)), -1)


def einsum(equation, *inputs, **kwargs):
    """Einstein summation over the inputs, as numpy.einsum (e.g. 'bij,bjk->bik')."""
    kwargs.pop("name", None)
    return _la.einsum(equation, *inputs)


def tensordot(a, b, axes, name=None):
    """Sum of products over the last `axes` axes of a and the first of b, or over the axis lists
    `axes=[axes_of_a, axes_of_b]`."""
    a = as_tensor(a)
    return _la.tensordot(a, as_tensor(b, like=a), axes)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """The transpose of the last two axes."""
    return _t(_matrix(a, "matrix_transpose"))


def adjoint(matrix, name=None):
    """The conjugate transpose of the last two axes (the transpose, for real tensors)."""
    return _t(_matrix(matrix, "adjoint"))


def trace(x, name=None):
    """The sum of the main diagonal of the last two axes: (..., m, n) -> (...)."""
    x = _matrix(x, "trace")
    return ops.sum(_la.diagonal(x, 0, -2, -1), axis=-1)


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """The k-th diagonal of the last two axes (k > 0 above the main one): (..., m, n) -> (..., d)."""
    if not isinstance(k, int):
        raise NotImplementedError(f"tf.linalg.diag_part: deepgrad takes one diagonal (an int k). Received: k={k}")
    return _la.diagonal(_matrix(input, "diag_part"), k, -2, -1)


def _embed_diagonal(values, k, num_rows, num_cols):
    """Matrices (..., num_rows, num_cols) with `values` (..., d) on their k-th diagonal, zeros
    elsewhere: an einsum with a constant one-hot, so the gradient flows back to `values`."""
    rows, cols = _la._diagonal_index(num_rows, num_cols, k)
    if values.shape[-1] != len(rows):
        raise ValueError(f"the diagonal {k} of a {num_rows}x{num_cols} matrix has {len(rows)} entries. "
                         f"Received a diagonal of shape {values.shape}")
    one_hot = xp.zeros((len(rows), num_rows, num_cols), dtype=values.dtype)
    one_hot[xp.arange(len(rows)), rows, cols] = 1
    return _la.einsum("...d,dmn->...mn", values, as_tensor(one_hot))


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT"):
    """Matrices with `diagonal` (..., d) on their k-th diagonal and `padding_value` elsewhere;
    square (d + |k|) unless num_rows / num_cols say otherwise."""
    if not isinstance(k, int):
        raise NotImplementedError(f"tf.linalg.diag: deepgrad takes one diagonal (an int k). Received: k={k}")
    diagonal = as_tensor(diagonal)
    d = diagonal.shape[-1]
    if num_rows in (-1, None) and num_cols in (-1, None):
        out = _la.matrix_diag(diagonal, k)
        num_rows = num_cols = d + abs(k)
    else:
        num_rows = d + builtins.max(0, -k) if num_rows in (-1, None) else int(num_rows)
        num_cols = d + builtins.max(0, k) if num_cols in (-1, None) else int(num_cols)
        out = _embed_diagonal(diagonal, k, num_rows, num_cols)
    if padding_value != 0:
        rows, cols = _la._diagonal_index(num_rows, num_cols, k)
        on_diagonal = xp.zeros((num_rows, num_cols), dtype=bool)
        on_diagonal[rows, cols] = True
        out = ops.where(on_diagonal, out, as_tensor(padding_value, like=out))
    return out


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """`input` with its k-th diagonal (of the last two axes) replaced by `diagonal`."""
    x = _matrix(input, "set_diag")
    if not isinstance(k, int):
        raise NotImplementedError(f"tf.linalg.set_diag: deepgrad takes one diagonal (an int k). Received: k={k}")
    m, n = x.shape[-2:]
    rows, cols = _la._diagonal_index(m, n, k)
    on_diagonal = xp.zeros((m, n), dtype=bool)
    on_diagonal[rows, cols] = True
    return ops.where(on_diagonal, _embed_diagonal(as_tensor(diagonal, like=x), k, m, n), x)


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """`input` with everything outside the band (num_lower diagonals below the main one,
    num_upper above; a negative count keeps the whole triangle) set to zero."""
    x = _matrix(input, "band_part")
    lower, upper = (None if int(n) < 0 else int(n) for n in (num_lower, num_upper))
    mask = _la.band_mask(x.shape[-2], x.shape[-1], lower, upper)
    return ops.where(mask, x, as_tensor(xp.zeros((), dtype=x.dtype)))


def cross(a, b, name=None):
    """The cross product of the 3-vectors in the last axis of a and b (leading axes broadcast)."""
    a = as_tensor(a)
    b = as_tensor(b, like=a)
    if a.shape[-1] != 3 or b.shape[-1] != 3:
        raise ValueError(f"tf.linalg.cross: the last axis must have 3 components. "
                         f"Received shapes: {a.shape} and {b.shape}")
    a0, a1, a2 = (a[..., i] for i in range(3))
    b0, b1, b2 = (b[..., i] for i in range(3))
    return ops.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)


# ----------------------------------------------------------------------------- inverses and systems


def inv(input, adjoint=False, name=None):  # noqa: A002
    """The inverse of square matrices (of their adjoint when adjoint=True)."""
    out = _la.inv(_matrix(input, "inv"))
    return _t(out) if adjoint else out


def det(input, name=None):  # noqa: A002
    """The determinant of square matrices: (..., n, n) -> (...)."""
    return _la.det(_matrix(input, "det"))


def slogdet(input, name=None):  # noqa: A002
    """(sign, log_abs_determinant) of square matrices; the gradient flows through the log."""
    return _la.slogdet(_matrix(input, "slogdet"))


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive-definite matrices: 2 sum(log(diag(cholesky)))."""
    chol = _la.cholesky(_matrix(matrix, "logdet"))
    return 2.0 * ops.sum(ops.log(_la.diagonal(chol, 0, -2, -1)), axis=-1)


def solve(matrix, rhs, adjoint=False, name=None):
    """x with matrix x = rhs (adjoint(matrix) x = rhs when adjoint=True); rhs (..., m, k)."""
    a = _matrix(matrix, "solve")
    b = _matrix(rhs, "solve")
    return _la.solve(_t(a) if adjoint else a, b)


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """x with T x = rhs, T the lower (or upper) triangle of matrix (its adjoint when adjoint=True);
    rhs (..., m, k)."""
    return _la.triangular_solve(_matrix(matrix, "triangular_solve"), _matrix(rhs, "triangular_solve"),
                                lower=lower, transpose=adjoint)


def cholesky(input, name=None):  # noqa: A002
    """The lower Cholesky factor L (L L^T = input) of symmetric positive-definite matrices."""
    return _la.cholesky(_matrix(input, "cholesky"))


def cholesky_solve(chol, rhs, name=None):
    """x with A x = rhs, given A's Cholesky factor chol (A = chol chol^T): two triangular solves."""
    chol = _matrix(chol, "cholesky_solve")
    y = _la.triangular_solve(chol, _matrix(rhs, "cholesky_solve"), lower=True)
    return _la.triangular_solve(chol, y, lower=True, transpose=True)


def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverse; singular values at or below rcond * max(s) count as zero
    (rcond None: 10 * max(m, n) * eps, as TensorFlow)."""
    a = _matrix(a, "pinv")
    if rcond is None:
        rcond = 10 * builtins.max(a.shape[-2:]) * xp.finfo(a.dtype if a.dtype.kind == "f" else "float32").eps
    return _la.pinv(a, rcond)


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """The least-squares solution x of matrix x = rhs: (..., n, k) for matrix (..., m, n) and
    rhs (..., m, k). With l2_regularizer > 0, the ridge solution (A^T A + l2 I)^-1 A^T rhs
    (A^T (A A^T + l2 I)^-1 rhs when m < n); otherwise pinv(matrix) rhs (minimum norm)."""
    a = _matrix(matrix, "lstsq")
    b = _matrix(rhs, "lstsq")
    l2 = float(l2_regularizer.item() if isinstance(l2_regularizer, Tensor) else l2_regularizer)
    if l2 == 0:
        return _la.matmul(_la.pinv(a), b)
    m, n = a.shape[-2:]
    if m >= n:
        gram = ops.add(_la.matmul(_t(a), a), as_tensor(l2 * xp.eye(n, dtype=a.dtype)))
        return _la.solve(gram, _la.matmul(_t(a), b))
    gram = ops.add(_la.matmul(a, _t(a)), as_tensor(l2 * xp.eye(m, dtype=a.dtype)))
    return _la.matmul(_t(a), _la.solve(gram, b))


# ----------------------------------------------------------------------------- decompositions


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """(q, r) with input = q r: q (..., m, k), r (..., k, n), k = min(m, n); with full_matrices,
    q (..., m, m) and r (..., m, n)."""
    return _la.qr(_matrix(input, "qr"), "complete" if full_matrices else "reduced")


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """(s, u, v) with tensor = u diag(s) v^T, s descending (..., k); u (..., m, k) and v (..., n, k)
    (m and n columns with full_matrices). Only s when not compute_uv. Note the order and that
    v is not transposed, as TensorFlow."""
    a = _matrix(tensor, "svd")
    if not compute_uv:
        return _la.svd(a, compute_uv=False)
    u, s, vh = _la.svd(a, full_matrices=full_matrices)
    return s, u, _t(vh)


def eigh(tensor, name=None):
    """(e, v): eigenvalues ascending (..., n) and eigenvectors as columns (..., n, n) of
    self-adjoint matrices (the lower triangle is read)."""
    return _la.eigh(_matrix(tensor, "eigh"))


def eigvalsh(tensor, name=None):
    """The eigenvalues, ascending, of self-adjoint matrices."""
    return _la.eigh(_matrix(tensor, "eigvalsh"))[0]


# ----------------------------------------------------------------------------- norms


def _safe_sqrt(s):
    """sqrt(s) with a zero gradient where s == 0 (as TensorFlow's norm at a zero vector... which
    gives NaN; deepgrad keeps it finite)."""
    zero = ops.equal(s, 0)
    return ops.where(zero, 0, ops.sqrt(ops.where(zero, 1, s)))


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector norm over `axis` (an int, or the whole tensor when None) or matrix norm over a pair
    of axes. ord for vectors: 'euclidean' (= 'fro' = 2), 1, np.inf or any p > 0; for matrices:
    'euclidean' / 'fro' (Frobenius), 1 (max column sum), np.inf (max row sum), 2 (largest
    singular value)."""
    x = as_tensor(tensor)
    keep = bool(keepdims)
    axes = _axis(axis)
    if isinstance(axes, tuple) and len(axes) == 1:
        axes = axes[0]
    if isinstance(axes, tuple) and len(axes) == 2:
        row, col = (a % x.ndim for a in axes)
        if ord in ("euclidean", "fro"):
            return _safe_sqrt(ops.sum(ops.square(x), axis=(row, col), keepdims=keep))
        if ord in (1, xp.inf):
            summed, other = (row, col) if ord == 1 else (col, row)
            out = ops.max(ops.sum(ops.abs(x), axis=summed, keepdims=True), axis=other, keepdims=True)
            return out if keep else ops.squeeze(out, axis=(row, col))
        if ord == 2:
            rest = [i for i in range(x.ndim) if i not in (row, col)]
            s = _la.svd(ops.transpose(x, rest + [row, col]), compute_uv=False)
            out = ops.max(s, axis=-1)
            if keep:
                out = ops.expand_dims(ops.expand_dims(out, builtins.min(row, col)), builtins.max(row, col))
            return out
        raise ValueError(f"tf.linalg.norm: a matrix norm takes ord 'euclidean', 'fro', 1, 2 or np.inf. "
                         f"Received: ord={ord!r}")
    if axes is not None and not isinstance(axes, int):
        raise ValueError(f"tf.linalg.norm: axis must be None, an int or a pair of ints. Received: axis={axis}")
    if ord in ("euclidean", "fro", 2, 2.0):
        return _safe_sqrt(ops.sum(ops.square(x), axis=axes, keepdims=keep))
    if ord in (1, 1.0):
        return ops.sum(ops.abs(x), axis=axes, keepdims=keep)
    if ord == xp.inf:
        return ops.max(ops.abs(x), axis=axes, keepdims=keep)
    if isinstance(ord, (int, float)) and ord > 0:
        return ops.pow(ops.sum(ops.pow(ops.abs(x), float(ord)), axis=axes, keepdims=keep), 1.0 / ord)
    raise ValueError(f"tf.linalg.norm: ord must be 'euclidean', 'fro', a positive number or np.inf. "
                     f"Received: ord={ord!r}")


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """(tensor / norm, norm): the norm as `norm` computes it, kept with size-1 axes."""
    x = as_tensor(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return ops.div(x, n), n


def global_norm(t_list, name=None):
    """sqrt of the sum of the squared entries of every tensor in t_list (None entries skipped)."""
    total = None
    for t in t_list:
        if t is None:
            continue
        term = ops.sum(ops.square(as_tensor(t)))
        total = term if total is None else ops.add(total, term)
    if total is None:
        return as_tensor(xp.zeros((), dtype="float32"))
    return ops.sqrt(total)


__getattr__ = not_implemented("tf.linalg")
