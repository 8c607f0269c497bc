"""Draw a model's graph: model_to_dot (a pydot graph) and plot_model (an image file through Graphviz).

One box per layer, labelled as Keras labels it (name and class, and optionally the input and
output shapes, dtype, activation and trainable state), one edge per tensor a layer reads:

    model_to_dot(model, show_shapes=True).to_string()   # the DOT text
    plot_model(model, "model.png", show_shapes=True)    # needs pydot and Graphviz's `dot`

pydot (`pip install pydot`) and Graphviz (https://graphviz.gitlab.io/download/, e.g.
`apt-get install graphviz`) are optional and imported only here, on first use.
"""
import os

from ..layers.keras_tensor import map_structure

_PYDOT_MISSING = "You must install pydot (`pip install pydot`) for {} to work."
_GRAPHVIZ_MISSING = ("You must install graphviz (see instructions at https://graphviz.gitlab.io/download/, "
                     "e.g. `apt-get install graphviz`) for `plot_model` to work.")


def _pydot():
    """The pydot module (or its older forks pydot_ng / pydotplus), or None."""
    for name in ("pydot", "pydot_ng", "pydotplus"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


def check_pydot():
    """True if pydot can be imported."""
    return _pydot() is not None


def check_graphviz():
    """True if pydot is importable and Graphviz's `dot` program renders a blank graph."""
    pydot = _pydot()
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
        return True
    except (OSError, getattr(pydot, "PydotException", OSError)):
        return False


def _kind(model):
    """'sequential', 'functional' or 'subclassed' (a model drawn as one box)."""
    from ..models.sequential import Sequential

    if isinstance(model, Sequential):
        return "sequential"
    if getattr(model, "_functional", False) and hasattr(model, "_nodes"):
        return "functional"
    return "subclassed"


def _is_graph_model(layer):
    return hasattr(layer, "compile") and _kind(layer) in ("sequential", "functional")


def _activation_name(layer):
    activation = layer.activation
    if hasattr(activation, "name"):
        return activation.name
    if hasattr(activation, "__name__"):
        return activation.__name__
    return str(activation)


def _format_shape(shape):
    if shape is None:
        return "?"
    text = ", ".join(f"{k}: {v}" for k, v in shape.items()) if isinstance(shape, dict) else f"{shape}"
    return text.replace("}", "").replace("{", "")


def _structure_of(layer, attr, field):
    """map_structure(t -> t.field, layer.input / layer.output), or None when the layer has none."""
    try:
        return map_structure(lambda t: getattr(t, field), getattr(layer, attr))
    except (ValueError, AttributeError):
        return None


def _cell(text, colspan=None, bgcolor="white", color=None, size=14):
    span = f' colspan="{colspan}"' if colspan else ""
    font_color = f' color="{color}"' if color else ""
    return f'<td bgcolor="{bgcolor}"{span}><font point-size="{size}"{font_color}>{text}</font></td>'


def make_layer_label(layer, show_layer_names, show_layer_activations, show_dtype, show_shapes, show_trainable):
    """The HTML-like Graphviz label of one layer's box (Keras' table layout)."""
    class_name = type(layer).__name__
    if class_name == "Model" and _kind(layer) == "functional":
        class_name = "Functional"  # Keras' class of Model(inputs, outputs)
    colspan = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    table = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
    table += (f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" color="white">'
              f"{title}</font></td></tr>")
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        table += f"<tr>{_cell(f'Activation: <b>{_activation_name(layer)}</b>', colspan=colspan)}</tr>"
    cols = []
    if show_shapes:
        if class_name != "InputLayer":
            cols.append(_cell(f"Input shape: <b>{_format_shape(_structure_of(layer, 'input', 'shape'))}</b>"))
        cols.append(_cell(f"Output shape: <b>{_format_shape(_structure_of(layer, 'output', 'shape'))}</b>"))
    if show_dtype:
        cols.append(_cell(f"Output dtype: <b>{_structure_of(layer, 'output', 'dtype') or '?'}</b>"))
    if show_trainable and getattr(layer, "weights", None):
        if layer.trainable:
            cols.append(_cell("<b>Trainable</b>", bgcolor="forestgreen", color="white"))
        else:
            cols.append(_cell("<b>Non-trainable</b>", bgcolor="firebrick", color="white"))
    if cols:
        table += f"<tr>{''.join(cols)}</tr>"
    return table + "</table>>"


def _make_node(pydot, layer, label_args):
    node = pydot.Node(str(id(layer)), label=make_layer_label(layer, **label_args))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    return node


def _add_edge(pydot, dot, src, dst):
    src_id, dst_id = str(id(src)), str(id(dst))
    if not dot.get_edge(src_id, dst_id):
        edge = pydot.Edge(src_id, dst_id)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def _source_box(layer, output_index):
    """The real layer (inside nested models) that produces output `output_index` of `layer`."""
    while _is_graph_model(layer):
        tensor = layer.outputs[output_index]
        layer, output_index = tensor.node.layer, tensor.index
    return layer


def _destination_box(layer, input_index):
    """The real layer (inside nested models) that receives input `input_index` of `layer`."""
    while _is_graph_model(layer):
        if _kind(layer) == "functional":
            layer = layer.inputs[input_index].node.layer
        else:
            layer = layer.layers[0]
    return layer


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False, show_trainable=False,
                 splines="ortho", **kwargs):
    """A pydot graph of the model: one node per layer (a subclassed model is a single node).

    Args:
        model: a built model.
        show_shapes / show_dtype / show_layer_activations / show_trainable: add these to each box.
        show_layer_names: title each box "name (Class)" instead of "Class".
        rankdir: "TB" (top to bottom) or "LR" (left to right).
        expand_nested: draw nested functional / Sequential models as dashed clusters of their
            layers, with the edges going into and out of them.
        dpi: resolution of the rendered image.
        subgraph: return a pydot.Cluster (used for nested models).
        splines: Graphviz edge style: "ortho" (default), "curved", "polyline", "spline", "line".

    Returns:
        A pydot.Dot (pydot.Cluster when subgraph=True).
    """
    if not model.built:
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` or by calling "
            "the model on a batch of data."
        )
    pydot = _pydot()
    if pydot is None:
        raise ImportError(_PYDOT_MISSING.format("model_to_dot"))
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    label_args = dict(show_layer_names=show_layer_names, show_layer_activations=show_layer_activations,
                      show_dtype=show_dtype, show_shapes=show_shapes, show_trainable=show_trainable)
    kind = _kind(model)
    if kind == "subclassed":
        dot.add_node(_make_node(pydot, model, label_args))
        return dot
    layers = model.layers if kind == "sequential" else list(model._layers)

    for layer in layers:
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(model_to_dot(layer, show_shapes, show_dtype, show_layer_names, rankdir, expand_nested,
                                          subgraph=True, show_layer_activations=show_layer_activations,
                                          show_trainable=show_trainable))
        else:
            dot.add_node(_make_node(pydot, layer, label_args))

    if kind == "sequential":
        if not expand_nested:
            for src, dst in zip(layers[:-1], layers[1:]):
                _add_edge(pydot, dot, src, dst)
            return dot
        # the first layer's input is the (undrawn) InputLayer: its incoming edge is drawn by the parent
        layers = layers[1:]

    own_nodes = {id(node) for node in getattr(model, "_nodes", [])}
    for layer in layers:
        for node in layer._inbound_nodes:
            if id(node) not in own_nodes:
                continue
            for input_index, tensor in enumerate(node.parent_tensors):
                source = tensor.node.layer if tensor.node is not None else None
                if source is None:
                    continue
                if not expand_nested:
                    _add_edge(pydot, dot, source, layer)
                    continue
                _add_edge(pydot, dot, _source_box(source, tensor.index), _destination_box(layer, input_index))
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=False, rankdir="TB",
               expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False, splines="ortho",
               **kwargs):
    """Draw the model's graph (model_to_dot) into an image file, its format from the extension.

    Args:
        to_file: the file to write: ".png" (the default when there is no extension), ".svg",
            ".pdf", ".dot", ... (any Graphviz output format).
        The others: as model_to_dot; note that Keras' plot_model hides layer names by default.

    Returns:
        An IPython Image (SVG for ".svg") of the file when IPython is installed and the format
        is one it displays (png, jpg, gif, svg), else None.

    Raises:
        ImportError: when pydot (`pip install pydot`) or Graphviz's `dot` program is missing.
    """
    if not model.built:
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` or by calling "
            "the model on a batch of data."
        )
    if not check_pydot():
        raise ImportError(_PYDOT_MISSING.format("`plot_model`"))
    if not check_graphviz():
        raise ImportError(_GRAPHVIZ_MISSING)
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable, splines=splines)
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == "svg":
        return display.SVG(filename=to_file)
    if extension in ("png", "jpg", "jpeg", "gif"):
        return display.Image(filename=to_file, format=extension)
    return None
