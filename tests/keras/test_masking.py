"""Masks as Keras 3 propagates them: attached to tensors by Embedding(mask_zero=True) and Masking,
passed to every layer whose call takes `mask`, kept by the layers that support masking, and
honoured by recurrent layers, GlobalAveragePooling1D and the loss. Each case is checked against
Keras 3 (torch backend) on the same weights and data."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deepgrad as dg  # noqa: E402
from deepgrad import keras as dk  # noqa: E402
from deepgrad.keras import layers as L  # noqa: E402
from deepgrad.keras import losses  # noqa: E402

keras = pytest.importorskip("keras")
K = keras.layers

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")

IDS = np.array([[3, 1, 4, 1, 5, 9], [2, 6, 5, 0, 0, 0], [0, 0, 0, 3, 5, 8], [7, 0, 0, 0, 0, 0]])


def to_numpy(t):
    return keras.ops.convert_to_numpy(t)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def same_weights(ours, theirs):
    ours.set_weights([np.asarray(w) for w in theirs.get_weights()])


# --------------------------------------------------------------------------- Masking


@pytest.mark.parametrize("mask_value", [0.0, -1.0])
def test_masking_layer_matches_keras(mask_value):
    x = randn(3, 5, 2)
    x[0, 1:3] = mask_value
    x[2, 4] = mask_value
    x[1, 0, 0] = mask_value  # one feature alone does not mask the step
    ours, theirs = L.Masking(mask_value)(x), K.Masking(mask_value)(x)
    np.testing.assert_array_equal(ours.numpy(), to_numpy(theirs))
    np.testing.assert_array_equal(ours._keras_mask.numpy(), to_numpy(theirs._keras_mask))
    assert L.Masking(mask_value).get_config()["mask_value"] == K.Masking(mask_value).get_config()["mask_value"]


def test_masking_gradient_is_zero_on_masked_steps():
    x = np.ones((2, 3, 2))
    x[0, 1] = 0.0
    t = dg.Tensor(x, requires_grad=True)
    L.Masking(dtype="float64")(t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy()[:, :, 0], [[1, 0, 1], [1, 1, 1]])


# --------------------------------------------------------------------------- propagation


def stack(m):
    return [m.Embedding(10, 4, mask_zero=True), m.Dense(5, activation="tanh"), m.Dropout(0.5),
            m.Activation("relu"), m.LSTM(3, return_sequences=True), m.GlobalAveragePooling1D(), m.Dense(2)]


def test_sequential_propagates_the_mask_as_keras():
    theirs = keras.Sequential(stack(K))
    ours = dk.Sequential(stack(L))
    expected = to_numpy(theirs(IDS))
    ours(IDS)
    same_weights(ours, theirs)
    np.testing.assert_allclose(ours(IDS).numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(ours.predict(IDS, verbose=0), expected, atol=1e-6)
    # layer by layer: every mask-supporting layer hands the mask on; pooling consumes it
    x = IDS
    for layer in ours.layers:
        x = layer(x)
        if isinstance(layer, L.GlobalAveragePooling1D):
            assert x._keras_mask is None
            break
        np.testing.assert_array_equal(x._keras_mask.numpy(), IDS != 0)


def test_functional_model_propagates_the_mask_as_keras():
    def build(lib, m):
        ids = lib.Input((None,), dtype="int32")
        x = m.Embedding(10, 4, mask_zero=True)(ids)
        x = m.Bidirectional(m.GRU(3, return_sequences=True))(x)
        x = m.TimeDistributed(m.Dense(4))(x)
        x = m.LSTM(2)(x)
        return lib.Model(ids, m.Dense(1)(x))

    theirs, ours = build(keras, K), build(dk, L)
    same_weights(ours, theirs)
    np.testing.assert_allclose(ours(IDS).numpy(), to_numpy(theirs(IDS)), atol=1e-6)


def test_rnn_without_return_sequences_drops_the_mask():
    x = L.Embedding(10, 4, mask_zero=True)(IDS)
    assert L.LSTM(2)(x)._keras_mask is None
    out, h, c = L.LSTM(2, return_sequences=True, return_state=True)(x)
    assert out._keras_mask is not None and h._keras_mask is None and c._keras_mask is None


def test_global_average_pooling_1d_averages_the_unmasked_steps_as_keras():
    x = randn(4, 6, 3)
    mask = IDS != 0
    np.testing.assert_allclose(L.GlobalAveragePooling1D()(x, mask=mask).numpy(),
                               to_numpy(K.GlobalAveragePooling1D()(x, mask=mask)), atol=1e-6)
    np.testing.assert_allclose(L.GlobalAveragePooling1D(keepdims=True)(x, mask=mask).numpy(),
                               to_numpy(K.GlobalAveragePooling1D(keepdims=True)(x, mask=mask)), atol=1e-6)
    x[~mask] = np.inf  # padding never leaks into the mean
    assert np.isfinite(L.GlobalAveragePooling1D()(x, mask=mask).numpy()).all()
    t = dg.Tensor(x.astype("float64"), requires_grad=True)
    L.GlobalAveragePooling1D(dtype="float64")(t, mask=mask).sum().backward()
    assert np.all(t.grad.numpy()[~mask] == 0)


def test_layers_without_mask_support_warn_and_drop_it_as_keras():
    x = L.Embedding(10, 4, mask_zero=True)(IDS)
    with pytest.warns(UserWarning, match="does not support masking"):
        y = L.Flatten()(x)
    assert y._keras_mask is None
    with pytest.warns(UserWarning, match="does not support masking"):
        L.GlobalMaxPooling1D()(x)  # Keras' GlobalMaxPooling1D ignores masks too


def test_explicit_mask_wins_and_casting_keeps_the_mask():
    x = L.Embedding(10, 4, mask_zero=True)(IDS)
    mine = np.ones(IDS.shape, bool)
    y = L.Dense(2)(x, mask=mine)
    np.testing.assert_array_equal(np.asarray(y._keras_mask), mine)
    z = L.Dense(2, dtype="float64")(x)  # the input is cast to float64; its mask comes along
    np.testing.assert_array_equal(z._keras_mask.numpy(), IDS != 0)


# --------------------------------------------------------------------------- the loss


def test_loss_leaves_masked_steps_out_as_keras():
    rng = np.random.default_rng(0)
    y_pred = rng.standard_normal((4, 6, 3)).astype("float32")
    y_true = rng.integers(0, 3, size=(4, 6))
    mask = IDS != 0
    ours_pred, theirs_pred = dg.Tensor(y_pred), keras.ops.convert_to_tensor(y_pred)
    ours_pred._keras_mask = dg.Tensor(mask)
    keras.src.backend.set_keras_mask(theirs_pred, keras.ops.convert_to_tensor(mask))
    weights = rng.uniform(0.5, 2, size=(4, 6)).astype("float32")
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight"):
        for sample_weight in (None, weights):
            ours = losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction)
            theirs = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction)
            np.testing.assert_allclose(float(ours(y_true, ours_pred, sample_weight=sample_weight)),
                                       float(to_numpy(theirs(y_true, theirs_pred, sample_weight=sample_weight))),
                                       rtol=1e-5, err_msg=f"{reduction} weighted={sample_weight is not None}")
    unmasked = float(losses.SparseCategoricalCrossentropy(from_logits=True)(y_true, y_pred))
    assert unmasked != pytest.approx(float(losses.SparseCategoricalCrossentropy(from_logits=True)(y_true, ours_pred)))


def test_one_sample_weight_per_sequence_weights_each_step():
    y_pred = dg.Tensor(randn(2, 3, 1))
    y_pred._keras_mask = dg.Tensor(np.array([[1, 1, 0], [1, 0, 0]], bool))
    y_true = np.zeros((2, 3, 1), "float32")
    per_step = np.array([[2, 2, 2], [3, 3, 3]], "float32")
    mse = losses.MeanSquaredError()
    assert float(mse(y_true, y_pred, sample_weight=np.array([2, 3], "float32"))) == \
        pytest.approx(float(mse(y_true, y_pred, sample_weight=per_step)))


def seq2seq(lib, m):
    return lib.Sequential([
        m.Embedding(10, 4, mask_zero=True),
        m.LSTM(5, return_sequences=True),
        m.TimeDistributed(m.Dense(3)),
    ])


@pytest.mark.parametrize("sample_weight", [False, True], ids=["", "sample_weight"])
def test_one_training_step_with_a_masked_loss_matches_keras(sample_weight):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, size=IDS.shape)
    weights = rng.uniform(0.5, 2, size=IDS.shape).astype("float32") if sample_weight else None
    theirs, ours = seq2seq(keras, K), seq2seq(dk, L)
    theirs(IDS)
    ours(IDS)
    same_weights(ours, theirs)
    for model, lib in ((theirs, keras), (ours, dk)):
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.5),
                      loss=lib.losses.SparseCategoricalCrossentropy(from_logits=True))
    expected = float(theirs.train_on_batch(IDS, y, sample_weight=weights))
    got = ours.train_on_batch(IDS, y, sample_weight=weights)
    assert got == pytest.approx(expected, rel=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), atol=1e-6)
    # padded targets change nothing
    y_other = np.where(IDS == 0, (y + 1) % 3, y)
    assert ours.test_on_batch(IDS, y_other, sample_weight=weights) == \
        pytest.approx(ours.test_on_batch(IDS, y, sample_weight=weights), rel=1e-6)


def test_accuracy_in_fit_ignores_padded_steps_as_keras():
    """Keras 3 metrics weigh a masked output's padded steps 0: accuracy over real steps only."""
    x = np.array([[3, 1, 0, 0], [2, 2, 2, 0]])
    y = np.array([[1, 0, 0, 0], [1, 1, 0, 1]])

    def build(k):
        model = k.Sequential([
            k.Input(shape=(4,), dtype="int32"),
            k.layers.Embedding(5, 3, mask_zero=True),
            k.layers.LSTM(4, return_sequences=True),
            k.layers.Dense(2, activation="softmax"),
        ])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    ours, theirs = build(dk), build(keras)
    ours.set_weights(theirs.get_weights())
    got = ours.evaluate(x, y, verbose=0)
    want = theirs.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("merge", ["Add", "Concatenate", "Average"])
def test_merge_layers_combine_masks_as_keras(merge):
    """The output mask of a merge is Keras': the or of the masks for elementwise merges;
    for Concatenate the masks widened to the inputs, joined, then reduced with any."""
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    y = np.array([[1, 1, 1, 0], [0, 0, 0, 0]])
    ours = getattr(L, merge)().compute_mask(
        [dg.Tensor(np.zeros((2, 4, 3))), dg.Tensor(np.zeros((2, 4, 3)))], [x != 0, y != 0])
    theirs = getattr(keras.layers, merge)().compute_mask(
        [keras.ops.zeros((2, 4, 3)), keras.ops.zeros((2, 4, 3))],
        [keras.ops.convert_to_tensor(x != 0), keras.ops.convert_to_tensor(y != 0)])
    np.testing.assert_array_equal(ours, keras.ops.convert_to_numpy(theirs))
    assert getattr(L, merge)().compute_mask([dg.Tensor(np.zeros((2, 4, 3)))] * 2, [None, None]) is None
