"""Fused layer ops: a layer's whole computation as one node of the graph.

dense_bias_act is what Dense computes, y = activation(x @ W + b), as one op:
the bias is added and the ReLU taken in place on the product's output, and the
vjp masks g by the output's sign once, where the three separate ops (matmul,
add, relu) would record three nodes, allocate three outputs and un-broadcast
the bias gradient with a slow sum. The convolution counterpart,
conv2d_bias_act, lives in conv.py beside the im2col it shares.

    z = x @ W + b,  y = max(z, 0) ('relu') or z
    gz = g * (y > 0)  ('relu': y > 0 exactly where z > 0), else g
    dx = gz @ W^T,  dW = x^T @ gz,  db = sum of gz over the rows
"""
from ..backend import xp
from ..tensor import as_tensor, attach
from .elementwise import _relu_array, times_positive
from .table import declare

FUSED_ACTIVATIONS = ("linear", "relu")  # applied inside the op; None means linear too
_ACTIVATIONS = (None,) + FUSED_ACTIVATIONS


def check_activation(op, activation):
    """Raise ValueError naming `op` unless `activation` is one a fused op applies itself."""
    if activation not in _ACTIVATIONS:
        options = ", ".join(repr(a) for a in _ACTIVATIONS)
        raise ValueError(f"{op}: activation must be one of {options}. Received: activation={activation!r}")


def checked_bias(op, bias, x, kernel, dim):
    """The bias as a tensor like x, or None; ValueError naming `op` unless it is (kernel's last axis,),
    the axis called `dim` in the message (D_out for Dense, F for a convolution)."""
    if bias is None:
        return None
    bias = as_tensor(bias, like=x)
    if bias.data.shape != (kernel.data.shape[-1],):
        raise ValueError(
            f"{op}: bias must have shape ({dim},) = ({kernel.shape[-1]},) for a kernel of shape "
            f"{tuple(kernel.shape)}. Received: bias.shape={tuple(bias.shape)}"
        )
    return bias


@declare(kind="fused", fuses=FUSED_ACTIVATIONS)
def dense_bias_act(x, kernel, bias=None, activation=None):
    """activation(x @ kernel + bias) as one op: Dense's whole computation, fused.

    Args:
        x: (N, D_in).
        kernel: (D_in, D_out).
        bias: (D_out,) or None.
        activation: None or 'linear' (none), or 'relu'.

    Returns (N, D_out), the numbers of matmul, add and relu in sequence.
    dx = gz @ kernel^T, dkernel = x^T @ gz, dbias = ones @ gz, with gz = g * (y > 0)
    for 'relu' and gz = g otherwise.
    """
    op = "dense_bias_act"
    check_activation(op, activation)
    x = as_tensor(x)
    kernel = as_tensor(kernel, like=x)
    if x.ndim != 2 or kernel.ndim != 2 or x.data.shape[1] != kernel.data.shape[0]:
        raise ValueError(
            f"{op}: expects x (N, D_in) and kernel (D_in, D_out). "
            f"Received shapes: x={tuple(x.shape)}, kernel={tuple(kernel.shape)}"
        )
    bias = checked_bias(op, bias, x, kernel, "D_out")
    relu = activation == "relu"
    y = xp.matmul(x.data, kernel.data)
    if bias is not None:
        y += bias.data.astype(y.dtype, copy=False)
    if relu:
        _relu_array(y, out=y)

    def vjp(g):
        gz = times_positive(g, y) if relu else g
        gx = gk = gb = None
        if x.requires_grad:
            gx = (gz @ kernel.data.T).astype(x.dtype, copy=False)
        if kernel.requires_grad:
            gk = (x.data.T @ gz).astype(kernel.dtype, copy=False)
        if bias is not None and bias.requires_grad:
            gb = (xp.ones(gz.shape[0], dtype=gz.dtype) @ gz).astype(bias.dtype, copy=False)
        return (gx, gk) if bias is None else (gx, gk, gb)

    parents = (x, kernel) if bias is None else (x, kernel, bias)
    return attach(y, parents, vjp, op, relu)
