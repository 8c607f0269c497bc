"""keras.ops, the array half of keras.ops.numpy (creation, shapes, indexing, sorting), against
Keras 3 on the torch backend: values, dtypes, and gradients where Keras' ops have them,
float32 and float64, int inputs and axis variants."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import ops as dg_ops
from tests.keras.ops.oracle import check_op

COVERED_KERAS_OPS = {
    "append", "arange", "argpartition", "argsort", "array", "array_split", "bincount",
    "broadcast_to", "concatenate", "copy", "corrcoef", "correlate", "digitize", "dsplit", "dstack",
    "empty", "empty_like", "expand_dims", "eye", "flip", "fliplr", "flipud", "full", "full_like",
    "geomspace", "get_item", "histogram", "hsplit", "hstack", "identity", "isin", "linspace",
    "logspace", "meshgrid", "moveaxis", "ndim", "nonzero", "ones", "ones_like", "pad", "ravel",
    "repeat", "reshape", "roll", "rot90", "searchsorted", "select", "size", "sort", "split",
    "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tile", "transpose", "trapezoid",
    "tri", "unique", "unravel_index", "vander", "vectorize", "view", "vsplit", "vstack", "where",
    "zeros", "zeros_like",
}
COVERED_OPS = {"take", "take_along_axis", "sort", "argsort", "flip", "roll", "repeat", "copy"}

RNG = np.random.default_rng(0)
A34 = RNG.uniform(-2, 2, (3, 4))
A234 = RNG.uniform(-2, 2, (2, 3, 4))
V5 = RNG.uniform(-2, 2, 5)
V3 = RNG.uniform(-2, 2, 3)
I34 = RNG.integers(-5, 5, (3, 4))
I34_32 = I34.astype(np.int32)
IDX = np.array([2, 0, 2, -1])
FLOATS = ["float32", "float64"]


def f(a, dtype):
    return a.astype(dtype)


# (keras name, args builder (dtype -> args), kwargs, differentiable)
DIFFERENTIABLE = [
    ("reshape", lambda d: [f(A234, d), (4, -1)], {}),
    ("reshape", lambda d: [f(A34, d), 12], {}),
    ("ravel", lambda d: [f(A234, d)], {}),
    ("transpose", lambda d: [f(A234, d)], {}),
    ("transpose", lambda d: [f(A234, d)], dict(axes=(1, 2, 0))),
    ("swapaxes", lambda d: [f(A234, d), 0, -1], {}),
    ("moveaxis", lambda d: [f(A234, d), 0, -1], {}),
    ("moveaxis", lambda d: [f(A234, d), [0, 1], [2, 0]], {}),
    ("expand_dims", lambda d: [f(A34, d), 1], {}),
    ("expand_dims", lambda d: [f(A34, d), (0, -1)], {}),
    ("squeeze", lambda d: [f(A34.reshape(3, 1, 4, 1), d)], {}),
    ("squeeze", lambda d: [f(A34.reshape(3, 1, 4, 1), d)], dict(axis=-1)),
    ("broadcast_to", lambda d: [f(A34[:, :1], d), (2, 3, 4)], {}),
    ("concatenate", lambda d: [[f(A34, d), f(A34[:1], d)]], {}),
    ("concatenate", lambda d: [[f(A34, d), f(A34[:, :2], d)]], dict(axis=-1)),
    ("append", lambda d: [f(A34, d), f(V5, d)], {}),
    ("append", lambda d: [f(A34, d), f(A34[:2], d)], dict(axis=0)),
    ("stack", lambda d: [[f(A34, d), f(A34 * 2, d)]], {}),
    ("stack", lambda d: [[f(A34, d), f(A34 * 2, d)]], dict(axis=-1)),
    ("hstack", lambda d: [[f(A34, d), f(A34[:, :1], d)]], {}),
    ("hstack", lambda d: [[f(V5, d), f(V3, d)]], {}),
    ("vstack", lambda d: [[f(A34, d), f(A34[0], d)]], {}),
    ("dstack", lambda d: [[f(A34, d), f(A34, d)]], {}),
    ("dstack", lambda d: [[f(V5, d), f(V5, d)]], {}),
    ("split", lambda d: [f(A234, d), 2], dict(axis=-1)),
    ("split", lambda d: [f(A234, d), [1, 3]], dict(axis=2)),
    ("array_split", lambda d: [f(A34, d), 3], dict(axis=1)),
    ("hsplit", lambda d: [f(A34, d), 2], {}),
    ("hsplit", lambda d: [f(A34, d), [1, 3]], {}),
    ("vsplit", lambda d: [f(A34, d), 3], {}),
    ("dsplit", lambda d: [f(A234, d), [1]], {}),
    ("tile", lambda d: [f(A34, d), (2, 1)], {}),
    ("tile", lambda d: [f(V3, d), 3], {}),
    ("tile", lambda d: [f(A34, d), (2, 1, 2)], {}),
    ("repeat", lambda d: [f(A34, d), 2], {}),
    ("repeat", lambda d: [f(A34, d), 3], dict(axis=1)),
    ("repeat", lambda d: [f(A34, d), np.array([1, 0, 3])], dict(axis=0)),
    ("flip", lambda d: [f(A234, d)], {}),
    ("flip", lambda d: [f(A234, d)], dict(axis=1)),
    ("flip", lambda d: [f(A234, d)], dict(axis=(0, -1))),
    ("fliplr", lambda d: [f(A34, d)], {}),
    ("flipud", lambda d: [f(A34, d)], {}),
    ("roll", lambda d: [f(A34, d), 2], {}),
    ("roll", lambda d: [f(A34, d), -1], dict(axis=1)),
    ("roll", lambda d: [f(A234, d), (1, 2)], dict(axis=(0, 2))),
    ("rot90", lambda d: [f(A34, d)], {}),
    ("rot90", lambda d: [f(A234, d)], dict(k=2, axes=(1, 2))),
    ("rot90", lambda d: [f(A234, d)], dict(k=3, axes=(0, 2))),
    ("rot90", lambda d: [f(A234, d)], dict(k=-1, axes=(2, 0))),
    ("pad", lambda d: [f(A34, d), ((1, 2), (0, 3))], {}),
    ("pad", lambda d: [f(A34, d), ((1, 1), (2, 0))], dict(constant_values=0.5)),
    ("pad", lambda d: [f(A34, d), ((1, 2), (2, 1))], dict(mode="reflect")),
    ("pad", lambda d: [f(A234, d), ((0, 0), (1, 2), (3, 1))], dict(mode="reflect")),
    ("get_item", lambda d: [f(A234, d), (1, slice(None), slice(1, 3))], {}),
    ("get_item", lambda d: [f(A34, d), np.array([2, 0, 2])], {}),
    ("get_item", lambda d: [f(A34, d), A34 > 0], {}),
    ("take", lambda d: [f(A34, d), np.array([11, 0, 2, 2])], {}),
    ("take", lambda d: [f(A34, d), IDX], dict(axis=1)),
    ("take", lambda d: [f(A34, d), IDX[:3].reshape(3, 1)], dict(axis=0)),
    ("take", lambda d: [f(A234, d), np.array([[1, 0], [0, 0]])], dict(axis=-1)),
    ("take_along_axis", lambda d: [f(A34, d), np.array([[0, 3, 3], [1, 1, 1], [2, 0, -1]])], dict(axis=1)),
    ("take_along_axis", lambda d: [f(A34, d), np.array([[0, 2, 2, 1]])], dict(axis=0)),
    ("take_along_axis", lambda d: [f(A34, d), np.array([3, 3, 0, 11])], {}),
    ("take_along_axis", lambda d: [f(A34[:, :1], d), np.array([[0, 0], [0, 0], [0, 0]])], dict(axis=1)),
    ("sort", lambda d: [f(A34, d)], {}),
    ("sort", lambda d: [f(A234, d)], dict(axis=0)),
    ("sort", lambda d: [f(A34, d)], dict(axis=None)),
    ("where", lambda d: [A34 > 0, f(A34, d), f(A34[:1] * 3, d)], {}),
    ("where", lambda d: [A34 > 0, f(A34, d), 0.0], {}),
    ("select", lambda d: [[A34 > 1, A34 < -1], [f(A34, d), f(-A34, d)]], {}),
    ("select", lambda d: [[A34 > 0], [f(A34, d)], f(A34 * 3, d)], {}),
    ("copy", lambda d: [f(A34, d)], {}),
    ("trapezoid", lambda d: [f(A34, d)], {}),
    ("trapezoid", lambda d: [f(A34, d)], dict(axis=0, dx=0.5)),
    ("trapezoid", lambda d: [f(A34, d), f(np.cumsum(np.abs(V3)), d)], dict(axis=0)),
    ("correlate", lambda d: [f(V5, d), f(V3, d)], {}),
    ("correlate", lambda d: [f(V5, d), f(V3, d)], dict(mode="same")),
    ("correlate", lambda d: [f(V5, d), f(V3, d)], dict(mode="full")),
    ("correlate", lambda d: [f(V3, d), f(V3 + 1, d)], {}),
    ("correlate", lambda d: [f(V3, d), f(V5, d)], {}),
    ("correlate", lambda d: [f(V3, d), f(V5, d)], dict(mode="full")),
    ("corrcoef", lambda d: [f(A34, d)], {}),
    ("linspace", lambda d: [f(V3, d), f(V3 + 2, d), 4], {}),
    ("linspace", lambda d: [f(V3, d), f(V3 + 2, d), 5], dict(endpoint=False)),
    ("logspace", lambda d: [f(V3, d), f(V3 + 1, d), 4], dict(base=2)),
    ("meshgrid", lambda d: [f(V3, d), f(V5, d)], {}),
    ("meshgrid", lambda d: [f(V3, d), f(V5, d), f(V3[:2], d)], dict(indexing="ij")),
    ("meshgrid", lambda d: [f(V3, d), f(V5, d), f(V3[:2], d)], {}),
]


def _case_id(case):
    name, _, kwargs = case
    return name + ("-" + ",".join(f"{k}={v}" for k, v in kwargs.items()) if kwargs else "")


def check_list_op(name, args, kwargs):
    """check_op for ops that take lists of tensors (concatenate, stack, select): every float
    array, inside a list or not, is differentiated; values, dtypes and the gradients of a
    weighted sum of the outputs must agree with Keras (torch backend)."""
    import keras
    import torch

    ours_leaves, theirs_leaves = [], []

    def convert(a, make, leaves):
        if isinstance(a, list):
            return [convert(e, make, leaves) for e in a]
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            leaves.append(make(a))
            return leaves[-1]
        return a

    ours_args = [convert(a, lambda v: dg.Tensor(v.copy(), requires_grad=True), ours_leaves) for a in args]
    theirs_args = [convert(a, lambda v: torch.tensor(v.copy(), requires_grad=True), theirs_leaves) for a in args]
    with dg.GradientTape() as tape:
        for t in ours_leaves:
            tape.watch(t)
        ours = getattr(dg_ops, name)(*ours_args, **kwargs)
        ours = list(ours) if isinstance(ours, (list, tuple)) else [ours]
        rng = np.random.default_rng(1)
        weights = [rng.uniform(0.5, 1.5, o.shape) for o in ours]
        total = dg.add_n([dg.reduce_sum(o * dg.Tensor(w.astype(o.dtype))) for o, w in zip(ours, weights)])
    theirs = getattr(keras.ops, name)(*theirs_args, **kwargs)
    theirs = list(theirs) if isinstance(theirs, (list, tuple)) else [theirs]
    assert len(ours) == len(theirs)
    tol = dict(rtol=1e-4, atol=1e-5) if ours[0].dtype == np.float32 else dict(rtol=1e-6, atol=1e-9)
    for o, t in zip(ours, theirs):
        assert o.dtype == t.detach().numpy().dtype
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), **tol)
    ref_total = sum((t * torch.tensor(w, dtype=t.dtype)).sum() for t, w in zip(theirs, weights))
    ref_grads = torch.autograd.grad(ref_total, theirs_leaves, allow_unused=True)
    for g, r in zip(tape.gradient(total, ours_leaves), ref_grads):
        np.testing.assert_allclose(g.numpy(), np.zeros(g.shape) if r is None else r.numpy(), **tol)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[_case_id(c) for c in DIFFERENTIABLE])
def test_differentiable_ops_match_keras(case, dtype):
    name, build, kwargs = case
    args = build(dtype)
    if any(isinstance(a, list) for a in args):
        check_list_op(name, args, kwargs)
    else:
        check_op(name, args, kwargs, grad=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kwargs", [{}, dict(N=4, increasing=True)])
def test_vander_matches_keras_and_its_gradient_the_power_rule(dtype, kwargs):
    # torch's vander backward fails (an in-place update), so the gradient is checked by formula
    x = V3.astype(dtype)
    check_op("vander", [x], kwargs)
    xt = dg.Tensor(x, requires_grad=True)
    w = RNG.uniform(0.5, 1.5, (3, kwargs.get("N", 3)))
    with dg.GradientTape() as tape:
        tape.watch(xt)
        total = dg.reduce_sum(dg_ops.vander(xt, **kwargs) * dg.Tensor(w.astype(dtype)))
    n = kwargs.get("N", 3)
    powers = np.arange(n) if kwargs.get("increasing") else np.arange(n)[::-1]
    expected = (w * powers * x[:, None].astype(np.float64) ** np.maximum(powers - 1, 0)).sum(axis=1)
    np.testing.assert_allclose(tape.gradient(total, xt).numpy(), expected, rtol=1e-4)


@pytest.mark.parametrize("x,kth,axis", [
    (np.array([5, 1, 4, 2, 3]), 1, -1),
    (np.array([[5, 1, 4], [2, 3, 0]]), 0, 0),
    (np.array([[9, 1, 4, 7], [2, 3, 0, 8]]), 2, 1),
])
def test_argpartition_partitions_as_keras(x, kth, axis):
    # which order each side gets is the implementation's; the partition itself is checked
    import keras

    ours = dg_ops.argpartition(x, kth, axis=axis)
    theirs = keras.ops.argpartition(x, kth, axis=axis)
    assert ours.dtype == theirs.numpy().dtype == np.int32
    for idx in (ours.numpy(), theirs.numpy()):
        values = np.take_along_axis(x, idx.astype(np.int64), axis=axis)
        pivot = np.take(values, [kth], axis=axis)
        np.testing.assert_array_equal(pivot, np.take(np.sort(x, axis=axis), [kth], axis=axis))
        assert (np.take(values, np.arange(kth), axis=axis) <= pivot).all()
        assert (np.take(values, np.arange(kth + 1, x.shape[axis]), axis=axis) >= pivot).all()


# ops whose results carry no gradient (integer results, creation, counting), and int inputs
FORWARD = [
    ("arange", [5], {}),
    ("arange", [5.0], {}),
    ("arange", [1, 9, 2], {}),
    ("arange", [0, 1, 0.1], {}),
    ("arange", [2, 7], dict(dtype="float64")),
    ("arange", [np.int64(4)], {}),
    ("array", [[1, 2, 3]], {}),
    ("array", [[1.5, 2.0]], {}),
    ("array", [A34], {}),
    ("array", [A34], dict(dtype="int32")),
    ("zeros", [(2, 3)], {}),
    ("zeros", [4], dict(dtype="int32")),
    ("ones", [(2, 3)], dict(dtype="float64")),
    ("full", [(2, 3), 7], {}),
    ("full", [(2, 3), 2.5], dict(dtype="float64")),
    ("full", [(2, 4), np.arange(4.0)], {}),
    ("full_like", [A34, 3], {}),
    ("full_like", [I34, 3.7], {}),
    ("full_like", [A34.astype("float32"), 1], dict(dtype="int32")),
    ("zeros_like", [I34], {}),
    ("ones_like", [A34.astype("float32")], {}),
    ("ones_like", [A34], dict(dtype="int32")),
    ("eye", [3], {}),
    ("eye", [3, 5], dict(k=1)),
    ("eye", [4, 2], dict(k=-1, dtype="int32")),
    ("identity", [3], {}),
    ("identity", [2], dict(dtype="float64")),
    ("tri", [3], {}),
    ("tri", [3, 4], dict(k=1, dtype="int32")),
    ("tri", [4, 3], dict(k=-1)),
    ("linspace", [0, 1, 5], {}),
    ("linspace", [2.0, 3.0], dict(num=4, endpoint=False)),
    ("linspace", [0, 1, 5], dict(retstep=True)),
    ("linspace", [0, 10, 5], dict(dtype="int32")),
    ("linspace", [np.array([0.0, 1.0]), np.array([1.0, 3.0]), 4], {}),
    ("logspace", [0, 2, 5], {}),
    ("logspace", [0, 3, 4], dict(base=2, endpoint=False)),
    ("geomspace", [1, 1000, 4], {}),
    ("geomspace", [-1.0, -16.0, 5], dict(endpoint=False)),
    ("vander", [np.array([1, 2, 3])], {}),
    ("reshape", [I34, (2, 6)], {}),
    ("transpose", [I34_32], {}),
    ("concatenate", [[I34, A34.astype("float32")]], {}),
    ("concatenate", [[I34_32, I34]], dict(axis=1)),
    ("stack", [[I34_32, I34_32]], {}),
    ("append", [I34, A34], {}),
    ("flip", [I34], dict(axis=0)),
    ("roll", [I34_32, 5], {}),
    ("repeat", [I34, np.array([2, 1, 0, 1])], dict(axis=1)),
    ("tile", [I34, (1, 2)], {}),
    ("pad", [I34, ((1, 1), (2, 2))], dict(constant_values=9)),
    ("pad", [I34.astype("float32"), ((2, 1), (0, 2))], dict(mode="reflect")),
    ("take", [I34, IDX], dict(axis=1)),
    ("take_along_axis", [I34, np.argsort(I34, axis=0)], dict(axis=0)),
    ("sort", [I34], {}),
    ("sort", [I34_32], dict(axis=0)),
    ("argsort", [A34], {}),
    ("argsort", [A234.astype("float32")], dict(axis=1)),
    ("argsort", [I34], dict(axis=None)),
    ("argsort", [np.array([True, False, True])], {}),
    ("nonzero", [I34], {}),
    ("nonzero", [A34 > 0], {}),
    ("where", [A34 > 0], {}),
    ("where", [np.array([0, 1, 1])], {}),
    ("where", [A34 > 0, 1, 2.0], {}),
    ("where", [A34 > 0, I34, 2.0], {}),
    ("where", [A34 > 0, I34_32, I34], {}),
    ("select", [[A34 > 1, A34 < -1], [I34, I34 * 2]], {}),
    ("select", [[A34 > 1], [I34_32]], dict(default=-1)),
    ("searchsorted", [np.array([1.0, 2.0, 3.0, 5.0]), np.array([0.5, 2.0, 4.0, 6.0])], {}),
    ("searchsorted", [np.array([1.0, 2.0, 3.0, 5.0]), np.array([0.5, 2.0, 4.0, 6.0])], dict(side="right")),
    ("searchsorted", [np.array([1, 2, 2, 4]), np.array([[2, 3], [4, 0]])], {}),
    ("digitize", [A34, np.array([-1.0, 0.0, 1.0])], {}),
    ("digitize", [I34, np.array([-2, 0, 2])], {}),
    ("isin", [I34, np.array([0, 1, 2])], {}),
    ("isin", [I34, np.array([0, 1, 2])], dict(invert=True)),
    ("isin", [A34, A34[0]], {}),
    ("unique", [np.array([3, 1, 2, 1, 3, 3])], {}),
    ("unique", [np.array([3.0, 1.0, 2.0, 1.0])], dict(return_index=True, return_inverse=True,
                                                       return_counts=True)),
    ("unique", [I34], dict(return_inverse=True)),
    ("unique", [np.array([[1, 2], [0, 1], [1, 2]])], dict(axis=0, return_counts=True)),
    ("unique", [np.array([3, 1, 2, 1])], dict(size=5, fill_value=-1, return_counts=True)),
    ("unique", [np.array([3, 1, 2, 1])], dict(size=2, return_index=True)),
    ("unravel_index", [np.array([1, 5, 11]), (3, 4)], {}),
    ("unravel_index", [np.array([[0, 7]], dtype=np.int32), (2, 2, 2)], {}),
    ("bincount", [np.array([1, 5, 1, 0])], {}),
    ("bincount", [np.array([1, 5, 1, 0])], dict(minlength=8)),
    ("bincount", [np.array([1, 3, 1]), np.array([0.5, 1.0, 2.0], dtype="float32")], {}),
    ("bincount", [np.array([1, 3, 1]), np.array([0.5, 1.0, 2.0])], {}),
    ("bincount", [np.array([[1, 3, 1], [0, 0, 2]])], dict(minlength=5)),
    ("histogram", [A34.ravel()], {}),
    ("histogram", [A34.ravel().astype("float32")], dict(bins=4, range=(-1, 1))),
    ("trapezoid", [I34], {}),
    ("trapezoid", [I34_32], dict(axis=0)),
    ("correlate", [np.array([1, 2, 3, 4]), np.array([0, 1])], dict(mode="full")),
    ("corrcoef", [I34], {}),
    ("corrcoef", [I34_32], {}),
    ("corrcoef", [V5.astype("float32")], {}),
    ("view", [np.arange(4, dtype=np.int32)], dict(dtype="float32")),
    ("view", [A34.astype("float32")], dict(dtype="int32")),
    ("view", [np.arange(4, dtype=np.int16)], dict(dtype="int8")),
    ("meshgrid", [np.arange(3), np.arange(2)], {}),
    ("split", [I34, 2], dict(axis=1)),
    ("hstack", [[I34, I34_32]], {}),
    ("vstack", [[I34_32, I34_32]], {}),
    ("rot90", [I34], {}),
    ("expand_dims", [I34, -1], {}),
    ("squeeze", [I34[:1]], dict(axis=0)),
    ("swapaxes", [I34, 0, 1], {}),
    ("moveaxis", [I34, 1, 0], {}),
    ("broadcast_to", [I34_32[0], (2, 4)], {}),
    ("get_item", [I34, (slice(None), 2)], {}),
    ("copy", [I34], {}),
    ("ravel", [I34_32], {}),
    ("flipud", [I34], {}),
    ("fliplr", [I34_32], {}),
]


def _forward_id(case):
    name, args, kwargs = case
    kinds = "_".join(str(np.asarray(a).dtype) if isinstance(a, np.ndarray) else type(a).__name__ for a in args)
    extra = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}-{kinds}-{extra}"


@pytest.mark.parametrize("case", FORWARD, ids=[_forward_id(c) for c in FORWARD])
def test_forward_ops_match_keras(case):
    name, args, kwargs = case
    check_op(name, args, kwargs)


@pytest.mark.parametrize("name,args,kwargs", [
    ("empty", [(2, 3)], {}),
    ("empty", [(4,)], dict(dtype="int32")),
    ("empty_like", [I34], {}),
    ("empty_like", [A34], dict(dtype="float32")),
])
def test_empty_shape_and_dtype_match_keras(name, args, kwargs):
    import keras

    ours, theirs = getattr(dg_ops, name)(*args, **kwargs), getattr(keras.ops, name)(*args, **kwargs)
    assert ours.shape == tuple(theirs.shape)
    assert ours.numpy().dtype == theirs.detach().numpy().dtype


def test_ndim_and_size_match_keras():
    import keras

    assert dg_ops.ndim(A234) == keras.ops.ndim(A234) == 3
    check_op("size", [A234], {})
    check_op("size", [I34], {})


@pytest.mark.parametrize("dtype", FLOATS)
def test_vectorize_matches_keras(dtype):
    import keras
    import torch

    x, y = A34.astype(dtype), V3.astype(dtype)[:, None] * np.ones((1, 4), dtype)
    ours = dg_ops.vectorize(lambda a, b: dg_ops.where(a > b, a, b * 2))(x, y)
    theirs = keras.ops.vectorize(lambda a, b: keras.ops.where(a > b, a, b * 2))(torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert ours.dtype == theirs.numpy().dtype

    # a signature: matrix-vector products over a batch, with the gradient
    m, v = A234.astype(dtype), A234[:, 0].astype(dtype)
    mt = dg.Tensor(m, requires_grad=True)
    with dg.GradientTape() as tape:
        tape.watch(mt)
        out = dg_ops.vectorize(lambda a, b: a @ b, signature="(m,n),(n)->(m)")(mt, v)
        total = dg.reduce_sum(out * out)
    grad = tape.gradient(total, mt)
    ref = keras.ops.vectorize(lambda a, b: a @ b, signature="(m,n),(n)->(m)")(torch.tensor(m), torch.tensor(v))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5)
    expected = 2 * np.einsum("bm,bn->bmn", ref.numpy(), v)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize("axis", [0, 1])
def test_linspace_axis_matches_numpy(axis):
    # Keras' torch backend refuses axis != 0; NumPy's meaning is the reference
    start, stop = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, -2.0])
    ours = dg_ops.linspace(start, stop, 5, axis=axis)
    np.testing.assert_allclose(ours.numpy(), np.linspace(start, stop, 5, axis=axis), rtol=1e-6)
    assert ours.dtype == np.float32
    ours = dg_ops.logspace(start, stop, 4, axis=axis, dtype="float64")
    np.testing.assert_allclose(ours.numpy(), np.logspace(start, stop, 4, axis=axis), rtol=1e-10)
    ours = dg_ops.geomspace(start + 1, stop + 4, 4, axis=axis, dtype="float64")
    np.testing.assert_allclose(ours.numpy(), np.geomspace(start + 1, stop + 4, 4, axis=axis), rtol=1e-10)


@pytest.mark.parametrize("mode", ["symmetric", "edge", "wrap"])
def test_pad_modes_match_numpy(mode):
    # Keras' torch backend pads 'symmetric' as 'replicate' and lacks 'edge'/'wrap'; NumPy's meaning holds
    x = dg.Tensor(A34, requires_grad=True)
    widths = ((2, 1), (3, 2))
    with dg.GradientTape() as tape:
        tape.watch(x)
        out = dg_ops.pad(x, widths, mode=mode)
        w = RNG.uniform(0.5, 1.5, out.shape)
        total = dg.reduce_sum(out * dg.Tensor(w))
    np.testing.assert_allclose(out.numpy(), np.pad(A34, widths, mode=mode))
    # the gradient of a padded element goes to the element it copies
    origin = np.pad(np.arange(A34.size).reshape(A34.shape), widths, mode=mode)
    expected = np.bincount(origin.ravel(), weights=w.ravel(), minlength=A34.size).reshape(A34.shape)
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), expected, rtol=1e-12)


def test_errors_name_what_was_received():
    with pytest.raises(ValueError, match="divisible"):
        dg_ops.split(A34, 3, axis=1)
    with pytest.raises(ValueError, match="both"):
        dg_ops.where(A34 > 0, A34)
    with pytest.raises(ValueError, match="1-D"):
        dg_ops.searchsorted(A34, V3)
    with pytest.raises(ValueError, match="mode"):
        dg_ops.pad(A34, 1, mode="median")
    with pytest.raises(TypeError, match="int"):
        dg_ops.array_split(A34, [1, 2])
    with pytest.raises(IndexError, match="out of range"):
        dg_ops.take(A34, [12])
