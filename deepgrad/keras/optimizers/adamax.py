"""Adamax (Adam with the infinity norm), as Keras 3.

    m = beta_1 * m + (1 - beta_1) * g
    u = max(beta_2 * u, |g|)
    w -= lr * m / ((1 - beta_1**t) * (u + epsilon))      t = iterations + 1
"""
from ...backend import xp
from .base import Optimizer


class Adamax(Optimizer):
    """Adamax.

    Args:
        learning_rate: float or schedule (default 0.001).
        beta_1: decay of the first moment; beta_2: decay of the infinity norm.
        epsilon: added to u (default 1e-7).
        **kwargs: the base Optimizer arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def _coefficients(self, lr, step):
        b1 = float(self.beta_1)
        return lr, b1, 1.0 - b1, float(self.beta_2), float(self.epsilon), 1.0 - b1 ** (step + 1)

    def _update_step(self, g, w, i, c):
        lr, b1, one_minus_b1, b2, eps, correction = c
        m = self._m[i]
        u = self._u[i]
        m *= b1
        m += one_minus_b1 * g
        u *= b2
        xp.maximum(u, xp.abs(g), out=u)
        denominator = u + eps
        denominator *= correction
        w -= (lr * m) / denominator

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
