"""keras.initializers: the starting values of weights, as Keras 3.

An initializer is called with a shape (and optionally a dtype) and returns a
NumPy array of that shape, float32 by default:

    GlorotUniform()((784, 128))              # uniform in +-sqrt(6 / (fan_in + fan_out))
    get("he_normal")((3, 3, 16, 32))         # conv kernel: fans include the 3x3 receptive field

Random draws come from `deepgrad.backend.rng()` (reseeded by `set_seed`), or,
when an initializer is given `seed=n`, from a generator seeded with n afresh
at every call, so the same seed always gives the same values (as Keras 3).
"""
import math

from ..backend import floatx, rng, xp
from ..tensor import Tensor
from .registry import Registry
from ..missing import not_implemented

_INITIALIZERS = Registry("initializer")


def _dtype(dtype):
    return floatx() if dtype is None else xp.dtype(dtype)


def _shape(shape):
    return tuple(int(d) for d in shape)


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight of `shape`, as Keras.

    Dense kernels (in, out): (in, out). Conv kernels (..., in_channels, out_channels):
    each channel count times the receptive field (the product of the leading dims).
    Vectors: (n, n). Scalars: (1, 1). Explicit `input_axes`/`output_axes` override.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class Initializer:
    """Base class: `__call__(shape, dtype=None) -> array`, `get_config()`, `from_config()`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer {self.__class__.__name__} does not implement __call__().")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


# ---- constants --------------------------------------------------------------------------


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return xp.zeros(_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return xp.ones(_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to `value` (a number, or an array broadcast to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        value = self.value.data if isinstance(self.value, Tensor) else self.value
        out = xp.empty(_shape(shape), dtype=_dtype(dtype))
        out[...] = value
        return out

    def get_config(self):
        value = self.value
        if isinstance(value, Tensor):
            value = value.data
        if isinstance(value, xp.ndarray):
            value = value.tolist()
        return {"value": value}


class Identity(Initializer):
    """gain times the identity matrix (2-D shapes only; rectangular allowed)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        dtype = _dtype(dtype)
        return (self.gain * xp.eye(*shape, dtype=dtype)).astype(dtype, copy=False)

    def get_config(self):
        return {"gain": self.gain}


# ---- random ----------------------------------------------------------------------------


class RandomInitializer(Initializer):
    """Base of the random initializers: `seed` None (the global generator) or an int."""

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"`seed` argument should be an integer or None. Received: seed={seed!r}")
        self.seed = seed

    def _generator(self):
        return rng() if self.seed is None else xp.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def _standard_normal(generator, shape, dtype):
    """Standard normal draws in `dtype` (float32/float64 drawn directly, others via float32)."""
    draw_dtype = dtype if dtype in (xp.float32, xp.float64) else xp.float32
    return generator.standard_normal(shape, dtype=draw_dtype)


def _normal(generator, shape, mean, stddev, dtype):
    x = _standard_normal(generator, shape, dtype)
    x *= stddev
    x += mean
    return x.astype(dtype, copy=False)


def _truncated_normal(generator, shape, mean, stddev, dtype):
    """Normal draws, redrawing every one more than two standard deviations from the mean."""
    x = _standard_normal(generator, shape, dtype)
    outside = xp.flatnonzero(xp.abs(x) > 2.0)
    flat = x.reshape(-1)
    while outside.size:
        flat[outside] = _standard_normal(generator, outside.size, x.dtype)
        outside = outside[xp.abs(flat[outside]) > 2.0]
    x *= stddev
    x += mean
    return x.astype(dtype, copy=False)


def _uniform(generator, shape, low, high, dtype):
    draw_dtype = dtype if dtype in (xp.float32, xp.float64) else xp.float32
    x = generator.random(shape, dtype=draw_dtype)
    x *= high - low
    x += low
    return x.astype(dtype, copy=False)


