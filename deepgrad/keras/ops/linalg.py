"""keras.ops.linalg (and the top-level keras.ops cdist and logdet) on deepgrad's linalg ops
(deepgrad/ops/linalg.py), with Keras 3's signatures and its torch backend's results and dtypes.

Differentiable where Keras' are, for the cases each op's docstring in deepgrad/ops/linalg.py
states (nonsingular, positive-definite or distinct-spectrum inputs). eig, lu_factor and
matrix_rank give no gradient here; jvp computes J t one output element at a time (exact, and
meant for small outputs).
"""
from ...backend import floatx, xp
from ...ops import elementwise as _ew
from ...ops import linalg as _la
from ...ops import reduce as _reduce
from ...ops import shape as _shape
from ...tensor import Tensor, as_tensor
from . import names as _names
from .common import axis_tuple, result_type, to_tensor, unimplemented
from .numpy_linalg import narrowed_type


def _float(x, name):
    """`x` as a float tensor of rank >= 2 (Keras' torch backend refuses other dtypes here)."""
    x = to_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a float tensor. Received: dtype={x.dtype.name}")
    if x.ndim < 2:
        raise ValueError(f"{name}: expected a tensor of rank >= 2. Received shape: {x.shape}")
    return x


def _common(a, b, name):
    a, b = to_tensor(a), to_tensor(b)
    dtype = result_type(a, b)
    if xp.dtype(dtype).kind != "f":
        dtype = floatx()
    return _float(to_tensor(a, dtype), name), to_tensor(b, dtype)


def cholesky(x, upper=False):
    """The Cholesky factor of a symmetric positive-definite x: lower L with x = L L^T,
    or (upper=True) U = L^T with x = U^T U."""
    factor = _la.cholesky(_float(x, "cholesky"))
    return _shape.swapaxes(factor, -1, -2) if upper else factor


def cholesky_inverse(x, upper=False):
    """The inverse of the SPD matrix whose Cholesky factor is x (lower, or upper when upper=True):
    (L L^T)^-1 = L^-T L^-1, or (U^T U)^-1 = U^-1 U^-T."""
    x = _float(x, "cholesky_inverse")
    eye = as_tensor(xp.broadcast_to(xp.eye(x.shape[-1], dtype=x.dtype), x.shape))
    inverse = _la.triangular_solve(x, eye, lower=not upper)
    if upper:
        return _la.matmul(inverse, _shape.swapaxes(inverse, -1, -2))
    return _la.matmul(_shape.swapaxes(inverse, -1, -2), inverse)


def det(x):
    """The determinant of a square (batch of) matrices."""
    return _la.det(_float(x, "det"))


def eig(x):
    """(eigenvalues, eigenvectors) of a general square matrix, complex64 (complex128 for float64).
    No gradient."""
    return _la.eig(_float(x, "eig"))


