"""Cumulative ops along an axis: cumsum, cumprod and their relatives."""
