"""tf.summary: TensorBoard logging, written as TensorFlow 2 writes it.

    writer = tf.summary.create_file_writer("logs/run1")
    with writer.as_default(step=0):
        tf.summary.scalar("loss", 0.25)                        # float32 tensor, plugin "scalars"
        tf.summary.histogram("weights", w, step=3)             # [30, 3] (left, right, count), plugin "histograms"
        tf.summary.image("samples", images, max_outputs=4)     # [n, h, w, c] floats in [0, 1] or uint8, as PNG
        tf.summary.text("notes", "**markdown**")

Each summary call returns True when it was written, False when there is no default writer or a
`record_if` condition is false (as TensorFlow). The files are read by TensorBoard (`tensorboard
--logdir logs`) and by its `EventAccumulator`. The writer lives in
deepgrad/keras/utils/tensorboard_writer.py, shared with `keras.callbacks.TensorBoard`, and is
imported on first use (it needs the `tensorboard` package: pip install tensorboard).
"""
import importlib
import types

__all__ = ["create_file_writer", "create_noop_writer", "scalar", "histogram", "image", "text", "write",
           "flush", "record_if", "should_record_summaries", "trace_on", "trace_off", "trace_export",
           "graph", "experimental"]


def _core():
    return importlib.import_module("deepgrad.keras.utils.tensorboard_writer")


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None):
    """A writer of a new event file in logdir (created if missing).

    Args:
        logdir: the directory of the event file.
        max_queue: events kept in memory before a write (10 when None).
        flush_millis: the longest time between writes, in milliseconds (120000 when None).
        filename_suffix: appended to the file name (".v2" when None, as TensorFlow 2).
        name: accepted for TensorFlow's signature.

    Returns: a writer with `as_default(step=None)`, `set_as_default(step=None)`, `flush()`,
    `close()` and `init()`.
    """
    return _core().SummaryWriter(logdir, max_queue=max_queue, flush_millis=flush_millis,
                                 filename_suffix=filename_suffix)


class _NoopWriter:
    """A writer that writes nothing (`tf.summary.create_noop_writer`)."""

    def as_default(self, step=None):
        return _core().record_if(False)

    def set_as_default(self, step=None):
        pass

    def init(self):
        pass

    def flush(self):
        pass

    def close(self):
        pass


def create_noop_writer():
    return _NoopWriter()


def scalar(name, data, step=None, description=None):
    """Writes a scalar (float32) at the step; False when no default writer records it.

    Raises ValueError when data has more than one element, or when recording and no step is known.
    """
    return _core().scalar(name, data, step=step, description=description)


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram of data's elements: `buckets` (30) equal-width buckets from min to max."""
    return _core().histogram(name, data, step=step, buckets=buckets, description=description)


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes up to max_outputs images of data [k, h, w, c] (c in 1, 3, 4) as PNGs."""
    return _core().image(name, data, step=step, max_outputs=max_outputs, description=description)


def text(name, data, step=None, description=None):
    """Writes a string (or an array of strings), shown by TensorBoard as Markdown."""
    return _core().text(name, data, step=step, description=description)


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes a tensor (numbers as float32, or strings) with a `SummaryMetadata` proto under the tag.

    Returns False when not recorded.
    """
    core = _core()
    return core.write(lambda tag: core.tensor_summary(tag, tensor, metadata), tag, step)


def flush(writer=None, name=None):
    """Flushes the writer (the default writer when None)."""
    writer = writer if writer is not None else _core().get_default_writer()
    if writer is not None:
        writer.flush()


def record_if(condition):
    """A context inside which summaries are written only when condition (bool or callable) holds."""
    return _core().record_if(condition)


def should_record_summaries():
    return _core().should_record()


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Accepted: deepgrad runs eagerly and has no graph or profiler trace to record."""


def trace_off():
    """Accepted (see trace_on)."""


def trace_export(name, step=None, profiler_outdir=None):
    """Writes nothing: there is no traced graph. Returns False."""
    return False


def graph(graph_data):
    """Writes nothing: deepgrad has no op graph. Returns False."""
    return False


def _set_step(step):
    """The default step of summaries written without `step=`."""
    _core().set_step(step)


def _get_step():
    return _core().get_step()


experimental = types.SimpleNamespace(set_step=_set_step, get_step=_get_step)


def __getattr__(name):
    if name == "SummaryWriter":
        return _core().SummaryWriter
    raise AttributeError(f"deepgrad does not implement tf.summary.{name}")
