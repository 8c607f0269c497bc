"""TensorFlow's top-level array ops and the new tf.math functions, value for value against
TensorFlow 2.21.0 (the recorded constants below: each expression was run with real TensorFlow
and its result stored as (kind, value, dtype)), plus gradients through `grad` below, whose
TensorFlow results are recorded the same way."""
import builtins
import math

import numpy as np
import pytest

import deepgrad as tf

inf, nan = math.inf, math.nan


def grad(f, *xs):
    """d/dxs of sum(f(*xs) * w) with w = 1, 2, 3, ... over f's output (the same code ran in TensorFlow)."""
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as t:
        t.watch(xs)
        y = f(*xs)
        w = tf.reshape(tf.cast(tf.range(tf.size(y)), y.dtype) + 1., tf.shape(y))
        loss = tf.reduce_sum(y * w)
    return t.gradient(loss, xs)


def _check(got, want, expr):
    if want is None:
        assert got is None, expr
    elif isinstance(want, list):
        assert isinstance(got, (list, tuple)) and len(got) == len(want), expr
        for g, w in zip(got, want):
            _check(g, w, expr)
    elif want[0] == "shape":
        assert got.as_list() == want[1], expr
    elif want[0] == "py":
        assert got == want[1], expr
    else:
        _, value, dtype = want
        array = np.asarray(got.numpy() if isinstance(got, tf.Tensor) else got)
        assert array.dtype.name == dtype, (expr, array.dtype)
        expected = np.asarray(value, dtype=dtype)
        if expected.size == 0:
            assert array.size == 0, expr
            return
        assert array.shape == expected.shape, (expr, array.shape)
        if array.dtype.kind == "f":
            np.testing.assert_allclose(array, expected, rtol=2e-5, atol=2e-6, err_msg=expr)
        else:
            np.testing.assert_array_equal(array, expected, err_msg=expr)


