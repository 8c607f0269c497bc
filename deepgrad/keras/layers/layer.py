"""Layer: the base of every Keras layer and model.

A layer stores its configuration in __init__, creates its weights in
build(input_shape) on first call, and computes in call(inputs, training=None)
using deepgrad ops only. Called on symbolic KerasTensors (from Input), it
records a node of the functional graph instead of computing.

Masks ride on tensors as in Keras 3: a layer's output carries `_keras_mask`
(set from compute_mask(inputs, mask) when the layer supports_masking), and the
next layer receives it as its call's `mask` argument. Functional models get
their masks this way when they run, so the graph itself holds none.

Losses ride on layers as in Keras 3: `add_loss(t)` inside call() (and the
activity regularizer, on every output) records a tensor on the layer; the
outermost call (a model's, or an eager layer's own) clears the losses of the
whole layer tree first, so `layer.losses` holds those of the latest call, the
weights' regularization penalties after them. Symbolic calls record none.
"""
import collections
import inspect
import threading
import warnings

from ... import backend
from ...tensor import Tensor, as_tensor, is_grad_enabled, is_grad_requested, no_grad
from ...variable import Variable
from .. import initializers as initializers_module
from .. import regularizers as regularizers_module
from .. import constraints as constraints_module
from ..registry import snake_case as _snake_case
from .input_spec import check_input_spec
from .keras_tensor import KerasTensor, Node, map_structure, flatten_structure

_name_counts = {}


class _Scope(threading.local):
    """Where layer calls stand, per thread: the outermost layer being called (whose call cleared
    the losses of its tree), and whether calls are symbolic (shape tracing), which add no loss."""

    entry = None
    symbolic = False
    training = None  # the training flag of the innermost call that has one (inherited by calls without)


_scope = _Scope()


def effective_training(training):
    """A layer call's training flag: its own, else the enclosing call's (Keras' call context)."""
    return _scope.training if training is None else training


def records_gradients(training):
    """Whether a layer called now with this (effective) training flag records gradients: not when
    they are off, nor for inference (training False) outside a GradientTape or fit, as Keras."""
    return is_grad_enabled() and not (training is False and not is_grad_requested())


class outer_call:
    """Context of one layer call: the outermost one clears the losses of `layer`'s tree first
    (Keras' call context), nested calls add to them. Functional models enter it when they run."""

    def __init__(self, layer):
        self.layer = layer
        self.entered = False

    def __enter__(self):
        if _scope.entry is None:
            _scope.entry = self.layer
            self.entered = True
            self.layer._clear_losses()
        return self

    def __exit__(self, *exc):
        if self.entered:
            _scope.entry = None
        return False


class symbolic_scope:
    """Calls made inside record no loss: layers run on placeholder zeros to find shapes."""

    def __enter__(self):
        self.previous, _scope.symbolic = _scope.symbolic, True
        return self

    def __exit__(self, *exc):
        _scope.symbolic = self.previous
        return False


