"""keras.ops core ops: tensors in and out, control flow, slicing and scattering,
segment reductions, top-k, and the math of keras.ops (erf, logsumexp, FFTs).

Control flow runs eagerly as Python loops over differentiable ops, so a loop
under a GradientTape records every step and its gradient flows back through all
of them (as with Keras' torch backend). The FFTs take and return (real, imag)
pairs of float tensors, as Keras does; they run on NumPy's FFT through the
differentiable pair ops of deepgrad.ops.segment (fft_pair, rfft_pair, irfft_pair).

See names.py for the list of names this module provides.
"""
import builtins
import inspect
import math
import re

from ...backend import floatx, xp
from ...ops import segment as _segment
from ...ops.elementwise import add, cast as _cast, clip, div, mul, where
from ...ops.reduce import logsumexp as _logsumexp
from ...ops.shape import concat, getitem, pad, reshape, stack, transpose
from ...tensor import Tensor, as_tensor, attach, no_grad
from . import names as _names
from .common import standardize_dtype, to_tensor, unimplemented

# ---- nested structures (lists, tuples, dicts of tensors), as Keras' tree utilities --------


def _is_nested(x):
    return isinstance(x, (list, tuple, dict))


def _flatten(x):
    """The leaves of a nested structure, in order (dict values by sorted key)."""
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in _flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _flatten(item)]
    return [x]


def _pack(structure, leaves):
    """`leaves` arranged as `structure`."""
    leaves = iter(leaves)

    def build(s):
        if isinstance(s, dict):
            built = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, built[k]) for k in s)
        if isinstance(s, (list, tuple)):
            items = [build(item) for item in s]
            if isinstance(s, tuple) and hasattr(s, "_fields"):
                return type(s)(*items)
            return type(s)(items)
        return next(leaves)

    return build(structure)


def _map_structure(fn, *structures):
    flats = [_flatten(s) for s in structures]
    return _pack(structures[0], [fn(*leaves) for leaves in zip(*flats)])


# ---- tensors in and out ---------------------------------------------------------------


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """`x` as a Tensor: Python floats become floatx(), ints int32, bools bool; arrays keep their
    dtype; a list of tensors is stacked. A tensor comes back as is (cast, differentiably, when
    `dtype` differs)."""
    if sparse:
        raise ValueError("deepgrad has no sparse tensors. Received: sparse=True")
    if ragged:
        raise ValueError("deepgrad has no ragged tensors. Received: ragged=True")
    if isinstance(x, (list, tuple)) and any(isinstance(e, Tensor) for e in x):
        x = stack([convert_to_tensor(e) for e in x])
    if isinstance(x, builtins.int) and not isinstance(x, builtins.bool) and dtype is None \
            and not -(2**31) <= x < 2**31:
        dtype = "int64"
    if isinstance(x, builtins.float) and not isinstance(x, Tensor):
        x = builtins.float(x)  # a NumPy float64 scalar is a Python float: floatx(), as Keras
    if isinstance(x, xp.ndarray) and x.dtype == xp.uint32 and dtype is None:
        dtype = "int64"
    return to_tensor(x, None if dtype is None else _dtype_name(dtype))


def convert_to_numpy(x):
    """`x` as a NumPy array (a copy, cut from any graph); a list of tensors becomes one array."""
    def one(v):
        return xp.array(v.data if isinstance(v, Tensor) else v)

    if isinstance(x, (list, tuple)):
        return xp.array([one(v) for v in x])
    return one(x)


def is_tensor(x):
    """True for a deepgrad Tensor (a Variable is one)."""
    return isinstance(x, Tensor)


def shape(x):
    """The shape of `x` as a tuple of Python ints."""
    if isinstance(x, Tensor):
        return tuple(builtins.int(d) for d in x.shape)
    return tuple(builtins.int(d) for d in xp.shape(x))


def dtype(x):
    """The Keras dtype name of `x` ('float32', 'int32', 'bool', ...)."""
    if not hasattr(x, "dtype"):
        x = convert_to_tensor(x)
    if isinstance(x.dtype, xp.dtype):
        return x.dtype.name
    return standardize_dtype(x.dtype)


