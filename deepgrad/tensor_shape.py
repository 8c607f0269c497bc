"""tf.TensorShape and tf.TensorSpec: shapes with unknown dimensions, and the type of a tensor.

A `TensorShape` is a tuple of its dimensions (Python ints, `None` for an unknown one), so it
compares equal to tuples and goes wherever NumPy takes a shape:

    s = tf.TensorShape([None, 3])
    s == (None, 3), s.as_list(), s.rank, s[-1]     # True, [None, 3], 2, 3
    s.is_compatible_with([32, 3])                 # True: None matches any size
    tf.TensorShape([2, 3]).num_elements()         # 6; None while a dimension is unknown

A shape of unknown rank, `TensorShape(None)`, has no dimensions to list, count or iterate
(ValueError, as in TensorFlow). Equality is TensorFlow 2's: dimension by dimension, `None`
equal to `None`; lists and tuples are compared as shapes.

`TensorSpec(shape, dtype, name)` describes the tensors a function accepts (tf.function's
input_signature) or a dataset yields (element_spec).
"""
import operator

from .backend import xp
from .dtypes import as_dtype, float32

# tuple's own methods, which TensorShape's overrides call (module globals: the fastest lookup on a hot path)
_new_tuple, _tuple_getitem, _tuple_eq, _tuple_ne = tuple.__new__, tuple.__getitem__, tuple.__eq__, tuple.__ne__


def _dimension(value):
    """One dimension as a Python int >= 0, or None when unknown."""
    if value is None or (value.__class__ is int and value >= 0):
        return value
    try:
        size = operator.index(value)
    except TypeError:
        raise TypeError(
            "TensorShape: a dimension must be an integer or None (or have an __index__ method). "
            f"Received: {value!r} of type {type(value)}"
        ) from None
    if size < 0:
        raise ValueError(f"TensorShape: dimension {size} must be >= 0")
    return size


class TensorShape(tuple):
    """The shape of a tensor: a tuple of dimensions, each an int or None (unknown).

    Args:
        dims: an iterable of ints / None, a single int (a rank-1 shape), a 1-D integer
            array or tensor (`tf.shape(x)`), another TensorShape, or None for a shape of
            unknown rank.
    """

    __slots__ = ()
    _known_rank = True

    def __new__(cls, dims):
        if isinstance(dims, TensorShape):
            return dims
        if dims is None:
            return tuple.__new__(_UnknownRankShape)
        if hasattr(dims, "__array__"):  # a NumPy array or a tensor (e.g. from tf.shape): its values
            dims = xp.asarray(dims).reshape(-1).tolist()
        elif not hasattr(dims, "__iter__"):
            dims = (dims,)
        return tuple.__new__(TensorShape, [_dimension(d) for d in dims])

    # ------------------------------------------------------------------ facts

    @property
    def rank(self):
        """The number of dimensions, or None when the rank is unknown."""
        return tuple.__len__(self) if self._known_rank else None

    ndims = rank

    @property
    def dims(self):
        """The dimensions as a list (ints and None), or None when the rank is unknown."""
        return list(self) if self._known_rank else None

    def as_list(self):
        """The dimensions as a list of ints and None."""
        if not self._known_rank:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self)

    def is_fully_defined(self):
        """True when the rank and every dimension are known."""
        return self._known_rank and None not in tuple.__iter__(self)

    def num_elements(self):
        """The product of the dimensions (1 for a scalar), or None unless fully defined."""
        if not self.is_fully_defined():
            return None
        count = 1
        for size in self:
            count *= size
        return count

    # ------------------------------------------------------------------ compatibility

    def is_compatible_with(self, other):
        """True when some fully defined shape could be both: an unknown rank matches any shape,
        and a None dimension any size."""
        other = as_shape(other)
        if not (self._known_rank and other._known_rank):
            return True
        if len(self) != len(other):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self, other))

    def assert_is_compatible_with(self, other):
        """Raise ValueError unless `is_compatible_with(other)`."""
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are incompatible")

    def merge_with(self, other):
        """The shape that combines what both know: each None filled from the other.

        Raises ValueError when the shapes are not compatible.
        """
        other = as_shape(other)
        if not self._known_rank:
            return other
        if not other._known_rank:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([b if a is None else a for a, b in zip(self, other)])

    def most_specific_compatible_shape(self, other):
        """The most specific shape compatible with both: dimensions that differ become None,
        ranks that differ give an unknown rank."""
        other = as_shape(other)
        if not (self._known_rank and other._known_rank) or len(self) != len(other):
            return TensorShape(None)
        return TensorShape([a if a == b else None for a, b in zip(self, other)])

    def concatenate(self, other):
        """The dimensions of this shape followed by those of `other` (unknown if either rank is)."""
        other = as_shape(other)
        if not (self._known_rank and other._known_rank):
            return TensorShape(None)
        return tuple.__new__(TensorShape, tuple.__add__(self, other))

    def with_rank(self, rank):
        """This shape merged with an unknown shape of `rank` dimensions (ValueError if its rank differs)."""
        if not self._known_rank:
            return TensorShape([None] * rank)
        if len(self) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank):
        """This shape, after checking it has at least `rank` dimensions (ValueError otherwise)."""
        if self._known_rank and len(self) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def with_rank_at_most(self, rank):
        """This shape, after checking it has at most `rank` dimensions (ValueError otherwise)."""
        if self._known_rank and len(self) > rank:
            raise ValueError(f"Shape {self} must have rank at most {rank}")
        return self

    # ------------------------------------------------------------------ the tuple protocol

    def __getitem__(self, key):
        """An int gives one dimension (int or None); a slice gives a TensorShape."""
        if key.__class__ is slice:
            return _new_tuple(TensorShape, _tuple_getitem(self, key))
        return _tuple_getitem(self, key)

    def __add__(self, other):
        """The concatenation, as TensorFlow; adding entries that are not sizes (the -1 of a
        reshape target) gives a plain tuple, as NumPy code expects."""
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return tuple(self) + tuple(other)
        return self.concatenate(other)

    def __radd__(self, other):
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return tuple(other) + tuple(self)
        return other.concatenate(self)

    def __eq__(self, other):
        """Dimension by dimension (None == None), against TensorShapes, tuples and lists."""
        if other.__class__ is tuple or other.__class__ is TensorShape:
            return _tuple_eq(self, other)
        if isinstance(other, list):
            return tuple.__eq__(self, tuple(other))
        if other is None or isinstance(other, _UnknownRankShape):
            return False
        return tuple.__eq__(self, other)

    def __ne__(self, other):
        if other.__class__ is tuple or other.__class__ is TensorShape:
            return _tuple_ne(self, other)
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    def __repr__(self):
        return f"TensorShape({list(self)})"

    def __str__(self):
        return tuple.__repr__(self)


