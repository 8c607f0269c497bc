"""The TensorFlow names on `import deepgrad as tf`: values, dtypes and gradients as TensorFlow's
documentation gives them, checked against NumPy and PyTorch."""
import os
import subprocess
import sys

import numpy as np
import pytest

import deepgrad as tf
from tests.parity import check_parity, requires_torch, torch

F64, F32 = np.float64, np.float32


def grad_of(fn, *values):
    """Gradients of sum(fn(*tensors)) with respect to each float input, by the tape."""
    tensors = [tf.constant(v) for v in values]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        y = fn(*tensors)
    return [g.numpy() for g in tape.gradient(y, tensors)]


# ----------------------------------------------------------------------------- module surface


def test_import_loads_numpy_only_and_keras_on_first_use():
    code = (
        "import sys, deepgrad as tf\n"
        "heavy = [m for m in ('deepgrad.keras', 'torch', 'sklearn', 'scipy', 'tensorflow') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert tf.keras.__name__ == 'deepgrad.keras' and 'deepgrad.keras' in sys.modules\n"
        "print('ok')\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="deepgrad does not implement tf.not_a_tf_name"):
        tf.not_a_tf_name


def test_the_names_tutorials_use_exist():
    top = """constant convert_to_tensor Variable GradientTape Tensor matmul add subtract multiply divide pow
        square sqrt exp abs maximum minimum where cast reshape transpose concat stack split expand_dims squeeze
        zeros ones zeros_like ones_like fill range linspace one_hot argmax argmin reduce_sum reduce_mean
        reduce_max reduce_min reduce_prod reduce_std reduce_variance reduce_logsumexp clip_by_value sigmoid
        tanh shape size rank stop_gradient identity float16 float32 float64 int32 int64 uint8 bool
        function print gather tile pad unstack norm equal greater less newaxis""".split()
    assert [n for n in top if not hasattr(tf, n)] == []
    math = """add subtract multiply divide pow square sqrt exp log abs sigmoid tanh maximum minimum reduce_sum
        reduce_mean reduce_max reduce_min reduce_prod reduce_std reduce_variance reduce_logsumexp argmax argmin
        equal not_equal greater greater_equal less less_equal logical_and softplus log1p sign""".split()
    assert [n for n in math if not hasattr(tf.math, n)] == []
    nn = """relu relu6 sigmoid tanh softmax log_softmax leaky_relu elu selu gelu softplus silu swish dropout
        sigmoid_cross_entropy_with_logits softmax_cross_entropy_with_logits
        sparse_softmax_cross_entropy_with_logits l2_normalize conv2d max_pool2d avg_pool2d moments""".split()
    assert [n for n in nn if not hasattr(tf.nn, n)] == []
    rnd = "set_seed normal uniform truncated_normal shuffle categorical".split()
    assert [n for n in rnd if not hasattr(tf.random, n)] == []


def test_dtype_names_compare_with_tensor_dtypes():
    x = tf.constant([1.0])
    assert x.dtype == tf.float32 and x.dtype.name == "float32"
    assert tf.float32 == np.float32 and tf.int32 == np.int32 and tf.bool == np.bool_
    assert tf.as_dtype("float64") == tf.float64
    assert tf.cast(x, tf.float16).dtype == tf.float16


# ----------------------------------------------------------------------------- creation


def test_constant_follows_tensorflow_dtype_rules():
    assert tf.constant(1.5).dtype == F32
    assert tf.constant([1, 2]).dtype == np.int32
    assert tf.constant(2**40).dtype == np.int64
    assert tf.constant(np.ones(2)).dtype == F64
    assert tf.constant(np.int64(3)).dtype == np.int64
    assert tf.constant([True, False]).dtype == np.bool_
    assert tf.constant([1, 2], dtype=tf.float32).numpy().tolist() == [1.0, 2.0]
    assert tf.constant(7.0, shape=[2, 3]).numpy().tolist() == [[7.0] * 3] * 2
    assert tf.constant([1, 2, 3, 4], shape=(2, 2)).numpy().tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match=r"constant: 3 values cannot fill shape \(2, 2\)"):
        tf.constant([1, 2, 3], shape=(2, 2))


