"""Rearranging ops: flips, rolls, repeats and other moves of elements.

Each op only moves (or copies) elements, so its vjp moves the gradient back the
other way: a flip is undone by the same flip, a roll by the opposite roll, and a
repeat by summing the gradients of the copies of each element.
"""
from ..backend import xp
from ..tensor import as_tensor, attach
from . import reduce as _R
from . import shape as _S
from .second_order import getitem_adjoint, rule
from .table import declare


def _axes(axis, ndim, op):
    """`axis` (None, int or sequence) as a tuple of non-negative axes; None means all."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) or getattr(axis, "ndim", 1) == 0 else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor of rank {ndim}")
        out.append(a % ndim)
    return tuple(out)


@declare(kind="shape")
def flip(x, axis=None):
    """y = x with the order of elements reversed along `axis` (every axis when None).

    dx = g flipped along the same axes.
    """
    x = as_tensor(x)
    axes = _axes(axis, x.ndim, "flip")
    y = xp.flip(x.data, axis=axes) if axes else x.data
    return attach(y, (x,), lambda g: (xp.flip(g, axis=axes) if axes else g,), "flip", axes)


@rule("flip")
def _flip_rule(g, out, parents, params):
    return (flip(g, params) if params else g,)


@declare(kind="shape")
def roll(x, shift, axis=None):
    """y = x shifted cyclically by `shift` places along `axis` (of the flattened x when None):
    y[(i + shift) mod n] = x[i]. `shift` and `axis` may be matching sequences.

    dx = g rolled by -shift.
    """
    x = as_tensor(x)
    if isinstance(shift, (list, tuple)):
        shift = tuple(int(s) for s in shift)
        back = tuple(-s for s in shift)
    else:
        shift = int(shift)
        back = -shift
    y = xp.roll(x.data, shift, axis=axis)
    return attach(y, (x,), lambda g: (xp.roll(g, back, axis=axis),), "roll", (back, axis))


@rule("roll")
def _roll_rule(g, out, parents, params):
    back, axis = params
    return (roll(g, back, axis),)


@declare(kind="shape")
def repeat(x, repeats, axis=None):
    """y = each element of x repeated `repeats` times along `axis` (of the flattened x when None).

    `repeats` is one count or one count per element of the axis.
    Shapes: x (..., n, ...) -> y (..., sum(repeats), ...).
    dx = the gradients of each element's copies summed.
    """
    x = as_tensor(x)
    source = x.data.reshape(-1) if axis is None else x.data
    axis = 0 if axis is None else int(axis) % source.ndim
    n = source.shape[axis]
    counts = xp.asarray(repeats.data if hasattr(repeats, "data") else repeats)
    if counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
        raise ValueError(f"repeat: repeats must be non-negative integers. Received: repeats={repeats}")
    if counts.ndim > 1 or counts.size not in (1, n):
        raise ValueError(
            f"repeat: repeats must be one count or one per element of axis {axis} (size {n}). "
            f"Received: repeats={counts.tolist()}"
        )
    counts = counts.reshape(-1)
    y = xp.repeat(source, counts, axis=axis)

    def vjp(g):
        if counts.size == 1:  # copies of element i sit together: fold them into a new axis and sum
            r = int(counts[0])
            dx = g.reshape(source.shape[:axis] + (n, r) + source.shape[axis + 1:]).sum(axis=axis + 1)
        else:
            dx = xp.zeros(source.shape, dtype=g.dtype)
            origin = xp.repeat(xp.arange(n), counts)
            xp.add.at(dx, (slice(None),) * axis + (origin,), g)
        return (dx.reshape(x.shape),)

    return attach(y, (x,), vjp, "repeat", (counts, axis, source.shape))


@rule("repeat")
def _repeat_rule(g, out, parents, params):
    counts, axis, source_shape = params
    n = source_shape[axis]
    if counts.size == 1:
        folded = _S.reshape(g, source_shape[:axis] + (n, int(counts[0])) + source_shape[axis + 1:])
        dx = _R.sum(folded, axis=axis + 1)
    else:
        dx = getitem_adjoint(g, source_shape, (slice(None),) * axis + (xp.repeat(xp.arange(n), counts),))
    return (_S.reshape(dx, parents[0].shape),)


@declare(kind="shape")
def copy(x):
    """y = a copy of x in an array of its own. dx = g."""
    x = as_tensor(x)
    return attach(x.data.copy(), (x,), lambda g: (g,), "copy")


@rule("copy")
def _copy_rule(g, out, parents, params):
    return (g,)
