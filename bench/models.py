"""The benchmark's models: each a Keras model on deepgrad and its PyTorch twin.

Every twin has the same layers and the same number of trainable parameters
(checked by `build`); deepgrad runs channels-last (N, H, W, C) as Keras, the
twin channels-first as PyTorch does natively, so each framework sees its own
best layout of the same random numbers. Outputs are logits; both sides train
with sparse categorical cross-entropy from logits and Adam.
"""
from dataclasses import dataclass
from functools import partial
from typing import Callable


@dataclass(frozen=True)
class ModelSpec:
    """One benchmark model.

    Attributes:
        name: the short name used on the command line (`--models cnn3,mlp`).
        title: the description printed in the table.
        input_shape: one sample's shape, channels-last (deepgrad's layout).
        deepgrad: builds the deepgrad Keras model (uncompiled).
        torch: builds the PyTorch twin (an nn.Module taking channels-first input).
        note: what differs between the twins, if anything (printed under the table).
        available: whether deepgrad has the layers this model needs.
    """

    name: str
    title: str
    input_shape: tuple
    deepgrad: Callable
    torch: Callable
    note: str = ""
    available: Callable = lambda: True


def _keras():
    from deepgrad import keras

    return keras


def _nn():
    import torch.nn as nn

    return nn


# ----------------------------------------------------------------------------- three-conv CNN (MNIST, CIFAR-10)


def three_conv_deepgrad(input_shape):
    """The tutorials' CNN: Conv 32, pool, Conv 64, pool, Conv 64, Dense 64, Dense 10 (logits)."""
    layers = _keras().layers
    return _keras().Sequential([
        layers.Input(input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10),
    ])


def three_conv_torch(input_shape):
    """The same in PyTorch (channels-first): the last conv leaves ((side - 2) // 2 - 2) // 2 - 2 pixels a side."""
    nn = _nn()
    side, _, channels = input_shape
    last = ((side - 2) // 2 - 2) // 2 - 2
    return nn.Sequential(
        nn.Conv2d(channels, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(last * last * 64, 64), nn.ReLU(), nn.Linear(64, 10),
    )


# ----------------------------------------------------------------------------- MNIST one-conv CNN


def cnn1_deepgrad():
    layers = _keras().layers
    return _keras().Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10),
    ])


def cnn1_torch():
    nn = _nn()
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(13 * 13 * 32, 64), nn.ReLU(), nn.Linear(64, 10),
    )


# ----------------------------------------------------------------------------- MLP 784-128-10


def mlp_deepgrad():
    layers = _keras().layers
    return _keras().Sequential([
        layers.Input((28, 28)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10),
    ])


def mlp_torch():
    nn = _nn()
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


# ----------------------------------------------------------------------------- BatchNorm + Dropout CNN


def bn_deepgrad():
    layers = _keras().layers
    return _keras().Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3),
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(64, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10),
    ])


def bn_torch():
    nn = _nn()
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.BatchNorm2d(32, eps=1e-3, momentum=0.01), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.BatchNorm2d(64, eps=1e-3, momentum=0.01), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(5 * 5 * 64, 64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, 10),
    )


# ----------------------------------------------------------------------------- LSTM(128) on 28 steps of 28


def lstm_available():
    try:
        _keras().layers.LSTM
    except (AttributeError, ImportError):
        return False
    return True


def lstm_deepgrad():
    layers = _keras().layers
    return _keras().Sequential([layers.Input((28, 28)), layers.LSTM(128), layers.Dense(10)])


def lstm_torch():
    import torch

    nn = _nn()

    class LSTMClassifier(nn.Module):
        """nn.LSTM keeps two bias vectors where Keras keeps one: the second is frozen at zero."""

        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(28, 128, batch_first=True)
            with torch.no_grad():
                self.lstm.bias_hh_l0.zero_()
            self.lstm.bias_hh_l0.requires_grad_(False)
            self.head = nn.Linear(128, 10)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.head(h[-1])

    return LSTMClassifier()


MODELS = {
    spec.name: spec
    for spec in (
        ModelSpec("cnn3", "MNIST CNN, three convs", (28, 28, 1), partial(three_conv_deepgrad, (28, 28, 1)),
                  partial(three_conv_torch, (28, 28, 1))),
        ModelSpec("cnn1", "MNIST CNN, one conv", (28, 28, 1), cnn1_deepgrad, cnn1_torch),
        ModelSpec("mlp", "MLP 784-128-10", (28, 28), mlp_deepgrad, mlp_torch),
        ModelSpec("cifar", "CIFAR-10 CNN (TF tutorial)", (32, 32, 3), partial(three_conv_deepgrad, (32, 32, 3)),
                  partial(three_conv_torch, (32, 32, 3))),
        ModelSpec(
            "bn", "BN+Dropout CNN", (28, 28, 1), bn_deepgrad, bn_torch,
            note="bn: Conv 32 3x3, BatchNorm, ReLU, MaxPool 2, Conv 64 3x3, BatchNorm, ReLU, MaxPool 2, "
                 "Flatten, Dropout 0.5, Dense 64 relu, Dropout 0.5, Dense 10 (params: Keras' count, "
                 "with the BatchNorm moving statistics; trainable counts match)",
        ),
        ModelSpec(
            "lstm", "LSTM(128), 28 steps of 28", (28, 28), lstm_deepgrad, lstm_torch,
            note="lstm: nn.LSTM's second bias (bias_hh) is frozen at zero, so both train one bias as Keras",
            available=lstm_available,
        ),
    )
}


def trainable_count_torch(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def trainable_count_deepgrad(model):
    return sum(int(w.data.size) for w in model.trainable_weights)


def to_torch_layout(x):
    """A channels-last batch as PyTorch's channels-first (images only; sequences stay as they are)."""
    return x.transpose(0, 3, 1, 2) if x.ndim == 4 else x


def random_data(spec, n, seed=0):
    """Seeded float32 inputs in [0, 1) of the model's input shape and int64 labels in [0, 10)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.random((n,) + spec.input_shape, dtype=np.float32)
    y = rng.integers(0, 10, size=n).astype(np.int64)
    return x, y