def test_constant_copies_numpy_arrays_and_convert_to_tensor_passes_tensors_through():
    a = np.ones(3, F32)
    c = tf.constant(a)
    a[0] = 5.0
    assert c.numpy()[0] == 1.0
    t = tf.constant([1.0])
    assert tf.convert_to_tensor(t) is t
    assert tf.convert_to_tensor([1, 2], dtype_hint=tf.float32).dtype == F32
    assert tf.convert_to_tensor(np.ones(2)).dtype == F64
    with pytest.raises(ValueError, match="tf.cast"):
        tf.convert_to_tensor(t, dtype=tf.float64)


def test_creation_functions():
    assert tf.zeros([2, 3]).numpy().tolist() == [[0.0] * 3] * 2 and tf.zeros([2]).dtype == F32
    assert tf.ones((2,), dtype=tf.int32).numpy().tolist() == [1, 1]
    x = tf.constant([[1.0, 2.0]])
    assert tf.zeros_like(x).shape == (1, 2) and tf.ones_like(x, dtype=tf.int64).dtype == np.int64
    assert tf.fill([2, 2], 9).numpy().tolist() == [[9, 9], [9, 9]] and tf.fill([2], 9).dtype == np.int32
    assert tf.fill([2], 0.5).dtype == F32
    assert tf.eye(2).numpy().tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_range_and_linspace():
    r = tf.range(5)
    assert r.numpy().tolist() == [0, 1, 2, 3, 4] and r.dtype == np.int32
    assert tf.range(2, 10, 3).numpy().tolist() == [2, 5, 8]
    f = tf.range(0.0, 1.0, 0.25)
    assert f.dtype == F32 and f.numpy().tolist() == [0.0, 0.25, 0.5, 0.75]
    assert tf.range(5, dtype=tf.float64).dtype == F64
    lin = tf.linspace(0.0, 1.0, 5)
    assert lin.dtype == F32 and lin.numpy().tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_one_hot():
    y = tf.one_hot([0, 2, -1, 5], depth=3)
    assert y.dtype == F32
    assert y.numpy().tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]]
    z = tf.one_hot(tf.constant([[1], [0]]), 2, on_value=5, off_value=-1)
    assert z.shape == (2, 1, 2) and z.dtype == np.int32 and z.numpy()[:, 0].tolist() == [[-1, 5], [5, -1]]
    assert tf.one_hot([1, 0], 3, axis=0).numpy().tolist() == [[0, 1], [1, 0], [0, 0]]


# ----------------------------------------------------------------------------- math and reductions


X = np.array([[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]], F32)


@pytest.mark.parametrize("name, numpy_fn", [
    ("reduce_sum", np.sum), ("reduce_mean", np.mean), ("reduce_max", np.max), ("reduce_min", np.min),
    ("reduce_prod", np.prod), ("reduce_std", np.std), ("reduce_variance", np.var),
])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 1]], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(name, numpy_fn, axis, keepdims):
    y = getattr(tf, name)(tf.constant(X), axis=axis, keepdims=keepdims)
    expected = numpy_fn(X.astype(F64), axis=None if axis is None else tuple(np.atleast_1d(axis)), keepdims=keepdims)
    assert y.dtype == F32 and y.shape == np.shape(expected)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)
    assert getattr(tf.math, name) is getattr(tf, name)


def test_reduce_logsumexp_and_axis_given_as_a_tensor():
    y = tf.reduce_logsumexp(tf.constant(X), axis=tf.constant(1))
    np.testing.assert_allclose(y.numpy(), np.log(np.exp(X.astype(F64)).sum(1)), rtol=1e-6)
    np.testing.assert_allclose(tf.reduce_sum(tf.constant(X), axis=tf.constant([0, 1])).numpy(), X.sum(), rtol=1e-6)


