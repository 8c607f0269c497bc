"""Objects to Keras 3's JSON forms and back: serialize_keras_object / deserialize_keras_object.

An object with a config is written as Keras 3 writes it:

    {"module": "keras.layers", "class_name": "Dense", "config": {...},
     "registered_name": None, "build_config": {...}, "compile_config": {...}}

deepgrad's built-in classes are written under Keras' public module names, so the
same JSON reads in Keras and in deepgrad; a user's class keeps its own module and
its registered name ('package>Name').

Reading never imports anything: 'module' only chooses which table of built-ins
to search (keras.layers -> layers, keras.src.backend.torch.optimizers -> optimizers,
'builtins' -> the built-in functions), custom objects come first, and a module
outside Keras can only name a custom object. Lambda bytecode loads only when
safe_mode is False.
"""
import base64
import inspect
import marshal
import types

from ...backend import xp
from ...tensor import Tensor
from .. import activations, constraints, initializers, losses, metrics, optimizers, regularizers
from ..optimizers import schedules
from ..registry import (LAYERS, OPERATIONS, CustomObjectScope, SafeModeScope, find_custom_object,
                        get_registered_name, in_safe_mode, is_safe)

PLAIN_TYPES = (str, int, float, bool)

# deepgrad package -> the Keras module its classes are written under (most specific first)
_PUBLIC_MODULES = (
    ("deepgrad.keras.layers", "keras.layers"),
    ("deepgrad.keras.models", "keras"),
    ("deepgrad.keras.optimizers.schedules", "keras.optimizers.schedules"),
    ("deepgrad.keras.optimizers", "keras.optimizers"),
    ("deepgrad.keras.initializers", "keras.initializers"),
    ("deepgrad.keras.regularizers", "keras.regularizers"),
    ("deepgrad.keras.constraints", "keras.constraints"),
    ("deepgrad.keras.activations", "keras.activations"),
    ("deepgrad.keras.losses", "keras.losses"),
    ("deepgrad.keras.metrics", "keras.metrics"),
)

# a segment of a Keras module path -> the kind of built-in it names
_KIND_OF_SEGMENT = {
    "layers": "layer", "engine": "layer", "models": "layer", "ops": "operation", "legacy": "layer",
    "schedules": "schedule", "optimizers": "optimizer", "initializers": "initializer",
    "regularizers": "regularizer", "constraints": "constraint", "activations": "activation",
    "losses": "loss", "metrics": "metric",
}
_KERAS_PACKAGES = ("keras", "tf_keras", "tensorflow")
_FUNCTION_KINDS = ("activation", "loss", "metric")


# ------------------------------------------------------------------ built-in tables


def _find_builtin(kind, name):
    """The built-in object of `kind` named `name`, or None."""
    if kind == "layer":
        return LAYERS.find(name)
    if kind == "operation":
        return OPERATIONS.find(name)
    if kind == "loss":
        return losses._CLASSES.get(name) or (
            losses.LossFunctionWrapper if name == "LossFunctionWrapper" else losses.LOSSES.find(name))
    if kind == "metric":
        return metrics._CLASSES.get(name) or metrics.METRICS.find(name)
    table = {
        "activation": activations.ACTIVATIONS, "initializer": initializers._INITIALIZERS,
        "regularizer": regularizers._REGULARIZERS, "constraint": constraints._CONSTRAINTS,
        "optimizer": optimizers._OPTIMIZERS, "schedule": schedules._SCHEDULES,
    }[kind]
    return table.find(name)


def _close_names(kind, name):
    if kind == "layer":
        return LAYERS.close_names(name)
    return []


def _kind_of_module(module):
    """The kind of built-in a Keras module path names ('keras.src.layers.core.dense' -> 'layer'), or None."""
    if not isinstance(module, str):
        return None
    parts = module.split(".")
    if parts[0] not in _KERAS_PACKAGES:
        return None
    if module == "keras":
        return "layer"
    for part in parts[1:]:
        if part in _KIND_OF_SEGMENT:
            return _KIND_OF_SEGMENT[part]
    return None


