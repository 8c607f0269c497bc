"""model.summary(): Keras 3's table of layers, output shapes and parameter counts.

The table is laid out as Keras 3.15 lays it out (through `rich`, which deepgrad does
not need): a line of `line_length` characters (default: 88, or 108 with the
"Connected to" column of a branching functional model, +12 with show_trainable, and
at most the terminal's width - 4); column i ends at positions[i] * line_length
(default [0.45, 0.80, 1.0], or [0.3, 0.56, 0.74, 1.0] with "Connected to"). Each
column's width w_i + 2 (its padding) is then reduced, as rich fits a fixed-width
table into line_length - (columns + 1) border characters, by the excess split
evenly (rounded half to even) from the first column on. A cell wider than its
column wraps at spaces (header cells aligned to the bottom), and a word wider than
the column ends in "…".

Arguments as Keras' Model.summary: line_length, positions, print_fn (called once
with the whole summary, as Keras 3 does), expand_nested (nested models' layers
indented under them, "└ "), show_trainable (a "Trainable" column: Y, N or - for
a layer without weights), layer_range (two layer-name regexes, both ends
included).

A model none of whose layers has weights yet raises a ValueError that says how to
build it (Keras prints a table of "?" there); once any layer is built, unbuilt
layers show "?" and "0 (unbuilt)" as in Keras.
"""
import math
import re
import shutil

from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import flatten_structure


def _human_bytes(n):
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n / 1024 < 1:
            return f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} PB"


def _count(weights):
    return int(sum(math.prod(w.shape) for w in _unique(weights)))


def _unique(weights):
    return list({id(w): w for w in weights}.values())


def _nbytes(weights):
    return sum(int(w.data.nbytes) for w in _unique(weights))


# ---- what goes in the cells ---------------------------------------------------
def _shape_text(layer):
    if not layer._inbound_nodes and getattr(layer, "_build_shape", None) is None:
        return "?"
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError, NotImplementedError):
        return "?"
    shapes = flatten_structure(shape, is_leaf=lambda s: isinstance(s, tuple) and all(
        d is None or isinstance(d, int) for d in s))
    text = ", ".join(str(s) for s in shapes)
    return text if len(shapes) == 1 else f"[{text}]"


def _params_text(layer, model_built):
    never_used = not layer._inbound_nodes and getattr(layer, "_build_shape", None) is None and not layer.weights
    if not getattr(layer, "built", True) or (not model_built and never_used):
        # deepgrad marks weightless layers built at construction; Keras only once they run
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _trainable_text(layer):
    if not layer.weights:
        return "-"
    return "Y" if layer.trainable else "N"


def _node_index(tensor):
    nodes = tensor.node.layer._inbound_nodes
    return next((i for i, n in enumerate(nodes) if n is tensor.node), 0)


def _connections(layer, model_nodes):
    """Keras' "Connected to": name[node index][tensor index] of each tensor the layer's calls read."""
    parts = []
    for node in layer._inbound_nodes:
        if id(node) not in model_nodes:
            continue
        for tensor in node.parent_tensors:
            parts.append(f"{tensor.node.layer.name}[{_node_index(tensor)}][{tensor.index}]")
    return ", ".join(parts) or "-"


# ---- which layers, in which layout -------------------------------------------
def _is_sequential_like(model):
    """False for a functional graph that branches, merges, or calls a layer twice (Keras' test)."""
    from .sequential import Sequential

    if not getattr(model, "_functional", False) or isinstance(model, Sequential):
        return True
    nodes = model._nodes
    if any(len(node.parent_tensors) > 1 for node in nodes):
        return False
    layers = [node.layer for node in nodes]
    if len({id(layer) for layer in layers}) != len(layers):
        return False
    # one node per depth: every node feeds at most one other node of the model
    consumers = {}
    for node in nodes:
        for parent in node.parent_tensors:
            consumers[id(parent.node)] = consumers.get(id(parent.node), 0) + 1
    return all(count <= 1 for count in consumers.values()) and len(flatten_structure(model._flat_inputs)) <= 1 \
        and len([n for n in nodes if id(n) not in consumers]) <= 1


def _layer_range(layers, layer_range):
    """[first, last + 1] of the layers whose names match layer_range's two regexes (Keras' rule)."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def _column_widths(line_length, positions):
    """Each column's text width: Keras' widths from `positions`, fitted into the line as rich does."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    n = len(widths)
    padded = [w + 2 for w in widths]
    room = line_length - (n + 1)
    total = sum(padded)
    if total > room:  # rich's ratio_reduce with equal ratios
        excess, remaining = total - room, n
        for i, w in enumerate(padded):
            cut = min(w, round(excess / remaining))
            padded[i] = w - cut
            excess -= cut
            remaining -= 1
    elif total < room:  # rich's ratio_distribute in proportion to the widths
        extra, ratio_left = room - total, total
        for i, w in enumerate(padded):
            add = math.ceil(w * extra / ratio_left)
            padded[i] = w + add
            extra -= add
            ratio_left -= w
    return [max(w - 2, 0) for w in padded]


