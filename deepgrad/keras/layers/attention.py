"""Attention layers, as Keras 3: MultiHeadAttention, Attention (Luong) and AdditiveAttention (Bahdanau).

MultiHeadAttention (Vaswani et al., 2017), for query (B, T, dim), value (B, S, dim_v), key (B, S, dim_k):

    q = query @ Wq + bq        Wq: (dim, N, key_dim)      -> (B, T, N, key_dim)
    k = key @ Wk + bk          Wk: (dim_k, N, key_dim)    -> (B, S, N, key_dim)
    v = value @ Wv + bv        Wv: (dim_v, N, value_dim)  -> (B, S, N, value_dim)
    scores = softmax(q k^T / sqrt(key_dim), masked)       -> (B, N, T, S)
    out = (scores v) @ Wo + bo Wo: (N, value_dim, dim)    -> (B, T, dim)

Attention:          scores = softmax(query key^T [* scale]), out = scores value.
AdditiveAttention:  scores = softmax(sum(scale * tanh(query_i + key_j))), out = scores value.

The weights have Keras' names, shapes and order (MultiHeadAttention: query, key, value and
attention_output kernels and biases), and Keras' `.weights.h5` paths (query_dense/, key_dense/,
value_dense/, output_dense/, _softmax/, _dropout_layer/), so get_weights/set_weights and Keras
files line up.
"""
import math
import string

from ... import ops
from ...backend import xp
from ...ops import nn
from ...tensor import Tensor
from .. import activations, constraints, initializers, regularizers
from .. import ops as keras_ops
from .activation_layers import Softmax
from .core import _serialize, serialize_activation
from .keras_tensor import KerasTensor, flatten_structure
from .layer import Layer
from .regularization import Dropout, _Seeded

_LARGE_NEGATIVE = -1e9  # what masked scores become before the softmax (Keras' Softmax)


def _is_symbolic(*values):
    return any(isinstance(t, KerasTensor) for t in flatten_structure(list(values)))


def _bool_array(mask):
    """A mask (Tensor, array or list) as a NumPy bool array; > 0.5 counts as True, as Keras."""
    if mask is None:
        return None
    array = xp.asarray(mask.data if isinstance(mask, Tensor) else mask)
    return array if array.dtype == bool else array > 0.5


# ----------------------------------------------------------------------------- EinsumDense


def _split_equation(equation):
    """'ab,bc->ac' as ('ab', 'bc', 'ac'); deepgrad's EinsumDense takes explicit equations only."""
    try:
        inputs, output = equation.split("->")
        input_spec, weight_spec = inputs.split(",")
    except ValueError:
        raise ValueError(
            f"Invalid einsum equation: expected 'input,weight->output'. Received: equation={equation!r}"
        ) from None
    if "." in equation:
        raise NotImplementedError(f"deepgrad's EinsumDense has no '...' equations. Received: equation={equation!r}")
    return input_spec.strip(), weight_spec.strip(), output.strip()


