"""Crafted model files: loading never runs code, imports a module, or resolves a name outside the registry.

Each file is what an attacker could hand a user. Every test asserts that nothing
happened (no marker file, no module imported) and that the error names the problem.
"""
import base64
import io
import json
import marshal
import sys
import zipfile

import h5py
import numpy as np
import pytest

from deepgrad import keras


def _empty_weights():
    """A model.weights.h5 for a model without variables."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.create_group("vars")
    return buffer.getvalue()


def _write_keras_zip(path, config, extra=None, weights=True):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        z.writestr("config.json", config if isinstance(config, str) else json.dumps(config))
        if weights:
            z.writestr("model.weights.h5", _empty_weights())
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def _sequential(*layers, input_shape=(3,)):
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {"module": "keras.layers", "class_name": "InputLayer",
                 "config": {"batch_shape": [None, *input_shape], "dtype": "float32", "name": "input_layer"},
                 "registered_name": None},
                *layers,
            ],
        },
        "registered_name": None,
    }


def _lambda_layer(function, arguments=None):
    return {"module": "keras.layers", "class_name": "Lambda",
            "config": {"name": "lambda", "function": function, "arguments": arguments or {}},
            "registered_name": None}


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "marker"


@pytest.fixture
def marker_module(tmp_path, monkeypatch):
    """An importable module that creates a marker file when imported."""
    folder = tmp_path / "site"
    folder.mkdir()
    flag = tmp_path / "imported"
    (folder / "deepgrad_marker_module.py").write_text(
        f"open({str(flag)!r}, 'w').write('imported')\n"
        "class Evil:\n"
        "    @classmethod\n"
        "    def from_config(cls, config):\n"
        f"        open({str(flag)!r}, 'w').write('called')\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    yield "deepgrad_marker_module", flag
    sys.modules.pop("deepgrad_marker_module", None)


def test_lambda_naming_pydoc_pipepager_runs_nothing(tmp_path, marker):
    function = {"module": "pydoc", "class_name": "function", "config": "pipepager",
                "registered_name": "function"}
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(
        _lambda_layer(function, {"cmd": f"touch {marker}"})))
    with pytest.raises(ValueError, match="pipepager"):
        keras.saving.load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize("module, name, arguments", [
    ("os", "system", {}),
    ("builtins", "eval", {}),
    ("builtins", "exec", {}),
    ("subprocess", "getoutput", {}),
])
def test_lambda_naming_a_dangerous_function_is_refused(tmp_path, module, name, arguments):
    function = {"module": module, "class_name": "function", "config": name, "registered_name": name}
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(_lambda_layer(function, arguments)))
    with pytest.raises(ValueError, match=name):
        keras.saving.load_model(path)


def test_module_key_is_never_imported(tmp_path, marker_module):
    module, flag = marker_module
    inner = {"module": module, "class_name": "Evil", "config": {}, "registered_name": None}
    wrapper = {"module": "keras.layers", "class_name": "TimeDistributed",
               "config": {"name": "td", "layer": inner}, "registered_name": None}
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(wrapper, input_shape=(2, 3)))
    with pytest.raises(ValueError, match="Evil"):
        keras.saving.load_model(path)
    assert module not in sys.modules
    assert not flag.exists()


def test_top_level_layer_module_is_never_imported(tmp_path, marker_module):
    module, flag = marker_module
    layer = {"module": module, "class_name": "Evil", "config": {}, "registered_name": None}
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(layer))
    with pytest.raises(ValueError, match="Evil"):
        keras.saving.load_model(path)
    assert module not in sys.modules
    assert not flag.exists()


def test_function_module_is_never_imported(tmp_path, marker_module):
    module, flag = marker_module
    function = {"module": module, "class_name": "function", "config": "Evil", "registered_name": "Evil"}
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(_lambda_layer(function)))
    with pytest.raises(ValueError, match="Evil"):
        keras.saving.load_model(path)
    assert module not in sys.modules
    assert not flag.exists()


def _marshalled_lambda(marker):
    code = compile(f"lambda x: (open({str(marker)!r}, 'w').write('ran'), x)[1]", "<crafted>", "eval")
    fn = eval(code)
    return {"class_name": "__lambda__",
            "config": {"code": base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii"),
                       "defaults": None, "closure": None}}


def test_marshalled_lambda_is_refused_by_default(tmp_path, marker):
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(_lambda_layer(_marshalled_lambda(marker))))
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.saving.load_model(path)
    assert not marker.exists()


def test_marshalled_lambda_loads_with_safe_mode_false(tmp_path, marker):
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(_lambda_layer(_marshalled_lambda(marker))))
    model = keras.saving.load_model(path, safe_mode=False, compile=False)
    out = model.predict(np.ones((2, 3), dtype="float32"), verbose=0)
    np.testing.assert_array_equal(out, np.ones((2, 3)))
    assert marker.exists()


def test_registered_function_resolves_only_through_the_registry(tmp_path):
    function = {"module": "__main__", "class_name": "function", "config": "double",
                "registered_name": "double"}
    path = _write_keras_zip(tmp_path / "m.keras", _sequential(_lambda_layer(function)))
    with pytest.raises(ValueError, match="custom_objects"):
        keras.saving.load_model(path)
    model = keras.saving.load_model(path, custom_objects={"double": lambda x: 2 * x}, compile=False)
    out = model.predict(np.ones((1, 3), dtype="float32"), verbose=0)
    np.testing.assert_array_equal(out, 2 * np.ones((1, 3)))
