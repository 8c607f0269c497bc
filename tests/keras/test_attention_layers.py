"""MultiHeadAttention, Attention and AdditiveAttention against Keras 3 (PyTorch backend) as the oracle.

Each case builds Keras' layer and ours, copies Keras' weights into ours (set_weights, so the
weights' order and shapes are checked too), runs both on the same float32 inputs and compares
outputs to 1e-5; gradients of sum(output * R) with respect to the inputs and every weight are
compared with torch autograd through Keras' layer. Masks come from explicit arguments and from
Embedding(mask_zero=True); configs round-trip; a Keras-saved model with MultiHeadAttention loads.
"""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import keras as dkeras
from deepgrad.keras import layers

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
assert keras.backend.backend() == "torch", "tests/keras/conftest.py must set KERAS_BACKEND=torch"

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
ATOL = 1e-5


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def as_tuple(x):
    return x if isinstance(x, (tuple, list)) else (x,)


def mha_pair(query, value, key=None, **kwargs):
    """Keras' MultiHeadAttention and ours, built on the shapes, with Keras' random weights."""
    theirs = keras.layers.MultiHeadAttention(**kwargs)
    ours = layers.MultiHeadAttention(**kwargs)
    shapes = (query.shape, value.shape, None if key is None else key.shape)
    theirs.build(*shapes)
    ours.build(*shapes)
    rng = np.random.default_rng(7)  # biases away from zero, so they are checked too
    theirs.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.5 for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def compare_outputs(theirs, ours):
    theirs, ours = as_tuple(theirs), as_tuple(ours)
    assert len(theirs) == len(ours)
    for t, o in zip(theirs, ours):
        assert tuple(t.shape) == tuple(o.shape)
        np.testing.assert_allclose(o.numpy(), to_numpy(t), atol=ATOL, rtol=1e-5)


# ----------------------------------------------------------------------------- MultiHeadAttention: weights


def test_mha_weights_have_keras_names_shapes_and_order():
    q, v = rand(2, 5, 8), rand(2, 6, 6)
    theirs, ours = mha_pair(q, v, num_heads=3, key_dim=4, value_dim=5, output_shape=7)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.path.split("/", 1)[1] for w in theirs.weights]
    assert ours.weights[0].shape == (8, 3, 4)          # query kernel (dim, num_heads, key_dim)
    assert ours.weights[-2].shape == (3, 5, 7)         # attention_output kernel (num_heads, value_dim, dim)
    assert ours.count_params() == theirs.count_params()


def test_mha_gate_weights_sit_where_keras_puts_them():
    q, v = rand(2, 5, 8), rand(2, 6, 8)
    theirs, ours = mha_pair(q, v, num_heads=2, key_dim=4, value_dim=3, use_gate=True)
    assert [w.name for w in ours.weights] == [w.path.split("/", 1)[1] for w in theirs.weights]
    compare_outputs(theirs(q, v), ours(q, v))


# ----------------------------------------------------------------------------- MultiHeadAttention: outputs

CASES = {
    "self": dict(num_heads=2, key_dim=4),
    "value_dim_output_shape": dict(num_heads=3, key_dim=2, value_dim=5, output_shape=6),
    "multi_axis_output_shape": dict(num_heads=2, key_dim=3, output_shape=(2, 3)),
    "no_bias": dict(num_heads=2, key_dim=4, use_bias=False),
    "gate": dict(num_heads=2, key_dim=4, use_gate=True),
    "sliding_window": dict(num_heads=2, key_dim=4, sliding_window=2),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("scores", [False, True])
def test_mha_self_attention_matches_keras(case, scores):
    x = rand(3, 5, 8)
    theirs, ours = mha_pair(x, x, **CASES[case])
    compare_outputs(theirs(x, x, return_attention_scores=scores), ours(x, x, return_attention_scores=scores))


@pytest.mark.parametrize("with_key", [False, True])
def test_mha_cross_attention_matches_keras(with_key):
    q, v = rand(2, 4, 6, seed=1), rand(2, 7, 5, seed=2)
    k = rand(2, 7, 3, seed=3) if with_key else None
    theirs, ours = mha_pair(q, v, k, num_heads=2, key_dim=4)
    kwargs = {"key": k} if with_key else {}
    compare_outputs(theirs(q, v, return_attention_scores=True, **kwargs),
                    ours(q, v, return_attention_scores=True, **kwargs))
    compare_outputs(theirs(q, v, **kwargs), ours(q, v, **kwargs))


PADDING = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0]], bool)


