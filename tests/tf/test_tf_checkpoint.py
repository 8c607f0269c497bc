"""tf.train.Checkpoint / CheckpointManager: file names and the `checkpoint` state file as TensorFlow
2.21.0 writes them, object-path round trips, deferred restoration, training that continues exactly."""
import os
import re

import numpy as np
import pytest

import deepgrad as tf
from deepgrad import keras

# recorded with TensorFlow 2.21.0: the .index file of tf.train.Checkpoint(v=tf.Variable(1.0)).write(...)
TF_INDEX_FILE = bytes.fromhex(
    "00000608011a020801001c0d5f434845434b504f494e5441424c455f4f424a4543545f4752415048080712002004285235f3"
    "caf1d2001c0b762f2e415454524942555445532f5641524941424c455f56414c55450801120028043581a5da2b0000000001"
    "000000009583046e000000000100000000c0f2a1b000010277006700000000010000000066aaba566c08790e000000000000"
    "0000000000000000000000000000000000000000000000000000000057fb808b247547db"
)
RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")


def read(path):
    with open(path) as f:
        return f.read()


class Net(tf.Module):
    def __init__(self, scale=1.0):
        super().__init__()
        self.w = tf.Variable(np.arange(3, dtype="float32") * scale)
        self.layers = [tf.Variable(scale * 2.0), {"b": tf.Variable([scale, -scale])}]


# ---- files -------------------------------------------------------------------------------------


def test_save_names_files_and_writes_tensorflows_state_file(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    first = ckpt.save(tmp_path / "ckpt")
    second = ckpt.save(str(tmp_path / "ckpt"))
    assert first == str(tmp_path / "ckpt-1") and second == str(tmp_path / "ckpt-2")
    assert int(ckpt.save_counter) == 2
    # the file names and the state text TensorFlow 2.21.0 writes for two Checkpoint.save calls
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "ckpt-1.data-00000-of-00001", "ckpt-1.index",
        "ckpt-2.data-00000-of-00001", "ckpt-2.index",
    ]
    assert read(tmp_path / "checkpoint") == 'model_checkpoint_path: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-2"\n'
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "ckpt-2")
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / "ckpt-2")
    assert state.all_model_checkpoint_paths == [str(tmp_path / "ckpt-2")]


