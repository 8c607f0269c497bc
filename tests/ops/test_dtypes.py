"""float32 in, float32 out, float32 gradients: no op silently computes in float64.

Every public function of the deepgrad.ops modules is found by enumeration, so
a new op is checked as soon as it exists: it needs a recipe below (its inputs),
and the test that every op has one fails until it gets one.

For each recipe call, with float32 inputs:
- every float output (tensor or array, e.g. batch-norm statistics) is float32;
- every vjp of the graph the call recorded, called directly with float32 ones,
  returns gradients of its parent's dtype and shape. (run_backward casts a
  gradient back to its tensor's dtype, which would hide an upcast inside a vjp;
  calling the vjps directly does not.)
Integer inputs, where an op is meaningful on them, keep their dtype.
"""
import numpy as np
import pytest

from deepgrad.ops import nn, table
from deepgrad.tensor import Tensor

F32 = np.dtype("float32")

# The engine's op modules: every op of the table declared there needs a recipe below. The ops of
# the keras.ops families (numeric, cumulative, indexing, arrange, activations, segment and linalg's
# decompositions) are checked in float32 and float64 by their Keras parity tests instead.
ENGINE_MODULES = {"conv", "conv_pool", "elementwise", "fused", "nn", "pooling", "recurrent", "reduce", "shape"}
OPS = {name: spec.op for name, spec in table.OPS.items()
       if spec.module.rsplit(".", 1)[-1] in ENGINE_MODULES or name == "matmul"}

_rng = np.random.default_rng(0)


def t(*shape, low=-1.0, high=1.0):
    """A float32 tensor that requires a gradient, uniform in [low, high)."""
    return Tensor(_rng.uniform(low, high, shape).astype(F32), requires_grad=True)


def ints(*shape, high=5, dtype="int32"):
    return _rng.integers(0, high, shape).astype(dtype)


def case(*args, expect=F32, **kwargs):
    """One call of the op: its arguments and the dtype of its float outputs."""
    return args, kwargs, np.dtype(expect)


def _unary(**kwargs):
    return lambda: [case(t(3, 4), **kwargs)]


def _positive_unary():
    return [case(t(3, 4, low=0.1, high=2.0))]


def _binary():
    return [case(t(3, 4), t(4)), case(t(3, 4), 2.0), case(2.0, t(3, 4)), case(t(3, 4), np.float64(0.5))]


def _compare():
    return [case(t(3, 4), t(4), expect=bool), case(t(3, 4), 0.0, expect=bool)]


def _reduction():
    return [case(t(3, 4)), case(t(3, 4), axis=1), case(t(2, 3, 4), axis=(0, 2), keepdims=True)]


def _lstm_like(gates):
    def recipe():
        n, steps, u = 2, 3, 4
        return [case(t(n, steps, gates * u), t(n, u), t(n, u), t(u, gates * u))]

    return recipe


