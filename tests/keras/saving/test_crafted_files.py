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


# Saving to '.h5' on purpose: deepgrad's legacy-format warning is asserted in test_crafted_files.py.
pytestmark = pytest.mark.filterwarnings("ignore:You are saving your model as an HDF5 file:UserWarning")


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


# ---------------------------------------------------------------------------- malformed files


def _good_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")], name="good")
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.keras"
    _good_model().save(path)
    return path


def _rewrite(src, dst, replace):
    """Copy the zip `src` to `dst`, members replaced (name -> bytes, or None to drop)."""
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    for name, data in replace.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return dst


def test_truncated_zip(good_file, tmp_path):
    data = good_file.read_bytes()
    path = tmp_path / "truncated.keras"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.keras.*(zip|damaged)"):
        keras.saving.load_model(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.keras"
    path.write_text("hello")
    with pytest.raises(ValueError, match="text.keras is not a valid .keras file"):
        keras.saving.load_model(path)


def test_config_that_is_not_json(good_file, tmp_path):
    path = _rewrite(good_file, tmp_path / "nojson.keras", {"config.json": b"{not json"})
    with pytest.raises(ValueError, match="nojson.keras: config.json is not valid JSON"):
        keras.saving.load_model(path)


def test_config_without_class_name(good_file, tmp_path):
    path = _rewrite(good_file, tmp_path / "noclass.keras", {"config.json": b'{"config": {}}'})
    with pytest.raises(ValueError, match="noclass.keras: config.json does not describe a model.*class_name"):
        keras.saving.load_model(path)


def test_unknown_class_lists_close_names(good_file, tmp_path):
    with zipfile.ZipFile(good_file) as z:
        config = json.loads(z.read("config.json"))
    config["config"]["layers"][1]["class_name"] = "Dens"
    path = _rewrite(good_file, tmp_path / "unknown.keras", {"config.json": json.dumps(config).encode()})
    with pytest.raises(ValueError, match=r"unknown.keras.*Unknown layer 'Dens'.*Close names: Dense"):
        keras.saving.load_model(path)


def test_missing_weights_member(good_file, tmp_path):
    path = _rewrite(good_file, tmp_path / "noweights.keras", {"model.weights.h5": None})
    with pytest.raises(ValueError, match="noweights.keras.*model.weights.h5"):
        keras.saving.load_model(path)


def test_weights_of_the_wrong_shape_name_the_layer_and_both_shapes(tmp_path):
    path = tmp_path / "wide.weights.h5"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="dense")]).save_weights(path)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")])
    with pytest.raises(ValueError, match=r"wide.weights.h5.*'dense'.*\(3, 2\).*\(3, 4\)"):
        model.load_weights(path)


def test_weights_of_the_wrong_count_name_the_layer(tmp_path):
    path = tmp_path / "nobias.weights.h5"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, use_bias=False, name="dense")]).save_weights(path)
    with pytest.raises(ValueError, match="nobias.weights.h5.*'dense' expected 2 variables, but received 1"):
        keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")]).load_weights(path)


def test_skip_mismatch_keeps_the_other_weights(tmp_path):
    path = tmp_path / "mixed.weights.h5"
    saved = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(5)])
    saved.save_weights(path)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(6)])
    before = model.layers[1].get_weights()
    with pytest.warns(UserWarning, match="skipped loading the weights of layers/dense_1"):
        model.load_weights(path, skip_mismatch=True)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], saved.layers[0].get_weights()[0])
    np.testing.assert_array_equal(model.layers[1].get_weights()[0], before[0])


def test_a_keras_archive_named_as_weights(good_file, tmp_path):
    path = tmp_path / "model.weights.h5"
    path.write_bytes(good_file.read_bytes())
    with pytest.raises(ValueError, match="model.weights.h5 is a .keras model archive"):
        _good_model().load_weights(path)


def test_load_weights_reads_a_keras_archive_as_keras_does(good_file):
    model = _good_model()
    model.load_weights(good_file)
    reference = keras.saving.load_model(good_file)
    np.testing.assert_array_equal(model.get_weights()[0], reference.get_weights()[0])


def test_hdf5_file_that_is_not_a_keras_file(tmp_path):
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(3))
    with pytest.raises(ValueError, match="data.h5 is an HDF5 file but holds no model"):
        keras.saving.load_model(path)
    with pytest.raises(ValueError, match="data.h5 is an HDF5 file but not a Keras weights file"):
        _good_model().load_weights(path)


def test_unknown_suffix_gets_keras_error(tmp_path):
    with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
        _good_model().save(tmp_path / "model.pkl")
    with pytest.raises(ValueError, match="The filename must end in `.weights.h5`"):
        _good_model().save_weights(tmp_path / "model.npz")
    with pytest.raises(ValueError, match="File format not supported"):
        keras.saving.load_model(tmp_path / "model.pkl")