class RandomNormal(RandomInitializer):
    """Normal(mean, stddev) (default stddev 0.05, as Keras)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _normal(self._generator(), _shape(shape), self.mean, self.stddev, _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal(mean, stddev) with draws beyond two stddevs redrawn (default stddev 0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _truncated_normal(self._generator(), _shape(shape), self.mean, self.stddev,
                                 _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform in [minval, maxval) (default +-0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _uniform(self._generator(), _shape(shape), self.minval, self.maxval, _dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Draws with variance scale / n, n the fan_in, fan_out or their mean.

    Args:
        scale: positive float.
        mode: 'fan_in', 'fan_out' or 'fan_avg'.
        distribution: 'truncated_normal' (stddev sqrt(scale / n) / 0.8796..., the
            standard deviation of a standard normal truncated at +-2, so the result
            has the intended variance), 'untruncated_normal', or 'uniform'
            (limit sqrt(3 * scale / n)). 'normal' means 'truncated_normal'.
        seed: None or an int.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in distributions:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}. Please use one of {distributions}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        dtype = _dtype(dtype)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        generator = self._generator()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return _truncated_normal(generator, shape, 0.0, stddev, dtype)
        if self.distribution == "untruncated_normal":
            return _normal(generator, shape, 0.0, math.sqrt(scale), dtype)
        limit = math.sqrt(3.0 * scale)
        return _uniform(generator, shape, -limit, limit, dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _variance_scaling_preset(name, scale, mode, distribution, doc):
    """A named VarianceScaling (Glorot, He, Lecun) whose config holds only its seed and axes."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(name, (VarianceScaling,), {
        "__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__,
    })


GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "Uniform in +-sqrt(6 / (fan_in + fan_out)) (Xavier uniform; Keras' default kernel initializer).")
GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Truncated normal with stddev sqrt(2 / (fan_in + fan_out)) (Xavier normal).")
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in) (Kaiming uniform).")
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    "Truncated normal with stddev sqrt(2 / fan_in) (Kaiming normal).")
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "Uniform in +-sqrt(3 / fan_in).")
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "Truncated normal with stddev sqrt(1 / fan_in) (for selu networks).")


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times `gain` (QR of a normal matrix, signs fixed as Keras).

    Shapes of rank > 2 are treated as (prod(shape[:-1]), shape[-1]); the rows
    (or columns, whichever are fewer) are orthonormal.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        dtype = _dtype(dtype)
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = xp.linalg.qr(a)
        q *= xp.sign(xp.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


# Every name get() accepts: the class names, Keras' snake_case names and its aliases.
_NAMES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "identity": Identity, "IdentityInitializer": Identity,
    "random_normal": RandomNormal, "normal": RandomNormal,
    "truncated_normal": TruncatedNormal,
    "random_uniform": RandomUniform, "uniform": RandomUniform,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal, "OrthogonalInitializer": Orthogonal,
}
for _name, _cls in _NAMES.items():
    _INITIALIZERS.add(_name, _cls)
    _INITIALIZERS.add(_cls.__name__, _cls)


def serialize(initializer):
    """{'class_name': ..., 'config': ...} as Keras writes it."""
    return {
        "module": "keras.initializers",
        "class_name": initializer.__class__.__name__,
        "config": initializer.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The initializer described by `config` (the output of `serialize`)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _INITIALIZERS.get(name)
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """An initializer from a name ('glorot_uniform', 'HeNormal', 'zeros', ...), a
    serialized config, an array (used as the value; shapes must match), or a callable.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _INITIALIZERS.get(identifier)()
    if isinstance(identifier, (Tensor, xp.ndarray, xp.generic)):
        value = identifier.data if isinstance(identifier, Tensor) else xp.asarray(identifier)

        def initialize(shape, dtype=None):
            if _shape(shape) != value.shape:
                raise ValueError(
                    f"Expected `shape` to be {value.shape} for direct tensor as initializer. "
                    f"Received shape={tuple(shape)}"
                )
            return value.astype(_dtype(dtype))

        return initialize
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")


# Keras' function-style names: keras.initializers.glorot_uniform(seed=1) and so on.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, truncated_normal, random_uniform = RandomNormal, TruncatedNormal, RandomUniform
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


__getattr__ = not_implemented("keras.initializers")
