"""Keras layers. Names resolve lazily so `import deepgrad` stays fast."""
import importlib

from ..registry import LAYERS, OPERATIONS

_MODULES = {
    "layer": ["Layer"],
    "input_spec": ["InputSpec"],
    "input_layer": ["Input", "InputLayer"],
    "core": ["Dense", "Activation", "Lambda", "Identity"],
    "reshaping": ["Flatten", "Reshape", "Permute", "RepeatVector", "ZeroPadding2D",
                  "ZeroPadding1D", "UpSampling2D", "UpSampling1D", "Cropping2D", "Cropping1D"],
    "regularization": ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise",
                       "GaussianDropout", "ActivityRegularization"],
    "merging": ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                "Dot", "concatenate", "add", "subtract", "multiply", "average", "maximum", "minimum", "dot"],
    "preprocessing": ["Rescaling", "Normalization", "Resizing", "CenterCrop"],
    "augmentation": ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
                     "RandomContrast", "RandomBrightness", "RandomCrop"],
    "convolutional": ["Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "Conv1D",
                      "Convolution2D", "Convolution1D", "SeparableConvolution2D"],
    "pooling": ["MaxPooling2D", "AveragePooling2D", "MaxPooling1D", "AveragePooling1D",
                "GlobalAveragePooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling2D",
                "GlobalMaxPooling1D", "MaxPool2D", "AvgPool2D", "MaxPool1D", "AvgPool1D",
                "GlobalAvgPool2D", "GlobalAvgPool1D", "GlobalMaxPool2D", "GlobalMaxPool1D"],
    "normalization": ["BatchNormalization", "LayerNormalization", "UnitNormalization",
                      "GroupNormalization"],
    "activation_layers": ["ReLU", "LeakyReLU", "Softmax", "ELU", "PReLU"],
    "embedding": ["Embedding"],
    "masking": ["Masking"],
    "recurrent": ["SimpleRNN", "LSTM", "GRU", "RNN"],
    "rnn_cells": ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"],
    "bidirectional": ["Bidirectional"],
    "wrappers": ["TimeDistributed", "Wrapper"],
    "text_vectorization": ["TextVectorization"],
    "attention": ["MultiHeadAttention", "Attention", "AdditiveAttention"],
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}
_FUNCTIONS = {"concatenate", "add", "subtract", "multiply", "average", "maximum", "minimum", "dot", "Input"}


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"deepgrad does not implement keras.layers.{name}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


_OPERATIONS = ["NotEqual", "Equal", "Add", "Subtract", "Multiply", "TrueDivide", "Matmul", "Cast",
               "ExpandDims", "Squeeze", "Reshape", "Transpose", "Mean", "Sum", "Concatenate"]


def _operation(name):
    return getattr(importlib.import_module(f"{__name__}.operations"), name)


for _name in _WHERE:
    if _name not in _FUNCTIONS:
        LAYERS.add_lazy(_name, lambda name=_name: __getattr__(name))
for _name in _OPERATIONS:
    OPERATIONS.add_lazy(_name, lambda name=_name: _operation(name))


def __dir__():
    return sorted(list(globals()) + list(_WHERE))


def get(identifier):
    """A layer class by name, e.g. get('Dense')."""
    return __getattr__(identifier)
