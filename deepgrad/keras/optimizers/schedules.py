"""Learning-rate schedules: the learning rate as a function of the optimizer step.

An optimizer given a schedule evaluates it at its `iterations` count before
every update. Each schedule follows Keras 3's formula exactly; values are
computed in double precision and rounded to float32 (Keras computes in
float32 throughout, so the two agree to float32 rounding).

    lr = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.96)
    lr(250)   # 0.1 * 0.96 ** 2.5

Steps and rates may be numbers, NumPy scalars or 0-d Tensors (anything float() takes).
"""
import math

from ...backend import xp
from ..registry import Registry

_SCHEDULES = Registry("learning rate schedule")


def _f32(x):
    """`x` rounded to float32, as a Python float (Keras keeps schedule values in float32)."""
    return float(xp.float32(x))


def _check_decay_steps(decay_steps, name="decay_steps"):
    if decay_steps <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={decay_steps}")


class LearningRateSchedule:
    """Base class: subclasses define `__call__(step) -> float` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' must override `get_config()` "
            "in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@_SCHEDULES.register("ExponentialDecay")
class ExponentialDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps over which the rate is multiplied by `decay_rate` once.
        decay_rate: the factor per `decay_steps`.
        staircase: decay in discrete jumps (floor(step / decay_steps)).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return _f32(float(self.initial_learning_rate) * float(self.decay_rate) ** p)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@_SCHEDULES.register("PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
    values[-1] once step > boundaries[-1].

    Args:
        boundaries: increasing step numbers, one fewer than `values`.
        values: the rate in each interval.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, "
                f"and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = float(step)
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return _f32(float(value))
        return _f32(float(self.values[-1]))

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@_SCHEDULES.register("PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """lr(step) = (initial - end) * (1 - step / decay_steps) ** power + end.

    Args:
        initial_learning_rate, end_learning_rate: the rates at step 0 and at `decay_steps`.
        decay_steps: steps to reach `end_learning_rate`.
        power: the exponent of the polynomial (1.0: linear).
        cycle: past `decay_steps`, restart with decay_steps stretched to the next
            multiple of itself above `step`; otherwise stay at `end_learning_rate`.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = float(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiplier = 1.0 if step == 0 else math.ceil(step / decay_steps)
            decay_steps *= multiplier
        else:
            step = min(step, decay_steps)
        initial, end = float(self.initial_learning_rate), float(self.end_learning_rate)
        return _f32((initial - end) * (1.0 - step / decay_steps) ** self.power + end)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


@_SCHEDULES.register("InverseTimeDecay")
class InverseTimeDecay(LearningRateSchedule):
    """lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps).

    Args:
        staircase: use floor(step / decay_steps).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return _f32(float(self.initial_learning_rate) / (1.0 + float(self.decay_rate) * p))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@_SCHEDULES.register("CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then a half cosine from the peak rate down to alpha * peak.

    Without warmup (warmup_target=None):
        lr(step) = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)
    With warmup: rises linearly from initial_learning_rate to warmup_target over
    warmup_steps, then decays from warmup_target as above over decay_steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, peak):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return peak * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = float(step)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return _f32(self._decay(min(step, float(self.decay_steps)), initial))
        target = float(self.warmup_target)
        step = min(step, float(self.decay_steps + self.warmup_steps))
        if step < self.warmup_steps:
            return _f32((target - initial) * step / self.warmup_steps + initial)
        return _f32(self._decay(step - self.warmup_steps, target))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


@_SCHEDULES.register("CosineDecayRestarts")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): each period is t_mul times the previous
    one and starts from m_mul times the previous peak.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        _check_decay_steps(first_decay_steps, "first_decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        fraction = float(step) / self.first_decay_steps
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul ** restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul ** restart
        cosine = 0.5 * self._m_mul ** restart * (1.0 + math.cos(math.pi * fraction))
        return _f32(float(self.initial_learning_rate) * ((1.0 - self.alpha) * cosine + self.alpha))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def serialize(schedule):
    """{'class_name': ..., 'config': ...} as Keras writes it."""
    return {
        "module": "keras.optimizers.schedules",
        "class_name": schedule.__class__.__name__,
        "config": schedule.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The schedule described by `config` (the output of `serialize`)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _SCHEDULES.get(name)
    return cls.from_config(dict(config["config"]))
