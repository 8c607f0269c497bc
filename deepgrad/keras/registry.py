"""The one name -> object lookup behind every string identifier ('adam', 'relu', 'mse', ...)
and every name read from a model file.

Two kinds of entries:
- built-in objects, one `Registry` per kind (activation, loss, optimizer, ...), filled by
  the module that defines them;
- custom objects: those registered with `register_keras_serializable`, those put in
  `get_custom_objects()`, those of an active `custom_object_scope`, and the
  `custom_objects` argument of a loading call.

A name never becomes an object any other way: nothing is imported, and no attribute of
a module is looked up, by a name taken from a file.
"""
import difflib
import re
import threading


def snake_case(name):
    """CamelCase -> snake_case as Keras' to_snake_case: Conv2D -> conv2d, ReLU -> re_lu."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Registry:
    """Names of one kind of object (optimizer, loss, activation, ...).

    `get('adam')` returns the registered object (for classes, a new instance
    with default arguments); objects and callables pass through; a name that is
    not built in is looked up among the custom objects; anything else raises
    ValueError listing the valid names.
    """

    def __init__(self, kind, instantiate=False):
        self.kind = kind
        self.instantiate = instantiate
        self._items = {}
        self._lazy = {}
        self._spelling = {}

    def register(self, *names):
        """Decorator: register the object under each of `names` (case-insensitive)."""

        def decorate(obj):
            for name in names or (obj.__name__,):
                self.add(name, obj)
            return obj

        return decorate

    def add(self, name, obj):
        self._items[name.lower()] = obj
        self._spelling.setdefault(name.lower(), name)

    def add_lazy(self, name, load):
        """Register `name` for the object that `load()` returns, called on first lookup."""
        self._lazy[name.lower()] = load
        self._spelling.setdefault(name.lower(), name)

    def names(self):
        return sorted(set(self._items) | set(self._lazy))

    def __contains__(self, name):
        return isinstance(name, str) and (name.lower() in self._items or name.lower() in self._lazy)

    def find(self, name):
        """The built-in object registered as `name`, or None."""
        if not isinstance(name, str):
            return None
        key = name.lower()
        if key not in self._items and key in self._lazy:
            self._items[key] = self._lazy[key]()
        return self._items.get(key)

    def close_names(self, name, n=5):
        """Registered names that look like `name` (for 'did you mean' errors)."""
        keys = difflib.get_close_matches(str(name).lower(), self.names(), n=n, cutoff=0.6)
        return [self._spelling[k] for k in keys]

    def get(self, identifier):
        if identifier is None or not isinstance(identifier, str):
            return identifier
        obj = self.find(identifier)
        if obj is None:
            obj = find_custom_object([identifier])
        if obj is None:
            raise ValueError(
                f"Unknown {self.kind}: '{identifier}'. Valid names: {', '.join(self.names())}"
            )
        if self.instantiate and isinstance(obj, type):
            return obj()
        return obj


# Layers and models by class name (Keras' names and aliases), filled by the layers and models packages.
LAYERS = Registry("layer")
# Keras ops recorded as functional-model nodes (keras.src.ops.*), filled by the layers package.
OPERATIONS = Registry("operation")


# ------------------------------------------------------------------ custom objects

_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
_scopes = threading.local()


def _active_scopes():
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    return _scopes.stack


def register_keras_serializable(package="Custom", name=None):
    """Decorator: register a class or function under 'package>name' (name: its own by default).

    Registered objects are written to configs under that name and found again by
    it when a model file is read, with no `custom_objects` needed.
    """
    if ">" in package:
        raise ValueError(f"Cannot register a package name containing '>'. Received: package={package}")

    def decorate(obj):
        registered_name = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj

    return decorate


def get_registered_name(obj):
    """The name `obj` was registered under, else its own __name__."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_custom_objects():
    """The global dict of custom objects (name -> object); adding to it registers an object."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """`with custom_object_scope({'MyLayer': MyLayer}):` makes those names resolvable inside the block."""

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})

    def __enter__(self):
        _active_scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _active_scopes().pop()


custom_object_scope = CustomObjectScope


def find_custom_object(names, custom_objects=None, bare_names=False):
    """The first of `names` (None entries skipped) found among the custom objects, or None.

    Looked up in order: `custom_objects`, the active scopes (innermost first), the
    global registry. With bare_names, a name without a package also matches an entry
    registered as 'package>name' (Keras up to 3.6 wrote registered functions by their bare
    name, with module 'builtins').
    """
    tables = [custom_objects or {}] + list(reversed(_active_scopes())) + [_GLOBAL_CUSTOM_OBJECTS]
    for name in names:
        if not isinstance(name, str):
            continue
        for table in tables:
            if name in table:
                return table[name]
        if bare_names and ">" not in name:
            for table in tables:
                for key, obj in table.items():
                    if isinstance(key, str) and key.endswith(f">{name}"):
                        return obj
    return None


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered as `name` (custom objects first, then `module_objects`), or None."""
    found = find_custom_object([name], custom_objects)
    if found is None and module_objects and name in module_objects:
        found = module_objects[name]
    return found


# ------------------------------------------------------------------ safe mode

_safe_mode = threading.local()


def in_safe_mode():
    """The safe_mode of the loading call in progress (True, False, or None outside one)."""
    return getattr(_safe_mode, "value", None)


class SafeModeScope:
    """Hands a loading call's `safe_mode` to every nested from_config (a Lambda deep in a model)."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        self._previous = in_safe_mode()
        _safe_mode.value = self.safe_mode
        return self

    def __exit__(self, *exc):
        _safe_mode.value = self._previous


def enable_unsafe_deserialization():
    """Allow Lambda bytecode to load everywhere (keras.config.enable_unsafe_deserialization)."""
    _safe_mode.value = False


def is_safe(safe_mode=None):
    """Whether unsafe content (a lambda's bytecode) must be refused: unless safe_mode is False."""
    effective = safe_mode if safe_mode is not None else in_safe_mode()
    return effective is not False