@pytest.mark.parametrize("scores", [False, True])
@pytest.mark.parametrize("masks", ["value_mask", "causal", "attention_mask", "all"])
def test_mha_masks_match_keras(masks, scores):
    q, v = rand(2, 6, 8, seed=4), rand(2, 6, 8, seed=5)
    theirs, ours = mha_pair(q, v, num_heads=2, key_dim=4)
    attention = np.random.default_rng(3).random((2, 6, 6)) > 0.4
    attention[:, :, 0] = True    # every query row sees a key
    kwargs = {
        "value_mask": dict(value_mask=PADDING),
        "causal": dict(use_causal_mask=True),
        "attention_mask": dict(attention_mask=attention),
        "all": dict(value_mask=PADDING, use_causal_mask=True, attention_mask=attention),
    }[masks]
    compare_outputs(theirs(q, v, return_attention_scores=scores, **kwargs),
                    ours(q, v, return_attention_scores=scores, **kwargs))


@pytest.mark.parametrize("scores", [False, True])
def test_mha_fully_masked_query_rows_follow_keras_on_each_path(scores):
    """Keras' fused path spreads a fully masked row over every key; its explicit path zeroes it."""
    q = rand(1, 3, 4)
    theirs, ours = mha_pair(q, q, num_heads=1, key_dim=4)
    attention = np.array([[[1, 1, 0], [1, 1, 0], [0, 0, 0]]], bool)
    compare_outputs(theirs(q, q, attention_mask=attention, return_attention_scores=scores),
                    ours(q, q, attention_mask=attention, return_attention_scores=scores))


@pytest.mark.parametrize("axes, shape", [((2,), (2, 3, 4, 6)), ((1, 2), (2, 3, 4, 6)), (-2, (2, 3, 4, 6)),
                                         ((1,), (2, 3, 4, 6))])
def test_mha_attention_axes_match_keras(axes, shape):
    x = rand(*shape)
    theirs, ours = mha_pair(x, x, num_heads=2, key_dim=3, attention_axes=axes)
    assert ours.attention_axes == theirs.attention_axes
    compare_outputs(theirs(x, x, return_attention_scores=True), ours(x, x, return_attention_scores=True))
    compare_outputs(theirs(x, x), ours(x, x))


def test_mha_dropout_is_off_in_inference_and_seeded_in_training():
    x = rand(4, 5, 8)
    theirs, ours = mha_pair(x, x, num_heads=2, key_dim=4, dropout=0.5, seed=3)
    compare_outputs(theirs(x, x, training=False), ours(x, x, training=False))
    compare_outputs(theirs(x, x), ours(x, x))
    out, scores = ours(x, x, training=True, return_attention_scores=True)
    assert not np.allclose(out.numpy(), ours(x, x).numpy())
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, rtol=1e-5)   # scores are before dropout
    again = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)
    again.build(x.shape, x.shape)
    again.set_weights(ours.get_weights())
    ours_fresh = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=3)
    ours_fresh.build(x.shape, x.shape)
    ours_fresh.set_weights(ours.get_weights())
    np.testing.assert_array_equal(again(x, x, training=True).numpy(), ours_fresh(x, x, training=True).numpy())


# ----------------------------------------------------------------------------- MultiHeadAttention: gradients


def torch_gradients(layer, inputs, call_kwargs, weight):
    tensors = [torch.tensor(a, requires_grad=True) for a in inputs]
    out = as_tuple(layer(*tensors, **call_kwargs))[0]
    loss = (out * torch.tensor(weight)).sum()
    params = [w.value for w in layer.trainable_weights]
    grads = torch.autograd.grad(loss, tensors + params)
    return [g.detach().numpy() for g in grads]


def deepgrad_gradients(layer, inputs, call_kwargs, weight):
    tensors = [dg.Variable(a) for a in inputs]
    with dg.GradientTape() as tape:
        out = as_tuple(layer(*tensors, **call_kwargs))[0]
        loss = dg.reduce_sum(out * weight)
    grads = tape.gradient(loss, tensors + list(layer.trainable_weights))
    return [g.numpy() for g in grads]


