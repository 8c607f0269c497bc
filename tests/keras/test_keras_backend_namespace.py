"""keras.backend: Keras 3's names, clear_session resetting layer names as Keras does."""
import inspect

import pytest

from deepgrad import keras


def test_the_namespace_has_keras_names():
    import keras as real_keras

    ours = set(keras.backend.__all__)
    theirs = {n for n in dir(real_keras.backend) if not n.startswith("_")}
    assert theirs - ours == {"set_epsilon"}
    for name in ours & theirs:
        assert (list(inspect.signature(getattr(keras.backend, name)).parameters)
                == list(inspect.signature(getattr(real_keras.backend, name)).parameters)), name


def test_clear_session_restarts_layer_names_and_uids():
    keras.layers.Dense(2)
    keras.backend.clear_session()
    assert keras.layers.Dense(2).name == "dense"
    assert keras.layers.Dense(2).name == "dense_1"
    assert [keras.backend.get_uid("a"), keras.backend.get_uid("a"), keras.backend.get_uid("b")] == [1, 2, 1]
    keras.backend.clear_session()
    assert keras.backend.get_uid("a") == 1


def test_dtype_helpers_and_settings():
    assert keras.backend.floatx() == "float32" and keras.backend.epsilon() == 1e-7
    assert keras.backend.image_data_format() == "channels_last"
    assert keras.backend.standardize_dtype("float") == "float32"
    assert keras.backend.result_type("int32", "float32") == "float32"
    assert keras.backend.is_float_dtype("float16") and not keras.backend.is_float_dtype("int8")
    assert keras.backend.is_int_dtype("uint8") and not keras.backend.is_int_dtype("bool")
    assert keras.backend.is_keras_tensor(keras.Input((3,))) and not keras.backend.is_keras_tensor(1.0)
    assert keras.backend.backend() == "tensorflow"
    keras.backend.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="channels-last .* Received: data_format='channels_first'"):
        keras.backend.set_image_data_format("channels_first")
    with pytest.raises(AttributeError, match="^deepgrad does not implement keras.backend.set_epsilon$"):
        keras.backend.set_epsilon