def test_write_uses_the_exact_prefix_and_leaves_the_state_file_alone(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    ckpt.save(str(tmp_path / "ckpt"))
    assert ckpt.write(str(tmp_path / "w")) == str(tmp_path / "w")
    assert {"w.index", "w.data-00000-of-00001"} <= set(os.listdir(tmp_path))
    assert read(tmp_path / "checkpoint") == 'model_checkpoint_path: "ckpt-1"\nall_model_checkpoint_paths: "ckpt-1"\n'
    assert int(ckpt.save_counter) == 1


def test_latest_checkpoint_of_an_empty_or_missing_directory_is_none(tmp_path):
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.latest_checkpoint(str(tmp_path / "nowhere")) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None


def test_keys_follow_object_paths_and_list_variables_reads_them(tmp_path):
    path = tf.train.Checkpoint(net=Net(), step=tf.Variable(5)).save(str(tmp_path / "c"))
    assert tf.train.list_variables(path) == [
        ("net/layers/0/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("net/layers/1/b/.ATTRIBUTES/VARIABLE_VALUE", [2]),
        ("net/w/.ATTRIBUTES/VARIABLE_VALUE", [3]),
        ("save_counter/.ATTRIBUTES/VARIABLE_VALUE", []),
        ("step/.ATTRIBUTES/VARIABLE_VALUE", []),
    ]
    assert tf.train.list_variables(str(tmp_path)) == tf.train.list_variables(path)
    np.testing.assert_array_equal(tf.train.load_variable(path, "net/w/.ATTRIBUTES/VARIABLE_VALUE"), [0.0, 1.0, 2.0])


def test_a_tensorflow_checkpoint_is_detected_and_refused(tmp_path):
    (tmp_path / "tfck.index").write_bytes(TF_INDEX_FILE)
    (tmp_path / "tfck.data-00000-of-00001").write_bytes(b"\0" * 8)
    with pytest.raises(ValueError, match="is a TensorFlow checkpoint: deepgrad reads only checkpoints that deepgrad"):
        tf.train.Checkpoint(v=tf.Variable(1.0)).restore(str(tmp_path / "tfck"))
    (tmp_path / "junk.index").write_bytes(b"not json")
    with pytest.raises(ValueError, match="is not a deepgrad checkpoint index"):
        tf.train.Checkpoint(v=tf.Variable(1.0)).restore(str(tmp_path / "junk"))


def test_missing_checkpoint_and_directory_errors(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    with pytest.raises(FileNotFoundError, match="Failed to find any matching files for .*nope-3"):
        ckpt.restore(str(tmp_path / "nope-3"))
    with pytest.raises(ValueError, match="is a directory; pass a checkpoint prefix"):
        ckpt.restore(str(tmp_path))


def test_saving_is_atomic_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    ckpt.save(str(tmp_path / "ckpt"))
    before = sorted(os.listdir(tmp_path))

    def broken_savez(f, **arrays):
        f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(tf.train.xp, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        ckpt.write(str(tmp_path / "ckpt-2"))
    assert sorted(os.listdir(tmp_path)) == before


def test_data_file_holds_plain_arrays_that_load_without_pickle(tmp_path):
    path = tf.train.Checkpoint(net=Net()).write(str(tmp_path / "c"))
    with np.load(path + ".data-00000-of-00001", allow_pickle=False) as data:
        assert sorted(data.files) == ["0", "1", "2", "3"]


# ---- restoring ---------------------------------------------------------------------------------


def test_round_trip_of_variables_modules_and_nested_checkpoints(tmp_path):
    net, step = Net(scale=3.0), tf.Variable(7)
    path = tf.train.Checkpoint(net=net, inner=tf.train.Checkpoint(step=step)).save(str(tmp_path / "c"))
    fresh_net, fresh_step = Net(scale=0.0), tf.Variable(0)
    fresh = tf.train.Checkpoint(net=fresh_net, inner=tf.train.Checkpoint(step=fresh_step))
    fresh.restore(path).assert_consumed().assert_nontrivial_match()
    for a, b in zip(fresh_net.variables, net.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert int(fresh_step) == 7 and int(fresh.save_counter) == 1
    assert fresh.save(str(tmp_path / "c")) == str(tmp_path / "c-2")


def test_restore_reports_shape_mismatch_with_the_shapes():
    ckpt = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]))
    path = ckpt.write(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"dg_mismatch_{os.getpid()}"))
    with pytest.raises(ValueError, match=r"incompatible tensor with shape \(2,\) when attempting to restore "
                                          r"variable with shape \(3,\)"):
        tf.train.Checkpoint(a=tf.Variable([0.0, 0.0, 0.0])).restore(path)
    for suffix in (".index", ".data-00000-of-00001"):
        os.remove(path + suffix)


def test_status_assertions_as_tensorflow(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]), b=tf.Variable(3.0)).save(str(tmp_path / "c"))
    # TensorFlow 2.21.0: existing objects matched and nontrivial match pass, assert_consumed fails on 'b'
    status = tf.train.Checkpoint(a=tf.Variable([0.0, 0.0])).restore(path)
    assert status.assert_existing_objects_matched() is status
    status.assert_nontrivial_match()
    with pytest.raises(AssertionError, match="b/.ATTRIBUTES/VARIABLE_VALUE"):
        status.assert_consumed()
    assert status.expect_partial() is status
    # an object the file does not hold
    extra = tf.train.Checkpoint(a=tf.Variable([0.0, 0.0]), z=tf.Variable(1.0)).restore(path)
    with pytest.raises(AssertionError, match="Found 1 Python objects that were not bound to checkpointed values"):
        extra.assert_existing_objects_matched()
    nothing = tf.train.Checkpoint(q=tf.Variable(0.0)).restore(path)
    with pytest.raises(AssertionError, match="Nothing except the root object matched"):
        nothing.assert_nontrivial_match()


def test_restore_none_is_an_initialization_only_status(tmp_path):
    v = tf.Variable(4.0)
    status = tf.train.Checkpoint(v=v).restore(None)
    assert float(v) == 4.0 and status.expect_partial() is status
    for name in ("assert_consumed", "assert_existing_objects_matched", "assert_nontrivial_match"):
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\)"):
            getattr(status, name)()