# recorded with TensorFlow 2.21.0
ARRAY = [
    ('tf.histogram_fixed_width_bins(tf.constant([-1.0, 0.0, 1.5, 2.0, 5.0, 15.]), [0.0, 5.0], nbins=5)',
     ('t', [0, 0, 1, 2, 4, 4], 'int32')),
    ('tf.reverse_sequence(tf.reshape(tf.range(12.), [3, 4]), [4, 2, 0], seq_axis=1, batch_axis=0)',
     ('t', [[3.0, 2.0, 1.0, 0.0], [5.0, 4.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], 'float32')),
    ('tf.reverse_sequence(tf.transpose(tf.reshape(tf.range(12.), [3, 4])), [1, 3, 2], seq_axis=0, batch_axis=1)',
     ('t', [[0.0, 6.0, 9.0], [1.0, 5.0, 8.0], [2.0, 4.0, 10.0], [3.0, 7.0, 11.0]], 'float32')),
    ('tf.sin(tf.constant([0.5, 1.0, 2.0]))',
     ('t', [0.4794255495071411, 0.8414709568023682, 0.9092974066734314], 'float32')),
    ('tf.cos(tf.constant([0.5, 1.0]))',
     ('t', [0.8775825500488281, 0.5403022766113281], 'float32')),
    ('tf.tan(tf.constant([0.5]))',
     ('t', [0.5463024973869324], 'float32')),
    ('tf.asin(tf.constant([0.5, -0.2]))',
     ('t', [0.5235987901687622, -0.20135793089866638], 'float32')),
    ('tf.acos(tf.constant([0.5]))',
     ('t', [1.0471975803375244], 'float32')),
    ('tf.atan(tf.constant([3.0]))',
     ('t', [1.249045729637146], 'float32')),
    ('tf.atan2(tf.constant([1.0, -1.0]), tf.constant([-2.0, -2.0]))',
     ('t', [2.677945137023926, -2.677945137023926], 'float32')),
    ('tf.sinh(tf.constant([1.5]))',
     ('t', [2.129279375076294], 'float32')),
    ('tf.cosh(tf.constant([1.5]))',
     ('t', [2.352409601211548], 'float32')),
    ('tf.asinh(tf.constant([1.5]))',
     ('t', [1.19476318359375], 'float32')),
    ('tf.acosh(tf.constant([1.5]))',
     ('t', [0.9624236822128296], 'float32')),
    ('tf.atanh(tf.constant([0.5]))',
     ('t', [0.5493061542510986], 'float32')),
    ('tf.cumsum(tf.constant([[1, 2], [3, 4]]), axis=1, exclusive=True)',
     ('t', [[0, 1], [0, 3]], 'int32')),
    ('tf.cumsum(tf.constant([1., 2., 3.]), reverse=True)',
     ('t', [6.0, 5.0, 3.0], 'float32')),
    ('tf.argsort(tf.constant([3, 1, 2, 1]))',
     ('t', [1, 3, 2, 0], 'int32')),
    ("tf.argsort(tf.constant([3, 1, 2, 1]), direction='DESCENDING')",
     ('t', [0, 2, 1, 3], 'int32')),
    ('tf.argsort(tf.constant([[3., 1.], [0., 5.]]), axis=0)',
     ('t', [[1, 0], [0, 1]], 'int32')),
    ("tf.sort(tf.constant([3., 1., 2.]), direction='DESCENDING')",
     ('t', [3.0, 2.0, 1.0], 'float32')),
    ('tf.sort(tf.constant([[3, 1], [0, -5]]))',
     ('t', [[1, 3], [-5, 0]], 'int32')),
    ('tf.reverse(tf.constant([[1, 2, 3], [4, 5, 6]]), [1])',
     ('t', [[3, 2, 1], [6, 5, 4]], 'int32')),
    ('tf.reverse(tf.constant([[1, 2], [3, 4]]), axis=[0, 1])',
     ('t', [[4, 3], [2, 1]], 'int32')),
    ('tf.roll(tf.constant([1, 2, 3, 4, 5]), shift=2, axis=0)',
     ('t', [4, 5, 1, 2, 3], 'int32')),
    ('tf.roll(tf.constant([[1, 2, 3], [4, 5, 6]]), shift=[1, -1], axis=[0, 1])',
     ('t', [[5, 6, 4], [2, 3, 1]], 'int32')),
    ('tf.repeat(tf.constant([[1, 2], [3, 4]]), repeats=[1, 2], axis=0)',
     ('t', [[1, 2], [3, 4], [3, 4]], 'int32')),
    ('tf.repeat(tf.constant([[1, 2], [3, 4]]), 2)',
     ('t', [1, 1, 2, 2, 3, 3, 4, 4], 'int32')),
    ('tf.meshgrid(tf.constant([1, 2, 3]), tf.constant([4, 5]))',
     [('t', [[1, 2, 3], [1, 2, 3]], 'int32'), ('t', [[4, 4, 4], [5, 5, 5]], 'int32')]),
    ("tf.meshgrid(tf.constant([1, 2, 3]), tf.constant([4, 5]), indexing='ij')",
     [('t', [[1, 1], [2, 2], [3, 3]], 'int32'), ('t', [[4, 5], [4, 5], [4, 5]], 'int32')]),
    ('tf.tensordot(tf.reshape(tf.range(6.), [2, 3]), tf.reshape(tf.range(12.), [3, 4]), axes=1)',
     ('t', [[20.0, 23.0, 26.0, 29.0], [56.0, 68.0, 80.0, 92.0]], 'float32')),
    ("tf.einsum('ij,jk->ik', tf.reshape(tf.range(6.), [2, 3]), tf.reshape(tf.range(6.), [3, 2]))",
     ('t', [[10.0, 13.0], [28.0, 40.0]], 'float32')),
    ('tf.gather_nd(tf.constant([[1, 2], [3, 4]]), [[1, 0], [0, 1]])',
     ('t', [3, 2], 'int32')),
    ('tf.gather_nd(tf.constant([[1, 2], [3, 4]]), [[1]])',
     ('t', [[3, 4]], 'int32')),
    ('tf.gather_nd(tf.reshape(tf.range(8), [2, 2, 2]), [[1], [0]], batch_dims=1)',
     ('t', [[2, 3], [4, 5]], 'int32')),
    ('tf.scatter_nd(tf.constant([[4], [3], [1], [7], [4]]), tf.constant([9, 10, 11, 12, 1]), [8])',
     ('t', [0, 11, 0, 10, 10, 0, 0, 12], 'int32')),
    ('tf.tensor_scatter_nd_update(tf.zeros([2, 3]), [[0, 1], [1, 2]], [5., 6.])',
     ('t', [[0.0, 5.0, 0.0], [0.0, 0.0, 6.0]], 'float32')),
    ('tf.tensor_scatter_nd_add(tf.ones([4]), [[1], [1], [3]], [1., 2., 3.])',
     ('t', [1.0, 4.0, 1.0, 4.0], 'float32')),
    ('tf.tensor_scatter_nd_sub(tf.ones([4]), [[1], [3]], [1., 2.])',
     ('t', [1.0, 0.0, 1.0, -1.0], 'float32')),
    ('tf.tensor_scatter_nd_max(tf.constant([1., 5., 2.]), [[0], [1]], [3., 3.])',
     ('t', [3.0, 5.0, 2.0], 'float32')),
    ('tf.tensor_scatter_nd_min(tf.constant([1., 5., 2.]), [[0], [1]], [3., 3.])',
     ('t', [1.0, 3.0, 2.0], 'float32')),
    ('tf.tensor_scatter_nd_update(tf.zeros([2, 2]), [[1]], [[7., 8.]])',
     ('t', [[0.0, 0.0], [7.0, 8.0]], 'float32')),
    ('tf.slice(tf.reshape(tf.range(12), [3, 4]), [1, 1], [2, -1])',
     ('t', [[5, 6, 7], [9, 10, 11]], 'int32')),
    ('tf.strided_slice(tf.reshape(tf.range(24), [2, 3, 4]), [1, 0, 0], [2, 2, 4], [1, 1, 2])',
     ('t', [[[12, 14], [16, 18]]], 'int32')),
    ('tf.strided_slice(tf.reshape(tf.range(24), [2, 3, 4]), [0, 1, 3], [2, 3, 0], [1, 1, -1], begin_mask=1, end_mask=4)',
     ('t', [[[7, 6, 5, 4], [11, 10, 9, 8]], [[19, 18, 17, 16], [23, 22, 21, 20]]], 'int32')),
    ('tf.strided_slice(tf.reshape(tf.range(24), [2, 3, 4]), [1, 0], [2, 0], [1, 1], shrink_axis_mask=1, ellipsis_mask=2)',
     ('t', [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]], 'int32')),
    ('tf.strided_slice(tf.reshape(tf.range(6), [2, 3]), [0, 0, 1], [2, 0, 3], [1, 1, 1], new_axis_mask=2)',
     ('t', [[[1, 2]], [[4, 5]]], 'int32')),
    ('tf.unique(tf.constant([1, 1, 2, 4, 4, 4, 7, 8, 8]))',
     [('t', [1, 2, 4, 7, 8], 'int32'), ('t', [0, 0, 1, 2, 2, 2, 3, 4, 4], 'int32')]),
    ('tf.unique(tf.constant([5., 3., 5., 1.]), out_idx=tf.int64)',
     [('t', [5.0, 3.0, 1.0], 'float32'), ('t', [0, 1, 0, 2], 'int64')]),
    ('tf.unique_with_counts(tf.constant([3, 1, 3, 2, 1, 3]))',
     [('t', [3, 1, 2], 'int32'), ('t', [0, 1, 0, 2, 1, 0], 'int32'), ('t', [3, 2, 1], 'int32')]),
    ('tf.searchsorted(tf.constant([[0, 3, 9, 9, 10], [1, 2, 3, 4, 5]]), tf.constant([[2, 4, 9], [0, 2, 6]]))',
     ('t', [[1, 2, 2], [0, 1, 5]], 'int32')),
    ("tf.searchsorted(tf.constant([1., 2., 2., 3.]), tf.constant([2., 2.5]), side='right')",
     ('t', [3, 3], 'int32')),
    ('tf.sequence_mask([1, 3, 2], 5)',
     ('t', [[True, False, False, False, False], [True, True, True, False, False], [True, True, False, False, False]], 'bool')),
    ('tf.sequence_mask(tf.constant([[1, 3], [2, 0]]))',
     ('t', [[[True, False, False], [True, True, True]], [[True, True, False], [False, False, False]]], 'bool')),
    ('tf.sequence_mask([1, 2], 3, dtype=tf.float32)',
     ('t', [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]], 'float32')),
    ('tf.clip_by_norm(tf.constant([[3., 4.], [1., 0.]]), 2.)',
     ('t', [[1.17669677734375, 1.5689290761947632], [0.3922322690486908, 0.0]], 'float32')),
    ('tf.clip_by_norm(tf.constant([[3., 4.], [1., 0.]]), 2., axes=[1])',
     ('t', [[1.2000000476837158, 1.600000023841858], [1.0, 0.0]], 'float32')),
    ('tf.clip_by_global_norm([tf.constant([3., 4.]), None, tf.constant([12.])], 6.5)',
     [[('t', [1.5, 2.0], 'float32'), None, ('t', [6.0], 'float32')], ('t', 13.0, 'float32')]),
    ('tf.clip_by_global_norm([tf.constant([0.3, 0.4])], 1.0)',
     [[('t', [0.30000001192092896, 0.4000000059604645], 'float32')], ('t', 0.5, 'float32')]),
    ('tf.ensure_shape(tf.zeros([2, 3]), [None, 3])',
     ('t', [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], 'float32')),
    ('tf.identity_n([tf.constant(1.), tf.constant([2, 3])])',
     [('t', 1.0, 'float32'), ('t', [2, 3], 'int32')]),
    ('tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])])',
     [('t', [2, 3], 'int32'), ('t', [4], 'int32')]),
    ('tf.realdiv(tf.constant([1., 3.]), tf.constant([2., 4.]))',
     ('t', [0.5, 0.75], 'float32')),
    ('tf.truncatediv(tf.constant([-7, 7, -7]), tf.constant([2, -2, -2]))',
     ('t', [-3, -3, 3], 'int32')),
    ('tf.truncatemod(tf.constant([-7, 7, -7]), tf.constant([2, -2, -2]))',
     ('t', [-1, 1, -1], 'int32')),
    ('tf.truncatemod(tf.constant([-7.5, 7.5]), tf.constant([2., -2.]))',
     ('t', [-1.5, 1.5], 'float32')),
    ('tf.scalar_mul(2., tf.constant([1., 2.]))',
     ('t', [2.0, 4.0], 'float32')),
    ('tf.saturate_cast(tf.constant([-3., 300.5, 7.9]), tf.uint8)',
     ('t', [0, 255, 7], 'uint8')),
    ('tf.saturate_cast(tf.constant([-70000, 5]), tf.int16)',
     ('t', [-32768, 5], 'int16')),
    ('tf.unravel_index(tf.constant([2, 5, 7]), tf.constant([3, 3]))',
     ('t', [[0, 1, 2], [2, 2, 1]], 'int32')),
    ('tf.histogram_fixed_width(tf.constant([-1.0, 0.0, 1.5, 2.0, 5.0, 15.]), [0.0, 5.0], nbins=5)',
     ('t', [2, 1, 1, 0, 2], 'int32')),
    ('tf.dynamic_partition(tf.constant([10, 20, 30, 40, 50]), tf.constant([0, 0, 1, 1, 0]), 2)',
     [('t', [10, 20, 50], 'int32'), ('t', [30, 40], 'int32')]),
    ('tf.dynamic_partition(tf.constant([[1., 2.], [3., 4.], [5., 6.]]), [1, 0, 1], 3)',
     [('t', [[3.0, 4.0]], 'float32'), ('t', [[1.0, 2.0], [5.0, 6.0]], 'float32'), ('t', [], 'float32')]),
    ('tf.dynamic_stitch([tf.constant([6]), tf.constant([4, 1]), tf.constant([[5, 2], [0, 3]])], [tf.constant([61]), tf.constant([41, 11]), tf.constant([[51, 21], [1, 31]])])',
     ('t', [1, 11, 21, 31, 41, 51, 61], 'int32')),
    ('tf.dynamic_stitch([tf.constant([0, 1]), tf.constant([1])], [tf.constant([[1., 2.], [3., 4.]]), tf.constant([[9., 9.]])])',
     ('t', [[1.0, 2.0], [9.0, 9.0]], 'float32')),
    ('tf.parallel_stack([tf.constant([1, 2]), tf.constant([3, 4])])',
     ('error', 'RuntimeError')),
    ('tf.broadcast_static_shape(tf.TensorShape([1, 3]), tf.TensorShape([2, 1]))',
     ('shape', [2, 3])),
    ('tf.broadcast_dynamic_shape(tf.constant([1, 3]), tf.constant([4, 2, 1]))',
     ('t', [4, 2, 3], 'int32')),
    ('tf.get_static_value(tf.constant([1, 2]))',
     ('t', [1, 2], 'int32')),
]

