"""tf.TensorShape, tf.TensorSpec and Tensor.shape, against TensorFlow's recorded behaviour.

The reprs, strings, comparisons and error messages below were recorded with TensorFlow 2.21.0
(`tf.TensorShape`, `tf.TensorSpec`) in a scratch environment; TensorFlow is not needed here.
"""
import copy
import pickle

import numpy as np
import pytest

import deepgrad as tf
from deepgrad.tensor_shape import TensorShape, TensorSpec

# ----------------------------------------------------------------------------- TensorShape


def test_reprs_and_strings_as_tensorflow():
    # recorded with TensorFlow 2.21.0
    assert repr(TensorShape([None, 3])) == "TensorShape([None, 3])"
    assert str(TensorShape([None, 3])) == "(None, 3)"
    assert repr(TensorShape(None)) == "TensorShape(None)" and str(TensorShape(None)) == "<unknown>"
    assert repr(TensorShape([])) == "TensorShape([])" and str(TensorShape([])) == "()"
    assert str(TensorShape([4])) == "(4,)" and repr(TensorShape(5)) == "TensorShape([5])"
    assert repr(TensorShape((1, 2))) == "TensorShape([1, 2])"
    assert repr(TensorShape(np.array([2, 3]))) == "TensorShape([2, 3])"
    assert repr(TensorShape(tf.shape(tf.zeros([2, 3])))) == "TensorShape([2, 3])"
    assert repr(TensorShape(tf.constant(3))) == "TensorShape([3])"
    assert repr(TensorShape([tf.constant(3), None])) == "TensorShape([3, None])"


def test_facts_of_known_partial_and_unknown_shapes():
    s, full, unknown = TensorShape([None, 3]), TensorShape([2, 3]), TensorShape(None)
    # recorded with TensorFlow 2.21.0
    assert (s.as_list(), s.rank, s.ndims, s.dims) == ([None, 3], 2, 2, [None, 3])
    assert (s.num_elements(), full.num_elements(), TensorShape([]).num_elements()) == (None, 6, 1)
    assert (s.is_fully_defined(), full.is_fully_defined(), unknown.is_fully_defined()) == (False, True, False)
    assert (unknown.rank, unknown.ndims, unknown.dims, unknown.num_elements()) == (None, None, None, None)
    assert TensorShape([7, 0, 5]).num_elements() == 0


def test_unknown_rank_cannot_be_listed_measured_or_iterated():
    unknown = TensorShape(None)
    with pytest.raises(ValueError, match=r"^as_list\(\) is not defined on an unknown TensorShape\.$"):
        unknown.as_list()
    with pytest.raises(ValueError, match="^Cannot take the length of shape with unknown rank.$"):
        len(unknown)
    with pytest.raises(ValueError, match="^Cannot iterate over a shape with unknown rank.$"):
        iter(unknown)
    assert unknown[0] is None and repr(unknown[1:]) == "TensorShape(None)" and not unknown


def test_indexing_gives_ints_and_slicing_gives_shapes():
    s = TensorShape([None, 3])
    assert s[0] is None and s[1] == 3 and type(s[-1]) is int
    assert repr(s[0:1]) == "TensorShape([None])" and repr(s[-1:]) == "TensorShape([3])"
    assert list(s) == [None, 3] and len(s) == 2
    assert type(TensorShape([np.int64(2)])[0]) is int


def test_equality_with_tuples_lists_and_shapes():
    s = TensorShape([None, 3])
    # recorded with TensorFlow 2.21.0: None equals None, lists and tuples compare as shapes
    assert s == (None, 3) and s == [None, 3] and s == TensorShape([None, 3])
    assert not s != (None, 3) and s != (4, 3) and s != [None, 4]
    assert TensorShape([2, 3]) == (2, 3) and TensorShape([2, 3]) == [2, 3]
    assert TensorShape([2, 3]) != TensorShape([2, None])
    assert TensorShape([None]) == (None,)
    assert TensorShape(None) == TensorShape(None) and TensorShape(None) == None  # noqa: E711 (TF's __eq__)
    assert TensorShape(None) != TensorShape([]) and TensorShape([]) != TensorShape(None)
    assert s.__eq__("a") is NotImplemented


