"""Keras utilities."""
from .progbar import Progbar

__all__ = ["Progbar"]
