"""The op table: every differentiable primitive of deepgrad, declared once.

    @declare("softplus", kind="elementwise", methods=("softplus",))
    def softplus(x):
        ...forward, then attach(y, (x,), vjp, "softplus")

An entry (`OpSpec`) holds the op's name, its forward function (which records
its vjp through `tensor.attach` under the same name) and facts about it:

- kind: the family ('elementwise', 'binary', 'comparison', 'reduction', 'shape',
  'indexing', 'linalg', 'nn', 'conv', 'pooling', 'recurrent', 'fused').
- differentiable: False when the output carries no gradient (comparisons,
  argmax, rounding); such ops record nothing.
- methods: the Tensor methods and operators bound to it. A plain name binds
  the op itself (`"sum"`: `x.sum(axis=0)`); a pair (name, adapter) binds
  `adapter(op)` (`("__radd__", reflected)`, `("T", as_property)`).
- fuses: for a fused op (dense_bias_act, conv2d_bias_act, the recurrent ops),
  the activations it can apply itself, by their keras.activations names; see
  `fused_activation`.

Everything else is read from this table: Tensor's methods and operators
(`bind_tensor_methods`), the profiler (`set_observer`: one hook around every
declared op, nothing is rebound), tf.* / tf.math / tf.nn / tf.linalg and
keras.ops (which expose table ops under their public names) and the list of
ops the parity tests must cover (`OPS`).
"""
import functools

from .. import tensor

OPS = {}
"""op name -> OpSpec, in declaration order."""

KINDS = frozenset({
    "elementwise", "binary", "comparison", "reduction", "shape", "indexing", "linalg", "nn",
    "conv", "pooling", "recurrent", "fused",
})

FUSES = {}
"""fused op name -> the activations (keras.activations names) it applies itself: the one
answer to "can this layer's activation be fused", read through `fused_activation`."""

_observer = [None, None]  # [the op hook, the observer object]


class OpSpec:
    """One declared op: its name, forward function and facts (see the module docstring)."""

    __slots__ = ("name", "fn", "op", "kind", "differentiable", "methods", "fuses", "module")

    def __init__(self, name, fn, kind, differentiable, methods, fuses):
        self.name = name
        self.fn = fn  # the forward itself
        self.op = None  # the function callers use (set by declare)
        self.kind = kind
        self.differentiable = differentiable
        self.methods = methods
        self.fuses = fuses
        self.module = fn.__module__

    def __repr__(self):
        return f"<op {self.name} ({self.kind}) from {self.module}>"


def declare(name=None, *, kind, differentiable=True, methods=(), fuses=()):
    """Decorator: enter the op in the table and return the function every caller uses.

    The returned function calls the forward directly; while an observer is set
    (`set_observer`, the profiler) it calls observer(spec, forward, args, kwargs) instead.
    """
    if kind not in KINDS:
        raise ValueError(f"declare: unknown kind {kind!r}; kinds are {sorted(KINDS)}")

    def register(fn):
        op_name = name or fn.__name__
        if op_name in OPS:
            raise ValueError(f"declare: the op {op_name!r} is declared twice "
                             f"({OPS[op_name].module} and {fn.__module__})")
        spec = OpSpec(op_name, fn, kind, differentiable, tuple(methods), frozenset(fuses))

        @functools.wraps(fn)
        def op(*args, **kwargs):
            observer = _observer[0]
            if observer is None:
                return fn(*args, **kwargs)
            return observer(spec, fn, args, kwargs)

        op.spec = spec
        spec.op = op
        OPS[op_name] = spec
        if fuses:
            FUSES[op_name] = spec.fuses
        return op

    return register


def set_observer(observer):
    """Route every declared op and every backward walk through `observer`; None stops it.

    observer.op_call(spec, forward, args, kwargs) runs in place of each declared op, and
    observer.backward(walk, args) in place of each backward walk (tensor.run_backward).
    Returns the observer that was set before.
    """
    previous = _observer[1]
    _observer[0] = None if observer is None else observer.op_call
    _observer[1] = observer
    tensor.backward_observer[0] = None if observer is None else observer.backward
    return previous


def fused_activation(fused_op, activation):
    """`activation` (a keras.activations name) when the fused op `fused_op` can apply it
    itself, else None: the layer must then apply it as an op of its own."""
    return activation if activation in FUSES.get(fused_op, ()) else None


# ---- method adapters: how an op becomes a Tensor method ---------------------------------


def reflected(op):
    """`other <op> self`: the reflected operator (__radd__ of add)."""
    return lambda self, other: op(other, self)


def as_property(op):
    """A read-only property computing op(self) (x.T)."""
    return property(lambda self: op(self))


def star_shape(op):
    """x.reshape(2, 3) as well as x.reshape((2, 3))."""
    def method(self, *shape):
        return op(self, shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape)

    return method


def flattened(op):
    """x.flatten(): op(x, (-1,))."""
    return lambda self: op(self, (-1,))


def star_axes(op):
    """x.transpose(), x.transpose(1, 0) or x.transpose((1, 0))."""
    def method(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return op(self, axes or None)

    return method


def bind_tensor_methods(tensor_class):
    """Give `tensor_class` every method and operator the declared ops name."""
    bound = {}
    for spec in OPS.values():
        fn = spec.op
        for method in spec.methods:
            method_name, adapter = (method, None) if isinstance(method, str) else method
            if method_name in bound:
                raise ValueError(f"the Tensor method {method_name!r} is claimed by both "
                                 f"{bound[method_name]!r} and {spec.name!r}")
            bound[method_name] = spec.name
            setattr(tensor_class, method_name, adapter(fn) if adapter else fn)
    return bound
