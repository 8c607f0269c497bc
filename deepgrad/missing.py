"""The one error for a TensorFlow or Keras name that deepgrad lacks.

`not_implemented("tf.math")` is a module-level `__getattr__` for deepgrad.math:
`tf.math.foo` then raises AttributeError("deepgrad does not implement tf.math.foo"),
the one-line message `deepgrad run` prints with the script's line.
"""


def message(public_name):
    return f"deepgrad does not implement {public_name}"


def not_implemented(scope):
    """A module `__getattr__` raising AttributeError naming `scope.name` (dunder lookups stay plain)."""

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(message(f"{scope}.{name}"))

    return __getattr__
