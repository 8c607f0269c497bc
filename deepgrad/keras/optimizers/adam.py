"""Adam and AdamW, as Keras 3 (epsilon added to sqrt(v), outside the bias correction).

    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    v_hat = max(v_hat, v)                        (amsgrad only; used in place of v)
    alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)      t = iterations + 1
    w -= alpha * m / (sqrt(v) + epsilon)

AdamW is Adam with the base class' decoupled weight decay switched on.
"""
import math

from ...backend import xp
from .base import Optimizer


class Adam(Optimizer):
    """Adaptive moment estimation.

    Args:
        learning_rate: float or schedule (default 0.001).
        beta_1, beta_2: decay rates of the first and second moment estimates.
        epsilon: added to sqrt(v) (default 1e-7, as Keras).
        amsgrad: use the running maximum of v (AMSGrad).
        **kwargs: the base Optimizer arguments (weight_decay, clipnorm, ...).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"]
        )
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def _coefficients(self, lr, step):
        t = step + 1
        b1, b2 = float(self.beta_1), float(self.beta_2)
        alpha = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        return alpha, b1, 1.0 - b1, b2, 1.0 - b2, float(self.epsilon)

    def _update_step(self, g, w, i, c):
        alpha, b1, one_minus_b1, b2, one_minus_b2, eps = c
        m = self._momentums[i]
        v = self._velocities[i]
        m *= b1
        m += one_minus_b1 * g
        v *= b2
        v += one_minus_b2 * xp.square(g)
        if self.amsgrad:
            v_hat = self._velocity_hats[i]
            xp.maximum(v_hat, v, out=v_hat)
            v = v_hat
        denominator = xp.sqrt(v)
        denominator += eps
        w -= (alpha * m) / denominator

    def _update_flat(self, g, c):
        """The rule of `_update_step` over the flat state of every variable; returns the decrease of w."""
        alpha, b1, one_minus_b1, b2, one_minus_b2, eps = c
        m = self._flat["momentum"]
        v = self._flat["velocity"]
        m *= b1
        t = one_minus_b1 * g
        m += t
        v *= b2
        xp.square(g, out=t)
        t *= one_minus_b2
        v += t
        if self.amsgrad:
            v_hat = self._flat["velocity_hat"]
            xp.maximum(v_hat, v, out=v_hat)
            v = v_hat
        xp.sqrt(v, out=t)
        t += eps
        update = alpha * m
        update /= t
        return update

    def get_config(self):
        config = super().get_config()
        config.update({
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        })
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (default weight_decay=0.004, as Keras).

    Before each Adam step: w -= w * weight_decay * lr.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
