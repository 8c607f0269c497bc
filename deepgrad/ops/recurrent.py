"""Fused recurrent sequence ops: a whole SimpleRNN, LSTM or GRU sequence as one node.

Each op runs the recurrence over all time steps in one call, one step at a
time over the whole batch, and records a single node whose vector-Jacobian
product is backpropagation through time written out by hand: no autograd graph
per step. The layer computes the input projection for all steps in one matmul
(x_proj = inputs @ kernel + bias, shape (N, T, G*U) for G gate blocks of U
units), so the op sees only the recurrent part:

    z_t = x_proj[:, t] + (h_{t-1} * recurrent_mask) @ recurrent_kernel

The gradient of x_proj is the stacked dz_t, and the gradient of the recurrent
kernel is one product of the stacked (h_{t-1} * recurrent_mask) with the stacked
dz_t, taken after the backward loop:

    d recurrent_kernel = sum_t (h_{t-1} * rm)^T dz_t = H_prev^T (N*T, U) @ dZ (N*T, G*U)

Internally everything is time-major (T, N, ...) in processing order (reversed
for go_backwards); the forward keeps what the backward needs (states and gate
activations per step) in preallocated buffers, and every step does one
recurrent matmul forward and one backward.

Keras 3 semantics (keras/src/backend/*/rnn.py and layers/rnn/*.py):
- mask (N, T), a constant: at a masked step the states carry over unchanged and
  the output repeats the previous step's output (zeros before the first real
  step), so output_t = h_t * seen_t with seen_t = "some step <= t was real".
  Masked steps get exactly zero gradient on x_proj and on the weights.
- go_backwards: steps run T-1 ... 0; outputs come back in processing order
  (the reversed sequence), the last states are those after step 0.
- recurrent_mask: the recurrent dropout mask, constant over time: (N, U), shared
  by every gate block, or (G, N, U), one mask per gate block (what Keras 3 draws
  when recurrent_dropout > 0: 4 masks for the LSTM, 3 for the GRU, in Keras'
  gate order).

Activations come from a small table whose derivatives are written through the
outputs ("tanh", "sigmoid", "relu", "linear"/None, "hard_sigmoid", "softsign");
any other raises ValueError so a layer can fall back to a step-by-step path.
Sigmoid gates are computed as 0.5 + 0.5 tanh(z / 2), with the 1/2 folded into
the kernel columns and the input projection (an exact scaling by a power of 2):
no overflow, and for the usual (tanh, sigmoid) pair all LSTM gates take a
single tanh call per step.

Each op returns several tensors (outputs and last states); they are views of
one flat output of the single node, so the backward runs once for all of them.
float32 in, float32 out and float32 gradients.
"""
from ..backend import floatx, xp
from ..tensor import Tensor, as_tensor, attach, records
from .table import declare

# ----------------------------------------------------------------------------- activations


def _tanh(a, out):
    xp.tanh(a, out=out)


def _sigmoid(a, out):
    """sigmoid(a) = 0.5 + 0.5 tanh(a / 2): exact algebra, no overflow for any a."""
    xp.multiply(a, 0.5, out=out)
    _half_sigmoid(out, out)


def _half_sigmoid(a, out):
    """sigmoid(2a): the sigmoid of a gate whose pre-activation was halved beforehand."""
    xp.tanh(a, out=out)
    out *= 0.5
    out += 0.5


def _relu(a, out):
    xp.maximum(a, 0, out=out)


def _linear(a, out):
    if out is not a:
        xp.copyto(out, a)


def _hard_sigmoid(a, out):
    """relu6(a + 3) / 6 (Keras 3 and torch.nn.functional.hardsigmoid)."""
    xp.add(a, 3, out=out)
    xp.clip(out, 0, 6, out=out)
    out /= 6


def _softsign(a, out):
    xp.divide(a, xp.abs(a) + 1, out=out)


# Derivatives written through the output y: out = dy/dx (same dtype; out may be a view).


def _d_tanh(y, out):
    xp.multiply(y, y, out=out)
    xp.subtract(1, out, out=out)


def _d_sigmoid(y, out):
    xp.subtract(1, y, out=out)
    out *= y


def _d_relu(y, out):
    xp.greater(y, 0, out=out)


def _d_linear(y, out):
    out[...] = 1


def _d_hard_sigmoid(y, out):
    xp.copyto(out, (y > 0) & (y < 1))
    out /= 6


def _d_softsign(y, out):
    """y = x / (1 + |x|): 1 - |y| = 1 / (1 + |x|), dy/dx = (1 - |y|)^2."""
    xp.abs(y, out=out)
    xp.subtract(1, out, out=out)
    out *= out


def _derivative(name, y, out=None):
    """act'(x) from y = act(x), into `out` (a fresh array if None)."""
    if out is None:
        out = xp.empty_like(y)
    _DERIVATIVES[name](y, out)
    return out


_DERIVATIVES = {
    "tanh": _d_tanh, "sigmoid": _d_sigmoid, "relu": _d_relu, "linear": _d_linear,
    "hard_sigmoid": _d_hard_sigmoid, "softsign": _d_softsign,
}
_FORWARD = {
    "tanh": _tanh, "sigmoid": _sigmoid, "relu": _relu, "linear": _linear,
    "hard_sigmoid": _hard_sigmoid, "softsign": _softsign,
}
SUPPORTED_ACTIVATIONS = tuple(_FORWARD)


