"""conv2d, conv2d_transpose, depthwise_conv2d and conv1d: gradcheck, PyTorch parity, dtypes, errors.

PyTorch is NCHW with (F, C, kh, kw) weights, so each torch lambda permutes; TensorFlow's
'same' padding puts the odd extra row at the bottom, so it is padded explicitly with F.pad.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.ops.conv import conv1d, conv2d, conv2d_transpose, depthwise_conv2d
from tests.parity import check_parity, random_inputs, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"conv1d", "conv2d", "conv2d_transpose", "depthwise_conv2d"}

if torch is not None:
    import torch.nn.functional as F

F32, F64 = np.float32, np.float64


# --- PyTorch references -------------------------------------------------------------------------

def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _tf_same(size, window, stride):
    """TensorFlow's 'same' padding along one axis (before, after), written out independently."""
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _torch_pads(x_nchw, ksize, strides, padding, dilation):
    """F.pad amounts (left, right, top, bottom) for 'same' or 'valid'."""
    if padding == "valid":
        return (0, 0, 0, 0)
    (kh, kw), (sh, sw), (dh, dw) = ksize, strides, dilation
    t, b = _tf_same(x_nchw.shape[2], (kh - 1) * dh + 1, sh)
    l, r = _tf_same(x_nchw.shape[3], (kw - 1) * dw + 1, sw)
    return (l, r, t, b)


def torch_conv2d(x, k, strides=1, padding="valid", dilation=1, groups=1):
    strides, dilation = _pair(strides), _pair(dilation)
    xt = x.permute(0, 3, 1, 2)
    xt = F.pad(xt, _torch_pads(xt, k.shape[:2], strides, padding, dilation))
    weight = k.permute(3, 2, 0, 1).contiguous()
    return F.conv2d(xt, weight, stride=strides, dilation=dilation, groups=groups).permute(0, 2, 3, 1)


def torch_depthwise(x, k, strides=1, padding="valid", dilation=1):
    kh, kw, c, m = k.shape
    weight = k.reshape(kh, kw, 1, c * m)  # output channel c*M + m
    return torch_conv2d(x, weight, strides, padding, dilation, groups=c)


def torch_conv1d(x, k, stride=1, padding="valid", dilation=1):
    xt = x.permute(0, 2, 1)
    window = (k.shape[0] - 1) * dilation + 1
    if padding == "same":
        xt = F.pad(xt, _tf_same(xt.shape[2], window, stride))
    elif padding == "causal":
        xt = F.pad(xt, (window - 1, 0))
    return F.conv1d(xt, k.permute(2, 1, 0).contiguous(), stride=stride, dilation=dilation).permute(0, 2, 1)


def _keras_deconv_length(size, window, padding, output_padding, stride):
    """keras.src.utils.conv_utils.deconv_output_length, window already dilated."""
    if output_padding is None:
        return size * stride + max(window - stride, 0) if padding == "valid" else size * stride
    pad = window // 2 if padding == "same" else 0
    return (size - 1) * stride + window - 2 * pad + output_padding


def torch_conv2d_transpose(x, k, strides=1, padding="valid", output_padding=None, dilation=1):
    """Full transposed convolution in PyTorch, then cropped/extended to Keras' output (TF placement)."""
    strides, dilation = _pair(strides), _pair(dilation)
    ops = (None, None) if output_padding is None else _pair(output_padding)
    weight = k.permute(3, 2, 0, 1).contiguous()
    yt = F.conv_transpose2d(x.permute(0, 3, 1, 2), weight, stride=strides, dilation=dilation)
    amounts = []
    for axis in (1, 0):  # F.pad lists the last axis first
        size, full = x.shape[1 + axis], yt.shape[2 + axis]
        window = (k.shape[axis] - 1) * dilation[axis] + 1
        length = _keras_deconv_length(size, window, padding, ops[axis], strides[axis])
        top = max(full - length, 0) // 2 if padding == "same" else 0
        amounts += [-top, length - (full - top)]
    return F.pad(yt, amounts).permute(0, 2, 3, 1)


