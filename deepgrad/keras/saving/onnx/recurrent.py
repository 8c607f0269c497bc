"""SimpleRNN, LSTM, GRU and Bidirectional -> ONNX RNN, LSTM and GRU.

ONNX's recurrent ops run time-major (X (T, N, F), Y (T, directions, N, H),
Y_h and Y_c (directions, N, H)): the sequences are transposed in, and Y out
to Keras' (N, T, H). Weights, one direction each:
    W = kernel^T (gates * H, F), R = recurrent_kernel^T (gates * H, H),
    B = [input bias, recurrent bias] (2 * gates * H), zeros where Keras has none;
Keras' LSTM gates (i, f, c, o) are reordered to ONNX's (i, o, f, c); GRU's
(z, r, h) is ONNX's order, and reset_after=True (Keras' default) is
linear_before_reset=1. go_backwards is direction='reverse'; ONNX gives that Y
in time order, while Keras returns it in processing order, so the sequence
output is reversed along time (Slice with step -1), except for the backward
half of a Bidirectional, which Keras puts back in time order itself.
"""
from ....backend import xp
from ... import activations
from ...layers.bidirectional import Bidirectional
from ...layers.recurrent import GRU, LSTM, SimpleRNN
from .graph import Value

INT64_MIN = -(2 ** 63)

_OPS = {SimpleRNN: "RNN", LSTM: "LSTM", GRU: "GRU"}

RNN_ACTIVATIONS = {activations.sigmoid: "Sigmoid", activations.tanh: "Tanh", activations.relu: "Relu"}


def _activations(layer):
    """ONNX's `activations` attribute: RNN (f), GRU (f, g), LSTM (f, g, h)."""
    cell = layer.cell
    if isinstance(layer, SimpleRNN):
        fns = [cell.activation]
    elif isinstance(layer, GRU):
        fns = [cell.recurrent_activation, cell.activation]
    else:
        fns = [cell.recurrent_activation, cell.activation, cell.activation]
    for fn in fns:
        if fn not in RNN_ACTIVATIONS:
            raise NotImplementedError(
                f"deepgrad does not implement ONNX export of layer '{layer.name}' ({type(layer).__name__}) "
                f"with the activation {getattr(fn, '__name__', repr(fn))!r}; its recurrent ops take "
                f"{', '.join(sorted(f.__name__ for f in RNN_ACTIVATIONS))}"
            )
    return [RNN_ACTIVATIONS[fn] for fn in fns]


def _weights(layer):
    """W (1, gates * H, F), R (1, gates * H, H) and B (1, 2 * gates * H) or None, in ONNX's gate order."""
    cell = layer.cell
    kernel, recurrent, units = cell.kernel.data, cell.recurrent_kernel.data, cell.units
    input_bias = None if cell.bias is None else cell.bias.data
    recurrent_bias = None
    if isinstance(layer, LSTM):
        order = xp.concatenate([xp.arange(start * units, (start + 1) * units) for start in (0, 3, 1, 2)])
        kernel, recurrent = kernel[:, order], recurrent[:, order]
        input_bias = None if input_bias is None else input_bias[order]
    elif isinstance(layer, GRU) and cell.reset_after and input_bias is not None:
        input_bias, recurrent_bias = input_bias[0], input_bias[1]
    bias = None
    if input_bias is not None:
        if recurrent_bias is None:
            recurrent_bias = xp.zeros_like(input_bias)
        bias = xp.concatenate([input_bias, recurrent_bias])[None]
    return kernel.T[None], recurrent.T[None], bias


