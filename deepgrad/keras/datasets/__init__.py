"""Datasets with Keras' load_data() API."""
from . import mnist

__all__ = ["mnist"]