# --- conv2d ---------------------------------------------------------------------------------------

CONV2D_CASES = [
    # x shape, kernel shape, strides, padding, dilation, dtype
    ((1, 7, 9, 1), (3, 3, 1, 4), 1, "valid", 1, F64),
    ((7, 7, 9, 1), (3, 3, 1, 5), 2, "same", 1, F64),
    ((2, 7, 9, 3), (3, 3, 3, 4), 1, "same", 1, F64),
    ((7, 9, 7, 3), (2, 4, 3, 2), 2, "same", 1, F64),
    ((2, 7, 9, 16), (3, 3, 16, 6), 2, "valid", 1, F64),
    ((1, 7, 9, 16), (3, 3, 16, 4), 1, "same", 2, F64),
    ((2, 9, 7, 3), (3, 2, 3, 3), (2, 1), "valid", (2, 1), F64),
    ((3, 6, 6, 8), (1, 1, 8, 5), 1, "valid", 1, F64),
    ((7, 7, 9, 1), (3, 3, 1, 8), 1, "valid", 1, F32),
    ((1, 7, 9, 3), (3, 3, 3, 4), 2, "same", 1, F32),
    ((7, 7, 9, 16), (3, 3, 16, 8), 2, "same", 1, F32),
    ((2, 7, 9, 16), (3, 3, 16, 4), 1, "valid", 2, F32),
    ((2, 8, 8, 32), (5, 5, 32, 3), 2, "same", 1, F32),
]


@pytest.mark.parametrize("xs,ks,s,pad,d,dtype", CONV2D_CASES)
def test_conv2d_parity(xs, ks, s, pad, d, dtype):
    check_parity(lambda x, k: conv2d(x, k, s, pad, d), lambda x, k: torch_conv2d(x, k, s, pad, d),
                 shapes=[xs, ks], dtype=dtype)


@pytest.mark.parametrize("xs,ks,s,pad,d", [
    ((2, 5, 6, 2), (3, 3, 2, 2), 1, "valid", 1),
    ((1, 5, 6, 1), (2, 3, 1, 2), 2, "same", 1),
    ((1, 6, 5, 9), (3, 3, 9, 2), 2, "same", 1),  # the many-channel im2col path
    ((1, 6, 6, 2), (2, 2, 2, 1), 1, "same", 2),
])
def test_conv2d_gradcheck(xs, ks, s, pad, d):
    x, k = random_inputs([xs, ks])
    assert dg.gradcheck(lambda a, b: conv2d(a, b, s, pad, d), x, k)


def test_conv2d_output_shapes_follow_keras():
    x = dg.Tensor(np.zeros((2, 28, 28, 1), F32))
    assert conv2d(x, np.zeros((3, 3, 1, 32), F32)).shape == (2, 26, 26, 32)
    assert conv2d(x, np.zeros((3, 3, 1, 8), F32), padding="same").shape == (2, 28, 28, 8)
    assert conv2d(x, np.zeros((3, 3, 1, 8), F32), strides=2, padding="same").shape == (2, 14, 14, 8)
    assert conv2d(x, np.zeros((3, 3, 1, 8), F32), strides=2).shape == (2, 13, 13, 8)
    assert conv2d(x, np.zeros((3, 3, 1, 8), F32), dilation=2).shape == (2, 24, 24, 8)
    assert conv2d(x, np.zeros((2, 2, 1, 8), F32), padding="SAME").shape == (2, 28, 28, 8)


@requires_torch
def test_conv2d_skips_gradient_of_input_that_needs_none():
    x, k = random_inputs([(2, 6, 6, 3), (3, 3, 3, 4)])
    xt, kt = dg.Tensor(x), dg.Tensor(k, requires_grad=True)
    conv2d(xt, kt).sum().backward()
    assert xt.grad is None
    k_ref = torch.tensor(k, requires_grad=True)
    torch_conv2d(torch.tensor(x), k_ref).sum().backward()
    np.testing.assert_allclose(kt.grad.numpy(), k_ref.grad.numpy(), rtol=1e-10)


