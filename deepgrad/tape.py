"""GradientTape: TensorFlow's way to ask for gradients.

    with GradientTape() as tape:
        loss = f(w, b)
    dw, db = tape.gradient(loss, [w, b])

A tape records what runs inside its `with` block: the ops recorded while it was
open (their nodes' serial numbers fall in its intervals), nothing from before or
after, nothing inside its `stop_recording()`. Several tapes may be open at once,
nested or side by side (two tapes over one GAN step); each one's `gradient` goes
through its own record, and frees a node only when no other live tape covers it.
A non-persistent tape answers one `gradient` (or `jacobian`) call; a persistent one any number.
`jacobian` and `batch_jacobian` run one backward pass per element of the target.

Gradients of gradients: `gradient` called while another tape is recording (a tape
inside a tape) computes its gradients with differentiable ops, so the outer tape
can differentiate them again (second derivatives, WGAN-GP's gradient penalty).
"""
import contextlib

from . import ops  # also registers the second-order rules
from . import tensor
from .backend import xp
from .tensor import Tensor, owned_gradient, run_backward


class GradientTape:
    """Records a computation and returns gradients of a target with respect to sources.

    Args:
        persistent: allow several gradient() calls on the same recording.
        watch_accessed_variables: differentiate the trainable Variables read inside the
            tape without watch(); when False only watched tensors get gradients.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._watched = {}
        self._accessed = {}
        self._intervals = []
        self._used = False

    # ---- recording -----------------------------------------------------------------

    def __enter__(self):
        tensor._grad_requested[0] += 1
        tensor.live_tapes.add(self)
        self._start_recording()
        return self

    def __exit__(self, *exc):
        self._stop_recording()
        tensor._grad_requested[0] -= 1
        return False

    def _start_recording(self):
        self._intervals.append([tensor.next_serial(), None])
        tensor.recording_tapes.append(self)

    def _stop_recording(self):
        if self in tensor.recording_tapes:
            tensor.recording_tapes.remove(self)
            self._intervals[-1][1] = tensor.next_serial()

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded on this tape (other tapes still record them)."""
        if self not in tensor.recording_tapes:
            raise ValueError("Tape must be recording when stop_recording() is called")
        self._stop_recording()
        try:
            yield
        finally:
            self._start_recording()

    def reset(self):
        """Forget everything recorded and watched, as a new tape entered here would."""
        recording = self in tensor.recording_tapes
        self._stop_recording()
        self._intervals, self._watched, self._accessed, self._used = [], {}, {}, False
        tensor.live_tapes.add(self)
        if recording:
            self._start_recording()

    def _covers(self, serial):
        """Whether the node numbered `serial` was recorded on this tape."""
        for start, end in self._intervals:
            if start <= serial and (end is None or serial < end):
                return True
        return False

    def watch(self, tensor):
        """Differentiate with respect to `tensor` (a float tensor or a list of them)."""
        for t in _flatten(tensor):
            if t.data.dtype.kind != "f":
                raise TypeError(f"GradientTape.watch: only float tensors can be watched. Received dtype {t.dtype}")
            if t.is_leaf:
                t.requires_grad = True
            self._watched[id(t)] = t

    def watched_variables(self):
        """The variables this tape differentiates (those watched and the trainable ones read inside it),
        in the order they were created, as TensorFlow lists them."""
        found = dict(self._watched)
        if self.watch_accessed_variables:
            for key, var in self._accessed.items():
                found.setdefault(key, var)
        variables = [v for v in found.values() if getattr(v, "trainable", None) is not None]
        return tuple(sorted(variables, key=lambda v: v.creation_index))

    def _differentiable(self, t):
        if id(t) in self._watched:
            return True
        return (
            self.watch_accessed_variables and getattr(t, "trainable", False)
        ) or (not t.is_leaf and t.requires_grad)

    # ---- gradients -----------------------------------------------------------------

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(sum of target) / d(source) for each source, in the structure of `sources`.

        Sources the target does not depend on (within this tape's record) give None, or
        zeros with unconnected_gradients='zero'. `output_gradients` weighs each target
        (a vector-Jacobian product). Called while another tape records, the gradients are
        differentiable tensors.
        """
        unconnected = self._begin("gradients", unconnected_gradients)
        flat = _flatten(sources)
        targets = _flatten(target)
        seeds = _flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        try:
            totals = self._backward(
                [(t, xp.ones_like(t.data) if seed is None else seed) for t, seed in zip(targets, seeds)], flat
            )
        finally:
            self._end()
        grads, given = [], set()
        for s in flat:
            g = totals.get(id(s)) if self._differentiable(s) else None
            if g is None and unconnected == "zero":
                g = xp.zeros_like(s.data)
            if g is None or isinstance(g, Tensor):
                grads.append(g)
            else:
                grads.append(Tensor(owned_gradient(g, given)))
        return _unflatten(sources, grads)

    def _begin(self, what, unconnected_gradients):
        """Check that this tape may answer once more, mark it used; returns 'none' or 'zero'."""
        if self._used and not self.persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients "
                f"(or jacobians): use GradientTape(persistent=True) to compute {what} several times"
            )
        unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
        if unconnected not in ("none", "zero"):
            raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
        self._used = True
        return unconnected

    def _end(self):
        if not self.persistent:
            tensor.live_tapes.discard(self)

    def _backward(self, targets_and_seeds, flat, more=False):
        """{id(source): summed gradient} over backward passes from each (target, seed) pair.

        Passes may share nodes, so the graph is kept until the last one (and after it on a
        persistent tape, or when `more` passes will follow). The gradients are arrays, or
        differentiable Tensors while another tape records.
        """
        create_graph = any(t is not self for t in tensor.recording_tapes)
        totals = {}
        last = len(targets_and_seeds) - 1
        for k, (t, seed) in enumerate(targets_and_seeds):
            if not t.requires_grad:
                continue
            found = run_backward(t, seed, retain_graph=self.persistent or more or k < last, capture=flat,
                                 span=self._covers, keep=self._needed_elsewhere, create_graph=create_graph)
            for key, (_, grad) in found.items():
                totals[key] = totals[key] + grad if key in totals else grad
        return totals

    def _needed_elsewhere(self, node):
        """Whether another live tape recorded `node` (so this tape's backward must not free it)."""
        for other in tuple(tensor.live_tapes):
            if other is not self and other._covers(node.serial):
                return True
        return False

    def jacobian(self, target, sources, unconnected_gradients="none", parallel_iterations=None,
                 experimental_use_pfor=True):
        """The Jacobian of `target` with respect to each source, in the structure of `sources`.

        J[i..., j...] = d target[i...] / d source[j...]: shape target.shape + source.shape.
        One backward pass per element of `target` (seed: that element's one-hot), so it costs
        target.size gradient calls. A source `target` does not depend on gives None (zeros
        with unconnected_gradients='zero'). A non-persistent tape answers one jacobian, as one
        gradient. `parallel_iterations` and `experimental_use_pfor` (TensorFlow's vectorization)
        are accepted and change nothing.
        """
        target = _as_target(target, "jacobian")
        unconnected = self._begin("jacobians", unconnected_gradients)
        flat = _flatten(sources)
        try:
            n = target.size
            rows = [self._row(target, _one_hot(target.data, k), flat, k < n - 1) for k in range(n)]
        finally:
            self._end()
        jacobians = [_assemble([row[i] for row in rows], target.shape, s.shape, s, unconnected)
                     for i, s in enumerate(flat)]
        return _unflatten(sources, jacobians)

    def batch_jacobian(self, target, source, unconnected_gradients="none", parallel_iterations=None,
                       experimental_use_pfor=True):
        """Per-example Jacobians: J[b, i..., j...] = d target[b, i...] / d source[b, j...].

        Shape [batch] + target.shape[1:] + source.shape[1:]. Assumes, as TensorFlow does, that
        target[b] depends on source[b] only (rows of a batch do not mix), so one backward pass
        per element of target[0] (its one-hot repeated over the batch) gives every row at once.
        """
        target = _as_target(target, "batch_jacobian")
        if target.ndim < 1 or source.ndim < 1 or target.shape[0] != source.shape[0]:
            raise ValueError(
                "batch_jacobian: the first (batch) dimension of target and source must match. "
                f"Received: target.shape={tuple(target.shape)}, source.shape={tuple(source.shape)}"
            )
        unconnected = self._begin("jacobians", unconnected_gradients)
        batch, inner = target.shape[0], target.shape[1:]
        try:
            rows = []
            n = int(xp.prod(inner, dtype=xp.int64))
            for k in range(n):
                seed = xp.zeros_like(target.data).reshape(batch, -1)
                seed[:, k] = 1
                rows.append(self._row(target, seed.reshape(target.shape), [source], k < n - 1)[0])
        finally:
            self._end()
        # rows[k] has source's shape [batch, j...]: row b is d target[b, k] / d source[b]
        return _assemble(rows, inner, source.shape, source, unconnected, batch_axis=True)

    def _row(self, target, seed, flat, more):
        """The gradients of sum(seed * target) with respect to each of `flat` (None where
        unconnected); `more`: other rows follow, keep the graph."""
        totals = self._backward([(target, seed)], flat, more) if target.requires_grad else {}
        return [totals.get(id(s)) if self._differentiable(s) else None for s in flat]


def _flatten(structure):
    if isinstance(structure, dict):
        return [t for v in structure.values() for t in _flatten(v)]
    if isinstance(structure, (list, tuple)):
        return [t for v in structure for t in _flatten(v)]
    return [structure]


def _unflatten(structure, flat):
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            return {k: build(v) for k, v in s.items()}
        if isinstance(s, (list, tuple)):
            return [build(v) for v in s] if isinstance(s, list) else tuple(build(v) for v in s)
        return next(it)

    return build(structure)


def _as_target(target, where):
    if not isinstance(target, Tensor):
        raise TypeError(f"GradientTape.{where}: the target must be one tensor. Received: {type(target).__name__}")
    return target


def _one_hot(like, k):
    seed = xp.zeros_like(like)
    seed.reshape(-1)[k] = 1
    return seed


def _assemble(rows, target_shape, source_shape, source, unconnected, batch_axis=False):
    """Stack one gradient per target element into a Jacobian.

    Without batch_axis: rows[k] has source_shape, the result target_shape + source_shape.
    With it: rows[k] has source_shape = [batch, j...], the result [batch] + target_shape + [j...].
    None when no row is connected (or zeros with 'zero'); Tensors (differentiable) when the
    gradients were, arrays made Tensors otherwise.
    """
    if unconnected == "none" and all(r is None for r in rows):
        return None
    differentiable = any(isinstance(r, Tensor) for r in rows)
    zeros = xp.zeros(source_shape, dtype=source.data.dtype)
    rows = [zeros if r is None else r for r in rows]
    if batch_axis:
        shape = (source_shape[0],) + tuple(target_shape) + tuple(source_shape[1:])
        axis = 1
    else:
        shape = tuple(target_shape) + tuple(source_shape)
        axis = 0
    if differentiable:
        return ops.reshape(ops.stack([r if isinstance(r, Tensor) else Tensor(r) for r in rows], axis=axis), shape)
    stacked = xp.stack(rows, axis=axis) if rows else xp.zeros((0,) + tuple(source_shape), source.data.dtype)
    return Tensor(xp.ascontiguousarray(stacked.reshape(shape)).astype(source.data.dtype, copy=False))
