"""The public names of Keras 3.15's keras.ops, by the deepgrad module that provides each.

keras.ops (and its submodules keras.ops.numpy, .nn, .linalg, .image) are assembled
from these lists: a listed name the providing module lacks fails with
"deepgrad does not implement keras.ops.<name>". The lists together are exactly
Keras 3.15.1's namespace (341 names: 220 numpy, 55 nn, 16 linalg, 16 image,
46 core and math, and the 4 submodules); tests/keras/ops/test_namespace.py checks
them against the installed Keras.
"""

NUMPY_MATH = (  # keras.ops.numpy: elementwise math, comparisons, reductions -> numpy_math.py
    "abs", "absolute", "add", "all", "allclose", "amax", "amin", "angle", "any", "arccos",
    "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "argmax", "argmin", "average",
    "bartlett", "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "blackman", "cbrt", "ceil", "clip", "conj", "conjugate",
    "cos", "cosh", "count_nonzero", "cumprod", "cumsum", "deg2rad", "diff", "divide",
    "divide_no_nan", "equal", "exp", "exp2", "expm1", "fabs", "floor", "floor_divide", "fmax",
    "fmin", "fmod", "gcd", "greater", "greater_equal", "hamming", "hanning", "heaviside", "hypot",
    "i0", "imag", "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal",
    "kaiser", "lcm", "ldexp", "left_shift", "less", "less_equal", "log", "log10", "log1p", "log2",
    "logaddexp", "logaddexp2", "logical_and", "logical_not", "logical_or", "logical_xor", "max",
    "maximum", "mean", "median", "min", "minimum", "mod", "multiply", "nan_to_num", "nanargmax",
    "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian", "nanmin",
    "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum", "nanvar", "negative",
    "nextafter", "not_equal", "percentile", "power", "prod", "ptp", "quantile", "rad2deg", "real",
    "reciprocal", "right_shift", "round", "sign", "signbit", "sin", "sinc", "sinh", "sqrt",
    "square", "std", "subtract", "sum", "tan", "tanh", "true_divide", "trunc", "var",
)

NUMPY_ARRAYS = (  # keras.ops.numpy: creation, shapes, indexing, sorting -> numpy_arrays.py
    "append", "arange", "argpartition", "argsort", "array", "array_split", "bincount",
    "broadcast_to", "concatenate", "copy", "corrcoef", "correlate", "digitize", "dsplit", "dstack",
    "empty", "empty_like", "expand_dims", "eye", "flip", "fliplr", "flipud", "full", "full_like",
    "geomspace", "get_item", "histogram", "hsplit", "hstack", "identity", "isin", "linspace",
    "logspace", "meshgrid", "moveaxis", "ndim", "nonzero", "ones", "ones_like", "pad", "ravel",
    "repeat", "reshape", "roll", "rot90", "searchsorted", "select", "size", "sort", "split",
    "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tile", "transpose", "trapezoid",
    "tri", "unique", "unravel_index", "vander", "vectorize", "view", "vsplit", "vstack", "where",
    "zeros", "zeros_like",
)

NUMPY_LINALG = (  # keras.ops.numpy: products and matrix parts -> numpy_linalg.py
    "cross", "diag", "diagflat", "diagonal", "dot", "einsum", "inner", "kron", "matmul", "outer",
    "slogdet", "tensordot", "trace", "tril", "triu", "vdot",
)

LINALG = (  # keras.ops.linalg -> linalg.py
    "cdist", "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "logdet", "lstsq",
    "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd",
)

NN = (  # keras.ops.nn -> nn.py
    "adaptive_average_pool", "adaptive_max_pool", "average_pool", "batch_normalization",
    "binary_crossentropy", "categorical_crossentropy", "celu", "conv", "conv_transpose",
    "ctc_decode", "ctc_loss", "depth_to_space", "depthwise_conv", "dot_product_attention", "elu",
    "fold", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
    "layer_normalization", "leaky_relu", "log_sigmoid", "log_softmax", "max_pool", "moments",
    "multi_hot", "normalize", "one_hot", "polar", "psnr", "relu", "relu6", "rms_normalization",
    "selu", "separable_conv", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign",
    "space_to_depth", "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh_shrink", "threshold", "unfold",
)

IMAGE = (  # keras.ops.image (not at the top level of keras.ops) -> image.py
    "affine_transform", "crop_images", "elastic_transform", "extract_patches",
    "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates", "pad_images",
    "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv", "scale_and_translate",
    "sobel_edges", "ssim",
)

CORE = (  # keras.ops only: core ops and keras.ops math -> core.py
    "associative_scan", "cast", "cond", "convert_to_numpy", "convert_to_tensor", "custom_gradient",
    "dtype", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2", "fori_loop", "ifft2",
    "in_top_k", "irfft", "is_tensor", "istft", "logsumexp", "map", "rearrange", "rfft", "rsqrt",
    "saturate_cast", "scan", "scatter", "scatter_update", "segment_max", "segment_min",
    "segment_prod", "segment_sum", "shape", "slice", "slice_update", "stft", "stop_gradient",
    "switch", "top_k", "unstack", "vectorized_map", "view_as_complex", "view_as_real",
    "while_loop",
)

PROVIDERS = {
    "numpy_math": NUMPY_MATH, "numpy_arrays": NUMPY_ARRAYS, "numpy_linalg": NUMPY_LINALG,
    "linalg": LINALG, "nn": NN, "image": IMAGE, "core": CORE,
}
"""module of deepgrad.keras.ops -> the names it provides."""

SUBMODULES = {
    "numpy": ("numpy_math", "numpy_arrays", "numpy_linalg"),
    "nn": ("nn",),
    "linalg": ("linalg",),
    "image": ("image",),
}
"""keras.ops.<submodule> -> the deepgrad modules its names come from."""

TOP_LEVEL_ONLY = ("cdist", "logdet")
"""Names linalg.py provides that Keras has at the top level of keras.ops but not in keras.ops.linalg."""
