"""tf.errors: TensorFlow's exception classes, so `except tf.errors.InvalidArgumentError:` works.

`OpError(node_def, op, message, *args)` is the base; each subclass carries TensorFlow's error
code (`error_code`, the numbers of tf.errors' constants). deepgrad raises InvalidArgumentError
where TensorFlow does so eagerly (tf.debugging assertions, tf.ensure_shape, bad indices).
"""
from .missing import not_implemented

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS = range(7)
PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE = range(7, 12)
UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED = range(12, 17)


class OpError(Exception):
    """The base of TensorFlow's runtime errors: `message`, `op`, `node_def` and `error_code`."""

    error_code = UNKNOWN

    def __init__(self, node_def, op, message, *args):
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message
        self.experimental_payloads = {}

    def __str__(self):
        return self.message


def _error(name, code, doc):
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, *args)

    return type(name, (OpError,), {"__doc__": doc, "error_code": code, "__init__": __init__,
                                   "__module__": __name__})


CancelledError = _error("CancelledError", CANCELLED, "An operation was cancelled.")
UnknownError = _error("UnknownError", UNKNOWN, "An unknown error.")
InvalidArgumentError = _error("InvalidArgumentError", INVALID_ARGUMENT,
                              "An operation received an invalid argument (a shape, a value, an index).")
DeadlineExceededError = _error("DeadlineExceededError", DEADLINE_EXCEEDED, "A deadline expired.")
NotFoundError = _error("NotFoundError", NOT_FOUND, "A requested entity (a file) was not found.")
AlreadyExistsError = _error("AlreadyExistsError", ALREADY_EXISTS, "An entity to create already exists.")
PermissionDeniedError = _error("PermissionDeniedError", PERMISSION_DENIED, "Permission denied.")
ResourceExhaustedError = _error("ResourceExhaustedError", RESOURCE_EXHAUSTED,
                                "A resource (memory) is exhausted.")
FailedPreconditionError = _error("FailedPreconditionError", FAILED_PRECONDITION,
                                 "The system is not in a state to run the operation.")
AbortedError = _error("AbortedError", ABORTED, "An operation was aborted.")
OutOfRangeError = _error("OutOfRangeError", OUT_OF_RANGE,
                         "An operation went past the valid range (an exhausted iterator).")
UnimplementedError = _error("UnimplementedError", UNIMPLEMENTED, "The operation is not implemented.")
InternalError = _error("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _error("UnavailableError", UNAVAILABLE, "The runtime is unavailable.")
DataLossError = _error("DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption.")
UnauthenticatedError = _error("UnauthenticatedError", UNAUTHENTICATED,
                              "The request lacks valid authentication.")

__getattr__ = not_implemented("tf.errors")
