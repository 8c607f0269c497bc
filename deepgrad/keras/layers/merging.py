"""Merge layers: they take a list of tensors and return one.

Add, Subtract, Multiply, Average, Maximum and Minimum combine elementwise
(shapes broadcast as in NumPy over the non-batch axes; a lower-rank input gets
size-1 axes after its batch axis). Concatenate joins along an axis; Dot takes
dot products of samples. Each has a functional form: add([a, b]) is
Add()([a, b]).
"""
from ... import ops
from ...backend import xp
from ...ops import nn
from .layer import Layer


def _mask_list(mask):
    """The masks given to a merge layer as boolean arrays (None entries kept), or None."""
    if mask is None or not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
        return None
    return [None if m is None else xp.asarray(getattr(m, "data", m), dtype=bool) for m in mask]


def _describe(shapes):
    return ", ".join(str(tuple(s)) for s in shapes)


class Merge(Layer):
    """Base of the elementwise merge layers."""

    _min_inputs = 1
    _max_inputs = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """Keras 3: the logical or of the inputs' masks; None unless every input has one."""
        masks = _mask_list(mask)
        if masks is None or any(m is None for m in masks):
            return None
        out = masks[0]
        for m in masks[1:]:
            out = xp.logical_or(out, m)
        return out

    def _error(self, message, shapes):
        return ValueError(
            f'Layer "{self.name}" ({type(self).__name__}): {message}. '
            f"Received input shapes: {_describe(shapes)}"
        )

    def _check_list(self, input_shape):
        """The input shapes as a list, or a ValueError if the layer was not given a list."""
        if (not isinstance(input_shape, (list, tuple)) or not input_shape
                or not all(isinstance(s, (list, tuple)) for s in input_shape)):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): a merge layer should be called on a '
                f"list of inputs. Received: input_shape={input_shape}"
            )
        shapes = [tuple(s) for s in input_shape]
        n = len(shapes)
        if n < self._min_inputs or (self._max_inputs is not None and n > self._max_inputs):
            if self._min_inputs == self._max_inputs:
                expected = f"exactly {self._min_inputs}"
            else:
                expected = f"at least {self._min_inputs}"
            raise self._error(f"expects {expected} inputs, got {n}", shapes)
        return shapes

    def _check_batch(self, shapes):
        batch_sizes = {s[0] for s in shapes if s} - {None}
        if len(batch_sizes) > 1:
            raise self._error("cannot merge tensors with different batch sizes", shapes)

    def _merged_shape(self, input_shape):
        """The broadcast output shape of the inputs, with checks."""
        shapes = self._check_list(input_shape)
        self._check_batch(shapes)
        out = list(shapes[0][1:])
        for s in shapes[1:]:
            a, b = out, list(s[1:])
            if len(a) < len(b):
                a, b = b, a
            merged = a[:len(a) - len(b)]
            for i, j in zip(a[len(a) - len(b):], b):
                if i is None or j is None:
                    merged.append(None)
                elif i == 1:
                    merged.append(j)
                elif j == 1 or i == j:
                    merged.append(i)
                else:
                    raise self._error("inputs have incompatible shapes", shapes)
            out = merged
        batch = {s[0] for s in shapes} - {None}
        return (batch.pop() if batch else None,) + tuple(out)

    def build(self, input_shape):
        self._merged_shape(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        self._merged_shape([t.shape for t in self._as_list(inputs)])
        inputs = list(inputs)
        rank = max(t.ndim for t in inputs)
        for i, x in enumerate(inputs):
            while x.ndim < rank:
                x = ops.expand_dims(x, 1)
            inputs[i] = x
        return self._merge_function(inputs)

    def _as_list(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): a merge layer should be called on a '
                f"list of inputs. Received: inputs of shape {getattr(inputs, 'shape', None)}"
            )
        return inputs

    def _merge_function(self, inputs):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return self._merged_shape(input_shape)


