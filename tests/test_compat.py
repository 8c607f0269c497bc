"""deepgrad.compat: which module serves which alias, and run_script puts the interpreter back as it was.

(`deepgrad run` itself, its messages and exit codes, is tested in test_cli.py.)
"""
import sys
import textwrap
import types

import pytest

import deepgrad
from deepgrad import compat


@pytest.mark.parametrize("alias, target", [
    ("tensorflow", "deepgrad"),
    ("tensorflow.keras", "deepgrad.keras"),
    ("tensorflow.keras.layers", "deepgrad.keras.layers"),
    ("tensorflow.random", "deepgrad.random"),
    ("keras", "deepgrad.keras"),
    ("keras.datasets.mnist", "deepgrad.keras.datasets.mnist"),
    ("keras.src.layers", "deepgrad.keras.layers"),
    ("tf_keras", "deepgrad.keras"),
    ("tensorflowx", None),
    ("kerasx.layers", None),
    ("numpy", None),
])
def test_deepgrad_name(alias, target):
    assert compat.deepgrad_name(alias) == target


def run(tmp_path, body):
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(body))
    return compat.run_script(str(path))


def test_run_script_puts_back_a_real_keras_imported_before(tmp_path, monkeypatch):
    real_keras = types.ModuleType("keras")
    real_layers = types.ModuleType("keras.layers")
    monkeypatch.setitem(sys.modules, "keras", real_keras)
    monkeypatch.setitem(sys.modules, "keras.layers", real_layers)
    assert run(tmp_path, """
        import keras
        from keras import layers
        import deepgrad
        assert keras is deepgrad.keras and layers is deepgrad.keras.layers
    """) == 0
    assert sys.modules["keras"] is real_keras and sys.modules["keras.layers"] is real_layers
    assert "tensorflow" not in sys.modules


def test_aliased_modules_keep_their_own_spec(tmp_path):
    assert run(tmp_path, """
        import tensorflow
        import tensorflow.keras.layers
        import keras.datasets
        assert tensorflow.__spec__.name == "deepgrad"
        assert tensorflow.keras.layers.__spec__.name == "deepgrad.keras.layers"
    """) == 0
    assert deepgrad.__spec__.name == "deepgrad"
    assert deepgrad.keras.datasets.__spec__.name == "deepgrad.keras.datasets"


def test_run_script_puts_things_back_after_an_error(tmp_path, capsys):
    meta_path, argv, path = list(sys.meta_path), list(sys.argv), list(sys.path)
    assert run(tmp_path, """
        import tensorflow as tf
        raise RuntimeError("boom")
    """) == 1
    assert "RuntimeError: boom" in capsys.readouterr().err
    assert sys.meta_path == meta_path and sys.argv == argv and sys.path == path
    assert "tensorflow" not in sys.modules


def test_the_script_folder_comes_first_on_sys_path(tmp_path, capsys):
    (tmp_path / "helper_module_for_compat_test.py").write_text("VALUE = 42\n")
    try:
        assert run(tmp_path, """
            import helper_module_for_compat_test
            print(helper_module_for_compat_test.VALUE)
        """) == 0
    finally:
        sys.modules.pop("helper_module_for_compat_test", None)
    assert capsys.readouterr().out.strip() == "42"


def test_install_keeps_an_installed_finder_single():
    meta_path = list(sys.meta_path)
    try:
        compat.install()
        compat.install()
        assert sum(isinstance(f, compat.AliasFinder) for f in sys.meta_path) == 1
    finally:
        compat.uninstall()
        sys.meta_path[:] = meta_path
