"""Throughput of deepgrad against PyTorch, in one process, on the same models and data.

Training: batches of 64, forward + loss + backward + Adam step. deepgrad runs
`model.fit(..., batch_size=64, shuffle=False, verbose=0)` (the path a user's
training takes, batch by batch); PyTorch runs the plain loop of nn.Module,
CrossEntropyLoss and torch.optim.Adam. Inference: batches of 256; deepgrad
runs `model.predict(..., batch_size=256, verbose=0)`, PyTorch the same batches
under torch.inference_mode() with model.eval(), concatenated.
Each measurement: warm-up steps, then `repeats` runs of `steps` steps, the two
frameworks taking turns run by run; samples/s is the median over the runs.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

from .models import (
    MODELS, random_data, to_torch_layout, trainable_count_deepgrad, trainable_count_torch,
)

TRAIN_BATCH = 64
PREDICT_BATCH = 256
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# steps per run, runs, warm-up steps (training); batches per run, runs, warm-up batches (inference)
SETTINGS = {
    "full": dict(steps=20, repeats=5, warmup=5, predict_batches=10, predict_repeats=5, predict_warmup=2,
                 memory_steps=20, import_repeats=5),
    "quick": dict(steps=4, repeats=3, warmup=2, predict_batches=2, predict_repeats=3, predict_warmup=1,
                  memory_steps=5, import_repeats=3),
}


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


_THREADS_SET = [False]


def set_threads(n):
    """Use `n` threads in both frameworks, here and in the memory processes."""
    _THREADS_SET[0] = True
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:
        print("bench: threadpoolctl is not installed, so NumPy's BLAS keeps its threads", file=sys.stderr)
    if torch_available():
        import torch

        torch.set_num_threads(n)


# ----------------------------------------------------------------------------- the two runners


class DeepgradRunner:
    """A compiled deepgrad model with train(n) and predict(n) over the first n batches of fixed data."""

    def __init__(self, spec, n_train, n_predict, seed=0):
        import deepgrad
        from deepgrad import keras

        deepgrad.random.set_seed(seed)
        self.model = spec.deepgrad()
        self.model.compile(optimizer=keras.optimizers.Adam(1e-3),
                           loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        self.x, self.y = random_data(spec, max(n_train * TRAIN_BATCH, n_predict * PREDICT_BATCH), seed)

    def params(self):
        return self.model.count_params()

    def trainable(self):
        return trainable_count_deepgrad(self.model)

    def train(self, steps):
        n = steps * TRAIN_BATCH
        self.model.fit(self.x[:n], self.y[:n], batch_size=TRAIN_BATCH, epochs=1, shuffle=False, verbose=0)

    def predict(self, batches):
        n = batches * PREDICT_BATCH
        return self.model.predict(self.x[:n], batch_size=PREDICT_BATCH, verbose=0)


class TorchRunner:
    """The PyTorch twin with the same train(n) and predict(n)."""

    def __init__(self, spec, n_train, n_predict, seed=0):
        import torch

        torch.manual_seed(seed)
        self.torch = torch
        self.model = spec.torch()
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.Adam(trainable, lr=1e-3)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        x, y = random_data(spec, max(n_train * TRAIN_BATCH, n_predict * PREDICT_BATCH), seed)
        self.x = torch.from_numpy(np.ascontiguousarray(to_torch_layout(x)))
        self.y = torch.from_numpy(y)

    def params(self):
        return sum(p.numel() for p in self.model.parameters())

    def trainable(self):
        return trainable_count_torch(self.model)

    def train(self, steps):
        model, optimizer, loss_fn = self.model, self.optimizer, self.loss_fn
        model.train()
        for i in range(steps):
            xb = self.x[i * TRAIN_BATCH:(i + 1) * TRAIN_BATCH]
            yb = self.y[i * TRAIN_BATCH:(i + 1) * TRAIN_BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            loss.item()

    def predict(self, batches):
        model = self.model
        model.eval()
        with self.torch.inference_mode():
            out = [model(self.x[i * PREDICT_BATCH:(i + 1) * PREDICT_BATCH]) for i in range(batches)]
            return self.torch.cat(out).numpy()


def samples_per_second(runs, steps, batch, repeats, warmup):
    """{name: median over `repeats` runs of steps * batch / seconds} for {name: run(steps)}.

    Each run(warmup) goes first; then the frameworks take turns, one run each per
    repeat, so that a change of load on the machine falls on both alike.
    """
    for run in runs.values():
        if warmup:
            run(warmup)
    rates = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run(steps)
            rates[name].append(steps * batch / (time.perf_counter() - start))
    return {name: statistics.median(r) for name, r in rates.items()}


def measure_model(spec, settings, use_torch):
    """One table row: parameter counts and the four throughputs of one model."""
    s = settings
    n_train = max(s["steps"], s["warmup"])
    n_predict = max(s["predict_batches"], s["predict_warmup"])
    row = {"model": spec.name, "title": spec.title}
    runners = {"deepgrad": DeepgradRunner(spec, n_train, n_predict)}
    if use_torch:
        runners["torch"] = TorchRunner(spec, n_train, n_predict)
        dg, pt = runners["deepgrad"].trainable(), runners["torch"].trainable()
        if dg != pt:
            raise AssertionError(f"{spec.name}: deepgrad trains {dg} parameters, its PyTorch twin {pt}")
    row["params"] = runners["deepgrad"].params()
    row["trainable"] = runners["deepgrad"].trainable()
    train = samples_per_second({name: r.train for name, r in runners.items()},
                               s["steps"], TRAIN_BATCH, s["repeats"], s["warmup"])
    predict = samples_per_second({name: r.predict for name, r in runners.items()},
                                 s["predict_batches"], PREDICT_BATCH, s["predict_repeats"], s["predict_warmup"])
    for name in runners:
        row[f"{name}_train"] = train[name]
        row[f"{name}_predict"] = predict[name]
    return row


# ----------------------------------------------------------------------------- memory and import time


def peak_memory(framework, model, steps):
    """Peak resident memory of `steps` training steps in a fresh process (see bench/memory.py)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory", framework, model, str(steps)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


