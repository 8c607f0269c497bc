"""Recurrent layers: RNN (any cell run over a sequence), SimpleRNN, LSTM and GRU.

`RNN(cell)` calls the cell once per time step: differentiable through the
tape, for any cell, including a user's Layer with `state_size` and
call(inputs, states). SimpleRNN, LSTM and GRU are RNNs around their Keras
cell; they project the inputs of every step in one matrix product and run the
recurrence as one fused op (deepgrad.ops.recurrent) when the activations are
among the op's, falling back to the cell loop otherwise.

Behaviour follows Keras 3: a mask (batch, timesteps) from Embedding(mask_zero=True)
or Masking makes a masked step keep the states and repeat the previous output
(zeros before the first unmasked step); go_backwards processes the steps from
the last and returns the outputs in that order; stateful layers keep their
last states as the next batch's initial states until reset_states().
"""
from ... import ops
from ...backend import xp
from ...ops import recurrent as recurrent_ops
from ...tensor import Tensor, as_tensor
from ...variable import Variable
from .. import activations, regularizers
from .core import _serialize
from .input_spec import InputSpec
from .keras_tensor import flatten_structure, map_structure
from .layer import Layer, _call_accepts
from .rnn_cells import (
    DropoutRNNCell, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells, is_nested, project,
)
from ..saving.serialization_lib import deserialize_layer, serialize_layer


def first_shape(input_shape):
    """The sequences' shape from a layer's input shape (a list when initial states came along)."""
    if input_shape and isinstance(input_shape[0], (tuple, list)):
        return tuple(input_shape[0])
    return tuple(input_shape)


def sequence_mask(mask):
    """The (batch, timesteps) boolean array of a mask given as a tensor, an array or a list of them."""
    if mask is None:
        return None
    mask = flatten_structure(mask)[0]
    return None if mask is None else xp.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)


def _against(keep, x):
    """keep (batch,) shaped to broadcast against x (batch, ...)."""
    return keep.reshape(keep.shape + (1,) * (x.ndim - 1))


def run_steps(step, sequences, states, mask=None, go_backwards=False, zero_output_for_mask=False,
              return_sequences=True):
    """Run step(inputs_t, states) -> (output_t, new_states) over axis 1 of `sequences` (Keras' backend.rnn).

    Where mask[:, t] is False the states stay as they were and the output repeats
    the previous step's (zeros before the first step, or always with
    zero_output_for_mask). Returns (last output, the outputs stacked on axis 1 in
    processing order or None unless return_sequences, the last states).
    """
    steps = sequences.shape[1]
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs, previous = [], None
    for t in order:
        output, new_states = step(sequences[:, t], states)
        if mask is not None:
            keep = mask[:, t]
            if previous is None or zero_output_for_mask:
                previous = Tensor(xp.zeros(output.shape, dtype=output.dtype))
            output = ops.where(_against(keep, output), output, previous)
            new_states = map_structure(lambda new, old: ops.where(_against(keep, new), new, old),
                                       new_states, states)
            previous = output
        if return_sequences or not outputs:
            outputs.append(output)
        else:
            outputs[0] = output
        states = new_states
    return outputs[-1], ops.stack(outputs, axis=1) if return_sequences else None, states


