"""Elementwise ops: parity with PyTorch (forward and gradient of .sum(), float64 and float32),
gradcheck in float64 on random and broadcasting shapes, dtype preservation, shape errors."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from deepgrad.gradcheck import gradcheck
from tests.parity import check_parity, random_inputs, requires_torch, torch

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"abs", "add", "cast", "clip", "div", "elu", "equal", "exp", "gelu", "greater",
    "greater_equal", "leaky_relu", "less", "less_equal", "log", "maximum", "minimum", "mul", "neg",
    "not_equal", "pow", "relu", "selu", "sigmoid", "softplus", "sqrt", "square", "sub", "swish",
    "tanh", "where"}

F64, F32 = np.float64, np.float32


def F():
    return torch.nn.functional


# name: (deepgrad fn, torch fn, (low, high) of the inputs)
UNARY = {
    "neg": (ops.neg, lambda x: -x, (-2, 2)),
    "exp": (ops.exp, lambda x: x.exp(), (-2, 2)),
    "log": (ops.log, lambda x: x.log(), (0.2, 3)),
    "sqrt": (ops.sqrt, lambda x: x.sqrt(), (0.2, 3)),
    "square": (ops.square, lambda x: x * x, (-2, 2)),
    "abs": (ops.abs, lambda x: x.abs(), (-2, 2)),
    "tanh": (ops.tanh, lambda x: x.tanh(), (-2, 2)),
    "sigmoid": (ops.sigmoid, lambda x: x.sigmoid(), (-6, 6)),
    "relu": (ops.relu, lambda x: x.relu(), (-2, 2)),
    "leaky_relu": (lambda x: ops.leaky_relu(x, 0.1), lambda x: F().leaky_relu(x, 0.1), (-2, 2)),
    "elu": (lambda x: ops.elu(x, 0.7), lambda x: F().elu(x, 0.7), (-2, 2)),
    "selu": (ops.selu, lambda x: F().selu(x), (-2, 2)),
    "gelu": (ops.gelu, lambda x: F().gelu(x), (-3, 3)),
    "gelu_tanh": (lambda x: ops.gelu(x, approximate=True), lambda x: F().gelu(x, approximate="tanh"), (-3, 3)),
    "softplus": (ops.softplus, lambda x: F().softplus(x), (-5, 5)),
    "swish": (ops.swish, lambda x: F().silu(x), (-4, 4)),
    "clip": (lambda x: ops.clip(x, -0.5, 1.0), lambda x: x.clamp(-0.5, 1.0), (-2, 2)),
    "cast_f64": (lambda x: ops.cast(x, np.float64) * 1.0, lambda x: x.double() * 1.0, (-2, 2)),
    "pow_scalar": (lambda x: x ** 3, lambda x: x ** 3, (-2, 2)),
    "rpow_scalar": (lambda x: 2.0 ** x, lambda x: 2.0 ** x, (-2, 2)),
    "rsub_scalar": (lambda x: 1.5 - x, lambda x: 1.5 - x, (-2, 2)),
    "rdiv_scalar": (lambda x: 1.5 / x, lambda x: 1.5 / x, (0.3, 2)),
}

BINARY = {
    "add": (ops.add, lambda a, b: a + b, (-2, 2), (-2, 2)),
    "sub": (ops.sub, lambda a, b: a - b, (-2, 2), (-2, 2)),
    "mul": (ops.mul, lambda a, b: a * b, (-2, 2), (-2, 2)),
    "div": (ops.div, lambda a, b: a / b, (-2, 2), (0.5, 2)),
    "pow": (ops.pow, lambda a, b: a ** b, (0.3, 2), (-2, 2)),
    "maximum": (ops.maximum, lambda a, b: torch.maximum(a, b), (-2, 2), (-2, 2)),
    "minimum": (ops.minimum, lambda a, b: torch.minimum(a, b), (-2, 2), (-2, 2)),
    "where": (lambda a, b: ops.where(a.data > b.data, a, b), lambda a, b: torch.where(a > b, a, b), (-2, 2), (-2, 2)),
}

# (shape of a, shape of b): equal, trailing, stretched on both sides, scalar, rank-0 against rank-3
BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((5, 1), (1, 5)), ((), (2, 3)), ((2, 3, 1), ())]


def random_broadcast_pair(seed):
    """Two shapes that broadcast: b drops leading axes of a and sets some of a's axes to 1 (or the reverse)."""
    rng = np.random.default_rng(seed)
    a = tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 4)))
    b = list(a[rng.integers(0, len(a)):])
    for i in range(len(b)):
        if rng.random() < 0.4:
            b[i] = 1
    return (a, tuple(b)) if rng.random() < 0.5 else (tuple(b), a)


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_parity(name, dtype):
    fn, torch_fn, (low, high) = UNARY[name]
    if name == "cast_f64" and dtype == F64:
        fn, torch_fn = (lambda x: ops.cast(x, np.float32) * 1.0), (lambda x: x.float() * 1.0)
    if name.startswith("cast"):
        # the output dtype differs from the input's by design: compare values and the gradient dtype
        x = random_inputs([(3, 4)], dtype)[0]
        ours, theirs = dg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, ref = fn(ours), torch_fn(theirs)
        np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-6)
        out.sum().backward()
        ref.sum().backward()
        assert ours.grad.dtype == dtype
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
        return
    check_parity(fn, torch_fn, [(3, 4, 5)], dtype=dtype, low=low, high=high)


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_parity(name, shapes, dtype):
    fn, torch_fn, range_a, range_b = BINARY[name]
    rng = np.random.default_rng(1)
    a = rng.uniform(*range_a, size=shapes[0]).astype(dtype)
    b = rng.uniform(*range_b, size=shapes[1]).astype(dtype)
    check_parity(fn, torch_fn, inputs=[a, b])


