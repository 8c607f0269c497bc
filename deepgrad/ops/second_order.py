"""Gradients of gradients: each op's vjp written again with differentiable ops.

An op's vjp (beside its forward) computes on arrays and records nothing: fast, and
all that one backward pass needs. For a second derivative (a tape inside a tape,
WGAN-GP's gradient penalty, a Hessian-vector product) the backward pass itself must
be recorded, so run_backward(create_graph=True) calls these rules instead:

    rule(g, out, parents, params) -> one Tensor (or None) per parent

with g the gradient of the output (a Tensor that may carry a graph), out the
op's output, parents its inputs and params what the op kept (an axis, a slope).
Each rule is the op's vjp formula in Tensor ops, so its result differentiates
again. The ops without a rule here raise NotImplementedError in that mode.
"""
from ..backend import xp
from ..tensor import SECOND_ORDER, Tensor, attach
from . import conv as C
from . import elementwise as E
from . import linalg as L
from . import reduce as R
from . import shape as S
from .table import declare


def rule(*names):
    """Decorator: fn(g, out, parents, params) is the vjp of the ops `names` written in differentiable
    ops, one Tensor (or None) per parent (used for gradients of gradients)."""
    def register(fn):
        for name in names:
            SECOND_ORDER[name] = fn
        return fn

    return register


def _const(array):
    """An array as a Tensor that needs no gradient (a mask, a sign)."""
    return Tensor(array)


def _sum_to(g, shape):
    """Sum `g` over the axes broadcasting added or stretched, giving `shape` (unbroadcast, differentiable)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = R.sum(g, axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = R.sum(g, axis=stretched, keepdims=True)
    return g


def _each(parents, *grads):
    """The gradients, None for a parent that needs none."""
    return tuple(gr() if p.requires_grad else None for p, gr in zip(parents, grads))


# ---------------------------------------------------------------------------- elementwise


@rule("add")
def _add(g, out, parents, params):
    a, b = parents
    return _each(parents, lambda: _sum_to(g, a.shape), lambda: _sum_to(g, b.shape))


@rule("sub")
def _sub(g, out, parents, params):
    a, b = parents
    return _each(parents, lambda: _sum_to(g, a.shape), lambda: _sum_to(E.neg(g), b.shape))


@rule("mul")
def _mul(g, out, parents, params):
    a, b = parents
    return _each(parents, lambda: _sum_to(E.mul(g, b), a.shape), lambda: _sum_to(E.mul(g, a), b.shape))


@rule("div")
def _div(g, out, parents, params):
    a, b = parents
    return _each(parents, lambda: _sum_to(E.div(g, b), a.shape),
                 lambda: _sum_to(E.neg(E.div(E.mul(g, out), b)), b.shape))


@rule("pow")
def _pow(g, out, parents, params):
    a, b = parents

    def d_exponent():
        log_a = E.log(E.where(a.data > 0, a, 1.0))
        return _sum_to(E.mul(E.mul(g, out), log_a), b.shape)

    return _each(parents, lambda: _sum_to(E.mul(E.mul(g, b), E.pow(a, E.sub(b, 1))), a.shape), d_exponent)


@rule("neg")
def _neg(g, out, parents, params):
    return (E.neg(g),)


@rule("cast")
def _cast(g, out, parents, params):
    return (E.cast(g, parents[0].data.dtype),)


@rule("exp")
def _exp(g, out, parents, params):
    return (E.mul(g, out),)


@rule("log")
def _log(g, out, parents, params):
    return (E.div(g, parents[0]),)


@rule("sqrt")
def _sqrt(g, out, parents, params):
    return (E.div(g, E.mul(out, 2.0)),)


@rule("square")
def _square(g, out, parents, params):
    return (E.mul(E.mul(g, parents[0]), 2.0),)


@rule("abs")
def _abs(g, out, parents, params):
    return (E.mul(g, _const(xp.sign(parents[0].data))),)


@rule("tanh")
def _tanh(g, out, parents, params):
    return (E.mul(g, E.sub(1.0, E.square(out))),)


@rule("sigmoid")
def _sigmoid(g, out, parents, params):
    return (E.mul(g, E.mul(out, E.sub(1.0, out))),)


@rule("relu")
def _relu(g, out, parents, params):
    return (E.mul(g, _const(parents[0].data > 0)),)


@rule("leaky_relu")
def _leaky_relu(g, out, parents, params):
    return (E.where(parents[0].data > 0, g, E.mul(g, params)),)


@rule("elu")
def _elu(g, out, parents, params):
    return (E.where(parents[0].data > 0, g, E.mul(g, E.add(out, params))),)


@rule("softplus")
def _softplus(g, out, parents, params):
    return (E.mul(g, E.sigmoid(parents[0])),)


@rule("swish")
def _swish(g, out, parents, params):
    s = E.sigmoid(parents[0])
    return (E.mul(g, E.add(s, E.mul(out, E.sub(1.0, s)))),)


@rule("clip")
def _clip(g, out, parents, params):
    x, (low, high) = parents[0].data, params
    inside = xp.ones(x.shape, dtype=bool)
    if low is not None:
        inside &= x >= low
    if high is not None:
        inside &= x <= high
    return (E.mul(g, _const(inside)),)


def _select(g, parents, a_wins):
    """All of g to the winner, half to each on a tie (maximum's and minimum's vjp)."""
    a, b = parents
    weight = xp.where(a.data == b.data, 0.5, a_wins).astype(g.dtype)
    return _each(parents, lambda: _sum_to(E.mul(g, _const(weight)), a.shape),
                 lambda: _sum_to(E.mul(g, _const(1 - weight)), b.shape))


@rule("maximum")
def _maximum(g, out, parents, params):
    return _select(g, parents, parents[0].data > parents[1].data)


@rule("minimum")
def _minimum(g, out, parents, params):
    return _select(g, parents, parents[0].data < parents[1].data)


@rule("where")
def _where(g, out, parents, params):
    a, b = parents
    return _each(parents, lambda: _sum_to(E.where(params, g, 0.0), a.shape),
                 lambda: _sum_to(E.where(params, 0.0, g), b.shape))


# ---------------------------------------------------------------------------- reductions and shapes


def _restore(g, axes, keepdims):
    """A reduction's gradient with the reduced axes back, as size 1."""
    if keepdims:
        return g
    shape, kept = [], iter(g.shape)
    for i in range(g.ndim + len(axes)):
        shape.append(1 if i in axes else next(kept))
    return S.reshape(g, tuple(shape))


