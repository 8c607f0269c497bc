"""Where the time goes: the time of every op, forward and backward.

    from deepgrad import profiler

    with profiler.profile() as prof:
        model.fit(x, y, epochs=1, verbose=0)
    print(prof.table(limit=15))

prints one row per op and direction (conv2d forward, conv2d backward, ...),
with its number of calls, its time and its share of the time inside the block,
sorted by time.

Off by default, and nearly free when off: one check per op call. Inside
`profile()` the op table's observer hook (ops.table.set_observer) routes
through the profiler, until the block ends:

- every declared op (the forward of each op), and the vjp it records on the
  tape, timed under the op's name when backward runs it (the backward of each op);
- every backward walk, whose own time is ordering the graph and summing the
  gradients of tensors used twice ("(tape walk)").

Nothing is rebound. Each row counts self time: an op that calls another op
(swapaxes calls transpose) is charged only for its own work, and a helper that
is not an op (unbroadcast, tap) is charged to the op that called it. So the
rows, plus "(other)" for the Python outside any op (layers, losses,
optimizer, the training loop), add up to the time of the block.
"""
import contextlib
import time
from collections import namedtuple

from .ops import table
from .tensor import Tensor, next_serial

_clock = time.perf_counter
_current = None  # the Profile of the running `profile()` block, or None

Row = namedtuple("Row", "name phase calls seconds")
"""One line of a profile: `seconds` is self time summed over `calls`."""

TAPE_WALK = "(tape walk)"
OTHER = "(other)"


class Profile:
    """Timings gathered by `profile()`.

    Attributes:
        wall: seconds spent inside the `with` block (set when it ends).
        nodes: graph nodes recorded on the tape during the block (0 when
            everything ran under `no_grad()`).
    """

    def __init__(self):
        self.wall = 0.0
        self.nodes = 0
        self._stats = {}  # (name, phase) -> [calls, self seconds]
        self._open = [0.0]  # per open timed call: time of the timed calls inside it; [0]: the block

    # ---- recording -----------------------------------------------------------------

    def _add(self, name, phase, seconds):
        entry = self._stats.get((name, phase))
        if entry is None:
            self._stats[(name, phase)] = [1, seconds]
        else:
            entry[0] += 1
            entry[1] += seconds

    def _call(self, name, phase, fn, args, kwargs, counts):
        """Run fn(*args, **kwargs), charging its self time to (name, phase) if counts(result)."""
        opened = self._open
        opened.append(0.0)
        start = _clock()
        try:
            out = fn(*args, **kwargs)
        finally:
            elapsed = _clock() - start
            inner = opened.pop()
        if counts(out):
            self._add(name, phase, elapsed - inner)
            opened[-1] += elapsed
        else:  # a helper: its own time stays with its caller
            opened[-1] += inner
        return out

    @contextlib.contextmanager
    def region(self, name):
        """Time a block of your own as a row of its own (phase 'region'), e.g. the optimizer step."""
        opened = self._open
        opened.append(0.0)
        start = _clock()
        try:
            yield
        finally:
            elapsed = _clock() - start
            self._add(name, "region", elapsed - opened.pop())
            opened[-1] += elapsed

    # ---- reading ---------------------------------------------------------------------

    def rows(self):
        """Every row, the slowest first, ending with '(other)': time in the block outside any op."""
        rows = [Row(name, phase, calls, seconds) for (name, phase), (calls, seconds) in self._stats.items()]
        rows.append(Row(OTHER, "", 0, max(self.wall - self._open[0], 0.0)))
        return sorted(rows, key=lambda r: r.seconds, reverse=True)

    def seconds(self, name, phase="forward"):
        """Self time of one op in one phase ('forward', 'backward', 'region'); 0 if never called."""
        return self._stats.get((name, phase), (0, 0.0))[1]

    def calls(self, name, phase="forward"):
        """Number of calls of one op in one phase; 0 if never called."""
        return self._stats.get((name, phase), (0, 0.0))[0]

    def totals(self):
        """Self seconds per phase: {'forward': ..., 'backward': ..., 'region': ..., 'other': ...}."""
        out = {"forward": 0.0, "backward": 0.0, "region": 0.0}
        for (_, phase), (_, seconds) in self._stats.items():
            out[phase] += seconds
        out["other"] = max(self.wall - self._open[0], 0.0)
        return out

    def table(self, limit=None, steps=None):
        """The profile as text: one row per op and phase, the slowest first.

        Args:
            limit: print only the first `limit` rows.
            steps: number of training steps in the block, to add a per-step column.
        """
        wall = self.wall or 1e-12
        rows = self.rows()
        shown = rows if limit is None else rows[:limit]
        width = max([len("op")] + [len(r.name) for r in shown])
        head = f"{'op':<{width}}  {'phase':<8}  {'calls':>6}  {'total ms':>9}  {'ms/call':>8}"
        head += f"  {'ms/step':>8}" if steps else ""
        lines = [head + f"  {'% time':>6}", "-" * (len(head) + 8)]
        for r in shown:
            per_call = f"{1e3 * r.seconds / r.calls:8.3f}" if r.calls else f"{'':8}"
            line = f"{r.name:<{width}}  {r.phase:<8}  {r.calls or '':>6}  {1e3 * r.seconds:9.2f}  {per_call}"
            line += f"  {1e3 * r.seconds / steps:8.2f}" if steps else ""
            lines.append(line + f"  {100 * r.seconds / wall:6.1f}")
        if limit is not None and len(rows) > limit:
            rest = sum(r.seconds for r in rows[limit:])
            lines.append(f"... {len(rows) - limit} more rows: {1e3 * rest:.2f} ms, {100 * rest / wall:.1f}%")
        t = self.totals()
        per_step = f", {1e3 * self.wall / steps:.1f} ms per step over {steps} steps" if steps else ""
        lines.append(
            f"wall {1e3 * self.wall:.1f} ms{per_step}: forward ops {100 * t['forward'] / wall:.1f}%, "
            f"backward {100 * t['backward'] / wall:.1f}% (tape walk "
            f"{100 * self.seconds(TAPE_WALK, 'backward') / wall:.1f}%), regions {100 * t['region'] / wall:.1f}%, "
            f"other {100 * t['other'] / wall:.1f}%; {self.nodes} graph nodes recorded"
        )
        return "\n".join(lines)

    def __repr__(self):
        return f"<Profile wall={self.wall:.4f}s rows={len(self._stats)} nodes={self.nodes}>"