@requires_torch
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_split_the_gradient_as_torch(name):
    a = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    b = np.array([[1.0, 0.0, 3.0], [0.5, 4.0, -2.0]])  # ties at (0, 0), (0, 2), (1, 0)
    fn, torch_fn = BINARY[name][:2]
    check_parity(fn, torch_fn, inputs=[a, b])
    x, y = dg.Tensor(a, requires_grad=True), dg.Tensor(b, requires_grad=True)
    fn(x, y).sum().backward()
    assert x.grad.numpy()[0, 0] == 0.5 and y.grad.numpy()[0, 0] == 0.5


@requires_torch
def test_comparisons_match_torch_and_carry_no_gradient():
    a, b = random_inputs([(3, 4), (4,)], seed=3)
    b[1] = a[0, 1]  # one equal pair
    x, y = dg.Tensor(a, requires_grad=True), dg.Tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a), torch.tensor(b)
    pairs = [
        (ops.equal, torch.eq), (ops.not_equal, torch.ne), (ops.less, torch.lt),
        (ops.less_equal, torch.le), (ops.greater, torch.gt), (ops.greater_equal, torch.ge),
    ]
    for ours, theirs in pairs:
        out = ours(x, y)
        assert out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.numpy(), theirs(ta, tb).numpy())
    np.testing.assert_array_equal((x > 0.5).numpy(), a > 0.5)
    np.testing.assert_array_equal((x == y).numpy(), a == b)


# ----------------------------------------------------------------------------- gradcheck


@pytest.mark.parametrize("name", sorted(set(UNARY) - {"cast_f64"}))  # cast: float64 -> float64 is the identity
def test_unary_gradcheck(name):
    fn, _, (low, high) = UNARY[name]
    shape = tuple(int(n) for n in np.random.default_rng(len(name)).integers(1, 4, size=3))
    x = np.random.default_rng(0).uniform(low, high, size=shape)
    for kink in (0.0, 1.0, -0.5):  # keep away from the kinks of abs, relu, clip, ...
        x = np.where(np.abs(x - kink) < 0.05, kink + 0.2, x)
    assert gradcheck(fn, x)