def unique_name(base):
    """dense, dense_1, dense_2, ... as Keras names layers."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset_names():
    _name_counts.clear()


def standardize_shape(shape):
    """A shape as a tuple of ints or None."""
    if shape is None:
        return None
    if isinstance(shape, int):
        return (shape,)
    return tuple(None if s is None else int(s) for s in shape)


def _standardize_shapes(shapes):
    """A shape, or a list of shapes, read from JSON (lists) as tuples."""
    if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple)):
        return [_standardize_shapes(s) for s in shapes]
    return standardize_shape(shapes)


class Layer:
    """Base layer.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name (made from the class name when omitted).
        dtype: the dtype of weights and computations (float32 by default).
        input_shape / batch_input_shape / input_dim: the input shape without
            (or with) the batch axis, for the first layer of a Sequential model.
        activity_regularizer: a penalty on each of the layer's outputs, divided by the batch
            size and added to `losses` at every call (so to the loss fit minimizes).
    """

    autocast = True

    def __new__(cls, *args, **kwargs):
        instance = object.__new__(cls)
        object.__setattr__(instance, "_auto_config", _auto_config(cls, args, kwargs))
        return instance

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None,
                 batch_input_shape=None, input_dim=None, activity_regularizer=None, **kwargs):
        kwargs.pop("autocast", None)
        batch_size = kwargs.pop("batch_size", None)
        unknown = set(kwargs) - {"input_length", "dynamic"}
        if unknown:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {sorted(unknown)}"
            )
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_own_weights", [])
        self.name = name or unique_name(_snake_case(type(self).__name__))
        self.dtype = _dtype_name(dtype)
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self.activity_regularizer = regularizers_module.get(activity_regularizer)
        self._losses = []
        self._inbound_nodes = []
        self._build_shape = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = standardize_shape(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + standardize_shape(input_shape)
        else:
            self._batch_input_shape = None

    def __setattr__(self, name, value):
        if isinstance(value, Layer) and name != "_outbound_layer":
            if value not in self._layers:
                self._layers.append(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            for v in value:
                if v not in self._layers:
                    self._layers.append(v)
        object.__setattr__(self, name, value)

    # ---- weights -------------------------------------------------------
    def add_weight(self, shape=None, initializer="glorot_uniform", dtype=None, trainable=True,
                   regularizer=None, constraint=None, name=None):
        """Create a Variable of `shape` owned by this layer."""
        shape = standardize_shape(shape or ())
        init = initializers_module.get(initializer)
        dtype = dtype or self.dtype
        value = init(shape, dtype=dtype) if callable(init) else init
        var = Variable(backend.xp.asarray(value, dtype=dtype), trainable=trainable,
                       name=f"{self.name}/{name or 'variable'}")
        var.regularizer = regularizers_module.get(regularizer)
        var.constraint = constraints_module.get(constraint)
        var.requires_grad = bool(trainable and self._trainable and var.data.dtype.kind == "f")
        self._own_weights.append(var)
        return var

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._flatten_layers():
            if layer is not self:
                layer._trainable = bool(value)
        for w in self.weights:
            w.requires_grad = bool(w.trainable and value and w.data.dtype.kind == "f")

    def _flatten_layers(self):
        """This layer and every layer nested in it, each once, depth first."""
        seen, out, stack = set(), [], [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(reversed(layer._layers))
        return out

    @property
    def layers(self):
        return list(self._layers)

    @property
    def weights(self):
        seen, out = set(), []
        for layer in self._flatten_layers():
            for w in layer._own_weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    variables = weights

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        out, seen = [], set()
        for layer in self._flatten_layers():
            if not layer._trainable:
                continue
            for w in layer._own_weights:
                if w.trainable and id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """Copies of the weight arrays, in creation order."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights):
        """Assign arrays to the weights, in the order of get_weights()."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' expects {len(own)} weight arrays, but received {len(weights)}"
            )
        for var, value in zip(own, weights):
            value = backend.xp.asarray(value)
            if value.shape != var.shape:
                raise ValueError(
                    f"Layer '{self.name}' weight '{var.name}' has shape {var.shape}, "
                    f"but the received value has shape {value.shape}"
                )
            var.assign(value)

    def count_params(self):
        return int(sum(w.data.size for w in self.weights))

    # ---- losses ----------------------------------------------------------
    def add_loss(self, loss):
        """Record a loss tensor (or a structure of them) from inside call() or build().

        The losses of the latest outer call are in `layer.losses` (and the model's),
        which fit() adds to the compiled loss. Calls on symbolic tensors (building a
        functional model) record nothing, as Keras.

        Example:

            class ActivityPenalty(keras.layers.Layer):
                def call(self, x):
                    self.add_loss(0.01 * ops.sum(ops.square(x)))
                    return x
        """
        losses = flatten_structure(loss)
        for value in losses:
            if not isinstance(value, Tensor):
                raise ValueError(
                    "`add_loss()` can only be called from inside `build()` or `call()`, on a tensor "
                    f"input. Received invalid value: {value!r} (layer '{self.name}')"
                )
        if _scope.symbolic:
            return
        self._own_losses().extend(losses)

    def _own_losses(self):
        losses = self.__dict__.get("_losses")
        if losses is None:  # a layer whose __init__ has not run Layer.__init__ (yet)
            losses = []
            object.__setattr__(self, "_losses", losses)
        return losses

    def _clear_losses(self):
        """Forget the losses of this layer and of every layer nested in it (Keras' _clear_losses)."""
        if not self.__dict__.get("_layers"):
            self._own_losses().clear()
            return
        for layer in self._flatten_layers():
            layer._own_losses().clear()

    def _keras_loss_order(self):
        """The nested layers in the order Keras' _flatten_layers gives them (a deque fed by extendleft)."""
        out, seen = [], set()
        queue = collections.deque(self._layers)
        while queue:
            layer = queue.popleft()
            if id(layer) in seen or layer is self:
                continue
            seen.add(id(layer))
            out.append(layer)
            queue.extendleft(layer._layers)
        return out

    @property
    def losses(self):
        """The scalar losses of the latest call, then the weights' regularization penalties.

        As Keras 3: the tensors this layer added with add_loss (activity regularization
        included, divided by the batch size), those of its nested layers, then
        `regularizer(w)` for every trainable weight that has one.
        """
        out = list(self._own_losses())
        for layer in self._keras_loss_order():
            out.extend(layer._own_losses())
        out.extend(w.regularizer(w) for w in self.trainable_weights if getattr(w, "regularizer", None) is not None)
        return out

    # ---- building and calling -----------------------------------------
    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shapes):
        if not self.built:
            self._build_shape = input_shapes
            self.build(input_shapes)
            self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        """Output shape for `input_shape` (batch axis included, may be None).

        The default runs the layer on zeros (None dims as 1 and as 2; the dims that
        follow them become None).
        """
        return _trace_output_shape(self, input_shape)

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def __call__(self, inputs, *args, **kwargs):
        if _symbolic(inputs, args, kwargs):
            with outer_call(self):
                return self._symbolic_call(inputs, *args, **kwargs)
        with outer_call(self):
            return self._eager_call(inputs, *args, **kwargs)

    def _eager_call(self, inputs, *args, **kwargs):
        inputs = map_structure(self._to_tensor, inputs)
        shapes = map_structure(lambda t: t.shape, inputs)
        if self.input_spec is not None:
            check_input_spec(self, inputs)
        self._maybe_build(shapes)
        # Keras' masking: a mask attached to the inputs (by Embedding(mask_zero=True), Masking, ...)
        # is passed as `mask` to a call that takes one, and compute_mask's result is attached to
        # the outputs, so masks flow through eager calls and through functional models alike.
        previous_mask = kwargs.get("mask")
        if previous_mask is None:
            previous_mask = attached_mask(inputs)
            if previous_mask is not None and _call_accepts(type(self), "mask"):
                kwargs["mask"] = previous_mask
        training = kwargs.get("training")
        if training is None:  # Keras' call context: an inner call inherits the outer call's training flag
            training = _scope.training
            if training is not None:
                kwargs["training"] = training
        for key in ("training", "mask"):
            if key in kwargs and (kwargs[key] is None or not _call_accepts(type(self), key)):
                del kwargs[key]
        outer_training, _scope.training = _scope.training, training
        try:
            if is_grad_enabled() and not records_gradients(training):
                with no_grad():  # inference outside a tape or fit: Keras records nothing
                    outputs = self.call(inputs, *args, **kwargs)
            else:
                outputs = self.call(inputs, *args, **kwargs)
        finally:
            _scope.training = outer_training
        if self.activity_regularizer is not None:
            self._add_activity_losses(outputs)
        if self.supports_masking:
            _attach_masks(outputs, self.compute_mask(inputs, previous_mask))
        elif previous_mask is not None:
            warnings.warn(
                f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input with a mask "
                "attached to it. However, this layer does not support masking and will therefore "
                "destroy the mask information. Downstream layers will not see the mask."
            )
        return outputs

    def _add_activity_losses(self, outputs):
        """Keras 3's activity regularization: regularizer(output) / batch size for each output
        tensor (a scalar output is not divided; an empty batch gives 0), added as a loss."""
        for out in flatten_structure(outputs):
            if not isinstance(out, Tensor):
                continue
            loss = self.activity_regularizer(out)
            if out.ndim > 0:
                batch = out.shape[0]
                loss = loss / float(batch) if batch else loss * 0.0
            self.add_loss(loss)

    def _to_tensor(self, x):
        t = x if isinstance(x, Tensor) else as_tensor(x)
        if self.autocast and t.data.dtype != self.dtype and t.data.dtype.kind in "biuf":
            mask = t._keras_mask
            t = t.astype(self.dtype)
            t._keras_mask = mask
        return t

    def _symbolic_call(self, inputs, *args, **kwargs):
        in_shapes = map_structure(lambda t: t.shape, inputs)
        if self.input_spec is not None:
            check_input_spec(self, inputs)
        self._maybe_build(in_shapes)
        if type(self).compute_output_shape is Layer.compute_output_shape:
            # the default runs call() on zeros: every tensor argument gets its placeholder
            out_shapes = _trace_output_shape(self, in_shapes, args, kwargs)
        else:
            named = _shape_arguments(self, inputs, args, kwargs)
            out_shapes = (self.compute_output_shape(in_shapes) if named is None
                          else self.compute_output_shape(**named))
        node = Node(self, inputs, args, kwargs)
        self._inbound_nodes.append(node)
        outputs = _shapes_to_keras_tensors(out_shapes, node, self.dtype)
        node.outputs = outputs
        return outputs

    # ---- functional-graph introspection ---------------------------------
    def _node_attr(self, attr):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and has no {attr}")
        return getattr(self._inbound_nodes[0], attr)

    @property
    def input(self):
        return self._node_attr("inputs")

    @property
    def output(self):
        return self._node_attr("outputs")

    @property
    def input_shape(self):
        if self._inbound_nodes:
            return map_structure(lambda t: t.shape, self._inbound_nodes[0].inputs)
        if self._build_shape is not None:
            return self._build_shape
        raise AttributeError(f"Layer '{self.name}' has not been built: it has no input_shape yet")

    @property
    def output_shape(self):
        if self._inbound_nodes:
            return map_structure(lambda t: t.shape, self._inbound_nodes[0].outputs)
        if self._build_shape is not None:
            return self.compute_output_shape(self._build_shape)
        raise AttributeError(f"Layer '{self.name}' has not been built: it has no output_shape yet")

    # ---- config ----------------------------------------------------------
    def get_config(self):
        """The constructor arguments (Keras' base keys: name, trainable, dtype).

        A user's layer that defines no get_config gets Keras' auto config: the arguments
        its constructor was called with (defaults included) when all are plain values.
        """
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if type(self).get_config is Layer.get_config and self._auto_config is not None:
            config = {**self._auto_config, **config}
        if self.activity_regularizer is not None and hasattr(self.activity_regularizer, "get_config"):
            config["activity_regularizer"] = regularizers_module.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        """{'input_shape': shape} of the build, as Keras writes it, or None when never built on a shape."""
        if self._build_shape is None:
            return None
        return {"input_shape": self._build_shape}

    def build_from_config(self, config):
        """Create the weights from a build config (load_model does this before loading them)."""
        if config and "input_shape" in config and config["input_shape"] is not None:
            self._maybe_build(_standardize_shapes(config["input_shape"]))
        elif config and "shapes_dict" in config:
            shapes = {k: _standardize_shapes(v) for k, v in config["shapes_dict"].items()}
            self._maybe_build(next(iter(shapes.values())) if len(shapes) == 1 else list(shapes.values()))

    # ---- saving ----------------------------------------------------------
    def _saved_variables(self):
        """This layer's own variables in Keras' file order: trainable ones, then the others."""
        own = self._own_weights
        return [w for w in own if w.trainable] + [w for w in own if not w.trainable]

    def save_own_variables(self, store):
        """Write this layer's own variables to `store` as '0', '1', ... (Keras' layout)."""
        for i, var in enumerate(self._saved_variables()):
            store[str(i)] = var.data

    def load_own_variables(self, store):
        """Assign this layer's own variables from `store` ('0', '1', ...), counts and shapes checked."""
        variables = self._saved_variables()
        keys = list(store.keys())
        if len(keys) != len(variables):
            if not variables and not self.built:
                raise ValueError(
                    f"Layer '{self.name}' was never built and thus it doesn't have any variables. "
                    f"However the weights file lists {len(keys)} variables for this layer. Build it "
                    "(call it on data, or give it a build config) before loading its weights."
                )
            raise ValueError(
                f"Layer '{self.name}' expected {len(variables)} variables, but received {len(keys)} "
                f"variables during loading. Expected: {[v.name for v in variables]}"
            )
        for i, var in enumerate(variables):
            value = backend.xp.asarray(store[str(i)])
            if value.shape != var.shape:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}) weight '{var.name}' has shape "
                    f"{var.shape}, but the saved value has shape {value.shape}"
                )
            var.assign(value)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_PLAIN = (str, int, float, bool, type(None))


