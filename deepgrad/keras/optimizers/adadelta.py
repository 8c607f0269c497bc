"""Adadelta, as Keras 3 (rho=0.95, learning_rate=0.001 by default).

    acc_g = rho * acc_g + (1 - rho) * g**2
    delta = -sqrt(acc_d + epsilon) * g / sqrt(acc_g + epsilon)
    acc_d = rho * acc_d + (1 - rho) * delta**2
    w += lr * delta
"""
from ...backend import xp
from .base import Optimizer


class Adadelta(Optimizer):
    """Adadelta.

    Args:
        learning_rate: float or schedule (default 0.001; the original paper uses 1.0).
        rho: decay of both running averages (default 0.95).
        epsilon: added under the square roots (default 1e-7).
        **kwargs: the base Optimizer arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"]
        )

    def _coefficients(self, lr, step):
        rho = float(self.rho)
        return lr, rho, 1.0 - rho, float(self.epsilon)

    def _update_step(self, g, w, i, c):
        lr, rho, one_minus_rho, eps = c
        acc_g = self._accumulated_grads[i]
        acc_d = self._accumulated_delta_vars[i]
        acc_g *= rho
        acc_g += one_minus_rho * xp.square(g)
        delta = xp.sqrt(acc_d + eps)
        delta *= g
        delta /= xp.sqrt(acc_g + eps)
        xp.negative(delta, out=delta)
        acc_d *= rho
        acc_d += one_minus_rho * xp.square(delta)
        delta *= lr
        w += delta

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