def _wrap(text, width):
    """`text` in lines of at most `width` characters, broken at spaces; a word longer than the
    column is cut to width - 1 characters and "…" (rich's default overflow, as Keras shows it)."""
    if len(text) <= width:
        return [text]
    lines, line = [], ""
    for word in text.split(" "):
        if len(word) > width:
            word = word[:max(width - 1, 0)] + "…"
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
    lines.append(line)
    return lines


def _align(text, width, how):
    if how == "right":
        return text.rjust(width)
    if how == "center":
        return text.center(width)
    return text.ljust(width)


def _rows(model, layers, expand_nested, show_trainable, connected):
    model_nodes = {id(n) for n in getattr(model, "_nodes", [])}
    for layer in layers:
        if isinstance(layer, InputLayer):
            model_nodes.update(id(n) for n in layer._inbound_nodes)

    def rows_of(layer, level):
        prefix = "   " * level + "└ " if level else ""
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", _shape_text(layer), _params_text(layer, model.built)]
        if connected:
            row.append(_connections(layer, model_nodes))
        if show_trainable:
            row.append(_trainable_text(layer))
        rows = [row]
        if expand_nested and getattr(layer, "layers", None):
            for inner in layer.layers:
                rows.extend(rows_of(inner, level + 1))
        return rows

    out = []
    for layer in layers:
        out.extend(rows_of(layer, 0))
    return out


def _check_built(model):
    if model.built or any(getattr(layer, "built", False) for layer in model.layers):
        return
    raise ValueError(
        f"Model '{model.name}' has not been built yet: its weights are created on the first call. "
        "Give the first layer input_shape=..., start with keras.Input(shape), or call the model "
        "(or fit it) once before summary()"
    )


def summary_text(model, line_length=None, positions=None, expand_nested=False, show_trainable=False,
                 layer_range=None):
    """The summary as a string (the lines Keras prints, without the final newline)."""
    _check_built(model)
    connected = not _is_sequential_like(model)
    if connected:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #", "Connected to"], ["left", "left", "right", "left"]
    else:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header, align = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    positions = list(positions)
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    widths = _column_widths(line_length, positions)

    layers = model.layers
    first, last = _layer_range(layers, layer_range)
    rows = _rows(model, layers[first:last], expand_nested, show_trainable, connected)

    def table_line(cells, left, mid, right, aligns, bottom=False):
        wrapped = [_wrap(cell, w) for cell, w in zip(cells, widths)]
        height = max(len(lines) for lines in wrapped)
        if bottom:  # the header's cells sit on its last line
            wrapped = [[""] * (height - len(lines)) + lines for lines in wrapped]
        out = []
        for k in range(height):
            parts = [f" {_align(lines[k] if k < len(lines) else '', w, how)} "
                     for lines, w, how in zip(wrapped, widths, aligns)]
            out.append(left + mid.join(parts) + right)
        return out

    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    out = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━")]
    out += table_line(header, "┃", "┃", "┃", align, bottom=True)
    out.append(rule("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        out += table_line(row, "│", "│", "│", align)
        if i != len(rows) - 1:
            out.append(rule("├", "┼", "┤", "─"))
    out.append(rule("└", "┴", "┘", "─"))

    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_vars = list(getattr(optimizer, "variables", []) or []) if getattr(optimizer, "built", False) else []
    total = _count(trainable) + _count(non_trainable) + _count(optimizer_vars)
    total_bytes = _nbytes(trainable) + _nbytes(non_trainable) + _nbytes(optimizer_vars)
    out.append(f" Total params: {total:,} ({_human_bytes(total_bytes)})")
    out.append(f" Trainable params: {_count(trainable):,} ({_human_bytes(_nbytes(trainable))})")
    out.append(f" Non-trainable params: {_count(non_trainable):,} ({_human_bytes(_nbytes(non_trainable))})")
    if optimizer_vars:
        out.append(f" Optimizer params: {_count(optimizer_vars):,} ({_human_bytes(_nbytes(optimizer_vars))})")
    return "\n".join(out)


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Print the summary, or hand it to print_fn in one call (with a final newline), as Keras 3."""
    text = summary_text(model, line_length=line_length, positions=positions, expand_nested=expand_nested,
                        show_trainable=show_trainable, layer_range=layer_range)
    if print_fn is None:
        print(text)
    else:
        print_fn(text + "\n")
