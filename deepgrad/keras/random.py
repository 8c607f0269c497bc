"""keras.random: seeded draws, with Keras 3's seeding rules.

Every function takes `seed`, which is one of:

- an int: the same values on every call (`normal((2,), seed=1)` twice gives
  equal arrays);
- a `SeedGenerator`: a seed that moves on at each call, so consecutive calls
  differ, while a new `SeedGenerator(1337)` replays the same sequence;
- None (the default): a draw from deepgrad's global generator (`backend.rng()`,
  the one behind initializers, dropout and shuffling), which
  `keras.utils.set_random_seed(n)` (and `tf.random.set_seed(n)`) reseeds.

A seed is a pair of 32-bit words (seed, counter), as a SeedGenerator's `state`
holds it; the pair seeds NumPy's generator as the 64-bit number
`seed + counter * 2**32`. An int seed is the pair (seed, 0), so
`normal(s, seed=7)` equals the first draw of `SeedGenerator(7)` and
`tf.random.normal(s, seed=7)`.

    from deepgrad.keras import random
    gen = random.SeedGenerator(1337)
    a = random.normal((2, 3), seed=gen)      # differs from ...
    b = random.normal((2, 3), seed=gen)      # ... this one
    c = random.uniform((2, 3), seed=42)      # the same on every call
"""
import numbers

from .. import backend
from ..backend import xp
from ..ops import nn as _nn
from ..ops.shape import getitem
from ..tensor import Tensor
from ..variable import Variable
from .ops.common import standardize_dtype, to_tensor
from ..missing import not_implemented

__all__ = ["SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "categorical",
           "dropout", "shuffle", "gamma", "binomial", "beta"]

_WORD = 0xFFFFFFFF


# ----------------------------------------------------------------------------- seeds

class SeedGenerator:
    """A seed that advances at each use, for reproducible yet varying draws.

    Args:
        seed: int, the start of the sequence; None picks one from the global
            generator (so it too follows `keras.utils.set_random_seed`).
        name: a name (`seed_generator`, `seed_generator_1`, ... when omitted).

    `state` is a non-trainable int32 Variable of shape (2,) holding
    (seed, counter); each draw made with this generator reads it and adds 1 to
    the counter. Keep one as a layer attribute to give the layer its own
    reproducible sequence:

        class MyDropout(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.seed_generator = keras.random.SeedGenerator(1337)

            def call(self, x, training=False):
                if training:
                    return keras.random.dropout(x, 0.5, seed=self.seed_generator)
                return x
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)  # Keras' choice of backend module; deepgrad has one
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        if name is None:
            from .layers.layer import unique_name  # the layers' name counter (dense, dense_1, ...)
            name = unique_name("seed_generator")
        self.name = name
        self._initial_seed = seed
        if seed is None:
            seed = int(backend.rng().integers(1, 10**9))
        if not isinstance(seed, numbers.Integral):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self.state = Variable(xp.array([_as_int32(seed), 0], dtype=xp.int32), trainable=False,
                              name=f"{name}/seed_generator_state")

    def next(self, ordered=True):
        """The current (seed, counter) pair as an int32 tensor; the state then moves on.

        ordered=True adds 1 to the counter; ordered=False maps the pair to
        ((pair + 1) * 5387) % 933199 (the product wrapping around in int32, as
        Keras'), a jump to a near-unique other pair.
        """
        current = self.state.data.copy()
        if ordered:
            self.state.assign(current + xp.array([0, 1], dtype=xp.int32))
        else:
            jumped = (current.astype(xp.int64) + 1) * 5387
            jumped = (jumped + 2**31) % 2**32 - 2**31  # int32 arithmetic wraps, as Keras' state does
            self.state.assign((jumped % 933199).astype(xp.int32))
        return Tensor(current)

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name!r} state={self.state.data.tolist()}>"


def _as_int32(value):
    """A Python int as the int32 with the same low 32 bits (seeds are 32-bit words)."""
    value = int(value) & _WORD
    return value - (1 << 32) if value >= 1 << 31 else value


def _draw_seed(seed):
    """The 64-bit seed for one draw: (word + counter * 2**32), or None for the global generator."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        first, counter = (int(v) & _WORD for v in seed.next().data)
        return first | (counter << 32)
    if isinstance(seed, numbers.Integral):
        return int(seed) & _WORD
    raise ValueError(
        "Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
        f"Received: seed={seed} (of type {type(seed)})"
    )


def _generator(seed):
    """The generator for one call: the global one for seed=None, else one seeded by the call."""
    seed = _draw_seed(seed)
    return backend.rng() if seed is None else xp.random.default_rng(seed)


# ----------------------------------------------------------------------------- argument checks

def _shape(shape):
    """`shape` (tuple, list, int or 1-D tensor) as a tuple of non-negative ints."""
    given = shape
    if isinstance(shape, Tensor):
        shape = shape.data
    if isinstance(shape, xp.ndarray):
        shape = shape.tolist()
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 0
                               for d in dims):
        raise ValueError(f"`shape` must be a tuple of non-negative integers. Received: shape={given}")
    return tuple(int(d) for d in dims)