RECIPES = {
    # elementwise
    "add": _binary, "sub": _binary, "mul": _binary, "maximum": _binary, "minimum": _binary,
    "div": lambda: [case(t(3, 4), t(4, low=0.5, high=2.0)), case(t(3, 4), 2.0), case(1.0, t(3, 4, low=0.5))],
    "pow": lambda: [case(t(3, 4, low=0.5, high=2.0), t(4)), case(t(3, 4), 2), case(t(3, 4, low=0.5), 0.5),
                    case(2.0, t(3, 4))],
    "neg": _unary(), "exp": _unary(), "square": _unary(), "abs": _unary(), "tanh": _unary(),
    "sigmoid": _unary(), "relu": _unary(), "selu": _unary(), "softplus": _unary(), "swish": _unary(),
    "log": _positive_unary, "sqrt": _positive_unary,
    "leaky_relu": lambda: [case(t(3, 4)), case(t(3, 4), np.float64(0.1))],
    "elu": lambda: [case(t(3, 4)), case(t(3, 4), alpha=np.float64(0.5))],
    "gelu": lambda: [case(t(3, 4)), case(t(3, 4), approximate=True)],
    "clip": lambda: [case(t(3, 4), -0.5, 0.5), case(t(3, 4), np.float64(-0.5), None)],
    "cast": lambda: [case(t(3, 4), "float32"), case(t(3, 4), "float64", expect="float64"),
                     case(t(3, 4), "float16", expect="float16"), case(t(3, 4), "int32", expect="int32")],
    "where": lambda: [case(np.array([True, False, True, False]), t(3, 4), t(3, 4)),
                      case(np.array([True, False, True, False]), t(3, 4), 0.0)],
    "equal": _compare, "not_equal": _compare, "less": _compare, "less_equal": _compare,
    "greater": _compare, "greater_equal": _compare,
    # reductions
    "sum": _reduction, "mean": _reduction, "max": _reduction, "min": _reduction, "prod": _reduction,
    "var": _reduction, "std": _reduction, "logsumexp": _reduction,
    # shapes
    "reshape": lambda: [case(t(2, 6), (3, 4)), case(t(2, 6), (-1,))],
    "transpose": lambda: [case(t(2, 3, 4)), case(t(2, 3, 4), (2, 0, 1))],
    "swapaxes": lambda: [case(t(2, 3, 4), 0, 2)],
    "getitem": lambda: [case(t(4, 5), (slice(1, 3), 2)), case(t(4, 5), np.array([0, 2, 2])),
                        case(t(4, 5), np.array([True, False, True, False]))],
    "concat": lambda: [case([t(2, 3), t(1, 3)]), case([t(2, 3), t(2, 1)], axis=1)],
    "stack": lambda: [case([t(2, 3), t(2, 3)]), case([t(2, 3), t(2, 3)], axis=-1)],
    "split": lambda: [case(t(4, 6), 2, axis=1), case(t(4, 6), [1, 3])],
    "pad": lambda: [case(t(2, 3), ((1, 0), (0, 2)))],
    "expand_dims": lambda: [case(t(2, 3), 1)],
    "squeeze": lambda: [case(t(2, 1, 3)), case(t(2, 1, 3), 1)],
    "broadcast_to": lambda: [case(t(1, 3), (4, 3))],
    "tile": lambda: [case(t(2, 3), (2, 1)), case(t(2, 3), (2, 1, 2))],
    # linear algebra
    "matmul": lambda: [case(t(3, 4), t(4, 5)), case(t(2, 3, 4), t(4, 5)), case(t(4), t(4, 5)), case(t(3, 4), t(4)),
                       case(t(3, 4), np.ones((4, 2)))],
    # neural-network ops
    "softmax": lambda: [case(t(3, 5)), case(t(2, 3, 5), axis=(1, 2))],
    "log_softmax": lambda: [case(t(3, 5))],
    "softmax_cross_entropy": lambda: [
        case(t(4, 5), ints(4, dtype="int64")), case(t(4, 5), ints(4, 1, dtype="uint8")),
        case(t(4, 5), np.eye(5, dtype=F32)[[0, 1, 2, 3]]), case(t(4, 5), t(4, 5, low=0.0))],
    "binary_cross_entropy_with_logits": lambda: [case(t(4, 3), t(4, 3, low=0.0)),
                                                 case(t(4, 3), np.ones((4, 3), "float64"))],
    "dropout": lambda: [case(t(8, 8), 0.5), case(t(2, 4, 4, 3), 0.5, noise_shape=(2, 1, 1, 3))],
    "batch_norm_train": lambda: [case(t(4, 3, 3, 2), t(2), t(2), (0, 1, 2)), case(t(6, 5), None, None, 0)],
    "batch_norm_infer": lambda: [
        case(t(4, 3, 3, 2), t(2), t(2), np.zeros(2, F32), np.ones(2, F32)),
        case(t(6, 5), t(5), None, np.zeros(5), np.ones(5))],  # float64 moving statistics
    "layer_norm": lambda: [case(t(4, 6), t(6), t(6)), case(t(2, 3, 4), t(3, 4), t(3, 4), axes=(1, 2))],
    "l2_normalize": lambda: [case(t(4, 6)), case(t(4, 6), axis=0)],
    "embedding": lambda: [case(ints(3, 4, dtype="int32"), t(5, 3)), case(ints(6, dtype="int64"), t(5, 3))],
    # convolution and pooling
    "conv2d": lambda: [case(t(2, 6, 6, 1), t(3, 3, 1, 4)), case(t(2, 6, 6, 3), t(3, 3, 3, 4), 2, "same"),
                       case(t(2, 7, 7, 2), t(3, 3, 2, 2), dilation=2)],
    "conv2d_bias_act": lambda: [case(t(2, 6, 6, 1), t(3, 3, 1, 4), t(4), activation="relu"),
                                case(t(2, 6, 6, 3), t(3, 3, 3, 4), t(4), 2, "same"),
                                case(t(2, 6, 6, 5), t(3, 3, 5, 4), None, activation="relu")],
    "conv2d_bias_act_pool": lambda: [case(t(2, 6, 6, 1), t(3, 3, 1, 4), t(4), activation="relu"),
                                     case(t(2, 7, 7, 5), t(3, 3, 5, 4), None, padding="same", pool_size=3)],
    "dense_bias_act": lambda: [case(t(3, 4), t(4, 5), t(5), activation="relu"), case(t(3, 4), t(4, 5)),
                               case(t(3, 4), t(4, 5), None, "relu")],
    "patches": lambda: [case(t(2, 6, 6, 3), (3, 3), (2, 2), (1, 1), ((0, 1), (0, 1)))],
    "patches_adjoint": lambda: [case(t(18, 27), (2, 6, 6, 3), (3, 3), (2, 2), (1, 1), ((0, 1), (0, 1)))],
    "conv1d": lambda: [case(t(2, 7, 3), t(3, 3, 4)), case(t(2, 7, 3), t(3, 3, 4), 2, "same")],
    "conv2d_transpose": lambda: [case(t(2, 4, 4, 3), t(3, 3, 5, 3)), case(t(2, 4, 4, 3), t(3, 3, 5, 3), 2, "same")],
    "depthwise_conv2d": lambda: [case(t(2, 5, 5, 3), t(3, 3, 3, 2)), case(t(2, 5, 5, 3), t(3, 3, 3, 1), 2, "same")],
    "max_pool2d": lambda: [case(t(2, 4, 4, 3)), case(t(2, 5, 5, 3), 3, 2, "same")],
    "avg_pool2d": lambda: [case(t(2, 4, 4, 3)), case(t(2, 5, 5, 3), 3, 2, "same")],
    "max_pool1d": lambda: [case(t(2, 6, 3)), case(t(2, 7, 3), 3, 2, "same")],
    "avg_pool1d": lambda: [case(t(2, 6, 3)), case(t(2, 7, 3), 3, 2, "same")],
    # recurrent sequences
    "simple_rnn": lambda: [case(t(2, 3, 4), t(2, 4), t(4, 4))],
    "lstm": _lstm_like(4),
    "lstm_from_inputs": lambda: [case(t(2, 3, 5), t(5, 16), t(16), t(2, 4), t(2, 4), t(4, 16)),
                                 case(t(2, 3, 5), t(5, 16), None, None, None, t(4, 16))],
    "gru": lambda: [case(t(2, 3, 12), t(2, 4), t(4, 12)), case(t(2, 3, 12), t(2, 4), t(4, 12), t(12)),
                    case(t(2, 3, 12), t(2, 4), t(4, 12), None, False)],
}