class RNN(Layer):
    """Runs a recurrent cell over the time axis of its input.

    Args:
        cell: a cell (SimpleRNNCell, LSTMCell, GRUCell, or any object with
            call(inputs, states) -> (output, new_states) and a `state_size`), or a
            list of cells (run stacked, as StackedRNNCells).
        return_sequences: return the output of every step (batch, timesteps, units)
            instead of the last one (batch, units).
        return_state: also return the last states: [output, *states].
        go_backwards: process the sequence from its last step; the outputs come in that order.
        stateful: keep the last states of each batch as the next batch's initial states
            (the batch size must be fixed: Input(batch_size=...) or batch_input_shape).
        unroll: accepted for Keras compatibility; the result is the same.
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments:
        sequences: (batch, timesteps, features).
        initial_state: a tensor or a list of tensors, the cell's first states.
        mask: (batch, timesteps) booleans, False at the steps to skip; taken from the
            input when a layer such as Embedding(mask_zero=True) attached one.
        training: passed to the cell (its dropout).

    Output shape: (batch, units), or (batch, timesteps, units) with return_sequences;
    with return_state a list [output, state_1, ...], each state (batch, state_size).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(None, 8))
        >>> RNN(LSTMCell(16), return_sequences=True)(x).shape
        (None, None, 16)
    """

    _ndim = None  # the exact input rank required (SimpleRNN, LSTM and GRU: 3); None: at least 3

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if is_nested(cell):
            cell = StackedRNNCells(cell, dtype=kwargs.get("dtype"))
        if not hasattr(cell, "call"):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if not hasattr(cell, "state_size"):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (single integer or list of "
                f"integers, one integer per RNN state). Received: cell={cell}"
            )
        if kwargs.pop("time_major", False):  # tf.keras 2 configs carry time_major (False)
            raise NotImplementedError("deepgrad does not implement time_major=True: inputs are (batch, time, ...)")
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(
                "state_size must be an integer, or a list/tuple of integers (one for each state "
                f"tensor). Received: state_size={state_size}"
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None
        self._expected_batch_size = None
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    # ---- calling ---------------------------------------------------------
    def __call__(self, sequences, initial_state=None, **kwargs):
        self._check_sequences(sequences)
        if initial_state is None:
            return super().__call__(sequences, **kwargs)
        # the initial states travel with the sequences, as inputs of the functional graph's node
        return super().__call__([sequences] + flatten_structure(initial_state), **kwargs)

    def _check_sequences(self, sequences):
        seq = sequences[0] if is_nested(sequences) else sequences
        shape = tuple(getattr(seq, "shape", None) or xp.shape(seq))
        ndim = len(shape)
        if ndim < 3 or (self._ndim is not None and ndim != self._ndim):
            expected = f"ndim={self._ndim}" if self._ndim is not None else "min_ndim=3"
            hint = {
                2: " A single sequence (timesteps, features) needs a batch axis (x[None]); one "
                   "feature per step needs a last axis of size 1 (x[..., None]).",
                4: " A sequence of images goes through TimeDistributed layers (e.g. TimeDistributed"
                   "(Flatten())) first.",
            }.get(ndim, "")
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected {expected}, '
                f"found ndim={ndim}. Full shape received: {shape}. {type(self).__name__} expects "
                f"inputs of shape (batch, timesteps, features).{hint}"
            )
        if self.unroll and shape[1] is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If using a Sequential "
                "model, specify the time dimension by passing an `Input()` as your first layer.\n"
                "- If using the functional API, specify the time dimension by passing a `shape` or "
                "`batch_shape` argument to your `Input()`."
            )

    def build(self, input_shape):
        sequences_shape = first_shape(input_shape)
        if isinstance(self.cell, Layer):
            self.cell._maybe_build((sequences_shape[0],) + sequences_shape[2:])
        if self.stateful:
            batch_size = sequences_shape[0]
            if batch_size is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. Found "
                    f"dynamic batch size: sequence.shape={sequences_shape}"
                )
            self.states = map_structure(
                lambda s: Variable(s.data, trainable=False, name=f"{self.name}/rnn_state"),
                self.get_initial_state(batch_size),
            )
            self._expected_batch_size = batch_size
        self.built = True

    def get_initial_state(self, batch_size):
        """Zero states for a batch: the cell's get_initial_state, else zeros of each state_size."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is None:
            return [Tensor(xp.zeros((batch_size, d), dtype=self._state_dtype)) for d in self.state_size]
        state = make(batch_size=batch_size)
        return list(state) if is_nested(state) else [state]

    @property
    def _state_dtype(self):
        return getattr(self.cell, "dtype", self.dtype)

    def _as_state(self, x):
        t = x if isinstance(x, Tensor) else as_tensor(x)
        return t if t.dtype == self._state_dtype else t.astype(self._state_dtype)

    def _pack_states(self, flat):
        """Flat state tensors in the nesting of state_size (one list per multi-state cell)."""
        flat, packed = list(flat), []
        for size in self.state_size:
            if is_nested(size):
                packed.append(flat[:len(size)])
                flat = flat[len(size):]
            else:
                packed.append(flat.pop(0))
        return packed

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if is_nested(sequences):
            sequences, initial_state = sequences[0], self._pack_states(sequences[1:])
        mask = sequence_mask(mask)
        batch_size = sequences.shape[0]
        if self.stateful and batch_size != self._expected_batch_size:
            raise ValueError(
                "If an RNN is stateful, the batch size of the input sequences must be the same as "
                f"the batch size of the initial state. \n- Expected batch size: "
                f"{self._expected_batch_size}\n- Received batch size: {batch_size}"
            )
        if initial_state is None and self.stateful:
            # copies: the graph of this batch must not see the values assign() writes afterwards
            initial_state = map_structure(lambda var: Tensor(var.data.copy()), self.states)
        elif initial_state is None:
            initial_state = self.get_initial_state(batch_size)
        initial_state = list(initial_state) if is_nested(initial_state) else [initial_state]
        initial_state = map_structure(self._as_state, initial_state)
        try:
            last_output, outputs, states = self.inner_loop(sequences, initial_state, mask, training)
        finally:
            self._reset_dropout_masks()
        if self.stateful:
            for var, value in zip(flatten_structure(self.states), flatten_structure(states)):
                var.assign(value.data)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """(last output, outputs or None, last states) of the cell run step by step."""
        kwargs = {}
        if isinstance(self.cell, Layer) and _call_accepts(type(self.cell), "training"):
            kwargs["training"] = training
        call = self.cell if callable(self.cell) else self.cell.call

        def step(inputs, states):
            output, new_states = call(inputs, states, **kwargs)
            return output, new_states if is_nested(new_states) else [new_states]

        return run_steps(step, sequences, initial_state, mask, self.go_backwards,
                         self.zero_output_for_mask, self.return_sequences)

    def _reset_dropout_masks(self):
        if isinstance(self.cell, DropoutRNNCell):
            self.cell.reset_dropout_mask()
            self.cell.reset_recurrent_dropout_mask()
        elif isinstance(self.cell, StackedRNNCells):
            self.cell.reset_dropout_masks()

    # ---- shapes, masks, states ---------------------------------------------
    def compute_output_shape(self, input_shape):
        batch_size, length = first_shape(input_shape)[:2]
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = flatten_structure(self.state_size)[0]
        output_shape = (batch_size, length, output_size) if self.return_sequences else (batch_size, output_size)
        if self.return_state:
            return [output_shape] + [(batch_size, s) for s in flatten_structure(self.state_size)]
        return output_shape

    def compute_mask(self, inputs, mask=None):
        mask = flatten_structure(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(flatten_structure(self.state_size))
        return output_mask

    def reset_state(self):
        """Zero the states a stateful layer keeps between batches."""
        if self.states is not None:
            for var in flatten_structure(self.states):
                var.assign(xp.zeros_like(var.data))

    reset_states = reset_state

    # ---- config ----------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_layer(self.cell),
        })
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _cell_attribute(name):
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


class _KerasRNN(RNN):
    """What SimpleRNN, LSTM and GRU share: 3-D inputs, the cell's arguments as attributes, a flat config."""

    _ndim = 3

    def __init__(self, cell, return_sequences, return_state, go_backwards, stateful, unroll, **kwargs):
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    units = _cell_attribute("units")
    activation = _cell_attribute("activation")
    use_bias = _cell_attribute("use_bias")
    kernel_initializer = _cell_attribute("kernel_initializer")
    recurrent_initializer = _cell_attribute("recurrent_initializer")
    bias_initializer = _cell_attribute("bias_initializer")
    kernel_regularizer = _cell_attribute("kernel_regularizer")
    recurrent_regularizer = _cell_attribute("recurrent_regularizer")
    bias_regularizer = _cell_attribute("bias_regularizer")
    kernel_constraint = _cell_attribute("kernel_constraint")
    recurrent_constraint = _cell_attribute("recurrent_constraint")
    bias_constraint = _cell_attribute("bias_constraint")
    dropout = _cell_attribute("dropout")
    recurrent_dropout = _cell_attribute("recurrent_dropout")

    def inner_loop(self, sequences, initial_state, mask, training=False):
        """The whole sequence as one fused op: all input projections in one product, then the recurrence.

        Dropout masks are the cell's (one per sequence, per gate when Keras draws
        one per gate); activations the op lacks fall back to the cell loop.
        """
        names = self._fused_activations()
        if names is None:
            return super().inner_loop(sequences, initial_state, mask, training)
        cell = self.cell
        input_masks = cell.input_dropout_masks(sequences.data[:, 0], training)
        recurrent_mask = cell.recurrent_dropout_masks(initial_state[0].data, training)
        if input_masks is None and recurrent_mask is None and self._fused_inputs_op is not None:
            outputs, *states = self._fused_inputs_op(sequences, initial_state, mask=mask,
                                                     go_backwards=self.go_backwards, **names)
        else:
            x_proj = project(sequences, cell.kernel, input_masks, bias=self._input_bias())
            if isinstance(recurrent_mask, list):
                recurrent_mask = xp.stack(recurrent_mask)
            outputs, *states = self._fused_op(x_proj, initial_state, mask=mask, go_backwards=self.go_backwards,
                                              recurrent_mask=recurrent_mask, **names)
        if mask is None:
            return states[0], outputs, states
        if self.zero_output_for_mask:
            processed = mask[:, ::-1] if self.go_backwards else mask
            outputs = ops.where(processed[..., None], outputs, 0.0)
        # the last output, not the last state: zeros for a sequence masked throughout, as Keras
        return outputs[:, -1], outputs, states

    def _fused_activations(self):
        op = self._fused_op_name
        names = {"activation": activations.fused_name(self.cell.activation, op)}
        if hasattr(self.cell, "recurrent_activation"):
            names["recurrent_activation"] = activations.fused_name(self.cell.recurrent_activation, op)
        return None if None in names.values() else names

    def _input_bias(self):
        return self.cell.bias

    # The op that takes the inputs themselves, projecting them inside the recurrence (LSTM), when
    # there is no dropout: called as (sequences, states, mask=, go_backwards=, activations).
    _fused_inputs_op = None

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            del cell_config[key]
        config.update(cell_config)
        config["activity_regularizer"] = _serialize(regularizers, self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _cell_kwargs(kwargs):
    """The layer arguments a Keras RNN layer hands on to its cell."""
    return {"dtype": kwargs.get("dtype"), "trainable": kwargs.get("trainable", True)}


class SimpleRNN(_KerasRNN):
    """Fully connected RNN whose output is fed back as its next input.

    h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias).

    Args:
        units: positive int, the size of the output.
        activation: default 'tanh' (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: default
            'glorot_uniform', 'orthogonal', 'zeros'.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties added to the loss.
        activity_regularizer: accepted and ignored, as by Keras 3's SimpleRNN (which never
            hands it on: no penalty, and None in its config).
        kernel_constraint, recurrent_constraint, bias_constraint: constraints on the weights.
        dropout, recurrent_dropout: fractions of the inputs and of the recurrent state
            dropped in training (one mask per sequence).
        return_sequences, return_state, go_backwards, stateful, unroll: as RNN.
        seed: int, for reproducible dropout masks.

    Call arguments: sequences (batch, timesteps, features), initial_state, mask, training.

    Output shape: (batch, units), or (batch, timesteps, units) with return_sequences.

    Weights: `kernel` (features, units), `recurrent_kernel` (units, units), `bias` (units,).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(10, 8))
        >>> SimpleRNN(4)(x).shape
        (None, 4)
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="simple_rnn_cell", **_cell_kwargs(kwargs),
        )
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["seed"]  # as Keras' SimpleRNN (its cell's config keeps it)
        return config

    _fused_op_name = "simple_rnn"

    def _fused_op(self, x_proj, states, **kwargs):
        return recurrent_ops.simple_rnn(x_proj, states[0], self.cell.recurrent_kernel, **kwargs)


class LSTM(_KerasRNN):
    """Long short-term memory layer (Hochreiter 1997), Keras' gates i, f, c, o.

    Args:
        units: positive int, the size of the output and of each state.
        activation: of the candidate and of the cell state (default 'tanh').
        recurrent_activation: of the gates (default 'sigmoid').
        use_bias: whether to add a bias vector.
        unit_forget_bias: initialise the forget gate's bias to ones (default True).
        kernel_initializer, recurrent_initializer, bias_initializer, the regularizers,
        the constraints, dropout, recurrent_dropout, seed: as SimpleRNN.
        return_sequences, return_state, go_backwards, stateful, unroll: as RNN.
        use_cudnn: accepted for Keras compatibility ('auto', True or False).

    Call arguments: sequences (batch, timesteps, features), initial_state [h, c], mask, training.

    Output shape: (batch, units), or (batch, timesteps, units) with return_sequences;
    with return_state [output, h, c].

    Weights: `kernel` (features, 4 units), `recurrent_kernel` (units, 4 units), `bias` (4 units,).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(None, 8))
        >>> output, h, c = LSTM(16, return_state=True)(x)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, unit_forget_bias=unit_forget_bias,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, name="lstm_cell",
            implementation=kwargs.pop("implementation", 2), **_cell_kwargs(kwargs),
        )
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        _check_use_cudnn(use_cudnn)
        self.use_cudnn = use_cudnn

    recurrent_activation = _cell_attribute("recurrent_activation")
    unit_forget_bias = _cell_attribute("unit_forget_bias")

    _fused_op_name = "lstm"

    def _fused_op(self, x_proj, states, **kwargs):
        return recurrent_ops.lstm(x_proj, states[0], states[1], self.cell.recurrent_kernel, **kwargs)

    def _fused_inputs_op(self, sequences, states, **kwargs):
        cell = self.cell
        return recurrent_ops.lstm_from_inputs(sequences, cell.kernel, cell.bias, states[0], states[1],
                                              cell.recurrent_kernel, **kwargs)


