"""saliency, integrated gradients and Grad-CAM against PyTorch on the same weights, and completeness."""
import numpy as np
import pytest
import torch

import deepgrad
from deepgrad import keras
from deepgrad.inspect import grad_cam, integrated_gradients, saliency

L = keras.layers


def small_cnn(seed=0):
    deepgrad.random.set_seed(seed)
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        L.Conv2D(4, 3, activation="relu", name="conv"),
        L.Conv2D(6, 3, activation="relu", name="last_conv"),
        L.Flatten(),
        L.Dense(3, name="logits"),
    ])


def small_mlp(seed=0):
    deepgrad.random.set_seed(seed)
    inputs = keras.Input((5,))
    hidden = L.Dense(16, activation="tanh")(inputs)
    return keras.Model(inputs, L.Dense(4, activation="softmax")(hidden))


def trained(model, x, y, epochs):
    """A few epochs of Adam on a learnable rule: weights away from their initial values."""
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
    return model


def images(n, seed=1):
    return np.random.default_rng(seed).uniform(0, 1, (n, 8, 8, 1)).astype("float32")


@pytest.fixture(scope="module")
def cnn():
    x = images(64, seed=7)
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype("int64") + (x[..., 0, 0, 0] > 0.8)
    model = small_cnn()
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    return model


@pytest.fixture(scope="module")
def mlp():
    x = np.random.default_rng(3).normal(size=(96, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + 2 * (x[:, 1] > 0)
    return trained(small_mlp(), x, y, epochs=5)


# ---- torch twins of the deepgrad models (NHWC kept at the interface) --------------------


def torch_cnn(model):
    """f(x) and the last conv map of `small_cnn`, in float64 torch, from deepgrad's weights."""
    w = {layer.name: [torch.tensor(v.numpy(), dtype=torch.float64) for v in layer.weights] for layer in model.layers}

    def conv(h, name):  # h NHWC; deepgrad kernels are (kh, kw, in, out)
        kernel, bias = w[name]
        out = torch.nn.functional.conv2d(h.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias)
        return torch.relu(out).permute(0, 2, 3, 1)

    def forward(x, keep_map=False):
        last = conv(conv(x, "conv"), "last_conv")
        kernel, bias = w["logits"]
        logits = last.reshape(len(x), -1) @ kernel + bias
        return (last, logits) if keep_map else logits

    return forward


def torch_mlp(model):
    dense1, dense2 = [layer for layer in model.layers if layer.weights]
    (k1, b1), (k2, b2) = [[torch.tensor(v.numpy(), dtype=torch.float64) for v in d.weights] for d in (dense1, dense2)]
    return lambda x: torch.softmax(torch.tanh(x @ k1 + b1) @ k2 + b2, dim=1)


def torch_input_gradient(forward, x, targets):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    forward(xt)[torch.arange(len(x)), torch.as_tensor(targets)].sum().backward()
    return xt.grad.numpy()


def torch_integrated_gradients(forward, x, targets, baseline, steps):
    """The trapezoid rule on steps + 1 points, one point at a time (no batching), in float64."""
    total = np.zeros_like(x, dtype=np.float64)
    for k in range(steps + 1):
        weight = (0.5 if k in (0, steps) else 1.0) / steps
        total += weight * torch_input_gradient(forward, baseline + k / steps * (x - baseline), targets)
    return (x - baseline) * total


# ---- saliency ------------------------------------------------------------------------------


def test_saliency_is_the_absolute_input_gradient_of_the_target_unit(cnn):
    x = images(4)
    targets = [0, 2, 1, 2]
    result = saliency(cnn, x, targets)
    expected = np.abs(torch_input_gradient(torch_cnn(cnn), x, targets))
    assert result.shape == x.shape
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-6)
    assert result.max() > 0


def test_saliency_of_one_sample_has_no_batch_axis_and_target_none_is_the_argmax(cnn):
    x = images(3)
    predicted = cnn.predict(x, verbose=0).argmax(axis=1)
    batch = saliency(cnn, x, predicted)
    np.testing.assert_array_equal(saliency(cnn, x), batch)
    single = saliency(cnn, x[1], int(predicted[1]))
    assert single.shape == (8, 8, 1)
    np.testing.assert_allclose(single, batch[1], rtol=1e-6)


# ---- integrated gradients ----------------------------------------------------------------


@pytest.mark.parametrize("steps", [8, 50])
def test_integrated_gradients_match_a_step_by_step_torch_reference(cnn, steps):
    x = images(2, seed=5)
    targets = [1, 0]
    baseline = np.zeros_like(x)
    result = integrated_gradients(cnn, x, targets, steps=steps, batch_size=7)  # chunks cross samples
    expected = torch_integrated_gradients(torch_cnn(cnn), x.astype(np.float64), targets, baseline, steps)
    np.testing.assert_allclose(result, expected, rtol=1e-3, atol=1e-6)


def test_integrated_gradients_of_a_linear_model_are_input_times_weight():
    deepgrad.random.set_seed(0)
    model = keras.Sequential([keras.Input((6,)), L.Dense(3)])
    kernel = model.layers[0].kernel.numpy()
    x = np.random.default_rng(0).normal(size=(6,)).astype("float32")
    baseline = np.full(6, 0.25, dtype="float32")
    result = integrated_gradients(model, x, 2, baseline=baseline, steps=3)
    np.testing.assert_allclose(result, (x - baseline) * kernel[:, 2], rtol=1e-5, atol=1e-7)


def completeness_gap(model, x, targets, baseline):
    attributions = integrated_gradients(model, x, targets, baseline=baseline)
    outputs = model.predict(x, verbose=0)
    base_outputs = model.predict(np.broadcast_to(baseline, x.shape), verbose=0)
    rows = np.arange(len(x))
    difference = outputs[rows, targets] - base_outputs[rows, targets]
    totals = attributions.reshape(len(x), -1).sum(axis=1)
    return totals, difference


def test_integrated_gradients_are_complete_within_one_percent_on_a_trained_cnn(cnn):
    x = images(6, seed=11)
    targets = np.array([0, 1, 2, 0, 1, 2])
    totals, difference = completeness_gap(cnn, x, targets, np.zeros((8, 8, 1), "float32"))
    assert np.all(np.abs(difference) > 0.05), difference  # the check is not vacuous
    np.testing.assert_allclose(totals, difference, rtol=0.01)


def test_integrated_gradients_are_complete_within_one_percent_on_a_trained_mlp(mlp):
    x = np.random.default_rng(4).normal(size=(5, 5)).astype("float32") * 2
    targets = mlp.predict(x, verbose=0).argmax(axis=1)
    baseline = np.full(5, -0.5, dtype="float32")
    totals, difference = completeness_gap(mlp, x, targets, baseline)
    assert np.all(np.abs(difference) > 0.05), difference
    np.testing.assert_allclose(totals, difference, rtol=0.01)
    expected = torch_integrated_gradients(torch_mlp(mlp), x.astype(np.float64), targets, baseline, 50)
    np.testing.assert_allclose(integrated_gradients(mlp, x, targets, baseline=baseline), expected,
                               rtol=1e-3, atol=1e-6)


# ---- Grad-CAM ------------------------------------------------------------------------------


def torch_grad_cam(model, x, targets):
    """The keras-io recipe, one image at a time: pooled gradients weigh the map, ReLU, divide by the max."""
    forward = torch_cnn(model)
    maps = []
    for image, target in zip(x, targets):
        last, logits = forward(torch.tensor(image[None], dtype=torch.float64, requires_grad=True), keep_map=True)
        [grads] = torch.autograd.grad(logits[0, target], last)
        pooled = grads.mean(dim=(0, 1, 2))
        heat = (last[0] @ pooled[:, None]).squeeze(-1)
        heat = torch.clamp(heat, min=0) / heat.max()
        maps.append(heat.detach().numpy())
    return np.stack(maps)


def test_grad_cam_follows_the_keras_io_recipe(cnn):
    x = images(3, seed=2)
    targets = [2, 0, 1]
    result = grad_cam(cnn, x, targets, "last_conv")
    expected = torch_grad_cam(cnn, x, targets)
    assert result.shape == (3, 4, 4)
    # a map with no positive part is zero (the recipe's ReLU(map) / max(map) gives -0 there, or 0/0)
    assert set(np.abs(expected).max(axis=(1, 2))) == {0, 1}
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-5)
    single = grad_cam(cnn, x[1], 0, "last_conv")
    assert single.shape == (4, 4) and single.min() >= 0 and single.max() == pytest.approx(1)
    np.testing.assert_allclose(single, result[1], rtol=1e-6)