MATH = [
    ('tf.math.lgamma(tf.constant([0.5, 1., 3.5, 10., -1.5, 100.]))',
     ('t', [0.5723649263381958, 0.0, 1.200973629951477, 12.801827430725098, 0.8600470423698425, 359.13421630859375], 'float32')),
    ('tf.math.digamma(tf.constant([0.5, 1., 3.5, 10., -1.5, 0.01]))',
     ('t', [-1.9635107517242432, -0.5772159099578857, 1.1031568050384521, 2.2517526149749756, 0.7031568288803101, -100.5608901977539], 'float32')),
    ('tf.math.xlogy(tf.constant([0., 2., 0.]), tf.constant([0., 3., 5.]))',
     ('t', [0.0, 2.1972246170043945, 0.0], 'float32')),
    ('tf.math.xlog1py(tf.constant([0., 2.]), tf.constant([-1., 3.]))',
     ('t', [0.0, 2.7725887298583984], 'float32')),
    ('tf.math.xdivy(tf.constant([0., 2.]), tf.constant([0., 4.]))',
     ('t', [0.0, 0.5], 'float32')),
    ('tf.math.multiply_no_nan(tf.constant([np.inf, np.nan, 2.]), tf.constant([0., 0., 3.]))',
     ('t', [0.0, 0.0, 6.0], 'float32')),
    ('tf.math.reciprocal_no_nan(tf.constant([0., 4., -0.5]))',
     ('t', [0.0, 0.25, -2.0], 'float32')),
    ('tf.math.real(tf.constant([1., -2.]))',
     ('t', [1.0, -2.0], 'float32')),
    ('tf.math.imag(tf.constant([1., -2.]))',
     ('t', [0.0, 0.0], 'float32')),
    ('tf.math.conj(tf.constant([1., -2.]))',
     ('t', [1.0, -2.0], 'float32')),
    ('tf.math.angle(tf.constant([1., -2., 0.]))',
     ('t', [0.0, 3.1415927410125732, 0.0], 'float32')),
    ('tf.math.bincount(tf.constant([1, 1, 3, 0, 3, 3]))',
     ('t', [1, 2, 0, 3], 'int32')),
    ('tf.math.bincount(tf.constant([1, 1, 3]), minlength=6)',
     ('t', [0, 2, 0, 1, 0, 0], 'int32')),
    ('tf.math.bincount(tf.constant([1, 1, 3, 2]), weights=tf.constant([0.5, 1., 2., 4.]))',
     ('t', [0.0, 1.5, 4.0, 2.0], 'float32')),
    ('tf.math.bincount(tf.constant([1, 5, 3]), maxlength=3)',
     ('t', [0, 1, 0], 'int32')),
    ('tf.math.bincount(tf.constant([[1, 1], [2, 0]]), axis=-1)',
     ('t', [[0, 2, 0], [1, 0, 1]], 'int32')),
    ('tf.math.bincount(tf.constant([1, 1, 3]), binary_output=True)',
     ('t', [0, 1, 0, 1], 'int32')),
    ('tf.math.confusion_matrix([1, 2, 4], [2, 2, 4])',
     ('t', [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1]], 'int32')),
    ('tf.math.confusion_matrix([0, 1, 1], [1, 1, 0], num_classes=3, weights=[1., 2., 3.], dtype=tf.float32)',
     ('t', [[0.0, 1.0, 0.0], [3.0, 2.0, 0.0], [0.0, 0.0, 0.0]], 'float32')),
    ('tf.math.segment_mean(tf.constant([[1., 2.], [3., 4.], [5., 7.]]), tf.constant([0, 0, 2]))',
     ('t', [[2.0, 3.0], [0.0, 0.0], [5.0, 7.0]], 'float32')),
    ('tf.math.unsorted_segment_mean(tf.constant([1., 2., 3., 4.]), tf.constant([1, 0, 1, 1]), num_segments=3)',
     ('t', [2.0, 2.6666667461395264, 0.0], 'float32')),
    ('tf.math.unsorted_segment_sqrt_n(tf.constant([1., 2., 3., 4.]), tf.constant([1, 0, 1, 1]), num_segments=3)',
     ('t', [2.0, 4.618802070617676, 0.0], 'float32')),
    ('tf.math.cumulative_logsumexp(tf.constant([1., 2., 3.]))',
     ('t', [1.0, 2.3132617473602295, 3.4076061248779297], 'float32')),
    ('tf.math.cumulative_logsumexp(tf.constant([1., 2., 3.]), exclusive=True)',
     ('t', [-inf, 1.0, 2.3132617473602295], 'float32')),
    ('tf.math.cumulative_logsumexp(tf.constant([[1., 2.], [3., 500.]]), axis=1, reverse=True)',
     ('t', [[2.3132617473602295, 2.0], [500.0, 500.0]], 'float32')),
    ('tf.math.zero_fraction(tf.constant([0, 1, 0, 3]))',
     ('t', 0.5, 'float32')),
    ('tf.math.is_non_decreasing(tf.constant([1, 2, 2, 3]))',
     ('t', True, 'bool')),
    ('tf.math.is_strictly_increasing(tf.constant([1, 2, 2, 3]))',
     ('t', False, 'bool')),
    ('tf.math.is_strictly_increasing(tf.constant([[1, 2], [3, 4]]))',
     ('t', True, 'bool')),
    ('tf.math.polyval([2., 0., -1.], tf.constant([1., 2., 3.]))',
     ('t', [1.0, 7.0, 17.0], 'float32')),
    ('tf.math.rint(tf.constant([-2.5, -1.7, 0.5, 1.5, 2.5]))',
     ('t', [-2.0, -2.0, 0.0, 2.0, 2.0], 'float32')),
    ('tf.math.invert_permutation(tf.constant([3, 4, 0, 2, 1]))',
     ('t', [2, 4, 3, 0, 1], 'int32')),
    ('tf.math.lbeta(tf.constant([[1., 2.], [3., 4.5]]))',
     ('t', [-0.6931471824645996, -4.38748025894165], 'float32')),
    ('tf.math.ndtri(tf.constant([0.025, 0.5, 0.9]))',
     ('t', [-1.9599639177322388, 0.0, 1.2815511226654053], 'float32')),
    ('tf.math.erfcinv(tf.constant([0.1, 1., 1.5]))',
     ('t', [1.1630871295928955, -0.0, -0.47693631052970886], 'float32')),
    ('tf.math.scalar_mul(3, tf.constant([1, 2]))',
     ('t', [3, 6], 'int32')),
]

