"""tf.config, tf.device and tf.version: TensorFlow's records and calls on a machine with one CPU."""
import subprocess
import sys

import numpy as np
import pytest

import deepgrad as tf


def test_devices_are_one_cpu_as_tensorflow_lists_them():
    assert tf.config.list_physical_devices("GPU") == []
    cpus = tf.config.list_physical_devices("CPU")
    assert cpus == tf.config.list_physical_devices() == tf.config.experimental.list_physical_devices()
    assert cpus[0].name == "/physical_device:CPU:0" and cpus[0].device_type == "CPU"
    assert tf.config.list_logical_devices()[0].name == "/device:CPU:0"
    assert tf.config.get_visible_devices("gpu") == [] and tf.config.get_visible_devices() == cpus


def test_the_calls_tutorials_make_are_accepted():
    tf.config.set_visible_devices([], "GPU")
    tf.config.set_visible_devices(tf.config.list_physical_devices("CPU"))
    tf.config.experimental.enable_op_determinism()
    for gpu in tf.config.list_physical_devices("GPU"):  # the usual loop: nothing to do without a GPU
        tf.config.experimental.set_memory_growth(gpu, True)
    tf.config.run_functions_eagerly(True)
    assert tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(False)
    tf.config.optimizer.set_jit(True)
    assert tf.config.optimizer.get_jit()
    tf.config.optimizer.set_jit(False)


def test_the_cpu_cannot_be_hidden():
    with pytest.raises(ValueError, match="the CPU must stay visible"):
        tf.config.set_visible_devices([], "CPU")
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.set_visible_devices([tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU")])


def test_intra_op_threads_set_numpys_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl", reason="pip install threadpoolctl")
    code = ("import deepgrad as tf, threadpoolctl\n"
            "tf.config.threading.set_intra_op_parallelism_threads(1)\n"
            "tf.config.threading.set_inter_op_parallelism_threads(3)\n"
            "print([i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'],\n"
            "      tf.config.threading.get_intra_op_parallelism_threads(),\n"
            "      tf.config.threading.get_inter_op_parallelism_threads())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[1] 1 3"
    assert threadpoolctl is not None


def test_device_is_a_context_that_runs_ops_on_the_cpu():
    with tf.device("/GPU:0") as scope:
        y = tf.constant([1.0, 2.0]) * 2
    assert scope.device_name == "/GPU:0"
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])


def test_versions():
    assert tf.version.VERSION == "2.21.0" and tf.__version__ == "0.1.0"
    from deepgrad.compat import TF_VERSION
    assert TF_VERSION == tf.version.VERSION


def test_a_missing_name_says_deepgrad_does_not_implement_it():
    for scope, name in [(tf.config, "tf.config.list_gpus"), (tf.config.experimental, "tf.config.experimental.foo"),
                        (tf.config.threading, "tf.config.threading.foo")]:
        with pytest.raises(AttributeError, match=f"deepgrad does not implement {name}"):
            getattr(scope, name.rsplit(".", 1)[-1])
