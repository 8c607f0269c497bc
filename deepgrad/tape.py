"""GradientTape: TensorFlow's way to ask for gradients.

    with GradientTape() as tape:
        loss = f(w, b)
    dw, db = tape.gradient(loss, [w, b])

A tape records what runs inside its `with` block: the ops recorded while it was
open (their nodes' serial numbers fall in its intervals), nothing from before or
after, nothing inside its `stop_recording()`. Several tapes may be open at once,
nested or side by side (two tapes over one GAN step); each one's `gradient` goes
through its own record, and frees a node only when no other live tape covers it.
A non-persistent tape answers one `gradient` call; a persistent one any number.

Gradients of gradients: `gradient` called while another tape is recording (a tape
inside a tape) computes its gradients with differentiable ops, so the outer tape
can differentiate them again (second derivatives, WGAN-GP's gradient penalty).
"""
import contextlib

from . import ops  # noqa: F401  (registers the second-order rules)
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
        """The variables this tape differentiates: those watched, then the trainable ones read inside it."""
        found = dict(self._watched)
        if self.watch_accessed_variables:
            for key, var in self._accessed.items():
                found.setdefault(key, var)
        return tuple(v for v in found.values() if getattr(v, "trainable", None) is not None)

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
        if self._used and not self.persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients "
                "(or jacobians): use GradientTape(persistent=True) to call gradient() several times"
            )
        unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
        if unconnected not in ("none", "zero"):
            raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
        self._used = True
        create_graph = any(t is not self for t in tensor.recording_tapes)
        flat = _flatten(sources)
        totals = {}
        targets = _flatten(target)
        seeds = _flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        try:
            for k, (t, seed) in enumerate(zip(targets, seeds)):
                if not t.requires_grad:
                    continue
                g = xp.ones_like(t.data) if seed is None else seed
                # several targets may share nodes: keep the graph until the last one has run
                retain = self.persistent or k < len(targets) - 1
                found = run_backward(t, g, retain_graph=retain, capture=flat, span=self._covers,
                                     keep=self._needed_elsewhere, create_graph=create_graph)
                for key, (_, grad) in found.items():
                    totals[key] = totals[key] + grad if key in totals else grad
        finally:
            if not self.persistent:
                tensor.live_tapes.discard(self)
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

    def _needed_elsewhere(self, node):
        """Whether another live tape recorded `node` (so this tape's backward must not free it)."""
        for other in tuple(tensor.live_tapes):
            if other is not self and other._covers(node.serial):
                return True
        return False

    def jacobian(self, *args, **kwargs):
        raise NotImplementedError("deepgrad does not implement GradientTape.jacobian")

    def batch_jacobian(self, *args, **kwargs):
        raise NotImplementedError("deepgrad does not implement GradientTape.batch_jacobian")


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