def test_read_restores_what_write_wrote_without_a_save_counter_mismatch(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(2.5)).write(str(tmp_path / "w"))
    target = tf.Variable(0.0)
    tf.train.Checkpoint(v=target).read(path).assert_consumed()
    assert float(target) == 2.5


def test_module_attribute_created_after_restore_gets_its_value(tmp_path):
    class Lazy(tf.Module):
        pass

    saved = Lazy()
    saved.v = tf.Variable([4.0, 5.0])
    saved.child = Lazy()
    saved.child.u = tf.Variable(6.0)
    path = tf.train.Checkpoint(m=saved).save(str(tmp_path / "c"))
    fresh = Lazy()
    status = tf.train.Checkpoint(m=fresh).restore(path)
    with pytest.raises(AssertionError, match="Unresolved object"):
        status.assert_consumed()
    fresh.v = tf.Variable([0.0, 0.0])
    np.testing.assert_array_equal(fresh.v.numpy(), [4.0, 5.0])
    fresh.child = Lazy()
    fresh.child.u = tf.Variable(0.0)
    assert float(fresh.child.u) == 6.0
    status.assert_consumed()


def test_checkpoint_refuses_untrackable_values():
    with pytest.raises(ValueError, match="`Checkpoint` was expecting model to be a trackable object"):
        tf.train.Checkpoint(model=3)


def test_missing_train_names_fail_with_the_one_line_message():
    with pytest.raises(AttributeError, match="deepgrad does not implement tf.train.ExponentialMovingAverage"):
        tf.train.ExponentialMovingAverage


# ---- Keras models and optimizers -----------------------------------------------------------------


def make_model():
    keras.utils.set_random_seed(11)
    model = keras.Sequential([keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
    return model, keras.optimizers.Adam(0.02)


def train_steps(model, optimizer, steps):
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(X) - Y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return float(loss)


def test_training_continues_identically_after_restore_into_fresh_unbuilt_objects(tmp_path):
    model, optimizer = make_model()
    train_steps(model, optimizer, 3)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model, optimizer=optimizer), str(tmp_path))
    manager.save()
    train_steps(model, optimizer, 5)
    uninterrupted = [w.numpy().copy() for w in model.weights]

    fresh_model, fresh_optimizer = make_model()  # neither built: no weights, no Adam moments yet
    assert not fresh_model.weights and not fresh_optimizer.built
    checkpoint = tf.train.Checkpoint(model=fresh_model, optimizer=fresh_optimizer)
    status = checkpoint.restore(tf.train.latest_checkpoint(str(tmp_path)))
    assert int(fresh_optimizer.iterations) == 3  # applied at once
    status.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match="Unresolved object"):
        status.assert_consumed()  # the weights and moments wait for build
    train_steps(fresh_model, fresh_optimizer, 5)
    status.assert_consumed()
    assert int(fresh_optimizer.iterations) == 8
    for a, b in zip(uninterrupted, fresh_model.weights):
        np.testing.assert_array_equal(a, b.numpy())


