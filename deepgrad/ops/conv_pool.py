"""conv2d_bias_act_pool: a Conv2D (bias, ReLU) and the max pooling after it, as one op.

With z = conv2d(x, kernel) + bias (N, OH, OW, F) and disjoint pooling windows
(strides equal to the pool, no padding; PH = OH // ph, PW = OW // pw):

    p = max over each window of z      (N, PH, PW, F)
    y = max(p, 0) ('relu') or p

which is max_pool2d(act(z)): a ReLU commutes with the maximum, so it is taken on
the pooled output, a quarter of the cells for 2x2 windows. The convolution runs
a block of samples at a time (conv._correlate) and each block's output is pooled
while it is still in cache, so z is never written out whole; the vjp needs only
the pooled output and, per window, the index of its winning tap (uint8, the first
tap equal to the maximum, as max_pool2d):

    gz[window cell k] = g * (y > 0) where k wins, else 0   (g alone without 'relu')

then conv2d_bias_act's vjp from gz. The numbers, forward and backward, are those
of conv2d_bias_act followed by max_pool2d, bit for bit: where the ReLU of the
maximum is 0 the gradient is 0 whichever tap won.
"""
from ..backend import xp
from ..tensor import attach, records
from .conv import _conv_op, _pair, _window_geometry, fused_conv_arguments
from .fused import FUSED_ACTIVATIONS
from .elementwise import _relu_array, times_positive
from .pooling import first_winner, grad_buffer, route_to_winners, window_max
from .table import declare


def _window_taps(a, pool, pooled_hw):
    """The ph*pw strided views of `a` (N, H, W, F), one per window offset, each (N, PH, PW, F)."""
    (ph, pw), (oh, ow) = pool, pooled_hw
    return [a[:, i:i + ph * oh:ph, j:j + pw * ow:pw, :] for i in range(ph) for j in range(pw)]


@declare(kind="fused", fuses=FUSED_ACTIVATIONS)
def conv2d_bias_act_pool(x, kernel, bias=None, strides=1, padding="valid", dilation=1, activation=None,
                         pool_size=2):
    """max_pool2d(activation(conv2d(x, kernel) + bias), pool_size) as one op (pool strides = pool_size).

    Args:
        x: (N, H, W, C).
        kernel: (kh, kw, C, F).
        bias: (F,) or None.
        strides, padding, dilation: the convolution's, as conv2d.
        activation: None or 'linear' (none), or 'relu'.
        pool_size: int or pair; the windows do not overlap and the pooling has no padding.

    Returns (N, OH // ph, OW // pw, F) for the convolution's output size OH x OW.
    """
    op = "conv2d_bias_act_pool"
    x, kernel, bias, dtype, strides, dilation, pads = fused_conv_arguments(
        op, x, kernel, bias, strides, padding, dilation, activation)
    pool = _pair(pool_size, "pool_size", op)
    kh, kw, _, f = kernel.data.shape
    n = x.data.shape[0]
    conv_hw = _window_geometry(x.data.shape, (kh, kw), strides, dilation, pads)
    pooled_hw = (conv_hw[0] // pool[0], conv_hw[1] // pool[1])
    if min(pooled_hw) < 1:
        raise ValueError(
            f"{op}: the pool window {pool} is larger than the convolution's output {conv_hw}. "
            f"Received shapes: x={tuple(x.shape)}, kernel={tuple(kernel.shape)}"
        )
    parents = (x, kernel) if bias is None else (x, kernel, bias)
    record = records(parents)
    y = xp.empty((n,) + pooled_hw + (f,), dtype=dtype)
    winner = xp.empty(y.shape, dtype=xp.uint8) if record else None

    def consume(n0, n1, block):
        taps = _window_taps(block, pool, pooled_hw)
        out = window_max(taps, out=y[n0:n1])
        if record:
            first_winner(taps, out, out=winner[n0:n1])

    relu = activation == "relu"
    _, conv_vjp = _conv_op(op, x, kernel, x.data, kernel.data, strides, dilation, pads, dtype, bias=bias,
                           consume=consume)
    if relu:
        _relu_array(y, out=y)

    def vjp(g):
        gp = times_positive(g, y) if relu else g
        gz = grad_buffer((n,) + conv_hw + (f,), pool, pool, pooled_hw, gp.dtype)
        route_to_winners(gp, winner, lambda a: _window_taps(a, pool, pooled_hw), gz)
        return conv_vjp(gz)

    return attach(y, parents, vjp, op, (strides, dilation, pads, relu, pool))
