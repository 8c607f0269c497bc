"""The benchmark runs: `python -m bench --quick` with the smallest settings, so it never rots.

No thresholds: the numbers depend on the machine. What is checked is that
every model trains and predicts in both frameworks, the parameter counts of
the twins agree, the table has a numeric ratio per model, and the memory,
import-time and profile modes work.
"""
import json
import os
import re
import subprocess
import sys

import pytest

from bench import run as bench_run
from bench.models import MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AVAILABLE = [name for name, spec in MODELS.items() if spec.available()]
# One thread each: on a shared CI machine two BLAS threads per framework can wait on each other
# for seconds per step when other processes hold the cores (measured: 31 s instead of 3.4 s).
TINY = ["--quick", "--steps", "1", "--repeats", "1", "--warmup", "1", "--predict-batches", "1", "--threads", "1"]

EXPECTED_PARAMS = {"cnn3": 93_322, "cnn1": 347_146, "mlp": 101_770, "cifar": 122_570, "bn": 122_314, "lstm": 81_674}


def test_quick_bench_prints_a_row_per_model(tmp_path):
    path = tmp_path / "bench.json"
    out = subprocess.run([sys.executable, "-m", "bench", *TINY, "--no-memory", "--no-imports", "--json", str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    torch = bench_run.torch_available()
    for name in AVAILABLE:
        row = [line for line in out.stdout.splitlines() if line.startswith(f"| {name}: ")]
        assert len(row) == 1, f"no table row for {name}:\n{out.stdout}"
        cells = [c.strip() for c in row[0].strip("|").split("|")]
        assert len(cells) == 8
        if torch:
            assert re.fullmatch(r"[\d.]+x", cells[4]) and re.fullmatch(r"[\d.]+x", cells[7]), row[0]
    results = json.loads(path.read_text())
    assert [r["model"] for r in results["rows"]] == AVAILABLE
    for r in results["rows"]:
        assert r["deepgrad_train"] > 0 and r["deepgrad_predict"] > 0
        if r["model"] in EXPECTED_PARAMS:
            assert r["params"] == EXPECTED_PARAMS[r["model"]]


def test_peak_memory_and_import_time():
    m = bench_run.peak_memory("deepgrad", "mlp", 1)
    assert 0 < m["import_mb"] < m["peak_mb"]
    assert 0 < bench_run.import_seconds("import deepgrad", 1) < 60


@pytest.mark.skipif(not bench_run.torch_available(), reason="PyTorch is not installed")
def test_twins_train_the_same_number_of_parameters():
    from bench.models import trainable_count_deepgrad, trainable_count_torch

    for name in AVAILABLE:
        spec = MODELS[name]
        assert trainable_count_deepgrad(spec.deepgrad()) == trainable_count_torch(spec.torch()), name


def test_profile_mode_prints_the_ops():
    from bench.profile import profile_model

    lines = []
    prof = profile_model("cnn1", steps=1, warmup=1, out=lines.append)
    table = lines[-1]
    # the convolution and the pooling after it run as one op (keras.models.layer_fusion)
    assert "conv2d_bias_act_pool" in table and "dense_bias_act" in table and "optimizer.apply" in table
    assert prof.calls("conv2d_bias_act_pool", "backward") == 1 and prof.calls("dense_bias_act") == 2


def test_unknown_model_is_an_error():
    out = subprocess.run([sys.executable, "-m", "bench", "--models", "nope"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "unknown model" in out.stderr