@pytest.mark.parametrize("call_kwargs", [{}, {"use_causal_mask": True}, {"return_attention_scores": True},
                                         {"value_mask": PADDING}], ids=["plain", "causal", "scores", "mask"])
@pytest.mark.parametrize("cross", [False, True])
def test_mha_gradients_match_torch_autograd_through_keras(call_kwargs, cross):
    q = rand(2, 6, 8, seed=1)
    v = rand(2, 6, 5, seed=2) if cross else q
    theirs, ours = mha_pair(q, v, num_heads=2, key_dim=3, value_dim=4)
    weight = rand(2, 6, 8, seed=9)
    inputs = [q, v]
    expected = torch_gradients(theirs, inputs, call_kwargs, weight)
    got = deepgrad_gradients(ours, inputs, call_kwargs, weight)
    assert len(got) == len(expected) == 2 + 8
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, atol=1e-4, rtol=1e-4)


def test_mha_gradients_with_attention_axes_and_gate_match_torch():
    x = rand(2, 3, 4, 6)
    theirs, ours = mha_pair(x, x, num_heads=2, key_dim=3, attention_axes=(1, 2), use_gate=True)
    weight = rand(2, 3, 4, 6, seed=5)
    expected = torch_gradients(theirs, [x, x], {}, weight)
    got = deepgrad_gradients(ours, [x, x], {}, weight)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, atol=1e-4, rtol=1e-4)


# ----------------------------------------------------------------------------- MultiHeadAttention: masks from Embedding

TOKENS = np.array([[3, 4, 5, 0, 0], [1, 2, 7, 8, 0], [6, 0, 0, 0, 0]], dtype="int32")


def embedded_pair(ours_layers, theirs_layers):
    """Embedding(mask_zero=True) of TOKENS in both frameworks, with the same table."""
    theirs_emb = keras.layers.Embedding(10, 8, mask_zero=True)
    ours_emb = layers.Embedding(10, 8, mask_zero=True)
    theirs_emb.build(TOKENS.shape)
    table = rand(10, 8, seed=11)
    theirs_emb.set_weights([table])
    ours_emb.build(TOKENS.shape)
    ours_emb.set_weights([table])
    return theirs_emb(TOKENS), ours_emb(TOKENS)


@pytest.mark.parametrize("scores", [False, True])
def test_mha_takes_the_padding_mask_from_embedding_mask_zero(scores):
    tx, ox = embedded_pair(None, None)
    theirs, ours = mha_pair(ox.numpy(), ox.numpy(), num_heads=2, key_dim=4)
    compare_outputs(theirs(tx, tx, return_attention_scores=scores), ours(ox, ox, return_attention_scores=scores))
    out = as_tuple(ours(*embedded_pair(None, None)[1:] * 2))[0]
    np.testing.assert_array_equal(np.asarray(out._keras_mask.data if hasattr(out._keras_mask, "data")
                                             else out._keras_mask), TOKENS != 0)


def functional_masked_model(k, mha_kwargs):
    L = k.layers
    tokens = k.Input((None,), dtype="int32")
    x = L.Embedding(10, 8, mask_zero=True, name="emb")(tokens)
    a = L.MultiHeadAttention(name="mha", **mha_kwargs)(x, x)
    x = L.LayerNormalization(name="norm")(L.Add()([x, a]))
    x = L.GlobalAveragePooling1D()(x)
    return k.Model(tokens, L.Dense(2, name="out")(x))


def test_functional_model_with_masked_mha_matches_keras():
    theirs = functional_masked_model(keras, dict(num_heads=2, key_dim=4))
    ours = functional_masked_model(dkeras, dict(num_heads=2, key_dim=4))
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.5 for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(TOKENS, verbose=0), to_numpy(theirs(TOKENS)), atol=ATOL)


def test_mha_in_functional_model_returns_scores_with_their_shape():
    q, v = dkeras.Input((3, 4)), dkeras.Input((5, 4))
    out, scores = layers.MultiHeadAttention(num_heads=2, key_dim=4)(q, v, return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 2, 3, 5)
    model = dkeras.Model([q, v], [out, scores])
    a, b = model.predict([rand(2, 3, 4), rand(2, 5, 4)], verbose=0)
    assert a.shape == (2, 3, 4) and b.shape == (2, 2, 3, 5)


