"""Tensor: an array, its gradient, and the node of the graph that produced it.

Reverse-mode autodiff. Every op returns its output through `attach`, which
records the parents and the op's vector-Jacobian product (vjp) when a parent
needs a gradient. `backward()` walks the graph in reverse topological order
(iteratively: no recursion limit), calls each vjp once with the summed gradient
of its output, accumulates into the `.grad` of leaf tensors, and frees each
node as soon as it has been used.
"""
import contextlib
import weakref

from .backend import floatx, xp
from .tensor_shape import known_shapes, remember_shape

_grad_enabled = [True]


def is_grad_enabled():
    """True unless inside `no_grad()`."""
    return _grad_enabled[0]


@contextlib.contextmanager
def no_grad():
    """Context in which ops record no graph (inference, weight updates)."""
    previous = _grad_enabled[0]
    _grad_enabled[0] = False
    try:
        yield
    finally:
        _grad_enabled[0] = previous


@contextlib.contextmanager
def enable_grad():
    """Context in which ops record the graph again, even inside `no_grad()`.

    It also asks for gradients explicitly (see `is_grad_requested`), as a
    GradientTape does.
    """
    previous = _grad_enabled[0]
    _grad_enabled[0] = True
    _grad_requested[0] += 1
    try:
        yield
    finally:
        _grad_enabled[0] = previous
        _grad_requested[0] -= 1


_grad_requested = [0]


def is_grad_requested():
    """True inside `enable_grad()` or a GradientTape: someone will ask for gradients.

    Keras calls made with training=False outside such a context record nothing,
    as in Keras, where only a GradientTape records.
    """
    return _grad_requested[0] > 0


class Node:
    """How a tensor was made: its parents and vjp(g) -> one gradient (or None) per parent.

    `op` names the op, `params` holds what its differentiable vjp needs beyond the
    parents and the output (an axis, a slope), and `serial` numbers the nodes in the
    order they were recorded, which is how a GradientTape knows what ran inside it.
    """

    __slots__ = ("parents", "vjp", "op", "params", "serial")

    def __init__(self, parents, vjp, op, params=None):
        self.parents = parents
        self.vjp = vjp
        self.op = op
        self.params = params
        _serial[0] += 1
        self.serial = _serial[0]


_serial = [0]

# The tapes that are recording now (inside their `with`, not in stop_recording()), and those
# whose record may still be asked for (entered, gradient() not yet called, or persistent):
# backward() frees a node only when no such other tape covers it.
recording_tapes = []
live_tapes = weakref.WeakSet()

# op name -> its vjp written with differentiable ops: rule(g, out, parents, params) -> one
# Tensor (or None) per parent. Filled by deepgrad.ops.second_order; used for gradients of gradients.
SECOND_ORDER = {}


def next_serial():
    """The serial the next recorded node will get."""
    return _serial[0] + 1