class EinsumDense(Layer):
    """A dense layer written as one einsum: `output = activation(einsum(equation, inputs, kernel) + bias)`.

    The projections inside MultiHeadAttention (Keras' EinsumDense, without '...' equations,
    LoRA or quantization).

    Args:
        equation: 'input,kernel->output', e.g. 'abc,cde->abde' projects (B, T, dim) to (B, T, N, H).
        output_shape: the output's shape without the batch axis (None for axes taken from the input).
        activation: activation function or its name.
        bias_axes: the output letters the bias spans (None: no bias).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as for Dense.

    Weights: `kernel` (its shape read from the equation), then `bias`.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        kwargs.pop("quantization_config", None)
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        input_spec, weight_spec, output_spec = _split_equation(self.equation)
        input_shape = tuple(input_shape)
        if len(input_spec) != len(input_shape):
            raise ValueError(
                f'Layer "{self.name}" (EinsumDense): the equation {self.equation!r} expects an input of rank '
                f"{len(input_spec)}. Received: input_shape={input_shape}"
            )
        full_output = (input_shape[0],) + self.partial_output_shape
        sizes = dict(zip(input_spec, input_shape))
        for letter, size in zip(output_spec, full_output):
            if letter not in sizes or sizes[letter] is None:
                sizes[letter] = size
        kernel_shape = tuple(sizes[c] for c in weight_spec)
        self._full_output_shape = tuple(sizes[c] for c in output_spec)
        kernel_initializer = self.kernel_initializer
        if isinstance(kernel_initializer, initializers.VarianceScaling) and (
                kernel_initializer.input_axes is None or kernel_initializer.output_axes is None):
            # Keras' fans of an einsum kernel: the contracted axes in, the output's axes out.
            config = {**kernel_initializer.get_config(),
                      "input_axes": [i for i, c in enumerate(weight_spec) if c not in output_spec],
                      "output_axes": [i for i, c in enumerate(weight_spec) if c in output_spec]}
            kernel_initializer = type(kernel_initializer).from_config(config)
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape, initializer=kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.bias_axes:
            first = min(output_spec.find(c) for c in self.bias_axes)
            bias_shape = tuple(sizes[c] if c in self.bias_axes else 1 for c in output_spec[first:])
            self.bias = self.add_weight(name="bias", shape=bias_shape, initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        # A contraction of the input's trailing axes with the kernel's leading ones is one matmul.
        n_bound = len(input_spec) - sum(c in output_spec for c in input_spec)
        free = input_spec[:len(input_spec) - n_bound]
        bound = input_spec[len(free):]
        self._as_matmul = (weight_spec.startswith(bound) and output_spec == free + weight_spec[len(bound):]
                           and all(c not in weight_spec for c in free))
        self._n_free, self._n_out = len(free), len(weight_spec) - len(bound)
        self.built = True

    def call(self, inputs, training=None):
        if self._as_matmul:  # (lead..., bound...) @ (bound..., out...) as one 2-D matmul
            lead = tuple(inputs.shape[:self._n_free])
            out_dims = tuple(self.kernel.shape[self.kernel.ndim - self._n_out:])
            bound = int(math.prod(inputs.shape[self._n_free:]))
            kernel = ops.reshape(self.kernel, (bound, int(math.prod(out_dims))))
            x = ops.reshape(ops.matmul(ops.reshape(inputs, (-1, bound)), kernel), lead + out_dims)
        else:
            x = keras_ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x) if self.activation is not None else x

    def compute_output_shape(self, input_shape):
        input_spec, _, output_spec = _split_equation(self.equation)
        sizes = dict(zip(input_spec, input_shape))
        full = (input_shape[0],) + self.partial_output_shape
        return tuple(sizes[c] if c in sizes else s for c, s in zip(output_spec, full))

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": serialize_activation(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": _serialize(initializers, self.kernel_initializer),
            "bias_initializer": _serialize(initializers, self.bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self.kernel_regularizer),
            "bias_regularizer": _serialize(regularizers, self.bias_regularizer),
            "activity_regularizer": _serialize(regularizers, self.activity_regularizer),
            "kernel_constraint": _serialize(constraints, self.kernel_constraint),
            "bias_constraint": _serialize(constraints, self.bias_constraint),
        })
        return config


# ----------------------------------------------------------------------------- equations


def _projection_equation(free_dims, bound_dims, output_dims):
    """('abc,cde->abde', 'de', 4): free input axes kept, bound ones contracted, output ones added."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


