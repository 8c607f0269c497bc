"""examples/inside_training.py: the tutorials' CNN watched by Diagnostics, one step explained, the model's
gradients checked and three predictions explained; the numbers it prints are held to what it promises."""
import re

import pytest

from deepgrad import keras
from tests.example_runner import run_example


def _numbers(out):
    found = {
        "update_error": re.search(r"the printed updates give the new weights to ([0-9.e+-]+)$", out, re.M),
        "gradcheck": re.search(r"^Gradient check: (\d+) weights, (\d+) failed, largest relative error ([0-9.e+-]+)$",
                               out, re.M),
        "completeness": re.search(r"^Integrated gradients completeness: largest error ([0-9.e+-]+)$", out, re.M),
        "accuracy": re.search(r"^Test accuracy: ([0-9.]+)$", out, re.M),
        "warnings": re.search(r"^Diagnostics warnings: (\d+)$", out, re.M),
    }
    assert all(found.values()), {k: bool(v) for k, v in found.items()}
    return found


def _check(out, tmp_path):
    found = _numbers(out)
    assert float(found["update_error"].group(1)) < 1e-6
    weights, failed, worst = found["gradcheck"].groups()
    assert int(weights) == 10 and int(failed) == 0 and float(worst) < 1e-4
    assert float(found["completeness"].group(1)) < 0.01
    assert len(re.findall(r"^test image \d: label \d, predicted \d .* Grad-CAM map 3x3, peak at \(\d, \d\)$",
                          out, re.M)) == 3
    for section in ("1. Forward propagation", "2. Loss", "3. Backpropagation", "4. Update"):
        assert section in out, section
    page = (tmp_path / "inside_training_step.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Backpropagation" in page
    pictures = sorted(p.name for p in tmp_path.glob("inside_training_*.png"))
    assert len(pictures) == 10 and all((tmp_path / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pictures)
    return found


def test_inside_training_runs_on_a_tiny_dataset(tmp_path, monkeypatch, capsys):
    (x, y), (x_test, y_test) = keras.datasets.mnist.load_data(sample=True)
    data = (x[:512], y[:512]), (x_test[:64], y_test[:64])
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda *args, **kwargs: data)
    monkeypatch.chdir(tmp_path)
    code, out, err, _ = run_example("inside_training.py", capsys)
    assert code == 0, err
    _check(out, tmp_path)


@pytest.mark.slow
def test_inside_training_learns_mnist_with_no_warning(mnist_home, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err, elapsed = run_example("inside_training.py", capsys)
    assert code == 0, err
    found = _check(out, tmp_path)
    accuracy = float(found["accuracy"].group(1))
    with capsys.disabled():
        print(f"\ninside_training.py: test accuracy {accuracy:.4f}, gradient check worst "
              f"{found['gradcheck'].group(3)}, IG completeness {found['completeness'].group(1)}, {elapsed:.0f} s")
    assert accuracy > 0.97 and int(found["warnings"].group(1)) == 0
