"""TensorBoard event files: the writer, the summaries TensorFlow 2 writes, and the default-writer state.

One event file is a sequence of TFRecords, each an `Event` protocol buffer:

    uint64 length | uint32 masked_crc32c(length) | bytes data | uint32 masked_crc32c(data)

(little-endian; masked_crc32c(x) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 mod 2**32). The first
event names the format ("brain.Event:2"); each later one holds a `Summary` at a step. The summaries
are those of TensorFlow 2's `tf.summary` (TensorFlow 2.21 with TensorBoard's plugins):

    scalar     float32 scalar tensor                          plugin "scalars"
    histogram  float64 [k, 3] tensor of (left, right, count)   plugin "histograms"
    image      string [2 + n] tensor: width, height, n PNGs    plugin "images"
    text       string tensor of the data's shape               plugin "text"

The protocol buffers come from the `tensorboard` package (its compiled protos need no TensorFlow),
imported on first use. `tf.summary` (deepgrad/summary.py) and `keras.callbacks.TensorBoard` share
this module's default-writer stack, step and recording condition, so summaries written inside a
model's `call` go to the writer the callback pushed, as in Keras.
"""
import contextlib
import itertools
import os
import socket
import struct
import threading
import time
import weakref
import zlib

from ...backend import xp

__all__ = [
    "EventFileWriter", "SummaryWriter", "scalar", "histogram", "image", "text", "write",
    "keras_model", "get_default_writer", "set_step", "get_step", "record_if", "should_record",
]

DEFAULT_BUCKET_COUNT = 30
_UID = itertools.count()
_UID_LOCK = threading.Lock()


def _protos():
    """The `tensorboard` package's protocol buffer modules, or an ImportError saying how to get them."""
    try:
        from tensorboard.compat.proto import (event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2,
                                              types_pb2)
    except ImportError as e:
        raise ImportError(
            "Writing TensorBoard event files (tf.summary, keras.callbacks.TensorBoard) requires the "
            "`tensorboard` package: pip install tensorboard"
        ) from e
    return event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C_TABLE = _crc32c_table()


