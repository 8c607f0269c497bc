"""The functional graph: Model(inputs, outputs) over the nodes recorded by layer calls."""
from ... import ops
from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor, flatten_structure, map_structure


def graph_nodes(inputs, outputs):
    """The nodes between `inputs` and `outputs`, each after the nodes it reads from.

    Raises ValueError when an output depends on a tensor that is not an input.
    """
    input_ids = {id(t) for t in flatten_structure(inputs)}
    order, seen = [], set()
    stack = [(t, False) for t in reversed(flatten_structure(outputs))]
    while stack:
        tensor, expanded = stack.pop()
        node = tensor.node
        if expanded:
            order.append(node)
            continue
        if id(tensor) in input_ids or id(node) in seen:
            continue
        if isinstance(node.layer, InputLayer):
            raise ValueError(
                f"Model output depends on the input '{node.layer.name}' "
                f"{node.layer.batch_shape}, which is not among the model's inputs"
            )
        seen.add(id(node))
        stack.append((tensor, True))
        for parent in reversed(node.parent_tensors):
            if not isinstance(parent, KerasTensor):
                raise TypeError(f"Layer '{node.layer.name}' was called on a non-symbolic value {parent!r}")
            stack.append((parent, False))
    return order


def graph_layers(inputs, nodes):
    """Input layers first, then each layer once in the order of its first node."""
    layers, seen = [], set()
    for t in flatten_structure(inputs):
        layer = t.node.layer
        if id(layer) not in seen:
            seen.add(id(layer))
            layers.append(layer)
    for node in nodes:
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            layers.append(node.layer)
    return layers


def run_graph(model, inputs, training=None):
    """Evaluate the model's nodes on concrete tensors; returns the outputs' structure."""
    flat_inputs = _match_inputs(model, inputs)
    values = {}
    for kt, value in zip(model._flat_inputs, flat_inputs):
        values[id(kt)] = value
    for node in model._nodes:
        args = map_structure(lambda kt: values[id(kt)], node.inputs)
        kwargs = dict(node.kwargs)
        if training is not None:
            kwargs.setdefault("training", training)
        out = node.layer(args, *node.args, **kwargs)
        for kt, o in zip(flatten_structure(node.outputs), flatten_structure(out)):
            values[id(kt)] = o
    return map_structure(lambda kt: values[id(kt)], model._outputs_struct)


def _adjust_rank(value, expected_shape):
    """Keras 3's one-axis leniency: (N, d, 1) for an Input of (N, d), and (N,) for an Input of (N, 1)."""
    if value.ndim == len(expected_shape) + 1 and value.shape[-1] == 1:
        return ops.squeeze(value, -1)
    if value.ndim == len(expected_shape) - 1 and expected_shape[-1] == 1:
        return ops.expand_dims(value, -1)
    return value


def _match_inputs(model, inputs):
    """The concrete inputs in the order of the model's Input tensors, shapes checked."""
    expected = model._flat_inputs
    if isinstance(inputs, dict):
        names = [kt.node.layer.name for kt in expected]
        missing = [n for n in names if n not in inputs]
        if missing:
            raise ValueError(
                f"Model '{model.name}' expects inputs named {names}; missing {missing}. "
                f"Received keys: {sorted(inputs)}"
            )
        flat = [inputs[n] for n in names]
    else:
        flat = flatten_structure(inputs)
    if len(flat) != len(expected):
        raise ValueError(
            f"Model '{model.name}' expects {len(expected)} input(s), but it received "
            f"{len(flat)} input tensor(s)"
        )
    out = []
    for i, (kt, value) in enumerate(zip(expected, flat)):
        layer = kt.node.layer
        value = _adjust_rank(layer._to_tensor(value), kt.shape)
        shape = tuple(value.shape)
        if len(shape) != len(kt.shape) or any(
            e is not None and e != a for e, a in zip(kt.shape[1:], shape[1:])
        ):
            raise ValueError(
                f'Input {i} of layer "{model.name}" is incompatible with the layer: '
                f"expected shape={kt.shape}, found shape={shape}"
            )
        out.append(value)
    return out
