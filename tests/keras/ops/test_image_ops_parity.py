"""keras.ops.image against real Keras 3 (torch backend): values, dtypes and gradients."""
import numpy as np
import pytest

import deepgrad as dg
from deepgrad.keras import ops as dg_ops
from tests.keras.ops.oracle import check_op, keras

COVERED_KERAS_OPS = {
    "image.affine_transform", "image.crop_images", "image.extract_patches", "image.gaussian_blur",
    "image.hsv_to_rgb", "image.map_coordinates", "image.pad_images", "image.resize",
    "image.rgb_to_grayscale", "image.rgb_to_hsv", "image.sobel_edges", "image.ssim",
    "image.extract_patches_3d", "image.perspective_transform", "image.scale_and_translate",
    "image.elastic_transform",
}
COVERED_OPS = set()

DTYPES = ["float32", "float64"]
LAST = dict(data_format="channels_last")
FIRST = dict(data_format="channels_first")


def img(*shape, dtype="float32", seed=0, low=0.0, high=1.0):
    return np.random.default_rng(seed + sum(shape)).uniform(low, high, size=shape).astype(dtype)


TRANSFORMS = np.array([[1.1, 0.2, -0.5, 0.1, 0.9, 0.3, 0, 0], [0.8, -0.1, 1.0, 0.2, 1.2, -0.4, 0, 0]])

