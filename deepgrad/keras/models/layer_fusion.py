"""Chains of layers that a functional graph runs as one convolution op.

A chain starts at a Conv2D and takes in the layers after it, each the only
reader of the one before (no other layer and no model output reads an inner
tensor):

    Conv2D -> [BatchNormalization] -> [ReLU] -> [MaxPooling2D]

- MaxPooling2D with disjoint windows (strides = pool size, 'valid') is pooled
  block by block inside the convolution (ops.conv_pool.conv2d_bias_act_pool):
  the convolution's whole output is never written, and the backward needs only
  the pooled output and each window's winner. The same numbers, forward and
  backward, as the layers one by one, bit for bit. Measured on the MNIST CNN's
  first convolution and pooling (batch 64, one training step): 7.4 -> 5.6 ms.
- A ReLU layer (ReLU() with its defaults, or Activation('relu')) after a Conv2D
  without activation is applied inside the convolution, as Conv2D(activation='relu').
- A ReLU layer that does not follow such a Conv2D (after a BatchNormalization, say)
  and a MaxPooling2D after it are computed as the ReLU of the pooled output: the
  maximum commutes with the ReLU, so the ReLU passes over a quarter of the cells
  (2x2 windows), forward and backward; bit for bit the layers' numbers, gradients
  included (where the ReLU of a window's maximum is 0 its gradient is 0 whichever
  tap won; a positive maximum has the same first tap either way).
- BatchNormalization only when nothing is trained or recorded (predict,
  evaluate, a call under no_grad): it is then a per-channel affine map,
  y = x s + t with s = gamma / sqrt(moving_variance + epsilon) and
  t = beta - moving_mean s, folded into the convolution's weights:

      (conv(x, k) + b) s + t  =  conv(x, k s) + (b s + t).

  Those numbers differ from the layers' by rounding (float32: about 1e-6 relative).
  Measured on the bench's BatchNorm CNN at batch 256: 43 ms a batch layer by layer, 26 fused.

Only the built-in layers take part (Conv2D with groups=1, channels last, its own
convolution and a linear or ReLU activation; BatchNormalization over the last
axis), none with an activity regularizer and none whose `call` was replaced on
the instance (deepgrad.inspect's recorders, the Diagnostics callback), checked
at every run; an input whose dtype differs from the kernel's runs the layers.
"""
from ...ops import conv as conv_ops
from ...ops import conv_pool, elementwise, pooling
from .. import activations
from ..layers.activation_layers import ReLU
from ..layers.convolutional import Conv2D, _Conv
from ..layers.core import Activation
from ..layers.keras_tensor import KerasTensor, flatten_structure
from ..layers.normalization import BatchNormalization
from ..layers.pooling import MaxPooling2D


class _LayerChain:
    """Layers a graph runs as one computation: `layers`, the nodes after the first (`skipped` when
    the chain runs) and the tensor its result stands for (`output`)."""

    def __init__(self, layers, skipped, output):
        self.layers = [layer for layer in layers if layer is not None]
        self.skipped = skipped
        self.output = output

    def applies(self, x):
        """Whether the chain can stand for its layers on the input x now: the dtype its first layer
        computes in, no Keras mask, and every layer as built (own call, no activity regularizer)."""
        return (x.dtype == self.layers[0].dtype and getattr(x, "_keras_mask", None) is None
                and all(_own_call(layer) and layer.activity_regularizer is None for layer in self.layers))


class Chain(_LayerChain):
    """A Conv2D and the BatchNormalization, ReLU and MaxPooling2D (each may be None) it takes in."""

    def __init__(self, conv, batch_norm, relu, pool, skipped, output):
        super().__init__((conv, batch_norm, relu, pool), skipped, output)
        self.conv = conv
        self.batch_norm = batch_norm
        self.relu = relu
        self.pool = pool

    def applies(self, x):
        return x.dtype == self.conv.kernel.dtype and super().applies(x)

    def __call__(self, x):
        conv = self.conv
        kernel, bias = conv.kernel, conv.bias
        if self.batch_norm is not None:
            kernel, bias = _folded(conv, self.batch_norm)
        relu = self.relu is not None or activations.fused_name(conv.activation, "conv2d_bias_act") == "relu"
        activation = "relu" if relu else None
        if self.pool is not None:
            return conv_pool.conv2d_bias_act_pool(x, kernel, bias, conv.strides, conv.padding, conv.dilation_rate,
                                                  activation=activation, pool_size=self.pool.pool_size)
        return conv_ops.conv2d_bias_act(x, kernel, bias, conv.strides, conv.padding, conv.dilation_rate,
                                        activation=activation)


