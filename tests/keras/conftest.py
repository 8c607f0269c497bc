"""Keras 3 (the tests' oracle, never imported by the package) runs on its PyTorch backend."""
import os

os.environ["KERAS_BACKEND"] = "torch"
