"""Running the programs in examples/ in-process through `deepgrad run`, for the example tests."""
import time
from pathlib import Path

from deepgrad.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, capsys):
    """`deepgrad run examples/NAME`: (exit code, stdout, stderr, wall seconds)."""
    start = time.perf_counter()
    code = main(["run", str(EXAMPLES / name)])
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    return code, out, err, elapsed
