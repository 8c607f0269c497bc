"""deepgrad's benchmark against PyTorch: `python -m bench` (see bench/README.md)."""
