"""keras.ops, the math half of keras.ops.numpy (elementwise math, comparisons, logic and bits,
reductions and their nan* variants, order statistics, cumulative ops, windows), against Keras 3
on the torch backend: values, result dtypes, and gradients where Keras' ops have them; float32
and float64, integer inputs (dtype promotion), broadcasting and axis/keepdims variants."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import ops as dg_ops
from deepgrad.keras.ops import names
from tests.keras.ops.oracle import check_op

COVERED_KERAS_OPS = set(names.NUMPY_MATH)
COVERED_OPS = {
    "cumsum", "cumprod", "argmax", "argmin", "all", "any", "count_nonzero",
    "floor", "ceil", "trunc", "round", "sign", "isnan", "isinf", "isfinite", "signbit",
    "nextafter", "heaviside", "floor_divide", "gcd", "lcm", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert",
    "left_shift", "right_shift",
}

RNG = np.random.default_rng(0)
FLOATS = ["float32", "float64"]


def u(shape, low=-2.0, high=2.0, seed=0):
    """Seeded uniform values: the same inputs whichever tests run, in whatever order."""
    return np.random.default_rng(seed).uniform(low, high, shape)


A34 = u((3, 4), seed=1)
B34 = u((3, 4), seed=2)
A234 = u((2, 3, 4), seed=3)
I34 = RNG.integers(-5, 6, (3, 4))
J34 = RNG.integers(1, 6, (3, 4))

# Keras computes these in float32 for float64 input (its result_type demotes 64-bit types), so
# their float64 gradients carry float32 rounding.
DEMOTED = {"var", "prod", "nanprod", "cumsum", "cumprod", "nancumsum", "nancumprod", "median",
           "nanmedian", "quantile", "nanquantile", "percentile", "nanpercentile", "nanmean",
           "nanvar", "nanstd", "maximum", "minimum", "fmax", "fmin", "arctan2", "hypot",
           "logaddexp", "logaddexp2", "divide_no_nan", "average"}


def tol(name, dtype):
    return dict(rtol=1e-4, atol=1e-5) if name in DEMOTED and dtype == "float64" else {}

# ---------------------------------------------------------------------------- elementwise, one operand

# name -> (low, high) of float test values, (low, high) of integer test values
UNARY = {
    "sin": ((-3, 3), (-3, 3)), "cos": ((-3, 3), (-3, 3)), "tan": ((-1.2, 1.2), (-1, 1)),
    "arcsin": ((-0.9, 0.9), (-1, 1)), "arccos": ((-0.9, 0.9), (-1, 1)), "arctan": ((-3, 3), (-3, 3)),
    "sinh": ((-3, 3), (-3, 3)), "cosh": ((-3, 3), (-3, 3)), "tanh": ((-3, 3), (-3, 3)),
    "arcsinh": ((-3, 3), (-3, 3)), "arccosh": ((1.1, 4), (1, 4)), "arctanh": ((-0.9, 0.9), (0, 0)),
    "exp": ((-3, 3), (-3, 3)), "exp2": ((-3, 3), (-3, 3)), "expm1": ((-3, 3), (-3, 3)),
    "log": ((0.1, 4), (1, 9)), "log2": ((0.1, 4), (1, 9)), "log10": ((0.1, 4), (1, 9)),
    "log1p": ((-0.5, 4), (0, 9)), "sqrt": ((0.1, 4), (0, 9)), "reciprocal": ((0.3, 3), (1, 9)),
    "cbrt": ((0.2, 4), (-8, 8)), "sinc": ((-3, 3), (-3, 3)), "fabs": ((0.2, 3), (-3, 3)),
    "i0": ((-4, 4), (-4, 4)), "abs": ((0.2, 3), (-3, 3)), "absolute": ((0.2, 3), (-3, 3)),
    "negative": ((-3, 3), (-3, 3)), "square": ((-3, 3), (-3, 3)), "deg2rad": ((-90, 90), (-90, 90)),
    "rad2deg": ((-3, 3), (-3, 3)),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float(name, dtype):
    (low, high), _ = UNARY[name]
    x = u((3, 4), low, high, seed=4).astype(dtype)
    if name in ("abs", "absolute", "fabs"):
        x = x * np.where(u(x.shape, seed=5) < 0, -1, 1).astype(dtype)
    check_op(name, [x], grad=True)


@pytest.mark.parametrize("itype", ["int32", "int64", "bool"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_integer_input(name, itype):
    _, (low, high) = UNARY[name]
    x = RNG.integers(low, high + 1, (2, 5)).astype(itype)
    if itype == "bool" and name == "negative":
        with pytest.raises(Exception):
            dg_ops.negative(x)
        return
    check_op(name, [x])


def test_unary_on_scalars_and_lists():
    check_op("sin", [0.5])
    check_op("exp", [[1.0, 2.0]])
    check_op("sqrt", [4])
    check_op("square", [[1, 2, 3]])


SPECIAL = np.array([[-1.5, -0.5, 0.0, 0.5], [1.5, 2.5, -2.5, np.nan], [np.inf, -np.inf, -0.0, 7.0]])


@pytest.mark.parametrize("dtype", FLOATS)
def test_sign(dtype):
    # torch gives sign(nan) = 0; deepgrad keeps NumPy's (and JAX's) nan.
    x = np.where(np.isnan(SPECIAL), 3.0, SPECIAL).astype(dtype)
    check_op("sign", [x])
    assert np.isnan(dg_ops.sign(SPECIAL.astype(dtype)).numpy()[1, 3])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "isnan", "isinf",
                                  "isfinite", "isneginf", "isposinf", "isreal", "signbit", "angle",
                                  "conj", "conjugate", "real", "logical_not", "nan_to_num"])
def test_unary_without_gradient(name, dtype):
    check_op(name, [SPECIAL.astype(dtype)])


@pytest.mark.parametrize("itype", ["int32", "int64", "int8", "uint8", "bool"])
@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "sign", "isnan", "isinf", "isfinite",
                                  "isneginf", "isposinf", "isreal", "signbit", "conj", "real",
                                  "logical_not", "bitwise_invert", "bitwise_not", "nan_to_num", "abs"])
def test_unary_integer_without_gradient(name, itype):
    x = I34.astype(itype) if itype != "uint8" else np.abs(I34).astype(itype)
    check_op(name, [x])


@pytest.mark.parametrize("decimals", [0, 1, 2, -1])
def test_round_decimals(decimals):
    x = np.array([[0.125, 1.55, -2.45, 15.0], [25.0, -35.0, 123.456, 0.5]])
    check_op("round", [x.astype("float64")], dict(decimals=decimals))
    check_op("round", [(x * 10).astype("int32")], dict(decimals=decimals))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the oracle's weighted sum of float32's max overflows
def test_nan_to_num_values_and_gradient():
    x = SPECIAL.copy()
    check_op("nan_to_num", [x], dict(nan=1.5, posinf=9.0, neginf=-9.0), grad=True)
    check_op("nan_to_num", [x.astype("float32")], grad=True)


def test_imag_of_a_real_tensor_is_zero():
    # Keras' torch backend refuses imag() of a real tensor; NumPy gives zeros of the same dtype.
    y = dg_ops.imag(A34.astype("float32"))
    assert y.dtype == np.float32 and y.shape == (3, 4) and not y.numpy().any()


def test_bool_rejected_where_keras_rejects_it():
    b = np.array([True, False])
    for name in ("negative", "round", "ptp"):
        with pytest.raises(Exception):
            getattr(dg_ops, name)(b)
    with pytest.raises(Exception):
        dg_ops.bitwise_and(A34.astype("float32"), 1)


# ---------------------------------------------------------------------------- elementwise, two operands

BINARY_DIFFERENTIABLE = {
    "add": (-2, 2), "subtract": (-2, 2), "multiply": (-2, 2), "divide": (0.5, 2),
    "true_divide": (0.5, 2), "power": (0.5, 2), "maximum": (-2, 2), "minimum": (-2, 2),
    "fmax": (-2, 2), "fmin": (-2, 2), "arctan2": (-2, 2), "hypot": (-2, 2), "logaddexp": (-2, 2),
    "logaddexp2": (-2, 2), "mod": (0.3, 2), "fmod": (0.3, 2), "divide_no_nan": (0.5, 2),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,))])
@pytest.mark.parametrize("name", sorted(BINARY_DIFFERENTIABLE))
def test_binary_with_gradient(name, shapes, dtype):
    low, high = BINARY_DIFFERENTIABLE[name]
    a, b = (u(s, low, high, seed=i).astype(dtype) for i, s in enumerate(shapes))
    if name in ("mod", "fmod"):  # a / b halfway between integers, away from the remainder's jumps
        b = np.full(b.shape, 0.75, dtype)
        a = ((np.round(u(shapes[0], -4, 4, seed=6)) + 0.5) * 0.75).astype(dtype)
    check_op(name, [a, b], grad=True, **tol(name, dtype))


def test_divide_no_nan_at_zero_divisors():
    b = np.array([[0.0, 2.0, 0.0, -1.0]] * 3)
    check_op("divide_no_nan", [A34, b], grad=True, rtol=1e-4, atol=1e-5)
    check_op("divide_no_nan", [A34.astype("float32"), b.astype("float32")], grad=True)


def test_fmax_fmin_with_nan():
    a = np.array([1.0, np.nan, 3.0, np.nan])
    b = np.array([2.0, 0.5, np.nan, np.nan])
    for name in ("fmax", "fmin", "maximum", "minimum"):
        check_op(name, [a, b])


# dtype promotion: (first, second) where strings are array dtypes and Python numbers stay scalars
PROMOTIONS = [("int32", "int32"), ("int64", "int32"), ("int8", "int32"), ("bool", "int32"),
              ("int32", "float32"), ("float32", "float64"), ("float64", "float64"), ("int32", 2),
              ("int8", 3), ("int32", 2.5), ("int64", 2.5), ("float32", 2), ("float64", 1.5),
              ("bool", 2), ("float32", "int64")]


def _operand(spec, base):
    if not isinstance(spec, str):
        return spec
    if spec == "bool":
        return base > 2
    return base.astype(spec)


@pytest.mark.parametrize("first, second", PROMOTIONS)
@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "true_divide", "power",
                                  "maximum", "minimum", "fmax", "fmin", "mod", "fmod",
                                  "floor_divide", "arctan2", "hypot", "logaddexp", "logaddexp2",
                                  "divide_no_nan", "heaviside", "nextafter", "equal", "not_equal",
                                  "greater", "greater_equal", "less", "less_equal", "logical_and",
                                  "logical_or", "logical_xor", "isclose"])
def test_binary_dtype_promotion(name, first, second):
    a = _operand(first, J34)
    b = _operand(second, np.flip(J34, 0).copy())
    if name == "subtract" and (first == "bool" and second == "bool"):
        return
    check_op(name, [a, b])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["floor_divide", "heaviside", "nextafter", "equal", "not_equal",
                                  "greater", "greater_equal", "less", "less_equal", "logical_and",
                                  "logical_or", "logical_xor", "isclose", "allclose"])
def test_binary_without_gradient(name, dtype):
    a = (np.round(A34, 1) + 0.03).astype(dtype)  # no quotient lands on an integer
    b = (np.round(B34, 1) + 0.01).astype(dtype)
    b[0, :2] = a[0, :2]
    a[1, 0] = 0.0
    check_op(name, [a, b[1:2]] if name != "allclose" else [a, b])


def test_isclose_allclose_tolerances():
    a = np.array([1.0, 2.0, np.nan, 1e-9])
    b = np.array([1.0 + 1e-6, 2.1, np.nan, 0.0])
    check_op("isclose", [a, b])
    check_op("isclose", [a, b], dict(rtol=0.1, atol=0.0, equal_nan=True))
    check_op("allclose", [a[:2], b[:2]], dict(rtol=0.06))
    check_op("allclose", [a, b], dict(equal_nan=True, rtol=0.1))


@pytest.mark.parametrize("dtype", FLOATS)
def test_ldexp(dtype):
    # (torch's ldexp gradient is 0 for negative exponents: 2 ** -k taken in integers)
    check_op("ldexp", [A34.astype(dtype), np.abs(I34).astype("int32")], grad=True)
    check_op("ldexp", [A34.astype(dtype), I34.astype("int32")])
    check_op("ldexp", [A34.astype(dtype), 3], grad=True)
    check_op("ldexp", [I34.astype("int32"), J34.astype("int32")])
    with pytest.raises(TypeError):
        dg_ops.ldexp(A34, A34)


@pytest.mark.parametrize("second", ["int32", "int8", 3, "bool"])
@pytest.mark.parametrize("first", ["int32", "int8", "int64", "bool"])
@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                                  "bitwise_right_shift", "left_shift", "right_shift", "gcd", "lcm"])
def test_integer_binary(name, first, second):
    a = _operand(first, I34 * 3)
    b = _operand(second, J34 if "shift" in name else np.flip(I34, 1).copy())
    if name in ("gcd", "lcm") and "bool" in (first, second):
        return
    if "shift" in name and first == "bool" and second == "bool":
        return
    check_op(name, [a, b])


# ---------------------------------------------------------------------------- reductions

AXES = [None, 0, -1, (0, 2), [1]]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "amax", "amin", "prod", "var", "std",
                                  "ptp", "median", "nansum", "nanmean", "nanmax", "nanmin",
                                  "nanprod", "nanvar", "nanstd", "nanmedian"])
def test_reduction_with_gradient(name, dtype, axis, keepdims):
    x = A234.astype(dtype)
    if axis is None and keepdims and name in FULL_KEEPDIMS_IGNORED:
        # Keras' torch backend drops keepdims for a full reduction; deepgrad keeps NumPy's (1, 1, 1).
        y = getattr(dg_ops, name)(x, axis=None, keepdims=True)
        assert y.shape == (1, 1, 1)
        np.testing.assert_allclose(y.numpy().reshape(()), getattr(dg_ops, name)(x).numpy(), rtol=1e-6)
        return
    check_op(name, [x], dict(axis=axis, keepdims=keepdims), grad=True, **tol(name, dtype))


FULL_KEEPDIMS_IGNORED = {"sum", "max", "min", "amax", "amin", "prod", "ptp", "nanprod"}


@pytest.mark.parametrize("itype", ["int32", "int64", "int8", "uint8", "bool"])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "amax", "amin", "prod", "var", "std",
                                  "all", "any", "argmax", "argmin", "count_nonzero", "median",
                                  "nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar",
                                  "nanstd", "nanmedian", "nanargmax", "nanargmin", "ptp"])
def test_reduction_integer_input(name, itype):
    x = np.abs(I34).astype(itype) if itype != "bool" else I34 > 0
    if name == "ptp" and itype == "bool":
        return
    kwargs = dict(axis=0)
    check_op(name, [x], kwargs)
    check_op(name, [x])


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("name", ["argmax", "argmin", "all", "any", "nanargmax", "nanargmin"])
def test_reductions_without_gradient(name, axis, keepdims):
    x = np.round(A234, 0)
    check_op(name, [x], dict(axis=axis, keepdims=keepdims))
    check_op(name, [x.astype("float32")], dict(axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("axis", [None, (1, 2), (0, 2), (0, 1, 2)])
def test_count_nonzero(axis):
    check_op("count_nonzero", [np.round(A234)], dict(axis=axis))
    check_op("count_nonzero", [np.round(A34)], dict(axis=0))


def test_count_nonzero_keeps_the_axis_order():
    # Keras' torch backend transposes a 2-D result (.T); deepgrad keeps NumPy's order.
    x = np.round(A234)
    np.testing.assert_array_equal(dg_ops.count_nonzero(x, axis=0).numpy(), np.count_nonzero(x, axis=0))


def test_max_min_initial():
    check_op("max", [A34], dict(axis=0, initial=0.5), grad=True)
    check_op("min", [A34.astype("float32")], dict(axis=1, initial=-0.5, keepdims=True), grad=True)
    check_op("max", [I34.astype("int32")], dict(initial=100))
    y = dg_ops.max(np.zeros((0, 3)), initial=2.0)
    assert y.shape == () and float(y.numpy()) == 2.0


def test_prod_with_zeros_and_dtype():
    x = A34.copy()
    x[0, 1] = 0.0
    x[2, 0] = x[2, 3] = 0.0
    for axis in (None, 0, 1):
        check_op("prod", [x], dict(axis=axis), grad=True, **tol("prod", "float64"))
    check_op("prod", [I34.astype("int32")], dict(dtype="float64"))


NAN234 = A234.copy()
NAN234[0, 1, 2] = NAN234[1, 0, 0] = NAN234[1, 2, 3] = np.nan


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar",
                                  "nanstd", "nanmedian"])
def test_nan_reductions_skip_nan(name, dtype, axis, keepdims):
    x = NAN234.astype(dtype)
    if axis is None and keepdims and name in FULL_KEEPDIMS_IGNORED:
        assert getattr(dg_ops, name)(x, axis=None, keepdims=True).shape == (1, 1, 1)
        return
    # along axis 0 some slices keep one value: std 0, whose gradient is 0/0
    grad = not (axis == 0 and name in ("nanstd",))
    check_op(name, [x], dict(axis=axis, keepdims=keepdims), grad=grad, **tol(name, dtype))


@pytest.mark.parametrize("name", ["nanargmax", "nanargmin", "nanmax", "nanmin", "nanmean", "nanmedian"])
def test_nan_reductions_of_all_nan_slices(name):
    x = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, 3.0]])
    check_op(name, [x], dict(axis=1))


@pytest.mark.parametrize("name", ["nanargmax", "nanargmin"])
@pytest.mark.parametrize("axis", [None, 0, 2])
def test_nan_arg_reductions(name, axis):
    check_op(name, [NAN234], dict(axis=axis))


def test_reductions_of_nan_propagate():
    for name in ("sum", "mean", "max", "median", "var"):
        check_op(name, [NAN234], dict(axis=1))


@pytest.mark.parametrize("dtype", FLOATS)
def test_average(dtype):
    x = A234.astype(dtype)
    t = tol("average", dtype)
    check_op("average", [x], grad=True, **t)
    check_op("average", [x], dict(axis=1), grad=True, **t)
    check_op("average", [x], dict(axis=-1, weights=u(4, 0.5, 2).astype(dtype)), grad=True, **t)
    check_op("average", [x], dict(axis=-1, weights=u((2, 3, 4), 0.5, 2).astype(dtype)), grad=True, **t)
    check_op("average", [I34.astype("int32")], dict(axis=0))


def test_average_weights_along_an_inner_axis():
    # Keras' torch backend only sums the weights over the last axis; NumPy's rule is checked here.
    w1, w3 = u(3, 0.5, 2, seed=7), u((2, 3, 4), 0.5, 2, seed=8)
    np.testing.assert_allclose(dg_ops.average(A234, axis=1, weights=w1).numpy(),
                               np.average(A234, axis=1, weights=w1).astype("float32"), rtol=1e-6)
    np.testing.assert_allclose(dg_ops.average(A234, axis=1, weights=w3).numpy(),
                               np.average(A234, axis=1, weights=w3).astype("float32"), rtol=1e-6)


# ---------------------------------------------------------------------------- order statistics


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_quantile_methods(method, dtype):
    x = A234.astype(dtype)
    t = dict(grad=True, grad_inputs=[0], **tol("quantile", dtype))
    check_op("quantile", [x, 0.3], dict(method=method), **t)
    check_op("quantile", [x, np.array([0.1, 0.5, 0.9])], dict(axis=1, method=method), **t)
    check_op("percentile", [x, 40.0], dict(axis=(0, 2), method=method), **t)
    check_op("nanquantile", [NAN234.astype(dtype), 0.7], dict(axis=-1, method=method), **t)
    check_op("nanpercentile", [NAN234.astype(dtype), np.array([25.0, 80.0])], dict(axis=0, method=method), **t)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, (1, 2)])
def test_quantile_keepdims(axis, keepdims):
    q = np.array([0.2, 0.6])
    t = dict(grad=True, grad_inputs=[0], rtol=1e-4, atol=1e-5)
    check_op("quantile", [A234, q], dict(axis=axis, keepdims=keepdims), **t)
    check_op("nanpercentile", [NAN234, 35.0], dict(axis=axis, keepdims=keepdims), **t)
    check_op("median", [A234], dict(axis=axis, keepdims=keepdims), **t)
    check_op("quantile", [I34.astype("int32"), 0.5], dict(axis=0, keepdims=keepdims))


# ---------------------------------------------------------------------------- cumulative ops and differences


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum", "nancumprod"])
def test_cumulative(name, dtype, axis):
    x = A234.astype(dtype)
    if name.startswith("nan"):
        x = NAN234.astype(dtype)
    check_op(name, [x], dict(axis=axis), grad=True, **tol(name, dtype))


def test_cumprod_gradient_with_zeros():
    x = A234.copy()
    x[0, 1, 1] = x[0, 1, 3] = x[1, 2, 0] = x[1, 0, 2] = 0.0
    for axis in (None, 0, 1, 2):
        check_op("cumprod", [x], dict(axis=axis), grad=True, **tol("cumprod", "float64"))
        check_op("cumprod", [x.astype("float32")], dict(axis=axis), grad=True)


@pytest.mark.parametrize("itype", ["int32", "int64", "int8", "uint8", "bool"])
@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum", "nancumprod"])
def test_cumulative_dtypes(name, itype):
    x = np.abs(I34).astype(itype) if itype != "bool" else I34 > 0
    check_op(name, [x], dict(axis=1))
    check_op(name, [x], dict(axis=0, dtype="float32"))


@pytest.mark.parametrize("n, axis", [(1, -1), (2, 0), (1, 1), (3, -1), (0, 0)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_diff(n, axis, dtype):
    check_op("diff", [A234.astype(dtype)], dict(n=n, axis=axis), grad=True)
    check_op("diff", [I34.astype("int32")], dict(n=1, axis=0))


# ---------------------------------------------------------------------------- windows and clip


@pytest.mark.parametrize("m", [1, 2, 5, 8])
@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
def test_windows(name, m):
    check_op(name, [m], atol=1e-6)


@pytest.mark.parametrize("m, beta", [(1, 2.0), (5, 2.0), (8, 0.5), (12, 8.6)])
def test_kaiser(m, beta):
    check_op("kaiser", [m, beta], atol=1e-6)


@pytest.mark.parametrize("dtype", FLOATS)
def test_clip(dtype):
    check_op("clip", [A34.astype(dtype), -0.5, 1.0], grad=True)
    check_op("clip", [I34.astype("int32"), -1, 2])
    check_op("clip", [I34.astype("int32"), -1.5, 2.5])
    check_op("clip", [I34 > 0, 0, 1])


# ---------------------------------------------------------------------------- under a GradientTape


def test_gradient_tape_through_a_chain():
    t = dg.Tensor(np.array([0.3, 0.7, 1.4], dtype="float32"), requires_grad=True)
    with dg.GradientTape() as tape:
        tape.watch(t)
        y = dg_ops.sum(dg_ops.log1p(dg_ops.square(dg_ops.sin(t))))
    g = tape.gradient(y, t).numpy()
    v = np.array([0.3, 0.7, 1.4])
    expected = 2 * np.sin(v) * np.cos(v) / (1 + np.sin(v) ** 2)
    np.testing.assert_allclose(g, expected, rtol=1e-5)


def test_every_listed_name_is_provided():
    import deepgrad.keras.ops.numpy_math as module

    for name in names.NUMPY_MATH:
        assert callable(getattr(module, name)), name


# ---------------------------------------------------------------------------- float16


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float16(name):
    (low, high), _ = UNARY[name]
    check_op(name, [u((3, 4), low, high, seed=9).astype("float16")])


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "var", "std", "median",
                                  "cumsum", "cumprod", "nansum", "nanmean", "nanvar", "nanstd",
                                  "nanprod", "ptp", "argmax", "average", "floor", "ceil", "round",
                                  "trunc", "sign", "nan_to_num", "count_nonzero", "nanmax",
                                  "nancumsum", "diff", "all", "any"])
def test_reductions_float16(name):
    check_op(name, [A234.astype("float16")])


@pytest.mark.parametrize("second", ["float16", 2.5, 2, "float32"])
@pytest.mark.parametrize("name", ["add", "maximum", "fmax", "arctan2", "hypot", "logaddexp",
                                  "logaddexp2", "divide", "divide_no_nan", "mod", "fmod",
                                  "floor_divide", "power", "heaviside", "nextafter", "isclose", "equal"])
def test_binary_float16(name, second):
    a = (np.abs(A34) + 0.1).astype("float16")
    b = (np.abs(B34) + 0.1).astype(second) if isinstance(second, str) else second
    check_op(name, [a, b])
