"""Learning-rate schedules against Keras 3: the same value at every step, the same config."""
import os

import numpy as np
import pytest

from deepgrad.keras.optimizers import schedules

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STEPS = [0, 1, 2, 3, 5, 9, 10, 11, 33, 99, 100, 101, 250, 1000]

CASES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9)),
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9,
                              staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[10, 100], values=[1.0, 0.5, 0.1])),
    ("PiecewiseConstantDecay", dict(boundaries=[3], values=[0.01, 0.002])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=100)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=100, end_learning_rate=0.01,
                             power=2.0)),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=30, end_learning_rate=0.01,
                             power=0.5, cycle=True)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5,
                              staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=100)),
    ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=100, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=100, warmup_target=0.2,
                         warmup_steps=10)),
    ("CosineDecay", dict(initial_learning_rate=0.01, decay_steps=50, alpha=0.05,
                         warmup_target=0.1, warmup_steps=20)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=10)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=1.0,
                                 m_mul=0.5, alpha=0.1)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_values_and_config_match_keras(name, kwargs):
    keras = pytest.importorskip("keras")
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    mine = [ours(step) for step in STEPS]
    ref = [float(keras.ops.convert_to_numpy(theirs(step))) for step in STEPS]
    assert all(isinstance(v, float) for v in mine)
    # atol: near the end of a cosine, Keras' float32 1 + cos(~pi) loses digits (~1e-9 here).
    np.testing.assert_allclose(mine, ref, rtol=2e-6, atol=1e-8)
    assert ours.get_config() == theirs.get_config()
    again = schedules.deserialize(schedules.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()
    assert again(7) == ours(7)


def test_known_values():
    """The formulas themselves, independent of Keras."""
    assert schedules.ExponentialDecay(1.0, 10, 0.5)(20) == pytest.approx(0.25)
    assert schedules.ExponentialDecay(1.0, 10, 0.5, staircase=True)(19) == pytest.approx(0.5)
    piecewise = schedules.PiecewiseConstantDecay([5, 10], [1.0, 0.1, 0.01])
    assert [piecewise(s) for s in (0, 5, 6, 10, 11)] == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])
    assert schedules.PolynomialDecay(1.0, 10, 0.0)(5) == pytest.approx(0.5)
    assert schedules.PolynomialDecay(1.0, 10, 0.0)(50) == pytest.approx(0.0)
    assert schedules.PolynomialDecay(1.0, 10, 0.0, cycle=True)(15) == pytest.approx(0.25)
    assert schedules.InverseTimeDecay(1.0, 1, 1.0)(3) == pytest.approx(0.25)
    assert schedules.CosineDecay(1.0, 10)(5) == pytest.approx(0.5)
    assert schedules.CosineDecay(1.0, 10, alpha=0.2)(10) == pytest.approx(0.2)
    warm = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)
    assert [warm(s) for s in (0, 2, 4, 9, 14, 100)] == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.0, 0.0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.9)
    with pytest.raises(ValueError, match="1 less than"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError) as info:
        schedules.deserialize({"class_name": "Nope", "config": {}})
    assert "exponentialdecay" in str(info.value).lower() and "cosinedecay" in str(info.value).lower()


def test_steps_as_tensors_and_arrays():
    import deepgrad as dg

    schedule = schedules.ExponentialDecay(0.1, 10, 0.5)
    assert schedule(dg.Tensor(np.array(10))) == schedule(10) == schedule(np.int64(10))
