"""array_to_img / img_to_array / load_img / save_img, run side by side with Keras 3's own on the
same arrays and files (Keras' image utilities are NumPy + Pillow, no TensorFlow needed)."""
import io
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from deepgrad.keras import utils  # noqa: E402

PIL = pytest.importorskip("PIL", reason="Pillow is needed for the image utilities: pip install pillow")
keras = pytest.importorskip("keras", reason="Keras 3 is the oracle: pip install keras")
from PIL import Image  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")


def _array(shape, seed=0, high=1.0):
    return np.random.default_rng(seed).uniform(0, high, size=shape).astype("float32")


@pytest.mark.parametrize("shape,data_format", [((5, 7, 3), "channels_last"), ((5, 7, 4), "channels_last"),
                                               ((5, 7, 1), "channels_last"), ((3, 5, 7), "channels_first")])
@pytest.mark.parametrize("scale", [True, False])
def test_array_to_img_matches_keras(shape, data_format, scale):
    x = _array(shape, high=1.0 if scale else 255.0)
    ours = utils.array_to_img(x, data_format=data_format, scale=scale)
    theirs = keras.utils.array_to_img(x, data_format=data_format, scale=scale)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_array_to_img_wide_grayscale_is_mode_i():
    x = _array((4, 4, 1), high=1000.0)
    assert utils.array_to_img(x, scale=False).mode == keras.utils.array_to_img(x, scale=False).mode == "I"


def test_array_to_img_errors():
    with pytest.raises(ValueError, match="rank 3"):
        utils.array_to_img(np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match="Unsupported channel number: 2"):
        utils.array_to_img(np.zeros((4, 4, 2)))


@pytest.mark.parametrize("mode,shape", [("RGB", (6, 5, 3)), ("RGBA", (6, 5, 4)), ("L", (6, 5))])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_img_to_array_matches_keras(mode, shape, data_format):
    pixels = (np.random.default_rng(1).uniform(0, 255, size=shape)).astype("uint8")
    img = Image.fromarray(pixels, mode)
    for dtype in (None, "float64", "uint8"):
        ours = utils.img_to_array(img, data_format=data_format, dtype=dtype)
        theirs = keras.utils.img_to_array(img, data_format=data_format, dtype=dtype)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)


def test_round_trip_png(tmp_path):
    pixels = np.random.default_rng(2).integers(0, 256, size=(9, 11, 3)).astype("float32")
    path = tmp_path / "img.png"
    utils.save_img(str(path), pixels, scale=False)
    back = utils.img_to_array(utils.load_img(str(path)))
    np.testing.assert_array_equal(back, pixels)
    assert back.dtype == np.float32 and back.shape == (9, 11, 3)


def _write_test_image(path, size=(13, 10)):
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, size=(size[1], size[0], 3)).astype("uint8"), "RGB").save(path)


@pytest.mark.parametrize("color_mode", ["rgb", "rgba", "grayscale"])
@pytest.mark.parametrize("target_size,interpolation,keep", [
    (None, "nearest", False), ((6, 6), "nearest", False), ((7, 4), "bilinear", False),
    ((5, 9), "bicubic", True), ((8, 8), "lanczos", True), ((4, 12), "box", True)])
def test_load_img_matches_keras(tmp_path, color_mode, target_size, interpolation, keep):
    path = str(tmp_path / "x.png")
    _write_test_image(path)
    kwargs = dict(color_mode=color_mode, target_size=target_size, interpolation=interpolation,
                  keep_aspect_ratio=keep)
    ours, theirs = utils.load_img(path, **kwargs), keras.utils.load_img(path, **kwargs)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    np.testing.assert_array_equal(utils.img_to_array(ours), keras.utils.img_to_array(theirs))


def test_load_img_from_bytes_and_pathlib(tmp_path):
    path = tmp_path / "x.png"
    _write_test_image(str(path))
    a = utils.img_to_array(utils.load_img(path))
    b = utils.img_to_array(utils.load_img(io.BytesIO(path.read_bytes())))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="path-like"):
        utils.load_img(3)
    with pytest.raises(ValueError, match="color_mode"):
        utils.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match="Invalid interpolation method"):
        utils.load_img(path, target_size=(3, 3), interpolation="cubic")


@pytest.mark.parametrize("ext,shape", [("png", (6, 8, 3)), ("jpg", (6, 8, 3)), ("bmp", (6, 8, 1)), ("png", (6, 8, 4))])
def test_save_img_matches_keras(tmp_path, ext, shape):
    x = _array(shape, seed=4)
    ours, theirs = tmp_path / f"ours.{ext}", tmp_path / f"theirs.{ext}"
    utils.save_img(str(ours), x)
    keras.utils.save_img(str(theirs), x)
    assert ours.read_bytes() == theirs.read_bytes()


def test_save_img_rgba_jpeg_warns_and_converts(tmp_path):
    path = tmp_path / "a.jpeg"
    with pytest.warns(UserWarning, match="JPEG format does not support RGBA"):
        utils.save_img(str(path), _array((4, 4, 4)))
    assert Image.open(path).mode == "RGB"


def test_missing_pillow_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        utils.array_to_img(np.zeros((2, 2, 3)))
    with pytest.raises(ImportError, match="pip install pillow"):
        utils.load_img("whatever.png")