def _dtype(dtype, op, kinds, default=None):
    """`dtype` (None -> `default` or floatx) as a NumPy dtype of one of `kinds` ('f', 'iu', ...)."""
    try:
        result = xp.dtype(standardize_dtype(default if dtype is None else dtype))
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype}. deepgrad supports NumPy's dtypes (no bfloat16)") from None
    if result.kind not in kinds:
        wanted = {"f": "a floating point", "iu": "an integer"}.get(kinds, "a numeric")
        raise ValueError(f"`keras.random.{op}` requires {wanted} `dtype`. Received: dtype={dtype}")
    return result


def _param(value, shape, op, name):
    """A distribution parameter (scalar or array) as float64 broadcast to `shape`."""
    array = xp.asarray(value.data if isinstance(value, Tensor) else value, dtype=xp.float64)
    try:
        return xp.broadcast_to(array, shape)
    except ValueError:
        raise ValueError(
            f"`keras.random.{op}`: `{name}` of shape {array.shape} does not broadcast to the "
            f"requested shape {shape}. Received: {name}={value}"
        ) from None


def _draw_float(dtype):
    """NumPy draws float32 or float64; other float dtypes are drawn in float32 and rounded."""
    return dtype if dtype in (xp.float32, xp.float64) else xp.dtype(xp.float32)


def _affine(z, mean, stddev, shape, dtype, op):
    """z * stddev + mean in `dtype`, keeping `shape` (mean/stddev may be arrays that broadcast)."""
    try:
        out = z * xp.asarray(_value(stddev), dtype=z.dtype) + xp.asarray(_value(mean), dtype=z.dtype)
    except ValueError:
        out = None
    if out is None or out.shape != shape:
        raise ValueError(
            f"`keras.random.{op}`: mean and stddev must broadcast to the requested shape {shape}. "
            f"Received: mean={mean}, stddev={stddev}"
        )
    return out.astype(dtype, copy=False)


def _value(v):
    return v.data if isinstance(v, Tensor) else v


# ----------------------------------------------------------------------------- draws