def _to_array(data, dtype=None):
    """Array of `data`: Python floats and lists become floatx, NumPy arrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return xp.asarray(data, dtype=dtype)
    if isinstance(data, xp.ndarray):
        return data
    arr = xp.asarray(data)
    if arr.dtype.kind == "f" or (arr.dtype.kind == "O"):
        arr = arr.astype(floatx())
    return arr


class Tensor:
    """An n-dimensional array that can record the ops applied to it.

    Args:
        data: array-like. Python numbers and lists become float32 (the default
            float type); NumPy arrays keep their dtype (float64 allowed).
        dtype: optional dtype to convert to.
        requires_grad: whether backward() fills `.grad` for this tensor.
    """

    # What Keras attaches to a tensor, as tf.keras does; the engine carries it and never reads it:
    # _keras_mask, the (batch, timesteps) mask of a layer's output, and _keras_logits, (kind, logits)
    # for the output of a softmax or sigmoid activation. Both None otherwise.
    __slots__ = ("data", "grad", "requires_grad", "_node", "name", "_keras_mask", "_keras_logits",
                 "__weakref__")
    __array_ufunc__ = None

    def __init__(self, data, dtype=None, requires_grad=False, name=None):
        _fill(self, _to_array(data, dtype), None, name)
        if requires_grad:
            self.requires_grad_(True)

    def requires_grad_(self, flag=True):
        """Mark this tensor as needing a gradient; only float tensors can."""
        if flag and self.data.dtype.kind not in "fc":
            raise TypeError(
                f"only float tensors can require gradients. Received: dtype={self.data.dtype}"
            )
        self.requires_grad = bool(flag)
        return self

    @property
    def shape(self):
        """The shape as a TensorShape: a tuple of ints (`x.shape == (2, 3)`, `np.zeros(x.shape)`)
        that also has TensorFlow's methods (`x.shape.as_list()`, `.rank`, `.num_elements()`).
        Engine code reads `x.data.shape`, the plain tuple."""
        try:
            return known_shapes[self.data.shape]
        except KeyError:
            return remember_shape(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def is_leaf(self):
        return self._node is None

    def numpy(self):
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        return self.data.item()

    def detach(self):
        """The same data, cut from the graph."""
        return Tensor(self.data)

    def zero_grad(self):
        self.grad = None

    def __pos__(self):
        return self

    def __len__(self):
        return len(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __format__(self, spec):
        return format(self.data.item(), spec) if self.data.size == 1 else format(str(self), spec)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __bool__(self):
        return bool(self.data)

    def __index__(self):
        return int(self.data)

    __hash__ = object.__hash__

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        body = xp.array2string(self.data, precision=4, separator=", ", threshold=20)
        return f"Tensor({body}, shape={self.shape}, dtype={self.dtype}{grad})"

    def backward(self, grad=None, retain_graph=False):
        """Accumulate d(self)/d(leaf) . grad into every leaf's `.grad`.

        Args:
            grad: gradient of some scalar with respect to this tensor, same shape.
                May be omitted only when this tensor has one element.
            retain_graph: keep the graph so backward() can run through it again.
        """
        grads = run_backward(self, grad, retain_graph=retain_graph)
        given = set()
        for leaf, g in grads.values():
            if leaf.grad is None:
                leaf.grad = Tensor(owned_gradient(g, given))
            else:
                leaf.grad = Tensor(leaf.grad.data + g)


def owned_gradient(g, given):
    """`g` as a writable array that shares memory with no other gradient handed out.

    A vjp may return its incoming gradient itself (add), a view of it (reshape)
    or a read-only broadcast (sum); copying only then keeps `.grad` arrays
    independent, so an in-place update of one (clipping, scaling) cannot change another.
    `given` collects the ids of arrays already handed out in this backward pass.
    """
    if not g.flags.writeable or g.base is not None or id(g) in given:
        g = g.copy()
    given.add(id(g))
    return g


def records(parents):
    """Whether an op on `parents` records a node: gradients are on and some parent (None: no
    parent) requires one. The test `attach` makes; ops ask it first to skip what only a vjp needs."""
    return _grad_enabled[0] and any(p is not None and p.requires_grad for p in parents)


def attach(data, parents, vjp, op, params=None):
    """Wrap `data` as the output of `op`, recording `vjp` if a parent needs a gradient.

    vjp(g) receives the gradient with respect to the output (shape of `data`)
    and returns one gradient per parent, each of that parent's shape, or None
    for a parent that needs none. `params` are kept for the op's second-order rule.
    """
    data = data if isinstance(data, xp.ndarray) else xp.asarray(data)
    if _grad_enabled[0]:
        for p in parents:
            if p.requires_grad:
                if recording_tapes:
                    _note_accessed_variables(parents)
                return _fill(Tensor.__new__(Tensor), data, Node(parents, vjp, op, params))
    return _fill(Tensor.__new__(Tensor), data, None)


def _fill(t, data, node, name=None):
    """Set every field of the tensor `t`: the one place a Tensor's fields are set up
    (its constructor, op results and constants all come through here)."""
    t.data = data
    t.grad = None
    t.name = name
    t._node = node
    t.requires_grad = node is not None
    t._keras_mask = None
    t._keras_logits = None
    return t


def _note_accessed_variables(parents):
    """Tell the recording tapes which trainable variables this op read (tape.watched_variables())."""
    for p in parents:
        if getattr(p, "trainable", False) and p._node is None:
            for tape in recording_tapes:
                tape._accessed.setdefault(id(p), p)


def as_tensor(x, like=None):
    """`x` as a Tensor; plain numbers and float arrays take the float dtype of `like`."""
    if isinstance(x, Tensor):
        return x
    arr = xp.asarray(x)
    if like is not None and like.data.dtype.kind == "f" and arr.dtype.kind in "biuf":
        if arr.dtype.kind == "f" or not isinstance(x, xp.ndarray):
            arr = arr.astype(like.data.dtype, copy=False)
    elif like is not None and like.data.dtype.kind in "iu" and arr.dtype.kind in "biu" \
            and not isinstance(x, xp.ndarray):
        arr = arr.astype(like.data.dtype, copy=False)
    elif arr.dtype.kind == "f" and not isinstance(x, xp.ndarray):
        arr = arr.astype(floatx())
    return _fill(Tensor.__new__(Tensor), arr, None)


def _topological_order(root, span=None):
    """Non-leaf tensors reachable from `root` (through nodes in `span`), each after all of its parents."""
    order = []
    seen = set()
    stack = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        for p in t._node.parents:
            if p._node is not None and id(p) not in seen and (span is None or span(p._node.serial)):
                stack.append((p, False))
    return order


backward_observer = [None]
"""Set by ops.table.set_observer (the profiler): called as observer(walk, args) around each backward walk."""


def run_backward(root, grad=None, retain_graph=False, capture=(), span=None, keep=None, create_graph=False):
    """Propagate `grad` from `root` back through the graph (see `_walk`)."""
    args = (root, grad, retain_graph, capture, span, keep, create_graph)
    observer = backward_observer[0]
    return _walk(*args) if observer is None else observer(_walk, args)


def _walk(root, grad=None, retain_graph=False, capture=(), span=None, keep=None, create_graph=False):
    """Propagate `grad` from `root` back through the graph.

    Returns {id(t): (t, gradient)} for every leaf that requires a gradient and for
    every tensor in `capture` (leaf or not).

    Args:
        retain_graph: keep every node's vjp, so that backward can run through it again.
        capture: tensors whose gradient to return even if they are not leaves.
        span: serial -> bool, the nodes to go through (a tape's record); the others
            are constants. None: every node.
        keep: node -> bool, a node to keep although retain_graph is False (another tape
            still needs it). Every other node is freed as soon as its vjp has run.
        create_graph: compute the gradients with differentiable ops (each op's rule in
            SECOND_ORDER), as Tensors that record a graph of their own: gradients of
            gradients. Otherwise gradients are arrays, computed by the vjps.
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward() on a tensor that does not require grad: no input of the "
            "computation had requires_grad=True, or it ran inside no_grad(), or it is the output "
            "of a Keras layer or model called with training=False outside a GradientTape "
            "(inference records nothing, as in Keras: call it inside deepgrad.enable_grad())"
        )
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                "backward() needs a gradient argument for a non-scalar output: "
                f"the output has shape {root.shape}; pass grad= of that shape or reduce "
                "it to a scalar (e.g. .sum() or .mean()) first"
            )
        g_root = xp.ones_like(root.data)
    else:
        g_root = _to_array(grad, root.data.dtype)
        if g_root.shape != root.shape:
            raise ValueError(
                f"backward(): grad has shape {g_root.shape} but the output has shape {root.shape}"
            )
    if create_graph:
        g_root = as_tensor(g_root)
    captured = {id(t) for t in capture}
    results = {}
    if root._node is None or (span is not None and not span(root._node.serial)):
        results[id(root)] = (root, g_root)
        return results
    if root._node.vjp is None:
        raise RuntimeError(
            "backward through a graph that was already freed by an earlier backward(); "
            "use retain_graph=True (or a persistent GradientTape) to go through it twice"
        )
    pending = {id(root): g_root}
    order = _topological_order(root, span)
    while order:
        t = order.pop()
        g = pending.pop(id(t), None)
        if g is None:
            continue
        if id(t) in captured:
            results[id(t)] = (t, g)
        node = t._node
        if node.vjp is None:
            raise RuntimeError(
                f"backward through the node of '{node.op}' that an earlier backward() "
                "already freed; use retain_graph=True to go through it twice"
            )
        parents = node.parents
        parent_grads = _second_order_vjp(node, t, g) if create_graph else node.vjp(g)
        if not retain_graph and (keep is None or not keep(node)):
            node.vjp = None
            node.parents = ()
        for p, gp in zip(parents, parent_grads):
            if gp is None or not p.requires_grad:
                continue
            if gp.dtype != p.data.dtype:  # mixed float32/float64 inputs: a gradient has its tensor's dtype
                gp = gp.astype(p.data.dtype)
            key = id(p)
            if p._node is None or (span is not None and not span(p._node.serial)):
                results[key] = (p, results[key][1] + gp) if key in results else (p, gp)
            elif key in pending:
                pending[key] = pending[key] + gp
            else:
                pending[key] = gp
    return results


def _second_order_vjp(node, out, g):
    rule = SECOND_ORDER.get(node.op)
    if rule is None:
        raise NotImplementedError(
            f"deepgrad does not implement gradients of gradients through the op '{node.op}': "
            f"ops with a second-order rule are {', '.join(sorted(SECOND_ORDER))}"
        )
    with enable_grad():
        return rule(g, out, node.parents, node.params)