@rule("sum")
def _sum(g, out, parents, params):
    (x,), (axes, keepdims) = parents, params
    return (S.broadcast_to(_restore(g, axes, keepdims), x.shape),)


@rule("mean")
def _mean(g, out, parents, params):
    (x,), (axes, keepdims) = parents, params
    n = 1
    for a in axes:
        n *= x.shape[a]
    return (S.broadcast_to(E.div(_restore(g, axes, keepdims), float(n)), x.shape),)


@rule("reshape", "expand_dims", "squeeze")
def _reshape(g, out, parents, params):
    return (S.reshape(g, parents[0].shape),)


@rule("transpose")
def _transpose(g, out, parents, params):
    return (S.transpose(g, params),)


@rule("broadcast_to")
def _broadcast_to(g, out, parents, params):
    return (_sum_to(g, parents[0].shape),)


@rule("concat")
def _concat(g, out, parents, params):
    axis, start, grads = params, 0, []
    for p in parents:
        index = [slice(None)] * g.ndim
        index[axis] = slice(start, start + p.shape[axis])
        start += p.shape[axis]
        grads.append(S.getitem(g, tuple(index)) if p.requires_grad else None)
    return tuple(grads)


@rule("stack")
def _stack(g, out, parents, params):
    grads = []
    for i, p in enumerate(parents):
        index = [slice(None)] * g.ndim
        index[params] = i
        grads.append(S.getitem(g, tuple(index)) if p.requires_grad else None)
    return tuple(grads)


@rule("getitem")
def _getitem(g, out, parents, params):
    return (getitem_adjoint(g, parents[0].shape, params),)


