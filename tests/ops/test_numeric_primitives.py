"""The primitives of deepgrad/ops/numeric.py and deepgrad/ops/cumulative.py: parity with PyTorch
(forward and gradient of .sum(), float64 and float32), gradcheck in float64, the accuracy of the
error functions across their whole range, and the no-gradient ops against NumPy."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.gradcheck import gradcheck
from deepgrad.ops import cumulative as C
from deepgrad.ops import numeric as N
from tests.parity import check_parity, requires_torch, torch

COVERED_OPS = {
    "erf", "erfc", "erfinv", "rsqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinc", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "exp2", "expm1", "log2", "log10",
    "log1p", "logaddexp", "logaddexp2", "cbrt", "reciprocal", "hypot", "fmod", "mod", "i0",
    "floor", "ceil", "trunc", "round", "sign", "isnan", "isinf", "isfinite", "signbit", "nextafter",
    "heaviside", "floor_divide", "gcd", "lcm", "logical_and", "logical_or", "logical_xor",
    "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert", "left_shift",
    "right_shift", "cumsum", "cumprod", "argmax", "argmin", "all", "any", "count_nonzero",
}

F64, F32 = np.float64, np.float32


# name: (deepgrad op, torch function, (low, high) of the inputs)
UNARY = {
    "erf": (N.erf, lambda x: torch.special.erf(x), (-3, 3)),
    "erfc": (N.erfc, lambda x: torch.special.erfc(x), (-3, 3)),
    "erfinv": (N.erfinv, lambda x: torch.special.erfinv(x), (-0.95, 0.95)),
    "rsqrt": (N.rsqrt, lambda x: torch.rsqrt(x), (0.2, 3)),
    "sin": (N.sin, lambda x: x.sin(), (-3, 3)),
    "cos": (N.cos, lambda x: x.cos(), (-3, 3)),
    "tan": (N.tan, lambda x: x.tan(), (-1.2, 1.2)),
    "arcsin": (N.arcsin, lambda x: x.arcsin(), (-0.9, 0.9)),
    "arccos": (N.arccos, lambda x: x.arccos(), (-0.9, 0.9)),
    "arctan": (N.arctan, lambda x: x.arctan(), (-3, 3)),
    "sinc": (N.sinc, lambda x: torch.sinc(x), (-3, 3)),
    "sinh": (N.sinh, lambda x: x.sinh(), (-3, 3)),
    "cosh": (N.cosh, lambda x: x.cosh(), (-3, 3)),
    "arcsinh": (N.arcsinh, lambda x: x.arcsinh(), (-3, 3)),
    "arccosh": (N.arccosh, lambda x: x.arccosh(), (1.1, 4)),
    "arctanh": (N.arctanh, lambda x: x.arctanh(), (-0.9, 0.9)),
    "exp2": (N.exp2, lambda x: torch.exp2(x), (-3, 3)),
    "expm1": (N.expm1, lambda x: x.expm1(), (-3, 3)),
    "log2": (N.log2, lambda x: x.log2(), (0.1, 4)),
    "log10": (N.log10, lambda x: x.log10(), (0.1, 4)),
    "log1p": (N.log1p, lambda x: x.log1p(), (-0.5, 4)),
    "cbrt": (N.cbrt, lambda x: x.sign() * x.abs().pow(1 / 3), (0.2, 4)),
    "reciprocal": (N.reciprocal, lambda x: x.reciprocal(), (0.3, 3)),
    "i0": (N.i0, lambda x: torch.special.i0(x), (-4, 4)),
}

BINARY = {
    "arctan2": (N.arctan2, lambda a, b: torch.atan2(a, b), (-2, 2)),
    "hypot": (N.hypot, lambda a, b: torch.hypot(a, b), (-2, 2)),
    "logaddexp": (N.logaddexp, lambda a, b: torch.logaddexp(a, b), (-3, 3)),
    "logaddexp2": (N.logaddexp2, lambda a, b: torch.logaddexp2(a, b), (-3, 3)),
}


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_parity(name, dtype):
    ours, theirs, (low, high) = UNARY[name]
    check_parity(ours, theirs, shapes=[(3, 5)], dtype=dtype, low=low, high=high)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradcheck(name):
    ours, _, (low, high) = UNARY[name]
    x = np.random.default_rng(1).uniform(low, high, (2, 3))
    assert gradcheck(ours, x)


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(2, 3, 4), (4,)], [(3, 1), (1, 5)]])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_parity(name, shapes, dtype):
    ours, theirs, (low, high) = BINARY[name]
    check_parity(ours, theirs, shapes=shapes, dtype=dtype, low=low, high=high)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradcheck(name):
    ours, _, (low, high) = BINARY[name]
    rng = np.random.default_rng(2)
    assert gradcheck(ours, rng.uniform(low, high, (2, 3)), rng.uniform(low, high, (3,)))


def _remainder_inputs(dtype):
    """a / b halfway between integers, away from the remainder's jumps."""
    rng = np.random.default_rng(3)
    b = rng.choice([-1.5, -0.75, 0.75, 1.25], size=(3, 4))
    a = (rng.integers(-4, 4, (3, 4)) + 0.5) * b
    return [a.astype(dtype), b.astype(dtype)]


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
def test_remainders(dtype):
    check_parity(N.fmod, torch.fmod, inputs=_remainder_inputs(dtype))
    check_parity(N.mod, torch.remainder, inputs=_remainder_inputs(dtype))
    assert gradcheck(N.fmod, *_remainder_inputs(F64))
    assert gradcheck(N.mod, *_remainder_inputs(F64))


