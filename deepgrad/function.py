"""tf.function: the decorated function, run eagerly, with TensorFlow's argument checks.

deepgrad has no graphs: a `Function` calls the Python function on every call (TensorFlow's
`tf.config.run_functions_eagerly(True)` behaviour), checks `input_signature` as TensorFlow does,
and reports the tracing counts TensorFlow would (`experimental_get_tracing_count()`).
"""
import functools
import inspect
import weakref

from .backend import xp
from .tensor import Tensor
from .tensor_shape import TensorSpec
from .tf_api import _python_array


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None, experimental_follow_type_hints=None):
    """@tf.function: the function, run eagerly (deepgrad has no graphs), with TensorFlow's checks.

    The result is a `Function` that calls the Python function on every call, so it gives the
    same results as the plain function (TensorFlow's `run_functions_eagerly(True)` behaviour;
    Python side effects such as print run on every call, not only while tracing). What TensorFlow
    checks is checked: `input_signature` (a list or tuple of TensorSpecs, possibly nested) fixes
    the number of arguments and their shapes and dtypes; arguments that are not tensors are
    converted to the spec's dtype. `jit_compile`, `autograph`, `reduce_retracing` and the
    `experimental_*` options are accepted; only `reduce_retracing` changes something: the
    count that `experimental_get_tracing_count()` reports.

    Works as a decorator with or without arguments, and on methods (`@tf.function def
    train_step(self, x)`): each instance gets its own bound Function.
    """
    def decorate(python_function):
        return Function(python_function, input_signature,
                        reduce_retracing=bool(reduce_retracing or experimental_relax_shapes),
                        jit_compile=jit_compile, autograph=autograph)

    return decorate if func is None else decorate(func)


class Function:
    """What tf.function returns: a callable that runs `python_function` eagerly.

    Keeps the function's `__name__`, `__doc__` and `__wrapped__`; `python_function` is the
    original function (for a method, the function defined in the class).
    """

    def __init__(self, python_function, input_signature=None, reduce_retracing=False, jit_compile=None,
                 autograph=True, instance_ref=None):
        if not callable(python_function):
            raise TypeError(f"{python_function!r} is not a callable object")
        functools.update_wrapper(self, python_function,
                                 updated=("__dict__",) if inspect.isfunction(python_function) else ())
        self._python_function = python_function
        self._instance_ref = instance_ref
        self._input_signature = _checked_signature(self._target, input_signature, instance_ref is None)
        self._reduce_retracing = reduce_retracing
        self._options = {"jit_compile": jit_compile, "autograph": autograph}
        self._traces = []
        self._bound = weakref.WeakKeyDictionary()

    @property
    def python_function(self):
        """The Python function that was decorated."""
        return self._python_function

    @property
    def input_signature(self):
        """The input_signature as a tuple, or None when none was given."""
        return self._input_signature

    @property
    def _target(self):
        """What a call runs: the function, or for a method the function bound to its instance."""
        if self._instance_ref is None:
            return self._python_function
        instance = self._instance_ref()
        return self._python_function.__get__(instance, type(instance))

    def __get__(self, instance, owner=None):
        """A method's Function bound to `instance`: the same object on every access (as TensorFlow),
        holding the instance weakly so that the class-level cache keeps no instance alive."""
        if instance is None or not hasattr(self._python_function, "__get__"):
            return self
        try:
            bound = self._bound.get(instance)
            instance_ref = weakref.ref(instance)
        except TypeError:  # an instance that cannot be weakly referenced or hashed: a new Function each time
            bound, instance_ref = None, lambda: instance
        if bound is None:
            bound = Function(self._python_function, self._input_signature, self._reduce_retracing,
                             instance_ref=instance_ref, **self._options)
            try:
                self._bound[instance] = bound
            except TypeError:
                pass
        return bound

    def __call__(self, *args, **kwargs):
        target = self._target
        if self._input_signature is not None:
            args, kwargs = _bind_to_signature(target, self._input_signature, args, kwargs)
        self._note_trace(args, kwargs)
        return target(*args, **kwargs)

    def get_concrete_function(self, *args, **kwargs):
        """The function specialised to these arguments (TensorSpecs, tensors or Python values),
        or to the input_signature when none are given: a ConcreteFunction that takes the tensor
        arguments and keeps the Python values fixed."""
        if self._input_signature is not None and not args and not kwargs:
            args = self._input_signature
        return ConcreteFunction(self._target, args, kwargs)

    def experimental_get_tracing_count(self):
        """How many times TensorFlow would have traced this function so far: once per new
        combination of argument shapes/dtypes and Python values (tensor shapes relaxed to None
        where they differ, with reduce_retracing=True); once in all with an input_signature."""
        return len(self._traces)

    def _note_trace(self, args, kwargs):
        key = _trace_key((args, kwargs)) if self._input_signature is None else "input_signature"
        if any(_trace_matches(trace, key) for trace in self._traces):
            return
        if self._reduce_retracing:
            for trace in reversed(self._traces):
                relaxed = _relaxed_trace(trace, key)
                if relaxed is not _NO_TRACE:
                    key = relaxed
                    break
        self._traces.append(key)