def _activation(name, op, arg):
    """The table name of an activation given as a string or None (linear), or a ValueError."""
    if name is None:
        return "linear"
    if isinstance(name, str) and name in _FORWARD:
        return name
    raise ValueError(
        f"{op}: {arg} {name!r} is not supported by the fused recurrent op; supported: "
        f"{', '.join(SUPPORTED_ACTIVATIONS)} or None. Received: {arg}={name!r}"
    )


def _gate_scale(recurrent_activation):
    """The factor folded into the pre-activation of the recurrent gates (1/2 for sigmoid)."""
    return 0.5 if recurrent_activation == "sigmoid" else 1.0


def _gate_forward(recurrent_activation):
    """In-place activation of recurrent gates whose pre-activation carries _gate_scale."""
    return _half_sigmoid if recurrent_activation == "sigmoid" else _FORWARD[recurrent_activation]


# ----------------------------------------------------------------------------- inputs


def _float_tensor(x, like=None):
    x = as_tensor(x, like=like)
    if x.data.dtype.kind != "f":
        x = as_tensor(x.data.astype(floatx()))
    return x


def _inputs(op, gates, x_proj, recurrent_kernel, states):
    """Checked tensors (x, w, states), the float dtype and (N, T, U).

    states: the initial states, each (N, U) or None (zeros, no gradient).
    """
    x = _float_tensor(x_proj)
    w = _recurrent_kernel(op, gates, recurrent_kernel, x)
    u = w.shape[0]
    if x.ndim != 3 or x.shape[2] != gates * u:
        raise ValueError(
            f"{op}: x_proj must have shape (batch, timesteps, {gates * u}) = (batch, timesteps, "
            f"{gates} * units) for a recurrent_kernel of shape {w.shape}. Received: x_proj.shape={x.shape}"
        )
    return x, w, _initial_states(op, states, x.shape[0], u, x), x.data.dtype, (x.shape[0], x.shape[1], u)


def _recurrent_kernel(op, gates, recurrent_kernel, like):
    """The recurrent kernel as a float tensor, checked to be (U, gates * U)."""
    w = _float_tensor(recurrent_kernel, like=like)
    if w.ndim != 2 or w.shape[1] != gates * w.shape[0]:
        raise ValueError(
            f"{op}: recurrent_kernel must have shape (units, {gates} * units). "
            f"Received: recurrent_kernel.shape={w.shape}"
        )
    return w


def _initial_states(op, states, n, u, x):
    """The initial states as float tensors, each (N, U); None becomes zeros (no gradient)."""
    checked = []
    for name, s in states:
        if s is None:
            checked.append(as_tensor(xp.zeros((n, u), x.data.dtype)))
            continue
        s = _float_tensor(s, like=x)
        if s.shape != (n, u):
            raise ValueError(
                f"{op}: {name} must have shape (batch, units) = {(n, u)}. Received: {name}.shape={s.shape}"
            )
        checked.append(s)
    return checked


def _array(t, dtype):
    return t.data.astype(dtype, copy=False)


def _step_mask(mask, n, t, go_backwards, dtype, op):
    """(real, keep, seen) in processing order, each (T, N, 1), or None when every step is real.

    real: 1.0 at real steps, 0.0 at masked ones (dtype); keep: bool, True at masked
    steps (the state carries over); seen: 1.0 once some step so far was real.
    """
    if mask is None:
        return None
    m = xp.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if m.shape != (n, t):
        raise ValueError(f"{op}: mask must have shape (batch, timesteps) = {(n, t)}. Received: mask.shape={m.shape}")
    m = m.astype(bool).T
    if go_backwards:
        m = m[::-1]
    if m.all():
        return None
    m = m[:, :, None]
    return m.astype(dtype), ~m, xp.logical_or.accumulate(m, axis=0).astype(dtype)


def _recurrent_mask(recurrent_mask, gates, n, u, dtype, op):
    """The recurrent dropout mask as (1, N, U) (shared) or (G, N, U) (per gate), or None."""
    if recurrent_mask is None:
        return None
    rm = xp.asarray(recurrent_mask.data if isinstance(recurrent_mask, Tensor) else recurrent_mask)
    if rm.shape == (n, u):
        rm = rm[None]
    elif rm.shape != (gates, n, u):
        raise ValueError(
            f"{op}: recurrent_mask must have shape (batch, units) = {(n, u)} (one mask for every gate) "
            f"or {(gates, n, u)} (one per gate). Received: recurrent_mask.shape={rm.shape}"
        )
    return rm.astype(dtype)


def _gate_mask(rm, k):
    """The mask of gate block k: (N, U) from a (1 or G, N, U) mask, or None."""
    return None if rm is None else rm[k if rm.shape[0] > 1 else 0]


def _gate_masks(rm, ks):
    """The masks of gate blocks ks as (1 or len(ks), N, U), or None."""
    return None if rm is None or rm.shape[0] == 1 else rm[list(ks)]


# ----------------------------------------------------------------------------- layout


def _time_major(x, u, order, scales, backwards, dtype, out=None):
    """(N, T, G*U) -> a fresh (T, N, G*U) array of `dtype` in processing order (or into `out`).

    Internal block j holds block order[j] of x, multiplied by scales[j].
    """
    n, t, gu = x.shape
    src = x.transpose(1, 0, 2)
    if backwards:
        src = src[::-1]
    if out is None:
        out = xp.empty((t, n, gu), dtype)
    for j, k in enumerate(order):
        block = src[..., k * u:(k + 1) * u]
        if scales[j] == 1:
            out[..., j * u:(j + 1) * u] = block
        else:
            xp.multiply(block, scales[j], out=out[..., j * u:(j + 1) * u])
    return out


