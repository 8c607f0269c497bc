"""Convolution layers: Conv2D, Conv1D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Each layer owns a kernel in Keras' layout and an optional bias, and computes

    outputs = activation(conv(inputs, kernel) + bias)

with the convolution ops of deepgrad.ops.conv (channels-last, TensorFlow's
'same' padding). Weights are created and named as in Keras 3 (`kernel`, then
`bias`; `depthwise_kernel`, `pointwise_kernel`, `bias` for SeparableConv2D), so
`layer.set_weights(keras_layer.get_weights())` copies a Keras layer.

Output sizes along each spatial axis of length n, kernel k, stride s,
dilation d (window w = (k - 1) d + 1):
    'valid':           (n - w) // s + 1
    'same', 'causal':  ceil(n / s)
    transposed:        n s + max(w - s, 0) ('valid'), n s ('same'), or with
                       output_padding p: (n - 1) s + w - 2 (w // 2 if 'same' else 0) + p

Conv2D with a ReLU or no activation (and groups=1) runs as one fused op,
ops.conv.conv2d_bias_act: the bias is added inside the convolution's matrix
product, the ReLU applied in place block by block while the output is in cache,
and the backward masks the gradient once by the output's sign. Measured with
one thread against the conv2d, add and relu ops: the MNIST CNN's second
convolution forward 3.16 -> 2.72 ms (batch 64), its first 1.07 -> 0.55 ms, and
the whole MNIST CNN training step 18.4 -> 16.1 ms. Other activations, groups,
other input dtypes and the other convolution layers keep the separate ops.

Conv2D and Conv1D have Keras' public `convolution_op(inputs, kernel)` (the
convolution alone, groups read from the kernel's shape). Conv2D.call computes
`activation(self.convolution_op(inputs, self.kernel) + bias)`, so a subclass that
overrides it (weight standardization: standardize the kernel, then
`super().convolution_op(inputs, kernel)`) changes the layer; the fused path is
taken only when convolution_op is not overridden. As in Keras 3.15, Conv1D.call
does not go through convolution_op.
"""
from ... import ops
from ...ops import conv as conv_ops
from .. import activations
from .. import constraints
from .. import initializers
from .. import regularizers
from .core import serialize_activation
from .input_spec import InputSpec
from .layer import Layer


def _serialize(module, obj):
    """`module.serialize(obj)`, None passing through."""
    return None if obj is None else module.serialize(obj)


def standardize_tuple(value, n, name, allow_zero=False):
    """An int or `n` ints as a tuple of `n` ints, each positive (or >= 0 with allow_zero)."""
    message = f"The `{name}` argument must be an int or a tuple of {n} integers. Received: {name}={value!r}"
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, int):
        result = (value,) * n
    else:
        try:
            result = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(result) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in result):
            raise ValueError(message)
        result = tuple(int(v) for v in result)
    low = 0 if allow_zero else 1
    if any(v < low for v in result):
        raise ValueError(f"{message}: every value must be {'>= 0' if allow_zero else '> 0'}")
    return result


def standardize_padding(value, allow_causal=False):
    """'valid', 'same' (or 'causal' for 1-D layers), case-insensitive."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"The `padding` argument must be one of {', '.join(repr(a) for a in allowed)}. "
            f"Received: padding={value!r}"
        )
    return padding


def check_data_format(data_format, layer_name):
    """'channels_last' for None or 'channels_last'; a clear error otherwise."""
    if data_format is None or str(data_format).lower() == "channels_last":
        return "channels_last"
    if str(data_format).lower() == "channels_first":
        raise ValueError(
            f"{layer_name}: deepgrad supports only data_format='channels_last' (inputs shaped "
            "(batch, ..., channels), as Keras' default). Transpose channels-first data, e.g. "
            "x.transpose(0, 2, 3, 1) for (N, C, H, W) images. Received: data_format='channels_first'"
        )
    raise ValueError(
        "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
        f"Received: data_format={data_format!r}"
    )


def conv_output_length(size, kernel, stride, padding, dilation):
    """Length of a convolution's output along one axis (None stays None)."""
    if size is None:
        return None
    window = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (size - window) // stride + 1
    return (size - 1) // stride + 1


