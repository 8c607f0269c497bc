"""Layers that move elements without computing: Flatten, Reshape, Permute,
RepeatVector, zero padding, up-sampling and cropping (channels-last by default)."""
import math

from ... import ops
from ...backend import xp
from .input_spec import InputSpec
from .layer import Layer

_DATA_FORMATS = ("channels_last", "channels_first")


def standardize_data_format(data_format):
    """'channels_last' (the default, as Keras') or 'channels_first'."""
    if data_format is None:
        return "channels_last"
    data_format = str(data_format).lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: data_format={data_format}"
        )
    return data_format


def _int_pair(value, name, allow_zero=True):
    """An int or a pair of ints as a pair of non-negative ints."""
    if isinstance(value, int):
        pair = (value, value)
    else:
        try:
            pair = tuple(value)
        except TypeError:
            raise ValueError(f"The `{name}` argument must be an int or a tuple of 2 ints. "
                             f"Received: {name}={value}") from None
        if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
            raise ValueError(f"The `{name}` argument must be a tuple of 2 integers. "
                             f"Received: {name}={value}")
    low = 0 if allow_zero else 1
    if any(v < low for v in pair):
        raise ValueError(f"The `{name}` argument must be {'non-negative' if allow_zero else 'positive'}. "
                         f"Received: {name}={value}")
    return pair


def _pairs_2d(value, name):
    """int, (int, int) or ((int, int), (int, int)) as ((top, bottom), (left, right))."""
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value), (value, value))
    if hasattr(value, "__len__"):
        if len(value) != 2:
            raise ValueError(f"`{name}` should have two elements. Received: {name}={value}.")
        return (_int_pair(value[0], f"1st entry of {name}"), _int_pair(value[1], f"2nd entry of {name}"))
    raise ValueError(
        f"`{name}` should be either an int, a tuple of 2 ints (symmetric_height, symmetric_width), "
        f"or a tuple of 2 tuples of 2 ints ((top, bottom), (left, right)). Received: {name}={value}."
    )


def _spatial_axes(data_format, ndim=4):
    """The (height, width) axes of a rank-`ndim` image batch."""
    return (1, 2) if data_format == "channels_last" else (ndim - 2, ndim - 1)


# ---------------------------------------------------------------------------- resizing


def _interpolation_matrix(in_size, out_size, interpolation, dtype):
    """The (out, in) matrix M with out = M @ in along one axis, as PyTorch's
    interpolate(align_corners=False) on which Keras' torch backend resizes:
    half-pixel centres; 'nearest' is nearest-exact, 'bilinear' clamps at the edges."""
    scale = in_size / out_size
    m = xp.zeros((out_size, in_size), dtype=dtype)
    rows = xp.arange(out_size)
    if interpolation == "nearest":
        src = xp.minimum(xp.floor((rows + 0.5) * scale).astype(int), in_size - 1)
        m[rows, src] = 1
        return m
    src = xp.maximum((rows + 0.5) * scale - 0.5, 0.0)
    i0 = xp.minimum(xp.floor(src).astype(int), in_size - 1)
    i1 = xp.minimum(i0 + 1, in_size - 1)
    w1 = src - i0
    xp.add.at(m, (rows, i0), 1 - w1)
    xp.add.at(m, (rows, i1), w1)
    return m


def _resize_axis(x, axis, out_size, interpolation):
    """x resized along `axis` to `out_size` by one matrix product (differentiable)."""
    in_size = x.shape[axis]
    if in_size == out_size:
        return x
    m = _interpolation_matrix(in_size, out_size, interpolation, x.dtype)
    moved = ops.swapaxes(x, axis, -1)
    return ops.swapaxes(ops.matmul(moved, m.T), axis, -1)


def resize_images(x, size, interpolation="bilinear", data_format="channels_last"):
    """Images (N, H, W, C) (or (N, C, H, W)) resized to `size` = (height, width).

    interpolation: 'bilinear' or 'nearest', with half-pixel centres (no antialiasing),
    matching Keras' resize on its torch backend.
    """
    if interpolation not in ("bilinear", "nearest"):
        raise NotImplementedError(
            f"resize: interpolation='{interpolation}' is not implemented; use 'bilinear' or 'nearest'"
        )
    h_axis, w_axis = _spatial_axes(data_format, x.ndim)
    x = _resize_axis(x, h_axis, int(size[0]), interpolation)
    return _resize_axis(x, w_axis, int(size[1]), interpolation)


