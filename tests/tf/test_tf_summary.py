"""tf.summary writes event files that TensorBoard's own reader reads back as TensorFlow 2.21 writes them.

The expected values were recorded with TensorFlow 2.21.0 (tensorboard 2.21.0) by running the same
calls with the same data and reading its files (tf.compat.v1.train.summary_iterator); deepgrad's
files were also checked there to decode to the same tensors (all but the PNG bytes, whose pixels
are equal).
"""
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import deepgrad as tf

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

# tf.summary.histogram(data) of HIST_DATA, recorded with TensorFlow 2.21.0: the counts of the 30
# default buckets, and all rows of buckets=5.
TF_COUNTS_30 = [2, 0, 0, 0, 0, 0, 0, 7, 1, 2, 0, 9, 3, 2, 5, 4, 4, 4, 6, 3, 4, 4, 2, 2, 0, 5, 3, 1, 2, 2]
TF_EDGES_30 = {0: -2.32503080368042, 1: -2.182187831401825, 11: -0.7537581086158753,
               29: 1.8174153923988339, 30: 1.9602583646774292}
TF_ROWS_5 = [[-2.32503080368042, -1.4679729700088502, 2.0],
             [-1.4679729700088502, -0.6109151363372802, 19.0],
             [-0.6109151363372802, 0.24614269733428973, 22.0],
             [0.24614269733428973, 1.1032005310058595, 21.0],
             [1.1032005310058595, 1.9602583646774292, 13.0]]
# The first 8 decoded PNG bytes of tf.summary.image for IMAGES (floats) and IMAGES_U8, TensorFlow 2.21.0.
TF_PIXELS = [[0, 2, 4, 6, 8, 10, 12, 15], [128, 130, 133, 135, 137, 139, 141, 143]]
TF_PIXELS_U8 = [0, 6, 12, 19, 25, 32, 38, 45]

HIST_DATA = np.random.default_rng(0).normal(size=(7, 11)).astype("float32")
IMAGES = (np.arange(2 * 4 * 5 * 3).reshape(2, 4, 5, 3) / 119.0).astype("float32")
IMAGES_U8 = (IMAGES * 255).astype("uint8")[:1, :, :, :1]


def read(logdir):
    """{tag: [(step, ndarray, plugin_name, description)]} through TensorBoard's EventAccumulator."""
    acc = ea.EventAccumulator(str(logdir), size_guidance={ea.TENSORS: 0})
    acc.Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        meta = acc.SummaryMetadata(tag)
        out[tag] = [(e.step, tensor_util.make_ndarray(e.tensor_proto), meta.plugin_data.plugin_name,
                     meta.summary_description) for e in acc.Tensors(tag)]
    return out


def write_all(logdir):
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        for s in range(3):
            assert tf.summary.scalar("loss", 0.5 * s + 0.25, step=s) is True
        tf.summary.histogram("h", HIST_DATA, step=1)
        tf.summary.histogram("h5", tf.constant(HIST_DATA), step=2, buckets=5)
        tf.summary.histogram("hconst", np.full(4, 2.0, "float32"), step=0)
        tf.summary.histogram("hempty", np.zeros(0, "float32"), step=0)
        tf.summary.image("img", IMAGES, step=0, max_outputs=3)
        tf.summary.image("img_u8", IMAGES_U8, step=0)
        tf.summary.text("t", "hello **world**", step=0)
        tf.summary.text("t2", ["a", "b"], step=0)
        tf.summary.scalar("desc", tf.Variable(1.0), step=5, description="a described scalar")
    writer.close()


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("summary")
    write_all(logdir)
    return logdir, read(logdir)


def test_scalars_read_back_with_steps_plugin_and_dtype(logged):
    _, tags = logged
    assert [(s, float(v)) for s, v, _, _ in tags["loss"]] == [(0, 0.25), (1, 0.75), (2, 1.25)]
    assert all(v.dtype == np.float32 and v.shape == () and p == "scalars" for _, v, p, _ in tags["loss"])
    assert tags["desc"][0][0] == 5 and tags["desc"][0][3] == "a described scalar"


def test_histogram_buckets_equal_tensorflow(logged):
    _, tags = logged
    (step, rows, plugin, _), = tags["h"]
    assert (step, plugin, rows.dtype, rows.shape) == (1, "histograms", np.float64, (30, 3))
    assert rows[:, 2].tolist() == TF_COUNTS_30 and rows[:, 2].sum() == HIST_DATA.size
    edges = np.append(rows[:, 0], rows[-1, 1])
    for i, value in TF_EDGES_30.items():
        assert edges[i] == pytest.approx(value, abs=1e-15)
    np.testing.assert_allclose(tags["h5"][0][1], TF_ROWS_5, rtol=0, atol=1e-15)


def test_histogram_edge_cases_equal_tensorflow(logged):
    _, tags = logged
    const = tags["hconst"][0][1]
    assert const.shape == (30, 3) and (const[:, :2] == 2.0).all() and const[:, 2].tolist() == [0] * 29 + [4]
    assert tags["hempty"][0][1].shape == (30, 3) and not tags["hempty"][0][1].any()


