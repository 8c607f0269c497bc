"""keras.callbacks.TensorBoard: the files, tags and steps Keras 3.15 writes, and the logged values.

The layouts below were recorded with TensorFlow 2.21.0 and Keras 3.15.1 (tensorboard 2.21.0) by
running `fit` then `evaluate` with the same callback on the same data and model shapes as `run`
below: for each event file, in creation order, the (step, tag) of every summary.
"""
import io
import os
import sys
import warnings

import numpy as np
import pytest

import deepgrad as tf
from deepgrad import keras

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

from deepgrad.keras.layers.layer import reset_names  # noqa: E402
from deepgrad.keras.utils.tensorboard_writer import histogram_buckets  # noqa: E402

_SEQ = ["sequential/dense/kernel", "sequential/dense/bias", "sequential/dense_1/kernel", "sequential/dense_1/bias"]


def _epoch(step, weights=_SEQ):
    return ([(step, "epoch_accuracy"), (step, "epoch_loss"), (step, "epoch_learning_rate")]
            + [(step, f"{w}/histogram") for w in weights])


def _evaluation(step):
    return [(step, "evaluation_accuracy_vs_iterations"), (step, "evaluation_loss_vs_iterations")]


def _batches(*steps):
    return [row for s in steps for row in ((s, "batch_accuracy"), (s, "batch_loss"))]


# Recorded with TensorFlow 2.21.0 / Keras 3.15.1 (written out through the helpers above).
# update_freq=3 with 4 batches an epoch: Keras' record_if stays set after the last batch, so the
# epoch summaries of epochs 0 and 1 (global batches 4 and 8) are not recorded, nor the evaluation
# of evaluate() (global test batch 10).
KERAS_LAYOUT = {
    "epoch": {
        "train/0": [(0, "keras")] + _epoch(0) + _epoch(1) + _epoch(2),
        "train/1": [(0, "keras")],
        "validation/0": [r for e in range(3) for r in _evaluation(4 * e + 4)
                         + [(e, "epoch_accuracy"), (e, "epoch_loss")]],
        "validation/1": _evaluation(12),
    },
    3: {
        "train/0": [(0, "keras")] + _batches(3, 6, 9, 12) + _epoch(2),
        "train/1": [(0, "keras")],
        "validation/0": _evaluation(12) + [(2, "epoch_accuracy"), (2, "epoch_loss")],
        "validation/1": [],
    },
    "functional": {
        "train/0": [(0, "keras")] + _batches(3, 6, 9, 12)
        + _epoch(2, ["dense_1/kernel", "dense_1/bias", "dense/kernel", "dense/bias"]),
        "train/1": [(0, "keras")],
        "validation/0": _evaluation(12) + [(2, "epoch_accuracy"), (2, "epoch_loss")],
        "validation/1": [],
    },
}

X = np.random.default_rng(1).normal(size=(40, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def make_model(functional=False):
    reset_names()  # layer names from "dense", as in the fresh program that recorded them
    keras.utils.set_random_seed(0)
    if functional:
        inputs = keras.Input((4,))
        outer = keras.layers.Dense(1, activation="sigmoid")  # made first, as `Dense(1)(Dense(3)(x))` does
        return keras.Model(inputs, outer(keras.layers.Dense(3, activation="relu")(inputs)))
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])


def run(logdir, update_freq="epoch", functional=False, epochs=3, **kwargs):
    model = make_model(functional)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    callback = keras.callbacks.TensorBoard(str(logdir), histogram_freq=1, update_freq=update_freq, **kwargs)
    history = model.fit(X, Y, batch_size=10, epochs=epochs, validation_data=(X[:20], Y[:20]),
                        callbacks=[callback], verbose=0)
    result = model.evaluate(X, Y, batch_size=10, callbacks=[callback], verbose=0, return_dict=True)
    return model, history.history, result


def layout(logdir):
    """{"<sub>/<k>": [(step, tag), ...]} of each event file, in creation order (their uid)."""
    out = {}
    for sub in sorted(os.listdir(logdir)):
        files = sorted(os.listdir(os.path.join(logdir, sub)), key=lambda f: int(f.split(".")[-2]))
        for k, name in enumerate(files):
            events = EventFileLoader(os.path.join(logdir, sub, name)).Load()
            out[f"{sub}/{k}"] = [(e.step, v.tag) for e in events for v in e.summary.value]
    return out


def read(logdir):
    """{tag: [(step, ndarray)]} of a folder, through TensorBoard's EventAccumulator."""
    acc = ea.EventAccumulator(str(logdir), size_guidance={ea.TENSORS: 0})
    acc.Reload()
    return {tag: [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]
            for tag in acc.Tags()["tensors"]}


@pytest.mark.parametrize("case", ["epoch", 3, "functional"])
def test_files_tags_and_steps_equal_keras(tmp_path, case):
    update_freq = 3 if case == "functional" else case
    run(tmp_path, update_freq, functional=case == "functional")
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    assert layout(tmp_path) == KERAS_LAYOUT[case]


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("tb")
    model, history, result = run(logdir, update_freq="batch", epochs=2, write_images=True)
    return logdir, model, history, result, read(logdir / "train"), read(logdir / "validation")


def test_epoch_scalars_equal_history(batch_run):
    _, model, history, _, train, val = batch_run
    for name in ("loss", "accuracy"):
        assert [s for s, _ in train[f"epoch_{name}"]] == [0, 1]
        np.testing.assert_allclose([float(v) for _, v in train[f"epoch_{name}"]], history[name], atol=1e-6)
        np.testing.assert_allclose([float(v) for _, v in val[f"epoch_{name}"]], history[f"val_{name}"], atol=1e-6)
    assert [float(v) for _, v in train["epoch_learning_rate"]] == pytest.approx([0.01, 0.01])


