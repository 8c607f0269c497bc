"""tf.image against TensorFlow 2.21.0's values (recorded in a scratch environment, kept as
constants at the end of this file), against torch where torch has the op, and its
gradients by central differences (deepgrad.gradcheck) or torch autograd."""
import subprocess
import sys

import numpy as np
import pytest
import torch

import deepgrad as tf
from deepgrad import compat
from deepgrad import image as im

A = (np.arange(105, dtype=np.float32).reshape(5, 7, 3) / 104).astype(np.float32)  # a 5x7x3 ramp in [0, 1]
B = np.random.default_rng(0).random((4, 6, 2)).astype(np.float32)
C = np.random.default_rng(1).random((2, 4, 5, 3)).astype(np.float32)
D = np.random.default_rng(2).random((2, 4, 5, 3)).astype(np.float32)
U = np.round(A * 255).astype(np.uint8)
I = np.arange(105, dtype=np.int32).reshape(5, 7, 3)  # noqa: E741
S1 = np.random.default_rng(3).random((2, 16, 16, 3)).astype(np.float32)
S2 = np.clip(S1 + 0.1 * np.random.default_rng(4).standard_normal((2, 16, 16, 3)), 0, 1).astype(np.float32)
F = np.array([-0.1, 0.0, 0.25, 0.5, 0.999, 1.0, 1.2], np.float32)

METHODS = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"]


def _resize_cases():
    cases = {}
    for m in METHODS:
        for h, w in [(3, 4), (5, 8)]:
            cases[f"resize_{m}_{h}x{w}"] = lambda m=m, size=(h, w): im.resize(B, size, method=m)
        cases[f"resize_{m}_aa_3x4"] = lambda m=m: im.resize(B, (3, 4), method=m, antialias=True)
    cases["resize_bilinear_aa_5x8"] = lambda: im.resize(B, (5, 8), antialias=True)
    return cases