def _attention_equations(rank, attention_axes):
    """The einsums of the scores and of their combination with the values, for projected tensors of
    `rank` (B, <other axes>, <attention axes>, N, H): batch axes (the heads among them) first, then
    the query's attention axes, then the key's."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch = [i for i in range(rank - 1) if i not in attention_axes]
    fresh = iter(letters[rank:])
    source = "".join(target[i] if i in batch or i == rank - 1 else next(fresh) for i in range(rank))
    product = "".join([target[i] for i in batch] + [target[i] for i in attention_axes]
                      + [source[i] for i in attention_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


# ----------------------------------------------------------------------------- MultiHeadAttention


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), as keras.layers.MultiHeadAttention.

    Each of the `num_heads` heads projects query, key and value, scores every query position
    against every key position (dot product / sqrt(key_dim), softmax over the key positions),
    averages the values with those weights; the heads' results are projected back together.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default key_dim).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: the output's shape besides the batch and sequence axes (default: the
            query's last axis).
        attention_axes: the axes attention runs over (default: all but batch, heads and features).
        sliding_window: positive int: query i sees only keys j with |i - j| < sliding_window.
        flash_attention: accepted as Keras; deepgrad has no flash kernel. True raises as Keras
            does with dropout or return_attention_scores.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: of the projections.
        use_gate: gate the heads' outputs with sigmoid(query @ Wg + bg) before the output projection.
        seed: seed of the dropout.

    Call arguments:
        query: (B, T, dim). value: (B, S, dim_v). key: (B, S, dim_k), default value.
        attention_mask: boolean (B, T, S): which query positions may attend to which keys.
        return_attention_scores: also return the probabilities, (B, N, T, S).
        training: dropout on when True.
        use_causal_mask: query i attends to keys j <= i only.
        value_mask / key_mask: (B, S) masks; by default the masks the value and key tensors carry
            (Embedding(mask_zero=True)). The query's mask is always the one it carries, as Keras.

    Output: (B, T, dim) (or output_shape), carrying the query's mask; with the scores when asked.

    Weights: query/kernel (dim, N, key_dim), query/bias (N, key_dim), key/kernel, key/bias,
    [gate/kernel, gate/bias,] value/kernel (dim_v, N, value_dim), value/bias,
    attention_output/kernel (N, value_dim, dim), attention_output/bias (dim,).

    A fully masked query row attends evenly to every key when the layer runs Keras' fused path
    (no dropout, no returned scores, rank-3 inputs) and gives zeros otherwise, as Keras 3.

    Example:
        >>> x = keras.Input(shape=(10, 32))
        >>> MultiHeadAttention(num_heads=2, key_dim=16)(x, x).shape
        (None, 10, 32)
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        for name, value, optional in (("num_heads", num_heads, False), ("key_dim", key_dim, False),
                                      ("value_dim", value_dim, True)):
            if optional and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Received an invalid value for argument `{name}`, expected a positive integer"
                    f"{' or `None`' if optional else ''}. Received: {name}={value}"
                )
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"Invalid `output_shape`: {output_shape}. When specified, the `output_shape` should be of "
                    "type tuple, list, or int."
                ) from None
        self._output_shape = output_shape or None
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                f"`attention_axes` must be an int, list, or tuple. Received: attention_axes={attention_axes}"
            )
        self._attention_axes = tuple(attention_axes) if attention_axes else attention_axes
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError(
                f"`sliding_window` must be `None` or a positive integer. Received: sliding_window={sliding_window}"
            )
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        if self._flash_attention and self._dropout > 0.0:
            raise ValueError(
                "Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to use "
                "flash attention."
            )

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    # Keras' private names of the projections, for subclasses that use them.
    _query_dense = property(lambda self: self.query_dense)
    _key_dense = property(lambda self: self.key_dense)
    _value_dense = property(lambda self: self.value_dense)
    _output_dense = property(lambda self: self.output_dense)

    # ---- building ------------------------------------------------------------------
    def _sublayer_kwargs(self):
        """The projections' common arguments; each gets its own copy of the initializers."""
        return dict(
            kernel_initializer=type(self._kernel_initializer).from_config(self._kernel_initializer.get_config()),
            bias_initializer=type(self._bias_initializer).from_config(self._bias_initializer.get_config()),
            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer, kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint, dtype=self.dtype,
        )

    def _projection(self, input_rank, head_dim, name, activation=None):
        equation, bias_axes, output_rank = _projection_equation(input_rank - 1, 1, 2)
        return EinsumDense(equation, output_shape=[None] * (output_rank - 3) + [self._num_heads, head_dim],
                           bias_axes=bias_axes if self._use_bias else None, activation=activation, name=name,
                           **self._sublayer_kwargs())

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and isinstance(query_shape, (list, tuple)) and query_shape \
                and isinstance(query_shape[0], (list, tuple)):
            query_shape, value_shape, *rest = query_shape  # a list of shapes (build_from_config)
            key_shape = rest[0] if rest else None
        if value_shape is None:
            raise ValueError(f'Layer "{self.name}" (MultiHeadAttention) needs the shapes of query and value. '
                             f"Received: query_shape={query_shape}, value_shape={value_shape}")
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        self._build_shapes = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not value_shape and key_shape != value_shape:
            self._build_shapes["key_shape"] = key_shape
        query_rank = len(query_shape)
        self.query_dense = self._projection(query_rank, self._key_dim, "query")
        self.query_dense.build(query_shape)
        self.key_dense = self._projection(len(key_shape), self._key_dim, "key")
        self.key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(query_rank, self._value_dim, "gate", activation="sigmoid")
            self._gate_dense.build(query_shape)
        self.value_dense = self._projection(len(value_shape), self._value_dim, "value")
        self.value_dense.build(value_shape)
        rank = query_rank + 1  # of the projected tensors (B, ..., N, H)
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = _attention_equations(
            rank, self._attention_axes)
        self._fast_attention = self._attention_axes == (rank - 3,)
        norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(axis=norm_axes, dtype=self.dtype)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype, seed=self.seed)
        output_shape = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        equation, bias_axes, output_rank = _projection_equation(query_rank - 1, 2, len(output_shape))
        self.output_dense = EinsumDense(equation, output_shape=[None] * (output_rank - 1 - len(output_shape))
                                        + output_shape, bias_axes=bias_axes if self._use_bias else None,
                                        name="attention_output", **self._sublayer_kwargs())
        self.output_dense.build(tuple(query_shape[:-1]) + (self._num_heads, self._value_dim))
        self._build_shape = query_shape
        self.built = True

    def get_build_config(self):
        if not self.built:
            return None
        return {"shapes_dict": dict(self._build_shapes)}

    def build_from_config(self, config):
        shapes = (config or {}).get("shapes_dict")
        if shapes and not self.built:
            self.build(**{k: tuple(v) if v is not None else None for k, v in shapes.items()})
        elif config and config.get("input_shape") is not None and not self.built:
            self.build(config["input_shape"])

    # ---- calling -------------------------------------------------------------------
    def __call__(self, query=None, value=None, key=None, **kwargs):
        if query is None or value is None:
            raise TypeError(f"MultiHeadAttention '{self.name}' needs `query` and `value`. "
                            f"Received: query={query}, value={value}")
        if key is not None:
            kwargs["key"] = key
        if not _is_symbolic(query, value, key):
            value = self._to_tensor(value)
            if key is not None:
                kwargs["key"] = key = self._to_tensor(key)
            # As Keras: the value's and key's masks fill value_mask / key_mask, and the query's mask
            # is the output's. Keras' eager call also takes the masks off its input tensors, but its
            # functional models still see them downstream (in `x + attention(x, x)`); deepgrad keeps
            # them, which is what a Keras model computes.
            for name, tensor in (("value", value), ("key", key)):
                if tensor is not None and kwargs.get(f"{name}_mask") is None:
                    kwargs[f"{name}_mask"] = getattr(tensor, "_keras_mask", None)
            kwargs["query_mask"] = getattr(query, "_keras_mask", None)
        if not self.built:
            self.build(tuple(query.shape), tuple(value.shape), None if key is None else tuple(key.shape))
        self._symbolic_scores = bool(kwargs.get("return_attention_scores", False))
        kwargs = {k: v for k, v in kwargs.items() if v is not None or k in ("training",)}
        return super().__call__(query, value, **kwargs)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                "Returning attention scores is not supported when flash attention is enabled. Please disable "
                "flash attention to access attention scores."
            )
        key = value if key is None else (key if isinstance(key, Tensor) else self._to_tensor(key))
        value = value if isinstance(value, Tensor) else self._to_tensor(value)
        mask = self._compute_attention_mask(query, value, query_mask, value_mask, key_mask, attention_mask,
                                            use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        q = self.query_dense(query)
        k = self.key_dense(key)
        v = self.value_dense(value)
        output, scores = self._compute_attention(q, k, v, mask, training, return_attention_scores)
        if gate is not None:
            output = output * gate
        output = self.output_dense(output)
        if query_mask is not None:
            output._keras_mask = query_mask
        return (output, scores) if return_attention_scores else output

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        """The (B, T, S) boolean mask: query mask (B, T, 1) & value and key masks (B, 1, S) & causal
        (1, T, S) & sliding window & attention_mask; None when there is none."""
        auto = None

        def combine(a, b):
            return b if a is None else a & b

        if query_mask is not None:
            auto = xp.expand_dims(_bool_array(query_mask), -1)
        for m in (value_mask, key_mask):
            if m is not None:
                auto = combine(auto, xp.expand_dims(_bool_array(m), -2))
        t, s = query.shape[1], value.shape[1]
        if use_causal_mask:
            auto = combine(auto, xp.tril(xp.ones((t, s), dtype=bool))[None])
        if self._sliding_window is not None:
            rows, cols = xp.arange(t)[:, None], xp.arange(s)[None, :]
            auto = combine(auto, (xp.abs(rows - cols) < self._sliding_window)[None])
        attention_mask = _bool_array(attention_mask)
        if auto is not None:
            attention_mask = auto if attention_mask is None else attention_mask & auto
        return attention_mask

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """Scaled dot-product attention of projected (B, T, N, H) query, (B, S, N, H) key and value.

        Returns (output (B, T, N, value_dim), probabilities (B, N, T, S))."""
        # Keras runs rank-4 attention without dropout or returned scores through its fused
        # dot_product_attention, where a fully masked row attends evenly to every key; its explicit
        # path zeroes such rows.
        fused = self._dropout == 0.0 and not return_attention_scores and query.ndim == 4
        query = query * self._inverse_sqrt_key_dim
        if self._fast_attention:  # (..., N, T, H) @ (..., N, H, S): batched matmuls
            n = query.ndim
            perm = tuple(range(n - 3)) + (n - 2, n - 3, n - 1)
            q = ops.transpose(query, perm)
            k = ops.transpose(key, tuple(range(n - 3)) + (n - 2, n - 1, n - 3))
            scores = ops.matmul(q, k)
        else:
            scores = keras_ops.einsum(self._dot_product_equation, key, query)
        if attention_mask is not None:
            mask = attention_mask
            axis = -len(self._attention_axes) * 2 - 1
            while mask.ndim < scores.ndim:
                mask = xp.expand_dims(mask, axis)
            probabilities = nn.softmax(ops.where(mask, scores, _LARGE_NEGATIVE), axis=self._softmax.axis)
            if not fused:
                probabilities = ops.where(mask, probabilities, 0.0)
        else:
            probabilities = nn.softmax(scores, axis=self._softmax.axis)
        dropped = probabilities
        if self._dropout > 0.0:
            dropped = self._dropout_layer(probabilities, training=training)
        if self._fast_attention:
            n = dropped.ndim
            v = ops.transpose(value, tuple(range(n - 3)) + (n - 2, n - 3, n - 1))
            output = ops.transpose(ops.matmul(dropped, v), tuple(range(n - 3)) + (n - 2, n - 3, n - 1))
        else:
            output = keras_ops.einsum(self._combine_equation, dropped, value)
        return output, probabilities

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None and key_shape is not None and tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={tuple(value_shape)} and key_shape={tuple(key_shape)}"
            )
        output = query_shape[:-1] + self._output_shape if self._output_shape else query_shape
        if getattr(self, "_symbolic_scores", False):
            value_shape = self._build_shapes["value_shape"] if value_shape is None else tuple(value_shape)
            axes = self._attention_axes
            batch = [query_shape[i] for i in range(len(query_shape) - 1) if i not in axes]
            scores = (*batch, self._num_heads, *[query_shape[i] for i in axes], *[value_shape[i] for i in axes])
            return [output, scores]
        return output

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": _serialize(initializers, self._kernel_initializer),
            "bias_initializer": _serialize(initializers, self._bias_initializer),
            "kernel_regularizer": _serialize(regularizers, self._kernel_regularizer),
            "bias_regularizer": _serialize(regularizers, self._bias_regularizer),
            "activity_regularizer": _serialize(regularizers, self._activity_regularizer),
            "kernel_constraint": _serialize(constraints, self._kernel_constraint),
            "bias_constraint": _serialize(constraints, self._bias_constraint),
            "seed": self.seed,
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("attention_axes"), list):
            config["attention_axes"] = tuple(config["attention_axes"])
        return cls(**config)


