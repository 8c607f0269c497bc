"""keras.ops.nn against real Keras 3 (torch backend): values, dtypes and gradients, float32 and float64."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import ops as dg_ops
from tests.keras.ops.oracle import check_op, torch
from tests.parity import check_parity

FLOATS = ("float32", "float64")


def rand(shape, dtype="float32", seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def away_from(x, points, gap=0.05):
    """x nudged away from the kinks `points`, so finite slopes agree on both sides."""
    x = x.copy()
    for p in points:
        near = np.abs(x - p) < gap
        x[near] = p + np.where(x[near] >= p, gap, -gap)
    return x


# ----------------------------------------------------------------------------- activations

ACTIVATIONS = [
    ("relu", {}, (0,)), ("relu6", {}, (0, 6)), ("sigmoid", {}, ()), ("softplus", {}, ()),
    ("softsign", {}, ()), ("silu", {}, ()), ("swish", {}, ()), ("log_sigmoid", {}, ()),
    ("leaky_relu", {}, (0,)), ("leaky_relu", dict(negative_slope=0.05), (0,)),
    ("hard_sigmoid", {}, (-3, 3)), ("hard_silu", {}, (-3, 3)), ("hard_swish", {}, (-3, 3)),
    ("elu", {}, (0,)), ("elu", dict(alpha=0.5), (0,)), ("selu", {}, (0,)),
    ("gelu", {}, ()), ("gelu", dict(approximate=False), ()), ("celu", {}, (0,)), ("celu", dict(alpha=2.0), (0,)),
    ("hard_tanh", {}, (-1, 1)), ("hard_shrink", {}, (-0.5, 0.5)), ("hard_shrink", dict(threshold=1.2), (-1.2, 1.2)),
    ("soft_shrink", {}, (-0.5, 0.5)), ("soft_shrink", dict(threshold=0.9), (-0.9, 0.9)),
    ("tanh_shrink", {}, ()), ("sparse_plus", {}, (-1, 1)), ("sparse_sigmoid", {}, (-1, 1)),
    ("squareplus", {}, ()), ("squareplus", dict(b=1.5), ()),
    ("softmax", {}, ()), ("softmax", dict(axis=0), ()), ("softmax", dict(axis=(0, 1)), ()),
    ("softmax", dict(axis=None), ()),
    ("log_softmax", {}, ()), ("log_softmax", dict(axis=1), ()), ("log_softmax", dict(axis=None), ()),
    ("glu", {}, ()), ("glu", dict(axis=0), ()),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,kwargs,kinks", ACTIVATIONS, ids=lambda v: str(v))
def test_activation(name, kwargs, kinks, dtype):
    x = away_from(rand((4, 6, 4), dtype, seed=len(name), low=-7, high=7), kinks).astype(dtype)
    check_op(name, [x], kwargs, grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_threshold(dtype):
    x = away_from(rand((5, 4), dtype), (0.3,)).astype(dtype)
    check_op("threshold", [x, 0.3, -2.0], grad=True)


@pytest.mark.parametrize("name", ["relu", "relu6", "hard_tanh"])
def test_integer_activations_keep_ints(name):
    check_op(name, [np.array([[-9, -1, 0, 2, 7]], dtype="int32")])


@pytest.mark.parametrize("name", ["sigmoid", "softsign", "tanh_shrink", "sparse_plus", "squareplus"])
def test_integer_activations_give_floats(name):
    check_op(name, [np.array([-3, -1, 0, 2, 5], dtype="int32")])


def _sparsemax_reference(x, axis):
    """The projection of x onto the simplex along `axis`, in NumPy (Martins & Astudillo, Algorithm 1)."""
    x = np.moveaxis(x, axis, -1)
    z = -np.sort(-x, axis=-1)
    cums = np.cumsum(z, axis=-1)
    r = np.arange(1, x.shape[-1] + 1)
    k = np.sum(1 + r * z > cums, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cums, k - 1, axis=-1) - 1) / k
    return np.moveaxis(np.maximum(x - tau, 0), -1, axis)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_is_the_simplex_projection(dtype, axis):
    x = rand((5, 7), dtype, seed=3, low=-1, high=1)
    y = dg_ops.sparsemax(x, axis=axis).numpy()
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y, _sparsemax_reference(x.astype("float64"), axis), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y.sum(axis=axis), 1, rtol=1e-5)
    # Keras 3.15 agrees where the support is a single entry (one clear winner per row).
    peaked = x.copy()
    peaked[np.arange(5), np.arange(5)] += 3 if axis == -1 else 0
    if axis == -1:
        check_op("sparsemax", [peaked], dict(axis=axis), grad=True)


def test_sparsemax_gradient_is_the_projected_jacobian():
    x = np.array([[0.9, 0.8, 0.1, -0.5], [0.3, 0.2, 0.25, 0.0]])
    t = dg.Tensor(x, requires_grad=True)
    w = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, 1.0]])
    with dg.GradientTape() as tape:
        tape.watch(t)
        loss = dg.reduce_sum(dg_ops.sparsemax(t) * dg.Tensor(w))
    g = tape.gradient(loss, t).numpy()
    s = _sparsemax_reference(x, -1) > 0
    expected = s * (w - (w * s).sum(-1, keepdims=True) / s.sum(-1, keepdims=True))
    np.testing.assert_allclose(g, expected, rtol=1e-12)


# ----------------------------------------------------------------------------- convolution

CONVS = [
    # (input shape, kernel shape, kwargs)
    ((2, 9, 3), (3, 3, 4), {}),
    ((2, 9, 3), (3, 3, 4), dict(strides=2, padding="same")),
    ((2, 10, 3), (3, 3, 4), dict(dilation_rate=2, padding="same")),
    ((2, 7, 6, 3), (3, 2, 3, 4), {}),
    ((2, 8, 7, 3), (3, 3, 3, 5), dict(strides=(2, 1), padding="same")),
    ((2, 8, 8, 2), (2, 3, 2, 3), dict(dilation_rate=(2, 1))),
    ((2, 7, 6, 4), (3, 3, 2, 6), dict(padding="same")),  # groups = 2
    ((1, 5, 6, 5, 2), (2, 3, 2, 2, 3), {}),
    ((1, 6, 5, 6, 2), (3, 2, 3, 2, 3), dict(strides=2, padding="same")),
    ((1, 7, 5, 5, 2), (2, 2, 2, 2, 2), dict(dilation_rate=(2, 1, 1))),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("xs,ks,kwargs", CONVS, ids=str)
def test_conv(xs, ks, kwargs, dtype):
    check_op("conv", [rand(xs, dtype, 1), rand(ks, dtype, 2)], kwargs, grad=True)


@pytest.mark.parametrize("name,xs,ks", [
    ("conv", (2, 3, 8, 7), (3, 3, 3, 4)), ("conv", (2, 3, 9), (2, 3, 2)), ("conv", (1, 2, 4, 5, 4), (2, 2, 2, 2, 3)),
    ("depthwise_conv", (2, 3, 8, 7), (3, 3, 3, 2)), ("conv_transpose", (2, 3, 5, 4), (3, 3, 2, 3)),
    ("conv_transpose", (2, 3, 5), (3, 2, 3)),
])
def test_conv_channels_first(name, xs, ks):
    check_op(name, [rand(xs, "float64", 1), rand(ks, "float64", 2)], dict(data_format="channels_first",
                                                                            padding="same", strides=2), grad=True)


DEPTHWISE = [
    ((2, 9, 3), (3, 3, 2), {}),
    ((2, 9, 3), (3, 3, 1), dict(strides=2, padding="same")),
    ((2, 7, 6, 3), (3, 3, 3, 2), {}),
    ((2, 8, 7, 2), (3, 2, 2, 3), dict(strides=2, padding="same", )),
    ((2, 8, 8, 2), (2, 2, 2, 1), dict(dilation_rate=2)),
    ((1, 5, 6, 5, 2), (2, 3, 2, 2, 2), dict(padding="same")),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("xs,ks,kwargs", DEPTHWISE, ids=str)
def test_depthwise_conv(xs, ks, kwargs, dtype):
    check_op("depthwise_conv", [rand(xs, dtype, 1), rand(ks, dtype, 2)], kwargs, grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("xs,dk,pk,kwargs", [
    ((2, 7, 6, 3), (3, 3, 3, 2), (1, 1, 6, 4), {}),
    ((2, 8, 7, 3), (3, 3, 3, 1), (1, 1, 3, 5), dict(strides=2, padding="same")),
    ((2, 9, 3), (3, 3, 2), (1, 6, 4), dict(padding="same")),
], ids=str)
def test_separable_conv(xs, dk, pk, kwargs, dtype):
    check_op("separable_conv", [rand(xs, dtype, 1), rand(dk, dtype, 2), rand(pk, dtype, 3)], kwargs, grad=True)


CONV_T = [
    ((2, 5, 3), (3, 4, 3), {}),
    ((2, 5, 3), (3, 4, 3), dict(strides=2, padding="same")),
    ((2, 5, 3), (4, 2, 3), dict(strides=2, output_padding=1)),
    ((2, 4, 5, 3), (3, 3, 2, 3), {}),
    ((2, 4, 5, 3), (3, 3, 2, 3), dict(strides=2, padding="same")),
    ((2, 4, 4, 3), (3, 2, 4, 3), dict(strides=(2, 3), padding="valid")),
    ((2, 4, 4, 2), (3, 3, 2, 2), dict(strides=2, padding="same", output_padding=1)),
    ((2, 4, 4, 2), (2, 2, 3, 2), dict(dilation_rate=2)),
    ((1, 3, 4, 3, 2), (2, 3, 2, 3, 2), {}),
    ((1, 3, 3, 4, 2), (3, 3, 2, 2, 2), dict(strides=2, padding="same")),
    ((1, 3, 3, 3, 2), (3, 2, 2, 2, 2), dict(strides=(2, 1, 2), output_padding=(1, 0, 1))),
    ((1, 4, 3, 3, 2), (2, 2, 2, 3, 2), dict(dilation_rate=(2, 1, 1), padding="same")),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("xs,ks,kwargs", CONV_T, ids=str)
def test_conv_transpose(xs, ks, kwargs, dtype):
    check_op("conv_transpose", [rand(xs, dtype, 1), rand(ks, dtype, 2)], kwargs, grad=True)


# ----------------------------------------------------------------------------- pooling

POOLS = [
    ((2, 9, 3), 2, {}),
    ((2, 9, 3), 3, dict(strides=1, padding="same")),
    ((2, 8, 7, 3), 2, {}),
    ((2, 8, 7, 3), (3, 2), dict(strides=(2, 1))),
    ((2, 8, 8, 3), 3, dict(strides=1, padding="same")),
    ((1, 6, 5, 4, 2), 2, {}),
    ((1, 6, 6, 5, 2), (3, 3, 3), dict(strides=1, padding="same")),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["max_pool", "average_pool"])
@pytest.mark.parametrize("xs,pool,kwargs", POOLS, ids=str)
def test_pool(name, xs, pool, kwargs, dtype):
    check_op(name, [rand(xs, dtype, 4), pool], kwargs, grad=True)


def test_max_pool_same_uneven_padding():
    # Keras' torch backend pads max pools by edge replication: the same maxima as -inf padding.
    check_op("max_pool", [rand((2, 8, 8, 3), "float64", 5), 2], dict(strides=2, padding="same"), grad=True)
    check_op("max_pool", [rand((2, 7, 3), "float64", 5), 2], dict(strides=2, padding="same"), grad=True)


def test_pool_channels_first():
    check_op("max_pool", [rand((2, 3, 8, 6), "float64", 6), 2], dict(data_format="channels_first"), grad=True)
    check_op("average_pool", [rand((2, 3, 9), "float64", 6), 3], dict(data_format="channels_first", strides=2),
             grad=True)


def test_average_pool_same_uneven_counts_real_cells():
    """TensorFlow's 'same' average: each window's mean over its real cells (Keras' torch backend differs here)."""
    x = np.arange(1.0, 6.0).reshape(1, 5, 1)
    y = dg_ops.average_pool(x, 2, strides=2, padding="same").numpy()
    np.testing.assert_allclose(y.ravel(), [1.5, 3.5, 5.0])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["adaptive_average_pool", "adaptive_max_pool"])