def _auto_config(cls, args, kwargs):
    """Keras' auto config of a user's layer: its constructor's arguments, when all are plain values.

    None for deepgrad's own layers (they define get_config) and when an argument is not a
    str, number, bool, None or a list/tuple/dict of them.
    """
    if cls.__module__.startswith("deepgrad."):
        return None
    try:
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    config = {}
    parameters = inspect.signature(cls.__init__).parameters
    for name, value in list(bound.arguments.items())[1:]:
        if parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            config.update(value)
        elif parameters[name].kind is not inspect.Parameter.VAR_POSITIONAL:
            config[name] = value
    plain = all(isinstance(v, _PLAIN) for v in flatten_structure(list(config.values())))
    return config if plain else None


def _symbolic(inputs, args, kwargs):
    """Whether any of a call's arguments is a KerasTensor (the call then builds a graph)."""
    if isinstance(inputs, Tensor) and not args and not kwargs:
        return False
    return any(isinstance(t, KerasTensor) for t in flatten_structure([inputs, list(args), kwargs]))


def attached_mask(inputs):
    """The masks attached to `inputs`, in their structure; None when none has one."""
    if isinstance(inputs, Tensor):
        return getattr(inputs, "_keras_mask", None)
    masks = map_structure(lambda t: getattr(t, "_keras_mask", None), inputs)
    return None if all(m is None for m in flatten_structure(masks)) else masks