def masked_crc32c(data):
    """CRC-32C (Castagnoli) of the bytes, masked as TFRecord masks it."""
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _record(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


class _EventFile:
    """The open file and the records not yet written; closed by the writer or at exit."""

    def __init__(self, path):
        self.file = open(path, "wb")
        self.pending = []

    def flush(self):
        if self.file.closed:
            return
        self.file.write(b"".join(self.pending))
        self.pending.clear()
        self.file.flush()

    def close(self):
        self.flush()
        self.file.close()


class EventFileWriter:
    """Appends `Event` protos to a new file `events.out.tfevents.<time>.<host>.<pid>.<uid><suffix>` in logdir.

    Events are kept in memory and written when `max_queue` are waiting, when `flush_millis` have
    passed since the last write, on `flush()`, `close()`, and when the writer is collected or the
    program exits (as TensorFlow's writer).
    """

    def __init__(self, logdir, max_queue=10, flush_millis=120000, filename_suffix=".v2"):
        event_pb2 = _protos()[0]
        self.logdir = str(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        with _UID_LOCK:
            uid = next(_UID)
        name = "events.out.tfevents.%010d.%s.%s.%s%s" % (time.time(), socket.gethostname(), os.getpid(),
                                                         uid, filename_suffix or "")
        self.path = os.path.join(self.logdir, name)
        self.max_queue = 10 if max_queue is None else int(max_queue)
        self.flush_secs = (120000 if flush_millis is None else flush_millis) / 1000.0
        self._file = _EventFile(self.path)
        self._finalizer = weakref.finalize(self, self._file.close)
        self._last_flush = time.time()
        self.add_event(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2",
                                       source_metadata=event_pb2.SourceMetadata(writer="deepgrad")))
        self.flush()

    @property
    def closed(self):
        return self._file.file.closed

    def add_event(self, event):
        if self.closed:
            raise RuntimeError(f"EventFileWriter: the writer of {self.path} is closed.")
        self._file.pending.append(_record(event.SerializeToString()))
        if len(self._file.pending) >= self.max_queue or time.time() - self._last_flush >= self.flush_secs:
            self.flush()

    def add_summary(self, summary, step):
        """One `Event` holding the `Summary` at the step (an int)."""
        event_pb2 = _protos()[0]
        self.add_event(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def flush(self):
        self._file.flush()
        self._last_flush = time.time()

    def close(self):
        self._finalizer()


# --- the default writer, the step and the recording condition (tf.summary's global state) -----------

_state = threading.local()


def _stack():
    if not hasattr(_state, "writers"):
        _state.writers, _state.step, _state.record = [], None, []
    return _state.writers


def get_default_writer():
    stack = _stack()
    return stack[-1] if stack else None


def set_step(step):
    """The step summaries use when none is given (`tf.summary.experimental.set_step`)."""
    _stack()
    _state.step = None if step is None else int(_as_array(step))


def get_step():
    _stack()
    return _state.step


@contextlib.contextmanager
def record_if(condition):
    """Summaries are written only while `condition` (a bool or a callable returning one) holds.

    As in TensorFlow, an inner record_if replaces the outer condition until it ends.
    """
    _stack()
    _state.record.append(condition)
    try:
        yield
    finally:
        _state.record.pop()


def should_record():
    """Whether a summary written now would be recorded: a default writer and the innermost record_if condition."""
    if get_default_writer() is None:
        return False
    if not _state.record:
        return True
    condition = _state.record[-1]
    return bool(_as_array(condition() if callable(condition) else condition))


class SummaryWriter:
    """A file writer that summaries go to while it is the default (`tf.summary.create_file_writer`)."""

    def __init__(self, logdir, max_queue=None, flush_millis=None, filename_suffix=None):
        self.logdir = str(logdir)
        self._max_queue, self._flush_millis = max_queue, flush_millis
        self._suffix = ".v2" if filename_suffix is None else filename_suffix
        self._writer = None
        self.init()

    def init(self):
        """Opens the event file (done on creation; again after close)."""
        if self._writer is None or self._writer.closed:
            self._writer = EventFileWriter(self.logdir, self._max_queue, self._flush_millis, self._suffix)

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Makes this the default writer inside the block; `step`, if given, is the default step there."""
        stack = _stack()
        stack.append(self)
        old_step = _state.step
        if step is not None:
            set_step(step)
        try:
            yield self
        finally:
            if step is not None:
                _state.step = old_step
            stack.pop()
            self.flush()

    def set_as_default(self, step=None):
        """Makes this the default writer from now on (there is no block to leave)."""
        _stack().append(self)
        if step is not None:
            set_step(step)

    def write_summary(self, summary, step):
        """Appends the summary at the step; a RuntimeError after close() (init() opens a new file)."""
        self._writer.add_summary(summary, step)

    def flush(self):
        if self._writer is not None and not self._writer.closed:
            self._writer.flush()

    def close(self):
        if self._writer is not None:
            self._writer.close()


# --- summaries -------------------------------------------------------------------------------------

def _as_array(data):
    return xp.asarray(data.numpy() if hasattr(data, "numpy") else data)


def _tensor_proto(array):
    """A TensorProto of a float32, float64 or string array (TensorFlow's layout: tensor_content / string_val)."""
    _, _, tensor_pb2, tensor_shape_pb2, types_pb2 = _protos()
    shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=n)
                                                   for n in array.shape])
    if array.dtype.kind in "OSU":
        values = [v if isinstance(v, bytes) else str(v).encode("utf-8") for v in array.reshape(-1).tolist()]
        return tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, tensor_shape=shape, string_val=values)
    dtype = {xp.dtype("float32"): types_pb2.DT_FLOAT, xp.dtype("float64"): types_pb2.DT_DOUBLE}[array.dtype]
    return tensor_pb2.TensorProto(dtype=dtype, tensor_shape=shape,
                                  tensor_content=array.astype(array.dtype.newbyteorder("<")).tobytes())


def _summary(tag, array, plugin_name, description=None, content=b""):
    _, summary_pb2, _, _, _ = _protos()
    metadata = summary_pb2.SummaryMetadata(
        summary_description=description or "",
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name, content=content))
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, metadata=metadata, tensor=_tensor_proto(array))
    return summary


def scalar_summary(tag, data, description=None):
    """A float32 scalar (plugin "scalars"). Raises ValueError for data with more than one element."""
    array = _as_array(data)
    if array.size != 1:
        raise ValueError(f"tf.summary.scalar: data must be a scalar. Received: tag={tag!r}, shape={array.shape}")
    return _summary(tag, array.reshape(()).astype("float32"), "scalars", description)


