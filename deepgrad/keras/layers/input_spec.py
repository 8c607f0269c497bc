"""InputSpec: what a layer accepts, checked before every call with a clear error."""
from .keras_tensor import flatten_structure


class InputSpec:
    """Constraints on one input: ndim, min_ndim, max_ndim, and fixed sizes of some axes."""

    def __init__(self, ndim=None, min_ndim=None, max_ndim=None, axes=None, shape=None, dtype=None):
        self.ndim = len(shape) if shape is not None else ndim
        self.min_ndim = min_ndim
        self.max_ndim = max_ndim
        self.axes = dict(axes or {})
        self.shape = tuple(shape) if shape is not None else None
        self.dtype = dtype


def _hint(layer, spec, ndim):
    name = type(layer).__name__
    if spec.ndim == 2 and ndim > 2:
        return " A Flatten layer (or GlobalAveragePooling) is probably missing before it."
    if spec.ndim == 4 and ndim == 3 and name.startswith("Conv"):
        return " Images need a channel axis: reshape (N, H, W) to (N, H, W, 1), e.g. x[..., None]."
    return ""


def check_input_spec(layer, inputs):
    """Raise ValueError naming the layer, the expectation and the received shape."""
    specs = layer.input_spec if isinstance(layer.input_spec, (list, tuple)) else [layer.input_spec]
    tensors = flatten_structure(inputs)
    for i, (spec, x) in enumerate(zip(specs, tensors)):
        if spec is None:
            continue
        shape = tuple(x.shape)
        ndim = len(shape)
        prefix = f'Input {i} of layer "{layer.name}" is incompatible with the layer: '
        if spec.ndim is not None and ndim != spec.ndim:
            raise ValueError(
                prefix + f"expected ndim={spec.ndim}, found ndim={ndim}. Full shape received: {shape}."
                + _hint(layer, spec, ndim)
            )
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(
                prefix + f"expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full shape received: {shape}."
                + _hint(layer, spec, ndim)
            )
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(
                prefix + f"expected max_ndim={spec.max_ndim}, found ndim={ndim}. Full shape received: {shape}."
            )
        for axis, size in spec.axes.items():
            actual = shape[axis] if -ndim <= axis < ndim else None
            if size is not None and actual is not None and actual != size:
                raise ValueError(
                    prefix + f"expected axis {axis} of input shape to have value {size}, "
                    f"but received input with shape {shape}"
                )
        if spec.shape is not None:
            for expected, actual in zip(spec.shape[1:], shape[1:]):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError(
                        prefix + f"expected shape={spec.shape}, found shape={shape}"
                    )
