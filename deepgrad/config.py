"""tf.config: the devices deepgrad runs on (one CPU) and the runtime settings tutorials touch.

    import deepgrad as tf
    tf.config.list_physical_devices("GPU")          # [] : deepgrad runs on NumPy, on the CPU
    tf.config.experimental.enable_op_determinism()  # accepted: deepgrad's ops are deterministic
    tf.config.threading.set_intra_op_parallelism_threads(2)  # NumPy's BLAS threads (threadpoolctl)

Device lists follow TensorFlow's records (`PhysicalDevice(name='/physical_device:CPU:0',
device_type='CPU')`). Settings that only matter for accelerators (memory growth, visible GPUs)
are accepted and have no effect, as in TensorFlow on a machine without a GPU. A name deepgrad
lacks fails with "deepgrad does not implement tf.config.<name>".
"""
import types
from collections import namedtuple

from .missing import not_implemented

PhysicalDevice = namedtuple("PhysicalDevice", "name device_type")
LogicalDevice = namedtuple("LogicalDevice", "name device_type")

_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_LOGICAL_CPU = LogicalDevice("/device:CPU:0", "CPU")
_state = {"eager_functions": False, "intra_op_threads": 0, "inter_op_threads": 0, "jit": False,
          "deterministic": False, "visible": [_CPU]}


def _of_type(devices, device_type):
    if device_type is None:
        return list(devices)
    return [d for d in devices if d.device_type == str(device_type).upper()]


def list_physical_devices(device_type=None):
    """The physical devices of `device_type` ('CPU', 'GPU', ...; None: all): one CPU, no GPU."""
    return _of_type([_CPU], device_type)


def list_logical_devices(device_type=None):
    """The logical devices of `device_type`: one CPU."""
    return _of_type([_LOGICAL_CPU], device_type)


def get_visible_devices(device_type=None):
    """The physical devices ops may run on."""
    return _of_type(_state["visible"], device_type)


def set_visible_devices(devices, device_type=None):
    """Restrict the visible devices. Hiding GPUs (`set_visible_devices([], 'GPU')`) is accepted; the
    CPU cannot be hidden, since deepgrad runs nowhere else (TensorFlow's error)."""
    devices = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    unknown = [d for d in devices if d != _CPU]
    if unknown:
        raise ValueError(f"Unrecognized device: {unknown[0]!r}. deepgrad's only device is {_CPU!r}")
    if device_type in (None, "CPU") and _CPU not in devices:
        raise ValueError("Could not set visible devices: the CPU must stay visible, it is deepgrad's only device")


def run_functions_eagerly(run_eagerly):
    """tf.function always runs eagerly in deepgrad; the flag is kept for functions_run_eagerly()."""
    _state["eager_functions"] = bool(run_eagerly)


def functions_run_eagerly():
    """The flag run_functions_eagerly() set."""
    return _state["eager_functions"]


def _blas_threads(n):
    """Limit NumPy's BLAS to `n` threads (0: its default) through threadpoolctl."""
    if not n:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise ImportError(
            "tf.config.threading sets NumPy's BLAS thread count through threadpoolctl: pip install threadpoolctl"
        ) from None
    threadpool_limits(limits=int(n), user_api="blas")


def _set_intra_op(num_threads):
    """Threads of one op: NumPy's BLAS threads (0 keeps the default)."""
    _blas_threads(num_threads)
    _state["intra_op_threads"] = int(num_threads)


def _set_inter_op(num_threads):
    """Threads running independent ops: deepgrad runs ops one at a time, so only the value is kept."""
    _state["inter_op_threads"] = int(num_threads)


def _namespace(scope, **names):
    module = types.ModuleType(f"deepgrad.config.{scope}")
    module.__dict__.update(names)
    module.__getattr__ = not_implemented(f"tf.config.{scope}")
    return module


threading = _namespace(
    "threading",
    set_intra_op_parallelism_threads=_set_intra_op,
    get_intra_op_parallelism_threads=lambda: _state["intra_op_threads"],
    set_inter_op_parallelism_threads=_set_inter_op,
    get_inter_op_parallelism_threads=lambda: _state["inter_op_threads"],
)
experimental = _namespace(
    "experimental",
    enable_op_determinism=lambda: _state.update(deterministic=True),
    set_memory_growth=lambda device, enable: None,
    get_memory_growth=lambda device: False,
    list_physical_devices=list_physical_devices,
    list_logical_devices=list_logical_devices,
    get_visible_devices=get_visible_devices,
    set_visible_devices=set_visible_devices,
)
optimizer = _namespace(
    "optimizer",
    set_jit=lambda enabled: _state.update(jit=enabled),
    get_jit=lambda: _state["jit"],
    set_experimental_options=lambda options: None,
    get_experimental_options=lambda: {},
)

__getattr__ = not_implemented("tf.config")
