"""Every second-order rule against the ordinary vjp and against central differences.

For each op with a rule (ops/second_order.py), in float64 on random inputs, with a
random output weight w and direction v:
- the gradient of sum(w * op(x)) computed by the rules (create_graph) equals the one
  the arrays-only vjps compute;
- the derivative of <gradient, v> with respect to each input (what a tape around the
  first gradient returns) equals central differences of <gradient(x), v>.
A test also fails when an op has a rule but no case here.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import ops
from deepgrad.ops import arrange, conv, fused, indexing, nn, second_order
from deepgrad.tensor import SECOND_ORDER, Tensor

# The op table's ops this file checks against PyTorch or finite differences (tests/ops/test_op_table.py).
COVERED_OPS = {"getitem_adjoint", "patches", "patches_adjoint"}

rng = np.random.default_rng(0)


def r(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, shape)


def pos(*shape):
    return r(*shape, low=0.5, high=2.0)


CASES = {  # op name: (function of the input tensors, input arrays)
    "add": (ops.add, [r(3, 4), r(4)]),
    "sub": (ops.sub, [r(3, 4), r(3, 1)]),
    "mul": (ops.mul, [r(3, 4), r(1, 4)]),
    "div": (ops.div, [r(3, 4), pos(3, 4)]),
    "pow": (ops.pow, [pos(3, 4), r(3, 4)]),
    "neg": (ops.neg, [r(3, 4)]),
    "cast": (lambda x: ops.cast(x, "float32").astype("float64"), [r(3, 4)]),
    "exp": (ops.exp, [r(3, 4)]),
    "log": (ops.log, [pos(3, 4)]),
    "sqrt": (ops.sqrt, [pos(3, 4)]),
    "square": (ops.square, [r(3, 4)]),
    "abs": (ops.abs, [r(3, 4)]),
    "tanh": (ops.tanh, [r(3, 4)]),
    "sigmoid": (ops.sigmoid, [r(3, 4)]),
    "relu": (lambda x: ops.relu(x) * x, [r(3, 4)]),
    "leaky_relu": (lambda x: ops.leaky_relu(x, 0.3) * x, [r(3, 4)]),
    "elu": (ops.elu, [r(3, 4)]),
    "softplus": (ops.softplus, [r(3, 4)]),
    "swish": (ops.swish, [r(3, 4)]),
    "clip": (lambda x: ops.clip(x, -0.5, 0.5) * x, [r(3, 4)]),
    "maximum": (lambda a, b: ops.maximum(a, b) * a, [r(3, 4), r(3, 4)]),
    "minimum": (lambda a, b: ops.minimum(a, b) * b, [r(3, 4), r(3, 4)]),
    "where": (lambda a, b: ops.where(np.arange(12).reshape(3, 4) % 3 == 0, a * a, b * a), [r(3, 4), r(3, 4)]),
    "sum": (lambda x: ops.square(ops.sum(x, axis=1)), [r(3, 4)]),
    "mean": (lambda x: ops.square(ops.mean(x, axis=(0, 2), keepdims=True)), [r(2, 3, 4)]),
    "reshape": (lambda x: ops.square(ops.reshape(x, (4, 3))), [r(3, 4)]),
    "expand_dims": (lambda x: ops.square(ops.expand_dims(x, 1)), [r(3, 4)]),
    "squeeze": (lambda x: ops.square(ops.squeeze(x, 1)), [r(3, 1, 4)]),
    "transpose": (lambda x: ops.square(ops.transpose(x, (1, 0))), [r(3, 4)]),
    "broadcast_to": (lambda x: ops.square(ops.broadcast_to(x, (3, 4))), [r(1, 4)]),
    "concat": (lambda a, b: ops.square(ops.concat([a, b], axis=1)), [r(3, 2), r(3, 4)]),
    "stack": (lambda a, b: ops.square(ops.stack([a, b], axis=1)), [r(3, 4), r(3, 4)]),
    "getitem": (lambda x: ops.square(x[1:, ::2]), [r(3, 4)]),
    "getitem_adjoint": (lambda x: ops.square(second_order.getitem_adjoint(x, (3, 4), (slice(1, None), slice(None, None, 2)))),
                [r(2, 2)]),
    "matmul": (lambda a, b: ops.tanh(ops.matmul(a, b)), [r(3, 4), r(4, 2)]),
    "dense_bias_act": (lambda x, k, b: fused.dense_bias_act(x, k, b, "relu") * x.sum(),
                       [r(3, 4), r(4, 5), r(5)]),
    "conv2d": (lambda x, k: ops.tanh(conv.conv2d(x, k, 2, "same")), [r(2, 5, 5, 2), r(3, 3, 2, 3)]),
    "conv2d_bias_act": (lambda x, k, b: ops.tanh(conv.conv2d_bias_act(x, k, b, 1, "valid", 1, "relu")),
                        [r(2, 5, 5, 2), r(3, 3, 2, 3), r(3)]),
    "softmax": (lambda x: ops.square(nn.softmax(x, axis=1)), [r(3, 4)]),
    "log_softmax": (lambda x: ops.square(nn.log_softmax(x, axis=0)), [r(3, 4)]),
    "binary_cross_entropy_with_logits": (lambda x, z: nn.binary_cross_entropy_with_logits(x, z) * x,
                                         [r(3, 4), r(3, 4, low=0.0)]),
    "dropout": (lambda x: ops.square(_seeded_dropout(x)), [r(3, 4)]),
    "take": (lambda x: ops.square(indexing.take(x, np.array([[2, 0], [2, -1]]), axis=1)), [r(3, 4)]),
    "take_along_axis": (lambda x: ops.square(indexing.take_along_axis(x, np.array([[3, 0, 3], [1, 1, 1]]), axis=1)),
                        [r(1, 4)]),
    "sort": (lambda x: ops.square(indexing.sort(x, axis=0)) * x, [r(3, 4)]),
    "flip": (lambda x: arrange.flip(x, 1) * x, [r(3, 4)]),
    "roll": (lambda x: arrange.roll(x, (1, -1), axis=(0, 1)) * x, [r(3, 4)]),
    "repeat": (lambda x: ops.square(arrange.repeat(x, [2, 0, 1], axis=0)), [r(3, 4)]),
    "copy": (lambda x: ops.square(arrange.copy(x)), [r(3, 4)]),
    "patches": (lambda x: ops.square(conv.patches(x, (2, 2), (1, 2), (1, 1), ((0, 1), (1, 0)))), [r(2, 4, 4, 2)]),
    "patches_adjoint": (lambda c: ops.square(conv.patches_adjoint(c, (2, 4, 4, 2), (2, 2), (1, 2), (1, 1),
                                                                  ((0, 1), (1, 0)))), [r(16, 8)]),
}


def _seeded_dropout(x):
    """The same mask at every call (the finite differences call it many times)."""
    return nn.dropout(x, 0.5, seed=3)


def test_every_rule_has_a_case():
    assert sorted(SECOND_ORDER) == sorted(CASES)


def _gradient(fn, arrays, w, create_graph):
    """d sum(w * fn(x)) / dx for each input, with the rules (create_graph) or the vjps."""
    xs = [dg.Variable(a) for a in arrays]
    with dg.GradientTape(persistent=True) as outer:
        with dg.GradientTape() as tape:
            y = ops.sum(ops.mul(fn(*xs), w))
        grads = tape.gradient(y, xs) if create_graph else None
    if not create_graph:
        with dg.GradientTape() as tape:
            y = ops.sum(ops.mul(fn(*xs), w))
        grads = tape.gradient(y, xs)
    return xs, grads, outer


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_gives_the_vjps_gradient_and_differentiates_as_finite_differences(name):
    fn, arrays = CASES[name]
    w = rng.uniform(-1, 1, np.shape(fn(*[Tensor(a) for a in arrays]).data))
    xs, grads, outer = _gradient(fn, arrays, w, create_graph=True)
    _, plain, _ = _gradient(fn, arrays, w, create_graph=False)
    for g, p in zip(grads, plain):
        np.testing.assert_allclose(g.numpy(), p.numpy(), rtol=1e-10, atol=1e-12)

    vs = [rng.uniform(-1, 1, a.shape) for a in arrays]
    with outer:
        dot = ops.sum(ops.stack([ops.sum(ops.mul(g, v)) for g, v in zip(grads, vs)]))
    second = outer.gradient(dot, xs, unconnected_gradients="zero")

    def directional(arrays_now):
        _, gs, _ = _gradient(fn, arrays_now, w, create_graph=False)
        return sum(float(np.sum(g.numpy() * v)) for g, v in zip(gs, vs))

    eps = 1e-6
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            plus = [b.copy() for b in arrays]
            minus = [b.copy() for b in arrays]
            plus[i][index] += eps
            minus[i][index] -= eps
            numeric[index] = (directional(plus) - directional(minus)) / (2 * eps)
        np.testing.assert_allclose(second[i].numpy(), numeric, rtol=1e-5, atol=1e-7, err_msg=f"{name}, input {i}")
