"""Losses from layers (add_loss, activity and weight regularizers, layer.losses / model.losses) and
functional models whose layers take extra tensor arguments, each against Keras 3 on the torch backend
with the same weights."""
import os

import numpy as np
import pytest

import deepgrad.keras as dk
from deepgrad.keras.layers.keras_tensor import flatten_structure

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _values(losses):
    """Loss tensors (deepgrad's or Keras') as float64 arrays."""
    return [_to_numpy(loss).astype(np.float64) for loss in losses]


def _assert_losses_equal(ours, theirs, rtol=1e-5, atol=1e-6):
    ours, theirs = _values(ours), _values(theirs)
    assert len(ours) == len(theirs), (ours, theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


# ---- user layers written once for both libraries ---------------------------------------------------


def half_sum_layer(lib):
    """A layer adding 0.5 * sum(x) as a loss and returning x."""

    class HalfSum(lib.layers.Layer):
        def call(self, x):
            self.add_loss(lib.ops.sum(x) * 0.5)
            return x

    return HalfSum


def twice_layer(lib):
    """A layer that calls the same inner HalfSum twice in one call."""
    HalfSum = half_sum_layer(lib)

    class Twice(lib.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = HalfSum()

        def call(self, x):
            return self.inner(self.inner(x) * 2.0)

    return Twice


def endpoint_layer(lib):
    """The guide's endpoint pattern: a layer that turns logits into probabilities and, given the
    targets (and per-sample weights), adds the binary cross-entropy on logits as the model's loss."""

    class BinaryEndpoint(lib.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.loss_fn = lib.losses.BinaryCrossentropy(from_logits=True)

        def call(self, targets, logits, sample_weight=None):
            self.add_loss(self.loss_fn(targets, logits, sample_weight))
            return lib.ops.sigmoid(logits)

    return BinaryEndpoint


def endpoint_model(lib, keyword=False):
    """Inputs 'features' (5,), 'targets' (3,), 'weights' (1,): Dense(8, tanh) -> Dense(3) -> endpoint."""
    features = lib.Input((5,), name="features")
    targets = lib.Input((3,), name="targets")
    weights = lib.Input((1,), name="weights")
    hidden = lib.layers.Dense(8, activation="tanh", name="hidden")(features)
    logits = lib.layers.Dense(3, name="logits")(hidden)
    endpoint = endpoint_layer(lib)(name="endpoint")
    if keyword:
        probs = endpoint(targets, logits=logits, sample_weight=weights)
    else:
        probs = endpoint(targets, logits, weights)
    return lib.Model([features, targets, weights], probs)


def _endpoint_data(n=24):
    rng = np.random.default_rng(3)
    return {"features": rng.standard_normal((n, 5)).astype("float32"),
            "targets": (rng.random((n, 3)) > 0.5).astype("float32"),
            "weights": rng.random((n, 1)).astype("float32")}


def _to_numpy(x):
    """A torch tensor (Keras' torch backend), a deepgrad Tensor or an array as a NumPy array."""
    if type(x).__module__.startswith("torch"):
        return x.detach().cpu().numpy()
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


# ---- add_loss ----------------------------------------------------------------------------------------


def test_add_loss_eager_matches_keras(keras):
    x = _data((2, 3))
    ours, theirs = half_sum_layer(dk)(), half_sum_layer(keras)()
    ours(x), theirs(x)
    _assert_losses_equal(ours.losses, theirs.losses)
    assert float(ours.losses[0]) == pytest.approx(0.5 * float(x.sum()), rel=1e-6)
    # a second call replaces the losses of the first
    ours(2 * x), theirs(2 * x)
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 1


def test_nested_calls_accumulate_within_one_outer_call(keras):
    x = _data((4, 3), seed=1)
    ours, theirs = twice_layer(dk)(), twice_layer(keras)()
    ours(x), theirs(x)
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 2
    ours(x)
    assert len(ours.losses) == 2  # the outer call cleared the inner layer's losses first


def test_symbolic_call_records_no_loss_and_clears(keras):
    ours, theirs = half_sum_layer(dk)(), half_sum_layer(keras)()
    x = _data((2, 3))
    ours(x), theirs(x)
    ours(dk.Input((3,))), theirs(keras.Input((3,)))
    assert ours.losses == [] and len(theirs.losses) == 0


def test_add_loss_keeps_shape_and_refuses_non_tensors(keras):
    class Raw(dk.layers.Layer):
        def call(self, x):
            self.add_loss(x)
            return x

    layer = Raw()
    layer(_data((2, 3)))
    assert [tuple(t.shape) for t in layer.losses] == [(2, 3)]

    class Bad(dk.layers.Layer):
        def call(self, x):
            self.add_loss(1.0)
            return x

    with pytest.raises(ValueError, match="add_loss"):
        Bad()(_data((2, 3)))


# ---- activity and weight regularizers ------------------------------------------------------------


def _dense_pair(keras, **kwargs):
    ours = dk.layers.Dense(4, **{k: v(dk) for k, v in kwargs.items()})
    theirs = keras.layers.Dense(4, **{k: v(keras) for k, v in kwargs.items()})
    ours.build((None, 3))
    theirs.build((None, 3))
    theirs.set_weights([_data((3, 4), seed=5), _data((4,), seed=6)])
    ours.set_weights(theirs.get_weights())
    return ours, theirs


@pytest.mark.parametrize("batch", [1, 5])
def test_dense_activity_regularizer_matches_keras(keras, batch):
    ours, theirs = _dense_pair(keras, activity_regularizer=lambda lib: lib.regularizers.L1L2(l1=0.01, l2=0.02))
    x = _data((batch, 3), seed=7)
    np.testing.assert_allclose(_to_numpy(ours(x)), _to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)
    _assert_losses_equal(ours.losses, theirs.losses)
    out = _to_numpy(ours(x))
    expected = (0.01 * np.abs(out).sum() + 0.02 * np.square(out).sum()) / batch  # divided by the batch size
    assert float(ours.losses[0]) == pytest.approx(expected, rel=1e-5)


def test_activity_regularizer_on_several_and_scalar_outputs(keras):
    def layers(lib):
        class Two(lib.layers.Layer):
            def call(self, x):
                return [x, 2.0 * x]

        class Total(lib.layers.Layer):
            def call(self, x):
                return lib.ops.sum(x)

        return Two(activity_regularizer="l1"), Total(activity_regularizer="l2")

    x = np.arange(6, dtype="float32").reshape(2, 3)
    for ours, theirs in zip(layers(dk), layers(keras)):
        ours(x), theirs(x)
        _assert_losses_equal(ours.losses, theirs.losses)
        assert len(ours.losses) == len(flatten_structure(ours(x)))


def test_scalar_output_is_not_divided():
    class Total(dk.layers.Layer):
        def call(self, x):
            return dk.ops.sum(x)

    layer = Total(activity_regularizer="l2")
    layer(np.arange(6, dtype="float32").reshape(2, 3))
    assert float(layer.losses[0]) == pytest.approx(0.01 * 15.0 ** 2, rel=1e-6)  # 0.01 * sum^2


def test_weight_regularizer_losses_match_keras(keras):
    ours, theirs = _dense_pair(keras, kernel_regularizer=lambda lib: lib.regularizers.L2(0.1),
                               bias_regularizer=lambda lib: lib.regularizers.L1(0.05))
    _assert_losses_equal(ours.losses, theirs.losses)  # present before any call
    assert len(ours.losses) == 2
    ours.trainable, theirs.trainable = False, False  # only trainable weights are penalized
    assert ours.losses == [] and len(theirs.losses) == 0


def _regularized_model(lib):
    inputs = lib.Input((3,))
    h = lib.layers.Dense(4, kernel_regularizer=lib.regularizers.L2(0.1), bias_regularizer="l1",
                         activity_regularizer=lib.regularizers.L1(0.01), name="dense")(inputs)
    h = half_sum_layer(lib)(name="half_sum")(h)
    h = lib.layers.ActivityRegularization(l1=0.1, l2=0.2, name="act_reg")(h)
    return lib.Model(inputs, h)


def test_model_losses_in_keras_order(keras):
    ours, theirs = _regularized_model(dk), _regularized_model(keras)
    theirs.set_weights([_data((3, 4), seed=8), _data((4,), seed=9)])
    ours.set_weights(theirs.get_weights())
    # after building: the weight penalties only
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 2
    x = _data((6, 3), seed=10)
    np.testing.assert_allclose(_to_numpy(ours(x)), _to_numpy(theirs(x)), rtol=1e-5, atol=1e-6)
    # activity of dense, add_loss of half_sum, ActivityRegularization, then the weight penalties
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 5
    _assert_losses_equal(ours.get_layer("act_reg").losses, theirs.get_layer("act_reg").losses)
    ours(x[:2]), theirs(x[:2])  # the next call replaces them
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 5


# ---- extra tensor arguments in functional models -----------------------------------------------


@pytest.mark.parametrize("keyword", [False, True], ids=["positional", "keyword"])
def test_endpoint_model_forward_matches_keras(keras, keyword):
    ours, theirs = endpoint_model(dk, keyword), endpoint_model(keras, keyword)
    theirs.set_weights([_data(w.shape, seed=20 + i) for i, w in enumerate(theirs.get_weights())])
    ours.set_weights(theirs.get_weights())
    data = _endpoint_data()
    np.testing.assert_allclose(_to_numpy(ours(data)), _to_numpy(theirs(data)), rtol=1e-5, atol=1e-6)
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 1
    np.testing.assert_allclose(ours.predict(data, batch_size=8, verbose=0),
                               theirs.predict(data, batch_size=8, verbose=0), rtol=1e-5, atol=1e-6)


def test_endpoint_model_trains_from_add_loss_only(keras):
    """compile() with no loss: fit minimizes the endpoint's add_loss; weights and logged losses as Keras."""
    ours, theirs = endpoint_model(dk), endpoint_model(keras)
    theirs.set_weights([_data(w.shape, seed=30 + i) for i, w in enumerate(theirs.get_weights())])
    ours.set_weights(theirs.get_weights())
    data = _endpoint_data()
    ours.compile(optimizer=dk.optimizers.SGD(0.1))
    theirs.compile(optimizer=keras.optimizers.SGD(0.1))
    h_ours = ours.fit(data, batch_size=8, epochs=3, shuffle=False, verbose=0)
    h_theirs = theirs.fit(data, batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    assert h_ours.history["loss"][-1] < h_ours.history["loss"][0]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # evaluate's loss is the add_loss term too
    assert ours.evaluate(data, batch_size=8, verbose=0) == pytest.approx(
        theirs.evaluate(data, batch_size=8, verbose=0), rel=1e-5)


def test_activity_regularizer_counted_once_in_fit(keras):
    """A compiled loss plus activity and weight penalties: fit's updates equal Keras'."""

    def model(lib):
        inputs = lib.Input((3,))
        h = lib.layers.Dense(4, activation="tanh", activity_regularizer=lib.regularizers.L2(0.05),
                             kernel_regularizer=lib.regularizers.L1(0.01))(inputs)
        h = lib.layers.ActivityRegularization(l1=0.02)(h)
        return lib.Model(inputs, lib.layers.Dense(1)(h))

    ours, theirs = model(dk), model(keras)
    theirs.set_weights([_data(w.shape, seed=40 + i) for i, w in enumerate(theirs.get_weights())])
    ours.set_weights(theirs.get_weights())
    x, y = _data((20, 3), seed=50), _data((20, 1), seed=51)
    ours.compile(optimizer=dk.optimizers.SGD(0.05), loss="mse")
    theirs.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    h_ours = ours.fit(x, y, batch_size=6, epochs=2, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, batch_size=6, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_compute_output_shape_gets_shapes_by_argument_name():
    class Pair(dk.layers.Layer):
        def call(self, query, value):
            return dk.ops.concatenate([query, value], axis=-1)

        def compute_output_shape(self, query_shape, value_shape):
            return query_shape[:-1] + (query_shape[-1] + value_shape[-1],)

    a, b = dk.Input((2,)), dk.Input((5,))
    out = Pair()(a, value=b)
    assert out.shape == (None, 7)
    model = dk.Model([a, b], out)
    result = model([np.ones((3, 2), "float32"), np.zeros((3, 5), "float32")])
    assert result.shape == (3, 7)


def subclassed_model(lib):
    """A subclassed model adding 0.1 * mean(h) itself, over a Dense with activity and kernel penalties."""

    class Penalized(lib.Model):
        def __init__(self):
            super().__init__()
            self.hidden = lib.layers.Dense(2, activity_regularizer="l2", kernel_regularizer="l2")
            self.out = lib.layers.Dense(1)

        def call(self, x):
            h = self.hidden(x)
            self.add_loss(0.1 * lib.ops.mean(h))
            return self.out(h)

    return Penalized()


def test_subclassed_model_losses_and_fit_match_keras(keras):
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(4, 3)
    ours, theirs = subclassed_model(dk), subclassed_model(keras)
    ours(x), theirs(x)
    theirs.set_weights([_data(w.shape, seed=60 + i) for i, w in enumerate(theirs.get_weights())])
    ours.set_weights(theirs.get_weights())
    ours(x), theirs(x)
    # the model's own add_loss, the Dense's activity penalty, then the kernel penalty
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 3
    ours.compile(optimizer=dk.optimizers.SGD(0.05), loss="mse")
    theirs.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    y = np.ones((4, 1), "float32")
    h_ours = ours.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    h_theirs = theirs.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_sequential_activity_losses_match_keras(keras):
    def model(lib):
        return lib.Sequential([lib.Input((3,)), lib.layers.Dense(2, activity_regularizer="l1"),
                               lib.layers.ActivityRegularization(l2=0.3)])

    ours, theirs = model(dk), model(keras)
    theirs.set_weights([_data((3, 2), seed=70), _data((2,), seed=71)])
    ours.set_weights(theirs.get_weights())
    x = _data((5, 3), seed=72)
    ours(x), theirs(x)
    _assert_losses_equal(ours.losses, theirs.losses)
    assert len(ours.losses) == 2


@pytest.mark.parametrize("keyword", [False, True], ids=["positional", "keyword"])
def test_endpoint_model_config_round_trip(keras, keyword):
    """The extra tensor arguments are written into the node and read back, from our config and Keras'."""
    ours, theirs = endpoint_model(dk, keyword), endpoint_model(keras, keyword)
    theirs.set_weights([_data(w.shape, seed=80 + i) for i, w in enumerate(theirs.get_weights())])
    ours.set_weights(theirs.get_weights())
    custom = {"BinaryEndpoint": type(ours.get_layer("endpoint"))}
    data = _endpoint_data()
    expected = _to_numpy(theirs(data))
    for config in (ours.get_config(), theirs.get_config()):
        clone = dk.Model.from_config(config, custom_objects=custom)
        clone.set_weights(theirs.get_weights())
        np.testing.assert_allclose(_to_numpy(clone(data)), expected, rtol=1e-5, atol=1e-6)
        _assert_losses_equal(clone.losses, theirs.losses)