def test_integer_reductions_keep_the_integer_dtype_as_tensorflow():
    x = tf.constant([[1, 2], [4, 6]])
    assert tf.reduce_sum(x).dtype == np.int32 and tf.reduce_sum(x).numpy() == 13
    m = tf.reduce_mean(x, axis=0)
    assert m.dtype == np.int32 and m.numpy().tolist() == [2, 4]
    assert tf.reduce_mean(tf.constant([-3, -4])).numpy() == -3  # truncation toward zero
    assert tf.reduce_mean(tf.cast(x, tf.float32)).numpy() == 3.25


def test_argmax_argmin_default_to_axis_0_as_tensorflow():
    x = tf.constant(X)
    assert tf.argmax(x).numpy().tolist() == [1, 1, 0] and tf.argmax(x).dtype == np.int64
    assert tf.argmax(x, axis=1).numpy().tolist() == [2, 0]
    assert tf.argmin(x, axis=-1, output_type=tf.int32).numpy().tolist() == [1, 2]
    assert tf.argmin(x, axis=1).dtype == np.int64


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
def test_math_wrappers_have_torch_gradients(dtype):
    check_parity(lambda a, b: tf.math.squared_difference(a, b) + tf.math.divide_no_nan(a, b),
                 lambda a, b: (a - b) ** 2 + a / b, [(3, 4), (4,)], dtype=dtype, low=0.5)
    check_parity(lambda x: tf.math.log1p(x) + tf.math.rsqrt(x) + tf.math.reciprocal(x) + tf.math.log_sigmoid(x),
                 lambda x: torch.log1p(x) + torch.rsqrt(x) + 1 / x + torch.nn.functional.logsigmoid(x),
                 [(5,)], dtype=dtype, low=0.5)
    check_parity(lambda x: tf.math.reduce_euclidean_norm(x, 1) + tf.norm(x, ord=1, axis=1),
                 lambda x: x.norm(dim=1) + x.abs().sum(1), [(3, 4)], dtype=dtype)
    check_parity(lambda a, b: tf.add_n([a, b, a]) - tf.subtract(a, b) * tf.multiply(a, 2.0) / tf.divide(b, 3.0),
                 lambda a, b: (a + b + a) - (a - b) * (a * 2.0) / (b / 3.0), [(2, 3), (2, 3)], dtype=dtype, low=0.5)


def test_divide_no_nan_is_zero_with_zero_gradient_where_the_denominator_is_zero():
    ga, gb = grad_of(lambda a, b: tf.math.divide_no_nan(a, b), np.array([1.0, 2.0]), np.array([0.0, 4.0]))
    y = tf.math.divide_no_nan(tf.constant([1.0, 2.0]), tf.constant([0.0, 4.0]))
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.5])
    np.testing.assert_array_equal(ga, [0.0, 0.25])
    np.testing.assert_array_equal(gb, [0.0, -2.0 / 16])


def test_comparisons_and_logic():
    a, b = tf.constant([1.0, 2.0, 3.0]), tf.constant([3.0, 2.0, 1.0])
    assert tf.equal(a, b).numpy().tolist() == [False, True, False]
    assert tf.math.greater(a, b).numpy().tolist() == [False, False, True]
    assert tf.less(a, 2.5).numpy().tolist() == [True, True, False]
    assert tf.logical_and(tf.greater(a, 1.0), tf.less(a, 3.0)).numpy().tolist() == [False, True, False]
    assert tf.math.sign(tf.constant([-2.0, 0.0, 5.0])).numpy().tolist() == [-1.0, 0.0, 1.0]
    assert tf.round(tf.constant([0.5, 1.5, 2.5])).numpy().tolist() == [0.0, 2.0, 2.0]  # half to even
    assert tf.math.floordiv(tf.constant([7, -7]), 2).numpy().tolist() == [3, -4]
    assert tf.math.count_nonzero(tf.constant([0.0, 1.0, 2.0])).numpy() == 2
    assert tf.math.reduce_any(tf.constant([False, True])).numpy()
    assert not tf.math.reduce_all(tf.constant([False, True])).numpy()


# ----------------------------------------------------------------------------- shapes