CASES = [
    ("resize", lambda d: [img(2, 5, 7, 3, dtype=d)], dict(size=(8, 4)), None),
    ("resize", lambda d: [img(2, 5, 7, 3, dtype=d)], dict(size=(3, 10), interpolation="nearest"), None),
    ("resize", lambda d: [img(2, 5, 7, 3, dtype=d)], dict(size=(9, 4), interpolation="bicubic"), None),
    ("resize", lambda d: [img(2, 12, 10, 3, dtype=d)], dict(size=(5, 4), antialias=True), None),
    ("resize", lambda d: [img(2, 12, 10, 3, dtype=d)], dict(size=(5, 4), interpolation="bicubic", antialias=True),
     None),
    ("resize", lambda d: [img(2, 4, 5, 3, dtype=d)], dict(size=(8, 10), antialias=True), None),
    ("resize", lambda d: [img(5, 7, 3, dtype=d)], dict(size=(6, 6), crop_to_aspect_ratio=True), None),
    ("resize", lambda d: [img(5, 7, 3, dtype=d)], dict(size=(6, 6), pad_to_aspect_ratio=True, fill_value=0.5), None),
    ("resize", lambda d: [img(2, 3, 5, 7, dtype=d)], dict(size=(8, 4), **FIRST), None),
    ("crop_images", lambda d: [img(2, 6, 7, 3, dtype=d)],
     dict(top_cropping=1, left_cropping=2, target_height=3, target_width=4), None),
    ("crop_images", lambda d: [img(6, 7, 3, dtype=d)],
     dict(bottom_cropping=1, right_cropping=2, target_height=3, target_width=4), None),
    ("crop_images", lambda d: [img(2, 3, 6, 7, dtype=d)],
     dict(top_cropping=1, bottom_cropping=2, left_cropping=0, right_cropping=3, **FIRST), None),
    ("pad_images", lambda d: [img(2, 6, 7, 3, dtype=d)],
     dict(top_padding=1, left_padding=2, target_height=9, target_width=10), None),
    ("pad_images", lambda d: [img(3, 6, 7, dtype=d)],
     dict(bottom_padding=1, right_padding=2, target_height=9, target_width=10, **FIRST), None),
    ("rgb_to_grayscale", lambda d: [img(2, 4, 5, 3, dtype=d)], {}, None),
    ("rgb_to_grayscale", lambda d: [img(3, 4, 5, dtype=d)], FIRST, None),
    ("rgb_to_grayscale", lambda d: [img(4, 5, 1, dtype=d)], {}, None),
    ("rgb_to_hsv", lambda d: [img(2, 4, 5, 3, dtype=d)], {}, None),
    ("rgb_to_hsv", lambda d: [img(3, 4, 5, dtype=d)], FIRST, None),
    ("hsv_to_rgb", lambda d: [img(2, 4, 5, 3, dtype=d)], {}, None),
    ("hsv_to_rgb", lambda d: [img(2, 3, 4, 5, dtype=d, low=-0.5, high=1.5)], FIRST, None),
    ("extract_patches", lambda d: [img(2, 6, 8, 3, dtype=d)], dict(size=2), None),
    ("extract_patches", lambda d: [img(2, 7, 8, 3, dtype=d)], dict(size=(3, 2), strides=(2, 3), padding="same"), None),
    ("extract_patches", lambda d: [img(7, 8, 3, dtype=d)], dict(size=(2, 2), strides=1, dilation_rate=2), None),
    ("extract_patches", lambda d: [img(2, 3, 6, 8, dtype=d)], dict(size=2, **FIRST), None),
    # Keras' torch backend edits `transform` in place, so only the images' gradient is compared
    ("affine_transform", lambda d: [img(2, 6, 7, 3, dtype=d), TRANSFORMS.astype(d)], {}, [0]),
    ("affine_transform", lambda d: [img(2, 6, 7, 3, dtype=d), TRANSFORMS.astype(d)],
     dict(interpolation="nearest", fill_mode="reflect"), [0]),
    ("affine_transform", lambda d: [img(6, 7, 3, dtype=d), TRANSFORMS[1].astype(d)], dict(fill_mode="wrap"), [0]),
    ("affine_transform", lambda d: [img(6, 7, 3, dtype=d), TRANSFORMS[0].astype(d)], dict(fill_mode="mirror"), [0]),
    ("affine_transform", lambda d: [img(6, 7, 3, dtype=d), TRANSFORMS[0].astype(d)],
     dict(fill_mode="nearest", fill_value=0.3), [0]),
    ("affine_transform", lambda d: [img(2, 3, 6, 7, dtype=d), TRANSFORMS.astype(d)], dict(fill_value=0.7, **FIRST),
     [0]),
    ("map_coordinates", lambda d: [img(5, 6, dtype=d), img(2, 3, 4, dtype=d, low=-1, high=6)], dict(order=1), None),
    ("map_coordinates", lambda d: [img(5, 6, dtype=d), img(2, 3, 4, dtype=d, low=-1, high=6)],
     dict(order=0, fill_mode="wrap"), None),
    ("map_coordinates", lambda d: [img(5, 6, dtype=d), img(2, 7, dtype=d, low=-3, high=9)],
     dict(order=1, fill_mode="reflect"), None),
    ("map_coordinates", lambda d: [img(5, 6, dtype=d), img(2, 7, dtype=d, low=-3, high=9)],
     dict(order=1, fill_mode="mirror"), None),
    ("map_coordinates", lambda d: [img(5, 6, dtype=d), img(2, 7, dtype=d, low=-3, high=9)],
     dict(order=1, fill_mode="nearest"), None),
    ("map_coordinates", lambda d: [img(4, 5, 3, dtype=d), img(3, 6, dtype=d, low=-1, high=5)],
     dict(order=1, fill_value=2.0), None),
    ("extract_patches_3d", lambda d: [img(2, 4, 6, 5, 2, dtype=d)], dict(size=2), None),
    ("extract_patches_3d", lambda d: [img(2, 5, 6, 7, 2, dtype=d)],
     dict(size=(2, 3, 2), strides=(1, 2, 3), padding="same"), None),
    ("extract_patches_3d", lambda d: [img(5, 6, 7, 2, dtype=d)], dict(size=(2, 2, 2), strides=1, dilation_rate=2),
     None),
    ("extract_patches_3d", lambda d: [img(2, 2, 5, 6, 7, dtype=d)], dict(size=2, **FIRST), None),
    ("extract_patches", lambda d: [img(2, 4, 6, 5, 2, dtype=d)], dict(size=(2, 2, 2)), None),
    ("gaussian_blur", lambda d: [img(2, 6, 7, 3, dtype=d)], dict(kernel_size=(3, 3), sigma=(1.0, 1.0), **LAST), None),
    ("gaussian_blur", lambda d: [img(2, 6, 7, 3, dtype=d)], dict(kernel_size=(5, 5), sigma=(1.5, 0.7), **LAST), None),
    ("gaussian_blur", lambda d: [img(6, 7, 2, dtype=d)], dict(kernel_size=(3, 3), sigma=(0.5, 2.0), **LAST), None),
    ("gaussian_blur", lambda d: [img(2, 3, 6, 7, dtype=d)], dict(kernel_size=(3, 3), **FIRST), None),
    ("sobel_edges", lambda d: [img(2, 6, 7, 3, dtype=d)], {}, None),
    ("sobel_edges", lambda d: [img(2, 3, 6, 7, dtype=d)], FIRST, None),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,build,kwargs,grad_inputs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_image_op_matches_keras(name, build, kwargs, grad_inputs, dtype):
    check_op("image." + name, build(dtype), kwargs, grad=True, grad_inputs=grad_inputs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,kwargs", [
    ((2, 6, 7, 3), dict(output_shape=(2, 9, 4, 3), scale=[1.5, 0.6], translation=[0.5, -0.2], spatial_dims=(1, 2),
                        method="linear")),
    ((2, 6, 7, 3), dict(output_shape=(2, 9, 4, 3), scale=[1.5, 0.6], translation=[0.5, -0.2], spatial_dims=(1, 2),
                        method="cubic", antialias=False)),
    ((2, 6, 7, 3), dict(output_shape=(2, 4, 12, 3), scale=[0.7, 1.7], translation=[0.0, 0.3], spatial_dims=(1, 2),
                        method="lanczos3")),
    ((6, 7), dict(output_shape=(3, 7), scale=[0.5], translation=[0.1], spatial_dims=(0,), method="lanczos5")),
    ((5, 6, 7), dict(output_shape=(5, 6, 3), scale=[0.4], translation=[0.0], spatial_dims=(-1,), method="bilinear")),
])
def test_scale_and_translate_matches_keras(shape, kwargs, dtype):
    kwargs = dict(kwargs, scale=np.array(kwargs["scale"], dtype=dtype),
                  translation=np.array(kwargs["translation"], dtype=dtype))
    # Keras' torch backend builds the weights in float32 whatever the dtypes; deepgrad in scale's dtype
    tol = dict(rtol=2e-5, atol=1e-7) if dtype == "float64" else {}
    check_op("image.scale_and_translate", [img(*shape, dtype=dtype)], kwargs, grad=True, **tol)
    if dtype == "float32":
        check_op("image.scale_and_translate", [(img(*shape) * 255).astype(np.uint8)], kwargs)