# --- conv2d_transpose -----------------------------------------------------------------------------

TRANSPOSE_CASES = [
    # x shape, kernel shape (kh, kw, F_out, C_in), strides, padding, output_padding, dilation, dtype
    ((2, 4, 5, 3), (3, 3, 2, 3), 1, "valid", None, 1, F64),
    ((1, 4, 5, 3), (3, 3, 4, 3), 2, "same", None, 1, F64),
    ((7, 3, 4, 1), (3, 3, 2, 1), 2, "valid", None, 1, F64),
    ((2, 4, 3, 16), (4, 4, 3, 16), 2, "same", None, 1, F64),
    ((2, 3, 4, 2), (3, 3, 2, 2), 2, "same", 1, 1, F64),
    ((2, 3, 4, 2), (3, 3, 2, 2), 3, "valid", (2, 1), 1, F64),
    ((1, 4, 5, 3), (2, 2, 2, 3), 3, "same", None, 1, F64),
    ((2, 4, 5, 3), (3, 3, 2, 3), 1, "same", None, 2, F64),
    ((2, 4, 5, 3), (3, 3, 1, 3), 2, "same", None, 1, F64),
    ((7, 4, 5, 16), (3, 3, 8, 16), 2, "same", None, 1, F32),
    ((1, 5, 4, 3), (3, 2, 4, 3), (2, 1), "valid", None, 1, F32),
    ((2, 3, 3, 1), (5, 5, 2, 1), 2, "same", 1, 1, F32),
]


@pytest.mark.parametrize("xs,ks,s,pad,op,d,dtype", TRANSPOSE_CASES)
def test_conv2d_transpose_parity(xs, ks, s, pad, op, d, dtype):
    check_parity(lambda x, k: conv2d_transpose(x, k, s, pad, op, d),
                 lambda x, k: torch_conv2d_transpose(x, k, s, pad, op, d), shapes=[xs, ks], dtype=dtype)


@pytest.mark.parametrize("xs,ks,s,pad,op", [
    ((1, 3, 2, 2), (3, 3, 2, 2), 2, "same", None),
    ((2, 2, 3, 1), (2, 3, 2, 1), 2, "valid", 1),
    ((1, 3, 2, 9), (3, 3, 2, 9), 1, "valid", None),
])
def test_conv2d_transpose_gradcheck(xs, ks, s, pad, op):
    x, k = random_inputs([xs, ks])
    assert dg.gradcheck(lambda a, b: conv2d_transpose(a, b, s, pad, op), x, k)


@pytest.mark.parametrize("size,k,s,pad,expected", [
    (7, 3, 2, "same", 14), (7, 3, 2, "valid", 15), (7, 3, 1, "valid", 9), (7, 2, 3, "valid", 21),
    (7, 3, 1, "same", 7), (5, 4, 2, "valid", 12),
])
def test_conv2d_transpose_output_length_is_keras(size, k, s, pad, expected):
    x = dg.Tensor(np.zeros((1, size, size, 2), F32))
    assert conv2d_transpose(x, np.zeros((k, k, 3, 2), F32), s, pad).shape == (1, expected, expected, 3)


@pytest.mark.parametrize("shape,k,s,pad,d", [
    ((2, 10, 8, 4), (3, 3, 4, 3), 2, "same", 1),
    ((2, 10, 9, 4), (4, 2, 4, 3), 3, "valid", 1),
    ((1, 10, 7, 2), (3, 3, 2, 2), 1, "same", 2),
])
def test_conv2d_transpose_is_the_adjoint_of_conv2d(shape, k, s, pad, d):
    """sum(conv2d(z, k) * x) == sum(z * conv2d_transpose(x, k)): the definition, independent of PyTorch."""
    z, kernel = random_inputs([shape, k], seed=3)
    y = conv2d(z, kernel, s, pad, d).numpy()
    x = random_inputs([y.shape], seed=4)[0]
    zt = conv2d_transpose(x, kernel, s, pad, None, d).numpy()
    assert zt.shape == z.shape
    np.testing.assert_allclose(np.sum(y * x), np.sum(z * zt), rtol=1e-12)


