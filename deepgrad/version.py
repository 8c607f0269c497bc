"""tf.version: the TensorFlow release whose API deepgrad follows.

VERSION is TensorFlow 2.21.0, the release that installs with Keras 3.15.1 (the
Keras of `keras.__version__`); deepgrad's own version is `deepgrad.__version__`.
"""
VERSION = "2.21.0"
GIT_VERSION = "deepgrad"
COMPILER_VERSION = "none: deepgrad is pure Python on NumPy"
GRAPH_DEF_VERSION = 0
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0
