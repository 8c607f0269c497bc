"""Activation functions beyond the core ones of elementwise.py."""