def test_fit_continues_identically_after_restore(tmp_path):
    def compiled():
        keras.utils.set_random_seed(5)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        return model

    model = compiled()
    model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    path = tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(str(tmp_path / "ckpt"))
    model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    fresh = compiled()
    tf.train.Checkpoint(model=fresh, optimizer=fresh.optimizer).restore(path)
    fresh.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert int(fresh.optimizer.iterations) == 12
    for a, b in zip(model.weights, fresh.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_an_optimizer_saved_under_a_model_is_found_by_its_alias(tmp_path):
    model, optimizer = make_model()
    model.compile(optimizer=optimizer, loss="mse")
    train_steps(model, optimizer, 2)
    path = tf.train.Checkpoint(model=model, optimizer=optimizer).save(str(tmp_path / "c"))
    keys = [k for k, _ in tf.train.list_variables(path)]
    assert "model/optimizer/vars/0/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert not any(k.startswith("optimizer/") for k in keys)
    fresh_model, fresh_optimizer = make_model()  # not compiled: the optimizer is reached only as 'optimizer'
    tf.train.Checkpoint(model=fresh_model, optimizer=fresh_optimizer).restore(path)
    assert int(fresh_optimizer.iterations) == 2


def test_keras_weight_shape_mismatch_names_the_variable_and_key(tmp_path):
    model, _ = make_model()
    model(X[:1])
    path = tf.train.Checkpoint(model=model).save(str(tmp_path / "c"))
    other = keras.Sequential([keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    other(X[:1])
    with pytest.raises(ValueError, match=r"shape \(3, 8\) when attempting to restore variable with shape "
                                         r"\(3, 4\) and name .*checkpoint key 'model/layers/dense/kernel/"):
        tf.train.Checkpoint(model=other).restore(path)


def test_keras_weights_are_keyed_by_attribute_as_tensorflow_and_the_guides_partial_restore_works(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.l1 = keras.layers.Dense(5, bias_initializer="ones")

        def call(self, x):
            return self.l1(x)

    net = Net()
    net(X[:1, :2])
    path = tf.train.Checkpoint(step=tf.Variable(1), net=net).save(str(tmp_path / "c"))
    # TensorFlow 2.21.0 + Keras 3 lists net/l1/_kernel, net/l1/bias, save_counter, step (its Dense keeps
    # the kernel in `_kernel`; deepgrad's in `kernel`)
    assert [k for k, _ in tf.train.list_variables(path)] == [
        "net/l1/bias/.ATTRIBUTES/VARIABLE_VALUE", "net/l1/kernel/.ATTRIBUTES/VARIABLE_VALUE",
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE", "step/.ATTRIBUTES/VARIABLE_VALUE",
    ]
    # the checkpoint guide's restore of one variable through stand-in Checkpoints
    to_restore = tf.Variable(tf.zeros([5]))
    fake_net = tf.train.Checkpoint(l1=tf.train.Checkpoint(bias=to_restore))
    status = tf.train.Checkpoint(net=fake_net).restore(path)
    np.testing.assert_array_equal(to_restore.numpy(), np.ones(5))
    status.assert_existing_objects_matched()


def test_restore_into_built_objects_applies_everything_at_once(tmp_path):
    model, optimizer = make_model()
    train_steps(model, optimizer, 2)
    path = tf.train.Checkpoint(model=model, optimizer=optimizer).save(str(tmp_path / "c"))
    other_model, other_optimizer = make_model()
    train_steps(other_model, other_optimizer, 4)
    tf.train.Checkpoint(model=other_model, optimizer=other_optimizer).restore(path).assert_consumed()
    assert int(other_optimizer.iterations) == 2
    for a, b in zip(model.weights, other_model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(optimizer.variables, other_optimizer.variables):
        np.testing.assert_array_equal(a, b)


# ---- CheckpointManager ---------------------------------------------------------------------------


STATE_LINE = re.compile(r'^(model_checkpoint_path: "[^"]+"|all_model_checkpoint_paths: "[^"]+"|'
                        r"all_model_checkpoint_timestamps: \d+\.\d+|last_preserved_timestamp: \d+\.\d+)$")


def test_manager_keeps_max_to_keep_and_writes_tensorflows_state(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.checkpoints == []
    saved = [manager.save() for _ in range(3)]
    assert saved == [str(tmp_path / f"ckpt-{i}") for i in (1, 2, 3)]
    # as TensorFlow 2.21.0: ckpt-1 deleted, the state lists the kept ones with their timestamps
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index",
        "ckpt-3.data-00000-of-00001", "ckpt-3.index",
    ]
    lines = read(tmp_path / "checkpoint").splitlines()
    assert lines[:3] == ['model_checkpoint_path: "ckpt-3"', 'all_model_checkpoint_paths: "ckpt-2"',
                         'all_model_checkpoint_paths: "ckpt-3"']
    assert [line.split(":")[0] for line in lines[3:]] == [
        "all_model_checkpoint_timestamps", "all_model_checkpoint_timestamps", "last_preserved_timestamp"]
    assert all(STATE_LINE.match(line) for line in lines)
    assert manager.checkpoints == [str(tmp_path / "ckpt-2"), str(tmp_path / "ckpt-3")]
    assert int(ckpt.save_counter) == 3
    assert manager.save(checkpoint_number=10) == str(tmp_path / "ckpt-10")
    assert manager.checkpoints == [str(tmp_path / "ckpt-3"), str(tmp_path / "ckpt-10")]


def test_a_new_manager_picks_up_the_directorys_checkpoints(tmp_path):
    v = tf.Variable(1.0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=v), str(tmp_path), max_to_keep=2)
    for value in (1.0, 2.0, 3.0):
        v.assign(value)
        manager.save()
    target = tf.Variable(0.0)
    again = tf.train.CheckpointManager(tf.train.Checkpoint(v=target), str(tmp_path), max_to_keep=3)
    # TensorFlow 2.21.0 picks up ['ckpt-2', 'ckpt-3'], latest ckpt-3
    assert again.checkpoints == [str(tmp_path / "ckpt-2"), str(tmp_path / "ckpt-3")]
    assert again.latest_checkpoint == str(tmp_path / "ckpt-3")
    assert again.restore_or_initialize() == str(tmp_path / "ckpt-3")
    assert float(target) == 3.0
    # another checkpoint_name reads the same state file (as TensorFlow) and deletes by age across names
    other = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(0.0)), str(tmp_path), max_to_keep=2,
                                       checkpoint_name="other")
    assert other.latest_checkpoint == str(tmp_path / "ckpt-3")
    assert other.save() == str(tmp_path / "other-1")
    assert other.checkpoints == [str(tmp_path / "ckpt-3"), str(tmp_path / "other-1")]
    assert not os.path.exists(tmp_path / "ckpt-2.index")


def test_restore_or_initialize_calls_init_fn_when_there_is_nothing(tmp_path):
    calls = []
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)), str(tmp_path / "new"),
                                         init_fn=lambda: calls.append(1))
    assert manager.restore_or_initialize() is None and calls == [1]
    assert manager.directory == str(tmp_path / "new")
    manager.save()
    assert os.path.exists(tmp_path / "new" / "ckpt-1.index")