GRAD = [
    ('grad(lambda x: tf.reverse_sequence(tf.reshape(x, [1, 3]) ** 2, [2], seq_axis=1, batch_axis=0), [1., 2., 3.])',
     [('t', [4.0, 4.0, 18.0], 'float32')]),
    ('grad(lambda x: tf.math.xlogy(x * 0., x + 2.) + tf.math.xlogy(x, x), [1., 2., 3.])',
     [('t', [1.0, 3.386294364929199, 6.295836925506592], 'float32')]),
    ("grad(lambda x: tf.sort(x, direction='DESCENDING'), [3., 1., 2.])",
     [('t', [1.0, 3.0, 2.0], 'float32')]),
    ('grad(lambda x: tf.reverse(x, [0]), [3., 1., 2.])',
     [('t', [3.0, 2.0, 1.0], 'float32')]),
    ('grad(lambda x: tf.roll(x, 1, 0), [3., 1., 2.])',
     [('t', [2.0, 3.0, 1.0], 'float32')]),
    ('grad(lambda x: tf.repeat(x, [2, 0, 1], axis=0), [3., 1., 2.])',
     [('t', [3.0, 0.0, 3.0], 'float32')]),
    ('grad(lambda x: tf.gather_nd(x, [[1, 0], [1, 0], [0, 1]]), [[1., 2.], [3., 4.]])',
     [('t', [[0.0, 3.0], [3.0, 0.0]], 'float32')]),
    ('grad(lambda u: tf.scatter_nd([[1], [3], [1]], u, [4]), [1., 2., 3.])',
     [('t', [2.0, 4.0, 2.0], 'float32')]),
    ('grad(lambda x, u: tf.tensor_scatter_nd_update(x, [[2], [0]], u), [1., 2., 3.], [5., 6.])',
     [('t', [0.0, 2.0, 0.0], 'float32'), ('t', [3.0, 1.0], 'float32')]),
    ('grad(lambda x, u: tf.tensor_scatter_nd_max(x, [[0], [1]], u), [1., 5., 2.], [3., 3.])',
     [('t', [0.0, 2.0, 3.0], 'float32'), ('t', [1.0, 0.0], 'float32')]),
    ('grad(lambda x: tf.strided_slice(x, [1], [4], [2]), [1., 2., 3., 4., 5.])',
     [('t', [0.0, 1.0, 0.0, 2.0, 0.0], 'float32')]),
    ('grad(lambda x: tf.slice(x, [1, 0], [1, 2]), [[1., 2.], [3., 4.]])',
     [('t', [[0.0, 0.0], [1.0, 2.0]], 'float32')]),
    ('grad(lambda x: tf.clip_by_norm(x, 2.), [3., 4.])',
     [('t', [-0.12799999117851257, 0.09600001573562622], 'float32')]),
    ('grad(lambda a, b: tf.clip_by_global_norm([a, b], 2.)[0][0], [3., 4.], [12.])',
     [('t', [0.12380519509315491, 0.267637699842453], 'float32'), ('t', [-0.12016385793685913], 'float32')]),
    ('grad(lambda x: tf.dynamic_partition(x, [1, 0, 1], 2)[1], [1., 2., 3.])',
     [('t', [1.0, 0.0, 2.0], 'float32')]),
    ("grad(lambda x: tf.einsum('i,i->', x, x), [1., 2.])",
     [('t', [2.0, 4.0], 'float32')]),
    ('grad(lambda a, b: tf.meshgrid(a, b)[0] * tf.meshgrid(a, b)[1], [1., 2., 3.], [4., 5.])',
     [('t', [24.0, 33.0, 42.0], 'float32'), ('t', [14.0, 32.0], 'float32')]),
    ('grad(lambda x: tf.math.lgamma(x), [0.5, 3.5, -1.5])',
     [('t', [-1.9635107517242432, 2.2063136100769043, 2.1094703674316406], 'float32')]),
    ('grad(lambda x: tf.math.digamma(x), [0.5, 3.5, 10.])',
     [('t', [4.934802055358887, 0.6607154011726379, 0.3154989778995514], 'float32')]),
    ('grad(lambda x, y: tf.math.xlogy(x, y), [0., 2.], [1., 3.])',
     [('t', [0.0, 2.1972246170043945], 'float32'), ('t', [0.0, 1.3333333730697632], 'float32')]),
    ('grad(lambda x, y: tf.math.xdivy(x, y), [0., 2.], [1., 3.])',
     [('t', [0.0, 0.6666666865348816], 'float32'), ('t', [0.0, -0.4444444477558136], 'float32')]),
    ('grad(lambda x, y: tf.math.multiply_no_nan(x, y), [5., 2.], [0., 3.])',
     [('t', [0.0, 6.0], 'float32'), ('t', [5.0, 4.0], 'float32')]),
    ('grad(lambda x: tf.math.reciprocal_no_nan(x), [0., 2.])',
     [('t', [0.0, -0.5], 'float32')]),
    ('grad(lambda x: tf.math.cumulative_logsumexp(x), [1., 2., 3.])',
     [('t', [1.8079745769500732, 2.1963024139404297, 1.9957225322723389], 'float32')]),
    ('grad(lambda x: tf.math.segment_mean(x, [0, 0, 1]), [1., 2., 3.])',
     [('t', [0.5, 0.5, 2.0], 'float32')]),
    ('grad(lambda c, x: tf.math.polyval([c, 1., x], x), [2.], [3.])',
     [('t', [9.0], 'float32'), ('t', [14.0], 'float32')]),
    ('grad(lambda x: tf.math.lbeta(x), [[1., 2.], [3., 4.5]])',
     [('t', [[-1.5000001192092896, -0.5], [-2.0479466915130615, -1.1157729625701904]], 'float32')]),
    ('grad(lambda x: tf.math.ndtri(x), [0.25, 0.5])',
     [('t', [3.146865129470825, 5.013256549835205], 'float32')]),
    ('grad(lambda x: tf.atan2(x, 2. * x), [1., -1.])',
     [('t', [0.0, 0.0], 'float32')]),
]