class GRU(_KerasRNN):
    """Gated recurrent unit (Cho et al. 2014), Keras' gates z, r, h.

    Args:
        units: positive int, the size of the output and of the state.
        activation: of the candidate (default 'tanh').
        recurrent_activation: of the gates (default 'sigmoid').
        reset_after: apply the reset gate after the recurrent product (default True,
            cuDNN's form, with a bias of shape (2, 3 units): input bias, recurrent bias).
        use_bias, the initializers, regularizers and constraints, dropout,
        recurrent_dropout, seed: as SimpleRNN.
        return_sequences, return_state, go_backwards, stateful, unroll: as RNN.
        use_cudnn: accepted for Keras compatibility.

    Call arguments: sequences (batch, timesteps, features), initial_state, mask, training.

    Output shape: (batch, units), or (batch, timesteps, units) with return_sequences.

    Weights: `kernel` (features, 3 units), `recurrent_kernel` (units, 3 units),
    `bias` (2, 3 units) with reset_after, else (3 units,).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(20, 8))
        >>> GRU(16, return_sequences=True)(x).shape
        (None, 20, 16)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            reset_after=reset_after, seed=seed, name="gru_cell",
            implementation=kwargs.pop("implementation", 2), **_cell_kwargs(kwargs),
        )
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        _check_use_cudnn(use_cudnn)
        self.use_cudnn = use_cudnn

    recurrent_activation = _cell_attribute("recurrent_activation")
    reset_after = _cell_attribute("reset_after")

    def _input_bias(self):
        return self.cell.split_bias()[0]

    _fused_op_name = "gru"

    def _fused_op(self, x_proj, states, **kwargs):
        return recurrent_ops.gru(x_proj, states[0], self.cell.recurrent_kernel,
                                 recurrent_bias=self.cell.split_bias()[1], reset_after=self.cell.reset_after,
                                 **kwargs)


def _check_use_cudnn(use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            "Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, False}. "
            f"Received: use_cudnn={use_cudnn}"
        )
