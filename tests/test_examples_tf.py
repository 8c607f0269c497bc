"""The TensorFlow-style programs in examples/: the quickstart for experts (tf.data, a subclassed model, a
tf.function step) and the DCGAN (tf.data, two tapes, tf.train.CheckpointManager), run through `deepgrad run`."""
import math
import re

import pytest

from deepgrad import keras
from tests.example_runner import run_example

EPOCH_LINE = re.compile(
    r"^epoch (\d+): generator loss ([-0-9.naif]+), discriminator loss ([-0-9.naif]+), "
    r"D accuracy on generated ([0-9.]+), on real ([0-9.]+), histogram distance ([0-9.]+), "
    r"change since start ([0-9.]+), saved (ckpt-\d+)$", re.M)
DISTANCE = re.compile(r"^Histogram distance: ([0-9.]+) -> ([0-9.]+)$", re.M)


def _mnist_slice(monkeypatch, train, test, sample=False):
    """mnist.load_data() returns the first `train` training and `test` test images of the real MNIST, or of the
    sample shipped with deepgrad when `sample`."""
    mnist = keras.datasets.mnist
    real = mnist.load_data

    def load_data(*args, **kwargs):
        (x, y), (x_test, y_test) = real(sample=True) if sample else real(*args, **kwargs)
        return (x[:train], y[:train]), (x_test[:test], y_test[:test])

    monkeypatch.setattr(mnist, "load_data", load_data)


def test_quickstart_program_trains_on_a_tiny_dataset(monkeypatch, capsys):
    _mnist_slice(monkeypatch, 128, 64, sample=True)
    code, out, err, _ = run_example("quickstart_experts.py", capsys)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len([line for line in lines if line.startswith("Epoch ")]) == 2
    assert "Parameters: 693962" in lines
    accuracy = float(re.match(r"Test accuracy: ([0-9.]+)$", lines[-1]).group(1))
    assert 0.0 <= accuracy <= 1.0


@pytest.mark.slow
def test_quickstart_program_learns_mnist(mnist_home, capsys):
    """Two epochs over the 60,000 training images reach 98% on the test set (measured: 0.9847, 73 s)."""
    code, out, err, elapsed = run_example("quickstart_experts.py", capsys)
    assert code == 0, err
    accuracy = float(re.search(r"^Test accuracy: ([0-9.]+)$", out, re.M).group(1))
    train_accuracy = [float(v) for v in re.findall(r"Accuracy: ([0-9.]+), Test Loss", out)]
    with capsys.disabled():
        print(f"\nquickstart_experts.py: test accuracy {accuracy:.4f} in {elapsed:.0f} s")
    assert accuracy > 0.98 and train_accuracy[1] > train_accuracy[0]


def test_dcgan_program_saves_and_resumes_from_its_checkpoints(monkeypatch, tmp_path, capsys):
    """Three epochs of two batches, checkpointed each epoch (two kept); a second run restores the last one and
    reports the same images (same histogram distance) without training."""
    _mnist_slice(monkeypatch, 256, 16, sample=True)
    monkeypatch.chdir(tmp_path)
    code, out, err, _ = run_example("dcgan_mnist.py", capsys)
    assert code == 0, err
    assert out.startswith("Initializing from scratch.\n")
    epochs = EPOCH_LINE.findall(out)
    assert [e[0] for e in epochs] == ["1", "2", "3"] and [e[-1] for e in epochs] == ["ckpt-1", "ckpt-2", "ckpt-3"]
    assert all(math.isfinite(float(e[1])) and math.isfinite(float(e[2])) for e in epochs)
    assert float(epochs[-1][6]) > 0.0  # the fixed-noise images changed
    files = sorted(p.name for p in (tmp_path / "dcgan_checkpoints").iterdir())
    assert files == ["checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index",
                     "ckpt-3.data-00000-of-00001", "ckpt-3.index"]
    end = DISTANCE.search(out).group(2)

    code, out, err, _ = run_example("dcgan_mnist.py", capsys)
    assert code == 0, err
    assert out.startswith("Restored from ./dcgan_checkpoints/ckpt-3 (epoch 3)\n")
    assert not EPOCH_LINE.search(out)
    assert DISTANCE.search(out).groups() == (end, end)


@pytest.mark.slow
def test_dcgan_learns_the_pixel_distribution(mnist_home, tmp_path, monkeypatch, capsys):
    """Three epochs over 10,240 images bring the generated pixels' histogram near the data's (TensorFlow 2.21 with
    the same program: 0.983 -> 0.478) while both losses stay finite."""
    monkeypatch.chdir(tmp_path)
    code, out, err, elapsed = run_example("dcgan_mnist.py", capsys)
    assert code == 0, err
    epochs = EPOCH_LINE.findall(out)
    start, end = (float(v) for v in DISTANCE.search(out).groups())
    with capsys.disabled():
        print(f"\ndcgan_mnist.py: histogram distance {start:.3f} -> {end:.3f}, "
              f"change since start {float(epochs[-1][6]):.3f}, {elapsed:.0f} s")
    assert len(epochs) == 3
    assert all(math.isfinite(float(e[1])) and math.isfinite(float(e[2])) for e in epochs)
    assert start > 0.9 and end < 0.7 and float(epochs[-1][6]) > 0.3
