"""The op table (deepgrad/ops/table.py): each op declared once, and everything else read from it.

- every declared op is checked numerically somewhere: the test modules list what they
  check in `COVERED_OPS` (against PyTorch, Keras or finite differences), gathered here
  without importing them;
- Tensor's methods and operators are the ones the table names;
- the fused ops' activations come from one table, with one meaning of "cannot fuse";
- tensor.py imports nothing from ops/ (no import circle);
- the profiler's hook is the table's observer.
"""
import ast
import importlib
from pathlib import Path

import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from deepgrad.keras import activations, layers
from deepgrad.ops import table

ROOT = Path(__file__).resolve().parents[2]


def _covered_in_tests(variable):
    """{name: [test files]} from every top-level `<variable> = ...` of a test module (a literal is read
    without importing the module)."""
    found = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == variable for t in node.targets):
                try:
                    names = ast.literal_eval(node.value)
                except ValueError:  # built by an expression: import the module to read it
                    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                    names = getattr(importlib.import_module(module), variable)
                for name in names:
                    found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_declared_op_is_checked_by_a_test():
    covered = _covered_in_tests("COVERED_OPS")
    missing = sorted(set(table.OPS) - set(covered))
    assert not missing, (f"ops declared in deepgrad/ops with no parity or gradcheck test: {missing}; "
                         "test them and list them in that test module's COVERED_OPS")


def test_covered_names_are_declared_ops():
    stale = {name: files for name, files in _covered_in_tests("COVERED_OPS").items() if name not in table.OPS}
    assert not stale, f"COVERED_OPS names that are not ops of the table: {stale}"


def test_an_op_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        table.declare("add", kind="binary")(lambda a, b: a)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind 'elementwize'"):
        table.declare(kind="elementwize")


def test_every_table_entry_is_the_function_callers_use():
    for name, spec in table.OPS.items():
        assert spec.op.spec is spec and spec.kind in table.KINDS, name
    assert ops.add is table.OPS["add"].op and ops.matmul is table.OPS["matmul"].op


@pytest.mark.parametrize("method, op", [
    ("__add__", "add"), ("__mul__", "mul"), ("__matmul__", "matmul"), ("__getitem__", "getitem"),
    ("__eq__", "equal"), ("__neg__", "neg"), ("sum", "sum"), ("astype", "cast"), ("swapaxes", "swapaxes"),
])
def test_tensor_methods_are_the_table_ops(method, op):
    assert getattr(dg.Tensor, method) is table.OPS[op].op


def test_every_method_the_table_names_is_on_tensor():
    x = dg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    for spec in table.OPS.values():
        for method in spec.methods:
            name = method if isinstance(method, str) else method[0]
            assert hasattr(dg.Tensor, name), f"{spec.name} names Tensor.{name}, which is missing"
    y = (2.0 - x).T.reshape(3, 2).flatten()  # reflected, property, star-shape and flatten adapters
    np.testing.assert_array_equal(y.numpy(), (2.0 - np.arange(6.0).reshape(2, 3)).T.reshape(-1))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), -np.ones((2, 3)))


def test_a_recorded_node_is_named_after_its_op():
    x = dg.Tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
    for name, call in [("add", lambda: x + 1.0), ("tanh", lambda: ops.tanh(x)), ("sum", lambda: x.sum()),
                       ("transpose", lambda: x.T), ("getitem", lambda: x[1:]), ("matmul", lambda: x @ x.T)]:
        assert call()._node.op == name and name in table.OPS


def test_one_table_says_which_activations_fuse():
    assert table.fused_activation("dense_bias_act", "relu") == "relu"
    assert table.fused_activation("conv2d_bias_act", "linear") == "linear"
    assert table.fused_activation("dense_bias_act", "tanh") is None
    assert table.fused_activation("lstm", "hard_sigmoid") == "hard_sigmoid"
    assert table.fused_activation("lstm", "gelu") is None
    assert table.fused_activation("add", "relu") is None
    assert activations.fused_name(activations.relu, "dense_bias_act") == "relu"
    assert activations.fused_name(lambda z: z, "dense_bias_act") is None
    assert set(table.FUSES) == {"dense_bias_act", "conv2d_bias_act", "conv2d_bias_act_pool", "simple_rnn", "lstm",
                                "lstm_from_inputs", "gru"}


@pytest.mark.parametrize("activation, fused", [("relu", True), (None, True), ("tanh", False), ("gelu", False)])
def test_dense_fuses_exactly_what_the_table_allows(activation, fused):
    layer = layers.Dense(3, activation=activation)
    with dg.GradientTape() as tape:
        x = dg.Tensor(np.ones((2, 4), np.float32))
        tape.watch(x)
        y = layer(x)
    assert (y._node.op == "dense_bias_act") == fused


def test_tensor_module_imports_nothing_from_ops():
    tree = ast.parse((ROOT / "deepgrad" / "tensor.py").read_text())
    imported = [getattr(n, "module", None) or "" for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith("ops") or ".ops" in m], imported


def test_keras_annotations_ride_on_tensors():
    """Masks and softmax logits are both tensor attributes (as tf.keras), not tables keyed by id()."""
    x = dg.Tensor(np.array([[1.0, 2.0, 3.0]], np.float32))
    probs = activations.softmax(x)
    assert probs._keras_logits[0] == "softmax" and probs._keras_logits[1] is x
    assert activations.logits_of(probs, "softmax") is x and activations.logits_of(probs, "sigmoid") is None
    assert dg.Tensor([1.0])._keras_logits is None and (x + 1.0)._keras_mask is None