def test_max_to_keep_none_keeps_all_and_invalid_values_are_refused(tmp_path):
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(v=tf.Variable(1.0)), str(tmp_path), max_to_keep=None)
    for _ in range(7):
        manager.save()
    assert len(manager.checkpoints) == 7 and len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 7
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for `max_to_keep`, got 0"):
        tf.train.CheckpointManager(tf.train.Checkpoint(), str(tmp_path), max_to_keep=0)
    with pytest.raises(ValueError, match="`step_counter` should be passed"):
        tf.train.CheckpointManager(tf.train.Checkpoint(), str(tmp_path), checkpoint_interval=2)


def test_checkpoint_interval_skips_saves_until_the_step_advanced(tmp_path):
    step = tf.Variable(0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(step=step), str(tmp_path), step_counter=step,
                                         checkpoint_interval=3)
    saved = []
    for _ in range(7):
        saved.append(manager.save())
        step.assign_add(1)
    assert saved == [str(tmp_path / "ckpt-1"), None, None, str(tmp_path / "ckpt-2"), None, None,
                     str(tmp_path / "ckpt-3")]
    assert manager.save(check_interval=False) == str(tmp_path / "ckpt-4")


def test_a_dataset_iterator_resumes_where_it_was_saved(tmp_path):
    """The checkpoint guide's `iterator=iter(dataset)`: restored into a fresh iterator, the next elements are
    the ones the saved iterator would have given."""
    dataset = tf.data.Dataset.range(10).shuffle(10, seed=3, reshuffle_each_iteration=False).repeat().batch(3)
    iterator = iter(dataset)
    checkpoint = tf.train.Checkpoint(step=tf.Variable(0), iterator=iterator)
    seen = [next(iterator).numpy().tolist() for _ in range(4)]
    path = checkpoint.save(str(tmp_path / "ckpt"))
    expected = [next(iterator).numpy().tolist() for _ in range(3)]

    fresh = iter(dataset)
    restored = tf.train.Checkpoint(step=tf.Variable(0), iterator=fresh)
    restored.restore(path).assert_consumed()
    assert fresh.position == 4
    assert [next(fresh).numpy().tolist() for _ in range(3)] == expected
    assert seen[0] != expected[0]
    assert tf.train.load_variable(path, "iterator/.ATTRIBUTES/ITERATOR_STATE").tolist() == [4]


def test_an_iterator_missing_from_the_file_is_reported_unmatched(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).save(str(tmp_path / "ckpt"))
    status = tf.train.Checkpoint(v=tf.Variable(0.0), iterator=iter(tf.data.Dataset.range(3))).restore(path)
    with pytest.raises(AssertionError):
        status.assert_existing_objects_matched()
    with pytest.raises(ValueError, match="tf.data iterator"):
        tf.train.Checkpoint(bad=tf.data.Dataset.range(3))
