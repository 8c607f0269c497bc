"""Embedding: parity with Keras 3, integer ids kept as integers, the mask, and the gradient's scatter-add."""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deepgrad as dg  # noqa: E402
from deepgrad.keras import layers as L  # noqa: E402
from deepgrad.keras.models import Sequential  # noqa: E402
from tests.parity import requires_torch, torch  # noqa: E402

keras = pytest.importorskip("keras")
K = keras.layers

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")

IDS = np.array([[4, 1, 0, 7], [0, 0, 2, 2]])


def to_numpy(t):
    return keras.ops.convert_to_numpy(t)


def pair(make, x):
    theirs, ours = make(K), make(L)
    theirs(x)
    ours(x)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "float32"])
def test_forward_matches_keras(dtype):
    ids = IDS.astype(dtype)
    theirs, ours = pair(lambda m: m.Embedding(8, 3, mask_zero=True), ids)
    assert [w.name.split("/")[-1] for w in ours.weights] == [w.name for w in theirs.weights] == ["embeddings"]
    got = ours(ids)
    assert got.shape == (2, 4, 3) and got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), to_numpy(theirs(ids)), atol=1e-7)


def test_integer_ids_reach_the_layer_as_integers():
    seen = []

    class Spy(L.Embedding):
        def call(self, inputs):
            seen.append(inputs.dtype)
            return super().call(inputs)

    big = 2**24 + 1  # not a float32: a cast to float would change the id
    layer = Spy(big + 1, 1, embeddings_initializer="zeros")
    layer.build()
    table = np.zeros((big + 1, 1), "float32")
    table[big] = 5.0
    layer.set_weights([table])
    assert layer(np.array([[big]], dtype="int64")).numpy().item() == 5.0
    layer(np.array([[1, 2]], dtype="int32"))
    assert seen == [np.dtype("int64"), np.dtype("int32")]
    np.testing.assert_array_equal(layer(np.array([[1.7]], dtype="float32")).numpy(),
                                  layer(np.array([[1]])).numpy())  # floats truncate, as Keras


def test_mask_zero_and_symbolic_shapes():
    layer = L.Embedding(8, 3, mask_zero=True)
    out = layer(IDS)
    np.testing.assert_array_equal(out._keras_mask.numpy(), IDS != 0)
    np.testing.assert_array_equal(layer.compute_mask(dg.Tensor(IDS)).numpy(), IDS != 0)
    assert L.Embedding(8, 3)(IDS)._keras_mask is None
    assert L.Embedding(8, 3).compute_mask(dg.Tensor(IDS)) is None
    x = L.Input((None,), dtype="int32")
    assert L.Embedding(8, 3)(x).shape == K.Embedding(8, 3)(keras.Input((None,), dtype="int32")).shape
    model = Sequential([L.Embedding(8, 5, input_shape=(4,))])
    assert model.output_shape == (None, 4, 5)
    assert model(IDS).shape == (2, 4, 5)


@requires_torch
def test_gradient_scatter_adds_repeated_ids_as_torch():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((6, 3))
    ids = np.array([[1, 1, 5], [1, 0, 5]])
    layer = L.Embedding(6, 3, dtype="float64")
    layer.build()
    layer.set_weights([table])
    out = layer(ids)
    weight = rng.standard_normal(out.shape)
    (out * weight).sum().backward()
    ref = torch.tensor(table, requires_grad=True)
    (torch.nn.functional.embedding(torch.tensor(ids), ref) * torch.tensor(weight)).sum().backward()
    np.testing.assert_allclose(out.numpy(), torch.nn.functional.embedding(torch.tensor(ids), ref).detach().numpy())
    np.testing.assert_allclose(layer.embeddings.grad.numpy(), ref.grad.numpy(), atol=1e-12)
    assert np.all(layer.embeddings.grad.numpy()[[2, 3, 4]] == 0)


def test_get_config_matches_keras_and_round_trips():
    make = lambda m: m.Embedding(10, 4, mask_zero=True, embeddings_regularizer="l2")  # noqa: E731
    expected, got = make(K).get_config(), make(L).get_config()
    assert set(got) == set(expected)
    for key in set(expected) - {"name", "dtype", "embeddings_initializer", "embeddings_regularizer"}:
        assert got[key] == expected[key], key
    for key in ("embeddings_initializer", "embeddings_regularizer"):
        assert got[key]["class_name"] == expected[key]["class_name"]
        assert got[key]["config"] == pytest.approx(expected[key]["config"])
    clone = L.Embedding.from_config(got)
    assert clone.get_config() == got


def test_weights_argument_regularizer_and_errors():
    table = np.arange(6, dtype="float32").reshape(3, 2)
    layer = L.Embedding(3, 2, weights=table)
    np.testing.assert_array_equal(layer(np.array([2, 0])).numpy(), table[[2, 0]])
    np.testing.assert_array_equal(L.Embedding(3, 2, weights=[table]).embeddings.numpy(), table)
    theirs, ours = pair(lambda m: m.Embedding(5, 2, embeddings_regularizer="l2"), IDS % 5)
    np.testing.assert_allclose([float(v.numpy()) for v in ours.losses],
                               [float(to_numpy(v)) for v in theirs.losses], rtol=1e-5)
    with pytest.raises(ValueError, match="input_dim=0"):
        L.Embedding(0, 2)
    with pytest.raises(ValueError, match="output_dim=2.5"):
        L.Embedding(3, 2.5)
    with pytest.warns(UserWarning, match="input_length"):
        L.Embedding(3, 2, input_length=4)
    with pytest.raises(ValueError, match=r"ids must be in \[0, 3\)"):
        L.Embedding(3, 2)(np.array([[3]]))


def _text_cnn(k):
    return k.Sequential([
        k.Input(shape=(12,), dtype="int32"),
        k.layers.Embedding(30, 8),
        k.layers.Conv1D(16, 3, activation="relu"),
        k.layers.MaxPooling1D(2),
        k.layers.Conv1D(16, 3, padding="same", activation="relu"),
        k.layers.GlobalMaxPooling1D(),
        k.layers.Dense(1, activation="sigmoid"),
    ])


def test_text_cnn_on_embedding_outputs_matches_keras():
    """Embedding -> Conv1D -> MaxPooling1D -> Conv1D -> GlobalMaxPooling1D -> Dense, same weights."""
    ours, theirs = _text_cnn(dg.keras), _text_cnn(keras)
    ours.set_weights(theirs.get_weights())
    tokens = np.random.default_rng(0).integers(0, 30, size=(5, 12))
    np.testing.assert_allclose(ours.predict(tokens, verbose=0), keras.ops.convert_to_numpy(theirs(tokens)),
                               rtol=1e-5, atol=1e-6)


def test_text_cnn_learns_which_token_decides_the_label():
    """A sequence is positive when token 7 occurs in it: the text CNN finds it."""
    dg.random.set_seed(0)
    rng = np.random.default_rng(1)
    tokens = rng.integers(8, 30, size=(1200, 12))
    labels = rng.integers(0, 2, size=1200)
    where = rng.integers(0, 12, size=1200)
    tokens[labels == 1, where[labels == 1]] = 7
    model = _text_cnn(dg.keras)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(tokens[:1000], labels[:1000], epochs=8, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(tokens[1000:], labels[1000:], verbose=0)
    assert accuracy >= 0.95
