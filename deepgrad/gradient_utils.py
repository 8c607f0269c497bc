"""Changing how gradients flow: tf.custom_gradient, tf.grad_pass_through, tf.recompute_grad,
tf.UnconnectedGradients, and tf.gradients / tf.hessians (graph-only in TensorFlow 2).

    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)
        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

The tape records one node per output whose vector-Jacobian product is `grad(upstream)`
(one gradient per positional argument); the ops inside the decorated function are not
differentiated.
"""
import enum
import functools
import inspect

from . import nest
from .backend import xp
from .ops.elementwise import unbroadcast
from .tape import GradientTape
from .tensor import Tensor, as_tensor, attach, no_grad
from .missing import not_implemented


class UnconnectedGradients(enum.Enum):
    """What GradientTape.gradient returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _as_array(g, like):
    g = g.data if isinstance(g, Tensor) else xp.asarray(g)
    return unbroadcast(xp.broadcast_to(g, g.shape), like.shape).astype(like.dtype, copy=False)


def _takes_variables(grad_fn):
    try:
        params = inspect.signature(grad_fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in params)


def custom_gradient(f=None):
    """Decorator: f(*x) returns (y, grad_fn) and grad_fn(upstream) returns dL/dx given dL/dy.

    y may be a tensor or a structure of tensors (grad_fn then takes one upstream per output;
    an output not used gets zeros). grad_fn returns one gradient per positional argument of f
    (a single tensor for one argument), None for an argument without one. When f reads
    trainable variables, grad_fn must take `variables=` (the variables read, in creation
    order) and return (input gradients, [one gradient per variable]), as in TensorFlow.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        args = tuple(as_tensor(a) if isinstance(a, (float, int, list, xp.ndarray)) else a for a in args)
        with GradientTape() as probe:  # only to learn which trainable variables f reads
            output, grad_fn = f(*args, **kwargs)
        variables = list(probe.watched_variables())
        with_variables = _takes_variables(grad_fn)
        if variables and not with_variables:
            raise TypeError("If using @custom_gradient with a function that uses variables, then grad_fn "
                            "must accept a keyword argument 'variables'.")
        outs = [as_tensor(o) for o in nest.flatten(output)]
        inputs = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor)]
        parents = tuple(a for _, a in inputs) + tuple(variables)

        def vjp_for(k):
            def vjp(g):
                upstream = [Tensor(g) if j == k else Tensor(xp.zeros_like(o.data)) for j, o in enumerate(outs)]
                upstream = nest.flatten(nest.pack_sequence_as(output, upstream))
                with no_grad():
                    if with_variables:
                        grads, var_grads = grad_fn(*upstream, variables=variables)
                    else:
                        grads, var_grads = grad_fn(*upstream), []
                grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
                var_grads = list(var_grads or []) + [None] * (len(variables) - len(var_grads or []))
                found = [None if i >= len(grads) or grads[i] is None else _as_array(grads[i], a)
                         for i, a in inputs]
                found += [None if gv is None else _as_array(gv, v) for gv, v in zip(var_grads, variables)]
                return tuple(found)
            return vjp

        results = [attach(o.data, parents, vjp_for(k), "custom_gradient") for k, o in enumerate(outs)]
        return nest.pack_sequence_as(output, results)

    return decorated


def grad_pass_through(f):
    """f(x) forward, the identity backward: dL/dx = dL/dy (for a non-differentiable f such as a
    rounding or a quantization, the straight-through estimator)."""
    @functools.wraps(f)
    def wrapped(x):
        x = as_tensor(x)
        with no_grad():
            y = as_tensor(f(x))
        return attach(y.data, (x,), lambda g: (unbroadcast(g, x.shape).astype(x.dtype, copy=False),),
                      "grad_pass_through")

    return wrapped


def recompute_grad(f):
    """f itself: deepgrad keeps the forward activations, so there is nothing to recompute and
    the gradients are those of f."""
    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapped


_GRAPH_ONLY = "tf.gradients is not supported when eager execution is enabled. Use tf.GradientTape instead."


def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False, aggregation_method=None,
              stop_gradients=None, unconnected_gradients=UnconnectedGradients.NONE):
    """Graph-mode only in TensorFlow 2: raises RuntimeError as TensorFlow does eagerly."""
    raise RuntimeError(_GRAPH_ONLY)


def hessians(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians"):
    """Graph-mode only in TensorFlow 2: raises RuntimeError as TensorFlow does eagerly."""
    raise RuntimeError(_GRAPH_ONLY)


__getattr__ = not_implemented("tf")