def _run(b, layer, sequences, initial_states, reverse):
    """`layer` over the time-major `sequences`: its output in Keras' layout, and its last states (N, H)
    when it returns them (return_state), else [].

    `initial_states` are Values (N, H) or empty (zeros); `reverse` turns the
    sequence output (with return_sequences) back to front along time.
    """
    if layer.stateful:
        raise NotImplementedError(
            f"deepgrad does not implement ONNX export of stateful recurrent layers: layer '{layer.name}' "
            f"({type(layer).__name__}) has stateful=True"
        )
    op_type = _OPS[type(layer)]
    kernel, recurrent, bias = _weights(layer)
    inputs = [sequences, b.weight(layer, "W", kernel), b.weight(layer, "R", recurrent),
              "" if bias is None else b.weight(layer, "B", bias), ""]
    inputs += [b.unsqueeze(b.keras(state), [0]) for state in initial_states]
    while not inputs[-1]:
        inputs.pop()
    attributes = dict(hidden_size=layer.cell.units, activations=_activations(layer),
                      direction="reverse" if layer.go_backwards else "forward")
    if isinstance(layer, GRU):
        attributes["linear_before_reset"] = int(layer.cell.reset_after)
    y, *last = b.op(op_type, inputs, n_outputs=3 if isinstance(layer, LSTM) else 2, **attributes)
    states = [b.squeeze(s, [0]) for s in last] if layer.return_state else []
    if not layer.return_sequences:
        return (states[0] if states else b.squeeze(last[0], [0])), states
    y = b.squeeze(y, [1])
    if reverse:
        y = b.op("Slice", [y, b.ints([-1]), b.ints([INT64_MIN]), b.ints([0]), b.ints([-1])])
    return b.op("Transpose", [y], perm=(1, 0, 2)), states


def _time_major(b, value):
    """The sequences (N, T, F) as (T, N, F); straight from channels-first (N, F, T) after a Conv1D."""
    if value.channels_first:
        return b.op("Transpose", [b.layout(value, True)], perm=(2, 0, 1))
    return b.op("Transpose", [b.keras(value)], perm=(1, 0, 2))


def recurrent(b, layer, inputs, outputs):
    """SimpleRNN -> RNN, LSTM -> LSTM, GRU -> GRU (see the module docstring); inputs after the
    sequences are the initial states; outputs [output] or, with return_state, [output, *states]."""
    output, states = _run(b, layer, _time_major(b, inputs[0]), inputs[1:], layer.go_backwards)
    names = [output] + states
    return [Value.of(kt, name) for kt, name in zip(outputs, names)]


def bidirectional(b, layer, inputs, outputs):
    """Bidirectional -> the forward and the backward layer's ops on the same time-major input, merged
    by merge_mode: 'concat' -> Concat, 'sum' -> Add, 'ave' -> Add then Div by 2, 'mul' -> Mul,
    None -> both outputs; with return_state the forward, then the backward states follow."""
    forward, backward = layer.forward_layer, layer.backward_layer
    for sub in (forward, backward):
        if type(sub) not in _OPS:
            raise NotImplementedError(
                f"deepgrad does not implement ONNX export of layer '{layer.name}' (Bidirectional) around "
                f"layer '{sub.name}' ({type(sub).__name__}); it exports SimpleRNN, LSTM and GRU"
            )
    sequences = _time_major(b, inputs[0])
    half = (len(inputs) - 1) // 2
    scope = b.scope
    b.scope = f"{scope}/{forward.name}"
    y, forward_states = _run(b, forward, sequences, inputs[1:1 + half], forward.go_backwards)
    b.scope = f"{scope}/{backward.name}"
    y_rev, backward_states = _run(b, backward, sequences, inputs[1 + half:], not backward.go_backwards)
    b.scope = scope
    if layer.merge_mode == "concat":
        merged = [b.op("Concat", [y, y_rev], axis=-1)]
    elif layer.merge_mode == "sum":
        merged = [b.op("Add", [y, y_rev])]
    elif layer.merge_mode == "ave":
        merged = [b.op("Div", [b.op("Add", [y, y_rev]), b.scalar(2.0)])]
    elif layer.merge_mode == "mul":
        merged = [b.op("Mul", [y, y_rev])]
    else:
        merged = [y, y_rev]
    names = merged + forward_states + backward_states
    return [Value.of(kt, name) for kt, name in zip(outputs, names)]


CONVERTERS = {SimpleRNN: recurrent, LSTM: recurrent, GRU: recurrent, Bidirectional: bidirectional}
