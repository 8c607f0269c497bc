"""The one name -> object lookup behind every string identifier ('adam', 'relu', 'mse', ...)."""
import re


def snake_case(name):
    """CamelCase -> snake_case as Keras' to_snake_case: Conv2D -> conv2d, ReLU -> re_lu."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Registry:
    """Names of one kind of object (optimizer, loss, activation, ...).

    `get('adam')` returns the registered object (for classes, a new instance
    with default arguments); objects and callables pass through; anything
    else raises ValueError listing the valid names.
    """

    def __init__(self, kind, instantiate=False):
        self.kind = kind
        self.instantiate = instantiate
        self._items = {}

    def register(self, *names):
        """Decorator: register the object under each of `names` (case-insensitive)."""

        def decorate(obj):
            for name in names or (obj.__name__,):
                self._items[name.lower()] = obj
            return obj

        return decorate

    def add(self, name, obj):
        self._items[name.lower()] = obj

    def names(self):
        return sorted(self._items)

    def __contains__(self, name):
        return isinstance(name, str) and name.lower() in self._items

    def get(self, identifier):
        if identifier is None or not isinstance(identifier, str):
            return identifier
        obj = self._items.get(identifier.lower())
        if obj is None:
            raise ValueError(
                f"Unknown {self.kind}: '{identifier}'. Valid names: {', '.join(self.names())}"
            )
        if self.instantiate and isinstance(obj, type):
            return obj()
        return obj