def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from the normal distribution N(mean, stddev^2).

    Args:
        shape: the shape of the result.
        mean, stddev: floats (or arrays broadcasting to `shape`).
        dtype: a float dtype; None gives `keras.config.floatx()`.
        seed: int, SeedGenerator or None (see the module's docstring).

    Returns a tensor of `shape` and `dtype`.
    """
    dtype = _dtype(dtype, "normal", "f")
    shape = _shape(shape)
    z = _generator(seed).standard_normal(shape, dtype=_draw_float(dtype))
    return Tensor(_affine(z, mean, stddev, shape, dtype, "normal"))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draws from the uniform distribution on [minval, maxval).

    Args:
        shape: the shape of the result.
        minval, maxval: the bounds (floats, or arrays broadcasting to `shape`).
        dtype: a float dtype; None gives floatx. For integers use `randint`.
        seed: int, SeedGenerator or None.

    Returns a tensor of `shape` and `dtype`: minval + u * (maxval - minval), u ~ U[0, 1).
    """
    dtype = _dtype(dtype, "uniform", "f")
    shape = _shape(shape)
    u = _generator(seed).random(shape, dtype=_draw_float(dtype))
    low = xp.asarray(_value(minval), dtype=u.dtype)
    high = xp.asarray(_value(maxval), dtype=u.dtype)
    out = _affine(u, low, high - low, shape, u.dtype, "uniform")
    # rounding can carry u * (high - low) up to `high`; keep the interval half-open
    out = xp.where((out >= high) & (high > low), xp.nextafter(high, low), out).astype(u.dtype, copy=False)
    return Tensor(out.astype(dtype, copy=False))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from N(mean, stddev^2) restricted to (mean - 2 stddev, mean + 2 stddev).

    Values that fall beyond 2 standard deviations are drawn again, so the result
    follows the truncated distribution exactly (its variance is about 0.774 stddev^2).

    Args as `normal`. Returns a tensor of `shape` and `dtype`.
    """
    dtype = _dtype(dtype, "truncated_normal", "f")
    shape = _shape(shape)
    gen = _generator(seed)
    draw = _draw_float(dtype)
    z = gen.standard_normal(shape, dtype=draw)
    outside = xp.abs(z) >= 2
    while outside.any():
        z[outside] = gen.standard_normal(int(outside.sum()), dtype=draw)
        outside = xp.abs(z) >= 2
    return Tensor(_affine(z, mean, stddev, shape, dtype, "truncated_normal"))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Draws integers uniformly from [minval, maxval).

    Args:
        shape: the shape of the result.
        minval: the lowest value (included).
        maxval: the bound (excluded); must be greater than `minval`.
        dtype: an integer dtype (int32 by default).
        seed: int, SeedGenerator or None.

    Returns a tensor of `shape` and `dtype`.
    """
    dtype = _dtype(dtype, "randint", "iu", default="int32")
    shape = _shape(shape)
    low, high = int(_value(minval)), int(_value(maxval))
    if low >= high:
        raise ValueError(
            f"`keras.random.randint` requires minval < maxval. Received: minval={minval}, maxval={maxval}"
        )
    info = xp.iinfo(dtype)
    if low < info.min or high - 1 > info.max:
        raise ValueError(
            f"`keras.random.randint`: [minval, maxval) does not fit dtype {dtype.name}. "
            f"Received: minval={minval}, maxval={maxval}"
        )
    return Tensor(_generator(seed).integers(low, high, size=shape, dtype=dtype))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draws class indices from the categorical distributions softmax(logits), row by row.

    Args:
        logits: (batch_size, num_classes) unnormalized log-probabilities; a class
            with logit -inf is never drawn.
        num_samples: the number of independent draws per row.
        dtype: the dtype of the result (int32 by default).
        seed: int, SeedGenerator or None.

    Returns a (batch_size, num_samples) tensor of class indices.
    Each draw takes u ~ U[0, 1) and returns the first class whose cumulative
    probability exceeds u (inverse transform sampling).
    """
    x = xp.asarray(_value(logits), dtype=xp.float64)
    if x.ndim != 2:
        raise ValueError(
            "`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
            f"Received: logits={logits}"
        )
    if isinstance(num_samples, bool) or not isinstance(_value(num_samples), (numbers.Integral, xp.ndarray)) \
            or int(_value(num_samples)) < 0:
        raise ValueError(f"`num_samples` must be a non-negative integer. Received: num_samples={num_samples}")
    num_samples = int(_value(num_samples))
    dtype = _dtype(dtype, "categorical", "iuf", default="int32")
    batch, classes = x.shape
    if classes == 0:
        raise ValueError(f"`logits` must have at least one class. Received: logits of shape {x.shape}")
    u = _generator(seed).random((batch, num_samples))
    probs = xp.exp(x - x.max(axis=1, keepdims=True))
    cdf = xp.cumsum(probs, axis=1)
    cdf /= cdf[:, -1:]  # the last entry becomes exactly 1 > u
    out = xp.empty((batch, num_samples), dtype=xp.int64)
    for row in range(batch):
        out[row] = xp.searchsorted(cdf[row], u[row], side="right")
    return Tensor(xp.minimum(out, classes - 1).astype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Sets each unit to 0 with probability `rate`, scaling the kept ones by 1 / (1 - rate).

    Args:
        inputs: the tensor to drop units from.
        rate: float in [0, 1]: the probability of dropping a unit. rate=0
            returns `inputs`; rate=1 returns zeros.
        noise_shape: the shape of the keep/drop mask, broadcast over `inputs`
            (e.g. (batch, 1, features) drops the same features at every step);
            None entries take the input's size.
        seed: int, SeedGenerator or None.

    Returns a tensor of the input's shape (float inputs keep their dtype, integer
    ones become floatx). Differentiable: d out / d inputs = the scaled mask.
    """
    x = to_tensor(inputs)
    value = float(_value(rate))
    if not 0 <= value <= 1:
        raise ValueError(
            "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
            f"Received: rate={rate}"
        )
    if value == 0:
        return x
    if value == 1:
        return x * (0.0 if x.dtype.kind == "f" else 0)
    return _nn.dropout(x, value, training=True, noise_shape=noise_shape, seed=_draw_seed(seed))


def shuffle(x, axis=0, seed=None):
    """`x` with its entries along `axis` in a random order (one permutation for the whole axis).

    Args:
        x: a tensor of rank >= 1.
        axis: the axis to permute (negative counts from the end).
        seed: int, SeedGenerator or None.

    Differentiable: the gradient is permuted back.
    """
    x = to_tensor(x)
    if x.ndim == 0:
        raise ValueError(f"`keras.random.shuffle` requires a tensor of rank >= 1. Received: x={x}")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"`axis` must be an integer in [{-x.ndim}, {x.ndim}) for an input of rank {x.ndim}. "
            f"Received: axis={axis}"
        )
    axis = int(axis) % x.ndim
    order = _generator(seed).permutation(x.shape[axis])
    return getitem(x, (slice(None),) * axis + (order,))


