"""model.summary(): Keras 3's table of layers, output shapes and parameter counts."""
from ..layers.keras_tensor import flatten_structure


def _human_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}"
        n /= 1024


def _shape_text(layer):
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError):
        return "?"
    shapes = flatten_structure(shape, is_leaf=lambda s: isinstance(s, tuple) and all(
        d is None or isinstance(d, int) for d in s))
    text = ", ".join(str(s) for s in shapes)
    return text if len(shapes) == 1 else f"[{text}]"


def _rows(model):
    rows = []
    for layer in model.layers:
        rows.append((f"{layer.name} ({type(layer).__name__})", _shape_text(layer), f"{layer.count_params():,}"))
    return rows


def _nbytes(weights):
    return sum(int(w.data.nbytes) for w in weights)


def summary_text(model, line_length=None):
    """The summary as a string."""
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not been built yet: its weights are created on the first call. "
            "Give the first layer input_shape=..., start with keras.Input(shape), or call the model "
            "(or fit it) once before summary()"
        )
    rows = _rows(model)
    header = ("Layer (type)", "Output Shape", "Param #")
    widths = [max([minimum, len(header[i]) + 2] + [len(r[i]) + 2 for r in rows])
              for i, minimum in enumerate((33, 24, 15))]

    def line(cells, left, mid, right):
        parts = [f" {cells[0]:<{widths[0] - 2}} ", f" {cells[1]:<{widths[1] - 2}} ", f" {cells[2]:>{widths[2] - 2}} "]
        return left + mid.join(parts) + right

    def rule(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    trainable = sum(int(w.data.size) for w in model.trainable_weights)
    total = model.count_params()
    non_trainable = total - trainable
    out = [f'Model: "{model.name}"',
           rule("┏", "┳", "┓", "━"),
           line(header, "┃", "┃", "┃"),
           rule("┡", "╇", "┩", "━")]
    for i, row in enumerate(rows):
        out.append(line(row, "│", "│", "│"))
        if i != len(rows) - 1:
            out.append(rule("├", "┼", "┤", "─"))
    out.append(rule("└", "┴", "┘", "─"))
    out.append(f" Total params: {total:,} ({_human_bytes(_nbytes(model.weights))})")
    out.append(f" Trainable params: {trainable:,} ({_human_bytes(_nbytes(model.trainable_weights))})")
    out.append(f" Non-trainable params: {non_trainable:,} ({_human_bytes(_nbytes(model.non_trainable_weights))})")
    return "\n".join(out)


def print_summary(model, print_fn=None, line_length=None):
    text = summary_text(model, line_length)
    if print_fn is None:
        print(text)
    else:
        for row in text.split("\n"):
            print_fn(row)
