"""Embedding: integer ids to dense vectors, one trainable row per id."""
import warnings

from ... import ops
from ...ops import nn
from .. import constraints, initializers, regularizers
from .core import _serialize
from .layer import Layer


def _check_dim(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"`{name}` must be a positive integer. Received: {name}={value} "
            f"(of type {type(value).__name__})."
        )


class Embedding(Layer):
    """Turns non-negative integer ids into dense vectors: row `id` of a (input_dim, output_dim) table.

    Integer inputs are used as they are (the layer does not cast them to float);
    float inputs are truncated to int32 as Keras does.

    Args:
        input_dim: positive int, the vocabulary size (largest id + 1).
        output_dim: positive int, the size of each vector.
        embeddings_initializer: initializer of the table (default 'uniform': U(-0.05, 0.05)).
        embeddings_regularizer: penalty on the table.
        embeddings_constraint: constraint on the table.
        mask_zero: treat id 0 as padding: the output carries the mask `inputs != 0`,
            which recurrent layers, pooling and the loss honour (id 0 is then not
            a word: input_dim should be the vocabulary size + 1).
        weights: optional initial table, a (input_dim, output_dim) array (or a list holding it).

    Input shape: (batch, ...) integer ids, e.g. (batch, sequence_length).
    Output shape: (batch, ..., output_dim).

    Weights: `embeddings` (input_dim, output_dim).

    Example:
        >>> layer = Embedding(1000, 64, mask_zero=True)
        >>> layer(np.array([[4, 20, 0]])).shape
        (1, 3, 64)
    """

    autocast = False

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        _check_dim("input_dim", input_dim)
        _check_dim("output_dim", output_dim)
        if lora_rank is not None or quantization_config is not None:
            raise NotImplementedError(
                "deepgrad's Embedding has no LoRA or quantization. "
                f"Received: lora_rank={lora_rank}, quantization_config={quantization_config}"
            )
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.")
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings = None
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1 else [weights])

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint,
        )
        self.built = True

    def call(self, inputs):
        if inputs.dtype.kind not in "iu":
            inputs = ops.cast(inputs, "int32")
        return nn.embedding(inputs, self.embeddings)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": _serialize(initializers, self.embeddings_initializer),
            "embeddings_regularizer": _serialize(regularizers, self.embeddings_regularizer),
            "activity_regularizer": _serialize(regularizers, self.activity_regularizer),
            "embeddings_constraint": _serialize(constraints, self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        return config
