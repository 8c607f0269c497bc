"""Measure the figures the README states: the demo, every example, the import, the test suite.

    python scripts/measure_readme.py            # demo, examples, import time (about 10 minutes on 2 cores)
    python scripts/measure_readme.py --suite    # also the README's test command (about 11 minutes more)
    python scripts/measure_readme.py --only mnist_cnn.py,gan_mnist.py

Each program runs as a user runs it, `deepgrad demo` or `deepgrad run examples/NAME.py`,
in a fresh process and a temporary working folder; the wall time and the last line it
printed (its accuracy) are reported. The demo runs with empty caches, so it trains on the
sample shipped with deepgrad, as on a fresh machine; the examples find their data where
`load_data()` finds it (run the tests' data setup, or put MNIST in ~/.deepgrad/datasets/mnist).
The output is a Markdown table headed by the machine it was measured on; --json also
writes the numbers.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def machine():
    """The machine in words: CPU model, cores, memory, Python, NumPy, date."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2 ** 20:.0f} GiB"
    except OSError:
        memory = "?"
    import numpy

    return (f"{cpu}, {os.cpu_count()} cores, {memory} RAM; Python {platform.python_version()}, "
            f"NumPy {numpy.__version__}; {time.strftime('%Y-%m-%d')}")


def run(command, env=None, timeout=3600):
    """(seconds, exit status, the last line it printed that states a result) of a command run in a temporary folder,
    importing deepgrad from this checkout whichever copy is installed."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as cwd:
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        seconds = time.perf_counter() - start
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    results = [line for line in lines if re.search(r"accuracy|MSE|Trained|Error", line, re.IGNORECASE)]
    return seconds, done.returncode, (results or lines or [""])[-1]


def fresh_machine_env(home):
    """The environment of a user with no dataset in any cache."""
    env = dict(os.environ)
    for var in ("HOME", "DEEPGRAD_HOME", "KERAS_HOME"):
        env[var] = str(home)
    return env


def measure_demo():
    with tempfile.TemporaryDirectory() as home:
        seconds, status, last = run(["deepgrad", "demo"], env=fresh_machine_env(home))
    return {"program": "deepgrad demo (shipped sample)", "seconds": seconds, "status": status, "result": last}


def measure_examples(only=None):
    results = []
    for path in sorted(EXAMPLES.glob("*.py")):
        if only and path.name not in only:
            continue
        seconds, status, last = run(["deepgrad", "run", str(path)])
        results.append({"program": f"examples/{path.name}", "seconds": seconds, "status": status, "result": last})
        print(f"  {path.name}: {seconds:.0f} s, exit {status}: {last}", file=sys.stderr)
    return results


def measure_import(repeats=7):
    code = "import time; t = time.perf_counter(); import deepgrad; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
             for _ in range(repeats)]
    return {"program": "import deepgrad (median of 7)", "seconds": statistics.median(times), "status": 0,
            "result": ""}


def measure_suite():
    seconds, status, last = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests")],
                                timeout=7200)
    return {"program": "python -m pytest (the whole suite)", "seconds": seconds, "status": status,
            "result": re.sub(r"\s+in [0-9.]+s.*", "", last)}


def table(rows):
    lines = ["| program | wall time | exit | result line |", "|---|---|---|---|"]
    for r in rows:
        t = f"{r['seconds'] * 1000:.0f} ms" if r["seconds"] < 5 else f"{r['seconds']:.0f} s"
        lines.append(f"| {r['program']} | {t} | {r['status']} | {r['result']} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python scripts/measure_readme.py", description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite")
    parser.add_argument("--only", help="comma-separated example files, or 'demo' (default: all, and the demo)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    rows = [measure_import(), measure_demo()] if not only else [measure_demo()] if "demo" in only else []
    rows += measure_examples(only)
    if args.suite:
        rows.append(measure_suite())
    print(f"Measured on: {machine()}\n\n{table(rows)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
