"""gradcheck itself: it passes correct vjps and catches wrong ones, saying where and by how much."""
import re

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from deepgrad.gradcheck import GradcheckError, gradcheck
from deepgrad.tensor import as_tensor, attach


def scaled_product(wrong_input=None, wrong_index=None, delta=0.0):
    """y = a * b^2 with a hand-written vjp; optionally `delta` is added to one gradient element."""

    def fn(a, b):
        a, b = as_tensor(a), as_tensor(b)

        def vjp(g):
            ga, gb = g * b.data**2, g * 2 * a.data * b.data
            grads = [ga.copy(), gb.copy()]
            if wrong_input is not None:
                grads[wrong_input][wrong_index] += delta
            return tuple(grads)

        return attach(a.data * b.data**2, (a, b), vjp, "scaled_product")

    return fn


def inputs():
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, size=(2, 3)), rng.uniform(-1, 1, size=(2, 3))


def test_gradcheck_passes_a_correct_vjp():
    assert gradcheck(scaled_product(), *inputs()) is True


def test_gradcheck_passes_correct_library_ops():
    a, b = inputs()
    assert gradcheck(lambda x, y: ops.sum(ops.tanh(x) * ops.exp(y), 1), a, b)


def test_gradcheck_names_the_input_the_worst_index_and_both_values():
    a, b = inputs()
    with pytest.raises(GradcheckError) as info:
        gradcheck(scaled_product(wrong_input=1, wrong_index=(1, 2), delta=0.25), a, b)
    message = str(info.value)
    assert "input 1" in message and "(2, 3)" in message and "index (1, 2)" in message
    analytic = float(re.search(r"analytic ([-\d.e]+)", message).group(1))
    numeric = float(re.search(r"numeric ([-\d.e]+)", message).group(1))
    weight = np.random.default_rng(0).uniform(0.5, 1.5, size=(2, 3))[1, 2]  # gradcheck's output weight
    true = weight * 2 * a[1, 2] * b[1, 2]
    assert numeric == pytest.approx(true, rel=1e-6)
    assert analytic == pytest.approx(true + 0.25, rel=1e-6)


def test_gradcheck_reports_the_worst_of_several_wrong_elements():
    bad = scaled_product(wrong_input=0, wrong_index=(0, 1), delta=1e-2)
    worse = scaled_product(wrong_input=0, wrong_index=(1, 0), delta=5e-1)

    def fn(a, b):
        return bad(a, b) + worse(a, b)

    with pytest.raises(GradcheckError, match=r"input 0 .*index \(1, 0\)"):
        gradcheck(fn, *inputs())


def test_gradcheck_catches_a_small_error_beyond_the_tolerance():
    with pytest.raises(GradcheckError):
        gradcheck(scaled_product(wrong_input=0, wrong_index=(0, 0), delta=1e-3), *inputs())


def test_gradcheck_catches_a_missing_gradient():
    def fn(a, b):
        return attach(a.data * b.data, (a, b), lambda g: (g * b.data, None), "half_product")

    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(fn, *inputs())


def test_gradcheck_catches_a_nan_gradient():
    def fn(a):
        return attach(a.data * 2, (a,), lambda g: (g * np.nan,), "nan_vjp")

    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(fn, np.ones(3))


def test_gradcheck_requires_a_float64_output():
    with pytest.raises(GradcheckError, match="float64"):
        gradcheck(lambda x: ops.cast(x, np.float32), np.ones(3))


def test_gradcheck_passes_integer_inputs_through_unchecked():
    table = np.random.default_rng(1).uniform(-1, 1, size=(4, 3))
    ids = np.array([0, 2, 2])
    assert gradcheck(lambda t, i: ops.getitem(t, i.numpy()) * 2.0, table, ids)


def test_gradcheck_accepts_tensors_and_checks_in_float64():
    x = dg.Tensor(np.array([0.3, 0.7], np.float32))
    assert gradcheck(lambda t: ops.exp(t) * t, x)
