"""Conv2D -> BatchNormalization (-> ReLU) folded into one convolution at inference: the same
numbers as layer by layer (to float32 rounding), only where the chain's inner outputs feed nothing
else, only without gradients, and never for layers that differ from the built-in ones."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad import keras, profiler
from deepgrad.keras import layers

RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 12, 12, 3)).astype(np.float32)


def randomize_batch_norms(model):
    """Moving statistics and affine weights away from their initial 0/1, so the fold is exercised."""
    rng = np.random.default_rng(1)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            for w in layer.weights:
                shape = w.shape
                if "variance" in w.name:
                    w.assign(rng.uniform(0.5, 2.0, shape).astype(np.float32))
                else:
                    w.assign(rng.uniform(-1.0, 1.0, shape).astype(np.float32))


def bn_cnn(relu=lambda: layers.ReLU(), conv_bias=True, center=True, scale=True):
    model = keras.Sequential([
        layers.Input((12, 12, 3)),
        layers.Conv2D(8, 3, use_bias=conv_bias), layers.BatchNormalization(center=center, scale=scale), relu(),
        layers.MaxPooling2D(), layers.Conv2D(4, 3, padding="same"), layers.BatchNormalization(),
        layers.Flatten(), layers.Dense(3),
    ])
    randomize_batch_norms(model)
    return model


def op_calls(fn):
    with profiler.profile() as prof:
        out = fn()
    return out, {op: prof.calls(op) for op in ("conv2d_bias_act", "batch_norm_infer", "relu")}


@pytest.mark.parametrize("variant", ["relu_layer", "activation_relu", "no_conv_bias", "no_center_no_scale"])
def test_predict_folds_each_chain_and_matches_layer_by_layer(variant):
    kwargs = {
        "relu_layer": {},
        "activation_relu": dict(relu=lambda: layers.Activation("relu")),
        "no_conv_bias": dict(conv_bias=False),
        "no_center_no_scale": dict(center=False, scale=False),
    }[variant]
    model = bn_cnn(**kwargs)
    reference, calls = op_calls(lambda: model(X, training=False).numpy())  # records gradients: every layer
    assert calls == {"conv2d_bias_act": 2, "batch_norm_infer": 2, "relu": 1}
    fused, calls = op_calls(lambda: model.predict(X, verbose=0))
    assert calls == {"conv2d_bias_act": 2, "batch_norm_infer": 0, "relu": 0}
    np.testing.assert_allclose(fused, reference, rtol=1e-5, atol=1e-5)
    with dg.no_grad():
        np.testing.assert_allclose(model(X, training=False).numpy(), fused, rtol=0, atol=0)


def test_evaluate_folds_and_gives_the_same_loss():
    model = bn_cnn()
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    y = np.arange(6) % 3
    logits = model(X, training=False).numpy()
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(6), y])
    loss, calls = op_calls(lambda: model.evaluate(X, y, verbose=0))
    assert calls["batch_norm_infer"] == 0
    assert loss == pytest.approx(expected, rel=1e-5)


def test_training_and_recorded_calls_run_every_layer():
    model = bn_cnn()
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    _, calls = op_calls(lambda: model.train_on_batch(X, np.arange(6) % 3))
    assert calls["relu"] == 1
    with dg.GradientTape() as tape:
        x = dg.Variable(X)
        out = model(x, training=False)
    assert tape.gradient(out, x).shape == X.shape
    _, calls = op_calls(lambda: model(X, training=False))
    assert calls["batch_norm_infer"] == 2


def outputs_of(model_fn):
    model = model_fn()
    randomize_batch_norms(model)
    reference = model(X, training=False)
    reference = [r.numpy() for r in reference] if isinstance(reference, (list, tuple)) else reference.numpy()
    out, calls = op_calls(lambda: model.predict(X, verbose=0))
    return out, reference, calls


def test_a_chain_stops_before_an_output_that_something_else_reads():
    def model_fn():
        inputs = layers.Input((12, 12, 3))
        b = layers.BatchNormalization()(layers.Conv2D(4, 3)(inputs))
        r = layers.ReLU()(b)
        c = layers.Conv2D(4, 3)(r)
        # the first batch norm's output feeds the ReLU and the Flatten: conv+bn fold, the ReLU runs;
        # the second conv's output is a model output: nothing after it folds
        return keras.Model(inputs, [layers.Flatten()(b), c, layers.ReLU()(layers.BatchNormalization()(c))])

    out, reference, calls = outputs_of(model_fn)
    assert calls == {"conv2d_bias_act": 2, "batch_norm_infer": 1, "relu": 2}
    for a, r in zip(out, reference):
        np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-5)


def test_a_conv_read_twice_is_not_folded_and_a_relu_with_options_is_left_out():
    def model_fn():
        inputs = layers.Input((12, 12, 3))
        c = layers.Conv2D(4, 3)(inputs)
        first = layers.ReLU(max_value=6.0)(layers.BatchNormalization()(c))   # conv+bn folded, ReLU6 apart
        second = layers.Conv2D(4, 3)(inputs)
        both = layers.Add()([second, layers.BatchNormalization()(second)])   # second conv read twice
        return keras.Model(inputs, [first, both])

    out, reference, calls = outputs_of(model_fn)
    assert calls["batch_norm_infer"] == 1 and calls["conv2d_bias_act"] == 2
    for a, r in zip(out, reference):
        np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-5)


def test_layers_that_are_not_the_plain_built_ins_are_not_folded():
    class MyBatchNorm(layers.BatchNormalization):
        pass

    def model_fn():
        return keras.Sequential([
            layers.Input((12, 12, 3)),
            layers.Conv2D(4, 3, activation="relu"), layers.BatchNormalization(),   # conv has an activation
            layers.Conv2D(4, 3), MyBatchNorm(),                                      # a subclass
            layers.Conv2D(4, 1), layers.BatchNormalization(axis=1),                   # not the channel axis
        ])

    out, reference, calls = outputs_of(model_fn)
    assert calls["batch_norm_infer"] == 3
    np.testing.assert_array_equal(out, reference)


def test_a_layer_whose_call_is_wrapped_is_not_folded():
    model = bn_cnn()
    bn = model.layers[1]
    own = bn.call
    seen = []

    def recording(*args, **kwargs):
        seen.append(1)
        return own(*args, **kwargs)

    bn.call = recording
    model.__dict__.pop("_inference_chains", None)
    _, calls = op_calls(lambda: model.predict(X, verbose=0))
    assert seen and calls["batch_norm_infer"] == 1
