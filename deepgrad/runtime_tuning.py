"""Process settings that make NumPy's kernels fast here, applied once at `import deepgrad`.

1. OpenBLAS core type. NumPy's OpenBLAS picks its matrix kernels from the CPU
   model; it runs AMD CPUs that have AVX-512 (Zen 4, Zen 5) on its Haswell
   (AVX2) kernels. When the CPU reports the AVX-512 subsets that OpenBLAS'
   SkylakeX kernels use, deepgrad sets OPENBLAS_CORETYPE=SkylakeX, measured
   1.6-2x faster float32 products. OpenBLAS reads the variable when NumPy is
   first imported, so it takes effect only when deepgrad is imported before
   NumPy (as `deepgrad run` and `python -m bench` do); a value the user set wins.
2. glibc's malloc thresholds. By default glibc returns every large temporary
   to the system and page-faults it back in on the next batch; with the mmap
   threshold at 32 MiB (glibc's largest) and the trim threshold at 1 GiB the
   buffers of one step are reused by the next (measured about 25% on the CNNs'
   training). A trim threshold of 64 MiB was too low for inference at batch 256
   of the BatchNorm CNN, whose freed 22 MiB activations topped it every batch:
   3,000-5,000 page faults per batch, 60-70 ms instead of 41-43.

DEEPGRAD_NO_TUNING=1 turns both off.
"""
import os
import sys

_SKYLAKEX_FLAGS = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def _cpu_flags():
    """(vendor, flags) of the first CPU in /proc/cpuinfo; ('', set()) where there is none."""
    vendor, flags = "", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "vendor_id":
                    vendor = value.strip()
                elif key == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    return vendor, flags


def openblas_coretype(environ, vendor, flags, numpy_loaded):
    """The OPENBLAS_CORETYPE to set, or None: AMD with SkylakeX's AVX-512 subsets, before NumPy loads."""
    if numpy_loaded or "OPENBLAS_CORETYPE" in environ:
        return None
    if vendor == "AuthenticAMD" and _SKYLAKEX_FLAGS <= flags:
        return "SkylakeX"
    return None


def _raise_malloc_thresholds():
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    except (OSError, AttributeError):
        pass


def apply():
    """Apply both settings unless DEEPGRAD_NO_TUNING=1."""
    if os.environ.get("DEEPGRAD_NO_TUNING") == "1":
        return
    coretype = openblas_coretype(os.environ, *_cpu_flags(), numpy_loaded="numpy" in sys.modules)
    if coretype:
        os.environ["OPENBLAS_CORETYPE"] = coretype
    _raise_malloc_thresholds()