def test_images_are_pngs_with_tensorflow_pixels(logged):
    Image = pytest.importorskip("PIL.Image")
    _, tags = logged
    (step, strings, plugin, _), = tags["img"]
    assert (step, plugin, strings.shape) == (0, "images", (4,)) and strings[:2].tolist() == [b"5", b"4"]
    pictures = [np.asarray(Image.open(io.BytesIO(s))) for s in strings[2:]]
    assert [p.shape for p in pictures] == [(4, 5, 3), (4, 5, 3)]
    assert [p.reshape(-1)[:8].tolist() for p in pictures] == TF_PIXELS
    np.testing.assert_array_equal(pictures[1], np.clip(IMAGES[1] * 255.5, 0, 255).astype("uint8"))
    grey = np.asarray(Image.open(io.BytesIO(tags["img_u8"][0][1][2])))
    assert grey.shape == (4, 5) and grey.reshape(-1)[:8].tolist() == TF_PIXELS_U8
    np.testing.assert_array_equal(grey, IMAGES_U8[0, :, :, 0])


def test_text_keeps_strings_and_shape(logged):
    _, tags = logged
    assert tags["t"][0][1] == b"hello **world**" and tags["t"][0][2] == "text"
    assert tags["t2"][0][1].tolist() == [b"a", b"b"]


def test_file_name_and_header_as_tensorflow(logged, tmp_path):
    logdir, _ = logged
    (name,) = os.listdir(logdir)
    assert name.startswith("events.out.tfevents.") and name.endswith(".v2")
    first = next(iter(EventFileLoader(os.path.join(logdir, name)).Load()))
    assert first.file_version == "brain.Event:2"
    tf.summary.create_file_writer(str(tmp_path), filename_suffix=".run").close()
    assert os.listdir(tmp_path)[0].endswith(".run")


def test_record_crc_matches_tensorboard():
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as reference

    from deepgrad.keras.utils.tensorboard_writer import masked_crc32c
    for data in (b"", b"a", bytes(range(256)) * 3, HIST_DATA.tobytes()):
        assert masked_crc32c(data) == reference(data)


def test_no_writer_and_record_if_write_nothing(tmp_path):
    assert tf.summary.scalar("x", 1.0, step=0) is False
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=7):
        assert tf.summary.experimental.get_step() == 7
        assert tf.summary.scalar("kept", 1.0) is True
        with tf.summary.record_if(False):
            assert tf.summary.scalar("dropped", 2.0) is False
            with tf.summary.record_if(True):  # TensorFlow: the inner condition replaces the outer one
                assert tf.summary.scalar("inner", 4.0) is True
        with tf.summary.record_if(lambda: tf.summary.experimental.get_step() % 2 == 0):
            assert tf.summary.scalar("odd", 3.0) is False
    assert tf.summary.experimental.get_step() is None
    writer.close()
    assert sorted((tag, rows[0][0]) for tag, rows in read(tmp_path).items()) == [("inner", 7), ("kept", 7)]


def test_step_errors_and_defaults(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path / "a"))
    with writer.as_default():
        with pytest.raises(ValueError, match="No step set for summary 'x'"):
            tf.summary.scalar("x", 1.0)
        tf.summary.experimental.set_step(tf.constant(3))
        assert tf.summary.scalar("x", tf.constant([2.0])) is True
        tf.summary.experimental.set_step(None)
        with pytest.raises(ValueError, match="must be a scalar"):
            tf.summary.scalar("y", [1.0, 2.0], step=0)
        tf.summary.flush()
    assert read(tmp_path / "a")["x"][0][:2] == (3, 2.0)
    writer.close()


def test_set_as_default_reopen_and_noop_writer(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.set_as_default(step=1)
    try:
        tf.summary.scalar("a", 1.0)
        writer.close()
        writer.init()  # a new event file
        tf.summary.scalar("a", 2.0, step=2)
        writer.flush()
    finally:
        from deepgrad.keras.utils import tensorboard_writer
        tensorboard_writer._stack().remove(writer)
        tensorboard_writer.set_step(None)
    assert len(os.listdir(tmp_path)) == 2
    assert [(s, float(v)) for s, v, _, _ in read(tmp_path)["a"]] == [(1, 1.0), (2, 2.0)]
    with tf.summary.create_noop_writer().as_default():
        assert tf.summary.scalar("z", 1.0, step=0) is False
    assert tf.summary.trace_on(graph=True) is None and tf.summary.trace_export("f", step=0) is False


def test_write_with_metadata(tmp_path):
    from tensorboard.compat.proto import summary_pb2
    metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="custom"))
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        assert tf.summary.write("raw", [1.5, 2.5], step=4, metadata=metadata) is True
    (step, value, plugin, _), = read(tmp_path)["raw"]
    assert (step, value.tolist(), plugin) == (4, [1.5, 2.5], "custom")


def test_missing_tensorboard_gives_install_hint(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "tensorboard" or m.startswith("tensorboard.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    with pytest.raises(ImportError, match="pip install tensorboard"):
        tf.summary.create_file_writer(str(tmp_path))


def test_import_deepgrad_loads_neither_tensorboard_nor_keras():
    code = ("import sys, deepgrad; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] == 'tensorboard' or m.startswith('deepgrad.keras')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