CASES = {
    **_resize_cases(),
    "resize_u8_nearest": lambda: im.resize(U, (3, 4), method="nearest"),
    "resize_u8_bilinear": lambda: im.resize(U, (3, 4)),
    "resize_f64_bilinear": lambda: im.resize(B.astype(np.float64), (3, 4)),
    "resize_f64_nearest": lambda: im.resize(B.astype(np.float64), (3, 4), method=im.ResizeMethod.NEAREST_NEIGHBOR),
    "resize_f16_bicubic": lambda: im.resize(B.astype(np.float16), (3, 4), method=im.ResizeMethod.BICUBIC),
    "resize_batch_bilinear": lambda: im.resize(tf.constant(C), (3, 7)),
    "resize_aspect": lambda: im.resize(A, (10, 10), preserve_aspect_ratio=True),
    "resize_aspect2": lambda: im.resize(A, (4, 20), preserve_aspect_ratio=True),
    "resize_with_pad": lambda: im.resize_with_pad(B, 6, 5),
    "resize_with_pad_nearest": lambda: im.resize_with_pad(B, 3, 9, method="nearest"),
    "rcp_3x9": lambda: im.resize_with_crop_or_pad(I, 3, 9),
    "rcp_8x4": lambda: im.resize_with_crop_or_pad(I, 8, 4),
    "central_crop_05": lambda: im.central_crop(I, 0.5),
    "central_crop_03": lambda: im.central_crop(I, 0.3),
    "central_crop_batch": lambda: im.central_crop(np.stack([I, I + 200]), 0.6),
    "rot90_1": lambda: im.rot90(I, 1),
    "rot90_3b": lambda: im.rot90(np.stack([I, I]), 3),
    "transpose": lambda: im.transpose(I),
    "cidt_u8_f32": lambda: im.convert_image_dtype(np.array([0, 1, 127, 128, 255], np.uint8), tf.float32),
    "cidt_f32_u8": lambda: im.convert_image_dtype(F, tf.uint8),
    "cidt_f32_u8_sat": lambda: im.convert_image_dtype(F, tf.uint8, saturate=True),
    "cidt_f32_i32": lambda: im.convert_image_dtype(np.array([0.0, 0.25, 0.5, 1.0], np.float32), tf.int32),
    "cidt_f32_i16": lambda: im.convert_image_dtype(np.array([0.0, 0.25, 0.5, 1.0], np.float32), "int16"),
    "cidt_u8_i16": lambda: im.convert_image_dtype(np.array([0, 1, 127, 255], np.uint8), tf.int16),
    "cidt_u8_u16": lambda: im.convert_image_dtype(np.array([0, 1, 127, 255], np.uint8), tf.uint16),
    "cidt_i32_u8": lambda: im.convert_image_dtype(np.array([0, 2**24, 2**30, 2**31 - 1], np.int32), tf.uint8),
    "cidt_i16_f64": lambda: im.convert_image_dtype(np.array([0, 1, -5, 32767], np.int16), tf.float64),
    "cidt_f64_f32": lambda: im.convert_image_dtype(np.array([0.5, 2.0], np.float64), tf.float32),
    "cidt_f32_f16": lambda: im.convert_image_dtype(np.array([0.5, 2.0], np.float32), tf.float16),
    "std_A": lambda: im.per_image_standardization(A),
    "std_C": lambda: im.per_image_standardization(C),
    "std_U": lambda: im.per_image_standardization(U),
    "std_const": lambda: im.per_image_standardization(np.ones((2, 2, 1), np.float32)),
    "bright_C": lambda: im.adjust_brightness(C, 0.1),
    "bright_U": lambda: im.adjust_brightness(U, 0.1),
    "bright_Uneg": lambda: im.adjust_brightness(U, -0.3),
    "contrast_C": lambda: im.adjust_contrast(C, 1.5),
    "contrast_U": lambda: im.adjust_contrast(U, 0.5),
    "gamma_C": lambda: im.adjust_gamma(C, 2.0, 1.5),
    "gamma_U": lambda: im.adjust_gamma(U, 0.5, 1.0),
    "sat_C": lambda: im.adjust_saturation(C, 0.5),
    "sat_C2": lambda: im.adjust_saturation(C, 2.0),
    "sat_U": lambda: im.adjust_saturation(U, 1.7),
    "hue_C": lambda: im.adjust_hue(C, 0.2),
    "hue_Cneg": lambda: im.adjust_hue(C, -0.7),
    "hue_U": lambda: im.adjust_hue(U, 0.4),
    "gray_C": lambda: im.rgb_to_grayscale(C),
    "gray_U": lambda: im.rgb_to_grayscale(U),
    "g2rgb": lambda: im.grayscale_to_rgb(np.arange(6, dtype=np.float32).reshape(2, 3, 1)),
    "hsv_C": lambda: im.rgb_to_hsv(C),
    "rgb_C": lambda: im.hsv_to_rgb(C),
    "yiq_C": lambda: im.rgb_to_yiq(C),
    "yuv_C": lambda: im.rgb_to_yuv(C),
    "yiq_back": lambda: im.yiq_to_rgb(C),
    "yuv_back": lambda: im.yuv_to_rgb(C),
    "grad_dy": lambda: im.image_gradients(C)[0],
    "grad_dx": lambda: im.image_gradients(C)[1],
    "tv_C": lambda: im.total_variation(C),
    "tv_A": lambda: im.total_variation(A),
    "tv_I": lambda: im.total_variation(I),
    "psnr_CD": lambda: im.psnr(C, D, 1.0),
    "psnr_U": lambda: im.psnr(U, np.clip(U.astype(int) + 3, 0, 255).astype(np.uint8), 255),
    "ssim_S": lambda: im.ssim(S1, S2, 1.0),
    "ssim_S3": lambda: im.ssim(S1[0], S2[0], 1.0, filter_size=7, filter_sigma=1.0),
    "ssim_U": lambda: im.ssim((S1 * 255).astype(np.uint8), (S2 * 255).astype(np.uint8), 255),
    "patches_valid": lambda: im.extract_patches(C, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
    "patches_same": lambda: im.extract_patches(C, [1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 1, 1], "SAME"),
    "patches_rate": lambda: im.extract_patches(C, [1, 2, 2, 1], [1, 1, 1, 1], [1, 2, 2, 1], "VALID"),
    "sobel": lambda: im.sobel_edges(C),
}


def test_every_recorded_case_has_a_call():
    assert sorted(CASES) == sorted(TF)
    assert len(TF) == 94


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_tensorflow(case):
    dtype, shape, values = TF[case]
    got = CASES[case]()
    assert isinstance(got, tf.Tensor)
    assert (got.dtype.name, got.shape) == (dtype, shape)
    np.testing.assert_allclose(got.numpy().astype(np.float64).ravel(), values, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- geometry vs NumPy


def test_flips_rot90_transpose_are_numpys():
    x = np.stack([I, I + 105])
    np.testing.assert_array_equal(im.flip_left_right(I).numpy(), I[:, ::-1])
    np.testing.assert_array_equal(im.flip_up_down(x).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(im.transpose(x).numpy(), x.transpose(0, 2, 1, 3))
    for k in range(-1, 6):
        np.testing.assert_array_equal(im.rot90(I, k).numpy(), np.rot90(I, k, axes=(0, 1)))
        np.testing.assert_array_equal(im.rot90(x, k).numpy(), np.rot90(x, k, axes=(1, 2)))
    assert im.flip_left_right(U).dtype.name == "uint8"


def test_crop_and_pad_to_bounding_box():
    np.testing.assert_array_equal(im.crop_to_bounding_box(I, 1, 2, 3, 4).numpy(), I[1:4, 2:6])
    padded = im.pad_to_bounding_box(I, 2, 1, 8, 9).numpy()
    assert padded.shape == (8, 9, 3) and padded.dtype == np.int32
    np.testing.assert_array_equal(padded[2:7, 1:8], I)
    assert padded.sum() == I.sum()
    batch = np.stack([A, A])
    np.testing.assert_array_equal(im.crop_to_bounding_box(batch, 0, 0, 5, 7).numpy(), batch)
    np.testing.assert_array_equal(im.central_crop(A, 1.0).numpy(), A)


def test_resize_method_names_and_identity():
    assert (im.ResizeMethod.BILINEAR, im.ResizeMethod.NEAREST_NEIGHBOR, im.ResizeMethod.AREA,
            im.ResizeMethod.MITCHELLCUBIC) == ("bilinear", "nearest", "area", "mitchellcubic")
    for m in METHODS[:6]:
        same = im.resize(B, (4, 6), method=m)
        assert same.dtype.name == "float32"
        np.testing.assert_allclose(same.numpy(), B, atol=1e-6)
    impulse = np.zeros((1, 9, 1), np.float32)
    impulse[0, 4] = 1
    # the Gaussian and Mitchell kernels blur even at the same size (TensorFlow 2.21.0 gives these weights)
    np.testing.assert_allclose(im.resize(impulse, (1, 9), method="gaussian").numpy()[0, 3:6, 0],
                               [0.10651, 0.78699, 0.10651], atol=1e-5)
    np.testing.assert_allclose(im.resize(impulse, (1, 9), method="mitchellcubic").numpy()[0, 3:6, 0],
                               [1 / 18, 8 / 9, 1 / 18], atol=1e-6)


# ----------------------------------------------------------------------------- torch's interpolate


@pytest.mark.parametrize("method,torch_mode,antialias,size", [
    ("bilinear", "bilinear", False, (5, 8)), ("bilinear", "bilinear", True, (3, 4)),
    ("bilinear", "bilinear", True, (2, 3)), ("nearest", "nearest-exact", False, (3, 4)),
    ("nearest", "nearest-exact", False, (7, 13)), ("bicubic", "bicubic", True, (2, 3)),
])
def test_resize_value_and_gradient_match_torch(method, torch_mode, antialias, size):
    x = tf.Variable(C)
    w = np.random.default_rng(5).standard_normal((2,) + size + (3,)).astype(np.float32)
    with tf.GradientTape() as tape:
        y = im.resize(x, size, method=method, antialias=antialias)
        loss = tf.reduce_sum(y * w)
    grad = tape.gradient(loss, x)
    t = torch.tensor(C).permute(0, 3, 1, 2).requires_grad_(True)
    extra = {} if method == "nearest" else {"align_corners": False}
    ty = torch.nn.functional.interpolate(t, size=size, mode=torch_mode, antialias=antialias, **extra)
    (ty * torch.tensor(w).permute(0, 3, 1, 2)).sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().permute(0, 2, 3, 1).numpy(), atol=1e-6)
    np.testing.assert_allclose(grad.numpy(), t.grad.permute(0, 2, 3, 1).numpy(), atol=1e-5)


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("fn", [
    im.flip_left_right, im.flip_up_down, im.transpose, lambda x: im.rot90(x, 3),
    lambda x: im.crop_to_bounding_box(x, 1, 1, 2, 3), lambda x: im.pad_to_bounding_box(x, 1, 2, 6, 8),
    lambda x: im.central_crop(x, 0.5), lambda x: im.resize_with_crop_or_pad(x, 3, 7),
    im.per_image_standardization, im.total_variation, im.sobel_edges, lambda x: im.image_gradients(x)[1],
    im.rgb_to_yuv, lambda x: im.resize(x, (3, 7), method="nearest"),
], ids=["flip_lr", "flip_ud", "transpose", "rot90", "crop", "pad", "central_crop", "crop_or_pad",
        "standardization", "total_variation", "sobel", "image_gradients", "rgb_to_yuv", "resize_nearest"])
def test_gradcheck(fn):
    x = np.random.default_rng(6).random((2, 4, 5, 3))
    assert tf.gradcheck(fn, x)


def test_brightness_contrast_gradients_match_torch():
    x = tf.Variable(C)
    w = np.random.default_rng(7).standard_normal(C.shape).astype(np.float32)
    with tf.GradientTape(persistent=True) as tape:
        bright = tf.reduce_sum(im.adjust_brightness(x, 0.2) * w)
        contrast = tf.reduce_sum(im.adjust_contrast(x, 1.7) * w)
    t = torch.tensor(C, requires_grad=True)
    mean = t.mean(dim=(1, 2), keepdim=True)
    ((t + 0.2) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(tape.gradient(bright, x).numpy(), t.grad.numpy(), atol=1e-6)
    t.grad = None
    (((t - mean) * 1.7 + mean) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(tape.gradient(contrast, x).numpy(), t.grad.numpy(), atol=1e-5)


def test_float_conversion_is_differentiable_and_integer_round_trip():
    x = tf.Variable(A.astype(np.float64))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(im.convert_image_dtype(x, tf.float32) * 3.0)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), np.full(A.shape, 3.0))
    back = im.convert_image_dtype(im.convert_image_dtype(U, tf.float32), tf.uint8)
    np.testing.assert_array_equal(back.numpy(), U)
    np.testing.assert_array_equal(im.convert_image_dtype(U, "uint8").numpy(), U)
    big = np.array([0.5, 1.0, 3.0], np.float32)  # saturating to int32 must not overflow at the top
    np.testing.assert_array_equal(im.convert_image_dtype(big, tf.int32, saturate=True).numpy(),
                                  [1073741824, 2147483647, 2147483647])


# ----------------------------------------------------------------------------- random augmentation


def _same(a, b):
    return np.array_equal(a.numpy(), b.numpy())


def test_random_flips_are_per_image_and_seeded():
    x = np.random.default_rng(8).random((16, 3, 4, 2)).astype(np.float32)
    for fn, axis in ((im.random_flip_left_right, 2), (im.random_flip_up_down, 1)):
        out = fn(x, seed=3).numpy()
        flipped = [np.array_equal(o, np.flip(i, axis - 1)) for o, i in zip(out, x)]
        kept = [np.array_equal(o, i) for o, i in zip(out, x)]
        assert all(f != k for f, k in zip(flipped, kept))
        assert 3 <= sum(flipped) <= 13
        np.testing.assert_array_equal(fn(x, seed=3).numpy(), out)
        assert any(not np.array_equal(fn(x, seed=s).numpy(), out) for s in range(4, 8))
    single = [im.random_flip_left_right(A, seed=s).numpy() for s in range(20)]
    assert {np.array_equal(s, A[:, ::-1]) for s in single} == {True, False}
    assert all(np.array_equal(s, A) or np.array_equal(s, A[:, ::-1]) for s in single)


def test_random_ops_follow_the_global_seed():
    tf.random.set_seed(11)
    first = [im.random_brightness(C, 0.3), im.random_crop(I, (2, 3, 3)), im.random_hue(C, 0.2)]
    tf.random.set_seed(11)
    again = [im.random_brightness(C, 0.3), im.random_crop(I, (2, 3, 3)), im.random_hue(C, 0.2)]
    assert all(_same(a, b) for a, b in zip(first, again))


def test_random_crop_is_a_window():
    for seed in range(10):
        crop = im.random_crop(I, (3, 4, 3), seed=seed).numpy()
        top, left = divmod(int(crop[0, 0, 0]) // 3, 7)
        np.testing.assert_array_equal(crop, I[top:top + 3, left:left + 4])
    offsets = {int(im.random_crop(I, (3, 4, 3), seed=s).numpy()[0, 0, 0]) for s in range(30)}
    assert len(offsets) > 4
    np.testing.assert_array_equal(im.stateless_random_crop(I, (2, 2, 1), seed=(1, 2)).numpy(),
                                  im.stateless_random_crop(I, (2, 2, 1), seed=(1, 2)).numpy())


def test_random_colour_ops_draw_their_factor_in_range():
    for seed in range(8):
        delta = im.random_brightness(C, 0.25, seed=seed).numpy() - C
        assert np.ptp(delta) < 1e-6 and abs(delta.flat[0]) <= 0.25
        contrast = im.random_contrast(C, 0.5, 1.5, seed=seed).numpy()
        mean = C.mean(axis=(1, 2), keepdims=True)
        factor = ((contrast - mean) / (C - mean)).ravel()
        assert np.ptp(factor) < 1e-3 and 0.5 <= factor[0] < 1.5
        assert _same(im.random_saturation(C, 0.2, 0.9, seed=seed), im.random_saturation(C, 0.2, 0.9, seed=seed))
        assert im.random_hue(U, 0.3, seed=seed).dtype.name == "uint8"


def test_stateless_variants_depend_only_on_the_seed_pair():
    for fn, args in ((im.stateless_random_brightness, (0.3,)), (im.stateless_random_contrast, (0.2, 1.8)),
                     (im.stateless_random_saturation, (0.2, 1.8)), (im.stateless_random_hue, (0.4,)),
                     (im.stateless_random_flip_left_right, ()), (im.stateless_random_flip_up_down, ())):
        runs = [fn(C, *args, seed=(s, 9)) for s in range(6)]
        assert _same(runs[0], fn(C, *args, seed=(0, 9)))
        assert _same(runs[0], fn(C, *args, seed=tf.constant([0, 9])))
        assert len({r.numpy().tobytes() for r in runs}) > 1


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("call,error,text", [
    (lambda: im.resize(np.zeros((4, 4), np.float32), (2, 2)), ValueError,
     "tf.image.resize: 'images' must have either 3 or 4 dimensions. Received: shape=(4, 4)"),
    (lambda: im.flip_left_right(np.zeros((4, 4), np.float32)), ValueError,
     "tf.image.flip_left_right: 'image' must be at least three-dimensional. Received: shape=(4, 4)"),
    (lambda: im.rot90(np.zeros((1, 1, 4, 4, 1)), 1), ValueError,
     "tf.image.rot90: 'image' must have either 3 or 4 dimensions. Received: shape=(1, 1, 4, 4, 1)"),
    (lambda: im.per_image_standardization(np.zeros((2, 2))), ValueError,
     "tf.image.per_image_standardization: 'image' must be at least three-dimensional. Received: shape=(2, 2)"),
    (lambda: im.image_gradients(A), ValueError,
     "tf.image.image_gradients: 'image' must have 4 dimensions. Received: shape=(5, 7, 3)"),
    (lambda: im.resize_with_crop_or_pad(np.zeros((4, 4)), 2, 2), ValueError,
     "tf.image.resize_with_crop_or_pad: 'image' must have either 3 or 4 dimensions. Received: shape=(4, 4)"),
    (lambda: im.central_crop(A, 1.5), ValueError,
     "tf.image.central_crop: central_fraction must be within (0, 1]. Received: central_fraction=1.5"),
    (lambda: im.crop_to_bounding_box(A, 0, 0, 6, 2), ValueError,
     "tf.image.crop_to_bounding_box: height must be >= target + offset. Received: image.shape=(5, 7, 3)"),
    (lambda: im.pad_to_bounding_box(A, 0, 0, 4, 9), ValueError,
     "tf.image.pad_to_bounding_box: height must be <= target - offset. Received: image.shape=(5, 7, 3)"),
    (lambda: im.resize(A, (2, 2), method="foo"), ValueError, "tf.image.resize: Resize method is not implemented: foo"),
    (lambda: im.resize(A, (2, 2, 1)), ValueError, "'size' must be a 1-D tensor of 2 elements"),
    (lambda: im.rgb_to_grayscale(np.zeros((2, 2, 2), np.float32)), ValueError,
     "tf.image.rgb_to_grayscale: the last dimension must be 3 (RGB). Received: shape=(2, 2, 2)"),
    (lambda: im.rgb_to_hsv(U), TypeError, "tf.image.rgb_to_hsv: images must be a float tensor. Received: dtype=uint8"),
    (lambda: im.adjust_hue(C, 1.5), ValueError, "delta must be in the interval [-1, 1]. Received: delta=1.5"),
    (lambda: im.random_hue(C, 0.7), ValueError, "tf.image.random_hue: max_delta must be <= 0.5. Received: max_delta=0.7"),
    (lambda: im.random_contrast(C, 1.0, 0.5), ValueError, "tf.image.random_contrast: upper must be > lower."),
    (lambda: im.random_brightness(C, -1), ValueError, "max_delta must be non-negative. Received: max_delta=-1.0"),
    (lambda: im.random_crop(I, (6, 2, 3)), ValueError, "Need value.shape >= size, got size=[6, 2, 3]"),
    (lambda: im.stateless_random_flip_left_right(A, seed=3), ValueError,
     "a stateless seed must be a pair of integers. Received: seed=3"),
    (lambda: im.total_variation(U), TypeError, "unsigned images are not supported (as in TensorFlow)"),
    (lambda: im.rgb_to_yiq(U), TypeError, "tf.image.rgb_to_yiq: images must be a float tensor. Received: dtype=uint8"),
    (lambda: im.ssim(A, A, 1.0), ValueError, "img1 must be at least filter_size=11 high and wide"),
    (lambda: im.extract_patches(C, [2, 2], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"), ValueError,
     "sizes must be [1, rows, cols, 1]. Received: sizes=[2, 2]"),
])
def test_errors_name_the_function_and_what_was_received(call, error, text):
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value)


def test_missing_names_and_module_wiring():
    assert tf.image is im
    with pytest.raises(AttributeError, match=r"^deepgrad does not implement tf.image.draw_bounding_boxes$"):
        tf.image.draw_bounding_boxes
    code = "import sys, deepgrad; deepgrad.image.resize; print(any(m.startswith('deepgrad.keras') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"



@pytest.mark.parametrize("source, line", [
    ("from tensorflow.image import draw_bounding_boxes", 1),
    ("import tensorflow as tf\ntf.image.non_max_suppression([], [], 1)", 2),
])
def test_a_script_reaching_a_missing_name_gets_one_line(tmp_path, capsys, source, line):
    script = tmp_path / "script.py"
    script.write_text(source + "\n")
    assert compat.run_script(str(script)) == 1
    err = capsys.readouterr().err.splitlines()
    name = "draw_bounding_boxes" if line == 1 else "non_max_suppression"
    assert err[0] == f"deepgrad does not implement tf.image.{name}"
    assert err[1].startswith(f"  at {script}, line {line}: ")


def test_a_script_imports_tf_image_as_tensorflow_users_write_it(tmp_path, capsys):
    script = tmp_path / "script.py"
    script.write_text("import numpy as np\nimport tensorflow as tf\nfrom tensorflow import image\n"
                      "import tensorflow.image as tfi\nfrom tensorflow.image import resize, ResizeMethod\n"
                      "x = tf.image.convert_image_dtype(np.full((4, 4, 3), 255, np.uint8), tf.float32)\n"
                      "y = resize(x, (2, 8), method=ResizeMethod.AREA)\n"
                      "print(image is tfi is tf.image, y.shape, float(tf.reduce_sum(y)))\n")
    assert compat.run_script(str(script)) == 0
    assert capsys.readouterr().out.strip() == "True (2, 8, 3) 48.0"

# Recorded with TensorFlow 2.21.0 (tf.image on the inputs above): key -> (dtype, shape, values in C order).
TF = {
    'resize_bilinear_3x4': ('float32', (3, 4, 2), [
        0.5442151, 0.1835771, 0.6551297, 0.6489171, 0.5310465, 0.7087564, 0.7081717, 0.2825955, 0.7681542, 0.301035,
        0.7966285, 0.5915316, 0.3909865, 0.4100747, 0.4689191, 0.4647582, 0.616713, 0.7192985, 0.6790417, 0.3978845,
        0.5447097, 0.4753455, 0.2948591, 0.6438081
    ]),
    'resize_bilinear_aa_3x4': ('float32', (3, 4, 2), [
        0.5322759, 0.1484288, 0.5998341, 0.5374543, 0.5075706, 0.6737937, 0.6285656, 0.3819845, 0.784034, 0.3472368,
        0.7729088, 0.5689269, 0.3877646, 0.4326266, 0.4043839, 0.4577795, 0.6853103, 0.6653558, 0.7233547, 0.4543964,
        0.518049, 0.522826, 0.3158838, 0.6456792
    ]),
    'resize_bilinear_5x8': ('float32', (5, 8, 2), [
        0.6369617, 0.2697867, 0.2644691, 0.1114998, 0.3305848, 0.3526131, 0.7874409, 0.8898482, 0.6324651, 0.7524039,
        0.567254, 0.8579814, 0.6457107, 0.5854472, 0.8158535, 0.0027385, 0.7912715, 0.1044459, 0.6236336, 0.1191155,
        0.6449842, 0.3247668, 0.7911541, 0.6355846, 0.4488412, 0.5319949, 0.2612404, 0.4227237, 0.382142, 0.3998953,
        0.7141932, 0.4538543, 0.7363947, 0.2086316, 0.8157934, 0.4396402, 0.8300306, 0.5848885, 0.7393253, 0.5721908,
        0.5291145, 0.4295738, 0.2363473, 0.4164802, 0.2753136, 0.443822, 0.5979894, 0.4787157, 0.5765202, 0.5354206,
        0.8276076, 0.6969848, 0.8556644, 0.703158, 0.6524464, 0.5295993, 0.6590947, 0.3959014, 0.3801093, 0.6226845,
        0.295994, 0.6341246, 0.4358953, 0.4041255, 0.4858354, 0.8894879, 0.7659655, 0.55718, 0.7981009, 0.344323,
        0.5743761, 0.3238746, 0.5914537, 0.335906, 0.4676244, 0.6831382, 0.329946, 0.7901167, 0.2271576, 0.6231871
    ]),
    'resize_nearest_3x4': ('float32', (3, 4, 2), [
        0.6369617, 0.2697867, 0.8132702, 0.9127555, 0.6066357, 0.7294965, 0.8158535, 0.0027385, 0.6153851, 0.3836775,
        0.685542, 0.6504593, 0.6884468, 0.3889214, 0.5253543, 0.3102419, 0.4858354, 0.8894879, 0.5715298, 0.3218694,
        0.5943, 0.3379112, 0.2271576, 0.6231871
    ]),
    'resize_nearest_5x8': ('float32', (5, 8, 2), [
        0.6369617, 0.2697867, 0.0409735, 0.0165276, 0.0409735, 0.0165276, 0.8132702, 0.9127555, 0.6066357, 0.7294965,
        0.543625, 0.9350724, 0.543625, 0.9350724, 0.8158535, 0.0027385, 0.8574043, 0.0335856, 0.7296554, 0.1756556,
        0.7296554, 0.1756556, 0.8631789, 0.5414612, 0.2997119, 0.4226872, 0.0283197, 0.1242833, 0.0283197, 0.1242833,
        0.6706244, 0.6471895, 0.6153851, 0.3836775, 0.9972099, 0.9808353, 0.9972099, 0.9808353, 0.685542, 0.6504593,
        0.6884468, 0.3889214, 0.1350965, 0.7214884, 0.1350965, 0.7214884, 0.5253543, 0.3102419, 0.6153851, 0.3836775,
        0.9972099, 0.9808353, 0.9972099, 0.9808353, 0.685542, 0.6504593, 0.6884468, 0.3889214, 0.1350965, 0.7214884,
        0.1350965, 0.7214884, 0.5253543, 0.3102419, 0.4858354, 0.8894879, 0.9340435, 0.3577952, 0.9340435, 0.3577952,
        0.5715298, 0.3218694, 0.5943, 0.3379112, 0.391619, 0.8902743, 0.391619, 0.8902743, 0.2271576, 0.6231871
    ]),
    'resize_bicubic_3x4': ('float32', (3, 4, 2), [
        0.5453061, 0.1800795, 0.682827, 0.7051612, 0.5250995, 0.7290094, 0.7388512, 0.2265274, 0.7899003, 0.2512214,
        0.835091, 0.6253672, 0.3551028, 0.3665622, 0.488805, 0.4726717, 0.5905592, 0.7618067, 0.6646138, 0.3680988,
        0.5636988, 0.4575495, 0.2739223, 0.6512464
    ]),
    'resize_bicubic_aa_3x4': ('float32', (3, 4, 2), [
        0.501295, 0.0910078, 0.5916721, 0.5299035, 0.5027161, 0.7310762, 0.6505303, 0.3611403, 0.8050787, 0.3305438,
        0.8265595, 0.6057078, 0.330287, 0.3987051, 0.3908641, 0.4532293, 0.6806967, 0.7140858, 0.7474622, 0.4253426,
        0.5215932, 0.5371894, 0.2925233, 0.6747603
    ]),
    'resize_bicubic_5x8': ('float32', (5, 8, 2), [
        0.659644, 0.2940931, 0.1851457, 0.0460732, 0.2510571, 0.3157795, 0.8336993, 0.9555693, 0.643986, 0.7537576,
        0.5573493, 0.9561622, 0.6577082, 0.6145714, 0.8355036, -0.077035, 0.8282605, 0.0749408, 0.6035516, 0.0345357,
        0.6370246, 0.2741699, 0.8373295, 0.6555514, 0.4119734, 0.5352931, 0.168994, 0.3600872, 0.3593897, 0.3626215,
        0.7507707, 0.4999538, 0.7503209, 0.1379713, 0.8624595, 0.4559924, 0.8914233, 0.6584227, 0.7561262, 0.5747758,
        0.5268418, 0.4080215, 0.1327074, 0.352363, 0.2163593, 0.4111101, 0.6375391, 0.5066319, 0.5389971, 0.5341105,
        0.8606378, 0.76752, 0.904763, 0.7921218, 0.6311483, 0.5325658, 0.7059323, 0.3654456, 0.3651554, 0.6830673,
        0.2622049, 0.6789318, 0.4427049, 0.3511428, 0.4566853, 0.9416184, 0.7885467, 0.5491789, 0.8372386, 0.2791586,
        0.5524279, 0.3050997, 0.5947377, 0.3063151, 0.4823568, 0.7236604, 0.3192091, 0.8396025, 0.2044573, 0.623055
    ]),
    'resize_area_3x4': ('float32', (3, 4, 2), [
        0.5324296, 0.1592608, 0.6215463, 0.5653912, 0.4915361, 0.6793212, 0.6579638, 0.3533592, 0.7787407, 0.3318362,
        0.8040512, 0.5900553, 0.3566223, 0.4114982, 0.4258956, 0.4601057, 0.6620935, 0.6798753, 0.7166336, 0.4405296,
        0.5210539, 0.5164684, 0.3103006, 0.6459931
    ]),
    'resize_area_5x8': ('float32', (5, 8, 2), [
        0.6369617, 0.2697867, 0.2396362, 0.1009473, 0.2984058, 0.3152703, 0.8132703, 0.9127556, 0.6066357, 0.7294965,
        0.5646286, 0.8665471, 0.6343678, 0.6242944, 0.8158535, 0.0027385, 0.8022937, 0.0926358, 0.6390879, 0.121461,
        0.6552238, 0.3020107, 0.8507017, 0.6342848, 0.3764428, 0.4993896, 0.2302449, 0.3844502, 0.3404079, 0.3800126,
        0.7069317, 0.4860768, 0.7363948, 0.2086316, 0.8210868, 0.4550409, 0.833742, 0.5841505, 0.7743605, 0.5959603,
        0.4940794, 0.4058044, 0.2191652, 0.417192, 0.2538019, 0.4414959, 0.5979894, 0.4787157, 0.5829976, 0.5101302,
        0.8486114, 0.7200935, 0.8732918, 0.7394873, 0.6570388, 0.5683118, 0.66491, 0.3761688, 0.3544548, 0.6345128,
        0.2830864, 0.638616, 0.4508051, 0.3884782, 0.4858354, 0.8894879, 0.7846407, 0.535026, 0.8132056, 0.3458199,
        0.5715297, 0.3218694, 0.5943, 0.3379112, 0.4591793, 0.7061533, 0.3367985, 0.8012452, 0.2271576, 0.6231871
    ]),
    'resize_lanczos3_3x4': ('float32', (3, 4, 2), [
        0.5241522, 0.1389898, 0.6670951, 0.693703, 0.4682061, 0.7251961, 0.7387792, 0.2387983, 0.8288458, 0.2186746,
        0.8655974, 0.6708806, 0.2891204, 0.3150641, 0.4713682, 0.4764376, 0.5996795, 0.774909, 0.6735668, 0.3783318,
        0.5916814, 0.4789621, 0.2643201, 0.6636478
    ]),
    'resize_lanczos3_aa_3x4': ('float32', (3, 4, 2), [
        0.4789351, 0.0416377, 0.5829505, 0.4958903, 0.5096217, 0.7702401, 0.6400721, 0.3470542, 0.8167402, 0.3243301,
        0.8676262, 0.6334453, 0.2917915, 0.3684931, 0.37349, 0.4484656, 0.6769411, 0.7560316, 0.7665138, 0.4078302,
        0.5218321, 0.5643706, 0.288664, 0.6957105
    ]),
    'resize_lanczos3_5x8': ('float32', (5, 8, 2), [
        0.6813692, 0.3295604, 0.1623847, 0.0264228, 0.2166373, 0.3325585, 0.8572746, 0.9743028, 0.6805561, 0.7537662,
        0.5288084, 1.0295889, 0.6735513, 0.6078693, 0.8403155, -0.1198181, 0.8412662, 0.1043286, 0.5600055,
        -0.0204799, 0.6152976, 0.2429846, 0.8527277, 0.6734391, 0.4329895, 0.565811, 0.1111114, 0.3473901, 0.3991352,
        0.3709424, 0.764537, 0.5052661, 0.7693869, 0.0586324, 0.905758, 0.4576776, 0.9597585, 0.7626925, 0.7674837,
        0.5540412, 0.534098, 0.3961172, 0.0216145, 0.2580273, 0.1892762, 0.3778809, 0.6770104, 0.5452965, 0.5036659,
        0.5594562, 0.8473356, 0.7784109, 0.909681, 0.8260234, 0.618764, 0.512305, 0.7237729, 0.345432, 0.3956837,
        0.7506409, 0.2615176, 0.7136204, 0.4440128, 0.3079604, 0.4433352, 0.9551376, 0.7857649, 0.5526549, 0.8600982,
        0.2179498, 0.5421013, 0.2996744, 0.5768283, 0.2926852, 0.5046541, 0.7296379, 0.3076018, 0.8502513, 0.2029617,
        0.6179224
    ]),
    'resize_lanczos5_3x4': ('float32', (3, 4, 2), [
        0.5118129, 0.12834, 0.64959, 0.7062922, 0.4211942, 0.7252109, 0.7464305, 0.2700278, 0.8615057, 0.1948825,
        0.872769, 0.7047336, 0.2417368, 0.2906239, 0.4643224, 0.4779475, 0.6023823, 0.7642924, 0.6820028, 0.3922751,
        0.6270263, 0.4870469, 0.2630405, 0.6591523
    ]),
    'resize_lanczos5_aa_3x4': ('float32', (3, 4, 2), [
        0.4623332, 0.0344249, 0.5822877, 0.4713483, 0.5192491, 0.7890996, 0.6161584, 0.3291333, 0.8024738, 0.3195074,
        0.891848, 0.64803, 0.2733569, 0.3491697, 0.3736406, 0.4558462, 0.6674682, 0.7872412, 0.7707528, 0.3956491,
        0.5205051, 0.5850027, 0.3058813, 0.7006752
    ]),
    'resize_lanczos5_5x8': ('float32', (5, 8, 2), [
        0.6950902, 0.3386102, 0.1558719, 0.0041252, 0.1863015, 0.385638, 0.8688952, 0.9575922, 0.704635, 0.7442106,
        0.4760743, 1.0496432, 0.7067999, 0.6259015, 0.8414664, -0.1524224, 0.8422639, 0.1414081, 0.550307, -0.0216027,
        0.5927413, 0.2186362, 0.8542726, 0.664668, 0.454655, 0.5672753, 0.0730428, 0.3360018, 0.4315075, 0.4043384,
        0.7448037, 0.5042366, 0.7865387, 0.0008955, 0.9553502, 0.4671208, 0.9807469, 0.8319974, 0.7813519, 0.537703,
        0.535215, 0.3785155, -0.0496865, 0.2042221, 0.1657301, 0.3439735, 0.6977727, 0.5739809, 0.4897311, 0.5719943,
        0.8351037, 0.7443302, 0.8823646, 0.8547382, 0.6189194, 0.5102075, 0.719847, 0.3468428, 0.433773, 0.8084282,
        0.2616679, 0.7176843, 0.45732, 0.2760534, 0.4375206, 0.9633212, 0.795105, 0.5436721, 0.8865437, 0.1992714,
        0.5302671, 0.2995483, 0.5559386, 0.2998245, 0.5320823, 0.7034743, 0.2855275, 0.8551179, 0.2006903, 0.6286343
    ]),
    'resize_gaussian_3x4': ('float32', (3, 4, 2), [
        0.5489318, 0.1745806, 0.6479811, 0.6254823, 0.5248484, 0.6975212, 0.6915814, 0.3062756, 0.7705604, 0.308036,
        0.7876311, 0.5846852, 0.3969137, 0.4169151, 0.4591399, 0.4637007, 0.6296779, 0.7043098, 0.6872864, 0.4142079,
        0.5417079, 0.4814606, 0.3024727, 0.6378227
    ]),
    'resize_gaussian_aa_3x4': ('float32', (3, 4, 2), [
        0.5489365, 0.1780098, 0.6008024, 0.5181448, 0.5178126, 0.6502526, 0.6085603, 0.4021226, 0.762046, 0.3696856,
        0.7496977, 0.5429801, 0.4170215, 0.4603667, 0.4102002, 0.4635891, 0.69256, 0.6429344, 0.7202768, 0.4691612,
        0.5060422, 0.5236636, 0.3313505, 0.6303782
    ]),
    'resize_gaussian_5x8': ('float32', (5, 8, 2), [
        0.6130402, 0.2334237, 0.317948, 0.1271508, 0.3750362, 0.3495998, 0.7317944, 0.7978729, 0.6164538, 0.7446826,
        0.5361291, 0.7920209, 0.6145355, 0.5639707, 0.7807888, 0.1178828, 0.7649663, 0.1170662, 0.629597, 0.1459613,
        0.6503581, 0.3368191, 0.7482417, 0.6002413, 0.4645789, 0.5304532, 0.2764364, 0.4340567, 0.3847312, 0.409183,
        0.6707079, 0.4392013, 0.7460316, 0.2366698, 0.8147122, 0.4416026, 0.8280808, 0.5779908, 0.7320473, 0.5623385,
        0.5160601, 0.4393862, 0.2440479, 0.4175859, 0.2806372, 0.4432598, 0.5588252, 0.4744805, 0.6123663, 0.5451578,
        0.8212879, 0.6762938, 0.8470215, 0.6839589, 0.6746927, 0.532655, 0.6228862, 0.4281949, 0.3767838, 0.6083283,
        0.3028323, 0.6221889, 0.4219703, 0.4397865, 0.5301918, 0.8142074, 0.7686383, 0.5707394, 0.7983583, 0.3953039,
        0.6071552, 0.3517943, 0.5839394, 0.3769467, 0.4540171, 0.6731696, 0.330713, 0.7629631, 0.2609352, 0.618329
    ]),
    'resize_mitchellcubic_3x4': ('float32', (3, 4, 2), [
        0.542814, 0.1711326, 0.6600565, 0.6550904, 0.5182438, 0.7129007, 0.7121825, 0.2753334, 0.7833706, 0.2826561,
        0.8154295, 0.6079798, 0.3675255, 0.3888541, 0.4677678, 0.4662117, 0.614747, 0.7288793, 0.6813959, 0.3948946,
        0.5509979, 0.4754122, 0.2893976, 0.6463232
    ]),
    'resize_mitchellcubic_aa_3x4': ('float32', (3, 4, 2), [
        0.5230346, 0.1258049, 0.5937085, 0.5175573, 0.5072905, 0.6887196, 0.6257647, 0.3843447, 0.7854908, 0.3516737,
        0.7881283, 0.5722364, 0.3729611, 0.4317017, 0.3952824, 0.457166, 0.6902389, 0.681305, 0.7384039, 0.4524703,
        0.5118617, 0.5339134, 0.3108757, 0.6552635
    ]),
    'resize_mitchellcubic_5x8': ('float32', (5, 8, 2), [
        0.6367114, 0.2646585, 0.2504587, 0.0829775, 0.3154898, 0.3401912, 0.781691, 0.8769158, 0.6335687, 0.7543762,
        0.544594, 0.8775297, 0.639736, 0.5814728, 0.8119268, 0.0181779, 0.7959376, 0.0949602, 0.6101871, 0.081583,
        0.6399946, 0.3078922, 0.7887474, 0.6305613, 0.4453868, 0.5363234, 0.2231954, 0.4052398, 0.3800668, 0.3886434,
        0.7156134, 0.4610536, 0.7494136, 0.1854639, 0.839387, 0.4442069, 0.8621621, 0.6215133, 0.7430204, 0.5679478,
        0.5234433, 0.4234546, 0.1859115, 0.3830368, 0.2497712, 0.4273525, 0.5999308, 0.4896034, 0.5715663, 0.5489426,
        0.8381842, 0.7219986, 0.8754158, 0.7341049, 0.6530417, 0.5291116, 0.6639453, 0.3979949, 0.3757959, 0.6464051,
        0.2824481, 0.653512, 0.4293716, 0.3976399, 0.4905629, 0.878598, 0.7764363, 0.5654208, 0.8177537, 0.3340624,
        0.5791484, 0.3262527, 0.5899953, 0.3398395, 0.4699563, 0.6965109, 0.3209046, 0.8035855, 0.2326724, 0.6200604
    ]),
    'resize_bilinear_aa_5x8': ('float32', (5, 8, 2), [
        0.6369617, 0.2697867, 0.2644691, 0.1114998, 0.3305848, 0.3526131, 0.7874409, 0.8898482, 0.6324651, 0.7524039,
        0.567254, 0.8579814, 0.6457107, 0.5854472, 0.8158535, 0.0027385, 0.7912716, 0.1044459, 0.6236336, 0.1191155,
        0.6449841, 0.3247668, 0.7911541, 0.6355846, 0.4488412, 0.531995, 0.2612404, 0.4227238, 0.382142, 0.3998953,
        0.7141932, 0.4538542, 0.7363947, 0.2086316, 0.8157935, 0.4396402, 0.8300306, 0.5848885, 0.7393252, 0.5721908,
        0.5291145, 0.4295738, 0.2363473, 0.4164802, 0.2753136, 0.443822, 0.5979894, 0.4787157, 0.5765202, 0.5354207,
        0.8276076, 0.6969848, 0.8556644, 0.703158, 0.6524464, 0.5295993, 0.6590947, 0.3959014, 0.3801093, 0.6226845,
        0.295994, 0.6341246, 0.4358953, 0.4041255, 0.4858354, 0.8894879, 0.7659655, 0.55718, 0.7981008, 0.344323,
        0.5743761, 0.3238746, 0.5914537, 0.335906, 0.4676244, 0.6831381, 0.329946, 0.7901167, 0.2271576, 0.6231871
    ]),
    'resize_area_aa_3x4': ('float32', (3, 4, 2), [
        0.5324296, 0.1592608, 0.6215463, 0.5653912, 0.4915361, 0.6793212, 0.6579638, 0.3533592, 0.7787407, 0.3318362,
        0.8040512, 0.5900553, 0.3566223, 0.4114982, 0.4258956, 0.4601057, 0.6620935, 0.6798753, 0.7166336, 0.4405296,
        0.5210539, 0.5164684, 0.3103006, 0.6459931
    ]),
    'resize_nearest_aa_3x4': ('float32', (3, 4, 2), [
        0.6369617, 0.2697867, 0.8132702, 0.9127555, 0.6066357, 0.7294965, 0.8158535, 0.0027385, 0.6153851, 0.3836775,
        0.685542, 0.6504593, 0.6884468, 0.3889214, 0.5253543, 0.3102419, 0.4858354, 0.8894879, 0.5715298, 0.3218694,
        0.5943, 0.3379112, 0.2271576, 0.6231871
    ]),
    'resize_u8_nearest': ('uint8', (3, 4, 3), [
        0, 2, 5, 15, 17, 20, 29, 32, 34, 44, 47, 49, 103, 105, 108, 118, 120, 123, 132, 135, 137, 147, 150, 152, 206,
        208, 211, 221, 223, 226, 235, 238, 240, 250, 253, 255
    ]),
    'resize_u8_bilinear': ('float32', (3, 4, 3), [
        19.7499981, 22.2083321, 24.7499981, 32.9166641, 35.2916641, 37.875, 45.4583321, 48.125, 50.4166641,
        58.5833321, 61.125, 63.5833321, 105.625, 108.0, 110.625, 118.875, 121.0, 123.875, 131.125, 134.125, 136.125,
        144.375, 147.0, 149.375, 191.4166565, 193.875, 196.4166565, 204.5833282, 206.875, 209.5416565, 217.125,
        219.7083282, 222.0833282, 230.25, 232.7916565, 235.25
    ]),
    'resize_f64_bilinear': ('float32', (3, 4, 2), [
        0.5442151, 0.1835771, 0.6551297, 0.6489171, 0.5310465, 0.7087564, 0.7081717, 0.2825955, 0.7681542, 0.301035,
        0.7966285, 0.5915316, 0.3909865, 0.4100747, 0.4689191, 0.4647582, 0.616713, 0.7192985, 0.6790417, 0.3978845,
        0.5447097, 0.4753455, 0.2948591, 0.6438081
    ]),
    'resize_f64_nearest': ('float64', (3, 4, 2), [
        0.6369617, 0.2697867, 0.8132702, 0.9127555, 0.6066357, 0.7294965, 0.8158535, 0.0027385, 0.6153851, 0.3836775,
        0.685542, 0.6504593, 0.6884468, 0.3889214, 0.5253543, 0.3102419, 0.4858354, 0.8894879, 0.5715298, 0.3218694,
        0.5943, 0.3379112, 0.2271576, 0.6231871
    ]),
    'resize_f16_bicubic': ('float32', (3, 4, 2), [
        0.5451288, 0.1800741, 0.6830106, 0.7050457, 0.5249147, 0.7290037, 0.7388473, 0.226502, 0.7898136, 0.2512845,
        0.8351013, 0.6253843, 0.3551816, 0.3665483, 0.4887247, 0.4726316, 0.5905556, 0.7619599, 0.6644366, 0.3680444,
        0.5636657, 0.4575207, 0.2739377, 0.6511335
    ]),
    'resize_batch_bilinear': ('float32', (2, 3, 7, 3), [
        0.502101, 0.8143934, 0.1873185, 0.6863006, 0.5224991, 0.3533267, 0.799318, 0.3373744, 0.5188666, 0.7364869,
        0.4218644, 0.621451, 0.341312, 0.655337, 0.5623126, 0.2422491, 0.7209002, 0.4853684, 0.3209249, 0.6837993,
        0.4143166, 0.4847832, 0.1249537, 0.5133014, 0.4878038, 0.303642, 0.6964612, 0.3957639, 0.4574389, 0.8013184,
        0.1600008, 0.5068901, 0.7200366, 0.4114313, 0.6327251, 0.7035317, 0.478966, 0.48048, 0.7860614, 0.4349161,
        0.2103747, 0.9049035, 0.5105913, 0.4450517, 0.7314401, 0.3632337, 0.6394162, 0.7262107, 0.3698005, 0.6316435,
        0.7288327, 0.662513, 0.2477784, 0.7451929, 0.3105952, 0.1956856, 0.8234799, 0.4469989, 0.4315408, 0.7169847,
        0.8165598, 0.7737972, 0.5332383, 0.2324554, 0.1181532, 0.6912822, 0.521183, 0.5328624, 0.4933823, 0.5898844,
        0.7915995, 0.4481577, 0.2202739, 0.6608623, 0.7061582, 0.7355103, 0.2858823, 0.587063, 0.8693517, 0.2554182,
        0.5414034, 0.7730144, 0.4147886, 0.5440414, 0.3579139, 0.4260159, 0.6576724, 0.3912916, 0.5105825, 0.5908722,
        0.3475854, 0.6102449, 0.4708513, 0.1757368, 0.7008384, 0.2960495, 0.606128, 0.4561624, 0.5334123, 0.6658399,
        0.4205844, 0.600564, 0.5159138, 0.503641, 0.5635062, 0.4000517, 0.4828198, 0.2296234, 0.6463585, 0.3477391,
        0.2608411, 0.6161047, 0.2675526, 0.4028516, 0.0786453, 0.3203625, 0.6993445, 0.5242275, 0.2459645, 0.4751007,
        0.6136864, 0.4061927, 0.4409389, 0.4953212, 0.6595094, 0.5149865
    ]),
    'resize_aspect': ('float32', (7, 10, 3), [
        0.0, 0.0096154, 0.0192308, 0.0158654, 0.0254808, 0.0350962, 0.0360577, 0.0456731, 0.0552885, 0.05625,
        0.0658654, 0.0754808, 0.0764423, 0.0860577, 0.0956731, 0.0966346, 0.10625, 0.1158654, 0.1168269, 0.1264423,
        0.1360577, 0.1370192, 0.1466346, 0.15625, 0.1572115, 0.1668269, 0.1764423, 0.1730769, 0.1826923, 0.1923077,
        0.1153846, 0.125, 0.1346154, 0.13125, 0.1408654, 0.1504808, 0.1514423, 0.1610577, 0.1706731, 0.1716346,
        0.18125, 0.1908654, 0.1918269, 0.2014423, 0.2110577, 0.2120192, 0.2216346, 0.23125, 0.2322115, 0.2418269,
        0.2514423, 0.2524039, 0.2620192, 0.2716346, 0.2725962, 0.2822115, 0.2918269, 0.2884615, 0.2980769, 0.3076923,
        0.2596154, 0.2692308, 0.2788462, 0.2754808, 0.2850962, 0.2947116, 0.2956731, 0.3052885, 0.3149039, 0.3158654,
        0.3254808, 0.3350962, 0.3360577, 0.3456731, 0.3552885, 0.35625, 0.3658654, 0.3754808, 0.3764423, 0.3860577,
        0.3956731, 0.3966346, 0.40625, 0.4158654, 0.4168269, 0.4264423, 0.4360577, 0.4326923, 0.4423077, 0.4519231,
        0.4038461, 0.4134615, 0.4230769, 0.4197115, 0.4293269, 0.4389423, 0.4399039, 0.4495192, 0.4591346, 0.4600962,
        0.4697115, 0.4793269, 0.4802884, 0.4899038, 0.4995192, 0.5004808, 0.5100961, 0.5197116, 0.5206731, 0.5302885,
        0.5399039, 0.5408654, 0.5504807, 0.5600961, 0.5610577, 0.570673, 0.5802885, 0.5769231, 0.5865384, 0.5961539,
        0.5480769, 0.5576923, 0.5673077, 0.5639423, 0.5735577, 0.5831731, 0.5841346, 0.59375, 0.6033654, 0.604327,
        0.6139423, 0.6235577, 0.6245193, 0.6341347, 0.64375, 0.6447116, 0.6543269, 0.6639423, 0.6649039, 0.6745192,
        0.6841347, 0.6850961, 0.6947116, 0.704327, 0.7052885, 0.7149038, 0.7245193, 0.7211539, 0.7307693, 0.7403846,
        0.6923077, 0.7019231, 0.7115384, 0.708173, 0.7177885, 0.7274039, 0.7283654, 0.7379808, 0.7475961, 0.7485577,
        0.7581731, 0.7677884, 0.7687501, 0.7783654, 0.7879808, 0.7889423, 0.7985576, 0.8081731, 0.8091346, 0.81875,
        0.8283654, 0.8293269, 0.8389423, 0.8485577, 0.8495193, 0.8591346, 0.86875, 0.8653846, 0.875, 0.8846154,
        0.8076923, 0.8173077, 0.8269231, 0.8235577, 0.8331731, 0.8427885, 0.84375, 0.8533654, 0.8629807, 0.8639423,
        0.8735577, 0.883173, 0.8841347, 0.89375, 0.9033654, 0.9043269, 0.9139423, 0.9235577, 0.9245192, 0.9341346,
        0.94375, 0.9447116, 0.9543269, 0.9639423, 0.9649038, 0.9745192, 0.9841346, 0.9807692, 0.9903846, 1.0
    ]),
    'resize_aspect2': ('float32', (4, 6, 3), [
        0.0276442, 0.0372596, 0.046875, 0.0612981, 0.0709135, 0.0805288, 0.0949519, 0.1045673, 0.1141827, 0.1286058,
        0.1382211, 0.1478365, 0.1622596, 0.171875, 0.1814904, 0.1959135, 0.2055288, 0.2151442, 0.2800481, 0.2896635,
        0.2992789, 0.3137019, 0.3233173, 0.3329327, 0.3473558, 0.3569711, 0.3665865, 0.3810096, 0.390625, 0.4002404,
        0.4146635, 0.4242788, 0.4338942, 0.4483173, 0.4579327, 0.4675481, 0.5324519, 0.5420673, 0.5516827, 0.5661058,
        0.5757211, 0.5853366, 0.5997596, 0.609375, 0.6189904, 0.6334134, 0.6430289, 0.6526442, 0.6670673, 0.6766827,
        0.6862981, 0.7007211, 0.7103366, 0.7199519, 0.7848557, 0.7944711, 0.8040866, 0.8185096, 0.828125, 0.8377404,
        0.8521634, 0.8617789, 0.8713942, 0.8858173, 0.8954327, 0.9050481, 0.9194711, 0.9290865, 0.9387019, 0.953125,
        0.9627404, 0.9723557
    ]),
    'resize_with_pad': ('float32', (6, 5, 2), [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6219073, 0.2116828, 0.3555042, 0.2853963, 0.688535,
        0.7646174, 0.487063, 0.7634672, 0.7582579, 0.1791263, 0.7490985, 0.245593, 0.836711, 0.5835599, 0.6342199,
        0.5008823, 0.2054193, 0.4177614, 0.5463613, 0.4731327, 0.5511414, 0.7708311, 0.8383594, 0.4361349, 0.6002615,
        0.3615236, 0.427203, 0.7074244, 0.2840578, 0.6001409, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    ]),
    'resize_with_pad_nearest': ('float32', (3, 9, 2), [
        0.0, 0.0, 0.0, 0.0, 0.6369617, 0.2697867, 0.8132702, 0.9127555, 0.6066357, 0.7294965, 0.8158535, 0.0027385,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6153851, 0.3836775, 0.685542, 0.6504593, 0.6884468,
        0.3889214, 0.5253543, 0.3102419, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4858354, 0.8894879,
        0.5715298, 0.3218694, 0.5943, 0.3379112, 0.2271576, 0.6231871, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    ]),
    'rcp_3x9': ('int32', (3, 9, 3), [
        0, 0, 0, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 0, 0, 0, 0, 0, 0,
        42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 0, 0, 0, 0, 0, 0, 63, 64,
        65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 0, 0, 0
    ]),
    'rcp_8x4': ('int32', (8, 4, 3), [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76,
        77, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0
    ]),
    'central_crop_05': ('int32', (3, 5, 3), [
        24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
        57, 58, 59, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80
    ]),
    'central_crop_03': ('int32', (3, 3, 3), [
        27, 28, 29, 30, 31, 32, 33, 34, 35, 48, 49, 50, 51, 52, 53, 54, 55, 56, 69, 70, 71, 72, 73, 74, 75, 76, 77
    ]),
    'central_crop_batch': ('int32', (2, 3, 5, 3), [
        24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
        57, 58, 59, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 224, 225, 226, 227, 228, 229, 230,
        231, 232, 233, 234, 235, 236, 237, 238, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258,
        259, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280
    ]),
    'rot90_1': ('int32', (7, 5, 3), [
        18, 19, 20, 39, 40, 41, 60, 61, 62, 81, 82, 83, 102, 103, 104, 15, 16, 17, 36, 37, 38, 57, 58, 59, 78, 79, 80,
        99, 100, 101, 12, 13, 14, 33, 34, 35, 54, 55, 56, 75, 76, 77, 96, 97, 98, 9, 10, 11, 30, 31, 32, 51, 52, 53,
        72, 73, 74, 93, 94, 95, 6, 7, 8, 27, 28, 29, 48, 49, 50, 69, 70, 71, 90, 91, 92, 3, 4, 5, 24, 25, 26, 45, 46,
        47, 66, 67, 68, 87, 88, 89, 0, 1, 2, 21, 22, 23, 42, 43, 44, 63, 64, 65, 84, 85, 86
    ]),
    'rot90_3b': ('int32', (2, 7, 5, 3), [
        84, 85, 86, 63, 64, 65, 42, 43, 44, 21, 22, 23, 0, 1, 2, 87, 88, 89, 66, 67, 68, 45, 46, 47, 24, 25, 26, 3, 4,
        5, 90, 91, 92, 69, 70, 71, 48, 49, 50, 27, 28, 29, 6, 7, 8, 93, 94, 95, 72, 73, 74, 51, 52, 53, 30, 31, 32, 9,
        10, 11, 96, 97, 98, 75, 76, 77, 54, 55, 56, 33, 34, 35, 12, 13, 14, 99, 100, 101, 78, 79, 80, 57, 58, 59, 36,
        37, 38, 15, 16, 17, 102, 103, 104, 81, 82, 83, 60, 61, 62, 39, 40, 41, 18, 19, 20, 84, 85, 86, 63, 64, 65, 42,
        43, 44, 21, 22, 23, 0, 1, 2, 87, 88, 89, 66, 67, 68, 45, 46, 47, 24, 25, 26, 3, 4, 5, 90, 91, 92, 69, 70, 71,
        48, 49, 50, 27, 28, 29, 6, 7, 8, 93, 94, 95, 72, 73, 74, 51, 52, 53, 30, 31, 32, 9, 10, 11, 96, 97, 98, 75,
        76, 77, 54, 55, 56, 33, 34, 35, 12, 13, 14, 99, 100, 101, 78, 79, 80, 57, 58, 59, 36, 37, 38, 15, 16, 17, 102,
        103, 104, 81, 82, 83, 60, 61, 62, 39, 40, 41, 18, 19, 20
    ]),
    'transpose': ('int32', (7, 5, 3), [
        0, 1, 2, 21, 22, 23, 42, 43, 44, 63, 64, 65, 84, 85, 86, 3, 4, 5, 24, 25, 26, 45, 46, 47, 66, 67, 68, 87, 88,
        89, 6, 7, 8, 27, 28, 29, 48, 49, 50, 69, 70, 71, 90, 91, 92, 9, 10, 11, 30, 31, 32, 51, 52, 53, 72, 73, 74,
        93, 94, 95, 12, 13, 14, 33, 34, 35, 54, 55, 56, 75, 76, 77, 96, 97, 98, 15, 16, 17, 36, 37, 38, 57, 58, 59,
        78, 79, 80, 99, 100, 101, 18, 19, 20, 39, 40, 41, 60, 61, 62, 81, 82, 83, 102, 103, 104
    ]),
    'cidt_u8_f32': ('float32', (5,), [0.0, 0.0039216, 0.4980392, 0.5019608, 1.0]),
    'cidt_f32_u8': ('uint8', (7,), [231, 0, 63, 127, 255, 255, 50]),
    'cidt_f32_u8_sat': ('uint8', (7,), [0, 0, 63, 127, 255, 255, 255]),
    'cidt_f32_i32': ('int32', (4,), [0, 536870912, 1073741824, -2147483648]),
    'cidt_f32_i16': ('int16', (4,), [0, 8191, 16383, 32767]),
    'cidt_u8_i16': ('int16', (4,), [0, 128, 16256, 32640]),
    'cidt_u8_u16': ('uint16', (4,), [0, 256, 32512, 65280]),
    'cidt_i32_u8': ('uint8', (4,), [0, 2, 128, 255]),
    'cidt_i16_f64': ('float64', (4,), [0.0, 3.05e-05, -0.0001526, 1.0]),
    'cidt_f64_f32': ('float32', (2,), [0.5, 2.0]),
    'cidt_f32_f16': ('float16', (2,), [0.5, 2.0]),
    'std_A': ('float32', (5, 7, 3), [
        -1.7156329, -1.68264, -1.649647, -1.6166542, -1.5836612, -1.5506682, -1.5176753, -1.4846823, -1.4516895,
        -1.4186965, -1.3857036, -1.3527106, -1.3197176, -1.2867247, -1.2537317, -1.2207388, -1.1877459, -1.154753,
        -1.12176, -1.0887672, -1.0557741, -1.0227813, -0.9897882, -0.9567953, -0.9238024, -0.8908095, -0.8578165,
        -0.8248235, -0.7918305, -0.7588377, -0.7258447, -0.6928518, -0.6598588, -0.6268659, -0.593873, -0.56088,
        -0.527887, -0.4948942, -0.4619012, -0.4289082, -0.3959153, -0.3629223, -0.3299294, -0.2969365, -0.2639435,
        -0.2309505, -0.1979577, -0.1649647, -0.1319718, -0.0989788, -0.0659859, -0.032993, 0.0, 0.0329929, 0.0659859,
        0.0989788, 0.1319719, 0.1649647, 0.1979576, 0.2309507, 0.2639435, 0.2969364, 0.3299294, 0.3629223, 0.3959154,
        0.4289082, 0.4619011, 0.4948942, 0.527887, 0.5608801, 0.593873, 0.6268658, 0.6598589, 0.6928518, 0.7258446,
        0.7588377, 0.7918305, 0.8248236, 0.8578165, 0.8908094, 0.9238024, 0.9567953, 0.9897884, 1.0227813, 1.0557741,
        1.0887672, 1.12176, 1.1547529, 1.1877459, 1.2207388, 1.2537318, 1.2867247, 1.3197176, 1.3527106, 1.3857036,
        1.4186966, 1.4516895, 1.4846823, 1.5176754, 1.5506682, 1.5836611, 1.6166542, 1.649647, 1.6826401, 1.7156329
    ]),
    'std_C': ('float32', (2, 4, 5, 3), [
        -0.0636816, 1.4901868, -1.3661065, 1.4837599, -0.7721372, -0.3771715, 1.0553114, -0.4272168, 0.0701241,
        -1.7791582, 0.7924988, 0.0295618, -0.7087263, 0.9161857, -0.802732, -0.2702906, -1.4019488, -0.4487768,
        -1.1560546, -0.9475527, 0.7813456, -0.8834504, -0.1580193, 1.5974292, 1.529839, 0.6907483, 0.040485,
        -0.8959113, -1.307683, 1.5591289, -0.048637, -1.4663366, 0.3318973, 0.8745773, 0.2947496, 1.3726978,
        -1.7365292, -0.0042831, -0.2496098, -1.6559145, 0.395089, 1.1436256, 0.22368, -0.9554024, 1.0984548,
        -0.0719205, -0.0669858, 0.7907881, -1.3527783, 1.0267032, 0.5437258, 0.9114679, -1.1979938, 0.9655513,
        -1.1990292, -1.5878887, 1.1528153, 1.1742702, 1.2283053, -0.2050676, -0.7658544, -1.7176944, 0.5593528,
        0.8238735, 1.2362614, -0.7379384, -0.975615, 0.5365708, 1.1274618, 1.6930109, -1.2062807, -0.0236407,
        1.4471502, -0.2357733, 0.3589031, -1.6556584, 0.6582568, 1.5340518, 1.2050849, 1.4143631, 0.6115324,
        -0.867458, 0.9971852, -0.9882491, 1.2209496, -1.5193583, 1.200316, -1.156426, -0.405385, -0.6136431,
        0.7219982, -1.1062782, -0.3301198, -1.7222128, -0.8070493, -0.2412218, -1.3653158, 0.5145664, -0.3865687,
        0.8430723, 0.5883943, -0.2054312, 1.3494713, 0.5109122, 1.146072, -0.5243033, 0.1954853, -1.0430793,
        1.8087848, -0.8757899, -0.8271134, -1.4820195, -0.8237774, 0.9779724, 0.7453756, -1.284193, -0.4014932,
        -0.2421753, 0.6280366, -0.117355
    ]),
    'std_U': ('float32', (5, 7, 3), [
        -1.7153541, -1.6884476, -1.6480879, -1.6211814, -1.5808215, -1.553915, -1.5135553, -1.4866488, -1.4462889,
        -1.4193825, -1.3790227, -1.3521162, -1.3252097, -1.2848499, -1.2579434, -1.2175837, -1.1906772, -1.1503174,
        -1.1234108, -1.0830511, -1.0561446, -1.0292381, -0.9888783, -0.9619718, -0.921612, -0.8947055, -0.8543457,
        -0.8274392, -0.7870795, -0.760173, -0.7198132, -0.6929067, -0.6660002, -0.6256405, -0.5987339, -0.5583742,
        -0.5314676, -0.4911079, -0.4642014, -0.4238416, -0.3969351, -0.3565753, -0.3296688, -0.3027623, -0.2624025,
        -0.235496, -0.1951362, -0.1682297, -0.12787, -0.1009635, -0.0606037, -0.0336972, 0.0066626, 0.0335691,
        0.0604756, 0.1008354, 0.1277419, 0.1681016, 0.1950082, 0.2353679, 0.2622744, 0.3026342, 0.3295407, 0.3564472,
        0.396807, 0.4237135, 0.4640733, 0.4909798, 0.5313395, 0.5582461, 0.5986058, 0.6255123, 0.6658721, 0.6927786,
        0.7196851, 0.7600449, 0.7869514, 0.8273112, 0.8542176, 0.8945774, 0.9214839, 0.9618437, 0.9887502, 1.02911,
        1.0560164, 1.0829231, 1.1232828, 1.1501893, 1.190549, 1.2174556, 1.2578154, 1.2847219, 1.3250816, 1.3519881,
        1.3788947, 1.4192544, 1.4461609, 1.4865206, 1.5134271, 1.553787, 1.5806935, 1.6210532, 1.6479597, 1.6883196,
        1.7152261
    ]),
    'std_const': ('float32', (2, 2, 1), [0.0, 0.0, 0.0, 0.0]),
    'bright_C': ('float32', (2, 4, 5, 3), [
        0.6118217, 1.0504637, 0.2441596, 1.0486494, 0.4118314, 0.5233265, 0.9277026, 0.5091991, 0.6495937, 0.1275591,
        0.8535131, 0.6381434, 0.4297317, 0.8884287, 0.4031948, 0.5534979, 0.2340417, 0.503113, 0.3034552, 0.3623133,
        0.8503647, 0.3804088, 0.585191, 1.0807372, 1.0616572, 0.8247899, 0.6412269, 0.3768912, 0.260652, 1.0699254,
        0.6160686, 0.2158656, 0.7234898, 0.8766831, 0.7130033, 1.0172977, 0.1395929, 0.6285893, 0.5593359, 0.1623496,
        0.7413282, 0.9526328, 0.6929411, 0.3600974, 0.9398816, 0.6094959, 0.6108889, 0.8530302, 0.247922, 0.9196268,
        0.7832869, 0.8870969, 0.2916163, 0.9023642, 0.2913239, 0.1815526, 0.955227, 0.9612835, 0.9765371, 0.5719097,
        0.3740484, 0.1070918, 0.7457209, 0.8199094, 0.9355692, 0.3818778, 0.3152182, 0.7393314, 0.9050549, 1.0636709,
        0.2505248, 0.5822124, 0.9947159, 0.5227169, 0.6895021, 0.1244907, 0.7734599, 1.0190886, 0.9268253, 0.9855203,
        0.7603554, 0.3455523, 0.868517, 0.3116747, 0.9312748, 0.1627179, 0.9254878, 0.2645073, 0.475147, 0.4167382,
        0.7913371, 0.2785719, 0.4962561, 0.1058246, 0.3624947, 0.5211888, 0.2059212, 0.73316, 0.4804243, 0.825294,
        0.753866, 0.5312268, 0.9673205, 0.7321351, 0.9102744, 0.4417947, 0.6436693, 0.2962969, 1.0961412, 0.3432155,
        0.3568675, 0.1731901, 0.3578031, 0.8631285, 0.7978936, 0.2286732, 0.4762385, 0.5209214, 0.7649843, 0.5559289
    ]),
    'bright_U': ('uint8', (5, 7, 3), [
        25, 27, 30, 32, 35, 37, 40, 42, 45, 47, 50, 52, 54, 57, 59, 62, 64, 67, 69, 72, 74, 76, 79, 81, 84, 86, 89,
        91, 94, 96, 99, 101, 103, 106, 108, 111, 113, 116, 118, 121, 123, 126, 128, 130, 133, 135, 138, 140, 143, 145,
        148, 150, 153, 155, 157, 160, 162, 165, 167, 170, 172, 175, 177, 179, 182, 184, 187, 189, 192, 194, 197, 199,
        202, 204, 206, 209, 211, 214, 216, 219, 221, 224, 226, 229, 231, 233, 236, 238, 241, 243, 246, 248, 251, 253,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255
    ]),
    'bright_Uneg': ('uint8', (5, 7, 3), [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 6, 9,
        11, 14, 16, 19, 21, 24, 26, 28, 31, 33, 36, 38, 41, 43, 46, 48, 51, 53, 55, 58, 60, 63, 65, 68, 70, 73, 75,
        77, 80, 82, 85, 87, 90, 92, 95, 97, 100, 102, 104, 107, 109, 112, 114, 117, 119, 122, 124, 127, 129, 131, 134,
        136, 139, 141, 144, 146, 149, 151, 153, 156, 158, 161, 163, 166, 168, 171, 173, 176, 178
    ]),
    'contrast_C': ('float32', (2, 4, 5, 3), [
        0.5350791, 1.1852074, -0.1053166, 1.190321, 0.2272589, 0.3134337, 1.0089006, 0.3733105, 0.5028346, -0.1913146,
        0.8897814, 0.485659, 0.2619443, 0.9421549, 0.1332362, 0.4475935, -0.0394257, 0.2831135, 0.0725296, 0.1529818,
        0.803991, 0.1879598, 0.4872983, 1.1495497, 1.2098324, 0.8466966, 0.4902843, 0.1826835, 0.0004898, 1.1333321,
        0.5414495, -0.0666898, 0.6136786, 0.9323714, 0.6790167, 1.0543905, -0.173264, 0.5523956, 0.3674479,
        -0.1391289, 0.721504, 0.9573932, 0.6567583, 0.1496579, 0.9382663, 0.5315905, 0.5258451, 0.8079892, -0.0107702,
        0.9889519, 0.7033744, 0.9479921, 0.0469362, 0.8819903, 0.0543326, -0.1181593, 0.9612845, 1.0592719, 1.0743173,
        0.3863086, 0.1589263, -0.2148415, 0.7129428, 0.8277178, 1.0278746, 0.1671782, 0.070681, 0.7335179, 0.9519437,
        1.19336, 0.000308, 0.46768, 1.0899274, 0.4085962, 0.6286145, -0.2154103, 0.7847106, 1.1229944, 0.9880917,
        1.1028012, 0.7348945, 0.1161821, 0.9272963, 0.0618736, 0.9947659, -0.1314023, 0.9825931, -0.0053854,
        0.3372412, 0.2194687, 0.7848593, 0.0423786, 0.3387457, -0.2434094, 0.1682628, 0.3761446, -0.0932645,
        0.7242607, 0.3149978, 0.8357946, 0.7553197, 0.3912016, 1.0488344, 0.7227234, 0.9597729, 0.2605458, 0.5900247,
        0.0388067, 1.2420654, 0.139344, 0.1296626, -0.1423612, 0.1612254, 0.8890542, 0.7946941, -0.0324694, 0.3087192,
        0.3792358, 0.7719971, 0.4282548
    ]),
    'contrast_U': ('uint8', (5, 7, 3), [
        62, 64, 67, 66, 68, 71, 70, 72, 75, 73, 76, 78, 77, 79, 82, 81, 83, 86, 84, 87, 89, 88, 90, 93, 92, 94, 97,
        95, 98, 100, 99, 101, 104, 103, 105, 108, 106, 109, 111, 110, 112, 115, 114, 116, 119, 117, 120, 122, 121,
        123, 126, 125, 128, 130, 128, 131, 133, 132, 135, 137, 136, 139, 141, 139, 142, 144, 143, 146, 148, 147, 150,
        152, 151, 153, 155, 154, 157, 159, 158, 161, 163, 162, 164, 167, 165, 168, 170, 169, 172, 174, 173, 175, 178,
        176, 179, 181, 180, 183, 185, 184, 186, 189, 187, 190, 192
    ]),
    'gamma_C': ('float32', (2, 4, 5, 3), [
        0.3929421, 1.3550718, 0.031173, 1.3499037, 0.1458583, 0.2688079, 1.0276374, 0.2511659, 0.4530799, 0.0011393,
        0.851673, 0.4343974, 0.1630845, 0.9324297, 0.1378907, 0.3084905, 0.0269508, 0.2437501, 0.0620911, 0.1032124,
        0.8445706, 0.1179436, 0.3531154, 1.4427683, 1.3871768, 0.7879806, 0.4393898, 0.1150031, 0.0387136, 1.4111329,
        0.3994902, 0.0201373, 0.5831092, 0.9048549, 0.5636595, 1.2621527, 0.0023514, 0.4191099, 0.3164842, 0.0058312,
        0.6169527, 1.0904741, 0.5273686, 0.101476, 1.0581014, 0.3893791, 0.3915111, 0.8505816, 0.0328214, 1.007682,
        0.7003214, 0.9292823, 0.0550752, 0.9656824, 0.0549073, 0.0099762, 1.0971198, 1.1127138, 1.1524758, 0.3340482,
        0.1126538, 7.54e-05, 0.6254332, 0.7774042, 1.0472639, 0.1191826, 0.0694783, 0.613117, 0.97217, 1.3929923,
        0.0339866, 0.3487932, 1.2007747, 0.2680344, 0.521269, 0.0008997, 0.6803223, 1.2670858, 1.0254602, 1.1762192,
        0.6541038, 0.0904439, 0.8859277, 0.0672093, 1.0365267, 0.0059003, 1.0221452, 0.040594, 0.2111029, 0.1504846,
        0.7169204, 0.0478319, 0.2355284, 5.09e-05, 0.1033552, 0.2661, 0.016829, 0.6013372, 0.2170839, 0.789077,
        0.6413111, 0.2789348, 1.1283672, 0.5993922, 0.9848168, 0.1752355, 0.4433644, 0.0577987, 1.488446, 0.0887306,
        0.0989713, 0.0080352, 0.0996937, 0.8735477, 0.7305831, 0.0248352, 0.2123331, 0.2657622, 0.6633061, 0.3118068
    ]),
    'gamma_U': ('uint8', (5, 7, 3), [
        0, 22, 35, 42, 50, 55, 61, 65, 71, 75, 80, 83, 86, 90, 93, 97, 99, 103, 106, 109, 112, 114, 117, 119, 122,
        124, 128, 129, 132, 134, 137, 139, 141, 144, 145, 148, 150, 152, 154, 156, 158, 160, 162, 163, 166, 167, 170,
        171, 173, 175, 177, 178, 181, 182, 183, 185, 187, 189, 190, 192, 193, 195, 197, 198, 200, 201, 203, 204, 206,
        208, 209, 211, 212, 214, 215, 217, 218, 219, 221, 222, 224, 225, 226, 228, 229, 230, 232, 233, 235, 236, 237,
        238, 240, 241, 242, 244, 245, 246, 247, 249, 250, 251, 252, 254, 255
    ]),
    'sat_C': ('float32', (2, 4, 5, 3), [
        0.7311426, 0.9504637, 0.5473117, 0.9486495, 0.6302404, 0.6859879, 0.8277026, 0.6184509, 0.6886482, 0.3905361,
        0.7535131, 0.6458282, 0.5590802, 0.7884287, 0.5458118, 0.4534979, 0.2937698, 0.4283054, 0.4769099, 0.506339,
        0.7503647, 0.630573, 0.7329642, 0.9807372, 0.9616572, 0.8432236, 0.751442, 0.6234083, 0.5652887, 0.9699254,
        0.5697792, 0.3696777, 0.6234897, 0.8469903, 0.7651505, 0.9172977, 0.2840911, 0.5285892, 0.4939626, 0.4574912,
        0.7469805, 0.8526328, 0.7164112, 0.5499895, 0.8398815, 0.631263, 0.6319596, 0.7530302, 0.4837744, 0.8196267,
        0.7514569, 0.7947305, 0.4969902, 0.8023642, 0.5232756, 0.4683898, 0.855227, 0.8689103, 0.8765371, 0.6742234,
        0.4598846, 0.3264064, 0.6457209, 0.7777393, 0.8355692, 0.5587235, 0.5101365, 0.7221931, 0.8050548, 0.9636708,
        0.5570979, 0.7229416, 0.8947158, 0.6587164, 0.7421089, 0.4717896, 0.7962743, 0.9190886, 0.8561728, 0.8855203,
        0.7729378, 0.5070347, 0.768517, 0.4900959, 0.8312748, 0.4469964, 0.8283813, 0.2698271, 0.375147, 0.3459426,
        0.691337, 0.4349545, 0.5437965, 0.2135067, 0.3418418, 0.4211888, 0.3695406, 0.6331599, 0.5067921, 0.7252939,
        0.68958, 0.5782604, 0.8673205, 0.7497278, 0.8387975, 0.442732, 0.5436693, 0.3699831, 0.9961412, 0.6196783,
        0.6265044, 0.4181593, 0.5104659, 0.7631285, 0.6978936, 0.4132834, 0.537066, 0.5429528, 0.6649842, 0.5604566
    ]),
    'sat_C2': ('float32', (2, 4, 5, 3), [
        0.4333965, 0.9504637, 0.0, 0.9486495, 0.0, 0.1660907, 0.8277026, 0.0, 0.277668, 0.0, 0.7535131, 0.5299673,
        0.0431183, 0.7884287, 0.0, 0.4534979, 0.0, 0.3819717, 0.0, 0.0807537, 0.7503647, 0.0, 0.2867763, 0.9807372,
        0.9616572, 0.4879227, 0.1207966, 0.1393141, 0.0, 0.9699254, 0.4915496, 0.0, 0.6234897, 0.6360682, 0.3087089,
        0.9172977, 0.0, 0.5285892, 0.4537286, 0.0, 0.6246573, 0.8526328, 0.4821608, 0.0, 0.8398815, 0.2659615,
        0.2687476, 0.7530302, 0.0, 0.8196267, 0.6532624, 0.7823069, 0.0, 0.8023642, 0.1213425, 0.0, 0.855227, 0.84603,
        0.8765371, 0.0672824, 0.269921, 0.0, 0.6457209, 0.6610284, 0.8355692, 0.0, 0.0, 0.5788627, 0.8050548,
        0.9636708, 0.0, 0.3930876, 0.8947158, 0.0, 0.3161561, 0.0, 0.6667355, 0.9190886, 0.7681304, 0.8855203,
        0.4351905, 0.0467556, 0.768517, 0.0, 0.8312748, 0.0, 0.8250155, 0.0, 0.375147, 0.2711214, 0.691337, 0.0,
        0.2934933, 0.0, 0.2602694, 0.4211888, 0.0, 0.6331599, 0.3296501, 0.7252939, 0.5824381, 0.1371596, 0.8673205,
        0.3969497, 0.7532283, 0.2277173, 0.5436693, 0.0, 0.9961412, 0.0, 0.0180622, 0.0, 0.2041972, 0.7631285,
        0.6978936, 0.0, 0.3035277, 0.1768585, 0.6649842, 0.2468737
    ]),
    'sat_U': ('uint8', (5, 7, 3), [
        0, 2, 5, 3, 8, 12, 11, 14, 20, 18, 23, 27, 25, 30, 34, 33, 36, 42, 40, 45, 49, 47, 52, 56, 55, 59, 64, 62, 67,
        71, 71, 74, 78, 77, 81, 86, 84, 89, 93, 92, 96, 101, 99, 103, 108, 106, 111, 115, 114, 118, 123, 121, 126,
        130, 128, 133, 137, 136, 140, 145, 143, 148, 152, 150, 155, 159, 158, 162, 167, 165, 170, 174, 174, 177, 181,
        180, 184, 189, 187, 192, 196, 195, 199, 204, 202, 206, 211, 209, 215, 218, 217, 221, 226, 224, 228, 233, 231,
        237, 240, 239, 243, 248, 246, 252, 255
    ]),
    'hue_C': ('float32', (2, 4, 5, 3), [
        0.1441596, 0.9504637, 0.7440625, 0.9327809, 0.9486495, 0.3118314, 0.8277026, 0.7710086, 0.4091991, 0.0275591,
        0.0977381, 0.7535131, 0.3031948, 0.7179189, 0.7884287, 0.4534979, 0.248318, 0.1340417, 0.7503647, 0.2034552,
        0.6998409, 0.9160205, 0.2804088, 0.9807372, 0.694008, 0.9616572, 0.5412269, 0.9699254, 0.160652, 0.6918318,
        0.6234897, 0.1158656, 0.121762, 0.9172977, 0.6130033, 0.6927589, 0.0681387, 0.0395929, 0.5285892, 0.4317111,
        0.0623496, 0.8526328, 0.8398815, 0.2600974, 0.391081, 0.7530302, 0.5094959, 0.7057164, 0.147922, 0.1499208,
        0.8196267, 0.8023642, 0.2984984, 0.1916163, 0.855227, 0.0815526, 0.5907211, 0.4719097, 0.8765371, 0.5680889,
        0.6457209, 0.0070918, 0.2510384, 0.2818778, 0.8355692, 0.508276, 0.4989088, 0.2152182, 0.8050548, 0.9636708,
        0.7946123, 0.1505248, 0.8947158, 0.8223304, 0.4227169, 0.449039, 0.0244907, 0.9190886, 0.6603554, 0.8855203,
        0.7640833, 0.2116747, 0.6910261, 0.768517, 0.8312748, 0.2222165, 0.0627179, 0.1645073, 0.1807881, 0.375147,
        0.691337, 0.5762057, 0.1785719, 0.2475914, 0.0058246, 0.4211888, 0.1059212, 0.2532092, 0.6331599, 0.4438412,
        0.7252939, 0.4312268, 0.8673205, 0.7362183, 0.6321351, 0.1962969, 0.5436693, 0.4676459, 0.8592077, 0.9961412,
        0.2432155, 0.716503, 0.0731901, 0.7631285, 0.6978936, 0.5641726, 0.1286732, 0.4209214, 0.5811641, 0.6649842
    ]),
    'hue_Cneg': ('float32', (2, 4, 5, 3), [
        0.1441596, 0.6730824, 0.9504637, 0.5506898, 0.9486495, 0.3118314, 0.6332944, 0.8277026, 0.4091991, 0.3929527,
        0.0275591, 0.7535131, 0.3031948, 0.4267784, 0.7884287, 0.4534979, 0.4399917, 0.1340417, 0.7503647, 0.2034552,
        0.371695, 0.9807372, 0.2804088, 0.6252567, 0.5412269, 0.9616572, 0.6407039, 0.9699254, 0.160652, 0.2062675,
        0.6234897, 0.4145439, 0.1158656, 0.9172977, 0.7158243, 0.6130033, 0.3615367, 0.0395929, 0.5285892, 0.8526328,
        0.0623496, 0.7993847, 0.8398815, 0.4769843, 0.2600974, 0.7530302, 0.5094959, 0.5595957, 0.5489461, 0.147922,
        0.8196267, 0.8023642, 0.6649474, 0.1916163, 0.855227, 0.0815526, 0.1265162, 0.4719097, 0.8765371, 0.8108653,
        0.6457209, 0.1463227, 0.0070918, 0.2818778, 0.8306476, 0.8355692, 0.8050548, 0.2152182, 0.7572987, 0.6448414,
        0.9636708, 0.1505248, 0.6839018, 0.8947158, 0.4227169, 0.9190886, 0.0244907, 0.8523796, 0.6603554, 0.8718582,
        0.8855203, 0.2116747, 0.3569207, 0.768517, 0.8312748, 0.6833506, 0.0627179, 0.2746103, 0.1645073, 0.375147,
        0.498809, 0.691337, 0.1785719, 0.4211888, 0.0058246, 0.3455675, 0.2749766, 0.1059212, 0.6331599, 0.4312268,
        0.7252939, 0.5950527, 0.8573114, 0.8673205, 0.6321351, 0.1962969, 0.4112691, 0.5436693, 0.4074523, 0.9961412,
        0.2432155, 0.7631285, 0.0731901, 0.3957907, 0.4900824, 0.6978936, 0.1286732, 0.4209214, 0.4347264, 0.6649842
    ]),
    'hue_U': ('uint8', (5, 7, 3), [
        5, 0, 0, 12, 7, 8, 20, 15, 15, 27, 22, 23, 34, 29, 30, 42, 37, 37, 49, 44, 45, 56, 51, 52, 64, 59, 59, 71, 66,
        67, 78, 74, 74, 86, 81, 81, 93, 88, 89, 101, 96, 96, 108, 103, 103, 115, 110, 111, 123, 118, 118, 130, 125,
        126, 137, 132, 133, 145, 140, 140, 152, 147, 148, 159, 154, 155, 167, 162, 162, 174, 169, 170, 181, 177, 177,
        189, 184, 184, 196, 191, 192, 204, 199, 199, 211, 206, 206, 218, 213, 214, 226, 221, 221, 233, 228, 228, 240,
        235, 236, 248, 243, 243, 255, 250, 251
    ]),
    'gray_C': ('float32', (2, 4, 5, 1), [
        0.7273399, 0.5148556, 0.5502539, 0.511898, 0.5959287, 0.2601879, 0.3003323, 0.4804253, 0.7745909, 0.287637,
        0.2933438, 0.6965555, 0.3744805, 0.492296, 0.4256538, 0.5380255, 0.6032295, 0.4392115, 0.202554, 0.8257626,
        0.1596881, 0.7377941, 0.5313925, 0.4313715, 0.5827686, 0.5074173, 0.842219, 0.548646, 0.379389, 0.3054907,
        0.3566355, 0.2038409, 0.4466931, 0.6497695, 0.7226767, 0.4436742, 0.469797, 0.2602036, 0.3270227, 0.5681351
    ]),
    'gray_U': ('uint8', (5, 7, 1), [
        1, 9, 16, 24, 31, 38, 46, 53, 60, 68, 75, 82, 90, 97, 104, 112, 119, 127, 134, 142, 149, 156, 164, 171, 178,
        186, 193, 201, 208, 215, 223, 230, 237, 245, 252
    ]),
    'g2rgb': ('float32', (2, 3, 3), [
        0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0
    ]),
    'hsv_C': ('float32', (2, 4, 5, 3), [
        0.257336, 0.8483271, 0.9504637, 0.9708198, 0.6712891, 0.9486495, 0.9440886, 0.5056205, 0.8277026, 0.4505548,
        0.9634259, 0.7535131, 0.3242185, 0.6154442, 0.7884287, 0.8596202, 0.7044271, 0.4534979, 0.6487301, 0.7288582,
        0.7503647, 0.6179319, 0.7140837, 0.9807372, 0.0727679, 0.4371935, 0.9616572, 0.6906057, 0.8343666, 0.9699254,
        0.7980641, 0.814166, 0.6234897, 0.7563166, 0.3317292, 0.9172977, 0.4763961, 0.9250971, 0.5285892, 0.5445631,
        0.9268741, 0.8526328, 0.762347, 0.6903165, 0.8398815, 0.6657134, 0.3234058, 0.7530302, 0.4661707, 0.8195251,
        0.8196267, 0.8291671, 0.7611855, 0.8023642, 0.6903139, 0.9046421, 0.855227, 0.1729497, 0.4616204, 0.8765371,
        0.7363359, 0.9890172, 0.6457209, 0.2014814, 0.6626517, 0.8355692, 0.5468275, 0.7326664, 0.8050548, 0.9320156,
        0.8438005, 0.9636708, 0.9411068, 0.5275406, 0.8947158, 0.5457615, 0.9733533, 0.9190886, 0.2101126, 0.2542741,
        0.8855203, 0.3231936, 0.7245672, 0.768517, 0.8345883, 0.9245521, 0.8312748, 0.4537846, 0.5614858, 0.375147,
        0.929245, 0.7417007, 0.691337, 0.5636767, 0.9861711, 0.4211888, 0.4201071, 0.8327102, 0.6331599, 0.1261839,
        0.4054455, 0.7252939, 0.8737597, 0.2711632, 0.8673205, 0.2635246, 0.6389407, 0.5436693, 0.996978, 0.7558424,
        0.9961412, 0.6220702, 0.9040921, 0.7631285, 0.9275134, 0.8156263, 0.6978936, 0.3572395, 0.3670205, 0.6649842
    ]),
    'rgb_C': ('float32', (2, 4, 5, 3), [
        0.0071411, 0.1344409, 0.1441596, 0.4233265, 0.2913199, 0.3319916, 0.5419958, 0.3247004, 0.5495937, 0.5381433,
        0.1996963, 0.1326453, 0.0693131, 0.3031948, 0.0641473, 0.349079, 0.403113, 0.3880368, 0.7069179, 0.7503647,
        0.553534, 0.6559956, 0.9807372, 0.5048923, 0.5412269, 0.1489511, 0.2391968, 0.866874, 0.9699254, 0.8141049,
        0.5512487, 0.6165249, 0.6234897, 0.7261689, 0.3549912, 0.9172977, 0.4593359, 0.2742148, 0.2165359, 0.8526328,
        0.5103784, 0.3058154, 0.6214305, 0.7180631, 0.8398815, 0.3683154, 0.731111, 0.7530302, 0.6832869, 0.6203005,
        0.1232467, 0.7597122, 0.6486182, 0.8023642, 0.8449085, 0.855227, 0.785481, 0.4719097, 0.0582634, 0.4025409,
        0.6427705, 0.6457209, 0.6411415, 0.1215904, 0.0463494, 0.2818778, 0.655119, 0.8050548, 0.290358, 0.4822124,
        0.4096274, 0.4254491, 0.589502, 0.3403096, 0.4977257, 0.9190886, 0.3910732, 0.3001193, 0.6375216, 0.0755973,
        0.6603554, 0.1346782, 0.2116747, 0.0489991, 0.8248484, 0.7737149, 0.8254878, 0.3167382, 0.3151987, 0.1979148,
        0.33597, 0.3254959, 0.3962561, 0.4211888, 0.3144928, 0.310629, 0.3804243, 0.292634, 0.1395549, 0.2484471,
        0.1492622, 0.4312268, 0.8102744, 0.2980715, 0.7058246, 0.0895763, 0.1962969, 0.0949943, 0.2568675, 0.1943933,
        0.1958398, 0.7631285, 0.6527867, 0.5663916, 0.3368972, 0.3278267, 0.3762385, 0.1527434, 0.455929, 0.312076
    ]),
    'yiq_C': ('float32', (2, 4, 5, 3), [
        0.7273911, -0.0022861, -0.3437291, 0.5149505, 0.343652, 0.1693728, 0.5503367, 0.2042715, 0.1321892, 0.5119007,
        -0.3633887, -0.2205899, 0.5959616, -0.1174109, -0.2480479, 0.2602332, 0.1038997, 0.1512949, 0.3003526,
        -0.1919059, 0.1394233, 0.4804534, -0.2812706, 0.1108845, 0.7746871, 0.2001362, -0.0070539, 0.2876647,
        -0.1907881, 0.2764242, 0.2933955, 0.0753592, 0.2426111, 0.6966331, -0.0002463, 0.1292921, 0.3744844,
        -0.2691391, -0.1249937, 0.4923023, -0.4129151, -0.0567196, 0.4257131, 0.0120316, 0.2508155, 0.5380765,
        -0.0786407, 0.0750409, 0.6032443, -0.3564573, -0.1845245, 0.4392903, 0.1585871, 0.3160016, 0.2025731,
        -0.1832028, 0.2639807, 0.8258488, 0.1209349, -0.1291781, 0.1597155, -0.04614, 0.2552021, 0.7378661, 0.1090036,
        -0.1968012, 0.531414, -0.3059835, -0.0381503, 0.4314679, 0.3779684, 0.2751959, 0.5828581, 0.227669, 0.1517157,
        0.5074198, -0.4656524, -0.0608421, 0.8423017, 0.037379, -0.0825176, 0.5486706, -0.1326971, -0.2839243,
        0.3794722, 0.212872, 0.3999211, 0.3055071, -0.106751, -0.0627408, 0.3567047, 0.2356056, 0.1761865, 0.2038415,
        -0.2039452, -0.0049098, 0.4467037, -0.2329668, -0.1901854, 0.6498421, 0.1141077, -0.0542022, 0.7227634,
        0.0829031, 0.1051554, 0.4437083, -0.0086712, -0.1508185, 0.4698966, 0.4442818, 0.1634834, 0.2602109,
        -0.2723943, 0.1182019, 0.3270925, 0.2596452, 0.1974276, 0.5681772, -0.0782585, -0.1167016
    ]),
    'yuv_C': ('float32', (2, 4, 5, 3), [
        0.7273911, -0.2870146, -0.1891154, 0.5149505, -0.0450892, 0.3804768, 0.5503367, -0.0003656, 0.2433284,
        0.5119007, 0.0129143, -0.4249046, 0.5959616, -0.1440738, -0.233559, 0.2602332, 0.0703127, 0.1695478,
        0.3003526, 0.2214559, -0.0850064, 0.4804534, 0.2461952, -0.1754957, 0.7746871, -0.1148883, 0.1640257,
        0.2876647, 0.335748, -0.0094514, 0.2933955, 0.162443, 0.1953474, 0.6966331, 0.1085915, 0.0702265, 0.3744844,
        0.0417563, -0.2937947, 0.4923023, 0.1773226, -0.3771902, 0.4257131, 0.2038169, 0.1467063, 0.5380765,
        0.1057811, -0.0250733, 0.6032443, 0.0393899, -0.3994465, 0.4392903, 0.1786727, 0.3051249, 0.2025731,
        0.3211782, -0.0098687, 0.8258488, -0.1741773, 0.0310863, 0.1597155, 0.2391686, 0.1003022, 0.7378661,
        -0.2243969, -0.0157531, 0.531414, 0.1346617, -0.2773932, 0.4314679, 0.0249719, 0.4668927, 0.5828581,
        0.0032696, 0.2735875, 0.5074198, 0.2025868, -0.4236655, 0.8423017, -0.0895378, -0.0135772, 0.5486706,
        -0.1658394, -0.2659205, 0.3794722, 0.2194892, 0.3963587, 0.3055071, 0.0055269, -0.1236968, 0.3567047,
        0.0194637, 0.2935673, 0.2038415, 0.106959, -0.1737168, 0.4467037, -0.0326168, -0.2989627, 0.6498421,
        -0.107583, 0.0661926, 0.7227634, 0.0430651, 0.1268175, 0.4437083, -0.1217539, -0.0894071, 0.4698966,
        -0.104834, 0.4616654, 0.2602109, 0.2474913, -0.1640702, 0.3270925, 0.0241853, 0.3252974, 0.5681772,
        -0.0552386, -0.129185
    ]),
    'yiq_back': ('float32', (2, 4, 5, 3), [
        1.5099498, 0.1599826, -0.2944136, 1.5095676, 0.5898486, 1.3249789, 1.5600928, 0.3606958, 1.3114598, 1.0820001,
        -0.5256947, 0.1107362, 1.2716897, -0.08096, -0.0261402, 0.8319024, 0.1561404, 0.992146, 0.9200682, -0.3535365,
        1.1919369, 1.3531107, -0.4863067, 1.4148307, 1.9905535, 0.4142207, 1.0818783, 1.032626, -0.394548, 1.7520677,
        1.0139124, 0.0810264, 1.4504057, 1.932187, 0.0162594, 1.6615344, 0.8300841, -0.4014743, 0.2373962, 1.2047861,
        -0.6639275, 0.8056488, 1.3630099, -0.0213837, 1.7364326, 1.4653984, -0.1168368, 1.2274116, 1.3556755,
        -0.5172531, 0.4052866, 1.468407, 0.2156814, 1.9424411, 0.8002332, -0.3843659, 1.5585704, 1.9922142, 0.3174322,
        0.6954276, 0.6817076, -0.145794, 1.3666569, 1.6936989, 0.3101913, 0.2755361, 1.3262082, -0.4797231, 0.8796434,
        1.40694, 0.6106362, 1.61888, 1.6648049, 0.3982032, 1.4315255, 1.2389021, -0.7535371, 0.8454844, 2.0833356,
        0.1585677, 0.9721822, 1.111657, -0.100491, -0.2442539, 1.4037156, 0.2799555, 2.1686838, 0.7197815, -0.1425318,
        0.2891119, 1.108055, 0.3863046, 1.1690162, 0.5182504, -0.3381725, 0.433114, 0.9473903, -0.3125186, 0.0535083,
        1.6180972, 0.2683422, 0.736544, 1.9746714, 0.1709586, 1.5486054, 0.9834011, 0.0668655, 0.0746292, 1.3881216,
        0.7637377, 1.1647263, 0.7934154, -0.4908357, 1.088416, 1.0544815, 0.4193897, 1.1966828, 1.3396891, -0.055042,
        0.4619646
    ]),
    'yuv_back': ('float32', (2, 4, 5, 3), [
        0.6761467, 0.0530262, 2.4432228, 1.4311922, 0.579795, 1.5823102, 1.4541751, 0.3471092, 1.6592206, 0.6409796,
        -0.5822668, 1.5587443, 0.6753383, -0.1574572, 1.9318676, 0.9129995, 0.1665432, 0.7258789, 1.0587832,
        -0.3357428, 0.7364922, 1.3983345, -0.4805056, 1.2663468, 1.5785925, 0.3613762, 2.4344752, 1.3824927,
        -0.3496688, 0.603346, 1.226774, 0.1083314, 0.7515147, 1.8222952, 0.0021629, 2.0223436, 0.5631821, -0.4357113,
        1.1137189, 1.0342513, -0.6858029, 1.365568, 1.5503078, 0.002642, 1.1214751, 1.3678622, -0.1293483, 1.5476537,
        0.9267892, -0.5722687, 1.8134543, 1.7016982, 0.2456069, 1.176473, 1.1661826, -0.3374237, 0.3570439, 1.3992053,
        0.2413637, 2.6424611, 1.0100946, -0.10367, 0.2884594, 1.0412171, 0.226494, 2.4178376, 1.1328865, -0.5045215,
        1.5143791, 1.5133365, 0.6242843, 1.2695466, 1.5666792, 0.3856161, 1.7537028, 1.0721442, -0.774928, 1.3930027,
        1.5795532, 0.0939448, 2.6262572, 0.4868367, -0.1806401, 1.8072263, 1.7722343, 0.3272274, 0.9587215, 0.5255517,
        -0.1674467, 0.9268292, 1.1430227, 0.3907901, 1.0542061, 0.4859306, -0.3423184, 0.53923, 0.5395604, -0.3648331,
        1.3925414, 1.2168421, 0.2168711, 2.0539901, 1.7909385, 0.1473902, 2.1518581, 0.5655502, 0.0132656, 1.4465643,
        1.2889401, 0.7510152, 1.49037, 0.9430673, -0.471639, 0.5970619, 1.1267614, 0.4286614, 0.9593655, 0.940627,
        -0.1062318, 1.7722105
    ]),
    'grad_dy': ('float32', (2, 4, 5, 3), [
        -0.0583237, -0.816422, 0.2589534, -0.7451942, -0.0495181, 0.3270382, -0.5472938, 0.0759918, 0.4311435,
        0.9340981, -0.0287232, 0.0030835, -0.0528405, -0.6277767, 0.6667306, 0.0625707, -0.0181761, 0.2203768,
        0.5732279, 0.35069, 0.1669331, -0.2408159, 0.0433983, -0.5214013, -0.8993076, -0.0834618, 0.311406, 0.3160498,
        0.0994454, -0.1300439, -0.0065727, 0.3950233, 0.1295404, -0.6287611, 0.2066234, -0.2340108, 0.7475041,
        -0.336973, 0.3430283, 0.1289743, -0.5597755, 0.0025942, 0.2683424, 0.6164396, -0.3679718, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.2495577, 0.6663681, 0.2733677, 0.106916, 0.0499511,
        0.3784776, 0.0303341, 0.1291856, -0.5933801, -0.132396, -0.0878069, 0.3432754, -0.7302086, -0.0475699,
        -0.2727639, 0.6668464, -0.494888, -0.5228325, -0.8210008, -0.6230255, -0.2391666, -0.139631, -0.1353571,
        0.1687495, -0.1059809, 0.5911481, -0.394261, 0.7028132, 0.2569881, 0.4935362, -0.3495423, 0.3650974,
        -0.1999593, 0.9903166, -0.0192792, -0.1643213, -0.0327312, -0.3753568, 0.3827043, -0.0274004, -0.5251928,
        -0.0549883, -0.4463991, 0.0328491, -0.3543454, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0
    ]),
    'grad_dx': ('float32', (2, 4, 5, 3), [
        0.4368278, -0.6386323, 0.2791668, -0.1209469, 0.0973677, 0.1262672, -0.8001435, 0.3443139, -0.0114504,
        0.3021726, 0.0349156, -0.2349485, 0.0, 0.0, 0.0, -0.2500426, 0.1282716, 0.3472517, 0.0769535, 0.2228777,
        0.2303725, 0.6812484, 0.2395989, -0.4395103, -0.6847659, -0.5641379, 0.4286985, 0.0, 0.0, 0.0, 0.2606145,
        0.4971377, 0.293808, -0.7370902, -0.0844141, -0.4579618, 0.0227567, 0.1127389, 0.3932969, 0.5305915,
        -0.3812307, -0.0127513, 0.0, 0.0, 0.0, -0.3615738, 0.3087379, -0.0697433, 0.6391749, -0.6280105, 0.1190773,
        -0.595773, -0.1100636, 0.0528628, 0.6699595, 0.7949845, -0.3833173, 0.0, 0.0, 0.0, 0.445861, 0.8284774,
        -0.3638431, -0.5046912, -0.1962378, 0.523177, 0.7484527, -0.4888066, -0.3228424, -0.068955, 0.2721921,
        0.1072896, 0.0, 0.0, 0.0, 0.8023347, 0.2120604, -0.2587332, -0.5812731, -0.1170033, -0.4486806, 0.5857226,
        -0.7057991, 0.613813, -0.6667675, 0.3124291, -0.5087496, 0.0, 0.0, 0.0, -0.6855125, 0.0839228, 0.0249327,
        0.1000966, 0.3706652, -0.0407645, 0.6193727, 0.0207061, 0.0508025, 0.1420265, -0.0217309, 0.3790476, 0.0, 0.0,
        0.0, 0.6543465, -0.3004538, 0.0605706, -0.9229511, 0.0145876, 0.5062611, 0.6247035, -0.1291299, -0.38689,
        -0.2769722, 0.536311, 0.0796905, 0.0, 0.0, 0.0
    ]),
    'tv_C': ('float32', (2,), [30.8711243, 32.4849091]),
    'tv_A': ('float32', (), [19.5576916]),
    'tv_I': ('int32', (), [2034]),
    'psnr_CD': ('float32', (2,), [7.682507, 8.151742]),
    'psnr_U': ('float32', (), [38.6531982]),
    'ssim_S': ('float32', (2,), [0.9523014, 0.9436056]),
    'ssim_S3': ('float32', (), [0.9450268]),
    'ssim_U': ('float32', (2,), [0.9521903, 0.9436098]),
    'patches_valid': ('float32', (2, 2, 2, 12), [
        0.5118216, 0.9504637, 0.1441596, 0.9486495, 0.3118314, 0.4233265, 0.4534979, 0.1340417, 0.403113, 0.2034552,
        0.2623133, 0.7503647, 0.8277026, 0.4091991, 0.5495937, 0.0275591, 0.7535131, 0.5381433, 0.2804088, 0.485191,
        0.9807372, 0.9616572, 0.7247899, 0.5412269, 0.5160686, 0.1158656, 0.6234897, 0.7766831, 0.6130033, 0.9172977,
        0.5094959, 0.5108889, 0.7530302, 0.147922, 0.8196267, 0.6832869, 0.0395929, 0.5285892, 0.4593359, 0.0623496,
        0.6413282, 0.8526328, 0.7870969, 0.1916163, 0.8023642, 0.1913239, 0.0815526, 0.855227, 0.2740484, 0.0070918,
        0.6457209, 0.7199094, 0.8355692, 0.2818778, 0.0244907, 0.6734599, 0.9190886, 0.8268253, 0.8855203, 0.6603554,
        0.2152182, 0.6393314, 0.8050548, 0.9636708, 0.1505248, 0.4822124, 0.2455523, 0.768517, 0.2116747, 0.8312748,
        0.0627179, 0.8254878, 0.691337, 0.1785719, 0.3962561, 0.0058246, 0.2624947, 0.4211888, 0.3417947, 0.5436693,
        0.1962969, 0.9961412, 0.2432155, 0.2568675, 0.1059212, 0.6331599, 0.3804243, 0.7252939, 0.653866, 0.4312268,
        0.0731901, 0.2578031, 0.7631285, 0.6978936, 0.1286732, 0.3762385
    ]),
    'patches_same': ('float32', (2, 2, 2, 18), [
        0.5118216, 0.9504637, 0.1441596, 0.9486495, 0.3118314, 0.4233265, 0.4534979, 0.1340417, 0.403113, 0.2034552,
        0.2623133, 0.7503647, 0.5160686, 0.1158656, 0.6234897, 0.7766831, 0.6130033, 0.9172977, 0.0275591, 0.7535131,
        0.5381433, 0.3297317, 0.7884287, 0.3031948, 0.9616572, 0.7247899, 0.5412269, 0.2768912, 0.160652, 0.9699254,
        0.0623496, 0.6413282, 0.8526328, 0.592941, 0.2600974, 0.8398815, 0.5160686, 0.1158656, 0.6234897, 0.7766831,
        0.6130033, 0.9172977, 0.5094959, 0.5108889, 0.7530302, 0.147922, 0.8196267, 0.6832869, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0623496, 0.6413282, 0.8526328, 0.592941, 0.2600974, 0.8398815, 0.1913239, 0.0815526, 0.855227,
        0.8612835, 0.8765371, 0.4719097, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2740484, 0.0070918, 0.6457209, 0.7199094,
        0.8355692, 0.2818778, 0.0244907, 0.6734599, 0.9190886, 0.8268253, 0.8855203, 0.6603554, 0.691337, 0.1785719,
        0.3962561, 0.0058246, 0.2624947, 0.4211888, 0.9636708, 0.1505248, 0.4822124, 0.8947158, 0.4227169, 0.589502,
        0.8312748, 0.0627179, 0.8254878, 0.1645073, 0.375147, 0.3167382, 0.7252939, 0.653866, 0.4312268, 0.8673205,
        0.6321351, 0.8102744, 0.691337, 0.1785719, 0.3962561, 0.0058246, 0.2624947, 0.4211888, 0.3417947, 0.5436693,
        0.1962969, 0.9961412, 0.2432155, 0.2568675, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.7252939, 0.653866, 0.4312268,
        0.8673205, 0.6321351, 0.8102744, 0.6978936, 0.1286732, 0.3762385, 0.4209214, 0.6649842, 0.455929, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0
    ]),
    'patches_rate': ('float32', (2, 2, 3, 12), [
        0.5118216, 0.9504637, 0.1441596, 0.8277026, 0.4091991, 0.5495937, 0.5160686, 0.1158656, 0.6234897, 0.0395929,
        0.5285892, 0.4593359, 0.9486495, 0.3118314, 0.4233265, 0.0275591, 0.7535131, 0.5381433, 0.7766831, 0.6130033,
        0.9172977, 0.0623496, 0.6413282, 0.8526328, 0.8277026, 0.4091991, 0.5495937, 0.3297317, 0.7884287, 0.3031948,
        0.0395929, 0.5285892, 0.4593359, 0.592941, 0.2600974, 0.8398815, 0.4534979, 0.1340417, 0.403113, 0.2804088,
        0.485191, 0.9807372, 0.5094959, 0.5108889, 0.7530302, 0.7870969, 0.1916163, 0.8023642, 0.2034552, 0.2623133,
        0.7503647, 0.9616572, 0.7247899, 0.5412269, 0.147922, 0.8196267, 0.6832869, 0.1913239, 0.0815526, 0.855227,
        0.2804088, 0.485191, 0.9807372, 0.2768912, 0.160652, 0.9699254, 0.7870969, 0.1916163, 0.8023642, 0.8612835,
        0.8765371, 0.4719097, 0.2740484, 0.0070918, 0.6457209, 0.2152182, 0.6393314, 0.8050548, 0.691337, 0.1785719,
        0.3962561, 0.1059212, 0.6331599, 0.3804243, 0.7199094, 0.8355692, 0.2818778, 0.9636708, 0.1505248, 0.4822124,
        0.0058246, 0.2624947, 0.4211888, 0.7252939, 0.653866, 0.4312268, 0.2152182, 0.6393314, 0.8050548, 0.8947158,
        0.4227169, 0.589502, 0.1059212, 0.6331599, 0.3804243, 0.8673205, 0.6321351, 0.8102744, 0.0244907, 0.6734599,
        0.9190886, 0.2455523, 0.768517, 0.2116747, 0.3417947, 0.5436693, 0.1962969, 0.0731901, 0.2578031, 0.7631285,
        0.8268253, 0.8855203, 0.6603554, 0.8312748, 0.0627179, 0.8254878, 0.9961412, 0.2432155, 0.2568675, 0.6978936,
        0.1286732, 0.3762385, 0.2455523, 0.768517, 0.2116747, 0.1645073, 0.375147, 0.3167382, 0.0731901, 0.2578031,
        0.7631285, 0.4209214, 0.6649842, 0.455929
    ]),
    'sobel': ('float32', (2, 4, 5, 3, 2), [
        0.0, 0.0, 0.0, 0.0, -1e-07, 0.0, -0.0, 0.2855836, -1e-07, -0.3802305, -2e-07, 1.9661165, -1e-07, -0.3257768,
        1e-07, 1.8083165, 0.0, -0.1886418, -0.0, -1.0029768, 1e-07, 0.1093812, 0.0, -0.5144213, 2e-07, 0.0, 0.0, 0.0,
        0.0, 0.0, -0.3354387, 0.0, -1.0668526, 0.0, 1.9466027, 0.0, -1.1277956, -0.506773, -0.1128643, 0.5737577,
        1.3770149, 1.3965287, -1.7133954, -0.11902, 0.4277671, 1.3949597, 0.6279451, -0.3681236, -0.4553195,
        0.0483422, -0.633311, -0.5383402, 1.0754079, 0.1125231, 0.5959996, 0.0, -1.2810323, 0.0, 1.7023524, 0.0,
        0.0009296, 0.0, 1.8683212, 0.0, 0.5656788, 0.0, 0.4516197, -0.8484395, 1.1978993, 0.8573239, 0.0373886,
        0.2986505, 0.1875098, -0.6270632, -0.6730733, -0.2189478, -0.1098238, -0.1665274, -0.4495861, 1.1773653,
        -0.8641641, -0.1766018, -0.0483885, 0.419825, -0.3718817, 0.0, 0.1452956, 0.0, -0.368031, 0.0, 0.0, 0.0,
        -1e-07, 0.0, 1e-07, 0.0, 0.0, -0.3977493, 0.0, 0.186902, 3e-07, -0.2296397, 1e-07, -1.3418633, 1e-07,
        -1.4194987, 1e-07, 0.2145504, 0.0, 1.2550695, 1e-07, 0.832858, -2e-07, 0.1001824, 0.0, 0.0, -1e-07, 0.0,
        1e-07, 0.0, 1e-07, 0.0, 1e-07, 0.0, 1e-07, 0.0, -0.0, 0.3244627, 1e-07, 1.4545934, -1e-07, -1.0961597, 0.0,
        0.4964219, 0.0, -3.0156934, -2e-07, 0.730934, 0.0, 1.1969053, 0.0, -1.219969, -1e-07, -0.2209788, 1e-07, 0.0,
        0.0, 0.0, 0.0, 0.0, -0.5935923, 0.0, -0.8031889, 0.0, -0.2203075, 0.0, -1.120178, -0.2021228, -0.9808404,
        1.2769419, -0.3954733, -1.2713256, -1.1710556, 0.9721297, -0.0820763, -1.9392779, -0.7609358, 0.5406373,
        -0.6134459, 1.2788069, 1.2099291, -1.0043793, -0.3058295, 0.4244241, -0.5315447, 0.0, 1.4255186, 0.0,
        0.3395734, 0.0, 0.9732399, 0.0, -1.5441906, 0.0, -2.2525592, 0.0, 0.4835735, -1.2183746, -1.9251143,
        0.7183671, -0.9783138, -0.1722459, -0.3087898, 1.1451406, -1.5977772, -0.1546021, 0.2501701, 0.3045793,
        -0.1827106, 1.7894847, -0.0889661, 0.0117614, -0.2078541, 0.657564, 0.2460659, 0.0, 0.711585, 0.0, -0.6201171,
        0.0, 0.0, 0.0, 0.0, 0.0, -0.0, 0.0, -0.0, -1.708041, 1e-07, 0.3374438, -1e-07, 1.1019995, 0.0, 0.8424433,
        -1e-07, 0.553658, 0.0, 0.258818, 1e-07, 2.2182612, -2e-07, 0.8123125, 1e-07, 0.2453011, -1e-07, 0.0, 1e-07,
        0.0, 0.0, 0.0
    ]),
}
