"""The functional graph: Model(inputs, outputs) over the nodes recorded by layer calls,
the order of its layers, and its config (Keras 3's, read also in Keras 2's form)."""
from ... import ops
from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor, flatten_structure, map_structure
from ..layers.layer import Layer, effective_training, outer_call, records_gradients
from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from ...tensor import no_grad
from .layer_fusion import layer_chains, single_input


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


def graph_layers(inputs, outputs):
    """The graph's layers in Keras' order (Functional.layers), which Keras' files index by.

    Keras' map_graph: a depth-first walk from the outputs numbers each layer when first
    reached; a node's depth is 1 + the largest depth of the nodes it feeds (outputs: 0),
    a layer's the largest of its nodes'. Layers are sorted by decreasing depth, ties by
    that number; an input that no output uses has depth 0 and comes first among those.
    """
    input_ids = {id(t) for t in flatten_structure(inputs)}
    order, first_seen, finished = [], {}, set()
    for output in flatten_structure(outputs):
        stack = [(output, False)]
        while stack:
            tensor, expanded = stack.pop()
            node = tensor.node
            if expanded:
                if id(node) not in finished:
                    finished.add(id(node))
                    order.append(node)
                continue
            if id(node) in finished:
                continue
            if id(tensor) in input_ids and not isinstance(node.layer, InputLayer):
                finished.add(id(node))
                continue
            first_seen.setdefault(id(node.layer), (len(first_seen), node.layer))
            stack.append((tensor, True))
            if not isinstance(node.layer, InputLayer):
                stack.extend((p, False) for p in reversed(node.parent_tensors))
    in_graph = {id(n) for n in order}
    node_depth, layer_depth = {}, {}
    for node in reversed(order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_tensors:
            if id(parent.node) in in_graph:
                node_depth[id(parent.node)] = max(depth + 1, node_depth.get(id(parent.node), 0))
    for t in flatten_structure(inputs):
        if isinstance(t.node.layer, InputLayer) and id(t.node.layer) not in layer_depth:
            first_seen[id(t.node.layer)] = (-1, t.node.layer)
            layer_depth[id(t.node.layer)] = 0
    ranked = sorted(first_seen.values(), key=lambda item: (-layer_depth[id(item[1])], item[0]))
    return [layer for _, layer in ranked]


def run_graph(model, inputs, training=None):
    """Evaluate the model's nodes on concrete tensors; returns the outputs' structure.

    Every argument of a node's call is replayed from the batch: the tensors among its
    other positional and keyword arguments (a target, a sample weight) as well as its
    inputs. Run as the outermost call, the model first clears the losses of its layers
    (Keras' call context), so `model.losses` holds this run's.
    """
    with outer_call(model):
        return _run_nodes(model, inputs, training)


def _run_nodes(model, inputs, training):
    flat_inputs = _match_inputs(model, inputs)
    values = {}
    for kt, value in zip(model._flat_inputs, flat_inputs):
        values[id(kt)] = value
    concrete = lambda t: values[id(t)] if isinstance(t, KerasTensor) else t
    mode = effective_training(training)
    recording = records_gradients(mode)
    chains = layer_chains(model, fold_batch_norm=not mode and not recording)
    skipped = set()
    for node in model._nodes:
        if id(node) in skipped:
            continue
        chain = chains.get(id(node))
        if chain is not None:
            x = values[id(single_input(node))]
            if chain.applies(x):
                if recording:
                    values[id(chain.output)] = chain(x)
                else:
                    with no_grad():  # as each of the chain's layers would
                        values[id(chain.output)] = chain(x)
                skipped |= chain.skipped
                continue
        args = map_structure(concrete, node.inputs)
        extra_args = [map_structure(concrete, a) for a in node.args]
        kwargs = {k: map_structure(concrete, v) for k, v in node.kwargs.items()}
        if training is not None:
            kwargs.setdefault("training", training)
        out = node.layer(args, *extra_args, **kwargs)
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


# ---------------------------------------------------------------------------- config


def _is_functional_model(layer):
    """A model built from Input tensors (not a Sequential): Keras numbers its nodes from 1 in input/output_layers."""
    return getattr(layer, "_functional", False) and type(layer).__name__ != "Sequential" and hasattr(layer, "compile")


def functional_config(model):
    """Keras 3's config of a functional model: every layer with its calls, and the input/output tensors.

        {"name", "trainable",
         "layers": [{...layer config..., "name": ..., "inbound_nodes": [{"args": [...], "kwargs": {...}}]}],
         "input_layers": ["input_1", 0, 0] (or a list/dict of such triples),
         "output_layers": ...}

    A tensor is written {"class_name": "__keras_tensor__", "config": {"shape", "dtype",
    "keras_history": [layer name, node index, tensor index]}}, node indices counting only the
    calls that belong to this model.
    """
    own = {id(node) for node in model._nodes}
    own.update(id(t.node) for t in model._flat_inputs)

    def own_index(node):
        calls = [n for n in node.layer._inbound_nodes if id(n) in own]
        return next(i for i, n in enumerate(calls) if n is node)

    def tensor_config(t):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(t.shape), "dtype": t.dtype,
                           "keras_history": [t.node.layer.name, own_index(t.node), t.index]}}

    def value_config(value):
        if isinstance(value, KerasTensor):
            return tensor_config(value)
        if isinstance(value, (list, tuple)):
            return [value_config(v) for v in value]
        if isinstance(value, dict):
            return {k: value_config(v) for k, v in value.items()}
        return serialize_keras_object(value)

    layers = []
    for layer in model.layers + [n.layer for n in model._nodes if getattr(n.layer, "_is_operation", False)]:
        if any(entry["name"] == layer.name for entry in layers):
            continue
        nodes = [n for n in layer._inbound_nodes if id(n) in own and not isinstance(n.layer, InputLayer)]
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [{"args": value_config([n.inputs, *n.args]), "kwargs": value_config(n.kwargs)}
                                  for n in nodes]
        layers.append(entry)

    def endpoint(t):
        shift = 1 if _is_functional_model(t.node.layer) else 0
        return [t.node.layer.name, own_index(t.node) + shift, t.index]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": map_structure(endpoint, model._inputs_struct),
        "output_layers": map_structure(endpoint, model._outputs_struct),
    }


