"""tf.random: seeded draws of tensors.

Every draw comes from `backend.rng()`, the one generator behind initializers,
dropout and shuffling, so `tf.random.set_seed(n)` makes everything that follows
bit-identical from run to run. An op-level `seed=` (as in
`tf.random.normal(shape, seed=1)`) draws instead from a generator seeded with
that number, the same convention as dropout's `seed`: such a call gives the same
values every time.

    import deepgrad as tf
    tf.random.set_seed(42)
    w = tf.Variable(tf.random.normal([784, 10], stddev=0.01))
"""
from .backend import floatx, rng, set_seed, xp  # noqa: F401 (set_seed is tf.random.set_seed)
from .tensor import Tensor, as_tensor
from .missing import not_implemented

__all__ = ["set_seed", "normal", "uniform", "truncated_normal", "shuffle", "categorical"]


def _generator(seed):
    """The shared seeded generator, or one seeded with the op-level `seed`."""
    return rng() if seed is None else xp.random.default_rng(int(seed))


def _shape(shape):
    if isinstance(shape, Tensor):
        shape = shape.data
    if isinstance(shape, xp.ndarray):
        shape = shape.tolist()
    if isinstance(shape, (int, xp.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _float_dtype(dtype, op):
    dtype = xp.dtype(floatx() if dtype is None else dtype)
    if dtype.kind != "f":
        raise ValueError(f"{op}: dtype must be a float type. Received: dtype={dtype}")
    return dtype


def _standard_normal(gen, shape, dtype):
    """N(0, 1) draws in `dtype` (float16 is drawn in float32, then rounded)."""
    draw = dtype if dtype in (xp.float32, xp.float64) else xp.dtype("float32")
    return gen.standard_normal(shape, dtype=draw).astype(dtype, copy=False)


def _value(v, dtype):
    """A scalar or array parameter (mean, stddev, bounds) as an array of `dtype`."""
    return xp.asarray(v.data if isinstance(v, Tensor) else v, dtype=dtype)


def normal(shape, mean=0.0, stddev=1.0, dtype=xp.float32, seed=None, name=None):
    """Draws from N(mean, stddev^2) of the given shape (float32 by default)."""
    dtype = _float_dtype(dtype, "normal")
    z = _standard_normal(_generator(seed), _shape(shape), dtype)
    return Tensor(z * _value(stddev, dtype) + _value(mean, dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=xp.float32, seed=None, name=None):
    """Draws from N(mean, stddev^2) with values beyond 2 stddev re-drawn, as TensorFlow."""
    dtype = _float_dtype(dtype, "truncated_normal")
    gen = _generator(seed)
    z = _standard_normal(gen, _shape(shape), dtype)
    outside = xp.abs(z) > 2
    while outside.any():
        z[outside] = _standard_normal(gen, (int(outside.sum()),), dtype)
        outside = xp.abs(z) > 2
    return Tensor(z * _value(stddev, dtype) + _value(mean, dtype))


def uniform(shape, minval=0, maxval=None, dtype=xp.float32, seed=None, name=None):
    """Draws from [minval, maxval): floats (maxval 1 when None) or integers (maxval required)."""
    dtype = xp.dtype(dtype)
    shape = _shape(shape)
    gen = _generator(seed)
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError(f"uniform: maxval must be given for an integer dtype. Received: dtype={dtype}")
        return Tensor(gen.integers(int(minval), int(maxval), size=shape, dtype=dtype))
    dtype = _float_dtype(dtype, "uniform")
    draw = dtype if dtype in (xp.float32, xp.float64) else xp.dtype("float32")
    u = gen.random(shape, dtype=draw).astype(dtype, copy=False)
    low = _value(minval, dtype)
    high = _value(1.0 if maxval is None else maxval, dtype)
    return Tensor(low + u * (high - low))


def shuffle(value, seed=None, name=None):
    """`value` with its first axis randomly permuted (no gradient)."""
    data = as_tensor(value).data
    if data.ndim == 0:
        raise ValueError("shuffle: expects a tensor of rank >= 1. Received a scalar")
    return as_tensor(data[_generator(seed).permutation(data.shape[0])])


def categorical(logits, num_samples, dtype=xp.int64, seed=None, name=None):
    """Class ids drawn from softmax(logits) per row: logits (batch, classes) -> (batch, num_samples).

    Gumbel-max: argmax(logits + Gumbel noise) is a draw from softmax(logits).
    """
    x = as_tensor(logits).data
    if x.ndim != 2:
        raise ValueError(f"categorical: logits must have shape (batch, classes). Received: shape {x.shape}")
    noise = _generator(seed).gumbel(size=(x.shape[0], int(num_samples), x.shape[1]))
    return as_tensor(xp.argmax(x[:, None, :] + noise, axis=-1).astype(dtype))


__getattr__ = not_implemented("tf.random")