def test_i0_far_out_and_i1():
    x = np.array([-40.0, -25.0, 0.0, 1e-4, 12.0, 29.9, 30.1, 60.0])
    np.testing.assert_allclose(N.i0(x).numpy(), np.i0(x), rtol=1e-14)
    # I1 = I0': central differences of NumPy's i0
    h = 1e-5 * np.maximum(1, np.abs(x))
    np.testing.assert_allclose(N._i1_array(x), (np.i0(x + h) - np.i0(x - h)) / (2 * h), rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------------------- error functions


@requires_torch
def test_erf_family_accuracy_over_the_whole_range():
    x = np.concatenate([np.linspace(-8, 8, 20001), np.geomspace(1e-300, 30, 2000),
                        -np.geomspace(1e-12, 6, 500), [0.0, -0.0]])
    t = torch.tensor(x)
    np.testing.assert_allclose(N.erf(x).numpy(), torch.special.erf(t).numpy(), rtol=2e-15, atol=0)
    expected = torch.special.erfc(t).numpy()
    finite = expected > 1e-300
    np.testing.assert_allclose(N.erfc(x).numpy()[finite], expected[finite], rtol=3e-15, atol=0)
    assert np.all(N.erfc(x).numpy()[~finite] < 1e-290)
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 20001), 1 - np.geomspace(1.2e-16, 0.5, 500),
                        np.geomspace(1e-300, 1e-3, 300), -(1 - np.geomspace(1.2e-16, 0.5, 100))])
    np.testing.assert_allclose(N.erfinv(y).numpy(), torch.special.erfinv(torch.tensor(y)).numpy(),
                               rtol=1e-13, atol=0)


def test_erf_family_edges():
    np.testing.assert_array_equal(N.erf(np.array([np.inf, -np.inf, 0.0])).numpy(), [1.0, -1.0, 0.0])
    assert np.isnan(N.erf(np.array([np.nan])).numpy()).all()
    np.testing.assert_array_equal(N.erfc(np.array([np.inf, -np.inf, 0.0, 40.0])).numpy(), [0.0, 2.0, 1.0, 0.0])
    y = N.erfinv(np.array([1.0, -1.0, 0.0, 1.5, -2.0, np.nan])).numpy()
    np.testing.assert_array_equal(y[:3], [np.inf, -np.inf, 0.0])
    assert np.isnan(y[3:]).all()
    # erfinv undoes erf (as far as erf(x) is not rounded to 1)
    x = np.array([-3.5, -3.0, -0.3, 1e-8, 0.7, 2.0, 3.0])
    np.testing.assert_allclose(N.erfinv(N.erf(x)).numpy(), x, rtol=1e-9)


@pytest.mark.parametrize("dtype", [F32, np.float16])
def test_erf_family_keep_the_float_dtype(dtype):
    x = np.array([-1.5, 0.2, 0.9], dtype=dtype)
    for op in (N.erf, N.erfc, N.erfinv, N.rsqrt):
        assert op(np.abs(x) if op is N.rsqrt else x).dtype == dtype


def test_erf_of_a_million_values_is_quick():
    import time

    x = np.random.default_rng(0).normal(size=1_000_000) * 3
    start = time.perf_counter()
    N.erf(x)
    N.erfc(x)
    assert time.perf_counter() - start < 5


# ---------------------------------------------------------------------------- cumulative ops


def _torch_scan(fn, axis):
    return lambda t: fn(t.flatten(), 0) if axis is None else fn(t, axis)


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_cumprod_parity(axis, dtype):
    check_parity(lambda x: C.cumsum(x, axis), _torch_scan(torch.cumsum, axis), shapes=[(3, 4, 2)], dtype=dtype)
    check_parity(lambda x: C.cumprod(x, axis), _torch_scan(torch.cumprod, axis), shapes=[(3, 4, 2)],
                 dtype=dtype, low=0.5, high=1.5)