class Add(Merge):
    """Elementwise sum of the inputs (of the same shape, or broadcastable).

    Example: Add()([x1, x2]) == x1 + x2.
    """

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(Merge):
    """Difference of exactly two inputs: Subtract()([a, b]) == a - b."""

    _min_inputs = 2
    _max_inputs = 2

    def _merge_function(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(Merge):
    """Elementwise product of the inputs."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(Merge):
    """Elementwise mean of the inputs."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


class Maximum(Merge):
    """Elementwise maximum of the inputs."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(Merge):
    """Elementwise minimum of the inputs."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


class Concatenate(Merge):
    """Joins the inputs along `axis`; all other axes must match.

    Args:
        axis: the concatenation axis (default -1, the features).

    Example: Concatenate()([a, b]) with a (N, 3), b (N, 4) gives (N, 7).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _concat_shape(self, input_shape):
        shapes = self._check_list(input_shape)
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise self._error(
                "a Concatenate layer requires inputs with matching shapes except for the "
                f"concatenation axis {self.axis}, but the ranks differ", shapes)
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise self._error(f"axis {self.axis} is out of range for inputs of rank {rank}", shapes)
        axis = self.axis % rank
        out = list(shapes[0])
        for i in range(rank):
            dims = [s[i] for s in shapes]
            if i == axis:
                out[i] = None if any(d is None for d in dims) else sum(dims)
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise self._error(
                    "a Concatenate layer requires inputs with matching shapes except for the "
                    f"concatenation axis {self.axis}, but axis {i} differs", shapes)
            out[i] = known.pop() if known else None
        return tuple(out)

    def build(self, input_shape):
        self._concat_shape(input_shape)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        """Keras 3: each input's mask (all true where it has none) widened to the input's
        shape, joined along the axis, then reduced with `any` over the last axis."""
        masks = _mask_list(mask)
        if masks is None:
            return None
        full = []
        for x, m in zip(inputs, masks):
            shape = tuple(x.shape)
            if m is None:
                m = xp.ones(shape, dtype=bool)
            elif m.ndim < len(shape):
                m = xp.broadcast_to(m[..., None], shape)
            full.append(m)
        return xp.any(xp.concatenate(full, axis=self.axis), axis=-1)

    def call(self, inputs, training=None):
        inputs = self._as_list(inputs)
        self._concat_shape([t.shape for t in inputs])
        return ops.concat(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        return self._concat_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _batch_dot(x, y, axes):
    """Keras' batch_dot: for each sample b, contract x[b] on axes[0] with y[b] on axes[1].

    The result has x's remaining axes then y's; a rank-1 result per sample is
    kept as (N, 1).
    """
    x_ndim, y_ndim = x.ndim, y.ndim
    a0, a1 = axes
    if x_ndim == 2:
        x = ops.expand_dims(x, 1)
        a0 += 1
    if y_ndim == 2:
        y = ops.expand_dims(y, 2)
    # Contracted axis last in x, second in y: (N, ..., k) @ (N, k, ...).
    x_perm = [i for i in range(x.ndim) if i != a0] + [a0]
    y_perm = [0, a1] + [i for i in range(1, y.ndim) if i != a1]
    x = ops.transpose(x, x_perm)
    y = ops.transpose(y, y_perm)
    x_mid, y_trail = x.shape[1:-1], y.shape[2:]
    x3 = ops.reshape(x, (x.shape[0], -1, x.shape[-1]))
    y3 = ops.reshape(y, (y.shape[0], y.shape[1], -1))
    out = ops.reshape(ops.matmul(x3, y3), (x.shape[0],) + x_mid + y_trail)
    if x_ndim == 2:
        out = ops.squeeze(out, 1)
    elif y_ndim == 2:
        out = ops.squeeze(out, -1)
    if out.ndim == 1:
        out = ops.expand_dims(out, 1)
    return out


class Dot(Merge):
    """Dot products between the samples of two inputs.

    Args:
        axes: int or (int, int), the axis of each input contracted (the batch
            axis 0 cannot be). Dot(axes=1)([a, b]) with a, b of shape (N, d)
            gives (N, 1).
        normalize: L2-normalise each input along its axis first, making the
            result the cosine similarity.
    """

    _min_inputs = 2
    _max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    f"Invalid type for argument `axes`: it should be a list or an int. Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two elements. "
                    f"Received: axes={axes}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _axes(self, shapes):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        return tuple(a % len(s) if a < 0 else a for a, s in zip(axes, shapes))

    def _dot_shape(self, input_shape):
        shapes = self._check_list(input_shape)
        self._check_batch(shapes)
        if any(len(s) < 2 for s in shapes):
            raise self._error("Dot needs inputs of rank >= 2 (a batch axis and at least one more)",
                              shapes)
        axes = self._axes(shapes)
        for a, s in zip(axes, shapes):
            if not 0 < a < len(s):
                raise self._error(f"axes {self.axes} must name a non-batch axis of each input", shapes)
        d1, d2 = shapes[0][axes[0]], shapes[1][axes[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise self._error(
                f"incompatible input shapes: axis values {d1} (at axis {axes[0]}) != "
                f"{d2} (at axis {axes[1]})", shapes)
        s1, s2 = list(shapes[0]), list(shapes[1])
        s1.pop(axes[0])
        s2.pop(axes[1])
        s2.pop(0)
        out = s1 + s2
        if len(out) == 1:
            out += [1]
        return tuple(out)

    def build(self, input_shape):
        self._dot_shape(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        inputs = self._as_list(inputs)
        shapes = [t.shape for t in inputs]
        self._dot_shape(shapes)
        x1, x2 = inputs
        axes = self._axes(shapes)
        if self.normalize:
            # Keras: x * min(rsqrt(sum x^2), 1 / eps), eps = 1e-7, i.e. a floor of eps^2 on sum x^2.
            x1 = nn.l2_normalize(x1, axis=axes[0], epsilon=1e-14)
            x2 = nn.l2_normalize(x2, axis=axes[1], epsilon=1e-14)
        return _batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        return self._dot_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of Concatenate: concatenate([a, b], axis=-1)."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    """Functional form of Add: add([a, b])."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of Subtract: subtract([a, b])."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of Multiply."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of Average."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of Maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of Minimum."""
    return Minimum(**kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional form of Dot: dot([a, b], axes=1)."""
    return Dot(axes=axes, **kwargs)(inputs)