@pytest.mark.parametrize("xs,size,kwargs", [
    ((2, 10, 3), 4, {}), ((2, 9, 7, 3), (4, 3), {}), ((2, 8, 8, 2), 3, {}),
    ((1, 5, 6, 7, 2), (2, 3, 4), {}), ((2, 3, 9, 7), (4, 2), dict(data_format="channels_first")),
], ids=str)
def test_adaptive_pool(name, xs, size, kwargs, dtype):
    check_op(name, [rand(xs, dtype, 7), size], kwargs, grad=True)


# ----------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axes,keepdims", [((0,), False), ([0, 2], True), (1, False), ((0, 1, 2), False)])
def test_moments(axes, keepdims, dtype):
    check_op("moments", [rand((4, 5, 3), dtype, 8, 1, 3), axes], dict(keepdims=keepdims), grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis,with_params", [(-1, True), (1, True), (1, False), (0, True)])
def test_batch_normalization(axis, with_params, dtype):
    x = rand((4, 5, 3), dtype, 9)
    c = x.shape[axis]
    mean, var = rand((c,), dtype, 10), rand((c,), dtype, 11, 0.5, 2)
    params = [rand((c,), dtype, 12), rand((c,), dtype, 13)] if with_params else []
    check_op("batch_normalization", [x, mean, var, axis] + params, dict(epsilon=1e-2), grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis,params", [(-1, "both"), (-1, "none"), ([1, 2], "both"), (-1, "gamma"), (-1, "eps")])
def test_layer_normalization(axis, params, dtype):
    x = rand((3, 4, 5), dtype, 14)
    shape = tuple(x.shape[a] for a in ([axis] if isinstance(axis, int) else axis))
    kwargs = dict(axis=axis)
    if params in ("both", "gamma", "eps"):
        kwargs["gamma"] = rand(shape, dtype, 15)
    if params in ("both", "eps"):
        kwargs["beta"] = rand(shape, dtype, 16)
    if params == "eps":
        kwargs["epsilon"] = 0.1
    gamma, beta = kwargs.pop("gamma", None), kwargs.pop("beta", None)
    # float64: torch's CPU layer_norm kernel is off by up to 1e-5 relative (deepgrad is exact: see below).
    check_op("layer_normalization", [x, gamma, beta], kwargs, grad=True,
             **(dict(rtol=5e-5, atol=1e-6) if dtype == "float64" else {}))


def _layer_norm_reference(x, axes, gamma=None, beta=None, epsilon=1e-7):
    m = x.mean(axis=axes, keepdims=True)
    y = (x - m) / np.sqrt(x.var(axis=axes, keepdims=True) + epsilon)
    return y * (1 if gamma is None else gamma) + (0 if beta is None else beta)


@pytest.mark.parametrize("axis", [-1, 1, (0, 2)])
def test_layer_normalization_exact_in_float64(axis):
    """Against NumPy in float64 (also the axes Keras' torch backend rejects: a single non-trailing axis)."""
    x = rand((3, 4, 5), "float64", 47)
    axes = (axis,) if isinstance(axis, int) else axis
    full = tuple(d if i in [a % 3 for a in axes] else 1 for i, d in enumerate(x.shape))
    gamma, beta = rand(full, "float64", 48), rand(full, "float64", 49)
    y = dg_ops.layer_normalization(x, gamma.squeeze() if axis == -1 else gamma, beta, axis=list(axes)
                                   if not isinstance(axis, int) else axis).numpy()
    np.testing.assert_allclose(y, _layer_norm_reference(x, axes, gamma, beta), rtol=1e-12, atol=1e-13)
    y = dg_ops.rms_normalization(x, axis=axis).numpy()
    expected = x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + 1e-7)
    np.testing.assert_allclose(y, expected, rtol=1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis,with_scale", [(-1, True), (-1, False), ([1, 2], True), ([1, 2], False)])
def test_rms_normalization(axis, with_scale, dtype):
    x = rand((3, 4, 5), dtype, 17)
    shape = tuple(x.shape[a] for a in ([axis] if isinstance(axis, int) else axis))
    scale = rand(shape, dtype, 18) if with_scale else None
    # float64: torch's rms_norm (and Keras' normalize below) lose about 1e-6 relative through float32 steps.
    check_op("rms_normalization", [x, scale], dict(axis=axis), grad=True, rtol=1e-5 if dtype == "float64" else None)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kwargs", [{}, dict(axis=0), dict(order=1), dict(order=3, axis=1), dict(epsilon=1e-3)])
def test_normalize(kwargs, dtype):
    check_op("normalize", [rand((4, 5), dtype, 19)], kwargs, grad=True, rtol=1e-5 if dtype == "float64" else None)


def test_normalize_gradient_exact_in_float64():
    x = rand((4, 5), "float64", 19)
    check_parity(lambda t: dg_ops.normalize(t, axis=0),
                 lambda t: t * torch.rsqrt((t * t).sum(0, keepdim=True)), inputs=[x])
    check_parity(lambda t: dg_ops.normalize(t, order=3),
                 lambda t: t / (t.abs() ** 3).sum(-1, keepdim=True) ** (1 / 3), inputs=[x])


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("kwargs", [dict(num_classes=5), dict(num_classes=5, axis=0), dict(num_classes=6, axis=1),
                                    dict(num_classes=5, dtype="int32"), dict(num_classes=5, dtype="float64")])
def test_one_hot(kwargs):
    x = np.array([[0, 3, 4], [-1, 2, 1]], dtype="int32")
    check_op("one_hot", [x], kwargs)


@pytest.mark.parametrize("x,kwargs", [
    (np.array([[0, 3, 3], [2, 1, 0]], dtype="int32"), dict(num_classes=5)),
    (np.array([0, 4], dtype="int32"), dict(num_classes=5)),
    (np.array([[1, 2], [0, 0]], dtype="int32"), dict(num_classes=3, dtype="int32")),
])
def test_multi_hot(x, kwargs):
    check_op("multi_hot", [x], kwargs)


# ----------------------------------------------------------------------------- losses


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_crossentropy(from_logits, dtype):
    target = rand((4, 3), dtype, 20, 0, 1)
    output = rand((4, 3), dtype, 21, -3, 3) if from_logits else rand((4, 3), dtype, 21, 0.02, 0.98)
    check_op("binary_crossentropy", [target, output], dict(from_logits=from_logits), grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("from_logits,axis", [(False, -1), (True, -1), (True, 0), (False, 1)])
def test_categorical_crossentropy(from_logits, axis, dtype):
    target = rand((4, 5, 3), dtype, 22, 0, 1)
    output = rand((4, 5, 3), dtype, 23, -3, 3) if from_logits else rand((4, 5, 3), dtype, 23, 0.05, 1)
    check_op("categorical_crossentropy", [target, output], dict(from_logits=from_logits, axis=axis), grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("from_logits,axis,target_shape", [
    (True, -1, (4, 5)), (False, -1, (4, 5)), (True, -1, (4, 5, 1)), (True, 1, (4, 3)), (False, 1, (4, 3)),
])
def test_sparse_categorical_crossentropy(from_logits, axis, target_shape, dtype):
    output = rand((4, 5, 3), dtype, 24, -3, 3) if from_logits else rand((4, 5, 3), dtype, 24, 0.05, 1)
    classes = output.shape[axis]
    target = np.random.default_rng(25).integers(0, classes, size=target_shape).astype("int32")
    check_op("sparse_categorical_crossentropy", [target, output], dict(from_logits=from_logits, axis=axis),
             grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_psnr(dtype):
    check_op("psnr", [rand((2, 6, 5, 3), dtype, 26, 0, 1), rand((2, 6, 5, 3), dtype, 27, 0, 1), 1.0], grad=True)
    check_op("psnr", [rand((7,), dtype, 28, 0, 255), rand((7,), dtype, 29, 0, 255), 255.0], grad=True)


# ----------------------------------------------------------------------------- attention


def _torch_attention(q, k, v, mask=None, is_causal=False, **kwargs):
    """Keras' torch backend in float64 (Keras itself computes float64 attention in float32)."""
    if mask is not None:
        mask = torch.tensor(mask)
        if is_causal:
            mask = mask & torch.tril(torch.ones(q.shape[1], k.shape[1], dtype=torch.bool))
            is_causal = False
    if "bias" in kwargs:
        mask = torch.tensor(kwargs.pop("bias"))
    out = torch.nn.functional.scaled_dot_product_attention(
        q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=mask, is_causal=is_causal,
        enable_gqa=True, **kwargs)
    return out.transpose(1, 2)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("heads,kv_heads,kwargs", [
    (2, 2, {}), (4, 2, {}), (4, 1, {}), (2, 2, dict(scale=0.3)), (2, 2, dict(is_causal=True)),
    (4, 2, dict(mask="mask")), (2, 2, dict(bias="bias")), (4, 2, dict(mask="mask", is_causal=True)),
])
def test_dot_product_attention(heads, kv_heads, kwargs, dtype):
    b, t, s, h = 2, 5, 5, 4
    q, k, v = rand((b, t, heads, h), dtype, 30), rand((b, s, kv_heads, h), dtype, 31), rand((b, s, kv_heads, h),
                                                                                          dtype, 32)
    kwargs = dict(kwargs)
    if kwargs.get("mask") == "mask":
        mask = np.random.default_rng(33).uniform(size=(b, 1, t, s)) > 0.3
        mask[..., 0] = True
        kwargs["mask"] = mask
    args = [q, k, v]
    if kwargs.get("bias") == "bias":
        kwargs["bias"] = rand((1, heads, t, s), dtype, 34)
    if dtype == "float32":
        if "bias" in kwargs:  # positional, so that its gradient is checked too
            args.append(kwargs.pop("bias"))
        check_op("dot_product_attention", args, kwargs, grad=True)
    else:
        check_parity(lambda *a: dg_ops.dot_product_attention(*a, **kwargs),
                     lambda *a: _torch_attention(*a, **kwargs), inputs=[q, k, v])


def test_dot_product_attention_cross_lengths():
    q, k, v = rand((2, 3, 2, 4), "float32", 35), rand((2, 6, 2, 4), "float32", 36), rand((2, 6, 2, 4), "float32", 37)
    check_op("dot_product_attention", [q, k, v], grad=True)


def test_dot_product_attention_soft_cap():
    """logits -> cap * tanh(logits / cap) before the softmax (the documented meaning; torch's Keras ignores it)."""
    q, k, v = rand((1, 3, 1, 2), "float64", 38), rand((1, 4, 1, 2), "float64", 39), rand((1, 4, 1, 2), "float64", 40)
    y = dg_ops.dot_product_attention(q, k, v, attn_logits_soft_cap=0.5).numpy()
    logits = np.einsum("tnh,snh->nts", q[0], k[0]) / np.sqrt(2)
    logits = 0.5 * np.tanh(logits / 0.5)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.testing.assert_allclose(y[0], np.einsum("nts,snh->tnh", p, v[0]), rtol=1e-10)


# ----------------------------------------------------------------------------- CTC


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("mask_index", [0, 4])
def test_ctc_loss(mask_index, dtype):
    rng = np.random.default_rng(50)
    classes = 5
    labels = [c for c in range(classes) if c != mask_index]
    target = rng.choice(labels, size=(4, 4)).astype("int32")
    target[1, 1] = target[1, 2]  # a repeated label needs a blank between its copies
    target_length = np.array([4, 3, 1, 2], dtype="int32")
    output_length = np.array([9, 7, 3, 8], dtype="int32")
    output = rand((4, 9, classes), dtype, 51)
    if dtype == "float32":
        check_op("ctc_loss", [target, output, target_length, output_length], dict(mask_index=mask_index),
                 grad=True, grad_inputs=[1])
    else:  # Keras' torch backend computes a float64 CTC loss in float32; torch's own is the float64 reference
        check_parity(
            lambda o: dg_ops.ctc_loss(target, o, target_length, output_length, mask_index=mask_index),
            lambda o: torch.nn.functional.ctc_loss(
                torch.log_softmax(o, -1).transpose(0, 1), torch.tensor(target).long(), torch.tensor(output_length),
                torch.tensor(target_length), blank=mask_index, reduction="none"),
            inputs=[output])


def test_ctc_loss_impossible_alignment_is_inf():
    target = np.array([[1, 1, 1]], dtype="int32")  # needs 5 frames, only 4 given
    loss = dg_ops.ctc_loss(target, rand((1, 4, 3), "float32", 52), np.array([3]), np.array([4])).numpy()
    assert np.isinf(loss).all() and loss.dtype == np.float32


@pytest.mark.parametrize("kwargs", [{}, dict(merge_repeated=False), dict(mask_index=2), dict(mask_index=None)])
def test_ctc_decode_greedy(kwargs):
    x = rand((3, 8, 4), "float32", 53)
    x[0, 2:4, 1] = 9  # a repeated best class
    lengths = np.array([8, 5, 2], dtype="int32")
    check_op("ctc_decode", [x, lengths], kwargs)


@pytest.mark.parametrize("kwargs", [dict(beam_width=3), dict(beam_width=4, top_paths=3), dict(beam_width=10,
                                    top_paths=2, mask_index=3), dict(beam_width=2, top_paths=2, mask_index=None)])
def test_ctc_decode_beam_search(kwargs):
    x = rand((3, 7, 4), "float32", 54, -2, 2)
    x[0, 1:3, 2] = 3  # a label held over frames
    lengths = np.array([7, 5, 1], dtype="int32")
    check_op("ctc_decode", [x, lengths], dict(kwargs, strategy="beam_search"))


def test_ctc_decode_beam_search_fewer_paths_than_asked():
    """One frame of two classes has two prefixes; a third path is empty with score -inf, as Keras."""
    x = rand((1, 1, 2), "float32", 55)
    check_op("ctc_decode", [x, np.array([1])], dict(strategy="beam_search", top_paths=3, beam_width=5))


# ----------------------------------------------------------------------------- rearrangements


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_depth_space(fmt, dtype):
    shape = (2, 3, 4, 8) if fmt == "channels_last" else (2, 8, 3, 4)
    check_op("depth_to_space", [rand(shape, dtype, 41), 2], dict(data_format=fmt), grad=True)
    shape = (2, 4, 6, 3) if fmt == "channels_last" else (2, 3, 4, 6)
    check_op("space_to_depth", [rand(shape, dtype, 42), 2], dict(data_format=fmt), grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_polar(dtype):
    check_op("polar", [rand((3, 4), dtype, 43, 0, 2), rand((3, 4), dtype, 44)], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=(3, 2), stride=2, padding=1),
                                    dict(kernel_size=2, dilation=2, padding=(0, 1))])
def test_unfold_fold(kwargs, dtype):
    x = rand((2, 3, 7, 6), dtype, 45)
    cols = check_op("unfold", [x], kwargs, grad=True)
    check_op("fold", [rand(cols.shape, dtype, 46)], dict(kwargs, output_size=(7, 6)), grad=True)


COVERED_KERAS_OPS = {
    "relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish", "log_sigmoid", "leaky_relu",
    "hard_sigmoid", "hard_silu", "hard_swish", "elu", "selu", "gelu", "celu", "hard_tanh", "hard_shrink",
    "soft_shrink", "tanh_shrink", "sparse_plus", "sparse_sigmoid", "squareplus", "softmax", "log_softmax", "glu",
    "threshold", "sparsemax", "conv", "depthwise_conv", "separable_conv", "conv_transpose", "max_pool",
    "average_pool", "adaptive_average_pool", "adaptive_max_pool", "moments", "batch_normalization",
    "layer_normalization", "rms_normalization", "normalize", "one_hot", "multi_hot", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "psnr", "dot_product_attention",
    "depth_to_space", "space_to_depth", "polar", "unfold", "fold", "ctc_loss", "ctc_decode",
}
COVERED_OPS = {
    "relu6", "hard_tanh", "hard_sigmoid", "hard_silu", "celu", "softsign", "log_sigmoid", "sparse_plus",
    "sparse_sigmoid", "squareplus", "tanh_shrink", "hard_shrink", "soft_shrink", "threshold", "sparsemax",
}