def _dtype_name(dtype):
    return dtype.name if isinstance(dtype, xp.dtype) else standardize_dtype(dtype)


def cast(x, dtype):  # noqa: F811 (Keras' argument name shadows the function above)
    """`x` cast to `dtype`; differentiable between float dtypes."""
    dtype = _dtype_name(dtype)
    x = convert_to_tensor(x) if not isinstance(x, Tensor) else x
    if x.dtype.name == dtype:
        return x
    return _cast(x, dtype)


def _limits(name):
    if name == "bool":
        return 0, 1
    if "int" in name:
        info = xp.iinfo(name)
    else:
        info = xp.finfo(name)
    return info.min, info.max


def saturate_cast(x, dtype):  # noqa: F811
    """`x` clipped to the range `dtype` can hold, then cast (no wrap-around on overflow)."""
    dtype = _dtype_name(dtype)
    x = convert_to_tensor(x) if not isinstance(x, Tensor) else x
    in_min, in_max = _limits(x.dtype.name)
    out_min, out_max = _limits(dtype)
    low, high = builtins.max(in_min, out_min), builtins.min(in_max, out_max)
    if x.dtype.kind == "f":
        # a bound the input type cannot hold exactly (int32's max in float32) is taken just inside;
        # the clip is unconditional, so +-inf becomes the largest finite value, as in Keras
        low_arr, high_arr = xp.asarray(low, dtype=x.dtype), xp.asarray(high, dtype=x.dtype)
        if float(low_arr) < low:
            low_arr = xp.nextafter(low_arr, xp.asarray(0, dtype=x.dtype))
        if float(high_arr) > high:
            high_arr = xp.nextafter(high_arr, xp.asarray(0, dtype=x.dtype))
        x = clip(x, low_arr, high_arr)
    elif x.dtype.kind in "iu" and (low > in_min or high < in_max):
        x = as_tensor(xp.clip(x.data, low, high).astype(x.dtype))
    return cast(x, dtype)


def stop_gradient(variable):
    """The same values, cut from the graph: no gradient flows back through the result."""
    variable = variable if isinstance(variable, Tensor) else convert_to_tensor(variable)
    return as_tensor(variable.data)


# ---- control flow (eager, differentiable through every step) ------------------------------


def cond(pred, true_fn, false_fn):
    """true_fn() if pred else false_fn()."""
    if builtins.bool(pred.data if isinstance(pred, Tensor) else pred):
        return true_fn()
    return false_fn()


def switch(index, branches, *operands):
    """branches[index](*operands), with `index` clamped to [0, len(branches) - 1]."""
    i = builtins.int(index.data if isinstance(index, Tensor) else index)
    i = builtins.min(builtins.max(i, 0), len(branches) - 1)
    return branches[i](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):  # noqa: F811
    """Repeat loop_vars = body(*loop_vars) while cond(*loop_vars) (at most `maximum_iterations` times).

    A single tensor for `loop_vars` gives a single tensor back; a tuple or list gives a tuple.
    """
    is_tuple = isinstance(loop_vars, (tuple, list))
    loop_vars = tuple(loop_vars) if is_tuple else (loop_vars,)
    loop_vars = _map_structure(convert_to_tensor, loop_vars)
    step = 0
    while (maximum_iterations is None or step < maximum_iterations) and \
            builtins.bool(_as_bool(cond(*loop_vars))):
        loop_vars = body(*loop_vars)
        if not isinstance(loop_vars, (list, tuple)):
            loop_vars = (loop_vars,)
        loop_vars = tuple(loop_vars)
        step += 1
    return loop_vars if is_tuple else loop_vars[0]


def _as_bool(value):
    return value.data if isinstance(value, Tensor) else value


