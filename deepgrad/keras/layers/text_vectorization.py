"""TextVectorization: raw strings to token ids or bag-of-words vectors, as Keras.

Strings are not tensors in deepgrad: the layer takes Python strings, lists of
them or NumPy string arrays (also a Tensor wrapping one, as a model's input
hands it over) and returns a Tensor of numbers. The text work (standardize,
split, n-grams, lookup) runs in Python on the host, as Keras runs it in
TensorFlow string ops outside the compiled graph.
"""
import collections
import math
import os
import re
import string

import numpy as np

from ... import backend
from ...tensor import Tensor
from .keras_tensor import KerasTensor
from .layer import Layer

MASK_TOKEN = ""
OOV_TOKEN = "[UNK]"
# The characters of Keras' regex r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']' (string.punctuation).
PUNCTUATION = string.punctuation
# TF's tf.strings.lower (no encoding given, as Keras calls it) lowercases ASCII letters only.
_STANDARDIZE_TABLES = {
    "lower_and_strip_punctuation": str.maketrans(string.ascii_uppercase, string.ascii_lowercase, PUNCTUATION),
    "lower": str.maketrans(string.ascii_uppercase, string.ascii_lowercase),
    "strip_punctuation": str.maketrans("", "", PUNCTUATION),
}
# tf.strings.split splits on ASCII whitespace only: a no-break space stays inside a token.
_ASCII_WHITESPACE = re.compile("[ \t\n\v\f\r]+")
_OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")
VOCABULARY_FILE = "vocabulary.txt"  # the asset Keras writes an adapted vocabulary to