def gamma(shape, alpha, dtype=None, seed=None):
    """Draws from the Gamma distribution with shape `alpha` and scale 1 (mean alpha, variance alpha).

    Args:
        shape: the shape of the result.
        alpha: float > 0 (or an array broadcasting to `shape`).
        dtype: None gives floatx.
        seed: int, SeedGenerator or None.
    """
    dtype = _dtype(dtype, "gamma", "iuf")
    shape = _shape(shape)
    a = _param(alpha, shape, "gamma", "alpha")
    if not (a > 0).all():
        raise ValueError(f"`keras.random.gamma` requires alpha > 0. Received: alpha={alpha}")
    return Tensor(xp.asarray(_generator(seed).standard_gamma(a)).astype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Draws the number of successes in `counts` trials of success probability `probabilities`.

    Mean counts * p, variance counts * p * (1 - p).

    Args:
        shape: the shape of the result.
        counts: non-negative integer(s), broadcasting to `shape`.
        probabilities: float(s) in [0, 1], broadcasting to `shape`.
        dtype: None gives floatx.
        seed: int, SeedGenerator or None.
    """
    dtype = _dtype(dtype, "binomial", "iuf")
    shape = _shape(shape)
    n = _param(counts, shape, "binomial", "counts")
    p = _param(probabilities, shape, "binomial", "probabilities")
    if not ((n >= 0).all() and (n == xp.floor(n)).all()):
        raise ValueError(
            f"`keras.random.binomial` requires non-negative integer counts. Received: counts={counts}"
        )
    if not ((p >= 0) & (p <= 1)).all():
        raise ValueError(
            "`keras.random.binomial` requires probabilities in [0, 1]. "
            f"Received: probabilities={probabilities}"
        )
    return Tensor(xp.asarray(_generator(seed).binomial(n.astype(xp.int64), p)).astype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Draws from the Beta distribution: mean a / (a + b), variance a b / ((a + b)^2 (a + b + 1)).

    Args:
        shape: the shape of the result.
        alpha, beta: floats > 0 (or arrays broadcasting to `shape`).
        dtype: None gives floatx.
        seed: int, SeedGenerator or None.
    """
    dtype = _dtype(dtype, "beta", "iuf")
    shape = _shape(shape)
    a = _param(alpha, shape, "beta", "alpha")
    b = _param(beta, shape, "beta", "beta")
    if not ((a > 0).all() and (b > 0).all()):
        raise ValueError(
            f"`keras.random.beta` requires alpha > 0 and beta > 0. Received: alpha={alpha}, beta={beta}"
        )
    return Tensor(xp.asarray(_generator(seed).beta(a, b)).astype(dtype))


__getattr__ = not_implemented("keras.random")