def test_shape_functions():
    x = tf.constant(np.arange(24.0).reshape(2, 3, 4))
    assert tf.shape(x).numpy().tolist() == [2, 3, 4] and tf.shape(x).dtype == np.int32
    assert tf.size(x).numpy() == 24 and tf.rank(x).numpy() == 3
    assert tf.reshape(x, [4, -1]).shape == (4, 6)
    assert tf.reshape(x, tf.shape(x)[::-1]).shape == (4, 3, 2)
    assert tf.transpose(x).shape == (4, 3, 2) and tf.transpose(x, perm=[0, 2, 1]).shape == (2, 4, 3)
    assert tf.expand_dims(x, -1).shape == (2, 3, 4, 1) and tf.squeeze(tf.ones([1, 3, 1]), axis=[0]).shape == (3, 1)
    assert tf.concat([x, x], axis=1).shape == (2, 6, 4) and tf.stack([x, x], axis=-1).shape == (2, 3, 4, 2)
    assert [p.shape for p in tf.split(x, [1, -1, 1], axis=2)] == [(2, 3, 1), (2, 3, 2), (2, 3, 1)]
    assert [p.shape for p in tf.split(x, 2, axis=2)] == [(2, 3, 2)] * 2
    assert [p.shape for p in tf.unstack(x, axis=1)] == [(2, 4)] * 3
    assert tf.tile(tf.ones([2, 1]), [1, 3]).shape == (2, 3) and tf.broadcast_to(tf.ones([3]), [2, 3]).shape == (2, 3)
    assert tf.pad(tf.ones([2, 2]), [[1, 0], [0, 2]]).numpy().tolist() == [[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]]
    assert tf.gather(x, [2, 0], axis=2).numpy()[0, 0].tolist() == [2.0, 0.0]
    assert tf.boolean_mask(tf.constant([1.0, 2.0, 3.0]), [True, False, True]).numpy().tolist() == [1.0, 3.0]
    assert x[:, tf.newaxis].shape == (2, 1, 3, 4)


@requires_torch
def test_shape_wrappers_carry_gradients():
    check_parity(lambda x: tf.gather(x, [2, 0, 2], axis=1) * tf.reshape(tf.transpose(x), (3, 2))[None, ...].sum(),
                 lambda x: x[:, [2, 0, 2]] * x.T.reshape(3, 2)[None, ...].sum(), [(2, 3)])
    check_parity(lambda x: tf.concat(tf.unstack(x, axis=0)[::-1], axis=0) * tf.range(6, dtype=tf.float64),
                 lambda x: torch.cat(torch.unbind(x, 0)[::-1], 0) * torch.arange(6, dtype=x.dtype), [(2, 3)])
    check_parity(lambda x: tf.clip_by_value(x, -0.5, 0.5) * tf.pad(x, [[0, 0], [1, 0]])[:, 1:],
                 lambda x: x.clamp(-0.5, 0.5) * x, [(3, 4)])


