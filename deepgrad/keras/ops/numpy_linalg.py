"""keras.ops (numpy-style) products and matrix parts: dot, matmul, einsum, tensordot, trace,
diagonals, triangles, ... on deepgrad's linalg ops (deepgrad/ops/linalg.py).

Dtypes are those Keras 3 gives on its torch backend. The products that promote with Keras'
`result_type` (dot, matmul, tensordot, inner, vdot, cross) also narrow a 64-bit result to 32
bits, as Keras does on its non-TensorFlow backends: float64 @ float64 is float32 there, and
int8 @ int8 is int32 for matmul. einsum, outer and kron keep their inputs' common type.
"""
from ...backend import xp
from ...ops import elementwise as _ew
from ...ops import linalg as _la
from ...ops import reduce as _reduce
from ...ops import shape as _shape
from . import names as _names
from .common import result_type, to_tensor, unimplemented

_NARROW = {"float64": "float32", "int64": "int32", "uint64": "uint32", "complex128": "complex64"}


def narrowed_type(*args):
    """Keras' `result_type` on its torch/jax backends: the promoted type, 64 bits narrowed to 32."""
    out = result_type(*args)
    return _NARROW.get(out, out)


def _as(x, dtype):
    """`x` (a tensor) cast to `dtype` (differentiably for floats)."""
    return to_tensor(x, dtype)


def _pair(x1, x2, dtype):
    return _as(to_tensor(x1), dtype), _as(to_tensor(x2), dtype)


def matmul(x1, x2):
    """The matrix product of x1 and x2, batched and broadcast over leading axes as NumPy's matmul.

    A 1-D operand is a vector. int8 @ int8 gives int32; otherwise Keras' promoted type.
    """
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(f"matmul: operands must have rank >= 1. Received shapes: {x1.shape} and {x2.shape}")
    if x1.dtype.name == "int8" and x2.dtype.name == "int8":
        dtype = "int32"
    else:
        dtype = narrowed_type(x1, x2)
    return _la.matmul(_as(x1, dtype), _as(x2, dtype))


def dot(x1, x2):
    """The dot product: a product for a scalar operand, otherwise matmul (Keras' torch backend's
    rule: leading axes broadcast as batch axes)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = narrowed_type(x1, x2)
    x1, x2 = _as(x1, dtype), _as(x2, dtype)
    if x1.ndim == 0 or x2.ndim == 0:
        return _ew.mul(x1, x2)
    return _la.matmul(x1, x2)


def tensordot(x1, x2, axes=2):
    """Sum of products over the last `axes` axes of x1 and the first of x2, or over the axis lists
    `axes=(axes_of_x1, axes_of_x2)`."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = narrowed_type(x1, x2)
    return _la.tensordot(_as(x1, dtype), _as(x2, dtype), axes)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation, as numpy.einsum. All-int8 operands give int32."""
    operands = [to_tensor(o) for o in operands]
    names = {o.dtype.name for o in operands}
    if names == {"int8"}:
        dtype = "int32"
    else:
        dtype = result_type(*operands)
    return _la.einsum(subscripts, *[_as(o, dtype) for o in operands])


def inner(x1, x2):
    """The sum of products over the last axes: shape x1.shape[:-1] + x2.shape[:-1]
    (a product when either is a scalar)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = narrowed_type(x1, x2)
    x1, x2 = _as(x1, dtype), _as(x2, dtype)
    if x1.ndim == 0 or x2.ndim == 0:
        return _ew.mul(x1, x2)
    return _la.tensordot(x1, x2, ([-1], [-1]))


def outer(x1, x2):
    """The outer product of the flattened x1 and x2: (x1.size, x2.size)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = result_type(x1, x2)
    a = _shape.reshape(_as(x1, dtype), (-1, 1))
    b = _shape.reshape(_as(x2, dtype), (1, -1))
    return _ew.mul(a, b)


def vdot(x1, x2):
    """The dot product of the flattened x1 and x2 (a scalar)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = narrowed_type(x1, x2)
    a = _shape.reshape(_as(x1, dtype), (-1,))
    b = _shape.reshape(_as(x2, dtype), (-1,))
    if a.shape != b.shape:
        raise ValueError(f"vdot: the operands must have the same size. Received shapes: {x1.shape} and {x2.shape}")
    return _la.matmul(a, b)