class _BaseConv(Layer):
    """What every convolution layer shares: arguments, bias + activation, shape checks.

    Subclasses set `rank` (the number of spatial axes), call `_init_common` from
    __init__, create their weights in build(), and define `_out_channels`
    (and `_spatial_output` when it is not a plain convolution's).
    """

    rank = 2
    allow_causal = False

    def _init_common(self, kernel_size, strides, padding, data_format, dilation_rate, activation,
                     use_bias, bias_initializer, bias_regularizer, bias_constraint):
        name = type(self).__name__
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = standardize_tuple(strides, self.rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=self.allow_causal)
        self.data_format = check_data_format(data_format, name)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.bias = None
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{name}: `strides > 1` is not supported together with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )

    def _input_channels(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) needs a known channel axis (the last) '
                f"to create its kernel. Received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        return channels

    def _add_bias(self, channels):
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(channels,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )

    def _finish(self, outputs):
        """outputs + bias, then the activation."""
        if self.bias is not None:
            outputs = outputs + self.bias
        if self.activation is not activations.linear:
            outputs = self.activation(outputs)
        return outputs

    def _spatial_output(self, sizes):
        return tuple(
            conv_output_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(sizes, self.kernel_size, self.strides, self.dilation_rate)
        )

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) expects inputs of rank {self.rank + 2} '
                f"(batch, {'length' if self.rank == 1 else 'height, width'}, channels). "
                f"Received: input_shape={input_shape}"
            )
        spatial = self._spatial_output(input_shape[1:-1])
        if any(n is not None and n < 1 for n in spatial):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): the computed output size would be '
                f"zero or negative. Received: input_shape={input_shape}, kernel_size={self.kernel_size}, "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}, padding={self.padding!r}"
            )
        return (input_shape[0],) + spatial + (self._out_channels(input_shape[-1]),)

    def _config(self, head, **extra):
        """Keras' config, in Keras' key order: base keys, `head`, the window arguments,
        activation, use_bias, then `extra` (initializers, regularizers, constraints)."""
        config = super().get_config()
        config.update(head)
        config.update({"kernel_size": self.kernel_size, "strides": self.strides, "padding": self.padding})
        if isinstance(self, Conv2DTranspose):
            config["output_padding"] = self.output_padding
        config.update({
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        })
        if isinstance(self, _Conv):
            config["groups"] = self.groups
        config.update({"activation": serialize_activation(self.activation), "use_bias": self.use_bias})
        for key, (module, value) in extra.items():
            config[key] = _serialize(module, value)
        return config

    def _kernel_config(self):
        """The initializer, regularizer and constraint entries of a layer with `kernel` and `bias`."""
        return dict(
            kernel_initializer=(initializers, self.kernel_initializer),
            bias_initializer=(initializers, self.bias_initializer),
            kernel_regularizer=(regularizers, self.kernel_regularizer),
            bias_regularizer=(regularizers, self.bias_regularizer),
            activity_regularizer=(regularizers, self.activity_regularizer),
            kernel_constraint=(constraints, self.kernel_constraint),
            bias_constraint=(constraints, self.bias_constraint),
        )


class _Conv(_BaseConv):
    """Conv1D and Conv2D: kernel (*kernel_size, channels // groups, filters)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{name}: `filters` must be a positive int. Received: filters={filters!r}")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{name}: `groups` must be a positive int. Received: groups={groups!r}")
        if filters % groups:
            raise ValueError(
                f"{name}: the number of filters must be divisible by the number of groups. "
                f"Received: groups={groups}, filters={filters}"
            )
        self.filters = filters
        self.groups = groups
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate, activation,
                          use_bias, bias_initializer, bias_regularizer, bias_constraint)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f'Layer "{self.name}": the number of input channels must be divisible by the number '
                f"of groups. Received: groups={self.groups}, input_shape={tuple(input_shape)}"
            )
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias(self.filters)
        self.built = True

    def _out_channels(self, channels):
        return self.filters

    def _conv_once(self, inputs, kernel):
        raise NotImplementedError

    def convolution_op(self, inputs, kernel):
        """The convolution of `inputs` with `kernel`, before the bias and the activation.

        Keras' public hook: call() computes `self.convolution_op(inputs, self.kernel)`, so a
        subclass may transform the kernel first (e.g. weight standardization) and return
        `super().convolution_op(inputs, new_kernel)`. The number of groups is read from the
        kernel as Keras' ops.conv does: input channels // kernel.shape[-2].
        """
        groups = inputs.shape[-1] // kernel.shape[-2]
        if groups == 1:
            return self._conv_once(inputs, kernel)
        # Group g sees input channels [g*C/G, (g+1)*C/G) and makes filters [g*F/G, (g+1)*F/G).
        cin = kernel.shape[-2]
        fout = kernel.shape[-1] // groups
        return ops.concat([
            self._conv_once(inputs[..., g * cin:(g + 1) * cin], kernel[..., g * fout:(g + 1) * fout])
            for g in range(groups)
        ], axis=-1)

    def call(self, inputs, training=None):
        overridden = type(self).convolution_op is not _Conv.convolution_op
        if self.groups == 1 and self.rank == 2 and not overridden:
            fused = activations.fused_name(self.activation, "conv2d_bias_act")
            if fused is not None and inputs.dtype == self.kernel.dtype:
                return conv_ops.conv2d_bias_act(inputs, self.kernel, self.bias, self.strides, self.padding,
                                                self.dilation_rate, activation=fused)
        return self._finish(self.convolution_op(inputs, self.kernel))

    def get_config(self):
        return self._config({"filters": self.filters}, **self._kernel_config())


class Conv2D(_Conv):
    """2-D convolution (cross-correlation) over images, channels last.

    Args:
        filters: number of output channels.
        kernel_size: int or pair, the window's (height, width).
        strides: int or pair. `strides > 1` excludes `dilation_rate > 1`.
        padding: 'valid' (no padding) or 'same' (output size ceil(n / stride),
            TensorFlow's split: the extra row/column at the bottom/right).
        data_format: 'channels_last' (or None); 'channels_first' is not supported.
        dilation_rate: int or pair, the spacing between kernel taps.
        groups: split the channels into this many independent convolutions.
        activation: activation function or name (None: linear).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as for Dense.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, new_height, new_width, filters).
    Weights: `kernel` (kh, kw, channels // groups, filters), then `bias` (filters,).

    `convolution_op(inputs, kernel)` is the convolution that call() uses; override it
    to transform the kernel first, as in Keras.

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(28, 28, 1))
        >>> Conv2D(32, 3, activation="relu")(x).shape
        (None, 26, 26, 32)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint,
                         **kwargs)

    def _conv_once(self, inputs, kernel):
        return conv_ops.conv2d(inputs, kernel, self.strides, self.padding, self.dilation_rate)