def test_hashing_pickling_and_copies():
    assert hash(TensorShape([2, 3])) == hash((2, 3))
    assert {TensorShape([2, 3]): 1}[(2, 3)] == 1 and TensorShape([None, 3]) in {(None, 3)}
    for shape in (TensorShape([None, 3]), TensorShape(None), TensorShape([])):
        for clone in (pickle.loads(pickle.dumps(shape)), copy.deepcopy(shape), copy.copy(shape)):
            assert repr(clone) == repr(shape) and clone == shape


def test_compatibility_merge_and_concatenation():
    s, unknown = TensorShape([None, 3]), TensorShape(None)
    # recorded with TensorFlow 2.21.0
    assert s.is_compatible_with([4, 3]) and not s.is_compatible_with([4, 4])
    assert s.is_compatible_with(unknown) and not s.is_compatible_with([1, 2, 3])
    assert unknown.is_compatible_with([1]) and TensorShape([2, 3]).is_compatible_with(unknown)
    assert repr(s.merge_with([4, None])) == "TensorShape([4, 3])"
    assert repr(unknown.merge_with(s)) == "TensorShape([None, 3])"
    with pytest.raises(ValueError, match=r"^Shapes \(None, 3\) and \(4, 4\) are not compatible$"):
        s.merge_with([4, 4])
    with pytest.raises(ValueError, match=r"^Shapes \(None, 3\) and \[4, 4\] are incompatible$"):
        s.assert_is_compatible_with([4, 4])
    assert repr(s.concatenate([5])) == "TensorShape([None, 3, 5])"
    assert repr(s.concatenate(unknown)) == "TensorShape(None)" and repr(unknown.concatenate(s)) == "TensorShape(None)"
    assert repr(TensorShape([2, 3]).most_specific_compatible_shape([2, 4])) == "TensorShape([2, None])"
    assert repr(TensorShape([2, 3]).most_specific_compatible_shape([2, 4, 4])) == "TensorShape(None)"


def test_with_rank():
    s = TensorShape([None, 3])
    assert repr(TensorShape(None).with_rank(2)) == "TensorShape([None, None])" and s.with_rank(2) is s
    with pytest.raises(ValueError, match=r"^Shape \(None, 3\) must have rank 3$"):
        s.with_rank(3)
    assert s.with_rank_at_least(1) is s and s.with_rank_at_most(2) is s
    with pytest.raises(ValueError, match=r"must have rank at least 3"):
        s.with_rank_at_least(3)


def test_adding_shapes_and_tuples():
    # recorded with TensorFlow 2.21.0: + concatenates, from either side
    assert repr(TensorShape([2, 3]) + [4]) == "TensorShape([2, 3, 4])"
    assert repr((4,) + TensorShape([2, 3])) == "TensorShape([4, 2, 3])"
    assert repr([4] + TensorShape([2, 3])) == "TensorShape([4, 2, 3])"
    assert repr(TensorShape([2, 3]) + TensorShape([4])) == "TensorShape([2, 3, 4])"
    # deepgrad: a reshape target with -1 (which TensorFlow refuses as a dimension) stays a plain tuple
    target = TensorShape([2, 3])[:1] + (-1,)
    assert type(target) is tuple and target == (2, -1)


def test_invalid_dimensions_are_refused():
    with pytest.raises(TypeError, match="must be an integer or None"):
        TensorShape(["a"])
    with pytest.raises(TypeError, match="must be an integer or None"):
        TensorShape([2.5])
    with pytest.raises(ValueError, match="dimension -1 must be >= 0"):
        TensorShape([-1])


# ----------------------------------------------------------------------------- Tensor.shape


def test_tensor_shape_is_a_tensorshape_that_works_as_a_tuple():
    t = tf.zeros([2, 3])
    s = t.shape
    assert isinstance(s, tf.TensorShape) and isinstance(s, tuple) and repr(s) == "TensorShape([2, 3])"
    assert s == (2, 3) and s == [2, 3] and tuple(s) == (2, 3) and len(s) == 2 and s[-1] == 3
    assert s.as_list() == [2, 3] and s.rank == 2 and s.num_elements() == 6 and s.is_fully_defined()
    rows, cols = s
    assert (rows, cols) == (2, 3)
    assert np.zeros(s).shape == (2, 3) and np.reshape(np.arange(6), s).shape == (2, 3)
    assert np.ones(s + (1,)).shape == (2, 3, 1) and np.ones((1,) + s).shape == (1, 2, 3)
    assert repr(s[1:]) == "TensorShape([3])" and str(s) == "(2, 3)"
    assert tf.reshape(tf.range(6), s).shape == (2, 3) and tf.zeros(s).shape == (2, 3)
    assert t.shape is tf.ones([2, 3]).shape  # one shared object per array shape
    assert repr(tf.constant(1.0).shape) == "TensorShape([])"