def _batch_major(dz, u, order, backwards):
    """Inverse of _time_major without scaling: (T, N, G*U) internal -> (N, T, G*U)."""
    t, n, gu = dz.shape
    out = xp.empty((n, t, gu), dz.dtype)
    view = out.transpose(1, 0, 2)
    if backwards:
        view = view[::-1]
    for j, k in enumerate(order):
        view[..., k * u:(k + 1) * u] = dz[..., j * u:(j + 1) * u]
    return out


def _columns(w, u, order, scales=None):
    """Kernel (U, G*U) with its column blocks reordered (and scaled) as the internal layout."""
    out = xp.concatenate([w[:, k * u:(k + 1) * u] for k in order], axis=1)
    if scales is not None and any(s != 1 for s in scales):
        out *= xp.repeat(xp.asarray(scales, dtype=w.dtype), u)
    return out


def _uncolumns(dw, u, order):
    """Inverse of _columns without scaling."""
    out = xp.empty_like(dw)
    for j, k in enumerate(order):
        out[:, k * u:(k + 1) * u] = dw[:, j * u:(j + 1) * u]
    return out


# ----------------------------------------------------------------------------- recurrent products


def _recurrent_matmul(h, w, rm, out):
    """out (N, G*U) = (h * rm) @ w, with one mask (rm (1, N, U)), one per gate block, or none."""
    if rm is None:
        xp.matmul(h, w, out=out)
    elif rm.shape[0] == 1:
        xp.matmul(h * rm[0], w, out=out)
    else:
        u = h.shape[1]
        for k in range(rm.shape[0]):
            xp.matmul(h * rm[k], w[:, k * u:(k + 1) * u], out=out[:, k * u:(k + 1) * u])


def _recurrent_matmul_vjp(dz, w, rm, out):
    """out (N, U) = d/dh of sum(dz * ((h * rm) @ w)) = (dz @ w.T) * rm (summed over gate masks)."""
    if rm is None:
        xp.matmul(dz, w.T, out=out)
    elif rm.shape[0] == 1:
        xp.matmul(dz, w.T, out=out)
        out *= rm[0]
    else:
        u = out.shape[1]
        out[...] = 0
        for k in range(rm.shape[0]):
            out += (dz[:, k * u:(k + 1) * u] @ w[:, k * u:(k + 1) * u].T) * rm[k]


def _recurrent_kernel_grad(h_prev, dz, rm):
    """sum over steps and batch of (h_prev * rm)^T dz: (T, N, U), (T, N, G*U) -> (U, G*U).

    One (U, T*N) @ (T*N, G*U) product (one per gate block with per-gate masks).
    """
    u = h_prev.shape[2]
    rows = h_prev.shape[0] * h_prev.shape[1]
    if rm is None or rm.shape[0] == 1:
        hm = h_prev if rm is None else h_prev * rm[0]
        return hm.reshape(rows, u).T @ dz.reshape(rows, dz.shape[2])
    dw = xp.empty((u, dz.shape[2]), dz.dtype)
    for k in range(rm.shape[0]):
        dw[:, k * u:(k + 1) * u] = (h_prev * rm[k]).reshape(rows, u).T @ dz[..., k * u:(k + 1) * u].reshape(rows, u)
    return dw


# ----------------------------------------------------------------------------- several outputs of one node


def _outputs(flat, parents, vjp, op, shapes):
    """The tensors of `shapes`, consecutive views of the 1-D `flat`, sharing one node.

    The node of `flat` carries `vjp` (it receives the gradient of the whole flat
    array); each view is a tiny node that puts its gradient into its own segment.
    """
    node = attach(flat, parents, vjp, op)
    outs, start = [], 0
    for shape in shapes:
        size = 1
        for d in shape:
            size *= d
        outs.append(_segment(node, start, size, shape, op))
        start += size
    return tuple(outs)


def _segment(node, start, size, shape, op):
    stop = start + size

    def vjp(g):
        full = xp.zeros(node.data.shape, g.dtype)
        full[start:stop] = g.reshape(-1)
        return (full,)

    return attach(node.data[start:stop].reshape(shape), (node,), vjp, op)


def _pack_outputs(h, c_last, seen, n, t, u):
    """Flat (N*T*U + k*N*U,) array: outputs (N, T, U) = h[1:] (* seen) batch-major, h[T], c_last (if any)."""
    states = 1 if c_last is None else 2
    flat = xp.empty(n * t * u + states * n * u, h.dtype)
    outputs = flat[:n * t * u].reshape(n, t, u).transpose(1, 0, 2)
    if seen is None:
        outputs[...] = h[1:]
    else:
        xp.multiply(h[1:], seen, out=outputs)
    flat[n * t * u:n * t * u + n * u] = h[t].reshape(-1)
    if c_last is not None:
        flat[n * t * u + n * u:] = c_last.reshape(-1)
    return flat


def _unpack_grads(g, seen, n, t, u, states):
    """From the flat gradient: dH (T, N, U) time-major (output gradient * seen), and one (N, U) per state."""
    dh = xp.empty((t, n, u), g.dtype)
    gout = g[:n * t * u].reshape(n, t, u).transpose(1, 0, 2)
    if seen is None:
        dh[...] = gout
    else:
        xp.multiply(gout, seen, out=dh)
    start = n * t * u
    gs = []
    for _ in range(states):
        gs.append(g[start:start + n * u].reshape(n, u))
        start += n * u
    return dh, gs


