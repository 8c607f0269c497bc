"""The import-time settings: OpenBLAS' core type only where it is right, never over the user's."""
import subprocess
import sys

from deepgrad.runtime_tuning import openblas_coretype

AVX512 = {"avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}


def test_amd_with_avx512_gets_skylakex_kernels():
    assert openblas_coretype({}, "AuthenticAMD", AVX512, numpy_loaded=False) == "SkylakeX"


def test_left_alone_when_set_by_the_user_numpy_loaded_avx2_only_or_intel():
    assert openblas_coretype({"OPENBLAS_CORETYPE": "Haswell"}, "AuthenticAMD", AVX512, False) is None
    assert openblas_coretype({}, "AuthenticAMD", AVX512, numpy_loaded=True) is None
    assert openblas_coretype({}, "AuthenticAMD", {"avx2", "fma", "avx512f"}, False) is None
    assert openblas_coretype({}, "GenuineIntel", AVX512, False) is None


def test_no_tuning_variable_leaves_the_environment_unchanged():
    code = "import os; import deepgrad; print(os.environ.get('OPENBLAS_CORETYPE'))"
    env = {"DEEPGRAD_NO_TUNING": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None"