def fori_loop(lower, upper, body_fun, init_val):
    """val = body_fun(i, val) for i in range(lower, upper); returns the final val."""
    val = init_val
    lower = builtins.int(lower.data if isinstance(lower, Tensor) else lower)
    upper = builtins.int(upper.data if isinstance(upper, Tensor) else upper)
    for i in range(lower, upper):
        val = body_fun(i, val)
    return val


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Scan `f` over the leading axis of `xs`, carrying state (jax.lax.scan's contract).

    carry, y = f(carry, x) for each x in xs (last to first when `reverse`);
    returns (final carry, the ys stacked on a new leading axis). `xs` and `init`
    may be nested structures; without `xs`, f gets None `length` times.
    """
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    if not isinstance(unroll, builtins.bool) and (not isinstance(unroll, builtins.int) or unroll < 1):
        raise ValueError(f"`unroll` must be an positive integer or boolean. Received: unroll={unroll}")
    if xs is None and length is None:
        raise ValueError("Got no `xs` to scan over and `length` not provided.")
    if xs is None:
        xs_flat = []
        n = builtins.int(length)
    else:
        xs_flat = [convert_to_tensor(x) for x in _flatten(xs)]
        n = builtins.int(length) if length is not None else xs_flat[0].shape[0]
    init_flat = [convert_to_tensor(v) for v in _flatten(init)]
    carry = _pack(init, init_flat) if _is_nested(init) else init_flat[0]
    dummy_y = [as_tensor(xp.zeros_like(v.data)) for v in init_flat]
    ys = []
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        piece = [getitem(x, i) for x in xs_flat]
        packed = (_pack(xs, piece) if _is_nested(xs) else piece[0]) if piece else None
        carry, y = f(carry, packed)
        ys.append(y if y is not None else dummy_y)
    if reverse:
        ys = ys[::-1]
    if not ys:
        return carry, None
    stacked = _map_structure(lambda *leaves: stack([convert_to_tensor(v) for v in leaves]), *ys)
    return carry, stacked


def map(f, xs):  # noqa: A001 (Keras' name)
    """[f(x) for x in xs along the leading axis], stacked (`xs` may be a nested structure)."""
    def step(_, x):
        return (), f(x)

    return scan(step, (), xs)[1]


def vectorized_map(function, elements):
    """function applied to each slice of `elements` along the leading axis, the results stacked."""
    return map(function, elements)


def _take(x, start, stop, axis):
    index = (builtins.slice(None),) * axis + (builtins.slice(start, stop),)
    return getitem(x, index)


def associative_scan(f, elems, reverse=False, axis=0):
    """The running combination of `elems` along `axis` with an associative `f`:
    out[0] = e[0], out[i] = f(out[i-1], e[i]) (from the end when `reverse`).

    `f` receives slices that keep `axis` (size 1); `elems` may be a nested structure.
    """
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    flat = [convert_to_tensor(e) for e in _flatten(elems)]
    axis = axis % flat[0].ndim
    n = flat[0].shape[axis]
    if any(e.shape[axis] != n for e in flat[1:]):
        raise ValueError("Array inputs to associative_scan must have the same first dimension. "
                         f"(saw: {[tuple(e.shape) for e in flat]})")
    order = range(n - 1, -1, -1) if reverse else range(n)
    pieces = []
    running = None
    for i in order:
        current = [_take(e, i, i + 1, axis) for e in flat]
        if running is None:
            running = current
        else:
            combined = f(_pack(elems, running), _pack(elems, current))
            running = [convert_to_tensor(c) for c in _flatten(combined)]
        pieces.append(running)
    if reverse:
        pieces = pieces[::-1]
    out = [concat([p[j] for p in pieces], axis=axis) for j in range(len(flat))]
    return _pack(elems, out)


# ---- custom gradients -----------------------------------------------------------------


def _takes_upstream_keyword(grad_fn, n_args):
    """Whether grad_fn is written for Keras' torch convention, grad_fn(*args, upstream=g):
    it has an `upstream` parameter, after *args or after n_args positional ones."""
    try:
        params = list(inspect.signature(grad_fn).parameters.values())
    except (TypeError, ValueError):
        return False
    kinds = inspect.Parameter
    for position, p in enumerate(params):
        if p.name == "upstream":
            return (p.kind is kinds.KEYWORD_ONLY or position >= n_args
                    or any(q.kind is kinds.VAR_POSITIONAL for q in params))
    return False


def custom_gradient(f):
    """Decorator: f(*args) returns (output, grad_fn); the result computes `output` and takes its
    gradient from grad_fn instead of from the ops f used.

    grad_fn is called as on Keras' torch backend, grad_fn(*args, upstream=g), when it is
    written for that (an `upstream` parameter after *args or after the arguments' places,
    as in Keras' backend-agnostic example); otherwise as on TensorFlow and JAX, grad_fn(g).
    It returns one gradient per positional argument of f (a single tensor for one argument).
    f runs outside the graph, as a torch autograd.Function does. With several outputs,
    upstream is a tuple of their gradients.
    """
    def wrapped(*args, **kwargs):
        with no_grad():
            output, grad_fn = f(*args, **kwargs)
        torch_style = _takes_upstream_keyword(grad_fn, len(args))
        outs = _flatten(output)
        parents = tuple(a for a in args if isinstance(a, Tensor))
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]

        def gradients(upstream):
            with no_grad():
                if torch_style:
                    grads = grad_fn(*args, upstream=upstream)
                else:
                    grads = grad_fn(upstream)
            if not isinstance(grads, (tuple, list)):
                grads = (grads,)
            result = []
            for i, p in zip(positions, parents):
                g = grads[i] if i < len(grads) else None
                if g is None:
                    result.append(None)
                    continue
                g = g.data if isinstance(g, Tensor) else xp.asarray(g)
                result.append(xp.broadcast_to(g, p.shape).astype(p.dtype, copy=False))
            return tuple(result)

        results = []
        for k, out in enumerate(outs):
            out = as_tensor(out)
            if out.dtype.kind != "f" and out.dtype.kind != "c":
                results.append(out)
                continue

            def vjp(g, k=k):
                if len(outs) == 1:
                    upstream = Tensor(g)
                else:
                    upstream = tuple(Tensor(g) if j == k else Tensor(xp.zeros_like(as_tensor(o).data))
                                     for j, o in enumerate(outs))
                return gradients(upstream)

            results.append(attach(out.data, parents, vjp, "custom_gradient"))
        return _pack(output, results) if _is_nested(output) else results[0]

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = getattr(f, "__doc__", None)
    return wrapped


# ---- slicing and scattering -----------------------------------------------------------


def _ints(values):
    if isinstance(values, Tensor):
        values = values.data
    return [builtins.int(v) for v in xp.asarray(values).reshape(-1)]


def slice(inputs, start_indices, shape):  # noqa: A001, F811 (Keras' names)
    """inputs[start:start + size] on every axis (`shape` gives the sizes)."""
    inputs = convert_to_tensor(inputs)
    starts, sizes = _ints(start_indices), _ints(shape)
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, sizes))
    return getitem(inputs, index)


def slice_update(inputs, start_indices, updates):
    """A new tensor: `inputs` with the block at `start_indices` replaced by `updates`.

    Differentiable with respect to both: the replaced block's gradient goes to `updates`,
    the rest to `inputs`.
    """
    inputs = convert_to_tensor(inputs)
    updates = to_tensor(updates, inputs.dtype.name)
    starts = _ints(start_indices)
    if len(starts) != inputs.ndim or updates.ndim != inputs.ndim:
        raise ValueError("slice_update: `start_indices` and `updates` must have one entry per axis "
                         f"of `inputs`. Received: start_indices={starts}, updates.shape={updates.shape}, "
                         f"inputs.shape={inputs.shape}")
    widths = [(s, n - s - u) for s, n, u in zip(starts, inputs.shape, updates.shape)]
    if any(b < 0 or a < 0 for b, a in widths):
        raise ValueError(f"slice_update: updates of shape {updates.shape} at {starts} do not fit "
                         f"in inputs of shape {inputs.shape}")
    mask = xp.zeros(inputs.shape, dtype=bool)
    mask[tuple(builtins.slice(s, s + u) for s, u in zip(starts, updates.shape))] = True
    return where(mask, pad(updates, widths), inputs)


def _index_array(indices):
    return xp.asarray(indices.data if isinstance(indices, Tensor) else indices).astype(xp.int64)


def scatter(indices, values, shape):  # noqa: F811
    """A tensor of `shape`, zero except values[i] added at indices[i] (repeats add up).

    indices: (..., k) coordinates into the first k axes; values: indices.shape[:-1] + shape[k:].
    """
    idx = _index_array(indices)
    values = convert_to_tensor(values)
    shape = tuple(_ints(shape))
    k = idx.shape[-1]
    idx = idx.reshape(-1, k)
    values = reshape(values, (-1,) + shape[k:])
    zeros = as_tensor(xp.zeros(shape, dtype=values.dtype))
    return _segment.scatter_nd_add(zeros, idx, values)


def scatter_update(inputs, indices, updates, reduction=None):
    """A new tensor: `inputs` with updates[i] written at indices[i] (reduction None), or combined
    with what is there ('add', 'max', 'min', 'mul'), applied in order."""
    inputs = convert_to_tensor(inputs)
    idx = _index_array(indices)
    updates = to_tensor(updates, inputs.dtype.name)
    if reduction is None:
        return _segment.scatter_nd_update(inputs, idx, updates)
    if reduction == "add":
        return _segment.scatter_nd_add(inputs, idx, updates)
    combine = {"max": _maximum, "min": _minimum, "mul": mul}.get(reduction)
    if combine is None:
        raise ValueError(f"Unsupported reduction: {reduction}")
    out = inputs
    for i in range(idx.shape[0]):
        coord = tuple(builtins.int(c) for c in idx[i])
        new = combine(getitem(out, coord), getitem(updates, i))
        out = _segment.scatter_nd_update(out, idx[i:i + 1], reshape(new, (1,) + new.shape))
    return out


def _maximum(a, b):
    from ...ops.elementwise import maximum
    return maximum(a, b)


def _minimum(a, b):
    from ...ops.elementwise import minimum
    return minimum(a, b)


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a tuple of tensors."""
    x = convert_to_tensor(x)
    axis = axis % x.ndim
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(f"unstack: num={num} does not match axis {axis} of shape {x.shape}")
    lead = (builtins.slice(None),) * axis
    return tuple(getitem(x, lead + (i,)) for i in range(n))


# ---- segment reductions and top-k ------------------------------------------------------


def _segment_reduce(op, data, segment_ids, num_segments):
    data = convert_to_tensor(data)
    ids = _index_array(segment_ids)
    if ids.ndim > 1:
        raise ValueError(f"Argument `segment_ids` should be an 1-D vector, got shape: {ids.ndim}.")
    if ids.shape[0] != data.shape[0]:
        raise ValueError("Argument `segment_ids` and `data` should have same leading dimension. "
                         f"Got {ids.shape} v.s. {data.shape}.")
    return op(data, ids, num_segments)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sum of the rows of `data` in each segment: (num_segments,) + data.shape[1:]."""
    return _segment_reduce(_segment.segment_sum, data, segment_ids, num_segments)


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Max of the rows of `data` in each segment (-inf for an empty one)."""
    return _segment_reduce(_segment.segment_max, data, segment_ids, num_segments)


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Min of the rows of `data` in each segment (+inf for an empty one)."""
    return _segment_reduce(_segment.segment_min, data, segment_ids, num_segments)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Product of the rows of `data` in each segment (1 for an empty one)."""
    return _segment_reduce(_segment.segment_prod, data, segment_ids, num_segments)


def top_k(x, k, sorted=True):  # noqa: A002
    """(values, indices) of the k largest entries along the last axis, largest first.

    The values are differentiable (the gradient goes back to the chosen entries);
    the indices are int64, as on Keras' torch backend.
    """
    return _segment.top_k(convert_to_tensor(x), k, sorted=sorted)


def in_top_k(targets, predictions, k):
    """Whether each targets[i] is among the k largest entries of predictions[i] (ties count in)."""
    predictions = convert_to_tensor(predictions)
    t = _index_array(targets)
    values = xp.take_along_axis(predictions.data, t[:, None], axis=-1)
    kth = -xp.sort(-predictions.data, axis=-1)[..., :builtins.int(k)]
    return as_tensor(xp.any(values >= kth, axis=-1))


# ---- math --------------------------------------------------------------------------------


def _numeric(name):
    from ...ops import numeric

    op = getattr(numeric, name, None)
    if op is None:
        raise NotImplementedError(f"deepgrad does not implement keras.ops.{name} yet "
                                  f"(deepgrad.ops.numeric.{name} is missing)")
    return op


def erf(x):
    """The error function, elementwise."""
    return _numeric("erf")(convert_to_tensor(x))


def erfc(x):
    """1 - erf(x), elementwise (accurate for large x)."""
    return _numeric("erfc")(convert_to_tensor(x))


def erfinv(x):
    """The inverse of erf on (-1, 1), elementwise."""
    return _numeric("erfinv")(convert_to_tensor(x))


def rsqrt(x):
    """1 / sqrt(x), elementwise."""
    return _numeric("rsqrt")(convert_to_tensor(x))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, computed without overflow."""
    return _logsumexp(convert_to_tensor(x), axis=axis, keepdims=keepdims)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of the last axis: (..., num_frames, sequence_length), frame j starting at
    j * sequence_stride; num_frames = 1 + (n - sequence_length) // sequence_stride."""
    x = convert_to_tensor(x)
    n = x.shape[-1]
    frames = 1 + (n - sequence_length) // sequence_stride
    idx = xp.arange(frames)[:, None] * sequence_stride + xp.arange(sequence_length)[None, :]
    return getitem(x, (Ellipsis, idx))


# ---- Fourier transforms on (real, imag) pairs ------------------------------------------------


def _complex_pair(x):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary."
                         f"Received: x={x}")
    real, imag = convert_to_tensor(x[0]), convert_to_tensor(x[1])
    if real.shape != imag.shape:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary."
                         "Both the real and imaginary parts should have the same shape. "
                         f"Received: x[0].shape = {real.shape}, x[1].shape = {imag.shape}")
    if real.dtype.kind != "f" or imag.dtype.kind != "f":
        raise ValueError(f"At least one tensor in input `x` is not of type float.Received: x={x}.")
    if real.dtype != imag.dtype:
        wide = xp.promote_types(real.dtype, imag.dtype)
        real, imag = cast(real, wide), cast(imag, wide)
    return real, imag


