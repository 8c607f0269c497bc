"""What every keras.ops module shares: turning arguments into tensors, Keras' dtype rules,
axis arguments, and the error for a name deepgrad lacks."""
import builtins

from ...backend import floatx, xp
from ...ops.elementwise import cast
from ...ops.shape import stack
from ...tensor import Tensor, as_tensor

_FLOAT_ORDER = ("float16", "bfloat16", "float32", "float64")


def unimplemented(module_name, names):
    """A module `__getattr__` that fails with 'deepgrad does not implement keras.ops.<name>'.

    `names` are the Keras names the module should provide; any other name gets
    Python's usual "module has no attribute" message.
    """
    public = "keras.ops" if module_name.rsplit(".", 1)[-1] in ("core", "numpy_math", "numpy_arrays",
                                                               "numpy_linalg") \
        else "keras.ops." + module_name.rsplit(".", 1)[-1]
    listed = frozenset(names)

    def __getattr__(name):
        if name in listed:
            raise AttributeError(f"deepgrad does not implement {public}.{name}")
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__


def standardize_dtype(dtype):
    """Keras' dtype name for `dtype` ('float32', 'int64', 'bool'); None gives floatx()."""
    if dtype is None:
        return xp.dtype(floatx()).name
    if isinstance(dtype, str):
        if dtype in ("float", "double"):
            return "float32" if dtype == "float" else "float64"
        if dtype == "int":
            return "int64"
        return xp.dtype(dtype).name
    if isinstance(dtype, type) and dtype in (builtins.bool, builtins.int, builtins.float):
        return {builtins.bool: "bool", builtins.int: "int64", builtins.float: "float32"}[dtype]
    if hasattr(dtype, "name") and not isinstance(dtype, xp.dtype):
        try:
            return xp.dtype(dtype.name).name
        except TypeError:
            pass
    return xp.dtype(dtype).name


def _kind(name):
    return "b" if name == "bool" else ("f" if name.startswith("float") else
                                       ("c" if name.startswith("complex") else
                                        ("u" if name.startswith("uint") else "i")))


def _strong_dtype(x):
    """The dtype name of a tensor or array argument, or None for a Python scalar (a 'weak' type)."""
    if isinstance(x, Tensor):
        return x.dtype.name
    if isinstance(x, xp.ndarray) or isinstance(x, xp.generic):
        return x.dtype.name
    if isinstance(x, (list, tuple)):
        arr = xp.asarray(x)
        if arr.dtype.kind == "f":
            return floatx()
        if arr.dtype.kind in "iu":
            return "int32"
        return arr.dtype.name
    if hasattr(x, "dtype") and not isinstance(x, (builtins.bool, builtins.int, builtins.float)):
        return standardize_dtype(x.dtype)
    return None


def _promote_two(a, b):
    """Keras' (JAX's) promotion of two strong dtypes: int with float gives the float,
    uint64 with a signed int gives floatx, otherwise the smallest type holding both."""
    ka, kb = _kind(a), _kind(b)
    if a == b:
        return a
    if ka == "b":
        return b
    if kb == "b":
        return a
    if ka == "f" and kb in "iu":
        return a
    if kb == "f" and ka in "iu":
        return b
    if {ka, kb} == {"i", "u"} and "uint64" in (a, b):
        return floatx()
    return xp.promote_types(a, b).name


def result_type(*args):
    """The dtype name Keras gives an op over `args` (tensors, arrays, dtypes or Python scalars).

    Strong types (tensors, arrays, dtypes) promote among themselves; Python
    scalars are weak: a float among ints gives floatx(), an int among bools gives
    int32, and neither changes a strong type of their own kind or a wider one.
    """
    strong = []
    weak = set()
    for a in args:
        if isinstance(a, (str, xp.dtype)) or (isinstance(a, type) and a not in (builtins.bool, builtins.int,
                                                                                 builtins.float)):
            strong.append(standardize_dtype(a))
            continue
        d = _strong_dtype(a)
        if d is None:
            weak.add("b" if isinstance(a, builtins.bool) else ("i" if isinstance(a, builtins.int) else "f"))
        else:
            strong.append(d)
    if strong:
        out = strong[0]
        for d in strong[1:]:
            out = _promote_two(out, d)
    else:
        out = None
    if "f" in weak and (out is None or _kind(out) in "biu"):
        return floatx()
    if "i" in weak and (out is None or out == "bool"):
        return "int32"
    if out is None:
        return "bool"
    return out


def to_tensor(x, dtype=None):
    """`x` as a Tensor (Python floats and float lists become floatx, ints int32, as Keras).

    A tensor is returned as is unless `dtype` differs, then cast (differentiably).
    """
    if isinstance(x, Tensor):
        if dtype is not None and x.dtype.name != standardize_dtype(dtype):
            return cast(x, standardize_dtype(dtype))
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(v, Tensor) for v in _leaves(x)):
        return to_tensor(stack([to_tensor(v) for v in x]), dtype)  # differentiable, as Keras' torch.stack
    if dtype is not None:
        return as_tensor(xp.asarray(x, dtype=standardize_dtype(dtype)))
    if isinstance(x, (xp.ndarray, xp.generic)):
        return as_tensor(xp.asarray(x))
    d = _strong_dtype(x)
    if d is None:
        d = result_type(x)
    return as_tensor(xp.asarray(x, dtype=d))


def _leaves(x):
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def axis_tuple(axis, ndim=None):
    """An axis argument (None, int, list or tuple) as None or a tuple of ints, made
    non-negative when `ndim` is given."""
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        axis = axis.data.tolist()
    if isinstance(axis, (list, tuple)):
        axes = tuple(int(a) for a in axis)
    else:
        axes = (int(axis),)
    if ndim is not None:
        axes = tuple(a % ndim if ndim else a for a in axes)
    return axes
