"""The TensorFlow 2.21 top-level names added for issue 15 exist, and tf.nest, tf.errors,
tf.debugging, tf.io and the initializer classes behave as TensorFlow 2.21.0 does (values and
messages recorded with it)."""
import collections
import logging

import numpy as np
import pytest

import deepgrad as tf

ADDED = """
sin cos tan asin acos atan atan2 sinh cosh asinh acosh atanh cumsum scalar_mul einsum tensordot
argsort sort reverse roll repeat meshgrid gather_nd scatter_nd tensor_scatter_nd_update
tensor_scatter_nd_add tensor_scatter_nd_sub tensor_scatter_nd_min tensor_scatter_nd_max slice
strided_slice unique unique_with_counts searchsorted sequence_mask clip_by_norm clip_by_global_norm
ensure_shape identity_n shape_n realdiv truncatediv truncatemod saturate_cast unravel_index
histogram_fixed_width dynamic_partition dynamic_stitch parallel_stack broadcast_static_shape
broadcast_dynamic_shape get_static_value histogram_fixed_width_bins reverse_sequence
cond case switch_case while_loop map_fn foldl foldr scan vectorized_map no_op group tuple inside_function
control_dependencies init_scope py_function numpy_function
custom_gradient recompute_grad grad_pass_through gradients hessians UnconnectedGradients
nest errors debugging io strings Assert assert_equal assert_less assert_greater assert_rank get_logger
constant_initializer zeros_initializer ones_initializer random_normal_initializer random_uniform_initializer
""".split()

MATH_ADDED = """
lgamma digamma xlogy xlog1py xdivy multiply_no_nan reciprocal_no_nan conj real imag angle bincount
confusion_matrix segment_mean unsorted_segment_mean unsorted_segment_sqrt_n cumulative_logsumexp
zero_fraction is_non_decreasing is_strictly_increasing polyval rint invert_permutation lbeta ndtri
erfcinv scalar_mul
""".split()


def test_every_added_name_exists():
    assert [n for n in ADDED if not hasattr(tf, n)] == []
    assert [n for n in MATH_ADDED if not hasattr(tf.math, n)] == []


def test_import_deepgrad_loads_no_keras_torch_or_pil():
    import subprocess
    import sys

    code = "import sys, deepgrad; print(sorted(m for m in ('deepgrad.keras', 'torch', 'PIL') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ----------------------------------------------------------------------------- tf.nest

Point = collections.namedtuple("Point", "a b")
STRUCTURE = {"b": [1, (2, 3)], "a": Point(4, 5)}


def test_nest_flatten_pack_map():
    # recorded with TensorFlow 2.21.0
    assert tf.nest.flatten(STRUCTURE) == [4, 5, 1, 2, 3]
    assert tf.nest.pack_sequence_as(STRUCTURE, list(range(10, 15))) == {"b": [12, (13, 14)], "a": Point(10, 11)}
    assert tf.nest.map_structure(lambda a, b: a + b, STRUCTURE, STRUCTURE) == {"b": [2, (4, 6)], "a": Point(8, 10)}
    assert (tf.nest.is_nested(1), tf.nest.is_nested([1]), tf.nest.flatten(None)) == (False, True, [None])


def test_nest_errors():
    with pytest.raises(TypeError, match="don't have the same sequence type"):
        tf.nest.assert_same_structure([1, 2], (1, 2))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.nest.assert_same_structure([1, 2], [1, [2]])
    with pytest.raises(ValueError, match="Structure had 2 atoms, but flat_sequence had 1 items"):
        tf.nest.pack_sequence_as([1, 2], [1])
    with pytest.raises(AttributeError, match="deepgrad does not implement tf.nest.no_such"):
        tf.nest.no_such


# ----------------------------------------------------------------------------- tf.errors


def test_errors_are_op_errors_with_codes():
    e = tf.errors.InvalidArgumentError(None, None, "boom")
    assert str(e) == "boom" and e.message == "boom" and e.error_code == 3  # recorded with TF 2.21.0
    assert issubclass(tf.errors.OutOfRangeError, tf.errors.OpError)
    assert tf.errors.OutOfRangeError.error_code == tf.errors.OUT_OF_RANGE == 11
    assert tf.errors.NotFoundError.error_code == 5 and tf.errors.ResourceExhaustedError.error_code == 8
    assert tf.errors.UnimplementedError.error_code == 12


