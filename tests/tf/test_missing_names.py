"""A TensorFlow or Keras name deepgrad lacks fails with one line: `deepgrad does not implement <name>`,
however the script reaches it (attribute, `from ... import`, `import a.b`)."""
import importlib

import pytest

from deepgrad import compat

SCRIPTS = [
    ("import tensorflow as tf\ntf.quantization", "tf.quantization", 2),
    ("from tensorflow import quantization", "tf.quantization", 1),
    ("import tensorflow.quantization", "tf.quantization", 1),
    ("import tensorflow as tf\ntf.math.no_such_op", "tf.math.no_such_op", 2),
    ("from tensorflow.math import no_such_op", "tf.math.no_such_op", 1),
    ("import tensorflow as tf\ntf.nn.no_such_op", "tf.nn.no_such_op", 2),
    ("import tensorflow as tf\ntf.random.no_such", "tf.random.no_such", 2),
    ("from tensorflow.keras import no_such", "keras.no_such", 1),
    ("import tensorflow.keras.no_such", "tf.keras.no_such", 1),
    ("from tensorflow.keras.layers import NoSuch", "keras.layers.NoSuch", 1),
    ("from keras.losses import NoSuch", "keras.losses.NoSuch", 1),
    ("import keras\nkeras.metrics.NoSuch", "keras.metrics.NoSuch", 2),
    ("import keras\nkeras.optimizers.NoSuch", "keras.optimizers.NoSuch", 2),
    ("from tensorflow.keras.models import NoSuch", "keras.models.NoSuch", 1),
    ("import tensorflow.compat.v1 as tf", "tf.compat.v1", 1),
    ("import tensorflow as tf\ntf.compat.v1.disable_eager_execution()", "tf.compat.v1", 2),
]


@pytest.mark.parametrize("source, name, line", SCRIPTS)
def test_a_missing_name_gives_one_line_naming_it(tmp_path, capsys, source, name, line):
    script = tmp_path / "script.py"
    script.write_text(source + "\n")
    assert compat.run_script(str(script)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"deepgrad does not implement {name}"
    assert err[1].startswith(f"  at {script}, line {line}: ")
    assert len(err) == 2


@pytest.mark.parametrize("module, scope", [
    ("deepgrad.math", "tf.math"), ("deepgrad.nn", "tf.nn"), ("deepgrad.random", "tf.random"),
    ("deepgrad.keras.losses", "keras.losses"), ("deepgrad.keras.metrics", "keras.metrics"),
    ("deepgrad.keras.activations", "keras.activations"), ("deepgrad.keras.initializers", "keras.initializers"),
    ("deepgrad.keras.regularizers", "keras.regularizers"), ("deepgrad.keras.constraints", "keras.constraints"),
    ("deepgrad.keras.optimizers", "keras.optimizers"), ("deepgrad.keras.models", "keras.models"),
    ("deepgrad.keras.preprocessing", "keras.preprocessing"), ("deepgrad.keras.random", "keras.random"),
])
def test_imported_directly_the_namespace_names_the_missing_attribute(module, scope):
    namespace = importlib.import_module(module)
    with pytest.raises(AttributeError, match=rf"^deepgrad does not implement {scope}\.no_such_name$"):
        namespace.no_such_name
    assert not hasattr(namespace, "no_such_name")
    assert not hasattr(namespace, "__wrapped__")


def test_tf_compat_keeps_tensorflows_text_helpers(tmp_path, capsys):
    script = tmp_path / "script.py"
    script.write_text("import tensorflow as tf\n"
                      "print(tf.compat.as_str(b'caf\\xc3\\xa9'), tf.compat.as_bytes('ab'), tf.compat.as_text('x'))\n")
    assert compat.run_script(str(script)) == 0
    assert capsys.readouterr().out == "café b'ab' x\n"


def test_an_import_error_inside_the_script_itself_is_left_alone(tmp_path, capsys):
    script = tmp_path / "script.py"
    script.write_text("from os import no_such_name\n")
    assert compat.run_script(str(script)) == 1
    assert "cannot import name 'no_such_name' from 'os'" in capsys.readouterr().err