def test_where_with_one_and_three_arguments():
    cond = tf.constant([[True, False], [False, True]])
    assert tf.where(cond).numpy().tolist() == [[0, 0], [1, 1]] and tf.where(cond).dtype == np.int64
    assert tf.where(cond, 1.0, 0.0).numpy().tolist() == [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(ValueError, match="x and y must both be given"):
        tf.where(cond, 1.0)


def test_matmul_with_transposes():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(tf.matmul(a, b, transpose_b=True).numpy(), a @ b.T)
    e = np.arange(8.0).reshape(4, 2)
    np.testing.assert_array_equal(tf.matmul(a, e, transpose_a=True, transpose_b=True).numpy(), a.T @ e.T)
    np.testing.assert_array_equal(tf.matmul(b, e, adjoint_a=True).numpy(), b.T @ e)
    ga, gb = grad_of(lambda x, y: tf.matmul(x, y, transpose_b=True), a, b)
    np.testing.assert_array_equal(ga, np.ones((2, 4)) @ b)
    np.testing.assert_array_equal(gb, np.ones((2, 4)).T @ a)


def test_cast_stop_gradient_and_identity():
    x = tf.constant([1.7, -1.7, 2.5])
    assert tf.cast(x, tf.int32).numpy().tolist() == [1, -1, 2]
    assert tf.cast(tf.constant([True, False]), tf.float32).numpy().tolist() == [1.0, 0.0]
    (g,) = grad_of(lambda t: t * tf.stop_gradient(t), np.array([3.0]))
    assert g.tolist() == [3.0]
    (g,) = grad_of(lambda t: t * tf.identity(t), np.array([3.0]))
    assert g.tolist() == [6.0]
    (g,) = grad_of(lambda t: tf.cast(t, tf.float64) * 2.0, np.array([3.0], F32))
    assert g.dtype == F32 and g.tolist() == [2.0]


def test_function_decorator_and_print(capsys):
    @tf.function
    def f(x):
        return x * 2

    @tf.function(jit_compile=True)
    def g(x):
        return x + 1

    assert f(tf.constant(2.0)).numpy() == 4.0 and g(1) == 2 and tf.executing_eagerly()
    tf.print(tf.constant([1, 2]), "done")
    assert capsys.readouterr().out.strip() == "[1 2] done"


def test_variable_behaves_as_tensorflow_variable():
    v = tf.Variable([1.0, 2.0], name="v")
    assert v.dtype == F32 and v.trainable and v.name == "v" and isinstance(v, tf.Tensor)
    v.assign([3.0, 4.0])
    v.assign_add(tf.constant([1.0, 1.0]))
    v.assign_sub([0.5, 0.5])
    assert v.numpy().tolist() == [3.5, 4.5]
    with pytest.raises(ValueError, match=r"variable 'v' has shape \(2,\). Received: value of shape \(3,\)"):
        v.assign([1.0, 2.0, 3.0])


def test_variables_own_their_values():
    init = tf.zeros([2])
    source = np.ones(2, F32)
    a, b, c = tf.Variable(init), tf.Variable(init), tf.Variable(source)
    a.assign_sub([1.0, 1.0])
    c.assign_add([1.0, 1.0])
    assert b.numpy().tolist() == [0.0, 0.0] and init.numpy().tolist() == [0.0, 0.0]
    assert source.tolist() == [1.0, 1.0]


# ----------------------------------------------------------------------------- tf.nn


ACTIVATIONS = {
    "relu": (tf.nn.relu, lambda x: torch.relu(x)),
    "relu6": (tf.nn.relu6, lambda x: torch.nn.functional.relu6(x)),
    "sigmoid": (tf.nn.sigmoid, torch.sigmoid if torch else None),
    "tanh": (tf.nn.tanh, torch.tanh if torch else None),
    "leaky_relu": (tf.nn.leaky_relu, lambda x: torch.nn.functional.leaky_relu(x, 0.2)),  # TF's default alpha 0.2
    "elu": (tf.nn.elu, lambda x: torch.nn.functional.elu(x)),
    "selu": (tf.nn.selu, lambda x: torch.nn.functional.selu(x)),
    "gelu": (tf.nn.gelu, lambda x: torch.nn.functional.gelu(x)),
    "gelu_approximate": (lambda x: tf.nn.gelu(x, approximate=True),
                         lambda x: torch.nn.functional.gelu(x, approximate="tanh")),
    "softplus": (tf.nn.softplus, lambda x: torch.nn.functional.softplus(x)),
    "silu": (tf.nn.silu, lambda x: torch.nn.functional.silu(x)),
    "swish_beta": (lambda x: tf.nn.swish(x, beta=2.0), lambda x: x * torch.sigmoid(2.0 * x)),
    "softmax": (tf.nn.softmax, lambda x: torch.softmax(x, -1)),
    "softmax_axis0": (lambda x: tf.nn.softmax(x, axis=0), lambda x: torch.softmax(x, 0)),
    "log_softmax": (tf.nn.log_softmax, lambda x: torch.log_softmax(x, -1)),
    "l2_normalize": (lambda x: tf.nn.l2_normalize(x, axis=1), lambda x: torch.nn.functional.normalize(x, dim=1)),
    "l2_normalize_all": (tf.nn.l2_normalize, lambda x: x / x.norm()),
    "bias_add": (lambda x: tf.nn.bias_add(x, np.array([1.0, 2.0, 3.0, 4.0], x.dtype)),
                 lambda x: x + torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=x.dtype)),
}


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_nn_activations_match_torch(name, dtype):
    fn, torch_fn = ACTIVATIONS[name]
    low, high = (-7, 8) if name == "relu6" else (-2, 2)  # relu6: both kinks inside the range
    check_parity(fn, torch_fn, [(3, 4)], dtype=dtype, low=low, high=high)


