"""Regularizers and constraints against Keras 3 on the same arrays; regularizer gradients by gradcheck."""
import os

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import constraints, regularizers

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _weights(shape=(4, 3), seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---- regularizers -----------------------------------------------------------------------

REGULARIZERS = [
    ("L1", dict()), ("L1", dict(l1=0.3)),
    ("L2", dict()), ("L2", dict(l2=0.05)),
    ("L1L2", dict()), ("L1L2", dict(l1=0.01, l2=0.02)), ("L1L2", dict(l2=0.1)),
]


@pytest.mark.parametrize("name,kwargs", REGULARIZERS,
                         ids=[f"{n}-{'-'.join(k)}" for n, k in REGULARIZERS])
def test_penalty_matches_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    w = _weights((3, 3, 2, 4))
    ours = getattr(regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    value = ours(dg.Variable(w))
    assert isinstance(value, dg.Tensor) and value.shape == () and value.dtype == np.float32
    expected = float(keras.ops.convert_to_numpy(theirs(keras.ops.convert_to_tensor(w))))
    assert float(value) == pytest.approx(expected, rel=1e-6, abs=1e-9)
    # Keras' L1 keeps l1 as a float32 tensor, so its config says 0.009999999776482582.
    assert ours.get_config() == pytest.approx(theirs.get_config(), rel=1e-7)


def test_penalty_values():
    w = np.array([[1.0, -2.0], [0.5, 0.0]], np.float32)
    assert float(regularizers.L1(0.1)(w)) == pytest.approx(0.35)
    assert float(regularizers.L2(0.1)(w)) == pytest.approx(0.525)
    assert float(regularizers.L1L2(0.1, 0.1)(w)) == pytest.approx(0.875)
    assert float(regularizers.L1L2()(w)) == 0.0


@pytest.mark.parametrize("make", [lambda: regularizers.L1(0.3), lambda: regularizers.L2(0.2),
                                  lambda: regularizers.L1L2(0.1, 0.4)])
def test_gradient_gradcheck(make):
    reg = make()
    w = _weights((3, 4), seed=1, dtype=np.float64)
    w[np.abs(w) < 0.05] = 0.5  # keep away from |x|'s kink
    assert dg.gradcheck(lambda x: reg(x), w)


def test_gradient_reaches_the_variable_through_the_tape():
    w = dg.Variable(np.array([1.0, -2.0, 3.0], np.float32))
    with dg.GradientTape() as tape:
        loss = regularizers.L1L2(l1=0.1, l2=0.5)(w)
    (grad,) = tape.gradient(loss, [w])
    np.testing.assert_allclose(grad.numpy(), 0.1 * np.sign(w.numpy()) + 2 * 0.5 * w.numpy(), rtol=1e-6)


def test_regularizer_names_and_errors():
    assert isinstance(regularizers.get("l1"), regularizers.L1) and regularizers.get("l1").l1 == 0.01
    assert isinstance(regularizers.get("L2"), regularizers.L2) and regularizers.get("l2").l2 == 0.01
    both = regularizers.get("l1_l2")
    assert isinstance(both, regularizers.L1L2) and (both.l1, both.l2) == (0.01, 0.01)
    assert regularizers.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}  # Keras 3's class default
    reg = regularizers.L2(0.3)
    assert regularizers.get(reg) is reg and regularizers.get(None) is None
    again = regularizers.deserialize(regularizers.serialize(regularizers.L1L2(0.2, 0.3)))
    assert again.get_config() == {"l1": 0.2, "l2": 0.3}
    with pytest.raises(ValueError) as info:
        regularizers.get("l3")
    assert all(n in str(info.value) for n in ("l1", "l2", "l1_l2"))
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L1(float("nan"))


def test_keras_serialized_regularizers_load():
    keras = pytest.importorskip("keras")
    for theirs in (keras.regularizers.L1(0.2), keras.regularizers.L2(0.3),
                   keras.regularizers.L1L2(0.1, 0.2)):
        ours = regularizers.deserialize(keras.regularizers.serialize(theirs))
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.get_config() == pytest.approx(theirs.get_config(), rel=1e-7)


# ---- constraints ------------------------------------------------------------------------

CONSTRAINTS = [
    ("MaxNorm", dict()), ("MaxNorm", dict(max_value=0.5, axis=1)),
    ("MaxNorm", dict(max_value=1.0, axis=[0, 1])),
    ("NonNeg", dict()),
    ("UnitNorm", dict()), ("UnitNorm", dict(axis=-1)),
    ("MinMaxNorm", dict()), ("MinMaxNorm", dict(min_value=0.8, max_value=1.2, rate=0.5, axis=1)),
]


@pytest.mark.parametrize("shape", [(5, 4), (3, 3, 2, 4)], ids=["dense", "conv"])
@pytest.mark.parametrize("name,kwargs", CONSTRAINTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONSTRAINTS)])
def test_constraint_matches_keras(name, kwargs, shape):
    keras = pytest.importorskip("keras")
    w = 1.5 * _weights(shape, seed=2)
    ours = getattr(constraints, name)(**kwargs)
    theirs = getattr(keras.constraints, name)(**kwargs)
    out = ours(w.copy())
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == shape
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(theirs(keras.ops.convert_to_tensor(w))),
                               rtol=1e-6, atol=1e-7)
    assert not np.allclose(out, w)  # each case does constrain something
    assert ours.get_config() == theirs.get_config()


def test_constraint_effects():
    w = np.array([[3.0, 0.3], [4.0, -0.4]], np.float32)  # column norms 5 and 0.5
    np.testing.assert_allclose(np.linalg.norm(constraints.MaxNorm(2.0)(w), axis=0), [2.0, 0.5], rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm()(w), axis=0), [1.0, 1.0], rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(constraints.MinMaxNorm(1.0, 2.0)(w), axis=0), [2.0, 1.0],
                               rtol=1e-5)
    np.testing.assert_array_equal(constraints.NonNeg()(w), np.array([[3.0, 0.3], [4.0, 0.0]], np.float32))
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(dg.Tensor(w)), constraints.MaxNorm(2.0)(w))


def test_constraint_names_and_errors():
    for name, cls in [("max_norm", constraints.MaxNorm), ("non_neg", constraints.NonNeg),
                      ("unit_norm", constraints.UnitNorm), ("min_max_norm", constraints.MinMaxNorm),
                      ("MaxNorm", constraints.MaxNorm), ("NonNeg", constraints.NonNeg)]:
        assert type(constraints.get(name)) is cls
    c = constraints.MaxNorm(3)
    assert constraints.get(c) is c and constraints.get(None) is None
    again = constraints.deserialize(constraints.serialize(constraints.MinMaxNorm(0.1, 0.9, 0.5, 1)))
    assert again.get_config() == {"min_value": 0.1, "max_value": 0.9, "rate": 0.5, "axis": 1}
    with pytest.raises(ValueError) as info:
        constraints.get("maxnorm2")
    assert all(n in str(info.value) for n in ("max_norm", "non_neg", "unit_norm", "min_max_norm"))