def eigh(x):
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix (lower triangle read)."""
    return _la.eigh(_float(x, "eigh"))


def inv(x):
    """The inverse of a square (batch of) nonsingular matrices."""
    return _la.inv(_float(x, "inv"))


def lu_factor(x):
    """(lu, pivots) of the LU factorization with partial pivoting; pivots are 0-based int32.
    No gradient."""
    return _la.lu_factor(_float(x, "lu_factor"))


def matrix_rank(x, tol=None):
    """The number of singular values above `tol` (default: max(s) * max(m, n) * eps), as int32."""
    return _ew.cast(_la.matrix_rank(_float(x, "matrix_rank"), tol), "int32")


def _moved(x, axes):
    """x with the two `axes` moved to the end, in that order."""
    rest = [i for i in range(x.ndim) if i not in axes]
    return _shape.transpose(x, rest + list(axes))


def _safe_sqrt(s):
    """sqrt(s) with a zero gradient where s == 0 (the subgradient torch's norm takes)."""
    zero = _ew.equal(s, 0)
    root = _ew.sqrt(_ew.where(zero, 1, s))
    return _ew.where(zero, 0, root)


def _vector_norm(x, ord, axes, keepdims):
    a = _ew.abs(x)
    if ord is None or ord == 2:
        return _safe_sqrt(_reduce.sum(_ew.square(x), axis=axes, keepdims=keepdims))
    if ord == float("inf"):
        return _reduce.max(a, axis=axes, keepdims=keepdims)
    if ord == float("-inf"):
        return _reduce.min(a, axis=axes, keepdims=keepdims)
    if ord == 0:
        count = xp.sum(x.data != 0, axis=axes, keepdims=keepdims)
        return as_tensor(xp.asarray(count, dtype=x.dtype))
    if ord == 1:
        return _reduce.sum(a, axis=axes, keepdims=keepdims)
    p = float(ord)
    return _ew.pow(_reduce.sum(_ew.pow(a, p), axis=axes, keepdims=keepdims), 1.0 / p)


def _matrix_norm(x, ord, axes, keepdims):
    row, col = axes
    if ord in (None, "fro", "nuc", 2, -2):
        if ord in (None, "fro"):
            out = _safe_sqrt(_reduce.sum(_ew.square(x), axis=axes))
        else:
            s = _la.svd(_moved(x, axes), compute_uv=False)
            if ord == "nuc":
                out = _reduce.sum(s, axis=-1)
            else:
                out = (_reduce.max if ord == 2 else _reduce.min)(s, axis=-1)
    elif ord in (1, -1, float("inf"), float("-inf")):
        a = _ew.abs(x)
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        sums = _reduce.sum(a, axis=summed, keepdims=True)
        out = (_reduce.max if ord in (1, float("inf")) else _reduce.min)(sums, axis=other, keepdims=True)
        out = _shape.squeeze(out, axis=tuple(sorted(axes)))
    else:
        raise ValueError(f"norm: invalid ord for a matrix norm. Received: ord={ord!r}")
    if keepdims:
        out = _shape.expand_dims(_shape.expand_dims(out, min(axes)), max(axes))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector norm (one axis, or all of a 1-D input) or matrix norm (two axes, or a 2-D input).

    ord for vectors: None/2, 1, inf, -inf, 0 (count) or any p; for matrices: None/'fro', 'nuc',
    1, -1, 2, -2, inf, -inf. axis=None with ord=None: the 2-norm of all elements.
    The result is float (float32 for integer and float64 inputs, as Keras on torch).
    """
    x = to_tensor(x)
    dtype = floatx() if x.dtype.name == "int64" else narrowed_type(x, float)
    x = to_tensor(x, dtype)
    axes = axis_tuple(axis, x.ndim)
    if axes is None:
        if ord is None:
            out = _vector_norm(_shape.reshape(x, (-1,)), None, 0, False)
            return _shape.reshape(out, (1,) * x.ndim) if keepdims else out
        if x.ndim not in (1, 2):
            raise ValueError(f"norm: with ord set and axis=None the input must be 1-D or 2-D. "
                             f"Received shape: {x.shape}")
        axes = tuple(range(x.ndim))
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: axis must name one or two axes. Received: axis={axis}")


def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse; singular values at or below rcond * max(s) count as zero
    (rcond None: max(m, n) * eps)."""
    return _la.pinv(_float(x, "pinv"), rcond)


def qr(x, mode="reduced"):
    """(q, r) with x = q r; mode 'reduced' or 'complete'."""
    if mode not in ("reduced", "complete"):
        raise ValueError("`mode` argument value not supported. Expected one of {'reduced', 'complete'}. "
                         f"Received: mode={mode}")
    return _la.qr(_float(x, "qr"), mode)


def solve(a, b):
    """x with a x = b; b (..., M) (a vector per matrix) or (..., M, N)."""
    a, b = _common(a, b, "solve")
    return _la.solve(a, b)


def solve_triangular(a, b, lower=False):
    """x with T x = b for T the lower (lower=True) or upper triangle of a; b (..., M) or (..., M, N)."""
    a, b = _common(a, b, "solve_triangular")
    if b.ndim == a.ndim - 1:
        return _shape.squeeze(_la.triangular_solve(a, _shape.expand_dims(b, -1), lower=lower), -1)
    return _la.triangular_solve(a, b, lower=lower)


def svd(x, full_matrices=True, compute_uv=True):
    """(u, s, vh) with x = u diag(s) vh (s descending), or s alone when not compute_uv."""
    return _la.svd(_float(x, "svd"), full_matrices=full_matrices, compute_uv=compute_uv)


def lstsq(a, b, rcond=None):
    """The least-squares solution x of a x = b (minimum norm when a is rank-deficient):
    x = pinv(a, rcond) b; b (M,) or (M, K). Gradient for a of constant rank."""
    a, b = _common(a, b, "lstsq")
    if b.ndim == a.ndim - 1:
        return _shape.squeeze(_la.matmul(_la.pinv(a, rcond), _shape.expand_dims(b, -1)), -1)
    return _la.matmul(_la.pinv(a, rcond), b)


def cdist(x, y):
    """Euclidean distances between the rows: x (..., m, d), y (..., n, d) -> (..., m, n).
    Batch axes broadcast; the gradient at a zero distance is zero."""
    x, y = to_tensor(x), to_tensor(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError("`cdist` inputs must have rank >= 2")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError("Last dimension of inputs to `cdist` must match")
    dtype = result_type(x, y)
    if xp.dtype(dtype).kind != "f":
        dtype = floatx()
    x, y = to_tensor(x, dtype), to_tensor(y, dtype)
    diff = _ew.sub(_shape.expand_dims(x, -2), _shape.expand_dims(y, -3))
    return _safe_sqrt(_reduce.sum(_ew.square(diff), axis=-1))


def logdet(x):
    """log(det x): NaN where the determinant is negative, -inf where it is zero. The gradient is
    x^-T (x nonsingular)."""
    sign, logabs = _la.slogdet(_float(x, "logdet"))
    with xp.errstate(invalid="ignore", divide="ignore"):
        shift = xp.log(sign.data)
    return _ew.add(logabs, as_tensor(shift.astype(logabs.dtype)))


def jvp(fun, primals, tangents, has_aux=False):
    """(fun(*primals), J t): the Jacobian-vector product of `fun` at `primals` along `tangents`
    (with has_aux, fun returns (output, aux) and the result is (output, J t, aux)).

    Computed in reverse mode one output element at a time, J t[i] = <d out[i] / d primals, t>:
    exact, and as costly as one backward pass per output element.
    """
    from ...tape import GradientTape

    primals = [to_tensor(p) for p in primals]
    tangents = [to_tensor(t, p.dtype.name) for p, t in zip(primals, tangents)]
    with GradientTape(persistent=True) as tape:
        for p in primals:
            tape.watch(p)
        result = fun(*primals)
    out, aux = result if has_aux else (result, None)
    flat = list(out) if isinstance(out, (tuple, list)) else [out]
    pieces = []
    for o in flat:
        column = xp.zeros(o.data.size, dtype=o.dtype)
        basis = xp.zeros(o.shape, dtype=o.dtype)
        for i in range(o.data.size):
            basis.reshape(-1)[:] = 0
            basis.reshape(-1)[i] = 1
            grads = tape.gradient(o, primals, output_gradients=Tensor(basis.copy()))
            column[i] = sum(float(xp.sum(g.data * t.data)) for g, t in zip(grads, tangents) if g is not None)
        pieces.append(as_tensor(column.reshape(o.shape)))
    tangent_out = type(out)(pieces) if isinstance(out, (tuple, list)) else pieces[0]
    if has_aux:
        return out, tangent_out, aux
    return out, tangent_out


__getattr__ = unimplemented(__name__, _names.PROVIDERS["linalg"])