START = np.array([[0, 0], [6, 0], [6, 5], [0, 5]])
END = np.array([[1, 0.5], [5.5, 0.2], [6.2, 4.1], [0.3, 4.8]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,points,kwargs", [
    ((2, 6, 7, 3), (START, END), {}),
    ((6, 7, 3), (START, END), dict(interpolation="nearest", fill_value=0.5)),
    ((2, 3, 6, 7), (np.stack([START, START]), np.stack([END, START])), FIRST),
])
def test_perspective_transform_matches_keras(shape, points, kwargs, dtype):
    # the homography is solved in float64 here; Keras' differs by ~1e-6 relative in float64
    tol = dict(rtol=1e-5, atol=1e-8) if dtype == "float64" else {}
    check_op("image.perspective_transform", [img(*shape, dtype=dtype)] + [p.astype(dtype) for p in points],
             kwargs, grad=True, grad_inputs=[0], **tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,kwargs", [((2, 12, 12, 3), {}), ((12, 12, 2), dict(filter_size=5, max_val=2.0)),
                                          ((2, 3, 9, 9), dict(filter_size=3, filter_sigma=0.8, **FIRST))])
def test_ssim_matches_keras(shape, kwargs, dtype):
    a = img(*shape, dtype=dtype)
    b = np.clip(a + np.random.default_rng(1).normal(0, 0.1, size=shape), 0, 1).astype(dtype)
    # Keras' float64 SSIM differs from an exact one by ~1e-6 relative (a float32 step inside)
    tol = dict(rtol=1e-4, atol=1e-7) if dtype == "float64" else {}
    check_op("image.ssim", [a, b], kwargs, grad=True, **tol)
    assert np.allclose(dg_ops.image.ssim(a, a, **kwargs).numpy(), 1.0)


def test_ssim_and_resample_gradcheck():
    a, b = img(1, 7, 7, 2, dtype="float64"), img(1, 7, 7, 2, dtype="float64", seed=3)
    assert dg.gradcheck(lambda x, y: dg_ops.image.ssim(x, y, filter_size=3), a, b)
    coords = img(2, 5, dtype="float64", low=0.1, high=3.9, seed=4)
    assert dg.gradcheck(lambda x, c: dg_ops.image.map_coordinates(x, [c[0], c[1]], 1), img(5, 5, dtype="float64"),
                        coords)
    transform = np.array([1.1, 0.23, -0.47, 0.13, 0.91, 0.31, 0.01, 0.02])  # no sample on a pixel edge
    assert dg.gradcheck(lambda x, t: dg_ops.image.affine_transform(x, t), img(4, 5, 1, dtype="float64"), transform)


