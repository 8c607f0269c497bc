"""Input and InputLayer: the entry points of functional and Sequential models."""
from ...backend import floatx
from .keras_tensor import KerasTensor, Node
from .layer import Layer, standardize_shape


class InputLayer(Layer):
    """A layer that holds the input placeholder of a model.

    Args:
        shape: input shape without the batch axis, e.g. (28, 28, 1).
        batch_size: optional fixed batch size.
        dtype: input dtype (float32 by default; 'int32' for token ids).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_shape=None,
                 input_shape=None, batch_input_shape=None, sparse=None, ragged=None, optional=False,
                 input_tensor=None, **kwargs):
        if sparse or ragged:
            raise NotImplementedError(
                f"deepgrad does not implement {'sparse' if sparse else 'ragged'} inputs "
                f"(InputLayer '{name}'): feed dense arrays instead"
            )
        if input_tensor is not None or optional:
            raise NotImplementedError(
                f"deepgrad does not implement InputLayer({'input_tensor' if input_tensor is not None else 'optional'}=...)"
            )
        shape = shape if shape is not None else input_shape
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer needs shape= (the input shape without the batch axis)")
            batch_shape = (batch_size,) + standardize_shape(shape)
        super().__init__(name=name, dtype=dtype or floatx(), **kwargs)
        self._batch_input_shape = standardize_shape(batch_shape)
        self.built = True
        node = Node(self, [])
        node.outputs = KerasTensor(self._batch_input_shape, self.dtype, node, 0, name=self.name)
        self._inbound_nodes.append(node)

    @property
    def batch_shape(self):
        return self._batch_input_shape

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {"batch_shape": self._batch_input_shape, "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None, sparse=None, tensor=None):
    """A symbolic input: `x = Input(shape=(28, 28))` then `y = Dense(10)(x)`."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name, batch_shape=batch_shape,
                       sparse=sparse, input_tensor=tensor)
    return layer.output
