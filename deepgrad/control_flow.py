"""TensorFlow's control flow, run eagerly as Python: tf.cond, tf.case, tf.switch_case,
tf.while_loop, tf.map_fn, tf.foldl, tf.foldr, tf.scan, tf.vectorized_map, tf.py_function,
tf.numpy_function, and the graph-only no-ops tf.no_op, tf.group, tf.tuple,
tf.control_dependencies, tf.init_scope.

Every step is ordinary deepgrad ops, so gradients flow through the branch taken and through
every loop iteration. Structures (tuples, lists, dicts, namedtuples) follow tf.nest.
"""
import builtins
import contextlib

from . import nest, ops
from .backend import xp
from .errors import InvalidArgumentError
from .tensor import Tensor, as_tensor
from .tf_api import convert_to_tensor
from .missing import not_implemented


def _truth(pred):
    return builtins.bool(pred.data if isinstance(pred, Tensor) else pred)


def _tensors(structure):
    """Each leaf of `structure` as a tensor (TensorFlow's dtype rules for Python numbers)."""
    return nest.map_structure(lambda v: v if isinstance(v, Tensor) else convert_to_tensor(v), structure)


# ----------------------------------------------------------------------------- branches


def cond(pred, true_fn=None, false_fn=None, name=None):
    """true_fn() if pred else false_fn() (pred a Python or a scalar boolean tensor)."""
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError(f"cond: true_fn and false_fn must be callable. Received: true_fn={true_fn!r}, "
                        f"false_fn={false_fn!r}")
    return true_fn() if _truth(pred) else false_fn()


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The fn of the first pair whose pred is true, else default(); with exclusive=True more
    than one true pred is an InvalidArgumentError, as is no true pred without a default."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    truths = [_truth(p) for p, _ in pairs]
    if exclusive and builtins.sum(truths) > 1:
        raise InvalidArgumentError(None, None, f"case: exclusive=True: more than 1 conditions evaluated "
                                               f"as True: {truths}")
    for (_, fn), t in zip(pairs, truths):
        if t:
            return fn()
    if default is None:
        raise InvalidArgumentError(None, None, f"case: None of conditions evaluated as True: {truths}")
    return default()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """branch_fns[branch_index](); an index without a branch runs `default` (the last branch
    when None). branch_fns: a list of callables, a dict {int: callable} or (int, callable) pairs."""
    i = int(branch_index.data if isinstance(branch_index, Tensor) else branch_index)
    if isinstance(branch_fns, dict):
        table = dict(branch_fns)
    elif branch_fns and isinstance(branch_fns[0], (builtins.tuple, list)):
        table = dict(branch_fns)
    else:
        table = dict(enumerate(branch_fns))
    if i in table:
        return table[i]()
    return (default or table[max(table)])()


# ----------------------------------------------------------------------------- loops


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """loop_vars = body(*loop_vars) while cond(*loop_vars), at most `maximum_iterations` times.

    loop_vars is a tuple or list (a structure of tensors) or one tensor; the result has the
    structure body returns (loop_vars' when body never runs), every leaf a tensor.
    """
    if loop_vars is None or (isinstance(loop_vars, (list, builtins.tuple)) and not loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    packed = not isinstance(loop_vars, (list, builtins.tuple))
    state = _tensors((loop_vars,) if packed else loop_vars)
    steps = 0
    while (maximum_iterations is None or steps < int(maximum_iterations)) and _truth(cond(*state)):
        new = body(*state)
        if len(state) == 1 and not (isinstance(new, (list, builtins.tuple)) and len(new) == 1):
            new = (new,)
        nest.assert_same_structure(list(state), list(new), check_types=False)
        state = _tensors(new)
        steps += 1
    return state[0] if packed else state


def _slices(elems):
    """The structure of tensors `elems`, and a function giving its i-th slice along axis 0."""
    elems = _tensors(elems)
    leaves = nest.flatten(elems)
    n = leaves[0].shape[0] if leaves and leaves[0].ndim else None
    if n is None or builtins.any(t.ndim == 0 or t.shape[0] != n for t in leaves):
        raise ValueError(f"The elements must have the same non-zero size along axis 0. "
                         f"Received shapes: {[tuple(t.shape) for t in leaves]}")
    return n, lambda i: nest.pack_sequence_as(elems, [ops.getitem(t, i) for t in leaves])


def _stack(results, dtypes=None):
    """Per-step structures stacked leafwise on a new axis 0 (cast to `dtypes` when given)."""
    first = results[0]
    columns = zip(*[nest.flatten(r) for r in results])
    leaves = [ops.stack([as_tensor(v) if isinstance(v, Tensor) else convert_to_tensor(v) for v in col], 0)
              for col in columns]
    if dtypes is not None:
        leaves = [ops.cast(t, xp.dtype(d)) for t, d in zip(leaves, nest.flatten(dtypes))]
    return nest.pack_sequence_as(first, leaves)


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None):
    """fn applied to each slice of `elems` along axis 0, the results stacked (structures
    leafwise). fn_output_signature (or the older `dtype`) gives the output dtypes."""
    n, slice_of = _slices(elems)
    results = [fn(slice_of(i)) for i in range(n)]
    signature = fn_output_signature if fn_output_signature is not None else dtype
    if signature is not None:
        signature = nest.map_structure(lambda s: getattr(s, "dtype", s), signature)
    return _stack(results, signature)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """map_fn(fn, elems): fn on each slice along axis 0, the results stacked."""
    return map_fn(fn, elems)