class Conv1D(_Conv):
    """1-D convolution over sequences, channels last.

    Args:
        filters, kernel_size (int), strides (int), dilation_rate (int), groups,
        activation, use_bias, initializers, regularizers, constraints: as Conv2D.
        padding: 'valid', 'same' or 'causal' (left padding of (kernel_size - 1) *
            dilation_rate, so output step t sees input steps <= t only).

    Input shape: (batch, steps, channels). Output shape: (batch, new_steps, filters).
    Weights: `kernel` (kernel_size, channels // groups, filters), then `bias` (filters,).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(100, 8))
        >>> Conv1D(16, 5, padding="causal")(x).shape
        (None, 100, 16)
    """

    rank = 1
    allow_causal = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint,
                         **kwargs)

    def _conv_once(self, inputs, kernel):
        return conv_ops.conv1d(inputs, kernel, self.strides[0], self.padding, self.dilation_rate[0])

    def call(self, inputs, training=None):
        # As Keras 3.15's Conv1D.call: the convolution itself, not self.convolution_op (which
        # Conv1D still offers), so overriding convolution_op changes only Conv2D's results.
        return self._finish(_Conv.convolution_op(self, inputs, self.kernel))


class Conv2DTranspose(_BaseConv):
    """Transposed 2-D convolution ("deconvolution"): the gradient of Conv2D with
    respect to its input, used to upsample.

    Args:
        filters: number of output channels.
        kernel_size, strides, padding, dilation_rate, activation, use_bias,
        initializers, regularizers, constraints: as Conv2D.
        output_padding: None, int or pair, each below its stride: the extra rows /
            columns of the output (bottom/right). None infers the size.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, new_height, new_width, filters), new_height = height * stride
    for 'same' without output_padding (see the module docstring).
    Weights: `kernel` (kh, kw, filters, channels) (note the order), then `bias` (filters,).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(7, 7, 64))
        >>> Conv2DTranspose(32, 3, strides=2, padding="same")(x).shape
        (None, 14, 14, 32)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{name}: `filters` must be a positive int. Received: filters={filters!r}")
        self.filters = filters
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate, activation,
                          use_bias, bias_initializer, bias_regularizer, bias_constraint)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = standardize_tuple(output_padding, self.rank, "output_padding", allow_zero=True)
            for axis, (p, s) in enumerate(zip(self.output_padding, self.strides)):
                if p >= s:
                    raise ValueError(
                        f"{name}: `output_padding` must be strictly less than `strides` on every axis; "
                        f"on axis {axis} it is {p} with stride {s}. "
                        f"Received: output_padding={self.output_padding}, strides={self.strides}"
                    )
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias(self.filters)
        self.built = True

    def _out_channels(self, channels):
        return self.filters

    def _spatial_output(self, sizes):
        padding = self.output_padding or (None,) * self.rank
        return tuple(
            None if n is None else conv_ops.deconv_output_length(n, (k - 1) * d + 1, self.padding, p, s)
            for n, k, s, d, p in zip(sizes, self.kernel_size, self.strides, self.dilation_rate, padding)
        )

    def call(self, inputs, training=None):
        outputs = conv_ops.conv2d_transpose(
            inputs, self.kernel, self.strides, self.padding, self.output_padding, self.dilation_rate
        )
        return self._finish(outputs)

    def get_config(self):
        return self._config({"filters": self.filters}, **self._kernel_config())


class DepthwiseConv2D(_BaseConv):
    """Depthwise 2-D convolution: each input channel convolved on its own with
    `depth_multiplier` kernels, giving channels * depth_multiplier outputs.

    Args:
        kernel_size, strides, padding, dilation_rate, activation, use_bias: as Conv2D.
        depth_multiplier: outputs per input channel.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: of the kernel.
        bias_initializer, bias_regularizer, bias_constraint, activity_regularizer: as Conv2D.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, new_height, new_width, channels * depth_multiplier); output
    channel c * depth_multiplier + m comes from input channel c.
    Weights: `kernel` (kh, kw, channels, depth_multiplier), then `bias` (channels * depth_multiplier,).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(32, 32, 3))
        >>> DepthwiseConv2D(3, depth_multiplier=2, padding="same")(x).shape
        (None, 32, 32, 6)
    """

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(
                f"{type(self).__name__}: `depth_multiplier` must be a positive int. "
                f"Received: depth_multiplier={depth_multiplier!r}"
            )
        self.depth_multiplier = depth_multiplier
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate, activation,
                          use_bias, bias_initializer, bias_regularizer, bias_constraint)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self._add_bias(channels * self.depth_multiplier)
        self.built = True

    def _out_channels(self, channels):
        return None if channels is None else channels * self.depth_multiplier

    def call(self, inputs, training=None):
        outputs = conv_ops.depthwise_conv2d(inputs, self.kernel, self.strides, self.padding, self.dilation_rate)
        return self._finish(outputs)

    def get_config(self):
        return self._config(
            {"depth_multiplier": self.depth_multiplier},
            depthwise_initializer=(initializers, self.depthwise_initializer),
            bias_initializer=(initializers, self.bias_initializer),
            depthwise_regularizer=(regularizers, self.depthwise_regularizer),
            bias_regularizer=(regularizers, self.bias_regularizer),
            activity_regularizer=(regularizers, self.activity_regularizer),
            depthwise_constraint=(constraints, self.depthwise_constraint),
            bias_constraint=(constraints, self.bias_constraint),
        )


class SeparableConv2D(_BaseConv):
    """Depthwise-separable 2-D convolution: a depthwise convolution (strides,
    padding and dilation apply here) followed by a 1x1 pointwise convolution.

    Args:
        filters: number of output channels.
        kernel_size, strides, padding, dilation_rate, depth_multiplier, activation,
        use_bias: as Conv2D and DepthwiseConv2D.
        depthwise_*, pointwise_*: initializer, regularizer and constraint of each kernel.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, new_height, new_width, filters).
    Weights: `depthwise_kernel` (kh, kw, channels, depth_multiplier), `pointwise_kernel`
    (1, 1, channels * depth_multiplier, filters), then `bias` (filters,).

    Example:
        >>> x = deepgrad.keras.layers.Input(shape=(32, 32, 3))
        >>> SeparableConv2D(16, 3, padding="same")(x).shape
        (None, 32, 32, 16)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{name}: `filters` must be a positive int. Received: filters={filters!r}")
        if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(
                f"{name}: `depth_multiplier` must be a positive int. Received: depth_multiplier={depth_multiplier!r}"
            )
        self.filters = filters
        self.depth_multiplier = depth_multiplier
        self._init_common(kernel_size, strides, padding, data_format, dilation_rate, activation,
                          use_bias, bias_initializer, bias_regularizer, bias_constraint)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._add_bias(self.filters)
        self.built = True

    def _out_channels(self, channels):
        return self.filters

    def call(self, inputs, training=None):
        depthwise = conv_ops.depthwise_conv2d(
            inputs, self.depthwise_kernel, self.strides, self.padding, self.dilation_rate
        )
        return self._finish(conv_ops.conv2d(depthwise, self.pointwise_kernel))

    def get_config(self):
        return self._config(
            {"depth_multiplier": self.depth_multiplier, "filters": self.filters},
            depthwise_initializer=(initializers, self.depthwise_initializer),
            pointwise_initializer=(initializers, self.pointwise_initializer),
            bias_initializer=(initializers, self.bias_initializer),
            depthwise_regularizer=(regularizers, self.depthwise_regularizer),
            pointwise_regularizer=(regularizers, self.pointwise_regularizer),
            bias_regularizer=(regularizers, self.bias_regularizer),
            activity_regularizer=(regularizers, self.activity_regularizer),
            depthwise_constraint=(constraints, self.depthwise_constraint),
            pointwise_constraint=(constraints, self.pointwise_constraint),
            bias_constraint=(constraints, self.bias_constraint),
        )


Convolution2D = Conv2D
Convolution1D = Conv1D
SeparableConvolution2D = SeparableConv2D