# ----------------------------------------------------------------------------- config and saving


def test_mha_config_round_trips_and_matches_keras_keys():
    kwargs = dict(num_heads=3, key_dim=4, value_dim=2, dropout=0.1, use_bias=False, output_shape=(5,),
                  attention_axes=(1,), kernel_initializer="he_normal", seed=4)
    ours = layers.MultiHeadAttention(**kwargs)
    theirs = keras.layers.MultiHeadAttention(**kwargs)
    config = ours.get_config()
    assert set(config) == set(theirs.get_config())
    for key in ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "use_gate", "output_shape",
                "attention_axes", "sliding_window", "seed"):
        assert config[key] == theirs.get_config()[key], key
    clone = layers.MultiHeadAttention.from_config(config)
    assert clone.get_config() == config
    x = rand(2, 4, 6)
    ours(x, x)
    clone(x, x)
    clone.set_weights(ours.get_weights())
    np.testing.assert_allclose(clone(x, x).numpy(), ours(x, x).numpy())


def test_keras_saved_mha_model_loads_and_predicts_the_same(tmp_path):
    L = keras.layers
    tokens = keras.Input((6,), dtype="int32")
    x = L.Embedding(12, 8, mask_zero=True)(tokens)
    x = L.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, name="mha")(x, x, use_causal_mask=True)
    x = L.GlobalAveragePooling1D()(x)
    model = keras.Model(tokens, L.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    data = np.random.default_rng(0).integers(0, 12, (16, 6)).astype("int32")
    model.fit(data, np.arange(16) % 2, epochs=1, verbose=0)
    model.save(tmp_path / "mha.keras")
    model.save_weights(tmp_path / "mha.weights.h5")
    expected = to_numpy(model(data))

    loaded = dkeras.models.load_model(tmp_path / "mha.keras")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), expected, atol=ATOL)
    mha = loaded.get_layer("mha")
    assert [w.shape for w in mha.weights] == [tuple(w.shape) for w in model.get_layer("mha").weights]

    loaded.save_weights(tmp_path / "back.weights.h5")   # and back to Keras, by the same h5 paths
    for w in model.weights:
        w.assign(np.zeros(w.shape, "float32"))
    model.load_weights(tmp_path / "back.weights.h5")
    np.testing.assert_allclose(to_numpy(model(data)), expected, atol=ATOL)

    fresh = dkeras.models.load_model(tmp_path / "mha.keras")
    for w in fresh.weights:
        w.assign(np.zeros(w.shape, w.dtype))
    fresh.load_weights(tmp_path / "mha.weights.h5")
    np.testing.assert_allclose(fresh.predict(data, verbose=0), expected, atol=ATOL)


def test_mha_argument_errors_quote_what_was_received():
    with pytest.raises(ValueError, match="num_heads=0"):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="key_dim=-1"):
        layers.MultiHeadAttention(num_heads=1, key_dim=-1)
    with pytest.raises(ValueError, match="sliding_window=0"):
        layers.MultiHeadAttention(num_heads=1, key_dim=2, sliding_window=0)
    with pytest.raises(ValueError, match="value_shape=.*key_shape="):
        layers.MultiHeadAttention(num_heads=1, key_dim=2)(rand(1, 2, 3), rand(1, 4, 3), key=rand(1, 5, 3))


# ----------------------------------------------------------------------------- Attention, AdditiveAttention


