"""Neural-network ops: gradcheck in float64, parity with PyTorch, stability, dropout, errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.backend import set_seed
from deepgrad.ops import nn
from tests.parity import check_parity, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"batch_norm_infer", "batch_norm_train", "binary_cross_entropy_with_logits",
    "dropout", "embedding", "l2_normalize", "layer_norm", "log_softmax", "softmax",
    "softmax_cross_entropy"}

if torch is not None:
    import torch.nn.functional as F

R = np.random.default_rng(0)


def uniform(*shape, dtype=np.float64, low=-2.0, high=2.0):
    return R.uniform(low, high, size=shape).astype(dtype)


def probs(*shape, axis=-1, dtype=np.float64):
    p = R.uniform(0.1, 1.0, size=shape)
    return (p / p.sum(axis=axis, keepdims=True)).astype(dtype)


def labels(classes, *shape, dtype=np.int64):
    return R.integers(0, classes, size=shape).astype(dtype)


def nchw(t):
    return t.permute(0, 3, 1, 2)


def nhwc(t):
    return t.permute(0, 2, 3, 1)


F64, F32 = np.float64, np.float32
ce, bce, bn = nn.softmax_cross_entropy, nn.binary_cross_entropy_with_logits, nn.batch_norm_train
BN_MEAN, BN_VAR = uniform(3), uniform(3, low=0.5, high=2)

# ----------------------------------------------------------------------------- gradcheck (float64)

GRADCHECKS = [
    ("softmax", lambda x: nn.softmax(x), [uniform(3, 5)]),
    ("softmax axis 0", lambda x: nn.softmax(x, axis=0), [uniform(4, 3)]),
    ("softmax axes (1,2)", lambda x: nn.softmax(x, axis=(1, 2)), [uniform(2, 3, 2)]),
    ("log_softmax", lambda x: nn.log_softmax(x), [uniform(3, 5)]),
    ("log_softmax axis 1", lambda x: nn.log_softmax(x, axis=1), [uniform(2, 4, 3)]),
    ("ce int", lambda x, y: nn.softmax_cross_entropy(x, y), [uniform(4, 5), labels(5, 4)]),
    ("ce int (N,1)", lambda x, y: nn.softmax_cross_entropy(x, y), [uniform(4, 5), labels(5, 4, 1, dtype=np.int32)]),
    ("ce int axis 1", lambda x, y: nn.softmax_cross_entropy(x, y, axis=1), [uniform(2, 4, 3), labels(4, 2, 3)]),
    ("ce probs", lambda x, p: nn.softmax_cross_entropy(x, p), [uniform(4, 5), probs(4, 5)]),
    ("ce probs axis 0", lambda x, p: nn.softmax_cross_entropy(x, p, axis=0), [uniform(4, 3), probs(4, 3, axis=0)]),
    ("ce unnormalised p", lambda x, p: nn.softmax_cross_entropy(x, p), [uniform(3, 4), uniform(3, 4, low=0, high=2)]),
    ("bce", lambda x, z: bce(x, z), [uniform(3, 4, low=-5, high=5), uniform(3, 4, low=0, high=1)]),
    ("bce broadcast", lambda x, z: bce(x, z), [uniform(3, 4), uniform(1, 4, low=0, high=1)]),
    ("dropout", lambda x: nn.dropout(x, 0.4, seed=1), [uniform(4, 5)]),
    ("dropout noise_shape", lambda x: nn.dropout(x, 0.5, noise_shape=(2, 1, 1, 3), seed=2), [uniform(2, 2, 2, 3)]),
    ("bn nhwc", lambda x, g, b: bn(x, g, b, (0, 1, 2))[0], [uniform(2, 3, 3, 2), uniform(2), uniform(2)]),
    ("bn dense", lambda x, g, b: nn.batch_norm_train(x, g, b, (0,))[0], [uniform(5, 3), uniform(3), uniform(3)]),
    ("bn nchw axes", lambda x, g, b: bn(x, g, b, (0, 2, 3))[0], [uniform(2, 2, 2, 3), uniform(2), uniform(2)]),
    ("bn no gamma", lambda x, b: nn.batch_norm_train(x, None, b, (0,))[0], [uniform(5, 3), uniform(3)]),
    ("bn no beta", lambda x, g: nn.batch_norm_train(x, g, None, (0,))[0], [uniform(5, 3), uniform(3)]),
    ("bn infer", lambda x, g, b: nn.batch_norm_infer(x, g, b, BN_MEAN, BN_VAR),
     [uniform(2, 2, 3), uniform(3), uniform(3)]),
    ("layer_norm", lambda x, g, b: nn.layer_norm(x, g, b), [uniform(3, 5), uniform(5), uniform(5)]),
    ("layer_norm axes (1,2)", lambda x, g, b: nn.layer_norm(x, g, b, axes=(1, 2)),
     [uniform(2, 3, 4), uniform(3, 4), uniform(3, 4)]),
    ("layer_norm axis 1 of 3", lambda x, g, b: nn.layer_norm(x, g, b, axes=(1,)),
     [uniform(2, 4, 3), uniform(4), uniform(4)]),
    ("layer_norm no params", lambda x: nn.layer_norm(x, None, None), [uniform(3, 5)]),
    ("embedding sparse table", lambda t: nn.embedding(np.array([[1, 3, 1], [0, 7, 1]]), t), [uniform(10, 3)]),
    ("embedding dense table", lambda t: nn.embedding(np.array([[1, 3, 1, 0], [0, 2, 1, 1]]), t), [uniform(4, 3)]),
    ("l2_normalize", lambda x: nn.l2_normalize(x), [uniform(3, 4)]),
    ("l2_normalize axis 0", lambda x: nn.l2_normalize(x, axis=0), [uniform(3, 4)]),
    ("l2_normalize axes (1,2)", lambda x: nn.l2_normalize(x, axis=(1, 2)), [uniform(2, 2, 3)]),
]


@pytest.mark.parametrize("name,fn,arrays", GRADCHECKS, ids=[c[0] for c in GRADCHECKS])
def test_gradcheck(name, fn, arrays):
    assert dg.gradcheck(fn, *arrays)


def test_gradcheck_ce_probability_labels_get_gradient():
    """Probability labels that require grad receive -g * log_softmax (checked numerically)."""
    assert dg.gradcheck(lambda x, p: nn.softmax_cross_entropy(x, p), uniform(3, 4), probs(3, 4))


def test_gradcheck_l2_normalize_below_epsilon():
    """Where sum(x^2) < eps the norm is the constant sqrt(eps): y = x / sqrt(eps)."""
    x = np.array([[1e-8, -2e-8], [0.5, 1.0]])
    assert dg.gradcheck(lambda t: nn.l2_normalize(t, epsilon=1e-12), x, eps=1e-10, atol=1e-3)


# ----------------------------------------------------------------------------- parity with PyTorch


def ce_inputs(shape, classes_axis=-1, dtype=F64, sparse=True):
    x = uniform(*shape, dtype=dtype, low=-3, high=3)
    if sparse:
        reduced = tuple(d for i, d in enumerate(shape) if i != classes_axis % len(shape))
        return [x, labels(shape[classes_axis], *reduced)]
    return [x, probs(*shape, axis=classes_axis, dtype=dtype)]


PARITY = [
    # softmax (weighted, since sum(softmax) is constant) and log_softmax
    ("softmax", lambda x, w: nn.softmax(x) * w, lambda x, w: torch.softmax(x, -1) * w, [(4, 6), (4, 6)]),
    ("softmax axis 0", lambda x, w: nn.softmax(x, 0) * w, lambda x, w: torch.softmax(x, 0) * w, [(4, 6), (4, 6)]),
    ("softmax axis 1 of 3", lambda x, w: nn.softmax(x, 1) * w, lambda x, w: torch.softmax(x, 1) * w,
     [(2, 5, 3), (2, 5, 3)]),
    ("log_softmax", lambda x: nn.log_softmax(x), lambda x: torch.log_softmax(x, -1), [(4, 6)]),
    ("log_softmax axis 0", lambda x: nn.log_softmax(x, 0), lambda x: torch.log_softmax(x, 0), [(4, 6)]),
    ("log_softmax axis 1 of 3", lambda x: nn.log_softmax(x, 1), lambda x: torch.log_softmax(x, 1), [(2, 5, 3)]),
    # binary cross-entropy
    ("bce", lambda x, z: nn.binary_cross_entropy_with_logits(x, z),
     lambda x, z: F.binary_cross_entropy_with_logits(x, z, reduction="none"), [(5, 4), (5, 4)]),
    ("bce broadcast", lambda x, z: nn.binary_cross_entropy_with_logits(x, z),
     lambda x, z: x.clamp(min=0) - x * z + torch.log1p(torch.exp(-x.abs())), [(5, 4), (4,)]),
    # l2_normalize
    ("l2_normalize", lambda x: nn.l2_normalize(x), lambda x: F.normalize(x, dim=-1, eps=1e-12), [(4, 6)]),
    ("l2_normalize axis 0", lambda x: nn.l2_normalize(x, 0), lambda x: F.normalize(x, dim=0, eps=1e-12), [(4, 6)]),
    ("l2_normalize axis 1", lambda x: nn.l2_normalize(x, 1), lambda x: F.normalize(x, dim=1, eps=1e-12), [(2, 5, 3)]),
    # batch norm with batch statistics (weighted: sum(normalised x) is constant)
    ("bn nhwc", lambda x, g, b, w: nn.batch_norm_train(x, g, b, (0, 1, 2))[0] * w,
     lambda x, g, b, w: nhwc(F.batch_norm(nchw(x), None, None, g, b, True, 0.0, 1e-3)) * w,
     [(4, 5, 5, 3), (3,), (3,), (4, 5, 5, 3)]),
    ("bn dense", lambda x, g, b, w: nn.batch_norm_train(x, g, b, (0,))[0] * w,
     lambda x, g, b, w: F.batch_norm(x, None, None, g, b, True, 0.0, 1e-3) * w, [(8, 6), (6,), (6,), (8, 6)]),
    ("bn nchw axes", lambda x, g, b, w: nn.batch_norm_train(x, g, b, (0, 2, 3))[0] * w,
     lambda x, g, b, w: F.batch_norm(x, None, None, g, b, True, 0.0, 1e-3) * w,
     [(3, 4, 3, 3), (4,), (4,), (3, 4, 3, 3)]),
    ("bn no affine", lambda x, w: nn.batch_norm_train(x, None, None, (0,))[0] * w,
     lambda x, w: F.batch_norm(x, None, None, None, None, True, 0.0, 1e-3) * w, [(8, 6), (8, 6)]),
    # layer norm
    ("layer_norm", lambda x, g, b, w: nn.layer_norm(x, g, b) * w,
     lambda x, g, b, w: F.layer_norm(x, (6,), g, b, 1e-3) * w, [(4, 6), (6,), (6,), (4, 6)]),
    ("layer_norm axes (-2,-1)", lambda x, g, b, w: nn.layer_norm(x, g, b, axes=(-2, -1)) * w,
     lambda x, g, b, w: F.layer_norm(x, (3, 4), g, b, 1e-3) * w, [(2, 3, 4), (3, 4), (3, 4), (2, 3, 4)]),
    ("layer_norm axes (1,2,3)", lambda x, g, b, w: nn.layer_norm(x, g, b, axes=(1, 2, 3)) * w,
     lambda x, g, b, w: F.layer_norm(x, (2, 3, 2), g, b, 1e-3) * w,
     [(2, 2, 3, 2), (2, 3, 2), (2, 3, 2), (2, 2, 3, 2)]),
    ("layer_norm no affine", lambda x, w: nn.layer_norm(x, None, None) * w,
     lambda x, w: F.layer_norm(x, (6,), None, None, 1e-3) * w, [(4, 6), (4, 6)]),
]


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("name,ours,theirs,shapes", PARITY, ids=[c[0] for c in PARITY])
def test_parity(name, ours, theirs, shapes, dtype):
    if name.startswith("bce"):  # labels in [0, 1]
        arrays = [uniform(*shapes[0], dtype=dtype, low=-4, high=4), uniform(*shapes[1], dtype=dtype, low=0, high=1)]
        check_parity(ours, theirs, inputs=arrays)
    else:
        check_parity(ours, theirs, shapes=shapes, dtype=dtype)


CE_PARITY = [
    # (name, shape, class axis, sparse labels?)
    ("int", (6, 5), -1, True),
    ("int axis 1 of 3", (3, 4, 5), 1, True),
    ("probs", (6, 5), -1, False),
    ("probs axis 1 of 3", (3, 4, 5), 1, False),
]


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("name,shape,axis,sparse", CE_PARITY, ids=[c[0] for c in CE_PARITY])
def test_parity_cross_entropy(name, shape, axis, sparse, dtype):
    """torch.nn.functional.cross_entropy takes its classes on dim 1: the axis=1 cases map directly."""
    def theirs(x, y):
        return F.cross_entropy(x, y.long() if sparse else y, reduction="none")

    check_parity(lambda x, y: nn.softmax_cross_entropy(x, y, axis=axis), theirs,
                 inputs=ce_inputs(shape, axis, dtype, sparse))


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
def test_parity_cross_entropy_class_axis_last_of_3(dtype):
    x, y = ce_inputs((2, 3, 5), -1, dtype, sparse=True)
    check_parity(lambda x, y: nn.softmax_cross_entropy(x, y),
                 lambda x, y: F.cross_entropy(x.permute(0, 2, 1), y.long(), reduction="none"), inputs=[x, y])


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
def test_parity_batch_norm_infer(dtype):
    mean, var = uniform(3, dtype=dtype), uniform(3, dtype=dtype, low=0.2, high=2)
    x, w = uniform(2, 4, 4, 3, dtype=dtype), uniform(2, 4, 4, 3, dtype=dtype)
    g, b = uniform(3, dtype=dtype), uniform(3, dtype=dtype)
    check_parity(lambda x, g, b, w: nn.batch_norm_infer(x, g, b, mean, var) * w,
                 lambda x, g, b, w: nhwc(F.batch_norm(nchw(x), torch.tensor(mean), torch.tensor(var), g, b,
                                                      False, 0.0, 1e-3)) * w, inputs=[x, g, b, w])


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("vocab,ids_shape", [(20, (3, 4)), (5, (4, 6)), (7, (2, 3, 5))])
def test_parity_embedding(vocab, ids_shape, dtype):
    """Repeated ids included; (20, (3, 4)) takes the sort path, the others the bincount path."""
    table, ids = uniform(vocab, 4, dtype=dtype), labels(vocab, *ids_shape)
    check_parity(lambda t, i: nn.embedding(i, t), lambda t, i: F.embedding(i, t), inputs=[table, ids])


@requires_torch
def test_batch_norm_train_returns_batch_statistics():
    x = uniform(4, 3, 3, 5)
    y, mean, var = nn.batch_norm_train(x, np.ones(5), np.zeros(5), (0, 1, 2))
    assert mean.shape == var.shape == (5,)
    np.testing.assert_allclose(mean, x.mean(axis=(0, 1, 2)), rtol=1e-12)
    np.testing.assert_allclose(var, x.var(axis=(0, 1, 2)), rtol=1e-12)  # biased
    running_mean, running_var = torch.zeros(5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64)
    F.batch_norm(nchw(torch.tensor(x)), running_mean, running_var, training=True, momentum=1.0, eps=1e-3)
    np.testing.assert_allclose(mean, running_mean.numpy(), rtol=1e-12)
    n = 4 * 3 * 3  # torch's running variance is unbiased
    np.testing.assert_allclose(var * n / (n - 1), running_var.numpy(), rtol=1e-12)


# ----------------------------------------------------------------------------- labels of every form


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64])
def test_cross_entropy_integer_label_dtypes(dtype):
    x, y = uniform(5, 4), labels(4, 5)
    expected = nn.softmax_cross_entropy(x, y).numpy()
    np.testing.assert_array_equal(nn.softmax_cross_entropy(x, y.astype(dtype)).numpy(), expected)
    np.testing.assert_array_equal(nn.softmax_cross_entropy(x, y.astype(dtype)[:, None]).numpy(), expected)
    np.testing.assert_array_equal(nn.softmax_cross_entropy(x, dg.Tensor(y.astype(dtype))).numpy(), expected)


def test_cross_entropy_sparse_equals_one_hot():
    x, y = uniform(6, 5), labels(5, 6)
    one_hot = np.eye(5)[y]
    a = dg.Tensor(x, requires_grad=True)
    b = dg.Tensor(x, requires_grad=True)
    la, lb = nn.softmax_cross_entropy(a, y), nn.softmax_cross_entropy(b, one_hot)
    np.testing.assert_allclose(la.numpy(), lb.numpy(), rtol=1e-12)
    la.sum().backward()
    lb.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(la.numpy(), -np.log(np.exp(x)[np.arange(6), y] / np.exp(x).sum(1)), rtol=1e-12)
    # integer one-hot of the logits' shape and whole-number float indices are accepted too
    np.testing.assert_allclose(nn.softmax_cross_entropy(x, one_hot.astype(np.int32)).numpy(), la.numpy(), rtol=1e-12)
    np.testing.assert_allclose(nn.softmax_cross_entropy(x, y.astype(np.float32)).numpy(), la.numpy(), rtol=1e-12)


def test_cross_entropy_label_tensor_without_grad_gets_none():
    x = dg.Tensor(uniform(3, 4), requires_grad=True)
    p = dg.Tensor(probs(3, 4))
    nn.softmax_cross_entropy(x, p).sum().backward()
    assert p.grad is None and x.grad is not None


def test_cross_entropy_probability_labels_gradient_is_minus_log_softmax():
    x, p = dg.Tensor(uniform(3, 4), requires_grad=True), dg.Tensor(probs(3, 4), requires_grad=True)
    g = uniform(3)
    nn.softmax_cross_entropy(x, p).backward(g)
    np.testing.assert_allclose(p.grad.numpy(), -g[:, None] * nn.log_softmax(x.data).numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), g[:, None] * (nn.softmax(x.data).numpy() - p.data), atol=1e-15)


# ----------------------------------------------------------------------------- stability


@pytest.mark.parametrize("dtype", [F64, F32])
def test_softmax_and_log_softmax_stable_at_1e4(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    ls = nn.log_softmax(x).numpy()
    assert ls.dtype == dtype and np.all(np.isfinite(ls))
    expected = [[0, -2e4, -1e4], [-np.log(3)] * 3, [-np.log(2), -np.log(2), -2e4 - np.log(2)]]
    np.testing.assert_allclose(ls, expected, rtol=1e-6)
    sm = nn.softmax(x).numpy()
    assert sm.dtype == dtype and np.all(np.isfinite(sm))
    np.testing.assert_allclose(sm, [[1, 0, 0], [1 / 3] * 3, [0.5, 0.5, 0]], rtol=1e-6, atol=1e-30)
    for op in (nn.softmax, nn.log_softmax):
        t = dg.Tensor(x, requires_grad=True)
        op(t).backward(np.ones_like(x) + np.arange(3, dtype=dtype))
        assert np.all(np.isfinite(t.grad.numpy())) and t.grad.numpy().dtype == dtype


@pytest.mark.parametrize("dtype", [F64, F32])
def test_cross_entropy_stable_at_1e4(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [5.0, -1e4, 5.0]], dtype=dtype)
    y = np.array([1, 1, 0])
    t = dg.Tensor(x, requires_grad=True)
    loss = nn.softmax_cross_entropy(t, y)
    assert loss.numpy().dtype == dtype
    np.testing.assert_allclose(loss.numpy(), [2e4, np.log(2), np.log(2)], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [[1, -1, 0], [0, -0.5, 0.5], [-0.5, 0, 0.5]], atol=1e-6)
    dense = nn.softmax_cross_entropy(x, np.eye(3, dtype=dtype)[y])
    np.testing.assert_allclose(dense.numpy(), [2e4, np.log(2), np.log(2)], rtol=1e-6)
    assert np.all(np.isfinite(dense.numpy()))


@pytest.mark.parametrize("dtype", [F64, F32])
def test_bce_stable_at_1e4(dtype):
    x = np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype)
    z = np.array([1, 0, 0, 1, 0.5], dtype=dtype)
    t = dg.Tensor(x, requires_grad=True)
    loss = nn.binary_cross_entropy_with_logits(t, z)
    assert loss.numpy().dtype == dtype
    np.testing.assert_allclose(loss.numpy(), [0, 0, 1e4, 1e4, np.log(2)], rtol=1e-6, atol=1e-30)
    loss.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [0, 0, 1, -1, 0], atol=1e-7)


# ----------------------------------------------------------------------------- dtypes: float32 stays float32


BN5 = [uniform(5), uniform(5), uniform(5), uniform(5, low=1)]
FLOAT32_CASES = [
    ("softmax", lambda x: nn.softmax(x)),
    ("log_softmax", lambda x: nn.log_softmax(x)),
    ("ce int", lambda x: nn.softmax_cross_entropy(x, np.array([0, 1, 2, 3]))),
    ("ce float64 probs", lambda x: nn.softmax_cross_entropy(x, probs(4, 5))),
    ("bce float64 labels", lambda x: nn.binary_cross_entropy_with_logits(x, uniform(4, 5, low=0, high=1))),
    ("dropout", lambda x: nn.dropout(x, 0.5)),
    ("bn train float64 params", lambda x: nn.batch_norm_train(x, uniform(5), uniform(5), (0,))[0]),
    ("bn infer float64 stats", lambda x: nn.batch_norm_infer(x, BN5[0], BN5[1], BN5[2], BN5[3])),
    ("layer_norm float64 params", lambda x: nn.layer_norm(x, uniform(5), uniform(5))),
    ("l2_normalize", lambda x: nn.l2_normalize(x)),
]


@pytest.mark.parametrize("name,fn", FLOAT32_CASES, ids=[c[0] for c in FLOAT32_CASES])
def test_float32_in_float32_out_and_gradient(name, fn):
    x = dg.Tensor(uniform(4, 5, dtype=F32), requires_grad=True)
    y = fn(x)
    assert y.numpy().dtype == np.float32
    y.sum().backward()
    assert x.grad.numpy().dtype == np.float32


def test_float32_parameter_gradients_stay_float32():
    x = dg.Tensor(uniform(4, 5, dtype=F32), requires_grad=True)
    g, b = dg.Tensor(uniform(5, dtype=F32), requires_grad=True), dg.Tensor(uniform(5, dtype=F32), requires_grad=True)
    table = dg.Tensor(uniform(6, 5, dtype=F32), requires_grad=True)
    out = bn(x, g, b, (0,))[0] * 2 + nn.layer_norm(x, g, b) + nn.embedding(np.arange(4), table)
    out.sum().backward()
    for t in (x, g, b, table):
        assert t.grad.numpy().dtype == np.float32


def test_parameters_without_requires_grad_get_no_gradient():
    x = dg.Tensor(uniform(6, 3), requires_grad=True)
    g, b = dg.Tensor(uniform(3)), dg.Tensor(uniform(3), requires_grad=True)
    nn.batch_norm_train(x, g, b, (0,))[0].sum().backward()
    assert g.grad is None and b.grad is not None and x.grad is not None
    x2 = dg.Tensor(uniform(6, 3))
    g2 = dg.Tensor(uniform(3), requires_grad=True)
    nn.layer_norm(x2, g2, None).sum().backward()
    assert x2.grad is None and g2.grad is not None


def test_embedding_gradient_sums_repeated_ids():
    table = dg.Tensor(np.zeros((4, 2)), requires_grad=True)
    ids = np.array([[1, 1, 3], [1, 0, 3]])
    g = np.arange(12.0).reshape(2, 3, 2)
    nn.embedding(ids, table).backward(g)
    expected = np.zeros((4, 2))
    np.add.at(expected, ids.ravel(), g.reshape(-1, 2))
    np.testing.assert_array_equal(table.grad.numpy(), expected)
    big = dg.Tensor(np.zeros((1000, 2)), requires_grad=True)  # the sorted path (table much larger than ids)
    nn.embedding(ids * 300, big).backward(g)
    expected = np.zeros((1000, 2))
    np.add.at(expected, ids.ravel() * 300, g.reshape(-1, 2))
    np.testing.assert_array_equal(big.grad.numpy(), expected)


# ----------------------------------------------------------------------------- dropout


def test_dropout_same_seed_same_mask():
    x = np.ones((64, 32), dtype=F32)
    set_seed(7)
    a = nn.dropout(x, 0.3).numpy()
    b = nn.dropout(x, 0.3).numpy()
    set_seed(7)
    np.testing.assert_array_equal(nn.dropout(x, 0.3).numpy(), a)
    np.testing.assert_array_equal(nn.dropout(x, 0.3).numpy(), b)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(nn.dropout(x, 0.3, seed=3).numpy(), nn.dropout(x, 0.3, seed=3).numpy())
    assert not np.array_equal(nn.dropout(x, 0.3, seed=3).numpy(), nn.dropout(x, 0.3, seed=4).numpy())


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_fraction_and_expectation(rate):
    set_seed(0)
    y = nn.dropout(np.ones((1000, 1000), dtype=F32), rate).numpy()
    assert y.dtype == np.float32
    assert abs(np.mean(y == 0) - rate) < 0.003  # std of the fraction is <= 5e-4
    np.testing.assert_allclose(np.unique(y), [0, 1 / (1 - rate)], rtol=1e-6)
    assert abs(y.mean() - 1) < 0.02  # expectation preserved


def test_dropout_identity_when_not_training_or_rate_zero():
    x = dg.Tensor(uniform(3, 4, dtype=F32), requires_grad=True)
    for y in (nn.dropout(x, 0.5, training=False), nn.dropout(x, 0.0)):
        np.testing.assert_array_equal(y.numpy(), x.numpy())
        assert y.numpy().dtype == np.float32


def test_dropout_gradient_is_mask_times_scale():
    x = dg.Tensor(np.ones((50, 40), dtype=F32), requires_grad=True)
    y = nn.dropout(x, 0.25)
    g = uniform(50, 40, dtype=F32)
    y.backward(g)
    mask = y.numpy()  # x is ones: y is the mask, 0 or 1 / 0.75
    assert x.grad.numpy().dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), g * mask)
    assert set(np.unique(mask).tolist()) == {0.0, np.float32(1 / 0.75)}


def test_dropout_noise_shape_broadcasts_mask():
    x = np.ones((8, 5, 5, 16), dtype=F32)
    y = nn.dropout(x, 0.5, noise_shape=(8, 1, 1, 16), seed=0).numpy()
    assert np.all(y == y[:, :1, :1, :])  # whole channels dropped, as SpatialDropout2D
    assert 0 < np.mean(y == 0) < 1
    z = nn.dropout(x, 0.5, noise_shape=(None, 1, 1, None), seed=0).numpy()
    np.testing.assert_array_equal(y, z)


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5])
def test_dropout_rejects_rate_outside_0_1(rate):
    with pytest.raises(ValueError, match=r"dropout: rate must be in \[0, 1\)"):
        nn.dropout(np.ones(3), rate)


def test_dropout_rejects_bad_noise_shape():
    with pytest.raises(ValueError, match=r"dropout.*\(4, 3\).*\(4, 2\)"):
        nn.dropout(np.ones((4, 2)), 0.5, noise_shape=(4, 3))


# ----------------------------------------------------------------------------- error messages


def test_cross_entropy_label_shape_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"softmax_cross_entropy.*\(4, 3\).*\(4, 5\)"):
        nn.softmax_cross_entropy(uniform(4, 5), uniform(4, 3))
    with pytest.raises(ValueError, match=r"softmax_cross_entropy.*\(3,\).*\(4, 5\)"):
        nn.softmax_cross_entropy(uniform(4, 5), np.array([0, 1, 2]))


@pytest.mark.parametrize("bad", [5, -1])
def test_cross_entropy_label_range_error(bad):
    y = np.array([0, 1, bad, 2])
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: integer labels must be in \[0, 5\).*\(4, 5\)"):
        nn.softmax_cross_entropy(uniform(4, 5), y)


def test_embedding_range_error_names_op_range_and_table():
    for bad in (10, -1):
        with pytest.raises(ValueError, match=r"embedding: ids must be in \[0, 10\) for a table of shape \(10, 4\)"):
            nn.embedding(np.array([[1, bad]]), uniform(10, 4))


def test_normalization_parameter_shape_errors():
    with pytest.raises(ValueError, match=r"batch_norm_train: gamma of shape \(4,\).*\(2, 3, 3, 5\).*\(5,\)"):
        nn.batch_norm_train(uniform(2, 3, 3, 5), uniform(4), None, (0, 1, 2))
    with pytest.raises(ValueError, match=r"layer_norm: beta of shape \(3,\).*\(2, 6\).*\(6,\)"):
        nn.layer_norm(uniform(2, 6), None, uniform(3))
    with pytest.raises(ValueError, match=r"batch_norm_infer.*\(2, 6\).*mean.shape=\(4,\)"):
        nn.batch_norm_infer(uniform(2, 6), None, None, uniform(4), uniform(4, low=1))


def test_bce_broadcast_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits.*\(3, 4\).*\(3,\)"):
        nn.binary_cross_entropy_with_logits(uniform(3, 4), uniform(3))


def test_axis_out_of_range_error():
    with pytest.raises(ValueError, match="softmax: axis 2 is out of range"):
        nn.softmax(uniform(3, 4), axis=2)


def test_cross_entropy_fractional_index_labels_error():
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: float labels of shape \(4,\).*\(4, 5\)"):
        nn.softmax_cross_entropy(uniform(4, 5), np.array([0.5, 1, 2, 3]))
    # one class: float labels of the logits' shape (4, 1) are probabilities, not indices
    np.testing.assert_array_equal(nn.softmax_cross_entropy(uniform(4, 1), np.full((4, 1), 0.5)).numpy(), 0)


def test_batch_norm_statistics_keep_float32_and_numpy_int_axes():
    x = uniform(6, 4, dtype=F32)
    y, mean, var = nn.batch_norm_train(x, None, None, (np.int64(0),))
    assert y.numpy().dtype == mean.dtype == var.dtype == np.float32
    np.testing.assert_allclose(nn.softmax(x, axis=np.int64(0)).numpy(), nn.softmax(x, axis=0).numpy())