def test_variable_shape_and_reprs_keep_the_tuple_text():
    v = tf.Variable(np.zeros((2, 2), np.float32), name="w")
    assert isinstance(v.shape, tf.TensorShape) and v.shape == (2, 2)
    assert "shape=(2, 2)" in repr(v) and "shape=(2, 3)" in repr(tf.zeros([2, 3]))


def test_keras_symbolic_tensors_keep_plain_tuples():
    x = tf.keras.Input(shape=(3,))
    assert type(x.shape) is tuple and x.shape == (None, 3)  # as Keras 3's KerasTensor


# ----------------------------------------------------------------------------- TensorSpec


def test_tensorspec_attributes_and_repr():
    a = TensorSpec([None, 3])
    # recorded with TensorFlow 2.21.0
    assert repr(a) == "TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)" and str(a) == repr(a)
    assert repr(a.shape) == "TensorShape([None, 3])" and a.dtype == tf.float32 and a.name is None
    assert repr(TensorSpec((2, 3), tf.int32, name="x")) == "TensorSpec(shape=(2, 3), dtype=tf.int32, name='x')"
    assert repr(TensorSpec(None)) == "TensorSpec(shape=<unknown>, dtype=tf.float32, name=None)"
    assert repr(TensorSpec([])) == "TensorSpec(shape=(), dtype=tf.float32, name=None)"
    assert repr(TensorSpec([2], "float64")) == "TensorSpec(shape=(2,), dtype=tf.float64, name=None)"
    assert repr(TensorSpec([3], tf.string)) == "TensorSpec(shape=(3,), dtype=tf.string, name=None)"
    assert repr(TensorSpec([3], tf.bool)) == "TensorSpec(shape=(3,), dtype=tf.bool, name=None)"
    assert tf.TensorSpec is TensorSpec and tf.TensorShape is TensorShape


def test_tensorspec_equality_and_hash():
    a = TensorSpec([None, 3])
    # recorded with TensorFlow 2.21.0
    assert a == TensorSpec([None, 3]) and hash(a) == hash(TensorSpec([None, 3]))
    assert a != TensorSpec([None, 3], name="y") and a != TensorSpec([2, 3]) and a != TensorSpec([None, 3], tf.int32)
    assert a != TensorShape([None, 3])


def test_tensorspec_compatibility():
    a = TensorSpec([None, 3])
    # recorded with TensorFlow 2.21.0
    assert a.is_compatible_with(TensorSpec([2, 3])) and not a.is_compatible_with(TensorSpec([2, 3], tf.int32))
    assert a.is_compatible_with(tf.zeros([4, 3])) and not a.is_compatible_with(tf.zeros([4, 4]))
    assert a.is_compatible_with(TensorSpec([None, 3], name="zz"))
    assert not a.is_compatible_with(np.zeros([4, 3], np.float32))  # not a tensor
    assert not a.is_compatible_with([[1.0, 2.0, 3.0]])
    assert a.is_compatible_with(tf.Variable(np.zeros((1, 3), np.float32)))


def test_tensorspec_from_tensor_from_spec_and_supertype():
    # recorded with TensorFlow 2.21.0
    assert repr(TensorSpec.from_tensor(tf.zeros([2, 3]))) == "TensorSpec(shape=(2, 3), dtype=tf.float32, name=None)"
    assert repr(TensorSpec.from_tensor(tf.constant([1, 2]), name="q")) == \
        "TensorSpec(shape=(2,), dtype=tf.int32, name='q')"
    b = TensorSpec((2, 3), tf.int32, name="x")
    assert repr(TensorSpec.from_spec(b)) == "TensorSpec(shape=(2, 3), dtype=tf.int32, name='x')"
    assert repr(TensorSpec([None, 3]).most_specific_common_supertype([TensorSpec([2, 3])])) == \
        "TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)"
    assert TensorSpec([2]).most_specific_common_supertype([TensorSpec([2], tf.int32)]) is None


def test_tensorspec_refuses_what_is_not_a_dtype():
    with pytest.raises(TypeError, match="foo"):
        TensorSpec([2], dtype="foo")