def attention_pair(cls, query, value, **kwargs):
    theirs = getattr(keras.layers, cls)(**kwargs)
    ours = getattr(layers, cls)(**kwargs)
    shapes = [query.shape, value.shape]
    theirs.build(shapes)
    ours.build(shapes)
    rng = np.random.default_rng(5)
    theirs.set_weights([(1.0 + 0.5 * rng.standard_normal(w.shape)).astype("float32") for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    return theirs, ours


ATTENTION_CASES = [("Attention", {}), ("Attention", {"use_scale": True}), ("Attention", {"score_mode": "concat"}),
                   ("Attention", {"score_mode": "concat", "use_scale": True}), ("AdditiveAttention", {}),
                   ("AdditiveAttention", {"use_scale": False})]


@pytest.mark.parametrize("cls, kwargs", ATTENTION_CASES)
@pytest.mark.parametrize("call", ["plain", "key", "masks", "causal", "scores"])
def test_attention_layers_match_keras(cls, kwargs, call):
    q, v, k = rand(2, 4, 3, seed=1), rand(2, 5, 3, seed=2), rand(2, 5, 3, seed=3)
    theirs, ours = attention_pair(cls, q, v, **kwargs)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    inputs = [q, v, k] if call == "key" else [q, v]
    call_kwargs = {
        "masks": dict(mask=[np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool), PADDING[:, :5]]),
        "causal": dict(use_causal_mask=True, return_attention_scores=True),
        "scores": dict(return_attention_scores=True),
    }.get(call, {})
    compare_outputs(theirs(inputs, **call_kwargs), ours(inputs, **call_kwargs))


@pytest.mark.parametrize("cls, kwargs", ATTENTION_CASES)
def test_attention_layer_gradients_match_torch(cls, kwargs):
    q, v = rand(2, 4, 3, seed=1), rand(2, 5, 3, seed=2)
    theirs, ours = attention_pair(cls, q, v, **kwargs)
    weight = rand(2, 4, 3, seed=9)
    mask = [None, PADDING[:, :5]]
    tq, tv = torch.tensor(q, requires_grad=True), torch.tensor(v, requires_grad=True)
    loss = (theirs([tq, tv], mask=[None, torch.tensor(mask[1])]) * torch.tensor(weight)).sum()
    expected = torch.autograd.grad(loss, [tq, tv] + [w.value for w in theirs.trainable_weights])
    oq, ov = dg.Variable(q), dg.Variable(v)
    with dg.GradientTape() as tape:
        loss = dg.reduce_sum(ours([oq, ov], mask=mask) * weight)
    got = tape.gradient(loss, [oq, ov] + list(ours.trainable_weights))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.detach().numpy(), atol=1e-4, rtol=1e-4)


def test_attention_takes_masks_from_embedding_and_passes_the_query_mask_on():
    tx, ox = embedded_pair(None, None)
    theirs, ours = attention_pair("Attention", ox.numpy(), ox.numpy(), use_scale=True)
    compare_outputs(theirs([tx, tx]), ours([ox, ox]))
    out = ours([ox, ox])
    mask = out._keras_mask
    np.testing.assert_array_equal(np.asarray(getattr(mask, "data", mask)), TOKENS != 0)


def test_attention_configs_round_trip_and_match_keras():
    for cls, kwargs in [("Attention", dict(use_scale=True, score_mode="concat", dropout=0.2, seed=1)),
                        ("AdditiveAttention", dict(use_scale=False, dropout=0.1))]:
        ours = getattr(layers, cls)(**kwargs)
        theirs = getattr(keras.layers, cls)(**kwargs)
        config = ours.get_config()
        assert set(config) == set(theirs.get_config())
        assert {k: config[k] for k in kwargs} == {k: theirs.get_config()[k] for k in kwargs}
        assert getattr(layers, cls).from_config(config).get_config() == config


def test_attention_dropout_only_in_training():
    q, v = rand(2, 4, 3), rand(2, 5, 3)
    theirs, ours = attention_pair("Attention", q, v, dropout=0.5, seed=2)
    compare_outputs(theirs([q, v]), ours([q, v]))
    compare_outputs(theirs([q, v], training=False), ours([q, v], training=False))
    assert not np.allclose(ours([q, v], training=True).numpy(), ours([q, v]).numpy())


def test_attention_errors_as_keras():
    with pytest.raises(ValueError, match="score_mode=cosine"):
        layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="must be called on a list of inputs"):
        layers.Attention()(rand(2, 3, 4))
    with pytest.raises(ValueError, match="Received length: 1"):
        layers.Attention()([rand(2, 3, 4)])


def test_attention_in_functional_model_with_scores():
    q, v = dkeras.Input((3, 4)), dkeras.Input((5, 4))
    out, scores = layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, 5)
    model = dkeras.Model([q, v], [out, scores])
    a, b = model.predict([rand(2, 3, 4), rand(2, 5, 4)], verbose=0)
    assert a.shape == (2, 3, 4) and b.shape == (2, 3, 5)