@declare(kind="indexing")
def getitem_adjoint(g, shape, index):
    """zeros(shape) with g placed (summed for repeats) at `index`: getitem's vjp as an op.

    Shapes: g has the shape of x[index] for an x of `shape`; the result has `shape`.
    Its own vjp (and second-order rule) takes the gradient back at `index`.
    """
    dx = xp.zeros(shape, dtype=g.data.dtype)
    xp.add.at(dx, index, g.data)
    return attach(dx, (g,), lambda gg: (gg[index],), "getitem_adjoint", index)


@rule("getitem_adjoint")
def _scatter_rule(g, out, parents, params):
    return (S.getitem(g, params),)


# ---------------------------------------------------------------------------- products


@rule("matmul")
def _matmul(g, out, parents, params):
    a, b = parents
    a2 = a if a.ndim > 1 else S.expand_dims(a, 0)
    b2 = b if b.ndim > 1 else S.expand_dims(b, -1)
    g2 = g
    if b.ndim == 1:
        g2 = S.expand_dims(g2, -1)
    if a.ndim == 1:
        g2 = S.expand_dims(g2, -2)
    return _each(
        parents,
        lambda: S.reshape(_sum_to(L.matmul(g2, S.swapaxes(b2, -1, -2)), a2.shape), a.shape),
        lambda: S.reshape(_sum_to(L.matmul(S.swapaxes(a2, -1, -2), g2), b2.shape), b.shape),
    )


@rule("dense_bias_act")
def _dense_bias_act(g, out, parents, params):
    x, kernel = parents[0], parents[1]
    gz = E.mul(g, _const(out.data > 0)) if params else g
    grads = [
        L.matmul(gz, S.transpose(kernel)) if x.requires_grad else None,
        L.matmul(S.transpose(x), gz) if kernel.requires_grad else None,
    ]
    if len(parents) == 3:
        grads.append(R.sum(gz, axis=0) if parents[2].requires_grad else None)
    return tuple(grads)


# ---------------------------------------------------------------------------- convolutions


@rule("conv2d", "conv2d_bias_act")
def _conv2d(g, out, parents, params):
    """conv2d = patches(x) @ k2, so dk = patches(x)^T @ g2, dx = patches_adjoint(g2 @ k2^T), db = sum(g2)."""
    strides, dilation, pads, relu = params
    x, kernel = parents[0], parents[1]
    kh, kw, c, f = kernel.shape
    gz = E.mul(g, _const(out.data > 0)) if relu else g
    g2 = S.reshape(gz, (-1, f))
    k2 = S.reshape(kernel, (kh * kw * c, f))
    grads = [
        C.patches_adjoint(L.matmul(g2, S.transpose(k2)), x.shape, (kh, kw), strides, dilation, pads)
        if x.requires_grad else None,
        S.reshape(L.matmul(S.transpose(C.patches(x, (kh, kw), strides, dilation, pads)), g2), kernel.shape)
        if kernel.requires_grad else None,
    ]
    if len(parents) == 3:
        grads.append(R.sum(g2, axis=0) if parents[2].requires_grad else None)
    return tuple(grads)


@rule("patches")
def _patches(g, out, parents, params):
    return (C.patches_adjoint(g, *params),)


@rule("patches_adjoint")
def _patches_adjoint(g, out, parents, params):
    return (C.patches(g, *params[1:]),)


# ---------------------------------------------------------------------------- nn


@rule("softmax")
def _softmax(g, out, parents, params):
    gy = E.mul(g, out)
    return (E.sub(gy, E.mul(out, R.sum(gy, axis=params, keepdims=True))),)


@rule("log_softmax")
def _log_softmax(g, out, parents, params):
    return (E.sub(g, E.mul(E.exp(out), R.sum(g, axis=params, keepdims=True))),)


@rule("binary_cross_entropy_with_logits")
def _bce_logits(g, out, parents, params):
    logits, labels = parents
    return _each(parents, lambda: _sum_to(E.mul(g, E.sub(E.sigmoid(logits), labels)), logits.shape),
                 lambda: _sum_to(E.neg(E.mul(g, logits)), labels.shape))


@rule("dropout")
def _dropout(g, out, parents, params):
    return (E.mul(g, _const(params)),)
