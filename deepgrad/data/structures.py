"""tf.data's elements: structures (a Tensor, or tuples, lists and dicts of them), their specs, batching and padding."""
import builtins
import os

from ..backend import xp
from ..dtypes import string as _string
from ..tensor import Tensor
from ..tensor_shape import TensorSpec


def _map_structure(fn, structure):
    """Apply fn to every leaf of a (nested) tuple/list/dict structure."""
    if isinstance(structure, dict):
        return {k: _map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):  # namedtuple
        return type(structure)(*(_map_structure(fn, v) for v in structure))
    if isinstance(structure, (tuple, list)):
        return tuple(_map_structure(fn, v) for v in structure)
    return fn(structure)


def _zip_structures(fn, structures):
    """Apply fn to the list of corresponding leaves of same-shaped structures."""
    first = structures[0]
    if isinstance(first, dict):
        return {k: _zip_structures(fn, [s[k] for s in structures]) for k in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(_zip_structures(fn, list(parts)) for parts in zip(*structures)))
    if isinstance(first, (tuple, list)):
        return tuple(_zip_structures(fn, list(parts)) for parts in zip(*structures))
    return fn(structures)


def _leaves(structure):
    out = []
    _map_structure(out.append, structure)
    return out


def _as_tensor(value, dtype=None):
    """A leaf as a gradient-free Tensor, cast to dtype when one is given."""
    if isinstance(value, Tensor):
        data = value.data
    elif isinstance(value, (xp.ndarray, xp.generic)):
        data = xp.asarray(value)  # NumPy arrays keep their dtype, as in TF
    elif isinstance(value, (str, bytes)):
        data = xp.asarray(value.encode() if isinstance(value, str) else value)  # tf.string: bytes
    else:
        data = Tensor(value).data  # Python numbers and lists: deepgrad's defaults (float32 for floats)
    if dtype is not None:
        dtype = _numpy_dtype(dtype)
        if not (dtype.kind == "O" and data.dtype.kind in "SUO"):  # tf.string keeps the text as it is
            data = data.astype(dtype, copy=False)
    if isinstance(value, Tensor) and data is value.data and not value.requires_grad:
        return value
    return Tensor(data)


def _spec_dtype(spec):
    """The dtype a from_generator type or TensorSpec-like signature names (None: keep)."""
    if spec is None or isinstance(spec, (type, str, xp.dtype)):
        return spec
    return getattr(spec, "dtype", spec)


def _spec_of_array(shape, dtype):
    """TensorSpec of arrays with this shape and dtype; NumPy text dtypes are tf.string."""
    dtype = xp.dtype(dtype)
    return TensorSpec(shape, _string if dtype.kind in "SUO" else dtype)


def _map_up_to(fn, structure, other):
    """fn(leaf, part) for each leaf of `structure` and the part of `other` at the same place.

    `other` follows `structure` only as deep as `structure` goes, so a list in `other` where
    `structure` has a leaf is one value (a shape); a non-container where `structure` has a
    container is used for every leaf below it (one padding value for all components).
    """
    if isinstance(structure, dict):
        if isinstance(other, dict):
            return {k: _map_up_to(fn, v, other[k]) for k, v in structure.items()}
        return {k: _map_up_to(fn, v, other) for k, v in structure.items()}
    if isinstance(structure, (tuple, list)):
        parts = other if isinstance(other, (tuple, list)) else [other] * len(structure)
        if len(parts) != len(structure):
            raise ValueError(
                f"The structure {other!r} does not match the dataset's elements ({len(structure)} components)."
            )
        mapped = (_map_up_to(fn, v, o) for v, o in zip(structure, parts))
        if hasattr(structure, "_fields"):
            return type(structure)(*mapped)
        return tuple(mapped)
    return fn(structure, other)


def _stack_batch(batch):
    """Elements stacked component by component along a new first axis."""
    return _zip_structures(lambda parts: Tensor(xp.stack([t.data for t in parts])), batch)


def _padded_shape(shape, rank):
    """A padded_shapes entry as a tuple of ints / None, checked against the component's rank."""
    if isinstance(shape, Tensor):
        shape = shape.data.tolist()
    if isinstance(shape, int):
        shape = (shape,)
    dims = tuple(None if d is None or int(d) == -1 else int(d) for d in shape)
    if rank is not None and len(dims) != rank:
        raise ValueError(
            f"padded_batch: padded_shapes {list(dims)} does not match a component of rank {rank}."
        )
    return dims