def test_runtime_errors_raise_tf_errors():
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Shape of tensor input \[2,3\] is not compatible with expected shape \[\?,4\]"):
        tf.ensure_shape(tf.zeros([2, 3]), [None, 4])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather_nd(tf.constant([1, 2]), [[5]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.math.invert_permutation(tf.constant([0, 0]))
    with pytest.raises(ValueError, match="Received: \\(2,\\) and \\(3,\\)"):
        tf.broadcast_static_shape(tf.TensorShape([2]), tf.TensorShape([3]))
    with pytest.raises(ValueError, match="Argument `direction` should be one of ASCENDING, DESCENDING"):
        tf.sort(tf.constant([1.]), direction="UP")
    with pytest.raises(RuntimeError, match="not compatible with eager execution"):
        tf.parallel_stack([tf.constant([1, 2])])


# ----------------------------------------------------------------------------- tf.debugging


def test_assertions_pass_and_fail_as_tensorflow():
    x, y = tf.constant([1., 2.]), tf.constant([1., 3.])
    assert tf.debugging.assert_equal(x, x) is None
    assert tf.assert_less(x, y + 1) is None
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.assert_equal(x, y)
    # recorded with TensorFlow 2.21.0
    assert str(info.value).startswith("Condition x == y did not hold.\nIndices of first 1 different values:\n[[1]]")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x < y did not hold"):
        tf.debugging.assert_less(x, y)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x > y did not hold"):
        tf.assert_greater(x, y)
    with pytest.raises(tf.errors.InvalidArgumentError, match="hint\n\nCondition x > 0"):
        tf.debugging.assert_positive(-x, message="hint")
    with pytest.raises(ValueError, match="must have rank 2.  Received rank 1, shape \\(2,\\)"):
        tf.assert_rank(x, 2)
    assert tf.debugging.assert_near(x, x + 1e-7) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
        tf.debugging.assert_near(x, y)
    with pytest.raises(TypeError, match="tensor must be of type tf.int32; got tf.float32"):
        tf.debugging.assert_type(x, tf.int32)


def test_assert_shapes_check_numerics_and_Assert():
    tf.debugging.assert_shapes([(tf.zeros([2]), ("N",)), (tf.zeros([2, 3]), ("N", "D"))])
    with pytest.raises(ValueError, match="dimension 0 must have size 2.  Received size 3"):
        tf.debugging.assert_shapes([(tf.zeros([2]), ("N",)), (tf.zeros([3, 3]), ("N", "D"))])
    ok = tf.constant([1., 2.])
    assert tf.debugging.check_numerics(ok, "bad") is ok
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had NaN values"):
        tf.debugging.check_numerics(tf.constant([1., np.nan]), "bad")
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had Inf values"):
        tf.debugging.assert_all_finite(tf.constant([1., np.inf]), "bad")
    assert tf.Assert(tf.constant(True), [ok]) is None
    with pytest.raises(tf.errors.InvalidArgumentError, match="Summarized data: \\[1.0, 2.0\\]"):
        tf.Assert(tf.constant(False), [ok])
    tf.debugging.enable_check_numerics()
    tf.debugging.disable_check_numerics()
    tf.debugging.set_log_device_placement(True)
    assert tf.debugging.get_log_device_placement() is True
    tf.debugging.set_log_device_placement(False)


def test_get_logger_is_the_tensorflow_logger():
    assert tf.get_logger() is logging.getLogger("tensorflow")


# ----------------------------------------------------------------------------- tf.io


def test_io_read_write_and_gfile(tmp_path):
    path = str(tmp_path / "x.txt")
    assert tf.io.write_file(path, "hello") is None
    content = tf.io.read_file(path)
    assert content.numpy() == b"hello"  # recorded with TensorFlow 2.21.0: tf.Tensor(b'hello', dtype=string)
    assert tf.io.gfile.exists(path) and tf.io.gfile.glob(str(tmp_path / "x.*")) == [path]
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        tf.io.read_file(str(tmp_path / "nope.txt"))
    tf.io.gfile.makedirs(str(tmp_path / "a" / "b"))
    with tf.io.gfile.GFile(str(tmp_path / "a" / "b" / "y.txt"), "w") as f:
        f.write("z")
    assert tf.io.gfile.listdir(str(tmp_path / "a" / "b")) == ["y.txt"]


# ----------------------------------------------------------------------------- initializers


def test_initializers_as_tensorflow():
    # recorded with TensorFlow 2.21.0
    c = tf.constant_initializer([1, 2, 3, 4])(shape=[2, 2])
    assert c.dtype == tf.int32 and c.numpy().tolist() == [[1, 2], [3, 4]]
    assert tf.constant_initializer(3)(shape=[2], dtype=tf.int32).numpy().tolist() == [3, 3]
    z = tf.zeros_initializer()(shape=[2], dtype=tf.int32)
    assert z.dtype == tf.int32 and z.numpy().tolist() == [0, 0]
    o = tf.ones_initializer()([1, 2])
    assert o.dtype == tf.float32 and o.numpy().tolist() == [[1.0, 1.0]]
    assert tf.constant_initializer([1, 2]).get_config() == {"value": [1, 2]}
    assert tf.random_normal_initializer().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert tf.random_uniform_initializer().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    with pytest.raises(TypeError):
        tf.constant_initializer([1, 2, 3])(shape=[2, 2])
    tf.random.set_seed(0)
    a = tf.random_normal_initializer(mean=1., stddev=0.5)([2000]).numpy()
    assert a.dtype == np.float32 and abs(a.mean() - 1.0) < 0.05 and abs(a.std() - 0.5) < 0.05
    u = tf.random_uniform_initializer(-1., 2.)([2000]).numpy()
    assert -1.0 <= u.min() < -0.99 and 1.99 < u.max() < 2.0
    v = tf.Variable(tf.random_normal_initializer(stddev=0.02, seed=1)(shape=[3, 4]))
    assert v.shape == (3, 4)