def test_batch_scalars_every_batch(batch_run):
    _, _, history, _, train, _ = batch_run
    assert [s for s, _ in train["batch_loss"]] == list(range(1, 9))
    # The batch logs are the epoch's running means: the last batch of an epoch holds the epoch's value.
    np.testing.assert_allclose([float(train["batch_loss"][i][1]) for i in (3, 7)], history["loss"], atol=1e-6)


def test_evaluation_scalars_at_optimizer_iterations(batch_run):
    logdir, model, history, result, _, val = batch_run
    assert [s for s, _ in val["evaluation_loss_vs_iterations"]] == [4, 8, 8]
    values = [float(v) for _, v in val["evaluation_loss_vs_iterations"]]
    np.testing.assert_allclose(values, history["val_loss"] + [result["loss"]], atol=1e-6)
    assert int(model.optimizer.iterations) == 8


def test_weight_histograms_and_images(batch_run):
    Image = pytest.importorskip("PIL.Image")
    _, model, _, _, train, _ = batch_run
    weights = dict(zip(_SEQ, model.get_weights()))
    for path, value in weights.items():
        rows = train[f"{path}/histogram"]
        assert [s for s, _ in rows] == [0, 1]
        assert all(r.shape == (30, 3) and r[:, 2].sum() == value.size for _, r in rows)
        np.testing.assert_allclose(rows[-1][1], histogram_buckets(value), rtol=0, atol=1e-12)
    # Keras' pictures (recorded): a kernel with its longer side across, a bias as a row; none of a 1-element bias.
    sizes = {tag: train[tag][0][1][:2].tolist() for tag in train if tag.endswith("/image")}
    assert sizes == {"sequential/dense/kernel/image": [b"4", b"3"], "sequential/dense/bias/image": [b"1", b"3"],
                     "sequential/dense_1/kernel/image": [b"1", b"3"]}
    picture = np.asarray(Image.open(io.BytesIO(train["sequential/dense/kernel/image"][-1][1][2])))
    kernel = weights["sequential/dense/kernel"]
    np.testing.assert_array_equal(picture, np.clip(kernel.T * 255.5, 0, 255).astype("uint8"))


def test_model_config_is_written_as_the_graph(batch_run):
    import json
    _, model, _, _, train, _ = batch_run
    (step, value), = train["keras"][:1]
    assert step == 0 and json.loads(value.item())["class_name"] == "Sequential"


def test_summaries_inside_the_model_go_to_the_train_writer(tmp_path):
    def log_mean(x):
        tf.summary.scalar("activation_mean", tf.reduce_mean(x))
        return x

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2), keras.layers.Lambda(log_mean)])
    model.compile("sgd", "mse")
    model.fit(X, X[:, :2], batch_size=10, epochs=1, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path), update_freq=2, write_graph=False)])
    assert [s for s, _ in read(tmp_path / "train")["activation_mean"]] == [2, 4]
    assert tf.summary.scalar("outside", 1.0, step=0) is False  # the callback's writer is gone


def test_epoch_update_freq_writes_no_batch_tags_and_write_graph_false(tmp_path):
    model = make_model()
    model.compile("sgd", "mse")
    model.fit(X, Y, batch_size=10, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(str(tmp_path),
                                                                                                write_graph=False)])
    assert layout(tmp_path) == {"train/0": [(0, "epoch_loss"), (0, "epoch_learning_rate")]}


def test_subclassed_model_writes_no_graph_without_failing(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    model = Net()
    model.compile("sgd", "mse")
    model.fit(X, Y, batch_size=20, epochs=1, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1)])
    tags = [tag for _, tag in layout(tmp_path)["train/0"]]
    assert "keras" not in tags and tags[2:] == [f"net/{model.dense.name}/kernel/histogram",
                                                f"net/{model.dense.name}/bias/histogram"]


def test_profile_batch_checked_as_keras():
    with pytest.raises(ValueError, match="profile_batch must be a non-negative integer"):
        keras.callbacks.TensorBoard(profile_batch=-1)
    with pytest.raises(ValueError, match="Found: \\(5, 2\\)"):
        keras.callbacks.TensorBoard(profile_batch=(5, 2))
    with pytest.warns(UserWarning, match="no profiler"):
        keras.callbacks.TensorBoard(profile_batch="10,20")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keras.callbacks.TensorBoard(profile_batch=0)


def test_embeddings_projector_config_and_checkpoints(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Embedding(10, 2, name="emb"),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    ids = np.arange(12).reshape(4, 3) % 10
    model.fit(ids, np.zeros((4, 1)), epochs=2, verbose=0, callbacks=[keras.callbacks.TensorBoard(
        str(tmp_path), embeddings_freq=1, embeddings_metadata={"emb": "meta.tsv"})])
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"' in config
    assert 'metadata_path: "meta.tsv"' in config
    assert {f for f in os.listdir(tmp_path / "train") if f.endswith(".h5")} == {
        "keras_embedding.ckpt-0.weights.h5", "keras_embedding.ckpt-1.weights.h5"}


def test_missing_tensorboard_gives_install_hint(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "tensorboard" or m.startswith("tensorboard.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    model = make_model()
    model.compile("sgd", "mse")
    with pytest.raises(ImportError, match="pip install tensorboard"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(str(tmp_path))])