@requires_torch
@pytest.mark.parametrize("dtype", [F64, F32])
def test_nn_losses_on_logits_match_torch(dtype):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 4)).astype(dtype)
    targets = rng.uniform(size=(5, 4)).astype(dtype)
    probs = (targets / targets.sum(1, keepdims=True)).astype(dtype)
    ids = rng.integers(0, 4, size=5)
    F = torch.nn.functional
    check_parity(lambda z: tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=z),
                 lambda z: F.binary_cross_entropy_with_logits(z, torch.tensor(targets), reduction="none"),
                 inputs=[logits])
    check_parity(lambda z: tf.nn.softmax_cross_entropy_with_logits(labels=probs, logits=z),
                 lambda z: F.cross_entropy(z, torch.tensor(probs), reduction="none"), inputs=[logits])
    check_parity(lambda z: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=z),
                 lambda z: F.cross_entropy(z, torch.tensor(ids), reduction="none"), inputs=[logits])
    check_parity(lambda z: tf.nn.softmax_cross_entropy_with_logits(labels=probs.T, logits=z, axis=0),
                 lambda z: F.cross_entropy(z.T, torch.tensor(probs), reduction="none"), inputs=[logits.T.copy()])


def test_nn_losses_reject_labels_of_the_wrong_form():
    logits = tf.zeros([3, 4])
    with pytest.raises(ValueError, match=r"integer class ids of shape logits.shape\[:-1\] = \(3,\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([3, 4]), logits=logits)
    with pytest.raises(ValueError, match="sparse_softmax_cross_entropy_with_logits"):
        tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant([0, 1, 2]), logits=logits)
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([3]), logits=logits)
    with pytest.raises(ValueError, match="labels= and logits="):
        tf.nn.sigmoid_cross_entropy_with_logits(logits=logits)