def _or_constant(t):
    return as_tensor(0) if t is None else t


# ----------------------------------------------------------------------------- SimpleRNN


@declare(kind="recurrent", fuses=SUPPORTED_ACTIVATIONS)
def simple_rnn(x_proj, h0, recurrent_kernel, activation="tanh", mask=None, go_backwards=False,
               recurrent_mask=None):
    """A SimpleRNN over a whole sequence: h_t = act(x_proj[:, t] + (h_{t-1} * rm) @ W).

    Args:
        x_proj: (N, T, U) input projection inputs @ kernel + bias for every step.
        h0: (N, U) initial state (None: zeros).
        recurrent_kernel: W, (U, U).
        activation: a name from SUPPORTED_ACTIVATIONS or None (linear).
        mask: optional (N, T) bool/0-1 constant; masked steps carry the state over.
        go_backwards: run the steps T-1 ... 0 (outputs in that order).
        recurrent_mask: optional (N, U) recurrent dropout mask (a constant).

    Returns (outputs (N, T, U), h_last (N, U)).

    Backward, from the last processed step down, with dh_t the gradient of h_t
    (its output gradient plus what step t+1 sends back):
        dz_t = dh_t * act'(h_t);  dh_{t-1} = (dz_t @ W.T) * rm   (dh_t itself at a masked step)
        dx_proj[:, t] = dz_t;  dW = sum_t (h_{t-1} * rm)^T dz_t;  dh0 = dh_{-1}.
    """
    act = _activation(activation, "simple_rnn", "activation")
    x, w, (h0,), dtype, (n, t, u) = _inputs("simple_rnn", 1, x_proj, recurrent_kernel, [("h0", h0)])
    steps = _step_mask(mask, n, t, go_backwards, dtype, "simple_rnn")
    rm = _recurrent_mask(recurrent_mask, 1, n, u, dtype, "simple_rnn")
    wd = _array(w, dtype)
    forward = _FORWARD[act]

    h = xp.empty((t + 1, n, u), dtype)  # h[0] = h0, h[s+1]: x_proj of step s, then the state after it
    h[0] = _array(h0, dtype)
    _time_major(x.data, u, (0,), (1.0,), go_backwards, dtype, out=h[1:])
    z = xp.empty((n, u), dtype)
    for s in range(t):
        _recurrent_matmul(h[s], wd, rm, out=z)
        hs = h[s + 1]
        hs += z
        forward(hs, hs)
        if steps is not None:
            xp.copyto(hs, h[s], where=steps[1][s])
    seen = None if steps is None else steps[2]
    flat = _pack_outputs(h, None, seen, n, t, u)

    def vjp(g):
        dh, (gh,) = _unpack_grads(g, seen, n, t, u, 1)
        if t:
            dh[t - 1] += gh
        dz = _derivative(act, h[1:])       # act'(z_t), turned into dz_t in place by the loop
        if steps is not None:
            dz *= steps[0]
        carry = gh.astype(dtype, copy=True)
        for s in range(t - 1, -1, -1):
            dz[s] *= dh[s]
            _recurrent_matmul_vjp(dz[s], wd, rm, out=carry)
            if steps is not None:
                xp.copyto(carry, dh[s], where=steps[1][s])
            if s:
                dh[s - 1] += carry
        dx = _batch_major(dz, u, (0,), go_backwards) if x.requires_grad else None
        dw = _recurrent_kernel_grad(h[:-1], dz, rm) if w.requires_grad else None
        return dx, carry, dw

    return _outputs(flat, (x, h0, w), vjp, "simple_rnn", [(n, t, u), (n, u)])


# ----------------------------------------------------------------------------- LSTM

# Internal gate blocks o, i, f, c from Keras' i, f, c, o: the recurrent gates o, i, f
# are contiguous (one activation call), and so are the three driven by dc (i, f, c).
_LSTM_ORDER = (3, 0, 1, 2)


def _lstm_forward(preactivation, h, c0, gates, act, ra, steps, keep):
    """The LSTM recurrence, the gates activated in place in `gates`; returns (c, a).

    preactivation(s, out) writes step s's pre-activation z (N, 4U) into `out`, in the
    internal order o, i, f, g with the recurrent gates scaled by _gate_scale; the loop
    activates it in place. gates (T or 1, N, 4U) holds the steps' gates (or one step's,
    reused). h (T+1, N, U), h[0] set, receives h_1 ... h_T (masked steps repeat the
    previous state). With `keep` (a gradient to record) c (T+1, N, U) and
    a = act(c) (T, N, U) hold every step; without, one buffer for a and two for c,
    reused: c_T is then c[T % 2].
    """
    t, n, u = h.shape[0] - 1, h.shape[1], h.shape[2]
    dtype = h.dtype
    gate_forward, act_forward = _gate_forward(ra), _FORWARD[act]
    fused = ra == "sigmoid" and act == "tanh"
    c = xp.empty((t + 1 if keep else 2, n, u), dtype)
    a = xp.empty((t if keep else 1, n, u), dtype)
    c[0] = c0
    ig = xp.empty((n, u), dtype)
    for s in range(t):
        zs = gates[s % gates.shape[0]]
        c_prev, cs, a_s = (c[s], c[s + 1], a[s]) if keep else (c[s % 2], c[1 - s % 2], a[0])
        preactivation(s, zs)
        if fused:
            xp.tanh(zs, out=zs)
            sig = zs[:, :3 * u]
            sig *= 0.5
            sig += 0.5
        else:
            gate_forward(zs[:, :3 * u], zs[:, :3 * u])
            act_forward(zs[:, 3 * u:], zs[:, 3 * u:])
        o, i, f, gg = zs[:, :u], zs[:, u:2 * u], zs[:, 2 * u:3 * u], zs[:, 3 * u:]
        xp.multiply(f, c_prev, out=cs)
        xp.multiply(i, gg, out=ig)
        cs += ig
        act_forward(cs, a_s)
        xp.multiply(o, a_s, out=h[s + 1])
        if steps is not None:
            xp.copyto(h[s + 1], h[s], where=steps[1][s])
            xp.copyto(cs, c_prev, where=steps[1][s])
    return c, a


