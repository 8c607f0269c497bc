"""Conv2D -> [BatchNormalization] -> [ReLU] -> [MaxPooling2D] run as one op by a functional graph:
bit for bit the layers' numbers in training (forward, gradients, the weights after a step), the
batch norm folded at inference to float32 rounding, only where the chain's inner outputs feed
nothing else, and never for layers that differ from the built-in ones."""
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


def unfused(model):
    """The model with every layer's call replaced on the instance by itself: no chain applies."""
    for layer in model.layers:
        layer.call = layer.call
    return model


def restored(model):
    for layer in model.layers:
        layer.__dict__.pop("call", None)
    return model


def op_calls(fn):
    with profiler.profile() as prof:
        out = fn()
    return out, {op: prof.calls(op) for op in ("conv2d_bias_act", "conv2d_bias_act_pool", "batch_norm_infer",
                                               "relu", "max_pool2d")}


@pytest.mark.parametrize("variant", ["relu_layer", "activation_relu", "no_conv_bias", "no_center_no_scale"])
def test_predict_folds_each_chain_and_matches_layer_by_layer(variant):
    kwargs = {
        "relu_layer": {},
        "activation_relu": dict(relu=lambda: layers.Activation("relu")),
        "no_conv_bias": dict(conv_bias=False),
        "no_center_no_scale": dict(center=False, scale=False),
    }[variant]
    model = bn_cnn(**kwargs)
    reference, calls = op_calls(lambda: unfused(model)(X, training=False).numpy())
    assert calls == {"conv2d_bias_act": 2, "conv2d_bias_act_pool": 0, "batch_norm_infer": 2, "relu": 1,
                     "max_pool2d": 1}
    fused, calls = op_calls(lambda: restored(model).predict(X, verbose=0))
    assert calls == {"conv2d_bias_act": 1, "conv2d_bias_act_pool": 1, "batch_norm_infer": 0, "relu": 0,
                     "max_pool2d": 0}
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


def test_training_runs_batch_norms_as_layers_and_fuses_around_them():
    model = bn_cnn()
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    _, calls = op_calls(lambda: model.train_on_batch(X, np.arange(6) % 3))
    assert calls["relu"] == 1 and calls["conv2d_bias_act_pool"] == 0
    with dg.GradientTape() as tape:
        x = dg.Variable(X)
        out = model(x, training=False)
    assert tape.gradient(out, x).shape == X.shape


def tutorial_cnn(conv_activation="relu", relu_layer=False):
    """The tutorials' CNN; with relu_layer the ReLUs are layers of their own after linear convs."""
    def conv(filters):
        if relu_layer:
            return [layers.Conv2D(filters, 3), layers.ReLU()]
        return [layers.Conv2D(filters, 3, activation=conv_activation)]

    return keras.Sequential([layers.Input((12, 12, 3)), *conv(8), layers.MaxPooling2D(), *conv(6),
                             layers.MaxPooling2D(), layers.Flatten(), layers.Dense(3)])


@pytest.mark.parametrize("variant", ["conv_relu", "relu_layer", "linear"])
def test_training_with_fused_chains_is_bit_for_bit_the_layers(variant):
    """Two Adam steps: losses, gradients' effect (the weights) and predictions identical to the layers'."""
    kwargs = {"conv_relu": {}, "relu_layer": dict(relu_layer=True), "linear": dict(conv_activation=None)}[variant]
    y = np.arange(6) % 3
    results = []
    for fuse in (True, False):
        dg.random.set_seed(3)
        model = tutorial_cnn(**kwargs)
        if not fuse:
            unfused(model)
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        (losses, calls) = op_calls(lambda: [model.train_on_batch(X, y) for _ in range(2)])
        results.append((losses, [w.numpy() for w in model.weights], calls))
    (fused_losses, fused_weights, fused_calls), (losses, weights, calls) = results
    assert fused_calls["conv2d_bias_act_pool"] == 4 and fused_calls["max_pool2d"] == 0
    assert calls["conv2d_bias_act_pool"] == 0 and calls["max_pool2d"] == 4
    assert fused_losses == losses
    for a, b in zip(fused_weights, weights):
        np.testing.assert_array_equal(a, b)


def test_gradient_to_the_input_through_a_fused_chain_is_the_layers():
    model = tutorial_cnn()
    x = dg.Variable(X)
    grads = []
    for m in (model, unfused(tutorial_cnn())):
        m.set_weights(model.get_weights())
        with dg.GradientTape() as tape:
            out = m(x, training=False)
        grads.append(tape.gradient(out, x).numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def outputs_of(model_fn):
    model = model_fn()
    randomize_batch_norms(model)
    reference = unfused(model)(X, training=False)
    restored(model)
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
    assert calls == {"conv2d_bias_act": 2, "conv2d_bias_act_pool": 0, "batch_norm_infer": 1, "relu": 2,
                     "max_pool2d": 0}
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
    _, calls = op_calls(lambda: model.predict(X, verbose=0))
    assert seen and calls["batch_norm_infer"] == 1


def test_relu_then_pool_after_a_batch_norm_is_pooled_first_and_trains_bit_for_bit():
    """In training the batch norm runs as a layer; the ReLU and the pooling after it become
    relu(max_pool2d(x)): the same losses and weights after two Adam steps as the layers'."""
    from deepgrad.keras.models.layer_fusion import ReluPoolChain, layer_chains

    y = np.arange(6) % 3
    results = []
    for fuse in (True, False):
        dg.random.set_seed(5)
        model = bn_cnn()
        if fuse:
            kinds = [type(c) for c in layer_chains(model, fold_batch_norm=False).values()]
            assert kinds == [ReluPoolChain]
        else:
            unfused(model)
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        losses = [model.train_on_batch(X, y) for _ in range(2)]
        results.append((losses, [w.numpy() for w in model.weights]))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_array_equal(a, b)


def test_a_sequential_traced_again_after_pop_and_add_is_planned_again():
    model = tutorial_cnn()
    model.predict(X, verbose=0)
    model.pop()
    model.add(layers.Dense(5))
    out, calls = op_calls(lambda: model.predict(X, verbose=0))
    assert out.shape == (6, 5) and calls["conv2d_bias_act_pool"] == 2
    np.testing.assert_array_equal(out, unfused(model)(X, training=False).numpy())
