"""Nadam (Adam with Nesterov momentum), as Keras 3, with Dozat's momentum schedule.

    u_t = beta_1 * (1 - 0.5 * 0.96**t)            t = iterations + 1
    u_product *= u_t                              (once per step, shared by all variables)
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g / (1 - u_product)
    v_hat = v / (1 - beta_2**t)
    w -= lr * m_hat / (sqrt(v_hat) + epsilon)
"""
from ...backend import floatx, xp
from .base import Optimizer


class Nadam(Optimizer):
    """Nesterov-accelerated Adam.

    Args:
        learning_rate: float or schedule (default 0.001).
        beta_1, beta_2: decay rates of the moment estimates.
        epsilon: added to sqrt(v_hat) (default 1e-7).
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
        variables = list(variables)
        dtype = variables[0].dtype if variables else floatx()
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"]
        )
        self._u_product = self.add_variable((), initializer=1.0, dtype=dtype)

    def _coefficients(self, lr, step):
        t = step + 1
        b1, b2 = float(self.beta_1), float(self.beta_2)
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_next = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        self._u_product *= u_t
        u_product = float(self._u_product)
        return (lr, b1, 1.0 - b1, b2, 1.0 - b2, float(self.epsilon),
                u_next / (1.0 - u_product * u_next), (1.0 - u_t) / (1.0 - u_product), 1.0 - b2**t)

    def _update_step(self, g, w, i, c):
        lr, b1, one_minus_b1, b2, one_minus_b2, eps, m_scale, g_scale, v_correction = c
        m = self._momentums[i]
        v = self._velocities[i]
        m *= b1
        m += one_minus_b1 * g
        v *= b2
        v += one_minus_b2 * xp.square(g)
        m_hat = m_scale * m
        m_hat += g_scale * g
        denominator = xp.sqrt(v / v_correction)
        denominator += eps
        w -= (lr * m_hat) / denominator

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