def _lstm_backward(g, gates, c, a, seen, steps, act, ra, w_bwd, rm, dtype):
    """Backpropagation through time from the flat output gradient g: (dz, dh0, dc0).

    dz (T, N, 4U) is the gradient of the (unscaled) pre-activations in the internal
    order; w_bwd the recurrent kernel in that order, unscaled.
    """
    t, n, u = a.shape[0], a.shape[1], a.shape[2]
    dh, (gh, gc) = _unpack_grads(g, seen, n, t, u, 2)
    if t:
        dh[t - 1] += gh
    o, i, f, gg = (gates[..., k * u:(k + 1) * u] for k in range(4))
    # dz = [dh, dc, dc, dc] * p, p = [a ra'(o), g ra'(i), c_{t-1} ra'(f), i act'(g)];
    # p becomes dz in place, step by step.
    p = xp.empty((t, n, 4 * u), dtype)
    _derivative(ra, gates[..., :3 * u], out=p[..., :3 * u])
    p[..., :u] *= a
    p[..., u:2 * u] *= gg
    p[..., 2 * u:3 * u] *= c[:-1]
    _derivative(act, gg, out=p[..., 3 * u:])
    p[..., 3 * u:] *= i
    dc_from_dh = _derivative(act, a)             # dc += dh * o act'(a)
    dc_from_dh *= o
    if steps is not None:
        real, keep, _ = steps
        p *= real
        dc_from_dh *= real
        f = xp.where(keep, 1, f)                 # the carried dc passes a masked step unchanged
    dz, dz_o, dz_c = p, p[..., :u], p[..., u:].reshape(t, n, 3, u)
    dc = gc.astype(dtype, copy=True)
    carry = gh.astype(dtype, copy=True)
    tmp = xp.empty((n, u), dtype)
    for s in range(t - 1, -1, -1):
        dhs = dh[s]
        xp.multiply(dhs, dc_from_dh[s], out=tmp)
        dc += tmp
        dz_o[s] *= dhs
        dz_c[s] *= dc[:, None, :]
        dc *= f[s]
        _recurrent_matmul_vjp(dz[s], w_bwd, rm, out=carry)
        if steps is not None:
            xp.copyto(carry, dhs, where=steps[1][s])
        if s:
            dh[s - 1] += carry
    return dz, carry, dc


@declare(kind="recurrent", fuses=SUPPORTED_ACTIVATIONS)
def lstm(x_proj, h0, c0, recurrent_kernel, activation="tanh", recurrent_activation="sigmoid",
         mask=None, go_backwards=False, recurrent_mask=None):
    """An LSTM over a whole sequence, Keras gate order i, f, c, o.

    z = x_proj[:, t] + (h_{t-1} * rm) @ W;  i, f, o = ra(z_i), ra(z_f), ra(z_o);  g = act(z_c)
    c_t = f c_{t-1} + i g;  h_t = o act(c_t).

    Args:
        x_proj: (N, T, 4U) input projection for every step.
        h0, c0: (N, U) initial states (None: zeros).
        recurrent_kernel: W, (U, 4U).
        activation, recurrent_activation: names from SUPPORTED_ACTIVATIONS or None.
        mask: optional (N, T) constant; masked steps carry both states over.
        go_backwards: run the steps T-1 ... 0 (outputs in that order).
        recurrent_mask: optional (N, U) mask shared by the gates, or (4, N, U), one per
            gate in Keras order i, f, c, o (Keras 3 with recurrent_dropout).

    Returns (outputs (N, T, U), h_last (N, U), c_last (N, U)).

    Backward, per step from the last, with dh, dc the gradients of h_t, c_t and
    a = act(c_t):
        dc += dh * o * act'(a);  dz_o = dh * a * ra'(o)
        dz_i = dc * g * ra'(i);  dz_f = dc * c_{t-1} * ra'(f);  dz_c = dc * i * act'(g)
        dc_{t-1} = dc * f;  dh_{t-1} = (dz @ W.T) * rm
    (the factors are computed for all steps at once before the loop; at a masked
    step they are zero and the carried gradients pass through).
    """
    act = _activation(activation, "lstm", "activation")
    ra = _activation(recurrent_activation, "lstm", "recurrent_activation")
    x, w, (h0, c0), dtype, (n, t, u) = _inputs("lstm", 4, x_proj, recurrent_kernel, [("h0", h0), ("c0", c0)])
    steps = _step_mask(mask, n, t, go_backwards, dtype, "lstm")
    rm = _recurrent_mask(recurrent_mask, 4, n, u, dtype, "lstm")
    if rm is not None and rm.shape[0] > 1:
        rm = rm[list(_LSTM_ORDER)]
    sc = _gate_scale(ra)
    scales = (sc, sc, sc, 1.0)
    wd = _array(w, dtype)
    w_fwd = _columns(wd, u, _LSTM_ORDER, scales)
    keep = records((x, h0, c0, w))
    h = xp.empty((t + 1, n, u), dtype)
    h[0] = _array(h0, dtype)
    z = xp.empty((n, 4 * u), dtype)

    def preactivation(s, out):
        _recurrent_matmul(h[s], w_fwd, rm, out=z)
        out += z

    gates = _time_major(x.data, u, _LSTM_ORDER, scales, go_backwards, dtype)  # x_proj per step, scaled
    c, a = _lstm_forward(preactivation, h, _array(c0, dtype), gates, act, ra, steps, keep)
    seen = None if steps is None else steps[2]
    flat = _pack_outputs(h, c[t if keep else t % 2], seen, n, t, u)

    def vjp(g):
        dz, dh0, dc0 = _lstm_backward(g, gates, c, a, seen, steps, act, ra, _columns(wd, u, _LSTM_ORDER), rm,
                                      dtype)
        dx = _batch_major(dz, u, _LSTM_ORDER, go_backwards) if x.requires_grad else None
        dw = None
        if w.requires_grad:
            dw = _uncolumns(_recurrent_kernel_grad(h[:-1], dz, rm), u, _LSTM_ORDER)
        return dx, dh0, dc0, dw

    return _outputs(flat, (x, h0, c0, w), vjp, "lstm", [(n, t, u), (n, u), (n, u)])