class _UnknownRankShape(TensorShape):
    """TensorShape(None): nothing is known, not even the number of dimensions."""

    __slots__ = ()
    _known_rank = False

    def __len__(self):
        raise ValueError("Cannot take the length of shape with unknown rank.")

    def __bool__(self):
        return False

    def __iter__(self):
        raise ValueError("Cannot iterate over a shape with unknown rank.")

    def __getitem__(self, key):
        """Any dimension of an unknown shape is unknown; any slice is an unknown shape."""
        return self if isinstance(key, slice) else None

    def __eq__(self, other):
        return other is None or isinstance(other, _UnknownRankShape)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(None)

    def __getnewargs__(self):
        return (None,)

    def __repr__(self):
        return "TensorShape(None)"

    def __str__(self):
        return "<unknown>"


# The TensorShape of each array shape seen lately: Tensor.shape returns the shared (immutable)
# object instead of building one per call. Cleared when it grows past _MAX_KNOWN_SHAPES.
known_shapes = {}
_MAX_KNOWN_SHAPES = 1024


def remember_shape(array_shape):
    """The TensorShape of `array_shape` (a tuple of ints from NumPy), kept in `known_shapes`."""
    if len(known_shapes) >= _MAX_KNOWN_SHAPES:
        known_shapes.clear()
    shape = known_shapes[array_shape] = _new_tuple(TensorShape, array_shape)
    return shape


def as_shape(shape):
    """`shape` as a TensorShape (a TensorShape is returned as it is)."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def _dtype_repr(dtype):
    """TensorFlow's name of a dtype: tf.float32, tf.string for text (NumPy's object dtype)."""
    return "tf.string" if dtype.kind == "O" else f"tf.{dtype.name}"


class TensorSpec:
    """The type of a tensor: its shape (TensorShape, None dimensions allowed) and dtype.

    Args:
        shape: anything TensorShape accepts (None: unknown rank).
        dtype: a dtype or its name; float32 by default.
        name: an optional name (for a function argument).
    """

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = as_dtype(dtype)
        self._name = name

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        """The spec of `tensor` (its shape and dtype)."""
        return cls(tensor.shape, tensor.dtype, name)

    @classmethod
    def from_spec(cls, spec, name=None):
        """A copy of `spec`, renamed to `name` when given."""
        return cls(spec.shape, spec.dtype, spec.name if name is None else name)

    def is_compatible_with(self, spec_or_tensor):
        """True when `spec_or_tensor` (a TensorSpec or a tensor) has this dtype and a compatible shape.

        As in TensorFlow, values that are not tensors (NumPy arrays, lists) are not compatible.
        """
        other = spec_or_tensor
        if not isinstance(other, TensorSpec):
            if not _is_tensor_like(other):
                return False
            other = TensorSpec(tuple(other.shape), other.dtype)
        return self._dtype == other.dtype and self._shape.is_compatible_with(other.shape)

    def most_specific_common_supertype(self, others):
        """The most specific spec that all of self and `others` fit, or None if their dtypes differ."""
        shape, name = self._shape, self._name
        for other in others:
            if not isinstance(other, TensorSpec) or other.dtype != self._dtype:
                return None
            shape = shape.most_specific_compatible_shape(other.shape)
            name = name if other.name == name else None
        return TensorSpec(shape, self._dtype, name)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return (self._shape, self._dtype, self._name) == (other._shape, other._dtype, other._name)

    def __hash__(self):
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self):
        return f"TensorSpec(shape={self._shape}, dtype={_dtype_repr(self._dtype)}, name={self._name!r})"


def _is_tensor_like(value):
    """A tensor or variable (deepgrad's or a symbolic one): it has a shape and a dtype and is no NumPy array."""
    return hasattr(value, "shape") and hasattr(value, "dtype") and not hasattr(value, "__array_interface__")