class ReluPoolChain(_LayerChain):
    """A ReLU layer and the MaxPooling2D after it, computed as relu(max_pool2d(x))."""

    def __init__(self, relu, pool, skipped, output):
        super().__init__((relu, pool), skipped, output)
        self.pool = pool

    def __call__(self, x):
        pool = self.pool
        return elementwise.relu(pooling.max_pool2d(x, pool.pool_size, pool.strides, pool.padding))


def _folded(conv, bn):
    """The kernel and bias (arrays) of conv followed by bn at inference."""
    dtype = conv.kernel.data.dtype
    inv = 1 / (bn.moving_variance.data.astype(dtype) + dtype.type(bn.epsilon)) ** 0.5
    scale = inv if bn.gamma is None else inv * bn.gamma.data
    shift = -bn.moving_mean.data.astype(dtype) * scale
    if bn.beta is not None:
        shift = shift + bn.beta.data
    bias = shift if conv.bias is None else conv.bias.data * scale + shift
    return conv.kernel.data * scale, bias.astype(dtype)


def _own_call(layer):
    return "call" not in layer.__dict__


def _plain_conv(layer):
    return (type(layer) is Conv2D and layer.groups == 1
            and getattr(layer, "data_format", "channels_last") == "channels_last"
            and type(layer).convolution_op is _Conv.convolution_op
            and activations.fused_name(layer.activation, "conv2d_bias_act") in ("linear", "relu"))


def _plain_batch_norm(layer):
    return type(layer) is BatchNormalization and layer.axis in (-1, 3)


def _plain_relu(layer):
    if type(layer) is ReLU:
        return layer.max_value is None and layer.negative_slope == 0 and layer.threshold == 0
    return type(layer) is Activation and activations.fused_name(layer.activation, "conv2d_bias_act") == "relu"


def _plain_pool(layer):
    return (type(layer) is MaxPooling2D and tuple(layer.strides) == tuple(layer.pool_size)
            and layer.padding == "valid" and getattr(layer, "data_format", "channels_last") == "channels_last")


def _channels_last_max_pool(layer):
    return type(layer) is MaxPooling2D and getattr(layer, "data_format", "channels_last") == "channels_last"


def single_input(node):
    """The node's one input tensor when it takes exactly that and nothing else (else None)."""
    inputs = node.inputs
    if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(inputs, KerasTensor) and not node.args and set(node.kwargs) <= {"training"}:
        return inputs
    return None


def layer_chains(model, fold_batch_norm):
    """{id(first node): Chain} for the model's graph; with `fold_batch_norm` the chains may hold a
    BatchNormalization (inference), without they never do. Computed once per graph and kind: a
    graph traced anew (a Sequential after add or pop) is a new list of nodes, planned again."""
    key = "_layer_chains_folded" if fold_batch_norm else "_layer_chains"
    cached = model.__dict__.get(key)
    if cached is not None and cached[0] is model._nodes:
        return cached[1]
    readers = {}
    for node in model._nodes:
        for t in node.parent_tensors:
            readers.setdefault(id(t), []).append(node)
    outputs = {id(t) for t in flatten_structure(model._outputs_struct)}

    def next_node(node, accepts):
        """The one node reading this node's single output, when nothing else reads it and `accepts`
        its layer (else None)."""
        out = flatten_structure(node.outputs)
        if len(out) != 1 or id(out[0]) in outputs:
            return None
        nodes = readers.get(id(out[0]), [])
        if len(nodes) == 1 and single_input(nodes[0]) is out[0] and accepts(nodes[0].layer):
            return nodes[0]
        return None

    chains = {}
    for node in model._nodes:
        if not _plain_conv(node.layer) or single_input(node) is None:
            continue
        linear = activations.fused_name(node.layer.activation, "conv2d_bias_act") == "linear"
        found = {}
        last = node
        for name, accepts, allowed in (("batch_norm", _plain_batch_norm, fold_batch_norm and linear),
                                       ("relu", _plain_relu, linear),
                                       ("pool", _plain_pool, True)):
            following = next_node(last, accepts) if allowed else None
            if following is not None:
                found[name] = following
                last = following
        if not found:
            continue
        chains[id(node)] = Chain(node.layer, *(found[k].layer if k in found else None
                                               for k in ("batch_norm", "relu", "pool")),
                                 {id(n) for n in found.values()}, flatten_structure(last.outputs)[0])
    taken = set().union(*(chain.skipped for chain in chains.values())) if chains else set()
    for node in model._nodes:
        if id(node) in taken or not _plain_relu(node.layer) or single_input(node) is None:
            continue
        pool = next_node(node, _channels_last_max_pool)
        if pool is not None:
            chains[id(node)] = ReluPoolChain(node.layer, pool.layer, {id(pool)}, flatten_structure(pool.outputs)[0])
    model.__dict__[key] = (model._nodes, chains)
    return chains
