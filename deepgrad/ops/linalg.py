"""Matrix products."""
from ..backend import xp
from ..tensor import Tensor, as_tensor, attach
from .elementwise import unbroadcast


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
            ga = unbroadcast(xp.matmul(g2, xp.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if b.requires_grad:
            gb = unbroadcast(xp.matmul(xp.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
        return ga, gb

    return attach(y, (a, b), vjp, "matmul")
