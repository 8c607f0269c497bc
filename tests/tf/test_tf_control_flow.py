"""tf.cond / case / switch_case / while_loop / map_fn / foldl / foldr / scan / vectorized_map /
py_function / numpy_function and tf.custom_gradient / grad_pass_through / recompute_grad:
results and gradients against values recorded with TensorFlow 2.21.0."""
import collections

import numpy as np
import pytest

import deepgrad as tf

XS = [0., 2., 100.]


def _grad(fn, xs=XS):
    x = tf.constant(xs)
    with tf.GradientTape() as t:
        t.watch(x)
        y = fn(x)
    return y.numpy().tolist(), t.gradient(y, x).numpy().tolist()


def test_cond_takes_the_branch_and_returns_it_unconverted():
    assert tf.cond(True, lambda: 1, lambda: 2.) == 1  # recorded with TensorFlow 2.21.0: 1
    assert tf.cond(tf.constant(False), lambda: (1, 2), lambda: (3, 4)) == (3, 4)
    with pytest.raises(TypeError, match="callable"):
        tf.cond(True, 1, 2)


def test_case_first_true_exclusive_and_no_default():
    t, f = tf.constant(True), tf.constant(False)
    assert tf.case([(t, lambda: 1), (t, lambda: 2)], default=lambda: 3) == 1
    assert tf.case([(f, lambda: 1)], default=lambda: 3) == 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions evaluated as True"):
        tf.case([(f, lambda: 1), (f, lambda: 2)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="more than 1 conditions"):
        tf.case([(t, lambda: 1), (t, lambda: 2)], default=lambda: 3, exclusive=True)


def test_switch_case_out_of_range_runs_default_or_last_branch():
    assert tf.switch_case(tf.constant(5), [lambda: 1, lambda: 2]) == 2  # recorded with TensorFlow 2.21.0
    assert tf.switch_case(tf.constant(3), {0: lambda: 1, 3: lambda: 2}, default=lambda: 9) == 2
    assert tf.switch_case(tf.constant(-1), {0: lambda: 1, 3: lambda: 2}, default=lambda: 9) == 9


def test_while_loop_structures_and_maximum_iterations():
    # recorded with TensorFlow 2.21.0: (3, 8.0) and (3, {'a': 8})
    i, s = tf.while_loop(lambda i, s: i < 10, lambda i, s: (i + 1, s * 2.), (0, 1.), maximum_iterations=3)
    assert (i.dtype, int(i), s.dtype, float(s)) == (tf.int32, 3, tf.float32, 8.0)
    i, d = tf.while_loop(lambda i, d: i < 3, lambda i, d: (i + 1, {"a": d["a"] + i}), [0, {"a": 5}])
    assert int(i) == 3 and int(d["a"]) == 8
    assert int(tf.while_loop(lambda v: v < 10, lambda v: v + 1, tf.constant(0))) == 10
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        tf.while_loop(lambda: True, lambda: (), [])


def test_while_loop_gradient():
    # recorded with TensorFlow 2.21.0
    y, g = _grad(lambda x: tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * x), (0, tf.ones(3)))[1])
    assert y == [0.0, 8.0, 1000000.0] and g == [0.0, 12.0, 30000.0]


def test_map_fn_values_signature_and_gradient():
    out = tf.map_fn(lambda t: t * 2, tf.constant([[1, 2], [3, 4]]))
    assert out.dtype == tf.int32 and out.numpy().tolist() == [[2, 4], [6, 8]]
    half = tf.map_fn(lambda t: tf.cast(t, tf.float32) / 2, tf.constant([1, 2]), fn_output_signature=tf.float32)
    assert half.dtype == tf.float32 and half.numpy().tolist() == [0.5, 1.0]
    a, b = tf.map_fn(lambda t: (t[0] * 2, t[1]), (tf.constant([1, 2]), tf.constant([3., 4.])),
                     fn_output_signature=(tf.int32, tf.float32))
    assert a.numpy().tolist() == [2, 4] and b.numpy().tolist() == [3.0, 4.0]
    assert _grad(lambda x: tf.map_fn(lambda v: v * v, x))[1] == [0.0, 4.0, 200.0]  # recorded with TF 2.21.0
    vm = tf.vectorized_map(lambda t: tf.reduce_sum(t), tf.constant([[1., 2], [3, 4]]))
    assert vm.numpy().tolist() == [3.0, 7.0]


