"""tf.function: runs the Python function eagerly, with TensorFlow's signature checks and counts.

Results, error messages and tracing counts were recorded with TensorFlow 2.21.0 in a scratch
environment (the same calls on `import tensorflow as tf`); TensorFlow is not needed here.
"""
import gc
import weakref

import numpy as np
import pytest

import deepgrad as tf

keras = tf.keras


def test_decorator_forms_keep_the_function_and_its_results():
    @tf.function
    def f(x, y=2):
        """doc f"""
        return x * y

    @tf.function(jit_compile=True, reduce_retracing=True, autograph=False, experimental_implements=None,
                 experimental_relax_shapes=False, experimental_compile=None, experimental_follow_type_hints=None)
    def g(x):
        return x + 1

    assert f.__name__ == "f" and f.__doc__ == "doc f" and f.__wrapped__ is f.python_function
    assert type(f).__name__ == "Function" and f.python_function.__name__ == "f"
    # recorded with TensorFlow 2.21.0: [2. 4.], 6, 12
    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    assert f(3) == 6 and f(3, 4) == 12 and g(1) == 2
    plain = tf.function(lambda a, b: tf.matmul(a, b))
    a, b = np.arange(6.0, dtype=np.float32).reshape(2, 3), np.ones((3, 2), np.float32)
    np.testing.assert_array_equal(plain(a, b).numpy(), [[3.0, 3.0], [12.0, 12.0]])


def test_a_non_callable_is_refused():
    with pytest.raises(TypeError, match="^5 is not a callable object$"):  # TensorFlow 2.21.0's message
        tf.function(5)


def test_tracing_counts_follow_tensorflow():
    @tf.function
    def f(x, y=2):
        return x * y

    counts = []
    for args in [(tf.constant([1.0, 2.0]),), (3,), (3, 4), (tf.constant([1.0, 2.0]),), (tf.constant([1.0, 2.0, 3.0]),),
                 (tf.constant([1.0, 2.0, 3.0, 4.0]),), (tf.constant([1, 2]),), (5,), (3,),
                 (np.array([1.0, 2.0], np.float32),), (np.array([1.0, 2.0], np.float32),)]:
        f(*args)
        counts.append(f.experimental_get_tracing_count())
    # recorded with TensorFlow 2.21.0 (an array traces as the tensor of its shape and dtype)
    assert counts == [1, 2, 3, 3, 4, 5, 6, 7, 7, 7, 7]


def test_reduce_retracing_relaxes_shapes():
    @tf.function(reduce_retracing=True)
    def g(x):
        return x + 1

    counts = []
    for shape in ([2], [3], [4], [5], [2, 2]):
        g(tf.zeros(shape))
        counts.append(g.experimental_get_tracing_count())
    assert counts == [1, 2, 2, 2, 3]  # recorded with TensorFlow 2.21.0


def test_input_signature_accepts_and_converts_what_fits():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def h(x):
        return x * 2

    assert h.input_signature == (tf.TensorSpec([None], tf.float32),)
    for value in (tf.constant([1.0, 2.0]), np.array([1.0, 2.0]), [1.0, 2.0]):  # float64 and lists are converted
        out = h(value)
        assert isinstance(out, tf.Tensor) and out.dtype == tf.float32 and out.numpy().tolist() == [2.0, 4.0]
    assert h(x=tf.constant([1.0])).numpy().tolist() == [2.0]
    assert h.experimental_get_tracing_count() == 1

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def i(x):
        return x + 1

    for value in ([1, 2], np.array([1, 2], np.int64), tf.Variable(np.array([1, 2], np.int32))):
        out = i(value)
        assert out.dtype == tf.int32 and out.numpy().tolist() == [2, 3]  # recorded with TensorFlow 2.21.0


