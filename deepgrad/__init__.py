"""deepgrad: deep learning on NumPy, with the Keras API."""
from . import ops
from .gradcheck import GradcheckError, gradcheck
from .tape import GradientTape
from .tensor import Tensor, enable_grad, is_grad_enabled, no_grad
from .variable import Variable

__version__ = "0.1.0"