def test_folds_and_scans():
    # recorded with TensorFlow 2.21.0
    assert int(tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3]))) == 6
    assert int(tf.foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]))) == 321
    assert int(tf.foldl(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]), initializer=5)) == 5123
    assert tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4])).numpy().tolist() == [1, 3, 6, 10]
    rev = tf.scan(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]), initializer=tf.constant(5), reverse=True)
    assert rev.numpy().tolist() == [5321, 532, 53]
    s, p = tf.scan(lambda a, x: (a[0] + x, a[1] * x), tf.constant([1., 2, 3]),
                   initializer=(tf.constant(0.), tf.constant(1.)))
    assert s.numpy().tolist() == [1., 3., 6.] and p.numpy().tolist() == [1., 2., 6.]
    y, g = _grad(lambda x: tf.scan(lambda a, v: a * v + 1., x))
    assert y == [0.0, 1.0, 101.0] and g == [203.0, 0.0, 1.0]


def test_py_function_and_numpy_function():
    r = tf.py_function(lambda a, b: a + b, [1., 2.], Tout=tf.float32)
    assert r.dtype == tf.float32 and float(r) == 3.0
    pair = tf.py_function(lambda a: (a, a * 2), [tf.constant(3)], Tout=[tf.int32, tf.int32])
    assert [int(v) for v in pair] == [3, 6]
    assert tf.py_function(lambda a: isinstance(a, tf.Tensor), [1.], Tout=tf.bool).numpy()
    n = tf.numpy_function(lambda a: a * 2, [np.array([1, 2])], Tout=tf.int64)
    assert n.dtype == tf.int64 and n.numpy().tolist() == [2, 4]
    assert tf.numpy_function(lambda a: type(a).__name__, [tf.constant(1.)], Tout=tf.string).numpy() == b"ndarray"
    assert _grad(lambda x: tf.py_function(lambda v: v * v, [x], Tout=tf.float32))[1] == [0.0, 4.0, 200.0]


def test_graph_only_names_do_nothing_eagerly():
    x = tf.constant(1.)
    assert tf.no_op() is None and tf.group(x, x) is None
    assert tf.tuple([x, 2.])[1] == 2.0
    with tf.control_dependencies([x]), tf.init_scope():
        pass
    with pytest.raises(RuntimeError, match="tf.gradients is not supported when eager execution is enabled"):
        tf.gradients(x, x)
    with pytest.raises(RuntimeError, match="Use tf.GradientTape instead"):
        tf.hessians(x, x)


@tf.custom_gradient
def _log1pexp(x):
    e = tf.exp(x)

    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))

    return tf.math.log(1 + e), grad


@tf.custom_gradient
def _clipped_product(x, y):
    def grad(upstream):
        return tf.clip_by_value(upstream, -0.5, 0.5), upstream * 3.

    return x * y, grad


def test_custom_gradient_uses_grad_fn():
    with np.errstate(over="ignore"):
        y, g = _grad(_log1pexp)
    # recorded with TensorFlow 2.21.0: [0.693147, 2.126928, inf] and [0.5, 0.880797, 1.0]
    np.testing.assert_allclose(y, [0.6931471824645996, 2.1269280910491943, np.inf], rtol=1e-6)
    np.testing.assert_allclose(g, [0.5, 0.8807970881462097, 1.0], rtol=1e-6)
    a, b = tf.constant([1., -2.]), tf.constant([4., 5.])
    with tf.GradientTape() as t:
        t.watch([a, b])
        out = _clipped_product(a, b) * tf.constant([2., -0.1])
    ga, gb = t.gradient(out, [a, b])
    np.testing.assert_allclose(out.numpy(), [8.0, 1.0])
    np.testing.assert_allclose(ga.numpy(), [0.5, -0.1], rtol=1e-6)  # recorded with TensorFlow 2.21.0
    np.testing.assert_allclose(gb.numpy(), [6.0, -0.3], rtol=1e-6)