def test_grad_cam_on_the_demo_cnn_built_with_input_shape():
    from deepgrad.cli import build_mnist_cnn

    deepgrad.random.set_seed(0)
    model = build_mnist_cnn(keras)
    x = np.random.default_rng(0).uniform(0, 1, (2, 28, 28, 1)).astype("float32")
    last_conv = [layer.name for layer in model.layers if isinstance(layer, L.Conv2D)][-1]
    heat = grad_cam(model, x, None, last_conv)
    assert heat.shape == (2, 3, 3)
    assert np.all((heat >= 0) & (heat <= 1))


# ---- errors --------------------------------------------------------------------------------


def test_errors_name_the_function_and_quote_what_was_received(cnn):
    x = images(2)
    with pytest.raises(ValueError, match=r"saliency: target must lie in \[0, 3\).*target=3"):
        saliency(cnn, x, 3)
    with pytest.raises(ValueError, match=r"integrated_gradients: target must be an int or one int per sample"):
        integrated_gradients(cnn, x, [0, 1, 2])
    with pytest.raises(ValueError, match=r"saliency: x must be one sample of rank 3.*shape=\(8, 8\)"):
        saliency(cnn, x[0, ..., 0], 0)
    with pytest.raises(ValueError, match=r"grad_cam: layer 'logits' must output a \(batch, height, width"):
        grad_cam(cnn, x, 0, "logits")
    with pytest.raises(ValueError, match=r"baseline must be shaped like one sample"):
        integrated_gradients(cnn, x, 0, baseline=np.zeros((8, 8)))
    with pytest.raises(ValueError, match=r"steps must be a positive int. Received: steps=0"):
        integrated_gradients(cnn, x, 0, steps=0)
