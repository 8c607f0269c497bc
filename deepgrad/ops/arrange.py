"""Rearranging ops: flips, rolls, repeats and other moves of elements."""
