"""The tutorial examples, run as a TensorFlow user wrote them (`import tensorflow as tf`),
with `tensorflow` served by deepgrad: each reaches its stated error on real data, and the
same seed gives bit-identical weights."""
import importlib.util
import os
import runpy
import sys

import numpy as np
import pytest

import deepgrad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")

needs_sklearn = pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="linear_regression.py reads scikit-learn's bundled diabetes data: pip install scikit-learn",
)


@pytest.fixture
def tensorflow_is_deepgrad(monkeypatch):
    """`import tensorflow` gives deepgrad while the test runs (the `deepgrad run` shim in small)."""
    monkeypatch.setitem(sys.modules, "tensorflow", deepgrad)


def load_example(name):
    """The example's globals, loaded as a module (its `if __name__ == '__main__'` part not run)."""
    return runpy.run_path(os.path.join(EXAMPLES, name), run_name=f"example_{name[:-3]}")


def run_as_script(name, monkeypatch, *args):
    """Run the example as `python examples/NAME ARGS` would."""
    monkeypatch.setattr(sys, "argv", [name, *args])
    runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")


def test_the_shim_serves_deepgrad_as_tensorflow(tensorflow_is_deepgrad):
    import tensorflow as tf

    assert tf is deepgrad


@needs_sklearn
def test_linear_regression_reaches_the_least_squares_error(tensorflow_is_deepgrad, monkeypatch, capsys):
    run_as_script("linear_regression.py", monkeypatch)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("test MSE ") and "R^2" in last
    result = load_example("linear_regression.py")["main"](verbose=False)
    assert result["test_mse"] < 3400 and result["r2"] > 0.30
    assert result["test_mse"] <= 1.02 * result["lstsq_mse"], "gradient descent did not reach least squares"
    assert f"test MSE {result['test_mse']:.1f}" in last
    assert result["w"].dtype == np.float32 and result["w"].shape == (10, 1)


@needs_sklearn
def test_linear_regression_same_seed_gives_bit_identical_weights(tensorflow_is_deepgrad):
    main = load_example("linear_regression.py")["main"]
    a, b = main(seed=3, epochs=300, verbose=False), main(seed=3, epochs=300, verbose=False)
    assert a["w"].tobytes() == b["w"].tobytes() and a["b"].tobytes() == b["b"].tobytes()
    c = main(seed=4, epochs=300, verbose=False)
    assert not np.array_equal(a["w"], c["w"]), "the seed must change the initial weights"


def test_logistic_regression_reaches_90_percent_on_mnist(tensorflow_is_deepgrad, mnist_home, monkeypatch, capsys):
    run_as_script("logistic_regression.py", monkeypatch, "--epochs", "5")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 6 and out[-1].startswith("test accuracy ") and out[-1].endswith("on 10000 images")
    accuracy = float(out[-1].split()[2])
    assert accuracy >= 0.90


def test_logistic_regression_same_seed_gives_bit_identical_weights(tensorflow_is_deepgrad, mnist_home):
    main = load_example("logistic_regression.py")["main"]
    a = main(seed=1, epochs=1, verbose=False)
    b = main(seed=1, epochs=1, verbose=False)
    assert a["W"].tobytes() == b["W"].tobytes() and a["b"].tobytes() == b["b"].tobytes()
    assert a["accuracy"] == b["accuracy"] and a["accuracy"] > 0.88
    initial_1 = main(seed=1, epochs=0, verbose=False)["W"]
    initial_2 = main(seed=2, epochs=0, verbose=False)["W"]
    assert not np.array_equal(initial_1, initial_2), "the seed must change the initial weights"