def _is_history(value):
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and all(isinstance(v, int) for v in value[1:]))


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild a functional model from functional_config's output (or from Keras 2's or 3's).

    Every layer is created from its config, then called on the tensors its nodes name,
    in an order where each call's inputs exist (a shared layer's calls in their order).
    Keras 2 configs write a call as [[layer name, node index, tensor index, kwargs], ...].
    """
    config = dict(config)
    layer_configs = config.pop("layers")
    input_layers, output_layers = config.pop("input_layers"), config.pop("output_layers")
    # Keras 2 counted a nested model's own construction as its node 0; its callers start at 1.
    keras2 = any(isinstance(node, list) for entry in layer_configs for node in entry.get("inbound_nodes") or [])
    created, pending = {}, {}
    for entry in layer_configs:
        name = entry.get("name") or (entry.get("config") or {}).get("name")
        layer = deserialize_keras_object(entry, custom_objects, kind="layer")
        if not isinstance(layer, Layer):
            raise ValueError(f"The functional config's entry '{name}' does not describe a layer: {layer!r}")
        created[name] = layer
        pending[name] = list(entry.get("inbound_nodes") or [])

    def tensor(name, node_index, tensor_index):
        if name not in created:
            raise ValueError(f"Invalid functional model config: unknown layer '{name}'")
        nodes = created[name]._inbound_nodes
        if node_index >= len(nodes) or nodes[node_index].outputs is None:
            raise IndexError(node_index)
        return flatten_structure(nodes[node_index].outputs)[tensor_index]

    def revive(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return tensor(*value["config"]["keras_history"])
        if isinstance(value, (list, tuple)):  # a list in JSON, a tuple in Keras' get_config()
            return [revive(v) for v in value]
        if isinstance(value, dict) and not ("class_name" in value and "config" in value):
            return {k: revive(v) for k, v in value.items()}
        return deserialize_keras_object(value, custom_objects)

    def keras2_tensor(name, node_index, tensor_index):
        layer = created.get(name)
        if hasattr(layer, "compile") and getattr(layer, "_functional", False):
            node_index -= 1
        return tensor(name, node_index, tensor_index)

    def call(layer, node):
        if isinstance(node, list):  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
            tensors, kwargs = [], {}
            for item in node:
                tensors.append(keras2_tensor(*item[:3]))
                kwargs = item[3] if len(item) > 3 else kwargs
            layer(tensors[0] if len(tensors) == 1 else tensors, **revive(kwargs))
            return
        args, kwargs = revive(node.get("args", [])), revive(node.get("kwargs", {}))
        layer(*args, **kwargs)

    while any(pending.values()):
        progressed = False
        for name, nodes in pending.items():
            while nodes:
                try:
                    call(created[name], nodes[0])
                except IndexError:
                    break
                nodes.pop(0)
                progressed = True
        if not progressed:
            stuck = sorted(name for name, nodes in pending.items() if nodes)
            raise ValueError(
                "Invalid functional model config: the calls of these layers name tensors that "
                f"no layer produces (a loop or a missing layer): {stuck}"
            )

    def endpoint(value):
        if _is_history(value):
            name, node_index, tensor_index = value
            if keras2:
                return keras2_tensor(name, node_index, tensor_index)
            if _is_functional_model(created.get(name)):
                node_index -= 1
            return tensor(name, node_index, tensor_index)
        if isinstance(value, dict):
            return {k: endpoint(v) for k, v in value.items()}
        return [endpoint(v) for v in value]

    inputs, outputs = endpoint(input_layers), endpoint(output_layers)
    if isinstance(outputs, list) and len(outputs) == 1 and not _is_history(output_layers):
        outputs = outputs[0]
    config.pop("dtype", None)
    return cls(inputs=inputs, outputs=outputs, **config)
