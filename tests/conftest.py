"""Fixtures shared by the tests that run the example programs."""
import pytest

from tests.real_data import link_copy, require_mnist


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
    """$DEEPGRAD_HOME/datasets/mnist holds links to a real MNIST copy (skipped, or failed in CI, without one)."""
    link_copy(require_mnist(), tmp_path / "deepgrad_home" / "datasets" / "mnist")
    monkeypatch.setenv("DEEPGRAD_HOME", str(tmp_path / "deepgrad_home"))
