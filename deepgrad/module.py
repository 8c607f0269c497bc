"""tf.Module and tf.name_scope: objects that own variables, found through their attributes.

    class Dense(tf.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.random.normal([n_in, n_out]), name="w")
            self.b = tf.Variable(tf.zeros([n_out]), name="b")

    class MLP(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(3, 8), Dense(8, 1)]

    MLP().trainable_variables   # the four variables of both Dense modules

Tracking is TensorFlow's: nothing is registered when an attribute is set; `variables`,
`submodules`, ... walk the module's attributes when asked, in sorted attribute order, going
into lists, tuples and dicts (dict keys sorted). A module yields what its own attributes hold,
then each submodule found, in that order, does the same (each object once). For the tree

    root: a = Inner(c, w, deep=Leaf(v)), b = Variable, z = Inner(c, w)

`variables` is [b, a.c, a.w, a.deep.v, z.c, z.w] and `submodules` is [a, z, a.deep].

Keras layers and models held in attributes count as submodules and contribute their weights
(`layer.trainable_weights` to `trainable_variables`, the others to `non_trainable_variables`),
as tf.keras 2 layers did. TensorFlow 2.21 with Keras 3 does not: there a Keras layer is no
tf.Module and a tf.Module holding one lists none of its variables, which silently leaves the
layer out of a hand-written training loop; deepgrad follows what such code expects.

`tf.name_scope(name)` nests names ("outer/inner/"); a module's `name_scope` is its own
absolute scope, and `@tf.Module.with_name_scope` runs a method inside it.
"""
import functools
import re
import sys
import threading

from .variable import Variable

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Module's own bookkeeping, never walked for variables
_OWN_ATTRIBUTES = frozenset(("_name", "_scope_name", "_deferred_restores"))


class _Scopes(threading.local):
    def __init__(self):
        self.stack = [""]


_scopes = _Scopes()


class name_scope:  # noqa: N801 (TensorFlow's name)
    """A context that nests names: `with tf.name_scope("block") as scope:` gives "block/" inside
    an empty scope, "outer/block/" inside "outer". A name ending with "/" is an absolute scope.

    Args:
        name: the scope's name (a string, not empty).
    """

    def __init__(self, name):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name_scope: the name must be a non-empty string. Received: name={name!r}")
        self._name = name

    @property
    def name(self):
        return self._name

    def __enter__(self):
        scope = self._name if self._name.endswith("/") else f"{_scopes.stack[-1]}{self._name}/"
        _scopes.stack.append(scope)
        return scope

    def __exit__(self, *exc):
        _scopes.stack.pop()
        return False


def current_name_scope():
    """The scope names are made in now: "" at the top, "outer/inner/" inside two scopes."""
    return _scopes.stack[-1]


def get_current_name_scope():
    """tf.get_current_name_scope(): the current scope as TensorFlow writes it ("outer/inner", "" at the top)."""
    return current_name_scope().rstrip("/")


def _snake_case(name):
    """TensorFlow's default module name: MyModule -> my_module, MLP -> mlp."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


def is_keras_layer(obj):
    """Whether `obj` is a Keras layer or model, without importing deepgrad.keras (no Keras layer
    can exist before it is loaded)."""
    layer_module = sys.modules.get("deepgrad.keras.layers.layer")
    return layer_module is not None and isinstance(obj, layer_module.Layer)


def _is_module(obj):
    return isinstance(obj, Module) or is_keras_layer(obj)


def nested_items(value, path=()):
    """(path, leaf) for every leaf of a nest of lists, tuples and dicts (keys sorted), as tf.nest."""
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            yield from nested_items(value[key], path + (key,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from nested_items(item, path + (i,))
    else:
        yield path, value


def children(obj):
    """(path, child) for what a module's attributes hold (a Keras layer: its own weights by index
    under 'weights', then its direct sublayers by index under 'layers'), in TensorFlow's order."""
    if is_keras_layer(obj):
        sub = {id(w) for layer in obj.layers for w in layer.weights}
        own = [w for w in obj.weights if id(w) not in sub]
        return [(("weights", i), w) for i, w in enumerate(own)] + \
            [(("layers", i), layer) for i, layer in enumerate(obj.layers)]
    attributes = vars(obj)
    return [((key,) + path, leaf)
            for key in sorted(attributes) if key not in _OWN_ATTRIBUTES
            for path, leaf in nested_items(attributes[key])]


def _walk(module, predicate, recursive, path, seen):
    submodules = []
    for child_path, leaf in children(module):
        if id(leaf) in seen:
            continue
        seen.add(id(leaf))
        full_path = path + child_path
        if predicate(leaf):
            yield full_path, leaf
        if recursive and _is_module(leaf):
            submodules.append((full_path, leaf))
    for sub_path, sub in submodules:
        yield from _walk(sub, predicate, recursive, sub_path, seen)


def _is_variable(obj):
    return isinstance(obj, Variable)


class Module:
    """A named container of variables and other modules (TensorFlow's tf.Module).

    Args:
        name: the module's name, a Python identifier; the snake_case class name when omitted.
    """

    def __init__(self, name=None):
        if name is None:
            name = _snake_case(type(self).__name__)
        elif not (isinstance(name, str) and _IDENTIFIER.match(name)):
            raise ValueError(
                f"{name!r} is not a valid module name. Module names must be valid Python "
                "identifiers (e.g. a valid class name)."
            )
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_scope_name", f"{current_name_scope()}{name}/")

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        for restore, path in list(self.__dict__.get("_deferred_restores", ())):
            restore.attribute_set(self, path, name, value)

    @property
    def name(self):
        """The name given at construction."""
        return self._name

    @property
    def name_scope(self):
        """This module's absolute name scope ("outer/name/" when made inside name_scope("outer"))."""
        return name_scope(self._scope_name)

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run `method` inside its module's name_scope."""
        @functools.wraps(method)
        def method_in_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return method_in_scope

    def _flatten(self, recursive=True, predicate=None, with_path=False):
        """Everything under this module's attributes for which `predicate` holds, each once, in
        TensorFlow's order (see the module docstring); with_path: (path tuple, object) pairs."""
        predicate = predicate or (lambda _: True)
        found = _walk(self, predicate, recursive, (), {id(self)})
        return tuple(found) if with_path else tuple(leaf for _, leaf in found)

    @property
    def variables(self):
        """Every Variable of this module and its submodules (Keras layers' weights included)."""
        return self._flatten(predicate=_is_variable)

    @property
    def trainable_variables(self):
        """The trainable Variables (a frozen Keras layer's weights are not)."""
        frozen = self._frozen_keras_weights()
        return tuple(v for v in self.variables if v.trainable and id(v) not in frozen)

    @property
    def non_trainable_variables(self):
        """The Variables that are not trainable."""
        trainable = {id(v) for v in self.trainable_variables}
        return tuple(v for v in self.variables if id(v) not in trainable)

    @property
    def submodules(self):
        """Every module under this one (Keras layers and models included), in the order of `variables`."""
        return self._flatten(predicate=_is_module)

    def _frozen_keras_weights(self):
        frozen = set()
        for layer in self._flatten(predicate=is_keras_layer):
            trainable = {id(w) for w in layer.trainable_weights}
            frozen.update(id(w) for w in layer.weights if id(w) not in trainable)
        return frozen

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} name={self._name}>"


__all__ = ["Module", "current_name_scope", "name_scope"]
