"""keras.preprocessing as older tutorials use it: `keras.preprocessing.sequence.pad_sequences`.

Keras 3 keeps only `sequence` (and image helpers) here; text preprocessing is
the TextVectorization layer.
"""
from . import sequence
from ...missing import not_implemented

__all__ = ["sequence"]


__getattr__ = not_implemented("keras.preprocessing")