IMPORTS = {
    "import deepgrad": "import deepgrad",
    "+ keras layers": "import deepgrad; from deepgrad.keras import layers, models; "
                      "layers.Conv2D, layers.Dense, models.Sequential",
}


def import_seconds(statement, repeats):
    """Median over fresh interpreters of the time `statement` takes (interpreter start excluded)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


# ----------------------------------------------------------------------------- printing


def environment(use_torch):
    """One line per fact about the machine and the libraries' threads."""
    lines = [f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs "
             f"({platform.processor() or platform.platform()})"]
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        busy = load > 0.5 * (os.cpu_count() or 1)
        lines.append(f"load average {load:.2f}" + (" before the run: other processes compete for the cores, "
                                                    "so the numbers are noisy" if busy else ""))
    blas = ""
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('num_threads')} threads"
                         for i in threadpool_info() if i.get("user_api") == "blas")
    except ImportError:
        pass
    lines.append(f"numpy {np.__version__}" + (f" ({blas})" if blas else ""))
    if use_torch:
        import torch

        lines.append(f"torch {torch.__version__}: {torch.get_num_threads()} intra-op threads, "
                     f"{torch.get_num_interop_threads()} inter-op threads")
    env = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                      "MALLOC_MMAP_THRESHOLD_") if k in os.environ}
    lines.append(("threads: set by --threads" if "OMP_NUM_THREADS" in env and _THREADS_SET[0] else
                  "threads: both frameworks at their defaults") + (f"; environment {env}" if env else ""))
    return lines


def _rate(value):
    return "-" if value is None else f"{value:,.0f}"


def _ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def format_table(rows):
    head = ("model", "params", "dg train/s", "torch train/s", "ratio", "dg predict/s", "torch predict/s", "ratio")
    body = [
        (f"{r['model']}: {r['title']}", f"{r['params']:,}", _rate(r.get("deepgrad_train")),
         _rate(r.get("torch_train")), _ratio(r.get("deepgrad_train"), r.get("torch_train")),
         _rate(r.get("deepgrad_predict")), _rate(r.get("torch_predict")),
         _ratio(r.get("deepgrad_predict"), r.get("torch_predict")))
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head] + body) for i in range(len(head))]
    fmt = lambda line: "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))) + " |"
    return "\n".join([fmt(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [fmt(line) for line in body])


# ----------------------------------------------------------------------------- main


def run(models, settings, use_torch=True, memory=True, imports=True, json_path=None, out=print):
    """Measure `models` (names) and print the report; returns the results as a dict."""
    started = time.perf_counter()
    asked_torch = use_torch
    use_torch = use_torch and torch_available()
    out("deepgrad benchmark: samples/s (median of runs), ratio = deepgrad / PyTorch (> 1: deepgrad faster)")
    for line in environment(use_torch):
        out("  " + line)
    s = settings
    out(f"  training: batch {TRAIN_BATCH}, Adam, sparse categorical cross-entropy from logits; {s['warmup']} "
        f"warm-up steps, then {s['repeats']} runs of {s['steps']} steps (frameworks take turns). deepgrad: model.fit(shuffle=False); "
        "PyTorch: a plain loop")
    out(f"  inference: batch {PREDICT_BATCH}; {s['predict_warmup']} warm-up batches, then {s['predict_repeats']} "
        f"runs of {s['predict_batches']} batches. deepgrad: model.predict; PyTorch: eval() + inference_mode()")
    out("")
    rows, skipped = [], []
    for name in models:
        spec = MODELS[name]
        if not spec.available():
            skipped.append(f"{name}: skipped, deepgrad lacks a layer it needs (deepgrad.keras.layers.LSTM)")
            continue
        rows.append(measure_model(spec, settings, use_torch))
    out(format_table(rows))
    notes = [MODELS[r["model"]].note for r in rows if MODELS[r["model"]].note] + skipped
    for note in notes:
        out("  " + note)
    if not use_torch:
        out("  PyTorch columns empty: " + ("PyTorch is not importable" if asked_torch else "--no-torch"))
    results = {"settings": settings, "rows": rows}

    if memory:
        out("")
        out(f"Peak resident memory, training the three-conv CNN ({s['memory_steps']} steps of batch {TRAIN_BATCH}) "
            "in a fresh process per framework: VmHWM of /proc/self/status at the end (the whole process), and "
            "VmRSS just after importing the framework (before the model and data exist)")
        results["memory"] = {}
        for framework in ["deepgrad"] + (["torch"] if use_torch else []):
            m = peak_memory(framework, "cnn3", s["memory_steps"])
            results["memory"][framework] = m
            out(f"  {framework:<8} peak {m['peak_mb']:7.1f} MiB, after import {m['import_mb']:7.1f} MiB, "
                f"peak - after import {m['peak_mb'] - m['import_mb']:7.1f} MiB")
    if imports:
        out("")
        out(f"Import time in a fresh interpreter (median of {s['import_repeats']}, interpreter start excluded)")
        results["imports"] = {}
        for label, statement in IMPORTS.items():
            seconds = import_seconds(statement, s["import_repeats"])
            results["imports"][label] = seconds
            out(f"  {label:<16} {seconds:.3f} s")
    elapsed = time.perf_counter() - started
    results["seconds"] = elapsed
    out("")
    out(f"benchmark took {elapsed:.1f} s")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(results, f, indent=2)
    return results