def _attach_masks(outputs, masks):
    """Attach `masks` to the outputs that have none (Keras' _set_mask_metadata)."""
    flat_outputs = flatten_structure(outputs)
    tensors = [o for o in flat_outputs if isinstance(o, Tensor)]
    if masks is None or all(t._keras_mask is not None for t in tensors):
        return
    for out, mask in zip(flat_outputs, flatten_structure(masks)):
        if isinstance(out, Tensor) and out._keras_mask is None and mask is not None:
            out._keras_mask = mask


_accepts_cache = {}


def _call_accepts(cls, arg):
    """Whether cls.call takes the keyword `arg` (training, mask), cached per class."""
    key = (cls, arg)
    if key not in _accepts_cache:
        params = inspect.signature(cls.call).parameters
        _accepts_cache[key] = arg in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
        )
    return _accepts_cache[key]


def _dtype_name(dtype):
    """A layer's dtype as a NumPy name; TensorFlow's "string" (raw text inputs) stays "string".

    Keras 3 writes a dtype policy {'class_name': 'DTypePolicy', 'config': {'name': 'float32'}};
    a mixed policy ('mixed_float16') keeps float32 weights, which is all deepgrad computes in.
    """
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name")
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = "float32"
    if dtype in ("string", "str") or dtype is str:
        return "string"
    return str(backend.xp.dtype(dtype or backend.floatx()))


