"""Pictures of training and of a model's insides, drawn with matplotlib (the `plot` extra).

    plot_history(history, "curves.png")          loss and metrics per epoch, training and validation
    plot_filters(model.get_layer("conv"))        a Conv2D layer's kernels, one tile per output channel
    plot_activations(model, x[0])                the feature maps of the conv layers for one sample
    plot_gradient_flow(model, x, y)              mean and max |gradient| of each layer's weights
    plot_attribution(image, attribution)         a saliency / integrated-gradients / Grad-CAM map over the input

Each function returns the matplotlib Figure. Given a `path`, it writes the figure there as a
PNG and closes it (so that scripts making many pictures do not hold them all).
matplotlib is imported on the first call, never when deepgrad is.
"""
import math

from ..backend import xp
from ..keras.layers.convolutional import Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from ..tape import GradientTape
from ..tensor import Tensor
from .attribution import as_batch, feature_model


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "deepgrad.inspect's pictures need matplotlib: `pip install matplotlib` "
            "(or `pip install deepgrad[plot]`)"
        ) from e
    return plt


def _finish(plt, fig, path):
    if path is not None:
        fig.savefig(path, format="png", dpi=100)
        plt.close(fig)
    return fig


def plot_history(history, path=None, title=None, validation_label="validation"):
    """Loss and metrics per epoch: one panel per quantity, training and validation curves.

    Args:
        history: the History that `fit` returns, or its `.history` dict
            ({"loss": [...], "val_loss": [...], "accuracy": [...], ...}).
        path: where to write the PNG (None: only return the figure).
        title: the figure's title (default "training history").
        validation_label: the name of the `val_*` curves in the legends, e.g. "test" when
            fit's validation_data was the test set.

    Returns:
        The Figure: one Axes per quantity (loss first), x label "epoch", y label the quantity,
        title the quantity, legend "training <quantity>" / "<validation_label> <quantity>".
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    logs = history.history if hasattr(history, "history") else dict(history)
    keys = [k for k in logs if not k.startswith("val_")]
    keys = sorted(keys, key=lambda k: k != "loss")
    if not keys:
        raise ValueError(f"plot_history: the history has no training quantity. Received keys: {list(logs)}")
    n = len(logs[keys[0]])
    epochs = [e + 1 for e in history.epoch] if getattr(history, "epoch", None) else list(range(1, n + 1))
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 4), squeeze=False)
    for ax, key in zip(axes[0], keys):
        ax.plot(epochs, [float(v) for v in logs[key]], "o-", label=f"training {key}")
        if f"val_{key}" in logs:
            ax.plot(epochs, [float(v) for v in logs[f"val_{key}"]], "o-", label=f"{validation_label} {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_title(key)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    fig.suptitle(title or "training history")
    fig.tight_layout()
    return _finish(plt, fig, path)


def plot_filters(layer, path=None, input_channel=0):
    """A convolution's kernels: one image per output channel, on one symmetric color scale.

    Tile k shows kernel[:, :, input_channel, k] (kernel_h rows by kernel_w columns); red is
    positive, blue negative, the colorbar gives the weight.

    Args:
        layer: a built Conv2D-like layer (kernel shaped (kh, kw, in_channels, out_channels)).
        path: where to write the PNG (None: only return the figure).
        input_channel: which input channel's slice of the kernels to show.

    Returns:
        The Figure; its first out_channels Axes hold the tiles, titled "filter k".
    """
    kernel = getattr(layer, "kernel", None)
    if kernel is None or len(kernel.shape) != 4:
        raise ValueError(
            f"plot_filters needs a built Conv2D layer (kernel of rank 4). Received: layer "
            f"'{getattr(layer, 'name', layer)}' with kernel shape {getattr(kernel, 'shape', None)}"
        )
    kernel = xp.asarray(kernel.numpy())
    kh, kw, cin, cout = kernel.shape
    if not 0 <= input_channel < cin:
        raise ValueError(f"plot_filters: input_channel must lie in [0, {cin}). Received: input_channel={input_channel}")
    plt = _pyplot()
    cols = math.ceil(math.sqrt(cout))
    rows = math.ceil(cout / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols + 1, 1.6 * rows + 0.8), squeeze=False)
    limit = float(xp.abs(kernel[:, :, input_channel]).max()) or 1.0
    image = None
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= cout:
            ax.axis("off")
            continue
        image = ax.imshow(kernel[:, :, input_channel, k], cmap="bwr", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {k}", fontsize=8)
    fig.colorbar(image, ax=axes.ravel().tolist(), label="weight")
    fig.suptitle(f"{layer.name}: {cout} kernels {kh}x{kw}, input channel {input_channel} of {cin}")
    fig.supxlabel("kernel column")
    fig.supylabel("kernel row")
    return _finish(plt, fig, path)


def plot_activations(model, x, path=None, layers=None, max_channels=8):
    """The feature maps of convolutional layers for one sample: a row per layer, a tile per channel.

    Args:
        model: a functional or Sequential model (its graph gives the layers' outputs).
        x: one sample (or a batch, of which the first sample is shown).
        path: where to write the PNG (None: only return the figure).
        layers: the layers to show (names or layers); default every 2-D convolution of the model.
        max_channels: how many channels of each map to show (the first ones).

    Returns:
        The Figure; Axes [row, c] shows channel c of the row's layer output (runs with
        training=False), titled "channel c", the first of each row labelled with the layer's name.
    """
    batch, _ = as_batch(model, x, "plot_activations")
    if model.inputs is None:
        model(Tensor(batch[:1]), training=False)  # a Sequential gets its graph on its first call
    if layers is None:
        conv = (Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D)
        chosen = [layer for layer in model.layers if isinstance(layer, conv)]
    else:
        chosen = [model.get_layer(layer) if isinstance(layer, str) else layer for layer in layers]
    if not chosen:
        raise ValueError(f"plot_activations: model '{model.name}' has no convolutional layer; pass layers=[...]")
    bad = [layer.name for layer in chosen if len(layer.output.shape) != 4]
    if bad:
        raise ValueError(f"plot_activations: layers must output (batch, height, width, channels) maps. Received: {bad}")
    maps = feature_model(model, chosen, "plot_activations")(Tensor(batch[:1]), training=False)[:-1]
    maps = [m.numpy()[0] for m in maps]
    plt = _pyplot()
    cols = min(max_channels, max(m.shape[-1] for m in maps))
    fig, axes = plt.subplots(len(maps), cols, figsize=(1.6 * cols + 0.6, 1.7 * len(maps) + 0.8), squeeze=False)
    for row, (layer, fmap) in enumerate(zip(chosen, maps)):
        for c, ax in enumerate(axes[row]):
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= fmap.shape[-1]:
                ax.axis("off")
                continue
            ax.imshow(fmap[:, :, c], cmap="viridis")
            ax.set_title(f"channel {c}", fontsize=8)
        axes[row, 0].set_ylabel(layer.name)
    fig.suptitle(f"{model.name}: feature maps of one sample")
    return _finish(plt, fig, path)


def plot_gradient_flow(model, x, y, path=None, sample_weight=None):
    """Mean and max |gradient| of each layer's trainable weights, on a log scale.

    The gradient is that of the compiled loss (`model.compute_loss`, regularization penalties
    included) on the batch (x, y), the model run with training=False (dropout off, batch
    statistics not updated); no weight changes. Vanishing gradients show as bars falling
    by orders of magnitude towards the input, exploding ones as bars rising.

    Args:
        model: a compiled model.
        x, y: one batch of inputs and targets.
        path: where to write the PNG (None: only return the figure).
        sample_weight: optional per-sample weights for the loss.

    Returns:
        The Figure; its Axes holds two bar groups, "max |gradient|" then "mean |gradient|",
        one bar per layer with trainable weights (x tick labels the layer names).
    """
    if getattr(model, "_compile_spec", None) is None:
        raise ValueError(f"plot_gradient_flow: model '{model.name}' must be compiled (its loss is differentiated)")
    inputs = Tensor(xp.asarray(x.numpy() if isinstance(x, Tensor) else x))
    with GradientTape() as tape:
        predictions = model(inputs, training=False)
        loss = model.compute_loss(inputs, y, predictions, sample_weight=sample_weight, training=False)
    weights = model.trainable_weights
    grads = tape.gradient(loss, weights)
    by_weight = {id(w): g for w, g in zip(weights, grads)}
    names, means, maxima = [], [], []
    for layer in model.layers:
        values = [xp.abs(by_weight[id(w)].numpy()).ravel() for w in layer.trainable_weights
                  if by_weight.get(id(w)) is not None]
        if values:
            flat = xp.concatenate(values)
            names.append(layer.name)
            means.append(float(flat.mean()))
            maxima.append(float(flat.max()))
    if not names:
        raise ValueError(f"plot_gradient_flow: no layer of model '{model.name}' has a gradient")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(5, 1.1 * len(names) + 2), 4))
    positions = xp.arange(len(names))
    ax.bar(positions - 0.2, maxima, width=0.4, label="max |gradient|")
    ax.bar(positions + 0.2, means, width=0.4, label="mean |gradient|")
    ax.set_yscale("log")
    ax.set_xticks(positions)
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_xlabel("layer (input to output)")
    ax.set_ylabel("|gradient| of the loss")
    ax.set_title(f"gradient flow of {model.name} (loss {float(loss.numpy()):.4g})")
    ax.legend()
    fig.tight_layout()
    return _finish(plt, fig, path)


def plot_attribution(x, attribution, path=None, title=None):
    """A heatmap of an attribution drawn over the input image.

    Args:
        x: one image, (h, w) or (h, w, channels) (1 or 3 channels are drawn as gray / RGB).
        attribution: shaped like x (saliency, integrated gradients: summed over channels) or
            a coarser (h', w') map (Grad-CAM, stretched over the image).
        path: where to write the PNG (None: only return the figure).
        title: the Axes' title (default "attribution").

    Returns:
        The Figure; its first Axes shows the image (first image artist) and the heatmap
        (second, semi-transparent: a signed map in blue-white-red around zero, a nonnegative
        one in 'jet' from zero), with a colorbar labelled "attribution".
    """
    image = xp.asarray(x.numpy() if isinstance(x, Tensor) else x, dtype=float)
    heat = xp.asarray(attribution.numpy() if isinstance(attribution, Tensor) else attribution, dtype=float)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(
            f"plot_attribution: x must be one image (h, w), (h, w, 1) or (h, w, 3). Received: shape={image.shape}"
        )
    if heat.ndim == 3:
        heat = heat.sum(axis=-1)
    if heat.ndim != 2:
        raise ValueError(
            f"plot_attribution: attribution must be a (h, w) map or shaped like x. Received: shape={heat.shape}"
        )
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4.2))
    h, w = image.shape[:2]
    extent = (-0.5, w - 0.5, h - 0.5, -0.5)
    if image.ndim == 2:
        ax.imshow(image, cmap="gray", extent=extent)
    else:
        low, high = image.min(), image.max()
        ax.imshow((image - low) / ((high - low) or 1), extent=extent)
    if heat.min() < 0:
        limit = float(xp.abs(heat).max()) or 1.0
        overlay = ax.imshow(heat, cmap="bwr", vmin=-limit, vmax=limit, alpha=0.5, extent=extent)
    else:
        overlay = ax.imshow(heat, cmap="jet", vmin=0, alpha=0.5, extent=extent, interpolation="bilinear")
    fig.colorbar(overlay, ax=ax, label="attribution")
    ax.set_xlabel("column (pixel)")
    ax.set_ylabel("row (pixel)")
    ax.set_title(title or "attribution")
    return _finish(plt, fig, path)
