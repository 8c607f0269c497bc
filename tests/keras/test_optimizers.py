"""Optimizers against Keras 3 itself: same initial weights, same gradients, same weights after.

Each case starts our optimizer and Keras' (PyTorch backend) from the same
variables of several shapes, feeds both the same seeded random gradients for
six steps, and compares the weights after every step, the optimizer state
(Keras' `variables`, in Keras' order) at the end, and `iterations`.
"""
import os
import warnings

import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import constraints, optimizers
from deepgrad.keras.optimizers import schedules

os.environ.setdefault("KERAS_BACKEND", "torch")

# Keras' PyTorch backend converts its own variables with a deprecated NumPy call.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SHAPES = [(4, 3), (3,), (2, 3, 3, 2)]
STEPS = 6
TOL = dict(rtol=1e-5, atol=1e-5)


def _keras():
    return pytest.importorskip("keras")


def _problem(seed=0, steps=STEPS, scale=1.0, dtype=np.float32):
    rs = np.random.default_rng(seed)
    init = [rs.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[(scale * rs.standard_normal(s)).astype(dtype) for s in SHAPES]
             for _ in range(steps)]
    return init, grads


def _run_pair(ours, theirs, seed=0, steps=STEPS, scale=1.0, none_at=None, between=None,
              dtype=np.float32, displacement_atol=1e-12):
    """Drive both optimizers; return (our variables, Keras' variables) after the last step.

    Weights are compared after every step; in float64 the displacements from the
    initial weights are compared too, to rtol 1e-6 (for rules whose steps are tiny).
    none_at: (step, variable index) whose gradient is None in that step.
    between: callback(step, ours, theirs) run before each step.
    """
    keras = _keras()
    init, grads = _problem(seed, steps, scale, dtype)
    our_vars = [dg.Variable(w.copy(), name=f"w{i}") for i, w in enumerate(init)]
    their_vars = [keras.Variable(w.copy(), name=f"w{i}", dtype=str(np.dtype(dtype)))
                  for i, w in enumerate(init)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for step, gs in enumerate(grads):
            if between is not None:
                between(step, ours, theirs)
            ours_g = [dg.Tensor(g) for g in gs]
            their_g = [keras.ops.convert_to_tensor(g) for g in gs]
            if none_at is not None and none_at[0] == step:
                ours_g[none_at[1]] = None
                their_g[none_at[1]] = None
            ours.apply_gradients(zip(ours_g, our_vars))
            theirs.apply_gradients(zip(their_g, their_vars))
            for i, (a, b) in enumerate(zip(our_vars, their_vars)):
                np.testing.assert_allclose(
                    a.numpy(), keras.ops.convert_to_numpy(b), **TOL,
                    err_msg=f"variable {i} after step {step + 1}",
                )
                if dtype == np.float64:
                    np.testing.assert_allclose(
                        a.numpy() - init[i], keras.ops.convert_to_numpy(b) - init[i],
                        rtol=1e-6, atol=displacement_atol, err_msg=f"displacement of variable {i}",
                    )
                    assert a.dtype == np.float64
    return our_vars, their_vars


def _check_state(ours, theirs, rtol=1e-4, atol=1e-6):
    """Same optimizer state as Keras: count, order, shapes and values of `variables`."""
    keras = _keras()
    ref = [keras.ops.convert_to_numpy(v) for v in theirs.variables]
    mine = ours.variables
    assert [np.shape(v) for v in mine] == [np.shape(v) for v in ref]
    for i, (a, b) in enumerate(zip(mine, ref)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"optimizer variable {i}")
    assert int(ours.iterations) == int(keras.ops.convert_to_numpy(theirs.iterations))


CASES = [
    ("SGD", dict(learning_rate=0.1)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9)),
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(learning_rate=0.1, momentum=0.5, weight_decay=0.05)),
    ("SGD", dict(learning_rate=0.1, clipvalue=0.5)),
    ("Adam", dict(learning_rate=0.05)),
    ("Adam", dict(learning_rate=0.05, amsgrad=True)),
    ("Adam", dict(learning_rate=0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-3)),
    ("Adam", dict(learning_rate=0.05, clipnorm=1.0)),
    ("Adam", dict(learning_rate=0.05, global_clipnorm=1.5)),
    ("Adam", dict(learning_rate=0.05, weight_decay=0.1)),
    ("AdamW", dict(learning_rate=0.05)),
    ("AdamW", dict(learning_rate=0.05, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(learning_rate=0.01)),
    ("RMSprop", dict(learning_rate=0.01, centered=True)),
    ("RMSprop", dict(learning_rate=0.01, momentum=0.9)),
    ("RMSprop", dict(learning_rate=0.01, rho=0.5, momentum=0.5, centered=True, clipnorm=0.7)),
    ("Adagrad", dict(learning_rate=0.1)),
    ("Adagrad", dict(learning_rate=0.1, initial_accumulator_value=0.5, epsilon=1e-3)),
    ("Adadelta", dict(learning_rate=1.0)),
    ("Adadelta", dict(learning_rate=1.0, rho=0.5, epsilon=1e-3, global_clipnorm=2.0)),
    ("Adamax", dict(learning_rate=0.05)),
    ("Adamax", dict(learning_rate=0.05, beta_1=0.5, clipvalue=0.3)),
    ("Nadam", dict(learning_rate=0.05)),
    ("Nadam", dict(learning_rate=0.05, beta_2=0.9, weight_decay=0.05)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_matches_keras(name, kwargs):
    keras = _keras()
    ours = getattr(optimizers, name)(**kwargs)
    theirs = getattr(keras.optimizers, name)(**kwargs)
    _run_pair(ours, theirs)
    _check_state(ours, theirs)
    assert int(ours.iterations) == STEPS


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "Nadam"])
def test_defaults_match_keras(name):
    """Keras' default hyper-parameters, config for config; and the same trajectory with them."""
    keras = _keras()
    ours, theirs = getattr(optimizers, name)(), getattr(keras.optimizers, name)()
    mine, ref = ours.get_config(), theirs.get_config()
    mine.pop("name"), ref.pop("name")
    assert mine == ref
    # float64 so that even Adadelta's tiny default steps (~1e-6) are compared closely.
    # Keras' PyTorch backend forms the weight-decay factor 1 - wd * lr in float32 even
    # for float64 weights: |w| * 6e-8 per step of difference where weight decay is on.
    _run_pair(ours, theirs, dtype=np.float64,
              displacement_atol=1e-7 if ours.weight_decay else 1e-12)
    _check_state(ours, theirs, rtol=1e-6, atol=1e-15)