@pytest.mark.parametrize("call, reason", [
    (lambda h: h(tf.constant([[1.0]])),
     "Can not cast TensorSpec(shape=(1, 1), dtype=tf.float32, name=None) to "
     "TensorSpec(shape=(None,), dtype=tf.float32, name=None)"),
    (lambda h: h(tf.constant([1, 2])),
     "Can not cast TensorSpec(shape=(2,), dtype=tf.int32, name=None) to "
     "TensorSpec(shape=(None,), dtype=tf.float32, name=None)"),
    (lambda h: h(1.0),
     "Can not cast TensorSpec(shape=(), dtype=tf.float32, name=None) to "
     "TensorSpec(shape=(None,), dtype=tf.float32, name=None)"),
    (lambda h: h(tf.constant([1.0]), tf.constant([1.0])), "too many positional arguments"),
    (lambda h: h(), "missing a required argument: 'x'"),
    (lambda h: h(x=tf.constant([1.0]), y=1), "got an unexpected keyword argument 'y'"),
    (lambda h: h("a"), "Cannot convert 'a' to a tensor of dtype float32"),
])
def test_input_signature_refuses_what_does_not_fit(call, reason):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def h(x):
        return x * 2

    # TensorFlow 2.21.0: TypeError("Binding inputs to tf.function failed due to `<reason>`. Received args: ...
    # for signature: (x: TensorSpec(shape=(None,), dtype=tf.float32, name=None)).")
    with pytest.raises(TypeError) as info:
        call(h)
    message = str(info.value)
    assert message.startswith(f"Binding inputs to tf.function failed due to `{reason}`. Received args: ")
    assert message.endswith("for signature: (x: TensorSpec(shape=(None,), dtype=tf.float32, name=None)).")


def test_input_signature_checks_integer_values_and_nests():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def i(x):
        return x

    with pytest.raises(TypeError, match=r"`Cannot convert \[1.5, 2\] to a tensor of dtype int32`"):
        i([1.5, 2])
    with pytest.raises(TypeError, match=r"Can not cast TensorSpec\(shape=\(2,\), dtype=tf.int64, name=None\)"):
        i(tf.constant(np.array([1, 2], np.int64)))

    @tf.function(input_signature=[(tf.TensorSpec([None]), tf.TensorSpec([]))])
    def n(pair):
        return pair[0] * pair[1]

    assert n((tf.constant([1.0, 2.0]), tf.constant(3.0))).numpy().tolist() == [3.0, 6.0]
    with pytest.raises(TypeError, match="to tuple type"):  # a list for a tuple spec, as TensorFlow
        n([tf.constant([1.0, 2.0]), tf.constant(3.0)])

    @tf.function(input_signature=[{"a": tf.TensorSpec([None])}])
    def d(x):
        return x["a"] + 1

    assert d({"a": tf.constant([1.0])}).numpy().tolist() == [2.0]
    with pytest.raises(TypeError, match="has different keys"):
        d({"b": tf.constant([1.0])})

    star = tf.function(input_signature=[tf.TensorSpec([None])])(lambda *a: a[0] + 0)
    assert star(tf.constant([1.0])).numpy().tolist() == [1.0]
    with pytest.raises(TypeError, match="`too many positional arguments`"):
        star(tf.constant([1.0]), tf.constant([2.0]))


def test_input_signature_is_checked_against_the_parameters_at_decoration():
    # recorded with TensorFlow 2.21.0
    with pytest.raises(TypeError, match="^input_signature contains 1 extra type constraints.$"):
        tf.function(input_signature=[tf.TensorSpec([None]), tf.TensorSpec([None])])(lambda x: x)
    with pytest.raises(TypeError, match="^input_signature missing type constraint for y$"):
        tf.function(input_signature=[tf.TensorSpec([None])])(lambda x, y: x)
    with pytest.raises(TypeError, match="^input_signature must be either a tuple or a list, got "):
        tf.function(input_signature=tf.TensorSpec([None]))(lambda x: x)