def _shapes_to_keras_tensors(shapes, node, dtype):
    if isinstance(shapes, tuple) and all(s is None or isinstance(s, int) for s in shapes):
        return KerasTensor(shapes, dtype, node, 0)
    flat = []

    def make(shape):
        t = KerasTensor(shape, dtype, node, len(flat))
        flat.append(t)
        return t

    if isinstance(shapes, dict):
        return {k: make(v) for k, v in shapes.items()}
    return [make(s) for s in shapes]


def _trace_output_shape(layer, input_shape, args=(), kwargs=None):
    """Output shape found by running the layer's call on zeros under no_grad.

    `args` and `kwargs` are the call's other arguments: each KerasTensor among them is
    replaced by zeros of its shape and dtype, other values are passed as they are. Unknown
    dims are run as 1 and as 2; the output dims that differ between the runs become None.
    Layers called inside record no loss (a symbolic call).
    """
    kwargs = {k: v for k, v in (kwargs or {}).items()
              if not (k in ("training", "mask") and (v is None or not _call_accepts(type(layer), k)))}

    def run(fill):
        def concrete(shape):
            return tuple(fill if s is None else s for s in shape)

        def zeros(shape):
            return Tensor(backend.xp.zeros(concrete(shape), dtype=layer.dtype))

        def placeholder(value):
            if isinstance(value, KerasTensor):
                dtype = layer.dtype if value.dtype in (None, "string") else value.dtype
                return Tensor(backend.xp.zeros(concrete(value.shape), dtype=dtype))
            return value

        call_args = [map_structure(placeholder, a) for a in args]
        call_kwargs = {k: map_structure(placeholder, v) for k, v in kwargs.items()}
        with no_grad(), symbolic_scope():
            outputs = layer.call(map_structure(zeros, input_shape, is_leaf=_is_shape), *call_args, **call_kwargs)
        return map_structure(lambda t: tuple(t.shape), outputs)

    first, second = run(1), run(2)
    return map_structure(
        lambda a, b: tuple(x if x == y else None for x, y in zip(a, b)), first, second, is_leaf=_is_shape
    )