def resolve_class(config, kind=None, custom_objects=None):
    """The class (or function) a serialized config names, found only through the registry.

    Looked up in order: custom objects (by registered name, then class name); the
    built-ins of the kind the config's module names, or of `kind` when the config
    has no Keras module. Raises ValueError naming the class and close matches.
    """
    class_name = config.get("class_name")
    registered_name = config.get("registered_name")
    module = config.get("module")
    found = find_custom_object([registered_name, class_name], custom_objects)
    if found is not None:
        return found
    module_kind = _kind_of_module(module)
    search = module_kind or (kind if module is None else None)
    if search is not None:
        found = _find_builtin(search, class_name)
        if found is None and search == "layer" and module is None:
            found = _find_builtin("operation", class_name)  # legacy .h5 configs drop an op node's module
        if found is not None:
            return found
    hint = _close_names(search or kind or "layer", class_name)
    where = f" (module {module!r})" if module else ""
    raise ValueError(
        f"Unknown {search or kind or 'object'} '{class_name}'{where}: it is neither one of deepgrad's "
        "built-in objects nor a custom object."
        + (f" Close names: {', '.join(hint)}." if hint else "")
        + " A custom class must be passed in `custom_objects` or registered with "
        "`keras.saving.register_keras_serializable()`; deepgrad never imports a module named in a file."
    )


def resolve_function(config, custom_objects=None):
    """The function a {'class_name': 'function', 'config': name, 'module': ...} config names."""
    name = config.get("config")
    if not isinstance(name, str):
        raise ValueError(f"A function's config must be its name (a string). Received: {config!r}")
    module = config.get("module")
    found = find_custom_object([config.get("registered_name"), name], custom_objects,
                               bare_names=module == "builtins")
    if found is not None:
        return found
    kind = _kind_of_module(module)
    if kind in _FUNCTION_KINDS:
        kinds = (kind,)
    elif module in (None, "builtins") or kind is not None:  # Keras' 'builtins' form, or another Keras module
        kinds = _FUNCTION_KINDS
    else:  # a user's module: only its registered or given functions
        kinds = ()
    for k in kinds:
        found = _find_builtin(k, name)
        if callable(found) and not isinstance(found, type):
            return found
    raise ValueError(
        f"Could not locate the function '{name}' (module {module!r}): it is neither a built-in "
        "activation, loss or metric nor a custom object. deepgrad never imports a module named in "
        f"a file; pass it as `custom_objects={{'{name}': fn}}` or register it with "
        "`keras.saving.register_keras_serializable()`."
    )


# ------------------------------------------------------------------ serialize


def public_name(obj):
    """(module, class_name, registered_name) that Keras writes for `obj`'s class."""
    cls = type(obj)
    if cls.__module__.startswith("deepgrad."):
        if getattr(obj, "_functional", False) and cls.__name__ == "Model":
            return "keras.src.models.functional", "Functional", "Functional"
        if cls.__module__ == "deepgrad.keras.layers.operations":  # Keras op nodes: written as Keras writes them
            return f"keras.src.ops.{'core' if cls.__name__ == 'Cast' else 'numpy'}", cls.__name__, cls.__name__
        for prefix, module in _PUBLIC_MODULES:
            if cls.__module__.startswith(prefix):
                return module, cls.__name__, None
    module = None if cls.__module__ == "__main__" else cls.__module__
    return module, cls.__name__, get_registered_name(cls)


def serialize_function(fn):
    """A function as Keras writes it: a Python lambda as its marshalled bytecode ('__lambda__'),
    a named function as {'module', 'class_name': 'function', 'config': name, 'registered_name'}."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}
    if not callable(fn):
        raise ValueError(f"Invalid input type for serialization. Received: {fn} of type {type(fn)}.")
    name = get_registered_name(fn)
    if activations.ACTIVATIONS.find(name) is fn:
        module = "keras.activations"
    elif losses.LOSSES.find(name) is fn:
        module = "keras.losses"
    else:
        module = getattr(fn, "__module__", None)
        module = None if module == "__main__" else module
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


def deserialize_function(config, safe_mode=None, custom_objects=None):
    """The function for a config written by serialize_function (a name or a function passes through).

    A named function is found only through the registry (resolve_function); a lambda's
    bytecode is loaded only with safe_mode=False (or inside SafeModeScope(False)).
    """
    if not isinstance(config, dict):
        return config
    if config.get("class_name") != "__lambda__":
        return resolve_function(config, custom_objects)
    if is_safe(safe_mode):
        raise ValueError(
            "Requested the deserialization of a `Lambda` layer whose `function` is a Python "
            "lambda. This carries a potential risk of arbitrary code execution and thus it is "
            "disallowed by default. If you trust the source of the artifact, pass "
            "`safe_mode=False` to the loading function."
        )
    inner = config["config"]
    if "value" in inner:  # Keras' generic form: [code, defaults, closure]
        code, defaults, closure = (list(inner["value"]) + [None, None])[:3]
    else:
        code, defaults, closure = inner["code"], inner.get("defaults"), inner.get("closure")
    code = marshal.loads(base64.decodebytes(code.encode("ascii")))
    cells = tuple(types.CellType(c) for c in closure) if closure is not None else None
    return types.FunctionType(code, {"__builtins__": __builtins__}, code.co_name,
                              tuple(defaults) if defaults is not None else None, cells)


def serialize_keras_object(obj):
    """The JSON-ready form of `obj` (Keras 3's serialize_keras_object)."""
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return serialize_dict(obj)
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, Tensor):
        return {"class_name": "__tensor__", "config": {"value": obj.data.tolist(), "dtype": obj.data.dtype.name}}
    if isinstance(obj, xp.ndarray):
        if obj.ndim == 0:
            return obj.item()
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, xp.generic):
        return obj.item()
    if isinstance(obj, xp.dtype):
        return obj.name
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize object {obj!r} of type {type(obj).__name__}: to be serializable, "
            "a class must implement the `get_config()` method."
        )
    inner = obj.get_config()
    if not isinstance(inner, dict):
        raise TypeError(f"The `get_config()` method of {obj!r} should return a dict. It returned: {inner!r}")
    module, class_name, registered_name = public_name(obj)
    config = {"module": module, "class_name": class_name, "config": serialize_dict(inner),
              "registered_name": registered_name}
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        config["build_config"] = serialize_dict(build_config)
    compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
    if compile_config is not None:
        config["compile_config"] = serialize_dict(compile_config)
    return config


