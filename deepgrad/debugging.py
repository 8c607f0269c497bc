"""tf.debugging: assertions checked now (eagerly), raising tf.errors.InvalidArgumentError with
TensorFlow's message ("Condition x == y did not hold. ..."), or ValueError for static facts
(ranks, shapes); tf.debugging.check_numerics; and the switches scripts call at start-up.

The asserts return None as TensorFlow's do eagerly; check_numerics returns its input.
"""
import builtins

from .backend import xp
from .errors import InvalidArgumentError
from .tensor import Tensor, as_tensor
from .missing import not_implemented

_settings = {"log_device_placement": False, "check_numerics": False}


def _array(x):
    return x.data if isinstance(x, Tensor) else xp.asarray(x)


def _fail(message, default):
    text = default if message is None else f"{message}\n{default}"
    raise InvalidArgumentError(None, None, text)


def _compare(symbol, ufunc):
    def assertion(x, y, message=None, summarize=None, name=None):
        a, b = _array(x), _array(y)
        a_b, b_b = xp.broadcast_arrays(a, b)
        bad = ~ufunc(a_b, b_b)
        if bad.any():
            where = xp.argwhere(bad)
            _fail(message, f"Condition x {symbol} y did not hold.\nIndices of first {len(where)} different "
                           f"values:\n{where}\nCorresponding x values:\n{a_b[bad]}\nCorresponding y values:\n"
                           f"{b_b[bad]}\nFirst {a.size} elements of x:\n{a.reshape(-1)}\nFirst {b.size} "
                           f"elements of y:\n{b.reshape(-1)}")

    assertion.__name__ = f"assert_{ufunc.__name__}"
    assertion.__doc__ = f"Raise InvalidArgumentError unless x {symbol} y everywhere (broadcasting)."
    return assertion


assert_equal = _compare("==", xp.equal)
assert_none_equal = _compare("!=", xp.not_equal)
assert_less = _compare("<", xp.less)
assert_less_equal = _compare("<=", xp.less_equal)
assert_greater = _compare(">", xp.greater)
assert_greater_equal = _compare(">=", xp.greater_equal)


def _sign(symbol, test):
    def assertion(x, message=None, summarize=None, name=None):
        a = _array(x)
        if not test(a).all():
            _fail(message, f"\nCondition x {symbol} did not hold element-wise:\nx (shape={a.shape} "
                           f"dtype={a.dtype}) = \n{a.reshape(-1).tolist()}")

    assertion.__doc__ = f"Raise InvalidArgumentError unless x {symbol} everywhere."
    return assertion


assert_positive = _sign("> 0", lambda a: a > 0)
assert_negative = _sign("< 0", lambda a: a < 0)
assert_non_negative = _sign(">= 0", lambda a: a >= 0)
assert_non_positive = _sign("<= 0", lambda a: a <= 0)


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raise InvalidArgumentError unless |x - y| <= atol + rtol * |y| everywhere
    (both tolerances 10 * eps of the dtype by default)."""
    a, b = _array(x), _array(y)
    eps = 10 * xp.finfo(a.dtype).eps if a.dtype.kind == "f" else 0
    rtol = eps if rtol is None else rtol
    atol = eps if atol is None else atol
    if not (xp.abs(a - b) <= atol + rtol * xp.abs(b)).all():
        _fail(message, f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}\nx (shape={a.shape} "
                       f"dtype={a.dtype}) = {a.reshape(-1).tolist()}\ny (shape={b.shape} dtype={b.dtype}) = "
                       f"{b.reshape(-1).tolist()}")


def assert_rank(x, rank, message=None, name=None):
    """Raise ValueError unless x has rank `rank`."""
    shape = _array(x).shape
    if len(shape) != int(rank):
        raise ValueError(f"{message or ''}Tensor must have rank {int(rank)}.  Received rank {len(shape)}, "
                         f"shape {shape}")


def assert_rank_at_least(x, rank, message=None, name=None):
    """Raise ValueError unless x has rank >= `rank`."""
    shape = _array(x).shape
    if len(shape) < int(rank):
        raise ValueError(f"{message or ''}Tensor must have rank at least {int(rank)}.  Received rank "
                         f"{len(shape)}, shape {shape}")


def assert_rank_in(x, ranks, message=None, name=None):
    """Raise ValueError unless x's rank is one of `ranks`."""
    shape = _array(x).shape
    if len(shape) not in [int(r) for r in ranks]:
        raise ValueError(f"{message or ''}Tensor must have rank in {list(ranks)}.  Received rank "
                         f"{len(shape)}, shape {shape}")