@pytest.mark.parametrize("shapes", BROADCAST + [random_broadcast_pair(s) for s in range(4)], ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradcheck(name, shapes):
    fn, _, range_a, range_b = BINARY[name]
    rng = np.random.default_rng(2)
    a = rng.uniform(*range_a, size=shapes[0])
    b = rng.uniform(*range_b, size=shapes[1])
    if name in ("maximum", "minimum", "where"):  # a on multiples of 0.2, b in between: never a tie
        a, b = np.round(a * 5) / 5, np.round(b * 5) / 5 + 0.1
    assert gradcheck(fn, a, b)


def test_gradcheck_through_a_composite_expression():
    def f(a, b, c):
        return ops.tanh(a * b + c) / (1 + ops.exp(-a)) - ops.sqrt(b * b + 1) ** c

    a, b, c = random_inputs([(2, 3), (3,), (2, 1)], seed=5)
    assert gradcheck(f, a, b, c)


# ----------------------------------------------------------------------------- dtypes


FLOAT64_SCALARS = [2.0, np.float64(2.0), np.array(2.0), np.float32(2.0), 2]


@pytest.mark.parametrize("scalar", FLOAT64_SCALARS, ids=lambda s: type(s).__name__)
def test_float32_stays_float32_with_scalar_operands(scalar):
    x = dg.Tensor(np.linspace(0.1, 2, 6, dtype=F32).reshape(2, 3), requires_grad=True)
    results = {
        "add": x + scalar, "radd": scalar + x, "sub": x - scalar, "rsub": scalar - x,
        "mul": x * scalar, "rmul": scalar * x, "div": x / scalar, "rdiv": scalar / x,
        "pow": x ** scalar, "rpow": scalar ** x, "maximum": ops.maximum(x, scalar),
        "minimum": ops.minimum(scalar, x), "where": ops.where(x.data > 1, x, scalar),
        "clip": ops.clip(x, scalar * 0.1, scalar), "leaky_relu": ops.leaky_relu(x, scalar * 0.1),
        "elu": ops.elu(x, scalar), "matmul": ops.matmul(x, np.ones((3, 2)) * scalar),
    }
    for name, y in results.items():
        assert y.dtype == F32, f"{name} with {type(scalar).__name__} gave {y.dtype}"
        x.grad = None
        y.sum().backward()
        assert x.grad.dtype == F32, f"gradient of {name} with {type(scalar).__name__} is {x.grad.dtype}"


@pytest.mark.parametrize("name", sorted(UNARY))
def test_float32_stays_float32_in_every_unary_op(name):
    if name == "cast_f64":
        return
    x = dg.Tensor(np.linspace(0.1, 2, 6, dtype=F32), requires_grad=True)
    y = UNARY[name][0](x)
    assert y.dtype == F32
    y.sum().backward()
    assert x.grad.dtype == F32


def test_float64_arrays_keep_float64_and_python_numbers_are_float32():
    assert (dg.Tensor(np.ones(3)) * 2.0).dtype == F64
    assert dg.Tensor([1.0, 2.0]).dtype == F32
    assert (dg.Tensor(np.ones(3, F32)) + dg.Tensor(np.ones(3, F32))).dtype == F32


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "maximum", "minimum"])
def test_shape_mismatch_names_the_op_and_both_shapes(name):
    fn = getattr(ops, name)
    a, b = dg.Tensor(np.ones((3, 4))), dg.Tensor(np.ones((5,)))
    with pytest.raises(ValueError) as info:
        fn(a, b)
    message = str(info.value)
    assert name in message and "(3, 4)" in message and "(5,)" in message


def test_where_shape_mismatch_names_all_shapes():
    with pytest.raises(ValueError, match=r"where.*\(2,\).*\(3,\).*\(4,\)"):
        ops.where(np.ones(2, bool), np.ones(3), np.ones(4))


def test_unbroadcast_sums_over_added_and_stretched_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(ops.unbroadcast(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(ops.unbroadcast(g, ()), g.sum())
    np.testing.assert_array_equal(ops.unbroadcast(g, (1, 3, 4)), g.sum(axis=0, keepdims=True))
    assert ops.unbroadcast(g, g.shape) is g


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 0.3, 0.7, 1.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_leaky_relu_arithmetic_path_gives_the_masked_select_bit_for_bit(slope, dtype):
    """For 0 < slope <= 1, leaky_relu uses max(x, slope x) and g max(1[x > 0], slope): the same numbers
    as where(x > 0, ...) including -0.0, infinities and NaN (slope 0 keeps the select: inf * 0 is NaN)."""
    x = np.random.default_rng(1).standard_normal(1000).astype(dtype)
    x[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45]
    g = np.random.default_rng(2).standard_normal(1000).astype(dtype)
    t = dg.Tensor(x, requires_grad=True)
    s = np.asarray(slope, dtype=dtype)
    with np.errstate(invalid="ignore"):
        y = ops.leaky_relu(t, slope)
        y.backward(dg.Tensor(g))
        expected_y = np.where(x > 0, x, x * s)
        expected_g = np.where(x > 0, g, g * s)
    assert y.dtype == dtype and t.grad.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), expected_y)
    assert np.array_equal(np.signbit(y.numpy()), np.signbit(expected_y))
    np.testing.assert_array_equal(t.grad.numpy(), expected_g)