def serialize_dict(obj):
    return {key: serialize_keras_object(value) for key, value in obj.items()}


# ------------------------------------------------------------------ deserialize


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, kind=None):
    """The object a config written by serialize_keras_object (or by Keras 3) describes.

    Args:
        config: a plain value, list, dict, or {'class_name', 'config', ...}.
        custom_objects: name -> class or function, searched before the built-ins.
        safe_mode: False allows a lambda's bytecode to load (it can run any code); inside a
            loading call, that call's safe_mode (SafeModeScope) takes precedence, as in Keras.
        kind: which built-ins a config without a Keras 'module' names ('layer', 'loss', ...).
    """
    if in_safe_mode() is not None:
        safe_mode = in_safe_mode()
    if config is None or isinstance(config, PLAIN_TYPES):
        if isinstance(config, str):  # a custom object written by name ('my_loss' in a compile config)
            found = find_custom_object([config], custom_objects)
            return config if found is None else found
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects, safe_mode, kind) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode, kind) for k, v in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    if class_name == "__numpy__":
        return xp.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tensor__":
        return Tensor(xp.array(inner["value"], dtype=inner["dtype"]))
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner.get(k), custom_objects, safe_mode)
                       for k in ("start", "stop", "step")))
    if class_name == "__lambda__":
        return deserialize_function(config, safe_mode=safe_mode, custom_objects=custom_objects)
    if class_name == "__keras_tensor__":
        raise ValueError("A symbolic tensor (__keras_tensor__) can only appear in a functional model's nodes")
    if class_name.startswith("__"):
        raise ValueError(f"Unsupported serialized type '{class_name}' (module {config.get('module')!r})")
    if class_name == "function":
        return resolve_function(config, custom_objects)
    if not isinstance(inner, dict):
        raise ValueError(f"Expected 'config' to be a dict for {class_name}. Received: {inner!r}")
    cls = resolve_class(config, kind, custom_objects)
    if not isinstance(cls, type):
        return cls
    if not hasattr(cls, "from_config"):
        raise ValueError(f"Unable to reconstruct an instance of '{class_name}': the class has no from_config()")
    with CustomObjectScope(custom_objects or {}), SafeModeScope(safe_mode):
        instance = from_config(cls, inner, custom_objects)
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True):
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(compile_config)
    return instance


def from_config(cls, config, custom_objects=None):
    """cls.from_config(config), handing on custom_objects where from_config takes them."""
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(dict(config), custom_objects=custom_objects)
    return cls.from_config(dict(config))


def serialize_layer(layer):
    """A layer held by another layer (a wrapper's, an RNN's cell), as Keras writes it."""
    return serialize_keras_object(layer)


def deserialize_layer(config, custom_objects=None):
    """The layer a config describes (a layer instance passes through); ValueError if it is not a layer."""
    if hasattr(config, "get_config") and not isinstance(config, dict):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Could not deserialize a layer: expected a dict with 'class_name' and 'config'. "
            f"Received: {config!r}"
        )
    layer = deserialize_keras_object(config, custom_objects, kind="layer")
    if not hasattr(layer, "get_config") or not hasattr(layer, "built"):
        raise ValueError(f"The config of '{config['class_name']}' does not describe a layer. Received: {layer!r}")
    return layer