@pytest.mark.parametrize("expr, want", ARRAY + MATH + GRAD, ids=[e for e, _ in ARRAY + MATH + GRAD])
def test_matches_tensorflow(expr, want):
    if want[0] == "error":
        with pytest.raises(getattr(builtins, want[1])):
            eval(expr)
        return
    _check(eval(expr), want, expr)


RNG = np.random.default_rng(0)


@pytest.mark.parametrize("fn, inputs", [
    (lambda x: tf.math.lgamma(x), [RNG.uniform(0.3, 5.0, (2, 3))]),
    (lambda x: tf.math.digamma(x), [RNG.uniform(0.3, 5.0, (4,))]),
    (lambda x, y: tf.math.xlogy(x, y), [np.array([0.5, 1.5, 2.]), RNG.uniform(0.5, 2.0, (3,))]),
    (lambda x: tf.math.cumulative_logsumexp(x, axis=1, reverse=True), [RNG.normal(size=(2, 4))]),
    (lambda x: tf.clip_by_norm(x, 1.0, axes=[1]), [RNG.normal(size=(3, 4))]),
    (lambda x, u: tf.tensor_scatter_nd_min(x, [[0], [2]], u), [np.array([1., 5., 2.]), np.array([3., 0.5])]),
    (lambda x: tf.strided_slice(x, [0, 3], [2, 0], [1, -2], begin_mask=1), [RNG.normal(size=(3, 5))]),
    (lambda a, b: tf.dynamic_stitch([[0, 2], [1]], [a, b]), [RNG.normal(size=(2, 3)), RNG.normal(size=(1, 3))]),
    (lambda c, x: tf.math.polyval([c, 2., c], x), [np.array(1.5), RNG.normal(size=(3,))]),
    (lambda x: tf.sort(x, axis=0, direction="DESCENDING"), [RNG.normal(size=(4, 2))]),
])
def test_gradients_match_central_differences(fn, inputs):
    assert tf.gradcheck(fn, *inputs)
