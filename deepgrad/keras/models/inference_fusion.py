"""Conv2D -> BatchNormalization (-> ReLU) of a functional graph run as one convolution at inference.

At inference BatchNormalization is a per-channel affine map, y = x s + t with
s = gamma / sqrt(moving_variance + epsilon) and t = beta - moving_mean s. After
a Conv2D without activation it folds into the convolution's weights,

    (conv(x, k) + b) s + t  =  conv(x, k s) + (b s + t),

and a ReLU after it into the convolution's blocks (conv2d_bias_act). When a
model runs its graph neither training nor recording gradients (predict,
evaluate, a call under no_grad), each such chain whose inner outputs feed
nothing else (no other layer, no model output) is computed as that one op: the
batch norm's and the ReLU's passes over the activations are gone. Measured on
the bench's BatchNorm CNN at batch 256: 43 ms a batch layer by layer, 31 fused.
The numbers differ from the layer-by-layer ones by rounding only (float32:
about 1e-6 relative); a call that records gradients runs every layer as written.

Only the built-in layers take part (Conv2D with groups=1, channels last and its
own convolution; BatchNormalization over the last axis; ReLU() with its
defaults or Activation('relu')), and none whose `call` was replaced on the
instance (deepgrad.inspect's recorders).
"""
from ...ops import conv as conv_ops
from .. import activations
from ..layers.activation_layers import ReLU
from ..layers.convolutional import Conv2D, _Conv
from ..layers.core import Activation
from ..layers.keras_tensor import KerasTensor, flatten_structure
from ..layers.normalization import BatchNormalization


class Chain:
    """One fusable chain: its Conv2D and BatchNormalization layers, whether a ReLU ends it,
    and the nodes after the first (skipped) and the tensor the chain's result stands for."""

    def __init__(self, conv, batch_norm, relu, skipped, output):
        self.conv = conv
        self.batch_norm = batch_norm
        self.relu = relu
        self.skipped = skipped
        self.output = output

    def __call__(self, x):
        """relu?(batch_norm(conv(x))) as one conv2d_bias_act with the folded kernel and bias."""
        conv, bn = self.conv, self.batch_norm
        dtype = conv.kernel.data.dtype
        inv = 1 / (bn.moving_variance.data.astype(dtype) + dtype.type(bn.epsilon)) ** 0.5
        scale = inv if bn.gamma is None else inv * bn.gamma.data
        shift = -bn.moving_mean.data.astype(dtype) * scale
        if bn.beta is not None:
            shift = shift + bn.beta.data
        bias = shift if conv.bias is None else conv.bias.data * scale + shift
        return conv_ops.conv2d_bias_act(x, conv.kernel.data * scale, bias.astype(dtype), conv.strides,
                                        conv.padding, conv.dilation_rate,
                                        activation="relu" if self.relu else None)


def _own_call(layer):
    return "call" not in layer.__dict__


def _plain_conv(layer):
    return (type(layer) is Conv2D and _own_call(layer) and layer.groups == 1
            and getattr(layer, "data_format", "channels_last") == "channels_last"
            and type(layer).convolution_op is _Conv.convolution_op and layer.activation is activations.linear)


def _plain_batch_norm(layer):
    return type(layer) is BatchNormalization and _own_call(layer) and layer.axis in (-1, 3)


def _plain_relu(layer):
    if not _own_call(layer):
        return False
    if type(layer) is ReLU:
        return layer.max_value is None and layer.negative_slope == 0 and layer.threshold == 0
    return type(layer) is Activation and activations.fused_name(layer.activation, "conv2d_bias_act") == "relu"


def single_input(node):
    """The node's one input tensor when it takes exactly that and nothing else (else None)."""
    if isinstance(node.inputs, KerasTensor) and not node.args and set(node.kwargs) <= {"training"}:
        return node.inputs
    if (isinstance(node.inputs, (list, tuple)) and len(node.inputs) == 1 and isinstance(node.inputs[0], KerasTensor)
            and not node.args and set(node.kwargs) <= {"training"}):
        return node.inputs[0]
    return None


def inference_chains(model):
    """{id(first node): Chain} for the model's graph, computed once per model."""
    cached = model.__dict__.get("_inference_chains")
    if cached is not None:
        return cached
    readers = {}
    for node in model._nodes:
        for t in node.parent_tensors:
            readers.setdefault(id(t), []).append(node)
    outputs = {id(t) for t in flatten_structure(model._outputs_struct)}

    def only_reader(node):
        """The one node reading this node's single output, when nothing else (no output) does."""
        out = flatten_structure(node.outputs)
        if len(out) != 1 or id(out[0]) in outputs:
            return None
        nodes = readers.get(id(out[0]), [])
        return nodes[0] if len(nodes) == 1 and single_input(nodes[0]) is out[0] else None

    chains = {}
    for node in model._nodes:
        if not _plain_conv(node.layer) or single_input(node) is None:
            continue
        bn_node = only_reader(node)
        if bn_node is None or not _plain_batch_norm(bn_node.layer):
            continue
        relu_node = only_reader(bn_node)
        if relu_node is not None and not _plain_relu(relu_node.layer):
            relu_node = None
        last = relu_node or bn_node
        skipped = {id(bn_node)} | ({id(relu_node)} if relu_node is not None else set())
        chains[id(node)] = Chain(node.layer, bn_node.layer, relu_node is not None, skipped,
                                 flatten_structure(last.outputs)[0])
    model.__dict__["_inference_chains"] = chains
    return chains