# --- depthwise_conv2d -----------------------------------------------------------------------------

DEPTHWISE_CASES = [
    ((2, 7, 9, 3), (3, 3, 3, 1), 1, "valid", 1, F64),
    ((7, 7, 9, 3), (3, 3, 3, 2), 2, "same", 1, F64),
    ((1, 7, 9, 16), (3, 3, 16, 1), 1, "same", 2, F64),
    ((1, 7, 9, 1), (2, 3, 1, 4), (1, 2), "same", 1, F64),
    ((7, 7, 9, 16), (3, 3, 16, 2), 2, "same", 1, F32),
    ((2, 7, 9, 3), (3, 3, 3, 1), 1, "valid", 2, F32),
]


@pytest.mark.parametrize("xs,ks,s,pad,d,dtype", DEPTHWISE_CASES)
def test_depthwise_conv2d_parity(xs, ks, s, pad, d, dtype):
    check_parity(lambda x, k: depthwise_conv2d(x, k, s, pad, d), lambda x, k: torch_depthwise(x, k, s, pad, d),
                 shapes=[xs, ks], dtype=dtype)


@pytest.mark.parametrize("xs,ks,s,pad", [
    ((2, 5, 4, 2), (3, 3, 2, 2), 1, "valid"),
    ((1, 5, 6, 3), (2, 3, 3, 1), 2, "same"),
])
def test_depthwise_conv2d_gradcheck(xs, ks, s, pad):
    x, k = random_inputs([xs, ks])
    assert dg.gradcheck(lambda a, b: depthwise_conv2d(a, b, s, pad), x, k)


def test_depthwise_channel_order_is_keras():
    """Output channel c*M + m is input channel c filtered by multiplier m."""
    x = np.zeros((1, 1, 1, 2), F64)
    x[..., 1] = 1.0
    k = np.arange(4, dtype=F64).reshape(1, 1, 2, 2)  # k[0, 0, c, m] = 2c + m
    np.testing.assert_array_equal(depthwise_conv2d(x, k).numpy().ravel(), [0, 0, 2, 3])


# --- conv1d ---------------------------------------------------------------------------------------

CONV1D_CASES = [
    ((1, 9, 1), (3, 1, 4), 1, "valid", 1, F64),
    ((7, 9, 3), (3, 3, 5), 2, "same", 1, F64),
    ((2, 9, 16), (4, 16, 3), 1, "causal", 2, F64),
    ((2, 10, 3), (2, 3, 2), 3, "causal", 1, F64),
    ((7, 9, 16), (3, 16, 8), 2, "valid", 2, F32),
    ((1, 9, 3), (5, 3, 4), 1, "same", 1, F32),
]


@pytest.mark.parametrize("xs,ks,s,pad,d,dtype", CONV1D_CASES)
def test_conv1d_parity(xs, ks, s, pad, d, dtype):
    check_parity(lambda x, k: conv1d(x, k, s, pad, d), lambda x, k: torch_conv1d(x, k, s, pad, d),
                 shapes=[xs, ks], dtype=dtype)


@pytest.mark.parametrize("pad", ["valid", "same", "causal"])
def test_conv1d_gradcheck(pad):
    x, k = random_inputs([(2, 7, 2), (3, 2, 2)])
    assert dg.gradcheck(lambda a, b: conv1d(a, b, 2, pad, 1), x, k)


def test_conv1d_causal_output_sees_no_future():
    x = np.zeros((1, 6, 1), F64)
    x[0, 4, 0] = 1.0
    y = conv1d(x, np.ones((3, 1, 1), F64), padding="causal").numpy().ravel()
    np.testing.assert_array_equal(y, [0, 0, 0, 0, 1, 1])


