"""Activations: every function equal to Keras 3's on the same arrays, gradients checked in float64."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import activations, losses

keras = pytest.importorskip("keras")
K = keras.ops.convert_to_numpy
# Keras-on-torch converting its own tensors to NumPy; nothing of ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

# (name, kwargs): every built-in, with its options.
CASES = [
    ("linear", {}),
    ("relu", {}),
    ("relu", {"negative_slope": 0.3}),
    ("relu", {"max_value": 2.5}),
    ("relu", {"max_value": 6.0}),
    ("relu", {"threshold": 0.7}),
    ("relu", {"negative_slope": 0.1, "threshold": 0.5}),
    ("relu", {"negative_slope": 0.2, "max_value": 1.5}),
    ("relu", {"negative_slope": 0.2, "max_value": 3.0, "threshold": -0.5}),
    ("relu6", {}),
    ("sigmoid", {}),
    ("hard_sigmoid", {}),
    ("hard_silu", {}),
    ("hard_swish", {}),
    ("sparse_sigmoid", {}),
    ("log_sigmoid", {}),
    ("tanh", {}),
    ("hard_tanh", {}),
    ("tanh_shrink", {}),
    ("soft_shrink", {}),
    ("soft_shrink", {"threshold": 1.2}),
    ("hard_shrink", {"threshold": 0.8}),
    ("softmax", {}),
    ("softmax", {"axis": 0}),
    ("log_softmax", {}),
    ("log_softmax", {"axis": 0}),
    ("softplus", {}),
    ("softsign", {}),
    ("squareplus", {}),
    ("squareplus", {"b": 1.5}),
    ("sparse_plus", {}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("celu", {"alpha": 0.7}),
    ("selu", {}),
    ("gelu", {}),
    ("gelu", {"approximate": True}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.05}),
    ("silu", {}),
    ("swish", {}),
    ("exponential", {}),
    ("mish", {}),
    ("glu", {}),
    ("glu", {"axis": 0}),
]


def _inputs(dtype=np.float32, seed=0, shape=(4, 6)):
    """Values over [-6, 6], kept 1e-3 away from every kink of the piecewise activations."""
    x = np.random.default_rng(seed).uniform(-6, 6, size=shape)
    kinks = np.array([-3, -1.2, -1, -0.8, -0.5, 0, 0.5, 0.7, 0.8, 1, 1.2, 1.5, 2.5, 3, 6])
    near = np.abs(x[..., None] - kinks).min(-1) < 1e-3
    x[near] += 0.01
    return x.astype(dtype)


def _id(case):
    name, kwargs = case
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_forward_matches_keras(case):
    name, kwargs = case
    x = _inputs()
    ours = activations.get(name)(dg.Tensor(x), **kwargs)
    theirs = K(keras.activations.get(name)(keras.ops.convert_to_tensor(x), **kwargs))
    assert ours.numpy().dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] != "linear"], ids=_id)
def test_gradient_float64(case):
    name, kwargs = case
    fn = activations.get(name)
    assert dg.gradcheck(lambda t: fn(t, **kwargs), _inputs(np.float64, seed=1, shape=(2, 4)))


def test_extreme_inputs_stay_finite():
    x = np.array([-1e4, -80.0, 0.0, 80.0, 1e4], dtype=np.float32)
    for name in ("sigmoid", "softplus", "log_sigmoid", "softmax", "log_softmax", "silu", "mish",
                 "elu", "selu", "gelu", "tanh", "softsign"):
        t = dg.Tensor(x, requires_grad=True)
        y = activations.get(name)(t)
        assert np.all(np.isfinite(y.numpy())), name
        y.sum().backward()
        assert np.all(np.isfinite(t.grad.numpy())), name
    np.testing.assert_allclose(activations.sigmoid(x).numpy(), [0, 0, 0.5, 1, 1], atol=1e-30)


def test_hard_sigmoid_is_keras3_formula():
    x = np.array([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0], dtype=np.float32)
    np.testing.assert_allclose(activations.hard_sigmoid(x).numpy(), np.clip(x + 3, 0, 6) / 6)


def test_relu_options_keras_docstring_examples():
    x = np.array([-10, -5, 0.0, 5, 10], dtype=np.float32)
    np.testing.assert_allclose(activations.relu(x).numpy(), [0, 0, 0, 5, 10])
    np.testing.assert_allclose(activations.relu(x, negative_slope=0.5).numpy(), [-5, -2.5, 0, 5, 10])
    np.testing.assert_allclose(activations.relu(x, max_value=5.0).numpy(), [0, 0, 0, 5, 5])
    np.testing.assert_allclose(activations.relu(x, threshold=5.0).numpy(), [0, 0, 0, 0, 10])


def test_integer_input_becomes_float32():
    y = activations.relu(np.array([-2, 3]))
    assert y.numpy().dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), [0.0, 3.0])


def test_get_none_callable_and_names():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("ReLU") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get({"class_name": "function", "config": "tanh"}) is activations.tanh

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown activation: 'relux'") as info:
        activations.get("relux")
    assert "relu" in str(info.value) and "softmax" in str(info.value)
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(3)


def test_every_name_is_a_keras_name():
    keras_names = set(keras.src.activations.ALL_OBJECTS_DICT)
    ours = set(activations.ACTIVATIONS.names())
    assert ours <= keras_names, ours - keras_names


def test_serialize_round_trip():
    for name in activations.ACTIVATIONS.names():
        fn = activations.get(name)
        assert activations.get(activations.serialize(fn)) is fn
    assert activations.serialize(activations.relu) == keras.activations.serialize(keras.activations.relu)
    with pytest.raises(ValueError, match="cannot be serialized"):
        activations.serialize(lambda x: x)


def test_softmax_and_sigmoid_outputs_remember_their_logits():
    x = dg.Tensor(np.array([[1.0, 2.0, 3.0]], dtype=np.float32))
    p = activations.softmax(x)
    assert activations.logits_of(p, "softmax") is x
    assert activations.logits_of(p, "sigmoid") is None
    assert activations.logits_of(p * 1.0, "softmax") is None
    s = activations.sigmoid(x)
    assert activations.logits_of(s, "sigmoid") is x
    assert p._keras_logits == ("softmax", x)  # an attribute of the output, as tf.keras' _keras_logits


def test_softmax_output_trains_through_logits_like_tensorflow():
    # A confidently wrong softmax: p(label) ~ 1e-13 < 1e-7. Clipped probabilities would give a
    # constant loss and no gradient; TF-Keras (and deepgrad) use the remembered logits instead.
    logits = dg.Tensor(np.array([[0.0, 30.0]], dtype=np.float32), requires_grad=True)
    loss = losses.sparse_categorical_crossentropy(np.array([0]), activations.softmax(logits))
    expected = K(keras.losses.sparse_categorical_crossentropy(np.array([0]), np.array([[0.0, 30.0]], "float32"),
                                                               from_logits=True))
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), [[-1.0, 1.0]], atol=1e-6)