@pytest.mark.parametrize("name,kwargs", [
    ("resize", dict(size=(8, 4))), ("resize", dict(size=(3, 2), interpolation="nearest")),
    ("resize", dict(size=(9, 5), interpolation="bicubic")), ("rgb_to_grayscale", {}),
    ("crop_images", dict(top_cropping=1, left_cropping=1, target_height=2, target_width=3)),
    ("pad_images", dict(top_padding=1, left_padding=1, bottom_padding=0, right_padding=2)),
])
def test_integer_images_keep_their_dtype(name, kwargs):
    images = (img(2, 5, 7, 3) * 255).astype(np.uint8)
    check_op("image." + name, [images], kwargs)


def test_affine_transform_projective_and_errors():
    image = img(5, 6, 1, dtype="float64")
    # identity with a projective term: x' = x / (c0 x + 1), y' = y / (c0 x + 1)
    out = dg_ops.image.affine_transform(image, np.array([1, 0, 0, 0, 1, 0, 0.1, 0]), interpolation="nearest")
    ys, xs = np.meshgrid(np.arange(5), np.arange(6), indexing="ij")
    k = 0.1 * xs + 1
    expected = image[np.round(ys / k).astype(int), np.round(xs / k).astype(int), 0]
    np.testing.assert_allclose(out.numpy()[..., 0], expected)
    with pytest.raises(ValueError, match="interpolation"):
        dg_ops.image.affine_transform(image, TRANSFORMS[0], interpolation="bicubic")
    with pytest.raises(ValueError, match="exactly two"):
        dg_ops.image.pad_images(image, top_padding=1)
    with pytest.raises(ValueError, match="rank"):
        dg_ops.image.resize(np.zeros((4, 4)), (2, 2))


def test_gaussian_blur_default_layout_is_channels_last():
    # keras.config.image_data_format() is channels_last: data_format=None means that
    # (Keras' torch backend reads None as channels first here; deepgrad follows the documented default)
    images = img(1, 6, 7, 3)
    np.testing.assert_allclose(dg_ops.image.gaussian_blur(images).numpy(),
                               keras.ops.image.gaussian_blur(images, data_format="channels_last").numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_elastic_transform(dtype):
    # Keras' torch backend draws its field from torch's global generator, so only the properties
    # are compared: alpha=0 leaves images unchanged, an int seed repeats, the shape and dtype hold,
    # and the result is a resampling of the image (within its range) that gradients flow through
    images = img(2, 9, 8, 3, dtype=dtype)
    same = dg_ops.image.elastic_transform(images, alpha=0.0, sigma=1.0, seed=3)
    np.testing.assert_allclose(same.numpy(), images, rtol=1e-6)
    ref = keras.ops.image.elastic_transform(images, alpha=0.0, sigma=1.0, seed=3)
    np.testing.assert_allclose(same.numpy(), ref.numpy(), rtol=1e-6)
    a = dg_ops.image.elastic_transform(images, alpha=2.0, sigma=1.0, seed=7)
    b = dg_ops.image.elastic_transform(images, alpha=2.0, sigma=1.0, seed=7)
    assert a.numpy().dtype == dtype and a.shape == images.shape
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), images)
    assert a.numpy().min() >= images.min() - 1e-6 and a.numpy().max() <= images.max() + 1e-6
    first = dg_ops.image.elastic_transform(np.moveaxis(images, -1, 1), alpha=2.0, sigma=1.0, seed=7, **FIRST)
    np.testing.assert_allclose(np.moveaxis(first.numpy(), 1, -1), a.numpy(), rtol=1e-6)
    t = dg.Tensor(images)
    with dg.GradientTape() as tape:
        tape.watch(t)
        total = dg.reduce_sum(dg_ops.image.elastic_transform(t, alpha=2.0, sigma=1.0, seed=7,
                                                             interpolation="nearest"))
    grad = tape.gradient(total, t).numpy()
    assert grad.sum() == pytest.approx(images.size) and np.all(grad >= 0)
