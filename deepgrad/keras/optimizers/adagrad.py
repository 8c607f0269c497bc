"""Adagrad, as Keras 3 (accumulator starts at 0.1, epsilon inside the square root).

    acc += g**2
    w -= lr * g / sqrt(acc + epsilon)
"""
from ...backend import xp
from .base import Optimizer


class Adagrad(Optimizer):
    """Adaptive gradient.

    Args:
        learning_rate: float or schedule (default 0.001).
        initial_accumulator_value: starting value of the sum of squares (default 0.1).
        epsilon: added under the square root (default 1e-7).
        **kwargs: the base Optimizer arguments.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator", initializer=float(self.initial_accumulator_value)
        )

    def _coefficients(self, lr, step):
        return lr, float(self.epsilon)

    def _update_step(self, g, w, i, c):
        lr, eps = c
        accumulator = self._accumulators[i]
        accumulator += xp.square(g)
        denominator = accumulator + eps
        xp.sqrt(denominator, out=denominator)
        w -= (lr * g) / denominator

    def get_config(self):
        config = super().get_config()
        config.update({
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        })
        return config
