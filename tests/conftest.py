"""Fixtures shared by the tests that run the example programs."""
import pytest

from tests.real_data import MNIST_FILES, require_mnist


@pytest.fixture
def fits(monkeypatch):
    """Records (model, history) of every fit() the program makes."""
    from deepgrad.keras.models.trainer import Trainer

    calls = []
    real_fit = Trainer.fit

    def recording_fit(self, *args, **kwargs):
        history = real_fit(self, *args, **kwargs)
        calls.append((self, history))
        return history

    monkeypatch.setattr(Trainer, "fit", recording_fit)
    return calls


@pytest.fixture
def mnist_home(tmp_path, monkeypatch):
    """$DEEPGRAD_HOME/datasets/mnist holds links to the real MNIST files (skipped, or failed in CI, without them)."""
    source = require_mnist()
    folder = tmp_path / "deepgrad_home" / "datasets" / "mnist"
    folder.mkdir(parents=True)
    for name in MNIST_FILES:
        (folder / name).symlink_to(source / name)
    monkeypatch.setenv("DEEPGRAD_HOME", str(tmp_path / "deepgrad_home"))
