"""ONNX export: the walk over a model's functional graph and the converters of each layer family.

Everything here is plain Python and arrays: the graph is built as a list of
nodes and initializers (graph.py), and only saving/onnx_export.py imports the
`onnx` package, to turn that list into an ONNX file.

    graph.py        Value (a Keras tensor as ONNX tensors, per layout) and GraphBuilder
    walk.py         model -> GraphBuilder: nodes in order, nested models, inputs and outputs
    activations.py  activation functions and the activation layers
    core.py         Dense, Embedding, BatchNormalization, Rescaling, reshaping, merging, identity layers
    convolution.py  Conv1D/2D, DepthwiseConv2D, SeparableConv2D, pooling, global pooling
    recurrent.py    SimpleRNN, LSTM, GRU, Bidirectional
"""