def histogram_buckets(data, buckets=None):
    """TensorBoard's [k, 3] float64 histogram of the data's elements: rows (left edge, right edge, count).

    k = buckets (30 by default) equal-width buckets from min to max, each value in bucket
    floor((x - min) / width) clamped to k - 1; the last right edge is max exactly. All values equal:
    every edge is that value and the last bucket holds them all. No data: k rows of zeros.
    """
    k = DEFAULT_BUCKET_COUNT if buckets is None else max(0, int(buckets))
    values = _as_array(data).reshape(-1).astype("float64")
    if values.size == 0 or k == 0:
        return xp.zeros((k, 3), dtype="float64")
    low, high = values.min(), values.max()
    counts = xp.zeros(k, dtype="float64")
    if high == low:
        counts[-1] = values.size
        edges = xp.full(k, high)
        return xp.stack([edges, edges, counts], axis=1)
    index = xp.minimum(xp.floor((values - low) / ((high - low) / k)).astype("int64"), k - 1)
    counts += xp.bincount(index, minlength=k)
    edges = xp.linspace(low, high, k + 1)
    edges[-1] = high
    return xp.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram_summary(tag, data, buckets=None, description=None):
    """A [k, 3] float64 histogram tensor (plugin "histograms"), bucketed as `histogram_buckets`."""
    return _summary(tag, histogram_buckets(data, buckets), "histograms", description)


def _png(image):
    """PNG bytes of an [h, w, c] uint8 image, c = 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)."""
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = xp.concatenate([xp.zeros((height, 1), dtype="uint8"), image.reshape(height, width * channels)], axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def _to_uint8(images):
    """TensorFlow's convert_image_dtype to uint8: floats in [0, 1] times 255.5, truncated and saturated."""
    if images.dtype == xp.uint8:
        return images
    if images.dtype.kind == "f":
        return xp.clip(images.astype("float32") * xp.float32(255.5), 0, 255).astype("uint8")
    raise ValueError(f"tf.summary.image: images must be floats in [0, 1] or uint8. Received: dtype={images.dtype}")


def image_summary(tag, data, max_outputs=3, description=None):
    """A string tensor [width, height, png_1, ..., png_n] of the first max_outputs images (plugin "images").

    data: [k, h, w, c] with c in 1, 3, 4; floats in [0, 1] or uint8.
    """
    images = _as_array(data)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError("tf.summary.image: data must have shape [k, h, w, c] with c in (1, 3, 4). "
                         f"Received: tag={tag!r}, shape={images.shape}")
    images = _to_uint8(images[:max(0, int(max_outputs))])
    strings = [str(images.shape[2]).encode(), str(images.shape[1]).encode()] + [_png(im) for im in images]
    return _summary(tag, xp.array(strings, dtype=object), "images", description)


def text_summary(tag, data, description=None):
    """A string tensor of the data's shape (plugin "text"; TensorBoard renders it as Markdown)."""
    array = xp.asarray(data.numpy() if hasattr(data, "numpy") else data, dtype=object)
    return _summary(tag, array, "text", description)


def tensor_summary(tag, data, metadata=None):
    """Any tensor (numbers stored as float32, or strings) under a `SummaryMetadata` proto (`tf.summary.write`)."""
    array = _as_array(data)
    array = array.astype(object) if array.dtype.kind in "OSU" else array.astype("float32")
    summary = _summary(tag, array, "")
    summary.value[0].metadata.Clear()
    if metadata is not None:
        summary.value[0].metadata.CopyFrom(metadata)
    return summary


def keras_model_summary(tag, json_string):
    """A Keras model's JSON config (plugin "graph_keras_model", content b"1"), as keras.callbacks.TensorBoard writes."""
    return _summary(tag, xp.array(json_string, dtype=object), "graph_keras_model", content=b"1")


# --- writing to the default writer -------------------------------------------------------------------

def write(summary_fn, name, step=None):
    """Writes `summary_fn(name)` at the step to the default writer; False when nothing is recorded.

    Raises ValueError when recording and there is no step (given, or set as the default).
    """
    if not should_record():
        return False
    step = get_step() if step is None else int(_as_array(step))
    if step is None:
        raise ValueError(
            f"No step set for summary {name!r}. Please pass step=..., use writer.as_default(step=...) or "
            "call tf.summary.experimental.set_step().")
    get_default_writer().write_summary(summary_fn(name), step)
    return True


def scalar(name, data, step=None, description=None):
    return write(lambda tag: scalar_summary(tag, data, description), name, step)


def histogram(name, data, step=None, buckets=None, description=None):
    return write(lambda tag: histogram_summary(tag, data, buckets, description), name, step)


def image(name, data, step=None, max_outputs=3, description=None):
    return write(lambda tag: image_summary(tag, data, max_outputs, description), name, step)


def text(name, data, step=None, description=None):
    return write(lambda tag: text_summary(tag, data, description), name, step)


def keras_model(name, json_string, step=None):
    return write(lambda tag: keras_model_summary(tag, json_string), name, step)
