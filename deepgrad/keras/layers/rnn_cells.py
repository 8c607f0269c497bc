"""Recurrent cells: one time step of SimpleRNN, LSTM and GRU, and StackedRNNCells.

A cell maps the inputs of step t and the states of step t-1 to the output and
the states of step t: `call(inputs, states, training=False) -> (output,
new_states)`, and says how big its states are (`state_size`, an int or one int
per state) and its output (`output_size`). `keras.layers.RNN` runs any cell
over a sequence; SimpleRNN, LSTM and GRU give their cell's weights to the
fused sequence ops of deepgrad.ops.recurrent instead when those apply.

Weights are Keras' (names, shapes, gate order), so get_weights/set_weights
carry over between the two: `kernel` (input_dim, k * units), `recurrent_kernel`
(units, k * units) and `bias` (k * units,), with k = 1 (SimpleRNN), 4 (LSTM,
gates i, f, c, o) or 3 (GRU, gates z, r, h; its bias is (2, 3 * units) when
reset_after=True: the input bias, then the recurrent bias).
"""
from ... import ops
from ...ops import fused as fused_ops
from ...backend import xp
from ...tensor import Tensor
from .. import activations, constraints, initializers, regularizers
from .core import _serialize, serialize_activation
from .layer import Layer, _call_accepts
from .regularization import _Seeded
from ..saving.serialization_lib import deserialize_layer, serialize_layer


def is_nested(x):
    return isinstance(x, (list, tuple))


def matmul_last_axis(x, kernel, bias=None):
    """x @ kernel (+ bias) over x's last axis, as one 2-D product whatever x's rank.

    With a bias it is one fused dense_bias_act node: the bias is added in place
    to the product (the same numbers as matmul then add, without the broadcast
    add's second (rows, columns) array and its un-broadcasting sum backward).
    """
    if bias is None and x.ndim == 2:
        return ops.matmul(x, kernel)
    if bias is not None and x.ndim == 2:
        return fused_ops.dense_bias_act(x, kernel, bias)
    lead = x.shape[:-1]
    flat = ops.reshape(x, (-1, x.shape[-1]))
    product = ops.matmul(flat, kernel) if bias is None else fused_ops.dense_bias_act(flat, kernel, bias)
    return ops.reshape(product, lead + (kernel.shape[-1],))


def project(x, kernel, masks=None, bias=None):
    """x @ kernel (+ bias), x first multiplied by a dropout mask.

    `masks` is None, one (batch, features) mask, or a list of them, one per gate
    (each gate's block of kernel columns sees its own mask). x may be one step
    (batch, features) or a whole sequence (batch, timesteps, features): the
    same mask then applies at every step.
    """
    def dropped(mask):
        return x * (mask[:, None, :] if x.ndim == 3 else mask)

    if not isinstance(masks, list):
        return matmul_last_axis(x if masks is None else dropped(masks), kernel, bias)
    blocks = ops.split(kernel, len(masks), axis=1)
    product = ops.concat([matmul_last_axis(dropped(m), k) for m, k in zip(masks, blocks)], axis=-1)
    return product if bias is None else product + bias


def check_units(units):
    if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
        raise ValueError(
            "Received an invalid value for argument `units`, expected a positive integer. "
            f"Received: units={units}"
        )


class DropoutRNNCell:
    """Dropout masks of a recurrent cell: drawn once per sequence, the same at every step (Keras).

    A cell with `dropout_mask_count` set draws that many independent masks, one
    per gate (Keras' implementation=1, which LSTM and GRU use when
    recurrent_dropout > 0). The RNN layer forgets the masks after each sequence.
    """

    dropout_mask_count = None
    _dropout_mask = None
    _recurrent_dropout_mask = None

    def _create_dropout_mask(self, step_input, rate):
        shape, dtype = tuple(step_input.shape), xp.dtype(step_input.dtype)

        def draw():
            if rate >= 1:
                return xp.zeros(shape, dtype=dtype)
            keep = self._random.generator().random(shape) >= rate
            return keep.astype(dtype) * dtype.type(1 / (1 - rate))

        return draw() if self.dropout_mask_count is None else [draw() for _ in range(self.dropout_mask_count)]

    def get_dropout_mask(self, step_input):
        """The mask (or masks) of the inputs, shaped like one step's input; None when dropout is 0."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """The mask (or masks) of the previous output, shaped like it; None when recurrent_dropout is 0."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(state, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None