# --- dtypes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn,xs,ks", [
    (lambda x, k: conv2d(x, k, 2, "same"), (2, 7, 9, 1), (3, 3, 1, 4)),
    (lambda x, k: conv2d(x, k, 1, "same", 2), (2, 7, 9, 16), (3, 3, 16, 4)),
    (lambda x, k: conv2d_transpose(x, k, 2, "same"), (2, 4, 5, 3), (3, 3, 2, 3)),
    (lambda x, k: depthwise_conv2d(x, k, 1, "same"), (2, 7, 9, 3), (3, 3, 3, 2)),
    (lambda x, k: conv1d(x, k, 1, "causal"), (2, 9, 3), (3, 3, 2)),
])
def test_float32_stays_float32(fn, xs, ks):
    x, k = (dg.Tensor(a, requires_grad=True) for a in random_inputs([xs, ks], dtype=F32))
    y = fn(x, k)
    assert y.dtype == F32
    y.sum().backward()
    assert x.grad.dtype == F32 and k.grad.dtype == F32


# --- errors ---------------------------------------------------------------------------------------

def test_conv2d_channel_mismatch_message():
    x, k = np.zeros((2, 28, 28, 3), F32), np.zeros((3, 3, 1, 32), F32)
    with pytest.raises(ValueError) as info:
        conv2d(x, k)
    assert str(info.value) == (
        "conv2d: input has 3 channels but kernel expects 1. "
        "Received shapes: x=(2, 28, 28, 3), kernel=(3, 3, 1, 32)"
    )


@pytest.mark.parametrize("fn,xs,ks,words", [
    (conv2d, (28, 28, 1), (3, 3, 1, 32), ["conv2d", "4-D", "x=(28, 28, 1)", "kernel=(3, 3, 1, 32)"]),
    (conv2d, (2, 28, 28, 1), (3, 3, 32), ["conv2d", "x=(2, 28, 28, 1)", "kernel=(3, 3, 32)"]),
    (conv2d, (2, 2, 2, 1), (3, 3, 1, 4), ["conv2d", "larger than the padded input", "x=(2, 2, 2, 1)"]),
    (conv1d, (2, 9, 4), (3, 3, 8), ["conv1d", "input has 4 channels but kernel expects 3", "x=(2, 9, 4)"]),
    (conv1d, (2, 9, 4, 1), (3, 4, 8), ["conv1d", "3-D", "x=(2, 9, 4, 1)"]),
    (depthwise_conv2d, (2, 9, 9, 4), (3, 3, 2, 1), ["depthwise_conv2d", "4 channels", "kernel=(3, 3, 2, 1)"]),
    (conv2d_transpose, (2, 5, 5, 4), (3, 3, 4, 2), ["conv2d_transpose", "4 channels", "kernel=(3, 3, 4, 2)"]),
])
def test_shape_errors_name_op_and_shapes(fn, xs, ks, words):
    with pytest.raises(ValueError) as info:
        fn(np.zeros(xs, F32), np.zeros(ks, F32))
    for word in words:
        assert word in str(info.value)


def test_argument_errors():
    x, k = np.zeros((1, 5, 5, 1), F32), np.zeros((3, 3, 1, 1), F32)
    with pytest.raises(ValueError, match=r"conv2d: padding must be one of 'valid', 'same'. Received: padding='full'"):
        conv2d(x, k, padding="full")
    with pytest.raises(ValueError, match=r"conv2d: strides must be a positive int"):
        conv2d(x, k, strides=0)
    with pytest.raises(ValueError, match=r"conv2d_transpose: output_padding .* lower than its stride"):
        conv2d_transpose(x, k, strides=2, output_padding=2)
    with pytest.raises(ValueError, match=r"conv1d: padding must be one of 'valid', 'same', 'causal'"):
        conv1d(np.zeros((1, 5, 1), F32), np.zeros((3, 1, 1), F32), padding="full")