def test_every_op_has_a_recipe():
    missing = sorted(set(OPS) - set(RECIPES))
    assert not missing, f"new op(s) {missing}: add their inputs to RECIPES in tests/ops/test_dtypes.py"
    stale = sorted(set(RECIPES) - set(OPS))
    assert not stale, f"RECIPES name ops that no longer exist: {stale}"


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [leaf for item in out for leaf in _flat(item)]
    return [out]


def _graph_nodes(outputs):
    """(tensor, node) for every tensor with a node reachable from `outputs`, each once."""
    seen, stack, found = set(), [o for o in outputs if isinstance(o, Tensor)], []
    while stack:
        tensor = stack.pop()
        if tensor._node is None or id(tensor) in seen:
            continue
        seen.add(id(tensor))
        found.append((tensor, tensor._node))
        stack.extend(tensor._node.parents)
    return found


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_float32_in_float32_out_and_gradients(name):
    op = OPS[name]
    for args, kwargs, expect in RECIPES[name]():
        outputs = _flat(op(*args, **kwargs))
        for k, out in enumerate(outputs):
            if isinstance(out, Tensor):
                assert out.dtype == expect, f"{name}: output {k} is {out.dtype}, expected {expect}"
            elif isinstance(out, np.ndarray) and out.dtype.kind == "f":  # statistics beside the output
                assert out.dtype == F32, f"{name}: output {k} (an array) is {out.dtype}, expected float32"
        nodes = _graph_nodes(outputs)
        if expect.kind == "f" and not any(o is a for o in outputs for a in args):  # cast to its own dtype: x
            assert nodes, f"{name}: float32 inputs that require grad recorded no graph"
        for tensor, node in nodes:
            grads = node.vjp(np.ones_like(tensor.data))
            for parent, g in zip(node.parents, grads):
                if g is None or not parent.requires_grad:
                    continue
                assert g.dtype == parent.data.dtype, (
                    f"{name}: the vjp of '{node.op}' returns a {g.dtype} gradient for a "
                    f"{parent.data.dtype} input of shape {parent.shape}")
                assert g.shape == parent.shape, (
                    f"{name}: the vjp of '{node.op}' returns shape {g.shape} for an input of shape {parent.shape}")


