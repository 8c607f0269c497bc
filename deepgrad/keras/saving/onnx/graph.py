"""The ONNX graph under construction, as plain Python (no `onnx` import here).

A Value is one Keras tensor of the model: its Keras shape and dtype, and the
name of the ONNX tensor that holds it in Keras' channels-last layout
(N, H, W, C), in ONNX's channels-first layout (N, C, H, W) that Conv and the
pooling ops read, or in both. `GraphBuilder.layout(value, channels_first)`
gives the tensor in the layout asked for, adding one Transpose the first time
only, so consecutive convolutions, activations and poolings pass channels-first
tensors along with no transpose between them. Tensors of rank 2 or less have
one layout.

Nodes are kept as (op_type, input names, output names, attributes); weights as
initializers, name -> array. onnx_export.py turns both into an ONNX model.
"""
from ....backend import xp


def to_channels_first(rank):
    """The Transpose perm from (N, d1, ..., C) to (N, C, d1, ...)."""
    return (0, rank - 1) + tuple(range(1, rank - 1))


def to_channels_last(rank):
    """The Transpose perm from (N, C, d1, ...) to (N, d1, ..., C)."""
    return (0,) + tuple(range(2, rank)) + (1,)


def channels_first_axis(axis, rank):
    """Where the Keras (channels-last) axis `axis` of a rank-`rank` tensor is in channels-first layout."""
    axis %= rank
    if axis == 0:
        return 0
    return 1 if axis == rank - 1 else axis + 1


class Value:
    """A Keras tensor of `shape` (batch axis None) and `dtype`, held by ONNX tensors named per layout.

    `names` maps channels_first (False or True) to the ONNX tensor name holding
    the value in that layout; a rank <= 2 value only has the False entry.
    """

    def __init__(self, shape, dtype, name, channels_first=False):
        self.shape = tuple(shape)
        self.dtype = xp.dtype(dtype)
        self.names = {bool(channels_first) and len(self.shape) >= 3: name}

    @classmethod
    def of(cls, keras_tensor, name, channels_first=False):
        """The Value of a layer's output `keras_tensor`, held by the ONNX tensor `name`."""
        return cls(keras_tensor.shape, keras_tensor.dtype, name, channels_first)

    @property
    def rank(self):
        return len(self.shape)

    @property
    def channels_first(self):
        """True when the value exists only in channels-first layout (the layout to keep working in)."""
        return False not in self.names


class GraphBuilder:
    """Collects the nodes, initializers, inputs and outputs of one ONNX graph.

    `scope` (the layer being converted) prefixes the names of new tensors, so a
    tensor reads as 'conv2d/Conv'; every name is unique in the graph.
    """

    def __init__(self, opset, reserved=()):
        self.opset = opset
        self.scope = "graph"
        self.nodes = []
        self.initializers = {}
        self.inputs = []
        self.outputs = []
        self._used = set(reserved)
        self._constants = {}

    def fresh(self, hint):
        """An unused tensor name: `hint`, else `hint_1`, `hint_2`, ..."""
        name, i = hint, 0
        while name in self._used:
            i += 1
            name = f"{hint}_{i}"
        self._used.add(name)
        return name

    def op(self, op_type, inputs, n_outputs=1, **attributes):
        """Add a node; returns its output name (a list of `n_outputs` names when more than one)."""
        base = f"{self.scope}/{op_type}"
        outputs = [self.fresh(base if n_outputs == 1 else f"{base}_{i}") for i in range(n_outputs)]
        self.nodes.append((op_type, list(inputs), outputs, attributes))
        return outputs[0] if n_outputs == 1 else outputs

    def constant(self, array, name, key=None):
        """An initializer holding `array`, named `name` (made unique); the same `key` gives the same one."""
        if key is not None and key in self._constants:
            return self._constants[key]
        name = self.fresh(name)
        self.initializers[name] = xp.ascontiguousarray(array)
        if key is not None:
            self._constants[key] = name
        return name

    def weight(self, layer, hint, array):
        """A float32 initializer of `layer` named 'scope/hint', one per layer, hint and shape (a shared
        layer's weights are stored once)."""
        array = xp.asarray(array, dtype="float32")
        return self.constant(array, f"{self.scope}/{hint}", key=(id(layer), hint, array.shape))

    def scalar(self, value, dtype="float32"):
        """A scalar initializer (one per value and dtype in the graph)."""
        key = ("scalar", float(value), str(dtype))
        return self.constant(xp.asarray(value, dtype=dtype), "const/scalar", key=key)

    def ints(self, values):
        """A 1-D int64 initializer (one per list of values), as Reshape, Slice, Squeeze and Unsqueeze
        read their shapes and axes."""
        values = tuple(int(v) for v in values)
        return self.constant(xp.asarray(values, dtype="int64"), "const/ints", key=("ints", values))

    def layout(self, value, channels_first):
        """The name of `value` in channels-first (True) or Keras' channels-last (False) layout."""
        channels_first = bool(channels_first) and value.rank >= 3
        if channels_first not in value.names:
            perm = to_channels_first(value.rank) if channels_first else to_channels_last(value.rank)
            value.names[channels_first] = self.op("Transpose", [value.names[not channels_first]], perm=perm)
        return value.names[channels_first]

    def keras(self, value):
        """The name of `value` in Keras' channels-last layout."""
        return self.layout(value, False)

    def reduce(self, op_type, name, axes, keepdims):
        """ReduceMean, ReduceMax, ... over `axes`: an attribute before opset 18, an input from 18."""
        if self.opset >= 18:
            return self.op(op_type, [name, self.ints(axes)], keepdims=int(keepdims))
        return self.op(op_type, [name], axes=list(axes), keepdims=int(keepdims))

    def squeeze(self, name, axes):
        """Squeeze `axes` (an input since opset 13)."""
        return self.op("Squeeze", [name, self.ints(axes)])

    def unsqueeze(self, name, axes):
        """Unsqueeze at `axes` (an input since opset 13)."""
        return self.op("Unsqueeze", [name, self.ints(axes)])

    def rename(self, old, new):
        """Call the tensor `old` `new` everywhere in the nodes (to give a graph output its Keras name)."""
        for _, inputs, outputs, _ in self.nodes:
            for names in (inputs, outputs):
                for i, name in enumerate(names):
                    if name == old:
                        names[i] = new
        self._used.add(new)

    def produced(self, name):
        """Whether a node of the graph outputs `name`."""
        return any(name in outputs for _, _, outputs, _ in self.nodes)
