"""`deepgrad run`: a script that imports tensorflow/keras runs on deepgrad, and missing names say so."""
import subprocess
import sys
import textwrap


def run(tmp_path, body):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run([sys.executable, "-m", "deepgrad.cli", "run", str(script), "--flag"],
                          capture_output=True, text=True, timeout=120)


def test_tensorflow_and_keras_imports_are_served_by_deepgrad(tmp_path):
    result = run(tmp_path, """
        import sys
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras.layers import Dense
        import keras as plain_keras
        from keras import layers
        assert tf.__name__ == "deepgrad" and keras.__name__ == "deepgrad.keras"
        assert plain_keras is keras and layers.Dense is Dense
        print(float(tf.reduce_sum(tf.constant([1.0, 2.0]) * 2)), sys.argv[1:])
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "6.0 ['--flag']"


def test_missing_tensorflow_name_reports_it_and_the_line(tmp_path):
    result = run(tmp_path, """
        import tensorflow as tf
        x = tf.constant(1.0)
        y = tf.no_such_function(x)
    """)
    assert result.returncode == 1
    assert "deepgrad does not implement tf.no_such_function" in result.stderr
    assert "line 4" in result.stderr
