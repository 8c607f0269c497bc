"""Segment reductions and top-k selection."""