def test_schedule_as_learning_rate():
    keras = _keras()
    args = dict(initial_learning_rate=0.1, decay_steps=2, decay_rate=0.5)
    ours = optimizers.Adam(learning_rate=schedules.ExponentialDecay(**args))
    theirs = keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.ExponentialDecay(**args))
    _run_pair(ours, theirs)
    _check_state(ours, theirs)
    assert float(ours.learning_rate) == pytest.approx(0.1 * 0.5 ** (STEPS / 2), rel=1e-6)


def test_piecewise_schedule_with_sgd_momentum():
    keras = _keras()
    args = dict(boundaries=[1, 3], values=[0.1, 0.05, 0.01])
    ours = optimizers.SGD(schedules.PiecewiseConstantDecay(**args), momentum=0.9, nesterov=True)
    theirs = keras.optimizers.SGD(keras.optimizers.schedules.PiecewiseConstantDecay(**args),
                                  momentum=0.9, nesterov=True)
    _run_pair(ours, theirs)


def test_learning_rate_set_mid_training():
    """Callbacks set `optimizer.learning_rate = x`; both frameworks then use x."""
    keras = _keras()

    def between(step, ours, theirs):
        if step == 3:
            ours.learning_rate = 0.01
            theirs.learning_rate = 0.01

    ours, theirs = optimizers.RMSprop(0.05), keras.optimizers.RMSprop(0.05)
    _run_pair(ours, theirs, between=between)
    assert float(ours.learning_rate) == pytest.approx(0.01)
    assert ours.learning_rate.numpy().dtype == np.float32