def _repeat_axis(x, axis, times):
    """Each element repeated `times` times along `axis` (nearest up-sampling)."""
    if times == 1:
        return x
    shape = x.shape
    expanded = ops.expand_dims(x, axis + 1)
    target = shape[:axis + 1] + (times,) + shape[axis + 1:]
    tiled = ops.broadcast_to(expanded, target)
    return ops.reshape(tiled, shape[:axis] + (shape[axis] * times,) + shape[axis + 1:])


# ---------------------------------------------------------------------------- layers


class Flatten(Layer):
    """Flattens every axis but the batch axis: (N, d1, ..., dk) -> (N, d1 * ... * dk).

    Args:
        data_format: 'channels_last' (default) or 'channels_first' (the channel
            axis is moved last before flattening, so the order matches).
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs, training=None):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = ops.transpose(inputs, (0, *range(2, inputs.ndim), 1))
        return ops.reshape(inputs, (inputs.shape[0], math.prod(inputs.shape[1:])))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            size = None
        else:
            size = math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


def _reshape_output(layer, input_shape, target_shape):
    """`target_shape` with its -1 resolved against `input_shape` (non-batch axes), or None if unknown."""
    if any(d is None for d in input_shape):
        return tuple(None if d == -1 else d for d in target_shape)
    size = math.prod(input_shape)
    known = math.prod(d for d in target_shape if d != -1)
    if -1 in target_shape:
        if known == 0 or size % known:
            raise ValueError(
                f'Layer "{layer.name}" (Reshape): cannot reshape an input of shape '
                f"{tuple(input_shape)} ({size} elements per sample) into target_shape="
                f"{tuple(target_shape)}: {size} is not a multiple of {known}"
            )
        return tuple(size // known if d == -1 else d for d in target_shape)
    if known != size:
        raise ValueError(
            f'Layer "{layer.name}" (Reshape): total size of the new array must be unchanged. '
            f"Received: input_shape={tuple(input_shape)} ({size} elements per sample), "
            f"target_shape={tuple(target_shape)} ({known} elements)"
        )
    return tuple(target_shape)


class Reshape(Layer):
    """Reshapes every sample to `target_shape` (the batch axis is kept).

    Args:
        target_shape: the new shape without the batch axis; one entry may be -1
            (inferred from the others).

    Example: Reshape((7, 7, 1)) turns (N, 49) into (N, 7, 7, 1).
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError(
                "There must be at most one unknown dimension (-1) in target_shape. "
                f"Received: target_shape={target_shape}"
            )
        for d in target_shape:
            if not isinstance(d, int) or (d <= 0 and d != -1):
                raise ValueError(
                    "target_shape entries must be positive integers or -1. "
                    f"Received: target_shape={target_shape}"
                )
        self.target_shape = target_shape
        self.built = True

    def call(self, inputs, training=None):
        shape = _reshape_output(self, inputs.shape[1:], self.target_shape)
        return ops.reshape(inputs, (inputs.shape[0],) + shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + _reshape_output(self, input_shape[1:], self.target_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(Layer):
    """Permutes the non-batch axes: Permute((2, 1)) swaps axes 1 and 2.

    Args:
        dims: a permutation of 1..rank-1 (the batch axis, 0, stays in place).
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in "
                f"`dims` must be consecutive and start from 1. Received dims={dims}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs, training=None):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """Repeats a (N, features) input `n` times: output (N, n, features).

    Args:
        n: positive int, the number of repetitions.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs, training=None):
        return ops.tile(ops.expand_dims(inputs, 1), (1, self.n, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class ZeroPadding2D(Layer):
    """Pads images with zero rows and columns.

    Args:
        padding: int, (symmetric_height, symmetric_width) or
            ((top, bottom), (left, right)).
        data_format: 'channels_last' (default, (N, H, W, C)) or 'channels_first'.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = _pairs_2d(padding, "padding")
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs, training=None):
        if self.data_format == "channels_first":
            widths = ((0, 0), (0, 0), *self.padding)
        else:
            widths = ((0, 0), *self.padding, (0, 0))
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for (before, after), axis in zip(self.padding, _spatial_axes(self.data_format)):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class ZeroPadding1D(Layer):
    """Pads sequences (N, steps, features) with zero steps.

    Args:
        padding: int or (before, after).
        data_format: 'channels_last' (default) or 'channels_first' ((N, features, steps)).
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.padding = _int_pair(padding, "padding")
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def call(self, inputs, training=None):
        if self.data_format == "channels_first":
            widths = ((0, 0), (0, 0), self.padding)
        else:
            widths = ((0, 0), self.padding, (0, 0))
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = 2 if self.data_format == "channels_first" else 1
        if shape[axis] is not None:
            shape[axis] += self.padding[0] + self.padding[1]
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class UpSampling2D(Layer):
    """Up-samples images by integer factors.

    Args:
        size: int or (height_factor, width_factor).
        data_format: 'channels_last' (default) or 'channels_first'.
        interpolation: 'nearest' (repeat rows and columns) or 'bilinear'
            (half-pixel centres, as Keras' resize).
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = _int_pair(size, "size", allow_zero=False)
        self.interpolation = interpolation.lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise NotImplementedError(
                f"UpSampling2D: interpolation='{interpolation}' is not implemented; "
                "use 'nearest' or 'bilinear'"
            )
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs, training=None):
        h_axis, w_axis = _spatial_axes(self.data_format)
        if self.interpolation == "nearest":
            return _repeat_axis(_repeat_axis(inputs, h_axis, self.size[0]), w_axis, self.size[1])
        size = (inputs.shape[h_axis] * self.size[0], inputs.shape[w_axis] * self.size[1])
        return resize_images(inputs, size, "bilinear", self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for factor, axis in zip(self.size, _spatial_axes(self.data_format)):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config


class UpSampling1D(Layer):
    """Repeats each step of a (N, steps, features) input `size` times.

    Args:
        size: positive int, the up-sampling factor.
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        self.size = size
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def call(self, inputs, training=None):
        return _repeat_axis(inputs, 1, self.size)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


class Cropping2D(Layer):
    """Crops images along height and width.

    Args:
        cropping: int, (symmetric_height, symmetric_width) or
            ((top, bottom), (left, right)).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.cropping = _pairs_2d(cropping, "cropping")
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def _check(self, input_shape):
        for (before, after), axis in zip(self.cropping, _spatial_axes(self.data_format)):
            if input_shape[axis] is not None and before + after >= input_shape[axis]:
                raise ValueError(
                    f'Layer "{self.name}" (Cropping2D): values in `cropping` should be smaller than '
                    f"the corresponding spatial dimension of the input. Received: "
                    f"input_shape={tuple(input_shape)}, cropping={self.cropping}"
                )

    def call(self, inputs, training=None):
        self._check(inputs.shape)
        index = [slice(None)] * 4
        for (before, after), axis in zip(self.cropping, _spatial_axes(self.data_format)):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shape = list(input_shape)
        for (before, after), axis in zip(self.cropping, _spatial_axes(self.data_format)):
            if shape[axis] is not None:
                shape[axis] -= before + after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


class Cropping1D(Layer):
    """Crops sequences (N, steps, features) along the steps axis.

    Args:
        cropping: int or (before, after) steps to remove.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _int_pair(cropping, "cropping")
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def _check(self, input_shape):
        if input_shape[1] is not None and sum(self.cropping) >= input_shape[1]:
            raise ValueError(
                f'Layer "{self.name}" (Cropping1D): `cropping` must be smaller than the input '
                f"length. Received: input_shape={tuple(input_shape)}, cropping={self.cropping}"
            )

    def call(self, inputs, training=None):
        self._check(inputs.shape)
        return inputs[:, self.cropping[0]:inputs.shape[1] - self.cropping[1], :]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        steps = None if input_shape[1] is None else input_shape[1] - sum(self.cropping)
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping
        return config
