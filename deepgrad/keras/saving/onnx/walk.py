"""From a Keras model to an ONNX graph: each node of the functional graph through its layer's converter.

A converter is `convert(builder, layer, inputs, outputs) -> [Value]`: `inputs`
are the Values of the node's input tensors (flattened), `outputs` the node's
output KerasTensors (for their shapes), and it returns one Value per output.
CONVERTERS maps each exported layer class (exactly: a subclass may compute
something else) to its converter. A model called as a layer is walked in place.
"""
from ....backend import xp
from ...layers.keras_tensor import KerasTensor, flatten_structure
from . import activations, convolution, core, recurrent
from .graph import GraphBuilder, Value

CONVERTERS = {**activations.CONVERTERS, **core.CONVERTERS, **convolution.CONVERTERS, **recurrent.CONVERTERS}


def build_graph(model, input_signature, opset):
    """The GraphBuilder holding `model`'s inference graph, its inputs and its outputs.

    Inputs are named after the model's Input layers and keep their Keras shapes
    and dtypes (or input_signature's); outputs are named after the output layers.
    A Sequential model that does not know its input shape is built from
    input_signature first.

    Raises NotImplementedError naming the first layer without a converter, and
    ValueError when the input shape is unknown or input_signature does not fit.
    """
    specs = None if input_signature is None else _specs(input_signature)
    _ensure_graph(model, specs)
    tensors = model.inputs
    input_names = [kt.node.layer.name for kt in tensors]
    output_names = _unique(model.output_names, taken=set(input_names))
    b = GraphBuilder(opset, reserved=input_names + output_names)
    values = []
    for kt, name, (shape, dtype) in zip(tensors, input_names, _input_specs(model, input_names, specs)):
        b.inputs.append((name, shape, xp.dtype(dtype)))
        values.append(Value(kt.shape, dtype, name))
    results = _walk(b, model, values, prefix="")
    _name_outputs(b, output_names, results)
    b.outputs = [(name, kt.shape, value.dtype) for name, kt, value in zip(output_names, model.outputs, results)]
    return b


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


def _specs(input_signature):
    """input_signature as [(shape, dtype or None)], one per model input, in the order of model.inputs.

    Entries are objects with `shape` (and optionally `dtype`): keras.InputSpec,
    a TensorSpec, a KerasTensor, an array; or shapes as tuples. Each shape
    includes the batch axis, e.g. (None, 28, 28, 1). They may be nested in
    lists, as Keras' [[spec_a, spec_b]] for a model with two inputs.
    """
    specs = []
    for spec in flatten_structure(input_signature, is_leaf=lambda x: _is_shape(x) or hasattr(x, "shape")):
        shape = spec if _is_shape(spec) else getattr(spec, "shape", None)
        if shape is None:
            raise ValueError(
                "input_signature entries must be shapes such as (None, 28, 28, 1) or specs with a shape, "
                f"e.g. keras.InputSpec(shape=(None, 28, 28, 1)). Received: {spec!r}"
            )
        specs.append((tuple(None if d is None else int(d) for d in shape), getattr(spec, "dtype", None)))
    return specs


def _ensure_graph(model, specs):
    """Make sure `model` has a functional graph: a Sequential is built from `specs` when it has none."""
    if not _is_model(model):
        raise TypeError(f"ONNX export expects a keras Model. Received: {model!r}")
    if model._functional:
        return
    if not _is_sequential(model):
        raise NotImplementedError(
            f"deepgrad does not implement ONNX export of subclassed models (model '{model.name}', "
            f"{type(model).__name__}): the export reads the graph of a functional or Sequential model"
        )
    if specs is None:
        raise ValueError(
            f"Sequential model '{model.name}' does not know its input shape yet, so it cannot be exported. "
            "Build it first (model.build((None, ...)), an Input as its first layer, or one call / fit / "
            "predict), or pass input_signature=[keras.InputSpec(shape=(None, ...))]"
        )
    if len(specs) != 1:
        raise ValueError(
            f"Sequential model '{model.name}' takes one input, but input_signature has {len(specs)} entries"
        )
    model.build(specs[0][0])


