"""RMSprop, as Keras 3 (epsilon inside the square root).

    v = rho * v + (1 - rho) * g**2
    a = rho * a + (1 - rho) * g                  (centered only)
    step = lr * g / sqrt(v - a**2 + epsilon)     (a = 0 when not centered)
    m = momentum * m + step; w -= m              (momentum > 0)
    w -= step                                    (otherwise)
"""
from ...backend import xp
from .base import Optimizer


class RMSprop(Optimizer):
    """Root-mean-square propagation.

    Args:
        learning_rate: float or schedule (default 0.001).
        rho: decay of the mean of squared gradients (default 0.9).
        momentum: momentum of the step (default 0).
        epsilon: added under the square root (default 1e-7).
        centered: divide by the estimated variance instead of the second moment.
        **kwargs: the base Optimizer arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def _coefficients(self, lr, step):
        rho = float(self.rho)
        return lr, rho, 1.0 - rho, float(self.momentum), float(self.epsilon)

    def _update_step(self, g, w, i, c):
        lr, rho, one_minus_rho, momentum, eps = c
        v = self._velocities[i]
        v *= rho
        v += one_minus_rho * xp.square(g)
        denominator = v + eps
        if self.centered:
            a = self._average_gradients[i]
            a *= rho
            a += one_minus_rho * g
            denominator -= xp.square(a)
        xp.sqrt(denominator, out=denominator)
        increment = lr * g
        increment /= denominator
        if momentum > 0:
            m = self._momentums[i]
            m *= momentum
            m += increment
            w -= m
        else:
            w -= increment

    def get_config(self):
        config = super().get_config()
        config.update({
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        })
        return config