@requires_torch
@pytest.mark.parametrize("strides, padding, dilations", [
    (1, "VALID", None), ([1, 1, 1, 1], "SAME", None), ([1, 2, 2, 1], "SAME", None), (2, "VALID", None),
    ([1, 2], "SAME", None), (1, "VALID", 2), (1, "SAME", [1, 2, 2, 1]),
])
def test_nn_conv2d_nhwc_matches_torch(strides, padding, dilations):
    F = torch.nn.functional
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(2, 7, 6, 3))
    k = rng.uniform(-1, 1, size=(3, 3, 3, 4))
    s = (strides,) * 2 if isinstance(strides, int) else tuple(strides[1:3]) if len(strides) == 4 else tuple(strides)
    d = 1 if dilations is None else dilations if isinstance(dilations, int) else dilations[1]

    def torch_conv(tx, tk):
        tx = tx.permute(0, 3, 1, 2)
        if padding == "SAME":  # TensorFlow's: the odd pixel goes to the bottom / right
            pads = []
            for size, stride in ((tx.shape[3], s[1]), (tx.shape[2], s[0])):
                out = -(-size // stride)
                total = max((out - 1) * stride + (3 - 1) * d + 1 - size, 0)
                pads += [total // 2, total - total // 2]
            tx = F.pad(tx, pads)
        return F.conv2d(tx, tk.permute(3, 2, 0, 1), stride=s, dilation=d).permute(0, 2, 3, 1)

    check_parity(lambda tx, tk: tf.nn.conv2d(tx, tk, strides=strides, padding=padding, dilations=dilations),
                 torch_conv, inputs=[x, k])


@requires_torch
@pytest.mark.parametrize("ksize, strides", [(2, 2), ([1, 3, 3, 1], [1, 2, 2, 1]), ([2, 3], 1)])
def test_nn_pooling_nhwc_matches_torch(ksize, strides):
    F = torch.nn.functional
    x = np.random.default_rng(2).uniform(-1, 1, size=(2, 6, 6, 3))
    k = ksize if isinstance(ksize, int) else tuple(ksize[1:3]) if len(ksize) == 4 else tuple(ksize)
    s = strides if isinstance(strides, int) else tuple(strides[1:3])
    nchw = lambda t: t.permute(0, 3, 1, 2)  # noqa: E731
    nhwc = lambda t: t.permute(0, 2, 3, 1)  # noqa: E731
    check_parity(lambda t: tf.nn.max_pool2d(t, ksize, strides, "VALID"),
                 lambda t: nhwc(F.max_pool2d(nchw(t), k, s)), inputs=[x])
    check_parity(lambda t: tf.nn.avg_pool2d(t, ksize, strides, "VALID"),
                 lambda t: nhwc(F.avg_pool2d(nchw(t), k, s)), inputs=[x])
    assert tf.nn.max_pool2d(tf.constant(x), 2, 2, "SAME").shape == (2, 3, 3, 3)


def test_nn_conv_and_pool_argument_errors():
    x, k = tf.ones([1, 4, 4, 1]), tf.ones([2, 2, 1, 1])
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        tf.nn.conv2d(x, k, 1, "FULL")
    with pytest.raises(ValueError, match="data_format='NHWC'"):
        tf.nn.conv2d(x, k, 1, "SAME", data_format="NCHW")
    with pytest.raises(ValueError, match="batch and channel axes must be 1"):
        tf.nn.conv2d(x, k, [2, 2, 2, 2], "SAME")
    with pytest.raises(ValueError, match="data_format='NHWC'"):
        tf.nn.max_pool2d(x, 2, 2, "SAME", data_format="NCHW")


def test_nn_dropout_scales_and_drops_at_the_rate():
    tf.random.set_seed(0)
    y = tf.nn.dropout(tf.ones([200, 100]), rate=0.25).numpy()
    assert y.dtype == F32 and set(np.unique(y).tolist()) == {0.0, float(np.float32(1 / 0.75))}
    assert abs((y == 0).mean() - 0.25) < 0.01 and abs(y.mean() - 1.0) < 0.02
    y = tf.nn.dropout(tf.ones([50, 4]), 0.5, noise_shape=[50, 1]).numpy()
    assert all(len(set(row.tolist())) == 1 for row in y)


def test_nn_moments_and_batch_normalization():
    x = np.random.default_rng(3).normal(size=(8, 5)).astype(F32)
    mean, var = tf.nn.moments(tf.constant(x), axes=[0])
    np.testing.assert_allclose(mean.numpy(), x.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var.numpy(), x.var(0), rtol=1e-5)
    y = tf.nn.batch_normalization(x, mean, var, offset=0.5, scale=2.0, variance_epsilon=1e-3)
    np.testing.assert_allclose(y.numpy(), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) * 2 + 0.5, rtol=1e-4, atol=1e-5)
    mean_k, _ = tf.nn.moments(tf.constant(x), axes=[0, 1], keepdims=True)
    assert mean_k.shape == (1, 1)


def test_nn_embedding_lookup_and_average_loss():
    table = tf.Variable(np.arange(12.0).reshape(4, 3))
    with tf.GradientTape() as tape:
        rows = tf.nn.embedding_lookup(table, tf.constant([[1, 1], [3, 0]]))
        loss = tf.nn.compute_average_loss(tf.reduce_sum(rows, axis=[1, 2]))
    assert rows.shape == (2, 2, 3) and rows.numpy()[0, 0].tolist() == [3.0, 4.0, 5.0]
    assert loss.numpy() == pytest.approx((3 + 4 + 5) * 2 / 2 + (9 + 10 + 11 + 0 + 1 + 2) / 2)
    np.testing.assert_array_equal(tape.gradient(loss, table).numpy()[:, 0], [0.5, 1.0, 0.0, 0.5])
