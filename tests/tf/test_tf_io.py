"""tf.io.decode_csv and the PNG/JPEG codecs against values recorded with TensorFlow 2.21.0."""
import numpy as np
import pytest

import deepgrad as tf


def _columns(result):
    return [(np.asarray(t.numpy()).tolist(), t.dtype) for t in result]


def test_decode_csv_columns_defaults_and_quotes():
    # recorded with TensorFlow 2.21.0: [([1, 3], int32), ([2.5, 0.0], float32), ([b'a', b'b'], string)]
    got = _columns(tf.io.decode_csv(tf.constant(["1,2.5,a", "3,,b"]), record_defaults=[[0], [0.0], [""]]))
    assert got == [([1, 3], tf.int32), ([2.5, 0.0], tf.float32), ([b"a", b"b"], tf.string)]
    got = _columns(tf.io.decode_csv("4;x", record_defaults=[tf.constant([], tf.int64), ["z"]], field_delim=";"))
    assert got == [(4, tf.int64), (b"x", tf.string)]
    assert _columns(tf.io.decode_csv(tf.constant(['1,"a,b"']), record_defaults=[[0], [""]]))[1][0] == [b"a,b"]
    assert _columns(tf.io.decode_csv(tf.constant([",2"]), record_defaults=[[7], [0]])) == [([7], tf.int32),
                                                                                        ([2], tf.int32)]
    cols = tf.io.decode_csv(tf.constant(["1,2,3"]), record_defaults=[[0], [0]], select_cols=[0, 2])
    assert _columns(cols) == [([1], tf.int32), ([3], tf.int32)]


def test_decode_csv_errors():
    # messages recorded with TensorFlow 2.21.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 0 is required but missing in record 0!"):
        tf.io.decode_csv(tf.constant([",2"]), record_defaults=[tf.constant([], tf.int32), [0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 2 fields but have 3 in record 0"):
        tf.io.decode_csv(tf.constant(["1,2,3"]), record_defaults=[[0], [0]])
    with pytest.raises(ValueError, match="Length of select_cols and record_defaults do not match."):
        tf.io.decode_csv(tf.constant(["1,2,3"]), record_defaults=[[0], [0], [0]], select_cols=[0, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 0 in record 0 is not a valid int32: x"):
        tf.io.decode_csv(tf.constant(["x,2"]), record_defaults=[[0], [0]])


IMAGE = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 13


def test_png_round_trip_and_channel_conversions():
    png = tf.io.encode_png(IMAGE)
    decoded = tf.io.decode_png(png)
    assert decoded.dtype == tf.uint8 and np.array_equal(decoded.numpy(), IMAGE)
    # recorded with TensorFlow 2.21.0 (libpng's luma, truncated)
    assert tf.io.decode_png(png, channels=1).numpy()[..., 0].tolist() == [[10, 49, 88], [127, 166, 205]]
    assert tf.io.decode_png(png, channels=4).numpy()[0, 0].tolist() == [0, 13, 26, 255]
    as_float = tf.io.decode_image(png, dtype=tf.float32)
    assert as_float.shape == (2, 3, 3) and as_float.dtype == tf.float32
    np.testing.assert_allclose(as_float.numpy()[0, 1], [0.15294118225574493, 0.20392157137393951, 0.2549019753932953])
    gray = np.array([[[0], [128], [255]]], dtype=np.uint8)
    assert tf.io.decode_png(tf.io.encode_png(gray), channels=3).numpy().tolist() == [[[0, 0, 0], [128, 128, 128],
                                                                                       [255, 255, 255]]]


def test_jpeg_round_trip_is_close_and_bad_bytes_raise(tmp_path):
    smooth = np.repeat(np.linspace(0, 255, 16, dtype=np.uint8)[None, :, None], 16, axis=0).repeat(3, axis=2)
    path = str(tmp_path / "x.jpg")
    tf.io.write_file(path, tf.io.encode_jpeg(smooth, quality=95))
    decoded = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    assert decoded.shape == (16, 16, 3) and decoded.dtype == tf.uint8
    assert np.abs(decoded.numpy().astype(int) - smooth).max() <= 4
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a decodable image"):
        tf.io.decode_image(b"not an image")