def _shape_arguments(layer, inputs, args, kwargs):
    """Keras' alignment of a call's tensors with an overridden compute_output_shape.

    None when compute_output_shape takes one argument (it gets the first input's shape);
    otherwise {'<name>_shape': shape} for each of its parameters, `<name>` an argument of
    call() (None when that argument is not a tensor or was not passed).
    """
    params = [p for p in inspect.signature(layer.compute_output_shape).parameters.values()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY, p.KEYWORD_ONLY)]
    if len(params) <= 1:
        return None
    try:
        bound = inspect.signature(layer.call).bind(inputs, *args, **kwargs).arguments
    except TypeError:
        return None
    named = {}
    for p in params:
        if not p.name.endswith("_shape") or (p.name[:-6] not in bound and p.default is p.empty):
            raise ValueError(
                "For a `compute_output_shape()` method with more than one argument, all arguments "
                "should have a `_shape` suffix and match an argument from `call()`. E.g. "
                f"`compute_output_shape(self, foo_shape, bar_shape)`. For layer '{type(layer).__name__}', "
                f"received `compute_output_shape()` argument `{p.name}`."
            )
        if p.name[:-6] in bound:
            named[p.name] = map_structure(
                lambda t: tuple(t.shape) if hasattr(t, "shape") else None, bound[p.name[:-6]])
    return named


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, int) for d in s)
