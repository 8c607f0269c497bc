"""SGD, with optional (Nesterov) momentum, as Keras 3.

    no momentum:  w -= lr * g
    momentum:     m = momentum * m - lr * g
                  w += m                          (plain)
                  w += momentum * m - lr * g      (nesterov)
"""
from .base import Optimizer


class SGD(Optimizer):
    """Gradient descent with momentum.

    Args:
        learning_rate: float or schedule (default 0.01).
        momentum: float in [0, 1] (default 0: plain gradient descent).
        nesterov: use Nesterov momentum.
        **kwargs: the base Optimizer arguments (weight_decay, clipnorm, ...).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _coefficients(self, lr, step):
        return lr, self.momentum, self.nesterov

    def _update_step(self, g, w, i, c):
        lr, momentum, nesterov = c
        step = lr * g
        if momentum == 0:
            w -= step
            return
        m = self.momentums[i]
        m *= momentum
        m -= step
        if nesterov:
            w -= step
            w += momentum * m
        else:
            w += m

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
