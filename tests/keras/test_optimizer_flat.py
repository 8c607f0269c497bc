"""Flat optimizer state: one buffer per slot, the per-variable arrays views of it.

An optimizer with `_update_flat` updates every variable at once when a step
brings all their gradients in build order; the numbers must be those of the
per-variable rule, bit for bit, and the state must save and load as before.
"""
import numpy as np
import pytest

import deepgrad as dg


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_flat_update_matches_the_per_variable_rule_bit_for_bit(amsgrad):
    """All variables at once (one flat state) or a subset in another order (per variable): same numbers."""
    rng = np.random.default_rng(7)
    shapes = [(3, 4), (4,), (2, 2, 3)]
    start = [rng.normal(size=s).astype("float32") for s in shapes]
    grads = [[rng.normal(size=s).astype("float32") for s in shapes] for _ in range(4)]
    flat_vars = [dg.Variable(a.copy()) for a in start]
    loop_vars = [dg.Variable(a.copy()) for a in start]
    flat_opt = dg.keras.optimizers.Adam(0.01, amsgrad=amsgrad)
    loop_opt = dg.keras.optimizers.Adam(0.01, amsgrad=amsgrad)
    loop_opt.build(loop_vars)
    for step in grads:
        flat_opt.apply(step, flat_vars)
        # reversed order: not the build order, so this one takes the per-variable path
        loop_opt.apply(step[::-1], loop_vars[::-1])
    for a, b in zip(flat_vars, loop_vars):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(flat_opt.variables, loop_opt.variables):
        np.testing.assert_array_equal(a, b)


def test_flat_state_views_share_memory_with_the_buffers_and_load_in_place():
    variables = [dg.Variable(np.ones((2, 3), "float32")), dg.Variable(np.ones(4, "float32"))]
    opt = dg.keras.optimizers.Adam(0.1)
    opt.apply([np.ones((2, 3), "float32"), np.ones(4, "float32")], variables)
    assert all(np.shares_memory(a, opt._flat["momentum"]) for a in opt._momentums)
    store = {}
    opt.save_own_variables(store)
    fresh = dg.keras.optimizers.Adam(0.1)
    fresh.build(variables)
    fresh.load_own_variables(store)
    np.testing.assert_array_equal(fresh._flat["velocity"], opt._flat["velocity"])


def test_mixed_dtypes_keep_separate_state_and_the_per_variable_rule():
    variables = [dg.Variable(np.ones(3, "float32")), dg.Variable(np.ones(2, "float64"))]
    opt = dg.keras.optimizers.Adam(0.1)
    opt.apply([np.ones(3, "float32"), np.ones(2, "float64")], variables)
    assert opt._flat is None
    assert variables[0].dtype == np.float32 and variables[1].dtype == np.float64
    np.testing.assert_allclose(variables[0].numpy(), 0.9, rtol=1e-6)
