"""Text preprocessing: pad_sequences and the TextVectorization layer.

pad_sequences is run side by side with Keras 3's own on the same inputs.

Keras' TextVectorization needs TensorFlow, which the test environment does not
install. The expected vocabularies and outputs in TV_CASES were produced by
Keras 3.15.1 with TensorFlow 2.21 (torch backend); test_keras_agrees checks
them against real Keras wherever TensorFlow is importable, so they stay Keras'
numbers and not ours. The other expectations (set_vocabulary, files, errors,
config) were also read off that Keras; the error messages are Keras' own.
"""
import math
import os
import re

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deepgrad as dg  # noqa: E402
from deepgrad.keras import layers as L  # noqa: E402
from deepgrad.keras.layers.text_vectorization import PUNCTUATION  # noqa: E402
from deepgrad.keras.utils import pad_sequences  # noqa: E402

keras = pytest.importorskip("keras")

# Keras' torch backend converting arrays warns about NumPy 2's copy keyword; not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")


# ---- pad_sequences -----------------------------------------------------------

SEQS = [[1], [2, 3], [4, 5, 6, 7], [], [8, 9, 10]]


@pytest.mark.parametrize("maxlen", [None, 2, 3, 6])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("padding", ["pre", "post"])
def test_pad_sequences_matches_keras(padding, truncating, maxlen):
    ours = pad_sequences(SEQS, maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    theirs = keras.utils.pad_sequences(SEQS, maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    assert ours.dtype == theirs.dtype == np.int32
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_numbers():
    np.testing.assert_array_equal(pad_sequences([[1], [2, 3], [4, 5, 6]]), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(
        pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding="post", truncating="post"),
        [[1, 0], [2, 3], [4, 5]],
    )


@pytest.mark.parametrize("sequences, kwargs", [
    ([[0.5], [1.5, 2.5]], dict(dtype="float32", value=9.75)),
    ([[0.5], [1.5, 2.5]], dict(dtype="float64", maxlen=3, padding="post")),
    ([["a"], ["b", "c"], []], dict(dtype=object, value="<pad>")),
    ([["apple"], ["b", "cherry"]], dict(dtype="<U6", value="-", maxlen=3)),
    ([[[1, 2]], [[3, 4], [5, 6]], []], dict(value=7)),               # items that are vectors
    ([np.arange(4), np.arange(2), np.arange(0)], dict(maxlen=3, truncating="post")),
    ([[], []], dict(maxlen=3)),
    ([], dict(maxlen=2)),
])
def test_pad_sequences_dtypes_and_shapes_match_keras(sequences, kwargs):
    ours = pad_sequences(sequences, **kwargs)
    theirs = keras.utils.pad_sequences(sequences, **kwargs)
    assert ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("call, message", [
    (lambda f: f(5), "`sequences` must be iterable."),
    (lambda f: f([[1], 2]), "`sequences` must be a list of iterables. Found non-iterable: 2"),
    (lambda f: f([[1, 2]], padding="middle"), 'Padding type "middle" not understood'),
    (lambda f: f([[1, 2]], truncating="middle"), 'Truncating type "middle" not understood'),
    (lambda f: f([["a"]], value="x"), "`dtype` int32 is not compatible with `value`'s type: <class 'str'>\n"
                                      "You should set `dtype=object` for variable length strings."),
    (lambda f: f([[[1, 2]], [[1, 2, 3]]]),
     "Shape of sample (3,) of sequence at position 1 is different from expected shape (2,)"),
])
def test_pad_sequences_errors_match_keras(call, message):
    for function in (pad_sequences, keras.utils.pad_sequences):
        with pytest.raises(ValueError, match=re.escape(message)):
            call(function)


def test_pad_sequences_edge_cases_keras_gets_wrong():
    # Keras slices s[-0:] (the whole sequence) for maxlen=0 and fails to broadcast; we return no columns.
    assert pad_sequences([[1, 2], [3]], maxlen=0).shape == (2, 0)
    # Keras fails inside np.max([]); we say what is missing.
    with pytest.raises(ValueError, match="no sequences: pass maxlen"):
        pad_sequences([])


def test_pad_sequences_public_names():
    assert dg.keras.preprocessing.sequence.pad_sequences is pad_sequences
    assert dg.keras.utils.pad_sequences is pad_sequences


# ---- TextVectorization vs Keras ---------------------------------------------------

DOCS = ["foo bar", "bar baz", "baz bada boom"]
MESSY = ["The cat sat.", "THE DOG, the cat!", "ÉCOLE école Straße", "a\u00a0b c\u2003d\te\n f"]
COUNTS = ["a a a b b c d d d d", "e"]
ALL_PUNCTUATION = ("Hello, World! it's A-OK... (yes) #1 $2 %3 &4 *5 +6 /7 :8 ;9 <0 =x >y ?z @w "
                   "[v] \\u ^t _s `r {q} |p ~o \"n")


def upper(texts):
    return np.char.upper(texts)


def two_batches():
    yield ["a b", "c"]
    yield np.array(["a", "d d"])


class Case:
    """adapt(`adapt`) then call on `inputs`: Keras' vocabulary, output dtype and values."""

    def __init__(self, id, kwargs, adapt, inputs, vocabulary, dtype, output):
        self.id, self.kwargs, self.adapt, self.inputs = id, kwargs, adapt, inputs
        self.vocabulary, self.dtype, self.output = vocabulary, dtype, output

    def run(self, module):
        layer = module.TextVectorization(**self.kwargs)
        layer.adapt(self.adapt() if callable(self.adapt) else self.adapt)
        out = layer(self.inputs)
        return [str(v) for v in layer.get_vocabulary()], np.asarray(out.numpy() if hasattr(out, "numpy") else out)


TV_CASES = [
    Case("int", {}, DOCS, ["foo qux bar", "qux baz"],
         ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"], "int64", [[4, 1, 3], [1, 2, 0]]),
    Case("int_sequence_length", {"output_sequence_length": 3}, ["a b c d e"], ["a b c d e", "e", ""],
         ["", "[UNK]", "e", "d", "c", "b", "a"], "int64", [[6, 5, 4], [2, 0, 0], [0, 0, 0]]),
    Case("int_n_by_1_input", {}, ["a b c"], np.array([["a b"], ["c"]]),
         ["", "[UNK]", "c", "b", "a"], "int64", [[4, 3], [2, 0]]),
    Case("int_one_string", {}, ["a b c"], "c b a a",
         ["", "[UNK]", "c", "b", "a"], "int64", [2, 3, 4, 4]),
    Case("int_bytes", {}, ["a b c"], np.array([b"a b", b"c"]),
         ["", "[UNK]", "c", "b", "a"], "int64", [[4, 3], [2, 0]]),
    Case("int_empty_strings", {}, ["a b"], ["", " "],
         ["", "[UNK]", "b", "a"], "int64", np.zeros((2, 0))),
    Case("multi_hot", {"output_mode": "multi_hot"}, DOCS, ["foo qux bar bar", "qux baz"],
         ["[UNK]", "baz", "bar", "foo", "boom", "bada"], "int64", [[1, 0, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0]]),
    Case("count", {"output_mode": "count"}, DOCS, ["foo qux bar bar", "qux baz"],
         ["[UNK]", "baz", "bar", "foo", "boom", "bada"], "int64", [[1, 0, 2, 1, 0, 0], [1, 1, 0, 0, 0, 0]]),
    Case("tf_idf", {"output_mode": "tf_idf"}, DOCS, ["foo qux bar bar", "qux baz"],
         ["[UNK]", "baz", "bar", "foo", "boom", "bada"], "float32",
         [[0.827033, 0.0, 1.386294, 0.916291, 0.0, 0.0], [0.827033, 0.693147, 0.0, 0.0, 0.0, 0.0]]),
    Case("tf_idf_weights", {"output_mode": "tf_idf"}, ["a b c a", "a d", "e", "a b"], ["a b c d e f f", ""],
         ["[UNK]", "a", "b", "e", "d", "c"], "float32",
         [[1.934513, 0.693147, 0.847298, 1.098612, 1.098612, 1.098612], [0.0] * 6]),
    Case("count_one_string", {"output_mode": "count"}, ["a b"], "a a b",
         ["[UNK]", "b", "a"], "int64", [0, 1, 2]),
    Case("max_tokens_int", {"max_tokens": 4}, COUNTS, ["a b c d e"],
         ["", "[UNK]", "d", "a"], "int64", [[3, 1, 1, 2, 1]]),
    Case("max_tokens_multi_hot", {"max_tokens": 4, "output_mode": "multi_hot"}, COUNTS, ["a e d", ""],
         ["[UNK]", "d", "a", "b"], "int64", [[1, 1, 1, 0], [0, 0, 0, 0]]),
    Case("pad_to_max_tokens_count", {"max_tokens": 10, "output_mode": "count", "pad_to_max_tokens": True},
         ["a a b"], ["a a z", "b"],
         ["[UNK]", "a", "b"], "int64", [[1, 2, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]]),
    Case("pad_to_max_tokens_tf_idf", {"max_tokens": 10, "output_mode": "tf_idf", "pad_to_max_tokens": True},
         ["a a b", "b c", "c c c"], ["a a z", "b c"],
         ["[UNK]", "c", "b", "a"], "float32",
         [[0.767528, 0, 0, 1.832582, 0, 0, 0, 0, 0, 0], [0, 0.693147, 0.693147, 0, 0, 0, 0, 0, 0, 0]]),
    # ASCII-only lowercasing, ASCII-only whitespace splitting, ties by token descending (code points).
    Case("standardize_default", {}, MESSY, MESSY,
         ["", "[UNK]", "the", "cat", "école", "École", "straße", "sat", "f", "e", "dog", "c\u2003d", "a\xa0b"],
         "int64", [[2, 3, 7, 0], [2, 10, 2, 3], [5, 4, 6, 0], [12, 11, 9, 8]]),
    Case("standardize_none", {"standardize": None}, MESSY, MESSY,
         ["", "[UNK]", "école", "ÉCOLE", "the", "sat.", "f", "e", "c\u2003d", "cat!", "cat", "a\xa0b", "The",
          "THE", "Straße", "DOG,"],
         "int64", [[12, 10, 5, 0], [13, 15, 4, 9], [3, 2, 14, 0], [11, 8, 7, 6]]),
    Case("standardize_lower", {"standardize": "lower"}, MESSY, MESSY,
         ["", "[UNK]", "the", "école", "École", "straße", "sat.", "f", "e", "dog,", "c\u2003d", "cat!", "cat",
          "a\xa0b"],
         "int64", [[2, 12, 6, 0], [2, 9, 2, 11], [4, 3, 5, 0], [13, 10, 8, 7]]),
    Case("standardize_strip_punctuation", {"standardize": "strip_punctuation"}, MESSY, MESSY,
         ["", "[UNK]", "cat", "école", "ÉCOLE", "the", "sat", "f", "e", "c\u2003d", "a\xa0b", "The", "THE",
          "Straße", "DOG"],
         "int64", [[11, 2, 6, 0], [12, 14, 5, 2], [4, 3, 13, 0], [10, 9, 8, 7]]),
    Case("standardize_callable", {"standardize": upper}, ["ab Cd"], ["AB cd ef"],
         ["", "[UNK]", "CD", "AB"], "int64", [[3, 2, 1]]),
    Case("every_punctuation_mark", {}, [ALL_PUNCTUATION], ["hello aok"],
         ["", "[UNK]", "z", "yes", "y", "x", "world", "w", "v", "u", "t", "s", "r", "q", "p", "o", "n", "its",
          "hello", "aok", "9", "8", "7", "6", "5", "4", "3", "2", "1", "0"],
         "int64", [[18, 19]]),
    Case("split_character", {"split": "character"}, ["abca", "b a"], ["abca", "b a", ""],
         ["", "[UNK]", "a", "b", "c", " "], "int64", [[2, 3, 4, 2], [3, 5, 2, 0], [0, 0, 0, 0]]),
    Case("split_none", {"split": None}, ["x y", "x y", "z", ""], ["x y", "z", "q", ""],
         ["", "[UNK]", "x y", "z"], "int64", [2, 3, 1, 0]),
    Case("split_none_n_by_1", {"split": None, "output_sequence_length": 3}, ["x y", "z"], [["x y"], ["z"]],
         ["", "[UNK]", "z", "x y"], "int64", [[3, 0, 0], [2, 0, 0]]),
    Case("split_none_multi_hot", {"split": None, "output_mode": "multi_hot"}, ["x y", "z"], [["x y"], ["q"]],
         ["[UNK]", "z", "x y"], "int64", [[0, 0, 1], [1, 0, 0]]),
    Case("ngrams_2", {"ngrams": 2}, ["a b c", "b c d"], ["a b c d", "a"],
         ["", "[UNK]", "c", "b c", "b", "d", "c d", "a b", "a"], "int64",
         [[8, 4, 2, 5, 7, 3, 6], [8, 0, 0, 0, 0, 0, 0]]),
    Case("ngrams_2_3", {"ngrams": (2, 3)}, ["a b c", "b c d"], ["a b c d", "a"],
         ["", "[UNK]", "b c", "c d", "b c d", "a b c", "a b"], "int64", [[6, 2, 3, 5, 4], [0, 0, 0, 0, 0]]),
    Case("adapt_batches", {}, two_batches, ["a b c d"],
         ["", "[UNK]", "d", "a", "c", "b"], "int64", [[3, 5, 4, 2]]),
    Case("adapt_n_by_1", {}, np.array([["a b"], ["b"]]), ["b a"],
         ["", "[UNK]", "b", "a"], "int64", [[2, 3]]),
]


def check_case(case, vocabulary, output):
    assert vocabulary == case.vocabulary
    assert str(output.dtype) == case.dtype
    expected = np.asarray(case.output)
    assert output.shape == expected.shape
    np.testing.assert_allclose(output, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("case", TV_CASES, ids=lambda c: c.id)
def test_text_vectorization_matches_keras(case):
    check_case(case, *case.run(L))


@pytest.mark.parametrize("case", TV_CASES, ids=lambda c: c.id)
def test_keras_agrees(case):
    """The expectations are real Keras' (runs only where TensorFlow is installed)."""
    pytest.importorskip("tensorflow", reason="Keras' TextVectorization needs TensorFlow: pip install tensorflow-cpu "
                                             "(the expectations above were recorded from it)")
    check_case(case, *case.run(keras.layers))


def test_output_is_a_deepgrad_tensor():
    layer = L.TextVectorization(output_sequence_length=4)
    layer.adapt(DOCS)
    out = layer(np.array(["foo qux bar", "qux baz"]))
    assert isinstance(out, dg.Tensor)
    np.testing.assert_array_equal(out.numpy(), [[4, 1, 3, 0], [1, 2, 0, 0]])
    # a Tensor wrapping a string array (what a model's Input hands over) works too
    np.testing.assert_array_equal(layer(dg.Tensor(np.array(["bar"]))).numpy(), [[3, 0, 0, 0]])


def test_tf_idf_formula():
    """idf = log(1 + num_documents / (1 + documents_with_token)); "[UNK]" gets the mean idf."""
    docs = ["a b c a", "a d", "e", "a b"]
    layer = L.TextVectorization(output_mode="tf_idf")
    layer.adapt(docs)
    idf = {t: math.log(1 + 4 / (1 + df)) for t, df in {"a": 3, "b": 2, "c": 1, "d": 1, "e": 1}.items()}
    unk = np.float32(np.mean(np.float32([idf[t] for t in "abedc"])))
    out = layer(["a a b z"]).numpy()
    np.testing.assert_allclose(out, [[unk, 2 * idf["a"], idf["b"], 0, 0, 0]], rtol=1e-6)


def test_punctuation_is_keras_regex_class():
    keras_class = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
    stripped = {chr(c) for c in range(128) if re.fullmatch(keras_class, chr(c))}
    assert stripped == set(PUNCTUATION)


# ---- vocabularies given, not learned ---------------------------------------------------

def test_constructor_vocabulary():
    layer = L.TextVectorization(vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["earth", "wind", "and", "fire"]
    assert layer.vocabulary_size() == 6
    np.testing.assert_array_equal(layer(["wind and fire", "air"]).numpy(), [[3, 4, 5], [1, 0, 0]])
    with pytest.raises(ValueError, match=re.escape(
            f"Cannot adapt layer '{layer.name}' after setting a static vocabulary")):
        layer.adapt(["x"])


def test_set_vocabulary_replaces_and_strips_reserved_tokens():
    layer = L.TextVectorization()
    layer.adapt(["a b b"])
    layer.set_vocabulary(["x", "y"])
    assert (layer.get_vocabulary(), layer.vocabulary_size()) == (["", "[UNK]", "x", "y"], 4)
    layer.set_vocabulary(["", "[UNK]", "x", "y"])
    assert layer.get_vocabulary() == ["", "[UNK]", "x", "y"]
    layer.set_vocabulary(np.array(["[UNK]", "x"]))  # "[UNK]" alone is not the int-mode prefix: a token
    assert layer.get_vocabulary() == ["", "[UNK]", "[UNK]", "x"]
    layer.adapt(["q q r"])  # adapt after set_vocabulary is allowed
    assert layer.get_vocabulary() == ["", "[UNK]", "q", "r"]

    counts = L.TextVectorization(output_mode="count", standardize=None)
    counts.set_vocabulary(["[UNK]", "a"])
    assert counts.get_vocabulary() == ["[UNK]", "a"]
    np.testing.assert_array_equal(counts(["a [UNK] q"]).numpy(), [[2, 1]])


def test_set_vocabulary_tf_idf():
    layer = L.TextVectorization(output_mode="tf_idf")
    layer.set_vocabulary(["x", "y"], idf_weights=[0.5, 1.5])  # "[UNK]" gets the mean, 1.0
    assert layer.get_vocabulary() == ["[UNK]", "x", "y"]
    np.testing.assert_allclose(layer(["x x y z", "z"]).numpy(), [[1.0, 1.0, 1.5], [1.0, 0, 0]])
    layer.set_vocabulary(["[UNK]", "x", "y"], idf_weights=[9.0, 0.5, 1.5])
    np.testing.assert_allclose(layer(["x x y z"]).numpy(), [[9.0, 1.0, 1.5]])

    padded = L.TextVectorization(output_mode="tf_idf", max_tokens=6, pad_to_max_tokens=True)
    padded.set_vocabulary(["x", "y"], idf_weights=[0.5, 1.5])
    out = padded(["x x y z"])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [[1.0, 1.0, 1.5, 0, 0, 0]])

    given = L.TextVectorization(output_mode="tf_idf", vocabulary=["x", "y"], idf_weights=[0.5, 1.5])
    np.testing.assert_allclose(given(["x x y z"]).numpy(), [[1.0, 1.0, 1.5]])


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_bytes(b"[UNK]\nx\r\ny\n")  # read as TF does: "\r\n" ends a line, no reserved-token check
    layer = L.TextVectorization(vocabulary=str(path))
    assert layer.get_vocabulary() == ["", "[UNK]", "[UNK]", "x", "y"]
    np.testing.assert_array_equal(layer(["x y z"]).numpy(), [[3, 4, 1]])
    counts = L.TextVectorization(vocabulary=str(path), output_mode="count")
    assert counts.get_vocabulary() == ["[UNK]", "[UNK]", "x", "y"]
    np.testing.assert_array_equal(counts(["x y z"]).numpy(), [[1, 0, 1, 1]])
    assert counts.get_config()["vocabulary"] is None
    with pytest.raises(ValueError, match=re.escape(f"Vocabulary file {tmp_path / 'nope.txt'} does not exist.")):
        L.TextVectorization(vocabulary=str(tmp_path / "nope.txt"))


@pytest.mark.parametrize("kwargs, vocabulary, idf_weights, message", [
    ({}, ["x", "x"], None, "The passed vocabulary has at least one repeated term. Please uniquify your "
                           "dataset. The repeated terms are: ['x']"),
    ({}, ["x", ""], None, "Found reserved mask token at unexpected location in `vocabulary`."),
    ({}, [], None, "Cannot set an empty vocabulary. Received: vocabulary=[]"),
    ({}, ["x"], [1.0], "`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                       "Received: output_mode=int and idf_weights=[1.0]"),
    ({"max_tokens": 3}, ["x", "y"], None, "Attempted to set a vocabulary larger than the maximum vocab size. "
                                          "Received vocabulary size is 4; `max_tokens` is 3."),
    ({"output_mode": "tf_idf"}, ["x"], None, "`idf_weights` must be set if output_mode is 'tf_idf'."),
    ({"output_mode": "tf_idf"}, ["x", "y"], [1.0], "`idf_weights` must be the same length as vocabulary. "
                                                   "len(idf_weights) is 1; len(vocabulary) is 2"),
])
def test_set_vocabulary_errors(kwargs, vocabulary, idf_weights, message):
    layer = L.TextVectorization(**kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        layer.set_vocabulary(vocabulary, idf_weights=idf_weights)


def test_vocabulary_size_is_fixed_once_set_outside_int_mode():
    layer = L.TextVectorization(output_mode="multi_hot")
    layer.adapt(["a b"])
    message = ("When using `output_mode=multi_hot` and `pad_to_max_tokens=False`, the vocabulary size cannot "
               "be changed after the layer is called. Old vocab size is 3, new vocab size is 4")
    with pytest.raises(RuntimeError, match=re.escape(message)):
        layer.adapt(["a b c"])
    assert layer.get_vocabulary() == ["[UNK]", "b", "a"]  # unchanged (Keras changes it, then raises)
    ints = L.TextVectorization()
    ints.adapt(["a b"])
    ints.adapt(["a b c"])
    assert ints.vocabulary_size() == 5


def test_before_any_vocabulary():
    layer = L.TextVectorization()
    assert (layer.get_vocabulary(), layer.vocabulary_size()) == (["", "[UNK]"], 2)
    assert L.TextVectorization(output_mode="tf_idf").get_vocabulary() == ["[UNK]"]
    with pytest.raises(RuntimeError, match="has no vocabulary yet"):
        layer(["a b"])
    message = ("When using `output_mode=multi_hot` and `pad_to_max_tokens=False`, you must set the layer's "
               "vocabulary before calling it.")
    with pytest.raises(RuntimeError, match=re.escape(message)):
        L.TextVectorization(output_mode="multi_hot")(["a"])
    layer.adapt(["", " "])  # nothing to learn: the layer stays without a vocabulary, as Keras'
    assert layer.get_vocabulary() == ["", "[UNK]"]


def test_callable_split():
    layer = L.TextVectorization(standardize="lower", split=lambda texts: [t.split("-") for t in texts])
    layer.adapt(["a-B-b", "c"])
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "c", "a"]
    np.testing.assert_array_equal(layer(["C-a", "b"]).numpy(), [[3, 4], [2, 0]])


# ---- arguments, config, shapes -----------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"standardize": "upper"}, "Unknown value for `standardize` argument of TextVectorization. Allowed values "
                               "are: ('lower_and_strip_punctuation', 'lower', 'strip_punctuation'). "
                               "Received: standardize=upper"),
    ({"split": "comma"}, "Unknown value for `split` argument of TextVectorization. Allowed values are: "
                         "('whitespace', 'character'). Received: split=comma"),
    ({"output_mode": "embedding"}, "Unknown value for `output_mode` argument of TextVectorization. Allowed "
                                   "values are: ('int', 'multi_hot', 'count', 'tf_idf'). "
                                   "Received: output_mode=embedding"),
    ({"ngrams": [1, 2]}, "`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams=[1, 2]"),
    ({"output_sequence_length": 2.0}, "`output_sequence_length` must be either None or an integer when "
                                      "`output_mode` is 'int'. Received: output_sequence_length=2.0"),
    ({"output_mode": "count", "output_sequence_length": 2},
     "`output_sequence_length` must not be set if `output_mode` is not 'int'. Received output_sequence_length=2."),
    ({"max_tokens": 1}, "If set, `max_tokens` must be greater than 1. Received: max_tokens=1"),
    ({"pad_to_max_tokens": True}, "If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None"),
    ({"idf_weights": [1.0]}, "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                             "Received: idf_weights=[1.0] and output_mode=int"),
    ({"output_mode": "tf_idf", "vocabulary": ["a"]},
     "When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` argument must also "
     "be provided."),
    ({"ragged": True}, "Received: ragged=True"),
    ({"sparse": True}, "Received: sparse=True"),
])
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        L.TextVectorization(**kwargs)


def test_old_output_mode_names():
    assert L.TextVectorization(output_mode="binary").output_mode == "multi_hot"
    assert L.TextVectorization(output_mode="tf-idf").output_mode == "tf_idf"


def test_input_must_be_one_string_per_row():
    layer = L.TextVectorization(vocabulary=["a"])
    message = ("When using `TextVectorization` to tokenize strings, the input rank must be 1 or the last shape "
               "dimension must be 1. Received: inputs.shape=(1, 2) with rank=2")
    with pytest.raises(ValueError, match=re.escape(message)):
        layer(np.array([["a b", "c"]]))
    with pytest.raises(ValueError, match=re.escape("expects strings. Received: inputs of dtype int64")):
        layer(np.array([1, 2]))


def test_get_config_as_keras_and_round_trip():
    layer = L.TextVectorization(vocabulary=["earth", "wind", "and", "fire"], ngrams=(1, 2), name="tv")
    config = layer.get_config()
    expected = {
        "max_tokens": None, "standardize": "lower_and_strip_punctuation", "split": "whitespace",
        "ngrams": (1, 2), "output_mode": "int", "output_sequence_length": None, "pad_to_max_tokens": False,
        "sparse": False, "ragged": False, "vocabulary": ["earth", "wind", "and", "fire"], "idf_weights": None,
        "encoding": "utf-8", "vocabulary_size": 6,
    }
    assert {k: config[k] for k in expected} == expected
    assert config["name"] == "tv"
    config["ngrams"] = [1, 2]  # as JSON gives it back
    clone = L.TextVectorization.from_config(config)
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(clone(["wind and fire"]).numpy(), layer(["wind and fire"]).numpy())

    adapted = L.TextVectorization(output_mode="tf_idf", max_tokens=5, pad_to_max_tokens=True)
    adapted.adapt(["a b"])
    config = adapted.get_config()
    assert (config["vocabulary"], config["idf_weights"], config["vocabulary_size"]) == (None, None, 3)

    fresh = L.TextVectorization(output_mode="multi_hot")
    assert fresh.get_config()["vocabulary_size"] is None
    clone = L.TextVectorization.from_config(fresh.get_config())
    clone.adapt(["a b"])
    assert clone.get_vocabulary() == ["[UNK]", "b", "a"]


def test_symbolic_shapes_and_dtypes():
    x = L.Input(shape=(1,), dtype=str)
    ints = L.TextVectorization(vocabulary=["a", "b"], output_sequence_length=5)(x)
    assert (ints.shape, ints.dtype) == ((None, 5), "int64")
    hot = L.TextVectorization(vocabulary=["a", "b"], output_mode="multi_hot")(x)
    assert (hot.shape, hot.dtype) == ((None, 3), "float32")
    padded = L.TextVectorization(max_tokens=8, pad_to_max_tokens=True, output_mode="count")
    assert padded.compute_output_shape((None,)) == (None, 8)


# ---- inside a model ---------------------------------------------------------------------------

POSITIVE = ["good great fine", "great movie good", "fine good", "good", "a great film", "fine fine movie"]
NEGATIVE = ["bad awful", "awful movie bad", "terrible bad", "awful", "a terrible film", "bad bad movie"]


def sentiment_data():
    x = np.array(POSITIVE + NEGATIVE)
    y = np.array([1] * len(POSITIVE) + [0] * len(NEGATIVE), dtype="float32")
    return x, y


def test_sequential_fits_and_predicts_raw_strings():
    x, y = sentiment_data()
    vectorizer = L.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(x)
    dg.keras.utils.set_random_seed(0)
    model = dg.keras.Sequential([vectorizer, L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=dg.keras.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.1 < history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    predictions = model.predict(["good movie", "awful film"], verbose=0)
    assert predictions.shape == (2, 1)
    assert predictions[0, 0] > 0.8 and predictions[1, 0] < 0.2


def test_embedding_pipeline_learns():
    """TextVectorization(int) -> Embedding -> GlobalAveragePooling1D -> Dense(1, sigmoid)."""
    x, y = sentiment_data()
    vectorizer = L.TextVectorization(output_sequence_length=4)
    vectorizer.adapt(x)
    dg.keras.utils.set_random_seed(0)
    model = dg.keras.Sequential([
        vectorizer,
        L.Embedding(vectorizer.vocabulary_size(), 8),
        L.GlobalAveragePooling1D(),
        L.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=dg.keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < 0.2 < history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    predictions = model.predict(np.array(["good great movie", "awful bad movie"]), verbose=0)
    assert predictions[0, 0] > 0.5 > predictions[1, 0]


def test_functional_model_on_a_string_input_spelled_as_tensorflow_does():
    """dg.keras.Input(shape=(1,), dtype="string"), as TensorFlow tutorials write it, feeds raw text."""
    vectorize = L.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(["good movie", "bad movie", "great film"])
    inputs = dg.keras.Input(shape=(1,), dtype="string")
    assert inputs.dtype == "string"
    x = L.GlobalAveragePooling1D()(L.Embedding(20, 4)(vectorize(inputs)))
    model = dg.keras.Model(inputs, L.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(np.array([["good movie"], ["bad movie"]]), np.array([1, 0]), epochs=1, verbose=0)
    assert model.predict(np.array([["great film"], ["bad film"]]), verbose=0).shape == (2, 1)
