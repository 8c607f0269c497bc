"""tf.nest: walking nested structures of lists, tuples, namedtuples and dicts (dicts in sorted key
order, as TensorFlow does); anything else, tensors included, is a leaf.

    tf.nest.flatten({"b": [1, 2], "a": 3})            -> [3, 1, 2]
    tf.nest.map_structure(lambda t: t * 2, (x, [y]))  -> (2x, [2y])
"""
from .missing import not_implemented


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def is_nested(seq):
    """Whether `seq` is a list, a tuple or a mapping (a structure, not a leaf)."""
    return isinstance(seq, (list, tuple, dict))


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure, expand_composites=False):
    """The leaves of `structure`, depth first (a leaf alone gives [leaf])."""
    if not is_nested(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(like, children):
    if isinstance(like, dict):
        keys = sorted(like)
        return type(like)((k, v) for k, v in zip(keys, children)) if type(like) is not dict else dict(
            zip(keys, children))
    if _is_namedtuple(like):
        return type(like)(*children)
    return type(like)(children)


def _pack(structure, leaves, start):
    if not is_nested(structure):
        return leaves[start], start + 1
    children = []
    for child in _children(structure):
        packed, start = _pack(child, leaves, start)
        children.append(packed)
    return _rebuild(structure, children), start


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """`flat_sequence` arranged in the shape of `structure` (the inverse of flatten)."""
    flat_sequence = list(flat_sequence)
    want = len(flatten(structure))
    if want != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {want} atoms, but flat_sequence "
                         f"had {len(flat_sequence)} items. Structure: {structure}, flat_sequence: "
                         f"{flat_sequence}.")
    return _pack(structure, flat_sequence, 0)[0]


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raise ValueError (TypeError for differing sequence types) unless both have the same nesting."""
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1}\n\nSecond structure: {nest2}")
    if not is_nested(nest1):
        return
    if check_types and type(nest1) is not type(nest2):
        raise TypeError(f"The two structures don't have the same sequence type. Input structure has "
                        f"type {type(nest1)}, while shallow structure has type {type(nest2)}.")
    if isinstance(nest1, dict) and sorted(nest1) != sorted(nest2):
        raise ValueError(f"The two dictionaries don't have the same set of keys. First structure "
                         f"has keys {sorted(nest1)}, while second structure has keys {sorted(nest2)}.")
    a, b = _children(nest1), _children(nest2)
    if len(a) != len(b):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1}\n\nSecond structure: {nest2}")
    for x, y in zip(a, b):
        assert_same_structure(x, y, check_types)


def map_structure(func, *structure, **kwargs):
    """func applied to the matching leaves of the structures, in the first one's shape."""
    check_types = kwargs.pop("check_types", True)
    kwargs.pop("expand_composites", None)
    if kwargs:
        raise ValueError(f"Only valid keyword arguments are `check_types` and `expand_composites`. "
                         f"Received: {sorted(kwargs)}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types)
    leaves = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*args) for args in zip(*leaves)])


__getattr__ = not_implemented("tf.nest")