def assert_scalar(tensor, message=None, name=None):
    """Raise ValueError unless `tensor` is a scalar; returns it."""
    if _array(tensor).ndim != 0:
        raise ValueError(f"{message or ''}Expected scalar shape, saw shape: {_array(tensor).shape}.")
    return tensor


def assert_type(tensor, tf_type, message=None, name=None):
    """Raise TypeError unless `tensor` has dtype `tf_type`."""
    have, want = _array(tensor).dtype, xp.dtype(tf_type)
    if have != want:
        raise TypeError(f"{message or ''}tensor must be of type tf.{want}; got tf.{have}")


def assert_integer(x, message=None, name=None):
    """Raise TypeError unless x has an integer dtype."""
    if _array(x).dtype.kind not in "iu":
        raise TypeError(f"{message or ''}Expected integer type, got tf.{_array(x).dtype}.")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Raise ValueError unless every (tensor, dims) pair matches: an int dim is that size,
    a string dim a symbol that must have one size across all pairs, None or '.' any size."""
    sizes = {}
    pairs = shapes.items() if isinstance(shapes, dict) else shapes
    for tensor, dims in pairs:
        shape = _array(tensor).shape
        dims = list(dims)
        if len(dims) != len(shape):
            raise ValueError(f"{message or ''}Tensor shape={shape} must have rank {len(dims)}.  Received "
                             f"rank {len(shape)}, shape {shape}")
        for i, (d, n) in enumerate(zip(dims, shape)):
            if d is None or d == ".":
                continue
            want = sizes.setdefault(d, (n, shape))[0] if isinstance(d, str) else int(d)
            if n != want:
                raise ValueError(f"{message or ''}Tensor shape={shape} dimension {i} must have size {want}. "
                                 f" Received size {n}, shape {shape}")


def _numerics(tensor, message):
    a = _array(tensor)
    if a.dtype.kind in "fc":
        if xp.isnan(a).any():
            raise InvalidArgumentError(None, None, f"{message} : Tensor had NaN values")
        if xp.isinf(a).any():
            raise InvalidArgumentError(None, None, f"{message} : Tensor had Inf values")


def check_numerics(tensor, message, name=None):
    """`tensor` itself, after raising InvalidArgumentError if it holds a NaN or an Inf."""
    _numerics(tensor, message)
    return tensor


def assert_all_finite(x, message, name=None):
    """check_numerics(x, message)."""
    return check_numerics(x, message)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 (TensorFlow's name)
    """Raise InvalidArgumentError showing `data` unless `condition` is true."""
    if not builtins.bool(_array(condition)):
        shown = ", ".join(str(_array(d).reshape(-1).tolist()) if not isinstance(d, str) else d for d in data)
        raise InvalidArgumentError(None, None, f"Expected '{as_tensor(condition)}' to be true. "
                                               f"Summarized data: {shown}")


def is_numeric_tensor(tensor):
    """Whether `tensor` is a tensor with a number dtype."""
    return isinstance(tensor, Tensor) and tensor.dtype.kind in "biufc"


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Accepted for TensorFlow scripts; deepgrad does not check every op's output for NaN/Inf
    (tf.debugging.check_numerics and the Diagnostics callback do)."""
    _settings["check_numerics"] = True


def disable_check_numerics():
    """Undo enable_check_numerics."""
    _settings["check_numerics"] = False


def set_log_device_placement(enabled):
    """Accepted: every op runs on the CPU (NumPy), so there is no placement to log."""
    _settings["log_device_placement"] = builtins.bool(enabled)


def get_log_device_placement():
    """The last value given to set_log_device_placement (False at start)."""
    return _settings["log_device_placement"]



def get_logger():
    """The logging.Logger named "tensorflow" that TensorFlow's own messages go to (tf.get_logger)."""
    import logging  # stdlib, loaded only when a script asks for the logger

    return logging.getLogger("tensorflow")


__getattr__ = not_implemented("tf.debugging")