# ----------------------------------------------------------------------------- Attention


class Attention(Layer):
    """Dot-product (Luong-style) attention, as keras.layers.Attention.

    scores = query @ key^T (B, Tq, Tv) ['dot', times `scale` when use_scale], or
    concat_score_weight * sum(tanh([scale *] (query_i + key_j))) ['concat'];
    probabilities = softmax(scores) over Tv (masked keys get scores - 1e9);
    output = probabilities @ value (B, Tq, dim), zero where the query mask is False.

    Args:
        use_scale: learn a scalar `scale` (initialized to 1).
        score_mode: 'dot' or 'concat' (which adds the scalar `concat_score_weight`).
        dropout: dropout rate on the probabilities (training only).
        seed: seed of the dropout.

    Call arguments:
        inputs: [query (B, Tq, dim), value (B, Tv, dim)] or [query, value, key (B, Tv, dim)].
        mask: [query_mask (B, Tq), value_mask (B, Tv)], by default the masks the inputs carry.
        return_attention_scores: also return the probabilities (B, Tq, Tv).
        training: dropout on when True.
        use_causal_mask: query i attends to keys j <= i only.

    Output: (B, Tq, dim), carrying the query's mask.

    Example:
        >>> Attention()([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape
        (2, 3, 4)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self._random = _Seeded(seed)
        if self.score_mode not in ["dot", "concat"]:
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )
        self.supports_masking = True
        self.scale = None
        self.concat_score_weight = None

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        self._symbolic_scores = bool(kwargs.get("return_attention_scores", False))
        return super().__call__(inputs, *args, **kwargs)

    def _calculate_scores(self, query, key):
        """(B, Tq, Tv) scores of query (B, Tq, dim) against key (B, Tv, dim)."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores * self.scale if self.scale is not None else scores
        summed = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * ops.sum(ops.tanh(summed), axis=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        """(probabilities @ value, probabilities); masked scores lowered by 1e9 before the softmax."""
        if scores_mask is not None:
            padding = ~scores_mask
            if padding.ndim == 2:
                padding = xp.expand_dims(padding, -2)
            scores = ops.where(padding, scores - 1.0e9, scores)
        weights = nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = nn.dropout(weights, self.dropout, training=True, seed=self._random.next_seed())
        return ops.matmul(weights, value), weights

    def _calculate_score_mask(self, scores, value_mask, use_causal_mask):
        if not use_causal_mask:
            return value_mask
        tq, tv = scores.shape[-2], scores.shape[-1]
        causal = xp.tril(xp.ones((tq, tv), dtype=bool))[None]
        return causal if value_mask is None else xp.expand_dims(value_mask, -2) & causal

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _bool_array(mask[0]) if mask else None
        value_mask = _bool_array(mask[1]) if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._calculate_score_mask(scores, value_mask, use_causal_mask)
        output, weights = self._apply_scores(scores, value, scores_mask, training=training)
        if query_mask is not None:
            output = ops.where(xp.expand_dims(query_mask, -1), output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        self._validate_inputs(input_shape)
        query_shape, value_shape = tuple(input_shape[0]), tuple(input_shape[1])
        output = (*query_shape[:-1], value_shape[-1])
        if getattr(self, "_symbolic_scores", False):
            key_shape = tuple(input_shape[2]) if len(input_shape) > 2 else value_shape
            return [output, (*query_shape[:-1], key_shape[-2])]
        return output

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or [query, value, key]. "
                f"Received: inputs={inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. "
                f"Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                                 f"Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout,
                       "seed": self.seed})
        return config


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention, as keras.layers.AdditiveAttention.

    scores = sum(scale * tanh(query_i + key_j), axis=-1) (B, Tq, Tv), `scale` a learned (dim,)
    vector (glorot_uniform) when use_scale, else 1; then as Attention: softmax over the masked
    keys, probabilities @ value, zero where the query mask is False.

    Args:
        use_scale: learn the (dim,) `scale` (default True).
        dropout: dropout rate on the probabilities (training only).

    Call arguments, output and masks: as Attention.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.use_scale:
            summed = self.scale * summed
        return ops.sum(summed, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
