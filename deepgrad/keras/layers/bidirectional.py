"""Bidirectional: a recurrent layer run forwards and backwards over a sequence, outputs merged."""
from ... import ops
from .keras_tensor import flatten_structure
from .layer import Layer
from .recurrent import first_shape
from .rnn_cells import is_nested
from ..saving.serialization_lib import deserialize_layer, serialize_layer
from .wrappers import clone_layer

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _removeprefix(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Runs a copy of a recurrent layer over the sequence forwards and another backwards.

    The backward copy processes the steps from the last; with return_sequences its
    outputs are put back in time order before merging, so step t of the output
    sees the forward pass up to t and the backward pass from the end down to t.
    Masked steps output zeros in both copies (zero_output_for_mask is forced to
    return_sequences, as Keras).

    Args:
        layer: an RNN instance (LSTM, GRU, SimpleRNN or RNN(cell)); it is copied
            from its config into `forward_layer` (named 'forward_<name>') and, unless
            backward_layer is given, into `backward_layer` with go_backwards=True.
        merge_mode: how the two outputs combine: 'concat' (default, the last axis
            doubles), 'sum', 'mul', 'ave', or None (a list [forward, backward]).
        weights: optional list of arrays: the forward layer's, then the backward
            layer's, assigned when the layer is built.
        backward_layer: optional RNN instance for the backward direction; its
            go_backwards must differ from `layer`'s, and stateful, return_sequences
            and return_state must agree.

    Call arguments:
        sequences: (batch, timesteps, features).
        initial_state: the forward layer's states followed by the backward layer's.
        mask: (batch, timesteps) booleans. training: passed to both layers.

    Output: the merged output; with return_state a list [output, *forward_states,
    *backward_states] ([forward_output, backward_output, *states] when merge_mode is None).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(5, 10))
        >>> Bidirectional(LSTM(8, return_sequences=True))(x).shape
        (None, 5, 16)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: {backward_layer}"
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        super().__init__(**kwargs)
        self.forward_layer = clone_layer(layer, name=f"forward_{_removeprefix(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = clone_layer(
                layer, go_backwards=True, name=f"backward_{_removeprefix(layer.name, 'backward_')}"
            )
        self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards {forward.go_backwards}, "
                f"backward_layer.go_backwards={backward.go_backwards}"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attr) != getattr(backward, attr):
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for "
                    f'attribute "{attr}", got "{getattr(forward, attr)}" for forward layer and '
                    f'"{getattr(backward, attr)}" for backward layer'
                )

    def build(self, input_shape):
        sequences_shape = first_shape(input_shape)
        self.forward_layer._maybe_build(sequences_shape)
        self.backward_layer._maybe_build(sequences_shape)
        if self._initial_weights:
            half = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:half])
            self.backward_layer.set_weights(self._initial_weights[half:])
            self._initial_weights = None
        self.built = True

    def __call__(self, sequences, initial_state=None, **kwargs):
        if initial_state is None:
            return super().__call__(sequences, **kwargs)
        # the initial states travel with the sequences, as inputs of the functional graph's node
        return super().__call__([sequences] + flatten_structure(initial_state), **kwargs)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if is_nested(sequences):
            sequences, initial_state = sequences[0], list(sequences[1:])
        if mask is not None:
            mask = flatten_structure(mask)[0]
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask, training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            output = [ops.concat([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            output = [y + y_rev]
        elif self.merge_mode == "ave":
            output = [(y + y_rev) / 2]
        elif self.merge_mode == "mul":
            output = [y * y_rev]
        else:
            output = [y, y_rev]
        if self.return_state or self.merge_mode is None:
            return output + states
        return output[0]

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(first_shape(input_shape))
        state_shapes = []
        if self.return_state:
            output_shape, state_shapes = output_shape[0], list(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = output_shape[:-1] + (2 * output_shape[-1],)
        outputs = [output_shape, output_shape] if self.merge_mode is None else [output_shape]
        if self.return_state or self.merge_mode is None:
            return outputs + state_shapes + state_shapes
        return output_shape

    def compute_mask(self, inputs, mask=None):
        mask = flatten_structure(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            masks += [None] * (2 * len(flatten_structure(self.forward_layer.state_size)))
        return masks if len(masks) > 1 else masks[0]

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def reset_state(self):
        """Zero the states of both directions (stateful layers only)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self):
        config = super().get_config()
        config.update({
            "merge_mode": self.merge_mode,
            "layer": serialize_layer(self.forward_layer),
            "backward_layer": serialize_layer(self.backward_layer),
        })
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"], custom_objects)
        return cls(**config)