def test_none_gradient_is_skipped_like_keras():
    keras = _keras()
    ours, theirs = optimizers.Adam(0.05), keras.optimizers.Adam(0.05)
    our_vars, _ = _run_pair(ours, theirs, none_at=(2, 1))
    _check_state(ours, theirs)
    assert int(ours.iterations) == STEPS


def test_none_gradients_warn_and_all_none_raises():
    v = [dg.Variable(np.ones(3, np.float32)), dg.Variable(np.ones(2, np.float32))]
    opt = optimizers.SGD(0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(np.ones(3, np.float32), v[0]), (None, v[1])])
    np.testing.assert_array_equal(v[1].numpy(), np.ones(2))
    np.testing.assert_allclose(v[0].numpy(), np.full(3, 0.9), rtol=1e-7)
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, v[0]), (None, v[1])])


def test_loss_scale_gradient_accumulation_and_ema_match_keras():
    keras = _keras()
    for kwargs in (
        dict(learning_rate=0.05, loss_scale_factor=4.0),
        dict(learning_rate=0.05, gradient_accumulation_steps=2),
        dict(learning_rate=0.05, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2),
    ):
        ours, theirs = optimizers.Adam(**kwargs), keras.optimizers.Adam(**kwargs)
        our_vars, their_vars = _run_pair(ours, theirs)
        _check_state(ours, theirs)
        if kwargs.get("use_ema"):
            ours.finalize_variable_values(our_vars)
            theirs.finalize_variable_values(their_vars)
            for a, b in zip(our_vars, their_vars):
                np.testing.assert_allclose(a.numpy(), keras.ops.convert_to_numpy(b), **TOL)


def test_constraint_applied_after_update_like_keras():
    keras = _keras()
    init, grads = _problem()
    ours_v = dg.Variable(init[0].copy())
    ours_v.constraint = constraints.MaxNorm(1.0)
    theirs_v = keras.Variable(init[0].copy())
    theirs_v.constraint = keras.constraints.MaxNorm(1.0)
    ours, theirs = optimizers.SGD(0.5, momentum=0.9), keras.optimizers.SGD(0.5, momentum=0.9)
    for gs in grads:
        ours.apply_gradients([(gs[0], ours_v)])
        theirs.apply_gradients([(keras.ops.convert_to_tensor(gs[0]), theirs_v)])
        np.testing.assert_allclose(ours_v.numpy(), keras.ops.convert_to_numpy(theirs_v), **TOL)
    assert np.all(np.linalg.norm(ours_v.numpy(), axis=0) <= 1.0 + 1e-6)


def test_harness_detects_a_wrong_rule():
    """The parity check is sharp: a 10% different learning rate fails it."""
    keras = _keras()
    with pytest.raises(AssertionError):
        _run_pair(optimizers.Adam(0.05), keras.optimizers.Adam(0.055))
    with pytest.raises(AssertionError):
        _run_pair(optimizers.RMSprop(0.01, centered=True), keras.optimizers.RMSprop(0.01))


def test_apply_and_float64_variables_keep_their_dtype():
    w64 = dg.Variable(np.ones((2, 2)), dtype=np.float64)
    w32 = dg.Variable(np.ones(3, np.float32))
    opt = optimizers.Adam(0.1)
    opt.apply([np.full((2, 2), 0.5, np.float32), np.full(3, 0.5, np.float64)], [w64, w32])
    opt.apply([np.full((2, 2), 0.5, np.float32), np.full(3, 0.5, np.float64)])  # built list
    assert w64.dtype == np.float64 and w32.dtype == np.float32
    assert all(s.dtype == np.float64 for s in opt._momentums[:1])
    assert opt._momentums[1].dtype == np.float32
    # Adam's first steps move each weight by about lr against the gradient's sign.
    np.testing.assert_allclose(w64.numpy(), np.full((2, 2), 0.8), rtol=1e-5)
    np.testing.assert_allclose(w32.numpy(), np.full(3, 0.8), rtol=1e-5)
    assert int(opt.iterations) == 2