def test_get_concrete_function():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def h(x):
        return x * 2

    cf = h.get_concrete_function()
    assert type(cf).__name__ == "ConcreteFunction" and cf(tf.constant([3.0])).numpy().tolist() == [6.0]
    # recorded with TensorFlow 2.21.0: parameters name their specs; Python arguments stay values
    assert repr(cf.structured_input_signature) == \
        "((TensorSpec(shape=(None,), dtype=tf.float32, name='x'),), {})"

    @tf.function
    def f(x, y=2):
        return x * y

    cf2 = f.get_concrete_function(tf.TensorSpec([None, 2]))
    np.testing.assert_array_equal(cf2(tf.ones([3, 2])).numpy(), np.full((3, 2), 2.0))
    np.testing.assert_array_equal(cf2(np.ones([3, 2], np.float32)).numpy(), np.full((3, 2), 2.0))
    with pytest.raises(TypeError, match="too many positional arguments"):
        cf2(tf.ones([3, 2]), tf.ones([3, 2]))
    with pytest.raises(TypeError, match="dtype=tf.int32"):
        cf2(tf.ones([3, 2], tf.int32))
    cf3 = f.get_concrete_function(tf.constant([1.0, 2.0]))
    assert cf3(tf.constant([5.0, 6.0])).numpy().tolist() == [10.0, 12.0]
    assert repr(cf3.structured_input_signature) == \
        "((TensorSpec(shape=(2,), dtype=tf.float32, name='x'), 2), {})"


class Scaler:
    def __init__(self, factor):
        self.factor = factor
        self.calls = 0

    @tf.function
    def step(self, x):
        """a method"""
        self.calls += 1
        return self.factor * x

    @tf.function(input_signature=[tf.TensorSpec([None])])
    def checked(self, x):
        return self.factor * x


def test_methods_bind_to_their_instance():
    m, m2 = Scaler(2.0), Scaler(5.0)
    assert m.step(3.0) == 6.0 and m2.step(3.0) == 15.0 and m.calls == 1
    # recorded with TensorFlow 2.21.0: one Function per instance, counted apart, python_function unbound
    assert Scaler.step.__doc__ == "a method" and type(m.step).__name__ == "Function" and m.step is m.step
    m.step(4.0)
    assert m.step.experimental_get_tracing_count() == 2 and Scaler(1.0).step.experimental_get_tracing_count() == 0
    assert m.step.python_function is Scaler.__dict__["step"].python_function
    assert m.checked(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    with pytest.raises(TypeError, match="Can not cast"):
        m.checked(tf.constant([[1.0]]))


def test_bound_methods_do_not_keep_their_instance_alive():
    m = Scaler(2.0)
    m.step(1.0)
    ref = weakref.ref(m)
    del m
    gc.collect()
    assert ref() is None


def test_run_functions_eagerly_flag():
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly() is True
        assert tf.function(lambda x: x + 1)(1) == 2
    finally:
        tf.config.run_functions_eagerly(False)
    assert tf.config.functions_run_eagerly() is False


def _small_model():
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])


def _train(step_fn_wrapper):
    """Three SGD steps of the TensorFlow quickstart-for-experts pattern; the final weights."""
    model = _small_model()
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.SGD(0.1)
    accuracy = keras.metrics.SparseCategoricalAccuracy()

    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        accuracy.update_state(y, model(x, training=False))
        return loss

    step = step_fn_wrapper(train_step)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)).astype(np.float32), rng.integers(0, 3, 16)
    losses = [float(step(x, y)) for _ in range(3)]
    return losses, [w.numpy().copy() for w in model.weights], float(accuracy.result())


def test_a_train_step_gives_the_same_weights_as_the_plain_function():
    plain = _train(lambda f: f)
    wrapped = _train(tf.function)
    signed = _train(tf.function(input_signature=[tf.TensorSpec([None, 4]), tf.TensorSpec([None], tf.int64)]))
    for other in (wrapped, signed):
        assert other[0] == plain[0] and other[2] == plain[2]
        for a, b in zip(plain[1], other[1]):
            np.testing.assert_array_equal(a, b)
    assert plain[0][2] < plain[0][0]  # the loss goes down


def test_a_keras_model_method_can_be_a_tf_function():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2, kernel_initializer="ones")

        def call(self, x):
            return self.dense(x)

        @tf.function
        def predict_step_fn(self, x):
            return self(x)

    net = Net()
    out = net.predict_step_fn(np.ones((1, 3), np.float32))
    np.testing.assert_allclose(out.numpy(), [[3.0, 3.0]])
    assert net.predict_step_fn is net.predict_step_fn


def test_a_callable_object_can_be_wrapped():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    wrapped = tf.function(model)
    np.testing.assert_array_equal(wrapped(x).numpy(), model(x).numpy())
    assert wrapped.python_function is model
    assert not set(vars(model)) & set(vars(wrapped))  # the model's attributes are not copied onto the Function