@pytest.mark.parametrize("member", ["assets/../../escaped.txt", "/absolute.txt", "assets/..\\..\\win.txt"])
def test_member_names_leaving_the_archive_are_refused(good_file, tmp_path, member):
    path = _rewrite(good_file, tmp_path / "traversal.keras", {member: b"payload"})
    with pytest.raises(ValueError, match="traversal.keras: refusing the archive member"):
        keras.saving.load_model(path)
    assert not list(tmp_path.parent.glob("*.txt")) and not (tmp_path / "escaped.txt").exists()


def test_decompression_bomb_is_refused(good_file, tmp_path):
    path = _rewrite(good_file, tmp_path / "bomb.keras", {})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("assets/zeros.bin", bytes(200 * 2 ** 20))
    with pytest.raises(ValueError, match="bomb.keras: refusing member 'assets/zeros.bin'"):
        keras.saving.load_model(path)


def test_keras_error_wraps_a_bad_layer_argument(good_file, tmp_path):
    with zipfile.ZipFile(good_file) as z:
        config = json.loads(z.read("config.json"))
    config["config"]["layers"][1]["config"]["no_such_argument"] = 1
    path = _rewrite(good_file, tmp_path / "badarg.keras", {"config.json": json.dumps(config).encode()})
    with pytest.raises(ValueError, match="badarg.keras: could not rebuild the model.*no_such_argument"):
        keras.saving.load_model(path)


# ---------------------------------------------------------------------------- writing safely


def test_overwrite_false_keeps_the_file_when_the_user_says_no(good_file, monkeypatch):
    before = good_file.read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(7)]).save(good_file, overwrite=False)
    assert good_file.read_bytes() == before
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(7)]).save(good_file, overwrite=False)
    assert keras.saving.load_model(good_file).layers[0].units == 7


def test_overwrite_false_without_a_terminal_keeps_the_file(good_file, monkeypatch):
    before = good_file.read_bytes()

    def no_terminal(prompt=""):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    with pytest.warns(UserWarning, match="overwrite=False: the file was kept"):
        _good_model().save_weights(good_file.with_suffix(".weights.h5"))
        _good_model().save_weights(good_file.with_suffix(".weights.h5"), overwrite=False)
    assert good_file.read_bytes() == before


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_failed_save_keeps_the_last_good_file_and_leaves_no_temporary(tmp_path, monkeypatch, suffix):
    from deepgrad.keras.saving import h5_store

    path = tmp_path / f"model{suffix}"
    model = _good_model()
    model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    good = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(h5_store.VarsWriter, "__setitem__", crash)
    monkeypatch.setattr(h5py.Group, "create_dataset", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_saved_files_get_the_umask_permissions(tmp_path):
    import os

    old = os.umask(0o027)
    try:
        _good_model().save(tmp_path / "m.keras")
        _good_model().save_weights(tmp_path / "m.weights.h5")
    finally:
        os.umask(old)
    for name in ("m.keras", "m.weights.h5"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o640


def test_saving_onto_a_symlink_writes_through_to_its_target(tmp_path):
    target = tmp_path / "store" / "real.keras"
    target.parent.mkdir()
    link = tmp_path / "link.keras"
    link.symlink_to(target)
    model = _good_model()
    model.save(link)
    assert link.is_symlink() and target.is_file()
    np.testing.assert_array_equal(keras.saving.load_model(target).get_weights()[0], model.get_weights()[0])


def test_legacy_h5_config_is_held_to_the_same_rules(tmp_path, marker):
    """A legacy .h5 model_config goes through the same registry: no pipepager, no lambda by default."""
    function = {"module": "pydoc", "class_name": "function", "config": "pipepager", "registered_name": "function"}
    for name, layer in (("pager", _lambda_layer(function, {"cmd": f"touch {marker}"})),
                        ("lambda", _lambda_layer(_marshalled_lambda(marker)))):
        path = tmp_path / f"{name}.h5"
        config = _sequential(layer)
        config["config"]["layers"] = [{k: v for k, v in e.items() if k != "module"} for e in config["config"]["layers"]]
        with h5py.File(path, "w") as f:
            f.attrs["model_config"] = json.dumps(config)
            f.create_group("model_weights").attrs["layer_names"] = []
        with pytest.raises(ValueError, match=f"{name}.h5: could not rebuild the model from model_config"):
            keras.saving.load_model(path)
    assert not marker.exists()


def test_enable_unsafe_deserialization_lets_later_loads_run_lambdas(tmp_path, marker):
    from deepgrad.keras import registry

    path = _write_keras_zip(tmp_path / "m.keras", _sequential(_lambda_layer(_marshalled_lambda(marker))))
    try:
        keras.config.enable_unsafe_deserialization()
        keras.saving.load_model(path).predict(np.ones((1, 3), dtype="float32"), verbose=0)
    finally:
        registry._safe_mode.value = None
    assert marker.exists()
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.saving.load_model(path)


def test_saving_to_legacy_h5_warns_as_keras_logs(tmp_path):
    with pytest.warns(UserWarning, match="You are saving your model as an HDF5 file"):
        _good_model().save(tmp_path / "m.h5")