@declare(kind="recurrent", fuses=SUPPORTED_ACTIVATIONS)
def lstm_from_inputs(inputs, kernel, bias, h0, c0, recurrent_kernel, activation="tanh",
                     recurrent_activation="sigmoid", mask=None, go_backwards=False):
    """An LSTM over a whole sequence from its inputs, the input projection inside each step's product.

    The numbers of lstm(inputs @ kernel + bias, h0, c0, recurrent_kernel) up to the
    order of the additions, without dropout. Each step makes one product

        z_t = [h_{t-1}, x_t, 1] @ [W; kernel; bias]    ((N, U + F + 1) @ (U + F + 1, 4U))

    from a (T+1, N, U + F + 1) buffer whose x and ones columns are filled once and
    whose h columns each step writes: no (N, T, 4U) projection, no time-major copy of
    it, no per-step addition (an LSTM(128) on 28 steps of 28 features predicted a
    batch of 256 in 16 ms instead of 24). Backward, with dz as in `lstm`:

        [dW; dkernel; dbias] = [H_prev, X, 1]^T @ dZ   (one product over all steps)
        dx_t = dz_t @ kernel^T

    Args:
        inputs: (N, T, F).
        kernel: (F, 4U); bias: (4U,) or None; recurrent_kernel: W, (U, 4U).
        h0, c0, activation, recurrent_activation, mask, go_backwards: as `lstm`.

    Returns (outputs (N, T, U), h_last (N, U), c_last (N, U)).
    """
    op = "lstm_from_inputs"
    act = _activation(activation, op, "activation")
    ra = _activation(recurrent_activation, op, "recurrent_activation")
    x = _float_tensor(inputs)
    k = _float_tensor(kernel, like=x)
    if x.ndim != 3 or k.ndim != 2 or k.shape[0] != x.shape[2]:
        raise ValueError(
            f"{op}: expects inputs (batch, timesteps, features) and kernel (features, 4 * units). "
            f"Received shapes: inputs={x.shape}, kernel={k.shape}"
        )
    n, t, feat = x.shape
    w = _recurrent_kernel(op, 4, recurrent_kernel, x)
    u = w.shape[0]
    h0, c0 = _initial_states(op, [("h0", h0), ("c0", c0)], n, u, x)
    dtype = x.data.dtype
    if k.shape[1] != 4 * u:
        raise ValueError(
            f"{op}: kernel must have shape (features, 4 * units) = ({feat}, {4 * u}). Received: kernel.shape={k.shape}"
        )
    b = None if bias is None else _float_tensor(bias, like=x)
    if b is not None and b.shape != (4 * u,):
        raise ValueError(f"{op}: bias must have shape (4 * units,) = ({4 * u},). Received: bias.shape={b.shape}")
    steps = _step_mask(mask, n, t, go_backwards, dtype, op)
    sc = _gate_scale(ra)
    scales = (sc, sc, sc, 1.0)
    stacked = xp.concatenate([_array(w, dtype), _array(k, dtype)]
                             + ([] if b is None else [_array(b, dtype).reshape(1, -1)]), axis=0)
    w_aug = _columns(stacked, u, _LSTM_ORDER, scales)
    width = w_aug.shape[0]
    keep = records((x, k, b, h0, c0, w))
    rows = xp.empty((t + 1, n, width), dtype)   # [h_{s}, x_{s+1}, 1] per step s
    seq = x.data.transpose(1, 0, 2)
    rows[:t, :, u:u + feat] = seq[::-1] if go_backwards else seq
    if b is not None:
        rows[:, :, u + feat] = 1
    h = rows[:, :, :u]
    h[0] = _array(h0, dtype)

    def preactivation(s, out):
        xp.matmul(rows[s], w_aug, out=out)

    gates = xp.empty((t if keep else 1, n, 4 * u), dtype)
    c, a = _lstm_forward(preactivation, h, _array(c0, dtype), gates, act, ra, steps, keep)
    seen = None if steps is None else steps[2]
    flat = _pack_outputs(h, c[t if keep else t % 2], seen, n, t, u)

    def vjp(g):
        w_int = _columns(stacked, u, _LSTM_ORDER)
        dz, dh0, dc0 = _lstm_backward(g, gates, c, a, seen, steps, act, ra, w_int[:u], None, dtype)
        dz2 = dz.reshape(t * n, 4 * u)
        d_aug = _uncolumns(rows[:t].reshape(t * n, width).T @ dz2, u, _LSTM_ORDER)
        dx = None
        if x.requires_grad:
            dseq = (dz2 @ w_int[u:u + feat].T).reshape(t, n, feat)
            dx = xp.ascontiguousarray((dseq[::-1] if go_backwards else dseq).transpose(1, 0, 2))
        dw = d_aug[:u] if w.requires_grad else None
        dk = d_aug[u:u + feat] if k.requires_grad else None
        db = d_aug[u + feat] if b is not None and b.requires_grad else None
        return dx, dk, db, dh0, dc0, dw

    parents = (x, k, _or_constant(b), h0, c0, w)
    return _outputs(flat, parents, vjp, op, [(n, t, u), (n, u), (n, u)])


