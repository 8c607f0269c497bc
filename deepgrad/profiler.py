"""Where the time goes: the time of every op, forward and backward.

    from deepgrad import profiler

    with profiler.profile() as prof:
        model.fit(x, y, epochs=1, verbose=0)
    print(prof.table(limit=15))

prints one row per op and direction (conv2d forward, conv2d backward, ...),
with its number of calls, its time and its share of the time inside the block,
sorted by time.

Off by default, and free when off: no deepgrad code checks for a profiler.
Entering `profile()` wraps, until the block ends:

- every public function of the deepgrad.ops modules (the forward of each op),
- `attach`, so that the vjp each op records on the tape is timed under that
  op's name when backward runs it (the backward of each op),
- `run_backward`, whose own time is the walk of the tape: ordering the graph
  and summing the gradients of tensors used twice ("(tape walk)").

The wrappers replace the original functions wherever deepgrad refers to them
(module attributes, the operator methods of Tensor); leaving the block puts
the originals back. Each row counts self time: an op that calls another op
(swapaxes calls transpose) is charged only for its own work, and a helper that
returns no tensor (unbroadcast, tap) is charged to the op that called it. So
the rows, plus "(other)" for the Python outside any op (layers, losses,
optimizer, the training loop), add up to the time of the block.

An op stored elsewhere before the block (in a dict of your own, say) is not
wrapped: its time shows up under "(other)".
"""
import contextlib
import functools
import importlib
import pkgutil
import sys
import time
import types
from collections import namedtuple

from . import ops
from . import tensor as _tensor_module
from .tensor import Tensor

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
    wrappers = _wrappers()
    _rebind({id(original): (original, wrapper) for original, wrapper in wrappers})
    _current = prof
    start = _clock()
    try:
        yield prof
    finally:
        prof.wall = _clock() - start
        _current = None
        _rebind({id(wrapper): (wrapper, original) for original, wrapper in wrappers})


def is_profiling():
    """True inside a `profile()` block."""
    return _current is not None


# ---- the wrappers ----------------------------------------------------------------------


def _returns_tensor(out):
    if isinstance(out, Tensor):
        return True
    return isinstance(out, (tuple, list)) and bool(out) and isinstance(out[0], Tensor)


def _always(_):
    return True


def _timed_op(fn):
    name = fn.__name__

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        prof = _current
        if prof is None:
            return fn(*args, **kwargs)
        return prof._call(name, "forward", fn, args, kwargs, _returns_tensor)

    return timed


def _timed_vjp(prof, vjp, op):
    def timed(g):
        if _current is not prof:  # backward after the block ended
            return vjp(g)
        return prof._call(op, "backward", vjp, (g,), {}, _always)

    return timed


def _timed_attach(attach):
    @functools.wraps(attach)
    def timed(data, parents, vjp, op, params=None):
        out = attach(data, parents, vjp, op, params)
        prof = _current
        if prof is not None and out._node is not None:
            prof.nodes += 1
            out._node.vjp = _timed_vjp(prof, vjp, op)
        return out

    return timed


def _timed_run_backward(run_backward):
    @functools.wraps(run_backward)
    def timed(*args, **kwargs):
        prof = _current
        if prof is None:
            return run_backward(*args, **kwargs)
        return prof._call(TAPE_WALK, "backward", run_backward, args, kwargs, _always)

    return timed


def op_functions():
    """Every public op function of the deepgrad.ops modules (helpers such as `unbroadcast` included)."""
    found = {}
    for info in pkgutil.iter_modules(ops.__path__):
        module = importlib.import_module(f"{ops.__name__}.{info.name}")
        for name, value in vars(module).items():
            if (callable(value) and not name.startswith("_") and not isinstance(value, type)
                    and getattr(value, "__module__", None) == module.__name__):
                found[id(value)] = value
    return list(found.values())


def _wrappers():
    """(original, wrapper) pairs for the op functions, attach and run_backward."""
    pairs = [(fn, _timed_op(fn)) for fn in op_functions()]
    pairs.append((_tensor_module.attach, _timed_attach(_tensor_module.attach)))
    pairs.append((_tensor_module.run_backward, _timed_run_backward(_tensor_module.run_backward)))
    return pairs


def _rebind(mapping):
    """Replace every reference deepgrad holds to a function by another.

    `mapping` is {id(old): (old, new)}. Looks in the attributes of every
    loaded deepgrad module, of the classes defined there (Tensor's operator
    methods) and in the closures of their functions (Tensor.__radd__ = a
    lambda around add).
    """

    def swap(value):
        entry = mapping.get(id(value))
        return entry[1] if entry is not None and entry[0] is value else None

    def swap_cells(fn):
        if not isinstance(fn, types.FunctionType):
            return
        for cell in fn.__closure__ or ():
            try:
                new = swap(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
            if new is not None:
                cell.cell_contents = new

    for module_name, module in list(sys.modules.items()):
        if module is None or not (module_name == "deepgrad" or module_name.startswith("deepgrad.")):
            continue
        for name, value in list(vars(module).items()):
            new = swap(value)
            if new is not None:
                setattr(module, name, new)
            elif isinstance(value, type) and value.__module__ == module_name:
                for attr, member in list(vars(value).items()):
                    new = swap(member)
                    if new is not None:
                        setattr(value, attr, new)
                    else:
                        swap_cells(member)
            else:
                swap_cells(value)