def _unpair(stacked):
    """(real, imag) of a (..., 2) stacked result."""
    return getitem(stacked, (Ellipsis, 0)), getitem(stacked, (Ellipsis, 1))


def _fft_last(real, imag, inverse=False):
    """The DFT of real + i imag along the last axis (the inverse, with 1/n, when `inverse`)."""
    return _unpair(_segment.fft_pair(real, imag, inverse=inverse))


def _swap_last(t):
    axes = list(range(t.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(t, axes)


def _fft2(real, imag, inverse):
    real, imag = _fft_last(real, imag, inverse)
    real, imag = _fft_last(_swap_last(real), _swap_last(imag), inverse)
    return _swap_last(real), _swap_last(imag)


def fft(x):
    """The discrete Fourier transform along the last axis of x = (real, imag); returns (real, imag)."""
    return _fft_last(*_complex_pair(x))


def fft2(x):
    """The 2-D discrete Fourier transform over the last two axes of x = (real, imag)."""
    return _fft2(*_complex_pair(x), inverse=False)


def ifft2(x):
    """The inverse 2-D discrete Fourier transform over the last two axes of x = (real, imag)."""
    return _fft2(*_complex_pair(x), inverse=True)


def rfft(x, fft_length=None):
    """The DFT of a real signal along the last axis: the fft_length // 2 + 1 non-negative
    frequencies as (real, imag); the signal is cropped or zero-padded to fft_length."""
    x = convert_to_tensor(x)
    if x.dtype.kind != "f":
        x = cast(x, floatx())
    n = x.shape[-1] if fft_length is None else builtins.int(fft_length)
    return _unpair(_segment.rfft_pair(x, n))


def irfft(x, fft_length=None):
    """The real signal of length fft_length (default 2 (bins - 1)) whose rfft is x = (real, imag)."""
    real, imag = _complex_pair(x)
    n = 2 * (real.shape[-1] - 1) if fft_length is None else builtins.int(fft_length)
    return _segment.irfft_pair(real, imag, n)


def _window(window, length, dtype):
    if window is None:
        return xp.ones(length, dtype=dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError('If a string is passed to `window`, it must be one of "hann", "hamming". '
                             f"Received: window={window}")
        a = 0.5 if window == "hann" else 0.54
        w = a - (1 - a) * xp.cos(2 * xp.pi * xp.arange(length) / length)
    else:
        w = xp.asarray(window.data if isinstance(window, Tensor) else window)
    if w.ndim != 1 or w.shape[-1] != length:
        raise ValueError(f"The shape of `window` must be equal to [sequence_length]."
                         f"Received: window shape={w.shape}")
    return w.astype(dtype)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the last axis: (real, imag), each
    (..., num_frames, fft_length // 2 + 1).

    With `center`, the signal is reflect-padded by fft_length // 2 on both sides;
    each frame of fft_length samples is multiplied by the window (of sequence_length,
    zero-padded to fft_length in the middle) before its rfft.
    """
    x = convert_to_tensor(x)
    if x.dtype.name not in ("float32", "float64"):
        raise TypeError(f"Invalid input type. Expected `float32` or `float64`. Received: input type={x.dtype}")
    if fft_length < sequence_length:
        raise ValueError("`fft_length` must equal or larger than `sequence_length`. "
                         f"Received: sequence_length={sequence_length}, fft_length={fft_length}")
    win = _window(window, sequence_length, x.dtype)
    left = (fft_length - sequence_length) // 2
    win = xp.pad(win, (left, fft_length - sequence_length - left))
    if center:
        half = fft_length // 2
        n = x.shape[-1]
        idx = xp.arange(-half, n + half)
        idx = xp.abs(idx)
        idx = xp.where(idx >= n, 2 * (n - 1) - idx, idx)
        x = getitem(x, (Ellipsis, idx))
    frames = extract_sequences(x, fft_length, sequence_stride)
    frames = mul(frames, as_tensor(win))
    return rfft(frames, fft_length)


def _overlap_add(frames, stride):
    """Sum of frames (..., num, length) placed at multiples of `stride`: (..., stride (num - 1) + length).

    Each frame is cut into `pieces` blocks of `stride` samples (zero-padded); block j of frame
    n lands on output block n + j, so the output is the sum over j of the frames' j-th blocks
    shifted down by j blocks.
    """
    num, length = frames.shape[-2], frames.shape[-1]
    lead = tuple(frames.shape[:-2])
    pieces = -(-length // stride)
    blocks = pad(frames, [(0, 0)] * (frames.ndim - 1) + [(0, pieces * stride - length)])
    blocks = reshape(blocks, lead + (num, pieces, stride))
    total = None
    for j in range(pieces):
        block = getitem(blocks, (Ellipsis, builtins.slice(None), j, builtins.slice(None)))
        shifted = pad(block, [(0, 0)] * len(lead) + [(j, pieces - 1 - j), (0, 0)])
        total = shifted if total is None else add(total, shifted)
    flat = reshape(total, lead + ((num + pieces - 1) * stride,))
    return getitem(flat, (Ellipsis, builtins.slice(0, stride * (num - 1) + length)))


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """The signal whose stft is x = (real, imag), by inverse rfft of each frame, windowing and
    overlap-add, normalised by the summed squared window (as Keras' torch backend)."""
    real, imag = _complex_pair(x)
    dtype = real.dtype
    win = None if window is None else _window(window, sequence_length, dtype)
    frames = irfft((real, imag), fft_length)
    num = frames.shape[-2]
    if sequence_length == fft_length and center and win is not None:
        frames = mul(frames, as_tensor(win))
        signal = _overlap_add(frames, sequence_stride)
        envelope = _overlap_add(as_tensor(xp.broadcast_to(win * win, (num, fft_length)).copy()),
                                sequence_stride).data
        start = fft_length // 2
        end = start + length if length is not None else envelope.shape[-1] - fft_length // 2
        signal = getitem(signal, (Ellipsis, builtins.slice(start, end)))
        env = envelope[start:end]
        if signal.shape[-1] > env.shape[-1]:  # a requested length past the frames: zeros
            signal = pad(getitem(signal, (Ellipsis, builtins.slice(0, env.shape[-1]))),
                         [(0, 0)] * (signal.ndim - 1) + [(0, signal.shape[-1] - env.shape[-1])])
            env = xp.pad(env, (0, signal.shape[-1] - env.shape[-1]), constant_values=1)
        return div(signal, as_tensor(env.astype(dtype)))
    expected = fft_length + sequence_stride * (num - 1)
    if win is not None:
        left = (fft_length - sequence_length) // 2
        win = xp.pad(win, (left, fft_length - sequence_length - left))
        overlaps = -(-fft_length // sequence_stride)
        denom = xp.pad(win * win, (0, overlaps * sequence_stride - fft_length))
        denom = denom.reshape(overlaps, sequence_stride).sum(axis=0)
        denom = xp.tile(denom, overlaps)[:fft_length]
        frames = mul(frames, as_tensor((win / denom).astype(dtype)))
    signal = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = signal.shape[-1] - fft_length // 2
    else:
        end = expected
    return getitem(signal, (Ellipsis, builtins.slice(start, end)))


def view_as_real(x):
    """A complex tensor as floats with a last axis of 2 (real, imag)."""
    data = x.data if isinstance(x, Tensor) else xp.asarray(x)
    if data.dtype.kind != "c":
        data = data.astype(xp.complex64)
    return as_tensor(xp.stack([data.real, data.imag], axis=-1))


def view_as_complex(x):
    """A float tensor with a last axis of 2 (real, imag) as a complex64 tensor."""
    data = x.data if isinstance(x, Tensor) else xp.asarray(x)
    if data.ndim < 1 or data.shape[-1] != 2:
        raise ValueError("Last dimension of input must be size 2 (real and imaginary). "
                         f"Received shape: {data.shape}")
    return as_tensor(data[..., 0].astype(xp.complex64) + 1j * data[..., 1].astype(xp.complex64))


# ---- einops-style rearrange ---------------------------------------------------------------


def _groups(side):
    """'b (h w) c' -> [['b'], ['h', 'w'], ['c']]."""
    groups = []
    for token in re.findall(r"\([^)]*\)|[\w]+", side):
        groups.append(token[1:-1].split() if token.startswith("(") else [token])
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, merge and split axes, einops-style: rearrange(x, 'b h w c -> b (h w) c').

    A parenthesised group on the left splits an axis (all but one of its parts
    given in `axes_lengths`); one on the right merges axes.
    """
    tensor = convert_to_tensor(tensor)
    left, right = re.split(r"\s*->\s*", pattern)
    in_groups, out_groups = _groups(left), _groups(right)
    if len(in_groups) != tensor.ndim:
        raise ValueError(f"rearrange: pattern {left!r} names {len(in_groups)} axes, "
                         f"the tensor has shape {tensor.shape}")
    sizes = dict(axes_lengths)
    for group, dim in zip(in_groups, tensor.shape):
        unknown = [a for a in group if a not in sizes]
        known = math.prod(sizes[a] for a in group if a in sizes)
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer the sizes of {unknown} in {pattern!r}")
        if unknown:
            sizes[unknown[0]] = dim // known
    elementary = [a for g in in_groups for a in g]
    out_axes = [a for g in out_groups for a in g]
    split_shape = tuple(sizes[a] for a in elementary)
    if split_shape != tuple(tensor.shape):
        tensor = reshape(tensor, split_shape)
    tensor = transpose(tensor, [elementary.index(a) for a in out_axes])
    return reshape(tensor, tuple(math.prod(sizes[a] for a in g) for g in out_groups))


__getattr__ = unimplemented(__name__, _names.PROVIDERS["core"])