class TextVectorization(Layer):
    """Maps strings to sequences of token indices, or to one vector per string.

    Each string is standardized (lowercased, punctuation stripped), split into
    tokens (words), optionally combined into n-grams, and looked up in a
    vocabulary learned by `adapt()` or given with `vocabulary=`. The
    vocabulary is sorted by frequency, ties by token, both descending; in
    "int" mode index 0 is the padding/mask token "" and index 1 the
    out-of-vocabulary token "[UNK]", in the other modes index 0 is "[UNK]".

    Args:
        max_tokens: the largest vocabulary, reserved tokens included (so
            max_tokens - 2 learned tokens in "int" mode, max_tokens - 1 otherwise).
        standardize: None, "lower", "strip_punctuation",
            "lower_and_strip_punctuation" (default) or a callable that receives
            a NumPy array of str and returns one of the same shape. "lower" is
            TensorFlow's ASCII-only lowercasing, as in Keras.
        split: None, "whitespace" (default; ASCII whitespace, runs count as
            one), "character", or a callable that receives a 1-D NumPy array of
            str and returns one sequence of tokens per string.
        ngrams: None, an int n (all n-grams of 1..n tokens) or a tuple of
            widths; the n-grams of a string come width by width, joined by " ".
        output_mode: "int" (token indices, int64, padded with 0), "multi_hot"
            (1 where a token occurs, int64), "count" (occurrences, int64) or
            "tf_idf" (count * idf weight, float32); "binary" and "tf-idf" are
            accepted as old names.
        output_sequence_length: "int" mode only: pad or cut every sequence to
            this length (the end is cut, padding goes after).
        pad_to_max_tokens: other modes: make the output max_tokens wide
            whatever the vocabulary size.
        vocabulary: a list/tuple/array of tokens or the path of a file with one
            token per line; then adapt() is not needed.
        idf_weights: "tf_idf" only: one weight per vocabulary token (needed with
            `vocabulary`).
        encoding: the text encoding of bytes inputs and vocabulary files.
        sparse, ragged: only False: Keras supports them on TensorFlow only.

    Input shape: (N,) or (N, 1) strings, or one string.
    Output shape: "int": (N, sequence_length); other modes: (N, vocabulary_size)
    (or (N, max_tokens) with pad_to_max_tokens).

    Example:
        >>> layer = TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'baz', 'bar', 'foo', 'boom', 'bada']
        >>> layer(["foo qux bar", "qux baz"]).numpy()
        array([[4, 1, 3, 0],
               [1, 2, 0, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace",
                 ngrams=None, output_mode="int", output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, sparse=False, ragged=False, encoding="utf-8",
                 name=None, **kwargs):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        if sparse:
            raise ValueError(
                "deepgrad's TextVectorization returns dense tensors (Keras supports sparse outputs "
                f"on the TensorFlow backend only). Received: sparse={sparse}"
            )
        if ragged:
            raise ValueError(
                "deepgrad's TextVectorization returns dense tensors (Keras supports ragged outputs "
                f"on the TensorFlow backend only). Received: ragged={ragged}"
            )
        _check_choice("standardize", standardize, tuple(_STANDARDIZE_TABLES))
        _check_choice("split", split, ("whitespace", "character"))
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(
                "Unknown value for `output_mode` argument of TextVectorization. "
                f"Allowed values are: {_OUTPUT_MODES}. Received: output_mode={output_mode}"
            )
        if not (ngrams is None or isinstance(ngrams, int)
                or isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams)):
            raise ValueError(
                f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}"
            )
        if output_mode == "int" and not (output_sequence_length is None
                                         or isinstance(output_sequence_length, int)):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer when `output_mode` is "
                f"'int'. Received: output_sequence_length={output_sequence_length}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                f"Received output_sequence_length={output_sequence_length}."
            )
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                f"Received: idf_weights={idf_weights} and output_mode={output_mode}"
            )
        if output_mode == "tf_idf" and has_input_vocabulary and idf_weights is None:
            raise ValueError(
                "When specifying the `vocabulary` argument, in TF-IDF output mode, "
                "the `idf_weights` argument must also be provided."
            )
        super().__init__(name=name, **kwargs)
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self._ngram_widths = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.encoding = encoding
        self._has_input_vocabulary = has_input_vocabulary
        self._input_vocabulary = None if isinstance(vocabulary, (str, os.PathLike)) else vocabulary
        self._input_idf_weights = idf_weights
        self._tokens = None  # the vocabulary without the reserved tokens; None until set
        self._index = {}
        self._idf_weights = None  # float32, one per output column, reserved tokens included
        self._frozen_vocab_size = vocabulary_size
        self.built = True
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- the vocabulary ----------------------------------------------------
    def _token_start(self):
        """Index of the first real token: 2 in "int" mode ("" and "[UNK]"), else 1 ("[UNK]")."""
        return 2 if self.output_mode == "int" else 1

    def _special_tokens(self):
        return [MASK_TOKEN, OOV_TOKEN] if self.output_mode == "int" else [OOV_TOKEN]

    def vocabulary_size(self):
        """The number of vocabulary entries, reserved tokens included."""
        return self._token_start() + len(self._tokens or ())

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary as a list of str, ordered by index.

        Args:
            include_special_tokens: keep "" and "[UNK]" at the front, so a
                token's position is its index in the layer's output.
        """
        tokens = list(self._tokens or ())
        return self._special_tokens() + tokens if include_special_tokens else tokens

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Use `vocabulary` (and, in "tf_idf" mode, `idf_weights`) instead of adapt().

        Args:
            vocabulary: a list, tuple or 1-D array of tokens, optionally starting
                with the reserved tokens ("", "[UNK]" in "int" mode; "[UNK]"
                otherwise), or the path of a text file with one token per line.
            idf_weights: "tf_idf" mode only: one weight per entry of `vocabulary`.
                Without the reserved tokens in `vocabulary`, "[UNK]" gets their mean.
        """
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                f"Received: output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, (str, os.PathLike)):
            self._set_tokens(self._read_vocabulary_file(vocabulary))
            return
        vocabulary = [_as_str(t, self.encoding) for t in np.asarray(
            vocabulary.data if isinstance(vocabulary, Tensor) else vocabulary, dtype=object).reshape(-1)]
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        special = self._special_tokens()
        has_special = vocabulary[:len(special)] == special
        tokens = vocabulary[len(special):] if has_special else vocabulary
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                f"The repeated terms are: {repeated}"
            )
        if MASK_TOKEN in tokens:
            raise ValueError(
                "Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                "and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                f"order: {special}. Received: mask_token={MASK_TOKEN} at vocabulary index "
                f"{len(vocabulary) - 1 - vocabulary[::-1].index(MASK_TOKEN)}"
            )
        size = self._token_start() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                f"size is {size}; `max_tokens` is {self.max_tokens}."
            )
        weights = None
        if idf_weights is not None:
            weights = np.asarray(idf_weights.data if isinstance(idf_weights, Tensor) else idf_weights,
                                 dtype=np.float64)
            if len(weights) != len(vocabulary):
                raise ValueError(
                    "`idf_weights` must be the same length as vocabulary. "
                    f"len(idf_weights) is {len(weights)}; len(vocabulary) is {len(vocabulary)}"
                )
            if weights.ndim != 1:
                raise ValueError(
                    f"TF-IDF data must be a 1-index array. Received: idf_weights.shape={weights.shape}"
                )
            if not has_special:
                weights = np.concatenate([np.full(len(special), weights.mean()), weights])
        self._set_tokens(tokens, weights)

    def _read_vocabulary_file(self, path):
        """Lines of a vocabulary file, as TF's TextFileInitializer reads them (no special-token check)."""
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary from file.")
        with open(path, encoding=self.encoding, newline="") as f:
            lines = f.read().split("\n")
        if lines[-1] == "":
            lines.pop()
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        if MASK_TOKEN in lines:
            raise ValueError(
                f"Invalid content in {path}: empty line found at line {lines.index(MASK_TOKEN) + 1}"
            )
        return lines

    def _set_tokens(self, tokens, idf_weights=None):
        """Install `tokens` (and idf weights covering the reserved tokens too) as the vocabulary."""
        size = self._token_start() + len(tokens)
        if (self.output_mode != "int" and not self.pad_to_max_tokens
                and self._frozen_vocab_size is not None and size != self._frozen_vocab_size):
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the "
                "vocabulary size cannot be changed after the layer is called. Old vocab size is "
                f"{self._frozen_vocab_size}, new vocab size is {size}"
            )
        self._tokens = list(tokens)
        self._index = {t: i for i, t in enumerate(self._tokens, start=self._token_start())}
        self._frozen_vocab_size = size
        if idf_weights is not None:
            width = self.max_tokens if self.pad_to_max_tokens else len(idf_weights)
            padded = np.zeros(width, dtype=np.float32)
            padded[:len(idf_weights)] = idf_weights
            self._idf_weights = padded

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and idf weights in "tf_idf" mode) from `data`.

        Tokens are ranked by count, ties by token (both descending: the order
        of Keras), and cut to max_tokens. In "tf_idf" mode a token's weight is
        log(1 + num_documents / (1 + documents_containing_it)); "[UNK]" gets
        the mean weight.

        Args:
            data: a list/tuple/array of strings (shape (N,) or (N, 1)), or an
                iterable (e.g. a generator) of such batches.
            batch_size: unused (Keras accepts it).
            steps: with an iterable, read at most this many batches.
        """
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                "argument or `set_vocabulary()` method."
            )
        if isinstance(data, (list, tuple, np.ndarray, Tensor, str, bytes)):
            batches = [data]
        else:
            batches = data if steps is None else (b for _, b in zip(range(steps), data))
        counts, doc_counts, num_docs = collections.Counter(), collections.Counter(), 0
        for batch in batches:
            _, rows = self._tokenize(batch)
            for row in rows:
                counts.update(row)
                if self.output_mode == "tf_idf":
                    doc_counts.update(set(row))
            num_docs += len(rows)
        counts.pop(MASK_TOKEN, None)
        counts.pop(OOV_TOKEN, None)
        if not counts:
            return
        ranked = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start()]
        weights = None
        if self.output_mode == "tf_idf":
            learned = np.array([math.log(1 + num_docs / (1 + doc_counts[t])) for t in ranked],
                               dtype=np.float32)
            weights = np.concatenate([np.full(self._token_start(), learned.mean(), dtype=np.float32), learned])
        self._set_tokens(ranked, weights)

    # ---- text to tokens ------------------------------------------------------
    def _standardize(self, texts):
        if self.standardize is None:
            return texts
        if callable(self.standardize):
            return np.asarray(self.standardize(texts), dtype=str)
        table = _STANDARDIZE_TABLES[self.standardize]
        return np.array([t.translate(table) for t in texts.reshape(-1)], dtype=str).reshape(texts.shape)

    def _tokenize(self, inputs):
        """(leading shape, one token list per string) of standardized, split, n-grammed `inputs`."""
        texts = self._standardize(_to_str_array(inputs, self.encoding))
        if self.split is None:
            lead = texts.shape[:-1]
            rows = texts.reshape(-1, texts.shape[-1] if texts.ndim else 1).tolist()
        else:
            if texts.ndim > 1:
                if texts.shape[-1] != 1:
                    raise ValueError(
                        "When using `TextVectorization` to tokenize strings, the input rank must be 1 or "
                        f"the last shape dimension must be 1. Received: inputs.shape={texts.shape} "
                        f"with rank={texts.ndim}"
                    )
                texts = texts[..., 0]
            lead = texts.shape
            flat = texts.reshape(-1)
            if self.split == "whitespace":
                rows = [_split_whitespace(t) for t in flat]
            elif self.split == "character":
                rows = [list(t) for t in flat]
            else:
                rows = [[_as_str(tok, self.encoding) for tok in r] for r in self.split(flat)]
        if self._ngram_widths is not None:
            rows = [_ngrams(r, self._ngram_widths) for r in rows]
        return lead, rows

    # ---- calling -------------------------------------------------------------
    def __call__(self, inputs, training=None):
        """Vectorize strings eagerly; on a symbolic input, record the call in the model graph."""
        if isinstance(inputs, KerasTensor):
            outputs = super().__call__(inputs)
            outputs.dtype = "int64" if self.output_mode == "int" else backend.floatx().name
            return outputs
        return self.call(inputs)

    def call(self, inputs):
        if self._tokens is None:
            if self.output_mode != "int" and not self.pad_to_max_tokens:
                raise RuntimeError(
                    f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must "
                    "set the layer's vocabulary before calling it. Either pass a `vocabulary` argument to "
                    "the layer, or call `adapt` with some sample data."
                )
            raise RuntimeError(
                f"Layer '{self.name}' has no vocabulary yet: pass `vocabulary=` to the layer, or call "
                "`adapt` with some sample data, before calling it."
            )
        lead, rows = self._tokenize(inputs)
        if self.output_mode == "int":
            return Tensor(self._int_output(lead, rows), dtype="int64")
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        counts = np.zeros((len(rows), depth), dtype=np.int64)
        for r, row in enumerate(rows):
            for token in row:
                if token != MASK_TOKEN:
                    counts[r, self._index.get(token, 0)] += 1
        counts = counts.reshape(lead + (depth,))
        if self.output_mode == "multi_hot":
            return Tensor(np.minimum(counts, 1), dtype="int64")
        if self.output_mode == "count":
            return Tensor(counts, dtype="int64")
        return Tensor(counts.astype(np.float32) * self._idf_weights, dtype="float32")

    def _int_output(self, lead, rows):
        """Token indices, "" as 0 and unknown tokens as 1, padded with 0 to one length."""
        length = self.output_sequence_length
        if length is None:
            length = max((len(r) for r in rows), default=0)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        for r, row in enumerate(rows):
            ids[r, :min(len(row), length)] = [
                0 if t == MASK_TOKEN else self._index.get(t, 1) for t in row[:length]
            ]
        return ids.reshape(lead + (length,))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return (input_shape[0] if input_shape else None, self.output_sequence_length)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.split is None or (len(input_shape) > 1 and input_shape[-1] == 1):
            input_shape = input_shape[:-1]  # the axis of the strings counted into one row
        return input_shape + (depth,)

    # ---- files ---------------------------------------------------------------
    def save_assets(self, dir_path):
        """Write an adapted vocabulary where Keras 3 writes it in a .keras file.

        `vocabulary.txt`: the tokens in index order (reserved ones first), joined by
        newlines, UTF-8; once in this layer's folder and once in `_lookup_layer/`, where
        Keras' inner StringLookup keeps its copy. A vocabulary given as an argument
        travels in the config instead, as in Keras.
        """
        if self._has_input_vocabulary or self._tokens is None:
            return
        if self.output_mode == "tf_idf":
            raise NotImplementedError(
                f"deepgrad does not implement saving the adapted idf weights of TextVectorization "
                f"'{self.name}' (output_mode='tf_idf'); pass vocabulary= and idf_weights= instead of adapt()"
            )
        text = "\n".join(self.get_vocabulary(include_special_tokens=True))
        for folder in (dir_path, os.path.join(dir_path, "_lookup_layer")):
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, VOCABULARY_FILE), "w", encoding="utf-8", newline="") as f:
                f.write(text)

    def load_assets(self, dir_path):
        """Read the vocabulary that save_assets (or Keras 3) wrote into a .keras file."""
        if self._has_input_vocabulary:
            return
        for folder in (dir_path, os.path.join(dir_path, "_lookup_layer")):
            path = os.path.join(folder, VOCABULARY_FILE)
            if os.path.exists(path):
                with open(path, encoding="utf-8", newline="") as f:
                    lines = f.read().split("\n")
                while lines and lines[-1] == "" and len(lines) > len(self._special_tokens()):
                    lines.pop()
                self.set_vocabulary(lines)
                return

    # ---- config --------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": _listify(self._input_vocabulary),
            "idf_weights": _listify(self._input_idf_weights),
            "encoding": self.encoding,
            # None before any vocabulary (Keras writes 1 or 2, which then forbids adapting a clone)
            "vocabulary_size": self.vocabulary_size() if self._tokens is not None else None,
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)


def _check_choice(arg, value, allowed):
    if not (value is None or callable(value) or value in allowed):
        raise ValueError(
            f"Unknown value for `{arg}` argument of TextVectorization. Allowed values are: {allowed}. "
            f"Received: {arg}={value}"
        )


def _as_str(value, encoding):
    return value.decode(encoding) if isinstance(value, bytes) else str(value)


def _to_str_array(inputs, encoding):
    """`inputs` (str, bytes, nested lists, NumPy array or a Tensor holding one) as a NumPy str array."""
    if isinstance(inputs, Tensor):
        inputs = inputs.data
    arr = np.asarray(inputs)
    if arr.dtype.kind == "U":
        return arr
    if arr.dtype.kind == "S" or (arr.dtype.kind == "O" and all(isinstance(v, (str, bytes)) for v in arr.flat)):
        return np.array([_as_str(v, encoding) for v in arr.reshape(-1)], dtype=str).reshape(arr.shape)
    if arr.size == 0:
        return arr.astype(str)
    raise ValueError(f"TextVectorization expects strings. Received: inputs of dtype {arr.dtype}")


def _split_whitespace(text):
    """Tokens between runs of ASCII whitespace, as tf.strings.split."""
    return [t for t in _ASCII_WHITESPACE.split(text) if t]


def _ngrams(tokens, widths):
    """All n-grams of each width in `widths`, width by width, as tf.strings.ngrams (no padding)."""
    return [" ".join(tokens[i:i + n]) for n in widths for i in range(len(tokens) - n + 1)]


def _listify(value):
    if isinstance(value, Tensor):
        value = value.data
    return value.tolist() if isinstance(value, np.ndarray) else value
