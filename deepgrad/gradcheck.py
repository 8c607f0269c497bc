"""Gradient checking by central differences, in float64.

For a function f of tensors returning a tensor, the analytic gradient of
sum(f(x) * w) (w a fixed random weight, so every output element matters) is
compared with (L(x + eps e_i) - L(x - eps e_i)) / (2 eps) for every element i
of every input.
"""
from .backend import xp
from .tensor import Tensor, enable_grad, run_backward


class GradcheckError(AssertionError):
    """The analytic and numeric gradients disagree."""


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check the gradient of `fn` with respect to every float input.

    Args:
        fn: callable taking tensors (in the order of `inputs`) and returning a tensor.
        *inputs: arrays or tensors; float ones are checked, others passed as they are.
        eps: finite-difference step.
        atol, rtol: |analytic - numeric| <= atol + rtol * |numeric| must hold everywhere.

    Returns True, or raises GradcheckError naming the input, the worst element's
    index, and the analytic and numeric values there.
    """
    arrays = [xp.array(x.data if isinstance(x, Tensor) else x) for x in inputs]
    checked = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    for i in checked:
        arrays[i] = arrays[i].astype(xp.float64)
    weight = None

    def loss(values, track):
        nonlocal weight
        tensors = [Tensor(v, requires_grad=(track and i in checked)) for i, v in enumerate(values)]
        with enable_grad():
            out = fn(*tensors)
        if weight is None:
            weight = xp.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
        return tensors, out

    tensors, out = loss(arrays, True)
    if out.data.dtype != xp.float64:
        raise GradcheckError(f"gradcheck: fn returned dtype {out.data.dtype}; it must keep float64")
    grads = run_backward(out, weight) if out.requires_grad else {}
    for i in checked:
        analytic = grads.get(id(tensors[i]), (None, xp.zeros_like(arrays[i])))[1]
        numeric = xp.zeros_like(arrays[i])
        flat = arrays[i].reshape(-1)
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            plus = xp.sum(loss(arrays, False)[1].data * weight)
            flat[j] = original - eps
            minus = xp.sum(loss(arrays, False)[1].data * weight)
            flat[j] = original
            numeric.reshape(-1)[j] = (plus - minus) / (2 * eps)
        error = xp.abs(analytic - numeric) - (atol + rtol * xp.abs(numeric))
        if error.size and (xp.max(error) > 0 or not xp.all(xp.isfinite(analytic))):
            worst = xp.unravel_index(int(xp.argmax(xp.where(xp.isfinite(error), error, xp.inf))), error.shape)
            raise GradcheckError(
                f"gradcheck failed for input {i} (shape {arrays[i].shape}) at index {tuple(int(k) for k in worst)}: "
                f"analytic {float(analytic[worst])!r}, numeric {float(numeric[worst])!r} "
                f"(atol={atol}, rtol={rtol})"
            )
    return True