# ----------------------------------------------------------------------------- GRU


@declare(kind="recurrent", fuses=SUPPORTED_ACTIVATIONS)
def gru(x_proj, h0, recurrent_kernel, recurrent_bias=None, reset_after=True, activation="tanh",
        recurrent_activation="sigmoid", mask=None, go_backwards=False, recurrent_mask=None):
    """A GRU over a whole sequence, Keras gate order z, r, h.

    reset_after=True (Keras 3 default, cuDNN-compatible):
        m = (h_{t-1} * rm) @ W + b;  z = ra(x_z + m_z);  r = ra(x_r + m_r);  hh = act(x_h + r * m_h)
    reset_after=False:
        z = ra(x_z + (h_{t-1} * rm_z) @ W_z);  r = ra(x_r + (h_{t-1} * rm_r) @ W_r)
        hh = act(x_h + (r * h_{t-1} * rm_h) @ W_h)
        (Keras has no recurrent bias in this mode; a given one is added like an input bias.)
    h_t = z * h_{t-1} + (1 - z) * hh.

    Args:
        x_proj: (N, T, 3U) input projection (with the input bias) for every step.
        h0: (N, U) initial state (None: zeros).
        recurrent_kernel: W, (U, 3U).
        recurrent_bias: b, (3U,) or None.
        reset_after: where the reset gate is applied, as above.
        activation, recurrent_activation: names from SUPPORTED_ACTIVATIONS or None.
        mask: optional (N, T) constant; masked steps carry the state over.
        go_backwards: run the steps T-1 ... 0 (outputs in that order).
        recurrent_mask: optional (N, U) mask shared by the gates, or (3, N, U), one per
            gate in order z, r, h (Keras 3 with recurrent_dropout).

    Returns (outputs (N, T, U), h_last (N, U)).

    Backward (reset_after=True), per step from the last with dh the gradient of h_t:
        dz_z = dh (h_{t-1} - hh) ra'(z);  dz_h = dh (1 - z) act'(hh);  dz_r = dz_h m_h ra'(r)
        dm = [dz_z, dz_r, dz_h * r];  dh_{t-1} = dh z + (dm @ W.T) * rm
        dx_proj = [dz_z, dz_r, dz_h];  dW = sum_t (h_{t-1} rm)^T dm;  db = sum dm.
    reset_after=False: d(r h rm) = dz_h @ W_h.T gives dz_r = d(r h rm) h rm ra'(r) and
    adds d(r h rm) r rm to dh_{t-1}: two products per step each way.
    """
    act = _activation(activation, "gru", "activation")
    ra = _activation(recurrent_activation, "gru", "recurrent_activation")
    x, w, (h0,), dtype, (n, t, u) = _inputs("gru", 3, x_proj, recurrent_kernel, [("h0", h0)])
    b = None
    if recurrent_bias is not None:
        b = _float_tensor(recurrent_bias, like=x)
        if b.shape != (3 * u,):
            raise ValueError(f"gru: recurrent_bias must have shape (3 * units,) = {(3 * u,)}. "
                             f"Received: recurrent_bias.shape={b.shape}")
    steps = _step_mask(mask, n, t, go_backwards, dtype, "gru")
    rm = _recurrent_mask(recurrent_mask, 3, n, u, dtype, "gru")
    sc = _gate_scale(ra)
    scales = (sc, sc, 1.0)
    wd = _array(w, dtype)
    w_fwd = _columns(wd, u, (0, 1, 2), scales)
    gate_forward, act_forward = _gate_forward(ra), _FORWARD[act]

    xt = _time_major(x.data, u, (0, 1, 2), scales, go_backwards, dtype)
    bd = None if b is None else _array(b, dtype)
    if bd is not None:  # the z and r parts of b act like input biases; b_h goes inside r * m_h
        xt[..., :2 * u] += bd[:2 * u] * sc
        if not reset_after:
            xt[..., 2 * u:] += bd[2 * u:]
    h = xp.empty((t + 1, n, u), dtype)
    h[0] = _array(h0, dtype)
    hh = xp.empty((t, n, u), dtype)
    if reset_after:
        mz = xp.empty((t, n, 3 * u), dtype)   # per step: z, r (activated), m_h
    else:
        mz = xp.empty((t, n, 2 * u), dtype)   # per step: z, r
        rh = xp.empty((t, n, u), dtype)       # r * h_{t-1} * rm_h
        rm_zr, rm_h = _gate_masks(rm, (0, 1)), _gate_mask(rm, 2)
        if rm is not None and rm.shape[0] == 1:
            rm_zr = rm
    for s in range(t):
        ms = mz[s]
        if reset_after:
            _recurrent_matmul(h[s], w_fwd, rm, out=ms)
            if bd is not None:
                ms[:, 2 * u:] += bd[2 * u:]
        else:
            _recurrent_matmul(h[s], w_fwd[:, :2 * u], rm_zr, out=ms)
        zr = ms[:, :2 * u]
        zr += xt[s, :, :2 * u]
        gate_forward(zr, zr)
        zs, rs = ms[:, :u], ms[:, u:2 * u]
        if reset_after:
            xp.multiply(rs, ms[:, 2 * u:], out=hh[s])
        else:
            xp.multiply(rs, h[s], out=rh[s])
            if rm_h is not None:
                rh[s] *= rm_h
            xp.matmul(rh[s], w_fwd[:, 2 * u:], out=hh[s])
        hh[s] += xt[s, :, 2 * u:]
        act_forward(hh[s], hh[s])
        hs = h[s + 1]
        xp.subtract(h[s], hh[s], out=hs)
        hs *= zs
        hs += hh[s]
        if steps is not None:
            xp.copyto(hs, h[s], where=steps[1][s])
    seen = None if steps is None else steps[2]
    flat = _pack_outputs(h, None, seen, n, t, u)

    def vjp(g):
        dh, (gh,) = _unpack_grads(g, seen, n, t, u, 1)
        if t:
            dh[t - 1] += gh
        zg, rg = mz[..., :u], mz[..., u:2 * u]
        if reset_after:   # dm = dh * q, q = [p_z, p_h m_h ra'(r), p_h r]; q becomes dm in place
            q = xp.empty((t, n, 3, u), dtype)
            p_z = q[:, :, 0]
        else:
            p_z = xp.empty((t, n, u), dtype)
        _derivative(ra, zg, out=p_z)             # dz_z = dh * p_z, p_z = (h_{t-1} - hh) ra'(z)
        p_z *= h[:-1] - hh
        p_h = _derivative(act, hh)               # dz_h = dh * p_h, p_h = (1 - z) act'(hh)
        p_h *= 1 - zg
        zc = zg
        if steps is not None:
            real, keep, _ = steps
            p_z *= real
            p_h *= real
            zc = xp.where(keep, 1, zg)          # dh_{t-1} = dh * zc + ...: dh passes a masked step
        carry = gh.astype(dtype, copy=True)
        tmp = xp.empty((n, u), dtype)
        if reset_after:
            _derivative(ra, rg, out=q[:, :, 1])
            q[:, :, 1] *= mz[..., 2 * u:]
            q[:, :, 1] *= p_h
            xp.multiply(p_h, rg, out=q[:, :, 2])
            dm = q.reshape(t, n, 3 * u)
            for s in range(t - 1, -1, -1):
                dhs = dh[s]
                q[s] *= dhs[:, None, :]
                _recurrent_matmul_vjp(dm[s], wd, rm, out=carry)
                xp.multiply(dhs, zc[s], out=tmp)
                carry += tmp
                if s:
                    dh[s - 1] += carry
            dx = None
            if x.requires_grad:
                dx = _batch_major(dm, u, (0, 1, 2), go_backwards)
                dxh = dx[..., 2 * u:].transpose(1, 0, 2)
                xp.multiply(dh, p_h, out=dxh[::-1] if go_backwards else dxh)
            dw = _recurrent_kernel_grad(h[:-1], dm, rm) if w.requires_grad else None
            db = dm.sum(axis=(0, 1)) if b is not None and b.requires_grad else None
            return dx, carry, dw, db
        p_r = _derivative(ra, rg)                # dz_r = d(r h rm) * p_r, p_r = h_{t-1} rm_h ra'(r)
        p_r *= h[:-1]
        r_m = rg
        if rm_h is not None:
            p_r *= rm_h
            r_m = rg * rm_h
        da = xp.empty((t, n, 3 * u), dtype)
        drh = xp.empty((n, u), dtype)
        w_h = wd[:, 2 * u:]
        for s in range(t - 1, -1, -1):
            dhs, das = dh[s], da[s]
            xp.multiply(dhs, p_z[s], out=das[:, :u])
            xp.multiply(dhs, p_h[s], out=das[:, 2 * u:])
            xp.matmul(das[:, 2 * u:], w_h.T, out=drh)
            xp.multiply(drh, p_r[s], out=das[:, u:2 * u])
            _recurrent_matmul_vjp(das[:, :2 * u], wd[:, :2 * u], rm_zr, out=carry)
            xp.multiply(drh, r_m[s], out=tmp)
            carry += tmp
            xp.multiply(dhs, zc[s], out=tmp)
            carry += tmp
            if s:
                dh[s - 1] += carry
        dx = _batch_major(da, u, (0, 1, 2), go_backwards) if x.requires_grad else None
        dw = None
        if w.requires_grad:
            dw = xp.empty((u, 3 * u), dtype)
            dw[:, :2 * u] = _recurrent_kernel_grad(h[:-1], da[..., :2 * u], rm_zr)
            dw[:, 2 * u:] = rh.reshape(t * n, u).T @ da[..., 2 * u:].reshape(t * n, u)
        db = da.sum(axis=(0, 1)) if b is not None and b.requires_grad else None
        return dx, carry, dw, db

    return _outputs(flat, (x, h0, w, _or_constant(b)), vjp, "gru", [(n, t, u), (n, u)])
