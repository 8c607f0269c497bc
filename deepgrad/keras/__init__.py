"""The Keras-compatible API, built only on deepgrad's ops."""
