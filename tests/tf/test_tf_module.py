"""tf.Module: names, name scopes and variable tracking in TensorFlow's order (recorded with TensorFlow 2.21.0)."""
import numpy as np
import pytest

import deepgrad as tf
from deepgrad import keras


class Inner(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(1.0, name="w")
        self.c = tf.Variable(2.0, trainable=False, name="c")


class Leaf(tf.Module):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable([1.0, 2.0], name="v")


class Outer(tf.Module):
    def __init__(self):
        super().__init__(name="outer")
        self.z = Inner(name="z_inner")
        self.a = Inner(name="a_inner")
        self.lst = [Leaf(), {"k": Leaf(), "b": tf.Variable(3.0, name="in_dict")}]
        self.a.deep = Leaf()
        self.b = tf.Variable(5.0, name="b")


def test_tracking_order_matches_tensorflow():
    o = Outer()
    # recorded with TensorFlow 2.21.0 for the same classes (TensorFlow appends ':0' to variable names)
    assert [m.name for m in o.submodules] == ["a_inner", "leaf", "leaf", "z_inner", "leaf"]
    assert [v.name for v in o.variables] == ["b", "in_dict", "c", "w", "v", "v", "v", "c", "w"]
    assert [v.name for v in o.trainable_variables] == ["b", "in_dict", "w", "v", "v", "v", "w"]
    assert [v.name for v in o.non_trainable_variables] == ["c", "c"]
    assert o.submodules[0] is o.a and o.submodules[4] is o.a.deep
    assert o.variables[0] is o.b and o.variables[1] is o.lst[1]["b"]


def test_a_shared_variable_or_module_counts_once_and_tuples_are_walked():
    class Shared(tf.Module):
        def __init__(self):
            super().__init__()
            self.leaf = Leaf()
            self.again = (self.leaf, self.leaf.v)
            self.me = self  # a cycle

    s = Shared()
    assert s.variables == (s.leaf.v,)
    assert s.submodules == (s.leaf,)
    assert isinstance(s.variables, tuple)


def test_names_and_name_scopes_as_tensorflow():
    assert tf.Module().name == "module"
    assert Inner().name == "inner"

    class MyDenseLayer(tf.Module):
        pass

    assert MyDenseLayer().name == "my_dense_layer"
    assert Outer().name_scope.name == "outer/"
    with pytest.raises(ValueError, match="'bad name' is not a valid module name. Module names must be valid"):
        tf.Module(name="bad name")
    with tf.name_scope("outer_ns") as scope:
        assert scope == "outer_ns/"
        m = tf.Module(name="in_scope")
        with tf.name_scope("deeper") as inner:
            assert inner == "outer_ns/deeper/"
    assert m.name == "in_scope" and m.name_scope.name == "outer_ns/in_scope/"
    with m.name_scope as entered:
        assert entered == "outer_ns/in_scope/"


def test_with_name_scope_runs_the_method_inside_the_module_scope():
    class Scoped(tf.Module):
        @tf.Module.with_name_scope
        def __call__(self, x):
            with tf.name_scope("op") as scope:
                return x * 2, scope

    with tf.name_scope("top"):
        m = Scoped(name="mm")
    value, scope = m(3.0)
    assert value == 6.0 and scope == "top/mm/op/"
    assert Scoped.__call__.__name__ == "__call__"


def test_a_hand_written_module_trains_on_its_trainable_variables():
    class Linear(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[0.0], [0.0]])
            self.b = tf.Variable([0.0])

        def __call__(self, x):
            return tf.matmul(x, self.w) + self.b

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype("float32")
    y = x @ np.array([[2.0], [-3.0]], "float32") + 0.5
    model = Linear()
    for _ in range(200):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        for v, g in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
            v.assign_sub(0.1 * g)
    np.testing.assert_allclose(model.w.numpy().ravel(), [2.0, -3.0], atol=1e-3)
    np.testing.assert_allclose(model.b.numpy(), [0.5], atol=1e-3)


def test_keras_layers_in_attributes_are_submodules_and_contribute_their_weights():
    # TensorFlow 2.21 + Keras 3 lists no submodule and only 'own' here (a Keras 3 layer is no
    # tf.Module); deepgrad counts the layers, as tf.keras 2 did and as a training loop expects.
    class WithKeras(tf.Module):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(3)
            self.d.build((None, 2))
            self.seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            self.v = tf.Variable(1.0, name="own")

    wk = WithKeras()
    assert [type(m).__name__ for m in wk.submodules] == ["Dense", "Sequential", "Dense"]
    assert wk.submodules[0] is wk.d and wk.submodules[2] is wk.seq.layers[0]
    expected = [wk.v, wk.d.kernel, wk.d.bias, wk.seq.layers[0].kernel, wk.seq.layers[0].bias]
    assert [id(v) for v in wk.variables] == [id(v) for v in expected]
    assert [v.shape for v in wk.variables] == [(), (2, 3), (3,), (3, 2), (2,)]
    wk.seq.trainable = False
    assert [id(v) for v in wk.trainable_variables] == [id(v) for v in expected[:3]]
    assert [id(v) for v in wk.non_trainable_variables] == [id(v) for v in expected[3:]]


def test_private_attributes_are_tracked_and_plain_values_ignored():
    class Private(tf.Module):
        def __init__(self):
            super().__init__()
            self._hidden = tf.Variable(1.0, name="hidden")
            self.number = 3
            self.text = "abc"
            self.array = np.zeros(3)

    assert [v.name for v in Private().variables] == ["hidden"]
