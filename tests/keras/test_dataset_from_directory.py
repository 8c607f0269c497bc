"""image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array.

Keras 3 returns tf.data (or grain) datasets, and neither TensorFlow nor grain is installed
here, so Keras' whole pipelines cannot run. What runs without them is compared with Keras'
own code on the same files: the file listing, labels, class names, seeded shuffle and
training/validation split (keras.src.utils.dataset_utils.index_directory and
get_training_or_validation_split), and the decoding + resizing of each image (Keras'
torch-backend loader, image_dataset_utils._load_image_grain). Batching, label encodings and
the timeseries windows are checked against hand-computed expectations from Keras' documented
behaviour (the timeseries cases are the examples of Keras' docstring).
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deepgrad.keras as dk  # noqa: E402
from deepgrad.keras import utils  # noqa: E402
from deepgrad.keras.utils import dataset_utils as ddu  # noqa: E402

keras = pytest.importorskip("keras", reason="Keras 3 is the oracle: pip install keras")
from keras.src.utils import dataset_utils as kdu  # noqa: E402
from keras.src.utils import image_dataset_utils as kidu  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")

CLASSES = ("birds", "cats", "dogs")


def pil_image():
    """PIL.Image; the image tests (those using the image folders) skip without Pillow."""
    return pytest.importorskip("PIL.Image", reason="Pillow is needed to read images: pip install pillow")


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    """3 classes x 4 images of random sizes (one JPEG in a nested folder), plus a non-image file."""
    Image = pil_image()
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for c, name in enumerate(CLASSES):
        (root / name).mkdir()
        for i in range(4):
            h, w = rng.integers(6, 20, size=2)
            pixels = rng.integers(0, 256, size=(h, w, 3)).astype("uint8")
            Image.fromarray(pixels).save(root / name / f"img_{i}.png")
    (root / "dogs" / "nested").mkdir()
    Image.fromarray(np.full((5, 7, 3), 200, "uint8")).save(root / "dogs" / "nested" / "deep.jpg")
    (root / "dogs" / "readme.txt").write_text("not an image")
    return str(root)


@pytest.fixture(scope="module")
def bright_dark_dir(tmp_path_factory):
    """A learnable task: 'dark' images (values 0..60) and 'bright' ones (190..255)."""
    Image = pil_image()
    root = tmp_path_factory.mktemp("brightness")
    rng = np.random.default_rng(1)
    for name, (lo, hi) in (("bright", (190, 256)), ("dark", (0, 60))):
        (root / name).mkdir()
        for i in range(12):
            Image.fromarray(rng.integers(lo, hi, size=(10, 10, 3)).astype("uint8")).save(root / name / f"{i}.png")
    return str(root)


@pytest.fixture(scope="module")
def text_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    for name in ("neg", "pos"):
        (root / name).mkdir()
        for i in range(5):
            (root / name / f"{i}.txt").write_text(f"{name} review number {i} " + "word " * i, encoding="utf-8")
    (root / "pos" / "image.png").write_bytes(b"not text")
    return str(root)


# ---- listing, labels, shuffle and split: Keras' own functions on the same folder ----
@pytest.mark.parametrize("kwargs", [
    dict(labels="inferred", shuffle=True, seed=3), dict(labels="inferred", shuffle=False),
    dict(labels=None, shuffle=True, seed=1), dict(labels=list(range(13)), shuffle=True, seed=5),
    dict(labels="inferred", class_names=["dogs", "cats"], shuffle=False)])
def test_index_directory_matches_keras(image_dir, kwargs):
    theirs = kdu.index_directory(image_dir, formats=kidu.ALLOWLIST_FORMATS, verbose=False, **kwargs)
    ours = ddu.index_directory(image_dir, formats=ddu.IMAGE_FORMATS, verbose=False, **kwargs)
    assert ours[0] == theirs[0]
    assert ours[2] == theirs[2]
    if theirs[1] is None:
        assert ours[1] is None
    else:
        np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_file_paths_and_split_match_keras(image_dir, subset):
    paths, labels, _ = kdu.index_directory(image_dir, "inferred", formats=kidu.ALLOWLIST_FORMATS, seed=7,
                                           verbose=False)
    paths, labels = kdu.get_training_or_validation_split(paths, labels, 0.25, subset)
    ds = utils.image_dataset_from_directory(image_dir, image_size=(8, 8), seed=7, validation_split=0.25,
                                            subset=subset, batch_size=5, shuffle=True, verbose=False)
    assert ds.file_paths == paths
    assert ds.class_names == list(CLASSES)
    seen = np.sort(np.concatenate([y for _, y in ds]))
    np.testing.assert_array_equal(seen, np.sort(labels))


def test_subset_both_is_a_disjoint_pair(image_dir):
    train, val = utils.image_dataset_from_directory(image_dir, image_size=(4, 4), seed=2, validation_split=0.3,
                                                    subset="both", verbose=False)
    assert len(train.file_paths) == 13 - int(0.3 * 13) and len(val.file_paths) == int(0.3 * 13)
    assert not set(train.file_paths) & set(val.file_paths)
    assert train.class_names == val.class_names == list(CLASSES)


# ---- each image decoded and resized as Keras' loader does it ----
@pytest.mark.parametrize("size,channels,interpolation,fmt,crop,pad", [
    ((8, 8), 3, "bilinear", "channels_last", False, False),
    ((7, 9), 3, "nearest", "channels_last", True, False),
    ((7, 9), 3, "bicubic", "channels_first", False, True),
    ((5, 5), 1, "bilinear", "channels_last", False, False),
    ((6, 4), 4, "bilinear", "channels_first", True, False)])
def test_image_decoding_matches_keras(image_dir, size, channels, interpolation, fmt, crop, pad):
    paths = [os.path.join(image_dir, "cats", "img_0.png"), os.path.join(image_dir, "dogs", "img_3.png"),
             os.path.join(image_dir, "dogs", "nested", "deep.jpg")]
    for path in paths:
        theirs = np.asarray(kidu._load_image_grain(path, size, channels, interpolation, fmt, crop, pad))
        ours = ddu.load_image(path, size, channels, interpolation, fmt, crop, pad)
        assert ours.shape == theirs.shape and ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, atol=1e-3)


# ---- batches: shapes, dtypes, label encodings, order ----
@pytest.mark.parametrize("label_mode,label_shape,label_dtype", [
    ("int", (), np.int32), ("categorical", (3,), np.float32), (None, None, None)])
def test_batches_shapes_and_labels(image_dir, label_mode, label_shape, label_dtype):
    ds = utils.image_dataset_from_directory(image_dir, label_mode=label_mode, image_size=(6, 5), batch_size=5,
                                            shuffle=False, verbose=False)
    batches = list(ds)
    assert len(ds) == len(batches) == 3  # 13 images: 5 + 5 + 3
    sizes = [len(b[0] if label_mode else b) for b in batches]
    assert sizes == [5, 5, 3]
    # shuffle=False: sorted by class folder, then path; the nested JPEG belongs to 'dogs'
    expected_int = np.array([0] * 4 + [1] * 4 + [2] * 5, dtype="int32")
    for i, batch in enumerate(batches):
        images = batch[0] if label_mode else batch
        assert images.shape[1:] == (6, 5, 3) and images.dtype == np.float32
        assert 0 <= images.min() and images.max() <= 255
        if label_mode:
            labels = batch[1]
            assert labels.shape[1:] == label_shape and labels.dtype == label_dtype
            want = expected_int[5 * i:5 * i + len(labels)]
            got = labels if label_mode == "int" else labels.argmax(-1)
            np.testing.assert_array_equal(got, want)
    first = ds.file_paths[0]
    np.testing.assert_allclose(batches[0][0][0] if label_mode else batches[0][0],
                               ddu.load_image(first, (6, 5), 3, "bilinear", "channels_last"))


def test_binary_labels_and_grayscale(bright_dark_dir):
    ds = utils.image_dataset_from_directory(bright_dark_dir, label_mode="binary", color_mode="grayscale",
                                            image_size=10, batch_size=8, shuffle=False, verbose=False)
    x, y = ds[0]
    assert x.shape == (8, 10, 10, 1) and y.shape == (8, 1) and y.dtype == np.float32
    np.testing.assert_array_equal(y[:, 0], np.zeros(8))  # 'bright' is class 0
    assert ds.class_names == ["bright", "dark"]
    x_last, y_last = ds[-1]
    np.testing.assert_array_equal(y_last[:, 0], np.ones(8))


def test_unbatched_and_manual_labels(image_dir):
    ds = utils.image_dataset_from_directory(image_dir, labels=list(range(13)), batch_size=None, image_size=(3, 3),
                                            shuffle=False, verbose=False)
    assert len(ds) == 13
    x, y = ds[4]
    assert x.shape == (3, 3, 3) and int(y) == 4
    assert ds.class_names == [str(i) for i in range(13)]


def test_seeded_shuffle_reproducible_and_reshuffled_each_epoch(image_dir):
    make = lambda: utils.image_dataset_from_directory(image_dir, image_size=(4, 4), batch_size=4, seed=11,
                                                      verbose=False)
    a, b = make(), make()
    epoch_a = np.concatenate([y for _, y in a])
    np.testing.assert_array_equal(epoch_a, np.concatenate([y for _, y in b]))
    epoch_a2 = [x for x, _ in a]  # second epoch: another order of the same images
    epoch_a1 = [x for x, _ in make()]
    assert not all(np.array_equal(p, q) for p, q in zip(epoch_a1, epoch_a2))
    np.testing.assert_allclose(np.sort(np.concatenate(epoch_a1).ravel()), np.sort(np.concatenate(epoch_a2).ravel()))


def test_verbose_prints_keras_messages(image_dir, capsys):
    utils.image_dataset_from_directory(image_dir, image_size=(4, 4), seed=1, validation_split=0.2,
                                       subset="training")
    out = capsys.readouterr().out
    assert "Found 13 files belonging to 3 classes." in out and "Using 11 files for training." in out


def test_argument_errors(image_dir):
    with pytest.raises(ValueError, match="you must provide a `seed`"):
        utils.image_dataset_from_directory(image_dir, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        utils.image_dataset_from_directory(image_dir, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="color_mode"):
        utils.image_dataset_from_directory(image_dir, color_mode="cmyk")
    with pytest.raises(ValueError, match="did not match the names of the subdirectories"):
        utils.image_dataset_from_directory(image_dir, class_names=["cats", "fish"], verbose=False)
    with pytest.raises(ValueError, match="lanczos3"):
        utils.image_dataset_from_directory(image_dir, interpolation="lanczos3", verbose=False)
    with pytest.raises(ValueError, match="Received: format=grain"):
        utils.image_dataset_from_directory(image_dir, format="grain", verbose=False)
    with pytest.raises(ValueError, match="Only one of"):
        utils.image_dataset_from_directory(image_dir, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)


def test_fit_evaluate_predict_on_image_dataset(bright_dark_dir):
    train, val = utils.image_dataset_from_directory(bright_dark_dir, image_size=(8, 8), batch_size=6, seed=4,
                                                    validation_split=0.25, subset="both", label_mode="binary",
                                                    verbose=False)
    train = train.map(lambda x, y: (x / 127.5 - 1, y)).prefetch(2)
    val = val.map(lambda x, y: (x / 127.5 - 1, y))
    dk.utils.set_random_seed(0)
    model = dk.Sequential([dk.Input((8, 8, 3)), dk.layers.Flatten(), dk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=dk.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=8, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    loss, accuracy = model.evaluate(val, verbose=0)
    assert accuracy == 1.0 and loss < 0.05
    predictions = model.predict(val, verbose=0)  # labels ignored, as Keras
    assert predictions.shape == (6, 1)
    np.testing.assert_allclose(predictions, model.predict(val.map(lambda x, y: x), verbose=0))
    labels = np.concatenate([y for _, y in val])
    np.testing.assert_array_equal(predictions > 0.5, labels > 0.5)


# ---- text ----
def test_text_dataset_contents_labels_and_order(text_dir):
    theirs, labels, names = kdu.index_directory(text_dir, "inferred", formats=(".txt",), seed=9, verbose=False)
    ds = utils.text_dataset_from_directory(text_dir, batch_size=4, seed=9, verbose=False)
    assert ds.file_paths == theirs and ds.class_names == names == ["neg", "pos"]
    assert [len(t) for t, _ in ds] == [4, 4, 2]
    texts, ys = ds[0]
    assert texts.dtype == object and ys.dtype == np.int32
    for text, y in zip(texts, ys):
        assert text.startswith(names[y] + " review number ")

    unshuffled = utils.text_dataset_from_directory(text_dir, batch_size=3, shuffle=False, max_length=10,
                                                   label_mode="categorical", verbose=False)
    texts, ys = unshuffled[0]
    assert list(texts) == ["neg review", "neg review", "neg review"]
    np.testing.assert_array_equal(ys, [[1, 0]] * 3)
    texts_only = utils.text_dataset_from_directory(text_dir, labels=None, batch_size=20, shuffle=False,
                                                   verbose=False)
    assert len(texts_only) == 1 and texts_only[0][0] == "neg review number 0 "


def test_text_dataset_adapts_text_vectorization(text_dir):
    ds = utils.text_dataset_from_directory(text_dir, batch_size=4, seed=0, verbose=False)
    vectorize = dk.layers.TextVectorization(max_tokens=20, output_sequence_length=6)
    vectorize.adapt(ds.map(lambda x, y: x))
    vocabulary = vectorize.get_vocabulary()
    assert {"neg", "pos", "review", "number", "word"} <= set(vocabulary)
    texts, _ = ds[0]
    ids = np.asarray(vectorize(texts).data)
    assert ids.shape == (4, 6)
    assert [vocabulary[i] for i in ids[0, 1:3]] == ["review", "number"]


def test_text_validation_split(text_dir, tmp_path):
    train, val = utils.text_dataset_from_directory(text_dir, validation_split=0.2, subset="both", seed=1,
                                                   verbose=False)
    assert len(train.file_paths) == 8 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    (tmp_path / "only.png").write_bytes(b"x")
    with pytest.raises(ValueError, match="No text files found in directory"):
        utils.text_dataset_from_directory(str(tmp_path), labels=None, verbose=False)


# ---- timeseries: the examples of Keras' docstring, computed by hand ----
def test_timeseries_docstring_example_1():
    data = np.arange(100)
    ds = utils.timeseries_dataset_from_array(data, None, sequence_length=10, sampling_rate=2, batch_size=256)
    x = ds[0]
    assert len(ds) == 1 and x.shape == (100 - 18, 10)
    np.testing.assert_array_equal(x[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(x[1], np.arange(1, 21, 2))
    assert x.dtype == data.dtype


def test_timeseries_docstring_example_2_targets_and_batches():
    data = np.arange(100, dtype="float32")[:, None] * np.ones((1, 2), "float32")
    targets = data[10:, 0]
    ds = utils.timeseries_dataset_from_array(data, targets, sequence_length=10, batch_size=16)
    batches = list(ds)
    sizes = [len(x) for x, _ in batches]
    assert sum(sizes) == 90 and sizes[:-1] == [16] * 5 and sizes[-1] == 10 and len(ds) == 6
    x, y = batches[0]
    assert x.shape == (16, 10, 2) and x.dtype == np.float32
    np.testing.assert_array_equal(x[0, :, 0], np.arange(10))
    assert y[0] == 10 and y[5] == 15  # the step right after each window


def test_timeseries_stride_start_end_and_shuffle():
    data = np.arange(50)
    targets = np.arange(50) * 10
    ds = utils.timeseries_dataset_from_array(data, targets, sequence_length=4, sequence_stride=3, sampling_rate=2,
                                             batch_size=5, start_index=5, end_index=40)
    xs = np.concatenate([ds[i][0] for i in range(len(ds))])
    ys = np.concatenate([ds[i][1] for i in range(len(ds))])
    # num_seqs = 40 - 5 - 3 * 2 = 29 start offsets 0, 3, ..., 27 (10 windows)
    starts = 5 + np.arange(0, 29, 3)
    np.testing.assert_array_equal(xs, starts[:, None] + np.arange(0, 8, 2)[None, :])
    np.testing.assert_array_equal(ys, starts * 10)

    shuffled = utils.timeseries_dataset_from_array(data, targets, sequence_length=4, sequence_stride=3,
                                                   sampling_rate=2, batch_size=5, start_index=5, end_index=40,
                                                   shuffle=True, seed=3)
    one_epoch = list(shuffled)  # a second pass would be the next epoch, in a new order
    sx = np.concatenate([x for x, _ in one_epoch])
    sy = np.concatenate([y for _, y in one_epoch])
    assert not np.array_equal(sx, xs)
    np.testing.assert_array_equal(np.sort(sx[:, 0]), xs[:, 0])
    np.testing.assert_array_equal(sy, sx[:, 0] * 10)  # windows keep their own targets


def test_timeseries_errors():
    data = np.arange(10)
    with pytest.raises(ValueError, match="`sampling_rate` must be higher than 0"):
        utils.timeseries_dataset_from_array(data, None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="`sequence_stride` must be lower than the length"):
        utils.timeseries_dataset_from_array(data, None, 3, sequence_stride=10)
    with pytest.raises(ValueError, match="`end_index` must be higher than `start_index`"):
        utils.timeseries_dataset_from_array(data, None, 3, start_index=5, end_index=4)


def test_timeseries_fit_a_forecaster():
    t = np.arange(300, dtype="float32")
    series = np.sin(t / 8)[:, None].astype("float32")
    ds = utils.timeseries_dataset_from_array(series[:-5], series[5:, 0], sequence_length=5, batch_size=32,
                                             shuffle=True, seed=0)
    dk.utils.set_random_seed(0)
    model = dk.Sequential([dk.Input((5, 1)), dk.layers.Flatten(), dk.layers.Dense(1)])
    model.compile(optimizer=dk.optimizers.Adam(0.02), loss="mse")
    history = model.fit(ds, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.01