class _Column:
    """The tensors of one component across a batch (a leaf for the structure helpers), and its padded shape."""

    def __init__(self, tensors, shape=None):
        self.tensors = tensors
        self.shape = shape


def _pad_stack(parts, shape, value):
    """Stack tensors of one component, padded with `value` to `shape` (None dims: the batch's largest)."""
    arrays = [t.data for t in parts]
    rank = arrays[0].ndim
    if any(a.ndim != rank for a in arrays):
        raise ValueError(f"padded_batch: components differ in rank. Received shapes: {[a.shape for a in arrays]}")
    dims = (None,) * rank if shape is None else _padded_shape(shape, rank)
    target = tuple(max(a.shape[d] for a in arrays) if n is None else n for d, n in enumerate(dims))
    for a in arrays:
        if any(have > want for have, want in zip(a.shape, target)):
            raise ValueError(
                "padded_batch: Attempted to pad to a smaller size than the input element. "
                f"Received: element shape {a.shape}, padded shape {target}"
            )
    dtype = xp.result_type(*arrays) if arrays[0].dtype.kind in "SU" else arrays[0].dtype
    if value is None:
        value = b"" if dtype.kind == "S" else ("" if dtype.kind == "U" else 0)
    value = xp.asarray(value.data if isinstance(value, Tensor) else value)
    if value.ndim != 0:
        raise ValueError(f"padded_batch: a padding value must be a scalar. Received shape {value.shape}")
    out = xp.full((len(arrays),) + target, value, dtype=dtype)
    for i, a in enumerate(arrays):
        out[(i,) + tuple(builtins.slice(0, n) for n in a.shape)] = a
    return Tensor(out)


def _strings(value):
    """File names / patterns given as str, bytes, PathLike, Tensors or lists of them, as a list of str."""
    if isinstance(value, Tensor):
        value = value.data.tolist()
    if isinstance(value, (list, tuple)):
        return [name for v in value for name in _strings(v)]
    if isinstance(value, bytes):
        return [value.decode()]
    return [os.fspath(value)]


_END = object()  # next(iterator, _END): the end of a pass

# element_spec reads the first element of some pipelines; shuffles then keep their pass count.


def _numpy_dtype(dtype):
    return xp.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def _generator_spec(output_types, output_shapes, output_signature):
    """spec() for from_generator: from output_signature, or types with shapes; None: read the first element."""
    if output_signature is not None:
        return lambda: _map_structure(lambda sp: TensorSpec(sp.shape, sp.dtype), output_signature)
    if output_types is None:
        return None

    def spec():
        shapes = output_shapes
        if shapes is None:
            return _map_structure(lambda t: _spec_of_array(None, _numpy_dtype(t)), output_types)
        return _map_up_to(lambda t, shape: _spec_of_array(shape, _numpy_dtype(t)), output_types, shapes)

    return spec


def _to_elements(structure):
    return _map_structure(_as_tensor, structure)


def _input_elements(structure):
    """from_tensor_slices / from_tensors input as Tensors: as in TF, a list is one tensor, not a structure
    (["a", "b"] is a string vector; tuples and dicts are structures)."""
    if isinstance(structure, dict):
        return {k: _input_elements(v) for k, v in structure.items()}
    if isinstance(structure, tuple):
        parts = (_input_elements(v) for v in structure)
        return type(structure)(*parts) if hasattr(structure, "_fields") else tuple(parts)
    if isinstance(structure, list) and any(isinstance(v, (str, bytes)) for v in structure):
        structure = [v.encode() if isinstance(v, str) else v for v in structure]  # tf.string: bytes
    return _as_tensor(structure)


def _call(fn, element):
    """Call fn with a tuple element's components as separate arguments, as TF does."""
    if isinstance(element, tuple):
        return fn(*element)
    return fn(element)


def _check_count(name, value):
    if isinstance(value, Tensor):
        value = value.data
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TypeError(f"Dataset.{name} expects an integer. Received: {name}={value!r}") from None
