"""Indexing ops: gathering and scattering by index arrays, sorting."""
