"""GradientTape: TensorFlow's way to ask for gradients.

    with GradientTape() as tape:
        loss = f(w, b)
    dw, db = tape.gradient(loss, [w, b])

Ops on trainable Variables are always recorded (as in PyTorch); the tape
chooses what to differentiate and frees the graph unless it is persistent.
"""
from .backend import xp
from . import tensor
from .tensor import Tensor, owned_gradient, run_backward
from .variable import Variable


class GradientTape:
    """Records a computation and returns gradients of a target with respect to sources.

    Args:
        persistent: allow several gradient() calls on the same recording.
        watch_accessed_variables: differentiate trainable Variables without watch();
            when False only watched tensors get gradients.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._watched = {}
        self._used = False

    def __enter__(self):
        tensor._grad_requested[0] += 1
        return self

    def __exit__(self, *exc):
        tensor._grad_requested[0] -= 1
        return False

    def watch(self, tensor):
        """Differentiate with respect to `tensor` (a float tensor or a list of them)."""
        for t in _flatten(tensor):
            if t.data.dtype.kind != "f":
                raise TypeError(f"GradientTape.watch: only float tensors can be watched. Received dtype {t.dtype}")
            if t.is_leaf:
                t.requires_grad = True
            self._watched[id(t)] = t

    def _differentiable(self, t):
        if id(t) in self._watched:
            return True
        return (
            self.watch_accessed_variables and isinstance(t, Variable) and t.trainable
        ) or (not t.is_leaf and t.requires_grad)

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(sum of target) / d(source) for each source, in the structure of `sources`.

        Sources the target does not depend on give None (or zeros with
        unconnected_gradients='zero').
        """
        if self._used and not self.persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only compute one set of gradients; "
                "use GradientTape(persistent=True) to call gradient() several times"
            )
        self._used = True
        flat = _flatten(sources)
        totals = {}
        targets = _flatten(target)
        seeds = _flatten(output_gradients) if output_gradients is not None else [None] * len(targets)
        for k, (t, seed) in enumerate(zip(targets, seeds)):
            if not t.requires_grad:
                continue
            g = xp.ones_like(t.data) if seed is None else seed
            # several targets may share nodes: keep the graph until the last one has run
            keep = self.persistent or k < len(targets) - 1
            found = run_backward(t, g, retain_graph=keep, capture=flat)
            for key, (_, grad) in found.items():
                totals[key] = totals[key] + grad if key in totals else grad
        grads, given = [], set()
        for s in flat:
            g = totals.get(id(s)) if self._differentiable(s) else None
            if g is None and unconnected_gradients == "zero":
                g = xp.zeros_like(s.data)
            grads.append(None if g is None else Tensor(owned_gradient(g, given)))
        return _unflatten(sources, grads)


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