class _Cell(Layer, DropoutRNNCell):
    """What SimpleRNNCell, LSTMCell and GRUCell share: arguments, weights, dropout and config."""

    gates = 1  # blocks of `units` columns in the kernels

    def __init__(self, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                 bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                 kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                 seed, **kwargs):
        check_units(units)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self._random = _Seeded(seed)
        self.state_size = units
        self.output_size = units
        self.kernel = self.recurrent_kernel = self.bias = None

    def _set_implementation(self, implementation):
        """Keras 3: recurrent dropout forces implementation 1, with one dropout mask per gate."""
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        if self.implementation == 1:
            self.dropout_mask_count = self.gates

    def _build_weights(self, input_shape, bias_shape, bias_initializer):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) needs a known last axis to create its '
                f"kernel. Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.gates * self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, self.gates * self.units),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=bias_shape, initializer=bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self.built = True

    def input_dropout_masks(self, step_input, training):
        """The input dropout mask(s) to apply now, or None (Keras applies them for 0 < dropout < 1)."""
        if training and 0.0 < self.dropout < 1.0:
            return self.get_dropout_mask(step_input)
        return None

    def recurrent_dropout_masks(self, state, training):
        """The recurrent dropout mask(s) to apply now, or None."""
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return self.get_recurrent_dropout_mask(state)
        return None

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if is_nested(self.state_size) else [self.state_size]
        return [Tensor(xp.zeros((batch_size, d), dtype=self.dtype)) for d in sizes]

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": serialize_activation(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize(initializers, self.kernel_initializer),
            "recurrent_initializer": _serialize(initializers, self.recurrent_initializer),
            "bias_initializer": _serialize(initializers, self.bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self.kernel_regularizer),
            "recurrent_regularizer": _serialize(regularizers, self.recurrent_regularizer),
            "bias_regularizer": _serialize(regularizers, self.bias_regularizer),
            "kernel_constraint": _serialize(constraints, self.kernel_constraint),
            "recurrent_constraint": _serialize(constraints, self.recurrent_constraint),
            "bias_constraint": _serialize(constraints, self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Args:
        units: positive int, the size of the output and of the state.
        activation: activation function or name (default 'tanh'; None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers
            ('glorot_uniform', 'orthogonal' and 'zeros' by default).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties on the weights.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints on the weights.
        dropout: fraction of the inputs dropped (one mask per sequence) in training.
        recurrent_dropout: fraction of the previous output dropped (one mask per sequence) in training.
        seed: int, for reproducible dropout masks.

    Call arguments:
        sequence: (batch, features), the inputs of one step.
        states: [h_{t-1}], each (batch, units).
        training: whether dropout applies.

    Returns (output, [output]), output of shape (batch, units).

    Example:
        >>> layer = RNN(SimpleRNNCell(4))   # the same as SimpleRNN(4)
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, **kwargs)

    def build(self, input_shape):
        self._build_weights(input_shape, (self.units,), self.bias_initializer)

    def input_dropout_masks(self, step_input, training):
        # Keras' SimpleRNNCell applies its masks for any dropout > 0 (1.0 drops everything)
        return self.get_dropout_mask(step_input) if training else None

    def recurrent_dropout_masks(self, state, training):
        return self.get_recurrent_dropout_mask(state) if training else None

    def call(self, sequence, states, training=False):
        prev_output = states[0] if is_nested(states) else states
        h = project(sequence, self.kernel, self.input_dropout_masks(sequence, training))
        if self.bias is not None:
            h = h + self.bias
        output = h + project(prev_output, self.recurrent_kernel,
                             self.recurrent_dropout_masks(prev_output, training))
        output = self.activation(output)
        return output, [output] if is_nested(states) else output


class LSTMCell(_Cell):
    """One step of a long short-term memory layer (Hochreiter 1997), Keras' gate order i, f, c, o.

    z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias, split into four blocks of `units`:
    i = ra(z_i), f = ra(z_f), c_t = f * c_{t-1} + i * a(z_c), o = ra(z_o), h_t = o * a(c_t),
    with a = activation and ra = recurrent_activation.

    Args:
        units: positive int, the size of the output and of each state.
        activation: activation of the candidate and of the cell state (default 'tanh').
        recurrent_activation: activation of the gates (default 'sigmoid').
        use_bias: whether to add a bias vector.
        unit_forget_bias: initialise the forget gate's bias to ones (Jozefowicz et al. 2015).
        kernel_initializer, recurrent_initializer, bias_initializer, *_regularizer,
        *_constraint, dropout, recurrent_dropout, seed: as SimpleRNNCell. With
            recurrent_dropout > 0 each gate draws its own masks, as Keras.

    Call arguments:
        inputs: (batch, features). states: [h_{t-1}, c_{t-1}], each (batch, units). training.

    Returns (h_t, [h_t, c_t]).
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self._set_implementation(implementation)
        self.state_size = [units, units]

    def build(self, input_shape):
        bias_initializer = self._forget_bias_ones if self.unit_forget_bias else self.bias_initializer
        self._build_weights(input_shape, (4 * self.units,), bias_initializer)

    def _forget_bias_ones(self, shape, dtype=None):
        """The bias of unit_forget_bias: bias_initializer's values, with ones for the forget gate."""
        units, base = self.units, self.bias_initializer
        return xp.concatenate([
            xp.asarray(base((units,), dtype=dtype)),
            xp.ones((units,), dtype=dtype),
            xp.asarray(base((2 * units,), dtype=dtype)),
        ])

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        z = project(inputs, self.kernel, self.input_dropout_masks(inputs, training))
        z = z + project(h_tm1, self.recurrent_kernel, self.recurrent_dropout_masks(h_tm1, training))
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = serialize_activation(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class GRUCell(_Cell):
    """One step of a gated recurrent unit (Cho et al. 2014), Keras' gate order z, r, h.

    z = ra(x_z + h_{t-1} @ R_z), r = ra(x_r + h_{t-1} @ R_r), h_t = z * h_{t-1} + (1 - z) * hh, where
    hh = a(x_h + r * (h_{t-1} @ R_h + b_rec_h)) with reset_after=True (the default, cuDNN's form)
    or hh = a(x_h + (r * h_{t-1}) @ R_h) with reset_after=False; x = x_t @ kernel + input bias.

    Args:
        units: positive int, the size of the output and of the state.
        activation: activation of the candidate (default 'tanh').
        recurrent_activation: activation of the gates (default 'sigmoid').
        reset_after: apply the reset gate after the recurrent product; the bias then
            has shape (2, 3 * units) (input bias, recurrent bias), else (3 * units,).
        use_bias, *_initializer, *_regularizer, *_constraint, dropout,
        recurrent_dropout, seed: as SimpleRNNCell.

    Call arguments:
        inputs: (batch, features). states: [h_{t-1}] (batch, units) (or the tensor alone). training.

    Returns (h_t, [h_t]).
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None,
                 **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self._set_implementation(implementation)

    def build(self, input_shape):
        bias_shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._build_weights(input_shape, bias_shape, self.bias_initializer)

    def split_bias(self):
        """(input bias, recurrent bias): rows 0 and 1 of a reset_after bias, else (bias, None)."""
        if self.bias is None:
            return None, None
        if self.reset_after:
            return self.bias[0], self.bias[1]
        return self.bias, None

    def call(self, inputs, states, training=False):
        h_tm1 = states[0] if is_nested(states) else states
        input_bias, recurrent_bias = self.split_bias()
        x = project(inputs, self.kernel, self.input_dropout_masks(inputs, training))
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = ops.split(x, 3, axis=-1)
        masks = self.recurrent_dropout_masks(h_tm1, training)
        u = self.units
        if self.reset_after:
            inner = project(h_tm1, self.recurrent_kernel, masks)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            inner_z, inner_r, inner_h = ops.split(inner, 3, axis=-1)
            z = self.recurrent_activation(x_z + inner_z)
            r = self.recurrent_activation(x_r + inner_r)
            hh = self.activation(x_h + r * inner_h)
        else:
            inner = project(h_tm1, self.recurrent_kernel[:, :2 * u], None if masks is None else masks[:2])
            inner_z, inner_r = ops.split(inner, 2, axis=-1)
            z = self.recurrent_activation(x_z + inner_z)
            r = self.recurrent_activation(x_r + inner_r)
            h_for_h = h_tm1 if masks is None else h_tm1 * masks[2]
            hh = self.activation(x_h + ops.matmul(r * h_for_h, self.recurrent_kernel[:, 2 * u:]))
        h = z * h_tm1 + (1.0 - z) * hh
        return h, [h] if is_nested(states) else h

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = serialize_activation(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config


class StackedRNNCells(Layer):
    """Cells run one after the other at each step, as one cell: each cell's output is the next one's input.

    Args:
        cells: a list of cells (SimpleRNNCell, LSTMCell, GRUCell or any object with
            call(inputs, states) and state_size).

    Its state_size is the list of the cells' state sizes, so its states are one
    entry per cell (a list for a cell with several states).

    Example:
        >>> layer = RNN(StackedRNNCells([LSTMCell(8), LSTMCell(4)]))   # as RNN([LSTMCell(8), LSTMCell(4)])
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(
                    f"All cells must have a `call` method. Received cell without a `call` method: {cell}"
                )
            if not hasattr(cell, "state_size"):
                raise ValueError(
                    f"All cells must have a `state_size` attribute. Received cell without a "
                    f"`state_size`: {cell}"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        return last.state_size[0] if is_nested(last.state_size) else last.state_size

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                states.append(make(batch_size=batch_size))
            elif is_nested(cell.state_size):
                states.append([Tensor(xp.zeros((batch_size, d), dtype=self.dtype)) for d in cell.state_size])
            else:
                states.append(Tensor(xp.zeros((batch_size, cell.state_size), dtype=self.dtype)))
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer):
                cell._maybe_build(tuple(input_shape))
            output_dim = getattr(cell, "output_size", None)
            if output_dim is None:
                output_dim = cell.state_size[0] if is_nested(cell.state_size) else cell.state_size
            input_shape = (input_shape[0], output_dim)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            state_is_list = is_nested(cell_states)
            cell_states = list(cell_states) if state_is_list else [cell_states]
            kwargs = {}
            if isinstance(cell, Layer) and _call_accepts(type(cell), "training"):
                kwargs["training"] = training
            call = cell if callable(cell) else cell.call
            inputs, cell_states = call(inputs, cell_states, **kwargs)
            if not is_nested(cell_states):
                cell_states = [cell_states]
            new_states.append(list(cell_states) if state_is_list or len(cell_states) > 1 else cell_states[0])
        return inputs, new_states

    def reset_dropout_masks(self):
        """Forget the dropout masks of every cell (after a sequence)."""
        for cell in self.cells:
            if isinstance(cell, DropoutRNNCell):
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_layer(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_layer(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