def test_unknown_variable_and_shape_mismatch_raise():
    a, b = dg.Variable(np.ones(2, np.float32)), dg.Variable(np.ones(2, np.float32))
    opt = optimizers.SGD()
    opt.apply_gradients([(np.ones(2, np.float32), a)])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(np.ones(2, np.float32), b)])
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        opt.apply_gradients([(np.ones(3, np.float32), a)])


def test_minimize_with_tape_and_callable():
    w = dg.Variable(np.array([3.0, -2.0], np.float32))
    opt = optimizers.SGD(0.25)
    with dg.GradientTape() as tape:
        loss = (w * w).sum()
    opt.minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), [1.5, -1.0])  # w - 0.25 * 2w
    opt.minimize(lambda: (w * w).sum(), lambda: [w])
    np.testing.assert_allclose(w.numpy(), [0.75, -0.5])
    assert int(opt.iterations) == 2


def test_learning_rate_property():
    opt = optimizers.Adam(learning_rate=0.01)
    assert float(opt.learning_rate) == pytest.approx(0.01)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    opt.learning_rate.assign(0.25)
    assert float(opt.learning_rate) == 0.25
    scheduled = optimizers.SGD(schedules.InverseTimeDecay(1.0, 1, 1.0))
    assert float(scheduled.learning_rate) == 1.0
    w = dg.Variable(np.zeros(1, np.float32))
    scheduled.apply_gradients([(np.ones(1, np.float32), w)])
    assert float(scheduled.learning_rate) == 0.5  # 1 / (1 + 1 * 1)
    np.testing.assert_allclose(w.numpy(), [-1.0])  # the first step used lr(0) = 1
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.1
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate="fast")


def test_get_names_instances_and_errors():
    for name, cls in [("sgd", optimizers.SGD), ("adam", optimizers.Adam), ("adamw", optimizers.AdamW),
                      ("rmsprop", optimizers.RMSprop), ("adagrad", optimizers.Adagrad),
                      ("adadelta", optimizers.Adadelta), ("adamax", optimizers.Adamax),
                      ("nadam", optimizers.Nadam), ("Adam", optimizers.Adam), ("RMSprop", optimizers.RMSprop)]:
        assert type(optimizers.get(name)) is cls
    opt = optimizers.Nadam()
    assert optimizers.get(opt) is opt
    assert optimizers.get("adam") is not optimizers.get("adam")
    with pytest.raises(ValueError) as info:
        optimizers.get("adamm")
    for name in ("adam", "sgd", "rmsprop", "nadam", "adadelta", "adamw", "adamax", "adagrad"):
        assert name in str(info.value)
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(lr=0.1)


def test_config_round_trip_and_keras_config():
    keras = _keras()
    opt = optimizers.RMSprop(0.02, rho=0.8, momentum=0.5, centered=True, clipnorm=2.0, name="rms")
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is optimizers.RMSprop and again.get_config() == opt.get_config()
    # Keras' own serialized form loads as ours (names, schedules included).
    sched = keras.optimizers.schedules.CosineDecay(0.1, 100, alpha=0.1)
    theirs = keras.optimizers.Adam(learning_rate=sched, amsgrad=True)
    ours = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert type(ours) is optimizers.Adam and ours.amsgrad
    assert isinstance(ours._learning_rate, schedules.CosineDecay)
    assert ours.get_config() == theirs.get_config()


def test_save_and_load_own_variables_resumes_identically():
    init, grads = _problem()
    runs = []
    for restore in (False, True):
        v = [dg.Variable(w.copy()) for w in init]
        opt = optimizers.Nadam(0.05)
        for gs in grads[:3]:
            opt.apply_gradients(zip(gs, v))
        if restore:
            store = {}
            opt.save_own_variables(store)
            opt = optimizers.Nadam(0.05)
            opt.build(v)
            opt.load_own_variables(store)
        for gs in grads[3:]:
            opt.apply_gradients(zip(gs, v))
        runs.append([x.numpy().copy() for x in v])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_default_names_follow_keras():
    assert optimizers.SGD(name="mine").name == "mine"
    first = optimizers.AdamW().name
    assert first.startswith("adam_w")