def test_custom_gradient_with_two_outputs():
    @tf.custom_gradient
    def split(x):
        def grad(ga, gb):
            return ga * 10. + gb * 100.

        return (x * 1., x * 2.), grad

    x = tf.constant([1., 2.])
    with tf.GradientTape() as t:
        t.watch(x)
        a, b = split(x)
        loss = tf.reduce_sum(a) + 2. * tf.reduce_sum(b)
    assert t.gradient(loss, x).numpy().tolist() == [210.0, 210.0]


def test_grad_pass_through_and_recompute_grad():
    # recorded with TensorFlow 2.21.0
    y, g = _grad(lambda x: tf.grad_pass_through(tf.round)(x * 1.3) * 2.)
    assert y == [0.0, 6.0, 260.0]
    np.testing.assert_allclose(g, [2.6] * 3, rtol=1e-6)
    y, g = _grad(tf.recompute_grad(lambda z: tf.sin(z) * z))
    np.testing.assert_allclose(y, [0.0, 1.8185948133468628, -50.636566162109375], rtol=1e-6)
    np.testing.assert_allclose(g, [0.0, 0.07700371742248535, 85.72552490234375], rtol=1e-5, atol=1e-6)


def test_unconnected_gradients_enum_is_accepted_by_the_tape():
    assert [u.value for u in tf.UnconnectedGradients] == ["none", "zero"]
    x = tf.constant([1., 2.])
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tf.reduce_sum(tf.constant([3., 4.]))
    assert t.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy().tolist() == [0., 0.]
    assert t.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.NONE) is None


def test_nested_structures_keep_namedtuples():
    pair = collections.namedtuple("Pair", "a b")
    out = tf.map_fn(lambda p: pair(p.a + 1, p.b * 2), pair(tf.constant([1, 2]), tf.constant([3, 4])))
    assert isinstance(out, pair) and out.a.numpy().tolist() == [2, 3] and out.b.numpy().tolist() == [6, 8]


def test_custom_gradient_with_variables():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def scaled(x):
        def grad(upstream, variables=None):
            assert variables == [v]
            return upstream * 7., [upstream * 5.]

        return x * v, grad

    x = tf.constant(3.)
    with tf.GradientTape() as t:
        t.watch(x)
        y = scaled(x)
    gx, gv = t.gradient(y, [x, v])
    assert (float(y), float(gx), float(gv)) == (6.0, 7.0, 5.0)  # recorded with TensorFlow 2.21.0

    @tf.custom_gradient
    def no_variables_argument(x):
        return x * v, lambda u: u

    with pytest.raises(TypeError, match="must accept a keyword argument 'variables'"):
        no_variables_argument(tf.constant(1.))


def test_inside_function_is_false():
    assert tf.inside_function() is False


def test_while_loop_returns_the_structure_body_returns():
    # recorded with TensorFlow 2.21.0: (10,), [10], and [0] when the body never runs
    out = tf.while_loop(lambda i: i < 10, lambda i: (i + 1,), [tf.constant(0)])
    assert isinstance(out, tuple) and int(out[0]) == 10
    out = tf.while_loop(lambda i: i < 10, lambda i: [i + 1], (tf.constant(0),))
    assert isinstance(out, list) and int(out[0]) == 10
    out = tf.while_loop(lambda i: i < 0, lambda i: (i + 1,), [tf.constant(0)])
    assert isinstance(out, list) and int(out[0]) == 0