def _fold(fn, elems, initializer, reverse):
    n, slice_of = _slices(elems)
    order = builtins.range(n - 1, -1, -1) if reverse else builtins.range(n)
    order = list(order)
    if initializer is None:
        acc, order = slice_of(order[0]), order[1:]
    else:
        acc = _tensors(initializer)
    return acc, [(i, slice_of(i)) for i in order]


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """acc = fn(acc, x) over the slices of elems along axis 0, first to last; acc starts at
    `initializer` (the first slice when None). Returns the final acc."""
    acc, steps = _fold(fn, elems, initializer, False)
    for _, x in steps:
        acc = fn(acc, x)
    return _tensors(acc)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """foldl from the last slice to the first."""
    acc, steps = _fold(fn, elems, initializer, True)
    for _, x in steps:
        acc = fn(acc, x)
    return _tensors(acc)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """Every acc of foldl (foldr with reverse=True), stacked along axis 0 in elems' order.

    Without an initializer the first slice (the last when reverse) is the first acc and
    appears as it is in the output.
    """
    n, slice_of = _slices(elems)
    order = list(builtins.range(n - 1, -1, -1) if reverse else builtins.range(n))
    accs = {}
    if initializer is None:
        acc = slice_of(order[0])
        accs[order[0]] = acc
        order = order[1:]
    else:
        acc = _tensors(initializer)
    for i in order:
        acc = _tensors(fn(acc, slice_of(i)))
        accs[i] = acc
    return _stack([accs[i] for i in builtins.range(n)])


# ----------------------------------------------------------------------------- calling Python


def _to_tout(value, tout):
    if tout is None:
        return None
    if isinstance(tout, (list, builtins.tuple)):
        values = value if isinstance(value, (list, builtins.tuple)) else [value]
        return [_to_tout(v, t) for v, t in zip(values, tout)]
    dtype = xp.dtype(getattr(tout, "as_numpy_dtype", tout))
    if dtype.kind in "SUO":
        data = value.data if isinstance(value, Tensor) else value
        return Tensor(xp.asarray(data if isinstance(data, bytes) else str(data).encode(), dtype=object))
    t = value if isinstance(value, Tensor) else convert_to_tensor(value)
    return t if t.dtype == dtype else ops.cast(t, dtype)


def py_function(func, inp, Tout, name=None):  # noqa: N803 (TensorFlow's name)
    """func(*inp) run now with the inputs as tensors, its results as tensors of the dtypes
    Tout (one dtype, or a list for several results). Gradients flow through the deepgrad ops
    func uses, as in TensorFlow."""
    args = [a if isinstance(a, Tensor) else convert_to_tensor(a) for a in inp]
    return _to_tout(func(*args), Tout)


def numpy_function(func, inp, Tout, stateful=True, name=None):  # noqa: N803 (TensorFlow's name)
    """func(*inp) run now with the inputs as NumPy arrays, its results as tensors of the dtypes
    Tout (no gradient)."""
    args = [(a if isinstance(a, Tensor) else convert_to_tensor(a)).numpy() for a in inp]
    return _to_tout(func(*args), Tout)


# ----------------------------------------------------------------------------- graph-only no-ops


def inside_function():
    """False: deepgrad never builds a graph (tf.function runs its Python eagerly)."""
    return False


def no_op(name=None):
    """Nothing (an operation that does nothing in a graph); returns None eagerly."""
    return None


def group(*inputs, **kwargs):
    """Nothing eagerly (in a graph: an op that waits for `inputs`); returns None."""
    return None


def tuple(tensors, control_inputs=None, name=None):  # noqa: A001 (TensorFlow's name)
    """The list of `tensors` unchanged (the grouping only matters in a graph)."""
    return list(tensors)


@contextlib.contextmanager
def control_dependencies(control_inputs):
    """A context that does nothing: eager ops already run in program order."""
    yield None


@contextlib.contextmanager
def init_scope():
    """A context that does nothing: deepgrad is always eager, which is what init_scope restores."""
    yield None


__getattr__ = not_implemented("tf")
