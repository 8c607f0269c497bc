"""keras.ops as a namespace: Keras 3's names, all present, each checked against Keras somewhere.

- names.py's lists are exactly the installed Keras' keras.ops (and its numpy, nn, linalg
  and image submodules);
- every name resolves in deepgrad (coverage: present / Keras' total);
- every name is compared with Keras by a parity test (`COVERED_KERAS_OPS` of the test
  modules, gathered by tests/ops/test_op_table.py's reader);
- a name deepgrad lacks fails with "deepgrad does not implement keras.ops.<name>";
- signatures equal Keras'.
"""
import inspect

import pytest

from deepgrad import keras as dg_keras
from deepgrad.keras import ops
from deepgrad.keras.ops import names
from tests.ops.test_op_table import _covered_in_tests

keras = pytest.importorskip("keras", reason="Keras 3 is the oracle: pip install keras")


def _public(module):
    return {n for n in dir(module) if not n.startswith("_")}


def _keras_names():
    top = _public(keras.ops)
    subs = {sub: _public(getattr(keras.ops, sub)) for sub in names.SUBMODULES}
    return top, subs


def _all_names():
    """(public name as check_op spells it, the deepgrad provider module)."""
    out = []
    for module, listed in names.PROVIDERS.items():
        for name in listed:
            out.append(("image." + name if module == "image" else name, module))
    return out


def test_the_lists_are_keras_namespace():
    top, subs = _keras_names()
    listed_top = {n for module, listed in names.PROVIDERS.items() if module != "image" for n in listed}
    assert listed_top | set(names.SUBMODULES) == top
    for sub, modules in names.SUBMODULES.items():
        listed = {n for m in modules for n in names.PROVIDERS[m]} - set(names.TOP_LEVEL_ONLY)
        assert listed == subs[sub], sub


def test_every_keras_name_is_present():
    missing = []
    for public, _ in _all_names():
        try:
            obj = ops
            for part in public.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            missing.append(public)
    total = len(_all_names())
    assert not missing, f"{total - len(missing)}/{total} keras.ops names present; missing: {missing}"


def test_submodules_resolve_like_keras():
    assert ops.numpy.mean is ops.mean and ops.nn.softmax is ops.softmax and ops.linalg.inv is ops.inv
    assert hasattr(dg_keras, "ops") and hasattr(dg_keras, "random")
    assert not hasattr(ops, "resize")  # image ops live only in keras.ops.image, as in Keras


def test_every_keras_name_is_checked_against_keras():
    covered = set(_covered_in_tests("COVERED_KERAS_OPS"))
    unchecked = sorted(p for p, _ in _all_names() if p not in covered and p.split(".")[-1] not in covered)
    assert not unchecked, f"keras.ops names with no parity test against Keras: {unchecked}"


def test_a_missing_name_says_deepgrad_does_not_implement_it():
    with pytest.raises(AttributeError, match="deepgrad does not implement keras.ops.frobnicate"):
        ops.frobnicate  # noqa: B018
    assert not hasattr(ops, "frobnicate")


@pytest.mark.parametrize("public, module", _all_names())
def test_signature_is_keras(public, module):
    ours, theirs = ops, keras.ops
    for part in public.split("."):
        ours, theirs = getattr(ours, part), getattr(theirs, part)
    try:
        expected = inspect.signature(theirs)
    except (TypeError, ValueError):
        pytest.skip(f"Keras' {public} has no inspectable signature")
    assert [(p.name, p.kind, p.default) for p in inspect.signature(ours).parameters.values()] == \
        [(p.name, p.kind, p.default) for p in expected.parameters.values()], public