class ConcreteFunction:
    """tf.function specialised to one signature: call it with the tensor arguments only.

    `structured_input_signature` is (positional specs, keyword specs) as TensorFlow gives it:
    a TensorSpec named after its parameter for each tensor argument, the value itself for each
    Python argument.
    """

    def __init__(self, target, args, kwargs):
        signature = inspect.signature(target)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"get_concrete_function: {e}. Received: args={args}, kwargs={kwargs}") from None
        bound.apply_defaults()
        self._target = target
        self._signature = signature
        self._specs = {name: _named_spec(_spec_of(value), name) for name, value in bound.arguments.items()}
        self._tensor_params = [name for name, spec in self._specs.items() if _has_spec(spec)]

    @property
    def structured_input_signature(self):
        bound = inspect.BoundArguments(self._signature, dict(self._specs))
        return bound.args, bound.kwargs

    def __call__(self, *args, **kwargs):
        if len(args) > len(self._tensor_params):
            raise _binding_error("too many positional arguments", args, kwargs, self._specs)
        given = dict(zip(self._tensor_params, args))
        for name, value in kwargs.items():
            if name not in self._tensor_params or name in given:
                raise _binding_error(f"got an unexpected keyword argument '{name}'", args, kwargs, self._specs)
            given[name] = value
        missing = [name for name in self._tensor_params if name not in given]
        if missing:
            raise _binding_error(f"missing a required argument: '{missing[0]}'", args, kwargs, self._specs)
        arguments = dict(self._specs)
        for name, value in given.items():
            try:
                arguments[name] = _conform(value, self._specs[name])
            except _Mismatch as e:
                raise _binding_error(str(e), args, kwargs, self._specs) from None
        bound = inspect.BoundArguments(self._signature, arguments)
        return self._target(*bound.args, **bound.kwargs)

    def __repr__(self):
        described = ", ".join(f"{name}: {spec}" for name, spec in self._specs.items())
        return f"<ConcreteFunction ({described})>"


class _Mismatch(Exception):
    """An argument that does not fit its TensorSpec (the reason, in TensorFlow's words)."""