# Integer inputs: (op, args, kwargs, the output dtype). Arithmetic and shape ops keep
# the integer dtype; means, pooling and activations of integers give floatx.
I32 = "int32"
INT_CASES = [
    ("add", (ints(3, 4), ints(4)), {}, I32),
    ("sub", (ints(3, 4), 2), {}, I32),
    ("mul", (ints(3, 4), ints(3, 4)), {}, I32),
    ("neg", (ints(3, 4),), {}, I32),
    ("abs", (ints(3, 4),), {}, I32),
    ("square", (ints(3, 4),), {}, I32),
    ("maximum", (ints(3, 4), 2), {}, I32),
    ("minimum", (ints(3, 4), ints(3, 4)), {}, I32),
    ("matmul", (ints(3, 4), ints(4, 2)), {}, I32),
    ("equal", (ints(3, 4), 2), {}, bool),
    ("greater", (ints(3, 4), ints(3, 4)), {}, bool),
    ("where", (ints(3, 4) > 2, ints(3, 4), 0), {}, I32),
    ("cast", (ints(3, 4), "float32"), {}, "float32"),
    ("max", (ints(3, 4),), {"axis": 1}, I32),
    ("min", (ints(3, 4),), {}, I32),
    ("mean", (ints(3, 4),), {}, "float32"),
    ("reshape", (ints(2, 6), (3, 4)), {}, I32),
    ("transpose", (ints(2, 3),), {}, I32),
    ("getitem", (ints(4, 5), (slice(1, 3), np.array([0, 2]))), {}, I32),
    ("concat", ([ints(2, 3), ints(1, 3)],), {}, I32),
    ("stack", ([ints(2, 3), ints(2, 3)],), {}, I32),
    ("pad", (ints(2, 3), ((1, 1), (0, 0))), {}, I32),
    ("expand_dims", (ints(2, 3), 0), {}, I32),
    ("squeeze", (ints(2, 1, 3),), {}, I32),
    ("broadcast_to", (ints(1, 3), (4, 3)), {}, I32),
    ("tile", (ints(2, 3), (2, 2)), {}, I32),
    ("max_pool2d", (ints(2, 4, 4, 3),), {}, "float32"),
    ("avg_pool2d", (ints(2, 4, 4, 3),), {}, "float32"),
    ("softmax", (ints(3, 5),), {}, "float32"),
    ("relu", (ints(3, 4) - 2,), {}, I32),
]



@pytest.mark.parametrize("name, args, kwargs, expect", INT_CASES, ids=[c[0] for c in INT_CASES])
def test_integer_inputs_keep_their_dtype(name, args, kwargs, expect):
    out = OPS[name](*[Tensor(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    assert out.dtype == np.dtype(expect), f"{name}: integer inputs gave {out.dtype}, expected {expect}"
    assert not out.requires_grad


def test_integer_sums():
    """ops.sum sums as NumPy does (int32 in int64, no overflow); tf.reduce_sum keeps int32, as TensorFlow."""
    import deepgrad

    x = Tensor(ints(3, 4))
    assert OPS["sum"](x).dtype.kind == "i"
    assert deepgrad.reduce_sum(x).dtype == np.int32 and deepgrad.reduce_sum(x, axis=0).dtype == np.int32


def test_int64_labels_and_ids_do_not_change_float32_results():
    logits = t(4, 5)
    for labels in (ints(4, dtype="int64"), ints(4, dtype="int32"), ints(4, dtype="uint8"),
                   ints(4).astype("float64")):
        assert nn.softmax_cross_entropy(logits, labels).dtype == F32
    assert nn.embedding(ints(3, dtype="int64"), t(5, 2)).dtype == F32


def test_modules_are_the_ones_enumerated():
    """The engine modules named above all declare ops in the table (a renamed module is noticed)."""
    modules = {spec.module.rsplit(".", 1)[-1] for spec in table.OPS.values()}
    assert ENGINE_MODULES | {"linalg"} <= modules


@pytest.mark.parametrize("name", ["add", "mul", "div", "exp", "tanh", "relu"])
def test_0d_inputs_give_0d_arrays(name):
    a = Tensor(np.float32(2.0), requires_grad=True)
    out = OPS[name](a, a) if name in ("add", "mul", "div") else OPS[name](a)
    assert isinstance(out.data, np.ndarray) and out.data.shape == ()


def _bench_models():
    from bench.models import MODELS

    return [name for name, spec in MODELS.items() if spec.available()]


@pytest.mark.parametrize("name", _bench_models())
def test_benchmark_models_train_in_float32(name):
    """Every tensor of a training step of the benchmark's models, and every gradient, is float32."""
    from bench.models import MODELS, random_data
    from deepgrad import keras

    spec = MODELS[name]
    model = spec.deepgrad()
    x, y = random_data(spec, 4)
    logits = model(x, training=True)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)
    nodes = _graph_nodes([loss])
    assert len(nodes) > 3
    for tensor, node in nodes:
        assert tensor.dtype == F32, f"{name}: '{node.op}' made a {tensor.dtype} tensor"
        for parent, g in zip(node.parents, node.vjp(np.ones_like(tensor.data))):
            if g is not None and parent.requires_grad:
                assert g.dtype == F32, f"{name}: the vjp of '{node.op}' returns {g.dtype}"
    assert all(w.dtype == F32 for w in model.weights)