def _input_specs(model, names, specs):
    """(shape, dtype) of each model input: the model's, with input_signature's known sizes and dtype."""
    tensors = model.inputs
    if specs is None:
        return [(kt.shape, kt.dtype) for kt in tensors]
    if len(specs) != len(tensors):
        raise ValueError(
            f"input_signature has {len(specs)} entries but model '{model.name}' has {len(tensors)} "
            f"inputs: {names}"
        )
    result = []
    for kt, name, (shape, dtype) in zip(tensors, names, specs):
        if len(shape) != len(kt.shape) or any(
            a is not None and s is not None and a != s for a, s in zip(kt.shape, shape)
        ):
            raise ValueError(
                f"input_signature shape {shape} does not fit input '{name}' of model '{model.name}', "
                f"of shape {kt.shape} (shapes include the batch axis)"
            )
        merged = tuple(s if a is None else a for a, s in zip(kt.shape, shape))
        result.append((merged, kt.dtype if dtype is None else dtype))
    return result


def _unique(names, taken):
    """`names` with repeats (and names in `taken`) given suffixes _1, _2, ..."""
    result, used = [], set(taken)
    for name in names:
        candidate, i = name, 0
        while candidate in used:
            i += 1
            candidate = f"{name}_{i}"
        used.add(candidate)
        result.append(candidate)
    return result


def _walk(b, model, inputs, prefix):
    """Convert `model`'s nodes in order, its inputs being the Values `inputs`; returns its output Values."""
    values = {id(kt): v for kt, v in zip(model.inputs, inputs)}
    for node in model._nodes:
        layer = node.layer
        convert = CONVERTERS.get(type(layer))
        if convert is None and not _is_model(layer):
            raise NotImplementedError(
                f"deepgrad does not implement ONNX export of layer '{layer.name}' ({type(layer).__name__})"
            )
        if _is_model(layer) and not layer._functional:
            raise NotImplementedError(
                f"deepgrad does not implement ONNX export of subclassed models (model '{layer.name}', "
                f"{type(layer).__name__}, called as a layer)"
            )
        if any(isinstance(x, KerasTensor) for x in flatten_structure((list(node.args), node.kwargs))):
            raise NotImplementedError(
                f"deepgrad does not implement ONNX export of layer '{layer.name}' ({type(layer).__name__}) "
                "called with a tensor argument besides its inputs (such as mask=)"
            )
        args = [values[id(kt)] for kt in node.parent_tensors]
        outputs = flatten_structure(node.outputs)
        if convert is None:
            results = _walk(b, layer, args, prefix=f"{prefix}{layer.name}/")
        else:
            b.scope = prefix + layer.name
            results = convert(b, layer, args, outputs)
        for kt, value in zip(outputs, results):
            values[id(kt)] = value
    return [values[id(kt)] for kt in model.outputs]


def _name_outputs(b, names, values):
    """Give each output Value (in Keras' layout) its graph output name: the node making it is renamed,
    or, for a graph input or a tensor that is already an output, an Identity is added."""
    b.scope = "outputs"
    renamed = {}
    for name, value in zip(names, values):
        tensor = b.keras(value)
        tensor = renamed.get(tensor, tensor)
        if tensor in renamed.values() or not b.produced(tensor):
            b.nodes.append(("Identity", [tensor], [name], {}))
        else:
            b.rename(tensor, name)
            renamed[tensor] = name


def _is_model(obj):
    """A keras Model (it trains: it has compile), recognised without importing the models package."""
    return hasattr(obj, "compile") and hasattr(obj, "layers")


def _is_sequential(obj):
    """deepgrad's Sequential or a subclass of it."""
    return any(c.__name__ == "Sequential" and c.__module__.startswith("deepgrad.") for c in type(obj).__mro__)
