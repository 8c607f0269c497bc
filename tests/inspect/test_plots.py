"""The pictures: PNG files, titles, labels, legends, and the plotted numbers read back from the Figure."""
import struct
import sys

import numpy as np
import pytest
import torch

import deepgrad
from deepgrad import keras
from deepgrad.inspect import (grad_cam, plot_activations, plot_attribution, plot_filters, plot_gradient_flow,
                              plot_history)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

L = keras.layers


def png_size(path):
    """(width, height) of a PNG, after checking its signature and IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert len(data) > 5_000, "a picture, not an empty canvas"
    return struct.unpack(">II", data[16:24])


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def cnn(seed=0):
    deepgrad.random.set_seed(seed)
    return keras.Sequential([
        keras.Input((10, 10, 1)),
        L.Conv2D(6, 3, activation="relu", name="conv_a"),
        L.MaxPooling2D(2),
        L.Conv2D(3, 3, activation="relu", name="conv_b"),
        L.Flatten(),
        L.Dense(4, name="dense"),
    ])


@pytest.fixture(scope="module")
def history():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(48, 10, 10, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    model = cnn()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model.fit(x, y, epochs=3, batch_size=16, validation_data=(x[:16], y[:16]), verbose=0)


def test_plot_history_draws_each_quantity_per_epoch_with_labels_and_legend(history, tmp_path):
    path = tmp_path / "history.png"
    fig = plot_history(history, path, title="small CNN on random images")
    assert png_size(path)[0] >= 800
    assert fig._suptitle.get_text() == "small CNN on random images"
    loss_ax, accuracy_ax = fig.axes
    for ax, key in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
        assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("epoch", key, key)
        assert legend_texts(ax) == [f"training {key}", f"validation {key}"]
        train, val = ax.get_lines()
        np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
        np.testing.assert_allclose(train.get_ydata(), history.history[key])
        np.testing.assert_allclose(val.get_ydata(), history.history[f"val_{key}"])
    assert not plt.fignum_exists(fig.number), "a figure written to a file is closed"


def test_plot_history_takes_a_dict_and_names_the_validation_set():
    logs = {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7], "mae": [0.3, 0.2]}
    fig = plot_history(logs, validation_label="test")
    assert fig._suptitle.get_text() == "training history"
    assert [ax.get_title() for ax in fig.axes] == ["loss", "mae"]
    assert legend_texts(fig.axes[0]) == ["training loss", "test loss"]
    assert legend_texts(fig.axes[1]) == ["training mae"]
    np.testing.assert_allclose(fig.axes[0].get_lines()[1].get_ydata(), [1.0, 0.7])
    assert plt.fignum_exists(fig.number), "without a path the figure stays open for show()"
    plt.close(fig)


def test_plot_filters_shows_every_kernel_of_the_layer(tmp_path):
    layer = cnn().get_layer("conv_b")
    kernel = layer.kernel.numpy()
    path = tmp_path / "filters.png"
    fig = plot_filters(layer, path, input_channel=4)
    png_size(path)
    tiles = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in tiles] == ["filter 0", "filter 1", "filter 2"]
    for k, ax in enumerate(tiles):
        np.testing.assert_array_equal(ax.get_images()[0].get_array(), kernel[:, :, 4, k])
    assert fig._suptitle.get_text() == "conv_b: 3 kernels 3x3, input channel 4 of 6"
    assert fig.axes[-1].get_ylabel() == "weight"  # the colorbar
    with pytest.raises(ValueError, match=r"input_channel must lie in \[0, 6\). Received: input_channel=6"):
        plot_filters(layer, input_channel=6)
    with pytest.raises(ValueError, match=r"plot_filters needs a built Conv2D layer.*'dense'"):
        plot_filters(cnn().get_layer("dense"))


def test_plot_activations_draws_the_conv_feature_maps_of_one_sample(tmp_path):
    model = cnn()
    x = np.random.default_rng(1).uniform(size=(10, 10, 1)).astype("float32")
    path = tmp_path / "activations.png"
    fig = plot_activations(model, x, path, max_channels=4)
    png_size(path)
    a = model.get_layer("conv_a")
    b = model.get_layer("conv_b")
    maps_a = keras.Model(model.inputs, a.output).predict(x[None], verbose=0)[0]
    maps_b = keras.Model(model.inputs, b.output).predict(x[None], verbose=0)[0]
    axes = np.array(fig.axes).reshape(2, 4)
    assert [row[0].get_ylabel() for row in axes] == ["conv_a", "conv_b"]
    for c in range(4):
        assert axes[0, c].get_title() == f"channel {c}"
        np.testing.assert_allclose(axes[0, c].get_images()[0].get_array(), maps_a[:, :, c], rtol=1e-6)
    for c in range(3):
        np.testing.assert_allclose(axes[1, c].get_images()[0].get_array(), maps_b[:, :, c], rtol=1e-6)
    assert not axes[1, 3].get_images(), "conv_b has only three channels"
    one = plot_activations(model, x, layers=["conv_b"])
    assert len([ax for ax in one.axes if ax.get_images()]) == 3
    plt.close(one)


def test_plot_gradient_flow_bars_are_the_loss_gradients_and_no_weight_changes(tmp_path):
    deepgrad.random.set_seed(0)
    model = keras.Sequential([keras.Input((4,)), L.Dense(8, activation="sigmoid", name="hidden"),
                              L.Dense(2, name="out")])
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    before = [w.numpy().copy() for w in model.weights]
    path = tmp_path / "flow.png"
    fig = plot_gradient_flow(model, x, y, path)
    png_size(path)
    for old, new in zip(before, model.weights):
        np.testing.assert_array_equal(old, new.numpy())
    # the same gradients from PyTorch on the same weights
    k1, b1, k2, b2 = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in before]
    prediction = torch.sigmoid(torch.tensor(x, dtype=torch.float64) @ k1 + b1) @ k2 + b2
    torch.mean((prediction - torch.tensor(y, dtype=torch.float64)) ** 2).backward()
    per_layer = [torch.cat([k1.grad.abs().ravel(), b1.grad.abs().ravel()]),
                 torch.cat([k2.grad.abs().ravel(), b2.grad.abs().ravel()])]
    [ax] = fig.axes
    maxima, means = ax.containers
    np.testing.assert_allclose([p.get_height() for p in maxima], [g.max().item() for g in per_layer], rtol=1e-5)
    np.testing.assert_allclose([p.get_height() for p in means], [g.mean().item() for g in per_layer], rtol=1e-5)
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["hidden", "out"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("layer (input to output)", "|gradient| of the loss")
    assert ax.get_title().startswith("gradient flow of sequential")
    assert legend_texts(ax) == ["max |gradient|", "mean |gradient|"]
    with pytest.raises(ValueError, match="must be compiled"):
        plot_gradient_flow(keras.Sequential([keras.Input((4,)), L.Dense(1)]), x, y[:, :1])


def test_plot_attribution_overlays_the_map_on_the_image(tmp_path):
    model = cnn()
    x = np.random.default_rng(3).uniform(size=(10, 10, 1)).astype("float32")
    heat = grad_cam(model, x, 1, "conv_b")
    path = tmp_path / "cam.png"
    fig = plot_attribution(x, heat, path, title="Grad-CAM of unit 1")
    png_size(path)
    ax = fig.axes[0]
    image, overlay = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), x[..., 0])
    np.testing.assert_allclose(overlay.get_array(), heat)
    assert overlay.get_extent() == image.get_extent() == [-0.5, 9.5, 9.5, -0.5]  # the 2x2 map spans the image
    assert ax.get_title() == "Grad-CAM of unit 1" and fig.axes[1].get_ylabel() == "attribution"
    signed = plot_attribution(x, x - 0.5)
    assert signed.axes[0].get_images()[1].get_cmap().name == "bwr"
    plt.close(signed)


def test_pictures_without_matplotlib_name_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib"):
        plot_history({"loss": [1.0]})


def test_the_demo_curves_name_model_and_data_and_call_the_validation_curves_test(tmp_path, monkeypatch, capsys):
    from deepgrad.cli import main
    from deepgrad.inspect import plots
    from deepgrad.keras.datasets import fetch

    for variable in ("DEEPGRAD_HOME", "HOME", "KERAS_HOME"):
        monkeypatch.setenv(variable, str(tmp_path))
    monkeypatch.setattr(fetch, "SYSTEM_DIRS", [])
    monkeypatch.chdir(tmp_path)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data(sample=True)
    tiny = (x_train[:32], y_train[:32]), (x_test[:16], y_test[:16])
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda *args, **kwargs: tiny)
    figures = []
    real_plot_history = plots.plot_history

    def recording_plot_history(*args, **kwargs):
        figures.append(real_plot_history(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(plots, "plot_history", recording_plot_history)
    assert main(["demo", "--epochs", "1", "--verbose", "0", "--plot", "curves.png"]) == 0
    assert f"training curves written to {tmp_path / 'curves.png'}" in capsys.readouterr().out
    png_size(tmp_path / "curves.png")
    [fig] = figures
    assert fig._suptitle.get_text() == (
        "the three-conv CNN (93,322 parameters) on the MNIST sample shipped with deepgrad (10,000 train / 2,000 test)")
    for ax, key in zip(fig.axes, ("loss", "accuracy")):
        assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("epoch", key, key)
        assert legend_texts(ax) == [f"training {key}", f"test {key}"]
