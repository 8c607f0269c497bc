"""Symbolic tensors of the functional API and the nodes that connect them.

`Input(shape)` returns a KerasTensor: a shape (batch axis None) and a dtype,
no data. Calling a layer on KerasTensors records a Node (layer, inputs,
outputs); Model(inputs, outputs) walks those nodes back from its outputs.
"""


class Node:
    """One call of `layer` on symbolic `inputs`, producing `outputs`."""

    def __init__(self, layer, inputs, args=(), kwargs=None):
        self.layer = layer
        self.inputs = inputs
        self.args = args
        self.kwargs = dict(kwargs or {})
        self.outputs = None

    @property
    def parent_tensors(self):
        """Every symbolic tensor the call read: its inputs, then those among its other arguments."""
        extra = [t for t in flatten_structure([list(self.args), self.kwargs]) if isinstance(t, KerasTensor)]
        return flatten_structure(self.inputs) + extra


class KerasTensor:
    """A placeholder with a shape (None for the batch axis) and a dtype."""

    def __init__(self, shape, dtype="float32", node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError(
            "a symbolic KerasTensor has no length: its batch size is unknown until the model runs"
        )

    def __iter__(self):
        raise TypeError("a symbolic KerasTensor cannot be iterated over")


def _default_leaf(x):
    return not isinstance(x, (list, tuple, dict))


def flatten_structure(structure, is_leaf=None):
    """The leaves of nested lists, tuples and dicts, in order."""
    if is_leaf is None and not isinstance(structure, (list, tuple, dict)):
        return [structure]  # a lone leaf, the common case of a layer call
    is_leaf = is_leaf or _default_leaf
    if is_leaf(structure):
        return [structure]
    if isinstance(structure, dict):
        return [x for k in structure for x in flatten_structure(structure[k], is_leaf)]
    return [x for s in structure for x in flatten_structure(s, is_leaf)]


def map_structure(fn, *structures, is_leaf=None):
    """fn applied leaf by leaf over structures of the same nesting."""
    first = structures[0]
    if is_leaf is None and not isinstance(first, (list, tuple, dict)):
        return fn(*structures)  # a lone leaf, the common case of a layer call
    is_leaf = is_leaf or _default_leaf
    if is_leaf(first):
        return fn(*structures)
    if isinstance(first, dict):
        return {k: map_structure(fn, *(s[k] for s in structures), is_leaf=is_leaf) for k in first}
    items = [map_structure(fn, *parts, is_leaf=is_leaf) for parts in zip(*structures)]
    return items if isinstance(first, list) else tuple(items)