@contextlib.contextmanager
def profile():
    """Time every deepgrad op, forward and backward, inside the block; yields a Profile.

    Example:
        with profile() as prof:
            model.train_on_batch(x, y)
        print(prof.table(limit=10))
    """
    global _current
    if _current is not None:
        raise RuntimeError("profile(): a profile is already running; profiles do not nest")
    prof = Profile()
    _current = prof
    table.set_observer(_Observer(prof))
    first_serial = next_serial()
    start = _clock()
    try:
        yield prof
    finally:
        prof.wall = _clock() - start
        prof.nodes = next_serial() - first_serial
        table.set_observer(None)
        _current = None


def is_profiling():
    """True inside a `profile()` block."""
    return _current is not None


def _always(_):
    return True


class _Observer:
    """The op table's observer during a profile: times each op's forward, the vjps it
    records, and each backward walk."""

    def __init__(self, prof):
        self.prof = prof

    def op_call(self, spec, forward, args, kwargs):
        first = next_serial()
        out = self.prof._call(spec.name, "forward", forward, args, kwargs, _always)
        self._time_vjps(out if isinstance(out, (tuple, list)) else (out,), first)
        return out

    def _time_vjps(self, outputs, first):
        """Time the vjp of every node this op call recorded: its outputs' nodes and those behind
        them back to the op's inputs (a recurrent op's outputs are slices of one inner node, whose
        vjp runs the whole backpropagation through time)."""
        stack = [t._node for t in outputs if isinstance(t, Tensor) and t._node is not None]
        seen = set()
        while stack:
            node = stack.pop()
            if node.serial < first or id(node) in seen:
                continue
            seen.add(id(node))
            if node.vjp is not None and not isinstance(node.vjp, _TimedVjp):
                node.vjp = _TimedVjp(self.prof, node.vjp, node.op)
            stack.extend(p._node for p in node.parents if isinstance(p, Tensor) and p._node is not None)

    def backward(self, walk, args):
        return self.prof._call(TAPE_WALK, "backward", walk, args, {}, _always)


class _TimedVjp:
    """A recorded vjp, timed under its op's name when backward runs it inside the profile."""

    __slots__ = ("prof", "vjp", "op")

    def __init__(self, prof, vjp, op):
        self.prof, self.vjp, self.op = prof, vjp, op

    def __call__(self, g):
        if _current is not self.prof:  # backward after the block ended
            return self.vjp(g)
        return self.prof._call(self.op, "backward", self.vjp, (g,), {}, _always)