def _checked_signature(target, input_signature, may_be_method):
    """input_signature as a tuple, after TensorFlow's checks against the parameters of `target`.

    A plain function whose first parameter is `self` is taken as a method: the signature
    describes the parameters after it.
    """
    if input_signature is None:
        return None
    if not isinstance(input_signature, (list, tuple)):
        raise TypeError(f"input_signature must be either a tuple or a list, got {type(input_signature)}.")
    params = list(inspect.signature(target).parameters.values())
    if may_be_method and params and params[0].name == "self":
        params = params[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return tuple(input_signature)
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(input_signature) > len(positional):
        extra = len(input_signature) - len(positional)
        raise TypeError(f"input_signature contains {extra} extra type constraints.")
    for p in positional[len(input_signature):]:
        if p.default is p.empty:
            raise TypeError(f"input_signature missing type constraint for {p.name}")
    return tuple(input_signature)


def _bind_to_signature(target, input_signature, args, kwargs):
    """(args, kwargs) for `target` with each argument checked against, and converted to, its spec."""
    signature = inspect.signature(target)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as e:
        raise _binding_error(str(e), args, kwargs, _described(signature, input_signature)) from None
    bound.apply_defaults()
    values = []  # (parameter name, index within *args or None, value), in the order of input_signature
    for name, value in bound.arguments.items():
        if signature.parameters[name].kind is inspect.Parameter.VAR_POSITIONAL:
            if len(values) + len(value) > len(input_signature):
                raise _binding_error("too many positional arguments", args, kwargs,
                                     _described(signature, input_signature))
            values.extend((name, i, v) for i, v in enumerate(value))
        else:
            values.append((name, None, value))
    arguments = dict(bound.arguments)
    for (name, index, value), spec in zip(values, input_signature):
        try:
            converted = _conform(value, spec)
        except _Mismatch as e:
            raise _binding_error(str(e), args, kwargs, _described(signature, input_signature)) from None
        if index is None:
            arguments[name] = converted
        else:
            arguments[name] = arguments[name][:index] + (converted,) + arguments[name][index + 1:]
    bound = inspect.BoundArguments(signature, arguments)
    return bound.args, bound.kwargs


def _described(signature, input_signature):
    """{parameter name: spec} for the error messages."""
    names = [p.name for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return {names[i] if i < len(names) else f"args_{i}": spec for i, spec in enumerate(input_signature)}


def _binding_error(reason, args, kwargs, specs):
    described = ", ".join(f"{name}: {spec}" for name, spec in specs.items())
    return TypeError(f"Binding inputs to tf.function failed due to `{reason}`. "
                     f"Received args: {args} and kwargs: {kwargs} for signature: ({described}).")


def _conform(value, spec):
    """`value` checked against `spec` (a TensorSpec, a nest of them, or a fixed Python value):
    tensors must fit, other values are converted to the spec's dtype first. Raises _Mismatch."""
    if isinstance(spec, TensorSpec):
        if not isinstance(value, Tensor):
            value = _converted(value, spec.dtype)
        if not spec.is_compatible_with(value):
            raise _Mismatch(f"Can not cast {TensorSpec.from_tensor(value)} to {spec}")
        return value
    if isinstance(spec, (list, tuple)):
        if not isinstance(value, tuple if isinstance(spec, tuple) else list) \
                or len(value) != len(spec):
            raise _Mismatch(f"Can not cast {value!r} to {type(spec).__name__} type.")
        return type(value)(_conform(v, s) for v, s in zip(value, spec))
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise _Mismatch(f"{value!r} has different keys than the signature's {sorted(spec)}.")
        return {k: _conform(value[k], spec[k]) for k in spec}
    return spec


def _converted(value, dtype):
    """A value that is not a tensor as a Tensor of `dtype`, refusing lossy conversions (text,
    or floats to an integer dtype) as TensorFlow does."""
    try:
        natural = _python_array(value)
        if natural.dtype.kind in "OUS" and dtype.kind != "O" or natural.dtype.kind == "f" and dtype.kind in "biu":
            raise ValueError
        return Tensor(_python_array(value, dtype))
    except (TypeError, ValueError):
        raise _Mismatch(f"Cannot convert {value!r} to a tensor of dtype {dtype.name}") from None


def _spec_of(value):
    """The signature entry of a get_concrete_function argument: TensorSpecs stay, tensors and
    arrays become their TensorSpec, nests are mapped, Python values stay as they are."""
    if isinstance(value, TensorSpec):
        return value
    if isinstance(value, (Tensor, xp.ndarray)):
        return TensorSpec(value.shape, value.dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_spec_of(v) for v in value)
    if isinstance(value, dict):
        return {k: _spec_of(v) for k, v in value.items()}
    return value


def _named_spec(spec, name):
    """A top-level TensorSpec without a name takes its parameter's name, as TensorFlow names them."""
    if isinstance(spec, TensorSpec) and spec.name is None:
        return TensorSpec(spec.shape, spec.dtype, name)
    return spec


def _has_spec(spec):
    if isinstance(spec, TensorSpec):
        return True
    if isinstance(spec, (list, tuple)):
        return any(_has_spec(s) for s in spec)
    if isinstance(spec, dict):
        return any(_has_spec(s) for s in spec.values())
    return False


def _trace_key(value):
    """What TensorFlow traces a call by: the TensorSpec of each tensor or array, the structure of
    lists, tuples and dicts, the value of numbers and strings, the identity of any other object
    (kept as its id, so that no object is held alive by the count)."""
    if isinstance(value, (Tensor, xp.ndarray)):
        return TensorSpec(value.shape, value.dtype)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_trace_key(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple((repr(k), _trace_key(value[k])) for k in sorted(value, key=repr))
    if isinstance(value, (int, float, complex, str, bytes, type(None), xp.generic)):
        return ("value", type(value), value)
    return ("id", id(value))


def _trace_matches(trace, key):
    """Whether a call with `key` reuses `trace`: same structure and values, tensor shapes compatible."""
    if isinstance(trace, TensorSpec):
        return isinstance(key, TensorSpec) and trace.is_compatible_with(key)
    if isinstance(trace, tuple) and isinstance(key, tuple):
        return len(trace) == len(key) and all(map(_trace_matches, trace, key))
    return type(trace) is type(key) and trace == key


def _relaxed_trace(trace, key):
    """The trace covering both (differing dimensions become None), or _NO_TRACE if they differ
    in anything but the sizes of tensors of the same rank and dtype."""
    if isinstance(trace, TensorSpec):
        if not isinstance(key, TensorSpec) or trace.dtype != key.dtype or trace.shape.rank != key.shape.rank:
            return _NO_TRACE
        return TensorSpec(trace.shape.most_specific_compatible_shape(key.shape), trace.dtype)
    if isinstance(trace, tuple) and isinstance(key, tuple):
        if len(trace) != len(key):
            return _NO_TRACE
        parts = tuple(map(_relaxed_trace, trace, key))
        return _NO_TRACE if any(p is _NO_TRACE for p in parts) else parts
    return trace if type(trace) is type(key) and trace == key else _NO_TRACE


_NO_TRACE = object()