@requires_torch
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumprod_gradient_with_zeros(axis):
    x = np.random.default_rng(4).uniform(-2, 2, (4, 5))
    x[0, 2] = x[1, 0] = x[1, 3] = x[3, 4] = 0.0
    x[2, 1] = x[2, 2] = 0.0  # two zeros in one row
    check_parity(lambda t: C.cumprod(t, axis), _torch_scan(torch.cumprod, axis), inputs=[x])
    assert gradcheck(lambda t: C.cumprod(t, axis), x)


def test_cumulative_gradcheck_and_dtypes():
    x = np.random.default_rng(5).uniform(-2, 2, (3, 4))
    assert gradcheck(lambda t: C.cumsum(t, 1), x)
    assert gradcheck(lambda t: C.cumprod(t, 0), x)
    i = np.arange(1, 7, dtype=np.int32).reshape(2, 3)
    assert C.cumsum(i, 1).dtype == np.int32 and C.cumprod(i, None).dtype == np.int32
    np.testing.assert_array_equal(C.cumprod(i, None).numpy(), np.cumprod(i))


def test_no_gradient_reductions():
    x = np.array([[1.0, 5.0, 5.0], [0.0, -2.0, 3.0]])
    np.testing.assert_array_equal(C.argmax(x).numpy(), 1)
    np.testing.assert_array_equal(C.argmax(x, axis=1).numpy(), [1, 2])
    np.testing.assert_array_equal(C.argmin(x, axis=0, keepdims=True).numpy(), [[1, 1, 1]])
    np.testing.assert_array_equal(C.all(x, axis=1).numpy(), [True, False])
    np.testing.assert_array_equal(C.any(x == 3, axis=0).numpy(), [False, False, True])
    np.testing.assert_array_equal(C.count_nonzero(x, axis=(0, 1)).numpy(), 5)
    t = dg.Tensor(x, requires_grad=True)
    assert not C.argmax(t).requires_grad and not C.any(t).requires_grad


# ---------------------------------------------------------------------------- ops without a gradient

VALUES = np.array([-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 2.675, np.nan, np.inf, -np.inf])


@pytest.mark.parametrize("name, reference", [
    ("floor", np.floor), ("ceil", np.ceil), ("trunc", np.trunc), ("sign", np.sign),
    ("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite), ("signbit", np.signbit),
    ("logical_not", np.logical_not),
])
@pytest.mark.parametrize("dtype", [F64, F32])
def test_unary_without_gradient(name, reference, dtype):
    x = VALUES.astype(dtype)
    t = dg.Tensor(x, requires_grad=True)
    y = getattr(N, name)(t)
    np.testing.assert_array_equal(y.numpy(), reference(x))
    assert y.dtype == reference(x).dtype and not y.requires_grad


def test_round_decimals_and_integers():
    x = np.array([0.125, 1.55, -2.45, 15.0, 25.0, 2.5, 3.5])
    for decimals in (0, 1, 2, -1):
        np.testing.assert_array_equal(N.round(x, decimals).numpy(), np.round(x, decimals))
    i = np.array([14, 15, 25, -35], dtype=np.int32)
    np.testing.assert_array_equal(N.round(i, -1).numpy(), np.round(i, -1))
    np.testing.assert_array_equal(N.trunc(i).numpy(), i)


@pytest.mark.parametrize("name, reference", [
    ("nextafter", np.nextafter), ("heaviside", np.heaviside), ("floor_divide", np.floor_divide),
])
def test_binary_float_without_gradient(name, reference):
    a = np.array([[-1.5, 0.0, 2.0, 7.0]])
    b = np.array([[0.5], [3.0]])
    y = getattr(N, name)(dg.Tensor(a, requires_grad=True), b)
    np.testing.assert_array_equal(y.numpy(), reference(a, b))
    assert not y.requires_grad


@pytest.mark.parametrize("name, reference", [
    ("gcd", np.gcd), ("lcm", np.lcm), ("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or),
    ("bitwise_xor", np.bitwise_xor), ("left_shift", np.left_shift), ("right_shift", np.right_shift),
    ("logical_and", np.logical_and), ("logical_or", np.logical_or), ("logical_xor", np.logical_xor),
])
def test_integer_binary(name, reference):
    a = np.array([[12, -7, 0, 9]], dtype=np.int32)
    b = np.array([[1], [3]], dtype=np.int32)
    y = getattr(N, name)(a, b)
    np.testing.assert_array_equal(y.numpy(), reference(a, b))
    assert y.dtype == reference(a, b).dtype
    assert getattr(N, name)(a, 2).shape == (1, 4)


def test_bitwise_invert():
    a = np.array([0, 5, -3], dtype=np.int8)
    np.testing.assert_array_equal(N.bitwise_invert(a).numpy(), ~a)
    np.testing.assert_array_equal(N.bitwise_invert(np.array([True, False])).numpy(), [False, True])
