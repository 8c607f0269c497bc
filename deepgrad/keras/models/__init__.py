"""Models: Sequential, the functional Model, subclassed models, and the trainer."""
from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential"]