def kron(x1, x2):
    """The Kronecker product: block (i, j, ...) of the result is x1[i, j, ...] * x2
    (the operands' ranks are first matched with leading axes of size 1, as NumPy)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = result_type(x1, x2)
    a, b = _as(x1, dtype), _as(x2, dtype)
    nd = max(a.ndim, b.ndim)
    a = _shape.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = _shape.reshape(b, (1,) * (nd - b.ndim) + b.shape)
    # interleave: a on even axes, b on odd axes, then merge each pair
    a = _shape.reshape(a, tuple(s for n in a.shape for s in (n, 1)))
    b = _shape.reshape(b, tuple(s for n in b.shape for s in (1, n)))
    out = _ew.mul(a, b)
    return _shape.reshape(out, tuple(p * q for p, q in zip(a.shape[::2], b.shape[1::2])))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (or 2-vectors, whose product is the z component) along
    axisa of x1 and axisb of x2, placed on axisc of the result; `axis` sets all three.
    The other axes broadcast."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = narrowed_type(x1, x2)
    a, b = _as(x1, dtype), _as(x2, dtype)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = _shape.transpose(a, _to_last(a.ndim, axisa))
    b = _shape.transpose(b, _to_last(b.ndim, axisb))
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("cross: the vectors must have 2 or 3 components. "
                         f"Received shapes: {x1.shape} and {x2.shape}")

    def part(t, i):
        if i < t.shape[-1]:
            return _shape.getitem(t, (Ellipsis, i))
        return None

    a0, a1, a2 = part(a, 0), part(a, 1), part(a, 2)
    b0, b1, b2 = part(b, 0), part(b, 1), part(b, 2)
    z = _ew.sub(_ew.mul(a0, b1), _ew.mul(a1, b0))
    if a2 is None and b2 is None:
        return z
    if a2 is None:
        x_ = _ew.mul(a1, b2)
        y_ = _ew.neg(_ew.mul(a0, b2))
    elif b2 is None:
        x_ = _ew.neg(_ew.mul(a2, b1))
        y_ = _ew.mul(a2, b0)
    else:
        x_ = _ew.sub(_ew.mul(a1, b2), _ew.mul(a2, b1))
        y_ = _ew.sub(_ew.mul(a2, b0), _ew.mul(a0, b2))
    x_, y_, z = (_shape.broadcast_to(t, xp.broadcast_shapes(x_.shape, y_.shape, z.shape)) for t in (x_, y_, z))
    out = _shape.stack([x_, y_, z], axis=-1)
    return _shape.transpose(out, _from_last(out.ndim, axisc))


def _to_last(ndim, axis):
    """The permutation that moves `axis` to the end."""
    axis = axis % ndim
    return [i for i in range(ndim) if i != axis] + [axis]


def _from_last(ndim, axis):
    """The permutation that moves the last axis to `axis`."""
    axis = axis % ndim
    order = list(range(ndim - 1))
    order.insert(axis, ndim - 1)
    return order


def slogdet(x):
    """(sign, log|det x|) of a square (batch of) matrices; the gradient flows through the log."""
    return _la.slogdet(to_tensor(x))


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The `offset` diagonal of the matrices in axes (axis1, axis2); it becomes the last axis."""
    return _la.diagonal(to_tensor(x), offset, axis1, axis2)


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum along the `offset` diagonal of axes (axis1, axis2). bool and 8/16-bit integers give int32."""
    x = to_tensor(x)
    dtype = "int32" if x.dtype.name in ("bool", "int8", "int16", "uint8") else x.dtype.name
    return _as(_reduce.sum(_as(_la.diagonal(x, offset, axis1, axis2), dtype), axis=-1), dtype)


def diag(x, k=0):
    """For a vector: the square matrix with it on the k-th diagonal. For a matrix: its k-th diagonal."""
    x = to_tensor(x)
    if x.ndim == 1:
        return _la.matrix_diag(x, k)
    if x.ndim == 2:
        return _la.diagonal(x, k, 0, 1)
    raise ValueError(f"diag: the input must be 1-D or 2-D. Received shape: {x.shape}")


def diagflat(x, k=0):
    """The square matrix with the flattened x on its k-th diagonal."""
    return _la.matrix_diag(_shape.reshape(to_tensor(x), (-1,)), k)


def _triangle(x, keep):
    x = to_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"tril/triu: the input must have rank >= 2. Received shape: {x.shape}")
    zero = to_tensor(xp.zeros((), dtype=x.dtype))
    return _ew.where(keep(x.shape[-2], x.shape[-1]), x, zero)


def tril(x, k=0):
    """x with the entries above its k-th diagonal set to zero (over the last two axes)."""
    return _triangle(x, lambda n, m: _la.band_mask(n, m, None, k))


def triu(x, k=0):
    """x with the entries below its k-th diagonal set to zero (over the last two axes)."""
    return _triangle(x, lambda n, m: _la.band_mask(n, m, -k, None))



__getattr__ = unimplemented(__name__, _names.PROVIDERS["numpy_linalg"])
