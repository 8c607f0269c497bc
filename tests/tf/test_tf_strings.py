"""tf.strings against values recorded with TensorFlow 2.21.0 (string results are bytes)."""
import numpy as np
import pytest

import deepgrad as tf


def _values(t):
    return np.asarray(t.numpy()).tolist()


# (expression, TensorFlow 2.21.0's result as .numpy().tolist(), its dtype kind)
CASES = [
    ("tf.strings.as_string(tf.constant([1.5, 2.0]))", [b"1.500000", b"2.000000"]),
    ("tf.strings.as_string(tf.constant([3, -4]))", [b"3", b"-4"]),
    ("tf.strings.as_string(tf.constant([1.2345]), precision=2)", [b"1.23"]),
    ("tf.strings.as_string(tf.constant([True, False]))", [b"true", b"false"]),
    ("tf.strings.join([tf.constant(['a', 'b']), tf.constant(['c', 'd'])], separator='-')", [b"a-c", b"b-d"]),
    ("tf.strings.join(['x', tf.constant(['c', 'd'])])", [b"xc", b"xd"]),
    ("tf.strings.length(tf.constant(['héllo', '']))", [6, 0]),
    ("tf.strings.length(tf.constant(['héllo', '']), unit='UTF8_CHAR')", [5, 0]),
    ("tf.strings.lower(tf.constant(['HeLLo', 'ÀB']))", [b"hello", "Àb".encode()]),
    ("tf.strings.upper('abc')", b"ABC"),
    ("tf.strings.regex_replace(tf.constant(['a1b22', 'x']), '[0-9]+', '#')", [b"a#b#", b"x"]),
    ("tf.strings.regex_replace('aaa', 'a', 'b', replace_global=False)", b"baa"),
    ("tf.strings.regex_full_match(tf.constant(['abc', 'ab1']), '[a-z]+')", [True, False]),
    ("tf.strings.strip(tf.constant(['  a b ', 'c\\n']))", [b"a b", b"c"]),
    ("tf.strings.to_number(tf.constant(['1.5', '-2']))", [1.5, -2.0]),
    ("tf.strings.to_number(tf.constant(['3', '-2']), out_type=tf.int32)", [3, -2]),
    ("tf.strings.reduce_join(tf.constant([['a', 'b'], ['c', 'd']]), axis=1, separator=',')", [b"a,b", b"c,d"]),
    ("tf.strings.reduce_join(tf.constant(['a', 'b']))", b"ab"),
    ("tf.strings.split('a b  c')", [b"a", b"b", b"c"]),
    ("tf.strings.split('a,b,,c', sep=',')", [b"a", b"b", b"", b"c"]),
    ("tf.strings.substr(tf.constant(['hello', 'world']), 1, 3)", [b"ell", b"orl"]),
]


@pytest.mark.parametrize("expr, want", CASES, ids=[c[0] for c in CASES])
def test_strings_match_tensorflow(expr, want):  # recorded with TensorFlow 2.21.0
    assert _values(eval(expr)) == want


def test_dtypes_and_errors():
    assert tf.strings.length(["ab"]).dtype == tf.int32
    assert tf.strings.to_number(["1"]).dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="could not correctly convert string: x"):
        tf.strings.to_number(tf.constant(["x"]))
    with pytest.raises(NotImplementedError, match="RaggedTensor"):
        tf.strings.split(["a b", "c"])
    with pytest.raises(AttributeError, match="deepgrad does not implement tf.strings.ngrams"):
        tf.strings.ngrams
