"""Which objects of a model hold state, and under which path Keras files store it.

Keras walks a model as a tree of "saveables" (layers, models, the optimizer):

- a Sequential or functional model: its `layers` first, as one container;
- then every attribute holding a saveable or a list/tuple/dict of them, public
  names in sorted order, then private ones (a subclassed model's `layers`
  property counts as an attribute);
- a saveable is written at `<parent path>/<attribute>`; the items of a container
  at `<parent path>/<attribute>/<snake_case class name>[_N]`, N counting every
  item of the container of that class (the first Dense is 'dense', the second 'dense_1');
- an object reached twice (a shared layer) is written once, at its first path.

Each saveable writes its own variables with save_own_variables(store) and reads
them with load_own_variables(store). save_state / load_state walk the same tree,
so a model reads the files that Keras writes for the same model, and back.
"""
from ..layers.layer import Layer
from ..optimizers import Optimizer
from ..registry import snake_case
from .serialization_lib import public_name

# deepgrad's bookkeeping attributes that hold layers Keras does not walk
_INTERNAL = {"_layers", "_stack", "_input_layer"}


def _is_saveable(obj):
    return isinstance(obj, (Layer, Optimizer)) and not getattr(obj, "_is_operation", False)


def _is_container(obj):
    if isinstance(obj, dict):
        obj = list(obj.values())
    return isinstance(obj, (list, tuple)) and any(_is_saveable(x) for x in obj)


def _name_key(name):
    """Public names first, then private ones (Keras' order)."""
    return "~" + name if name.startswith("_") else name


def saveable_children(obj):
    """(attribute, child or container) pairs of `obj`, in the order Keras walks them."""
    from_graph = getattr(obj, "_functional", False) or type(obj).__name__ == "Sequential"
    attributes = {}
    if isinstance(obj, Layer) and hasattr(obj, "compile"):
        attributes["layers"] = [layer for layer in obj.layers if not getattr(layer, "_is_operation", False)]
    for name, value in vars(obj).items():
        if name in _INTERNAL or name.startswith("__"):
            continue
        if _is_saveable(value) or _is_container(value):
            attributes[name] = value
    names = sorted(attributes, key=_name_key)
    if from_graph and "layers" in attributes:
        names.remove("layers")
        names.insert(0, "layers")
    return [(name, attributes[name]) for name in names]


def _join(path, name):
    return f"{path}/{name}" if path else name


def _container_items(container, path):
    """(item, path) for the saveables of a container, named as Keras names them."""
    items = container.values() if isinstance(container, dict) else container
    used = {}
    for item in items:
        if not _is_saveable(item):
            continue
        base = snake_case(public_name(item)[1])
        count = used.get(base)
        used[base] = 0 if count is None else count + 1
        yield item, _join(path, base if count is None else f"{base}_{count + 1}")


def walk(obj, path="", visited=None):
    """(object, path) for every saveable under `obj`, each once, in Keras' order."""
    visited = set() if visited is None else visited
    if id(obj) in visited:
        return
    visited.add(id(obj))
    yield obj, path
    for name, child in saveable_children(obj):
        child_path = _join(path, name)
        if _is_saveable(child):
            yield from walk(child, child_path, visited)
        else:
            for item, item_path in _container_items(child, child_path):
                yield from walk(item, item_path, visited)


def save_state(model, store):
    """Write every saveable's own variables to `store` (an H5WeightsStore)."""
    for obj, path in walk(model):
        obj.save_own_variables(store.make(path, getattr(obj, "name", None)))


def load_state(model, store, skip_mismatch=False):
    """Assign every saveable's own variables from `store`.

    A count or shape mismatch raises ValueError naming the object and both sizes;
    with skip_mismatch=True that object keeps its values and a warning says so.
    Returns the (path, error) pairs that were skipped.
    """
    skipped = []
    for obj, path in walk(model):
        entry = store.get(path)
        try:
            obj.load_own_variables(entry)
        except ValueError as e:
            if not skip_mismatch:
                raise
            skipped.append((path or "(model)", e))
    return skipped
